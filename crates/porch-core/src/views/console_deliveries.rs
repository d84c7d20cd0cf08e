//! The console's Webhooks and Emails tabs: what porch sends in a tenant's name. Webhooks: the
//! endpoints (on or off, turned and deleted by those who may change settings, one added with
//! its signing secret shown once) and an endpoint's recent deliveries. Emails: every email
//! sent, newest first, by status, 50 a page.

use maud::{html, Markup};

use super::console::{one_field_form, shell, shown_once, tenant_header, OneField, ShownOnce, TenantTab, Who};
use super::form::{csrf_field, summary, Problems};
use crate::i18n::{DeliveryStrings, Formats, Language, Translations as _};
use crate::store::outbox::OutboxRow;
use crate::store::queue::QueueState;
use crate::store::tenants::TenantRow;
use crate::store::webhooks::{DeliveryRow, WebhookRow};
use porch_types::percent::percent_encode;
use porch_types::time::Timestamp;
use porch_types::time_zone::TimeZone;

pub struct WebhooksView<'a> {
    pub tenant: &'a TenantRow,
    pub webhooks: &'a [WebhookRow],
    pub editable: bool,
    /// The signing secret of an endpoint just added, shown this once.
    pub secret: Option<&'a str>,
    pub notice: Option<&'a str>,
    pub problems: &'a Problems,
    pub typed: &'a str,
}

/// An endpoint's address as the person may see it: whole for those who may change it, the
/// origin alone for the rest (a hook's path or query often carries a secret of its own).
fn shown_url(url: &str, whole: bool) -> String {
    if whole {
        return url.to_owned();
    }
    let host_from = url.find("://").map_or(0, |i| i + 3);
    let end = url.get(host_from..).and_then(|rest| rest.find(['/', '?', '#'])).map_or(url.len(), |i| host_from + i);
    format!("{}/…", url.get(..end).unwrap_or(url))
}

/// A queue row's status, marked when it failed.
fn status(d: &DeliveryStrings, state: &QueueState) -> Markup {
    html! { span.status.closed[state.status == "failed"] { (d.status_label(&state.status)) } }
}

fn when(formats: Formats, at: i64) -> String {
    formats.date_time(Timestamp::from_millis(at))
}

/// An endpoint's buttons: off or on, and delete.
fn endpoint_actions(d: &DeliveryStrings, who: &Who<'_>, base: &str, webhook: &WebhookRow) -> Markup {
    let on = webhook.enabled != 0;
    html! {
        form.inline method="post" action={ (base) "/" (webhook.id) "/switch" } {
            (csrf_field(who.csrf))
            input type="hidden" name="version" value=(webhook.version);
            input type="hidden" name="enabled" value=(if on { "no" } else { "yes" });
            button.link-button type="submit" aria-label={ (if on { d.turn_off } else { d.turn_on }) " " (webhook.url) } {
                (if on { d.turn_off } else { d.turn_on })
            }
        }
        " · "
        form.inline method="post" action={ (base) "/" (webhook.id) "/delete" } {
            (csrf_field(who.csrf))
            input type="hidden" name="version" value=(webhook.version);
            button.link-button type="submit" aria-label={ (d.delete) " " (webhook.url) } { (d.delete) }
        }
    }
}

pub fn webhooks(lang: Language, who: &Who<'_>, view: &WebhooksView<'_>) -> String {
    let d = lang.deliveries();
    let formats = Formats::new(lang, TimeZone::UTC);
    let base = format!("/tenants/{}/webhooks", view.tenant.id);
    let body = html! {
        (tenant_header(lang, who, view.tenant, TenantTab::Webhooks))
        h2.visually-hidden { (d.webhooks_title) }
        p.lead { (d.webhooks_intro) }
        @if let Some(secret) = view.secret {
            (shown_once(lang, &ShownOnce {
                notice: d.secret_made,
                id: "signing-secret",
                label: d.secret_label,
                hint: d.secret_hint,
                value: secret,
                copy: d.copy_secret,
                copied: d.secret_copied,
            }))
        }
        @if let Some(notice) = view.notice { p.notice role="status" { (notice) } }
        @if view.webhooks.is_empty() {
            p.empty { (d.no_webhooks) }
        } @else {
            table.stacked.audit {
                thead { tr { th scope="col" { (d.url) } th scope="col" { (d.added) } th scope="col" { (d.state) } } }
                tbody {
                    @for webhook in view.webhooks {
                        tr {
                            td data-label=(d.url) { a href={ (base) "/" (webhook.id) } { code { (shown_url(&webhook.url, view.editable)) } } }
                            td data-label=(d.added) { (when(formats, webhook.created_at)) }
                            td data-label=(d.state) {
                                @if webhook.enabled != 0 { span.status { (d.on) } } @else { span.status.closed { (d.off) } }
                                @if view.editable { " " (endpoint_actions(d, who, &base, webhook)) }
                            }
                        }
                    }
                }
            }
        }
        @if view.editable {
            h3 { (d.add) }
            (summary(lang, view.problems))
            (one_field_form(lang, who.csrf, view.problems, &OneField {
                action: &base,
                name: "url",
                label: d.url,
                hint: Some(d.url_hint),
                max_chars: 2000,
                verbatim: true,
                typed: view.typed,
                button: d.add_button,
            }))
        }
    };
    shell(lang, &format!("{} · {}", d.webhooks_title, view.tenant.name), None, Some(who), &body)
}

