//! Test helpers: a fresh app per test (real `SQLite` schema, in-memory KV and blobs, canned
//! HTTP, a clock the test moves) and small wrappers to drive the API and the portal pages.

// Not every test file drives a portal page.
#[allow(dead_code)]
pub mod browser;
pub mod fleet;
pub mod openapi;

use porch_core::http::{Method, Request, Response};
use porch_core::store::{Database, Statement, Value};
use porch_native::NativeRuntime;
use serde_json::json;

use self::browser::Browser;

/// The operator's token in tests: long enough to be accepted (32+ characters).
pub const PLATFORM_TOKEN: &str = "test-platform-token-0123456789abcdefghij";

/// Colours that pass WCAG AA everywhere.
pub fn good_colors() -> serde_json::Value {
    json!({
        "primary": "#1d4ed8",
        "menu": "#111827",
        "notification": "#b45309",
        "background": "#ffffff",
        "text": "#1f2937"
    })
}

/// A valid 1x1 RGBA PNG (signature, IHDR, IDAT, IEND with correct CRCs).
pub const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0b, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x02, 0x00, 0x00, 0x05, 0x00, 0x01, 0x7a, 0x5e, 0xab, 0x3f, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

pub struct TestApp {
    pub rt: NativeRuntime,
}

/// A portal's platform host (`<slug>.portals.localhost`).
pub fn platform_host(slug: &str) -> String {
    format!("{slug}.portals.localhost")
}

/// A provider for tests: a fresh app with one tenant, its key and one customer ("Alpha").
pub struct Provider {
    pub app: TestApp,
    pub tenant: String,
    pub key: String,
    pub customer: String,
}

pub fn provider() -> Provider {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let customer = app.new_customer(&key, &tenant, "Alpha");
    Provider { app, tenant, key, customer }
}

impl Provider {
    /// An admin API call with the tenant's key on `/api/v1/tenants/<tenant><rest>`.
    pub fn call(&self, method: Method, rest: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        self.app.api_as(Some(&self.key), method, &format!("/api/v1/tenants/{}{rest}", self.tenant), body)
    }

    /// A pipeline "Support" (New, Solved), which a portal's support form needs to file into;
    /// its id.
    pub fn support_pipeline(&self) -> String {
        self.support_pipeline_named("Support")
    }

    /// A pipeline `name` with the stages New and Solved; its id.
    pub fn support_pipeline_named(&self, name: &str) -> String {
        let body = json!({ "name": name, "stages": [{ "name": "New" }, { "name": "Solved", "closed": true }] });
        let (status, created) = self.call(Method::Post, "/pipelines", &body);
        assert_eq!(status, 201, "{created}");
        created["pipeline"]["id"].as_str().unwrap().to_owned()
    }

    /// A signed-in browser of a new member of `customer` (None: of no company) on the portal
    /// `portal` (platform host of `slug`), joined by invitation with password `PASSWORD`.
    pub fn join(&self, portal: &str, slug: &str, email: &str, customer: Option<&str>) -> Browser<'_> {
        join(&self.app, &self.key, &self.tenant, portal, slug, email, customer)
    }
}

/// The password of the members the fixtures make.
pub const PASSWORD: &str = "correct horse battery";

/// A signed-in browser of a new member of `customer` (None: of no company), invited through
/// the admin API with `key` and joined through the invitation's form.
pub fn join<'a>(
    app: &'a TestApp,
    key: &str,
    tenant: &str,
    portal: &str,
    slug: &str,
    email: &str,
    customer: Option<&str>,
) -> Browser<'a> {
    let body = customer.map_or_else(|| json!({}), |c| json!({ "customer_id": c }));
    let path = format!("/api/v1/tenants/{tenant}/portals/{portal}/invitations");
    let (status, created) = app.api_as(Some(key), Method::Post, &path, &body);
    assert_eq!(status, 201, "{created}");
    accept(app, created["url"].as_str().unwrap(), slug, email)
}

