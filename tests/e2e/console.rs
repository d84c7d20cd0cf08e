//! The console on real workerd: its own host, its stylesheet, its cookies. The way in itself
//! (the first operator, two-step verification) is walked once per server, in a real browser
//! (tests/browser/console.test.mjs), as set-up happens only once.

use crate::recipients::Browser;
use crate::{server, unique};

#[test]
#[ignore = "needs wrangler dev: scripts/test"]
fn the_console_answers_on_its_own_host_with_its_stylesheet_its_own_cookie_and_a_strict_csp() {
    let s = server();
    let page = s.page("console.localhost", "/sign-in");
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.text().contains("Sign in to the console"));
    assert!(page.header("content-security-policy").is_some_and(|c| c.contains("default-src 'none'")));
    assert!(page.header("cache-control").is_some_and(|c| c.contains("no-store")));
    let cookie = page.header("set-cookie").unwrap_or_default();
    assert!(cookie.starts_with("porch_console_csrf=") && cookie.contains("HttpOnly"), "{cookie}");

    let css = s.page("console.localhost", "/console.css");
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").is_some_and(|t| t.starts_with("text/css")));
    assert!(css.text().contains("--porch-primary"));

    assert_eq!(s.page("console.localhost", "/nothing-here").status, 404);
    // The console's pages are nowhere else: a portal host knows no /set-up.
    assert_eq!(s.page("northwind.localhost", "/set-up").status, 404);
}

/// The current TOTP code of `secret` on this machine's clock (the server's).
// The server under test keeps real time, so its codes are computed on the real clock.
#[allow(clippy::disallowed_methods)]
fn code_now(secret: &[u8]) -> String {
    let seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    porch_sso::totp::code_at(secret, i64::try_from(seconds).unwrap())
}

#[test]
#[ignore = "needs wrangler dev: scripts/test"]
fn an_invited_person_joins_a_tenants_staff_once_on_d1_and_sets_up_their_second_factor() {
    let s = server();
    let (tenant, key) = s.tenant("staffed");
    let email = format!("{}@staffed.example", unique("owner"));
    let invited = s.api(
        "POST",
        &format!("/api/v1/tenants/{tenant}/staff-invitations"),
        &key,
        Some(serde_json::json!({"email": email, "role": "owner"})),
    );
    assert_eq!(invited.status, 201, "{}", invited.text());
    let url = invited.json()["url"].as_str().unwrap().to_owned();
    let path = &url[url.find("/join/").unwrap()..];
    // The link is the console's, whatever host the API was called on.
    assert!(url.starts_with("http://console.localhost"), "{url}");

    let mut person = Browser::new(&s, "console.localhost");
    let mut rival = Browser::new(&s, "console.localhost");
    assert_eq!(person.get(path).status, 200);
    assert_eq!(rival.get(path).status, 200);
    let joined = person.post(path, &[("name", "Owen Owner"), ("password", "an owner password, long")]);
    assert_eq!((joined.status, joined.header("location")), (303, Some("/second-factor")), "{}", joined.text());
    let late = rival.post(path, &[("name", "Someone Else"), ("password", "another password, long")]);
    assert_eq!(late.status, 404, "the link is used once on D1 too");

    let page = person.get("/second-factor").text();
    let from = page.find("secret=").unwrap() + "secret=".len();
    let secret = porch_sso::totp::base32_decode(&page[from..from + page[from..].find('&').unwrap()]).unwrap();
    let done = person.post("/second-factor", &[("code", &code_now(&secret))]);
    assert_eq!(done.status, 200, "{}", done.text());
    let staff = person.get(&format!("/tenants/{tenant}/staff"));
    assert_eq!(staff.status, 200, "{}", staff.text());
    assert!(staff.text().contains("Owen Owner (you)"), "{}", staff.text());

    let listed = s.api("GET", &format!("/api/v1/tenants/{tenant}/staff"), &key, None);
    assert_eq!(listed.json()["staff"][0]["second_factor"], true, "{}", listed.text());
    let (other, _) = s.tenant("unrelated");
    assert_eq!(person.get(&format!("/tenants/{other}/staff")).status, 404);
}
