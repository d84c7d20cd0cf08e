//! Portal pages for the portal a Host names: the start page, the account pages (join, sign
//! in and out, password reset), the tickets (list, search, ticket page, reply, rating,
//! support form, files), the portal admin's Users page, "view as" previews, the stylesheet
//! and logos, and branded error pages. Unknown hosts get a neutral page that
//! says nothing about tenants.

pub mod activity;
mod assets;
mod documents;
pub mod fleet;
mod forms;
mod join;
pub mod links;
pub mod mail;
mod notify;
mod preview;
mod register;
mod session;
mod sign_in;
mod sso;
mod sso_fetch;
mod sso_jwt;
mod sso_oidc;
mod sso_saml;
mod ticket_form;
mod ticket_reply;
pub mod tickets;
pub mod users;

use std::cell::RefCell;

use crate::auth::cookies::{self, CookieNames};
use crate::http::{Method, Request, Response};
use crate::i18n::Language;
use crate::portal_context::ResolvedPortal;
use crate::runtime::Runtime;
use crate::store::{Database, PortalScope, Statement};
use crate::tenancy;
use crate::views::{account, errors, layout::neutral, pages};
use porch_types::apps::{App, AppSet};
use porch_types::error::AppError;
use porch_types::host::Hostname;
use porch_types::ids::CustomerId;
use porch_types::time::Timestamp;
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
    let lang = language(req, &portal);
    if !portal.context.enabled {
        return Response::html(503, pages::not_available(&portal, lang))
            .with_header("cache-control", "no-store")
            .with_header("retry-after", "3600");
    }
    if let Some(asset) = assets::serve(rt, req, &portal).await {
        return asset.unwrap_or_else(|err| error_page(rt, &portal, lang, None, &err));
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
    // Ticket, fleet, activity and documents pages send their reads with the session lookup: one D1 round trip.
    let mut prefetch = Vec::new();
    let loaded = session::load(&page, |hash| {
        prefetch = tickets::prefetch(&page, hash);
        prefetch.extend(fleet::prefetch(&page, hash));
        prefetch.extend(activity::prefetch(&page, hash));
        prefetch.extend(documents::prefetch(&page, hash));
        prefetch.clone()
    })
    .await;
    let response = match loaded {
        Ok((visitor, rows)) => {
            page.visitor = visitor;
            if !rows.is_empty() {
                *page.prefetched.borrow_mut() = Some((prefetch, rows));
            }
            route(&page).await
        }
        Err(err) => Err(err),
    };
    response
        .unwrap_or_else(|err| error_page(rt, &portal, lang, page.visitor.member(), &err))
        .with_header("cache-control", "no-store")
        .with_header("vary", "accept-language, cookie")
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
    Response::html(err.status(), errors::portal_error(portal, lang, member, err))
        .with_header("cache-control", "no-store")
}

/// The visitor's Accept-Language may pick among our languages; otherwise the portal's default.
fn language(req: &Request, portal: &ResolvedPortal) -> Language {
    req.header("accept-language").and_then(Language::negotiate).unwrap_or(portal.context.default_language)
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
    /// Rows read in the session lookup's round trip (`tickets::prefetch`, `fleet::prefetch`,
    /// `activity::prefetch`).
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

async fn route<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    let path = page.req.path.as_str();
    let is_post = page.req.method == Method::Post;
    if !is_post && !matches!(page.req.method, Method::Get | Method::Head) {
        return Err(AppError::NotFound);
    }
    // The pages of an app the portal was not given do not exist, for anyone: the same 404
    // as a missing page, before any sign-in check could tell them apart.
    if let Some(app) = page_app(path) {
        require_app(page.portal.context.apps, app)?;
    }
    // A preview is read-only: every form is refused, except leaving the preview.
    if is_post && page.visitor.is_preview() && path != "/sign-out" {
        return Err(AppError::Forbidden);
    }
    let result = match (is_post, path) {
        (false, "/") => Ok(start(page)),
        (false, "/sign-in") => sign_in::form(page).await,
        (true, "/sign-in") => sign_in::submit(page).await,
        (false, "/sign-out") => sign_in::sign_out_form(page),
        (true, "/sign-out") => sign_in::sign_out(page).await,
        (false, "/signed-out") => Ok(Response::html(200, account::signed_out(page.portal, page.lang))),
        (false, "/forgot-password") => sign_in::forgot_form(page),
        (true, "/forgot-password") => sign_in::forgot_submit(page).await,
        (false, "/register") => register::register_form(page),
        (true, "/register") => register::register_submit(page).await,
        (false, "/users") => users::list(page).await,
        (true, "/users/invite") => users::invite(page).await,
        (false, "/tickets") => tickets::list(page).await,
        (false, "/equipment") => fleet::list(page).await,
        (false, "/activity") => activity::feed(page).await,
        (false, "/documents") => documents::list(page).await,
        (false, "/reports") => fleet::reports(page).await,
        (false, "/reports.csv") => fleet::reports_csv(page).await,
        (false, "/tickets/new") => ticket_form::form(page).await,
        (true, "/tickets/new") => ticket_form::create(page).await,
        (false, "/sso") => sso::company_form(page).await,
        (true, "/sso") => sso::discover(page).await,
        (_, "/sso/jwt") => sso_jwt::sign_in(page).await,
        _ => route_with_token(page, is_post, path).await,
    };
    match result {
        // Pages that need a member send strangers to sign in, and back afterwards.
        Err(AppError::Unauthorized) => Ok(Response::see_other(&sign_in::sign_in_href(path))),
        other => other,
    }
}

