//! A customer in the console: added from the Customers tab, its profile (business units,
//! its own portals, its people, the equipment shared with it), a business unit added, each
//! through `app::customers` as `createCustomer` and `createUnit` are.

use crate::common::{body_text, spawn_app};
use crate::console_staff::{invite, join};
use porch_core::http::Method;
use serde_json::{json, Value};

#[test]
fn an_admin_adds_a_customer_and_its_business_unit_and_its_profile_lists_its_portals_people_and_equipment() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let admin = join(&app, &invite(&app, &key, &tenant, "ad@acme.example", "admin"), "Ad Admin");
    let added = admin.browser.post(&format!("/tenants/{tenant}/customers"), &[("name", "  Globex A/S ")]);
    assert_eq!(added.status, 303, "{}", body_text(&added));
    let profile = added.header("location").unwrap().to_owned();
    assert!(profile.ends_with("?done=created"), "{profile}");
    let page = body_text(&admin.browser.get(&profile));
    assert!(page.contains("<h2>Globex A/S</h2>") && page.contains("Customer added."), "{page}");
    let customer =
        app.sql("SELECT id FROM customers WHERE name = 'Globex A/S'", Vec::new())[0]["id"].as_str().unwrap().to_owned();
    let audit = app.sql("SELECT actor FROM audit_log WHERE action = 'customer.create'", Vec::new());
    assert_eq!(audit[0]["actor"], format!("staff:{}", admin.id));

    let unit = admin.browser.post(&format!("/tenants/{tenant}/customers/{customer}/units"), &[("name", "North")]);
    assert_eq!(unit.header("location"), Some(format!("/tenants/{tenant}/customers/{customer}?done=unit").as_str()));
    let (_, units) = app.api_as(
        Some(&key),
        Method::Get,
        &format!("/api/v1/tenants/{tenant}/customers/{customer}/units"),
        &Value::Null,
    );
    assert_eq!(units["business_units"][0]["name"], "North");

    // Its own portal, a person on it, and an asset shared with it.
    let portal = app.new_portal(
        &key,
        &tenant,
        &json!({ "slug": "globex-help", "name": "Globex Help", "customer_id": customer }),
    );
    crate::common::join(&app, &key, &tenant, &portal, "globex-help", "ann@globex.example", Some(&customer));
    let asset = format!("/api/v1/tenants/{tenant}/assets/EX-1");
    assert_eq!(app.api_as(Some(&key), Method::Put, &asset, &json!({ "name": "Excavator" })).0, 201);
    let share = json!({ "customer_id": customer, "from": "2026-01-01T00:00:00Z" });
    assert_eq!(app.api_as(Some(&key), Method::Post, &format!("{asset}/shares"), &share).0, 201);

    let page = body_text(&admin.browser.get(&format!("/tenants/{tenant}/customers/{customer}")));
    for shown in [
        "<li>North</li>",
        "Globex Help",
        "<td data-label=\"Name\">Ada</td>",
        "ann@globex.example",
        "Excavator",
        "<code>EX-1</code>",
        "Until further notice",
    ] {
        assert!(page.contains(shown), "{shown}: {page}");
    }
}

#[test]
fn a_name_is_required_a_viewer_adds_nothing_and_another_tenants_customer_is_not_found() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let admin = join(&app, &invite(&app, &key, &tenant, "ad@acme.example", "admin"), "Ad Admin");
    let refused = admin.browser.post(&format!("/tenants/{tenant}/customers"), &[("name", "   ")]);
    assert_eq!(refused.status, 422);
    assert!(body_text(&refused).contains(r##"<a href="#name">Enter a name</a>"##), "{}", body_text(&refused));
    let long = "x".repeat(121);
    let refused = body_text(&admin.browser.post(&format!("/tenants/{tenant}/customers"), &[("name", &long)]));
    assert!(refused.contains("Enter a name of at most 120 characters") && refused.contains(&long), "{refused}");
    app.new_customer(&key, &tenant, "Initech");
    let taken = admin.browser.post(&format!("/tenants/{tenant}/customers"), &[("name", "Initech")]);
    assert_eq!(taken.status, 422, "a name taken is named beside the field, not a bare error page");
    let taken = body_text(&taken);
    assert!(
        taken.contains("There is already a customer of this name") && taken.contains(r#"value="Initech""#),
        "{taken}"
    );
    let viewer = join(&app, &invite(&app, &key, &tenant, "vi@acme.example", "viewer"), "Vi Viewer");
    let list = body_text(&viewer.browser.get(&format!("/tenants/{tenant}")));
    assert!(!list.contains("Add a customer"), "{list}");
    assert_eq!(viewer.browser.post(&format!("/tenants/{tenant}/customers"), &[("name", "Initrode")]).status, 403);
    assert_eq!(app.sql("SELECT id FROM customers", Vec::new()).len(), 1, "nothing was added");

    let (other, other_key) = app.new_tenant("globex");
    let theirs = app.new_customer(&other_key, &other, "Theirs");
    assert_eq!(admin.browser.get(&format!("/tenants/{tenant}/customers/{theirs}")).status, 404);
    assert_eq!(admin.browser.get(&format!("/tenants/{other}/customers/{theirs}")).status, 404);
    let sent = admin.browser.post(&format!("/tenants/{tenant}/customers/{theirs}/units"), &[("name", "Sneaky")]);
    assert_eq!(sent.status, 404, "a unit cannot be added to another tenant's customer");
    assert!(app.sql("SELECT id FROM business_units", Vec::new()).is_empty());
}
