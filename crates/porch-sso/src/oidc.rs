//! OIDC sign-in as a relying party (authorization code flow with PKCE): discovery
//! documents, authorization requests, callbacks, token requests and responses, and ID Token
//! verification. Protocol only: strings and bytes in, typed values or an `OidcError` with a
//! stable `code()` out. Fetching, storing the per-sign-in state, time and randomness are the
//! caller's; which portal and what account are decided by the tenant policy.
//!
//! The flow the caller drives (OIDC Core 1.0 §3.1):
//! 1. `parse_provider_metadata` on the issuer's `/.well-known/openid-configuration`;
//! 2. `start_authorization` with 96 random bytes: redirect to `url`, remember `state`, `nonce`
//!    and `code_verifier` for this browser (keyed by `state`, single use);
//! 3. `parse_callback` on the redirect's query, then look the sign-in up by `state`;
//! 4. `token_request`, POST it to the token endpoint, `parse_token_response`;
//! 5. `JwtKey::from_provider_jwks` on the fetched `jwks_uri` and `verify_id_token` with the
//!    remembered nonce (on `unknown_key`, fetch the JWKS again once: the provider rolled keys).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use super::jwt::{self, JwtAlgorithm, JwtError, JwtKey, JwtPolicy, KeyError};
use porch_types::email::Email;
use porch_types::language::Language;
use porch_types::percent::{percent_decode, percent_encode};
use porch_types::time::Timestamp;
use porch_types::url::{HttpsUrl, UrlError};

