//! Fuzzes the IdP metadata parser: the bytes are the metadata document; when the first byte
//! is odd, a metadata signing key is pinned, so the signature path (shape, C14N, digest) runs
//! too. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use porch_sso::saml::{parse_idp_metadata, PinnedKey};
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
    let Some((first, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let key = PinnedKey::from_spki_der(&spki()).unwrap();
    let pinned = (first & 1 == 1).then_some(&key);
    // 2026-11-23T14:09:34Z.
    let _ = parse_idp_metadata(text, pinned, Timestamp::from_millis(1_795_442_974_000));
});
