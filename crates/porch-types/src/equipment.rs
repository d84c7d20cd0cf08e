//! Equipment values with `parse`: the provider's asset key, asset texts, activity events
//! (operating hours, positions, start/stop, alerts) with their idempotency ids and times,
//! share windows and asset photos. Once parsed, a value is storable as it is.

use std::fmt;

use super::image::{self, ImageError};
use super::text::{Label, TextError};
use super::time::Timestamp;

/// Most events in one ingest call: they are written in one atomic D1 batch, thirteen to a
/// statement (see `store::equipment::ingest`), and the JSON stays far below the body cap.
pub const MAX_EVENTS_PER_BATCH: usize = 1000;
/// Longest asset key and event id, in bytes (both are ASCII).
pub const MAX_KEY_LEN: usize = 100;
/// Longest asset name; serial numbers, makes, models and types are shorter.
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_DETAIL_CHARS: usize = 100;
/// Longest alert message.
pub const MAX_MESSAGE_CHARS: usize = 500;
/// Largest operating-hours reading: over a thousand years of running, so a real counter never
/// meets it, and thousandths of it stay far inside the 2^53 D1 passes exactly.
pub const MAX_HOURS: f64 = 10_000_000.0;
/// How far in the future an event may be stamped: clocks on machines drift, but an event a day
/// ahead is a wrong clock, and it would sort after everything real.
pub const MAX_FUTURE_SKEW_SECONDS: i64 = 24 * 3600;
/// Largest asset photo.
pub const MAX_PHOTO_BYTES: usize = 1024 * 1024;
/// Largest photo width or height accepted: twice a logo's, room for any camera that fits
/// the byte cap.
pub const MAX_PHOTO_DIMENSION: u32 = 16_384;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EquipmentError {
    #[error("must be 1 to 100 characters: letters, digits and . _ : ~ -")]
    BadKey,
    #[error("must be 1 to 100 visible ASCII characters, without spaces")]
    BadEventId,
    #[error("must be an RFC 3339 date-time such as 2026-01-31T08:00:00Z")]
    BadTime,
    #[error("must not be more than a day in the future")]
    FutureTime,
    #[error("must be one of hours, position, start, stop, alert")]
    BadKind,
    #[error("must be a number of hours from 0 to 10000000")]
    BadHours,
    #[error("must be a latitude from -90 to 90")]
    BadLatitude,
    #[error("must be a longitude from -180 to 180")]
    BadLongitude,
    #[error("must be after from")]
    EmptyWindow,
    #[error(transparent)]
    Text(#[from] TextError),
}

/// The provider's own id of an asset, as it appears in API paths: ASCII letters, digits and
/// `. _ : ~ -` (RFC 3986 unreserved, plus `:` common in asset tags), so it needs no escaping
/// in a URL. `.` and `..` alone are refused: a path segment like that means something else.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AssetKey(String);

impl AssetKey {
    pub fn parse(input: &str) -> Result<AssetKey, EquipmentError> {
        let ok = (1..=MAX_KEY_LEN).contains(&input.len())
            && input.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'~' | b'-'))
            && input != "."
            && input != "..";
        if ok {
            Ok(AssetKey(input.to_owned()))
        } else {
            Err(EquipmentError::BadKey)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AssetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The sender's id of one activity event: its idempotency key within the asset. Visible ASCII
/// only, so two ids that look the same are the same.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventId(String);

impl EventId {
    pub fn parse(input: &str) -> Result<EventId, EquipmentError> {
        if (1..=MAX_KEY_LEN).contains(&input.len()) && input.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(EventId(input.to_owned()))
        } else {
            Err(EquipmentError::BadEventId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An instant given in the API, as RFC 3339.
pub fn parse_time(input: &str) -> Result<Timestamp, EquipmentError> {
    Timestamp::parse_rfc3339(input).ok_or(EquipmentError::BadTime)
}

/// The time of an event: RFC 3339, and not beyond `now` plus a day of clock drift.
pub fn parse_event_time(input: &str, now: Timestamp) -> Result<Timestamp, EquipmentError> {
    let at = parse_time(input)?;
    if at > now.plus_seconds(MAX_FUTURE_SKEW_SECONDS) {
        return Err(EquipmentError::FutureTime);
    }
    Ok(at)
}

/// An asset's descriptive texts, each trimmed and bounded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetDetails {
    pub name: Label,
    pub serial_number: Option<Label>,
    pub make: Option<Label>,
    pub model: Option<Label>,
    pub asset_type: Option<Label>,
}

pub fn parse_name(input: &str) -> Result<Label, EquipmentError> {
    Ok(Label::parse(input, MAX_NAME_CHARS)?)
}

pub fn parse_detail(input: &str) -> Result<Label, EquipmentError> {
    Ok(Label::parse(input, MAX_DETAIL_CHARS)?)
}

/// What an activity event says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActivityKind {
    Hours,
    Position,
    Start,
    Stop,
    Alert,
}

impl ActivityKind {
    /// Every kind, in the order a recipient's filter offers them.
    pub const ALL: [ActivityKind; 5] =
        [ActivityKind::Start, ActivityKind::Stop, ActivityKind::Alert, ActivityKind::Position, ActivityKind::Hours];

    pub fn parse(input: &str) -> Result<ActivityKind, EquipmentError> {
        match input {
            "hours" => Ok(ActivityKind::Hours),
            "position" => Ok(ActivityKind::Position),
            "start" => Ok(ActivityKind::Start),
            "stop" => Ok(ActivityKind::Stop),
            "alert" => Ok(ActivityKind::Alert),
            _ => Err(EquipmentError::BadKind),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Hours => "hours",
            ActivityKind::Position => "position",
            ActivityKind::Start => "start",
            ActivityKind::Stop => "stop",
            ActivityKind::Alert => "alert",
        }
    }

    /// The payload fields this kind takes; every other payload field is refused, so a sender
    /// learns of a mix-up instead of having half its event dropped.
    fn fields(self) -> &'static [&'static str] {
        match self {
            ActivityKind::Hours => &["value"],
            ActivityKind::Position => &["lat", "lon"],
            ActivityKind::Start | ActivityKind::Stop => &[],
            ActivityKind::Alert => &["message"],
        }
    }
}

/// Operating hours in thousandths of an hour (3.6 s): exact as an integer, and finer than any
/// hour meter reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hours(i64);

impl Hours {
    pub fn parse(value: f64) -> Result<Hours, EquipmentError> {
        if value.is_finite() && (0.0..=MAX_HOURS).contains(&value) {
            // In range and finite: the rounded product fits an i64 exactly.
            #[allow(clippy::cast_possible_truncation)]
            Ok(Hours((value * 1000.0).round() as i64))
        } else {
            Err(EquipmentError::BadHours)
        }
    }

    pub fn from_milli(milli: i64) -> Hours {
        Hours(milli)
    }

    pub fn milli(self) -> i64 {
        self.0
    }

    #[allow(clippy::cast_precision_loss)] // below 2^53 by MAX_HOURS: exact
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }
}

/// A WGS 84 position in 1e-7 degrees (about a centimetre at the equator).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    lat_e7: i64,
    lon_e7: i64,
}

