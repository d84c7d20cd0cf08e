//! A tenant's webhook endpoints and the deliveries of events to them. An event is queued as
//! one statement of the caller's own atomic batch, fanning out to every enabled endpoint; the
//! scheduled sender claims due deliveries under a lease and settles them like the email outbox.

use crate::store::queue::QueueState;
use serde::Deserialize;
use serde_json::json;

use super::audit::{Actor, Change};
use super::queue::{self, settle_sql, SettleSql};
use super::versions::write_guarded;
use super::{write_audited, Database, DbError, Statement};
use crate::params;
use crate::retry::Outcome;
use porch_types::ids::{TenantId, WebhookEventId, WebhookId};
use porch_types::time::Timestamp;
use porch_types::url::HttpsUrl;
use porch_types::webhooks::WebhookEvent;

/// An endpoint as the API shows it: never its secret.
#[derive(Clone, Debug, Deserialize)]
pub struct WebhookRow {
    pub id: String,
    pub url: String,
    pub enabled: i64,
    pub created_at: i64,
    pub version: i64,
}

/// The audit summary of an endpoint: its URL without the query, where receivers often take
/// a token of their own that the audit log has no need to keep.
fn summary(url: &str) -> serde_json::Value {
    json!({ "url": url.split_once('?').map_or(url, |(front, _)| front) })
}

/// Adds an endpoint, enabled. `secret` is the signing key, stored as given because signing
/// needs it (unlike tokens, which are stored hashed); it never enters the audit log.
pub async fn create(
    db: &impl Database,
    tenant: TenantId,
    id: WebhookId,
    url: &HttpsUrl,
    secret: &str,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change = Change::new(tenant, actor, "webhook.create", "webhook", id.to_db()).after(summary(url.as_str()));
    write_audited(
        db,
        Statement::new(
            "INSERT INTO webhooks (id, tenant_id, url, secret, enabled, created_at) VALUES (?1, ?2, ?3, ?4, 1, ?5)",
            params![id.to_db(), tenant.to_db(), url.as_str(), secret, now.millis()],
        ),
        &change,
        now,
    )
    .await
}

pub async fn list(db: &impl Database, tenant: TenantId) -> Result<Vec<WebhookRow>, DbError> {
    db.query(list_statement(tenant)).await
}

/// `list`'s statement, for a batch of reads.
pub fn list_statement(tenant: TenantId) -> Statement {
    Statement::new(
        "SELECT id, url, enabled, created_at, version FROM webhooks WHERE tenant_id = ?1 ORDER BY created_at, id",
        params![tenant.to_db()],
    )
}

pub async fn get(db: &impl Database, tenant: TenantId, id: WebhookId) -> Result<Option<WebhookRow>, DbError> {
    db.query_one(Statement::new(
        "SELECT id, url, enabled, created_at, version FROM webhooks WHERE tenant_id = ?1 AND id = ?2",
        params![tenant.to_db(), id.to_db()],
    ))
    .await
}

/// Turns an endpoint off or on. Off, new events are not queued for it, and those queued
/// before wait; on again, those are sent and new ones queue again. Only over
/// `current.version`; false: the endpoint changed or went (or already was so).
pub async fn set_enabled(
    db: &impl Database,
    tenant: TenantId,
    current: &WebhookRow,
    enabled: bool,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let change = Change::new(tenant, actor, "webhook.update", "webhook", current.id.clone())
        .before(json!({ "enabled": current.enabled != 0 }))
        .after(json!({ "enabled": enabled }));
    write_guarded(
        db,
        Statement::new(
            "UPDATE webhooks SET enabled = ?3 WHERE tenant_id = ?1 AND id = ?2 AND enabled <> ?3 AND version = ?4",
            params![tenant.to_db(), current.id.clone(), enabled, current.version],
        ),
        &change,
        now,
    )
    .await
}

/// Removes an endpoint. Its deliveries go with it (ON DELETE CASCADE), queued ones included:
/// nothing more is sent to a URL the provider took away, and a run holding one of them under
/// its lease finds nothing left to settle.
pub async fn delete(
    db: &impl Database,
    tenant: TenantId,
    current: &WebhookRow,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let change =
        Change::new(tenant, actor, "webhook.delete", "webhook", current.id.clone()).before(summary(&current.url));
    write_guarded(
        db,
        Statement::new(
            "DELETE FROM webhooks WHERE tenant_id = ?1 AND id = ?2 AND version = ?3",
            params![tenant.to_db(), current.id.clone(), current.version],
        ),
        &change,
        now,
    )
    .await
}

/// The deliveries insert, optionally with a further condition (`$condition` is SQL text of
/// ours). One statement writes a row per enabled endpoint, so it cannot take an id per row
/// from the caller: each id is made in SQL as `<event id>:<webhook id>`, unique because the
/// event id is fresh and random and the webhook id differs per row. The event id part is
/// the same for every endpoint of one event.
macro_rules! insert_deliveries {
    ($condition:literal) => {
        concat!(
            "INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, event, payload_json, status, attempts,
                                             next_attempt_at, created_at)
             SELECT ?1 || ':' || w.id, w.tenant_id, w.id, ?3, ?4, 'queued', 0, ?5, ?5
             FROM webhooks w WHERE w.tenant_id = ?2 AND w.enabled = 1",
            $condition
        )
    };
}

