//! The SQL of `store::equipment` on `SQLite` with the real schema: each statement returns what
//! it should, and another tenant's (or customer's) ids never match.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use serde_json::json;

use porch_core::store::audit::Actor;
use porch_core::store::equipment::{
    self, ActivityRange, AssetFilter, AssetInput, AssetUsage, FleetCursor, FleetGroup, SharedAsset,
};
use porch_core::store::{Database, PortalScope, Statement, Value};
use porch_native::SqliteDb;
use porch_types::equipment::{parse_name, Activity, AssetDetails, AssetKey, ShareWindow};
use porch_types::ids::{AccountId, AssetId, AssetShareId, BusinessUnitId, CustomerId, PortalId, TenantId};
use porch_types::time::Timestamp;
use porch_types::time_zone::TimeZone;
use porch_types::usage::{parse_day, BucketRow, Buckets, Span};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// 2024-03-01 00:00 UTC, the start of the story; "now" is 60 days later.
fn day0() -> i64 {
    parse_day("2024-03-01").unwrap() * DAY
}
fn now() -> Timestamp {
    Timestamp::from_millis(day0() + 60 * DAY)
}

/// Two tenants, each with a portal, a customer with a signed-in member; the first has a second
/// customer and a business unit of its first.
struct World {
    db: SqliteDb,
    tenant: TenantId,
    customer: CustomerId,
    other_customer: CustomerId,
    unit: BusinessUnitId,
    scope: PortalScope,
    other_tenant: TenantId,
    other_scope: PortalScope,
}

const MEMBER: &str = "token-of-the-member";
const OTHER_MEMBER: &str = "token-of-the-other-tenants-member";

fn run(db: &SqliteDb, sql: &'static str, params: Vec<Value>) {
    pollster::block_on(db.execute(Statement::new(sql, params))).unwrap();
}

fn seed_tenant(db: &SqliteDb, n: u8, token_hash: &str) -> (TenantId, PortalScope, CustomerId) {
    let tenant = TenantId::from_random([n; 16]);
    let portal = PortalId::from_random([n + 1; 16]);
    let customer = CustomerId::from_random([n + 2; 16]);
    let account = AccountId::from_random([n + 3; 16]);
    let t = 1_i64;
    run(
        db,
        "INSERT INTO tenants (id, slug, name, created_at, updated_at) VALUES (?1, ?2, ?2, ?3, ?3)",
        vec![tenant.to_db().into(), format!("tenant-{n}").into(), t.into()],
    );
    run(
        db,
        "INSERT INTO customers (id, tenant_id, name, created_at, updated_at) VALUES (?1, ?2, 'Acme', ?3, ?3)",
        vec![customer.to_db().into(), tenant.to_db().into(), t.into()],
    );
    run(
        db,
        "INSERT INTO portals (id, tenant_id, slug, name, page_title, default_language, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'P', 'P', 'en', ?4, ?4)",
        vec![portal.to_db().into(), tenant.to_db().into(), format!("portal-{n}").into(), t.into()],
    );
    run(
        db,
        "INSERT INTO accounts (id, tenant_id, portal_id, customer_id, email, name, role, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'm@example.com', 'M', 'member', ?5, ?5)",
        vec![account.to_db().into(), tenant.to_db().into(), portal.to_db().into(), customer.to_db().into(), t.into()],
    );
    run(
        db,
        "INSERT INTO sessions (token_hash, tenant_id, portal_id, account_id, created_at, last_seen_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
        vec![
            token_hash.into(),
            tenant.to_db().into(),
            portal.to_db().into(),
            account.to_db().into(),
            t.into(),
            (now().millis() + DAY).into(),
        ],
    );
    (tenant, PortalScope { tenant, portal }, customer)
}

