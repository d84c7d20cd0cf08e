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
/// time `tat` per bucket, which a request at `now` moves to `max(tat, now) + step_ms`. The
/// request fits if one more interval would still be within `capacity_ms` of now: with
/// `capacity_ms` = burst × `interval_ms` that is a sustained rate of one per interval with
/// bursts of `burst`. A `step_ms` of one interval spends a request; 0 only asks whether one
/// would fit. A request that does not fit leaves the bucket as it was.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Charge {
    pub bucket: String,
    pub step_ms: i64,
    pub interval_ms: i64,
    pub capacity_ms: i64,
}

/// A bucket after its charge.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Charged {
    pub bucket: String,
    /// When the bucket is full again; at or before now it is full.
    pub tat: i64,
    pub allowed: bool,
}

/// A row of `charge`'s `RETURNING` (`allowed` as `SQLite`'s 0 or 1).
#[derive(Deserialize)]
struct ChargedRow {
    bucket: String,
    tat: i64,
    allowed: i64,
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
    // `excluded.tat` is now + step. In DO UPDATE every right-hand side reads the row as it
    // was, so `allowed` and `tat` are decided from the same old `tat`. A `tat` more than two
    // bursts ahead cannot come from requests (they never move it past one burst ahead): only
    // from a clock that went back (another isolate's, a test's), so it counts as full rather
    // than locking the caller out for as long as the clock jumped. A new row always fits.
    let rows: Vec<ChargedRow> = db
        .query(Statement::new(
            "INSERT INTO rate_buckets (bucket, tat, interval_ms, capacity_ms, allowed)
             SELECT json_extract(c.value, '$.bucket'), ?2 + json_extract(c.value, '$.step_ms'),
                    json_extract(c.value, '$.interval_ms'), json_extract(c.value, '$.capacity_ms'), 1
             FROM json_each(?1) AS c WHERE true
             ON CONFLICT (bucket) DO UPDATE SET
                allowed = CASE WHEN tat > ?2 + 2 * excluded.capacity_ms THEN ?2 ELSE MAX(tat, ?2) END
                          + excluded.interval_ms - ?2 <= excluded.capacity_ms,
                tat = CASE WHEN tat > ?2 + 2 * excluded.capacity_ms THEN ?2 ELSE MAX(tat, ?2) END
                      + CASE WHEN CASE WHEN tat > ?2 + 2 * excluded.capacity_ms THEN ?2 ELSE MAX(tat, ?2) END
                                  + excluded.interval_ms - ?2 <= excluded.capacity_ms
                        THEN excluded.tat - ?2 ELSE 0 END,
                interval_ms = excluded.interval_ms,
                capacity_ms = excluded.capacity_ms
             RETURNING bucket, tat, allowed",
            params![list, now.millis()],
        ))
        .await?;
    Ok(rows.into_iter().map(|r| Charged { bucket: r.bucket, tat: r.tat, allowed: r.allowed != 0 }).collect())
}
