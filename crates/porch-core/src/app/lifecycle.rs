//! A tenant leaving, and its data taken out, in bounded steps from the scheduled run.
//!
//! Erasure: step 0 sweeps the tenant's R2 prefixes; step `n` (1..) empties `TABLES[n - 1]`
//! a page at a time, removing first what each row keeps outside D1 (objects, KV entries,
//! Cloudflare for `SaaS` hostnames). The job row records the step and what went in the same
//! batch as each page's deletion, so a run that fails resumes at that page: the objects of a
//! page whose rows survived a failure are deleted again, which R2 treats as done.
//!
//! Export: a page of rows per part, written to R2 as NDJSON, recorded with the export's
//! cursor in one batch; a failure writes the same part again under the same key.

use serde_json::{json, Map, Value};

use crate::app::domain_verification::{self, DomainVerifier};
use crate::runtime::{Blob, BlobStore, KeyValue, Runtime};
use crate::store::tenant_erasure::{self, DeletionRow};
use crate::store::tenant_export::{self, ExportRow, NewPart};
use crate::store::tenant_tables::{self, Outside, TenantTable, TABLES};
use crate::store::{Database, Statement};
use crate::tenancy;
use porch_types::error::AppError;
use porch_types::host::Hostname;
use porch_types::ids::TenantId;

/// Rows read and deleted per page.
const PAGE: i64 = 500;
/// What one run may spend: a row costs 1, anything outside D1 (an object, a hostname, a KV
/// key) 20, so a run stays at a few dozen round trips and well inside its time.
const UNITS_PER_RUN: i64 = 5_000;
const OUTSIDE_COST: i64 = 20;
/// Objects listed per sweep request.
const SWEEP_LIST: u32 = 100;
/// The R2 prefixes under which the tenant's files are written (`app::files::put_new`,
/// asset photos, exports), each followed by `/<tenant id>/`.
const TENANT_PREFIXES: [&str; 4] = ["attachments", "documents", "assets", "exports"];
/// Pages written per export run.
const EXPORT_PAGES_PER_RUN: usize = 10;

/// What an erasure run did.
#[derive(Debug, PartialEq, Eq)]
pub enum Erased {
    Nothing,
    Progress { tenant: String, step: i64, removed: i64 },
    Finished { tenant: String },
}

/// One run's share of the oldest open erasure.
pub async fn erase_some<R: Runtime>(rt: &R) -> Result<Erased, AppError> {
    erase_within(rt, UNITS_PER_RUN).await
}

/// A share of `units` (see `UNITS_PER_RUN`) of the oldest open erasure; at least one page
/// or sweep is done whatever `units` is, so every share makes progress.
pub async fn erase_within<R: Runtime>(rt: &R, units: i64) -> Result<Erased, AppError> {
    let Some(job) = tenant_erasure::next_open(rt.db()).await? else {
        return Ok(Erased::Nothing);
    };
    let tenant = TenantId::parse(&job.tenant_id)
        .ok_or_else(|| AppError::Internal(format!("erasure of tenant {:?}", job.tenant_id)))?;
    tenant_erasure::started_run(rt.db(), tenant).await?;
    match erase_steps(rt, tenant, &job, units).await {
        Ok(Some((step, removed))) => Ok(Erased::Progress { tenant: job.tenant_id, step, removed }),
        Ok(None) => {
            tenant_erasure::finish(rt.db(), tenant, rt.now()).await?;
            Ok(Erased::Finished { tenant: job.tenant_id })
        }
        Err(err) => {
            let detail = detail(&err);
            tenant_erasure::failed(rt.db(), tenant, &detail).await?;
            Err(err)
        }
    }
}

/// Works through the steps until the budget is spent: Some((step, removed in this run))
/// while there is more to do, None once every step is done.
async fn erase_steps<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    job: &DeletionRow,
    units: i64,
) -> Result<Option<(i64, i64)>, AppError> {
    let mut step = job.step;
    let mut budget = units.max(1);
    let mut removed = 0;
    while budget > 0 {
        if step == 0 {
            let (swept, done) = sweep_prefixes(rt, tenant, budget).await?;
            budget -= swept * OUTSIDE_COST;
            removed += swept;
            let next = i64::from(done);
            rt.db().execute(tenant_erasure::progress(tenant, next, swept)).await?;
            step = next;
            continue;
        }
        let Some(table) = usize::try_from(step - 1).ok().and_then(|i| TABLES.get(i)) else {
            return Ok(None);
        };
        // The tenant row is last; a write that was under way when the erasure was asked for
        // may have added rows to a table already emptied: those go first (from step 1 again).
        if usize::try_from(step).is_ok_and(|s| s == TABLES.len()) && rows_left_before_the_tenant(rt, tenant).await? {
            step = 1;
            rt.db().execute(tenant_erasure::progress(tenant, step, 0)).await?;
            continue;
        }
        let rows = tenant_tables::page(rt.db(), tenant, table, None, PAGE).await?;
        if rows.is_empty() {
            step += 1;
            rt.db().execute(tenant_erasure::progress(tenant, step, 0)).await?;
            continue;
        }
        let (outside, mut batch) = remove_outside(rt, tenant, table, &rows).await?;
        let cursors: Vec<Value> = rows.iter().filter_map(tenant_tables::cursor_of).collect();
        let count = i64::try_from(rows.len()).unwrap_or(i64::MAX);
        batch.push(tenant_tables::delete_rows(tenant, table, &cursors));
        batch.push(tenant_erasure::progress(tenant, step, count + outside));
        rt.db().batch(batch).await?;
        budget -= count + outside * OUTSIDE_COST;
        removed += count + outside;
    }
    Ok(Some((step, removed)))
}

