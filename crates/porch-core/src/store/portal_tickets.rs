//! Tickets as a recipient sees them. Every read here derives the viewer from the session
//! token inside the SQL (the `viewer` CTE) and applies the portal's visibility and rules,
//! read from the portal's row in the same statement (never from a cached copy: tightening
//! them takes effect at once), so a page can send its session lookup and its data reads to
//! D1 in one batch, and no query can return a ticket, message or file the viewer may not
//! see: a statement run with a dead or foreign session finds nothing.
//!
//! Bound parameters shared by every read: ?1 session token hash, ?2 tenant, ?3 portal, ?4 now
//! (an expired session is nobody; the idle timeout, a portal setting, is judged in Rust, which
//! drops the rows of a session it finds idle). The writes at the end (`rate`) bind their own.

use serde::Deserialize;

use super::{Statement, Value};
use crate::params;
use crate::store::PortalScope;
use porch_types::ids::{AccountId, TenantId, TicketId};
use porch_types::time::Timestamp;

/// The viewer (`account_id`, `customer_id`, effective `visibility`) of a live session of this
/// portal, with the portal's `rules`; no row when there is no such session. A fresh-member
/// preview has no account and the previewed customer (else the portal's). MATERIALIZED: the
/// rules condition reads it once per listed row, and it should be looked up once per query.
macro_rules! with_viewer {
    () => {
        "WITH viewer AS MATERIALIZED (
           SELECT s.account_id AS account_id,
                  CASE WHEN s.account_id IS NOT NULL THEN a.customer_id ELSE COALESCE(pv.customer_id, p.customer_id) END
                    AS customer_id,
                  COALESCE(a.ticket_visibility, p.ticket_visibility) AS visibility,
                  p.ticket_rules_json AS rules
           FROM sessions s
           JOIN portals p ON p.tenant_id = s.tenant_id AND p.id = s.portal_id
           LEFT JOIN accounts a ON a.tenant_id = s.tenant_id AND a.id = s.account_id
           LEFT JOIN previews pv ON pv.tenant_id = s.tenant_id AND pv.id = s.preview_id
           WHERE s.token_hash = ?1 AND s.tenant_id = ?2 AND s.portal_id = ?3 AND s.expires_at > ?4) "
    };
}
// The fleet pages read their viewer's customer the same way (`store::equipment`).
pub(crate) use with_viewer;

/// Tickets the viewer requested.
macro_rules! mine {
    () => {
        " t.requester_account_id = (SELECT account_id FROM viewer) "
    };
}

/// Tickets of the viewer's customer, when the viewer may see the organisation's (NULL
/// otherwise, which equals nothing).
macro_rules! organisation {
    () => {
        " t.customer_id = (SELECT customer_id FROM viewer WHERE visibility = 'organisation') "
    };
}

/// The portal's rules (`TicketRules` as JSON): each non-empty one must hold. A custom
/// property rule holds when the ticket's value is one of the rule's (numbers compare by
/// value, 3 = 3.0, as `TicketRules::admits` does); keys are property keys
/// (`[a-z][a-z0-9_]*`, checked when saved), so `'$.' || key` needs no quoting.
macro_rules! portal_rules {
    () => {
        " AND NOT EXISTS (SELECT 1 FROM viewer WHERE
              (json_array_length(rules, '$.pipelines') > 0
                 AND t.pipeline_id NOT IN (SELECT value FROM json_each(rules, '$.pipelines')))
           OR (json_array_length(rules, '$.inboxes') > 0
                 AND (t.inbox_id IS NULL OR t.inbox_id NOT IN (SELECT value FROM json_each(rules, '$.inboxes'))))
           OR (json_array_length(rules, '$.priorities') > 0
                 AND t.priority NOT IN (SELECT value FROM json_each(rules, '$.priorities')))
           OR EXISTS (SELECT 1 FROM json_each(rules, '$.properties') r WHERE NOT EXISTS (
                 SELECT 1 FROM json_each(r.value, '$.values') v
                 WHERE v.value = json_extract(t.properties_json, '$.' || json_extract(r.value, '$.key'))))) "
    };
}

