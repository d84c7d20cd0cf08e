//! The recipients' ticket pages: the list with its switch, filters, search and pages; a
//! ticket's conversation with attachments, the reply box and the rating; the support form.

use crate::i18n::Translations as _;
use maud::{html, Markup};

use super::form::{csrf_field, field, summary, Problems};
use super::language;
use super::layout::page;
use crate::auth::member::Member;
use crate::http::percent_encode;
use crate::i18n::{Formats, Language};
use crate::portal_context::ResolvedPortal;
use crate::store::portal_tickets::{AttachmentView, ListRow, ListScope, PublicMessage, RatingView, Sort, TicketView};
use porch_types::apps::App;
use porch_types::attachments::FileProblem;
use porch_types::portal_tickets::{ClosedReplies, StatusDisplay, TicketSettings};
use porch_types::time::Timestamp;
use porch_types::time_zone::TimeZone;

/// A list page's query string, parsed.
pub struct ListParams {
    pub scope: ListScope,
    pub closed: Option<bool>,
    /// The search box as typed, and its FTS expression (or why it cannot be searched).
    pub search_text: String,
    pub search: Option<Result<String, &'static str>>,
    pub sort: Sort,
    pub after: Option<(i64, String)>,
}

/// Everything a ticket's page shows, read in one round trip.
pub struct TicketData {
    pub ticket: TicketView,
    pub messages: Vec<PublicMessage>,
    pub attachments: Vec<AttachmentView>,
    pub ratings: Vec<RatingView>,
}

/// An upload problem in the reader's language, naming the file; the accepted kinds follow
/// once where the kind was the problem.
pub fn file_problem(lang: Language, problem: &FileProblem) -> String {
    let t = lang.tickets();
    // A size knows no time zone.
    let size_text = |bytes| Formats::new(lang, TimeZone::UTC).size(bytes);
    match problem {
        FileProblem::BadName(_) => t.file_bad_name.to_owned(),
        FileProblem::Empty(name) => format!("{name}: {}", t.file_empty),
        FileProblem::TooLarge(name, size) => format!("{name} ({}): {}", size_text(to_i64(*size)), t.file_too_large),
        FileProblem::Beyond(name, size) => format!("{name} ({}): {}", size_text(to_i64(*size)), t.file_beyond),
        FileProblem::NotAccepted(name) => format!("{name}: {} {}", t.file_not_accepted, t.attachments_hint),
        FileProblem::Mismatch(name, _) => format!("{name}: {} {}", t.file_mismatch, t.attachments_hint),
        FileProblem::TooMany => t.files_too_many.to_owned(),
        FileProblem::TooMuch => t.files_too_much.to_owned(),
    }
}

fn to_i64(bytes: usize) -> i64 {
    i64::try_from(bytes).unwrap_or(i64::MAX)
}

/// An instant of a ticket as the reader's date and time in the portal's zone.
fn when(fmt: Formats, ms: i64) -> Markup {
    language::date_time(fmt, Timestamp::from_millis(ms))
}

/// What a list page shows.
pub struct ListView<'a> {
    pub params: &'a ListParams,
    pub tickets: &'a [ListRow],
    /// The next page's cursor, when there is one.
    pub next: Option<&'a str>,
    /// The viewer may switch to their organisation's tickets.
    pub organisation_switch: bool,
    pub status_display: StatusDisplay,
    /// The request's time, for how long ago each ticket last moved.
    pub now: Timestamp,
}

/// A list URL with this page's choices and `extra` pairs (scope, cursor).
fn list_href(params: &ListParams, scope: ListScope, after: Option<&str>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if scope == ListScope::Organisation {
        pairs.push(("scope", "organisation".into()));
    }
    match params.closed {
        Some(true) => pairs.push(("status", "closed".into())),
        Some(false) => pairs.push(("status", "open".into())),
        None => {}
    }
    if params.sort != Sort::default() {
        pairs.push(("sort", params.sort.code().into()));
    }
    if !params.search_text.is_empty() {
        pairs.push(("q", params.search_text.clone()));
    }
    if let Some(after) = after {
        pairs.push(("after", after.into()));
    }
    let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", percent_encode(v, b""))).collect();
    if query.is_empty() {
        "/tickets".into()
    } else {
        format!("/tickets?{}", query.join("&"))
    }
}

