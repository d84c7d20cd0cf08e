//! `OpenID` Connect sign-in to a portal: `start` sends the browser to the provider with a
//! pending request kept in D1 and a cookie binding it to this browser; `callback` takes it
//! back once and has `app::oidc_client` redeem the code and verify the ID Token.

use super::sso_sign_in::{browser_started, complete, fail, limited, open_secret, remember_pending, Comeback, SignIn};
use super::Page;
use crate::app::oidc_client::{self, Failure, Pending, Provider};
use crate::auth::cookies;
use crate::auth::secret::sha256_hex;
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::sso::{self, ConnectionRow};
use porch_sso::oidc;
use porch_sso::policy::Identity;
use porch_types::error::AppError;
use porch_types::ids::SsoConnectionId;
use porch_types::sso::{OidcSettings, Settings};

fn settings(connection: &ConnectionRow) -> Result<OidcSettings, AppError> {
    match connection.settings()? {
        Settings::Oidc(settings) => Ok(settings),
        _ => Err(AppError::NotFound),
    }
}

fn redirect_uri<R: Runtime>(page: &Page<'_, R>, connection: &ConnectionRow) -> String {
    format!("{}/sso/{}/callback", page.origin(), connection.id)
}

fn provider<'a>(connection: &ConnectionRow, settings: &'a OidcSettings) -> Provider<'a> {
    Provider {
        cache_id: format!("{}:{}", connection.id, connection.updated_at),
        issuer: &settings.issuer,
        client_id: &settings.client_id,
    }
}

async fn refuse<R: Runtime>(page: &Page<'_, R>, id: SsoConnectionId, failure: &Failure) -> Result<Response, AppError> {
    fail(page, Some(id), &failure.code, &failure.detail, None).await
}

/// `GET /sso/{id}/start` for an OIDC connection.
pub async fn start<R: Runtime>(
    page: &Page<'_, R>,
    connection: &ConnectionRow,
    return_to: &str,
) -> Result<Response, AppError> {
    let id = SsoConnectionId::parse(&connection.id).ok_or(AppError::NotFound)?;
    let settings = settings(connection)?;
    let provider = provider(connection, &settings);
    let metadata = match oidc_client::metadata(page.rt, &provider).await {
        Ok(metadata) => metadata,
        Err(failure) => return refuse(page, id, &failure).await,
    };
    let login_hint = page.req.query_param("login_hint");
    let started = oidc_client::begin(
        page.rt,
        &metadata,
        &settings.client_id,
        &redirect_uri(page, connection),
        login_hint.as_deref(),
    )?;
    // RFC 6749 §10.12: the callback must come back to the browser that started it, so a
    // code an attacker obtained for their own account cannot be planted in a victim's.
    let oidc = Some((started.nonce.as_str(), started.code_verifier.as_str()));
    let cookie = remember_pending(page, id, &sha256_hex(&started.state), return_to, oidc, &Comeback::Redirect).await?;
    Ok(Response::see_other(&started.url).add_header("set-cookie", &cookie))
}

/// `GET /sso/{id}/callback`: the provider's answer.
pub async fn callback<R: Runtime>(page: &Page<'_, R>, connection: &ConnectionRow) -> Result<Response, AppError> {
    limited(page).await?;
    let id = SsoConnectionId::parse(&connection.id).ok_or(AppError::NotFound)?;
    let settings = settings(connection)?;
    let provider = provider(connection, &settings);
    let metadata = match oidc_client::metadata(page.rt, &provider).await {
        Ok(metadata) => metadata,
        Err(failure) => return refuse(page, id, &failure).await,
    };
    let answer = match oidc::parse_callback(&page.req.query, &metadata) {
        Ok(answer) => answer,
        Err(err) => return refuse(page, id, &err.into()).await,
    };
    let Some(pending) =
        sso::consume_request(page.rt.db(), page.scope, id, &sha256_hex(&answer.state), page.now).await?
    else {
        return fail(page, Some(id), "state", "no pending sign-in has this state (unknown, used or expired)", None)
            .await;
    };
    if !browser_started(page, page.cookies.sso, pending.browser_hash.as_deref()) {
        return fail(
            page,
            Some(id),
            "browser",
            "the sign-in came back to another browser than the one that started it",
            None,
        )
        .await;
    }
    let (Some(nonce), Some(code_verifier)) = (pending.nonce.as_deref(), pending.code_verifier.as_deref()) else {
        return Err(AppError::Internal("oidc request without nonce or verifier".into()));
    };
    let secret = client_secret(page, connection)?;
    let redirect_uri = redirect_uri(page, connection);
    let kept = Pending { redirect_uri: &redirect_uri, nonce, code_verifier };
    let claims = match oidc_client::redeem(page.rt, (&provider, &metadata), &secret, &answer.code, &kept).await {
        Ok(claims) => claims,
        Err(failure) => return refuse(page, id, &failure).await,
    };
    // OIDC Core §5.7: an address the provider does not say it verified may be anyone's
    // (some providers let users set it): never found by, unless the connection claims the
    // domain and chose to trust its provider there.
    if claims.email_verified != Some(true) && !settings.trust_unverified_email {
        return fail(page, Some(id), "email_not_verified", "the ID Token does not say the email is verified", None)
            .await;
    }
    let identity = Identity {
        email: claims.email,
        name: claims.name,
        locale: claims.locale,
        external_id: Some(claims.external_id),
        attributes: Vec::new(),
    };
    // The code was redeemed once at the provider and the state consumed once here: the ID
    // Token cannot come a second time, so it needs no replay key of its own.
    let done =
        complete(page, SignIn { connection, identity, once: None, return_to: &pending.return_to, warning: None })
            .await?;
    Ok(done.add_header("set-cookie", &cookies::clear(page.cookies.sso, page.cookies.secure)))
}

/// The client secret, opened from its seal. No `Debug` on the way: it is never logged.
fn client_secret<R: Runtime>(page: &Page<'_, R>, connection: &ConnectionRow) -> Result<String, AppError> {
    let bytes =
        open_secret(page, connection).map_err(|problem| AppError::Internal(format!("client secret: {problem}")))?;
    String::from_utf8(bytes).map_err(|_| AppError::Internal("client secret is not text".into()))
}
