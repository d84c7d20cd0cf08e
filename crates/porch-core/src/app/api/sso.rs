//! A portal's SSO connections through the admin API (create, list, read, replace, delete),
//! with what to hand the identity provider (SAML metadata and ACS URLs, the JWT endpoint, the
//! OIDC redirect URI), and the SSO event log providers read to fix their set-up.

use serde::Serialize;
use serde_json::json;

use super::input::Fields;
use super::recipients::{customer_of, portal_scope, public_portal};
use super::sso_input::{self, Checked, ConnectionBody, Context, Existing, FetchedMetadata, SecretChoice};
use super::versions::{self, tagged, Precondition};
use super::{created, no_content, ok, page_limit, Call};
use crate::app::sso_connections::{self, certificate_warnings, endpoints, CertificateWarning};
use crate::auth::secret::random_text;
use crate::auth::{sealing, sp_keys};
use crate::http::{Method, Response};
use crate::runtime::{HttpClient as _, OutboundRequest, Runtime};
use crate::store::audit::Change;
use crate::store::portals::PortalRow;
use crate::store::sso::{self, ConnectionInput, ConnectionRow, DomainRow, EventRow, ValueRow};
use crate::store::sso_sp_keys::{self, SpKeyRow, MAX_SP_KEYS};
use crate::store::{Database, PortalScope, Statement};
use porch_sso::saml;
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
    /// porch's own SAML SP keys (empty for other protocols).
    sp_keys: Vec<SpKeyBody<'a>>,
    endpoints: serde_json::Value,
    /// What the admin should act on soon (`SsoWarning` in openapi.json).
    warnings: Vec<CertificateWarning>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

/// One of porch's SP key pairs as the API shows it (`SsoSpKey` in openapi.json): the public
/// certificate only.
#[derive(Serialize)]
struct SpKeyBody<'a> {
    id: &'a str,
    /// `current` signs requests; `next` is published beside it until the current one retires.
    role: &'static str,
    certificate: &'a str,
    fingerprint_sha256: Option<String>,
    created_at: Timestamp,
}

