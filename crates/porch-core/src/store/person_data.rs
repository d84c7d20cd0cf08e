//! One recipient's data: everything porch holds about them on one portal, read at once for
//! an export (GDPR Art. 15), and their erasure as one batch (Art. 17).
//!
//! Erasure keeps the tickets (the provider's record of the support given) and replaces the
//! person's name wherever it was copied (tickets' requester, messages' author) with a
//! placeholder; it removes the account (with it, by cascade, sessions, reset tokens, preview
//! links and SSO links), their invitations, registrations, registration-list entry, the
//! emails porch queued or sent to them, the address in SSO events and in the audit log.

use serde_json::{Map, Value};

use super::audit::{Actor, Change};
use super::{decode_rows, Database, DbError, PortalScope, Statement, Value as SqlValue};
use crate::params;
use porch_types::ids::AccountId;
use porch_types::time::Timestamp;

type Row = Map<String, Value>;

/// The person's address, for the rows that know them only by it (`?1` tenant, `?2` portal,
/// `?3` account).
macro_rules! email_of {
    () => {
        "(SELECT email FROM accounts WHERE tenant_id = ?1 AND portal_id = ?2 AND id = ?3)"
    };
}

/// What porch holds about one person on one portal, each part as rows of plain columns
/// (never a hash of a token, password or session).
#[derive(Debug, Default)]
pub struct PersonData {
    pub account: Option<Row>,
    pub tickets: Vec<Row>,
    pub messages: Vec<Row>,
    pub attachments: Vec<Row>,
    pub ratings: Vec<Row>,
    pub sessions: Vec<Row>,
    pub invitations: Vec<Row>,
    pub registrations: Vec<Row>,
    pub registration_list: Vec<Row>,
    pub sso_links: Vec<Row>,
    pub sso_events: Vec<Row>,
    pub emails: Vec<Row>,
}

pub async fn read(db: &impl Database, scope: PortalScope, account: AccountId) -> Result<PersonData, DbError> {
    let p = params![scope.tenant.to_db(), scope.portal.to_db(), account.to_db()];
    let mut statements = by_account(&p);
    statements.extend(by_address(&p));
    let mut sets = db.read_batch(statements).await?.into_iter();
    let mut next = || decode_rows::<Row>(sets.next());
    Ok(PersonData {
        account: next()?.into_iter().next(),
        tickets: next()?,
        messages: next()?,
        attachments: next()?,
        ratings: next()?,
        sessions: next()?,
        invitations: next()?,
        registrations: next()?,
        registration_list: next()?,
        sso_links: next()?,
        sso_events: next()?,
        emails: next()?,
    })
}

