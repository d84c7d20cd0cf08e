//! `OpenID` Connect sign-in: the authorization code flow with PKCE and a nonce (OIDC Core
//! §3.1). `start` sends the browser to the provider with a pending request kept in D1 and a
//! cookie binding it to this browser; `callback` takes it back once, redeems the code at the
//! token endpoint and verifies the ID Token with the provider's published keys.

use super::sso_fetch::{self, may_refetch};
use super::sso_sign_in::{browser_started, complete, fail, limited, open_secret, remember_pending, Comeback, SignIn};
use super::Page;
use crate::auth::cookies;
use crate::auth::secret::sha256_hex;
use crate::http::{Method, Response};
use crate::runtime::{HttpClient, OutboundRequest, Runtime};
use crate::store::sso::{self, ConnectionRow};
use porch_sso::jwt::JwtKey;
use porch_sso::oidc::{self, AuthorizationRandom, IdTokenExpectations, OidcError, ProviderMetadata};
use porch_sso::policy::Identity;
use porch_types::error::AppError;
use porch_types::ids::SsoConnectionId;
use porch_types::sso::{OidcSettings, Settings};

/// Clock skew and ID Token age tolerated: it is minted at the code exchange, moments before.
const SKEW_SECONDS: i64 = 60;
const MAX_AGE_SECONDS: i64 = 600;

fn settings(connection: &ConnectionRow) -> Result<OidcSettings, AppError> {
    match connection.settings()? {
        Settings::Oidc(settings) => Ok(settings),
        _ => Err(AppError::NotFound),
    }
}

fn redirect_uri<R: Runtime>(page: &Page<'_, R>, connection: &ConnectionRow) -> String {
    format!("{}/sso/{}/callback", page.origin(), connection.id)
}

/// The provider's metadata (OIDC Discovery 1.0 §4), cached per connection version.
async fn metadata<R: Runtime>(
    page: &Page<'_, R>,
    connection: &ConnectionRow,
    settings: &OidcSettings,
) -> Result<ProviderMetadata, (String, String)> {
    let url = format!("{}/.well-known/openid-configuration", settings.issuer.trim_end_matches('/'));
    let cache_key = format!("sso:oidc:{}:{}", connection.id, connection.updated_at);
    let document =
        sso_fetch::json_document(page, &url, &cache_key, false).await.map_err(|e| ("discovery".to_owned(), e))?;
    oidc::parse_provider_metadata(document.as_bytes(), &settings.issuer, None, page.rt.config().sso_loopback_http)
        .map_err(|e| (e.code().to_owned(), e.to_string()))
}

