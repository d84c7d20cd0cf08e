//! Templates and the portal overview, in process on real `SQLite` with the real schema: a
//! template's set-up reaches its linked portals only after the caller confirms the warning
//! naming them, versions are kept and rolled back to, a linked portal's own set-up is the
//! template's, members land on the start page after signing in, and the overview counts.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::too_many_lines)]

use crate::common;

use common::browser::Browser;
use common::{body_text, error_fields, good_colors, platform_host, Provider};
use porch_core::http::Method;
use serde_json::json;

/// A provider with a Support pipeline, so its portals and templates may offer the support form.
fn provider() -> Provider {
    let p = common::provider();
    p.support_pipeline();
    p
}

const PASSWORD: &str = "correct horse battery";

impl Provider {
    fn template(&self, body: &serde_json::Value) -> String {
        let (status, created) = self.call(Method::Post, "/templates", body);
        assert_eq!(status, 201, "{created}");
        created["template"]["id"].as_str().unwrap().to_owned()
    }

    fn create_portal(&self, body: &serde_json::Value) -> serde_json::Value {
        let (status, created) = self.call(Method::Post, "/portals", body);
        assert_eq!(status, 201, "{created}");
        created["portal"].clone()
    }

    fn get_portal(&self, id: &str) -> serde_json::Value {
        let (status, body) = self.call(Method::Get, &format!("/portals/{id}"), &json!(null));
        assert_eq!(status, 200, "{body}");
        body["portal"].clone()
    }

    fn invitation_link(&self, portal: &str) -> String {
        let (status, created) = self.call(
            Method::Post,
            &format!("/portals/{portal}/invitations"),
            &json!({ "customer_id": self.customer }),
        );
        assert_eq!(status, 201, "{created}");
        let url = created["url"].as_str().unwrap();
        url[url.find("/invite/").unwrap()..].to_owned()
    }

    /// A new member of the portal joins through an invitation; returns the browser and where
    /// the join sent it.
    fn join_and_land(&self, portal: &str, slug: &str, email: &str) -> (Browser<'_>, String) {
        let link = self.invitation_link(portal);
        let browser = Browser::new(&self.app, &platform_host(slug));
        assert_eq!(browser.get(&link).status, 200);
        let joined = browser.post(&link, &[("name", "Ada"), ("email", email), ("password", PASSWORD)]);
        assert_eq!(joined.status, 303, "{}", body_text(&joined));
        let location = joined.header("location").unwrap().to_owned();
        (browser, location)
    }
}

/// The hrefs of a page's navigation, in order.
fn nav_hrefs(page: &str) -> Vec<String> {
    let nav = &page[page.find("<nav").unwrap()..page.find("</nav>").unwrap()];
    nav.split("href=\"").skip(1).map(|rest| rest[..rest.find('"').unwrap()].to_owned()).collect()
}

#[test]
fn a_template_is_created_with_its_first_version_and_listed() {
    let p = provider();
    let theme = p.app.new_theme(&p.key, &p.tenant, "Brand", &good_colors());
    let audits = p.app.audit_count();
    let (status, body) = p.call(
        Method::Post,
        "/templates",
        &json!({
            "name": "Service",
            "description": "Tickets first",
            "apps": ["support_form", "tickets", "equipment"],
            "theme_id": theme,
            "start_page": "/tickets",
            "navigation": ["equipment", "tickets"],
        }),
    );
    assert_eq!(status, 201, "{body}");
    let template = &body["template"];
    assert_eq!(template["apps"], json!(["tickets", "support_form", "equipment"]));
    assert_eq!(template["navigation"], json!(["equipment", "tickets"]), "the order given");
    assert_eq!(template["start_page"], "/tickets");
    assert_eq!(template["theme_id"], theme);
    assert_eq!(template["version"], 1);
    assert_eq!(template["is_default"], false);
    assert_eq!(p.app.audit_count(), audits + 1);

    let id = template["id"].as_str().unwrap();
    let (status, got) = p.call(Method::Get, &format!("/templates/{id}"), &json!(null));
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["versions"].as_array().unwrap().len(), 1);
    assert_eq!(got["versions"][0]["start_page"], "/tickets");
    let (_, listed) = p.call(Method::Get, "/templates", &json!(null));
    assert_eq!(listed["templates"][0]["name"], "Service");

    // A name is unique within the tenant; bad fields are all named at once.
    let (status, body) = p.call(Method::Post, "/templates", &json!({ "name": "Service" }));
    assert_eq!(status, 409, "{body}");
    let (status, body) = p.call(
        Method::Post,
        "/templates",
        &json!({ "name": "Bad", "apps": ["tickets"], "start_page": "/reports", "navigation": ["tickets", "tickets"] }),
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), ["start_page", "navigation"]);
}