/// A signed-in browser of the person who joined through the invitation link `url` of the
/// portal `slug`, as Ada with `email`.
pub fn accept<'a>(app: &'a TestApp, url: &str, slug: &str, email: &str) -> Browser<'a> {
    let link = &url[url.find("/invite/").unwrap()..];
    let browser = Browser::new(app, &platform_host(slug));
    assert_eq!(browser.get(link).status, 200);
    let joined = browser.post(link, &[("name", "Ada"), ("email", email), ("password", PASSWORD)]);
    assert_eq!(joined.status, 303, "{}", body_text(&joined));
    browser
}

/// A fresh app: its own in-memory database, KV, blob store and isolate cache.
pub fn spawn_app() -> TestApp {
    TestApp { rt: NativeRuntime::new(PLATFORM_TOKEN).unwrap() }
}

/// A fresh app with the demo tenants and the demo fleet (`seed/demo.sql`, then
/// `seed/demo-fleet.sql`) applied like migrations, as `scripts/dev` seeds them.
pub fn spawn_app_with_demo_fleet() -> TestApp {
    // Tests run side by side in one process: each seed gets a folder of its own.
    static SEEDS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let app = spawn_app();
    let n = SEEDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("porch-demo-seed-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seed");
    std::fs::copy(seed.join("demo.sql"), dir.join("1-demo.sql")).unwrap();
    std::fs::copy(seed.join("demo-fleet.sql"), dir.join("2-demo-fleet.sql")).unwrap();
    app.rt.db.apply_migrations(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    app
}

/// A table cell's value: a `<time>`'s machine-readable `datetime`, else the cell's text, so
/// tests compare periods as ISO dates and weeks whatever language the page shows them in.
pub fn cell_value(cell: &str) -> String {
    match cell.strip_prefix("<time datetime=\"") {
        Some(rest) => rest[..rest.find('"').unwrap()].to_owned(),
        None => cell.to_owned(),
    }
}

pub fn body_text(response: &Response) -> String {
    String::from_utf8(response.body.clone()).unwrap()
}

impl TestApp {
    pub fn send(&self, req: Request) -> Response {
        pollster::block_on(porch_core::app::handle(&self.rt, req))
    }

    /// An API call with a bearer token (None: unauthenticated). A JSON `null` body sends nothing.
    /// The answer must be one that openapi.json documents for the call.
    pub fn api_as(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let mut req = Request::new(method, path).with_header("host", "api.example.test");
        if let Some(token) = token {
            req = req.with_header("authorization", &format!("Bearer {token}"));
        }
        if !body.is_null() {
            req = req.with_header("content-type", "application/json").with_body(body.to_string());
        }
        api_reply(method, path, &self.send(req))
    }

    /// An API call as the platform operator.
    pub fn api(&self, method: Method, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        self.api_as(Some(PLATFORM_TOKEN), method, path, body)
    }

    pub fn page(&self, host: &str, path: &str) -> Response {
        self.page_with(host, path, &[])
    }

    pub fn page_with(&self, host: &str, path: &str, headers: &[(&str, &str)]) -> Response {
        let mut req = Request::new(Method::Get, path).with_header("host", host);
        for (name, value) in headers {
            req = req.with_header(name, value);
        }
        self.send(req)
    }

    /// Platform creates a tenant and a key for it: (`tenant_id`, key secret).
    pub fn new_tenant(&self, slug: &str) -> (String, String) {
        self.new_tenant_with(&json!({ "slug": slug, "name": format!("Tenant {slug}") }))
    }

    pub fn new_tenant_with(&self, body: &serde_json::Value) -> (String, String) {
        let (status, created) = self.api(Method::Post, "/api/v1/tenants", body);
        assert_eq!(status, 201, "{created}");
        let id = created["tenant"]["id"].as_str().unwrap().to_owned();
        let (status, key) = self.api(Method::Post, &format!("/api/v1/tenants/{id}/keys"), &json!({ "name": "ci" }));
        assert_eq!(status, 201, "{key}");
        (id, key["secret"].as_str().unwrap().to_owned())
    }

    /// A theme of `tenant` with the given colours, created with `key`; returns its id.
    pub fn new_theme(&self, key: &str, tenant: &str, name: &str, colors: &serde_json::Value) -> String {
        let (status, body) = self.api_as(
            Some(key),
            Method::Post,
            &format!("/api/v1/tenants/{tenant}/themes"),
            &json!({ "name": name, "colors": colors }),
        );
        assert_eq!(status, 201, "{body}");
        body["theme"]["id"].as_str().unwrap().to_owned()
    }

    /// A portal of `tenant` created with `key` from `body`; returns its id.
    pub fn new_portal(&self, key: &str, tenant: &str, body: &serde_json::Value) -> String {
        let (status, created) =
            self.api_as(Some(key), Method::Post, &format!("/api/v1/tenants/{tenant}/portals"), body);
        assert_eq!(status, 201, "{created}");
        created["portal"]["id"].as_str().unwrap().to_owned()
    }

    pub fn new_customer(&self, key: &str, tenant: &str, name: &str) -> String {
        let (status, created) = self.api_as(
            Some(key),
            Method::Post,
            &format!("/api/v1/tenants/{tenant}/customers"),
            &json!({ "name": name }),
        );
        assert_eq!(status, 201, "{created}");
        created["customer"]["id"].as_str().unwrap().to_owned()
    }

    /// Rows of a query straight against the database, as JSON objects.
    pub fn sql(&self, sql: &'static str, params: Vec<Value>) -> Vec<serde_json::Value> {
        pollster::block_on(self.rt.db.query::<serde_json::Value>(Statement::new(sql, params))).unwrap()
    }

    pub fn execute(&self, sql: &'static str, params: Vec<Value>) -> u64 {
        pollster::block_on(self.rt.db.execute(Statement::new(sql, params))).unwrap()
    }

    pub fn audit_count(&self) -> i64 {
        self.sql("SELECT COUNT(*) AS n FROM audit_log", Vec::new())[0]["n"].as_i64().unwrap()
    }

    /// The cached portal context of a host in KV, as stored (the key's version is tenancy's).
    pub fn kv_entry(&self, host: &str) -> Option<String> {
        self.rt.kv.entries.borrow().get(&format!("portal:v7:{host}")).cloned()
    }

    pub fn kv_has(&self, host: &str) -> bool {
        self.kv_entry(host).is_some()
    }

    /// A logo upload with the given content type.
    pub fn put_logo(
        &self,
        key: &str,
        tenant: &str,
        theme: &str,
        slot: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> (u16, serde_json::Value) {
        let path = format!("/api/v1/tenants/{tenant}/themes/{theme}/logos/{slot}");
        let req = Request::new(Method::Put, &path)
            .with_header("host", "api.example.test")
            .with_header("authorization", &format!("Bearer {key}"))
            .with_header("content-type", content_type)
            .with_body(bytes.to_vec());
        api_reply(Method::Put, &path, &self.send(req))
    }
}

/// The field names of a 422 body.
pub fn error_fields(body: &serde_json::Value) -> Vec<String> {
    body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().to_owned()).collect()
}

/// Status and JSON body (Null for an empty body) of the API's answer to `method path`, once
/// checked against openapi.json.
fn api_reply(method: Method, path: &str, response: &Response) -> (u16, serde_json::Value) {
    let value = if response.body.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&response.body).unwrap()
    };
    openapi::check(method, path, response.status, &value);
    (response.status, value)
}

/// A `multipart/form-data` body as a browser sends it: its `Content-Type` and bytes. Fields
/// first, then files as (field name, filename, bytes).
pub fn multipart_body(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    const BOUNDARY: &str = "----porchtestboundary7MA4YWxk";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (name, filename, data) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}
