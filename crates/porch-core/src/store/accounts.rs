//! Recipient accounts: one person on one portal. Role changes and removals are guarded in
//! SQL so a customer's people on a portal never lose their last admin, whatever two admins
//! do at once.

use serde::Deserialize;

use super::{Database, DbError, PortalScope, Statement};
use crate::i18n::Language;
use crate::params;
use porch_types::access::Role;
use porch_types::email::Email;
use porch_types::ids::{AccountId, CustomerId};
use porch_types::portal_tickets::Visibility;
use porch_types::time::Timestamp;

#[derive(Clone, Debug, Deserialize)]
pub struct AccountRow {
    pub id: String,
    pub customer_id: Option<String>,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: Option<String>,
    pub language: Language,
    pub email_verified_at: Option<i64>,
    pub terms_version: Option<i64>,
    pub terms_accepted_at: Option<i64>,
    pub consent_version: Option<i64>,
    pub consent_given_at: Option<i64>,
    /// Which tickets the person sees; None: the portal's setting.
    pub ticket_visibility: Option<Visibility>,
    pub created_at: i64,
    /// One more after every change of the row (its `ETag`, and the version the portal's
    /// Users page sends back with each form; schema 0014).
    pub version: i64,
}

impl AccountRow {
    pub fn account_id(&self) -> Option<AccountId> {
        AccountId::parse(&self.id)
    }
}

/// `SELECT <account columns> FROM accounts <rest>`, as one `'static` SQL text.
macro_rules! select_accounts {
    ($rest:literal) => {
        concat!(
            "SELECT id, customer_id, email, name, role, password_hash, language, email_verified_at, terms_version,
                terms_accepted_at, consent_version, consent_given_at, ticket_visibility, created_at, version FROM accounts ",
            $rest
        )
    };
}

/// The role a new account gets.
#[derive(Clone, Copy, Debug)]
pub enum NewRole {
    /// Joining by invitation with this role; but the first person of a customer to accept
    /// one becomes admin when the portal has no admin for that customer yet.
    Invited(Role),
    /// Self-registered: always a member, never admin by being first.
    Registered,
}

/// A new account as the join flows build it.
pub struct NewAccount<'a> {
    pub id: AccountId,
    pub customer: Option<CustomerId>,
    pub email: &'a Email,
    pub name: &'a str,
    pub role: NewRole,
    pub password_hash: &'a str,
    pub language: Language,
    /// Whether the address is proven (an invitation sent to it, a confirmed registration).
    pub verified: bool,
    /// The versions of the terms and the consent text agreed to (0: the portal has none).
    pub terms_version: i64,
    pub consent_version: i64,
}

/// The insert, run only if the statement before it in the batch wrote (the link that allows
/// it was spent). The role is decided inside the statement, so two people accepting at the
/// same moment cannot both miss or both take the admin role.
pub fn insert(scope: PortalScope, account: &NewAccount<'_>, now: Timestamp) -> Statement {
    let agreed = |version: i64| (version > 0).then_some(version);
    let (role, first_becomes_admin) = match account.role {
        NewRole::Invited(role) => (role, true),
        NewRole::Registered => (Role::Member, false),
    };
    Statement::new(
        "INSERT INTO accounts (id, tenant_id, portal_id, customer_id, email, name, role, password_hash, language,
            email_verified_at, terms_version, terms_accepted_at, consent_version, consent_given_at, created_at, updated_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6,
            CASE WHEN ?7 = 'admin' OR (?8 = 1 AND NOT EXISTS
                (SELECT 1 FROM accounts WHERE tenant_id = ?2 AND portal_id = ?3 AND role = 'admin'
                    AND customer_id IS ?4))
            THEN 'admin' ELSE 'member' END,
            ?9, ?10, ?11, ?12, ?15, ?14, ?16, ?13, ?13
         WHERE changes() > 0",
        params![
            account.id.to_db(),
            scope.tenant.to_db(),
            scope.portal.to_db(),
            account.customer.map(CustomerId::to_db),
            account.email.as_str(),
            account.name,
            role.code(),
            first_becomes_admin,
            account.password_hash,
            account.language.code(),
            account.verified.then_some(now.millis()),
            agreed(account.terms_version),
            now.millis(),
            agreed(account.consent_version),
            agreed(account.terms_version).map(|_| now.millis()),
            agreed(account.consent_version).map(|_| now.millis()),
        ],
    )
}

pub async fn get(db: &impl Database, scope: PortalScope, id: AccountId) -> Result<Option<AccountRow>, DbError> {
    db.query_one(Statement::new(
        select_accounts!("WHERE tenant_id = ?1 AND portal_id = ?2 AND id = ?3"),
        params![scope.tenant.to_db(), scope.portal.to_db(), id.to_db()],
    ))
    .await
}

pub async fn find_by_email(
    db: &impl Database,
    scope: PortalScope,
    email: &Email,
) -> Result<Option<AccountRow>, DbError> {
    db.query_one(Statement::new(
        select_accounts!("WHERE tenant_id = ?1 AND portal_id = ?2 AND email = ?3"),
        params![scope.tenant.to_db(), scope.portal.to_db(), email.as_str()],
    ))
    .await
}

/// The accounts of one customer on the portal (`customer` None: those without one). A
/// portal admin manages only their own customer's people: on a portal shared by several
/// customers, one customer's admin never sees or changes another's.
pub async fn list_group(
    db: &impl Database,
    scope: PortalScope,
    customer: Option<&str>,
) -> Result<Vec<AccountRow>, DbError> {
    db.query(Statement::new(
        select_accounts!("WHERE tenant_id = ?1 AND portal_id = ?2 AND customer_id IS ?3 ORDER BY role, name, email"),
        params![scope.tenant.to_db(), scope.portal.to_db(), customer],
    ))
    .await
}

