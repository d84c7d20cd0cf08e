//! Random secrets handed to people (session cookies, invitation, reset, verification and
//! preview links) and how they are kept: only a SHA-256 of each is stored, and comparisons
//! run in constant time.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::runtime::Runtime;
use porch_types::error::AppError;

/// 32 random bytes: 256 bits, far past guessing (OWASP Session Management: at least 64 bits
/// of entropy).
const TOKEN_BYTES: usize = 32;
/// The base64url length of `TOKEN_BYTES` without padding.
const TOKEN_CHARS: usize = 43;

pub fn sha256_hex(text: &str) -> String {
    porch_types::to_hex(&Sha256::digest(text.as_bytes()))
}

/// Compares two secrets in constant time. Hashing first makes the comparison independent of
/// the lengths too (OWASP Authentication Cheat Sheet: avoid timing side channels).
pub fn secrets_equal(a: &str, b: &str) -> bool {
    let a = Sha256::digest(a.as_bytes());
    let b = Sha256::digest(b.as_bytes());
    a.as_slice().ct_eq(b.as_slice()).into()
}

/// A fresh secret token: the text goes to the person once, the hash to the database.
pub struct Token {
    pub text: String,
    pub hash: String,
}

impl Token {
    pub fn generate<R: Runtime>(rt: &R) -> Result<Token, AppError> {
        let text = random_text(rt)?;
        let hash = sha256_hex(&text);
        Ok(Token { text, hash })
    }
}

/// `TOKEN_BYTES` fresh random bytes as base64url text: every secret porch hands out (tokens,
/// API keys, webhook signing secrets) is one of these, perhaps behind a recognisable prefix.
pub fn random_text<R: Runtime>(rt: &R) -> Result<String, AppError> {
    let mut bytes = [0u8; TOKEN_BYTES];
    rt.fill_random(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The hash to look a presented token up by, or None when the text cannot be one of ours
/// (wrong length or alphabet): such input never reaches the database.
pub fn presented_hash(text: &str) -> Option<String> {
    let shaped = text.len() == TOKEN_CHARS && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    shaped.then(|| sha256_hex(text))
}

/// After a lookup by hash, confirms the stored hash in constant time, so no code path
/// depends on how much of a guessed token matched.
pub fn stored_hash_matches(stored: &str, presented: &str) -> bool {
    stored.as_bytes().ct_eq(presented.as_bytes()).into()
}

/// A platform token shorter than this is refused: it would be guessable.
const MIN_PLATFORM_TOKEN: usize = 32;

/// Whether `presented` is the platform's token (`PLATFORM_ADMIN_TOKEN`), compared in constant
/// time. A configured token shorter than `MIN_PLATFORM_TOKEN` turns platform access off (and
/// says so in the log). The admin API's bearer and the console's set-up ask this one rule.
pub fn is_platform_token<R: Runtime>(rt: &R, presented: &str) -> bool {
    match rt.config().platform_admin_token.as_deref() {
        Some(platform) if platform.len() >= MIN_PLATFORM_TOKEN => secrets_equal(presented, platform),
        Some(_) => {
            rt.log("PLATFORM_ADMIN_TOKEN is shorter than 32 characters; platform access is off");
            false
        }
        None => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn text_that_cannot_be_a_token_is_never_looked_up() {
        assert_eq!(presented_hash("short"), None);
        assert_eq!(presented_hash(&"a".repeat(44)), None);
        assert_eq!(presented_hash(&format!("{}'", "a".repeat(42))), None);
    }

    #[test]
    fn secrets_compare_equal_only_when_identical() {
        assert!(secrets_equal("a-long-secret", "a-long-secret"));
        assert!(!secrets_equal("a-long-secret", "a-long-secreT"));
        assert!(!secrets_equal("a-long-secret", "a-long-secret-and-more"));
        assert!(stored_hash_matches("abc", "abc"));
        assert!(!stored_hash_matches("abc", "abd"));
    }
}
