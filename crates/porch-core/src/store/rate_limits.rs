//! Rate limits kept in D1, where every isolate sees the same count (KV would be too late):
//! the portal's fixed windows (one upsert counts the attempt and returns the count, so two
//! requests at once cannot both slip under the limit) and the admin API's GCRA buckets
//! (a sustained rate and a burst, several buckets charged by one statement).

use serde::Deserialize;

use super::{Database, DbError, Statement};
use crate::params;
use porch_types::time::Timestamp;

/// The start of the window containing `now`.
fn window_start(window_ms: i64, now: Timestamp) -> i64 {
    now.millis() - now.millis().rem_euclid(window_ms.max(1))
}

#[derive(Deserialize)]
struct Hits {
    hits: i64,
}

/// Gives back one attempt counted in `bucket` in the window containing `now`.
pub fn forgive(bucket: &str, window_ms: i64, now: Timestamp) -> Statement {
    Statement::new(
        "UPDATE rate_limits SET hits = MAX(hits - 1, 0) WHERE bucket = ?1 AND window_start = ?2",
        params![bucket, window_start(window_ms, now)],
    )
}

/// Counts one attempt in `bucket` for the window containing `now`; returns the attempts so
/// far in that window, this one included.
pub async fn hit(db: &impl Database, bucket: &str, window_ms: i64, now: Timestamp) -> Result<i64, DbError> {
    let window_start = window_start(window_ms, now);
    let row: Option<Hits> = db
        .query_one(Statement::new(
            "INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?1, ?2, 1)
             ON CONFLICT (bucket) DO UPDATE SET
                hits = CASE WHEN window_start = excluded.window_start THEN hits + 1 ELSE 1 END,
                window_start = excluded.window_start
             RETURNING hits",
            params![bucket, window_start],
        ))
        .await?;
    Ok(row.map_or(1, |h| h.hits))
}

/// One bucket to charge: GCRA (the generic cell rate algorithm) keeps a theoretical arrival
/// time `tat` per bucket. A request at `now` moves it to `max(tat, now) + step_ms`, and fits
/// if that is at most `limit_ms` past now; one that does not fit leaves the bucket as it was.
/// With `step_ms` = one emission interval T and `limit_ms` = burst × T this is a sustained
/// rate of one per T with bursts of `burst`; with `step_ms` 0 and `limit_ms` (burst − 1) × T
/// it only asks whether one more step would fit, spending nothing.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Charge {
    pub bucket: String,
    pub step_ms: i64,
    pub limit_ms: i64,
}

/// A bucket after its charge.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Charged {
    pub bucket: String,
    /// When the bucket is full again; at or before now it is full.
    pub tat: i64,
    pub allowed: bool,
}

/// Charges every bucket of `charges` at `now` in one statement, so one round trip counts a
/// request against all its limits atomically. Each bucket decides for itself: a request one
/// bucket refuses is still counted by the others that had room (it was made, after all).
/// The buckets travel as one JSON parameter because the SQL text is fixed. The answer may
/// come in any order (`RETURNING` promises none).
pub async fn charge(db: &impl Database, charges: &[Charge], now: Timestamp) -> Result<Vec<Charged>, DbError> {
    if charges.is_empty() {
        return Ok(Vec::new());
    }
    let list = serde_json::to_string(charges).map_err(|err| DbError::Other(err.to_string()))?;
    #[derive(Deserialize)]
    struct Row {
        bucket: String,
        tat: i64,
        allowed: i64,
    }
    // In DO UPDATE every right-hand side reads the row as it was, so `allowed` and `tat`
    // are decided from the same old `tat`. A new row always fits: step <= limit.
    let rows: Vec<Row> = db
        .query(Statement::new(
            "INSERT INTO rate_buckets (bucket, tat, step_ms, limit_ms, allowed)
             SELECT json_extract(c.value, '$.bucket'), ?2 + json_extract(c.value, '$.step_ms'),
                    json_extract(c.value, '$.step_ms'), json_extract(c.value, '$.limit_ms'), 1
             FROM json_each(?1) AS c WHERE true
             ON CONFLICT (bucket) DO UPDATE SET
                allowed = MAX(tat, ?2) + excluded.step_ms - ?2 <= excluded.limit_ms,
                tat = CASE WHEN MAX(tat, ?2) + excluded.step_ms - ?2 <= excluded.limit_ms
                      THEN MAX(tat, ?2) + excluded.step_ms ELSE tat END,
                step_ms = excluded.step_ms,
                limit_ms = excluded.limit_ms
             RETURNING bucket, tat, allowed",
            params![list, now.millis()],
        ))
        .await?;
    Ok(rows.into_iter().map(|r| Charged { bucket: r.bucket, tat: r.tat, allowed: r.allowed != 0 }).collect())
}
