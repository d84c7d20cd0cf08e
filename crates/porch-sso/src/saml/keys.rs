//! A portal's pinned IdP signing keys, read from the certificates the admin pasted (PEM or
//! the bare base64 of IdP metadata). Only the public key is used: the certificate's dates,
//! issuer and extensions are not trusted or checked (SAML metadata interoperability: a
//! pinned key is trusted because the admin configured it, not because of its certificate).
//! The one thing read besides the key is NotAfter, to warn the admin before the IdP rolls its
//! key over: a warning only, never a refusal.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use der::asn1::{AnyRef, ObjectIdentifier};
use der::{Decode as _, Reader as _, SliceReader, Tag, TagNumber, Tagged as _};
use rsa::pkcs1::DecodeRsaPublicKey as _;
use rsa::traits::PublicKeyParts as _;
use sha2::{Digest as _, Sha256};
use spki::SubjectPublicKeyInfoRef;

use porch_types::time::Timestamp;

use super::x509_time;

/// RSA keys shorter than this are refused (NIST SP 800-131A: 2048 bits since 2014).
pub const MIN_RSA_BITS: usize = 2048;
/// The longest pasted certificate: one certificate is a few KiB.
const MAX_CERTIFICATE_TEXT: usize = 16 * 1024;

const OID_RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_PRIME256V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

/// The verifying key itself.
#[derive(Clone, Debug)]
pub(super) enum KeyMaterial {
    Rsa(rsa::RsaPublicKey),
    EcdsaP256(p256::ecdsa::VerifyingKey),
}

/// What kind of key a pinned certificate holds, for display.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Rsa { bits: usize },
    EcdsaP256,
}

/// One IdP signing key the portal trusts.
#[derive(Clone, Debug)]
pub struct PinnedKey {
    pub(super) material: KeyMaterial,
    /// SHA-256 of the certificate's DER, as admins compare it with their IdP's screen.
    fingerprint: [u8; 32],
    /// The certificate's NotAfter, when there is a certificate and its time could be read.
    not_after: Option<Timestamp>,
}

/// How long before and after a pinned certificate's NotAfter the admin is warned: IdPs
/// publish their next key weeks ahead of the old certificate's end, and usually switch to it
/// soon after, so this is when the connection needs its second key pinned.
pub const CERTIFICATE_WARNING_DAYS: i64 = 30;

/// A warning about a pinned certificate's dates (never a reason to refuse a response).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertificateWarning {
    /// NotAfter is at most `CERTIFICATE_WARNING_DAYS` ahead.
    ExpiresSoon { not_after: Timestamp },
    /// NotAfter passed at most `CERTIFICATE_WARNING_DAYS` ago.
    Expired { not_after: Timestamp },
}

impl CertificateWarning {
    /// The stable code the API and the SSO event log use.
    pub fn code(self) -> &'static str {
        match self {
            CertificateWarning::ExpiresSoon { .. } => "certificate_expires_soon",
            CertificateWarning::Expired { .. } => "certificate_expired",
        }
    }

    pub fn not_after(self) -> Timestamp {
        match self {
            CertificateWarning::ExpiresSoon { not_after } | CertificateWarning::Expired { not_after } => not_after,
        }
    }
}

/// Why a certificate could not be pinned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the certificate is too large")]
    TooLarge,
    #[error("not one PEM certificate or base64 DER certificate")]
    Encoding,
    #[error("the certificate is not valid DER X.509")]
    Certificate,
    #[error("the certificate's key is neither RSA nor ECDSA P-256")]
    UnsupportedKey,
    #[error("the RSA key has {0} bits; at least {MIN_RSA_BITS} are required")]
    WeakRsa(usize),
    #[error("the public key in the certificate is not valid")]
    InvalidKey,
}

