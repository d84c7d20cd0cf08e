//! A portal's ticket settings page (`views::console_portal_tickets`). Saving sends a
//! `SettingsInput` to `app::ticket_settings::update`, exactly what `updateTicketSettings`
//! calls: the same checks, versioned write, audit entry and cache refresh. The form carries
//! the portal's version, so a change made meanwhile is never written over unseen. Rules on
//! ticket properties have no editor here: they are sent back as they were.

use std::collections::BTreeMap;

use super::sign_in::{drawn_version, field};
use super::{tenant_of, Console, Person};
use crate::app::ticket_settings::{self as rules, SettingsInput};
use crate::http::Response;
use crate::i18n::{Language, Translations as _};
use crate::runtime::Runtime;
use crate::store::inboxes::{self, InboxRow};
use crate::store::pipelines::{self, PipelineRow};
use crate::store::portals::{self, PortalRow};
use crate::store::ticket_properties::{self, PropertyRow};
use crate::store::{decode_rows, portal_context, tenants, Database, PortalScope, Statement};
use crate::views::console_portal_tickets::{self as view, FieldDraft, TicketsDraft, TicketsView};
use crate::views::form::Problems;
use porch_types::error::{AppError, FieldError};
use porch_types::ids::{PortalId, TenantId};
use porch_types::portal_tickets::{FormFieldInput, PropertyRuleInput, RulesInput, TicketSettings, MAX_FORM_FIELDS};

fn ids(raw_tenant: &str, raw_portal: &str) -> Option<PortalScope> {
    Some(PortalScope { tenant: TenantId::parse(raw_tenant)?, portal: PortalId::parse(raw_portal)? })
}

fn statements(scope: PortalScope) -> Vec<Statement> {
    vec![
        tenants::get_statement(scope.tenant),
        portals::get_statement(scope.tenant, scope.portal),
        portal_context::for_portal_statement(scope),
        pipelines::list_statement(scope.tenant),
        inboxes::list_statement(scope.tenant),
        ticket_properties::list_statement(scope.tenant),
    ]
}

/// The page's reads: the tenant, the portal and its settings, and what they may name.
pub fn reads(raw_tenant: &str, raw_portal: &str) -> Vec<Statement> {
    ids(raw_tenant, raw_portal).map(statements).unwrap_or_default()
}

/// What the page shows, as read.
struct Loaded {
    tenant: tenants::TenantRow,
    portal: PortalRow,
    settings: TicketSettings,
    pipelines: Vec<PipelineRow>,
    inboxes: Vec<InboxRow>,
    properties: Vec<PropertyRow>,
}

fn loaded(rows: Vec<Vec<serde_json::Value>>) -> Result<Loaded, AppError> {
    let mut rows = rows.into_iter();
    let tenant = tenant_of(&mut rows)?;
    let portal = decode_rows::<PortalRow>(rows.next())?.into_iter().next().ok_or(AppError::NotFound)?;
    let settings = portal_context::decode(rows.next())?.ok_or(AppError::NotFound)?.tickets;
    Ok(Loaded {
        tenant,
        portal,
        settings,
        pipelines: decode_rows(rows.next())?,
        inboxes: decode_rows(rows.next())?,
        properties: decode_rows(rows.next())?,
    })
}

fn draw<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    loaded: &Loaded,
    (status, draft, problems): (u16, Option<TicketsDraft>, &Problems),
    notice: Option<&str>,
) -> Result<Response, AppError> {
    let draft = draft.unwrap_or_else(|| TicketsDraft::of(&loaded.settings));
    let csrf = console.csrf_token()?;
    let who = console.who(person.session, &csrf);
    let page = TicketsView {
        tenant: &loaded.tenant,
        portal: &loaded.portal,
        draft: &draft,
        pipelines: &loaded.pipelines,
        inboxes: &loaded.inboxes,
        properties: &loaded.properties,
        property_rules: loaded.settings.rules.properties.len(),
        problems,
        notice,
        editable: person.role.can_change_settings(),
    };
    Ok(console.with_csrf(Response::html(status, view::page(console.lang, &who, &page)), &csrf))
}

