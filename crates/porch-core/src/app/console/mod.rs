//! The console on its own host, `CONSOLE_HOST` (`console.<PORTAL_BASE_DOMAIN>` unless set;
//! never a portal's domain): the provider's
//! and the platform's people. This first part is the way in: the platform's first operator
//! is made once with the `PLATFORM_ADMIN_TOKEN`; every sign-in is a password and a second
//! factor (TOTP, RFC 6238, or a single-use recovery code), which each person sets up before
//! any other page opens; the operator's first page lists the tenants.
//!
//! Sessions are the portal's kind (a random token in an `HttpOnly` cookie of the console's
//! own, its SHA-256 in D1; idle and absolute timeouts; revoked by deleting the row), with a
//! stage: a password alone reaches only the second-factor pages. Forms carry a double-submit
//! CSRF token and refuse another site's `Origin`; sign-in and codes are rate-limited.

mod audit_page;
mod customer_pages;
mod delivery_pages;
mod equipment_pages;
mod join;
mod key_pages;
mod language;
mod portal_pages;
mod portal_setup;
mod portal_sso;
mod portal_tickets;
mod portal_wizard;
pub mod routes;
mod settings_page;
mod setup_form;
mod sign_in;
mod staff_page;
mod staff_sso_page;
mod staff_sso_sign_in;
mod template_pages;
mod theme_pages;

use crate::app::links;
use crate::app::staff::Acting;
use crate::app::Found;
use crate::auth::cookies;
use crate::auth::csrf;
use crate::auth::secret::{presented_hash, random_text, stored_hash_matches};
use crate::http::{form_fields, is_media_type, single_valued, Request, Response};
use crate::i18n::Language;
use crate::runtime::Runtime;
use crate::store::audit::Actor;
use crate::store::staff::{self, StaffSession, Stage};
use crate::store::{decode_rows, rate_limits, tenants, Database, Statement};
use crate::theme::{self, ThemeContext};
use crate::views::console::{self as view, Who};
use crate::views::errors::error_words;
use porch_types::error::AppError;
use porch_types::host::Hostname;
use porch_types::ids::TenantId;
use porch_types::staff::StaffRole;
use porch_types::time::Timestamp;

/// A signed-in console session ends after this long without a request (OWASP Session
/// Management: staff sessions are short) and, whatever happens, after `ABSOLUTE_MS`.
const IDLE_MS: i64 = 30 * 60_000;
const ABSOLUTE_MS: i64 = 12 * 60 * 60_000;
/// A session between the password and the second factor lasts this long.
const STEP_MS: i64 = 15 * 60_000;
/// `last_seen_at` is rewritten at most this often.
const TOUCH_INTERVAL_MS: i64 = 60_000;

/// The console's cookies: its own names, so a portal's cookie is never a console session
/// and the other way round (`auth::cookies`' rule for `__Host-` and `Secure`).
struct Names {
    session: &'static str,
    csrf: &'static str,
    /// Binds a single sign-on under way to the browser that started it.
    sso: &'static str,
    /// The language chosen in the header's menu.
    language: &'static str,
    secure: bool,
}

fn names_for(host: &Hostname) -> Names {
    if host.is_localhost() {
        Names {
            session: "porch_console",
            csrf: "porch_console_csrf",
            sso: "porch_console_sso",
            language: "porch_console_lang",
            secure: false,
        }
    } else {
        Names {
            session: "__Host-porch_console",
            csrf: "__Host-porch_console_csrf",
            sso: "__Host-porch_console_sso",
            language: "__Host-porch_console_lang",
            secure: true,
        }
    }
}

/// One console request.
pub struct Console<'a, R: Runtime> {
    pub rt: &'a R,
    pub req: &'a Request,
    host: &'a Hostname,
    pub lang: Language,
    pub now: Timestamp,
    names: Names,
    /// The live session behind the cookie, if any, at whatever stage.
    pub session: Option<StaffSession>,
    /// The page's reads, run in the session lookup's round trip (`page_reads`), dropped
    /// unless the session is alive.
    prefetched: Vec<Vec<serde_json::Value>>,
}

