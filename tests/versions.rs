//! Concurrent edits through the admin API, in process on real `SQLite`: every mutable resource
//! has a version shown as its `ETag`; `If-Match` refuses a stale write with 412 and changes
//! nothing; a write without it changes only what it names, even when another write lands
//! between its read and its own write (`before_next_batch` puts one exactly there).

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::too_many_lines)]

use crate::common;

use common::{provider, Provider};
use porch_core::http::{Method, Request};
use porch_core::store::{Statement, Value};
use serde_json::{json, Value as Json};

/// One API answer: status, JSON body (Null when empty) and `ETag`, checked against openapi.json.
struct Answer {
    status: u16,
    body: Json,
    etag: Option<String>,
}

/// A call with the tenant's key on `/api/v1/tenants/<tenant><rest>`, with `If-Match` if given.
fn send(p: &Provider, method: Method, rest: &str, body: &Json, if_match: Option<&str>) -> Answer {
    let path = format!("/api/v1/tenants/{}{rest}", p.tenant);
    let mut req = Request::new(method, &path)
        .with_header("host", "api.example.test")
        .with_header("authorization", &format!("Bearer {}", p.key));
    if let Some(tag) = if_match {
        req = req.with_header("if-match", tag);
    }
    if !body.is_null() {
        req = req.with_header("content-type", "application/json").with_body(body.to_string());
    }
    let response = p.app.send(req);
    let body = if response.body.is_empty() { Json::Null } else { serde_json::from_slice(&response.body).unwrap() };
    common::openapi::check(method, &path, response.status, &body);
    Answer { status: response.status, body, etag: response.header("etag").map(str::to_owned) }
}

fn get(p: &Provider, rest: &str) -> Answer {
    let answer = send(p, Method::Get, rest, &Json::Null, None);
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer
}

/// A portal of the provider (`acme`), its path under the tenant.
fn portal(p: &Provider) -> String {
    let id = p.app.new_portal(&p.key, &p.tenant, &json!({ "slug": "acme", "name": "Acme Support" }));
    format!("/portals/{id}")
}

/// Another client's write landing between the handler's read and its write.
fn interleave(p: &Provider, sql: &'static str, params: Vec<Value>) {
    p.app.rt.db.before_next_batch.borrow_mut().push(Statement::new(sql, params));
}

#[test]
fn a_second_client_with_the_version_it_read_is_refused_and_its_change_is_not_made() {
    let p = provider();
    let path = portal(&p);
    let first = get(&p, &path);
    let second = get(&p, &path);
    assert_eq!(first.etag.as_deref(), Some("\"1\""));
    assert_eq!(first.etag, second.etag);

    let won = send(&p, Method::Patch, &path, &json!({ "name": "First" }), first.etag.as_deref());
    assert_eq!(won.status, 200, "{}", won.body);
    assert_eq!(won.etag.as_deref(), Some("\"2\""));

    let audit = p.app.audit_count();
    let lost = send(&p, Method::Patch, &path, &json!({ "page_title": "Second" }), second.etag.as_deref());
    assert_eq!(lost.status, 412, "{}", lost.body);
    assert_eq!(lost.body["error"]["code"], "precondition_failed");
    assert_eq!(lost.etag.as_deref(), Some("\"2\""), "the current version, to read again");
    assert_eq!(lost.body["error"]["etag"], "\"2\"");
    let now = get(&p, &path);
    assert_eq!(now.body["portal"]["name"], "First");
    assert_eq!(now.body["portal"]["page_title"], "Acme Support");
    assert_eq!(now.etag.as_deref(), Some("\"2\""));
    assert_eq!(p.app.audit_count(), audit, "no audit entry for a refused write");
}

#[test]
fn a_patch_without_if_match_keeps_a_field_changed_between_its_read_and_its_write() {
    let p = provider();
    let path = portal(&p);
    let id = path.trim_start_matches("/portals/").to_owned();
    // The handler reads the portal, then this rename lands before its write.
    interleave(&p, "UPDATE portals SET name = 'Renamed meanwhile' WHERE id = ?1", vec![Value::from(id.as_str())]);
    let patched = send(&p, Method::Patch, &path, &json!({ "page_title": "New title" }), None);
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.body["portal"]["page_title"], "New title");
    assert_eq!(patched.body["portal"]["name"], "Renamed meanwhile", "the other write is not undone");
    assert_eq!(patched.etag.as_deref(), Some("\"3\""), "two changes, two versions");
    let audit = p.app.sql("SELECT before_json FROM audit_log WHERE action = 'portal.update' ORDER BY seq", Vec::new());
    assert_eq!(audit.len(), 1, "only the write that happened is recorded");
    assert!(audit[0]["before_json"].as_str().unwrap().contains("Renamed meanwhile"), "{audit:?}");
}

