//! A tenant's `OpenID` Connect provider for its console staff, for automation: the rule of
//! the console's staff single sign-on page (`app::staff_sso`). A tenant key acts with an
//! owner's reach, the operator's token with the operator's.

use serde_json::json;

use super::auth::Reach;
use super::staff::acting;
use super::versions::{answer, tagged, Precondition};
use super::{no_content, ok, Call};
use crate::app::links;
use crate::app::staff_sso::{self as rules, StaffSsoBody, StaffSsoInput};
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::staff_sso::{DomainRow, StaffSsoRow};
use porch_types::error::AppError;

fn shown<R: Runtime>(call: &Call<'_, R>, row: &StaffSsoRow, domains: &[DomainRow]) -> Response {
    let origin = links::origin(&call.rt.config().console_host, call.req.header("host").unwrap_or(""));
    tagged(ok(&json!({ "staff_sso": StaffSsoBody::new(row, domains, &origin) })), row.version)
}

pub async fn get<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let (row, domains) = rules::get(call.rt, tenant).await?.ok_or(AppError::NotFound)?;
    Ok(shown(call, &row, &domains))
}

pub async fn put<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let pre = Precondition::of(call.req)?;
    let tenant = call.tenant(Reach::Everything).await?;
    let input: StaffSsoInput = call.json()?;
    answer(
        rules::put(call.rt, (tenant, &acting(call)), &input, &pre)
            .await
            .map(|(row, domains)| shown(call, &row, &domains)),
    )
}

pub async fn delete<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let pre = Precondition::of(call.req)?;
    let tenant = call.tenant(Reach::Everything).await?;
    answer(rules::delete(call.rt, (tenant, &acting(call)), &pre).await.map(|()| no_content()))
}

/// `POST .../staff-sso/domains/{domain}/verify`: the TXT record checked now; 409 saying why
/// while it is not found.
pub async fn verify_domain<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let domain = call.id("domain", |raw| Some(raw.to_ascii_lowercase()))?;
    if let Some(why) = rules::verify_domain(call.rt, (tenant, &acting(call)), &domain).await? {
        return Err(AppError::Conflict(format!("the TXT record is not there yet: {why}")));
    }
    let (row, domains) = rules::get(call.rt, tenant).await?.ok_or(AppError::NotFound)?;
    Ok(shown(call, &row, &domains))
}
