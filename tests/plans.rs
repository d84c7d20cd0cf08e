//! Plans and apps, in process on real `SQLite` with the real schema: the operator sets a
//! tenant's plan, a portal offers only apps of its tenant's plan, a plan cannot shrink under
//! a portal, and a portal's pages and navigation show only the apps it was given, at once
//! after a change.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::too_many_lines)]

use crate::common;

use common::{body_text, error_fields, platform_host, Provider};
use porch_core::http::Method;
use serde_json::json;

/// A provider with a Support pipeline, so its portals and templates may offer the support form.
fn provider() -> Provider {
    let p = common::provider();
    p.support_pipeline();
    p
}

impl Provider {
    fn as_operator(&self, method: Method, rest: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        self.app.api(method, &format!("/api/v1/tenants/{}{rest}", self.tenant), body)
    }

    fn set_plan(&self, apps: &[&str]) {
        let (status, body) = self.as_operator(Method::Patch, "", &json!({ "plan_apps": apps }));
        assert_eq!(status, 200, "{body}");
    }

    fn portal(&self, slug: &str, apps: Option<&[&str]>) -> String {
        let mut body = json!({ "slug": slug, "name": format!("Portal {slug}") });
        if let Some(apps) = apps {
            body["apps"] = json!(apps);
        }
        self.app.new_portal(&self.key, &self.tenant, &body)
    }

    fn portal_apps(&self, portal: &str) -> serde_json::Value {
        let (status, body) = self.call(Method::Get, &format!("/portals/{portal}"), &json!(null));
        assert_eq!(status, 200, "{body}");
        body["portal"]["apps"].clone()
    }

    fn set_portal_apps(&self, portal: &str, apps: &[&str]) -> (u16, serde_json::Value) {
        self.call(Method::Patch, &format!("/portals/{portal}"), &json!({ "apps": apps }))
    }
}

#[test]
fn a_new_tenant_has_every_app_in_its_plan_and_the_operator_sets_it() {
    let p = provider();
    let (status, body) = p.call(Method::Get, "", &json!(null));
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["tenant"]["plan_apps"],
        json!(["tickets", "support_form", "equipment", "activity", "reports", "documents"])
    );

    let audits = p.app.audit_count();
    let (status, body) =
        p.as_operator(Method::Patch, "", &json!({ "plan_apps": ["reports", "tickets", "tickets", "support_form"] }));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tenant"]["plan_apps"], json!(["tickets", "support_form", "reports"]), "deduplicated, in order");
    assert_eq!(body["tenant"]["name"], "Tenant acme-co", "the name is untouched");
    let (_, listed) = p.app.api(Method::Get, "/api/v1/tenants", &json!(null));
    assert_eq!(listed["tenants"][0]["plan_apps"], json!(["tickets", "support_form", "reports"]));

    assert_eq!(p.app.audit_count(), audits + 1);
    let entry =
        &p.app.sql("SELECT actor, before_json, after_json FROM audit_log WHERE action = 'tenant.plan'", Vec::new())[0];
    assert_eq!(entry["actor"], "platform");
    assert!(entry["before_json"].as_str().unwrap().contains("documents"));
    assert_eq!(entry["after_json"], r#"{"plan_apps":["tickets","support_form","reports"]}"#);

    let (status, body) = p.as_operator(Method::Patch, "", &json!({ "plan_apps": ["tickets", "billing"] }));
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), ["plan_apps"]);
    assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("\"billing\" is not an app"));

    // The operator may also give a plan at creation.
    let (status, body) = p.app.api(
        Method::Post,
        "/api/v1/tenants",
        &json!({ "slug": "small-co", "name": "Small", "plan_apps": ["tickets"] }),
    );
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["tenant"]["plan_apps"], json!(["tickets"]));
}

