//! The recipients' activity page: the feed of the fleet shared with the member's customer,
//! newest first, in keyset pages, narrowed by asset, kind of event and group. What a member
//! may see is decided in the store's SQL (`store::fleet_activity`; the filter's choices are
//! the fleet list's `store::equipment::viewer_*` reads). All are read in the session lookup's
//! D1 round trip (`prefetch`).

use super::query::{Allowed, Query};
use super::Page;
use crate::app::cut_page;
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::equipment::{self, FleetCursor, FleetGroup, SharedAsset};
use crate::store::fleet_activity::{self, FeedCursor, FeedFilter, FeedRow};
use crate::store::{decode_rows, Statement};
use crate::views::activity::{self as view, Filters};
use porch_types::equipment::{ActivityKind, AssetKey};
use porch_types::error::AppError;
use porch_types::ids::{AssetId, BusinessUnitId};

/// Events per page.
const PAGE_SIZE: i64 = 50;

/// The page's query: the filters, and `after` (a cursor).
struct FeedParams {
    filters: Filters,
    after: Option<FeedCursor>,
}

impl FeedParams {
    /// Malformed values (only a hand-edited URL has them) are the branded 400 naming them.
    fn parse<R: Runtime>(page: &Page<'_, R>) -> Result<FeedParams, AppError> {
        let mut query = Query::new(page.req, page.lang);
        let asset = query.parse("asset", Allowed::FromLink, |raw| AssetKey::parse(raw).ok());
        let kinds = ActivityKind::ALL.map(ActivityKind::as_str);
        let kind = query.parse("kind", Allowed::OneOf(&kinds), |raw| ActivityKind::parse(raw).ok());
        let group = query.parse("group", Allowed::FromLink, BusinessUnitId::parse);
        let after = query.parse("after", Allowed::FromLink, parse_cursor);
        query.finish(FeedParams { filters: Filters { asset, kind, group }, after })
    }
}

/// A cursor is `<at>.<asset id>.<event id>`: the time in digits, a UUID (no dots), and the
/// rest, which may hold dots, is the event id.
fn parse_cursor(raw: &str) -> Option<FeedCursor> {
    let (at, rest) = raw.split_once('.')?;
    let (asset_id, event_id) = rest.split_once('.')?;
    let at = at.parse::<i64>().ok().filter(|n| *n >= 0 && at.bytes().all(|b| b.is_ascii_digit()))?;
    let asset_id = AssetId::parse(asset_id)?.to_db();
    (!event_id.is_empty()).then(|| FeedCursor { at, asset_id, event_id: event_id.to_owned() })
}

pub fn cursor_text(cursor: &FeedCursor) -> String {
    format!("{}.{}.{}", cursor.at, cursor.asset_id, cursor.event_id)
}

/// The activity page's reads, to send with the session lookup (none when the request is
/// malformed and the handler will say so).
pub fn prefetch<R: Runtime>(page: &Page<'_, R>, token_hash: &str) -> Vec<Statement> {
    FeedParams::parse(page).map(|params| statements(page, token_hash, &params)).unwrap_or_default()
}

// `page.now`, fixed for the request: the handler rebuilds these and must get exactly the
// statements sent with the session lookup to use their rows. The viewer's whole fleet and its
// groups (the filter's choices, as the fleet list reads them), then a page of events and one
// more row, to know whether there is a page beyond it. Each derives the viewer's customer from
// the session in its own SQL, so none waits for another.
fn statements<R: Runtime>(page: &Page<'_, R>, token_hash: &str, params: &FeedParams) -> Vec<Statement> {
    let filters = &params.filters;
    let filter = FeedFilter {
        asset_key: filters.asset.as_ref().map(AssetKey::as_str),
        kind: filters.kind.map(ActivityKind::as_str),
        group: filters.group,
    };
    let after = params.after.as_ref();
    vec![
        equipment::viewer_fleet_page(page.scope, token_hash, page.now, None, FleetCursor::First, -1),
        equipment::viewer_fleet_groups(page.scope, token_hash, page.now),
        fleet_activity::viewer_page(page.scope, token_hash, page.now, &filter, after, PAGE_SIZE + 1),
    ]
}

pub async fn feed<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    let member = page.require_member()?;
    let params = FeedParams::parse(page)?;
    let customer = page.customer()?;
    let mut results = page.reads(statements(page, &member.token_hash, &params)).await?.into_iter();
    let assets: Vec<SharedAsset> = decode_rows(results.next())?;
    let groups: Vec<FleetGroup> = decode_rows(results.next())?;
    let mut events: Vec<FeedRow> = decode_rows(results.next())?;
    let filters = &params.filters;
    // An asset filter names an asset of the fleet (shared now), else it is a 404 like the
    // asset's own page, as on the documents and reports pages (a member of no company is
    // shared nothing, and told so).
    if let Some(key) = filters.asset.as_ref().filter(|_| customer.is_some()) {
        assets.iter().find(|a| a.asset_key == key.as_str()).ok_or(AppError::NotFound)?;
    }
    let next = cut_page(&mut events, PAGE_SIZE).map(|e| {
        cursor_text(&FeedCursor { at: e.event.at, asset_id: e.asset_id.clone(), event_id: e.event.event_id.clone() })
    });
    let feed = view::Feed {
        has_customer: customer.is_some(),
        assets: &assets,
        groups: &groups,
        filters,
        events: &events,
        next: next.as_deref(),
    };
    let zone = page.portal.context.time_zone;
    Ok(Response::html(200, view::feed(page.portal, page.lang, member, &feed, zone)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_what_it_wrote_even_with_dots_in_the_event_id() {
        let cursor = FeedCursor {
            at: 1_767_225_600_000,
            asset_id: "b0000000-0000-4000-8000-00000a000001".into(),
            event_id: "batch.7.x".into(),
        };
        assert_eq!(parse_cursor(&cursor_text(&cursor)), Some(cursor));
    }

    #[test]
    fn malformed_cursors_are_refused() {
        for raw in [
            "",
            "12",
            "12.x.y",
            "-1.b0000000-0000-4000-8000-00000a000001.e",
            "+1.b0000000-0000-4000-8000-00000a000001.e",
            "1.b0000000-0000-4000-8000-00000a000001.",
        ] {
            assert_eq!(parse_cursor(raw), None, "{raw}");
        }
    }
}
