//! Rollups of an asset's activity per local day of a time zone (migration 0019): what a
//! report needs of a day (highest and lowest hours reading, counts of starts, stops and
//! alerts, its first and last instant), kept for the zones an asset is reported in. Each row
//! is recomputed from the readings in the ingest's own batch, after its inserts, so a rollup
//! always equals the sums of its day's readings: duplicates and late or out-of-order readings
//! change exactly what the readings change. `reports` reads them.

use serde::Deserialize;

use super::positions::{pos, positions, Binds};
use super::reports::{bind_offsets, local_time};
use crate::params;
use crate::store::{Database, DbError, Statement};
use porch_types::ids::{AssetId, TenantId};
use porch_types::time::Timestamp;
use porch_types::time_zone::TimeZone;
use porch_types::usage::{offsets, Offsets, MAX_CHANGES};

const DAY_MS: i64 = 86_400_000;

/// Farther than any offset from UTC (they run from -12:00 to +14:00): a local day's events
/// lie within this of its midnights read as UTC.
const MARGIN_MS: i64 = 15 * 3_600_000;

/// The most local days one recomputing statement covers: its window then holds at most two
/// offset changes of a yearly rule, well inside the `MAX_CHANGES` its CASE has room for.
const MAX_RUN_DAYS: i64 = 180;
const _: () = assert!(MAX_CHANGES >= 2, "a run of 180 days may cross two offset changes");

/// A zone as rollups name it (and the SQL of `portal_zones` writes it): the IANA name, or
/// the minutes east of UTC of a fixed offset.
pub fn zone_key(zone: TimeZone) -> String {
    zone.name().map_or_else(|| zone.standard_minutes().to_string(), str::to_owned)
}

/// The zone a rollup key names; None for a name the built-in table does not know.
pub fn zone_of_key(key: &str) -> Option<TimeZone> {
    match key.parse::<i64>() {
        Ok(minutes) => TimeZone::fixed(minutes).ok(),
        Err(_) => TimeZone::named(key),
    }
}

/// The zones of the portals of tenant `$tenant`, as rollup keys (`zone`: a portal's zone
/// name, else its minutes).
macro_rules! portal_zones {
    ($tenant:expr) => {
        concat!(
            "SELECT DISTINCT coalesce(p.time_zone_name, CAST(p.time_zone AS TEXT)) AS zone FROM portals p WHERE p.tenant_id = ",
            $tenant
        )
    };
}

/// Lists a new asset's rollup zones: those of its tenant's portals. It has no activity yet,
/// so its rollups are complete in each (none are due). Runs after the asset's insert.
pub fn register_new_asset(tenant: TenantId, asset: AssetId) -> Statement {
    Statement::new(
        concat!(
            "INSERT INTO asset_rollup_zones (tenant_id, asset_id, zone) SELECT ?1, ?2, zone FROM (",
            portal_zones!("?1"),
            ")"
        ),
        params![tenant.to_db(), asset.to_db()],
    )
}

/// The zones whose rollups an asset has (`zone` each): its tenant's `?1`, by its key `?2`.
pub fn zones_of_asset(tenant: TenantId, key: &str) -> Statement {
    Statement::new(
        "SELECT z.zone FROM asset_rollup_zones z JOIN assets a ON a.tenant_id = z.tenant_id AND a.id = z.asset_id
         WHERE a.tenant_id = ?1 AND a.asset_key = ?2 ORDER BY z.zone",
        params![tenant.to_db(), key],
    )
}

positions! {
    /// `recompute`: the asset, the zone, the window `[lo, hi)` read, the days `[first_day,
    /// end_day)` written, and the window's offsets (`local_time!`).
    recompute {
        tenant = 1, asset = 2, zone = 3, lo = 4, hi = 5, first_day = 6, end_day = 7,
        at1 = 8, offset1 = 9, at2 = 10, offset2 = 11, at3 = 12, offset3 = 13, at4 = 14, offset4 = 15,
        first_offset = 16,
    }
}

