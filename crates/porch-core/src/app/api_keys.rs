//! A tenant's API keys, the rules written once for the admin API (`createKey`, `revokeKey`)
//! and the console's API keys page: a key's secret is made here, shown once and kept only as
//! its SHA-256; its prefix stays readable so people can tell their keys apart.

use crate::app::input::Fields;
use crate::auth::secret::{random_text, sha256_hex};
use crate::runtime::Runtime;
use crate::store::audit::Actor;
use crate::store::keys::{self, KeyRow};
use porch_types::error::AppError;
use porch_types::ids::{ApiKeyId, TenantId};
use porch_types::text::Label;

/// Tenant keys start with this, so a leaked key is recognisable (e.g. by secret scanners), and
/// a bearer starting so is looked up as a key.
pub const KEY_PREFIX: &str = "porch_sk_";

/// A new tenant key: the full secret (shown once), the prefix kept for recognition, and the hash stored.
pub struct GeneratedKey {
    pub secret: String,
    pub prefix: String,
    pub hash: String,
}

pub fn generate_key<R: Runtime>(rt: &R) -> Result<GeneratedKey, AppError> {
    let secret = format!("{KEY_PREFIX}{}", random_text(rt)?);
    let prefix: String = secret.chars().take(KEY_PREFIX.len() + 6).collect();
    let hash = sha256_hex(&secret);
    Ok(GeneratedKey { secret, prefix, hash })
}

/// A key just made: as stored, and its secret, shown this once.
pub struct NewKey {
    pub key: KeyRow,
    pub secret: String,
}

/// Makes a key named `raw_name` for the tenant, audited under `actor`.
pub async fn create<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    actor: &Actor,
    raw_name: Option<&str>,
) -> Result<NewKey, AppError> {
    let mut fields = Fields::default();
    let name = fields.require("name", raw_name, |n| Label::parse(n, 80));
    fields.finish()?;
    let name = name.ok_or_else(|| AppError::Internal("key fields".into()))?;
    let id = ApiKeyId::from_random(rt.random_16()?);
    let generated = generate_key(rt)?;
    let new = keys::NewKey { id, name: &name, prefix: &generated.prefix, secret_hash: &generated.hash };
    keys::create(rt.db(), tenant, &new, actor, rt.now()).await?;
    let key = keys::get(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    Ok(NewKey { key, secret: generated.secret })
}

/// Revokes the key: calls with it are refused from now on. Revoking a revoked key changes
/// nothing.
pub async fn revoke<R: Runtime>(rt: &R, tenant: TenantId, actor: &Actor, key: ApiKeyId) -> Result<(), AppError> {
    let row = keys::get(rt.db(), tenant, key).await?.ok_or(AppError::NotFound)?;
    if row.revoked_at.is_none() {
        keys::revoke(rt.db(), tenant, &row, actor, rt.now()).await?;
    }
    Ok(())
}
