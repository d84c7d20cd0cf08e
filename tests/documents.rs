//! Documents in process on real `SQLite`: uploads through the admin API (every bad input a
//! field error, files by the allow-list), the provider's list, download, update and delete
//! (its R2 object too), and the recipients' page: their company's documents and those of
//! assets shared with it now, anything else the same 404 as a missing document.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use crate::common;

use common::{body_text, error_fields, multipart_body, platform_host, provider, Provider};
use porch_core::http::{Method, Request};
use porch_types::time::Timestamp;
use serde_json::json;

/// A file of a multipart body: (field name, filename, bytes).
type File<'a> = (&'a str, &'a str, &'a [u8]);
/// A bad upload: its fields, its files and the fields the 422 must name.
type Case<'a> = (Vec<(&'a str, &'a str)>, Vec<File<'a>>, &'a [&'a str]);

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n";

/// Uploads a document with the tenant's key: (status, body).
fn upload(p: &Provider, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (u16, serde_json::Value) {
    upload_as(p, &p.key, &p.tenant, fields, files)
}

fn upload_as(
    p: &Provider,
    key: &str,
    tenant: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> (u16, serde_json::Value) {
    let (content_type, body) = multipart_body(fields, files);
    let req = Request::new(Method::Post, &format!("/api/v1/tenants/{tenant}/documents"))
        .with_header("host", "api.example.test")
        .with_header("authorization", &format!("Bearer {key}"))
        .with_header("content-type", &content_type)
        .with_body(body);
    let response = p.app.send(req);
    let value = if response.body.is_empty() { json!(null) } else { serde_json::from_slice(&response.body).unwrap() };
    (response.status, value)
}

/// A customer's document, uploaded: its id.
fn document(p: &Provider, owner: (&str, &str), title: &str, category: &str) -> String {
    let (status, body) = upload(p, &[("title", title), ("category", category), owner], &[("file", "doc.pdf", PDF)]);
    assert_eq!(status, 201, "{body}");
    body["document"]["id"].as_str().unwrap().to_owned()
}

fn api_get(p: &Provider, rest: &str) -> porch_core::http::Response {
    p.app.send(
        Request::new(Method::Get, &format!("/api/v1/tenants/{}{rest}", p.tenant))
            .with_header("host", "api.example.test")
            .with_header("authorization", &format!("Bearer {}", p.key)),
    )
}

fn portal(p: &Provider, slug: &str, apps: &[&str]) -> String {
    p.app.new_portal(&p.key, &p.tenant, &json!({ "slug": slug, "name": format!("Portal {slug}"), "apps": apps }))
}

fn objects(p: &Provider) -> usize {
    p.app.rt.blobs.objects.borrow().len()
}

#[test]
fn every_bad_upload_is_a_field_error_and_stores_nothing() {
    let p = provider();
    let customer = p.customer.clone();
    let owner = ("customer_id", customer.as_str());
    let cases: Vec<Case> = vec![
        (vec![owner], vec![("file", "a.pdf", PDF)], &["title", "category"]),
        (vec![("title", " "), ("category", "poem"), owner], vec![("file", "a.pdf", PDF)], &["title", "category"]),
        (vec![("title", "T"), ("category", "manual")], vec![("file", "a.pdf", PDF)], &["customer_id"]),
        (vec![("title", "T"), ("category", "manual"), owner, ("asset", "X")], vec![("file", "a.pdf", PDF)], &["asset"]),
        (vec![("title", "T"), ("category", "manual"), ("asset", "NO-SUCH")], vec![("file", "a.pdf", PDF)], &["asset"]),
        (
            vec![("title", "T"), ("category", "manual"), ("customer_id", "nope")],
            vec![("file", "a.pdf", PDF)],
            &["customer_id"],
        ),
        (vec![("title", "T"), ("category", "manual"), owner], vec![], &["file"]),
        (
            vec![("title", "T"), ("category", "manual"), owner],
            vec![("file", "a.pdf", PDF), ("file", "b.pdf", PDF)],
            &["file"],
        ),
        (vec![("title", "T"), ("category", "manual"), owner], vec![("file", "page.html", b"<script>")], &["file"]),
        (
            vec![("title", "T"), ("category", "manual"), owner],
            vec![("file", "fake.pdf", b"MZ\x90\x00 not a pdf")],
            &["file"],
        ),
        (vec![("title", "T"), ("category", "manual"), owner], vec![("file", "empty.pdf", b"")], &["file"]),
    ];
    for (fields, files, expected) in cases {
        let (status, body) = upload(&p, &fields, &files);
        assert_eq!(status, 422, "{fields:?}: {body}");
        assert_eq!(error_fields(&body), expected, "{fields:?}: {body}");
    }
    let (status, body) = p.call(Method::Post, "/documents", &json!({ "title": "T" }));
    assert_eq!((status, error_fields(&body)), (422, vec!["content-type".to_owned()]), "{body}");
    let mut big = b"%PDF-".to_vec();
    big.resize(20 * 1024 * 1024 + 1, b' ');
    let (status, body) = upload(&p, &[("title", "T"), ("category", "manual"), owner], &[("file", "big.pdf", &big)]);
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("larger than 20 MiB"), "{body}");
    assert_eq!(objects(&p), 0, "nothing stored");
    let (_, list) = p.call(Method::Get, "/documents", &json!(null));
    assert_eq!(list["documents"], json!([]));
}

#[test]
fn an_upload_whose_row_cannot_be_written_leaves_no_object_behind() {
    let p = provider();
    let audit_before = p.app.audit_count();
    // D1 refusing the batch after the object is in R2: the documents insert aborts.
    let refuse = "CREATE TRIGGER refuse_documents BEFORE INSERT ON documents
                  BEGIN SELECT RAISE(ABORT, 'refused by the test'); END";
    p.app.execute(refuse, Vec::new());
    let fields = [("title", "Manual"), ("category", "manual"), ("customer_id", p.customer.as_str())];
    let (status, body) = upload(&p, &fields, &[("file", "doc.pdf", PDF)]);
    assert_eq!(status, 500, "{body}");
    assert_eq!(objects(&p), 0, "the object written first is deleted again");
    assert_eq!(p.app.sql("SELECT COUNT(*) AS n FROM documents", Vec::new())[0]["n"], 0);
    assert_eq!(p.app.audit_count(), audit_before, "no audit entry for the failed write");

    p.app.execute("DROP TRIGGER refuse_documents", Vec::new());
    assert_eq!(upload(&p, &fields, &[("file", "doc.pdf", PDF)]).0, 201);
    assert_eq!(objects(&p), 1, "the same upload, written, keeps its object");
}

#[test]
fn an_upload_is_listed_newest_first_downloaded_byte_for_byte_updated_and_deleted_with_its_object() {
    let p = provider();
    let mut full = b"%PDF-".to_vec();
    full.resize(20 * 1024 * 1024, b'x');
    let (status, body) = upload(
        &p,
        &[("title", "Service manual"), ("category", "manual"), ("customer_id", &p.customer)],
        &[("file", "Manual ü.pdf", &full)],
    );
    assert_eq!(status, 201, "a 20 MiB file is accepted: {body}");
    let first = body["document"]["id"].as_str().unwrap().to_owned();
    assert_eq!(body["document"]["content_type"], "application/pdf");
    assert_eq!(body["document"]["size"], 20 * 1024 * 1024);
    p.app.rt.advance_seconds(1);
    let second = document(&p, ("customer_id", &p.customer), "Invoice 7", "invoice");

    let (status, list) = p.call(Method::Get, "/documents?limit=1", &json!(null));
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["documents"][0]["id"], second.as_str(), "newest first");
    let cursor = list["next_cursor"].as_str().unwrap();
    let (_, rest) = p.call(Method::Get, &format!("/documents?limit=1&cursor={cursor}"), &json!(null));
    assert_eq!(rest["documents"][0]["id"], first.as_str());
    assert_eq!(rest["next_cursor"], json!(null));
    let (_, invoices) = p.call(Method::Get, "/documents?category=invoice", &json!(null));
    assert_eq!(invoices["documents"].as_array().unwrap().len(), 1);
    for bad in ["category=poem", "cursor=nonsense", "asset=NO-SUCH", "customer_id=x"] {
        assert_eq!(p.call(Method::Get, &format!("/documents?{bad}"), &json!(null)).0, 422, "{bad}");
    }

    let file = api_get(&p, &format!("/documents/{first}/file"));
    assert_eq!(file.status, 200);
    assert_eq!(file.body, full, "the same bytes");
    assert!(file.header("content-disposition").unwrap().starts_with("attachment"));
    assert_eq!(file.header("x-content-type-options"), Some("nosniff"));

    let (status, updated) =
        p.call(Method::Patch, &format!("/documents/{first}"), &json!({ "title": "Manual v2", "category": "other" }));
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        (updated["document"]["title"].as_str(), updated["document"]["category"].as_str()),
        (Some("Manual v2"), Some("other"))
    );
    let (status, body) = p.call(Method::Patch, &format!("/documents/{first}"), &json!({ "category": "poem" }));
    assert_eq!((status, error_fields(&body)), (422, vec!["category".to_owned()]));
    assert_eq!(p.call(Method::Patch, &format!("/documents/{first}"), &json!({})).0, 422);

    assert_eq!(objects(&p), 2);
    let (status, _) = p.call(Method::Delete, &format!("/documents/{first}"), &json!(null));
    assert_eq!(status, 204);
    assert_eq!(objects(&p), 1, "its R2 object is gone");
    assert_eq!(p.call(Method::Get, &format!("/documents/{first}"), &json!(null)).0, 404);
}