/// The largest discovery document read: real ones are a few KB.
pub const MAX_METADATA_BYTES: usize = 64 * 1024;
/// The largest token response read: an ID Token is capped at `jwt::MAX_TOKEN_BYTES`, the
/// access and refresh tokens beside it are opaque and may be long.
pub const MAX_TOKEN_RESPONSE_BYTES: usize = 64 * 1024;
/// The largest callback query read.
pub const MAX_CALLBACK_BYTES: usize = 8 * 1024;
/// Longest `code` and `state` accepted on the callback (ours are 43 characters; codes are
/// opaque, and some providers make them long).
const MAX_CODE_CHARS: usize = 4096;
const MAX_STATE_CHARS: usize = 256;
/// How much of a provider's `error` and `error_description` is kept for the event log.
const MAX_ERROR_CODE_CHARS: usize = 64;
const MAX_ERROR_DESCRIPTION_CHARS: usize = 200;
/// The scopes asked for (Core §3.1.2.1 `openid`; §5.4 `email` and `profile` for the claims
/// the account is made from).
pub const SCOPE: &str = "openid email profile";
/// The body type of a token request (RFC 6749 §4.1.3).
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// Why a step of the flow failed. `code()` is what the SSO event log records; the messages
/// carry nothing secret (no codes, tokens, nonces or client secrets), and text from the
/// provider is sanitised and cut short.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OidcError {
    #[error("the discovery document is larger than {MAX_METADATA_BYTES} bytes")]
    MetadataTooLarge,
    #[error("the discovery document is not a JSON object of the expected shape")]
    MetadataMalformed,
    #[error("the discovery document has no \"{0}\"")]
    MetadataMissing(&'static str),
    #[error("the configured issuer is not an https URL without query or fragment")]
    ConfiguredIssuer,
    #[error("the discovery document's issuer is not exactly the configured one")]
    IssuerMismatch,
    #[error("\"{0}\" is not an https URL")]
    InsecureEndpoint(&'static str),
    #[error("\"{0}\" is not a usable URL (credentials, fragment, private host or malformed)")]
    BadEndpoint(&'static str),
    #[error("the provider does not offer the authorization code flow (response type \"code\")")]
    CodeFlowUnsupported,
    #[error("the provider signs id_tokens with no algorithm porch verifies (RS256, ES256, EdDSA)")]
    NoUsableAlgorithm,
    #[error("the provider does not support PKCE with S256")]
    PkceUnsupported,
    #[error("the provider supports neither client_secret_basic nor client_secret_post")]
    TokenAuthUnsupported,

    #[error("the callback is not a well-formed authorization response")]
    CallbackMalformed,
    #[error("the callback's \"iss\" is missing or not the provider's")]
    CallbackIssuer,
    #[error("the provider refused the sign-in: {error}{}", description_suffix(description.as_deref()))]
    Provider { error: String, description: Option<String> },

    #[error("the token response is larger than {MAX_TOKEN_RESPONSE_BYTES} bytes")]
    TokenResponseTooLarge,
    #[error("the token response is not a JSON object of the expected shape (HTTP {0})")]
    TokenResponseMalformed(u16),
    #[error("the token endpoint refused the code: {error}{}", description_suffix(description.as_deref()))]
    TokenEndpoint { error: String, description: Option<String> },
    #[error("the token response's token_type is not Bearer")]
    TokenType,
    #[error("the token response has no id_token")]
    MissingIdToken,

    #[error("the provider's JWKS: {0}")]
    Jwks(KeyError),
    #[error("the id_token check is misconfigured (skew or maximum age out of range)")]
    Configuration,
    #[error("id_token: {0}")]
    IdToken(JwtError),
    #[error("the id_token has no \"exp\"")]
    MissingExpiry,
    #[error("the id_token has no \"nonce\"")]
    MissingNonce,
    #[error("the id_token's nonce is not this sign-in's")]
    NonceMismatch,
    #[error("the id_token's authorized party (\"azp\") is missing or not this client")]
    AuthorizedParty,
    #[error("the id_token has no usable \"sub\"")]
    Subject,
    #[error("the id_token has no usable \"email\"")]
    Email,
    #[error("the provider says the email address is not verified")]
    EmailNotVerified,
    #[error("the id_token's claims are not of the expected shape")]
    Claims,
}

fn description_suffix(description: Option<&str>) -> String {
    description.map_or_else(String::new, |d| format!(" ({d})"))
}

impl OidcError {
    /// The code recorded in the SSO event log. ID Token failures found by the JWT verifier
    /// keep its codes (`signature`, `expired`, `issuer`, `audience`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            OidcError::MetadataTooLarge => "metadata_too_large",
            OidcError::MetadataMalformed => "metadata_malformed",
            OidcError::MetadataMissing(_) => "metadata_missing",
            OidcError::ConfiguredIssuer => "configured_issuer",
            OidcError::IssuerMismatch => "issuer_mismatch",
            OidcError::InsecureEndpoint(_) => "endpoint_not_https",
            OidcError::BadEndpoint(_) => "endpoint_invalid",
            OidcError::CodeFlowUnsupported => "code_flow_unsupported",
            OidcError::NoUsableAlgorithm => "alg_unsupported",
            OidcError::PkceUnsupported => "pkce_unsupported",
            OidcError::TokenAuthUnsupported => "token_auth_unsupported",
            OidcError::CallbackMalformed => "callback_malformed",
            OidcError::CallbackIssuer => "callback_issuer",
            OidcError::Provider { .. } => "provider_error",
            OidcError::TokenResponseTooLarge => "token_response_too_large",
            OidcError::TokenResponseMalformed(_) => "token_response_malformed",
            OidcError::TokenEndpoint { .. } => "token_error",
            OidcError::TokenType => "token_type",
            OidcError::MissingIdToken => "id_token_missing",
            OidcError::Jwks(_) => "jwks",
            OidcError::Configuration => "configuration",
            OidcError::IdToken(error) => error.code(),
            OidcError::MissingExpiry => "expiry_missing",
            OidcError::MissingNonce => "nonce_missing",
            OidcError::NonceMismatch => "nonce_mismatch",
            OidcError::AuthorizedParty => "azp",
            OidcError::Subject => "sub",
            OidcError::Email => "email",
            OidcError::EmailNotVerified => "email_not_verified",
            OidcError::Claims => "claims",
        }
    }

    /// The provider's OAuth error code (RFC 6749 §4.1.2.1, §5.2), sanitised, if it sent one.
    pub fn oauth_error(&self) -> Option<&str> {
        match self {
            OidcError::Provider { error, .. } | OidcError::TokenEndpoint { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// How porch authenticates to the token endpoint (RFC 6749 §2.3.1; Core §9).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenAuthMethod {
    /// HTTP Basic with the form-encoded client id and secret: the default (Discovery §3).
    ClientSecretBasic,
    /// Client id and secret in the request body, for providers that offer only that.
    ClientSecretPost,
}

/// What porch needs of a provider's discovery document, checked. Serialisable so the caller
/// can cache it (it is written by porch from a checked document; the fields are private so
/// that nothing else makes one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderMetadata {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    #[serde(with = "algorithm_name")]
    id_token_algorithm: JwtAlgorithm,
    token_auth_method: TokenAuthMethod,
    /// RFC 9207 §3: the provider puts `iss` on its authorization responses.
    #[serde(default)]
    callback_iss: bool,
}

impl ProviderMetadata {
    pub fn issuer(&self) -> &str {
        &self.issuer
    }
    pub fn authorization_endpoint(&self) -> &str {
        &self.authorization_endpoint
    }
    pub fn token_endpoint(&self) -> &str {
        &self.token_endpoint
    }
    pub fn jwks_uri(&self) -> &str {
        &self.jwks_uri
    }
    /// The one algorithm ID Tokens must be signed with (RFC 8725 §3.1: from configuration,
    /// never from the token).
    pub fn id_token_algorithm(&self) -> JwtAlgorithm {
        self.id_token_algorithm
    }
    pub fn token_auth_method(&self) -> TokenAuthMethod {
        self.token_auth_method
    }
}

/// `JwtAlgorithm` by its `alg` name in the cached JSON; HS256 is refused on the way back in,
/// so a tampered cache entry cannot turn the client secret into an ID Token key.
mod algorithm_name {
    use serde::{Deserialize as _, Deserializer, Serializer};

    use super::JwtAlgorithm;

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` passes the field by reference.
    pub fn serialize<S: Serializer>(alg: &JwtAlgorithm, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(alg.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<JwtAlgorithm, D::Error> {
        let name = String::deserialize(deserializer)?;
        JwtAlgorithm::parse(&name)
            .filter(|alg| *alg != JwtAlgorithm::Hs256)
            .ok_or_else(|| serde::de::Error::custom("not an id_token algorithm porch verifies"))
    }
}

/// The discovery document's members porch reads (Discovery §3); others are ignored.
#[derive(Deserialize)]
struct RawMetadata {
    issuer: Option<String>,
    authorization_endpoint: Option<String>,
    token_endpoint: Option<String>,
    jwks_uri: Option<String>,
    response_types_supported: Option<Vec<String>>,
    id_token_signing_alg_values_supported: Option<Vec<String>>,
    code_challenge_methods_supported: Option<Vec<String>>,
    token_endpoint_auth_methods_supported: Option<Vec<String>>,
    authorization_response_iss_parameter_supported: Option<bool>,
}

/// The ID Token algorithms porch verifies, in the order it picks them when the provider
/// offers several and the portal named none.
const ID_TOKEN_ALGORITHMS: [JwtAlgorithm; 3] = [JwtAlgorithm::Rs256, JwtAlgorithm::Es256, JwtAlgorithm::EdDsa];

/// Checks a provider's discovery document (OIDC Discovery 1.0 §3, §4) against the
/// issuer the portal configured.
///
/// `preferred_algorithm` is the portal's choice of ID Token algorithm, when it made one; it
/// must be offered. Otherwise RS256 is taken when offered (the default signing algorithm of a
/// client that registered none, OIDC Registration 1.0 §2), else the
/// first of ES256 and `EdDSA` offered. `allow_loopback_http` admits `http://127.0.0.1:port` and
/// `http://localhost:port` for the issuer and endpoints: the worker sets it in development and
/// tests only.
pub fn parse_provider_metadata(
    document: &[u8],
    configured_issuer: &str,
    preferred_algorithm: Option<JwtAlgorithm>,
    allow_loopback_http: bool,
) -> Result<ProviderMetadata, OidcError> {
    if document.len() > MAX_METADATA_BYTES {
        return Err(OidcError::MetadataTooLarge);
    }
    // Discovery §3: "an https URL that contains no query or fragment components".
    if configured_issuer.contains(['?', '#']) || checked_url(configured_issuer, "issuer", allow_loopback_http).is_err()
    {
        return Err(OidcError::ConfiguredIssuer);
    }
    let raw: RawMetadata = serde_json::from_slice(document).map_err(|_| OidcError::MetadataMalformed)?;
    // Discovery §4.3: the issuer in the document MUST be identical to the one it was fetched
    // for, or an attacker's provider could stand in for another (§7.2 impersonation). Exact
    // string comparison: no case folding, no trailing-slash repair.
    let issuer = raw.issuer.ok_or(OidcError::MetadataMissing("issuer"))?;
    if issuer != configured_issuer {
        return Err(OidcError::IssuerMismatch);
    }
    let endpoint = |value: Option<String>, field: &'static str| {
        checked_url(&value.ok_or(OidcError::MetadataMissing(field))?, field, allow_loopback_http)
    };
    let authorization_endpoint = endpoint(raw.authorization_endpoint, "authorization_endpoint")?;
    let token_endpoint = endpoint(raw.token_endpoint, "token_endpoint")?;
    let jwks_uri = endpoint(raw.jwks_uri, "jwks_uri")?;
    // Discovery §3: response_types_supported is REQUIRED; the code flow is the only one porch
    // runs (Core §3.1: tokens never pass through the browser).
    let response_types = raw.response_types_supported.ok_or(OidcError::MetadataMissing("response_types_supported"))?;
    if !response_types.iter().any(|t| t == "code") {
        return Err(OidcError::CodeFlowUnsupported);
    }
    // Discovery §3: id_token_signing_alg_values_supported is REQUIRED. `none` and HS256 are
    // never chosen: HS256 would make the client secret a token key (Core §10.1), `none` is
    // no signature at all (Core §3.1.3.7 item 6 allows only TLS-validated tokens without one
    // and porch does not rely on that).
    let offered = raw
        .id_token_signing_alg_values_supported
        .ok_or(OidcError::MetadataMissing("id_token_signing_alg_values_supported"))?;
    let is_offered = |alg: JwtAlgorithm| offered.iter().any(|name| name == alg.name());
    let id_token_algorithm = match preferred_algorithm {
        Some(alg) if alg != JwtAlgorithm::Hs256 && is_offered(alg) => alg,
        Some(_) => return Err(OidcError::NoUsableAlgorithm),
        None => ID_TOKEN_ALGORITHMS.into_iter().find(|alg| is_offered(*alg)).ok_or(OidcError::NoUsableAlgorithm)?,
    };
    // RFC 8414 §2 / RFC 7636 §4.3: when listed, the methods must include S256 (porch never
    // sends `plain`). When absent, PKCE is still sent: a server without it ignores unknown
    // parameters (RFC 6749 §3.1), and the nonce still binds the id_token to this browser.
    if raw.code_challenge_methods_supported.is_some_and(|methods| !methods.iter().any(|m| m == "S256")) {
        return Err(OidcError::PkceUnsupported);
    }
    // Discovery §3: absent means client_secret_basic.
    let token_auth_method = match raw.token_endpoint_auth_methods_supported {
        None => TokenAuthMethod::ClientSecretBasic,
        Some(methods) if methods.iter().any(|m| m == "client_secret_basic") => TokenAuthMethod::ClientSecretBasic,
        Some(methods) if methods.iter().any(|m| m == "client_secret_post") => TokenAuthMethod::ClientSecretPost,
        Some(_) => return Err(OidcError::TokenAuthUnsupported),
    };
    Ok(ProviderMetadata {
        issuer,
        authorization_endpoint,
        token_endpoint,
        jwks_uri,
        id_token_algorithm,
        token_auth_method,
        callback_iss: raw.authorization_response_iss_parameter_supported.unwrap_or(false),
    })
}

/// An endpoint URL (Discovery §3: endpoints and `jwks_uri` use https), normalised. https URLs
/// go through `HttpsUrl`, which also refuses IP literals and `localhost`: the worker fetches
/// the token endpoint and the JWKS, and the addresses come from a tenant's configuration
/// (OWASP SSRF Prevention Cheat Sheet). Plain http only to loopback, and only when allowed.
fn checked_url(value: &str, field: &'static str, allow_loopback_http: bool) -> Result<String, OidcError> {
    match HttpsUrl::parse(value) {
        Ok(url) => Ok(url.as_str().to_owned()),
        Err(UrlError::NotHttps) if allow_loopback_http && is_loopback_http(value) => Ok(value.to_owned()),
        Err(UrlError::NotHttps) => Err(OidcError::InsecureEndpoint(field)),
        Err(_) => Err(OidcError::BadEndpoint(field)),
    }
}

/// `http://127.0.0.1:port/...` or `http://localhost:port/...` with a port, nothing odd.
fn is_loopback_http(value: &str) -> bool {
    let Some(rest) = value.strip_prefix("http://") else { return false };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let port_ok = |host: &str| {
        authority.strip_prefix(host).and_then(|p| p.strip_prefix(':')).and_then(|p| p.parse::<u16>().ok()).is_some()
    };
    (port_ok("127.0.0.1") || port_ok("localhost"))
        && !tail.contains('#')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The randomness of one sign-in, from the runtime: 32 bytes each (256 bits, RFC 7636 §7.1
/// and Core §15.5.2 ask for enough entropy that the values cannot be guessed).
pub struct AuthorizationRandom {
    pub state: [u8; 32],
    pub nonce: [u8; 32],
    pub code_verifier: [u8; 32],
}

/// A started sign-in: send the browser to `url`; keep `state`, `nonce` and `code_verifier`
/// server-side for this browser until the callback, and use them once.
pub struct AuthorizationStart {
    pub url: String,
    /// Binds the callback to this browser's sign-in (RFC 6749 §10.12 CSRF).
    pub state: String,
    /// Must come back in the ID Token (Core §3.1.2.1, §15.5.2 replay).
    pub nonce: String,
    /// Proves the code's redeemer is the one who asked (RFC 7636 §4.1).
    pub code_verifier: String,
}

/// The PKCE S256 challenge of a verifier: `BASE64URL(SHA256(ASCII(code_verifier)))` (RFC 7636
/// §4.2).
pub fn pkce_challenge(code_verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(code_verifier.as_bytes()))
}

/// The authorization request (Core §3.1.2.1, RFC 7636 §4.3). `login_hint` is the address the
/// person typed when porch found their provider by its domain (Core §3.1.2.1 `login_hint`).
pub fn start_authorization(
    metadata: &ProviderMetadata,
    client_id: &str,
    redirect_uri: &str,
    login_hint: Option<&str>,
    random: &AuthorizationRandom,
) -> AuthorizationStart {
    // 32 random bytes as base64url: 43 characters of the unreserved set, the verifier
    // length and alphabet RFC 7636 §4.1 recommends.
    let state = URL_SAFE_NO_PAD.encode(random.state);
    let nonce = URL_SAFE_NO_PAD.encode(random.nonce);
    let code_verifier = URL_SAFE_NO_PAD.encode(random.code_verifier);
    let challenge = pkce_challenge(&code_verifier);
    let mut params: Vec<(&str, &str)> = vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("scope", SCOPE),
        ("state", &state),
        ("nonce", &nonce),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ];
    if let Some(hint) = login_hint.filter(|h| !h.is_empty()) {
        params.push(("login_hint", hint));
    }
    // RFC 6749 §3.1: the endpoint's own query component must be kept; ours is appended.
    let endpoint = &metadata.authorization_endpoint;
    let separator = if endpoint.contains('?') { '&' } else { '?' };
    let url = format!("{endpoint}{separator}{}", form_encode(&params));
    AuthorizationStart { url, state, nonce, code_verifier }
}

/// `name=value&...`, every byte but RFC 3986 unreserved ones percent-encoded: valid both as a
/// URL query and as `application/x-www-form-urlencoded` (where `%20` decodes as a space just
/// as `+` does, WHATWG URL §5.1).
fn form_encode(params: &[(&str, &str)]) -> String {
    params.iter().map(|(name, value)| format!("{name}={}", percent_encode(value, b""))).collect::<Vec<_>>().join("&")
}

/// A successful authorization response (Core §3.1.2.5).
pub struct AuthorizationResponse {
    pub code: String,
    /// Look the sign-in up by this; an unknown state is refused by the caller (RFC 6749
    /// §10.12).
    pub state: String,
}

/// Redacted: the code is a credential until redeemed.
impl std::fmt::Debug for AuthorizationResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizationResponse").field("code", &"<redacted>").field("state", &"<redacted>").finish()
    }
}

