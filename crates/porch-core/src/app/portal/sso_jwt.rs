//! JWT sign-in ("remote login", as Zendesk and `HubSpot` call it): the provider's application
//! signs a short-lived token for the person and sends their browser to `/sso/jwt` with it
//! (POST, or GET where the portal allows it) and an optional `return_to`.

use super::forms::{safe_return_to, Form};
use super::sso_sign_in::{complete, fail, limited, open_secret, SignIn};
use super::Page;
use crate::app::idp_documents::{self, may_refetch};
use crate::http::{percent_encode, Method, Response};
use crate::runtime::Runtime;
use crate::store::sso::{self, ConnectionRow};
use porch_sso::jwt::{self, JwtAlgorithm, JwtError, JwtKey, JwtPolicy};
use porch_sso::policy::Identity;
use porch_types::error::AppError;
use porch_types::ids::SsoConnectionId;
use porch_types::sso::{idp_url, JwtSettings, Settings};

/// `GET /sso/{id}/start` for a JWT connection: to the provider's login page, which sends the
/// person back with a token. `return_to` is absolute there, as those pages expect.
pub async fn start<R: Runtime>(
    page: &Page<'_, R>,
    connection: &ConnectionRow,
    return_to: &str,
) -> Result<Response, AppError> {
    let id = SsoConnectionId::parse(&connection.id);
    let Settings::Jwt(settings) = connection.settings()? else {
        return Err(AppError::NotFound);
    };
    let Some(login_url) = settings.login_url else {
        return fail(page, id, "no_login_url", "the JWT connection has no login_url to send people to", None).await;
    };
    let separator = if login_url.contains('?') { '&' } else { '?' };
    let back = format!("{}{return_to}", page.origin());
    Ok(Response::see_other(&format!("{login_url}{separator}return_to={}", percent_encode(&back, b"/:"))))
}

/// The token and `return_to` of a posted form or, where allowed, of the query.
fn presented<R: Runtime>(page: &Page<'_, R>) -> Result<(Option<String>, Option<String>), AppError> {
    if page.req.method == Method::Post {
        // The post comes from the provider's application on another site; the signed,
        // single-use token is what proves it.
        let form = Form::read_cross_site(page)?;
        Ok((form.get("jwt").map(str::to_owned), form.get("return_to").map(str::to_owned)))
    } else {
        Ok((page.req.query_param("jwt"), page.req.query_param("return_to")))
    }
}

/// A `return_to` on this portal: a path, or an absolute URL of this portal's own origin.
fn own_return_to<'a, R: Runtime>(page: &Page<'_, R>, raw: &'a str) -> Option<&'a str> {
    let origin = page.origin();
    let path = raw.strip_prefix(origin.as_str()).map_or(raw, |rest| if rest.is_empty() { "/" } else { rest });
    safe_return_to(path)
}

/// The portal's JWT connection the token is for: the only one, or the one whose issuer the
/// token names (read unverified to choose; the chosen connection then verifies it).
fn choose<'a>(
    connections: &'a [(ConnectionRow, JwtSettings)],
    token: &str,
) -> Option<&'a (ConnectionRow, JwtSettings)> {
    if let [only] = connections {
        return Some(only);
    }
    let issuer = jwt::unverified_issuer(token)?;
    let mut matching = connections.iter().filter(|(_, s)| s.issuer.as_deref() == Some(issuer.as_str()));
    let first = matching.next();
    if matching.next().is_some() {
        return None;
    }
    first
}