pub fn list(portal: &ResolvedPortal, lang: Language, member: &Member, view: &ListView<'_>) -> String {
    let t = lang.tickets();
    let fmt = language::formats(portal, lang);
    let params = view.params;
    let scope = params.scope;
    let search_error = params.search.as_ref().and_then(|s| s.as_ref().err());
    let problems = search_error.map(|_| Problems::of("q", t.search_invalid)).unwrap_or_default();
    let sorts = [
        (Sort::ActivityNewest, t.sort_activity_desc),
        (Sort::ActivityOldest, t.sort_activity_asc),
        (Sort::CreatedNewest, t.sort_created_desc),
        (Sort::CreatedOldest, t.sort_created_asc),
    ];
    let content = html! {
        div.page-head {
            h1 { (t.tickets_title) }
            @if portal.context.apps.contains(App::SupportForm) {
                a.button href="/tickets/new" { (t.new_request) }
            }
        }
        @if view.organisation_switch {
            nav.tabs aria-label=(t.tickets_title) {
                a href=(list_href(params, ListScope::Mine, None)) aria-current=[(scope == ListScope::Mine).then_some("page")] { (t.my_tickets) }
                a href=(list_href(params, ListScope::Organisation, None)) aria-current=[(scope == ListScope::Organisation).then_some("page")] { (t.organisation_tickets) }
            }
        }
        (summary(lang, &problems))
        form.filters method="get" action="/tickets" role="search" {
            @if scope == ListScope::Organisation { input type="hidden" name="scope" value="organisation"; }
            (field(lang, &problems, "q", t.search_label, None, |c| html! {
                input #(c.id) type="search" name="q" value=(params.search_text) maxlength="200"
                    aria-describedby=[c.described_by.as_deref()] aria-invalid=[c.invalid];
            }))
            div.field {
                label for="status" { (t.status_label) }
                select #status name="status" {
                    option value="all" selected[params.closed.is_none()] { (t.status_all) }
                    option value="open" selected[params.closed == Some(false)] { (t.status_open) }
                    option value="closed" selected[params.closed == Some(true)] { (t.status_closed) }
                }
            }
            div.field {
                label for="sort" { (t.sort_label) }
                select #sort name="sort" {
                    @for (sort, label) in sorts {
                        option value=(sort.code()) selected[params.sort == sort] { (label) }
                    }
                }
            }
            button.secondary type="submit" { (t.search_button) }
        }
        @if view.tickets.is_empty() {
            p.empty { @if params.search.is_some() { (t.no_results) } @else { (t.no_tickets) } }
        } @else {
            table.tickets.stacked {
                thead { tr {
                    th scope="col" { (t.column_id) } th scope="col" { (t.column_subject) }
                    th scope="col" { (t.column_created) } th scope="col" { (t.column_activity) }
                    th scope="col" { (t.column_status) }
                } }
                tbody {
                    @for ticket in view.tickets {
                        tr {
                            td data-label=(t.column_id) { "#" (ticket.number) }
                            td data-label=(t.column_subject) { a href=(format!("/tickets/{}", ticket.number)) { (ticket.subject) } }
                            td data-label=(t.column_created) { (when(fmt, ticket.created_at)) }
                            td data-label=(t.column_activity) { (language::ago(fmt, Timestamp::from_millis(ticket.last_activity_at), view.now)) }
                            td data-label=(t.column_status) { (status_badge(portal, lang, view.status_display, &ticket.stage_name, ticket.is_closed != 0)) }
                        }
                    }
                }
            }
        }
        @if params.after.is_some() || view.next.is_some() {
            nav.pages aria-label=(t.tickets_title) {
                @if params.after.is_some() { a href=(list_href(params, scope, None)) { (t.first_page) } }
                @if let Some(next) = view.next { a rel="next" href=(list_href(params, scope, Some(next))) { (t.next_page) } }
            }
        }
    };
    page(portal, lang, t.tickets_title, Some("/tickets"), Some(member), &content)
}

/// What the last post on a ticket's page said: its problems, and what was typed, to keep.
#[derive(Default)]
pub struct Feedback {
    pub problems: Problems,
    pub reply_text: String,
    /// The rating form's score (when it was one of the scale's) and comment.
    pub rating: (Option<i64>, String),
}

