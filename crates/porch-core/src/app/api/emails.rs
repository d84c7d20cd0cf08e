//! The email outbox as the admin API shows it: a tenant's emails (no bodies), and the dev
//! mailbox (every tenant's, with bodies) when `DEV_MAILBOX` is on.

use serde_json::json;

use super::auth::Reach;
use super::{ok, page_limit, Call};
use crate::app::cut_page;
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::outbox::{self, Cursor, Status};
use porch_types::error::AppError;

/// The dev mailbox shows this many of the newest emails.
pub const DEV_MAILBOX_SIZE: i64 = 50;

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
        "emails": rows.iter().map(outbox::OutboxRow::to_json).collect::<Vec<_>>(),
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
    Ok(ok(&json!({ "emails": messages.iter().map(outbox::OutboxMessage::to_json).collect::<Vec<_>>() })))
}
