//! The CPU cost of verifying one JWT sign-in token natively, per algorithm: the verifier of
//! `porch::auth::sso::jwt` on tokens signed with test keys (the RSA key of
//! `tests/fixtures/sso`, P-256 and Ed25519 keys from fixed seeds).
//!
//! cargo run --release --example `jwt_cost`

// A host tool that measures time: the clock ban protects the core, not this.
#![allow(clippy::disallowed_methods, clippy::unwrap_used)]

use std::time::Instant;

use jwt_compact::alg::{Ed25519, Es256, Hs256, Hs256Key, Rsa, RsaPrivateKey, StrongAlg, StrongKey};
use jwt_compact::jwk::JsonWebKey;
use jwt_compact::{AlgorithmExt as _, Claims, Header};
use porch::auth::sso::jwt::{verify, JwtAlgorithm, JwtKey, JwtPolicy};
use porch::domain::time::Timestamp;
use serde_json::json;

const SECRET: &[u8] = b"an-hs256-secret-of-at-least-32-bytes!";
const RSA_JWK: &str = include_str!("../tests/fixtures/sso/rsa2048-private.jwk.json");
const NOW_MS: i64 = 1_795_000_000_000;
const ROUNDS: u32 = 200;

fn claims() -> Claims<serde_json::Value> {
    Claims::new(json!({ "iat": NOW_MS / 1000, "jti": "bench", "email": "ada@example.com", "aud": "porch" }))
}

fn measure(name: &str, algorithm: JwtAlgorithm, keys: &[JwtKey], token: &str) {
    let policy = JwtPolicy::new(algorithm, keys, None, Some("porch"), 60, 300).unwrap();
    let now = Timestamp::from_millis(NOW_MS);
    verify(token, &policy, now).unwrap();
    let started = Instant::now();
    for _ in 0..ROUNDS {
        verify(token, &policy, now).unwrap();
    }
    let per = started.elapsed() / ROUNDS;
    println!("{name:<8} {:>8.1} µs per verification ({ROUNDS} rounds)", per.as_secs_f64() * 1e6);
}

fn main() {
    let hs = Hs256.token(&Header::empty(), &claims(), &Hs256Key::new(SECRET)).unwrap();
    measure("HS256", JwtAlgorithm::Hs256, &[JwtKey::hs256(SECRET).unwrap()], &hs);

    let jwk: JsonWebKey<'_> = serde_json::from_str(RSA_JWK).unwrap();
    let private = StrongKey::try_from(RsaPrivateKey::try_from(&jwk).unwrap()).unwrap();
    let rs = StrongAlg(Rsa::rs256()).token(&Header::empty(), &claims(), &private).unwrap();
    let public = json!({ "keys": [JsonWebKey::from(private.to_public_key().as_ref())] }).to_string();
    measure("RS256", JwtAlgorithm::Rs256, &JwtKey::from_jwks(JwtAlgorithm::Rs256, &public).unwrap(), &rs);

    let ec = p256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
    let es = Es256.token(&Header::empty(), &claims(), &ec).unwrap();
    let p256_jwks = json!({ "keys": [JsonWebKey::from(ec.verifying_key())] }).to_string();
    measure("ES256", JwtAlgorithm::Es256, &JwtKey::from_jwks(JwtAlgorithm::Es256, &p256_jwks).unwrap(), &es);

    let ed = ed25519_compact::KeyPair::from_seed(ed25519_compact::Seed::new([9; 32]));
    let eddsa = Ed25519.token(&Header::empty(), &claims(), &ed.sk).unwrap();
    let ed25519_jwks = json!({ "keys": [JsonWebKey::from(&ed.pk)] }).to_string();
    measure("EdDSA", JwtAlgorithm::EdDsa, &JwtKey::from_jwks(JwtAlgorithm::EdDsa, &ed25519_jwks).unwrap(), &eddsa);
}