/// `GET /sso/{id}/start` for an OIDC connection.
pub async fn start<R: Runtime>(
    page: &Page<'_, R>,
    connection: &ConnectionRow,
    return_to: &str,
) -> Result<Response, AppError> {
    let id = SsoConnectionId::parse(&connection.id).ok_or(AppError::NotFound)?;
    let settings = settings(connection)?;
    let metadata = match metadata(page, connection, &settings).await {
        Ok(metadata) => metadata,
        Err((code, detail)) => return fail(page, Some(id), &code, &detail, None).await,
    };
    let mut random = AuthorizationRandom { state: [0; 32], nonce: [0; 32], code_verifier: [0; 32] };
    page.rt.fill_random(&mut random.state)?;
    page.rt.fill_random(&mut random.nonce)?;
    page.rt.fill_random(&mut random.code_verifier)?;
    let login_hint = page.req.query_param("login_hint");
    let started = oidc::start_authorization(
        &metadata,
        &settings.client_id,
        &redirect_uri(page, connection),
        login_hint.as_deref(),
        &random,
    );
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
    let metadata = match metadata(page, connection, &settings).await {
        Ok(metadata) => metadata,
        Err((code, detail)) => return fail(page, Some(id), &code, &detail, None).await,
    };
    let answer = match oidc::parse_callback(&page.req.query, &metadata) {
        Ok(answer) => answer,
        Err(err) => return refuse(page, id, &err).await,
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
    let (Some(nonce), Some(verifier)) = (pending.nonce.as_deref(), pending.code_verifier.as_deref()) else {
        return Err(AppError::Internal("oidc request without nonce or verifier".into()));
    };
    let secret = client_secret(page, connection)?;
    let request = oidc::token_request(
        &metadata,
        &settings.client_id,
        &secret,
        &answer.code,
        &redirect_uri(page, connection),
        verifier,
    );
    let mut headers = vec![
        ("content-type".to_owned(), oidc::FORM_CONTENT_TYPE.to_owned()),
        ("accept".into(), "application/json".into()),
    ];
    if let Some(authorization) = request.authorization {
        headers.push(("authorization".into(), authorization));
    }
    let outbound = OutboundRequest { method: Method::Post, url: request.url, headers, body: Some(request.body) };
    let response = match page.rt.http().send(outbound).await {
        Ok(response) => response,
        Err(err) => {
            return fail(page, Some(id), "token_endpoint", &format!("the token endpoint did not answer: {err}"), None)
                .await
        }
    };
    let tokens = match oidc::parse_token_response(response.status, response.body.as_bytes()) {
        Ok(tokens) => tokens,
        Err(err) => return refuse(page, id, &err).await,
    };
    let expected = IdTokenExpectations {
        client_id: &settings.client_id,
        nonce,
        skew_seconds: SKEW_SECONDS,
        max_age_seconds: MAX_AGE_SECONDS,
    };
    let mut outcome = verify(page, connection, &metadata, &tokens.id_token, &expected, false).await;
    // A key the cached JWKS lacks may be a rotation: fetch once more (at most once a minute
    // per connection, so unknown keys cannot make porch hammer the provider), then decide.
    if matches!(&outcome, Err(Refused::Token(OidcError::IdToken(porch_sso::jwt::JwtError::UnknownKey))))
        && may_refetch(page, &connection.id).await
    {
        outcome = verify(page, connection, &metadata, &tokens.id_token, &expected, true).await;
    }
    let claims = match outcome {
        Ok(claims) => claims,
        Err(Refused::Token(err)) => return refuse(page, id, &err).await,
        Err(Refused::Keys(detail)) => return fail(page, Some(id), "keys", &detail, None).await,
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

enum Refused {
    Token(OidcError),
    Keys(String),
}

async fn verify<R: Runtime>(
    page: &Page<'_, R>,
    connection: &ConnectionRow,
    metadata: &ProviderMetadata,
    id_token: &str,
    expected: &IdTokenExpectations<'_>,
    refresh: bool,
) -> Result<oidc::IdTokenClaims, Refused> {
    let cache_key = format!("sso:oidc-jwks:{}:{}", connection.id, connection.updated_at);
    let document =
        sso_fetch::json_document(page, metadata.jwks_uri(), &cache_key, refresh).await.map_err(Refused::Keys)?;
    let keys = JwtKey::from_provider_jwks(metadata.id_token_algorithm(), &document)
        .map_err(|e| Refused::Keys(e.to_string()))?;
    oidc::verify_id_token(id_token, metadata, &keys, expected, page.now).map_err(Refused::Token)
}

async fn refuse<R: Runtime>(page: &Page<'_, R>, id: SsoConnectionId, err: &OidcError) -> Result<Response, AppError> {
    fail(page, Some(id), err.code(), &err.to_string(), None).await
}

/// The client secret, opened from its seal. No `Debug` on the way: it is never logged.
fn client_secret<R: Runtime>(page: &Page<'_, R>, connection: &ConnectionRow) -> Result<String, AppError> {
    let bytes =
        open_secret(page, connection).map_err(|problem| AppError::Internal(format!("client secret: {problem}")))?;
    String::from_utf8(bytes).map_err(|_| AppError::Internal("client secret is not text".into()))
}
