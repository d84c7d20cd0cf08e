//! The console's API keys page: the tenant's keys (name, the start of the secret, when made
//! and last used, active or revoked), and for its owners the form to create one, whose secret
//! is shown once, and a revoke button per active key.

use maud::html;

use super::console::{one_field_form, shell, shown_once, tenant_header, OneField, ShownOnce, TenantTab, Who};
use super::form::{csrf_field, summary, Problems};
use super::language;
use crate::i18n::{Formats, Language, Translations as _};
use crate::store::keys::KeyRow;
use crate::store::tenants::TenantRow;
use porch_types::time::Timestamp;
use porch_types::time_zone::TimeZone;

pub struct KeysView<'a> {
    pub tenant: &'a TenantRow,
    pub keys: &'a [KeyRow],
    /// Whether the person may create and revoke keys (the tenant's owners).
    pub manageable: bool,
    /// The secret of a key just made, shown this once.
    pub secret: Option<&'a str>,
    pub notice: Option<&'a str>,
    pub problems: &'a Problems,
    /// The name typed, when it was refused.
    pub typed: &'a str,
}

pub fn page(lang: Language, who: &Who<'_>, view: &KeysView<'_>) -> String {
    let k = lang.keys();
    let formats = Formats::new(lang, TimeZone::UTC);
    let base = format!("/tenants/{}/keys", view.tenant.id);
    let date = |at: i64| language::date(formats, Timestamp::from_millis(at));
    let body = html! {
        (tenant_header(lang, who, view.tenant, TenantTab::Keys))
        h2.visually-hidden { (k.keys_title) }
        p.lead { (k.keys_intro) }
        @if let Some(secret) = view.secret {
            (shown_once(lang, &ShownOnce {
                notice: k.key_made,
                id: "secret-key",
                label: k.secret_label,
                hint: k.secret_hint,
                value: secret,
                copy: k.copy_key,
                copied: k.key_copied,
            }))
        }
        @if let Some(notice) = view.notice { p.notice role="status" { (notice) } }
        @if view.keys.is_empty() {
            p.empty { (k.no_keys) }
        } @else {
            table.stacked {
                thead {
                    tr {
                        th scope="col" { (k.name) }
                        th scope="col" { (k.starts_with) }
                        th scope="col" { (k.created) }
                        th scope="col" { (k.last_used) }
                        th scope="col" { (k.status) }
                    }
                }
                tbody {
                    @for key in view.keys {
                        tr {
                            td data-label=(k.name) { (key.name) }
                            td data-label=(k.starts_with) { code { (key.prefix) "…" } }
                            td data-label=(k.created) { (date(key.created_at)) }
                            td data-label=(k.last_used) { @match key.last_used_at { Some(at) => (date(at)), None => (k.never) } }
                            td data-label=(k.status) {
                                @if key.revoked_at.is_some() { span.status.closed { (k.revoked) } } @else {
                                    span.status { (k.active) }
                                    @if view.manageable {
                                        " "
                                        form.inline method="post" action={ (base) "/" (key.id) "/revoke" } {
                                            (csrf_field(who.csrf))
                                            button.link-button type="submit" aria-label=((k.revoke_named)(&key.name)) { (k.revoke) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if view.manageable {
            h3 { (k.new_key) }
            (summary(lang, view.problems))
            (one_field_form(lang, who.csrf, view.problems, &OneField {
                action: &base,
                name: "name",
                label: k.name,
                hint: Some(k.name_hint),
                max_chars: 80,
                verbatim: false,
                typed: view.typed,
                button: k.create_key,
            }))
        } @else {
            p.hint { (k.owners_only) }
        }
    };
    shell(lang, &format!("{} · {}", k.keys_title, view.tenant.name), None, Some(who), &body)
}
