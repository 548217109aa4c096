//! Timing samples of the native core's signature check, for `make ct` (ct/README.md).
//!
//! Usage: `caspay-ct-native SAMPLES_PER_CLASS OUT_DIR`. Writes `native-real.u32` (the
//! reusable `Verifier::verify`) and `native-control.u32` (the same HMAC, then an early-exit
//! byte-by-byte compare) plus `native.json` (what was measured, in which unit).
//!
//! Each sample is a little-endian u32: bits 30-31 the class (0 equal, 1 first byte
//! different, 2 last byte different, 3 first byte different again: the A/A check), bits
//! 0-29 the duration (TSC ticks, saturated). Classes are interleaved in a random order, as
//! dudect does.

use std::hint::black_box;
use std::io::Write;
use std::path::Path;

use caspay_webhooks::{parse_signature, sign, Verifier};

/// A tick counter: the TSC (serialized with lfence) on x86_64, nanoseconds elsewhere.
#[cfg(target_arch = "x86_64")]
fn ticks() -> u64 {
    use std::arch::x86_64::{_mm_lfence, _rdtsc};
    // SAFETY: lfence and rdtsc are available on every x86_64 CPU and touch no memory.
    unsafe {
        _mm_lfence();
        let t = _rdtsc();
        _mm_lfence();
        t
    }
}

#[cfg(target_arch = "x86_64")]
const UNIT: &str = "TSC ticks";

#[cfg(not(target_arch = "x86_64"))]
fn ticks() -> u64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

#[cfg(not(target_arch = "x86_64"))]
const UNIT: &str = "ns";

/// Equal, first byte different, last byte different, first byte different (A/A).
const CLASSES: usize = 4;

/// xorshift64*: the class order only needs to be unpredictable to the code measured.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n as u64) as usize
    }
}

/// `per_class` samples of each class in a random order.
fn schedule(per_class: usize, seed: u64) -> Vec<u8> {
    let mut classes: Vec<u8> = (0..CLASSES as u8)
        .flat_map(|c| vec![c; per_class])
        .collect();
    let mut rng = Rng(seed | 1);
    for i in (1..classes.len()).rev() {
        classes.swap(i, rng.below(i + 1));
    }
    classes
}

/// The known-leaky control: returns at the first differing byte. `black_box` keeps the
/// compiler from turning the loop into a vector or `memcmp` compare.
fn leaky_equal(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    for i in 0..a.len() {
        if black_box(a[i]) != black_box(b[i]) {
            return false;
        }
    }
    true
}

fn measure(
    classes: &[u8],
    signatures: &[String; CLASSES],
    check: impl Fn(&[u8]) -> bool,
) -> Vec<u8> {
    for i in 0..20_000 {
        black_box(check(signatures[i % CLASSES].as_bytes()));
    }
    let mut out = Vec::with_capacity(classes.len() * 4);
    // Every class is read from this one buffer, as a server reads each request's header
    // from its own buffer: with one fixed string per class, the class would also decide
    // the address, and addresses alone move the timing (an A/A test with two copies of one
    // signature gave |t| = 12 at 10^6 samples per class).
    let mut header = signatures[0].clone().into_bytes();
    for &class in classes {
        header.copy_from_slice(signatures[usize::from(class)].as_bytes());
        let signature = black_box(&header[..]);
        let start = ticks();
        black_box(check(signature));
        let elapsed = ticks().saturating_sub(start).min((1 << 30) - 1) as u32;
        out.extend_from_slice(&((u32::from(class) << 30) | elapsed).to_le_bytes());
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(per_class), Some(out_dir)) = (args.get(1).and_then(|n| n.parse().ok()), args.get(2))
    else {
        eprintln!("usage: caspay-ct-native SAMPLES_PER_CLASS OUT_DIR");
        std::process::exit(2);
    };
    let inputs_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../inputs.json");
    let inputs: serde_json::Value =
        serde_json::from_slice(&std::fs::read(inputs_path).expect("ct/inputs.json")).unwrap();
    let secret = inputs["secret"].as_str().unwrap().as_bytes();
    let body = inputs["body"].as_str().unwrap().as_bytes();

    let good = hex_digest(&sign(body, secret).unwrap());
    let flipped = |at: usize| {
        let mut digest = good.clone();
        digest[at] ^= 0x11;
        to_hex(&digest)
    };
    let signatures = [to_hex(&good), flipped(0), flipped(31), flipped(0)];

    let verifier = Verifier::new(secret).unwrap();
    let real = |signature: &[u8]| verifier.verify(body, signature).is_ok();
    let control = |signature: &[u8]| match parse_signature(signature) {
        Ok(expected) => leaky_equal(&verifier.sign_digest(body), &expected),
        Err(_) => false,
    };
    assert!(real(signatures[0].as_bytes()) && !real(signatures[1].as_bytes()));
    assert!(control(signatures[0].as_bytes()) && !control(signatures[2].as_bytes()));

    let out = Path::new(out_dir);
    let seed = ticks();
    let samples = measure(&schedule(per_class, seed), &signatures, real);
    std::fs::write(out.join("native-real.u32"), samples).unwrap();
    let samples = measure(
        &schedule(per_class, seed.rotate_left(17)),
        &signatures,
        control,
    );
    std::fs::write(out.join("native-control.u32"), samples).unwrap();

    let meta = serde_json::json!({
        "host": "Rust core, native",
        "runtime": format!("{} release build", std::env::consts::ARCH),
        "unit": UNIT,
        "real": "Verifier::verify (reusable keyed state; hmac verify_slice)",
        "control": "same HMAC (Verifier::sign_digest), then an early-exit byte loop",
    });
    let mut file = std::fs::File::create(out.join("native.json")).unwrap();
    writeln!(file, "{meta}").unwrap();
}

fn hex_digest(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
