//! A tenant leaving and a person's data, in process on real `SQLite` with the real schema:
//! a tenant built through the API and its portal with data in (nearly) every table is erased
//! by repeated scheduled runs until nothing of it is left in any table (enumerated from the
//! schema at test time), in R2 or in KV, while another tenant keeps everything; erasure
//! resumes after a failure; the export; one person's export and erasure.

use std::collections::{BTreeMap, BTreeSet};

use crate::common;

use common::browser::Browser;
use common::{body_text, multipart_body, spawn_app, spawn_app_with_demo_fleet, TestApp, PASSWORD, PNG_1X1};
use porch_core::http::{Method, Request, Response};
use porch_core::store::Value;
use porch_types::time::Timestamp;
use serde_json::json;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
const HOUR: i64 = 3_600_000;

/// A tenant with data in every part of porch, and the names to reach it.
struct Built {
    tenant: String,
    key: String,
    portal: String,
    slug: String,
    local_host: String,
    custom_host: String,
    account: String,
}

fn api(app: &TestApp, key: &str, method: Method, path: &str, body: &serde_json::Value) -> serde_json::Value {
    let (status, answer) = app.api_as(Some(key), method, path, body);
    assert!((200..300).contains(&status), "{} {path}: {status} {answer}", method.as_str());
    answer
}

/// A multipart or raw-body API call that must succeed.
fn send_ok(app: &TestApp, key: &str, method: Method, path: &str, content_type: &str, body: Vec<u8>) {
    let response = app.send(
        Request::new(method, path)
            .with_header("host", "api.example.test")
            .with_header("authorization", &format!("Bearer {key}"))
            .with_header("content-type", content_type)
            .with_body(body),
    );
    assert!((200..300).contains(&response.status), "{path}: {} {}", response.status, body_text(&response));
}

