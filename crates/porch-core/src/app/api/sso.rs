//! A portal's SSO connections through the admin API (create, list, read, replace, delete),
//! with what to hand the identity provider (SAML metadata and ACS URLs, the JWT endpoint, the
//! OIDC redirect URI), and the SSO event log providers read to fix their set-up.

use serde::Serialize;
use serde_json::json;

use super::input::Fields;
use super::recipients::{customer_of, portal_scope, public_portal};
use super::sso_input::{self, Checked, ConnectionBody, Existing, SecretChoice};
use super::versions::{self, tagged, Precondition};
use super::{created, no_content, ok, page_limit, Call};
use crate::auth::secret::random_text;
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::audit::Change;
use crate::store::portals::PortalRow;
use crate::store::sso::{self, ConnectionInput, ConnectionRow, DomainRow, EventRow, ValueRow};
use crate::store::{Database, PortalScope};
use porch_sso::seal;
use porch_types::error::AppError;
use porch_types::ids::{CustomerId, SsoConnectionId};
use porch_types::sso::{Admission, Protocol, Settings};
use porch_types::time::Timestamp;

/// Identity providers per portal: one per customer company on a shared portal is the use.
const MAX_CONNECTIONS: usize = 20;
/// Generated HS256 secrets start with this, so a leaked one is recognisable.
const SECRET_PREFIX: &str = "porch_jwt_";

/// A connection as the API shows it (`SsoConnection` in openapi.json): never a secret, only
/// whether one is set.
#[derive(Serialize)]
struct SsoConnectionBody<'a> {
    id: &'a str,
    name: &'a str,
    protocol: Protocol,
    enabled: bool,
    /// The protocol's settings as saved; null if they no longer read.
    settings: Option<serde_json::Value>,
    has_secret: bool,
    admission: AdmissionBody<'a>,
    customer: CustomerBody<'a>,
    domains: Vec<SsoDomainBody<'a>>,
    endpoints: serde_json::Value,
    /// What the admin should act on soon (`SsoWarning` in openapi.json).
    warnings: Vec<WarningBody>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

/// A pinned SAML certificate near or past its `NotAfter` (`SsoWarning` in openapi.json): the
/// key still verifies, but the identity provider is about to roll it over.
#[derive(Serialize)]
struct WarningBody {
    code: &'static str,
    certificate_fingerprint: String,
    not_after: Timestamp,
}

/// The warnings of a connection's pinned certificates at `now` (none for other protocols,
/// and none for certificates that no longer read: that is not a dates matter).
fn certificate_warnings(settings: Option<&Settings>, now: Timestamp) -> Vec<WarningBody> {
    let Some(Settings::Saml(saml)) = settings else { return Vec::new() };
    saml.certificates
        .iter()
        .filter_map(|pem| porch_sso::saml::PinnedKey::from_pem_certificate(pem).ok())
        .filter_map(|key| {
            let warning = key.warning(now)?;
            Some(WarningBody {
                code: warning.code(),
                certificate_fingerprint: key.fingerprint_sha256(),
                not_after: warning.not_after(),
            })
        })
        .collect()
}

/// Who the connection admits (`SsoAdmission` in openapi.json); the attribute and its value
/// only in `attribute` mode.
#[derive(Serialize)]
struct AdmissionBody<'a> {
    mode: &'static str,
    attribute: Option<&'a str>,
    value: Option<&'a str>,
}

/// Which customer a person joins as (`SsoCustomer` in openapi.json).
#[derive(Serialize)]
struct CustomerBody<'a> {
    customer_id: Option<&'a str>,
    attribute: Option<&'a str>,
    values: Vec<ValueBody<'a>>,
}

#[derive(Serialize)]
struct ValueBody<'a> {
    value: &'a str,
    customer_id: &'a str,
}

/// An email domain the connection signs in (`SsoDomain` in openapi.json).
#[derive(Serialize)]
struct SsoDomainBody<'a> {
    domain: &'a str,
    customer_id: Option<&'a str>,
}

