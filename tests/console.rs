//! The console's way in, on `console.localhost`: the first operator made once with the
//! platform token, the second factor set up before any other page, sign-in as password then
//! code (RFC 6238, each code good once) or a single-use recovery code, sessions that end.

use crate::common::browser::Browser;
use crate::common::{body_text, spawn_app, TestApp, PASSWORD, PLATFORM_TOKEN};
use porch_core::http::Method;
use porch_core::runtime::Runtime as _;
use porch_sso::totp;
use serde_json::json;

pub const CONSOLE: &str = "console.localhost";
pub const EMAIL: &str = "ops@porch.example";

/// The current code of `secret` on the app's clock.
pub fn code_now(app: &TestApp, secret: &[u8]) -> String {
    totp::code_at(secret, app.rt.now().millis() / 1000)
}

/// The secret in the set-up page's `otpauth://` link.
pub fn secret_on(page: &str) -> Vec<u8> {
    let from = page.find("secret=").unwrap() + "secret=".len();
    let text = &page[from..];
    totp::base32_decode(&text[..text.find('&').unwrap()]).unwrap()
}

/// The recovery codes on the page that shows them.
fn codes_on(page: &str) -> Vec<String> {
    page.split("<li><code>").skip(1).map(|rest| rest[..rest.find('<').unwrap()].to_owned()).collect()
}

fn staff_count(app: &TestApp) -> usize {
    app.sql("SELECT id FROM staff", Vec::new()).len()
}

pub struct Operator<'a> {
    pub browser: Browser<'a>,
    secret: Vec<u8>,
    codes: Vec<String>,
}

/// The first operator, made and signed in through the pages; the clock then moves past the
/// step of the code that set the factor up.
pub fn operator(app: &TestApp) -> Operator<'_> {
    let browser = Browser::new(app, CONSOLE);
    assert_eq!(browser.get("/set-up").status, 200);
    let made = browser
        .post("/set-up", &[("token", PLATFORM_TOKEN), ("name", "Olga Ops"), ("email", EMAIL), ("password", PASSWORD)]);
    assert_eq!(made.status, 303, "{}", body_text(&made));
    assert_eq!(made.header("location"), Some("/second-factor"));
    let page = body_text(&browser.get("/second-factor"));
    let secret = secret_on(&page);
    let done = browser.post("/second-factor", &[("code", &code_now(app, &secret))]);
    assert_eq!(done.status, 200, "{}", body_text(&done));
    let codes = codes_on(&body_text(&done));
    app.rt.advance_seconds(30);
    Operator { browser, secret, codes }
}

pub fn sign_in(browser: &Browser<'_>, email: &str, password: &str) -> porch_core::http::Response {
    browser.get("/sign-in");
    browser.post("/sign-in", &[("email", email), ("password", password)])
}

