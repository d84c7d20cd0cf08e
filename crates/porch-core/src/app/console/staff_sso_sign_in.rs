//! Signing in to the console through a tenant's own `OpenID` Connect provider: the person
//! types their work email, its domain names the tenant's provider (`app::staff_sso`), and
//! `app::oidc_client` does the protocol. Only someone already on that tenant's staff gets
//! in, found by the email the provider says it verified; the operator never (they belong to
//! no tenant). The provider asks for its own factors, so the session starts signed in.
//! Every failure reads the same, with a reference the log holds the reason under.

use super::sign_in::{field, new_session};
use super::{lifetime, Console};
use crate::app::links;
use crate::app::oidc_client::{self, Failure, Pending, Provider};
use crate::app::staff_sso::redirect_uri;
use crate::auth::cookies;
use crate::auth::sealing;
use crate::auth::secret::{random_text, sha256_hex, stored_hash_matches, Token};
use crate::http::Response;
use crate::i18n::Translations as _;
use crate::runtime::Runtime;
use crate::store::staff::{self, NewSession, Stage};
use crate::store::staff_sso::{self, NewRequest, StaffSsoRow};
use crate::store::Database;
use crate::views::console as view;
use crate::views::form::Problems;
use porch_sso::oidc;
use porch_types::email::Email;
use porch_types::error::AppError;
use porch_types::ids::{StaffSsoId, TenantId};

/// A started sign-in must come back within this time.
const PENDING_SECONDS: i64 = 600;
/// Single sign-on requests per client address per 15 minutes (each may cost a fetch and a
/// signature check).
const SSO_PER_IP: i64 = 30;
const WINDOW_SECONDS: i64 = 900;

fn provider(row: &StaffSsoRow) -> Provider<'_> {
    Provider { cache_id: row.cache_id(), issuer: &row.issuer, client_id: &row.client_id }
}

fn callback_uri<R: Runtime>(console: &Console<'_, R>, row: &StaffSsoRow) -> String {
    let origin = links::origin(&console.rt.config().console_host, console.req.header("host").unwrap_or(""));
    redirect_uri(&origin, &row.id)
}

/// The sign-in page again, the single sign-on form saying `message`.
fn again<R: Runtime>(console: &Console<'_, R>, status: u16, typed: &str, message: &str) -> Result<Response, AppError> {
    let problems = Problems::of("sso_email", message);
    console.form_page(status, |csrf| view::sign_in(console.lang, csrf, ("", typed), &problems))
}

/// Stops the sign-in: the reason goes to the log under a reference the person is shown.
fn failed<R: Runtime>(console: &Console<'_, R>, failure: &Failure) -> Result<Response, AppError> {
    let reference: String = random_text(console.rt)?.chars().take(10).collect();
    console.rt.log(&format!("staff single sign-on {reference} refused: {}: {}", failure.code, failure.detail));
    let problems = Problems::general((console.lang.staff_sso().failed)(&reference));
    let page = console.form_page(403, |csrf| view::sign_in(console.lang, csrf, ("", ""), &problems))?;
    Ok(page.add_header("set-cookie", &cookies::clear(console.names.sso, console.names.secure)))
}

/// Counts a single sign-on request against the client's address.
async fn limited<R: Runtime>(console: &Console<'_, R>) -> Result<(), AppError> {
    console.rate_limit(&format!("sso:ip:{}", console.req.client_address()), SSO_PER_IP, WINDOW_SECONDS).await
}

/// `POST /sign-in/sso`: the work email typed. When its domain has a provider, the sign-in
/// is started here, under the form's CSRF check (a link from elsewhere cannot start one and
/// so cannot sign a browser in to someone else's account): the pending sign-in and the
/// cookie binding it to this browser, then on to the provider by a fresh navigation
/// (`views::console::continuing`: the form's `form-action 'self'` forbids a redirect there).
pub async fn start<R: Runtime>(console: &Console<'_, R>) -> Result<Response, AppError> {
    let fields = console.form()?;
    let typed = field(&fields, "sso_email").trim();
    if limited(console).await.is_err() {
        return again(console, 429, typed, console.lang.console().too_many_attempts);
    }
    let found = match Email::parse(typed) {
        Ok(email) => staff_sso::for_domain(console.rt.db(), email.domain()).await?.map(|row| (email, row)),
        Err(_) => None,
    };
    let Some((email, row)) = found else {
        return again(console, 400, typed, console.lang.staff_sso().no_provider);
    };
    let tenant = TenantId::parse(&row.tenant_id).ok_or_else(|| AppError::Internal("staff sso tenant".into()))?;
    let metadata = match oidc_client::metadata(console.rt, &provider(&row)).await {
        Ok(metadata) => metadata,
        Err(failure) => return failed(console, &failure),
    };
    let callback = callback_uri(console, &row);
    let started = oidc_client::begin(console.rt, &metadata, &row.client_id, &callback, Some(email.as_str()))?;
    // RFC 6749 §10.12: the answer must come back to this browser, so a code obtained for
    // someone else's account cannot be planted here.
    let browser = Token::generate(console.rt)?;
    let request = NewRequest {
        state_hash: &sha256_hex(&started.state),
        browser_hash: &browser.hash,
        nonce: &started.nonce,
        code_verifier: &started.code_verifier,
        connection_version: row.version,
        expires_at: console.now.plus_seconds(PENDING_SECONDS),
    };
    console.rt.db().execute(staff_sso::insert_request(tenant, &request)).await?;
    let cookie = cookies::set(console.names.sso, &browser.text, Some(PENDING_SECONDS), console.names.secure);
    Ok(Response::html(200, view::continuing(console.lang, &started.url))
        .with_header("refresh", &format!("0;url={}", started.url))
        .add_header("set-cookie", &cookie))
}