#[test]
fn apps_outside_the_plan_are_refused_for_a_template() {
    let p = provider();
    let (status, body) = p.app.api(
        Method::Patch,
        &format!("/api/v1/tenants/{}", p.tenant),
        &json!({ "plan_apps": ["tickets", "support_form"] }),
    );
    assert_eq!(status, 200, "{body}");
    let audits = p.app.audit_count();
    let (status, body) =
        p.call(Method::Post, "/templates", &json!({ "name": "Fleet", "apps": ["tickets", "equipment"] }));
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), ["apps"]);
    assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("equipment is not in this tenant's plan"));
    assert_eq!(p.app.audit_count(), audits, "nothing was written");

    let id = p.template(&json!({ "name": "Plain", "apps": ["tickets"] }));
    let (status, body) = p.call(Method::Put, &format!("/templates/{id}"), &json!({ "apps": ["reports"] }));
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), ["apps"]);
}

#[test]
fn a_portal_created_without_a_template_follows_the_tenants_default() {
    let p = provider();
    let first = p.template(&json!({ "name": "First", "apps": ["tickets"], "is_default": true }));
    let second = p.template(&json!({
        "name": "Second", "apps": ["tickets", "support_form"], "start_page": "/tickets/new", "is_default": true,
    }));
    // One default per tenant: the second took it from the first.
    let (_, listed) = p.call(Method::Get, "/templates", &json!(null));
    let defaults: Vec<&str> = listed["templates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["is_default"] == true)
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(defaults, [second.as_str()]);

    let portal = p.create_portal(&json!({ "slug": "alpha", "name": "Alpha" }));
    assert_eq!(portal["setup"], "template");
    assert_eq!(portal["template_id"], second);
    assert_eq!(portal["apps"], json!(["tickets", "support_form"]));
    assert_eq!(portal["start_page"], "/tickets/new");

    let named = p.create_portal(&json!({ "slug": "beta", "name": "Beta", "template_id": first }));
    assert_eq!(named["template_id"], first);
    assert_eq!(named["apps"], json!(["tickets"]));

    let custom = p.create_portal(&json!({ "slug": "gamma", "name": "Gamma", "setup": "custom", "apps": ["tickets"] }));
    assert_eq!(custom["setup"], "custom");
    assert_eq!(custom["template_id"], json!(null));
    assert_eq!(custom["start_page"], "/");

    // Set-up fields while the default applies: the caller must say it wants its own.
    let (status, body) =
        p.call(Method::Post, "/portals", &json!({ "slug": "delta", "name": "Delta", "apps": ["tickets"] }));
    assert_eq!(status, 409, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("\"setup\": \"custom\""), "{body}");

    // Taking the default away: new portals are custom again.
    let (status, body) = p.call(Method::Put, &format!("/templates/{second}"), &json!({ "is_default": false }));
    assert_eq!(status, 200, "{body}");
    let plain = p.create_portal(&json!({ "slug": "epsilon", "name": "Epsilon" }));
    assert_eq!(plain["setup"], "custom");
}

#[test]
fn a_change_with_linked_portals_warns_naming_them_and_applies_only_when_confirmed() {
    let p = provider();
    let theme = p.app.new_theme(&p.key, &p.tenant, "Brand", &good_colors());
    let id = p.template(&json!({ "name": "Service", "apps": ["tickets", "support_form"] }));
    let alpha = p.create_portal(&json!({ "slug": "alpha", "name": "Alpha", "template_id": id }));
    let beta = p.create_portal(&json!({ "slug": "beta", "name": "Beta", "template_id": id }));
    let custom = p.create_portal(&json!({ "slug": "gamma", "name": "Gamma", "setup": "custom" }));
    let (browser, _) = p.join_and_land(alpha["id"].as_str().unwrap(), "alpha", "ada@example.com");
    assert_eq!(nav_hrefs(&body_text(&browser.get("/"))), ["/", "/tickets", "/tickets/new", "/users"]);

    let change = json!({
        "apps": ["tickets", "support_form", "reports"],
        "theme_id": theme,
        "start_page": "/tickets",
        "navigation": ["support_form", "tickets"],
    });
    let audits = p.app.audit_count();
    let (status, body) = p.call(Method::Put, &format!("/templates/{id}"), &change);
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "confirmation_required");
    assert!(body["warning"].as_str().unwrap().contains("2 linked portal(s)"), "{body}");
    let affected: Vec<&str> =
        body["affected_portals"].as_array().unwrap().iter().map(|p| p["slug"].as_str().unwrap()).collect();
    assert_eq!(affected, ["alpha", "beta"]);
    assert_eq!(p.app.audit_count(), audits, "nothing was written");
    let unchanged = p.get_portal(alpha["id"].as_str().unwrap());
    assert_eq!(unchanged["apps"], json!(["tickets", "support_form"]));
    assert_eq!(unchanged["theme_id"], json!(null));
    let (_, got) = p.call(Method::Get, &format!("/templates/{id}"), &json!(null));
    assert_eq!(got["template"]["version"], 1);

    let mut confirmed = change.clone();
    confirmed["confirm"] = json!(true);
    let (status, body) = p.call(Method::Put, &format!("/templates/{id}"), &confirmed);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["template"]["version"], 2);
    assert_eq!(body["affected_portals"].as_array().unwrap().len(), 2);
    assert_eq!(p.app.audit_count(), audits + 1, "one entry for the change");
    for portal in [&alpha, &beta] {
        let now = p.get_portal(portal["id"].as_str().unwrap());
        assert_eq!(now["apps"], json!(["tickets", "support_form", "reports"]));
        assert_eq!(now["theme_id"], theme);
        assert_eq!(now["start_page"], "/tickets");
        assert_eq!(now["navigation"], json!(["support_form", "tickets"]));
    }
    let untouched = p.get_portal(custom["id"].as_str().unwrap());
    assert_eq!(untouched["apps"], json!(["tickets", "support_form"]), "a custom portal is not linked");

    // The portal's pages follow at once: the cached context was refreshed.
    let page = body_text(&browser.get("/"));
    assert_eq!(nav_hrefs(&page), ["/", "/tickets/new", "/tickets", "/users"], "the template's order");
    assert!(p.app.kv_entry(&platform_host("alpha")).unwrap().contains("\"start_page\":\"/tickets\""));

    // A change of name only is no new version and needs no confirmation.
    let (status, body) = p.call(Method::Put, &format!("/templates/{id}"), &json!({ "name": "Service desk" }));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["template"]["version"], 2);
    assert_eq!(body["template"]["name"], "Service desk");
}