fn world() -> World {
    let db = SqliteDb::in_memory_with_schema().unwrap();
    let (tenant, scope, customer) = seed_tenant(&db, 10, MEMBER);
    let (other_tenant, other_scope, _) = seed_tenant(&db, 20, OTHER_MEMBER);
    let other_customer = CustomerId::from_random([30; 16]);
    run(
        &db,
        "INSERT INTO customers (id, tenant_id, name, created_at, updated_at) VALUES (?1, ?2, 'Other', 1, 1)",
        vec![other_customer.to_db().into(), tenant.to_db().into()],
    );
    let unit = BusinessUnitId::from_random([31; 16]);
    run(
        &db,
        "INSERT INTO business_units (id, tenant_id, customer_id, name, created_at) VALUES (?1, ?2, ?3, 'North', 1)",
        vec![unit.to_db().into(), tenant.to_db().into(), customer.to_db().into()],
    );
    World { db, tenant, customer, other_customer, unit, scope, other_tenant, other_scope }
}

fn key(text: &str) -> AssetKey {
    AssetKey::parse(text).unwrap()
}

fn input(name: &str, customer: Option<CustomerId>, unit: Option<BusinessUnitId>) -> AssetInput {
    let details = AssetDetails {
        name: parse_name(name).unwrap(),
        serial_number: None,
        make: None,
        model: None,
        asset_type: None,
    };
    AssetInput { details, customer, unit }
}

/// Creates an asset of `tenant` and returns its id.
fn asset(w: &World, tenant: TenantId, text: &str, name: &str, unit: Option<BusinessUnitId>) -> AssetId {
    let id = AssetId::from_random(blake(text, tenant));
    let owner = unit.map(|_| w.customer);
    pollster::block_on(equipment::create(
        &w.db,
        tenant,
        id,
        &key(text),
        &input(name, owner, unit),
        &Actor::Platform,
        now(),
    ))
    .unwrap();
    id
}

/// Sixteen bytes that differ per key and tenant (ids must be unique across the database).
fn blake(text: &str, tenant: TenantId) -> [u8; 16] {
    let mut bytes = [0_u8; 16];
    for (i, b) in tenant.to_db().bytes().chain(text.bytes()).enumerate() {
        bytes[i % 16] = bytes[i % 16].wrapping_mul(31).wrapping_add(b);
    }
    bytes
}

fn share(w: &World, asset_key: &str, customer: CustomerId, from: i64, until: Option<i64>) {
    let row = pollster::block_on(equipment::get(&w.db, w.tenant, &key(asset_key))).unwrap().unwrap();
    let window = ShareWindow::new(Timestamp::from_millis(from), until.map(Timestamp::from_millis)).unwrap();
    let id = AssetShareId::from_random(blake(&format!("{asset_key}{from}{customer}"), w.tenant));
    pollster::block_on(equipment::create_share(&w.db, w.tenant, id, &row, customer, window, &Actor::Platform, now()))
        .unwrap();
}

fn event(id: &str, at: i64, kind: &str, value: Option<f64>) -> Activity {
    let mut raw = json!({ "id": id, "at": Timestamp::from_millis(at), "kind": kind });
    if let Some(value) = value {
        raw["value"] = json!(value);
    }
    Activity::parse(&raw, now()).unwrap()
}

fn ingest(w: &World, tenant: TenantId, asset: AssetId, events: &[Activity]) -> equipment::Ingested {
    pollster::block_on(equipment::ingest(&w.db, tenant, asset, &[], events, now())).unwrap()
}

fn rows<T: serde::de::DeserializeOwned>(w: &World, statement: Statement) -> Vec<T> {
    pollster::block_on(w.db.query(statement)).unwrap()
}

fn keys(assets: &[SharedAsset]) -> Vec<&str> {
    assets.iter().map(|a| a.asset_key.as_str()).collect()
}

