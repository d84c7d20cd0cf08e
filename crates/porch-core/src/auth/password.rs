//! Passwords: Argon2id (RFC 9106) in pure Rust, stored as PHC strings that carry their own
//! parameters, so stronger parameters can be rolled out and each account is re-hashed at
//! its next successful sign-in.
//!
//! Why Argon2id in wasm rather than `WebCrypto` PBKDF2: workerd caps PBKDF2 at 100 000
//! iterations, below OWASP's 600 000 for PBKDF2-HMAC-SHA256, while Argon2id with OWASP's
//! first recommended parameters (19 MiB, 2 passes, 1 lane) is memory-hard and costs a
//! measured, bounded time per sign-in (see the README's performance section).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use porch_types::error::AppError;

/// OWASP Password Storage Cheat Sheet: Argon2id, m = 19 MiB, t = 2, p = 1.
const MEMORY_KIB: u32 = 19_456;
const PASSES: u32 = 2;
const LANES: u32 = 1;

pub const MIN_LENGTH: usize = 10;
/// Bounds the work an attacker can ask for per attempt; long passphrases still fit.
pub const MAX_LENGTH: usize = 256;

#[derive(Clone, Copy, Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordError {
    #[error("must be at least 10 characters")]
    TooShort,
    #[error("must be at most 256 characters")]
    TooLong,
}

/// A password someone chose, checked against the length rules (NIST SP 800-63B §5.1.1.2:
/// length over composition rules). Never logged, never stored as is.
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(input: &str) -> Result<NewPassword, PasswordError> {
        let length = input.chars().count();
        if length < MIN_LENGTH || input.trim().is_empty() {
            return Err(PasswordError::TooShort);
        }
        if length > MAX_LENGTH {
            return Err(PasswordError::TooLong);
        }
        Ok(NewPassword(input.to_owned()))
    }
}

fn hasher(memory_kib: u32, passes: u32) -> Result<Argon2<'static>, AppError> {
    let params = Params::new(memory_kib, passes, LANES, None)
        .map_err(|err| AppError::Internal(format!("argon2 parameters: {err}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes with the current parameters and a salt from the runtime's randomness.
pub fn hash(password: &NewPassword, salt: &[u8; 16]) -> Result<String, AppError> {
    let salt = SaltString::encode_b64(salt).map_err(|err| AppError::Internal(format!("salt: {err}")))?;
    hasher(MEMORY_KIB, PASSES)?
        .hash_password(password.0.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| AppError::Internal(format!("argon2: {err}")))
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verified {
    /// Right password; `rehash` when the stored parameters are older than the current ones.
    Match {
        rehash: bool,
    },
    Mismatch,
}

/// Checks a password against a stored PHC string, with the parameters stored in it.
pub fn verify(password: &str, stored: &str) -> Verified {
    if password.chars().count() > MAX_LENGTH {
        return Verified::Mismatch;
    }
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Verified::Mismatch;
    };
    if Argon2::default().verify_password(password.as_bytes(), &parsed).is_err() {
        return Verified::Mismatch;
    }
    let current = parsed.algorithm.as_str() == "argon2id"
        && Params::try_from(&parsed).is_ok_and(|p| p.m_cost() >= MEMORY_KIB && p.t_cost() >= PASSES);
    Verified::Match { rehash: !current }
}

/// Spends the time of one verification when there is no account to verify against, so the
/// sign-in answer's timing does not tell whether an email has an account (OWASP
/// Authentication Cheat Sheet: authentication responses).
pub fn verify_nothing(password: &str) {
    let _ = verify(password, DECOY);
}

/// A well-formed hash with the current parameters that no password is known to match.
const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$cG9yY2gtZGVjb3ktc2FsdA$PLsPrjR6ZU6EQOQqlpMsNbnxBF8cwLYm9T02QcrJ8xk";

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let stored = hash(&NewPassword::parse("correct horse battery").unwrap(), &[7; 16]).unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(verify("correct horse battery", &stored), Verified::Match { rehash: false });
        assert_eq!(verify("correct horse batterY", &stored), Verified::Mismatch);
    }

    #[test]
    fn a_hash_with_weaker_parameters_verifies_and_asks_for_a_rehash() {
        let salt = SaltString::encode_b64(&[3; 16]).unwrap();
        let weak = hasher(4096, 1).unwrap().hash_password(b"an old password", &salt).unwrap().to_string();
        assert_eq!(verify("an old password", &weak), Verified::Match { rehash: true });
    }

    #[test]
    fn garbage_in_the_stored_hash_never_matches() {
        assert_eq!(verify("anything at all", "not a phc string"), Verified::Mismatch);
        assert_eq!(verify("anything at all", ""), Verified::Mismatch);
    }

    #[test]
    fn short_long_and_blank_passwords_are_refused() {
        assert_eq!(NewPassword::parse("short").err(), Some(PasswordError::TooShort));
        assert_eq!(NewPassword::parse("          ").err(), Some(PasswordError::TooShort));
        assert_eq!(NewPassword::parse(&"x".repeat(257)).err(), Some(PasswordError::TooLong));
        assert!(NewPassword::parse("ten chars!").is_ok());
    }

    #[test]
    fn the_decoy_hash_is_well_formed_with_current_parameters() {
        // If the decoy did not parse, unknown emails would answer faster than known ones.
        let parsed = PasswordHash::new(DECOY).unwrap();
        assert_eq!(parsed.params.get_str("m"), Some("19456"));
    }
}
