//! The console on real workerd: its own host, its stylesheet, its cookies. The way in itself
//! (the first operator, two-step verification) is walked once per server, in a real browser
//! (tests/browser/console.test.mjs), as set-up happens only once.

use crate::server;

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
