//! The body of an SSO connection (create or replace) turned into checked settings, every
//! problem a field error. Customers named in it are checked by the handler.

use serde::Deserialize;

use super::input::Fields;
use porch_sso::jwt::{self, JwtAlgorithm, JwtKey, JwtPolicy, MIN_HS256_SECRET_BYTES};
use porch_sso::saml;
use porch_types::email::EmailDomain;
use porch_types::error::AppError;
use porch_types::sso::{
    attribute_text, idp_url, Admission, JwtSettings, OidcSettings, Protocol, SamlAttributes, SamlSettings, Settings,
};
use porch_types::time::Timestamp;

/// Email domains one connection may claim.
const MAX_DOMAINS: usize = 50;
const MAX_VALUES: usize = 200;
const MAX_SECRET_BYTES: usize = 512;
const MAX_TEXT: usize = 1024;
/// The default clock skew for JWT (1 minute; SAML's is the verifier's, 2 minutes).
const JWT_DEFAULT_SKEW: i64 = 60;
const JWT_DEFAULT_MAX_AGE: i64 = 300;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionBody {
    pub name: Option<String>,
    pub protocol: Option<Protocol>,
    pub enabled: Option<bool>,
    pub saml: Option<SamlBody>,
    pub jwt: Option<JwtBody>,
    pub oidc: Option<OidcBody>,
    /// The HS256 secret or the OIDC client secret: a value, or `"generate"` (HS256) for a
    /// new one porch makes and shows once. Absent on a replace: the stored one stays.
    pub secret: Option<String>,
    #[serde(default)]
    pub domains: Vec<DomainBody>,
    pub admission: Option<AdmissionBody>,
    pub customer: Option<CustomerBody>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamlBody {
    idp_entity_id: Option<String>,
    sso_url: Option<String>,
    #[serde(default)]
    certificates: Vec<String>,
    signature_algorithms: Option<Vec<String>>,
    want_assertions_signed: Option<bool>,
    allow_idp_initiated: Option<bool>,
    skew_seconds: Option<i64>,
    #[serde(default)]
    attributes: SamlAttributesBody,
    sign_authn_requests: Option<bool>,
    /// The identity provider's metadata (`EntityDescriptor` XML), pasted: entity ID, SSO URL, certificates
    /// and whether requests must be signed come from it.
    metadata_xml: Option<String>,
    /// Or its https URL, fetched once now (and again on refresh).
    metadata_url: Option<String>,
    /// The certificate the metadata must be signed with; unsigned or wrongly signed metadata
    /// is then refused.
    metadata_certificate: Option<String>,
}

impl SamlBody {
    /// The metadata URL the handler fetches before the body is checked.
    pub fn metadata_url(&self) -> Option<&str> {
        self.metadata_url.as_deref()
    }
}

/// identity provider's metadata the handler fetched from `saml.metadata_url`: the document, or why not.
pub type FetchedMetadata = Result<String, String>;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SamlAttributesBody {
    email: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtBody {
    algorithm: Option<String>,
    jwks: Option<serde_json::Value>,
    jwks_url: Option<String>,
    issuer: Option<String>,
    audience: Option<String>,
    skew_seconds: Option<i64>,
    max_age_seconds: Option<i64>,
    allow_get: Option<bool>,
    login_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcBody {
    issuer: Option<String>,
    client_id: Option<String>,
    trust_unverified_email: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainBody {
    pub domain: String,
    pub customer_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdmissionBody {
    mode: String,
    attribute: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerBody {
    pub customer_id: Option<String>,
    pub attribute: Option<String>,
    #[serde(default)]
    pub values: Vec<ValueBody>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueBody {
    pub value: String,
    pub customer_id: String,
}

/// What the secret field asks for.
pub enum SecretChoice {
    Keep,
    Generate,
    Given(String),
}

/// A body's protocol settings and secret choice, checked; customers are checked apart.
pub struct Checked {
    pub name: String,
    pub settings: Settings,
    pub secret: SecretChoice,
    pub admission: Admission,
    pub customer_attribute: Option<String>,
    pub domains: Vec<(String, Option<String>)>,
    pub values: Vec<(String, String)>,
}

fn text(fields: &mut Fields, field: &str, raw: Option<&str>, required: bool) -> Option<String> {
    match raw.map(str::trim) {
        None | Some("") if required => {
            fields.error(field, "is required");
            None
        }
        None | Some("") => None,
        Some(t) if t.chars().count() > MAX_TEXT || t.chars().any(char::is_control) => {
            fields.error(field, "must be at most 1024 printable characters");
            None
        }
        // The connection's name is shown on the portal's sign-in page.
        Some(t) if t.chars().any(porch_types::text::is_invisible_format) => {
            fields.error(field, &porch_types::text::TextError::InvisibleFormat.to_string());
            None
        }
        Some(t) => Some(t.to_owned()),
    }
}

fn seconds(
    fields: &mut Fields,
    field: &str,
    raw: Option<i64>,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> i64 {
    let value = raw.unwrap_or(default);
    if !range.contains(&value) {
        fields.error(field, &format!("must be from {} to {}", range.start(), range.end()));
    }
    value
}

/// What a replaced connection already has.
#[derive(Clone, Copy, Default)]
pub struct Existing {
    /// It has a sealed secret.
    pub has_secret: bool,
    /// Its HS256 secret was given by the provider.
    pub secret_given: bool,
}

/// What checking a body needs besides the body.
pub struct Context {
    pub allow_loopback_http: bool,
    pub existing: Existing,
    /// The document behind `saml.metadata_url`, fetched by the handler.
    pub fetched_metadata: Option<FetchedMetadata>,
    pub now: Timestamp,
}

/// Checks a create or replace body.
pub fn check(body: ConnectionBody, context: Context, fields: &mut Fields) -> Option<Checked> {
    let Context { allow_loopback_http, existing, fetched_metadata, now } = context;
    let name = text(fields, "name", body.name.as_deref(), true);
    let secret = match body.secret.as_deref() {
        None => SecretChoice::Keep,
        Some("generate") => SecretChoice::Generate,
        Some(given) if given.trim().is_empty() || given.len() > MAX_SECRET_BYTES => {
            fields.error("secret", "must be 1 to 512 bytes, or \"generate\"");
            SecretChoice::Keep
        }
        Some(given) => SecretChoice::Given(given.to_owned()),
    };
    let settings = match body.protocol {
        None => {
            fields.error("protocol", "is required: saml, jwt or oidc");
            None
        }
        Some(protocol) => {
            let given = [
                (Protocol::Saml, body.saml.is_some()),
                (Protocol::Jwt, body.jwt.is_some()),
                (Protocol::Oidc, body.oidc.is_some()),
            ];
            if given.iter().any(|(p, present)| *present && *p != protocol) {
                fields.error("protocol", "give the settings of this protocol only");
            }
            match protocol {
                Protocol::Saml => body
                    .saml
                    .and_then(|s| saml_settings(s, allow_loopback_http, fetched_metadata, now, fields))
                    .map(Settings::Saml),
                Protocol::Jwt => body
                    .jwt
                    .and_then(|j| jwt_settings(j, allow_loopback_http, &secret, existing, fields))
                    .map(Settings::Jwt),
                Protocol::Oidc => body
                    .oidc
                    .and_then(|o| oidc_settings(&o, allow_loopback_http, &secret, existing.has_secret, fields))
                    .map(Settings::Oidc),
            }
            .or_else(|| {
                // Settings given but wrong have their own field errors already.
                if !given.iter().any(|(p, present)| *p == protocol && *present) {
                    fields.error(protocol.code(), "the protocol's settings are required");
                }
                None
            })
        }
    };
    if matches!(secret, SecretChoice::Generate)
        && !matches!(&settings, Some(Settings::Jwt(j)) if j.algorithm == "HS256")
    {
        fields.error("secret", "porch generates HS256 secrets only");
    }
    let admission = admission(body.admission, fields);
    let domains = domains(body.domains, fields);
    let (customer_attribute, values) = customer_values(body.customer, fields);
    if let Some(settings) = &settings {
        check_attribute_names(settings, admission.as_ref(), customer_attribute.as_deref(), fields);
        if matches!(settings, Settings::Oidc(o) if o.trust_unverified_email) && domains.is_empty() {
            fields.error(
                "oidc.trust_unverified_email",
                "only a connection that claims its email domains may trust unverified addresses",
            );
        }
    }
    Some(Checked {
        name: name?,
        settings: settings?,
        secret,
        admission: admission?,
        customer_attribute,
        domains,
        values,
    })
}

/// The email domains a connection claims, each once, with the customer each maps to.
fn domains(entries: Vec<DomainBody>, fields: &mut Fields) -> Vec<(String, Option<String>)> {
    let mut domains: Vec<(String, Option<String>)> = Vec::new();
    if entries.len() > MAX_DOMAINS {
        fields.error("domains", "at most 50 domains");
    }
    for entry in entries.into_iter().take(MAX_DOMAINS) {
        match EmailDomain::parse(&entry.domain) {
            Ok(domain) if domains.iter().all(|(d, _)| d != domain.as_str()) => {
                domains.push((domain.as_str().to_owned(), entry.customer_id));
            }
            Ok(_) => fields.error("domains", "each domain once"),
            Err(err) => {
                fields.error("domains", &format!("{}: {err}", entry.domain.chars().take(64).collect::<String>()));
            }
        }
    }
    domains
}

/// The attribute customers are looked up by, and its values with the customers they name.
fn customer_values(body: Option<CustomerBody>, fields: &mut Fields) -> (Option<String>, Vec<(String, String)>) {
    let Some(customer) = body else {
        return (None, Vec::new());
    };
    let attribute = customer.attribute.as_deref().and_then(|a| fields.check("customer.attribute", attribute_text(a)));
    if customer.values.len() > MAX_VALUES {
        fields.error("customer.values", "at most 200 values");
    }
    if attribute.is_none() && !customer.values.is_empty() {
        fields.error("customer.values", "name the attribute the values are of");
    }
    let values = customer
        .values
        .into_iter()
        .take(MAX_VALUES)
        .filter_map(|v| fields.check("customer.values", attribute_text(&v.value)).map(|value| (value, v.customer_id)))
        .collect();
    (attribute, values)
}

/// The attributes a rule may name: any SAML attribute; of a JWT, the `organization` claim;
/// an OIDC connection carries none (its ID Token's claims are the person's, not groups).
fn check_attribute_names(
    settings: &Settings,
    admission: Option<&Admission>,
    customer: Option<&str>,
    fields: &mut Fields,
) {
    let allowed: &[&str] = match settings {
        Settings::Saml(_) => return,
        Settings::Jwt(_) => &["organization"],
        Settings::Oidc(_) => &[],
    };
    let message = if allowed.is_empty() {
        "an OIDC connection has no attributes to match; use domains or a fixed customer".to_owned()
    } else {
        format!("a {} connection can match on: {}", settings.protocol().code(), allowed.join(", "))
    };
    if let Some(Admission::Attribute { name, .. }) = admission {
        if !allowed.contains(&name.as_str()) {
            fields.error("admission.attribute", &message);
        }
    }
    if customer.is_some_and(|name| !allowed.contains(&name)) {
        fields.error("customer.attribute", &message);
    }
}

fn admission(body: Option<AdmissionBody>, fields: &mut Fields) -> Option<Admission> {
    let Some(body) = body else {
        return Some(Admission::All);
    };
    match body.mode.as_str() {
        "all" => Some(Admission::All),
        "lists" => Some(Admission::Lists),
        "attribute" => {
            let name = body.attribute.as_deref().map(attribute_text);
            let value = body.value.as_deref().map(attribute_text);
            if let (Some(Ok(name)), Some(Ok(value))) = (name, value) {
                Some(Admission::Attribute { name, value })
            } else {
                fields.error("admission", "an attribute rule needs an attribute and a value");
                None
            }
        }
        _ => {
            fields.error("admission.mode", "must be all, lists or attribute");
            None
        }
    }
}

fn saml_settings(
    body: SamlBody,
    allow_loopback_http: bool,
    fetched: Option<FetchedMetadata>,
    now: Timestamp,
    fields: &mut Fields,
) -> Option<SamlSettings> {
    let imported = imported_metadata(&body, allow_loopback_http, fetched, now, fields);
    let (idp_entity_id, sso_url, certificates, sign_authn_requests, name_id_formats) = match imported {
        Imported::None => {
            let idp_entity_id = text(fields, "saml.idp_entity_id", body.idp_entity_id.as_deref(), true);
            let sso_url =
                fields.require("saml.sso_url", body.sso_url.as_deref(), |raw| idp_url(raw, allow_loopback_http));
            if body.certificates.is_empty() || body.certificates.len() > 2 {
                fields.error("saml.certificates", "give one certificate, or two during a key rollover");
            }
            for (i, pem) in body.certificates.iter().enumerate() {
                if let Err(err) = saml::PinnedKey::from_pem_certificate(pem) {
                    fields.error(&format!("saml.certificates[{i}]"), &err.to_string());
                }
            }
            let certificates = body.certificates.iter().map(|c| c.trim().to_owned()).collect();
            (idp_entity_id, sso_url, certificates, body.sign_authn_requests.unwrap_or(false), Vec::new())
        }
        Imported::Refused => (None, None, Vec::new(), false, Vec::new()),
        Imported::Read(metadata) => {
            // The IdP's SSO URL comes from its metadata, so it meets the same rules as one typed.
            let sso_url = match idp_url(&metadata.sso_url, allow_loopback_http) {
                Ok(url) => Some(url),
                Err(err) => {
                    fields.error(metadata_field(&body), &format!("its SingleSignOnService URL: {err}"));
                    None
                }
            };
            let sign = body.sign_authn_requests.unwrap_or(metadata.want_authn_requests_signed);
            (Some(metadata.entity_id), sso_url, metadata.signing_certificates, sign, metadata.name_id_formats)
        }
    };
    let algorithms = body
        .signature_algorithms
        .unwrap_or_else(|| saml::DEFAULT_ALGORITHMS.iter().map(|a| a.name().to_owned()).collect());
    if algorithms.is_empty() {
        fields.error("saml.signature_algorithms", "name at least one");
    }
    for algorithm in &algorithms {
        if saml::SignatureAlgorithm::from_name(algorithm).is_none() {
            fields.error("saml.signature_algorithms", &format!("{algorithm:.80} is not one porch accepts"));
        }
    }
    let skew_seconds =
        seconds(fields, "saml.skew_seconds", body.skew_seconds, saml::DEFAULT_SKEW_SECONDS, 0..=saml::MAX_SKEW_SECONDS);
    let attributes = SamlAttributes {
        email: body.attributes.email.as_deref().and_then(|a| fields.check("saml.attributes.email", attribute_text(a))),
        name: body.attributes.name.as_deref().and_then(|a| fields.check("saml.attributes.name", attribute_text(a))),
    };
    Some(SamlSettings {
        idp_entity_id: idp_entity_id?,
        sso_url: sso_url?,
        certificates,
        signature_algorithms: algorithms,
        want_assertions_signed: body.want_assertions_signed.unwrap_or(true),
        allow_idp_initiated: body.allow_idp_initiated.unwrap_or(false),
        skew_seconds,
        attributes,
        sign_authn_requests,
        // Stored as fetched: normalised by the outbound URL rules (checked above).
        metadata_url: body.metadata_url.as_deref().and_then(|url| idp_url(url, allow_loopback_http).ok()),
        metadata_certificate: body.metadata_certificate.as_deref().map(str::trim).map(str::to_owned),
        name_id_formats,
    })
}

/// The field the metadata came in, for its errors.
fn metadata_field(body: &SamlBody) -> &'static str {
    if body.metadata_xml.is_some() {
        "saml.metadata_xml"
    } else {
        "saml.metadata_url"
    }
}

/// What a body's identity provider's metadata gave.
enum Imported {
    /// The body gives the settings itself.
    None,
    /// There was metadata and it could not be used (the field errors say why).
    Refused,
    Read(saml::IdpMetadata),
}

/// The identity provider's metadata of a body, pasted or fetched, read (and its signature checked when a
/// metadata certificate is pinned). What the metadata gives cannot be typed beside it.
fn imported_metadata(
    body: &SamlBody,
    allow_loopback_http: bool,
    fetched: Option<FetchedMetadata>,
    now: Timestamp,
    fields: &mut Fields,
) -> Imported {
    let pinned = match body.metadata_certificate.as_deref() {
        None => None,
        Some(pem) => match saml::PinnedKey::from_pem_certificate(pem) {
            Ok(key) => Some(key),
            Err(err) => {
                fields.error("saml.metadata_certificate", &err.to_string());
                return Imported::Refused;
            }
        },
    };
    let document = match (&body.metadata_xml, &body.metadata_url) {
        (None, None) => {
            if pinned.is_some() {
                fields.error(
                    "saml.metadata_certificate",
                    "pins the metadata's signer: give metadata_xml or metadata_url",
                );
            }
            return Imported::None;
        }
        (Some(_), Some(_)) => {
            fields.error("saml.metadata_xml", "give the metadata pasted or its URL, not both");
            return Imported::Refused;
        }
        (Some(xml), None) => xml.clone(),
        (None, Some(url)) => {
            if let Err(err) = idp_url(url, allow_loopback_http) {
                fields.error("saml.metadata_url", &err.to_string());
                return Imported::Refused;
            }
            match fetched {
                Some(Ok(document)) => document,
                Some(Err(why)) => {
                    fields.error("saml.metadata_url", &why);
                    return Imported::Refused;
                }
                None => {
                    fields.error("saml.metadata_url", "could not be fetched");
                    return Imported::Refused;
                }
            }
        }
    };
    let typed = [
        ("saml.idp_entity_id", body.idp_entity_id.is_some()),
        ("saml.sso_url", body.sso_url.is_some()),
        ("saml.certificates", !body.certificates.is_empty()),
    ];
    for (field, given) in typed {
        if given {
            fields.error(field, "comes from the metadata; leave it out");
        }
    }
    match saml::parse_idp_metadata(&document, pinned.as_ref(), now) {
        Ok(metadata) => Imported::Read(metadata),
        Err(err) => {
            fields.error(metadata_field(body), &err.to_string());
            Imported::Refused
        }
    }
}

fn jwt_settings(
    body: JwtBody,
    allow_loopback_http: bool,
    secret: &SecretChoice,
    existing: Existing,
    fields: &mut Fields,
) -> Option<JwtSettings> {
    let algorithm = fields.require("jwt.algorithm", body.algorithm.as_deref(), |raw| {
        JwtAlgorithm::parse(raw).ok_or("must be HS256, RS256, ES256 or EdDSA")
    });
    let issuer = text(fields, "jwt.issuer", body.issuer.as_deref(), false);
    let audience = text(fields, "jwt.audience", body.audience.as_deref(), false);
    let skew_seconds =
        seconds(fields, "jwt.skew_seconds", body.skew_seconds, JWT_DEFAULT_SKEW, 0..=jwt::MAX_SKEW_SECONDS);
    let max_age_seconds =
        seconds(fields, "jwt.max_age_seconds", body.max_age_seconds, JWT_DEFAULT_MAX_AGE, 1..=jwt::MAX_AGE_SECONDS);
    let jwks_url =
        body.jwks_url.as_deref().and_then(|raw| fields.check("jwt.jwks_url", idp_url(raw, allow_loopback_http)));
    let login_url =
        body.login_url.as_deref().and_then(|raw| fields.check("jwt.login_url", idp_url(raw, allow_loopback_http)));
    let algorithm = algorithm?;
    let mut keys = Vec::new();
    if algorithm == JwtAlgorithm::Hs256 {
        if body.jwks.is_some() || body.jwks_url.is_some() {
            fields.error("jwt.jwks", "HS256 uses the shared secret, not public keys");
        }
        match secret {
            SecretChoice::Keep if !existing.has_secret => {
                fields.error("secret", "HS256 needs a secret: give one of at least 32 bytes, or \"generate\"");
            }
            SecretChoice::Given(given) if given.len() < MIN_HS256_SECRET_BYTES => {
                fields.error("secret", "an HS256 secret must be at least 32 bytes (RFC 7518 §3.2)");
            }
            _ => {}
        }
        // The policy check below needs a key; the real one is sealed apart.
        keys.extend(JwtKey::hs256(&[0; MIN_HS256_SECRET_BYTES]));
    } else {
        if matches!(secret, SecretChoice::Given(_) | SecretChoice::Generate) {
            fields.error("secret", "only HS256 uses a secret");
        }
        match (&body.jwks, &jwks_url) {
            (Some(jwks), None) => match JwtKey::from_jwks(algorithm, &jwks.to_string()) {
                Ok(parsed) => keys = parsed,
                Err(err) => fields.error("jwt.jwks", &err.to_string()),
            },
            (None, Some(_)) => keys.extend(JwtKey::hs256(&[0; MIN_HS256_SECRET_BYTES])),
            _ => fields.error("jwt.jwks", "give the public keys as jwks (inline) or jwks_url, one of them"),
        }
    }
    if !keys.is_empty() {
        if let Err(err) =
            JwtPolicy::new(algorithm, &keys, issuer.as_deref(), audience.as_deref(), skew_seconds, max_age_seconds)
        {
            fields.error("jwt.audience", &err.to_string());
        }
    }
    // A secret the provider chose may also sign tokens for its other sites (another porch
    // portal, say): only an audience then tells a token for this portal from theirs.
    let secret_given = match secret {
        SecretChoice::Given(_) => true,
        SecretChoice::Generate => false,
        SecretChoice::Keep => existing.secret_given,
    };
    if algorithm == JwtAlgorithm::Hs256 && secret_given && audience.is_none() {
        fields.error(
            "jwt.audience",
            "a secret you chose may be used by your other sites too: name the audience (aud) tokens for this portal carry",
        );
    }
    Some(JwtSettings {
        secret_given: algorithm == JwtAlgorithm::Hs256 && secret_given,
        algorithm: algorithm.name().to_owned(),
        jwks: body.jwks,
        jwks_url,
        issuer,
        audience,
        skew_seconds,
        max_age_seconds,
        allow_get: body.allow_get.unwrap_or(false),
        login_url,
    })
}

fn oidc_settings(
    body: &OidcBody,
    allow_loopback_http: bool,
    secret: &SecretChoice,
    has_secret: bool,
    fields: &mut Fields,
) -> Option<OidcSettings> {
    // Checked as a URL porch may fetch, but kept exactly as given: OIDC Discovery 1.0 §4.3
    // compares the provider's `issuer` with it character for character (a trailing slash
    // added by normalising would refuse every sign-in).
    let issuer = fields.require("oidc.issuer", body.issuer.as_deref(), |raw| {
        idp_url(raw, allow_loopback_http).map(|_| raw.trim().to_owned())
    });
    let client_id = text(fields, "oidc.client_id", body.client_id.as_deref(), true);
    if matches!(secret, SecretChoice::Keep) && !has_secret {
        fields.error("secret", "OIDC needs the client secret the identity provider gave porch");
    }
    Some(OidcSettings {
        issuer: issuer?,
        client_id: client_id?,
        trust_unverified_email: body.trust_unverified_email.unwrap_or(false),
    })
}

/// A SAML connection's settings after its identity provider's metadata was fetched again: the SSO URL, the
/// signing certificates and the `NameID` formats follow the document (checked as on import,
/// with the pinned metadata certificate if any); the entity ID must not change, since
/// another entity is another connection. Signing requests stays on once on.
pub fn refreshed_saml(
    current: &SamlSettings,
    document: &str,
    allow_loopback_http: bool,
    now: Timestamp,
) -> Result<SamlSettings, AppError> {
    let pinned = current
        .metadata_certificate
        .as_deref()
        .map(saml::PinnedKey::from_pem_certificate)
        .transpose()
        .map_err(|err| AppError::Internal(format!("stored metadata certificate: {err}")))?;
    let metadata = saml::parse_idp_metadata(document, pinned.as_ref(), now)
        .map_err(|err| AppError::Conflict(format!("the IdP's metadata cannot be used: {err}")))?;
    if metadata.entity_id != current.idp_entity_id {
        return Err(AppError::Conflict(
            "the metadata now names another entityID; create a new connection for another identity provider".into(),
        ));
    }
    let sso_url = idp_url(&metadata.sso_url, allow_loopback_http)
        .map_err(|err| AppError::Conflict(format!("the metadata's SingleSignOnService URL: {err}")))?;
    Ok(SamlSettings {
        sso_url,
        certificates: metadata.signing_certificates,
        sign_authn_requests: current.sign_authn_requests || metadata.want_authn_requests_signed,
        name_id_formats: metadata.name_id_formats,
        ..current.clone()
    })
}
