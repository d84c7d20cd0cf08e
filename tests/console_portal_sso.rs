//! A portal's single sign-on page in the console: what to give each identity provider's
//! admin (the addresses `getSsoConnection` shows), a test sign-in that starts on the
//! portal's own host, the recent events, and deleting a connection through
//! `app::sso_connections::delete`, the rule `deleteSsoConnection` calls.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use crate::common::body_text;
use crate::common::browser::Browser;
use crate::console_staff::{invite, join, version_on};
use crate::sso::{fixture, oidc_connection, HOST};
use porch_core::http::Method;
use serde_json::json;

#[test]
fn an_owner_sees_what_to_give_the_provider_tests_the_sign_in_and_reads_the_events() {
    let f = fixture();
    let id = oidc_connection(&f);
    f.app.execute(
        "INSERT INTO sso_events (id, tenant_id, portal_id, connection_id, at, outcome, code, detail, reference, email)
         VALUES ('00000000-0000-4000-8000-000000000001', ?1, ?2, ?3, 0, 'refused', 'email_not_verified',
                 'the ID Token does not say the email is verified', 'REF-1', 'ada@globex.example')",
        vec![f.tenant.as_str().into(), f.portal.as_str().into(), id.as_str().into()],
    );
    let owner = join(&f.app, &invite(&f.app, &f.key, &f.tenant, "own@acme.example", "owner"), "Own Owner");
    let path = format!("/tenants/{}/portals/{}/sso", f.tenant, f.portal);
    let portal_page = body_text(&owner.browser.get(&format!("/tenants/{}/portals/{}", f.tenant, f.portal)));
    assert!(portal_page.contains(&format!(r#"href="{path}""#)), "the portal's page links to it");
    let page = body_text(&owner.browser.get(&path));
    let callback = format!("http://{HOST}/sso/{id}/callback");
    assert!(page.contains(&format!(r#"value="{callback}" readonly"#)), "the redirect URI to copy: {page}");
    assert!(page.contains(r#"data-copy="connection-0-redirect_uri""#), "{page}");
    assert!(page.contains("email_not_verified") && page.contains("REF-1") && page.contains("Refused"), "{page}");
    let start = format!("http://{HOST}/sso/{id}/start");
    assert!(page.contains(&format!(r#"<a class="button" href="{start}" target="_blank""#)), "{page}");

    // The test sign-in starts on the portal's own host and goes to the provider.
    let visitor = Browser::new(&f.app, HOST);
    let started = visitor.get(&format!("/sso/{id}/start"));
    assert_eq!(started.status, 303);
    assert!(started.header("location").unwrap().starts_with("https://id.globex.example/authorize?"));
}

#[test]
fn an_owner_deletes_a_connection_once_and_a_viewer_or_a_stale_form_deletes_nothing() {
    let f = fixture();
    let id = oidc_connection(&f);
    let path = format!("/tenants/{}/portals/{}/sso", f.tenant, f.portal);
    let delete = format!("{path}/{id}/delete");
    let viewer = join(&f.app, &invite(&f.app, &f.key, &f.tenant, "vi@acme.example", "viewer"), "Vi Viewer");
    let page = body_text(&viewer.browser.get(&path));
    assert!(!page.contains("Delete connection"), "{page}");
    assert_eq!(viewer.browser.post(&delete, &[("version", "1")]).status, 403);

    let owner = join(&f.app, &invite(&f.app, &f.key, &f.tenant, "own@acme.example", "owner"), "Own Owner");
    let version = version_on(&body_text(&owner.browser.get(&path)), "Delete connection");
    let (status, _) = f.app.api_as(
        Some(&f.key),
        Method::Put,
        &format!("/api/v1/tenants/{}/portals/{}/sso-connections/{id}", f.tenant, f.portal),
        &json!({ "name": "Globex IdP, renamed", "protocol": "oidc",
                 "oidc": { "issuer": "https://id.globex.example", "client_id": "porch-acme" } }),
    );
    assert_eq!(status, 200);
    let stale = owner.browser.post(&delete, &[("version", &version)]);
    assert_eq!(stale.status, 409);
    assert!(body_text(&stale).contains("Globex IdP, renamed"), "shown as it now is");
    let version = version_on(&body_text(&stale), "Delete connection");
    let deleted = owner.browser.post(&delete, &[("version", &version)]);
    assert_eq!(deleted.header("location"), Some(format!("{path}?done=deleted").as_str()));
    assert!(body_text(&owner.browser.get(&format!("{path}?done=deleted"))).contains("Connection deleted."));
    assert!(f.app.sql("SELECT id FROM sso_connections", Vec::new()).is_empty());
    let audit = f.app.sql("SELECT actor FROM audit_log WHERE action = 'sso_connection.delete'", Vec::new());
    assert_eq!(audit[0]["actor"], format!("staff:{}", owner.id));
    assert_eq!(owner.browser.post(&delete, &[("version", &version)]).status, 404);

    let (other, other_key) = f.app.new_tenant("other-co");
    let stranger = join(&f.app, &invite(&f.app, &other_key, &other, "st@other.example", "owner"), "St Ranger");
    assert_eq!(stranger.browser.get(&path).status, 404);
}