impl PinnedKey {
    /// A certificate as PEM (`-----BEGIN CERTIFICATE-----`, exactly one) or as the bare
    /// base64 found in IdP metadata's `ds:X509Certificate`; whitespace is ignored.
    pub fn from_pem_certificate(text: &str) -> Result<PinnedKey, KeyError> {
        const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
        const END: &str = "-----END CERTIFICATE-----";
        if text.len() > MAX_CERTIFICATE_TEXT {
            return Err(KeyError::TooLarge);
        }
        let body = match text.split_once(BEGIN) {
            Some((before, rest)) => {
                let (body, after) = rest.split_once(END).ok_or(KeyError::Encoding)?;
                // One certificate, nothing else armoured around it (a private key pasted
                // along with it would otherwise sit in the configuration).
                if before.contains("-----") || after.contains("-----") {
                    return Err(KeyError::Encoding);
                }
                body
            }
            None if text.contains("-----") => return Err(KeyError::Encoding),
            None => text,
        };
        let compact: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let der = STANDARD.decode(compact).map_err(|_| KeyError::Encoding)?;
        PinnedKey::from_der_certificate(&der)
    }

    /// A DER X.509 certificate.
    pub fn from_der_certificate(der: &[u8]) -> Result<PinnedKey, KeyError> {
        let (spki, not_after) = certificate_fields(der).map_err(|_| KeyError::Certificate)?;
        Ok(PinnedKey { material: key_material(&spki)?, fingerprint: Sha256::digest(der).into(), not_after })
    }

    /// A bare DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7, PEM `PUBLIC KEY`), for IdPs that
    /// publish a key without a certificate; the fingerprint is then the SPKI's SHA-256.
    pub fn from_spki_der(der: &[u8]) -> Result<PinnedKey, KeyError> {
        let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|_| KeyError::InvalidKey)?;
        Ok(PinnedKey { material: key_material(&spki)?, fingerprint: Sha256::digest(der).into(), not_after: None })
    }

    /// `AB:CD:...`, the SHA-256 fingerprint of the certificate as IdPs display it.
    pub fn fingerprint_sha256(&self) -> String {
        self.fingerprint.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
    }

    /// A key without a certificate, for the unit tests that sign with the JWK test key.
    #[cfg(test)]
    pub(super) fn from_rsa_for_tests(key: rsa::RsaPublicKey) -> PinnedKey {
        PinnedKey { material: KeyMaterial::Rsa(key), fingerprint: [0; 32], not_after: None }
    }

    /// The certificate's NotAfter (None for a bare key, or a time that could not be read).
    pub fn not_after(&self) -> Option<Timestamp> {
        self.not_after
    }

    /// Whether the admin should hear about this certificate's dates at `now`: within
    /// `CERTIFICATE_WARNING_DAYS` before or after its NotAfter.
    pub fn warning(&self, now: Timestamp) -> Option<CertificateWarning> {
        let not_after = self.not_after?;
        let window = CERTIFICATE_WARNING_DAYS * 86_400;
        if now < not_after {
            (now >= not_after.plus_seconds(-window)).then_some(CertificateWarning::ExpiresSoon { not_after })
        } else {
            (now <= not_after.plus_seconds(window)).then_some(CertificateWarning::Expired { not_after })
        }
    }

    pub fn kind(&self) -> KeyKind {
        match &self.material {
            KeyMaterial::Rsa(key) => KeyKind::Rsa { bits: key.n().bits() },
            KeyMaterial::EcdsaP256(_) => KeyKind::EcdsaP256,
        }
    }
}

