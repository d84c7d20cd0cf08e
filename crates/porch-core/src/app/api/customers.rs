//! Customers of a tenant and their business units.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::Reach;
use super::input::Fields;
use super::versions::{self, tagged, Precondition};
use super::{created, no_content, ok, Call};
use crate::app::customers as rules;
use crate::app::portal_settings::refresh_portal_hosts;
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::customers::{CustomerRow, UnitRow};
use crate::store::documents::Owner;
use crate::store::{customers, portals};
use porch_types::error::AppError;
use porch_types::ids::{BusinessUnitId, CustomerId};
use porch_types::search::NameSearch;
use porch_types::text::Label;
use porch_types::time::Timestamp;

/// A customer as the API shows it (`Customer` in openapi.json); its business units only when
/// it is asked for alone.
#[derive(Serialize)]
struct CustomerBody<'a> {
    id: &'a str,
    name: &'a str,
    created_at: Timestamp,
    updated_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    business_units: Option<Vec<UnitBody<'a>>>,
}

impl<'a> CustomerBody<'a> {
    fn new(row: &'a CustomerRow, units: Option<&'a [UnitRow]>) -> Self {
        CustomerBody {
            id: &row.id,
            name: &row.name,
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
            business_units: units.map(|units| units.iter().map(UnitBody::from).collect()),
        }
    }
}

/// A business unit as the API shows it (`BusinessUnit` in openapi.json).
#[derive(Serialize)]
struct UnitBody<'a> {
    id: &'a str,
    customer_id: &'a str,
    name: &'a str,
    created_at: Timestamp,
}

impl<'a> From<&'a UnitRow> for UnitBody<'a> {
    fn from(row: &'a UnitRow) -> Self {
        UnitBody {
            id: &row.id,
            customer_id: &row.customer_id,
            name: &row.name,
            created_at: Timestamp::from_millis(row.created_at),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NameInput {
    name: Option<String>,
}

fn parse_name<R: Runtime>(call: &Call<'_, R>) -> Result<Label, AppError> {
    let input: NameInput = call.json()?;
    let mut fields = Fields::default();
    let name = fields.require("name", input.name.as_deref(), rules::parse_name);
    fields.finish()?;
    name.ok_or_else(|| AppError::Internal("name field".into()))
}

pub async fn list<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let mut fields = Fields::default();
    let search = call.req.query_param("q").and_then(|raw| fields.check("q", NameSearch::parse(&raw))).flatten();
    fields.finish()?;
    let rows = customers::list(call.rt.db(), tenant, search.as_ref()).await?;
    let customers: Vec<_> = rows.iter().map(|row| CustomerBody::new(row, None)).collect();
    Ok(ok(&json!({ "customers": customers })))
}

pub async fn create<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let name = parse_name(call)?;
    let row = rules::create(call.rt, tenant, &call.actor(), &name).await?;
    Ok(created(&json!({ "customer": CustomerBody::new(&row, None) })))
}

pub async fn get<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("customer_id", CustomerId::parse)?;
    let row = customers::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    let units = customers::list_units(call.rt.db(), tenant, id).await?;
    Ok(tagged(ok(&json!({ "customer": CustomerBody::new(&row, Some(&units)) })), row.version))
}

pub async fn update<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("customer_id", CustomerId::parse)?;
    let pre = Precondition::of(call.req)?;
    let name = parse_name(call)?;
    versions::write(async || {
        let current = customers::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        if !customers::rename(call.rt.db(), tenant, &current, &name, &call.actor(), call.rt.now()).await? {
            return Ok(None);
        }
        // One-customer portals show the customer's name: refresh their cached pages.
        for portal in portals::list(call.rt.db(), tenant).await? {
            if portal.customer_id.as_deref() == Some(current.id.as_str()) {
                refresh_portal_hosts(call.rt, tenant, &portal, None).await?;
            }
        }
        let row = customers::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        Ok(Some(tagged(ok(&json!({ "customer": CustomerBody::new(&row, None) })), row.version)))
    })
    .await
}

pub async fn delete<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("customer_id", CustomerId::parse)?;
    let pre = Precondition::of(call.req)?;
    versions::write(async || {
        let current = customers::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        super::documents::refuse_if_owning(call, tenant, Owner::Customer(id)).await?;
        let deleted =
            customers::delete(call.rt.db(), tenant, &current, &call.actor(), call.rt.now()).await.map_err(|err| {
                match AppError::from(err) {
                    AppError::Conflict(_) => AppError::Conflict(
                        "the customer still has a portal, portal users, tickets or assets; delete or move them first"
                            .into(),
                    ),
                    other => other,
                }
            })?;
        Ok(deleted.then(no_content))
    })
    .await
}

pub async fn list_units<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let customer = call.id("customer_id", CustomerId::parse)?;
    customers::get(call.rt.db(), tenant, customer).await?.ok_or(AppError::NotFound)?;
    let rows = customers::list_units(call.rt.db(), tenant, customer).await?;
    Ok(ok(&json!({ "business_units": rows.iter().map(UnitBody::from).collect::<Vec<_>>() })))
}

pub async fn create_unit<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let customer = call.id("customer_id", CustomerId::parse)?;
    customers::get(call.rt.db(), tenant, customer).await?.ok_or(AppError::NotFound)?;
    let name = parse_name(call)?;
    let row = rules::create_unit(call.rt, tenant, &call.actor(), customer, &name).await?;
    Ok(created(&json!({ "business_unit": UnitBody::from(&row) })))
}

pub async fn delete_unit<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let customer = call.id("customer_id", CustomerId::parse)?;
    let unit = call.id("unit_id", BusinessUnitId::parse)?;
    let row = customers::get_unit(call.rt.db(), tenant, customer, unit).await?.ok_or(AppError::NotFound)?;
    customers::delete_unit(call.rt.db(), tenant, &row, &call.actor(), call.rt.now()).await?;
    Ok(no_content())
}
