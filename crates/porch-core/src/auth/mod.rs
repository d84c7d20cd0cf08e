//! Recipient authentication: secrets and one-time tokens, passwords, CSRF, cookies.
//! Protocol-level pieces only; which pages use them lives in `app::portal`.

pub mod cookies;
pub mod csrf;
pub mod member;
pub mod password;
pub mod sealing;
pub mod secret;
pub mod sp_keys;