#[test]
fn rolling_back_adds_a_version_equal_to_the_old_one_and_portals_follow() {
    let p = provider();
    let id = p.template(&json!({ "name": "Service", "apps": ["tickets"], "start_page": "/tickets" }));
    let portal = p.create_portal(&json!({ "slug": "alpha", "name": "Alpha" , "template_id": id }));
    let portal_id = portal["id"].as_str().unwrap();
    let (status, body) = p.call(
        Method::Put,
        &format!("/templates/{id}"),
        &json!({ "apps": ["tickets", "equipment"], "start_page": "/equipment", "confirm": true }),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(p.get_portal(portal_id)["start_page"], "/equipment");

    let (status, body) = p.call(Method::Post, &format!("/templates/{id}/rollback"), &json!({ "version": 1 }));
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["affected_portals"][0]["id"], portal_id);
    assert_eq!(p.get_portal(portal_id)["apps"], json!(["tickets", "equipment"]), "not yet");

    let (status, body) =
        p.call(Method::Post, &format!("/templates/{id}/rollback"), &json!({ "version": 1, "confirm": true }));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["template"]["version"], 3);
    let back = p.get_portal(portal_id);
    assert_eq!(back["apps"], json!(["tickets"]));
    assert_eq!(back["start_page"], "/tickets");
    let (_, got) = p.call(Method::Get, &format!("/templates/{id}"), &json!(null));
    let versions: Vec<i64> =
        got["versions"].as_array().unwrap().iter().map(|v| v["version"].as_i64().unwrap()).collect();
    assert_eq!(versions, [3, 2, 1], "the history is kept");
    assert_eq!(got["versions"][0]["apps"], got["versions"][2]["apps"]);
    assert_eq!(got["versions"][1]["apps"], json!(["tickets", "equipment"]));
    let rollbacks = p.app.sql("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'template.rollback'", Vec::new());
    assert_eq!(rollbacks[0]["n"], 1);

    let (status, body) = p.call(Method::Post, &format!("/templates/{id}/rollback"), &json!({ "version": 9 }));
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), ["version"]);
}

