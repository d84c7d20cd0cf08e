//! JWT sign-in tokens (the "remote login" of Zendesk and HubSpot): a token string and the
//! portal's JWT policy in, verified claims or a typed error out. Protocol only: which portal,
//! who may come in and what account they get are decided by the caller.
//!
//! What is checked, in order (RFC 7515 JWS, RFC 7519 JWT, RFC 8725 JWT best practices):
//! 1. size, shape (three base64url parts, no padding), a JSON object header;
//! 2. the header's `alg` must be the portal's algorithm (RFC 8725 §3.1: the algorithm comes
//!    from the configuration, never from the token, so `none` and the HS256-with-a-public-key
//!    confusion can never verify); `crit` is refused (RFC 7515 §4.1.11: we understand no
//!    extension) and so is `b64` (RFC 7797 unencoded payloads); `jku`, `x5u`, `jwk` and
//!    `x5c` are ignored, never fetched or trusted; `kid` only selects among the portal's keys;
//! 3. the signature, with the portal's key (RSA keys of at least 2048 bits);
//! 4. `exp` and `nbf` with the portal's skew; `iat` required, not in the future, not older
//!    than the portal's maximum age; `iss` and `aud` exactly, when the portal sets them;
//! 5. `jti` required (single use is the caller's, by a unique key in D1), `email` required.

use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jwt_compact::alg::{Ed25519, Es256, Hs256, Hs256Key, Rsa, RsaPublicKey, StrongAlg, StrongKey};
use jwt_compact::jwk::JsonWebKey;
use jwt_compact::{AlgorithmExt as _, Claims, TimeOptions, UntrustedToken, ValidationError};
use serde::Deserialize;

use crate::domain::email::Email;
use crate::domain::time::Timestamp;
use crate::i18n::Language;

/// The longest token accepted: far above any sign-in token, small enough to parse at once.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// The shortest HS256 secret (RFC 7518 §3.2: a key at least as long as the hash output).
pub const MIN_HS256_SECRET_BYTES: usize = 32;

/// The signature algorithms a portal may choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JwtAlgorithm {
    Hs256,
    Rs256,
    Es256,
    EdDsa,
}

impl JwtAlgorithm {
    /// The `alg` header value (RFC 7518 §3.1, RFC 8037 §3.1).
    pub fn name(self) -> &'static str {
        match self {
            JwtAlgorithm::Hs256 => "HS256",
            JwtAlgorithm::Rs256 => "RS256",
            JwtAlgorithm::Es256 => "ES256",
            JwtAlgorithm::EdDsa => "EdDSA",
        }
    }

    pub fn parse(name: &str) -> Option<JwtAlgorithm> {
        [JwtAlgorithm::Hs256, JwtAlgorithm::Rs256, JwtAlgorithm::Es256, JwtAlgorithm::EdDsa]
            .into_iter()
            .find(|alg| alg.name() == name)
    }
}

/// A verifying key of one algorithm.
enum KeyMaterial {
    Hs256(Hs256Key),
    Rs256(StrongKey<RsaPublicKey>),
    Es256(Box<<Es256 as jwt_compact::Algorithm>::VerifyingKey>),
    EdDsa(<Ed25519 as jwt_compact::Algorithm>::VerifyingKey),
}

/// One of a portal's keys, with the `kid` that names it (if any).
pub struct JwtKey {
    kid: Option<String>,
    material: KeyMaterial,
}

/// Why a key could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("an HS256 secret must be at least {MIN_HS256_SECRET_BYTES} bytes")]
    ShortSecret,
    #[error("the JWKS is not a JSON object with a \"keys\" array")]
    NotAJwks,
    #[error("key {0}: {1}")]
    BadKey(usize, String),
    #[error("the JWKS has no key for {0}")]
    NoKeys(&'static str),
}

impl JwtKey {
    pub fn hs256(secret: &[u8]) -> Result<JwtKey, KeyError> {
        if secret.len() < MIN_HS256_SECRET_BYTES {
            return Err(KeyError::ShortSecret);
        }
        Ok(JwtKey { kid: None, material: KeyMaterial::Hs256(Hs256Key::new(secret)) })
    }

