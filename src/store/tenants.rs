//! Tenants (provider accounts), optionally below a parent organisation.

use serde::Deserialize;
use serde_json::json;

use super::audit::{Actor, Change};
use super::{write_audited, Database, DbError, Statement};
use crate::domain::ids::TenantId;
use crate::domain::text::{Label, Slug};
use crate::domain::time::Timestamp;
use crate::params;

#[derive(Clone, Debug, Deserialize)]
pub struct TenantRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl TenantRow {
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "id": self.id,
            "slug": self.slug,
            "name": self.name,
            "parent_id": self.parent_id,
            "created_at": Timestamp::from_millis(self.created_at),
            "updated_at": Timestamp::from_millis(self.updated_at),
        })
    }
}

pub struct NewTenant {
    pub id: TenantId,
    pub slug: Slug,
    pub name: Label,
    pub parent: Option<TenantId>,
}

pub async fn create(db: &impl Database, new: &NewTenant, actor: &Actor, now: Timestamp) -> Result<(), DbError> {
    let change = Change::new(new.id, actor, "tenant.create", "tenant", new.id.to_db()).after(
        json!({"slug": new.slug.as_str(), "name": new.name.as_str(), "parent_id": new.parent.map(TenantId::to_db)}),
    );
    write_audited(
        db,
        Statement::new(
            "INSERT INTO tenants (id, slug, name, parent_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![
                new.id.to_db(),
                new.slug.as_str(),
                new.name.as_str(),
                new.parent.map(TenantId::to_db),
                now.millis()
            ],
        ),
        &change,
        now,
    )
    .await
}

pub async fn get(db: &impl Database, id: TenantId) -> Result<Option<TenantRow>, DbError> {
    db.query_one(Statement::new(
        "SELECT id, slug, name, parent_id, created_at, updated_at FROM tenants WHERE id = ?1",
        params![id.to_db()],
    ))
    .await
}

/// Every tenant, for the platform operator.
pub async fn list_all(db: &impl Database) -> Result<Vec<TenantRow>, DbError> {
    db.query(Statement::new(
        "SELECT id, slug, name, parent_id, created_at, updated_at FROM tenants ORDER BY created_at, id",
        Vec::new(),
    ))
    .await
}

/// A tenant and its direct children: what one tenant key can see of the tenant list.
pub async fn list_family(db: &impl Database, tenant: TenantId) -> Result<Vec<TenantRow>, DbError> {
    db.query(Statement::new(
        "SELECT id, slug, name, parent_id, created_at, updated_at FROM tenants
         WHERE id = ?1 OR parent_id = ?1 ORDER BY created_at, id",
        params![tenant.to_db()],
    ))
    .await
}

pub async fn rename(
    db: &impl Database,
    id: TenantId,
    tenant: &TenantRow,
    name: &Label,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change = Change::new(id, actor, "tenant.update", "tenant", tenant.id.clone())
        .before(json!({"name": tenant.name}))
        .after(json!({"name": name.as_str()}));
    write_audited(
        db,
        Statement::new(
            "UPDATE tenants SET name = ?2, updated_at = ?3 WHERE id = ?1",
            params![tenant.id.clone(), name.as_str(), now.millis()],
        ),
        &change,
        now,
    )
    .await
}
