//! Fuzzes the SAML response verifier: the bytes are the XML document (base64-encoded here, so
//! the fuzzer explores the parser, the census, C14N and XML-DSig rather than base64), or, when
//! the first byte is 0xFF, the rest is the raw form value. Nothing may panic.
#![no_main]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use porch_sso::saml::{exclusive_c14n, verify_response, SamlPolicy, DEFAULT_ALGORITHMS};
use porch_types::time::Timestamp;

mod generator_key;

fuzz_target!(|data: &[u8]| {
    let keys = [generator_key::generator_key()];
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
