//! A tenant's audit log in the console: its changes newest first with who made them (a
//! person, a key, the platform) in words, filtered by who and what, 50 a page.

use crate::common::{body_text, spawn_app};
use crate::console_staff::{invite, join};
use porch_core::http::Method;
use serde_json::json;

#[test]
fn the_audit_log_names_who_changed_what_filters_by_both_and_pages_back() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let admin = join(&app, &invite(&app, &key, &tenant, "ad@acme.example", "admin"), "Ad Admin");
    assert_eq!(admin.browser.post(&format!("/tenants/{tenant}/customers"), &[("name", "Globex")]).status, 303);
    for n in 0..55 {
        let (status, _) = app.api_as(
            Some(&key),
            Method::Post,
            &format!("/api/v1/tenants/{tenant}/customers"),
            &json!({ "name": format!("Customer {n:02}") }),
        );
        assert_eq!(status, 201);
    }
    let audit = format!("/tenants/{tenant}/audit");
    let page = body_text(&admin.browser.get(&audit));
    assert!(page.contains("API key “ci”"), "a key's changes are under its name: {page}");
    assert!(page.contains("<code>customer.create</code>") && page.contains("Older changes"), "{page}");
    assert_eq!(page.matches("<tr>").count(), 51, "a header and 50 entries: {page}");

    let mine = body_text(&admin.browser.get(&format!("{audit}?who=staff:{}&what=customer", admin.id)));
    assert_eq!(mine.matches("<code>customer.create</code>").count(), 1, "{mine}");
    assert!(mine.contains("<td data-label=\"Who\">Ad Admin</td>") && !mine.contains("Older changes"), "{mine}");
    assert!(mine.contains("Before and after") && mine.contains("&quot;name&quot;: &quot;Globex&quot;"), "{mine}");

    let from = page.find("before=").unwrap() + "before=".len();
    let cursor: String = page[from..].chars().take_while(char::is_ascii_digit).collect();
    let older = body_text(&admin.browser.get(&format!("{audit}?who=&what=&before={cursor}")));
    assert!(older.contains("Newest changes") && older.contains("Customer 0"), "{older}");
    assert_eq!(admin.browser.get(&format!("{audit}?before=soon")).status, 400);

    let viewer = join(&app, &invite(&app, &key, &tenant, "vi@acme.example", "viewer"), "Vi Viewer");
    assert_eq!(viewer.browser.get(&audit).status, 200, "everyone of the tenant may read its log");
    let (other, _) = app.new_tenant("globex");
    assert_eq!(admin.browser.get(&format!("/tenants/{other}/audit")).status, 404);
}

#[test]
fn the_audit_log_names_neither_the_operator_nor_a_parent_tenants_key_to_a_tenant() {
    let app = spawn_app();
    let (parent, parent_key) = app.new_tenant("group-co");
    let (tenant, key) = app.new_tenant_with(&json!({ "slug": "acme-co", "name": "Acme", "parent_id": parent }));
    let theme = app.new_theme(&key, &tenant, "Acme look", &crate::common::good_colors());
    let (status, _) = app.api_as(
        Some(&parent_key),
        Method::Patch,
        &format!("/api/v1/tenants/{tenant}/themes/{theme}"),
        &json!({ "name": "Group look" }),
    );
    assert_eq!(status, 200, "a parent's key changes its child's themes");
    let op = crate::console::operator(&app);
    assert_eq!(op.browser.post(&format!("/tenants/{tenant}/customers"), &[("name", "Globex")]).status, 303);
    let admin = join(&app, &invite(&app, &key, &tenant, "ad@acme.example", "admin"), "Ad Admin");
    let page = body_text(&admin.browser.get(&format!("/tenants/{tenant}/audit")));
    assert!(page.contains(r#"<td data-label="Who">An API key of your organisation</td>"#), "{page}");
    assert!(page.contains(r#"<td data-label="Who">The platform's operator</td>"#), "{page}");
    assert!(!page.contains("Olga Ops"), "the operator's own name stays theirs: {page}");
}
