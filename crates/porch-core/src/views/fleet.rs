//! The recipients' equipment pages: the fleet list with its group filter, an asset's page
//! with recent activity, and the utilisation report (form, bar chart from `chart`, table in
//! the reader's numbers), of one asset or of the whole fleet (a row per asset and a total).

use crate::i18n::Translations as _;
use maud::{html, Markup};

use super::chart::{self, Chart, Count, Series, Thousandths};
use super::language::{self, foreign};
use super::layout::page;
use crate::auth::member::Member;
use crate::http::percent_encode;
use crate::i18n::format::iso_week;
use crate::i18n::{FleetStrings, Formats, Language};
use crate::portal_context::ResolvedPortal;
use crate::store::equipment::{ActivityRow, FleetGroup, SharedAsset};
use porch_types::apps::App;
use porch_types::equipment::Position;
use porch_types::ids::BusinessUnitId;
use porch_types::time::Timestamp;
use porch_types::time_zone::TimeZone;
use porch_types::usage::{date_text, hours_text, Span, Usage};

/// A report's query: `asset` (a key; none is the whole fleet), `group` (narrows the fleet),
/// `from` and `to` (local dates, both included), `by`.
pub struct ReportParams {
    pub asset: Option<String>,
    pub group: Option<BusinessUnitId>,
    pub from: i64,
    pub to: i64,
    pub span: Span,
}

impl ReportParams {
    /// The query string of this report's period, of one asset or of the fleet (in its group).
    pub fn query(&self, asset: Option<&str>) -> String {
        let subject = match asset {
            Some(key) => format!("asset={}&", percent_encode(key, b"")),
            None => self.group.map(|g| format!("group={}&", g.to_db())).unwrap_or_default(),
        };
        format!("{subject}from={}&to={}&by={}", date_text(self.from), date_text(self.to), self.span.code())
    }
}

/// What a report shows: one asset's buckets, or each asset's of the fleet.
pub enum Shown {
    Asset(Box<SharedAsset>, Vec<Usage>),
    Fleet(Vec<(SharedAsset, Vec<Usage>)>),
}

/// A computed report: the member's fleet and its groups (for the choices), and what it
/// shows; None when the member is of no company.
pub struct Report {
    pub params: ReportParams,
    pub assets: Vec<SharedAsset>,
    pub groups: Vec<FleetGroup>,
    pub shown: Option<Shown>,
}

/// The fleet list page's data: the page of assets shown, the group choices and the chosen
/// one, and the cursors (asset keys) of the pages before and after this one.
pub struct Fleet<'a> {
    pub has_customer: bool,
    pub assets: &'a [SharedAsset],
    pub groups: &'a [FleetGroup],
    pub group: Option<&'a str>,
    pub previous: Option<&'a str>,
    pub next: Option<&'a str>,
}

/// The list's link to the page before (`before`) or after (`after`) the asset `key`, in the group.
fn page_href(fleet: &Fleet<'_>, direction: &str, key: &str) -> String {
    let group = fleet.group.map(|g| format!("group={}&", percent_encode(g, b""))).unwrap_or_default();
    format!("/equipment?{group}{direction}={}", percent_encode(key, b""))
}

/// The list's first page, in the group.
pub fn first_page_href(group: Option<&str>) -> String {
    group.map_or_else(|| "/equipment".to_owned(), |g| format!("/equipment?group={}", percent_encode(g, b"")))
}

fn asset_href(asset: &SharedAsset) -> String {
    format!("/equipment/{}", percent_encode(&asset.asset_key, b".-_~:"))
}

