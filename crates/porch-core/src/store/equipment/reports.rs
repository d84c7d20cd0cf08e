//! Utilisation reports: per bucket of local time, the sums of the events a customer may see
//! (`visibility`'s rule), for one asset or, in one statement, for the viewer's whole fleet,
//! each asset's with its last hours reading before the report (the base of its first bucket).

use serde::Deserialize;

use super::positions::{pos, Binds};
use super::rollups::zone_key;
use super::visibility::{viewer_fleet, viewer_positions};
use crate::store::portal_tickets::shared_params;
use crate::store::{DbError, PortalScope, Statement};
use porch_types::equipment::AssetKey;
use porch_types::ids::{AssetId, BusinessUnitId};
use porch_types::time::Timestamp;
use porch_types::usage::{self, BucketRow, Buckets, Offsets};

/// The local wall-clock time (ms since 1970 read locally) of the event `e`: its instant plus
/// the offset then in force (the latest change at or before it, else the first offset), with
/// the parameters `bind_offsets!` binds to `$family`'s names. One text for the reports'
/// buckets and the rollups' days (`rollups`), so a rollup day holds exactly the events a
/// report buckets in it.
macro_rules! local_time {
    ($family:ident) => {
        concat!(
            "(e.at + CASE WHEN e.at >= ",
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
            " END)"
        )
    };
}
pub(super) use local_time;

/// Binds the names `local_time!` reads in `$family`: the offset changes (instant, offset)
/// latest first, and the first offset (`usage::offsets`).
macro_rules! bind_offsets {
    ($binds:expr, $family:ident, $offsets:expr) => {{
        let (first_offset, [(at1, offset1), (at2, offset2), (at3, offset3), (at4, offset4)]): Offsets = $offsets;
        $binds
            .at($family!(at1), at1)
            .at($family!(offset1), offset1)
            .at($family!(at2), at2)
            .at($family!(offset2), offset2)
            .at($family!(at3), at3)
            .at($family!(offset3), offset3)
            .at($family!(at4), at4)
            .at($family!(offset4), offset4)
            .at($family!(first_offset), first_offset)
    }};
}
pub(super) use bind_offsets;

/// The sums of a report per bucket of the events `e` (`domain::usage::BucketRow`): the
/// bucket, the highest and lowest hours reading and the counts of starts, stops and alerts.
/// An event's bucket is arithmetic on its local wall-clock time (`local_time!`). The CAST
/// keeps the bucket an integer even if D1 binds a JavaScript number as REAL. It truncates
/// toward zero, which is what a clock turned back over the first local midnight needs: the
/// events of the repeated hour read as before that midnight (a negative numerator) and belong
/// to the first bucket, which truncation gives and a floor would not. One text for the
/// one-asset and the fleet report, so their buckets cannot differ.
macro_rules! bucket_sums {
    ($family:ident) => {
        concat!(
            "CAST((",
            local_time!($family),
            " - ",
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
        let binds =
            $binds.at($family!(length), buckets.length_ms()).at($family!(local_start), buckets.local_start_ms());
        bind_offsets!(binds, $family, buckets.offsets())
    }};
}

