//! A portal's time zone: a fixed offset from UTC, or a named (IANA) zone with its summer
//! time from a compact built-in table of current rules. Local days and minutes of instants,
//! the instant a local day starts, and the offset changes inside a window (for reports).
//!
//! Why a table and not the tz database: chrono-tz would cost more wasm than all of
//! equipment. Each zone keeps only its rule of today, in the POSIX TZ form the tz database
//! itself ends every zone file with (`CET-1CEST,M3.5.0,M10.5.0/3`), so past rule changes are
//! not followed: a report of years ago in a zone that changed its rules since shows today's
//! offsets. Equipment reports look at recent months, where today's rules hold. Checked
//! hour by hour over 2026–2027 against the tz database: all zones agree but
//! Africa/Casablanca, whose yearly switch to +00 for Ramadan is a list of dates, not a rule.

use serde::{Deserialize, Serialize};

use super::time::{civil_from_days, days_from_civil, Timestamp};

const DAY_MS: i64 = 86_400_000;

/// The time zone of a portal: `name` None is a fixed offset (its rule has no summer time).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(into = "ZoneSetting")]
pub struct TimeZone {
    name: Option<&'static str>,
    rule: Rule,
}

/// A time zone as the API and the stores write it: minutes east of UTC, or an IANA name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ZoneSetting {
    Minutes(i64),
    Name(String),
}

impl TryFrom<ZoneSetting> for TimeZone {
    type Error = String;

    fn try_from(setting: ZoneSetting) -> Result<TimeZone, String> {
        match setting {
            ZoneSetting::Minutes(minutes) => TimeZone::fixed(minutes).map_err(str::to_owned),
            ZoneSetting::Name(name) => TimeZone::named(&name).ok_or_else(|| {
                format!("{name} is not a time zone this service knows: an IANA name such as Europe/Copenhagen, or minutes east of UTC")
            }),
        }
    }
}

// By hand: derived, the `&'static str` would ask the deserializer's input to live forever.
// Stored portals read as `name@minutes` (the name and the zone's standard offset, see
// `TimeZone::stored`); the cached portal context and the API write a bare name or minutes.
impl<'de> Deserialize<'de> for TimeZone {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<TimeZone, D::Error> {
        match ZoneSetting::deserialize(deserializer)? {
            ZoneSetting::Name(stored) if stored.contains('@') => {
                TimeZone::stored(&stored).ok_or_else(|| serde::de::Error::custom(format!("bad stored zone {stored}")))
            }
            setting => TimeZone::try_from(setting).map_err(serde::de::Error::custom),
        }
    }
}

impl From<TimeZone> for ZoneSetting {
    fn from(zone: TimeZone) -> ZoneSetting {
        match zone.name {
            Some(name) => ZoneSetting::Name(name.to_owned()),
            None => ZoneSetting::Minutes(zone.standard_minutes()),
        }
    }
}

impl Default for TimeZone {
    fn default() -> TimeZone {
        TimeZone::UTC
    }
}

impl TimeZone {
    pub const UTC: TimeZone = TimeZone { name: None, rule: Rule { standard: 0, summer: None } };

