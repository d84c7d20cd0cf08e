//! Settings that keep their promise, in process on real `SQLite` with the real schema: a theme
//! edit reaching more than the one portal the caller means asks for confirmation first, like a
//! template change; a tenant may require one portal per customer; a set-up's own navigation
//! links are https only, labelled per language and shown after the apps; the contrast report
//! checks every pair the pages draw, and the banner on the notification colour is readable.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::too_many_lines)]

use crate::common;

use common::{body_text, good_colors, platform_host, provider, Provider, PNG_1X1};
use porch_core::http::Method;
use porch_core::store::{Database, DbError, Statement, Value};
use serde_json::json;

fn portal(p: &Provider, body: &serde_json::Value) -> String {
    p.app.new_portal(&p.key, &p.tenant, body)
}

fn theme(p: &Provider) -> String {
    p.app.new_theme(&p.key, &p.tenant, "Brand", &good_colors())
}

fn slugs(body: &serde_json::Value) -> Vec<&str> {
    body["affected_portals"].as_array().unwrap().iter().map(|p| p["slug"].as_str().unwrap()).collect()
}

fn css(p: &Provider, slug: &str) -> String {
    body_text(&p.app.page(&platform_host(slug), "/theme.css"))
}

#[test]
fn a_theme_edit_reaching_one_portal_of_its_own_applies_at_once() {
    let p = provider();
    let theme = theme(&p);
    let path = format!("/themes/{theme}");
    // On no portal yet, then on one custom portal: the portal the caller means.
    let (status, body) = p.call(Method::Patch, &path, &json!({ "colors": { "primary": "#0f766e" } }));
    assert_eq!(status, 200, "{body}");
    portal(&p, &json!({ "slug": "alpha", "name": "Alpha", "theme_id": theme }));
    let (status, body) = p.call(Method::Patch, &path, &json!({ "colors": { "primary": "#7c2d12" } }));
    assert_eq!(status, 200, "{body}");
    assert!(css(&p, "alpha").contains("#7c2d12"));
    let (status, body) = p.app.put_logo(&p.key, &p.tenant, &theme, "small", "image/png", PNG_1X1);
    assert_eq!(status, 200, "{body}");
}

#[test]
fn a_theme_edit_reaching_several_portals_warns_naming_them_and_applies_only_when_confirmed() {
    let p = provider();
    let theme = theme(&p);
    portal(&p, &json!({ "slug": "beta", "name": "Beta", "theme_id": theme }));
    portal(&p, &json!({ "slug": "alpha", "name": "Alpha", "theme_id": theme }));
    portal(&p, &json!({ "slug": "other", "name": "Other" }));
    let path = format!("/themes/{theme}");
    let change = json!({ "colors": { "primary": "#7c2d12" } });
    let audits = p.app.audit_count();
    let (status, body) = p.call(Method::Patch, &path, &change);
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "confirmation_required");
    assert!(body["warning"].as_str().unwrap().contains("2 portal(s)"), "{body}");
    assert_eq!(slugs(&body), ["alpha", "beta"], "by name, and only the portals showing the theme");
    assert_eq!(p.app.audit_count(), audits, "nothing was written");
    assert!(!css(&p, "alpha").contains("#7c2d12"));

    let (status, body) = p.call(Method::Patch, &path, &json!({ "colors": { "primary": "#7c2d12" }, "confirm": true }));
    assert_eq!(status, 200, "{body}");
    assert_eq!(p.app.audit_count(), audits + 1);
    assert!(css(&p, "alpha").contains("#7c2d12") && css(&p, "beta").contains("#7c2d12"));

    // A logo is a theme edit too; it confirms with `?confirm=true`, having no JSON body.
    let (status, body) = p.app.put_logo(&p.key, &p.tenant, &theme, "small", "image/png", PNG_1X1);
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "confirmation_required");
    assert!(body["warning"].as_str().unwrap().contains("?confirm=true"), "{body}");
    let (_, got) = p.call(Method::Get, &path, &json!(null));
    assert_eq!(got["theme"]["logos"]["small"], json!(null), "no logo was set");
    let (status, body) = p.app.put_logo(&p.key, &p.tenant, &theme, "small?confirm=true", "image/png", PNG_1X1);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["theme"]["logos"]["small"]["content_type"], "image/png");
    let (status, body) = p.call(Method::Delete, &format!("{path}/logos/small"), &json!(null));
    assert_eq!(status, 409, "{body}");
    let (status, body) = p.call(Method::Delete, &format!("{path}/logos/small?confirm=maybe"), &json!(null));
    assert_eq!(status, 422, "{body}");
    assert_eq!(common::error_fields(&body), ["confirm"]);
    let (status, body) = p.call(Method::Delete, &format!("{path}/logos/small?confirm=true"), &json!(null));
    assert_eq!(status, 204, "{body}");
}