impl Position {
    pub fn parse(lat: f64, lon: f64) -> Result<Position, Vec<(&'static str, EquipmentError)>> {
        let mut errors = Vec::new();
        if !(lat.is_finite() && (-90.0..=90.0).contains(&lat)) {
            errors.push(("lat", EquipmentError::BadLatitude));
        }
        if !(lon.is_finite() && (-180.0..=180.0).contains(&lon)) {
            errors.push(("lon", EquipmentError::BadLongitude));
        }
        if errors.is_empty() {
            // Both are within ±180 here, so the scaled values fit an i64 exactly.
            #[allow(clippy::cast_possible_truncation)]
            Ok(Position { lat_e7: (lat * 1e7).round() as i64, lon_e7: (lon * 1e7).round() as i64 })
        } else {
            Err(errors)
        }
    }

    pub fn from_e7(lat_e7: i64, lon_e7: i64) -> Position {
        Position { lat_e7, lon_e7 }
    }

    pub fn lat_e7(self) -> i64 {
        self.lat_e7
    }

    pub fn lon_e7(self) -> i64 {
        self.lon_e7
    }

    #[allow(clippy::cast_precision_loss)] // at most 1.8e9: exact
    pub fn degrees(self) -> (f64, f64) {
        (self.lat_e7 as f64 / 1e7, self.lon_e7 as f64 / 1e7)
    }
}

