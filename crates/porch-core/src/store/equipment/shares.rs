//! Shares: an asset shown to a customer from a date, optionally until one. Created, listed,
//! read and deleted by the provider; what a share shows is `visibility`'s.

use serde::Deserialize;
use serde_json::json;

use super::AssetRow;
use crate::params;
use crate::store::audit::{Actor, Change};
use crate::store::{write_audited, Database, DbError, Statement};
use porch_types::equipment::ShareWindow;
use porch_types::ids::{AssetId, AssetShareId, CustomerId, TenantId};
use porch_types::time::Timestamp;

/// A share as stored, with its asset's key.
#[derive(Clone, Debug, Deserialize)]
pub struct ShareRow {
    pub id: AssetShareId,
    pub asset_id: AssetId,
    pub asset_key: String,
    pub customer_id: CustomerId,
    pub from_at: i64,
    pub until_at: Option<i64>,
    pub created_at: i64,
}

impl ShareRow {
    fn summary(&self) -> serde_json::Value {
        json!({ "asset_key": self.asset_key, "customer_id": self.customer_id, "from": self.from_at, "until": self.until_at })
    }
}

#[allow(clippy::too_many_arguments)] // a unit of work: who, what, with whom, when, audited
pub async fn create_share(
    db: &impl Database,
    tenant: TenantId,
    id: AssetShareId,
    asset: &AssetRow,
    customer: CustomerId,
    window: ShareWindow,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let until = window.until().map(Timestamp::millis);
    let change = Change::new(tenant, actor, "asset_share.create", "asset_share", id.to_db()).after(json!({
        "asset_key": asset.asset_key, "customer_id": customer.to_db(), "from": window.from().millis(), "until": until,
    }));
    write_audited(
        db,
        Statement::new(
            "INSERT INTO asset_shares (id, tenant_id, asset_id, customer_id, from_at, until_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id.to_db(),
                tenant.to_db(),
                asset.id.to_db(),
                customer.to_db(),
                window.from().millis(),
                until,
                now.millis()
            ],
        ),
        &change,
        now,
    )
    .await
}

pub async fn list_shares(db: &impl Database, tenant: TenantId, asset: &AssetRow) -> Result<Vec<ShareRow>, DbError> {
    db.query(Statement::new(
        "SELECT s.id, s.asset_id, a.asset_key, s.customer_id, s.from_at, s.until_at, s.created_at
         FROM asset_shares s JOIN assets a ON a.tenant_id = s.tenant_id AND a.id = s.asset_id
         WHERE s.tenant_id = ?1 AND s.asset_id = ?2 ORDER BY s.from_at, s.id",
        params![tenant.to_db(), asset.id.to_db()],
    ))
    .await
}

pub async fn get_share(
    db: &impl Database,
    tenant: TenantId,
    asset: &AssetRow,
    id: AssetShareId,
) -> Result<Option<ShareRow>, DbError> {
    db.query_one(Statement::new(
        "SELECT s.id, s.asset_id, a.asset_key, s.customer_id, s.from_at, s.until_at, s.created_at
         FROM asset_shares s JOIN assets a ON a.tenant_id = s.tenant_id AND a.id = s.asset_id
         WHERE s.tenant_id = ?1 AND s.asset_id = ?2 AND s.id = ?3",
        params![tenant.to_db(), asset.id.to_db(), id.to_db()],
    ))
    .await
}

pub async fn delete_share(
    db: &impl Database,
    tenant: TenantId,
    share: &ShareRow,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change =
        Change::new(tenant, actor, "asset_share.delete", "asset_share", share.id.to_db()).before(share.summary());
    write_audited(
        db,
        Statement::new(
            "DELETE FROM asset_shares WHERE tenant_id = ?1 AND id = ?2",
            params![tenant.to_db(), share.id.to_db()],
        ),
        &change,
        now,
    )
    .await
}