    /// The keys of a JWKS (RFC 7517 §5) for `alg`: every key must be of the algorithm's type,
    /// for signatures (`use`, if given, is `sig`) and, if it names one, of this algorithm.
    pub fn from_jwks(alg: JwtAlgorithm, jwks: &str) -> Result<Vec<JwtKey>, KeyError> {
        #[derive(Deserialize)]
        struct Jwks {
            keys: Vec<serde_json::Value>,
        }
        let set: Jwks = serde_json::from_str(jwks).map_err(|_| KeyError::NotAJwks)?;
        let mut keys = Vec::with_capacity(set.keys.len());
        for (index, raw) in set.keys.iter().enumerate() {
            let bad = |why: &str| KeyError::BadKey(index, why.to_owned());
            let text = |name: &str| raw.get(name).and_then(serde_json::Value::as_str);
            if text("use").is_some_and(|u| u != "sig") {
                return Err(bad("\"use\" is not \"sig\""));
            }
            if text("alg").is_some_and(|a| a != alg.name()) {
                return Err(bad("its \"alg\" is not the portal's algorithm"));
            }
            let jwk: JsonWebKey<'_> = serde_json::from_value(raw.clone()).map_err(|e| bad(&e.to_string()))?;
            let material = match alg {
                JwtAlgorithm::Hs256 => return Err(bad("HS256 takes a shared secret, not a JWKS")),
                JwtAlgorithm::Rs256 => {
                    let key = RsaPublicKey::try_from(&jwk).map_err(|e| bad(&e.to_string()))?;
                    // RFC 7518 §3.3: 2048 bits or more.
                    KeyMaterial::Rs256(StrongKey::try_from(key).map_err(|_| bad("RSA keys need 2048 bits or more"))?)
                }
                JwtAlgorithm::Es256 => KeyMaterial::Es256(Box::new(
                    <Es256 as jwt_compact::Algorithm>::VerifyingKey::try_from(&jwk).map_err(|e| bad(&e.to_string()))?,
                )),
                JwtAlgorithm::EdDsa => KeyMaterial::EdDsa(
                    <Ed25519 as jwt_compact::Algorithm>::VerifyingKey::try_from(&jwk)
                        .map_err(|e| bad(&e.to_string()))?,
                ),
            };
            keys.push(JwtKey { kid: text("kid").map(str::to_owned), material });
        }
        if keys.is_empty() {
            return Err(KeyError::NoKeys(alg.name()));
        }
        Ok(keys)
    }
}

/// What a portal requires of its sign-in tokens.
pub struct JwtPolicy<'a> {
    pub algorithm: JwtAlgorithm,
    pub keys: &'a [JwtKey],
    /// `iss` must equal this, when set.
    pub issuer: Option<&'a str>,
    /// `aud` must be or contain this, when set.
    pub audience: Option<&'a str>,
    /// Clock differences tolerated on `exp`, `nbf` and `iat`.
    pub skew_seconds: i64,
    /// How old (`iat`) a token may be: sign-in tokens are minted for one redirect.
    pub max_age_seconds: i64,
}

/// Why a token was refused: a stable code for the SSO event log, never shown in full to the
/// person signing in.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("the token is larger than {MAX_TOKEN_BYTES} bytes")]
    TooLarge,
    #[error("the token is not a compact JWS (three base64url parts)")]
    Malformed,
    #[error("the token's algorithm {0:?} is not the portal's")]
    Algorithm(String),
    #[error("the token's header has \"{0}\", which is refused")]
    RefusedHeader(&'static str),
    #[error("no key of the portal matches the token's \"kid\"")]
    UnknownKey,
    #[error("the signature does not verify with the portal's keys")]
    Signature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet (\"nbf\")")]
    NotYetValid,
    #[error("the token has no \"iat\"")]
    MissingIssuedAt,
    #[error("the token was issued in the future (\"iat\")")]
    IssuedInFuture,
    #[error("the token is older than the portal accepts (\"iat\")")]
    TooOld,
    #[error("the token's issuer is not the portal's")]
    Issuer,
    #[error("the token's audience is not the portal's")]
    Audience,
    #[error("the token has no \"jti\"")]
    MissingJti,
    #[error("the token has no usable \"email\"")]
    Email,
    #[error("the token's claims are not valid JSON of the expected shape")]
    Claims,
}

