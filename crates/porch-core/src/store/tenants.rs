//! Tenants (provider accounts), optionally below a parent organisation.

use serde::Deserialize;
use serde_json::json;

use super::audit::{Actor, Change};
use super::versions::write_guarded_after;
use super::{write_audited_then, Database, DbError, Statement};
use crate::params;
use porch_types::apps::{self, AppSet};
use porch_types::ids::TenantId;
use porch_types::text::{Label, Slug};
use porch_types::time::Timestamp;

#[derive(Clone, Debug, Deserialize)]
pub struct TenantRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub parent_id: Option<String>,
    /// The apps of the tenant's plan: what its portals may offer.
    #[serde(deserialize_with = "apps::from_json_column")]
    pub plan_apps: AppSet,
    /// 1: every portal for one customer, and no customer with two (schema 0021).
    pub one_portal_per_customer: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

/// The name in the message of schema 0021's triggers: a write that would break the tenant's
/// rule of one portal per customer (they raise `one_portal_per_customer constraint failed`).
pub const ONE_PORTAL_RULE: &str = "one_portal_per_customer constraint";

impl TenantRow {
    pub fn one_portal_per_customer(&self) -> bool {
        self.one_portal_per_customer != 0
    }
}

pub struct NewTenant {
    pub id: TenantId,
    pub slug: Slug,
    pub name: Label,
    pub parent: Option<TenantId>,
    pub plan: AppSet,
}

/// `SELECT <tenant columns> FROM tenants <rest>`; the plan comes as one JSON array per tenant.
/// Every reading leaves out a tenant whose erasure was asked for: to the API it is gone.
macro_rules! select_tenants {
    ($rest:literal) => {
        concat!(
            "SELECT id, slug, name, parent_id, one_portal_per_customer, created_at, updated_at, version,
                (SELECT json_group_array(app) FROM tenant_plan_apps pa WHERE pa.tenant_id = tenants.id) AS plan_apps
             FROM tenants ",
            $rest
        )
    };
}

/// Adds the plan's apps a tenant lacks (run with the statement that removes the others);
/// with a version, only while the tenant has it (the guard of the write it comes with).
fn add_plan_apps(id: TenantId, plan: AppSet, version: Option<i64>) -> Statement {
    Statement::new(
        "INSERT OR IGNORE INTO tenant_plan_apps (tenant_id, app) SELECT ?1, value FROM json_each(?2)
         WHERE ?3 IS NULL OR EXISTS (SELECT 1 FROM tenants WHERE id = ?1 AND version = ?3)",
        params![id.to_db(), plan.to_json_text(), version],
    )
}

pub async fn create(db: &impl Database, new: &NewTenant, actor: &Actor, now: Timestamp) -> Result<(), DbError> {
    let change = Change::new(new.id, actor, "tenant.create", "tenant", new.id.to_db()).after(json!({
        "slug": new.slug.as_str(),
        "name": new.name.as_str(),
        "parent_id": new.parent.map(TenantId::to_db),
        "plan_apps": new.plan,
    }));
    // The plan's rows need the tenant's row (foreign key), so they come after it.
    write_audited_then(
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
        vec![add_plan_apps(new.id, new.plan, None)],
        now,
    )
    .await
}

pub async fn get(db: &impl Database, id: TenantId) -> Result<Option<TenantRow>, DbError> {
    db.query_one(get_statement(id)).await
}

/// `get`'s statement, for a batch of reads.
pub fn get_statement(id: TenantId) -> Statement {
    Statement::new(
        select_tenants!(
            "WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM tenant_deletions d WHERE d.tenant_id = tenants.id)"
        ),
        params![id.to_db()],
    )
}

/// Every tenant, for the platform operator.
pub async fn list_all(db: &impl Database) -> Result<Vec<TenantRow>, DbError> {
    db.query(list_all_statement()).await
}

/// `list_all`'s statement, for a batch of reads.
pub fn list_all_statement() -> Statement {
    Statement::new(
        select_tenants!(
            "WHERE NOT EXISTS (SELECT 1 FROM tenant_deletions d WHERE d.tenant_id = tenants.id) ORDER BY created_at, id"
        ),
        Vec::new(),
    )
}

/// A tenant and its direct children: what one tenant key can see of the tenant list.
pub async fn list_family(db: &impl Database, tenant: TenantId) -> Result<Vec<TenantRow>, DbError> {
    db.query(Statement::new(
        select_tenants!("WHERE (id = ?1 OR parent_id = ?1) AND NOT EXISTS (SELECT 1 FROM tenant_deletions d WHERE d.tenant_id = tenants.id) ORDER BY created_at, id"),
        params![tenant.to_db()],
    ))
    .await
}

/// An app the plan would lose while a portal still offers it.
#[derive(Clone, Debug, Deserialize)]
pub struct AppInUse {
    pub app: String,
    pub portal_slug: String,
    pub portal_name: String,
}

