//! Documents: rows naming a file in R2, of a customer or of an asset. The provider's reads
//! and writes bind the tenant; a recipient's reads bind the tenant and derive the member's
//! customer from the session in their own SQL, and decide there what the customer may see:
//! its own documents and those of assets shared with it at `now` (the fleet pages' rule), so
//! anything else is simply not found.

use serde::Deserialize;
use serde_json::json;

use super::audit::{Actor, Change};
use super::equipment::share_in_force;
use super::portal_tickets::{shared_params, with_viewer};
use super::versions::write_guarded;
use super::{write_audited, Database, DbError, PortalScope, Statement};
use crate::params;
use porch_types::documents::Category;
use porch_types::ids::{AssetId, CustomerId, DocumentId, TenantId};
use porch_types::text::Label;
use porch_types::time::Timestamp;

/// Columns of a document with its asset's key and name (NULL for a customer's document).
macro_rules! document_columns {
    () => {
        "SELECT d.id, d.customer_id, d.asset_id, a.asset_key, a.name AS asset_name, d.title, d.category,
                d.filename, d.content_type, d.size, d.r2_key, d.created_at, d.updated_at, d.version
         FROM documents d LEFT JOIN assets a ON a.tenant_id = d.tenant_id AND a.id = d.asset_id "
    };
}

/// Keyset paging, newest first: after the (`created_at`, id) of the previous page's last row,
/// bound as ?c and ?i by the caller's numbering.
macro_rules! newest_first {
    ($c:literal, $i:literal, $limit:literal) => {
        concat!(
            " AND (",
            $c,
            " IS NULL OR d.created_at < ",
            $c,
            " OR (d.created_at = ",
            $c,
            " AND d.id < ",
            $i,
            "))
             ORDER BY d.created_at DESC, d.id DESC LIMIT ",
            $limit
        )
    };
}

/// A document as stored, with its asset's key and name.
#[derive(Clone, Debug, Deserialize)]
pub struct DocumentRow {
    pub id: String,
    pub customer_id: Option<String>,
    pub asset_id: Option<String>,
    pub asset_key: Option<String>,
    pub asset_name: Option<String>,
    pub title: String,
    pub category: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub r2_key: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

impl DocumentRow {
    fn summary(&self) -> serde_json::Value {
        json!({
            "title": self.title,
            "category": self.category,
            "customer_id": self.customer_id,
            "asset": self.asset_key,
            "filename": self.filename,
            "size": self.size,
        })
    }

    /// The cursor of the page that follows this row: `<created_at ms>.<id>`.
    pub fn cursor(&self) -> String {
        format!("{}.{}", self.created_at, self.id)
    }
}

/// A page cursor, as `DocumentRow::cursor` writes it; None when malformed.
pub fn parse_cursor(raw: &str) -> Option<(i64, DocumentId)> {
    let (at, id) = raw.split_once('.')?;
    Some((at.parse::<i64>().ok().filter(|at| *at >= 0)?, DocumentId::parse(id)?))
}

/// Whose document it is: exactly one (the schema holds it to that too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    Customer(CustomerId),
    Asset(AssetId),
}

/// A new document, its file already in R2 under `r2_key`.
pub struct NewDocument<'a> {
    pub id: DocumentId,
    pub owner: Owner,
    pub title: &'a Label,
    pub category: Category,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub r2_key: &'a str,
}

pub async fn create(
    db: &impl Database,
    tenant: TenantId,
    new: &NewDocument<'_>,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let (customer, asset) = match new.owner {
        Owner::Customer(id) => (Some(id.to_db()), None),
        Owner::Asset(id) => (None, Some(id.to_db())),
    };
    let change = Change::new(tenant, actor, "document.create", "document", new.id.to_db()).after(json!({
        "title": new.title.as_str(),
        "category": new.category.code(),
        "customer_id": customer,
        "asset_id": asset,
        "filename": new.filename,
        "size": new.size,
    }));
    write_audited(
        db,
        Statement::new(
            "INSERT INTO documents (id, tenant_id, customer_id, asset_id, title, category, filename, content_type,
                                    size, r2_key, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
            params![
                new.id.to_db(),
                tenant.to_db(),
                customer,
                asset,
                new.title.as_str(),
                new.category.code(),
                new.filename,
                new.content_type,
                new.size,
                new.r2_key,
                now.millis()
            ],
        ),
        &change,
        now,
    )
    .await
}

pub async fn get(db: &impl Database, tenant: TenantId, id: DocumentId) -> Result<Option<DocumentRow>, DbError> {
    db.query_one(Statement::new(
        concat!(document_columns!(), "WHERE d.tenant_id = ?1 AND d.id = ?2"),
        params![tenant.to_db(), id.to_db()],
    ))
    .await
}

/// What the provider's list is narrowed to; each filter is optional.
#[derive(Default)]
pub struct Filter {
    pub customer: Option<CustomerId>,
    pub asset: Option<AssetId>,
    pub category: Option<Category>,
}