impl<'a> SpKeyBody<'a> {
    fn list(keys: &'a [SpKeyRow]) -> Vec<SpKeyBody<'a>> {
        keys.iter()
            .enumerate()
            .map(|(i, key)| SpKeyBody {
                id: &key.id,
                role: if i == 0 { "current" } else { "next" },
                certificate: &key.certificate,
                fingerprint_sha256: saml::PinnedKey::from_pem_certificate(&key.certificate)
                    .ok()
                    .map(|pinned| pinned.fingerprint_sha256()),
                created_at: Timestamp::from_millis(key.created_at),
            })
            .collect()
    }
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
    /// `domains`, `values` and `keys` are this connection's own.
    fn new(
        row: &'a ConnectionRow,
        domains: &'a [DomainRow],
        values: &'a [ValueRow],
        keys: &'a [SpKeyRow],
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
            sp_keys: SpKeyBody::list(keys),
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

/// Connections as the API shows them: each with its domains, values and endpoints. The
/// portal's origin and domains are read once for all of them.
async fn describe<R: Runtime>(
    call: &Call<'_, R>,
    scope: PortalScope,
    portal: &PortalRow,
    rows: &[ConnectionRow],
) -> Result<Vec<serde_json::Value>, AppError> {
    let domains = sso::domains(call.rt.db(), scope).await?;
    let keys = sso_sp_keys::list_for_portal(call.rt.db(), scope).await?;
    let origin = public_portal(call, scope, portal).await?.origin;
    let mut described = Vec::with_capacity(rows.len());
    for row in rows {
        let id = SsoConnectionId::parse(&row.id).ok_or_else(|| AppError::Internal("connection id".into()))?;
        let values = sso::values(call.rt.db(), scope, id).await?;
        let own: Vec<_> = domains.iter().filter(|d| d.connection_id == row.id).cloned().collect();
        let own_keys: Vec<_> = keys.iter().filter(|k| k.connection_id == row.id).cloned().collect();
        described.push(json!(SsoConnectionBody::new(
            row,
            &own,
            &values,
            &own_keys,
            endpoints(&origin, row),
            call.rt.now()
        )));
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
    let allow_loopback_http = call.rt.config().sso_loopback_http;
    // The one outbound fetch of an import; what came back is checked with the rest of the body.
    let metadata_url = body.saml.as_ref().and_then(|s| s.metadata_url()).map(str::to_owned);
    // Only a URL that passes the outbound rules is fetched, in its normalised form.
    let fetched_metadata: Option<FetchedMetadata> =
        match metadata_url.as_deref().map(|url| porch_types::sso::idp_url(url, allow_loopback_http)) {
            Some(Ok(url)) => Some(fetch_metadata(call, &url).await),
            _ => None,
        };
    let context = Context { allow_loopback_http, existing, fetched_metadata, now: call.rt.now() };
    let checked = sso_input::check(body, context, &mut fields);
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
    let new_sp_key = first_sp_key(call, scope, id, current.is_some(), &checked.settings).await?;
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
        "sp_key_added": new_sp_key.as_ref().map(|key| key.id.as_str()),
    });
    let mut batch = sso::write(scope, &input, now);
    if let Some(key) = &new_sp_key {
        add_first_sp_key(&mut batch, sso_sp_keys::insert(scope, id, key, input.replaces, now), input.replaces);
    }
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
    sealing::seal(call.rt, owner, secret.as_bytes())
}

/// A SAML connection's first SP key, made when it has none (a new connection, or one saved
/// before porch had SP keys). Without a sealing key it gets none (its requests then go
/// unsigned and its metadata has no key), unless the identity provider wants signed requests.
async fn first_sp_key<R: Runtime>(
    call: &Call<'_, R>,
    scope: PortalScope,
    id: SsoConnectionId,
    exists: bool,
    settings: &Settings,
) -> Result<Option<sso_sp_keys::NewSpKey>, AppError> {
    let Settings::Saml(saml) = settings else { return Ok(None) };
    if exists && !sso_sp_keys::list(call.rt.db(), scope, id).await?.is_empty() {
        return Ok(None);
    }
    if call.rt.config().sso_sealing_key.is_none() && !saml.sign_authn_requests {
        return Ok(None);
    }
    sp_keys::generate(call.rt, id).map(Some)
}

/// The identity provider's metadata at `url`, fetched once (no cache: an admin import or refresh); the
/// reason as the field error's text when it cannot be had (status and size, never the body).
async fn fetch_metadata<R: Runtime>(call: &Call<'_, R>, url: &str) -> Result<String, String> {
    let request = OutboundRequest {
        method: Method::Get,
        url: url.to_owned(),
        headers: vec![("accept".into(), "application/samlmetadata+xml, application/xml;q=0.9".into())],
        body: None,
    };
    let response = call.rt.http().send(request).await.map_err(|err| format!("could not be fetched: {err}"))?;
    if response.status != 200 {
        return Err(format!("answered HTTP {}", response.status));
    }
    if response.body.len() > saml::MAX_METADATA_BYTES {
        return Err(format!("answered more than {} bytes", saml::MAX_METADATA_BYTES));
    }
    Ok(response.body)
}

/// A SAML connection of this portal (404 if none, 409 for another protocol).
async fn saml_connection<R: Runtime>(
    call: &Call<'_, R>,
    scope: PortalScope,
) -> Result<(SsoConnectionId, ConnectionRow), AppError> {
    let id = call.id("connection_id", SsoConnectionId::parse)?;
    let row = sso::get(call.rt.db(), scope, id).await?.ok_or(AppError::NotFound)?;
    if row.protocol != Protocol::Saml {
        return Err(AppError::Conflict("only SAML connections have SP keys and IdP metadata".into()));
    }
    Ok((id, row))
}

/// A connection's first SP key in its save's batch: a new connection's needs its row, so it
/// comes after it; an older connection's (made on its next replace) goes before the guarded
/// row, which must stay right before its audit entry, and like the other statements there it
/// is written only while the row has the version replaced.
fn add_first_sp_key(batch: &mut Vec<Statement>, insert: Statement, replaces: Option<i64>) {
    match replaces {
        Some(_) => batch.insert(batch.len().saturating_sub(1), insert),
        None => batch.push(insert),
    }
}

/// `POST .../sso-connections/{id}/sp-keys`: the next SP key, published beside the current
/// one (the identity provider's admin reloads porch's metadata) until the current one is retired.
pub async fn add_sp_key<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, portal) = portal_scope(call).await?;
    let (id, row) = saml_connection(call, scope).await?;
    let count = sso_sp_keys::list(call.rt.db(), scope, id).await?.len();
    if i64::try_from(count).unwrap_or(i64::MAX) >= MAX_SP_KEYS {
        return Err(AppError::Conflict(format!(
            "this connection has {MAX_SP_KEYS} SP keys: retire the older one before adding another"
        )));
    }
    let key = sp_keys::generate(call.rt, id)?;
    let now = call.rt.now();
    let actor = call.actor();
    let change = Change::new(scope.tenant, &actor, "sso_connection.sp_key_add", "sso_connection", id.to_db())
        .after(json!({ "sp_key": key.id }));
    let written = call
        .rt
        .db()
        .batch(vec![sso_sp_keys::insert(scope, id, &key, None, now), change.statement_if_changed(now)])
        .await?;
    if written.first().copied().unwrap_or(0) == 0 {
        return Err(AppError::Conflict("another SP key was added meanwhile".into()));
    }
    Ok(created(&json!({ "connection": describe_one(call, scope, &portal, row).await? })))
}

