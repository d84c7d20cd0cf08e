//! The Webhooks and Emails tabs (`views::console_deliveries`). Adding, turning and deleting
//! an endpoint call `app::webhook_endpoints`, as `createWebhook`, `updateWebhook` and
//! `deleteWebhook` do; the deliveries and emails are the API's `listWebhookDeliveries` and
//! `listEmails` reads.

use super::sign_in::field;
use super::{tenant_of, Console, MadeOnce, Person};
use crate::app::cut_page;
use crate::app::versions::Precondition;
use crate::app::webhook_endpoints as rules;
use crate::http::Response;
use crate::i18n::{Language, Translations as _};
use crate::runtime::Runtime;
use crate::store::outbox::{self, Cursor, OutboxRow, Status};
use crate::store::webhooks::{self, WebhookRow};
use crate::store::{decode_rows, tenants, Database, Statement};
use crate::views::console_deliveries::{self as view, EmailsView, WebhooksView};
use crate::views::form::Problems;
use porch_types::error::{entity_tag, AppError};
use porch_types::ids::{TenantId, WebhookId};

/// An endpoint's deliveries shown, newest first.
const DELIVERIES: i64 = 50;
/// Emails on a page.
const EMAILS: i64 = 50;

fn statements(tenant: TenantId) -> Vec<Statement> {
    vec![tenants::get_statement(tenant), webhooks::list_statement(tenant)]
}

/// The Webhooks tab's reads: the tenant and its endpoints.
pub fn reads(raw: &str) -> Vec<Statement> {
    TenantId::parse(raw).map(statements).unwrap_or_default()
}

fn draw<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    rows: Vec<Vec<serde_json::Value>>,
    status: u16,
    shown: &MadeOnce<'_>,
) -> Result<Response, AppError> {
    let mut rows = rows.into_iter();
    let tenant = tenant_of(&mut rows)?;
    let webhooks: Vec<WebhookRow> = decode_rows(rows.next())?;
    let csrf = console.csrf_token()?;
    let who = console.who(person.session, &csrf);
    let page = WebhooksView {
        tenant: &tenant,
        webhooks: &webhooks,
        editable: person.role.can_change_settings(),
        secret: shown.secret.as_deref(),
        notice: shown.notice,
        problems: &shown.problems,
        typed: &shown.typed,
    };
    Ok(console.with_csrf(Response::html(status, view::webhooks(console.lang, &who, &page)), &csrf))
}

pub fn page<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let d = console.lang.deliveries();
    let notice = match console.req.query_param("done").as_deref() {
        Some("on") => Some(d.switched_on),
        Some("off") => Some(d.switched_off),
        Some("deleted") => Some(d.deleted),
        _ => None,
    };
    draw(console, &person, console.prefetched.clone(), 200, &MadeOnce { notice, ..MadeOnce::default() })
}

async fn redraw<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    tenant: TenantId,
    status: u16,
    shown: &MadeOnce<'_>,
) -> Result<Response, AppError> {
    let rows = console.rt.db().read_batch(statements(tenant)).await?;
    draw(console, person, rows, status, shown)
}

pub async fn create<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let typed = field(&console.form_if(person.role.can_change_settings())?, "url").trim().to_owned();
    let (status, shown) = match rules::create(console.rt, tenant, &person.acting().actor, Some(&typed)).await {
        // The page answers the POST itself: the secret is in no URL, history or log.
        Ok(made) => (200, MadeOnce { secret: Some(made.secret), ..MadeOnce::default() }),
        Err(AppError::Invalid(_)) => (
            422,
            MadeOnce {
                problems: Problems::of("url", console.lang.deliveries().url_invalid),
                typed,
                ..MadeOnce::default()
            },
        ),
        Err(AppError::Conflict(message)) => {
            let mut problems = Problems::default();
            problems.add_written(Some("url"), message, Language::En);
            (409, MadeOnce { problems, typed, ..MadeOnce::default() })
        }
        Err(err) => return Err(err),
    };
    redraw(console, &person, tenant, status, &shown).await
}

/// A posted endpoint form: the endpoint, the fields, and the version it was drawn from.
struct EndpointForm {
    id: WebhookId,
    fields: Vec<(String, String)>,
    pre: Precondition,
}

