//! The assets themselves: read by the provider's key, created and replaced whole (a PUT),
//! listed in key order, deleted, and given a photo. Every write is audited.

use serde::Deserialize;
use serde_json::json;

use super::rollups;
use crate::params;
use crate::store::audit::{Actor, Change};
use crate::store::versions::write_guarded;
use crate::store::{decode_rows, write_audited, write_audited_then, Database, DbError, Statement, Value};
use porch_types::equipment::{AssetDetails, AssetKey, PhotoFormat};
use porch_types::ids::{AssetId, BusinessUnitId, CustomerId, TenantId};
use porch_types::text::Label;
use porch_types::time::Timestamp;

/// An asset as stored.
#[derive(Clone, Debug, Deserialize)]
pub struct AssetRow {
    pub id: AssetId,
    pub asset_key: String,
    pub name: String,
    pub serial_number: Option<String>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub asset_type: Option<String>,
    pub customer_id: Option<CustomerId>,
    pub business_unit_id: Option<BusinessUnitId>,
    pub photo_key: Option<String>,
    pub photo_type: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

impl AssetRow {
    /// The audit summary: the fields an agent sets, not the photo's key.
    fn summary(&self) -> serde_json::Value {
        json!({
            "key": self.asset_key,
            "name": self.name,
            "serial_number": self.serial_number,
            "make": self.make,
            "model": self.model,
            "type": self.asset_type,
            "customer_id": self.customer_id,
            "business_unit_id": self.business_unit_id,
        })
    }
}

/// What an upsert sets: the texts and the owner side (a customer, optionally one of its units;
/// the caller has checked the unit is the customer's, and the schema holds it to that too).
pub struct AssetInput {
    pub details: AssetDetails,
    pub customer: Option<CustomerId>,
    pub unit: Option<BusinessUnitId>,
}

fn label(value: Option<&Label>) -> Option<String> {
    value.map(|l| l.as_str().to_owned())
}

impl AssetInput {
    fn summary(&self, key: &str) -> serde_json::Value {
        let d = &self.details;
        json!({
            "key": key,
            "name": d.name.as_str(),
            "serial_number": d.serial_number.as_ref().map(Label::as_str),
            "make": d.make.as_ref().map(Label::as_str),
            "model": d.model.as_ref().map(Label::as_str),
            "type": d.asset_type.as_ref().map(Label::as_str),
            "customer_id": self.customer.map(CustomerId::to_db),
            "business_unit_id": self.unit.map(BusinessUnitId::to_db),
        })
    }

