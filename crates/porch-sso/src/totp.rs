//! Time-based one-time passwords, the staff's second factor: RFC 6238 TOTP over RFC 4226
//! HOTP with HMAC-SHA-1, 6 digits and 30-second steps (what every authenticator app reads
//! from an `otpauth://` URI without asking), the shared secret's text forms (RFC 4648 base32
//! for a person typing it, the URI for a QR code) and single-use recovery codes. No clock
//! and no randomness here: the caller passes the time, the secret's bytes and the codes'.

use hmac::{Hmac, Mac};
use porch_types::percent::percent_encode;
use sha1::Sha1;
use subtle::ConstantTimeEq;

/// RFC 4226 §4 R6: a shared secret of at least 128 bits; 160 are recommended.
pub const SECRET_BYTES: usize = 20;
/// RFC 6238 §5.2: 30 seconds balances security and usability.
pub const STEP_SECONDS: i64 = 30;
/// The code's length: what authenticator apps show by default.
pub const DIGITS: u32 = 6;
/// RFC 6238 §5.2 recommends accepting at most one time step of delay; a phone clock a little
/// ahead is as common as a slow typist, so one step either side of now is accepted.
pub const DRIFT_STEPS: i64 = 1;

/// The HOTP value of `secret` at `counter` (RFC 4226 §5.3: HMAC-SHA-1 of the counter's 8
/// bytes, big-endian, dynamically truncated to 31 bits, modulo 10^digits).
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    // HMAC takes a key of any length (RFC 2104 §3): new_from_slice cannot refuse one.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return 0;
    };
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash.last().map_or(0, |b| b & 0x0f));
    let word = hash.get(offset..offset + 4).and_then(|b| <[u8; 4]>::try_from(b).ok()).map_or(0, u32::from_be_bytes);
    (word & 0x7fff_ffff) % 10_u32.pow(digits)
}

/// The RFC 6238 time step of `unix_seconds` (T0 = 0).
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The code an authenticator shows at `unix_seconds`, zero-padded to `DIGITS`.
pub fn code_at(secret: &[u8], unix_seconds: i64) -> String {
    let counter = u64::try_from(step_at(unix_seconds)).unwrap_or(0);
    format!("{:0width$}", hotp(secret, counter, DIGITS), width = DIGITS as usize)
}

/// Checks a typed code against `secret` at `unix_seconds`, within `DRIFT_STEPS` either side.
/// Returns the step it matched, which the caller stores: RFC 6238 §5.2 says a verifier MUST
/// NOT accept the same code twice, so a step at or before `last_step` is refused. Spaces
/// (apps show "123 456") are ignored; anything else but 6 digits matches nothing. Each
/// candidate is compared in constant time.
pub fn verify(secret: &[u8], typed: &str, unix_seconds: i64, last_step: Option<i64>) -> Option<i64> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != DIGITS as usize || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(unix_seconds);
    let mut matched = None;
    // Every candidate is computed and compared, so the time taken says nothing of which one
    // matched.
    for step in now - DRIFT_STEPS..=now + DRIFT_STEPS {
        let Ok(counter) = u64::try_from(step) else {
            continue;
        };
        let expected = format!("{:0width$}", hotp(secret, counter, DIGITS), width = DIGITS as usize);
        let equal: bool = expected.as_bytes().ct_eq(digits.as_bytes()).into();
        if equal && last_step.is_none_or(|last| step > last) {
            matched = Some(step);
        }
    }
    matched
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// The base32 character of the low five bits of `value`.
fn base32_char(value: u32) -> char {
    BASE32.get(usize::try_from(value & 31).unwrap_or(0)).map_or('A', |&b| char::from(b))
}

/// RFC 4648 §6 base32 without padding: how authenticator apps take a secret typed by hand.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0_u32, 0_u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(base32_char(buffer >> bits));
        }
    }
    if bits > 0 {
        out.push(base32_char(buffer << (5 - bits)));
    }
    out
}

