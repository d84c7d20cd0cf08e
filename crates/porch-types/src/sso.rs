//! SSO connections as porch stores them: the protocol, its settings (checked once, when the
//! provider writes them), who may come in and which customer a person belongs to. The
//! protocols' verification lives in `auth::sso`; this is only what a provider chose.

use serde::{Deserialize, Serialize};

use super::url::{HttpsUrl, UrlError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Saml,
    Jwt,
    Oidc,
}

impl Protocol {
    pub fn code(self) -> &'static str {
        match self {
            Protocol::Saml => "saml",
            Protocol::Jwt => "jwt",
            Protocol::Oidc => "oidc",
        }
    }
}

/// A URL of an identity provider: https to a public name, as every outbound URL; or, only
/// where the deployment allows it for its own tests (`SSO_LOOPBACK_HTTP=on`), plain http to
/// the loopback address where a test identity provider listens.
pub fn idp_url(input: &str, allow_loopback_http: bool) -> Result<String, UrlError> {
    let trimmed = input.trim();
    if allow_loopback_http {
        for prefix in ["http://127.0.0.1:", "http://localhost:"] {
            if let Some(rest) = trimmed.strip_prefix(prefix) {
                let port_end = rest.find(['/', '?']).unwrap_or(rest.len());
                let port_ok = rest.get(..port_end).and_then(|p| p.parse::<u16>().ok()).is_some_and(|p| p > 0);
                if port_ok && !trimmed.chars().any(|c| c.is_whitespace() || c.is_control() || c == '#' || c == '@') {
                    return Ok(trimmed.to_owned());
                }
                return Err(UrlError::BadPort);
            }
        }
    }
    HttpsUrl::parse(trimmed).map(|url| url.as_str().to_owned())
}

/// JWT sign-in ("remote login"): the provider's application signs a token and sends the
/// person to `/sso/jwt`. `login_url`: where porch sends people who start signing in here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtSettings {
    pub algorithm: String,
    /// Public keys as a `JWKS` (RS256, ES256, `EdDSA`), given inline...
    pub jwks: Option<serde_json::Value>,
    /// ... or fetched from this URL and cached.
    pub jwks_url: Option<String>,
    pub issuer: Option<String>,
    pub audience: Option<String>,
    pub skew_seconds: i64,
    pub max_age_seconds: i64,
    /// Whether `GET /sso/jwt?jwt=...` is accepted (a token in a URL ends up in logs and
    /// browser history, so POST is the default).
    pub allow_get: bool,
    pub login_url: Option<String>,
    /// The HS256 secret was given by the provider (not made by porch), so it may be shared
    /// with other sites: such a connection must name its audience.
    #[serde(default)]
    pub secret_given: bool,
}

/// Which SAML attribute carries what. Email falls back to the `NameID` when it is an address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SamlAttributes {
    pub email: Option<String>,
    pub name: Option<String>,
}

/// SAML 2.0 Web Browser SSO with one identity provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SamlSettings {
    pub idp_entity_id: String,
    pub sso_url: String,
    /// One or two PEM certificates (two during a key rollover). Only their keys are used.
    pub certificates: Vec<String>,
    /// Signature algorithm URIs the portal accepts (XML-DSig 1.1 / RFC 6931).
    pub signature_algorithms: Vec<String>,
    pub want_assertions_signed: bool,
    pub allow_idp_initiated: bool,
    pub skew_seconds: i64,
    pub attributes: SamlAttributes,
    /// porch signs its `AuthnRequests` with the connection's SP key (the `IdP`'s metadata says
    /// `WantAuthnRequestsSigned`, or the admin asked for it).
    #[serde(default)]
    pub sign_authn_requests: bool,
    /// Where the `IdP`'s metadata was fetched from, to refresh it; None when it was pasted or
    /// the settings were typed.
    #[serde(default)]
    pub metadata_url: Option<String>,
    /// The certificate (PEM or base64 DER) the `IdP`'s metadata must be signed with, if pinned.
    #[serde(default)]
    pub metadata_certificate: Option<String>,
    /// The `NameID` formats the `IdP`'s metadata lists (shown to the admin).
    #[serde(default)]
    pub name_id_formats: Vec<String>,
}

