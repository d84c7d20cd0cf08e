//! Documents on real workerd with local D1 and R2: a file uploaded through the admin API is
//! downloaded byte for byte by a recipient of its customer through the portal's permission
//! check, while another customer's recipient gets the 404 of a missing document, and deleting
//! it removes the file.

use serde_json::json;

use super::client::{multipart_body, send, Call};
use super::recipients::portal;
use super::server;

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn a_document_uploaded_to_r2_is_downloaded_by_its_customer_and_a_404_for_another_on_workerd() {
    let s = server();
    let p = portal(&s, "Docs");
    let apps = s.api(
        "PATCH",
        &format!("/api/v1/tenants/{}/portals/{}", p.tenant, p.id),
        &p.key,
        Some(json!({ "apps": ["tickets", "documents"] })),
    );
    assert_eq!(apps.status, 200, "{}", apps.text());
    let alpha = p.customer(&s, "Alpha");
    let beta = p.customer(&s, "Beta");

    // 3 MiB: more than the default body limit, within the upload route's.
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.extend((0..3 * 1024 * 1024).map(|n: u32| b"0123456789abcdef"[(n % 16) as usize]));
    let (content_type, body) = multipart_body(
        &[("title", "Service manual"), ("category", "manual"), ("customer_id", &alpha)],
        &[("file", "manual.pdf", &pdf)],
    );
    let path = format!("/api/v1/tenants/{}/documents", p.tenant);
    let headers = vec![("authorization", format!("Bearer {}", p.key)), ("content-type", content_type)];
    let uploaded = send(s.port, &Call { method: "POST", path: &path, host: "127.0.0.1", headers, body });
    assert_eq!(uploaded.status, 201, "{}", uploaded.text());
    let id = uploaded.json()["document"]["id"].as_str().unwrap().to_owned();

    let mut ada = p.member(&s, &alpha, "ada@alpha.example");
    let list = ada.get("/documents");
    assert_eq!(list.status, 200);
    assert!(list.text().contains("Service manual"), "{}", list.text());
    let download = ada.get(&format!("/documents/{id}"));
    assert_eq!(download.status, 200);
    assert!(download.body == pdf, "the bytes stored in R2 come back unchanged");
    assert!(download.header("content-disposition").is_some_and(|d| d.starts_with("attachment")));

    let mut bob = p.member(&s, &beta, "bob@beta.example");
    let missing = bob.get("/documents/00000000000000000000000000000000");
    let other = bob.get(&format!("/documents/{id}"));
    assert_eq!(other.status, 404);
    assert_eq!(other.text(), missing.text(), "the same page as a missing document");
    assert!(!bob.get("/documents").text().contains("Service manual"));

    let deleted = s.api("DELETE", &format!("{path}/{id}"), &p.key, None);
    assert_eq!(deleted.status, 204, "{}", deleted.text());
    assert_eq!(ada.get(&format!("/documents/{id}")).status, 404);
}