#[test]
fn assets_are_read_by_key_and_listed_in_key_order_from_a_cursor_within_their_tenant_only() {
    let w = world();
    let b = asset(&w, w.tenant, "b-2", "Bravo", Some(w.unit));
    asset(&w, w.tenant, "a-1", "Alpha", None);
    asset(&w, w.tenant, "c-3", "Charlie", None);
    asset(&w, w.other_tenant, "a-0", "Elsewhere", None);

    let row = pollster::block_on(equipment::get(&w.db, w.tenant, &key("b-2"))).unwrap().unwrap();
    assert_eq!((row.id, row.customer_id, row.business_unit_id), (b, Some(w.customer), Some(w.unit)));
    assert!(pollster::block_on(equipment::get(&w.db, w.other_tenant, &key("b-2"))).unwrap().is_none());

    let list = |filter, after: Option<&str>, limit| {
        let after = after.map(key);
        let rows = pollster::block_on(equipment::list(&w.db, w.tenant, filter, after.as_ref(), limit)).unwrap();
        rows.into_iter().map(|r| r.asset_key).collect::<Vec<_>>()
    };
    assert_eq!(list(AssetFilter::default(), None, 10), ["a-1", "b-2", "c-3"]);
    assert_eq!(list(AssetFilter::default(), Some("a-1"), 1), ["b-2"]);
    assert_eq!(list(AssetFilter { customer: Some(w.customer), unit: None }, None, 10), ["b-2"]);
    assert_eq!(list(AssetFilter { customer: None, unit: Some(w.unit) }, None, 10), ["b-2"]);
    assert!(list(AssetFilter { customer: Some(w.other_customer), unit: None }, None, 10).is_empty());
}

#[test]
fn an_update_and_a_delete_change_the_asset_of_their_tenant_only() {
    let w = world();
    asset(&w, w.tenant, "k", "Before", None);
    asset(&w, w.other_tenant, "k", "Theirs", None);
    let mine = pollster::block_on(equipment::get(&w.db, w.tenant, &key("k"))).unwrap().unwrap();
    let after = input("After", Some(w.customer), None);
    pollster::block_on(equipment::update(&w.db, w.tenant, &mine, &after, &Actor::Platform, now())).unwrap();
    let theirs = || pollster::block_on(equipment::get(&w.db, w.other_tenant, &key("k"))).unwrap().unwrap();
    assert_eq!(theirs().name, "Theirs");
    let updated = pollster::block_on(equipment::get(&w.db, w.tenant, &key("k"))).unwrap().unwrap();
    assert_eq!((updated.name.as_str(), updated.customer_id), ("After", Some(w.customer)));

    // The other tenant's row passed with this tenant's id matches nothing.
    pollster::block_on(equipment::delete(&w.db, w.tenant, &theirs(), &Actor::Platform, now())).unwrap();
    assert_eq!(theirs().name, "Theirs");
    pollster::block_on(equipment::delete(&w.db, w.tenant, &updated, &Actor::Platform, now())).unwrap();
    assert!(pollster::block_on(equipment::get(&w.db, w.tenant, &key("k"))).unwrap().is_none());
}

#[test]
fn a_business_units_customer_is_found_only_in_its_tenant() {
    let w = world();
    assert_eq!(pollster::block_on(equipment::unit_customer(&w.db, w.tenant, w.unit)).unwrap(), Some(w.customer));
    assert_eq!(pollster::block_on(equipment::unit_customer(&w.db, w.other_tenant, w.unit)).unwrap(), None);
}

#[test]
fn an_ingest_counts_events_the_asset_already_has_as_duplicates_across_statements() {
    let w = world();
    let id = asset(&w, w.tenant, "k", "Pump", None);
    // Thirty events: three statements of thirteen, the last padded.
    let events: Vec<Activity> = (0..30).map(|i| event(&format!("e{i}"), day0() + i * HOUR, "start", None)).collect();
    assert_eq!(ingest(&w, w.tenant, id, &events), equipment::Ingested { accepted: 30, duplicates: 0 });
    let mut again = events.clone();
    again.push(event("new", day0() + 40 * HOUR, "stop", None));
    assert_eq!(ingest(&w, w.tenant, id, &again), equipment::Ingested { accepted: 1, duplicates: 30 });
    assert_eq!(ingest(&w, w.tenant, id, &[]), equipment::Ingested { accepted: 0, duplicates: 0 });
    // The foreign key refuses new events for the asset under another tenant.
    let foreign = [event("foreign", day0(), "start", None)];
    assert!(pollster::block_on(equipment::ingest(&w.db, w.other_tenant, id, &[], &foreign, now())).is_err());
}

