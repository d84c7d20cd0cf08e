//! A portal's ticket settings in the console: which tickets it shows and to whom, how their
//! status reads, what a reply to a closed ticket does, where new requests land, and the
//! support form's fields. One form; it carries the portal's version.

use maud::{html, Markup};

use super::console::{shell, tenant_header, TenantTab, Who};
use super::console_wizard::{choice_group, radio};
use super::form::{csrf_field, field, submit, summary, Problems};
use super::language::name_in;
use crate::i18n::{Language, Translations as _};
use crate::store::inboxes::InboxRow;
use crate::store::pipelines::PipelineRow;
use crate::store::portals::PortalRow;
use crate::store::tenants::TenantRow;
use crate::store::ticket_properties::PropertyRow;
use porch_types::portal_tickets::{ClosedReplies, StatusDisplay, TicketSettings, Visibility, MAX_FORM_FIELDS};
use porch_types::tickets::Priority;

/// Empty rows offered below the support form's fields, to add one.
const BLANK_ROWS: usize = 2;

/// One support form field as the form shows it: the property asked for ("" for none), and
/// its label per language in `Language::ALL`'s order.
#[derive(Clone, Debug, Default)]
pub struct FieldDraft {
    pub property: String,
    pub required: bool,
    pub labels: [String; 3],
}

/// The form's values: the portal's settings, or what was typed when they were refused.
#[derive(Clone, Debug, Default)]
pub struct TicketsDraft {
    pub visibility: String,
    pub status_display: String,
    pub closed_replies: String,
    pub satisfaction: bool,
    pub inbox: String,
    pub pipeline: String,
    pub rule_pipelines: Vec<String>,
    pub rule_inboxes: Vec<String>,
    pub rule_priorities: Vec<String>,
    pub fields: Vec<FieldDraft>,
}

impl TicketsDraft {
    pub fn of(settings: &TicketSettings) -> TicketsDraft {
        TicketsDraft {
            visibility: settings.visibility.code().to_owned(),
            status_display: settings.status_display.code().to_owned(),
            closed_replies: settings.closed_replies.code().to_owned(),
            satisfaction: settings.satisfaction,
            inbox: settings.inbox_id.clone().unwrap_or_default(),
            pipeline: settings.pipeline_id.clone().unwrap_or_default(),
            rule_pipelines: settings.rules.pipelines.clone(),
            rule_inboxes: settings.rules.inboxes.clone(),
            rule_priorities: settings.rules.priorities.iter().map(|p| p.code().to_owned()).collect(),
            fields: settings
                .form
                .iter()
                .map(|field| FieldDraft {
                    property: field.property.clone(),
                    required: field.required,
                    labels: Language::ALL.map(|lang| field.labels.get(&lang).cloned().unwrap_or_default()),
                })
                .collect(),
        }
    }

    /// The rows the form shows: the fields, then blank ones to add, within the cap.
    pub fn rows(&self) -> usize {
        (self.fields.len() + BLANK_ROWS).min(MAX_FORM_FIELDS)
    }
}

pub struct TicketsView<'a> {
    pub tenant: &'a TenantRow,
    pub portal: &'a PortalRow,
    pub draft: &'a TicketsDraft,
    pub pipelines: &'a [PipelineRow],
    pub inboxes: &'a [InboxRow],
    pub properties: &'a [PropertyRow],
    /// Rules on ticket properties (set through the API): kept as they are.
    pub property_rules: usize,
    pub problems: &'a Problems,
    pub notice: Option<&'a str>,
    pub editable: bool,
}

/// A radio group of one setting: its codes and their words.
fn setting(
    lang: Language,
    problems: &Problems,
    name: &str,
    legend: &str,
    chosen: &str,
    choices: &[(&str, &str)],
) -> Markup {
    let radios = html! {
        @for (i, (code, label)) in choices.iter().enumerate() {
            (radio(name, i, code, chosen == *code, &html! { (label) }, None))
        }
    };
    choice_group(lang, problems, name, legend, None, &radios)
}

/// A checkbox of a rule: `name` is `rule-<kind>-<value>`; the first of the rules carries
/// the group's id, for the error summary.
fn rule_box(id: Option<&str>, name: &str, checked: bool, label: &str) -> Markup {
    let id = id.map_or_else(|| name.to_owned(), str::to_owned);
    html! {
        div.check {
            input #(id) type="checkbox" name=(name) value="yes" checked[checked];
            label for=(id) { (label) }
        }
    }
}

fn rules(lang: Language, view: &TicketsView<'_>) -> Markup {
    let p = lang.portal_tickets();
    let t = lang.tickets();
    let draft = view.draft;
    let mut first = Some("rules");
    let body = html! {
        @if !view.pipelines.is_empty() {
            p.caption { (p.rule_pipelines) }
            @for row in view.pipelines {
                (rule_box(first.take(), &format!("rule-pipeline-{}", row.id), draft.rule_pipelines.contains(&row.id), &row.name))
            }
        }
        @if !view.inboxes.is_empty() {
            p.caption { (p.rule_inboxes) }
            @for row in view.inboxes {
                (rule_box(first.take(), &format!("rule-inbox-{}", row.id), draft.rule_inboxes.contains(&row.id), &row.name))
            }
        }
        p.caption { (p.rule_priorities) }
        @for priority in Priority::ALL {
            (rule_box(first.take(), &format!("rule-priority-{}", priority.code()),
                draft.rule_priorities.iter().any(|code| code == priority.code()), t.priority_name(priority)))
        }
        @if view.property_rules > 0 { p.hint { ((p.property_rules_kept)(view.property_rules)) } }
    };
    choice_group(lang, view.problems, "rules", p.rules, Some(p.rules_hint), &body)
}

