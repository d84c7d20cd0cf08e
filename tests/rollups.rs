//! Reports read from rollups (migration 0019) against a naive reference computed here from
//! every raw reading, the way porch computed reports before rollups: the demo fleet
//! (`seed/demo.sql` and `seed/demo-fleet.sql`, rebuilt as `scripts/rollups` does) and a
//! machine shared with portals in three zones with summer time and 30- and 45-minute offsets,
//! windows starting and ending mid-day, a gap between them, late and out-of-order readings,
//! duplicates, a counter that drops, and a zone changed after the fact. Each report, by day
//! and by week, one asset's and the fleet's, must be the same CSV numbers exactly.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};

use crate::common;

use common::browser::Browser;
use common::{body_text, provider, spawn_app_with_demo_fleet, Provider, TestApp};
use porch_core::http::Method;
use porch_core::store::equipment::{self, RebuildRow};
use porch_core::store::{Database, Value};
use porch_types::time::Timestamp;
use porch_types::time_zone::TimeZone;
use porch_types::usage::{self, date_text, hours_text, parse_day, BucketRow, Buckets, Span};
use serde::Deserialize;
use serde_json::json;

const HOUR: i64 = 3_600_000;

fn at(text: &str) -> i64 {
    Timestamp::parse_rfc3339(text).unwrap().millis()
}

/// A stored reading.
#[derive(Deserialize)]
struct Event {
    at: i64,
    kind: String,
    hours_milli: Option<i64>,
}

/// A share window of the asset with the customer: `[from_at, until_at)`.
#[derive(Deserialize)]
struct Window {
    from_at: i64,
    until_at: Option<i64>,
}

/// One asset as the reference sees it: its readings in time order and its windows.
struct Raw {
    events: Vec<Event>,
    windows: Vec<Window>,
}

fn raw(app: &TestApp, asset: &str, customer: &str) -> Raw {
    let rows = app.sql(
        "SELECT at, kind, hours_milli FROM asset_activity WHERE asset_id = ?1 ORDER BY at, event_id",
        vec![asset.into()],
    );
    let windows = app.sql(
        "SELECT from_at, until_at FROM asset_shares WHERE asset_id = ?1 AND customer_id = ?2",
        vec![asset.into(), customer.into()],
    );
    Raw {
        events: rows.into_iter().map(|r| serde_json::from_value(r).unwrap()).collect(),
        windows: windows.into_iter().map(|r| serde_json::from_value(r).unwrap()).collect(),
    }
}

/// The naive reference: a report's CSV numbers (period, hours, starts, stops, alerts) from
/// every reading the customer may see (inside one of its windows), each in the bucket of its
/// local wall-clock time (truncated toward zero, as the SQL's CAST), with the last visible
/// hours reading before the report as the base.
fn naive(raw: &Raw, buckets: &Buckets) -> Vec<[String; 5]> {
    let visible = |at: i64| raw.windows.iter().any(|w| w.from_at <= at && w.until_at.is_none_or(|u| at < u));
    let (start, end) = (buckets.start().millis(), buckets.end().millis());
    let mut rows: BTreeMap<i64, BucketRow> = BTreeMap::new();
    let mut before = None;
    for event in raw.events.iter().filter(|e| visible(e.at)) {
        if event.at < start {
            before = event.hours_milli.or(before);
            continue;
        }
        if event.at >= end {
            continue;
        }
        let local = event.at + buckets.zone.offset_ms(Timestamp::from_millis(event.at));
        let bucket = (local - buckets.local_start_ms()) / buckets.length_ms();
        let row = rows.entry(bucket).or_insert_with(|| BucketRow { bucket, ..BucketRow::default() });
        if let Some(hours) = event.hours_milli {
            row.hours_max = Some(row.hours_max.map_or(hours, |h| h.max(hours)));
            row.hours_min = Some(row.hours_min.map_or(hours, |h| h.min(hours)));
        }
        row.starts += i64::from(event.kind == "start");
        row.stops += i64::from(event.kind == "stop");
        row.alerts += i64::from(event.kind == "alert");
    }
    let rows: Vec<BucketRow> = rows.into_values().collect();
    usage::usage(buckets, &rows, before)
        .iter()
        .map(|u| {
            [
                date_text(u.day),
                hours_text(u.hours_milli),
                u.starts.to_string(),
                u.stops.to_string(),
                u.alerts.to_string(),
            ]
        })
        .collect()
}

