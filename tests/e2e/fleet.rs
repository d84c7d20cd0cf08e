//! The equipment side of a portal on real workerd with local D1: the operator's plan bounds a
//! portal's apps, a portal without equipment has neither its pages nor their menu entries, a
//! member sees only their company's shared assets and only activity inside the share window,
//! and the utilisation report's table, chart and CSV add up to the readings.

use serde_json::json;

use super::recipients::portal;
use super::server;

/// 2026-03-01T00:00:00Z.
const MARCH_1: i64 = 1_772_323_200_000;
const HOUR: i64 = 3_600_000;

fn at(ms: i64) -> String {
    porch_types::time::Timestamp::from_millis(ms).to_string()
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn plans_bound_apps_and_a_member_sees_only_their_share_window_in_a_report_that_adds_up_on_workerd() {
    let s = server();
    let p = portal(&s, "Yard");
    let tenant = format!("/api/v1/tenants/{}", p.tenant);
    let portal_path = format!("{tenant}/portals/{}", p.id);
    let plan = json!({ "plan_apps": ["tickets", "support_form", "equipment", "reports"] });
    let sold = s.api("PATCH", &tenant, &s.token, Some(plan));
    assert_eq!(sold.status, 200, "{}", sold.text());
    let refused = s.api("PATCH", &portal_path, &p.key, Some(json!({ "apps": ["equipment", "documents"] })));
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert!(refused.text().contains("documents is not in this tenant's plan"), "{}", refused.text());

    let alpha = p.customer(&s, "Alpha");
    let beta = p.customer(&s, "Beta");
    let mut ada = p.member(&s, &alpha, "ada@alpha.example");
    // Not yet given the equipment app: no pages, no menu entries.
    assert_eq!(ada.get("/equipment").status, 404);
    assert_eq!(ada.get("/reports").status, 404);
    assert!(!ada.get("/").text().contains(r#"href="/equipment""#));
    let given = s.api("PATCH", &portal_path, &p.key, Some(json!({ "apps": ["tickets", "equipment", "reports"] })));
    assert_eq!(given.status, 200, "{}", given.text());

    // Alpha's loader, shared from 2 March, with 72 hourly readings from 1 March: the first
    // day's are outside the window. Beta's crane is Beta's alone.
    let assets = format!("{tenant}/assets");
    for (key, customer) in [("LD-1", &alpha), ("CR-9", &beta)] {
        let put =
            s.api("PUT", &format!("{assets}/{key}"), &p.key, Some(json!({ "name": key, "customer_id": customer })));
        assert_eq!(put.status, 201, "{}", put.text());
        let from = at(MARCH_1 + 24 * HOUR);
        let shared = s.api(
            "POST",
            &format!("{assets}/{key}/shares"),
            &p.key,
            Some(json!({ "customer_id": customer, "from": from })),
        );
        assert_eq!(shared.status, 201, "{}", shared.text());
    }
    let readings: Vec<_> = (0..72)
        .map(|n| json!({ "id": format!("h-{n}"), "at": at(MARCH_1 + n * HOUR), "kind": "hours", "value": 100 + n }))
        .collect();
    let ingested = s.api("POST", &format!("{assets}/LD-1/activity"), &p.key, Some(json!({ "events": readings })));
    assert_eq!(ingested.json(), json!({ "accepted": 72, "duplicates": 0 }));

    let fleet = ada.get("/equipment").text();
    assert!(fleet.contains(r#"href="/equipment/LD-1""#) && !fleet.contains("CR-9"), "{fleet}");
    let other = ada.get("/equipment/CR-9");
    assert_eq!(other.status, 404);
    assert_eq!(other.text(), ada.get("/equipment/NO-SUCH").text(), "the same page as a missing asset");
    let asset = ada.get("/equipment/LD-1").text();
    assert!(
        asset.contains(r#"datetime="2026-03-03T23:00"#) && !asset.contains("2026-03-01"),
        "only the share window: {asset}"
    );

    // By day: 2 March's first visible reading has none before it (1 March is outside the
    // window), so it counts 00:00 to 23:00, 23 hours; 3 March counts from 2 March's last, 24.
    let query = "asset=LD-1&from=2026-03-02&to=2026-03-03&by=day";
    let report = ada.get(&format!("/reports?{query}"));
    assert_eq!(report.status, 200, "{}", report.text());
    let html = report.text();
    // A row's period is a <time> in the reader's words, its machine form in `datetime`.
    let row = |day: &str| html.split("<tr").find(|r| r.contains(&format!(r#"datetime="{day}""#))).unwrap_or_default();
    assert!(row("2026-03-02").contains("<td>23</td>") && row("2026-03-03").contains("<td>24</td>"), "{html}");
    assert_eq!(html.matches(r#"<rect class="bar""#).count(), 2, "a bar a day");
    let csv = ada.get(&format!("/reports.csv?{query}"));
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-disposition").is_some_and(|d| d.starts_with("attachment")));
    let rows: Vec<String> = csv.text().split("\r\n").filter(|l| !l.is_empty()).map(str::to_owned).collect();
    assert_eq!(
        rows,
        [
            "asset,asset_key,period_start,operating_hours,starts,stops,alerts",
            "LD-1,LD-1,2026-03-02,23,0,0,0",
            "LD-1,LD-1,2026-03-03,24,0,0,0"
        ],
        "{rows:?}"
    );
}
