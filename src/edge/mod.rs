//! The wasm shell: the only code that touches `worker`. It turns a `worker::Request` into the
//! core's plain request, builds the runtime over D1/KV/R2/fetch, and sends the core's
//! response back; the cron trigger runs the core's scheduled work. No decisions are made here.

mod services;

use worker::{event, Context, Env, ScheduleContext, ScheduledEvent};

use porch_core::app;
use porch_core::http::{Method, Request, Response};
use porch_core::portal_context::PortalCache;
use porch_core::runtime::{Config, EmailConfig, Runtime, ServiceError};
use porch_sso::seal::SealingKey;
use porch_types::host::Hostname;
use porch_types::time::Timestamp;
use services::{D1Db, FetchClient, KvCache, R2Blobs};

thread_local! {
    /// One per isolate, alive as long as the isolate: the in-isolate portal cache.
    static PORTAL_CACHE: &'static PortalCache = Box::leak(Box::new(PortalCache::new()));
}

struct EdgeRuntime {
    db: D1Db,
    kv: KvCache,
    blobs: R2Blobs,
    http: FetchClient,
    config: Config,
    cache: &'static PortalCache,
}

fn optional(env: &Env, name: &str, secret: bool) -> Option<String> {
    let value =
        if secret { env.secret(name).ok().map(|s| s.to_string()) } else { env.var(name).ok().map(|v| v.to_string()) };
    value.filter(|v| !v.trim().is_empty())
}

impl EdgeRuntime {
    fn from_env(env: &Env) -> worker::Result<EdgeRuntime> {
        let base = optional(env, "PORTAL_BASE_DOMAIN", false).unwrap_or_else(|| "portals.localhost".into());
        let portal_base_domain = Hostname::parse(&base)
            .map_err(|_| worker::Error::RustError(format!("PORTAL_BASE_DOMAIN {base:?} is not a hostname")))?;
        let console = optional(env, "CONSOLE_HOST", false).unwrap_or_else(|| format!("console.{base}"));
        let console_host = Hostname::parse(&console)
            .map_err(|_| worker::Error::RustError(format!("CONSOLE_HOST {console:?} is not a hostname")))?;
        Ok(EdgeRuntime {
            db: D1Db(env.d1("DB")?),
            kv: KvCache(env.kv("CACHE")?),
            blobs: R2Blobs(env.bucket("FILES")?),
            http: FetchClient,
            config: Config {
                portal_base_domain,
                console_host,
                platform_admin_token: optional(env, "PLATFORM_ADMIN_TOKEN", true),
                doh_url: optional(env, "DOH_URL", false)
                    .unwrap_or_else(|| "https://cloudflare-dns.com/dns-query".into()),
                cloudflare_api_token: optional(env, "CLOUDFLARE_API_TOKEN", true),
                cloudflare_zone_id: optional(env, "CLOUDFLARE_ZONE_ID", false),
                email: EmailConfig {
                    provider: optional(env, "EMAIL_PROVIDER", false),
                    from: optional(env, "EMAIL_FROM", false),
                    webhook_url: optional(env, "EMAIL_WEBHOOK_URL", false),
                    api_key: optional(env, "EMAIL_API_KEY", true),
                    webhook_secret: optional(env, "EMAIL_WEBHOOK_SECRET", true),
                },
                // Only the exact word turns it on: it exposes every sign-in link.
                dev_mailbox: optional(env, "DEV_MAILBOX", false).is_some_and(|v| v.trim() == "on"),
                sso_sealing_key: optional(env, "SSO_SEALING_KEY", true).and_then(|text| SealingKey::parse(&text)),
                sso_loopback_http: optional(env, "SSO_LOOPBACK_HTTP", false).is_some_and(|v| v.trim() == "on"),
                // Anything but a whole number from 1 to a million leaves the limits as written.
                api_rate_limit_factor: optional(env, "API_RATE_LIMIT_FACTOR", false)
                    .and_then(|v| v.trim().parse::<i64>().ok())
                    .filter(|factor| (1..=1_000_000).contains(factor))
                    .unwrap_or(1),
            },
            cache: PORTAL_CACHE.with(|cache| *cache),
        })
    }
}

