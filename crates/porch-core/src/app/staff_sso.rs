//! A tenant's own `OpenID` Connect provider for its console staff: the rule written once for
//! the admin API (`getStaffSso`, `putStaffSso`, `deleteStaffSso`) and the console's staff
//! single sign-on page. Only an owner (or the operator) sets it: it lets people in without
//! porch's password and second factor. The client secret is sealed to the connection's id
//! and never shown again; the email domains are each one tenant's.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::app::domain_verification::{DnsOverHttps, DomainVerifier as _, Verdict};
use crate::app::input::Fields;
use crate::app::staff::Acting;
use crate::app::versions::{retry, Precondition};
use crate::auth::sealing;
use crate::runtime::Runtime;
use crate::store::audit::Change;
use crate::store::domains::verification_record_name;
use crate::store::staff_sso::{self, DomainRow, Settings, StaffSsoRow};
use crate::store::DbError;
use porch_types::email::EmailDomain;
use porch_types::error::AppError;
use porch_types::host::Hostname;
use porch_types::ids::{StaffSsoId, TenantId};
use porch_types::sso::idp_url;
use porch_types::time::Timestamp;

/// Email domains per tenant: a company's own, not a list of every customer's.
pub const MAX_DOMAINS: usize = 20;
/// The longest client id or secret porch keeps (providers' are far shorter).
const MAX_CREDENTIAL: usize = 512;

/// A PUT body: the whole connection. `client_secret` may be left out once one is kept.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffSsoInput {
    pub issuer: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub domains: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

/// The connection as the API shows it (`StaffSso` in openapi.json): never the secret.
#[derive(Serialize)]
pub struct StaffSsoBody<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub domains: Vec<DomainBody<'a>>,
    pub enabled: bool,
    /// Where the provider sends people back: to give its admin.
    pub redirect_uri: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// An email domain of the connection (`StaffSsoDomain` in openapi.json): proved, or the TXT
/// record that proves it.
#[derive(Serialize)]
pub struct DomainBody<'a> {
    pub domain: &'a str,
    pub verified: bool,
    pub txt_name: String,
    pub txt_value: String,
}

impl<'a> StaffSsoBody<'a> {
    pub fn new(row: &'a StaffSsoRow, domains: &'a [DomainRow], console_origin: &str) -> Self {
        StaffSsoBody {
            issuer: &row.issuer,
            client_id: &row.client_id,
            domains: domains
                .iter()
                .map(|domain| DomainBody {
                    domain: &domain.domain,
                    verified: domain.is_verified(),
                    txt_name: verification_record_name(&domain.domain),
                    txt_value: row.txt_value(),
                })
                .collect(),
            enabled: row.is_enabled(),
            redirect_uri: redirect_uri(console_origin, &row.id),
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
        }
    }
}

/// Where the tenant's provider sends people back: a callback of this connection's own, so an
/// answer (a code) can only be redeemed with the provider it came from. A callback shared by
/// every tenant would let a tenant's provider forward a sign-in it started to another
/// tenant's provider and take the code (the OAuth mix-up attack, RFC 9207 §1).
pub fn redirect_uri(console_origin: &str, id: &str) -> String {
    format!("{console_origin}/sso/{id}/callback")
}

/// Email domains of public mail services: no one tenant's people, so never a tenant's to
/// route to its provider (no TXT record of theirs could prove otherwise anyway).
const PUBLIC_MAIL_DOMAINS: [&str; 18] = [
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.net",
    "mail.com",
    "yandex.com",
    "zoho.com",
];