#[test]
fn a_write_whose_version_moves_on_after_its_check_is_refused_by_its_own_statement() {
    let p = provider();
    let path = portal(&p);
    let id = path.trim_start_matches("/portals/").to_owned();
    let read = get(&p, &path);
    interleave(&p, "UPDATE portals SET name = 'Renamed meanwhile' WHERE id = ?1", vec![Value::from(id.as_str())]);
    let audit = p.app.audit_count();
    let stale = send(&p, Method::Patch, &path, &json!({ "name": "Mine" }), read.etag.as_deref());
    assert_eq!(stale.status, 412, "{}", stale.body);
    assert_eq!(stale.etag.as_deref(), Some("\"2\""));
    assert_eq!(get(&p, &path).body["portal"]["name"], "Renamed meanwhile");
    assert_eq!(p.app.audit_count(), audit);
}

#[test]
fn if_match_star_writes_over_any_version_of_a_resource_that_exists() {
    let p = provider();
    let customer = format!("/customers/{}", p.customer);
    send(&p, Method::Patch, &customer, &json!({ "name": "Alpha 2" }), None);
    let renamed = send(&p, Method::Patch, &customer, &json!({ "name": "Alpha 3" }), Some("*"));
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.etag.as_deref(), Some("\"3\""));
    let missing =
        send(&p, Method::Patch, "/customers/00000000-0000-4000-8000-000000000000", &json!({ "name": "X" }), Some("*"));
    assert_eq!(missing.status, 404);
}

#[test]
fn a_list_of_tags_matches_when_it_names_the_current_one() {
    let p = provider();
    let customer = format!("/customers/{}", p.customer);
    let listed = send(&p, Method::Patch, &customer, &json!({ "name": "Beta" }), Some("\"9\", W/\"1\", \"1\""));
    assert_eq!(listed.status, 200, "{}", listed.body);
    let weak_only = send(&p, Method::Patch, &customer, &json!({ "name": "Gamma" }), Some("W/\"2\""));
    assert_eq!(weak_only.status, 412, "a weak tag never matches: If-Match compares strongly");
}

#[test]
fn a_malformed_if_match_is_a_400_and_changes_nothing() {
    let p = provider();
    let customer = format!("/customers/{}", p.customer);
    let audit = p.app.audit_count();
    for bad in ["1", "\"1", "\"1\" \"2\"", "*, \"1\""] {
        let answer = send(&p, Method::Patch, &customer, &json!({ "name": "Changed" }), Some(bad));
        assert_eq!(answer.status, 400, "{bad}: {}", answer.body);
        assert!(answer.body["error"]["message"].as_str().unwrap().contains("If-Match"));
    }
    let now = get(&p, &customer);
    assert_eq!(now.body["customer"]["name"], "Alpha");
    assert_eq!(now.etag.as_deref(), Some("\"1\""));
    assert_eq!(p.app.audit_count(), audit);
}

#[test]
fn a_delete_with_a_stale_tag_is_refused_and_one_with_the_current_tag_deletes() {
    let p = provider();
    let customer = format!("/customers/{}", p.customer);
    let read = get(&p, &customer);
    send(&p, Method::Patch, &customer, &json!({ "name": "Renamed" }), None);
    let audit = p.app.audit_count();
    let stale = send(&p, Method::Delete, &customer, &Json::Null, read.etag.as_deref());
    assert_eq!(stale.status, 412, "{}", stale.body);
    assert_eq!(stale.etag.as_deref(), Some("\"2\""));
    assert_eq!(get(&p, &customer).body["customer"]["name"], "Renamed", "still there");
    assert_eq!(p.app.audit_count(), audit, "no audit entry for the refused delete");
    let current = send(&p, Method::Delete, &customer, &Json::Null, stale.etag.as_deref());
    assert_eq!(current.status, 204);
    assert_eq!(send(&p, Method::Get, &customer, &Json::Null, None).status, 404);
}

#[test]
fn a_delete_that_loses_the_race_after_its_check_deletes_nothing() {
    let p = provider();
    let path = portal(&p);
    let id = path.trim_start_matches("/portals/").to_owned();
    interleave(&p, "UPDATE portals SET name = 'Renamed meanwhile' WHERE id = ?1", vec![Value::from(id.as_str())]);
    let stale = send(&p, Method::Delete, &path, &Json::Null, Some("\"1\""));
    assert_eq!(stale.status, 412, "{}", stale.body);
    assert_eq!(get(&p, &path).body["portal"]["name"], "Renamed meanwhile");
    let audit = p.app.sql("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'portal.delete'", Vec::new());
    assert_eq!(audit[0]["n"], 0);
}