pub fn page<R: Runtime>(console: &Console<'_, R>, raw_tenant: &str, raw_portal: &str) -> Result<Response, AppError> {
    let scope = ids(raw_tenant, raw_portal).ok_or(AppError::NotFound)?;
    let person = console.person_for(scope.tenant)?;
    let loaded = loaded(console.prefetched.clone())?;
    let notice =
        (console.req.query_param("done").as_deref() == Some("saved")).then_some(console.lang.portal_tickets().saved);
    draw(console, &person, &loaded, (200, None, &Problems::default()), notice)
}

/// The values ticked among `rule-<kind>-<value>` boxes.
fn ticked(fields: &[(String, String)], kind: &str) -> Vec<String> {
    let prefix = format!("rule-{kind}-");
    fields
        .iter()
        .filter(|(_, value)| value == "yes")
        .filter_map(|(name, _)| name.strip_prefix(&prefix).map(str::to_owned))
        .collect()
}

/// The form as typed. A field row without a property is no field: it is how one is removed.
fn typed(fields: &[(String, String)]) -> TicketsDraft {
    let rows = (0..MAX_FORM_FIELDS)
        .map(|index| {
            let row = |name: &str| field(fields, &format!("field-{index}-{name}")).to_owned();
            FieldDraft {
                property: row("property"),
                required: row("required") == "yes",
                labels: Language::ALL.map(|lang| row(&format!("label-{}", lang.code()))),
            }
        })
        .filter(|row| !row.property.is_empty())
        .collect();
    TicketsDraft {
        visibility: field(fields, "visibility").to_owned(),
        status_display: field(fields, "status_display").to_owned(),
        closed_replies: field(fields, "closed_replies").to_owned(),
        satisfaction: field(fields, "satisfaction") == "yes",
        inbox: field(fields, "inbox_id").to_owned(),
        pipeline: field(fields, "pipeline_id").to_owned(),
        rule_pipelines: ticked(fields, "pipeline"),
        rule_inboxes: ticked(fields, "inbox"),
        rule_priorities: ticked(fields, "priority"),
        fields: rows,
    }
}

/// What the API's PUT would send for the form: every setting, the rules and the form whole
/// (the property rules as they are now).
fn input_of(draft: &TicketsDraft, current: &TicketSettings) -> SettingsInput {
    let chosen = |raw: &str| (!raw.is_empty()).then(|| raw.to_owned());
    SettingsInput {
        visibility: chosen(&draft.visibility),
        status_display: chosen(&draft.status_display),
        closed_replies: chosen(&draft.closed_replies),
        inbox_id: Some(chosen(&draft.inbox)),
        pipeline_id: Some(chosen(&draft.pipeline)),
        rules: Some(RulesInput {
            pipelines: draft.rule_pipelines.clone(),
            inboxes: draft.rule_inboxes.clone(),
            priorities: draft.rule_priorities.clone(),
            properties: current
                .rules
                .properties
                .iter()
                .map(|rule| PropertyRuleInput { key: Some(rule.key.clone()), values: rule.values.clone() })
                .collect(),
        }),
        form: Some(
            draft
                .fields
                .iter()
                .map(|row| FormFieldInput {
                    property: Some(row.property.clone()),
                    required: row.required,
                    labels: Language::ALL
                        .into_iter()
                        .zip(&row.labels)
                        .filter(|(_, label)| !label.trim().is_empty())
                        .map(|(lang, label)| (lang.code().to_owned(), label.clone()))
                        .collect::<BTreeMap<_, _>>(),
                })
                .collect(),
        ),
        satisfaction: Some(draft.satisfaction),
    }
}