#[test]
fn a_theme_on_one_portal_following_a_template_or_on_a_child_tenants_portal_asks_first() {
    let p = provider();
    let theme = theme(&p);
    let (status, created) =
        p.call(Method::Post, "/templates", &json!({ "name": "Service", "apps": ["tickets"], "theme_id": theme }));
    assert_eq!(status, 201, "{created}");
    let template = created["template"]["id"].as_str().unwrap().to_owned();
    portal(&p, &json!({ "slug": "linked", "name": "Linked", "template_id": template }));
    let (status, body) = p.call(Method::Patch, &format!("/themes/{theme}"), &json!({ "name": "Brand 2" }));
    assert_eq!(status, 409, "a template's portal changes with the template's set-up: {body}");
    assert_eq!(slugs(&body), ["linked"]);

    // A parent's theme on one portal of a child tenant.
    let (child, child_key) =
        p.app.new_tenant_with(&json!({ "slug": "acme-dk", "name": "Acme DK", "parent_id": p.tenant }));
    let group = p.app.new_theme(&p.key, &p.tenant, "Group", &good_colors());
    p.app.new_portal(&child_key, &child, &json!({ "slug": "acme-dk", "name": "Acme DK", "theme_id": group }));
    let (status, body) =
        p.call(Method::Patch, &format!("/themes/{group}"), &json!({ "colors": { "menu": "#000000" } }));
    assert_eq!(status, 409, "{body}");
    assert_eq!(slugs(&body), ["acme-dk"]);
    let (status, body) = p.call(
        Method::Patch,
        &format!("/themes/{group}"),
        &json!({ "colors": { "menu": "#000000" }, "confirm": true }),
    );
    assert_eq!(status, 200, "{body}");
    assert!(css(&p, "acme-dk").contains("#000000"));
}

/// A write straight to the database, past the API's checks.
fn raw_write(p: &Provider, sql: &'static str, params: Vec<Value>) -> Result<u64, DbError> {
    pollster::block_on(p.app.rt.db.execute(Statement::new(sql, params)))
}

fn tenant_patch(p: &Provider, body: &serde_json::Value) -> (u16, serde_json::Value) {
    p.call(Method::Patch, "", body)
}

