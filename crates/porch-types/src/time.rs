//! Instants as milliseconds since the Unix epoch, given by the runtime, shown as RFC 3339.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_millis(ms: i64) -> Timestamp {
        Timestamp(ms)
    }

    pub const fn millis(self) -> i64 {
        self.0
    }

    /// To the minute, for people: `2026-11-23 14:09 UTC`.
    pub fn to_minute_utc(self) -> String {
        let full = self.to_string();
        match (full.get(..10), full.get(11..16)) {
            (Some(date), Some(time)) => format!("{date} {time} UTC"),
            _ => full,
        }
    }

    /// An RFC 3339 date-time as providers send it (`2026-11-23T14:09:24Z`, with an optional
    /// fraction, `Z` or a `±hh:mm` offset), between the years 1970 and 9999. Anything else,
    /// including dates that do not exist, is None: the caller names the field.
    pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
        // RFC 3339 §5.6: date-time = full-date "T" full-time; "T" and "Z" may be lower case.
        let (date, time) = text.split_once(['T', 't'])?;
        let (year, month, day) = parse_date(date)?;
        let (clock, offset_minutes) = if let Some(clock) = time.strip_suffix(['Z', 'z']) {
            (clock, 0)
        } else {
            let sign_at = time.rfind(['+', '-'])?;
            let (clock, offset) = time.split_at(sign_at);
            let sign = if offset.starts_with('-') { -1 } else { 1 };
            let (hours, minutes) = offset.get(1..)?.split_once(':')?;
            let (hours, minutes) = (digits(hours, 2)?, digits(minutes, 2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            (clock, sign * (hours * 60 + minutes))
        };
        let (clock, fraction) = match clock.split_once('.') {
            Some((clock, fraction)) => (clock, Some(fraction)),
            None => (clock, None),
        };
        let mut parts = clock.split(':');
        let hour = digits(parts.next()?, 2)?;
        let minute = digits(parts.next()?, 2)?;
        let second = digits(parts.next()?, 2)?;
        // A leap second (:60) is refused rather than guessed at.
        if parts.next().is_some() || hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        let millis = match fraction {
            None => 0,
            Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
                f.bytes().chain(std::iter::repeat(b'0')).take(3).fold(0, |acc, b| acc * 10 + i64::from(b - b'0'))
            }
            Some(_) => return None,
        };
        let seconds =
            days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
        (seconds >= 0).then_some(Timestamp(seconds * 1000 + millis))
    }

    #[must_use]
    pub const fn plus_seconds(self, seconds: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(seconds.saturating_mul(1000)))
    }
}

/// RFC 3339 in UTC with millisecond precision, e.g. `2026-11-23T14:09:24.000Z`.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.rem_euclid(1000);
        let secs = self.0.div_euclid(1000);
        let days = secs.div_euclid(86_400);
        let in_day = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{ms:03}Z",
            in_day / 3600,
            in_day % 3600 / 60,
            in_day % 60
        )
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// `YYYY-MM-DD` of a date that exists, years 1970 to 9999.
pub(crate) fn parse_date(text: &str) -> Option<(i64, i64, i64)> {
    let mut parts = text.split('-');
    let year = digits(parts.next()?, 4)?;
    let month = digits(parts.next()?, 2)?;
    let day = digits(parts.next()?, 2)?;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let ok = parts.next().is_none() && year >= 1970 && (1..=12).contains(&month) && (1..=days_in_month).contains(&day);
    ok.then_some((year, month, day))
}

/// Exactly `len` ASCII digits as a number.
fn digits(text: &str, len: usize) -> Option<i64> {
    (text.len() == len && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (H. Hinnant's `civil_from_days`, exact for the whole i64 range we can meet).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_epoch_and_a_leap_day_print_as_rfc3339() {
        assert_eq!(Timestamp::from_millis(0).to_string(), "1970-01-01T00:00:00.000Z");
        // 2024-02-29T12:34:56.789Z
        assert_eq!(Timestamp::from_millis(1_709_210_096_789).to_string(), "2024-02-29T12:34:56.789Z");
        assert_eq!(Timestamp::from_millis(-1).to_string(), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn rfc3339_date_times_parse_with_fractions_and_offsets() {
        let parse = |text| Timestamp::parse_rfc3339(text).map(Timestamp::millis);
        assert_eq!(parse("2024-02-29T12:34:56.789Z"), Some(1_709_210_096_789));
        assert_eq!(parse("2024-02-29t12:34:56.7891z"), Some(1_709_210_096_789));
        assert_eq!(parse("2024-02-29T14:34:56.789+02:00"), Some(1_709_210_096_789));
        assert_eq!(parse("2024-02-29T10:04:56.789-02:30"), Some(1_709_210_096_789));
        assert_eq!(parse("1970-01-01T00:00:00Z"), Some(0));
        let printed = Timestamp::from_millis(1_795_442_964_000).to_string();
        assert_eq!(printed, "2026-11-23T14:09:24.000Z");
        assert_eq!(parse(&printed), Some(1_795_442_964_000), "what porch prints, it reads");
    }

    #[test]
    fn date_times_that_are_not_rfc3339_or_do_not_exist_are_refused() {
        for bad in [
            "",
            "2024-02-29",
            "2024-02-29T12:34:56",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T23:59:60Z",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00+2:00",
            "1969-12-31T23:59:59Z",
            "1970-01-01T00:30:00+01:00",
            "24-01-01T00:00:00Z",
            "2024-01-01 00:00:00Z",
            "1711929600000",
        ] {
            assert_eq!(Timestamp::parse_rfc3339(bad), None, "{bad}");
        }
    }
}
