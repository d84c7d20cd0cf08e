//! The recipients' ticket pages, in process on real `SQLite` with the real schema: the support
//! form, the list (mine / organisation, search, pages), the ticket page, replies with
//! attachments, closed tickets, ratings — and the hostile cases: another person's, another
//! company's and another tenant's tickets, internal notes and their files, bad uploads.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::too_many_lines)]

use crate::common;

use common::browser::Browser;
use common::{body_text, multipart_body, spawn_app, TestApp};
use porch_core::http::Method;
use serde_json::json;

const HOST: &str = "acme.portals.localhost";
const PASSWORD: &str = "correct horse battery";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/// A tenant with a Support pipeline (New, Solved), a shared portal `acme` and two
/// customers, Alpha and Beta.
struct Desk {
    app: TestApp,
    tenant: String,
    key: String,
    portal: String,
    pipeline: serde_json::Value,
    alpha: String,
    beta: String,
}

fn desk() -> Desk {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let body = json!({ "name": "Support", "stages": [{ "name": "New" }, { "name": "Solved", "closed": true }] });
    let (status, created) = app.api_as(Some(&key), Method::Post, &format!("/api/v1/tenants/{tenant}/pipelines"), &body);
    assert_eq!(status, 201, "{created}");
    let portal = app.new_portal(&key, &tenant, &json!({ "slug": "acme", "name": "Acme Support" }));
    let alpha = app.new_customer(&key, &tenant, "Alpha");
    let beta = app.new_customer(&key, &tenant, "Beta");
    Desk { app, tenant, key, portal, pipeline: created["pipeline"].clone(), alpha, beta }
}

impl Desk {
    /// A signed-in browser of a new member of `customer`.
    fn join(&self, name: &str, email: &str, customer: &str) -> Browser<'_> {
        let path = format!("/api/v1/tenants/{}/portals/{}/invitations", self.tenant, self.portal);
        let (status, created) =
            self.app.api_as(Some(&self.key), Method::Post, &path, &json!({ "customer_id": customer }));
        assert_eq!(status, 201, "{created}");
        let link = created["url"].as_str().unwrap().trim_start_matches(&format!("http://{HOST}")).to_owned();
        let browser = Browser::new(&self.app, HOST);
        assert_eq!(browser.get(&link).status, 200);
        let joined = browser.post(&link, &[("name", name), ("email", email), ("password", PASSWORD)]);
        assert_eq!(joined.status, 303, "{}", body_text(&joined));
        browser
    }

    fn api(&self, method: Method, rest: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        self.app.api_as(Some(&self.key), method, &format!("/api/v1/tenants/{}{rest}", self.tenant), body)
    }

    fn count(&self, sql: &'static str) -> i64 {
        self.app.sql(sql, Vec::new())[0]["n"].as_i64().unwrap()
    }

    /// The agent's view of the ticket numbered `number`.
    fn agent_ticket(&self, number: i64) -> serde_json::Value {
        let id = self.app.sql("SELECT id FROM tickets WHERE number = ?1", vec![number.into()])[0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (status, body) = self.api(Method::Get, &format!("/tickets/{id}"), &json!(null));
        assert_eq!(status, 200, "{body}");
        body["ticket"].clone()
    }

    /// An agent's message with one file, sent as `multipart/form-data`.
    fn agent_message_with_file(
        &self,
        ticket: &str,
        body: &str,
        internal: bool,
        filename: &str,
        data: &[u8],
    ) -> (u16, serde_json::Value) {
        let internal = internal.to_string();
        let (content_type, raw) =
            multipart_body(&[("body", body), ("internal", &internal)], &[("files", filename, data)]);
        let response = self.app.send(
            porch_core::http::Request::new(
                Method::Post,
                &format!("/api/v1/tenants/{}/tickets/{ticket}/messages", self.tenant),
            )
            .with_header("host", "api.example.test")
            .with_header("authorization", &format!("Bearer {}", self.key))
            .with_header("content-type", &content_type)
            .with_body(raw),
        );
        (response.status, serde_json::from_slice(&response.body).unwrap_or(serde_json::Value::Null))
    }

    /// The portal's ticket-settings columns, set directly: KV's copy is dropped and the clock
    /// moved past the isolate cache's lifetime, as another isolate would see it.
    fn set_portal(&self, sql: &'static str) {
        self.app.execute(sql, Vec::new());
        self.app.rt.kv.entries.borrow_mut().clear();
        self.app.rt.advance_seconds(31);
    }
}

/// Submits the support form; returns the new ticket's page path.
fn submit(browser: &Browser<'_>, subject: &str, description: &str, files: &[(&str, &str, &[u8])]) -> String {
    assert_eq!(browser.get("/tickets/new").status, 200);
    let created = browser.post_multipart("/tickets/new", &[("subject", subject), ("description", description)], files);
    assert_eq!(created.status, 303, "{}", body_text(&created));
    created.header("location").unwrap().to_owned()
}

