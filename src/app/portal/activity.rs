//! The recipients' activity page: the feed of the fleet shared with the member's customer,
//! newest first, in keyset pages, narrowed by asset, kind of event and group. What a member
//! may see is decided in the store's SQL (`store::fleet_activity`).

use super::Page;
use crate::domain::equipment::AssetKey;
use crate::domain::ids::{AssetId, BusinessUnitId, CustomerId};
use crate::error::AppError;
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::equipment;
use crate::store::fleet_activity::{self, FeedCursor, FeedFilter};
use crate::views::activity as view;

/// Events per page.
const PAGE_SIZE: i64 = 50;
/// The kinds of event, as stored and as the `kind` filter names them.
pub const KINDS: [&str; 5] = ["start", "stop", "alert", "position", "hours"];

/// The page's query: `asset` (a key), `kind`, `group` (a business unit id), `after` (a cursor).
pub struct FeedParams {
    pub asset: Option<AssetKey>,
    pub kind: Option<&'static str>,
    pub group: Option<BusinessUnitId>,
    pub after: Option<FeedCursor>,
}

impl FeedParams {
    /// Malformed values (only a hand-edited URL has them) are a 400, not silently ignored.
    fn parse<R: Runtime>(page: &Page<'_, R>) -> Result<FeedParams, AppError> {
        let bad = |what: &str| AppError::BadRequest(format!("{what} is not valid"));
        let query = |name| page.req.query_param(name).filter(|v| !v.is_empty());
        let asset = query("asset").map(|raw| AssetKey::parse(&raw).map_err(|_| bad("asset"))).transpose()?;
        let kind =
            query("kind").map(|raw| KINDS.into_iter().find(|k| *k == raw).ok_or_else(|| bad("kind"))).transpose()?;
        let group = query("group").map(|raw| BusinessUnitId::parse(&raw).ok_or_else(|| bad("group"))).transpose()?;
        let after = query("after").map(|raw| parse_cursor(&raw).ok_or_else(|| bad("after"))).transpose()?;
        Ok(FeedParams { asset, kind, group, after })
    }

    /// The query string of these filters (no cursor), for the next page's link.
    pub fn filter_query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(asset) = &self.asset {
            parts.push(format!("asset={}", crate::http::percent_encode(asset.as_str(), b"")));
        }
        if let Some(kind) = self.kind {
            parts.push(format!("kind={kind}"));
        }
        if let Some(group) = self.group {
            parts.push(format!("group={}", group.to_db()));
        }
        parts.join("&")
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

pub async fn feed<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    let member = page.require_member()?;
    let params = FeedParams::parse(page)?;
    let customer = member.customer_id.as_deref().and_then(CustomerId::parse);
    let (assets, mut events) = match customer {
        Some(customer) => {
            let filter = FeedFilter {
                asset_key: params.asset.as_ref().map(AssetKey::as_str),
                kind: params.kind,
                group: params.group,
            };
            let db = page.rt.db();
            let tenant = page.scope.tenant;
            let assets = equipment::assets_for_customer(db, tenant, customer, None, page.now).await?;
            let events =
                fleet_activity::page(db, tenant, customer, &filter, params.after.as_ref(), page.now, PAGE_SIZE + 1)
                    .await?;
            (assets, events)
        }
        None => (Vec::new(), Vec::new()),
    };
    let more = events.len() > usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX);
    events.truncate(usize::try_from(PAGE_SIZE).unwrap_or(0));
    let next = events.last().filter(|_| more).map(|e| {
        cursor_text(&FeedCursor { at: e.event.at, asset_id: e.asset_id.clone(), event_id: e.event.event_id.clone() })
    });
    let feed = view::Feed {
        has_customer: customer.is_some(),
        assets: &assets,
        params: &params,
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