#[test]
fn one_portal_per_customer_is_off_for_a_new_tenant_and_refused_while_customers_share_or_have_two() {
    let p = provider();
    let (_, got) = p.call(Method::Get, "", &json!(null));
    assert_eq!(got["tenant"]["one_portal_per_customer"], false);
    let beta = p.app.new_customer(&p.key, &p.tenant, "Beta");
    portal(&p, &json!({ "slug": "alpha-1", "name": "Alpha 1", "customer_id": p.customer }));
    portal(&p, &json!({ "slug": "alpha-2", "name": "Alpha 2", "customer_id": p.customer }));
    portal(&p, &json!({ "slug": "beta", "name": "Beta", "customer_id": beta }));
    let shared = portal(&p, &json!({ "slug": "everyone", "name": "Everyone" }));

    let audits = p.app.audit_count();
    let (status, body) = tenant_patch(&p, &json!({ "one_portal_per_customer": true }));
    assert_eq!(status, 409, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("Alpha has the portals alpha-1, alpha-2") || message.contains("alpha-2, alpha-1"),
        "{message}"
    );
    assert!(message.contains("everyone serve(s) all customers"), "{message}");
    assert!(!message.contains("Beta"), "a customer with one portal keeps the rule: {message}");
    assert_eq!(p.app.audit_count(), audits, "nothing was written");

    // Once each customer has one portal, the rule is turned on (by the tenant's own key).
    let alpha_2 = p.call(Method::Get, "/portals", &json!(null)).1["portals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|portal| portal["slug"] == "alpha-2")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(p.call(Method::Delete, &format!("/portals/{alpha_2}"), &json!(null)).0, 204);
    assert_eq!(p.call(Method::Delete, &format!("/portals/{shared}"), &json!(null)).0, 204);
    let (status, body) = tenant_patch(&p, &json!({ "one_portal_per_customer": true }));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tenant"]["one_portal_per_customer"], true);
    assert_eq!(p.app.audit_count(), audits + 3, "two deletions and the setting");
}

#[test]
fn under_one_portal_per_customer_a_second_portal_or_one_for_all_customers_is_a_field_error() {
    let p = provider();
    let (status, body) = tenant_patch(&p, &json!({ "one_portal_per_customer": true }));
    assert_eq!(status, 200, "{body}");
    let alpha = portal(&p, &json!({ "slug": "alpha", "name": "Alpha", "customer_id": p.customer }));

    let (status, body) =
        p.call(Method::Post, "/portals", &json!({ "slug": "alpha-2", "name": "Alpha 2", "customer_id": p.customer }));
    assert_eq!(status, 422, "{body}");
    assert_eq!(common::error_fields(&body), ["customer_id"]);
    assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("has the portal alpha"), "{body}");
    let (status, body) = p.call(Method::Post, "/portals", &json!({ "slug": "everyone", "name": "Everyone" }));
    assert_eq!(status, 422, "{body}");
    assert_eq!(common::error_fields(&body), ["customer_id"]);

    // The portal itself keeps its customer through other changes, but may not drop it.
    let (status, body) = p.call(Method::Patch, &format!("/portals/{alpha}"), &json!({ "name": "Alpha Ltd" }));
    assert_eq!(status, 200, "{body}");
    let (status, body) = p.call(Method::Patch, &format!("/portals/{alpha}"), &json!({ "customer_id": null }));
    assert_eq!(status, 422, "{body}");
    assert_eq!(common::error_fields(&body), ["customer_id"]);

    // Another customer gets its one portal; turned off, the rule no longer applies.
    let beta = p.app.new_customer(&p.key, &p.tenant, "Beta");
    portal(&p, &json!({ "slug": "beta", "name": "Beta", "customer_id": beta }));
    let (status, body) = tenant_patch(&p, &json!({ "one_portal_per_customer": false }));
    assert_eq!(status, 200, "{body}");
    portal(&p, &json!({ "slug": "everyone", "name": "Everyone" }));
}

#[test]
fn the_database_keeps_one_portal_per_customer_when_writes_race_past_the_check() {
    let p = provider();
    let (status, _) = tenant_patch(&p, &json!({ "one_portal_per_customer": true }));
    assert_eq!(status, 200);
    portal(&p, &json!({ "slug": "alpha", "name": "Alpha", "customer_id": p.customer }));
    // As if a second create had passed the API's check before the first was written.
    let raced = raw_write(
        &p,
        "INSERT INTO portals (id, tenant_id, slug, name, page_title, default_language, customer_id, created_at, updated_at)
         VALUES ('00000000-0000-4000-8000-000000000001', ?1, 'alpha-2', 'A2', 'A2', 'en', ?2, 0, 0)",
        vec![Value::from(p.tenant.as_str()), Value::from(p.customer.as_str())],
    );
    assert!(matches!(raced, Err(DbError::Constraint(detail)) if detail.contains("one_portal_per_customer")));
    // And the tenant's rule cannot be turned on under a breach written before.
    assert_eq!(tenant_patch(&p, &json!({ "one_portal_per_customer": false })).0, 200);
    portal(&p, &json!({ "slug": "everyone", "name": "Everyone" }));
    let turned = raw_write(
        &p,
        "UPDATE tenants SET one_portal_per_customer = 1 WHERE id = ?1",
        vec![Value::from(p.tenant.as_str())],
    );
    assert!(matches!(turned, Err(DbError::Constraint(detail)) if detail.contains("one_portal_per_customer")));
}

