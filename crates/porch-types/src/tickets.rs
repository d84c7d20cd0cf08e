//! Ticket set-up values: a pipeline's definition (ordered stages, open or closed) and the
//! tenant's custom ticket properties, each parsed with every problem reported by field.

use std::collections::HashSet;

use crate::error::FieldError;
use crate::ids::StageId;
use crate::text::Label;

/// A pipeline may have at most this many stages: enough for any help desk, small enough
/// for one batch.
pub const MAX_STAGES: usize = 30;

/// One stage as a provider defines it. `id` names an existing stage (kept, renamed or
/// moved); None makes a new one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageSpec {
    pub id: Option<StageId>,
    pub name: Label,
    pub closed: bool,
    pub notify_requester: bool,
}

/// A stage as it arrives in a request, before checking.
pub struct RawStage<'a> {
    pub id: Option<&'a str>,
    pub name: Option<&'a str>,
    pub closed: Option<bool>,
    pub notify_requester: Option<bool>,
}

/// The stages of a pipeline, in order: 1 to 30, names unique (ignoring case), at least one
/// open stage (where tickets start) and one closed (where they end).
pub fn parse_stages(raw: &[RawStage<'_>], errors: &mut Vec<FieldError>) -> Option<Vec<StageSpec>> {
    let before = errors.len();
    if raw.is_empty() || raw.len() > MAX_STAGES {
        errors.push(FieldError::new("stages", format!("must list 1 to {MAX_STAGES} stages")));
        return None;
    }
    let mut names = HashSet::new();
    let mut ids = HashSet::new();
    let mut stages = Vec::with_capacity(raw.len());
    for (index, stage) in raw.iter().enumerate() {
        let field = |name: &str| format!("stages[{index}].{name}");
        let id = match stage.id {
            Some(text) => match StageId::parse(text) {
                Some(id) if ids.insert(id) => Some(id),
                Some(_) => {
                    errors.push(FieldError::new(&field("id"), "appears twice"));
                    None
                }
                None => {
                    errors.push(FieldError::new(&field("id"), "is not a stage id"));
                    None
                }
            },
            None => None,
        };
        let name = match stage.name.map(|n| Label::parse(n, 60)) {
            Some(Ok(name)) if names.insert(name.as_str().to_lowercase()) => Some(name),
            Some(Ok(_)) => {
                errors.push(FieldError::new(&field("name"), "is used by another stage of this pipeline"));
                None
            }
            Some(Err(err)) => {
                errors.push(FieldError::new(&field("name"), err));
                None
            }
            None => {
                errors.push(FieldError::new(&field("name"), "is required"));
                None
            }
        };
        if let Some(name) = name {
            stages.push(StageSpec {
                id,
                name,
                closed: stage.closed.unwrap_or(false),
                notify_requester: stage.notify_requester.unwrap_or(false),
            });
        }
    }
    if !stages.iter().any(|s| !s.closed) || !stages.iter().any(|s| s.closed) {
        errors.push(FieldError::new("stages", "needs at least one open and one closed stage"));
    }
    (errors.len() == before).then_some(stages)
}

/// The built-in ticket fields: a custom property may not take their names.
pub const BUILT_IN_PROPERTIES: &[&str] =
    &["subject", "description", "priority", "pipeline", "stage", "requester", "customer", "inbox", "status", "id"];

/// A custom property's key: `[a-z][a-z0-9_]*`, at most 40 characters, not a built-in name.
pub fn parse_property_key(raw: &str) -> Result<String, &'static str> {
    let shaped = (1..=40).contains(&raw.len())
        && raw.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !shaped {
        return Err("must be 1 to 40 characters: lower-case letters, digits and _, starting with a letter");
    }
    if BUILT_IN_PROPERTIES.contains(&raw) {
        return Err("is the name of a built-in ticket field");
    }
    Ok(raw.to_owned())
}

/// What a custom property holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PropertyKind {
    Text,
    Number,
    /// One of these values (1 to 50, unique, each a short label).
    Choice(Vec<String>),
}

impl PropertyKind {
    pub fn code(&self) -> &'static str {
        match self {
            PropertyKind::Text => "text",
            PropertyKind::Number => "number",
            PropertyKind::Choice(_) => "choice",
        }
    }

    pub fn parse(kind: &str, choices: Option<&[String]>) -> Result<PropertyKind, (&'static str, String)> {
        match (kind, choices) {
            ("text", None) => Ok(PropertyKind::Text),
            ("number", None) => Ok(PropertyKind::Number),
            ("text" | "number", Some(_)) => Err(("choices", "only a choice property has choices".into())),
            ("choice", Some(values)) => {
                let mut seen = HashSet::new();
                let mut parsed = Vec::new();
                if values.is_empty() || values.len() > 50 {
                    return Err(("choices", "must list 1 to 50 values".into()));
                }
                for value in values {
                    let label = Label::parse(value, 60).map_err(|e| ("choices", e.to_string()))?;
                    if !seen.insert(label.as_str().to_lowercase()) {
                        return Err(("choices", format!("\"{}\" appears twice", label.as_str())));
                    }
                    parsed.push(label.as_str().to_owned());
                }
                Ok(PropertyKind::Choice(parsed))
            }
            ("choice", None) => Err(("choices", "a choice property needs its choices".into())),
            _ => Err(("kind", "must be one of text, number, choice".into())),
        }
    }
}

