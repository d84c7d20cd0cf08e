//! The recipients' equipment pages: the fleet shared with the member's customer (keyset
//! pages of 50, filter by group), an asset's page with its recent activity, and utilisation
//! reports (HTML with a server-drawn chart, and CSV). What a member may see is decided in the
//! store's SQL (`store::equipment::viewer_*`): an asset of another customer, or one not
//! shared now, is the same 404 as a missing one. Every page is one D1 round trip, the session
//! lookup's (`prefetch`): the fleet, an asset with its events, and a report (the fleet's sums
//! per asset, or one asset's, each found by its key in the same SQL).

use super::query::{Allowed, Query};
use super::Page;
use crate::app::cut_page;
use crate::http::{Request, Response};
use crate::i18n::Language;
use crate::runtime::Runtime;
use crate::store::equipment::{self, AssetPage, AssetUsage, FleetCursor, FleetGroup, SharedAsset};
use crate::store::{decode_rows, Statement};
use crate::views::fleet::{self as view, Report, ReportParams, Shown};
use porch_types::equipment::AssetKey;
use porch_types::error::AppError;
use porch_types::ids::BusinessUnitId;
use porch_types::usage::{self, date_text, parse_day, Buckets, Span, Usage};

/// Events on an asset's page.
const RECENT_EVENTS: i64 = 50;
/// The longest report of the whole fleet by day.
const FLEET_MAX_DAYS: i64 = 93;
/// Days in a report without `from`: the last 30, today included.
const DEFAULT_DAYS: i64 = 30;

/// Assets per fleet list page.
const PAGE_SIZE: i64 = 50;

// The fleet pages' reads, to send with the session lookup (none when the request is
// malformed and the handler will say so). Each derives the viewer's customer from the
// session in its own SQL, so none waits for another.

/// The fleet list's reads.
pub fn prefetch_list<R: Runtime>(page: &Page<'_, R>, token_hash: &str) -> Vec<Statement> {
    ListParams::parse(page.req, page.lang).map(|p| list_statements(page, token_hash, &p)).unwrap_or_default()
}

/// A report's reads (HTML or CSV).
pub fn prefetch_report<R: Runtime>(page: &Page<'_, R>, token_hash: &str) -> Vec<Statement> {
    report_query(page)
        .map(|(params, buckets)| report_statements(page, token_hash, &params, &buckets))
        .unwrap_or_default()
}

/// An asset page's read: the asset and its latest events.
pub fn prefetch_asset<R: Runtime>(page: &Page<'_, R>, token_hash: &str, raw_key: &str) -> Vec<Statement> {
    AssetKey::parse(raw_key).map(|key| asset_statements(page, token_hash, &key)).unwrap_or_default()
}

/// The asset page's read, by the asset's key, so it goes with the session lookup.
fn asset_statements<R: Runtime>(page: &Page<'_, R>, token_hash: &str, key: &AssetKey) -> Vec<Statement> {
    vec![equipment::viewer_asset_page(page.scope, token_hash, page.now, key, RECENT_EVENTS)]
}

/// A fleet list page's query string: the group, and where the page starts.
pub struct ListParams {
    pub group: Option<BusinessUnitId>,
    after: Option<AssetKey>,
    before: Option<AssetKey>,
}

impl ListParams {
    /// Malformed values (only a hand-edited URL has them) are the branded 400 naming them.
    fn parse(req: &Request, lang: Language) -> Result<ListParams, AppError> {
        let mut query = Query::new(req, lang);
        let group = query.parse("group", Allowed::FromLink, BusinessUnitId::parse);
        let after = query.parse("after", Allowed::FromLink, |raw| AssetKey::parse(raw).ok());
        let before = query.parse("before", Allowed::FromLink, |raw| AssetKey::parse(raw).ok());
        if after.is_some() && before.is_some() {
            query.refuse("before", Allowed::NotWith("after"));
        }
        query.finish(ListParams { group, after, before })
    }

    fn cursor(&self) -> FleetCursor<'_> {
        match (&self.after, &self.before) {
            (Some(key), _) => FleetCursor::After(key.as_str()),
            (None, Some(key)) => FleetCursor::Before(key.as_str()),
            (None, None) => FleetCursor::First,
        }
    }
}

// `page.now`, fixed for the request: the handler rebuilds these statements and must get
// exactly the ones sent with the session lookup to use their rows. A page and one more row,
// to know whether there is a page beyond it.
fn list_statements<R: Runtime>(page: &Page<'_, R>, token_hash: &str, params: &ListParams) -> Vec<Statement> {
    vec![
        equipment::viewer_fleet_page(page.scope, token_hash, page.now, params.group, params.cursor(), PAGE_SIZE + 1),
        equipment::viewer_fleet_groups(page.scope, token_hash, page.now),
    ]
}