#[test]
fn a_new_console_opens_on_making_the_first_operator_with_the_platform_token_once() {
    let app = spawn_app();
    let browser = Browser::new(&app, CONSOLE);
    assert_eq!(browser.get("/").header("location"), Some("/set-up"));
    let form = browser.get("/set-up");
    assert_eq!(form.header("cache-control"), Some("no-store"), "a person's page is never stored");
    let page = body_text(&form);
    assert!(page.contains("<h1>Set up the console</h1>"), "{page}");
    let css = browser.get("/console.css");
    assert_eq!((css.status, css.header("cache-control")), (200, Some("no-cache")), "revalidated by its ETag");

    let typed = [("token", "not-the-token"), ("name", "Olga Ops"), ("email", EMAIL), ("password", PASSWORD)];
    let refused = browser.post("/set-up", &typed);
    assert_eq!(refused.status, 400);
    let refused = body_text(&refused);
    assert!(refused.contains("The platform admin token is not right"), "{refused}");
    assert!(refused.contains(r#"value="Olga Ops""#) && refused.contains(&format!(r#"value="{EMAIL}""#)), "kept");
    let empty =
        body_text(&browser.post("/set-up", &[("token", ""), ("name", ""), ("email", "x"), ("password", "short")]));
    for message in ["Enter the platform admin token", "Enter an email address like", "at least 10 characters"] {
        assert!(empty.contains(message), "{message}: {empty}");
    }
    assert_eq!(staff_count(&app), 0, "a refused set-up makes no one");
    let no_csrf = browser.post_raw(
        "/set-up",
        &[("token", PLATFORM_TOKEN), ("name", "Olga Ops"), ("email", EMAIL), ("password", PASSWORD)],
    );
    assert_eq!(no_csrf.status, 403, "a form without its CSRF token");
    assert_eq!(staff_count(&app), 0);

    app.new_tenant("acme-co");
    let op = operator(&app);
    assert_eq!(op.codes.len(), 10);
    assert_eq!(staff_count(&app), 1);
    let home = body_text(&op.browser.get("/"));
    assert!(home.contains("<h1>Tenants</h1>") && home.contains("<code>acme-co</code>"), "the tenant is listed: {home}");
    assert!(home.contains("Recovery codes left: 10"), "{home}");
    let audit = app.sql("SELECT actor, action, target_type FROM audit_log WHERE action = 'staff.create'", Vec::new());
    assert_eq!(audit.len(), 1);

    // Set up once: a second try, even with the token, makes nobody.
    let other = Browser::new(&app, CONSOLE);
    assert_eq!(other.get("/set-up").header("location"), Some("/sign-in"));
    assert_eq!(other.get("/sign-in").status, 200, "the sign-in page gives the form's token");
    let again = other.post(
        "/set-up",
        &[("token", PLATFORM_TOKEN), ("name", "Mallory"), ("email", "m@evil.example"), ("password", PASSWORD)],
    );
    assert_eq!(again.status, 303);
    assert_eq!(staff_count(&app), 1);
}

#[test]
fn until_the_second_factor_is_set_up_no_other_console_page_opens_and_a_wrong_code_is_named() {
    let app = spawn_app();
    let browser = Browser::new(&app, CONSOLE);
    browser.get("/set-up");
    let fields = [("token", PLATFORM_TOKEN), ("name", "Olga Ops"), ("email", EMAIL), ("password", PASSWORD)];
    assert_eq!(browser.post("/set-up", &fields).status, 303);
    assert_eq!(browser.get("/").header("location"), Some("/second-factor"));
    assert_eq!(browser.get("/sign-in/code").header("location"), Some("/second-factor"));
    let page = body_text(&browser.get("/second-factor"));
    assert!(page.contains("otpauth://totp/Porch:ops@porch.example?secret="), "{page}");
    let secret = secret_on(&page);
    let wrong = browser.post("/second-factor", &[("code", "000000")]);
    assert_eq!(wrong.status, 400);
    assert!(body_text(&wrong).contains("That code is not right"));
    let empty = body_text(&browser.post("/second-factor", &[("code", "")]));
    assert!(empty.contains("Enter the 6-digit code from your authenticator app"), "{empty}");
    assert!(app.sql("SELECT id FROM staff WHERE totp_secret IS NOT NULL", Vec::new()).is_empty());
    let spaced = code_now(&app, &secret);
    let spaced = format!("{} {}", &spaced[..3], &spaced[3..]);
    assert_eq!(browser.post("/second-factor", &[("code", &spaced)]).status, 200);
    assert_eq!(browser.get("/").status, 200);
}

#[test]
fn signing_in_takes_the_password_then_a_code_and_each_code_is_good_once() {
    let app = spawn_app();
    let op = operator(&app);
    let signed_out = op.browser.post("/sign-out", &[]);
    assert_eq!(signed_out.header("location"), Some("/sign-in"));
    assert_eq!(op.browser.get("/").header("location"), Some("/sign-in"));

    // A wrong password and an unknown email read the same.
    for (email, password) in [(EMAIL, "wrong password here"), ("nobody@porch.example", PASSWORD)] {
        let refused = sign_in(&op.browser, email, password);
        assert_eq!(refused.status, 400);
        assert!(body_text(&refused).contains("The email address or password is not right"));
    }
    let password_only = sign_in(&op.browser, EMAIL, PASSWORD);
    assert_eq!(password_only.header("location"), Some("/sign-in/code"));
    assert_eq!(op.browser.get("/").header("location"), Some("/sign-in/code"), "a password alone opens nothing");

    let code = code_now(&app, &op.secret);
    assert_eq!(op.browser.post("/sign-in/code", &[("code", &code)]).header("location"), Some("/"));
    assert_eq!(op.browser.get("/").status, 200);

    // The same code again, in a second sign-in within its step: refused (RFC 6238 §5.2).
    op.browser.post("/sign-out", &[]);
    assert_eq!(sign_in(&op.browser, EMAIL, PASSWORD).status, 303);
    let replayed = op.browser.post("/sign-in/code", &[("code", &code)]);
    assert_eq!(replayed.status, 400);
    assert!(body_text(&replayed).contains("That code is not right"));
    app.rt.advance_seconds(30);
    let next = code_now(&app, &op.secret);
    assert_eq!(op.browser.post("/sign-in/code", &[("code", &next)]).header("location"), Some("/"));
}

#[test]
fn a_recovery_code_signs_in_once_however_it_is_typed() {
    let app = spawn_app();
    let op = operator(&app);
    op.browser.post("/sign-out", &[]);
    sign_in(&op.browser, EMAIL, PASSWORD);
    let typed = op.codes[3].to_uppercase().replace('-', " ");
    assert_eq!(op.browser.post("/sign-in/code", &[("code", &typed)]).header("location"), Some("/"));
    assert!(body_text(&op.browser.get("/")).contains("Recovery codes left: 9"));
    op.browser.post("/sign-out", &[]);
    sign_in(&op.browser, EMAIL, PASSWORD);
    assert_eq!(op.browser.post("/sign-in/code", &[("code", &op.codes[3])]).status, 400, "spent");
}

#[test]
fn guessing_codes_is_stopped_after_ten_tries() {
    let app = spawn_app();
    let op = operator(&app);
    op.browser.post("/sign-out", &[]);
    sign_in(&op.browser, EMAIL, PASSWORD);
    for _ in 0..10 {
        assert_eq!(op.browser.post("/sign-in/code", &[("code", "123456")]).status, 400);
    }
    let right = code_now(&app, &op.secret);
    let stopped = body_text(&op.browser.post("/sign-in/code", &[("code", &right)]));
    assert!(stopped.contains("Too many attempts"), "{stopped}");
    assert_eq!(op.browser.get("/").header("location"), Some("/sign-in/code"));
}

#[test]
fn a_console_session_ends_after_thirty_idle_minutes_and_at_sign_out_for_good() {
    let app = spawn_app();
    let op = operator(&app);
    let token = op.browser.cookies.borrow().get("porch_console").cloned().unwrap();
    app.rt.advance_seconds(29 * 60);
    assert_eq!(op.browser.get("/").status, 200, "within the idle timeout");
    app.rt.advance_seconds(31 * 60);
    assert_eq!(op.browser.get("/").header("location"), Some("/sign-in"));

    // A signed-out session's cookie, replayed, is nobody.
    let fresh = sign_in(&op.browser, EMAIL, PASSWORD);
    assert_eq!(fresh.status, 303);
    app.rt.advance_seconds(30);
    op.browser.post("/sign-in/code", &[("code", &code_now(&app, &op.secret))]);
    let live = op.browser.cookies.borrow().get("porch_console").cloned().unwrap();
    assert_ne!(live, token);
    op.browser.post("/sign-out", &[]);
    op.browser.cookies.borrow_mut().insert("porch_console".into(), live);
    assert_eq!(op.browser.get("/").header("location"), Some("/sign-in"));
}

#[test]
fn the_console_answers_only_on_its_own_host_and_no_portal_may_take_its_name() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let portal = Browser::new(&app, "acme.localhost");
    assert_ne!(body_text(&portal.get("/set-up")), body_text(&Browser::new(&app, CONSOLE).get("/set-up")));
    let (status, answer) = app.api_as(
        Some(&key),
        Method::Post,
        &format!("/api/v1/tenants/{tenant}/portals"),
        &json!({ "slug": "console", "name": "Console" }),
    );
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["error"]["fields"][0]["field"], "slug");
}

