//! A tenant's own settings in the console, through `app::tenant_settings` as `updateTenant`:
//! its owners and admins rename it and require one portal per customer; only the operator
//! changes its plan, and a plan that would take an app from a portal is refused naming it.

use crate::common::{body_text, spawn_app};
use crate::console::operator;
use crate::console_staff::{invite, join, version_on};
use serde_json::json;

#[test]
fn an_owner_renames_the_tenant_and_requires_one_portal_per_customer_but_never_sets_the_plan() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let owner = join(&app, &invite(&app, &key, &tenant, "own@acme.example", "owner"), "Own Owner");
    let settings = format!("/tenants/{tenant}/settings");
    let page = body_text(&owner.browser.get(&settings));
    assert!(!page.contains(r#"name="app-tickets""#) && page.contains("operator set them"), "{page}");
    let version = version_on(&page, "");
    let saved = owner.browser.post(
        &settings,
        &[("version", &version), ("name", "Acme Group"), ("one_portal", "yes"), ("app-tickets", "yes")],
    );
    assert_eq!(saved.header("location"), Some(format!("{settings}?done=saved").as_str()));
    let row = app.sql("SELECT name, one_portal_per_customer FROM tenants WHERE id = ?1", vec![tenant.clone().into()]);
    assert_eq!((row[0]["name"].as_str(), row[0]["one_portal_per_customer"].as_i64()), (Some("Acme Group"), Some(1)));
    let plan = app.sql("SELECT app FROM tenant_plan_apps WHERE tenant_id = ?1", vec![tenant.clone().into()]);
    assert_eq!(plan.len(), 6, "the plan is not the owner's to set: {plan:?}");
    let audit = app.sql("SELECT actor FROM audit_log WHERE action = 'tenant.update'", Vec::new());
    assert_eq!(audit[0]["actor"], format!("staff:{}", owner.id));
    let stale = owner.browser.post(&settings, &[("version", &version), ("name", "Acme Again"), ("one_portal", "yes")]);
    assert_eq!(stale.status, 409);
    assert!(
        body_text(&stale).contains("Someone changed these settings")
            && body_text(&stale).contains(r#"value="Acme Group""#)
    );

    let viewer = join(&app, &invite(&app, &key, &tenant, "vi@acme.example", "viewer"), "Vi Viewer");
    let page = body_text(&viewer.browser.get(&settings));
    assert!(page.contains("<fieldset class=\"stack\" disabled>"), "{page}");
    let version = version_on(&page, "");
    assert_eq!(viewer.browser.post(&settings, &[("version", &version), ("name", "Mine")]).status, 403);
}

#[test]
fn the_operator_narrows_a_plan_only_below_what_portals_offer() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    app.new_portal(
        &key,
        &tenant,
        &json!({ "slug": "acme-help", "name": "Acme Help", "apps": ["tickets", "documents"] }),
    );
    let op = operator(&app);
    let settings = format!("/tenants/{tenant}/settings");
    let page = body_text(&op.browser.get(&settings));
    assert!(page.contains(r#"name="app-tickets" value="yes" checked"#), "{page}");
    let version = version_on(&page, "");
    let refused =
        op.browser.post(&settings, &[("version", &version), ("name", "Tenant acme-co"), ("app-tickets", "yes")]);
    assert_eq!(refused.status, 409);
    assert!(body_text(&refused).contains("documents is offered by acme-help (Acme Help)"), "{}", body_text(&refused));
    let narrowed = op.browser.post(
        &settings,
        &[("version", &version), ("name", "Tenant acme-co"), ("app-tickets", "yes"), ("app-documents", "yes")],
    );
    assert_eq!(narrowed.status, 303, "{}", body_text(&narrowed));
    let plan = app.sql("SELECT app FROM tenant_plan_apps WHERE tenant_id = ?1 ORDER BY app", vec![tenant.into()]);
    assert_eq!(plan, vec![json!({ "app": "documents" }), json!({ "app": "tickets" })]);
}

#[test]
fn a_tenant_key_setting_its_plan_is_refused_before_its_if_match_or_fields_are_read() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let req = porch_core::http::Request::new(porch_core::http::Method::Patch, &format!("/api/v1/tenants/{tenant}"))
        .with_header("authorization", &format!("Bearer {key}"))
        .with_header("content-type", "application/json")
        .with_header("if-match", "not a tag")
        .with_body(json!({ "plan_apps": ["nonsense"] }).to_string());
    assert_eq!(app.send(req).status, 403);
}