fn make_model(asset: &SharedAsset) -> String {
    [asset.make.as_deref(), asset.model.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ")
}

pub fn list(portal: &ResolvedPortal, lang: Language, member: &Member, fleet: &Fleet<'_>) -> String {
    let f = lang.fleet();
    let content = html! {
        h1 { (f.equipment_title) }
        @if !fleet.has_customer {
            p.empty { (f.no_customer) }
        } @else {
            @if !fleet.groups.is_empty() {
                form.filters method="get" action="/equipment" {
                    label { (f.group_label)
                        select name="group" {
                            option value="" { (f.all_groups) }
                            @for g in fleet.groups {
                                option value=(g.id) selected[fleet.group == Some(g.id.to_db().as_str())] { (g.name) }
                            }
                        }
                    }
                    button.secondary type="submit" { (f.filter_button) }
                }
            }
            @if fleet.assets.is_empty() {
                p.empty { (f.no_assets) }
            } @else {
                table.fleet.stacked {
                    thead { tr {
                        th scope="col" { (f.column_name) } th scope="col" { (f.column_serial) }
                        th scope="col" { (f.column_make_model) } th scope="col" { (f.column_type) }
                        th scope="col" { (f.column_group) }
                    } }
                    tbody {
                        @for asset in fleet.assets {
                            tr {
                                td data-label=(f.column_name) { a href=(asset_href(asset)) { (asset.name) } }
                                td data-label=(f.column_serial) { (asset.serial_number.as_deref().unwrap_or("")) }
                                td data-label=(f.column_make_model) { (make_model(asset)) }
                                td data-label=(f.column_type) { (foreign(asset.asset_type.as_deref().unwrap_or(""), portal.context.default_language, lang)) }
                                td data-label=(f.column_group) { (asset.group_name.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
                @if fleet.previous.is_some() || fleet.next.is_some() {
                    nav.pages aria-label=(f.equipment_title) {
                        @if let Some(key) = fleet.previous {
                            a rel="prev" href=(page_href(fleet, "before", key)) { (f.previous_page) }
                        }
                        @if let Some(key) = fleet.next {
                            a rel="next" href=(page_href(fleet, "after", key)) { (f.next_page) }
                        }
                    }
                }
            }
        }
    };
    page(portal, lang, f.equipment_title, Some("/equipment"), Some(member), &content)
}

pub fn kind_label(f: &FleetStrings, kind: &str) -> &'static str {
    match kind {
        "hours" => f.kind_hours,
        "position" => f.kind_position,
        "start" => f.kind_start,
        "stop" => f.kind_stop,
        _ => f.kind_alert,
    }
}

pub fn event_details(fmt: Formats, event: &ActivityRow) -> String {
    if let Some(milli) = event.hours_milli {
        return format!("{}\u{a0}{}", fmt.decimal(milli, 3), fmt.lang.fleet().hours_unit);
    }
    if let (Some(lat), Some(lon)) = (event.lat_e7, event.lon_e7) {
        let (lat, lon) = Position::from_e7(lat, lon).degrees();
        return format!("{lat:.5}, {lon:.5}");
    }
    event.message.clone().unwrap_or_default()
}

pub fn detail(
    portal: &ResolvedPortal,
    lang: Language,
    member: &Member,
    asset: &SharedAsset,
    events: &[ActivityRow],
    zone: TimeZone,
) -> String {
    let f = lang.fleet();
    let fmt = Formats::new(lang, zone);
    let content = html! {
        p.back { a href="/equipment" { "← " (f.equipment_title) } }
        h1 { (asset.name) }
        dl.facts {
            @if let Some(serial) = &asset.serial_number { dt { (f.column_serial) } dd { (serial) } }
            @let mm = make_model(asset);
            @if !mm.is_empty() { dt { (f.column_make_model) } dd { (mm) } }
            @if let Some(kind) = &asset.asset_type { dt { (f.column_type) } dd { (foreign(kind, portal.context.default_language, lang)) } }
            @if let Some(group) = &asset.group_name { dt { (f.column_group) } dd { (group) } }
        }
        @if portal.context.apps.contains(App::Documents) {
            p { a href=(format!("/documents?asset={}", percent_encode(&asset.asset_key, b".-_~:"))) { (lang.documents().documents_title) } }
        }
        h2 { (f.recent_activity) }
        @if portal.context.apps.contains(App::Activity) {
            p { a href=(format!("/activity?asset={}", percent_encode(&asset.asset_key, b""))) { (lang.activity().asset_activity_link) } }
        }
        @if events.is_empty() {
            p.empty { (f.no_activity) }
        } @else {
            p.hint { (f.times_in) " " (zone.label()) }
            table.activity.stacked {
                thead { tr {
                    th scope="col" { (f.column_time) } th scope="col" { (f.column_kind) } th scope="col" { (f.column_details) }
                } }
                tbody {
                    @for event in events {
                        @let at = Timestamp::from_millis(event.at);
                        tr class=[(event.kind == "alert").then_some("alert")] {
                            td data-label=(f.column_time) { (language::date_time(fmt, at)) }
                            td data-label=(f.column_kind) { (kind_label(f, &event.kind)) }
                            td data-label=(f.column_details) { (event_details(fmt, event)) }
                        }
                    }
                }
            }
        }
    };
    page(portal, lang, &asset.name, None, Some(member), &content)
}

/// A bucket's cells as the CSV writes them, in forms programs read whatever the reader's
/// language: period (its first local day, ISO), hours (a dot decimal), starts, stops, alerts.
pub fn row_cells(bucket: &Usage) -> Vec<String> {
    vec![
        date_text(bucket.day),
        hours_text(bucket.hours_milli),
        bucket.starts.to_string(),
        bucket.stops.to_string(),
        bucket.alerts.to_string(),
    ]
}

/// The CSV's header row: stable English names, for the programs that read it.
pub fn csv_header() -> Vec<String> {
    ["asset", "asset_key", "period_start", "operating_hours", "starts", "stops", "alerts"]
        .into_iter()
        .map(String::from)
        .collect()
}

/// The report's chart: `series` of hours over the periods starting on `days`.
fn hours_chart(f: &FleetStrings, fmt: Formats, span: Span, days: &[i64], series: Vec<Series<'_>>) -> Markup {
    let caption = if span == Span::Week { f.chart_by_week } else { f.chart_by_day };
    let chart = Chart {
        id: "report-chart",
        caption,
        quantity: f.column_hours,
        unit: f.hours_unit,
        span,
        periods: days,
        series,
    };
    chart::chart(fmt, &chart)
}

/// A bucket's period as the table shows it: its day, or its ISO week, in the reader's words.
fn period_cell(fmt: Formats, span: Span, day: i64) -> Markup {
    let machine = match span {
        Span::Day => date_text(day),
        Span::Week => {
            let (year, week) = iso_week(day);
            format!("{year}-W{week:02}")
        }
    };
    html! { time datetime=(machine) { (chart::PeriodTitle { formats: fmt, span, day }) } }
}

/// A bucket's sums in the reader's numbers: hours, starts, stops, alerts.
fn sum_cells(fmt: Formats, bucket: &Usage) -> Markup {
    html! {
        td { (Thousandths(fmt, bucket.hours_milli)) }
        td { (Count(fmt, bucket.starts)) } td { (Count(fmt, bucket.stops)) } td { (Count(fmt, bucket.alerts)) }
    }
}

/// The sum of `buckets`' hours and counts, dated `day`.
fn sum<'a>(day: i64, buckets: impl IntoIterator<Item = &'a Usage>) -> Usage {
    buckets.into_iter().fold(Usage { day, ..Usage::default() }, |total, b| Usage {
        day,
        hours_milli: total.hours_milli + b.hours_milli,
        starts: total.starts + b.starts,
        stops: total.stops + b.stops,
        alerts: total.alerts + b.alerts,
    })
}

/// The table of an asset's buckets.
fn bucket_table(f: &FleetStrings, fmt: Formats, span: Span, buckets: &[Usage]) -> Markup {
    html! {
        div.scroll tabindex="0" role="region" aria-label=(f.table_periods) { table.report {
            thead { tr {
                th scope="col" { (f.column_period) } th scope="col" { (f.column_hours) }
                th scope="col" { (f.column_starts) } th scope="col" { (f.column_stops) }
                th scope="col" { (f.column_alerts) }
            } }
            tbody {
                @for bucket in buckets {
                    tr { td { (period_cell(fmt, span, bucket.day)) } (sum_cells(fmt, bucket)) }
                }
            }
        } }
    }
}

/// The fleet report: the chart of the fleet's hours per bucket (a few assets stacked, each
/// its own series; more as their total), and a row per asset (its sums over the period,
/// linking to its own report) with the total.
fn fleet_report(f: &FleetStrings, fmt: Formats, params: &ReportParams, fleet: &[(SharedAsset, Vec<Usage>)]) -> Markup {
    // Every asset has the report's buckets, in the same order.
    let days: Vec<i64> = fleet.first().map_or_else(Vec::new, |(_, first)| first.iter().map(|b| b.day).collect());
    let hours = |buckets: &[Usage]| buckets.iter().map(|b| b.hours_milli).collect();
    let series = if (2..=chart::MAX_SERIES).contains(&fleet.len()) {
        fleet.iter().map(|(asset, buckets)| Series { name: &asset.name, values: hours(buckets) }).collect()
    } else {
        let totals: Vec<Usage> =
            (0..days.len()).map(|i| sum(0, fleet.iter().filter_map(|(_, all)| all.get(i)))).collect();
        vec![Series { name: f.total, values: hours(&totals) }]
    };
    let per_asset: Vec<Usage> = fleet.iter().map(|(_, buckets)| sum(params.from, buckets)).collect();
    html! {
        (hours_chart(f, fmt, params.span, &days, series))
        div.scroll tabindex="0" role="region" aria-label=(f.table_machines) { table.fleet-report {
            thead { tr {
                th scope="col" { (f.column_name) } th scope="col" { (f.column_hours) }
                th scope="col" { (f.column_starts) } th scope="col" { (f.column_stops) }
                th scope="col" { (f.column_alerts) }
            } }
            tbody {
                @for ((asset, _), sums) in fleet.iter().zip(&per_asset) {
                    tr {
                        td { a href=(format!("/reports?{}", params.query(Some(&asset.asset_key)))) { (asset.name) } }
                        (sum_cells(fmt, sums))
                    }
                }
            }
            tfoot { tr {
                th scope="row" { (f.total) }
                (sum_cells(fmt, &sum(params.from, &per_asset)))
            } }
        } }
    }
}

pub fn reports(
    portal: &ResolvedPortal,
    lang: Language,
    member: &Member,
    has_customer: bool,
    report: &Report,
    zone: TimeZone,
) -> String {
    let f = lang.fleet();
    let fmt = Formats::new(lang, zone);
    let params = &report.params;
    let chosen_key = match &report.shown {
        Some(Shown::Asset(asset, _)) => Some(asset.asset_key.as_str()),
        _ => None,
    };
    let group = params.group.map(BusinessUnitId::to_db);
    let content = html! {
        h1 { (f.reports_title) }
        @if !has_customer {
            p.empty { (f.no_customer) }
        } @else if report.assets.is_empty() {
            p.empty { (f.no_assets) }
        } @else {
            form.filters method="get" action="/reports" {
                label { (f.asset_label)
                    select name="asset" {
                        option value="" selected[chosen_key.is_none()] { (f.all_machines) }
                        @for asset in &report.assets {
                            option value=(asset.asset_key) selected[chosen_key == Some(asset.asset_key.as_str())] { (asset.name) }
                        }
                    }
                }
                @if !report.groups.is_empty() {
                    label { (f.group_label)
                        select name="group" {
                            option value="" { (f.all_groups) }
                            @for g in &report.groups {
                                option value=(g.id) selected[group.as_deref() == Some(g.id.to_db().as_str())] { (g.name) }
                            }
                        }
                    }
                }
                label { (f.from_label) input type="date" name="from" value=(date_text(params.from)); }
                label { (f.to_label) input type="date" name="to" value=(date_text(params.to)); }
                label { (f.by_label)
                    select name="by" {
                        option value="day" selected[params.span == Span::Day] { (f.by_day) }
                        option value="week" selected[params.span == Span::Week] { (f.by_week) }
                    }
                }
                button.button type="submit" { (f.show_button) }
            }
            @match &report.shown {
                Some(Shown::Asset(asset, buckets)) => {
                    h2 { (f.report_view) ": " (asset.name) }
                    p.hint { (f.times_in) " " (zone.label()) " · " a href=(format!("/reports.csv?{}", params.query(Some(&asset.asset_key)))) download { (f.download_csv) } }
                    @let days: Vec<i64> = buckets.iter().map(|b| b.day).collect();
                    @let hours = buckets.iter().map(|b| b.hours_milli).collect();
                    (hours_chart(f, fmt, params.span, &days, vec![Series { name: &asset.name, values: hours }]))
                    (bucket_table(f, fmt, params.span, buckets))
                }
                Some(Shown::Fleet(fleet)) => {
                    h2 { (f.report_view) ": " (f.all_machines) }
                    @if fleet.is_empty() {
                        p.empty { (f.no_assets_in_group) }
                    } @else {
                        p.hint { (f.times_in) " " (zone.label()) " · " a href=(format!("/reports.csv?{}", params.query(None))) download { (f.download_csv) } }
                        (fleet_report(f, fmt, params, fleet))
                    }
                }
                None => {}
            }
        }
    };
    page(portal, lang, f.reports_title, Some("/reports"), Some(member), &content)
}