#[test]
fn a_right_password_gives_its_attempt_back_and_a_second_sign_in_replaces_the_first() {
    let app = spawn_app();
    let op = operator(&app);
    op.browser.post("/sign-out", &[]);
    for _ in 0..9 {
        assert_eq!(sign_in(&op.browser, EMAIL, "wrong password here").status, 400);
    }
    // Ten tries per email per 15 minutes: without the right ones given back, the third
    // right password here would be the twelfth try, refused.
    for _ in 0..3 {
        assert_eq!(sign_in(&op.browser, EMAIL, PASSWORD).header("location"), Some("/sign-in/code"));
    }
    let sessions = app.sql("SELECT stage FROM staff_sessions", Vec::new());
    assert_eq!(sessions.len(), 1, "each sign-in ended the browser's earlier session: {sessions:?}");
}

#[test]
fn an_abandoned_sign_in_is_swept_once_it_expires() {
    let app = spawn_app();
    let op = operator(&app);
    op.browser.post("/sign-out", &[]);
    assert_eq!(sign_in(&op.browser, EMAIL, PASSWORD).status, 303, "the password step, then nothing");
    assert_eq!(app.sql("SELECT stage FROM staff_sessions", Vec::new()).len(), 1);
    app.rt.advance_seconds(16 * 60);
    let purged = pollster::block_on(porch_core::store::housekeeping::purge_expired(&app.rt.db, app.rt.now())).unwrap();
    assert_eq!(purged.staff_sessions, 1);
    assert!(app.sql("SELECT stage FROM staff_sessions", Vec::new()).is_empty());
}

