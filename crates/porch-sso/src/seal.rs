//! Secrets porch must read back (an HS256 signing secret, an OIDC client secret) sealed with
//! AES-256-GCM under the platform's `SSO_SEALING_KEY` (a wrangler secret), so the database
//! alone (a backup, an export, a leaked dump) signs nobody in. Each sealed value is bound to
//! the connection it belongs to (the associated data), so it cannot be moved to another.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;

/// The version prefix of a sealed value, so the scheme can change without guessing.
const PREFIX: &str = "v1.";
const NONCE_BYTES: usize = 12;

/// The platform's 256-bit sealing key. Its `Debug` shows nothing: it must never reach a log.
#[derive(Clone)]
pub struct SealingKey([u8; 32]);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(..)")
    }
}

impl SealingKey {
    pub const fn from_bytes(bytes: [u8; 32]) -> SealingKey {
        SealingKey(bytes)
    }

    /// 64 hex digits or the base64 of 32 bytes (what `openssl rand -hex 32` or
    /// `openssl rand -base64 32` print).
    pub fn parse(text: &str) -> Option<SealingKey> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..32)
                .map(|i| text.get(i * 2..i * 2 + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
                .collect::<Option<Vec<u8>>>()?
        } else {
            STANDARD.decode(text).ok()?
        };
        Some(SealingKey(bytes.try_into().ok()?))
    }
}

/// Seals `secret` for the connection `owner` with a fresh random `nonce` (never reused: 96
/// random bits per value, far below the birthday bound for the values one platform seals).
pub fn seal(key: &SealingKey, owner: &str, secret: &[u8], nonce: [u8; NONCE_BYTES]) -> Option<String> {
    let cipher = Aes256Gcm::new_from_slice(&key.0).ok()?;
    let sealed = cipher.encrypt(Nonce::from_slice(&nonce), Payload { msg: secret, aad: owner.as_bytes() }).ok()?;
    let mut bytes = nonce.to_vec();
    bytes.extend(sealed);
    Some(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// The secret, if `sealed` was sealed for `owner` under `key` and not altered since.
pub fn open(key: &SealingKey, owner: &str, sealed: &str) -> Option<Vec<u8>> {
    let bytes = URL_SAFE_NO_PAD.decode(sealed.strip_prefix(PREFIX)?).ok()?;
    if bytes.len() <= NONCE_BYTES {
        return None;
    }
    let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
    let cipher = Aes256Gcm::new_from_slice(&key.0).ok()?;
    cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: owner.as_bytes() }).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_for_its_connection() {
        let key = SealingKey::from_bytes([1; 32]);
        let sealed = seal(&key, "conn-a", b"a shared secret of thirty-two bytes", [9; 12]).unwrap();
        assert!(sealed.starts_with("v1."));
        assert!(!sealed.contains("shared"));
        assert_eq!(open(&key, "conn-a", &sealed).unwrap(), b"a shared secret of thirty-two bytes");
        assert!(open(&key, "conn-b", &sealed).is_none());
        assert!(open(&SealingKey::from_bytes([2; 32]), "conn-a", &sealed).is_none());
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(open(&key, "conn-a", &tampered).is_none());
        assert!(open(&key, "conn-a", "v1.").is_none());
        assert!(open(&key, "conn-a", "v2.abc").is_none());
    }

    #[test]
    fn the_sealing_key_is_read_from_hex_or_base64_of_exactly_32_bytes() {
        let hex = "00".repeat(31) + "ff";
        assert!(SealingKey::parse(&hex).is_some_and(|k| k.0[31] == 0xff));
        assert!(SealingKey::parse(&STANDARD.encode([5u8; 32])).is_some_and(|k| k.0 == [5; 32]));
        assert!(SealingKey::parse(&STANDARD.encode([5u8; 16])).is_none());
        assert!(SealingKey::parse("not a key").is_none());
        assert!(SealingKey::parse(&"zz".repeat(32)).is_none());
    }
}
