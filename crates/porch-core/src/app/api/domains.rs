//! Custom domains of a portal: add (pending, with a TXT proof), list, remove, verify.
//! `*.localhost` names are active at once: nobody but this machine can reach them.
//!
//! A domain is a claim, not ownership: any number of portals may claim a hostname, and the
//! first to prove control with its own TXT token holds it. Every answer here is about the
//! caller's own claim only, and adding a hostname answers the same whether or not anyone else
//! claims it, holds it, or has it active: a claim on a hostname active elsewhere is accepted
//! like any other and fails at `verify` with the rivals' reason. A refusal at `add` instead
//! would be an oracle for which hostnames porch serves (and, tried against every tenant's
//! known names, a hint who); an accepted claim reveals nothing until its own TXT record
//! proves control of the name, and by then its maker runs the DNS.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::Reach;
use super::input::Fields;
use super::{created, no_content, ok, Call};
use crate::app::domain_verification::{self as verify, DomainVerifier, Verdict};
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::domains::{self, verification_record_name, Activation, DomainRow, DomainStatus, NewDomain};
use crate::store::portals;
use crate::tenancy;
use porch_types::error::AppError;
use porch_types::host::Hostname;
use porch_types::ids::{PortalId, TenantId};
use porch_types::time::Timestamp;

/// A custom domain as the API shows it (`Domain` in openapi.json), with the TXT record that
/// proves control of it.
#[derive(Serialize)]
pub(super) struct DomainBody<'a> {
    hostname: &'a str,
    portal_id: &'a str,
    status: DomainStatus,
    verification: VerificationBody<'a>,
    verified_at: Option<Timestamp>,
    last_checked_at: Option<Timestamp>,
    last_error: Option<&'a str>,
    created_at: Timestamp,
}

/// The DNS record to publish: always TXT.
#[derive(Serialize)]
struct VerificationBody<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
    value: &'a str,
}

impl<'a> From<&'a DomainRow> for DomainBody<'a> {
    fn from(row: &'a DomainRow) -> Self {
        DomainBody {
            hostname: &row.hostname,
            portal_id: &row.portal_id,
            status: row.status,
            verification: VerificationBody {
                kind: "TXT",
                name: verification_record_name(&row.hostname),
                value: &row.verification_token,
            },
            verified_at: row.verified_at.map(Timestamp::from_millis),
            last_checked_at: row.last_checked_at.map(Timestamp::from_millis),
            last_error: row.last_error.as_deref(),
            created_at: Timestamp::from_millis(row.created_at),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DomainInput {
    hostname: Option<String>,
}

async fn portal_in_path<R: Runtime>(call: &Call<'_, R>) -> Result<(TenantId, PortalId), AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let portal = call.id("portal_id", PortalId::parse)?;
    portals::get(call.rt.db(), tenant, portal).await?.ok_or(AppError::NotFound)?;
    Ok((tenant, portal))
}

fn parse_custom_hostname(raw: &str, base: &Hostname, console: &Hostname) -> Result<Hostname, &'static str> {
    let host = Hostname::parse(raw).map_err(|_| "must be a hostname such as support.example.com")?;
    if host.is_ip_literal() || !host.as_str().contains('.') {
        return Err("must be a full DNS name with at least two labels, not an IP address");
    }
    if host.is_within(base) {
        return Err("names under the platform domain are given by the portal slug");
    }
    if host == *console {
        return Err("is the console's hostname");
    }
    Ok(host)
}

pub async fn list<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (tenant, portal) = portal_in_path(call).await?;
    let rows = domains::list(call.rt.db(), tenant, portal).await?;
    Ok(ok(&json!({ "domains": rows.iter().map(DomainBody::from).collect::<Vec<_>>() })))
}

pub async fn add<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (tenant, portal) = portal_in_path(call).await?;
    let input: DomainInput = call.json()?;
    let mut fields = Fields::default();
    let (base, console) = (&call.rt.config().portal_base_domain, &call.rt.config().console_host);
    let host = fields.require("hostname", input.hostname.as_deref(), |raw| parse_custom_hostname(raw, base, console));
    fields.finish()?;
    let host = host.ok_or_else(|| AppError::Internal("hostname field".into()))?;
    let token_bytes = call.rt.random_16()?;
    let token = porch_types::to_hex(&token_bytes);
    let verification_token = format!("porch-verify={token}");
    let status = if host.is_localhost() { DomainStatus::Active } else { DomainStatus::Pending };
    let new = NewDomain { hostname: &host, portal, status, verification_token: &verification_token };
    if let Err(err) = domains::add(call.rt.db(), tenant, &new, &call.actor(), call.rt.now()).await {
        return Err(match AppError::from(err) {
            // Two indexes can refuse the claim. Only this portal's own claim is looked at to
            // tell which: another portal's is none of the caller's business (module comment).
            AppError::Conflict(_) if domains::get(call.rt.db(), tenant, portal, &host).await?.is_some() => {
                AppError::Conflict("this portal already claims that hostname".into())
            }
            // Otherwise the one active claim per hostname: only a `*.localhost` claim is active
            // at once, so only it gets here, and nobody but this machine reaches such a name.
            AppError::Conflict(_) => AppError::Conflict("that hostname already serves a portal".into()),
            other => other,
        });
    }
    if !host.is_localhost() {
        // Another claim may have registered the hostname already: that is success too.
        if let Err(err) = verify::configured(call.rt).register(&host).await {
            // The domain stays pending; `verify` registers it again, so nothing is lost.
            call.rt.log(&format!("registering {host} with the verifier failed: {err}"));
        }
    }
    tenancy::refresh_hosts(call.rt, std::slice::from_ref(&host)).await?;
    let row = domains::get(call.rt.db(), tenant, portal, &host).await?.ok_or(AppError::NotFound)?;
    Ok(created(&json!({ "domain": DomainBody::from(&row) })))
}

