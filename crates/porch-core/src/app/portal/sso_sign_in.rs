//! Finishing a single sign-on, whatever the protocol: the portal's policy, single use, the
//! account (made just in time) and the session in one batch, and an entry in the SSO event
//! log either way. Every failure is the same branded page with a reference code; what failed
//! goes only to the log and to the provider's event log. Also the rate limit and the
//! pending-sign-in cookie the protocols share.

use super::forms::{client_ip, rate_limit};
use super::session::{self, lifetime_ms};
use super::Page;
use crate::auth::cookies;
use crate::auth::secret::{sha256_hex, stored_hash_matches, Token};
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::sessions;
use crate::store::sso::{self, ConnectionRow, Event};
use crate::store::{wrote, Database};
use crate::views::sso::{self as view};
use porch_sso::policy::{self, Identity, Rules};
use porch_sso::seal;
use porch_types::error::AppError;
use porch_types::ids::{AccountId, SsoConnectionId, SsoEventId};
use porch_types::time::Timestamp;

/// SSO requests per client address per 15 minutes: far above any person's sign-ins, low
/// enough that signature checks cannot be used to burn the worker's CPU.
const SSO_PER_IP: i64 = 60;

/// Counts an SSO request against the client address; past the limit, the failure page.
pub async fn limited<R: Runtime>(page: &Page<'_, R>) -> Result<(), AppError> {
    rate_limit(page, &format!("sso:ip:{}", client_ip(page)), SSO_PER_IP, 900).await
}

/// Whether the request carries the cookie whose hash a pending sign-in kept (the browser
/// that started it).
pub fn browser_started<R: Runtime>(page: &Page<'_, R>, cookie: &str, stored_hash: Option<&str>) -> bool {
    match (cookies::read(page.req, cookie), stored_hash) {
        (Some(presented), Some(stored)) => stored_hash_matches(stored, &sha256_hex(presented)),
        _ => false,
    }
}

/// A started sign-in must come back within this time.
const PENDING_SECONDS: i64 = 600;

/// How the cookie that binds a pending sign-in to its browser travels back.
pub enum Comeback {
    /// A top-level GET redirect (OIDC): a `SameSite=Lax` cookie is sent.
    Redirect,
    /// A cross-site form POST (SAML's HTTP-POST binding): only `SameSite=None` is sent.
    CrossSitePost,
}

/// Remembers a sign-in porch starts (a SAML request ID, or an OIDC state's hash, with its
/// nonce and PKCE verifier) and binds it to this browser by a cookie, so the answer cannot be
/// carried into another person's browser (login CSRF). The `Set-Cookie` value to send.
pub async fn remember_pending<R: Runtime>(
    page: &Page<'_, R>,
    connection: SsoConnectionId,
    id: &str,
    return_to: &str,
    oidc: Option<(&str, &str)>,
    comeback: &Comeback,
) -> Result<String, AppError> {
    let browser = Token::generate(page.rt)?;
    let pending = sso::PendingRequest {
        id,
        connection,
        return_to,
        browser_hash: &browser.hash,
        nonce: oidc.map(|(nonce, _)| nonce),
        code_verifier: oidc.map(|(_, verifier)| verifier),
        expires_at: page.now.plus_seconds(PENDING_SECONDS),
    };
    page.rt.db().execute(sso::insert_request(page.scope, &pending)).await?;
    Ok(match comeback {
        Comeback::Redirect => cookies::set(page.cookies.sso, &browser.text, Some(PENDING_SECONDS), page.cookies.secure),
        Comeback::CrossSitePost => cookies::set_cross_site(page.cookies.sso_saml, &browser.text, PENDING_SECONDS),
    })
}

/// A connection's sealed secret (HS256 key, OIDC client secret), opened; why not, as text.
pub fn open_secret<R: Runtime>(page: &Page<'_, R>, connection: &ConnectionRow) -> Result<Vec<u8>, String> {
    let key = page.rt.config().sso_sealing_key.as_ref().ok_or("this deployment has no SSO_SEALING_KEY")?;
    let sealed = connection.sealed_secret.as_deref().ok_or("the connection has no secret")?;
    Ok(seal::open(key, &connection.id, sealed).ok_or("the secret does not open with this deployment's key")?)
}

/// What a verified sign-in brings to `complete`.
pub struct SignIn<'a> {
    pub connection: &'a ConnectionRow,
    pub identity: Identity,
    /// The token's or assertion's id and until when it must be remembered (single use).
    pub once: Option<(&'a str, Timestamp)>,
    pub return_to: &'a str,
    /// Something the provider should act on, added to the sign-in's event (e.g. a pinned
    /// SAML certificate near its end).
    pub warning: Option<String>,
}

