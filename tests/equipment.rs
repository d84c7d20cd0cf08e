//! Equipment through the admin API, in process on real `SQLite`: assets upserted by the
//! provider's key, field errors, idempotent activity batches that write all or nothing,
//! photos checked by content, tenant isolation, and what a customer may see through shares.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::too_many_lines)]

use crate::common;

use common::{error_fields, spawn_app, TestApp, PNG_1X1};
use porch_core::auth::secret::sha256_hex;
use porch_core::http::{Method, Request};
use porch_core::store::{equipment, Database, DbError, PortalScope, Statement};
use porch_types::equipment::AssetKey;
use porch_types::ids::{PortalId, TenantId};
use porch_types::time::Timestamp;
use serde_json::json;

/// 2026-03-01T00:00:00Z: activity in these tests is stamped in March 2026, before the clock.
const MARCH_1: i64 = 1_772_323_200_000;
const HOUR: i64 = 3_600_000;

fn at(ms: i64) -> String {
    Timestamp::from_millis(ms).to_string()
}

fn assets_path(tenant: &str) -> String {
    format!("/api/v1/tenants/{tenant}/assets")
}

fn put_asset(
    app: &TestApp,
    key: &str,
    tenant: &str,
    asset: &str,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    app.api_as(Some(key), Method::Put, &format!("{}/{asset}", assets_path(tenant)), body)
}

fn ingest(app: &TestApp, key: &str, tenant: &str, asset: &str, events: &serde_json::Value) -> (u16, serde_json::Value) {
    app.api_as(
        Some(key),
        Method::Post,
        &format!("{}/{asset}/activity", assets_path(tenant)),
        &json!({ "events": events }),
    )
}

/// `count` hourly readings from `start`, ids `h-<n>`.
fn hourly(start: i64, count: i64) -> serde_json::Value {
    json!((0..count)
        .map(|n| json!({ "id": format!("h-{n}"), "at": at(start + n * HOUR), "kind": "hours", "value": 100 + n }))
        .collect::<Vec<_>>())
}

fn activity_rows(app: &TestApp) -> i64 {
    app.sql("SELECT COUNT(*) AS n FROM asset_activity", Vec::new())[0]["n"].as_i64().unwrap()
}

fn new_unit(app: &TestApp, key: &str, tenant: &str, customer: &str, name: &str) -> String {
    let (status, body) = app.api_as(
        Some(key),
        Method::Post,
        &format!("/api/v1/tenants/{tenant}/customers/{customer}/units"),
        &json!({ "name": name }),
    );
    assert_eq!(status, 201, "{body}");
    body["business_unit"]["id"].as_str().unwrap().to_owned()
}

fn share(app: &TestApp, key: &str, tenant: &str, asset: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
    app.api_as(Some(key), Method::Post, &format!("{}/{asset}/shares", assets_path(tenant)), body)
}

fn photo(
    app: &TestApp,
    key: &str,
    tenant: &str,
    asset: &str,
    content_type: &str,
    bytes: &[u8],
) -> (u16, serde_json::Value) {
    let req = Request::new(Method::Put, &format!("{}/{asset}/photo", assets_path(tenant)))
        .with_header("host", "api.example.test")
        .with_header("authorization", &format!("Bearer {key}"))
        .with_header("content-type", content_type)
        .with_body(bytes.to_vec());
    let response = app.send(req);
    let body = if response.body.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&response.body).unwrap()
    };
    (response.status, body)
}

