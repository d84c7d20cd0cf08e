//! Every table that holds a tenant's rows, once: in the order erasure removes them (rows
//! that refer to others first, the tenant itself last), with what each row keeps outside
//! D1 (R2 objects, hostnames, cached SSO documents) and the columns an export leaves out.
//! Erasure and export both read this list, so a table cannot be erased but not exported.
//!
//! Tables with no tenant column are reasoned about here rather than listed:
//! `ticket_search` (and its FTS5 shadow tables) loses a ticket's rows by trigger when the
//! ticket goes; `rate_limits` keys its buckets by portal id and is swept with each portal
//! (`delete_rate_limits_of`: a portal's and the tenant's own); `tenant_deletions` is the record of the erasure itself.

use super::{Database, DbError, Statement, Value};
use crate::params;
use porch_types::ids::TenantId;

/// What a row keeps outside D1, that must go before the row does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outside {
    Nothing,
    /// R2 objects named by the row's columns `objects`.
    Objects,
    /// A theme: its logos (`objects`) and anything else under `themes/<id>/`, such as a
    /// replaced logo whose removal failed.
    Theme,
    /// A custom hostname (`hostname`): its KV entry and its Cloudflare for `SaaS` registration.
    Hostname,
    /// A portal: its platform subdomain's KV entry (`slug`) and its rate-limit buckets (`id`).
    Portal,
    /// An SSO connection: the KV copies of its provider's documents (`id`, `updated_at`).
    SsoConnection,
    /// The tenant itself: its own rate-limit buckets (`id`), such as its invitations' budget.
    Tenant,
}

/// One table of a tenant's data.
#[derive(Debug)]
pub struct TenantTable {
    pub name: &'static str,
    /// A page of the tenant's rows after a cursor: `?1` tenant, `?2` cursor (a JSON array
    /// from `_cursor`, or NULL for the first page), `?3` limit. Every column, plus `_cursor`.
    pub page: &'static str,
    /// Deletes the tenant's rows whose `_cursor` is in `?2` (a JSON array of cursors).
    pub delete: &'static str,
    pub outside: Outside,
    /// Columns holding R2 object keys.
    pub objects: &'static [&'static str],
    /// Columns an export leaves out: hashes of keys, tokens and passwords, sealed secrets,
    /// signing secrets, PKCE verifiers and nonces, email bodies. Never exported, whoever asks.
    pub secret: &'static [&'static str],
}

/// A table keyed by rowid, its tenant in column `$col`.
macro_rules! rowid_table {
    ($name:literal, $col:literal, $outside:ident, [$($object:literal),*], [$($secret:literal),*]) => {
        TenantTable {
            name: $name,
            page: concat!(
                "SELECT json_array(rowid) AS _cursor, * FROM ", $name, " WHERE ", $col,
                " = ?1 AND rowid > coalesce(json_extract(?2, '$[0]'), -1) ORDER BY rowid LIMIT ?3"
            ),
            delete: concat!(
                "DELETE FROM ", $name, " WHERE ", $col,
                " = ?1 AND rowid IN (SELECT json_extract(value, '$[0]') FROM json_each(?2))"
            ),
            outside: Outside::$outside,
            objects: &[$($object),*],
            secret: &[$($secret),*],
        }
    };
}

