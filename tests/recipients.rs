//! Recipients, in process on real `SQLite`: joining by invitation and by registration, signing
//! in and out, password reset, sessions, the portal admin's Users page and "view as"
//! previews, including the hostile cases (reused, expired and forged links, missing CSRF,
//! rate limits, cookies carried to another portal, removed users, writes in a preview).

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::too_many_lines)]

use crate::common;

use common::browser::{encode, Browser};
use common::{body_text, spawn_app, TestApp};
use porch_core::http::{Method, Request};
use serde_json::json;

/// A tenant with one portal `acme` (host `acme.portals.localhost`), with terms and consent.
struct Fixture {
    app: TestApp,
    tenant: String,
    key: String,
    portal: String,
}

const HOST: &str = "acme.portals.localhost";
const PASSWORD: &str = "correct horse battery";

fn fixture_with(portal: &serde_json::Value) -> Fixture {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    // A pipeline, so the portal may offer the support form (as every portal did by default).
    let pipeline = json!({ "name": "Support", "stages": [{ "name": "New" }, { "name": "Solved", "closed": true }] });
    let (status, created) =
        app.api_as(Some(&key), Method::Post, &format!("/api/v1/tenants/{tenant}/pipelines"), &pipeline);
    assert_eq!(status, 201, "{created}");
    let portal = app.new_portal(&key, &tenant, portal);
    Fixture { app, tenant, key, portal }
}

fn fixture() -> Fixture {
    fixture_with(&json!({
        "slug": "acme", "name": "Acme Support",
        "terms_text": "Be kind to the machines.", "consent_text": "We keep your name and email."
    }))
}

impl Fixture {
    fn portal_path(&self, rest: &str) -> String {
        format!("/api/v1/tenants/{}/portals/{}{rest}", self.tenant, self.portal)
    }

    /// An invitation link path (`/invite/<token>`) made through the API.
    fn invite(&self, body: &serde_json::Value) -> String {
        let (status, created) = self.app.api_as(Some(&self.key), Method::Post, &self.portal_path("/invitations"), body);
        assert_eq!(status, 201, "{created}");
        let url = created["url"].as_str().unwrap();
        assert!(url.starts_with("http://acme.portals.localhost/invite/"), "{url}");
        url.trim_start_matches("http://acme.portals.localhost").to_owned()
    }

    /// A new browser that accepts a fresh invitation as `name <email>`.
    fn join(&self, name: &str, email: &str) -> Browser<'_> {
        let link = self.invite(&json!({}));
        let browser = Browser::new(&self.app, HOST);
        assert_eq!(browser.get(&link).status, 200);
        let joined = browser.post(
            &link,
            &[("name", name), ("email", email), ("password", PASSWORD), ("accept_terms", "yes"), ("consent", "yes")],
        );
        assert_eq!(joined.status, 303, "{}", body_text(&joined));
        browser
    }

    /// The newest email of `kind` to `to`, and the path of the first portal link in it.
    fn mailed_link(&self, to: &str, kind: &str) -> String {
        let rows = self.app.sql(
            "SELECT text_body FROM outbox WHERE to_email = ?1 AND kind = ?2 ORDER BY created_at DESC, rowid DESC LIMIT 1",
            vec![to.into(), kind.into()],
        );
        let text =
            rows.first().unwrap_or_else(|| panic!("no {kind} email to {to}"))["text_body"].as_str().unwrap().to_owned();
        let start = text.find("http://acme.portals.localhost/").unwrap();
        let link: String = text[start..].chars().take_while(|c| !c.is_whitespace()).collect();
        link.trim_start_matches("http://acme.portals.localhost").to_owned()
    }

    fn account(&self, email: &str) -> serde_json::Value {
        self.app.sql("SELECT * FROM accounts WHERE email = ?1", vec![email.into()]).into_iter().next().unwrap()
    }

    fn count(&self, sql: &'static str) -> i64 {
        self.app.sql(sql, Vec::new())[0]["n"].as_i64().unwrap()
    }
}

// Invitations -----------------------------------------------------------------------------

