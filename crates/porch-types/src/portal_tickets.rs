//! A portal's ticket settings: which of the tenant's tickets it shows, to whom, how their
//! status reads, what the support form asks and what a reply to a closed ticket does. Stored
//! on the portal row (the rules and the form as JSON) and cached with the portal's context.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::ids::{InboxId, PipelineId};
use crate::language::Language;
use crate::text::Label;
use crate::tickets::{Priority, PropertyKind};

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
    /// Whether a ticket with these fields passes the rules: the same test the portal's SQL
    /// makes (`store::portal_tickets`), for code that holds the ticket already (an email
    /// about a ticket the portal would hide links nowhere, so none is sent).
    pub fn admits(
        &self,
        pipeline: &str,
        inbox: Option<&str>,
        priority: Priority,
        properties: &serde_json::Map<String, serde_json::Value>,
    ) -> bool {
        (self.pipelines.is_empty() || self.pipelines.iter().any(|p| p == pipeline))
            && (self.inboxes.is_empty() || inbox.is_some_and(|inbox| self.inboxes.iter().any(|i| i == inbox)))
            && (self.priorities.is_empty() || self.priorities.contains(&priority))
            && self.properties.iter().all(|rule| {
                properties
                    .get(&rule.key)
                    .is_some_and(|value| rule.values.iter().any(|allowed| same_value(allowed, value)))
            })
    }
}

/// Equal as the portal's SQL compares them: numbers by value (the form stores 3 as 3.0, a
/// rule may say 3), everything else exactly.
fn same_value(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() < f64::EPSILON,
        _ => a == b,
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
    /// The label in `lang`, else in English, else `fallback`.
    pub fn label<'a>(&'a self, lang: Language, fallback: &'a str) -> &'a str {
        self.label_language(lang).and_then(|found| self.labels.get(&found)).map_or(fallback, String::as_str)
    }

    /// The language of the label `label` picks for `lang`; None when it falls back.
    pub fn label_language(&self, lang: Language) -> Option<Language> {
        [lang, Language::En].into_iter().find(|candidate| self.labels.contains_key(candidate))
    }
}

/// At most this many extra fields on the support form.
pub const MAX_FORM_FIELDS: usize = 20;

/// Everything a portal decides about tickets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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

impl Default for TicketSettings {
    /// A new portal's settings, as the schema's column defaults have them (ratings asked:
    /// a derived default would say false).
    fn default() -> TicketSettings {
        TicketSettings {
            visibility: Visibility::default(),
            status_display: StatusDisplay::default(),
            closed_replies: ClosedReplies::default(),
            inbox_id: None,
            pipeline_id: None,
            rules: TicketRules::default(),
            form: Vec::new(),
            satisfaction: true,
        }
    }
}

impl TicketSettings {
    /// The settings as the admin API shows them and the audit log keeps them: the shape a
    /// PUT accepts.
    pub fn to_json(&self) -> serde_json::Value {
        // Nothing here can fail to serialise (every map key is a language code); Null would
        // only ever stand for a bug, never for a panic in the isolate.
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// What a tenant has that ticket settings may name, loaded by the caller so the parsers
/// below stay pure: its pipelines, its inboxes and its custom properties with their kinds.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub pipelines: Vec<PipelineId>,
    pub inboxes: Vec<InboxId>,
    pub properties: Vec<(String, PropertyKind)>,
}

impl Catalog {
    fn kind_of(&self, key: &str) -> Option<&PropertyKind> {
        self.properties.iter().find(|(known, _)| known == key).map(|(_, kind)| kind)
    }

    /// A pipeline id of this tenant, in its stored form.
    pub fn pipeline(&self, raw: &str) -> Result<String, &'static str> {
        PipelineId::parse(raw)
            .filter(|id| self.pipelines.contains(id))
            .map(PipelineId::to_db)
            .ok_or("no such pipeline of this tenant")
    }

