//! A tenant's export as a job row and its parts: NDJSON pages the scheduled run wrote to R2,
//! and the tenant's files by their keys.

use serde::Deserialize;
use serde_json::json;

use super::audit::{Actor, Change};
use super::{write_audited, Database, DbError, Statement};
use crate::params;
use porch_types::ids::TenantId;
use porch_types::time::Timestamp;

#[derive(Clone, Debug, Deserialize)]
pub struct ExportRow {
    pub id: String,
    pub tenant_id: String,
    pub requested_by: String,
    pub requested_at: i64,
    pub step: i64,
    pub cursor: Option<String>,
    pub parts: i64,
    pub records: i64,
    pub last_error: Option<String>,
    pub finished_at: Option<i64>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct PartRow {
    pub number: i64,
    pub kind: String,
    pub r2_key: String,
    pub content_type: String,
    pub source: String,
}

/// A part to record with the page that produced it.
pub struct NewPart<'a> {
    pub kind: &'static str,
    pub r2_key: &'a str,
    pub content_type: &'a str,
    pub source: &'a str,
}

macro_rules! select_exports {
    ($rest:literal) => {
        concat!(
            "SELECT id, tenant_id, requested_by, requested_at, step, cursor, parts, records, last_error, finished_at
             FROM tenant_exports ",
            $rest
        )
    };
}

pub async fn start(
    db: &impl Database,
    tenant: TenantId,
    id: &str,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change =
        Change::new(tenant, actor, "tenant.export", "export", id.to_owned()).after(json!({"state": "requested"}));
    write_audited(
        db,
        Statement::new(
            "INSERT INTO tenant_exports (id, tenant_id, requested_by, requested_at) VALUES (?1, ?2, ?3, ?4)",
            params![id, tenant.to_db(), actor.label(), now.millis()],
        ),
        &change,
        now,
    )
    .await
}

/// The tenant's newest export.
pub async fn latest(db: &impl Database, tenant: TenantId) -> Result<Option<ExportRow>, DbError> {
    db.query_one(Statement::new(
        select_exports!("WHERE tenant_id = ?1 ORDER BY requested_at DESC, rowid DESC LIMIT 1"),
        params![tenant.to_db()],
    ))
    .await
}

/// The oldest unfinished export of a tenant that is not being erased.
pub async fn next_open(db: &impl Database) -> Result<Option<ExportRow>, DbError> {
    db.query_one(Statement::new(
        select_exports!(
            "WHERE finished_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM tenant_deletions d WHERE d.tenant_id = tenant_exports.tenant_id)
             ORDER BY requested_at LIMIT 1"
        ),
        Vec::new(),
    ))
    .await
}

pub async fn parts(db: &impl Database, tenant: TenantId, export: &str) -> Result<Vec<PartRow>, DbError> {
    db.query(Statement::new(
        "SELECT number, kind, r2_key, content_type, source FROM tenant_export_parts
         WHERE tenant_id = ?1 AND export_id = ?2 ORDER BY number",
        params![tenant.to_db(), export],
    ))
    .await
}

pub async fn part(db: &impl Database, tenant: TenantId, export: &str, number: i64) -> Result<Option<PartRow>, DbError> {
    db.query_one(Statement::new(
        "SELECT number, kind, r2_key, content_type, source FROM tenant_export_parts
         WHERE tenant_id = ?1 AND export_id = ?2 AND number = ?3",
        params![tenant.to_db(), export, number],
    ))
    .await
}

/// Records one page's parts (numbered on from the export's count) and where the export now
/// is, all at once: a failure leaves the export where it was, to write the page again.
pub async fn record_page(
    db: &impl Database,
    export: &ExportRow,
    new_parts: &[NewPart<'_>],
    step: i64,
    cursor: Option<&str>,
    records: i64,
) -> Result<(), DbError> {
    let mut batch = Vec::with_capacity(new_parts.len() + 1);
    for (offset, part) in (1..).zip(new_parts) {
        batch.push(Statement::new(
            "INSERT INTO tenant_export_parts (tenant_id, export_id, number, kind, r2_key, content_type, source)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                export.tenant_id.as_str(),
                export.id.as_str(),
                export.parts + offset,
                part.kind,
                part.r2_key,
                part.content_type,
                part.source
            ],
        ));
    }
    batch.push(Statement::new(
        "UPDATE tenant_exports SET step = ?3, cursor = ?4, parts = parts + ?5, records = records + ?6, last_error = NULL
         WHERE tenant_id = ?1 AND id = ?2",
        params![
            export.tenant_id.as_str(),
            export.id.as_str(),
            step,
            cursor,
            i64::try_from(new_parts.len()).unwrap_or(i64::MAX),
            records
        ],
    ));
    db.batch(batch).await.map(drop)
}

pub async fn failed(db: &impl Database, export: &ExportRow, error: &str) -> Result<(), DbError> {
    db.execute(Statement::new(
        "UPDATE tenant_exports SET last_error = ?3 WHERE tenant_id = ?1 AND id = ?2",
        params![export.tenant_id.as_str(), export.id.as_str(), error],
    ))
    .await
    .map(drop)
}

pub async fn finish(db: &impl Database, export: &ExportRow, now: Timestamp) -> Result<(), DbError> {
    db.execute(Statement::new(
        "UPDATE tenant_exports SET finished_at = ?3, last_error = NULL WHERE tenant_id = ?1 AND id = ?2",
        params![export.tenant_id.as_str(), export.id.as_str(), now.millis()],
    ))
    .await
    .map(drop)
}
