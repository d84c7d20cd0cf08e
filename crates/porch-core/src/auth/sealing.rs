//! Sealing SSO secrets under the platform's `SSO_SEALING_KEY` (`porch_sso::seal`) with a fresh
//! random nonce from the runtime: HS256 and OIDC client secrets, porch's SAML SP private keys.

use crate::runtime::Runtime;
use porch_sso::seal;
use porch_types::error::AppError;

/// `secret` sealed for `owner`; a 409 that tells the operator what to do when the deployment
/// has no sealing key (nothing can then be stored that porch must read back).
pub fn seal<R: Runtime>(rt: &R, owner: &str, secret: &[u8]) -> Result<String, AppError> {
    let key = rt.config().sso_sealing_key.as_ref().ok_or_else(|| {
        AppError::Conflict(
            "this deployment has no SSO_SEALING_KEY secret; the operator sets it with wrangler secret put".into(),
        )
    })?;
    let mut nonce = [0u8; 12];
    rt.fill_random(&mut nonce)?;
    seal::seal(key, owner, secret, nonce).ok_or_else(|| AppError::Internal("sealing a secret".into()))
}

/// The secret sealed for `owner`, or why it cannot be read (for the log, never the client).
pub fn open<R: Runtime>(rt: &R, owner: &str, sealed: &str) -> Result<Vec<u8>, &'static str> {
    let key = rt.config().sso_sealing_key.as_ref().ok_or("this deployment has no SSO_SEALING_KEY")?;
    seal::open(key, owner, sealed).ok_or("the sealed value does not open with this deployment's key")
}