pub async fn list<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    let member = page.require_member()?;
    let params = ListParams::parse(page.req, page.lang)?;
    let customer = page.customer()?;
    let mut results = page.reads(list_statements(page, &member.token_hash, &params)).await?.into_iter();
    let mut assets: Vec<SharedAsset> = decode_rows(results.next())?;
    let groups: Vec<FleetGroup> = decode_rows(results.next())?;
    let more = cut_page(&mut assets, PAGE_SIZE).is_some();
    let group = params.group.map(BusinessUnitId::to_db);
    // A cursor's page is empty when nothing lies beyond it (`before` the first asset) or it
    // names no asset shared now (`store::equipment`'s `cursor_name!`): either way, the way on
    // is the first page, with the same answer for both.
    if assets.is_empty() && params.cursor() != FleetCursor::First {
        return Ok(Response::see_other(&view::first_page_href(group.as_deref())));
    }
    let backwards = matches!(params.cursor(), FleetCursor::Before(_));
    if backwards {
        assets.reverse();
    }
    // Walking forwards, the page before is there when we came from one; backwards, the page
    // after is (the cursor's asset starts it).
    let (earlier, later) = if backwards { (more, true) } else { (params.after.is_some(), more) };
    let fleet = view::Fleet {
        has_customer: customer.is_some(),
        assets: &assets,
        groups: &groups,
        group: group.as_deref(),
        previous: assets.first().filter(|_| earlier).map(|a| a.asset_key.as_str()),
        next: assets.last().filter(|_| later).map(|a| a.asset_key.as_str()),
    };
    Ok(Response::html(200, view::list(page.portal, page.lang, member, &fleet)))
}

pub async fn detail<R: Runtime>(page: &Page<'_, R>, raw_key: &str) -> Result<Response, AppError> {
    let member = page.require_member()?;
    let key = AssetKey::parse(raw_key).map_err(|_| AppError::NotFound)?;
    page.customer()?.ok_or(AppError::NotFound)?;
    let mut results = page.reads(asset_statements(page, &member.token_hash, &key)).await?.into_iter();
    let found: AssetPage = decode_rows(results.next())?.into_iter().next().ok_or(AppError::NotFound)?;
    let events = found.events()?;
    let zone = page.portal.context.time_zone;
    Ok(Response::html(200, view::detail(page.portal, page.lang, member, &found.asset, &events, zone)))
}

/// The whole fleet, for a report's choice of asset.
fn report_choices<R: Runtime>(page: &Page<'_, R>, token_hash: &str) -> Statement {
    equipment::viewer_fleet_page(page.scope, token_hash, page.now, None, FleetCursor::First, -1)
}

/// A report's query and its buckets. Malformed values (only a hand-edited URL has them) are
/// the branded 400 naming them, not silently ignored. An empty `asset` (the form's "All
/// machines") is none: the fleet report. `asset=all` is not special: "all" is a valid asset key.
fn report_query<R: Runtime>(page: &Page<'_, R>) -> Result<(ReportParams, Buckets), AppError> {
    let mut query = Query::new(page.req, page.lang);
    let zone = page.portal.context.time_zone;
    let today = zone.local_day(page.now);
    let to = query.parse("to", Allowed::Date, parse_day);
    let from = query.parse("from", Allowed::Date, parse_day);
    let span = query.parse("by", Allowed::OneOf(&["day", "week"]), Span::parse).unwrap_or(Span::Day);
    let group = query.parse("group", Allowed::FromLink, BusinessUnitId::parse);
    let asset = query.get("asset");
    let to = to.unwrap_or(today);
    let from = from.unwrap_or(to - (DEFAULT_DAYS - 1));
    let buckets = match Buckets::new(from, to, span, zone) {
        Ok(buckets) => Some(buckets),
        Err(_) if to < from => {
            query.refuse("to", Allowed::NotBeforeFrom);
            None
        }
        Err(_) => {
            query.refuse("from", Allowed::MaxDays(usage::MAX_DAYS));
            None
        }
    };
    // The fleet's statement answers each asset's sums per bucket: by day, a quarter at most
    // (a fleet of 200 is then 18,600 sums), by week the whole year.
    if asset.is_none() && span == Span::Day && buckets.is_some_and(|b| b.count > FLEET_MAX_DAYS) {
        query.refuse("from", Allowed::FleetMaxDays(FLEET_MAX_DAYS));
    }
    let params = ReportParams { asset, group, from, to, span };
    // No buckets only with a problem noted, which `finish` has refused already.
    query.finish(buckets.map(|buckets| (params, buckets)))?.ok_or_else(|| AppError::Internal("report buckets".into()))
}