/// The SubjectPublicKeyInfo and NotAfter of a DER certificate (RFC 5280 §4.1), read field
/// by field without decoding the rest: names and extensions are not used (see the module
/// comment), so they need not be parsed, only skipped as well-formed DER. That is also what
/// lets real-world quirks through: a v1 certificate (no version), a version written out as
/// its DEFAULT, negative, zero or over-long serials, `critical FALSE` spelt out, odd time
/// forms. The whole input must be the certificate, nothing after it.
fn certificate_fields(der: &[u8]) -> der::Result<(SubjectPublicKeyInfoRef<'_>, Option<Timestamp>)> {
    let mut reader = SliceReader::new(der)?;
    let fields = reader.sequence(|certificate| {
        let fields = certificate.sequence(|tbs| {
            // version [0] EXPLICIT, present in every v2/v3 certificate (and in some v1 ones).
            if tbs.peek_tag()? == (Tag::ContextSpecific { constructed: true, number: TagNumber::N0 }) {
                AnyRef::decode(tbs)?;
            }
            // serialNumber, signature, issuer.
            for _ in 0..3 {
                AnyRef::decode(tbs)?;
            }
            let not_after = tbs.sequence(|validity| {
                AnyRef::decode(validity)?;
                let not_after = AnyRef::decode(validity)?;
                Ok(x509_time::parse(not_after.tag().octet(), not_after.value()))
            })?;
            // subject.
            AnyRef::decode(tbs)?;
            let spki = SubjectPublicKeyInfoRef::decode(tbs)?;
            // issuerUniqueID, subjectUniqueID, extensions.
            while !tbs.is_finished() {
                AnyRef::decode(tbs)?;
            }
            Ok((spki, not_after))
        })?;
        // signatureAlgorithm, signatureValue.
        AnyRef::decode(certificate)?;
        AnyRef::decode(certificate)?;
        Ok(fields)
    })?;
    reader.finish(fields)
}

/// An RSAPublicKey (RFC 8017 §A.1.1), read as strictly as DER first and, failing that, as
/// the two INTEGERs read as unsigned magnitudes: some issuers wrote the modulus with a
/// superfluous leading zero byte or without the zero that keeps it positive. The key is the
/// same number either way, and `rsa` still checks its size and exponent.
fn rsa_public_key(key_bytes: &[u8]) -> Option<rsa::RsaPublicKey> {
    if let Ok(key) = rsa::RsaPublicKey::from_pkcs1_der(key_bytes) {
        return Some(key);
    }
    let mut reader = SliceReader::new(key_bytes).ok()?;
    let (n, e) = reader
        .sequence(|key| {
            let n = AnyRef::decode(key)?;
            let e = AnyRef::decode(key)?;
            Ok((n, e))
        })
        .ok()?;
    reader.finish(()).ok()?;
    if n.tag() != Tag::Integer || e.tag() != Tag::Integer {
        return None;
    }
    let unsigned = |value: &[u8]| rsa::BigUint::from_bytes_be(value);
    rsa::RsaPublicKey::new(unsigned(n.value()), unsigned(e.value())).ok()
}