/// In erasure order: each table before any table its rows refer to.
pub const TABLES: &[TenantTable] = &[
    rowid_table!("sessions", "tenant_id", Nothing, [], ["token_hash"]),
    rowid_table!("sso_links", "tenant_id", Nothing, [], []),
    rowid_table!("reset_tokens", "tenant_id", Nothing, [], ["token_hash"]),
    rowid_table!("previews", "tenant_id", Nothing, [], ["token_hash"]),
    rowid_table!("sso_requests", "tenant_id", Nothing, [], ["browser_hash", "nonce", "code_verifier"]),
    rowid_table!("sso_domains", "tenant_id", Nothing, [], []),
    rowid_table!("sso_customer_values", "tenant_id", Nothing, [], []),
    rowid_table!("sso_replay", "tenant_id", Nothing, [], []),
    rowid_table!("sso_events", "tenant_id", Nothing, [], []),
    rowid_table!("sso_sp_keys", "tenant_id", Nothing, [], ["sealed_private_key"]),
    rowid_table!("sso_connections", "tenant_id", SsoConnection, [], ["sealed_secret"]),
    rowid_table!("registrations", "tenant_id", Nothing, [], ["token_hash"]),
    rowid_table!("registration_list", "tenant_id", Nothing, [], []),
    rowid_table!("invitations", "tenant_id", Nothing, [], ["token_hash"]),
    rowid_table!("ticket_ratings", "tenant_id", Nothing, [], []),
    rowid_table!("attachments", "tenant_id", Objects, ["r2_key"], []),
    rowid_table!("messages", "tenant_id", Nothing, [], []),
    rowid_table!("tickets", "tenant_id", Nothing, [], []),
    rowid_table!("ticket_counters", "tenant_id", Nothing, [], []),
    rowid_table!("accounts", "tenant_id", Nothing, [], ["password_hash"]),
    rowid_table!("portal_apps", "tenant_id", Nothing, [], []),
    rowid_table!("domains", "tenant_id", Hostname, [], []),
    // Email bodies carry one-time sign-in, invitation and reset links (the emails API never
    // shows them either).
    rowid_table!("outbox", "tenant_id", Nothing, [], ["text_body", "html_body"]),
    rowid_table!("webhook_deliveries", "tenant_id", Nothing, [], []),
    rowid_table!("webhooks", "tenant_id", Nothing, [], ["secret"]),
    rowid_table!("documents", "tenant_id", Objects, ["r2_key"], []),
    // WITHOUT ROWID: paged by its primary key, reached through the tenant's assets (its key
    // starts with the asset, so each page is an index range, not a scan of every tenant's).
    TenantTable {
        name: "asset_activity",
        page: "SELECT json_array(asset_id, at, event_id) AS _cursor, * FROM asset_activity
               WHERE asset_id IN (SELECT id FROM assets WHERE tenant_id = ?1) AND tenant_id = ?1
                 AND (asset_id, at, event_id) > (coalesce(json_extract(?2, '$[0]'), ''),
                      coalesce(json_extract(?2, '$[1]'), 0), coalesce(json_extract(?2, '$[2]'), ''))
               ORDER BY asset_id, at, event_id LIMIT ?3",
        delete: "DELETE FROM asset_activity WHERE tenant_id = ?1 AND (asset_id, at, event_id) IN
                 (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
                  FROM json_each(?2))",
        outside: Outside::Nothing,
        objects: &[],
        secret: &[],
    },
    rowid_table!("asset_rollups", "tenant_id", Nothing, [], []),
    rowid_table!("asset_rollup_zones", "tenant_id", Nothing, [], []),
    rowid_table!("asset_shares", "tenant_id", Nothing, [], []),
    rowid_table!("assets", "tenant_id", Objects, ["photo_key"], []),
    rowid_table!("portals", "tenant_id", Portal, [], []),
    rowid_table!("template_versions", "tenant_id", Nothing, [], []),
    rowid_table!("templates", "tenant_id", Nothing, [], []),
    rowid_table!("themes", "tenant_id", Theme, ["logo_small_key", "logo_large_key"], []),
    rowid_table!("stages", "tenant_id", Nothing, [], []),
    rowid_table!("pipelines", "tenant_id", Nothing, [], []),
    rowid_table!("inboxes", "tenant_id", Nothing, [], []),
    rowid_table!("ticket_properties", "tenant_id", Nothing, [], []),
    rowid_table!("business_units", "tenant_id", Nothing, [], []),
    rowid_table!("customers", "tenant_id", Nothing, [], []),
    rowid_table!("tenant_plan_apps", "tenant_id", Nothing, [], []),
    rowid_table!("tenant_export_parts", "tenant_id", Nothing, [], []),
    rowid_table!("tenant_exports", "tenant_id", Nothing, [], []),
    rowid_table!("api_keys", "tenant_id", Nothing, [], ["secret_hash"]),
    // The tenant's own provider for its staff: sign-ins under way, its domains, then the
    // connection (its provider's documents cached under its id, as a portal connection's).
    rowid_table!("staff_sso_requests", "tenant_id", Nothing, [], ["browser_hash", "nonce", "code_verifier"]),
    rowid_table!("staff_sso_domains", "tenant_id", Nothing, [], []),
    rowid_table!("staff_sso", "tenant_id", SsoConnection, [], ["sealed_secret"]),
    // Invitations to join the tenant's staff; the link's hash is no one's to export.
    rowid_table!("staff_invitations", "tenant_id", Nothing, [], ["token_hash"]),
    // A tenant's console staff; their sessions and recovery codes go with them (ON DELETE
    // CASCADE) and hold no tenant column of their own.
    rowid_table!("staff", "tenant_id", Nothing, [], ["password_hash", "totp_secret"]),
    rowid_table!("audit_log", "tenant_id", Nothing, [], []),
    rowid_table!("tenants", "id", Tenant, [], []),
];

/// Deletes the rate-limit buckets of a portal or a tenant (`<id>:<what>[:<who>]`): a range on
/// the primary key, so no other's bucket can match.
pub fn delete_rate_limits_of(owner: &str) -> Statement {
    Statement::new("DELETE FROM rate_limits WHERE bucket > ?1 || ':' AND bucket < ?1 || ';'", params![owner])
}

/// Up to `limit` of the tenant's rows of `table` after `cursor`, each a JSON object with its
/// `_cursor`.
pub async fn page(
    db: &impl Database,
    tenant: TenantId,
    table: &TenantTable,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Vec<serde_json::Map<String, serde_json::Value>>, DbError> {
    db.query(Statement::new(table.page, params![tenant.to_db(), cursor, limit])).await
}

/// The statement deleting the rows of `table` whose cursors are given.
pub fn delete_rows(tenant: TenantId, table: &TenantTable, cursors: &[serde_json::Value]) -> Statement {
    let list = serde_json::Value::Array(cursors.to_vec()).to_string();
    Statement::new(table.delete, vec![Value::from(tenant.to_db()), Value::Text(list)])
}

/// A row's cursor as stored: the JSON text `page` expects back.
pub fn cursor_of(row: &serde_json::Map<String, serde_json::Value>) -> Option<serde_json::Value> {
    match row.get("_cursor") {
        // D1 and SQLite both hand json_array(...) back as text.
        Some(serde_json::Value::String(text)) => serde_json::from_str(text).ok(),
        _ => None,
    }
}
