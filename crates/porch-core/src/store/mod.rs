//! Storage: the `Database` trait (D1 on the edge, `SQLite` natively) and the units of work,
//! one module per resource. SQL text lives here once and is shared by both databases.
//! Every tenant-scoped function takes the tenant id first and every query binds it.

pub mod accounts;
pub mod attachments;
pub mod audit;
pub mod customer_profile;
pub mod customers;
pub mod documents;
pub mod domains;
pub mod equipment;
pub mod fleet_activity;
pub mod housekeeping;
pub mod inboxes;
pub mod invitations;
pub mod keys;
pub mod outbox;
pub mod person_data;
pub mod pipelines;
pub mod portal_context;
pub mod portal_tickets;
pub mod portals;
pub mod previews;
pub mod queue;
pub mod rate_limits;
pub mod registration_list;
pub mod registrations;
pub mod reset_tokens;
pub mod sessions;
pub mod sso;
pub mod sso_sp_keys;
pub mod staff;
pub mod staff_members;
pub mod staff_sso;
pub mod templates;
pub mod tenant_erasure;
pub mod tenant_export;
pub mod tenant_tables;
pub mod tenants;
pub mod themes;
pub mod ticket_properties;
pub mod tickets;
pub mod versions;
pub mod webhooks;

use serde::de::DeserializeOwned;

use porch_types::error::AppError;

pub use porch_types::ids::PortalScope;

/// A bound parameter. Integers stay below 2^53 (milliseconds, counters) because D1 passes
/// numbers through JavaScript.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::Text(text.to_owned())
    }
}
impl From<String> for Value {
    fn from(text: String) -> Value {
        Value::Text(text)
    }
}
impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Int(n)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Int(i64::from(b))
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(option: Option<T>) -> Value {
        option.map_or(Value::Null, Into::into)
    }
}

/// One SQL statement with its parameters (`?1`, `?2`, ...). The text is `'static` so
/// nothing user-supplied can ever become SQL.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub sql: &'static str,
    pub params: Vec<Value>,
}

impl Statement {
    pub fn new(sql: &'static str, params: Vec<Value>) -> Statement {
        Statement { sql, params }
    }
}

/// `params![a, b, c]` builds a `Vec<Value>` from anything convertible.
#[macro_export]
macro_rules! params {
    ($($value:expr),* $(,)?) => { vec![$($crate::store::Value::from($value)),*] };
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DbError {
    /// A UNIQUE, FOREIGN KEY or CHECK constraint refused the write.
    #[error("constraint: {0}")]
    Constraint(String),
    #[error("database: {0}")]
    Other(String),
}

impl DbError {
    /// Classifies a driver message: both `SQLite` and D1 report "... constraint failed".
    pub fn from_message(message: String) -> DbError {
        if message.contains("constraint failed") {
            DbError::Constraint(message)
        } else {
            DbError::Other(message)
        }
    }
}

impl From<DbError> for AppError {
    fn from(err: DbError) -> AppError {
        match err {
            DbError::Constraint(detail) if detail.contains("UNIQUE") => {
                AppError::Conflict("a record with that name or address already exists".into())
            }
            DbError::Constraint(detail) if detail.contains("FOREIGN KEY") => {
                AppError::Conflict("the record is still in use, or refers to one that does not exist".into())
            }
            DbError::Constraint(detail) | DbError::Other(detail) => AppError::Internal(detail),
        }
    }
}

/// Whether statement `index` of a batch wrote anything. Never compare with 1: D1 counts the
/// rows an `ON DELETE CASCADE` removed along with the statement's own (deleting an account
/// with two sessions reports 3), while `SQLite`'s count in tests does not.
pub fn wrote(changed: &[u64], index: usize) -> bool {
    changed.get(index).is_some_and(|n| *n > 0)
}

/// Runs one write and its audit entry as one atomic unit. The entry is written only if the
/// write changed a row, so a guarded write that found nothing to do (a key already revoked,
/// a row deleted a moment before) leaves no record of a change that did not happen.
pub async fn write_audited(
    db: &impl Database,
    write: Statement,
    change: &audit::Change<'_>,
    now: porch_types::time::Timestamp,
) -> Result<(), DbError> {
    db.batch(vec![write, change.statement_if_changed(now)]).await.map(drop)
}

/// `write_audited` with statements run first in the same batch (say, clearing references
/// to a row about to be deleted). They come first because the audit entry asks whether the
/// statement just before it wrote: that must be `write`.
pub async fn write_audited_after(
    db: &impl Database,
    first: Vec<Statement>,
    write: Statement,
    change: &audit::Change<'_>,
    now: porch_types::time::Timestamp,
) -> Result<(), DbError> {
    let mut batch = first;
    batch.extend([write, change.statement_if_changed(now)]);
    db.batch(batch).await.map(drop)
}

/// `write_audited` with statements run after the audit entry in the same batch: rows that
/// need `write`'s row to exist (a foreign key to it), written all or nothing with it.
pub async fn write_audited_then(
    db: &impl Database,
    write: Statement,
    change: &audit::Change<'_>,
    then: Vec<Statement>,
    now: porch_types::time::Timestamp,
) -> Result<(), DbError> {
    let mut batch = vec![write, change.statement_if_changed(now)];
    batch.extend(then);
    db.batch(batch).await.map(drop)
}

/// The rows of one statement of a `read_batch`, deserialised.
pub fn decode_rows<T: DeserializeOwned>(rows: Option<Vec<serde_json::Value>>) -> Result<Vec<T>, DbError> {
    rows.unwrap_or_default()
        .into_iter()
        .map(|row| serde_json::from_value(row).map_err(|e| DbError::Other(format!("row shape: {e}"))))
        .collect()
}

#[allow(async_fn_in_trait)]
pub trait Database {
    /// Rows of a query, each deserialised from a column-name map.
    async fn query<T: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<T>, DbError>;

    /// Runs the statements atomically (D1 `batch`, a `SQLite` transaction): all or nothing.
    /// Returns the number of rows each statement changed.
    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<u64>, DbError>;

    /// Several reads in one round trip (D1 `batch`): each statement's rows as JSON objects,
    /// for the caller to deserialise. A page that needs the session and its data this way
    /// costs one trip to the database instead of two.
    async fn read_batch(&self, statements: Vec<Statement>) -> Result<Vec<Vec<serde_json::Value>>, DbError>;

    async fn query_one<T: DeserializeOwned>(&self, statement: Statement) -> Result<Option<T>, DbError> {
        Ok(self.query(statement).await?.into_iter().next())
    }

    async fn execute(&self, statement: Statement) -> Result<u64, DbError> {
        Ok(self.batch(vec![statement]).await?.into_iter().next().unwrap_or(0))
    }
}