#[test]
fn activity_pages_run_in_time_then_event_id_order_from_the_cursor_within_the_range() {
    let w = world();
    let id = asset(&w, w.tenant, "k", "Pump", None);
    let t = day0();
    let events = [
        event("b", t, "start", None),
        event("a", t, "hours", Some(1.5)),
        event("c", t + HOUR, "stop", None),
        event("d", t + 2 * HOUR, "stop", None),
    ];
    ingest(&w, w.tenant, id, &events);
    let page = |after: Option<(i64, &str)>, to: i64, limit| {
        let range = ActivityRange { from: Timestamp::from_millis(t), to: Timestamp::from_millis(to), after, limit };
        let rows = pollster::block_on(equipment::activity(&w.db, w.tenant, id, &range)).unwrap();
        rows.into_iter().map(|r| r.event_id).collect::<Vec<_>>()
    };
    assert_eq!(page(None, t + DAY, 2), ["a", "b"]);
    assert_eq!(page(Some((t, "b")), t + DAY, 2), ["c", "d"]);
    assert_eq!(page(None, t + 2 * HOUR, 10), ["a", "b", "c"]);
    let range =
        ActivityRange { from: Timestamp::from_millis(0), to: Timestamp::from_millis(t + DAY), after: None, limit: 10 };
    assert!(pollster::block_on(equipment::activity(&w.db, w.other_tenant, id, &range)).unwrap().is_empty());
}

#[test]
fn shares_are_listed_by_start_and_read_only_through_their_tenant_and_asset() {
    let w = world();
    asset(&w, w.tenant, "k", "Pump", None);
    asset(&w, w.tenant, "j", "Jack", None);
    share(&w, "k", w.other_customer, day0() + DAY, None);
    share(&w, "k", w.customer, day0(), Some(day0() + DAY));
    let k = pollster::block_on(equipment::get(&w.db, w.tenant, &key("k"))).unwrap().unwrap();
    let j = pollster::block_on(equipment::get(&w.db, w.tenant, &key("j"))).unwrap().unwrap();
    let shares = pollster::block_on(equipment::list_shares(&w.db, w.tenant, &k)).unwrap();
    let order: Vec<_> = shares.iter().map(|s| (s.customer_id, s.asset_id, s.until_at)).collect();
    assert_eq!(order, [(w.customer, k.id, Some(day0() + DAY)), (w.other_customer, k.id, None)]);
    assert!(pollster::block_on(equipment::list_shares(&w.db, w.other_tenant, &k)).unwrap().is_empty());

    let first = shares.first().unwrap();
    let get = |tenant, asset| pollster::block_on(equipment::get_share(&w.db, tenant, asset, first.id)).unwrap();
    assert_eq!(get(w.tenant, &k).map(|s| s.id), Some(first.id));
    assert!(get(w.tenant, &j).is_none());
    assert!(get(w.other_tenant, &k).is_none());

    pollster::block_on(equipment::delete_share(&w.db, w.other_tenant, first, &Actor::Platform, now())).unwrap();
    assert!(get(w.tenant, &k).is_some());
    pollster::block_on(equipment::delete_share(&w.db, w.tenant, first, &Actor::Platform, now())).unwrap();
    assert!(get(w.tenant, &k).is_none());
}

/// Alpha and Charlie (in the customer's unit) are shared now; Bravo's share has ended, Delta
/// is shared with the other customer only.
fn shared_fleet() -> (World, AssetId) {
    let w = world();
    let alpha = asset(&w, w.tenant, "alpha", "Alpha", None);
    asset(&w, w.tenant, "bravo", "Bravo", None);
    asset(&w, w.tenant, "charlie", "Charlie", Some(w.unit));
    asset(&w, w.tenant, "delta", "Delta", None);
    share(&w, "alpha", w.customer, day0(), None);
    share(&w, "bravo", w.customer, day0(), Some(day0() + DAY));
    share(&w, "charlie", w.customer, day0(), None);
    share(&w, "delta", w.other_customer, day0(), None);
    (w, alpha)
}