pub async fn handle<R: Runtime>(rt: &R, req: &Request, host: &Hostname) -> Response {
    let names = names_for(host);
    // The header menu's choice, else the browser's languages.
    let lang = cookies::read(req, names.language)
        .and_then(Language::parse)
        .or_else(|| req.header("accept-language").and_then(Language::negotiate))
        .unwrap_or(Language::En);
    let mut console = Console { rt, req, host, lang, now: rt.now(), names, session: None, prefetched: Vec::new() };
    let response = match routes::find(req.method, &req.path) {
        Found::Route(route, args) => {
            let route = route.handler;
            match load_session(&console, |hash| route.prefetch(&console, hash, &args)).await {
                Ok((session, rows)) => {
                    console.session = session;
                    console.prefetched = rows;
                    route.run(&console, &args).await
                }
                Err(err) => Err(err),
            }
        }
        Found::WrongMethod(allowed) => {
            let (title, message) = error_words(lang, &AppError::NotFound, false);
            return Response::html(405, view::error(lang, title, message))
                .with_header("allow", &allowed.join(", "))
                .with_header("cache-control", "no-store");
        }
        Found::Missing => Err(AppError::NotFound),
    };
    let response = response.unwrap_or_else(|err| {
        // A page for the signed-in only: the way in, wherever this browser's sign-in stands.
        if err == AppError::Unauthorized {
            return console.way_in();
        }
        if let AppError::Internal(detail) = &err {
            rt.log(&format!("console: {detail}"));
        }
        let (title, message) = error_words(lang, &err, false);
        Response::html(err.status(), view::error(lang, title, message))
    });
    let response = if response.header("content-type").is_some_and(|t| t.starts_with("text/html")) {
        response.with_header("content-security-policy", crate::app::CONSOLE_CSP)
    } else {
        response
    };
    // Pages are a person's (and one shows recovery codes): never stored. The stylesheet and
    // the script say their own.
    if response.header("cache-control").is_some() {
        response
    } else {
        response.with_header("cache-control", "no-store")
    }
}

/// The home page: the operator's list of every tenant; a tenant's staff go to their tenant.
/// Anyone not signed in goes where their sign-in stands (a new deployment's console opens on
/// making its first operator).
async fn home<R: Runtime>(console: &Console<'_, R>) -> Result<Response, AppError> {
    let Some(session) = console.signed_in() else {
        if console.session.is_none() && !staff::has_operator(console.rt.db()).await? {
            return Ok(Response::see_other("/set-up"));
        }
        return Ok(console.way_in());
    };
    if let Some(tenant) = &session.tenant_id {
        return Ok(Response::see_other(&format!("/tenants/{tenant}")));
    }
    let csrf = console.csrf_token()?;
    // Read with the session lookup (`home_reads`).
    let mut rows = console.prefetched.clone().into_iter();
    let all: Vec<tenants::TenantRow> = decode_rows(rows.next())?;
    let left: Vec<staff::CodesLeft> = decode_rows(rows.next())?;
    let recovery_left = left.first().map_or(0, |row| row.remaining);
    let page =
        view::tenants(console.lang, &console.who(session, &csrf), &view::Tenants { tenants: &all, recovery_left });
    Ok(console.with_csrf(Response::html(200, page), &csrf))
}

/// The stylesheet: the design system in porch's own colours.
fn stylesheet(req: &Request) -> Response {
    asset(req, "text/css; charset=utf-8", theme::stylesheet(&ThemeContext::fallback()))
}

/// The console's one script: a copy button beside a link shown once, a theme's live preview.
const SCRIPT: &str = include_str!("console.js");

fn script(req: &Request) -> Response {
    asset(req, "text/javascript; charset=utf-8", SCRIPT.to_owned())
}

/// A static text the browser keeps and asks again about with its `ETag`.
fn asset(req: &Request, content_type: &str, text: String) -> Response {
    let etag = theme::etag(&text);
    if req.header("if-none-match").is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag)) {
        return Response::empty(304).with_header("etag", &etag).with_header("cache-control", "no-cache");
    }
    Response::new(200, content_type, text).with_header("etag", &etag).with_header("cache-control", "no-cache")
}

/// The home page's reads, sent with the session lookup of the token `hash`: the tenants, and
/// the recovery codes left of the session's person. Shown only to a signed-in operator.
fn home_reads(hash: &str) -> Vec<Statement> {
    vec![tenants::list_all_statement(), staff::recovery_codes_left(hash)]
}

type Rows = Vec<Vec<serde_json::Value>>;