/// The fleet report's statements start with the assets `f` shared now with the viewer's
/// customer (`viewer_fleet!`) that pass `$filter` (of the group, or the one asset's key),
/// as the fleet list, each with what `inside_windows!` needs of one asset: its
/// windows' outer bounds (`lo`, `hi`, open windows ending at `$to`) and whether they leave a
/// gap. Computed here once per asset, not per event: inside the join they would be
/// correlated subqueries, run for every event (a year by day of 40 assets with hourly
/// readings, 379,600 events: 1.35 s instead of 0.20 s in `SQLite` 3.40; the 40 one-asset
/// statements take 0.13 s). With `columns:` first, `f` also carries those columns of the asset
/// `a` and its group `u` (the asset page reads the asset itself from `f`).
macro_rules! report_fleet {
    ($family:ident, $to:ident, $filter:expr, $($rest:expr),+) => {
        report_fleet!(columns: "", $family, $to, $filter, $($rest),+)
    };
    (columns: $columns:expr, $family:ident, $to:ident, $filter:expr, $($rest:expr),+) => {
        viewer_fleet!(
            $family,
            concat!(
                ", f AS MATERIALIZED (SELECT a.id, ",
                $columns,
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
            "AND ",
            $filter,
            ") ",
            $($rest),+
        )
    };
}
pub(super) use report_fleet;

/// The fleet's assets of `$family`'s `group` (all when it is NULL).
macro_rules! of_group {
    ($family:ident) => {
        concat!("(", pos!($family, group), " IS NULL OR u.id = ", pos!($family, group), ")")
    };
}

/// The fleet's asset of `$family`'s `key`: the one-asset report and page, in the session's
/// round trip (the asset's id is not known before it).
macro_rules! of_key {
    ($family:ident) => {
        concat!("a.asset_key = ", pos!($family, key))
    };
}
pub(super) use of_key;

/// The events `e` of the fleet's asset `f` in `[$from, $to)` that the viewer may see: the
/// rule of `inside_windows!` (the asset is shared now: `f` holds no other).
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
pub(super) use fleet_visible_events;

/// How far around a report's ends and its windows' edges the report reads raw events (2
/// days): a local day lasts at most 25 hours plus the few hours of a zone's offset change, so
/// every event of a day that straddles such an edge lies within this of it.
macro_rules! edge_ms {
    () => {
        "172800000"
    };
}

/// That the share `s` is one of the fleet's asset `f` with the viewer's customer.
macro_rules! viewer_shares {
    ($family:ident) => {
        concat!(
            "s.tenant_id = ",
            pos!($family, tenant),
            " AND s.customer_id = (SELECT customer_id FROM viewer) AND s.asset_id = f.id"
        )
    };
}

/// Whether the fleet's asset `f` has complete rollups in the report's zone.
macro_rules! rolled_up {
    ($family:ident) => {
        concat!(
            "EXISTS (SELECT 1 FROM asset_rollup_zones z WHERE z.tenant_id = ",
            pos!($family, tenant),
            " AND z.asset_id = f.id AND z.zone = ",
            pos!($family, zone),
            ")"
        )
    };
}

/// That the rollup day `r` counts whole in the report, for the fleet's asset `f`: of the
/// report's zone, its events all inside the report and inside one share window. Windows
/// without a gap (`f.gap`, the usual case) show everything between their outer bounds, so a
/// day inside those bounds needs no look at the shares: per day, that look was a third of the
/// year by day's SQL.
macro_rules! counted_rollup {
    ($family:ident) => {
        concat!(
            "r.tenant_id = ",
            pos!($family, tenant),
            " AND r.asset_id = f.id AND r.zone = ",
            pos!($family, zone),
            " AND r.day >= ",
            pos!($family, first_day),
            " AND r.day < ",
            pos!($family, end_day),
            " AND r.first_at >= ",
            pos!($family, from),
            " AND r.last_at < ",
            pos!($family, to),
            " AND ",
            rolled_up!($family),
            " AND CASE WHEN f.gap THEN EXISTS (SELECT 1 FROM asset_shares s WHERE ",
            viewer_shares!($family),
            " AND s.from_at <= r.first_at AND (s.until_at IS NULL OR s.until_at > r.last_at))
               ELSE r.first_at >= f.lo AND r.last_at < f.hi END"
        )
    };
}

/// A report's sums of the events the viewer may see, for the fleet's assets `$filter` picks:
/// a row per asset (`AssetUsage`), by asset id, with its last visible hours reading before
/// the report (the base of its first bucket; one backward scan of the asset's primary-key
/// range) and two JSON lists of sums, each sum `[bucket, hours_max, hours_min, starts, stops,
/// alerts]`:
/// - `days`: the past, from the rollups (`rollups`): each rollup day that counts whole
///   (`counted_rollup!`), in the bucket of its day, read in one primary-key range scan;
/// - `edges`: the rest, read raw as before rollups: the events near the report's ends and
///   near each window's edge (`g`, `edge_ms!`; all the report when the zone has no rollups
///   for the asset), each only if its window lets it be seen and its day does not count
///   whole (a lookup by the rollups' key), summed per bucket (`bucket_sums!`).
///
/// Every event the viewer may see is so counted once, in the bucket the raw arithmetic gives
/// it. A bucket may have sums in both lists, and a week has seven days: the reader merges
/// them (`AssetUsage::buckets`). Neither list is grouped or sorted in SQL: grouping the
/// year's 365 days again with the edges cost as much as reading them.
macro_rules! usage_sums {
    ($family:ident, $filter:expr) => {
        report_fleet!(
            $family,
            to,
            $filter,
            ", g AS MATERIALIZED (SELECT f.id AS asset_id, ",
            pos!($family, from),
            " AS lo, min(",
            pos!($family, to),
            ", ",
            pos!($family, from),
            " + ",
            edge_ms!(),
            ") AS hi FROM f
               UNION ALL SELECT f.id, max(",
            pos!($family, from),
            ", ",
            pos!($family, to),
            " - ",
            edge_ms!(),
            "), ",
            pos!($family, to),
            " FROM f
               UNION ALL SELECT f.id, max(",
            pos!($family, from),
            ", s.from_at - ",
            edge_ms!(),
            "), min(",
            pos!($family, to),
            ", s.from_at + ",
            edge_ms!(),
            ") FROM f JOIN asset_shares s ON ",
            viewer_shares!($family),
            "
               UNION ALL SELECT f.id, max(",
            pos!($family, from),
            ", s.until_at - ",
            edge_ms!(),
            "), min(",
            pos!($family, to),
            ", s.until_at + ",
            edge_ms!(),
            ") FROM f JOIN asset_shares s ON ",
            viewer_shares!($family),
            " WHERE s.until_at IS NOT NULL
               UNION ALL SELECT f.id, ",
            pos!($family, from),
            ", ",
            pos!($family, to),
            " FROM f WHERE NOT ",
            rolled_up!($family),
            ")
             , e AS MATERIALIZED (SELECT DISTINCT e.tenant_id, e.asset_id, e.at, e.event_id, e.kind, e.hours_milli
               FROM g CROSS JOIN asset_activity e
               WHERE e.asset_id = g.asset_id AND e.tenant_id = ",
            pos!($family, tenant),
            " AND e.at >= g.lo AND e.at < g.hi)
             , edges AS MATERIALIZED (SELECT e.asset_id, ",
            bucket_sums!($family),
            " FROM f CROSS JOIN e WHERE ",
            fleet_visible_events!($family, pos!($family, from), pos!($family, to)),
            " AND NOT EXISTS (SELECT 1 FROM asset_rollups r WHERE ",
            counted_rollup!($family),
            " AND r.day = CAST(",
            local_time!($family),
            " / 86400000 AS INTEGER))
               GROUP BY e.asset_id, bucket)
             SELECT f.id AS asset_id,
               (SELECT json_group_array(json_array(CAST((r.day * 86400000 - ",
            pos!($family, local_start),
            ") / ",
            pos!($family, length),
            " AS INTEGER), r.hours_max, r.hours_min, r.starts, r.stops, r.alerts))
                FROM asset_rollups r WHERE ",
            counted_rollup!($family),
            ") AS days,
               (SELECT json_group_array(json_array(bucket, hours_max, hours_min, starts, stops, alerts))
                FROM edges WHERE edges.asset_id = f.id) AS edges,
               (SELECT e.hours_milli FROM asset_activity e WHERE ",
            fleet_visible_events!($family, "0", pos!($family, from)),
            " AND e.kind = 'hours' ORDER BY e.at DESC LIMIT 1) AS hours_before
             FROM f ORDER BY f.id"
        )
    };
}

/// A row of the usage statements (`viewer_asset_usage`, `viewer_fleet_usage`): an asset and
/// its sums (`usage_sums!`), each list one JSON text. A year by day is 365 sums: as rows, D1
/// hands each of their 2,555 values over one by one, which cost more than the SQL; as one
/// text, wasm parses them in one go.
#[derive(Deserialize)]
pub struct AssetUsage {
    pub asset_id: AssetId,
    /// The last hours reading before the report that the viewer may see, if any.
    pub hours_before: Option<i64>,
    days: String,
    edges: String,
}

impl AssetUsage {
    /// The asset's sums, one per bucket that has any, in bucket order (`usage::usage` reads
    /// them so): the rollup days and the raw edges of a bucket merged.
    pub fn buckets(&self) -> Result<Vec<BucketRow>, DbError> {
        let parse = |text: &str| -> Result<Vec<BucketRow>, DbError> {
            serde_json::from_str(text).map_err(|e| DbError::Other(format!("row shape: {e}")))
        };
        let mut rows = parse(&self.days)?;
        rows.extend(parse(&self.edges)?);
        Ok(usage::merge_buckets(rows))
    }
}

viewer_positions! {
    /// `viewer_fleet_usage`: the group (or NULL), the range, the buckets (`bucket_sums!`),
    /// the zone and the range's local days (the rollups').
    fleet_usage {
        group = 5, from = 6, to = 7,
        length = 8, at1 = 9, offset1 = 10, at2 = 11, offset2 = 12, at3 = 13, offset3 = 14, at4 = 15, offset4 = 16,
        first_offset = 17, local_start = 18,
        zone = 19, first_day = 20, end_day = 21,
    }
}

viewer_positions! {
    /// `viewer_asset_usage`: `fleet_usage`'s, with the asset's key for the group.
    asset_usage {
        key = 5, from = 6, to = 7,
        length = 8, at1 = 9, offset1 = 10, at2 = 11, offset2 = 12, at3 = 13, offset3 = 14, at4 = 15, offset4 = 16,
        first_offset = 17, local_start = 18,
        zone = 19, first_day = 20, end_day = 21,
    }
}

/// Binds what `usage_sums!` reads after the session's and the filter's.
macro_rules! bind_usage {
    ($binds:expr, $family:ident, $buckets:expr) => {{
        let buckets: &Buckets = $buckets;
        let binds = $binds
            .at($family!(from), buckets.start().millis())
            .at($family!(to), buckets.end().millis())
            .at($family!(zone), zone_key(buckets.zone))
            .at($family!(first_day), buckets.first_day)
            .at($family!(end_day), buckets.day_of(buckets.count));
        bind_buckets!(binds, $family, buckets)
    }};
}

/// The fleet report's sums (`usage_sums!`): an `AssetUsage` per asset of the viewer's fleet
/// (of `group`), by asset id: what the one-asset report gives for each asset, in
/// one statement. The CROSS JOINs keep the fleet the outer loop: one primary-key range scan
/// of rollups and a few of events per asset.
pub fn viewer_fleet_usage(
    scope: PortalScope,
    token_hash: &str,
    now: Timestamp,
    group: Option<BusinessUnitId>,
    buckets: &Buckets,
) -> Statement {
    let binds = Binds::default()
        .run(fleet_usage!(token_hash), shared_params(scope, token_hash, now))
        .at(fleet_usage!(group), group.map(BusinessUnitId::to_db));
    bind_usage!(binds, fleet_usage, buckets).statement(usage_sums!(fleet_usage, of_group!(fleet_usage)))
}

/// One asset's report sums (`usage_sums!`): one `AssetUsage` if the asset with `key` is
/// shared now with the viewer's customer, else no row.
pub fn viewer_asset_usage(
    scope: PortalScope,
    token_hash: &str,
    now: Timestamp,
    key: &AssetKey,
    buckets: &Buckets,
) -> Statement {
    let binds = Binds::default()
        .run(asset_usage!(token_hash), shared_params(scope, token_hash, now))
        .at(asset_usage!(key), key.as_str());
    bind_usage!(binds, asset_usage, buckets).statement(usage_sums!(asset_usage, of_key!(asset_usage)))
}
