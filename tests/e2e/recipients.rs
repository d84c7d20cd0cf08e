//! Recipient flows on real workerd with local D1: joining by invitation, signing in and out,
//! resetting a password through the dev mailbox, and the hostile cases that depend on D1
//! behaving as `SQLite` does in tests (single-use links in batches, rate limits, revocation).

use std::collections::HashMap;

use super::client::{multipart_body, send, Call, Reply};
use super::{server, unique, Server};
use serde_json::json;

const PASSWORD: &str = "correct horse battery";

/// A browser on one portal host: its cookies, and forms sent with its CSRF token.
pub(super) struct Browser<'a> {
    server: &'a Server,
    host: String,
    pub(super) cookies: HashMap<String, String>,
}

impl<'a> Browser<'a> {
    pub(super) fn new(server: &'a Server, host: &str) -> Browser<'a> {
        Browser { server, host: host.to_owned(), cookies: HashMap::new() }
    }

    pub(super) fn request(
        &mut self,
        method: &str,
        path: &str,
        mut headers: Vec<(&str, String)>,
        body: Vec<u8>,
    ) -> Reply {
        let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        if !cookie.is_empty() {
            headers.push(("cookie", cookie));
        }
        let reply = send(self.server.port, &Call { method, path, host: &self.host, headers, body });
        for (name, value) in &reply.headers {
            if name.eq_ignore_ascii_case("set-cookie") {
                let (key, val) = value.split(';').next().unwrap().split_once('=').unwrap();
                if value.contains("Max-Age=0") {
                    self.cookies.remove(key);
                } else {
                    self.cookies.insert(key.to_owned(), val.to_owned());
                }
            }
        }
        reply
    }

    /// The form token of this browser: a portal's, or the console's.
    fn csrf(&self) -> String {
        self.cookies.get("porch_csrf").or_else(|| self.cookies.get("porch_console_csrf")).cloned().unwrap_or_default()
    }

    pub(super) fn get(&mut self, path: &str) -> Reply {
        self.request("GET", path, vec![], vec![])
    }

    /// A `multipart/form-data` POST with this browser's CSRF token: fields, then files as
    /// (field name, filename, bytes).
    pub(super) fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Reply {
        let csrf = self.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        let (content_type, body) = multipart_body(&all, files);
        self.request("POST", path, vec![("content-type", content_type)], body)
    }

    pub(super) fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let csrf = self.csrf();
        let mut pairs = vec![format!("csrf={csrf}")];
        for (key, value) in fields {
            let encoded: String = value
                .bytes()
                .map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") })
                .collect();
            pairs.push(format!("{key}={encoded}"));
        }
        let body = pairs.join("&");
        self.request(
            "POST",
            path,
            vec![("content-type", "application/x-www-form-urlencoded".to_owned())],
            body.into_bytes(),
        )
    }
}

/// The path of a portal URL (`http://host[:port]/path` -> `/path`).
pub(super) fn path_of(url: &str) -> String {
    let after_scheme = url.split_once("://").unwrap().1;
    format!("/{}", after_scheme.split_once('/').unwrap().1)
}

pub(super) struct Portal {
    pub(super) tenant: String,
    pub(super) key: String,
    pub(super) id: String,
    pub(super) host: String,
}

pub(super) fn portal(s: &Server, label: &str) -> Portal {
    let (tenant, key) = s.tenant(label);
    let (id, host, _) = s.portal(&tenant, &key, label);
    let terms = s.api(
        "PATCH",
        &format!("/api/v1/tenants/{tenant}/portals/{id}"),
        &key,
        Some(json!({"terms_text": "Use the portal kindly.", "consent_text": "We keep your name and email."})),
    );
    assert_eq!(terms.status, 200, "{}", terms.text());
    Portal { tenant, key, id, host }
}

impl Portal {
    pub(super) fn invitation(&self, s: &Server, body: serde_json::Value) -> String {
        let created = s.api(
            "POST",
            &format!("/api/v1/tenants/{}/portals/{}/invitations", self.tenant, self.id),
            &self.key,
            Some(body),
        );
        assert_eq!(created.status, 201, "{}", created.text());
        path_of(created.json()["url"].as_str().unwrap())
    }