fn links() -> serde_json::Value {
    json!([
        { "url": "https://status.example.com/", "labels": { "en": "Status", "da": "Driftsstatus" } },
        { "url": "https://shop.example.com/parts?x=1&y=2", "labels": { "en": "Parts shop" } },
    ])
}

fn page_in(p: &Provider, slug: &str, language: &str) -> String {
    body_text(&p.app.page_with(&platform_host(slug), "/", &[("accept-language", language)]))
}

#[test]
fn a_portals_own_links_follow_the_apps_in_the_readers_language_and_open_with_noopener() {
    let p = provider();
    let id = portal(&p, &json!({ "slug": "alpha", "name": "Alpha", "default_language": "da", "setup": "custom" }));
    let (status, body) = p.call(Method::Patch, &format!("/portals/{id}"), &json!({ "nav_links": links() }));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["portal"]["nav_links"], links());

    let en = page_in(&p, "alpha", "en");
    assert!(
        en.contains(r#"<a href="https://status.example.com/" rel="external noopener"><span>Status</span>"#),
        "{en}"
    );
    assert!(en.contains(r#"href="https://shop.example.com/parts?x=1&amp;y=2""#), "{en}");
    assert!(en.contains("(external site)"));
    assert!(en.find("Status").unwrap() < en.find("Parts shop").unwrap(), "in the order given");
    let da = page_in(&p, "alpha", "da");
    assert!(da.contains("<span>Driftsstatus</span>") && da.contains("(eksternt websted)"), "{da}");
    // Norwegian has no label: the portal's language (Danish) stands in, marked as such; the
    // shop has English only.
    let nb = page_in(&p, "alpha", "nb");
    assert!(nb.contains(r#"<span lang="da">Driftsstatus</span>"#), "{nb}");
    assert!(nb.contains(r#"<span lang="en">Parts shop</span>"#), "{nb}");

    // `[]` removes them.
    let (status, body) = p.call(Method::Patch, &format!("/portals/{id}"), &json!({ "nav_links": [] }));
    assert_eq!(status, 200, "{body}");
    assert!(!page_in(&p, "alpha", "en").contains("status.example.com"));
}

#[test]
fn a_bad_link_is_refused_naming_its_field_and_changes_nothing() {
    let p = provider();
    let id = portal(&p, &json!({ "slug": "alpha", "name": "Alpha", "setup": "custom" }));
    let link = |url: &str| json!({ "url": url, "labels": { "en": "Go" } });
    let long = format!("https://example.com/{}", "a".repeat(500));
    let audits = p.app.audit_count();
    for (links, field) in [
        (json!([link("http://example.com/")]), "nav_links[0].url"),
        (json!([link("https://example.com/"), link("javascript:alert(1)")]), "nav_links[1].url"),
        (json!([link("/tickets")]), "nav_links[0].url"),
        (json!([link(&long)]), "nav_links[0].url"),
        (json!([link("https://user:secret@example.com/")]), "nav_links[0].url"),
        (json!([{ "url": "https://example.com/", "labels": {} }]), "nav_links[0].labels"),
        (json!([{ "url": "https://example.com/", "labels": { "da": "" } }]), "nav_links[0].labels.da"),
        (json!(vec![link("https://example.com/"); 6]), "nav_links"),
    ] {
        let (status, body) = p.call(Method::Patch, &format!("/portals/{id}"), &json!({ "nav_links": links }));
        assert_eq!(status, 422, "{links}: {body}");
        assert_eq!(common::error_fields(&body), [field], "{links}");
    }
    assert_eq!(p.app.audit_count(), audits, "nothing was written");
}

#[test]
fn a_templates_own_links_reach_its_portals_with_the_rest_of_its_set_up() {
    let p = provider();
    let (status, created) =
        p.call(Method::Post, "/templates", &json!({ "name": "Service", "apps": ["tickets"], "nav_links": links() }));
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["template"]["nav_links"][0]["url"], "https://status.example.com/");
    let template = created["template"]["id"].as_str().unwrap().to_owned();
    let id = portal(&p, &json!({ "slug": "linked", "name": "Linked", "template_id": template }));
    assert!(page_in(&p, "linked", "en").contains("Parts shop"));

    // The template decides them for its portals, and a change of them is a new version.
    let (status, _) = p.call(Method::Patch, &format!("/portals/{id}"), &json!({ "nav_links": [] }));
    assert_eq!(status, 409);
    let change =
        json!({ "nav_links": [{ "url": "https://help.example.com/", "labels": { "en": "Help" } }], "confirm": true });
    let (status, body) = p.call(Method::Put, &format!("/templates/{template}"), &change);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["template"]["version"], 2);
    let page = page_in(&p, "linked", "en");
    assert!(page.contains("https://help.example.com/") && !page.contains("Parts shop"), "{page}");
    let (_, got) = p.call(Method::Get, &format!("/templates/{template}"), &json!(null));
    assert_eq!(got["versions"][1]["nav_links"][0]["labels"]["en"], "Status", "version 1 keeps its links: {got}");
}

#[test]
fn a_mid_tone_notification_colour_gets_a_banner_text_the_contrast_report_approves() {
    let p = provider();
    // White on this orange is 3.84:1 and the theme's dark text 3.83:1: neither reads.
    let mut colors = good_colors();
    colors["notification"] = json!("#e0533d");
    let (status, body) = p.call(Method::Post, "/themes", &json!({ "name": "Orange", "colors": colors }));
    assert_eq!(status, 201, "{body}");
    let banner =
        body["contrast"]["checks"].as_array().unwrap().iter().find(|c| c["pair"] == "text_on_notification").unwrap();
    assert_eq!(banner["foreground"], "#000000", "{banner}");
    assert_eq!(banner["passes_aa"], true);
    assert_eq!(banner["ratio"], 5.47);
    let pairs: Vec<&str> =
        body["contrast"]["checks"].as_array().unwrap().iter().map(|c| c["pair"].as_str().unwrap()).collect();
    assert_eq!(pairs.len(), 6, "{pairs:?}");

    let theme = body["theme"]["id"].as_str().unwrap().to_owned();
    portal(&p, &json!({ "slug": "alpha", "name": "Alpha", "theme_id": theme }));
    let stylesheet = css(&p, "alpha");
    assert!(stylesheet.contains("--porch-notification: #e0533d;"), "{stylesheet}");
    assert!(stylesheet.contains("--porch-on-notification: #000000;"), "the banner's text is black: {stylesheet}");
    assert!(stylesheet.contains("color: var(--porch-on-notification)"), "the banner draws with it");

    // An amber as light as the old test colours is a border too faint on white (2.15:1).
    colors["notification"] = json!("#f59e0b");
    let (_, body) = p.call(Method::Patch, &format!("/themes/{theme}"), &json!({ "colors": colors }));
    assert_eq!(body["contrast"]["failing"], json!(["notification_on_background"]), "{body}");
    let check = body["contrast"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["pair"] == "notification_on_background")
        .unwrap();
    assert_eq!((check["required"].as_f64(), check["criterion"].as_str()), (Some(3.0), Some("1.4.11")));
    assert_eq!(check["suggestion"]["change"], "notification");
}
