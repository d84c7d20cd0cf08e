//! An asset's shares, the rules written once for the admin API (`createAssetShare`,
//! `deleteAssetShare`) and the console's Equipment tab: an asset shown to one customer of the
//! tenant from a time, until one (exclusive) when given.

use serde::Deserialize;

use crate::app::input::Fields;
use crate::runtime::Runtime;
use crate::store::audit::Actor;
use crate::store::customers;
use crate::store::equipment::{self, AssetRow, ShareRow};
use porch_types::equipment::{parse_time, ShareWindow};
use porch_types::error::AppError;
use porch_types::ids::{AssetShareId, CustomerId, TenantId};

/// A new share: the customer, and the window as RFC 3339 times.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareInput {
    pub customer_id: Option<String>,
    pub from: Option<String>,
    pub until: Option<String>,
}

/// Shares `asset` of `tenant` as `input` says; the share as stored.
pub async fn create<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    actor: &Actor,
    asset: &AssetRow,
    input: &ShareInput,
) -> Result<ShareRow, AppError> {
    let mut fields = Fields::default();
    let customer = match input.customer_id.as_deref() {
        None => {
            fields.error("customer_id", "is required");
            None
        }
        Some(raw) => match CustomerId::parse(raw) {
            Some(id) if customers::get(rt.db(), tenant, id).await?.is_some() => Some(id),
            _ => {
                fields.error("customer_id", "is not a customer of this tenant");
                None
            }
        },
    };
    let from = fields.require("from", input.from.as_deref(), parse_time);
    let until = input.until.as_deref().and_then(|raw| fields.check("until", parse_time(raw)));
    let window = from.and_then(|from| fields.check("until", ShareWindow::new(from, until)));
    fields.finish()?;
    let (Some(customer), Some(window)) = (customer, window) else {
        return Err(AppError::Internal("share fields after validation".into()));
    };
    let id = AssetShareId::from_random(rt.random_16()?);
    equipment::create_share(rt.db(), tenant, id, asset, customer, window, actor, rt.now()).await?;
    equipment::get_share(rt.db(), tenant, asset, id).await?.ok_or(AppError::NotFound)
}

/// Ends a share of `asset`: the customer no longer sees the asset.
pub async fn delete<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    actor: &Actor,
    asset: &AssetRow,
    id: AssetShareId,
) -> Result<(), AppError> {
    let share = equipment::get_share(rt.db(), tenant, asset, id).await?.ok_or(AppError::NotFound)?;
    equipment::delete_share(rt.db(), tenant, &share, actor, rt.now()).await?;
    Ok(())
}
