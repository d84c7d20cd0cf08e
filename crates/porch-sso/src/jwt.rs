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
//!
//! `verify_signed` stops after step 4 and hands the claims as JSON to a protocol built on JWTs
//! (OIDC ID Tokens, `oidc.rs`, which have no `jti`); `JwtKey::from_provider_jwks` reads an
//! identity provider's shared JWKS, skipping the keys that are not for the algorithm.

use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jwt_compact::alg::{Ed25519, Es256, Hs256, Hs256Key, Rsa, RsaPublicKey, StrongAlg, StrongKey};
use jwt_compact::jwk::JsonWebKey;
use jwt_compact::{AlgorithmExt as _, Claims, UntrustedToken};
use serde::Deserialize;

use porch_types::email::Email;
use porch_types::language::Language;
use porch_types::time::Timestamp;

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
        keys_of(alg, jwks, false)
    }

    /// The keys usable with `alg` in an identity provider's published JWKS (OIDC
    /// Discovery 1.0 §3 `jwks_uri`). Unlike a portal's own JWKS, that set serves every client
    /// and algorithm of the provider (encryption keys, other key types, keys being rolled in,
    /// OIDC Core 1.0 §10.1.1): a key that cannot verify `alg` signatures is skipped,
    /// not refused, and only a set with no usable key is an error. A private key is refused.
    pub fn from_provider_jwks(alg: JwtAlgorithm, jwks: &str) -> Result<Vec<JwtKey>, KeyError> {
        keys_of(alg, jwks, true)
    }
}

/// The keys of a JWKS for `alg`; with `skip_unusable`, keys of another use, algorithm or type
/// are left out instead of failing the whole set.
fn keys_of(alg: JwtAlgorithm, jwks: &str, skip_unusable: bool) -> Result<Vec<JwtKey>, KeyError> {
    #[derive(Deserialize)]
    struct Jwks {
        keys: Vec<serde_json::Value>,
    }
    let set: Jwks = serde_json::from_str(jwks).map_err(|_| KeyError::NotAJwks)?;
    let mut keys = Vec::with_capacity(set.keys.len());
    for (index, raw) in set.keys.iter().enumerate() {
        let bad = |why: &str| KeyError::BadKey(index, why.to_owned());
        let text = |name: &str| raw.get(name).and_then(serde_json::Value::as_str);
        let unusable = if text("use").is_some_and(|u| u != "sig") {
            Some("\"use\" is not \"sig\"")
        } else if text("alg").is_some_and(|a| a != alg.name()) {
            Some("its \"alg\" is not the portal's algorithm")
        } else {
            None
        };
        match unusable {
            Some(_) if skip_unusable => continue,
            Some(why) => return Err(bad(why)),
            None => {}
        }
        // A private key pasted as a public one would sit in the configuration for anyone
        // who reads it: refused.
        if raw.get("d").is_some() {
            return Err(bad("it holds a private key (\"d\"): give the public key only"));
        }
        match key_material(alg, raw) {
            Ok(material) => keys.push(JwtKey { kid: text("kid").map(str::to_owned), material }),
            Err(_) if skip_unusable => {}
            Err(why) => return Err(bad(&why)),
        }
    }
    if keys.is_empty() {
        return Err(KeyError::NoKeys(alg.name()));
    }
    Ok(keys)
}