/// Builds a tenant through the API and its portal: customers and units, a theme with a logo,
/// a portal with a custom and a local domain, ticket set-up, a template, people who joined
/// (sessions, invitations, a registration-list entry, a preview link), a ticket from the
/// portal with a file and an agent's reply with a file, documents, an asset with a photo,
/// activity and a share, a webhook with deliveries, an SSO connection, a rate-limit bucket.
fn build(app: &TestApp, slug: &str) -> Built {
    let (tenant, key) = app.new_tenant(slug);
    let t = format!("/api/v1/tenants/{tenant}");
    let customer = app.new_customer(&key, &tenant, "Alpha");
    let unit = api(app, &key, Method::Post, &format!("{t}/customers/{customer}/units"), &json!({ "name": "North" }));
    let unit = unit["business_unit"]["id"].as_str().unwrap().to_owned();
    let theme = app.new_theme(&key, &tenant, "Brand", &common::good_colors());
    assert_eq!(app.put_logo(&key, &tenant, &theme, "small", "image/png", PNG_1X1).0, 200);
    api(
        app,
        &key,
        Method::Post,
        &format!("{t}/pipelines"),
        &json!({ "name": "Support",
        "stages": [{ "name": "New" }, { "name": "Solved", "closed": true }] }),
    );
    api(
        app,
        &key,
        Method::Post,
        &format!("{t}/inboxes"),
        &json!({ "name": "Field", "notify_email": "field@provider.example" }),
    );
    api(
        app,
        &key,
        Method::Post,
        &format!("{t}/ticket-properties"),
        &json!({ "key": "model", "label": "Model", "kind": "text" }),
    );
    api(app, &key, Method::Post, &format!("{t}/templates"), &json!({ "name": "Service" }));
    // A person of the console, joined through their invitation.
    let email = format!("staff@{slug}.example");
    let invited =
        api(app, &key, Method::Post, &format!("{t}/staff-invitations"), &json!({ "email": email, "role": "owner" }));
    let link = invited["url"].as_str().unwrap().trim_start_matches("http://console.localhost").to_owned();
    let console = Browser::new(app, "console.localhost");
    console.get(&link);
    assert_eq!(console.post(&link, &[("name", "Staff"), ("password", PASSWORD)]).status, 303);
    // Their sign-in through the tenant's own provider (its sealed secret and domains).
    let sso = json!({ "issuer": format!("https://id.{slug}.example"), "client_id": "porch", "client_secret": "secret",
        "domains": [format!("{slug}.example")] });
    api(app, &key, Method::Put, &format!("{t}/staff-sso"), &sso);
    let portal_slug = format!("{slug}-portal");
    let portal = app.new_portal(
        &key,
        &tenant,
        &json!({ "slug": portal_slug, "name": "Support", "theme_id": theme,
        "apps": ["tickets", "support_form", "equipment", "documents"] }),
    );
    let p = format!("{t}/portals/{portal}");
    let local_host = format!("{slug}.localhost");
    let custom_host = format!("support.{slug}.example.com");
    api(app, &key, Method::Post, &format!("{p}/domains"), &json!({ "hostname": local_host }));
    api(app, &key, Method::Post, &format!("{p}/domains"), &json!({ "hostname": custom_host }));
    api(
        app,
        &key,
        Method::Post,
        &format!("{p}/registration-list"),
        &json!({ "email": format!("listed@{slug}.example"), "send_email": true }),
    );
    api(
        app,
        &key,
        Method::Post,
        &format!("{t}/webhooks"),
        &json!({ "url": format!("https://hooks.{slug}.example/porch") }),
    );
    api(
        app,
        &key,
        Method::Post,
        &format!("{p}/sso-connections"),
        &json!({ "name": "App", "protocol": "jwt", "jwt": { "algorithm": "HS256" }, "secret": "generate" }),
    );
    // A SAML connection too: it holds porch's own SP key pair (sealed, in its own table).
    let idp = crate::sso::SamlIdp::new();
    api(app, &key, Method::Post, &format!("{p}/sso-connections"), &crate::sso::saml_body(&idp, false));
    let host = common::platform_host(&portal_slug);
    let ada = common::join(app, &key, &tenant, &portal, &portal_slug, &format!("ada@{slug}.example"), Some(&customer));
    let account = app.sql("SELECT id FROM accounts WHERE tenant_id = ?1", vec![tenant.clone().into()])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    api(app, &key, Method::Post, &format!("{p}/previews"), &json!({ "account_id": account }));
    // A ticket from the portal with a file, and the agent's reply with another.
    assert_eq!(ada.get("/tickets/new").status, 200);
    let created = ada.post_multipart(
        "/tickets/new",
        &[("subject", "Pump leaks"), ("description", "Oil under it")],
        &[("files", "leak.pdf", PDF)],
    );
    assert_eq!(created.status, 303, "{}", body_text(&created));
    let ticket = app.sql("SELECT id FROM tickets WHERE tenant_id = ?1", vec![tenant.clone().into()])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.rt.advance_seconds(1); // the reply comes after the question, not in the same millisecond
    let (content_type, raw) = multipart_body(&[("body", "On our way")], &[("files", "plan.pdf", PDF)]);
    send_ok(app, &key, Method::Post, &format!("{t}/tickets/{ticket}/messages"), &content_type, raw);
    // Documents, an asset with a photo, activity and a share.
    api(
        app,
        &key,
        Method::Put,
        &format!("{t}/assets/EX-1"),
        &json!({ "name": "Excavator", "customer_id": customer,
        "business_unit_id": unit }),
    );
    send_ok(app, &key, Method::Put, &format!("{t}/assets/EX-1/photo"), "image/png", PNG_1X1.to_vec());
    let start = app.rt.clock.get() - 48 * HOUR;
    let events: Vec<serde_json::Value> = (0..30)
        .map(|n| json!({ "id": format!("h-{n}"), "at": Timestamp::from_millis(start + n * HOUR).to_string(), "kind": "hours", "value": 100 + n }))
        .collect();
    api(app, &key, Method::Post, &format!("{t}/assets/EX-1/activity"), &json!({ "events": events }));
    api(
        app,
        &key,
        Method::Post,
        &format!("{t}/assets/EX-1/shares"),
        &json!({ "customer_id": customer, "from": Timestamp::from_millis(start).to_string() }),
    );
    let (content_type, raw) = multipart_body(
        &[("title", "Contract"), ("category", "other"), ("customer_id", &customer)],
        &[("file", "contract.pdf", PDF)],
    );
    send_ok(app, &key, Method::Post, &format!("{t}/documents"), &content_type, raw);
    // A wrong password: a rate-limit bucket of the portal.
    let stranger = Browser::new(app, &host);
    assert_eq!(stranger.get("/sign-in").status, 200);
    stranger.post("/sign-in", &[("email", &format!("ada@{slug}.example")), ("password", "wrong password!")]);
    assert_eq!(app.page(&local_host, "/sign-in").status, 200, "the portal answers on its local domain");
    Built { tenant, key, portal, slug: portal_slug, local_host, custom_host, account }
}

/// Every table of the database (virtual and shadow tables too) and its columns, from the schema.
fn tables(app: &TestApp) -> Vec<(String, Vec<String>)> {
    app.sql("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", Vec::new())
        .iter()
        .map(|row| {
            let name = row["name"].as_str().unwrap().to_owned();
            let columns = app
                .sql("SELECT name FROM pragma_table_info(?1)", vec![name.clone().into()])
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_owned())
                .collect();
            (name, columns)
        })
        .collect()
}

