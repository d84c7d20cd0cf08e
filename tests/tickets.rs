//! Tickets through the admin API, in process on real `SQLite`: numbering, the first
//! message, tickets on a recipient's behalf, filters and keyset pages, replies, internal
//! notes and threads, custom property values, stage moves, and tenant isolation.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::too_many_lines)]

use crate::common;

use common::{error_fields, spawn_app, TestApp};
use porch_core::http::Method;
use serde_json::json;

/// A tenant with a "Support" pipeline (New, Solved) and a "Sales" one; returns
/// (tenant, key, support pipeline JSON, sales pipeline JSON).
fn desk(app: &TestApp, slug: &str) -> (String, String, serde_json::Value, serde_json::Value) {
    let (tenant, key) = app.new_tenant(slug);
    let path = format!("/api/v1/tenants/{tenant}/pipelines");
    let make = |name: &str| {
        let body = json!({ "name": name, "stages": [{ "name": "New" }, { "name": "Solved", "closed": true }] });
        let (status, created) = app.api_as(Some(&key), Method::Post, &path, &body);
        assert_eq!(status, 201, "{created}");
        created["pipeline"].clone()
    };
    let support = make("Support");
    let sales = make("Sales");
    (tenant, key, support, sales)
}

fn new_ticket(app: &TestApp, key: &str, tenant: &str, body: &serde_json::Value) -> serde_json::Value {
    let (status, created) = app.api_as(Some(key), Method::Post, &format!("/api/v1/tenants/{tenant}/tickets"), body);
    assert_eq!(status, 201, "{created}");
    created["ticket"].clone()
}

#[test]
fn tickets_are_numbered_per_tenant_and_start_with_their_description() {
    let app = spawn_app();
    let (tenant, key, support, _) = desk(&app, "desk");
    let body = json!({ "subject": "Pump leaks", "description": "Oil under the pump.", "pipeline_id": support["id"] });
    let first = new_ticket(&app, &key, &tenant, &body);
    let second = new_ticket(&app, &key, &tenant, &body);
    assert_eq!((first["number"].as_i64(), second["number"].as_i64()), (Some(1), Some(2)));
    assert_eq!(first["stage_id"], support["stages"][0]["id"], "the first open stage");
    assert_eq!(first["status"], "open");
    assert_eq!(first["priority"], "normal");
    assert_eq!(first["messages"][0]["body"], "Oil under the pump.");
    assert_eq!(first["messages"][0]["internal"], false);

    let (other_tenant, other_key, other_support, _) = desk(&app, "other");
    let body = json!({ "subject": "Hello", "description": "Hi", "pipeline_id": other_support["id"] });
    assert_eq!(new_ticket(&app, &other_key, &other_tenant, &body)["number"], 1, "each tenant counts from 1");
    assert_eq!(app.sql("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'ticket.create'", Vec::new())[0]["n"], 3);
}

#[test]
fn bad_ticket_input_is_refused_field_by_field_and_writes_nothing() {
    let app = spawn_app();
    let (tenant, key, _, sales) = desk(&app, "desk");
    let (_, _, foreign, _) = desk(&app, "other");
    let path = format!("/api/v1/tenants/{tenant}/tickets");
    let (status, body) = app.api_as(
        Some(&key),
        Method::Post,
        &path,
        &json!({ "subject": "", "description": " ", "priority": "asap", "pipeline_id": foreign["id"], "inbox_id": "x" }),
    );
    assert_eq!(status, 422);
    let fields = error_fields(&body);
    for field in ["subject", "description", "priority", "pipeline_id", "inbox_id"] {
        assert!(fields.contains(&field.to_owned()), "{field}: {body}");
    }
    let (status, body) = app.api_as(
        Some(&key),
        Method::Post,
        &path,
        &json!({ "subject": "S", "description": "D", "pipeline_id": sales["id"], "stage_id": foreign["stages"][0]["id"] }),
    );
    assert_eq!(status, 422);
    assert_eq!(error_fields(&body), ["stage_id"]);
    assert_eq!(app.sql("SELECT COUNT(*) AS n FROM tickets", Vec::new())[0]["n"], 0);
    assert_eq!(app.sql("SELECT COUNT(*) AS n FROM messages", Vec::new())[0]["n"], 0);
}