/// The session behind the cookie if it is alive (within its absolute lifetime and, signed in,
/// its idle timeout; a step session has only its short lifetime; a dead one is deleted), and
/// the rows of the page's reads, in one round trip.
async fn load_session<R: Runtime>(
    console: &Console<'_, R>,
    page_reads: impl FnOnce(&str) -> Vec<Statement>,
) -> Result<(Option<StaffSession>, Rows), AppError> {
    let Some(hash) = cookies::read(console.req, console.names.session).and_then(presented_hash) else {
        return Ok((None, Vec::new()));
    };
    let db = console.rt.db();
    let mut statements = vec![staff::find_session(&hash)];
    statements.extend(page_reads(&hash));
    let mut results = db.read_batch(statements).await?.into_iter();
    let found: Option<StaffSession> = decode_rows(results.next())?.into_iter().next();
    let Some(session) = found.filter(|s| stored_hash_matches(&s.token_hash, &hash)) else {
        return Ok((None, Vec::new()));
    };
    let now = console.now.millis();
    let idle = session.stage == Stage::SignedIn && now - session.last_seen_at > IDLE_MS;
    if session.expires_at <= now || idle {
        db.execute(staff::delete_session(&hash)).await?;
        return Ok((None, Vec::new()));
    }
    if session.stage == Stage::SignedIn && now - session.last_seen_at >= TOUCH_INTERVAL_MS {
        if let Err(err) = db.execute(staff::touch(&hash, console.now)).await {
            console.rt.log(&format!("could not record console session activity: {err}"));
        }
    }
    Ok((Some(session), results.collect()))
}

/// A form page's CSRF token: the browser's, or a new one to set.
pub struct CsrfToken {
    pub value: String,
    is_new: bool,
}

/// A signed-in person with their authority over the tenant whose page they asked for.
pub struct Person<'s> {
    pub session: &'s StaffSession,
    pub role: StaffRole,
}

impl Person<'_> {
    /// Who acts, for the application functions the API shares (`app::staff`), audited under
    /// the person.
    pub fn acting(&self) -> Acting {
        Acting { actor: Actor::Staff(format!("staff:{}", self.session.staff_id)), role: self.role }
    }
}

