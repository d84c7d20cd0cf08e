//! Queueing a portal's emails: composed in the portal's branding and the visitor's
//! language, written to the outbox in the same batch as the change that causes them. Also
//! what an inbox's notification address is told of customers' tickets.

use super::Page;
use crate::email::{compose, excerpt, Brand, Message};
use crate::i18n::Language;
use crate::portal_context::PortalContext;
use crate::runtime::Runtime;
use crate::store::{outbox, PortalScope, Statement};
use porch_types::email::Email;
use porch_types::error::AppError;
use porch_types::ids::{OutboxId, TicketId};

/// Where an email comes from: the portal (branding, scope) and the origin its links use.
pub struct Sender<'a> {
    pub portal: &'a PortalContext,
    pub scope: PortalScope,
    pub origin: &'a str,
    pub lang: Language,
}

impl Sender<'_> {
    fn statement<R: Runtime>(
        &self,
        rt: &R,
        to: &Email,
        message: &Message<'_>,
        only_if_changed: bool,
    ) -> Result<Statement, AppError> {
        let composed = compose(message, &Brand::of(self.portal), self.origin, self.lang);
        let id = OutboxId::from_random(rt.random_16()?);
        let (tenant, portal, now) = (self.scope.tenant, Some(self.scope.portal), rt.now());
        let queued = outbox::enqueue(id, tenant, portal, to, message.kind(), &composed, now);
        Ok(if only_if_changed { outbox::only_if_changed(queued) } else { queued })
    }

    /// The outbox insert for `message` to `to`.
    pub fn queue<R: Runtime>(&self, rt: &R, to: &Email, message: &Message<'_>) -> Result<Statement, AppError> {
        self.statement(rt, to, message, false)
    }

    /// The outbox insert telling an inbox's notification address `to` of a customer's new
    /// ticket or reply. Its link is the ticket in the admin API on this origin (the API
    /// answers on every host): porch has no agent pages, and the provider's tools know what
    /// to do with it.
    pub fn queue_for_inbox<R: Runtime>(
        &self,
        rt: &R,
        to: &Email,
        notice: &InboxNotice<'_>,
    ) -> Result<Statement, AppError> {
        let (tenant, ticket) = (self.scope.tenant.to_db(), notice.ticket.to_db());
        let link = format!("{}/api/v1/tenants/{tenant}/tickets/{ticket}", self.origin);
        let excerpt = excerpt(notice.body);
        let message = Message::TicketForInbox {
            number: notice.number,
            subject: notice.subject,
            customer: notice.customer,
            requester: notice.requester,
            excerpt: &excerpt,
            link: &link,
            new_ticket: notice.new_ticket,
        };
        self.statement(rt, to, &message, false)
    }
}

/// A customer's new ticket or reply, as an inbox's notification address is told of it.
pub struct InboxNotice<'a> {
    pub ticket: TicketId,
    pub number: i64,
    pub subject: &'a str,
    /// The requester's company, when the ticket has one.
    pub customer: Option<&'a str>,
    /// Who wrote (the requester, or a colleague of theirs who may see the ticket).
    pub requester: &'a str,
    /// The whole message (the ticket's description, or the reply): the email quotes its start.
    pub body: &'a str,
    /// A new ticket (kind `ticket_new`), or a reply to one (`ticket_customer_reply`).
    pub new_ticket: bool,
}

fn sender<'a, R: Runtime>(page: &'a Page<'_, R>, origin: &'a str, lang: Language) -> Sender<'a> {
    Sender { portal: &page.portal.context, scope: page.scope, origin, lang }
}

/// An email from a portal page, in the visitor's language (they asked for it).
pub fn queue<R: Runtime>(page: &Page<'_, R>, to: &Email, message: &Message<'_>) -> Result<Statement, AppError> {
    let origin = page.origin();
    sender(page, &origin, page.lang).statement(page.rt, to, message, false)
}

/// An email to someone with an account here, in the language they chose, written only if
/// the statement before it in the batch changed a row.
pub fn queue_to_account_if_changed<R: Runtime>(
    page: &Page<'_, R>,
    to: &Email,
    lang: Language,
    message: &Message<'_>,
) -> Result<Statement, AppError> {
    let origin = page.origin();
    sender(page, &origin, lang).statement(page.rt, to, message, true)
}

/// An inbox's notice of a customer's ticket or reply made on this page, in the portal's
/// default language: its readers are the provider's people, not the visitor.
pub fn queue_for_inbox<R: Runtime>(
    page: &Page<'_, R>,
    to: &Email,
    notice: &InboxNotice<'_>,
) -> Result<Statement, AppError> {
    let origin = page.origin();
    sender(page, &origin, page.portal.context.default_language).queue_for_inbox(page.rt, to, notice)
}