/// What one event carries besides its id and time.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    Hours(Hours),
    Position(Position),
    Start,
    Stop,
    Alert(Label),
}

impl Payload {
    pub fn kind(&self) -> ActivityKind {
        match self {
            Payload::Hours(_) => ActivityKind::Hours,
            Payload::Position(_) => ActivityKind::Position,
            Payload::Start => ActivityKind::Start,
            Payload::Stop => ActivityKind::Stop,
            Payload::Alert(_) => ActivityKind::Alert,
        }
    }
}

/// One activity event, parsed whole.
#[derive(Clone, Debug, PartialEq)]
pub struct Activity {
    pub id: EventId,
    pub at: Timestamp,
    pub payload: Payload,
}

/// A problem with one field of one event: the field's name and what is wrong.
pub type EventProblem = (String, String);

const EVENT_FIELDS: &[&str] = &["id", "at", "kind", "value", "lat", "lon", "message"];

/// A required string field of an event, parsed; a problem recorded when it is missing, not a
/// string, or does not parse.
fn required_text<T>(
    problems: &mut Vec<EventProblem>,
    object: &serde_json::Map<String, serde_json::Value>,
    field: &str,
    parse: impl FnOnce(&str) -> Result<T, EquipmentError>,
) -> Option<T> {
    let message = match object.get(field) {
        None => "is required".to_owned(),
        Some(serde_json::Value::String(text)) => match parse(text) {
            Ok(value) => return Some(value),
            Err(err) => err.to_string(),
        },
        Some(_) => "must be a string".to_owned(),
    };
    problems.push((field.to_owned(), message));
    None
}

impl Activity {
    /// One event from its JSON object `{id, at, kind, value | lat, lon | message}`; every
    /// problem found, by field name, so a whole batch can be reported at once.
    pub fn parse(value: &serde_json::Value, now: Timestamp) -> Result<Activity, Vec<EventProblem>> {
        let Some(object) = value.as_object() else {
            return Err(vec![(String::new(), "must be an object".into())]);
        };
        let mut problems: Vec<EventProblem> = Vec::new();
        for key in object.keys() {
            if !EVENT_FIELDS.contains(&key.as_str()) {
                problems.push((key.clone(), "is not a field of an event".into()));
            }
        }
        let id = required_text(&mut problems, object, "id", EventId::parse);
        let at = required_text(&mut problems, object, "at", |t| parse_event_time(t, now));
        let kind = required_text(&mut problems, object, "kind", ActivityKind::parse);
        let mut note = |field: &str, message: String| problems.push((field.to_owned(), message));
        let text = |field: &str| object.get(field).and_then(serde_json::Value::as_str);
        let number = |field: &str| object.get(field).and_then(serde_json::Value::as_f64);
        let Some(kind) = kind else {
            return Err(problems);
        };
        for field in ["value", "lat", "lon", "message"] {
            if object.contains_key(field) && !kind.fields().contains(&field) {
                note(field, format!("is not a field of a {} event", kind.as_str()));
            }
        }
        let payload = match kind {
            ActivityKind::Hours => {
                if let Some(v) = number("value") {
                    Hours::parse(v).map(Payload::Hours).map_err(|e| note("value", e.to_string())).ok()
                } else {
                    note("value", "is required: the operating hours, a number".into());
                    None
                }
            }
            ActivityKind::Position => match (number("lat"), number("lon")) {
                (Some(lat), Some(lon)) => Position::parse(lat, lon)
                    .map(Payload::Position)
                    .map_err(|errors| errors.into_iter().for_each(|(field, e)| note(field, e.to_string())))
                    .ok(),
                (lat, lon) => {
                    for (field, given) in [("lat", lat), ("lon", lon)] {
                        if given.is_none() {
                            note(field, "is required: degrees, a number".into());
                        }
                    }
                    None
                }
            },
            ActivityKind::Start => Some(Payload::Start),
            ActivityKind::Stop => Some(Payload::Stop),
            ActivityKind::Alert => {
                if let Some(m) = text("message") {
                    Label::parse(m, MAX_MESSAGE_CHARS)
                        .map(Payload::Alert)
                        .map_err(|e| note("message", e.to_string()))
                        .ok()
                } else {
                    note("message", "is required: the alert's text".into());
                    None
                }
            }
        };
        match (id, at, payload) {
            (Some(id), Some(at), Some(payload)) if problems.is_empty() => Ok(Activity { id, at, payload }),
            _ => Err(problems),
        }
    }
}