/// Every row of a table as text values (blobs left out: FTS5's index internals).
fn rows_of(app: &TestApp, table: &str) -> Vec<Vec<String>> {
    // Table names come from sqlite_master, never from input; the SQL must be 'static.
    let sql: &'static str = Box::leak(format!("SELECT * FROM \"{table}\"").into_boxed_str());
    app.sql(sql, Vec::new())
        .iter()
        .map(|row| row.as_object().unwrap().values().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .collect()
}

/// Every id of the tenant's rows (columns `id` and `*_id` of every table with a tenant
/// column), with the forms the search index writes them in (without hyphens).
fn ids_of(app: &TestApp, tenant: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::from([tenant.to_owned()]);
    for (table, columns) in tables(app) {
        let Some(tenant_column) = columns.iter().find(|c| *c == "tenant_id") else { continue };
        let sql: &'static str =
            Box::leak(format!("SELECT * FROM \"{table}\" WHERE \"{tenant_column}\" = ?1").into_boxed_str());
        for row in app.sql(sql, vec![tenant.into()]) {
            for (column, value) in row.as_object().unwrap() {
                if (column == "id" || column.ends_with("_id")) && value.as_str().is_some_and(|v| v.len() == 36) {
                    ids.insert(value.as_str().unwrap().to_owned());
                }
            }
        }
    }
    let plain: Vec<String> = ids.iter().map(|id| id.replace('-', "")).collect();
    ids.extend(plain);
    ids
}

/// How many rows each table holds of the tenant (tables with a tenant column).
fn counts_of(app: &TestApp, tenant: &str) -> BTreeMap<String, i64> {
    tables(app)
        .into_iter()
        .filter(|(table, columns)| table != "tenant_deletions" && columns.iter().any(|c| c == "tenant_id"))
        .map(|(table, _)| {
            let sql: &'static str =
                Box::leak(format!("SELECT COUNT(*) AS n FROM \"{table}\" WHERE tenant_id = ?1").into_boxed_str());
            let n = app.sql(sql, vec![tenant.into()])[0]["n"].as_i64().unwrap();
            (table, n)
        })
        .collect()
}

fn scheduled(app: &TestApp) {
    pollster::block_on(porch_core::app::scheduled::lifecycle_share(&app.rt));
}

/// Runs the scheduled share until the tenant's erasure is finished: the number of runs.
fn erase_until_done(app: &TestApp, tenant: &str) -> usize {
    erase_in_shares(app, tenant, None)
}

/// Erases in shares of `units` (None: the scheduled run's own) until finished: the number of runs.
fn erase_in_shares(app: &TestApp, tenant: &str, units: Option<i64>) -> usize {
    for run in 1..=1000 {
        match units {
            Some(units) => drop(pollster::block_on(porch_core::app::lifecycle::erase_within(&app.rt, units))),
            None => scheduled(app),
        }
        let (status, body) = app.api(Method::Get, &format!("/api/v1/tenants/{tenant}/deletion"), &json!(null));
        assert_eq!(status, 200, "{body}");
        if body["deletion"]["state"] == "finished" {
            return run;
        }
    }
    panic!("the erasure did not finish in 1000 runs");
}

fn keys_of<T>(map: &std::collections::HashMap<String, T>) -> BTreeSet<String> {
    map.keys().cloned().collect()
}

#[test]
fn a_deleted_tenant_leaves_nothing_in_any_table_r2_or_kv_and_another_tenant_keeps_everything() {
    let app = spawn_app();
    let other = build(&app, "globex");
    assert_eq!(app.page(&other.local_host, "/sign-in").status, 200);
    let gone = build(&app, "initech");
    // A finished export of the tenant: its parts are the tenant's too.
    api(&app, &gone.key, Method::Post, &format!("/api/v1/tenants/{}/export", gone.tenant), &json!(null));
    for _ in 0..20 {
        scheduled(&app);
    }
    let other_counts = counts_of(&app, &other.tenant);
    let gone_counts = counts_of(&app, &gone.tenant);
    let empty: Vec<&String> = gone_counts.iter().filter(|(_, n)| **n == 0).map(|(t, _)| t).collect();
    // Built through the API, the tenant fills every table but what needs an identity
    // provider, a closed ticket or a due delivery run: those are proven by the scan below.
    assert!(
        empty.iter().all(|t| [
            "sso_customer_values",
            "sso_domains",
            "sso_events",
            "sso_links",
            "sso_replay",
            "sso_requests",
            "staff_sso_requests",
            "ticket_ratings",
            "reset_tokens",
            "registrations"
        ]
        .contains(&t.as_str())),
        "tables the fixture leaves empty: {empty:?}"
    );
    let gone_ids = ids_of(&app, &gone.tenant);
    let other_objects = app
        .rt
        .blobs
        .objects
        .borrow()
        .keys()
        .filter(|k| !gone_ids.iter().any(|id| k.contains(id.as_str())))
        .cloned()
        .collect::<BTreeSet<_>>();
    let other_kv: BTreeSet<String> = keys_of(&app.rt.kv.entries.borrow())
        .into_iter()
        .filter(|k| !k.contains(&gone.slug) && !k.contains(&gone.local_host) && !k.contains(&gone.custom_host))
        .collect();
    assert!(app.rt.blobs.objects.borrow().len() > other_objects.len(), "the tenant has objects in R2");

    let (status, body) = app.api(Method::Delete, &format!("/api/v1/tenants/{}", gone.tenant), &json!(null));
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["deletion"]["state"], "in_progress");
    // Shares of one page each: every step boundary is crossed between two runs.
    let runs = erase_in_shares(&app, &gone.tenant, Some(1));
    let filled = gone_counts.values().filter(|n| **n > 0).count();
    assert!(runs >= filled, "bounded steps: {runs} runs for {filled} tables with rows");

    // No row of any table names anything of the tenant, but the erasure's own record.
    let mut found = Vec::new();
    for (table, _) in tables(&app) {
        if table == "tenant_deletions" {
            continue;
        }
        for row in rows_of(&app, &table) {
            for value in row {
                if let Some(id) = gone_ids.iter().find(|id| value.contains(id.as_str())) {
                    found.push(format!("{table}: {value} (has {id})"));
                }
            }
        }
    }
    assert!(found.is_empty(), "left behind:\n{}", found.join("\n"));
    assert_eq!(rows_of(&app, "tenant_deletions").len(), 1);
    // Nothing in R2 or KV; the other tenant's rows, objects and cache entries all there.
    let objects: BTreeSet<String> = keys_of(&app.rt.blobs.objects.borrow());
    assert_eq!(objects, other_objects);
    let kv = keys_of(&app.rt.kv.entries.borrow());
    assert!(
        kv.iter().all(|k| !k.contains(&gone.slug)
            && !k.contains(&gone.local_host)
            && !gone_ids.iter().any(|id| k.contains(id.as_str()))),
        "{kv:?}"
    );
    assert!(other_kv.is_subset(&kv), "{other_kv:?} / {kv:?}");
    assert_eq!(counts_of(&app, &other.tenant), other_counts);
    assert_eq!(app.page(&other.local_host, "/sign-in").status, 200, "the other portal still answers");
}

