//! Tickets and their messages, the agent side. Creating a ticket takes its number first,
//! then writes the ticket, its first message and the audit entry in one atomic batch.

use serde::Deserialize;
use serde_json::json;

use super::audit::{Actor, Change};
use super::{decode_rows, Database, DbError, Statement};
use crate::params;
use crate::store::portal_tickets::AttachmentView;
use porch_types::ids::{AccountId, CustomerId, InboxId, MessageId, PipelineId, PortalId, StageId, TenantId, TicketId};
use porch_types::tickets::Priority;
use porch_types::time::Timestamp;

#[derive(Clone, Debug, Deserialize)]
pub struct TicketRow {
    pub id: String,
    pub number: i64,
    pub subject: String,
    pub priority: Priority,
    pub pipeline_id: String,
    pub stage_id: String,
    pub is_closed: i64,
    pub inbox_id: Option<String>,
    pub customer_id: Option<String>,
    pub portal_id: Option<String>,
    pub requester_account_id: Option<String>,
    pub requester_name: Option<String>,
    pub properties_json: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_activity_at: i64,
    /// One more after every change of the row (its `ETag`; schema 0014).
    pub version: i64,
}

impl TicketRow {
    pub fn properties(&self) -> serde_json::Map<String, serde_json::Value> {
        serde_json::from_str(&self.properties_json).unwrap_or_default()
    }

