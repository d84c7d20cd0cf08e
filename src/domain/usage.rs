//! Utilisation reports of equipment: a portal's time zone (a fixed UTC offset), report
//! ranges of whole local days, day or week buckets, operating hours per bucket from the
//! hours counter, and the CSV form of a report. Pure: rows in, numbers out.

use serde::{Deserialize, Serialize};

use super::time::{civil_from_days, days_from_civil, parse_date, Timestamp};

const DAY_MS: i64 = 86_400_000;

/// A portal's time zone as a fixed offset from UTC in minutes east (`60` is UTC+01:00).
/// A fixed offset, not an IANA zone: the zone database (chrono-tz) would cost more wasm than
/// all of equipment, and a report's day boundaries need only the offset. The price is that
/// summer time is not followed; a provider picks the offset its customers work in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UtcOffset(i64);

impl UtcOffset {
    pub const UTC: UtcOffset = UtcOffset(0);

    /// UTC−12:00 to UTC+14:00, the offsets in use on Earth.
    pub fn parse(minutes: i64) -> Result<UtcOffset, &'static str> {
        if (-720..=840).contains(&minutes) {
            Ok(UtcOffset(minutes))
        } else {
            Err("must be minutes east of UTC between -720 and 840")
        }
    }

    pub const fn minutes(self) -> i64 {
        self.0
    }

    const fn millis(self) -> i64 {
        self.0 * 60_000
    }

    /// `UTC`, `UTC+01:00`, `UTC-03:30`.
    pub fn label(self) -> String {
        if self.0 == 0 {
            return "UTC".into();
        }
        let sign = if self.0 < 0 { '-' } else { '+' };
        let abs = self.0.abs();
        format!("UTC{sign}{:02}:{:02}", abs / 60, abs % 60)
    }

    /// The local day (days since 1970-01-01 on the local calendar) an instant falls in.
    pub fn local_day(self, at: Timestamp) -> i64 {
        (at.millis() + self.millis()).div_euclid(DAY_MS)
    }

    /// The instant a local day starts.
    pub fn day_start(self, day: i64) -> Timestamp {
        Timestamp::from_millis(day.saturating_mul(DAY_MS) - self.millis())
    }

    /// Local date and time to the minute, with the offset: `2026-03-01 14:00 UTC+01:00`.
    pub fn minute(self, at: Timestamp) -> String {
        let local = at.millis() + self.millis();
        let in_day = local.rem_euclid(DAY_MS) / 60_000;
        format!("{} {:02}:{:02} {}", date_text(local.div_euclid(DAY_MS)), in_day / 60, in_day % 60, self.label())
    }
}

/// `YYYY-MM-DD` of a day since 1970-01-01.
pub fn date_text(day: i64) -> String {
    let (year, month, day) = civil_from_days(day);
    format!("{year:04}-{month:02}-{day:02}")
}

/// A `YYYY-MM-DD` date as days since 1970-01-01.
pub fn parse_day(text: &str) -> Option<i64> {
    parse_date(text).map(|(year, month, day)| days_from_civil(year, month, day))
}

/// How a report groups its days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    Day,
    /// Monday to Sunday, as ISO 8601 weeks.
    Week,
}

impl Span {
    pub fn parse(code: &str) -> Option<Span> {
        match code {
            "day" => Some(Span::Day),
            "week" => Some(Span::Week),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Span::Day => "day",
            Span::Week => "week",
        }
    }

    pub fn days(self) -> i64 {
        match self {
            Span::Day => 1,
            Span::Week => 7,
        }
    }
}

/// The longest report: a year and a day, at most 367 day buckets.
pub const MAX_DAYS: i64 = 367;

/// A report's buckets: `count` spans of whole local days from `first_day`. Every bucket has
/// the same length (a fixed offset has no summer time), so an event's bucket is arithmetic:
/// `(at - start) / length`, which the SQL groups by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Buckets {
    pub first_day: i64,
    pub count: i64,
    pub span: Span,
    pub zone: UtcOffset,
}