/// Reads the callback's query string (RFC 6749 §4.1.2, §4.1.2.1; Core §3.1.2.5, §3.1.2.6).
/// An error response becomes `OidcError::Provider` with the provider's error code and
/// description, sanitised and cut short. When present, or when the provider says it always
/// sends one, `iss` must be the provider's issuer (RFC 9207 §2.4: mix-up defence).
pub fn parse_callback(query: &str, metadata: &ProviderMetadata) -> Result<AuthorizationResponse, OidcError> {
    if query.len() > MAX_CALLBACK_BYTES {
        return Err(OidcError::CallbackMalformed);
    }
    let mut code = None;
    let mut state = None;
    let mut iss = None;
    let mut error = None;
    let mut description = None;
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(value).ok_or(OidcError::CallbackMalformed)?;
        let slot = match percent_decode(name).as_deref() {
            Some("code") => &mut code,
            Some("state") => &mut state,
            Some("iss") => &mut iss,
            Some("error") => &mut error,
            Some("error_description") => &mut description,
            _ => continue,
        };
        // RFC 6749 §3.1: parameters MUST NOT be included more than once; two values would
        // let two parsers (ours, a proxy's) disagree about which one counts.
        if slot.replace(value).is_some() {
            return Err(OidcError::CallbackMalformed);
        }
    }
    if let Some(iss) = &iss {
        if iss != &metadata.issuer {
            return Err(OidcError::CallbackIssuer);
        }
    } else if metadata.callback_iss {
        return Err(OidcError::CallbackIssuer);
    }
    if let Some(error) = error {
        return Err(OidcError::Provider {
            error: sanitise(&error, MAX_ERROR_CODE_CHARS),
            description: description.map(|d| sanitise(&d, MAX_ERROR_DESCRIPTION_CHARS)),
        });
    }
    let code = code.filter(|c| !c.is_empty() && c.len() <= MAX_CODE_CHARS).ok_or(OidcError::CallbackMalformed)?;
    let state = state.filter(|s| !s.is_empty() && s.len() <= MAX_STATE_CHARS).ok_or(OidcError::CallbackMalformed)?;
    Ok(AuthorizationResponse { code, state })
}

