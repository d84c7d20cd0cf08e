//! A tenant's webhook endpoints, the rules written once for the admin API (`createWebhook`,
//! `updateWebhook`, `deleteWebhook`) and the console's Webhooks tab: an https endpoint (at
//! most 10 a tenant), its signing secret made here and shown once, turned off and on, deleted,
//! each write guarded by the endpoint's version.

use crate::app::input::Fields;
use crate::app::versions::{retry, Precondition};
use crate::auth::secret::random_text;
use crate::runtime::Runtime;
use crate::store::audit::Actor;
use crate::store::webhooks::{self, WebhookRow};
use porch_types::error::AppError;
use porch_types::ids::{TenantId, WebhookId};
use porch_types::url::HttpsUrl;

/// Signing secrets start with this, so a leaked one is recognisable (as API keys are).
pub const SECRET_PREFIX: &str = "porch_whsec_";
/// Every event is sent to every endpoint: a bounded number per tenant.
const MAX_WEBHOOKS_PER_TENANT: usize = 10;

/// An endpoint just added, and its signing secret, shown this once.
pub struct NewEndpoint {
    pub webhook: WebhookRow,
    pub secret: String,
}

/// Adds an endpoint. Its secret is stored as it is (signing needs it) but never shown again:
/// a provider who loses it deletes the endpoint and adds it anew.
pub async fn create<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    actor: &Actor,
    raw_url: Option<&str>,
) -> Result<NewEndpoint, AppError> {
    let mut fields = Fields::default();
    let url = fields.require("url", raw_url, HttpsUrl::parse);
    fields.finish()?;
    let url = url.ok_or_else(|| AppError::Internal("webhook url after validation".into()))?;
    if webhooks::list(rt.db(), tenant).await?.len() >= MAX_WEBHOOKS_PER_TENANT {
        return Err(AppError::Conflict(format!("a tenant has at most {MAX_WEBHOOKS_PER_TENANT} webhooks")));
    }
    let id = WebhookId::from_random(rt.random_16()?);
    let secret = format!("{SECRET_PREFIX}{}", random_text(rt)?);
    webhooks::create(rt.db(), tenant, id, &url, &secret, actor, rt.now()).await?;
    let webhook = webhooks::get(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    Ok(NewEndpoint { webhook, secret })
}

/// Turns an endpoint off (say, while the help desk is migrated) or on again; the endpoint
/// as it then is.
pub async fn set_enabled<R: Runtime>(
    rt: &R,
    (tenant, id): (TenantId, WebhookId),
    actor: &Actor,
    enabled: Option<bool>,
    pre: &Precondition,
) -> Result<WebhookRow, AppError> {
    retry(async || {
        let current = webhooks::get(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        if let Some(enabled) = enabled.filter(|on| *on != (current.enabled != 0)) {
            if !webhooks::set_enabled(rt.db(), tenant, &current, enabled, actor, rt.now()).await? {
                return Ok(None);
            }
        }
        Ok(Some(webhooks::get(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?))
    })
    .await
}

pub async fn delete<R: Runtime>(
    rt: &R,
    (tenant, id): (TenantId, WebhookId),
    actor: &Actor,
    pre: &Precondition,
) -> Result<(), AppError> {
    retry(async || {
        let current = webhooks::get(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        Ok(webhooks::delete(rt.db(), tenant, &current, actor, rt.now()).await?.then_some(()))
    })
    .await
}