#[test]
fn an_asset_put_under_a_new_key_is_created_and_put_again_is_replaced() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("fleet");
    let customer = app.new_customer(&key, &tenant, "Globex");
    let unit = new_unit(&app, &key, &tenant, &customer, "North site");
    let (status, created) = put_asset(
        &app,
        &key,
        &tenant,
        "EX-200:0042",
        &json!({ "name": "Excavator 42", "serial_number": "SN-1", "make": "Komatsu", "model": "PC200",
                 "type": "excavator", "business_unit_id": unit }),
    );
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["asset"]["key"], "EX-200:0042");
    assert_eq!(created["asset"]["customer_id"], customer.as_str(), "a unit alone names its customer");
    assert_eq!(created["asset"]["photo"], serde_json::Value::Null);

    let (status, replaced) = put_asset(&app, &key, &tenant, "EX-200:0042", &json!({ "name": "Excavator 42b" }));
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["asset"]["id"], created["asset"]["id"], "the same asset");
    assert_eq!(replaced["asset"]["name"], "Excavator 42b");
    assert_eq!(replaced["asset"]["make"], serde_json::Value::Null, "a PUT is the whole asset");
    assert_eq!(replaced["asset"]["business_unit_id"], serde_json::Value::Null);

    let (status, got) =
        app.api_as(Some(&key), Method::Get, &format!("{}/EX-200:0042", assets_path(&tenant)), &json!(null));
    assert_eq!((status, &got["asset"]), (200, &replaced["asset"]));
    let actions = app.sql("SELECT action FROM audit_log WHERE target_type = 'asset' ORDER BY seq", Vec::new());
    assert_eq!(actions, [json!({ "action": "asset.create" }), json!({ "action": "asset.update" })]);
}

#[test]
fn bad_asset_fields_are_named_one_by_one_and_nothing_is_written() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("fleet");
    let (status, body) = put_asset(
        &app,
        &key,
        &tenant,
        "A1",
        &json!({ "name": " ", "make": "x".repeat(101), "type": "", "customer_id": "nope",
                 "business_unit_id": "00000000-0000-4000-8000-000000000000" }),
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), ["name", "make", "type", "customer_id", "business_unit_id"]);
    let (status, _) = put_asset(&app, &key, &tenant, "a%2Fb", &json!({ "name": "Slash" }));
    assert_eq!(status, 404, "a key that is not an asset key addresses nothing");
    let (status, _) = put_asset(&app, &key, &tenant, "A1", &json!({ "name": "A", "colour": "red" }));
    assert_eq!(status, 400, "unknown fields are refused");
    assert_eq!(app.sql("SELECT COUNT(*) AS n FROM assets", Vec::new())[0]["n"], 0);
}

#[test]
fn a_business_unit_of_another_customer_is_refused() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("fleet");
    let globex = app.new_customer(&key, &tenant, "Globex");
    let initech = app.new_customer(&key, &tenant, "Initech");
    let initech_unit = new_unit(&app, &key, &tenant, &initech, "Basement");
    let (status, body) = put_asset(
        &app,
        &key,
        &tenant,
        "A1",
        &json!({ "name": "Pump", "customer_id": globex, "business_unit_id": initech_unit }),
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), ["business_unit_id"]);

    // Another tenant's unit is no unit at all here.
    let (other, other_key) = app.new_tenant("other");
    let other_customer = app.new_customer(&other_key, &other, "Umbrella");
    let other_unit = new_unit(&app, &other_key, &other, &other_customer, "Lab");
    let (status, body) =
        put_asset(&app, &key, &tenant, "A1", &json!({ "name": "Pump", "business_unit_id": other_unit }));
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), ["business_unit_id"]);

    // And the schema holds it too: a unit of another customer cannot be written under it.
    let asset = put_asset(&app, &key, &tenant, "A1", &json!({ "name": "Pump", "customer_id": globex })).1;
    let refused = pollster::block_on(app.rt.db.execute(Statement::new(
        "UPDATE assets SET business_unit_id = ?1 WHERE id = ?2",
        vec![initech_unit.clone().into(), asset["asset"]["id"].as_str().unwrap().into()],
    )));
    assert!(
        matches!(refused, Err(DbError::Constraint(_))),
        "the foreign key refuses a unit of another customer: {refused:?}"
    );
}