/// Provider text for the event log: RFC 6749 §4.1.2.1 limits `error` and `error_description`
/// to printable ASCII without `"` and `\`; anything else becomes `?`, and the text is cut at
/// `max` characters, so a hostile provider cannot write markup, control characters or a
/// novel into the log.
fn sanitise(text: &str, max: usize) -> String {
    text.chars().take(max).map(|c| if matches!(c, ' '..='~') && c != '"' && c != '\\' { c } else { '?' }).collect()
}

/// A token request (RFC 6749 §4.1.3; Core §3.1.3.1): POST `body` to `url` with
/// `Content-Type: FORM_CONTENT_TYPE` and, if set, `Authorization: authorization`. Holds the
/// client secret: not `Debug`, never logged.
pub struct TokenRequest {
    pub url: String,
    pub authorization: Option<String>,
    pub body: String,
}

/// The code exchange, with client authentication as the provider supports it.
pub fn token_request(
    metadata: &ProviderMetadata,
    client_id: &str,
    client_secret: &str,
    code: &str,
    redirect_uri: &str,
    code_verifier: &str,
) -> TokenRequest {
    // RFC 6749 §4.1.3: redirect_uri again, identical to the authorization request's;
    // RFC 7636 §4.5: the verifier. client_id is sent with Basic too: it is no secret, and
    // some servers look the client up by it before reading the header.
    let mut params = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("code_verifier", code_verifier),
        ("client_id", client_id),
    ];
    let authorization = match metadata.token_auth_method {
        TokenAuthMethod::ClientSecretBasic => Some(basic_authorization(client_id, client_secret)),
        TokenAuthMethod::ClientSecretPost => {
            params.push(("client_secret", client_secret));
            None
        }
    };
    TokenRequest { url: metadata.token_endpoint.clone(), authorization, body: form_encode(&params) }
}

/// `Basic base64(id:secret)`, where RFC 6749 §2.3.1 has the client id and secret
/// form-urlencoded first (so a `:` in the id cannot move the split, RFC 7617 §2).
pub fn basic_authorization(client_id: &str, client_secret: &str) -> String {
    let pair = format!("{}:{}", percent_encode(client_id, b""), percent_encode(client_secret, b""));
    format!("Basic {}", STANDARD.encode(pair))
}

/// What porch takes from a successful token response: the ID Token only. The access token
/// is not used (the ID Token carries the claims porch needs) and is not kept.
pub struct TokenResponse {
    pub id_token: String,
}

/// Redacted: the ID Token is a bearer credential of the person.
impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse").field("id_token", &"<redacted>").finish()
    }
}

/// Reads the token endpoint's answer (RFC 6749 §5.1, §5.2; Core §3.1.3.3, §3.1.3.4), given
/// its HTTP status and body.
pub fn parse_token_response(status: u16, body: &[u8]) -> Result<TokenResponse, OidcError> {
    #[derive(Deserialize)]
    struct Raw {
        token_type: Option<String>,
        id_token: Option<String>,
        error: Option<String>,
        error_description: Option<String>,
    }
    if body.len() > MAX_TOKEN_RESPONSE_BYTES {
        return Err(OidcError::TokenResponseTooLarge);
    }
    let raw: Raw = serde_json::from_slice(body).map_err(|_| OidcError::TokenResponseMalformed(status))?;
    // RFC 6749 §5.2: an error response carries `error` (usually with status 400).
    if let Some(error) = raw.error {
        return Err(OidcError::TokenEndpoint {
            error: sanitise(&error, MAX_ERROR_CODE_CHARS),
            description: raw.error_description.map(|d| sanitise(&d, MAX_ERROR_DESCRIPTION_CHARS)),
        });
    }
    if !(200..300).contains(&status) {
        return Err(OidcError::TokenResponseMalformed(status));
    }
    // Core §3.1.3.3: token_type MUST be Bearer, compared case-insensitively (RFC 6749 §5.1).
    if !raw.token_type.is_some_and(|t| t.eq_ignore_ascii_case("Bearer")) {
        return Err(OidcError::TokenType);
    }
    let id_token = raw.id_token.filter(|t| !t.is_empty()).ok_or(OidcError::MissingIdToken)?;
    Ok(TokenResponse { id_token })
}

/// What this sign-in expects of its ID Token.
pub struct IdTokenExpectations<'a> {
    /// This portal's client id at the provider: the audience (Core §3.1.3.7 items 3-5).
    pub client_id: &'a str,
    /// The nonce remembered from `start_authorization` for this sign-in.
    pub nonce: &'a str,
    /// Clock differences tolerated on `exp` and `iat` (0 to `jwt::MAX_SKEW_SECONDS`).
    pub skew_seconds: i64,
    /// How old `iat` may be (1 to `jwt::MAX_AGE_SECONDS`): the ID Token is minted at the code
    /// exchange, seconds before it is checked (Core §3.1.3.7 item 10).
    pub max_age_seconds: i64,
}

/// What a verified ID Token says about the person: the fields the JWT sign-in path's
/// `VerifiedClaims` has, for the same provisioning, with `sub` as the external id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdTokenClaims {
    pub email: Email,
    /// `Some(true)` when the provider vouches for the address, `None` when it does not say
    /// (a `false` is refused). The tenant policy decides whether `None` is enough.
    pub email_verified: Option<bool>,
    pub name: Option<String>,
    /// `sub`: the provider's stable id of the person, unique per issuer (Core §2, §5.7).
    pub external_id: String,
    pub locale: Option<Language>,
    /// Until when the ID Token could be presented.
    pub usable_until: Timestamp,
}

/// The ID Token claims read after the JWT verifier has checked signature, times, `iss` and
/// `aud`; other claims are ignored.
#[derive(Deserialize)]
struct RawIdClaims {
    aud: Option<serde_json::Value>,
    azp: Option<String>,
    nonce: Option<String>,
    sub: Option<String>,
    email: Option<String>,
    email_verified: Option<serde_json::Value>,
    name: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
    locale: Option<String>,
}

