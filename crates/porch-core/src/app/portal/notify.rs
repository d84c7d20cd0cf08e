//! What the provider hears when a customer writes in the portal: a signed webhook event for
//! their help desk and an email to the ticket's inbox address. Both are statements for the
//! batch that stores what the customer wrote, so the write and its notices happen together.

use serde_json::json;

use super::mail::{self, InboxNotice};
use super::Page;
use crate::runtime::Runtime;
use crate::store::attachments::StoredFile;
use crate::store::{customers, inboxes, webhooks as queued_webhooks, Statement};
use crate::webhooks::{self, WebhookEvent};
use porch_types::email::Email;
use porch_types::error::AppError;
use porch_types::ids::{CustomerId, InboxId, TicketId};

/// The ticket a notice is about, as the provider's side identifies it.
pub struct TicketRef<'a> {
    pub id: &'a str,
    pub number: i64,
    pub subject: &'a str,
    pub customer_id: Option<&'a str>,
    pub inbox_id: Option<&'a str>,
    /// The requester's account id and name, if the ticket has one (an organisation member may
    /// write on a colleague's ticket: the writer is the `author`, not the requester).
    pub requester: Option<(String, &'a str)>,
}

/// What the customer wrote.
pub struct Written<'a> {
    pub message_id: &'a str,
    pub body: &'a str,
    pub files: &'a [StoredFile],
}

/// The ticket, and who wrote (the signed-in person, with their email for the help desk).
fn ticket_json<R: Runtime>(page: &Page<'_, R>, ticket: &TicketRef<'_>) -> (serde_json::Value, serde_json::Value) {
    let member = page.visitor.member();
    let about = json!({
        "id": ticket.id,
        "number": ticket.number,
        "subject": ticket.subject,
        "customer_id": ticket.customer_id,
        "inbox_id": ticket.inbox_id,
        "portal_id": page.scope.portal.to_db(),
        "requester": ticket.requester.as_ref().map(|(id, name)| json!({ "account_id": id, "name": name })),
    });
    let author = json!(member.map(|m| json!({
        "account_id": m.account.map(porch_types::ids::AccountId::to_db), "name": m.name, "email": m.email,
    })));
    (about, author)
}

/// A new ticket (`new_ticket`) or a reply from the signed-in customer: the webhook event, and
/// an email to the ticket's inbox when the inbox has a notification address.
pub async fn customer_wrote<R: Runtime>(
    page: &Page<'_, R>,
    ticket: &TicketRef<'_>,
    written: &Written<'_>,
    new_ticket: bool,
) -> Result<Vec<Statement>, AppError> {
    let files: Vec<serde_json::Value> = written
        .files
        .iter()
        .map(|f| json!({ "id": f.id.to_db(), "filename": f.filename, "content_type": f.content_type, "size": f.size }))
        .collect();
    let (about, author) = ticket_json(page, ticket);
    let data = json!({
        "ticket": about,
        "message": { "id": written.message_id, "author": author, "body": written.body, "attachments": files },
    });
    let event = if new_ticket { WebhookEvent::TicketCreated } else { WebhookEvent::TicketReplied };
    let hook = webhooks::event(page.rt, page.scope.tenant, event, &data)
        .map_err(|e| AppError::Internal(format!("webhook event id: {e}")))?;
    let mut statements = vec![hook];
    if let Some(email) = inbox_email(page, ticket, written, new_ticket).await? {
        statements.push(email);
    }
    Ok(statements)
}

/// The inbox's notice, if the ticket is in an inbox with a notification address.
async fn inbox_email<R: Runtime>(
    page: &Page<'_, R>,
    ticket: &TicketRef<'_>,
    written: &Written<'_>,
    new_ticket: bool,
) -> Result<Option<Statement>, AppError> {
    let tenant = page.scope.tenant;
    let Some(inbox) = ticket.inbox_id.and_then(InboxId::parse) else {
        return Ok(None);
    };
    let address = inboxes::get(page.rt.db(), tenant, inbox).await?.and_then(|row| row.notify_email);
    let (Some(to), Some(id)) = (address.as_deref().and_then(|a| Email::parse(a).ok()), TicketId::parse(ticket.id))
    else {
        return Ok(None);
    };
    let customer = match ticket.customer_id.and_then(CustomerId::parse) {
        Some(customer) => customers::get(page.rt.db(), tenant, customer).await?.map(|c| c.name),
        None => None,
    };
    let requester = page.visitor.member().map_or("", |m| m.name.as_str());
    let notice = InboxNotice {
        ticket: id,
        number: ticket.number,
        subject: ticket.subject,
        customer: customer.as_deref(),
        requester,
        body: written.body,
        new_ticket,
    };
    mail::queue_for_inbox(page, &to, &notice).map(Some)
}

/// A rating, queued only if the rating statement just before it in the batch was new.
pub fn customer_rated<R: Runtime>(
    page: &Page<'_, R>,
    ticket: &TicketRef<'_>,
    thread: i64,
    score: i64,
    comment: &str,
) -> Result<Statement, AppError> {
    let (about, author) = ticket_json(page, ticket);
    let data = json!({
        "ticket": about,
        "rating": { "thread": thread, "score": score, "comment": comment, "author": author },
    });
    let hook = webhooks::event(page.rt, page.scope.tenant, WebhookEvent::TicketRated, &data)
        .map_err(|e| AppError::Internal(format!("webhook event id: {e}")))?;
    Ok(queued_webhooks::only_if_changed(hook))
}
