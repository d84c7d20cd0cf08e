//! `EncryptedAssertion` (SAML Core 2.0 §2.3.4) under XML Encryption 1.1: the content key
//! wrapped with RSA-OAEP to one of the SP's keys (§5.5.2), the assertion under AES-GCM
//! (§5.2.4) or AES-CBC (§5.2.2). This module reads the shape and decrypts; the caller parses
//! the plaintext in place and verifies the assertion's own signature as for any assertion.
//!
//! Decryption must be no oracle (Jager and Somorovsky, "How To Break XML Encryption", CCS
//! 2011; Jager, Schinzel and Somorovsky, "One Bad Apple", ESORICS 2012): every failure from
//! the key unwrap to the plaintext gives one error, and a failure does not cut the work
//! short. A key that does not unwrap is replaced by one derived from our private key and the
//! wrapped bytes (the "implicit rejection" of RFC 8017's successors), so the content is still
//! decrypted; bad CBC padding still hands back bytes for the caller to parse; only at the end
//! is the result thrown away. PKCS#1 v1.5 key transport is refused outright (Bleichenbacher).

use std::fmt;

use aes::cipher::{BlockDecrypt as _, KeyInit as _};
use aes_gcm::aead::Aead as _;
use aes_gcm::{Aes128Gcm, Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand_chacha::rand_core::SeedableRng as _;
use rand_chacha::ChaCha20Rng;
use roxmltree::Node;
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::traits::{PrivateKeyParts as _, PublicKeyParts as _};
use sha2::{Digest as _, Sha256, Sha384, Sha512};

use super::base64::decode_strict;
use super::keys::{KeyError, MIN_RSA_BITS};
use super::xml::{element_children, is, text_only, NS_ASSERTION, NS_DSIG};
use super::SamlError;

const NS_XENC: &str = "http://www.w3.org/2001/04/xmlenc#";
const NS_XENC11: &str = "http://www.w3.org/2009/xmlenc11#";
const TYPE_ELEMENT: &str = "http://www.w3.org/2001/04/xmlenc#Element";
/// Key transports (XML Encryption 1.1 §5.5.2).
const RSA_OAEP_MGF1P: &str = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
const RSA_OAEP: &str = "http://www.w3.org/2009/xmlenc11#rsa-oaep";
/// An IdP offers the content key to each of its SPs' keys: a few EncryptedKeys at most.
const MAX_ENCRYPTED_KEYS: usize = 4;
/// The SP's decryption keys: the current one, and during a rollover the next and the last.
pub const MAX_DECRYPTION_KEYS: usize = 3;

/// One of the SP's RSA private keys, to unwrap the content keys IdPs encrypt to it. Built
/// from PKCS#8; never printed.
#[derive(Clone)]
pub struct DecryptionKey {
    key: rsa::RsaPrivateKey,
}

impl fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DecryptionKey(RSA-{})", self.key.n().bits())
    }
}

impl DecryptionKey {
    /// An RSA key of at least `MIN_RSA_BITS`.
    pub fn from_rsa(key: rsa::RsaPrivateKey) -> Result<DecryptionKey, KeyError> {
        let bits = key.n().bits();
        if bits < MIN_RSA_BITS {
            return Err(KeyError::WeakRsa(bits));
        }
        Ok(DecryptionKey { key })
    }

    /// A DER PKCS#8 `PrivateKeyInfo` (RFC 5208) holding an RSA key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<DecryptionKey, KeyError> {
        DecryptionKey::from_rsa(rsa::RsaPrivateKey::from_pkcs8_der(der).map_err(|_| KeyError::InvalidKey)?)
    }

    /// A PEM `PRIVATE KEY` (PKCS#8), exactly one.
    pub fn from_pkcs8_pem(text: &str) -> Result<DecryptionKey, KeyError> {
        const BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
        const END: &str = "-----END PRIVATE KEY-----";
        let (before, rest) = text.split_once(BEGIN).ok_or(KeyError::Encoding)?;
        let (body, after) = rest.split_once(END).ok_or(KeyError::Encoding)?;
        if before.contains("-----") || after.contains("-----") {
            return Err(KeyError::Encoding);
        }
        let compact: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        DecryptionKey::from_pkcs8_der(&STANDARD.decode(compact).map_err(|_| KeyError::Encoding)?)
    }
}

