//! porch's own key pairs as a SAML service provider, one per connection (two while one
//! replaces the other): RSA-2048, generated here from a seed the caller draws from the
//! platform's randomness, the private half handed out only as DER for sealing (`seal`), the
//! public half in a self-signed certificate for the SP metadata. They sign AuthnRequests
//! (SAML Bindings §3.4.4.1) and decrypt EncryptedAssertions (SAML Core §6).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand_chacha::rand_core::SeedableRng as _;
use rand_chacha::ChaCha20Rng;
use rsa::pkcs1::{DecodeRsaPrivateKey as _, EncodeRsaPrivateKey as _, EncodeRsaPublicKey as _};
use rsa::traits::PublicKeyParts as _;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use sha2::{Digest as _, Sha256};

use super::certificate;
use super::encryption::DecryptionKey;
use super::keys::{KeyError, KeyMaterial, PinnedKey};
use porch_types::time::Timestamp;

/// NIST SP 800-57 Part 1 Table 2: 2048-bit RSA gives 112 bits of security through 2030, and
/// every IdP accepts it; larger keys would make the generation (already the slow part, see
/// the README "SSO") several times slower.
pub const SP_KEY_BITS: usize = 2048;

/// Why an SP key could not be made, read back or used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SpKeyError {
    #[error("generating the RSA key failed")]
    Generate,
    #[error("the stored private key is not a PKCS#1 RSA key of {SP_KEY_BITS} bits")]
    PrivateKey,
    #[error("the stored certificate does not hold this private key's public key")]
    Mismatch,
    #[error("signing failed")]
    Sign,
}

/// One of porch's SP key pairs. No `Debug`: the private key must never reach a log.
#[derive(Clone)]
pub struct SpKey {
    private: RsaPrivateKey,
    certificate: Vec<u8>,
}

impl SpKey {
    /// A fresh key pair and its certificate (`CN=<common_name>`, valid from `now`). All the
    /// randomness (the primes, the serial number, the certificate signature's blinding)
    /// comes from `seed`: 32 bytes of the platform's CSPRNG, so the key is as good as the
    /// platform's randomness and the core never reaches for a clock or an RNG of its own.
    pub fn generate(seed: [u8; 32], common_name: &str, now: Timestamp) -> Result<SpKey, SpKeyError> {
        let mut rng = ChaCha20Rng::from_seed(seed);
        let private = RsaPrivateKey::new(&mut rng, SP_KEY_BITS).map_err(|_| SpKeyError::Generate)?;
        let public = private.to_public_key().to_pkcs1_der().map_err(|_| SpKeyError::Generate)?;
        // RFC 5280 §4.1.2.2: a positive serial of at most 20 bytes, unpredictable (CA/B
        // Baseline Requirements §7.1: at least 64 random bits).
        let mut serial = [0u8; 16];
        rand_chacha::rand_core::RngCore::fill_bytes(&mut rng, &mut serial);
        let tbs = certificate::tbs_certificate(&serial, common_name, now, public.as_bytes());
        let signature = sign_sha256(&private, &tbs, &mut rng)?;
        Ok(SpKey { certificate: certificate::certificate(&tbs, &signature), private })
    }

    /// A key pair read back: the private key as `private_key_der` wrote it (once unsealed)
    /// and its certificate, which must hold the same public key.
    pub fn open(private_key_der: &[u8], certificate_der: &[u8]) -> Result<SpKey, SpKeyError> {
        let private = RsaPrivateKey::from_pkcs1_der(private_key_der).map_err(|_| SpKeyError::PrivateKey)?;
        if private.n().bits() != SP_KEY_BITS {
            return Err(SpKeyError::PrivateKey);
        }
        let pinned = PinnedKey::from_der_certificate(certificate_der).map_err(|_| SpKeyError::Mismatch)?;
        match &pinned.material {
            KeyMaterial::Rsa(public) if *public == private.to_public_key() => {}
            _ => return Err(SpKeyError::Mismatch),
        }
        Ok(SpKey { private, certificate: certificate_der.to_vec() })
    }