/// `GET /sso/{connection}/callback`: the provider's answer. The state names the sign-in,
/// taken once whatever follows; it must have started with this very connection, as it is
/// now, in this browser, before the code goes anywhere.
pub async fn callback<R: Runtime>(console: &Console<'_, R>, raw_id: &str) -> Result<Response, AppError> {
    limited(console).await?;
    let db = console.rt.db();
    let row = match StaffSsoId::parse(raw_id) {
        Some(id) => staff_sso::by_id(db, &id.to_db()).await?,
        None => None,
    };
    let Some(row) = row.filter(StaffSsoRow::is_enabled) else {
        return failed(console, &Failure::new("connection", "no switched-on single sign-on has this callback"));
    };
    let state = console.req.query_param("state").unwrap_or_default();
    let Some(pending) = staff_sso::consume_request(db, &sha256_hex(&state), console.now).await? else {
        return failed(console, &Failure::new("state", "no pending sign-in has this state (unknown, used or expired)"));
    };
    if pending.tenant_id != row.tenant_id || pending.connection_version != row.version {
        return failed(
            console,
            &Failure::new("connection", "the sign-in was started with another provider, or before this one changed"),
        );
    }
    let browser = cookies::read(console.req, console.names.sso).map(sha256_hex);
    if !browser.is_some_and(|presented| stored_hash_matches(&pending.browser_hash, &presented)) {
        return failed(
            console,
            &Failure::new("browser", "the sign-in came back to another browser than the one that started it"),
        );
    }
    let tenant = TenantId::parse(&row.tenant_id).ok_or_else(|| AppError::Internal("staff sso tenant".into()))?;
    let provider = provider(&row);
    let metadata = match oidc_client::metadata(console.rt, &provider).await {
        Ok(metadata) => metadata,
        Err(failure) => return failed(console, &failure),
    };
    let answer = match oidc::parse_callback(&console.req.query, &metadata) {
        Ok(answer) => answer,
        Err(err) => return failed(console, &err.into()),
    };
    let secret = sealing::open(console.rt, &row.id, &row.sealed_secret)
        .map_err(|why| AppError::Internal(format!("staff sso client secret: {why}")))?;
    let secret = String::from_utf8(secret).map_err(|_| AppError::Internal("client secret is not text".into()))?;
    let redirect = callback_uri(console, &row);
    let kept = Pending { redirect_uri: &redirect, nonce: &pending.nonce, code_verifier: &pending.code_verifier };
    let claims = match oidc_client::redeem(console.rt, (&provider, &metadata), &secret, &answer.code, &kept).await {
        Ok(claims) => claims,
        Err(failure) => return failed(console, &failure),
    };
    // OIDC Core §5.7: an address the provider does not vouch for may be anyone's.
    if claims.email_verified != Some(true) {
        return failed(console, &Failure::new("email_not_verified", "the ID Token does not say the email is verified"));
    }
    // Only addresses of the tenant's own, proved domains: its provider speaks for those, not
    // for an outside address someone of its staff happens to have.
    if !staff_sso::domains(db, tenant).await?.iter().any(|d| d.is_verified() && d.domain == claims.email.domain()) {
        return failed(console, &Failure::new("domain", "the verified email is not at one of this tenant's domains"));
    }
    let Some(person) = staff_sso::member(db, tenant, claims.email.as_str()).await? else {
        return failed(console, &Failure::new("not_staff", "the verified email is not on this tenant's staff"));
    };
    let (token, expires_at) = new_session(console, Stage::SignedIn)?;
    let session = NewSession { token_hash: &token.hash, stage: Stage::SignedIn, pending_secret: None, expires_at };
    // A new sign-in replaces this browser's earlier session, as the password's does.
    let mut statements = vec![staff::insert_session(person, &session, console.now)];
    statements.extend(console.session.as_ref().map(|old| staff::delete_session(&old.token_hash)));
    db.batch(statements).await?;
    let done = console.with_session(Response::see_other("/"), Some(&token.text), lifetime(Stage::SignedIn));
    Ok(done.add_header("set-cookie", &cookies::clear(console.names.sso, console.names.secure)))
}