#[test]
fn a_batch_with_one_bad_event_writes_nothing_and_names_every_problem() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("fleet");
    put_asset(&app, &key, &tenant, "A1", &json!({ "name": "Pump" }));
    let events = json!([
        { "id": "e1", "at": at(MARCH_1), "kind": "start" },
        { "id": "e2", "at": at(MARCH_1 + HOUR), "kind": "position", "lat": 55.7, "lon": 12.6 },
        { "id": "e3", "at": "yesterday", "kind": "alert", "message": "Low oil" },
        { "id": "e4", "at": at(MARCH_1), "kind": "hours", "value": -3 },
        { "id": "e1", "at": at(MARCH_1), "kind": "stop" },
    ]);
    let (status, body) = ingest(&app, &key, &tenant, "A1", &events);
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), ["events[2].at", "events[3].value", "events[4].id"]);
    assert_eq!(activity_rows(&app), 0);

    let too_many = hourly(MARCH_1, 1001);
    let (status, body) = ingest(&app, &key, &tenant, "A1", &too_many);
    assert_eq!((status, error_fields(&body)), (422, vec!["events".to_owned()]));
    assert_eq!(activity_rows(&app), 0);
}

#[test]
fn re_ingesting_the_same_batch_reports_every_event_as_a_duplicate_and_adds_no_rows() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("fleet");
    put_asset(&app, &key, &tenant, "A1", &json!({ "name": "Pump" }));
    let mut events = hourly(MARCH_1, 48);
    events.as_array_mut().unwrap().extend([
        json!({ "id": "p1", "at": at(MARCH_1), "kind": "position", "lat": 55.676_098, "lon": 12.568_337 }),
        json!({ "id": "a1", "at": at(MARCH_1), "kind": "alert", "message": "Low oil" }),
        json!({ "id": "s1", "at": at(MARCH_1), "kind": "start" }),
    ]);
    assert_eq!(ingest(&app, &key, &tenant, "A1", &events), (200, json!({ "accepted": 51, "duplicates": 0 })));
    assert_eq!(ingest(&app, &key, &tenant, "A1", &events), (200, json!({ "accepted": 0, "duplicates": 51 })));
    assert_eq!(activity_rows(&app), 51);

    // A later batch overlapping the first: only the new events count, and a resent id keeps its
    // first content.
    let overlap = json!([
        { "id": "h-47", "at": at(MARCH_1 + 47 * HOUR), "kind": "hours", "value": 999 },
        { "id": "h-48", "at": at(MARCH_1 + 48 * HOUR), "kind": "hours", "value": 148 },
    ]);
    assert_eq!(ingest(&app, &key, &tenant, "A1", &overlap), (200, json!({ "accepted": 1, "duplicates": 1 })));
    assert_eq!(
        app.sql("SELECT hours_milli FROM asset_activity WHERE event_id = 'h-47'", Vec::new())[0]["hours_milli"],
        147_000
    );
    assert_eq!(ingest(&app, &key, &tenant, "A1", &json!([])), (200, json!({ "accepted": 0, "duplicates": 0 })));
    assert_eq!(
        app.sql("SELECT COUNT(*) AS n FROM audit_log WHERE action LIKE 'asset%'", Vec::new())[0]["n"],
        1,
        "no audit per event"
    );

    // Agents read it back in pages, in time order, payloads as sent.
    let path =
        format!("{}/A1/activity?from={}&to={}&limit=30", assets_path(&tenant), at(MARCH_1), at(MARCH_1 + 24 * HOUR));
    let (status, first) = app.api_as(Some(&key), Method::Get, &path, &json!(null));
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["events"].as_array().unwrap().len(), 27, "24 hourly readings and three events at midnight");
    assert_eq!(first["next_cursor"], serde_json::Value::Null);
    let position = first["events"].as_array().unwrap().iter().find(|e| e["kind"] == "position").unwrap();
    assert_eq!((position["lat"].as_f64(), position["lon"].as_f64()), (Some(55.676_098), Some(12.568_337)));
    let path = format!("{}/A1/activity?limit=20", assets_path(&tenant));
    let (_, page) = app.api_as(Some(&key), Method::Get, &path, &json!(null));
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let (_, rest) = app.api_as(Some(&key), Method::Get, &format!("{path}&cursor={cursor}"), &json!(null));
    let mut seen: Vec<String> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["events"].as_array().unwrap())
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(seen.len(), 40);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 40, "pages neither repeat nor skip");
}

