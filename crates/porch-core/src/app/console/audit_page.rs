//! The audit log tab (`views::console_audit`): the tenant's entries as the API's `listAudit`
//! keeps them, filtered by who and what, 50 a page. Read once the person is known (not with
//! the session lookup, as lighter pages are): its reads scan the tenant's log.

use super::{tenant_of, Console};
use crate::app::cut_page;
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::audit::{self, ActorChoice, AuditFilter, NamedEntry};
use crate::store::{decode_rows, tenants, Database, Statement};
use crate::views::console_audit::{self as view, AuditView};
use porch_types::error::AppError;
use porch_types::ids::TenantId;

/// Entries on a page.
const PAGE: i64 = 50;

/// The filters of the request: who, what, and the cursor of an older page.
fn asked<R: Runtime>(console: &Console<'_, R>) -> Result<(String, String, Option<i64>), AppError> {
    let who = console.req.query_param("who").unwrap_or_default();
    let what = console.req.query_param("what").unwrap_or_default();
    let before = match console.req.query_param("before") {
        None => None,
        Some(raw) => {
            Some(raw.parse::<i64>().ok().filter(|c| *c > 0).ok_or_else(|| AppError::BadRequest("before".into()))?)
        }
    };
    Ok((who, what, before))
}

/// The page's reads: the tenant, a page of its entries (one more than shown, to know of an
/// older page), who has changed something, and what kinds of things were changed.
fn statements(tenant: TenantId, (who, what, before): (&str, &str, Option<i64>)) -> Vec<Statement> {
    let filter = AuditFilter {
        actor: Some(who).filter(|w| !w.is_empty()),
        target_type: Some(what).filter(|w| !w.is_empty()),
        before_seq: before,
    };
    vec![
        tenants::get_statement(tenant),
        audit::filtered_statement(tenant, filter, PAGE + 1),
        audit::actors_statement(tenant),
        audit::target_types_statement(tenant),
    ]
}

pub async fn page<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let (who, what, before) = asked(console)?;
    let rows = console.rt.db().read_batch(statements(tenant, (&who, &what, before))).await?;
    let mut rows = rows.into_iter();
    let tenant = tenant_of(&mut rows)?;
    let mut entries: Vec<NamedEntry> = decode_rows(rows.next())?;
    let older = cut_page(&mut entries, PAGE).map(|e| e.entry.seq);
    let actors: Vec<ActorChoice> = decode_rows(rows.next())?;
    let kinds: Vec<String> = decode_rows::<audit::Kind>(rows.next())?.into_iter().map(|k| k.target_type).collect();
    let csrf = console.csrf_token()?;
    let signed_in = console.who(person.session, &csrf);
    let page = AuditView {
        tenant: &tenant,
        entries: &entries,
        actors: &actors,
        kinds: &kinds,
        who: &who,
        what: &what,
        paged: before.is_some(),
        older,
    };
    Ok(console.with_csrf(Response::html(200, view::page(console.lang, &signed_in, &page)), &csrf))
}
