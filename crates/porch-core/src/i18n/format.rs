//! Dates, times, numbers, file sizes and relative times as a reader of English, Danish or
//! Norwegian Bokmål expects them, in the portal's time zone. The forms follow CLDR's
//! (Unicode CLDR 45, `en-GB`, `da`, `nb`) without its data: three languages need a few
//! dozen words, not a locale library.
//!
//! | form | en | da | nb |
//! |---|---|---|---|
//! | date (CLDR medium) | `7 Dec 2026` | `7. dec. 2026` | `7. des. 2026` |
//! | time (24 h) | `02:45` | `02.45` | `02:45` |
//! | date and time | `7 Dec 2026, 02:45` | `7. dec. 2026 kl. 02.45` | `7. des. 2026 kl. 02:45` |
//! | day of a chart | `7 Dec` | `7. dec.` | `7. des.` |
//! | ISO week | `week 49` | `uge 49` | `uke 49` |
//! | number | `1,234.5` | `1.234,5` | `1 234,5` (no-break space) |
//! | file size | `1.5 MB` | `1,5 MB` | `1,5 MB` |
//! | relative | `3 hours ago`, `in 2 days` | `for 3 timer siden`, `om 2 dage` | `for 3 timer siden`, `om 2 dager` |
//!
//! English is British English (day before month, a 24-hour clock): porch's providers and
//! their customers are European. Danish and Norwegian date-times join date and time with
//! "kl." (CLDR's long form) because the medium form's bare juxtaposition reads as two
//! numbers. Norwegian counts days as "dager", as people write, where CLDR says "døgn". The
//! minus sign is ASCII in every language (CLDR's nb U+2212 would not survive a copy into a
//! spreadsheet). Time is a parameter: relative times take `now` from the caller.

use porch_types::time::{civil_from_days, days_from_civil, Timestamp};
use porch_types::time_zone::TimeZone;

use super::Language;

const DAY_MS: i64 = 86_400_000;
/// A no-break space: between a number and its unit, and nb's thousands separator, so
/// neither is broken over two lines.
const NBSP: char = '\u{a0}';

/// A language's words and separators for numbers, dates and durations.
struct Words {
    /// CLDR's abbreviated month names (format context), January first.
    months: [&'static str; 12],
    /// The day of the month before the month (`7. dec.`) and its suffix.
    day_suffix: &'static str,
    /// Between the date and the time of a date-time.
    at: &'static str,
    time_separator: char,
    decimal: char,
    group: char,
    week: &'static str,
    just_now: &'static str,
    /// `{n} {unit} ago` and `in {n} {unit}`, as prefix and suffix around number and unit.
    past: (&'static str, &'static str),
    future: (&'static str, &'static str),
    /// (one, other) of each unit.
    minutes: (&'static str, &'static str),
    hours: (&'static str, &'static str),
    days: (&'static str, &'static str),
}

static EN: Words = Words {
    months: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    day_suffix: "",
    at: ", ",
    time_separator: ':',
    decimal: '.',
    group: ',',
    week: "week",
    just_now: "just now",
    past: ("", " ago"),
    future: ("in ", ""),
    minutes: ("minute", "minutes"),
    hours: ("hour", "hours"),
    days: ("day", "days"),
};

static DA: Words = Words {
    months: ["jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."],
    day_suffix: ".",
    at: " kl. ",
    time_separator: '.',
    decimal: ',',
    group: '.',
    week: "uge",
    just_now: "lige nu",
    past: ("for ", " siden"),
    future: ("om ", ""),
    minutes: ("minut", "minutter"),
    hours: ("time", "timer"),
    days: ("dag", "dage"),
};

static NB: Words = Words {
    months: ["jan.", "feb.", "mar.", "apr.", "mai", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "des."],
    day_suffix: ".",
    at: " kl. ",
    time_separator: ':',
    decimal: ',',
    group: NBSP,
    week: "uke",
    just_now: "akkurat nå",
    past: ("for ", " siden"),
    future: ("om ", ""),
    minutes: ("minutt", "minutter"),
    hours: ("time", "timer"),
    days: ("dag", "dager"),
};

fn words(lang: Language) -> &'static Words {
    match lang {
        Language::En => &EN,
        Language::Da => &DA,
        Language::Nb => &NB,
    }
}

