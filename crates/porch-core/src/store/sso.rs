//! A portal's SSO connections (with the email domains and attribute values they map), the
//! sign-ins porch started and waits for, single-use keys against replay, and the SSO event
//! log. Every statement binds the tenant and the portal.

use serde::Deserialize;

use super::{Database, DbError, PortalScope, Statement};
use crate::i18n::Language;
use crate::params;
use porch_sso::policy::{AccountFacts, Facts, Identity};
use porch_types::email::Email;
use porch_types::ids::{AccountId, CustomerId, SsoConnectionId, SsoEventId};
use porch_types::sso::{Admission, Protocol, Settings};
use porch_types::time::Timestamp;

/// A connection as stored. No `Debug`: `sealed_secret` stays out of logs even sealed.
#[derive(Clone, Deserialize)]
pub struct ConnectionRow {
    pub id: String,
    pub name: String,
    pub protocol: Protocol,
    pub enabled: i64,
    pub settings: String,
    pub sealed_secret: Option<String>,
    pub admission: String,
    pub admission_attribute: Option<String>,
    pub admission_value: Option<String>,
    pub customer_id: Option<String>,
    pub customer_attribute: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

impl ConnectionRow {
    pub fn is_enabled(&self) -> bool {
        self.enabled != 0
    }

    pub fn settings(&self) -> Result<Settings, DbError> {
        Settings::from_stored(self.protocol, &self.settings)
            .map_err(|err| DbError::Other(format!("sso connection {} settings: {err}", self.id)))
    }

