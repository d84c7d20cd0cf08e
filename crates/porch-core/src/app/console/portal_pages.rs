//! A tenant's Portals tab and one portal's settings page. Saving the settings and the on/off
//! switch send a `PortalInput` to `app::portal_settings::update`, exactly what `updatePortal`
//! calls: the same checks, versioned write, audit entry and cache refresh. The form carries
//! the version it was drawn from, so a change someone else made meanwhile is never written
//! over unseen.

use super::sign_in::field;
use super::{tenant_of, Console, Person};
use crate::app::domains as domain_rules;
use crate::app::links;
use crate::app::portal_settings::{self as rules, PortalInput};
use crate::app::preview_links::{self, PreviewInput};
use crate::app::registration_list::{self as list_rules, NewEntry};
use crate::app::versions::Precondition;
use crate::http::Response;
use crate::i18n::{Language, Translations as _};
use crate::runtime::Runtime;
use crate::store::domains::{self, DomainRow};
use crate::store::portals::{self, OverviewRow, PortalRow};
use crate::store::registration_list::{self, EntryRow};
use crate::store::{accounts, decode_rows, tenants, Database, PortalScope, Statement};
use crate::tenancy;
use crate::views::console_portals::{self as view, PortalView, PortalsView, SettingsForm};
use crate::views::form::Problems;
use porch_types::email::{Email, EmailDomain};
use porch_types::error::{entity_tag, AppError};
use porch_types::host::Hostname;
use porch_types::ids::{CustomerId, ListEntryId, PortalId, TenantId};
use porch_types::time::Timestamp;

/// The Portals tab's reads: the tenant and its portals at a glance.
pub fn list_reads(raw: &str, now: Timestamp) -> Vec<Statement> {
    TenantId::parse(raw)
        .map(|tenant| vec![tenants::get_statement(tenant), portals::overview_statement(tenant, None, now)])
        .unwrap_or_default()
}

pub fn list<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let mut rows = console.prefetched.clone().into_iter();
    let tenant_row = tenant_of(&mut rows)?;
    let portals: Vec<OverviewRow> = decode_rows(rows.next())?;
    let csrf = console.csrf_token()?;
    let who = console.who(person.session, &csrf);
    let page = view::portals(console.lang, &who, &PortalsView { tenant: &tenant_row, portals: &portals });
    Ok(console.with_csrf(Response::html(200, page), &csrf))
}

/// The portal's page again, saying what was `done`.
fn back(tenant: TenantId, portal: PortalId, done: &str) -> Response {
    Response::see_other(&format!("/tenants/{tenant}/portals/{portal}?done={done}"))
}

fn ids(raw_tenant: &str, raw_portal: &str) -> Option<(TenantId, PortalId)> {
    Some((TenantId::parse(raw_tenant)?, PortalId::parse(raw_portal)?))
}

fn statements(tenant: TenantId, portal: PortalId) -> Vec<Statement> {
    vec![
        tenants::get_statement(tenant),
        portals::get_statement(tenant, portal),
        domains::list_statement(tenant, portal),
        registration_list::list_statement(PortalScope { tenant, portal }),
    ]
}

/// A portal page's reads: the tenant, the portal, its domains and its registration list.
pub fn reads(raw_tenant: &str, raw_portal: &str) -> Vec<Statement> {
    ids(raw_tenant, raw_portal).map(|(tenant, portal)| statements(tenant, portal)).unwrap_or_default()
}

/// What the page shows besides the portal: the outcome of what was just sent.
#[derive(Default)]
struct Outcome {
    notice: Option<&'static str>,
    problems: Problems,
    /// The form as typed, when it was refused.
    typed: Option<SettingsForm>,
    /// A domain as typed, when adding it was refused.
    typed_host: String,
    /// A registration list entry as typed, when adding it was refused.
    typed_entry: String,
    /// A "View as" link just made, to follow.
    preview: Option<String>,
    /// The email "View as" was asked for, when no one on the portal has it.
    typed_view_as: String,
}

fn draw<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    rows: Vec<Vec<serde_json::Value>>,
    status: u16,
    outcome: Outcome,
) -> Result<Response, AppError> {
    let mut rows = rows.into_iter();
    let tenant = tenant_of(&mut rows)?;
    let portal = decode_rows::<PortalRow>(rows.next())?.into_iter().next().ok_or(AppError::NotFound)?;
    let domains: Vec<DomainRow> = decode_rows(rows.next())?;
    let entries: Vec<EntryRow> = decode_rows(rows.next())?;
    let address = tenancy::platform_host(console.rt, &portal.slug)
        .map(|host| links::origin(&host, console.req.header("host").unwrap_or("")));
    let form = outcome.typed.unwrap_or_else(|| SettingsForm::of(&portal));
    let csrf = console.csrf_token()?;
    let who = console.who(person.session, &csrf);
    let page = PortalView {
        tenant: &tenant,
        portal: &portal,
        address: address.as_deref(),
        form: &form,
        problems: &outcome.problems,
        notice: outcome.notice,
        editable: person.role.can_change_settings(),
        domains: &domains,
        typed_host: &outcome.typed_host,
        entries: &entries,
        typed_entry: &outcome.typed_entry,
        preview: outcome.preview.as_deref(),
        typed_view_as: &outcome.typed_view_as,
    };
    Ok(console.with_csrf(Response::html(status, view::portal(console.lang, &who, &page)), &csrf))
}