/// An endpoint's deliveries; `whole`: whether the person may see its whole address.
pub fn deliveries(
    lang: Language,
    who: &Who<'_>,
    (tenant, webhook, whole): (&TenantRow, &WebhookRow, bool),
    rows: &[DeliveryRow],
) -> String {
    let d = lang.deliveries();
    let formats = Formats::new(lang, TimeZone::UTC);
    let body = html! {
        (tenant_header(lang, who, tenant, TenantTab::Webhooks))
        p.back { a href={ "/tenants/" (tenant.id) "/webhooks" } { (d.all_webhooks) } }
        h2 { (d.deliveries) }
        p { code { (shown_url(&webhook.url, whole)) } }
        @if rows.is_empty() {
            p.empty { (d.no_deliveries) }
        } @else {
            table.stacked.audit {
                thead {
                    tr {
                        th scope="col" { (d.event) }
                        th scope="col" { (d.queued_at) }
                        th scope="col" { (d.status) }
                        th scope="col" { (d.attempts) }
                        th scope="col" { (d.last_error) }
                    }
                }
                tbody {
                    @for row in rows {
                        tr {
                            td data-label=(d.event) { code { (row.event) } }
                            td data-label=(d.queued_at) { (when(formats, row.state.created_at)) }
                            td data-label=(d.status) {
                                (status(d, &row.state))
                                @if let Some(sent) = row.state.sent_at { " " (when(formats, sent)) }
                            }
                            td data-label=(d.attempts) { (row.state.attempts) }
                            td data-label=(d.last_error) { (row.state.last_error.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
    };
    shell(lang, &format!("{} · {}", d.deliveries, tenant.name), None, Some(who), &body)
}

pub struct EmailsView<'a> {
    pub tenant: &'a TenantRow,
    pub emails: &'a [OutboxRow],
    /// The status asked for ("" for all).
    pub status: &'a str,
    pub paged: bool,
    /// The cursor of the next, older page.
    pub older: Option<String>,
}

pub fn emails(lang: Language, who: &Who<'_>, view: &EmailsView<'_>) -> String {
    let d = lang.deliveries();
    let formats = Formats::new(lang, TimeZone::UTC);
    let base = format!("/tenants/{}/emails", view.tenant.id);
    let filtered = format!("{base}?status={}", percent_encode(view.status, b""));
    let body = html! {
        (tenant_header(lang, who, view.tenant, TenantTab::Emails))
        h2.visually-hidden { (d.emails_title) }
        p.lead { (d.emails_intro) }
        form.filters method="get" action=(base) {
            label for="status" {
                (d.status)
                select #status name="status" {
                    option value="" selected[view.status.is_empty()] { (d.all) }
                    @for code in ["queued", "sent", "failed"] {
                        option value=(code) selected[view.status == code] { (d.status_label(code)) }
                    }
                }
            }
            div.actions { button.secondary type="submit" { (d.show) } }
        }
        @if view.emails.is_empty() {
            p.empty { (d.no_emails) }
        } @else {
            table.stacked.audit {
                thead {
                    tr {
                        th scope="col" { (d.queued_at) }
                        th scope="col" { (d.to) }
                        th scope="col" { (d.subject) }
                        th scope="col" { (d.status) }
                    }
                }
                tbody {
                    @for email in view.emails {
                        tr {
                            td data-label=(d.queued_at) { (when(formats, email.state.created_at)) }
                            td data-label=(d.to) { (email.to_email) }
                            td data-label=(d.subject) { (email.subject) " " span.hint { code { (email.kind) } } }
                            td data-label=(d.status) {
                                (status(d, &email.state))
                                @if let Some(error) = &email.state.last_error { span.hint { (error) } }
                            }
                        }
                    }
                }
            }
        }
        p.pages {
            @if view.paged { a href=(filtered) { (d.newest) } }
            @if let Some(older) = &view.older { a href={ (filtered) "&cursor=" (older) } { (d.older) } }
        }
    };
    shell(lang, &format!("{} · {}", d.emails_title, view.tenant.name), None, Some(who), &body)
}

#[cfg(test)]
mod tests {
    use super::shown_url;

    #[test]
    fn only_those_who_may_change_an_endpoint_see_its_path_and_query() {
        let url = "https://hooks.example.test/services/T0/B1/secret?token=abc";
        assert_eq!(shown_url(url, true), url);
        assert_eq!(shown_url(url, false), "https://hooks.example.test/…");
        assert_eq!(shown_url("https://desk.example.test", false), "https://desk.example.test/…");
    }
}
