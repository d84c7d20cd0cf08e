//! A portal's custom domains, the rules written once for the admin API (`addDomain`,
//! `verifyDomain`, `removeDomain`) and the console's portal page: which names may be
//! claimed, the claim with its TXT proof, the check by the configured verifier, and the
//! hosts' cache entries rewritten. `*.localhost` names are active at once: nobody but this
//! machine can reach them.
//!
//! A domain is a claim, not ownership: any number of portals may claim a hostname, and the
//! first to prove control with its own TXT token holds it. Every answer here is about the
//! caller's own claim only, and adding a hostname answers the same whether or not anyone else
//! claims it, holds it, or has it active: a claim on a hostname active elsewhere is accepted
//! like any other and fails at `verify` with the rivals' reason. A refusal at `add` instead
//! would be an oracle for which hostnames porch serves (and, tried against every tenant's
//! known names, a hint who); an accepted claim reveals nothing until its own TXT record
//! proves control of the name, and by then its maker runs the DNS.

use crate::app::domain_verification::{self as verification, DomainVerifier, Verdict};
use crate::runtime::Runtime;
use crate::store::audit::Actor;
use crate::store::domains::{self, Activation, DomainRow, DomainStatus, NewDomain};
use crate::tenancy;
use porch_types::error::AppError;
use porch_types::host::Hostname;
use porch_types::ids::{PortalId, TenantId};

/// A hostname a portal may claim: a full DNS name outside the platform's domain, and not the
/// console's.
pub fn parse_custom_hostname(raw: &str, base: &Hostname, console: &Hostname) -> Result<Hostname, &'static str> {
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

/// `parse_custom_hostname` with this deployment's platform domain and console host.
pub fn parse_for<R: Runtime>(rt: &R, raw: &str) -> Result<Hostname, &'static str> {
    let config = rt.config();
    parse_custom_hostname(raw, &config.portal_base_domain, &config.console_host)
}

/// Claims `host` for the portal (pending with a new TXT token, or active at once for a
/// `*.localhost` name) and registers it with the verifier.
pub async fn add<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    portal: PortalId,
    actor: &Actor,
    host: &Hostname,
) -> Result<DomainRow, AppError> {
    let token = porch_types::to_hex(&rt.random_16()?);
    let verification_token = format!("porch-verify={token}");
    let status = if host.is_localhost() { DomainStatus::Active } else { DomainStatus::Pending };
    let new = NewDomain { hostname: host, portal, status, verification_token: &verification_token };
    if let Err(err) = domains::add(rt.db(), tenant, &new, actor, rt.now()).await {
        return Err(match AppError::from(err) {
            // Two indexes can refuse the claim. Only this portal's own claim is looked at to
            // tell which: another portal's is none of the caller's business (module comment).
            AppError::Conflict(_) if domains::get(rt.db(), tenant, portal, host).await?.is_some() => {
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
        if let Err(err) = verification::configured(rt).register(host).await {
            // The domain stays pending; `verify` registers it again, so nothing is lost.
            rt.log(&format!("registering {host} with the verifier failed: {err}"));
        }
    }
    tenancy::refresh_hosts(rt, std::slice::from_ref(host)).await?;
    domains::get(rt.db(), tenant, portal, host).await?.ok_or(AppError::NotFound)
}

/// The portal's claim of `host`.
pub async fn find<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    portal: PortalId,
    host: &Hostname,
) -> Result<DomainRow, AppError> {
    domains::get(rt.db(), tenant, portal, host).await?.ok_or(AppError::NotFound)
}

fn stored_hostname(row: &DomainRow) -> Result<Hostname, AppError> {
    Hostname::parse(&row.hostname).map_err(|_| AppError::Internal(format!("stored hostname {:?}", row.hostname)))
}

/// Gives up the claim: the verifier forgets the name, and its cache entry goes.
pub async fn remove<R: Runtime>(rt: &R, tenant: TenantId, row: &DomainRow, actor: &Actor) -> Result<(), AppError> {
    domains::remove(rt.db(), tenant, row, actor, rt.now()).await?;
    let host = stored_hostname(row)?;
    verification::release(rt, std::slice::from_ref(&host)).await?;
    tenancy::refresh_hosts(rt, std::slice::from_ref(&host)).await
}

/// The verdict of the configured verifier on this claim's own token.
async fn check<R: Runtime>(rt: &R, host: &Hostname, row: &DomainRow) -> Verdict {
    if host.is_localhost() {
        return Verdict::Verified;
    }
    match verification::configured(rt).check(host, &row.verification_token).await {
        Ok(verdict) => verdict,
        Err(err) => {
            rt.log(&format!("verifying {host}: {err}"));
            Verdict::NotVerified("the verification service could not be reached; try again later".into())
        }
    }
}

/// Checks the claim's TXT record now and records the outcome: a proven claim goes active
/// (unless another claim holds the name), a failed one says why.
pub async fn verify<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    row: &DomainRow,
    actor: &Actor,
) -> Result<DomainRow, AppError> {
    let host = stored_hostname(row)?;
    let (db, now) = (rt.db(), rt.now());
    if row.expired(now) {
        // Not checked: an expired claim cannot be revived, only made again (with a new token).
        domains::record_check(db, tenant, row, DomainStatus::Failed, Some(domains::CLAIM_EXPIRED), actor, now).await?;
    } else {
        match check(rt, &host, row).await {
            Verdict::Verified if row.status == DomainStatus::Active => {
                domains::record_check(db, tenant, row, DomainStatus::Active, None, actor, now).await?;
            }
            Verdict::Verified => {
                if domains::activate(db, tenant, row, actor, now).await? == Activation::Lost {
                    // Another claim holds the hostname: this one proved control too, but the
                    // active claim stays until its portal removes it.
                    let lost = Some(domains::CLAIM_LOST);
                    domains::record_check(db, tenant, row, DomainStatus::Failed, lost, actor, now).await?;
                }
            }
            // An active domain that fails a re-check stays active: DNS blips must not take a
            // customer's portal offline. Removing the domain is how it goes.
            Verdict::NotVerified(reason) => {
                let status =
                    if row.status == DomainStatus::Active { DomainStatus::Active } else { DomainStatus::Failed };
                domains::record_check(db, tenant, row, status, Some(&reason), actor, now).await?;
            }
        }
    }
    tenancy::refresh_hosts(rt, std::slice::from_ref(&host)).await?;
    let portal = PortalId::parse(&row.portal_id).ok_or(AppError::NotFound)?;
    domains::get(db, tenant, portal, &host).await?.ok_or(AppError::NotFound)
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
