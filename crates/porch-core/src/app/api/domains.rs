//! Custom domains of a portal: add (pending, with a TXT proof), list, remove, verify. The
//! rules, and why an added claim answers the same whether or not anyone else claims the name,
//! are `app::domains`'.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::Reach;
use super::input::Fields;
use super::{created, no_content, ok, Call};
use crate::app::domains as rules;
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::domains::{self, verification_record_name, DomainRow, DomainStatus};
use crate::store::portals;
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

pub async fn list<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (tenant, portal) = portal_in_path(call).await?;
    let rows = domains::list(call.rt.db(), tenant, portal).await?;
    Ok(ok(&json!({ "domains": rows.iter().map(DomainBody::from).collect::<Vec<_>>() })))
}

pub async fn add<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (tenant, portal) = portal_in_path(call).await?;
    let input: DomainInput = call.json()?;
    let mut fields = Fields::default();
    let host = fields.require("hostname", input.hostname.as_deref(), |raw| rules::parse_for(call.rt, raw));
    fields.finish()?;
    let host = host.ok_or_else(|| AppError::Internal("hostname field".into()))?;
    let row = rules::add(call.rt, tenant, portal, &call.actor(), &host).await?;
    Ok(created(&json!({ "domain": DomainBody::from(&row) })))
}

async fn domain_in_path<R: Runtime>(call: &Call<'_, R>) -> Result<(TenantId, DomainRow), AppError> {
    let (tenant, portal) = portal_in_path(call).await?;
    let host = call.id("hostname", |raw| Hostname::parse(raw).ok())?;
    Ok((tenant, rules::find(call.rt, tenant, portal, &host).await?))
}

pub async fn remove<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (tenant, row) = domain_in_path(call).await?;
    rules::remove(call.rt, tenant, &row, &call.actor()).await?;
    Ok(no_content())
}

pub async fn verify<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (tenant, row) = domain_in_path(call).await?;
    let row = rules::verify(call.rt, tenant, &row, &call.actor()).await?;
    Ok(ok(&json!({ "domain": DomainBody::from(&row) })))
}
