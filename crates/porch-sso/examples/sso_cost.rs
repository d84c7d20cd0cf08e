//! The CPU cost of verifying one SSO sign-in, per protocol and key: a JWT (HS256, RS256,
//! ES256, `EdDSA`) and a SAML response (RSA-2048 and ECDSA P-256, signed assertion; the RSA
//! one also encrypted to an RSA-2048 SP key, RSA-OAEP with AES-256-GCM and AES-128-CBC)
//! through porch's own verifiers. Built natively, and for `wasm32-wasip1` to run in V8 (the engine
//! workerd runs the worker's wasm in) under Node's WASI: `scripts/bench-sso` does both.
//!
//! `cargo run --release --example sso_cost -- DIR`, where DIR holds `rsa/`, `ec/`,
//! `rsa-aes256-gcm/` and `rsa-aes128-cbc/` with the `idp.cert.pem` and `response.b64` that
//! `tests/sso_idp/saml_idp.py` makes, and `sp/idp.key.pem`, the SP's decryption key (see
//! `scripts/bench-sso` for the entity IDs and the instant they are minted for).

// A host tool that measures time: the clock ban protects the core, not this.
#![allow(clippy::disallowed_methods, clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use jwt_compact::alg::{Ed25519, Es256, Hs256, Hs256Key, Rsa, RsaPrivateKey, StrongAlg, StrongKey};
use jwt_compact::jwk::JsonWebKey;
use jwt_compact::{AlgorithmExt as _, Claims, Header};
use porch_sso::jwt::{verify, JwtAlgorithm, JwtKey, JwtPolicy};
use porch_sso::saml::{self, DecryptionKey, PinnedKey, SamlPolicy, DEFAULT_ALGORITHMS};
use porch_types::time::Timestamp;
use serde_json::json;

const SECRET: &[u8] = b"an-hs256-secret-of-at-least-32-bytes!";
const RSA_JWK: &str = include_str!("../../../tests/fixtures/sso/rsa2048-private.jwk.json");
/// The instant the bench's tokens and responses are made for (`scripts/bench-sso` mints the
/// SAML responses at it).
const NOW_MS: i64 = 1_795_000_000_000;
const ROUNDS: u32 = 200;
const IDP: &str = "https://idp.bench.example";
const SP: &str = "https://portal.bench.example/sso/x/metadata";
const ACS: &str = "https://portal.bench.example/sso/x/acs";

fn claims() -> Claims<serde_json::Value> {
    Claims::new(json!({ "iat": NOW_MS / 1000, "jti": "bench", "email": "ada@example.com", "aud": "porch" }))
}

/// Runs `check` once to be sure it passes, then ROUNDS times; prints the time per run.
fn measure(name: &str, mut check: impl FnMut()) {
    check();
    let started = Instant::now();
    for _ in 0..ROUNDS {
        check();
    }
    let per = started.elapsed() / ROUNDS;
    println!("{name:<14} {:>9.1} µs per verification ({ROUNDS} rounds)", per.as_secs_f64() * 1e6);
}

fn jwt(name: &str, algorithm: JwtAlgorithm, keys: &[JwtKey], token: &str) {
    let policy = JwtPolicy::new(algorithm, keys, None, Some("porch"), 60, 300).unwrap();
    let now = Timestamp::from_millis(NOW_MS);
    measure(name, || {
        verify(token, &policy, now).unwrap();
    });
}

/// A SAML response in `dir`, decrypted with the SP key in `sp_key` (a PKCS#8 PEM) if any.
fn saml_response(name: &str, dir: &str, sp_key: Option<&str>) {
    let certificate = std::fs::read_to_string(format!("{dir}/idp.cert.pem")).unwrap();
    let response = std::fs::read_to_string(format!("{dir}/response.b64")).unwrap();
    let keys = [PinnedKey::from_pem_certificate(&certificate).unwrap()];
    let decryption: Vec<DecryptionKey> = sp_key
        .map(|path| DecryptionKey::from_pkcs8_pem(&std::fs::read_to_string(path).unwrap()).unwrap())
        .into_iter()
        .collect();
    let policy = SamlPolicy::new(IDP, SP, ACS, &keys, DEFAULT_ALGORITHMS)
        .unwrap()
        .with_decryption_keys(&decryption, [0; 32])
        .unwrap();
    let now = Timestamp::from_millis(NOW_MS + 10_000);
    measure(name, || {
        saml::verify_response(response.trim(), &policy, now).unwrap();
    });
}

fn main() {
    let dir = std::env::args().nth(1).expect("the directory scripts/bench-sso fills");
    let hs = Hs256.token(&Header::empty(), &claims(), &Hs256Key::new(SECRET)).unwrap();
    jwt("JWT HS256", JwtAlgorithm::Hs256, &[JwtKey::hs256(SECRET).unwrap()], &hs);

    let jwk: JsonWebKey<'_> = serde_json::from_str(RSA_JWK).unwrap();
    let private = StrongKey::try_from(RsaPrivateKey::try_from(&jwk).unwrap()).unwrap();
    let rs = StrongAlg(Rsa::rs256()).token(&Header::empty(), &claims(), &private).unwrap();
    let public = json!({ "keys": [JsonWebKey::from(private.to_public_key().as_ref())] }).to_string();
    jwt("JWT RS256", JwtAlgorithm::Rs256, &JwtKey::from_jwks(JwtAlgorithm::Rs256, &public).unwrap(), &rs);

    let ec = p256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
    let es = Es256.token(&Header::empty(), &claims(), &ec).unwrap();
    let public = json!({ "keys": [JsonWebKey::from(ec.verifying_key())] }).to_string();
    jwt("JWT ES256", JwtAlgorithm::Es256, &JwtKey::from_jwks(JwtAlgorithm::Es256, &public).unwrap(), &es);

    let ed = ed25519_compact::KeyPair::from_seed(ed25519_compact::Seed::new([9; 32]));
    let eddsa = Ed25519.token(&Header::empty(), &claims(), &ed.sk).unwrap();
    let public = json!({ "keys": [JsonWebKey::from(&ed.pk)] }).to_string();
    jwt("JWT EdDSA", JwtAlgorithm::EdDsa, &JwtKey::from_jwks(JwtAlgorithm::EdDsa, &public).unwrap(), &eddsa);

    saml_response("SAML RSA-2048", &format!("{dir}/rsa"), None);
    saml_response("SAML P-256", &format!("{dir}/ec"), None);
    let sp_key = format!("{dir}/sp/idp.key.pem");
    saml_response("SAML RSA+GCM", &format!("{dir}/rsa-aes256-gcm"), Some(&sp_key));
    saml_response("SAML RSA+CBC", &format!("{dir}/rsa-aes128-cbc"), Some(&sp_key));
}