/// `POST /sso/jwt` (and `GET` where allowed).
pub async fn sign_in<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    limited(page).await?;
    let mut connections = Vec::new();
    for row in sso::list_enabled(page.rt.db(), page.scope).await? {
        if let Settings::Jwt(settings) = row.settings()? {
            connections.push((row, settings));
        }
    }
    if connections.is_empty() {
        return Err(AppError::NotFound);
    }
    let (token, return_to) = presented(page)?;
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return fail(page, None, "malformed", "no jwt field", None).await;
    };
    let Some((connection, settings)) = choose(&connections, &token) else {
        return fail(
            page,
            None,
            "unknown_issuer",
            "no single JWT connection of this portal matches the token's issuer",
            None,
        )
        .await;
    };
    let id = SsoConnectionId::parse(&connection.id);
    if page.req.method != Method::Post && !settings.allow_get {
        return fail(
            page,
            id,
            "get_not_allowed",
            "the token came in a URL; this connection takes it by POST only",
            None,
        )
        .await;
    }
    let return_to = return_to.as_deref().and_then(|raw| own_return_to(page, raw)).unwrap_or("/");
    let known = match keys(page, connection, settings, false).await {
        Ok(keys) => keys,
        Err(problem) => return fail(page, id, "keys", &problem, None).await,
    };
    let verified = match verify(&token, settings, &known, page) {
        // A key the cached JWKS lacks may be a rotation: fetch once more (at most once a
        // minute per connection), then decide.
        Err(Refused::Token(JwtError::UnknownKey))
            if settings.jwks_url.is_some() && may_refetch(page.rt, &connection.id).await =>
        {
            match keys(page, connection, settings, true).await {
                Ok(fresh) => verify(&token, settings, &fresh, page),
                Err(problem) => return fail(page, id, "keys", &problem, None).await,
            }
        }
        other => other,
    };
    let claims = match verified {
        Ok(claims) => claims,
        Err(Refused::Token(err)) => return fail(page, id, err.code(), &err.to_string(), None).await,
        Err(Refused::Configuration(detail)) => return fail(page, id, "configuration", &detail, None).await,
    };
    let mut attributes = Vec::new();
    if let Some(organization) = &claims.organization {
        attributes.push(("organization".to_owned(), vec![organization.clone()]));
    }
    let identity = Identity {
        email: claims.email.clone(),
        name: claims.name.clone(),
        locale: claims.locale,
        external_id: claims.external_id.clone(),
        attributes,
    };
    complete(
        page,
        SignIn { connection, identity, once: Some((&claims.jti, claims.usable_until)), return_to, warning: None },
    )
    .await
}

/// Why a token did not verify: the token's fault, or the connection's settings'.
enum Refused {
    Token(JwtError),
    Configuration(String),
}

fn verify<R: Runtime>(
    token: &str,
    settings: &JwtSettings,
    keys: &[JwtKey],
    page: &Page<'_, R>,
) -> Result<jwt::VerifiedClaims, Refused> {
    let algorithm = JwtAlgorithm::parse(&settings.algorithm)
        .ok_or_else(|| Refused::Configuration(format!("unknown algorithm {}", settings.algorithm)))?;
    let policy = JwtPolicy::new(
        algorithm,
        keys,
        settings.issuer.as_deref(),
        settings.audience.as_deref(),
        settings.skew_seconds,
        settings.max_age_seconds,
    )
    .map_err(|err| Refused::Configuration(err.to_string()))?;
    jwt::verify(token, &policy, page.now).map_err(Refused::Token)
}

/// The connection's verifying keys: its sealed HS256 secret, its inline JWKS, or its JWKS
/// URL's document (cached; `refresh` fetches anew).
async fn keys<R: Runtime>(
    page: &Page<'_, R>,
    connection: &ConnectionRow,
    settings: &JwtSettings,
    refresh: bool,
) -> Result<Vec<JwtKey>, String> {
    let algorithm = JwtAlgorithm::parse(&settings.algorithm).ok_or("unknown algorithm")?;
    if algorithm == JwtAlgorithm::Hs256 {
        let secret = open_secret(page, connection)?;
        return JwtKey::hs256(&secret).map(|key| vec![key]).map_err(|err| err.to_string());
    }
    match (&settings.jwks, &settings.jwks_url) {
        (Some(inline), _) => JwtKey::from_jwks(algorithm, &inline.to_string()).map_err(|err| err.to_string()),
        (None, Some(url)) => {
            // Checked again at use: the URL was checked under the deployment's settings then.
            idp_url(url, page.rt.config().sso_loopback_http).map_err(|err| format!("jwks_url: {err}"))?;
            let cache_key = format!("sso:jwks:{}:{}", connection.id, connection.updated_at);
            let document = idp_documents::json_document(page.rt, url, &cache_key, refresh).await?;
            // A provider's published set may hold other keys (encryption, other algorithms):
            // those are skipped, not fatal.
            JwtKey::from_provider_jwks(algorithm, &document).map_err(|err| err.to_string())
        }
        (None, None) => Err("the connection has no keys".into()),
    }
}
