//! Portal pages for the portal a Host names: the start page, the account pages (join, sign
//! in and out, password reset), the tickets (list, search, ticket page, reply, rating,
//! support form, files), the portal admin's Users page, "view as" previews, the stylesheet
//! and logos, and branded error pages. Unknown hosts get a neutral page that
//! says nothing about tenants.

pub mod activity;
mod assets;
mod consent;
mod documents;
pub mod fleet;
mod forms;
mod join;
mod language;
pub mod mail;
mod notify;
mod preview;
mod query;
mod register;
pub mod routes;
mod session;
mod sign_in;
mod sso;
mod sso_jwt;
mod sso_oidc;
mod sso_saml;
mod sso_sign_in;
mod ticket_form;
mod ticket_reply;
pub mod tickets;
pub mod users;

use std::cell::RefCell;

use crate::app::{links, Found};
use crate::auth::cookies::{self, CookieNames};
use crate::http::{Method, Request, Response};
use crate::i18n::Language;
use crate::portal_context::ResolvedPortal;
use crate::runtime::Runtime;
use crate::store::{Database, PortalScope, Statement};
use crate::tenancy;
use crate::views::{errors, layout::neutral, pages};
use forms::CsrfToken;
use porch_types::error::AppError;
use porch_types::host::Hostname;
use porch_types::ids::CustomerId;
use porch_types::time::Timestamp;
use routes::PageRoute;
pub use session::{Member, Visitor};

pub async fn handle<R: Runtime>(rt: &R, req: &Request, host: &Hostname) -> Response {
    let portal = match tenancy::resolve(rt, host).await {
        Ok(Some(portal)) => portal,
        Ok(None) => return unknown_host(),
        Err(err) => {
            log_error(rt, &err);
            return Response::html(500, neutral("Temporarily unavailable", "Please try again in a moment."));
        }
    };
    let lang = language(req, &portal, cookies::names_for(host));
    // The stylesheet and logos first: a disabled portal's "not available" page is branded
    // and links them (answered with the 503 page, it was shown unstyled).
    if let Some(asset) = assets::serve(rt, req, &portal).await {
        return asset.unwrap_or_else(|err| error_page(rt, &portal, lang, None, &err));
    }
    if !portal.context.enabled {
        return Response::html(503, pages::not_available(&portal, lang))
            .with_header("cache-control", "no-store")
            .with_header("retry-after", "3600");
    }
    let scope = match portal.context.scope() {
        Ok(scope) => scope,
        Err(err) => return error_page(rt, &portal, lang, None, &err),
    };
    let mut page = Page {
        rt,
        req,
        portal: &portal,
        scope,
        lang,
        host,
        cookies: cookies::names_for(host),
        now: rt.now(),
        visitor: Visitor::Anonymous,
        prefetched: RefCell::new(None),
    };
    let found = routes::find(req.method, &req.path, portal.context.apps);
    // A page's reads go with the session lookup: one D1 round trip.
    let mut prefetch = Vec::new();
    let loaded = session::load(&page, |hash| {
        if let Found::Route(route, args) = &found {
            prefetch = route.handler.prefetch(&page, hash, args);
        }
        prefetch.clone()
    })
    .await;
    let mut new_csrf = None;
    let response = match loaded {
        Ok((mut visitor, rows)) => match member_csrf(&page, &mut visitor) {
            Ok(token) => {
                new_csrf = token;
                page.visitor = visitor;
                page.lang = page_language(&page, lang);
                if !rows.is_empty() {
                    *page.prefetched.borrow_mut() = Some((prefetch, rows));
                }
                route(&page, &found).await
            }
            Err(err) => Err(err),
        },
        Err(err) => Err(err),
    };
    let response = response.unwrap_or_else(|err| error_page(rt, &portal, page.lang, page.visitor.member(), &err));
    let response = match new_csrf {
        Some(token) => token.attach(response),
        None => response,
    };
    response.with_header("cache-control", "no-store").with_header("vary", "accept-language, cookie")
}

/// Gives a signed-in visitor the CSRF token of their forms (every page of theirs has the
/// sign-out form): theirs, or a new one, returned to be sent with the response.
fn member_csrf<R: Runtime>(page: &Page<'_, R>, visitor: &mut Visitor) -> Result<Option<CsrfToken>, AppError> {
    let Visitor::Signed(member) = visitor else {
        return Ok(None);
    };
    let token = CsrfToken::for_page(page)?;
    member.csrf.clone_from(&token.token);
    Ok(Some(token))
}

fn unknown_host() -> Response {
    Response::html(404, neutral("Not found", "There is nothing at this address."))
        .with_header("cache-control", "no-store")
}

fn log_error<R: Runtime>(rt: &R, err: &AppError) {
    if let Some(detail) = err.log_detail() {
        rt.log(&format!("portal error: {detail}"));
    }
}

fn error_page<R: Runtime>(
    rt: &R,
    portal: &ResolvedPortal,
    lang: Language,
    member: Option<&Member>,
    err: &AppError,
) -> Response {
    log_error(rt, err);
    Response::html(errors::portal_status(err), errors::portal_error(portal, lang, member, err))
        .with_header("cache-control", "no-store")
}

