//! An asset's activity as agents send and read it: batches ingested idempotently (an event
//! id the asset already has is a duplicate, not an error) and read back in time order.

use serde::Deserialize;

use super::rollups;
use crate::params;
use crate::store::{Database, DbError, Statement, Value};
use porch_types::equipment::{Activity, Payload};
use porch_types::ids::{AssetId, TenantId};
use porch_types::time::Timestamp;

/// How an ingest went: events new to the asset, and those it already had (same event id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ingested {
    pub accepted: u64,
    pub duplicates: u64,
}

/// Events per insert statement: D1 binds at most 100 parameters to one statement; three are
/// the batch's own (tenant, asset, receipt time) and each event takes seven.
const EVENTS_PER_STATEMENT: usize = 13;
const _: () = assert!(3 + EVENTS_PER_STATEMENT * 7 <= 100, "D1 binds at most 100 parameters");

/// Thirteen events a statement. A shorter last chunk is padded with rows of NULLs, which the
/// `WHERE` drops: one SQL text serves every chunk (statements are `'static`), and the WHERE
/// also settles `SQLite`'s parsing of `ON CONFLICT` after `SELECT ... FROM`.
const INSERT_EVENTS: &str = "INSERT INTO asset_activity
   (tenant_id, asset_id, at, event_id, kind, hours_milli, lat_e7, lon_e7, message, received_at)
 SELECT ?1, ?2, column1, column2, column3, column4, column5, column6, column7, ?3
 FROM (VALUES (?4, ?5, ?6, ?7, ?8, ?9, ?10), (?11, ?12, ?13, ?14, ?15, ?16, ?17),
              (?18, ?19, ?20, ?21, ?22, ?23, ?24), (?25, ?26, ?27, ?28, ?29, ?30, ?31),
              (?32, ?33, ?34, ?35, ?36, ?37, ?38), (?39, ?40, ?41, ?42, ?43, ?44, ?45),
              (?46, ?47, ?48, ?49, ?50, ?51, ?52), (?53, ?54, ?55, ?56, ?57, ?58, ?59),
              (?60, ?61, ?62, ?63, ?64, ?65, ?66), (?67, ?68, ?69, ?70, ?71, ?72, ?73),
              (?74, ?75, ?76, ?77, ?78, ?79, ?80), (?81, ?82, ?83, ?84, ?85, ?86, ?87),
              (?88, ?89, ?90, ?91, ?92, ?93, ?94))
 WHERE column1 IS NOT NULL
 ON CONFLICT DO NOTHING";

/// Records a batch of already-parsed events (ids distinct) as one atomic D1 batch, thirteen
/// rows a statement: 1,000 events are 77 statements, well inside D1's 1,000 queries per
/// invocation, and each statement costs one round of parsing instead of thirteen.
/// An event id the asset already has is skipped (`ON CONFLICT DO NOTHING`): re-sending a batch
/// after a lost answer is safe, and the counts tell the sender what happened. The foreign key
/// on (`tenant_id`, `asset_id`) means rows can only be written for an asset of this tenant.
/// The same batch then recomputes the rollups of the days the events fall on, in each of the
/// asset's rollup zones (`zones`, read with the asset: `rollups::after_ingest`), from the rows
/// as they now are: a duplicate or a late reading changes a rollup exactly as it changed the
/// readings, and the two can never disagree.
pub async fn ingest(
    db: &impl Database,
    tenant: TenantId,
    asset: AssetId,
    zones: &[String],
    events: &[Activity],
    now: Timestamp,
) -> Result<Ingested, DbError> {
    if events.is_empty() {
        return Ok(Ingested { accepted: 0, duplicates: 0 });
    }
    let mut statements = events
        .chunks(EVENTS_PER_STATEMENT)
        .map(|chunk| {
            let mut params = params![tenant.to_db(), asset.to_db(), now.millis()];
            for event in chunk {
                let (hours, lat, lon, message) = match &event.payload {
                    Payload::Hours(hours) => (Some(hours.milli()), None, None, None),
                    Payload::Position(position) => (None, Some(position.lat_e7()), Some(position.lon_e7()), None),
                    Payload::Start | Payload::Stop => (None, None, None, None),
                    Payload::Alert(message) => (None, None, None, Some(message.as_str().to_owned())),
                };
                params.extend(params![
                    event.at.millis(),
                    event.id.as_str(),
                    event.payload.kind().as_str(),
                    hours,
                    lat,
                    lon,
                    message
                ]);
            }
            params.resize(3 + EVENTS_PER_STATEMENT * 7, Value::Null);
            Statement::new(INSERT_EVENTS, params)
        })
        .collect::<Vec<_>>();
    let inserts = statements.len();
    let instants: Vec<i64> = events.iter().map(|event| event.at.millis()).collect();
    statements.extend(rollups::after_ingest(tenant, asset, zones, &instants));
    // An insert cascades nothing, so each count is exactly the rows it added.
    let accepted: u64 = db.batch(statements).await?.iter().take(inserts).sum();
    let total = u64::try_from(events.len()).unwrap_or(u64::MAX);
    Ok(Ingested { accepted, duplicates: total.saturating_sub(accepted) })
}

/// One stored activity event.
#[derive(Clone, Debug, Deserialize)]
pub struct ActivityRow {
    pub at: i64,
    pub event_id: String,
    pub kind: String,
    pub hours_milli: Option<i64>,
    pub lat_e7: Option<i64>,
    pub lon_e7: Option<i64>,
    pub message: Option<String>,
}

/// A half-open time range `[from, to)` and where a page starts inside it.
#[derive(Clone, Debug)]
pub struct ActivityRange<'a> {
    pub from: Timestamp,
    pub to: Timestamp,
    /// (at, `event_id`) of the last event of the previous page.
    pub after: Option<(i64, &'a str)>,
    pub limit: i64,
}

/// An asset's events in time order, for agents. The scan starts at the later of `from` and the
/// cursor's time, so each page is one range scan of the (asset, at) key, not a rescan from the start.
pub async fn activity(
    db: &impl Database,
    tenant: TenantId,
    asset: AssetId,
    range: &ActivityRange<'_>,
) -> Result<Vec<ActivityRow>, DbError> {
    let start = range.after.map_or(range.from.millis(), |(at, _)| at.max(range.from.millis()));
    db.query(Statement::new(
        "SELECT at, event_id, kind, hours_milli, lat_e7, lon_e7, message FROM asset_activity
         WHERE asset_id = ?2 AND tenant_id = ?1 AND at >= ?3 AND at < ?4
           AND (?5 IS NULL OR at > ?5 OR event_id > ?6)
         ORDER BY at, event_id LIMIT ?7",
        params![
            tenant.to_db(),
            asset.to_db(),
            start,
            range.to.millis(),
            range.after.map(|(at, _)| at),
            range.after.map(|(_, id)| id),
            range.limit
        ],
    ))
    .await
}
