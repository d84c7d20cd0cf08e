//! A certificate's validity times (RFC 5280 §4.1.2.5) read leniently: only to warn an admin
//! that a pinned certificate is about to expire, never to refuse one, so any form a real
//! certificate has been seen in is read rather than rejected, and what cannot be read is
//! simply no date.

use porch_types::time::Timestamp;

/// DER tags of the two time types (X.680): UTCTime and GeneralizedTime.
pub(super) const TAG_UTC_TIME: u8 = 0x17;
pub(super) const TAG_GENERALIZED_TIME: u8 = 0x18;

/// A UTCTime (`YYMMDDhhmm[ss](Z|±hhmm)`; RFC 5280 wants seconds and `Z`, older CAs left
/// either out) or a GeneralizedTime (`YYYYMMDDhh[mm[ss[.f]]](Z|±hhmm)`; RFC 5280 wants
/// `YYYYMMDDhhmmssZ`, and GeneralizedTime only from 2050, which not every issuer follows).
pub(super) fn parse(tag: u8, value: &[u8]) -> Option<Timestamp> {
    let text = std::str::from_utf8(value).ok()?;
    // The zone: `Z`, or an offset in `±hhmm`, or (BER) none, read as UTC.
    let (clock, offset) = match text.find(['Z', '+', '-']) {
        Some(at) if text.get(at..) == Some("Z") => (text.get(..at)?, "+00:00".to_owned()),
        Some(at) => {
            let zone = text.get(at..)?;
            let (sign, digits) = zone.split_at(1);
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (text.get(..at)?, format!("{sign}{}:{}", digits.get(..2)?, digits.get(2..)?))
        }
        None => (text, "+00:00".to_owned()),
    };
    let (clock, fraction) = match clock.split_once(['.', ',']) {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (clock, None),
    };
    if !clock.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let full = match tag {
        // RFC 5280 §4.1.2.5.1: YY of 50 or more is 19YY, less is 20YY.
        TAG_UTC_TIME => {
            let century = if clock.get(..2)? >= "50" { "19" } else { "20" };
            format!("{century}{clock}")
        }
        TAG_GENERALIZED_TIME => clock.to_owned(),
        _ => return None,
    };
    // YYYYMMDDhh, then minutes and seconds when given.
    let part = |range: std::ops::Range<usize>| full.get(range);
    let (minute, second) = match full.len() {
        10 => ("00", "00"),
        12 => (part(10..12)?, "00"),
        14 => (part(10..12)?, part(12..14)?),
        _ => return None,
    };
    let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
    let rfc3339 =
        format!("{}-{}-{}T{}:{minute}:{second}{fraction}{offset}", part(0..4)?, part(4..6)?, part(6..8)?, part(8..10)?);
    Timestamp::parse_rfc3339(&rfc3339)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Option<Timestamp> {
        Timestamp::parse_rfc3339(text)
    }

    #[test]
    fn utc_times_in_every_form_seen_are_read() {
        assert_eq!(parse(TAG_UTC_TIME, b"270106045450Z"), at("2027-01-06T04:54:50Z"));
        assert_eq!(parse(TAG_UTC_TIME, b"9901010000Z"), at("1999-01-01T00:00:00Z"));
        assert_eq!(parse(TAG_UTC_TIME, b"490101000000Z"), at("2049-01-01T00:00:00Z"));
        assert_eq!(parse(TAG_UTC_TIME, b"270106045450+0200"), at("2027-01-06T02:54:50Z"));
        assert_eq!(parse(TAG_UTC_TIME, b"270106045450"), at("2027-01-06T04:54:50Z"));
    }

    #[test]
    fn generalized_times_in_every_form_seen_are_read() {
        assert_eq!(parse(TAG_GENERALIZED_TIME, b"20670101120000Z"), at("2067-01-01T12:00:00Z"));
        assert_eq!(parse(TAG_GENERALIZED_TIME, b"20270101120000Z"), at("2027-01-01T12:00:00Z"));
        assert_eq!(parse(TAG_GENERALIZED_TIME, b"20270101120000.5Z"), at("2027-01-01T12:00:00.500Z"));
        assert_eq!(parse(TAG_GENERALIZED_TIME, b"2027010112Z"), at("2027-01-01T12:00:00Z"));
        assert_eq!(parse(TAG_GENERALIZED_TIME, b"20270101120000-0130"), at("2027-01-01T13:30:00Z"));
    }

    #[test]
    fn what_cannot_be_read_is_no_date() {
        for (tag, bad) in [
            (TAG_UTC_TIME, &b"2701060454Z5"[..]),
            (TAG_UTC_TIME, b"271306045450Z"),
            (TAG_GENERALIZED_TIME, b"2027-01-01T12:00:00Z"),
            (TAG_GENERALIZED_TIME, b"20270101120000+02"),
            (0x04, b"20270101120000Z"),
            (TAG_UTC_TIME, b"\xff"),
            (TAG_UTC_TIME, b""),
        ] {
            assert_eq!(parse(tag, bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }
}
