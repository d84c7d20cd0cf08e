//! Templates in the console: created, changed and rolled back through `app::templates` as
//! `createTemplate`, `replaceTemplate` and `rollbackTemplate` are, each change that reaches
//! portals following the template held back, naming them, until confirmed.

use crate::common::{body_text, spawn_app};
use crate::console_staff::{invite, join, version_on};
use serde_json::json;

#[test]
fn an_admin_makes_a_template_changes_it_for_its_portals_once_confirmed_and_rolls_it_back() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let admin = join(&app, &invite(&app, &key, &tenant, "ad@acme.example", "admin"), "Ad Admin");
    let templates = format!("/tenants/{tenant}/templates");
    assert!(body_text(&admin.browser.get(&templates)).contains("No templates yet"));
    let new = body_text(&admin.browser.get(&format!("{templates}/new")));
    assert!(new.contains(r#"name="app-tickets" value="yes" checked"#), "the default apps: {new}");
    let made = admin.browser.post(
        &templates,
        &[
            ("name", "Service"),
            ("description", "Tickets and documents"),
            ("is_default", "yes"),
            ("app-tickets", "yes"),
            ("app-documents", "yes"),
            ("theme", ""),
            ("start", "/documents"),
        ],
    );
    assert_eq!(made.status, 303, "{}", body_text(&made));
    let path = made.header("location").unwrap().split('?').next().unwrap().to_owned();
    let page = body_text(&admin.browser.get(&format!("{path}?done=created")));
    assert!(
        page.contains("Template created.")
            && page.contains(r#"id="is_default" type="checkbox" name="is_default" value="yes" checked"#),
        "{page}"
    );
    let template = path.rsplit('/').next().unwrap().to_owned();
    let audit = app.sql("SELECT actor FROM audit_log WHERE action = 'template.create'", Vec::new());
    assert_eq!(audit[0]["actor"], format!("staff:{}", admin.id));

    // A portal follows it; taking Documents away reaches that portal, so it waits.
    app.new_portal(&key, &tenant, &json!({ "slug": "globex", "name": "Globex Help", "template_id": template }));
    let page = body_text(&admin.browser.get(&path));
    let version = version_on(&page, "");
    let change = |confirm: bool| {
        let mut fields = vec![
            ("version", version.as_str()),
            ("name", "Service"),
            ("description", "Tickets only"),
            ("is_default", "yes"),
            ("app-tickets", "yes"),
            ("theme", ""),
            ("start", "/tickets"),
        ];
        if confirm {
            fields.push(("confirm", "yes"));
        }
        admin.browser.post(&path, &fields)
    };
    let held = change(false);
    assert_eq!(held.status, 409);
    let held = body_text(&held);
    assert!(
        held.contains("Nothing is saved yet")
            && held.contains("<li>Globex Help</li>")
            && held.contains("Change all 1 portals"),
        "{held}"
    );
    assert!(!held.contains(r#"name="app-documents" value="yes" checked"#), "the draft is kept: {held}");
    assert_eq!(change(true).status, 303);
    let apps = app.sql("SELECT app FROM portal_apps ORDER BY app", Vec::new());
    assert_eq!(apps.len(), 1, "the portal follows the change: {apps:?}");

    // Version 1 back, as version 3, once confirmed.
    let rollback = format!("{path}/rollback");
    let held = admin.browser.post(&rollback, &[("version", "1")]);
    assert_eq!(held.status, 409);
    assert!(body_text(&held).contains("Change all 1 portals"));
    let done = admin.browser.post(&rollback, &[("version", "1"), ("confirm", "yes")]);
    assert_eq!(done.header("location"), Some(format!("{path}?done=rolled-back").as_str()));
    let back = app.sql("SELECT current_version FROM templates", Vec::new());
    assert_eq!(back[0]["current_version"], 3);
    assert_eq!(app.sql("SELECT app FROM portal_apps", Vec::new()).len(), 2);
}

#[test]
fn a_viewer_only_reads_templates_and_another_tenants_template_is_not_found() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let (_, made) = app.api_as(
        Some(&key),
        porch_core::http::Method::Post,
        &format!("/api/v1/tenants/{tenant}/templates"),
        &json!({ "name": "Service" }),
    );
    let template = made["template"]["id"].as_str().unwrap().to_owned();
    let viewer = join(&app, &invite(&app, &key, &tenant, "vi@acme.example", "viewer"), "Vi Viewer");
    let page = body_text(&viewer.browser.get(&format!("/tenants/{tenant}/templates/{template}")));
    assert!(page.contains("<fieldset class=\"stack\" disabled>") && !page.contains("Save template"), "{page}");
    let sent =
        viewer.browser.post(&format!("/tenants/{tenant}/templates/{template}"), &[("version", "1"), ("name", "Mine")]);
    assert_eq!(sent.status, 403);
    assert_eq!(viewer.browser.get(&format!("/tenants/{tenant}/templates/new")).status, 403);

    let admin = join(&app, &invite(&app, &key, &tenant, "ad@acme.example", "admin"), "Ad Admin");
    let (other, other_key) = app.new_tenant("globex");
    let (_, theirs) = app.api_as(
        Some(&other_key),
        porch_core::http::Method::Post,
        &format!("/api/v1/tenants/{other}/templates"),
        &json!({ "name": "Theirs" }),
    );
    let theirs = theirs["template"]["id"].as_str().unwrap().to_owned();
    assert_eq!(admin.browser.get(&format!("/tenants/{tenant}/templates/{theirs}")).status, 404);
    assert_eq!(
        admin.browser.post(&format!("/tenants/{tenant}/templates/{theirs}/rollback"), &[("version", "1")]).status,
        404
    );
    assert_eq!(app.sql("SELECT name FROM templates WHERE name = 'Mine'", Vec::new()).len(), 0);
}

#[test]
fn a_template_no_portal_follows_is_deleted_and_one_followed_is_kept_naming_its_portals() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let template = |name: &str| {
        let (_, made) = app.api_as(
            Some(&key),
            porch_core::http::Method::Post,
            &format!("/api/v1/tenants/{tenant}/templates"),
            &json!({ "name": name, "apps": ["tickets"] }),
        );
        made["template"]["id"].as_str().unwrap().to_owned()
    };
    let (spare, followed) = (template("Spare"), template("Service"));
    app.new_portal(&key, &tenant, &json!({ "slug": "acme-help", "name": "Acme Help", "template_id": followed }));
    let admin = join(&app, &invite(&app, &key, &tenant, "ad@acme.example", "admin"), "Ad Admin");
    let page = |id: &str| body_text(&admin.browser.get(&format!("/tenants/{tenant}/templates/{id}")));
    let kept = page(&followed);
    assert!(kept.contains("Portals follow this template") && !kept.contains("Delete Service"), "{kept}");
    let version = version_on(&kept, "");
    let refused =
        admin.browser.post(&format!("/tenants/{tenant}/templates/{followed}/delete"), &[("version", version.as_str())]);
    assert_eq!(refused.status, 409);
    assert!(body_text(&refused).contains("portals still follow this template: acme-help"), "{}", body_text(&refused));

    let version = version_on(&page(&spare), "Delete template");
    let deleted =
        admin.browser.post(&format!("/tenants/{tenant}/templates/{spare}/delete"), &[("version", version.as_str())]);
    assert_eq!(deleted.header("location"), Some(format!("/tenants/{tenant}/templates?done=deleted").as_str()));
    let list = body_text(&admin.browser.get(&format!("/tenants/{tenant}/templates?done=deleted")));
    assert!(list.contains("Template deleted.") && !list.contains("Spare"), "{list}");
    let audit = app.sql("SELECT actor FROM audit_log WHERE action = 'template.delete'", Vec::new());
    assert_eq!(audit, vec![json!({ "actor": format!("staff:{}", admin.id) })]);
}

#[test]
fn the_template_editor_sets_the_menus_order_and_own_links_as_a_portals_set_up_page_does() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let admin = join(&app, &invite(&app, &key, &tenant, "ad@acme.example", "admin"), "Ad Admin");
    let create = |link: &str| {
        admin.browser.post(
            &format!("/tenants/{tenant}/templates"),
            &[
                ("name", "Service"),
                ("app-tickets", "yes"),
                ("app-documents", "yes"),
                ("start", "/"),
                ("order-tickets", "2"),
                ("order-documents", "1"),
                ("link-0-url", link),
                ("link-0-label-en", "Status"),
            ],
        )
    };
    let made = create("http://plain.example.com/");
    assert_eq!(made.status, 422, "a link that is not https is refused");
    let page = body_text(&made);
    assert!(page.contains(r##"<a href="#link-0-url">must be an absolute https:// URL</a>"##), "{page}");
    assert!(page.contains(r#"value="Status""#), "what was typed is kept");
    let made = create("https://status.example.com/");
    assert_eq!(made.status, 303, "{}", body_text(&made));
    let (_, listed) = app.api_as(
        Some(&key),
        porch_core::http::Method::Get,
        &format!("/api/v1/tenants/{tenant}/templates"),
        &json!(null),
    );
    let template = &listed["templates"][0];
    assert_eq!(template["navigation"], json!(["documents", "tickets"]), "{listed}");
    let id = template["id"].as_str().unwrap();
    let page = body_text(&admin.browser.get(&format!("/tenants/{tenant}/templates/{id}")));
    assert!(
        page.contains(r#"<td data-label="Theme">Porch's standard look</td><td data-label="Start page">The portal's home page</td>"#),
        "each version says its theme and start page: {page}"
    );
    assert_eq!(template["nav_links"], json!([{ "url": "https://status.example.com/", "labels": { "en": "Status" } }]));
}
