//! In-process integration tests: the whole app (`porch_core::app::handle`) on a fresh native
//! runtime per test — real `SQLite` with the real migrations, in-memory KV and blobs, canned
//! outbound HTTP and a clock the test moves.

// clippy.toml allows these inside `#[test]` functions only; the helpers here and in
// `common` serve tests alone, and a panic in them is a failed test too. A test reads as
// one story from set-up to last check, so its length is not a smell here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::too_many_lines)]

use crate::common;

use common::{body_text, error_fields, good_colors, spawn_app, TestApp, PLATFORM_TOKEN, PNG_1X1};
use porch_core::http::{Method, Request};
use porch_core::params;
use porch_native::NativeRuntime;
use serde_json::json;

/// A tenant with a key, a theme and a portal on its platform subdomain: (tenant, key, theme, portal).
fn tenant_with_portal(app: &TestApp, slug: &str, portal: &serde_json::Value) -> (String, String, String, String) {
    let (tenant, key) = app.new_tenant(slug);
    let theme = app.new_theme(&key, &tenant, "Brand", &good_colors());
    let mut body = portal.clone();
    body["theme_id"] = json!(theme);
    let portal = app.new_portal(&key, &tenant, &body);
    (tenant, key, theme, portal)
}

fn stylesheet_link(etag: &str) -> String {
    format!("/theme.css?v={}", etag.trim_matches('"'))
}

// 1. The new-tenant flow ---------------------------------------------------------------

