//! Fuzzes the SAML response verifier: the bytes are the XML document (base64-encoded here, so
//! the fuzzer explores the parser, the census, C14N and XML-DSig rather than base64), or, when
//! the first byte is 0xFF, the rest is the raw form value. Nothing may panic.
#![no_main]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use porch_sso::saml::{exclusive_c14n, verify_response, PinnedKey, SamlPolicy, DEFAULT_ALGORITHMS};
use porch_types::time::Timestamp;

/// A P-256 SubjectPublicKeyInfo whose point is the curve's generator: a valid public key
/// that needs no generated key material in the repository.
const P256_GENERATOR_SPKI: &str = concat!(
    "3059301306072a8648ce3d020106082a8648ce3d030107034200",
    "04",
    "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"
);

fn spki() -> Vec<u8> {
    (0..P256_GENERATOR_SPKI.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&P256_GENERATOR_SPKI[i..i + 2], 16).unwrap())
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let keys = [PinnedKey::from_spki_der(&spki()).unwrap()];
    let policy = SamlPolicy::new(
        "https://idp.example.com/metadata",
        "https://portal.example.com/saml/metadata",
        "https://portal.example.com/saml/acs",
        &keys,
        DEFAULT_ALGORITHMS,
    )
    .unwrap()
    .with_expected_in_response_to("_req-7f3a2c");
    // 2026-11-23T14:09:34Z, the fixtures' clock.
    let now = Timestamp::from_millis(1_795_442_974_000);
    let form = match data.split_first() {
        Some((0xFF, rest)) => String::from_utf8_lossy(rest).into_owned(),
        _ => STANDARD.encode(data),
    };
    let _ = verify_response(&form, &policy, now);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = exclusive_c14n(text, "Assertion", &["xs"]);
    }
});