#[test]
fn a_tenant_key_cannot_change_its_plan_but_still_renames_its_tenant() {
    let p = provider();
    let audits = p.app.audit_count();
    for body in [json!({ "plan_apps": ["tickets"] }), json!({ "name": "Acme", "plan_apps": ["tickets"] })] {
        let (status, answer) = p.call(Method::Patch, "", &body);
        assert_eq!(status, 403, "{answer}");
    }
    assert_eq!(p.app.audit_count(), audits, "nothing was written");
    let (_, body) = p.call(Method::Get, "", &json!(null));
    assert_eq!(body["tenant"]["plan_apps"].as_array().unwrap().len(), 6);
    assert_eq!(body["tenant"]["name"], "Tenant acme-co");

    let (status, body) = p.call(Method::Patch, "", &json!({ "name": "Acme" }));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tenant"]["name"], "Acme");
    let (status, body) = p.call(Method::Patch, "", &json!({}));
    assert_eq!(status, 422, "an empty PATCH still says what it needs: {body}");
}

#[test]
fn a_portal_given_an_app_outside_the_plan_is_refused_naming_it_and_nothing_changes() {
    let p = provider();
    p.set_plan(&["tickets", "support_form"]);
    let audits = p.app.audit_count();

    let (status, body) = p.call(
        Method::Post,
        "/portals",
        &json!({ "slug": "fleet", "name": "Fleet", "apps": ["tickets", "equipment", "reports"] }),
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), ["apps"]);
    assert_eq!(body["error"]["fields"][0]["message"], "equipment is not in this tenant's plan");
    assert!(p.app.sql("SELECT id FROM portals", Vec::new()).is_empty(), "no portal was created");

    let portal = p.portal("acme", None);
    assert_eq!(p.portal_apps(&portal), json!(["tickets", "support_form"]), "the default: what portals offered so far");
    let audits = audits + 1;
    assert_eq!(p.app.audit_count(), audits);

    let (status, body) = p.set_portal_apps(&portal, &["tickets", "documents"]);
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["fields"][0]["message"], "documents is not in this tenant's plan");
    let (status, body) = p.set_portal_apps(&portal, &["support_form"]);
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["fields"][0]["message"].as_str().unwrap().starts_with("support_form needs tickets"));
    let (status, body) = p.set_portal_apps(&portal, &["tickets", "spaceships"]);
    assert_eq!(status, 422, "{body}");
    assert_eq!(p.portal_apps(&portal), json!(["tickets", "support_form"]), "unchanged");
    assert_eq!(p.app.audit_count(), audits, "no audit entry for a refused change");

    // Even written past the API, the database refuses an app outside the plan.
    let rows = p.app.sql("SELECT tenant_id, id FROM portals", Vec::new());
    let result = pollster::block_on(porch_core::store::Database::execute(
        &p.app.rt.db,
        porch_core::store::Statement::new(
            "INSERT INTO portal_apps (tenant_id, portal_id, app) VALUES (?1, ?2, 'equipment')",
            porch_core::params![rows[0]["tenant_id"].as_str().unwrap(), rows[0]["id"].as_str().unwrap()],
        ),
    ));
    assert!(result.is_err(), "the foreign key to the plan holds");

    // A plan that lacks the support form gives new portals only the ticket pages.
    let (status, body) = p.set_portal_apps(&portal, &["tickets"]);
    assert_eq!(status, 200, "{body}");
    p.set_plan(&["tickets", "equipment"]);
    let other = p.portal("other", None);
    assert_eq!(p.portal_apps(&other), json!(["tickets"]));
    let (status, body) = p.set_portal_apps(&other, &["equipment", "tickets", "equipment"]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["portal"]["apps"], json!(["tickets", "equipment"]));
    let (_, listed) = p.call(Method::Get, "/portals", &json!(null));
    let apps: Vec<_> = listed["portals"].as_array().unwrap().iter().map(|p| p["apps"].clone()).collect();
    assert!(apps.contains(&json!(["tickets", "equipment"])), "{listed}");
}

