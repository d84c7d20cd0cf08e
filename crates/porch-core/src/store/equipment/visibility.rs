//! What a customer's recipients see: the rule of sharing (`share_in_force!`), the fleet
//! shared now with the viewer's customer (`viewer_fleet!`) and an asset's events inside a
//! share's window (`inside_windows!`). Every recipient-side read is built from these texts,
//! here, in `reports` and in `store::fleet_activity` and `store::documents`.

use serde::Deserialize;

use super::activity::ActivityRow;
use super::positions::{pos, Binds};
use super::reports::{fleet_visible_events, of_key, report_fleet};
use crate::store::portal_tickets::shared_params;
use crate::store::{DbError, PortalScope, Statement};
use porch_types::equipment::AssetKey;
use porch_types::ids::{AssetId, BusinessUnitId};
use porch_types::time::Timestamp;

/// A share `$s` (an alias of `asset_shares`) of asset `$asset` with customer `$customer`, in
/// tenant `$tenant`, in force at `$at` (SQL expressions). The one statement of the sharing rule:
/// "shared now" is a share in force at now, and "an event inside a share's window" is a share
/// in force at the event's time.
macro_rules! share_in_force {
    ($s:expr, $tenant:expr, $customer:expr, $asset:expr, $at:expr) => {
        concat!(
            concat!("EXISTS (SELECT 1 FROM asset_shares ", $s, " WHERE ", $s, ".tenant_id = ", $tenant),
            concat!(" AND ", $s, ".customer_id = ", $customer, " AND ", $s, ".asset_id = ", $asset),
            concat!(" AND ", $s, ".from_at <= ", $at),
            concat!(" AND (", $s, ".until_at IS NULL OR ", $s, ".until_at > ", $at, "))")
        )
    };
}
pub(crate) use share_in_force;