/// A ticket's priority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    /// Every priority, lowest first.
    pub const ALL: [Priority; 4] = [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent];

    pub fn parse(code: &str) -> Result<Priority, &'static str> {
        match code {
            "low" => Ok(Priority::Low),
            "normal" => Ok(Priority::Normal),
            "high" => Ok(Priority::High),
            "urgent" => Ok(Priority::Urgent),
            _ => Err("must be one of low, normal, high, urgent"),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }
}

/// A ticket list's cursor, `<position>_<ticket id>`: the previous page's last ticket, where
/// the position is what the list is ordered by (activity time, or number).
pub fn cursor(position: i64, ticket_id: &str) -> String {
    format!("{position}_{ticket_id}")
}

/// A cursor made by `cursor`; None for anything else.
pub fn parse_cursor(raw: &str) -> Option<(i64, String)> {
    let (position, id) = raw.split_once('_')?;
    let position = position.parse().ok().filter(|p: &i64| *p >= 0)?;
    Some((position, crate::ids::TicketId::parse(id)?.to_db()))
}

/// The longest message body: a long email's worth, bounded so one request cannot store
/// megabytes of text.
pub const MAX_BODY_CHARS: usize = 20_000;

/// A message's text: trimmed, not empty, at most 20,000 characters, prose by
/// `text::check_prose` (no control characters but line breaks and tabs, no bidi overrides;
/// it is shown as plain text, escaped).
pub fn parse_body(raw: &str) -> Result<String, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Err("must not be empty".into());
    }
    if text.chars().count() > MAX_BODY_CHARS {
        return Err(format!("must be at most {MAX_BODY_CHARS} characters"));
    }
    crate::text::check_prose(text).map_err(|e| e.to_string())?;
    Ok(text.replace("\r\n", "\n"))
}

/// A custom property's value checked against its kind: text up to 2,000 characters, a
/// finite number, or one of the property's choices.
pub fn check_property_value(kind: &PropertyKind, value: &serde_json::Value) -> Result<(), String> {
    match (kind, value) {
        (PropertyKind::Text, serde_json::Value::String(text))
            if text.chars().count() <= 2_000 && crate::text::check_line(text).is_ok() =>
        {
            Ok(())
        }
        (PropertyKind::Text, _) => {
            Err("must be one line of text of at most 2000 characters, without invisible formatting characters".into())
        }
        (PropertyKind::Number, serde_json::Value::Number(_)) => Ok(()),
        (PropertyKind::Number, _) => Err("must be a number".into()),
        (PropertyKind::Choice(choices), serde_json::Value::String(text)) if choices.contains(text) => Ok(()),
        (PropertyKind::Choice(choices), _) => Err(format!("must be one of: {}", choices.join(", "))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn stage(name: &str, closed: bool) -> RawStage<'_> {
        RawStage { id: None, name: Some(name), closed: Some(closed), notify_requester: None }
    }

    #[test]
    fn a_pipeline_needs_an_open_and_a_closed_stage_with_distinct_names() {
        let mut errors = Vec::new();
        let ok = parse_stages(&[stage("New", false), stage("Solved", true)], &mut errors).unwrap();
        assert_eq!(ok.len(), 2);
        assert!(errors.is_empty());

        assert!(parse_stages(&[stage("New", false)], &mut errors).is_none());
        assert_eq!(errors.pop().unwrap().field, "stages");
        errors.clear();
        assert!(parse_stages(&[stage("New", false), stage("new", true)], &mut errors).is_none());
        assert!(errors.iter().any(|e| e.field == "stages[1].name"), "{errors:?}");
        assert!(parse_stages(&[], &mut errors).is_none());
    }

    #[test]
    fn message_bodies_are_trimmed_bounded_and_plain() {
        assert_eq!(parse_body("  Hello\r\nthere \n"), Ok("Hello\nthere".into()));
        assert!(parse_body("   ").is_err());
        assert!(parse_body("a\u{0}b").is_err());
        assert!(parse_body(&"x".repeat(MAX_BODY_CHARS + 1)).is_err());
    }

    #[test]
    fn property_values_must_fit_their_kind() {
        let choice = PropertyKind::Choice(vec!["X200".into()]);
        assert!(check_property_value(&choice, &serde_json::json!("X200")).is_ok());
        assert!(check_property_value(&choice, &serde_json::json!("X999")).is_err());
        assert!(check_property_value(&PropertyKind::Number, &serde_json::json!(3.5)).is_ok());
        assert!(check_property_value(&PropertyKind::Number, &serde_json::json!("3")).is_err());
        assert!(check_property_value(&PropertyKind::Text, &serde_json::json!(3)).is_err());
    }

    #[test]
    fn property_keys_are_plain_and_never_built_in_names() {
        assert_eq!(parse_property_key("serial_number"), Ok("serial_number".into()));
        assert!(parse_property_key("subject").is_err());
        assert!(parse_property_key("Serial").is_err());
        assert!(parse_property_key("9lives").is_err());
        assert!(parse_property_key("").is_err());
    }

    #[test]
    fn choice_properties_need_unique_choices_and_others_none() {
        let choices = vec!["Low".to_owned(), "High".to_owned()];
        assert_eq!(PropertyKind::parse("choice", Some(&choices)), Ok(PropertyKind::Choice(choices.clone())));
        assert!(PropertyKind::parse("choice", None).is_err());
        assert!(PropertyKind::parse("text", Some(&choices)).is_err());
        assert!(PropertyKind::parse("choice", Some(&["A".to_owned(), "a".to_owned()])).is_err());
        assert!(PropertyKind::parse("date", None).is_err());
    }
}
