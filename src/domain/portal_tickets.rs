//! A portal's ticket settings: which of the tenant's tickets it shows, to whom, how their
//! status reads, what the support form asks and what a reply to a closed ticket does. Stored
//! on the portal row (the rules and the form as JSON) and cached with the portal's context.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::tickets::Priority;
use crate::i18n::Language;

/// Which tickets a recipient sees.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// The tickets they are the requester of.
    #[default]
    Own,
    /// Also every ticket of their customer (their company).
    Organisation,
}

impl Visibility {
    pub fn parse(code: &str) -> Result<Visibility, &'static str> {
        match code {
            "own" => Ok(Visibility::Own),
            "organisation" => Ok(Visibility::Organisation),
            _ => Err("must be own or organisation"),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Visibility::Own => "own",
            Visibility::Organisation => "organisation",
        }
    }
}

/// How a ticket's status reads in the portal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusDisplay {
    /// "Open" or "Closed", whatever the stage.
    #[default]
    OpenClosed,
    /// The stage's name, as the provider named it.
    Stages,
}

impl StatusDisplay {
    pub fn parse(code: &str) -> Result<StatusDisplay, &'static str> {
        match code {
            "open_closed" => Ok(StatusDisplay::OpenClosed),
            "stages" => Ok(StatusDisplay::Stages),
            _ => Err("must be open_closed or stages"),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            StatusDisplay::OpenClosed => "open_closed",
            StatusDisplay::Stages => "stages",
        }
    }
}

/// What a recipient's reply to a closed ticket does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClosedReplies {
    /// The reply is kept and the ticket moves to its pipeline's first open stage.
    #[default]
    Reopen,
    /// The reply box is gone and a posted reply is refused.
    Refuse,
}

impl ClosedReplies {
    pub fn parse(code: &str) -> Result<ClosedReplies, &'static str> {
        match code {
            "reopen" => Ok(ClosedReplies::Reopen),
            "refuse" => Ok(ClosedReplies::Refuse),
            _ => Err("must be reopen or refuse"),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ClosedReplies::Reopen => "reopen",
            ClosedReplies::Refuse => "refuse",
        }
    }
}

/// A rule on a custom property: the ticket's value must be one of `values`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PropertyRule {
    pub key: String,
    pub values: Vec<serde_json::Value>,
}

/// Which of the tenant's tickets the portal shows. Every non-empty rule must hold; an empty
/// rule set shows them all (within each recipient's visibility).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TicketRules {
    pub pipelines: Vec<String>,
    pub inboxes: Vec<String>,
    pub priorities: Vec<Priority>,
    pub properties: Vec<PropertyRule>,
}

/// At most this many values across a portal's rules: bounds the work each listed row costs.
pub const MAX_RULE_VALUES: usize = 50;

impl TicketRules {
    /// The rules as the SQL parameters of the tickets' visibility condition: a JSON array per
    /// built-in rule and `[{"path": "$.key", "values": [...]}]` for custom properties; NULL
    /// where there is no rule. Keys are property keys (`[a-z][a-z0-9_]*`, checked when the
    /// rules were saved), so the path needs no quoting.
    pub fn sql_params(&self) -> [Option<String>; 4] {
        fn array<T: Serialize>(values: &[T]) -> Option<String> {
            (!values.is_empty()).then(|| serde_json::to_string(values).unwrap_or_else(|_| "[]".into()))
        }
        let properties: Vec<serde_json::Value> = self
            .properties
            .iter()
            .map(|rule| serde_json::json!({ "path": format!("$.{}", rule.key), "values": rule.values }))
            .collect();
        [array(&self.pipelines), array(&self.inboxes), array(&self.priorities), array(&properties)]
    }

    pub fn value_count(&self) -> usize {
        self.pipelines.len()
            + self.inboxes.len()
            + self.priorities.len()
            + self.properties.iter().map(|rule| rule.values.len().max(1)).sum::<usize>()
    }
}

/// A support form field beyond subject and description: a ticket property (`priority` or a
/// custom property's key), required or not, labelled per language (else the property's name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormField {
    pub property: String,
    pub required: bool,
    #[serde(default)]
    pub labels: BTreeMap<Language, String>,
}

impl FormField {
    pub fn label<'a>(&'a self, lang: Language, fallback: &'a str) -> &'a str {
        self.labels.get(&lang).or_else(|| self.labels.get(&Language::En)).map_or(fallback, String::as_str)
    }
}

/// At most this many extra fields on the support form.
pub const MAX_FORM_FIELDS: usize = 20;

/// Everything a portal decides about tickets.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TicketSettings {
    pub visibility: Visibility,
    pub status_display: StatusDisplay,
    pub closed_replies: ClosedReplies,
    /// The inbox the support form's tickets land in.
    pub inbox_id: Option<String>,
    /// The pipeline they start in (None: the tenant's first pipeline).
    pub pipeline_id: Option<String>,
    pub rules: TicketRules,
    pub form: Vec<FormField>,
    /// After a ticket closes, ask its requester for a rating.
    pub satisfaction: bool,
}

/// What a recipient may see: their portal's visibility unless their account overrides it,
/// and never the organisation's tickets without an organisation to belong to.
pub fn effective_visibility(portal: Visibility, account: Option<Visibility>, has_customer: bool) -> Visibility {
    match account.unwrap_or(portal) {
        Visibility::Organisation if has_customer => Visibility::Organisation,
        _ => Visibility::Own,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_account_override_wins_over_the_portal_setting() {
        assert_eq!(
            effective_visibility(Visibility::Own, Some(Visibility::Organisation), true),
            Visibility::Organisation
        );
        assert_eq!(effective_visibility(Visibility::Organisation, Some(Visibility::Own), true), Visibility::Own);
        assert_eq!(effective_visibility(Visibility::Organisation, None, true), Visibility::Organisation);
    }

    #[test]
    fn nobody_without_a_customer_sees_organisation_tickets() {
        assert_eq!(effective_visibility(Visibility::Organisation, None, false), Visibility::Own);
        assert_eq!(effective_visibility(Visibility::Own, Some(Visibility::Organisation), false), Visibility::Own);
    }

    #[test]
    fn empty_rules_bind_no_condition_and_custom_rules_become_json_paths() {
        assert_eq!(TicketRules::default().sql_params(), [None, None, None, None]);
        let rules = TicketRules {
            pipelines: vec!["p1".into()],
            priorities: vec![Priority::High],
            properties: vec![PropertyRule { key: "region".into(), values: vec![serde_json::json!("EU")] }],
            ..TicketRules::default()
        };
        let [pipelines, inboxes, priorities, properties] = rules.sql_params();
        assert_eq!(pipelines.as_deref(), Some(r#"["p1"]"#));
        assert_eq!(inboxes, None);
        assert_eq!(priorities.as_deref(), Some(r#"["high"]"#));
        assert_eq!(properties.as_deref(), Some(r#"[{"path":"$.region","values":["EU"]}]"#));
    }

    #[test]
    fn a_form_label_falls_back_to_english_then_to_the_property_name() {
        let mut field = FormField { property: "region".into(), required: true, labels: BTreeMap::new() };
        assert_eq!(field.label(Language::Da, "Region"), "Region");
        field.labels.insert(Language::En, "Your region".into());
        assert_eq!(field.label(Language::Da, "Region"), "Your region");
        field.labels.insert(Language::Da, "Din region".into());
        assert_eq!(field.label(Language::Da, "Region"), "Din region");
    }
}