#[test]
fn a_customer_or_asset_with_documents_cannot_be_deleted_until_the_documents_are() {
    let p = provider();
    let (status, _) = p.call(Method::Put, "/assets/EX-1", &json!({ "name": "Excavator" }));
    assert_eq!(status, 201);
    let of_asset = document(&p, ("asset", "EX-1"), "Certificate", "certificate");
    let (status, body) = p.call(Method::Delete, "/assets/EX-1", &json!(null));
    assert_eq!(status, 409, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("1 document"), "{body}");
    assert_eq!(objects(&p), 1, "nothing orphaned");
    assert_eq!(p.call(Method::Delete, &format!("/documents/{of_asset}"), &json!(null)).0, 204);
    assert_eq!(p.call(Method::Delete, "/assets/EX-1", &json!(null)).0, 204);

    document(&p, ("customer_id", &p.customer), "A", "other");
    document(&p, ("customer_id", &p.customer), "B", "other");
    let (status, body) = p.call(Method::Delete, &format!("/customers/{}", p.customer), &json!(null));
    assert_eq!(status, 409, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("2 documents"), "{body}");
}

#[test]
fn another_tenants_key_cannot_reach_a_document() {
    let p = provider();
    let id = document(&p, ("customer_id", &p.customer), "Manual", "manual");
    let (other_tenant, other_key) = p.app.new_tenant("other-co");
    let foreign = |method: Method, rest: &str| {
        p.app.api_as(Some(&other_key), method, &format!("/api/v1/tenants/{}{rest}", p.tenant), &json!(null)).0
    };
    assert_eq!(foreign(Method::Get, "/documents"), 404);
    assert_eq!(foreign(Method::Get, &format!("/documents/{id}")), 404);
    assert_eq!(foreign(Method::Get, &format!("/documents/{id}/file")), 404);
    assert_eq!(foreign(Method::Delete, &format!("/documents/{id}")), 404);
    // Under its own tenant, the other key does not find it either.
    let own = p.app.api_as(
        Some(&other_key),
        Method::Get,
        &format!("/api/v1/tenants/{other_tenant}/documents/{id}"),
        &json!(null),
    );
    assert_eq!(own.0, 404);
    // Nor can it upload for the first tenant's customer.
    let (status, body) = upload_as(
        &p,
        &other_key,
        &other_tenant,
        &[("title", "T"), ("category", "other"), ("customer_id", &p.customer)],
        &[("file", "a.pdf", PDF)],
    );
    assert_eq!((status, error_fields(&body)), (422, vec!["customer_id".to_owned()]), "{body}");
    assert_eq!(objects(&p), 1);
}

