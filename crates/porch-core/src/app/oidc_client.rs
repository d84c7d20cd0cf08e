//! porch as an `OpenID` Connect relying party: the authorization code flow with PKCE and a
//! nonce (OIDC Core §3.1), the half that does not depend on who signs in. The portals' SSO
//! connections and the console's sign-in for staff each keep their own pending requests and
//! decide who the verified person is; the provider's metadata, the authorization request,
//! the code exchange and the ID Token's verification are written once, here.

use crate::app::idp_documents::{json_document, may_refetch};
use crate::http::Method;
use crate::runtime::{HttpClient as _, OutboundRequest, Runtime};
use porch_sso::jwt::JwtKey;
use porch_sso::oidc::{
    self, AuthorizationRandom, AuthorizationStart, IdTokenClaims, IdTokenExpectations, OidcError, ProviderMetadata,
};
use porch_types::error::AppError;

/// Clock skew and ID Token age tolerated: it is minted at the code exchange, moments before.
const SKEW_SECONDS: i64 = 60;
const MAX_AGE_SECONDS: i64 = 600;

/// A provider as one connection knows it.
pub struct Provider<'a> {
    /// Names the connection's cached documents and its refetch budget: its id and the
    /// version of its settings, so a changed issuer never reads an old provider's keys.
    pub cache_id: String,
    pub issuer: &'a str,
    pub client_id: &'a str,
}

/// Why a sign-in stopped: a short code and what happened, for the event log.
#[derive(Debug)]
pub struct Failure {
    pub code: String,
    pub detail: String,
}

impl Failure {
    pub fn new(code: &str, detail: impl Into<String>) -> Failure {
        Failure { code: code.to_owned(), detail: detail.into() }
    }
}

impl From<OidcError> for Failure {
    fn from(err: OidcError) -> Failure {
        Failure::new(err.code(), err.to_string())
    }
}

/// The provider's metadata (OIDC Discovery 1.0 §4), cached per connection version.
pub async fn metadata<R: Runtime>(rt: &R, provider: &Provider<'_>) -> Result<ProviderMetadata, Failure> {
    let url = format!("{}/.well-known/openid-configuration", provider.issuer.trim_end_matches('/'));
    let cache_key = format!("sso:oidc:{}", provider.cache_id);
    let document = json_document(rt, &url, &cache_key, false).await.map_err(|e| Failure::new("discovery", e))?;
    oidc::parse_provider_metadata(document.as_bytes(), provider.issuer, None, rt.config().sso_loopback_http)
        .map_err(Failure::from)
}

/// A new authorization request to send the browser to, with fresh state, nonce and PKCE
/// verifier for the caller to keep for this browser.
pub fn begin<R: Runtime>(
    rt: &R,
    metadata: &ProviderMetadata,
    client_id: &str,
    redirect_uri: &str,
    login_hint: Option<&str>,
) -> Result<AuthorizationStart, AppError> {
    let mut random = AuthorizationRandom { state: [0; 32], nonce: [0; 32], code_verifier: [0; 32] };
    rt.fill_random(&mut random.state)?;
    rt.fill_random(&mut random.nonce)?;
    rt.fill_random(&mut random.code_verifier)?;
    Ok(oidc::start_authorization(metadata, client_id, redirect_uri, login_hint, &random))
}

/// What the caller kept for the sign-in the callback answers.
pub struct Pending<'a> {
    pub redirect_uri: &'a str,
    pub nonce: &'a str,
    pub code_verifier: &'a str,
}

/// Redeems the callback's `code` at the token endpoint (authenticated with `client_secret`)
/// and verifies the ID Token with the provider's published keys: the claims it vouches for.
pub async fn redeem<R: Runtime>(
    rt: &R,
    (provider, metadata): (&Provider<'_>, &ProviderMetadata),
    client_secret: &str,
    code: &str,
    pending: &Pending<'_>,
) -> Result<IdTokenClaims, Failure> {
    let request = oidc::token_request(
        metadata,
        provider.client_id,
        client_secret,
        code,
        pending.redirect_uri,
        pending.code_verifier,
    );
    let mut headers = vec![
        ("content-type".to_owned(), oidc::FORM_CONTENT_TYPE.to_owned()),
        ("accept".into(), "application/json".into()),
    ];
    if let Some(authorization) = request.authorization {
        headers.push(("authorization".into(), authorization));
    }
    let outbound = OutboundRequest { method: Method::Post, url: request.url, headers, body: Some(request.body) };
    let response = rt
        .http()
        .send(outbound)
        .await
        .map_err(|err| Failure::new("token_endpoint", format!("the token endpoint did not answer: {err}")))?;
    let tokens = oidc::parse_token_response(response.status, response.body.as_bytes())?;
    let expected = IdTokenExpectations {
        client_id: provider.client_id,
        nonce: pending.nonce,
        skew_seconds: SKEW_SECONDS,
        max_age_seconds: MAX_AGE_SECONDS,
    };
    let mut outcome = verify(rt, provider, metadata, &tokens.id_token, &expected, false).await;
    // A key the cached JWKS lacks may be a rotation: fetch once more (at most once a minute
    // per connection, so unknown keys cannot make porch hammer the provider), then decide.
    if matches!(&outcome, Err(Refused::Token(OidcError::IdToken(porch_sso::jwt::JwtError::UnknownKey))))
        && may_refetch(rt, &provider.cache_id).await
    {
        outcome = verify(rt, provider, metadata, &tokens.id_token, &expected, true).await;
    }
    match outcome {
        Ok(claims) => Ok(claims),
        Err(Refused::Token(err)) => Err(err.into()),
        Err(Refused::Keys(detail)) => Err(Failure::new("keys", detail)),
    }
}

enum Refused {
    Token(OidcError),
    Keys(String),
}

async fn verify<R: Runtime>(
    rt: &R,
    provider: &Provider<'_>,
    metadata: &ProviderMetadata,
    id_token: &str,
    expected: &IdTokenExpectations<'_>,
    refresh: bool,
) -> Result<IdTokenClaims, Refused> {
    let cache_key = format!("sso:oidc-jwks:{}", provider.cache_id);
    let document = json_document(rt, metadata.jwks_uri(), &cache_key, refresh).await.map_err(Refused::Keys)?;
    let keys = JwtKey::from_provider_jwks(metadata.id_token_algorithm(), &document)
        .map_err(|e| Refused::Keys(e.to_string()))?;
    oidc::verify_id_token(id_token, metadata, &keys, expected, rt.now()).map_err(Refused::Token)
}