pub fn page<R: Runtime>(console: &Console<'_, R>, raw_tenant: &str, raw_portal: &str) -> Result<Response, AppError> {
    let (tenant, _) = ids(raw_tenant, raw_portal).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let c = console.lang.console();
    let notice = match console.req.query_param("done").as_deref() {
        Some("saved") => Some(c.settings_saved),
        Some("on") => Some(c.switched_on),
        Some("off") => Some(c.switched_off),
        Some("domain") => Some(c.domain_added),
        Some("checked") => Some(c.domain_checked),
        Some("removed") => Some(c.domain_removed),
        Some("listed") => Some(c.entry_added),
        Some("unlisted") => Some(c.entry_removed),
        _ => None,
    };
    draw(console, &person, console.prefetched.clone(), 200, Outcome { notice, ..Outcome::default() })
}

/// The settings form's fields, once the person may change settings; and the version it was
/// drawn from.
fn posted<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
) -> Result<(Vec<(String, String)>, Precondition), AppError> {
    let fields = console.form_if(person.role.can_change_settings())?;
    let version: i64 =
        field(&fields, "version").parse().map_err(|_| AppError::BadRequest("the form's version is missing".into()))?;
    Ok((fields, Precondition::Tags(vec![entity_tag(version)])))
}

/// Writes `input` through the API's rule, then goes back to the page saying `done`, or shows
/// what was refused: field by field, or the portal as it now is when it changed meanwhile.
async fn write<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    (tenant, portal): (TenantId, PortalId),
    input: &PortalInput,
    pre: &Precondition,
    typed: Option<SettingsForm>,
    done: &str,
) -> Result<Response, AppError> {
    let acting = person.acting();
    let outcome = match rules::update(console.rt, tenant, &acting.actor, portal, input, pre).await {
        Ok(_) => {
            return Ok(back(tenant, portal, done));
        }
        Err(AppError::Invalid(errors)) => {
            // The shared rule's words are the API's English; a field this page does not
            // have (a template's apps or theme gone stale, say) is the form's problem.
            let mut problems = Problems::default();
            for error in errors {
                let on_page = SETTINGS_FIELDS.contains(&error.field.as_str()).then_some(error.field.as_str());
                problems.add_written(on_page, error.message, Language::En);
            }
            (422, Outcome { problems, typed, ..Outcome::default() })
        }
        Err(AppError::PreconditionFailed(_)) => {
            (409, Outcome { problems: Problems::general(console.lang.console().stale_form), ..Outcome::default() })
        }
        Err(AppError::Conflict(message)) => {
            let mut problems = Problems::default();
            problems.add_written(None, message, Language::En);
            (409, Outcome { problems, typed, ..Outcome::default() })
        }
        Err(err) => return Err(err),
    };
    let rows = console.rt.db().read_batch(statements(tenant, portal)).await?;
    draw(console, person, rows, outcome.0, outcome.1)
}

/// The settings form's fields: a problem of another field is the form's.
const SETTINGS_FIELDS: [&str; 8] = [
    "name",
    "page_title",
    "default_language",
    "join_policy",
    "idle_timeout_minutes",
    "session_lifetime_hours",
    "terms_text",
    "consent_text",
];

/// A whole number typed in a form field, or its problem.
fn whole_number(problems: &mut Problems, name: &str, raw: &str, message: &str) -> Option<i64> {
    raw.trim().parse().map_err(|_| problems.add(name, message)).ok()
}

