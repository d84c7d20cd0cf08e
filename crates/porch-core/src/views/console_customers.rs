//! The console's customer pages: a tenant's customers (searched by name, and the form to add
//! one), and a customer's profile: its business units (and the form to add one), its own
//! portals, its people on every portal and the equipment shared with it.

use maud::{html, Markup};

use super::console::{one_field_form, shell, shown_once, tenant_header, OneField, ShownOnce, TenantTab, Who};
use super::form::{csrf_field, field, summary, Problems};
use super::language;
use super::layout::app_entry;
use crate::i18n::{ConsoleStrings, Formats, Language, Translations as _};
use crate::store::customer_profile::{ProfilePerson, ProfileShare, PROFILE_LIMIT};
use crate::store::customers::{CustomerRow, UnitRow};
use crate::store::portals::OverviewRow;
use crate::store::tenants::TenantRow;
use porch_types::access::INVITATION_DEFAULT_HOURS;
use porch_types::setup::StartPage;
use porch_types::time::Timestamp;
use porch_types::time_zone::TimeZone;

/// The tenant's Customers tab.
pub struct CustomersView<'a> {
    pub tenant: &'a TenantRow,
    pub customers: &'a [CustomerRow],
    /// The search as typed (trimmed), empty for none.
    pub search: &'a str,
    /// Whether the person may add customers (the form is shown).
    pub editable: bool,
    pub problems: &'a Problems,
    /// The new customer's name as typed, when it was refused.
    pub typed: &'a str,
}

/// A one-field form adding something by name (a customer, a business unit).
fn name_form(
    lang: Language,
    who: &Who<'_>,
    action: &str,
    heading: &str,
    button: &str,
    problems: &Problems,
    typed: &str,
) -> Markup {
    html! {
        h3 { (heading) }
        (summary(lang, problems))
        (one_field_form(lang, who.csrf, problems, &OneField {
            action,
            name: "name",
            label: lang.console().staff_name,
            hint: None,
            max_chars: 120,
            verbatim: false,
            typed,
            button,
        }))
    }
}

pub fn customers(lang: Language, who: &Who<'_>, view: &CustomersView<'_>) -> String {
    let c = lang.console();
    let formats = Formats::new(lang, TimeZone::UTC);
    let base = format!("/tenants/{}", view.tenant.id);
    let body = html! {
        (tenant_header(lang, who, view.tenant, TenantTab::Customers))
        h2.visually-hidden { (c.customers_title) }
        form.filters method="get" action=(base) role="search" {
            (field(lang, &Problems::default(), "q", c.search_customers, None, |f| html! {
                input #(f.id) type="search" name="q" value=(view.search) maxlength="100";
            }))
            div.actions { button.secondary type="submit" { (c.search_button) } }
        }
        @if view.customers.is_empty() {
            p.empty {
                @if view.search.is_empty() { (c.no_customers) } @else { ((c.no_customer_matches)(view.search)) }
            }
        } @else {
            table.stacked {
                thead { tr { th scope="col" { (c.customer_name) } th scope="col" { (c.customer_added) } } }
                tbody {
                    @for customer in view.customers {
                        tr {
                            td data-label=(c.customer_name) { a href={ (base) "/customers/" (customer.id) } { (customer.name) } }
                            td data-label=(c.customer_added) { (language::date(formats, Timestamp::from_millis(customer.created_at))) }
                        }
                    }
                }
            }
        }
        @if view.editable {
            (name_form(lang, who, &format!("{base}/customers"), c.add_customer, c.add_customer_button, view.problems, view.typed))
        }
    };
    let here = (!who.operator).then_some("/");
    shell(lang, &view.tenant.name, here, Some(who), &body)
}