/// When a share shows an asset: from `from`, until `until` (exclusive) or for good.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShareWindow {
    from: Timestamp,
    until: Option<Timestamp>,
}

impl ShareWindow {
    pub fn new(from: Timestamp, until: Option<Timestamp>) -> Result<ShareWindow, EquipmentError> {
        match until {
            Some(until) if until <= from => Err(EquipmentError::EmptyWindow),
            _ => Ok(ShareWindow { from, until }),
        }
    }

    pub fn from(self) -> Timestamp {
        self.from
    }

    pub fn until(self) -> Option<Timestamp> {
        self.until
    }
}

/// The image formats an asset photo may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoFormat {
    Png,
    Jpeg,
    Webp,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PhotoError {
    #[error("the photo is empty")]
    Empty,
    #[error("the photo is larger than 1 MiB")]
    TooLarge,
    #[error("the photo's content is not the image type its Content-Type names")]
    WrongContent,
    #[error("the photo's width and height must each be between 1 and {MAX_PHOTO_DIMENSION} pixels")]
    Dimensions,
}

impl PhotoFormat {
    /// The format a `Content-Type` names (parameters ignored), if it is one of ours.
    pub fn from_content_type(content_type: &str) -> Option<PhotoFormat> {
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        [PhotoFormat::Png, PhotoFormat::Jpeg, PhotoFormat::Webp]
            .into_iter()
            .find(|format| essence.eq_ignore_ascii_case(format.content_type()))
    }