/// A report's CSV as served, per asset key: the numbers of each row, in order.
fn served(browser: &Browser<'_>, query: &str) -> BTreeMap<String, Vec<[String; 5]>> {
    let response = browser.get(&format!("/reports.csv?{query}"));
    let text = body_text(&response);
    assert_eq!(response.status, 200, "{query}: {text}");
    let mut out: BTreeMap<String, Vec<[String; 5]>> = BTreeMap::new();
    for line in text.split("\r\n").skip(1).filter(|l| !l.is_empty()) {
        // Names may be quoted and hold commas; the key and the numbers never do.
        let fields: Vec<&str> = line.rsplitn(6, ',').collect();
        let key = fields[5].rsplit_once(',').unwrap().1.to_owned();
        let numbers = [fields[4], fields[3], fields[2], fields[1], fields[0]].map(str::to_owned);
        out.entry(key).or_default().push(numbers);
    }
    out
}

/// Every rollup of every asset rebuilt, as `scripts/rollups` does (the same plan and
/// statements, here on `SQLite`): how many assets.
fn rebuild_all(app: &TestApp) -> usize {
    let plan = app.sql(equipment::REBUILD_PLAN, Vec::new());
    for row in &plan {
        let row: RebuildRow = serde_json::from_value(row.clone()).unwrap();
        pollster::block_on(app.rt.db.batch(equipment::rebuild(&row))).unwrap();
    }
    plan.len()
}

fn count(app: &TestApp, sql: &'static str, params: Vec<Value>) -> i64 {
    app.sql(sql, params)[0]["n"].as_i64().unwrap()
}

/// The reports by day and by week over `days`, of one asset each and (by week, and by day
/// over 93 days at most) of the whole fleet, served and naive, must agree exactly.
fn assert_reports_agree(
    browser: &Browser<'_>,
    app: &TestApp,
    zone: TimeZone,
    customer: &str,
    assets: &[(String, String)],
    (from, to): (i64, i64),
    now: i64,
) {
    let shared_now = |raw: &Raw| raw.windows.iter().any(|w| w.from_at <= now && w.until_at.is_none_or(|u| now < u));
    let raws: Vec<(String, Raw)> = assets.iter().map(|(key, id)| (key.clone(), raw(app, id, customer))).collect();
    for span in [Span::Day, Span::Week] {
        let buckets = Buckets::new(from, to, span, zone).unwrap();
        let range = format!("from={}&to={}&by={}", date_text(from), date_text(to), span.code());
        let mut fleet = BTreeMap::new();
        for (key, raw) in raws.iter().filter(|(_, raw)| shared_now(raw)) {
            let expected = naive(raw, &buckets);
            let got = served(browser, &format!("asset={key}&{range}"));
            assert_eq!(got.get(key), Some(&expected), "{key} {range} in {}", zone.label());
            fleet.insert(key.clone(), expected);
        }
        if span == Span::Week || buckets.count <= 93 {
            assert_eq!(served(browser, &range), fleet, "the fleet, {range} in {}", zone.label());
        }
    }
}

/// The clock the demo's SQL generated its data up to (`strftime('now')`).
fn database_now(app: &TestApp) -> i64 {
    count(app, "SELECT CAST(strftime('%s', 'now') AS INTEGER) * 1000 AS n", Vec::new())
}

