//! Custom domains of portals, as claims: several portals (of any tenants) may claim one
//! hostname, and the first whose claim proves control with its own TXT token holds it. Only
//! an active claim names a portal (a partial unique index keeps it to one per hostname);
//! every read here is scoped to the caller's own claims, so nothing tells one tenant that
//! another claims the same name.

use serde::Deserialize;
use serde_json::json;

use super::audit::{Actor, Change};
use super::{write_audited, write_audited_then, Database, DbError, Statement};
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

/// A claim that is not active expires this long after it was made: the scheduled run marks
/// it failed with `CLAIM_EXPIRED`, and `verify` answers the same without checking.
pub const CLAIM_LIFETIME_SECONDS: i64 = 7 * 24 * 60 * 60;
pub const CLAIM_EXPIRED: &str = "the claim expired: remove it and add it again";
/// The reason on the other claims of a hostname when one of them is activated.
pub const CLAIM_LOST: &str = "another portal proved control of this hostname first";

impl DomainRow {
    /// Whether this claim is past its lifetime without having been activated.
    pub fn expired(&self, now: Timestamp) -> bool {
        self.status != DomainStatus::Active && self.created_at < now.plus_seconds(-CLAIM_LIFETIME_SECONDS).millis()
    }
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
    db.query(list_statement(tenant, portal)).await
}

/// `list`'s statement, for a batch of reads.
pub fn list_statement(tenant: TenantId, portal: PortalId) -> Statement {
    Statement::new(
        "SELECT * FROM domains WHERE tenant_id = ?1 AND portal_id = ?2 ORDER BY hostname",
        params![tenant.to_db(), portal.to_db()],
    )
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
            "DELETE FROM domains WHERE tenant_id = ?1 AND portal_id = ?2 AND hostname = ?3",
            params![tenant.to_db(), current.portal_id.clone(), current.hostname.clone()],
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
            // Only over the status the check started from: a verify that ran at the same time
            // and activated the claim must not be undone by this one's failed lookup.
            "UPDATE domains SET status = ?4, last_error = ?5, last_checked_at = ?6, verified_at = ?7
             WHERE tenant_id = ?1 AND portal_id = ?2 AND hostname = ?3 AND status = ?8",
            params![
                tenant.to_db(),
                current.portal_id.clone(),
                current.hostname.clone(),
                status.as_str(),
                error,
                now.millis(),
                verified_at,
                current.status.as_str()
            ],
        ),
        &change,
        now,
    )
    .await
}

/// What activating a claim came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Activation {
    /// The claim is active; every other claim on the hostname is failed with `CLAIM_LOST`.
    Won,
    /// Another claim on the hostname is active already (the unique index refused): nothing
    /// was changed.
    Lost,
}

/// Activates a claim whose own TXT token proved control, and fails the hostname's other
/// claims, in one atomic batch. The partial unique index decides a race between two
/// verifications: the second activation is refused whole.
pub async fn activate(
    db: &impl Database,
    tenant: TenantId,
    current: &DomainRow,
    actor: &Actor,
    now: Timestamp,
) -> Result<Activation, DbError> {
    let change = Change::new(tenant, actor, "domain.verify", "domain", current.hostname.clone())
        .before(json!({"status": current.status}))
        .after(json!({"status": DomainStatus::Active, "error": null}));
    let activate = Statement::new(
        "UPDATE domains SET status = 'active', last_error = NULL, last_checked_at = ?4, verified_at = ?4
         WHERE tenant_id = ?1 AND portal_id = ?2 AND hostname = ?3",
        params![tenant.to_db(), current.portal_id.clone(), current.hostname.clone(), now.millis()],
    );
    // Each rival's tenant finds the change in its own audit log, made by "platform": the
    // winner's key must not show there, nor anything else of the winner's.
    let audit_rivals = Statement::new(
        "INSERT INTO audit_log (tenant_id, actor, action, target_type, target_id, at, before_json, after_json)
         SELECT tenant_id, 'platform', 'domain.claim_lost', 'domain', hostname, ?2,
                json_object('portal_id', portal_id, 'status', status),
                json_object('portal_id', portal_id, 'status', 'failed', 'error', ?3)
         FROM domains WHERE hostname = ?1 AND status <> 'active'
           AND EXISTS (SELECT 1 FROM domains w WHERE w.hostname = ?1 AND w.tenant_id = ?4 AND w.portal_id = ?5
                         AND w.status = 'active')",
        params![current.hostname.clone(), now.millis(), CLAIM_LOST, tenant.to_db(), current.portal_id.clone()],
    );
    // Rivals are not re-checked, so their last_checked_at stays; the reason tells them why. Both
    // rival statements act only once this claim is the active one: a claim removed meanwhile
    // (its portal deleted, say) fails no one.
    let fail_rivals = Statement::new(
        "UPDATE domains SET status = 'failed', last_error = ?2 WHERE hostname = ?1 AND status <> 'active'
           AND EXISTS (SELECT 1 FROM domains w WHERE w.hostname = ?1 AND w.tenant_id = ?3 AND w.portal_id = ?4
                         AND w.status = 'active')",
        params![current.hostname.clone(), CLAIM_LOST, tenant.to_db(), current.portal_id.clone()],
    );
    match write_audited_then(db, activate, &change, vec![audit_rivals, fail_rivals], now).await {
        Ok(()) => Ok(Activation::Won),
        Err(DbError::Constraint(detail)) if detail.contains("UNIQUE") => Ok(Activation::Lost),
        Err(err) => Err(err),
    }
}

