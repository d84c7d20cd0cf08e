//! Utilisation reports: per bucket of local time, the sums of the events a customer may see
//! (`visibility`'s rule), for one asset or, in one statement, for the viewer's whole fleet;
//! and the last hours reading before a report, the base of its first bucket.

use serde::Deserialize;

use super::positions::{pos, Binds};
use super::visibility::{customer_binds, customer_positions, viewer_fleet, viewer_positions, visible_activity};
use crate::store::portal_tickets::shared_params;
use crate::store::{PortalScope, Statement};
use porch_types::ids::{AssetId, BusinessUnitId, CustomerId, TenantId};
use porch_types::time::Timestamp;
use porch_types::usage::Buckets;

/// The sums of a report per bucket of the events `e` (`domain::usage::BucketRow`): the
/// bucket, the highest and lowest hours reading and the counts of starts, stops and alerts.
/// An event's bucket is arithmetic on its local wall-clock time: its instant plus the offset
/// then in force (the latest change at or before it, else the first offset), with the
/// parameters `bind_buckets!` binds to `$family`'s bucket names. The CAST keeps the bucket an
/// integer even if D1 binds a JavaScript number as REAL. It truncates toward zero, which is
/// what a clock turned back over the first local midnight needs: the events of the repeated
/// hour read as before that midnight (a negative numerator) and belong to the first bucket,
/// which truncation gives and a floor would not. One text for the one-asset and the fleet
/// report, so their buckets cannot differ.
macro_rules! bucket_sums {
    ($family:ident) => {
        concat!(
            "CAST((e.at + CASE WHEN e.at >= ",
            pos!($family, at1),
            " THEN ",
            pos!($family, offset1),
            " WHEN e.at >= ",
            pos!($family, at2),
            " THEN ",
            pos!($family, offset2),
            " WHEN e.at >= ",
            pos!($family, at3),
            " THEN ",
            pos!($family, offset3),
            " WHEN e.at >= ",
            pos!($family, at4),
            " THEN ",
            pos!($family, offset4),
            " ELSE ",
            pos!($family, first_offset),
            " END - ",
            pos!($family, local_start),
            ") / ",
            pos!($family, length),
            " AS INTEGER) AS bucket,
         max(e.hours_milli) AS hours_max, min(e.hours_milli) AS hours_min,
         sum(e.kind = 'start') AS starts, sum(e.kind = 'stop') AS stops, sum(e.kind = 'alert') AS alerts"
        )
    };
}

/// Binds the names `bucket_sums!` reads in `$family`: the bucket length, the offset changes
/// (instant, offset) latest first, the first offset, the first local midnight.
macro_rules! bind_buckets {
    ($binds:expr, $family:ident, $buckets:expr) => {{
        let buckets: &Buckets = $buckets;
        let (first_offset, [(at1, offset1), (at2, offset2), (at3, offset3), (at4, offset4)]) = buckets.offsets();
        $binds
            .at($family!(length), buckets.length_ms())
            .at($family!(at1), at1)
            .at($family!(offset1), offset1)
            .at($family!(at2), at2)
            .at($family!(offset2), offset2)
            .at($family!(at3), at3)
            .at($family!(offset3), offset3)
            .at($family!(at4), at4)
            .at($family!(offset4), offset4)
            .at($family!(first_offset), first_offset)
            .at($family!(local_start), buckets.local_start_ms())
    }};
}

customer_positions! {
    /// `usage_for_customer`: the buckets (`bucket_sums!`).
    usage {
        length = 7, at1 = 8, offset1 = 9, at2 = 10, offset2 = 11, at3 = 12, offset3 = 13, at4 = 14, offset4 = 15,
        first_offset = 16, local_start = 17,
    }
}

/// The sums of a utilisation report per bucket (`bucket_sums!`), of the events `customer`
/// may see in `buckets` (`domain::usage`). At most one row per bucket, whatever the number
/// of events.
pub fn usage_for_customer(
    tenant: TenantId,
    customer: CustomerId,
    asset: AssetId,
    buckets: &Buckets,
    now: Timestamp,
) -> Statement {
    let binds = customer_binds(tenant, customer, asset, buckets.start().millis(), buckets.end().millis(), now);
    bind_buckets!(binds, usage, buckets).statement(visible_activity!(
        usage,
        concat!("SELECT ", bucket_sums!(usage)),
        "GROUP BY bucket ORDER BY bucket"
    ))
}

/// A row of `reading_before`.
#[derive(Deserialize)]
pub struct Reading {
    pub hours_milli: i64,
}

customer_positions! {
    /// `reading_before`: its range ends at the report's start.
    reading {}
}

/// The last hours reading `customer` may see before `before` (a `Reading`, or no row): the
/// base of a report's first bucket.
pub fn reading_before(
    tenant: TenantId,
    customer: CustomerId,
    asset: AssetId,
    before: Timestamp,
    now: Timestamp,
) -> Statement {
    customer_binds(tenant, customer, asset, 0, before.millis(), now).statement(visible_activity!(
        reading,
        "SELECT e.hours_milli",
        "AND e.kind = 'hours' ORDER BY e.at DESC LIMIT 1"
    ))
}

