//! A tenant leaving (`DELETE /tenants/{id}`, its erasure's progress) and its data taken out
//! (`/tenants/{id}/export`). The work itself is `app::lifecycle`'s, in the scheduled run.
//!
//! Child tenants: a tenant with children cannot be deleted (409 naming them). Deleting them
//! along would let one organisation key erase accounts that have their own keys and
//! customers; refusing keeps each erasure the decision of whoever holds that tenant.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::{Principal, Reach};
use super::{ok, Call};
use crate::app::lifecycle::{self, NDJSON};
use crate::http::Response;
use crate::runtime::{BlobStore, Runtime};
use crate::store::tenant_erasure::{self, DeletionRow};
use crate::store::tenant_export::{self, ExportRow, PartRow};
use crate::store::tenant_tables::TABLES;
use crate::store::tenants;
use porch_types::error::AppError;
use porch_types::ids::{ExportId, TenantId};
use porch_types::time::Timestamp;

/// An erasure as the API shows it (`TenantDeletion` in openapi.json).
#[derive(Serialize)]
struct DeletionBody<'a> {
    tenant_id: &'a str,
    state: &'static str,
    requested_at: Timestamp,
    requested_by: &'a str,
    /// Steps done of `steps`: R2 sweep, then one per table.
    step: i64,
    steps: i64,
    removed: i64,
    runs: i64,
    last_error: Option<&'a str>,
    finished_at: Option<Timestamp>,
}

impl<'a> From<&'a DeletionRow> for DeletionBody<'a> {
    fn from(row: &'a DeletionRow) -> Self {
        DeletionBody {
            tenant_id: &row.tenant_id,
            state: if row.finished_at.is_some() { "finished" } else { "in_progress" },
            requested_at: Timestamp::from_millis(row.requested_at),
            requested_by: &row.requested_by,
            step: row.step,
            steps: i64::try_from(TABLES.len()).unwrap_or(i64::MAX) + 1,
            removed: row.removed,
            runs: row.runs,
            last_error: row.last_error.as_deref(),
            finished_at: row.finished_at.map(Timestamp::from_millis),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Confirmation {
    confirm_slug: Option<String>,
}

/// Asks for the tenant's erasure. From the answer on its keys are revoked, the API treats it
/// as missing and its portals answer the neutral 404; the scheduled run removes the rest.
pub async fn delete<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let row = tenants::get(call.rt.db(), tenant).await?.ok_or(AppError::NotFound)?;
    let confirmation = if call.req.body.is_empty() { None } else { call.json::<Confirmation>()?.confirm_slug };
    match (&call.principal, confirmation) {
        // The tenant's own key can end everything it holds: it must name what it ends.
        (Principal::Key { .. }, None) => return Err(AppError::BadRequest(
            "deleting a tenant with its own key needs a confirmation: send {\"confirm_slug\": \"<the tenant's slug>\"}"
                .into(),
        )),
        (_, Some(slug)) if slug != row.slug => {
            return Err(AppError::invalid("confirm_slug", "is not this tenant's slug"));
        }
        _ => {}
    }
    let children = tenant_erasure::children(call.rt.db(), tenant).await?;
    if !children.is_empty() {
        return Err(AppError::Conflict(format!(
            "this tenant has child tenants ({}); delete them first",
            children.join(", ")
        )));
    }
    tenant_erasure::request(call.rt.db(), tenant, &call.actor(), call.rt.now()).await?;
    lifecycle::forget_hosts(call.rt, tenant).await?;
    let job = tenant_erasure::get(call.rt.db(), tenant).await?.ok_or(AppError::NotFound)?;
    Ok(Response::json(202, &json!({ "deletion": DeletionBody::from(&job) })))
}

/// An erasure's progress, for the operator (the tenant's own keys ended with the request).
pub async fn deletion<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    call.principal.require_platform()?;
    let tenant = call.id("tenant_id", TenantId::parse)?;
    let job = tenant_erasure::get(call.rt.db(), tenant).await?.ok_or(AppError::NotFound)?;
    Ok(ok(&json!({ "deletion": DeletionBody::from(&job) })))
}

/// An export as the API shows it (`TenantExport` in openapi.json); its parts once finished.
#[derive(Serialize)]
struct ExportBody<'a> {
    id: &'a str,
    state: &'static str,
    requested_at: Timestamp,
    records: i64,
    last_error: Option<&'a str>,
    finished_at: Option<Timestamp>,
    parts: Vec<PartBody<'a>>,
}

#[derive(Serialize)]
struct PartBody<'a> {
    number: i64,
    kind: &'a str,
    source: &'a str,
    url: String,
}

fn export_body<'a>(tenant: TenantId, row: &'a ExportRow, parts: &'a [PartRow]) -> ExportBody<'a> {
    ExportBody {
        id: &row.id,
        state: if row.finished_at.is_some() { "finished" } else { "in_progress" },
        requested_at: Timestamp::from_millis(row.requested_at),
        records: row.records,
        last_error: row.last_error.as_deref(),
        finished_at: row.finished_at.map(Timestamp::from_millis),
        parts: parts
            .iter()
            .map(|part| PartBody {
                number: part.number,
                kind: &part.kind,
                source: &part.source,
                url: format!("/api/v1/tenants/{tenant}/export/parts/{}", part.number),
            })
            .collect(),
    }
}

/// Starts an export of everything the tenant holds; 409 while one is being written.
pub async fn start_export<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    if tenant_export::latest(call.rt.db(), tenant).await?.is_some_and(|e| e.finished_at.is_none()) {
        return Err(AppError::Conflict("an export of this tenant is being written; wait for it to finish".into()));
    }
    let id = ExportId::from_random(call.rt.random_16()?).to_db();
    tenant_export::start(call.rt.db(), tenant, &id, &call.actor(), call.rt.now()).await?;
    let row = tenant_export::latest(call.rt.db(), tenant).await?.ok_or(AppError::NotFound)?;
    Ok(Response::json(202, &json!({ "export": export_body(tenant, &row, &[]) })))
}

/// The newest export: its progress, and its parts to download once finished.
pub async fn get_export<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let row = tenant_export::latest(call.rt.db(), tenant).await?.ok_or(AppError::NotFound)?;
    let parts =
        if row.finished_at.is_some() { tenant_export::parts(call.rt.db(), tenant, &row.id).await? } else { Vec::new() };
    Ok(ok(&json!({ "export": export_body(tenant, &row, &parts) })))
}

/// One part of the newest finished export: an NDJSON page of records, or one of the files.
pub async fn export_part<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let number = call.id("number", |raw| raw.parse::<i64>().ok().filter(|n| *n > 0))?;
    let row = tenant_export::latest(call.rt.db(), tenant).await?.filter(|e| e.finished_at.is_some());
    let row = row.ok_or(AppError::NotFound)?;
    let part = tenant_export::part(call.rt.db(), tenant, &row.id, number).await?.ok_or(AppError::NotFound)?;
    // A file removed since the export was written is gone: the export names files, it does not copy them.
    let blob = call.rt.blobs().get(&part.r2_key).await?.ok_or(AppError::NotFound)?;
    let content_type = if part.kind == "records" { NDJSON } else { blob.content_type.as_str() };
    Ok(Response::new(200, content_type, blob.bytes)
        .with_header("content-disposition", &format!("attachment; filename=\"part-{number:05}\""))
        .with_header("x-content-type-options", "nosniff")
        .with_header("content-security-policy", "sandbox; default-src 'none'")
        .with_header("cache-control", "private, no-store"))
}
