//! `parse_signature` on arbitrary header values, against the contract's rule written out
//! here: trim ASCII whitespace (space, tab, LF, FF, CR; not VT), empty is
//! `missing_signature`, an optional `sha256=` prefix, then exactly 64 hex digits in either
//! case, anything else `invalid_signature_format`. A header that parses must verify exactly
//! when it is the body's signature under the verifier's secret.
#![no_main]

use caspay_fuzz::code;
use caspay_webhooks::{parse_signature, sign, Verifier};
use libfuzzer_sys::fuzz_target;

const SECRET: &[u8] = b"whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t";
const BODY: &[u8] = br#"{"type":"test.webhook","data":{}}"#;

fn spec(header: &[u8]) -> Result<Vec<u8>, &'static str> {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r');
    let start = header.iter().position(|b| !is_space(b));
    let Some(start) = start else {
        return Err("missing_signature");
    };
    let end = header.iter().rposition(|b| !is_space(b)).unwrap() + 1;
    let trimmed = &header[start..end];
    let digits = trimmed.strip_prefix(b"sha256=").unwrap_or(trimmed);
    if digits.len() != 64 || !digits.iter().all(u8::is_ascii_hexdigit) {
        return Err("invalid_signature_format");
    }
    let text = std::str::from_utf8(digits).unwrap();
    Ok((0..32)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap())
        .collect())
}

fuzz_target!(|header: &[u8]| {
    let parsed = parse_signature(header);
    match (&parsed, spec(header)) {
        (Ok(digest), Ok(want)) => assert_eq!(&digest[..], &want[..]),
        (Err(e), Err(want)) => assert_eq!(e.code().as_str(), want),
        (got, want) => panic!("parse_signature {:?}, contract {:?}", code(got), want),
    }

    let verifier = Verifier::new(SECRET).unwrap();
    let verified = verifier.verify(BODY, header);
    let good = hex::decode(sign(BODY, SECRET).unwrap()).unwrap();
    let expected = match &parsed {
        Err(e) => e.code().as_str(),
        Ok(digest) if digest[..] == good[..] => "ok",
        Ok(_) => "signature_mismatch",
    };
    assert_eq!(code(&verified), expected);

    // Half the time, splice the right digest into the header so the match path is reached:
    // the verdict then depends only on the format around it.
    if header.first().is_some_and(|b| b & 1 == 1) {
        let good_hex = sign(BODY, SECRET).unwrap();
        let cut = header.len() / 2;
        let mut spliced = header[..cut].to_vec();
        spliced.extend_from_slice(good_hex.as_bytes());
        spliced.extend_from_slice(&header[cut..]);
        let expected = match spec(&spliced) {
            Ok(digest) if digest == good => "ok",
            Ok(_) => "signature_mismatch",
            Err(code) => code,
        };
        assert_eq!(code(&verifier.verify(BODY, &spliced)), expected);
    }
});
