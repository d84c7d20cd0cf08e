//! The recipients' equipment pages: the fleet shared with the member's customer (filter by
//! group), an asset's page with its recent activity, and utilisation reports (HTML with a
//! server-drawn chart, and CSV). What a member may see is decided in the store's SQL
//! (`store::equipment::*_for_customer`): an asset of another customer, or one not shared
//! now, is the same 404 as a missing one.

use super::Page;
use crate::domain::equipment::AssetKey;
use crate::domain::ids::{AssetId, BusinessUnitId, CustomerId};
use crate::domain::usage::{self, date_text, parse_day, Buckets, Span, Usage};
use crate::error::AppError;
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::equipment::{self, SharedAsset};
use crate::views::fleet as view;

/// Events on an asset's page.
const RECENT_EVENTS: i64 = 50;
/// Days in a report without `from`: the last 30, today included.
const DEFAULT_DAYS: i64 = 30;

/// The member's customer; None for a member of no company, who is shared nothing.
fn customer(page: &Page<'_, impl Runtime>) -> Result<Option<CustomerId>, AppError> {
    Ok(page.require_member()?.customer_id.as_deref().and_then(CustomerId::parse))
}

pub async fn list<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    let member = page.require_member()?;
    let group = match page.req.query_param("group").filter(|g| !g.is_empty()) {
        None => None,
        Some(raw) => {
            Some(BusinessUnitId::parse(&raw).ok_or_else(|| AppError::BadRequest("group is not valid".into()))?)
        }
    };
    let customer = customer(page)?;
    let assets = match customer {
        Some(customer) => {
            equipment::assets_for_customer(page.rt.db(), page.scope.tenant, customer, None, page.now).await?
        }
        None => Vec::new(),
    };
    // The group choices are the groups of the whole fleet, so filtering keeps them all.
    let mut groups: Vec<(String, String)> =
        assets.iter().filter_map(|a| a.group_id.clone().zip(a.group_name.clone())).collect();
    groups.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    groups.dedup();
    let group = group.map(BusinessUnitId::to_db);
    let shown: Vec<&SharedAsset> =
        assets.iter().filter(|a| group.is_none() || a.group_id.as_deref() == group.as_deref()).collect();
    let fleet =
        view::Fleet { has_customer: customer.is_some(), assets: &shown, groups: &groups, group: group.as_deref() };
    Ok(Response::html(200, view::list(page.portal, page.lang, member, &fleet)))
}

/// The asset `raw_key` as shared with the member's customer now, or 404.
async fn shared<R: Runtime>(page: &Page<'_, R>, raw_key: &str) -> Result<(CustomerId, SharedAsset, AssetId), AppError> {
    let key = AssetKey::parse(raw_key).map_err(|_| AppError::NotFound)?;
    let customer = customer(page)?.ok_or(AppError::NotFound)?;
    let asset = equipment::shared_asset(page.rt.db(), page.scope.tenant, customer, &key, page.now)
        .await?
        .ok_or(AppError::NotFound)?;
    let id = AssetId::parse(&asset.id).ok_or_else(|| AppError::Internal(format!("asset {} has a bad id", asset.id)))?;
    Ok((customer, asset, id))
}

pub async fn detail<R: Runtime>(page: &Page<'_, R>, raw_key: &str) -> Result<Response, AppError> {
    let member = page.require_member()?;
    let (customer, asset, id) = shared(page, raw_key).await?;
    let events =
        equipment::recent_activity_for_customer(page.rt.db(), page.scope.tenant, customer, id, page.now, RECENT_EVENTS)
            .await?;
    let zone = page.portal.context.time_zone;
    Ok(Response::html(200, view::detail(page.portal, page.lang, member, &asset, &events, zone)))
}

/// A report's query: `asset` (a key), `from` and `to` (local dates, both included), `by`.
pub struct ReportParams {
    pub asset: Option<String>,
    pub from: i64,
    pub to: i64,
    pub span: Span,
}