/// Verifies an ID Token from the token response (Core §3.1.3.7) with the provider's keys
/// (from `JwtKey::from_provider_jwks(metadata.id_token_algorithm(), jwks)`) at `now`.
pub fn verify_id_token(
    id_token: &str,
    metadata: &ProviderMetadata,
    keys: &[JwtKey],
    expected: &IdTokenExpectations<'_>,
    now: Timestamp,
) -> Result<IdTokenClaims, OidcError> {
    // Items 2, 3, 6, 7, 9, 10: the signature with the provider's keys under the algorithm
    // from the metadata (never the token's header: `none` and HS256 cannot verify, RFC 8725
    // §3.1); `iss` exactly the issuer; `aud` containing our client id; `exp` and `iat`.
    let policy = JwtPolicy::new(
        metadata.id_token_algorithm,
        keys,
        Some(&metadata.issuer),
        Some(expected.client_id),
        expected.skew_seconds,
        expected.max_age_seconds,
    )
    .map_err(|_| OidcError::Configuration)?;
    let signed = jwt::verify_signed(id_token, &policy, now).map_err(OidcError::IdToken)?;
    // Core §2: exp is REQUIRED in an id_token (the JWT path lets a token without one live
    // for its maximum age only; here a token without an end is not an id_token).
    if signed.expires.is_none() {
        return Err(OidcError::MissingExpiry);
    }
    let claims = RawIdClaims::deserialize(&signed.claims).map_err(|_| OidcError::Claims)?;
    // Items 4 and 5: with several audiences, `azp` must be present; when present, it must be
    // our client id (the token was issued to us, not to another audience member).
    let audiences = match &claims.aud {
        Some(serde_json::Value::Array(many)) => many.len(),
        _ => 1,
    };
    match claims.azp.as_deref() {
        Some(azp) if azp != expected.client_id => return Err(OidcError::AuthorizedParty),
        None if audiences > 1 => return Err(OidcError::AuthorizedParty),
        _ => {}
    }
    // Item 11 and §15.5.2: the nonce we sent for this sign-in, so that a token obtained for
    // another sign-in (or replayed) is refused. Compared in constant time: the nonce is the
    // secret that binds the token to this browser.
    let nonce = claims.nonce.ok_or(OidcError::MissingNonce)?;
    if !bool::from(nonce.as_bytes().ct_eq(expected.nonce.as_bytes())) {
        return Err(OidcError::NonceMismatch);
    }
    // Core §2: sub is REQUIRED, at most 255 ASCII characters.
    let external_id = claims
        .sub
        .filter(|sub| !sub.is_empty() && sub.len() <= 255 && sub.is_ascii() && !sub.chars().any(char::is_control))
        .ok_or(OidcError::Subject)?;
    // Core §5.1: email_verified is a boolean; some providers send "true"/"false" strings.
    // A provider saying "not verified" is refused on its own code: the address could be
    // anyone's, and accounts are matched by it.
    let email_verified = match &claims.email_verified {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Bool(verified)) => Some(*verified),
        Some(serde_json::Value::String(text)) if text.eq_ignore_ascii_case("true") => Some(true),
        Some(serde_json::Value::String(text)) if text.eq_ignore_ascii_case("false") => Some(false),
        Some(_) => return Err(OidcError::Claims),
    };
    if email_verified == Some(false) {
        return Err(OidcError::EmailNotVerified);
    }
    let email = claims.email.as_deref().and_then(|e| Email::parse(e).ok()).ok_or(OidcError::Email)?;
    let nonblank = |text: Option<String>| text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    // Core §5.1: `name` is the full name; without it, given and family name make one.
    let name = nonblank(claims.name).or_else(|| {
        let parts: Vec<String> = [claims.given_name, claims.family_name].into_iter().filter_map(nonblank).collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    });
    Ok(IdTokenClaims {
        email,
        email_verified,
        name,
        external_id,
        locale: claims.locale.as_deref().and_then(Language::from_tag),
        usable_until: signed.usable_until,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use jwt_compact::alg::{Es256, Hs256, Hs256Key, Rsa, RsaPrivateKey, StrongAlg, StrongKey};
    use jwt_compact::jwk::JsonWebKey;
    use jwt_compact::{AlgorithmExt as _, Claims, Header};
    use serde_json::{json, Value};

    use super::*;

    const NOW_MS: i64 = 1_795_000_000_000;
    const ISSUER: &str = "https://idp.example.com";
    const CLIENT: &str = "porch-client";
    const NONCE: &str = "n-0S6_WzA2Mj";
    const RSA_JWK: &str = include_str!("../../../tests/fixtures/sso/rsa2048-private.jwk.json");

    fn now() -> Timestamp {
        Timestamp::from_millis(NOW_MS)
    }

    fn seconds(offset: i64) -> i64 {
        NOW_MS / 1000 + offset
    }

    fn discovery() -> Value {
        json!({
            "issuer": ISSUER,
            "authorization_endpoint": "https://idp.example.com/authorize",
            "token_endpoint": "https://idp.example.com/token",
            "jwks_uri": "https://keys.example.com/jwks.json",
            "response_types_supported": ["code", "id_token", "code id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["HS256", "RS256", "ES256"],
            "code_challenge_methods_supported": ["plain", "S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"]
        })
    }

    fn parse(document: &Value) -> Result<ProviderMetadata, OidcError> {
        parse_provider_metadata(document.to_string().as_bytes(), ISSUER, None, false)
    }

    fn metadata() -> ProviderMetadata {
        parse(&discovery()).unwrap()
    }

    fn with(mut document: Value, key: &str, value: Value) -> Value {
        document[key] = value;
        document
    }

    fn rsa_private() -> StrongKey<RsaPrivateKey> {
        let jwk: JsonWebKey<'_> = serde_json::from_str(RSA_JWK).unwrap();
        StrongKey::try_from(RsaPrivateKey::try_from(&jwk).unwrap()).unwrap()
    }

    /// The provider's JWKS: the fixture's public RSA key among keys porch must skip (an
    /// encryption key, an EC key, a key for another algorithm).
    fn provider_jwks() -> String {
        let mut public: Value = serde_json::from_str(RSA_JWK).unwrap();
        let object = public.as_object_mut().unwrap();
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            object.remove(private);
        }
        object.insert("kid".into(), json!("rsa-1"));
        object.insert("use".into(), json!("sig"));
        let mut encryption = public.clone();
        encryption["use"] = json!("enc");
        encryption["kid"] = json!("rsa-enc");
        let mut other_alg = public.clone();
        other_alg["alg"] = json!("PS256");
        other_alg["kid"] = json!("rsa-ps");
        let ec = p256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
        let mut ec_public = serde_json::to_value(JsonWebKey::from(ec.verifying_key())).unwrap();
        ec_public["kid"] = json!("ec-1");
        json!({ "keys": [encryption, ec_public, other_alg, public] }).to_string()
    }

    fn rsa_keys() -> Vec<JwtKey> {
        JwtKey::from_provider_jwks(JwtAlgorithm::Rs256, &provider_jwks()).unwrap()
    }

    fn claims() -> Value {
        json!({ "iss": ISSUER, "sub": "248289761001", "aud": CLIENT, "exp": seconds(300), "iat": seconds(-5),
                "nonce": NONCE, "email": "Ada@Example.com", "email_verified": true, "name": "Ada Lovelace",
                "locale": "da-DK" })
    }

    fn rs256(payload: &Value) -> String {
        StrongAlg(Rsa::rs256())
            .token(&Header::empty().with_key_id("rsa-1"), &Claims::new(payload.clone()), &rsa_private())
            .unwrap()
    }

    fn expectations() -> IdTokenExpectations<'static> {
        IdTokenExpectations { client_id: CLIENT, nonce: NONCE, skew_seconds: 60, max_age_seconds: 600 }
    }

    fn check(token: &str) -> Result<IdTokenClaims, OidcError> {
        verify_id_token(token, &metadata(), &rsa_keys(), &expectations(), now())
    }

    fn check_claims(payload: &Value) -> Result<IdTokenClaims, OidcError> {
        check(&rs256(payload))
    }

    fn without(mut payload: Value, key: &str) -> Value {
        payload.as_object_mut().unwrap().remove(key);
        payload
    }

    // Discovery

    #[test]
    fn a_discovery_document_yields_the_endpoints_and_rs256_by_default() {
        let metadata = metadata();
        assert_eq!(metadata.issuer(), ISSUER);
        assert_eq!(metadata.authorization_endpoint(), "https://idp.example.com/authorize");
        assert_eq!(metadata.token_endpoint(), "https://idp.example.com/token");
        assert_eq!(metadata.jwks_uri(), "https://keys.example.com/jwks.json");
        assert_eq!(metadata.id_token_algorithm(), JwtAlgorithm::Rs256, "never HS256, though offered first");
        assert_eq!(metadata.token_auth_method(), TokenAuthMethod::ClientSecretBasic);
        // The cached JSON comes back as the same metadata.
        let cached = serde_json::to_string(&metadata).unwrap();
        assert_eq!(serde_json::from_str::<ProviderMetadata>(&cached).unwrap(), metadata);
        let tampered = cached.replace("\"RS256\"", "\"HS256\"");
        assert!(serde_json::from_str::<ProviderMetadata>(&tampered).is_err());
    }

    #[test]
    fn a_discovery_document_for_another_issuer_is_refused() {
        for other in ["https://evil.example.com", "https://idp.example.com/", "https://IDP.example.com"] {
            assert_eq!(parse(&with(discovery(), "issuer", json!(other))), Err(OidcError::IssuerMismatch), "{other}");
        }
        assert_eq!(parse(&without(discovery(), "issuer")), Err(OidcError::MetadataMissing("issuer")));
        let bad_config =
            parse_provider_metadata(discovery().to_string().as_bytes(), "https://idp.example.com?x", None, false);
        assert_eq!(bad_config, Err(OidcError::ConfiguredIssuer));
    }

    #[test]
    fn plain_http_endpoints_are_refused_unless_loopback_is_allowed() {
        let http = with(discovery(), "token_endpoint", json!("http://idp.example.com/token"));
        assert_eq!(parse(&http), Err(OidcError::InsecureEndpoint("token_endpoint")));
        let private = with(discovery(), "jwks_uri", json!("https://10.0.0.7/jwks"));
        assert_eq!(parse(&private), Err(OidcError::BadEndpoint("jwks_uri")));
        assert_eq!(parse(&without(discovery(), "jwks_uri")), Err(OidcError::MetadataMissing("jwks_uri")));

        let local = "http://127.0.0.1:8123";
        let mut document = with(discovery(), "issuer", json!(local));
        for (key, path) in
            [("authorization_endpoint", "/authorize"), ("token_endpoint", "/token"), ("jwks_uri", "/jwks")]
        {
            document[key] = json!(format!("{local}{path}"));
        }
        let bytes = document.to_string();
        assert_eq!(parse_provider_metadata(bytes.as_bytes(), local, None, false), Err(OidcError::ConfiguredIssuer));
        let dev = parse_provider_metadata(bytes.as_bytes(), local, None, true).unwrap();
        assert_eq!(dev.token_endpoint(), "http://127.0.0.1:8123/token");
        // Loopback only, with a port, even in development.
        document["token_endpoint"] = json!("http://192.168.1.5:8123/token");
        assert_eq!(
            parse_provider_metadata(document.to_string().as_bytes(), local, None, true),
            Err(OidcError::InsecureEndpoint("token_endpoint"))
        );
        document["token_endpoint"] = json!("http://localhost.evil.com:80/token");
        assert!(parse_provider_metadata(document.to_string().as_bytes(), local, None, true).is_err());
    }

    #[test]
    fn the_code_flow_a_verifiable_algorithm_and_s256_are_required() {
        assert_eq!(
            parse(&with(discovery(), "response_types_supported", json!(["id_token"]))),
            Err(OidcError::CodeFlowUnsupported)
        );
        let algs = |list: Value| parse(&with(discovery(), "id_token_signing_alg_values_supported", list));
        assert_eq!(algs(json!(["none", "HS256", "HS512"])), Err(OidcError::NoUsableAlgorithm));
        assert_eq!(algs(json!(["PS256", "ES256"])).unwrap().id_token_algorithm(), JwtAlgorithm::Es256);
        assert_eq!(algs(json!(["EdDSA"])).unwrap().id_token_algorithm(), JwtAlgorithm::EdDsa);
        let bytes = discovery().to_string();
        let pinned = parse_provider_metadata(bytes.as_bytes(), ISSUER, Some(JwtAlgorithm::Es256), false).unwrap();
        assert_eq!(pinned.id_token_algorithm(), JwtAlgorithm::Es256);
        assert_eq!(
            parse_provider_metadata(bytes.as_bytes(), ISSUER, Some(JwtAlgorithm::Hs256), false),
            Err(OidcError::NoUsableAlgorithm),
            "HS256 is never taken, even when the portal asks and the provider offers it"
        );
        assert_eq!(
            parse(&with(discovery(), "code_challenge_methods_supported", json!(["plain"]))),
            Err(OidcError::PkceUnsupported)
        );
        assert!(parse(&without(discovery(), "code_challenge_methods_supported")).is_ok());
        let post = with(discovery(), "token_endpoint_auth_methods_supported", json!(["client_secret_post"]));
        assert_eq!(parse(&post).unwrap().token_auth_method(), TokenAuthMethod::ClientSecretPost);
        let jwt_only = with(discovery(), "token_endpoint_auth_methods_supported", json!(["private_key_jwt"]));
        assert_eq!(parse(&jwt_only), Err(OidcError::TokenAuthUnsupported));
    }

    #[test]
    fn oversized_or_malformed_discovery_documents_are_refused() {
        let huge = vec![b' '; MAX_METADATA_BYTES + 1];
        assert_eq!(parse_provider_metadata(&huge, ISSUER, None, false), Err(OidcError::MetadataTooLarge));
        assert_eq!(parse_provider_metadata(b"[]", ISSUER, None, false), Err(OidcError::MetadataMalformed));
        assert_eq!(parse(&with(discovery(), "jwks_uri", json!(5))), Err(OidcError::MetadataMalformed));
    }

    // Authorization request

    #[test]
    fn the_pkce_challenge_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn the_authorization_url_carries_every_parameter_encoded() {
        let random = AuthorizationRandom { state: [1; 32], nonce: [2; 32], code_verifier: [3; 32] };
        let start = start_authorization(
            &metadata(),
            CLIENT,
            "https://support.acme.com/sso/oidc/callback",
            Some("ada+test@example.com"),
            &random,
        );
        assert_eq!(start.state, URL_SAFE_NO_PAD.encode([1; 32]));
        assert_eq!(start.nonce, URL_SAFE_NO_PAD.encode([2; 32]));
        assert_eq!(start.code_verifier.len(), 43);
        let (endpoint, query) = start.url.split_once('?').unwrap();
        assert_eq!(endpoint, "https://idp.example.com/authorize");
        let param = |name: &str| {
            query.split('&').find_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                (key == name).then(|| porch_types::percent::percent_decode(value)).flatten()
            })
        };
        assert_eq!(param("response_type").as_deref(), Some("code"));
        assert_eq!(param("client_id").as_deref(), Some(CLIENT));
        assert_eq!(param("redirect_uri").as_deref(), Some("https://support.acme.com/sso/oidc/callback"));
        assert_eq!(param("scope").as_deref(), Some("openid email profile"));
        assert_eq!(param("state"), Some(start.state.clone()));
        assert_eq!(param("nonce"), Some(start.nonce.clone()));
        assert_eq!(param("code_challenge"), Some(pkce_challenge(&start.code_verifier)));
        assert_eq!(param("code_challenge_method").as_deref(), Some("S256"));
        assert_eq!(param("login_hint").as_deref(), Some("ada+test@example.com"), "the + survives as %2B");
        assert!(query.contains("scope=openid%20email%20profile"));
        assert!(query.contains("redirect_uri=https%3A%2F%2Fsupport.acme.com%2Fsso%2Foidc%2Fcallback"));

        // An endpoint's own query is kept.
        let document =
            with(discovery(), "authorization_endpoint", json!("https://idp.example.com/authorize?tenant=acme"));
        let start = start_authorization(&parse(&document).unwrap(), CLIENT, "https://x.example.com/cb", None, &random);
        assert!(start.url.starts_with("https://idp.example.com/authorize?tenant=acme&response_type=code&"));
        assert!(!start.url.contains("login_hint"));
    }

    // Callback

    #[test]
    fn a_callback_yields_its_code_and_state() {
        let response = parse_callback("code=Spl%2BxBB&state=abc&session_state=x", &metadata()).unwrap();
        assert_eq!(response.code, "Spl+xBB");
        assert_eq!(response.state, "abc");
    }

    #[test]
    fn a_provider_error_on_the_callback_is_typed_and_sanitised() {
        let error = parse_callback(
            "error=access_denied&error_description=User+%3Cb%3Esaid%3C%2Fb%3E+no%0A&state=abc",
            &metadata(),
        )
        .unwrap_err();
        assert_eq!(error.code(), "provider_error");
        assert_eq!(error.oauth_error(), Some("access_denied"));
        assert_eq!(
            error,
            OidcError::Provider { error: "access_denied".into(), description: Some("User <b>said</b> no?".into()) }
        );
        let long = format!("error={}&state=s", "x".repeat(500));
        assert_eq!(parse_callback(&long, &metadata()).unwrap_err().oauth_error().unwrap().len(), MAX_ERROR_CODE_CHARS);
    }

    #[test]
    fn a_callback_with_missing_or_repeated_parameters_or_another_issuer_is_refused() {
        let metadata = metadata();
        for query in ["state=abc", "code=x", "code=&state=abc", "code=a&code=b&state=abc", "code=a&state=%ZZ"] {
            assert_eq!(parse_callback(query, &metadata).err(), Some(OidcError::CallbackMalformed), "{query}");
        }
        let mix_up = "code=a&state=b&iss=https%3A%2F%2Fevil.example.com";
        assert_eq!(parse_callback(mix_up, &metadata).err(), Some(OidcError::CallbackIssuer));
        assert!(parse_callback("code=a&state=b&iss=https%3A%2F%2Fidp.example.com", &metadata).is_ok());
        let announced =
            parse(&with(discovery(), "authorization_response_iss_parameter_supported", json!(true))).unwrap();
        assert_eq!(parse_callback("code=a&state=b", &announced).err(), Some(OidcError::CallbackIssuer));
    }

    // Token request and response

    #[test]
    fn the_token_request_sends_the_code_verifier_and_basic_credentials_form_encoded() {
        let request = token_request(&metadata(), "client:1", "s3cr et/+", "co de", "https://x.example.com/cb", "verif");
        assert_eq!(request.url, "https://idp.example.com/token");
        assert_eq!(
            request.body,
            "grant_type=authorization_code&code=co%20de&redirect_uri=https%3A%2F%2Fx.example.com%2Fcb\
             &code_verifier=verif&client_id=client%3A1"
        );
        // RFC 6749 §2.3.1: form-encoded, then joined by ':' and base64-encoded.
        let expected = format!("Basic {}", STANDARD.encode("client%3A1:s3cr%20et%2F%2B"));
        assert_eq!(request.authorization, Some(expected));
        assert_eq!(basic_authorization("porch", "secret"), "Basic cG9yY2g6c2VjcmV0");

        let post =
            parse(&with(discovery(), "token_endpoint_auth_methods_supported", json!(["client_secret_post"]))).unwrap();
        let request = token_request(&post, "porch", "secret", "c", "https://x.example.com/cb", "v");
        assert_eq!(request.authorization, None);
        assert!(request.body.ends_with("&client_id=porch&client_secret=secret"));
    }

    #[test]
    fn a_token_response_yields_the_id_token_and_an_error_response_its_code() {
        let ok = json!({ "access_token": "at", "token_type": "bearer", "expires_in": 3600, "id_token": "a.b.c" });
        assert_eq!(parse_token_response(200, ok.to_string().as_bytes()).unwrap().id_token, "a.b.c");
        let mac = json!({ "access_token": "at", "token_type": "mac", "id_token": "a.b.c" });
        assert_eq!(parse_token_response(200, mac.to_string().as_bytes()).err(), Some(OidcError::TokenType));
        let no_id = json!({ "access_token": "at", "token_type": "Bearer" });
        assert_eq!(parse_token_response(200, no_id.to_string().as_bytes()).err(), Some(OidcError::MissingIdToken));

        let refused = json!({ "error": "invalid_grant", "error_description": "code \"used\"\u{1b}[31m" });
        let error = parse_token_response(400, refused.to_string().as_bytes()).unwrap_err();
        assert_eq!(error.code(), "token_error");
        assert_eq!(
            error,
            OidcError::TokenEndpoint { error: "invalid_grant".into(), description: Some("code ?used??[31m".into()) }
        );
        assert_eq!(
            parse_token_response(502, b"<html>Bad gateway</html>").err(),
            Some(OidcError::TokenResponseMalformed(502))
        );
        assert_eq!(parse_token_response(500, b"{}").err(), Some(OidcError::TokenResponseMalformed(500)));
        let huge = vec![b' '; MAX_TOKEN_RESPONSE_BYTES + 1];
        assert_eq!(parse_token_response(200, &huge).err(), Some(OidcError::TokenResponseTooLarge));
    }

    // id_token

    #[test]
    fn a_good_id_token_yields_the_persons_claims() {
        let verified = check_claims(&claims()).unwrap();
        assert_eq!(verified.email.as_str(), "ada@example.com");
        assert_eq!(verified.email_verified, Some(true));
        assert_eq!(verified.name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(verified.external_id, "248289761001");
        assert_eq!(verified.locale, Some(Language::Da));
        assert_eq!(verified.usable_until.millis(), (seconds(300) + 60) * 1000);
        let mut names = without(claims(), "name");
        names["given_name"] = json!("Ada");
        names["family_name"] = json!("Lovelace");
        assert_eq!(check_claims(&names).unwrap().name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(check_claims(&without(claims(), "email_verified")).unwrap().email_verified, None);
    }

    #[test]
    fn an_es256_id_token_verifies_when_the_metadata_says_es256() {
        let ec = p256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
        let token = Es256.token(&Header::empty().with_key_id("ec-1"), &Claims::new(claims()), &ec).unwrap();
        let bytes = discovery().to_string();
        let es = parse_provider_metadata(bytes.as_bytes(), ISSUER, Some(JwtAlgorithm::Es256), false).unwrap();
        let keys = JwtKey::from_provider_jwks(JwtAlgorithm::Es256, &provider_jwks()).unwrap();
        assert_eq!(keys.len(), 1, "only the EC key is usable for ES256");
        assert!(verify_id_token(&token, &es, &keys, &expectations(), now()).is_ok());
        // The same token against RS256 metadata: refused by its header, whatever the keys.
        assert_eq!(check(&token).err(), Some(OidcError::IdToken(JwtError::Algorithm("ES256".into()))));
    }

    #[test]
    fn a_nonce_that_is_missing_or_not_this_sign_ins_is_refused() {
        assert_eq!(check_claims(&without(claims(), "nonce")).err(), Some(OidcError::MissingNonce));
        assert_eq!(check_claims(&with(claims(), "nonce", json!("n-0S6_WzA2Mk"))).err(), Some(OidcError::NonceMismatch));
        assert_eq!(check_claims(&with(claims(), "nonce", json!(""))).err(), Some(OidcError::NonceMismatch));
        assert_eq!(check_claims(&with(claims(), "nonce", json!(42))).err(), Some(OidcError::Claims));
    }

    #[test]
    fn several_audiences_need_an_azp_of_this_client_and_any_azp_must_be_this_client() {
        let many = with(claims(), "aud", json!(["other-app", CLIENT]));
        assert_eq!(check_claims(&many).err(), Some(OidcError::AuthorizedParty));
        assert!(check_claims(&with(many.clone(), "azp", json!(CLIENT))).is_ok());
        assert_eq!(check_claims(&with(many, "azp", json!("other-app"))).err(), Some(OidcError::AuthorizedParty));
        assert_eq!(check_claims(&with(claims(), "azp", json!("other-app"))).err(), Some(OidcError::AuthorizedParty));
        assert!(check_claims(&with(claims(), "azp", json!(CLIENT))).is_ok());
        assert!(check_claims(&with(claims(), "aud", json!([CLIENT]))).is_ok(), "one audience in an array");
    }

    #[test]
    fn an_audience_without_this_client_or_another_issuer_is_refused() {
        let error = check_claims(&with(claims(), "aud", json!(["other-app", "porch"]))).unwrap_err();
        assert_eq!(error, OidcError::IdToken(JwtError::Audience));
        assert_eq!(error.code(), "audience");
        assert_eq!(check_claims(&without(claims(), "aud")).err(), Some(OidcError::IdToken(JwtError::Audience)));
        let other = with(claims(), "iss", json!("https://idp.example.com/"));
        assert_eq!(check_claims(&other).err(), Some(OidcError::IdToken(JwtError::Issuer)));
    }

    #[test]
    fn an_email_the_provider_says_is_unverified_is_refused_on_its_own_code() {
        let error = check_claims(&with(claims(), "email_verified", json!(false))).unwrap_err();
        assert_eq!(error.code(), "email_not_verified");
        assert_eq!(
            check_claims(&with(claims(), "email_verified", json!("false"))).err(),
            Some(OidcError::EmailNotVerified)
        );
        assert_eq!(check_claims(&with(claims(), "email_verified", json!("TRUE"))).unwrap().email_verified, Some(true));
        assert_eq!(check_claims(&with(claims(), "email_verified", json!(0))).err(), Some(OidcError::Claims));
        assert_eq!(check_claims(&without(claims(), "email")).err(), Some(OidcError::Email));
        assert_eq!(check_claims(&with(claims(), "email", json!("not-an-email"))).err(), Some(OidcError::Email));
    }

    #[test]
    fn expired_old_future_or_endless_id_tokens_are_refused() {
        let expired = check_claims(&with(claims(), "exp", json!(seconds(-61)))).unwrap_err();
        assert_eq!(expired, OidcError::IdToken(JwtError::Expired));
        assert_eq!(expired.code(), "expired");
        assert!(check_claims(&with(claims(), "exp", json!(seconds(-59)))).is_ok(), "inside the skew");
        assert_eq!(
            check_claims(&with(claims(), "iat", json!(seconds(-661)))).err(),
            Some(OidcError::IdToken(JwtError::TooOld))
        );
        assert_eq!(
            check_claims(&with(claims(), "iat", json!(seconds(61)))).err(),
            Some(OidcError::IdToken(JwtError::IssuedInFuture))
        );
        assert_eq!(check_claims(&without(claims(), "exp")).err(), Some(OidcError::MissingExpiry));
        assert_eq!(check_claims(&without(claims(), "iat")).err(), Some(OidcError::IdToken(JwtError::MissingIssuedAt)));
    }

    #[test]
    fn alg_none_and_hs256_id_tokens_are_refused_whatever_they_are_signed_with() {
        let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let none = format!("{}.{}.", part(&json!({ "alg": "none" })), part(&claims()));
        assert_eq!(check(&none).err(), Some(OidcError::IdToken(JwtError::Algorithm("none".into()))));
        // HS256 keyed with the client secret (Core §10.1) or with the provider's public JWKS.
        for secret in [b"the-client-secret-of-32-bytes-or-more".to_vec(), provider_jwks().into_bytes()] {
            let token = Hs256.token(&Header::empty(), &Claims::new(claims()), &Hs256Key::new(&secret)).unwrap();
            assert_eq!(check(&token).err(), Some(OidcError::IdToken(JwtError::Algorithm("HS256".into()))));
        }
    }

    #[test]
    fn a_forged_or_unknown_key_id_token_is_refused() {
        let token = rs256(&claims());
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(with(claims(), "email", json!("boss@example.com")).to_string());
        parts[1] = &forged;
        assert_eq!(check(&parts.join(".")).err(), Some(OidcError::IdToken(JwtError::Signature)));
        let rolled = StrongAlg(Rsa::rs256())
            .token(&Header::empty().with_key_id("rsa-2"), &Claims::new(claims()), &rsa_private())
            .unwrap();
        assert_eq!(check(&rolled).unwrap_err().code(), "unknown_key", "the caller refetches the JWKS once on this");
    }

    #[test]
    fn a_subject_is_required_and_bounded() {
        assert_eq!(check_claims(&without(claims(), "sub")).err(), Some(OidcError::Subject));
        assert_eq!(check_claims(&with(claims(), "sub", json!("x".repeat(256)))).err(), Some(OidcError::Subject));
        assert_eq!(check_claims(&with(claims(), "sub", json!(""))).err(), Some(OidcError::Subject));
    }

    #[test]
    fn a_provider_jwks_without_a_usable_key_and_bad_expectations_are_errors() {
        let only_enc = json!({ "keys": [{ "kty": "RSA", "use": "enc", "n": "AQAB", "e": "AQAB" }] }).to_string();
        assert_eq!(JwtKey::from_provider_jwks(JwtAlgorithm::Rs256, &only_enc).err(), Some(KeyError::NoKeys("RS256")));
        assert!(JwtKey::from_jwks(JwtAlgorithm::Rs256, &provider_jwks()).is_err(), "a portal's own JWKS stays strict");
        let mut bad = expectations();
        bad.max_age_seconds = 0;
        let error = verify_id_token(&rs256(&claims()), &metadata(), &rsa_keys(), &bad, now()).unwrap_err();
        assert_eq!(error, OidcError::Configuration);
    }
}
