//! The recipients' activity page, in process on real `SQLite`: the feed holds only the events
//! of assets shared with the member's company now, only inside the share windows, newest
//! first in pages of 50, narrowed by asset, kind and group, times in the portal's time zone;
//! a portal without the activity app has no such page and no menu entry.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use crate::common;

use common::body_text;
use common::fleet::{at, provider, Provider, DAY, HOUR, MARCH_1};
use porch_core::http::Method;
use serde_json::json;

/// Alpha's excavator EX-1 (in North site, shared from 1 March: a reading before that stays
/// hidden) with 60 hourly readings, a start and an alert; Alpha's loader LD-2 (no unit) with a
/// position; Beta's crane with an alert; Alpha's returned dumper (share ended) with an alert.
/// Alpha may see 63 events.
fn fleet() -> Provider {
    let fleet = provider();
    let alpha = fleet.alpha.clone();
    for (key, body) in [
        ("EX-1", json!({ "name": "Excavator one", "business_unit_id": fleet.north })),
        ("LD-2", json!({ "name": "Loader two", "customer_id": alpha })),
        ("B-1", json!({ "name": "Beta crane", "customer_id": fleet.beta })),
        ("OLD", json!({ "name": "Returned dumper", "customer_id": alpha })),
    ] {
        fleet.ok(Method::Put, &format!("/assets/{key}"), &body);
    }
    fleet.share("EX-1", &alpha, MARCH_1, None);
    fleet.share("LD-2", &alpha, MARCH_1 - 30 * DAY, None);
    fleet.share("B-1", &fleet.beta, MARCH_1 - 30 * DAY, None);
    fleet.share("OLD", &alpha, MARCH_1 - 30 * DAY, Some(MARCH_1));
    let mut ex = vec![
        json!({ "id": "early", "at": at(MARCH_1 - DAY), "kind": "hours", "value": 99 }),
        json!({ "id": "start", "at": at(MARCH_1), "kind": "start" }),
        json!({ "id": "fuel", "at": at(MARCH_1 + 2 * HOUR + 60_000), "kind": "alert", "message": "Low fuel" }),
    ];
    ex.extend(
        (0..60).map(
            |n| json!({ "id": format!("h-{n}"), "at": at(MARCH_1 + n * HOUR), "kind": "hours", "value": 100 + n }),
        ),
    );
    fleet.events("EX-1", &ex);
    fleet.events(
        "LD-2",
        &[json!({ "id": "p", "at": at(MARCH_1 + 90 * 60_000), "kind": "position", "lat": 56.1629, "lon": 10.2039 })],
    );
    fleet.events("B-1", &[json!({ "id": "a", "at": at(MARCH_1 + HOUR), "kind": "alert", "message": "Beta secret" })]);
    fleet.events("OLD", &[json!({ "id": "a", "at": at(MARCH_1 - 2 * DAY), "kind": "alert", "message": "Old secret" })]);
    fleet
}

