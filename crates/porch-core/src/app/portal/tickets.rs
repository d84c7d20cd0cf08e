//! The recipients' ticket pages that read: the list (mine / my organisation's, status
//! filter, search, sort, keyset pages), a ticket's conversation, and attachment downloads.
//! The list and the ticket page are read in the same D1 round trip as the session
//! (`prefetch`); what a viewer may see is decided inside those statements
//! (`store::portal_tickets`), so a guessed ticket number gets the same 404 as a missing one.

use super::forms::form_page;
use super::query::{Allowed, Query};
use super::Page;
use crate::app::files;
use crate::http::{Request, Response};
use crate::i18n::Language;
use crate::runtime::Runtime;
use crate::store::portal_tickets::{self, AttachmentView, ListQuery, ListRow, ListScope, Sort, TicketView};
use crate::store::{decode_rows, Statement};
use crate::views::tickets::{self as view, ListParams, ListView, TicketData, TicketPage};
use porch_types::error::AppError;
use porch_types::portal_tickets::{effective_visibility, Visibility};
use porch_types::search::fts_expression;
use porch_types::tickets::{cursor, parse_cursor};

/// Tickets per list page.
const PAGE_SIZE: i64 = 25;

/// A list page's query string, parsed. Malformed values (only a hand-edited URL has them)
/// are the branded 400 naming them, not silently ignored.
pub fn parse_list_params(req: &Request, lang: Language) -> Result<ListParams, AppError> {
    let mut query = Query::new(req, lang);
    let scope = query
        .parse("scope", Allowed::OneOf(&["mine", "organisation"]), |raw| match raw {
            "mine" => Some(ListScope::Mine),
            "organisation" => Some(ListScope::Organisation),
            _ => None,
        })
        .unwrap_or(ListScope::Mine);
    let closed = query
        .parse("status", Allowed::OneOf(&["all", "open", "closed"]), |raw| match raw {
            "all" => Some(None),
            "open" => Some(Some(false)),
            "closed" => Some(Some(true)),
            _ => None,
        })
        .flatten();
    let sort = query.parse("sort", Allowed::OneOf(&Sort::CODES), Sort::parse).unwrap_or_default();
    let after = query.parse("after", Allowed::FromLink, parse_cursor);
    let search_text = req.query_param("q").unwrap_or_default().trim().to_owned();
    let search = (!search_text.is_empty()).then(|| fts_expression(&search_text));
    query.finish(ListParams { scope, closed, search_text, search, sort, after })
}

/// The query for this page. A search text that cannot be searched lists nothing (the page
/// says why) rather than everything.
fn list_query(params: &ListParams) -> ListQuery<'_> {
    ListQuery {
        scope: params.scope,
        closed: params.closed,
        search: match &params.search {
            Some(Ok(expression)) => Some(expression.as_str()),
            Some(Err(_)) => Some("scope : nomatch"),
            None => None,
        },
        sort: params.sort,
        after: params.after.as_ref().map(|(at, id)| (*at, id.as_str())),
        limit: PAGE_SIZE + 1,
    }
}

/// A ticket number from the path; anything else is a ticket that does not exist.
pub fn parse_number(raw: &str) -> Result<i64, AppError> {
    (raw.len() <= 15 && raw.bytes().all(|b| b.is_ascii_digit()))
        .then(|| raw.parse::<i64>().ok())
        .flatten()
        .filter(|n| *n > 0)
        .ok_or(AppError::NotFound)
}

// `page.now`, fixed for the request: the handler rebuilds these statements and must get
// exactly the ones sent with the session lookup to use their rows.
fn list_statements<R: Runtime>(page: &Page<'_, R>, token_hash: &str, params: &ListParams) -> Vec<Statement> {
    vec![portal_tickets::list(page.scope, token_hash, page.now, &list_query(params))]
}