#[test]
fn the_portal_answers_the_neutral_404_and_the_keys_stop_working_at_once() {
    let app = spawn_app();
    let built = build(&app, "initech");
    let platform = common::platform_host(&built.slug);
    assert_eq!(app.page(&platform, "/sign-in").status, 200);
    assert!(app.kv_has(&built.local_host), "cached before");
    let ada_before = app.page(&built.local_host, "/sign-in");
    assert_eq!(ada_before.status, 200);
    let path = format!("/api/v1/tenants/{}", built.tenant);
    let (status, body) = app.api_as(Some(&built.key), Method::Delete, &path, &json!({ "confirm_slug": "initech" }));
    assert_eq!(status, 202, "{body}");
    // Before any scheduled run: the same 404 as a host nobody has.
    let unknown = app.page("nobody.localhost", "/");
    for host in [&built.local_host, &platform] {
        let page = app.page(host, "/sign-in");
        assert_eq!(page.status, 404, "{host}");
        assert_eq!(body_text(&page), body_text(&unknown), "{host}");
    }
    assert!(!app.kv_has(&built.local_host) && !app.kv_has(&platform), "KV purged");
    assert_eq!(app.api_as(Some(&built.key), Method::Get, &path, &json!(null)).0, 401, "the key is revoked");
    assert_eq!(app.api(Method::Get, &path, &json!(null)).0, 404, "gone for the operator too");
    assert_eq!(app.api(Method::Delete, &path, &json!(null)).0, 404, "asked once");
    let listed = app.api(Method::Get, "/api/v1/tenants", &json!(null)).1;
    assert!(!listed.to_string().contains(&built.tenant), "{listed}");
}

#[test]
fn a_tenant_key_needs_the_slug_to_delete_its_tenant_and_cannot_delete_another() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let (other, _) = app.new_tenant("globex");
    let path = format!("/api/v1/tenants/{tenant}");
    let (status, body) = app.api_as(Some(&key), Method::Delete, &path, &json!(null));
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("confirm_slug"), "{body}");
    let (status, body) = app.api_as(Some(&key), Method::Delete, &path, &json!({ "confirm_slug": "globex" }));
    assert_eq!(status, 422, "{body}");
    assert_eq!(common::error_fields(&body), ["confirm_slug"]);
    let other_path = format!("/api/v1/tenants/{other}");
    assert_eq!(app.api_as(Some(&key), Method::Delete, &other_path, &json!({ "confirm_slug": "globex" })).0, 404);
    assert_eq!(app.api(Method::Get, &other_path, &json!(null)).0, 200, "untouched");
    assert_eq!(app.api(Method::Get, &format!("{path}/deletion"), &json!(null)).0, 404, "nothing was asked");
    assert_eq!(app.api_as(Some(&key), Method::Delete, &path, &json!({ "confirm_slug": "acme-co" })).0, 202);
}

