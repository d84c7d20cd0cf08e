//! Equipment in the console: the tenant's assets, and an asset shared with a customer from a
//! day, until further notice or a day, and the share stopped, through `app::asset_shares` as
//! `createAssetShare` and `deleteAssetShare` are.

use crate::common::{body_text, spawn_app};
use crate::console_staff::{invite, join};
use porch_core::http::Method;
use serde_json::json;

#[test]
fn an_admin_shares_an_asset_with_a_customer_and_stops_the_share() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let admin = join(&app, &invite(&app, &key, &tenant, "ad@acme.example", "admin"), "Ad Admin");
    let customer = app.new_customer(&key, &tenant, "Globex");
    let put = app.api_as(
        Some(&key),
        Method::Put,
        &format!("/api/v1/tenants/{tenant}/assets/EX-1"),
        &json!({ "name": "Excavator" }),
    );
    assert_eq!(put.0, 201, "{}", put.1);
    let equipment = format!("/tenants/{tenant}/equipment");
    let list = body_text(&admin.browser.get(&equipment));
    assert!(list.contains(&format!(r#"<a href="{equipment}/EX-1">Excavator</a>"#)), "{list}");
    let asset = format!("{equipment}/EX-1");
    let page = body_text(&admin.browser.get(&asset));
    assert!(
        page.contains("Not shared with any customer.") && page.contains(r#"type="date" name="from" value="20"#),
        "{page}"
    );

    let backwards = admin.browser.post(
        &format!("{asset}/shares"),
        &[("customer_id", customer.as_str()), ("from", "2026-03-01"), ("until", "2026-01-01")],
    );
    assert_eq!(backwards.status, 422);
    let backwards = body_text(&backwards);
    assert!(backwards.contains(r##"<a href="#until""##) && backwards.contains(r#"value="2026-03-01""#), "{backwards}");
    assert_eq!(
        admin
            .browser
            .post(&format!("{asset}/shares"), &[("customer_id", ""), ("from", "2026-01-01"), ("until", "")])
            .status,
        422
    );

    let shared = admin
        .browser
        .post(&format!("{asset}/shares"), &[("customer_id", customer.as_str()), ("from", "2026-01-01"), ("until", "")]);
    assert_eq!(shared.header("location"), Some(format!("{asset}?done=shared").as_str()));
    let rows = app.sql("SELECT id, from_at, until_at FROM asset_shares", Vec::new());
    assert_eq!((rows[0]["from_at"].as_i64(), rows[0]["until_at"].is_null()), (Some(1_767_225_600_000), true));
    let page = body_text(&admin.browser.get(&format!("{asset}?done=shared")));
    assert!(
        page.contains("<td data-label=\"Customer\">Globex</td>") && page.contains("Until further notice"),
        "{page}"
    );
    let audit = app.sql("SELECT actor FROM audit_log WHERE target_type = 'asset_share'", Vec::new());
    assert_eq!(audit[0]["actor"], format!("staff:{}", admin.id));

    let share = rows[0]["id"].as_str().unwrap();
    let stopped = admin.browser.post(&format!("{asset}/shares/{share}/remove"), &[]);
    assert_eq!(stopped.header("location"), Some(format!("{asset}?done=stopped").as_str()));
    assert!(app.sql("SELECT id FROM asset_shares", Vec::new()).is_empty());

    let viewer = join(&app, &invite(&app, &key, &tenant, "vi@acme.example", "viewer"), "Vi Viewer");
    assert!(!body_text(&viewer.browser.get(&asset)).contains("Share with a customer"));
    let sent = viewer
        .browser
        .post(&format!("{asset}/shares"), &[("customer_id", customer.as_str()), ("from", "2026-01-01"), ("until", "")]);
    assert_eq!(sent.status, 403);
    let (other, _) = app.new_tenant("globex");
    assert_eq!(admin.browser.get(&format!("/tenants/{other}/equipment/EX-1")).status, 404);
    assert_eq!(admin.browser.get(&format!("{equipment}/NOPE-9")).status, 404);
}
