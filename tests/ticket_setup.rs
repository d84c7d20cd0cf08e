//! Ticket set-up through the admin API, in process on real `SQLite`: pipelines with ordered
//! stages (kept by id through edits), inboxes and custom ticket properties, each reachable
//! only by its own tenant.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::too_many_lines)]

use crate::common;

use common::{error_fields, spawn_app};
use porch_core::http::Method;
use serde_json::json;

fn support_pipeline() -> serde_json::Value {
    json!({
        "name": "Support",
        "stages": [
            { "name": "New" },
            { "name": "Waiting on us" },
            { "name": "Solved", "closed": true, "notify_requester": true }
        ]
    })
}

fn stage_names(pipeline: &serde_json::Value) -> Vec<String> {
    pipeline["stages"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn a_pipeline_keeps_its_stages_in_order_and_their_ids_through_an_edit() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("desk");
    let path = format!("/api/v1/tenants/{tenant}/pipelines");
    let (status, created) = app.api_as(Some(&key), Method::Post, &path, &support_pipeline());
    assert_eq!(status, 201, "{created}");
    let pipeline = &created["pipeline"];
    assert_eq!(stage_names(pipeline), ["New", "Waiting on us", "Solved"]);
    assert_eq!(pipeline["stages"][2]["closed"], true);
    assert_eq!(pipeline["stages"][2]["notify_requester"], true);

    // Swap two names, drop one stage, add one: ids of kept stages survive.
    let id = pipeline["id"].as_str().unwrap();
    let new_id = pipeline["stages"][0]["id"].clone();
    let solved_id = pipeline["stages"][2]["id"].clone();
    let edit = json!({ "stages": [
        { "id": solved_id, "name": "New", "closed": true },
        { "id": new_id, "name": "Solved" },
        { "name": "Escalated" }
    ]});
    let (status, edited) = app.api_as(Some(&key), Method::Patch, &format!("{path}/{id}"), &edit);
    assert_eq!(status, 200, "{edited}");
    let stages = &edited["pipeline"]["stages"];
    assert_eq!(stage_names(&edited["pipeline"]), ["New", "Solved", "Escalated"]);
    assert_eq!(stages[0]["id"], solved_id);
    assert_eq!(stages[1]["id"], new_id);
    assert_eq!(edited["pipeline"]["name"], "Support", "a PATCH without a name keeps it");
    assert_eq!(app.sql("SELECT COUNT(*) AS n FROM stages", Vec::new())[0]["n"], 3);
    assert!(app.sql("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'pipeline.update'", Vec::new())[0]["n"] == 1);
}

#[test]
fn a_pipeline_without_a_closed_stage_or_with_duplicate_names_is_refused_field_by_field() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("desk");
    let path = format!("/api/v1/tenants/{tenant}/pipelines");
    let (status, body) = app.api_as(
        Some(&key),
        Method::Post,
        &path,
        &json!({ "name": "", "stages": [{ "name": "Open" }, { "name": "open" }] }),
    );
    assert_eq!(status, 422);
    let fields = error_fields(&body);
    assert!(fields.contains(&"name".to_owned()) && fields.contains(&"stages[1].name".to_owned()), "{body}");
    assert!(fields.contains(&"stages".to_owned()), "needs a closed stage: {body}");
    assert_eq!(app.sql("SELECT COUNT(*) AS n FROM pipelines", Vec::new())[0]["n"], 0);
    let (status, _) = app.api_as(Some(&key), Method::Post, &path, &support_pipeline());
    assert_eq!(status, 201);
    assert_eq!(app.api_as(Some(&key), Method::Post, &path, &support_pipeline()).0, 409, "name taken");
}

#[test]
fn a_stage_of_another_pipeline_cannot_be_moved_in_by_id() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("desk");
    let path = format!("/api/v1/tenants/{tenant}/pipelines");
    let (_, first) = app.api_as(Some(&key), Method::Post, &path, &support_pipeline());
    let mut second_body = support_pipeline();
    second_body["name"] = json!("Sales");
    let (_, second) = app.api_as(Some(&key), Method::Post, &path, &second_body);
    let foreign = first["pipeline"]["stages"][0]["id"].clone();
    let edit = json!({ "stages": [{ "id": foreign, "name": "Stolen" }, { "name": "Done", "closed": true }] });
    let target = format!("{path}/{}", second["pipeline"]["id"].as_str().unwrap());
    let (status, body) = app.api_as(Some(&key), Method::Patch, &target, &edit);
    assert_eq!(status, 422);
    assert_eq!(error_fields(&body), ["stages[0].id"]);
}

#[test]
fn inboxes_and_properties_belong_to_their_tenant_only() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("desk");
    let (other_tenant, other_key) = app.new_tenant("other");
    let inboxes = format!("/api/v1/tenants/{tenant}/inboxes");
    let (status, inbox) = app.api_as(
        Some(&key),
        Method::Post,
        &inboxes,
        &json!({ "name": "Support", "notify_email": "Help@Acme.example" }),
    );
    assert_eq!(status, 201, "{inbox}");
    assert_eq!(inbox["inbox"]["notify_email"], "help@acme.example");
    let inbox_path = format!("{inboxes}/{}", inbox["inbox"]["id"].as_str().unwrap());
    let (status, cleared) = app.api_as(Some(&key), Method::Patch, &inbox_path, &json!({ "notify_email": null }));
    assert_eq!(status, 200);
    assert!(cleared["inbox"]["notify_email"].is_null());
    assert_eq!(app.api_as(Some(&key), Method::Post, &inboxes, &json!({ "notify_email": "nope" })).0, 422);

    let properties = format!("/api/v1/tenants/{tenant}/ticket-properties");
    let (status, property) = app.api_as(
        Some(&key),
        Method::Post,
        &properties,
        &json!({ "key": "machine_model", "label": "Machine model", "kind": "choice", "choices": ["X200", "X300"] }),
    );
    assert_eq!(status, 201, "{property}");
    assert_eq!(property["property"]["choices"], json!(["X200", "X300"]));
    let (status, bad) = app.api_as(
        Some(&key),
        Method::Post,
        &properties,
        &json!({ "key": "subject", "label": "", "kind": "text", "choices": ["a"] }),
    );
    assert_eq!(status, 422);
    assert_eq!(error_fields(&bad).len(), 3, "{bad}");

    // Another tenant's key: not found, nothing changed.
    let other_inbox_path = inbox_path.replace(&tenant, &other_tenant);
    assert_eq!(app.api_as(Some(&other_key), Method::Get, &inboxes, &json!(null)).0, 404);
    assert_eq!(app.api_as(Some(&other_key), Method::Delete, &other_inbox_path, &json!(null)).0, 404);
    let property_path = format!("{properties}/{}", property["property"]["id"].as_str().unwrap());
    assert_eq!(app.api_as(Some(&other_key), Method::Delete, &property_path, &json!(null)).0, 404);
    assert_eq!(app.api_as(Some(&key), Method::Delete, &property_path, &json!(null)).0, 204);
    assert_eq!(app.api_as(Some(&key), Method::Delete, &inbox_path, &json!(null)).0, 204);
}