    /// What the audit log keeps of a ticket's fields.
    fn summary(&self) -> serde_json::Value {
        json!({
            "subject": self.subject, "priority": self.priority, "pipeline_id": self.pipeline_id, "stage_id": self.stage_id,
            "inbox_id": self.inbox_id, "properties": self.properties(),
        })
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct MessageRow {
    pub id: String,
    pub thread: i64,
    pub visibility: String,
    pub author_kind: String,
    pub author_name: String,
    pub body: String,
    pub created_at: i64,
}

/// `SELECT <ticket columns> FROM tickets t JOIN stages ... <rest>`. `CROSS JOIN` keeps
/// tickets the outer loop (`SQLite` never reorders it), so a list walks `tickets_activity`
/// whatever statistics the planner has.
macro_rules! select_tickets {
    ($rest:literal) => {
        concat!(
            "SELECT t.id, t.number, t.subject, t.priority, t.pipeline_id, t.stage_id, s.is_closed, t.inbox_id,
                t.customer_id, t.portal_id, t.requester_account_id, t.requester_name, t.properties_json,
                t.created_at, t.updated_at, t.last_activity_at, t.version
             FROM tickets t CROSS JOIN stages s ON s.tenant_id = t.tenant_id AND s.id = t.stage_id ",
            $rest
        )
    };
}

/// The fields of a new ticket.
pub struct NewTicket<'a> {
    pub id: TicketId,
    /// From `next_number`.
    pub number: i64,
    pub subject: &'a str,
    pub priority: Priority,
    pub pipeline: PipelineId,
    pub stage: StageId,
    pub inbox: Option<InboxId>,
    pub customer: Option<CustomerId>,
    /// The portal account it is for, with that account's portal and name.
    pub requester: Option<(PortalId, AccountId, &'a str)>,
    pub properties: &'a serde_json::Map<String, serde_json::Value>,
}

/// A message and who wrote it.
pub struct NewMessage<'a> {
    pub id: MessageId,
    pub internal: bool,
    pub author_kind: &'static str,
    pub author_id: String,
    pub author_name: &'a str,
    pub body: &'a str,
}

pub(super) fn insert_message(
    tenant: TenantId,
    ticket: &str,
    thread: Option<i64>,
    message: &NewMessage<'_>,
    now: Timestamp,
) -> Statement {
    // Without a thread number: the ticket's latest thread (1 for a new ticket).
    Statement::new(
        "INSERT INTO messages (id, tenant_id, ticket_id, thread, visibility, author_kind, author_id, author_name, body, created_at)
         VALUES (?1, ?2, ?3,
            COALESCE(?4, (SELECT MAX(thread) FROM messages WHERE tenant_id = ?2 AND ticket_id = ?3), 1),
            ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            message.id.to_db(),
            tenant.to_db(),
            ticket,
            thread,
            if message.internal { "internal" } else { "public" },
            message.author_kind,
            message.author_id.clone(),
            message.author_name,
            message.body,
            now.millis()
        ],
    )
}

pub async fn create(
    db: &impl Database,
    tenant: TenantId,
    ticket: &NewTicket<'_>,
    first: &NewMessage<'_>,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    db.batch(create_statements(tenant, ticket, first, actor, now)).await.map(drop)
}

/// Takes the tenant's next ticket number. A statement of its own, before the ticket's batch,
/// so everything that batch writes (notices, emails) can name the ticket by its number; a
/// batch that then fails leaves a gap in the numbers, never a duplicate (the counter only
/// goes up, atomically).
pub async fn next_number(db: &impl Database, tenant: TenantId) -> Result<i64, DbError> {
    #[derive(Deserialize)]
    struct Counter {
        last_number: i64,
    }
    let counter: Option<Counter> = db
        .query_one(Statement::new(
            "INSERT INTO ticket_counters (tenant_id, last_number) VALUES (?1, 1)
             ON CONFLICT (tenant_id) DO UPDATE SET last_number = last_number + 1
             RETURNING last_number",
            params![tenant.to_db()],
        ))
        .await?;
    counter.map(|c| c.last_number).ok_or_else(|| DbError::Other("the ticket counter returned nothing".into()))
}

/// The statements that create a ticket with its first message: to run as they are, or with
/// more of the same unit of work (the first message's attachments, notifications) appended.
pub fn create_statements(
    tenant: TenantId,
    ticket: &NewTicket<'_>,
    first: &NewMessage<'_>,
    actor: &Actor,
    now: Timestamp,
) -> Vec<Statement> {
    let change = Change::new(tenant, actor, "ticket.create", "ticket", ticket.id.to_db()).after(json!({
        "subject": ticket.subject, "priority": ticket.priority, "pipeline_id": ticket.pipeline.to_db(),
        "stage_id": ticket.stage.to_db(), "inbox_id": ticket.inbox.map(InboxId::to_db),
        "customer_id": ticket.customer.map(CustomerId::to_db),
        "requester_account_id": ticket.requester.as_ref().map(|(_, account, _)| account.to_db()),
    }));
    let requester = ticket.requester.as_ref();
    vec![
        Statement::new(
            "INSERT INTO tickets (id, tenant_id, number, subject, priority, pipeline_id, stage_id, inbox_id, customer_id,
                portal_id, requester_account_id, requester_name, properties_json, created_at, updated_at, last_activity_at)
             VALUES (?1, ?2, ?14, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?13)",
            params![
                ticket.id.to_db(),
                tenant.to_db(),
                ticket.subject,
                ticket.priority.code(),
                ticket.pipeline.to_db(),
                ticket.stage.to_db(),
                ticket.inbox.map(InboxId::to_db),
                ticket.customer.map(CustomerId::to_db),
                requester.map(|(portal, _, _)| portal.to_db()),
                requester.map(|(_, account, _)| account.to_db()),
                requester.map(|(_, _, name)| *name),
                serde_json::Value::Object(ticket.properties.clone()).to_string(),
                now.millis(),
                ticket.number
            ],
        ),
        insert_message(tenant, &ticket.id.to_db(), Some(1), first, now),
        change.statement(now),
    ]
}

/// Which tickets a list holds. None: no filter on that field.
#[derive(Default)]
pub struct TicketFilter {
    pub pipeline: Option<PipelineId>,
    pub stage: Option<StageId>,
    pub customer: Option<CustomerId>,
    /// Some(true): closed only; Some(false): open only.
    pub closed: Option<bool>,
}

