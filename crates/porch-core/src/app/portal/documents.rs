//! The recipients' documents: a list of what the member's customer may see (its own
//! documents and those of assets shared with it now), filtered by category and asset,
//! newest first in pages, and downloads through the same check. What a member may see is
//! decided in the store's SQL (`store::documents::viewer_*`, deriving the customer from the
//! session): another customer's document, one of an asset no longer shared, or a guessed id
//! is the same 404 as a missing one. The rows are read in the session lookup's D1 round trip
//! (`prefetch`).

use super::query::{Allowed, Query};
use super::Page;
use crate::app::cut_page;
use crate::app::files;
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::documents::{self, DocumentRow, RecipientFilter};
use crate::store::equipment::{self, SharedAsset};
use crate::store::{decode_rows, Statement};
use crate::views::documents as view;
use porch_types::documents::Category;
use porch_types::equipment::AssetKey;
use porch_types::error::AppError;
use porch_types::ids::DocumentId;

/// Documents on one page.
const PAGE_SIZE: i64 = 50;

/// The list page's query string: the category, where the page starts, and the asset filter
/// as given (checked only for a member of a company, as before any read).
struct ListParams {
    category: Option<Category>,
    after: Option<(i64, DocumentId)>,
    asset: Option<String>,
}

impl ListParams {
    /// Malformed values come only from a hand-edited URL: the branded 400 naming them.
    fn parse<R: Runtime>(page: &Page<'_, R>) -> Result<ListParams, AppError> {
        let mut query = Query::new(page.req, page.lang);
        let codes = Category::ALL.map(Category::code);
        let category = query.parse("category", Allowed::OneOf(&codes), |raw| Category::parse(raw).ok());
        let after = query.parse("after", Allowed::FromLink, documents::parse_cursor);
        let asset = query.get("asset");
        query.finish(ListParams { category, after, asset })
    }

    /// The asset filter: a malformed key names no asset shared now, the 404 of the asset's
    /// own page.
    fn asset_key(&self) -> Result<Option<AssetKey>, AppError> {
        self.asset.as_deref().map(|raw| AssetKey::parse(raw).map_err(|_| AppError::NotFound)).transpose()
    }
}

/// The list page's reads, to send with the session lookup (none when the query is malformed
/// and the handler will say so).
pub fn prefetch_list<R: Runtime>(page: &Page<'_, R>, token_hash: &str) -> Vec<Statement> {
    match ListParams::parse(page).and_then(|p| Ok((p.asset_key()?, p))) {
        Ok((asset, params)) => list_statements(page, token_hash, &params, asset.as_ref()),
        Err(_) => Vec::new(),
    }
}

/// A download's read of the document, to send with the session lookup (none for a
/// malformed id).
pub fn prefetch_document<R: Runtime>(page: &Page<'_, R>, token_hash: &str, raw_id: &str) -> Vec<Statement> {
    DocumentId::parse(raw_id)
        .map(|id| vec![documents::viewer_document(page.scope, token_hash, page.now, id)])
        .unwrap_or_default()
}

// `page.now`, fixed for the request: the handler rebuilds these and must get exactly the
// statements sent with the session lookup to use their rows. A page and one more row, to know
// whether there is a page beyond it; with an asset filter, the asset (as the asset's page
// reads it), shared now or a 404. Each derives the viewer's customer from the session in its
// own SQL, so none waits for another.
fn list_statements<R: Runtime>(
    page: &Page<'_, R>,
    token_hash: &str,
    params: &ListParams,
    asset: Option<&AssetKey>,
) -> Vec<Statement> {
    let filter = RecipientFilter { asset_key: asset.map(AssetKey::as_str), category: params.category };
    let rows = documents::viewer_page(page.scope, token_hash, page.now, &filter, params.after, PAGE_SIZE + 1);
    let asset = asset.map(|key| equipment::viewer_asset(page.scope, token_hash, page.now, key));
    std::iter::once(rows).chain(asset).collect()
}

pub async fn list<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    let member = page.require_member()?;
    let params = ListParams::parse(page)?;
    let (category, zone) = (params.category, page.portal.context.time_zone);
    if page.customer()?.is_none() {
        let list = view::List { has_customer: false, documents: &[], category, asset: None, next: None, zone };
        return Ok(Response::html(200, view::list(page.portal, page.lang, member, &list)));
    }
    let asset_key = params.asset_key()?;
    let statements = list_statements(page, &member.token_hash, &params, asset_key.as_ref());
    let mut results = page.reads(statements).await?.into_iter();
    let mut rows: Vec<DocumentRow> = decode_rows(results.next())?;
    // An asset filter names an asset shared with the customer now, else it is a 404 like the
    // asset's own page.
    let asset = match asset_key {
        Some(_) => Some(decode_rows::<SharedAsset>(results.next())?.into_iter().next().ok_or(AppError::NotFound)?),
        None => None,
    };
    let next = cut_page(&mut rows, PAGE_SIZE).map(DocumentRow::cursor);
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
    let member = page.require_member()?;
    page.customer()?.ok_or(AppError::NotFound)?;
    let id = DocumentId::parse(raw_id).ok_or(AppError::NotFound)?;
    let statement = documents::viewer_document(page.scope, &member.token_hash, page.now, id);
    let row: DocumentRow = decode_rows(page.reads(vec![statement]).await?.into_iter().next())?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    files::serve_object(page.rt, &row.r2_key, &row.filename, &row.content_type).await
}