pub async fn list(db: &impl Database, scope: PortalScope) -> Result<Vec<AccountRow>, DbError> {
    db.query(Statement::new(
        select_accounts!("WHERE tenant_id = ?1 AND portal_id = ?2 ORDER BY role, name, email"),
        params![scope.tenant.to_db(), scope.portal.to_db()],
    ))
    .await
}

/// Changes the role of `person`, an account of `group` (its customer), if it is still at
/// `person.version` and unless that would leave the group without an admin. One statement,
/// so the count it checks is the count it changes.
pub fn set_role(scope: PortalScope, person: &AccountRow, group: Option<&str>, role: Role, now: Timestamp) -> Statement {
    Statement::new(
        "UPDATE accounts SET role = ?4, updated_at = ?5
         WHERE tenant_id = ?1 AND portal_id = ?2 AND id = ?3 AND customer_id IS ?6 AND role <> ?4 AND version = ?7
           AND (?4 = 'admin' OR (SELECT COUNT(*) FROM accounts
                WHERE tenant_id = ?1 AND portal_id = ?2 AND role = 'admin' AND customer_id IS ?6) > 1)",
        params![
            scope.tenant.to_db(),
            scope.portal.to_db(),
            person.id.as_str(),
            role.code(),
            now.millis(),
            group,
            person.version
        ],
    )
}

/// Removes `person`, an account of `group` (its sessions and tokens go with it, by
/// cascade), if it is still at `person.version` and unless it is the group's last admin.
pub fn remove(scope: PortalScope, person: &AccountRow, group: Option<&str>) -> Statement {
    Statement::new(
        "DELETE FROM accounts
         WHERE tenant_id = ?1 AND portal_id = ?2 AND id = ?3 AND customer_id IS ?4 AND version = ?5
           AND (role <> 'admin' OR (SELECT COUNT(*) FROM accounts
                WHERE tenant_id = ?1 AND portal_id = ?2 AND role = 'admin' AND customer_id IS ?4) > 1)",
        params![scope.tenant.to_db(), scope.portal.to_db(), person.id.as_str(), group, person.version],
    )
}

/// Sets which tickets `person` sees, or with None makes them follow the portal again, if the
/// account is still at `person.version`.
pub fn set_ticket_visibility(
    scope: PortalScope,
    person: &AccountRow,
    visibility: Option<Visibility>,
    now: Timestamp,
) -> Statement {
    Statement::new(
        "UPDATE accounts SET ticket_visibility = ?4, updated_at = ?5
         WHERE tenant_id = ?1 AND portal_id = ?2 AND id = ?3 AND version = ?6",
        params![
            scope.tenant.to_db(),
            scope.portal.to_db(),
            person.id.as_str(),
            visibility.map(Visibility::code),
            now.millis(),
            person.version
        ],
    )
}

pub fn set_password(scope: PortalScope, id: AccountId, password_hash: &str, now: Timestamp) -> Statement {
    Statement::new(
        "UPDATE accounts SET password_hash = ?4, updated_at = ?5 WHERE tenant_id = ?1 AND portal_id = ?2 AND id = ?3",
        params![scope.tenant.to_db(), scope.portal.to_db(), id.to_db(), password_hash, now.millis()],
    )
}

/// The portal's admins, for the provider's overview.
pub async fn admins(db: &impl Database, scope: PortalScope) -> Result<Vec<AccountRow>, DbError> {
    Ok(list(db, scope).await?.into_iter().filter(|a| a.role == Role::Admin).collect())
}

/// A password reset: the new hash, only if the statement before it in the batch changed a
/// row (the reset link was spent). Using the emailed link also proves the address.
pub fn reset_password(scope: PortalScope, id: AccountId, password_hash: &str, now: Timestamp) -> Statement {
    Statement::new(
        "UPDATE accounts SET password_hash = ?4, updated_at = ?5, email_verified_at = COALESCE(email_verified_at, ?5)
         WHERE tenant_id = ?1 AND portal_id = ?2 AND id = ?3 AND changes() > 0",
        params![scope.tenant.to_db(), scope.portal.to_db(), id.to_db(), password_hash, now.millis()],
    )
}

/// Records that the account agreed to these versions of the portal's terms and consent text
/// (None: not asked, kept as it is), with the time; only while they are still the portal's
/// versions, so nobody is recorded as agreeing to a wording they were not shown. Its audit
/// entry follows it in the batch (`statement_if_changed`).
pub fn record_agreement(
    scope: PortalScope,
    id: AccountId,
    terms: Option<i64>,
    consent: Option<i64>,
    now: Timestamp,
) -> Statement {
    Statement::new(
        "UPDATE accounts SET
            terms_version = COALESCE(?4, terms_version),
            terms_accepted_at = CASE WHEN ?4 IS NULL THEN terms_accepted_at ELSE ?6 END,
            consent_version = COALESCE(?5, consent_version),
            consent_given_at = CASE WHEN ?5 IS NULL THEN consent_given_at ELSE ?6 END,
            updated_at = ?6
         WHERE tenant_id = ?1 AND portal_id = ?2 AND id = ?3
           AND EXISTS (SELECT 1 FROM portals WHERE tenant_id = ?1 AND id = ?2
                AND (?4 IS NULL OR terms_version = ?4) AND (?5 IS NULL OR consent_version = ?5))",
        params![scope.tenant.to_db(), scope.portal.to_db(), id.to_db(), terms, consent, now.millis()],
    )
}