impl ReportParams {
    /// Malformed values (only a hand-edited URL has them) are a 400, not silently ignored.
    fn parse<R: Runtime>(page: &Page<'_, R>) -> Result<ReportParams, AppError> {
        let bad = |what: &str| AppError::BadRequest(format!("{what} is not valid"));
        let query = |name| page.req.query_param(name).filter(|v| !v.is_empty());
        let today = page.portal.context.time_zone.local_day(page.now);
        let to = match query("to") {
            Some(raw) => parse_day(&raw).ok_or_else(|| bad("to"))?,
            None => today,
        };
        let from = match query("from") {
            Some(raw) => parse_day(&raw).ok_or_else(|| bad("from"))?,
            None => to - (DEFAULT_DAYS - 1),
        };
        let span = match query("by") {
            Some(raw) => Span::parse(&raw).ok_or_else(|| bad("by"))?,
            None => Span::Day,
        };
        Ok(ReportParams { asset: query("asset"), from, to, span })
    }

    /// The query string of this report (for the CSV link).
    pub fn query(&self, asset: &str) -> String {
        format!(
            "asset={}&from={}&to={}&by={}",
            crate::http::percent_encode(asset, b""),
            date_text(self.from),
            date_text(self.to),
            self.span.code()
        )
    }
}

/// A computed report: the member's fleet (for the choice of asset), the chosen asset and
/// its buckets; None as the asset when nothing is shared.
pub struct Report {
    pub params: ReportParams,
    pub assets: Vec<SharedAsset>,
    pub chosen: Option<(SharedAsset, Vec<Usage>)>,
}

async fn report<R: Runtime>(page: &Page<'_, R>) -> Result<(bool, Report), AppError> {
    let params = ReportParams::parse(page)?;
    let zone = page.portal.context.time_zone;
    let buckets =
        Buckets::new(params.from, params.to, params.span, zone).map_err(|e| AppError::BadRequest(e.into()))?;
    let Some(customer) = customer(page)? else {
        return Ok((false, Report { params, assets: Vec::new(), chosen: None }));
    };
    let db = page.rt.db();
    let tenant = page.scope.tenant;
    let assets = equipment::assets_for_customer(db, tenant, customer, None, page.now).await?;
    // No asset named: the first of the fleet. A named one must be of the fleet: else 404,
    // as for a missing asset.
    let chosen = match &params.asset {
        Some(key) => Some(assets.iter().find(|a| &a.asset_key == key).ok_or(AppError::NotFound)?),
        None => assets.first(),
    };
    let chosen = match chosen {
        Some(asset) => {
            let id = AssetId::parse(&asset.id)
                .ok_or_else(|| AppError::Internal(format!("asset {} has a bad id", asset.id)))?;
            let rows = equipment::usage_for_customer(db, tenant, customer, id, &buckets, page.now).await?;
            let before = equipment::reading_before(db, tenant, customer, id, buckets.start(), page.now).await?;
            Some((asset.clone(), usage::usage(&buckets, &rows, before)))
        }
        None => None,
    };
    Ok((true, Report { params, assets, chosen }))
}

pub async fn reports<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    let member = page.require_member()?;
    let (has_customer, report) = report(page).await?;
    let zone = page.portal.context.time_zone;
    Ok(Response::html(200, view::reports(page.portal, page.lang, member, has_customer, &report, zone)))
}

/// The report as CSV: the same rows as the page's table, with the asset's name first.
pub async fn reports_csv<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    page.require_member()?;
    let (_, report) = report(page).await?;
    let (asset, buckets) = report.chosen.as_ref().ok_or(AppError::NotFound)?;
    let mut rows = vec![view::csv_header()];
    rows.extend(buckets.iter().map(|b| {
        let mut row = vec![asset.name.clone()];
        row.extend(view::row_cells(b));
        row
    }));
    // The key's letters are safe in a quoted filename once ':' and '~' are plain dashes.
    let filename = format!(
        "utilisation-{}-{}-{}.csv",
        asset.asset_key.replace([':', '~'], "-"),
        date_text(report.params.from),
        date_text(report.params.to)
    );
    Ok(Response::new(200, "text/csv; charset=utf-8; header=present", usage::csv(&rows))
        .with_header("content-disposition", &format!("attachment; filename=\"{filename}\"")))
}
