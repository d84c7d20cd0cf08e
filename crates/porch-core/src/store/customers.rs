//! Customers (recipient companies) of a tenant and their business units.

use serde::Deserialize;
use serde_json::json;

use super::audit::{Actor, Change};
use super::versions::write_guarded;
use super::{write_audited, Database, DbError, Statement};
use crate::params;
use porch_types::ids::{BusinessUnitId, CustomerId, TenantId};
use porch_types::search::NameSearch;
use porch_types::text::Label;
use porch_types::time::Timestamp;

#[derive(Clone, Debug, Deserialize)]
pub struct CustomerRow {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct UnitRow {
    pub id: String,
    pub customer_id: String,
    pub name: String,
    pub created_at: i64,
}

pub async fn create(
    db: &impl Database,
    tenant: TenantId,
    id: CustomerId,
    name: &Label,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change =
        Change::new(tenant, actor, "customer.create", "customer", id.to_db()).after(json!({"name": name.as_str()}));
    write_audited(
        db,
        Statement::new(
            "INSERT INTO customers (id, tenant_id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
            params![id.to_db(), tenant.to_db(), name.as_str(), now.millis()],
        ),
        &change,
        now,
    )
    .await
}

/// The tenant's customers, by name; with `search`, only those whose name holds it.
pub async fn list(
    db: &impl Database,
    tenant: TenantId,
    search: Option<&NameSearch>,
) -> Result<Vec<CustomerRow>, DbError> {
    Ok(matching(db.query(list_statement(tenant)).await?, search))
}

/// Every customer of the tenant, by name: `list`'s statement, for a batch of reads.
pub fn list_statement(tenant: TenantId) -> Statement {
    Statement::new(
        "SELECT id, name, created_at, updated_at, version FROM customers WHERE tenant_id = ?1 ORDER BY name, id",
        params![tenant.to_db()],
    )
}

/// The rows whose name holds `search` (all of them without one). In Rust, not SQL: `SQLite`'s
/// `lower` folds ASCII only, and a provider's customers are named in Danish and Norwegian too.
pub fn matching(rows: Vec<CustomerRow>, search: Option<&NameSearch>) -> Vec<CustomerRow> {
    match search {
        Some(search) => rows.into_iter().filter(|row| search.matches(&row.name)).collect(),
        None => rows,
    }
}

pub async fn get(db: &impl Database, tenant: TenantId, id: CustomerId) -> Result<Option<CustomerRow>, DbError> {
    db.query_one(get_statement(tenant, id)).await
}

/// `get`'s statement, for a batch of reads.
pub fn get_statement(tenant: TenantId, id: CustomerId) -> Statement {
    Statement::new(
        "SELECT id, name, created_at, updated_at, version FROM customers WHERE tenant_id = ?1 AND id = ?2",
        params![tenant.to_db(), id.to_db()],
    )
}

/// Renames the customer if it still has `current.version`; false: it changed or went.
pub async fn rename(
    db: &impl Database,
    tenant: TenantId,
    current: &CustomerRow,
    name: &Label,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let change = Change::new(tenant, actor, "customer.update", "customer", current.id.clone())
        .before(json!({"name": current.name}))
        .after(json!({"name": name.as_str()}));
    write_guarded(
        db,
        Statement::new(
            "UPDATE customers SET name = ?3, updated_at = ?4 WHERE tenant_id = ?1 AND id = ?2 AND version = ?5",
            params![tenant.to_db(), current.id.clone(), name.as_str(), now.millis(), current.version],
        ),
        &change,
        now,
    )
    .await
}

/// Deletes a customer and its business units if it still has `current.version`; refused
/// (constraint) while a portal is theirs; false: it changed or went.
pub async fn delete(
    db: &impl Database,
    tenant: TenantId,
    current: &CustomerRow,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let change = Change::new(tenant, actor, "customer.delete", "customer", current.id.clone())
        .before(json!({"name": current.name}));
    write_guarded(
        db,
        Statement::new(
            "DELETE FROM customers WHERE tenant_id = ?1 AND id = ?2 AND version = ?3",
            params![tenant.to_db(), current.id.clone(), current.version],
        ),
        &change,
        now,
    )
    .await
}

pub async fn create_unit(
    db: &impl Database,
    tenant: TenantId,
    customer: CustomerId,
    id: BusinessUnitId,
    name: &Label,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change = Change::new(tenant, actor, "business_unit.create", "business_unit", id.to_db())
        .after(json!({"customer_id": customer.to_db(), "name": name.as_str()}));
    write_audited(
        db,
        Statement::new(
            "INSERT INTO business_units (id, tenant_id, customer_id, name, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id.to_db(), tenant.to_db(), customer.to_db(), name.as_str(), now.millis()],
        ),
        &change,
        now,
    )
    .await
}

pub async fn list_units(db: &impl Database, tenant: TenantId, customer: CustomerId) -> Result<Vec<UnitRow>, DbError> {
    db.query(units_statement(tenant, customer)).await
}

/// `list_units`' statement, for a batch of reads.
pub fn units_statement(tenant: TenantId, customer: CustomerId) -> Statement {
    Statement::new(
        "SELECT id, customer_id, name, created_at FROM business_units
         WHERE tenant_id = ?1 AND customer_id = ?2 ORDER BY name, id",
        params![tenant.to_db(), customer.to_db()],
    )
}

pub async fn get_unit(
    db: &impl Database,
    tenant: TenantId,
    customer: CustomerId,
    id: BusinessUnitId,
) -> Result<Option<UnitRow>, DbError> {
    db.query_one(Statement::new(
        "SELECT id, customer_id, name, created_at FROM business_units
         WHERE tenant_id = ?1 AND customer_id = ?2 AND id = ?3",
        params![tenant.to_db(), customer.to_db(), id.to_db()],
    ))
    .await
}

pub async fn delete_unit(
    db: &impl Database,
    tenant: TenantId,
    unit: &UnitRow,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change = Change::new(tenant, actor, "business_unit.delete", "business_unit", unit.id.clone())
        .before(json!({"customer_id": unit.customer_id, "name": unit.name}));
    write_audited(
        db,
        Statement::new(
            "DELETE FROM business_units WHERE tenant_id = ?1 AND id = ?2",
            params![tenant.to_db(), unit.id.clone()],
        ),
        &change,
        now,
    )
    .await
}