#[test]
fn a_ticket_on_a_recipients_behalf_carries_them_and_their_customer() {
    let app = spawn_app();
    let (tenant, key, support, _) = desk(&app, "desk");
    let customer = app.new_customer(&key, &tenant, "Globex");
    let portal = app.new_portal(&key, &tenant, &json!({ "slug": "globex", "name": "Globex", "customer_id": customer }));
    let account = "a0000000-0000-4000-8000-00000000aaaa";
    app.execute(
        "INSERT INTO accounts (id, tenant_id, portal_id, customer_id, email, name, role, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'ada@globex.example', 'Ada', 'admin', 0, 0)",
        vec![account.into(), tenant.clone().into(), portal.clone().into(), customer.clone().into()],
    );
    let ticket = new_ticket(
        &app,
        &key,
        &tenant,
        &json!({ "subject": "Call", "description": "Phoned in.", "pipeline_id": support["id"],
                 "requester": { "portal_id": portal, "account_id": account } }),
    );
    assert_eq!(ticket["requester"]["name"], "Ada");
    assert_eq!(ticket["customer_id"], customer.as_str());
    let other_customer = app.new_customer(&key, &tenant, "Initech");
    let (status, body) = app.api_as(
        Some(&key),
        Method::Post,
        &format!("/api/v1/tenants/{tenant}/tickets"),
        &json!({ "subject": "S", "description": "D", "pipeline_id": support["id"], "customer_id": other_customer,
                 "requester": { "portal_id": portal, "account_id": account } }),
    );
    assert_eq!(status, 422);
    assert_eq!(error_fields(&body), ["customer_id"]);

    // The portal can go; its tickets stay with the provider. The customer cannot, while tickets are its.
    let portal_path = format!("/api/v1/tenants/{tenant}/portals/{portal}");
    assert_eq!(app.api_as(Some(&key), Method::Delete, &portal_path, &json!(null)).0, 204);
    let ticket_path = format!("/api/v1/tenants/{tenant}/tickets/{}", ticket["id"].as_str().unwrap());
    let (_, kept) = app.api_as(Some(&key), Method::Get, &ticket_path, &json!(null));
    assert_eq!(kept["ticket"]["requester"]["name"], "Ada");
    assert!(kept["ticket"]["requester"]["portal_id"].is_null());
    let customer_path = format!("/api/v1/tenants/{tenant}/customers/{customer}");
    assert_eq!(app.api_as(Some(&key), Method::Delete, &customer_path, &json!(null)).0, 409);

    let (other_tenant, other_key, other_support, _) = desk(&app, "other");
    let (status, body) = app.api_as(
        Some(&other_key),
        Method::Post,
        &format!("/api/v1/tenants/{other_tenant}/tickets"),
        &json!({ "subject": "S", "description": "D", "pipeline_id": other_support["id"],
                 "requester": { "portal_id": portal, "account_id": account } }),
    );
    assert_eq!(status, 422, "another tenant's recipient: {body}");
    assert_eq!(error_fields(&body), ["requester"]);
}