    pub fn admission(&self) -> Admission {
        match (self.admission.as_str(), &self.admission_attribute, &self.admission_value) {
            ("lists", ..) => Admission::Lists,
            ("attribute", Some(name), Some(value)) => Admission::Attribute { name: name.clone(), value: value.clone() },
            _ => Admission::All,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct DomainRow {
    pub connection_id: String,
    pub domain: String,
    pub customer_id: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ValueRow {
    pub value: String,
    pub customer_id: String,
}

/// A connection as the API writes it, already checked.
pub struct ConnectionInput<'a> {
    pub id: SsoConnectionId,
    pub name: &'a str,
    pub settings: &'a Settings,
    pub sealed_secret: Option<&'a str>,
    pub enabled: bool,
    pub admission: &'a Admission,
    pub customer: Option<CustomerId>,
    pub customer_attribute: Option<&'a str>,
    /// Email domains this connection signs in, each with the customer its people belong to.
    pub domains: &'a [(String, Option<CustomerId>)],
    /// Values of `customer_attribute` and the customers they name.
    pub values: &'a [(String, CustomerId)],
    /// The version a replace writes over (None: a new connection).
    pub replaces: Option<i64>,
}

/// A select of whole connection rows (SQL text of ours).
macro_rules! select_connections {
    ($tail:literal) => {
        concat!(
            "SELECT id, name, protocol, enabled, settings, sealed_secret, admission, admission_attribute,
                admission_value, customer_id, customer_attribute, created_at, updated_at, version
             FROM sso_connections ",
            $tail
        )
    };
}

/// The statements that write a connection whole: the row (inserted or replaced, keeping its
/// creation time) and its domains and values replaced. One batch, so a domain another
/// connection claims (primary key) leaves nothing half-written. A replace runs only over
/// `input.replaces`: its domains and values change first, each only while the row has that
/// version, and the row's own guarded statement comes last, for an audit entry conditioned
/// on it to follow; a new connection's row comes first (its domains need it).
pub fn write(scope: PortalScope, input: &ConnectionInput<'_>, now: Timestamp) -> Vec<Statement> {
    let (attribute, value) = match input.admission {
        Admission::Attribute { name, value } => (Some(name.as_str()), Some(value.as_str())),
        _ => (None, None),
    };
    let id = input.id.to_db();
    let row = Statement::new(
        "INSERT INTO sso_connections (id, tenant_id, portal_id, name, protocol, enabled, settings, sealed_secret,
            admission, admission_attribute, admission_value, customer_id, customer_attribute, created_at, updated_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14
         WHERE ?15 IS NULL OR EXISTS (SELECT 1 FROM sso_connections WHERE id = ?1 AND version = ?15)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, enabled = excluded.enabled,
            settings = excluded.settings, sealed_secret = excluded.sealed_secret, admission = excluded.admission,
            admission_attribute = excluded.admission_attribute, admission_value = excluded.admission_value,
            customer_id = excluded.customer_id, customer_attribute = excluded.customer_attribute,
            updated_at = excluded.updated_at
         WHERE sso_connections.tenant_id = ?2 AND sso_connections.portal_id = ?3
           AND (?15 IS NULL OR sso_connections.version = ?15)",
        params![
            id.clone(),
            scope.tenant.to_db(),
            scope.portal.to_db(),
            input.name,
            input.settings.protocol().code(),
            input.enabled,
            input.settings.to_json().to_string(),
            input.sealed_secret,
            input.admission.code(),
            attribute,
            value,
            input.customer.map(CustomerId::to_db),
            input.customer_attribute,
            now.millis(),
            input.replaces
        ],
    );
    let guard = input.replaces;
    let mut children = vec![
        Statement::new(
            "DELETE FROM sso_domains WHERE tenant_id = ?1 AND portal_id = ?2 AND connection_id = ?3
               AND (?4 IS NULL OR EXISTS (SELECT 1 FROM sso_connections WHERE id = ?3 AND version = ?4))",
            params![scope.tenant.to_db(), scope.portal.to_db(), id.clone(), guard],
        ),
        Statement::new(
            "DELETE FROM sso_customer_values WHERE tenant_id = ?1 AND connection_id IN
                (SELECT id FROM sso_connections WHERE tenant_id = ?1 AND portal_id = ?2 AND id = ?3
                   AND (?4 IS NULL OR version = ?4))",
            params![scope.tenant.to_db(), scope.portal.to_db(), id.clone(), guard],
        ),
    ];
    for (domain, customer) in input.domains {
        children.push(Statement::new(
            "INSERT INTO sso_domains (portal_id, domain, tenant_id, connection_id, customer_id)
             SELECT ?1, ?2, ?3, ?4, ?5
             WHERE ?6 IS NULL OR EXISTS (SELECT 1 FROM sso_connections WHERE id = ?4 AND version = ?6)",
            params![
                scope.portal.to_db(),
                domain.as_str(),
                scope.tenant.to_db(),
                id.clone(),
                customer.map(CustomerId::to_db),
                guard
            ],
        ));
    }
    for (value, customer) in input.values {
        children.push(Statement::new(
            "INSERT INTO sso_customer_values (connection_id, value, tenant_id, customer_id)
             SELECT ?1, ?2, ?3, ?4 FROM sso_connections WHERE tenant_id = ?3 AND portal_id = ?5 AND id = ?1
               AND (?6 IS NULL OR version = ?6)",
            params![id.clone(), value.as_str(), scope.tenant.to_db(), customer.to_db(), scope.portal.to_db(), guard],
        ));
    }
    if guard.is_some() {
        children.push(row);
        children
    } else {
        let mut statements = vec![row];
        statements.extend(children);
        statements
    }
}

/// Replaces a connection's protocol settings alone (a SAML metadata refresh).
/// The connection's settings replaced, only while it still has version `version` (what they
/// were computed from).
pub fn replace_settings(
    scope: PortalScope,
    id: SsoConnectionId,
    settings: &Settings,
    version: i64,
    now: Timestamp,
) -> Statement {
    Statement::new(
        "UPDATE sso_connections SET settings = ?4, updated_at = ?5
         WHERE tenant_id = ?1 AND portal_id = ?2 AND id = ?3 AND version = ?6",
        params![
            scope.tenant.to_db(),
            scope.portal.to_db(),
            id.to_db(),
            settings.to_json().to_string(),
            now.millis(),
            version
        ],
    )
}

pub async fn list(db: &impl Database, scope: PortalScope) -> Result<Vec<ConnectionRow>, DbError> {
    db.query(Statement::new(
        select_connections!("WHERE tenant_id = ?1 AND portal_id = ?2 ORDER BY created_at, id"),
        params![scope.tenant.to_db(), scope.portal.to_db()],
    ))
    .await
}

/// The connections that are switched on.
pub async fn list_enabled(db: &impl Database, scope: PortalScope) -> Result<Vec<ConnectionRow>, DbError> {
    db.query(Statement::new(
        select_connections!("WHERE tenant_id = ?1 AND portal_id = ?2 AND enabled = 1 ORDER BY created_at, id"),
        params![scope.tenant.to_db(), scope.portal.to_db()],
    ))
    .await
}

#[derive(Deserialize)]
struct Exists {
    found: i64,
}

/// Whether the portal has a connection switched on (the sign-in page then offers SSO).
pub async fn any_enabled(db: &impl Database, scope: PortalScope) -> Result<bool, DbError> {
    let row: Option<Exists> = db
        .query_one(Statement::new(
            "SELECT EXISTS (SELECT 1 FROM sso_connections WHERE tenant_id = ?1 AND portal_id = ?2 AND enabled = 1) AS found",
            params![scope.tenant.to_db(), scope.portal.to_db()],
        ))
        .await?;
    Ok(row.is_some_and(|r| r.found != 0))
}

pub async fn get(
    db: &impl Database,
    scope: PortalScope,
    id: SsoConnectionId,
) -> Result<Option<ConnectionRow>, DbError> {
    db.query_one(Statement::new(
        select_connections!("WHERE tenant_id = ?1 AND portal_id = ?2 AND id = ?3"),
        params![scope.tenant.to_db(), scope.portal.to_db(), id.to_db()],
    ))
    .await
}

pub async fn domains(db: &impl Database, scope: PortalScope) -> Result<Vec<DomainRow>, DbError> {
    db.query(Statement::new(
        "SELECT connection_id, domain, customer_id FROM sso_domains WHERE tenant_id = ?1 AND portal_id = ?2 ORDER BY domain",
        params![scope.tenant.to_db(), scope.portal.to_db()],
    ))
    .await
}

pub async fn values(db: &impl Database, scope: PortalScope, id: SsoConnectionId) -> Result<Vec<ValueRow>, DbError> {
    db.query(Statement::new(
        "SELECT v.value, v.customer_id FROM sso_customer_values v
         JOIN sso_connections c ON c.tenant_id = v.tenant_id AND c.id = v.connection_id
         WHERE c.tenant_id = ?1 AND c.portal_id = ?2 AND c.id = ?3 ORDER BY v.value",
        params![scope.tenant.to_db(), scope.portal.to_db(), id.to_db()],
    ))
    .await
}

/// Deletes the connection if it still has `version`.
pub fn delete(scope: PortalScope, id: SsoConnectionId, version: i64) -> Statement {
    Statement::new(
        "DELETE FROM sso_connections WHERE tenant_id = ?1 AND portal_id = ?2 AND id = ?3 AND version = ?4",
        params![scope.tenant.to_db(), scope.portal.to_db(), id.to_db(), version],
    )
}

/// The enabled connection that signs in an email domain (home realm discovery).
pub async fn for_domain(
    db: &impl Database,
    scope: PortalScope,
    domain: &str,
) -> Result<Option<ConnectionRow>, DbError> {
    db.query_one(Statement::new(
        "SELECT c.id, c.name, c.protocol, c.enabled, c.settings, c.sealed_secret, c.admission, c.admission_attribute,
                c.admission_value, c.customer_id, c.customer_attribute, c.created_at, c.updated_at, c.version
         FROM sso_domains d JOIN sso_connections c ON c.tenant_id = d.tenant_id AND c.id = d.connection_id
         WHERE d.tenant_id = ?1 AND d.portal_id = ?2 AND d.domain = ?3 AND c.enabled = 1",
        params![scope.tenant.to_db(), scope.portal.to_db(), domain],
    ))
    .await
}

#[derive(Deserialize)]
struct OwnerRow {
    connection_id: String,
    customer_id: Option<String>,
}

/// An existing account with its SSO link.
#[derive(Debug, Deserialize)]
pub struct AccountFact {
    pub id: String,
    pub customer_id: Option<String>,
    pub email_verified_at: Option<i64>,
    pub linked_connection: Option<String>,
    pub linked_subject: Option<String>,
}

#[derive(Deserialize)]
struct LinkRow {
    account_id: String,
}

/// What the policy needs to know about a person (`portal_customer` is the portal's own), and
/// their existing account, read in one round trip.
pub async fn person_facts(
    db: &impl Database,
    scope: PortalScope,
    connection: SsoConnectionId,
    person: &Identity,
    customer_value: Option<&str>,
    portal_customer: Option<String>,
) -> Result<(Facts, Option<AccountFact>), DbError> {
    let (email, subject) = (&person.email, person.external_id.as_deref());
    let (tenant, portal, connection) = (scope.tenant.to_db(), scope.portal.to_db(), connection.to_db());
    let rows = db
        .read_batch(vec![
            Statement::new(
                "SELECT connection_id, customer_id FROM sso_domains WHERE tenant_id = ?1 AND portal_id = ?2 AND domain = ?3",
                params![tenant.clone(), portal.clone(), email.domain()],
            ),
            Statement::new(
                "SELECT 1 AS claims FROM sso_domains WHERE tenant_id = ?1 AND portal_id = ?2 AND connection_id = ?3 LIMIT 1",
                params![tenant.clone(), portal.clone(), connection.clone()],
            ),
            Statement::new(
                "SELECT v.connection_id, v.customer_id FROM sso_customer_values v
                 JOIN sso_connections c ON c.tenant_id = v.tenant_id AND c.id = v.connection_id
                 WHERE c.tenant_id = ?1 AND c.portal_id = ?2 AND c.id = ?3 AND v.value = ?4",
                params![tenant.clone(), portal.clone(), connection.clone(), customer_value],
            ),
            Statement::new(
                "SELECT 1 AS listed FROM registration_list WHERE tenant_id = ?1 AND portal_id = ?2
                   AND ((kind = 'email' AND value = ?3) OR (kind = 'domain' AND value = ?4)) LIMIT 1",
                params![tenant.clone(), portal.clone(), email.as_str(), email.domain()],
            ),
            Statement::new(
                "SELECT a.id, a.customer_id, a.email_verified_at, l.connection_id AS linked_connection,
                        l.subject AS linked_subject
                 FROM accounts a LEFT JOIN sso_links l ON l.tenant_id = a.tenant_id AND l.account_id = a.id
                 WHERE a.tenant_id = ?1 AND a.portal_id = ?2 AND a.email = ?3",
                params![tenant.clone(), portal.clone(), email.as_str()],
            ),
            Statement::new(
                "SELECT account_id FROM sso_links
                 WHERE tenant_id = ?1 AND portal_id = ?2 AND connection_id = ?3 AND subject = ?4",
                params![tenant, portal, connection, subject],
            ),
        ])
        .await?;
    let mut rows = rows.into_iter();
    let owner: Option<OwnerRow> = super::decode_rows(rows.next())?.into_iter().next();
    let claims = !rows.next().unwrap_or_default().is_empty();
    let value: Option<OwnerRow> = super::decode_rows(rows.next())?.into_iter().next();
    let listed = !rows.next().unwrap_or_default().is_empty();
    let account: Option<AccountFact> = super::decode_rows(rows.next())?.into_iter().next();
    let subject_owner: Option<LinkRow> = super::decode_rows(rows.next())?.into_iter().next();
    let subject_taken = subject_owner.is_some_and(|link| account.as_ref().is_none_or(|a| a.id != link.account_id));
    let facts = Facts {
        domain_owner: owner.as_ref().map(|o| o.connection_id.clone()),
        connection_claims_domains: claims,
        domain_customer: owner.and_then(|o| o.customer_id),
        value_customer: value.and_then(|v| v.customer_id),
        listed,
        account: account.as_ref().map(|a| AccountFacts {
            customer: a.customer_id.clone(),
            linked_connection: a.linked_connection.clone(),
            linked_subject: a.linked_subject.clone(),
        }),
        subject_taken,
        portal_customer,
    };
    Ok((facts, account))
}

/// A new account for a person an identity provider vouched for: a member, no password, the
/// address proven by the provider. Nothing if the address has an account already (a
/// concurrent first sign-in made it): the session statement finds it by email either way.
pub fn insert_account(
    scope: PortalScope,
    id: AccountId,
    email: &Email,
    name: &str,
    customer: Option<&str>,
    language: Language,
    now: Timestamp,
) -> Statement {
    Statement::new(
        "INSERT INTO accounts (id, tenant_id, portal_id, customer_id, email, name, role, password_hash, language,
            email_verified_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'member', NULL, ?7, ?8, ?8, ?8)
         ON CONFLICT (portal_id, email) DO NOTHING",
        params![
            id.to_db(),
            scope.tenant.to_db(),
            scope.portal.to_db(),
            customer,
            email.as_str(),
            name,
            language.code(),
            now.millis()
        ],
    )
}

/// Gives an existing account without a customer the one the provider's mapping names.
pub fn assign_customer(scope: PortalScope, email: &Email, customer: &str, now: Timestamp) -> Statement {
    Statement::new(
        "UPDATE accounts SET customer_id = ?4, updated_at = ?5
         WHERE tenant_id = ?1 AND portal_id = ?2 AND email = ?3 AND customer_id IS NULL",
        params![scope.tenant.to_db(), scope.portal.to_db(), email.as_str(), customer, now.millis()],
    )
}

/// A session for the account with this email on this portal.
pub fn insert_session(
    scope: PortalScope,
    token_hash: &str,
    email: &Email,
    expires_at: Timestamp,
    now: Timestamp,
) -> Statement {
    Statement::new(
        "INSERT INTO sessions (token_hash, tenant_id, portal_id, account_id, preview_id, created_at, last_seen_at, expires_at)
         SELECT ?1, ?2, ?3, a.id, NULL, ?5, ?5, ?6 FROM accounts a
         WHERE a.tenant_id = ?2 AND a.portal_id = ?3 AND a.email = ?4",
        params![token_hash, scope.tenant.to_db(), scope.portal.to_db(), email.as_str(), now.millis(), expires_at.millis()],
    )
}

/// Links the account with this email to the connection and its subject (kept or moved).
pub fn link(scope: PortalScope, email: &Email, connection: SsoConnectionId, subject: Option<&str>) -> Statement {
    Statement::new(
        "INSERT INTO sso_links (account_id, tenant_id, portal_id, connection_id, subject)
         SELECT a.id, ?1, ?2, ?4, ?5 FROM accounts a WHERE a.tenant_id = ?1 AND a.portal_id = ?2 AND a.email = ?3
         ON CONFLICT (account_id) DO UPDATE SET connection_id = excluded.connection_id, subject = excluded.subject",
        params![scope.tenant.to_db(), scope.portal.to_db(), email.as_str(), connection.to_db(), subject],
    )
}

/// An account whose address was never proven (an open invitation lets anyone pick any
/// address) and which the identity provider now vouches for: the address becomes proven and
/// the password whoever made it chose is dropped. Paired with `end_sessions_if_changed`.
pub fn prove_address(scope: PortalScope, account: AccountId, now: Timestamp) -> Statement {
    Statement::new(
        "UPDATE accounts SET email_verified_at = ?4, password_hash = NULL, updated_at = ?4
         WHERE tenant_id = ?1 AND portal_id = ?2 AND id = ?3 AND email_verified_at IS NULL",
        params![scope.tenant.to_db(), scope.portal.to_db(), account.to_db(), now.millis()],
    )
}

/// Ends every session of the account, if the statement before it in the batch wrote.
pub fn end_sessions_if_changed(scope: PortalScope, account: AccountId) -> Statement {
    Statement::new(
        "DELETE FROM sessions WHERE tenant_id = ?1 AND portal_id = ?2 AND account_id = ?3 AND changes() > 0",
        params![scope.tenant.to_db(), scope.portal.to_db(), account.to_db()],
    )
}

/// Records a token's or assertion's id as used; changes nothing if it was used before.
pub fn spend_once(scope: PortalScope, connection: SsoConnectionId, id: &str, usable_until: Timestamp) -> Statement {
    Statement::new(
        "INSERT INTO sso_replay (tenant_id, portal_id, key, expires_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        params![
            scope.tenant.to_db(),
            scope.portal.to_db(),
            format!("{}:{id}", connection.to_db()),
            usable_until.millis()
        ],
    )
}

/// A sign-in porch started: a SAML request id or an OIDC state hash, and what to resume with.
pub struct PendingRequest<'a> {
    pub id: &'a str,
    pub connection: SsoConnectionId,
    pub return_to: &'a str,
    pub browser_hash: &'a str,
    pub nonce: Option<&'a str>,
    pub code_verifier: Option<&'a str>,
    pub expires_at: Timestamp,
}

pub fn insert_request(scope: PortalScope, request: &PendingRequest<'_>) -> Statement {
    Statement::new(
        "INSERT INTO sso_requests (id, tenant_id, portal_id, connection_id, return_to, browser_hash, nonce, code_verifier, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            request.id,
            scope.tenant.to_db(),
            scope.portal.to_db(),
            request.connection.to_db(),
            request.return_to,
            request.browser_hash,
            request.nonce,
            request.code_verifier,
            request.expires_at.millis()
        ],
    )
}

