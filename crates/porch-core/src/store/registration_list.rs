//! Registration lists: the emails and email domains that may register on a portal whose
//! join policy is "lists", each with the customer such a person joins as.

use serde::Deserialize;

use super::{Database, DbError, PortalScope, Statement};
use crate::params;
use porch_types::email::Email;
use porch_types::ids::{CustomerId, ListEntryId};
use porch_types::time::Timestamp;

#[derive(Clone, Debug, Deserialize)]
pub struct EntryRow {
    pub id: String,
    pub kind: String,
    pub value: String,
    pub customer_id: Option<String>,
    pub created_at: i64,
}

/// One entry: a single address or a whole domain.
pub enum Listed<'a> {
    Email(&'a Email),
    Domain(&'a porch_types::email::EmailDomain),
}

pub fn insert(
    scope: PortalScope,
    id: ListEntryId,
    listed: &Listed<'_>,
    customer: Option<CustomerId>,
    now: Timestamp,
) -> Statement {
    let (kind, value) = match listed {
        Listed::Email(email) => ("email", email.as_str()),
        Listed::Domain(domain) => ("domain", domain.as_str()),
    };
    Statement::new(
        "INSERT INTO registration_list (id, tenant_id, portal_id, kind, value, customer_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id.to_db(),
            scope.tenant.to_db(),
            scope.portal.to_db(),
            kind,
            value,
            customer.map(CustomerId::to_db),
            now.millis()
        ],
    )
}

pub async fn list(db: &impl Database, scope: PortalScope) -> Result<Vec<EntryRow>, DbError> {
    db.query(list_statement(scope)).await
}

/// `list`'s statement, for a batch of reads.
pub fn list_statement(scope: PortalScope) -> Statement {
    Statement::new(
        "SELECT id, kind, value, customer_id, created_at FROM registration_list
         WHERE tenant_id = ?1 AND portal_id = ?2 ORDER BY kind, value",
        params![scope.tenant.to_db(), scope.portal.to_db()],
    )
}

pub async fn get(db: &impl Database, scope: PortalScope, id: ListEntryId) -> Result<Option<EntryRow>, DbError> {
    db.query_one(Statement::new(
        "SELECT id, kind, value, customer_id, created_at FROM registration_list
         WHERE tenant_id = ?1 AND portal_id = ?2 AND id = ?3",
        params![scope.tenant.to_db(), scope.portal.to_db(), id.to_db()],
    ))
    .await
}

pub fn delete(scope: PortalScope, id: ListEntryId) -> Statement {
    Statement::new(
        "DELETE FROM registration_list WHERE tenant_id = ?1 AND portal_id = ?2 AND id = ?3",
        params![scope.tenant.to_db(), scope.portal.to_db(), id.to_db()],
    )
}

/// The entry that lets `email` register, if any: the address itself wins over its domain.
pub async fn entry_for(db: &impl Database, scope: PortalScope, email: &Email) -> Result<Option<EntryRow>, DbError> {
    db.query_one(Statement::new(
        "SELECT id, kind, value, customer_id, created_at FROM registration_list
         WHERE tenant_id = ?1 AND portal_id = ?2
           AND ((kind = 'email' AND value = ?3) OR (kind = 'domain' AND value = ?4))
         ORDER BY kind = 'email' DESC LIMIT 1",
        params![scope.tenant.to_db(), scope.portal.to_db(), email.as_str(), email.domain()],
    ))
    .await
}
