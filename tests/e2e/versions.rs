//! Versions on real workerd with local D1: the `version` columns are moved by `SQLite`
//! triggers (schema 0014), which the in-process tests run on rusqlite only. Here D1 runs
//! them: a write's `ETag` is the one the next GET shows, a stale `If-Match` is 412 and
//! changes nothing, and a change made as a side effect (a reply touching its ticket) moves
//! the version too.

use serde_json::json;

use super::server;

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn a_portal_patch_answers_the_etag_its_get_shows_and_a_stale_if_match_is_412_changing_nothing_on_d1() {
    let s = server();
    let (tenant, key) = s.tenant("Etag");
    let (portal, _, _) = s.portal(&tenant, &key, "Etag");
    let path = format!("/api/v1/tenants/{tenant}/portals/{portal}");
    let read = s.api("GET", &path, &key, None);
    assert_eq!(read.status, 200, "{}", read.text());
    let first = read.header("etag").expect("a GET's ETag").to_owned();

    let patched =
        s.api_with("PATCH", &path, &key, Some(json!({"name": "Etag Renamed"})), vec![("if-match", first.clone())]);
    assert_eq!(patched.status, 200, "{}", patched.text());
    let second = patched.header("etag").expect("a write's ETag").to_owned();
    assert_ne!(second, first, "the trigger moved the version");
    assert_eq!(s.api("GET", &path, &key, None).header("etag"), Some(second.as_str()));

    let stale =
        s.api_with("PATCH", &path, &key, Some(json!({"page_title": "Stale"})), vec![("if-match", first.clone())]);
    assert_eq!(stale.status, 412, "{}", stale.text());
    assert_eq!(stale.header("etag"), Some(second.as_str()), "the current version, to read again");
    assert_eq!(stale.json()["error"]["etag"], second.as_str());
    let now = s.api("GET", &path, &key, None);
    assert_eq!(now.header("etag"), Some(second.as_str()), "nothing changed");
    assert_eq!(now.json()["portal"]["page_title"], "Etag Help Centre");
    assert_eq!(now.json()["portal"]["name"], "Etag Renamed");
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn a_reply_moves_its_tickets_version_through_the_d1_trigger() {
    let s = server();
    let (tenant, key) = s.tenant("Replyver");
    let pipeline = s.support_pipeline(&tenant, &key);
    let tickets = format!("/api/v1/tenants/{tenant}/tickets");
    let created = s.api(
        "POST",
        &tickets,
        &key,
        Some(json!({"subject": "Leaking valve", "description": "Drips", "pipeline_id": pipeline["id"]})),
    );
    assert_eq!(created.status, 201, "{}", created.text());
    let path = format!("{tickets}/{}", created.json()["ticket"]["id"].as_str().unwrap());
    let before = s.api("GET", &path, &key, None).header("etag").expect("a ticket's ETag").to_owned();

    let reply = s.api("POST", &format!("{path}/messages"), &key, Some(json!({"body": "A fitter comes on Monday."})));
    assert_eq!(reply.status, 201, "{}", reply.text());
    let after = s.api("GET", &path, &key, None).header("etag").unwrap().to_owned();
    assert_ne!(after, before, "the reply's update of its ticket moved the version");

    let stale = s.api_with("PATCH", &path, &key, Some(json!({"subject": "Stale"})), vec![("if-match", before)]);
    assert_eq!(stale.status, 412, "{}", stale.text());
    assert_eq!(stale.header("etag"), Some(after.as_str()));
    let current = s.api_with("PATCH", &path, &key, Some(json!({"subject": "Valve leaks"})), vec![("if-match", after)]);
    assert_eq!(current.status, 200, "{}", current.text());
    assert_eq!(s.api("GET", &path, &key, None).json()["ticket"]["subject"], "Valve leaks");
}