impl<'a> SsoConnectionBody<'a> {
    /// `domains` and `values` are this connection's own.
    fn new(
        row: &'a ConnectionRow,
        domains: &'a [DomainRow],
        values: &'a [ValueRow],
        endpoints: serde_json::Value,
        now: Timestamp,
    ) -> Self {
        let admission = row.admission();
        let settings = row.settings().ok();
        let (attribute, value) = match admission {
            Admission::Attribute { .. } => (row.admission_attribute.as_deref(), row.admission_value.as_deref()),
            Admission::All | Admission::Lists => (None, None),
        };
        SsoConnectionBody {
            id: &row.id,
            name: &row.name,
            protocol: row.protocol,
            enabled: row.is_enabled(),
            settings: settings.as_ref().map(Settings::to_json),
            has_secret: row.sealed_secret.is_some(),
            admission: AdmissionBody { mode: admission.code(), attribute, value },
            customer: CustomerBody {
                customer_id: row.customer_id.as_deref(),
                attribute: row.customer_attribute.as_deref(),
                values: values.iter().map(|v| ValueBody { value: &v.value, customer_id: &v.customer_id }).collect(),
            },
            domains: domains
                .iter()
                .map(|d| SsoDomainBody { domain: &d.domain, customer_id: d.customer_id.as_deref() })
                .collect(),
            endpoints,
            warnings: certificate_warnings(settings.as_ref(), now),
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
        }
    }
}

/// An entry of the SSO event log as the API shows it (`SsoEvent` in openapi.json).
#[derive(Serialize)]
struct EventBody<'a> {
    id: &'a str,
    connection_id: Option<&'a str>,
    at: Timestamp,
    outcome: &'a str,
    code: &'a str,
    detail: &'a str,
    reference: &'a str,
    email: Option<&'a str>,
}

impl<'a> From<&'a EventRow> for EventBody<'a> {
    fn from(row: &'a EventRow) -> Self {
        EventBody {
            id: &row.id,
            connection_id: row.connection_id.as_deref(),
            at: Timestamp::from_millis(row.at),
            outcome: &row.outcome,
            code: &row.code,
            detail: &row.detail,
            reference: &row.reference,
            email: row.email.as_deref(),
        }
    }
}

/// Where the identity provider reaches this connection, on the portal's public origin.
fn endpoints(origin: &str, row: &ConnectionRow) -> serde_json::Value {
    let base = format!("{origin}/sso/{}", row.id);
    match row.protocol {
        porch_types::sso::Protocol::Saml => json!({
            "sp_entity_id": format!("{base}/metadata"),
            "metadata_url": format!("{base}/metadata"),
            "acs_url": format!("{base}/acs"),
            "sign_in_url": format!("{base}/start"),
        }),
        porch_types::sso::Protocol::Jwt => json!({
            "jwt_url": format!("{origin}/sso/jwt"),
            "sign_in_url": format!("{base}/start"),
        }),
        porch_types::sso::Protocol::Oidc => json!({
            "redirect_uri": format!("{base}/callback"),
            "sign_in_url": format!("{base}/start"),
        }),
    }
}

/// Connections as the API shows them: each with its domains, values and endpoints. The
/// portal's origin and domains are read once for all of them.
async fn describe<R: Runtime>(
    call: &Call<'_, R>,
    scope: PortalScope,
    portal: &PortalRow,
    rows: &[ConnectionRow],
) -> Result<Vec<serde_json::Value>, AppError> {
    let domains = sso::domains(call.rt.db(), scope).await?;
    let origin = public_portal(call, scope, portal).await?.origin;
    let mut described = Vec::with_capacity(rows.len());
    for row in rows {
        let id = SsoConnectionId::parse(&row.id).ok_or_else(|| AppError::Internal("connection id".into()))?;
        let values = sso::values(call.rt.db(), scope, id).await?;
        let own: Vec<_> = domains.iter().filter(|d| d.connection_id == row.id).cloned().collect();
        described.push(json!(SsoConnectionBody::new(row, &own, &values, endpoints(&origin, row), call.rt.now())));
    }
    Ok(described)
}

/// One connection as the API shows it.
async fn describe_one<R: Runtime>(
    call: &Call<'_, R>,
    scope: PortalScope,
    portal: &PortalRow,
    row: ConnectionRow,
) -> Result<serde_json::Value, AppError> {
    describe(call, scope, portal, &[row]).await?.pop().ok_or_else(|| AppError::Internal("described nothing".into()))
}

pub async fn list<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, portal) = portal_scope(call).await?;
    let rows = sso::list(call.rt.db(), scope).await?;
    Ok(ok(&json!({ "connections": describe(call, scope, &portal, &rows).await? })))
}

pub async fn get<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, portal) = portal_scope(call).await?;
    let id = call.id("connection_id", SsoConnectionId::parse)?;
    let row = sso::get(call.rt.db(), scope, id).await?.ok_or(AppError::NotFound)?;
    let version = row.version;
    Ok(tagged(ok(&json!({ "connection": describe_one(call, scope, &portal, row).await? })), version))
}