#[test]
fn the_ticket_list_filters_and_pages_by_last_activity_without_gaps_or_repeats() {
    let app = spawn_app();
    let (tenant, key, support, sales) = desk(&app, "desk");
    let mut ids = Vec::new();
    for n in 0..5 {
        let pipeline = if n == 4 { &sales } else { &support };
        let body = json!({ "subject": format!("T{n}"), "description": "D", "pipeline_id": pipeline["id"] });
        ids.push(new_ticket(&app, &key, &tenant, &body)["id"].as_str().unwrap().to_owned());
        app.rt.advance_seconds(1);
    }
    let path = format!("/api/v1/tenants/{tenant}/tickets");
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}?limit=2&cursor={c}"),
            None => format!("{path}?limit=2"),
        };
        let (status, page) = app.api_as(Some(&key), Method::Get, &url, &json!(null));
        assert_eq!(status, 200, "{page}");
        seen.extend(page["tickets"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    ids.reverse();
    assert_eq!(seen, ids, "newest activity first, each once");

    let (_, sales_only) = app.api_as(
        Some(&key),
        Method::Get,
        &format!("{path}?pipeline_id={}", sales["id"].as_str().unwrap()),
        &json!(null),
    );
    assert_eq!(sales_only["tickets"].as_array().unwrap().len(), 1);
    let (_, closed) = app.api_as(Some(&key), Method::Get, &format!("{path}?status=closed"), &json!(null));
    assert_eq!(closed["tickets"].as_array().unwrap().len(), 0);
    let (status, bad) = app.api_as(Some(&key), Method::Get, &format!("{path}?status=maybe&cursor=x"), &json!(null));
    assert_eq!(status, 422);
    assert_eq!(error_fields(&bad), ["status", "cursor"]);
}

#[test]
fn replies_notes_and_threads_are_kept_in_order_and_moving_to_a_closed_stage_closes_the_ticket() {
    let app = spawn_app();
    let (tenant, key, support, sales) = desk(&app, "desk");
    let ticket = new_ticket(
        &app,
        &key,
        &tenant,
        &json!({ "subject": "S", "description": "First", "pipeline_id": support["id"] }),
    );
    let path = format!("/api/v1/tenants/{tenant}/tickets/{}", ticket["id"].as_str().unwrap());
    let say = |body: serde_json::Value| {
        let (status, answer) = app.api_as(Some(&key), Method::Post, &format!("{path}/messages"), &body);
        assert_eq!(status, 201, "{answer}");
        answer["ticket"].clone()
    };
    app.rt.advance_seconds(1);
    say(json!({ "body": "Checking with the workshop.", "internal": true }));
    app.rt.advance_seconds(1);
    say(json!({ "body": "We will send a technician.", "author_name": "Grace" }));
    app.rt.advance_seconds(1);
    let latest = say(json!({ "body": "A new matter.", "new_thread": true }));
    let messages = latest["messages"].as_array().unwrap();
    let summary: Vec<_> =
        messages.iter().map(|m| (m["thread"].as_i64().unwrap(), m["internal"].as_bool().unwrap())).collect();
    assert_eq!(summary, [(1, false), (1, true), (1, false), (2, false)]);
    assert_eq!(messages[2]["author"]["name"], "Grace");
    assert!(latest["last_activity_at"] != ticket["last_activity_at"]);
    assert_eq!(app.api_as(Some(&key), Method::Post, &format!("{path}/messages"), &json!({ "body": "" })).0, 422);

    let solved = support["stages"][1]["id"].clone();
    let (status, closed) =
        app.api_as(Some(&key), Method::Patch, &path, &json!({ "stage_id": solved, "priority": "high" }));
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["ticket"]["status"], "closed");
    assert_eq!(closed["ticket"]["priority"], "high");
    let (status, body) = app.api_as(Some(&key), Method::Patch, &path, &json!({ "stage_id": sales["stages"][0]["id"] }));
    assert_eq!(status, 422, "a stage of another pipeline: {body}");
    let (status, moved) = app.api_as(Some(&key), Method::Patch, &path, &json!({ "pipeline_id": sales["id"] }));
    assert_eq!(status, 200);
    assert_eq!(moved["ticket"]["stage_id"], sales["stages"][0]["id"], "moving takes the first open stage");
    let (_, same) = app.api_as(
        Some(&key),
        Method::Patch,
        &path,
        &json!({ "pipeline_id": sales["id"], "stage_id": sales["stages"][1]["id"] }),
    );
    assert_eq!(same["ticket"]["status"], "closed");
    let (_, kept) = app.api_as(Some(&key), Method::Patch, &path, &json!({ "pipeline_id": sales["id"] }));
    assert_eq!(kept["ticket"]["status"], "closed", "naming the current pipeline is not a move");
}

#[test]
fn custom_property_values_must_fit_the_tenants_properties() {
    let app = spawn_app();
    let (tenant, key, support, _) = desk(&app, "desk");
    let (status, _) = app.api_as(
        Some(&key),
        Method::Post,
        &format!("/api/v1/tenants/{tenant}/ticket-properties"),
        &json!({ "key": "model", "label": "Model", "kind": "choice", "choices": ["X200", "X300"] }),
    );
    assert_eq!(status, 201);
    let path = format!("/api/v1/tenants/{tenant}/tickets");
    let (status, body) = app.api_as(
        Some(&key),
        Method::Post,
        &path,
        &json!({ "subject": "S", "description": "D", "pipeline_id": support["id"],
                 "properties": { "model": "X999", "colour": "red" } }),
    );
    assert_eq!(status, 422);
    assert_eq!(error_fields(&body), ["properties.colour", "properties.model"]);
    let ticket = new_ticket(
        &app,
        &key,
        &tenant,
        &json!({ "subject": "S", "description": "D", "pipeline_id": support["id"], "properties": { "model": "X200" } }),
    );
    assert_eq!(ticket["properties"]["model"], "X200");
    let one = format!("{path}/{}", ticket["id"].as_str().unwrap());
    let (_, cleared) = app.api_as(Some(&key), Method::Patch, &one, &json!({ "properties": { "model": null } }));
    assert_eq!(cleared["ticket"]["properties"], json!({}));
}