#[test]
fn a_linked_portals_own_set_up_changes_are_refused_until_it_is_unlinked() {
    let p = provider();
    let id = p.template(&json!({ "name": "Service", "apps": ["tickets", "support_form"], "start_page": "/tickets" }));
    let portal = p.create_portal(&json!({ "slug": "alpha", "name": "Alpha", "template_id": id }));
    let path = format!("/portals/{}", portal["id"].as_str().unwrap());
    for body in [
        json!({ "apps": ["tickets"] }),
        json!({ "theme_id": null }),
        json!({ "start_page": "/" }),
        json!({ "navigation": ["tickets"] }),
    ] {
        let (status, answer) = p.call(Method::Patch, &path, &body);
        assert_eq!(status, 409, "{body}: {answer}");
        assert!(answer["error"]["message"].as_str().unwrap().contains("\"Service\""));
    }
    // Other settings still change.
    let (status, answer) = p.call(Method::Patch, &path, &json!({ "name": "Alpha support" }));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["portal"]["template_id"], id);

    // Unlinked, it keeps the template's set-up as its own and may change it.
    let (status, answer) = p.call(Method::Patch, &path, &json!({ "template_id": null, "apps": ["tickets"] }));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["portal"]["setup"], "custom");
    assert_eq!(answer["portal"]["apps"], json!(["tickets"]));
    assert_eq!(answer["portal"]["start_page"], "/tickets");
    let (status, answer) = p.call(Method::Patch, &path, &json!({ "apps": ["equipment"] }));
    assert_eq!(status, 422, "the start page would be gone: {answer}");
    assert_eq!(error_fields(&answer), ["start_page"]);

    // Linking again copies the template's current set-up; the template cannot be deleted
    // while the portal follows it.
    let (status, answer) = p.call(Method::Patch, &path, &json!({ "template_id": id }));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["portal"]["apps"], json!(["tickets", "support_form"]));
    let (status, answer) = p.call(Method::Delete, &format!("/templates/{id}"), &json!(null));
    assert_eq!(status, 409, "{answer}");
    assert!(answer["error"]["message"].as_str().unwrap().contains("alpha"));
    let (status, _) = p.call(Method::Patch, &path, &json!({ "template_id": null }));
    assert_eq!(status, 200);
    let (status, answer) = p.call(Method::Delete, &format!("/templates/{id}"), &json!(null));
    assert_eq!(status, 204, "{answer}");
    let (status, _) = p.call(Method::Get, &format!("/templates/{id}"), &json!(null));
    assert_eq!(status, 404);
}

#[test]
fn a_member_lands_on_the_start_page_after_signing_in_unless_they_asked_for_a_page() {
    let p = provider();
    let id = p.template(&json!({ "name": "Service", "apps": ["tickets", "support_form"], "start_page": "/tickets" }));
    let portal = p.create_portal(&json!({ "slug": "alpha", "name": "Alpha", "template_id": id }));
    let (browser, landed) = p.join_and_land(portal["id"].as_str().unwrap(), "alpha", "ada@example.com");
    assert_eq!(landed, "/tickets", "joining signs in");

    browser.post("/sign-out", &[]);
    browser.get("/sign-in");
    let signed_in = browser.post("/sign-in", &[("email", "ada@example.com"), ("password", PASSWORD)]);
    assert_eq!(signed_in.status, 303, "{}", body_text(&signed_in));
    assert_eq!(signed_in.header("location"), Some("/tickets"));

    browser.post("/sign-out", &[]);
    browser.get("/sign-in?return_to=/users");
    let asked = browser
        .post("/sign-in", &[("email", "ada@example.com"), ("password", PASSWORD), ("return_to", "/tickets/new")]);
    assert_eq!(asked.header("location"), Some("/tickets/new"), "the page asked for wins");

    // A custom portal without a start page lands on its home page, as before.
    let custom = p.create_portal(&json!({ "slug": "beta", "name": "Beta", "setup": "custom" }));
    let (_, landed) = p.join_and_land(custom["id"].as_str().unwrap(), "beta", "bo@example.com");
    assert_eq!(landed, "/");
}

