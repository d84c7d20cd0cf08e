//! The email outbox: emails are queued as one statement of the caller's own atomic batch,
//! claimed by the scheduled sender under a lease, and settled as sent, retried or failed.

use crate::store::queue::QueueState;
use serde::Deserialize;

use super::queue::{self, settle_sql, SettleSql};
use super::{Database, DbError, Statement};
use crate::params;
use crate::retry::Outcome;
use porch_types::email::Email;
use porch_types::ids::{OutboxId, PortalId, StageId, TenantId, TicketId};
use porch_types::time::Timestamp;

/// A finished email: subject, plain-text part and HTML part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Where a queued email is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Queued,
    Sent,
    Failed,
}

impl Status {
    pub fn parse(code: &str) -> Result<Status, &'static str> {
        match code {
            "queued" => Ok(Status::Queued),
            "sent" => Ok(Status::Sent),
            "failed" => Ok(Status::Failed),
            _ => Err("must be one of queued, sent, failed"),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Sent => "sent",
            Status::Failed => "failed",
        }
    }
}

/// The outbox insert, optionally with a condition (`$condition` is SQL text of ours).
macro_rules! insert_outbox {
    ($condition:literal) => {
        concat!(
            "INSERT INTO outbox (id, tenant_id, portal_id, kind, to_email, subject, text_body, html_body,
                                 status, attempts, next_attempt_at, created_at)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'queued', 0, ?9, ?9 ",
            $condition
        )
    };
}

/// An `enqueue` statement made conditional: written only if the statement before it in the
/// batch changed a row, so an email about a change that did not happen is never sent.
pub fn only_if_changed(queued: Statement) -> Statement {
    Statement { sql: insert_outbox!("WHERE changes() > 0"), ..queued }
}

/// An `enqueue` statement made conditional on a ticket move: written only if the ticket is
/// not in `stage`, and still at `version` (the one the move is guarded by), when the batch
/// reaches it. Put it before the move in the batch: of two agents moving a ticket into the
/// same stage at once, only the one that really moved it sends the email, and a ticket
/// changed or deleted meanwhile sends none.
pub fn only_if_ticket_not_in(queued: Statement, ticket: TicketId, stage: StageId, version: i64) -> Statement {
    let mut params = queued.params;
    params.extend(params![ticket.to_db(), stage.to_db(), version]);
    // ?2 is the email's tenant: the ticket is looked up within it.
    Statement::new(
        insert_outbox!(
            "WHERE EXISTS (SELECT 1 FROM tickets WHERE tenant_id = ?2 AND id = ?10 AND stage_id <> ?11 AND version = ?12)"
        ),
        params,
    )
}

/// Queues an email, due at once. Add the statement to the batch of the change that causes
/// the email, so the two happen together or not at all.
pub fn enqueue(
    id: OutboxId,
    tenant: TenantId,
    portal: Option<PortalId>,
    to: &Email,
    kind: &str,
    composed: &Composed,
    now: Timestamp,
) -> Statement {
    Statement::new(
        insert_outbox!(""),
        params![
            id.to_db(),
            tenant.to_db(),
            portal.map(PortalId::to_db),
            kind,
            to.as_str(),
            composed.subject.clone(),
            composed.text.clone(),
            composed.html.clone(),
            now.millis(),
        ],
    )
}

/// A queued email as the emails API shows it: everything but the bodies.
#[derive(Debug, Deserialize)]
pub struct OutboxRow {
    pub id: String,
    pub tenant_id: String,
    pub portal_id: Option<String>,
    pub kind: String,
    pub to_email: String,
    pub subject: String,
    #[serde(flatten)]
    pub state: QueueState,
}

impl OutboxRow {
    /// The keyset cursor of this row: the next page starts strictly after it.
    pub fn cursor(&self) -> Cursor {
        Cursor { created_at: self.state.created_at, id: self.id.clone() }
    }
}

/// A position in the newest-first listing: `(created_at, id)`, as `<millis>_<id>` in URLs.
/// The id breaks ties between emails queued in the same millisecond.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: i64,
    pub id: String,
}

impl Cursor {
    pub fn parse(text: &str) -> Option<Cursor> {
        let (millis, id) = text.split_once('_')?;
        let created_at = millis.parse::<i64>().ok().filter(|m| *m >= 0)?;
        let id = OutboxId::parse(id)?;
        Some(Cursor { created_at, id: id.to_db() })
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}_{}", self.created_at, self.id)
    }
}

