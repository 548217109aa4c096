//! The command-line tool, run as a merchant would: against a receiver that checks the
//! signature with Node's `crypto.createHmac`, independently of this crate
//! (tests/cli/receiver.mjs), and against its own `listen` over real HTTP on 127.0.0.1.
#![cfg(feature = "cli")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{self, Receiver as Lines};
use std::time::{Duration, Instant};

use serde_json::Value;

const SECRET: &str = "whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t";
const OLD_SECRET: &str = "whsec_0ldS3cretRotat3dAwayXXXXXXXXXX";
const ENV: &str = "CASPAY_WEBHOOK_SECRET";
/// Long enough for a loaded 2-core machine; every wait normally ends within milliseconds.
const WAIT: Duration = Duration::from_secs(20);

fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_caspay-webhooks"));
    // The developer's own secret must not leak into a test.
    command.env_remove(ENV);
    command
}

fn cli(args: &[&str], stdin: Option<&[u8]>) -> Output {
    cli_env(args, stdin, &[])
}

fn cli_env(args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Output {
    let mut child = bin()
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that fails on its arguments exits without reading: a broken pipe is fine.
    let _ = child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.unwrap_or_default());
    let output = child.wait_with_output().unwrap();
    assert_no_panic(&output);
    output
}

fn assert_no_panic(output: &Output) {
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("panicked"),
        "{output:?}"
    );
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn sign(body: &[u8], secret: &str) -> String {
    caspay_webhooks::sign(body, secret.as_bytes()).unwrap()
}