/// The form's control a rule's field error belongs to: the settings by name, the rules'
/// group, a support form field's row (`form[2].labels.da`: row 2's Danish label); else the
/// form as a whole.
fn control_of(error: &FieldError) -> Option<String> {
    const SETTINGS: [&str; 5] = ["visibility", "status_display", "closed_replies", "inbox_id", "pipeline_id"];
    let name = error.field.as_str();
    if SETTINGS.contains(&name) {
        return Some(name.to_owned());
    }
    if name == "rules" || name.starts_with("rules.") {
        return Some("rules".to_owned());
    }
    let (index, part) = name.strip_prefix("form[")?.split_once("].")?;
    let index: usize = index.parse().ok()?;
    match part.strip_prefix("labels.") {
        Some(code) => Language::ALL
            .into_iter()
            .find(|lang| lang.code() == code)
            .map(|lang| format!("field-{index}-label-{}", lang.code())),
        None => (part == "property").then(|| format!("field-{index}-property")),
    }
}

pub async fn save<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_portal: &str,
) -> Result<Response, AppError> {
    let scope = ids(raw_tenant, raw_portal).ok_or(AppError::NotFound)?;
    let person = console.person_for(scope.tenant)?;
    let fields = console.form_if(person.role.can_change_settings())?;
    let pre = drawn_version(&fields)?;
    let draft = typed(&fields);
    let current = rules::stored(console.rt, scope).await?;
    let acting = person.acting();
    let (status, draft, problems) =
        match rules::update(console.rt, scope, &acting.actor, &input_of(&draft, &current), &pre).await {
            Ok(_) => {
                return Ok(Response::see_other(&format!(
                    "/tenants/{}/portals/{}/tickets?done=saved",
                    scope.tenant, scope.portal
                )))
            }
            Err(AppError::Invalid(errors)) => {
                // The shared rule's words are the API's English.
                let mut problems = Problems::default();
                for error in &errors {
                    problems.add_written(control_of(error).as_deref(), error.message.clone(), Language::En);
                }
                (422, Some(draft), problems)
            }
            Err(AppError::PreconditionFailed(_)) => (409, None, Problems::general(console.lang.portal_tickets().stale)),
            Err(AppError::Conflict(message)) => {
                let mut problems = Problems::default();
                problems.add_written(None, message, Language::En);
                (409, Some(draft), problems)
            }
            Err(err) => return Err(err),
        };
    let loaded = loaded(console.rt.db().read_batch(statements(scope)).await?)?;
    draw(console, &person, &loaded, (status, draft, &problems), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_error_points_at_the_control_that_holds_the_value() {
        let at = |field: &str| control_of(&FieldError::new(field, "bad"));
        assert_eq!(at("inbox_id").as_deref(), Some("inbox_id"));
        assert_eq!(at("rules.pipelines[3]").as_deref(), Some("rules"));
        assert_eq!(at("form[2].property").as_deref(), Some("field-2-property"));
        assert_eq!(at("form[0].labels.da").as_deref(), Some("field-0-label-da"));
        assert_eq!(at("form[0].labels.xx"), None);
        assert_eq!(at("form"), None);
        assert_eq!(at("something_else"), None);
    }

    #[test]
    fn a_row_without_a_property_is_no_field_and_ticked_boxes_are_the_rules() {
        let fields: Vec<(String, String)> = [
            ("field-0-property", "priority"),
            ("field-0-required", "yes"),
            ("field-0-label-da", "Hvor haster det?"),
            ("field-1-property", ""),
            ("field-1-label-en", "typed but no property"),
            ("field-2-property", "region"),
            ("rule-priority-high", "yes"),
            ("rule-priority-low", "no"),
        ]
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
        let draft = typed(&fields);
        assert_eq!(draft.fields.len(), 2);
        assert!(draft.fields[0].required);
        assert_eq!(draft.fields[0].labels[1], "Hvor haster det?");
        assert_eq!(draft.fields[1].property, "region");
        assert_eq!(draft.rule_priorities, ["high"]);
        let input = input_of(&draft, &TicketSettings::default());
        let form = input.form.unwrap_or_default();
        assert_eq!(form.len(), 2);
        assert_eq!(form[0].labels.len(), 1);
        assert_eq!(input.inbox_id, Some(None));
    }
}