/// The hashes OAEP may use, for its digest and for MGF1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    /// A DigestMethod of XML-DSig / XML Encryption (RFC 6931 §2.1).
    fn from_digest_uri(uri: &str) -> Option<Hash> {
        match uri {
            "http://www.w3.org/2000/09/xmldsig#sha1" => Some(Hash::Sha1),
            "http://www.w3.org/2001/04/xmlenc#sha256" => Some(Hash::Sha256),
            "http://www.w3.org/2001/04/xmldsig-more#sha384" => Some(Hash::Sha384),
            "http://www.w3.org/2001/04/xmlenc#sha512" => Some(Hash::Sha512),
            _ => None,
        }
    }

    /// An `xenc11:MGF` Algorithm (XML Encryption 1.1 §5.5.2).
    fn from_mgf_uri(uri: &str) -> Option<Hash> {
        match uri {
            "http://www.w3.org/2009/xmlenc11#mgf1sha1" => Some(Hash::Sha1),
            "http://www.w3.org/2009/xmlenc11#mgf1sha256" => Some(Hash::Sha256),
            "http://www.w3.org/2009/xmlenc11#mgf1sha384" => Some(Hash::Sha384),
            "http://www.w3.org/2009/xmlenc11#mgf1sha512" => Some(Hash::Sha512),
            _ => None,
        }
    }

    fn boxed(self) -> Box<dyn sha2::digest::DynDigest + Send + Sync> {
        match self {
            Hash::Sha1 => Box::new(sha1::Sha1::new()),
            Hash::Sha256 => Box::new(Sha256::new()),
            Hash::Sha384 => Box::new(Sha384::new()),
            Hash::Sha512 => Box::new(Sha512::new()),
        }
    }
}

/// The content cipher (XML Encryption 1.1 §5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Content {
    Aes128Cbc,
    Aes256Cbc,
    Aes128Gcm,
    Aes256Gcm,
}

impl Content {
    fn from_uri(uri: &str) -> Option<Content> {
        match uri {
            "http://www.w3.org/2001/04/xmlenc#aes128-cbc" => Some(Content::Aes128Cbc),
            "http://www.w3.org/2001/04/xmlenc#aes256-cbc" => Some(Content::Aes256Cbc),
            "http://www.w3.org/2009/xmlenc11#aes128-gcm" => Some(Content::Aes128Gcm),
            "http://www.w3.org/2009/xmlenc11#aes256-gcm" => Some(Content::Aes256Gcm),
            _ => None,
        }
    }

    fn key_len(self) -> usize {
        match self {
            Content::Aes128Cbc | Content::Aes128Gcm => 16,
            Content::Aes256Cbc | Content::Aes256Gcm => 32,
        }
    }

    /// Whether a tampered ciphertext is caught by the cipher itself (GCM's tag).
    fn authenticated(self) -> bool {
        matches!(self, Content::Aes128Gcm | Content::Aes256Gcm)
    }
}

/// One `xenc:EncryptedKey`: its OAEP parameters and the wrapped key.
struct WrappedKey {
    digest: Hash,
    mgf: Hash,
    cipher_value: Vec<u8>,
}

/// The checked parts of an EncryptedAssertion.
pub(super) struct EncryptedParts {
    pub content: Content,
    cipher_value: Vec<u8>,
    keys: Vec<WrappedKey>,
}

/// What decryption gives: the plaintext to parse in place (bytes that are not UTF-8 are
/// replaced, so a failure still parses something), and whether it is genuine. Never use the
/// plaintext when `genuine` is false, other than to spend the same work.
pub(super) struct Decrypted {
    pub plaintext: String,
    pub genuine: bool,
    pub authenticated: bool,
}