#[test]
fn a_plan_cannot_shrink_below_what_its_portals_offer_and_the_refusal_names_them() {
    let p = provider();
    let north = p.portal("north", Some(&["tickets", "support_form", "equipment"]));
    p.portal("south", Some(&["tickets", "equipment", "reports"]));
    let audits = p.app.audit_count();

    let (status, body) = p.as_operator(Method::Patch, "", &json!({ "plan_apps": ["tickets", "support_form"] }));
    assert_eq!(status, 409, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("equipment is offered by north (Portal north), south (Portal south)"),
        "the portals are named per app: {message}"
    );
    assert!(message.contains("reports is offered by south (Portal south)"), "{message}");
    assert!(!message.contains("support_form is offered"), "{message}");
    let (_, tenant) = p.call(Method::Get, "", &json!(null));
    assert_eq!(tenant["tenant"]["plan_apps"].as_array().unwrap().len(), 6, "the plan is unchanged");
    assert_eq!(p.app.audit_count(), audits);

    // Growing or keeping what the portals use is fine: drop activity and documents.
    p.set_plan(&["tickets", "support_form", "equipment", "reports"]);
    // Once the portals let go, the plan may shrink.
    assert_eq!(p.set_portal_apps(&north, &["tickets", "support_form"]).0, 200);
    let (status, body) = p.as_operator(Method::Patch, "", &json!({ "plan_apps": ["tickets", "support_form"] }));
    assert_eq!(status, 409, "south still offers equipment and reports: {body}");
    let south = p.app.sql("SELECT id FROM portals WHERE slug = 'south'", Vec::new());
    assert_eq!(p.set_portal_apps(south[0]["id"].as_str().unwrap(), &["tickets"]).0, 200);
    p.set_plan(&["tickets", "support_form"]);

    // Deleting a portal takes its apps with it; the plan rows stay.
    let (status, _) = p.call(Method::Delete, &format!("/portals/{north}"), &json!(null));
    assert_eq!(status, 204);
    assert_eq!(p.app.sql("SELECT COUNT(*) AS n FROM portal_apps", Vec::new())[0]["n"], 1);
}

