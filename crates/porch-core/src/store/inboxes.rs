//! Inboxes: where a tenant's tickets arrive; customers' new tickets and replies in an inbox
//! are delivered to its notification address.

use serde::Deserialize;
use serde_json::json;

use super::audit::{Actor, Change};
use super::portals::TicketTarget;
use super::versions::{write_guarded, write_guarded_after};
use super::{write_audited, Database, DbError, Statement};
use crate::params;
use porch_types::email::Email;
use porch_types::ids::{InboxId, TenantId};
use porch_types::text::Label;
use porch_types::time::Timestamp;

#[derive(Clone, Debug, Deserialize)]
pub struct InboxRow {
    pub id: String,
    pub name: String,
    pub notify_email: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

impl InboxRow {
    fn summary(&self) -> serde_json::Value {
        json!({ "name": self.name, "notify_email": self.notify_email })
    }
}

/// An inbox's settings, written whole by create and update.
pub struct InboxSettings {
    pub name: Label,
    pub notify_email: Option<Email>,
}

impl InboxSettings {
    fn summary(&self) -> serde_json::Value {
        json!({ "name": self.name.as_str(), "notify_email": self.notify_email.as_ref().map(Email::as_str) })
    }
}

pub async fn create(
    db: &impl Database,
    tenant: TenantId,
    id: InboxId,
    settings: &InboxSettings,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change = Change::new(tenant, actor, "inbox.create", "inbox", id.to_db()).after(settings.summary());
    write_audited(
        db,
        Statement::new(
            "INSERT INTO inboxes (id, tenant_id, name, notify_email, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![
                id.to_db(),
                tenant.to_db(),
                settings.name.as_str(),
                settings.notify_email.as_ref().map(Email::as_str),
                now.millis()
            ],
        ),
        &change,
        now,
    )
    .await
}

pub async fn update(
    db: &impl Database,
    tenant: TenantId,
    current: &InboxRow,
    settings: &InboxSettings,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let change = Change::new(tenant, actor, "inbox.update", "inbox", current.id.clone())
        .before(current.summary())
        .after(settings.summary());
    write_guarded(
        db,
        Statement::new(
            "UPDATE inboxes SET name = ?3, notify_email = ?4, updated_at = ?5
             WHERE tenant_id = ?1 AND id = ?2 AND version = ?6",
            params![
                tenant.to_db(),
                current.id.clone(),
                settings.name.as_str(),
                settings.notify_email.as_ref().map(Email::as_str),
                now.millis(),
                current.version
            ],
        ),
        &change,
        now,
    )
    .await
}

pub async fn delete(
    db: &impl Database,
    tenant: TenantId,
    current: &InboxRow,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let change = Change::new(tenant, actor, "inbox.delete", "inbox", current.id.clone()).before(current.summary());
    // Its tickets stay, out of any inbox; portals whose support form filed into it file
    // into none (the column has no foreign key to do this for us). All only while the
    // inbox has the version the delete replaces.
    write_guarded_after(
        db,
        vec![
            Statement::new(
                "UPDATE tickets SET inbox_id = NULL WHERE tenant_id = ?1 AND inbox_id = ?2
                   AND EXISTS (SELECT 1 FROM inboxes WHERE tenant_id = ?1 AND id = ?2 AND version = ?3)",
                params![tenant.to_db(), current.id.clone(), current.version],
            ),
            super::portals::release_ticket_target(tenant, TicketTarget::Inbox(&current.id), current.version, now),
        ],
        Statement::new(
            "DELETE FROM inboxes WHERE tenant_id = ?1 AND id = ?2 AND version = ?3",
            params![tenant.to_db(), current.id.clone(), current.version],
        ),
        &change,
        now,
    )
    .await
}

pub async fn list(db: &impl Database, tenant: TenantId) -> Result<Vec<InboxRow>, DbError> {
    db.query(list_statement(tenant)).await
}

/// `list`'s statement, for a batch of reads.
pub fn list_statement(tenant: TenantId) -> Statement {
    Statement::new(
        "SELECT id, name, notify_email, created_at, updated_at, version FROM inboxes WHERE tenant_id = ?1
         ORDER BY name, id",
        params![tenant.to_db()],
    )
}

pub async fn get(db: &impl Database, tenant: TenantId, id: InboxId) -> Result<Option<InboxRow>, DbError> {
    db.query_one(Statement::new(
        "SELECT id, name, notify_email, created_at, updated_at, version FROM inboxes WHERE tenant_id = ?1 AND id = ?2",
        params![tenant.to_db(), id.to_db()],
    ))
    .await
}
