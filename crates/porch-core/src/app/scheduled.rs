//! The cron trigger's work, once a minute: deliver due emails and webhook events, then sweep
//! what has expired; then a share of a tenant's erasure and of an export (`app::lifecycle`);
//! then the activity rollups of a few assets that lack a zone of their portals'.

use crate::app::lifecycle;
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
    lifecycle_share(rt).await;
    match crate::store::equipment::catch_up_rollups(rt.db()).await {
        Ok(0) => {}
        Ok(rebuilt) => rt.log(&format!("rebuilt the activity rollups of {rebuilt} assets")),
        Err(err) => rt.log(&format!("activity rollups failed: {err}")),
    }
}

/// One bounded share of the oldest tenant erasure and of the oldest export. A failure is
/// recorded on its job (and logged) and the next run resumes it.
pub async fn lifecycle_share<R: Runtime>(rt: &R) {
    match lifecycle::erase_some(rt).await {
        Ok(lifecycle::Erased::Nothing) => {}
        Ok(done) => rt.log(&format!("tenant erasure: {done:?}")),
        Err(err) => rt.log(&format!("tenant erasure failed: {}", lifecycle::detail(&err))),
    }
    if let Err(err) = lifecycle::export_some(rt).await {
        rt.log(&format!("tenant export failed: {}", lifecycle::detail(&err)));
    }
}