/// Whether any table before the tenants row still holds a row of the tenant.
async fn rows_left_before_the_tenant<R: Runtime>(rt: &R, tenant: TenantId) -> Result<bool, AppError> {
    for table in TABLES.iter().take(TABLES.len().saturating_sub(1)) {
        if !tenant_tables::page(rt.db(), tenant, table, None, 1).await?.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Deletes what the tenant's R2 prefixes hold, within the budget: (objects deleted, whether
/// every prefix is empty now).
async fn sweep_prefixes<R: Runtime>(rt: &R, tenant: TenantId, budget: i64) -> Result<(i64, bool), AppError> {
    let mut deleted = 0;
    for prefix in TENANT_PREFIXES {
        let prefix = format!("{prefix}/{}/", tenant.to_db());
        loop {
            if deleted * OUTSIDE_COST >= budget {
                return Ok((deleted, false));
            }
            let keys = rt.blobs().list(&prefix, SWEEP_LIST).await?;
            if keys.is_empty() {
                break;
            }
            for key in &keys {
                rt.blobs().delete(key).await?;
            }
            deleted += i64::try_from(keys.len()).unwrap_or(i64::MAX);
        }
    }
    Ok((deleted, true))
}

fn text<'a>(row: &'a Map<String, Value>, column: &str) -> Option<&'a str> {
    row.get(column).and_then(Value::as_str).filter(|t| !t.is_empty())
}

/// Removes what a page's rows keep outside D1 before the rows go: (how many things went,
/// statements to run with the rows' deletion).
async fn remove_outside<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    table: &TenantTable,
    rows: &[Map<String, Value>],
) -> Result<(i64, Vec<Statement>), AppError> {
    let mut removed = 0;
    let mut statements = Vec::new();
    let mut hosts = Vec::new();
    for row in rows {
        match table.outside {
            Outside::Nothing => {}
            Outside::Objects | Outside::Theme => {
                for key in table.objects.iter().filter_map(|column| text(row, column)) {
                    rt.blobs().delete(key).await?;
                    removed += 1;
                }
                if let (Outside::Theme, Some(id)) = (table.outside, text(row, "id")) {
                    for key in rt.blobs().list(&format!("themes/{id}/"), SWEEP_LIST).await? {
                        rt.blobs().delete(&key).await?;
                        removed += 1;
                    }
                }
            }
            Outside::Hostname => {
                if let Some(host) = text(row, "hostname").and_then(|h| Hostname::parse(h).ok()) {
                    if !host.is_localhost()
                        && !tenant_erasure::claimed_by_others(rt.db(), tenant, host.as_str()).await?
                    {
                        domain_verification::configured(rt).unregister(&host).await?;
                    }
                    hosts.push(host);
                    removed += 1;
                }
            }
            Outside::Portal => {
                if let Some(host) = text(row, "slug").and_then(|slug| tenancy::platform_host(rt, slug)) {
                    hosts.push(host);
                }
                statements.extend(text(row, "id").map(tenant_tables::delete_rate_limits_of));
            }
            Outside::Tenant => statements.extend(text(row, "id").map(tenant_tables::delete_rate_limits_of)),
            Outside::SsoConnection => {
                if let (Some(id), Some(updated)) = (text(row, "id"), row.get("updated_at").and_then(Value::as_i64)) {
                    // The provider documents cached by `app::idp_documents`, under today's
                    // version of the connection; older versions' copies expire by their TTL.
                    for kind in ["sso:jwks", "sso:oidc", "sso:oidc-jwks"] {
                        rt.kv().delete(&format!("{kind}:{id}:{updated}")).await?;
                        removed += 1;
                    }
                }
            }
        }
    }
    // The hosts resolve to nothing already (the tenant is being erased); this drops any KV
    // copy written before the request and this isolate's own.
    tenancy::refresh_hosts(rt, &hosts).await?;
    Ok((removed, statements))
}