pub async fn create<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, portal) = portal_scope(call).await?;
    if sso::list(call.rt.db(), scope).await?.len() >= MAX_CONNECTIONS {
        return Err(AppError::Conflict(format!("a portal has at most {MAX_CONNECTIONS} SSO connections")));
    }
    let id = SsoConnectionId::from_random(call.rt.random_16()?);
    save(call, scope, &portal, id, None).await?.ok_or_else(|| AppError::Internal("a new connection unwritten".into()))
}

pub async fn replace<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, portal) = portal_scope(call).await?;
    let id = call.id("connection_id", SsoConnectionId::parse)?;
    let pre = Precondition::of(call.req)?;
    versions::write(async || {
        let current = sso::get(call.rt.db(), scope, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        save(call, scope, &portal, id, Some(current)).await
    })
    .await
}

/// Checks a body whole, then writes the connection with its domains and values in one batch;
/// None: the connection replaced changed meanwhile, and nothing was written.
async fn save<R: Runtime>(
    call: &Call<'_, R>,
    scope: PortalScope,
    portal: &PortalRow,
    id: SsoConnectionId,
    current: Option<ConnectionRow>,
) -> Result<Option<Response>, AppError> {
    let body: ConnectionBody = call.json()?;
    let mut fields = Fields::default();
    let enabled = body.enabled.unwrap_or(true);
    let fixed_customer = body.customer.as_ref().and_then(|c| c.customer_id.clone());
    let existing = Existing {
        has_secret: current.as_ref().is_some_and(|c| c.sealed_secret.is_some()),
        secret_given: current
            .as_ref()
            .and_then(|c| c.settings().ok())
            .is_some_and(|s| matches!(s, Settings::Jwt(j) if j.secret_given)),
    };
    if let Some(current) = &current {
        if body.protocol.is_some_and(|p| p != current.protocol) {
            fields.error("protocol", "a connection keeps its protocol; add a new connection instead");
        }
    }
    let checked = sso_input::check(body, call.rt.config().sso_loopback_http, existing, &mut fields);
    if let Some(Settings::Jwt(jwt)) = checked.as_ref().map(|c| &c.settings) {
        distinct_issuer(call, scope, id, jwt.issuer.as_deref(), &mut fields).await?;
    }
    let customers = match &checked {
        Some(checked) => {
            Some(check_customers(call, &mut fields, scope, portal, fixed_customer.as_deref(), checked).await?)
        }
        None => None,
    };
    fields.finish()?;
    let (Some(checked), Some((fixed, domains, values))) = (checked, customers) else {
        return Err(AppError::Internal("sso connection after validation".into()));
    };
    let owner = id.to_db();
    let (sealed, shown) = match &checked.secret {
        SecretChoice::Keep => (current.as_ref().and_then(|c| c.sealed_secret.clone()), None),
        SecretChoice::Generate => {
            let secret = format!("{SECRET_PREFIX}{}", random_text(call.rt)?);
            (Some(seal_secret(call, &owner, &secret)?), Some(secret))
        }
        SecretChoice::Given(secret) => (Some(seal_secret(call, &owner, secret)?), None),
    };
    // A secret only the other protocols use is dropped when a connection no longer needs it.
    let needs_secret = match &checked.settings {
        Settings::Jwt(jwt) => jwt.algorithm == "HS256",
        Settings::Oidc(_) => true,
        Settings::Saml(_) => false,
    };
    let input = ConnectionInput {
        id,
        name: &checked.name,
        settings: &checked.settings,
        sealed_secret: sealed.as_deref().filter(|_| needs_secret),
        enabled,
        admission: &checked.admission,
        customer: fixed,
        customer_attribute: checked.customer_attribute.as_deref(),
        domains: &domains,
        values: &values,
        replaces: current.as_ref().map(|c| c.version),
    };
    let now = call.rt.now();
    let actor = call.actor();
    let action = if current.is_some() { "sso_connection.replace" } else { "sso_connection.create" };
    // The audit keeps what changed, never a secret (only whether one was set anew).
    let summary = json!({
        "name": checked.name, "protocol": checked.settings.protocol(), "enabled": enabled,
        "settings": checked.settings.to_json(), "secret_changed": !matches!(checked.secret, SecretChoice::Keep),
        "domains": domains.iter().map(|(d, _)| d.as_str()).collect::<Vec<_>>(),
    });
    let mut batch = sso::write(scope, &input, now);
    // A replace's own guarded statement ends the batch: its entry only if it wrote.
    let change = Change::new(scope.tenant, &actor, action, "sso_connection", owner).after(summary);
    batch.push(if current.is_some() { change.statement_if_changed(now) } else { change.statement(now) });
    let changed = call.rt.db().batch(batch).await.map_err(|err| match AppError::from(err) {
        AppError::Conflict(_) => {
            AppError::invalid("domains", "another SSO connection of this portal signs in one of these domains")
        }
        other => other,
    })?;
    if current.is_some() && !crate::store::wrote(&changed, changed.len().saturating_sub(2)) {
        return Ok(None);
    }
    let row = sso::get(call.rt.db(), scope, id).await?.ok_or(AppError::NotFound)?;
    let version = row.version;
    let mut answer = json!({ "connection": describe_one(call, scope, portal, row).await? });
    if let (Some(secret), Some(object)) = (shown, answer.as_object_mut()) {
        object.insert("secret".into(), json!(secret));
    }
    Ok(Some(tagged(if current.is_some() { ok(&answer) } else { created(&answer) }, version)))
}