#[test]
fn the_etag_changes_on_each_write_and_equals_what_get_returns() {
    let p = provider();
    let theme = p.app.new_theme(&p.key, &p.tenant, "Blue", &common::good_colors());
    let path = format!("/themes/{theme}");
    let mut seen = vec![get(&p, &path).etag.unwrap()];
    let renamed = send(&p, Method::Patch, &path, &json!({ "name": "Navy" }), seen.last().map(String::as_str));
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    seen.push(renamed.etag.unwrap());
    assert_eq!(get(&p, &path).etag.as_ref(), seen.last());
    // A logo is part of the theme: putting one moves its version on too.
    let (status, body) = p.app.put_logo(&p.key, &p.tenant, &theme, "small", "image/png", common::PNG_1X1);
    assert_eq!(status, 200, "{body}");
    let after_logo = get(&p, &path).etag.unwrap();
    seen.push(after_logo);
    let removed =
        send(&p, Method::Delete, &format!("{path}/logos/small"), &Json::Null, seen.last().map(String::as_str));
    assert_eq!(removed.status, 204);
    seen.push(removed.etag.unwrap());
    assert_eq!(get(&p, &path).etag.as_ref(), seen.last());
    let mut distinct = seen.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), 4, "{seen:?}");
}

/// A one-customer portal (`acme`) with its admin Ada signed in and a member, Grace; returns
/// the portal's id and Grace's account id.
fn users_page(p: &Provider) -> (String, common::browser::Browser<'_>, String) {
    let portal = p.app.new_portal(
        &p.key,
        &p.tenant,
        &json!({ "slug": "acme", "name": "Acme Support", "customer_id": p.customer }),
    );
    let admin = p.join(&portal, "acme", "ada@example.com", Some(&p.customer));
    p.join(&portal, "acme", "grace@example.com", Some(&p.customer));
    let grace = account(p, "grace@example.com")["id"].as_str().unwrap().to_owned();
    (portal, admin, grace)
}

fn account(p: &Provider, email: &str) -> Json {
    p.app.sql("SELECT id, role, version FROM accounts WHERE email = ?1", vec![Value::from(email)]).remove(0)
}

fn version_field(version: i64) -> String {
    format!("name=\"version\" value=\"{version}\"")
}

#[test]
fn a_users_form_from_a_page_opened_before_someone_changed_the_person_changes_nothing() {
    let p = provider();
    let (portal, admin, grace) = users_page(&p);
    let shown = account(&p, "grace@example.com")["version"].as_i64().unwrap();
    assert!(common::body_text(&admin.get("/users")).contains(&version_field(shown)), "each form carries it");

    // The provider changes Grace through the API while Ada's page is open.
    let path = format!("/portals/{portal}/users/{grace}");
    let changed = send(&p, Method::Patch, &path, &json!({ "ticket_visibility": "own" }), None);
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.etag, Some(format!("\"{}\"", shown + 1)));

    let audit = p.app.audit_count();
    let role = admin.post(&format!("/users/{grace}/role"), &[("role", "admin"), ("version", &shown.to_string())]);
    assert_eq!(role.status, 409);
    let page = common::body_text(&role);
    assert!(page.contains("Someone changed this person since you opened the page"), "{page}");
    assert!(page.contains(&version_field(shown + 1)), "the page as it is now, to try again from");
    let removed = admin.post(&format!("/users/{grace}/remove"), &[("version", &shown.to_string())]);
    assert_eq!(removed.status, 409);
    assert_eq!(account(&p, "grace@example.com")["role"], "member", "nothing changed");
    assert_eq!(p.app.audit_count(), audit, "and nothing recorded");

    let again =
        admin.post(&format!("/users/{grace}/role"), &[("role", "admin"), ("version", &(shown + 1).to_string())]);
    assert_eq!(again.status, 200);
    assert_eq!(account(&p, "grace@example.com")["role"], "admin");
}