impl<R: Runtime> Console<'_, R> {
    fn signed_in(&self) -> Option<&StaffSession> {
        self.session.as_ref().filter(|s| s.stage == Stage::SignedIn)
    }

    /// The signed-in person, if they may see `tenant`: the operator any tenant, staff only
    /// their own. Not signed in is `Unauthorized` (the way in); another tenant's staff get
    /// `NotFound`, exactly as for a tenant that does not exist.
    pub fn person_for(&self, tenant: TenantId) -> Result<Person<'_>, AppError> {
        let session = self.signed_in().ok_or(AppError::Unauthorized)?;
        let role = StaffRole::from_db(&session.role).ok_or_else(|| AppError::Internal("staff role".into()))?;
        let own = session.tenant_id.as_deref();
        if role == StaffRole::Operator || own == Some(tenant.to_db().as_str()) {
            Ok(Person { session, role })
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The shell's view of the signed-in person.
    pub fn who<'w>(&self, session: &'w StaffSession, csrf: &'w CsrfToken) -> Who<'w> {
        Who { name: &session.name, csrf: &csrf.value, operator: session.tenant_id.is_none() }
    }

    /// The session at `stage`, if that is where this browser's sign-in stands.
    pub fn at_stage(&self, stage: Stage) -> Option<&StaffSession> {
        self.session.as_ref().filter(|s| s.stage == stage)
    }

    /// Where a person who asked for a page they cannot have yet goes: the step their sign-in
    /// is at, or the set-up page, or signing in.
    pub fn way_in(&self) -> Response {
        Response::see_other(match self.session.as_ref().map(|s| s.stage) {
            Some(Stage::Password) => "/sign-in/code",
            Some(Stage::Enrol) => "/second-factor",
            Some(Stage::SignedIn) => "/",
            None => "/sign-in",
        })
    }

    pub fn csrf_token(&self) -> Result<CsrfToken, AppError> {
        match cookies::read(self.req, self.names.csrf).filter(|t| presented_hash(t).is_some()) {
            Some(token) => Ok(CsrfToken { value: token.to_owned(), is_new: false }),
            None => Ok(CsrfToken { value: random_text(self.rt)?, is_new: true }),
        }
    }

    pub fn with_csrf(&self, response: Response, token: &CsrfToken) -> Response {
        if token.is_new {
            response.add_header("set-cookie", &cookies::set(self.names.csrf, &token.value, None, self.names.secure))
        } else {
            response
        }
    }

    /// A form page drawn with this browser's CSRF token.
    pub fn form_page(&self, status: u16, draw: impl FnOnce(&str) -> String) -> Result<Response, AppError> {
        let token = self.csrf_token()?;
        Ok(self.with_csrf(Response::html(status, draw(&token.value)), &token))
    }

    /// The posted form's fields, once its origin and CSRF token check out (OWASP CSRF
    /// Prevention Cheat Sheet: double-submit token, and the `Origin` where sent).
    pub fn form(&self) -> Result<Vec<(String, String)>, AppError> {
        if !is_media_type(self.req.header("content-type"), "application/x-www-form-urlencoded") {
            return Err(AppError::BadRequest("expected an HTML form".into()));
        }
        let fields = form_fields(&self.req.body).ok_or_else(|| AppError::BadRequest("the form is not valid".into()))?;
        single_valued(&fields)?;
        self.posted_here(&fields)?;
        Ok(fields)
    }

    /// A posted form with a file (`multipart/form-data`), checked as `form` checks one, once
    /// `may` says the person may do what it asks: its fields and files.
    pub fn form_with_files_if(&self, may: bool) -> Result<crate::app::files::MultipartForm<'_>, AppError> {
        let content_type = self.req.header("content-type").unwrap_or("");
        let form = crate::app::files::read_multipart(&self.req.body, content_type)?
            .ok_or_else(|| AppError::BadRequest("expected a form with a file".into()))?;
        self.posted_here(&form.fields)?;
        if may {
            Ok(form)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Whether a posted form came from the console's own page: another site's `Origin` or a
    /// CSRF token that does not match the cookie's is refused.
    fn posted_here(&self, fields: &[(String, String)]) -> Result<(), AppError> {
        let origin = links::origin(self.host, self.req.header("host").unwrap_or(""));
        if self.req.header("origin").is_some_and(|o| o != "null" && !o.eq_ignore_ascii_case(&origin)) {
            return Err(AppError::FormExpired);
        }
        let field = fields.iter().find(|(name, _)| name == csrf::FIELD).map(|(_, v)| v.as_str());
        if !csrf::tokens_match(cookies::read(self.req, self.names.csrf), field) {
            return Err(AppError::FormExpired);
        }
        Ok(())
    }

    /// The posted form's fields (`form`), once `may` says the person may do what it asks:
    /// 403 otherwise. The CSRF check comes first, so a forged post learns nothing.
    pub fn form_if(&self, may: bool) -> Result<Vec<(String, String)>, AppError> {
        let fields = self.form()?;
        if may {
            Ok(fields)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// A response that hands the browser a new session token (or ends it: None).
    pub fn with_session(&self, response: Response, token: Option<&str>, lifetime_ms: i64) -> Response {
        let cookie = match token {
            Some(token) => cookies::set(self.names.session, token, Some(lifetime_ms / 1000), self.names.secure),
            None => cookies::clear(self.names.session, self.names.secure),
        };
        response.add_header("set-cookie", &cookie)
    }

    /// Gives back one attempt counted in `bucket` (a sign-in that succeeded), for its batch.
    pub fn forgive(&self, bucket: &str, window_seconds: i64) -> Statement {
        rate_limits::forgive(&format!("console:{bucket}"), window_seconds * 1000, self.now)
    }

    /// Counts one attempt against `bucket` and refuses it past `max` per `window_seconds`.
    pub async fn rate_limit(&self, bucket: &str, max: i64, window_seconds: i64) -> Result<(), AppError> {
        crate::app::count_attempt(self.rt.db(), &format!("console:{bucket}"), max, window_seconds, self.now).await
    }
}

/// What a list page that makes secrets (API keys, webhook endpoints) shows besides its list:
/// the secret just made, shown this once; a notice; its form's problems and what was typed.
#[derive(Default)]
pub(super) struct MadeOnce<'a> {
    pub secret: Option<String>,
    pub notice: Option<&'a str>,
    pub problems: crate::views::form::Problems,
    pub typed: String,
}

/// The tenant a page's batch of reads starts with: its first statement's row, or 404.
pub(super) fn tenant_of(
    rows: &mut impl Iterator<Item = Vec<serde_json::Value>>,
) -> Result<tenants::TenantRow, AppError> {
    decode_rows::<tenants::TenantRow>(rows.next())?.into_iter().next().ok_or(AppError::NotFound)
}

/// The lifetimes `sign_in` gives the sessions it makes.
pub fn lifetime(stage: Stage) -> i64 {
    match stage {
        Stage::SignedIn => ABSOLUTE_MS,
        Stage::Password | Stage::Enrol => STEP_MS,
    }
}