#[test]
fn an_invitation_link_lets_a_recipient_join_and_the_first_to_accept_becomes_the_portal_admin() {
    let f = fixture();
    let link = f.invite(&json!({ "role": "member" }));
    let browser = Browser::new(&f.app, HOST);
    let form = body_text(&browser.get(&link));
    assert!(form.contains("Be kind to the machines.") && form.contains("We keep your name and email."), "{form}");
    assert!(form.contains(r#"name="csrf""#));

    let without_terms = browser
        .post(&link, &[("name", "Ada"), ("email", "ada@example.com"), ("password", PASSWORD), ("consent", "yes")]);
    assert_eq!(without_terms.status, 422);
    assert!(body_text(&without_terms).contains("You must accept the terms"));
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM accounts"), 0);

    let joined = browser.post(
        &link,
        &[
            ("name", "Ada"),
            ("email", "Ada@Example.com"),
            ("password", PASSWORD),
            ("accept_terms", "yes"),
            ("consent", "yes"),
        ],
    );
    assert_eq!(joined.status, 303);
    assert_eq!(joined.header("location"), Some("/"));
    let cookie = joined.headers.iter().find(|(n, _)| n == "set-cookie").unwrap().1.clone();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.starts_with("porch_session="));
    assert!(browser.signed_in_as("Ada"));

    let ada = f.account("ada@example.com");
    assert_eq!(ada["role"], "admin", "the first to accept becomes admin even from a member invitation");
    assert_eq!(ada["terms_version"], 1);
    assert!(ada["email_verified_at"].is_null(), "a link sent to nobody in particular proves no address");
    assert_eq!(ada["consent_version"], 1);
    assert!(ada["consent_given_at"].as_i64().is_some() && ada["terms_accepted_at"].as_i64().is_some());
    assert!(!ada["password_hash"].as_str().unwrap().contains(PASSWORD));

    let (_, portal) = f.app.api_as(Some(&f.key), Method::Get, &f.portal_path(""), &json!(null));
    assert_eq!(portal["portal"]["admins"][0]["name"], "Ada");
    assert_eq!(portal["portal"]["invitations"][0]["status"], "accepted");
    assert_eq!(portal["portal"]["invitations"][0]["accepted_by"]["name"], "Ada");

    f.join("Grace", "grace@example.com");
    assert_eq!(f.account("grace@example.com")["role"], "member");
}

#[test]
fn an_invitation_link_works_once_and_never_when_reused_expired_revoked_or_forged() {
    let f = fixture();
    let link = f.invite(&json!({}));
    let first = Browser::new(&f.app, HOST);
    first.get(&link);
    let fields = [
        ("name", "Ada"),
        ("email", "ada@example.com"),
        ("password", PASSWORD),
        ("accept_terms", "y"),
        ("consent", "y"),
    ];
    assert_eq!(first.post(&link, &fields).status, 303);
    let second = Browser::new(&f.app, HOST);
    assert_eq!(second.get(&link).status, 410, "used");
    second.get("/sign-in");
    let reuse = second.post(&link, &[("name", "Eve"), ("email", "eve@example.com"), ("password", PASSWORD)]);
    assert_eq!(reuse.status, 410);

    let expiring = f.invite(&json!({ "expires_in_hours": 1 }));
    f.app.rt.advance_seconds(3601);
    assert_eq!(second.get(&expiring).status, 410, "expired");

    let revoked = f.invite(&json!({}));
    let (_, list) = f.app.api_as(Some(&f.key), Method::Get, &f.portal_path("/invitations"), &json!(null));
    let pending = list["invitations"].as_array().unwrap().iter().find(|i| i["status"] == "pending").unwrap();
    let path = f.portal_path(&format!("/invitations/{}", pending["id"].as_str().unwrap()));
    assert_eq!(f.app.api_as(Some(&f.key), Method::Delete, &path, &json!(null)).0, 204);
    assert_eq!(second.get(&revoked).status, 410, "revoked");
    assert_eq!(f.app.api_as(Some(&f.key), Method::Delete, &path, &json!(null)).0, 409, "revoked twice");

    for forged in ["/invite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/invite/short", "/invite/%27%20OR%201%3D1"] {
        assert_eq!(second.get(forged).status, 410, "{forged}");
    }
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM accounts"), 1);
}

#[test]
fn an_invitation_bound_to_an_email_creates_the_account_for_that_email_only() {
    let f = fixture();
    let link = f.invite(&json!({ "email": "bound@example.com", "send_email": false }));
    let browser = Browser::new(&f.app, HOST);
    browser.get(&link);
    let joined = browser.post(
        &link,
        &[
            ("name", "B"),
            ("email", "other@example.com"),
            ("password", PASSWORD),
            ("accept_terms", "y"),
            ("consent", "y"),
        ],
    );
    assert_eq!(joined.status, 303);
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM accounts WHERE email = 'bound@example.com'"), 1);
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM outbox"), 0, "send_email false");
}

#[test]
fn an_invitation_with_an_email_is_mailed_branded_in_the_portal_language() {
    let f = fixture_with(&json!({ "slug": "acme", "name": "Acme Service", "default_language": "da" }));
    f.invite(&json!({ "email": "kunde@example.com" }));
    let rows = f.app.sql("SELECT subject, html_body, kind FROM outbox", Vec::new());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["kind"], "invitation");
    assert!(rows[0]["subject"].as_str().unwrap().contains("Acme Service"));
    let link = f.mailed_link("kunde@example.com", "invitation");
    assert!(link.starts_with("/invite/"));
}

// CSRF and origins ------------------------------------------------------------------------

#[test]
fn a_form_without_its_csrf_token_or_posted_from_another_site_is_refused_and_changes_nothing() {
    let f = fixture();
    let link = f.invite(&json!({}));
    let browser = Browser::new(&f.app, HOST);
    browser.get(&link);
    let fields = [
        ("name", "Ada"),
        ("email", "ada@example.com"),
        ("password", PASSWORD),
        ("accept_terms", "y"),
        ("consent", "y"),
    ];
    let no_token = browser.post_raw(&link, &fields);
    assert_eq!(no_token.status, 403);
    assert!(body_text(&no_token).contains("The form has expired"));
    let mut wrong = vec![("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")];
    wrong.extend_from_slice(&fields);
    assert_eq!(browser.post_raw(&link, &wrong).status, 403);
    let csrf = browser.csrf();
    let mut right = vec![("csrf", csrf.as_str())];
    right.extend_from_slice(&fields);
    let body = right.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
    let cross_site = browser.send(
        Request::new(Method::Post, &link)
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_header("origin", "https://evil.example")
            .with_body(body),
    );
    assert_eq!(cross_site.status, 403);
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM accounts"), 0);
    assert_eq!(browser.get(&link).status, 200, "the invitation is still pending");
}

// Sign in and out -------------------------------------------------------------------------

#[test]
fn a_wrong_email_and_a_wrong_password_get_the_same_answer() {
    let f = fixture();
    f.join("Ada", "ada@example.com");
    let browser = Browser::new(&f.app, HOST);
    browser.get("/sign-in");
    let wrong_password = browser.post("/sign-in", &[("email", "ada@example.com"), ("password", "not the password")]);
    let unknown = browser.post("/sign-in", &[("email", "nobody@example.com"), ("password", "not the password")]);
    assert_eq!(wrong_password.status, 401);
    assert_eq!(unknown.status, 401);
    assert_eq!(
        body_text(&wrong_password).replace("ada@example.com", ""),
        body_text(&unknown).replace("nobody@example.com", "")
    );
    assert!(browser.session().is_none());
}