async fn domain_in_path<R: Runtime>(call: &Call<'_, R>) -> Result<(TenantId, domains::DomainRow), AppError> {
    let (tenant, portal) = portal_in_path(call).await?;
    let host = call.id("hostname", |raw| Hostname::parse(raw).ok())?;
    let row = domains::get(call.rt.db(), tenant, portal, &host).await?.ok_or(AppError::NotFound)?;
    Ok((tenant, row))
}

pub async fn remove<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (tenant, row) = domain_in_path(call).await?;
    domains::remove(call.rt.db(), tenant, &row, &call.actor(), call.rt.now()).await?;
    let host = stored_hostname(&row)?;
    verify::release(call.rt, std::slice::from_ref(&host)).await?;
    tenancy::refresh_hosts(call.rt, std::slice::from_ref(&host)).await?;
    Ok(no_content())
}

fn stored_hostname(row: &DomainRow) -> Result<Hostname, AppError> {
    Hostname::parse(&row.hostname).map_err(|_| AppError::Internal(format!("stored hostname {:?}", row.hostname)))
}

/// The verdict of the configured verifier on this claim's own token.
async fn check<R: Runtime>(call: &Call<'_, R>, host: &Hostname, row: &DomainRow) -> Verdict {
    if host.is_localhost() {
        return Verdict::Verified;
    }
    match verify::configured(call.rt).check(host, &row.verification_token).await {
        Ok(verdict) => verdict,
        Err(err) => {
            call.rt.log(&format!("verifying {host}: {err}"));
            Verdict::NotVerified("the verification service could not be reached; try again later".into())
        }
    }
}

pub async fn verify<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (tenant, row) = domain_in_path(call).await?;
    let host = stored_hostname(&row)?;
    let (db, actor, now) = (call.rt.db(), call.actor(), call.rt.now());
    if row.expired(now) {
        // Not checked: an expired claim cannot be revived, only made again (with a new token).
        domains::record_check(db, tenant, &row, DomainStatus::Failed, Some(domains::CLAIM_EXPIRED), &actor, now)
            .await?;
    } else {
        match check(call, &host, &row).await {
            Verdict::Verified if row.status == DomainStatus::Active => {
                domains::record_check(db, tenant, &row, DomainStatus::Active, None, &actor, now).await?;
            }
            Verdict::Verified => {
                if domains::activate(db, tenant, &row, &actor, now).await? == Activation::Lost {
                    // Another claim holds the hostname: this one proved control too, but the
                    // active claim stays until its portal removes it.
                    let lost = Some(domains::CLAIM_LOST);
                    domains::record_check(db, tenant, &row, DomainStatus::Failed, lost, &actor, now).await?;
                }
            }
            // An active domain that fails a re-check stays active: DNS blips must not take a
            // customer's portal offline. Removing the domain is how it goes.
            Verdict::NotVerified(reason) => {
                let status =
                    if row.status == DomainStatus::Active { DomainStatus::Active } else { DomainStatus::Failed };
                domains::record_check(db, tenant, &row, status, Some(&reason), &actor, now).await?;
            }
        }
    }
    tenancy::refresh_hosts(call.rt, std::slice::from_ref(&host)).await?;
    let portal = PortalId::parse(&row.portal_id).ok_or(AppError::NotFound)?;
    let row = domains::get(db, tenant, portal, &host).await?.ok_or(AppError::NotFound)?;
    Ok(ok(&json!({ "domain": DomainBody::from(&row) })))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn custom_domains_must_be_full_names_outside_the_platform_domain_and_not_the_consoles() {
        let base = Hostname::parse("portals.example.net").unwrap();
        let console = Hostname::parse("console.example.net").unwrap();
        assert!(parse_custom_hostname("console.example.net", &base, &console).is_err());
        assert!(parse_custom_hostname("support.acme.com", &base, &console).is_ok());
        assert!(parse_custom_hostname("newco.localhost", &base, &console).is_ok());
        assert!(parse_custom_hostname("acme.portals.example.net", &base, &console).is_err());
        assert!(parse_custom_hostname("10.0.0.1", &base, &console).is_err());
        assert!(parse_custom_hostname("localhost", &base, &console).is_err());
        assert!(parse_custom_hostname("exa mple.com", &base, &console).is_err());
    }
}