    /// A fixed offset, UTC−12:00 to UTC+14:00 (the offsets in use on Earth), in minutes east.
    pub fn fixed(minutes: i64) -> Result<TimeZone, &'static str> {
        if (-720..=840).contains(&minutes) {
            Ok(TimeZone { name: None, rule: Rule { standard: minutes * 60, summer: None } })
        } else {
            Err("must be minutes east of UTC between -720 and 840, or an IANA time zone name")
        }
    }

    /// A zone of the built-in table by its IANA name (`Europe/Copenhagen`), exact case.
    pub fn named(name: &str) -> Option<TimeZone> {
        let index = ZONES.binary_search_by(|(known, _)| known.cmp(&name)).ok()?;
        let (name, rule) = ZONES.get(index)?;
        let rule = Rule::parse(RULES.get(usize::from(*rule))?)?;
        Some(TimeZone { name: Some(name), rule })
    }

    /// A portal's stored zone, `name@minutes` (`Europe/Copenhagen@60`): the named zone, or
    /// its standard offset if the name has left the built-in table (a newer tz database may
    /// rename a zone). A stored name the table lacks must not take its portal down: its
    /// pages keep the standard offset until the provider picks a zone again.
    pub fn stored(text: &str) -> Option<TimeZone> {
        let (name, minutes) = text.rsplit_once('@')?;
        TimeZone::named(name).or_else(|| TimeZone::fixed(minutes.parse().ok()?).ok())
    }

    /// The IANA name; None for a fixed offset.
    pub fn name(self) -> Option<&'static str> {
        self.name
    }

    /// The rule's standard offset, in minutes east (a fixed offset's only one). Usually the
    /// winter offset; Europe/Dublin's rule names its summer offset standard and its winter
    /// one a negative "summer" time, so there it is +01:00. Portals keep it beside the name as
    /// the fallback of a name the table may lose (`stored`).
    pub fn standard_minutes(self) -> i64 {
        self.rule.standard / 60
    }

    /// The offset from UTC in force at an instant, in milliseconds.
    pub fn offset_ms(self, at: Timestamp) -> i64 {
        self.rule.offset_at(at.millis()) * 1000
    }

    /// The name, or `UTC`, `UTC+01:00`, `UTC-03:30` for a fixed offset.
    pub fn label(self) -> String {
        match self.name {
            Some(name) => name.to_owned(),
            None => offset_label(self.rule.standard),
        }
    }

    /// The local day (days since 1970-01-01 on the local calendar) an instant falls in.
    pub fn local_day(self, at: Timestamp) -> i64 {
        (at.millis() + self.offset_ms(at)).div_euclid(DAY_MS)
    }

    /// The instant a local day starts: the first instant whose local time is its midnight
    /// or later. Where summer time begins at midnight (the clock jumps from 23:59:59 to
    /// 01:00), midnight never happens and the day starts at the jump; where it ends at
    /// midnight and midnight happens twice, the first one.
    pub fn day_start(self, day: i64) -> Timestamp {
        let local = day.saturating_mul(DAY_MS);
        let Some(summer) = self.rule.summer else {
            return Timestamp::from_millis(local - self.rule.standard * 1000);
        };
        let (low, high) = (self.rule.standard.min(summer.offset) * 1000, self.rule.standard.max(summer.offset) * 1000);
        // The earlier candidate first: midnight read with the larger offset.
        for offset in [high, low] {
            let at = local - offset;
            if self.offset_ms(Timestamp::from_millis(at)) == offset {
                return Timestamp::from_millis(at);
            }
        }
        // In a gap: the change that skips midnight lies between the two candidates.
        let jump = self.rule.changes(local - high, local - low + 1).first().map_or(local - low, |change| change.0);
        Timestamp::from_millis(jump)
    }

    /// Local date and time to the minute, with the offset then in force:
    /// `2026-03-29 03:00 UTC+02:00`.
    pub fn minute(self, at: Timestamp) -> String {
        let offset = self.offset_ms(at);
        let local = at.millis() + offset;
        let in_day = local.rem_euclid(DAY_MS) / 60_000;
        let (year, month, day) = civil_from_days(local.div_euclid(DAY_MS));
        format!("{year:04}-{month:02}-{day:02} {:02}:{:02} {}", in_day / 60, in_day % 60, offset_label(offset / 1000))
    }

    /// The offset changes in `from .. to` (instants in ms), in order: (instant, new offset
    /// in ms). A fixed offset has none.
    pub fn changes(self, from: Timestamp, to: Timestamp) -> Vec<(i64, i64)> {
        self.rule.changes(from.millis(), to.millis())
    }
}

