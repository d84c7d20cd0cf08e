//! A portal's ticket settings through the admin API: read them, or write them through
//! `app::ticket_settings`, the rule the console's portal tickets page calls too.

use serde_json::json;

use super::recipients::portal_scope;
use super::versions::{answer, tagged, Precondition};
use super::{ok, Call};
use crate::app::ticket_settings::{self as rules, SettingsInput};
use crate::http::Response;
use crate::runtime::Runtime;
use porch_types::error::AppError;

/// The settings with the portal's version as their `ETag` (they are part of its row). The
/// version is read before the settings: a write landing in between makes the tag older than
/// what is shown, which can only refuse a write, never let a stale one through.
pub async fn get<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, row) = portal_scope(call).await?;
    Ok(tagged(ok(&json!({ "ticket_settings": rules::stored(call.rt, scope).await?.to_json() })), row.version))
}

pub async fn update<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let pre = Precondition::of(call.req)?;
    let input: SettingsInput = call.json()?;
    let (scope, _) = portal_scope(call).await?;
    answer(
        rules::update(call.rt, scope, &call.actor(), &input, &pre)
            .await
            .map(|(settings, version)| tagged(ok(&json!({ "ticket_settings": settings.to_json() })), version)),
    )
}
