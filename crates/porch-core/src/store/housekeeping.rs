//! Removing what has expired: sessions, one-time links, unconfirmed registrations,
//! rate-limit windows and buckets, previews,
//! long-sent emails, long-settled webhook deliveries, spent SSO replay keys, abandoned SSO
//! sign-ins and old SSO events; custom-domain claims past their seven days are marked failed.
//! These sweep every tenant at once on purpose: they run from the cron trigger, not for a
//! caller, and each row's own expiry is the whole condition.

use super::{domains, Database, DbError, Statement};
use crate::params;
use porch_types::time::Timestamp;

const DAY_SECONDS: i64 = 24 * 60 * 60;
/// Expired links, previews and rate-limit windows are kept a day, so a person who clicks an
/// old link a moment late, or an operator looking into one, still finds the record.
const GRACE_SECONDS: i64 = DAY_SECONDS;
/// Sent emails stay listed by the emails API for this long, and settled webhook deliveries
/// by the deliveries API.
const SETTLED_SECONDS: i64 = 30 * DAY_SECONDS;

/// How many rows each sweep removed, in the order of `purge_expired`'s statements.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub staff_sessions: u64,
    pub reset_tokens: u64,
    pub registrations: u64,
    pub rate_limits: u64,
    pub rate_buckets: u64,
    pub previews: u64,
    pub sent_emails: u64,
    pub webhook_deliveries: u64,
    pub sso_replay: u64,
    pub sso_requests: u64,
    pub staff_sso_requests: u64,
    pub sso_events: u64,
    /// Claims marked failed, not removed: see `domains::expire_statement`.
    pub expired_domain_claims: u64,
}

/// Deletes everything that expired, as one atomic batch.
pub async fn purge_expired(db: &impl Database, now: Timestamp) -> Result<Purged, DbError> {
    let grace = now.plus_seconds(-GRACE_SECONDS).millis();
    let settled = now.plus_seconds(-SETTLED_SECONDS).millis();
    let changed = db
        .batch(
            vec![
                // Sessions go the moment they expire: an expired session is useless.
                Statement::new("DELETE FROM sessions WHERE expires_at < ?1", params![now.millis()]),
                // The console's too, with a set-up's sealed pending secret.
                Statement::new("DELETE FROM staff_sessions WHERE expires_at < ?1", params![now.millis()]),
                Statement::new("DELETE FROM reset_tokens WHERE expires_at < ?1", params![grace]),
                // Unconfirmed registrations hold a password hash: they go a day after expiry.
                Statement::new("DELETE FROM registrations WHERE expires_at < ?1", params![grace]),
                Statement::new("DELETE FROM rate_limits WHERE window_start < ?1", params![grace]),
                // A GCRA bucket whose time has passed is full, the same as no row: it goes at once.
                Statement::new("DELETE FROM rate_buckets WHERE tat <= ?1", params![now.millis()]),
                // Their "view as" sessions go with them (ON DELETE CASCADE).
                Statement::new("DELETE FROM previews WHERE expires_at < ?1", params![grace]),
                Statement::new("DELETE FROM outbox WHERE status = 'sent' AND sent_at < ?1", params![settled]),
                // Failed ones go too, unlike emails: each holds a copy of a customer's words, and an
                // endpoint that is down for good would otherwise add a row per event for ever.
                Statement::new(
                    "DELETE FROM webhook_deliveries WHERE status IN ('sent', 'failed') AND created_at < ?1",
                    params![settled],
                ),
                // A replay key is useless once its token or assertion has expired anyway.
                Statement::new("DELETE FROM sso_replay WHERE expires_at < ?1", params![now.millis()]),
                Statement::new("DELETE FROM sso_requests WHERE expires_at < ?1", params![grace]),
                Statement::new("DELETE FROM staff_sso_requests WHERE expires_at < ?1", params![grace]),
                Statement::new("DELETE FROM sso_events WHERE at < ?1", params![settled]),
            ]
            .into_iter()
            .chain(domains::expire_statements(now))
            .collect(),
        )
        .await?;
    let mut counts = changed.into_iter();
    let mut next = || counts.next().unwrap_or(0);
    Ok(Purged {
        sessions: next(),
        staff_sessions: next(),
        reset_tokens: next(),
        registrations: next(),
        rate_limits: next(),
        rate_buckets: next(),
        previews: next(),
        sent_emails: next(),
        webhook_deliveries: next(),
        sso_replay: next(),
        sso_requests: next(),
        staff_sso_requests: next(),
        sso_events: next(),
        // The expired claims' audit entries come first; the claims marked are the update's.
        expired_domain_claims: {
            next();
            next()
        },
    })
}

/// Whether the database answers a one-row query: the `/healthz/db` route, and the floor
/// every page that reads D1 is measured against.
pub async fn answers(db: &impl Database) -> Result<bool, DbError> {
    #[derive(serde::Deserialize)]
    struct One {
        ok: i64,
    }
    let row: Option<One> = db.query_one(Statement::new("SELECT 1 AS ok", Vec::new())).await?;
    Ok(matches!(row, Some(One { ok: 1 })))
}