fn may_set(by: &Acting) -> Result<(), AppError> {
    if by.role.can_manage_keys() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn credential(fields: &mut Fields, field: &str, raw: Option<&str>) -> Option<String> {
    match raw.map(str::trim) {
        None | Some("") => {
            fields.error(field, "is required");
            None
        }
        Some(text) if text.len() > MAX_CREDENTIAL || text.chars().any(char::is_control) => {
            fields.error(field, "must be at most 512 printable characters");
            None
        }
        Some(text) => Some(text.to_owned()),
    }
}

/// The domains of a body: each an email domain, none twice, one to `MAX_DOMAINS`.
fn domains(fields: &mut Fields, raw: Option<&[String]>) -> Option<Vec<String>> {
    let raw = raw.unwrap_or_default();
    if raw.is_empty() || raw.len() > MAX_DOMAINS {
        fields.error("domains", &format!("list 1 to {MAX_DOMAINS} email domains whose people sign in this way"));
        return None;
    }
    let mut parsed: Vec<String> = Vec::with_capacity(raw.len());
    let before = fields.len();
    for (index, text) in raw.iter().enumerate() {
        match EmailDomain::parse(text) {
            Ok(domain) if parsed.iter().any(|d| d == domain.as_str()) => {
                fields.error(&format!("domains[{index}]"), "appears twice");
            }
            Ok(domain) if PUBLIC_MAIL_DOMAINS.contains(&domain.as_str()) => {
                fields.error(&format!("domains[{index}]"), "is a public mail service's, not your company's");
            }
            Ok(domain) => parsed.push(domain.as_str().to_owned()),
            Err(_) => fields.error(&format!("domains[{index}]"), "must be an email domain such as example.com"),
        }
    }
    (fields.len() == before).then_some(parsed)
}

/// The tenant's connection and its domains, if it has one.
pub async fn get<R: Runtime>(rt: &R, tenant: TenantId) -> Result<Option<(StaffSsoRow, Vec<DomainRow>)>, AppError> {
    let Some(row) = staff_sso::get(rt.db(), tenant).await? else { return Ok(None) };
    let domains = staff_sso::domains(rt.db(), tenant).await?;
    Ok(Some((row, domains)))
}

/// Sets the tenant's connection to `input` when its version passes `pre`.
pub async fn put<R: Runtime>(
    rt: &R,
    (tenant, by): (TenantId, &Acting),
    input: &StaffSsoInput,
    pre: &Precondition,
) -> Result<(StaffSsoRow, Vec<DomainRow>), AppError> {
    may_set(by)?;
    retry(async || {
        let current = staff_sso::get(rt.db(), tenant).await?;
        match &current {
            Some(row) => {
                pre.allow(row.version)?;
            }
            None => pre.allow_absent()?,
        }
        let mut fields = Fields::default();
        let issuer = fields.require("issuer", input.issuer.as_deref(), |raw| {
            idp_url(raw, rt.config().sso_loopback_http).map(|_| raw.trim().to_owned())
        });
        let client_id = credential(&mut fields, "client_id", input.client_id.as_deref());
        let secret = match (input.client_secret.as_deref(), &current) {
            (None, Some(_)) => None,
            (raw, _) => credential(&mut fields, "client_secret", raw),
        };
        let domains = domains(&mut fields, input.domains.as_deref());
        fields.finish()?;
        let (Some(issuer), Some(client_id), Some(domains)) = (issuer, client_id, domains) else {
            return Err(AppError::Internal("checked fields missing".into()));
        };
        let id = match &current {
            Some(row) => row.id.clone(),
            None => StaffSsoId::from_random(rt.random_16()?).to_db(),
        };
        let sealed = match (secret, &current) {
            (Some(secret), _) => sealing::seal(rt, &id, secret.as_bytes())?,
            (None, Some(row)) => row.sealed_secret.clone(),
            (None, None) => return Err(AppError::Internal("a new connection without a secret".into())),
        };
        let enabled = input.enabled.unwrap_or(true);
        let summary = |issuer: &str, client_id: &str, enabled: bool, domains: &[String]| {
            json!({ "issuer": issuer, "client_id": client_id, "enabled": enabled, "domains": domains })
        };
        let mut change = Change::new(tenant, &by.actor, "staff_sso.put", "staff_sso", id.clone())
            .after(summary(&issuer, &client_id, enabled, &domains));
        if let Some(row) = &current {
            let before: Vec<String> =
                staff_sso::domains(rt.db(), tenant).await?.into_iter().map(|domain| domain.domain).collect();
            change = change.before(summary(&row.issuer, &row.client_id, row.is_enabled(), &before));
        }
        let write_id = StaffSsoId::from_random(rt.random_16()?).to_db();
        let settings = Settings {
            id: &id,
            write_id: &write_id,
            issuer: &issuer,
            client_id: &client_id,
            sealed_secret: &sealed,
            enabled,
            domains: &domains,
        };
        let version = current.as_ref().map(|row| row.version);
        if staff_sso::put(rt.db(), tenant, version, &settings, &change, rt.now()).await? {
            Ok(get(rt, tenant).await?)
        } else {
            Ok(None)
        }
    })
    .await
}

/// Removes the tenant's connection when its version passes `pre`: its staff sign in with
/// their password and second factor again.
pub async fn delete<R: Runtime>(rt: &R, (tenant, by): (TenantId, &Acting), pre: &Precondition) -> Result<(), AppError> {
    may_set(by)?;
    retry(async || {
        let current = staff_sso::get(rt.db(), tenant).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        let change = Change::new(tenant, &by.actor, "staff_sso.delete", "staff_sso", current.id.clone())
            .before(json!({ "issuer": current.issuer, "client_id": current.client_id }));
        Ok(staff_sso::delete(rt.db(), tenant, current.version, &change, rt.now()).await?.then_some(()))
    })
    .await
}

/// Checks the TXT record that proves `domain` is the tenant's (`_porch-verify.<domain>`,
/// naming the connection) and, found, lets the domain lead its people to the provider:
/// None then; else why not yet. A domain another tenant proved first is 409.
pub async fn verify_domain<R: Runtime>(
    rt: &R,
    (tenant, by): (TenantId, &Acting),
    domain: &str,
) -> Result<Option<String>, AppError> {
    may_set(by)?;
    let row = staff_sso::get(rt.db(), tenant).await?.ok_or(AppError::NotFound)?;
    let listed = staff_sso::domains(rt.db(), tenant).await?.into_iter().find(|d| d.domain == domain);
    let listed = listed.ok_or(AppError::NotFound)?;
    if listed.is_verified() {
        return Ok(None);
    }
    let host = Hostname::parse(domain).map_err(|_| AppError::NotFound)?;
    let config = rt.config();
    let dns = DnsOverHttps { http: rt.http(), endpoint: &config.doh_url };
    match dns.check(&host, &row.txt_value()).await? {
        Verdict::NotVerified(why) => Ok(Some(why)),
        Verdict::Verified => {
            let change = Change::new(tenant, &by.actor, "staff_sso.domain_verify", "staff_sso", row.id.clone())
                .after(json!({ "domain": domain }));
            match staff_sso::verify_domain(rt.db(), (tenant, &row.id), domain, &change, rt.now()).await {
                Ok(true) => Ok(None),
                // Proved meanwhile by another check (fine), or the domain or the connection
                // went: read which.
                Ok(false) => {
                    let now = staff_sso::domains(rt.db(), tenant).await?;
                    if now.iter().any(|d| d.domain == domain && d.is_verified()) {
                        Ok(None)
                    } else {
                        Err(AppError::NotFound)
                    }
                }
                Err(DbError::Constraint(_)) => {
                    Err(AppError::Conflict(format!("another tenant proved {domain} is theirs first")))
                }
                Err(err) => Err(err.into()),
            }
        }
    }
}
