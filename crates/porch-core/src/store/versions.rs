//! Writes guarded by a row's version (schema 0014): the statement names the version it
//! replaces in its own WHERE (`AND version = ?`), so whether it wrote says whether the row
//! was still as the caller read it. The audit entry follows in the same batch and is written
//! only if the guarded statement changed a row.

use super::audit::Change;
use super::{wrote, Database, DbError, Statement};
use porch_types::time::Timestamp;

/// Runs a guarded `write` and its audit entry atomically; false: the row had another
/// version (or was gone) and nothing was written.
pub async fn write_guarded(
    db: &impl Database,
    write: Statement,
    change: &Change<'_>,
    now: Timestamp,
) -> Result<bool, DbError> {
    write_guarded_after(db, Vec::new(), write, change, now).await
}

/// `write_guarded` with statements run first in the same batch: each must carry the same
/// version guard (say, `EXISTS (... AND version = ?)`), so they do nothing when the write
/// will not happen.
pub async fn write_guarded_after(
    db: &impl Database,
    first: Vec<Statement>,
    write: Statement,
    change: &Change<'_>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let index = first.len();
    let mut batch = first;
    batch.extend([write, change.statement_if_changed(now)]);
    Ok(wrote(&db.batch(batch).await?, index))
}