/// Whether any claim (of any portal, any status) still names the hostname: its registration
/// with the verifier (Cloudflare's custom hostname, one per hostname for the platform) must
/// stay while one does.
pub async fn claimed(db: &impl Database, hostname: &Hostname) -> Result<bool, DbError> {
    #[derive(Deserialize)]
    struct Row {
        claims: i64,
    }
    let row: Option<Row> = db
        .query_one(Statement::new(
            "SELECT count(*) AS claims FROM domains WHERE hostname = ?1",
            params![hostname.as_str()],
        ))
        .await?;
    Ok(row.is_some_and(|r| r.claims > 0))
}

/// The claims past their lifetime not yet marked so (`?1` the oldest creation time that is
/// still in time, `?2` `CLAIM_EXPIRED`): one condition for the audit entries and the update.
macro_rules! expiring {
    () => {
        "status <> 'active' AND created_at < ?1 AND coalesce(last_error, '') <> ?2"
    };
}

/// Marks the claims past their lifetime failed with `CLAIM_EXPIRED`, for the scheduled run's
/// sweep (across tenants: the claim's own age is the whole condition), after an entry in each
/// claim's tenant's audit log, by "platform" (the first statement; its count is not the
/// claims'). They stay listed, so the tenant sees why; removing one releases its registration.
pub(super) fn expire_statements(now: Timestamp) -> [Statement; 2] {
    let cutoff = now.plus_seconds(-CLAIM_LIFETIME_SECONDS).millis();
    [
        Statement::new(
            concat!(
                "INSERT INTO audit_log (tenant_id, actor, action, target_type, target_id, at, before_json, after_json)
                 SELECT tenant_id, 'platform', 'domain.claim_expired', 'domain', hostname, ?3,
                        json_object('portal_id', portal_id, 'status', status),
                        json_object('portal_id', portal_id, 'status', 'failed', 'error', ?2)
                 FROM domains WHERE ",
                expiring!()
            ),
            params![cutoff, CLAIM_EXPIRED, now.millis()],
        ),
        Statement::new(
            concat!("UPDATE domains SET status = 'failed', last_error = ?2, last_checked_at = ?3 WHERE ", expiring!()),
            params![cutoff, CLAIM_EXPIRED, now.millis()],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(status: DomainStatus, created_at: i64) -> DomainRow {
        DomainRow {
            hostname: "support.acme.com".into(),
            tenant_id: "t".into(),
            portal_id: "p".into(),
            status,
            verification_token: "porch-verify=x".into(),
            verified_at: None,
            last_checked_at: None,
            last_error: None,
            created_at,
        }
    }

    #[test]
    fn a_claim_that_is_not_active_expires_seven_days_after_it_was_made() {
        let made = 1_000_000_000_000;
        let week_later = Timestamp::from_millis(made).plus_seconds(CLAIM_LIFETIME_SECONDS);
        for status in [DomainStatus::Pending, DomainStatus::Failed] {
            assert!(!claim(status, made).expired(week_later), "exactly seven days is still in time");
            assert!(claim(status, made).expired(week_later.plus_seconds(1)));
        }
        assert!(!claim(DomainStatus::Active, made).expired(week_later.plus_seconds(1)), "an active domain stays");
    }
}
