//! A portal's set-up in the console after the wizard, through `app::portal_settings` as
//! `updatePortal`: apps, theme, start page, the menu's order and the provider's own links
//! are saved at once; a refused form keeps what was typed and points at the row; a portal
//! that follows a template shows its set-up read only and refuses a change.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use crate::common::{body_text, good_colors, spawn_app, TestApp};
use crate::console_staff::{invite, join, version_on, Staffer};
use porch_core::http::Method;
use serde_json::json;

struct Provider<'a> {
    app: &'a TestApp,
    tenant: String,
    key: String,
    owner: Staffer<'a>,
}

fn provider(app: &TestApp) -> Provider<'_> {
    let (tenant, key) = app.new_tenant("acme-co");
    let owner = join(app, &invite(app, &key, &tenant, "own@acme.example", "owner"), "Own Owner");
    Provider { app, tenant, key, owner }
}

impl Provider<'_> {
    fn portal(&self, id: &str) -> serde_json::Value {
        let path = format!("/api/v1/tenants/{}/portals/{id}", self.tenant);
        let (status, body) = self.app.api_as(Some(&self.key), Method::Get, &path, &json!(null));
        assert_eq!(status, 200, "{body}");
        body["portal"].clone()
    }

    fn setup(&self, id: &str) -> String {
        format!("/tenants/{}/portals/{id}/setup", self.tenant)
    }
}

#[test]
fn an_owner_changes_a_portals_apps_theme_start_page_menu_and_links_in_one_save() {
    let app = spawn_app();
    let p = provider(&app);
    let theme = app.new_theme(&p.key, &p.tenant, "Brand", &good_colors());
    let id = app.new_portal(
        &p.key,
        &p.tenant,
        &json!({ "slug": "acme", "name": "Acme", "setup": "custom", "apps": ["tickets", "documents"] }),
    );
    let portal_page = body_text(&p.owner.browser.get(&format!("/tenants/{}/portals/{id}", p.tenant)));
    assert!(portal_page.contains(&format!(r#"href="{}""#, p.setup(&id))), "the portal's page links to it");
    let page = body_text(&p.owner.browser.get(&p.setup(&id)));
    assert!(page.contains(r#"name="app-tickets" value="yes" checked"#), "{page}");
    let version = version_on(&page, "");
    let saved = p.owner.browser.post(
        &p.setup(&id),
        &[
            ("version", version.as_str()),
            ("app-tickets", "yes"),
            ("app-documents", "yes"),
            ("theme", &theme),
            ("start", "/documents"),
            ("order-tickets", "2"),
            ("order-documents", "1"),
            ("link-0-url", "https://status.example.com/"),
            ("link-0-label-en", "Status"),
            ("link-0-label-da", "Driftsstatus"),
            ("link-1-url", ""),
            ("link-1-label-en", "no address: no link"),
        ],
    );
    assert_eq!(saved.status, 303, "{}", body_text(&saved));
    assert_eq!(saved.header("location"), Some(format!("{}?done=saved", p.setup(&id)).as_str()));
    let portal = p.portal(&id);
    assert_eq!(portal["apps"], json!(["tickets", "documents"]));
    assert_eq!(portal["theme_id"], theme);
    assert_eq!(portal["start_page"], "/documents");
    assert_eq!(portal["navigation"], json!(["documents", "tickets"]));
    assert_eq!(
        portal["nav_links"],
        json!([{ "url": "https://status.example.com/", "labels": { "en": "Status", "da": "Driftsstatus" } }])
    );
    let audit = app.sql("SELECT actor FROM audit_log WHERE action = 'portal.update'", Vec::new());
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["actor"], format!("staff:{}", p.owner.id));
    let again = body_text(&p.owner.browser.get(&format!("{}?done=saved", p.setup(&id))));
    assert!(again.contains("Set-up saved.") && again.contains(r#"value="Driftsstatus""#), "{again}");
}

#[test]
fn a_refused_set_up_keeps_what_was_typed_points_at_the_link_and_changes_nothing() {
    let app = spawn_app();
    let p = provider(&app);
    let id = app.new_portal(&p.key, &p.tenant, &json!({ "slug": "acme", "name": "Acme", "setup": "custom" }));
    let before = p.portal(&id);
    let version = version_on(&body_text(&p.owner.browser.get(&p.setup(&id))), "");
    let refused = p.owner.browser.post(
        &p.setup(&id),
        &[
            ("version", version.as_str()),
            ("app-tickets", "yes"),
            ("order-tickets", "first"),
            ("link-0-url", "http://plain.example.com/"),
            ("link-0-label-nb", "Vanlig"),
        ],
    );
    assert_eq!(refused.status, 422);
    let page = body_text(&refused);
    assert!(page.contains(r##"<a href="#navigation">Enter a whole number</a>"##), "{page}");
    let version = version_on(&page, "");
    let refused = p.owner.browser.post(
        &p.setup(&id),
        &[
            ("version", version.as_str()),
            ("app-tickets", "yes"),
            ("link-0-url", "http://plain.example.com/"),
            ("link-0-label-nb", "Vanlig"),
        ],
    );
    assert_eq!(refused.status, 422);
    let page = body_text(&refused);
    assert!(page.contains(r##"<a href="#link-0-url">must be an absolute https:// URL</a>"##), "{page}");
    assert!(page.contains(r#"value="http://plain.example.com/""#) && page.contains(r#"value="Vanlig""#), "{page}");
    assert_eq!(p.portal(&id), before);
}

#[test]
fn a_portal_that_follows_a_template_shows_its_set_up_read_only_and_refuses_a_change() {
    let app = spawn_app();
    let p = provider(&app);
    let (status, created) = app.api_as(
        Some(&p.key),
        Method::Post,
        &format!("/api/v1/tenants/{}/templates", p.tenant),
        &json!({ "name": "Service", "apps": ["tickets"] }),
    );
    assert_eq!(status, 201, "{created}");
    let template = created["template"]["id"].as_str().unwrap().to_owned();
    let id = app.new_portal(&p.key, &p.tenant, &json!({ "slug": "acme", "name": "Acme", "template_id": template }));
    let page = body_text(&p.owner.browser.get(&p.setup(&id)));
    assert!(page.contains(&format!(r#"href="/tenants/{}/templates/{template}""#, p.tenant)), "{page}");
    assert!(page.contains("<fieldset class=\"stack\" disabled>") && !page.contains("Save set-up"), "{page}");
    let before = p.portal(&id);
    let version = version_on(&page, "");
    let refused = p.owner.browser.post(&p.setup(&id), &[("version", version.as_str()), ("app-documents", "yes")]);
    assert_eq!(refused.status, 409, "{}", body_text(&refused));
    assert!(body_text(&refused).contains("come from the template"), "{}", body_text(&refused));
    assert_eq!(p.portal(&id), before);
}
