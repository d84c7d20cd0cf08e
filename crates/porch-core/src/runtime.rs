//! What the core needs from its host, as traits: the database, the cache, blob storage,
//! outbound HTTP, the clock, randomness and the log. The edge shell implements them over
//! D1/KV/R2/fetch; `store::native` implements them natively for tests and tools.

use crate::portal_context::PortalCache;
use crate::store::Database;
use porch_types::error::AppError;
use porch_types::host::Hostname;
use porch_types::time::Timestamp;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct ServiceError(pub String);

impl From<ServiceError> for AppError {
    fn from(err: ServiceError) -> AppError {
        AppError::Internal(err.0)
    }
}

/// An eventually consistent cache (Workers KV): never the place for state a second reader
/// must see at once.
#[allow(async_fn_in_trait)]
pub trait KeyValue {
    async fn get(&self, key: &str) -> Result<Option<String>, ServiceError>;
    async fn put(&self, key: &str, value: &str, ttl_seconds: u64) -> Result<(), ServiceError>;
    async fn delete(&self, key: &str) -> Result<(), ServiceError>;
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blob {
    pub bytes: Vec<u8>,
    pub content_type: String,
}

/// Object storage (R2).
#[allow(async_fn_in_trait)]
pub trait BlobStore {
    async fn put(&self, key: &str, blob: Blob) -> Result<(), ServiceError>;
    async fn get(&self, key: &str) -> Result<Option<Blob>, ServiceError>;
    async fn delete(&self, key: &str) -> Result<(), ServiceError>;
    /// Up to `limit` keys starting with `prefix`, in key order: what a tenant's erasure sweeps
    /// (it deletes what it lists, so it never needs a cursor).
    async fn list(&self, prefix: &str, limit: u32) -> Result<Vec<String>, ServiceError>;
}

#[derive(Clone, Debug)]
pub struct OutboundRequest {
    pub method: crate::http::Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

#[derive(Clone, Debug)]
pub struct OutboundResponse {
    pub status: u16,
    pub body: String,
}

/// Outbound HTTPS (fetch), for DNS-over-HTTPS, the Cloudflare API and email providers.
#[allow(async_fn_in_trait)]
pub trait HttpClient {
    async fn send(&self, request: OutboundRequest) -> Result<OutboundResponse, ServiceError>;
}

/// Settings from `wrangler.toml` vars and secrets.
#[derive(Clone, Debug)]
pub struct Config {
    /// Portals answer on `<slug>.<portal_base_domain>`.
    pub portal_base_domain: Hostname,
    /// Var `CONSOLE_HOST`: where the console answers (`console.<portal_base_domain>` unless
    /// set; `console.localhost` locally). No portal may claim it.
    pub console_host: Hostname,
    /// The operator's token (secret `PLATFORM_ADMIN_TOKEN`); None disables platform access.
    pub platform_admin_token: Option<String>,
    /// DNS-over-HTTPS JSON endpoint used to check `_porch-verify` TXT records.
    pub doh_url: String,
    /// Cloudflare for `SaaS`: when both are set, custom hostnames are registered and verified
    /// through the Cloudflare API instead of DNS-over-HTTPS.
    pub cloudflare_api_token: Option<String>,
    pub cloudflare_zone_id: Option<String>,
    /// How email leaves porch; all empty: it stays queued in the outbox.
    pub email: EmailConfig,
    /// Var `DEV_MAILBOX=on`: every queued email is readable at `/_dev/mailbox` and
    /// `GET /api/v1/dev/mailbox`. For local runs only: it shows sign-in links to anyone.
    pub dev_mailbox: bool,
    /// Secret `SSO_SEALING_KEY`: seals the SSO secrets porch must read back. None: SSO
    /// connections that need one (HS256, OIDC) cannot be saved.
    pub sso_sealing_key: Option<porch_sso::seal::SealingKey>,
    /// Var `SSO_LOOPBACK_HTTP=on`: identity provider URLs may be plain http to the loopback
    /// address. For local test identity providers only.
    pub sso_loopback_http: bool,
    /// Var `API_RATE_LIMIT_FACTOR` (a whole number, 1 by default): multiplies every burst of
    /// the admin API's rate limits (`app::api::limits`). For load tests and benchmarks, which
    /// must measure the counting without being refused by it.
    pub api_rate_limit_factor: i64,
}

/// Email delivery settings, as given; `email::delivery` decides whether they make sense,
/// so a misconfiguration is a log line per run rather than a worker that will not start.
#[derive(Clone, Debug, Default)]
pub struct EmailConfig {
    /// Var `EMAIL_PROVIDER`: `resend`, `webhook`, or empty for none.
    pub provider: Option<String>,
    /// Var `EMAIL_FROM`, e.g. `Porch <portal@example.com>`.
    pub from: Option<String>,
    /// Var `EMAIL_WEBHOOK_URL`: where the webhook provider posts each message.
    pub webhook_url: Option<String>,
    /// Secret `EMAIL_API_KEY` (Resend).
    pub api_key: Option<String>,
    /// Secret `EMAIL_WEBHOOK_SECRET`: sent as a bearer token to the webhook when set.
    pub webhook_secret: Option<String>,
}

/// Everything a request handler may touch. One value per request on the edge.
pub trait Runtime {
    type Db: Database;
    type Kv: KeyValue;
    type Blobs: BlobStore;
    type Http: HttpClient;

    fn db(&self) -> &Self::Db;
    fn kv(&self) -> &Self::Kv;
    fn blobs(&self) -> &Self::Blobs;
    fn http(&self) -> &Self::Http;
    fn config(&self) -> &Config;
    /// The in-isolate portal cache, shared by the requests one isolate serves.
    fn portal_cache(&self) -> &PortalCache;
    fn now(&self) -> Timestamp;
    fn fill_random(&self, buf: &mut [u8]) -> Result<(), ServiceError>;
    fn log(&self, line: &str);

    fn random_16(&self) -> Result<[u8; 16], ServiceError> {
        let mut bytes = [0u8; 16];
        self.fill_random(&mut bytes)?;
        Ok(bytes)
    }
}
