//! Host header -> portal. D1 is the truth; KV caches host -> portal for every isolate; an
//! in-isolate map with a short TTL (`portal_context::PortalCache`) sits in front, so a warm
//! request resolves its portal and its rendered theme CSS without any I/O.

use std::rc::Rc;

use crate::portal_context::{PortalContext, ResolvedPortal};
use crate::runtime::{KeyValue, Runtime};
use crate::store::{self, PortalScope};
use porch_types::error::AppError;
use porch_types::host::Hostname;

/// KV entries are rewritten on every change. The TTL bounds the damage of the one race
/// that can leave a stale entry (an isolate filling KV from a D1 read that a concurrent
/// change then outdates): five minutes, not a day.
const KV_TTL_SECONDS: u64 = 300;

fn kv_key(host: &str) -> String {
    // v7: the time zone may be an IANA name (v6: the time zone, v5: the start page and
    // navigation, v4: the portal's apps, v3: the ticket settings, v2: the access settings);
    // older entries are simply never read again.
    format!("portal:v7:{host}")
}

/// The portal a host names, if any.
pub async fn resolve<R: Runtime>(rt: &R, host: &Hostname) -> Result<Option<Rc<ResolvedPortal>>, AppError> {
    let now = rt.now();
    if let Some(cached) = rt.portal_cache().get(host.as_str(), now) {
        return Ok(cached);
    }
    let from_kv = match rt.kv().get(&kv_key(host.as_str())).await {
        Ok(Some(text)) => serde_json::from_str::<PortalContext>(&text).ok(),
        Ok(None) => None,
        Err(err) => {
            // KV is only a cache: fall through to D1.
            rt.log(&format!("kv get failed for {host}: {err}"));
            None
        }
    };
    let context = if let Some(context) = from_kv {
        Some(context)
    } else {
        let loaded = load(rt, host).await?;
        if let Some(context) = loaded.as_ref().filter(|c| c.enabled) {
            write_kv(rt, host.as_str(), context).await;
        }
        loaded
    };
    let resolved = context.map(|c| Rc::new(ResolvedPortal::new(c)));
    rt.portal_cache().put(host.as_str(), resolved.clone(), now);
    Ok(resolved)
}

async fn write_kv<R: Runtime>(rt: &R, host: &str, context: &PortalContext) {
    match serde_json::to_string(context) {
        Ok(text) => {
            if let Err(err) = rt.kv().put(&kv_key(host), &text, KV_TTL_SECONDS).await {
                rt.log(&format!("kv put failed for {host}: {err}"));
            }
        }
        Err(err) => rt.log(&format!("portal context did not serialise: {err}")),
    }
}

/// After a change: reload each host from D1, rewrite its KV entry (or delete it when the
/// portal is gone or disabled) and drop this isolate's copy.
pub async fn refresh_hosts<R: Runtime>(rt: &R, hosts: &[Hostname]) -> Result<(), AppError> {
    // Every host is attempted even when one fails, so one bad entry cannot leave the others stale.
    let mut first_error = None;
    for host in hosts {
        rt.portal_cache().forget(host.as_str());
        match load(rt, host).await {
            Ok(Some(context)) if context.enabled => write_kv(rt, host.as_str(), &context).await,
            Ok(_) => {
                if let Err(err) = rt.kv().delete(&kv_key(host.as_str())).await {
                    rt.log(&format!("kv delete failed for {host}: {err}"));
                }
            }
            Err(err) => {
                // Without fresh data the cached copy must not outlive the change.
                let _ = rt.kv().delete(&kv_key(host.as_str())).await;
                first_error.get_or_insert(err);
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// The platform subdomain of a portal slug.
pub fn platform_host<R: Runtime>(rt: &R, slug: &str) -> Option<Hostname> {
    Hostname::parse(&format!("{slug}.{}", rt.config().portal_base_domain)).ok()
}

/// Reads a host's portal from D1.
async fn load<R: Runtime>(rt: &R, host: &Hostname) -> Result<Option<PortalContext>, AppError> {
    Ok(store::portal_context::for_host(rt.db(), &rt.config().portal_base_domain, host).await?)
}

/// A portal's context straight from D1 by its ids, for the admin API: what its pages will
/// use once the cache is refreshed.
pub async fn load_portal<R: Runtime>(rt: &R, scope: PortalScope) -> Result<Option<PortalContext>, AppError> {
    Ok(store::portal_context::for_portal(rt.db(), scope).await?)
}