#[test]
fn a_users_form_that_loses_the_race_after_its_check_says_so_rather_than_last_admin() {
    let p = provider();
    let (_, admin, grace) = users_page(&p);
    let shown = account(&p, "grace@example.com")["version"].as_i64().unwrap();
    interleave(&p, "UPDATE accounts SET name = 'Grace H.' WHERE id = ?1", vec![Value::from(grace.as_str())]);
    let removed = admin.post(&format!("/users/{grace}/remove"), &[("version", &shown.to_string())]);
    assert_eq!(removed.status, 409);
    assert!(common::body_text(&removed).contains("Someone changed this person"));
    assert_eq!(account(&p, "grace@example.com")["role"], "member", "still there");
}

#[test]
fn a_portal_users_api_delete_with_a_stale_tag_is_refused() {
    let p = provider();
    let (portal, _admin, grace) = users_page(&p);
    let path = format!("/portals/{portal}/users/{grace}");
    let shown = account(&p, "grace@example.com")["version"].as_i64().unwrap();
    send(&p, Method::Patch, &path, &json!({ "ticket_visibility": "own" }), None);
    let stale = send(&p, Method::Delete, &path, &Json::Null, Some(&format!("\"{shown}\"")));
    assert_eq!(stale.status, 412, "{}", stale.body);
    assert_eq!(stale.etag, Some(format!("\"{}\"", shown + 1)));
    assert_eq!(send(&p, Method::Delete, &path, &Json::Null, stale.etag.as_deref()).status, 204);
}

#[test]
fn ticket_settings_carry_their_portals_version() {
    let p = provider();
    let path = portal(&p);
    let settings = format!("{path}/ticket-settings");
    let read = get(&p, &settings);
    assert_eq!(read.etag, get(&p, &path).etag, "the settings are part of the portal's row");
    let written = send(&p, Method::Put, &settings, &json!({ "satisfaction": true }), read.etag.as_deref());
    assert_eq!(written.status, 200, "{}", written.body);
    assert_eq!(written.etag, get(&p, &path).etag);
    let stale = send(&p, Method::Put, &settings, &json!({ "satisfaction": false }), read.etag.as_deref());
    assert_eq!(stale.status, 412);
    assert_eq!(get(&p, &settings).body["ticket_settings"]["satisfaction"], true);
}

#[test]
fn a_stale_pipeline_edit_changes_neither_its_name_nor_any_of_its_stages() {
    let p = provider();
    let body = json!({ "name": "Support", "stages": [{ "name": "New" }, { "name": "Solved", "closed": true }] });
    let created = send(&p, Method::Post, "/pipelines", &body, None);
    assert_eq!(created.status, 201, "{}", created.body);
    let path = format!("/pipelines/{}", created.body["pipeline"]["id"].as_str().unwrap());
    let read = get(&p, &path);
    let id = read.body["pipeline"]["id"].as_str().unwrap().to_owned();
    interleave(&p, "UPDATE pipelines SET name = 'Helpdesk' WHERE id = ?1", vec![Value::from(id.as_str())]);
    let audit = p.app.audit_count();
    let edit = json!({ "name": "Mine", "stages": [{ "name": "Open" }, { "name": "Done", "closed": true }] });
    let stale = send(&p, Method::Patch, &path, &edit, read.etag.as_deref());
    assert_eq!(stale.status, 412, "{}", stale.body);
    let now = get(&p, &path);
    assert_eq!(now.body["pipeline"]["name"], "Helpdesk");
    assert_eq!(now.body["pipeline"]["stages"], read.body["pipeline"]["stages"], "the stages went untouched");
    assert_eq!(p.app.audit_count(), audit);

    // Without If-Match the same edit is made over the renamed pipeline.
    let made = send(&p, Method::Patch, &path, &json!({ "stages": edit["stages"] }), None);
    assert_eq!(made.status, 200, "{}", made.body);
    assert_eq!(made.body["pipeline"]["name"], "Helpdesk");
    assert_eq!(made.etag, get(&p, &path).etag);
}

#[test]
fn a_tenant_renamed_and_replanned_at_once_moves_one_version_with_one_audit_entry() {
    let p = provider();
    let path = format!("/api/v1/tenants/{}", p.tenant);
    let before = p.app.api(Method::Get, &path, &Json::Null).1;
    let plan = before["tenant"]["plan_apps"].clone();
    let req = Request::new(Method::Patch, &path)
        .with_header("host", "api.example.test")
        .with_header("authorization", &format!("Bearer {}", common::PLATFORM_TOKEN))
        .with_header("if-match", "\"1\"")
        .with_header("content-type", "application/json")
        .with_body(json!({ "name": "Renamed", "plan_apps": plan }).to_string());
    let response = p.app.send(req);
    assert_eq!(response.status, 200);
    assert_eq!(response.header("etag"), Some("\"2\""));
    let entries = p
        .app
        .sql("SELECT action FROM audit_log WHERE target_type = 'tenant' AND action <> 'tenant.create'", Vec::new());
    assert_eq!(entries, [json!({ "action": "tenant.update" })]);
}