    pub(super) fn join<'a>(&self, s: &'a Server, name: &str, email: &str) -> Browser<'a> {
        self.join_with(s, json!({}), name, email)
    }

    /// A signed-in browser of a new member of `customer`.
    pub(super) fn member<'a>(&self, s: &'a Server, customer: &str, email: &str) -> Browser<'a> {
        self.join_with(s, json!({ "customer_id": customer }), "Member", email)
    }

    /// A new customer of the portal's tenant, its id.
    pub(super) fn customer(&self, s: &Server, name: &str) -> String {
        let created = s.api(
            "POST",
            &format!("/api/v1/tenants/{}/customers", self.tenant),
            &self.key,
            Some(json!({ "name": name })),
        );
        assert_eq!(created.status, 201, "{}", created.text());
        created.json()["customer"]["id"].as_str().unwrap().to_owned()
    }

    fn join_with<'a>(&self, s: &'a Server, invitation: serde_json::Value, name: &str, email: &str) -> Browser<'a> {
        let link = self.invitation(s, invitation);
        let mut browser = Browser::new(s, &self.host);
        assert_eq!(browser.get(&link).status, 200);
        let joined = browser.post(
            &link,
            &[("name", name), ("email", email), ("password", PASSWORD), ("accept_terms", "yes"), ("consent", "yes")],
        );
        assert_eq!(joined.status, 303, "{}", joined.text());
        browser
    }
}

