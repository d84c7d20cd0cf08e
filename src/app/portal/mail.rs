//! Queueing a portal's emails: composed in the portal's branding and the visitor's
//! language, written to the outbox in the same batch as the change that causes them.

use super::Page;
use crate::domain::email::Email;
use crate::domain::ids::OutboxId;
use crate::email::{compose, Message};
use crate::error::AppError;
use crate::i18n::Language;
use crate::runtime::Runtime;
use crate::store::{outbox, PortalScope, Statement};
use crate::tenancy::PortalContext;

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
        let composed = compose(message, self.portal, self.origin, self.lang);
        let id = OutboxId::from_random(rt.random_16()?);
        let (tenant, portal, now) = (self.scope.tenant, Some(self.scope.portal), rt.now());
        let queued = outbox::enqueue(id, tenant, portal, to, message.kind(), &composed, now);
        Ok(if only_if_changed { outbox::only_if_changed(queued) } else { queued })
    }

    /// The outbox insert for `message` to `to`.
    pub fn queue<R: Runtime>(&self, rt: &R, to: &Email, message: &Message<'_>) -> Result<Statement, AppError> {
        self.statement(rt, to, message, false)
    }
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
