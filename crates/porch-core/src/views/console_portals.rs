//! The console's portal pages: a tenant's portals at a glance (status, users, invitations,
//! last activity), and one portal's settings (first part: general, who can join, sign-in
//! timeouts, terms and consent, and the on/off switch). Staff whose role cannot
//! change settings see the same page with its fields disabled.

use maud::{html, Markup};

use super::console::{one_field_form, shell, tenant_header, OneField, TenantTab, Who};
use super::form::{csrf_field, field, submit, summary, Problems};
use super::language::{self, own_name};
use crate::i18n::{ConsoleStrings, Formats, Language, Translations as _};
use crate::store::domains::{verification_record_name, DomainRow, DomainStatus};
use crate::store::portals::{OverviewRow, PortalRow};
use crate::store::registration_list::EntryRow;
use crate::store::tenants::TenantRow;
use porch_types::access::JoinPolicy;
use porch_types::time::Timestamp;
use porch_types::time_zone::TimeZone;

pub struct PortalsView<'a> {
    pub tenant: &'a TenantRow,
    pub portals: &'a [OverviewRow],
}

fn on_off(c: &ConsoleStrings, enabled: bool) -> Markup {
    html! { span.status.closed[!enabled] { @if enabled { (c.portal_on) } @else { (c.portal_off) } } }
}