/// A ticket's status as a badge: outlined while open, filled once closed.
/// A ticket's status: its stage's name, written by the provider in the portal's default
/// language, or open/closed in the reader's.
fn status_badge(portal: &ResolvedPortal, lang: Language, display: StatusDisplay, stage: &str, closed: bool) -> Markup {
    let written = if display == StatusDisplay::Stages { portal.context.default_language } else { lang };
    html! { span.status.closed[closed] { (language::foreign(crate::i18n::status_label(display, lang, stage, closed), written, lang)) } }
}

/// A file's kind as its chip shows it: the name's extension, else the media type's subtype.
fn file_kind(file: &AttachmentView) -> String {
    match file.filename.rsplit_once('.') {
        Some((_, ext)) if !ext.is_empty() && ext.len() <= 5 => ext.to_uppercase(),
        _ => file.content_type.rsplit('/').next().unwrap_or_default().to_uppercase(),
    }
}

pub struct TicketPage<'a> {
    pub data: &'a TicketData,
    pub settings: &'a TicketSettings,
    pub csrf: &'a str,
    pub feedback: &'a Feedback,
}

fn file_input(lang: Language, problems: &Problems) -> Markup {
    let t = lang.tickets();
    field(lang, problems, "files", t.attachments_label, Some(t.attachments_hint), |c| {
        html! {
            input #(c.id) type="file" name="files" multiple
                aria-describedby=[c.described_by.as_deref()] aria-invalid=[c.invalid];
        }
    })
}

pub fn ticket(portal: &ResolvedPortal, lang: Language, member: &Member, view: &TicketPage<'_>) -> String {
    let t = lang.tickets();
    let fmt = language::formats(portal, lang);
    let data = view.data;
    let ticket = &data.ticket;
    let closed = ticket.is_closed != 0;
    let thread = data.messages.last().map_or(1, |m| m.thread);
    let rated = data.ratings.iter().any(|r| r.thread == thread);
    let is_requester =
        member.account.is_some_and(|a| ticket.requester_account_id.as_deref() == Some(a.to_db().as_str()));
    let may_reply = !closed || view.settings.closed_replies == ClosedReplies::Reopen;
    let title = format!("#{} {}", ticket.number, ticket.subject);
    let problems = &view.feedback.problems;
    let content = html! {
        p.back { a href="/tickets" { "← " (t.tickets_title) } }
        h1 { (title) }
        dl.facts {
            dt { (t.column_status) } dd { (status_badge(portal, lang, view.settings.status_display, &ticket.stage_name, closed)) }
            dt { (t.column_created) } dd { (when(fmt, ticket.created_at)) }
            @if let Some(name) = &ticket.requester_name { dt { (t.requester) } dd { (name) } }
        }
        (summary(lang, problems))
        h2 { (t.conversation) }
        ol.conversation {
            @for message in &data.messages {
                @let agent = message.author_kind == "agent";
                li.message.agent[agent] id=(format!("m-{}", message.id)) {
                    div.meta {
                        strong { (message.author_name) }
                        @if agent { span.role { (t.from_support) } }
                        (when(fmt, message.created_at))
                    }
                    div.body { (message.body) }
                    @let files: Vec<_> = data.attachments.iter().filter(|a| a.message_id == message.id).collect();
                    @if !files.is_empty() {
                        ul.files {
                            @for file in files {
                                li { a href=(format!("/tickets/{}/files/{}", ticket.number, file.id)) download {
                                    (file.filename) " " span { (file_kind(file)) } " " (fmt.size(file.size))
                                } }
                            }
                        }
                    }
                }
            }
        }
        @if closed && view.settings.satisfaction && is_requester {
            section.rating {
                h2 { (t.rating_title) }
                @if rated { p.notice { (t.rating_thanks) } } @else {
                    form.stack method="post" action=(format!("/tickets/{}/rating", ticket.number)) novalidate {
                        (csrf_field(view.csrf))
                        @let error = problems.on("score");
                        fieldset.field.field-error[error.is_some()] {
                            legend { (t.rating_question) }
                            @if let Some(error) = &error { p.error-message { (error) } }
                            div.scale {
                                @for score in 1..=5 {
                                    label { input id=[(score == 1).then_some("score")] type="radio" name="score" value=(score) checked[view.feedback.rating.0 == Some(score)] required; (score) }
                                }
                            }
                        }
                        (field(lang, problems, "comment", t.rating_comment, None, |c| html! {
                            textarea #(c.id) name="comment" rows="3" maxlength="1000" aria-describedby=[c.described_by.as_deref()] aria-invalid=[c.invalid] { (view.feedback.rating.1) }
                        }))
                        div.actions { button.button type="submit" { (t.rating_button) } }
                    }
                }
            }
        }
        section.reply {
            h2 { (t.reply_title) }
            @if closed { p.hint { @if may_reply { (t.closed_reopens) } @else { (t.closed_no_replies) } } }
            @if may_reply {
                form.stack method="post" action=(format!("/tickets/{}/reply", ticket.number)) enctype="multipart/form-data" novalidate {
                    (csrf_field(view.csrf))
                    (field(lang, problems, "body", t.reply_label, None, |c| html! {
                        textarea #(c.id) name="body" rows="6" required maxlength="20000"
                            aria-describedby=[c.described_by.as_deref()] aria-invalid=[c.invalid] { (view.feedback.reply_text) }
                    }))
                    (file_input(lang, problems))
                    div.actions { button.button type="submit" { (t.reply_button) } }
                }
            }
        }
    };
    page(portal, lang, &title, None, Some(member), &content)
}