#[test]
fn another_tenants_key_never_reaches_a_ticket() {
    let app = spawn_app();
    let (tenant, key, support, _) = desk(&app, "desk");
    let (other_tenant, other_key, _, _) = desk(&app, "other");
    let ticket =
        new_ticket(&app, &key, &tenant, &json!({ "subject": "S", "description": "D", "pipeline_id": support["id"] }));
    let id = ticket["id"].as_str().unwrap();
    for path in
        [format!("/api/v1/tenants/{tenant}/tickets/{id}"), format!("/api/v1/tenants/{other_tenant}/tickets/{id}")]
    {
        assert_eq!(app.api_as(Some(&other_key), Method::Get, &path, &json!(null)).0, 404, "{path}");
        assert_eq!(app.api_as(Some(&other_key), Method::Patch, &path, &json!({ "subject": "Mine" })).0, 404);
        assert_eq!(
            app.api_as(Some(&other_key), Method::Post, &format!("{path}/messages"), &json!({ "body": "hi" })).0,
            404
        );
    }
    let (_, list) =
        app.api_as(Some(&other_key), Method::Get, &format!("/api/v1/tenants/{other_tenant}/tickets"), &json!(null));
    assert_eq!(list["tickets"], json!([]));
}

#[test]
fn what_tickets_still_use_cannot_vanish_under_them_and_what_they_merely_mention_is_cleared() {
    let app = spawn_app();
    let (tenant, key, support, _) = desk(&app, "desk");
    let (_, inbox) =
        app.api_as(Some(&key), Method::Post, &format!("/api/v1/tenants/{tenant}/inboxes"), &json!({ "name": "Main" }));
    let (_, property) = app.api_as(
        Some(&key),
        Method::Post,
        &format!("/api/v1/tenants/{tenant}/ticket-properties"),
        &json!({ "key": "serial", "label": "Serial", "kind": "text" }),
    );
    let ticket = new_ticket(
        &app,
        &key,
        &tenant,
        &json!({ "subject": "S", "description": "D", "pipeline_id": support["id"], "inbox_id": inbox["inbox"]["id"],
                 "properties": { "serial": "A-1" } }),
    );
    let pipeline_path = format!("/api/v1/tenants/{tenant}/pipelines/{}", support["id"].as_str().unwrap());
    // Leaving out the stage the ticket is in: refused, and the message says why.
    let (status, body) = app.api_as(
        Some(&key),
        Method::Patch,
        &pipeline_path,
        &json!({ "stages": [{ "name": "Fresh" }, { "id": support["stages"][1]["id"], "name": "Solved", "closed": true }] }),
    );
    assert_eq!(status, 409);
    assert!(body["error"]["message"].as_str().unwrap().contains("tickets are still in"), "{body}");
    assert_eq!(app.api_as(Some(&key), Method::Delete, &pipeline_path, &json!(null)).0, 409);

    // An inbox and a property go; the ticket stays, without them.
    let inbox_path = format!("/api/v1/tenants/{tenant}/inboxes/{}", inbox["inbox"]["id"].as_str().unwrap());
    assert_eq!(app.api_as(Some(&key), Method::Delete, &inbox_path, &json!(null)).0, 204);
    let property_path =
        format!("/api/v1/tenants/{tenant}/ticket-properties/{}", property["property"]["id"].as_str().unwrap());
    assert_eq!(app.api_as(Some(&key), Method::Delete, &property_path, &json!(null)).0, 204);
    let ticket_path = format!("/api/v1/tenants/{tenant}/tickets/{}", ticket["id"].as_str().unwrap());
    let (_, after) = app.api_as(Some(&key), Method::Get, &ticket_path, &json!(null));
    assert!(after["ticket"]["inbox_id"].is_null());
    assert_eq!(after["ticket"]["properties"], json!({}), "a deleted property's values go with it");
    let (status, _) = app.api_as(Some(&key), Method::Patch, &ticket_path, &json!({ "properties": { "gone": null } }));
    assert_eq!(status, 200, "removing a value of an unknown key is allowed");
}