/// The one ticket numbered ?5 that the viewer may see (as requester or through their
/// organisation), as the CTE `permitted`.
macro_rules! with_permitted {
    () => {
        concat!(
            with_viewer!(),
            ", permitted AS (SELECT t.id FROM tickets t WHERE t.tenant_id = ?2 AND t.number = ?5 AND (",
            mine!(),
            " OR ",
            organisation!(),
            ")",
            portal_rules!(),
            ") "
        )
    };
}

/// ?1..?4 for this portal and session.
pub(crate) fn shared_params(scope: PortalScope, token_hash: &str, now: Timestamp) -> Vec<Value> {
    params![token_hash, scope.tenant.to_db(), scope.portal.to_db(), now.millis()]
}

/// Whose tickets a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListScope {
    Mine,
    Organisation,
}

/// A list's order; each walks an index in that order from its cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    ActivityNewest,
    ActivityOldest,
    CreatedNewest,
    CreatedOldest,
}

impl Sort {
    /// Every order, as the list's menu offers them.
    pub const ALL: [Sort; 4] = [Sort::ActivityNewest, Sort::ActivityOldest, Sort::CreatedNewest, Sort::CreatedOldest];
    /// Their codes, in that order.
    pub const CODES: [&'static str; 4] =
        [Sort::ALL[0].code(), Sort::ALL[1].code(), Sort::ALL[2].code(), Sort::ALL[3].code()];

    pub fn parse(code: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|sort| sort.code() == code)
    }

    pub const fn code(self) -> &'static str {
        match self {
            Sort::ActivityNewest => "activity",
            Sort::ActivityOldest => "activity_asc",
            Sort::CreatedNewest => "created",
            Sort::CreatedOldest => "created_asc",
        }
    }

    /// The cursor position of a ticket in this order.
    pub fn position(self, row: &ListRow) -> i64 {
        match self {
            Sort::ActivityNewest | Sort::ActivityOldest => row.last_activity_at,
            Sort::CreatedNewest | Sort::CreatedOldest => row.number,
        }
    }

    /// Where a first page starts: before every real position in this order.
    fn start(self) -> i64 {
        match self {
            Sort::ActivityNewest | Sort::CreatedNewest => i64::MAX,
            Sort::ActivityOldest | Sort::CreatedOldest => -1,
        }
    }
}

