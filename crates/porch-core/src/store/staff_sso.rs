//! A tenant's `OpenID` Connect provider for its console staff (schema 0024): the connection,
//! the email domains that lead to it, and the sign-ins started and not yet back.

use serde::Deserialize;

use super::audit::Change;
use super::{Database, DbError, Statement};
use crate::params;
use porch_types::ids::{StaffId, TenantId};
use porch_types::time::Timestamp;

#[derive(Clone, Debug, Deserialize)]
pub struct StaffSsoRow {
    pub tenant_id: String,
    pub id: String,
    pub issuer: String,
    pub client_id: String,
    pub sealed_secret: String,
    pub enabled: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

impl StaffSsoRow {
    pub fn is_enabled(&self) -> bool {
        self.enabled != 0
    }

    /// The TXT record's value that proves a domain is the tenant's: it names the connection,
    /// so a record published for one tenant proves nothing for another.
    pub fn txt_value(&self) -> String {
        format!("porch-staff-sso={}", self.id)
    }

    /// Names its cached provider documents and refetch budget: a change of settings reads
    /// the provider afresh.
    pub fn cache_id(&self) -> String {
        format!("{}:{}", self.id, self.updated_at)
    }
}

/// A connection's columns, in `StaffSsoRow`'s order.
macro_rules! columns {
    () => {
        "tenant_id, id, issuer, client_id, sealed_secret, enabled, created_at, updated_at, version"
    };
}

/// Holds when the connection carries the write id a write just gave it (`?2`): what follows
/// that write in its batch goes only where the write went.
macro_rules! written {
    () => {
        "EXISTS (SELECT 1 FROM staff_sso WHERE tenant_id = ?1 AND write_id = ?2)"
    };
}

/// The tenant's connection, if it has one.
pub fn get_statement(tenant: TenantId) -> Statement {
    Statement::new(concat!("SELECT ", columns!(), " FROM staff_sso WHERE tenant_id = ?1"), params![tenant.to_db()])
}

pub async fn get(db: &impl Database, tenant: TenantId) -> Result<Option<StaffSsoRow>, DbError> {
    db.query_one(get_statement(tenant)).await
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct DomainRow {
    pub domain: String,
    /// When the tenant proved the domain is its own; None: not yet (it leads no one anywhere).
    pub verified_at: Option<i64>,
}

impl DomainRow {
    pub fn is_verified(&self) -> bool {
        self.verified_at.is_some()
    }
}

/// The tenant's email domains, in order.
pub fn domains_statement(tenant: TenantId) -> Statement {
    Statement::new(
        "SELECT domain, verified_at FROM staff_sso_domains WHERE tenant_id = ?1 ORDER BY domain",
        params![tenant.to_db()],
    )
}

pub async fn domains(db: &impl Database, tenant: TenantId) -> Result<Vec<DomainRow>, DbError> {
    db.query(domains_statement(tenant)).await
}

/// Marks the tenant's `domain` proved for the connection `connection` (whose id its TXT
/// record named), audited; false when it was already, or is no longer listed, or the
/// connection was replaced meanwhile. Another tenant's proof of it first fails the batch as a
/// constraint error.
pub async fn verify_domain(
    db: &impl Database,
    (tenant, connection): (TenantId, &str),
    domain: &str,
    change: &Change<'_>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let statements = vec![
        Statement::new(
            "UPDATE staff_sso_domains SET verified_at = ?3
             WHERE tenant_id = ?1 AND domain = ?2 AND verified_at IS NULL
               AND EXISTS (SELECT 1 FROM staff_sso WHERE tenant_id = ?1 AND id = ?4)",
            params![tenant.to_db(), domain, now.millis(), connection],
        ),
        change.statement_if_changed(now),
    ];
    Ok(db.batch(statements).await?.first().is_some_and(|&n| n > 0))
}

/// A connection by its own id (a callback's), whatever its tenant.
pub async fn by_id(db: &impl Database, id: &str) -> Result<Option<StaffSsoRow>, DbError> {
    db.query_one(Statement::new(concat!("SELECT ", columns!(), " FROM staff_sso WHERE id = ?1"), params![id])).await
}

/// The switched-on connection people at `domain` sign in through, if any.
pub async fn for_domain(db: &impl Database, domain: &str) -> Result<Option<StaffSsoRow>, DbError> {
    db.query_one(Statement::new(
        "SELECT s.tenant_id, s.id, s.issuer, s.client_id, s.sealed_secret, s.enabled, s.created_at, s.updated_at,
                s.version
         FROM staff_sso_domains d JOIN staff_sso s ON s.tenant_id = d.tenant_id
         WHERE d.domain = ?1 AND d.verified_at IS NOT NULL AND s.enabled = 1",
        params![domain],
    ))
    .await
}

/// What a write sets.
pub struct Settings<'a> {
    pub id: &'a str,
    /// Random, new for each write.
    pub write_id: &'a str,
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub sealed_secret: &'a str,
    pub enabled: bool,
    pub domains: &'a [String],
}