/// The app a portal path belongs to, if any: `/tickets/new` is the support form, the rest of
/// `/tickets` the ticket pages; `/equipment` the fleet and asset pages, `/reports` and
/// `/reports.csv` the utilisation reports, `/activity` the fleet's activity, `/documents` the
/// documents and their downloads.
fn page_app(path: &str) -> Option<App> {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    match first {
        "tickets" if path == "/tickets/new" => Some(App::SupportForm),
        "tickets" => Some(App::Tickets),
        "equipment" => Some(App::Equipment),
        "activity" => Some(App::Activity),
        "reports" | "reports.csv" => Some(App::Reports),
        "documents" => Some(App::Documents),
        _ => None,
    }
}

/// A page of `app` exists on this portal only if the portal offers the app: otherwise it is
/// the branded 404 of a missing page.
pub fn require_app(apps: AppSet, app: App) -> Result<(), AppError> {
    if apps.contains(app) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Routes with a token or an id in the path.
async fn route_with_token<R: Runtime>(page: &Page<'_, R>, is_post: bool, path: &str) -> Result<Response, AppError> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (is_post, segments.as_slice()) {
        (false, ["invite", token]) => join::invitation_form(page, token).await,
        (true, ["invite", token]) => join::invitation_submit(page, token).await,
        (false, ["verify", token]) => register::confirm_form(page, token).await,
        (true, ["verify", token]) => register::confirm_submit(page, token).await,
        (false, ["reset-password", token]) => sign_in::reset_form(page, token).await,
        (true, ["reset-password", token]) => sign_in::reset_submit(page, token).await,
        (false, ["preview", token]) => preview::confirm(page, token).await,
        (true, ["preview", token]) => preview::open(page, token).await,
        (false, ["tickets", number]) => tickets::detail(page, number).await,
        (false, ["equipment", key]) => fleet::detail(page, key).await,
        (false, ["documents", id]) => documents::download(page, id).await,
        (true, ["tickets", number, "reply"]) => ticket_reply::reply(page, number).await,
        (true, ["tickets", number, "rating"]) => ticket_reply::rate(page, number).await,
        (false, ["tickets", number, "files", id]) => tickets::download(page, number, id).await,
        (false, ["sso", id, "start"]) => sso::start(page, id).await,
        (false, ["sso", id, "callback"]) => sso::callback(page, id).await,
        (false, ["sso", id, "metadata"]) => sso::saml_metadata(page, id).await,
        (true, ["sso", id, "acs"]) => sso::saml_acs(page, id).await,
        (true, ["users", id, "role"]) => users::change_role(page, id).await,
        (true, ["users", id, "remove"]) => users::remove(page, id).await,
        (true, ["users", "invitations", id, "revoke"]) => users::revoke_invitation(page, id).await,
        _ => Err(AppError::NotFound),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_app_claims_its_pages_and_the_support_form_is_its_own() {
        assert_eq!(page_app("/tickets"), Some(App::Tickets));
        assert_eq!(page_app("/tickets/12"), Some(App::Tickets));
        assert_eq!(page_app("/tickets/12/files/abc"), Some(App::Tickets));
        assert_eq!(page_app("/tickets/new"), Some(App::SupportForm));
        assert_eq!(page_app("/equipment"), Some(App::Equipment));
        assert_eq!(page_app("/equipment/serial-9/activity"), Some(App::Equipment));
        assert_eq!(page_app("/reports"), Some(App::Reports));
        assert_eq!(page_app("/reports.csv"), Some(App::Reports));
        assert_eq!(page_app("/documents/x"), Some(App::Documents));
        assert_eq!(page_app("/activity"), Some(App::Activity));
        assert_eq!(page_app("/ticketsx"), None);
        assert_eq!(page_app("/"), None);
        assert_eq!(page_app("/users"), None);
    }

    #[test]
    fn a_page_of_an_app_the_portal_lacks_is_not_found() {
        let apps: AppSet = [App::Tickets].into_iter().collect();
        assert_eq!(require_app(apps, App::Tickets), Ok(()));
        assert_eq!(require_app(apps, App::Equipment), Err(AppError::NotFound));
        assert_eq!(require_app(AppSet::EMPTY, App::SupportForm), Err(AppError::NotFound));
    }
}