#[test]
fn signing_in_starts_a_new_session_and_returns_only_to_a_page_of_the_same_portal() {
    let f = fixture();
    let first = f.join("Ada", "ada@example.com");
    let browser = Browser::new(&f.app, HOST);
    assert!(body_text(&browser.get("/sign-in?return_to=/users")).contains(r#"value="/users""#));
    let evil = body_text(&browser.get("/sign-in?return_to=https://evil.example/"));
    assert!(!evil.contains("evil.example"));
    let signed_in =
        browser.post("/sign-in", &[("email", "ada@example.com"), ("password", PASSWORD), ("return_to", "/users")]);
    assert_eq!(signed_in.status, 303);
    assert_eq!(signed_in.header("location"), Some("/users"));
    assert_ne!(browser.session(), first.session(), "every sign-in gets a new token");
    let offsite = browser
        .post("/sign-in", &[("email", "ada@example.com"), ("password", PASSWORD), ("return_to", "//evil.example")]);
    assert_eq!(offsite.header("location"), Some("/"));
    assert_eq!(browser.get("/users").status, 200);
}

#[test]
fn sign_in_is_rate_limited_per_account_even_with_the_right_password() {
    let f = fixture();
    f.join("Ada", "ada@example.com");
    let browser = Browser::new(&f.app, HOST);
    browser.get("/sign-in");
    for _ in 0..10 {
        assert_eq!(browser.post("/sign-in", &[("email", "ada@example.com"), ("password", "wrong guess!")]).status, 401);
    }
    let limited = browser.post("/sign-in", &[("email", "ada@example.com"), ("password", PASSWORD)]);
    assert_eq!(limited.status, 429);
    assert!(browser.session().is_none());
    f.app.rt.advance_seconds(900);
    assert_eq!(browser.post("/sign-in", &[("email", "ada@example.com"), ("password", PASSWORD)]).status, 303);
}

#[test]
fn signing_out_revokes_the_session_at_once() {
    let f = fixture();
    let browser = f.join("Ada", "ada@example.com");
    let stolen = browser.session().unwrap();
    assert!(body_text(&browser.get("/")).contains(r#"<form method="post" action="/sign-out">"#), "one click away");
    let out = browser.post("/sign-out", &[]);
    assert_eq!(out.status, 303);
    assert_eq!(out.header("location"), Some("/signed-out"));
    assert!(browser.session().is_none());
    let replay = Browser::new(&f.app, HOST);
    replay.cookies.borrow_mut().insert("porch_session".into(), stolen);
    assert!(!replay.signed_in_as("Ada"));
    let users = replay.get("/users");
    assert_eq!(users.status, 303);
    assert_eq!(users.header("location"), Some("/sign-in?return_to=/users"));
}

#[test]
fn a_session_cookie_of_one_portal_means_nothing_on_another() {
    let f = fixture();
    f.app.new_portal(&f.key, &f.tenant, &json!({ "slug": "other", "name": "Other" }));
    let browser = f.join("Ada", "ada@example.com");
    let other = Browser::new(&f.app, "other.portals.localhost");
    other.cookies.borrow_mut().insert("porch_session".into(), browser.session().unwrap());
    assert!(!body_text(&other.get("/")).contains("Ada"));
    assert_eq!(other.get("/users").status, 303);
}

#[test]
fn sessions_end_after_the_idle_timeout_and_the_absolute_lifetime() {
    let f = fixture_with(
        &json!({ "slug": "acme", "name": "Acme", "idle_timeout_minutes": 10, "session_lifetime_hours": 1 }),
    );
    let browser = f.join("Ada", "ada@example.com");
    f.app.rt.advance_seconds(9 * 60);
    assert!(browser.signed_in_as("Ada"), "activity within the idle timeout");
    f.app.rt.advance_seconds(9 * 60);
    assert!(browser.signed_in_as("Ada"), "the idle clock restarted");
    f.app.rt.advance_seconds(11 * 60);
    assert!(!browser.signed_in_as("Ada"), "idle too long");
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM sessions"), 0, "the expired session is deleted");

    browser.get("/sign-in");
    browser.post("/sign-in", &[("email", "ada@example.com"), ("password", PASSWORD)]);
    for _ in 0..7 {
        f.app.rt.advance_seconds(9 * 60);
        browser.get("/");
    }
    assert!(!browser.signed_in_as("Ada"), "past the absolute lifetime despite activity");
}

// Password reset --------------------------------------------------------------------------

#[test]
fn a_reset_link_sets_a_new_password_once_and_ends_every_other_session() {
    let f = fixture();
    let old_browser = f.join("Ada", "ada@example.com");
    let browser = Browser::new(&f.app, HOST);
    browser.get("/forgot-password");
    let asked = browser.post("/forgot-password", &[("email", "ada@example.com")]);
    let unknown = browser.post("/forgot-password", &[("email", "nobody@example.com")]);
    assert_eq!(asked.status, 200);
    assert_eq!(body_text(&asked), body_text(&unknown), "the answer never tells whether an account exists");
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'password_reset'"), 1);

    let link = f.mailed_link("ada@example.com", "password_reset");
    assert_eq!(browser.get(&link).status, 200);
    assert_eq!(browser.post(&link, &[("password", "short")]).status, 422);
    let reset = browser.post(&link, &[("password", "a brand new passphrase")]);
    assert_eq!(reset.status, 303);
    assert!(browser.signed_in_as("Ada"));
    assert!(!old_browser.signed_in_as("Ada"), "the other session ended");
    assert_eq!(browser.get(&link).status, 410, "single use");

    let fresh = Browser::new(&f.app, HOST);
    fresh.get("/sign-in");
    assert_eq!(fresh.post("/sign-in", &[("email", "ada@example.com"), ("password", PASSWORD)]).status, 401);
    assert_eq!(
        fresh.post("/sign-in", &[("email", "ada@example.com"), ("password", "a brand new passphrase")]).status,
        303
    );
}

#[test]
fn a_reset_link_expires_after_thirty_minutes() {
    let f = fixture();
    f.join("Ada", "ada@example.com");
    let browser = Browser::new(&f.app, HOST);
    browser.get("/forgot-password");
    browser.post("/forgot-password", &[("email", "ada@example.com")]);
    let link = f.mailed_link("ada@example.com", "password_reset");
    f.app.rt.advance_seconds(31 * 60);
    assert_eq!(browser.get(&link).status, 410);
    assert_eq!(browser.post(&link, &[("password", "a brand new passphrase")]).status, 410);
}

#[test]
fn reset_requests_past_the_limit_send_nothing_more_and_answer_the_same() {
    let f = fixture();
    f.join("Ada", "ada@example.com");
    let browser = Browser::new(&f.app, HOST);
    browser.get("/forgot-password");
    for _ in 0..5 {
        assert_eq!(browser.post("/forgot-password", &[("email", "ada@example.com")]).status, 200);
    }
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'password_reset'"), 3);
}

// Registration ----------------------------------------------------------------------------

#[test]
fn an_invitation_only_portal_has_no_registration() {
    let f = fixture();
    let browser = Browser::new(&f.app, HOST);
    assert_eq!(browser.get("/register").status, 403);
    let attempt = browser.post("/register", &[("name", "Eve"), ("email", "eve@example.com")]);
    assert_eq!(attempt.status, 403);
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM accounts"), 0);
}

#[test]
fn self_registration_opens_the_account_only_from_the_emailed_link() {
    let f = fixture_with(&json!({ "slug": "acme", "name": "Acme", "join_policy": "open", "terms_text": "Be kind." }));
    let browser = Browser::new(&f.app, HOST);
    let form = body_text(&browser.get("/register"));
    assert!(!form.contains(r#"name="password""#), "the password is chosen on the page the link opens");
    let registered = browser.post("/register", &[("name", "Reg"), ("email", "reg@example.com")]);
    assert_eq!(registered.status, 200);
    assert!(body_text(&registered).contains("Check your email"));
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM accounts"), 0, "no account before the link is used");

    let link = f.mailed_link("reg@example.com", "verification");
    let page = body_text(&browser.get(&link));
    assert!(page.contains(r#"value="Reg""#) && page.contains("reg@example.com") && page.contains("Be kind."), "{page}");
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM accounts"), 0, "a GET changes nothing");
    let without_terms = browser.post(&link, &[("name", "Reg"), ("password", PASSWORD)]);
    assert_eq!(without_terms.status, 422);
    let opened = browser.post(&link, &[("name", "Regina"), ("password", PASSWORD), ("accept_terms", "y")]);
    assert_eq!(opened.status, 303);
    assert!(browser.signed_in_as("Regina"));
    let reg = f.account("reg@example.com");
    assert_eq!(reg["role"], "member", "registrants never become admin by being first");
    assert!(reg["email_verified_at"].as_i64().is_some() && reg["terms_version"] == 1);
    assert_eq!(browser.post(&link, &[("name", "R"), ("password", PASSWORD), ("accept_terms", "y")]).status, 410);

    let again = Browser::new(&f.app, HOST);
    again.get("/register");
    let taken = again.post("/register", &[("name", "Eve"), ("email", "reg@example.com")]);
    assert_eq!(body_text(&taken), body_text(&registered), "a taken address gets the same answer");
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'already_registered'"), 1);
}

#[test]
fn registering_someone_elses_address_gives_no_account_and_no_say_over_its_password() {
    let f = fixture_with(&json!({ "slug": "acme", "name": "Acme", "join_policy": "open" }));
    let mallory = Browser::new(&f.app, HOST);
    mallory.get("/register");
    assert_eq!(mallory.post("/register", &[("name", "Mallory"), ("email", "victim@example.com")]).status, 200);
    // The owner follows the link Mallory caused: they choose the name and the password.
    let link = f.mailed_link("victim@example.com", "verification");
    let victim = Browser::new(&f.app, HOST);
    victim.get(&link);
    assert_eq!(victim.post(&link, &[("name", "Victor"), ("password", PASSWORD)]).status, 303);
    assert_eq!(f.account("victim@example.com")["name"], "Victor");
    mallory.get("/sign-in");
    assert_eq!(
        mallory.post("/sign-in", &[("email", "victim@example.com"), ("password", "mallory's password")]).status,
        401
    );

    // An owner who ignores it can still be invited: a pending registration holds nothing.
    mallory.post("/register", &[("name", "Mallory"), ("email", "other@example.com")]);
    let invitation = f.invite(&json!({ "email": "other@example.com", "send_email": false }));
    let other = Browser::new(&f.app, HOST);
    other.get(&invitation);
    assert_eq!(other.post(&invitation, &[("name", "Olga"), ("password", PASSWORD)]).status, 303);
    assert_eq!(
        f.count("SELECT COUNT(*) AS n FROM registrations WHERE email = 'victim@example.com'"),
        0,
        "used and pending registrations of an address go once it has its account"
    );
}

#[test]
fn registration_emails_to_one_address_are_capped() {
    let f = fixture_with(&json!({ "slug": "acme", "name": "Acme", "join_policy": "open" }));
    let browser = Browser::new(&f.app, HOST);
    browser.get("/register");
    for _ in 0..6 {
        let answer =
            browser.post("/register", &[("name", "R"), ("email", "flood@example.com"), ("password", PASSWORD)]);
        assert_eq!(answer.status, 200);
    }
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM outbox WHERE to_email = 'flood@example.com'"), 3);
}

#[test]
fn registration_limited_to_lists_admits_listed_emails_and_domains_only() {
    let f = fixture_with(&json!({ "slug": "acme", "name": "Acme", "join_policy": "lists" }));
    let customer = f.app.new_customer(&f.key, &f.tenant, "Widgets Ltd");
    let list = f.portal_path("/registration-list");
    let (status, entry) = f.app.api_as(Some(&f.key), Method::Post, &list, &json!({ "email": "listed@example.com" }));
    assert_eq!(status, 201, "{entry}");
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'registration_invite'"), 1);
    let (status, _) = f.app.api_as(
        Some(&f.key),
        Method::Post,
        &list,
        &json!({ "domain": "widgets.example", "customer_id": customer }),
    );
    assert_eq!(status, 201);
    assert_eq!(f.app.api_as(Some(&f.key), Method::Post, &list, &json!({ "domain": "widgets.example" })).0, 409);
    let (status, both) =
        f.app.api_as(Some(&f.key), Method::Post, &list, &json!({ "email": "a@b.example", "domain": "b.example" }));
    assert_eq!(status, 422, "{both}");

    let browser = Browser::new(&f.app, HOST);
    browser.get("/register");
    let outsider = browser.post("/register", &[("name", "O"), ("email", "o@elsewhere.example")]);
    assert_eq!(outsider.status, 403);
    assert_eq!(browser.post("/register", &[("name", "L"), ("email", "listed@example.com")]).status, 200);
    assert_eq!(browser.post("/register", &[("name", "W"), ("email", "w@widgets.example")]).status, 200);
    let link = f.mailed_link("w@widgets.example", "verification");
    browser.get(&link);
    assert_eq!(browser.post(&link, &[("name", "W"), ("password", PASSWORD)]).status, 303);
    assert_eq!(f.account("w@widgets.example")["customer_id"], customer.as_str(), "joins the listed domain's customer");

    // Taken off the list before using the link: the link no longer opens an account.
    let listed = f.mailed_link("listed@example.com", "verification");
    let (_, entries) = f.app.api_as(Some(&f.key), Method::Get, &list, &json!(null));
    let entry = entries["entries"].as_array().unwrap().iter().find(|e| e["email"] == "listed@example.com").unwrap();
    let path = format!("{list}/{}", entry["id"].as_str().unwrap());
    assert_eq!(f.app.api_as(Some(&f.key), Method::Delete, &path, &json!(null)).0, 204);
    assert_eq!(browser.get(&listed).status, 410);
}

#[test]
fn the_same_email_on_two_tenants_portals_is_two_separate_accounts() {
    let f = fixture();
    f.join("Ada", "ada@example.com");
    let (other_tenant, other_key) = f.app.new_tenant("other-co");
    let other_portal = f.app.new_portal(&other_key, &other_tenant, &json!({ "slug": "other", "name": "Other" }));
    let (status, created) = f.app.api_as(
        Some(&other_key),
        Method::Post,
        &format!("/api/v1/tenants/{other_tenant}/portals/{other_portal}/invitations"),
        &json!({}),
    );
    assert_eq!(status, 201);
    let link = created["url"].as_str().unwrap().trim_start_matches("http://other.portals.localhost").to_owned();
    let other = Browser::new(&f.app, "other.portals.localhost");
    other.get(&link);
    assert_eq!(
        other
            .post(&link, &[("name", "Ada Two"), ("email", "ada@example.com"), ("password", "another passphrase")])
            .status,
        303
    );
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM accounts WHERE email = 'ada@example.com'"), 2);
    let without_texts = f.app.sql(
        "SELECT terms_version, terms_accepted_at, consent_given_at FROM accounts WHERE name = 'Ada Two'",
        Vec::new(),
    );
    assert!(without_texts[0]["terms_accepted_at"].is_null() && without_texts[0]["consent_given_at"].is_null());
    let here = Browser::new(&f.app, HOST);
    here.get("/sign-in");
    assert_eq!(here.post("/sign-in", &[("email", "ada@example.com"), ("password", "another passphrase")]).status, 401);
    let (_, users) = f.app.api_as(Some(&other_key), Method::Get, &f.portal_path("/users"), &json!(null));
    assert_eq!(users["error"]["code"], "not_found", "another tenant's key sees nothing of this portal");
}

// The Users page --------------------------------------------------------------------------

fn user_id(f: &Fixture, email: &str) -> String {
    f.account(email)["id"].as_str().unwrap().to_owned()
}

#[test]
fn the_portal_admin_invites_changes_roles_and_removes_users_but_never_the_last_admin() {
    let f = fixture();
    let admin = f.join("Ada", "ada@example.com");
    let member = f.join("Grace", "grace@example.com");
    assert_eq!(member.get("/users").status, 403, "members have no Users page");
    let page = body_text(&admin.get("/users"));
    assert!(page.contains("Grace") && page.contains("grace@example.com"));
    // The column is everyone's name, not the sign-up form's "Your name".
    assert!(page.contains(r#"<th scope="col">Name</th>"#) && !page.contains("Your name"), "{page}");

    let invited = admin.post("/users/invite", &[("email", "new@example.com"), ("role", "member")]);
    assert_eq!(invited.status, 200);
    assert!(body_text(&invited).contains("new@example.com"));
    let link = f.mailed_link("new@example.com", "invitation");
    assert!(link.starts_with("/invite/"));

    let ada = user_id(&f, "ada@example.com");
    let grace = user_id(&f, "grace@example.com");
    let last = admin.post(&format!("/users/{ada}/role"), &[("role", "member")]);
    assert_eq!(last.status, 409, "the last admin cannot be demoted");
    assert_eq!(admin.post(&format!("/users/{ada}/remove"), &[]).status, 409, "nor removed");
    assert_eq!(f.account("ada@example.com")["role"], "admin");

    f.app.execute("UPDATE accounts SET language = 'da' WHERE email = 'grace@example.com'", Vec::new());
    assert_eq!(admin.post(&format!("/users/{grace}/role"), &[("role", "admin")]).status, 200);
    let told = f.app.sql("SELECT subject FROM outbox WHERE kind = 'role_change'", Vec::new());
    assert_eq!(told.len(), 1);
    assert!(told[0]["subject"].as_str().unwrap().starts_with("Din rolle"), "in Grace's language: {told:?}");
    assert_eq!(member.get("/users").status, 200, "the new role applies at once");
    assert_eq!(admin.post(&format!("/users/{ada}/role"), &[("role", "member")]).status, 200);
    assert_eq!(member.post(&format!("/users/{ada}/remove"), &[]).status, 200);
    assert!(!admin.signed_in_as("Ada"), "a removed user's session ends at once");
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM audit_log WHERE action IN ('account.role', 'account.remove')"), 3);
    assert_eq!(member.post(&format!("/users/{grace}/remove"), &[]).status, 409);
}

// Previews --------------------------------------------------------------------------------

#[test]
fn a_preview_shows_the_portal_as_a_recipient_refuses_writes_and_is_audited() {
    let f = fixture();
    f.join("Ada", "ada@example.com");
    let ada = user_id(&f, "ada@example.com");
    let (status, created) =
        f.app.api_as(Some(&f.key), Method::Post, &f.portal_path("/previews"), &json!({ "account_id": ada }));
    assert_eq!(status, 201, "{created}");
    let link =
        created["preview"]["url"].as_str().unwrap().trim_start_matches("http://acme.portals.localhost").to_owned();

    let staff = Browser::new(&f.app, HOST);
    let confirm = staff.get(&link);
    assert_eq!(confirm.status, 200, "a GET only shows a button: link unfurlers must not spend it");
    assert!(body_text(&confirm).contains("Open preview"));
    assert_eq!(staff.post(&link, &[]).status, 303);
    let home = body_text(&staff.get("/"));
    assert!(home.contains("Preview: you are seeing this portal as") && home.contains("Ada"), "{home}");
    assert_eq!(staff.get("/users").status, 200, "reading is allowed");
    let write = staff.post("/users/invite", &[("email", "x@example.com"), ("role", "admin")]);
    assert_eq!(write.status, 403);
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM invitations WHERE email = 'x@example.com'"), 0);

    let (_, second) = f.app.api_as(Some(&f.key), Method::Post, &f.portal_path("/previews"), &json!({}));
    let nested =
        second["preview"]["url"].as_str().unwrap().trim_start_matches("http://acme.portals.localhost").to_owned();
    assert_eq!(staff.get(&nested).status, 403, "no preview from inside a preview");
    assert_eq!(staff.post(&nested, &[]).status, 403);
    let late = Browser::new(&f.app, HOST);
    assert_eq!(late.get(&link).status, 410, "a preview link works once");
    late.get("/sign-in");
    assert_eq!(late.post(&link, &[]).status, 410);

    let fresh = Browser::new(&f.app, HOST);
    fresh.get(&nested);
    assert_eq!(fresh.post(&nested, &[]).status, 303);
    assert!(body_text(&fresh.get("/")).contains("a new member"));
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'preview.create'"), 2);
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'preview.open'"), 2);
}

#[test]
fn a_preview_link_expires_unopened() {
    let f = fixture();
    let (_, created) = f.app.api_as(Some(&f.key), Method::Post, &f.portal_path("/previews"), &json!({}));
    let link =
        created["preview"]["url"].as_str().unwrap().trim_start_matches("http://acme.portals.localhost").to_owned();
    f.app.rt.advance_seconds(11 * 60);
    assert_eq!(Browser::new(&f.app, HOST).get(&link).status, 410);
}

// API -------------------------------------------------------------------------------------

#[test]
fn invitation_input_is_checked_field_by_field() {
    let f = fixture();
    let (status, body) = f.app.api_as(
        Some(&f.key),
        Method::Post,
        &f.portal_path("/invitations"),
        &json!({ "email": "nope", "role": "owner", "expires_in_hours": 0, "customer_id": "x" }),
    );
    assert_eq!(status, 422);
    let fields = common::error_fields(&body);
    for field in ["email", "role", "expires_in_hours", "customer_id"] {
        assert!(fields.contains(&field.to_owned()), "{field}: {body}");
    }
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM invitations"), 0);
}

#[test]
fn the_provider_removes_a_user_and_their_session_ends() {
    let f = fixture();
    f.join("Ada", "ada@example.com");
    let grace = f.join("Grace", "grace@example.com");
    let id = user_id(&f, "grace@example.com");
    let (_, users) = f.app.api_as(Some(&f.key), Method::Get, &f.portal_path("/users"), &json!(null));
    assert_eq!(users["users"].as_array().unwrap().len(), 2);
    assert!(users.to_string().find("password").is_none(), "never the password hash");
    assert_eq!(
        f.app.api_as(Some(&f.key), Method::Delete, &f.portal_path(&format!("/users/{id}")), &json!(null)).0,
        204
    );
    assert!(!grace.signed_in_as("Grace"));
    let ada = user_id(&f, "ada@example.com");
    assert_eq!(
        f.app.api_as(Some(&f.key), Method::Delete, &f.portal_path(&format!("/users/{ada}")), &json!(null)).0,
        409
    );
}

#[test]
fn malformed_emails_count_against_the_per_address_sign_in_limit() {
    let f = fixture();
    let browser = Browser::new(&f.app, HOST);
    browser.get("/sign-in");
    for _ in 0..30 {
        assert_eq!(browser.post("/sign-in", &[("email", "not-an-email"), ("password", "whatever it is")]).status, 401);
    }
    assert_eq!(browser.post("/sign-in", &[("email", "not-an-email"), ("password", "whatever it is")]).status, 429);
}

#[test]
fn an_owner_signing_in_often_is_never_locked_out_by_their_own_sign_ins() {
    let f = fixture();
    f.join("Ada", "ada@example.com");
    let browser = Browser::new(&f.app, HOST);
    browser.get("/sign-in");
    for _ in 0..12 {
        assert_eq!(browser.post("/sign-in", &[("email", "ada@example.com"), ("password", PASSWORD)]).status, 303);
    }
}

#[test]
fn a_new_password_also_ends_older_reset_links() {
    let f = fixture();
    f.join("Ada", "ada@example.com");
    let browser = Browser::new(&f.app, HOST);
    browser.get("/forgot-password");
    browser.post("/forgot-password", &[("email", "ada@example.com")]);
    let older = f.mailed_link("ada@example.com", "password_reset");
    f.app.rt.advance_seconds(1);
    browser.post("/forgot-password", &[("email", "ada@example.com")]);
    let newer = f.mailed_link("ada@example.com", "password_reset");
    assert_ne!(older, newer);
    assert_eq!(browser.post(&newer, &[("password", "a brand new passphrase")]).status, 303);
    assert_eq!(browser.get(&older).status, 410);
}

#[test]
fn removing_an_admin_revokes_the_invitations_they_sent() {
    let f = fixture();
    let ada = f.join("Ada", "ada@example.com");
    let bob = f.join("Bob", "bob@example.com");
    let bob_id = user_id(&f, "bob@example.com");
    assert_eq!(ada.post(&format!("/users/{bob_id}/role"), &[("role", "admin")]).status, 200);
    bob.get("/users");
    assert_eq!(bob.post("/users/invite", &[("email", "bob2@example.com"), ("role", "admin")]).status, 200);
    let link = f.mailed_link("bob2@example.com", "invitation");
    assert_eq!(ada.post(&format!("/users/{bob_id}/remove"), &[]).status, 200);
    assert_eq!(Browser::new(&f.app, HOST).get(&link).status, 410, "the removed admin's invitation no longer works");
}

#[test]
fn on_a_shared_portal_each_customer_has_its_own_admin_and_sees_only_its_own_people() {
    let f = fixture();
    let globex = f.app.new_customer(&f.key, &f.tenant, "Globex");
    let initech = f.app.new_customer(&f.key, &f.tenant, "Initech");
    let join_as = |name: &str, email: &str, customer: &str| {
        let link = f.invite(&json!({ "customer_id": customer }));
        let browser = Browser::new(&f.app, HOST);
        browser.get(&link);
        let fields =
            [("name", name), ("email", email), ("password", PASSWORD), ("accept_terms", "y"), ("consent", "y")];
        assert_eq!(browser.post(&link, &fields).status, 303);
        browser
    };
    let gina = join_as("Gina", "gina@globex.example", &globex);
    join_as("Gus", "gus@globex.example", &globex);
    let ivan = join_as("Ivan", "ivan@initech.example", &initech);
    assert_eq!(f.account("gina@globex.example")["role"], "admin");
    assert_eq!(f.account("gus@globex.example")["role"], "member");
    assert_eq!(f.account("ivan@initech.example")["role"], "admin", "the first of each customer administers it");

    let page = body_text(&gina.get("/users"));
    assert!(page.contains("gus@globex.example") && !page.contains("ivan@initech.example"), "{page}");
    let ivan_id = user_id(&f, "ivan@initech.example");
    assert_eq!(gina.post(&format!("/users/{ivan_id}/remove"), &[]).status, 404, "another customer's person");
    assert_eq!(gina.post(&format!("/users/{ivan_id}/role"), &[("role", "member")]).status, 404);
    assert!(ivan.signed_in_as("Ivan"));
}

#[test]
fn the_portal_admin_revokes_a_pending_invitation_from_the_users_page() {
    let f = fixture();
    let admin = f.join("Ada", "ada@example.com");
    admin.get("/users");
    admin.post("/users/invite", &[("email", "late@example.com"), ("role", "member")]);
    let link = f.mailed_link("late@example.com", "invitation");
    let id = f.app.sql("SELECT id FROM invitations WHERE email = 'late@example.com'", Vec::new())[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let member = f.join("Grace", "grace@example.com");
    member.get("/");
    assert_eq!(member.post(&format!("/users/invitations/{id}/revoke"), &[]).status, 403, "members cannot");
    assert!(body_text(&admin.get("/users")).contains(&format!("/users/invitations/{id}/revoke")));
    let revoked = admin.post(&format!("/users/invitations/{id}/revoke"), &[]);
    assert_eq!(revoked.status, 200);
    assert!(body_text(&revoked).contains("Invitation revoked: late@example.com"));
    assert_eq!(Browser::new(&f.app, HOST).get(&link).status, 410);
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'invitation.revoke'"), 1);
}

#[test]
fn a_failed_sign_in_says_what_is_wrong_at_the_top_and_at_the_field_and_keeps_the_email() {
    let f = fixture();
    f.join("Ada", "ada@example.com");
    let browser = Browser::new(&f.app, HOST);
    browser.get("/sign-in");
    let page = body_text(&browser.post("/sign-in", &[("email", "ada@example.com"), ("password", "not it")]));
    let summary = &page[page.find(r#"<div class="error-summary""#).expect("a summary")..];
    assert!(summary.contains("There is a problem") && summary.contains(r##"<a href="#email">"##), "{page}");
    assert!(page.contains(r#"<p class="error-message" id="email-error">"#), "the message beside the field: {page}");
    assert!(page.contains(r#"aria-describedby="email-error""#) && page.contains(r#"aria-invalid="true""#), "{page}");
    assert!(page.contains(r#"value="ada@example.com""#), "what was typed is kept");
}

#[test]
fn a_refused_registration_marks_each_wrong_field_and_keeps_what_was_typed() {
    let f = fixture_with(&json!({ "slug": "acme", "name": "Acme", "join_policy": "open" }));
    let browser = Browser::new(&f.app, HOST);
    browser.get("/register");
    let refused = browser.post("/register", &[("name", "Reg"), ("email", "not an address")]);
    assert_eq!(refused.status, 422);
    let page = body_text(&refused);
    assert!(
        page.contains(r##"<a href="#email">"##) && !page.contains(r##"<a href="#name">"##),
        "only the email: {page}"
    );
    assert!(page.contains(r#"id="email-error""#) && !page.contains(r#"id="name-error""#), "{page}");
    assert!(page.contains(r#"value="Reg""#) && page.contains(r#"value="not an address""#), "kept: {page}");
}

#[test]
fn an_invitation_missing_its_agreements_says_so_at_each_checkbox() {
    let f = fixture();
    let link = f.invite(&json!({}));
    let browser = Browser::new(&f.app, HOST);
    browser.get(&link);
    let refused = browser.post(&link, &[("name", "Ada"), ("email", "ada@example.com"), ("password", PASSWORD)]);
    assert_eq!(refused.status, 422);
    let page = body_text(&refused);
    for field in ["accept_terms", "consent"] {
        assert!(page.contains(&format!(r##"<a href="#{field}">"##)), "{field}: {page}");
        assert!(page.contains(&format!(r#"id="{field}-error""#)), "{field}: {page}");
    }
    assert!(page.contains(r#"value="Ada""#) && page.contains(r#"value="ada@example.com""#), "{page}");
}

#[test]
fn signing_out_is_one_post_from_the_menu_of_every_page() {
    let f = fixture();
    let browser = Browser::new(&f.app, HOST);
    // Signed out there is nothing to sign out of, and no page asks whether to.
    assert!(!body_text(&browser.get("/")).contains(r#"action="/sign-out""#));
    let browser = f.join("Ada", "ada@example.com");
    let home = body_text(&browser.get("/"));
    let form = &home[home.find(r#"<form method="post" action="/sign-out">"#).expect("the menu's form")..];
    let token = browser.cookies.borrow().get("porch_csrf").cloned().expect("a CSRF cookie");
    assert!(form[..form.find("</form>").unwrap()].contains(&format!(r#"value="{token}""#)), "{form}");
    assert_eq!(browser.get("/sign-out").status, 404, "no confirmation page");
    let out = browser.post("/sign-out", &[]);
    assert_eq!((out.status, out.header("location")), (303, Some("/signed-out")));
    assert!(browser.session().is_none());
}

#[test]
fn a_member_without_a_csrf_cookie_gets_one_with_the_page_so_signing_out_works() {
    let f = fixture();
    let browser = f.join("Ada", "ada@example.com");
    browser.cookies.borrow_mut().remove("porch_csrf");
    let home = browser.get("/");
    assert!(home.headers.iter().any(|(k, v)| k == "set-cookie" && v.starts_with("porch_csrf=")), "a new token");
    assert_eq!(browser.post("/sign-out", &[]).status, 303);
    assert!(browser.session().is_none());
}

#[test]
fn the_start_page_names_only_the_apps_the_portal_offers() {
    let f = fixture_with(&json!({ "slug": "acme", "name": "Acme", "apps": ["tickets", "support_form"] }));
    let stranger = body_text(&Browser::new(&f.app, HOST).get("/"));
    assert!(stranger.contains(r#"href="/tickets""#) && stranger.contains(r#"href="/tickets/new""#), "{stranger}");
    for absent in ["/equipment", "/reports", "/documents", "/activity"] {
        assert!(!stranger.contains(&format!(r#"href="{absent}""#)), "{absent}: {stranger}");
    }
    assert!(!stranger.contains("equipment") && !stranger.contains("documents"), "no promise of other apps");
}

#[test]
fn every_page_has_its_landmarks_a_skip_link_and_one_heading_and_errors_lead_home() {
    let f = fixture();
    let stranger = Browser::new(&f.app, HOST);
    let member = f.join("Ada", "ada@example.com");
    for (browser, path) in
        [(&stranger, "/"), (&stranger, "/sign-in"), (&stranger, "/nope"), (&member, "/"), (&member, "/users")]
    {
        let page = body_text(&browser.get(path));
        assert_eq!(page.matches("<h1").count(), 1, "{path}: {page}");
        for landmark in ["<header", "<nav", r#"<main id="main""#, "<footer", r##"<a class="skip" href="#main""##] {
            assert!(page.contains(landmark), "{path}: {landmark}");
        }
    }
    let missing = stranger.get("/nope");
    assert_eq!(missing.status, 404);
    let page = body_text(&missing);
    assert!(
        page.contains("Page not found") && page.contains(r#"<a class="button" href="/">Go to the home page</a>"#),
        "{page}"
    );
}
