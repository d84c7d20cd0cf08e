//! What porch sends in a tenant's name, in the console: webhook endpoints added (the secret
//! shown once), turned off and deleted through `app::webhook_endpoints` as the API's
//! `createWebhook`, `updateWebhook` and `deleteWebhook` are, an endpoint's deliveries, and
//! the tenant's emails by status.

use crate::common::{body_text, spawn_app};
use crate::console_staff::{invite, join, version_on};
use porch_core::webhooks::{self, WebhookEvent};
use porch_types::ids::TenantId;
use serde_json::json;

#[test]
fn an_admin_adds_an_endpoint_sees_its_secret_once_turns_it_off_and_deletes_it() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let admin = join(&app, &invite(&app, &key, &tenant, "ad@acme.example", "admin"), "Ad Admin");
    let hooks = format!("/tenants/{tenant}/webhooks");
    let plain = admin.browser.post(&hooks, &[("url", "http://desk.example.test/porch")]);
    assert_eq!(plain.status, 422);
    assert!(
        body_text(&plain).contains("Enter an https:// address") && body_text(&plain).contains("value=\"http://desk")
    );

    let added = admin.browser.post(&hooks, &[("url", "https://desk.example.test/porch")]);
    assert_eq!(added.status, 200);
    let added = body_text(&added);
    assert!(added.contains(r#"id="signing-secret" type="text" value="porch_whsec_"#), "{added}");
    let id = app.sql("SELECT id FROM webhooks", Vec::new())[0]["id"].as_str().unwrap().to_owned();
    let page = body_text(&admin.browser.get(&hooks));
    assert!(!page.contains("porch_whsec_"), "the secret is shown once");

    // An event queued for it is on its deliveries page.
    let event = webhooks::event(
        &app.rt,
        TenantId::parse(&tenant).unwrap(),
        WebhookEvent::TicketCreated,
        &json!({ "id": "t-1" }),
    );
    pollster::block_on(porch_core::store::Database::batch(&app.rt.db, vec![event.unwrap()])).unwrap();
    let deliveries = body_text(&admin.browser.get(&format!("{hooks}/{id}")));
    assert!(deliveries.contains("<code>ticket.created</code>") && deliveries.contains("Waiting"), "{deliveries}");

    let version = version_on(&page, "/switch");
    let off = admin.browser.post(&format!("{hooks}/{id}/switch"), &[("version", &version), ("enabled", "no")]);
    assert_eq!(off.header("location"), Some(format!("{hooks}?done=off").as_str()));
    assert_eq!(app.sql("SELECT enabled FROM webhooks", Vec::new())[0]["enabled"], 0);
    let stale = admin.browser.post(&format!("{hooks}/{id}/delete"), &[("version", &version)]);
    assert_eq!(stale.status, 409, "a form drawn before the change does nothing");
    assert!(body_text(&stale).contains("This endpoint changed after you opened the page"));
    let page = body_text(&admin.browser.get(&format!("{hooks}?done=off")));
    let deleted = admin.browser.post(&format!("{hooks}/{id}/delete"), &[("version", &version_on(&page, "/delete"))]);
    assert_eq!(deleted.header("location"), Some(format!("{hooks}?done=deleted").as_str()));
    assert!(app.sql("SELECT id FROM webhooks", Vec::new()).is_empty());
    let actions = app.sql("SELECT action, actor FROM audit_log WHERE target_type = 'webhook' ORDER BY seq", Vec::new());
    assert_eq!(actions.len(), 3, "{actions:?}");
    assert!(actions.iter().all(|a| a["actor"] == format!("staff:{}", admin.id)));
}

#[test]
fn the_emails_tab_lists_the_tenants_emails_by_status_and_a_viewer_changes_no_endpoint() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let viewer = join(&app, &invite(&app, &key, &tenant, "vi@acme.example", "viewer"), "Vi Viewer");
    let emails = format!("/tenants/{tenant}/emails");
    let page = body_text(&viewer.browser.get(&emails));
    assert!(page.contains("vi@acme.example") && page.contains("<code>staff_invitation</code>"), "{page}");
    let sent = body_text(&viewer.browser.get(&format!("{emails}?status=sent")));
    assert!(sent.contains("No emails match."), "{sent}");
    assert_eq!(viewer.browser.get(&format!("{emails}?status=lost")).status, 400);

    let hooks = format!("/tenants/{tenant}/webhooks");
    let (status, _) = app.api_as(
        Some(&key),
        porch_core::http::Method::Post,
        &format!("/api/v1/tenants/{tenant}/webhooks"),
        &json!({ "url": "https://hooks.example.test/T0/B1/secret-part" }),
    );
    assert_eq!(status, 201);
    let seen = body_text(&viewer.browser.get(&hooks));
    assert!(!seen.contains("Add endpoint") && !seen.contains("secret-part"), "a hook's path may hold a secret: {seen}");
    assert!(seen.contains("https://hooks.example.test/…"), "{seen}");
    assert_eq!(viewer.browser.post(&hooks, &[("url", "https://desk.example.test/porch")]).status, 403);
    assert_eq!(app.sql("SELECT id FROM webhooks", Vec::new()).len(), 1, "the viewer added none");
    let (other, _) = app.new_tenant("globex");
    assert_eq!(viewer.browser.get(&format!("/tenants/{other}/emails")).status, 404);
}
