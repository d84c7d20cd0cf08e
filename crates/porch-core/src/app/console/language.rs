//! The console header's language menu: the choice is kept in a cookie of the console's own
//! for a year, then back to the page the menu was on.

use super::Console;
use crate::app::links;
use crate::auth::cookies;
use crate::http::{form_fields, Response};
use crate::i18n::Language;
use crate::runtime::Runtime;
use crate::store::staff::Stage;
use porch_types::error::AppError;

/// How long the choice is kept: a year.
const CHOICE_SECONDS: i64 = 365 * 24 * 3600;

/// `POST /language`. The menu is on every page, the sign-in page's too, so what proves the
/// post came from the console is the browser's word (its `Origin`, or `Sec-Fetch-Site`),
/// required here; a signed-in person's post carries their CSRF token as every form does.
pub fn choose<R: Runtime>(console: &Console<'_, R>) -> Result<Response, AppError> {
    let origin = links::origin(console.host, console.req.header("host").unwrap_or(""));
    let same_origin = match console.req.header("origin") {
        Some(sent) => sent.eq_ignore_ascii_case(&origin),
        None => console.req.header("sec-fetch-site") == Some("same-origin"),
    };
    if !same_origin {
        return Err(AppError::FormExpired);
    }
    // A signed-in page's menu carries the person's token; the pages of the way in (a step
    // of the sign-in, the sign-in itself) have none to carry.
    let fields = if console.session.as_ref().is_some_and(|session| session.stage == Stage::SignedIn) {
        console.form()?
    } else {
        form_fields(&console.req.body).ok_or_else(|| AppError::BadRequest("the form is not valid".into()))?
    };
    let chosen = fields.iter().find(|(name, _)| name == "language").and_then(|(_, code)| Language::parse(code));
    let lang = chosen.ok_or_else(|| AppError::BadRequest("language must be en, da or nb".into()))?;
    let cookie = cookies::set(console.names.language, lang.code(), Some(CHOICE_SECONDS), console.names.secure);
    Ok(Response::see_other(&back(console, &origin)).add_header("set-cookie", &cookie))
}

/// The page the menu was posted from: the `Referer`'s path when it is the console's own
/// (pages ask for `same-origin` referrers), else the first page. Never another origin.
fn back<R: Runtime>(console: &Console<'_, R>, origin: &str) -> String {
    console
        .req
        .header("referer")
        .and_then(|referer| {
            referer.get(..origin.len()).filter(|o| o.eq_ignore_ascii_case(origin)).and(referer.get(origin.len()..))
        })
        .filter(|path| path.starts_with('/') && !path.starts_with("//") && !path.contains('\\'))
        .unwrap_or("/")
        .to_owned()
}
