//! The recipients' tickets on real workerd with local D1 and R2: the support form with a file,
//! the list and its FTS5 search, the ticket page read in one batch with the session, file
//! downloads, agent files by multipart, and the hostile cases (another person's ticket, an
//! internal note's text and file).

use super::client::{multipart_body, send, Call, Reply};
use super::recipients::{mailed_link, portal, Portal};
use super::{server, unique, Server};
use serde_json::json;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/// A portal with a Support pipeline and the support form (which a portal may offer only once
/// its tenant has a pipeline); returns the pipeline's JSON.
fn desk(s: &Server, label: &str) -> (Portal, serde_json::Value) {
    let p = portal(s, label);
    let pipeline = s.support_pipeline(&p.tenant, &p.key);
    let path = format!("/api/v1/tenants/{}/portals/{}", p.tenant, p.id);
    let apps = s.api("PATCH", &path, &p.key, Some(json!({ "apps": ["tickets", "support_form"] })));
    assert_eq!(apps.status, 200, "{}", apps.text());
    (p, pipeline)
}

/// An agent's multipart message with one file.
fn agent_file(s: &Server, p: &Portal, ticket: &str, body: &str, internal: bool, filename: &str, data: &[u8]) -> Reply {
    let internal = internal.to_string();
    let (content_type, raw) = multipart_body(&[("body", body), ("internal", &internal)], &[("files", filename, data)]);
    let path = format!("/api/v1/tenants/{}/tickets/{ticket}/messages", p.tenant);
    let headers = vec![("authorization", format!("Bearer {}", p.key)), ("content-type", content_type)];
    send(s.port, &Call { method: "POST", path: &path, host: "127.0.0.1", headers, body: raw })
}