fn algorithm_of<'a>(node: Node<'a, '_>) -> Result<&'a str, SamlError> {
    node.attribute("Algorithm").ok_or(SamlError::Structure("an EncryptionMethod has no Algorithm"))
}

/// A `CipherData` holding a `CipherValue` (a `CipherReference` would make us fetch).
fn cipher_value(cipher_data: Node<'_, '_>) -> Result<Vec<u8>, SamlError> {
    let [value] = element_children(cipher_data, "text inside CipherData")?[..] else {
        return Err(SamlError::Structure("CipherData must hold one CipherValue"));
    };
    if !is(value, NS_XENC, "CipherValue") {
        return Err(SamlError::Structure("CipherData must hold one CipherValue"));
    }
    let text = text_only(value).ok_or(SamlError::Structure("a CipherValue holds more than text"))?;
    decode_strict(&text).ok_or(SamlError::Base64)
}

/// The parts of an `xenc:EncryptedKey` (XML Encryption 1.1 §3.5.1): EncryptionMethod,
/// optional KeyInfo (never read: the key to use is ours), CipherData, then ReferenceList and
/// CarriedKeyName, which change nothing here.
fn wrapped_key(encrypted_key: Node<'_, '_>) -> Result<WrappedKey, SamlError> {
    let children = element_children(encrypted_key, "text inside EncryptedKey")?;
    let method = children.first().filter(|n| is(**n, NS_XENC, "EncryptionMethod"));
    let method = *method.ok_or(SamlError::Structure("EncryptedKey must start with its EncryptionMethod"))?;
    let mut cipher_data = None;
    for child in children.get(1..).unwrap_or(&[]) {
        if is(*child, NS_XENC, "CipherData") && cipher_data.is_none() {
            cipher_data = Some(*child);
        } else if !(is(*child, NS_DSIG, "KeyInfo")
            || is(*child, NS_XENC, "ReferenceList")
            || is(*child, NS_XENC, "CarriedKeyName"))
        {
            return Err(SamlError::Structure("unexpected content in an EncryptedKey"));
        }
    }
    let cipher_data = cipher_data.ok_or(SamlError::Structure("an EncryptedKey has no CipherData"))?;
    // rsa-oaep-mgf1p always uses MGF1 with SHA-1; xmlenc11#rsa-oaep names its MGF, SHA-1
    // when it does not. Both default to a SHA-1 digest (§5.5.2).
    let eleven = match algorithm_of(method)? {
        RSA_OAEP_MGF1P => false,
        RSA_OAEP => true,
        _ => return Err(SamlError::EncryptionAlgorithm),
    };
    let (mut digest, mut mgf) = (Hash::Sha1, Hash::Sha1);
    for parameter in element_children(method, "text inside EncryptionMethod")? {
        if is(parameter, NS_DSIG, "DigestMethod") {
            digest = Hash::from_digest_uri(algorithm_of(parameter)?).ok_or(SamlError::EncryptionAlgorithm)?;
        } else if eleven && is(parameter, NS_XENC11, "MGF") {
            mgf = Hash::from_mgf_uri(algorithm_of(parameter)?).ok_or(SamlError::EncryptionAlgorithm)?;
        } else {
            // OAEPparams (a label) and anything else: no IdP sends them.
            return Err(SamlError::EncryptionAlgorithm);
        }
    }
    Ok(WrappedKey { digest, mgf, cipher_value: cipher_value(cipher_data)? })
}