/// The first attachment link on a page.
fn file_link(page: &str) -> String {
    let start = page.find("/files/").unwrap();
    let begin = page[..start].rfind('"').unwrap() + 1;
    let end = start + page[start..].find('"').unwrap();
    page[begin..end].to_owned()
}

#[test]
fn the_menu_marks_the_page_it_links_to_by_its_path_not_by_a_title_that_reads_the_same() {
    let d = desk();
    let ada = d.join("Ada", "ada@alpha.example", &d.alpha);
    // The paths of the menu's links marked as the current page.
    let current = |path: &str| -> Vec<String> {
        let html = body_text(&ada.get(path));
        let nav = &html[html.find("<nav").unwrap()..html.find("</nav>").unwrap()];
        let links = nav.split(r#"<a href=""#).skip(1);
        let marked = links.filter(|link| link[..link.find('>').unwrap()].contains(r#"aria-current="page""#));
        marked.map(|link| link[..link.find('"').unwrap()].to_owned()).collect()
    };
    assert_eq!(current("/"), ["/"]);
    let ticket = submit(&ada, "Tickets", "A ticket whose subject is the menu's word.", &[]);
    assert_eq!(current("/tickets"), ["/tickets"]);
    assert_eq!(current("/tickets/new"), ["/tickets/new"]);
    assert_eq!(current(&ticket), Vec::<String>::new(), "a ticket's page is below the list, not the list");
}

#[test]
fn a_recipient_submits_a_request_with_a_file_and_finds_it_in_their_list_and_the_agent_api() {
    let d = desk();
    let ada = d.join("Ada", "ada@alpha.example", &d.alpha);
    let nav = body_text(&ada.get("/"));
    assert!(nav.contains(r#"href="/tickets/new""#) && nav.contains("Submit a support request"), "{nav}");

    let page_path = submit(&ada, "Pump leaks", "Oil under the pump since Monday.", &[("files", "photo.png", PNG)]);
    assert_eq!(page_path, "/tickets/1");
    let page = body_text(&ada.get(&page_path));
    assert!(page.contains("Pump leaks") && page.contains("Oil under the pump since Monday."), "{page}");
    assert!(page.contains("photo.png"));

    let download = ada.get(&file_link(&page));
    assert_eq!(download.status, 200);
    assert_eq!(download.body, PNG);
    assert_eq!(download.header("content-type"), Some("image/png"));
    assert!(download.header("content-disposition").unwrap().starts_with("attachment;"));
    assert_eq!(download.header("x-content-type-options"), Some("nosniff"));

    let list = body_text(&ada.get("/tickets"));
    assert!(list.contains(r#"href="/tickets/1""#) && list.contains("Open"), "{list}");

    let ticket = d.agent_ticket(1);
    assert_eq!(ticket["requester"]["name"], "Ada");
    assert_eq!(ticket["customer_id"], d.alpha.as_str());
    assert_eq!(ticket["pipeline_id"], d.pipeline["id"]);
    assert_eq!(ticket["messages"][0]["author"]["kind"], "recipient");
    assert_eq!(d.count("SELECT COUNT(*) AS n FROM attachments"), 1);
    assert_eq!(d.app.rt.blobs.objects.borrow().len(), 1, "the file is stored once");

    let file = &ticket["messages"][0]["attachments"][0];
    assert_eq!(file["filename"], "photo.png");
    let fetch = |key: &str| {
        d.app.send(
            porch_core::http::Request::new(Method::Get, file["url"].as_str().unwrap())
                .with_header("host", "api.example.test")
                .with_header("authorization", &format!("Bearer {key}")),
        )
    };
    let agent_download = fetch(&d.key);
    assert_eq!(agent_download.status, 200);
    assert_eq!(agent_download.body, PNG);
    assert!(agent_download.header("content-disposition").unwrap().starts_with("attachment;"));
    let (_, other_key) = d.app.new_tenant("other-co");
    assert_eq!(fetch(&other_key).status, 404, "another tenant's key finds nothing");
}

#[test]
fn a_ticket_outside_the_viewers_permission_is_the_same_404_as_a_missing_one() {
    let d = desk();
    let ada = d.join("Ada", "ada@alpha.example", &d.alpha);
    let bob = d.join("Bob", "bob@alpha.example", &d.alpha);
    let eve = d.join("Eve", "eve@beta.example", &d.beta);
    let page = body_text(&ada.get(&submit(&ada, "Private", "Only mine.", &[("files", "a.png", PNG)])));
    let file = file_link(&page);

    for (who, browser) in [("a colleague without organisation access", &bob), ("another company", &eve)] {
        let missing = browser.get("/tickets/999");
        assert_eq!(missing.status, 404);
        let guessed = browser.get("/tickets/1");
        assert_eq!(guessed.status, 404, "{who}");
        assert_eq!(body_text(&guessed), body_text(&missing), "{who}: the same page as a missing ticket");
        assert_eq!(browser.get(&file).status, 404, "{who}: the file");
        let replied = browser.post_multipart("/tickets/1/reply", &[("body", "hi")], &[]);
        assert_eq!(replied.status, 404, "{who}: replying");
        assert!(!body_text(&browser.get("/tickets")).contains("Private"), "{who}: the list");
    }
    assert_eq!(d.count("SELECT COUNT(*) AS n FROM messages"), 1, "nothing was written");

    // Another tenant's portal with its own ticket number 1 shows none of this one's.
    let (tenant2, key2) = d.app.new_tenant("other-co");
    d.app.new_portal(&key2, &tenant2, &json!({ "slug": "other", "name": "Other" }));
    let stranger = Browser::new(&d.app, "other.portals.localhost");
    stranger.cookies.borrow_mut().insert("porch_session".into(), ada.session().unwrap());
    assert_eq!(stranger.get("/tickets/1").status, 303, "a cookie of another portal is nobody there");
    assert!(!d.app.sql("SELECT tenant_id FROM tickets", Vec::new()).iter().any(|r| r["tenant_id"] == tenant2.as_str()));
}

#[test]
fn organisation_visibility_shows_the_companys_tickets_and_never_another_companys() {
    let d = desk();
    let ada = d.join("Ada", "ada@alpha.example", &d.alpha);
    let bob = d.join("Bob", "bob@alpha.example", &d.alpha);
    let eve = d.join("Eve", "eve@beta.example", &d.beta);
    submit(&ada, "Alpha pump", "Alpha's problem.", &[]);
    submit(&eve, "Beta crane", "Beta's problem.", &[]);
    // The provider's phone call: a ticket for Alpha without a requester.
    let (status, body) = d.api(
        Method::Post,
        "/tickets",
        &json!({ "subject": "Alpha phone call", "description": "Called in.", "pipeline_id": d.pipeline["id"], "customer_id": d.alpha }),
    );
    assert_eq!(status, 201, "{body}");

    assert!(!body_text(&bob.get("/tickets")).contains("Organisation tickets"), "no switch without access");
    // Bob is made one of Alpha's account managers: his own override.
    d.app.execute(
        "UPDATE accounts SET ticket_visibility = 'organisation' WHERE email = 'bob@alpha.example'",
        Vec::new(),
    );
    let mine = body_text(&bob.get("/tickets"));
    assert!(mine.contains("Organisation tickets") && !mine.contains("Alpha pump"), "{mine}");
    let organisation = body_text(&bob.get("/tickets?scope=organisation"));
    assert!(organisation.contains("Alpha pump") && organisation.contains("Alpha phone call"), "{organisation}");
    assert!(!organisation.contains("Beta crane"));
    assert_eq!(bob.get("/tickets/1").status, 200);
    assert_eq!(bob.get("/tickets/2").status, 404, "Beta's ticket");

    // The portal-wide setting gives Eve her company's view, which holds only Beta's. Access
    // settings are read with the page's data, not from the cached portal: no waiting.
    d.app.execute("UPDATE portals SET ticket_visibility = 'organisation'", Vec::new());
    let beta = body_text(&eve.get("/tickets?scope=organisation"));
    assert!(beta.contains("Beta crane") && !beta.contains("Alpha"), "{beta}");
    // A rule on the portal hides tickets outside it from everyone, at once.
    d.app.execute("UPDATE portals SET ticket_rules_json = '{\"priorities\":[\"urgent\"]}'", Vec::new());
    assert_eq!(bob.get("/tickets/1").status, 404);
    assert!(!body_text(&bob.get("/tickets?scope=organisation")).contains("Alpha pump"));
}

#[test]
fn internal_notes_and_their_files_never_reach_the_portal_not_even_through_search() {
    let d = desk();
    let ada = d.join("Ada", "ada@alpha.example", &d.alpha);
    submit(&ada, "Gearbox noise", "It grinds.", &[]);
    let id = d.agent_ticket(1)["id"].as_str().unwrap().to_owned();
    let note = json!({ "body": "secretzebra: customer is on probation", "internal": true });
    let before = d.agent_ticket(1)["last_activity_at"].clone();
    d.app.rt.advance_seconds(60);
    assert_eq!(d.api(Method::Post, &format!("/tickets/{id}/messages"), &note).0, 201);
    assert_eq!(d.agent_ticket(1)["last_activity_at"], before, "a note is no activity recipients see");
    let reply = json!({ "body": "We will send a publicgiraffe technician.", "author_name": "Sam" });
    assert_eq!(d.api(Method::Post, &format!("/tickets/{id}/messages"), &reply).0, 201);
    // Agents attach files with a multipart message: one on another internal note, one on a
    // public reply.
    let secret = d.agent_message_with_file(&id, "secret file attached", true, "secret.pdf", PDF);
    assert_eq!(secret.0, 201, "{}", secret.1);
    let public = d.agent_message_with_file(&id, "Here is the manual.", false, "manual.pdf", PDF);
    assert_eq!(public.0, 201, "{}", public.1);
    let messages = public.1["ticket"]["messages"].as_array().unwrap().clone();
    let secret_file = messages.iter().find(|m| m["body"] == "secret file attached").unwrap()["attachments"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bad = d.agent_message_with_file(&id, "x", false, "evil.pdf", b"<html>");
    assert_eq!(bad.0, 422, "{}", bad.1);
    assert_eq!(bad.1["error"]["fields"][0]["field"], "files");

    let page = body_text(&ada.get("/tickets/1"));
    assert!(page.contains("publicgiraffe") && page.contains("Sam"), "{page}");
    assert!(!page.contains("secretzebra") && !page.contains("secret.pdf"), "{page}");
    assert!(page.contains("manual.pdf"), "{page}");
    assert_eq!(ada.get(&format!("/tickets/1/files/{secret_file}")).status, 404, "an internal note's file by id");
    assert_eq!(ada.get(&file_link(&page)).body, PDF, "the public reply's file");

    assert!(body_text(&ada.get("/tickets?q=publicgiraffe")).contains("Gearbox noise"));
    assert!(body_text(&ada.get("/tickets?q=grinds")).contains("Gearbox noise"));
    assert!(body_text(&ada.get("/tickets?q=gearbox")).contains("Gearbox noise"), "the subject, by prefix");
    let renamed = json!({ "subject": "Transmission rattle" });
    assert_eq!(d.api(Method::Patch, &format!("/tickets/{id}"), &renamed).0, 200);
    assert!(body_text(&ada.get("/tickets?q=rattle")).contains("Transmission rattle"), "a renamed subject is found");
    assert!(!body_text(&ada.get("/tickets?q=gearbox")).contains("Transmission rattle"), "the old one is not");
    let searched = body_text(&ada.get("/tickets?q=secretzebra"));
    assert!(!searched.contains("Transmission rattle") && searched.contains("No tickets match"), "{searched}");
    let syntax = ada.get("/tickets?q=scope%20%3A%20*%20OR%20NEAR(");
    assert_eq!(syntax.status, 200, "FTS syntax in the box is only words");
}

#[test]
fn bad_uploads_are_refused_with_clear_errors_and_leave_nothing_behind() {
    let d = desk();
    let ada = d.join("Ada", "ada@alpha.example", &d.alpha);
    submit(&ada, "Manual", "Need the manual.", &[]);
    let reply =
        |files: &[(&str, &str, &[u8])]| ada.post_multipart("/tickets/1/reply", &[("body", "See attached.")], files);

    let html_as_png: &[u8] = b"<html><script>alert(1)</script></html>";
    let wrong = reply(&[("files", "evil.png", html_as_png)]);
    assert_eq!(wrong.status, 422);
    assert!(body_text(&wrong).contains("evil.png"), "{}", body_text(&wrong));
    assert_eq!(reply(&[("files", "page.html", b"<html></html>")]).status, 422);
    let big = vec![b'a'; 10 * 1024 * 1024 + 1];
    assert_eq!(reply(&[("files", "big.txt", &big)]).status, 422);
    let six: Vec<(&str, &str, &[u8])> = (0..6).map(|_| ("files", "doc.pdf", PDF)).collect();
    assert_eq!(reply(&six).status, 422);
    let empty_body = ada.post_multipart("/tickets/1/reply", &[("body", "  ")], &[]);
    assert_eq!(empty_body.status, 422);
    assert_eq!(d.count("SELECT COUNT(*) AS n FROM messages"), 1);
    assert_eq!(d.count("SELECT COUNT(*) AS n FROM attachments"), 0);
    assert!(d.app.rt.blobs.objects.borrow().is_empty(), "no object stored for a refused reply");

    let ok = reply(&[("files", "manual.pdf", PDF), ("files", "", b"")]);
    assert_eq!(ok.status, 303, "an empty file input is no file");
    assert_eq!(d.count("SELECT COUNT(*) AS n FROM attachments"), 1);
    let no_csrf = ada.send(
        porch_core::http::Request::new(Method::Post, "/tickets/1/reply")
            .with_header("content-type", "multipart/form-data; boundary=x")
            .with_body("--x\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nhi\r\n--x--\r\n"),
    );
    assert_eq!(no_csrf.status, 403);
}

#[test]
fn a_reply_to_a_closed_ticket_reopens_it_or_is_refused_as_the_portal_says_and_the_requester_rates_it() {
    let d = desk();
    let ada = d.join("Ada", "ada@alpha.example", &d.alpha);
    let bob = d.join("Bob", "bob@alpha.example", &d.alpha);
    submit(&ada, "Filter", "Which filter?", &[]);
    let id = d.agent_ticket(1)["id"].as_str().unwrap().to_owned();
    let solved = d.pipeline["stages"][1]["id"].clone();
    let close = || assert_eq!(d.api(Method::Patch, &format!("/tickets/{id}"), &json!({ "stage_id": solved })).0, 200);
    close();

    let page = body_text(&ada.get("/tickets/1"));
    assert!(
        page.contains("Closed") && page.contains("A reply reopens it") && page.contains("How did we do?"),
        "{page}"
    );
    // A rating refused keeps what was typed: the comment, and the score when it was one.
    let unscored = ada.post("/tickets/1/rating", &[("comment", "Quick & kind.")]);
    assert_eq!(unscored.status, 422);
    let page = body_text(&unscored);
    assert!(page.contains(">Quick &amp; kind.</textarea>") && !page.contains("checked"), "{page}");
    assert!(
        page.contains(r##"<a href="#score">Choose a score from 1 to 5.</a>"##),
        "the summary points at the scale: {page}"
    );
    assert!(!page.contains("at most 1,000 characters"), "the comment was fine: {page}");
    let long = "x".repeat(1001);
    let too_long = body_text(&ada.post("/tickets/1/rating", &[("score", "4"), ("comment", &long)]));
    assert!(
        too_long.contains(r#"value="4" checked"#) && too_long.contains(&format!(">{long}</textarea>")),
        "{too_long}"
    );
    // The comment's problem is the comment's, beside it, not the score's.
    assert!(
        too_long.contains(r##"<a href="#comment">Write a comment of at most 1,000 characters.</a>"##),
        "{too_long}"
    );
    assert!(!too_long.contains("Choose a score"), "the score was fine: {too_long}");
    // Characters no one can see are named as such, not as a length.
    let hidden = body_text(&ada.post("/tickets/1/rating", &[("score", "4"), ("comment", "Quick\u{202e} and kind.")]));
    assert!(hidden.contains("Remove the hidden control or text-direction characters"), "{hidden}");
    assert!(!hidden.contains("at most 1,000"), "{hidden}");
    // A line break counts once, as the textarea's maxlength counts it: 1,000 characters that
    // arrive as 1,200 with CRLF line breaks are taken.
    let comment = format!("{}{}", "a".repeat(600), "\r\nb".repeat(200));
    let rated = ada.post("/tickets/1/rating", &[("score", "5"), ("comment", &comment)]);
    assert_eq!(rated.status, 303, "{}", body_text(&rated));
    assert_eq!(ada.post("/tickets/1/rating", &[("score", "1")]).status, 303, "a second rating changes nothing");
    let ratings = d.app.sql("SELECT score, comment FROM ticket_ratings", Vec::new());
    assert_eq!(ratings, vec![json!({ "score": 5, "comment": comment.replace("\r\n", "\n") })]);
    assert!(body_text(&ada.get("/tickets/1")).contains("Thank you for your rating"));
    assert_eq!(ada.post("/tickets/1/rating", &[("score", "9")]).status, 422, "a score is 1 to 5");

    assert_eq!(ada.post_multipart("/tickets/1/reply", &[("body", "It broke again.")], &[]).status, 303);
    let ticket = d.agent_ticket(1);
    assert_eq!(ticket["status"], "open", "reopened");
    assert_eq!(ticket["stage_id"], d.pipeline["stages"][0]["id"]);

    close();
    d.set_portal("UPDATE portals SET ticket_closed_replies = 'refuse'");
    let page = body_text(&ada.get("/tickets/1"));
    assert!(page.contains("submit a new request") && !page.contains(r#"action="/tickets/1/reply""#), "{page}");
    let refused = ada.post_multipart("/tickets/1/reply", &[("body", "Hello?")], &[]);
    assert_eq!(refused.status, 409);
    assert_eq!(d.agent_ticket(1)["status"], "closed");
    assert_eq!(d.count("SELECT COUNT(*) AS n FROM messages"), 2);

    d.app.execute(
        "UPDATE accounts SET ticket_visibility = 'organisation' WHERE email = 'bob@alpha.example'",
        Vec::new(),
    );
    assert_eq!(bob.post("/tickets/1/rating", &[("score", "2")]).status, 403, "only the requester rates");
}

#[test]
fn the_list_pages_by_keyset_filters_by_status_and_sorts() {
    let d = desk();
    let ada = d.join("Ada", "ada@alpha.example", &d.alpha);
    let account = d.app.sql("SELECT id FROM accounts WHERE email = 'ada@alpha.example'", Vec::new())[0]["id"].clone();
    for n in 1..=30 {
        let body = json!({
            "subject": format!("Ticket number {n:02}"), "description": "x", "pipeline_id": d.pipeline["id"],
            "requester": { "portal_id": d.portal, "account_id": account },
        });
        assert_eq!(d.api(Method::Post, "/tickets", &body).0, 201);
        d.app.rt.advance_seconds(1);
    }
    let first = body_text(&ada.get("/tickets"));
    assert!(
        first.contains("Ticket number 30") && first.contains("Ticket number 06") && !first.contains("Ticket number 05")
    );
    let start = first.find("/tickets?after=").unwrap();
    let next: String = first[start..].chars().take_while(|c| *c != '"').collect();
    let second = body_text(&ada.get(&next.replace("&amp;", "&")));
    assert!(
        second.contains("Ticket number 05")
            && second.contains("Ticket number 01")
            && !second.contains("Ticket number 06")
    );
    assert!(!second.contains("/tickets?after="), "the last page has no next link");

    let oldest = body_text(&ada.get("/tickets?sort=created_asc"));
    assert!(oldest.find("Ticket number 01").unwrap() < oldest.find("Ticket number 02").unwrap());
    assert!(body_text(&ada.get("/tickets?status=closed")).contains("There are no tickets here yet"));
    assert_eq!(ada.get("/tickets?sort=sideways").status, 400);
    assert_eq!(ada.get("/tickets?after=garbage").status, 400);
    assert_eq!(Browser::new(&d.app, HOST).get("/tickets").status, 303, "strangers sign in first");
}

#[test]
fn the_provider_hears_of_each_new_ticket_reply_and_rating_by_webhook_and_inbox_email_written_with_it() {
    let d = desk();
    let (status, body) = d.api(Method::Post, "/webhooks", &json!({ "url": "https://desk.example.com/hooks/porch" }));
    assert_eq!(status, 201, "{body}");
    let (status, inbox) =
        d.api(Method::Post, "/inboxes", &json!({ "name": "Field service", "notify_email": "field@provider.example" }));
    assert_eq!(status, 201, "{inbox}");
    let settings = format!("/portals/{}/ticket-settings", d.portal);
    let (status, body) = d.api(Method::Put, &settings, &json!({ "inbox_id": inbox["inbox"]["id"] }));
    assert_eq!(status, 200, "{body}");
    let ada = d.join("Ada", "ada@alpha.example", &d.alpha);
    submit(&ada, "Hydraulics", "Pressure drops.", &[("files", "gauge.png", PNG)]);
    assert_eq!(ada.post_multipart("/tickets/1/reply", &[("body", "Still dropping.")], &[]).status, 303);
    let id = d.agent_ticket(1)["id"].as_str().unwrap().to_owned();
    let solved = d.pipeline["stages"][1]["id"].clone();
    assert_eq!(d.api(Method::Patch, &format!("/tickets/{id}"), &json!({ "stage_id": solved })).0, 200);
    assert_eq!(ada.post("/tickets/1/rating", &[("score", "4")]).status, 303);
    assert_eq!(ada.post("/tickets/1/rating", &[("score", "4")]).status, 303, "a repeated rating sends nothing");

    let rows = d.app.sql("SELECT event, payload_json FROM webhook_deliveries ORDER BY created_at, rowid", Vec::new());
    let events: Vec<&str> = rows.iter().map(|r| r["event"].as_str().unwrap()).collect();
    assert_eq!(events, ["ticket.created", "ticket.replied", "ticket.rated"]);
    let created: serde_json::Value = serde_json::from_str(rows[0]["payload_json"].as_str().unwrap()).unwrap();
    assert_eq!(created["ticket"]["number"], 1);
    assert_eq!(created["ticket"]["requester"]["name"], "Ada");
    assert_eq!(created["message"]["author"]["email"], "ada@alpha.example");
    assert_eq!(created["message"]["body"], "Pressure drops.");
    assert_eq!(created["message"]["attachments"][0]["filename"], "gauge.png");
    let rated: serde_json::Value = serde_json::from_str(rows[2]["payload_json"].as_str().unwrap()).unwrap();
    assert_eq!(rated["rating"]["score"], 4);

    let mails = d.app.sql(
        "SELECT kind, subject, text_body FROM outbox WHERE to_email = 'field@provider.example' ORDER BY created_at, rowid",
        Vec::new(),
    );
    let kinds: Vec<&str> = mails.iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["ticket_new", "ticket_customer_reply"]);
    assert!(mails[0]["subject"].as_str().unwrap().contains("#1"), "{}", mails[0]["subject"]);
    assert!(mails[0]["text_body"].as_str().unwrap().contains("Pressure drops."));
    assert!(mails[0]["text_body"].as_str().unwrap().contains("Alpha"), "the company is named");
    assert!(mails[1]["text_body"].as_str().unwrap().contains("Still dropping."));
}

#[test]
fn upload_problems_are_told_in_the_readers_language() {
    let d = desk();
    let ada = d.join("Ada", "ada@alpha.example", &d.alpha);
    submit(&ada, "Manual", "Need the manual.", &[]);
    // Ada's saved language (the language menu's choice) is what her pages speak.
    d.app.execute("UPDATE accounts SET language = 'da' WHERE email = 'ada@alpha.example'", Vec::new());
    let refused = ada.post_multipart("/tickets/1/reply", &[("body", "Se fil")], &[("files", "evil.png", b"<html>")]);
    assert_eq!(refused.status, 422);
    let page = body_text(&refused);
    assert!(page.contains("evil.png: filens indhold passer ikke til filtypen."), "{page}");
}

#[test]
fn one_person_cannot_flood_the_desk_with_tickets() {
    let d = desk();
    let ada = d.join("Ada", "ada@alpha.example", &d.alpha);
    for n in 0..20 {
        submit(&ada, &format!("Request {n}"), "Text.", &[]);
    }
    let refused = ada.post_multipart("/tickets/new", &[("subject", "One more"), ("description", "Text.")], &[]);
    assert_eq!(refused.status, 429);
    assert_eq!(d.count("SELECT COUNT(*) AS n FROM tickets"), 20);
}

#[test]
fn a_ticket_link_from_an_email_opens_the_ticket_after_signing_in() {
    let d = desk();
    let ada = d.join("Ada", "ada@alpha.example", &d.alpha);
    submit(&ada, "Sensor fault", "Reads zero.", &[]);
    let id = d.agent_ticket(1)["id"].as_str().unwrap().to_owned();
    assert_eq!(d.api(Method::Post, &format!("/tickets/{id}/messages"), &json!({ "body": "Try a reset." })).0, 201);
    let mailed = d.app.sql("SELECT text_body FROM outbox WHERE kind = 'ticket_reply'", Vec::new());
    assert!(mailed[0]["text_body"].as_str().unwrap().contains(&format!("http://{HOST}/tickets/1")));

    let fresh = Browser::new(&d.app, HOST);
    let opened = fresh.get("/tickets/1");
    assert_eq!(opened.status, 303);
    let sign_in = opened.header("location").unwrap().to_owned();
    assert_eq!(sign_in, "/sign-in?return_to=/tickets/1");
    assert!(body_text(&fresh.get(&sign_in)).contains(r#"value="/tickets/1""#));
    let signed_in =
        fresh.post("/sign-in", &[("email", "ada@alpha.example"), ("password", PASSWORD), ("return_to", "/tickets/1")]);
    assert_eq!(signed_in.header("location"), Some("/tickets/1"));
    assert!(body_text(&fresh.get("/tickets/1")).contains("Try a reset."));
}

#[test]
fn a_reply_on_a_ticket_in_no_inbox_puts_it_in_the_portals_inbox_and_tells_that_inbox() {
    let d = desk();
    let (status, inbox) =
        d.api(Method::Post, "/inboxes", &json!({ "name": "Front desk", "notify_email": "front@provider.example" }));
    assert_eq!(status, 201, "{inbox}");
    let inbox = inbox["inbox"]["id"].as_str().unwrap().to_owned();
    let settings = format!("/portals/{}/ticket-settings", d.portal);
    assert_eq!(d.api(Method::Put, &settings, &json!({ "inbox_id": inbox })).0, 200);
    let ada = d.join("Ada", "ada@alpha.example", &d.alpha);
    let account = d.app.sql("SELECT id FROM accounts WHERE email = 'ada@alpha.example'", Vec::new())[0]["id"].clone();
    // A phone call: the agent writes the ticket through the API, in no inbox.
    let body = json!({
        "subject": "Called about the pump", "description": "Ada called: the pump hums.", "pipeline_id": d.pipeline["id"],
        "requester": { "portal_id": d.portal, "account_id": account },
    });
    let (status, created) = d.api(Method::Post, "/tickets", &body);
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["ticket"]["inbox_id"], json!(null));
    let mails = "SELECT COUNT(*) AS n FROM outbox WHERE to_email = 'front@provider.example'";
    assert_eq!(d.count(mails), 0);

    assert_eq!(ada.post_multipart("/tickets/1/reply", &[("body", "It still hums.")], &[]).status, 303);
    assert_eq!(d.agent_ticket(1)["inbox_id"], json!(inbox), "the portal's inbox");
    let sent = d.app.sql("SELECT kind, text_body FROM outbox WHERE to_email = 'front@provider.example'", Vec::new());
    assert_eq!(sent.len(), 1, "one notice, to the inbox's address");
    assert_eq!(sent[0]["kind"], "ticket_customer_reply");
    assert!(sent[0]["text_body"].as_str().unwrap().contains("It still hums."));
    let audit = d
        .app
        .sql("SELECT after_json FROM audit_log WHERE action = 'ticket.message' ORDER BY seq DESC LIMIT 1", Vec::new());
    assert!(audit[0]["after_json"].as_str().unwrap().contains(&inbox), "{audit:?}");

    // A ticket already in an inbox keeps it.
    let (status, other) =
        d.api(Method::Post, "/inboxes", &json!({ "name": "Field service", "notify_email": "field@provider.example" }));
    assert_eq!(status, 201);
    let other = other["inbox"]["id"].as_str().unwrap().to_owned();
    let body = json!({
        "subject": "Second call", "description": "Ada called again.", "pipeline_id": d.pipeline["id"],
        "inbox_id": other, "requester": { "portal_id": d.portal, "account_id": account },
    });
    assert_eq!(d.api(Method::Post, "/tickets", &body).0, 201);
    assert_eq!(ada.post_multipart("/tickets/2/reply", &[("body", "Thanks.")], &[]).status, 303);
    assert_eq!(d.agent_ticket(2)["inbox_id"], json!(other));
    assert_eq!(d.count(mails), 1, "the other inbox was told, not this one");
}

/// A PDF of `mib` MiB.
fn pdf_of(mib: usize) -> Vec<u8> {
    let mut data = PDF.to_vec();
    data.resize(mib * 1024 * 1024, b' ');
    data
}

#[test]
fn a_reply_with_files_past_the_caps_keeps_its_text_and_names_each_file_and_why() {
    let d = desk();
    let ada = d.join("Ada", "ada@alpha.example", &d.alpha);
    submit(&ada, "Pump", "It leaks.", &[]);
    let (big, eight) = (pdf_of(12), pdf_of(8));
    // 36 MiB in all: more than the edge ever held, which answered a bare JSON 413 before.
    let files: [(&str, &str, &[u8]); 5] = [
        ("files", "big.pdf", &big),
        ("files", "a.pdf", &eight),
        ("files", "b.pdf", &eight),
        ("files", "c.pdf", &eight),
        ("files", "evil.png", b"<html>"),
    ];
    let blobs = d.app.rt.blobs.objects.borrow().len();
    let refused =
        ada.post_multipart_streamed("/tickets/1/reply", &[("body", "Here are the logs, all of them.")], &files, &[]);
    assert_eq!(refused.status, 422);
    assert!(refused.header("content-type").unwrap().starts_with("text/html"));
    let page = body_text(&refused);
    assert!(page.contains(">Here are the logs, all of them.</textarea>"), "the text is kept: {page}");
    assert!(page.contains("big.pdf (12\u{a0}MB): larger than the 10 MB one file may be."), "{page}");
    let beyond = "c.pdf (8\u{a0}MB): with the files before it, more than the 20 MB a message's files may be together.";
    assert!(page.contains(beyond), "{page}");
    assert!(page.contains("evil.png: the file's content does not match its type."), "{page}");
    assert!(!page.contains("a.pdf (") && !page.contains("b.pdf ("), "the files that fit are not blamed: {page}");
    assert_eq!(d.count("SELECT COUNT(*) AS n FROM messages"), 1, "nothing stored");
    assert_eq!(d.app.rt.blobs.objects.borrow().len(), blobs);

    // In the reader's language (a signed-in person's saved one), and the same for a new
    // ticket's form, its size with a decimal comma.
    d.app.execute("UPDATE accounts SET language = 'da' WHERE email = 'ada@alpha.example'", Vec::new());
    let mut odd = pdf_of(10);
    odd.resize(odd.len() + 512 * 1024, b' ');
    let danish = ada.post_multipart_streamed(
        "/tickets/new",
        &[("subject", "Logs"), ("description", "Se vedhæftede filer.")],
        &[("files", "big.pdf", &odd)],
        &[("accept-language", "da")],
    );
    assert_eq!(danish.status, 422);
    let page = body_text(&danish);
    assert!(page.contains(r#"value="Logs""#) && page.contains(">Se vedhæftede filer.</textarea>"), "{page}");
    assert!(page.contains("big.pdf (10,5\u{a0}MB): større end de 10 MB, én fil må fylde."), "{page}");
    assert_eq!(d.count("SELECT COUNT(*) AS n FROM tickets"), 1);

    // Files within the caps still go through the same reader.
    let kept = ada.post_multipart_streamed("/tickets/1/reply", &[("body", "Two logs.")], &files[1..3], &[]);
    assert_eq!(kept.status, 303, "{}", body_text(&kept));
    assert_eq!(d.count("SELECT COUNT(*) AS n FROM attachments"), 2);
}

#[test]
fn a_refused_request_marks_its_fields_and_keeps_what_was_typed() {
    let d = desk();
    let ada = d.join("Ada", "ada@alpha.example", &d.alpha);
    assert_eq!(ada.get("/tickets/new").status, 200);
    let refused = ada.post_multipart(
        "/tickets/new",
        &[("subject", "  "), ("description", "The loader beeps twice.")],
        &[("files", "evil.png", b"<html></html>")],
    );
    assert_eq!(refused.status, 422);
    let page = body_text(&refused);
    let summary = &page[page.find(r#"<div class="error-summary""#).expect("a summary")..];
    assert!(summary.contains(r##"<a href="#subject">"##) && summary.contains(r##"<a href="#files">"##), "{page}");
    assert!(!summary.contains(r##"<a href="#description">"##), "{page}");
    assert!(page.contains(r#"id="subject-error""#) && page.contains(r#"id="files-error""#), "{page}");
    assert!(page.contains(r#"aria-describedby="files-hint files-error""#), "the hint and the error: {page}");
    assert!(page.contains("The loader beeps twice.</textarea>"), "the description is kept: {page}");
    assert_eq!(d.count("SELECT COUNT(*) AS n FROM tickets"), 0);
}

#[test]
fn a_refused_reply_keeps_its_text_and_says_which_file_beside_the_file_field() {
    let d = desk();
    let ada = d.join("Ada", "ada@alpha.example", &d.alpha);
    submit(&ada, "Manual", "Need the manual.", &[]);
    let refused =
        ada.post_multipart("/tickets/1/reply", &[("body", "Here it is.")], &[("files", "evil.png", b"<html></html>")]);
    assert_eq!(refused.status, 422);
    let page = body_text(&refused);
    let error = &page[page.find(r#"<p class="error-message" id="files-error">"#).expect("beside the field")..];
    assert!(error[..error.find("</p>").unwrap()].contains("evil.png"), "{error}");
    assert!(page.contains("Here it is.</textarea>"), "{page}");
}
