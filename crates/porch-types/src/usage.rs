//! Utilisation reports of equipment: report ranges of whole local days (in the portal's
//! time zone, `super::time_zone`), day or week buckets, operating hours per bucket from the
//! hours counter, and the CSV form of a report. Pure: rows in, numbers out.

use serde::Deserialize;

use super::time::{civil_from_days, days_from_civil, parse_date, Timestamp};
use super::time_zone::TimeZone;

const DAY_MS: i64 = 86_400_000;

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

/// The most offset changes a report's window (a year, a day and two weeks' widening) can
/// hold: summer time starts and ends once a year.
pub const MAX_CHANGES: usize = 4;

/// A report's buckets: `count` spans of whole local days from `first_day`. A bucket's
/// length in real time varies (a day with a summer-time change lasts 23 or 25 hours), but
/// on the local wall clock every day has 24 hours: an event's bucket is arithmetic on its
/// local time, `(at + offset at that instant - first local midnight) / length`, which the
/// SQL groups by, given the few offset changes inside the window (`offsets`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Buckets {
    pub first_day: i64,
    pub count: i64,
    pub span: Span,
    pub zone: TimeZone,
}

impl Buckets {
    /// The days `from ..= to` (local dates), widened to whole weeks (Monday first) by week.
    pub fn new(from: i64, to: i64, span: Span, zone: TimeZone) -> Result<Buckets, &'static str> {
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

    /// A bucket's length on the local wall clock.
    pub fn length_ms(&self) -> i64 {
        self.span.days() * DAY_MS
    }

    /// The first bucket's start on the local wall clock (ms since 1970 read locally).
    pub fn local_start_ms(&self) -> i64 {
        self.first_day * DAY_MS
    }

    /// The offsets (ms) in force across the report (`offsets`).
    pub fn offsets(&self) -> Offsets {
        offsets(self.zone, self.start(), self.end())
    }

    /// The first local day of bucket `index`.
    pub fn day_of(&self, index: i64) -> i64 {
        self.first_day + index * self.span.days()
    }
}

/// The offsets (ms) in force across a window: the one at its start, and each change in it,
/// latest first, as (instant, offset from it).
pub type Offsets = (i64, [(i64, i64); MAX_CHANGES]);

/// The offsets of `zone` in force in `start .. end` (a report's window, or the stretch of
/// days a rollup recomputes). Free slots hold the end instant, which no event of the window
/// reaches, so the SQL's CASE has a fixed shape.
pub fn offsets(zone: TimeZone, start: Timestamp, end: Timestamp) -> Offsets {
    let mut slots = [(end.millis(), 0); MAX_CHANGES];
    let changes = zone.changes(start, end);
    // A window spans at most 367 days and a rule changes twice a year (a unit test checks
    // every zone), so there are never more changes than slots; were there, the earliest
    // would be dropped, so fail loudly in tests rather than bucket silently wrong.
    debug_assert!(changes.len() <= MAX_CHANGES, "{} offset changes in a window", changes.len());
    for (slot, change) in slots.iter_mut().zip(changes.into_iter().rev()) {
        *slot = change;
    }
    (zone.offset_ms(start), slots)
}

/// What the database sums up per bucket (`store::equipment::viewer_asset_usage`, whose rows
/// carry them as JSON lists: `store::equipment::AssetUsage`): the highest and lowest hours
/// reading in it and the counts of starts, stops and alerts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct BucketRow {
    pub bucket: i64,
    pub hours_max: Option<i64>,
    pub hours_min: Option<i64>,
    pub starts: i64,
    pub stops: i64,
    pub alerts: i64,
}