#[test]
fn another_tenants_key_finds_no_asset_and_changes_nothing() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("fleet");
    let (other, other_key) = app.new_tenant("other");
    put_asset(&app, &key, &tenant, "A1", &json!({ "name": "Pump" }));
    let base = format!("{}/A1", assets_path(&tenant));
    for (method, path, body) in [
        (Method::Get, base.clone(), json!(null)),
        (Method::Put, base.clone(), json!({ "name": "Mine now" })),
        (Method::Delete, base.clone(), json!(null)),
        (Method::Post, format!("{base}/activity"), json!({ "events": [] })),
        (Method::Get, format!("{base}/activity"), json!(null)),
        (Method::Get, format!("{base}/shares"), json!(null)),
        (Method::Get, assets_path(&tenant), json!(null)),
    ] {
        let (status, _) = app.api_as(Some(&other_key), method, &path, &body);
        assert_eq!(status, 404, "{} {path}", method.as_str());
    }
    // Its own tenant has no such asset either: the same key, another tenant, another asset.
    let (status, _) = app.api_as(Some(&other_key), Method::Get, &format!("{}/A1", assets_path(&other)), &json!(null));
    assert_eq!(status, 404);
    let names = app.sql("SELECT name FROM assets", Vec::new());
    assert_eq!(names, [json!({ "name": "Pump" })]);
}

#[test]
fn assets_list_by_customer_and_unit_in_key_pages() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("fleet");
    let globex = app.new_customer(&key, &tenant, "Globex");
    let north = new_unit(&app, &key, &tenant, &globex, "North");
    for (asset, body) in [
        ("A1", json!({ "name": "One", "business_unit_id": north })),
        ("A2", json!({ "name": "Two", "customer_id": globex })),
        ("A3", json!({ "name": "Three" })),
    ] {
        assert_eq!(put_asset(&app, &key, &tenant, asset, &body).0, 201);
    }
    let list = |query: &str| {
        let (status, body) =
            app.api_as(Some(&key), Method::Get, &format!("{}?{query}", assets_path(&tenant)), &json!(null));
        assert_eq!(status, 200, "{body}");
        let keys: Vec<String> =
            body["assets"].as_array().unwrap().iter().map(|a| a["key"].as_str().unwrap().to_owned()).collect();
        (keys, body["next_cursor"].clone())
    };
    assert_eq!(list("limit=2"), (vec!["A1".to_owned(), "A2".to_owned()], json!("A2")));
    assert_eq!(list("limit=2&cursor=A2"), (vec!["A3".to_owned()], serde_json::Value::Null));
    assert_eq!(list(&format!("customer_id={globex}")).0, ["A1", "A2"]);
    assert_eq!(list(&format!("business_unit_id={north}")).0, ["A1"]);
    let (status, body) =
        app.api_as(Some(&key), Method::Get, &format!("{}?customer_id=x", assets_path(&tenant)), &json!(null));
    assert_eq!((status, error_fields(&body)), (422, vec!["customer_id".to_owned()]));

    // A unit holding assets cannot go, so no asset loses its owner silently.
    let (status, _) = app.api_as(
        Some(&key),
        Method::Delete,
        &format!("/api/v1/tenants/{tenant}/customers/{globex}/units/{north}"),
        &json!(null),
    );
    assert_eq!(status, 409);
}

