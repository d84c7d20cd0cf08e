//! Webhook endpoints through the admin API: add one (its signing secret is shown this once),
//! list, turn off and on, delete them, and read an endpoint's recent deliveries.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::Reach;
use super::emails::QueueBody;
use super::input::Fields;
use super::versions::{self, tagged, Precondition};
use super::{created, no_content, ok, page_limit, Call};
use crate::auth::secret::random_text;
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::webhooks::{self, DeliveryRow, WebhookRow};
use porch_types::error::AppError;
use porch_types::ids::WebhookId;
use porch_types::time::Timestamp;
use porch_types::url::HttpsUrl;

/// Signing secrets start with this, so a leaked one is recognisable (as API keys are).
pub const SECRET_PREFIX: &str = "porch_whsec_";
/// Every event is sent to every endpoint: a bounded number per tenant.
const MAX_WEBHOOKS_PER_TENANT: usize = 10;

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

/// Adds an endpoint and shows its signing secret this once. It is stored as it is (signing
/// needs it) but never listed again: a provider who loses it deletes the endpoint and adds
/// it anew.
pub async fn create<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let input: WebhookInput = call.json()?;
    let mut fields = Fields::default();
    let url = fields.require("url", input.url.as_deref(), HttpsUrl::parse);
    fields.finish()?;
    let url = url.ok_or_else(|| AppError::Internal("webhook url after validation".into()))?;
    if webhooks::list(call.rt.db(), tenant).await?.len() >= MAX_WEBHOOKS_PER_TENANT {
        return Err(AppError::Conflict(format!("a tenant has at most {MAX_WEBHOOKS_PER_TENANT} webhooks")));
    }
    let id = WebhookId::from_random(call.rt.random_16()?);
    let secret = format!("{SECRET_PREFIX}{}", random_text(call.rt)?);
    webhooks::create(call.rt.db(), tenant, id, &url, &secret, &call.actor(), call.rt.now()).await?;
    let row = webhooks::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    Ok(created(&json!({ "webhook": WebhookBody::from(&row), "secret": secret })))
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
    versions::write(async || {
        let current = webhooks::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        if let Some(enabled) = input.enabled.filter(|on| *on != (current.enabled != 0)) {
            if !webhooks::set_enabled(call.rt.db(), tenant, &current, enabled, &call.actor(), call.rt.now()).await? {
                return Ok(None);
            }
        }
        let row = webhooks::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        Ok(Some(tagged(ok(&json!({ "webhook": WebhookBody::from(&row) })), row.version)))
    })
    .await
}

pub async fn delete<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("webhook_id", WebhookId::parse)?;
    let pre = Precondition::of(call.req)?;
    versions::write(async || {
        let current = webhooks::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        let deleted = webhooks::delete(call.rt.db(), tenant, &current, &call.actor(), call.rt.now()).await?;
        Ok(deleted.then(no_content))
    })
    .await
}

pub async fn list_deliveries<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("webhook_id", WebhookId::parse)?;
    webhooks::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    let rows = webhooks::list_deliveries(call.rt.db(), tenant, id, page_limit(call.req)?).await?;
    Ok(ok(&json!({ "deliveries": rows.iter().map(DeliveryBody::from).collect::<Vec<_>>() })))
}
