//! Fuzzes the IdP metadata parser: the bytes are the metadata document; when the first byte
//! is odd, a metadata signing key is pinned, so the signature path (shape, C14N, digest) runs
//! too. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use porch_sso::saml::parse_idp_metadata;
use porch_types::time::Timestamp;

mod generator_key;

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let key = generator_key::generator_key();
    let pinned = (first & 1 == 1).then_some(&key);
    // 2026-11-23T14:09:34Z.
    let _ = parse_idp_metadata(text, pinned, Timestamp::from_millis(1_795_442_974_000));
});
