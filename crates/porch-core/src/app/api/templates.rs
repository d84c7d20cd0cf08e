//! Templates: a reusable portal set-up (apps, theme, start page, navigation, own links) with its
//! versions. A change of the set-up reaches every linked portal; while any portal is linked
//! the API first answers with a warning naming them, and applies the change only when the
//! caller sends it again with `"confirm": true`. A rollback is such a change too: a new
//! version equal to an older one.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::Reach;
use super::versions::{self, tagged, Precondition};
use super::{created, no_content, ok, Call};
use crate::app::templates::{self as rules, Changed, TemplateInput};
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::portals::{self, PortalRow};
use crate::store::templates::{self, TemplateRow, VersionRow};
use porch_types::error::AppError;
use porch_types::ids::{TemplateId, TenantId};
use porch_types::setup::Setup;
use porch_types::time::Timestamp;

/// A template as the API shows it (`Template` in openapi.json), with its current set-up.
#[derive(Serialize)]
struct TemplateBody<'a> {
    id: &'a str,
    tenant_id: &'a str,
    name: &'a str,
    description: &'a str,
    is_default: bool,
    /// The current version.
    version: i64,
    #[serde(flatten)]
    setup: Setup,
    linked_portals: i64,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl<'a> From<&'a TemplateRow> for TemplateBody<'a> {
    fn from(row: &'a TemplateRow) -> Self {
        TemplateBody {
            id: &row.id,
            tenant_id: &row.tenant_id,
            name: &row.name,
            description: &row.description,
            is_default: row.is_default(),
            version: row.current_version,
            setup: row.setup(),
            linked_portals: row.linked_portals,
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
        }
    }
}

/// One version of a template as the API shows it (`TemplateVersion` in openapi.json).
#[derive(Serialize)]
struct VersionBody<'a> {
    version: i64,
    #[serde(flatten)]
    setup: Setup,
    created_at: Timestamp,
    /// The audit actor that wrote it.
    created_by: &'a str,
}

impl<'a> From<&'a VersionRow> for VersionBody<'a> {
    fn from(row: &'a VersionRow) -> Self {
        VersionBody {
            version: row.version,
            setup: row.setup(),
            created_at: Timestamp::from_millis(row.created_at),
            created_by: &row.created_by,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RollbackInput {
    version: i64,
    #[serde(default)]
    confirm: bool,
}

async fn template_in_path<R: Runtime>(call: &Call<'_, R>) -> Result<(TenantId, TemplateId, TemplateRow), AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("template_id", TemplateId::parse)?;
    let row = templates::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    Ok((tenant, id, row))
}

fn portal_refs(portals: &[PortalRow]) -> serde_json::Value {
    json!(portals.iter().map(|p| json!({ "id": p.id, "slug": p.slug, "name": p.name })).collect::<Vec<_>>())
}

/// 409 naming the portals a change would reach: nothing was changed, and the same request
/// with `confirm_with` (`"confirm": true` in a JSON body) applies it. `reach` says what the
/// change does, e.g. "This change of the template's set-up changes 2 linked portal(s) at once".
/// Template and theme changes answer this one shape.
pub(super) fn confirmation_required(reach: &str, portals: &[PortalRow], confirm_with: &str) -> Response {
    let warning = format!("{reach}; nothing was changed. Send the request again with {confirm_with} to apply it.");
    Response::json(
        409,
        &json!({
            "error": { "code": "confirmation_required", "message": warning, "fields": [] },
            "warning": warning,
            "affected_portals": portal_refs(portals),
        }),
    )
}

fn linked_warning(what: &str, linked: &[PortalRow]) -> Response {
    let reach = format!("{what} changes {} linked portal(s) at once", linked.len());
    confirmation_required(&reach, linked, "\"confirm\": true")
}

pub async fn list<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let rows = templates::list(call.rt.db(), tenant).await?;
    Ok(ok(&json!({ "templates": rows.iter().map(TemplateBody::from).collect::<Vec<_>>() })))
}

pub async fn create<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let row = rules::create(call.rt, tenant, &call.actor(), &call.json()?).await?;
    Ok(created(&json!({ "template": TemplateBody::from(&row) })))
}

pub async fn get<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (tenant, id, row) = template_in_path(call).await?;
    let versions = templates::versions(call.rt.db(), tenant, id).await?;
    let linked = portals::linked_to(call.rt.db(), tenant, id).await?;
    let body = json!({
        "template": TemplateBody::from(&row),
        "versions": versions.iter().map(VersionBody::from).collect::<Vec<_>>(),
        "portals": portal_refs(&linked),
    });
    Ok(tagged(ok(&body), row.version))
}

/// The answer to a change: the template and the portals it reached, or the warning naming
/// the portals it would reach (`what` says what the change is).
fn answer(changed: Changed, what: &str) -> Response {
    match changed {
        Changed::Saved { template, reached } => {
            let body = json!({ "template": TemplateBody::from(&*template), "affected_portals": portal_refs(&reached) });
            tagged(ok(&body), template.version)
        }
        Changed::NeedsConfirmation(linked) => linked_warning(what, &linked),
    }
}

/// Replaces what the body names, over the template as it is when written (see `versions`).
pub async fn replace<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let pre = Precondition::of(call.req)?;
    let input: TemplateInput = call.json()?;
    let (tenant, id, _) = template_in_path(call).await?;
    let changed = rules::replace(call.rt, tenant, &call.actor(), id, &input, &pre).await;
    versions::answer(changed.map(|changed| answer(changed, "This change of the template's set-up")))
}

pub async fn rollback<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (tenant, id, _) = template_in_path(call).await?;
    let input: RollbackInput = call.json()?;
    let changed = rules::rollback(call.rt, tenant, &call.actor(), id, (input.version, input.confirm)).await?;
    Ok(answer(changed, &format!("Rolling back to version {}", input.version)))
}

pub async fn delete<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let pre = Precondition::of(call.req)?;
    let (tenant, id, _) = template_in_path(call).await?;
    versions::answer(rules::delete(call.rt, tenant, &call.actor(), id, &pre).await.map(|()| no_content()))
}
