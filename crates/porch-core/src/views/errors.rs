//! Branded error pages on portal hosts; API errors are JSON (see `error.rs`). Each kind of
//! error says what happened and what to do next, in the reader's language, and leads home.

use crate::i18n::Translations as _;
use maud::html;

use super::layout::page;
use crate::auth::member::Member;
use crate::i18n::Language;
use crate::portal_context::ResolvedPortal;
use porch_types::error::{AppError, FieldError};

/// The status of a portal's error page: a page's `Invalid` is its query's bad parameters
/// (`app::portal::query`; forms answer their own 422 with the form), so a 400.
pub fn portal_status(error: &AppError) -> u16 {
    match error {
        AppError::Invalid(_) => 400,
        other => other.status(),
    }
}

pub fn portal_error(portal: &ResolvedPortal, lang: Language, viewer: Option<&Member>, error: &AppError) -> String {
    if let AppError::Invalid(fields) = error {
        return bad_address(portal, lang, viewer, fields);
    }
    let (title, message) = error_words(lang, error, viewer.is_some_and(|m| m.preview));
    problem_page(portal, lang, viewer, title, &[message])
}

/// An error's title and what to say of it, for a person (the portal's pages and the
/// console's); `preview`: the reader is in a read-only "view as" preview.
pub fn error_words(lang: Language, error: &AppError, preview: bool) -> (&'static str, &'static str) {
    let strings = lang.strings();
    let account = lang.account();
    match error {
        AppError::NotFound => (strings.not_found_title, strings.not_found_body),
        AppError::Forbidden if preview => (account.preview_title, account.preview_read_only),
        AppError::Forbidden | AppError::Unauthorized => (account.access_denied_title, account.access_denied_body),
        AppError::FormExpired => (account.form_expired_title, account.form_expired_body),
        AppError::RateLimited => (account.too_many_title, account.too_many_attempts),
        AppError::Invalid(_) | AppError::BadRequest(_) => (strings.bad_request_title, strings.bad_request_body),
        AppError::TooLarge(_) => (strings.too_large_title, strings.too_large_body),
        AppError::Conflict(_) | AppError::PreconditionFailed(_) => (strings.conflict_title, strings.conflict_body),
        AppError::Internal(_) => (strings.error_title, strings.error_body),
    }
}

/// An error page with a title and what is wrong, one message a line (e.g. each query
/// parameter a page could not use), and the way home.
pub fn problem_page<S: AsRef<str>>(
    portal: &ResolvedPortal,
    lang: Language,
    viewer: Option<&Member>,
    title: &str,
    messages: &[S],
) -> String {
    let body = html! {
        h1 { (title) }
        @if let [only] = messages {
            p.lead { (only.as_ref()) }
        } @else {
            ul.lead { @for message in messages { li { (message.as_ref()) } } }
        }
        p { a.button href="/" { (lang.strings().go_home) } }
    };
    page(portal, lang, title, None, viewer, &body)
}

/// Each bad query parameter by name, with what it allows.
fn bad_address(portal: &ResolvedPortal, lang: Language, viewer: Option<&Member>, fields: &[FieldError]) -> String {
    let strings = lang.strings();
    let body = html! {
        h1 { (strings.bad_address_title) }
        p.lead { (strings.bad_address_body) }
        ul.bad-parameters {
            @for field in fields {
                li { code { (field.field) } ": " (field.message) }
            }
        }
        p { a.button href="/" { (strings.go_home) } }
    };
    page(portal, lang, strings.bad_address_title, None, viewer, &body)
}
