//! A portal's single sign-on in the console: each connection with who it admits, what to
//! give the identity provider's admin (each address with a copy button), its certificate
//! warnings, a test sign-in on the portal's own host and, for those who may, its deletion;
//! then the recent sign-in events, where a failed test says what went wrong.

use maud::{html, Markup};

use super::console::{copy_field, removal, shell, tenant_header, Removal, TenantTab, Who};
use super::form::{summary, Problems};
use super::language;
use crate::i18n::{Formats, Language, PortalSsoStrings, Translations as _};
use crate::store::portals::PortalRow;
use crate::store::sso::{ConnectionRow, DomainRow, EventRow};
use crate::store::tenants::TenantRow;
use porch_types::sso::{Admission, Protocol};
use porch_types::time::Timestamp;
use porch_types::time_zone::TimeZone;

/// A pinned certificate of the identity provider near or past its end.
pub struct Warning {
    pub expired: bool,
    pub fingerprint: String,
    pub not_after: Timestamp,
}

/// One connection as the page shows it.
pub struct ConnectionView<'a> {
    pub row: &'a ConnectionRow,
    pub domains: Vec<&'a DomainRow>,
    /// Its endpoints by name (`app::sso_connections::endpoints`).
    pub endpoints: serde_json::Value,
    pub warnings: Vec<Warning>,
}

pub struct SsoView<'a> {
    pub tenant: &'a TenantRow,
    pub portal: &'a PortalRow,
    pub connections: &'a [ConnectionView<'a>],
    pub events: &'a [EventRow],
    pub problems: &'a Problems,
    pub notice: Option<&'a str>,
    pub editable: bool,
}

fn protocol_name(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Saml => "SAML 2.0",
        Protocol::Oidc => "OpenID Connect",
        Protocol::Jwt => "JWT",
    }
}

fn endpoint_label(s: &PortalSsoStrings, name: &str) -> Option<&'static str> {
    Some(match name {
        "sp_entity_id" => s.sp_entity_id,
        "metadata_url" => s.metadata_url,
        "acs_url" => s.acs_url,
        "jwt_url" => s.jwt_url,
        "redirect_uri" => s.redirect_uri,
        "sign_in_url" => s.sign_in_url,
        _ => return None,
    })
}

fn admits(s: &PortalSsoStrings, row: &ConnectionRow) -> String {
    match row.admission() {
        Admission::All => s.admits_all.to_owned(),
        Admission::Lists => s.admits_lists.to_owned(),
        Admission::Attribute { name, value } => (s.admits_attribute)(&name, &value),
    }
}

fn connection(
    lang: Language,
    who: &Who<'_>,
    view: &SsoView<'_>,
    (index, shown): (usize, &ConnectionView<'_>),
) -> Markup {
    let s = lang.portal_sso();
    let formats = Formats::new(lang, TimeZone::UTC);
    let row = shown.row;
    let heading = format!("connection-{index}-title");
    let sign_in = shown.endpoints.get("sign_in_url").and_then(serde_json::Value::as_str);
    let action = format!("/tenants/{}/portals/{}/sso/{}/delete", view.tenant.id, view.portal.id, row.id);
    html! {
        section.portal-overview aria-labelledby=(heading) {
            h3 #(heading) {
                (row.name) " "
                span.status.closed[!row.is_enabled()] { @if row.is_enabled() { (s.on) } @else { (s.off) } }
            }
            dl.facts {
                dt { (s.protocol) } dd { (protocol_name(row.protocol)) }
                dt { (s.admits) } dd { (admits(s, row)) }
                dt { (s.domains) }
                dd {
                    @if shown.domains.is_empty() { (s.no_domains) } @else {
                        @for (i, domain) in shown.domains.iter().enumerate() { @if i > 0 { ", " } (domain.domain) }
                    }
                }
            }
            @for warning in &shown.warnings {
                @let date = formats.date(warning.not_after);
                p.notice {
                    @if warning.expired {
                        ((s.certificate_expired)(&warning.fingerprint, &date))
                    } @else {
                        ((s.certificate_expires)(&warning.fingerprint, &date))
                    }
                }
            }
            h4 { (s.give_provider) }
            @if let Some(endpoints) = shown.endpoints.as_object() {
                @for (name, value) in endpoints {
                    @if let (Some(label), Some(url)) = (endpoint_label(s, name), value.as_str()) {
                        (copy_field(lang, (&format!("connection-{index}-{name}"), label, None), url, (s.copy, s.copied)))
                    }
                }
            }
            @if let Some(url) = sign_in.filter(|_| row.is_enabled()) {
                p {
                    a.button href=(url) target="_blank" rel="noopener" aria-describedby={ "connection-" (index) "-test-hint" } { (s.test_sign_in) }
                }
                p.hint id={ "connection-" (index) "-test-hint" } { (s.test_hint) }
            }
            @if view.editable {
                (removal(who.csrf, &action, row.version, &Removal {
                    summary: s.delete,
                    hint: s.delete_hint,
                    button: &(s.delete_confirm)(&row.name),
                }))
            }
        }
    }
}

fn outcome(s: &PortalSsoStrings, code: &str) -> &'static str {
    if code == "signed_in" {
        s.signed_in
    } else {
        s.refused
    }
}

fn events(lang: Language, view: &SsoView<'_>) -> Markup {
    let s = lang.portal_sso();
    let formats = Formats::new(lang, TimeZone::UTC);
    html! {
        section aria-labelledby="events-title" {
            h3 #events-title { (s.events_title) }
            @if view.events.is_empty() {
                p.empty { (s.events_empty) }
            } @else {
                div.scroll {
                    table.stacked {
                        thead { tr { th { (s.when) } th { (s.outcome) } th { (s.what) } th { (s.email) } th { (s.reference) } } }
                        tbody {
                            @for event in view.events {
                                tr {
                                    td data-label=(s.when) { (language::date_time(formats, Timestamp::from_millis(event.at))) }
                                    td data-label=(s.outcome) { (outcome(s, &event.outcome)) }
                                    // The verifiers' words are English, for the provider's admin.
                                    td data-label=(s.what) lang="en" { code { (event.code) } " " (event.detail) }
                                    td data-label=(s.email) { (event.email.as_deref().unwrap_or("")) }
                                    td data-label=(s.reference) { code { (event.reference) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn page(lang: Language, who: &Who<'_>, view: &SsoView<'_>) -> String {
    let s = lang.portal_sso();
    let portal_path = format!("/tenants/{}/portals/{}", view.tenant.id, view.portal.id);
    let body = html! {
        (tenant_header(lang, who, view.tenant, TenantTab::Portals))
        p.back { a href=(portal_path) { (view.portal.name) } }
        h2 { (s.title) }
        p.lead { (s.intro) }
        @if let Some(notice) = view.notice { p.notice role="status" { (notice) } }
        (summary(lang, view.problems))
        @if view.connections.is_empty() { p.empty { (s.empty) } }
        @for shown in view.connections.iter().enumerate() { (connection(lang, who, view, shown)) }
        (events(lang, view))
    };
    shell(lang, &format!("{} · {} · {}", s.title, view.portal.name, view.tenant.name), None, Some(who), &body)
}