/// The reads of rows that name the account (`p`: tenant, portal, account).
fn by_account(p: &[SqlValue]) -> Vec<Statement> {
    vec![
        Statement::new(
            "SELECT id, customer_id, email, name, role, language, email_verified_at, terms_version, terms_accepted_at,
                    consent_version, consent_given_at, ticket_visibility, created_at, updated_at,
                    password_hash IS NOT NULL AS has_password
             FROM accounts WHERE tenant_id = ?1 AND portal_id = ?2 AND id = ?3",
            p.to_vec(),
        ),
        Statement::new(
            "SELECT id, number, subject, priority, stage_id, customer_id, requester_name, properties_json, created_at,
                    updated_at, last_activity_at
             FROM tickets WHERE tenant_id = ?1 AND portal_id = ?2 AND requester_account_id = ?3 ORDER BY number",
            p.to_vec(),
        ),
        // Their tickets' public messages, and whatever they wrote anywhere; internal notes
        // about them stay with the provider, who decides under Art. 15(4) what to add.
        Statement::new(
            "SELECT m.id, m.ticket_id, t.number AS ticket_number, m.thread, m.visibility, m.author_kind, m.author_name,
                    m.body, m.created_at
             FROM messages m JOIN tickets t ON t.tenant_id = m.tenant_id AND t.id = m.ticket_id
             WHERE m.tenant_id = ?1 AND t.portal_id = ?2
               AND ((t.requester_account_id = ?3 AND m.visibility = 'public') OR m.author_id = ?3)
             ORDER BY m.created_at, m.id",
            p.to_vec(),
        ),
        Statement::new(
            "SELECT a.id, a.ticket_id, a.message_id, a.filename, a.content_type, a.size, a.created_at
             FROM attachments a JOIN messages m ON m.tenant_id = a.tenant_id AND m.id = a.message_id
             JOIN tickets t ON t.tenant_id = a.tenant_id AND t.id = a.ticket_id
             WHERE a.tenant_id = ?1 AND t.portal_id = ?2
               AND ((t.requester_account_id = ?3 AND m.visibility = 'public') OR m.author_id = ?3)
             ORDER BY a.created_at, a.id",
            p.to_vec(),
        ),
        Statement::new(
            "SELECT r.ticket_id, r.thread, r.score, r.comment, r.created_at
             FROM ticket_ratings r WHERE r.tenant_id = ?1 AND r.account_id = ?3
               AND EXISTS (SELECT 1 FROM tickets t WHERE t.tenant_id = ?1 AND t.id = r.ticket_id AND t.portal_id = ?2)",
            p.to_vec(),
        ),
        Statement::new(
            "SELECT created_at, last_seen_at, expires_at FROM sessions
             WHERE tenant_id = ?1 AND portal_id = ?2 AND account_id = ?3 ORDER BY created_at",
            p.to_vec(),
        ),
    ]
}