#[test]
fn the_demo_fleets_reports_from_rollups_equal_those_from_every_reading() {
    let app = spawn_app_with_demo_fleet();
    let now = database_now(&app);
    app.rt.clock.set(now);
    assert!(rebuild_all(&app) >= 40, "the demo's machines");
    let zones = "SELECT COUNT(*) AS n FROM asset_rollup_zones WHERE zone = 'Europe/Copenhagen'";
    assert!(count(&app, zones, Vec::new()) >= 40, "rolled up in the portal's zone");
    assert!(count(&app, "SELECT COUNT(*) AS n FROM asset_rollups", Vec::new()) > 40 * 100, "a row per day");

    let demo = Browser::new(&app, "northwind.localhost");
    assert_eq!(demo.get("/sign-in").status, 200);
    let signed_in = demo.post("/sign-in", &[("email", "demo@northwind.example"), ("password", "northwind-demo")]);
    assert_eq!(signed_in.status, 303, "{}", body_text(&signed_in));
    let customer = "b0000000-0000-4000-8000-0000000000c1";
    let assets: Vec<(String, String)> = app
        .sql("SELECT asset_key, id FROM assets WHERE tenant_id = 'b0000000-0000-4000-8000-000000000001'", Vec::new())
        .iter()
        .map(|r| (r["asset_key"].as_str().unwrap().to_owned(), r["id"].as_str().unwrap().to_owned()))
        .collect();
    let zone = TimeZone::named("Europe/Copenhagen").unwrap();
    let today = zone.local_day(Timestamp::from_millis(now));
    // The whole history by week and by day (one asset) and its last quarter (the fleet too).
    assert_reports_agree(&demo, &app, zone, customer, &assets, (today - 170, today), now);
    assert_reports_agree(&demo, &app, zone, customer, &assets, (today - 92, today), now);
}

/// A hundred-odd days of hourly readings of `LD-1` around both summer-time changes of 2026,
/// with a start and a stop each day and an alert every fifth, as `POST .../activity` batches.
fn hourly_events(from: i64, hours: i64, prefix: &str) -> Vec<serde_json::Value> {
    (0..hours)
        .flat_map(|n| {
            let instant = from + n * HOUR;
            let text = Timestamp::from_millis(instant).to_string();
            let mut events = vec![json!({ "id": format!("{prefix}h-{n}"), "at": text, "kind": "hours", "value": n })];
            match n % 24 {
                6 => events.push(json!({ "id": format!("{prefix}s-{n}"), "at": text, "kind": "start" })),
                15 => events.push(json!({ "id": format!("{prefix}p-{n}"), "at": text, "kind": "stop" })),
                9 if n % 5 == 0 => {
                    events.push(json!({ "id": format!("{prefix}a-{n}"), "at": text, "kind": "alert", "message": "x" }));
                }
                _ => {}
            }
            events
        })
        .collect()
}

fn ingest(p: &Provider, events: &[serde_json::Value]) -> (u64, u64) {
    let mut counts = (0, 0);
    for batch in events.chunks(1000) {
        let (status, body) = p.call(Method::Post, "/assets/LD-1/activity", &json!({ "events": batch }));
        assert_eq!(status, 200, "{body}");
        counts.0 += body["accepted"].as_u64().unwrap();
        counts.1 += body["duplicates"].as_u64().unwrap();
    }
    counts
}