/// `DELETE .../sso-connections/{id}/sp-keys/{key_id}`: retires a key; the other one (if it
/// was the next) becomes the current one. The last key cannot be retired.
pub async fn retire_sp_key<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, portal) = portal_scope(call).await?;
    let (id, row) = saml_connection(call, scope).await?;
    let key_id = call.id("key_id", |raw| {
        (raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
            .then(|| raw.to_owned())
    })?;
    let keys = sso_sp_keys::list(call.rt.db(), scope, id).await?;
    if !keys.iter().any(|key| key.id == key_id) {
        return Err(AppError::NotFound);
    }
    if keys.len() < 2 {
        return Err(AppError::Conflict("this is the connection's only SP key: add the next one first".into()));
    }
    let now = call.rt.now();
    let actor = call.actor();
    let change = Change::new(scope.tenant, &actor, "sso_connection.sp_key_retire", "sso_connection", id.to_db())
        .before(json!({ "sp_key": key_id }));
    let written =
        call.rt.db().batch(vec![sso_sp_keys::retire(scope, id, &key_id), change.statement_if_changed(now)]).await?;
    if written.first().copied().unwrap_or(0) == 0 {
        return Err(AppError::Conflict("the connection's keys changed meanwhile".into()));
    }
    Ok(ok(&json!({ "connection": describe_one(call, scope, &portal, row).await? })))
}

/// `POST .../sso-connections/{id}/refresh-metadata`: fetches the identity provider's metadata again from
/// the URL it was imported from and takes its SSO URL, certificates and `NameID` formats.
pub async fn refresh_metadata<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, portal) = portal_scope(call).await?;
    let (id, row) = saml_connection(call, scope).await?;
    let Settings::Saml(current) = row.settings()? else {
        return Err(AppError::Internal("a SAML connection without SAML settings".into()));
    };
    let url = current.metadata_url.clone().ok_or_else(|| {
        AppError::Conflict(
            "this connection's metadata was not fetched from a URL: replace it with the new metadata".into(),
        )
    })?;
    let document =
        fetch_metadata(call, &url).await.map_err(|why| AppError::Conflict(format!("the metadata URL {why}")))?;
    let now = call.rt.now();
    let refreshed =
        Settings::Saml(sso_input::refreshed_saml(&current, &document, call.rt.config().sso_loopback_http, now)?);
    let actor = call.actor();
    let change = Change::new(scope.tenant, &actor, "sso_connection.refresh_metadata", "sso_connection", id.to_db())
        .before(Settings::Saml(current).to_json())
        .after(refreshed.to_json());
    let version = row.version;
    let refresh = sso::replace_settings(scope, id, &refreshed, version, now);
    let written = call.rt.db().batch(vec![refresh, change.statement_if_changed(now)]).await?;
    if !crate::store::wrote(&written, 0) {
        return Err(AppError::Conflict(
            "the connection changed while its metadata was fetched: refresh it again".into(),
        ));
    }
    let row = sso::get(call.rt.db(), scope, id).await?.ok_or(AppError::NotFound)?;
    let version = row.version;
    Ok(tagged(ok(&json!({ "connection": describe_one(call, scope, &portal, row).await? })), version))
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
        Some(raw) => customer_of(call.rt, fields, scope, portal, Some(raw)).await?,
        None => None,
    };
    let mut domains = Vec::new();
    for (domain, customer) in &checked.domains {
        let customer = match customer {
            Some(raw) => customer_of(call.rt, fields, scope, portal, Some(raw)).await?,
            None => None,
        };
        domains.push((domain.clone(), customer));
    }
    let mut values = Vec::new();
    for (value, raw) in &checked.values {
        if let Some(customer) = customer_of(call.rt, fields, scope, portal, Some(raw)).await? {
            values.push((value.clone(), customer));
        }
    }
    Ok((fixed, domains, values))
}

pub async fn delete<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, _) = portal_scope(call).await?;
    let id = call.id("connection_id", SsoConnectionId::parse)?;
    let pre = Precondition::of(call.req)?;
    versions::answer(sso_connections::delete(call.rt, scope, &call.actor(), id, &pre).await.map(|()| no_content()))
}

/// The event log, newest first; `?reference=` finds the one a person quotes.
pub async fn events<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, _) = portal_scope(call).await?;
    let reference = call.req.query_param("reference");
    let rows = sso::events(call.rt.db(), scope, reference.as_deref(), page_limit(call.req)?).await?;
    Ok(ok(&json!({ "events": rows.iter().map(EventBody::from).collect::<Vec<_>>() })))
}