impl JwtError {
    /// The code recorded in the SSO event log.
    pub fn code(&self) -> &'static str {
        match self {
            JwtError::TooLarge => "too_large",
            JwtError::Malformed => "malformed",
            JwtError::Algorithm(_) => "algorithm",
            JwtError::RefusedHeader(_) => "header",
            JwtError::UnknownKey => "unknown_key",
            JwtError::Signature => "signature",
            JwtError::Expired => "expired",
            JwtError::NotYetValid => "not_yet_valid",
            JwtError::MissingIssuedAt | JwtError::IssuedInFuture | JwtError::TooOld => "issued_at",
            JwtError::Issuer => "issuer",
            JwtError::Audience => "audience",
            JwtError::MissingJti => "jti",
            JwtError::Email => "email",
            JwtError::Claims => "claims",
        }
    }
}

/// `aud`: one string or an array of them (RFC 7519 §4.1.3).
#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

/// The claims porch reads; anything else in the token is ignored.
#[derive(Deserialize)]
struct SignInClaims {
    iss: Option<String>,
    aud: Option<Audience>,
    jti: Option<serde_json::Value>,
    email: Option<String>,
    name: Option<String>,
    external_id: Option<serde_json::Value>,
    organization: Option<String>,
    locale: Option<String>,
}

/// What a verified token says about the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedClaims {
    pub email: Email,
    pub name: Option<String>,
    pub external_id: Option<String>,
    pub organization: Option<String>,
    pub locale: Option<Language>,
    /// The token's id, normalised (a number as its decimal text), for single use.
    pub jti: String,
    /// Until when the token could be presented: how long its `jti` must be remembered.
    pub usable_until: Timestamp,
}

/// A string or an integral number as text: `jti` and `external_id` arrive as either.
fn text_or_integer(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(text) if !text.is_empty() && text.len() <= 256 => Some(text.clone()),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(|n| n.to_string())
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| format!("{f:.0}"))),
        _ => None,
    }
}

/// The header, read before any signature work: only what is needed, and the refusals.
fn check_header(token: &str, policy: &JwtPolicy<'_>) -> Result<Option<String>, JwtError> {
    let header_part = token.split('.').next().ok_or(JwtError::Malformed)?;
    let bytes = URL_SAFE_NO_PAD.decode(header_part).map_err(|_| JwtError::Malformed)?;
    let header: HashMap<String, serde_json::Value> = serde_json::from_slice(&bytes).map_err(|_| JwtError::Malformed)?;
    let alg = header.get("alg").and_then(serde_json::Value::as_str).unwrap_or("");
    if alg != policy.algorithm.name() {
        return Err(JwtError::Algorithm(alg.chars().take(20).collect()));
    }
    for refused in ["crit", "b64"] {
        if header.contains_key(refused) {
            return Err(JwtError::RefusedHeader(refused));
        }
    }
    match header.get("kid") {
        None => Ok(None),
        Some(serde_json::Value::String(kid)) => Ok(Some(kid.clone())),
        Some(_) => Err(JwtError::Malformed),
    }
}

/// Verifies the signature with `key`; the claims on success.
fn verify_with(untrusted: &UntrustedToken<'_>, key: &KeyMaterial) -> Result<Claims<SignInClaims>, ValidationError> {
    let token = match key {
        KeyMaterial::Hs256(key) => Hs256.validator::<SignInClaims>(key).validate(untrusted)?,
        KeyMaterial::Rs256(key) => StrongAlg(Rsa::rs256()).validator::<SignInClaims>(key).validate(untrusted)?,
        KeyMaterial::Es256(key) => Es256.validator::<SignInClaims>(key).validate(untrusted)?,
        KeyMaterial::EdDsa(key) => Ed25519.validator::<SignInClaims>(key).validate(untrusted)?,
    };
    Ok(token.into_parts().1)
}

