//! Attachment rows: which stored object belongs to which message of which ticket. The bytes
//! live in R2 under `r2_key`; a row is written in the same batch as its message.

use super::{Database, DbError, Statement};
use crate::params;
use crate::store::portal_tickets::AttachmentView;
use porch_types::ids::{AttachmentId, MessageId, TenantId, TicketId};
use porch_types::time::Timestamp;

/// A file already stored in R2, to record with its message.
pub struct StoredFile {
    pub id: AttachmentId,
    pub r2_key: String,
    pub filename: String,
    pub content_type: &'static str,
    pub size: i64,
}

pub fn insert(tenant: TenantId, ticket: TicketId, message: MessageId, file: &StoredFile, now: Timestamp) -> Statement {
    Statement::new(
        "INSERT INTO attachments (id, tenant_id, ticket_id, message_id, r2_key, filename, content_type, size, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            file.id.to_db(),
            tenant.to_db(),
            ticket.to_db(),
            message.to_db(),
            file.r2_key.clone(),
            file.filename.clone(),
            file.content_type,
            file.size,
            now.millis()
        ],
    )
}

pub async fn get(
    db: &impl Database,
    tenant: TenantId,
    ticket: TicketId,
    id: AttachmentId,
) -> Result<Option<AttachmentView>, DbError> {
    db.query_one(Statement::new(
        "SELECT id, message_id, filename, content_type, size, r2_key FROM attachments
         WHERE tenant_id = ?1 AND ticket_id = ?2 AND id = ?3",
        params![tenant.to_db(), ticket.to_db(), id.to_db()],
    ))
    .await
}
