//! Portals' time zones by IANA name, in process on real `SQLite`: a portal set to
//! Europe/Copenhagen counts the day summer time starts as 23 hours in its reports and CSV,
//! shows local times with the summer offset, and the end of summer time as a 25-hour day in a
//! report that spans both changes; the API refuses a name it does not know, and a stored name
//! the built-in table has lost falls back to the zone's standard offset.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use crate::common;

use common::browser::Browser;
use common::{body_text, error_fields, provider, Provider};
use porch_core::http::Method;
use porch_types::time::Timestamp;
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
    let browser = p.join(&portal, "yard", "ada@alpha.example", Some(&p.customer));
    (portal, browser)
}

/// The text cells of each body row of the report's table.
fn report_rows(html: &str) -> Vec<Vec<String>> {
    let start = html.find(r#"<table class="report">"#).unwrap_or_else(|| panic!("no table: {html}"));
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    table[table.find("<tbody>").unwrap()..]
        .split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<td>").skip(1).map(|cell| common::cell_value(&cell[..cell.find("</td>").unwrap()])).collect()
        })
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
            (f[2], f[3])
        })
        .collect();
    assert_eq!(fields, expected, "{csv}");

    // The newest reading, 22:00Z, is midnight in Copenhagen summer time.
    let detail = body_text(&ada.get("/equipment/LD-1"));
    assert!(detail.contains(">31 Mar 2026, 00:00</time>"), "{detail}");
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

/// Hourly readings `100, 101, …` of LD-1 from `first` (RFC 3339) for `count` hours, sent in
/// batches of 1,000 (the API's most).
fn hourly_readings(p: &Provider, first: &str, count: i64) {
    let start = at(first);
    let events: Vec<_> = (0..count)
        .map(|n| {
            json!({ "id": format!("h-{n}"), "at": Timestamp::from_millis(start + n * HOUR).to_string(),
                    "kind": "hours", "value": 100 + n })
        })
        .collect();
    for batch in events.chunks(1000) {
        let (status, body) = p.call(Method::Post, "/assets/LD-1/activity", &json!({ "events": batch }));
        assert_eq!(status, 200, "{body}");
    }
}

/// (first day, hours) of each row of a report.
fn hours_by_row(ada: &Browser<'_>, query: &str) -> Vec<(String, String)> {
    let response = ada.get(&format!("/reports?{query}"));
    assert_eq!(response.status, 200, "{}", body_text(&response));
    report_rows(&body_text(&response)).into_iter().map(|r| (r[0].clone(), r[1].clone())).collect()
}

/// Both changes of a year in one report: the statement's offset slots are filled latest
/// first, and a wrong order would shift a whole season's buckets by an hour.
#[test]
fn a_report_across_both_changes_has_a_25_and_a_23_hour_day_and_weeks_of_169_and_167_hours() {
    let p = provider();
    let (portal, ada) = portal_with_a_loader(&p);
    let share = json!({ "customer_id": p.customer, "from": "2025-10-01T00:00:00Z", "until": "2026-01-01T00:00:00Z" });
    let (status, body) = p.call(Method::Post, "/assets/LD-1/shares", &share);
    assert_eq!(status, 201, "{body}");
    let (status, body) =
        p.call(Method::Patch, &format!("/portals/{portal}"), &json!({ "time_zone": "Europe/Copenhagen" }));
    assert_eq!(status, 200, "{body}");
    // From 23:00 local on 19 October 2025 (summer time, +02:00) to midnight after 5 April 2026
    // (summer time again): the reading before the report's first day is there.
    hourly_readings(&p, "2025-10-19T21:00:00Z", 4034);

    let days = hours_by_row(&ada, "asset=LD-1&from=2025-10-20&to=2026-04-05&by=day");
    assert_eq!(days.len(), 168);
    for (day, hours) in &days {
        let expected = match day.as_str() {
            "2025-10-26" => "25",
            "2026-03-29" => "23",
            _ => "24",
        };
        assert_eq!(hours, expected, "{day}: {days:?}");
    }
    let weeks = hours_by_row(&ada, "asset=LD-1&from=2025-10-20&to=2026-04-05&by=week");
    assert_eq!(weeks.len(), 24);
    for (week, hours) in &weeks {
        let expected = match week.as_str() {
            "2025-W43" => "169",
            "2026-W13" => "167",
            _ => "168",
        };
        assert_eq!(hours, expected, "{week}: {weeks:?}");
    }
}

#[test]
fn a_stored_zone_name_the_table_has_lost_falls_back_to_its_standard_offset() {
    let p = provider();
    let (portal, ada) = portal_with_a_loader(&p);
    let updated = p.app.execute(
        "UPDATE portals SET time_zone_name = 'Europe/Kiev-Old', time_zone = 120 WHERE id = ?1",
        porch_core::params![portal.as_str()],
    );
    assert_eq!(updated, 1);
    // Past the isolate's and KV's copies of the portal: it is read from D1 again.
    p.app.rt.kv.entries.borrow_mut().clear();
    p.app.rt.advance_seconds(3600);
    hourly_readings(&p, "2026-03-02T10:00:00Z", 1);

    let detail = ada.get("/equipment/LD-1");
    assert_eq!(detail.status, 200, "the portal stays up: {}", body_text(&detail));
    assert!(body_text(&detail).contains(">2 Mar 2026, 12:00</time>"), "{}", body_text(&detail));
    let (status, got) = p.call(Method::Get, &format!("/portals/{portal}"), &json!(null));
    assert_eq!((status, &got["portal"]["time_zone"]), (200, &json!(120)), "{got}");
}
