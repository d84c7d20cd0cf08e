//! Signed-in browsers. A session is found by the hash of its cookie and the portal it was
//! made for, in one query that also brings the account (or the preview) it belongs to.
//! Revoking is deleting the row: the next request finds nothing (D1 is read, never KV).

use serde::Deserialize;

use super::{PortalScope, Statement};
use crate::params;
use porch_types::access::Role;
use porch_types::ids::{AccountId, PreviewId};
use porch_types::time::Timestamp;

/// A session with what a page needs of its person.
#[derive(Clone, Debug, Deserialize)]
pub struct SessionRow {
    pub token_hash: String,
    pub account_id: Option<String>,
    pub preview_id: Option<String>,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Option<Role>,
    pub customer_id: Option<String>,
    /// The customer a "fresh member" preview shows the portal as.
    pub preview_customer_id: Option<String>,
    pub ticket_visibility: Option<porch_types::portal_tickets::Visibility>,
    /// The versions of the portal's terms and consent text the account agreed to.
    pub agreed_terms_version: Option<i64>,
    pub agreed_consent_version: Option<i64>,
}

/// Who a session belongs to.
pub enum Holder {
    Account(AccountId),
    /// A read-only "view as" session, for one account or a fresh member (None).
    Preview {
        preview: PreviewId,
        account: Option<AccountId>,
    },
}

/// The session insert, with an optional condition (SQL text of ours).
macro_rules! insert_session {
    ($condition:literal) => {
        concat!(
            "INSERT INTO sessions (token_hash, tenant_id, portal_id, account_id, preview_id, created_at, last_seen_at, expires_at)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7 ",
            $condition
        )
    };
}

/// A new session row. `only_if_changed`: written only if the statement before it in the
/// batch changed a row (a single-use link was consumed).
pub fn insert(
    scope: PortalScope,
    token_hash: &str,
    holder: &Holder,
    expires_at: Timestamp,
    only_if_changed: bool,
    now: Timestamp,
) -> Statement {
    let (account, preview) = match holder {
        Holder::Account(account) => (Some(*account), None),
        Holder::Preview { preview, account } => (*account, Some(*preview)),
    };
    let sql = if only_if_changed { insert_session!("WHERE changes() > 0") } else { insert_session!("") };
    Statement::new(
        sql,
        params![
            token_hash,
            scope.tenant.to_db(),
            scope.portal.to_db(),
            account.map(AccountId::to_db),
            preview.map(PreviewId::to_db),
            now.millis(),
            expires_at.millis()
        ],
    )
}

/// The session of this portal with this token hash, with its holder's account or preview
/// (expiry is the caller's to judge: the idle timeout is a portal setting).
pub fn find(scope: PortalScope, token_hash: &str) -> Statement {
    Statement::new(
        "SELECT s.token_hash, s.account_id, s.preview_id, s.last_seen_at, s.expires_at,
                a.name, a.email, a.role, a.customer_id, a.ticket_visibility, p.customer_id AS preview_customer_id,
                a.terms_version AS agreed_terms_version, a.consent_version AS agreed_consent_version
         FROM sessions s
         LEFT JOIN accounts a ON a.tenant_id = s.tenant_id AND a.id = s.account_id
         LEFT JOIN previews p ON p.tenant_id = s.tenant_id AND p.id = s.preview_id
         WHERE s.token_hash = ?1 AND s.tenant_id = ?2 AND s.portal_id = ?3",
        params![token_hash, scope.tenant.to_db(), scope.portal.to_db()],
    )
}

/// Records activity for the idle timeout.
pub fn touch(scope: PortalScope, token_hash: &str, now: Timestamp) -> Statement {
    Statement::new(
        "UPDATE sessions SET last_seen_at = ?4 WHERE token_hash = ?1 AND tenant_id = ?2 AND portal_id = ?3",
        params![token_hash, scope.tenant.to_db(), scope.portal.to_db(), now.millis()],
    )
}

/// Ends a session, only if the statement before it in the batch wrote (a new session that
/// replaces it was created).
pub fn delete_if_changed(scope: PortalScope, token_hash: &str) -> Statement {
    Statement::new(
        "DELETE FROM sessions WHERE token_hash = ?1 AND tenant_id = ?2 AND portal_id = ?3 AND changes() > 0",
        params![token_hash, scope.tenant.to_db(), scope.portal.to_db()],
    )
}

pub fn delete(scope: PortalScope, token_hash: &str) -> Statement {
    Statement::new(
        "DELETE FROM sessions WHERE token_hash = ?1 AND tenant_id = ?2 AND portal_id = ?3",
        params![token_hash, scope.tenant.to_db(), scope.portal.to_db()],
    )
}

/// After a password reset: ends every session of the account but the new one, only if the
/// statement before it in the batch changed a row (the new session was written).
pub fn delete_others_if_changed(scope: PortalScope, account: AccountId, keep: &str) -> Statement {
    Statement::new(
        "DELETE FROM sessions
         WHERE tenant_id = ?1 AND portal_id = ?2 AND account_id = ?3 AND token_hash <> ?4 AND changes() > 0",
        params![scope.tenant.to_db(), scope.portal.to_db(), account.to_db(), keep],
    )
}