/// The tenant's documents, newest first, `limit` after `after`.
pub async fn list(
    db: &impl Database,
    tenant: TenantId,
    filter: &Filter,
    after: Option<(i64, DocumentId)>,
    limit: i64,
) -> Result<Vec<DocumentRow>, DbError> {
    db.query(Statement::new(
        concat!(
            document_columns!(),
            "WHERE d.tenant_id = ?1 AND (?2 IS NULL OR d.customer_id = ?2) AND (?3 IS NULL OR d.asset_id = ?3)
               AND (?4 IS NULL OR d.category = ?4)",
            newest_first!("?5", "?6", "?7")
        ),
        params![
            tenant.to_db(),
            filter.customer.map(CustomerId::to_db),
            filter.asset.map(AssetId::to_db),
            filter.category.map(Category::code),
            after.map(|(at, _)| at),
            after.map(|(_, id)| id.to_db()),
            limit
        ],
    ))
    .await
}

/// Sets the title and category.
pub async fn update(
    db: &impl Database,
    tenant: TenantId,
    current: &DocumentRow,
    title: &Label,
    category: Category,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let after = json!({ "title": title.as_str(), "category": category.code() });
    let before = json!({ "title": current.title, "category": current.category });
    let change =
        Change::new(tenant, actor, "document.update", "document", current.id.clone()).before(before).after(after);
    write_guarded(
        db,
        Statement::new(
            "UPDATE documents SET title = ?3, category = ?4, updated_at = ?5 WHERE tenant_id = ?1 AND id = ?2 AND version = ?6",
            params![tenant.to_db(), current.id.clone(), title.as_str(), category.code(), now.millis(), current.version],
        ),
        &change,
        now,
    )
    .await
}

/// Deletes the row if it still has `current.version` (false: it changed or went); the
/// caller deletes its object after this succeeds.
pub async fn delete(
    db: &impl Database,
    tenant: TenantId,
    current: &DocumentRow,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let change =
        Change::new(tenant, actor, "document.delete", "document", current.id.clone()).before(current.summary());
    write_guarded(
        db,
        Statement::new(
            "DELETE FROM documents WHERE tenant_id = ?1 AND id = ?2 AND version = ?3",
            params![tenant.to_db(), current.id.clone(), current.version],
        ),
        &change,
        now,
    )
    .await
}

#[derive(Deserialize)]
struct Count {
    n: i64,
}

/// How many documents `owner` has: deleting a customer or an asset that has any is refused.
pub async fn count(db: &impl Database, tenant: TenantId, owner: Owner) -> Result<i64, DbError> {
    let (customer, asset) = match owner {
        Owner::Customer(id) => (Some(id.to_db()), None),
        Owner::Asset(id) => (None, Some(id.to_db())),
    };
    let row: Option<Count> = db
        .query_one(Statement::new(
            "SELECT count(*) AS n FROM documents
             WHERE tenant_id = ?1 AND (customer_id = ?2 OR asset_id = ?3)",
            params![tenant.to_db(), customer, asset],
        ))
        .await?;
    Ok(row.map_or(0, |r| r.n))
}

/// The documents `d` the session's viewer may see, with their assets `a`: in tenant ?2, the
/// customer's own, or an asset's while a share of it is in force at ?4 (now). The viewer is the
/// session's (the `viewer` CTE of `store::portal_tickets`): ?1 session token hash, ?2 tenant,
/// ?3 portal, ?4 now; a dead or foreign session, or a member of no company, finds nothing. So
/// a page reads them in the session lookup's round trip.
macro_rules! viewer_documents {
    ($($rest:expr),+) => {
        concat!(
            with_viewer!(),
            document_columns!(),
            "WHERE d.tenant_id = ?2 AND (d.customer_id = (SELECT customer_id FROM viewer) OR ",
            share_in_force!("s", "?2", "(SELECT customer_id FROM viewer)", "d.asset_id", "?4"),
            ") ",
            $($rest),+
        )
    };
}

/// What a recipient's list is narrowed to.
#[derive(Default)]
pub struct RecipientFilter<'a> {
    pub asset_key: Option<&'a str>,
    pub category: Option<Category>,
}

/// The documents the viewer may see now, newest first, `limit` after `after`.
pub fn viewer_page(
    scope: PortalScope,
    token_hash: &str,
    now: Timestamp,
    filter: &RecipientFilter<'_>,
    after: Option<(i64, DocumentId)>,
    limit: i64,
) -> Statement {
    let mut params = shared_params(scope, token_hash, now);
    params.extend(params![
        filter.asset_key,
        filter.category.map(Category::code),
        after.map(|(at, _)| at),
        after.map(|(_, id)| id.to_db()),
        limit
    ]);
    Statement::new(
        viewer_documents!(
            "AND (?5 IS NULL OR a.asset_key = ?5) AND (?6 IS NULL OR d.category = ?6)",
            newest_first!("?7", "?8", "?9")
        ),
        params,
    )
}

/// Document `id` if the viewer may see it now; no row for anything else, missing or not.
pub fn viewer_document(scope: PortalScope, token_hash: &str, now: Timestamp, id: DocumentId) -> Statement {
    let mut params = shared_params(scope, token_hash, now);
    params.extend(params![id.to_db()]);
    Statement::new(viewer_documents!("AND d.id = ?5"), params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_a_malformed_one_is_refused() {
        let id = DocumentId::from_random([3; 16]);
        let raw = format!("1700.{}", id.to_db());
        assert_eq!(parse_cursor(&raw), Some((1700, id)));
        for bad in ["", "1700", "x.y", "-1.abc", &format!("-5.{}", id.to_db())] {
            assert_eq!(parse_cursor(bad), None, "{bad}");
        }
    }
}
