//! A tenant's Customers tab (searched by name, with the form to add a customer) and a
//! customer's profile (business units and the form to add one, its own portals, its people,
//! the equipment shared with it). Adding calls `app::customers`, as `createCustomer` and
//! `createUnit` do. The search is the API's `listCustomers` rule (`NameSearch`,
//! `customers::matching`).

use super::sign_in::field;
use super::{tenant_of, Console, Person};
use crate::app::customers as rules;
use crate::app::invitation_links::{self, InvitationInput};
use crate::http::Response;
use crate::i18n::Translations as _;
use crate::runtime::Runtime;
use crate::store::customer_profile::{self as profile, ProfilePerson, ProfileShare};
use crate::store::customers::{self, CustomerRow, UnitRow};
use crate::store::portals::{self, OverviewRow};
use crate::store::{decode_rows, tenants, Database, PortalScope, Statement};
use crate::views::console_customers::{self as view, CustomerView, CustomersView};
use crate::views::form::Problems;
use porch_types::error::AppError;
use porch_types::ids::{CustomerId, PortalId, TenantId};
use porch_types::search::NameSearch;
use porch_types::text::Label;
use porch_types::time::Timestamp;

type Rows = Vec<Vec<serde_json::Value>>;

fn list_statements(tenant: TenantId) -> Vec<Statement> {
    vec![tenants::get_statement(tenant), customers::list_statement(tenant)]
}

/// The Customers tab's reads: the tenant and its customers.
pub fn list_reads(raw: &str) -> Vec<Statement> {
    TenantId::parse(raw).map(list_statements).unwrap_or_default()
}

fn draw_list<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    rows: Rows,
    status: u16,
    problems: &Problems,
    typed: &str,
) -> Result<Response, AppError> {
    let raw_search = console.req.query_param("q").unwrap_or_default();
    let search = NameSearch::parse(&raw_search).map_err(|why| AppError::BadRequest(format!("q {why}")))?;
    let mut rows = rows.into_iter();
    let tenant = tenant_of(&mut rows)?;
    let found = customers::matching(decode_rows(rows.next())?, search.as_ref());
    let csrf = console.csrf_token()?;
    let who = console.who(person.session, &csrf);
    let view = CustomersView {
        tenant: &tenant,
        customers: &found,
        search: raw_search.trim(),
        editable: person.role.can_change_settings(),
        problems,
        typed,
    };
    Ok(console.with_csrf(Response::html(status, view::customers(console.lang, &who, &view)), &csrf))
}

pub fn list<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    draw_list(console, &person, console.prefetched.clone(), 200, &Problems::default(), "")
}

/// The name typed in an add form, once the person may change settings, and the name it
/// parses to or what is wrong with it, in the reader's words.
fn posted_name<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
) -> Result<(String, Result<Label, &'static str>), AppError> {
    let fields = console.form_if(person.role.can_change_settings())?;
    let typed = field(&fields, "name").to_owned();
    let c = console.lang.console();
    let name =
        rules::parse_name(&typed).map_err(|_| if typed.trim().is_empty() { c.enter_a_name } else { c.name_invalid });
    Ok((typed, name))
}

/// What an add form's name problem is: its own, or the name taken (`taken`); anything else
/// is the error it is.
fn name_problem<T>(result: Result<T, AppError>, taken: &'static str) -> Result<Result<T, &'static str>, AppError> {
    match result {
        Ok(done) => Ok(Ok(done)),
        Err(AppError::Conflict(_)) => Ok(Err(taken)),
        Err(err) => Err(err),
    }
}

pub async fn create<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let (typed, name) = posted_name(console, &person)?;
    let created = match name {
        Ok(name) => {
            let made = rules::create(console.rt, tenant, &person.acting().actor, &name).await;
            name_problem(made, console.lang.console().customer_name_taken)?
        }
        Err(problem) => Err(problem),
    };
    match created {
        Ok(row) => Ok(Response::see_other(&format!("/tenants/{tenant}/customers/{}?done=created", row.id))),
        Err(problem) => {
            let rows = console.rt.db().read_batch(list_statements(tenant)).await?;
            draw_list(console, &person, rows, 422, &Problems::of("name", problem), &typed)
        }
    }
}

fn ids(raw_tenant: &str, raw_customer: &str) -> Option<(TenantId, CustomerId)> {
    Some((TenantId::parse(raw_tenant)?, CustomerId::parse(raw_customer)?))
}

fn profile_statements(tenant: TenantId, customer: CustomerId, now: Timestamp) -> Vec<Statement> {
    vec![
        tenants::get_statement(tenant),
        customers::get_statement(tenant, customer),
        customers::units_statement(tenant, customer),
        portals::overview_statement(tenant, Some(customer), now),
        profile::people(tenant, customer),
        profile::shares(tenant, customer),
    ]
}

