//! Input that only looks harmless: names with characters that change how text displays,
//! photos that are a signature and nothing more, forms that give one field twice.

use crate::common;

use common::browser::Browser;
use common::{body_text, error_fields, multipart_body, provider, spawn_app, Provider};
use porch_core::http::{Method, Request};
use serde_json::json;

/// U+202E RIGHT-TO-LEFT OVERRIDE: "Acme" then this shows `exe.pdf` as `fdp.exe`.
const RLO: char = '\u{202E}';

#[test]
fn an_api_name_with_a_right_to_left_override_is_a_field_error_and_nothing_is_made() {
    let p = provider();
    let audit_before = p.app.audit_count();
    let (status, body) = p.call(Method::Post, "/customers", &json!({ "name": format!("Acme{RLO}fdp.exe") }));
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), vec!["name"]);
    assert_eq!(
        body["error"]["fields"][0]["message"],
        "must not contain invisible formatting characters such as U+202E"
    );
    // A zero-width space hides in a name just as well.
    let (status, _) = p.call(Method::Post, "/customers", &json!({ "name": "Ac\u{200B}me" }));
    assert_eq!(status, 422);
    assert_eq!(p.app.audit_count(), audit_before, "nothing changed");
    // Scripts that need a joiner keep it.
    let (status, body) = p.call(Method::Post, "/customers", &json!({ "name": "می\u{200C}خواهم" }));
    assert_eq!(status, 201, "{body}");
}

#[test]
fn prose_refuses_a_bidi_override_but_keeps_the_marks_mixed_direction_text_needs() {
    let p = provider();
    let portal = p.app.new_portal(&p.key, &p.tenant, &json!({ "slug": "prose", "name": "Prose" }));
    let path = format!("/portals/{portal}");
    let (status, body) = p.call(Method::Patch, &path, &json!({ "terms_text": format!("Be kind.{RLO} Or not.") }));
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), vec!["terms_text"]);
    let (status, body) = p.call(Method::Patch, &path, &json!({ "terms_text": "Vær venlig. שלום\u{200F}." }));
    assert_eq!(status, 200, "{body}");
}

#[test]
fn a_portal_registration_name_with_a_right_to_left_override_is_refused() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("reg-co");
    app.new_portal(&key, &tenant, &json!({ "slug": "reg", "name": "Reg", "join_policy": "open" }));
    let browser = Browser::new(&app, "reg.portals.localhost");
    assert_eq!(browser.get("/register").status, 200);
    let refused = browser.post("/register", &[("name", &format!("Eve{RLO}")), ("email", "eve@example.com")]);
    assert_eq!(refused.status, 422);
    assert!(body_text(&refused).contains("without invisible formatting characters"));
    let rows = app.sql("SELECT COUNT(*) AS n FROM registrations", Vec::new());
    assert_eq!(rows[0]["n"], 0, "nothing registered");
}

fn put_photo(p: &Provider, content_type: &str, bytes: &[u8]) -> (u16, serde_json::Value) {
    let req = Request::new(Method::Put, &format!("/api/v1/tenants/{}/assets/A1/photo", p.tenant))
        .with_header("host", "api.example.test")
        .with_header("authorization", &format!("Bearer {}", p.key))
        .with_header("content-type", content_type)
        .with_body(bytes.to_vec());
    let response = p.app.send(req);
    (response.status, serde_json::from_slice(&response.body).unwrap_or_default())
}

#[test]
fn an_asset_photo_that_is_a_png_signature_and_twelve_bytes_is_refused() {
    let p = provider();
    let (status, body) = p.call(Method::Put, "/assets/A1", &json!({ "name": "Pump" }));
    assert_eq!(status, 201, "{body}");
    let mut fake = b"\x89PNG\r\n\x1a\n".to_vec();
    fake.extend_from_slice(&[0; 12]);
    let (status, body) = put_photo(&p, "image/png", &fake);
    assert_eq!((status, error_fields(&body)), (422, vec!["photo".to_owned()]), "{body}");
    let (status, _) = put_photo(&p, "image/jpeg", b"\xFF\xD8\xFF<html><script>alert(1)</script></html>");
    assert_eq!(status, 422);
    assert!(p.app.rt.blobs.objects.borrow().is_empty(), "nothing refused is stored");
    let (status, body) = put_photo(&p, "image/png", common::PNG_1X1);
    assert_eq!(status, 200, "{body}");
}

#[test]
fn a_multipart_form_that_gives_a_field_twice_is_refused_and_stores_nothing() {
    let p = provider();
    let (content_type, body) = multipart_body(
        &[("title", "Manual"), ("category", "manual"), ("customer_id", &p.customer), ("title", "Invoice")],
        &[("file", "manual.pdf", b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n")],
    );
    let req = Request::new(Method::Post, &format!("/api/v1/tenants/{}/documents", p.tenant))
        .with_header("host", "api.example.test")
        .with_header("authorization", &format!("Bearer {}", p.key))
        .with_header("content-type", &content_type)
        .with_body(body);
    let response = p.app.send(req);
    let answer = body_text(&response);
    assert_eq!(response.status, 400, "{answer}");
    assert!(answer.contains(r#"the form gives the field \"title\" more than once"#), "{answer}");
    assert!(p.app.rt.blobs.objects.borrow().is_empty());
    assert_eq!(p.app.sql("SELECT COUNT(*) AS n FROM documents", Vec::new())[0]["n"], 0);
}

#[test]
fn a_portal_form_that_gives_a_field_twice_is_refused() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("twice-co");
    app.new_portal(&key, &tenant, &json!({ "slug": "twice", "name": "Twice", "join_policy": "open" }));
    let browser = Browser::new(&app, "twice.portals.localhost");
    assert_eq!(browser.get("/register").status, 200);
    let urlencoded =
        browser.post("/register", &[("name", "Eve"), ("email", "eve@example.com"), ("email", "victim@example.com")]);
    assert_eq!(urlencoded.status, 400);
    let multipart = browser.post_multipart("/register", &[("name", "Eve"), ("name", "Mallory")], &[]);
    assert_eq!(multipart.status, 400);
    let rows = app.sql("SELECT COUNT(*) AS n FROM registrations", Vec::new());
    assert_eq!(rows[0]["n"], 0, "nothing registered");
}