pub async fn save<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_portal: &str,
) -> Result<Response, AppError> {
    let ids = ids(raw_tenant, raw_portal).ok_or(AppError::NotFound)?;
    let person = console.person_for(ids.0)?;
    let (fields, pre) = posted(console, &person)?;
    let typed = SettingsForm {
        name: field(&fields, "name").to_owned(),
        page_title: field(&fields, "page_title").to_owned(),
        default_language: field(&fields, "default_language").to_owned(),
        join_policy: field(&fields, "join_policy").to_owned(),
        idle_timeout_minutes: field(&fields, "idle_timeout_minutes").to_owned(),
        session_lifetime_hours: field(&fields, "session_lifetime_hours").to_owned(),
        terms_text: field(&fields, "terms_text").to_owned(),
        consent_text: field(&fields, "consent_text").to_owned(),
    };
    let c = console.lang.console();
    let mut problems = Problems::default();
    let idle = whole_number(&mut problems, "idle_timeout_minutes", &typed.idle_timeout_minutes, c.whole_number);
    let lifetime = whole_number(&mut problems, "session_lifetime_hours", &typed.session_lifetime_hours, c.whole_number);
    if !problems.is_empty() {
        let rows = console.rt.db().read_batch(statements(ids.0, ids.1)).await?;
        return draw(console, &person, rows, 422, Outcome { problems, typed: Some(typed), ..Outcome::default() });
    }
    // What the API's PATCH would send for these fields (a radio left unchosen sends nothing).
    let input = PortalInput {
        name: Some(typed.name.clone()),
        page_title: Some(typed.page_title.clone()),
        default_language: Some(typed.default_language.clone()),
        join_policy: (!typed.join_policy.is_empty()).then(|| typed.join_policy.clone()),
        idle_timeout_minutes: idle,
        session_lifetime_hours: lifetime,
        terms_text: Some(typed.terms_text.clone()),
        consent_text: Some(typed.consent_text.clone()),
        ..PortalInput::default()
    };
    write(console, &person, ids, &input, &pre, Some(typed), "saved").await
}

pub async fn switch<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_portal: &str,
) -> Result<Response, AppError> {
    let ids = ids(raw_tenant, raw_portal).ok_or(AppError::NotFound)?;
    let person = console.person_for(ids.0)?;
    let (fields, pre) = posted(console, &person)?;
    let enabled = match field(&fields, "enabled") {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::BadRequest("enabled must be true or false".into())),
    };
    let input = PortalInput { enabled: Some(enabled), ..PortalInput::default() };
    write(console, &person, ids, &input, &pre, None, if enabled { "on" } else { "off" }).await
}

/// Domain checks ask a DNS service or Cloudflare: a budget per tenant, as the API's
/// `DomainChecks` budget is per key.
const DOMAIN_ACTIONS_PER_WINDOW: i64 = 30;
const DOMAIN_WINDOW_SECONDS: i64 = 900;

/// Counts one domain action against the tenant's budget. The bucket starts with the tenant's
/// id, so the tenant's erasure takes it too.
async fn domain_budget<R: Runtime>(console: &Console<'_, R>, tenant: TenantId) -> Result<(), AppError> {
    let bucket = format!("{tenant}:console-domains");
    crate::app::count_attempt(console.rt.db(), &bucket, DOMAIN_ACTIONS_PER_WINDOW, DOMAIN_WINDOW_SECONDS, console.now)
        .await
}

/// The portal's domain named in the path, once the person may change settings and the
/// tenant's budget for domain actions has room.
async fn domain_action<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    (tenant, portal): (TenantId, PortalId),
    raw_host: &str,
) -> Result<DomainRow, AppError> {
    console.form_if(person.role.can_change_settings())?;
    domain_budget(console, tenant).await?;
    let host = Hostname::parse(raw_host).map_err(|_| AppError::NotFound)?;
    domain_rules::find(console.rt, tenant, portal, &host).await
}

pub async fn add_domain<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_portal: &str,
) -> Result<Response, AppError> {
    let (tenant, portal) = ids(raw_tenant, raw_portal).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let fields = console.form_if(person.role.can_change_settings())?;
    // The portal must be the tenant's before anything is claimed or counted.
    portals::get(console.rt.db(), tenant, portal).await?.ok_or(AppError::NotFound)?;
    domain_budget(console, tenant).await?;
    let typed = field(&fields, "hostname").trim().to_owned();
    let problem = match domain_rules::parse_for(console.rt, &typed) {
        Ok(host) => match domain_rules::add(console.rt, tenant, portal, &person.acting().actor, &host).await {
            Ok(_) => return Ok(back(tenant, portal, "domain")),
            Err(AppError::Conflict(message)) => message,
            Err(err) => return Err(err),
        },
        Err(message) => message.to_owned(),
    };
    let mut problems = Problems::default();
    problems.add_written(Some("hostname"), problem, Language::En);
    let rows = console.rt.db().read_batch(statements(tenant, portal)).await?;
    draw(console, &person, rows, 422, Outcome { problems, typed_host: typed, ..Outcome::default() })
}

/// What a domain's button asks for.
#[derive(Clone, Copy)]
pub enum DomainAction {
    Verify,
    Remove,
}