/// A pending sign-in, as consumed.
#[derive(Clone, Debug, Deserialize)]
pub struct ConsumedRequest {
    pub return_to: String,
    pub browser_hash: Option<String>,
    pub nonce: Option<String>,
    pub code_verifier: Option<String>,
}

/// Takes a live pending sign-in of this connection, once: the delete is the check, so two
/// responses to one request cannot both use it.
pub async fn consume_request(
    db: &impl Database,
    scope: PortalScope,
    connection: SsoConnectionId,
    id: &str,
    now: Timestamp,
) -> Result<Option<ConsumedRequest>, DbError> {
    db.query_one(Statement::new(
        "DELETE FROM sso_requests
         WHERE id = ?1 AND tenant_id = ?2 AND portal_id = ?3 AND connection_id = ?4 AND expires_at > ?5
         RETURNING return_to, browser_hash, nonce, code_verifier",
        params![id, scope.tenant.to_db(), scope.portal.to_db(), connection.to_db(), now.millis()],
    ))
    .await
}

/// One entry of the SSO event log.
pub struct Event<'a> {
    pub id: SsoEventId,
    pub connection: Option<SsoConnectionId>,
    pub signed_in: bool,
    pub code: &'a str,
    pub detail: &'a str,
    pub reference: &'a str,
    pub email: Option<&'a str>,
}