#[test]
fn a_conditional_put_of_an_asset_that_does_not_exist_creates_nothing() {
    let p = provider();
    let body = json!({ "name": "Pump 7" });
    for tag in ["*", "\"1\""] {
        let refused = send(&p, Method::Put, "/assets/pump-7", &body, Some(tag));
        assert_eq!(refused.status, 412, "{tag}: {}", refused.body);
        assert_eq!(refused.etag, None, "no version to name");
        assert!(refused.body["error"].get("etag").is_none());
    }
    assert_eq!(send(&p, Method::Get, "/assets/pump-7", &Json::Null, None).status, 404);
    let made = send(&p, Method::Put, "/assets/pump-7", &body, None);
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(made.etag.as_deref(), Some("\"1\""));
    let replaced = send(&p, Method::Put, "/assets/pump-7", &json!({ "name": "Pump 7b" }), Some("*"));
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    assert_eq!(replaced.etag.as_deref(), Some("\"2\""));
}

#[test]
fn a_stale_sso_connection_replace_leaves_its_domains_and_a_stale_delete_leaves_it() {
    let p = provider();
    let path = portal(&p);
    let connections = format!("{path}/sso-connections");
    let body = json!({
        "name": "Acme IdP",
        "protocol": "jwt",
        "jwt": { "algorithm": "HS256" },
        "secret": "generate",
        "domains": [{ "domain": "acme.example" }]
    });
    let created = send(&p, Method::Post, &connections, &body, None);
    assert_eq!(created.status, 201, "{}", created.body);
    let one = format!("{connections}/{}", created.body["connection"]["id"].as_str().unwrap());
    let read = get(&p, &one);
    assert_eq!(read.etag, created.etag);
    let mut rename = body.clone();
    rename["name"] = json!("Renamed");
    rename.as_object_mut().unwrap().remove("secret");
    let renamed = send(&p, Method::Put, &one, &rename, None);
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    let audit = p.app.audit_count();
    let mut stale_body = rename.clone();
    stale_body["domains"] = json!([{ "domain": "other.example" }]);
    let stale = send(&p, Method::Put, &one, &stale_body, read.etag.as_deref());
    assert_eq!(stale.status, 412, "{}", stale.body);
    assert_eq!(stale.etag, renamed.etag);
    let now = get(&p, &one);
    assert_eq!(now.body["connection"]["name"], "Renamed");
    assert_eq!(now.body["connection"]["domains"], renamed.body["connection"]["domains"], "the domains stayed");
    assert_eq!(send(&p, Method::Delete, &one, &Json::Null, read.etag.as_deref()).status, 412);
    assert_eq!(p.app.audit_count(), audit);
    assert_eq!(send(&p, Method::Delete, &one, &Json::Null, now.etag.as_deref()).status, 204);
}

#[test]
fn a_reply_moves_a_tickets_version_so_an_edit_read_before_it_is_refused() {
    let p = provider();
    let body = json!({ "name": "Support", "stages": [{ "name": "New" }, { "name": "Solved", "closed": true }] });
    let pipeline = send(&p, Method::Post, "/pipelines", &body, None).body["pipeline"].clone();
    let ticket =
        json!({ "subject": "Pump leaks", "description": "Oil under the pump.", "pipeline_id": pipeline["id"] });
    let created = send(&p, Method::Post, "/tickets", &ticket, None);
    assert_eq!(created.status, 201, "{}", created.body);
    let path = format!("/tickets/{}", created.body["ticket"]["id"].as_str().unwrap());
    let read = get(&p, &path);
    assert_eq!(read.etag.as_deref(), Some("\"1\""), "a new ticket starts at 1 (its search key is no change)");
    let reply = send(&p, Method::Post, &format!("{path}/messages"), &json!({ "body": "On our way." }), None);
    assert_eq!(reply.status, 201, "{}", reply.body);
    let stale = send(&p, Method::Patch, &path, &json!({ "priority": "high" }), read.etag.as_deref());
    assert_eq!(stale.status, 412, "the conversation moved on since the agent read it: {}", stale.body);
    let current = get(&p, &path);
    assert_eq!(current.body["ticket"]["priority"], read.body["ticket"]["priority"]);
    let edited = send(&p, Method::Patch, &path, &json!({ "priority": "high" }), current.etag.as_deref());
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.etag, get(&p, &path).etag);
}
