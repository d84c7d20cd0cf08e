//! Password reset links. A token is spent by a guarded update in the same batch as the new
//! password, so it works once; a reset also spends the account's older links.

use serde::Deserialize;

use super::{Database, DbError, PortalScope, Statement};
use crate::params;
use porch_types::ids::AccountId;
use porch_types::time::Timestamp;

pub fn insert(
    scope: PortalScope,
    account: AccountId,
    token_hash: &str,
    expires_at: Timestamp,
    now: Timestamp,
) -> Statement {
    Statement::new(
        "INSERT INTO reset_tokens (token_hash, tenant_id, account_id, created_at, expires_at)
         SELECT ?1, ?2, ?3, ?4, ?5
         WHERE EXISTS (SELECT 1 FROM accounts WHERE tenant_id = ?2 AND portal_id = ?6 AND id = ?3)",
        params![
            token_hash,
            scope.tenant.to_db(),
            account.to_db(),
            now.millis(),
            expires_at.millis(),
            scope.portal.to_db()
        ],
    )
}

/// A token that can still be used, with its account: unexpired, unused, and for an account
/// of this portal.
#[derive(Clone, Debug, Deserialize)]
pub struct LiveToken {
    pub token_hash: String,
    pub account_id: String,
}

pub async fn find_live(
    db: &impl Database,
    scope: PortalScope,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<LiveToken>, DbError> {
    db.query_one(Statement::new(
        "SELECT t.token_hash, t.account_id FROM reset_tokens t
         JOIN accounts a ON a.tenant_id = t.tenant_id AND a.id = t.account_id
         WHERE t.token_hash = ?1 AND t.tenant_id = ?2 AND a.portal_id = ?3 AND t.used_at IS NULL AND t.expires_at > ?4",
        params![token_hash, scope.tenant.to_db(), scope.portal.to_db(), now.millis()],
    ))
    .await
}

/// Spends the token if it is still live. Statements after it in the batch that must only
/// happen with a spent token check `changes()`.
pub fn spend(scope: PortalScope, token_hash: &str, now: Timestamp) -> Statement {
    Statement::new(
        "UPDATE reset_tokens SET used_at = ?3
         WHERE token_hash = ?1 AND tenant_id = ?2 AND used_at IS NULL AND expires_at > ?3",
        params![token_hash, scope.tenant.to_db(), now.millis()],
    )
}

/// After a reset: spends the account's other live tokens too, so an older link that leaked
/// stops working. Only if the reset's own token was spent at `now`.
pub fn spend_others(scope: PortalScope, account: AccountId, spent: &str, now: Timestamp) -> Statement {
    Statement::new(
        "UPDATE reset_tokens SET used_at = ?4
         WHERE tenant_id = ?1 AND account_id = ?2 AND used_at IS NULL
           AND EXISTS (SELECT 1 FROM reset_tokens WHERE token_hash = ?3 AND tenant_id = ?1 AND used_at = ?4)",
        params![scope.tenant.to_db(), account.to_db(), spent, now.millis()],
    )
}

/// A write batch that costs D1 what issuing a reset link does (two statements, one per
/// table the real batch writes) and changes nothing, for an address without an account:
/// the answer's timing must not tell whether the address has one.
pub fn decoy_batch() -> Vec<Statement> {
    vec![
        Statement::new("UPDATE reset_tokens SET used_at = used_at WHERE 0", Vec::new()),
        Statement::new("UPDATE outbox SET attempts = attempts WHERE 0", Vec::new()),
    ]
}