/// The shape of an EncryptedAssertion: one `xenc:EncryptedData` of Type Element, its
/// EncryptionMethod, an optional KeyInfo that may hold the EncryptedKeys, its CipherData;
/// EncryptedKeys may also follow the EncryptedData (SAML Core 2.0 §2.3.4 allows both; a
/// `ds:RetrievalMethod` pointing at them is never followed: every EncryptedKey present is
/// tried).
pub(super) fn parts(encrypted_assertion: Node<'_, '_>) -> Result<EncryptedParts, SamlError> {
    if !is(encrypted_assertion, NS_ASSERTION, "EncryptedAssertion") {
        return Err(SamlError::Structure("not an EncryptedAssertion"));
    }
    let children = element_children(encrypted_assertion, "text inside EncryptedAssertion")?;
    let (data, rest) = children.split_first().ok_or(SamlError::Structure("no EncryptedData"))?;
    if !is(*data, NS_XENC, "EncryptedData") || data.attribute("Type").is_some_and(|t| t != TYPE_ELEMENT) {
        return Err(SamlError::Structure("an EncryptedAssertion must start with an EncryptedData of an element"));
    }
    let mut key_elements = Vec::new();
    for other in rest {
        if !is(*other, NS_XENC, "EncryptedKey") {
            return Err(SamlError::Structure("an EncryptedAssertion holds EncryptedData and EncryptedKeys only"));
        }
        key_elements.push(*other);
    }
    let data_children = element_children(*data, "text inside EncryptedData")?;
    let (method, key_info, cipher_data) = match data_children.as_slice() {
        [method, key_info, cipher_data] if is(*key_info, NS_DSIG, "KeyInfo") => {
            (*method, Some(*key_info), *cipher_data)
        }
        [method, cipher_data] => (*method, None, *cipher_data),
        _ => return Err(SamlError::Structure("EncryptedData must hold EncryptionMethod, KeyInfo and CipherData")),
    };
    if !is(method, NS_XENC, "EncryptionMethod") || !is(cipher_data, NS_XENC, "CipherData") {
        return Err(SamlError::Structure("EncryptedData must hold EncryptionMethod, KeyInfo and CipherData"));
    }
    let content = Content::from_uri(algorithm_of(method)?).ok_or(SamlError::EncryptionAlgorithm)?;
    // KeySize (§5.2) may restate the key length; nothing else belongs in the method.
    if element_children(method, "text inside EncryptionMethod")?.iter().any(|c| !is(*c, NS_XENC, "KeySize")) {
        return Err(SamlError::EncryptionAlgorithm);
    }
    if let Some(key_info) = key_info {
        // KeyName and RetrievalMethod only point at a key; the EncryptedKeys are what counts.
        key_elements.extend(key_info.children().filter(|c| is(*c, NS_XENC, "EncryptedKey")));
    }
    if key_elements.is_empty() || key_elements.len() > MAX_ENCRYPTED_KEYS {
        return Err(SamlError::Structure("an EncryptedAssertion needs one to four EncryptedKeys"));
    }
    let keys = key_elements.into_iter().map(wrapped_key).collect::<Result<Vec<_>, _>>()?;
    Ok(EncryptedParts { content, cipher_value: cipher_value(cipher_data)?, keys })
}

/// The content key: the first EncryptedKey that one of our keys unwraps to a key of the
/// right length. When none does, a key derived from our first private key and every wrapped
/// value stands in (so the content is still decrypted), and `false` says it is not genuine.
fn content_key(parts: &EncryptedParts, keys: &[DecryptionKey], blinding_seed: [u8; 32]) -> (Vec<u8>, bool) {
    let mut blinding = ChaCha20Rng::from_seed(blinding_seed);
    for wrapped in &parts.keys {
        for key in keys {
            let oaep = rsa::Oaep { digest: wrapped.digest.boxed(), mgf_digest: wrapped.mgf.boxed(), label: None };
            if let Ok(content_key) = key.key.decrypt_blinded(&mut blinding, oaep, &wrapped.cipher_value) {
                if content_key.len() == parts.content.key_len() {
                    return (content_key, true);
                }
            }
        }
    }
    let mut stand_in = Sha512::new();
    if let Some(first) = keys.first() {
        stand_in.update(first.key.d().to_bytes_be());
    }
    for wrapped in &parts.keys {
        stand_in.update(&wrapped.cipher_value);
    }
    (stand_in.finalize().get(..parts.content.key_len()).unwrap_or_default().to_vec(), false)
}