#[test]
fn a_member_sees_their_companys_documents_and_those_of_assets_shared_now_and_nothing_else() {
    let p = provider();
    let beta = p.app.new_customer(&p.key, &p.tenant, "Beta");
    let portal = portal(&p, "docs", &["documents", "equipment"]);
    let (status, _) = p.call(Method::Put, "/assets/LD:2", &json!({ "name": "Loader two", "customer_id": p.customer }));
    assert_eq!(status, 201);
    let now = p.app.rt.clock.get();
    let share = json!({ "customer_id": p.customer, "from": Timestamp::from_millis(now - 86_400_000).to_string(),
                        "until": Timestamp::from_millis(now + 60_000).to_string() });
    assert_eq!(p.call(Method::Post, "/assets/LD:2/shares", &share).0, 201);
    let own = document(&p, ("customer_id", &p.customer), "Alpha invoice", "invoice");
    let of_asset = document(&p, ("asset", "LD:2"), "Loader manual", "manual");
    let other = document(&p, ("customer_id", &beta), "Beta invoice", "invoice");

    let ada = p.join(&portal, "docs", "ada@alpha.example", Some(&p.customer));
    let home = body_text(&ada.get("/"));
    assert!(home.contains(r#"href="/documents""#), "the nav entry: {home}");
    let list = ada.get("/documents");
    assert_eq!(list.status, 200);
    let html = body_text(&list);
    assert!(html.contains("Alpha invoice") && html.contains("Loader manual") && html.contains("Loader two"), "{html}");
    assert!(!html.contains("Beta invoice"), "{html}");
    let manuals = body_text(&ada.get("/documents?category=manual"));
    assert!(manuals.contains("Loader manual") && !manuals.contains("Alpha invoice"), "{manuals}");
    let of_loader = body_text(&ada.get("/documents?asset=LD:2"));
    assert!(of_loader.contains("Loader manual") && !of_loader.contains("Alpha invoice"), "{of_loader}");
    assert!(body_text(&ada.get("/equipment/LD:2")).contains(r#"href="/documents?asset=LD:2""#), "the asset page links");
    assert_eq!(ada.get("/documents?category=poem").status, 400);

    let download = ada.get(&format!("/documents/{own}"));
    assert_eq!(download.status, 200);
    assert_eq!(download.body, PDF);
    assert!(download.header("content-disposition").unwrap().starts_with("attachment"));
    assert_eq!(download.header("content-security-policy"), Some("sandbox; default-src 'none'"));
    assert_eq!(ada.get(&format!("/documents/{of_asset}")).status, 200);

    let missing = ada.get("/documents/00000000000000000000000000000000");
    assert_eq!(missing.status, 404);
    for path in [format!("/documents/{other}"), "/documents/guess".to_owned()] {
        let page = ada.get(&path);
        assert_eq!(page.status, 404, "{path}");
        assert_eq!(body_text(&page), body_text(&missing), "{path}: the very same page");
    }

    // The share ends: the asset's document is gone from the list and its download is a 404.
    p.app.rt.advance_seconds(120);
    let html = body_text(&ada.get("/documents"));
    assert!(html.contains("Alpha invoice") && !html.contains("Loader manual"), "{html}");
    assert_eq!(ada.get(&format!("/documents/{of_asset}")).status, 404);
    assert_eq!(ada.get("/documents?asset=LD:2").status, 404);

    let bob = p.join(&portal, "docs", "bob@beta.example", Some(&beta));
    let html = body_text(&bob.get("/documents"));
    assert!(html.contains("Beta invoice") && !html.contains("Alpha invoice"), "{html}");
    assert_eq!(bob.get(&format!("/documents/{own}")).status, 404);

    let nobody = p.join(&portal, "docs", "eve@nowhere.example", None);
    let html = body_text(&nobody.get("/documents"));
    assert!(html.contains("not linked to a company") && !html.contains("invoice"), "{html}");
    assert_eq!(nobody.get(&format!("/documents/{own}")).status, 404);
    assert_eq!(p.app.page(&platform_host("docs"), "/documents").status, 303, "strangers sign in first");
}

#[test]
fn a_portal_without_the_documents_app_has_no_documents_pages_nor_nav_entry() {
    let p = provider();
    let portal = portal(&p, "plain", &["tickets", "equipment"]);
    let id = document(&p, ("customer_id", &p.customer), "Manual", "manual");
    let (status, _) = p.call(Method::Put, "/assets/EX-1", &json!({ "name": "Excavator", "customer_id": p.customer }));
    assert_eq!(status, 201);
    let share =
        json!({ "customer_id": p.customer, "from": Timestamp::from_millis(p.app.rt.clock.get() - 1000).to_string() });
    assert_eq!(p.call(Method::Post, "/assets/EX-1/shares", &share).0, 201);
    let ada = p.join(&portal, "plain", "ada@alpha.example", Some(&p.customer));
    assert!(!body_text(&ada.get("/")).contains(r#"href="/documents""#));
    assert_eq!(ada.get("/documents").status, 404);
    assert_eq!(ada.get(&format!("/documents/{id}")).status, 404);
    assert!(!body_text(&ada.get("/equipment/EX-1")).contains("/documents"), "no link on the asset page");
}