/// Verifies a sign-in token against a portal's policy at `now`.
pub fn verify(token: &str, policy: &JwtPolicy<'_>, now: Timestamp) -> Result<VerifiedClaims, JwtError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(JwtError::TooLarge);
    }
    let token = token.trim();
    if token.split('.').count() != 3 {
        return Err(JwtError::Malformed);
    }
    let kid = check_header(token, policy)?;
    let untrusted = UntrustedToken::new(token).map_err(|_| JwtError::Malformed)?;
    // `kid` picks one of the portal's keys; without one, each key is tried (a rollover).
    let candidates: Vec<&JwtKey> = match &kid {
        Some(kid) => policy.keys.iter().filter(|k| k.kid.as_deref() == Some(kid.as_str())).collect(),
        None => policy.keys.iter().collect(),
    };
    if candidates.is_empty() {
        return Err(JwtError::UnknownKey);
    }
    let mut verified = None;
    for key in candidates {
        match verify_with(&untrusted, &key.material) {
            Ok(claims) => {
                verified = Some(claims);
                break;
            }
            Err(ValidationError::MalformedClaims(_)) => return Err(JwtError::Claims),
            Err(_) => {}
        }
    }
    let claims = verified.ok_or(JwtError::Signature)?;
    check_time(&claims, policy, now)?;
    let custom = &claims.custom;
    if let Some(issuer) = policy.issuer {
        if custom.iss.as_deref() != Some(issuer) {
            return Err(JwtError::Issuer);
        }
    }
    if let Some(audience) = policy.audience {
        let matches = match &custom.aud {
            Some(Audience::One(aud)) => aud == audience,
            Some(Audience::Many(auds)) => auds.iter().any(|aud| aud == audience),
            None => false,
        };
        if !matches {
            return Err(JwtError::Audience);
        }
    }
    let jti = custom.jti.as_ref().and_then(text_or_integer).ok_or(JwtError::MissingJti)?;
    let email = custom.email.as_deref().and_then(|e| Email::parse(e).ok()).ok_or(JwtError::Email)?;
    let issued_ms = claims.issued_at.map_or(now.millis(), |at| at.timestamp_millis());
    let oldest_use = issued_ms.saturating_add(policy.max_age_seconds.saturating_add(policy.skew_seconds) * 1000);
    let usable_until = claims
        .expiration
        .map_or(oldest_use, |exp| oldest_use.min(exp.timestamp_millis().saturating_add(policy.skew_seconds * 1000)));
    Ok(VerifiedClaims {
        email,
        name: custom.name.clone().filter(|n| !n.trim().is_empty()),
        external_id: custom.external_id.as_ref().and_then(text_or_integer),
        organization: custom.organization.clone().filter(|o| !o.trim().is_empty()),
        locale: custom.locale.as_deref().and_then(Language::from_tag),
        jti,
        usable_until: Timestamp::from_millis(usable_until),
    })
}

