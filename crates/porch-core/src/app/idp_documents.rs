//! Documents porch fetches from identity providers (`JWKS`, `OpenID` provider metadata), cached
//! in KV for a few minutes: a sign-in must not wait on the provider each time, and a key
//! rotation shows within the cache's life (or at once, when a token names an unknown key).
//! Shared by the portals' single sign-on and the console's sign-in for staff.

use crate::http::Method;
use crate::runtime::{HttpClient, KeyValue, OutboundRequest, Runtime};

/// How long a fetched document is trusted.
const CACHE_SECONDS: u64 = 600;
/// Far above any JWKS or metadata document; a larger answer is refused, not parsed.
const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

/// Whether a cached key set may be fetched anew now: once a minute per connection (a D1
/// counter), so tokens naming unknown keys cannot make porch hammer the provider.
pub async fn may_refetch<R: Runtime>(rt: &R, connection: &str) -> bool {
    crate::app::count_attempt(rt.db(), &format!("sso:refetch:{connection}"), 1, 60, rt.now()).await.is_ok()
}

/// The document at `url`, from the cache unless `refresh`; the reason as text on failure
/// (for the SSO event log: status codes and sizes, never the body).
pub async fn json_document<R: Runtime>(rt: &R, url: &str, cache_key: &str, refresh: bool) -> Result<String, String> {
    if !refresh {
        if let Ok(Some(cached)) = rt.kv().get(cache_key).await {
            return Ok(cached);
        }
    }
    let request = OutboundRequest {
        method: Method::Get,
        url: url.to_owned(),
        headers: vec![("accept".into(), "application/json".into())],
        body: None,
    };
    // One retry on a network failure (a pooled connection the provider closed, say); an
    // answer, whatever its status, is not retried.
    let response = match rt.http().send(request.clone()).await {
        Ok(response) => response,
        Err(_) => rt.http().send(request).await.map_err(|err| format!("fetching {url}: {err}"))?,
    };
    if response.status != 200 {
        return Err(format!("{url} answered {}", response.status));
    }
    if response.body.len() > MAX_DOCUMENT_BYTES {
        return Err(format!("{url} answered more than {MAX_DOCUMENT_BYTES} bytes"));
    }
    if !serde_json::from_str::<serde_json::Value>(&response.body).is_ok_and(|v| v.is_object()) {
        return Err(format!("{url} did not answer a JSON object"));
    }
    if let Err(err) = rt.kv().put(cache_key, &response.body, CACHE_SECONDS).await {
        rt.log(&format!("could not cache {url}: {err}"));
    }
    Ok(response.body)
}