fn endpoint_form<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    raw_id: &str,
) -> Result<EndpointForm, AppError> {
    let id = WebhookId::parse(raw_id).ok_or(AppError::NotFound)?;
    let fields = console.form_if(person.role.can_change_settings())?;
    let version: i64 =
        field(&fields, "version").parse().map_err(|_| AppError::BadRequest("the form's version is missing".into()))?;
    Ok(EndpointForm { id, fields, pre: Precondition::Tags(vec![entity_tag(version)]) })
}

/// After a write: back to the tab saying `done`, or the tab as it now is when the endpoint
/// changed meanwhile.
async fn after<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    tenant: TenantId,
    written: Result<(), AppError>,
    done: &str,
) -> Result<Response, AppError> {
    match written {
        Ok(()) => Ok(Response::see_other(&format!("/tenants/{tenant}/webhooks?done={done}"))),
        Err(AppError::PreconditionFailed(_)) => {
            let shown =
                MadeOnce { problems: Problems::general(console.lang.deliveries().stale), ..MadeOnce::default() };
            redraw(console, person, tenant, 409, &shown).await
        }
        Err(err) => Err(err),
    }
}

pub async fn switch<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_id: &str,
) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw_tenant).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let EndpointForm { id, fields, pre } = endpoint_form(console, &person, raw_id)?;
    let enabled = field(&fields, "enabled") == "yes";
    let written = rules::set_enabled(console.rt, (tenant, id), &person.acting().actor, Some(enabled), &pre).await;
    after(console, &person, tenant, written.map(|_| ()), if enabled { "on" } else { "off" }).await
}

pub async fn delete<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_id: &str,
) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw_tenant).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let EndpointForm { id, pre, .. } = endpoint_form(console, &person, raw_id)?;
    let written = rules::delete(console.rt, (tenant, id), &person.acting().actor, &pre).await;
    after(console, &person, tenant, written, "deleted").await
}

pub async fn deliveries<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_id: &str,
) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw_tenant).ok_or(AppError::NotFound)?;
    let id = WebhookId::parse(raw_id).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let db = console.rt.db();
    let mut rows = db.read_batch(vec![tenants::get_statement(tenant)]).await?.into_iter();
    let tenant_row = tenant_of(&mut rows)?;
    let webhook = webhooks::get(db, tenant, id).await?.ok_or(AppError::NotFound)?;
    let deliveries = webhooks::list_deliveries(db, tenant, id, DELIVERIES).await?;
    let csrf = console.csrf_token()?;
    let who = console.who(person.session, &csrf);
    let whole = person.role.can_change_settings();
    let page = view::deliveries(console.lang, &who, (&tenant_row, &webhook, whole), &deliveries);
    Ok(console.with_csrf(Response::html(200, page), &csrf))
}

pub async fn emails<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let raw_status = console.req.query_param("status").unwrap_or_default();
    let status = match raw_status.as_str() {
        "" => None,
        code => Some(Status::parse(code).map_err(|why| AppError::BadRequest(format!("status {why}")))?),
    };
    let cursor = match console.req.query_param("cursor") {
        None => None,
        Some(raw) => Some(Cursor::parse(&raw).ok_or_else(|| AppError::BadRequest("cursor".into()))?),
    };
    let db = console.rt.db();
    let mut rows = db.read_batch(vec![tenants::get_statement(tenant)]).await?.into_iter();
    let tenant_row = tenant_of(&mut rows)?;
    // One row more than shown tells whether there is an older page.
    let mut emails: Vec<OutboxRow> = outbox::list_for_tenant(db, tenant, status, cursor.as_ref(), EMAILS + 1).await?;
    let older = cut_page(&mut emails, EMAILS).map(|e| e.cursor().to_string());
    let csrf = console.csrf_token()?;
    let who = console.who(person.session, &csrf);
    let page = EmailsView { tenant: &tenant_row, emails: &emails, status: &raw_status, paged: cursor.is_some(), older };
    Ok(console.with_csrf(Response::html(200, view::emails(console.lang, &who, &page)), &csrf))
}