#[test]
fn a_portal_without_tickets_answers_404_on_every_ticket_page_and_shows_no_ticket_links() {
    let p = provider();
    let bare = p.portal("bare", Some(&[]));
    let full = p.portal("full", None);

    // Strangers get the 404 too, not a sign-in redirect that would tell the page exists.
    let anonymous = p.app.page(&platform_host("bare"), "/tickets");
    assert_eq!(anonymous.status, 404);
    assert!(body_text(&anonymous).contains("Portal bare"), "the portal's own branded 404");
    assert_eq!(p.app.page(&platform_host("full"), "/tickets").status, 303, "elsewhere: sign in first");

    let ada = p.join(&bare, "bare", "ada@alpha.example", Some(&p.customer));
    let home = body_text(&ada.get("/"));
    assert!(ada.signed_in_as("Ada"));
    assert!(!home.contains(r#"href="/tickets""#) && !home.contains(r#"href="/tickets/new""#), "{home}");
    assert!(!home.contains("Submit a support request"), "{home}");
    for path in ["/tickets", "/tickets/1", "/tickets/new", "/tickets/1/files/x", "/equipment", "/reports"] {
        let page = ada.get(path);
        assert_eq!(page.status, 404, "{path}");
        assert!(body_text(&page).contains("Portal bare"), "{path}: the branded page");
    }
    let posted = ada.post_multipart("/tickets/new", &[("subject", "Hello"), ("description", "World")], &[]);
    assert_eq!(posted.status, 404);
    assert_eq!(p.app.sql("SELECT COUNT(*) AS n FROM tickets", Vec::new())[0]["n"], 0);

    // The portal that has the apps works as before.
    let grace = p.join(&full, "full", "grace@alpha.example", Some(&p.customer));
    let home = body_text(&grace.get("/"));
    assert!(home.contains(r#"href="/tickets""#) && home.contains(r#"href="/tickets/new""#), "{home}");
    assert_eq!(grace.get("/tickets").status, 200);
    assert_eq!(grace.get("/tickets/new").status, 200);
    assert_eq!(grace.get("/equipment").status, 404, "equipment is not in this portal");
}

#[test]
fn a_portal_with_tickets_but_no_support_form_hides_the_form_everywhere() {
    let p = provider();
    let portal = p.portal("lookup", Some(&["tickets"]));
    let ada = p.join(&portal, "lookup", "ada@alpha.example", Some(&p.customer));
    let list = ada.get("/tickets");
    assert_eq!(list.status, 200);
    let html = body_text(&list);
    assert!(html.contains(r#"href="/tickets""#), "{html}");
    assert!(!html.contains(r#"href="/tickets/new""#), "neither nav nor the list's button: {html}");
    assert_eq!(ada.get("/tickets/new").status, 404);
}

#[test]
fn changing_a_portals_apps_shows_on_its_very_next_page() {
    let p = provider();
    let portal = p.portal("acme", None);
    let ada = p.join(&portal, "acme", "ada@alpha.example", Some(&p.customer));
    assert!(body_text(&ada.get("/")).contains(r#"href="/tickets""#));
    assert_eq!(ada.get("/tickets").status, 200);
    assert!(p.app.kv_entry(&platform_host("acme")).unwrap().contains(r#""apps":["tickets","support_form"]"#));

    // No clock moves: the isolate's copy and KV's are refreshed by the change itself.
    let (status, body) = p.set_portal_apps(&portal, &[]);
    assert_eq!(status, 200, "{body}");
    assert!(p.app.kv_entry(&platform_host("acme")).unwrap().contains(r#""apps":[]"#));
    let home = body_text(&ada.get("/"));
    assert!(!home.contains(r#"href="/tickets""#), "{home}");
    assert_eq!(ada.get("/tickets").status, 404);

    let (status, body) = p.set_portal_apps(&portal, &["tickets", "support_form"]);
    assert_eq!(status, 200, "{body}");
    assert!(body_text(&ada.get("/")).contains(r#"href="/tickets/new""#));
    assert_eq!(ada.get("/tickets/new").status, 200);

    let entry = &p.app.sql(
        "SELECT before_json, after_json FROM audit_log WHERE action = 'portal.update' ORDER BY seq DESC",
        Vec::new(),
    )[0];
    assert!(entry["before_json"].as_str().unwrap().contains(r#""apps":[]"#), "{entry}");
    assert!(entry["after_json"].as_str().unwrap().contains(r#""apps":["tickets","support_form"]"#), "{entry}");
}

#[test]
fn a_requester_whose_portal_has_no_ticket_pages_is_not_emailed_a_link_to_one() {
    let p = provider();
    let portal = p.portal("acme", None);
    let ada = p.join(&portal, "acme", "ada@alpha.example", Some(&p.customer));
    assert_eq!(ada.get("/tickets/new").status, 200);
    let created = ada.post_multipart("/tickets/new", &[("subject", "Pump"), ("description", "It leaks.")], &[]);
    assert_eq!(created.status, 303, "{}", body_text(&created));
    let ticket = p.app.sql("SELECT id FROM tickets", Vec::new())[0]["id"].as_str().unwrap().to_owned();
    let replies = || {
        p.app.sql("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'ticket_reply'", Vec::new())[0]["n"].as_i64().unwrap()
    };
    let reply = || {
        let (status, body) =
            p.call(Method::Post, &format!("/tickets/{ticket}/messages"), &json!({ "body": "On our way." }));
        assert_eq!(status, 201, "{body}");
    };

    assert_eq!(p.set_portal_apps(&portal, &[]).0, 200);
    reply();
    assert_eq!(replies(), 0, "the link would be a 404");
    assert_eq!(p.set_portal_apps(&portal, &["tickets"]).0, 200);
    reply();
    assert_eq!(replies(), 1);
}
