//! The recipients' activity page: filters (asset, kind of event, group), the feed's table with
//! times in the portal's time zone, and a link to the older events.

use maud::html;

use super::fleet::{event_details, kind_label};
use super::layout::page;
use crate::app::portal::activity::{FeedParams, KINDS};
use crate::auth::member::Member;
use crate::domain::equipment::AssetKey;
use crate::domain::ids::BusinessUnitId;
use crate::domain::time::Timestamp;
use crate::domain::time_zone::TimeZone;
use crate::http::percent_encode;
use crate::i18n::Language;
use crate::store::equipment::SharedAsset;
use crate::store::fleet_activity::FeedRow;
use crate::tenancy::ResolvedPortal;

/// The page's data: the member's fleet (the filter's choices), the query, one page of events
/// and the cursor of the next page, if any.
pub struct Feed<'a> {
    pub has_customer: bool,
    pub assets: &'a [SharedAsset],
    pub params: &'a FeedParams,
    pub events: &'a [FeedRow],
    pub next: Option<&'a str>,
}

fn older_href(feed: &Feed<'_>, next: &str) -> String {
    let filters = feed.params.filter_query();
    let sep = if filters.is_empty() { "" } else { "&" };
    format!("/activity?{filters}{sep}after={}", percent_encode(next, b""))
}

pub fn feed(portal: &ResolvedPortal, lang: Language, member: &Member, feed: &Feed<'_>, zone: TimeZone) -> String {
    let (a, f) = (lang.activity(), lang.fleet());
    let params = feed.params;
    let chosen_asset = params.asset.as_ref().map(AssetKey::as_str);
    let chosen_group = params.group.map(BusinessUnitId::to_db);
    // The group choices: the groups of the whole fleet, by name.
    let mut groups: Vec<(&str, &str)> =
        feed.assets.iter().filter_map(|a| a.group_id.as_deref().zip(a.group_name.as_deref())).collect();
    groups.sort_by(|x, y| x.1.cmp(y.1).then(x.0.cmp(y.0)));
    groups.dedup();
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
                        @for kind in KINDS {
                            option value=(kind) selected[params.kind == Some(kind)] { (kind_label(f, kind)) }
                        }
                    }
                }
                @if !groups.is_empty() {
                    label { (f.group_label)
                        select name="group" {
                            option value="" { (f.all_groups) }
                            @for (id, name) in &groups {
                                option value=(id) selected[chosen_group.as_deref() == Some(*id)] { (name) }
                            }
                        }
                    }
                }
                button type="submit" { (f.filter_button) }
            }
            @if feed.events.is_empty() {
                p.empty { (a.no_events) }
            } @else {
                p.hint { (f.times_in) " " (zone.label()) }
                table.activity {
                    thead { tr {
                        th scope="col" { (f.column_time) } th scope="col" { (f.asset_label) }
                        th scope="col" { (f.column_kind) } th scope="col" { (f.column_details) }
                    } }
                    tbody {
                        @for event in feed.events {
                            @let at = Timestamp::from_millis(event.event.at);
                            tr class=[(event.event.kind == "alert").then_some("alert")] {
                                td { time datetime=(at.to_string()) { (zone.minute(at)) } }
                                td { a href=(format!("/equipment/{}", percent_encode(&event.asset_key, b".-_~:"))) { (event.asset_name) } }
                                td { (kind_label(f, &event.event.kind)) }
                                td { (event_details(&event.event)) }
                            }
                        }
                    }
                }
                @if let Some(next) = feed.next {
                    p { a.next rel="next" href=(older_href(feed, next)) { (a.older) } }
                }
            }
        }
    };
    page(portal, lang, a.activity_title, Some(member), &content)
}
