//! Plans, apps, templates and equipment on real workerd with local D1: a portal without the
//! tickets app has no ticket pages, a template change warns, reaches its portal once confirmed
//! and rolls back, and a full batch of activity goes into D1 once (D1 limits statements to 100
//! bound parameters and a batch to 1,000 queries; the tests' `SQLite` now has the first limit
//! too).

use serde_json::json;

use super::{server, unique};

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn a_portal_without_the_tickets_app_has_no_ticket_pages_on_workerd() {
    let s = server();
    let (tenant, key) = s.tenant("NoDesk");
    let slug = unique("nodesk");
    let portal = s.api(
        "POST",
        &format!("/api/v1/tenants/{tenant}/portals"),
        &key,
        Some(json!({ "slug": slug, "name": "No Desk", "apps": [] })),
    );
    assert_eq!(portal.status, 201, "{}", portal.text());
    let host = format!("{slug}.portals.localhost");
    for path in ["/tickets", "/tickets/1", "/tickets/new"] {
        assert_eq!(s.page(&host, path).status, 404, "{path}");
    }
    let home = s.page(&host, "/");
    assert_eq!(home.status, 200);
    assert!(!home.text().contains("href=\"/tickets\""));
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn a_full_batch_of_activity_is_ingested_once_and_read_back_through_a_share_on_d1() {
    let s = server();
    let (tenant, key) = s.tenant("Fleet");
    let customer =
        s.api("POST", &format!("/api/v1/tenants/{tenant}/customers"), &key, Some(json!({ "name": "Globex" })));
    assert_eq!(customer.status, 201, "{}", customer.text());
    let customer = customer.json()["customer"]["id"].as_str().unwrap().to_owned();
    let assets = format!("/api/v1/tenants/{tenant}/assets");
    let put = s.api(
        "PUT",
        &format!("{assets}/EX-1"),
        &key,
        Some(json!({ "name": "Excavator", "serial_number": "S-1", "customer_id": customer })),
    );
    assert_eq!(put.status, 201, "{}", put.text());
    // 1,000 hourly readings from 2026-01-01T00:00:00Z.
    let start = 1_767_225_600_000_i64;
    let events: Vec<_> = (0..1000)
        .map(|n| {
            let at = porch_types::time::Timestamp::from_millis(start + n * 3_600_000).to_string();
            json!({ "id": format!("h-{n}"), "at": at, "kind": "hours", "value": n })
        })
        .collect();
    let ingest = |body: &serde_json::Value| s.api("POST", &format!("{assets}/EX-1/activity"), &key, Some(body.clone()));
    let first = ingest(&json!({ "events": events }));
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(first.json(), json!({ "accepted": 1000, "duplicates": 0 }));
    let again = ingest(&json!({ "events": events }));
    assert_eq!(again.json(), json!({ "accepted": 0, "duplicates": 1000 }));
    let share = s.api(
        "POST",
        &format!("{assets}/EX-1/shares"),
        &key,
        Some(json!({ "customer_id": customer, "from": "2026-01-01T00:00:00Z" })),
    );
    assert_eq!(share.status, 201, "{}", share.text());
    let read =
        s.api("GET", &format!("{assets}/EX-1/activity?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z"), &key, None);
    assert_eq!(read.status, 200, "{}", read.text());
    assert_eq!(read.json()["events"].as_array().unwrap().len(), 24);
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn a_template_change_warns_then_reaches_its_portals_and_rolls_back_on_d1() {
    let s = server();
    let (tenant, key) = s.tenant("Tmpl");
    let base = format!("/api/v1/tenants/{tenant}");
    let created = s.api(
        "POST",
        &format!("{base}/templates"),
        &key,
        Some(json!({ "name": "Service", "apps": ["tickets"], "start_page": "/tickets" })),
    );
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["template"]["id"].as_str().unwrap().to_owned();
    let slug = unique("tmpl");
    let portal = s.api(
        "POST",
        &format!("{base}/portals"),
        &key,
        Some(json!({ "slug": slug, "name": "Linked", "template_id": id })),
    );
    assert_eq!(portal.status, 201, "{}", portal.text());
    let portal_id = portal.json()["portal"]["id"].as_str().unwrap().to_owned();
    let change = json!({ "apps": ["tickets", "equipment"], "start_page": "/equipment" });
    let warned = s.api("PUT", &format!("{base}/templates/{id}"), &key, Some(change.clone()));
    assert_eq!(warned.status, 409, "{}", warned.text());
    assert_eq!(warned.json()["affected_portals"][0]["id"], portal_id.as_str());
    let mut confirmed = change;
    confirmed["confirm"] = json!(true);
    let applied = s.api("PUT", &format!("{base}/templates/{id}"), &key, Some(confirmed));
    assert_eq!(applied.status, 200, "{}", applied.text());
    let read = |s: &super::Server| s.api("GET", &format!("{base}/portals/{portal_id}"), &key, None).json();
    assert_eq!(read(&s)["portal"]["apps"], json!(["tickets", "equipment"]));
    let back =
        s.api("POST", &format!("{base}/templates/{id}/rollback"), &key, Some(json!({ "version": 1, "confirm": true })));
    assert_eq!(back.status, 200, "{}", back.text());
    assert_eq!(read(&s)["portal"]["apps"], json!(["tickets"]));
    assert_eq!(read(&s)["portal"]["start_page"], "/tickets");
    // The portal's equipment pages are gone again on workerd.
    assert_eq!(s.page(&format!("{slug}.portals.localhost"), "/equipment").status, 404);
}