/// One JWK as a verifying key of `alg`, or why it cannot be one.
fn key_material(alg: JwtAlgorithm, raw: &serde_json::Value) -> Result<KeyMaterial, String> {
    let jwk: JsonWebKey<'_> = serde_json::from_value(raw.clone()).map_err(|e| e.to_string())?;
    Ok(match alg {
        JwtAlgorithm::Hs256 => return Err("HS256 takes a shared secret, not a JWKS".to_owned()),
        JwtAlgorithm::Rs256 => {
            let key = RsaPublicKey::try_from(&jwk).map_err(|e| e.to_string())?;
            // RFC 7518 §3.3: 2048 bits or more (the crate takes 2048, 3072 and 4096).
            KeyMaterial::Rs256(
                StrongKey::try_from(key).map_err(|_| "RSA keys must have 2048, 3072 or 4096 bits".to_owned())?,
            )
        }
        JwtAlgorithm::Es256 => KeyMaterial::Es256(Box::new(
            <Es256 as jwt_compact::Algorithm>::VerifyingKey::try_from(&jwk).map_err(|e| e.to_string())?,
        )),
        JwtAlgorithm::EdDsa => {
            let key = <Ed25519 as jwt_compact::Algorithm>::VerifyingKey::try_from(&jwk).map_err(|e| e.to_string())?;
            // Parsing checks the length only; a small-order or non-canonical point is
            // refused here, when the provider can still fix it.
            key.validate().map_err(|_| "not a valid Ed25519 public key".to_owned())?;
            KeyMaterial::EdDsa(key)
        }
    })
}

/// What a portal requires of its sign-in tokens. Made by `JwtPolicy::new`, which keeps the
/// numbers in range and the audience where it is needed.
pub struct JwtPolicy<'a> {
    algorithm: JwtAlgorithm,
    keys: &'a [JwtKey],
    /// `iss` must equal this, when set.
    issuer: Option<&'a str>,
    /// `aud` must be or contain this, when set.
    audience: Option<&'a str>,
    /// Clock differences tolerated on `exp`, `nbf` and `iat`.
    skew_seconds: i64,
    /// How old (`iat`) a token may be: sign-in tokens are minted for one redirect.
    max_age_seconds: i64,
}

/// The largest clock skew and token age a portal may allow.
pub const MAX_SKEW_SECONDS: i64 = 300;
pub const MAX_AGE_SECONDS: i64 = 3600;

/// Why a policy cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("the skew must be 0 to {MAX_SKEW_SECONDS} seconds")]
    Skew,
    #[error("the maximum age must be 1 to {MAX_AGE_SECONDS} seconds")]
    MaxAge,
    #[error("a portal that takes {0} tokens must name its audience")]
    AudienceRequired(&'static str),
    #[error("a portal needs at least one key")]
    NoKeys,
}

impl<'a> JwtPolicy<'a> {
    /// RFC 8725 §3.9: with a public-key algorithm the keys are often an identity provider's,
    /// shared by every application it signs for; without an audience a token the provider
    /// made for another application would sign people in here. HS256 secrets are this
    /// portal's alone, so the audience stays optional there.
    pub fn new(
        algorithm: JwtAlgorithm,
        keys: &'a [JwtKey],
        issuer: Option<&'a str>,
        audience: Option<&'a str>,
        skew_seconds: i64,
        max_age_seconds: i64,
    ) -> Result<JwtPolicy<'a>, PolicyError> {
        if !(0..=MAX_SKEW_SECONDS).contains(&skew_seconds) {
            return Err(PolicyError::Skew);
        }
        if !(1..=MAX_AGE_SECONDS).contains(&max_age_seconds) {
            return Err(PolicyError::MaxAge);
        }
        if algorithm != JwtAlgorithm::Hs256 && audience.is_none() {
            return Err(PolicyError::AudienceRequired(algorithm.name()));
        }
        if keys.is_empty() {
            return Err(PolicyError::NoKeys);
        }
        Ok(JwtPolicy { algorithm, keys, issuer, audience, skew_seconds, max_age_seconds })
    }
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
            .or_else(|| n.as_u64().map(|n| n.to_string()))
            // 1234.0 and 1e3 are integers too; -0.0 is 0.
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| format!("{:.0}", f + 0.0))),
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

/// Verifies the signature with `key`; the claims, as JSON, on success. They are read into
/// their shape only after this: a forged token learns nothing about which claims are
/// expected (it fails as `Signature`, whatever its payload).
fn verify_with(untrusted: &UntrustedToken<'_>, key: &KeyMaterial) -> Option<Claims<serde_json::Value>> {
    let token = match key {
        KeyMaterial::Hs256(key) => Hs256.validator::<serde_json::Value>(key).validate(untrusted),
        KeyMaterial::Rs256(key) => StrongAlg(Rsa::rs256()).validator::<serde_json::Value>(key).validate(untrusted),
        KeyMaterial::Es256(key) => Es256.validator::<serde_json::Value>(key).validate(untrusted),
        KeyMaterial::EdDsa(key) => Ed25519.validator::<serde_json::Value>(key).validate(untrusted),
    };
    token.ok().map(|token| token.into_parts().1)
}