impl Buckets {
    /// The days `from ..= to` (local dates), widened to whole weeks (Monday first) by week.
    pub fn new(from: i64, to: i64, span: Span, zone: UtcOffset) -> Result<Buckets, &'static str> {
        if to < from {
            return Err("to must not be before from");
        }
        if to - from >= MAX_DAYS {
            return Err("a report covers at most 367 days");
        }
        let (first, last) = match span {
            Span::Day => (from, to),
            // 1970-01-01 was a Thursday: day d is a Monday when (d + 3) % 7 == 0.
            Span::Week => (from - (from + 3).rem_euclid(7), to + (6 - (to + 3).rem_euclid(7))),
        };
        Ok(Buckets { first_day: first, count: (last - first) / span.days() + 1, span, zone })
    }

    pub fn start(&self) -> Timestamp {
        self.zone.day_start(self.first_day)
    }

    /// The instant after the last bucket (excluded).
    pub fn end(&self) -> Timestamp {
        self.zone.day_start(self.first_day + self.count * self.span.days())
    }

    pub fn length_ms(&self) -> i64 {
        self.span.days() * DAY_MS
    }

    /// The first local day of bucket `index`.
    pub fn day_of(&self, index: i64) -> i64 {
        self.first_day + index * self.span.days()
    }
}

/// What the database sums up per bucket (`store::equipment::usage_for_customer`): the highest
/// and lowest hours reading in it and the counts of starts, stops and alerts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct BucketRow {
    pub bucket: i64,
    pub hours_max: Option<i64>,
    pub hours_min: Option<i64>,
    pub starts: i64,
    pub stops: i64,
    pub alerts: i64,
}

/// One bucket of a report: its first local day, operating hours in thousandths, and counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub day: i64,
    pub hours_milli: i64,
    pub starts: i64,
    pub stops: i64,
    pub alerts: i64,
}

/// Operating hours per bucket from the counter's readings.
///
/// A bucket's hours are its last reading minus the reading before the bucket (the previous
/// bucket's last one, or `before`: the last visible reading before the report), not its own
/// max − min. With hourly readings max − min loses the hour between the last reading of one
/// day and the first of the next (100..123 would be 23 h, not 24), and a machine read once
/// a day would show nothing at all. Only the first reading ever seen, with nothing before it,
/// falls back to max − min of its bucket. The counter only rises, so a bucket's highest
/// reading is its last; a drop (a replaced meter) counts as 0, never negative. A bucket
/// without readings shows 0 and the next reading's bucket carries the whole increase.
pub fn usage(buckets: &Buckets, rows: &[BucketRow], before: Option<i64>) -> Vec<Usage> {
    let mut previous = before;
    let mut out = Vec::with_capacity(usize::try_from(buckets.count).unwrap_or(0));
    let mut rows = rows.iter().peekable();
    for index in 0..buckets.count {
        let mut bucket = Usage { day: buckets.day_of(index), ..Usage::default() };
        while let Some(row) = rows.next_if(|r| r.bucket <= index) {
            if row.bucket != index {
                continue;
            }
            bucket.starts = row.starts;
            bucket.stops = row.stops;
            bucket.alerts = row.alerts;
            if let Some(high) = row.hours_max {
                let base = previous.or(row.hours_min).unwrap_or(high);
                bucket.hours_milli = (high - base).max(0);
                previous = Some(high);
            }
        }
        out.push(bucket);
    }
    out
}

