//! Webhook endpoints through the admin API: add one (its signing secret is shown this once),
//! list, turn off and on, delete them, and read an endpoint's recent deliveries.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::Reach;
use super::emails::QueueBody;
use super::versions::{self, tagged, Precondition};
use super::{created, no_content, ok, page_limit, Call};
use crate::app::webhook_endpoints as rules;
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::webhooks::{self, DeliveryRow, WebhookRow};
use porch_types::error::AppError;
use porch_types::ids::WebhookId;
use porch_types::time::Timestamp;

/// An endpoint as the API shows it (`Webhook` in openapi.json): never its secret.
#[derive(Serialize)]
struct WebhookBody<'a> {
    id: &'a str,
    url: &'a str,
    enabled: bool,
    created_at: Timestamp,
}

impl<'a> From<&'a WebhookRow> for WebhookBody<'a> {
    fn from(row: &'a WebhookRow) -> Self {
        WebhookBody {
            id: &row.id,
            url: &row.url,
            enabled: row.enabled != 0,
            created_at: Timestamp::from_millis(row.created_at),
        }
    }
}

/// One delivery as the API shows it (`WebhookDelivery` in openapi.json): not its payload.
#[derive(Serialize)]
struct DeliveryBody<'a> {
    id: &'a str,
    event: &'a str,
    #[serde(flatten)]
    state: QueueBody<'a>,
}

impl<'a> From<&'a DeliveryRow> for DeliveryBody<'a> {
    fn from(row: &'a DeliveryRow) -> Self {
        DeliveryBody { id: &row.id, event: &row.event, state: QueueBody::from(&row.state) }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WebhookInput {
    url: Option<String>,
}

pub async fn list<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let rows = webhooks::list(call.rt.db(), tenant).await?;
    Ok(ok(&json!({ "webhooks": rows.iter().map(WebhookBody::from).collect::<Vec<_>>() })))
}

/// Adds an endpoint and shows its signing secret this once (`rules::create`).
pub async fn create<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let input: WebhookInput = call.json()?;
    let made = rules::create(call.rt, tenant, &call.actor(), input.url.as_deref()).await?;
    Ok(created(&json!({ "webhook": WebhookBody::from(&made.webhook), "secret": made.secret })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateInput {
    enabled: Option<bool>,
}

/// Turns an endpoint off (say, while the help desk is migrated) or on again.
pub async fn update<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("webhook_id", WebhookId::parse)?;
    let pre = Precondition::of(call.req)?;
    let input: UpdateInput = call.json()?;
    let updated = rules::set_enabled(call.rt, (tenant, id), &call.actor(), input.enabled, &pre).await;
    versions::answer(updated.map(|row| tagged(ok(&json!({ "webhook": WebhookBody::from(&row) })), row.version)))
}

pub async fn delete<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("webhook_id", WebhookId::parse)?;
    let pre = Precondition::of(call.req)?;
    versions::answer(rules::delete(call.rt, (tenant, id), &call.actor(), &pre).await.map(|()| no_content()))
}

pub async fn list_deliveries<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("webhook_id", WebhookId::parse)?;
    webhooks::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    let rows = webhooks::list_deliveries(call.rt.db(), tenant, id, page_limit(call.req)?).await?;
    Ok(ok(&json!({ "deliveries": rows.iter().map(DeliveryBody::from).collect::<Vec<_>>() })))
}