/// `/sso/jwt` picks among a portal's JWT connections by the token's issuer: with more than
/// one, each must name its own, or some would never be chosen.
async fn distinct_issuer<R: Runtime>(
    call: &Call<'_, R>,
    scope: PortalScope,
    id: SsoConnectionId,
    issuer: Option<&str>,
    fields: &mut Fields,
) -> Result<(), AppError> {
    let own = id.to_db();
    let clash =
        sso::list(call.rt.db(), scope).await?.iter().filter(|c| c.id != own).any(|other| match other.settings() {
            Ok(Settings::Jwt(theirs)) => {
                issuer.is_none() || theirs.issuer.is_none() || theirs.issuer.as_deref() == issuer
            }
            _ => false,
        });
    if clash {
        fields.error("jwt.issuer", "this portal has another JWT connection: each needs an issuer of its own");
    }
    Ok(())
}

fn seal_secret<R: Runtime>(call: &Call<'_, R>, owner: &str, secret: &str) -> Result<String, AppError> {
    let key = call.rt.config().sso_sealing_key.as_ref().ok_or_else(|| {
        AppError::Conflict(
            "this deployment has no SSO_SEALING_KEY secret; the operator sets it with wrangler secret put".into(),
        )
    })?;
    let mut nonce = [0u8; 12];
    call.rt.fill_random(&mut nonce)?;
    seal::seal(key, owner, secret.as_bytes(), nonce).ok_or_else(|| AppError::Internal("sealing a secret".into()))
}

type CheckedCustomers = (Option<CustomerId>, Vec<(String, Option<CustomerId>)>, Vec<(String, CustomerId)>);

/// Every customer the body names must be this tenant's (and, on a one-customer portal, the
/// portal's own).
async fn check_customers<R: Runtime>(
    call: &Call<'_, R>,
    fields: &mut Fields,
    scope: PortalScope,
    portal: &PortalRow,
    fixed: Option<&str>,
    checked: &Checked,
) -> Result<CheckedCustomers, AppError> {
    let fixed = match fixed {
        Some(raw) => customer_of(call, fields, scope, portal, Some(raw)).await?,
        None => None,
    };
    let mut domains = Vec::new();
    for (domain, customer) in &checked.domains {
        let customer = match customer {
            Some(raw) => customer_of(call, fields, scope, portal, Some(raw)).await?,
            None => None,
        };
        domains.push((domain.clone(), customer));
    }
    let mut values = Vec::new();
    for (value, raw) in &checked.values {
        if let Some(customer) = customer_of(call, fields, scope, portal, Some(raw)).await? {
            values.push((value.clone(), customer));
        }
    }
    Ok((fixed, domains, values))
}

pub async fn delete<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, _) = portal_scope(call).await?;
    let id = call.id("connection_id", SsoConnectionId::parse)?;
    let pre = Precondition::of(call.req)?;
    versions::write(async || {
        let current = sso::get(call.rt.db(), scope, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        let now = call.rt.now();
        let actor = call.actor();
        let change = Change::new(scope.tenant, &actor, "sso_connection.delete", "sso_connection", id.to_db())
            .before(json!({ "name": current.name, "protocol": current.protocol }));
        let statements = vec![sso::delete(scope, id, current.version), change.statement_if_changed(now)];
        Ok(crate::store::wrote(&call.rt.db().batch(statements).await?, 0).then(no_content))
    })
    .await
}

/// The event log, newest first; `?reference=` finds the one a person quotes.
pub async fn events<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, _) = portal_scope(call).await?;
    let reference = call.req.query_param("reference");
    let rows = sso::events(call.rt.db(), scope, reference.as_deref(), page_limit(call.req)?).await?;
    Ok(ok(&json!({ "events": rows.iter().map(EventBody::from).collect::<Vec<_>>() })))
}
