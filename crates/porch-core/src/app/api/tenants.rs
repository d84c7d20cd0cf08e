//! Tenants and their API keys. Creating tenants is the operator's; a tenant key sees its
//! own tenant and its children.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::{Principal, Reach};
use super::input::Fields;
use super::versions::{self, tagged, Precondition};
use super::{created, no_content, ok, Call};
use crate::app::api_keys;
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::tenants::ONE_PORTAL_RULE;
use crate::store::{keys, tenants, DbError};
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantPatch {
    name: Option<String>,
    plan_apps: Option<Vec<String>>,
    one_portal_per_customer: Option<bool>,
}

pub async fn update<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let input: TenantPatch = call.json()?;
    // The plan is what the operator sold the tenant: its own key may read it, never set it.
    if input.plan_apps.is_some() {
        call.principal.require_platform()?;
    }
    let mut fields = Fields::default();
    let name = match input.name.as_deref() {
        Some(raw) => fields.check("name", Label::parse(raw, 120)),
        None if input.plan_apps.is_some() || input.one_portal_per_customer.is_some() => None,
        None => fields.require("name", None, |n| Label::parse(n, 120)),
    };
    let plan = input.plan_apps.as_deref().and_then(|codes| fields.check("plan_apps", AppSet::parse_codes(codes)));
    fields.finish()?;
    let pre = Precondition::of(call.req)?;
    versions::write(async || {
        let current = tenants::get(call.rt.db(), tenant).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        let plan = plan.filter(|plan| *plan != current.plan_apps);
        if let Some(plan) = plan {
            refuse_stranding(call, tenant, plan).await?;
        }
        let rule = input.one_portal_per_customer.filter(|on| *on != current.one_portal_per_customer());
        if rule == Some(true) {
            refuse_breaches(call, tenant).await?;
        }
        let change = tenants::TenantChange { name: name.as_ref(), plan, one_portal_per_customer: rule };
        if (name.is_some() || plan.is_some() || rule.is_some())
            && !tenants::update(call.rt.db(), &current, change, &call.actor(), call.rt.now()).await.map_err(|err| {
                match err {
                    DbError::Constraint(detail) if detail.contains(ONE_PORTAL_RULE) => AppError::Conflict(
                        "a portal was added meanwhile that breaks one portal per customer; read the portals again"
                            .into(),
                    ),
                    other => other.into(),
                }
            })?
        {
            return Ok(None);
        }
        let row = tenants::get(call.rt.db(), tenant).await?.ok_or(AppError::NotFound)?;
        Ok(Some(tagged(ok(&json!({ "tenant": TenantBody::from(&row) })), row.version)))
    })
    .await
}

/// A plan may shrink only below what no portal offers: the portals are named so the caller
/// knows what to change first. (Dropping the apps from those portals silently would change
/// live portals as a side effect of a billing change; refusing keeps both moves explicit.)
async fn refuse_stranding<R: Runtime>(call: &Call<'_, R>, tenant: TenantId, plan: AppSet) -> Result<(), AppError> {
    let in_use = tenants::apps_in_use_outside(call.rt.db(), tenant, plan).await?;
    if in_use.is_empty() {
        return Ok(());
    }
    let mut by_app: Vec<(String, Vec<String>)> = Vec::new();
    for row in in_use {
        let portal = format!("{} ({})", row.portal_slug, row.portal_name);
        match by_app.last_mut() {
            Some((app, portals)) if *app == row.app => portals.push(portal),
            _ => by_app.push((row.app, vec![portal])),
        }
    }
    let detail = by_app
        .iter()
        .map(|(app, portals)| format!("{app} is offered by {}", portals.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    Err(AppError::Conflict(format!(
        "the plan cannot drop apps that portals offer: {detail}; take them off those portals first"
    )))
}

/// The rule of one portal per customer is turned on only over portals that keep it: the
/// customers with more than one portal, and the portals for all customers, are named so the
/// caller knows what to change first (409, like a plan that would strand portals).
async fn refuse_breaches<R: Runtime>(call: &Call<'_, R>, tenant: TenantId) -> Result<(), AppError> {
    let breaches = tenants::one_portal_breaches(call.rt.db(), tenant).await?;
    if breaches.is_empty() {
        return Ok(());
    }
    let detail = breaches
        .iter()
        .map(|b| match &b.customer {
            Some(customer) => format!("{customer} has the portals {}", b.portals),
            None => format!("{} serve(s) all customers", b.portals),
        })
        .collect::<Vec<_>>()
        .join("; ");
    Err(AppError::Conflict(format!(
        "one portal per customer cannot be required while {detail}; give each customer one portal first"
    )))
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