/// Writes the rollups of the local days `[first_day, end_day)` in `zone` from the asset's
/// readings: the window read holds every reading of those days (`MARGIN_MS` either side), and
/// a day is `local_time!` / 24 h, the report's arithmetic. A day that has a row keeps it,
/// replaced whole; one with no readings gets none (readings are never deleted alone, so no
/// row can outlive its readings).
const RECOMPUTE: &str = concat!(
    "INSERT INTO asset_rollups (tenant_id, asset_id, zone, day, first_at, last_at, hours_max, hours_min,
                                starts, stops, alerts)
     SELECT ",
    pos!(recompute, tenant),
    ", ",
    pos!(recompute, asset),
    ", ",
    pos!(recompute, zone),
    ", day, min(at), max(at), max(hours_milli), min(hours_milli),
            sum(kind = 'start'), sum(kind = 'stop'), sum(kind = 'alert')
     FROM (SELECT e.at, e.kind, e.hours_milli, CAST(",
    local_time!(recompute),
    " / 86400000 AS INTEGER) AS day FROM asset_activity e WHERE e.asset_id = ",
    pos!(recompute, asset),
    " AND e.tenant_id = ",
    pos!(recompute, tenant),
    " AND e.at >= ",
    pos!(recompute, lo),
    " AND e.at < ",
    pos!(recompute, hi),
    ")
     WHERE day >= ",
    pos!(recompute, first_day),
    " AND day < ",
    pos!(recompute, end_day),
    " GROUP BY day
     ON CONFLICT (tenant_id, asset_id, zone, day) DO UPDATE SET
       first_at = excluded.first_at, last_at = excluded.last_at, hours_max = excluded.hours_max,
       hours_min = excluded.hours_min, starts = excluded.starts, stops = excluded.stops, alerts = excluded.alerts"
);

/// The statements that rewrite the rollups of `days` (local days of `zone`, ascending, no
/// repeats) from the readings: one per stretch of at most `MAX_RUN_DAYS` days from a touched
/// day, so a batch scattered over many days costs a statement per stretch, not per day (D1
/// caps the statements of an invocation). A stretch also rewrites the untouched days in it,
/// each to what it already holds.
fn recompute_days(tenant: TenantId, asset: AssetId, zone: TimeZone, days: &[i64]) -> Vec<Statement> {
    let key = zone_key(zone);
    let mut statements = Vec::new();
    let mut rest = days;
    while let Some(&first) = rest.first() {
        let run = rest.partition_point(|day| *day < first + MAX_RUN_DAYS);
        let last = rest.get(..run).and_then(<[i64]>::last).copied().unwrap_or(first);
        rest = rest.get(run..).unwrap_or_default();
        let (lo, hi) = (first * DAY_MS - MARGIN_MS, (last + 1) * DAY_MS + MARGIN_MS);
        let window: Offsets = offsets(zone, Timestamp::from_millis(lo), Timestamp::from_millis(hi));
        let binds = Binds::default()
            .at(recompute!(tenant), tenant.to_db())
            .at(recompute!(asset), asset.to_db())
            .at(recompute!(zone), key.as_str())
            .at(recompute!(lo), lo)
            .at(recompute!(hi), hi)
            .at(recompute!(first_day), first)
            .at(recompute!(end_day), last + 1);
        statements.push(bind_offsets!(binds, recompute, window).statement(RECOMPUTE));
    }
    statements
}

/// The local day of `at` in `zone`: `local_time!` / 24 h, rounded down.
fn local_day(zone: TimeZone, at: i64) -> i64 {
    (at + zone.offset_ms(Timestamp::from_millis(at))).div_euclid(DAY_MS)
}

/// The statements an ingest of events at `instants` adds after its inserts: the rollups of
/// every local day they touch, in each of the asset's rollup zones (`zones`, as read before
/// the batch), recomputed; then every zone listed since that read is unlisted, since this
/// batch did not keep its rollups (its reports read raw readings until a rebuild lists it
/// again: `catch_up`). A listed name the built-in table no longer knows stays listed, with
/// nothing to keep: no report is in a zone of that name (its portal's pages fall back to the
/// standard offset, a zone of its own).
pub fn after_ingest(tenant: TenantId, asset: AssetId, zones: &[String], instants: &[i64]) -> Vec<Statement> {
    let mut statements = Vec::new();
    for zone in zones.iter().filter_map(|key| zone_of_key(key)) {
        let mut days: Vec<i64> = instants.iter().map(|at| local_day(zone, *at)).collect();
        days.sort_unstable();
        days.dedup();
        statements.extend(recompute_days(tenant, asset, zone, &days));
    }
    statements.push(Statement::new(
        "DELETE FROM asset_rollup_zones
         WHERE tenant_id = ?1 AND asset_id = ?2 AND zone NOT IN (SELECT value FROM json_each(?3))",
        params![tenant.to_db(), asset.to_db(), serde_json::Value::from(zones.to_vec()).to_string()],
    ));
    statements
}

/// An asset to rebuild, a row of `REBUILD_PLAN`: its tenant and id, the instants of its
/// first and last reading (None without any), and the zones to roll up (its tenant's
/// portals', a JSON array of rollup keys).
#[derive(Clone, Debug, Deserialize)]
pub struct RebuildRow {
    pub tenant_id: TenantId,
    pub asset_id: AssetId,
    pub first_at: Option<i64>,
    pub last_at: Option<i64>,
    pub zones: String,
}

/// The statements that rebuild an asset's rollups from its readings, as one unit of work: its
/// rollups and zones dropped, every local day of its history recomputed in each zone the
/// table knows, and the zones listed. Run as one batch, so an ingest cannot interleave (one
/// that read the old list unlists what it did not keep: `catch_up` lists it again).
pub fn rebuild(row: &RebuildRow) -> Vec<Statement> {
    let (tenant, id) = (row.tenant_id, row.asset_id);
    let keys: Vec<String> = serde_json::from_str(&row.zones).unwrap_or_default();
    let mut statements = vec![
        Statement::new(
            "DELETE FROM asset_rollups WHERE tenant_id = ?1 AND asset_id = ?2",
            params![tenant.to_db(), id.to_db()],
        ),
        Statement::new(
            "DELETE FROM asset_rollup_zones WHERE tenant_id = ?1 AND asset_id = ?2",
            params![tenant.to_db(), id.to_db()],
        ),
    ];
    for key in &keys {
        if let (Some(zone), Some(first), Some(last)) = (zone_of_key(key), row.first_at, row.last_at) {
            let days: Vec<i64> = (local_day(zone, first)..=local_day(zone, last)).collect();
            statements.extend(recompute_days(tenant, id, zone, &days));
        }
        statements.push(Statement::new(
            "INSERT INTO asset_rollup_zones (tenant_id, asset_id, zone) VALUES (?1, ?2, ?3)",
            params![tenant.to_db(), id.to_db(), key.as_str()],
        ));
    }
    statements
}

/// `RebuildRow`s of the assets `a` that pass `$filter`, by tenant and id.
macro_rules! rebuild_plan {
    ($filter:expr) => {
        concat!(
            "SELECT a.tenant_id, a.id AS asset_id,
                    (SELECT min(e.at) FROM asset_activity e WHERE e.asset_id = a.id) AS first_at,
                    (SELECT max(e.at) FROM asset_activity e WHERE e.asset_id = a.id) AS last_at,
                    (SELECT json_group_array(zone) FROM (",
            portal_zones!("a.tenant_id"),
            ")) AS zones
             FROM assets a WHERE ",
            $filter,
            " ORDER BY a.tenant_id, a.id"
        )
    };
}

/// Every asset, for a rebuild of everything (`scripts/rollups`).
pub const REBUILD_PLAN: &str = rebuild_plan!("1");

/// The assets that lack the rollups of a zone of one of their tenant's portals (a new portal,
/// one that changed its zone, an asset whose zone an ingest unlisted, existing data when
/// migration 0019 came): at most `?1`.
const STALE: &str = concat!(
    rebuild_plan!(concat!(
        "EXISTS (SELECT 1 FROM (",
        portal_zones!("a.tenant_id"),
        ") p WHERE NOT EXISTS (SELECT 1 FROM asset_rollup_zones z
                               WHERE z.tenant_id = a.tenant_id AND z.asset_id = a.id AND z.zone = p.zone))"
    )),
    " LIMIT ?1"
);

/// Assets rebuilt per scheduled run: each is one batch recomputing its history.
const REBUILDS_PER_RUN: i64 = 20;

/// Rebuilds the rollups of up to `REBUILDS_PER_RUN` assets that lack a zone of their
/// tenant's portals (`STALE`), one batch each; how many. Run by the scheduled handler, so
/// rollups follow portals' zones by themselves, a few minutes behind; until then those
/// reports read raw readings, as correct and slower.
pub async fn catch_up(db: &impl Database) -> Result<usize, DbError> {
    let stale: Vec<RebuildRow> = db.query(Statement::new(STALE, params![REBUILDS_PER_RUN])).await?;
    for row in &stale {
        db.batch(rebuild(row)).await?;
    }
    Ok(stale.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Value;

    fn ids() -> (TenantId, AssetId) {
        (TenantId::from_random([1; 16]), AssetId::from_random([2; 16]))
    }

    /// The days `[first_day, end_day)` a recomputing statement writes.
    fn stretch(statement: &Statement) -> (i64, i64) {
        let int = |name: usize| match statement.params.get(name - 1) {
            Some(Value::Int(n)) => *n,
            other => panic!("{other:?}"),
        };
        (int(recompute!(first_day)), int(recompute!(end_day)))
    }

    #[test]
    fn a_scattered_batch_recomputes_a_stretch_per_180_days_not_a_statement_per_day() {
        let (tenant, asset) = ids();
        let days = [0, 1, 100, 179, 180, 5000];
        let statements = recompute_days(tenant, asset, TimeZone::UTC, &days);
        assert_eq!(statements.iter().map(stretch).collect::<Vec<_>>(), [(0, 180), (180, 181), (5000, 5001)]);
    }

    #[test]
    fn zone_keys_name_a_zone_or_its_minutes_and_unknown_names_none() {
        let copenhagen = TimeZone::named("Europe/Copenhagen").unwrap();
        assert_eq!(zone_key(copenhagen), "Europe/Copenhagen");
        assert_eq!(zone_key(TimeZone::fixed(-210).unwrap()), "-210");
        assert_eq!(zone_of_key("Europe/Copenhagen"), Some(copenhagen));
        assert_eq!(zone_of_key("-210"), TimeZone::fixed(-210).ok());
        assert_eq!(zone_of_key("Atlantis/Capital"), None);
    }

    #[test]
    fn an_ingest_unlists_the_zones_it_did_not_read_and_keeps_unknown_names_listed() {
        let (tenant, asset) = ids();
        let zones = ["Europe/Copenhagen".to_owned(), "Atlantis/Capital".to_owned()];
        let statements = after_ingest(tenant, asset, &zones, &[86_400_000 * 20_000]);
        assert_eq!(statements.len(), 2, "one stretch in the zone the table knows, then the unlisting");
        let kept = statements.last().and_then(|s| s.params.get(2)).cloned();
        assert_eq!(kept, Some(Value::from(r#"["Europe/Copenhagen","Atlantis/Capital"]"#)));
    }
}
