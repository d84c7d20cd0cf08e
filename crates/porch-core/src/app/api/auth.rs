//! Admin API authentication and reach: the operator's platform token, or a tenant key that
//! reaches only its own tenant (and, for themes only, its child tenants).

use super::Call;
use crate::auth::secret::{is_platform_token, sha256_hex, stored_hash_matches};
use crate::http::Request;
use crate::runtime::Runtime;
use crate::store::audit::Actor;
use crate::store::{keys, tenants};
use porch_types::error::AppError;
use porch_types::ids::{ApiKeyId, TenantId};

pub use crate::app::api_keys::KEY_PREFIX;
/// `last_used_at` is written at most this often per key, so reads do not all become writes.
const TOUCH_INTERVAL_MS: i64 = 60_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    Platform,
    Key { tenant: TenantId, key: ApiKeyId },
}

impl Principal {
    pub fn actor(&self) -> Actor {
        match self {
            Principal::Platform => Actor::Platform,
            Principal::Key { key, .. } => Actor::ApiKey(*key),
        }
    }

    pub fn require_platform(&self) -> Result<(), AppError> {
        match self {
            Principal::Platform => Ok(()),
            Principal::Key { .. } => Err(AppError::Forbidden),
        }
    }
}

fn bearer(req: &Request) -> Option<&str> {
    let value = req.header("authorization")?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// The bearer token a request presents, told apart before anything is looked up, so the
/// rate limits can be counted before the key's lookup (`super::limits`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Presented {
    /// The operator's platform token, compared in constant time (no I/O needed).
    Platform,
    /// Something shaped like a tenant key: its SHA-256, what the lookup and the key's rate
    /// limit are keyed by. Whether it is a key is only known after the lookup.
    Key { hash: String },
    /// Neither: a failed authentication with nothing to look up.
    Wrong,
}

/// The token of the request's `Authorization: Bearer`; none at all is 401 at once (nothing
/// was guessed, so nothing is counted).
pub fn presented<R: Runtime>(rt: &R, req: &Request) -> Result<Presented, AppError> {
    let token = bearer(req).ok_or(AppError::Unauthorized)?;
    if token.starts_with(KEY_PREFIX) {
        return Ok(Presented::Key { hash: sha256_hex(token) });
    }
    Ok(if is_platform_token(rt, token) { Presented::Platform } else { Presented::Wrong })
}

/// Who presented the token: 401 unless it is the platform token or a live key.
pub async fn authenticate<R: Runtime>(rt: &R, presented: &Presented) -> Result<Principal, AppError> {
    match presented {
        Presented::Platform => Ok(Principal::Platform),
        Presented::Key { hash } => authenticate_key(rt, hash).await,
        Presented::Wrong => Err(AppError::Unauthorized),
    }
}

async fn authenticate_key<R: Runtime>(rt: &R, hash: &str) -> Result<Principal, AppError> {
    let (row, stored_hash) = keys::find_by_hash(rt.db(), hash).await?.ok_or(AppError::Unauthorized)?;
    // The lookup was by hash; compare once more in constant time so no code path depends
    // on how much of a guessed key matched.
    if !stored_hash_matches(&stored_hash, hash) || row.revoked_at.is_some() {
        return Err(AppError::Unauthorized);
    }
    let tenant = TenantId::parse(&row.tenant_id)
        .ok_or_else(|| AppError::Internal(format!("key {} has tenant {:?}", row.id, row.tenant_id)))?;
    let key = ApiKeyId::parse(&row.id).ok_or_else(|| AppError::Internal(format!("key id {:?}", row.id)))?;
    let now = rt.now();
    if row.last_used_at.is_none_or(|last| now.millis() - last >= TOUCH_INTERVAL_MS) {
        if let Err(err) = keys::touch(rt.db(), tenant, &row.id, now).await {
            rt.log(&format!("could not record use of key {}: {err}", row.id));
        }
    }
    Ok(Principal::Key { tenant, key })
}

/// What part of a tenant a call wants to reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Anything of the tenant: only its own keys and the operator.
    Everything,
    /// Its themes: also a key of its parent tenant (an organisation owner manages its accounts' themes).
    Themes,
}

impl<R: Runtime> Call<'_, R> {
    /// The `{tenant_id}` of the path, if this caller may reach it. A tenant the caller may
    /// not reach is reported exactly like one that does not exist: 404, nothing revealed.
    pub async fn tenant(&self, reach: Reach) -> Result<TenantId, AppError> {
        let tenant = self.id("tenant_id", TenantId::parse)?;
        match &self.principal {
            Principal::Key { tenant: own, .. } if *own == tenant => Ok(tenant),
            Principal::Key { tenant: own, .. } => {
                let child = tenants::get(self.rt.db(), tenant).await?.ok_or(AppError::NotFound)?;
                let is_parent = child.parent_id.as_deref() == Some(own.to_db().as_str());
                if reach == Reach::Themes && is_parent {
                    Ok(tenant)
                } else {
                    Err(AppError::NotFound)
                }
            }
            Principal::Platform => {
                tenants::get(self.rt.db(), tenant).await?.ok_or(AppError::NotFound)?;
                Ok(tenant)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Method;

    #[test]
    fn only_a_bearer_authorization_yields_a_token() {
        let req = |value: &str| Request::new(Method::Get, "/").with_header("authorization", value);
        assert_eq!(bearer(&req("Bearer abc")), Some("abc"));
        assert_eq!(bearer(&req("bearer  abc ")), Some("abc"));
        assert_eq!(bearer(&req("Basic abc")), None);
        assert_eq!(bearer(&req("Bearer ")), None);
        assert_eq!(bearer(&Request::new(Method::Get, "/")), None);
    }
}
