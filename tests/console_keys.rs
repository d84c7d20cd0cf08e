//! A tenant's API keys in the console: created (the secret shown once) and revoked by its
//! owners through `app::api_keys`, as `createKey` and `revokeKey` are; admins and the rest
//! only see them, since a key acts with an owner's reach.

use crate::common::{body_text, spawn_app};
use crate::console_staff::{invite, join};
use porch_core::http::Method;
use serde_json::Value;

#[test]
fn an_owner_makes_a_key_that_works_sees_its_secret_once_and_revokes_it() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let owner = join(&app, &invite(&app, &key, &tenant, "own@acme.example", "owner"), "Own Owner");
    let keys = format!("/tenants/{tenant}/keys");
    let empty = owner.browser.post(&keys, &[("name", "  ")]);
    assert_eq!(empty.status, 422);
    assert!(body_text(&empty).contains(r##"<a href="#name">Enter a name</a>"##));

    let made = owner.browser.post(&keys, &[("name", "ERP sync")]);
    assert_eq!(made.status, 200);
    let made = body_text(&made);
    let from = made.find(r#"id="secret-key" type="text" value=""#).expect("the secret is shown")
        + r#"id="secret-key" type="text" value=""#.len();
    let secret = made[from..].split('"').next().unwrap().to_owned();
    assert!(secret.starts_with("porch_sk_"), "{secret}");
    let customers = format!("/api/v1/tenants/{tenant}/customers");
    assert_eq!(app.api_as(Some(&secret), Method::Get, &customers, &Value::Null).0, 200, "the key works");
    let audit = app.sql("SELECT actor FROM audit_log WHERE action = 'api_key.create'", Vec::new());
    assert_eq!(audit.last().unwrap()["actor"], format!("staff:{}", owner.id));
    let page = body_text(&owner.browser.get(&keys));
    assert!(page.contains("ERP sync") && !page.contains(&secret), "the secret is shown once: {page}");

    let id =
        app.sql("SELECT id FROM api_keys WHERE name = 'ERP sync'", Vec::new())[0]["id"].as_str().unwrap().to_owned();
    let revoked = owner.browser.post(&format!("{keys}/{id}/revoke"), &[]);
    assert_eq!(revoked.header("location"), Some(format!("{keys}?done=revoked").as_str()));
    assert_eq!(app.api_as(Some(&secret), Method::Get, &customers, &Value::Null).0, 401, "a revoked key is refused");
    assert!(body_text(&owner.browser.get(&format!("{keys}?done=revoked"))).contains("Revoked"));
}

#[test]
fn an_admin_only_sees_the_keys_and_another_tenants_key_is_not_found() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let admin = join(&app, &invite(&app, &key, &tenant, "ad@acme.example", "admin"), "Ad Admin");
    let keys = format!("/tenants/{tenant}/keys");
    let page = body_text(&admin.browser.get(&keys));
    assert!(page.contains("Only the tenant&#39;s owners") || page.contains("Only the tenant's owners"), "{page}");
    assert!(!page.contains("Create key") && !page.contains("/revoke"), "{page}");
    assert_eq!(admin.browser.post(&keys, &[("name", "Mine")]).status, 403, "a key would act with an owner's reach");
    let ci = app.sql("SELECT id FROM api_keys", Vec::new())[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(admin.browser.post(&format!("{keys}/{ci}/revoke"), &[]).status, 403);
    assert!(app.sql("SELECT id FROM api_keys WHERE revoked_at IS NOT NULL OR name = 'Mine'", Vec::new()).is_empty());

    let owner = join(&app, &invite(&app, &key, &tenant, "own@acme.example", "owner"), "Own Owner");
    let (other, _) = app.new_tenant("globex");
    let theirs = app.sql("SELECT id FROM api_keys WHERE tenant_id = ?1", vec![other.clone().into()])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(owner.browser.post(&format!("{keys}/{theirs}/revoke"), &[]).status, 404);
    assert_eq!(owner.browser.get(&format!("/tenants/{other}/keys")).status, 404);
    assert!(app.sql("SELECT id FROM api_keys WHERE revoked_at IS NOT NULL", Vec::new()).is_empty());
}