/// `OpenID` Connect, authorization code flow with PKCE. The client secret is sealed apart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    /// Accept an ID Token without `email_verified: true` (Microsoft Entra ID sends none).
    /// Only for a connection that claims its email domains: otherwise a provider whose users
    /// can set any address would sign them in as someone else.
    #[serde(default)]
    pub trust_unverified_email: bool,
}

/// A connection's protocol settings, as stored in `sso_connections.settings`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settings {
    Saml(SamlSettings),
    Jwt(JwtSettings),
    Oidc(OidcSettings),
}

impl Settings {
    pub fn protocol(&self) -> Protocol {
        match self {
            Settings::Saml(_) => Protocol::Saml,
            Settings::Jwt(_) => Protocol::Jwt,
            Settings::Oidc(_) => Protocol::Oidc,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        let value = match self {
            Settings::Saml(s) => serde_json::to_value(s),
            Settings::Jwt(s) => serde_json::to_value(s),
            Settings::Oidc(s) => serde_json::to_value(s),
        };
        value.unwrap_or(serde_json::Value::Null)
    }

    /// Reads stored settings back; porch wrote them, so a failure is a bug, not input.
    pub fn from_stored(protocol: Protocol, text: &str) -> Result<Settings, serde_json::Error> {
        Ok(match protocol {
            Protocol::Saml => Settings::Saml(serde_json::from_str(text)?),
            Protocol::Jwt => Settings::Jwt(serde_json::from_str(text)?),
            Protocol::Oidc => Settings::Oidc(serde_json::from_str(text)?),
        })
    }
}

/// Who of the people an identity provider vouches for may come in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Admission {
    /// Everyone it vouches for.
    All,
    /// Only emails and email domains on the portal's registration list.
    Lists,
    /// Only people with this value among the values of this attribute (say, a group).
    Attribute { name: String, value: String },
}

impl Admission {
    pub fn code(&self) -> &'static str {
        match self {
            Admission::All => "all",
            Admission::Lists => "lists",
            Admission::Attribute { .. } => "attribute",
        }
    }
}

/// Attribute names and values are short texts; bounded so a stored setting stays small.
pub const MAX_ATTRIBUTE_TEXT: usize = 256;

pub fn attribute_text(input: &str) -> Result<String, &'static str> {
    let text = input.trim();
    if text.is_empty() {
        Err("must not be empty")
    } else if text.chars().count() > MAX_ATTRIBUTE_TEXT {
        Err("must be at most 256 characters")
    } else if text.chars().any(char::is_control) {
        Err("must not contain control characters")
    } else {
        Ok(text.to_owned())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn loopback_http_is_an_identity_provider_url_only_where_the_deployment_allows_it() {
        assert_eq!(idp_url("http://127.0.0.1:9000/", true).unwrap(), "http://127.0.0.1:9000/");
        assert_eq!(idp_url("http://localhost:9000", true).unwrap(), "http://localhost:9000");
        assert!(idp_url("http://127.0.0.1:9000/", false).is_err());
        assert!(idp_url("http://127.0.0.1/", true).is_err());
        assert!(idp_url("http://127.0.0.1:9000@evil.example/", true).is_err());
        assert!(idp_url("http://idp.example.com/", true).is_err());
        assert_eq!(idp_url("https://IdP.example.com/x", false).unwrap(), "https://idp.example.com/x");
    }

    #[test]
    fn stored_settings_read_back_as_what_was_written() {
        let settings = Settings::Oidc(OidcSettings {
            issuer: "https://id.example.com".into(),
            client_id: "porch".into(),
            trust_unverified_email: false,
        });
        let text = settings.to_json().to_string();
        assert_eq!(Settings::from_stored(Protocol::Oidc, &text).unwrap(), settings);
        assert!(Settings::from_stored(Protocol::Saml, &text).is_err());
    }

    #[test]
    fn attribute_texts_are_trimmed_bounded_and_printable() {
        assert_eq!(attribute_text(" groups ").unwrap(), "groups");
        assert!(attribute_text("  ").is_err());
        assert!(attribute_text(&"g".repeat(257)).is_err());
        assert!(attribute_text("a\u{0}b").is_err());
    }
}