/// A token's times in milliseconds.
struct Times {
    expires: Option<i64>,
    not_before: Option<i64>,
    issued: Option<i64>,
}

/// A token whose signature, times, issuer and audience were checked, for a protocol built on
/// JWTs (OIDC ID Tokens) to read its own claims from. `jti` is not required here:
/// an ID Token usually has none, its single use coming from the nonce bound to one sign-in
/// (OIDC Core 1.0 §3.1.2.1, §15.5.2). The sign-in token path (`verify`) requires it.
#[derive(Clone, Debug)]
pub struct SignedClaims {
    /// The payload's claims as a JSON object, less `exp`, `nbf` and `iat` (read below).
    pub claims: serde_json::Value,
    /// `exp`, if the token has one.
    pub expires: Option<Timestamp>,
    /// `iat` (always present: a token without it is refused).
    pub issued_at: Timestamp,
    /// As `VerifiedClaims::usable_until`.
    pub usable_until: Timestamp,
}

/// Verifies a token's signature, times, `iss` and `aud` against the policy at `now`, leaving
/// the other claims to the caller.
pub fn verify_signed(token: &str, policy: &JwtPolicy<'_>, now: Timestamp) -> Result<SignedClaims, JwtError> {
    #[derive(Deserialize)]
    struct Addressed {
        iss: Option<String>,
        aud: Option<Audience>,
    }
    let (claims, times) = signed_parts(token, policy, now)?;
    let addressed = Addressed::deserialize(&claims).map_err(|_| JwtError::Claims)?;
    check_addressee(addressed.iss.as_deref(), addressed.aud.as_ref(), policy)?;
    Ok(SignedClaims {
        claims,
        expires: times.expires.map(Timestamp::from_millis),
        issued_at: Timestamp::from_millis(times.issued.ok_or(JwtError::MissingIssuedAt)?),
        usable_until: Timestamp::from_millis(usable_until(&times, policy, now)),
    })
}

/// Verifies a sign-in token against a portal's policy at `now`.
pub fn verify(token: &str, policy: &JwtPolicy<'_>, now: Timestamp) -> Result<VerifiedClaims, JwtError> {
    let (claims, times) = signed_parts(token, policy, now)?;
    let custom: SignInClaims = serde_json::from_value(claims).map_err(|_| JwtError::Claims)?;
    check_addressee(custom.iss.as_deref(), custom.aud.as_ref(), policy)?;
    let jti = custom.jti.as_ref().and_then(text_or_integer).ok_or(JwtError::MissingJti)?;
    let email = custom.email.as_deref().and_then(|e| Email::parse(e).ok()).ok_or(JwtError::Email)?;
    // An external id that is there but unusable is refused, never dropped: the caller may
    // link accounts by it, and silently falling back to the email would link the wrong way.
    let external_id = match &custom.external_id {
        None | Some(serde_json::Value::Null) => None,
        Some(value) => Some(text_or_integer(value).ok_or(JwtError::Claims)?),
    };
    Ok(VerifiedClaims {
        email,
        name: custom.name.filter(|n| !n.trim().is_empty()),
        external_id,
        organization: custom.organization.filter(|o| !o.trim().is_empty()),
        locale: custom.locale.as_deref().and_then(Language::from_tag),
        jti,
        usable_until: Timestamp::from_millis(usable_until(&times, policy, now)),
    })
}

