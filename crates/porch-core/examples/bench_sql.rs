//! Prints, as JSON, the recipient-side ticket statements the ticket benchmark relies on (the
//! lists of both scopes, first and deep page, a search, a ticket's page), built by
//! `store::portal_tickets` exactly as the portal builds them for the demo Acme portal (the
//! statements read its visibility and rules from its row), with their bound parameters. `scripts/bench-plans`
//! runs EXPLAIN QUERY PLAN on each, in D1 on the seeded bench state.
//!
//! cargo run --example `bench_sql` -- <session token hash> <organisation cursor> <mine cursor>
//! <ticket number> <search words>, each cursor `<position>_<ticket id>` as in `?after=`.
//!
//! With `fleet` first, the statements of the fleet pages and of a utilisation report by day
//! (the equipment benchmark's), for the viewer of the session and an asset of its customer:
//! cargo run --example `bench_sql` -- fleet <session token hash> <asset key> <from day>
//! <to day> <now>, days as `YYYY-MM-DD`, now in milliseconds.

use porch_core::store::equipment::{self, FleetCursor};
use porch_core::store::portal_tickets::{self, ListQuery, ListScope, Sort};
use porch_core::store::{PortalScope, Statement, Value};
use porch_types::equipment::AssetKey;
use porch_types::ids::{PortalId, TenantId};
use porch_types::search::fts_expression;
use porch_types::time::Timestamp;
use porch_types::time_zone::TimeZone;
use porch_types::usage::{parse_day, Buckets, Span};
use serde_json::json;

const TENANT: &str = "a0000000-0000-4000-8000-000000000001";
const PORTAL: &str = "a0000000-0000-4000-8000-0000000000f1";
/// What the list route asks for: a page and one more row, to know there is a next page.
const LIMIT: i64 = 26;

fn cursor(raw: &str) -> Result<(i64, &str), String> {
    let (at, id) = raw.split_once('_').ok_or_else(|| format!("{raw}: not <position>_<id>"))?;
    Ok((at.parse().map_err(|e| format!("{raw}: {e}"))?, id))
}

fn to_json(name: &str, statement: &Statement) -> serde_json::Value {
    let params: Vec<serde_json::Value> = statement
        .params
        .iter()
        .map(|value| match value {
            Value::Null => serde_json::Value::Null,
            Value::Int(n) => json!(n),
            Value::Text(text) => json!(text),
        })
        .collect();
    json!({ "name": name, "sql": statement.sql, "params": params })
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(("fleet", rest)) = args.split_first().map(|(first, rest)| (first.as_str(), rest)) {
        return fleet(rest);
    }
    let [token_hash, organisation_after, mine_after, number, words] = args.as_slice() else {
        return Err("arguments: <token hash> <organisation cursor> <mine cursor> <number> <search words>".into());
    };
    let scope = bench_scope()?;
    // The statements see a session as live while `now` is before its expiry: the epoch is.
    let now = Timestamp::from_millis(0);
    let search = fts_expression(words).map_err(|e| format!("search words {e}"))?;
    let number: i64 = number.parse().map_err(|e| format!("ticket number: {e}"))?;
    let list = |name: &str, scope_of_list, search: Option<&str>, after: Option<(i64, &str)>| {
        let query =
            ListQuery { scope: scope_of_list, closed: None, search, sort: Sort::ActivityNewest, after, limit: LIMIT };
        to_json(name, &portal_tickets::list(scope, token_hash, now, &query))
    };
    let mut out = vec![
        list("list, organisation, first page", ListScope::Organisation, None, None),
        list("list, organisation, deep page", ListScope::Organisation, None, Some(cursor(organisation_after)?)),
        list("list, mine, first page", ListScope::Mine, None, None),
        list("list, mine, deep page", ListScope::Mine, None, Some(cursor(mine_after)?)),
        list("search, organisation, first page", ListScope::Organisation, Some(&search), None),
        list("search, mine, first page", ListScope::Mine, Some(&search), None),
    ];
    let names = ["detail: the ticket", "detail: its messages", "detail: their attachments", "detail: its ratings"];
    let detail = portal_tickets::detail(scope, token_hash, now, number);
    for (name, statement) in names.iter().zip(&detail) {
        out.push(to_json(name, statement));
    }
    println!("{}", serde_json::Value::Array(out));
    Ok(())
}

fn bench_scope() -> Result<PortalScope, String> {
    Ok(PortalScope {
        tenant: TenantId::parse(TENANT).ok_or("tenant id")?,
        portal: PortalId::parse(PORTAL).ok_or("portal id")?,
    })
}

/// The fleet pages' and a year's report's statements, as `fleet::prefetch` and the report
/// build them at `now` (milliseconds: a share is in force from its start, so the real time).
fn fleet(args: &[String]) -> Result<(), String> {
    let [token_hash, key, from, to, now] = args else {
        return Err("arguments: fleet <token hash> <asset key> <from> <to> <now>".into());
    };
    let scope = bench_scope()?;
    let now = Timestamp::from_millis(now.parse().map_err(|e| format!("now: {e}"))?);
    let key = AssetKey::parse(key).map_err(|e| format!("asset key: {e}"))?;
    let day = |raw: &str| parse_day(raw).ok_or(format!("{raw}: not a day"));
    // The report's zone is the portal's (the bench's is UTC); the plans do not depend on it.
    let buckets = Buckets::new(day(from)?, day(to)?, Span::Day, TimeZone::UTC)?;
    let out = vec![
        to_json(
            "fleet list, first page",
            &equipment::viewer_fleet_page(scope, token_hash, now, None, FleetCursor::First, 51),
        ),
        to_json("fleet list, its groups", &equipment::viewer_fleet_groups(scope, token_hash, now)),
        to_json(
            "asset page: the asset and its latest 50 events",
            &equipment::viewer_asset_page(scope, token_hash, now, &key, 50),
        ),
        to_json(
            "report: the fleet",
            &equipment::viewer_fleet_page(scope, token_hash, now, None, FleetCursor::First, -1),
        ),
        to_json("report: the year by day", &equipment::viewer_asset_usage(scope, token_hash, now, &key, &buckets)),
    ];
    println!("{}", serde_json::Value::Array(out));
    Ok(())
}
