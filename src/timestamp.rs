//! ISO-8601 timestamps (shape C's `timestamp`, the `X-CasPay-Timestamp` header) and unix
//! seconds, converted without a date library: the proleptic Gregorian calendar in UTC.

use alloc::string::String;

/// Latest accepted unix time: 9999-12-31T23:59:59Z. Anything larger is almost certainly
/// milliseconds passed where seconds were expected.
pub const MAX_UNIX_SECONDS: u64 = 253_402_300_799;

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` into unix seconds (fraction dropped).
/// Returns `None` for any other form, an impossible date, or a time before 1970.
pub fn parse_iso8601(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut rest = &b[19..];
    if let Some(after_dot) = rest.strip_prefix(b".") {
        let fraction_len = after_dot.iter().take_while(|c| c.is_ascii_digit()).count();
        if fraction_len == 0 {
            return None;
        }
        rest = &after_dot[fraction_len..];
    }
    let offset_seconds: i64 = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = digits(&[*h1, *h2])?;
            let minutes = digits(&[*m1, *m2])?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let magnitude = (hours * 3600 + minutes * 60) as i64;
            if *sign == b'+' {
                magnitude
            } else {
                -magnitude
            }
        }
        _ => return None,
    };
    let local =
        days_from_civil(year, month, day) * 86_400 + (hour * 3600 + minute * 60 + second) as i64;
    u64::try_from(local - offset_seconds)
        .ok()
        .filter(|&s| s <= MAX_UNIX_SECONDS)
}

/// Formats unix seconds and milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`, the form CasPay sends.
pub fn format_iso8601(unix_seconds: u64, millis: u32) -> String {
    let days = (unix_seconds / 86_400) as i64;
    let secs = unix_seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    let mut out = String::with_capacity(24);
    push_padded(&mut out, year as u64, 4);
    out.push('-');
    push_padded(&mut out, month as u64, 2);
    out.push('-');
    push_padded(&mut out, day as u64, 2);
    out.push('T');
    push_padded(&mut out, secs / 3600, 2);
    out.push(':');
    push_padded(&mut out, secs / 60 % 60, 2);
    out.push(':');
    push_padded(&mut out, secs % 60, 2);
    out.push('.');
    push_padded(&mut out, u64::from(millis % 1000), 3);
    out.push('Z');
    out
}

fn push_padded(out: &mut String, value: u64, width: usize) {
    let mut buf = itoa::Buffer::new();
    let text = buf.format(value);
    out.extend(core::iter::repeat('0').take(width.saturating_sub(text.len())));
    out.push_str(text);
}

fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

fn is_leap(year: u32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: u32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_iso8601() {
        for secs in [
            0,
            951_782_400,
            1_640_000_000,
            1_795_780_800,
            MAX_UNIX_SECONDS,
        ] {
            assert_eq!(parse_iso8601(&format_iso8601(secs, 123)), Some(secs));
        }
        assert_eq!(format_iso8601(1_640_000_000, 0), "2021-12-20T11:33:20.000Z");
    }

    #[test]
    fn applies_offsets_and_rejects_impossible_dates() {
        assert_eq!(
            parse_iso8601("2021-12-20T12:33:20+01:00"),
            Some(1_640_000_000)
        );
        assert_eq!(parse_iso8601("2023-02-29T00:00:00Z"), None);
        assert_eq!(parse_iso8601("2024-02-29T00:00:00Z"), Some(1_709_164_800));
        assert_eq!(parse_iso8601("1969-12-31T23:59:59Z"), None);
        assert_eq!(parse_iso8601("2021-12-20 11:33:20Z"), None);
        assert_eq!(parse_iso8601("2021-12-20T11:33:20"), None);
    }
}
