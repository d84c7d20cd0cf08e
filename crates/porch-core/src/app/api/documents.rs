//! Documents through the admin API: a file uploaded as `multipart/form-data` with its title,
//! category and owner (a customer, or an asset by the provider's key), listed newest first,
//! renamed, downloaded and deleted. R2 and D1 share no transaction: the object is written
//! first and deleted again when the row cannot be, and deleted after its row goes.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::Reach;
use super::input::Fields;
use super::versions::{self, tagged, Precondition};
use super::{created, no_content, ok, page_limit, Call};
use crate::app::cut_page;
use crate::app::files;
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::documents::{self, DocumentRow, Filter, NewDocument, Owner};
use crate::store::{customers, equipment};
use porch_types::attachments::{check_file_up_to, FileProblem};
use porch_types::documents::{parse_title, Category, MAX_DOCUMENT_BYTES};
use porch_types::equipment::AssetKey;
use porch_types::error::AppError;
use porch_types::ids::{AssetId, CustomerId, DocumentId, TenantId};
use porch_types::time::Timestamp;

/// A document as the API shows it (`Document` in openapi.json); the R2 key stays inside.
#[derive(Serialize)]
struct DocumentBody<'a> {
    id: &'a str,
    title: &'a str,
    category: &'a str,
    customer_id: Option<&'a str>,
    /// The provider's key of the asset it belongs to.
    asset: Option<&'a str>,
    filename: &'a str,
    content_type: &'a str,
    size: i64,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl<'a> From<&'a DocumentRow> for DocumentBody<'a> {
    fn from(row: &'a DocumentRow) -> Self {
        DocumentBody {
            id: &row.id,
            title: &row.title,
            category: &row.category,
            customer_id: row.customer_id.as_deref(),
            asset: row.asset_key.as_deref(),
            filename: &row.filename,
            content_type: &row.content_type,
            size: row.size,
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
        }
    }
}

/// The document of the path, of a tenant this caller reaches; a malformed id is not found.
async fn document_in_path<R: Runtime>(call: &Call<'_, R>) -> Result<(TenantId, DocumentRow), AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("document_id", DocumentId::parse)?;
    let row = documents::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    Ok((tenant, row))
}

/// The asset `raw` names (its key), of this tenant; a field error under `field` otherwise.
async fn asset_id<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    fields: &mut Fields,
    field: &str,
    raw: &str,
) -> Result<Option<AssetId>, AppError> {
    let row = match AssetKey::parse(raw) {
        Ok(key) => equipment::get(call.rt.db(), tenant, &key).await?,
        Err(_) => None,
    };
    let id = row.map(|row| row.id);
    if id.is_none() {
        fields.error(field, "is not an asset of this tenant");
    }
    Ok(id)
}

/// The customer `raw` names, of this tenant; a field error under `field` otherwise.
async fn customer_id<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    fields: &mut Fields,
    field: &str,
    raw: &str,
) -> Result<Option<CustomerId>, AppError> {
    match CustomerId::parse(raw) {
        Some(id) if customers::get(call.rt.db(), tenant, id).await?.is_some() => Ok(Some(id)),
        _ => {
            fields.error(field, "is not a customer of this tenant");
            Ok(None)
        }
    }
}

/// The owner of an upload: `customer_id` or `asset`, exactly one.
async fn owner<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    fields: &mut Fields,
    customer: Option<&str>,
    asset: Option<&str>,
) -> Result<Option<Owner>, AppError> {
    Ok(match (customer, asset) {
        (Some(customer), None) => {
            customer_id(call, tenant, fields, "customer_id", customer).await?.map(Owner::Customer)
        }
        (None, Some(asset)) => asset_id(call, tenant, fields, "asset", asset).await?.map(Owner::Asset),
        (Some(_), Some(_)) => {
            fields.error("asset", "give customer_id or asset, not both");
            None
        }
        (None, None) => {
            fields.error("customer_id", "is required unless asset is given");
            None
        }
    })
}

/// Uploads a document: `file` (one, up to 20 MiB, of the accepted kinds by name and
/// content), `title`, `category`, and `customer_id` or `asset`. Every problem is a field error.
pub async fn upload<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let content_type = call.req.header("content-type").unwrap_or("");
    let Some(form) = files::read_multipart(&call.req.body, content_type)? else {
        return Err(AppError::invalid("content-type", "send the document as multipart/form-data"));
    };
    let text = |name: &str| form.fields.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
    let mut fields = Fields::default();
    let title = fields.require("title", text("title"), parse_title);
    let category = fields.require("category", text("category"), Category::parse);
    let owner = owner(call, tenant, &mut fields, text("customer_id"), text("asset")).await?;
    let file = match form.files.as_slice() {
        [part] if part.name == "file" => {
            match check_file_up_to(part.filename.as_deref().unwrap_or(""), part.data, MAX_DOCUMENT_BYTES) {
                Ok((name, kind)) => Some((name, kind, part.data)),
                Err(FileProblem::TooLarge(name, _)) => {
                    fields.error("file", &format!("\"{name}\" is larger than {} MiB", MAX_DOCUMENT_BYTES >> 20));
                    None
                }
                Err(problem) => {
                    fields.error("file", &problem.to_string());
                    None
                }
            }
        }
        [] => {
            fields.error("file", "is required");
            None
        }
        _ => {
            fields.error("file", "send exactly one file, in the field named file");
            None
        }
    };
    fields.finish()?;
    let (Some(title), Some(category), Some(owner), Some((filename, kind, data))) = (title, category, owner, file)
    else {
        return Err(AppError::Internal("document incomplete after validation".into()));
    };
    let id = DocumentId::from_random(call.rt.random_16()?);
    let key = files::put_new(call.rt, "documents", tenant, data, kind.content_type()).await?;
    let new = NewDocument {
        id,
        owner,
        title: &title,
        category,
        filename: filename.as_str(),
        content_type: kind.content_type(),
        size: i64::try_from(data.len()).unwrap_or(i64::MAX),
        r2_key: &key,
    };
    let written = documents::create(call.rt.db(), tenant, &new, &call.actor(), call.rt.now()).await;
    files::kept_if_written(call.rt, std::slice::from_ref(&key), written.map_err(AppError::from)).await?;
    let row = documents::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    Ok(created(&json!({ "document": DocumentBody::from(&row) })))
}

