//! A tenant leaving, on real workerd with local D1 and R2: its erasure and its export are
//! worked off by the cron trigger (`/__scheduled`, which `scripts/lib/server.sh` turns on), and
//! the erasure's sweep is the first use of R2's `list` by prefix. What R2 still holds is read
//! from the local state `wrangler dev` persists (`PORCH_E2E_STATE`): miniflare keeps each
//! bucket's object index in an `SQLite` file under `v3/r2/`.

use std::path::Path;

use serde_json::{json, Value};

use super::client::{multipart_body, send, Call, Reply};
use super::{server, Server};

/// A valid 1x1 RGBA PNG: an asset photo is checked chunk by chunk.
const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0b, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x02, 0x00, 0x00, 0x05, 0x00, 0x01, 0x7a, 0x5e, 0xab, 0x3f, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
/// Cron runs a test may drive before it gives up on a job.
const MAX_RUNS: usize = 30;

/// Runs the cron trigger once, as Cloudflare would each minute.
fn run_scheduled(s: &Server) {
    let ran = s.page("127.0.0.1", "/__scheduled?cron=*+*+*+*+*");
    assert_eq!(ran.status, 200, "{}", ran.text());
}

/// Runs the cron until the job `path` answers (`field` of its JSON) is finished, checking
/// that no run failed; the job's last JSON.
fn run_until_finished(s: &Server, path: &str, token: &str, field: &str) -> Value {
    let mut job = Value::Null;
    for _ in 0..MAX_RUNS {
        run_scheduled(s);
        let progress = s.api("GET", path, token, None);
        assert_eq!(progress.status, 200, "{}", progress.text());
        job = progress.json()[field].clone();
        assert_eq!(job["last_error"], Value::Null, "{job}");
        if job["state"] == "finished" {
            return job;
        }
    }
    panic!("not finished in {MAX_RUNS} runs: {job}");
}

/// A raw-body call with the bearer `key` (a logo, a photo, a multipart form).
fn upload(s: &Server, method: &str, path: &str, key: &str, content_type: &str, body: Vec<u8>) -> Reply {
    let headers = vec![("authorization", format!("Bearer {key}")), ("content-type", content_type.to_owned())];
    send(s.port, &Call { method, path, host: "127.0.0.1", headers, body })
}

/// Every object key the local R2 holds, from miniflare's object index: one `SQLite` file per
/// bucket in `v3/r2/miniflare-R2BucketObject` (beside a `metadata.sqlite` of its own).
fn r2_keys() -> Vec<String> {
    let state = std::env::var("PORCH_E2E_STATE").expect("PORCH_E2E_STATE: start the server with scripts/test");
    let dir = Path::new(&state).join("v3/r2/miniflare-R2BucketObject");
    let mut keys = Vec::new();
    let mut indexes = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "sqlite") {
            continue;
        }
        let db = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let Ok(mut statement) = db.prepare("SELECT key FROM _mf_objects") else {
            continue; // not an object index
        };
        indexes += 1;
        let rows = statement.query_map([], |row| row.get::<_, String>(0)).unwrap();
        keys.extend(rows.map(Result::unwrap));
    }
    assert_eq!(indexes, 1, "one bucket's index in {}", dir.display());
    keys
}

/// The R2 keys naming any of `ids` (a tenant's prefixes hold its id, a theme's logos its id).
fn keys_of(ids: &[&str]) -> Vec<String> {
    r2_keys().into_iter().filter(|key| ids.iter().any(|id| key.contains(id))).collect()
}

