//! Branded error pages on portal hosts; API errors are JSON (see `error.rs`).

use maud::html;

use super::layout::{page, NavItem};
use crate::error::AppError;
use crate::i18n::Language;
use crate::tenancy::ResolvedPortal;

pub fn portal_error(portal: &ResolvedPortal, lang: Language, error: &AppError) -> String {
    let strings = lang.strings();
    let (title, message) = match error {
        AppError::NotFound => (strings.not_found_title, strings.not_found_body),
        _ => (strings.error_title, strings.error_body),
    };
    let body = html! {
        h1 { (title) }
        p.lead { (message) }
    };
    let nav = [NavItem { label: strings.home, href: "/", current: false }];
    page(portal, lang, title, &nav, &body)
}