/// The bytes of a base32 text, in either case, spaces and padding ignored; None for any other
/// character.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0_u32, 0_u32);
    for c in text.bytes().filter(|b| !matches!(b, b' ' | b'=')) {
        let value = BASE32.iter().position(|&a| a == c.to_ascii_uppercase())?;
        buffer = (buffer << 5) | u32::try_from(value).ok()?;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

/// The `otpauth://totp/` URI (the Key Uri Format of Google Authenticator, which every app
/// reads) naming the issuer (the provider) and the account (the person's email), so the app
/// lists the entry as "Issuer (email)".
pub fn otpauth_uri(secret: &[u8], issuer: &str, account: &str) -> String {
    let issuer = percent_encode(issuer, b"");
    format!(
        "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        percent_encode(account, b"@"),
        base32(secret),
    )
}

/// Recovery codes a person is given with a second factor, each usable once.
pub const RECOVERY_CODES: usize = 10;
/// Random bytes per recovery code: 80 bits, as sixteen base32 characters. Codes are stored as
/// unsalted SHA-256 (looked up by it), so each must be too long to find from a leaked table
/// by trying every code: 2^80 is, 2^40 would not be.
pub const RECOVERY_CODE_BYTES: usize = 10;

/// A recovery code from its random bytes, as shown: four groups of four, lower case
/// ("abcd-efgh-ijkl-mnop"), easy to read out and type.
pub fn recovery_code(bytes: [u8; RECOVERY_CODE_BYTES]) -> String {
    let text = base32(&bytes).to_ascii_lowercase();
    let groups: Vec<&str> = text.as_bytes().chunks(4).filter_map(|group| std::str::from_utf8(group).ok()).collect();
    groups.join("-")
}

/// A typed recovery code in the form it is stored (hashed) under: case, spaces and hyphens
/// ignored, and the digits base32 lacks read as the letters they look like (0 as o, 1 as l,
/// 8 as b); None when it cannot be one.
pub fn normalise_recovery_code(typed: &str) -> Option<String> {
    let text: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_lowercase() {
            '0' => 'o',
            '1' => 'l',
            '8' => 'b',
            other => other,
        })
        .collect();
    let shaped = text.len() == RECOVERY_CODE_BYTES * 8 / 5 && base32_decode(&text).is_some();
    shaped.then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B and RFC 4226 Appendix D: the ASCII seed "12345678901234567890".
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn hotp_gives_the_ten_values_of_rfc_4226_appendix_d() {
        let expected = [755_224, 287_082, 359_152, 969_429, 338_314, 254_676, 287_922, 162_583, 399_871, 520_489];
        for (counter, value) in expected.into_iter().enumerate() {
            assert_eq!(hotp(RFC_SECRET, counter as u64, 6), value, "counter {counter}");
        }
    }

    #[test]
    fn totp_with_sha1_gives_the_eight_digit_values_of_rfc_6238_appendix_b() {
        let vectors = [
            (59, 94_287_082),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ];
        for (time, value) in vectors {
            let counter = u64::try_from(step_at(time)).unwrap();
            assert_eq!(hotp(RFC_SECRET, counter, 8), value, "T = {time}");
        }
    }

    #[test]
    fn a_six_digit_code_keeps_its_leading_zeros() {
        // RFC 6238's value at T = 1111111109 is 07081804: its last six digits start with 0.
        assert_eq!(code_at(RFC_SECRET, 1_111_111_109), "081804");
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_of_now_and_not_two() {
        let now = 1_700_000_000;
        for (offset, accepted) in [(-60, false), (-30, true), (0, true), (30, true), (60, false)] {
            let code = code_at(RFC_SECRET, now + offset);
            assert_eq!(verify(RFC_SECRET, &code, now, None).is_some(), accepted, "offset {offset} s");
        }
        let code = code_at(RFC_SECRET, now);
        assert_eq!(verify(RFC_SECRET, &code, now, None), Some(step_at(now)));
    }

    #[test]
    fn a_code_once_used_is_refused_and_so_is_any_earlier_one() {
        let now = 1_700_000_000;
        let code = code_at(RFC_SECRET, now);
        let used = verify(RFC_SECRET, &code, now, None).unwrap();
        assert_eq!(verify(RFC_SECRET, &code, now, Some(used)), None, "replayed");
        let earlier = code_at(RFC_SECRET, now - 30);
        assert_eq!(verify(RFC_SECRET, &earlier, now, Some(used)), None, "older than the used one");
        let next = code_at(RFC_SECRET, now + 30);
        assert_eq!(verify(RFC_SECRET, &next, now + 30, Some(used)), Some(used + 1));
    }

    #[test]
    fn a_code_typed_with_spaces_matches_and_anything_but_six_digits_does_not() {
        let now = 1_700_000_000;
        let code = code_at(RFC_SECRET, now);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert!(verify(RFC_SECRET, &spaced, now, None).is_some());
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６", &format!("{code}0")] {
            assert_eq!(verify(RFC_SECRET, bad, now, None), None, "{bad:?}");
        }
        assert_eq!(verify(b"another secret of twenty", &code, now, None), None, "another secret");
    }

    #[test]
    fn base32_follows_rfc_4648_and_reads_back_in_either_case() {
        // RFC 4648 §10, without the padding.
        for (plain, encoded) in
            [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB")]
        {
            assert_eq!(base32(plain.as_bytes()), encoded);
            assert_eq!(base32_decode(encoded).unwrap(), plain.as_bytes());
            assert_eq!(base32_decode(&encoded.to_lowercase()).unwrap(), plain.as_bytes());
        }
        assert_eq!(base32_decode("MZXW 6YTB OI======").unwrap(), b"foobar");
        assert_eq!(base32_decode("MZXW1"), None, "1 is not a base32 character");
    }

    #[test]
    fn the_otpauth_uri_names_the_issuer_and_the_account_and_carries_the_secret() {
        let uri = otpauth_uri(RFC_SECRET, "Acme Rentals", "ada@example.com");
        assert_eq!(
            uri,
            "otpauth://totp/Acme%20Rentals:ada@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=Acme%20Rentals&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn a_recovery_code_reads_back_however_it_is_typed_and_nothing_else_passes_for_one() {
        let code = recovery_code([0xde, 0xad, 0xbe, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab]);
        assert_eq!(code, "32w3-53yb-encw-pcnl");
        let stored = normalise_recovery_code(&code).unwrap();
        assert_eq!(stored, "32w353ybencwpcnl");
        for typed in ["32W3-53YB-ENCW-PCNL", " 32w3 53yb encw pcnl ", "32w353ybencwpcnl", "32w3-53y8-encw-pcn1"] {
            assert_eq!(normalise_recovery_code(typed).as_deref(), Some(stored.as_str()), "{typed:?}");
        }
        for bad in ["", "32w3-53yb-encw-pcn", "32w3-53yb-encw-pcnl-a", "32w3-53yb-encw-pcn!", "32w9-53yb-encw-pcnl"] {
            assert_eq!(normalise_recovery_code(bad), None, "{bad:?}");
        }
    }
}