/// The ISO 8601 week of a day (days since 1970-01-01): its week-numbering year and week.
/// A week belongs to the year of its Thursday.
pub fn iso_week(day: i64) -> (i64, i64) {
    // 1970-01-01 was a Thursday: Monday is 0.
    let weekday = (day + 3).rem_euclid(7);
    let thursday = day - weekday + 3;
    let year = civil_from_days(thursday).0;
    (year, (thursday - days_from_civil(year, 1, 1)) / 7 + 1)
}

/// What `write` writes, as a new string.
fn written(write: impl FnOnce(&mut String)) -> String {
    let mut out = String::with_capacity(24);
    write(&mut out);
    out
}

/// `n` in decimal digits, with `group` between each three when given, onto `out`. Written
/// digit by digit, without `format!`: a report's table and chart print a thousand numbers.
fn push_digits(out: &mut String, n: u64, group: Option<char>) {
    let mut digits = [0_u8; 20];
    let mut len = 0;
    let mut rest = n;
    loop {
        // `rest % 10` is a single digit: the cast cannot truncate.
        #[allow(clippy::cast_possible_truncation)]
        let digit = (rest % 10) as u8;
        if let Some(slot) = digits.get_mut(len) {
            *slot = b'0' + digit;
        }
        len += 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for (i, digit) in digits.iter().take(len).rev().enumerate() {
        if let Some(group) = group.filter(|_| i > 0 && (len - i).is_multiple_of(3)) {
            out.push(group);
        }
        out.push(char::from(*digit));
    }
}

/// `push_digits` of a signed number.
fn push_signed(out: &mut String, n: i64, group: Option<char>) {
    if n < 0 {
        out.push('-');
    }
    push_digits(out, n.unsigned_abs(), group);
}

/// How one reader sees dates and numbers: their language and the portal's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Formats {
    pub lang: Language,
    pub zone: TimeZone,
}

impl Formats {
    pub fn new(lang: Language, zone: TimeZone) -> Formats {
        Formats { lang, zone }
    }