/// AES-CBC (XML Encryption 1.1 §5.2.2): a 16-byte IV, then whole blocks; the last byte of the
/// plaintext says how many padding bytes to drop (1 to 16; their values are arbitrary). On bad
/// lengths or padding, the bytes are still handed back (unpadded as far as they can be) with
/// `false`, so the caller's work is the same.
fn aes_cbc(key: &[u8], data: &[u8]) -> (Vec<u8>, bool) {
    let (iv, blocks) = data.split_at(data.len().min(16));
    let shape_ok = iv.len() == 16 && !blocks.is_empty() && blocks.len() % 16 == 0;
    let cipher: Box<dyn Fn(&mut aes::Block)> = match key.len() {
        16 => match aes::Aes128::new_from_slice(key) {
            Ok(c) => Box::new(move |b| c.decrypt_block(b)),
            Err(_) => return (Vec::new(), false),
        },
        _ => match aes::Aes256::new_from_slice(key) {
            Ok(c) => Box::new(move |b| c.decrypt_block(b)),
            Err(_) => return (Vec::new(), false),
        },
    };
    let mut previous = <[u8; 16]>::try_from(iv).unwrap_or_default();
    let mut plain = Vec::with_capacity(blocks.len());
    for chunk in blocks.chunks_exact(16) {
        let mut block = aes::Block::clone_from_slice(chunk);
        cipher(&mut block);
        plain.extend(block.iter().zip(previous).map(|(b, p)| b ^ p));
        previous = <[u8; 16]>::try_from(chunk).unwrap_or_default();
    }
    let pad = usize::from(plain.last().copied().unwrap_or(0));
    let pad_ok = (1..=16).contains(&pad) && pad <= plain.len();
    plain.truncate(plain.len().saturating_sub(if pad_ok { pad } else { 0 }));
    (plain, shape_ok && pad_ok)
}

/// AES-GCM (XML Encryption 1.1 §5.2.4): a 12-byte IV, the ciphertext, a 16-byte tag.
fn aes_gcm(content: Content, key: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    if data.len() < 12 + 16 {
        return None;
    }
    let (iv, sealed) = data.split_at(12);
    match content {
        Content::Aes128Gcm => Aes128Gcm::new_from_slice(key).ok()?.decrypt(Nonce::from_slice(iv), sealed).ok(),
        _ => Aes256Gcm::new_from_slice(key).ok()?.decrypt(Nonce::from_slice(iv), sealed).ok(),
    }
}