/// A domain's "Check now" or remove button, through the rule its API twin calls.
pub async fn on_domain<R: Runtime>(
    console: &Console<'_, R>,
    (raw_tenant, raw_portal, raw_host): (&str, &str, &str),
    action: DomainAction,
) -> Result<Response, AppError> {
    let (tenant, portal) = ids(raw_tenant, raw_portal).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let row = domain_action(console, &person, (tenant, portal), raw_host).await?;
    let actor = person.acting().actor;
    let done = match action {
        DomainAction::Verify => domain_rules::verify(console.rt, tenant, &row, &actor).await.map(|_| "checked")?,
        DomainAction::Remove => domain_rules::remove(console.rt, tenant, &row, &actor).await.map(|()| "removed")?,
    };
    Ok(back(tenant, portal, done))
}

/// An entry as typed: an address when it has an `@`, else a whole domain.
fn parse_entry(raw: &str) -> Option<NewEntry> {
    if raw.contains('@') {
        Email::parse(raw).ok().map(NewEntry::Email)
    } else {
        EmailDomain::parse(raw).ok().map(NewEntry::Domain)
    }
}

pub async fn add_entry<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_portal: &str,
) -> Result<Response, AppError> {
    let (tenant, portal) = ids(raw_tenant, raw_portal).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let fields = console.form_if(person.role.can_change_settings())?;
    let row = portals::get(console.rt.db(), tenant, portal).await?.ok_or(AppError::NotFound)?;
    let typed = field(&fields, "entry").trim().to_owned();
    let problem = match parse_entry(&typed) {
        Some(entry) => {
            // As the API's default: a one-customer portal's people join as its customer.
            let customer = row.customer_id.as_deref().and_then(CustomerId::parse);
            let scope = (PortalScope { tenant, portal }, &row);
            let raw_host = console.req.header("host").unwrap_or("");
            match list_rules::add(console.rt, raw_host, scope, &person.acting().actor, &entry, customer, None).await {
                Ok(_) => return Ok(back(tenant, portal, "listed")),
                Err(AppError::Conflict(message)) => {
                    let mut problems = Problems::default();
                    problems.add_written(Some("entry"), message, Language::En);
                    problems
                }
                Err(err) => return Err(err),
            }
        }
        None => Problems::of("entry", console.lang.console().entry_invalid),
    };
    let rows = console.rt.db().read_batch(statements(tenant, portal)).await?;
    draw(console, &person, rows, 422, Outcome { problems: problem, typed_entry: typed, ..Outcome::default() })
}

pub async fn remove_entry<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_portal: &str,
    raw_entry: &str,
) -> Result<Response, AppError> {
    let (tenant, portal) = ids(raw_tenant, raw_portal).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    console.form_if(person.role.can_change_settings())?;
    let id = ListEntryId::parse(raw_entry).ok_or(AppError::NotFound)?;
    list_rules::remove(console.rt, PortalScope { tenant, portal }, &person.acting().actor, id).await?;
    Ok(back(tenant, portal, "unlisted"))
}

/// "View as": a preview link of the portal as the person with the email given sees it, or
/// (none given) as a member of its customer (or of no company), made by the rule
/// `createPreview` runs, shown to follow.
pub async fn view_as<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_portal: &str,
) -> Result<Response, AppError> {
    let (tenant, portal) = ids(raw_tenant, raw_portal).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let fields = console.form_if(person.role.can_change_settings())?;
    let scope = PortalScope { tenant, portal };
    let typed = field(&fields, "view_as_email").trim();
    let whom = if typed.is_empty() {
        Some(PreviewInput::default())
    } else {
        let found = match Email::parse(typed) {
            Ok(email) => accounts::find_by_email(console.rt.db(), scope, &email).await?,
            Err(_) => None,
        };
        found.map(|account| PreviewInput { account_id: Some(account.id), customer_id: None })
    };
    let Some(input) = whom else {
        let rows = console.rt.db().read_batch(statements(tenant, portal)).await?;
        let outcome = Outcome {
            problems: Problems::of("view_as_email", console.lang.console().view_as_nobody),
            typed_view_as: typed.to_owned(),
            ..Outcome::default()
        };
        return draw(console, &person, rows, 422, outcome);
    };
    let row = portals::get(console.rt.db(), tenant, portal).await?.ok_or(AppError::NotFound)?;
    let host = console.req.header("host").unwrap_or("");
    let link = preview_links::create(console.rt, host, &person.acting().actor, (scope, &row), &input).await?;
    // A link to follow, not a redirect: the console's `form-action 'self'` stops a form's
    // redirect to the portal's host, and the page answers the POST itself (the link is in no
    // URL the browser keeps).
    let rows = console.rt.db().read_batch(statements(tenant, portal)).await?;
    draw(console, &person, rows, 200, Outcome { preview: Some(link.url), ..Outcome::default() })
}