/// `exp`, `nbf` (with skew) and `iat` (required, not ahead of the clock, not too old).
fn check_time(claims: &Claims<SignInClaims>, policy: &JwtPolicy<'_>, now: Timestamp) -> Result<(), JwtError> {
    let now_at = chrono::DateTime::from_timestamp_millis(now.millis()).ok_or(JwtError::Claims)?;
    let options = TimeOptions::new(chrono::Duration::seconds(policy.skew_seconds), move || now_at);
    if claims.expiration.is_some() {
        claims.validate_expiration(&options).map_err(|_| JwtError::Expired)?;
    }
    if claims.not_before.is_some() {
        claims.validate_maturity(&options).map_err(|_| JwtError::NotYetValid)?;
    }
    let issued = claims.issued_at.ok_or(JwtError::MissingIssuedAt)?.timestamp_millis();
    let skew_ms = policy.skew_seconds.saturating_mul(1000);
    if issued > now.millis().saturating_add(skew_ms) {
        return Err(JwtError::IssuedInFuture);
    }
    if now.millis().saturating_sub(issued) > policy.max_age_seconds.saturating_mul(1000).saturating_add(skew_ms) {
        return Err(JwtError::TooOld);
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use jwt_compact::alg::RsaPrivateKey;
    use jwt_compact::{AlgorithmExt as _, Header};
    use serde_json::{json, Value};

    use super::*;

    const NOW_MS: i64 = 1_795_000_000_000;
    const SECRET: &[u8] = b"an-hs256-secret-of-at-least-32-bytes!";
    const RSA_JWK: &str = include_str!("../../../tests/fixtures/sso/rsa2048-private.jwk.json");

    fn now() -> Timestamp {
        Timestamp::from_millis(NOW_MS)
    }

    fn seconds(offset: i64) -> i64 {
        NOW_MS / 1000 + offset
    }

    fn claims() -> Value {
        json!({ "iat": seconds(-10), "exp": seconds(120), "jti": "t-1", "email": "Ada@Example.com",
                "name": "Ada", "organization": "Globex", "locale": "da-DK", "external_id": 42 })
    }

    fn policy(algorithm: JwtAlgorithm, keys: &[JwtKey]) -> JwtPolicy<'_> {
        JwtPolicy { algorithm, keys, issuer: None, audience: None, skew_seconds: 120, max_age_seconds: 180 }
    }

    /// A compact JWS made by hand: any header, any payload, any signature bytes.
    fn raw(header: &Value, payload: &Value, signature: &[u8]) -> String {
        let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.{}", part(header), part(payload), URL_SAFE_NO_PAD.encode(signature))
    }

    fn hs256(payload: &Value) -> String {
        Hs256.token(&Header::empty(), &Claims::new(payload.clone()), &Hs256Key::new(SECRET)).unwrap()
    }

    fn hs_keys() -> Vec<JwtKey> {
        vec![JwtKey::hs256(SECRET).unwrap()]
    }

    fn rsa_private() -> RsaPrivateKey {
        let jwk: JsonWebKey<'_> = serde_json::from_str(RSA_JWK).unwrap();
        RsaPrivateKey::try_from(&jwk).unwrap()
    }

    fn rsa_public_jwks(kid: &str) -> String {
        let mut public: Value = serde_json::from_str(RSA_JWK).unwrap();
        let object = public.as_object_mut().unwrap();
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            object.remove(private);
        }
        object.insert("kid".into(), json!(kid));
        json!({ "keys": [public] }).to_string()
    }

    #[test]
    fn a_good_hs256_token_yields_its_claims() {
        let keys = hs_keys();
        let verified = verify(&hs256(&claims()), &policy(JwtAlgorithm::Hs256, &keys), now()).unwrap();
        assert_eq!(verified.email.as_str(), "ada@example.com");
        assert_eq!(verified.name.as_deref(), Some("Ada"));
        assert_eq!(verified.organization.as_deref(), Some("Globex"));
        assert_eq!(verified.locale, Some(Language::Da));
        assert_eq!(verified.external_id.as_deref(), Some("42"));
        assert_eq!(verified.jti, "t-1");
        // Remembered until the earlier of exp + skew and iat + max age + skew.
        assert_eq!(verified.usable_until.millis(), (seconds(120) + 120) * 1000);
    }

    #[test]
    fn rs256_es256_and_eddsa_tokens_verify_with_the_portals_jwks_only() {
        let header = Header::empty().with_key_id("rsa-1");
        let token = StrongAlg(Rsa::rs256())
            .token(&header, &Claims::new(claims()), &StrongKey::try_from(rsa_private()).unwrap())
            .unwrap();
        let keys = JwtKey::from_jwks(JwtAlgorithm::Rs256, &rsa_public_jwks("rsa-1")).unwrap();
        assert!(verify(&token, &policy(JwtAlgorithm::Rs256, &keys), now()).is_ok());
        let other_kid = JwtKey::from_jwks(JwtAlgorithm::Rs256, &rsa_public_jwks("rsa-2")).unwrap();
        assert_eq!(verify(&token, &policy(JwtAlgorithm::Rs256, &other_kid), now()), Err(JwtError::UnknownKey));

        let ec = p256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
        let p256_jwks = json!({ "keys": [JsonWebKey::from(ec.verifying_key())] }).to_string();
        let token = Es256.token(&Header::empty(), &Claims::new(claims()), &ec).unwrap();
        let keys = JwtKey::from_jwks(JwtAlgorithm::Es256, &p256_jwks).unwrap();
        assert!(verify(&token, &policy(JwtAlgorithm::Es256, &keys), now()).is_ok());

        let ed = ed25519_compact::KeyPair::from_seed(ed25519_compact::Seed::new([9; 32]));
        let ed25519_jwks = json!({ "keys": [JsonWebKey::from(&ed.pk)] }).to_string();
        let token = Ed25519.token(&Header::empty(), &Claims::new(claims()), &ed.sk).unwrap();
        let keys = JwtKey::from_jwks(JwtAlgorithm::EdDsa, &ed25519_jwks).unwrap();
        assert!(verify(&token, &policy(JwtAlgorithm::EdDsa, &keys), now()).is_ok());
    }

    #[test]
    fn alg_none_and_a_hs256_token_signed_with_the_rsa_public_key_are_refused() {
        let keys = JwtKey::from_jwks(JwtAlgorithm::Rs256, &rsa_public_jwks("rsa-1")).unwrap();
        let rs = policy(JwtAlgorithm::Rs256, &keys);
        let none = raw(&json!({ "alg": "none" }), &claims(), b"");
        assert_eq!(verify(&none, &rs, now()), Err(JwtError::Algorithm("none".into())));
        // The classic confusion: HMAC keyed with the public key the verifier holds.
        let public_key_bytes = rsa_public_jwks("rsa-1").into_bytes();
        let confused =
            Hs256.token(&Header::empty(), &Claims::new(claims()), &Hs256Key::new(&public_key_bytes)).unwrap();
        assert_eq!(verify(&confused, &rs, now()), Err(JwtError::Algorithm("HS256".into())));
    }

    #[test]
    fn crit_and_b64_headers_are_refused_and_embedded_keys_are_never_trusted() {
        let keys = hs_keys();
        let hs = policy(JwtAlgorithm::Hs256, &keys);
        let crit = raw(&json!({ "alg": "HS256", "crit": ["exp"] }), &claims(), &[0; 32]);
        assert_eq!(verify(&crit, &hs, now()), Err(JwtError::RefusedHeader("crit")));
        let b64 = raw(&json!({ "alg": "HS256", "b64": false }), &claims(), &[0; 32]);
        assert_eq!(verify(&b64, &hs, now()), Err(JwtError::RefusedHeader("b64")));
        // A token carrying its own key (and signed with it) still has to verify with ours.
        let attacker = Hs256Key::new(b"the-attackers-own-secret-32-bytes-long");
        let mut header = Header::empty();
        header.key_set_url = Some("https://evil.example/jwks".into());
        header.certificate_url = Some("https://evil.example/cert.pem".into());
        let token = Hs256.token(&header, &Claims::new(claims()), &attacker).unwrap();
        assert_eq!(verify(&token, &hs, now()), Err(JwtError::Signature));
    }

    #[test]
    fn a_tampered_payload_or_a_wrong_secret_fails_the_signature() {
        let keys = hs_keys();
        let hs = policy(JwtAlgorithm::Hs256, &keys);
        let token = hs256(&claims());
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged =
            URL_SAFE_NO_PAD.encode(json!({ "iat": seconds(0), "jti": "x", "email": "boss@example.com" }).to_string());
        parts[1] = &forged;
        assert_eq!(verify(&parts.join("."), &hs, now()), Err(JwtError::Signature));
        let other = [JwtKey::hs256(b"another-secret-that-is-32-bytes-long!").unwrap()];
        assert_eq!(verify(&token, &policy(JwtAlgorithm::Hs256, &other), now()), Err(JwtError::Signature));
    }

    #[test]
    fn time_claims_are_checked_with_the_skew_and_the_maximum_age() {
        let keys = hs_keys();
        let hs = policy(JwtAlgorithm::Hs256, &keys);
        let with = |key: &str, value: Value| {
            let mut c = claims();
            c[key] = value;
            verify(&hs256(&c), &hs, now())
        };
        assert_eq!(with("exp", json!(seconds(-121))), Err(JwtError::Expired));
        assert!(with("exp", json!(seconds(-100))).is_ok(), "inside the skew");
        assert_eq!(with("nbf", json!(seconds(121))), Err(JwtError::NotYetValid));
        assert_eq!(with("iat", json!(seconds(121))), Err(JwtError::IssuedInFuture));
        assert_eq!(with("iat", json!(seconds(-301))), Err(JwtError::TooOld));
        let mut no_iat = claims();
        no_iat.as_object_mut().unwrap().remove("iat");
        assert_eq!(verify(&hs256(&no_iat), &hs, now()), Err(JwtError::MissingIssuedAt));
    }

    #[test]
    fn issuer_and_audience_must_match_exactly_when_the_portal_sets_them() {
        let keys = hs_keys();
        let strict = JwtPolicy {
            issuer: Some("https://idp.example"),
            audience: Some("porch"),
            ..policy(JwtAlgorithm::Hs256, &keys)
        };
        let mut c = claims();
        c["iss"] = json!("https://idp.example");
        c["aud"] = json!(["other", "porch"]);
        assert!(verify(&hs256(&c), &strict, now()).is_ok());
        c["aud"] = json!("porch-evil");
        assert_eq!(verify(&hs256(&c), &strict, now()), Err(JwtError::Audience));
        c["aud"] = json!("porch");
        c["iss"] = json!("https://idp.example/");
        assert_eq!(verify(&hs256(&c), &strict, now()), Err(JwtError::Issuer));
    }

    #[test]
    fn jti_and_email_are_required_and_a_numeric_jti_is_normalised() {
        let keys = hs_keys();
        let hs = policy(JwtAlgorithm::Hs256, &keys);
        let mut c = claims();
        c["jti"] = json!(1234.0);
        assert_eq!(verify(&hs256(&c), &hs, now()).unwrap().jti, "1234");
        c["jti"] = json!(1234);
        assert_eq!(verify(&hs256(&c), &hs, now()).unwrap().jti, "1234");
        c.as_object_mut().unwrap().remove("jti");
        assert_eq!(verify(&hs256(&c), &hs, now()), Err(JwtError::MissingJti));
        let mut c = claims();
        c["email"] = json!("not an email");
        assert_eq!(verify(&hs256(&c), &hs, now()), Err(JwtError::Email));
    }

    #[test]
    fn oversized_and_malformed_tokens_are_refused_before_any_crypto() {
        let keys = hs_keys();
        let hs = policy(JwtAlgorithm::Hs256, &keys);
        assert_eq!(verify(&"a".repeat(MAX_TOKEN_BYTES + 1), &hs, now()), Err(JwtError::TooLarge));
        assert_eq!(verify("a.b", &hs, now()), Err(JwtError::Malformed));
        assert_eq!(verify("!!!.e30.sig", &hs, now()), Err(JwtError::Malformed));
        let padded = format!("{}=", hs256(&claims()));
        assert_eq!(verify(&padded, &hs, now()), Err(JwtError::Malformed));
    }

    #[test]
    fn keys_are_checked_when_configured() {
        assert_eq!(JwtKey::hs256(&[1; 31]).err(), Some(KeyError::ShortSecret));
        assert_eq!(JwtKey::from_jwks(JwtAlgorithm::Rs256, "[]").err(), Some(KeyError::NotAJwks));
        assert_eq!(JwtKey::from_jwks(JwtAlgorithm::Rs256, r#"{"keys":[]}"#).err(), Some(KeyError::NoKeys("RS256")));
        let mut jwks: Value = serde_json::from_str(&rsa_public_jwks("k")).unwrap();
        jwks["keys"][0]["use"] = json!("enc");
        assert!(matches!(JwtKey::from_jwks(JwtAlgorithm::Rs256, &jwks.to_string()), Err(KeyError::BadKey(0, _))));
        let ed = ed25519_compact::KeyPair::from_seed(ed25519_compact::Seed::new([9; 32]));
        let ed25519_jwks = json!({ "keys": [JsonWebKey::from(&ed.pk)] }).to_string();
        assert!(JwtKey::from_jwks(JwtAlgorithm::Rs256, &ed25519_jwks).is_err(), "an Ed25519 key is no RSA key");
    }
}