/// Size, shape, header, signature (with the policy's keys only) and times: the claims as
/// JSON (less the times) once they are known to be the key holder's.
fn signed_parts(token: &str, policy: &JwtPolicy<'_>, now: Timestamp) -> Result<(serde_json::Value, Times), JwtError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(JwtError::TooLarge);
    }
    let token = token.trim();
    if token.split('.').count() != 3 {
        return Err(JwtError::Malformed);
    }
    let kid = check_header(token, policy)?;
    let untrusted = UntrustedToken::new(token).map_err(|_| JwtError::Malformed)?;
    // `kid` picks one of the portal's keys, when its keys have ids; otherwise (an HS256
    // secret, a JWKS without ids) each key is tried, as during a rollover. Every failure is
    // the same `Signature`, and HMAC comparison is constant-time: no oracle either way.
    let keyed = policy.keys.iter().any(|k| k.kid.is_some());
    let candidates: Vec<&JwtKey> = match &kid {
        Some(kid) if keyed => policy.keys.iter().filter(|k| k.kid.as_deref() == Some(kid.as_str())).collect(),
        _ => policy.keys.iter().collect(),
    };
    if candidates.is_empty() {
        return Err(JwtError::UnknownKey);
    }
    let claims = candidates.iter().find_map(|key| verify_with(&untrusted, &key.material)).ok_or(JwtError::Signature)?;
    let times = Times {
        expires: claims.expiration.map(|at| at.timestamp_millis()),
        not_before: claims.not_before.map(|at| at.timestamp_millis()),
        issued: claims.issued_at.map(|at| at.timestamp_millis()),
    };
    check_time(&times, policy, now)?;
    Ok((claims.custom, times))
}

/// `iss` and `aud` exactly, when the policy sets them (RFC 7519 §4.1.1, §4.1.3).
fn check_addressee(iss: Option<&str>, aud: Option<&Audience>, policy: &JwtPolicy<'_>) -> Result<(), JwtError> {
    if let Some(issuer) = policy.issuer {
        if iss != Some(issuer) {
            return Err(JwtError::Issuer);
        }
    }
    if let Some(audience) = policy.audience {
        let matches = match aud {
            Some(Audience::One(aud)) => aud == audience,
            Some(Audience::Many(auds)) => auds.iter().any(|aud| aud == audience),
            None => false,
        };
        if !matches {
            return Err(JwtError::Audience);
        }
    }
    Ok(())
}

/// The last instant the token could be accepted (inclusive): the earlier of `exp` + skew and
/// `iat` + maximum age + skew. Its `jti` must be remembered at least that long.
fn usable_until(times: &Times, policy: &JwtPolicy<'_>, now: Timestamp) -> i64 {
    let skew = policy.skew_seconds.saturating_mul(1000);
    let by_age = times
        .issued
        .unwrap_or(now.millis())
        .saturating_add(policy.max_age_seconds.saturating_mul(1000))
        .saturating_add(skew);
    times.expires.map_or(by_age, |exp| by_age.min(exp.saturating_add(skew)))
}

/// `exp`, `nbf` (with skew) and `iat` (required, not ahead of the clock, not too old), in
/// saturating millisecond arithmetic: a token's extreme timestamps cannot overflow anything.
fn check_time(times: &Times, policy: &JwtPolicy<'_>, now: Timestamp) -> Result<(), JwtError> {
    let (now, skew) = (now.millis(), policy.skew_seconds.saturating_mul(1000));
    if times.expires.is_some_and(|exp| exp.saturating_add(skew) < now) {
        return Err(JwtError::Expired);
    }
    if times.not_before.is_some_and(|nbf| nbf.saturating_sub(skew) > now) {
        return Err(JwtError::NotYetValid);
    }
    let issued = times.issued.ok_or(JwtError::MissingIssuedAt)?;
    if issued > now.saturating_add(skew) {
        return Err(JwtError::IssuedInFuture);
    }
    if now.saturating_sub(issued) > policy.max_age_seconds.saturating_mul(1000).saturating_add(skew) {
        return Err(JwtError::TooOld);
    }
    Ok(())
}