#[test]
fn a_tenant_with_children_is_refused_until_they_are_gone() {
    let app = spawn_app();
    let (parent, _) = app.new_tenant("holding");
    let (child, _) = app.new_tenant_with(&json!({ "slug": "subsidiary", "name": "Sub", "parent_id": parent }));
    let (status, body) = app.api(Method::Delete, &format!("/api/v1/tenants/{parent}"), &json!(null));
    assert_eq!(status, 409, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("subsidiary"), "{body}");
    assert_eq!(app.api(Method::Delete, &format!("/api/v1/tenants/{child}"), &json!(null)).0, 202);
    assert_eq!(app.api(Method::Delete, &format!("/api/v1/tenants/{parent}"), &json!(null)).0, 409, "while erased");
    erase_until_done(&app, &child);
    assert_eq!(app.api(Method::Delete, &format!("/api/v1/tenants/{parent}"), &json!(null)).0, 202);
    erase_until_done(&app, &parent);
}

#[test]
fn an_erasure_that_fails_midway_resumes_where_it_stopped() {
    let app = spawn_app();
    let built = build(&app, "initech");
    // Cloudflare for SaaS on, and its API unreachable: the custom hostname cannot be let go.
    let zone_url =
        format!("https://api.cloudflare.com/client/v4/zones/zone-1/custom_hostnames?hostname={}", built.custom_host);
    let mut app = app;
    app.rt.config.cloudflare_api_token = Some("cf-token".into());
    app.rt.config.cloudflare_zone_id = Some("zone-1".into());
    let path = format!("/api/v1/tenants/{}", built.tenant);
    assert_eq!(app.api(Method::Delete, &path, &json!(null)).0, 202);
    for _ in 0..5 {
        scheduled(&app);
    }
    let (_, body) = app.api(Method::Get, &format!("{path}/deletion"), &json!(null));
    let stuck = body["deletion"].clone();
    assert_eq!(stuck["state"], "in_progress", "{stuck}");
    assert!(stuck["last_error"].as_str().unwrap().contains("cloudflare"), "{stuck}");
    assert!(stuck["removed"].as_i64().unwrap() > 0, "it got somewhere first: {stuck}");
    let domains = app.sql("SELECT COUNT(*) AS n FROM domains WHERE tenant_id = ?1", vec![built.tenant.clone().into()]);
    assert_eq!(domains[0]["n"], 2, "the domains wait for their hostnames");
    let sessions = app.sql("SELECT * FROM sessions WHERE tenant_id = ?1", vec![built.tenant.clone().into()]);
    assert!(sessions.is_empty(), "what came before went: {sessions:?} {stuck}");
    // The API is back: the next runs resume and finish, and the hostname is let go.
    let listing =
        json!({ "success": true, "result": [{ "id": "cf-host-1", "hostname": built.custom_host }] }).to_string();
    app.rt.http.answers.borrow_mut().insert(zone_url, (200, listing));
    let delete_url = "https://api.cloudflare.com/client/v4/zones/zone-1/custom_hostnames/cf-host-1".to_owned();
    app.rt.http.answers.borrow_mut().insert(delete_url.clone(), (200, "{}".into()));
    erase_until_done(&app, &built.tenant);
    assert!(app.rt.http.requests.borrow().iter().any(|r| r.url == delete_url && r.method == Method::Delete));
    assert_eq!(counts_of(&app, &built.tenant).values().sum::<i64>(), 0);
    let (_, body) = app.api(Method::Get, &format!("{path}/deletion"), &json!(null));
    assert_eq!(body["deletion"]["last_error"], json!(null));
}

/// The lines of every records part of the tenant's finished export.
fn export_lines(app: &TestApp, key: &str, tenant: &str) -> (serde_json::Value, Vec<serde_json::Value>) {
    let (status, export) =
        app.api_as(Some(key), Method::Get, &format!("/api/v1/tenants/{tenant}/export"), &json!(null));
    assert_eq!(status, 200, "{export}");
    let mut lines = Vec::new();
    for part in export["export"]["parts"].as_array().unwrap() {
        let response: Response = app.send(
            Request::new(Method::Get, part["url"].as_str().unwrap())
                .with_header("host", "api.example.test")
                .with_header("authorization", &format!("Bearer {key}")),
        );
        assert_eq!(response.status, 200, "{part}");
        if part["kind"] == "records" {
            assert_eq!(response.header("content-type"), Some("application/x-ndjson"));
            for line in body_text(&response).lines() {
                lines.push(serde_json::from_str::<serde_json::Value>(line).unwrap());
            }
        } else {
            assert!(!response.body.is_empty(), "{part}");
        }
    }
    (export, lines)
}

