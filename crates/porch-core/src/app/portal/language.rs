//! The language menu's post: a visitor's choice is kept in a cookie; a signed-in person's is
//! saved on their account too, so their next sign-in and the emails sent to them follow it.
//! Then back to the page the menu was on.

use super::forms::{safe_return_to, Form};
use super::Page;
use crate::auth::cookies;
use crate::http::Response;
use crate::i18n::Language;
use crate::runtime::Runtime;
use crate::store::accounts;
use crate::store::Database;
use crate::views::language::refused;
use porch_types::error::AppError;

/// How long a visitor's choice is kept: a year.
const CHOICE_SECONDS: i64 = 365 * 24 * 3600;

pub async fn choose<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    // The menu is on every page, a visitor's drawn before they have a CSRF token, so what
    // proves their post came from this portal is the browser's own word (OWASP CSRF
    // Prevention Cheat Sheet, "Verifying Origin With Standard Headers" and "Fetch Metadata"),
    // required here, not only checked when present as other forms do. A signed-in person's
    // page carries their token, and their choice changes their account: checked as every form.
    if !same_origin(page) {
        return Err(AppError::FormExpired);
    }
    let form = if page.visitor.member().is_some() { Form::read(page)? } else { Form::read_cross_site(page)? };
    let Some(lang) = form.get("language").and_then(Language::parse) else {
        return Ok(Response::html(400, refused(page.portal, page.lang, page.visitor.member())));
    };
    // A preview's choice is the viewing browser's alone: the account it shows is not written.
    if let Some(account) = page.visitor.member().filter(|member| !member.preview).and_then(|member| member.account) {
        page.rt.db().execute(accounts::set_language(page.scope, account, lang, page.now)).await?;
    }
    let cookie = cookies::set(page.cookies.language, lang.code(), Some(CHOICE_SECONDS), page.cookies.secure);
    Ok(Response::see_other(&back(page)).add_header("set-cookie", &cookie))
}

/// A post this portal's own page sent: its `Origin` is this origin, or, from a browser that
/// sends none, `Sec-Fetch-Site` says same-origin.
fn same_origin<R: Runtime>(page: &Page<'_, R>) -> bool {
    match page.req.header("origin") {
        Some(origin) => origin.eq_ignore_ascii_case(&page.origin()),
        None => page.req.header("sec-fetch-site") == Some("same-origin"),
    }
}

/// The page the menu was posted from: the `Referer`'s path when it is this origin's (pages
/// ask for `same-origin` referrers), else the start page. Never another origin.
fn back<R: Runtime>(page: &Page<'_, R>) -> String {
    let origin = page.origin();
    page.req
        .header("referer")
        .and_then(|referer| {
            referer.get(..origin.len()).filter(|o| o.eq_ignore_ascii_case(&origin)).map(|_| referer.get(origin.len()..))
        })
        .flatten()
        .and_then(safe_return_to)
        .unwrap_or("/")
        .to_owned()
}