/// The event, written only if the statement before it in the batch wrote (`only_if_changed`:
/// a sign-in is logged as such only when its session row was made).
pub fn insert_event(scope: PortalScope, event: &Event<'_>, only_if_changed: bool, now: Timestamp) -> Statement {
    let sql = if only_if_changed {
        "INSERT INTO sso_events (id, tenant_id, portal_id, connection_id, at, outcome, code, detail, reference, email)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 WHERE changes() > 0"
    } else {
        "INSERT INTO sso_events (id, tenant_id, portal_id, connection_id, at, outcome, code, detail, reference, email)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    };
    Statement::new(
        sql,
        params![
            event.id.to_db(),
            scope.tenant.to_db(),
            scope.portal.to_db(),
            event.connection.map(SsoConnectionId::to_db),
            now.millis(),
            if event.signed_in { "signed_in" } else { "refused" },
            event.code,
            event.detail,
            event.reference,
            event.email
        ],
    )
}

#[derive(Clone, Debug, Deserialize)]
pub struct EventRow {
    pub id: String,
    pub connection_id: Option<String>,
    pub at: i64,
    pub outcome: String,
    pub code: String,
    pub detail: String,
    pub reference: String,
    pub email: Option<String>,
}

/// The newest events first; `reference` finds the one a person quotes from their page.
pub async fn events(
    db: &impl Database,
    scope: PortalScope,
    reference: Option<&str>,
    limit: i64,
) -> Result<Vec<EventRow>, DbError> {
    db.query(Statement::new(
        "SELECT id, connection_id, at, outcome, code, detail, reference, email FROM sso_events
         WHERE tenant_id = ?1 AND portal_id = ?2 AND (?3 IS NULL OR reference = ?3)
         ORDER BY at DESC, rowid DESC LIMIT ?4",
        params![scope.tenant.to_db(), scope.portal.to_db(), reference, limit],
    ))
    .await
}