/// One support form field's row: the property, required, and a label per language.
fn field_row(lang: Language, view: &TicketsView<'_>, index: usize, draft: &FieldDraft) -> Markup {
    let p = lang.portal_tickets();
    let t = lang.tickets();
    let row = |name: &str| format!("field-{index}-{name}");
    let property = row("property");
    html! {
        fieldset.field-row {
            legend { ((p.field_number)(index + 1)) }
            (field(lang, view.problems, &property, p.field_property, None, |f| html! {
                select #(f.id) name=(f.id) aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid] {
                    option value="" selected[draft.property.is_empty()] { (p.field_none) }
                    option value="priority" selected[draft.property == "priority"] { (t.priority) }
                    @for known in view.properties {
                        option value=(known.key) selected[draft.property == known.key] { (known.label) }
                    }
                }
            }))
            div.check {
                @let required = row("required");
                input #(required) type="checkbox" name=(required) value="yes" checked[draft.required];
                label for=(required) { (p.field_required) }
            }
            @for (i, language) in Language::ALL.into_iter().enumerate() {
                @let name = row(&format!("label-{}", language.code()));
                (field(lang, view.problems, &name, (p.field_label)(name_in(lang, language)), None, |f| html! {
                    input #(f.id) type="text" name=(f.id) value=(draft.labels[i]) maxlength="80" lang=(language.code())
                        aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
                }))
            }
        }
    }
}

pub fn page(lang: Language, who: &Who<'_>, view: &TicketsView<'_>) -> String {
    let p = lang.portal_tickets();
    let c = lang.console();
    let portal_path = format!("/tenants/{}/portals/{}", view.tenant.id, view.portal.id);
    let draft = view.draft;
    let blank = FieldDraft::default();
    let body = html! {
        (tenant_header(lang, who, view.tenant, TenantTab::Portals))
        p.back { a href=(portal_path) { (view.portal.name) } }
        h2 { (p.title) }
        p.lead { (p.intro) }
        @if let Some(notice) = view.notice { p.notice role="status" { (notice) } }
        @if !view.editable { p.notice { (c.read_only) } }
        (summary(lang, view.problems))
        form.stack method="post" action={ (portal_path) "/tickets" } novalidate {
            (csrf_field(who.csrf))
            input type="hidden" name="version" value=(view.portal.version);
            fieldset.stack disabled[!view.editable] {
                (setting(lang, view.problems, "visibility", p.visibility, &draft.visibility, &[
                    (Visibility::Own.code(), p.visibility_own),
                    (Visibility::Organisation.code(), p.visibility_organisation),
                ]))
                p.hint { (p.visibility_organisation_hint) }
                (setting(lang, view.problems, "status_display", p.status, &draft.status_display, &[
                    (StatusDisplay::OpenClosed.code(), p.status_open_closed),
                    (StatusDisplay::Stages.code(), p.status_stages),
                ]))
                (setting(lang, view.problems, "closed_replies", p.closed_replies, &draft.closed_replies, &[
                    (ClosedReplies::Reopen.code(), p.closed_reopen),
                    (ClosedReplies::Refuse.code(), p.closed_refuse),
                ]))
                div.check {
                    input #satisfaction type="checkbox" name="satisfaction" value="yes" checked[draft.satisfaction]
                        aria-describedby="satisfaction-hint";
                    label for="satisfaction" { (p.satisfaction) span.hint #satisfaction-hint { (p.satisfaction_hint) } }
                }
                (field(lang, view.problems, "inbox_id", p.inbox, Some(p.inbox_hint), |f| html! {
                    select #(f.id) name="inbox_id" aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid] {
                        option value="" selected[draft.inbox.is_empty()] { (p.no_inbox) }
                        @for row in view.inboxes { option value=(row.id) selected[draft.inbox == row.id] { (row.name) } }
                    }
                }))
                (field(lang, view.problems, "pipeline_id", p.pipeline, None, |f| html! {
                    select #(f.id) name="pipeline_id" aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid] {
                        option value="" selected[draft.pipeline.is_empty()] { (p.first_pipeline) }
                        @for row in view.pipelines { option value=(row.id) selected[draft.pipeline == row.id] { (row.name) } }
                    }
                }))
                (rules(lang, view))
                section.stack aria-labelledby="form-fields-title" {
                    h3 #form-fields-title { (p.form_fields) }
                    p.hint { (p.form_fields_hint) }
                    @for index in 0..draft.rows() {
                        (field_row(lang, view, index, draft.fields.get(index).unwrap_or(&blank)))
                    }
                }
                @if view.editable { (submit(p.save)) }
            }
        }
    };
    shell(lang, &format!("{} · {} · {}", p.title, view.portal.name, view.tenant.name), None, Some(who), &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_offers_two_blank_rows_to_add_a_field_but_never_past_the_cap() {
        let mut draft = TicketsDraft::default();
        assert_eq!(draft.rows(), 2);
        draft.fields = vec![FieldDraft::default(); MAX_FORM_FIELDS - 1];
        assert_eq!(draft.rows(), MAX_FORM_FIELDS);
        draft.fields = vec![FieldDraft::default(); MAX_FORM_FIELDS];
        assert_eq!(draft.rows(), MAX_FORM_FIELDS);
    }
}
