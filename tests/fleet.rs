//! The recipients' side of equipment, in process on real `SQLite`: the fleet list shows only
//! what is shared with the member's company, another company's asset is a 404 like a missing
//! one, activity outside a share's window never shows, the pages exist only with their apps,
//! and utilisation reports (table, chart, CSV) add up to the readings in the portal's time zone.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::too_many_lines)]

use crate::common;

use common::fleet::{at, hourly, provider, Provider, DAY, HOUR, MARCH_1};
use common::{body_text, platform_host};
use porch_core::http::Method;
use serde_json::json;

/// The text cells of each body row of the table with class `class`.
fn table_rows(html: &str, class: &str) -> Vec<Vec<String>> {
    let start = html.find(&format!(r#"<table class="{class}"#)).expect("the table");
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let body = &table[table.find("<tbody>").unwrap()..];
    body.split("<tr")
        .skip(1)
        .map(|row| {
            // A cell may carry attributes (`data-label` on tables that stack on a phone).
            row.split("<td")
                .skip(1)
                .map(|cell| common::cell_value(&cell[cell.find('>').unwrap() + 1..cell.find("</td>").unwrap()]))
                .collect()
        })
        .collect()
}

/// Whether the chart's bars, `per_period` of them stacked in each period, are as high as
/// `values` relative to each other (each height is rounded to 0.01 units of 172).
fn proportional(heights: &[f64], per_period: usize, values: &[i64]) -> bool {
    let stacks: Vec<f64> = heights.chunks(per_period).map(|stack| stack.iter().sum()).collect();
    let float = |milli: i64| f64::from(i32::try_from(milli).unwrap());
    let (tallest, highest) = (stacks.iter().copied().fold(0.0, f64::max), float(*values.iter().max().unwrap()));
    stacks.len() == values.len()
        && stacks.iter().zip(values).all(|(stack, value)| (stack / tallest - float(*value) / highest).abs() < 0.001)
}

/// The `height` of each bar of the chart.
fn bar_heights(html: &str) -> Vec<f64> {
    html.split(r#"<rect class="bar""#)
        .skip(1)
        .map(|bar| {
            let from = bar.find(r#"height=""#).unwrap() + 8;
            bar[from..from + bar[from..].find('"').unwrap()].parse().unwrap()
        })
        .collect()
}

/// A provider with a portal offering equipment and reports, and a fleet: two assets of
/// Alpha (one in North site), one of Beta, one whose share with Alpha has ended.
fn fleet() -> (Provider, String) {
    let p = provider();
    let portal = p.portal("yard", &["tickets", "equipment", "reports"]);
    p.asset(
        "EX-1",
        &json!({ "name": "Excavator one", "serial_number": "SN-001", "make": "Komatsu", "model": "PC200",
                 "type": "excavator", "business_unit_id": p.north }),
    );
    p.asset("LD:2", &json!({ "name": "Loader, yard 2", "customer_id": p.alpha, "type": "loader" }));
    p.asset("B-1", &json!({ "name": "Beta crane", "customer_id": p.beta }));
    p.asset("OLD", &json!({ "name": "Returned dumper", "customer_id": p.alpha }));
    p.share("EX-1", &p.alpha, MARCH_1 - 30 * DAY, None);
    p.share("LD:2", &p.alpha, MARCH_1 - 30 * DAY, None);
    p.share("B-1", &p.beta, MARCH_1 - 30 * DAY, None);
    p.share("OLD", &p.alpha, MARCH_1 - 30 * DAY, Some(MARCH_1));
    (p, portal)
}

#[test]
fn a_member_sees_only_the_assets_shared_with_their_company_and_can_filter_by_group() {
    let (p, portal) = fleet();
    let ada = p.join(&portal, "yard", "ada@alpha.example", Some(&p.alpha));
    let home = body_text(&ada.get("/"));
    assert!(home.contains(r#"href="/equipment""#) && home.contains(r#"href="/reports""#), "{home}");

    let list = ada.get("/equipment");
    assert_eq!(list.status, 200);
    let html = body_text(&list);
    assert!(html.contains("Excavator one") && html.contains("SN-001") && html.contains("Komatsu PC200"), "{html}");
    assert!(html.contains("Loader, yard 2") && html.contains(r#"href="/equipment/LD:2""#), "{html}");
    assert!(!html.contains("Beta crane"), "another company's asset: {html}");
    assert!(!html.contains("Returned dumper"), "a share that has ended: {html}");
    assert!(html.contains("North site"), "the group column and filter: {html}");

    let filtered = body_text(&ada.get(&format!("/equipment?group={}", p.north)));
    assert!(filtered.contains("Excavator one") && !filtered.contains("Loader, yard 2"), "{filtered}");
    assert_eq!(ada.get("/equipment?group=nonsense").status, 400);

    let bob = p.join(&portal, "yard", "bob@beta.example", Some(&p.beta));
    let html = body_text(&bob.get("/equipment"));
    assert!(html.contains("Beta crane") && !html.contains("Excavator one"), "{html}");

    let nobody = p.join(&portal, "yard", "eve@nowhere.example", None);
    let html = body_text(&nobody.get("/equipment"));
    assert!(html.contains("not linked to a company"), "{html}");
    assert!(!html.contains("Excavator one") && !html.contains("Beta crane"), "{html}");
    assert_eq!(nobody.get("/equipment/EX-1").status, 404);

    assert_eq!(p.app.page(&platform_host("yard"), "/equipment").status, 303, "strangers sign in first");
}

#[test]
fn another_companys_asset_or_one_no_longer_shared_is_the_same_404_as_a_missing_one() {
    let (p, portal) = fleet();
    let ada = p.join(&portal, "yard", "ada@alpha.example", Some(&p.alpha));
    assert_eq!(ada.get("/equipment/EX-1").status, 200);
    let missing = ada.get("/equipment/NO-SUCH");
    assert_eq!(missing.status, 404);
    for path in ["/equipment/B-1", "/equipment/OLD", "/equipment/bad%20key"] {
        let page = ada.get(path);
        assert_eq!(page.status, 404, "{path}");
        assert_eq!(body_text(&page), body_text(&missing), "{path}: the very same page");
    }
    let report = ada.get("/reports?asset=B-1&from=2026-03-01&to=2026-03-02");
    assert_eq!(report.status, 404, "nor in a report");
    assert_eq!(ada.get("/reports.csv?asset=B-1&from=2026-03-01&to=2026-03-02").status, 404);
}

#[test]
fn activity_outside_the_share_window_never_shows_and_the_newest_comes_first() {
    let (p, portal) = fleet();
    p.asset("EX-3", &json!({ "name": "Borrowed drill", "customer_id": p.beta }));
    // Two windows: March 2-3, and from March 6 on (in force now). Activity before, between
    // and inside them.
    p.share("EX-3", &p.alpha, MARCH_1 + DAY, Some(MARCH_1 + 3 * DAY));
    p.share("EX-3", &p.alpha, MARCH_1 + 5 * DAY, None);
    p.events(
        "EX-3",
        &[
            json!({ "id": "a1", "at": at(MARCH_1 + 12 * HOUR), "kind": "alert", "message": "before the shares" }),
            json!({ "id": "a2", "at": at(MARCH_1 + DAY + HOUR), "kind": "alert", "message": "low <oil>" }),
            json!({ "id": "p1", "at": at(MARCH_1 + DAY + 2 * HOUR), "kind": "position", "lat": 55.5, "lon": 12.25 }),
            json!({ "id": "h1", "at": at(MARCH_1 + DAY + 3 * HOUR), "kind": "hours", "value": 1234.5 }),
            json!({ "id": "a3", "at": at(MARCH_1 + 4 * DAY), "kind": "alert", "message": "between the shares" }),
            json!({ "id": "s1", "at": at(MARCH_1 + 6 * DAY + HOUR), "kind": "start" }),
        ],
    );
    let ada = p.join(&portal, "yard", "ada@alpha.example", Some(&p.alpha));
    let page = ada.get("/equipment/EX-3");
    assert_eq!(page.status, 200);
    let html = body_text(&page);
    assert!(!html.contains("before the shares") && !html.contains("between the shares"), "{html}");
    assert!(html.contains("low &lt;oil&gt;"), "escaped: {html}");
    assert!(!html.contains("Beta"), "the owner's side is not shown: {html}");
    let rows = table_rows(&html, "activity");
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert_eq!(rows[0][1], "Start", "{rows:?}");
    assert!(rows[0][0].starts_with("2026-03-07T01:00"), "newest first: {rows:?}");
    assert!(rows[1][0].starts_with("2026-03-02T03:00") && rows[1][2] == "1,234.5\u{a0}h", "{rows:?}");
    assert_eq!(rows[2][2], "55.50000, 12.25000");
    assert!(html.contains(r#"<time datetime="2026-03-07T01:00:00.000Z">7 Mar 2026, 01:00</time>"#), "{html}");
    assert!(rows[3][0].starts_with("2026-03-02T01:00"), "{rows:?}");

    // Once the last share ends, the asset is gone from the member's view.
    p.app.rt.clock.set(MARCH_1 + 7 * DAY);
    let (status, shares) = p.call(Method::Get, "/assets/EX-3/shares", &json!(null));
    assert_eq!(status, 200, "{shares}");
    let open = shares["shares"].as_array().unwrap().iter().find(|s| s["until"].is_null()).unwrap();
    let (status, _) =
        p.call(Method::Delete, &format!("/assets/EX-3/shares/{}", open["id"].as_str().unwrap()), &json!(null));
    assert_eq!(status, 204);
    assert_eq!(ada.get("/equipment/EX-3").status, 404);
}

#[test]
fn a_portal_without_the_equipment_and_reports_apps_has_neither_pages_nor_navigation() {
    let (p, _) = fleet();
    let plain = p.portal("plain", &["tickets"]);
    let ada = p.join(&plain, "plain", "ada@alpha.example", Some(&p.alpha));
    let home = body_text(&ada.get("/"));
    assert!(!home.contains(r#"href="/equipment""#) && !home.contains(r#"href="/reports""#), "{home}");
    for path in ["/equipment", "/equipment/EX-1", "/reports", "/reports.csv"] {
        assert_eq!(ada.get(path).status, 404, "{path}");
    }
    assert_eq!(p.app.page(&platform_host("plain"), "/reports").status, 404, "strangers too");
}

#[test]
fn a_report_counts_24_hours_a_day_from_hourly_readings_in_its_table_chart_and_csv() {
    let (p, portal) = fleet();
    // Readings every hour from Feb 28 00:00 to Mar 3 11:00 (counter 100, 101, ...).
    p.events("LD:2", &hourly(MARCH_1 - DAY, 3 * 24 + 12));
    p.events(
        "LD:2",
        &[
            json!({ "id": "s1", "at": at(MARCH_1 + 8 * HOUR), "kind": "start" }),
            json!({ "id": "x1", "at": at(MARCH_1 + 16 * HOUR), "kind": "stop" }),
            json!({ "id": "s2", "at": at(MARCH_1 + DAY + 8 * HOUR), "kind": "start" }),
            json!({ "id": "al", "at": at(MARCH_1 + DAY + 9 * HOUR), "kind": "alert", "message": "hot" }),
        ],
    );
    let ada = p.join(&portal, "yard", "ada@alpha.example", Some(&p.alpha));
    let query = "asset=LD:2&from=2026-03-01&to=2026-03-04&by=day";
    let page = ada.get(&format!("/reports?{query}"));
    assert_eq!(page.status, 200);
    let html = body_text(&page);
    let rows = table_rows(&html, "report");
    assert_eq!(
        rows,
        [
            ["2026-03-01", "24", "1", "1", "0"],
            ["2026-03-02", "24", "1", "0", "1"],
            ["2026-03-03", "12", "0", "0", "0"],
            ["2026-03-04", "0", "0", "0", "0"],
        ]
    );
    assert!(proportional(&bar_heights(&html), 1, &[24, 24, 12, 0]), "one bar a day, as high as its hours: {html}");
    // The chart reads on its own: a caption naming the figure, the value axis with its unit
    // and round ticks, each day labelled, a title per bar; the table holds its numbers.
    assert!(html.contains(r#"<figcaption id="report-chart">Operating hours per day"#), "{html}");
    assert!(html.contains(r#"role="img" aria-labelledby="report-chart""#), "{html}");
    assert!(html.contains(">Operating hours (h)</text>"), "{html}");
    assert!(html.contains(">0</text>") && html.contains(">10</text>") && html.contains(">30</text>"), "{html}");
    assert!(html.contains(">1 Mar</text>") && html.contains(">4 Mar</text>"), "{html}");
    assert!(html.contains("<title>3 Mar 2026: 12\u{a0}h</title>"), "{html}");
    assert!(html.contains(r#"<td><time datetime="2026-03-01">1 Mar 2026</time></td>"#), "{html}");
    assert!(!html.contains(r#"class="legend""#), "one series, no legend");
    assert!(!html.contains("<script") && !html.contains("style="), "nothing the CSP would refuse");

    let csv = ada.get(&format!("/reports.csv?{query}"));
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let disposition = csv.header("content-disposition").unwrap();
    assert!(disposition.starts_with("attachment;") && disposition.contains("LD-2"), "{disposition}");
    let text = body_text(&csv);
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], "asset,asset_key,period_start,operating_hours,starts,stops,alerts");
    assert_eq!(lines.len(), rows.len() + 2, "header, a row per bucket, and the final CRLF: {text}");
    for (line, row) in lines[1..=rows.len()].iter().zip(&rows) {
        let rest = line.strip_prefix("\"Loader, yard 2\",LD:2,").expect("the name quoted per RFC 4180, then the key");
        assert_eq!(rest.split(',').collect::<Vec<_>>(), *row);
    }

    // By week (Monday first): Feb 23 - Mar 1 holds Mar 1's 24 h plus Feb 28's, and the
    // first reading has nothing before it, so its week starts from it.
    let weekly = body_text(&ada.get("/reports?asset=LD:2&from=2026-03-01&to=2026-03-04&by=week"));
    let rows = table_rows(&weekly, "report");
    assert_eq!(
        rows.iter().map(|r| (r[0].as_str(), r[1].as_str())).collect::<Vec<_>>(),
        [("2026-W09", "47"), ("2026-W10", "36")]
    );
    assert!(weekly.contains(r#"<time datetime="2026-W09">week 9, 2026</time>"#), "{weekly}");
    assert!(
        weekly.contains(">week 9</text>") && weekly.contains("<title>week 10, 2026: 36\u{a0}h</title>"),
        "{weekly}"
    );
    // Without an asset the whole fleet is shown (`a_fleet_report_…`); nonsense is refused.
    let fleet = ada.get("/reports");
    assert_eq!(fleet.status, 200);
    assert!(body_text(&fleet).contains(r#"<table class="fleet-report">"#), "the fleet report");
    assert_eq!(ada.get("/reports?from=2026-02-30").status, 400);
    assert_eq!(ada.get("/reports?from=2025-01-01&to=2026-03-01").status, 400, "more than a year");
    assert_eq!(ada.get("/reports?by=month").status, 400);
    assert_eq!(ada.get("/reports?group=nonsense").status, 400);
}

#[test]
fn the_portals_time_zone_moves_day_boundaries_and_the_times_shown() {
    let (p, portal) = fleet();
    p.events(
        "LD:2",
        &[
            json!({ "id": "s1", "at": at(MARCH_1 + 23 * HOUR + 30 * 60_000), "kind": "start" }),
            json!({ "id": "h1", "at": at(MARCH_1 + 22 * HOUR), "kind": "hours", "value": 10 }),
            json!({ "id": "h2", "at": at(MARCH_1 + 23 * HOUR + 30 * 60_000), "kind": "hours", "value": 12 }),
        ],
    );
    let ada = p.join(&portal, "yard", "ada@alpha.example", Some(&p.alpha));
    let query = "/reports?asset=LD:2&from=2026-03-01&to=2026-03-02";
    let utc = table_rows(&body_text(&ada.get(query)), "report");
    assert_eq!(utc, [["2026-03-01", "2", "1", "0", "0"], ["2026-03-02", "0", "0", "0", "0"]]);

    let (status, body) = p.call(Method::Patch, &format!("/portals/{portal}"), &json!({ "time_zone": 60 }));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["portal"]["time_zone"], 60);
    let cet = table_rows(&body_text(&ada.get(query)), "report");
    // In UTC+01:00, 23:30Z is 00:30 on March 2: the start and the second reading move over.
    assert_eq!(cet, [["2026-03-01", "0", "0", "0", "0"], ["2026-03-02", "2", "1", "0", "0"]]);
    let detail = body_text(&ada.get("/equipment/LD:2"));
    assert!(detail.contains(">2 Mar 2026, 00:30</time>"), "{detail}");

    let (status, body) = p.call(Method::Patch, &format!("/portals/{portal}"), &json!({ "time_zone": 900 }));
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "time_zone");
    let (_, got) = p.call(Method::Get, &format!("/portals/{portal}"), &json!(null));
    assert_eq!(got["portal"]["time_zone"], 60, "unchanged by the refused update");
}

/// The fleet report's rows: each asset's name (its link's text), then its sums, and the
/// total row last.
fn fleet_rows(html: &str) -> Vec<Vec<String>> {
    let start = html.find(r#"<table class="fleet-report">"#).expect("the fleet table");
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    table[table.find("<tbody>").unwrap()..]
        .split("<tr>")
        .skip(1)
        .map(|row| {
            let name = row.find("</a>").map_or_else(
                || row[row.find("<th scope=\"row\">").unwrap() + 16..row.find("</th>").unwrap()].to_owned(),
                |end| row[row[..end].rfind('>').unwrap() + 1..end].to_owned(),
            );
            let mut cells = vec![name];
            cells.extend(
                row.split("<td>")
                    .skip(1)
                    .filter(|c| !c.starts_with("<a"))
                    .map(|c| c[..c.find("</td>").unwrap()].to_owned()),
            );
            cells
        })
        .collect()
}

/// Thousandths of an hour from a table's text (`24`, `7.5`).
fn milli(text: &str) -> i64 {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    whole.parse::<i64>().unwrap() * 1000 + format!("{fraction:0<3}").parse::<i64>().unwrap()
}

#[test]
fn a_fleet_report_shows_each_asset_with_the_hours_of_its_own_report_and_their_totals_per_period() {
    let (p, portal) = fleet();
    // Loader: hourly from Feb 28 (a reading before the report); Excavator: its first reading
    // ever inside the report (max − min), and a replaced meter (a drop counts 0).
    p.events("LD:2", &hourly(MARCH_1 - DAY, 3 * 24 + 12));
    p.events("EX-1", &hourly(MARCH_1 + DAY + 6 * HOUR, 30));
    p.events(
        "EX-1",
        &[
            json!({ "id": "s1", "at": at(MARCH_1 + DAY + 6 * HOUR), "kind": "start" }),
            json!({ "id": "x1", "at": at(MARCH_1 + DAY + 20 * HOUR), "kind": "stop" }),
            json!({ "id": "al", "at": at(MARCH_1 + 2 * DAY + HOUR), "kind": "alert", "message": "hot" }),
            json!({ "id": "new-meter", "at": at(MARCH_1 + 3 * DAY + 2 * HOUR), "kind": "hours", "value": 3 }),
        ],
    );
    p.events("LD:2", &[json!({ "id": "s1", "at": at(MARCH_1 + 8 * HOUR), "kind": "start" })]);
    // A pump of Beta's hired to Alpha twice, March 1 from noon, and from March 3 on: only
    // the readings inside those windows count, and March 3 carries the rise over the gap.
    p.asset("HP", &json!({ "name": "Hired pump", "customer_id": p.beta }));
    p.share("HP", &p.alpha, MARCH_1 + 12 * HOUR, Some(MARCH_1 + DAY));
    p.share("HP", &p.alpha, MARCH_1 + 2 * DAY, None);
    p.events("HP", &hourly(MARCH_1, 4 * 24));
    // Another company's asset and one whose share has ended, both with readings.
    p.events("B-1", &hourly(MARCH_1, 48));
    p.events("OLD", &hourly(MARCH_1 - 2 * DAY, 48));
    let ada = p.join(&portal, "yard", "ada@alpha.example", Some(&p.alpha));

    let period = "from=2026-03-01&to=2026-03-04&by=day";
    let page = ada.get(&format!("/reports?{period}"));
    assert_eq!(page.status, 200);
    let html = body_text(&page);
    assert!(!html.contains("Beta crane") && !html.contains("Returned dumper"), "{html}");
    assert!(!html.contains("<script") && !html.contains("style="), "nothing the CSP would refuse");
    assert!(html.contains(r#"<option value="" selected>All machines</option>"#), "the fleet chosen: {html}");
    let rows = fleet_rows(&html);
    let chosen_all = body_text(&ada.get(&format!("/reports?asset=&{period}")));
    assert_eq!(fleet_rows(&chosen_all), rows, "the form's \"All machines\" sends an empty asset");
    assert_eq!(
        rows,
        [
            ["Excavator one", "29", "1", "1", "1"],
            ["Hired pump", "83", "0", "0", "0"],
            ["Loader, yard 2", "60", "1", "0", "0"],
            ["Total", "172", "2", "1", "1"],
        ],
        "{html}"
    );

    // Each asset's row is its own report's sums, and links to that report for the period.
    let mut per_day = vec![0_i64; 4];
    let mut own_csv = Vec::new();
    for (key, row) in [("EX-1", &rows[0]), ("HP", &rows[1]), ("LD:2", &rows[2])] {
        let own = format!("asset={key}&{period}");
        let link = format!("/reports?asset={}&{period}", key.replace(':', "%3A"));
        assert!(html.contains(&format!(r#"href="{}""#, link.replace('&', "&amp;"))), "{key}: {html}");
        let buckets = table_rows(&body_text(&ada.get(&format!("/reports?{own}"))), "report");
        assert_eq!(buckets.len(), 4);
        for (column, cell) in row[1..].iter().enumerate() {
            let sum: i64 = buckets.iter().map(|b| milli(&b[column + 1])).sum();
            assert_eq!(milli(cell), sum, "{key}, column {column}: {buckets:?}");
        }
        for (day, bucket) in buckets.iter().enumerate() {
            per_day[day] += milli(&bucket[1]);
        }
        let csv = body_text(&ada.get(&format!("/reports.csv?{own}")));
        own_csv.extend(csv.split("\r\n").skip(1).filter(|l| !l.is_empty()).map(str::to_owned));
    }
    assert_eq!(per_day, [35_000, 41_000, 72_000, 24_000], "the days of the three reports");
    // A stack per day of the three machines' hours, as high as the fleet's total, and a
    // legend naming them.
    assert!(proportional(&bar_heights(&html), 3, &per_day), "{html}");
    assert!(html.contains(r#"<ul class="legend">"#) && html.contains("<title>Hired pump, 2 Mar 2026: "), "{html}");

    // The CSV: a row per asset and day, the same rows as each asset's own CSV.
    let csv = ada.get(&format!("/reports.csv?{period}"));
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-disposition").unwrap().contains("utilisation-fleet-2026-03-01-2026-03-04.csv"));
    let text = body_text(&csv);
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "asset,asset_key,period_start,operating_hours,starts,stops,alerts");
    assert_eq!(lines[1..], own_csv, "{text}");
    assert_eq!(lines.len(), 1 + 3 * 4);

    // The group narrows the fleet, and the CSV link keeps it.
    let north = body_text(&ada.get(&format!("/reports?group={}&{period}", p.north)));
    assert_eq!(fleet_rows(&north), [["Excavator one", "29", "1", "1", "1"], ["Total", "29", "1", "1", "1"]]);
    let csv_link = format!("/reports.csv?group={}&amp;{}", p.north, period.replace('&', "&amp;"));
    assert!(north.contains(&csv_link), "{north}");
    let north_csv = body_text(&ada.get(&csv_link.replace("&amp;", "&")));
    assert_eq!(north_csv.split("\r\n").filter(|l| !l.is_empty()).skip(1).collect::<Vec<_>>(), own_csv[..4]);

    // Another company sees only its own.
    let bob = p.join(&portal, "yard", "bob@beta.example", Some(&p.beta));
    let theirs = body_text(&bob.get(&format!("/reports?{period}")));
    assert_eq!(fleet_rows(&theirs), [["Beta crane", "47", "0", "0", "0"], ["Total", "47", "0", "0", "0"]]);
    let theirs_csv = body_text(&bob.get(&format!("/reports.csv?{period}")));
    assert!(!theirs_csv.contains("Excavator") && !theirs_csv.contains("Loader"), "{theirs_csv}");

    // By day the whole fleet covers a quarter at most (a row per asset and day); by week, or
    // for one machine, the year.
    let half_year = "from=2026-01-01&to=2026-06-30";
    assert_eq!(ada.get(&format!("/reports?{half_year}&by=day")).status, 400);
    assert_eq!(ada.get(&format!("/reports.csv?{half_year}")).status, 400);
    assert_eq!(ada.get(&format!("/reports?{half_year}&by=week")).status, 200);
    assert_eq!(ada.get(&format!("/reports?asset=EX-1&{half_year}&by=day")).status, 200);
}

/// The asset keys a fleet list page links to, in order.
fn listed_keys(html: &str) -> Vec<String> {
    html.split(r#"href="/equipment/"#).skip(1).map(|rest| rest[..rest.find('"').unwrap()].to_owned()).collect()
}

/// The page link with `rel` ("next" or "prev"), as a path.
fn pager_link(html: &str, rel: &str) -> Option<String> {
    let marker = format!(r#"rel="{rel}" href=""#);
    let from = html.find(&marker)? + marker.len();
    Some(html[from..from + html[from..].find('"').unwrap()].replace("&amp;", "&"))
}

/// `count` assets of Alpha named `Machine 000`, `Machine 000`, `Machine 000`, `Machine 001`, ...
/// (three to a name, so a page boundary falls between assets of one name), keyed `M-<n>` so that
/// key order differs from number order, optionally in a unit; each shared with Alpha.
fn machines(p: &Provider, prefix: &str, count: usize, unit: Option<&str>) -> Vec<String> {
    (0..count)
        .map(|n| {
            let key = format!("{prefix}-{}", 999 - n);
            let mut body = json!({ "name": format!("Machine {:03}", n / 3), "customer_id": p.alpha });
            if let Some(unit) = unit {
                body["business_unit_id"] = json!(unit);
            }
            p.asset(&key, &body);
            p.share(&key, &p.alpha, MARCH_1 - 30 * DAY, None);
            key
        })
        .collect()
}

/// The keys in the list's order: by name, then key.
fn in_list_order(mut keys: Vec<(String, String)>) -> Vec<String> {
    keys.sort();
    keys.into_iter().map(|(_, key)| key).collect()
}

#[test]
fn the_fleet_list_pages_fifty_at_a_time_by_name_then_key_forwards_and_back() {
    let p = provider();
    let portal = p.portal("many", &["equipment"]);
    let keys = machines(&p, "M", 121, None);
    let expected =
        in_list_order(keys.iter().enumerate().map(|(n, k)| (format!("Machine {:03}", n / 3), k.clone())).collect());
    let ada = p.join(&portal, "many", "ada@alpha.example", Some(&p.alpha));

    let first = body_text(&ada.get("/equipment"));
    assert_eq!(listed_keys(&first), expected[..50], "the first 50 by name, then key");
    assert_eq!(pager_link(&first, "prev"), None, "nothing before the first page");
    let second_path = pager_link(&first, "next").expect("a next page");
    let second = body_text(&ada.get(&second_path));
    assert_eq!(listed_keys(&second), expected[50..100], "a name split across the boundary goes on in key order");
    let third = body_text(&ada.get(&pager_link(&second, "next").expect("a third page")));
    assert_eq!(listed_keys(&third), expected[100..], "the last 21");
    assert_eq!(pager_link(&third, "next"), None, "nothing after the last page");

    let back = body_text(&ada.get(&pager_link(&third, "prev").expect("a previous page")));
    assert_eq!(listed_keys(&back), expected[50..100], "back from the third page is the second");
    let front = body_text(&ada.get(&pager_link(&back, "prev").expect("a previous page")));
    assert_eq!(listed_keys(&front), expected[..50], "and back again the first");
    assert_eq!(pager_link(&front, "prev"), None, "the first page, reached backwards, has nothing before it");
    assert_eq!(pager_link(&front, "next"), Some(second_path), "and the same next page");

    assert_eq!(ada.get("/equipment?after=bad%20key").status, 400);
    assert_eq!(ada.get("/equipment?after=M-999&before=M-998").status, 400);
    // Beta's one asset sorts after Alpha's "Machine …": a cursor at Alpha's asset must not
    // position Beta's list (that would tell where a name not theirs sorts).
    p.asset("Z-1", &json!({ "name": "Zeta crane", "customer_id": p.beta }));
    p.share("Z-1", &p.beta, MARCH_1 - 30 * DAY, None);
    let bob = p.join(&portal, "many", "bob@beta.example", Some(&p.beta));
    assert_eq!(listed_keys(&body_text(&bob.get("/equipment"))), ["Z-1"]);
    for cursor in ["after=M-999", "before=M-999"] {
        let page = bob.get(&format!("/equipment?{cursor}"));
        assert_eq!(page.status, 303, "another company's asset as the cursor shows nothing: {}", body_text(&page));
        assert_eq!(page.header("location"), Some("/equipment"), "but the first page");
    }
}

#[test]
fn an_empty_page_reached_by_a_cursor_leads_back_to_the_first_page_in_its_group() {
    let (p, portal) = fleet();
    let ada = p.join(&portal, "yard", "ada@alpha.example", Some(&p.alpha));
    assert_eq!(listed_keys(&body_text(&ada.get("/equipment"))), ["EX-1", "LD:2"]);
    let before_first = ada.get("/equipment?before=EX-1");
    assert_eq!(before_first.status, 303, "nothing before the first asset: {}", body_text(&before_first));
    assert_eq!(before_first.header("location"), Some("/equipment"));
    let in_group = ada.get(&format!("/equipment?group={}&after=EX-1", p.north));
    assert_eq!(in_group.status, 303, "nothing after North site's one asset");
    assert_eq!(in_group.header("location"), Some(format!("/equipment?group={}", p.north).as_str()));
    assert_eq!(ada.get("/equipment?after=EX-1").status, 200, "a page that has assets is shown");
}

#[test]
fn a_cursor_naming_an_asset_whose_share_has_ended_tells_nothing_of_where_its_new_name_sorts() {
    let (p, portal) = fleet();
    // OLD was shared with Alpha until March; renamed since, its new name sorts between
    // Alpha's "Excavator one" and "Loader, yard 2".
    let (status, body) = p.call(Method::Put, "/assets/OLD", &json!({ "name": "Kilo dumper", "customer_id": p.alpha }));
    assert_eq!(status, 200, "{body}");
    let ada = p.join(&portal, "yard", "ada@alpha.example", Some(&p.alpha));
    for cursor in ["after=OLD", "before=OLD", "after=NO-SUCH"] {
        let page = ada.get(&format!("/equipment?{cursor}"));
        let html = body_text(&page);
        assert_eq!(page.status, 303, "{cursor}: {html}");
        assert_eq!(page.header("location"), Some("/equipment"), "{cursor}: the same answer as a missing asset");
        assert!(listed_keys(&html).is_empty() && !html.contains("Kilo"), "{cursor}: {html}");
    }
}

#[test]
fn the_group_filter_pages_within_its_group_and_its_choices_stay_those_of_the_whole_fleet() {
    let p = provider();
    let (status, unit) =
        p.call(Method::Post, &format!("/customers/{}/units", p.alpha), &json!({ "name": "South site" }));
    assert_eq!(status, 201, "{unit}");
    let south = unit["business_unit"]["id"].as_str().unwrap().to_owned();
    let portal = p.portal("groups", &["equipment"]);
    let north_keys = machines(&p, "N", 55, Some(&p.north));
    machines(&p, "S", 12, Some(&south));
    let expected = in_list_order(
        north_keys.iter().enumerate().map(|(n, k)| (format!("Machine {:03}", n / 3), k.clone())).collect(),
    );
    let ada = p.join(&portal, "groups", "ada@alpha.example", Some(&p.alpha));

    let first = body_text(&ada.get(&format!("/equipment?group={}", p.north)));
    assert_eq!(listed_keys(&first), expected[..50], "only North site's, 50 of them");
    assert!(first.contains("North site") && first.contains("South site"), "both groups to choose from: {first}");
    let next = pager_link(&first, "next").expect("a next page");
    assert!(next.contains(&format!("group={}", p.north)), "the next page keeps the group: {next}");
    let second = body_text(&ada.get(&next));
    assert_eq!(listed_keys(&second), expected[50..], "the other 5 of North site, none of South site");
    assert_eq!(pager_link(&second, "next"), None);
    assert!(second.contains("South site"), "the choices on a later page too: {second}");

    let all = body_text(&ada.get("/equipment"));
    assert_eq!(listed_keys(&all).len(), 50, "unfiltered, the whole fleet pages too");

    // A rented machine in a unit of Beta's, shared with Alpha: Beta's unit is no group of Alpha's.
    let (status, unit) = p.call(Method::Post, &format!("/customers/{}/units", p.beta), &json!({ "name": "Lab" }));
    assert_eq!(status, 201, "{unit}");
    let lab = unit["business_unit"]["id"].as_str().unwrap().to_owned();
    p.asset("R-1", &json!({ "name": "Rented rig", "business_unit_id": lab }));
    p.share("R-1", &p.alpha, MARCH_1 - 30 * DAY, None);
    let html = body_text(&ada.get(&format!("/equipment?group={lab}")));
    assert!(listed_keys(&html).is_empty() && !html.contains("Lab"), "another customer's unit: {html}");
}

#[test]
fn an_asset_page_shows_its_group_only_when_the_unit_is_the_members_own_company_s() {
    let p = provider();
    let (status, lab) = p.call(Method::Post, &format!("/customers/{}/units", p.beta), &json!({ "name": "Beta lab" }));
    assert_eq!(status, 201, "{lab}");
    let lab = lab["business_unit"]["id"].as_str().unwrap().to_owned();
    p.asset("N1", &json!({ "name": "North pump", "business_unit_id": p.north }));
    p.asset("L1", &json!({ "name": "Lab pump", "business_unit_id": lab }));
    for key in ["N1", "L1"] {
        p.share(key, &p.alpha, MARCH_1, None);
    }
    let portal = p.portal("yard", &["equipment"]);
    let ada = p.join(&portal, "yard", "ada@alpha.example", Some(&p.alpha));
    let north = body_text(&ada.get("/equipment/N1"));
    assert!(north.contains("<dd>North site</dd>"), "{north}");
    let borrowed = ada.get("/equipment/L1");
    assert_eq!(borrowed.status, 200, "a machine lent from Beta's lab is Alpha's to see");
    assert!(!body_text(&borrowed).contains("Beta lab"), "but Beta's unit is not Alpha's group");
}

/// The `<option>`s of a page's group filter: (value, text), in order.
fn group_choices(html: &str) -> Vec<(String, String)> {
    let start = html.find(r#"<select name="group""#).expect("the group filter");
    let select = &html[start..start + html[start..].find("</select>").unwrap()];
    select
        .split("<option value=\"")
        .skip(1)
        .map(|option| {
            let value = &option[..option.find('"').unwrap()];
            let text = &option[option.find('>').unwrap() + 1..option.find("</option>").unwrap()];
            (value.to_owned(), text.to_owned())
        })
        .collect()
}

#[test]
fn a_reports_group_choices_are_the_fleet_lists_by_name_each_once() {
    let (p, portal) = fleet();
    // A second site of Alpha's, named to sort first, with two machines; a unit with none.
    let unit = |name: &str| {
        let answer = p.ok(Method::Post, &format!("/customers/{}/units", p.alpha), &json!({ "name": name }));
        answer["business_unit"]["id"].as_str().unwrap().to_owned()
    };
    let east = unit("East yard");
    unit("Empty depot");
    for key in ["EY-1", "EY-2"] {
        p.asset(key, &json!({ "name": format!("Dozer {key}"), "business_unit_id": east }));
        p.share(key, &p.alpha, MARCH_1 - 30 * DAY, None);
    }
    let ada = p.join(&portal, "yard", "ada@alpha.example", Some(&p.alpha));
    let listed = group_choices(&body_text(&ada.get("/equipment")));
    let expected: Vec<(String, String)> =
        [("", "All groups"), (east.as_str(), "East yard"), (p.north.as_str(), "North site")]
            .iter()
            .map(|(id, name)| ((*id).to_owned(), (*name).to_owned()))
            .collect();
    assert_eq!(listed, expected, "the fleet list's, from its own statement");
    let report = ada.get("/reports?from=2026-03-01&to=2026-03-02");
    assert_eq!(report.status, 200);
    assert_eq!(group_choices(&body_text(&report)), expected, "the report's, from its choice of machines");
}