/// Declares the parameters of a statement of the viewer's (`viewer_fleet!`): the first four are
/// the session's, as `with_viewer!` numbers them and `shared_params` binds them.
macro_rules! viewer_positions {
    ($(#[$doc:meta])* $family:ident { $($name:ident = $position:literal),* $(,)? }) => {
        $crate::store::equipment::positions::positions!(
            $(#[$doc])* $family { token_hash = 1, tenant = 2, portal = 3, now = 4, $($name = $position),* }
        );
    };
}
pub(super) use viewer_positions;

/// An asset as a customer's recipients see it: no owner ids, no photo key; its group is its
/// business unit only when that unit is the viewing customer's own (a unit of another
/// customer, say the owner of a rented machine, is not theirs to see).
#[derive(Clone, Debug, Deserialize)]
pub struct SharedAsset {
    pub id: AssetId,
    pub asset_key: String,
    pub name: String,
    pub serial_number: Option<String>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub asset_type: Option<String>,
    pub photo_type: Option<String>,
    pub group_id: Option<BusinessUnitId>,
    pub group_name: Option<String>,
}

/// The columns of a `SharedAsset`, of the asset `a` and its group `u`.
macro_rules! shared_asset_columns {
    () => {
        "SELECT a.id, a.asset_key, a.name, a.serial_number, a.make, a.model, a.asset_type, a.photo_type,
                u.id AS group_id, u.name AS group_name "
    };
}

/// The assets `a` of the tenant shared now with the viewer's customer, each with its group
/// `u` when that unit is the customer's own. The viewer is the session's (the `viewer` CTE of
/// `store::portal_tickets`), in a statement of `$family` (`viewer_positions!`); a dead or
/// foreign session, or a member of no company, finds nothing.
macro_rules! viewer_fleet {
    ($family:ident, $select:expr, $($rest:expr),+) => {
        concat!(
            $crate::store::portal_tickets::with_viewer!(),
            $select,
            " FROM assets a
         LEFT JOIN business_units u
           ON u.tenant_id = a.tenant_id AND u.id = a.business_unit_id AND u.customer_id = (SELECT customer_id FROM viewer)
         WHERE a.tenant_id = ",
            $crate::store::equipment::positions::pos!($family, tenant),
            "
           AND ",
            $crate::store::equipment::visibility::share_in_force!(
                "s",
                $crate::store::equipment::positions::pos!($family, tenant),
                "(SELECT customer_id FROM viewer)",
                "a.id",
                $crate::store::equipment::positions::pos!($family, now)
            ),
            " ",
            $($rest),+
        )
    };
}
pub(super) use viewer_fleet;

viewer_positions! {
    /// `viewer_fleet_page`: the group (or NULL), the cursor's asset key (or NULL), the limit.
    fleet_page { group = 5, cursor_key = 6, limit = 7 }
}

/// The name of the cursor's asset (`cursor_key`), if it is shared now with the viewer's
/// customer, as every row the viewer reads: a cursor naming any other asset (another
/// customer's, one whose share ended, a missing one) is NULL, and its page empty (the list
/// then links to the first page), so no one learns where the name of an asset not theirs now
/// would sort.
macro_rules! cursor_name {
    () => {
        concat!(
            "(SELECT c.name FROM assets c WHERE c.tenant_id = ",
            pos!(fleet_page, tenant),
            " AND c.asset_key = ",
            pos!(fleet_page, cursor_key),
            " AND ",
            share_in_force!(
                "s",
                pos!(fleet_page, tenant),
                "(SELECT customer_id FROM viewer)",
                "c.id",
                pos!(fleet_page, now)
            ),
            ")"
        )
    };
}

/// Where a page of the fleet starts: after or before an asset (its key; the list is ordered
/// by name, then key, and the cursor's name is read in the statement).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FleetCursor<'a> {
    First,
    After(&'a str),
    Before(&'a str),
}

/// A page of the viewer's fleet, by name then key, optionally of one group: `limit` rows from
/// the cursor, nearest first: a `Before` page comes in reverse order. A `limit` of -1 is the
/// whole fleet.
pub fn viewer_fleet_page(
    scope: PortalScope,
    token_hash: &str,
    now: Timestamp,
    group: Option<BusinessUnitId>,
    cursor: FleetCursor<'_>,
    limit: i64,
) -> Statement {
    let (sql, key) = match cursor {
        FleetCursor::First => (
            viewer_fleet!(
                fleet_page,
                shared_asset_columns!(),
                concat!(
                    "AND (",
                    pos!(fleet_page, group),
                    " IS NULL OR u.id = ",
                    pos!(fleet_page, group),
                    ") AND ",
                    pos!(fleet_page, cursor_key),
                    " IS NULL ORDER BY a.name, a.asset_key LIMIT ",
                    pos!(fleet_page, limit)
                )
            ),
            None,
        ),
        FleetCursor::After(key) => (
            viewer_fleet!(
                fleet_page,
                shared_asset_columns!(),
                concat!(
                    "AND (",
                    pos!(fleet_page, group),
                    " IS NULL OR u.id = ",
                    pos!(fleet_page, group),
                    ") AND (a.name, a.asset_key) > (",
                    cursor_name!(),
                    ", ",
                    pos!(fleet_page, cursor_key),
                    ") ORDER BY a.name, a.asset_key LIMIT ",
                    pos!(fleet_page, limit)
                )
            ),
            Some(key),
        ),
        FleetCursor::Before(key) => (
            viewer_fleet!(
                fleet_page,
                shared_asset_columns!(),
                concat!(
                    "AND (",
                    pos!(fleet_page, group),
                    " IS NULL OR u.id = ",
                    pos!(fleet_page, group),
                    ") AND (a.name, a.asset_key) < (",
                    cursor_name!(),
                    ", ",
                    pos!(fleet_page, cursor_key),
                    ") ORDER BY a.name DESC, a.asset_key DESC LIMIT ",
                    pos!(fleet_page, limit)
                )
            ),
            Some(key),
        ),
    };
    Binds::default()
        .run(fleet_page!(token_hash), shared_params(scope, token_hash, now))
        .at(fleet_page!(group), group.map(BusinessUnitId::to_db))
        .at(fleet_page!(cursor_key), key)
        .at(fleet_page!(limit), limit)
        .statement(sql)
}

viewer_positions! {
    /// `viewer_fleet_groups`: the viewer's only.
    fleet_groups {}
}

/// The groups (id, name) of the viewer's fleet, by name: the group filter's choices.
pub fn viewer_fleet_groups(scope: PortalScope, token_hash: &str, now: Timestamp) -> Statement {
    Binds::default().run(fleet_groups!(token_hash), shared_params(scope, token_hash, now)).statement(viewer_fleet!(
        fleet_groups,
        "SELECT DISTINCT u.id AS id, u.name AS name",
        "AND u.id IS NOT NULL ORDER BY u.name, u.id"
    ))
}

viewer_positions! {
    /// `viewer_asset`: the asset's key.
    one_asset { key = 5 }
}

/// The asset with `key` if it is shared now with the viewer's customer (no row otherwise,
/// the same for an asset of another customer and a missing one).
pub fn viewer_asset(scope: PortalScope, token_hash: &str, now: Timestamp, key: &AssetKey) -> Statement {
    Binds::default()
        .run(one_asset!(token_hash), shared_params(scope, token_hash, now))
        .at(one_asset!(key), key.as_str())
        .statement(viewer_fleet!(
            one_asset,
            shared_asset_columns!(),
            concat!("AND a.asset_key = ", pos!(one_asset, key))
        ))
}

/// A group of the fleet list: (id, name).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct FleetGroup {
    pub id: BusinessUnitId,
    pub name: String,
}

impl FleetGroup {
    /// The groups of `assets`, as `viewer_fleet_groups` gives them for the whole fleet (by
    /// name, then id; each once): a page that reads the whole fleet anyway (a report's choice
    /// of machine) needs no statement of its own for them.
    pub fn of(assets: &[SharedAsset]) -> Vec<FleetGroup> {
        let mut groups: Vec<FleetGroup> =
            assets.iter().filter_map(|a| Some(FleetGroup { id: a.group_id?, name: a.group_name.clone()? })).collect();
        groups.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
        groups.dedup();
        groups
    }
}

/// The earliest start of the share windows of asset `$asset` with `$customer` (SQL expressions,
/// as all these macros' arguments): no event before it is visible.
macro_rules! windows_from {
    ($tenant:expr, $customer:expr, $asset:expr) => {
        concat!(
            "(SELECT min(s.from_at) FROM asset_shares s WHERE s.tenant_id = ",
            $tenant,
            " AND s.customer_id = ",
            $customer,
            " AND s.asset_id = ",
            $asset,
            ")"
        )
    };
}
pub(super) use windows_from;

/// The latest end of those windows, an open one ending at `$to`: no event from it on is visible.
macro_rules! windows_until {
    ($tenant:expr, $customer:expr, $asset:expr, $to:expr) => {
        concat!(
            "(SELECT max(coalesce(s.until_at, ",
            $to,
            ")) FROM asset_shares s WHERE s.tenant_id = ",
            $tenant,
            " AND s.customer_id = ",
            $customer,
            " AND s.asset_id = ",
            $asset,
            ")"
        )
    };
}
pub(super) use windows_until;

/// Whether those windows leave a gap between them: a share's end that no other share covers,
/// with a later share after it.
macro_rules! windows_gap {
    ($tenant:expr, $customer:expr, $asset:expr) => {
        concat!(
            "EXISTS (SELECT 1 FROM asset_shares s WHERE s.tenant_id = ",
            $tenant,
            " AND s.customer_id = ",
            $customer,
            " AND s.asset_id = ",
            $asset,
            " AND NOT ",
            $crate::store::equipment::visibility::share_in_force!("c", $tenant, $customer, $asset, "s.until_at"),
            " AND EXISTS (SELECT 1 FROM asset_shares l WHERE l.tenant_id = ",
            $tenant,
            " AND l.customer_id = ",
            $customer,
            " AND l.asset_id = ",
            $asset,
            " AND l.from_at > s.until_at))"
        )
    };
}
pub(super) use windows_gap;

/// The condition that an activity row `e` of asset `$asset` in `[$from, $to)` is inside a
/// window of a share with `$customer`, given the windows' outer bounds `$lo` and `$hi`
/// (`windows_from!`, `windows_until!`) and whether they leave a gap (`windows_gap!`). The
/// bounds narrow the range scan itself; only with a gap is each event checked against the
/// windows one by one. Without a gap, the usual case, the bounds say it all, and that
/// per-event check was half of a year report's cost (5.7 -> 2.9 ms for 8,760 hourly rows in
/// `SQLite`).
macro_rules! inside_windows {
    ($tenant:expr, $customer:expr, $asset:expr, $from:expr, $to:expr, $lo:expr, $hi:expr, $gap:expr) => {
        concat!(
            "e.asset_id = ",
            $asset,
            " AND e.tenant_id = ",
            $tenant,
            " AND e.at >= ",
            $from,
            " AND e.at < ",
            $to,
            " AND e.at >= ",
            $lo,
            " AND e.at < ",
            $hi,
            " AND (NOT ",
            $gap,
            " OR ",
            $crate::store::equipment::visibility::share_in_force!("s", $tenant, $customer, $asset, "e.at"),
            ")"
        )
    };
}
pub(super) use inside_windows;

/// An upper time bound beyond any event: 2^53 − 1, the largest integer a JavaScript number
/// (D1's binding) holds exactly.
pub(crate) const FAR_FUTURE: i64 = 9_007_199_254_740_991;

viewer_positions! {
    /// `viewer_asset_page`: the asset's key, the end of open windows, how many events.
    asset_page { key = 5, to = 6, limit = 7 }
}

/// The asset with `key` if it is shared now with the viewer's customer (no row otherwise), and
/// its latest `limit` events that the viewer may see: the asset page, in one statement. The
/// events are one JSON text (`AssetPage::events`): handed over row by row, 50 events cost the
/// page more than the SQL that finds them.
pub fn viewer_asset_page(
    scope: PortalScope,
    token_hash: &str,
    now: Timestamp,
    key: &AssetKey,
    limit: i64,
) -> Statement {
    Binds::default()
        .run(asset_page!(token_hash), shared_params(scope, token_hash, now))
        .at(asset_page!(key), key.as_str())
        .at(asset_page!(to), FAR_FUTURE)
        .at(asset_page!(limit), limit)
        .statement(report_fleet!(
            columns: "a.asset_key, a.name, a.serial_number, a.make, a.model, a.asset_type, a.photo_type,
                      u.id AS group_id, u.name AS group_name, ",
            asset_page,
            to,
            of_key!(asset_page),
            "SELECT f.id, f.asset_key, f.name, f.serial_number, f.make, f.model, f.asset_type, f.photo_type,
                    f.group_id, f.group_name,
                    (SELECT json_group_array(json_array(e.at, e.event_id, e.kind, e.hours_milli, e.lat_e7,
                                                        e.lon_e7, e.message))
                     FROM (SELECT e.* FROM asset_activity e WHERE ",
            fleet_visible_events!(asset_page, "0", pos!(asset_page, to)),
            " ORDER BY e.at DESC, e.event_id DESC LIMIT ",
            pos!(asset_page, limit),
            ") e) AS events FROM f"
        ))
}

/// A row of `viewer_asset_page`.
#[derive(Debug, Deserialize)]
pub struct AssetPage {
    #[serde(flatten)]
    pub asset: SharedAsset,
    events: String,
}

impl AssetPage {
    /// The events, newest first. Sorted here: SQL does not promise that an aggregate keeps
    /// the order of the rows it reads.
    pub fn events(&self) -> Result<Vec<ActivityRow>, DbError> {
        let mut events: Vec<ActivityRow> =
            serde_json::from_str(&self.events).map_err(|e| DbError::Other(format!("row shape: {e}")))?;
        events.sort_by(|a, b| (b.at, &b.event_id).cmp(&(a.at, &a.event_id)));
        Ok(events)
    }
}