/// The `datetime` of each event row, in page order.
fn times(html: &str) -> Vec<String> {
    html.split(r#"<time datetime=""#).skip(1).map(|rest| rest[..rest.find('"').unwrap()].to_owned()).collect()
}

/// The href of the "older events" link, unescaped.
fn older(html: &str) -> Option<String> {
    let from = html.find(r#"rel="next" href=""#)? + 17;
    Some(html[from..from + html[from..].find('"').unwrap()].replace("&amp;", "&"))
}

#[test]
fn the_feed_shows_only_shared_assets_inside_their_windows_newest_first_in_pages_of_50() {
    let f = fleet();
    let portal = f.portal("feed", &["tickets", "equipment", "activity"]);
    let ada = f.join(&portal, "feed", "ada@alpha.example", Some(&f.alpha));
    let first = ada.get("/activity");
    assert_eq!(first.status, 200);
    let html = body_text(&first);
    assert!(html.contains(r#"href="/activity""#), "the menu entry: {html}");
    assert!(!html.contains("Beta secret") && !html.contains("Beta crane"), "another company's asset: {html}");
    assert!(!html.contains("Old secret"), "an asset no longer shared: {html}");
    let page_one = times(&html);
    assert_eq!(page_one.len(), 50);
    assert!(page_one.windows(2).all(|w| w[0] >= w[1]), "newest first: {page_one:?}");
    assert_eq!(page_one[0], at(MARCH_1 + 59 * HOUR));

    let next = older(&html).expect("a link to older events");
    let html = body_text(&ada.get(&next));
    let page_two = times(&html);
    assert_eq!(page_two.len(), 13, "63 visible events in all, the reading before the share not among them");
    assert!(page_one.last().unwrap() >= page_two.first().unwrap());
    assert_eq!(page_two.last().unwrap(), &at(MARCH_1), "the first event inside the share window");
    assert!(html.contains("Low fuel") && html.contains("Loader two") && html.contains("56.16290"), "{html}");
    assert!(older(&html).is_none(), "no page after the last");
}

#[test]
fn the_feed_filters_by_asset_kind_and_group_refuses_malformed_filters_and_an_asset_not_shared_is_not_found() {
    let f = fleet();
    let portal = f.portal("feed", &["tickets", "equipment", "activity"]);
    let ada = f.join(&portal, "feed", "ada@alpha.example", Some(&f.alpha));

    let html = body_text(&ada.get("/activity?asset=LD-2"));
    assert_eq!(times(&html).len(), 1, "{html}");
    assert!(html.contains("Loader two") && !html.contains(r#"href="/equipment/EX-1""#), "{html}");

    let html = body_text(&ada.get("/activity?kind=alert"));
    assert_eq!(times(&html), [at(MARCH_1 + 2 * HOUR + 60_000)], "{html}");
    assert!(html.contains("Low fuel") && !html.contains("Beta secret"), "{html}");

    let html = body_text(&ada.get(&format!("/activity?group={}&kind=start", f.north)));
    assert_eq!(times(&html), [at(MARCH_1)], "{html}");
    let html = body_text(&ada.get(&format!("/activity?group={}", f.north)));
    assert!(!html.contains(r#"href="/equipment/LD-2""#), "LD-2 is in no unit: {html}");
    assert!(html.contains(&format!(r#"<option value="{}" selected>"#, f.north)), "the chosen group: {html}");
    let next = older(&html).expect("62 events of North site: two pages");
    assert!(next.contains(&format!("group={}", f.north)), "the next page keeps the filter: {next}");
    assert_eq!(times(&body_text(&ada.get(&next))).len(), 12);

    // Another company's asset, or a missing one, is the 404 of a missing page, as on the
    // documents and reports pages.
    let missing = ada.get("/activity?asset=NO-SUCH");
    assert_eq!(missing.status, 404);
    let foreign = ada.get("/activity?asset=B-1");
    assert_eq!(foreign.status, 404);
    assert_eq!(body_text(&foreign), body_text(&missing), "the very same page");
    assert!(!body_text(&foreign).contains("Beta secret"));

    for bad in ["/activity?kind=pizza", "/activity?group=nonsense", "/activity?after=12", "/activity?asset=bad%20key"] {
        assert_eq!(ada.get(bad).status, 400, "{bad}");
    }
}

#[test]
fn times_are_shown_in_the_portals_time_zone() {
    let f = fleet();
    let portal = f.portal("feed", &["tickets", "equipment", "activity"]);
    f.ok(Method::Patch, &format!("/portals/{portal}"), &json!({ "time_zone": 60 }));
    let ada = f.join(&portal, "feed", "ada@alpha.example", Some(&f.alpha));
    let html = body_text(&ada.get("/activity?kind=start"));
    assert!(html.contains(">1 Mar 2026, 01:00</time>"), "{html}");
}

#[test]
fn a_portal_without_the_activity_app_has_no_activity_page_nor_menu_entry_nor_link() {
    let f = fleet();
    let with = f.portal("feed", &["tickets", "equipment", "activity"]);
    let ada = f.join(&with, "feed", "ada@alpha.example", Some(&f.alpha));
    assert!(body_text(&ada.get("/equipment/EX-1")).contains(r#"href="/activity?asset=EX-1""#));

    let without = f.portal("plain", &["tickets", "equipment"]);
    let bob = f.join(&without, "plain", "bob@alpha.example", Some(&f.alpha));
    let home = body_text(&bob.get("/"));
    assert!(home.contains(r#"href="/equipment""#) && !home.contains(r#"href="/activity""#), "{home}");
    assert!(!body_text(&bob.get("/equipment/EX-1")).contains("/activity"));
    let missing = bob.get("/no-such-page");
    let page = bob.get("/activity");
    assert_eq!(page.status, 404);
    assert_eq!(body_text(&page), body_text(&missing), "the same page as a missing one");
}

/// The feed's pages read each asset only back to a bound found per asset; this checks the
/// bound never cuts an event off: two assets with events at the very same instants (ties
/// across page boundaries), a third in between, and on the first one 40 newer events in a
/// gap between its two shares (not visible, so they must not count towards its bound).
#[test]
fn paging_through_a_fleet_with_simultaneous_events_shows_every_visible_event_once() {
    let f = fleet();
    let alpha = f.alpha.clone();
    let minute = 60_000;
    for key in ["T-A", "T-B", "T-C"] {
        f.ok(Method::Put, &format!("/assets/{key}"), &json!({ "name": format!("Tower {key}"), "customer_id": alpha }));
    }
    f.share("T-A", &alpha, MARCH_1, Some(MARCH_1 + 10 * DAY));
    f.share("T-A", &alpha, MARCH_1 + 20 * DAY, None);
    f.share("T-B", &alpha, MARCH_1, None);
    f.share("T-C", &alpha, MARCH_1, None);
    let readings = |count: i64, first: i64, step: i64| -> Vec<serde_json::Value> {
        (0..count)
            .map(|n| json!({ "id": format!("e-{first}-{n}"), "at": at(first + n * step), "kind": "start" }))
            .collect()
    };
    let mut a = readings(70, MARCH_1 + 5 * DAY, minute);
    a.extend(readings(40, MARCH_1 + 15 * DAY, minute));
    f.events("T-A", &a);
    f.events("T-B", &readings(70, MARCH_1 + 5 * DAY, minute));
    f.events("T-C", &readings(30, MARCH_1 + 5 * DAY + 30_000, minute));

    let portal = f.portal("feed", &["tickets", "equipment", "activity"]);
    let ada = f.join(&portal, "feed", "ada@alpha.example", Some(&f.alpha));
    let (mut all, mut next) = (Vec::new(), Some("/activity".to_owned()));
    while let Some(href) = next {
        let html = body_text(&ada.get(&href));
        all.extend(times(&html));
        next = older(&html);
    }
    assert_eq!(all.len(), 63 + 70 + 70 + 30, "every visible event once, none of the gap's");
    assert!(all.windows(2).all(|w| w[0] >= w[1]), "newest first across pages");
    assert_eq!(all.iter().filter(|t| **t == at(MARCH_1 + 5 * DAY + 69 * minute)).count(), 2, "both of a tie");
}
