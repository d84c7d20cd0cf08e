//! The pinned key the SAML fuzz targets share (each includes this file as a module).

use porch_sso::saml::PinnedKey;

/// A P-256 SubjectPublicKeyInfo whose point is the curve's generator: a valid public key
/// that needs no generated key material in the repository.
const P256_GENERATOR_SPKI: &str = concat!(
    "3059301306072a8648ce3d020106082a8648ce3d030107034200",
    "04",
    "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"
);

/// `P256_GENERATOR_SPKI` as a pinned key.
pub fn generator_key() -> PinnedKey {
    let der: Vec<u8> = (0..P256_GENERATOR_SPKI.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&P256_GENERATOR_SPKI[i..i + 2], 16).unwrap())
        .collect();
    PinnedKey::from_spki_der(&der).unwrap()
}