#[test]
fn a_password_alone_cannot_bind_an_authenticator_to_an_account_that_never_set_one_up() {
    let app = spawn_app();
    let owner = Browser::new(&app, CONSOLE);
    owner.get("/set-up");
    let fields = [("token", PLATFORM_TOKEN), ("name", "Olga Ops"), ("email", EMAIL), ("password", PASSWORD)];
    assert_eq!(owner.post("/set-up", &fields).header("location"), Some("/second-factor"));
    // The owner leaves before setting up the second factor; someone who has the password
    // signs in and is asked for the platform token, not shown a secret.
    let intruder = Browser::new(&app, CONSOLE);
    assert_eq!(sign_in(&intruder, EMAIL, PASSWORD).header("location"), Some("/second-factor"));
    let asked = body_text(&intruder.get("/second-factor"));
    assert!(asked.contains("Confirm you may set up two-step verification"), "{asked}");
    assert!(!asked.contains("otpauth://"), "no secret before the proof: {asked}");
    let refused = intruder.post("/second-factor", &[("token", "a guess")]);
    assert_eq!(refused.status, 400);
    assert!(body_text(&refused).contains("The platform admin token is not right"));
    assert!(!body_text(&intruder.get("/second-factor")).contains("otpauth://"));
    assert_eq!(intruder.get("/").header("location"), Some("/second-factor"));

    // With the token, the operator signing in again sets it up as at the set-up.
    let proven = intruder.post("/second-factor", &[("token", PLATFORM_TOKEN)]);
    assert_eq!(proven.header("location"), Some("/second-factor"));
    let page = body_text(&intruder.get("/second-factor"));
    let secret = secret_on(&page);
    assert_eq!(intruder.post("/second-factor", &[("code", &code_now(&app, &secret))]).status, 200);
    assert_eq!(intruder.get("/").status, 200);
}

#[test]
fn a_platform_token_too_short_for_the_api_cannot_set_up_the_console_either() {
    // The API refuses a PLATFORM_ADMIN_TOKEN under 32 characters as guessable; so does the
    // console's set-up (one rule, `is_platform_token`).
    let short = "short-platform-token";
    let app = TestApp { rt: porch_native::NativeRuntime::new(short).unwrap() };
    let browser = Browser::new(&app, CONSOLE);
    browser.get("/set-up");
    let refused =
        browser.post("/set-up", &[("token", short), ("name", "Olga Ops"), ("email", EMAIL), ("password", PASSWORD)]);
    assert_eq!(refused.status, 400);
    assert!(body_text(&refused).contains("The platform admin token is not right"));
    assert_eq!(staff_count(&app), 0);
    let (status, _) = app.api_as(Some(short), Method::Get, "/api/v1/tenants", &json!(null));
    assert_eq!(status, 401, "the API says the same");
}

