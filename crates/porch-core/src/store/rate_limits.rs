//! Fixed-window rate limits kept in D1: one upsert counts the attempt and returns the
//! count, so two requests at once cannot both slip under the limit (KV would be too late).

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