/// The `iss` a token claims, read without verifying anything: only to choose which of a
/// portal's connections is asked to verify it (that connection's policy then checks `iss`).
pub fn unverified_issuer(token: &str) -> Option<String> {
    if token.len() > MAX_TOKEN_BYTES {
        return None;
    }
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: HashMap<String, serde_json::Value> = serde_json::from_slice(&bytes).ok()?;
    claims.get("iss")?.as_str().map(str::to_owned)
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
        json!({ "iat": seconds(-10), "exp": seconds(120), "jti": "t-1", "email": "Ada@Example.com", "aud": "porch",
                "name": "Ada", "organization": "Globex", "locale": "da-DK", "external_id": 42 })
    }

    /// A policy with a skew of 2 minutes and a maximum age of 3; public-key algorithms get
    /// the audience "porch" (they need one), and the test tokens carry it.
    fn policy(algorithm: JwtAlgorithm, keys: &[JwtKey]) -> JwtPolicy<'_> {
        let audience = (algorithm != JwtAlgorithm::Hs256).then_some("porch");
        JwtPolicy::new(algorithm, keys, None, audience, 120, 180).unwrap()
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
        let strict =
            JwtPolicy::new(JwtAlgorithm::Hs256, &keys, Some("https://idp.example"), Some("porch"), 120, 180).unwrap();
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

    #[test]
    fn extreme_timestamps_from_a_signed_token_are_refused_without_overflowing() {
        let keys = hs_keys();
        let hs = policy(JwtAlgorithm::Hs256, &keys);
        let with = |key: &str, value: Value| {
            let mut c = claims();
            c[key] = value;
            verify(&hs256(&c), &hs, now())
        };
        assert!(with("nbf", json!(-8_334_601_228_800_i64)).is_ok(), "long ago is before now");
        assert_eq!(with("exp", json!(-8_334_601_228_800_i64)), Err(JwtError::Expired));
        assert_eq!(with("iat", json!(-8_334_601_228_800_i64)), Err(JwtError::TooOld));
        assert!(with("exp", json!(1e300)).is_err());
    }

    #[test]
    fn a_forged_token_fails_as_a_signature_whatever_its_claims_look_like() {
        let keys = hs_keys();
        let hs = policy(JwtAlgorithm::Hs256, &keys);
        let forged = raw(&json!({ "alg": "HS256" }), &json!({ "email": 5, "iat": "soon" }), &[0; 32]);
        assert_eq!(verify(&forged, &hs, now()), Err(JwtError::Signature));
        let mut c = claims();
        c["external_id"] = json!(1.5);
        assert_eq!(verify(&hs256(&c), &hs, now()), Err(JwtError::Claims), "an unusable external id is refused");
    }

    #[test]
    fn a_kid_on_an_hs256_token_is_no_reason_to_refuse_it() {
        let keys = hs_keys();
        let token = Hs256
            .token(&Header::empty().with_key_id("whatever"), &Claims::new(claims()), &Hs256Key::new(SECRET))
            .unwrap();
        assert!(verify(&token, &policy(JwtAlgorithm::Hs256, &keys), now()).is_ok());
    }

    #[test]
    fn policies_keep_their_numbers_in_range_and_public_key_portals_name_an_audience() {
        let keys = hs_keys();
        assert_eq!(JwtPolicy::new(JwtAlgorithm::Hs256, &keys, None, None, 301, 60).err(), Some(PolicyError::Skew));
        assert_eq!(JwtPolicy::new(JwtAlgorithm::Hs256, &keys, None, None, 60, 0).err(), Some(PolicyError::MaxAge));
        let rsa = JwtKey::from_jwks(JwtAlgorithm::Rs256, &rsa_public_jwks("k")).unwrap();
        assert_eq!(
            JwtPolicy::new(JwtAlgorithm::Rs256, &rsa, None, None, 60, 60).err(),
            Some(PolicyError::AudienceRequired("RS256"))
        );
        assert_eq!(JwtPolicy::new(JwtAlgorithm::Hs256, &[], None, None, 60, 60).err(), Some(PolicyError::NoKeys));
        let private = json!({ "keys": [serde_json::from_str::<Value>(RSA_JWK).unwrap()] }).to_string();
        assert!(matches!(JwtKey::from_jwks(JwtAlgorithm::Rs256, &private), Err(KeyError::BadKey(0, _))));
    }
}
