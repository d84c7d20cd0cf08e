//! Tenant API keys: stored as a SHA-256 of the key, revocable, with their last use.

use serde::Deserialize;
use serde_json::json;

use super::audit::{Actor, Change};
use super::{write_audited, Database, DbError, Statement};
use crate::params;
use porch_types::ids::{ApiKeyId, TenantId};
use porch_types::text::Label;
use porch_types::time::Timestamp;

#[derive(Clone, Debug, Deserialize)]
pub struct KeyRow {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub struct NewKey<'a> {
    pub id: ApiKeyId,
    pub name: &'a Label,
    pub prefix: &'a str,
    pub secret_hash: &'a str,
}

pub async fn create(
    db: &impl Database,
    tenant: TenantId,
    key: &NewKey<'_>,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change = Change::new(tenant, actor, "api_key.create", "api_key", key.id.to_db())
        .after(json!({"name": key.name.as_str(), "prefix": key.prefix}));
    write_audited(
        db,
        Statement::new(
                "INSERT INTO api_keys (id, tenant_id, name, prefix, secret_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![key.id.to_db(), tenant.to_db(), key.name.as_str(), key.prefix, key.secret_hash, now.millis()],
        ),
        &change,
        now,
    )
    .await
}

/// The key whose hash this is, revoked or not (the caller decides).
pub async fn find_by_hash(db: &impl Database, secret_hash: &str) -> Result<Option<(KeyRow, String)>, DbError> {
    #[derive(Deserialize)]
    struct WithHash {
        #[serde(flatten)]
        row: KeyRow,
        secret_hash: String,
    }
    let found: Option<WithHash> = db
        .query_one(Statement::new(
            // A tenant being erased has no key that works, not even one made by a request
            // that was already under way when the erasure was asked for.
            "SELECT id, tenant_id, name, prefix, created_at, last_used_at, revoked_at, secret_hash
             FROM api_keys WHERE secret_hash = ?1
               AND NOT EXISTS (SELECT 1 FROM tenant_deletions d WHERE d.tenant_id = api_keys.tenant_id)",
            params![secret_hash],
        ))
        .await?;
    Ok(found.map(|f| (f.row, f.secret_hash)))
}

/// Records a use. Callers throttle this so a busy key does not write on every request.
pub async fn touch(db: &impl Database, tenant: TenantId, key: &str, now: Timestamp) -> Result<(), DbError> {
    db.execute(Statement::new(
        "UPDATE api_keys SET last_used_at = ?3 WHERE tenant_id = ?1 AND id = ?2",
        params![tenant.to_db(), key, now.millis()],
    ))
    .await
    .map(drop)
}

pub async fn list(db: &impl Database, tenant: TenantId) -> Result<Vec<KeyRow>, DbError> {
    db.query(list_statement(tenant)).await
}

/// `list`'s statement, for a batch of reads.
pub fn list_statement(tenant: TenantId) -> Statement {
    Statement::new(
        "SELECT id, tenant_id, name, prefix, created_at, last_used_at, revoked_at
         FROM api_keys WHERE tenant_id = ?1 ORDER BY created_at, id",
        params![tenant.to_db()],
    )
}

pub async fn get(db: &impl Database, tenant: TenantId, key: ApiKeyId) -> Result<Option<KeyRow>, DbError> {
    db.query_one(Statement::new(
        "SELECT id, tenant_id, name, prefix, created_at, last_used_at, revoked_at
         FROM api_keys WHERE tenant_id = ?1 AND id = ?2",
        params![tenant.to_db(), key.to_db()],
    ))
    .await
}

pub async fn revoke(
    db: &impl Database,
    tenant: TenantId,
    key: &KeyRow,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change = Change::new(tenant, actor, "api_key.revoke", "api_key", key.id.clone())
        .before(json!({"name": key.name, "revoked": false}))
        .after(json!({"name": key.name, "revoked": true}));
    write_audited(
        db,
        Statement::new(
            "UPDATE api_keys SET revoked_at = ?3 WHERE tenant_id = ?1 AND id = ?2 AND revoked_at IS NULL",
            params![tenant.to_db(), key.id.clone(), now.millis()],
        ),
        &change,
        now,
    )
    .await
}
