//! The activity feed of a customer's fleet: the events of every asset shared with the customer
//! now, each only inside a share window, newest first, in keyset pages. It states for many
//! assets the rule `store::equipment`'s `inside_windows!` states for one (minus the time
//! range bounds, which only help a one-asset scan): shared now, and the event inside a share.

use serde::Deserialize;

use super::equipment::{share_in_force, ActivityRow, FAR_FUTURE};
use super::portal_tickets::{shared_params, with_viewer};
use super::{PortalScope, Statement};
use crate::params;
use porch_types::ids::BusinessUnitId;
use porch_types::time::Timestamp;

/// One event of the feed, with its asset.
#[derive(Debug, Deserialize)]
pub struct FeedRow {
    pub asset_id: String,
    pub asset_key: String,
    pub asset_name: String,
    #[serde(flatten)]
    pub event: ActivityRow,
}

/// The position of an event in the feed's order (time, asset id, event id; all descending):
/// a page starts after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedCursor {
    pub at: i64,
    pub asset_id: String,
    pub event_id: String,
}

/// What the feed is narrowed to; None is everything.
pub struct FeedFilter<'a> {
    pub asset_key: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub group: Option<BusinessUnitId>,
}

/// Up to `limit` events older than `after` (or the newest) that the viewer's customer may
/// see. The viewer is the session's (the `viewer` CTE of `store::portal_tickets`): ?1 session
/// token hash, ?2 tenant, ?3 portal, ?4 now; a dead or foreign session, or a member of no
/// company, finds nothing. So the page is read in the session lookup's round trip.
///
/// Ordering a whole fleet's events by time has no index to walk (the table is clustered by
/// asset, then time), so a plain `ORDER BY … LIMIT` would read every visible event the fleet
/// ever had. Instead `low` finds, per asset, its `limit`-th eligible event from the cursor
/// back (one short range scan of the primary key each) and keeps the latest of those times:
/// that asset alone has `limit` eligible events at or after it, so the page's `limit` events
/// all are, and the main scan reads only that range of each asset (about `limit` × assets
/// events at most, however long the history). `at <= cursor` (not only the row comparison,
/// which no index serves) starts both scans at the cursor rather than at the newest event. An
/// asset with fewer eligible events than `limit` gives no bound (NULL, which `max` skips). Filtered by kind there is no bound: a
/// rare kind (alerts) would make each asset's bound scan its whole history, only for the main
/// scan to read it again; such a page costs one pass over the fleet's history, as before.
pub fn viewer_page(
    scope: PortalScope,
    token_hash: &str,
    now: Timestamp,
    filter: &FeedFilter<'_>,
    after: Option<&FeedCursor>,
    limit: i64,
) -> Statement {
    // A group is one of the customer's own business units: an asset shared from another
    // customer's unit is in no group of this customer's, as on the fleet page.
    let mut params = shared_params(scope, token_hash, now);
    params.extend(params![
        filter.asset_key,
        filter.kind,
        filter.group.map(BusinessUnitId::to_db),
        after.map(|c| c.at),
        after.map(|c| c.asset_id.as_str()),
        after.map(|c| c.event_id.as_str()),
        limit,
        FAR_FUTURE
    ]);
    Statement::new(
        concat!(
            with_viewer!(),
            ", fleet AS MATERIALIZED (
           SELECT a.id, a.asset_key, a.name FROM assets a
           WHERE a.tenant_id = ?2 AND ",
            share_in_force!("s", "?2", "(SELECT customer_id FROM viewer)", "a.id", "?4"),
            "
             AND (?5 IS NULL OR a.asset_key = ?5)
             AND (?7 IS NULL OR (a.customer_id = (SELECT customer_id FROM viewer) AND a.business_unit_id = ?7))),
         low AS (
           SELECT max((SELECT e.at FROM asset_activity e
                       WHERE e.asset_id = f.id AND e.tenant_id = ?2 AND e.at <= coalesce(?8, ?12)
                         AND ",
            share_in_force!("s", "?2", "(SELECT customer_id FROM viewer)", "f.id", "e.at"),
            "
                         AND (?8 IS NULL OR (e.at, f.id, e.event_id) < (?8, ?9, ?10))
                       ORDER BY e.at DESC, e.event_id DESC LIMIT 1 OFFSET ?11 - 1)) AS at
           FROM fleet f WHERE ?6 IS NULL)
         SELECT f.id AS asset_id, f.asset_key, f.name AS asset_name, e.at, e.event_id, e.kind, e.hours_milli,
                e.lat_e7, e.lon_e7, e.message
         FROM fleet f JOIN asset_activity e ON e.asset_id = f.id AND e.tenant_id = ?2
         WHERE e.at >= coalesce((SELECT at FROM low), 0) AND e.at <= coalesce(?8, ?12)
           AND ",
            share_in_force!("s", "?2", "(SELECT customer_id FROM viewer)", "f.id", "e.at"),
            "
           AND (?6 IS NULL OR e.kind = ?6)
           AND (?8 IS NULL OR (e.at, f.id, e.event_id) < (?8, ?9, ?10))
         ORDER BY e.at DESC, f.id DESC, e.event_id DESC
         LIMIT ?11"
        ),
        params,
    )
}