#[test]
fn the_viewer_sees_the_assets_shared_now_with_their_customer_and_no_others() {
    let (w, alpha) = shared_fleet();
    let page = |scope, token, group, cursor, limit| -> Vec<SharedAsset> {
        rows(&w, equipment::viewer_fleet_page(scope, token, now(), group, cursor, limit))
    };
    let all = page(w.scope, MEMBER, None, FleetCursor::First, -1);
    assert_eq!(keys(&all), ["alpha", "charlie"]);
    assert_eq!(all.first().map(|a| a.id), Some(alpha));
    assert_eq!(all.last().and_then(|a| a.group_id), Some(w.unit));
    assert_eq!(keys(&page(w.scope, MEMBER, Some(w.unit), FleetCursor::First, -1)), ["charlie"]);
    assert_eq!(keys(&page(w.scope, MEMBER, None, FleetCursor::First, 1)), ["alpha"]);
    // Another tenant's session, or this session under another tenant's scope, finds nothing.
    assert!(page(w.scope, OTHER_MEMBER, None, FleetCursor::First, -1).is_empty());
    assert!(page(w.other_scope, MEMBER, None, FleetCursor::First, -1).is_empty());

    let groups: Vec<FleetGroup> = rows(&w, equipment::viewer_fleet_groups(w.scope, MEMBER, now()));
    assert_eq!(groups, [FleetGroup { id: w.unit, name: "North".into() }]);
    assert!(rows::<FleetGroup>(&w, equipment::viewer_fleet_groups(w.other_scope, OTHER_MEMBER, now())).is_empty());

    let one = |scope, token, text: &str| -> Vec<SharedAsset> {
        rows(&w, equipment::viewer_asset(scope, token, now(), &key(text)))
    };
    assert_eq!(keys(&one(w.scope, MEMBER, "alpha")), ["alpha"]);
    for hidden in ["bravo", "delta", "missing"] {
        assert!(one(w.scope, MEMBER, hidden).is_empty(), "{hidden}");
    }
    assert!(one(w.other_scope, OTHER_MEMBER, "alpha").is_empty());
}

#[test]
fn fleet_pages_walk_by_name_both_ways_and_a_cursor_on_an_asset_not_shared_now_finds_nothing() {
    let (w, _) = shared_fleet();
    let page = |cursor| -> Vec<SharedAsset> {
        rows(&w, equipment::viewer_fleet_page(w.scope, MEMBER, now(), None, cursor, 10))
    };
    assert_eq!(keys(&page(FleetCursor::After("alpha"))), ["charlie"]);
    assert_eq!(keys(&page(FleetCursor::Before("charlie"))), ["alpha"]);
    assert!(page(FleetCursor::After("bravo")).is_empty());
    assert!(page(FleetCursor::Before("delta")).is_empty());
}

/// Shares of Alpha with the customer: days 0..10 and from day 20 on, so events of days
/// 10..20 fall in the gap; one reading a day at noon on days -5..30.
fn windowed() -> (World, AssetId) {
    let w = world();
    let alpha = asset(&w, w.tenant, "alpha", "Alpha", None);
    share(&w, "alpha", w.customer, day0(), Some(day0() + 10 * DAY));
    share(&w, "alpha", w.customer, day0() + 20 * DAY, None);
    let events: Vec<Activity> = (-5_i32..30)
        .map(|d| event(&format!("h{d}"), day0() + i64::from(d) * DAY + 12 * HOUR, "hours", Some(f64::from(d + 100))))
        .collect();
    ingest(&w, w.tenant, alpha, &events);
    (w, alpha)
}

