//! Tenants and their API keys. Creating tenants is the operator's; a tenant key sees its
//! own tenant and its children.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::{Principal, Reach};
use super::input::Fields;
use super::versions::{self, tagged, Precondition};
use super::{created, no_content, ok, Call};
use crate::app::api_keys;
use crate::app::tenant_settings::{self, TenantPatch};
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::{keys, tenants};
use porch_types::apps::AppSet;
use porch_types::error::AppError;
use porch_types::ids::{ApiKeyId, TenantId};
use porch_types::text::{Label, Slug};
use porch_types::time::Timestamp;

/// A tenant as the API shows it (`Tenant` in openapi.json).
#[derive(Serialize)]
struct TenantBody<'a> {
    id: &'a str,
    slug: &'a str,
    name: &'a str,
    parent_id: Option<&'a str>,
    plan_apps: AppSet,
    one_portal_per_customer: bool,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl<'a> From<&'a tenants::TenantRow> for TenantBody<'a> {
    fn from(row: &'a tenants::TenantRow) -> Self {
        TenantBody {
            id: &row.id,
            slug: &row.slug,
            name: &row.name,
            parent_id: row.parent_id.as_deref(),
            plan_apps: row.plan_apps,
            one_portal_per_customer: row.one_portal_per_customer(),
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
        }
    }
}

/// A tenant API key as the API shows it, without its secret (`ApiKey` in openapi.json).
#[derive(Serialize)]
struct KeyBody<'a> {
    id: &'a str,
    tenant_id: &'a str,
    name: &'a str,
    prefix: &'a str,
    created_at: Timestamp,
    last_used_at: Option<Timestamp>,
    revoked_at: Option<Timestamp>,
}

impl<'a> From<&'a keys::KeyRow> for KeyBody<'a> {
    fn from(row: &'a keys::KeyRow) -> Self {
        KeyBody {
            id: &row.id,
            tenant_id: &row.tenant_id,
            name: &row.name,
            prefix: &row.prefix,
            created_at: Timestamp::from_millis(row.created_at),
            last_used_at: row.last_used_at.map(Timestamp::from_millis),
            revoked_at: row.revoked_at.map(Timestamp::from_millis),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantInput {
    slug: Option<String>,
    name: Option<String>,
    parent_id: Option<String>,
    plan_apps: Option<Vec<String>>,
}

pub async fn list<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let rows = match &call.principal {
        Principal::Platform => tenants::list_all(call.rt.db()).await?,
        Principal::Key { tenant, .. } => tenants::list_family(call.rt.db(), *tenant).await?,
    };
    Ok(ok(&json!({ "tenants": rows.iter().map(TenantBody::from).collect::<Vec<_>>() })))
}

pub async fn create<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    call.principal.require_platform()?;
    let input: TenantInput = call.json()?;
    let mut fields = Fields::default();
    let slug = fields.require("slug", input.slug.as_deref(), Slug::parse);
    let name = fields.require("name", input.name.as_deref(), |n| Label::parse(n, 120));
    let parent = if let Some(raw) = input.parent_id.as_deref() {
        let found = match TenantId::parse(raw) {
            Some(id) => tenants::get(call.rt.db(), id).await?.map(|row| (id, row)),
            None => None,
        };
        match found {
            // Organisations are one level deep: a parent may not itself have a parent.
            Some((id, parent)) if parent.parent_id.is_none() => Some(id),
            Some(_) => {
                fields.error("parent_id", "that tenant is itself a child; organisations are one level deep");
                None
            }
            None => {
                fields.error("parent_id", "no such tenant");
                None
            }
        }
    } else {
        None
    };
    // A tenant nobody restricted has the whole catalogue, as tenants had before plans.
    let plan = match input.plan_apps.as_deref() {
        Some(codes) => fields.check("plan_apps", AppSet::parse_codes(codes)),
        None => Some(AppSet::all()),
    };
    fields.finish()?;
    let (Some(slug), Some(name), Some(plan)) = (slug, name, plan) else {
        return Err(AppError::Internal("tenant fields".into()));
    };
    let id = TenantId::from_random(call.rt.random_16()?);
    let new = tenants::NewTenant { id, slug, name, parent, plan };
    tenants::create(call.rt.db(), &new, &call.actor(), call.rt.now()).await?;
    let row = tenants::get(call.rt.db(), id).await?.ok_or(AppError::NotFound)?;
    Ok(created(&json!({ "tenant": TenantBody::from(&row) })))
}

pub async fn get<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let row = tenants::get(call.rt.db(), tenant).await?.ok_or(AppError::NotFound)?;
    Ok(tagged(ok(&json!({ "tenant": TenantBody::from(&row) })), row.version))
}

pub async fn update<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let input: TenantPatch = call.json()?;
    let checked = tenant_settings::check(&input, call.principal.require_platform().is_ok())?;
    let pre = Precondition::of(call.req)?;
    let updated = tenant_settings::write(call.rt, (tenant, &call.actor()), &checked, &pre).await;
    versions::answer(updated.map(|row| tagged(ok(&json!({ "tenant": TenantBody::from(&row) })), row.version)))
}

pub async fn list_keys<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let rows = keys::list(call.rt.db(), tenant).await?;
    Ok(ok(&json!({ "keys": rows.iter().map(KeyBody::from).collect::<Vec<_>>() })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyInput {
    name: Option<String>,
}

/// Creates a key and shows its secret this once; only a hash is kept.
pub async fn create_key<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let input: KeyInput = call.json()?;
    let made = api_keys::create(call.rt, tenant, &call.actor(), input.name.as_deref()).await?;
    Ok(created(&json!({ "key": KeyBody::from(&made.key), "secret": made.secret })))
}

pub async fn revoke_key<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let key = call.id("key_id", ApiKeyId::parse)?;
    api_keys::revoke(call.rt, tenant, &call.actor(), key).await?;
    Ok(no_content())
}
