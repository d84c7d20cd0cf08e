//! What the agent side's ticket changes tell the ticket's requester: a public reply, and a
//! move into a stage that notifies. Each email is a statement for the change's own batch,
//! composed in the requester's portal's branding and the requester's language.

use super::recipients::{public_portal, PublicPortal};
use super::Call;
use crate::app::portal::mail::Sender;
use crate::email::{excerpt, Message};
use crate::i18n::Language;
use crate::runtime::Runtime;
use crate::store::tickets::{NewMessage, TicketRow};
use crate::store::{accounts, outbox, pipelines, portals, PortalScope, Statement};
use porch_types::apps::App;
use porch_types::email::Email;
use porch_types::error::AppError;
use porch_types::ids::{AccountId, PipelineId, PortalId, StageId, TenantId, TicketId};

/// A ticket's requester as an email reaches them.
struct Requester {
    scope: PortalScope,
    to: Email,
    lang: Language,
    public: PublicPortal,
    /// The ticket's page on their portal; signing in first comes back to it (`return_to`).
    link: String,
}

impl Requester {
    /// None when there is no one to tell: the ticket has no requester, their account or
    /// portal is gone, the portal is disabled, offers no ticket pages or its rules hide the
    /// ticket (the link would lead nowhere). None of these
    /// is a reason to refuse the agent's change.
    async fn of<R: Runtime>(
        call: &Call<'_, R>,
        tenant: TenantId,
        ticket: &TicketRow,
    ) -> Result<Option<Requester>, AppError> {
        let portal = ticket.portal_id.as_deref().and_then(PortalId::parse);
        let account = ticket.requester_account_id.as_deref().and_then(AccountId::parse);
        let (Some(portal), Some(account)) = (portal, account) else {
            return Ok(None);
        };
        let scope = PortalScope { tenant, portal };
        let Some(account) = accounts::get(call.rt.db(), scope, account).await? else {
            return Ok(None);
        };
        let Some(row) = portals::get(call.rt.db(), tenant, portal).await? else {
            return Ok(None);
        };
        let Ok(to) = Email::parse(&account.email) else {
            call.rt.log(&format!("account {} has an unusable email address; not emailed", account.id));
            return Ok(None);
        };
        let public = public_portal(call, scope, &row).await?;
        let rules = &public.resolved.context.tickets.rules;
        let shown =
            rules.admits(&ticket.pipeline_id, ticket.inbox_id.as_deref(), ticket.priority, &ticket.properties());
        // A portal without the ticket pages would answer the email's link with a 404.
        let has_pages = public.resolved.context.apps.contains(App::Tickets);
        if !public.resolved.context.enabled || !shown || !has_pages {
            return Ok(None);
        }
        let link = format!("{}/tickets/{}", public.origin, ticket.number);
        Ok(Some(Requester { scope, to, lang: account.language, public, link }))
    }

    fn queue<R: Runtime>(&self, rt: &R, message: &Message<'_>) -> Result<Statement, AppError> {
        let sender = Sender {
            portal: &self.public.resolved.context,
            scope: self.scope,
            origin: &self.public.origin,
            lang: self.lang,
        };
        sender.queue(rt, &self.to, message)
    }
}

/// The email an agent's message sends: a public reply goes to the requester; an internal
/// note never leaves the provider.
pub(super) async fn for_message<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    ticket: &TicketRow,
    message: &NewMessage<'_>,
) -> Result<Vec<Statement>, AppError> {
    if message.internal {
        return Ok(Vec::new());
    }
    let Some(requester) = Requester::of(call, tenant, ticket).await? else {
        return Ok(Vec::new());
    };
    let excerpt = excerpt(message.body);
    let reply = Message::TicketReply {
        number: ticket.number,
        subject: &ticket.subject,
        author: message.author_name,
        excerpt: &excerpt,
        link: &requester.link,
    };
    Ok(vec![requester.queue(call.rt, &reply)?])
}

/// The email a move into a new stage sends the requester, when the stage says to and the
/// ticket is not in it already. `after` is the ticket as the change leaves it: the portal's
/// rules are checked against it (a move into a pipeline the portal hides tells no one). Run
/// it before the move in the batch: its condition reads the ticket as it was, so saving the
/// same stage again, or a second agent making the same move at the same moment, sends nothing.
pub(super) async fn for_move<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    before: &TicketRow,
    after: &TicketRow,
) -> Result<Vec<Statement>, AppError> {
    let (Some(pipeline), Some(stage)) = (PipelineId::parse(&after.pipeline_id), StageId::parse(&after.stage_id)) else {
        return Ok(Vec::new());
    };
    if before.stage_id == after.stage_id {
        return Ok(Vec::new());
    }
    let stages = pipelines::stages(call.rt.db(), tenant, Some(pipeline)).await?;
    let Some(target) = stages.iter().find(|s| s.id == stage.to_db() && s.notify_requester != 0) else {
        return Ok(Vec::new());
    };
    let (Some(requester), Some(id)) = (Requester::of(call, tenant, after).await?, TicketId::parse(&after.id)) else {
        return Ok(Vec::new());
    };
    // The status as the portal shows it: a portal showing only open/closed never shows the
    // provider's stage names, and its emails do not either.
    let display = requester.public.resolved.context.tickets.status_display;
    let status = crate::i18n::status_label(display, requester.lang, &target.name, target.is_closed != 0);
    let moved =
        Message::TicketStage { number: after.number, subject: &after.subject, stage: status, link: &requester.link };
    Ok(vec![outbox::only_if_ticket_not_in(requester.queue(call.rt, &moved)?, id, stage, before.version)])
}