/// A customer's profile.
pub struct CustomerView<'a> {
    pub tenant: &'a TenantRow,
    pub customer: &'a CustomerRow,
    pub units: &'a [UnitRow],
    /// Its own portals, each with its set-up and use.
    pub portals: &'a [OverviewRow],
    pub people: &'a [ProfilePerson],
    pub shares: &'a [ProfileShare],
    pub notice: Option<&'a str>,
    /// A link just made: its portal's id and the URL, shown this once.
    pub link: Option<(&'a str, &'a str)>,
    pub editable: bool,
    pub problems: &'a Problems,
    pub typed: &'a str,
}

/// "The first 200 are shown." under a list that reached the limit.
fn limited(c: &ConsoleStrings, shown: usize) -> Markup {
    html! { @if i64::try_from(shown).is_ok_and(|n| n >= PROFILE_LIMIT) { p.hint { ((c.first_shown)(PROFILE_LIMIT)) } } }
}

fn people(lang: Language, view: &CustomerView<'_>) -> Markup {
    let c = lang.console();
    let formats = Formats::new(lang, TimeZone::UTC);
    html! {
        h3 { (c.people_title) }
        @if view.people.is_empty() {
            p.empty { (c.no_people) }
        } @else {
            table.stacked {
                thead {
                    tr {
                        th scope="col" { (c.staff_name) }
                        th scope="col" { (c.staff_email) }
                        th scope="col" { (c.person_portal) }
                        th scope="col" { (c.staff_role) }
                        th scope="col" { (c.customer_added) }
                    }
                }
                tbody {
                    @for person in view.people {
                        tr {
                            td data-label=(c.staff_name) { (person.name) }
                            td data-label=(c.staff_email) { (person.email) }
                            td data-label=(c.person_portal) { (person.portal_name) }
                            td data-label=(c.staff_role) {
                                @if person.role == "admin" { (c.portal_role_admin) } @else { (c.portal_role_member) }
                            }
                            td data-label=(c.customer_added) { (language::date(formats, Timestamp::from_millis(person.created_at))) }
                        }
                    }
                }
            }
            (limited(c, view.people.len()))
        }
    }
}

fn shares(lang: Language, view: &CustomerView<'_>) -> Markup {
    let c = lang.console();
    let formats = Formats::new(lang, TimeZone::UTC);
    html! {
        h3 { (c.shared_title) }
        @if view.shares.is_empty() {
            p.empty { (c.no_shares) }
        } @else {
            table.stacked {
                thead { tr { th scope="col" { (c.shared_asset) } th scope="col" { (c.shared_from) } th scope="col" { (c.shared_until) } } }
                tbody {
                    @for share in view.shares {
                        tr {
                            td data-label=(c.shared_asset) { (share.asset_name) " " code { (share.asset_key) } }
                            td data-label=(c.shared_from) { (language::date(formats, Timestamp::from_millis(share.from_at))) }
                            td data-label=(c.shared_until) {
                                @match share.until_at {
                                    Some(until) => (language::date(formats, Timestamp::from_millis(until))),
                                    None => (c.until_further_notice),
                                }
                            }
                        }
                    }
                }
            }
            (limited(c, view.shares.len()))
        }
    }
}

/// The link just made for a portal, shown once.
fn new_link(lang: Language, url: &str) -> Markup {
    let w = lang.wizard();
    shown_once(
        lang,
        &ShownOnce {
            notice: &(w.link_made)(INVITATION_DEFAULT_HOURS / 24),
            id: "invitation-link",
            label: w.link_label,
            hint: w.link_hint,
            value: url,
            copy: w.copy_link,
            copied: w.link_copied,
        },
    )
}

