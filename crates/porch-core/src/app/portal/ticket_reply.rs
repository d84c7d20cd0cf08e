//! A recipient writes on a ticket: a reply with attachments (reopening a closed ticket, or
//! refused, as the portal says), and the satisfaction rating after close. Each is one atomic
//! batch with its notifications to the provider, so nothing a customer writes is lost.

use super::forms::{rate_limit, Form};
use super::notify::{customer_rated, customer_wrote, TicketRef, Written};
use super::tickets::{parse_number, render, ticket_data};
use super::Page;
use crate::app::files;
use crate::http::Response;
use crate::i18n::Translations as _;
use crate::runtime::Runtime;
use crate::store::attachments;
use crate::store::audit::Actor;
use crate::store::portal_tickets::TicketView;
use crate::store::tickets::{self, NewMessage, Placement};
use crate::store::{pipelines, portal_tickets, Database};
use crate::views::form::Problems;
use crate::views::tickets::{file_problem, Feedback};
use porch_types::error::AppError;
use porch_types::ids::{AccountId, InboxId, MessageId, PipelineId, TenantId, TicketId};
use porch_types::portal_tickets::ClosedReplies;
use porch_types::tickets::parse_body;

/// Replies one person may post per hour: far above any conversation, low enough that a
/// script cannot fill R2 and the inbox.
const REPLIES_PER_HOUR: i64 = 60;

/// The longest rating comment.
const MAX_COMMENT_CHARS: usize = 1_000;

/// The person writing: a member with an account (previews never reach here: they post nothing).
fn writer<R: Runtime>(page: &Page<'_, R>) -> Result<AccountId, AppError> {
    page.require_member()?.account.ok_or(AppError::Forbidden)
}

pub async fn reply<R: Runtime>(page: &Page<'_, R>, number: &str) -> Result<Response, AppError> {
    let account = writer(page)?;
    let number = parse_number(number)?;
    let form = Form::read(page)?;
    let data = ticket_data(page, number).await?;
    rate_limit(page, &format!("ticket-reply:account:{account}"), REPLIES_PER_HOUR, 3600).await?;
    let t = page.lang.tickets();
    let settings = &page.portal.context.tickets;
    let closed = data.ticket.is_closed != 0;
    if closed && settings.closed_replies == ClosedReplies::Refuse {
        let feedback = Feedback { problems: Problems::general(t.closed_no_replies), ..Feedback::default() };
        return render(page, 409, &data, &feedback);
    }
    let mut errors = Problems::default();
    let body = parse_body(form.text("body")).map_err(|e| errors.add("body", format!("{}: {e}", t.reply_label))).ok();
    let files = files::check(form.files(), &page.req.set_aside).unwrap_or_else(|file_errors| {
        for problem in &file_errors {
            errors.add("files", file_problem(page.lang, problem));
        }
        Vec::new()
    });
    let Some(body) = body.filter(|_| errors.is_empty()) else {
        let feedback = Feedback { problems: errors, reply_text: form.text("body").to_owned(), ..Feedback::default() };
        return render(page, 422, &data, &feedback);
    };
    // A reply to a closed ticket (allowed here) moves it back to its pipeline's first open stage.
    let reopen_to = match PipelineId::parse(&data.ticket.pipeline_id) {
        Some(pipeline) if closed => pipelines::first_open_stage(page.rt.db(), page.scope.tenant, pipeline).await?,
        _ => None,
    };
    // A ticket in no inbox (one an agent made through the API without one, a phone call's)
    // goes to the portal's inbox with the reply, so someone there hears of it and answers.
    let inbox_if_none = match data.ticket.inbox_id {
        None => settings.inbox_id.as_deref().and_then(InboxId::parse),
        Some(_) => None,
    };
    let tenant = page.scope.tenant;
    let ticket = TicketId::parse(&data.ticket.id).ok_or_else(|| AppError::Internal("stored ticket id".into()))?;
    let member = page.require_member()?;
    let message = NewMessage {
        id: MessageId::from_random(page.rt.random_16()?),
        internal: false,
        author_kind: "recipient",
        author_id: account.to_db(),
        author_name: &member.name,
        body: &body,
    };
    let now = page.rt.now();
    let stored = files::store(page.rt, tenant, &files).await?;
    let recorded: Result<(), AppError> = async {
        let placement = Placement { new_thread: false, reopen_to, inbox_if_none };
        let mut statements =
            tickets::message_statements(tenant, &data.ticket.id, &message, placement, &Actor::Account(account), now);
        statements.extend(stored.iter().map(|file| attachments::insert(tenant, ticket, message.id, file, now)));
        let written = Written { message_id: &message.id.to_db(), body: &body, files: &stored };
        let inbox = inbox_if_none.map(InboxId::to_db);
        let about =
            TicketRef { inbox_id: inbox.as_deref().or(data.ticket.inbox_id.as_deref()), ..ticket_ref(&data.ticket) };
        statements.extend(customer_wrote(page, &about, &written, false).await?);
        page.rt.db().batch(statements).await?;
        Ok(())
    }
    .await;
    files::kept_if_written(page.rt, &stored, recorded).await?;
    Ok(Response::see_other(&format!("/tickets/{number}#m-{}", message.id.to_db())))
}

