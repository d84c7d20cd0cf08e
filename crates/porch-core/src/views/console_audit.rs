//! The console's audit log: a tenant's changes, newest first, filtered by who made them and
//! what they changed, each with who, what, when and the summaries before and after.

use maud::{html, Markup};

use super::console::{shell, tenant_header, TenantTab, Who};
use crate::i18n::{AuditStrings, Formats, Language, Translations as _};
use crate::store::audit::{ActorChoice, NamedEntry};
use crate::store::tenants::TenantRow;
use porch_types::percent::percent_encode;
use porch_types::time::Timestamp;
use porch_types::time_zone::TimeZone;

pub struct AuditView<'a> {
    pub tenant: &'a TenantRow,
    pub entries: &'a [NamedEntry],
    pub actors: &'a [ActorChoice],
    pub kinds: &'a [String],
    /// The filters as asked for (empty: any).
    pub who: &'a str,
    pub what: &'a str,
    /// Whether this page starts below the newest entries.
    pub paged: bool,
    /// The cursor of the next, older page, if there is one.
    pub older: Option<i64>,
}

/// An actor in the reader's words: a person's or key's name, the platform or its operator,
/// or someone since removed (or not of this tenant).
fn actor_label(a: &AuditStrings, actor: &str, name: Option<&str>, operator: bool) -> String {
    if operator {
        return a.operator.to_owned();
    }
    match (actor.split_once(':'), name) {
        (Some(("key", _)), Some(name)) => (a.key)(name),
        (Some(("account", _)), Some(name)) => (a.portal_user)(name),
        (_, Some(name)) => name.to_owned(),
        (None, None) if actor == "platform" => a.platform.to_owned(),
        // Keys are revoked, never deleted: a key without a name here is another tenant's, the
        // organisation's (a parent tenant's key may change its children's themes).
        (Some(("key", _)), None) => a.organisation_key.to_owned(),
        _ => a.removed.to_owned(),
    }
}

/// A stored summary as indented JSON, or nothing.
fn summary_text(json: Option<&str>) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(json?).ok()?;
    serde_json::to_string_pretty(&value).ok()
}

fn entry_details(a: &AuditStrings, entry: &NamedEntry) -> Markup {
    let before = summary_text(entry.entry.before_json.as_deref());
    let after = summary_text(entry.entry.after_json.as_deref());
    html! {
        @if before.is_some() || after.is_some() {
            details {
                summary { (a.details) }
                @if let Some(before) = before { p.hint { (a.before) } pre.json { (before) } }
                @if let Some(after) = after { p.hint { (a.after) } pre.json { (after) } }
            }
        }
    }
}

fn filters(lang: Language, view: &AuditView<'_>, base: &str) -> Markup {
    let a = lang.audit();
    html! {
        form.filters method="get" action=(base) {
            label for="who" {
                (a.who)
                select #who name="who" {
                    option value="" selected[view.who.is_empty()] { (a.anyone) }
                    @for choice in view.actors {
                        option value=(choice.actor) selected[view.who == choice.actor] {
                            (actor_label(a, &choice.actor, choice.actor_name.as_deref(), choice.actor_operator != 0))
                        }
                    }
                }
            }
            label for="what" {
                (a.what)
                select #what name="what" {
                    option value="" selected[view.what.is_empty()] { (a.anything) }
                    @for kind in view.kinds { option value=(kind) selected[view.what == kind.as_str()] { (kind) } }
                }
            }
            div.actions { button.secondary type="submit" { (a.show) } }
        }
    }
}

pub fn page(lang: Language, who: &Who<'_>, view: &AuditView<'_>) -> String {
    let a = lang.audit();
    let formats = Formats::new(lang, TimeZone::UTC);
    let base = format!("/tenants/{}/audit", view.tenant.id);
    let filtered = format!("{base}?who={}&what={}", percent_encode(view.who, b":"), percent_encode(view.what, b""));
    let body = html! {
        (tenant_header(lang, who, view.tenant, TenantTab::Audit))
        h2.visually-hidden { (a.audit_title) }
        p.lead { (a.audit_intro) }
        (filters(lang, view, &base))
        @if view.entries.is_empty() {
            p.empty { (a.nothing) }
        } @else {
            table.stacked.audit {
                thead {
                    tr {
                        th scope="col" { (a.when) }
                        th scope="col" { (a.who) }
                        th scope="col" { (a.change) }
                        th scope="col" { (a.of) }
                    }
                }
                tbody {
                    @for entry in view.entries {
                        tr {
                            td data-label=(a.when) { (formats.date_time(Timestamp::from_millis(entry.entry.at))) }
                            td data-label=(a.who) { (actor_label(a, &entry.entry.actor, entry.actor_name.as_deref(), entry.actor_operator != 0)) }
                            td data-label=(a.change) { code { (entry.entry.action) } (entry_details(a, entry)) }
                            td data-label=(a.of) { (entry.entry.target_type) " " code.id { (entry.entry.target_id) } }
                        }
                    }
                }
            }
        }
        p.pages {
            @if view.paged { a href=(filtered) { (a.newest) } }
            @if let Some(older) = view.older { a href={ (filtered) "&before=" (older) } { (a.older) } }
        }
    };
    shell(lang, &format!("{} · {}", a.audit_title, view.tenant.name), None, Some(who), &body)
}