/// The first attachment link of a page.
fn file_link(page: &str) -> String {
    let start = page.find("/files/").unwrap();
    let begin = page[..start].rfind('"').unwrap() + 1;
    let end = start + page[start..].find('"').unwrap();
    page[begin..end].to_owned()
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn a_request_with_a_file_is_listed_searched_opened_and_answered_on_workerd() {
    let s = server();
    let (p, _) = desk(&s, "Deskco");
    let email = format!("{}@example.com", unique("tess"));
    let mut tess = p.join(&s, "Tess", &email);

    assert_eq!(tess.get("/tickets/new").status, 200);
    let created = tess.post_multipart(
        "/tickets/new",
        &[("subject", "Boom drifts down"), ("description", "The boom sinks overnight.")],
        &[("files", "cylinder.png", PNG)],
    );
    assert_eq!(created.status, 303, "{}", created.text());
    let location = created.header("location").unwrap().to_owned();

    let list = tess.get("/tickets").text();
    assert!(list.contains("Boom drifts down"), "{list}");
    assert!(tess.get("/tickets?q=overnight").text().contains("Boom drifts down"), "FTS5 on D1");
    assert!(tess.get("/tickets?q=sinks%20boom").text().contains("Boom drifts down"));
    assert!(!tess.get("/tickets?q=elevator").text().contains("Boom drifts down"));

    let page = tess.get(&location).text();
    assert!(page.contains("The boom sinks overnight.") && page.contains("cylinder.png"), "{page}");
    let download = tess.get(&file_link(&page));
    assert_eq!(download.status, 200);
    assert_eq!(download.body, PNG, "the bytes R2 kept");
    assert!(download.header("content-disposition").unwrap().starts_with("attachment;"));
    assert_eq!(download.header("x-content-type-options"), Some("nosniff"));

    // The agent side: the ticket, its file, a secret note with a file, a public answer.
    let tickets = s.api("GET", &format!("/api/v1/tenants/{}/tickets", p.tenant), &p.key, None);
    let ticket = tickets.json()["tickets"][0].clone();
    let id = ticket["id"].as_str().unwrap();
    let full = s.api("GET", &format!("/api/v1/tenants/{}/tickets/{id}", p.tenant), &p.key, None).json();
    assert_eq!(full["ticket"]["messages"][0]["attachments"][0]["filename"], "cylinder.png");
    let note = agent_file(&s, &p, id, "secretwalrus: check warranty", true, "warranty.pdf", PDF);
    assert_eq!(note.status, 201, "{}", note.text());
    let note_file = note.json()["ticket"]["messages"][1]["attachments"][0]["id"].as_str().unwrap().to_owned();
    let answer = s.api(
        "POST",
        &format!("/api/v1/tenants/{}/tickets/{id}/messages", p.tenant),
        &p.key,
        Some(json!({ "body": "A technician comes Tuesday.", "author_name": "Sam" })),
    );
    assert_eq!(answer.status, 201, "{}", answer.text());

    let page = tess.get(&location).text();
    assert!(page.contains("A technician comes Tuesday.") && !page.contains("secretwalrus"), "{page}");
    assert!(!page.contains("warranty.pdf"));
    assert_eq!(tess.get(&format!("{location}/files/{note_file}")).status, 404, "an internal note's file");
    assert!(!tess.get("/tickets?q=secretwalrus").text().contains("Boom drifts down"), "notes are not searched");
    assert_eq!(mailed_link(&s, &email, "ticket_reply"), location, "the reply email links the ticket");

    let replied = tess.post_multipart(&format!("{location}/reply"), &[("body", "Tuesday works.")], &[]);
    assert_eq!(replied.status, 303, "{}", replied.text());
    assert!(tess.get(&location).text().contains("Tuesday works."));
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn another_persons_ticket_is_a_404_like_a_missing_one_and_bad_files_are_refused_on_workerd() {
    let s = server();
    let (p, _) = desk(&s, "Guardco");
    let mut ada = p.join(&s, "Ada", &format!("{}@example.com", unique("ada")));
    let mut bob = p.join(&s, "Bob", &format!("{}@example.com", unique("bob")));
    let created =
        ada.post_multipart("/tickets/new", &[("subject", "Private matter"), ("description", "Mine alone.")], &[]);
    assert_eq!(created.status, 303, "{}", created.text());
    let location = created.header("location").unwrap().to_owned();

    let guessed = bob.get(&location);
    let missing = bob.get("/tickets/999999");
    assert_eq!((guessed.status, missing.status), (404, 404));
    assert_eq!(guessed.text(), missing.text());
    assert!(!bob.get("/tickets?q=private").text().contains("Private matter"));

    let html_as_png: &[u8] = b"<html><script>alert(1)</script></html>";
    let refused =
        ada.post_multipart(&format!("{location}/reply"), &[("body", "See file")], &[("files", "x.png", html_as_png)]);
    assert_eq!(refused.status, 422);
    assert!(refused.text().contains("x.png"), "{}", refused.text());
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn closed_tickets_refuse_replies_when_the_portal_says_and_oversized_files_are_refused_on_workerd() {
    let s = server();
    let (p, pipeline) = desk(&s, "Closedco");
    let settings = s.api(
        "PUT",
        &format!("/api/v1/tenants/{}/portals/{}/ticket-settings", p.tenant, p.id),
        &p.key,
        Some(json!({ "closed_replies": "refuse" })),
    );
    assert_eq!(settings.status, 200, "{}", settings.text());
    let mut ada = p.join(&s, "Ada", &format!("{}@example.com", unique("ada")));
    let created = ada.post_multipart("/tickets/new", &[("subject", "Done deal"), ("description", "Thanks.")], &[]);
    assert_eq!(created.status, 303, "{}", created.text());
    let location = created.header("location").unwrap().to_owned();

    // 11 MiB: over the per-file cap, under the body cap, so the worker reads it (chunk by
    // chunk) and refuses the file by name.
    let big = vec![b'a'; 11 * 1024 * 1024];
    let oversized =
        ada.post_multipart(&format!("{location}/reply"), &[("body", "Log attached")], &[("files", "big.log", &big)]);
    assert_eq!(oversized.status, 422, "{}", oversized.text());
    assert!(oversized.text().contains("big.log"));

    let tickets = s.api("GET", &format!("/api/v1/tenants/{}/tickets", p.tenant), &p.key, None);
    let id = tickets.json()["tickets"][0]["id"].as_str().unwrap().to_owned();
    let closed = s.api(
        "PATCH",
        &format!("/api/v1/tenants/{}/tickets/{id}", p.tenant),
        &p.key,
        Some(json!({ "stage_id": pipeline["stages"][1]["id"] })),
    );
    assert_eq!(closed.status, 200, "{}", closed.text());
    let page = ada.get(&location).text();
    assert!(page.contains("submit a new request"), "{page}");
    let reply = ada.post_multipart(&format!("{location}/reply"), &[("body", "One more thing")], &[]);
    assert_eq!(reply.status, 409);
    let full = s.api("GET", &format!("/api/v1/tenants/{}/tickets/{id}", p.tenant), &p.key, None).json();
    assert_eq!(full["ticket"]["messages"].as_array().unwrap().len(), 1, "nothing was added");
    assert_eq!(full["ticket"]["status"], "closed");

    // Another tenant's portal: Ada's cookie is nobody there, and its ticket 1 is not hers.
    let (other, _) = desk(&s, "Otherco");
    let mut stranger = super::recipients::Browser::new(&s, &other.host);
    stranger.cookies.insert("porch_session".into(), ada.cookies["porch_session"].clone());
    assert_eq!(stranger.get("/tickets/1").status, 303, "sent to sign in");
}