/// What a list asks for.
pub struct ListQuery<'a> {
    pub scope: ListScope,
    /// Some(true): closed only; Some(false): open only.
    pub closed: Option<bool>,
    /// An FTS5 expression over the `body` column (`domain::search`), or None.
    pub search: Option<&'a str>,
    pub sort: Sort,
    /// The previous page's last (position, id).
    pub after: Option<(i64, &'a str)>,
    pub limit: i64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ListRow {
    pub id: String,
    pub number: i64,
    pub subject: String,
    pub stage_name: String,
    pub is_closed: i64,
    pub created_at: i64,
    pub last_activity_at: i64,
}

/// One list statement: whose tickets (`$access`, and the search scope token that narrows the
/// index to them), the keyset condition and the order. ?5 status, ?6 search expression,
/// ?7/?8 the cursor, ?9 the limit.
macro_rules! list_sql {
    ($access:ident, $search_scope:ident, $keyset:literal, $order:literal) => {
        concat!(
            with_viewer!(),
            "SELECT t.id, t.number, t.subject, s.name AS stage_name, s.is_closed, t.created_at, t.last_activity_at
             FROM tickets t CROSS JOIN stages s ON s.tenant_id = t.tenant_id AND s.id = t.stage_id
             WHERE t.tenant_id = ?2 AND ",
            $access!(),
            portal_rules!(),
            " AND (?5 IS NULL OR s.is_closed = ?5)
              AND (?6 IS NULL OR t.search_key IN (
                SELECT rowid >> 24 FROM ticket_search
                WHERE ticket_search MATCH ('scope : ' || ",
            $search_scope!(),
            " || ' AND ' || ?6)))
              AND ",
            $keyset,
            " ORDER BY ",
            $order,
            " LIMIT ?9"
        )
    };
}

/// The scope token of the viewer's own tickets; a token no document has when there is none.
macro_rules! mine_token {
    () => {
        "COALESCE('r' || replace((SELECT account_id FROM viewer), '-', ''), 'nobody')"
    };
}

macro_rules! organisation_token {
    () => {
        "COALESCE('c' || replace((SELECT customer_id FROM viewer WHERE visibility = 'organisation'), '-', ''), 'nobody')"
    };
}

macro_rules! list_variants {
    ($scope:expr, $sort:expr) => {
        match ($scope, $sort) {
            (ListScope::Mine, Sort::ActivityNewest) => list_sql!(
                mine,
                mine_token,
                "(t.last_activity_at, t.id) < (?7, ?8)",
                "t.last_activity_at DESC, t.id DESC"
            ),
            (ListScope::Mine, Sort::ActivityOldest) => {
                list_sql!(mine, mine_token, "(t.last_activity_at, t.id) > (?7, ?8)", "t.last_activity_at, t.id")
            }
            (ListScope::Mine, Sort::CreatedNewest) => {
                list_sql!(mine, mine_token, "(t.number, t.id) < (?7, ?8)", "t.number DESC, t.id DESC")
            }
            (ListScope::Mine, Sort::CreatedOldest) => {
                list_sql!(mine, mine_token, "(t.number, t.id) > (?7, ?8)", "t.number, t.id")
            }
            (ListScope::Organisation, Sort::ActivityNewest) => list_sql!(
                organisation,
                organisation_token,
                "(t.last_activity_at, t.id) < (?7, ?8)",
                "t.last_activity_at DESC, t.id DESC"
            ),
            (ListScope::Organisation, Sort::ActivityOldest) => list_sql!(
                organisation,
                organisation_token,
                "(t.last_activity_at, t.id) > (?7, ?8)",
                "t.last_activity_at, t.id"
            ),
            (ListScope::Organisation, Sort::CreatedNewest) => {
                list_sql!(organisation, organisation_token, "(t.number, t.id) < (?7, ?8)", "t.number DESC, t.id DESC")
            }
            (ListScope::Organisation, Sort::CreatedOldest) => {
                list_sql!(organisation, organisation_token, "(t.number, t.id) > (?7, ?8)", "t.number, t.id")
            }
        }
    };
}

/// The viewer's tickets for a list page, keyset-paginated in the chosen order. Each variant
/// walks an index from its cursor (`tickets_requester` / `tickets_customer` for activity,
/// `tickets_requester_number` / `tickets_customer_number` for creation), so a deep page
/// costs what the first does. A search first collects the matching tickets' search keys from
/// the FTS index alone (its rowids name them), narrowed to the viewer's scope token.
pub fn list(scope: PortalScope, token_hash: &str, now: Timestamp, query: &ListQuery<'_>) -> Statement {
    let mut params = shared_params(scope, token_hash, now);
    params.extend([
        Value::from(query.closed),
        Value::from(query.search.map(str::to_owned)),
        Value::from(query.after.map_or(query.sort.start(), |(at, _)| at)),
        Value::from(query.after.map_or("", |(_, id)| id)),
        Value::from(query.limit),
    ]);
    Statement::new(list_variants!(query.scope, query.sort), params)
}

#[derive(Clone, Debug, Deserialize)]
pub struct TicketView {
    pub id: String,
    pub number: i64,
    pub subject: String,
    pub priority: String,
    pub pipeline_id: String,
    pub stage_name: String,
    pub is_closed: i64,
    pub inbox_id: Option<String>,
    pub customer_id: Option<String>,
    pub requester_account_id: Option<String>,
    pub requester_name: Option<String>,
    pub created_at: i64,
    pub last_activity_at: i64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct PublicMessage {
    pub id: String,
    pub thread: i64,
    pub author_kind: String,
    pub author_name: String,
    pub body: String,
    pub created_at: i64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct AttachmentView {
    pub id: String,
    pub message_id: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub r2_key: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct RatingView {
    pub thread: i64,
    pub score: i64,
}

/// Parameters ?1..?5 of the statements about one ticket.
fn ticket_params(scope: PortalScope, token_hash: &str, now: Timestamp, number: i64) -> Vec<Value> {
    let mut params = shared_params(scope, token_hash, now);
    params.push(number.into());
    params
}

/// The statements of a ticket's page, to run in one batch: the ticket, the public messages
/// of its latest thread (oldest first), the attachments of its public messages, its ratings.
/// Each finds nothing unless the viewer may see the ticket.
pub fn detail(scope: PortalScope, token_hash: &str, now: Timestamp, number: i64) -> [Statement; 4] {
    let params = ticket_params(scope, token_hash, now, number);
    [
        ticket(scope, token_hash, now, number),
        Statement::new(
            concat!(
                with_permitted!(),
                "SELECT m.id, m.thread, m.author_kind, m.author_name, m.body, m.created_at FROM messages m
                 WHERE m.tenant_id = ?2 AND m.ticket_id = (SELECT id FROM permitted) AND m.visibility = 'public'
                   AND m.thread = (SELECT MAX(thread) FROM messages
                                   WHERE tenant_id = ?2 AND ticket_id = (SELECT id FROM permitted) AND visibility = 'public')
                 ORDER BY m.created_at, m.rowid"
            ),
            params.clone(),
        ),
        Statement::new(
            concat!(
                with_permitted!(),
                "SELECT a.id, a.message_id, a.filename, a.content_type, a.size, a.r2_key FROM attachments a
                 JOIN messages m ON m.tenant_id = a.tenant_id AND m.id = a.message_id
                 WHERE a.tenant_id = ?2 AND a.ticket_id = (SELECT id FROM permitted) AND m.visibility = 'public'
                 ORDER BY a.created_at, a.rowid"
            ),
            params.clone(),
        ),
        Statement::new(
            concat!(
                with_permitted!(),
                "SELECT thread, score FROM ticket_ratings WHERE tenant_id = ?2 AND ticket_id = (SELECT id FROM permitted)"
            ),
            params,
        ),
    ]
}

/// The ticket numbered `number`, if the viewer may see it.
pub fn ticket(scope: PortalScope, token_hash: &str, now: Timestamp, number: i64) -> Statement {
    Statement::new(
        concat!(
            with_permitted!(),
            "SELECT t.id, t.number, t.subject, t.priority, t.pipeline_id, s.name AS stage_name, s.is_closed, t.inbox_id,
                    t.customer_id, t.requester_account_id, t.requester_name, t.created_at, t.last_activity_at
             FROM tickets t JOIN stages s ON s.tenant_id = t.tenant_id AND s.id = t.stage_id
             WHERE t.tenant_id = ?2 AND t.id = (SELECT id FROM permitted)"
        ),
        ticket_params(scope, token_hash, now, number),
    )
}

/// One attachment of a public message of the ticket numbered `number`, if the viewer may see
/// the ticket. An internal note's file is never found, whatever its id.
pub fn attachment(scope: PortalScope, token_hash: &str, now: Timestamp, number: i64, attachment_id: &str) -> Statement {
    let mut params = ticket_params(scope, token_hash, now, number);
    params.push(attachment_id.into());
    Statement::new(
        concat!(
            with_permitted!(),
            "SELECT a.id, a.message_id, a.filename, a.content_type, a.size, a.r2_key FROM attachments a
             JOIN messages m ON m.tenant_id = a.tenant_id AND m.id = a.message_id
             WHERE a.tenant_id = ?2 AND a.ticket_id = (SELECT id FROM permitted) AND a.id = ?6
               AND m.visibility = 'public'"
        ),
        params,
    )
}

/// A requester's rating of a ticket's thread; a second rating of the same thread changes
/// nothing (the statement after it can be made conditional on this one's change).
pub fn rate(
    tenant: TenantId,
    ticket: TicketId,
    thread: i64,
    score: i64,
    comment: &str,
    account: AccountId,
    now: Timestamp,
) -> Statement {
    Statement::new(
        "INSERT INTO ticket_ratings (tenant_id, ticket_id, thread, score, comment, account_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (tenant_id, ticket_id, thread) DO NOTHING",
        params![tenant.to_db(), ticket.to_db(), thread, score, comment, account.to_db(), now.millis()],
    )
}
