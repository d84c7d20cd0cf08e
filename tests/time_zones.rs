//! Portals' time zones by IANA name, in process on real `SQLite`: a portal set to
//! Europe/Copenhagen counts the day summer time starts as 23 hours in its reports and CSV,
//! shows local times with the summer offset, and the API refuses a name it does not know.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[allow(dead_code)]
mod common;

use common::browser::Browser;
use common::{body_text, error_fields, platform_host, provider, Provider};
use porch::domain::time::Timestamp;
use porch::http::Method;
use serde_json::json;

const HOUR: i64 = 3_600_000;

fn at(text: &str) -> i64 {
    Timestamp::parse_rfc3339(text).unwrap().millis()
}

/// A portal offering equipment and reports, with the asset `LD-1` shared with Alpha, and a
/// signed-in member of Alpha.
fn portal_with_a_loader(p: &Provider) -> (String, Browser<'_>) {
    let portal = p.app.new_portal(
        &p.key,
        &p.tenant,
        &json!({ "slug": "yard", "name": "Yard", "apps": ["equipment", "reports"] }),
    );
    let (status, body) = p.call(Method::Put, "/assets/LD-1", &json!({ "name": "Loader", "customer_id": p.customer }));
    assert_eq!(status, 201, "{body}");
    let share = json!({ "customer_id": p.customer, "from": "2026-01-01T00:00:00Z" });
    let (status, body) = p.call(Method::Post, "/assets/LD-1/shares", &share);
    assert_eq!(status, 201, "{body}");
    let (status, created) =
        p.call(Method::Post, &format!("/portals/{portal}/invitations"), &json!({ "customer_id": p.customer }));
    assert_eq!(status, 201, "{created}");
    let url = created["url"].as_str().unwrap();
    let link = &url[url.find("/invite/").unwrap()..];
    let browser = Browser::new(&p.app, &platform_host("yard"));
    assert_eq!(browser.get(link).status, 200);
    let joined =
        browser.post(link, &[("name", "Ada"), ("email", "ada@alpha.example"), ("password", "correct horse battery")]);
    assert_eq!(joined.status, 303, "{}", body_text(&joined));
    (portal, browser)
}

/// The text cells of each body row of the report's table.
fn report_rows(html: &str) -> Vec<Vec<String>> {
    let start = html.find(r#"<table class="report">"#).unwrap_or_else(|| panic!("no table: {html}"));
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    table[table.find("<tbody>").unwrap()..]
        .split("<tr")
        .skip(1)
        .map(|row| row.split("<td>").skip(1).map(|cell| cell[..cell.find("</td>").unwrap()].to_owned()).collect())
        .collect()
}

#[test]
fn a_copenhagen_portal_counts_the_day_summer_time_starts_as_23_hours() {
    let p = provider();
    let (portal, ada) = portal_with_a_loader(&p);
    let (status, body) =
        p.call(Method::Patch, &format!("/portals/{portal}"), &json!({ "time_zone": "Europe/Copenhagen" }));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["portal"]["time_zone"], "Europe/Copenhagen");

    // Hourly readings (counter 100, 101, ...) from 2026-03-27 00:00 local (23:00Z the day
    // before) to 2026-03-30 22:00Z, which is already 00:00 on March 31 in summer time.
    let start = at("2026-03-26T23:00:00Z");
    let events: Vec<_> = (0..96)
        .map(|n| {
            json!({ "id": format!("h-{n}"), "at": Timestamp::from_millis(start + n * HOUR).to_string(),
                         "kind": "hours", "value": 100 + n })
        })
        .collect();
    let (status, body) = p.call(Method::Post, "/assets/LD-1/activity", &json!({ "events": events }));
    assert_eq!(status, 200, "{body}");

    let query = "asset=LD-1&from=2026-03-28&to=2026-03-31&by=day";
    let response = ada.get(&format!("/reports?{query}"));
    assert_eq!(response.status, 200, "{}", body_text(&response));
    let page = body_text(&response);
    let hours: Vec<(String, String)> = report_rows(&page).into_iter().map(|r| (r[0].clone(), r[1].clone())).collect();
    let expected = [("2026-03-28", "24"), ("2026-03-29", "23"), ("2026-03-30", "24"), ("2026-03-31", "1")];
    assert_eq!(hours, expected.map(|(d, h)| (d.to_owned(), h.to_owned())), "{page}");
    assert!(page.contains("Europe/Copenhagen"), "the report names its time zone");

    let csv = body_text(&ada.get(&format!("/reports.csv?{query}")));
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).skip(1).collect();
    let fields: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1], f[2])
        })
        .collect();
    assert_eq!(fields, expected, "{csv}");

    // The newest reading, 22:00Z, is midnight in Copenhagen summer time.
    let detail = body_text(&ada.get("/equipment/LD-1"));
    assert!(detail.contains("2026-03-31 00:00 UTC+02:00"), "{detail}");
}

#[test]
fn the_api_takes_minutes_or_a_known_name_and_refuses_an_unknown_name_keeping_the_old_value() {
    let p = provider();
    let (portal, _) = portal_with_a_loader(&p);
    let path = format!("/portals/{portal}");
    let (status, body) = p.call(Method::Patch, &path, &json!({ "time_zone": 60 }));
    assert_eq!((status, &body["portal"]["time_zone"]), (200, &json!(60)), "{body}");
    let (status, body) = p.call(Method::Patch, &path, &json!({ "time_zone": "America/New_York" }));
    assert_eq!((status, &body["portal"]["time_zone"]), (200, &json!("America/New_York")), "{body}");
    let stored = p.app.sql("SELECT time_zone, time_zone_name FROM portals", vec![]);
    assert_eq!(
        stored[0],
        json!({ "time_zone": -300, "time_zone_name": "America/New_York" }),
        "the standard offset kept"
    );

    let (status, body) = p.call(Method::Patch, &path, &json!({ "time_zone": "Europe/Atlantis" }));
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_fields(&body), ["time_zone"]);
    assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("Europe/Atlantis"), "{body}");
    let (_, got) = p.call(Method::Get, &path, &json!(null));
    assert_eq!(got["portal"]["time_zone"], "America/New_York", "unchanged by the refused update");

    // Back to a fixed offset: the name is gone.
    let (status, body) = p.call(Method::Patch, &path, &json!({ "time_zone": 0 }));
    assert_eq!((status, &body["portal"]["time_zone"]), (200, &json!(0)), "{body}");
    let stored = p.app.sql("SELECT time_zone_name FROM portals", vec![]);
    assert_eq!(stored[0]["time_zone_name"], json!(null));
}