pub fn portals(lang: Language, who: &Who<'_>, view: &PortalsView<'_>) -> String {
    let c = lang.console();
    let formats = Formats::new(lang, TimeZone::UTC);
    let base = format!("/tenants/{}/portals", view.tenant.id);
    let body = html! {
        (tenant_header(lang, who, view.tenant, TenantTab::Portals))
        h2.visually-hidden { (c.portals_title) }
        @if view.portals.is_empty() {
            p.empty { (c.no_portals) }
        } @else {
            table.stacked {
                thead {
                    tr {
                        th scope="col" { (c.portal_name) }
                        th scope="col" { (c.portal_status) }
                        th scope="col" { (c.portal_users) }
                        th scope="col" { (c.portal_invitations) }
                        th scope="col" { (c.portal_last_activity) }
                    }
                }
                tbody {
                    @for portal in view.portals {
                        tr {
                            td data-label=(c.portal_name) { a href={ (base) "/" (portal.id) } { (portal.name) } " " code { (portal.slug) } }
                            td data-label=(c.portal_status) { (on_off(c, portal.enabled != 0)) }
                            td data-label=(c.portal_users) { (formats.integer(portal.users)) }
                            td data-label=(c.portal_invitations) { (formats.integer(portal.invitations_pending)) }
                            td data-label=(c.portal_last_activity) {
                                @match portal.last_activity_at {
                                    Some(at) => (language::date_time(formats, Timestamp::from_millis(at))),
                                    None => (c.never),
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    shell(lang, &format!("{} · {}", c.portals_title, view.tenant.name), None, Some(who), &body)
}

/// The settings form's values: the portal's, or what was typed when it was refused.
pub struct SettingsForm {
    pub name: String,
    pub page_title: String,
    pub default_language: String,
    pub join_policy: String,
    pub idle_timeout_minutes: String,
    pub session_lifetime_hours: String,
    pub terms_text: String,
    pub consent_text: String,
}

impl SettingsForm {
    pub fn of(row: &PortalRow) -> SettingsForm {
        SettingsForm {
            name: row.name.clone(),
            page_title: row.page_title.clone(),
            default_language: row.default_language.code().to_owned(),
            join_policy: row.join_policy.code().to_owned(),
            idle_timeout_minutes: row.idle_timeout_minutes.to_string(),
            session_lifetime_hours: row.session_lifetime_hours.to_string(),
            terms_text: row.terms_text.clone(),
            consent_text: row.consent_text.clone(),
        }
    }
}

pub struct PortalView<'a> {
    pub tenant: &'a TenantRow,
    pub portal: &'a PortalRow,
    /// Where the portal answers (its platform subdomain), to open it.
    pub address: Option<&'a str>,
    pub form: &'a SettingsForm,
    pub problems: &'a Problems,
    pub notice: Option<&'a str>,
    /// Whether the person may change the settings.
    pub editable: bool,
    pub domains: &'a [DomainRow],
    /// The domain as typed, when adding it was refused.
    pub typed_host: &'a str,
    pub entries: &'a [EntryRow],
    /// A registration list entry as typed, when adding it was refused.
    pub typed_entry: &'a str,
    /// A "View as" link just made, to follow.
    pub preview: Option<&'a str>,
    /// The email "View as" was asked for, when no one on the portal has it.
    pub typed_view_as: &'a str,
}

fn join_label(c: &ConsoleStrings, policy: JoinPolicy) -> &'static str {
    match policy {
        JoinPolicy::Invitation => c.join_invitation,
        JoinPolicy::Open => c.join_open,
        JoinPolicy::Lists => c.join_lists,
        JoinPolicy::Sso => c.join_sso,
    }
}

/// The joining choice: one fieldset, its legend the question, a radio per policy.
fn join_choice(lang: Language, problems: &Problems, chosen: &str) -> Markup {
    let c = lang.console();
    let error = problems.on("join_policy");
    let policies = [JoinPolicy::Invitation, JoinPolicy::Open, JoinPolicy::Lists, JoinPolicy::Sso];
    html! {
        fieldset.field.field-error[error.is_some()] aria-describedby=[error.as_ref().map(|_| "join_policy-error")] {
            legend { (c.join_policy) }
            @if let Some(error) = &error {
                p.error-message #join_policy-error { span.visually-hidden { (lang.strings().error_prefix) " " } (error) }
            }
            @for (i, policy) in policies.into_iter().enumerate() {
                div.check {
                    // The first radio carries the field's id, so the error summary can point at it.
                    @let id = if i == 0 { "join_policy".to_owned() } else { format!("join_policy-{}", policy.code()) };
                    input #(id) type="radio" name="join_policy" value=(policy.code()) checked[chosen == policy.code()];
                    label for=(id) { (join_label(c, policy)) }
                }
            }
        }
    }
}

fn number_field(lang: Language, problems: &Problems, name: &str, label: &str, hint: &str, value: &str) -> Markup {
    field(lang, problems, name, label, Some(hint), |f| {
        html! {
            input #(f.id) type="text" inputmode="numeric" name=(name) value=(value) required maxlength="6"
                aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
        }
    })
}

fn text_area(lang: Language, problems: &Problems, name: &str, label: &str, value: &str) -> Markup {
    field(lang, problems, name, label, None, |f| {
        html! {
            textarea #(f.id) name=(name) rows="5" maxlength="20000"
                aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid] { (value) }
        }
    })
}

fn switch(c: &ConsoleStrings, who: &Who<'_>, view: &PortalView<'_>, action: &str) -> Markup {
    let enabled = view.portal.is_enabled();
    html! {
        section.switch aria-labelledby="switch-title" {
            h3 #switch-title { (c.switch_title) }
            p { (on_off(c, enabled)) " " @if enabled { (c.portal_is_on) } @else { (c.portal_is_off) } }
            @if view.editable {
                form method="post" action={ (action) "/switch" } {
                    (csrf_field(who.csrf))
                    input type="hidden" name="version" value=(view.portal.version);
                    input type="hidden" name="enabled" value=(if enabled { "false" } else { "true" });
                    button.secondary type="submit" { @if enabled { (c.switch_off) } @else { (c.switch_on) } }
                }
            }
        }
    }
}

fn domain_status(c: &ConsoleStrings, status: DomainStatus) -> Markup {
    match status {
        DomainStatus::Active => html! { span.status { (c.domain_active) } },
        DomainStatus::Pending => html! { span.status { (c.domain_pending) } },
        DomainStatus::Failed => html! { span.status.closed { (c.domain_failed) } },
    }
}

/// The portal's domains: each with its status and the TXT record that proves it, the check
/// and remove buttons, and the form to connect another.
fn domains(lang: Language, who: &Who<'_>, view: &PortalView<'_>, action: &str) -> Markup {
    let c = lang.console();
    html! {
        section aria-labelledby="domains-title" {
            h3 #domains-title { (c.domains_title) }
            p.hint { (c.domains_intro) }
            @if view.domains.is_empty() {
                p.empty { (c.no_domains) }
            } @else {
                table.stacked {
                    thead {
                        tr {
                            th scope="col" { (c.domain_host) }
                            th scope="col" { (c.domain_status) }
                            th scope="col" { (c.domain_record) }
                            @if view.editable { th scope="col" { span.visually-hidden { (c.staff_actions) } } }
                        }
                    }
                    tbody {
                        @for domain in view.domains {
                            tr {
                                td data-label=(c.domain_host) { code { (domain.hostname) } }
                                td data-label=(c.domain_status) {
                                    (domain_status(c, domain.status))
                                    @if let Some(error) = &domain.last_error { br; span.hint { (error) } }
                                }
                                td data-label=(c.domain_record) {
                                    @if domain.status != DomainStatus::Active {
                                        dl.record {
                                            dt { (c.record_type) } dd { code { "TXT" } }
                                            dt { (c.record_name) } dd { code { (verification_record_name(&domain.hostname)) } }
                                            dt { (c.record_value) } dd { code { (domain.verification_token) } }
                                        }
                                    }
                                }
                                @if view.editable {
                                    td {
                                        form.inline method="post" action={ (action) "/domains/" (domain.hostname) "/verify" } {
                                            (csrf_field(who.csrf))
                                            button.secondary type="submit" { (c.verify_domain) " " span.visually-hidden { (domain.hostname) } }
                                        }
                                        " "
                                        form.inline method="post" action={ (action) "/domains/" (domain.hostname) "/remove" } {
                                            (csrf_field(who.csrf))
                                            button.link-button type="submit" { (c.remove) " " span.visually-hidden { (domain.hostname) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if view.editable {
                (one_field_form(lang, who.csrf, view.problems, &OneField {
                    action: &format!("{action}/domains"),
                    name: "hostname",
                    label: c.add_domain,
                    hint: Some(c.domain_hint),
                    max_chars: 253,
                    verbatim: true,
                    typed: view.typed_host,
                    button: c.add_domain_button,
                }))
            }
        }
    }
}

/// Who may register while the portal admits listed people: each entry with its remove
/// button, and the form to add one.
fn registration_list(lang: Language, who: &Who<'_>, view: &PortalView<'_>, action: &str) -> Markup {
    let c = lang.console();
    html! {
        section aria-labelledby="list-title" {
            h3 #list-title { (c.list_title) }
            p.hint { (c.list_intro) }
            @if view.entries.is_empty() {
                p.empty { (c.no_entries) }
            } @else {
                table.stacked {
                    thead {
                        tr {
                            th scope="col" { (c.entry_listed) }
                            th scope="col" { (c.entry_kind) }
                            @if view.editable { th scope="col" { span.visually-hidden { (c.staff_actions) } } }
                        }
                    }
                    tbody {
                        @for entry in view.entries {
                            tr {
                                td data-label=(c.entry_listed) { code { (entry.value) } }
                                td data-label=(c.entry_kind) {
                                    @if entry.kind == "domain" { (c.entry_domain) } @else { (c.entry_email) }
                                }
                                @if view.editable {
                                    td {
                                        form.inline method="post" action={ (action) "/registration-list/" (entry.id) "/remove" } {
                                            (csrf_field(who.csrf))
                                            button.link-button type="submit" { (c.remove) " " span.visually-hidden { (entry.value) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if view.editable {
                (one_field_form(lang, who.csrf, view.problems, &OneField {
                    action: &format!("{action}/registration-list"),
                    name: "entry",
                    label: c.add_entry,
                    hint: Some(c.add_entry_hint),
                    max_chars: 254,
                    verbatim: true,
                    typed: view.typed_entry,
                    button: c.add_entry_button,
                }))
            }
        }
    }
}

pub fn portal(lang: Language, who: &Who<'_>, view: &PortalView<'_>) -> String {
    let c = lang.console();
    let action = format!("/tenants/{}/portals/{}", view.tenant.id, view.portal.id);
    let form = view.form;
    let body = html! {
        (tenant_header(lang, who, view.tenant, TenantTab::Portals))
        p.back { a href={ "/tenants/" (view.tenant.id) "/portals" } { (c.all_portals) } }
        h2 { (view.portal.name) }
        @if let Some(address) = view.address {
            p { a href=(address) { (c.open_portal) } " " code { (address) } }
        }
        @if let Some(notice) = view.notice { p.notice role="status" { (notice) } }
        @if !view.editable { p.notice { (c.read_only) } }
        (summary(lang, view.problems))
        (switch(c, who, view, &action))
        nav aria-labelledby="more-settings-title" {
            h3 #more-settings-title { (c.more_settings) }
            ul {
                li { a href={ (action) "/setup" } { (lang.portal_setup().open_link) } }
                li { a href={ (action) "/tickets" } { (lang.portal_tickets().open_link) } }
                li { a href={ (action) "/sso" } { (lang.portal_sso().open_link) } }
            }
        }
        @if view.editable {
            section aria-labelledby="view-as-title" {
                h3 #view-as-title { (c.view_as_title) }
                p.hint { (c.view_as_hint) }
                @if let Some(url) = view.preview {
                    p.notice role="status" { a.button href=(url) { (c.view_as_open) } }
                }
                form.stack method="post" action={ (action) "/view-as" } novalidate {
                    (csrf_field(who.csrf))
                    (field(lang, view.problems, "view_as_email", c.view_as_email, Some(c.view_as_email_hint), |f| html! {
                        input #(f.id) type="email" name="view_as_email" value=(view.typed_view_as) autocomplete="off"
                            aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
                    }))
                    div.actions { button.secondary type="submit" { (c.view_as_button) } }
                }
            }
        }
        (domains(lang, who, view, &action))
        (registration_list(lang, who, view, &action))
        form.stack method="post" action={ (action) "/settings" } novalidate {
            (csrf_field(who.csrf))
            input type="hidden" name="version" value=(view.portal.version);
            fieldset.stack disabled[!view.editable] {
                h3 { (c.general_title) }
                (field(lang, view.problems, "name", c.staff_name, None, |f| html! {
                    input #(f.id) type="text" name="name" value=(form.name) required maxlength="120"
                        aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
                }))
                (field(lang, view.problems, "page_title", c.page_title, Some(c.page_title_hint), |f| html! {
                    input #(f.id) type="text" name="page_title" value=(form.page_title) required maxlength="200"
                        aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
                }))
                (field(lang, view.problems, "default_language", c.default_language, Some(c.default_language_hint), |f| html! {
                    select #(f.id) name="default_language" aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid] {
                        @for option in Language::ALL {
                            option value=(option.code()) lang=(option.code()) selected[form.default_language == option.code()] { (own_name(option)) }
                        }
                    }
                }))
                h3 { (c.access_title) }
                (join_choice(lang, view.problems, &form.join_policy))
                (number_field(lang, view.problems, "idle_timeout_minutes", c.idle_timeout, c.idle_timeout_hint, &form.idle_timeout_minutes))
                (number_field(lang, view.problems, "session_lifetime_hours", c.session_lifetime, c.session_lifetime_hint, &form.session_lifetime_hours))
                h3 { (c.agreements_title) }
                p.hint { (c.agreements_hint) }
                (text_area(lang, view.problems, "terms_text", c.terms_text, &form.terms_text))
                (text_area(lang, view.problems, "consent_text", c.consent_text, &form.consent_text))
                @if view.editable { (submit(c.save_settings)) }
            }
        }
    };
    shell(lang, &format!("{} · {}", view.portal.name, view.tenant.name), None, Some(who), &body)
}