    /// The values of the columns a PUT writes, in the order create and update bind them:
    /// name, serial number, make, model, type, customer, business unit.
    fn column_values(&self) -> Vec<Value> {
        let d = &self.details;
        params![
            d.name.as_str(),
            label(d.serial_number.as_ref()),
            label(d.make.as_ref()),
            label(d.model.as_ref()),
            label(d.asset_type.as_ref()),
            self.customer.map(CustomerId::to_db),
            self.unit.map(BusinessUnitId::to_db)
        ]
    }
}

fn get_statement(tenant: TenantId, key: &AssetKey) -> Statement {
    Statement::new(
        "SELECT id, asset_key, name, serial_number, make, model, asset_type, customer_id, business_unit_id,
                photo_key, photo_type, created_at, updated_at, version
         FROM assets WHERE tenant_id = ?1 AND asset_key = ?2",
        params![tenant.to_db(), key.as_str()],
    )
}

pub async fn get(db: &impl Database, tenant: TenantId, key: &AssetKey) -> Result<Option<AssetRow>, DbError> {
    db.query_one(get_statement(tenant, key)).await
}

/// A zone an asset's rollups are kept in (`rollups`).
#[derive(Deserialize)]
struct RollupZone {
    zone: String,
}

/// The asset with its rollup zones, in one round trip: what an ingest needs.
pub async fn get_with_zones(
    db: &impl Database,
    tenant: TenantId,
    key: &AssetKey,
) -> Result<Option<(AssetRow, Vec<String>)>, DbError> {
    let mut results = db
        .read_batch(vec![get_statement(tenant, key), rollups::zones_of_asset(tenant, key.as_str())])
        .await?
        .into_iter();
    let Some(row) = decode_rows::<AssetRow>(results.next())?.into_iter().next() else {
        return Ok(None);
    };
    let zones = decode_rows::<RollupZone>(results.next())?.into_iter().map(|z| z.zone).collect();
    Ok(Some((row, zones)))
}

pub async fn create(
    db: &impl Database,
    tenant: TenantId,
    id: AssetId,
    key: &AssetKey,
    input: &AssetInput,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change = Change::new(tenant, actor, "asset.create", "asset", id.to_db()).after(input.summary(key.as_str()));
    let mut values = params![id.to_db(), tenant.to_db(), key.as_str()];
    values.extend(input.column_values());
    values.extend(params![now.millis()]);
    write_audited_then(
        db,
        Statement::new(
            "INSERT INTO assets (id, tenant_id, asset_key, name, serial_number, make, model, asset_type,
                                 customer_id, business_unit_id, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
            values,
        ),
        &change,
        vec![rollups::register_new_asset(tenant, id)],
        now,
    )
    .await
}

/// Replaces an asset's texts and owner side (a PUT is the whole asset; the photo stays), if
/// it still has `current.version`; false: it changed or went, and nothing was written.
pub async fn update(
    db: &impl Database,
    tenant: TenantId,
    current: &AssetRow,
    input: &AssetInput,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let change = Change::new(tenant, actor, "asset.update", "asset", current.id.to_db())
        .before(current.summary())
        .after(input.summary(&current.asset_key));
    let mut values = params![tenant.to_db(), current.id.to_db()];
    values.extend(input.column_values());
    values.extend(params![now.millis(), current.version]);
    write_guarded(
        db,
        Statement::new(
            "UPDATE assets SET name = ?3, serial_number = ?4, make = ?5, model = ?6, asset_type = ?7,
                               customer_id = ?8, business_unit_id = ?9, updated_at = ?10
             WHERE tenant_id = ?1 AND id = ?2 AND version = ?11",
            values,
        ),
        &change,
        now,
    )
    .await
}

/// Which assets a listing shows.
#[derive(Clone, Copy, Debug, Default)]
pub struct AssetFilter {
    pub customer: Option<CustomerId>,
    pub unit: Option<BusinessUnitId>,
}

/// A page of assets in key order, after `after` (the last key of the previous page).
pub async fn list(
    db: &impl Database,
    tenant: TenantId,
    filter: AssetFilter,
    after: Option<&AssetKey>,
    limit: i64,
) -> Result<Vec<AssetRow>, DbError> {
    db.query(Statement::new(
        "SELECT id, asset_key, name, serial_number, make, model, asset_type, customer_id, business_unit_id,
                photo_key, photo_type, created_at, updated_at, version
         FROM assets
         WHERE tenant_id = ?1 AND (?2 IS NULL OR customer_id = ?2) AND (?3 IS NULL OR business_unit_id = ?3)
           AND (?4 IS NULL OR asset_key > ?4)
         ORDER BY asset_key LIMIT ?5",
        params![
            tenant.to_db(),
            filter.customer.map(CustomerId::to_db),
            filter.unit.map(BusinessUnitId::to_db),
            after.map(AssetKey::as_str),
            limit
        ],
    ))
    .await
}

/// Deletes an asset with its activity and shares (ON DELETE CASCADE). The caller deletes the
/// photo object after this succeeds. Only over `current.version`; false: nothing deleted.
pub async fn delete(
    db: &impl Database,
    tenant: TenantId,
    current: &AssetRow,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let change = Change::new(tenant, actor, "asset.delete", "asset", current.id.to_db()).before(current.summary());
    write_guarded(
        db,
        Statement::new(
            "DELETE FROM assets WHERE tenant_id = ?1 AND id = ?2 AND version = ?3",
            params![tenant.to_db(), current.id.to_db(), current.version],
        ),
        &change,
        now,
    )
    .await
}

/// Points the asset at a new photo object (already in R2).
pub async fn set_photo(
    db: &impl Database,
    tenant: TenantId,
    current: &AssetRow,
    object_key: &str,
    format: PhotoFormat,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change = Change::new(tenant, actor, "asset.photo", "asset", current.id.to_db())
        .before(json!({ "photo": current.photo_type }))
        .after(json!({ "photo": format.content_type() }));
    write_audited(
        db,
        Statement::new(
            "UPDATE assets SET photo_key = ?3, photo_type = ?4, updated_at = ?5 WHERE tenant_id = ?1 AND id = ?2",
            params![tenant.to_db(), current.id.to_db(), object_key, format.content_type(), now.millis()],
        ),
        &change,
        now,
    )
    .await
}

#[derive(Deserialize)]
struct UnitOwner {
    customer_id: CustomerId,
}

/// The customer a business unit of this tenant belongs to; None when the tenant has no such unit.
pub async fn unit_customer(
    db: &impl Database,
    tenant: TenantId,
    unit: BusinessUnitId,
) -> Result<Option<CustomerId>, DbError> {
    let row: Option<UnitOwner> = db
        .query_one(Statement::new(
            "SELECT customer_id FROM business_units WHERE tenant_id = ?1 AND id = ?2",
            params![tenant.to_db(), unit.to_db()],
        ))
        .await?;
    Ok(row.map(|r| r.customer_id))
}
