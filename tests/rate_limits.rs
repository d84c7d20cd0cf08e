//! The admin API's rate limits, driven through the whole app: a key over its burst, the
//! recovery as the clock moves, separate keys, failed authentications per address, an
//! expensive operation's own budget, and the header fields on every counted answer.

use crate::common;

use common::{spawn_app, TestApp, PLATFORM_TOKEN};
use porch_core::app::api::{Op, OPENAPI, ROUTES};
use porch_core::http::{Method, Request, Response};
use serde_json::{json, Value};

/// A key's burst (`limits::KEY`): this many calls at once, then 10 a second.
const KEY_BURST: usize = 300;

/// A call from `address` (None: no `cf-connecting-ip`, as in the other tests) with `token`,
/// its answer checked against openapi.json like every other.
fn call(app: &TestApp, token: &str, address: Option<&str>, method: Method, path: &str, body: &Value) -> Response {
    let mut req = Request::new(method, path)
        .with_header("host", "api.example.test")
        .with_header("authorization", &format!("Bearer {token}"));
    if let Some(address) = address {
        req = req.with_header("cf-connecting-ip", address);
    }
    if !body.is_null() {
        req = req.with_header("content-type", "application/json").with_body(body.to_string());
    }
    let response = app.send(req);
    let value = if response.body.is_empty() { Value::Null } else { serde_json::from_slice(&response.body).unwrap() };
    common::openapi::check(method, path, response.status, &value);
    response
}

fn list_customers(app: &TestApp, key: &str, tenant: &str) -> Response {
    call(app, key, None, Method::Get, &format!("/api/v1/tenants/{tenant}/customers"), &Value::Null)
}

/// Spends `key`'s whole burst on listings that all succeed.
fn spend_burst(app: &TestApp, key: &str, tenant: &str) {
    for i in 0..KEY_BURST {
        assert_eq!(list_customers(app, key, tenant).status, 200, "call {i} of the burst");
    }
}

/// The `RateLimit` item of `policy` in an answer, e.g. `"key";r=0;t=1`.
fn limit<'a>(response: &'a Response, policy: &str) -> &'a str {
    let field = response.header("ratelimit").unwrap_or_else(|| panic!("no RateLimit field"));
    let prefix = format!("\"{policy}\";");
    field.split(", ").find(|item| item.starts_with(&prefix)).unwrap_or_else(|| panic!("no {policy} in {field}"))
}

fn customer_count(app: &TestApp) -> i64 {
    app.sql("SELECT COUNT(*) AS n FROM customers", Vec::new())[0]["n"].as_i64().unwrap()
}

#[test]
fn a_key_over_its_burst_gets_429_with_retry_after_and_rate_limit_headers_and_nothing_changes() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    spend_burst(&app, &key, &tenant);
    let before = customer_count(&app);

    let path = format!("/api/v1/tenants/{tenant}/customers");
    let refused = call(&app, &key, None, Method::Post, &path, &json!({ "name": "Too Many" }));
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("retry-after"), Some("1"), "one request comes back every 100 ms");
    assert_eq!(limit(&refused, "key"), "\"key\";r=0;t=1");
    assert!(refused.header("ratelimit-policy").is_some_and(|p| p.contains("\"key\";q=300;w=30")));
    let body: Value = serde_json::from_slice(&refused.body).unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    assert_eq!(customer_count(&app), before, "the refused call created nothing");
}

#[test]
fn the_budget_recovers_as_the_clock_moves() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    spend_burst(&app, &key, &tenant);
    assert_eq!(list_customers(&app, &key, &tenant).status, 429);

    // One second brings back ten calls (10 a second sustained), not the burst.
    app.rt.advance_seconds(1);
    let back: Vec<u16> = (0..11).map(|_| list_customers(&app, &key, &tenant).status).collect();
    assert_eq!(back, [[200; 10].as_slice(), &[429]].concat());

    // A quiet spell as long as the window brings the whole burst back.
    app.rt.advance_seconds(30);
    let fresh = list_customers(&app, &key, &tenant);
    assert_eq!(fresh.status, 200);
    assert_eq!(limit(&fresh, "key"), "\"key\";r=299;t=1");
}

#[test]
fn two_keys_have_separate_budgets() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let (other_tenant, other_key) = app.new_tenant("beta-co");
    let (status, second) =
        app.api(Method::Post, &format!("/api/v1/tenants/{tenant}/keys"), &json!({ "name": "second" }));
    assert_eq!(status, 201);
    let second = second["secret"].as_str().unwrap();

    spend_burst(&app, &key, &tenant);
    assert_eq!(list_customers(&app, &key, &tenant).status, 429);
    let same_tenant = list_customers(&app, second, &tenant);
    assert_eq!(same_tenant.status, 200, "another key of the same tenant");
    assert_eq!(limit(&same_tenant, "key"), "\"key\";r=299;t=1");
    assert_eq!(list_customers(&app, &other_key, &other_tenant).status, 200, "another tenant's key");
}