/// Lets a verified person in under the portal's policy: single use of the token or
/// assertion, the account (made on first sign-in), a new session, the event; or the
/// failure page.
pub async fn complete<R: Runtime>(page: &Page<'_, R>, sign_in: SignIn<'_>) -> Result<Response, AppError> {
    let connection = sign_in.connection;
    let id = SsoConnectionId::parse(&connection.id).ok_or_else(|| AppError::Internal("connection id".into()))?;
    let identity = &sign_in.identity;
    let customer_value = connection.customer_attribute.as_deref().and_then(|a| identity.first(a));
    let subject = identity.external_id.as_deref();
    let portal_customer = page.portal.context.customer_id.clone();
    let (facts, existing) =
        sso::person_facts(page.rt.db(), page.scope, id, identity, customer_value, portal_customer).await?;
    let admission = connection.admission();
    let rules = Rules {
        connection_id: &connection.id,
        admission: &admission,
        fixed_customer: connection.customer_id.as_deref(),
        customer_attribute: connection.customer_attribute.as_deref(),
    };
    let email = Some(identity.email.as_str());
    let admitted = match policy::decide(identity, &rules, &facts) {
        Ok(admitted) => admitted,
        Err(refusal) => return fail(page, Some(id), refusal.code(), &refusal.to_string(), email).await,
    };
    // RFC 7519 §4.1.7 / SAML Core §2.3.3: an id is accepted once. A unique key in D1, so a
    // second presentation anywhere in the world finds the first at once. Spent before the
    // batch below: if that batch fails the person signs in again with a new token (never
    // twice with one).
    if let Some((once, usable_until)) = sign_in.once {
        let spent = page.rt.db().execute(sso::spend_once(page.scope, id, once, usable_until)).await?;
        if spent == 0 {
            return fail(page, Some(id), "replay", "this token or assertion was used before", email).await;
        }
    }
    let now = page.now;
    let new_session = session::fresh_token(page, lifetime_ms(page))?;
    let mut batch = Vec::new();
    match &existing {
        None => {
            let account = AccountId::from_random(page.rt.random_16()?);
            let name = identity.name.as_deref().map(display_name).filter(|n| !n.is_empty());
            let name = name.unwrap_or_else(|| identity.email.as_str().to_owned());
            let language = identity.locale.unwrap_or(page.lang);
            let customer = admitted.customer.as_deref();
            batch.push(sso::insert_account(page.scope, account, &identity.email, &name, customer, language, now));
        }
        Some(existing) => {
            let account = AccountId::parse(&existing.id).ok_or_else(|| AppError::Internal("account id".into()))?;
            if existing.email_verified_at.is_none() {
                batch.push(sso::prove_address(page.scope, account, now));
                batch.push(sso::end_sessions_if_changed(page.scope, account));
            }
            if let (None, Some(customer)) = (&existing.customer_id, &admitted.customer) {
                batch.push(sso::assign_customer(page.scope, &identity.email, customer, now));
            }
        }
    }
    batch.push(sso::link(page.scope, &identity.email, id, subject));
    let expires_at = Timestamp::from_millis(now.millis().saturating_add(lifetime_ms(page)));
    let session_index = batch.len();
    batch.push(sso::insert_session(page.scope, &new_session.token_hash, &identity.email, expires_at, now));
    let reference = reference(page)?;
    let mut detail = String::from(if existing.is_some() { "signed in" } else { "signed in; account created" });
    if let Some(warning) = &sign_in.warning {
        detail.push_str("; ");
        detail.push_str(warning);
    }
    let event = Event {
        id: SsoEventId::from_random(page.rt.random_16()?),
        connection: Some(id),
        signed_in: true,
        code: "signed_in",
        detail: &detail,
        reference: &reference,
        email,
    };
    batch.push(sso::insert_event(page.scope, &event, true, now));
    if let Some(old) = page.visitor.member() {
        batch.push(sessions::delete(page.scope, &old.token_hash));
    }
    let changed = page.rt.db().batch(batch).await?;
    if !wrote(&changed, session_index) {
        return Err(AppError::Internal("sso session for a missing account".into()));
    }
    Ok(Response::see_other(super::landing(page.portal, sign_in.return_to))
        .add_header("set-cookie", &new_session.set_cookie))
}

/// A display name as an identity provider sends it, made fit to show: no control or
/// invisible format characters (dropped: a person's sign-in is not refused for them), at
/// most 200 characters.
fn display_name(raw: &str) -> String {
    let shown = |c: &char| !c.is_control() && !porch_types::text::is_invisible_format(*c);
    raw.chars().filter(shown).take(200).collect::<String>().trim().to_owned()
}

/// A short code the person can quote and the provider can find in the event log.
fn reference<R: Runtime>(page: &Page<'_, R>) -> Result<String, AppError> {
    // Crockford's base32 without look-alikes; 10 characters, 50 bits: unique enough to find
    // one event of one portal, and easy to read out on the phone.
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bytes = page.rt.random_16()?;
    Ok(bytes.iter().take(10).map(|b| char::from(ALPHABET.get(usize::from(b & 31)).copied().unwrap_or(b'0'))).collect())
}

/// The failure page, after the event is recorded: the reason goes to the log and the event
/// log, never to the page (it would teach an attacker which check to work on next).
pub async fn fail<R: Runtime>(
    page: &Page<'_, R>,
    connection: Option<SsoConnectionId>,
    code: &str,
    detail: &str,
    email: Option<&str>,
) -> Result<Response, AppError> {
    let reference = reference(page)?;
    let detail: String = detail.chars().filter(|c| !c.is_control()).take(300).collect();
    page.rt.log(&format!("sso refused on portal {}: {code} ({detail}), reference {reference}", page.scope.portal));
    let event = Event {
        id: SsoEventId::from_random(page.rt.random_16()?),
        connection,
        signed_in: false,
        code,
        detail: &detail,
        reference: &reference,
        email,
    };
    page.rt.db().execute(sso::insert_event(page.scope, &event, false, page.now)).await?;
    Ok(Response::html(403, view::failed(page.portal, page.lang, &reference)))
}
