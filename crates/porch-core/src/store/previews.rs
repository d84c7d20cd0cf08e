//! "View as" previews: provider staff open the portal as one recipient, or as a fresh
//! member of a customer, through a short-lived single-use link. The session it opens is
//! read-only (the app refuses every write from it).

use serde::Deserialize;

use super::{Database, DbError, PortalScope, Statement};
use crate::params;
use porch_types::ids::{AccountId, CustomerId, PreviewId};
use porch_types::time::Timestamp;

#[derive(Clone, Debug, Deserialize)]
pub struct PreviewRow {
    pub id: String,
    pub token_hash: String,
    pub account_id: Option<String>,
    pub customer_id: Option<String>,
    pub created_by: String,
    pub expires_at: i64,
    pub opened_at: Option<i64>,
}

pub struct NewPreview<'a> {
    pub id: PreviewId,
    pub token_hash: &'a str,
    pub account: Option<AccountId>,
    pub customer: Option<CustomerId>,
    pub created_by: String,
    pub expires_at: Timestamp,
}

pub fn insert(scope: PortalScope, preview: &NewPreview<'_>, now: Timestamp) -> Statement {
    Statement::new(
        "INSERT INTO previews (id, tenant_id, portal_id, token_hash, account_id, customer_id, created_by, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            preview.id.to_db(),
            scope.tenant.to_db(),
            scope.portal.to_db(),
            preview.token_hash,
            preview.account.map(AccountId::to_db),
            preview.customer.map(CustomerId::to_db),
            preview.created_by.clone(),
            now.millis(),
            preview.expires_at.millis()
        ],
    )
}

pub async fn find_by_hash(
    db: &impl Database,
    scope: PortalScope,
    token_hash: &str,
) -> Result<Option<PreviewRow>, DbError> {
    db.query_one(Statement::new(
        "SELECT id, token_hash, account_id, customer_id, created_by, expires_at, opened_at FROM previews
         WHERE token_hash = ?1 AND tenant_id = ?2 AND portal_id = ?3",
        params![token_hash, scope.tenant.to_db(), scope.portal.to_db()],
    ))
    .await
}

/// Marks the link used, only if it is unused and unexpired; the session insert after it in
/// the batch runs only if this changed a row.
pub fn open(scope: PortalScope, id: &str, now: Timestamp) -> Statement {
    Statement::new(
        "UPDATE previews SET opened_at = ?4
         WHERE tenant_id = ?1 AND portal_id = ?2 AND id = ?3 AND opened_at IS NULL AND expires_at > ?4",
        params![scope.tenant.to_db(), scope.portal.to_db(), id, now.millis()],
    )
}
