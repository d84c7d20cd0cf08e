//! A tenant's custom ticket properties, beside the built-in ticket fields.

use serde::Deserialize;
use serde_json::json;

use super::audit::{Actor, Change};
use super::{write_audited, write_audited_after, Database, DbError, Statement};
use crate::params;
use porch_types::ids::{PropertyId, TenantId};
use porch_types::text::Label;
use porch_types::tickets::PropertyKind;
use porch_types::time::Timestamp;

#[derive(Clone, Debug, Deserialize)]
pub struct PropertyRow {
    pub id: String,
    pub key: String,
    pub label: String,
    pub kind: String,
    pub choices_json: String,
    pub created_at: i64,
}

pub struct NewProperty<'a> {
    pub key: &'a str,
    pub label: &'a Label,
    pub kind: &'a PropertyKind,
}

pub async fn create(
    db: &impl Database,
    tenant: TenantId,
    id: PropertyId,
    property: &NewProperty<'_>,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let choices = match property.kind {
        PropertyKind::Choice(values) => json!(values),
        PropertyKind::Text | PropertyKind::Number => json!([]),
    };
    let change = Change::new(tenant, actor, "ticket_property.create", "ticket_property", id.to_db()).after(json!({
        "key": property.key, "label": property.label.as_str(), "kind": property.kind.code(), "choices": choices,
    }));
    write_audited(
        db,
        Statement::new(
            "INSERT INTO ticket_properties (id, tenant_id, key, label, kind, choices_json, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id.to_db(),
                tenant.to_db(),
                property.key,
                property.label.as_str(),
                property.kind.code(),
                choices.to_string(),
                now.millis()
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
    current: &PropertyRow,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change = Change::new(tenant, actor, "ticket_property.delete", "ticket_property", current.id.clone())
        .before(json!({ "key": current.key, "label": current.label, "kind": current.kind }));
    // The property's values go with it, so a key reused later never meets old values.
    // Keys are `[a-z][a-z0-9_]*`, so the JSON path needs no quoting.
    write_audited_after(
        db,
        vec![Statement::new(
            "UPDATE tickets SET properties_json = json_remove(properties_json, '$.' || ?2)
             WHERE tenant_id = ?1 AND json_type(properties_json, '$.' || ?2) IS NOT NULL",
            params![tenant.to_db(), current.key.clone()],
        )],
        Statement::new(
            "DELETE FROM ticket_properties WHERE tenant_id = ?1 AND id = ?2",
            params![tenant.to_db(), current.id.clone()],
        ),
        &change,
        now,
    )
    .await
}

/// The names of the tenant's portals whose ticket settings name the property `key`, in a
/// rule or as a support form field. A rule on a property that no longer exists would hide
/// every ticket, so such a property is not deleted (`api::ticket_setup`).
pub async fn used_by_portals(db: &impl Database, tenant: TenantId, key: &str) -> Result<Vec<String>, DbError> {
    #[derive(Deserialize)]
    struct Named {
        name: String,
    }
    let rows: Vec<Named> = db
        .query(Statement::new(
            "SELECT p.name FROM portals p WHERE p.tenant_id = ?1 AND (
               EXISTS (SELECT 1 FROM json_each(p.ticket_rules_json, '$.properties') r
                       WHERE json_extract(r.value, '$.key') = ?2)
               OR EXISTS (SELECT 1 FROM json_each(p.support_form_json) f
                          WHERE json_extract(f.value, '$.property') = ?2))
             ORDER BY p.name",
            params![tenant.to_db(), key],
        ))
        .await?;
    Ok(rows.into_iter().map(|row| row.name).collect())
}

pub async fn list(db: &impl Database, tenant: TenantId) -> Result<Vec<PropertyRow>, DbError> {
    db.query(list_statement(tenant)).await
}

/// `list`'s statement, for a batch of reads.
pub fn list_statement(tenant: TenantId) -> Statement {
    Statement::new(
        "SELECT id, key, label, kind, choices_json, created_at FROM ticket_properties WHERE tenant_id = ?1 ORDER BY key",
        params![tenant.to_db()],
    )
}

pub async fn get(db: &impl Database, tenant: TenantId, id: PropertyId) -> Result<Option<PropertyRow>, DbError> {
    db.query_one(Statement::new(
        "SELECT id, key, label, kind, choices_json, created_at FROM ticket_properties WHERE tenant_id = ?1 AND id = ?2",
        params![tenant.to_db(), id.to_db()],
    ))
    .await
}

impl PropertyRow {
    /// The stored kind with its choices (None only if the row was written by something else).
    pub fn kind(&self) -> Option<PropertyKind> {
        let choices: Vec<String> = serde_json::from_str(&self.choices_json).ok()?;
        let choices = (self.kind == "choice").then_some(choices);
        PropertyKind::parse(&self.kind, choices.as_deref()).ok()
    }
}
