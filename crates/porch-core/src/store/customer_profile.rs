//! What a customer's profile in the console shows besides the customer, its business units
//! and its own portals (`portals::overview_statement`): its people on every portal, and the
//! equipment shared with it. Statements for one batch of reads; each binds the tenant.

use serde::Deserialize;

use super::Statement;
use crate::params;
use porch_types::ids::{CustomerId, TenantId};

/// At most this many people and shares are listed on a profile (the API lists them all).
pub const PROFILE_LIMIT: i64 = 200;

/// One of the customer's people: an account on a portal.
#[derive(Clone, Debug, Deserialize)]
pub struct ProfilePerson {
    pub name: String,
    pub email: String,
    pub role: String,
    pub portal_name: String,
    pub created_at: i64,
}

pub fn people(tenant: TenantId, customer: CustomerId) -> Statement {
    Statement::new(
        "SELECT a.name, a.email, a.role, p.name AS portal_name, a.created_at
         FROM accounts a JOIN portals p ON p.tenant_id = a.tenant_id AND p.id = a.portal_id
         WHERE a.tenant_id = ?1 AND a.customer_id = ?2
         ORDER BY a.name COLLATE NOCASE, a.email LIMIT ?3",
        params![tenant.to_db(), customer.to_db(), PROFILE_LIMIT],
    )
}

/// An asset shared with the customer, and for when.
#[derive(Clone, Debug, Deserialize)]
pub struct ProfileShare {
    pub asset_key: String,
    pub asset_name: String,
    pub from_at: i64,
    pub until_at: Option<i64>,
}

pub fn shares(tenant: TenantId, customer: CustomerId) -> Statement {
    Statement::new(
        "SELECT a.asset_key, a.name AS asset_name, s.from_at, s.until_at
         FROM asset_shares s JOIN assets a ON a.tenant_id = s.tenant_id AND a.id = s.asset_id
         WHERE s.tenant_id = ?1 AND s.customer_id = ?2
         ORDER BY a.name COLLATE NOCASE, s.from_at LIMIT ?3",
        params![tenant.to_db(), customer.to_db(), PROFILE_LIMIT],
    )
}