/// A tenant with something in every R2 prefix it writes: a themed portal with a logo, a
/// document, a ticket with an attachment and an asset with a photo. Returns (tenant, key,
/// portal host, theme id).
fn stocked_tenant(s: &Server, label: &str) -> (String, String, String, String) {
    let (tenant, key) = s.tenant(label);
    let (_, host, theme) = s.portal(&tenant, &key, label);
    let t = format!("/api/v1/tenants/{tenant}");
    let logo = upload(s, "PUT", &format!("{t}/themes/{theme}/logos/small"), &key, "image/png", PNG_1X1.to_vec());
    assert_eq!(logo.status, 200, "{}", logo.text());

    let customer = s.api("POST", &format!("{t}/customers"), &key, Some(json!({"name": "Alpha"})));
    assert_eq!(customer.status, 201, "{}", customer.text());
    let customer = customer.json()["customer"]["id"].as_str().unwrap().to_owned();
    let (content_type, form) = multipart_body(
        &[("title", "Manual"), ("category", "manual"), ("customer_id", &customer)],
        &[("file", "manual.pdf", PDF)],
    );
    let document = upload(s, "POST", &format!("{t}/documents"), &key, &content_type, form);
    assert_eq!(document.status, 201, "{}", document.text());

    let pipeline = s.support_pipeline(&tenant, &key);
    let ticket = s.api(
        "POST",
        &format!("{t}/tickets"),
        &key,
        Some(json!({"subject": "Broken", "description": "It stopped", "pipeline_id": pipeline["id"]})),
    );
    assert_eq!(ticket.status, 201, "{}", ticket.text());
    let ticket = ticket.json()["ticket"]["id"].as_str().unwrap().to_owned();
    let (content_type, form) = multipart_body(&[("body", "The report")], &[("files", "report.pdf", PDF)]);
    let message = upload(s, "POST", &format!("{t}/tickets/{ticket}/messages"), &key, &content_type, form);
    assert_eq!(message.status, 201, "{}", message.text());

    let asset =
        s.api("PUT", &format!("{t}/assets/EX-1"), &key, Some(json!({"name": "Excavator", "customer_id": customer})));
    assert_eq!(asset.status, 201, "{}", asset.text());
    let photo = upload(s, "PUT", &format!("{t}/assets/EX-1/photo"), &key, "image/png", PNG_1X1.to_vec());
    assert!((200..300).contains(&photo.status), "{}", photo.text());
    (tenant, key, host, theme)
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn an_erased_tenant_leaves_nothing_in_r2_while_another_tenants_portal_still_answers_on_workerd() {
    let s = server();
    let (tenant, key, host, theme) = stocked_tenant(&s, "Leaver");
    let (stayer, stayer_key, stayer_host, stayer_theme) = stocked_tenant(&s, "Stayer");
    // An export's parts are named by no row the erasure deletes: only the sweep of the
    // tenant's prefixes, by R2 `list`, finds them.
    let export = format!("/api/v1/tenants/{tenant}/export");
    assert_eq!(s.api("POST", &export, &key, None).status, 202);
    run_until_finished(&s, &export, &key, "export");
    let before = keys_of(&[&tenant, &theme]);
    for prefix in ["themes/", "documents/", "attachments/", "assets/", "exports/"] {
        assert!(before.iter().any(|k| k.starts_with(prefix)), "{prefix} in {before:?}");
    }
    let stayer_before = keys_of(&[&stayer, &stayer_theme]);
    assert_eq!(s.page(&host, "/").status, 200);

    let path = format!("/api/v1/tenants/{tenant}");
    let deleted = s.api("DELETE", &path, &s.token, None);
    assert_eq!(deleted.status, 202, "{}", deleted.text());
    assert_eq!(s.page(&host, "/").status, 404, "the portal is gone at once");
    assert_eq!(s.page(&host, "/logo/small").status, 404);

    let deletion = run_until_finished(&s, &format!("{path}/deletion"), &s.token, "deletion");
    assert_eq!(deletion["step"], deletion["steps"]);
    let left = keys_of(&[&tenant, &theme]);
    assert!(left.is_empty(), "R2 still holds {left:?}");

    assert_eq!(keys_of(&[&stayer, &stayer_theme]), stayer_before, "another tenant's objects stay");
    assert_eq!(s.page(&stayer_host, "/").status, 200);
    assert_eq!(s.page(&stayer_host, "/logo/small").status, 200);
    let documents = s.api("GET", &format!("/api/v1/tenants/{stayer}/documents"), &stayer_key, None).json();
    let document = documents["documents"][0]["id"].as_str().unwrap();
    let file = s.api("GET", &format!("/api/v1/tenants/{stayer}/documents/{document}/file"), &stayer_key, None);
    assert_eq!((file.status, file.body.as_slice()), (200, PDF));
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn a_tenant_export_is_written_by_the_cron_as_ndjson_parts_in_r2_on_workerd() {
    let s = server();
    let (tenant, key, _, _) = stocked_tenant(&s, "Exporter");
    let path = format!("/api/v1/tenants/{tenant}/export");
    let started = s.api("POST", &path, &key, None);
    assert_eq!(started.status, 202, "{}", started.text());

    let export = run_until_finished(&s, &path, &key, "export");
    let parts = export["parts"].as_array().unwrap();
    let mut tables = Vec::new();
    let mut records = 0;
    for part in parts.iter().filter(|p| p["kind"] == "records") {
        let download = s.api("GET", part["url"].as_str().unwrap(), &key, None);
        assert_eq!(download.status, 200, "{part}");
        assert_eq!(download.header("content-type"), Some("application/x-ndjson"));
        for line in download.text().lines() {
            let line: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            assert!(line["record"].is_object(), "{line}");
            tables.push(line["table"].as_str().unwrap().to_owned());
            records += 1;
        }
    }
    assert_eq!(export["records"], records);
    for table in ["tenants", "portals", "themes", "documents", "tickets", "messages", "attachments", "assets"] {
        assert!(tables.iter().any(|t| t == table), "{table} not exported: {tables:?}");
    }
    let files: Vec<&str> =
        parts.iter().filter(|p| p["kind"] == "file").map(|p| p["source"].as_str().unwrap()).collect();
    assert_eq!(files.len(), 4, "the logo, the document, the attachment and the photo: {files:?}");
    let file = parts.iter().find(|p| p["source"] == "documents.r2_key").unwrap();
    assert_eq!(s.api("GET", file["url"].as_str().unwrap(), &key, None).body, PDF);
}
