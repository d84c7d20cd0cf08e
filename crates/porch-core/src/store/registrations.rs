//! Self-registrations waiting for their email to be confirmed. Only the confirmation page,
//! reached through the emailed link, creates the account (see `app::portal::register`).

use serde::Deserialize;

use super::{Database, DbError, PortalScope, Statement};
use crate::params;
use porch_types::email::Email;
use porch_types::ids::CustomerId;
use porch_types::time::Timestamp;

pub struct NewRegistration<'a> {
    pub token_hash: &'a str,
    pub email: &'a Email,
    pub name: &'a str,
    pub customer: Option<CustomerId>,
    pub expires_at: Timestamp,
}

pub fn insert(scope: PortalScope, registration: &NewRegistration<'_>, now: Timestamp) -> Statement {
    Statement::new(
        "INSERT INTO registrations (token_hash, tenant_id, portal_id, email, name, customer_id, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            registration.token_hash,
            scope.tenant.to_db(),
            scope.portal.to_db(),
            registration.email.as_str(),
            registration.name,
            registration.customer.map(CustomerId::to_db),
            now.millis(),
            registration.expires_at.millis()
        ],
    )
}

#[derive(Clone, Debug, Deserialize)]
pub struct LiveRegistration {
    pub token_hash: String,
    pub email: String,
    pub name: String,
    pub customer_id: Option<String>,
}

/// A registration whose link can still be used.
pub async fn find_live(
    db: &impl Database,
    scope: PortalScope,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<LiveRegistration>, DbError> {
    db.query_one(Statement::new(
        "SELECT token_hash, email, name, customer_id FROM registrations
         WHERE token_hash = ?1 AND tenant_id = ?2 AND portal_id = ?3 AND used_at IS NULL AND expires_at > ?4",
        params![token_hash, scope.tenant.to_db(), scope.portal.to_db(), now.millis()],
    ))
    .await
}

/// Spends the link if it is still live; the account insert after it runs only if this did.
pub fn spend(scope: PortalScope, token_hash: &str, now: Timestamp) -> Statement {
    Statement::new(
        "UPDATE registrations SET used_at = ?4
         WHERE token_hash = ?1 AND tenant_id = ?2 AND portal_id = ?3 AND used_at IS NULL AND expires_at > ?4",
        params![token_hash, scope.tenant.to_db(), scope.portal.to_db(), now.millis()],
    )
}

/// Once an address has its account, every registration of it on the portal goes (the used
/// one and any other pending link), only if the statement before it wrote.
pub fn clear_for_email_if_changed(scope: PortalScope, email: &Email) -> Statement {
    Statement::new(
        "DELETE FROM registrations WHERE tenant_id = ?1 AND portal_id = ?2 AND email = ?3 AND changes() > 0",
        params![scope.tenant.to_db(), scope.portal.to_db(), email.as_str()],
    )
}