/// Sums of the same buckets merged into one each (the highest of the highest readings, the
/// lowest of the lowest, the counts added), in bucket order: a report's SQL gives a bucket's
/// rollup days and its raw events apart (`store::equipment`'s `usage_sums!`).
pub fn merge_buckets(mut rows: Vec<BucketRow>) -> Vec<BucketRow> {
    rows.sort_by_key(|row| row.bucket);
    let mut merged: Vec<BucketRow> = Vec::with_capacity(rows.len());
    for row in rows {
        match merged.last_mut() {
            Some(last) if last.bucket == row.bucket => {
                last.hours_max = last.hours_max.max(row.hours_max);
                last.hours_min = match (last.hours_min, row.hours_min) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                last.starts += row.starts;
                last.stops += row.stops;
                last.alerts += row.alerts;
            }
            _ => merged.push(row),
        }
    }
    merged
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
fn push_csv_field(out: &mut String, text: &str) {
    // The guard is a plain character: it never changes whether the field needs quotes.
    let quoted = text.contains([',', '"', '\r', '\n']);
    if quoted {
        out.push('"');
    }
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        out.push('\'');
    }
    if quoted {
        for c in text.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// Rows of fields as CSV text: CRLF after each record (RFC 4180 §2.1). Written into one
/// string: a year's report by day is 366 records.
pub fn csv(rows: &[Vec<String>]) -> String {
    let mut out = String::with_capacity(rows.len() * 64);
    for row in rows {
        for (index, field) in row.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            push_csv_field(&mut out, field);
        }
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARCH_1: i64 = 1_772_323_200_000; // 2026-03-01T00:00:00Z, a Sunday

    fn day(text: &str) -> i64 {
        parse_day(text).unwrap()
    }

    #[test]
    fn a_local_day_starts_earlier_in_utc_east_of_greenwich() {
        let cet = TimeZone::fixed(60).unwrap();
        assert_eq!(cet.day_start(day("2026-03-01")).millis(), MARCH_1 - 3_600_000);
        assert_eq!(cet.local_day(Timestamp::from_millis(MARCH_1 - 1)), day("2026-03-01"));
        assert_eq!(TimeZone::UTC.local_day(Timestamp::from_millis(MARCH_1 - 1)), day("2026-02-28"));
        assert_eq!(cet.minute(Timestamp::from_millis(MARCH_1)), "2026-03-01 01:00 UTC+01:00");
        assert_eq!(date_text(day("2024-02-29")), "2024-02-29");
    }

    #[test]
    fn weeks_are_widened_to_monday_through_sunday() {
        // 2026-03-01 is a Sunday; its week began on Monday 2026-02-23.
        let b = Buckets::new(day("2026-03-01"), day("2026-03-03"), Span::Week, TimeZone::UTC).unwrap();
        assert_eq!((date_text(b.first_day), b.count), ("2026-02-23".to_owned(), 2));
        assert_eq!(b.end().millis() - b.start().millis(), 14 * DAY_MS);
        let d = Buckets::new(day("2026-03-01"), day("2026-03-30"), Span::Day, TimeZone::UTC).unwrap();
        assert_eq!(d.count, 30);
        assert!(Buckets::new(day("2026-03-02"), day("2026-03-01"), Span::Day, TimeZone::UTC).is_err());
        assert!(Buckets::new(day("2025-01-01"), day("2026-03-01"), Span::Day, TimeZone::UTC).is_err());
    }

    /// The bucket of an instant as `store::equipment::viewer_asset_usage`'s SQL computes it
    /// from `offsets`: the latest change at or before the instant decides its offset.
    fn bucket_of(b: &Buckets, at: i64) -> i64 {
        let (first, changes) = b.offsets();
        let offset = changes.iter().find(|(from, _)| at >= *from).map_or(first, |(_, offset)| *offset);
        (at + offset - b.local_start_ms()) / b.length_ms()
    }

    fn copenhagen() -> TimeZone {
        TimeZone::named("Europe/Copenhagen").unwrap()
    }

    #[test]
    fn day_buckets_follow_summer_time_with_days_of_23_and_25_hours() {
        let zone = copenhagen();
        let b = Buckets::new(day("2026-03-28"), day("2026-10-26"), Span::Day, zone).unwrap();
        let (first, changes) = b.offsets();
        assert_eq!(first, 3_600_000);
        assert_eq!(changes.iter().filter(|(at, _)| *at < b.end().millis()).count(), 2);
        // Hourly instants: how many land in each bucket.
        let mut per_bucket = vec![0_i64; usize::try_from(b.count).unwrap()];
        let mut at = b.start().millis();
        while at < b.end().millis() {
            per_bucket[usize::try_from(bucket_of(&b, at)).unwrap()] += 1;
            assert_eq!(b.day_of(bucket_of(&b, at)), zone.local_day(Timestamp::from_millis(at)));
            at += 3_600_000;
        }
        assert_eq!(&per_bucket[..3], [24, 23, 24], "2026-03-29 has 23 hours");
        let october_25 = usize::try_from(day("2026-10-25") - day("2026-03-28")).unwrap();
        assert_eq!(per_bucket[october_25], 25);
        assert_eq!(per_bucket.iter().sum::<i64>(), i64::from(u16::try_from(b.count).unwrap()) * 24);
    }

    #[test]
    fn a_week_with_a_change_holds_its_167_hours_and_a_fixed_offset_has_no_changes() {
        let b = Buckets::new(day("2026-03-23"), day("2026-04-05"), Span::Week, copenhagen()).unwrap();
        let hours = |index: i64| {
            let start = copenhagen().day_start(b.day_of(index)).millis();
            let end = copenhagen().day_start(b.day_of(index + 1)).millis();
            (start..end).step_by(3_600_000).filter(|at| bucket_of(&b, *at) == index).count()
        };
        assert_eq!((hours(0), hours(1)), (167, 168));
        let fixed =
            Buckets::new(day("2026-03-23"), day("2026-04-05"), Span::Week, TimeZone::fixed(60).unwrap()).unwrap();
        assert_eq!(fixed.offsets(), (3_600_000, [(fixed.end().millis(), 0); MAX_CHANGES]));
    }

    fn row(bucket: i64, min: i64, max: i64) -> BucketRow {
        BucketRow { bucket, hours_min: Some(min), hours_max: Some(max), ..BucketRow::default() }
    }

    #[test]
    fn hours_are_the_rise_since_the_previous_buckets_last_reading() {
        let b = Buckets::new(0, 3, Span::Day, TimeZone::UTC).unwrap();
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
        let b = Buckets::new(0, 1, Span::Day, TimeZone::UTC).unwrap();
        let hours: Vec<i64> =
            usage(&b, &[row(0, 5000, 9000), row(1, 10, 20)], None).iter().map(|u| u.hours_milli).collect();
        assert_eq!(hours, [4000, 0]);
    }

    #[test]
    fn counts_land_in_their_bucket_and_empty_buckets_are_kept() {
        let b = Buckets::new(0, 2, Span::Day, TimeZone::UTC).unwrap();
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
    fn sums_of_one_bucket_merge_into_one_and_come_out_in_bucket_order() {
        let row = |bucket, hours: Option<(i64, i64)>, starts| BucketRow {
            bucket,
            hours_max: hours.map(|h| h.1),
            hours_min: hours.map(|h| h.0),
            starts,
            stops: 1,
            alerts: 0,
        };
        let merged = merge_buckets(vec![
            row(1, Some((5, 9)), 1),
            row(0, None, 2),
            row(1, None, 1),
            row(1, Some((3, 7)), 0),
            row(0, Some((1, 2)), 0),
        ]);
        let (zero, one) = (row(0, Some((1, 2)), 2), row(1, Some((3, 9)), 2));
        assert_eq!(merged, vec![BucketRow { stops: 2, ..zero }, BucketRow { stops: 3, ..one }], "counts added");
        assert!(merge_buckets(Vec::new()).is_empty());
    }

    #[test]
    fn csv_fields_are_quoted_per_rfc_4180_and_formulas_are_defused() {
        let csv_field = |text: &str| {
            let mut out = String::new();
            push_csv_field(&mut out, text);
            out
        };
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("Loader, yard 2"), "\"Loader, yard 2\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_field("=HYPERLINK(\"x\",1)"), "\"'=HYPERLINK(\"\"x\"\",1)\"", "defused, then quoted");
        assert_eq!(csv(&[vec!["a".into(), "b\nc".into()]]), "a,\"b\nc\"\r\n");
    }
}