#[test]
fn an_export_holds_every_tables_rows_of_the_tenant_and_no_secret_written_in_steps() {
    let app = spawn_app();
    let built = build(&app, "initech");
    let other = build(&app, "globex");
    let path = format!("/api/v1/tenants/{}/export", built.tenant);
    let (status, started) = app.api_as(Some(&built.key), Method::Post, &path, &json!(null));
    assert_eq!(status, 202, "{started}");
    assert_eq!(app.api_as(Some(&built.key), Method::Post, &path, &json!(null)).0, 409, "one at a time");
    let (_, pending) = app.api_as(Some(&built.key), Method::Get, &path, &json!(null));
    assert_eq!(pending["export"]["state"], "in_progress");
    assert_eq!(pending["export"]["parts"], json!([]));
    let mut runs = 0;
    loop {
        scheduled(&app);
        runs += 1;
        let (_, now) = app.api_as(Some(&built.key), Method::Get, &path, &json!(null));
        if now["export"]["state"] == "finished" {
            break;
        }
        assert!(runs < 50);
    }
    assert!(runs >= 2, "written in steps: {runs} run(s)");
    let counts = counts_of(&app, &built.tenant);
    let (export, lines) = export_lines(&app, &built.key, &built.tenant);
    let mut per_table: BTreeMap<String, i64> = BTreeMap::new();
    for line in &lines {
        *per_table.entry(line["table"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    for (table, n) in &counts {
        if table == "tenant_exports" || table == "tenant_export_parts" || table == "audit_log" {
            continue; // the export's own bookkeeping, and the audit entries it wrote itself
        }
        assert_eq!(per_table.get(table).copied().unwrap_or(0), *n, "{table}");
    }
    assert_eq!(per_table.get("tenants"), Some(&1));
    assert_eq!(export["export"]["records"].as_i64().unwrap(), i64::try_from(lines.len()).unwrap());
    // No secret column, and nothing of another tenant.
    let text = lines.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
    assert!(per_table.get("outbox").is_some_and(|n| *n > 0), "the invitations' emails are records too");
    for secret in [
        "secret_hash",
        "password_hash",
        "token_hash",
        "sealed_secret",
        "\"secret\"",
        "code_verifier",
        "$argon2",
        "text_body",
        "html_body",
        "/invite/",
    ] {
        assert!(!text.contains(secret), "{secret} exported");
    }
    assert!(!text.contains(&other.tenant), "another tenant's rows");
    let files: Vec<&serde_json::Value> =
        export["export"]["parts"].as_array().unwrap().iter().filter(|p| p["kind"] == "file").collect();
    let sources: BTreeSet<&str> = files.iter().map(|p| p["source"].as_str().unwrap()).collect();
    assert_eq!(
        sources,
        BTreeSet::from(["attachments.r2_key", "documents.r2_key", "assets.photo_key", "themes.logo_small_key"])
    );
    // Another tenant's key reaches none of it.
    assert_eq!(app.api_as(Some(&other.key), Method::Get, &path, &json!(null)).0, 404);
}

#[test]
fn a_persons_export_holds_their_tickets_and_messages_and_nothing_secret() {
    let app = spawn_app();
    let built = build(&app, "initech");
    let path = format!("/api/v1/tenants/{}/portals/{}/users/{}/export", built.tenant, built.portal, built.account);
    let (status, body) = app.api_as(Some(&built.key), Method::Get, &path, &json!(null));
    assert_eq!(status, 200, "{body}");
    let person = &body["person"];
    assert_eq!(person["account"]["email"], "ada@initech.example");
    assert_eq!(person["tickets"][0]["subject"], "Pump leaks");
    let bodies: Vec<&str> =
        person["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Oil under it", "On our way"]);
    assert_eq!(person["attachments"].as_array().unwrap().len(), 2);
    assert!(!person["sessions"].as_array().unwrap().is_empty());
    let text = body.to_string();
    assert!(!text.contains("password_hash") && !text.contains("token_hash") && !text.contains("$argon2"), "{text}");
    let (other, other_key) = app.new_tenant("globex");
    let foreign = format!("/api/v1/tenants/{other}/portals/{}/users/{}/export", built.portal, built.account);
    assert_eq!(app.api_as(Some(&other_key), Method::Get, &foreign, &json!(null)).0, 404);
    assert_eq!(app.api_as(Some(&other_key), Method::Get, &path, &json!(null)).0, 404);
}

#[test]
fn erasing_a_person_keeps_their_tickets_under_a_placeholder_ends_their_sessions_and_is_audited() {
    let app = spawn_app();
    let built = build(&app, "initech");
    let tenant: Value = built.tenant.clone().into();
    let signed_in = Browser::new(&app, &common::platform_host(&built.slug));
    // Ada's own browser from `build` is gone; sign in again to hold a live session.
    assert_eq!(signed_in.get("/sign-in").status, 200);
    let page = signed_in.post("/sign-in", &[("email", "ada@initech.example"), ("password", PASSWORD)]);
    assert_eq!(page.status, 303, "{}", body_text(&page));
    assert!(signed_in.get("/tickets").status == 200);
    let path = format!("/api/v1/tenants/{}/portals/{}/users/{}/erasure", built.tenant, built.portal, built.account);
    let (status, body) = app.api_as(Some(&built.key), Method::Post, &path, &json!(null));
    assert_eq!(status, 200, "{body}");
    let placeholder = body["erasure"]["placeholder_name"].as_str().unwrap().to_owned();
    assert!(placeholder.starts_with("Erased person "), "{placeholder}");
    let tickets = app.sql("SELECT requester_name, subject FROM tickets WHERE tenant_id = ?1", vec![tenant.clone()]);
    assert_eq!(tickets.len(), 1, "the ticket stays");
    assert_eq!(tickets[0]["requester_name"], placeholder.as_str());
    let authors = app.sql(
        "SELECT author_name FROM messages WHERE tenant_id = ?1 AND author_kind = 'recipient'",
        vec![tenant.clone()],
    );
    assert!(authors.iter().all(|m| m["author_name"] == placeholder.as_str()), "{authors:?}");
    for sql in [
        "SELECT COUNT(*) AS n FROM accounts WHERE tenant_id = ?1",
        "SELECT COUNT(*) AS n FROM sessions WHERE tenant_id = ?1 AND account_id IS NOT NULL",
        "SELECT COUNT(*) AS n FROM previews WHERE tenant_id = ?1 AND account_id IS NOT NULL",
        "SELECT COUNT(*) AS n FROM invitations WHERE tenant_id = ?1 AND email = 'ada@initech.example'",
        "SELECT COUNT(*) AS n FROM outbox WHERE tenant_id = ?1 AND to_email = 'ada@initech.example'",
        "SELECT COUNT(*) AS n FROM audit_log WHERE tenant_id = ?1 AND (before_json LIKE '%ada@initech%' OR after_json LIKE '%ada@initech%')",
    ] {
        assert_eq!(app.sql(sql, vec![tenant.clone()])[0]["n"], 0, "{sql}");
    }
    assert_ne!(signed_in.get("/tickets").status, 200, "the session ended");
    let audit = app.sql("SELECT actor, target_id FROM audit_log WHERE action = 'account.erase'", Vec::new());
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["target_id"], built.account.as_str());
    assert_eq!(app.api_as(Some(&built.key), Method::Post, &path, &json!(null)).0, 404, "erased once");
}

/// Measures the erasure of the demo's fleet tenant (`seed/demo.sql` and `seed/demo-fleet.sql`:
/// Nordic Rentals with 40 machines and 150 days of activity) by scheduled runs on `SQLite`.
/// Run by hand: `cargo test --test in_process lifecycle::measure -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a check"]
#[allow(clippy::disallowed_methods)] // the wall clock is what is measured
fn measure_erasing_the_demo_fleet_tenant() {
    let app = spawn_app_with_demo_fleet();
    let tenant = "b0000000-0000-4000-8000-000000000001";
    let rows: i64 = counts_of(&app, tenant).values().sum();
    let activity = app.sql("SELECT COUNT(*) AS n FROM asset_activity", Vec::new())[0]["n"].as_i64().unwrap();
    assert_eq!(app.api(Method::Delete, &format!("/api/v1/tenants/{tenant}"), &json!(null)).0, 202);
    let started = std::time::Instant::now();
    let runs = erase_until_done(&app, tenant);
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(counts_of(&app, tenant).values().sum::<i64>(), 0);
    println!("erased {rows} rows ({activity} activity readings) in {runs} scheduled runs, {seconds:.2} s");
}

#[test]
fn a_tenant_being_erased_sends_no_more_emails_or_webhook_events() {
    let mut app = spawn_app();
    app.rt.config.email = porch_core::runtime::EmailConfig {
        provider: Some("webhook".to_owned()),
        from: Some("portal@example.com".to_owned()),
        webhook_url: Some("https://mail.example.test/send".to_owned()),
        ..porch_core::runtime::EmailConfig::default()
    };
    let built = build(&app, "initech");
    let queued = "SELECT COUNT(*) AS n FROM outbox WHERE tenant_id = ?1 AND status = 'queued'";
    assert!(app.sql(queued, vec![built.tenant.clone().into()])[0]["n"].as_i64().unwrap() > 0, "emails wait");
    let deliveries = "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE tenant_id = ?1";
    assert!(app.sql(deliveries, vec![built.tenant.clone().into()])[0]["n"].as_i64().unwrap() > 0, "events wait");
    assert_eq!(app.api(Method::Delete, &format!("/api/v1/tenants/{}", built.tenant), &json!(null)).0, 202);
    let before = app.rt.http.requests.borrow().len();
    pollster::block_on(porch_core::app::scheduled::run(&app.rt));
    let sent: Vec<String> = app.rt.http.requests.borrow()[before..].iter().map(|r| r.url.clone()).collect();
    assert!(sent.is_empty(), "sent for an erased tenant: {sent:?}");
}

#[test]
fn every_table_with_a_tenant_column_is_in_the_erasure_catalogue() {
    // A new table holding tenants' rows must be added to `store::tenant_tables::TABLES` (in
    // its place: before the tables it refers to), or erasure and export would miss it.
    let app = spawn_app();
    let listed: BTreeSet<&str> = porch_core::store::tenant_tables::TABLES.iter().map(|t| t.name).collect();
    let missing: Vec<String> = tables(&app)
        .into_iter()
        .filter(|(table, columns)| {
            table != "tenant_deletions" && columns.iter().any(|c| c == "tenant_id") && !listed.contains(table.as_str())
        })
        .map(|(table, _)| table)
        .collect();
    assert!(missing.is_empty(), "tables with tenant rows missing from TABLES: {missing:?}");
    assert!(listed.contains("tenants"), "the tenant row itself, last");
    assert_eq!(porch_core::store::tenant_tables::TABLES.last().map(|t| t.name), Some("tenants"));
}

#[test]
fn rows_a_request_already_under_way_writes_after_their_table_was_emptied_are_erased_too() {
    let app = spawn_app();
    let built = build(&app, "initech");
    let path = format!("/api/v1/tenants/{}", built.tenant);
    assert_eq!(app.api(Method::Delete, &path, &json!(null)).0, 202);
    // The customers' step is the table's place in the catalogue, after the R2 sweep (step 0).
    let tables = porch_core::store::tenant_tables::TABLES;
    let customers_step = i64::try_from(tables.iter().position(|t| t.name == "customers").unwrap()).unwrap() + 1;
    let tenant: Value = built.tenant.clone().into();
    for _ in 0..1000 {
        drop(pollster::block_on(porch_core::app::lifecycle::erase_within(&app.rt, 1)));
        let (_, body) = app.api(Method::Get, &format!("{path}/deletion"), &json!(null));
        assert_ne!(body["deletion"]["state"], "finished", "the test needs a run between the two steps");
        if body["deletion"]["step"].as_i64().unwrap() > customers_step {
            break;
        }
    }
    // A customer made by a request that passed its checks before the erasure was asked for,
    // and a key it made: the key never works, and both go before the tenant does.
    app.execute(
        "INSERT INTO customers (id, tenant_id, name, created_at, updated_at)
         VALUES ('00000000-0000-4000-8000-00000000c0de', ?1, 'Late Ltd', 1, 1)",
        vec![tenant.clone()],
    );
    let token = "porch_sk_made_by_a_request_already_under_way_0123456789";
    app.execute(
        "INSERT INTO api_keys (id, tenant_id, name, prefix, secret_hash, created_at)
         VALUES ('00000000-0000-4000-8000-0000000c0de5', ?1, 'late', 'porch_sk_mad', ?2, 1)",
        vec![tenant.clone(), porch_core::auth::secret::sha256_hex(token).into()],
    );
    assert_eq!(app.api_as(Some(token), Method::Get, &path, &json!(null)).0, 401);
    erase_until_done(&app, &built.tenant);
    for sql in [
        "SELECT COUNT(*) AS n FROM customers WHERE tenant_id = ?1",
        "SELECT COUNT(*) AS n FROM api_keys WHERE tenant_id = ?1",
    ] {
        assert_eq!(app.sql(sql, vec![tenant.clone()])[0]["n"], 0, "{sql}");
    }
    assert_eq!(app.sql("SELECT COUNT(*) AS n FROM tenants WHERE id = ?1", vec![tenant])[0]["n"], 0);
}

#[test]
fn erasing_a_person_leaves_audit_entries_of_an_address_that_only_contains_theirs_and_blanks_their_rating_words() {
    let app = spawn_app();
    let built = build(&app, "initech");
    let tenant: Value = built.tenant.clone().into();
    app.execute(
        "INSERT INTO audit_log (tenant_id, actor, action, target_type, target_id, at, before_json, after_json)
         VALUES (?1, 'platform', 'invitation.create', 'invitation', 'x', 1, NULL, '{\"email\":\"nada@initech.example\"}')",
        vec![tenant.clone()],
    );
    let ticket = app.sql("SELECT id FROM tickets WHERE tenant_id = ?1", vec![tenant.clone()])[0]["id"].clone();
    app.execute(
        "INSERT INTO ticket_ratings (tenant_id, ticket_id, thread, score, comment, account_id, created_at)
         VALUES (?1, ?2, 1, 4, 'Ada Lovelace from Initech says thanks', ?3, 1)",
        vec![tenant.clone(), ticket.as_str().unwrap().into(), built.account.as_str().into()],
    );
    let path = format!("/api/v1/tenants/{}/portals/{}/users/{}/erasure", built.tenant, built.portal, built.account);
    assert_eq!(app.api_as(Some(&built.key), Method::Post, &path, &json!(null)).0, 200);
    let kept =
        app.sql("SELECT COUNT(*) AS n FROM audit_log WHERE after_json LIKE '%\"nada@initech.example\"%'", vec![]);
    assert_eq!(kept[0]["n"], 1, "another person's address is left alone");
    let rating = app.sql("SELECT score, comment FROM ticket_ratings WHERE tenant_id = ?1", vec![tenant]);
    assert_eq!((&rating[0]["score"], &rating[0]["comment"]), (&json!(4), &json!("")));
}