/// The portals of the tenant offering an app outside `plan`, by app then portal: what a
/// plan change to `plan` would strand.
pub async fn apps_in_use_outside(db: &impl Database, id: TenantId, plan: AppSet) -> Result<Vec<AppInUse>, DbError> {
    db.query(Statement::new(
        "SELECT pa.app, p.slug AS portal_slug, p.name AS portal_name
         FROM portal_apps pa JOIN portals p ON p.tenant_id = pa.tenant_id AND p.id = pa.portal_id
         WHERE pa.tenant_id = ?1 AND pa.app NOT IN (SELECT value FROM json_each(?2))
         ORDER BY pa.app, p.slug",
        params![id.to_db(), plan.to_json_text()],
    ))
    .await
}

/// What breaks the one-portal-per-customer rule: a customer with more than one portal (its
/// name), or a portal for all customers (`customer` None).
#[derive(Clone, Debug, Deserialize)]
pub struct SharedCustomer {
    pub customer: Option<String>,
    /// The portals' slugs, comma-separated.
    pub portals: String,
}

/// The tenant's breaches of the one-portal-per-customer rule, customers by name and the
/// portals for all customers last: what turning the rule on would leave in place.
pub async fn one_portal_breaches(db: &impl Database, id: TenantId) -> Result<Vec<SharedCustomer>, DbError> {
    db.query(Statement::new(
        "SELECT c.name AS customer, group_concat(p.slug, ', ') AS portals
         FROM portals p LEFT JOIN customers c ON c.tenant_id = p.tenant_id AND c.id = p.customer_id
         WHERE p.tenant_id = ?1
         GROUP BY p.customer_id HAVING p.customer_id IS NULL OR COUNT(*) > 1
         ORDER BY p.customer_id IS NULL, c.name",
        params![id.to_db()],
    ))
    .await
}

/// What a tenant update changes; None keeps the value.
#[derive(Clone, Copy, Debug, Default)]
pub struct TenantChange<'a> {
    pub name: Option<&'a Label>,
    pub plan: Option<AppSet>,
    pub one_portal_per_customer: Option<bool>,
}

/// Renames the tenant, sets its one-portal-per-customer rule and/or replaces its plan, in one
/// batch and only over `tenant.version`; false: the tenant changed or went, and nothing was
/// written. Turning the rule on while a customer has two portals, or a portal is for all
/// customers, fails on a trigger (a constraint: `one_portal_per_customer`). Removing an app a
/// portal still offers fails on `portal_apps`' foreign key (a conflict), so a portal offering
/// an app outside its plan cannot come about even when a portal change races this one. One
/// audit entry: `tenant.plan` for a plan alone, else `tenant.update` with what changed.
pub async fn update(
    db: &impl Database,
    tenant: &TenantRow,
    change: TenantChange<'_>,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let TenantChange { name, plan, one_portal_per_customer } = change;
    let id = TenantId::parse(&tenant.id).ok_or_else(|| DbError::Other("stored tenant id".into()))?;
    let (mut before, mut after) = (serde_json::Map::new(), serde_json::Map::new());
    if let Some(name) = name {
        before.insert("name".into(), json!(tenant.name));
        after.insert("name".into(), json!(name.as_str()));
    }
    if let Some(rule) = one_portal_per_customer {
        before.insert("one_portal_per_customer".into(), json!(tenant.one_portal_per_customer()));
        after.insert("one_portal_per_customer".into(), json!(rule));
    }
    let mut batch = Vec::new();
    if let Some(plan) = plan {
        before.insert("plan_apps".into(), json!(tenant.plan_apps));
        after.insert("plan_apps".into(), json!(plan));
        batch.extend([
            Statement::new(
                "DELETE FROM tenant_plan_apps WHERE tenant_id = ?1 AND app NOT IN (SELECT value FROM json_each(?2))
                   AND EXISTS (SELECT 1 FROM tenants WHERE id = ?1 AND version = ?3)",
                params![id.to_db(), plan.to_json_text(), tenant.version],
            ),
            add_plan_apps(id, plan, Some(tenant.version)),
        ]);
    }
    let action = if name.is_some() || one_portal_per_customer.is_some() { "tenant.update" } else { "tenant.plan" };
    let change = Change::new(id, actor, action, "tenant", tenant.id.clone())
        .before(serde_json::Value::Object(before))
        .after(serde_json::Value::Object(after));
    write_guarded_after(
        db,
        batch,
        Statement::new(
            "UPDATE tenants SET name = COALESCE(?2, name), one_portal_per_customer = COALESCE(?5, one_portal_per_customer),
                updated_at = ?3
             WHERE id = ?1 AND version = ?4",
            params![id.to_db(), name.map(Label::as_str), now.millis(), tenant.version, one_portal_per_customer],
        ),
        &change,
        now,
    )
    .await
}
