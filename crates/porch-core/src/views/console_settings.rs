//! The console's Settings tab: a tenant's name and its rule of one portal per customer
//! (changed by its owners and admins), and its plan (changed by the platform's operator,
//! read by everyone else).

use maud::html;

use super::console::{shell, tenant_header, TenantTab, Who};
use super::console_wizard::{app_boxes, choice_group};
use super::form::{csrf_field, field, submit, summary, Problems};
use super::layout::app_entry;
use crate::i18n::{Language, Translations as _};
use crate::store::tenants::TenantRow;
use porch_types::apps::AppSet;

/// The form as typed.
#[derive(Clone, Debug, Default)]
pub struct SettingsDraft {
    pub name: String,
    pub one_portal: bool,
    pub plan: AppSet,
}

pub struct SettingsView<'a> {
    pub tenant: &'a TenantRow,
    pub draft: &'a SettingsDraft,
    /// Whether the person may change the name and rule; and the plan (the operator).
    pub editable: bool,
    pub sets_plan: bool,
    pub problems: &'a Problems,
    pub notice: Option<&'a str>,
}

pub fn page(lang: Language, who: &Who<'_>, view: &SettingsView<'_>) -> String {
    let s = lang.tenant_settings();
    let base = format!("/tenants/{}/settings", view.tenant.id);
    let plan = app_boxes(lang, "plan_apps", AppSet::all(), view.draft.plan);
    let body = html! {
        (tenant_header(lang, who, view.tenant, TenantTab::Settings))
        h2.visually-hidden { (s.settings_title) }
        p.lead { (s.settings_intro) }
        @if let Some(notice) = view.notice { p.notice role="status" { (notice) } }
        (summary(lang, view.problems))
        form.stack method="post" action=(base) novalidate {
            (csrf_field(who.csrf))
            input type="hidden" name="version" value=(view.tenant.version);
            fieldset.stack disabled[!view.editable] {
                (field(lang, view.problems, "name", s.name, None, |f| html! {
                    input #(f.id) type="text" name="name" value=(view.draft.name) required maxlength="120"
                        aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
                }))
                div.check {
                    input #one_portal type="checkbox" name="one_portal" value="yes" checked[view.draft.one_portal]
                        aria-describedby="one_portal-hint";
                    label for="one_portal" { (s.one_portal) span.hint #one_portal-hint { (s.one_portal_hint) } }
                }
                @if view.sets_plan {
                    (choice_group(lang, view.problems, "plan_apps", s.plan, Some(s.plan_hint), &plan))
                }
            }
            @if !view.sets_plan {
                p { (s.plan_read_only) " " (view.draft.plan.iter().map(|app| app_entry(lang, app).label).collect::<Vec<_>>().join(", ")) }
            }
            @if view.editable { (submit(s.save)) }
        }
    };
    shell(lang, &format!("{} · {}", s.settings_title, view.tenant.name), None, Some(who), &body)
}
