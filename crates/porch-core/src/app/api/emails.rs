//! The email outbox as the admin API shows it: a tenant's emails (no bodies), and the dev
//! mailbox (every tenant's, with bodies) when `DEV_MAILBOX` is on.

use serde::Serialize;
use serde_json::json;

use super::auth::Reach;
use super::{ok, page_limit, Call};
use crate::app::cut_page;
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::outbox::{self, Cursor, OutboxMessage, OutboxRow, Status};
use crate::store::queue::QueueState;
use porch_types::error::AppError;
use porch_types::time::Timestamp;

/// The dev mailbox shows this many of the newest emails.
pub const DEV_MAILBOX_SIZE: i64 = 50;

/// Where a queued email or webhook delivery stands, as the API shows both: flattened into
/// the row's own body.
#[derive(Serialize)]
pub(super) struct QueueBody<'a> {
    status: &'a str,
    attempts: i64,
    next_attempt_at: Timestamp,
    last_error: Option<&'a str>,
    created_at: Timestamp,
    sent_at: Option<Timestamp>,
}

impl<'a> From<&'a QueueState> for QueueBody<'a> {
    fn from(state: &'a QueueState) -> Self {
        QueueBody {
            status: &state.status,
            attempts: state.attempts,
            next_attempt_at: Timestamp::from_millis(state.next_attempt_at),
            last_error: state.last_error.as_deref(),
            created_at: Timestamp::from_millis(state.created_at),
            sent_at: state.sent_at.map(Timestamp::from_millis),
        }
    }
}

/// A tenant's queued email as the emails API shows it (`Email` in openapi.json): no bodies.
#[derive(Serialize)]
struct EmailBody<'a> {
    id: &'a str,
    portal_id: Option<&'a str>,
    kind: &'a str,
    to: &'a str,
    subject: &'a str,
    #[serde(flatten)]
    state: QueueBody<'a>,
}

impl<'a> From<&'a OutboxRow> for EmailBody<'a> {
    fn from(row: &'a OutboxRow) -> Self {
        EmailBody {
            id: &row.id,
            portal_id: row.portal_id.as_deref(),
            kind: &row.kind,
            to: &row.to_email,
            subject: &row.subject,
            state: QueueBody::from(&row.state),
        }
    }
}

/// An email of any tenant with its bodies, as the dev mailbox shows it (`MailboxEmail` in
/// openapi.json).
#[derive(Serialize)]
struct MailboxBody<'a> {
    id: &'a str,
    tenant_id: &'a str,
    portal_id: Option<&'a str>,
    kind: &'a str,
    to: &'a str,
    subject: &'a str,
    status: &'a str,
    attempts: i64,
    created_at: Timestamp,
    text: &'a str,
    html: &'a str,
}

impl<'a> From<&'a OutboxMessage> for MailboxBody<'a> {
    fn from(message: &'a OutboxMessage) -> Self {
        MailboxBody {
            id: &message.id,
            tenant_id: &message.tenant_id,
            portal_id: message.portal_id.as_deref(),
            kind: &message.kind,
            to: &message.to_email,
            subject: &message.subject,
            status: &message.status,
            attempts: message.attempts,
            created_at: Timestamp::from_millis(message.created_at),
            text: &message.text_body,
            html: &message.html_body,
        }
    }
}

pub async fn list<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let status = call
        .req
        .query_param("status")
        .map(|raw| Status::parse(&raw).map_err(|message| AppError::invalid("status", message)))
        .transpose()?;
    let cursor = call
        .req
        .query_param("cursor")
        .map(|raw| {
            Cursor::parse(&raw).ok_or_else(|| AppError::invalid("cursor", "must be a cursor from a previous page"))
        })
        .transpose()?;
    let limit = page_limit(call.req)?;
    // One row more than asked tells whether there is a next page.
    let mut rows = outbox::list_for_tenant(call.rt.db(), tenant, status, cursor.as_ref(), limit + 1).await?;
    let next_cursor = cut_page(&mut rows, limit).map(|r| r.cursor().to_string());
    Ok(ok(&json!({
        "emails": rows.iter().map(EmailBody::from).collect::<Vec<_>>(),
        "next_cursor": next_cursor,
    })))
}

pub async fn dev_mailbox<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    // Off, the route does not exist, whoever asks.
    if !call.rt.config().dev_mailbox {
        return Err(AppError::NotFound);
    }
    call.principal.require_platform()?;
    let messages = outbox::list_newest_with_bodies(call.rt.db(), DEV_MAILBOX_SIZE).await?;
    Ok(ok(&json!({ "emails": messages.iter().map(MailboxBody::from).collect::<Vec<_>>() })))
}