/// The verifying key of a SubjectPublicKeyInfo: RSA of at least `MIN_RSA_BITS`, or P-256.
fn key_material(spki: &SubjectPublicKeyInfoRef<'_>) -> Result<KeyMaterial, KeyError> {
    let key_bytes = spki.subject_public_key.as_bytes().ok_or(KeyError::InvalidKey)?;
    if spki.algorithm.oid == OID_RSA_ENCRYPTION {
        // RFC 3279 §2.3.1: the key is an RSAPublicKey; `rsa` refuses moduli over 4096 bits
        // and bad exponents.
        let key = rsa_public_key(key_bytes).ok_or(KeyError::InvalidKey)?;
        let bits = key.n().bits();
        if bits < MIN_RSA_BITS {
            return Err(KeyError::WeakRsa(bits));
        }
        Ok(KeyMaterial::Rsa(key))
    } else if spki.algorithm.oid == OID_EC_PUBLIC_KEY {
        // RFC 5480 §2.1.1: namedCurve parameters; only P-256 is supported.
        let curve = spki.algorithm.parameters.as_ref().ok_or(KeyError::UnsupportedKey)?;
        if curve.tag() != Tag::ObjectIdentifier || curve.value() != OID_PRIME256V1.as_bytes() {
            return Err(KeyError::UnsupportedKey);
        }
        let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes).map_err(|_| KeyError::InvalidKey)?;
        Ok(KeyMaterial::EcdsaP256(key))
    } else {
        Err(KeyError::UnsupportedKey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_p256_subject_public_key_info_can_be_pinned() {
        let hex = concat!(
            "3059301306072a8648ce3d020106082a8648ce3d030107034200",
            "04",
            "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
            "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"
        );
        let der: Vec<u8> = (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
        assert_eq!(PinnedKey::from_spki_der(&der).unwrap().kind(), KeyKind::EcdsaP256);
        // The point moved off the curve.
        let mut off_curve = der.clone();
        *off_curve.last_mut().unwrap() ^= 1;
        assert_eq!(PinnedKey::from_spki_der(&off_curve).unwrap_err(), KeyError::InvalidKey);
    }

    #[test]
    fn a_certificate_is_warned_about_thirty_days_either_side_of_its_not_after() {
        let not_after = Timestamp::from_millis(1_800_000_000_000);
        let mut key =
            PinnedKey { material: KeyMaterial::EcdsaP256(p256_generator()), fingerprint: [0; 32], not_after: None };
        assert_eq!(key.warning(not_after), None, "no date, no warning");
        key.not_after = Some(not_after);
        let day = 86_400;
        assert_eq!(key.warning(not_after.plus_seconds(-31 * day)), None);
        let soon = key.warning(not_after.plus_seconds(-30 * day)).unwrap();
        assert_eq!((soon.code(), soon.not_after()), ("certificate_expires_soon", not_after));
        assert_eq!(key.warning(not_after.plus_seconds(-1)).unwrap().code(), "certificate_expires_soon");
        assert_eq!(key.warning(not_after).unwrap().code(), "certificate_expired");
        assert_eq!(key.warning(not_after.plus_seconds(30 * day)).unwrap().code(), "certificate_expired");
        assert_eq!(key.warning(not_after.plus_seconds(31 * day)), None);
    }

    fn p256_generator() -> p256::ecdsa::VerifyingKey {
        let hex = "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
        let bytes: Vec<u8> =
            (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
        p256::ecdsa::VerifyingKey::from_sec1_bytes(&bytes).unwrap()
    }

    #[test]
    fn an_rsa_modulus_with_a_superfluous_zero_or_none_still_gives_the_key() {
        use rsa::pkcs1::EncodeRsaPublicKey as _;
        let jwk: serde_json::Value =
            serde_json::from_str(include_str!("../../../../tests/fixtures/sso/rsa2048-private.jwk.json")).unwrap();
        let n = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap();
        let strict = rsa::RsaPublicKey::new(rsa::BigUint::from_bytes_be(&n), rsa::BigUint::from(65_537u32)).unwrap();
        let der = |modulus: &[u8]| {
            // SEQUENCE { INTEGER modulus, INTEGER 65537 }, lengths in two bytes.
            let mut n_tlv = vec![0x02, 0x82];
            n_tlv.extend_from_slice(&u16::try_from(modulus.len()).unwrap().to_be_bytes());
            n_tlv.extend_from_slice(modulus);
            let body = [n_tlv, vec![0x02, 0x03, 0x01, 0x00, 0x01]].concat();
            let mut out = vec![0x30, 0x82];
            out.extend_from_slice(&u16::try_from(body.len()).unwrap().to_be_bytes());
            out.extend_from_slice(&body);
            out
        };
        assert_eq!(rsa_public_key(strict.to_pkcs1_der().unwrap().as_bytes()), Some(strict.clone()));
        assert_eq!(rsa_public_key(&der(&[&[0, 0][..], &n].concat())), Some(strict.clone()), "extra zero");
        assert_eq!(rsa_public_key(&der(&n)), Some(strict), "no zero: read as unsigned");
        assert_eq!(rsa_public_key(&der(&[])), None);
    }

    #[test]
    fn garbage_and_private_keys_are_refused() {
        assert_eq!(PinnedKey::from_pem_certificate("not base64!").unwrap_err(), KeyError::Encoding);
        assert_eq!(PinnedKey::from_pem_certificate("AAAA").unwrap_err(), KeyError::Certificate);
        let private = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert_eq!(PinnedKey::from_pem_certificate(private).unwrap_err(), KeyError::Encoding);
        let with_key = format!("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n{private}");
        assert_eq!(PinnedKey::from_pem_certificate(&with_key).unwrap_err(), KeyError::Encoding);
        assert_eq!(
            PinnedKey::from_pem_certificate(&"A".repeat(MAX_CERTIFICATE_TEXT + 1)).unwrap_err(),
            KeyError::TooLarge
        );
    }
}