/// A profile's reads: the tenant, the customer, and everything the profile lists.
pub fn reads(raw_tenant: &str, raw_customer: &str, now: Timestamp) -> Vec<Statement> {
    ids(raw_tenant, raw_customer)
        .map(|(tenant, customer)| profile_statements(tenant, customer, now))
        .unwrap_or_default()
}

/// What a profile page shows besides its lists: a notice, a link just made (on its portal's
/// overview), and the add-unit form's problems and typed name.
#[derive(Default)]
struct Shown<'a> {
    notice: Option<&'a str>,
    link: Option<(String, String)>,
    problems: Problems,
    typed: String,
}

fn draw_profile<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    rows: Rows,
    status: u16,
    shown: &Shown<'_>,
) -> Result<Response, AppError> {
    let mut rows = rows.into_iter();
    let tenant = tenant_of(&mut rows)?;
    let customer = decode_rows::<CustomerRow>(rows.next())?.into_iter().next().ok_or(AppError::NotFound)?;
    let units: Vec<UnitRow> = decode_rows(rows.next())?;
    let portals: Vec<OverviewRow> = decode_rows(rows.next())?;
    let people: Vec<ProfilePerson> = decode_rows(rows.next())?;
    let shares: Vec<ProfileShare> = decode_rows(rows.next())?;
    let csrf = console.csrf_token()?;
    let who = console.who(person.session, &csrf);
    let view = CustomerView {
        tenant: &tenant,
        customer: &customer,
        units: &units,
        portals: &portals,
        people: &people,
        shares: &shares,
        notice: shown.notice,
        link: shown.link.as_ref().map(|(portal, url)| (portal.as_str(), url.as_str())),
        editable: person.role.can_change_settings(),
        problems: &shown.problems,
        typed: &shown.typed,
    };
    Ok(console.with_csrf(Response::html(status, view::customer(console.lang, &who, &view)), &csrf))
}

pub fn page<R: Runtime>(console: &Console<'_, R>, raw_tenant: &str, raw_customer: &str) -> Result<Response, AppError> {
    let (tenant, _) = ids(raw_tenant, raw_customer).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let c = console.lang.console();
    let notice = match console.req.query_param("done").as_deref() {
        Some("created") => Some(c.customer_added_notice),
        Some("unit") => Some(c.unit_added),
        Some("portal") => Some(console.lang.wizard().portal_made),
        _ => None,
    };
    draw_profile(console, &person, console.prefetched.clone(), 200, &Shown { notice, ..Shown::default() })
}

pub async fn add_unit<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_customer: &str,
) -> Result<Response, AppError> {
    let (tenant, customer) = ids(raw_tenant, raw_customer).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let (typed, name) = posted_name(console, &person)?;
    let created = match name {
        Ok(name) => {
            let made = rules::create_unit(console.rt, tenant, &person.acting().actor, customer, &name).await;
            name_problem(made, console.lang.console().unit_name_taken)?
        }
        Err(problem) => Err(problem),
    };
    if created.is_ok() {
        return Ok(Response::see_other(&format!("/tenants/{tenant}/customers/{customer}?done=unit")));
    }
    let problems = created.err().map(|problem| Problems::of("name", problem)).unwrap_or_default();
    let rows = console.rt.db().read_batch(profile_statements(tenant, customer, console.now)).await?;
    draw_profile(console, &person, rows, 422, &Shown { problems, typed, ..Shown::default() })
}

/// "Create link" on a portal of the customer: a link for the customer's first admin, made by
/// the rule `createPortalInvitation` runs, shown once on the portal's overview.
pub async fn create_link<R: Runtime>(
    console: &Console<'_, R>,
    (raw_tenant, raw_customer, raw_portal): (&str, &str, &str),
) -> Result<Response, AppError> {
    let (tenant, customer) = ids(raw_tenant, raw_customer).ok_or(AppError::NotFound)?;
    let portal = PortalId::parse(raw_portal).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    console.form_if(person.role.can_change_settings())?;
    // Only a portal of this customer's own is on its profile.
    let row = portals::get(console.rt.db(), tenant, portal)
        .await?
        .filter(|row| row.customer_id.as_deref() == Some(customer.to_db().as_str()))
        .ok_or(AppError::NotFound)?;
    let scope = PortalScope { tenant, portal };
    let input = InvitationInput { role: Some("admin".into()), ..InvitationInput::default() };
    let host = console.req.header("host").unwrap_or("");
    let link = invitation_links::create(console.rt, host, &person.acting().actor, (scope, &row), &input).await?;
    // The page answers the POST itself: the link is in no URL, history or log. Reloading it
    // asks to post again, which makes another link (the older stays valid until it expires).
    let rows = console.rt.db().read_batch(profile_statements(tenant, customer, console.now)).await?;
    let shown = Shown { link: Some((row.id, link.url)), ..Shown::default() };
    draw_profile(console, &person, rows, 200, &shown)
}
