//! What the admin API's SSO connection operations and the console's single sign-on page
//! share: where the identity provider reaches a connection, the warnings of its pinned
//! certificates, and deleting one (`deleteSsoConnection`).

use serde::Serialize;
use serde_json::json;

use crate::app::versions::{retry, Precondition};
use crate::runtime::Runtime;
use crate::store::audit::{Actor, Change};
use crate::store::{sso, Database, PortalScope};
use porch_types::error::AppError;
use porch_types::ids::SsoConnectionId;
use porch_types::sso::{Protocol, Settings};
use porch_types::time::Timestamp;

/// Where the identity provider reaches the connection `row`, on the portal's public
/// `origin`, by name (`SsoEndpoints` in openapi.json).
pub fn endpoints(origin: &str, row: &sso::ConnectionRow) -> serde_json::Value {
    let base = format!("{origin}/sso/{}", row.id);
    match row.protocol {
        Protocol::Saml => json!({
            "sp_entity_id": format!("{base}/metadata"),
            "metadata_url": format!("{base}/metadata"),
            "acs_url": format!("{base}/acs"),
            "sign_in_url": format!("{base}/start"),
        }),
        Protocol::Jwt => json!({
            "jwt_url": format!("{origin}/sso/jwt"),
            "sign_in_url": format!("{base}/start"),
        }),
        Protocol::Oidc => json!({
            "redirect_uri": format!("{base}/callback"),
            "sign_in_url": format!("{base}/start"),
        }),
    }
}

/// A pinned SAML certificate near or past its `NotAfter` (`SsoWarning` in openapi.json): the
/// key still verifies, but the identity provider is about to roll it over.
#[derive(Serialize)]
pub struct CertificateWarning {
    pub code: &'static str,
    pub certificate_fingerprint: String,
    pub not_after: Timestamp,
}

/// The warnings of a connection's pinned certificates at `now` (none for other protocols,
/// and none for certificates that no longer read: that is not a dates matter).
pub fn certificate_warnings(settings: Option<&Settings>, now: Timestamp) -> Vec<CertificateWarning> {
    let Some(Settings::Saml(saml)) = settings else { return Vec::new() };
    saml.certificates
        .iter()
        .filter_map(|pem| porch_sso::saml::PinnedKey::from_pem_certificate(pem).ok())
        .filter_map(|key| {
            let warning = key.warning(now)?;
            Some(CertificateWarning {
                code: warning.code(),
                certificate_fingerprint: key.fingerprint_sha256(),
                not_after: warning.not_after(),
            })
        })
        .collect()
}

/// Deletes the connection `id` of `scope` when its version passes `pre`, with its domains,
/// values and keys (the schema's cascade), audited.
pub async fn delete<R: Runtime>(
    rt: &R,
    scope: PortalScope,
    actor: &Actor,
    id: SsoConnectionId,
    pre: &Precondition,
) -> Result<(), AppError> {
    retry(async || {
        let current = sso::get(rt.db(), scope, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        let now = rt.now();
        let change = Change::new(scope.tenant, actor, "sso_connection.delete", "sso_connection", id.to_db())
            .before(json!({ "name": current.name, "protocol": current.protocol }));
        let statements = vec![sso::delete(scope, id, current.version), change.statement_if_changed(now)];
        Ok(crate::store::wrote(&rt.db().batch(statements).await?, 0).then_some(()))
    })
    .await
}