pub async fn get<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (_, row) = document_in_path(call).await?;
    Ok(tagged(ok(&json!({ "document": DocumentBody::from(&row) })), row.version))
}

/// The document's file, as the recipients get it.
pub async fn download<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (_, row) = document_in_path(call).await?;
    files::serve_object(call.rt, &row.r2_key, &row.filename, &row.content_type).await
}

/// Documents newest first, a page at a time, narrowed by `customer_id`, `asset` (a key) and
/// `category`; `cursor` is the previous page's `next_cursor`.
pub async fn list<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let req = call.req;
    let mut fields = Fields::default();
    let mut filter = Filter::default();
    if let Some(raw) = req.query_param("customer_id") {
        filter.customer = customer_id(call, tenant, &mut fields, "customer_id", &raw).await?;
    }
    if let Some(raw) = req.query_param("asset") {
        filter.asset = asset_id(call, tenant, &mut fields, "asset", &raw).await?;
    }
    filter.category = req.query_param("category").and_then(|raw| fields.check("category", Category::parse(&raw)));
    let after = req.query_param("cursor").and_then(|raw| {
        let cursor = documents::parse_cursor(&raw);
        if cursor.is_none() {
            fields.error("cursor", "is not a cursor from this list");
        }
        cursor
    });
    let limit = page_limit(req)?;
    fields.finish()?;
    let mut rows = documents::list(call.rt.db(), tenant, &filter, after, limit + 1).await?;
    let next_cursor = cut_page(&mut rows, limit).map(DocumentRow::cursor);
    Ok(ok(&json!({
        "documents": rows.iter().map(DocumentBody::from).collect::<Vec<_>>(),
        "next_cursor": next_cursor,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    title: Option<String>,
    category: Option<String>,
}

/// Changes the title and/or the category; the file and its owner stay.
pub async fn update<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let pre = Precondition::of(call.req)?;
    let body: UpdateBody = call.json()?;
    versions::write(async || {
        let (tenant, current) = document_in_path(call).await?;
        pre.allow(current.version)?;
        change(call, tenant, &current, &body).await
    })
    .await
}

/// Writes what `body` names over `current`; None: the document changed or went meanwhile.
async fn change<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    current: &DocumentRow,
    body: &UpdateBody,
) -> Result<Option<Response>, AppError> {
    let mut fields = Fields::default();
    if body.title.is_none() && body.category.is_none() {
        fields.error("title", "give title, category or both");
    }
    let title = match body.title.as_deref() {
        Some(raw) => fields.check("title", parse_title(raw)),
        None => fields.check("title", parse_title(&current.title)),
    };
    let category = match body.category.as_deref() {
        Some(raw) => fields.check("category", Category::parse(raw)),
        None => fields.check("category", Category::parse(&current.category)),
    };
    fields.finish()?;
    let (Some(title), Some(category)) = (title, category) else {
        return Err(AppError::Internal("document update incomplete after validation".into()));
    };
    if !documents::update(call.rt.db(), tenant, current, &title, category, &call.actor(), call.rt.now()).await? {
        return Ok(None);
    }
    let id = DocumentId::parse(&current.id).ok_or(AppError::NotFound)?;
    let row = documents::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    Ok(Some(tagged(ok(&json!({ "document": DocumentBody::from(&row) })), row.version)))
}

/// Deletes the row, then its object.
pub async fn delete<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let pre = Precondition::of(call.req)?;
    versions::write(async || {
        let (tenant, current) = document_in_path(call).await?;
        pre.allow(current.version)?;
        if !documents::delete(call.rt.db(), tenant, &current, &call.actor(), call.rt.now()).await? {
            return Ok(None);
        }
        files::discard(call.rt, std::slice::from_ref(&current.r2_key)).await;
        Ok(Some(no_content()))
    })
    .await
}

/// Refuses to delete `owner` while it has documents: deleting them is the provider's choice
/// (their files go with them), never a side effect. 409 naming how many.
pub async fn refuse_if_owning<R: Runtime>(call: &Call<'_, R>, tenant: TenantId, owner: Owner) -> Result<(), AppError> {
    match documents::count(call.rt.db(), tenant, owner).await? {
        0 => Ok(()),
        n => Err(AppError::Conflict(format!(
            "it still has {n} document{}; delete them first (DELETE /documents/{{id}})",
            if n == 1 { "" } else { "s" }
        ))),
    }
}
