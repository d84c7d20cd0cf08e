//! Self-registrations waiting for their email to be confirmed. The account is made from the
//! registration only when its emailed link is used, in the same batch that spends the link.

use serde::Deserialize;

use super::{Database, DbError, PortalScope, Statement};
use crate::domain::email::Email;
use crate::domain::ids::{AccountId, CustomerId};
use crate::domain::time::Timestamp;
use crate::i18n::Language;
use crate::params;

pub struct NewRegistration<'a> {
    pub token_hash: &'a str,
    pub email: &'a Email,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub customer: Option<CustomerId>,
    pub language: Language,
    /// The versions of the terms and the consent text agreed to (0: the portal has none).
    pub terms_version: i64,
    pub consent_version: i64,
    pub expires_at: Timestamp,
}

pub fn insert(scope: PortalScope, registration: &NewRegistration<'_>, now: Timestamp) -> Statement {
    let agreed = |version: i64| (version > 0).then_some(version);
    Statement::new(
        "INSERT INTO registrations (token_hash, tenant_id, portal_id, email, name, password_hash, customer_id, language,
            terms_version, consent_version, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            registration.token_hash,
            scope.tenant.to_db(),
            scope.portal.to_db(),
            registration.email.as_str(),
            registration.name,
            registration.password_hash,
            registration.customer.map(CustomerId::to_db),
            registration.language.code(),
            agreed(registration.terms_version),
            agreed(registration.consent_version),
            now.millis(),
            registration.expires_at.millis()
        ],
    )
}

#[derive(Clone, Debug, Deserialize)]
pub struct LiveRegistration {
    pub token_hash: String,
}

/// A registration whose link can still be used.
pub async fn find_live(
    db: &impl Database,
    scope: PortalScope,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<LiveRegistration>, DbError> {
    db.query_one(Statement::new(
        "SELECT token_hash FROM registrations
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

/// The account made from a just-spent registration: a verified member, with the texts it
/// agreed to when it registered. Runs only if the statement before it changed a row.
pub fn create_account_if_changed(scope: PortalScope, id: AccountId, token_hash: &str, now: Timestamp) -> Statement {
    Statement::new(
        "INSERT INTO accounts (id, tenant_id, portal_id, customer_id, email, name, role, password_hash, language,
            email_verified_at, terms_version, terms_accepted_at, consent_version, consent_given_at, created_at, updated_at)
         SELECT ?1, tenant_id, portal_id, customer_id, email, name, 'member', password_hash, language, ?5,
            terms_version, CASE WHEN terms_version IS NULL THEN NULL ELSE created_at END,
            consent_version, CASE WHEN consent_version IS NULL THEN NULL ELSE created_at END, ?5, ?5
         FROM registrations
         WHERE token_hash = ?2 AND tenant_id = ?3 AND portal_id = ?4 AND changes() > 0",
        params![id.to_db(), token_hash, scope.tenant.to_db(), scope.portal.to_db(), now.millis()],
    )
}