/// A report's reads in the session lookup's round trip: the fleet (the choice of asset, and
/// its groups, `FleetGroup::of`), and the sums with the reading before the period of every
/// asset of the fleet, or of the one asset named, found by its key in the same statement: no
/// other trip, and two statements besides the session's (each builds the viewer's fleet
/// again, and on D1 each cost more than reading a year of rollups).
fn report_statements<R: Runtime>(
    page: &Page<'_, R>,
    token_hash: &str,
    params: &ReportParams,
    buckets: &Buckets,
) -> Vec<Statement> {
    let mut statements = vec![report_choices(page, token_hash)];
    let (scope, now, group) = (page.scope, page.now, params.group);
    match params.asset.as_deref().map(AssetKey::parse) {
        None => statements.push(equipment::viewer_fleet_usage(scope, token_hash, now, group, buckets)),
        Some(Ok(key)) => statements.push(equipment::viewer_asset_usage(scope, token_hash, now, &key, buckets)),
        // Not a key: no asset has it (the fleet's choices tell, a 404).
        Some(Err(_)) => {}
    }
    statements
}

async fn report<R: Runtime>(page: &Page<'_, R>) -> Result<(bool, Report), AppError> {
    let (params, buckets) = report_query(page)?;
    if page.customer()?.is_none() {
        return Ok((false, Report { params, assets: Vec::new(), groups: Vec::new(), shown: None }));
    }
    let member = page.require_member()?;
    let mut results = page.reads(report_statements(page, &member.token_hash, &params, &buckets)).await?.into_iter();
    let assets: Vec<SharedAsset> = decode_rows(results.next())?;
    let groups = FleetGroup::of(&assets);
    // A named asset must be of the fleet: else 404, as for a missing asset.
    let shown = if let Some(key) = &params.asset {
        let asset = assets.iter().find(|a| &a.asset_key == key).ok_or(AppError::NotFound)?;
        let sums = decode_rows::<AssetUsage>(results.next())?;
        Shown::Asset(Box::new(asset.clone()), own_usage(&buckets, sums.first())?)
    } else {
        let sums: Vec<AssetUsage> = decode_rows(results.next())?;
        Shown::Fleet(fleet_usage(&buckets, &assets, params.group, &sums)?)
    };
    Ok((true, Report { params, assets, groups, shown: Some(shown) }))
}

/// An asset's buckets from its sums (none when the statement had no row for it).
fn own_usage(buckets: &Buckets, sums: Option<&AssetUsage>) -> Result<Vec<Usage>, AppError> {
    let rows = sums.map(AssetUsage::buckets).transpose()?.unwrap_or_default();
    Ok(usage::usage(buckets, &rows, sums.and_then(|s| s.hours_before)))
}

/// Each asset of the fleet (of `group`) with its buckets, computed from its own sums as its
/// own report computes them (`own_usage`), so the two always agree. `sums` are in asset id
/// order.
fn fleet_usage(
    buckets: &Buckets,
    assets: &[SharedAsset],
    group: Option<BusinessUnitId>,
    sums: &[AssetUsage],
) -> Result<Vec<(SharedAsset, Vec<Usage>)>, AppError> {
    // The group as the SQL's: the asset's unit when it is one of the customer's own.
    assets
        .iter()
        .filter(|a| group.is_none() || a.group_id == group)
        .map(|a| {
            let own = sums.binary_search_by(|s| s.asset_id.cmp(&a.id)).ok().and_then(|i| sums.get(i));
            Ok((a.clone(), own_usage(buckets, own)?))
        })
        .collect()
}

pub async fn reports<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    let member = page.require_member()?;
    let (has_customer, report) = report(page).await?;
    let zone = page.portal.context.time_zone;
    Ok(Response::html(200, view::reports(page.portal, page.lang, member, has_customer, &report, zone)))
}

/// The report as CSV: the same rows as the page's table, with the asset's name and key first;
/// of the fleet, a row per asset and period, the numbers of each asset's own report.
pub async fn reports_csv<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    page.require_member()?;
    let (_, report) = report(page).await?;
    let (assets, subject) = match report.shown.ok_or(AppError::NotFound)? {
        // The key's letters are safe in a quoted filename once ':' and '~' are plain dashes.
        Shown::Asset(asset, buckets) => {
            let subject = asset.asset_key.replace([':', '~'], "-");
            (vec![(*asset, buckets)], subject)
        }
        Shown::Fleet(assets) => (assets, "fleet".to_owned()),
    };
    let mut rows = vec![view::csv_header()];
    for (asset, buckets) in &assets {
        rows.extend(buckets.iter().map(|b| {
            // Names need not be unique: the key tells two machines of one name apart.
            let mut row = vec![asset.name.clone(), asset.asset_key.clone()];
            row.extend(view::row_cells(b));
            row
        }));
    }
    let filename =
        format!("utilisation-{subject}-{}-{}.csv", date_text(report.params.from), date_text(report.params.to));
    Ok(Response::new(200, "text/csv; charset=utf-8; header=present", usage::csv(&rows))
        .with_header("content-disposition", &format!("attachment; filename=\"{filename}\"")))
}
