//! One recipient's data for the provider: an export of everything about them (GDPR
//! Art. 15) and their erasure (Art. 17), which keeps tickets under a placeholder name.

use serde_json::json;

use super::recipients::portal_scope;
use super::{ok, Call};
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::person_data;
use porch_types::error::AppError;
use porch_types::ids::AccountId;
use porch_types::time::Timestamp;

/// Everything porch holds about the person on this portal, as JSON.
pub async fn export<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, _) = portal_scope(call).await?;
    let account = call.id("account_id", AccountId::parse)?;
    let data = person_data::read(call.rt.db(), scope, account).await?;
    let person = data.account.ok_or(AppError::NotFound)?;
    Ok(ok(&json!({
        "person": {
            "portal_id": scope.portal.to_db(),
            "exported_at": call.rt.now(),
            "account": person,
            "tickets": data.tickets,
            "messages": data.messages,
            "attachments": data.attachments,
            "ratings": data.ratings,
            "sessions": data.sessions,
            "invitations": data.invitations,
            "registrations": data.registrations,
            "registration_list": data.registration_list,
            "sso_links": data.sso_links,
            "sso_events": data.sso_events,
            "emails": data.emails,
        }
    })))
}

/// Erases the person: their account and everything that names them goes, their tickets
/// stay under a placeholder name. Audited as `account.erase`.
pub async fn erase<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, _) = portal_scope(call).await?;
    let account = call.id("account_id", AccountId::parse)?;
    let current = crate::store::accounts::get(call.rt.db(), scope, account).await?.ok_or(AppError::NotFound)?;
    let erased =
        person_data::erase(call.rt.db(), scope, account, &current.email, &current.name, &call.actor(), call.rt.now())
            .await?;
    if !erased {
        return Err(AppError::NotFound);
    }
    Ok(ok(&json!({
        "erasure": {
            "account_id": account.to_db(),
            "placeholder_name": person_data::placeholder_name(account),
            "erased_at": Timestamp::from_millis(call.rt.now().millis()),
        }
    })))
}