#[test]
fn the_operator_finds_a_tenants_customers_by_name_in_any_case_as_the_api_does() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    for name in ["Æblegården A/S", "Globex", "Det lille æble"] {
        app.new_customer(&key, &tenant, name);
    }
    let op = operator(&app);
    let home = body_text(&op.browser.get("/"));
    assert!(home.contains(&format!(r#"<a href="/tenants/{tenant}">"#)), "{home}");
    let page = body_text(&op.browser.get(&format!("/tenants/{tenant}")));
    assert!(page.contains(r#"aria-current="page">Customers</a>"#), "the Customers tab is the page's: {page}");
    assert!(home.contains(r#"<a href="/" aria-current="page">"#), "{home}");
    assert!(!page.contains(r#"<a href="/" aria-current"#), "a tenant's page is below the list, not the list");
    for name in ["Æblegården A/S", "Globex", "Det lille æble"] {
        assert!(page.contains(name), "{name}: {page}");
    }
    let found = body_text(&op.browser.get(&format!("/tenants/{tenant}?q=%C3%86BLE")));
    assert!(
        found.contains("Æblegården A/S") && found.contains("Det lille æble") && !found.contains("Globex"),
        "{found}"
    );
    assert!(found.contains(r#"value="ÆBLE""#), "the search is kept in its field");
    let none = body_text(&op.browser.get(&format!("/tenants/{tenant}?q=initech")));
    assert!(none.contains("No customer's name contains “initech”."), "{none}");

    // The API's list takes the same search.
    let (status, listed) =
        app.api_as(Some(&key), Method::Get, &format!("/api/v1/tenants/{tenant}/customers?q=%C3%A6ble"), &json!(null));
    assert_eq!(status, 200, "{listed}");
    let names: Vec<&str> =
        listed["customers"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Det lille æble", "Æblegården A/S"]);
    let long = "x".repeat(101);
    let (status, refused) =
        app.api_as(Some(&key), Method::Get, &format!("/api/v1/tenants/{tenant}/customers?q={long}"), &json!(null));
    assert_eq!((status, refused["error"]["fields"][0]["field"].as_str()), (422, Some("q")));

    assert_eq!(op.browser.get("/tenants/00000000-0000-4000-8000-000000000999").status, 404);
    assert_eq!(op.browser.get("/tenants/not-an-id").status, 404);
    // Signed out, the page is nobody's.
    op.browser.post("/sign-out", &[]);
    assert_eq!(op.browser.get(&format!("/tenants/{tenant}")).header("location"), Some("/sign-in"));
}

/// A post of the header's language menu from `referer`, sent with `origin`.
fn choose_language(browser: &Browser<'_>, code: &str, origin: &str, referer: &str) -> porch_core::http::Response {
    let mut body = format!("language={code}");
    let csrf = browser.csrf();
    if !csrf.is_empty() {
        body = format!("csrf={csrf}&{body}");
    }
    browser.send(
        porch_core::http::Request::new(porch_core::http::Method::Post, "/language")
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_header("origin", origin)
            .with_header("referer", &format!("{origin}{referer}"))
            .with_body(body),
    )
}

#[test]
fn the_header_menu_chooses_the_consoles_language_for_this_browser_from_its_own_pages_only() {
    let app = spawn_app();
    let op = operator(&app);
    let page = body_text(&op.browser.get("/"));
    assert!(page.contains(r#"<form class="language" method="post" action="/language">"#), "{page}");
    let chosen = choose_language(&op.browser, "da", "http://console.localhost", "/");
    assert_eq!(chosen.status, 303);
    assert_eq!(chosen.header("location"), Some("/"));
    let page = body_text(&op.browser.get("/"));
    assert!(page.contains(r#"<html lang="da">"#) && page.contains("Log ud"), "{page}");

    // Signed out: the sign-in page's menu works too, and a language we lack changes nothing.
    let visitor = Browser::new(&app, CONSOLE);
    visitor.get("/sign-in");
    assert_eq!(
        choose_language(&visitor, "nb", "http://console.localhost", "/sign-in").header("location"),
        Some("/sign-in")
    );
    assert!(body_text(&visitor.get("/sign-in")).contains(r#"<html lang="nb">"#));
    assert_eq!(choose_language(&visitor, "xx", "http://console.localhost", "/sign-in").status, 400);
    // Halfway through signing in (the code still to give), the page's menu has no token to
    // carry, and works all the same.
    let halfway = Browser::new(&app, CONSOLE);
    assert_eq!(sign_in(&halfway, EMAIL, PASSWORD).header("location"), Some("/sign-in/code"));
    let menu = halfway.send(
        porch_core::http::Request::new(porch_core::http::Method::Post, "/language")
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_header("origin", "http://console.localhost")
            .with_header("referer", "http://console.localhost/sign-in/code")
            .with_body("language=da".to_owned()),
    );
    assert_eq!(menu.header("location"), Some("/sign-in/code"));
    // Another site's post is refused, whatever it asks.
    let other = Browser::new(&app, CONSOLE);
    assert_ne!(choose_language(&other, "da", "https://evil.example", "/").status, 303);
    assert!(body_text(&other.get("/sign-in")).contains(r#"<html lang="en">"#));
}
