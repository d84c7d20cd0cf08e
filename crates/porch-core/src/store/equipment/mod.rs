//! Equipment: a tenant's assets (addressed by the provider's own key), their activity,
//! ingested in idempotent batches, and the shares that show an asset to a customer for a
//! time window. What a customer may see is decided here, in SQL, never after the read.
//! One module per job: the assets themselves, their activity as agents send and read it, the
//! shares, what a customer's recipients see, their reports, and the rollups of activity per
//! local day that make a report's past cheap.

mod activity;
mod assets;
mod positions;
mod reports;
mod rollups;
mod shares;
mod visibility;

pub use activity::{activity, ingest, ActivityRange, ActivityRow, Ingested};
pub use assets::{
    create, delete, get, get_with_zones, list, set_photo, unit_customer, update, AssetFilter, AssetInput, AssetRow,
};
pub use reports::{viewer_asset_usage, viewer_fleet_usage, AssetUsage};
pub use rollups::{catch_up as catch_up_rollups, rebuild, zone_key, RebuildRow, REBUILD_PLAN};
pub use shares::{create_share, delete_share, get_share, list_shares, ShareRow};
pub(crate) use visibility::share_in_force;
pub(in crate::store) use visibility::FAR_FUTURE;
pub use visibility::{
    viewer_asset, viewer_asset_page, viewer_fleet_groups, viewer_fleet_page, AssetPage, FleetCursor, FleetGroup,
    SharedAsset,
};