#[test]
fn activity_for_a_customer_is_only_what_lies_inside_its_share_window() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("fleet");
    let globex = app.new_customer(&key, &tenant, "Globex");
    let initech = app.new_customer(&key, &tenant, "Initech");
    put_asset(&app, &key, &tenant, "A1", &json!({ "name": "Pump" }));
    assert_eq!(ingest(&app, &key, &tenant, "A1", &hourly(MARCH_1, 72)).0, 200);

    // Shared with Globex for the second day only.
    let (status, created) = share(
        &app,
        &key,
        &tenant,
        "A1",
        &json!({ "customer_id": globex, "from": at(MARCH_1 + 24 * HOUR), "until": at(MARCH_1 + 48 * HOUR) }),
    );
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["share"]["asset_key"], "A1");

    // The asset page's statement: what a member of each customer sees, newest first.
    let portal = app.new_portal(&key, &tenant, &json!({ "slug": "fleet-portal", "name": "Fleet" }));
    let scope = PortalScope { tenant: TenantId::parse(&tenant).unwrap(), portal: PortalId::parse(&portal).unwrap() };
    let member = |customer: &str, email: &str| {
        let browser = common::join(&app, &key, &tenant, &portal, "fleet-portal", email, Some(customer));
        sha256_hex(&browser.session().unwrap())
    };
    let (globex_member, initech_member) =
        (member(&globex, "ada@globex.example"), member(&initech, "bo@initech.example"));
    let a1 = AssetKey::parse("A1").unwrap();
    let read = |token: &str, now: Timestamp| {
        let statement = equipment::viewer_asset_page(scope, token, now, &a1, 10_000);
        let page = pollster::block_on(app.rt.db.query::<equipment::AssetPage>(statement)).unwrap();
        page.iter().flat_map(|p| p.events().unwrap()).collect::<Vec<_>>()
    };
    let inside_window = Timestamp::from_millis(MARCH_1 + 30 * HOUR);
    let seen = read(&globex_member, inside_window);
    assert_eq!(seen.len(), 24, "one day of hourly readings");
    assert_eq!(seen.last().map(|e| e.at), Some(MARCH_1 + 24 * HOUR), "from is included");
    assert_eq!(seen.first().map(|e| e.at), Some(MARCH_1 + 47 * HOUR), "until is excluded");

    // Customer B sees nothing of the asset.
    assert!(read(&initech_member, inside_window).is_empty());

    // Before the share starts and after it ends, nothing of it is Globex's to see at all.
    assert!(read(&globex_member, Timestamp::from_millis(MARCH_1)).is_empty());
    assert!(read(&globex_member, Timestamp::from_millis(MARCH_1 + 48 * HOUR)).is_empty());

    // A second, open-ended share adds its window to the first.
    assert_eq!(
        share(&app, &key, &tenant, "A1", &json!({ "customer_id": globex, "from": at(MARCH_1 + 60 * HOUR) })).0,
        201
    );
    let now = Timestamp::from_millis(MARCH_1 + 100 * HOUR);
    assert_eq!(read(&globex_member, now).len(), 24 + 12);
    let (_, shares) = app.api_as(Some(&key), Method::Get, &format!("{}/A1/shares", assets_path(&tenant)), &json!(null));
    assert_eq!(shares["shares"].as_array().unwrap().len(), 2);

    // Ending a share takes its window away.
    let first = shares["shares"][0]["id"].as_str().unwrap();
    let path = format!("{}/A1/shares/{first}", assets_path(&tenant));
    assert_eq!(app.api_as(Some(&key), Method::Delete, &path, &json!(null)).0, 204);
    assert_eq!(read(&globex_member, now).len(), 12);
    let actions = app.sql("SELECT action FROM audit_log WHERE target_type = 'asset_share' ORDER BY seq", Vec::new());
    assert_eq!(actions.len(), 3, "two shares and an end: {actions:?}");
}

#[test]
fn shares_need_a_customer_of_the_tenant_and_a_window_that_ends_after_it_starts() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("fleet");
    let (other, other_key) = app.new_tenant("other");
    let foreign = app.new_customer(&other_key, &other, "Umbrella");
    put_asset(&app, &key, &tenant, "A1", &json!({ "name": "Pump" }));
    let (status, body) =
        share(&app, &key, &tenant, "A1", &json!({ "customer_id": foreign, "from": at(MARCH_1), "until": at(MARCH_1) }));
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), ["customer_id", "until"]);
    let (status, body) = share(&app, &key, &tenant, "A1", &json!({ "from": "March" }));
    assert_eq!((status, error_fields(&body)), (422, vec!["customer_id".to_owned(), "from".to_owned()]));
    assert_eq!(app.sql("SELECT COUNT(*) AS n FROM asset_shares", Vec::new())[0]["n"], 0);
}

