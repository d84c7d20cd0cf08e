//! Invitation links: made by provider staff (admin API) or a portal admin (Users page),
//! accepted once. Acceptance is a guarded update, so a link is used at most once even when
//! two people open it at the same moment.

use serde::Deserialize;

use super::{Database, DbError, PortalScope, Statement};
use crate::params;
use porch_types::access::Role;
use porch_types::email::Email;
use porch_types::ids::{AccountId, CustomerId, InvitationId};
use porch_types::time::Timestamp;

#[derive(Clone, Debug, Deserialize)]
pub struct InvitationRow {
    pub id: String,
    pub token_hash: String,
    pub email: Option<String>,
    pub role: Role,
    pub customer_id: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    pub accepted_account_id: Option<String>,
    pub accepted_by_name: Option<String>,
    pub revoked_at: Option<i64>,
}

impl InvitationRow {
    pub fn status(&self, now: Timestamp) -> &'static str {
        if self.accepted_at.is_some() {
            "accepted"
        } else if self.revoked_at.is_some() {
            "revoked"
        } else if self.expires_at <= now.millis() {
            "expired"
        } else {
            "pending"
        }
    }

    pub fn is_usable(&self, now: Timestamp) -> bool {
        self.status(now) == "pending"
    }
}

/// `SELECT <invitation columns> ... <rest>`, with the accepting account's name.
macro_rules! select_invitations {
    ($rest:literal) => {
        concat!(
            "SELECT i.id, i.token_hash, i.email, i.role, i.customer_id, i.created_by, i.created_at, i.expires_at,
                i.accepted_at, i.accepted_account_id, a.name AS accepted_by_name, i.revoked_at
             FROM invitations i
             LEFT JOIN accounts a ON a.tenant_id = i.tenant_id AND a.id = i.accepted_account_id ",
            $rest
        )
    };
}

pub struct NewInvitation<'a> {
    pub id: InvitationId,
    pub token_hash: &'a str,
    pub email: Option<&'a Email>,
    pub role: Role,
    pub customer: Option<CustomerId>,
    pub created_by: String,
    pub expires_at: Timestamp,
}

pub fn insert(scope: PortalScope, invitation: &NewInvitation<'_>, now: Timestamp) -> Statement {
    Statement::new(
        "INSERT INTO invitations (id, tenant_id, portal_id, token_hash, email, role, customer_id, created_by, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            invitation.id.to_db(),
            scope.tenant.to_db(),
            scope.portal.to_db(),
            invitation.token_hash,
            invitation.email.map(Email::as_str),
            invitation.role.code(),
            invitation.customer.map(CustomerId::to_db),
            invitation.created_by.clone(),
            now.millis(),
            invitation.expires_at.millis()
        ],
    )
}

pub async fn find_by_hash(
    db: &impl Database,
    scope: PortalScope,
    token_hash: &str,
) -> Result<Option<InvitationRow>, DbError> {
    db.query_one(Statement::new(
        select_invitations!("WHERE i.token_hash = ?1 AND i.tenant_id = ?2 AND i.portal_id = ?3"),
        params![token_hash, scope.tenant.to_db(), scope.portal.to_db()],
    ))
    .await
}

pub async fn get(db: &impl Database, scope: PortalScope, id: InvitationId) -> Result<Option<InvitationRow>, DbError> {
    db.query_one(Statement::new(
        select_invitations!("WHERE i.id = ?1 AND i.tenant_id = ?2 AND i.portal_id = ?3"),
        params![id.to_db(), scope.tenant.to_db(), scope.portal.to_db()],
    ))
    .await
}

/// Newest first.
pub async fn list(db: &impl Database, scope: PortalScope) -> Result<Vec<InvitationRow>, DbError> {
    db.query(Statement::new(
        select_invitations!("WHERE i.tenant_id = ?1 AND i.portal_id = ?2 ORDER BY i.created_at DESC, i.id"),
        params![scope.tenant.to_db(), scope.portal.to_db()],
    ))
    .await
}

/// Marks the invitation used by `account`, only while it is still pending. The account
/// insert that follows in the same batch runs only if this changed a row.
pub fn accept(scope: PortalScope, id: &str, account: AccountId, now: Timestamp) -> Statement {
    Statement::new(
        "UPDATE invitations SET accepted_at = ?4, accepted_account_id = ?5
         WHERE tenant_id = ?1 AND portal_id = ?2 AND id = ?3
           AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?4",
        params![scope.tenant.to_db(), scope.portal.to_db(), id, now.millis(), account.to_db()],
    )
}

pub fn revoke(scope: PortalScope, id: InvitationId, now: Timestamp) -> Statement {
    Statement::new(
        "UPDATE invitations SET revoked_at = ?4
         WHERE tenant_id = ?1 AND portal_id = ?2 AND id = ?3 AND accepted_at IS NULL AND revoked_at IS NULL",
        params![scope.tenant.to_db(), scope.portal.to_db(), id.to_db(), now.millis()],
    )
}

/// Revokes the pending invitations `creator` made, only if the statement before it in the
/// batch changed a row: an admin who is removed or made a member cannot let people in
/// afterwards through links sent earlier.
pub fn revoke_created_by_if_changed(scope: PortalScope, creator: &str, now: Timestamp) -> Statement {
    Statement::new(
        "UPDATE invitations SET revoked_at = ?4
         WHERE tenant_id = ?1 AND portal_id = ?2 AND created_by = ?3 AND accepted_at IS NULL AND revoked_at IS NULL
           AND changes() > 0",
        params![scope.tenant.to_db(), scope.portal.to_db(), creator, now.millis()],
    )
}
