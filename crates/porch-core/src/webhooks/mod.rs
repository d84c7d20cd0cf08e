//! Signed webhooks to a tenant's help desk: the events there are, and queuing one as a
//! statement of the batch that makes the change it reports. `delivery` sends them;
//! `signature` signs them.
//!
//! What a receiver gets, per event and enabled endpoint: a POST of
//! `{"id", "event", "created_at", "data"}` with `Porch-Event`, `Porch-Delivery` and
//! `Porch-Signature` headers. Delivery is at least once (a lease that runs out mid-send
//! sends again), so receivers dedupe by the delivery id.

pub mod delivery;
pub mod signature;

use crate::runtime::{Runtime, ServiceError};
use crate::store::{webhooks, Statement};
use porch_types::ids::{TenantId, WebhookEventId};
pub use porch_types::webhooks::WebhookEvent;

/// `event` with `data` for every enabled endpoint of `tenant`, as one statement to add to the
/// batch of the change it reports: the two happen together or not at all. A fresh event id
/// and the time come from the runtime; `store::webhooks::enqueue_event` takes them as
/// arguments, for code that has them already.
pub fn event<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    event: WebhookEvent,
    data: &serde_json::Value,
) -> Result<Statement, ServiceError> {
    let id = WebhookEventId::from_random(rt.random_16()?);
    Ok(webhooks::enqueue_event(tenant, event, data, id, rt.now()))
}