#[test]
fn reports_across_summer_time_in_three_zones_agree_with_every_reading_through_late_data_and_a_zone_change() {
    let p = provider();
    let zones = ["Europe/Copenhagen", "Asia/Kathmandu", "Pacific/Chatham"];
    let mut members = Vec::new();
    for (n, zone) in zones.iter().enumerate() {
        let slug = format!("yard{n}");
        let portal = p.app.new_portal(
            &p.key,
            &p.tenant,
            &json!({ "slug": slug, "name": slug, "apps": ["equipment", "reports"] }),
        );
        let (status, body) = p.call(Method::Patch, &format!("/portals/{portal}"), &json!({ "time_zone": zone }));
        assert_eq!(status, 200, "{body}");
        members.push((portal, slug, TimeZone::named(zone).unwrap()));
    }
    // Made after the portals: its rollups are kept in their three zones from the start.
    let (status, body) =
        p.call(Method::Put, "/assets/LD-1", &json!({ "name": "Loader, yard", "customer_id": p.customer }));
    assert_eq!(status, 201, "{body}");
    let asset = body["asset"]["id"].as_str().unwrap().to_owned();
    // Two windows starting and ending mid-day, with a gap of two days and a half between them.
    for (from, until) in [("2026-03-20T10:17:00Z", Some("2026-04-02T13:45:00Z")), ("2026-04-05T01:30:00Z", None)] {
        let share = json!({ "customer_id": p.customer, "from": from, "until": until });
        let (status, body) = p.call(Method::Post, "/assets/LD-1/shares", &share);
        assert_eq!(status, 201, "{body}");
    }
    let listed = "SELECT COUNT(*) AS n FROM asset_rollup_zones WHERE asset_id = ?1";
    assert_eq!(count(&p.app, listed, vec![asset.clone().into()]), 3);

    // Late March to early November: both changes in Europe, and Chatham's in April.
    let now = at("2026-11-20T12:00:00Z");
    p.app.rt.clock.set(now);
    let start = at("2026-03-10T00:00:00Z");
    let events = hourly_events(start, 24 * 240, "");
    let (accepted, _) = ingest(&p, &events);
    assert_eq!(accepted, u64::try_from(events.len()).unwrap());
    let browsers: Vec<Browser<'_>> = members
        .iter()
        .enumerate()
        .map(|(n, (portal, slug, _))| p.join(portal, slug, &format!("m{n}@alpha.example"), Some(&p.customer)))
        .collect();
    let assets = [("LD-1".to_owned(), asset.clone())];
    let (from, to) = (parse_day("2026-01-01").unwrap(), parse_day("2026-12-31").unwrap());
    let check = |label: &str| {
        for (browser, (_, _, zone)) in browsers.iter().zip(&members) {
            assert_reports_agree(browser, &p.app, *zone, &p.customer, &assets, (from, to), now);
            assert_reports_agree(browser, &p.app, *zone, &p.customer, &assets, (from + 85, from + 100), now);
            let days = "SELECT COUNT(*) AS n FROM asset_rollups WHERE asset_id = ?1 AND zone = ?2";
            let params = vec![asset.clone().into(), equipment::zone_key(*zone).into()];
            assert!(count(&p.app, days, params) >= 240, "{label}: {} has its days", zone.label());
        }
    };
    check("first ingest");

    // The same batches again: nothing changes. Then late readings out of order, on days
    // already rolled up: a meter that drops, alerts, a stop inside the gap between windows.
    let (accepted, duplicates) = ingest(&p, &events);
    assert_eq!((accepted, u64::try_from(events.len()).unwrap()), (0, duplicates));
    let late = json!({ "events": [
        { "id": "late-1", "at": "2026-06-10T12:30:00Z", "kind": "hours", "value": 5 },
        { "id": "late-2", "at": "2026-03-29T00:59:00Z", "kind": "alert", "message": "cold start" },
        { "id": "late-3", "at": "2026-04-03T12:00:00Z", "kind": "stop" },
        { "id": "late-4", "at": "2026-10-25T00:30:00Z", "kind": "hours", "value": 99999 },
        { "id": "late-5", "at": "2026-04-05T01:29:59Z", "kind": "start" },
    ] });
    let (status, body) = p.call(Method::Post, "/assets/LD-1/activity", &late);
    assert_eq!((status, body["accepted"].as_u64()), (200, Some(5)), "{body}");
    check("late readings");

    // A portal changes its zone: until the next scheduled run rebuilds the asset's rollups,
    // its reports read raw readings (the zone is not listed for the asset), then rollups
    // again; both agree with the reference.
    let (portal, slug, _) = &members[0];
    let (status, body) =
        p.call(Method::Patch, &format!("/portals/{portal}"), &json!({ "time_zone": "America/St_Johns" }));
    assert_eq!(status, 200, "{body}");
    let st_johns = TimeZone::named("America/St_Johns").unwrap();
    let changed = &browsers[0];
    assert_reports_agree(changed, &p.app, st_johns, &p.customer, &assets, (from, to), now);
    pollster::block_on(porch_core::app::scheduled::run(&p.app.rt));
    let zones_now: BTreeSet<String> = p
        .app
        .sql("SELECT zone FROM asset_rollup_zones", Vec::new())
        .iter()
        .map(|r| r["zone"].as_str().unwrap().to_owned())
        .collect();
    assert!(zones_now.contains("America/St_Johns"), "{slug}: {zones_now:?}");
    assert_reports_agree(changed, &p.app, st_johns, &p.customer, &assets, (from, to), now);
    // An ingest after the rebuild keeps the new zone.
    let more = hourly_events(start + 24 * 240 * HOUR, 48, "more-");
    ingest(&p, &more);
    assert_reports_agree(changed, &p.app, st_johns, &p.customer, &assets, (from, to), now);
}