    fn words(self) -> &'static Words {
        words(self.lang)
    }

    /// A local day (days since 1970-01-01 on the local calendar): `7. dec. 2026`.
    pub fn day(self, day: i64) -> String {
        written(|out| self.push_day(out, day))
    }

    /// `day`, written onto `out`: a year's report names 365 days twice.
    pub fn push_day(self, out: &mut String, day: i64) {
        let year = civil_from_days(day).0;
        self.push_day_month(out, day);
        out.push(' ');
        push_signed(out, year, None);
    }

    /// A local day without its year, as a chart's axis labels it: `7. dec.`.
    pub fn day_month(self, day: i64) -> String {
        written(|out| self.push_day_month(out, day))
    }

    fn push_day_month(self, out: &mut String, day: i64) {
        let w = self.words();
        let (_, month, day) = civil_from_days(day);
        let name = usize::try_from(month - 1).ok().and_then(|m| w.months.get(m)).copied().unwrap_or_default();
        push_signed(out, day, None);
        out.push_str(w.day_suffix);
        out.push(' ');
        out.push_str(name);
    }

    /// The local date of an instant: `7. dec. 2026`.
    pub fn date(self, at: Timestamp) -> String {
        self.day(self.zone.local_day(at))
    }

    /// The local time of an instant, to the minute: `02.45`.
    pub fn time(self, at: Timestamp) -> String {
        let minutes = (at.millis() + self.zone.offset_ms(at)).rem_euclid(DAY_MS) / 60_000;
        format!("{:02}{}{:02}", minutes / 60, self.words().time_separator, minutes % 60)
    }

    /// The local date and time of an instant: `7. dec. 2026 kl. 02.45`.
    pub fn date_time(self, at: Timestamp) -> String {
        format!("{}{}{}", self.date(at), self.words().at, self.time(at))
    }

    /// An ISO week by a day in it: `uge 49`.
    pub fn week(self, day: i64) -> String {
        format!("{} {}", self.words().week, iso_week(day).1)
    }

    /// An ISO week with its week-numbering year, for a bar's title: `uge 49, 2026`.
    pub fn push_week_of_year(self, out: &mut String, day: i64) {
        let (year, week) = iso_week(day);
        out.push_str(self.words().week);
        out.push(' ');
        push_signed(out, week, None);
        out.push_str(", ");
        push_signed(out, year, None);
    }

    /// An integer with thousands separators: `1.234.567`.
    pub fn integer(self, n: i64) -> String {
        written(|out| self.push_integer(out, n))
    }

    /// `integer`, written onto `out`.
    pub fn push_integer(self, out: &mut String, n: i64) {
        push_signed(out, n, Some(self.words().group));
    }

    /// A number given in thousandths, with up to `places` decimals (at most 3), trailing
    /// zeros dropped: `decimal(1_234_500, 3)` is `1.234,5`. Rounds half away from zero.
    pub fn decimal(self, milli: i64, places: u32) -> String {
        written(|out| self.push_decimal(out, milli, places))
    }

    /// `decimal`, written onto `out`.
    pub fn push_decimal(self, out: &mut String, milli: i64, places: u32) {
        let places = places.min(3);
        let step = 10_i64.pow(3 - places);
        let rounded = (milli.abs() + step / 2) / step * step;
        if milli < 0 && rounded > 0 {
            out.push('-');
        }
        push_digits(out, rounded.unsigned_abs() / 1000, Some(self.words().group));
        // The thousandths' digits: as many as `places` asks, trailing zeros dropped.
        let fraction = rounded % 1000;
        let digits = [fraction / 100, fraction / 10 % 10, fraction % 10];
        let shown = digits.iter().take(places as usize).rposition(|d| *d != 0).map_or(0, |last| last + 1);
        if shown > 0 {
            out.push(self.words().decimal);
            for digit in digits.iter().take(shown) {
                // Each is a single digit: the casts cannot truncate.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                out.push(char::from(b'0' + *digit as u8));
            }
        }
    }

    /// A file's size: bytes below a KiB, whole kB below a MiB, MB and GB with one decimal.
    /// Powers of 1024 named kB and MB, as the upload limits are ("10 MB" is 10 MiB), so a
    /// file at the limit shows the limit's number.
    pub fn size(self, bytes: i64) -> String {
        const KIB: i64 = 1024;
        let (number, unit) = if bytes < KIB {
            (self.integer(bytes), "B")
        } else if bytes < KIB * KIB {
            (self.integer((bytes + KIB / 2) / KIB), "kB")
        } else if bytes < KIB * KIB * KIB {
            (self.decimal(bytes.saturating_mul(1000) / (KIB * KIB), 1), "MB")
        } else {
            (self.decimal(bytes / KIB * 1000 / (KIB * KIB), 1), "GB")
        };
        format!("{number}{NBSP}{unit}")
    }

    /// How long ago (or how far ahead) `at` is from `now`, in the largest whole unit: under
    /// a minute is "just now", then minutes, hours, and days up to a week; further away the
    /// date itself says more than "23 days ago".
    pub fn relative(self, at: Timestamp, now: Timestamp) -> String {
        let w = self.words();
        let ms = now.millis() - at.millis();
        let minutes = ms.abs() / 60_000;
        let (count, (one, other)) = match minutes {
            0 => return w.just_now.to_owned(),
            1..=59 => (minutes, w.minutes),
            60..=1439 => (minutes / 60, w.hours),
            1440..=10_079 => (minutes / 1440, w.days),
            _ => return self.date(at),
        };
        let unit = if count == 1 { one } else { other };
        let (before, after) = if ms >= 0 { w.past } else { w.future };
        format!("{before}{count} {unit}{after}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use porch_types::usage::parse_day;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse_rfc3339(text).unwrap()
    }

    fn formats(lang: Language, zone: &str) -> Formats {
        Formats::new(lang, TimeZone::named(zone).unwrap())
    }

    #[test]
    fn a_date_and_time_read_as_each_language_writes_them() {
        let instant = at("2026-12-07T01:45:00Z");
        let copenhagen = formats(Language::Da, "Europe/Copenhagen");
        assert_eq!(copenhagen.date_time(instant), "7. dec. 2026 kl. 02.45");
        assert_eq!(formats(Language::Nb, "Europe/Oslo").date_time(instant), "7. des. 2026 kl. 02:45");
        assert_eq!(formats(Language::En, "Europe/Copenhagen").date_time(instant), "7 Dec 2026, 02:45");
        assert_eq!(Formats::new(Language::En, TimeZone::UTC).date_time(instant), "7 Dec 2026, 01:45");
        assert_eq!(copenhagen.date(instant), "7. dec. 2026");
        assert_eq!(copenhagen.time(instant), "02.45");
        assert_eq!(formats(Language::Da, "Europe/Copenhagen").day_month(parse_day("2026-05-01").unwrap()), "1. maj");
        assert_eq!(formats(Language::Nb, "Europe/Oslo").day(parse_day("2026-05-17").unwrap()), "17. mai 2026");
        assert_eq!(formats(Language::En, "Europe/Oslo").day_month(parse_day("2026-09-30").unwrap()), "30 Sep");
    }

    #[test]
    fn summer_time_starts_on_the_last_sunday_of_march_in_copenhagen_and_oslo() {
        // 2026-03-29 02:00 standard time is 03:00 summer time: 01:00Z is the jump.
        for (lang, zone, before, after) in [
            (Language::Da, "Europe/Copenhagen", "29. mar. 2026 kl. 01.59", "29. mar. 2026 kl. 03.00"),
            (Language::Nb, "Europe/Oslo", "29. mar. 2026 kl. 01:59", "29. mar. 2026 kl. 03:00"),
            (Language::En, "Europe/Copenhagen", "29 Mar 2026, 01:59", "29 Mar 2026, 03:00"),
        ] {
            let f = formats(lang, zone);
            assert_eq!(f.date_time(at("2026-03-29T00:59:00Z")), before);
            assert_eq!(f.date_time(at("2026-03-29T01:00:00Z")), after);
        }
    }

    #[test]
    fn summer_time_ends_on_the_last_sunday_of_october_and_02_30_happens_twice() {
        for (lang, zone, time) in [
            (Language::Da, "Europe/Copenhagen", "25. okt. 2026 kl. 02.30"),
            (Language::Nb, "Europe/Oslo", "25. okt. 2026 kl. 02:30"),
        ] {
            let f = formats(lang, zone);
            assert_eq!(f.date_time(at("2026-10-25T00:30:00Z")), time, "summer time, +02:00");
            assert_eq!(f.date_time(at("2026-10-25T01:30:00Z")), time, "standard time, +01:00");
        }
        // Late on a summer evening UTC is already the next local day.
        let da = formats(Language::Da, "Europe/Copenhagen");
        assert_eq!(da.date(at("2026-07-31T22:30:00Z")), "1. aug. 2026");
        assert_eq!(da.date(at("2026-12-31T22:30:00Z")), "31. dec. 2026");
        assert_eq!(da.date(at("2026-12-31T23:30:00Z")), "1. jan. 2027");
    }

    #[test]
    fn no_word_or_separator_holds_a_markup_character_so_pages_may_write_them_unescaped() {
        for lang in [Language::En, Language::Da, Language::Nb] {
            let w = words(lang);
            let mut texts: Vec<String> = w.months.iter().map(|m| (*m).to_owned()).collect();
            texts.extend([w.day_suffix, w.at, w.week, w.just_now].map(str::to_owned));
            texts.extend([w.past.0, w.past.1, w.future.0, w.future.1].map(str::to_owned));
            texts.extend([w.time_separator, w.decimal, w.group].map(String::from));
            for text in texts {
                assert!(!text.contains(['<', '>', '&', '"', '\'']), "{lang:?}: {text}");
            }
        }
    }

    #[test]
    fn numbers_group_thousands_and_mark_decimals_in_each_language() {
        let (en, da, nb) = (
            Formats::new(Language::En, TimeZone::UTC),
            Formats::new(Language::Da, TimeZone::UTC),
            Formats::new(Language::Nb, TimeZone::UTC),
        );
        assert_eq!(en.integer(1_234_567), "1,234,567");
        assert_eq!(da.integer(1_234_567), "1.234.567");
        assert_eq!(nb.integer(1_234_567), "1\u{a0}234\u{a0}567");
        assert_eq!(da.integer(999), "999");
        assert_eq!(da.integer(-1000), "-1.000");
        assert_eq!(en.integer(0), "0");
        assert_eq!(en.decimal(1_234_500, 3), "1,234.5");
        assert_eq!(da.decimal(1_234_500, 3), "1.234,5");
        assert_eq!(nb.decimal(1_234_500, 3), "1\u{a0}234,5");
        assert_eq!(da.decimal(125, 3), "0,125");
        assert_eq!(da.decimal(125, 2), "0,13", "half away from zero");
        assert_eq!(da.decimal(7_000, 3), "7");
        assert_eq!(en.decimal(-500, 1), "-0.5");
        assert_eq!(en.decimal(-1_500, 1), "-1.5");
        assert_eq!(en.decimal(-40, 1), "0");
        assert_eq!(en.decimal(1_050, 3), "1.05", "a zero between digits stays");
        assert_eq!(en.decimal(1_004, 2), "1", "zeros left by rounding go");
        assert_eq!(en.decimal(999_999_999, 3), "999,999.999");
        assert_eq!(en.integer(i64::MIN), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn sizes_use_the_languages_decimal_mark_and_powers_of_1024() {
        let (en, da, nb) = (
            Formats::new(Language::En, TimeZone::UTC),
            Formats::new(Language::Da, TimeZone::UTC),
            Formats::new(Language::Nb, TimeZone::UTC),
        );
        assert_eq!(en.size(512), "512\u{a0}B");
        assert_eq!(en.size(1024), "1\u{a0}kB");
        assert_eq!(da.size(350_000), "342\u{a0}kB");
        assert_eq!(da.size(1_572_864), "1,5\u{a0}MB");
        assert_eq!(nb.size(1_572_864), "1,5\u{a0}MB");
        assert_eq!(en.size(1_572_864), "1.5\u{a0}MB");
        assert_eq!(en.size(10 * 1024 * 1024), "10\u{a0}MB", "the upload limit reads as its number");
        assert_eq!(da.size(3 * 1024 * 1024 * 1024), "3\u{a0}GB");
    }

    #[test]
    fn relative_times_count_the_largest_whole_unit_in_each_language() {
        let now = at("2026-12-07T12:00:00Z");
        let ago = |lang, seconds: i64| {
            Formats::new(lang, TimeZone::named("Europe/Copenhagen").unwrap())
                .relative(Timestamp::from_millis(now.millis() - seconds * 1000), now)
        };
        assert_eq!(ago(Language::En, 3 * 3600), "3 hours ago");
        assert_eq!(ago(Language::Da, 3 * 3600), "for 3 timer siden");
        assert_eq!(ago(Language::Nb, 3 * 3600), "for 3 timer siden");
        assert_eq!(ago(Language::En, 3600), "1 hour ago");
        assert_eq!(ago(Language::Da, 3600 + 59 * 60), "for 1 time siden");
        assert_eq!(ago(Language::Nb, 60), "for 1 minutt siden");
        assert_eq!(ago(Language::Da, 5 * 60), "for 5 minutter siden");
        assert_eq!(ago(Language::En, 59), "just now");
        assert_eq!(ago(Language::Nb, 0), "akkurat nå");
        assert_eq!(ago(Language::Da, 2 * 86_400), "for 2 dage siden");
        assert_eq!(ago(Language::Nb, 86_400), "for 1 dag siden");
        assert_eq!(ago(Language::En, -2 * 86_400), "in 2 days");
        assert_eq!(ago(Language::Da, -3 * 3600), "om 3 timer");
        assert_eq!(ago(Language::Nb, -2 * 86_400), "om 2 dager");
        assert_eq!(ago(Language::Da, 7 * 86_400), "30. nov. 2026", "a week or more away is a date");
    }

    #[test]
    fn iso_weeks_belong_to_the_year_of_their_thursday() {
        let week = |text| iso_week(parse_day(text).unwrap());
        assert_eq!(week("2026-12-07"), (2026, 50));
        assert_eq!(week("2026-12-06"), (2026, 49));
        assert_eq!(week("2026-01-01"), (2026, 1), "a Thursday");
        assert_eq!(week("2027-01-01"), (2026, 53), "a Friday: 2026 has 53 weeks");
        assert_eq!(week("2024-12-30"), (2025, 1), "a Monday of next year's first week");
        let day = parse_day("2026-12-07").unwrap();
        assert_eq!(Formats::new(Language::Da, TimeZone::UTC).week(day), "uge 50");
        assert_eq!(Formats::new(Language::Nb, TimeZone::UTC).week(day), "uke 50");
        let mut week_of_year = String::new();
        Formats::new(Language::En, TimeZone::UTC).push_week_of_year(&mut week_of_year, day);
        assert_eq!(week_of_year, "week 50, 2026");
    }
}