/// The fleet report's statements start with the assets `f` shared now with the viewer's
/// customer (`viewer_fleet!`), optionally of `$family`'s `group`, as the fleet list, each with
/// what `visible_activity!` computes once for one asset: its windows' outer bounds (`lo`,
/// `hi`, open windows ending at `$to`) and whether they leave a gap. Computed here once per
/// asset, not per event: inside the join they would be correlated subqueries, run for every
/// event (a year by day of 40 assets with hourly readings, 379,600 events: 1.35 s instead of
/// 0.20 s in `SQLite` 3.40; the 40 one-asset statements take 0.13 s).
macro_rules! report_fleet {
    ($family:ident, $to:ident, $($rest:expr),+) => {
        viewer_fleet!(
            $family,
            concat!(
                ", f AS MATERIALIZED (SELECT a.id, ",
                $crate::store::equipment::visibility::windows_from!(
                    pos!($family, tenant),
                    "(SELECT customer_id FROM viewer)",
                    "a.id"
                ),
                " AS lo, ",
                $crate::store::equipment::visibility::windows_until!(
                    pos!($family, tenant),
                    "(SELECT customer_id FROM viewer)",
                    "a.id",
                    pos!($family, $to)
                ),
                " AS hi, ",
                $crate::store::equipment::visibility::windows_gap!(
                    pos!($family, tenant),
                    "(SELECT customer_id FROM viewer)",
                    "a.id"
                ),
                " AS gap"
            ),
            "AND (",
            pos!($family, group),
            " IS NULL OR u.id = ",
            pos!($family, group),
            ")) ",
            $($rest),+
        )
    };
}

/// The events `e` of the fleet's asset `f` in `[$from, $to)` that the viewer may see: the
/// rule of `visible_activity!` (the asset is shared now: `f` holds no other).
macro_rules! fleet_visible_events {
    ($family:ident, $from:expr, $to:expr) => {
        $crate::store::equipment::visibility::inside_windows!(
            pos!($family, tenant),
            "(SELECT customer_id FROM viewer)",
            "f.id",
            $from,
            $to,
            "f.lo",
            "f.hi",
            "f.gap"
        )
    };
}

/// The asset of a row of the fleet report's statements (ordered by it, byte-wise as Rust
/// orders strings); the rest of a `viewer_fleet_usage` row is a `BucketRow`.
#[derive(Deserialize)]
pub struct RowAsset {
    pub asset_id: AssetId,
}

viewer_positions! {
    /// `viewer_fleet_usage`: the range, the buckets (`bucket_sums!`), the group (or NULL).
    fleet_usage {
        from = 5, to = 6,
        length = 7, at1 = 8, offset1 = 9, at2 = 10, offset2 = 11, at3 = 12, offset3 = 13, at4 = 14, offset4 = 15,
        first_offset = 16, local_start = 17,
        group = 18,
    }
}

/// The fleet report's sums (`bucket_sums!`), per asset and bucket, by asset then bucket: the
/// rows `usage_for_customer` gives for each asset of the viewer's fleet (of `group`), in one
/// statement. The CROSS JOIN keeps the fleet the outer loop: one primary-key range scan per
/// asset.
pub fn viewer_fleet_usage(
    scope: PortalScope,
    token_hash: &str,
    now: Timestamp,
    group: Option<BusinessUnitId>,
    buckets: &Buckets,
) -> Statement {
    let binds = Binds::default()
        .run(fleet_usage!(token_hash), shared_params(scope, token_hash, now))
        .at(fleet_usage!(from), buckets.start().millis())
        .at(fleet_usage!(to), buckets.end().millis())
        .at(fleet_usage!(group), group.map(BusinessUnitId::to_db));
    bind_buckets!(binds, fleet_usage, buckets).statement(report_fleet!(
        fleet_usage,
        to,
        "SELECT f.id AS asset_id, ",
        bucket_sums!(fleet_usage),
        " FROM f CROSS JOIN asset_activity e WHERE ",
        fleet_visible_events!(fleet_usage, pos!(fleet_usage, from), pos!(fleet_usage, to)),
        " GROUP BY f.id, bucket ORDER BY f.id, bucket"
    ))
}

/// A row of `viewer_fleet_readings_before`: an asset's last reading before the report, if any.
#[derive(Deserialize)]
pub struct FleetReading {
    pub asset_id: AssetId,
    pub hours_milli: Option<i64>,
}

viewer_positions! {
    /// `viewer_fleet_readings_before`: the report's start, the group (or NULL).
    fleet_readings { before = 5, group = 6 }
}

/// For each asset of the viewer's fleet (of `group`), the reading `reading_before` finds:
/// its last visible hours reading before `before`, one backward scan of the asset's
/// primary-key range each.
pub fn viewer_fleet_readings_before(
    scope: PortalScope,
    token_hash: &str,
    now: Timestamp,
    group: Option<BusinessUnitId>,
    before: Timestamp,
) -> Statement {
    Binds::default()
        .run(fleet_readings!(token_hash), shared_params(scope, token_hash, now))
        .at(fleet_readings!(before), before.millis())
        .at(fleet_readings!(group), group.map(BusinessUnitId::to_db))
        .statement(report_fleet!(
            fleet_readings,
            before,
            "SELECT f.id AS asset_id, (SELECT e.hours_milli FROM asset_activity e WHERE ",
            fleet_visible_events!(fleet_readings, "0", pos!(fleet_readings, before)),
            " AND e.kind = 'hours' ORDER BY e.at DESC LIMIT 1) AS hours_milli FROM f ORDER BY f.id"
        ))
}