/// A tenant's emails, newest first, strictly after `after` when given, optionally of one status.
pub async fn list_for_tenant(
    db: &impl Database,
    tenant: TenantId,
    status: Option<Status>,
    after: Option<&Cursor>,
    limit: i64,
) -> Result<Vec<OutboxRow>, DbError> {
    db.query(Statement::new(
        "SELECT id, tenant_id, portal_id, kind, to_email, subject, status, attempts, next_attempt_at,
                last_error, created_at, sent_at
         FROM outbox
         WHERE tenant_id = ?1 AND (?2 IS NULL OR status = ?2)
           AND (?3 IS NULL OR created_at < ?3 OR (created_at = ?3 AND id < ?4))
         ORDER BY created_at DESC, id DESC LIMIT ?5",
        params![
            tenant.to_db(),
            status.map(Status::code),
            after.map(|c| c.created_at),
            after.map(|c| c.id.clone()),
            limit
        ],
    ))
    .await
}

/// A queued email with its bodies, as the sender and the dev mailbox need it.
#[derive(Clone, Debug, Deserialize)]
pub struct OutboxMessage {
    pub id: String,
    pub tenant_id: String,
    pub portal_id: Option<String>,
    pub kind: String,
    pub to_email: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub status: String,
    pub attempts: i64,
    /// For a claimed email: the lease, which settling checks is still ours.
    pub next_attempt_at: i64,
    pub created_at: i64,
}

/// The newest emails of every tenant, with their bodies: for the dev mailbox only, which is
/// off unless `DEV_MAILBOX=on`. Deliberately not tenant-scoped: it is the local developer's
/// view of everything porch would have sent.
pub async fn list_newest_with_bodies(db: &impl Database, limit: i64) -> Result<Vec<OutboxMessage>, DbError> {
    db.query(Statement::new(
        "SELECT id, tenant_id, portal_id, kind, to_email, subject, text_body, html_body, status, attempts,
                next_attempt_at, created_at
         FROM outbox ORDER BY created_at DESC, id DESC LIMIT ?1",
        params![limit],
    ))
    .await
}

/// Claims up to `limit` due emails of every tenant for one sender run, in one statement:
/// their `next_attempt_at` moves to `lease_until`, so a concurrent run no longer sees them as
/// due. A run that dies leaves them to be claimed again once the lease passes. (UPDATE ...
/// RETURNING: `SQLite` 3.35+, D1.) A tenant being erased sends nothing more.
pub async fn claim_due(
    db: &impl Database,
    now: Timestamp,
    lease_until: Timestamp,
    limit: i64,
) -> Result<Vec<OutboxMessage>, DbError> {
    db.query(Statement::new(
        "UPDATE outbox SET next_attempt_at = ?1
         WHERE id IN (SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?2
                        AND NOT EXISTS (SELECT 1 FROM tenant_deletions x WHERE x.tenant_id = outbox.tenant_id)
                      ORDER BY next_attempt_at LIMIT ?3)
         RETURNING id, tenant_id, portal_id, kind, to_email, subject, text_body, html_body, status, attempts,
                   next_attempt_at, created_at",
        params![lease_until.millis(), now.millis(), limit],
    ))
    .await
}

/// Records an attempt on a claimed email. Guarded by the lease: if the lease ran out and
/// another run claimed the email meanwhile, this changes nothing and that run's word stands.
pub fn settle(message: &OutboxMessage, outcome: &Outcome, now: Timestamp) -> Statement {
    queue::settle(&SETTLE, &message.tenant_id, &message.id, message.next_attempt_at, outcome, now)
}

// Bodies are blanked once settled: they carry working links (invitations, resets) that must
// not outlive their delivery in the database or its backups.
const SETTLE: SettleSql = settle_sql!("outbox", ", text_body = '', html_body = ''");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_through_its_text_form() {
        let id = OutboxId::from_random([3; 16]).to_db();
        let cursor = Cursor { created_at: 1_790_000_000_000, id };
        assert_eq!(Cursor::parse(&cursor.to_string()), Some(cursor));
        assert_eq!(Cursor::parse("12"), None);
        assert_eq!(Cursor::parse("-1_00000000-0000-4000-8000-000000000000"), None);
        assert_eq!(Cursor::parse("1_not-an-id"), None);
    }

    #[test]
    fn statuses_round_trip_through_their_codes() {
        for status in [Status::Queued, Status::Sent, Status::Failed] {
            assert_eq!(Status::parse(status.code()), Ok(status));
        }
        assert!(Status::parse("bounced").is_err());
    }
}