/// One extra field of the support form, ready to render.
pub struct FormFieldView {
    /// The form field's name: `priority` or `property.<key>`.
    pub name: String,
    pub label: String,
    pub required: bool,
    /// Choices for a select (priority and choice properties); None for a text input.
    pub choices: Option<Vec<(String, String)>>,
    /// The language the label is written in: the provider's label in the reader's language or
    /// English, else the property's name (the provider's, in the portal's language) or our
    /// own word for priority (the reader's).
    pub label_lang: Language,
    /// The language the choices are written in (`views::language`'s rule).
    pub choices_lang: Language,
    pub number: bool,
    pub value: String,
}

pub struct SupportForm<'a> {
    pub csrf: &'a str,
    pub subject: &'a str,
    pub description: &'a str,
    pub fields: &'a [FormFieldView],
    pub problems: &'a Problems,
    /// False when the provider has no pipeline to put tickets in yet.
    pub available: bool,
}

pub fn support_form(portal: &ResolvedPortal, lang: Language, member: &Member, form: &SupportForm<'_>) -> String {
    let t = lang.tickets();
    let problems = form.problems;
    let content = html! {
        h1 { (t.form_title) }
        @if !form.available {
            p.notice { (t.not_set_up) }
        } @else {
            p.lead { (t.form_intro) }
            (summary(lang, problems))
            form.stack method="post" action="/tickets/new" enctype="multipart/form-data" novalidate {
                (csrf_field(form.csrf))
                (field(lang, problems, "subject", t.subject, None, |c| html! {
                    input #(c.id) type="text" name="subject" required maxlength="200" value=(form.subject)
                        aria-describedby=[c.described_by.as_deref()] aria-invalid=[c.invalid];
                }))
                (field(lang, problems, "description", t.description, None, |c| html! {
                    textarea #(c.id) name="description" rows="8" required maxlength="20000"
                        aria-describedby=[c.described_by.as_deref()] aria-invalid=[c.invalid] { (form.description) }
                }))
                @for extra in form.fields {
                    (field(lang, problems, &extra.name, language::foreign(&extra.label, extra.label_lang, lang), None, |c| html! {
                        @if let Some(choices) = &extra.choices {
                            select #(c.id) name=(extra.name) required[extra.required]
                                aria-describedby=[c.described_by.as_deref()] aria-invalid=[c.invalid] {
                                option value="" { (t.choose) }
                                @for (value, label) in choices {
                                    option value=(value) selected[*value == extra.value] lang=[(extra.choices_lang != lang).then_some(extra.choices_lang.code())] { (label) }
                                }
                            }
                        } @else if extra.number {
                            input #(c.id) type="number" step="any" name=(extra.name) required[extra.required] value=(extra.value)
                                aria-describedby=[c.described_by.as_deref()] aria-invalid=[c.invalid];
                        } @else {
                            input #(c.id) type="text" name=(extra.name) required[extra.required] maxlength="2000" value=(extra.value)
                                aria-describedby=[c.described_by.as_deref()] aria-invalid=[c.invalid];
                        }
                    }))
                }
                (file_input(lang, problems))
                div.actions { button.button type="submit" { (t.submit_request) } }
            }
        }
    };
    page(portal, lang, t.form_title, Some("/tickets/new"), Some(member), &content)
}