    /// An inbox id of this tenant, in its stored form.
    pub fn inbox(&self, raw: &str) -> Result<String, &'static str> {
        InboxId::parse(raw)
            .filter(|id| self.inboxes.contains(id))
            .map(InboxId::to_db)
            .ok_or("no such inbox of this tenant")
    }
}

/// `rules` as a request sends them. A list left out is no rule of that kind: the object is
/// the whole rule set, not a patch of the current one.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesInput {
    #[serde(default)]
    pub pipelines: Vec<String>,
    #[serde(default)]
    pub inboxes: Vec<String>,
    #[serde(default)]
    pub priorities: Vec<String>,
    #[serde(default)]
    pub properties: Vec<PropertyRuleInput>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropertyRuleInput {
    pub key: Option<String>,
    #[serde(default)]
    pub values: Vec<serde_json::Value>,
}

/// One support form field as a request sends it. Labels arrive keyed by any text so an
/// unknown language is a field error naming it, not a 400 for the whole body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormFieldInput {
    pub property: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// A form label: one line, as long as a label fits beside its field.
const MAX_LABEL_CHARS: usize = 80;

/// Each item of `raw` parsed, the errors recorded at `field[index]`; an item equal to an
/// earlier one is refused, so a rule's values (and the count bounded above) mean something.
fn parse_each<R, T: PartialEq>(
    field: &str,
    raw: &[R],
    parse: impl Fn(&R) -> Result<T, String>,
    errors: &mut Vec<FieldError>,
) -> Vec<T> {
    let mut parsed = Vec::with_capacity(raw.len());
    for (index, item) in raw.iter().enumerate() {
        match parse(item)
            .and_then(|value| if parsed.contains(&value) { Err("appears twice".into()) } else { Ok(value) })
        {
            Ok(value) => parsed.push(value),
            Err(message) => errors.push(FieldError::new(&format!("{field}[{index}]"), message)),
        }
    }
    parsed
}

/// The rules of a request: ids of this tenant's pipelines and inboxes, priorities, and
/// values of the tenant's custom properties valid for each property's kind; at most
/// `MAX_RULE_VALUES` values in all. Errors are recorded under `rules...`; None if any.
///
/// A rule may later name a pipeline or inbox that has since been deleted: it then matches
/// none of that one's tickets, which is what the rule asked for, so deletion leaves it be.
pub fn parse_rules(raw: &RulesInput, catalog: &Catalog, errors: &mut Vec<FieldError>) -> Option<TicketRules> {
    let before = errors.len();
    // Counted before anything is parsed, so an oversized list costs one error, not one per item.
    let count = raw.pipelines.len()
        + raw.inboxes.len()
        + raw.priorities.len()
        + raw.properties.iter().map(|rule| rule.values.len().max(1)).sum::<usize>();
    if count > MAX_RULE_VALUES {
        errors.push(FieldError::new("rules", format!("must list at most {MAX_RULE_VALUES} values in all")));
        return None;
    }
    let pipelines = parse_each("rules.pipelines", &raw.pipelines, |id| Ok(catalog.pipeline(id)?), errors);
    let inboxes = parse_each("rules.inboxes", &raw.inboxes, |id| Ok(catalog.inbox(id)?), errors);
    let priorities = parse_each("rules.priorities", &raw.priorities, |code| Ok(Priority::parse(code)?), errors);
    let mut properties: Vec<PropertyRule> = Vec::with_capacity(raw.properties.len());
    for (index, rule) in raw.properties.iter().enumerate() {
        let field = |name: &str| format!("rules.properties[{index}].{name}");
        let Some(key) = rule.key.as_deref() else {
            errors.push(FieldError::new(&field("key"), "is required"));
            continue;
        };
        let Some(kind) = catalog.kind_of(key) else {
            errors.push(FieldError::new(&field("key"), "no such ticket property of this tenant"));
            continue;
        };
        if properties.iter().any(|earlier| earlier.key == key) {
            errors.push(FieldError::new(&field("key"), "appears twice"));
            continue;
        }
        if rule.values.is_empty() {
            // A rule without values would hide every ticket: surely not what was meant.
            errors.push(FieldError::new(&field("values"), "must list at least one value"));
            continue;
        }
        let values = parse_each(
            &field("values"),
            &rule.values,
            |value| crate::tickets::check_property_value(kind, value).map(|()| value.clone()),
            errors,
        );
        properties.push(PropertyRule { key: key.to_owned(), values });
    }
    (errors.len() == before).then_some(TicketRules { pipelines, inboxes, priorities, properties })
}

