//! End-to-end tests against `wrangler dev`: the release worker on real workerd with local
//! D1, KV and R2. `scripts/test` starts the server (fresh state, migrations, demo seed) and
//! runs these with `--ignored`; a plain `cargo test` lists them as ignored.
// Test code: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod client;
mod console;
mod documents;
mod domains;
mod equipment;
mod fleet;
mod lifecycle;
mod rate_limits;
mod recipients;
mod sso;
mod tickets;
mod versions;

use client::{send, Call, Reply};
use serde_json::{json, Value};

struct Server {
    port: u16,
    token: String,
}

fn server() -> Server {
    let port = std::env::var("PORCH_E2E_PORT")
        .expect("PORCH_E2E_PORT: start the server with scripts/test")
        .parse()
        .expect("port");
    let token = std::env::var("PORCH_E2E_TOKEN").expect("PORCH_E2E_TOKEN");
    Server { port, token }
}

/// A suffix that keeps each test's slugs and hostnames apart on the shared server.
fn unique(label: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!("{}-{}-{}", label.to_ascii_lowercase(), std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

impl Server {
    fn api(&self, method: &str, path: &str, bearer: &str, body: Option<Value>) -> Reply {
        self.api_with(method, path, bearer, body, vec![])
    }

    /// An admin API call with more header fields (`If-Match`, `cf-connecting-ip`).
    fn api_with(
        &self,
        method: &str,
        path: &str,
        bearer: &str,
        body: Option<Value>,
        extra: Vec<(&str, String)>,
    ) -> Reply {
        let mut headers = vec![("authorization", format!("Bearer {bearer}"))];
        headers.extend(extra);
        if body.is_some() {
            headers.push(("content-type", "application/json".to_owned()));
        }
        send(
            self.port,
            &Call {
                method,
                path,
                host: "127.0.0.1",
                headers,
                body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
            },
        )
    }

    fn page(&self, host: &str, path: &str) -> Reply {
        send(self.port, &Call { method: "GET", path, host, headers: vec![], body: vec![] })
    }

    /// A new tenant made by the operator, and a key of its own.
    fn tenant(&self, label: &str) -> (String, String) {
        let slug = unique(label);
        let created = self.api(
            "POST",
            "/api/v1/tenants",
            &self.token,
            Some(json!({"slug": slug, "name": format!("{label} Ltd")})),
        );
        assert_eq!(created.status, 201, "{}", created.text());
        let id = created.json()["tenant"]["id"].as_str().unwrap().to_owned();
        let key = self.api("POST", &format!("/api/v1/tenants/{id}/keys"), &self.token, Some(json!({"name": "e2e"})));
        assert_eq!(key.status, 201, "{}", key.text());
        (id, key.json()["secret"].as_str().unwrap().to_owned())
    }

    /// A "Support" pipeline (New, then Solved which closes) of the tenant; its JSON.
    fn support_pipeline(&self, tenant: &str, key: &str) -> serde_json::Value {
        let created = self.api(
            "POST",
            &format!("/api/v1/tenants/{tenant}/pipelines"),
            key,
            Some(json!({"name": "Support", "stages": [{"name": "New"}, {"name": "Solved", "closed": true}]})),
        );
        assert_eq!(created.status, 201, "{}", created.text());
        created.json()["pipeline"].clone()
    }

    /// A themed portal with an active `*.localhost` domain; returns (portal id, host, theme id).
    fn portal(&self, tenant: &str, key: &str, label: &str) -> (String, String, String) {
        let theme = self.api(
            "POST",
            &format!("/api/v1/tenants/{tenant}/themes"),
            key,
            Some(json!({"name": "Brand", "colors": {"primary": "#0057b8", "menu": "#002b5c", "notification": "#ffd700", "background": "#ffffff", "text": "#111111"}})),
        );
        assert_eq!(theme.status, 201, "{}", theme.text());
        let theme_id = theme.json()["theme"]["id"].as_str().unwrap().to_owned();
        let slug = unique(label);
        let portal = self.api(
            "POST",
            &format!("/api/v1/tenants/{tenant}/portals"),
            key,
            Some(json!({"slug": slug, "name": format!("{label} Portal"), "page_title": format!("{label} Help Centre"), "theme_id": theme_id})),
        );
        assert_eq!(portal.status, 201, "{}", portal.text());
        let portal_id = portal.json()["portal"]["id"].as_str().unwrap().to_owned();
        let host = format!("{slug}.localhost");
        let domain = self.api(
            "POST",
            &format!("/api/v1/tenants/{tenant}/portals/{portal_id}/domains"),
            key,
            Some(json!({"hostname": host})),
        );
        assert_eq!(domain.status, 201, "{}", domain.text());
        assert_eq!(domain.json()["domain"]["status"], "active");
        (portal_id, host, theme_id)
    }
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn a_new_tenant_gets_a_branded_portal_on_its_new_domain_at_once() {
    let s = server();
    let (tenant, key) = s.tenant("newco");
    let (_, host, theme) = s.portal(&tenant, &key, "Newco");

    let logo = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)"><script>alert(2)</script><rect width="10" height="10" fill="#0057b8"/></svg>"##;
    let put = send(
        s.port,
        &Call {
            method: "PUT",
            path: &format!("/api/v1/tenants/{tenant}/themes/{theme}/logos/small"),
            host: "127.0.0.1",
            headers: vec![("authorization", format!("Bearer {key}")), ("content-type", "image/svg+xml".into())],
            body: logo.to_vec(),
        },
    );
    assert_eq!(put.status, 200, "{}", put.text());

    let page = s.page(&host, "/");
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("<title>Newco Help Centre</title>"), "{html}");
    assert!(html.contains("Newco Portal"));
    assert!(html.contains("lang=\"en\""));
    assert!(html.contains("/logo/small?v="));
    assert!(page.header("content-security-policy").is_some_and(|c| c.contains("default-src 'none'")));

    let css = s.page(&host, "/theme.css");
    assert_eq!(css.status, 200);
    assert!(css.text().contains("--porch-primary: #0057b8;"));

    let served = s.page(&host, "/logo/small");
    assert_eq!(served.status, 200);
    assert_eq!(served.header("content-type"), Some("image/svg+xml"));
    let svg = served.text().to_lowercase();
    assert!(svg.contains("<rect") && !svg.contains("script") && !svg.contains("onload"), "{svg}");
    assert!(served.header("content-security-policy").is_some_and(|c| c.contains("sandbox")));
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn a_theme_change_shows_on_the_next_page_load() {
    let s = server();
    let (tenant, key) = s.tenant("recolour");
    let (_, host, theme) = s.portal(&tenant, &key, "Recolour");
    let before = s.page(&host, "/theme.css");
    let etag = before.header("etag").unwrap().to_owned();
    let not_modified = send(
        s.port,
        &Call {
            method: "GET",
            path: "/theme.css",
            host: &host,
            headers: vec![("if-none-match", etag.clone())],
            body: vec![],
        },
    );
    assert_eq!(not_modified.status, 304);

    let patched = s.api(
        "PATCH",
        &format!("/api/v1/tenants/{tenant}/themes/{theme}"),
        &key,
        Some(json!({"colors": {"primary": "#7a1fa2"}})),
    );
    assert_eq!(patched.status, 200, "{}", patched.text());
    assert!(patched.json()["contrast"]["checks"].is_array());
    let after = s.page(&host, "/theme.css");
    assert!(after.text().contains("--porch-primary: #7a1fa2;"));
    assert_ne!(after.header("etag").unwrap(), etag);
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn a_disabled_portal_shows_a_branded_not_available_page_until_enabled_again() {
    let s = server();
    let (tenant, key) = s.tenant("switch");
    let (portal, host, _) = s.portal(&tenant, &key, "Switch");
    let path = format!("/api/v1/tenants/{tenant}/portals/{portal}");
    assert_eq!(s.api("PATCH", &path, &key, Some(json!({"enabled": false}))).status, 200);
    let off = s.page(&host, "/");
    assert_eq!(off.status, 503);
    assert!(off.text().contains("Switch Portal"), "branded: {}", off.text());
    assert!(off.text().contains("not available"));
    assert_eq!(s.api("PATCH", &path, &key, Some(json!({"enabled": true}))).status, 200);
    assert_eq!(s.page(&host, "/").status, 200);
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn an_unknown_host_gets_a_neutral_404_and_a_malformed_host_a_400() {
    let s = server();
    let unknown = s.page("nobody-here.localhost", "/");
    assert_eq!(unknown.status, 404);
    let body = unknown.text();
    for tenant_word in ["Acme", "Nordic", "Northwind", "porch", "portal"] {
        assert!(!body.contains(tenant_word), "neutral page mentions {tenant_word}: {body}");
    }
    for bad in ["a..b.localhost", "-x.localhost", "exa_mple.localhost"] {
        assert_eq!(s.page(bad, "/").status, 400, "{bad}");
    }
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn the_demo_portals_are_seeded_in_their_languages() {
    let s = server();
    let acme = s.page("acme.localhost", "/");
    assert_eq!(acme.status, 200);
    assert!(acme.text().contains("Acme Support Center") && acme.text().contains("lang=\"en\""));
    assert_eq!(s.page("acme.localhost", "/logo/large").status, 200);
    let northwind = s.page("northwind.localhost", "/");
    assert_eq!(northwind.status, 200);
    let html = northwind.text();
    assert!(
        html.contains("lang=\"da\"") && html.contains("Velkommen") && html.contains("Northwind Construction"),
        "{html}"
    );
    // The same portal on its platform subdomain.
    assert_eq!(s.page("northwind.portals.localhost", "/").status, 200);
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn a_tenant_key_cannot_reach_another_tenants_portal_theme_or_domain() {
    let s = server();
    let (a, key_a) = s.tenant("alpha");
    let (b, key_b) = s.tenant("beta");
    let (portal_b, host_b, theme_b) = s.portal(&b, &key_b, "Beta");
    let before = s.api("GET", &format!("/api/v1/tenants/{b}/portals/{portal_b}"), &s.token, None).json();

    let attempts = [
        ("GET", format!("/api/v1/tenants/{b}/portals/{portal_b}"), None),
        ("PATCH", format!("/api/v1/tenants/{b}/portals/{portal_b}"), Some(json!({"enabled": false}))),
        ("DELETE", format!("/api/v1/tenants/{b}/portals/{portal_b}"), None),
        ("PATCH", format!("/api/v1/tenants/{b}/themes/{theme_b}"), Some(json!({"name": "pwned"}))),
        ("DELETE", format!("/api/v1/tenants/{b}/portals/{portal_b}/domains/{host_b}"), None),
        ("GET", format!("/api/v1/tenants/{b}/keys"), None),
        // Its own tenant path with the other tenant's ids.
        ("GET", format!("/api/v1/tenants/{a}/portals/{portal_b}"), None),
        ("PATCH", format!("/api/v1/tenants/{a}/themes/{theme_b}"), Some(json!({"name": "pwned"}))),
    ];
    for (method, path, body) in attempts {
        let reply = s.api(method, &path, &key_a, body);
        assert_eq!(reply.status, 404, "{method} {path}: {}", reply.text());
    }
    let after = s.api("GET", &format!("/api/v1/tenants/{b}/portals/{portal_b}"), &s.token, None).json();
    assert_eq!(before, after);
    assert_eq!(s.page(&host_b, "/").status, 200);
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn a_revoked_key_is_refused() {
    let s = server();
    let (tenant, key) = s.tenant("revoked");
    assert_eq!(s.api("GET", &format!("/api/v1/tenants/{tenant}/portals"), &key, None).status, 200);
    let keys = s.api("GET", &format!("/api/v1/tenants/{tenant}/keys"), &s.token, None).json();
    let key_id = keys["keys"][0]["id"].as_str().unwrap().to_owned();
    assert!(keys["keys"][0]["last_used_at"].is_string(), "last use recorded: {keys}");
    assert!(!keys.to_string().contains(&key), "the secret is never listed");
    assert_eq!(s.api("DELETE", &format!("/api/v1/tenants/{tenant}/keys/{key_id}"), &s.token, None).status, 204);
    let refused = s.api("GET", &format!("/api/v1/tenants/{tenant}/portals"), &key, None);
    assert_eq!(refused.status, 401);
    assert_eq!(refused.json()["error"]["code"], "unauthorized");
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn the_admin_api_answers_on_a_custom_domain_and_rejects_bad_input_with_field_errors() {
    let s = server();
    let (tenant, key) = s.tenant("fields");
    let reply = send(
        s.port,
        &Call {
            method: "POST",
            path: &format!("/api/v1/tenants/{tenant}/themes"),
            host: "acme.localhost",
            headers: vec![("authorization", format!("Bearer {key}")), ("content-type", "application/json".into())],
            body: json!({"name": "x", "colors": {"primary": "red", "menu": "#000000", "notification": "#000000", "background": "#fff", "text": "#000000"}}).to_string().into_bytes(),
        },
    );
    assert_eq!(reply.status, 422, "{}", reply.text());
    let fields: Vec<String> = reply.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, vec!["colors.primary", "colors.background"]);
    let themes = s.api("GET", &format!("/api/v1/tenants/{tenant}/themes"), &key, None).json();
    assert_eq!(themes["themes"].as_array().unwrap().len(), 0, "nothing written");
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn every_change_is_in_the_audit_log_with_cursor_pagination() {
    let s = server();
    let (tenant, key) = s.tenant("audited");
    s.portal(&tenant, &key, "Audited");
    let mut seen = Vec::new();
    let mut path = "/api/v1/audit?limit=2".to_owned();
    loop {
        let page = s.api("GET", &path, &key, None).json();
        for entry in page["entries"].as_array().unwrap() {
            seen.push(entry["action"].as_str().unwrap().to_owned());
            assert_eq!(entry["tenant_id"], tenant.as_str());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/audit?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    seen.reverse();
    assert_eq!(seen, ["tenant.create", "api_key.create", "theme.create", "portal.create", "domain.add"]);
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn the_openapi_document_is_served_without_a_key() {
    let s = server();
    let doc = s.page("127.0.0.1", "/api/v1/openapi.json");
    assert_eq!(doc.status, 200);
    assert!(doc.json()["openapi"].as_str().unwrap().starts_with("3.1"));
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn a_pipeline_edit_that_swaps_stage_names_keeps_the_stage_ids_on_d1() {
    let s = server();
    let (tenant, key) = s.tenant("Pipes");
    let path = format!("/api/v1/tenants/{tenant}/pipelines");
    let pipeline = s.support_pipeline(&tenant, &key);
    let (first, second) = (pipeline["stages"][0]["id"].clone(), pipeline["stages"][1]["id"].clone());
    let edit = json!({"stages": [
        {"id": second, "name": "New", "closed": true},
        {"id": first, "name": "Solved"}
    ]});
    let edited = s.api("PATCH", &format!("{path}/{}", pipeline["id"].as_str().unwrap()), &key, Some(edit));
    assert_eq!(edited.status, 200, "{}", edited.text());
    let stages = edited.json()["pipeline"]["stages"].clone();
    assert_eq!(stages[0]["id"], second);
    assert_eq!(stages[0]["name"], "New");
    assert_eq!(stages[1]["id"], first);
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn tickets_are_numbered_and_threaded_on_d1() {
    let s = server();
    let (tenant, key) = s.tenant("Tix");
    let pipeline_id = s.support_pipeline(&tenant, &key)["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/tenants/{tenant}/tickets");
    let mut numbers = Vec::new();
    for subject in ["First", "Second"] {
        let created = s.api(
            "POST",
            &path,
            &key,
            Some(json!({"subject": subject, "description": "Hello", "pipeline_id": pipeline_id})),
        );
        assert_eq!(created.status, 201, "{}", created.text());
        numbers.push(created.json()["ticket"]["number"].as_i64().unwrap());
    }
    assert_eq!(numbers, [1, 2]);
    let list = s.api("GET", &format!("{path}?limit=1"), &key, None).json();
    let id = list["tickets"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(list["tickets"][0]["subject"], "Second");
    let cursor = list["next_cursor"].as_str().unwrap().to_owned();
    let next = s.api("GET", &format!("{path}?limit=1&cursor={cursor}"), &key, None).json();
    assert_eq!(next["tickets"][0]["subject"], "First");
    let note = s.api(
        "POST",
        &format!("{path}/{id}/messages"),
        &key,
        Some(json!({"body": "Internal", "internal": true, "new_thread": true})),
    );
    assert_eq!(note.status, 201, "{}", note.text());
    let messages = note.json()["ticket"]["messages"].clone();
    assert_eq!(messages[1]["thread"], 2);
    assert_eq!(messages[1]["internal"], true);
}
