//! Fuzzes the JWT sign-in token verifier with an HS256 policy: any string in, a verified
//! token or a typed error out, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use porch_sso::jwt::{verify, JwtAlgorithm, JwtKey, JwtPolicy};
use porch_types::time::Timestamp;

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else { return };
    let keys = [JwtKey::hs256(b"an-hs256-secret-of-at-least-32-bytes!").unwrap()];
    let policy = JwtPolicy::new(JwtAlgorithm::Hs256, &keys, Some("https://idp.example.com"), None, 120, 180).unwrap();
    let _ = verify(token, &policy, Timestamp::from_millis(1_795_000_000_000));
});