/// Writes the tenant's connection over `version` (None: there is none yet) with its domains,
/// audited, in one batch; false when it changed meanwhile (nothing written).
pub async fn put(
    db: &impl Database,
    tenant: TenantId,
    version: Option<i64>,
    settings: &Settings<'_>,
    change: &Change<'_>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let written = match version {
        None => Statement::new(
            concat!(
                "INSERT INTO staff_sso (",
                columns!(),
                ", write_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, 1, ?8) ON CONFLICT DO NOTHING"
            ),
            params![
                tenant.to_db(),
                settings.id,
                settings.issuer,
                settings.client_id,
                settings.sealed_secret,
                i64::from(settings.enabled),
                now.millis(),
                settings.write_id
            ],
        ),
        Some(version) => Statement::new(
            "UPDATE staff_sso SET issuer = ?3, client_id = ?4, sealed_secret = ?5, enabled = ?6, updated_at = ?7,
                    version = version + 1, write_id = ?8
             WHERE tenant_id = ?1 AND version = ?2",
            params![
                tenant.to_db(),
                version,
                settings.issuer,
                settings.client_id,
                settings.sealed_secret,
                i64::from(settings.enabled),
                now.millis(),
                settings.write_id
            ],
        ),
    };
    // The domains follow only the write above: those no longer listed go, new ones come
    // unproven, and those kept keep their proof.
    let listed = serde_json::Value::from(settings.domains.to_vec()).to_string();
    let mut statements = vec![
        written,
        change.statement_if_changed(now),
        Statement::new(
            concat!(
                "DELETE FROM staff_sso_domains WHERE tenant_id = ?1 AND ",
                written!(),
                " AND domain NOT IN (SELECT value FROM json_each(?3))"
            ),
            params![tenant.to_db(), settings.write_id, listed],
        ),
    ];
    for domain in settings.domains {
        statements.push(Statement::new(
            concat!(
                "INSERT INTO staff_sso_domains (tenant_id, domain) SELECT ?1, ?3 WHERE ",
                written!(),
                " ON CONFLICT DO NOTHING"
            ),
            params![tenant.to_db(), settings.write_id, domain.as_str()],
        ));
    }
    Ok(db.batch(statements).await?.first().is_some_and(|&n| n > 0))
}

/// Removes the tenant's connection at `version` (its domains and pending sign-ins go with
/// it), audited; false when it changed or went meanwhile.
pub async fn delete(
    db: &impl Database,
    tenant: TenantId,
    version: i64,
    change: &Change<'_>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let statements = vec![
        Statement::new("DELETE FROM staff_sso WHERE tenant_id = ?1 AND version = ?2", params![tenant.to_db(), version]),
        change.statement_if_changed(now),
    ];
    Ok(db.batch(statements).await?.first().is_some_and(|&n| n > 0))
}

/// A sign-in started: the state's hash, the browser's cookie hash, and the nonce and PKCE
/// verifier to check the answer with.
pub struct NewRequest<'a> {
    pub state_hash: &'a str,
    pub browser_hash: &'a str,
    pub nonce: &'a str,
    pub code_verifier: &'a str,
    /// The connection's version the sign-in started under.
    pub connection_version: i64,
    pub expires_at: Timestamp,
}

pub fn insert_request(tenant: TenantId, request: &NewRequest<'_>) -> Statement {
    Statement::new(
        "INSERT INTO staff_sso_requests
            (state_hash, tenant_id, browser_hash, nonce, code_verifier, connection_version, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            request.state_hash,
            tenant.to_db(),
            request.browser_hash,
            request.nonce,
            request.code_verifier,
            request.connection_version,
            request.expires_at.millis()
        ],
    )
}

#[derive(Debug, Deserialize)]
pub struct PendingRow {
    pub tenant_id: String,
    pub browser_hash: String,
    pub nonce: String,
    pub code_verifier: String,
    pub connection_version: i64,
}

/// The sign-in whose state hashes to `state_hash`, taken once (whatever happens next).
pub async fn consume_request(
    db: &impl Database,
    state_hash: &str,
    now: Timestamp,
) -> Result<Option<PendingRow>, DbError> {
    db.query_one(Statement::new(
        "DELETE FROM staff_sso_requests WHERE state_hash = ?1 AND expires_at > ?2
         RETURNING tenant_id, browser_hash, nonce, code_verifier, connection_version",
        params![state_hash, now.millis()],
    ))
    .await
}

#[derive(Deserialize)]
struct MemberRow {
    id: StaffId,
}

/// The person of the tenant's staff with this email; never the operator (who belongs to no
/// tenant) or another tenant's.
pub async fn member(db: &impl Database, tenant: TenantId, email: &str) -> Result<Option<StaffId>, DbError> {
    let row: Option<MemberRow> = db
        .query_one(Statement::new(
            "SELECT id FROM staff WHERE tenant_id = ?1 AND email = ?2",
            params![tenant.to_db(), email],
        ))
        .await?;
    Ok(row.map(|row| row.id))
}