/// A visitor's language: their choice in the language menu (a cookie), else what their
/// Accept-Language picks among ours, else the portal's default. A signed-in person's saved
/// language comes before all three, once their session is known (`handle`).
fn language(req: &Request, portal: &ResolvedPortal, names: CookieNames) -> Language {
    cookies::read(req, names.language)
        .and_then(Language::parse)
        .or_else(|| req.header("accept-language").and_then(Language::negotiate))
        .unwrap_or(portal.context.default_language)
}

/// The language of a page: a signed-in person's saved one, before the visitor's (`language`).
/// A "view as" preview shows the person's saved language until the staff member viewing
/// chooses one in the menu: the cookie then wins, and the account is not written.
fn page_language<R: Runtime>(page: &Page<'_, R>, visitor_language: Language) -> Language {
    let Some(member) = page.visitor.member() else {
        return visitor_language;
    };
    let chosen = cookies::read(page.req, page.cookies.language).and_then(Language::parse);
    match (member.preview, chosen, member.language) {
        (true, Some(chosen), _) => chosen,
        (_, _, Some(saved)) => saved,
        _ => visitor_language,
    }
}

/// Statements sent with the session lookup, and their rows.
type Prefetched = (Vec<Statement>, Vec<Vec<serde_json::Value>>);

/// One portal page request: the portal, the visitor and what every handler needs.
pub struct Page<'a, R: Runtime> {
    pub rt: &'a R,
    pub req: &'a Request,
    pub portal: &'a ResolvedPortal,
    pub scope: PortalScope,
    pub lang: Language,
    pub host: &'a Hostname,
    pub cookies: CookieNames,
    /// The request's time, read once: statements built twice for one request must be equal.
    pub now: Timestamp,
    pub visitor: Visitor,
    /// Rows read in the session lookup's round trip (the page's prefetch in `routes`).
    prefetched: RefCell<Option<Prefetched>>,
}

impl<R: Runtime> Page<'_, R> {
    /// The origin this page was requested on, as links and the `Origin` check need it.
    pub fn origin(&self) -> String {
        links::origin(self.host, self.req.header("host").unwrap_or(""))
    }

    /// The rows of `statements`: those read with the session lookup when exactly these
    /// statements were sent there, else read now.
    pub async fn reads(&self, statements: Vec<Statement>) -> Result<Vec<Vec<serde_json::Value>>, AppError> {
        let prefetched = self.prefetched.borrow_mut().take();
        if let Some((_, rows)) = prefetched.filter(|(sent, _)| *sent == statements) {
            return Ok(rows);
        }
        Ok(self.rt.db().read_batch(statements).await?)
    }

    /// The signed-in member, or a redirect to the sign-in page that comes back here.
    pub fn require_member(&self) -> Result<&Member, AppError> {
        self.visitor.member().ok_or(AppError::Unauthorized)
    }

    /// The signed-in member's customer; None for a member of no company, who is shared nothing.
    pub fn customer(&self) -> Result<Option<CustomerId>, AppError> {
        Ok(self.require_member()?.customer_id.as_deref().and_then(CustomerId::parse))
    }
}

async fn route<R: Runtime>(page: &Page<'_, R>, found: &Found<PageRoute, &str>) -> Result<Response, AppError> {
    // Someone who must agree again to changed terms or consent does so before any other page.
    if let Some(to_consent) = consent::gate(page, found) {
        return Ok(to_consent);
    }
    let result = match found {
        // A page of an app the portal was not given does not exist either, for anyone: the
        // same 404 as a missing page, before any sign-in check could tell them apart.
        Found::Missing => Err(AppError::NotFound),
        // A preview is read-only: every form is refused, except leaving the preview and the
        // language menu (which then changes only this browser's cookie, `language::choose`).
        _ if page.req.method == Method::Post
            && page.visitor.is_preview()
            && !matches!(found, Found::Route(route, _) if matches!(route.handler, PageRoute::SignOut | PageRoute::Language)) =>
        {
            Err(AppError::Forbidden)
        }
        // A page asked for with a method it does not answer is, to a browser, a page that
        // is not there: the branded 404, as it has always been (only the API says 405).
        Found::WrongMethod(_) => Err(AppError::NotFound),
        Found::Route(route, args) => route.handler.run(page, args).await,
    };
    match result {
        // Pages that need a member send strangers to sign in, and back afterwards.
        Err(AppError::Unauthorized) => Ok(Response::see_other(&sign_in::sign_in_href(&page.req.path))),
        other => other,
    }
}

/// Where a person goes once signed in (password, SSO, a new account, a new password): the
/// page they asked for, else the portal's start page. `/` is "nothing asked": the sign-in
/// link of the home page carries no `return_to`, and every flow defaults to `/`.
pub fn landing<'a>(portal: &ResolvedPortal, return_to: &'a str) -> &'a str {
    if return_to == "/" {
        portal.context.start_page.path()
    } else {
        return_to
    }
}

fn start<R: Runtime>(page: &Page<'_, R>) -> Response {
    Response::html(200, pages::start_page(page.portal, page.lang, page.visitor.member()))
}