    /// The private key as PKCS#1 DER, to be sealed at once (`seal::seal`) and never stored or
    /// shown as it is.
    pub fn private_key_der(&self) -> Result<Vec<u8>, SpKeyError> {
        self.private.to_pkcs1_der().map(|der| der.as_bytes().to_vec()).map_err(|_| SpKeyError::PrivateKey)
    }

    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate
    }

    /// The certificate as the base64 of a metadata `ds:X509Certificate`.
    pub fn certificate_base64(&self) -> String {
        STANDARD.encode(&self.certificate)
    }

    /// The key's id: the lowercase hex SHA-256 of its certificate (what the API names it by).
    pub fn id(&self) -> String {
        certificate_id(&self.certificate)
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2) over `message`, blinded with randomness
    /// from `seed` (fresh per signature) so its timing says nothing about the key.
    pub fn sign_rsa_sha256(&self, message: &[u8], seed: [u8; 32]) -> Result<Vec<u8>, SpKeyError> {
        sign_sha256(&self.private, message, &mut ChaCha20Rng::from_seed(seed))
    }

    /// The public half, for tests that check a signature without porch's own code.
    #[cfg(test)]
    pub(super) fn rsa_public_key(&self) -> rsa::RsaPublicKey {
        self.private.to_public_key()
    }

    /// The key as the verifier takes it to decrypt `EncryptedAssertion`s sent to this SP.
    pub fn decryption_key(&self) -> Result<DecryptionKey, KeyError> {
        DecryptionKey::from_rsa(self.private.clone())
    }
}

/// The id of a key by its certificate DER: lowercase hex SHA-256.
pub fn certificate_id(certificate_der: &[u8]) -> String {
    use std::fmt::Write as _;
    Sha256::digest(certificate_der).iter().fold(String::with_capacity(64), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

fn sign_sha256(private: &RsaPrivateKey, message: &[u8], rng: &mut ChaCha20Rng) -> Result<Vec<u8>, SpKeyError> {
    private.sign_with_rng(rng, Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message)).map_err(|_| SpKeyError::Sign)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::saml::KeyKind;

    fn key() -> SpKey {
        SpKey::generate([3; 32], "porch SP test", Timestamp::from_millis(1_795_000_000_000)).unwrap()
    }

    #[test]
    fn a_generated_key_reads_back_from_its_der_and_its_certificate_pins_its_public_key() {
        let key = key();
        let pinned = PinnedKey::from_der_certificate(key.certificate_der()).unwrap();
        assert_eq!(pinned.kind(), KeyKind::Rsa { bits: 2048 });
        let opened = SpKey::open(&key.private_key_der().unwrap(), key.certificate_der()).unwrap();
        assert_eq!(opened.id(), key.id());
        assert_eq!(key.id().len(), 64);
        // Another key's certificate does not go with this private key.
        let other = SpKey::generate([4; 32], "other", Timestamp::from_millis(0)).unwrap();
        assert_eq!(
            SpKey::open(&key.private_key_der().unwrap(), other.certificate_der()).err(),
            Some(SpKeyError::Mismatch)
        );
        assert_eq!(SpKey::open(b"junk", key.certificate_der()).err(), Some(SpKeyError::PrivateKey));
    }

    #[test]
    fn the_certificate_is_signed_by_its_own_key_and_signatures_verify_with_it() {
        let key = key();
        let public = key.private.to_public_key();
        let signature = key.sign_rsa_sha256(b"SAMLRequest=abc", [5; 32]).unwrap();
        let hashed = Sha256::digest(b"SAMLRequest=abc");
        assert!(public.verify(Pkcs1v15Sign::new::<Sha256>(), &hashed, &signature).is_ok());
        assert!(public.verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(b"SAMLRequest=abd"), &signature).is_err());
    }

    /// Not a test of behaviour: how long RSA-2048 generation takes on this machine
    /// (`cargo test -p porch-sso --release -- --ignored --nocapture sp_key_generation_time`).
    #[test]
    #[ignore = "a measurement"]
    #[allow(clippy::disallowed_methods)]
    fn sp_key_generation_time() {
        let mut times = Vec::new();
        for seed in 0..20u8 {
            let started = std::time::Instant::now();
            SpKey::generate([seed; 32], "timing", Timestamp::from_millis(0)).unwrap();
            times.push(started.elapsed().as_millis());
        }
        times.sort_unstable();
        println!("RSA-2048 SP key generation, 20 seeds, ms: {times:?}; median {}", times[10]);
    }
}