impl Runtime for EdgeRuntime {
    type Db = D1Db;
    type Kv = KvCache;
    type Blobs = R2Blobs;
    type Http = FetchClient;

    fn db(&self) -> &D1Db {
        &self.db
    }
    fn kv(&self) -> &KvCache {
        &self.kv
    }
    fn blobs(&self) -> &R2Blobs {
        &self.blobs
    }
    fn http(&self) -> &FetchClient {
        &self.http
    }
    fn config(&self) -> &Config {
        &self.config
    }
    fn portal_cache(&self) -> &PortalCache {
        self.cache
    }
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(i64::try_from(worker::Date::now().as_millis()).unwrap_or(i64::MAX))
    }
    // The edge is where randomness enters: crypto.getRandomValues through getrandom's js backend.
    #[allow(clippy::disallowed_methods)]
    fn fill_random(&self, buf: &mut [u8]) -> Result<(), ServiceError> {
        getrandom::getrandom(buf).map_err(|e| ServiceError(e.to_string()))
    }
    fn log(&self, line: &str) {
        worker::console_error!("{line}");
    }
}

async fn to_core_request(mut req: worker::Request) -> Result<Request, Response> {
    let method = Method::parse(req.method().as_ref()).ok_or_else(|| Response::text(405, "method not allowed"))?;
    let url = req.url().map_err(|_| Response::text(400, "bad url"))?;
    let declared = req.headers().get("content-length").ok().flatten().and_then(|v| v.parse::<usize>().ok());
    let content_type = req.headers().get("content-type").ok().flatten();
    let reader = app::BodyReader::new(method, url.path(), content_type.as_deref(), declared)?;
    let (body, set_aside) = match method {
        Method::Get | Method::Head | Method::Options => (Vec::new(), Vec::new()),
        _ => read_body(&mut req, reader).await?,
    };
    Ok(Request {
        method,
        path: url.path().to_owned(),
        query: url.query().unwrap_or("").to_owned(),
        headers: req.headers().entries().map(|(name, value)| (name.to_ascii_lowercase(), value)).collect(),
        body,
        set_aside,
    })
}

/// The body, chunk by chunk through `reader`, refused as soon as it passes what the route
/// may send or hold: a body sent without Content-Length (chunked) is never held beyond the
/// cap, so it cannot fill the isolate's memory.
async fn read_body(
    req: &mut worker::Request,
    mut reader: app::BodyReader,
) -> Result<(Vec<u8>, Vec<porch_core::upload::SetAside>), Response> {
    use futures_util::StreamExt;
    // A POST without a body has no stream: an empty body.
    let Ok(mut stream) = req.stream() else {
        return Ok((Vec::new(), Vec::new()));
    };
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| Response::text(400, "unreadable body"))?;
        reader.push(&chunk)?;
    }
    reader.finish()
}

fn to_worker_response(response: Response) -> worker::Result<worker::Response> {
    let headers = worker::Headers::new();
    for (name, value) in &response.headers {
        headers.append(name, value)?;
    }
    let body = if response.body.is_empty() {
        worker::Response::empty()?
    } else {
        worker::Response::from_bytes(response.body)?
    };
    Ok(body.with_status(response.status).with_headers(headers))
}

#[event(fetch)]
async fn fetch(req: worker::Request, env: Env, _ctx: Context) -> worker::Result<worker::Response> {
    console_error_panic_hook::set_once();
    let rt = EdgeRuntime::from_env(&env)?;
    let response = match to_core_request(req).await {
        Ok(request) => app::handle(&rt, request).await,
        Err(refused) => refused,
    };
    to_worker_response(response)
}

/// The cron trigger (`[triggers]` in wrangler.toml): email delivery and housekeeping.
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    console_error_panic_hook::set_once();
    match EdgeRuntime::from_env(&env) {
        Ok(rt) => app::scheduled::run(&rt).await,
        Err(err) => worker::console_error!("scheduled run could not start: {err}"),
    }
}