/// Queues `event` for every enabled endpoint of `tenant`, due at once. Add the statement to
/// the batch of the change it reports (a new ticket, a customer's reply, a rating), so the
/// two happen together or not at all. `data` becomes the body's `data` field; the rest of
/// the body (delivery id, event, time) is made from the row when it is sent. A tenant
/// without endpoints gets no rows, at no cost beyond the statement.
pub fn enqueue_event(
    tenant: TenantId,
    event: WebhookEvent,
    data: &serde_json::Value,
    id: WebhookEventId,
    now: Timestamp,
) -> Statement {
    Statement::new(
        insert_deliveries!(""),
        params![id.to_db(), tenant.to_db(), event.code(), data.to_string(), now.millis()],
    )
}

/// An `enqueue_event` statement made conditional: written only if the statement before it in
/// the batch changed a row, so an event about a change that did not happen (a guarded write
/// that found nothing to do) is never sent.
pub fn only_if_changed(queued: Statement) -> Statement {
    Statement { sql: insert_deliveries!(" AND changes() > 0"), ..queued }
}

/// One delivery as the deliveries API shows it: not its payload.
#[derive(Debug, Deserialize)]
pub struct DeliveryRow {
    pub id: String,
    pub event: String,
    #[serde(flatten)]
    pub state: QueueState,
}

/// An endpoint's newest deliveries, newest first.
pub async fn list_deliveries(
    db: &impl Database,
    tenant: TenantId,
    webhook: WebhookId,
    limit: i64,
) -> Result<Vec<DeliveryRow>, DbError> {
    db.query(Statement::new(
        "SELECT id, event, status, attempts, next_attempt_at, last_error, created_at, sent_at
         FROM webhook_deliveries WHERE tenant_id = ?1 AND webhook_id = ?2
         ORDER BY created_at DESC, id DESC LIMIT ?3",
        params![tenant.to_db(), webhook.to_db(), limit],
    ))
    .await
}

/// A delivery claimed for sending, with what its body is made from.
#[derive(Clone, Debug, Deserialize)]
pub struct ClaimedDelivery {
    pub id: String,
    pub tenant_id: String,
    pub webhook_id: String,
    pub event: String,
    pub payload_json: String,
    pub attempts: i64,
    /// The lease, which settling checks is still ours.
    pub next_attempt_at: i64,
    pub created_at: i64,
}

/// Claims up to `limit` due deliveries of every tenant for one sender run, in one statement,
/// as `outbox::claim_due` does (the same lease rules). Deliveries to a disabled endpoint are
/// not due: they wait, queued, until it is enabled again.
pub async fn claim_due(
    db: &impl Database,
    now: Timestamp,
    lease_until: Timestamp,
    limit: i64,
) -> Result<Vec<ClaimedDelivery>, DbError> {
    db.query(Statement::new(
        "UPDATE webhook_deliveries SET next_attempt_at = ?1
         WHERE id IN (SELECT d.id FROM webhook_deliveries d
                      JOIN webhooks w ON w.tenant_id = d.tenant_id AND w.id = d.webhook_id
                      WHERE d.status = 'queued' AND d.next_attempt_at <= ?2 AND w.enabled = 1
                        AND NOT EXISTS (SELECT 1 FROM tenant_deletions x WHERE x.tenant_id = d.tenant_id)
                      ORDER BY d.next_attempt_at LIMIT ?3)
         RETURNING id, tenant_id, webhook_id, event, payload_json, attempts, next_attempt_at, created_at",
        params![lease_until.millis(), now.millis(), limit],
    ))
    .await
}

/// Where a claimed delivery goes and the key it is signed with. No `Debug`: the secret must
/// not reach a log line by accident.
#[derive(Clone, Deserialize)]
pub struct Endpoint {
    pub url: String,
    pub secret: String,
}

/// The endpoint of a claimed delivery, if it is still there and enabled.
pub async fn endpoint(db: &impl Database, delivery: &ClaimedDelivery) -> Result<Option<Endpoint>, DbError> {
    db.query_one(Statement::new(
        "SELECT url, secret FROM webhooks WHERE tenant_id = ?1 AND id = ?2 AND enabled = 1",
        params![delivery.tenant_id.clone(), delivery.webhook_id.clone()],
    ))
    .await
}

const SETTLE: SettleSql = settle_sql!("webhook_deliveries", "");

/// Records an attempt on a claimed delivery, guarded by its lease (see `queue::settle`).
pub fn settle(delivery: &ClaimedDelivery, outcome: &Outcome, now: Timestamp) -> Statement {
    queue::settle(&SETTLE, &delivery.tenant_id, &delivery.id, delivery.next_attempt_at, outcome, now)
}
