//! Customers and their business units, made by the rules written once for the admin API
//! (`createCustomer`, `createUnit`) and the console's customer pages: the name's rule, the
//! audited write, the row as written.

use crate::runtime::Runtime;
use crate::store::audit::Actor;
use crate::store::customers::{self, CustomerRow, UnitRow};
use porch_types::error::AppError;
use porch_types::ids::{BusinessUnitId, CustomerId, TenantId};
use porch_types::text::Label;

/// The longest name of a customer or a business unit, in characters.
pub const NAME_CHARS: usize = 120;

/// A customer's or business unit's name as typed, or what is wrong with it.
pub fn parse_name(raw: &str) -> Result<Label, String> {
    Label::parse(raw, NAME_CHARS).map_err(|err| err.to_string())
}

pub async fn create<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    actor: &Actor,
    name: &Label,
) -> Result<CustomerRow, AppError> {
    let id = CustomerId::from_random(rt.random_16()?);
    customers::create(rt.db(), tenant, id, name, actor, rt.now()).await?;
    customers::get(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)
}

/// A business unit of the tenant's customer `customer` (404 when it has no such customer).
pub async fn create_unit<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    actor: &Actor,
    customer: CustomerId,
    name: &Label,
) -> Result<UnitRow, AppError> {
    customers::get(rt.db(), tenant, customer).await?.ok_or(AppError::NotFound)?;
    let id = BusinessUnitId::from_random(rt.random_16()?);
    customers::create_unit(rt.db(), tenant, customer, id, name, actor, rt.now()).await?;
    customers::get_unit(rt.db(), tenant, customer, id).await?.ok_or(AppError::NotFound)
}
