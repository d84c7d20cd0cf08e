//! porch's own SAML SP key pairs per connection (at most two: the current one and the one
//! replacing it), their private halves stored only sealed. Every statement binds the tenant
//! and the portal.

use serde::Deserialize;

use super::{Database, DbError, PortalScope, Statement};
use crate::params;
use porch_types::ids::SsoConnectionId;
use porch_types::time::Timestamp;

/// A connection has its current key and, while replacing it, the next one.
pub const MAX_SP_KEYS: i64 = 2;

/// A key as stored. No `Debug`: the private key stays out of logs even sealed.
#[derive(Clone, Deserialize)]
pub struct SpKeyRow {
    pub connection_id: String,
    pub id: String,
    pub sealed_private_key: String,
    /// Base64 DER.
    pub certificate: String,
    pub created_at: i64,
}

/// A key to store (made and sealed by `auth::sp_keys`).
pub struct NewSpKey {
    pub id: String,
    pub sealed_private_key: String,
    pub certificate: String,
}

/// A select of whole key rows (SQL text of ours).
macro_rules! select_keys {
    ($tail:literal) => {
        concat!("SELECT connection_id, id, sealed_private_key, certificate, created_at FROM sso_sp_keys ", $tail)
    };
}

/// Every key of the portal's connections, oldest first within each connection (rowid: the
/// order they were added in, where two share a millisecond).
pub async fn list_for_portal(db: &impl Database, scope: PortalScope) -> Result<Vec<SpKeyRow>, DbError> {
    db.query(Statement::new(
        select_keys!("WHERE tenant_id = ?1 AND portal_id = ?2 ORDER BY connection_id, created_at, rowid"),
        params![scope.tenant.to_db(), scope.portal.to_db()],
    ))
    .await
}

/// The connection's keys, oldest (the current one) first.
pub async fn list(
    db: &impl Database,
    scope: PortalScope,
    connection: SsoConnectionId,
) -> Result<Vec<SpKeyRow>, DbError> {
    db.query(Statement::new(
        select_keys!("WHERE tenant_id = ?1 AND portal_id = ?2 AND connection_id = ?3 ORDER BY created_at, rowid"),
        params![scope.tenant.to_db(), scope.portal.to_db(), connection.to_db()],
    ))
    .await
}

/// Adds a key to a SAML connection of this portal that has fewer than `MAX_SP_KEYS`; changes
/// nothing otherwise (the count is the guard against two concurrent additions).
/// With `replaces`, only while the connection still has that version (a key made by a replace
/// that turns out stale is not kept).
pub fn insert(
    scope: PortalScope,
    connection: SsoConnectionId,
    key: &NewSpKey,
    replaces: Option<i64>,
    now: Timestamp,
) -> Statement {
    Statement::new(
        "INSERT INTO sso_sp_keys (connection_id, id, tenant_id, portal_id, sealed_private_key, certificate, created_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 FROM sso_connections c
         WHERE c.tenant_id = ?3 AND c.portal_id = ?4 AND c.id = ?1 AND c.protocol = 'saml'
           AND (?9 IS NULL OR c.version = ?9)
           AND (SELECT COUNT(*) FROM sso_sp_keys k WHERE k.tenant_id = ?3 AND k.connection_id = ?1) < ?8",
        params![
            connection.to_db(),
            key.id.as_str(),
            scope.tenant.to_db(),
            scope.portal.to_db(),
            key.sealed_private_key.as_str(),
            key.certificate.as_str(),
            now.millis(),
            MAX_SP_KEYS,
            replaces
        ],
    )
}

/// Retires a key, unless it is the connection's only one (a SAML connection always has a key
/// to sign and decrypt with once it has had one).
pub fn retire(scope: PortalScope, connection: SsoConnectionId, id: &str) -> Statement {
    Statement::new(
        "DELETE FROM sso_sp_keys WHERE tenant_id = ?1 AND portal_id = ?2 AND connection_id = ?3 AND id = ?4
           AND (SELECT COUNT(*) FROM sso_sp_keys k WHERE k.tenant_id = ?1 AND k.connection_id = ?3) > 1",
        params![scope.tenant.to_db(), scope.portal.to_db(), connection.to_db(), id],
    )
}
