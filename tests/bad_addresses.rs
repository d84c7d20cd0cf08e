//! Bad query parameters on the portal's pages, in process: a report over the allowed range,
//! an unknown sort or filter value, a date that is no date. Each is the branded 400 page
//! naming every bad parameter with what it allows, in the reader's language, and changes
//! nothing.

use crate::common;

use common::body_text;
use common::fleet::provider;
use porch_core::http::{Method, Request};

/// The names and messages of the bad-parameter list of an error page.
fn named(html: &str) -> Vec<String> {
    let Some(start) = html.find(r#"<ul class="bad-parameters">"#) else { return Vec::new() };
    let list = &html[start..start + html[start..].find("</ul>").unwrap()];
    list.split("<li><code>").skip(1).map(|item| item[..item.find("</li>").unwrap()].replace("</code>", "")).collect()
}

#[test]
fn bad_query_parameters_answer_a_branded_400_naming_each_and_what_it_allows() {
    let p = provider();
    let portal = p.portal("yard", &["tickets", "equipment", "reports", "activity", "documents"]);
    let ada = p.join(&portal, "yard", "ada@alpha.example", Some(&p.alpha));
    let audit = p.app.audit_count();
    let sessions = p.app.sql("SELECT COUNT(*) AS n FROM sessions", Vec::new());

    let cases: [(&str, &[&str]); 7] = [
        ("/reports?from=2025-01-01&to=2026-03-01", &["from: a report covers at most 367 days"]),
        (
            "/reports?from=2026-01-01&to=2026-06-30",
            &["from: a report of the whole fleet by day covers at most 93 days: choose weeks (by=week) or one machine"],
        ),
        (
            "/reports?from=2026-02-30&by=month",
            &["from: must be a date written YYYY-MM-DD", "by: must be one of: day, week"],
        ),
        ("/reports?from=2026-03-05&to=2026-03-01", &["to: must not be before from"]),
        ("/tickets?sort=sideways", &["sort: must be one of: activity, activity_asc, created, created_asc"]),
        (
            "/tickets?status=pending&scope=everyone",
            &["scope: must be one of: mine, organisation", "status: must be one of: all, open, closed"],
        ),
        ("/activity?kind=explosion", &["kind: must be one of: start, stop, alert, position, hours"]),
    ];
    for (path, expected) in cases {
        let answer = ada.get(path);
        assert_eq!(answer.status, 400, "{path}");
        let html = body_text(&answer);
        assert!(html.contains("This address is not quite right"), "{path}: {html}");
        assert!(!html.contains("Something went wrong"), "{path}");
        assert_eq!(named(&html), expected, "{path}");
    }
    let documents = body_text(&ada.get("/documents?category=poem"));
    assert!(named(&documents)[0].starts_with("category: must be one of: "), "{documents}");
    let cursor = body_text(&ada.get("/equipment?after=bad%20key&group=nonsense"));
    assert_eq!(named(&cursor).len(), 2, "both: {cursor}");
    assert!(named(&cursor)[0].starts_with("group: is not a value this page gives"), "{cursor}");

    // In the reader's language.
    let danish = ada
        .send(Request::new(Method::Get, "/reports?from=2025-01-01&to=2026-03-01").with_header("accept-language", "da"));
    assert_eq!(danish.status, 400);
    assert_eq!(named(&body_text(&danish)), ["from: en rapport dækker højst 367 dage"]);
    let norwegian = ada.send(Request::new(Method::Get, "/tickets?sort=sideways").with_header("accept-language", "nb"));
    assert!(named(&body_text(&norwegian))[0].starts_with("sort: må være en av: activity"));

    // The good ones still answer, and nothing was written.
    assert_eq!(ada.get("/tickets?sort=created&status=open").status, 200);
    assert_eq!(ada.get("/reports?from=2026-01-01&to=2026-03-01&by=week").status, 200);
    assert_eq!(p.app.audit_count(), audit);
    assert_eq!(p.app.sql("SELECT COUNT(*) AS n FROM sessions", Vec::new()), sessions);
}