/// The support form's extra fields of a request: at most `MAX_FORM_FIELDS`, each the
/// priority or a custom property of the tenant, none twice, labels in our languages.
/// Errors are recorded under `form...`; None if any.
pub fn parse_form(raw: &[FormFieldInput], catalog: &Catalog, errors: &mut Vec<FieldError>) -> Option<Vec<FormField>> {
    let before = errors.len();
    if raw.len() > MAX_FORM_FIELDS {
        errors.push(FieldError::new("form", format!("must list at most {MAX_FORM_FIELDS} fields")));
        return None;
    }
    let mut fields: Vec<FormField> = Vec::with_capacity(raw.len());
    for (index, input) in raw.iter().enumerate() {
        let at = |name: &str| format!("form[{index}].{name}");
        let mut labels = BTreeMap::new();
        for (code, text) in &input.labels {
            let field = at(&format!("labels.{code}"));
            match Language::ALL.into_iter().find(|lang| lang.code() == code) {
                Some(lang) => match Label::parse(text, MAX_LABEL_CHARS) {
                    Ok(label) => {
                        labels.insert(lang, label.as_str().to_owned());
                    }
                    Err(err) => errors.push(FieldError::new(&field, err)),
                },
                None => errors.push(FieldError::new(&field, "is not one of the languages en, da, nb")),
            }
        }
        let property = match input.property.as_deref() {
            None => Err("is required"),
            Some(key) if key != "priority" && catalog.kind_of(key).is_none() => {
                Err("must be priority or the key of a ticket property of this tenant")
            }
            Some(key) if fields.iter().any(|earlier| earlier.property == key) => Err("appears twice"),
            Some(key) => Ok(key.to_owned()),
        };
        match property {
            Ok(property) => fields.push(FormField { property, required: input.required, labels }),
            Err(message) => errors.push(FieldError::new(&at("property"), message)),
        }
    }
    (errors.len() == before).then_some(fields)
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
    fn rules_name_only_the_tenants_own_things_each_once_with_values_of_their_kind() {
        let pipeline = PipelineId::from_random([1; 16]).to_db();
        let raw: RulesInput = serde_json::from_value(serde_json::json!({
            "pipelines": [pipeline, PipelineId::from_random([9; 16]).to_db(), pipeline],
            "priorities": ["high", "soon"],
            "properties": [
                { "key": "region", "values": ["EU", "Mars"] },
                { "key": "units", "values": [3, "three"] },
                { "key": "colour", "values": ["red"] },
                { "key": "region", "values": ["US"] },
                { "key": "notes", "values": [] }
            ]
        }))
        .unwrap();
        let mut errors = Vec::new();
        assert!(parse_rules(&raw, &catalog(), &mut errors).is_none());
        assert_eq!(
            fields(&errors),
            [
                "rules.pipelines[1]",
                "rules.pipelines[2]",
                "rules.priorities[1]",
                "rules.properties[0].values[1]",
                "rules.properties[1].values[1]",
                "rules.properties[2].key",
                "rules.properties[3].key",
                "rules.properties[4].values",
            ]
        );

        let raw: RulesInput = serde_json::from_value(serde_json::json!({
            "pipelines": [pipeline.to_uppercase()],
            "properties": [{ "key": "units", "values": [3, 4.5] }]
        }))
        .unwrap();
        let rules = parse_rules(&raw, &catalog(), &mut errors).unwrap();
        assert_eq!(rules.pipelines, [pipeline], "ids are kept in their stored form");
        assert_eq!(rules.properties[0].values, [serde_json::json!(3), serde_json::json!(4.5)]);
    }

    #[test]
    fn more_rule_values_than_the_bound_is_one_error_on_the_rules() {
        let raw = RulesInput { priorities: vec!["nope".into(); MAX_RULE_VALUES + 1], ..RulesInput::default() };
        let mut errors = Vec::new();
        assert!(parse_rules(&raw, &catalog(), &mut errors).is_none());
        assert_eq!(fields(&errors), ["rules"]);
    }

    #[test]
    fn form_fields_name_the_priority_or_a_property_once_with_labels_in_our_languages() {
        let raw: Vec<FormFieldInput> = serde_json::from_value(serde_json::json!([
            { "property": "priority", "required": true, "labels": { "en": " Urgency ", "da": "Hast" } },
            { "property": "region", "labels": { "de": "Region", "nb": "" } },
            { "property": "subject" },
            { "property": "priority" },
            { "required": true }
        ]))
        .unwrap();
        let mut errors = Vec::new();
        assert!(parse_form(&raw, &catalog(), &mut errors).is_none());
        assert_eq!(
            fields(&errors),
            ["form[1].labels.de", "form[1].labels.nb", "form[2].property", "form[3].property", "form[4].property"]
        );

        let form = parse_form(raw.get(..1).unwrap(), &catalog(), &mut Vec::new()).unwrap();
        assert_eq!(form[0].label(Language::En, "Priority"), "Urgency", "labels are trimmed");
        assert!(form[0].required);
        let too_many: Vec<FormFieldInput> = (0..=MAX_FORM_FIELDS)
            .map(|_| FormFieldInput { property: None, required: false, labels: BTreeMap::new() })
            .collect();
        errors.clear();
        assert!(parse_form(&too_many, &catalog(), &mut errors).is_none());
        assert_eq!(fields(&errors), ["form"]);
    }

    #[test]
    fn a_ticket_passes_the_rules_only_when_every_set_rule_holds() {
        let rules = TicketRules {
            pipelines: vec!["support".into()],
            priorities: vec![Priority::High, Priority::Urgent],
            properties: vec![PropertyRule { key: "region".into(), values: vec![serde_json::json!("EU")] }],
            ..TicketRules::default()
        };
        let mut properties = serde_json::Map::new();
        properties.insert("region".into(), serde_json::json!("EU"));
        assert!(rules.admits("support", None, Priority::High, &properties));
        assert!(!rules.admits("sales", None, Priority::High, &properties));
        assert!(!rules.admits("support", None, Priority::Low, &properties));
        assert!(!rules.admits("support", None, Priority::High, &serde_json::Map::new()), "a missing value fails");
        assert!(TicketRules::default().admits("any", None, Priority::Low, &serde_json::Map::new()));
        let sized = TicketRules {
            properties: vec![PropertyRule { key: "size".into(), values: vec![serde_json::json!(3)] }],
            ..TicketRules::default()
        };
        let mut three = serde_json::Map::new();
        three.insert("size".into(), serde_json::json!(3.0));
        assert!(sized.admits("any", None, Priority::Low, &three), "3.0 is 3, as in SQL");
        let inboxes = TicketRules { inboxes: vec!["desk".into()], ..TicketRules::default() };
        assert!(!inboxes.admits("any", None, Priority::Low, &serde_json::Map::new()), "no inbox is not the inbox");
    }

    fn catalog() -> Catalog {
        Catalog {
            pipelines: vec![PipelineId::from_random([1; 16])],
            inboxes: vec![InboxId::from_random([2; 16])],
            properties: vec![
                ("region".into(), PropertyKind::Choice(vec!["EU".into(), "US".into()])),
                ("units".into(), PropertyKind::Number),
                ("notes".into(), PropertyKind::Text),
            ],
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
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
