//! What the store's outbound queues (the email outbox, webhook deliveries) share: recording an
//! attempt on a claimed row, guarded by the lease it was claimed with.

use super::Statement;
use crate::params;
use crate::retry::Outcome;
use porch_types::time::Timestamp;

/// Where a queued email or webhook delivery stands, as the API shows it: the columns both
/// queue tables have, read into either row with `#[serde(flatten)]`.
#[derive(Debug, serde::Deserialize)]
pub struct QueueState {
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// One queue's three updates that record an attempt on a claimed row; `settle_sql!` writes
/// them. Each binds ?1 the tenant, ?2 the row id and ?3 the lease (`next_attempt_at` as
/// claimed); then `sent` binds ?4 now, `retry` ?4 the next attempt and ?5 the error, `failed`
/// ?4 the error.
pub struct SettleSql {
    pub sent: &'static str,
    pub retry: &'static str,
    pub failed: &'static str,
}

/// The `SettleSql` of queue table `$table`. `$also` is SQL text of ours added to the `SET` of
/// the two final outcomes (say, blanking bodies that must not outlive delivery).
macro_rules! settle_sql {
    ($table:literal, $also:literal) => {
        $crate::store::queue::SettleSql {
            sent: concat!(
                "UPDATE ",
                $table,
                " SET status = 'sent', attempts = attempts + 1, sent_at = ?4, last_error = NULL",
                $also,
                " WHERE tenant_id = ?1 AND id = ?2 AND status = 'queued' AND next_attempt_at = ?3"
            ),
            retry: concat!(
                "UPDATE ",
                $table,
                " SET attempts = attempts + 1, next_attempt_at = ?4, last_error = ?5",
                " WHERE tenant_id = ?1 AND id = ?2 AND status = 'queued' AND next_attempt_at = ?3"
            ),
            failed: concat!(
                "UPDATE ",
                $table,
                " SET status = 'failed', attempts = attempts + 1, last_error = ?4",
                $also,
                " WHERE tenant_id = ?1 AND id = ?2 AND status = 'queued' AND next_attempt_at = ?3"
            ),
        }
    };
}
pub(crate) use settle_sql;

/// Records an attempt on a claimed row. Guarded by the lease: if the lease ran out and another
/// run claimed the row meanwhile, this changes nothing and that run's word stands.
pub fn settle(sql: &SettleSql, tenant_id: &str, id: &str, lease: i64, outcome: &Outcome, now: Timestamp) -> Statement {
    let (text, mut own) = match outcome {
        Outcome::Sent => (sql.sent, params![now.millis()]),
        Outcome::Retry { at, error } => (sql.retry, params![at.millis(), error.clone()]),
        Outcome::Failed { error } => (sql.failed, params![error.clone()]),
    };
    let mut all = params![tenant_id, id, lease];
    all.append(&mut own);
    Statement::new(text, all)
}