/// Newest activity first, keyset-paginated: `after` is the (`last_activity_at`, id) of the
/// previous page's last ticket, and the row-value comparison lets the query start its index
/// walk there (EXPLAIN QUERY PLAN: `SEARCH t USING INDEX tickets_activity (tenant_id=? AND
/// last_activity_at<?)`), so a deep page costs what the first does. Filters are checked on
/// the rows walked: a rare filter value walks further (the portal's own lists use their
/// dedicated indexes). A ticket that gets activity while someone pages moves to the top.
pub async fn list(
    db: &impl Database,
    tenant: TenantId,
    filter: &TicketFilter,
    after: Option<(i64, &str)>,
    limit: i64,
) -> Result<Vec<TicketRow>, DbError> {
    db.query(Statement::new(
        select_tickets!(
            "WHERE t.tenant_id = ?1
               AND (?2 IS NULL OR t.pipeline_id = ?2)
               AND (?3 IS NULL OR t.stage_id = ?3)
               AND (?4 IS NULL OR t.customer_id = ?4)
               AND (?5 IS NULL OR s.is_closed = ?5)
               AND (t.last_activity_at, t.id) < (?6, ?7)
             ORDER BY t.last_activity_at DESC, t.id DESC
             LIMIT ?8"
        ),
        params![
            tenant.to_db(),
            filter.pipeline.map(PipelineId::to_db),
            filter.stage.map(StageId::to_db),
            filter.customer.map(CustomerId::to_db),
            filter.closed,
            // The first page starts above every real position.
            after.map_or(i64::MAX, |(at, _)| at),
            after.map_or("", |(_, id)| id),
            limit
        ],
    ))
    .await
}

pub async fn get(db: &impl Database, tenant: TenantId, id: TicketId) -> Result<Option<TicketRow>, DbError> {
    db.query_one(Statement::new(
        select_tickets!("WHERE t.tenant_id = ?1 AND t.id = ?2"),
        params![tenant.to_db(), id.to_db()],
    ))
    .await
}

/// A requester's rating of one of the ticket's threads.
#[derive(Clone, Debug, Deserialize)]
pub struct RatingRow {
    pub thread: i64,
    pub score: i64,
    pub comment: String,
    pub account_id: String,
    pub created_at: i64,
}

/// A ticket with its whole conversation as agents see it: every message, internal notes
/// included, oldest first (insertion order within a millisecond: ids are random, rowids are
/// not), every attachment and rating. Four reads in one round trip.
pub struct Conversation {
    pub ticket: TicketRow,
    pub messages: Vec<MessageRow>,
    pub attachments: Vec<AttachmentView>,
    pub ratings: Vec<RatingRow>,
}

pub async fn conversation(db: &impl Database, tenant: TenantId, id: TicketId) -> Result<Option<Conversation>, DbError> {
    let params = params![tenant.to_db(), id.to_db()];
    let mut results = db
        .read_batch(vec![
            Statement::new(select_tickets!("WHERE t.tenant_id = ?1 AND t.id = ?2"), params.clone()),
            Statement::new(
                "SELECT id, thread, visibility, author_kind, author_name, body, created_at FROM messages
                 WHERE tenant_id = ?1 AND ticket_id = ?2 ORDER BY created_at, rowid",
                params.clone(),
            ),
            Statement::new(
                "SELECT id, message_id, filename, content_type, size, r2_key FROM attachments
                 WHERE tenant_id = ?1 AND ticket_id = ?2 ORDER BY created_at, rowid",
                params.clone(),
            ),
            Statement::new(
                "SELECT thread, score, comment, account_id, created_at FROM ticket_ratings
                 WHERE tenant_id = ?1 AND ticket_id = ?2 ORDER BY thread",
                params,
            ),
        ])
        .await?
        .into_iter();
    let Some(ticket) = decode_rows::<TicketRow>(results.next())?.into_iter().next() else {
        return Ok(None);
    };
    Ok(Some(Conversation {
        ticket,
        messages: decode_rows(results.next())?,
        attachments: decode_rows(results.next())?,
        ratings: decode_rows(results.next())?,
    }))
}

/// The fields an agent may change, written whole on top of the current ticket.
pub struct TicketChanges<'a> {
    pub subject: &'a str,
    pub priority: Priority,
    pub pipeline: &'a str,
    pub stage: &'a str,
    pub inbox: Option<&'a str>,
    pub properties: &'a serde_json::Map<String, serde_json::Value>,
}