/// The newest link to `to` of `kind` in the dev mailbox.
pub(super) fn mailed_link(s: &Server, to: &str, kind: &str) -> String {
    let mailbox = s.api("GET", "/api/v1/dev/mailbox", &s.token, None);
    assert_eq!(mailbox.status, 200, "{}", mailbox.text());
    let emails = mailbox.json()["emails"].as_array().unwrap().clone();
    let email =
        emails.iter().find(|e| e["to"] == to && e["kind"] == kind).unwrap_or_else(|| panic!("no {kind} to {to}"));
    let text = email["text"].as_str().unwrap();
    let url: String = text[text.find("http://").unwrap()..].chars().take_while(|c| !c.is_whitespace()).collect();
    path_of(&url)
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn an_invited_recipient_joins_signs_out_and_signs_in_again_on_workerd() {
    let s = server();
    let p = portal(&s, "Joinco");
    let email = format!("{}@example.com", unique("ada"));
    let mut browser = p.join(&s, "Ada", &email);
    assert!(browser.cookies.contains_key("porch_session"));
    assert!(browser.get("/").text().contains("Welcome, Ada"));

    let overview = s.api("GET", &format!("/api/v1/tenants/{}/portals/{}", p.tenant, p.id), &p.key, None).json();
    assert_eq!(overview["portal"]["admins"][0]["email"], email.as_str());
    assert_eq!(overview["portal"]["invitations"][0]["status"], "accepted");

    let out = browser.post("/sign-out", &[]);
    assert_eq!(out.status, 303);
    assert!(!browser.get("/").text().contains("Welcome, Ada"));
    let wrong = browser.post("/sign-in", &[("email", &email), ("password", "not my password")]);
    assert_eq!(wrong.status, 401);
    let back = browser.post("/sign-in", &[("email", &email), ("password", PASSWORD)]);
    assert_eq!(back.status, 303, "{}", back.text());
    assert!(browser.get("/users").text().contains(&email), "the first to join administers the portal");
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn a_password_reset_link_from_the_dev_mailbox_works_once_and_ends_the_old_session() {
    let s = server();
    let p = portal(&s, "Resetco");
    let email = format!("{}@example.com", unique("grace"));
    let mut old = p.join(&s, "Grace", &email);
    let mut browser = Browser::new(&s, &p.host);
    browser.get("/forgot-password");
    assert_eq!(browser.post("/forgot-password", &[("email", &email)]).status, 200);
    let link = mailed_link(&s, &email, "password_reset");
    assert_eq!(browser.get(&link).status, 200);
    assert_eq!(browser.post(&link, &[("password", "a new long passphrase")]).status, 303);
    assert!(browser.get("/").text().contains("Welcome, Grace"));
    assert!(!old.get("/").text().contains("Welcome, Grace"), "the other session ended");
    assert_eq!(browser.get(&link).status, 410);
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn reused_links_missing_csrf_foreign_cookies_and_preview_writes_are_refused_on_workerd() {
    let s = server();
    let p = portal(&s, "Hostileco");
    let other = portal(&s, "Otherco");
    let email = format!("{}@example.com", unique("ada"));
    let link = p.invitation(&s, json!({}));
    let mut first = Browser::new(&s, &p.host);
    first.get(&link);
    let fields =
        [("name", "Ada"), ("email", email.as_str()), ("password", PASSWORD), ("accept_terms", "y"), ("consent", "y")];
    let no_csrf = first.request(
        "POST",
        &link,
        vec![("content-type", "application/x-www-form-urlencoded".to_owned())],
        format!("name=Ada&email={email}&password=correct+horse+battery&accept_terms=y&consent=y").into_bytes(),
    );
    assert_eq!(no_csrf.status, 403);
    assert_eq!(first.post(&link, &fields).status, 303);
    let mut second = Browser::new(&s, &p.host);
    assert_eq!(second.get(&link).status, 410, "an invitation works once");

    let mut elsewhere = Browser::new(&s, &other.host);
    elsewhere.cookies.insert("porch_session".into(), first.cookies["porch_session"].clone());
    assert!(!elsewhere.get("/").text().contains("Ada"), "a cookie of one portal is nothing on another");

    let account = s.api("GET", &format!("/api/v1/tenants/{}/portals/{}/users", p.tenant, p.id), &p.key, None).json()
        ["users"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let preview = s.api(
        "POST",
        &format!("/api/v1/tenants/{}/portals/{}/previews", p.tenant, p.id),
        &p.key,
        Some(json!({"account_id": account})),
    );
    assert_eq!(preview.status, 201, "{}", preview.text());
    let mut staff = Browser::new(&s, &p.host);
    let preview_link = path_of(preview.json()["preview"]["url"].as_str().unwrap());
    assert_eq!(staff.get(&preview_link).status, 200, "a button, so link scanners cannot spend it");
    assert_eq!(staff.post(&preview_link, &[]).status, 303);
    assert!(staff.get("/").text().contains("Preview"));
    staff.get("/users");
    assert_eq!(staff.post("/users/invite", &[("email", "x@example.com"), ("role", "admin")]).status, 403);

    let removed =
        s.api("DELETE", &format!("/api/v1/tenants/{}/portals/{}/users/{account}", p.tenant, p.id), &p.key, None);
    assert_eq!(removed.status, 409, "the last admin stays");
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn sign_in_attempts_past_the_limit_are_refused_even_with_the_right_password() {
    let s = server();
    let p = portal(&s, "Limitco");
    let email = format!("{}@example.com", unique("eve"));
    p.join(&s, "Eve", &email);
    let mut browser = Browser::new(&s, &p.host);
    browser.get("/sign-in");
    for _ in 0..10 {
        assert_eq!(browser.post("/sign-in", &[("email", &email), ("password", "a wrong guess")]).status, 401);
    }
    assert_eq!(browser.post("/sign-in", &[("email", &email), ("password", PASSWORD)]).status, 429);
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn self_registration_creates_the_account_on_the_page_the_emailed_link_opens() {
    let s = server();
    let p = portal(&s, "Openco");
    let open = s.api(
        "PATCH",
        &format!("/api/v1/tenants/{}/portals/{}", p.tenant, p.id),
        &p.key,
        Some(json!({"join_policy": "open"})),
    );
    assert_eq!(open.status, 200, "{}", open.text());
    let email = format!("{}@example.com", unique("reg"));
    let mut browser = Browser::new(&s, &p.host);
    assert_eq!(browser.get("/register").status, 200);
    assert_eq!(browser.post("/register", &[("name", "Reggie"), ("email", &email)]).status, 200);
    assert_eq!(browser.post("/sign-in", &[("email", &email), ("password", PASSWORD)]).status, 401, "no account yet");
    let link = mailed_link(&s, &email, "verification");
    assert_eq!(browser.get(&link).status, 200);
    let fields = [("name", "Reggie"), ("password", PASSWORD), ("accept_terms", "y"), ("consent", "y")];
    assert_eq!(browser.post(&link, &fields).status, 303);
    assert!(browser.get("/").text().contains("Welcome, Reggie"));
    assert_eq!(browser.post(&link, &fields).status, 410, "the link works once");
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn the_portal_admin_promotes_and_removes_users_and_a_removed_users_session_ends() {
    let s = server();
    let p = portal(&s, "Usersco");
    let admin_email = format!("{}@example.com", unique("ada"));
    let member_email = format!("{}@example.com", unique("bob"));
    let mut admin = p.join(&s, "Ada", &admin_email);
    let mut member = p.join(&s, "Bob", &member_email);
    assert_eq!(member.get("/users").status, 403);
    let users = s.api("GET", &format!("/api/v1/tenants/{}/portals/{}/users", p.tenant, p.id), &p.key, None).json();
    let id_of = |email: &str| {
        users["users"].as_array().unwrap().iter().find(|u| u["email"] == email).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (ada, bob) = (id_of(&admin_email), id_of(&member_email));
    admin.get("/users");
    assert_eq!(admin.post(&format!("/users/{ada}/role"), &[("role", "member")]).status, 409, "the last admin stays");
    let promoted = admin.post(&format!("/users/{bob}/role"), &[("role", "admin")]);
    assert_eq!(promoted.status, 200, "{}", promoted.text());
    assert_eq!(member.get("/users").status, 200, "the new role applies on the next request");
    assert_eq!(admin.post(&format!("/users/{bob}/remove"), &[]).status, 200);
    assert!(!member.get("/").text().contains("Welcome, Bob"), "a removed user's session ends at once");
}