#[test]
fn the_overview_shows_each_portals_set_up_invitations_users_and_last_activity() {
    let p = provider();
    let theme = p.app.new_theme(&p.key, &p.tenant, "Brand", &good_colors());
    let id =
        p.template(&json!({ "name": "Service", "apps": ["tickets"], "theme_id": theme, "start_page": "/tickets" }));
    let alpha = p.create_portal(&json!({ "slug": "alpha", "name": "Alpha", "template_id": id }));
    let beta = p.create_portal(&json!({ "slug": "beta", "name": "Beta", "setup": "custom" }));
    let alpha_id = alpha["id"].as_str().unwrap();
    p.join_and_land(alpha_id, "alpha", "ada@example.com");
    p.join_and_land(alpha_id, "alpha", "bo@example.com");
    p.invitation_link(alpha_id);
    p.invitation_link(beta["id"].as_str().unwrap());

    let (status, body) = p.call(Method::Get, "/portal-overview", &json!(null));
    assert_eq!(status, 200, "{body}");
    let rows = body["portals"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let a = &rows[0];
    assert_eq!(a["slug"], "alpha");
    assert_eq!(a["setup"]["kind"], "template");
    assert_eq!(a["setup"]["template"], json!({ "id": id, "name": "Service", "version": 1 }));
    assert_eq!(a["apps"], json!(["tickets"]));
    assert_eq!(a["theme"], json!({ "id": theme, "name": "Brand" }));
    assert_eq!(a["start_page"], "/tickets");
    assert_eq!(a["invitations"], json!({ "pending": 1, "accepted": 2 }));
    assert_eq!(a["users"], 2);
    assert!(a["last_activity_at"].is_string(), "{a}");
    let b = &rows[1];
    assert_eq!(b["slug"], "beta");
    assert_eq!(b["setup"], json!({ "kind": "custom", "template": null }));
    assert_eq!(b["theme"], json!(null));
    assert_eq!(b["start_page"], "/");
    assert_eq!(b["invitations"], json!({ "pending": 1, "accepted": 0 }));
    assert_eq!(b["users"], 0);
    assert_eq!(b["last_activity_at"], json!(null));

    // Another tenant's key sees none of it.
    let (_, other_key) = p.app.new_tenant("other-co");
    let (status, _) = p.app.api_as(
        Some(&other_key),
        Method::Get,
        &format!("/api/v1/tenants/{}/portal-overview", p.tenant),
        &json!(null),
    );
    assert_eq!(status, 404);
}

#[test]
fn another_tenants_template_can_be_neither_read_nor_followed() {
    let p = provider();
    let id = p.template(&json!({ "name": "Service" }));
    let (other, other_key) = p.app.new_tenant("other-co");
    let other_call = |method: Method, rest: &str, body: &serde_json::Value| {
        p.app.api_as(Some(&other_key), method, &format!("/api/v1/tenants/{other}{rest}"), body)
    };
    let (status, _) = other_call(Method::Get, &format!("/templates/{id}"), &json!(null));
    assert_eq!(status, 404);
    let (status, _) = other_call(Method::Put, &format!("/templates/{id}"), &json!({ "name": "Mine", "confirm": true }));
    assert_eq!(status, 404);
    let (status, body) =
        other_call(Method::Post, "/portals", &json!({ "slug": "theirs", "name": "Theirs", "template_id": id }));
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), ["template_id"]);
    let (status, _) = p.app.api_as(
        Some(&other_key),
        Method::Get,
        &format!("/api/v1/tenants/{}/templates/{id}", p.tenant),
        &json!(null),
    );
    assert_eq!(status, 404, "a key reaches only its own tenant");
}