fn ticket_ref(ticket: &TicketView) -> TicketRef<'_> {
    TicketRef {
        id: &ticket.id,
        number: ticket.number,
        subject: &ticket.subject,
        customer_id: ticket.customer_id.as_deref(),
        inbox_id: ticket.inbox_id.as_deref(),
        requester: ticket.requester_account_id.clone().map(|id| (id, ticket.requester_name.as_deref().unwrap_or(""))),
    }
}

/// A score of 1 to 5 from the rating form.
fn parse_score(raw: &str) -> Option<i64> {
    raw.trim().parse::<i64>().ok().filter(|score| (1..=5).contains(score))
}

pub async fn rate<R: Runtime>(page: &Page<'_, R>, number: &str) -> Result<Response, AppError> {
    let account = writer(page)?;
    let number = parse_number(number)?;
    let form = Form::read(page)?;
    let data = ticket_data(page, number).await?;
    // Only the requester rates, only once the ticket is closed, only where the portal asks.
    let is_requester = data.ticket.requester_account_id.as_deref() == Some(account.to_db().as_str());
    if data.ticket.is_closed == 0 || !page.portal.context.tickets.satisfaction || !is_requester {
        return Err(AppError::Forbidden);
    }
    // Counted as the textarea's `maxlength` counts: a line break is one character.
    let comment = form.text("comment").trim().replace("\r\n", "\n");
    let too_long = comment.chars().count() > MAX_COMMENT_CHARS;
    let hidden = porch_types::text::check_prose(&comment).is_err();
    let score = parse_score(form.text("score"));
    let (Some(score), false, false) = (score, too_long, hidden) else {
        // Each problem at its own field: the score's at the scale, the comment's at the comment.
        let t = page.lang.tickets();
        let mut problems = Problems::default();
        if score.is_none() {
            problems.add("score", t.rating_score_missing);
        }
        if too_long {
            problems.add("comment", t.rating_comment_too_long);
        } else if hidden {
            problems.add("comment", t.rating_comment_hidden_characters);
        }
        let feedback = Feedback { problems, rating: (score, form.text("comment").to_owned()), ..Feedback::default() };
        return render(page, 422, &data, &feedback);
    };
    let tenant: TenantId = page.scope.tenant;
    let ticket = TicketId::parse(&data.ticket.id).ok_or_else(|| AppError::Internal("stored ticket id".into()))?;
    let thread = data.messages.last().map_or(1, |m| m.thread);
    let now = page.rt.now();
    page.rt
        .db()
        .batch(vec![
            portal_tickets::rate(tenant, ticket, thread, score, &comment, account, now),
            customer_rated(page, &ticket_ref(&data.ticket), thread, score, &comment)?,
        ])
        .await?;
    Ok(Response::see_other(&format!("/tickets/{number}")))
}