/// The tenant's hosts dropped from KV and this isolate's cache at once, when erasure is asked
/// for: with the erasure recorded, D1 no longer resolves them, so each entry is deleted.
pub async fn forget_hosts<R: Runtime>(rt: &R, tenant: TenantId) -> Result<(), AppError> {
    let stored = tenant_erasure::hosts(rt.db(), tenant).await?;
    let mut hosts: Vec<Hostname> = stored.domains.iter().filter_map(|h| Hostname::parse(h).ok()).collect();
    hosts.extend(stored.slugs.iter().filter_map(|slug| tenancy::platform_host(rt, slug)));
    tenancy::refresh_hosts(rt, &hosts).await
}

/// Whether a table's rows go into an export: all but the export's own bookkeeping.
fn exported(table: &TenantTable) -> bool {
    !matches!(table.name, "tenant_exports" | "tenant_export_parts")
}

/// The R2 key of an export's records part.
fn part_key(export: &ExportRow, number: i64) -> String {
    format!("exports/{}/{}/part-{number:05}.ndjson", export.tenant_id, export.id)
}

/// One line of an export: the row's table and the row, without its cursor and its secrets.
fn export_line(table: &TenantTable, mut row: Map<String, Value>) -> String {
    row.remove("_cursor");
    for column in table.secret {
        row.remove(*column);
    }
    json!({ "table": table.name, "record": row }).to_string()
}

/// One run's share of the oldest open export: Some(export id) when one was worked on.
pub async fn export_some<R: Runtime>(rt: &R) -> Result<Option<String>, AppError> {
    let Some(mut export) = tenant_export::next_open(rt.db()).await? else {
        return Ok(None);
    };
    let result = export_pages(rt, &mut export).await;
    if let Err(err) = &result {
        let detail = detail(err);
        tenant_export::failed(rt.db(), &export, &detail).await?;
    }
    result.map(|()| Some(export.id))
}

async fn export_pages<R: Runtime>(rt: &R, export: &mut ExportRow) -> Result<(), AppError> {
    let tenant = TenantId::parse(&export.tenant_id)
        .ok_or_else(|| AppError::Internal(format!("export of tenant {:?}", export.tenant_id)))?;
    for _ in 0..EXPORT_PAGES_PER_RUN {
        let Some(table) = usize::try_from(export.step).ok().and_then(|i| TABLES.get(i)) else {
            tenant_export::finish(rt.db(), export, rt.now()).await?;
            return Ok(());
        };
        let rows = if exported(table) {
            tenant_tables::page(rt.db(), tenant, table, export.cursor.as_deref(), PAGE).await?
        } else {
            Vec::new()
        };
        let full = i64::try_from(rows.len()).unwrap_or(i64::MAX) == PAGE;
        let cursor = rows.last().and_then(tenant_tables::cursor_of).map(|c| c.to_string());
        let (step, cursor) = if full { (export.step, cursor) } else { (export.step + 1, None) };
        if rows.is_empty() {
            tenant_export::record_page(rt.db(), export, &[], step, None, 0).await?;
        } else {
            let files: Vec<(String, String)> = rows
                .iter()
                .flat_map(|row| {
                    table.objects.iter().filter_map(|column| {
                        text(row, column).map(|key| (key.to_owned(), format!("{}.{column}", table.name)))
                    })
                })
                .collect();
            let count = i64::try_from(rows.len()).unwrap_or(i64::MAX);
            let lines: Vec<String> = rows.into_iter().map(|row| export_line(table, row)).collect();
            let key = part_key(export, export.parts + 1);
            let mut body = lines.join("\n");
            body.push('\n');
            rt.blobs().put(&key, Blob { bytes: body.into_bytes(), content_type: NDJSON.to_owned() }).await?;
            let mut parts = vec![NewPart { kind: "records", r2_key: &key, content_type: NDJSON, source: table.name }];
            parts.extend(files.iter().map(|(key, source)| NewPart {
                kind: "file",
                r2_key: key,
                content_type: "application/octet-stream",
                source,
            }));
            tenant_export::record_page(rt.db(), export, &parts, step, cursor.as_deref(), count).await?;
            export.parts += i64::try_from(parts.len()).unwrap_or(i64::MAX);
            export.records += count;
        }
        export.step = step;
        export.cursor = cursor;
    }
    Ok(())
}

pub const NDJSON: &str = "application/x-ndjson";

/// An error as a job records it: an internal one's detail, otherwise its message.
pub fn detail(err: &AppError) -> String {
    err.log_detail().map_or_else(|| err.to_string(), str::to_owned)
}
