//! The tenant's single sign-on for its staff in the console: the redirect URI to give the
//! provider's admin, the provider's settings (owners change them), and removing it.

use maud::{html, Markup};

use super::console::{copy_field, removal, shell, tenant_header, Removal, TenantTab, Who};
use super::form::{csrf_field, field, submit, summary, Problems};
use crate::i18n::{Language, Translations as _};
use crate::store::domains::verification_record_name;
use crate::store::staff_sso::{DomainRow, StaffSsoRow};
use crate::store::tenants::TenantRow;

/// The form's values: the settings kept, or what was typed when they were refused. The
/// secret is never drawn back into the form.
#[derive(Clone, Debug)]
pub struct SsoDraft {
    pub issuer: String,
    pub client_id: String,
    /// Separated by spaces.
    pub domains: String,
    pub enabled: bool,
}

impl SsoDraft {
    pub fn of(current: Option<(&StaffSsoRow, &[DomainRow])>) -> SsoDraft {
        match current {
            Some((row, domains)) => SsoDraft {
                issuer: row.issuer.clone(),
                client_id: row.client_id.clone(),
                domains: domains.iter().map(|d| d.domain.as_str()).collect::<Vec<_>>().join(" "),
                enabled: row.is_enabled(),
            },
            None => SsoDraft { issuer: String::new(), client_id: String::new(), domains: String::new(), enabled: true },
        }
    }
}

pub struct StaffSsoView<'a> {
    pub tenant: &'a TenantRow,
    pub current: Option<&'a StaffSsoRow>,
    /// Its domains, each proved or not.
    pub domains: &'a [DomainRow],
    pub draft: &'a SsoDraft,
    /// Where the provider sends people back: the connection's own, once it exists.
    pub redirect_uri: Option<&'a str>,
    pub problems: &'a Problems,
    pub notice: Option<&'a str>,
    /// Whether the person may change it (owners).
    pub editable: bool,
}

/// The domains with what proves each: its TXT record (name and value, to copy) and "Check
/// now" until it is proved.
fn proofs(lang: Language, who: &Who<'_>, view: &StaffSsoView<'_>, row: &StaffSsoRow) -> Markup {
    let s = lang.staff_sso();
    let value = row.txt_value();
    html! {
        section.stack aria-labelledby="proof-title" {
            h3 #proof-title { (s.proof_title) }
            p.hint { (s.proof_intro) }
            div.scroll {
                table.stacked {
                    thead { tr { th { (s.domain) } th { (s.status) } th { (s.txt_name) } th { (s.txt_value) } th { span.visually-hidden { (s.status) } } } }
                    tbody {
                        @for domain in view.domains {
                            tr {
                                td data-label=(s.domain) { (domain.domain) }
                                td data-label=(s.status) {
                                    @if domain.is_verified() { span.status { (s.proved) } } @else { (s.waiting) }
                                }
                                td data-label=(s.txt_name) { code { (verification_record_name(&domain.domain)) } }
                                td data-label=(s.txt_value) { code { (value) } }
                                td {
                                    @if !domain.is_verified() && view.editable {
                                        form.inline method="post" action={ "/tenants/" (view.tenant.id) "/staff/sso/domains/" (domain.domain) "/verify" } {
                                            (csrf_field(who.csrf))
                                            button.secondary type="submit" { ((s.check_now)(&domain.domain)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn page(lang: Language, who: &Who<'_>, view: &StaffSsoView<'_>) -> String {
    let s = lang.staff_sso();
    let base = format!("/tenants/{}/staff/sso", view.tenant.id);
    let draft = view.draft;
    let secret_hint = if view.current.is_some() { s.client_secret_hint_kept } else { s.client_secret_hint_new };
    let body = html! {
        (tenant_header(lang, who, view.tenant, TenantTab::Staff))
        p.back { a href={ "/tenants/" (view.tenant.id) "/staff" } { (lang.console().staff_title) } }
        h2 { (s.title) }
        p.lead { (s.intro) }
        @if let Some(notice) = view.notice { p.notice role="status" { (notice) } }
        @if view.current.is_none() { p { (s.none_yet) } }
        @if !view.editable { p.notice { (s.owners_only) } }
        @match view.redirect_uri {
            Some(uri) => (copy_field(lang, ("redirect_uri", s.redirect_uri, Some(s.redirect_hint)), uri, (s.copy, s.copied))),
            None => p.hint { (s.redirect_after_save) },
        }
        (summary(lang, view.problems))
        form.stack method="post" action=(base) novalidate {
            (csrf_field(who.csrf))
            @if let Some(row) = view.current { input type="hidden" name="version" value=(row.version); }
            fieldset.stack disabled[!view.editable] {
                (field(lang, view.problems, "issuer", s.issuer, Some(s.issuer_hint), |f| html! {
                    input #(f.id) type="url" name="issuer" value=(draft.issuer) required maxlength="500" spellcheck="false"
                        aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
                }))
                (field(lang, view.problems, "client_id", s.client_id, None, |f| html! {
                    input #(f.id) type="text" name="client_id" value=(draft.client_id) required maxlength="512"
                        autocomplete="off" spellcheck="false"
                        aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
                }))
                (field(lang, view.problems, "client_secret", s.client_secret, Some(secret_hint), |f| html! {
                    input #(f.id) type="password" name="client_secret" maxlength="512" autocomplete="off"
                        aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
                }))
                (field(lang, view.problems, "domains", s.domains, Some(s.domains_hint), |f| html! {
                    input #(f.id) type="text" name="domains" value=(draft.domains) required spellcheck="false"
                        autocapitalize="none"
                        aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
                }))
                div.check {
                    input #enabled type="checkbox" name="enabled" value="yes" checked[draft.enabled];
                    label for="enabled" { (s.enabled) }
                }
                @if view.editable { (submit(s.save)) }
            }
        }
        @if let Some(row) = view.current { (proofs(lang, who, view, row)) }
        @if let (Some(row), true) = (view.current, view.editable) {
            (removal(who.csrf, &format!("{base}/remove"), row.version, &Removal {
                summary: s.remove,
                hint: s.remove_hint,
                button: s.remove_button,
            }))
        }
    };
    shell(lang, &format!("{} · {}", s.title, view.tenant.name), None, Some(who), &body)
}