/// A temporary file that removes itself.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, contents: &[u8]) -> TempFile {
        let path =
            std::env::temp_dir().join(format!("caspay-cli-test-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).unwrap();
        TempFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Lines of a child's output, read on a thread so a test can wait with a timeout.
fn line_channel(stream: impl Read + Send + 'static) -> Lines<String> {
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    lines
}

fn next_line(lines: &Lines<String>, what: &str) -> String {
    lines
        .recv_timeout(WAIT)
        .unwrap_or_else(|e| panic!("no line from {what}: {e}"))
}

/// The independent node:crypto receiver (tests/cli/receiver.mjs).
struct Receiver {
    child: Child,
    port: u16,
    lines: Lines<String>,
}

impl Receiver {
    fn start() -> Receiver {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cli/receiver.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .env(ENV, SECRET)
            .stdout(Stdio::piped())
            .spawn()
            .expect("node must be installed");
        let lines = line_channel(child.stdout.take().unwrap());
        let first = next_line(&lines, "receiver.mjs");
        let port = first.strip_prefix("port ").unwrap().parse().unwrap();
        Receiver { child, port, lines }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/webhook", self.port)
    }

    /// The next delivery the receiver got: status, valid, rawHeaders, body (base64).
    fn delivery(&self) -> Value {
        serde_json::from_str(&next_line(&self.lines, "receiver.mjs")).unwrap()
    }

    fn nothing_more(&self) {
        if let Ok(line) = self.lines.recv_timeout(Duration::from_millis(300)) {
            panic!("unexpected delivery at the receiver: {line}");
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn body_of(delivery: &Value) -> Vec<u8> {
    let text = delivery["body"].as_str().unwrap();
    base64_decode(text)
}

/// Node's header `name` as received (names compared without case, as HTTP does).
fn header_of(delivery: &Value, name: &str) -> Option<String> {
    let raw = delivery["rawHeaders"].as_array().unwrap();
    raw.chunks(2)
        .find(|pair| pair[0].as_str().unwrap().eq_ignore_ascii_case(name))
        .map(|pair| pair[1].as_str().unwrap().to_owned())
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut bits, mut count) = (0u32, 0);
    for byte in text.bytes().filter(|b| *b != b'=') {
        let value = ALPHABET.iter().position(|a| *a == byte).unwrap() as u32;
        bits = (bits << 6) | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    out
}

/// `caspay-webhooks listen --port 0 ...`, its address read from its first stderr line.
struct Listen {
    child: Child,
    port: u16,
    lines: Lines<String>,
    notes: Lines<String>,
}

impl Listen {
    fn start(args: &[&str]) -> Listen {
        Listen::spawn(args, true)
    }

    /// With `read_output` false, its stdout is closed at once (`listen | head -n 0`).
    fn spawn(args: &[&str], read_output: bool) -> Listen {
        let mut child = bin()
            .args(["listen", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let lines = if read_output {
            line_channel(stdout)
        } else {
            drop(stdout);
            mpsc::channel().1
        };
        let notes = line_channel(child.stderr.take().unwrap());
        let first = next_line(&notes, "listen's stderr");
        let port = first
            .split("http://127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("no address in {first:?}"));
        Listen {
            child,
            port,
            lines,
            notes,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/webhook", self.port)
    }

    fn line(&self) -> String {
        next_line(&self.lines, "listen")
    }

    /// SIGTERM, then the exit code and the rest of stderr.
    fn stop(mut self) -> (Option<i32>, String) {
        let killed = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        // Bounded, so that a listener that does not stop fails the test rather than hangs it.
        let deadline = Instant::now() + Duration::from_secs(15);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "listen did not stop within 15 s of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let notes: Vec<String> = self.notes.iter().collect();
        (status.code(), notes.join("\n"))
    }
}

impl Drop for Listen {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A POST over a plain socket, with exactly the given headers: the answer's status, its
/// headers (lowercased names) and body.
fn raw_post(
    port: u16,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&answer[..split]).to_lowercase();
    let status = head[9..12].parse().unwrap();
    (status, head, answer[split + 4..].to_vec())
}

fn caspay_headers<'a>(signature: &'a str, event_type: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("Content-Type", "application/json"),
        ("User-Agent", "CasPay-Webhook/1.0"),
        ("X-CasPay-Signature", signature),
        ("X-CasPay-Event", event_type),
        ("X-CasPay-Timestamp", "2026-11-27T10:00:00.000Z"),
    ]
}

/// A port nothing listens on: bound, then released.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

const SHAPE_C_BODY: &[u8] = br#"{"event":"payment.received","data":{"payment_id":"pay_cli","product_id":"prod_1","transaction_hash":"ab12","payer":"01cf","amount":12.5,"currency":"CSPR"},"timestamp":"2026-11-27T10:00:00.000Z","merchant_id":"MERCH_1"}"#;

#[test]
fn send_delivers_every_shape_and_tampering_is_refused() {
    let receiver = Receiver::start();
    let url = receiver.url();
    for shape in ["a", "b", "c"] {
        for event_type in ["payment.completed", "subscription.renewed", "test.webhook"] {
            let output = cli(
                &[
                    "send", "--url", &url, "--secret", SECRET, "--type", event_type, "--shape",
                    shape,
                ],
                None,
            );
            assert!(output.status.success(), "{output:?}");
            assert!(
                stdout(&output).starts_with("200 "),
                "{shape} {event_type}: {}",
                stdout(&output)
            );
            let delivery = receiver.delivery();
            assert_eq!(delivery["valid"], true);
            assert_eq!(
                header_of(&delivery, "x-caspay-event").as_deref(),
                Some(event_type)
            );
        }
        let tampered = cli(
            &[
                "send", "--url", &url, "--secret", SECRET, "--shape", shape, "--tamper",
            ],
            None,
        );
        assert_eq!(tampered.status.code(), Some(4), "{tampered:?}");
        assert!(
            stdout(&tampered).starts_with("401 "),
            "{}",
            stdout(&tampered)
        );
        assert_eq!(receiver.delivery()["valid"], false);
    }
}

#[test]
fn sign_and_verify_agree_and_report_errors_by_code() {
    let body = br#"{"id":"evt_1","type":"payment.completed","data":{}}"#;
    let signed = cli(&["sign", "--secret", SECRET, "-"], Some(body));
    let signature = stdout(&signed).trim().to_owned();
    assert_eq!(signature, sign(body, SECRET));

    let valid = cli(
        &["verify", "--secret", SECRET, "--signature", &signature],
        Some(body),
    );
    assert_eq!(
        (valid.status.code(), stdout(&valid).as_str()),
        (Some(0), "valid\n")
    );

    let test_button = cli(
        &[
            "verify",
            "--secret",
            SECRET,
            "--signature",
            "test_signature",
        ],
        Some(body),
    );
    assert_eq!(test_button.status.code(), Some(1));
    assert!(stderr(&test_button).starts_with("invalid_signature_format: "));

    let mismatch = cli(
        &["verify", "--secret", SECRET, "--signature", &"0".repeat(64)],
        Some(b"{}"),
    );
    assert_eq!(mismatch.status.code(), Some(1));
    assert!(stderr(&mismatch).starts_with("signature_mismatch: "));

    let not_json = cli(&["parse"], Some(b"{oops"));
    assert_eq!(not_json.status.code(), Some(1));
    assert!(stderr(&not_json).starts_with("invalid_json: "));
}

#[test]
fn secrets_come_from_files_the_environment_and_hex_never_only_argv() {
    let body = br#"{"id":"evt_2","type":"payment.completed","data":{}}"#;
    let expected = sign(body, SECRET);
    let file = TempFile::new("secret", format!("{SECRET}\n").as_bytes());
    let hex_secret = hex::encode(SECRET);
    for (args, env) in [
        (vec!["sign", "--secret-file", file.path()], vec![]),
        (vec!["sign", "--secret-hex", &hex_secret], vec![]),
        (vec!["sign"], vec![(ENV, SECRET)]),
        // The current secret signs; the others are for verifying during a rotation.
        (
            vec!["sign"],
            vec![(ENV, &*format!("{SECRET},{OLD_SECRET}"))],
        ),
        // A flag wins over the environment.
        (vec!["sign", "--secret", SECRET], vec![(ENV, OLD_SECRET)]),
    ] {
        let output = cli_env(&args, Some(body), &env);
        assert_eq!(
            (output.status.code(), stdout(&output).trim()),
            (Some(0), expected.as_str()),
            "{args:?} {env:?}: {output:?}"
        );
    }

    // Verification takes several secrets, current first, from any source.
    let old_signature = sign(body, OLD_SECRET);
    let old_file = TempFile::new("old-secret", OLD_SECRET.as_bytes());
    let rotation = format!("{SECRET}, {OLD_SECRET}");
    for (args, env) in [
        (vec!["--secret", SECRET, "--secret", OLD_SECRET], vec![]),
        (
            vec![
                "--secret-file",
                file.path(),
                "--secret-file",
                old_file.path(),
            ],
            vec![],
        ),
        (
            vec![
                "--secret-hex",
                &hex_secret,
                "--secret-file",
                old_file.path(),
            ],
            vec![],
        ),
        (vec![], vec![(ENV, rotation.as_str())]),
    ] {
        let mut full = vec!["verify", "--signature", &old_signature];
        full.extend(&args);
        let output = cli_env(&full, Some(body), &env);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?} {env:?}: {output:?}"
        );
        let without_old = cli_env(
            &[
                "verify",
                "--signature",
                &old_signature,
                "--secret-file",
                file.path(),
            ],
            Some(body),
            &[],
        );
        assert_eq!(without_old.status.code(), Some(1));
    }

    // No secret, an empty one, or an unreadable file: usage errors (2) with a message.
    let empty = TempFile::new("empty-secret", b"\n");
    for (args, env) in [
        (vec!["sign"], vec![]),
        (vec!["verify", "--signature", &expected], vec![]),
        (vec!["sign", "--secret-file", empty.path()], vec![]),
        (vec!["sign", "--secret-file", "/nonexistent/secret"], vec![]),
        (vec!["sign"], vec![(ENV, "")]),
        (
            vec!["verify", "--signature", &expected],
            vec![(ENV, "a,,b")],
        ),
        (vec!["sign", "--secret-hex", "zz"], vec![]),
        (
            vec!["sign", "--secret", "a", "--secret-file", file.path()],
            vec![],
        ),
    ] {
        let output = cli_env(&args, Some(body), &env);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?} {env:?}: {output:?}"
        );
        assert!(!output.stderr.is_empty());
        assert!(!stderr(&output).contains(SECRET), "a secret in a message");
    }
}

#[test]
fn a_closed_pipe_ends_quietly() {
    // Far more output than a pipe holds, so the write happens after the reader is gone:
    // `caspay-webhooks parse big.json | head -c 100`.
    let metadata: Vec<String> = (0..3000)
        .map(|i| format!(r#""key{i}":"{}""#, "v".repeat(50)))
        .collect();
    let big = format!(
        r#"{{"id":"evt_big","type":"payment.completed","created":1,"data":{{"payment":{{"id":"pay_1","amount":1,"currency":"CSPR","metadata":{{{}}}}}}}}}"#,
        metadata.join(",")
    );
    let file = TempFile::new("big.json", big.as_bytes());
    let mut child = bin()
        .args(["parse", file.path()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 100];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut head)
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert!(head.starts_with(br#"{"id":"evt_big""#));
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(output.stderr.is_empty(), "{}", stderr(&output));

    for args in [&["sample", "--list"][..], &["sample", "payment.completed"]] {
        let mut child = bin()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}: {output:?}");
        assert_no_panic(&output);
    }
}

#[test]
fn samples_exist_for_every_type_and_shape_and_list_names_them() {
    let list = cli(&["sample", "--list"], None);
    assert_eq!(list.status.code(), Some(0));
    let names: Vec<String> = stdout(&list).lines().map(str::to_owned).collect();
    assert_eq!(names, caspay_webhooks::EventKind::TYPE_NAMES);
    assert!(stdout(&cli(&["sample", "--help"], None)).contains("sample --list"));

    for &event_type in caspay_webhooks::EventKind::TYPE_NAMES {
        for shape in ["a", "b", "c"] {
            let output = cli(&["sample", event_type, "--shape", shape], None);
            assert!(output.status.success());
            let event = caspay_webhooks::parse_event(&output.stdout).unwrap();
            assert_eq!(event.event_type, event_type);
        }
    }
}

#[test]
fn help_documents_the_exit_codes() {
    let help = stdout(&cli(&["--help"], None));
    for line in [
        "0  success",
        "1  rejected",
        "2  usage error",
        "3  network error",
        "4  send",
    ] {
        assert!(help.contains(line), "{line:?} missing from:\n{help}");
    }
    let send_help = stdout(&cli(&["send", "--help"], None));
    assert!(send_help.contains("Exit codes"), "{send_help}");
    assert!(send_help.contains("visible to other users in `ps`"));
}

#[test]
fn bad_arguments_fail_with_a_message_never_a_panic() {
    for args in [
        &["sample", "payment.refunded"][..],
        &["sample"],
        &["sign", "missing-file.json", "--secret", "x"],
        &["sign", "--secret-hex", "zz"],
        &["sign", "--secret", "a", "--secret-hex", "00"],
        &["verify", "--secret", "x"],
        &["send", "--url", "not a url", "--secret", "x"],
        &[
            "send",
            "--url",
            "http://127.0.0.1:9/",
            "--secret",
            "x",
            "--count",
            "0",
        ],
        &[
            "send",
            "--url",
            "http://127.0.0.1:9/",
            "--secret",
            "x",
            "--reserialize",
            "jsonb",
        ],
        &["sample", "payment.completed", "--shape", "d"],
        &["listen", "--secret", "x", "--path", "webhook"],
        &["listen", "--secret", "x", "--forward-to", "localhost:3000"],
        &["listen"],
        &["frobnicate"],
    ] {
        let output = cli(args, Some(b"{}"));
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        assert!(!output.stderr.is_empty(), "{args:?} printed no message");
    }
}

#[test]
fn send_exit_codes_tell_non_2xx_from_network_errors() {
    let receiver = Receiver::start();
    for status in ["401", "500"] {
        let url = format!("{}?status={status}", receiver.url());
        let output = cli(&["send", "--url", &url, "--secret", SECRET], None);
        assert_eq!(output.status.code(), Some(4), "{output:?}");
        assert!(stdout(&output).starts_with(&format!("{status} ")));
        // The line shows the status; an answer is no error of the tool's.
        assert!(output.stderr.is_empty(), "{output:?}");
        assert_eq!(receiver.delivery()["valid"], true);
    }

    let refused = format!("http://127.0.0.1:{}/webhook", closed_port());
    let output = cli(&["send", "--url", &refused, "--secret", SECRET], None);
    assert_eq!(output.status.code(), Some(3), "{output:?}");
    assert!(stdout(&output).starts_with("error "), "{output:?}");
    assert!(
        stderr(&output).to_lowercase().contains("refused"),
        "{output:?}"
    );

    // An endpoint that accepts the connection and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("http://{}/webhook", silent.local_addr().unwrap());
    let output = cli(
        &[
            "send",
            "--url",
            &silent_url,
            "--secret",
            SECRET,
            "--timeout",
            "1",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(3), "{output:?}");
    assert!(stderr(&output).contains("timed out"), "{output:?}");
}

#[test]
fn send_sequences_with_count_concurrency_and_retries() {
    let receiver = Receiver::start();
    let url = receiver.url();

    // Generated bodies are distinct events.
    let output = cli(
        &[
            "send",
            "--url",
            &url,
            "--secret",
            SECRET,
            "--count",
            "5",
            "--concurrency",
            "3",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let lines: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 6, "{lines:?}");
    let mut numbers: Vec<&str> = lines[..5]
        .iter()
        .map(|line| line.split(' ').next().unwrap())
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, ["#1", "#2", "#3", "#4", "#5"]);
    assert!(lines[..5]
        .iter()
        .all(|line| line.split(' ').nth(1) == Some("200")));
    assert!(
        lines[5].starts_with("summary: 5 deliveries") && lines[5].contains("5 answered 2xx"),
        "{}",
        lines[5]
    );
    let mut keys = std::collections::HashSet::new();
    for _ in 0..5 {
        let delivery = receiver.delivery();
        assert_eq!(delivery["valid"], true);
        let event = caspay_webhooks::parse_event(&body_of(&delivery)).unwrap();
        keys.insert(event.idempotency_key);
    }
    assert_eq!(keys.len(), 5, "five distinct events");

    // --body and --retry-of send the stored bytes, as they are, each time.
    let stored = TempFile::new("stored.json", SHAPE_C_BODY);
    for flag in ["--body", "--retry-of"] {
        let output = cli(
            &[
                "send",
                "--url",
                &url,
                "--secret",
                SECRET,
                flag,
                stored.path(),
                "--count",
                "2",
            ],
            None,
        );
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        for _ in 0..2 {
            let delivery = receiver.delivery();
            assert_eq!(body_of(&delivery), SHAPE_C_BODY);
            assert_eq!(delivery["valid"], true);
            assert_eq!(
                header_of(&delivery, "x-caspay-event").as_deref(),
                Some("payment.received")
            );
        }
    }

    // Re-sent with other bytes, signed again, the same event for the core.
    let original = caspay_webhooks::parse_event(SHAPE_C_BODY).unwrap();
    for mode in ["jsonb", "pretty", "reverse"] {
        let output = cli(
            &[
                "send",
                "--url",
                &url,
                "--secret",
                SECRET,
                "--retry-of",
                stored.path(),
                "--reserialize",
                mode,
            ],
            None,
        );
        assert_eq!(output.status.code(), Some(0), "{mode}: {output:?}");
        assert!(
            stderr(&output).contains("same idempotency key"),
            "{output:?}"
        );
        let delivery = receiver.delivery();
        assert_eq!(delivery["valid"], true);
        let body = body_of(&delivery);
        assert_ne!(body, SHAPE_C_BODY, "{mode} changed no byte");
        let again = caspay_webhooks::parse_event(&body).unwrap();
        assert_eq!(again.idempotency_key, original.idempotency_key, "{mode}");
    }
    let jsonb = cli(
        &[
            "send",
            "--url",
            &url,
            "--secret",
            SECRET,
            "--retry-of",
            stored.path(),
            "--reserialize",
            "jsonb",
        ],
        None,
    );
    assert!(jsonb.status.success());
    assert_eq!(
        String::from_utf8(body_of(&receiver.delivery())).unwrap(),
        r#"{"data":{"payer":"01cf","amount":12.5,"currency":"CSPR","payment_id":"pay_cli","product_id":"prod_1","transaction_hash":"ab12"},"event":"payment.received","timestamp":"2026-11-27T10:00:00.000Z","merchant_id":"MERCH_1"}"#
    );

    // A sequence against a failing app: every line, then exit 4.
    let failing = format!("{url}?status=500");
    let output = cli(
        &[
            "send",
            "--url",
            &failing,
            "--secret",
            SECRET,
            "--count",
            "3",
            "--concurrency",
            "2",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(4), "{output:?}");
    assert!(stdout(&output).contains("3 not 2xx"), "{output:?}");
    assert!(stderr(&output).contains("were answered outside 2xx"));
    assert!(stderr(&output).starts_with("3 of 3 deliveries"));
}

#[test]
fn listen_stops_on_a_signal_while_a_sender_stalls_mid_body() {
    let listen = Listen::start(&["--secret", SECRET]);
    // More than the 1024 bytes tiny_http reads before handing a request to a worker is
    // announced, a little is sent, and then nothing: the worker waits for the rest.
    let mut stalled = TcpStream::connect(("127.0.0.1", listen.port)).unwrap();
    stalled
        .write_all(
            b"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2000\r\n\r\n{\"a\":",
        )
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    let (code, notes) = listen.stop();
    assert_eq!(code, Some(0), "{notes}");
    assert!(
        asked.elapsed() < Duration::from_secs(10),
        "stopped after {:?}",
        asked.elapsed()
    );
    drop(stalled);
}

#[test]
fn listen_verifies_every_delivery_and_rejects_tampering() {
    let listen = Listen::start(&["--secret", SECRET]);
    let signature = sign(SHAPE_C_BODY, SECRET);
    let (status, _, answer) = raw_post(
        listen.port,
        "/webhook",
        &caspay_headers(&signature, "payment.received"),
        SHAPE_C_BODY,
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
    let key = caspay_webhooks::parse_event(SHAPE_C_BODY)
        .unwrap()
        .idempotency_key;
    let line = listen.line();
    let fields: Vec<&str> = line.split(' ').collect();
    assert!(
        fields[0].ends_with('Z') && fields[0].contains('T'),
        "{line}"
    );
    assert_eq!(fields[1..3], ["payment.received", key.as_str()], "{line}");
    assert!(
        line.ends_with(" 12500000000 motes (12.5 cspr) accepted 200"),
        "{line}"
    );

    // The same event again: still accepted, marked as a duplicate.
    raw_post(
        listen.port,
        "/webhook",
        &caspay_headers(&signature, "payment.received"),
        SHAPE_C_BODY,
    );
    assert!(listen.line().ends_with(" accepted duplicate_event 200"));

    let mut tampered = SHAPE_C_BODY.to_vec();
    tampered[SHAPE_C_BODY.len() - 3] = b'2';
    for (signature, body, code, expected_status) in [
        (signature.as_str(), &tampered[..], "signature_mismatch", 401),
        (
            "test_signature",
            SHAPE_C_BODY,
            "invalid_signature_format",
            401,
        ),
        ("", SHAPE_C_BODY, "missing_signature", 401),
        // Signed, then compressed on the way: refused as such, not as a bad signature.
        (
            signature.as_str(),
            SHAPE_C_BODY,
            "unsupported_encoding",
            415,
        ),
    ] {
        let mut headers = caspay_headers(signature, "payment.received");
        if code == "unsupported_encoding" {
            headers.push(("Content-Encoding", "gzip"));
        }
        let (status, _, answer) = raw_post(listen.port, "/webhook", &headers, body);
        assert_eq!(status, expected_status);
        let answer: Value = serde_json::from_slice(&answer).unwrap();
        assert_eq!(answer["error"], code);
        let line = listen.line();
        let (_time, rest) = line.split_once(' ').unwrap();
        assert_eq!(
            rest,
            format!("payment.received - - rejected {code} {expected_status}")
        );
    }

    let (status, _, _) = raw_post(listen.port, "/elsewhere", &[], b"{}");
    assert_eq!(status, 404);

    let (code, notes) = listen.stop();
    assert_eq!(code, Some(0), "{notes}");
    assert!(
        notes.contains("stopped: 6 deliveries, 2 accepted, 4 rejected"),
        "{notes}"
    );
}

#[test]
fn listen_stops_quietly_when_its_output_is_closed() {
    // `caspay-webhooks listen | head -n 0`: the first line has nowhere to go.
    let mut listen = Listen::spawn(&["--secret", SECRET], false);
    let output = cli(&["send", "--url", &listen.url(), "--secret", SECRET], None);
    assert!(stdout(&output).starts_with("200 "), "{output:?}");
    let status = listen.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let notes: Vec<String> = listen.notes.iter().collect();
    assert!(
        notes.iter().all(|note| !note.contains("panicked")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|note| note.starts_with("stopped: 1 delivery,")),
        "{notes:?}"
    );
}

#[test]
fn listen_json_prints_one_object_per_delivery() {
    let listen = Listen::start(&["--json", "--secret", OLD_SECRET, "--secret", SECRET]);
    let output = cli(
        &[
            "send",
            "--url",
            &listen.url(),
            "--secret",
            SECRET,
            "--type",
            "payment.completed",
            "--shape",
            "a",
            "--seed",
            "fixed",
            "--count",
            "2",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let first: Value = serde_json::from_str(&listen.line()).unwrap();
    let second: Value = serde_json::from_str(&listen.line()).unwrap();
    for (event, code) in [(&first, Value::Null), (&second, "duplicate_event".into())] {
        assert_eq!(event["verdict"], "accepted");
        assert_eq!(event["code"], code);
        assert_eq!(event["status"], 200);
        assert_eq!(event["type"], "payment.completed");
        assert_eq!(event["id"], "evt_fixed");
        assert_eq!(event["idempotencyKey"], "evt_fixed");
        assert_eq!(event["amount"]["motes"], "100000000000");
        assert_eq!(event["amount"]["unit"], "motes");
        assert_eq!(event["secretIndex"], 1, "signed with the second secret");
        assert_eq!(event["forward"], Value::Null);
    }

    let tampered = cli(
        &[
            "send",
            "--url",
            &listen.url(),
            "--secret",
            SECRET,
            "--tamper",
        ],
        None,
    );
    assert_eq!(tampered.status.code(), Some(4));
    let rejected: Value = serde_json::from_str(&listen.line()).unwrap();
    assert_eq!(rejected["verdict"], "rejected");
    assert_eq!(rejected["code"], "signature_mismatch");
    assert_eq!(rejected["status"], 401);
    assert_eq!(rejected["type"], Value::Null);
    assert_eq!(rejected["eventHeader"], "payment.received");
    assert_eq!(rejected["idempotencyKey"], Value::Null);

    let (code, _) = listen.stop();
    assert_eq!(code, Some(0));
}

#[test]
fn listen_forwards_verified_deliveries_byte_for_byte_and_relays_the_answer() {
    let receiver = Receiver::start();
    let listen = Listen::start(&["--secret", SECRET, "--forward-to", &receiver.url()]);
    // Whitespace and a charset: bytes no re-serialization would keep.
    let body = b"{ \"event\": \"payment.received\",\n  \"data\": {\"payment_id\": \"pay_fw\", \"amount\": 1.50, \"currency\": \"CSPR\"}, \"merchant_id\": \"MERCH_1\" }\n";
    let signature = sign(body, SECRET);
    let headers = [
        ("Content-Type", "application/json; charset=utf-8"),
        ("User-Agent", "CasPay-Webhook/1.0"),
        ("X-CasPay-Signature", signature.as_str()),
        ("X-CasPay-Event", "payment.received"),
        ("X-CasPay-Timestamp", "2026-11-27T10:00:00.123Z"),
    ];
    let (status, head, answer) = raw_post(listen.port, "/webhook", &headers, body);
    let delivery = receiver.delivery();
    assert_eq!(body_of(&delivery), body);
    for (name, value) in headers {
        assert_eq!(header_of(&delivery, name).as_deref(), Some(value), "{name}");
    }
    assert_eq!(delivery["valid"], true);
    // The sender gets the app's answer.
    assert_eq!(status, 200);
    assert!(head.contains("content-type: application/json"), "{head}");
    let answer: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(answer["from"], "receiver.mjs");
    let line = listen.line();
    assert!(
        line.contains(" 1500000000 motes (1.50 cspr) accepted forwarded 200 in "),
        "{line}"
    );

    // Rejected deliveries stay with listen.
    let mut tampered = body.to_vec();
    let at = body.windows(6).position(|w| w == b"pay_fw").unwrap();
    tampered[at + 5] = b'x';
    let (status, _, _) = raw_post(listen.port, "/webhook", &headers, &tampered);
    assert_eq!(status, 401);
    assert!(listen.line().contains(" rejected signature_mismatch 401"));
    receiver.nothing_more();

    let (code, _) = listen.stop();
    assert_eq!(code, Some(0));

    // A failing app: its status goes back to the sender, so CasPay's retries are rehearsed.
    let failing = format!("{}?status=500", receiver.url());
    let listen = Listen::start(&["--forward-to", &failing, "--secret", SECRET]);
    let output = cli(&["send", "--url", &listen.url(), "--secret", SECRET], None);
    assert_eq!(output.status.code(), Some(4), "{output:?}");
    assert!(stdout(&output).starts_with("500 "), "{output:?}");
    assert!(stdout(&output).contains("receiver.mjs"), "{output:?}");
    assert_eq!(receiver.delivery()["status"], 500);
    assert!(listen.line().contains(" accepted forwarded 500 in "));
    let (code, _) = listen.stop();
    assert_eq!(code, Some(0));

    // An app that is down: 502 to the sender, the reason on the line.
    let down = format!("http://127.0.0.1:{}/webhook", closed_port());
    let listen = Listen::start(&["--forward-to", &down, "--secret", SECRET]);
    let output = cli(&["send", "--url", &listen.url(), "--secret", SECRET], None);
    assert!(stdout(&output).starts_with("502 "), "{output:?}");
    assert!(listen.line().contains(" accepted forward failed 502: "));
    let (code, _) = listen.stop();
    assert_eq!(code, Some(0));
}

#[test]
fn listen_fails_with_exit_3_when_its_port_is_taken() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = cli(&["listen", "--secret", SECRET, "--port", &port], None);
    assert_eq!(output.status.code(), Some(3), "{output:?}");
    assert!(stderr(&output).contains("cannot listen on 127.0.0.1:"));
}