fn detail_statements<R: Runtime>(page: &Page<'_, R>, token_hash: &str, number: i64) -> Vec<Statement> {
    portal_tickets::detail(page.scope, token_hash, page.now, number).into()
}

/// The list page's reads, to send with the session lookup (none when the query is malformed
/// and the handler will say so).
pub fn prefetch_list<R: Runtime>(page: &Page<'_, R>, token_hash: &str) -> Vec<Statement> {
    parse_list_params(page.req, page.lang).map(|p| list_statements(page, token_hash, &p)).unwrap_or_default()
}

/// A ticket page's reads, to send with the session lookup (none for a malformed number).
pub fn prefetch_detail<R: Runtime>(page: &Page<'_, R>, token_hash: &str, number: &str) -> Vec<Statement> {
    parse_number(number).map(|n| detail_statements(page, token_hash, n)).unwrap_or_default()
}

pub async fn list<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    let member = page.require_member()?;
    let params = parse_list_params(page.req, page.lang)?;
    let mut results = page.reads(list_statements(page, &member.token_hash, &params)).await?.into_iter();
    let mut tickets: Vec<ListRow> = decode_rows(results.next())?;
    let more = tickets.len() > usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX);
    tickets.truncate(usize::try_from(PAGE_SIZE).unwrap_or(0));
    let next = more.then(|| tickets.last().map(|t| cursor(params.sort.position(t), &t.id))).flatten();
    let settings = &page.portal.context.tickets;
    let organisation =
        effective_visibility(settings.visibility, member.ticket_visibility, member.customer_id.is_some())
            == Visibility::Organisation;
    let view = ListView {
        params: &params,
        tickets: &tickets,
        next: next.as_deref(),
        organisation_switch: organisation,
        status_display: settings.status_display,
    };
    Ok(Response::html(200, view::list(page.portal, page.lang, member, &view)))
}

/// The ticket numbered `number` as the viewer may see it, or 404 — the same for a ticket of
/// someone else, of another company or tenant, and for one that does not exist.
pub async fn ticket_data<R: Runtime>(page: &Page<'_, R>, number: i64) -> Result<TicketData, AppError> {
    let member = page.require_member()?;
    let mut results = page.reads(detail_statements(page, &member.token_hash, number)).await?.into_iter();
    let ticket = decode_rows::<TicketView>(results.next())?.into_iter().next().ok_or(AppError::NotFound)?;
    Ok(TicketData {
        ticket,
        messages: decode_rows(results.next())?,
        attachments: decode_rows(results.next())?,
        ratings: decode_rows(results.next())?,
    })
}

pub async fn detail<R: Runtime>(page: &Page<'_, R>, number: &str) -> Result<Response, AppError> {
    let number = parse_number(number)?;
    let data = ticket_data(page, number).await?;
    render(page, 200, &data, &view::Feedback::default())
}

/// The ticket page with its forms (reply, rating) and what the last post said.
pub fn render<R: Runtime>(
    page: &Page<'_, R>,
    status: u16,
    data: &TicketData,
    feedback: &view::Feedback,
) -> Result<Response, AppError> {
    let member = page.require_member()?;
    form_page(page, status, |csrf| {
        let ticket_page = TicketPage { data, settings: &page.portal.context.tickets, csrf, feedback };
        view::ticket(page.portal, page.lang, member, &ticket_page)
    })
}

/// An attachment of a public message of a ticket the viewer may see, as a download.
pub async fn download<R: Runtime>(page: &Page<'_, R>, number: &str, id: &str) -> Result<Response, AppError> {
    let member = page.require_member()?;
    let number = parse_number(number)?;
    let statement = portal_tickets::attachment(page.scope, &member.token_hash, page.now, number, id);
    let found: Vec<AttachmentView> = decode_rows(page.reads(vec![statement]).await?.into_iter().next())?;
    let attachment = found.into_iter().next().ok_or(AppError::NotFound)?;
    files::serve(page.rt, &attachment).await
}
