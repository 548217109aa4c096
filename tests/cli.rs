//! The command-line tool, run as a merchant would: against a receiver that checks the
//! signature with Node's `crypto.createHmac`, independently of this crate.
#![cfg(feature = "cli")]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};

const SECRET: &str = "whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t";

fn cli(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_caspay-webhooks"))
        .args(args)
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
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("panicked"),
        "{output:?}"
    );
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

struct Receiver(Child, u16);

impl Receiver {
    fn start() -> Receiver {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cli/receiver.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .env("CASPAY_WEBHOOK_SECRET", SECRET)
            .stdout(Stdio::piped())
            .spawn()
            .expect("node must be installed");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().strip_prefix("port ").unwrap().parse().unwrap();
        Receiver(child, port)
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/webhook", self.1)
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}

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
        }
        let tampered = cli(
            &[
                "send", "--url", &url, "--secret", SECRET, "--shape", shape, "--tamper",
            ],
            None,
        );
        assert!(
            stdout(&tampered).starts_with("401 "),
            "{}",
            stdout(&tampered)
        );
    }
}

#[test]
fn sign_and_verify_agree_and_report_errors_by_code() {
    let body = br#"{"id":"evt_1","type":"payment.completed","data":{}}"#;
    let signed = cli(&["sign", "--secret", SECRET, "-"], Some(body));
    let signature = stdout(&signed).trim().to_owned();
    assert_eq!(
        signature,
        caspay_webhooks::sign(body, SECRET.as_bytes()).unwrap()
    );

    let valid = cli(
        &["verify", "--secret", SECRET, "--signature", &signature],
        Some(body),
    );
    assert_eq!(
        (valid.status.code(), stdout(&valid).as_str()),
        (Some(0), "valid\n")
    );

    let hex_secret = hex::encode(SECRET);
    let with_hex = cli(
        &[
            "verify",
            "--secret-hex",
            &hex_secret,
            "--signature",
            &signature,
        ],
        Some(body),
    );
    assert_eq!(with_hex.status.code(), Some(0));

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
    assert!(String::from_utf8_lossy(&test_button.stderr).starts_with("invalid_signature_format: "));

    let mismatch = cli(
        &["verify", "--secret", SECRET, "--signature", &"0".repeat(64)],
        Some(b"{}"),
    );
    assert!(String::from_utf8_lossy(&mismatch.stderr).starts_with("signature_mismatch: "));
}

#[test]
fn samples_exist_for_every_type_and_shape() {
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
fn bad_arguments_fail_with_a_message_never_a_panic() {
    for args in [
        &["sample", "payment.refunded"][..],
        &["sign", "missing-file.json", "--secret", "x"],
        &["sign", "--secret-hex", "zz"],
        &["sign", "--secret", "a", "--secret-hex", "00"],
        &["verify", "--secret", "x"],
        &[
            "send",
            "--url",
            "http://127.0.0.1:9/webhook",
            "--secret",
            "x",
        ],
        &["send", "--url", "not a url", "--secret", "x"],
        &["sample", "payment.completed", "--shape", "d"],
        &["frobnicate"],
    ] {
        let output = cli(args, Some(b"{}"));
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(!output.stderr.is_empty(), "{args:?} printed no message");
    }
}