    pub fn content_type(self) -> &'static str {
        match self {
            PhotoFormat::Png => "image/png",
            PhotoFormat::Jpeg => "image/jpeg",
            PhotoFormat::Webp => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            PhotoFormat::Png => "png",
            PhotoFormat::Jpeg => "jpg",
            PhotoFormat::Webp => "webp",
        }
    }

    /// Checks a photo before it is stored: within the size cap, and built the way the
    /// declared format says (`image`'s structural checks, as for logos: a signature followed
    /// by anything is not a photo; OWASP File Upload Cheat Sheet: validate the file type by
    /// content, never by the Content-Type header alone). The photo is then stored and served
    /// with this format's type only, so it cannot be served as anything else.
    pub fn check(self, data: &[u8]) -> Result<(), PhotoError> {
        if data.is_empty() {
            return Err(PhotoError::Empty);
        }
        if data.len() > MAX_PHOTO_BYTES {
            return Err(PhotoError::TooLarge);
        }
        let checked = match self {
            PhotoFormat::Png => image::check_png(data, MAX_PHOTO_DIMENSION),
            PhotoFormat::Jpeg => image::check_jpeg(data, MAX_PHOTO_DIMENSION),
            PhotoFormat::Webp => image::check_webp(data, MAX_PHOTO_DIMENSION),
        };
        match checked {
            Ok(_) => Ok(()),
            Err(ImageError::Malformed) => Err(PhotoError::WrongContent),
            Err(ImageError::Dimensions { .. }) => Err(PhotoError::Dimensions),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::tests as image_tests;
    use serde_json::json;

    const NOW: Timestamp = Timestamp::from_millis(1_795_442_964_000); // 2026-11-23T14:09:24Z

    fn problem_fields(value: &serde_json::Value) -> Vec<String> {
        Activity::parse(value, NOW).err().unwrap_or_default().into_iter().map(|(field, _)| field).collect()
    }

    #[test]
    fn asset_keys_are_url_safe_and_bounded() {
        for good in ["EX-200:0042", "a", "serial_9.1~b", &"k".repeat(100)] {
            assert!(AssetKey::parse(good).is_ok(), "{good}");
        }
        for bad in ["", ".", "..", "a/b", "a b", "æ", "a?b", "a%2Fb", &"k".repeat(101)] {
            assert_eq!(AssetKey::parse(bad), Err(EquipmentError::BadKey), "{bad}");
        }
    }

    #[test]
    fn event_ids_are_visible_ascii_without_spaces() {
        assert!(EventId::parse("evt-2026-11-23/0001").is_ok());
        for bad in ["", "a b", "é", "a\nb", &"e".repeat(101)] {
            assert_eq!(EventId::parse(bad), Err(EquipmentError::BadEventId), "{bad}");
        }
    }

    #[test]
    fn each_kind_of_event_parses_with_its_own_payload() {
        let hours =
            Activity::parse(&json!({"id": "1", "at": "2026-11-23T10:00:00Z", "kind": "hours", "value": 1234.5}), NOW);
        assert_eq!(hours.map(|a| a.payload), Ok(Payload::Hours(Hours::from_milli(1_234_500))));
        let position = Activity::parse(
            &json!({"id": "2", "at": "2026-11-23T10:00:00Z", "kind": "position", "lat": 55.676_098, "lon": -12.568_337}),
            NOW,
        );
        assert_eq!(position.map(|a| a.payload), Ok(Payload::Position(Position::from_e7(556_760_980, -125_683_370))));
        let start = Activity::parse(&json!({"id": "3", "at": "2026-11-23T10:00:00+01:00", "kind": "start"}), NOW);
        assert_eq!(start.as_ref().map(|a| a.at.millis()), Ok(1_795_424_400_000));
        let alert = Activity::parse(
            &json!({"id": "4", "at": "2026-11-23T10:00:00Z", "kind": "alert", "message": " Low oil "}),
            NOW,
        );
        assert_eq!(alert.map(|a| a.payload), Label::parse("Low oil", 10).map(Payload::Alert).map_err(|_| Vec::new()));
    }

    #[test]
    fn every_problem_of_an_event_is_named_by_its_field() {
        let fields = problem_fields(
            &json!({"id": "", "at": "yesterday", "kind": "hours", "value": -1, "lat": 1, "extra": true}),
        );
        assert_eq!(fields, ["extra", "id", "at", "lat", "value"]);
        assert_eq!(problem_fields(&json!({"kind": "teleport"})), ["id", "at", "kind"]);
        assert_eq!(
            problem_fields(&json!({"id": "x", "at": "2026-11-23T10:00:00Z", "kind": "position", "lat": 91})),
            ["lon"]
        );
        assert_eq!(
            problem_fields(
                &json!({"id": "x", "at": "2026-11-23T10:00:00Z", "kind": "position", "lat": 91, "lon": -181})
            ),
            ["lat", "lon"]
        );
        assert_eq!(
            problem_fields(&json!({"id": "x", "at": "2026-11-23T10:00:00Z", "kind": "alert", "message": ""})),
            ["message"]
        );
        assert_eq!(problem_fields(&json!({"id": 7, "at": "2026-11-23T10:00:00Z", "kind": "stop"})), ["id"]);
        assert_eq!(problem_fields(&json!("start")), [""]);
    }

    #[test]
    fn an_event_more_than_a_day_ahead_is_refused() {
        assert!(parse_event_time("2026-11-24T14:09:24Z", NOW).is_ok());
        assert_eq!(parse_event_time("2026-11-24T14:09:25Z", NOW), Err(EquipmentError::FutureTime));
    }

    #[test]
    fn hours_and_positions_are_bounded_and_finite() {
        assert_eq!(Hours::parse(0.0).map(Hours::milli), Ok(0));
        assert_eq!(Hours::parse(0.0004).map(Hours::milli), Ok(0));
        assert!(Hours::parse(MAX_HOURS).is_ok());
        for bad in [-0.001, MAX_HOURS + 1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(Hours::parse(bad), Err(EquipmentError::BadHours), "{bad}");
        }
        assert!(Position::parse(90.0, -180.0).is_ok());
        assert_eq!(Position::parse(f64::NAN, 0.0).map_err(|e| e.len()), Err(1));
        assert_eq!(Position::parse(-90.1, 180.1).map_err(|e| e.len()), Err(2));
        assert_eq!(Position::from_e7(556_760_980, -125_683_370).degrees(), (55.676_098, -12.568_337));
    }

    #[test]
    fn a_share_window_ends_after_it_starts() {
        let from = Timestamp::from_millis(1000);
        assert!(ShareWindow::new(from, None).is_ok());
        assert!(ShareWindow::new(from, Some(Timestamp::from_millis(1001))).is_ok());
        assert_eq!(ShareWindow::new(from, Some(from)), Err(EquipmentError::EmptyWindow));
    }

    #[test]
    fn a_signature_and_a_few_bytes_are_not_a_photo() {
        let mut twelve = b"\x89PNG\r\n\x1a\n".to_vec();
        twelve.extend_from_slice(&[0; 12]);
        assert_eq!(PhotoFormat::Png.check(&twelve), Err(PhotoError::WrongContent));
        assert_eq!(PhotoFormat::Webp.check(b"RIFF\0\0\0\0WEBPVP8 "), Err(PhotoError::WrongContent));
        assert_eq!(PhotoFormat::Jpeg.check(b"\xFF\xD8\xFF<html>"), Err(PhotoError::WrongContent));
    }

    #[test]
    fn a_photo_must_be_the_type_it_claims_and_small_enough() {
        assert_eq!(PhotoFormat::from_content_type("IMAGE/JPEG; q=1"), Some(PhotoFormat::Jpeg));
        assert_eq!(PhotoFormat::from_content_type("image/svg+xml"), None);
        assert_eq!(PhotoFormat::from_content_type("image/gif"), None);
        assert_eq!(PhotoFormat::Png.check(&image_tests::png(4032, 3024)), Ok(()));
        assert_eq!(PhotoFormat::Jpeg.check(&image_tests::jpeg(4032, 3024)), Ok(()));
        assert_eq!(PhotoFormat::Webp.check(image_tests::WEBP_1X1), Ok(()));
        assert_eq!(PhotoFormat::Jpeg.check(&image_tests::png(1, 1)), Err(PhotoError::WrongContent));
        assert_eq!(PhotoFormat::Png.check(&image_tests::png(16_385, 1)), Err(PhotoError::Dimensions));
        assert_eq!(PhotoFormat::Png.check(b"<svg onload=alert(1)>"), Err(PhotoError::WrongContent));
        assert_eq!(PhotoFormat::Png.check(b""), Err(PhotoError::Empty));
        let mut big = b"\xFF\xD8\xFF".to_vec();
        big.resize(MAX_PHOTO_BYTES + 1, 0);
        assert_eq!(PhotoFormat::Jpeg.check(&big), Err(PhotoError::TooLarge));
    }
}
