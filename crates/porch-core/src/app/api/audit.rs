//! The audit log, newest first, with cursor pagination.

use serde::Serialize;
use serde_json::json;

use super::auth::Principal;
use super::{ok, page_limit, Call};
use crate::app::cut_page;
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::audit::{self, AuditRow};
use porch_types::error::AppError;
use porch_types::ids::TenantId;
use porch_types::time::Timestamp;

/// An audit entry as the API shows it (`AuditEntry` in openapi.json).
#[derive(Serialize)]
struct EntryBody<'a> {
    seq: i64,
    tenant_id: Option<&'a str>,
    actor: &'a str,
    action: &'a str,
    target_type: &'a str,
    target_id: &'a str,
    at: Timestamp,
    /// The stored summaries, parsed back; null when absent (or, were it ever, unreadable).
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

impl<'a> From<&'a AuditRow> for EntryBody<'a> {
    fn from(row: &'a AuditRow) -> Self {
        let parse = |text: Option<&str>| text.and_then(|t| serde_json::from_str(t).ok());
        EntryBody {
            seq: row.seq,
            tenant_id: row.tenant_id.as_deref(),
            actor: &row.actor,
            action: &row.action,
            target_type: &row.target_type,
            target_id: &row.target_id,
            at: Timestamp::from_millis(row.at),
            before: parse(row.before_json.as_deref()),
            after: parse(row.after_json.as_deref()),
        }
    }
}

pub async fn list<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let cursor = match call.req.query_param("cursor") {
        None => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .ok()
                .filter(|c| *c > 0)
                .ok_or_else(|| AppError::invalid("cursor", "must be a cursor from a previous page"))?,
        ),
    };
    let limit = page_limit(call.req)?;
    let filter = call.req.query_param("tenant_id");
    // One row more than asked tells whether there is a next page.
    let mut rows = match (&call.principal, filter) {
        (Principal::Key { tenant, .. }, None) => {
            audit::list_for_tenant(call.rt.db(), *tenant, cursor, limit + 1).await?
        }
        (Principal::Key { tenant, .. }, Some(raw)) => {
            // A key sees only its own tenant's entries; asking for another's is not found.
            if TenantId::parse(&raw) != Some(*tenant) {
                return Err(AppError::NotFound);
            }
            audit::list_for_tenant(call.rt.db(), *tenant, cursor, limit + 1).await?
        }
        (Principal::Platform, Some(raw)) => {
            let tenant = TenantId::parse(&raw).ok_or_else(|| AppError::invalid("tenant_id", "must be a tenant id"))?;
            audit::list_for_tenant(call.rt.db(), tenant, cursor, limit + 1).await?
        }
        (Principal::Platform, None) => audit::list_all(call.rt.db(), cursor, limit + 1).await?,
    };
    let next_cursor = cut_page(&mut rows, limit).map(|r| r.seq.to_string());
    Ok(ok(&json!({
        "entries": rows.iter().map(EntryBody::from).collect::<Vec<_>>(),
        "next_cursor": next_cursor,
    })))
}