#[test]
fn a_customer_sees_only_the_events_inside_a_share_window_and_only_while_shared() {
    let (w, _) = windowed();
    let recent = |scope, token| -> Vec<String> {
        let statement = equipment::viewer_asset_page(scope, token, now(), &key("alpha"), 1000);
        let page = rows::<equipment::AssetPage>(&w, statement);
        page.iter().flat_map(|p| p.events().unwrap()).map(|r| r.event_id).collect()
    };
    let seen = recent(w.scope, MEMBER);
    let expected: Vec<String> = (20..30).rev().chain((0..10).rev()).map(|d| format!("h{d}")).collect();
    assert_eq!(seen, expected);
    assert!(recent(w.other_scope, OTHER_MEMBER).is_empty());
    assert!(recent(w.scope, OTHER_MEMBER).is_empty());
    assert!(recent(w.other_scope, MEMBER).is_empty());

    // Once the open share is gone, nothing is visible, the old window's events neither.
    run(&w.db, "DELETE FROM asset_shares WHERE until_at IS NULL", vec![]);
    assert!(recent(w.scope, MEMBER).is_empty());
}

#[test]
fn a_report_sums_per_bucket_only_the_visible_events_for_one_asset_and_for_the_fleet() {
    let (w, alpha) = windowed();
    let first = parse_day("2024-03-01").unwrap();
    let buckets = Buckets::new(first + 5, first + 24, Span::Day, TimeZone::UTC).unwrap();
    let one = |scope, token| -> Vec<BucketRow> {
        let sums: Vec<AssetUsage> =
            rows(&w, equipment::viewer_asset_usage(scope, token, now(), &key("alpha"), &buckets));
        assert!(sums.len() <= 1, "one asset's");
        sums.iter().flat_map(|s| s.buckets().unwrap()).collect()
    };
    let usage = one(w.scope, MEMBER);
    let days: Vec<i64> = usage.iter().map(|r| r.bucket).collect();
    assert_eq!(days, [0, 1, 2, 3, 4, 15, 16, 17, 18, 19], "days 5..10 and 20..25 of the range");
    assert_eq!(usage.first().and_then(|r| r.hours_max), Some(105_000));
    assert!(one(w.other_scope, OTHER_MEMBER).is_empty());
    assert!(one(w.other_scope, MEMBER).is_empty());

    // The last visible reading before day 25 is day 24's; before day 15, day 9's (the gap hides 10..15).
    let reading = |day| -> Vec<Option<i64>> {
        let report = Buckets::new(first + day, first + day, Span::Day, TimeZone::UTC).unwrap();
        let statement = equipment::viewer_asset_usage(w.scope, MEMBER, now(), &key("alpha"), &report);
        rows::<AssetUsage>(&w, statement).into_iter().map(|r| r.hours_before).collect()
    };
    assert_eq!(reading(25), [Some(124_000)]);
    assert_eq!(reading(15), [Some(109_000)]);
    assert_eq!(reading(0), [None]);

    let fleet = |scope, token, group| -> Vec<(AssetId, i64)> {
        let statement = equipment::viewer_fleet_usage(scope, token, now(), group, &buckets);
        let sums: Vec<AssetUsage> = rows(&w, statement);
        sums.iter().flat_map(|s| s.buckets().unwrap().into_iter().map(|b| (s.asset_id, b.bucket))).collect()
    };
    let by_fleet = fleet(w.scope, MEMBER, None);
    assert_eq!(by_fleet, days.iter().map(|d| (alpha, *d)).collect::<Vec<_>>());
    assert!(fleet(w.scope, MEMBER, Some(w.unit)).is_empty(), "alpha is in no group");
    assert!(fleet(w.other_scope, OTHER_MEMBER, None).is_empty());

    let before = |scope, token| -> Vec<(AssetId, Option<i64>)> {
        let report = Buckets::new(first + 15, first + 20, Span::Day, TimeZone::UTC).unwrap();
        let statement = equipment::viewer_fleet_usage(scope, token, now(), None, &report);
        rows::<AssetUsage>(&w, statement).into_iter().map(|r| (r.asset_id, r.hours_before)).collect()
    };
    assert_eq!(before(w.scope, MEMBER), [(alpha, Some(109_000))]);
    assert!(before(w.other_scope, OTHER_MEMBER).is_empty());
}
