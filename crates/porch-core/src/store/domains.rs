//! Custom domains of portals: a hostname names exactly one portal, once verified.

use serde::Deserialize;
use serde_json::json;

use super::audit::{Actor, Change};
use super::{write_audited, Database, DbError, Statement};
use crate::params;
use porch_types::host::Hostname;
use porch_types::ids::{PortalId, TenantId};
use porch_types::time::Timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DomainStatus {
    Pending,
    Active,
    Failed,
}

impl DomainStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DomainStatus::Pending => "pending",
            DomainStatus::Active => "active",
            DomainStatus::Failed => "failed",
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct DomainRow {
    pub hostname: String,
    pub tenant_id: String,
    pub portal_id: String,
    pub status: DomainStatus,
    pub verification_token: String,
    pub verified_at: Option<i64>,
    pub last_checked_at: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
}

/// The TXT record name that proves control of a hostname.
pub fn verification_record_name(hostname: &str) -> String {
    format!("_porch-verify.{hostname}")
}

pub struct NewDomain<'a> {
    pub hostname: &'a Hostname,
    pub portal: PortalId,
    pub status: DomainStatus,
    pub verification_token: &'a str,
}

pub async fn add(
    db: &impl Database,
    tenant: TenantId,
    new: &NewDomain<'_>,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change = Change::new(tenant, actor, "domain.add", "domain", new.hostname.to_string())
        .after(json!({"portal_id": new.portal.to_db(), "status": new.status}));
    let verified_at = (new.status == DomainStatus::Active).then_some(now.millis());
    write_audited(
        db,
        Statement::new(
            "INSERT INTO domains (hostname, tenant_id, portal_id, status, verification_token, verified_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                new.hostname.as_str(),
                tenant.to_db(),
                new.portal.to_db(),
                new.status.as_str(),
                new.verification_token,
                verified_at,
                now.millis()
            ],
        ),
        &change,
        now,
    )
    .await
}

pub async fn list(db: &impl Database, tenant: TenantId, portal: PortalId) -> Result<Vec<DomainRow>, DbError> {
    db.query(Statement::new(
        "SELECT * FROM domains WHERE tenant_id = ?1 AND portal_id = ?2 ORDER BY hostname",
        params![tenant.to_db(), portal.to_db()],
    ))
    .await
}

pub async fn get(
    db: &impl Database,
    tenant: TenantId,
    portal: PortalId,
    hostname: &Hostname,
) -> Result<Option<DomainRow>, DbError> {
    db.query_one(Statement::new(
        "SELECT * FROM domains WHERE tenant_id = ?1 AND portal_id = ?2 AND hostname = ?3",
        params![tenant.to_db(), portal.to_db(), hostname.as_str()],
    ))
    .await
}

pub async fn remove(
    db: &impl Database,
    tenant: TenantId,
    current: &DomainRow,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change = Change::new(tenant, actor, "domain.remove", "domain", current.hostname.clone())
        .before(json!({"portal_id": current.portal_id, "status": current.status}));
    write_audited(
        db,
        Statement::new(
            "DELETE FROM domains WHERE tenant_id = ?1 AND hostname = ?2",
            params![tenant.to_db(), current.hostname.clone()],
        ),
        &change,
        now,
    )
    .await
}

/// Records the outcome of a verification attempt.
pub async fn record_check(
    db: &impl Database,
    tenant: TenantId,
    current: &DomainRow,
    status: DomainStatus,
    error: Option<&str>,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change = Change::new(tenant, actor, "domain.verify", "domain", current.hostname.clone())
        .before(json!({"status": current.status}))
        .after(json!({"status": status, "error": error}));
    let verified_at = if status == DomainStatus::Active { current.verified_at.or(Some(now.millis())) } else { None };
    write_audited(
        db,
        Statement::new(
            "UPDATE domains SET status = ?3, last_error = ?4, last_checked_at = ?5, verified_at = ?6
             WHERE tenant_id = ?1 AND hostname = ?2",
            params![tenant.to_db(), current.hostname.clone(), status.as_str(), error, now.millis(), verified_at],
        ),
        &change,
        now,
    )
    .await
}
