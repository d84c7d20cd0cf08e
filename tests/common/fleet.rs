//! The fleet fixture of the equipment pages' tests (`tests/fleet.rs`, `tests/activity.rs`): a
//! provider with customers Alpha and Beta and Alpha's unit "North site", and the calls that
//! make assets, shares, activity, portals and signed-in members.

use porch_core::http::Method;
use porch_types::time::Timestamp;
use serde_json::json;

use super::browser::Browser;
use super::{spawn_app, TestApp};

/// 2026-03-01T00:00:00Z (the test clock stands in September 2026).
pub const MARCH_1: i64 = 1_772_323_200_000;
pub const HOUR: i64 = 3_600_000;
pub const DAY: i64 = 24 * HOUR;

pub fn at(ms: i64) -> String {
    Timestamp::from_millis(ms).to_string()
}

pub struct Provider {
    pub app: TestApp,
    pub tenant: String,
    pub key: String,
    pub alpha: String,
    pub beta: String,
    pub north: String,
}

pub fn provider() -> Provider {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("fleet-co");
    let alpha = app.new_customer(&key, &tenant, "Alpha");
    let beta = app.new_customer(&key, &tenant, "Beta");
    let (status, unit) = app.api_as(
        Some(&key),
        Method::Post,
        &format!("/api/v1/tenants/{tenant}/customers/{alpha}/units"),
        &json!({ "name": "North site" }),
    );
    assert_eq!(status, 201, "{unit}");
    let north = unit["business_unit"]["id"].as_str().unwrap().to_owned();
    Provider { app, tenant, key, alpha, beta, north }
}

impl Provider {
    pub fn call(&self, method: Method, rest: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        self.app.api_as(Some(&self.key), method, &format!("/api/v1/tenants/{}{rest}", self.tenant), body)
    }

    /// A call that must succeed (200 or 201), its answer.
    pub fn ok(&self, method: Method, rest: &str, body: &serde_json::Value) -> serde_json::Value {
        let (status, answer) = self.call(method, rest, body);
        assert!(status == 200 || status == 201, "{rest}: {status} {answer}");
        answer
    }

    pub fn portal(&self, slug: &str, apps: &[&str]) -> String {
        self.app.new_portal(
            &self.key,
            &self.tenant,
            &json!({ "slug": slug, "name": format!("Portal {slug}"), "apps": apps }),
        )
    }

    pub fn asset(&self, key: &str, body: &serde_json::Value) {
        let (status, created) = self.call(Method::Put, &format!("/assets/{key}"), body);
        assert_eq!(status, 201, "{created}");
    }

    pub fn share(&self, key: &str, customer: &str, from: i64, until: Option<i64>) {
        let mut body = json!({ "customer_id": customer, "from": at(from) });
        if let Some(until) = until {
            body["until"] = json!(at(until));
        }
        let (status, created) = self.call(Method::Post, &format!("/assets/{key}/shares"), &body);
        assert_eq!(status, 201, "{created}");
    }

    pub fn events(&self, key: &str, events: &[serde_json::Value]) {
        for chunk in events.chunks(1000) {
            let (status, body) =
                self.call(Method::Post, &format!("/assets/{key}/activity"), &json!({ "events": chunk }));
            assert_eq!(status, 200, "{body}");
        }
    }

    /// A signed-in browser of a new member of `customer` (None: of no company).
    pub fn join(&self, portal: &str, slug: &str, email: &str, customer: Option<&str>) -> Browser<'_> {
        super::join(&self.app, &self.key, &self.tenant, portal, slug, email, customer)
    }
}

/// Hourly `hours` readings from `start`, `count` of them, the counter at 100, 101, ...
pub fn hourly(start: i64, count: i64) -> Vec<serde_json::Value> {
    (0..count)
        .map(|n| json!({ "id": format!("h-{n}"), "at": at(start + n * HOUR), "kind": "hours", "value": 100 + n }))
        .collect()
}