/// `UTC`, `UTC+05:45`, `UTC-03:30` of an offset in seconds east.
fn offset_label(seconds: i64) -> String {
    if seconds == 0 {
        return "UTC".into();
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A zone's current rule: its standard offset and, if it has one, its summer time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rule {
    /// Seconds east of UTC.
    standard: i64,
    summer: Option<Summer>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Summer {
    /// Seconds east of UTC while summer time is in force.
    offset: i64,
    /// When it starts, in local standard time, and ends, in local summer time.
    start: Moment,
    end: Moment,
}

/// POSIX `Mm.w.d/time`: day `d` (0 Sunday) of week `w` (5: the last) of month `m`, at
/// `time` local seconds after that day's midnight (may be negative or past 24 h).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Moment {
    month: i64,
    week: i64,
    weekday: i64,
    time: i64,
}

impl Rule {
    /// A POSIX TZ string (IEEE 1003.1 §8.3 with the tz database's extensions: `<+0545>`
    /// quoted names, rule times outside 0–24 h), `Mm.w.d` rules only (all the table uses).
    fn parse(text: &str) -> Option<Rule> {
        let rest = skip_name(text)?;
        let (standard, rest) = posix_offset(rest)?;
        if rest.is_empty() {
            return Some(Rule { standard, summer: None });
        }
        let rest = skip_name(rest)?;
        let (offset, rest) = match rest.strip_prefix(',') {
            Some(_) => (standard + 3600, rest),
            None => posix_offset(rest)?,
        };
        let mut rules = rest.strip_prefix(',')?.split(',');
        let start = Moment::parse(rules.next()?)?;
        let end = Moment::parse(rules.next()?)?;
        if rules.next().is_some() || offset == standard {
            return None;
        }
        Some(Rule { standard, summer: Some(Summer { offset, start, end }) })
    }

    /// The offset in seconds at an instant in ms.
    fn offset_at(self, at: i64) -> i64 {
        let Some(summer) = self.summer else { return self.standard };
        let (year, _, _) = civil_from_days((at + self.standard * 1000).div_euclid(DAY_MS));
        let start = summer.start.instant(year, self.standard);
        let end = summer.end.instant(year, summer.offset);
        let inside = if start < end { start <= at && at < end } else { start <= at || at < end };
        if inside {
            summer.offset
        } else {
            self.standard
        }
    }

    /// The changes strictly inside `from .. to` (ms), in order, with the new offset in ms.
    /// Built in order rather than sorted: a year's two changes, earlier first, year by year
    /// (no rule of the table strays into another year; the tests check the order).
    fn changes(self, from: i64, to: i64) -> Vec<(i64, i64)> {
        let Some(summer) = self.summer else { return Vec::new() };
        let year = |at: i64| civil_from_days(at.div_euclid(DAY_MS)).0;
        let mut out = Vec::new();
        for y in year(from) - 1..=year(to) + 1 {
            let start = (summer.start.instant(y, self.standard), summer.offset * 1000);
            let end = (summer.end.instant(y, summer.offset), self.standard * 1000);
            let pair = if start.0 <= end.0 { [start, end] } else { [end, start] };
            out.extend(pair.into_iter().filter(|(at, _)| from < *at && *at < to));
        }
        out
    }
}

impl Moment {
    fn parse(text: &str) -> Option<Moment> {
        let (date, time) = match text.split_once('/') {
            Some((date, time)) => (date, hms(time, 167)?),
            None => (text, 7200),
        };
        let mut parts = date.strip_prefix('M')?.split('.');
        let mut number =
            |range: std::ops::RangeInclusive<i64>| parts.next()?.parse::<i64>().ok().filter(|n| range.contains(n));
        let moment = Moment { month: number(1..=12)?, week: number(1..=5)?, weekday: number(0..=6)?, time };
        parts.next().is_none().then_some(moment)
    }

    /// The instant (ms) of this moment in `year`, read with `offset` seconds east.
    fn instant(self, year: i64, offset: i64) -> i64 {
        let first = days_from_civil(year, self.month, 1);
        let length = days_from_civil(year + self.month / 12, self.month % 12 + 1, 1) - first;
        // 1970-01-01 was a Thursday (weekday 4).
        let first_match = first + (self.weekday - (first + 4)).rem_euclid(7);
        let mut day = first_match + (self.week - 1) * 7;
        while day >= first + length {
            day -= 7;
        }
        day * DAY_MS + (self.time - offset) * 1000
    }
}

/// Skips a zone abbreviation: three or more letters, or `<...>` quoted.
fn skip_name(text: &str) -> Option<&str> {
    if let Some(quoted) = text.strip_prefix('<') {
        return quoted.split_once('>').map(|(_, rest)| rest);
    }
    let letters = text.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(text.len());
    (letters >= 3).then(|| text.get(letters..)).flatten()
}

/// A POSIX offset (`-1`, `3:30`: hours WEST of UTC) as seconds east, and the rest.
fn posix_offset(text: &str) -> Option<(i64, &str)> {
    let end = text.find(|c: char| !(c.is_ascii_digit() || matches!(c, '+' | '-' | ':'))).unwrap_or(text.len());
    let (number, rest) = text.split_at(end);
    Some((-hms(number, 24)?, rest))
}

/// `[+-]hh[:mm[:ss]]` as seconds, hours at most `max_hours`.
fn hms(text: &str, max_hours: i64) -> Option<i64> {
    let (sign, text) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let number = |part: &str, max: i64| {
        let digits = !part.is_empty() && part.len() <= 3 && part.bytes().all(|b| b.is_ascii_digit());
        digits.then(|| part.parse::<i64>().ok()).flatten().filter(|n| *n <= max)
    };
    let mut parts = text.split(':');
    let hours = number(parts.next()?, max_hours)?;
    let minutes = parts.next().map_or(Some(0), |part| number(part, 59))?;
    let seconds = parts.next().map_or(Some(0), |part| number(part, 59))?;
    parts.next().is_none().then_some(sign * (hours * 3600 + minutes * 60 + seconds))
}

// The table: generated from the tz database 2025b (each zone file's closing POSIX TZ
// rule) by `scripts/time-zones`; regenerate when a country changes its rules.
#[rustfmt::skip]
const RULES: [&str; 76] = [
    "<+01>-1",
    "<+0330>-3:30",
    "<+03>-3",
    "<+0430>-4:30",
    "<+04>-4",
    "<+0530>-5:30",
    "<+0545>-5:45",
    "<+05>-5",
    "<+0630>-6:30",
    "<+06>-6",
    "<+07>-7",
    "<+08>-8",
    "<+09>-9",
    "<+10>-10",
    "<+11>-11",
    "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45",
    "<+12>-12",
    "<+13>-13",
    "<+14>-14",
    "<-01>1",
    "<-01>1<+00>,M3.5.0/0,M10.5.0/1",
    "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
    "<-03>3",
    "<-04>4",
    "<-04>4<-03>,M9.1.6/24,M4.1.6/24",
    "<-05>5",
    "<-10>10",
    "ACST-9:30",
    "ACST-9:30ACDT,M10.1.0,M4.1.0/3",
    "AEST-10",
    "AEST-10AEDT,M10.1.0,M4.1.0/3",
    "AKST9AKDT,M3.2.0,M11.1.0",
    "AST4",
    "AST4ADT,M3.2.0,M11.1.0",
    "AWST-8",
    "CAT-2",
    "CET-1",
    "CET-1CEST,M3.5.0,M10.5.0/3",
    "CST-8",
    "CST5CDT,M3.2.0/0,M11.1.0/1",
    "CST6",
    "CST6CDT,M3.2.0,M11.1.0",
    "ChST-10",
    "EAT-3",
    "EET-2",
    "EET-2EEST,M3.5.0,M10.5.0/3",
    "EET-2EEST,M3.5.0/0,M10.5.0/0",
    "EET-2EEST,M3.5.0/3,M10.5.0/4",
    "EET-2EEST,M4.5.5/0,M10.5.4/24",
    "EST5",
    "EST5EDT,M3.2.0,M11.1.0",
    "GMT0",
    "GMT0BST,M3.5.0/1,M10.5.0",
    "HKT-8",
    "HST10",
    "HST10HDT,M3.2.0,M11.1.0",
    "IST-1GMT0,M10.5.0,M3.5.0/1",
    "IST-2IDT,M3.4.4/26,M10.5.0",
    "IST-5:30",
    "JST-9",
    "KST-9",
    "MSK-3",
    "MST7",
    "MST7MDT,M3.2.0,M11.1.0",
    "NST3:30NDT,M3.2.0,M11.1.0",
    "NZST-12NZDT,M9.5.0,M4.1.0/3",
    "PKT-5",
    "PST-8",
    "PST8PDT,M3.2.0,M11.1.0",
    "SAST-2",
    "UTC0",
    "WAT-1",
    "WET0WEST,M3.5.0/1,M10.5.0",
    "WIB-7",
    "WIT-9",
    "WITA-8",
];
#[rustfmt::skip]
const ZONES: [(&str, u8); 218] = [
    ("Africa/Abidjan", 51),
    ("Africa/Accra", 51),
    ("Africa/Addis_Ababa", 43),
    ("Africa/Algiers", 36),
    ("Africa/Cairo", 48),
    ("Africa/Casablanca", 0),
    ("Africa/Dakar", 51),
    ("Africa/Dar_es_Salaam", 43),
    ("Africa/Douala", 71),
    ("Africa/Harare", 35),
    ("Africa/Johannesburg", 69),
    ("Africa/Kampala", 43),
    ("Africa/Khartoum", 35),
    ("Africa/Kigali", 35),
    ("Africa/Kinshasa", 71),
    ("Africa/Lagos", 71),
    ("Africa/Luanda", 71),
    ("Africa/Lusaka", 35),
    ("Africa/Maputo", 35),
    ("Africa/Nairobi", 43),
    ("Africa/Tripoli", 44),
    ("Africa/Tunis", 36),
    ("Africa/Windhoek", 35),
    ("America/Adak", 55),
    ("America/Anchorage", 31),
    ("America/Argentina/Buenos_Aires", 22),
    ("America/Asuncion", 22),
    ("America/Bahia", 22),
    ("America/Barbados", 32),
    ("America/Belem", 22),
    ("America/Bogota", 25),
    ("America/Boise", 63),
    ("America/Cancun", 49),
    ("America/Caracas", 23),
    ("America/Cayenne", 22),
    ("America/Chicago", 41),
    ("America/Chihuahua", 40),
    ("America/Costa_Rica", 40),
    ("America/Denver", 63),
    ("America/Detroit", 50),
    ("America/Edmonton", 63),
    ("America/El_Salvador", 40),
    ("America/Fortaleza", 22),
    ("America/Guatemala", 40),
    ("America/Guayaquil", 25),
    ("America/Guyana", 23),
    ("America/Halifax", 33),
    ("America/Havana", 39),
    ("America/Hermosillo", 62),
    ("America/Indiana/Indianapolis", 50),
    ("America/Jamaica", 49),
    ("America/Juneau", 31),
    ("America/La_Paz", 23),
    ("America/Lima", 25),
    ("America/Los_Angeles", 68),
    ("America/Managua", 40),
    ("America/Manaus", 23),
    ("America/Mexico_City", 40),
    ("America/Monterrey", 40),
    ("America/Montevideo", 22),
    ("America/New_York", 50),
    ("America/Nuuk", 21),
    ("America/Panama", 49),
    ("America/Paramaribo", 22),
    ("America/Phoenix", 62),
    ("America/Port_of_Spain", 32),
    ("America/Puerto_Rico", 32),
    ("America/Punta_Arenas", 22),
    ("America/Recife", 22),
    ("America/Regina", 40),
    ("America/Santiago", 24),
    ("America/Santo_Domingo", 32),
    ("America/Sao_Paulo", 22),
    ("America/St_Johns", 64),
    ("America/Tegucigalpa", 40),
    ("America/Tijuana", 68),
    ("America/Toronto", 50),
    ("America/Vancouver", 68),
    ("America/Winnipeg", 41),
    ("Asia/Almaty", 7),
    ("Asia/Amman", 2),
    ("Asia/Baghdad", 2),
    ("Asia/Bahrain", 2),
    ("Asia/Baku", 4),
    ("Asia/Bangkok", 10),
    ("Asia/Beirut", 46),
    ("Asia/Brunei", 11),
    ("Asia/Colombo", 5),
    ("Asia/Dhaka", 9),
    ("Asia/Dubai", 4),
    ("Asia/Famagusta", 47),
    ("Asia/Ho_Chi_Minh", 10),
    ("Asia/Hong_Kong", 53),
    ("Asia/Irkutsk", 11),
    ("Asia/Jakarta", 73),
    ("Asia/Jayapura", 74),
    ("Asia/Jerusalem", 57),
    ("Asia/Kabul", 3),
    ("Asia/Kamchatka", 16),
    ("Asia/Karachi", 66),
    ("Asia/Kathmandu", 6),
    ("Asia/Kolkata", 58),
    ("Asia/Krasnoyarsk", 10),
    ("Asia/Kuala_Lumpur", 11),
    ("Asia/Kuwait", 2),
    ("Asia/Macau", 38),
    ("Asia/Magadan", 14),
    ("Asia/Makassar", 75),
    ("Asia/Manila", 67),
    ("Asia/Muscat", 4),
    ("Asia/Nicosia", 47),
    ("Asia/Novosibirsk", 10),
    ("Asia/Omsk", 9),
    ("Asia/Phnom_Penh", 10),
    ("Asia/Qatar", 2),
    ("Asia/Riyadh", 2),
    ("Asia/Seoul", 60),
    ("Asia/Shanghai", 38),
    ("Asia/Singapore", 11),
    ("Asia/Taipei", 38),
    ("Asia/Tashkent", 7),
    ("Asia/Tbilisi", 4),
    ("Asia/Tehran", 1),
    ("Asia/Thimphu", 9),
    ("Asia/Tokyo", 59),
    ("Asia/Ulaanbaatar", 11),
    ("Asia/Vientiane", 10),
    ("Asia/Vladivostok", 13),
    ("Asia/Yakutsk", 12),
    ("Asia/Yangon", 8),
    ("Asia/Yekaterinburg", 7),
    ("Asia/Yerevan", 4),
    ("Atlantic/Azores", 20),
    ("Atlantic/Canary", 72),
    ("Atlantic/Cape_Verde", 19),
    ("Atlantic/Faroe", 72),
    ("Atlantic/Madeira", 72),
    ("Atlantic/Reykjavik", 51),
    ("Australia/Adelaide", 28),
    ("Australia/Brisbane", 29),
    ("Australia/Darwin", 27),
    ("Australia/Hobart", 30),
    ("Australia/Melbourne", 30),
    ("Australia/Perth", 34),
    ("Australia/Sydney", 30),
    ("Europe/Amsterdam", 37),
    ("Europe/Andorra", 37),
    ("Europe/Astrakhan", 4),
    ("Europe/Athens", 47),
    ("Europe/Belgrade", 37),
    ("Europe/Berlin", 37),
    ("Europe/Bratislava", 37),
    ("Europe/Brussels", 37),
    ("Europe/Bucharest", 47),
    ("Europe/Budapest", 37),
    ("Europe/Busingen", 37),
    ("Europe/Chisinau", 45),
    ("Europe/Copenhagen", 37),
    ("Europe/Dublin", 56),
    ("Europe/Gibraltar", 37),
    ("Europe/Guernsey", 52),
    ("Europe/Helsinki", 47),
    ("Europe/Isle_of_Man", 52),
    ("Europe/Istanbul", 2),
    ("Europe/Jersey", 52),
    ("Europe/Kaliningrad", 44),
    ("Europe/Kirov", 61),
    ("Europe/Kyiv", 47),
    ("Europe/Lisbon", 72),
    ("Europe/Ljubljana", 37),
    ("Europe/London", 52),
    ("Europe/Luxembourg", 37),
    ("Europe/Madrid", 37),
    ("Europe/Malta", 37),
    ("Europe/Mariehamn", 47),
    ("Europe/Minsk", 2),
    ("Europe/Monaco", 37),
    ("Europe/Moscow", 61),
    ("Europe/Oslo", 37),
    ("Europe/Paris", 37),
    ("Europe/Podgorica", 37),
    ("Europe/Prague", 37),
    ("Europe/Riga", 47),
    ("Europe/Rome", 37),
    ("Europe/Samara", 4),
    ("Europe/San_Marino", 37),
    ("Europe/Sarajevo", 37),
    ("Europe/Saratov", 4),
    ("Europe/Simferopol", 61),
    ("Europe/Skopje", 37),
    ("Europe/Sofia", 47),
    ("Europe/Stockholm", 37),
    ("Europe/Tallinn", 47),
    ("Europe/Tirane", 37),
    ("Europe/Ulyanovsk", 4),
    ("Europe/Vaduz", 37),
    ("Europe/Vatican", 37),
    ("Europe/Vienna", 37),
    ("Europe/Vilnius", 47),
    ("Europe/Volgograd", 61),
    ("Europe/Warsaw", 37),
    ("Europe/Zagreb", 37),
    ("Europe/Zurich", 37),
    ("Indian/Maldives", 7),
    ("Indian/Mauritius", 4),
    ("Indian/Reunion", 4),
    ("Pacific/Apia", 17),
    ("Pacific/Auckland", 65),
    ("Pacific/Chatham", 15),
    ("Pacific/Fiji", 16),
    ("Pacific/Guam", 42),
    ("Pacific/Honolulu", 54),
    ("Pacific/Kiritimati", 18),
    ("Pacific/Noumea", 14),
    ("Pacific/Port_Moresby", 13),
    ("Pacific/Tahiti", 26),
    ("Pacific/Tongatapu", 17),
    ("UTC", 70),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::parse_day;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse_rfc3339(text).unwrap()
    }

    #[test]
    fn a_stored_zone_is_its_name_or_else_its_standard_offset() {
        let copenhagen = TimeZone::stored("Europe/Copenhagen@60").unwrap();
        assert_eq!(copenhagen.name(), Some("Europe/Copenhagen"));
        let lost = TimeZone::stored("Europe/Atlantis@120").unwrap();
        assert_eq!((lost.name(), lost.standard_minutes()), (None, 120));
        assert_eq!(TimeZone::stored("Europe/Atlantis@9999"), None);
        assert_eq!(TimeZone::stored("Europe/Copenhagen"), None, "a stored zone has its minutes");
        let read: TimeZone = serde_json::from_str(r#""Europe/Atlantis@-300""#).unwrap();
        assert_eq!(read.standard_minutes(), -300);
        let cached: TimeZone = serde_json::from_str(r#""Europe/Copenhagen""#).unwrap();
        assert_eq!(cached, copenhagen);
        assert!(serde_json::from_str::<TimeZone>(r#""Europe/Atlantis""#).is_err(), "a bare unknown name");
    }

    fn offset_minutes(zone: &str, instant: &str) -> i64 {
        TimeZone::named(zone).unwrap().offset_ms(at(instant)) / 60_000
    }

    #[test]
    fn every_zone_of_the_table_parses_and_names_are_unique_and_sorted() {
        assert!(ZONES.windows(2).all(|pair| pair[0].0 < pair[1].0), "sorted and unique, for the binary search");
        for (name, _) in ZONES {
            assert!(TimeZone::named(name).is_some(), "{name} does not parse");
        }
        for rule in RULES {
            assert!(Rule::parse(rule).is_some(), "{rule} does not parse");
            assert!(ZONES.iter().any(|(_, index)| RULES.get(usize::from(*index)) == Some(&rule)), "{rule} unused");
        }
        assert!(TimeZone::named("Mars/Olympus_Mons").is_none());
        assert!(TimeZone::named("europe/copenhagen").is_none(), "names are exact");
    }

    #[test]
    fn summer_time_starts_and_ends_at_the_rules_instants() {
        assert_eq!(offset_minutes("Europe/Copenhagen", "2026-03-29T00:59:59Z"), 60);
        assert_eq!(offset_minutes("Europe/Copenhagen", "2026-03-29T01:00:00Z"), 120);
        assert_eq!(offset_minutes("Europe/Copenhagen", "2026-10-25T00:59:59Z"), 120);
        assert_eq!(offset_minutes("Europe/Copenhagen", "2026-10-25T01:00:00Z"), 60);
        assert_eq!(offset_minutes("Europe/London", "2026-07-01T12:00:00Z"), 60);
        assert_eq!(offset_minutes("America/New_York", "2026-03-08T06:59:59Z"), -300);
        assert_eq!(offset_minutes("America/New_York", "2026-03-08T07:00:00Z"), -240);
        assert_eq!(offset_minutes("America/New_York", "2026-11-01T05:59:59Z"), -240);
        assert_eq!(offset_minutes("America/New_York", "2026-11-01T06:00:00Z"), -300);
        assert_eq!(offset_minutes("America/Los_Angeles", "2026-07-01T00:00:00Z"), -420);
        assert_eq!(offset_minutes("Australia/Sydney", "2026-01-15T00:00:00Z"), 660);
        assert_eq!(offset_minutes("Australia/Sydney", "2026-07-15T00:00:00Z"), 600);
        assert_eq!(offset_minutes("Pacific/Auckland", "2026-01-01T00:00:00Z"), 780);
        assert_eq!(offset_minutes("Pacific/Auckland", "2026-06-01T00:00:00Z"), 720);
        assert_eq!(offset_minutes("America/Santiago", "2026-01-15T00:00:00Z"), -180);
        assert_eq!(offset_minutes("America/Santiago", "2026-07-15T00:00:00Z"), -240);
        // Ireland's "standard" time is its summer one: the rule's winter change is negative.
        assert_eq!(offset_minutes("Europe/Dublin", "2026-01-15T00:00:00Z"), 0);
        assert_eq!(offset_minutes("Europe/Dublin", "2026-07-15T00:00:00Z"), 60);
        assert_eq!(offset_minutes("Asia/Tokyo", "2026-07-15T00:00:00Z"), 540);
        assert_eq!(offset_minutes("Asia/Kolkata", "2026-07-15T00:00:00Z"), 330);
        assert_eq!(offset_minutes("Asia/Kathmandu", "2026-01-15T00:00:00Z"), 345);
        assert_eq!(offset_minutes("UTC", "2026-07-15T00:00:00Z"), 0);
    }

    #[test]
    fn the_new_year_does_not_confuse_southern_summer_time() {
        // 2026-12-31T23:00Z is already 2027 in Auckland, in summer time all the same.
        assert_eq!(offset_minutes("Pacific/Auckland", "2026-12-31T23:00:00Z"), 780);
        assert_eq!(offset_minutes("Pacific/Auckland", "2026-04-04T13:59:59Z"), 780);
        assert_eq!(offset_minutes("Pacific/Auckland", "2026-04-04T14:00:00Z"), 720);
    }

    #[test]
    fn days_around_the_changes_last_23_and_25_hours() {
        let copenhagen = TimeZone::named("Europe/Copenhagen").unwrap();
        let length = |day: &str| {
            let d = parse_day(day).unwrap();
            (copenhagen.day_start(d + 1).millis() - copenhagen.day_start(d).millis()) / 3_600_000
        };
        assert_eq!((length("2026-03-28"), length("2026-03-29"), length("2026-03-30")), (24, 23, 24));
        assert_eq!(length("2026-10-25"), 25);
        assert_eq!(copenhagen.day_start(parse_day("2026-03-29").unwrap()), at("2026-03-28T23:00:00Z"));
        assert_eq!(copenhagen.local_day(at("2026-03-29T21:59:59Z")), parse_day("2026-03-29").unwrap());
        assert_eq!(copenhagen.local_day(at("2026-03-29T22:00:00Z")), parse_day("2026-03-30").unwrap());
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_at_the_jump_and_a_repeated_one_at_the_first() {
        // The Azores: summer time (+00) begins at 00:00 of the last Sunday of March, local
        // standard time (-01), skipping midnight, and ends at 01:00 summer time of the last
        // Sunday of October, so midnight happens twice.
        let azores = TimeZone::named("Atlantic/Azores").unwrap();
        let day = |text| parse_day(text).unwrap();
        assert_eq!(azores.day_start(day("2026-03-29")), at("2026-03-29T01:00:00Z"));
        assert_eq!(azores.minute(at("2026-03-29T01:00:00Z")), "2026-03-29 01:00 UTC");
        assert_eq!(azores.minute(at("2026-03-29T00:59:00Z")), "2026-03-28 23:59 UTC-01:00");
        assert_eq!(azores.day_start(day("2026-10-25")), at("2026-10-25T00:00:00Z"));
        assert_eq!(azores.day_start(day("2026-10-26")).millis() - at("2026-10-25T00:00:00Z").millis(), 25 * 3_600_000);
        // Santiago: summer time begins at 24:00 of the first Saturday of September.
        let santiago = TimeZone::named("America/Santiago").unwrap();
        assert_eq!(santiago.day_start(day("2026-09-06")), at("2026-09-06T04:00:00Z"));
        assert_eq!(santiago.minute(at("2026-09-06T04:00:00Z")), "2026-09-06 01:00 UTC-03:00");
    }

    #[test]
    fn minutes_show_the_offset_in_force_and_labels_the_name_or_the_offset() {
        let copenhagen = TimeZone::named("Europe/Copenhagen").unwrap();
        assert_eq!(copenhagen.minute(at("2026-03-29T01:30:00Z")), "2026-03-29 03:30 UTC+02:00");
        assert_eq!(copenhagen.minute(at("2026-03-29T00:30:00Z")), "2026-03-29 01:30 UTC+01:00");
        assert_eq!(copenhagen.label(), "Europe/Copenhagen");
        assert_eq!(TimeZone::fixed(60).unwrap().label(), "UTC+01:00");
        assert_eq!(TimeZone::fixed(-210).unwrap().label(), "UTC-03:30");
        assert_eq!(TimeZone::UTC.label(), "UTC");
        assert_eq!(
            TimeZone::named("Asia/Kathmandu").unwrap().minute(at("2026-01-01T00:00:00Z")),
            "2026-01-01 05:45 UTC+05:45"
        );
        assert!(TimeZone::fixed(841).is_err() && TimeZone::fixed(-721).is_err());
    }

    #[test]
    fn a_year_and_two_weeks_hold_at_most_four_changes_in_every_zone() {
        for (name, _) in ZONES {
            let zone = TimeZone::named(name).unwrap();
            for month in 0..12 {
                let from = Timestamp::from_millis(at("2026-01-01T00:00:00Z").millis() + month * 30 * DAY_MS);
                let to = Timestamp::from_millis(from.millis() + 381 * DAY_MS);
                let changes = zone.changes(from, to);
                assert!(changes.len() <= crate::usage::MAX_CHANGES, "{name}: {changes:?}");
                assert!(changes.windows(2).all(|pair| pair[0].0 < pair[1].0), "{name}: in order");
                // Every change is where the offset really changes.
                for (instant, offset) in changes {
                    assert_eq!(zone.offset_ms(Timestamp::from_millis(instant)), offset, "{name}");
                    assert_ne!(zone.offset_ms(Timestamp::from_millis(instant - 1)), offset, "{name}");
                }
            }
        }
    }

    #[test]
    fn settings_read_minutes_or_names_and_write_back_what_was_set() {
        let zone: TimeZone = serde_json::from_value(serde_json::json!("Europe/Copenhagen")).unwrap();
        assert_eq!(serde_json::to_value(zone).unwrap(), serde_json::json!("Europe/Copenhagen"));
        let fixed: TimeZone = serde_json::from_value(serde_json::json!(-300)).unwrap();
        assert_eq!(serde_json::to_value(fixed).unwrap(), serde_json::json!(-300));
        assert!(serde_json::from_value::<TimeZone>(serde_json::json!("Nowhere/City")).is_err());
        assert!(Rule::parse("CET-1CEST,M3.5.0").is_none());
        assert!(Rule::parse("CET-1CEST,J60,M10.5.0").is_none());
        assert!(Rule::parse("CET-25").is_none());
    }
}
