//! The self-signed X.509 v3 certificate (RFC 5280 §4.1) that carries one of porch's own SP
//! public keys to identity providers in the SP metadata. IdPs only read the key out of it
//! (SAML Metadata 2.0 §2.4.1.1: a KeyDescriptor's certificate is a key container, not a
//! trust chain), so it is the smallest valid one: a CN, a validity, the key, no extensions.
//! Written with a few lines of DER here rather than an X.509 builder crate (see the README
//! "SSO" for the size that saves).

use porch_types::time::Timestamp;

/// `sha256WithRSAEncryption` (RFC 4055 §5), with its NULL parameters: the AlgorithmIdentifier.
const ALG_SHA256_WITH_RSA: &[u8] =
    &[0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00];
/// `rsaEncryption` (RFC 3279 §2.3.1), with its NULL parameters.
const ALG_RSA_ENCRYPTION: &[u8] =
    &[0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];
/// The attribute type `id-at-commonName` (2.5.4.3).
const OID_COMMON_NAME: &[u8] = &[0x06, 0x03, 0x55, 0x04, 0x03];
/// RFC 5280 §4.1.2.5: the notAfter of a certificate with no well-defined expiration. The key
/// lives until the admin retires it; the IdP must not drop it on a date porch chose.
const NO_EXPIRY: &[u8] = b"99991231235959Z";

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const UTF8_STRING: u8 = 0x0c;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
const EXPLICIT_0: u8 = 0xa0;

/// One DER element (X.690 §8.1): tag, definite length (short or long form), content.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(u8::try_from(len).unwrap_or(0));
    } else {
        let bytes = len.to_be_bytes();
        let significant: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
        out.push(0x80 | u8::try_from(significant.len()).unwrap_or(0));
        out.extend(significant);
    }
    out.extend_from_slice(content);
    out
}

fn sequence(parts: &[&[u8]]) -> Vec<u8> {
    tlv(SEQUENCE, &parts.concat())
}

/// A non-negative INTEGER from big-endian bytes: minimal, with a 0 byte where the top bit
/// would make it negative (X.690 §8.3).
fn unsigned_integer(bytes: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend(trimmed);
    tlv(INTEGER, &content)
}

/// A BIT STRING of whole bytes (no unused bits).
fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut content = vec![0];
    content.extend_from_slice(bytes);
    tlv(BIT_STRING, &content)
}

/// `CN=<common_name>` as a Name (RFC 5280 §4.1.2.4).
fn name(common_name: &str) -> Vec<u8> {
    let attribute = sequence(&[OID_COMMON_NAME, &tlv(UTF8_STRING, common_name.as_bytes())]);
    sequence(&[&tlv(SET, &attribute)])
}

/// RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, to the second, in UTC.
fn time(at: Timestamp) -> Vec<u8> {
    // `2026-11-23T14:09:24.000Z`: the digits at fixed places.
    let text = at.to_string();
    let digits: String = text.get(..19).unwrap_or("").chars().filter(char::is_ascii_digit).collect();
    let year: u32 = digits.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
    if (1950..2050).contains(&year) {
        tlv(UTC_TIME, format!("{}Z", digits.get(2..).unwrap_or("")).as_bytes())
    } else {
        tlv(GENERALIZED_TIME, format!("{digits}Z").as_bytes())
    }
}

/// The DER of the to-be-signed part (RFC 5280 §4.1.2): v3, `serial`, issuer = subject =
/// `CN=<common_name>`, valid from `not_before` with no expiry, the RSA public key
/// (`rsa_public_key_der`, a PKCS#1 RSAPublicKey).
pub(super) fn tbs_certificate(
    serial: &[u8],
    common_name: &str,
    not_before: Timestamp,
    rsa_public_key_der: &[u8],
) -> Vec<u8> {
    let version = tlv(EXPLICIT_0, &tlv(INTEGER, &[2]));
    let subject = name(common_name);
    let validity = sequence(&[&time(not_before), &tlv(GENERALIZED_TIME, NO_EXPIRY)]);
    let spki = sequence(&[ALG_RSA_ENCRYPTION, &bit_string(rsa_public_key_der)]);
    sequence(&[&version, &unsigned_integer(serial), ALG_SHA256_WITH_RSA, &subject, &validity, &subject, &spki])
}

/// The whole certificate: `tbs` and its RSA-SHA256 `signature` (RFC 5280 §4.1.1).
pub(super) fn certificate(tbs: &[u8], signature: &[u8]) -> Vec<u8> {
    sequence(&[tbs, ALG_SHA256_WITH_RSA, &bit_string(signature)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_use_the_short_form_below_128_and_the_long_form_above() {
        assert_eq!(tlv(0x04, &[7; 3]), [0x04, 3, 7, 7, 7]);
        assert_eq!(&tlv(0x04, &[0; 200])[..3], [0x04, 0x81, 200]);
        assert_eq!(&tlv(0x04, &[0; 300])[..4], [0x04, 0x82, 0x01, 0x2c]);
    }

    #[test]
    fn integers_are_minimal_and_never_negative() {
        assert_eq!(unsigned_integer(&[0, 0, 0x7f]), [INTEGER, 1, 0x7f]);
        assert_eq!(unsigned_integer(&[0x80]), [INTEGER, 2, 0, 0x80]);
        assert_eq!(unsigned_integer(&[0, 0]), [INTEGER, 1, 0]);
    }

    #[test]
    fn times_are_utc_time_before_2050_and_generalized_time_after() {
        let at = Timestamp::from_millis(1_795_000_000_000);
        assert_eq!(time(at), tlv(UTC_TIME, b"261118110640Z"));
        let later = Timestamp::from_millis(2_600_000_000_000);
        assert_eq!(time(later), tlv(GENERALIZED_TIME, b"20520522141320Z"));
    }
}