/// Writes the changes. `first` runs before them in the same batch: an email about the move,
/// conditioned on the ticket as it was (`outbox::only_if_ticket_not_in`).
pub async fn update(
    db: &impl Database,
    tenant: TenantId,
    current: &TicketRow,
    changes: &TicketChanges<'_>,
    actor: &Actor,
    now: Timestamp,
    first: Vec<Statement>,
) -> Result<bool, DbError> {
    let properties = serde_json::Value::Object(changes.properties.clone());
    let change = Change::new(tenant, actor, "ticket.update", "ticket", current.id.clone())
        .before(current.summary())
        .after(json!({
            "subject": changes.subject, "priority": changes.priority, "pipeline_id": changes.pipeline, "stage_id": changes.stage,
            "inbox_id": changes.inbox, "properties": properties,
        }));
    // The audit entry stays right after the write: its condition reads the write's changes.
    // The write replaces `current.version` only (false: the ticket changed or went).
    let index = first.len();
    let mut batch = first;
    batch.extend([
        Statement::new(
            "UPDATE tickets SET subject = ?3, priority = ?4, pipeline_id = ?5, stage_id = ?6, inbox_id = ?7,
                properties_json = ?8, updated_at = ?9
             WHERE tenant_id = ?1 AND id = ?2 AND version = ?10",
            params![
                tenant.to_db(),
                current.id.clone(),
                changes.subject,
                changes.priority.code(),
                changes.pipeline,
                changes.stage,
                changes.inbox,
                properties.to_string(),
                now.millis(),
                current.version
            ],
        ),
        change.statement_if_changed(now),
    ]);
    Ok(super::wrote(&db.batch(batch).await?, index))
}

/// Where a new message goes and what it does to its ticket.
#[derive(Clone, Copy, Debug, Default)]
pub struct Placement {
    /// Open the ticket's next thread instead of adding to the latest one.
    pub new_thread: bool,
    /// Move the ticket to this stage (a recipient's reply reopening a closed ticket).
    pub reopen_to: Option<StageId>,
    /// Put the ticket in this inbox if it is in none (a recipient's reply to a ticket an agent
    /// made without one goes to the portal's inbox, which is told of it). An inbox deleted
    /// since the caller read it (a portal's cached settings) is none.
    pub inbox_if_none: Option<InboxId>,
}

/// The statements that add a message: the message, the ticket's activity (a public message
/// only: recipients see and sort by `last_activity_at`, which would otherwise tell them that,
/// and when, agents wrote a note about them) and stage, and the audit entry. The caller may
/// append what the message brings (attachment rows, notices) to the same batch.
pub fn message_statements(
    tenant: TenantId,
    ticket: &str,
    message: &NewMessage<'_>,
    placement: Placement,
    actor: &Actor,
    now: Timestamp,
) -> Vec<Statement> {
    let change = Change::new(tenant, actor, "ticket.message", "ticket", ticket.to_owned()).after(json!({
        "message_id": message.id.to_db(), "internal": message.internal, "new_thread": placement.new_thread,
        "reopened_to": placement.reopen_to.map(StageId::to_db),
        "inbox_id": placement.inbox_if_none.map(InboxId::to_db),
    }));
    let insert = if placement.new_thread {
        Statement::new(
            "INSERT INTO messages (id, tenant_id, ticket_id, thread, visibility, author_kind, author_id, author_name, body, created_at)
             SELECT ?1, ?2, ?3, COALESCE(MAX(thread), 0) + 1, ?5, ?6, ?7, ?8, ?9, ?10
             FROM messages WHERE tenant_id = ?2 AND ticket_id = ?3",
            insert_message(tenant, ticket, None, message, now).params,
        )
    } else {
        insert_message(tenant, ticket, None, message, now)
    };
    vec![
        insert,
        Statement::new(
            "UPDATE tickets SET last_activity_at = CASE WHEN ?4 THEN last_activity_at ELSE ?3 END, updated_at = ?3,
                stage_id = COALESCE(?5, stage_id),
                inbox_id = COALESCE(inbox_id, (SELECT id FROM inboxes WHERE tenant_id = ?1 AND id = ?6))
             WHERE tenant_id = ?1 AND id = ?2",
            params![
                tenant.to_db(),
                ticket,
                now.millis(),
                message.internal,
                placement.reopen_to.map(StageId::to_db),
                placement.inbox_if_none.map(InboxId::to_db)
            ],
        ),
        change.statement(now),
    ]
}
