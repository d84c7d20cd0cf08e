//! The cron trigger's work, once a minute: deliver due emails and webhook events, then sweep
//! what has expired.

use crate::email::delivery;
use crate::runtime::Runtime;
use crate::store::housekeeping;

/// Emails sent per run: at one provider request each, a run stays well inside its time.
const EMAILS_PER_RUN: i64 = 50;
/// Webhook deliveries per run, on the same reckoning.
const WEBHOOKS_PER_RUN: i64 = 50;

pub async fn run<R: Runtime>(rt: &R) {
    delivery::deliver_due(rt, EMAILS_PER_RUN).await;
    crate::webhooks::delivery::deliver_due(rt, WEBHOOKS_PER_RUN).await;
    match housekeeping::purge_expired(rt.db(), rt.now()).await {
        Ok(purged) if purged == housekeeping::Purged::default() => {}
        Ok(purged) => rt.log(&format!("purged {purged:?}")),
        Err(err) => rt.log(&format!("purge failed: {err}")),
    }
}