/// Hours for people and CSV: `24`, `7.5`, `0.125` (thousandths at most, no trailing zeros).
pub fn hours_text(milli: i64) -> String {
    let whole = milli / 1000;
    let fraction = (milli % 1000).abs();
    if fraction == 0 {
        whole.to_string()
    } else {
        let digits = format!("{fraction:03}");
        format!("{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// One CSV field (RFC 4180 §2): quoted when it holds a comma, quote or line break, quotes
/// doubled. A text starting like a formula (`= + - @`, tab, CR) gets a leading `'` so a
/// spreadsheet shows it instead of running it (OWASP "CSV Injection").
pub fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() };
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// Rows of fields as CSV text: CRLF after each record (RFC 4180 §2.1).
pub fn csv(rows: &[Vec<String>]) -> String {
    rows.iter().map(|row| row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(",") + "\r\n").collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARCH_1: i64 = 1_772_323_200_000; // 2026-03-01T00:00:00Z, a Sunday

    fn day(text: &str) -> i64 {
        parse_day(text).unwrap()
    }

    #[test]
    fn offsets_outside_the_earths_are_refused_and_labels_read_like_utc_plus() {
        assert_eq!(UtcOffset::parse(60).unwrap().label(), "UTC+01:00");
        assert_eq!(UtcOffset::parse(-210).unwrap().label(), "UTC-03:30");
        assert_eq!(UtcOffset::UTC.label(), "UTC");
        assert!(UtcOffset::parse(841).is_err());
        assert!(UtcOffset::parse(-721).is_err());
    }

    #[test]
    fn a_local_day_starts_earlier_in_utc_east_of_greenwich() {
        let cet = UtcOffset::parse(60).unwrap();
        assert_eq!(cet.day_start(day("2026-03-01")).millis(), MARCH_1 - 3_600_000);
        assert_eq!(cet.local_day(Timestamp::from_millis(MARCH_1 - 1)), day("2026-03-01"));
        assert_eq!(UtcOffset::UTC.local_day(Timestamp::from_millis(MARCH_1 - 1)), day("2026-02-28"));
        assert_eq!(cet.minute(Timestamp::from_millis(MARCH_1)), "2026-03-01 01:00 UTC+01:00");
        assert_eq!(date_text(day("2024-02-29")), "2024-02-29");
    }

    #[test]
    fn weeks_are_widened_to_monday_through_sunday() {
        // 2026-03-01 is a Sunday; its week began on Monday 2026-02-23.
        let b = Buckets::new(day("2026-03-01"), day("2026-03-03"), Span::Week, UtcOffset::UTC).unwrap();
        assert_eq!((date_text(b.first_day), b.count), ("2026-02-23".to_owned(), 2));
        assert_eq!(b.end().millis() - b.start().millis(), 14 * DAY_MS);
        let d = Buckets::new(day("2026-03-01"), day("2026-03-30"), Span::Day, UtcOffset::UTC).unwrap();
        assert_eq!(d.count, 30);
        assert!(Buckets::new(day("2026-03-02"), day("2026-03-01"), Span::Day, UtcOffset::UTC).is_err());
        assert!(Buckets::new(day("2025-01-01"), day("2026-03-01"), Span::Day, UtcOffset::UTC).is_err());
    }

    fn row(bucket: i64, min: i64, max: i64) -> BucketRow {
        BucketRow { bucket, hours_min: Some(min), hours_max: Some(max), ..BucketRow::default() }
    }

    #[test]
    fn hours_are_the_rise_since_the_previous_buckets_last_reading() {
        let b = Buckets::new(0, 3, Span::Day, UtcOffset::UTC).unwrap();
        // Hourly readings 100, 101, ...: day 0 holds 100..=123, day 1 124..=147; day 2 none;
        // day 3 172..=195.
        let rows = [row(0, 100_000, 123_000), row(1, 124_000, 147_000), row(3, 172_000, 195_000)];
        let hours: Vec<i64> = usage(&b, &rows, None).iter().map(|u| u.hours_milli).collect();
        assert_eq!(hours, [23_000, 24_000, 0, 48_000], "the first falls back to max - min; a gap carries over");
        let with_before: Vec<i64> = usage(&b, &rows, Some(99_000)).iter().map(|u| u.hours_milli).collect();
        assert_eq!(with_before.first(), Some(&24_000), "a reading before the range is the base");
    }

    #[test]
    fn a_counter_that_drops_counts_nothing_rather_than_negative_hours() {
        let b = Buckets::new(0, 1, Span::Day, UtcOffset::UTC).unwrap();
        let hours: Vec<i64> =
            usage(&b, &[row(0, 5000, 9000), row(1, 10, 20)], None).iter().map(|u| u.hours_milli).collect();
        assert_eq!(hours, [4000, 0]);
    }

    #[test]
    fn counts_land_in_their_bucket_and_empty_buckets_are_kept() {
        let b = Buckets::new(0, 2, Span::Day, UtcOffset::UTC).unwrap();
        let rows = [BucketRow { bucket: 1, starts: 2, stops: 1, alerts: 3, ..BucketRow::default() }];
        let out = usage(&b, &rows, None);
        assert_eq!(out.len(), 3);
        assert_eq!(out.get(1).map(|u| (u.day, u.starts, u.stops, u.alerts)), Some((1, 2, 1, 3)));
        assert_eq!(out.first().map(|u| u.starts), Some(0));
    }

    #[test]
    fn hours_print_without_trailing_zeros() {
        assert_eq!(hours_text(24_000), "24");
        assert_eq!(hours_text(7_500), "7.5");
        assert_eq!(hours_text(125), "0.125");
        assert_eq!(hours_text(0), "0");
    }

    #[test]
    fn csv_fields_are_quoted_per_rfc_4180_and_formulas_are_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("Loader, yard 2"), "\"Loader, yard 2\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv(&[vec!["a".into(), "b\nc".into()]]), "a,\"b\nc\"\r\n");
    }
}