#[test]
fn a_photo_is_kept_only_when_its_content_is_the_image_type_it_claims() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("fleet");
    put_asset(&app, &key, &tenant, "A1", &json!({ "name": "Pump" }));
    let (status, body) = photo(&app, &key, &tenant, "A1", "image/jpeg", PNG_1X1);
    assert_eq!((status, error_fields(&body)), (422, vec!["photo".to_owned()]));
    let (status, body) = photo(&app, &key, &tenant, "A1", "image/svg+xml", b"<svg/>");
    assert_eq!((status, error_fields(&body)), (422, vec!["content-type".to_owned()]));
    let mut big = b"\xFF\xD8\xFF".to_vec();
    big.resize(1024 * 1024 + 1, 0);
    assert_eq!(photo(&app, &key, &tenant, "A1", "image/jpeg", &big).0, 413);
    assert!(app.rt.blobs.objects.borrow().is_empty(), "nothing refused is stored");

    let (status, body) = photo(&app, &key, &tenant, "A1", "image/png", PNG_1X1);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["asset"]["photo"], json!({ "content_type": "image/png" }));
    let first_key = app.rt.blobs.objects.borrow().keys().next().cloned().unwrap();
    assert!(first_key.starts_with(&format!("assets/{tenant}/")), "under the tenant's prefix: {first_key}");

    // A 1x1 lossless WebP.
    let webp = b"RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0\x2f\0\0\0\x10\x07\x10\x11\x11\x88\x88\xfe\x07\0";
    assert_eq!(photo(&app, &key, &tenant, "A1", "image/webp", webp).0, 200);
    let keys: Vec<String> = app.rt.blobs.objects.borrow().keys().cloned().collect();
    assert_eq!(keys.len(), 1, "the old photo is deleted once the new one is recorded");
    assert_ne!(keys[0], first_key);

    assert_eq!(app.api_as(Some(&key), Method::Delete, &format!("{}/A1", assets_path(&tenant)), &json!(null)).0, 204);
    assert!(app.rt.blobs.objects.borrow().is_empty(), "deleting the asset deletes its photo");
}

#[test]
fn deleting_an_asset_takes_its_activity_and_shares_with_it() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("fleet");
    let globex = app.new_customer(&key, &tenant, "Globex");
    put_asset(&app, &key, &tenant, "A1", &json!({ "name": "Pump" }));
    ingest(&app, &key, &tenant, "A1", &hourly(MARCH_1, 5));
    share(&app, &key, &tenant, "A1", &json!({ "customer_id": globex, "from": at(MARCH_1) }));
    assert_eq!(app.api_as(Some(&key), Method::Delete, &format!("{}/A1", assets_path(&tenant)), &json!(null)).0, 204);
    assert_eq!(activity_rows(&app), 0);
    assert_eq!(app.sql("SELECT COUNT(*) AS n FROM asset_shares", Vec::new())[0]["n"], 0);
    assert_eq!(app.api_as(Some(&key), Method::Get, &format!("{}/A1", assets_path(&tenant)), &json!(null)).0, 404);
    // The same key may be used again, for a new asset.
    assert_eq!(put_asset(&app, &key, &tenant, "A1", &json!({ "name": "Pump 2" })).0, 201);
}

#[test]
fn a_full_batch_of_a_thousand_events_is_taken_in_one_call() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("fleet");
    put_asset(&app, &key, &tenant, "A1", &json!({ "name": "Pump" }));
    assert_eq!(
        ingest(&app, &key, &tenant, "A1", &hourly(MARCH_1, 1000)),
        (200, json!({ "accepted": 1000, "duplicates": 0 }))
    );
    assert_eq!(activity_rows(&app), 1000);
    let last = app.sql("SELECT at, hours_milli FROM asset_activity WHERE event_id = 'h-999'", Vec::new());
    assert_eq!(
        last,
        [json!({ "at": MARCH_1 + 999 * HOUR, "hours_milli": 1_099_000 })],
        "the last, padded chunk lands whole"
    );
}