/// One of the customer's portals at a glance: set-up, apps, theme, start page, admins,
/// invitations, users and last activity; until someone has joined, the way to invite the
/// first admin.
fn portal_overview(lang: Language, who: &Who<'_>, view: &CustomerView<'_>, portal: &OverviewRow) -> Markup {
    let (c, w) = (lang.console(), lang.wizard());
    let formats = Formats::new(lang, TimeZone::UTC);
    let base = format!("/tenants/{}", view.tenant.id);
    let start = StartPage::from_stored(portal.start_page.as_deref());
    let link = view.link.filter(|(id, _)| *id == portal.id).map(|(_, url)| url);
    html! {
        article.portal-overview aria-labelledby={ "portal-" (portal.id) } {
            h4 #{ "portal-" (portal.id) } {
                (portal.name) " "
                @if portal.enabled == 0 { span.status.closed { (c.portal_off) } }
            }
            dl.facts {
                dt { (w.setup_label) }
                dd {
                    @match &portal.template_name {
                        Some(name) => ((w.template_setup)(name)),
                        None => (w.custom_setup),
                    }
                }
                dt { (w.apps_label) }
                dd {
                    @if portal.apps.is_empty() { (w.no_apps) } @else {
                        @for (i, app) in portal.apps.iter().enumerate() { @if i > 0 { ", " } (app_entry(lang, app).label) }
                    }
                }
                dt { (w.theme_label) }
                dd { (portal.theme_name.as_deref().unwrap_or(w.theme_default)) }
                dt { (w.start_label) }
                dd { (start.app().map_or(w.start_home, |app| app_entry(lang, app).label)) }
                dt { (w.admins_label) }
                dd { @if portal.admins.is_empty() { (w.no_admins) } @else { (portal.admins.join(", ")) } }
                dt { (w.invitations_label) }
                dd { ((w.invitation_counts)(portal.invitations_pending, portal.invitations_accepted)) }
                dt { (w.users_label) }
                dd { (portal.users) }
                dt { (w.last_activity_label) }
                dd {
                    @match portal.last_activity_at {
                        Some(at) => (language::date(formats, Timestamp::from_millis(at))),
                        None => (w.never),
                    }
                }
            }
            @if let Some(url) = link {
                (new_link(lang, url))
            } @else if portal.users == 0 && view.editable {
                p { (w.first_admin_intro) }
                form method="post" action={ (base) "/customers/" (view.customer.id) "/portals/" (portal.id) "/link" } {
                    (csrf_field(who.csrf))
                    button.button type="submit" { (w.create_link) }
                }
            }
            p { a href={ (base) "/portals/" (portal.id) } { ((w.portal_settings_link)(&portal.name)) } }
        }
    }
}

/// The Customer portal part of a profile: each portal of the customer's own, or the way to
/// set one up.
fn customer_portal(lang: Language, who: &Who<'_>, view: &CustomerView<'_>) -> Markup {
    let w = lang.wizard();
    let wizard = format!("/tenants/{}/customers/{}/new-portal/setup", view.tenant.id, view.customer.id);
    html! {
        section #customer-portal aria-labelledby="customer-portal-title" {
            h3 #customer-portal-title { (w.customer_portal_title) }
            @if view.portals.is_empty() {
                p.empty { (w.no_customer_portal) }
            }
            @for portal in view.portals { (portal_overview(lang, who, view, portal)) }
            @if view.editable && view.portals.is_empty() {
                p { a.button href=(wizard) { (w.set_up_portal) } }
            }
        }
    }
}

pub fn customer(lang: Language, who: &Who<'_>, view: &CustomerView<'_>) -> String {
    let c = lang.console();
    let base = format!("/tenants/{}", view.tenant.id);
    let body = html! {
        (tenant_header(lang, who, view.tenant, TenantTab::Customers))
        p.back { a href=(base) { (c.all_customers) } }
        h2 { (view.customer.name) }
        @if let Some(notice) = view.notice { p.notice role="status" { (notice) } }
        (customer_portal(lang, who, view))
        h3 { (c.units_title) }
        @if view.units.is_empty() {
            p.empty { (c.no_units) }
        } @else {
            ul { @for unit in view.units { li { (unit.name) } } }
        }
        @if view.editable {
            (name_form(lang, who, &format!("{base}/customers/{}/units", view.customer.id), c.add_unit, c.add_unit_button, view.problems, view.typed))
        }
        (people(lang, view))
        (shares(lang, view))
    };
    shell(lang, &format!("{} · {}", view.customer.name, view.tenant.name), None, Some(who), &body)
}
