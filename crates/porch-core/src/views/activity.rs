//! The recipients' activity page: filters (asset, kind of event, group), the feed's table with
//! times in the portal's time zone, and a link to the older events.

use crate::i18n::Translations as _;
use maud::html;

use super::fleet::{event_details, kind_label};
use super::language;
use super::layout::page;
use crate::auth::member::Member;
use crate::http::percent_encode;
use crate::i18n::{Formats, Language};
use crate::portal_context::ResolvedPortal;
use crate::store::equipment::{FleetGroup, SharedAsset};
use crate::store::fleet_activity::FeedRow;
use porch_types::equipment::{ActivityKind, AssetKey};
use porch_types::ids::BusinessUnitId;
use porch_types::time::Timestamp;
use porch_types::time_zone::TimeZone;

/// What the feed is narrowed to, as the page's query names it; None is everything.
pub struct Filters {
    pub asset: Option<AssetKey>,
    pub kind: Option<ActivityKind>,
    pub group: Option<BusinessUnitId>,
}

impl Filters {
    /// The query string of these filters (no cursor), for the next page's link.
    fn query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(asset) = &self.asset {
            parts.push(format!("asset={}", percent_encode(asset.as_str(), b"")));
        }
        if let Some(kind) = self.kind {
            parts.push(format!("kind={}", kind.as_str()));
        }
        if let Some(group) = self.group {
            parts.push(format!("group={}", group.to_db()));
        }
        parts.join("&")
    }
}

/// The page's data: the member's fleet and its groups (the filter's choices), the filters,
/// one page of events and the cursor of the next page, if any.
pub struct Feed<'a> {
    pub has_customer: bool,
    pub assets: &'a [SharedAsset],
    pub groups: &'a [FleetGroup],
    pub filters: &'a Filters,
    pub events: &'a [FeedRow],
    pub next: Option<&'a str>,
}

fn older_href(feed: &Feed<'_>, next: &str) -> String {
    let filters = feed.filters.query();
    let sep = if filters.is_empty() { "" } else { "&" };
    format!("/activity?{filters}{sep}after={}", percent_encode(next, b""))
}

pub fn feed(portal: &ResolvedPortal, lang: Language, member: &Member, feed: &Feed<'_>, zone: TimeZone) -> String {
    let (a, f) = (lang.activity(), lang.fleet());
    let fmt = Formats::new(lang, zone);
    let filters = feed.filters;
    let chosen_asset = filters.asset.as_ref().map(AssetKey::as_str);
    let chosen_group = filters.group.map(BusinessUnitId::to_db);
    let content = html! {
        h1 { (a.activity_title) }
        @if !feed.has_customer {
            p.empty { (f.no_customer) }
        } @else {
            form.filters method="get" action="/activity" {
                label { (f.asset_label)
                    select name="asset" {
                        option value="" { (a.all_assets) }
                        @for asset in feed.assets {
                            option value=(asset.asset_key) selected[chosen_asset == Some(asset.asset_key.as_str())] { (asset.name) }
                        }
                    }
                }
                label { (f.column_kind)
                    select name="kind" {
                        option value="" { (a.all_kinds) }
                        @for kind in ActivityKind::ALL {
                            option value=(kind.as_str()) selected[filters.kind == Some(kind)] { (kind_label(f, kind.as_str())) }
                        }
                    }
                }
                @if !feed.groups.is_empty() {
                    label { (f.group_label)
                        select name="group" {
                            option value="" { (f.all_groups) }
                            @for g in feed.groups {
                                option value=(g.id) selected[chosen_group.as_deref() == Some(g.id.to_db().as_str())] { (g.name) }
                            }
                        }
                    }
                }
                button.secondary type="submit" { (f.filter_button) }
            }
            @if feed.events.is_empty() {
                p.empty { (a.no_events) }
            } @else {
                p.hint { (f.times_in) " " (zone.label()) }
                table.activity.stacked {
                    thead { tr {
                        th scope="col" { (f.column_time) } th scope="col" { (f.asset_label) }
                        th scope="col" { (f.column_kind) } th scope="col" { (f.column_details) }
                    } }
                    tbody {
                        @for event in feed.events {
                            @let at = Timestamp::from_millis(event.event.at);
                            tr class=[(event.event.kind == "alert").then_some("alert")] {
                                td data-label=(f.column_time) { (language::date_time(fmt, at)) }
                                td data-label=(f.asset_label) { a href=(format!("/equipment/{}", percent_encode(&event.asset_key, b".-_~:"))) { (event.asset_name) } }
                                td data-label=(f.column_kind) { (kind_label(f, &event.event.kind)) }
                                td data-label=(f.column_details) { (event_details(fmt, &event.event)) }
                            }
                        }
                    }
                }
                @if let Some(next) = feed.next {
                    nav.pages aria-label=(a.activity_title) { a.next rel="next" href=(older_href(feed, next)) { (a.older) } }
                }
            }
        }
    };
    page(portal, lang, a.activity_title, Some("/activity"), Some(member), &content)
}
