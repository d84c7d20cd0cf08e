//! A tenant's erasure as a job row: asked for once (the tenant's keys lose their power in
//! the same batch), then carried out in steps by the scheduled run, which records how far
//! it got after every step so a failure resumes where it stopped.

use serde::Deserialize;
use serde_json::json;

use super::audit::{Actor, Change};
use super::{Database, DbError, Statement};
use crate::params;
use porch_types::ids::TenantId;
use porch_types::time::Timestamp;

#[derive(Clone, Debug, Deserialize)]
pub struct DeletionRow {
    pub tenant_id: String,
    pub requested_by: String,
    pub requested_at: i64,
    pub step: i64,
    pub removed: i64,
    pub runs: i64,
    pub last_error: Option<String>,
    pub finished_at: Option<i64>,
}

/// The slugs of the tenant's child tenants (including children being erased: their rows
/// still name it as parent until their own erasure ends).
pub async fn children(db: &impl Database, tenant: TenantId) -> Result<Vec<String>, DbError> {
    #[derive(Deserialize)]
    struct Child {
        slug: String,
    }
    let rows: Vec<Child> = db
        .query(Statement::new("SELECT slug FROM tenants WHERE parent_id = ?1 ORDER BY slug", params![tenant.to_db()]))
        .await?;
    Ok(rows.into_iter().map(|c| c.slug).collect())
}

/// Every hostname that may serve one of the tenant's portals, as stored: custom domains and
/// portal slugs (the caller turns slugs into platform subdomains).
#[derive(Debug, Default, Deserialize)]
pub struct TenantHosts {
    pub domains: Vec<String>,
    pub slugs: Vec<String>,
}

pub async fn hosts(db: &impl Database, tenant: TenantId) -> Result<TenantHosts, DbError> {
    #[derive(Deserialize)]
    struct Host {
        kind: String,
        name: String,
    }
    let rows: Vec<Host> = db
        .query(Statement::new(
            "SELECT 'domain' AS kind, hostname AS name FROM domains WHERE tenant_id = ?1
             UNION ALL SELECT 'slug', slug FROM portals WHERE tenant_id = ?1",
            params![tenant.to_db()],
        ))
        .await?;
    let mut hosts = TenantHosts::default();
    for row in rows {
        if row.kind == "domain" {
            hosts.domains.push(row.name);
        } else {
            hosts.slugs.push(row.name);
        }
    }
    Ok(hosts)
}

/// Whether a portal of another tenant claims `hostname` too: then its registration with
/// Cloudflare for `SaaS` (one per hostname for the platform) is that claim's, and stays.
pub async fn claimed_by_others(db: &impl Database, tenant: TenantId, hostname: &str) -> Result<bool, DbError> {
    #[derive(Deserialize)]
    struct Found {
        n: i64,
    }
    let found: Option<Found> = db
        .query_one(Statement::new(
            "SELECT COUNT(*) AS n FROM domains WHERE hostname = ?2 AND tenant_id <> ?1",
            params![tenant.to_db(), hostname],
        ))
        .await?;
    Ok(found.is_some_and(|f| f.n > 0))
}

/// Records the request and, in the same batch, revokes every key of the tenant: from this
/// moment the tenant is missing to the API and its portals resolve to nothing. False when
/// an erasure of the tenant was already asked for.
pub async fn request(db: &impl Database, tenant: TenantId, actor: &Actor, now: Timestamp) -> Result<bool, DbError> {
    // The audit entry goes with the tenant's other rows; the job row is what remains.
    let change =
        Change::new(tenant, actor, "tenant.delete", "tenant", tenant.to_db()).after(json!({"erasure": "requested"}));
    let changed = db
        .batch(vec![
            Statement::new(
                "INSERT OR IGNORE INTO tenant_deletions (tenant_id, requested_by, requested_at) VALUES (?1, ?2, ?3)",
                params![tenant.to_db(), actor.label(), now.millis()],
            ),
            change.statement_if_changed(now),
            Statement::new(
                "UPDATE api_keys SET revoked_at = ?2 WHERE tenant_id = ?1 AND revoked_at IS NULL",
                params![tenant.to_db(), now.millis()],
            ),
        ])
        .await?;
    Ok(super::wrote(&changed, 0))
}

pub async fn get(db: &impl Database, tenant: TenantId) -> Result<Option<DeletionRow>, DbError> {
    db.query_one(Statement::new(SELECT_BY_TENANT, params![tenant.to_db()])).await
}

/// The oldest erasure not finished: the scheduled run works on one at a time.
pub async fn next_open(db: &impl Database) -> Result<Option<DeletionRow>, DbError> {
    db.query_one(Statement::new(SELECT_NEXT, Vec::new())).await
}

const SELECT_BY_TENANT: &str =
    "SELECT tenant_id, requested_by, requested_at, step, removed, runs, last_error, finished_at
                                FROM tenant_deletions WHERE tenant_id = ?1";
const SELECT_NEXT: &str = "SELECT tenant_id, requested_by, requested_at, step, removed, runs, last_error, finished_at
                           FROM tenant_deletions WHERE finished_at IS NULL ORDER BY requested_at LIMIT 1";

/// The progress statement for the batch that did a step's work: where the erasure now is
/// and how much more went.
pub fn progress(tenant: TenantId, step: i64, removed: i64) -> Statement {
    Statement::new(
        "UPDATE tenant_deletions SET step = ?2, removed = removed + ?3, last_error = NULL WHERE tenant_id = ?1",
        params![tenant.to_db(), step, removed],
    )
}

pub async fn started_run(db: &impl Database, tenant: TenantId) -> Result<(), DbError> {
    db.execute(Statement::new(
        "UPDATE tenant_deletions SET runs = runs + 1 WHERE tenant_id = ?1",
        params![tenant.to_db()],
    ))
    .await
    .map(drop)
}

pub async fn failed(db: &impl Database, tenant: TenantId, error: &str) -> Result<(), DbError> {
    db.execute(Statement::new(
        "UPDATE tenant_deletions SET last_error = ?2 WHERE tenant_id = ?1",
        params![tenant.to_db(), error],
    ))
    .await
    .map(drop)
}

pub async fn finish(db: &impl Database, tenant: TenantId, now: Timestamp) -> Result<(), DbError> {
    db.execute(Statement::new(
        "UPDATE tenant_deletions SET finished_at = ?2, last_error = NULL WHERE tenant_id = ?1",
        params![tenant.to_db(), now.millis()],
    ))
    .await
    .map(drop)
}
