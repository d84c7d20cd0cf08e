//! The recipients' documents: a list of what the member's customer may see (its own
//! documents and those of assets shared with it now), filtered by category and asset,
//! newest first in pages, and downloads through the same check. What a member may see is
//! decided in the store's SQL (`store::documents::*for_customer`, binding tenant and
//! customer): another customer's document, one of an asset no longer shared, or a guessed id
//! is the same 404 as a missing one.
//!
//! The reads follow the session lookup (two round trips): the member's customer is bound
//! from the session row, not derived inside the statement as the ticket pages do.

use super::Page;
use crate::app::cut_page;
use crate::app::files;
use crate::domain::documents::Category;
use crate::domain::equipment::AssetKey;
use crate::domain::ids::DocumentId;
use crate::error::AppError;
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::documents::{self, RecipientFilter};
use crate::store::equipment;
use crate::views::documents as view;

/// Documents on one page.
const PAGE_SIZE: i64 = 50;

pub async fn list<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    let member = page.require_member()?;
    let query = |name| page.req.query_param(name).filter(|v| !v.is_empty());
    // Malformed values come only from a hand-edited URL: 400, not silently ignored.
    let category = match query("category") {
        Some(raw) => Some(Category::parse(&raw).map_err(|_| AppError::BadRequest("category is not valid".into()))?),
        None => None,
    };
    let after = match query("after") {
        Some(raw) => {
            Some(documents::parse_cursor(&raw).ok_or_else(|| AppError::BadRequest("after is not valid".into()))?)
        }
        None => None,
    };
    let asset_key = query("asset");
    let zone = page.portal.context.time_zone;
    let Some(customer) = page.customer()? else {
        let list = view::List { has_customer: false, documents: &[], category, asset: None, next: None, zone };
        return Ok(Response::html(200, view::list(page.portal, page.lang, member, &list)));
    };
    let db = page.rt.db();
    let tenant = page.scope.tenant;
    // An asset filter names an asset shared with the customer now, else it is a 404 like the
    // asset's own page.
    let asset = match &asset_key {
        Some(raw) => {
            let key = AssetKey::parse(raw).map_err(|_| AppError::NotFound)?;
            Some(equipment::shared_asset(db, tenant, customer, &key, page.now).await?.ok_or(AppError::NotFound)?)
        }
        None => None,
    };
    let filter = RecipientFilter { asset_key: asset_key.as_deref(), category };
    let mut rows = documents::for_customer(db, tenant, customer, page.now, &filter, after, PAGE_SIZE + 1).await?;
    let next = cut_page(&mut rows, PAGE_SIZE).map(documents::DocumentRow::cursor);
    let list = view::List {
        has_customer: true,
        documents: &rows,
        category,
        asset: asset.as_ref().map(|a| (a.asset_key.as_str(), a.name.as_str())),
        next: next.as_deref(),
        zone,
    };
    Ok(Response::html(200, view::list(page.portal, page.lang, member, &list)))
}

/// The document's file, if the member's customer may see it now; else the 404 of a missing one.
pub async fn download<R: Runtime>(page: &Page<'_, R>, raw_id: &str) -> Result<Response, AppError> {
    let customer = page.customer()?.ok_or(AppError::NotFound)?;
    let id = DocumentId::parse(raw_id).ok_or(AppError::NotFound)?;
    let row = documents::one_for_customer(page.rt.db(), page.scope.tenant, customer, id, page.now)
        .await?
        .ok_or(AppError::NotFound)?;
    files::serve_object(page.rt, &row.r2_key, &row.filename, &row.content_type).await
}