#[test]
fn an_address_that_failed_authentication_ten_times_is_slowed_while_another_is_not() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let path = format!("/api/v1/tenants/{tenant}/customers");
    let guesser = Some("203.0.113.9");
    for (i, wrong) in ["porch_sk_not-a-key", "not-the-platform-token"].iter().cycle().take(10).enumerate() {
        let failed = call(&app, wrong, guesser, Method::Get, &path, &Value::Null);
        assert_eq!(failed.status, 401, "guess {i}");
        assert_eq!(limit(&failed, "auth-failures"), format!("\"auth-failures\";r={};t=60", 9 - i));
    }

    // Past its failures, the address is refused even with a correct key, before any lookup.
    let slowed = call(&app, &key, guesser, Method::Get, &path, &Value::Null);
    assert_eq!(slowed.status, 429);
    assert_eq!(slowed.header("retry-after"), Some("60"));
    assert_eq!(limit(&slowed, "auth-failures"), "\"auth-failures\";r=0;t=60");
    assert_eq!(call(&app, "porch_sk_still-guessing", guesser, Method::Get, &path, &Value::Null).status, 429);

    // The same key from another address is unaffected (IPv6: another /64).
    let elsewhere = call(&app, &key, Some("2001:db8:1:2::1"), Method::Get, &path, &Value::Null);
    assert_eq!(elsewhere.status, 200);
    assert_eq!(limit(&elsewhere, "auth-failures"), "\"auth-failures\";r=10");
    assert_eq!(call(&app, &key, Some("2001:db8:1:3::1"), Method::Get, &path, &Value::Null).status, 200);

    // A minute gives the guesser one more try, and a correct key goes through.
    app.rt.advance_seconds(60);
    assert_eq!(call(&app, &key, guesser, Method::Get, &path, &Value::Null).status, 200);
}

#[test]
fn an_expensive_operations_own_budget_runs_out_before_the_general_one() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let portal = app.new_portal(&key, &tenant, &json!({ "slug": "acme", "name": "Acme" }));
    let verify = format!("/api/v1/tenants/{tenant}/portals/{portal}/domains/support.acme.test/verify");
    // The budget is spent before the handler runs, so even a verification of a hostname
    // never added (404) counts: the cost is in the call, not in its outcome.
    let burst = porch_core::app::api::limits::DOMAIN_CHECKS.burst;
    for i in 0..burst {
        let answer = call(&app, &key, None, Method::Post, &verify, &Value::Null);
        assert_eq!(answer.status, 404, "verification {i}");
    }
    let refused = call(&app, &key, None, Method::Post, &verify, &Value::Null);
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("retry-after"), Some("30"), "two a minute");
    assert_eq!(limit(&refused, "domain-checks"), "\"domain-checks\";r=0;t=30");
    // The key paid for the portal, the verifications and the refused one (it was made).
    assert_eq!(limit(&refused, "key"), format!("\"key\";r={};t=1", 300 - 1 - burst - 1));

    // The key's general limit still has room, and another key has its own budget.
    assert_eq!(list_customers(&app, &key, &tenant).status, 200);
    let (_, second) = app.api(Method::Post, &format!("/api/v1/tenants/{tenant}/keys"), &json!({ "name": "second" }));
    assert_eq!(call(&app, second["secret"].as_str().unwrap(), None, Method::Post, &verify, &Value::Null).status, 404);
}

#[test]
fn answers_under_the_limit_carry_the_headers_and_uncounted_ones_do_not() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let listed = list_customers(&app, &key, &tenant);
    assert_eq!(listed.status, 200);
    assert_eq!(
        listed.header("ratelimit-policy"),
        Some("\"address\";q=600;w=30, \"auth-failures\";q=10;w=600, \"key\";q=300;w=30")
    );
    // The platform's two calls (tenant, key) and this one came from the same (unknown) address.
    assert_eq!(listed.header("ratelimit"), Some("\"address\";r=597;t=1, \"auth-failures\";r=10, \"key\";r=299;t=1"));
    assert_eq!(listed.header("retry-after"), None);

    let missing = call(&app, &key, None, Method::Get, &format!("/api/v1/tenants/{tenant}/customers/x"), &Value::Null);
    assert_eq!(missing.status, 404);
    assert_eq!(limit(&missing, "key"), "\"key\";r=298;t=1", "an error answer was counted too");

    let platform = call(&app, PLATFORM_TOKEN, None, Method::Get, "/api/v1/tenants", &Value::Null);
    assert!(platform.header("ratelimit-policy").is_some_and(|p| p.ends_with("\"platform\";q=1500;w=30")));

    let anonymous = app.send(Request::new(Method::Get, "/api/v1/tenants").with_header("host", "api.example.test"));
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.header("ratelimit"), None, "no token: nothing guessed, nothing counted");
    let document = app.send(Request::new(Method::Get, "/api/v1/openapi.json").with_header("host", "api.example.test"));
    assert_eq!(document.header("ratelimit"), None, "the public document is not counted");
}

#[test]
fn every_keyed_operation_documents_the_429_with_its_headers() {
    let doc: Value = serde_json::from_str(OPENAPI).unwrap();
    let missing: Vec<String> = ROUTES
        .iter()
        .filter(|route| route.handler != Op::OpenApi)
        .flat_map(|route| route.methods.iter().map(move |method| (method.as_str().to_ascii_lowercase(), route.path)))
        .filter(|(method, path)| {
            doc["paths"][path][method]["responses"]["429"]["$ref"] != "#/components/responses/TooManyRequests"
        })
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    assert!(missing.is_empty(), "operations without the 429: {missing:?}");
    let headers = doc["components"]["responses"]["TooManyRequests"]["headers"].as_object().unwrap();
    let names: Vec<&str> = headers.keys().map(String::as_str).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    for name in ["Retry-After", "RateLimit-Policy", "RateLimit"] {
        assert_eq!(headers[name]["$ref"], format!("#/components/headers/{name}"));
    }
}