#[test]
fn a_new_tenant_can_go_from_nothing_to_a_branded_portal_on_its_own_domain() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("newco");

    let theme = app.new_theme(&key, &tenant, "NewCo brand", &good_colors());
    let portal = app.new_portal(
        &key,
        &tenant,
        &json!({ "slug": "newco", "name": "NewCo Support", "page_title": "NewCo Customer Portal", "theme_id": theme }),
    );
    let (status, domain) = app.api_as(
        Some(&key),
        Method::Post,
        &format!("/api/v1/tenants/{tenant}/portals/{portal}/domains"),
        &json!({ "hostname": "newco.localhost" }),
    );
    assert_eq!(status, 201, "{domain}");
    assert_eq!(domain["domain"]["status"], "active", "*.localhost names are active at once");

    let page = app.page("newco.localhost", "/");
    assert_eq!(page.status, 200);
    let html = body_text(&page);
    assert!(html.contains("NewCo Support"), "{html}");
    assert!(html.contains("<title>NewCo Customer Portal</title>"), "{html}");
    assert!(html.contains(r#"lang="en""#));

    let css = app.page("newco.localhost", "/theme.css");
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    let css_text = body_text(&css);
    for colour in ["#1d4ed8", "#111827", "#b45309", "#ffffff", "#1f2937"] {
        assert!(css_text.contains(colour), "missing {colour} in {css_text}");
    }
    let etag = css.header("etag").unwrap().to_owned();
    assert!(html.contains(&stylesheet_link(&etag)), "the page links this stylesheet version");

    let revalidated = app.page_with("newco.localhost", "/theme.css", &[("if-none-match", &etag)]);
    assert_eq!(revalidated.status, 304);
    assert!(revalidated.body.is_empty());

    let (status, updated) = app.api_as(
        Some(&key),
        Method::Patch,
        &format!("/api/v1/tenants/{tenant}/themes/{theme}"),
        &json!({ "colors": { "primary": "#0f766e", "background": "#fafafa" } }),
    );
    assert_eq!(status, 200, "{updated}");

    let after = app.page_with("newco.localhost", "/theme.css", &[("if-none-match", &etag)]);
    assert_eq!(after.status, 200, "the old ETag no longer matches");
    let new_etag = after.header("etag").unwrap().to_owned();
    assert_ne!(new_etag, etag);
    let new_css = body_text(&after);
    assert!(new_css.contains("#0f766e") && new_css.contains("#fafafa"));
    assert!(!new_css.contains("#1d4ed8"));
    let html = body_text(&app.page("newco.localhost", "/"));
    assert!(html.contains(&stylesheet_link(&new_etag)), "the page links the new stylesheet");
    assert!(!html.contains(&stylesheet_link(&etag)), "the page no longer links the stale stylesheet");
}

// 2. Platform subdomains -----------------------------------------------------------------

#[test]
fn the_platform_subdomain_serves_the_portal_and_follows_a_renamed_slug() {
    let app = spawn_app();
    let (tenant, key, _, portal) =
        tenant_with_portal(&app, "acme", &json!({ "slug": "acme", "name": "Acme Service Desk" }));
    app.api_as(
        Some(&key),
        Method::Post,
        &format!("/api/v1/tenants/{tenant}/portals/{portal}/domains"),
        &json!({ "hostname": "acme.localhost" }),
    );

    let sub = app.page("acme.portals.localhost", "/");
    assert_eq!(sub.status, 200);
    let custom = app.page("acme.localhost", "/");
    assert_eq!(body_text(&sub), body_text(&custom), "both hosts serve the same portal");
    assert!(body_text(&sub).contains("Acme Service Desk"));
    // A port in the Host header does not matter.
    assert_eq!(app.page("ACME.portals.localhost:8787", "/").status, 200);

    let (status, body) = app.api_as(
        Some(&key),
        Method::Patch,
        &format!("/api/v1/tenants/{tenant}/portals/{portal}"),
        &json!({ "slug": "acme-help" }),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["portal"]["platform_host"], "acme-help.portals.localhost");

    let old = app.page("acme.portals.localhost", "/");
    assert_eq!(old.status, 404);
    let old_html = body_text(&old);
    assert!(!old_html.contains("Acme"), "the old host reveals nothing: {old_html}");
    assert!(!app.kv_has("acme.portals.localhost"));
    let moved = app.page("acme-help.portals.localhost", "/");
    assert_eq!(moved.status, 200);
    assert!(body_text(&moved).contains("Acme Service Desk"));
    assert_eq!(app.page("acme.localhost", "/").status, 200, "the custom domain is unaffected");
}

// 3. Unknown and malformed hosts ---------------------------------------------------------

#[test]
fn an_unknown_host_gets_a_neutral_404_and_a_malformed_host_a_400() {
    let app = spawn_app();
    tenant_with_portal(&app, "acme", &json!({ "slug": "acme", "name": "Acme Service Desk" }));

    for host in ["nobody.example.com", "nobody.portals.localhost", "portals.localhost"] {
        let page = app.page(host, "/");
        assert_eq!(page.status, 404, "{host}");
        let html = body_text(&page);
        assert!(!html.to_lowercase().contains("acme"), "{host}: {html}");
        assert!(!html.contains("Tenant"), "{host}: {html}");
        assert_eq!(page.header("cache-control"), Some("no-store"));
    }
    for host in ["bad_host!", "a..b", "", "   ", "acme.portals.localhost:port"] {
        assert_eq!(app.page(host, "/").status, 400, "{host:?}");
    }
    let no_host = app.send(Request::new(Method::Get, "/"));
    assert_eq!(no_host.status, 400);

    // The admin API answers whatever the Host.
    for host in ["nobody.example.com", "acme.portals.localhost", "bad_host!"] {
        let response = app.send(
            Request::new(Method::Get, "/api/v1/tenants")
                .with_header("host", host)
                .with_header("authorization", &format!("Bearer {PLATFORM_TOKEN}")),
        );
        assert_eq!(response.status, 200, "{host}");
    }
}

// 4. Disable and enable ----------------------------------------------------------------

#[test]
fn a_disabled_portal_shows_a_branded_503_in_its_language_and_comes_back_when_enabled() {
    let app = spawn_app();
    let (tenant, key, _, portal) = tenant_with_portal(
        &app,
        "dansk",
        &json!({ "slug": "dansk", "name": "Dansk Service", "default_language": "da" }),
    );
    app.api_as(
        Some(&key),
        Method::Post,
        &format!("/api/v1/tenants/{tenant}/portals/{portal}/domains"),
        &json!({ "hostname": "dansk.localhost" }),
    );
    let hosts = ["dansk.portals.localhost", "dansk.localhost"];
    for host in hosts {
        assert_eq!(app.page(host, "/").status, 200);
        assert!(app.kv_has(host), "{host} cached in KV");
    }

    let path = format!("/api/v1/tenants/{tenant}/portals/{portal}");
    let (status, body) = app.api_as(Some(&key), Method::Patch, &path, &json!({ "enabled": false }));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["portal"]["enabled"], false);
    for host in hosts {
        assert!(!app.kv_has(host), "{host}: KV entry removed on disable");
        let page = app.page(host, "/");
        assert_eq!(page.status, 503, "{host}: visible at once");
        let html = body_text(&page);
        assert!(html.contains(r#"lang="da""#), "{html}");
        assert!(html.contains("Portalen er ikke tilgængelig"), "{html}");
        assert!(html.contains("Dansk Service"), "{html}");
        assert!(page.header("retry-after").is_some());
        // Every page of a disabled portal is off; its stylesheet is served, since the
        // branded "not available" page links it.
        assert_eq!(app.page(host, "/sign-in").status, 503);
        let css = app.page(host, "/theme.css");
        assert_eq!(css.status, 200);
        assert!(
            css.header("content-type").is_some_and(|t| t.starts_with("text/css")),
            "{:?}",
            css.header("content-type")
        );
        assert!(html.contains("/theme.css"), "the 503 page links its stylesheet: {html}");
    }

    let (status, _) = app.api_as(Some(&key), Method::Patch, &path, &json!({ "enabled": true }));
    assert_eq!(status, 200);
    for host in hosts {
        assert!(app.kv_has(host), "{host}: KV entry rewritten on enable");
        let cached: serde_json::Value = serde_json::from_str(&app.kv_entry(host).unwrap()).unwrap();
        assert_eq!(cached["enabled"], true);
        assert_eq!(app.page(host, "/").status, 200, "{host}");
    }
}

// 5. Warm requests ---------------------------------------------------------------------

#[test]
fn a_warm_request_is_served_without_touching_the_database_or_kv() {
    let app = spawn_app();
    tenant_with_portal(&app, "warm", &json!({ "slug": "warm", "name": "Warm Portal" }));
    let host = "warm.portals.localhost";
    let first = app.page(host, "/");
    assert_eq!(first.status, 200);

    // Pull the portal out from under the cache: the row goes from the database (its domains
    // cascade; audit rows hold no reference) and the entry from KV. A request that asked
    // either would now find nothing.
    assert_eq!(app.execute("DELETE FROM portals WHERE slug = ?1", params!["warm"]), 1);
    app.rt.kv.entries.borrow_mut().clear();

    let warm = app.page(host, "/");
    assert_eq!(warm.status, 200, "served from the isolate's memory");
    assert_eq!(body_text(&warm), body_text(&first));
    assert_eq!(app.page(host, "/theme.css").status, 200);
    assert!(app.rt.kv.entries.borrow().is_empty(), "nothing was written back either");

    app.rt.advance_seconds(31);
    assert_eq!(app.page(host, "/").status, 404, "after the isolate TTL the change is seen");
}

// 6. Languages -------------------------------------------------------------------------

#[test]
fn accept_language_picks_danish_or_norwegian_and_falls_back_to_the_portal_default() {
    let app = spawn_app();
    let (tenant, key, _, _) = tenant_with_portal(&app, "lang", &json!({ "slug": "english", "name": "English Portal" }));
    app.new_portal(&key, &tenant, &json!({ "slug": "norsk", "name": "Norsk Portal", "default_language": "nb" }));

    let da = body_text(&app.page_with("english.portals.localhost", "/", &[("accept-language", "da")]));
    assert!(da.contains(r#"lang="da""#) && da.contains("Log ind"), "{da}");
    let nb =
        body_text(&app.page_with("english.portals.localhost", "/", &[("accept-language", "nb-NO,nb;q=0.9,en;q=0.5")]));
    assert!(nb.contains(r#"lang="nb""#) && nb.contains("Logg inn"), "{nb}");
    let weighted =
        body_text(&app.page_with("english.portals.localhost", "/", &[("accept-language", "de, da;q=0.8, nb;q=0.9")]));
    assert!(weighted.contains(r#"lang="nb""#), "highest q wins");

    let unsupported =
        body_text(&app.page_with("english.portals.localhost", "/", &[("accept-language", "de-DE, fr;q=0.5")]));
    assert!(unsupported.contains(r#"lang="en""#) && unsupported.contains("Sign in"));
    let fallback = app.page_with("norsk.portals.localhost", "/", &[("accept-language", "de-DE, fr;q=0.5")]);
    let fallback_html = body_text(&fallback);
    assert!(fallback_html.contains(r#"lang="nb""#) && fallback_html.contains("Logg inn"), "{fallback_html}");
    assert_eq!(fallback.header("vary"), Some("accept-language, cookie"));
    let none = body_text(&app.page("norsk.portals.localhost", "/"));
    assert!(none.contains(r#"lang="nb""#));
}

// 7. Tenant isolation ------------------------------------------------------------------

/// Everything of tenant B the platform can see, to compare before and after.
fn tenant_state(app: &TestApp, tenant: &str, portal: &str, customer: &str) -> Vec<serde_json::Value> {
    let mut state = Vec::new();
    for path in [
        format!("/api/v1/tenants/{tenant}"),
        format!("/api/v1/tenants/{tenant}/portals"),
        format!("/api/v1/tenants/{tenant}/portals/{portal}"),
        format!("/api/v1/tenants/{tenant}/themes"),
        format!("/api/v1/tenants/{tenant}/customers"),
        format!("/api/v1/tenants/{tenant}/customers/{customer}"),
        format!("/api/v1/tenants/{tenant}/keys"),
        format!("/api/v1/audit?tenant_id={tenant}&limit=200"),
    ] {
        let (status, body) = app.api(Method::Get, &path, &serde_json::Value::Null);
        assert_eq!(status, 200, "{path}: {body}");
        state.push(body);
    }
    state
}

/// Ids of tenant A (the intruder) and tenant B (the target).
struct Ids<'a> {
    a: &'a str,
    b: &'a str,
    portal_a: &'a str,
    portal_b: &'a str,
    theme_b: &'a str,
    customer_b: &'a str,
    unit_b: &'a str,
    key_b: &'a str,
}

/// Every route a key of A might try on B's things, directly or under A's own tenant id.
fn cross_tenant_attempts(ids: &Ids<'_>) -> Vec<(Method, String, serde_json::Value)> {
    let Ids { a, b, portal_a, portal_b, theme_b, customer_b, unit_b, key_b: key_b_id } = *ids;
    let patch_portal = json!({ "name": "Hijacked" });
    let patch_theme = json!({ "colors": { "primary": "#000000" } });
    let name = json!({ "name": "Hijacked" });
    let domain = json!({ "hostname": "evil.localhost" });
    let none = serde_json::Value::Null;
    vec![
        (Method::Get, format!("/api/v1/tenants/{b}"), none.clone()),
        (Method::Patch, format!("/api/v1/tenants/{b}"), name.clone()),
        (Method::Get, format!("/api/v1/tenants/{b}/portals"), none.clone()),
        (Method::Post, format!("/api/v1/tenants/{b}/portals"), json!({ "slug": "intruder", "name": "x" })),
        (Method::Get, format!("/api/v1/tenants/{b}/portals/{portal_b}"), none.clone()),
        (Method::Patch, format!("/api/v1/tenants/{b}/portals/{portal_b}"), patch_portal.clone()),
        (Method::Delete, format!("/api/v1/tenants/{b}/portals/{portal_b}"), none.clone()),
        // B's portal under A's own tenant id: every query binds the tenant.
        (Method::Get, format!("/api/v1/tenants/{a}/portals/{portal_b}"), none.clone()),
        (Method::Patch, format!("/api/v1/tenants/{a}/portals/{portal_b}"), patch_portal.clone()),
        (Method::Delete, format!("/api/v1/tenants/{a}/portals/{portal_b}"), none.clone()),
        (Method::Get, format!("/api/v1/tenants/{b}/themes"), none.clone()),
        (Method::Post, format!("/api/v1/tenants/{b}/themes"), json!({ "name": "x", "colors": good_colors() })),
        (Method::Get, format!("/api/v1/tenants/{b}/themes/{theme_b}"), none.clone()),
        (Method::Patch, format!("/api/v1/tenants/{b}/themes/{theme_b}"), patch_theme.clone()),
        (Method::Delete, format!("/api/v1/tenants/{b}/themes/{theme_b}"), none.clone()),
        (Method::Get, format!("/api/v1/tenants/{b}/themes/{theme_b}/contrast"), none.clone()),
        (Method::Delete, format!("/api/v1/tenants/{b}/themes/{theme_b}/logos/small"), none.clone()),
        (Method::Get, format!("/api/v1/tenants/{a}/themes/{theme_b}"), none.clone()),
        (Method::Patch, format!("/api/v1/tenants/{a}/themes/{theme_b}"), patch_theme.clone()),
        (Method::Delete, format!("/api/v1/tenants/{a}/themes/{theme_b}"), none.clone()),
        (Method::Get, format!("/api/v1/tenants/{b}/portals/{portal_b}/domains"), none.clone()),
        (Method::Post, format!("/api/v1/tenants/{b}/portals/{portal_b}/domains"), domain.clone()),
        (Method::Delete, format!("/api/v1/tenants/{b}/portals/{portal_b}/domains/bravo.localhost"), none.clone()),
        (Method::Post, format!("/api/v1/tenants/{b}/portals/{portal_b}/domains/bravo.localhost/verify"), none.clone()),
        (Method::Delete, format!("/api/v1/tenants/{a}/portals/{portal_a}/domains/bravo.localhost"), none.clone()),
        (Method::Post, format!("/api/v1/tenants/{a}/portals/{portal_a}/domains/bravo.localhost/verify"), none.clone()),
        (Method::Get, format!("/api/v1/tenants/{b}/customers"), none.clone()),
        (Method::Post, format!("/api/v1/tenants/{b}/customers"), name.clone()),
        (Method::Get, format!("/api/v1/tenants/{b}/customers/{customer_b}"), none.clone()),
        (Method::Patch, format!("/api/v1/tenants/{b}/customers/{customer_b}"), name.clone()),
        (Method::Delete, format!("/api/v1/tenants/{b}/customers/{customer_b}"), none.clone()),
        (Method::Get, format!("/api/v1/tenants/{a}/customers/{customer_b}"), none.clone()),
        (Method::Patch, format!("/api/v1/tenants/{a}/customers/{customer_b}"), name.clone()),
        (Method::Delete, format!("/api/v1/tenants/{a}/customers/{customer_b}"), none.clone()),
        (Method::Get, format!("/api/v1/tenants/{b}/customers/{customer_b}/units"), none.clone()),
        (Method::Post, format!("/api/v1/tenants/{b}/customers/{customer_b}/units"), name.clone()),
        (Method::Delete, format!("/api/v1/tenants/{b}/customers/{customer_b}/units/{unit_b}"), none.clone()),
        (Method::Delete, format!("/api/v1/tenants/{a}/customers/{customer_b}/units/{unit_b}"), none.clone()),
        (Method::Get, format!("/api/v1/tenants/{b}/keys"), none.clone()),
        (Method::Post, format!("/api/v1/tenants/{b}/keys"), name.clone()),
        (Method::Delete, format!("/api/v1/tenants/{b}/keys/{key_b_id}"), none.clone()),
        (Method::Delete, format!("/api/v1/tenants/{a}/keys/{key_b_id}"), none.clone()),
        (Method::Get, format!("/api/v1/audit?tenant_id={b}"), none.clone()),
    ]
}

#[test]
fn a_tenant_key_cannot_see_or_touch_another_tenants_anything() {
    let app = spawn_app();
    let (a, key_a, _, portal_a) =
        tenant_with_portal(&app, "alpha", &json!({ "slug": "alpha", "name": "Alpha Portal" }));
    let (b, key_b, theme_b, portal_b) =
        tenant_with_portal(&app, "bravo", &json!({ "slug": "bravo", "name": "Bravo Portal" }));
    let customer_b = app.new_customer(&key_b, &b, "Bravo Customer");
    let (_, unit) = app.api_as(
        Some(&key_b),
        Method::Post,
        &format!("/api/v1/tenants/{b}/customers/{customer_b}/units"),
        &json!({ "name": "North" }),
    );
    let unit_b = unit["business_unit"]["id"].as_str().unwrap().to_owned();
    app.api_as(
        Some(&key_b),
        Method::Post,
        &format!("/api/v1/tenants/{b}/portals/{portal_b}/domains"),
        &json!({ "hostname": "bravo.localhost" }),
    );
    let (_, keys) = app.api(Method::Get, &format!("/api/v1/tenants/{b}/keys"), &serde_json::Value::Null);
    let key_b_id = keys["keys"][0]["id"].as_str().unwrap().to_owned();

    let before = tenant_state(&app, &b, &portal_b, &customer_b);
    let audit_before = app.audit_count();

    let ids = Ids {
        a: &a,
        b: &b,
        portal_a: &portal_a,
        portal_b: &portal_b,
        theme_b: &theme_b,
        customer_b: &customer_b,
        unit_b: &unit_b,
        key_b: &key_b_id,
    };
    let attempts = cross_tenant_attempts(&ids);
    for (method, path, body) in &attempts {
        let (status, answer) = app.api_as(Some(&key_a), *method, path, body);
        assert_eq!(status, 404, "{} {path}: {answer}", method.as_str());
        assert_eq!(answer["error"]["code"], "not_found");
    }
    // A logo upload is refused the same way.
    let (status, _) = app.put_logo(&key_a, &b, &theme_b, "small", "image/png", PNG_1X1);
    assert_eq!(status, 404);

    assert_eq!(tenant_state(&app, &b, &portal_b, &customer_b), before, "nothing of B changed");
    assert_eq!(app.audit_count(), audit_before, "nothing was written at all");
    assert!(app.rt.blobs.objects.borrow().is_empty());
    assert_eq!(app.page("bravo.localhost", "/").status, 200);
    assert!(body_text(&app.page("bravo.portals.localhost", "/")).contains("Bravo Portal"));

    // Nor can A point its own portal at B's theme or B's customer.
    let (status, body) = app.api_as(
        Some(&key_a),
        Method::Patch,
        &format!("/api/v1/tenants/{a}/portals/{portal_a}"),
        &json!({ "theme_id": theme_b }),
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), vec!["theme_id"]);
    let (status, body) = app.api_as(
        Some(&key_a),
        Method::Patch,
        &format!("/api/v1/tenants/{a}/portals/{portal_a}"),
        &json!({ "customer_id": customer_b }),
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), vec!["customer_id"]);
    let (status, body) = app.api_as(
        Some(&key_a),
        Method::Post,
        &format!("/api/v1/tenants/{a}/portals"),
        &json!({ "slug": "alpha-two", "name": "Alpha Two", "customer_id": customer_b, "theme_id": theme_b }),
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), vec!["customer_id", "theme_id"]);
    assert_eq!(app.audit_count(), audit_before);

    // A's audit listing holds only A's entries.
    let (status, audit) = app.api_as(Some(&key_a), Method::Get, "/api/v1/audit?limit=200", &serde_json::Value::Null);
    assert_eq!(status, 200);
    let entries = audit["entries"].as_array().unwrap();
    assert!(!entries.is_empty());
    assert!(entries.iter().all(|e| e["tenant_id"] == json!(a)), "{audit}");
}

#[test]
fn a_parent_tenant_manages_its_childrens_themes_but_not_their_portals() {
    let app = spawn_app();
    let (org, org_key) = app.new_tenant("org");
    let (child, child_key) = app.new_tenant_with(&json!({ "slug": "org-dk", "name": "Org Denmark", "parent_id": org }));
    let org_theme = app.new_theme(&org_key, &org, "Group brand", &good_colors());
    let child_theme = app.new_theme(&child_key, &child, "Local brand", &good_colors());
    // The child's portal uses the parent's theme; another uses its own.
    let portal =
        app.new_portal(&child_key, &child, &json!({ "slug": "org-dk", "name": "Org DK", "theme_id": org_theme }));
    app.new_portal(
        &child_key,
        &child,
        &json!({ "slug": "org-dk-local", "name": "Org DK Local", "theme_id": child_theme }),
    );
    assert!(body_text(&app.page("org-dk.portals.localhost", "/theme.css")).contains("#1d4ed8"));

    // The child lists its parent's theme as inherited.
    let (status, listed) =
        app.api_as(Some(&child_key), Method::Get, &format!("/api/v1/tenants/{child}/themes"), &serde_json::Value::Null);
    assert_eq!(status, 200);
    let themes = listed["themes"].as_array().unwrap();
    assert!(themes.iter().any(|t| t["inherited"] == true && t["theme"]["id"] == json!(org_theme)));

    // The parent's key reads and updates the child's themes.
    let (status, _) = app.api_as(
        Some(&org_key),
        Method::Get,
        &format!("/api/v1/tenants/{child}/themes/{child_theme}"),
        &serde_json::Value::Null,
    );
    assert_eq!(status, 200);
    let (status, body) = app.api_as(
        Some(&org_key),
        Method::Patch,
        &format!("/api/v1/tenants/{child}/themes/{child_theme}"),
        &json!({ "colors": { "primary": "#7c2d12" } }),
    );
    assert_eq!(status, 200, "{body}");
    assert!(body_text(&app.page("org-dk-local.portals.localhost", "/theme.css")).contains("#7c2d12"));

    // ...but not the child's portals, customers or keys.
    for (method, path) in [
        (Method::Get, format!("/api/v1/tenants/{child}/portals")),
        (Method::Get, format!("/api/v1/tenants/{child}/portals/{portal}")),
        (Method::Delete, format!("/api/v1/tenants/{child}/portals/{portal}")),
        (Method::Get, format!("/api/v1/tenants/{child}/customers")),
        (Method::Get, format!("/api/v1/tenants/{child}/keys")),
    ] {
        let (status, body) = app.api_as(Some(&org_key), method, &path, &serde_json::Value::Null);
        assert_eq!(status, 404, "{path}: {body}");
    }
    let (status, _) = app.api_as(
        Some(&org_key),
        Method::Patch,
        &format!("/api/v1/tenants/{child}/portals/{portal}"),
        &json!({ "name": "Taken over" }),
    );
    assert_eq!(status, 404);

    // The child may not edit its parent's theme.
    let (status, _) = app.api_as(
        Some(&child_key),
        Method::Patch,
        &format!("/api/v1/tenants/{org}/themes/{org_theme}"),
        &json!({ "colors": { "primary": "#000000" } }),
    );
    assert_eq!(status, 404);

    // When the parent changes its theme (confirming it reaches a child's portal), the child's
    // portal shows it at once.
    let (status, _) = app.api_as(
        Some(&org_key),
        Method::Patch,
        &format!("/api/v1/tenants/{org}/themes/{org_theme}"),
        &json!({ "colors": { "primary": "#065f46" }, "confirm": true }),
    );
    assert_eq!(status, 200);
    let css = body_text(&app.page("org-dk.portals.localhost", "/theme.css"));
    assert!(css.contains("#065f46"), "{css}");
}

// 8. Keys ------------------------------------------------------------------------------

#[test]
fn tenant_keys_are_shown_once_stored_hashed_tracked_and_revocable() {
    let app = spawn_app();
    let (tenant, _) = app.new_tenant("keys");
    let (status, created) =
        app.api(Method::Post, &format!("/api/v1/tenants/{tenant}/keys"), &json!({ "name": "deploy" }));
    assert_eq!(status, 201);
    let secret = created["secret"].as_str().unwrap().to_owned();
    let key_id = created["key"]["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("porch_sk_"));
    assert!(created["key"]["last_used_at"].is_null());

    let (status, listed) = app.api(Method::Get, &format!("/api/v1/tenants/{tenant}/keys"), &serde_json::Value::Null);
    assert_eq!(status, 200);
    assert!(!listed.to_string().contains(&secret), "a list never shows a secret");
    assert!(listed["keys"].as_array().unwrap().iter().all(|k| k.get("secret").is_none()));
    let rows = app.sql("SELECT * FROM api_keys", Vec::new());
    assert_eq!(rows.len(), 2);
    for row in &rows {
        for (column, value) in row.as_object().unwrap() {
            if let Some(text) = value.as_str() {
                assert!(!text.contains(&secret), "column {column} holds the secret");
            }
        }
    }
    assert!(!app.rt.logs.borrow().iter().any(|line| line.contains(&secret)));

    app.rt.advance_seconds(5);
    let (status, _) =
        app.api_as(Some(&secret), Method::Get, &format!("/api/v1/tenants/{tenant}"), &serde_json::Value::Null);
    assert_eq!(status, 200);
    let (_, listed) = app.api(Method::Get, &format!("/api/v1/tenants/{tenant}/keys"), &serde_json::Value::Null);
    let used = listed["keys"].as_array().unwrap().iter().find(|k| k["id"] == json!(key_id)).unwrap().clone();
    assert!(!used["last_used_at"].is_null(), "last_used_at is recorded: {used}");
    assert!(
        used["last_used_at"].as_str().is_some_and(|t| t > created["key"]["created_at"].as_str().unwrap()),
        "{used}"
    );

    let (status, _) =
        app.api(Method::Delete, &format!("/api/v1/tenants/{tenant}/keys/{key_id}"), &serde_json::Value::Null);
    assert_eq!(status, 204);
    let (status, body) =
        app.api_as(Some(&secret), Method::Get, &format!("/api/v1/tenants/{tenant}"), &serde_json::Value::Null);
    assert_eq!(status, 401, "{body}");
}

#[test]
fn requests_without_a_valid_credential_are_refused() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("auth");

    let response = app.send(Request::new(Method::Get, "/api/v1/tenants").with_header("host", "x.test"));
    assert_eq!(response.status, 401);
    assert!(response.header("www-authenticate").is_some_and(|v| v.starts_with("Bearer")));
    for token in ["wrong-token", "porch_sk_notakey", &PLATFORM_TOKEN[..PLATFORM_TOKEN.len() - 1]] {
        let (status, body) = app.api_as(Some(token), Method::Get, "/api/v1/tenants", &serde_json::Value::Null);
        assert_eq!(status, 401, "{token}: {body}");
    }
    let basic = app.send(
        Request::new(Method::Get, "/api/v1/tenants")
            .with_header("host", "x.test")
            .with_header("authorization", &format!("Basic {PLATFORM_TOKEN}")),
    );
    assert_eq!(basic.status, 401);

    // A tenant key may not create tenants.
    let (status, body) =
        app.api_as(Some(&key), Method::Post, "/api/v1/tenants", &json!({ "slug": "sneaky", "name": "Sneaky" }));
    assert_eq!(status, 403, "{body}");
    let (_, listed) = app.api(Method::Get, "/api/v1/tenants", &serde_json::Value::Null);
    assert_eq!(listed["tenants"].as_array().unwrap().len(), 1);
    assert_eq!(listed["tenants"][0]["id"], json!(tenant));
}

#[test]
fn a_platform_token_shorter_than_32_characters_turns_platform_access_off() {
    let short = "only-31-characters-long-token!!";
    assert_eq!(short.len(), 31);
    let app = TestApp { rt: NativeRuntime::new(short).unwrap() };
    let (status, _) =
        app.api_as(Some(short), Method::Post, "/api/v1/tenants", &json!({ "slug": "nope", "name": "Nope" }));
    assert_eq!(status, 401);
    let (status, _) = app.api_as(Some(short), Method::Get, "/api/v1/tenants", &serde_json::Value::Null);
    assert_eq!(status, 401);
    assert!(app.sql("SELECT id FROM tenants", Vec::new()).is_empty());
    assert!(app.rt.logs.borrow().iter().any(|line| line.contains("32")));
}

// 9. Validation ------------------------------------------------------------------------

#[test]
fn invalid_input_is_refused_with_every_bad_field_named_and_nothing_written() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("valid");
    let theme = app.new_theme(&key, &tenant, "Brand", &good_colors());
    let audit_before = app.audit_count();
    let themes = format!("/api/v1/tenants/{tenant}/themes");
    let portals = format!("/api/v1/tenants/{tenant}/portals");

    let (status, body) = app.api_as(
        Some(&key),
        Method::Post,
        &themes,
        &json!({ "name": "Bad", "colors": { "primary": "#fff", "menu": "red", "notification": "#f59e0b", "background": "#ffffff", "text": "#1f2937" } }),
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid");
    assert_eq!(error_fields(&body), vec!["colors.primary", "colors.menu"]);

    let (status, body) = app.api_as(Some(&key), Method::Post, &themes, &json!({ "name": "Partial" }));
    assert_eq!(status, 422);
    assert_eq!(
        error_fields(&body),
        vec!["colors.primary", "colors.menu", "colors.notification", "colors.background", "colors.text"]
    );

    let (status, body) = app.api_as(Some(&key), Method::Post, &portals, &json!({}));
    assert_eq!(status, 422);
    assert_eq!(error_fields(&body), vec!["slug", "name"]);

    let (status, body) = app.api_as(
        Some(&key),
        Method::Post,
        &portals,
        &json!({ "slug": "Bad Slug!", "name": "  ", "default_language": "de" }),
    );
    assert_eq!(status, 422);
    assert_eq!(error_fields(&body), vec!["slug", "name", "default_language"]);
    for slug in ["-lead", "trail-", "a", "UPPER", "ünï"] {
        let (status, body) = app.api_as(Some(&key), Method::Post, &portals, &json!({ "slug": slug, "name": "x" }));
        assert_eq!(status, 422, "{slug}");
        assert_eq!(error_fields(&body), vec!["slug"]);
    }

    let (status, body) =
        app.api_as(Some(&key), Method::Post, &portals, &json!({ "slug": "ok-slug", "name": "Fine", "colour": "red" }));
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("colour"), "{body}");
    let (status, body) = app.api_as(
        Some(&key),
        Method::Post,
        &themes,
        &json!({ "name": "x", "colors": { "primary": "#000000", "accent": "#ffffff" } }),
    );
    assert_eq!(status, 400);
    assert!(body["error"]["message"].as_str().unwrap().contains("accent"), "{body}");

    let form = app.send(
        Request::new(Method::Post, &portals)
            .with_header("authorization", &format!("Bearer {key}"))
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_body("slug=ok-slug&name=Fine"),
    );
    assert_eq!(form.status, 400);
    let no_type = app.send(
        Request::new(Method::Post, &portals)
            .with_header("authorization", &format!("Bearer {key}"))
            .with_body(json!({ "slug": "ok-slug", "name": "Fine" }).to_string()),
    );
    assert_eq!(no_type.status, 400);
    let broken = app.send(
        Request::new(Method::Post, &portals)
            .with_header("authorization", &format!("Bearer {key}"))
            .with_header("content-type", "application/json")
            .with_body("{\"slug\": "),
    );
    assert_eq!(broken.status, 400);

    // A bad PATCH changes nothing either.
    let (status, body) = app.api_as(
        Some(&key),
        Method::Patch,
        &format!("{themes}/{theme}"),
        &json!({ "name": "Renamed", "colors": { "text": "#12345g" } }),
    );
    assert_eq!(status, 422);
    assert_eq!(error_fields(&body), vec!["colors.text"]);
    let (_, current) = app.api_as(Some(&key), Method::Get, &format!("{themes}/{theme}"), &serde_json::Value::Null);
    assert_eq!(current["theme"]["name"], "Brand");
    assert_eq!(current["theme"]["version"], 1);

    assert_eq!(app.audit_count(), audit_before, "no audit entry: nothing was written");
    assert!(app.sql("SELECT id FROM portals", Vec::new()).is_empty());
    assert_eq!(app.sql("SELECT id FROM themes", Vec::new()).len(), 1);
}

// 10. Contrast -------------------------------------------------------------------------

#[test]
fn theme_create_and_update_report_contrast_with_suggestions_for_failing_pairs() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("contrast");
    let (status, good) = app.api_as(
        Some(&key),
        Method::Post,
        &format!("/api/v1/tenants/{tenant}/themes"),
        &json!({ "name": "Good", "colors": good_colors() }),
    );
    assert_eq!(status, 201);
    assert_eq!(good["contrast"]["passes_aa"], true, "{good}");
    assert_eq!(good["contrast"]["failing"], json!([]));
    assert!(good["contrast"]["checks"].as_array().unwrap().iter().all(|c| c["suggestion"].is_null()));

    let poor = json!({ "primary": "#ffff00", "menu": "#1f2937", "notification": "#ff0000", "background": "#ffffff", "text": "#999999" });
    let (status, bad) = app.api_as(
        Some(&key),
        Method::Post,
        &format!("/api/v1/tenants/{tenant}/themes"),
        &json!({ "name": "Poor", "colors": poor }),
    );
    assert_eq!(status, 201, "a poor theme is allowed, and reported");
    let report = &bad["contrast"];
    assert_eq!(report["passes_aa"], false);
    let failing: Vec<&str> = report["failing"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(failing.contains(&"text_on_background"), "{report}");
    let checks = report["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 6, "every pair the pages draw");
    for check in checks {
        let fails = failing.contains(&check["pair"].as_str().unwrap());
        assert_eq!(check["passes_aa"], !fails, "{check}");
        if fails {
            let suggestion = &check["suggestion"];
            assert!(suggestion["change"].is_string() && suggestion["to"].is_string(), "{check}");
            assert!(suggestion["ratio"].as_f64().unwrap() >= check["required"].as_f64().unwrap(), "{check}");
        } else {
            assert!(check["suggestion"].is_null(), "{check}");
        }
    }
    let text_check = checks.iter().find(|c| c["pair"] == "text_on_background").unwrap();
    assert_eq!(text_check["suggestion"]["change"], "text");
    assert_eq!(text_check["suggestion"]["from"], "#999999");
    let suggested = text_check["suggestion"]["to"].as_str().unwrap().to_owned();

    // Taking the suggestion makes that pair pass; the update reports it.
    let theme = bad["theme"]["id"].as_str().unwrap();
    let (status, updated) = app.api_as(
        Some(&key),
        Method::Patch,
        &format!("/api/v1/tenants/{tenant}/themes/{theme}"),
        &json!({ "colors": { "text": suggested } }),
    );
    assert_eq!(status, 200, "{updated}");
    let failing: Vec<&str> =
        updated["contrast"]["failing"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(!failing.contains(&"text_on_background"), "{updated}");
    let (status, alone) = app.api_as(
        Some(&key),
        Method::Get,
        &format!("/api/v1/tenants/{tenant}/themes/{theme}/contrast"),
        &serde_json::Value::Null,
    );
    assert_eq!(status, 200);
    assert_eq!(alone["contrast"], updated["contrast"]);
}

// 11. Logos ----------------------------------------------------------------------------

const HOSTILE_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)"><script>alert(2)</script><rect width="10" height="10" fill="#ff0000" onclick="alert(3)"/></svg>"##;

#[test]
fn an_svg_logo_is_stored_sanitised_and_served_sandboxed_on_the_portal_host() {
    let app = spawn_app();
    let (tenant, key, theme, _) = tenant_with_portal(&app, "logo", &json!({ "slug": "logoco", "name": "LogoCo" }));
    let host = "logoco.portals.localhost";
    assert!(!body_text(&app.page(host, "/")).contains("<img"), "no logo yet (and the page is now cached)");

    let (status, body) = app.put_logo(&key, &tenant, &theme, "small", "image/svg+xml", HOSTILE_SVG.as_bytes());
    assert_eq!(status, 200, "{body}");
    let stored: Vec<(String, Vec<u8>)> =
        app.rt.blobs.objects.borrow().iter().map(|(k, b)| (k.clone(), b.bytes.clone())).collect();
    assert_eq!(stored.len(), 1);
    let (blob_key, bytes) = &stored[0];
    let svg = String::from_utf8(bytes.clone()).unwrap();
    assert!(svg.contains("<rect"), "{svg}");
    for bad in ["script", "onload", "onclick", "alert"] {
        assert!(!svg.contains(bad), "{bad} survived: {svg}");
    }

    let served = app.page(host, "/logo/small");
    assert_eq!(served.status, 200);
    assert_eq!(served.header("content-type"), Some("image/svg+xml"));
    assert!(served.header("content-security-policy").unwrap().contains("sandbox"));
    assert_eq!(served.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(&served.body, bytes);
    assert_eq!(app.page(host, "/logo/large").status, 404, "no large logo");

    let html = body_text(&app.page(host, "/"));
    assert!(html.contains(r#"<img src="/logo/small?v="#), "the start page shows the logo at once: {html}");

    // Replacing the logo removes the old object.
    let (status, _) = app.put_logo(
        &key,
        &tenant,
        &theme,
        "small",
        "image/svg+xml; charset=utf-8",
        br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><circle cx="2" cy="2" r="2" fill="#00ff00"/></svg>"##,
    );
    assert_eq!(status, 200);
    let objects = app.rt.blobs.objects.borrow();
    assert_eq!(objects.len(), 1);
    assert!(!objects.contains_key(blob_key), "the old blob is deleted");
    let new_bytes = objects.values().next().unwrap().bytes.clone();
    drop(objects);
    assert!(String::from_utf8(new_bytes.clone()).unwrap().contains("<circle"));
    assert_eq!(app.page(host, "/logo/small").body, new_bytes);
}

#[test]
fn png_logos_are_accepted_and_bad_uploads_are_refused_without_a_trace() {
    let app = spawn_app();
    let (tenant, key, theme, _) = tenant_with_portal(&app, "png", &json!({ "slug": "pngco", "name": "PngCo" }));
    let host = "pngco.portals.localhost";

    let (status, body) = app.put_logo(&key, &tenant, &theme, "large", "image/png", PNG_1X1);
    assert_eq!(status, 200, "{body}");
    let served = app.page(host, "/logo/large");
    assert_eq!(served.status, 200);
    assert_eq!(served.header("content-type"), Some("image/png"));
    assert_eq!(served.body, PNG_1X1);
    assert!(body_text(&app.page(host, "/")).contains(r#"src="/logo/large?v="#));

    let audit_before = app.audit_count();
    let blobs_before = app.rt.blobs.objects.borrow().len();

    let mut huge = String::from(r#"<svg xmlns="http://www.w3.org/2000/svg"><desc>"#);
    huge.push_str(&"x".repeat(300 * 1024));
    huge.push_str("</desc></svg>");
    let (status, body) = app.put_logo(&key, &tenant, &theme, "small", "image/svg+xml", huge.as_bytes());
    assert_eq!(status, 413, "{body}");
    let mut big_png = PNG_1X1.to_vec();
    big_png.resize(300 * 1024, 0);
    let (status, _) = app.put_logo(&key, &tenant, &theme, "small", "image/png", &big_png);
    assert_eq!(status, 413);

    let (status, body) = app.put_logo(&key, &tenant, &theme, "small", "image/gif", PNG_1X1);
    assert_eq!(status, 422);
    assert_eq!(error_fields(&body), vec!["content-type"]);
    let (status, body) = app.put_logo(&key, &tenant, &theme, "small", "image/png", b"just some text, honest");
    assert_eq!(status, 422);
    assert_eq!(error_fields(&body), vec!["logo"]);
    let (status, _) =
        app.put_logo(&key, &tenant, &theme, "small", "image/svg+xml", b"<html><script>alert(1)</script></html>");
    assert_eq!(status, 422);
    let (status, _) = app.put_logo(&key, &tenant, &theme, "small", "image/png", b"");
    assert_eq!(status, 422);
    let (status, _) = app.put_logo(&key, &tenant, &theme, "medium", "image/png", PNG_1X1);
    assert_eq!(status, 404);

    assert_eq!(app.audit_count(), audit_before);
    assert_eq!(app.rt.blobs.objects.borrow().len(), blobs_before);
    assert_eq!(app.page(host, "/logo/small").status, 404);

    // Removing the logo removes its object and its <img>.
    let (status, _) = app.api_as(
        Some(&key),
        Method::Delete,
        &format!("/api/v1/tenants/{tenant}/themes/{theme}/logos/large"),
        &serde_json::Value::Null,
    );
    assert_eq!(status, 204);
    assert!(app.rt.blobs.objects.borrow().is_empty());
    assert!(!body_text(&app.page(host, "/")).contains("<img"));
    assert_eq!(app.page(host, "/logo/large").status, 404);
}

// 12. Audit ----------------------------------------------------------------------------

#[test]
fn every_change_writes_one_audit_entry_with_actor_and_before_and_after() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("audited");
    let (_, keys) = app.api(Method::Get, &format!("/api/v1/tenants/{tenant}/keys"), &serde_json::Value::Null);
    let key_id = keys["keys"][0]["id"].as_str().unwrap().to_owned();

    let mut count = app.audit_count();
    let theme = app.new_theme(&key, &tenant, "Brand", &good_colors());
    assert_eq!(app.audit_count(), count + 1);
    count += 1;
    let portal = app.new_portal(&key, &tenant, &json!({ "slug": "audited", "name": "Before", "theme_id": theme }));
    assert_eq!(app.audit_count(), count + 1);
    count += 1;
    let (status, _) = app.api_as(
        Some(&key),
        Method::Patch,
        &format!("/api/v1/tenants/{tenant}/portals/{portal}"),
        &json!({ "name": "After" }),
    );
    assert_eq!(status, 200);
    assert_eq!(app.audit_count(), count + 1);

    let (status, page) = app.api_as(Some(&key), Method::Get, "/api/v1/audit?limit=1", &serde_json::Value::Null);
    assert_eq!(status, 200);
    let entry = &page["entries"][0];
    assert_eq!(entry["action"], "portal.update", "{entry}");
    assert_eq!(entry["actor"], format!("key:{key_id}"));
    assert_eq!(entry["tenant_id"], json!(tenant));
    assert_eq!(entry["target_id"], json!(portal));
    assert_eq!(entry["before"]["name"], "Before");
    assert_eq!(entry["after"]["name"], "After");

    let (_, all) = app.api(Method::Get, &format!("/api/v1/audit?tenant_id={tenant}"), &serde_json::Value::Null);
    let actions: Vec<&str> = all["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["portal.update", "portal.create", "theme.create", "api_key.create", "tenant.create"]);
    let actors: Vec<&str> = all["entries"].as_array().unwrap().iter().map(|e| e["actor"].as_str().unwrap()).collect();
    assert_eq!(actors[3..], ["platform", "platform"]);
    // Reads write nothing.
    assert_eq!(app.audit_count(), count + 1);
}

#[test]
fn audit_pages_walk_every_entry_once_and_a_key_sees_only_its_tenant() {
    let app = spawn_app();
    let (a, key_a) = app.new_tenant("aaa");
    let (b, key_b) = app.new_tenant("bbb");
    for i in 0..3 {
        app.new_customer(&key_a, &a, &format!("A customer {i}"));
        app.new_customer(&key_b, &b, &format!("B customer {i}"));
    }
    let total = app.audit_count();
    assert!(total >= 10);

    let walk = |token: &str, query: &str| -> Vec<i64> {
        let mut seqs = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..100 {
            let path = match &cursor {
                Some(c) => format!("/api/v1/audit?limit=2{query}&cursor={c}"),
                None => format!("/api/v1/audit?limit=2{query}"),
            };
            let (status, page) = app.api_as(Some(token), Method::Get, &path, &serde_json::Value::Null);
            assert_eq!(status, 200, "{page}");
            let entries = page["entries"].as_array().unwrap();
            assert!(entries.len() <= 2);
            seqs.extend(entries.iter().map(|e| e["seq"].as_i64().unwrap()));
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return seqs,
            }
        }
        panic!("pagination did not end");
    };

    let everything = walk(PLATFORM_TOKEN, "");
    let expected: Vec<i64> = app
        .sql("SELECT seq FROM audit_log ORDER BY seq DESC", Vec::new())
        .iter()
        .map(|r| r["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(everything, expected, "newest first, no duplicates, no gaps");
    assert_eq!(i64::try_from(everything.len()).unwrap(), total);

    let only_a = walk(&key_a, "");
    let expected_a: Vec<i64> = app
        .sql("SELECT seq FROM audit_log WHERE tenant_id = ?1 ORDER BY seq DESC", params![a.clone()])
        .iter()
        .map(|r| r["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(only_a, expected_a);
    assert_eq!(walk(&key_a, &format!("&tenant_id={a}")), expected_a);
    assert_eq!(walk(PLATFORM_TOKEN, &format!("&tenant_id={a}")), expected_a);
    let (_, page) = app.api_as(Some(&key_a), Method::Get, "/api/v1/audit?limit=200", &serde_json::Value::Null);
    assert!(page["entries"].as_array().unwrap().iter().all(|e| e["tenant_id"] == json!(a)));

    for bad in ["limit=0", "limit=201", "limit=x", "cursor=0", "cursor=abc"] {
        let (status, _) = app.api(Method::Get, &format!("/api/v1/audit?{bad}"), &serde_json::Value::Null);
        assert_eq!(status, 422, "{bad}");
    }
}

// 13. Domains --------------------------------------------------------------------------

fn doh_url(host: &str) -> String {
    format!("https://dns.test/dns-query?name=_porch-verify.{host}&type=TXT")
}

fn txt_answer(value: &str) -> String {
    json!({ "Status": 0, "Answer": [{ "type": 16, "data": format!("\"{value}\"") }] }).to_string()
}

#[test]
fn with_cloudflare_for_saas_a_domain_needs_the_tenants_txt_record_as_well_as_an_active_hostname() {
    let mut app = spawn_app();
    app.rt.config.cloudflare_api_token = Some("cf-test-token".into());
    app.rt.config.cloudflare_zone_id = Some("zone1".into());
    let (tenant, key, _, portal) = tenant_with_portal(&app, "saas", &json!({ "slug": "saas", "name": "SaaS Portal" }));
    let domains = format!("/api/v1/tenants/{tenant}/portals/{portal}/domains");
    let listing = "https://api.cloudflare.com/client/v4/zones/zone1/custom_hostnames?hostname=support.victim.com";
    let create = "https://api.cloudflare.com/client/v4/zones/zone1/custom_hostnames";
    app.rt.http.answers.borrow_mut().insert(create.into(), (409, "{}".into()));
    let (status, added) = app.api_as(Some(&key), Method::Post, &domains, &json!({ "hostname": "support.victim.com" }));
    assert_eq!(status, 201, "{added}");
    assert!(app.rt.http.requests.borrow().iter().any(|r| r.url == create), "registered with Cloudflare");

    // Cloudflare still vouches for the hostname (say, left over from an earlier tenant whose
    // customer's CNAME points here), but this tenant never published the TXT proof.
    let active = json!({ "success": true, "result": [{ "id": "h1", "hostname": "support.victim.com",
        "status": "active", "ssl": { "status": "active" } }] });
    app.rt.http.answers.borrow_mut().insert(listing.into(), (200, active.to_string()));
    app.rt.http.answers.borrow_mut().insert(doh_url("support.victim.com"), (200, json!({ "Status": 3 }).to_string()));
    let verify = format!("{domains}/support.victim.com/verify");
    let (status, checked) = app.api_as(Some(&key), Method::Post, &verify, &serde_json::Value::Null);
    assert_eq!(status, 200);
    assert_eq!(checked["domain"]["status"], "failed", "{checked}");
    assert_eq!(app.page("support.victim.com", "/").status, 404, "no takeover");

    let value = added["domain"]["verification"]["value"].as_str().unwrap().to_owned();
    app.rt.http.answers.borrow_mut().insert(doh_url("support.victim.com"), (200, txt_answer(&value)));
    let (_, checked) = app.api_as(Some(&key), Method::Post, &verify, &serde_json::Value::Null);
    assert_eq!(checked["domain"]["status"], "active", "{checked}");
    assert_eq!(app.page("support.victim.com", "/").status, 200);

    // Deleting the portal releases the hostname at Cloudflare as well.
    let release = "https://api.cloudflare.com/client/v4/zones/zone1/custom_hostnames/h1";
    app.rt.http.answers.borrow_mut().insert(release.into(), (200, "{}".into()));
    let (status, _) = app.api_as(
        Some(&key),
        Method::Delete,
        &format!("/api/v1/tenants/{tenant}/portals/{portal}"),
        &serde_json::Value::Null,
    );
    assert_eq!(status, 204);
    assert!(app.rt.http.requests.borrow().iter().any(|r| r.url == release && r.method == Method::Delete));
    assert_eq!(app.page("support.victim.com", "/").status, 404);
}

#[test]
fn custom_domains_are_verified_by_txt_record_before_they_serve() {
    let app = spawn_app();
    let (tenant, key, _, portal) = tenant_with_portal(&app, "dom", &json!({ "slug": "dom", "name": "Domain Portal" }));
    let domains = format!("/api/v1/tenants/{tenant}/portals/{portal}/domains");

    let (status, body) = app.api_as(Some(&key), Method::Post, &domains, &json!({ "hostname": "x.portals.localhost" }));
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), vec!["hostname"]);
    for bad in ["portals.localhost", "not a host", "10.0.0.1", "localhost"] {
        let (status, _) = app.api_as(Some(&key), Method::Post, &domains, &json!({ "hostname": bad }));
        assert_eq!(status, 422, "{bad}");
    }

    let (status, added) = app.api_as(Some(&key), Method::Post, &domains, &json!({ "hostname": "Support.Acme.com" }));
    assert_eq!(status, 201, "{added}");
    let domain = &added["domain"];
    assert_eq!(domain["hostname"], "support.acme.com");
    assert_eq!(domain["status"], "pending");
    assert_eq!(domain["verification"]["name"], "_porch-verify.support.acme.com");
    let value = domain["verification"]["value"].as_str().unwrap().to_owned();
    assert_eq!(app.page("support.acme.com", "/").status, 404, "pending domains do not serve");

    // Claimed already by this portal (another portal's claim is no bar: tests/domains.rs).
    let (status, _) = app.api_as(Some(&key), Method::Post, &domains, &json!({ "hostname": "support.acme.com" }));
    assert_eq!(status, 409);
    let (other_tenant, other_key, _, other_portal) =
        tenant_with_portal(&app, "other", &json!({ "slug": "other", "name": "Other" }));

    app.rt.http.answers.borrow_mut().insert(doh_url("support.acme.com"), (200, txt_answer(&value)));
    let (status, verified) =
        app.api_as(Some(&key), Method::Post, &format!("{domains}/support.acme.com/verify"), &serde_json::Value::Null);
    assert_eq!(status, 200, "{verified}");
    assert_eq!(verified["domain"]["status"], "active");
    assert!(verified["domain"]["verified_at"].is_string());
    assert!(app.rt.http.requests.borrow().iter().any(|r| r.url == doh_url("support.acme.com")));
    let page = app.page("support.acme.com", "/");
    assert_eq!(page.status, 200, "served right after verification");
    assert!(body_text(&page).contains("Domain Portal"));

    // A wrong record fails the check; the host stays dark.
    let (status, _) = app.api_as(Some(&key), Method::Post, &domains, &json!({ "hostname": "help.acme.com" }));
    assert_eq!(status, 201);
    app.rt.http.answers.borrow_mut().insert(doh_url("help.acme.com"), (200, txt_answer("porch-verify=somebody-else")));
    let (status, failed) =
        app.api_as(Some(&key), Method::Post, &format!("{domains}/help.acme.com/verify"), &serde_json::Value::Null);
    assert_eq!(status, 200);
    assert_eq!(failed["domain"]["status"], "failed", "{failed}");
    assert!(failed["domain"]["last_error"].as_str().is_some_and(|e| !e.is_empty()));
    assert_eq!(app.page("help.acme.com", "/").status, 404);

    // An unreachable resolver fails the check too, without a 500.
    let (status, _) = app.api_as(Some(&key), Method::Post, &domains, &json!({ "hostname": "down.acme.com" }));
    assert_eq!(status, 201);
    let (status, down) =
        app.api_as(Some(&key), Method::Post, &format!("{domains}/down.acme.com/verify"), &serde_json::Value::Null);
    assert_eq!(status, 200);
    assert_eq!(down["domain"]["status"], "failed");

    // An active domain that fails a re-check stays active.
    app.rt.http.answers.borrow_mut().insert(doh_url("support.acme.com"), (200, r#"{"Status":3}"#.to_owned()));
    let (_, recheck) =
        app.api_as(Some(&key), Method::Post, &format!("{domains}/support.acme.com/verify"), &serde_json::Value::Null);
    assert_eq!(recheck["domain"]["status"], "active");
    assert_eq!(app.page("support.acme.com", "/").status, 200);

    // Removing a domain stops it serving at once.
    let (status, _) =
        app.api_as(Some(&key), Method::Delete, &format!("{domains}/support.acme.com"), &serde_json::Value::Null);
    assert_eq!(status, 204);
    assert_eq!(app.page("support.acme.com", "/").status, 404);
    assert!(!app.kv_has("support.acme.com"));
    let (_, listed) = app.api_as(Some(&key), Method::Get, &domains, &serde_json::Value::Null);
    let names: Vec<&str> =
        listed["domains"].as_array().unwrap().iter().map(|d| d["hostname"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["down.acme.com", "help.acme.com"]);
    // Once removed, the name is free to claim again.
    let (status, _) = app.api_as(
        Some(&other_key),
        Method::Post,
        &format!("/api/v1/tenants/{other_tenant}/portals/{other_portal}/domains"),
        &json!({ "hostname": "support.acme.com" }),
    );
    assert_eq!(status, 201);
}

#[test]
fn a_localhost_domain_serves_at_once_and_stops_when_removed() {
    let app = spawn_app();
    let (tenant, key, _, portal) =
        tenant_with_portal(&app, "local", &json!({ "slug": "local", "name": "Local Portal" }));
    let domains = format!("/api/v1/tenants/{tenant}/portals/{portal}/domains");
    // Asked before it exists: remembered as unknown for a moment.
    assert_eq!(app.page("local.localhost", "/").status, 404);
    let (status, _) = app.api_as(Some(&key), Method::Post, &domains, &json!({ "hostname": "local.localhost" }));
    assert_eq!(status, 201);
    assert_eq!(app.page("local.localhost", "/").status, 200, "the remembered 404 was dropped");
    let (status, _) =
        app.api_as(Some(&key), Method::Delete, &format!("{domains}/local.localhost"), &serde_json::Value::Null);
    assert_eq!(status, 204);
    assert_eq!(app.page("local.localhost", "/").status, 404);
    assert!(!app.kv_has("local.localhost"));
    assert_eq!(app.page("local.portals.localhost", "/").status, 200);
}

// 14. Things in use --------------------------------------------------------------------

#[test]
fn a_theme_or_customer_in_use_by_a_portal_cannot_be_deleted() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("inuse");
    let theme = app.new_theme(&key, &tenant, "Brand", &good_colors());
    let customer = app.new_customer(&key, &tenant, "Big Customer");
    let portal = app.new_portal(
        &key,
        &tenant,
        &json!({ "slug": "inuse", "name": "In Use", "theme_id": theme, "customer_id": customer }),
    );
    assert!(body_text(&app.page("inuse.portals.localhost", "/")).contains("Big Customer"));
    let (status, logo) = app.put_logo(&key, &tenant, &theme, "small", "image/png", PNG_1X1);
    assert_eq!(status, 200, "{logo}");
    let audit_before = app.audit_count();

    let (status, body) = app.api_as(
        Some(&key),
        Method::Delete,
        &format!("/api/v1/tenants/{tenant}/themes/{theme}"),
        &serde_json::Value::Null,
    );
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "conflict");
    let (status, body) = app.api_as(
        Some(&key),
        Method::Delete,
        &format!("/api/v1/tenants/{tenant}/customers/{customer}"),
        &serde_json::Value::Null,
    );
    assert_eq!(status, 409, "{body}");
    assert_eq!(app.audit_count(), audit_before);
    assert_eq!(app.rt.blobs.objects.borrow().len(), 1, "the logo of a theme in use stays");
    assert_eq!(app.page("inuse.portals.localhost", "/logo/small").status, 200);

    // Free them, and they go.
    let (status, _) = app.api_as(
        Some(&key),
        Method::Patch,
        &format!("/api/v1/tenants/{tenant}/portals/{portal}"),
        &json!({ "theme_id": null, "customer_id": null }),
    );
    assert_eq!(status, 200);
    let (status, _) = app.api_as(
        Some(&key),
        Method::Delete,
        &format!("/api/v1/tenants/{tenant}/themes/{theme}"),
        &serde_json::Value::Null,
    );
    assert_eq!(status, 204);
    assert!(app.rt.blobs.objects.borrow().is_empty(), "a deleted theme's logos go with it");
    let (status, _) = app.api_as(
        Some(&key),
        Method::Delete,
        &format!("/api/v1/tenants/{tenant}/customers/{customer}"),
        &serde_json::Value::Null,
    );
    assert_eq!(status, 204);
    let html = body_text(&app.page("inuse.portals.localhost", "/"));
    assert!(!html.contains("Big Customer"));
    assert!(
        body_text(&app.page("inuse.portals.localhost", "/theme.css")).contains("--porch-primary: #1f4f99"),
        "the fallback theme"
    );
}

// 15. Units of work --------------------------------------------------------------------

#[test]
fn a_failed_unit_of_work_leaves_nothing_behind() {
    let app = spawn_app();
    let (a, key_a) = app.new_tenant("first");
    let (b, key_b) = app.new_tenant("second");
    app.new_portal(&key_a, &a, &json!({ "slug": "taken", "name": "First Portal" }));
    app.new_theme(&key_b, &b, "Brand", &good_colors());
    let audit_before = app.audit_count();
    let portals_before = app.sql("SELECT * FROM portals", Vec::new());

    let (status, body) = app.api_as(
        Some(&key_b),
        Method::Post,
        &format!("/api/v1/tenants/{b}/portals"),
        &json!({ "slug": "taken", "name": "Second" }),
    );
    assert_eq!(status, 409, "slugs are unique across the platform: {body}");
    assert_eq!(body["error"]["code"], "conflict");
    let (status, _) = app.api_as(
        Some(&key_b),
        Method::Post,
        &format!("/api/v1/tenants/{b}/themes"),
        &json!({ "name": "Brand", "colors": good_colors() }),
    );
    assert_eq!(status, 409, "theme names are unique per tenant");
    let (status, _) = app.api(Method::Post, "/api/v1/tenants", &json!({ "slug": "first", "name": "Again" }));
    assert_eq!(status, 409);

    // A rename onto a taken slug fails whole, too.
    let own = app.new_portal(&key_b, &b, &json!({ "slug": "second", "name": "Second Portal" }));
    let audit_mid = app.audit_count();
    assert_eq!(audit_mid, audit_before + 1);
    let (status, _) = app.api_as(
        Some(&key_b),
        Method::Patch,
        &format!("/api/v1/tenants/{b}/portals/{own}"),
        &json!({ "slug": "taken", "name": "Renamed" }),
    );
    assert_eq!(status, 409);
    let (_, still) =
        app.api_as(Some(&key_b), Method::Get, &format!("/api/v1/tenants/{b}/portals/{own}"), &serde_json::Value::Null);
    assert_eq!(still["portal"]["name"], "Second Portal");
    assert_eq!(still["portal"]["slug"], "second");

    assert_eq!(app.audit_count(), audit_mid, "no audit entry for any failed write");
    let portals_after = app.sql("SELECT * FROM portals WHERE slug <> 'second'", Vec::new());
    assert_eq!(portals_after, portals_before);
    assert!(body_text(&app.page("taken.portals.localhost", "/")).contains("First Portal"));
    assert_eq!(app.sql("SELECT COUNT(*) AS n FROM tenants", Vec::new())[0]["n"], 2);
    assert_eq!(app.sql("SELECT COUNT(*) AS n FROM themes", Vec::new())[0]["n"], 1);
}

// Odds and ends --------------------------------------------------------------------------

#[test]
fn portal_pages_carry_security_headers_and_unknown_paths_get_a_branded_404() {
    let app = spawn_app();
    tenant_with_portal(&app, "headers", &json!({ "slug": "headers", "name": "Headers Portal" }));
    let page = app.page("headers.portals.localhost", "/");
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("script-src"), "no script at all");
    let html = body_text(&page);
    assert!(
        !html.contains("style=") && !html.contains("<script") && !html.contains("<style"),
        "nothing inline: {html}"
    );
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));

    let missing = app.page("headers.portals.localhost", "/nothing-here");
    assert_eq!(missing.status, 404);
    let html = body_text(&missing);
    assert!(html.contains("Headers Portal") && html.contains("Page not found"), "{html}");
    let post = app.send(Request::new(Method::Post, "/").with_header("host", "headers.portals.localhost"));
    assert_eq!(post.status, 404);

    let head = app.send(Request::new(Method::Head, "/").with_header("host", "headers.portals.localhost"));
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(app.page("anything", "/healthz").status, 200);
    assert_eq!(app.page("anything", "/healthz/db").status, 200);
}

#[test]
fn the_favicon_is_the_small_logo_or_an_empty_answer_never_a_404() {
    let app = spawn_app();
    let (tenant, key, theme, _) = tenant_with_portal(&app, "icon", &json!({ "slug": "icon", "name": "Icon Portal" }));
    let bare = app.page("icon.portals.localhost", "/favicon.ico");
    assert_eq!(bare.status, 204);
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" height="4"/></svg>"#;
    let (status, _) = app.put_logo(&key, &tenant, &theme, "small", "image/svg+xml", svg);
    assert_eq!(status, 200);
    let icon = app.page("icon.portals.localhost", "/favicon.ico");
    assert_eq!(icon.status, 200);
    assert_eq!(icon.header("content-type"), Some("image/svg+xml"));
    assert!(body_text(&app.page("icon.portals.localhost", "/")).contains("rel=\"icon\""));
}

#[test]
fn deleting_a_portal_takes_all_its_hosts_offline_at_once() {
    let app = spawn_app();
    let (tenant, key, _, portal) = tenant_with_portal(&app, "gone", &json!({ "slug": "gone", "name": "Gone Portal" }));
    let domains = format!("/api/v1/tenants/{tenant}/portals/{portal}/domains");
    app.api_as(Some(&key), Method::Post, &domains, &json!({ "hostname": "gone.localhost" }));
    for host in ["gone.portals.localhost", "gone.localhost"] {
        assert_eq!(app.page(host, "/").status, 200);
    }
    let audit_before = app.audit_count();

    let (status, _) = app.api_as(
        Some(&key),
        Method::Delete,
        &format!("/api/v1/tenants/{tenant}/portals/{portal}"),
        &serde_json::Value::Null,
    );
    assert_eq!(status, 204);
    for host in ["gone.portals.localhost", "gone.localhost"] {
        assert_eq!(app.page(host, "/").status, 404, "{host}");
        assert!(!app.kv_has(host), "{host}");
    }
    assert!(app.sql("SELECT hostname FROM domains", Vec::new()).is_empty(), "its domains went with it");
    assert_eq!(app.audit_count(), audit_before + 1);
    let (status, _) = app.api_as(
        Some(&key),
        Method::Get,
        &format!("/api/v1/tenants/{tenant}/portals/{portal}"),
        &serde_json::Value::Null,
    );
    assert_eq!(status, 404);
    // The slug and the domain are free again.
    let again = app.new_portal(&key, &tenant, &json!({ "slug": "gone", "name": "Back Again" }));
    let (status, _) = app.api_as(
        Some(&key),
        Method::Post,
        &format!("/api/v1/tenants/{tenant}/portals/{again}/domains"),
        &json!({ "hostname": "gone.localhost" }),
    );
    assert_eq!(status, 201);
    assert!(body_text(&app.page("gone.localhost", "/")).contains("Back Again"));
}

#[test]
fn renaming_a_customer_shows_on_its_portal_at_once() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("cust");
    let customer = app.new_customer(&key, &tenant, "Old Name Ltd");
    app.new_portal(&key, &tenant, &json!({ "slug": "cust", "name": "Customer Portal", "customer_id": customer }));
    assert!(body_text(&app.page("cust.portals.localhost", "/")).contains("Old Name Ltd"));
    let (status, body) = app.api_as(
        Some(&key),
        Method::Patch,
        &format!("/api/v1/tenants/{tenant}/customers/{customer}"),
        &json!({ "name": "New Name Ltd" }),
    );
    assert_eq!(status, 200, "{body}");
    let html = body_text(&app.page("cust.portals.localhost", "/"));
    assert!(html.contains("New Name Ltd") && !html.contains("Old Name Ltd"), "{html}");
}

#[test]
fn a_parent_theme_used_by_a_child_portal_cannot_be_deleted() {
    let app = spawn_app();
    let (org, org_key) = app.new_tenant("holding");
    let (child, child_key) =
        app.new_tenant_with(&json!({ "slug": "holding-se", "name": "Holding SE", "parent_id": org }));
    let theme = app.new_theme(&org_key, &org, "Group", &good_colors());
    app.new_portal(&child_key, &child, &json!({ "slug": "holding-se", "name": "Holding SE", "theme_id": theme }));
    let (status, body) = app.api_as(
        Some(&org_key),
        Method::Delete,
        &format!("/api/v1/tenants/{org}/themes/{theme}"),
        &serde_json::Value::Null,
    );
    assert_eq!(status, 409, "{body}");
    assert_eq!(app.page("holding-se.portals.localhost", "/").status, 200);
    // Organisations are one level deep.
    let (status, body) =
        app.api(Method::Post, "/api/v1/tenants", &json!({ "slug": "grandchild", "name": "G", "parent_id": child }));
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), vec!["parent_id"]);
}

// RFC 9110 conformance ---------------------------------------------------------------------

#[test]
fn a_known_api_path_with_the_wrong_method_answers_405_with_an_allow_header() {
    let app = spawn_app();
    let response = app.send(
        Request::new(Method::Put, "/api/v1/tenants")
            .with_header("authorization", &format!("Bearer {PLATFORM_TOKEN}"))
            .with_header("content-type", "application/json")
            .with_body("{}"),
    );
    assert_eq!(response.status, 405);
    // RFC 9110 §15.5.6: "The origin server MUST generate an Allow header field in a 405 response".
    let allow = response.header("allow").expect("a 405 names the allowed methods");
    let methods: Vec<&str> = allow.split(',').map(str::trim).collect();
    assert!(methods.contains(&"GET") && methods.contains(&"POST"), "{allow}");
    assert_eq!(app.audit_count(), 0);
}

#[test]
fn if_none_match_star_revalidates_the_stylesheet() {
    let app = spawn_app();
    tenant_with_portal(&app, "star", &json!({ "slug": "star", "name": "Star" }));
    // RFC 9110 §13.1.2: "*" matches any current representation, so a GET answers 304.
    let response = app.page_with("star.portals.localhost", "/theme.css", &[("if-none-match", "*")]);
    assert_eq!(response.status, 304);
    // Weak comparison and lists are honoured already.
    let etag = app.page("star.portals.localhost", "/theme.css").header("etag").unwrap().to_owned();
    let listed = format!("\"other\", W/{etag}");
    assert_eq!(app.page_with("star.portals.localhost", "/theme.css", &[("if-none-match", &listed)]).status, 304);
}

#[test]
fn a_guarded_write_that_changes_nothing_leaves_no_audit_entry() {
    use porch_core::store::audit::Actor;
    use porch_core::store::keys;
    use porch_types::ids::TenantId;
    use porch_types::time::Timestamp;

    let app = spawn_app();
    let (tenant, _) = app.new_tenant("guarded");
    let tenant = TenantId::parse(&tenant).unwrap();
    let stale = pollster::block_on(keys::list(&app.rt.db, tenant)).unwrap().remove(0);
    let before = app.audit_count();
    // Two revocations from the same stale read, as two racing requests would make them.
    for _ in 0..2 {
        pollster::block_on(keys::revoke(&app.rt.db, tenant, &stale, &Actor::Platform, Timestamp::from_millis(5)))
            .unwrap();
    }
    assert_eq!(app.audit_count(), before + 1, "only the revocation that happened is recorded");
}
