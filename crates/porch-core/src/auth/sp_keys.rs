//! porch's SAML SP key pairs for a connection: made with the runtime's randomness and sealed
//! at once, opened again to sign `AuthnRequest`s (the current key: the oldest) and to decrypt
//! assertions (every key: the identity provider may encrypt to either while one replaces the other).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::sealing;
use crate::runtime::Runtime;
use crate::store::sso_sp_keys::{self, NewSpKey, SpKeyRow};
use crate::store::PortalScope;
use porch_sso::saml::{DecryptionKey, SpKey};
use porch_types::error::AppError;
use porch_types::ids::SsoConnectionId;

/// What a sealed key is bound to: its connection and itself, so it cannot be moved to another
/// connection or swapped with the connection's other key.
fn owner(connection: SsoConnectionId, key_id: &str) -> String {
    format!("{}/{key_id}", connection.to_db())
}

/// 32 bytes of the platform's randomness, the seed of one key generation, one signature or
/// one verification's blinding.
pub fn seed<R: Runtime>(rt: &R) -> Result<[u8; 32], AppError> {
    let mut seed = [0u8; 32];
    rt.fill_random(&mut seed)?;
    Ok(seed)
}

/// A fresh key pair for `connection`, its private half sealed. Slow: RSA-2048 generation
/// takes a few hundred milliseconds natively (README "SSO"), so only admin calls make keys.
pub fn generate<R: Runtime>(rt: &R, connection: SsoConnectionId) -> Result<NewSpKey, AppError> {
    let common_name = format!("porch SAML SP {}", connection.to_db());
    let key = SpKey::generate(seed(rt)?, &common_name, rt.now())
        .map_err(|err| AppError::Internal(format!("SP key: {err}")))?;
    let id = key.id();
    let private = key.private_key_der().map_err(|err| AppError::Internal(format!("SP key: {err}")))?;
    let sealed_private_key = sealing::seal(rt, &owner(connection, &id), &private)?;
    Ok(NewSpKey { id, sealed_private_key, certificate: key.certificate_base64() })
}

/// A stored key opened with the deployment's sealing key.
pub fn open<R: Runtime>(rt: &R, connection: SsoConnectionId, row: &SpKeyRow) -> Result<SpKey, String> {
    let private = sealing::open(rt, &owner(connection, &row.id), &row.sealed_private_key)?;
    let certificate =
        STANDARD.decode(&row.certificate).map_err(|_| "the stored certificate is not base64".to_owned())?;
    SpKey::open(&private, &certificate).map_err(|err| err.to_string())
}

/// Every key of the connection, opened, the current one first, as the SAML verifier decrypts
/// with them: the keys an encrypted assertion may be for. A key that does not open is left
/// out and logged.
pub async fn decryption_keys<R: Runtime>(
    rt: &R,
    scope: PortalScope,
    connection: SsoConnectionId,
) -> Result<Vec<DecryptionKey>, AppError> {
    let rows = sso_sp_keys::list(rt.db(), scope, connection).await?;
    let mut keys = Vec::with_capacity(rows.len());
    for row in &rows {
        match open(rt, connection, row).and_then(|key| key.decryption_key().map_err(|err| err.to_string())) {
            Ok(key) => keys.push(key),
            Err(err) => rt.log(&format!("SP key {} of connection {}: {err}", row.id, row.connection_id)),
        }
    }
    Ok(keys)
}

/// The key porch signs the connection's `AuthnRequest`s with: the oldest, which the identity provider has
/// known longest (the next one signs once the admin retires it).
pub async fn signing_key<R: Runtime>(
    rt: &R,
    scope: PortalScope,
    connection: SsoConnectionId,
) -> Result<Option<SpKey>, AppError> {
    let rows = sso_sp_keys::list(rt.db(), scope, connection).await?;
    rows.first().map(|row| open(rt, connection, row).map_err(AppError::Internal)).transpose()
}