/// The reads of rows that know the person only by their address.
fn by_address(p: &[SqlValue]) -> Vec<Statement> {
    vec![
        Statement::new(
            concat!(
                "SELECT id, email, role, customer_id, created_by, created_at, expires_at, accepted_at, revoked_at
                 FROM invitations WHERE tenant_id = ?1 AND portal_id = ?2
                   AND (accepted_account_id = ?3 OR email = ",
                email_of!(),
                ") ORDER BY created_at"
            ),
            p.to_vec(),
        ),
        Statement::new(
            concat!(
                "SELECT email, name, customer_id, created_at, expires_at, used_at FROM registrations
                 WHERE tenant_id = ?1 AND portal_id = ?2 AND email = ",
                email_of!(),
                " ORDER BY created_at"
            ),
            p.to_vec(),
        ),
        Statement::new(
            concat!(
                "SELECT id, kind, value, customer_id, created_at FROM registration_list
                 WHERE tenant_id = ?1 AND portal_id = ?2 AND kind = 'email' AND value = ",
                "(SELECT email FROM accounts WHERE tenant_id = ?1 AND portal_id = ?2 AND id = ?3)"
            ),
            p.to_vec(),
        ),
        Statement::new(
            "SELECT connection_id, subject FROM sso_links WHERE tenant_id = ?1 AND portal_id = ?2 AND account_id = ?3",
            p.to_vec(),
        ),
        Statement::new(
            concat!(
                "SELECT id, connection_id, at, outcome, code, detail, email FROM sso_events
                 WHERE tenant_id = ?1 AND portal_id = ?2 AND email = ",
                email_of!(),
                " ORDER BY at"
            ),
            p.to_vec(),
        ),
        // Emails without their bodies: those carry one-time sign-in and reset links.
        Statement::new(
            concat!(
                "SELECT id, kind, to_email, subject, status, created_at, sent_at FROM outbox
                 WHERE tenant_id = ?1 AND portal_id = ?2 AND to_email = ",
                email_of!(),
                " ORDER BY created_at"
            ),
            p.to_vec(),
        ),
    ]
}

/// The name that replaces an erased person's: the same for every row of theirs (so a
/// ticket's thread still reads as one person's) and different from another erased person's.
pub fn placeholder_name(account: AccountId) -> String {
    let short: String = account.to_db().chars().take(8).collect();
    format!("Erased person {short}")
}

/// The address that replaces theirs in the audit log: reserved, never deliverable (RFC 2606).
pub fn placeholder_email(account: AccountId) -> String {
    format!("erased-{account}@erased.invalid")
}

/// Erases the person in one batch (see the module's note); false when the account was gone.
pub async fn erase(
    db: &impl Database,
    scope: PortalScope,
    account: AccountId,
    email: &str,
    name: &str,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let placeholder = placeholder_name(account);
    let p = |extra: Vec<SqlValue>| {
        let mut all = params![scope.tenant.to_db(), scope.portal.to_db(), account.to_db()];
        all.extend(extra);
        all
    };
    let change = Change::new(scope.tenant, actor, "account.erase", "account", account.to_db())
        .after(serde_json::json!({ "portal_id": scope.portal.to_db(), "name": placeholder }));
    let changed = db
        .batch(vec![
            Statement::new(
                "UPDATE tickets SET requester_name = ?4 WHERE tenant_id = ?1 AND portal_id = ?2 AND requester_account_id = ?3",
                p(params![placeholder.as_str()]),
            ),
            Statement::new(
                "UPDATE messages SET author_name = ?4
                 WHERE tenant_id = ?1 AND author_kind = 'recipient' AND author_id = ?3
                   AND ticket_id IN (SELECT id FROM tickets WHERE tenant_id = ?1 AND portal_id = ?2)",
                p(params![placeholder.as_str()]),
            ),
            Statement::new(
                "DELETE FROM invitations WHERE tenant_id = ?1 AND portal_id = ?2 AND (accepted_account_id = ?3 OR email = ?4)",
                p(params![email]),
            ),
            Statement::new(
                "DELETE FROM registrations WHERE tenant_id = ?1 AND portal_id = ?2 AND email = ?4",
                p(params![email]),
            ),
            Statement::new(
                "DELETE FROM registration_list
                 WHERE tenant_id = ?1 AND portal_id = ?2 AND kind = 'email' AND value = ?4",
                p(params![email]),
            ),
            Statement::new(
                "DELETE FROM outbox WHERE tenant_id = ?1 AND portal_id = ?2 AND to_email = ?4",
                p(params![email]),
            ),
            Statement::new(
                "UPDATE sso_events SET email = NULL WHERE tenant_id = ?1 AND portal_id = ?2 AND email = ?4",
                p(params![email]),
            ),
            // A rating keeps its score (the provider's statistics), not the words the person
            // wrote with it.
            Statement::new(
                "UPDATE ticket_ratings SET comment = ''
                 WHERE tenant_id = ?1 AND account_id = ?3
                   AND ticket_id IN (SELECT id FROM tickets WHERE tenant_id = ?1 AND portal_id = ?2)",
                p(Vec::new()),
            ),
            // The audit log keeps what was done, not to whom by address or name: entries
            // about the account or naming the address have both replaced. The address is
            // matched as a whole JSON string, so `jann@acme.com` is not taken for `ann@acme.co`.
            Statement::new(
                "UPDATE audit_log
                 SET before_json = replace(replace(before_json, json_quote(?4), json_quote(?5)), json_quote(?6), json_quote(?7)),
                     after_json = replace(replace(after_json, json_quote(?4), json_quote(?5)), json_quote(?6), json_quote(?7))
                 WHERE tenant_id = ?1
                   AND (target_id = ?3 OR instr(before_json, json_quote(?4)) > 0 OR instr(after_json, json_quote(?4)) > 0)",
                p(params![email, placeholder_email(account), name, placeholder.as_str()]),
            ),
            // Sessions, reset tokens, preview links and SSO links go with it (ON DELETE CASCADE).
            Statement::new("DELETE FROM accounts WHERE tenant_id = ?1 AND portal_id = ?2 AND id = ?3", p(Vec::new())),
            change.statement_if_changed(now),
        ])
        .await?;
    Ok(super::wrote(&changed, 9))
}
