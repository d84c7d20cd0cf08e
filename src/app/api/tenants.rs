//! Tenants and their API keys. Creating tenants is the operator's; a tenant key sees its
//! own tenant and its children.

use serde::Deserialize;
use serde_json::json;

use super::auth::{generate_key, Principal, Reach};
use super::input::Fields;
use super::{created, no_content, ok, Call};
use crate::domain::ids::{ApiKeyId, TenantId};
use crate::domain::text::{Label, Slug};
use crate::error::AppError;
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::{keys, tenants};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantInput {
    slug: Option<String>,
    name: Option<String>,
    parent_id: Option<String>,
}

pub async fn list<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let rows = match &call.principal {
        Principal::Platform => tenants::list_all(call.rt.db()).await?,
        Principal::Key { tenant, .. } => tenants::list_family(call.rt.db(), *tenant).await?,
    };
    Ok(ok(&json!({ "tenants": rows.iter().map(tenants::TenantRow::to_json).collect::<Vec<_>>() })))
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
    fields.finish()?;
    let (Some(slug), Some(name)) = (slug, name) else {
        return Err(AppError::Internal("tenant fields".into()));
    };
    let id = TenantId::from_random(call.rt.random_16()?);
    let new = tenants::NewTenant { id, slug, name, parent };
    tenants::create(call.rt.db(), &new, &call.actor(), call.rt.now()).await?;
    let row = tenants::get(call.rt.db(), id).await?.ok_or(AppError::NotFound)?;
    Ok(created(&json!({ "tenant": row.to_json() })))
}

pub async fn get<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let row = tenants::get(call.rt.db(), tenant).await?.ok_or(AppError::NotFound)?;
    Ok(ok(&json!({ "tenant": row.to_json() })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantPatch {
    name: Option<String>,
}

pub async fn update<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let input: TenantPatch = call.json()?;
    let mut fields = Fields::default();
    let name = fields.require("name", input.name.as_deref(), |n| Label::parse(n, 120));
    fields.finish()?;
    let current = tenants::get(call.rt.db(), tenant).await?.ok_or(AppError::NotFound)?;
    if let Some(name) = name {
        tenants::rename(call.rt.db(), tenant, &current, &name, &call.actor(), call.rt.now()).await?;
    }
    let row = tenants::get(call.rt.db(), tenant).await?.ok_or(AppError::NotFound)?;
    Ok(ok(&json!({ "tenant": row.to_json() })))
}

pub async fn list_keys<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let rows = keys::list(call.rt.db(), tenant).await?;
    Ok(ok(&json!({ "keys": rows.iter().map(keys::KeyRow::to_json).collect::<Vec<_>>() })))
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
    let mut fields = Fields::default();
    let name = fields.require("name", input.name.as_deref(), |n| Label::parse(n, 80));
    fields.finish()?;
    let Some(name) = name else {
        return Err(AppError::Internal("key fields".into()));
    };
    let id = ApiKeyId::from_random(call.rt.random_16()?);
    let generated = generate_key(call.rt)?;
    let new = keys::NewKey { id, name: &name, prefix: &generated.prefix, secret_hash: &generated.hash };
    keys::create(call.rt.db(), tenant, &new, &call.actor(), call.rt.now()).await?;
    let row = keys::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    Ok(created(&json!({ "key": row.to_json(), "secret": generated.secret })))
}

pub async fn revoke_key<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let key = call.id("key_id", ApiKeyId::parse)?;
    let row = keys::get(call.rt.db(), tenant, key).await?.ok_or(AppError::NotFound)?;
    if row.revoked_at.is_none() {
        keys::revoke(call.rt.db(), tenant, &row, &call.actor(), call.rt.now()).await?;
    }
    Ok(no_content())
}