/// Decrypts an EncryptedAssertion whose shape `parts` checked, with the SP's keys.
pub(super) fn decrypt(parts: &EncryptedParts, keys: &[DecryptionKey], blinding_seed: [u8; 32]) -> Decrypted {
    let (key, unwrapped) = content_key(parts, keys, blinding_seed);
    let (plain, decrypted) = match parts.content {
        Content::Aes128Cbc | Content::Aes256Cbc => aes_cbc(&key, &parts.cipher_value),
        Content::Aes128Gcm | Content::Aes256Gcm => {
            aes_gcm(parts.content, &key, &parts.cipher_value).map_or((Vec::new(), false), |plain| (plain, true))
        }
    };
    let (plaintext, utf8) = match String::from_utf8(plain) {
        Ok(text) => (text, true),
        Err(error) => (String::from_utf8_lossy(error.as_bytes()).into_owned(), false),
    };
    Decrypted { plaintext, genuine: unwrapped && decrypted && utf8, authenticated: parts.content.authenticated() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::BlockEncrypt as _;

    fn test_key() -> rsa::RsaPrivateKey {
        let jwk: jwt_compact::jwk::JsonWebKey<'_> =
            serde_json::from_str(include_str!("../../../../tests/fixtures/sso/rsa2048-private.jwk.json")).unwrap();
        jwt_compact::alg::RsaPrivateKey::try_from(&jwk).unwrap()
    }

    /// AES-128-CBC of `plain` (already padded) under `key` with `iv`, IV first.
    fn cbc_encrypt(key: &[u8; 16], iv: [u8; 16], plain: &[u8]) -> Vec<u8> {
        let cipher = aes::Aes128::new_from_slice(key).unwrap();
        let (mut out, mut previous) = (iv.to_vec(), iv);
        for chunk in plain.chunks_exact(16) {
            let mut block = aes::Block::clone_from_slice(chunk);
            block.iter_mut().zip(previous).for_each(|(b, p)| *b ^= p);
            cipher.encrypt_block(&mut block);
            previous = block.into();
            out.extend_from_slice(&block);
        }
        out
    }

    #[test]
    fn a_decryption_key_never_prints_itself_and_must_be_strong_and_alone() {
        let key = DecryptionKey::from_rsa(test_key()).unwrap();
        assert_eq!(format!("{key:?}"), "DecryptionKey(RSA-2048)");
        let pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert_eq!(DecryptionKey::from_pkcs8_pem(pem).unwrap_err(), KeyError::InvalidKey);
        let two = format!("{pem}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assert_eq!(DecryptionKey::from_pkcs8_pem(&two).unwrap_err(), KeyError::Encoding);
        assert_eq!(DecryptionKey::from_pkcs8_pem("AAAA").unwrap_err(), KeyError::Encoding);
    }

    #[test]
    fn cbc_drops_the_counted_padding_whatever_its_other_bytes() {
        let key = [7u8; 16];
        let mut plain = b"<a/>".to_vec();
        plain.extend_from_slice(&[0xAB; 11]);
        plain.push(12);
        let (out, ok) = aes_cbc(&key, &cbc_encrypt(&key, [1; 16], &plain));
        assert!(ok);
        assert_eq!(out, b"<a/>");
    }

    #[test]
    fn bad_cbc_padding_still_gives_bytes_to_spend_the_same_work_on() {
        let key = [7u8; 16];
        for last in [0u8, 17, 255] {
            let mut plain = b"<saml:Assertion/".to_vec();
            plain.extend_from_slice(&[b'x'; 15]);
            plain.push(last);
            let (out, ok) = aes_cbc(&key, &cbc_encrypt(&key, [1; 16], &plain));
            assert!(!ok, "padding byte {last}");
            assert_eq!(out, plain, "nothing dropped, nothing cut short");
        }
        // Lengths that are no CBC at all.
        assert!(!aes_cbc(&key, &[0; 16]).1);
        assert!(!aes_cbc(&key, &[0; 40]).1);
        assert!(!aes_cbc(&key, &[0; 5]).1);
    }

    #[test]
    fn a_key_that_does_not_unwrap_is_replaced_by_a_stand_in_of_the_right_length() {
        let parts = |content| EncryptedParts {
            content,
            cipher_value: vec![0; 64],
            keys: vec![WrappedKey { digest: Hash::Sha1, mgf: Hash::Sha1, cipher_value: vec![1; 256] }],
        };
        let keys = [DecryptionKey::from_rsa(test_key()).unwrap()];
        let (key, genuine) = content_key(&parts(Content::Aes256Cbc), &keys, [7; 32]);
        assert!(!genuine);
        assert_eq!(key.len(), 32);
        // The same input gives the same stand-in (nothing to learn by asking twice).
        assert_eq!(content_key(&parts(Content::Aes256Cbc), &keys, [8; 32]).0, key);
        assert_eq!(content_key(&parts(Content::Aes128Gcm), &keys, [9; 32]).0.len(), 16);
        let decrypted = decrypt(&parts(Content::Aes128Cbc), &keys, [10; 32]);
        assert!(!decrypted.genuine && !decrypted.authenticated);
        assert!(!decrypted.plaintext.is_empty(), "the content was still decrypted");
    }
}
