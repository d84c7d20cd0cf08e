//! Templates: a reusable portal set-up (apps, theme, start page, navigation, own links) with its
//! versions. A change of the set-up reaches every linked portal; while any portal is linked
//! the API first answers with a warning naming them, and applies the change only when the
//! caller sends it again with `"confirm": true`. A rollback is such a change too: a new
//! version equal to an older one.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::Reach;
use super::input::{double_option, Fields};
use super::versions::{self, tagged, Precondition};
use super::{created, no_content, ok, Call};
use crate::app::portal_settings::{self as portal_rules, refresh_portal_hosts, Offer};
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::portals::{self, PortalRow};
use crate::store::templates::{self, TemplateFields, TemplateRow, VersionRow};
use crate::store::{themes, DbError};
use porch_types::error::AppError;
use porch_types::ids::{TemplateId, TenantId, ThemeId};
use porch_types::nav_links::NavLinkInput;
use porch_types::setup::{Navigation, Setup, StartPage};
use porch_types::text::Label;
use porch_types::time::Timestamp;

const MAX_DESCRIPTION: usize = 2_000;

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

/// A create or change body; absent fields keep their value on a change.
#[allow(clippy::option_option)]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateInput {
    name: Option<String>,
    description: Option<String>,
    is_default: Option<bool>,
    apps: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    theme_id: Option<Option<String>>,
    start_page: Option<String>,
    navigation: Option<Vec<String>>,
    nav_links: Option<Vec<NavLinkInput>>,
    #[serde(default)]
    confirm: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RollbackInput {
    version: i64,
    #[serde(default)]
    confirm: bool,
}

fn parse_description(raw: &str) -> Result<String, String> {
    let text = raw.trim();
    if text.chars().count() > MAX_DESCRIPTION {
        return Err(format!("must be at most {MAX_DESCRIPTION} characters"));
    }
    porch_types::text::check_prose(text).map_err(|e| e.to_string())?;
    Ok(text.replace("\r\n", "\n"))
}

/// Whether the theme serves this tenant (its own or its parent's): `None` when it does not.
async fn usable_theme<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    raw: &str,
) -> Result<Option<ThemeId>, AppError> {
    Ok(match ThemeId::parse(raw) {
        Some(id) if themes::get_usable(call.rt.db(), tenant, id).await?.is_some() => Some(id),
        _ => None,
    })
}

/// The set-up a body asks for, over `current` (a change) or from scratch (create); apps within
/// the plan, the theme the tenant's or its parent's, pages and navigation among the apps.
async fn parse_setup<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    fields: &mut Fields,
    input: &TemplateInput,
    current: Option<&Setup>,
) -> Result<Option<Setup>, AppError> {
    let offer = Offer::of(call.rt, tenant).await?;
    let apps = portal_rules::apps_setting(offer, fields, input.apps.as_deref(), current.map(|setup| setup.apps));
    let theme_id = match &input.theme_id {
        Some(Some(raw)) => {
            let theme = usable_theme(call, tenant, raw).await?;
            if theme.is_none() {
                fields.error("theme_id", "no such theme of this tenant or its parent");
            }
            theme.map(|id| Some(id.to_db()))
        }
        Some(None) => Some(None),
        // A kept theme may have been deleted since (only while no portal used it).
        None => match current.and_then(|setup| setup.theme_id.as_deref()) {
            Some(raw) if usable_theme(call, tenant, raw).await?.is_none() => {
                fields.error("theme_id", "the template's theme no longer exists; choose another, or null");
                None
            }
            kept => Some(kept.map(str::to_owned)),
        },
    };
    let Some(apps) = apps else { return Ok(None) };
    let start_page = match input.start_page.as_deref() {
        Some(raw) => fields.check("start_page", StartPage::parse(raw, apps)),
        None => match current.map_or(StartPage::HOME, |setup| setup.start_page) {
            kept if kept.fits(apps) => Some(kept),
            kept => {
                fields.error(
                    "start_page",
                    &format!("{kept} is not among the new apps' pages; choose another start page"),
                );
                None
            }
        },
    };
    let navigation = match input.navigation.as_deref() {
        Some(codes) => fields.check("navigation", Navigation::parse(codes, apps)),
        // The current order, without apps that left, then the apps that came (catalogue order).
        None => current.map_or_else(
            || Some(Navigation::of(apps)),
            |setup| {
                let kept = setup.navigation.within(apps);
                let mut codes = kept.codes();
                codes.extend(apps.minus(setup.apps).iter().map(porch_types::apps::App::code));
                Navigation::parse(&codes, apps).ok()
            },
        ),
    };
    let nav_links =
        portal_rules::nav_links_setting(fields, input.nav_links.as_deref(), current.map(|s| s.nav_links.clone()));
    match (theme_id, start_page, navigation, nav_links) {
        (Some(theme_id), Some(start_page), Some(navigation), Some(nav_links)) => {
            Ok(Some(Setup { apps, theme_id, start_page, navigation, nav_links }))
        }
        _ => Ok(None),
    }
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

/// Refreshes the cached context of every portal a change reached (read again after the
/// write, so a portal linked meanwhile is refreshed too).
async fn refresh_linked<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    id: TemplateId,
) -> Result<Vec<PortalRow>, AppError> {
    let linked = portals::linked_to(call.rt.db(), tenant, id).await?;
    let mut first_error = None;
    for portal in &linked {
        if let Err(err) = refresh_portal_hosts(call.rt, tenant, portal, None).await {
            first_error.get_or_insert(err);
        }
    }
    first_error.map_or(Ok(linked), Err)
}

fn name_taken(err: DbError) -> AppError {
    match err {
        DbError::Constraint(detail) if detail.contains("UNIQUE") => {
            AppError::Conflict("this tenant already has a template of that name".into())
        }
        other => other.into(),
    }
}

async fn template_json<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    id: TemplateId,
) -> Result<serde_json::Value, AppError> {
    let row = templates::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    Ok(json!(TemplateBody::from(&row)))
}

pub async fn list<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let rows = templates::list(call.rt.db(), tenant).await?;
    Ok(ok(&json!({ "templates": rows.iter().map(TemplateBody::from).collect::<Vec<_>>() })))
}

pub async fn create<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let input: TemplateInput = call.json()?;
    let mut fields = Fields::default();
    let name = fields.require("name", input.name.as_deref(), |n| Label::parse(n, 120));
    let description = fields.check("description", parse_description(input.description.as_deref().unwrap_or("")));
    let setup = parse_setup(call, tenant, &mut fields, &input, None).await?;
    fields.finish()?;
    let (Some(name), Some(description), Some(setup)) = (name, description, setup) else {
        return Err(AppError::Internal("template fields incomplete after validation".into()));
    };
    let id = TemplateId::from_random(call.rt.random_16()?);
    let template_fields =
        TemplateFields { name: &name, description: &description, is_default: input.is_default.unwrap_or(false) };
    templates::create(call.rt.db(), tenant, id, &template_fields, &setup, &call.actor(), call.rt.now())
        .await
        .map_err(name_taken)?;
    Ok(created(&json!({ "template": template_json(call, tenant, id).await? })))
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

/// Writes a change (a new version when `setup` is given), refreshes the linked portals and
/// answers with the template and the portals it reached; None: the template changed since
/// `current` was read, and nothing was written.
#[allow(clippy::too_many_arguments)]
async fn apply<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    id: TemplateId,
    current: &TemplateRow,
    fields: &TemplateFields<'_>,
    setup: Option<&Setup>,
    action: &'static str,
    linked: &[PortalRow],
) -> Result<Option<Response>, AppError> {
    let ids: Vec<String> = linked.iter().map(|p| p.id.clone()).collect();
    let wrote =
        templates::update(call.rt.db(), tenant, current, fields, setup, action, &ids, &call.actor(), call.rt.now())
            .await
            .map_err(|err| match err {
                DbError::Constraint(detail) if detail.contains("FOREIGN KEY") => AppError::Conflict(
                    "a linked portal cannot take these apps or this theme (the plan or the theme changed meanwhile)"
                        .into(),
                ),
                other => name_taken(other),
            })?;
    if !wrote {
        return Ok(None);
    }
    let reached = if setup.is_some() { refresh_linked(call, tenant, id).await? } else { Vec::new() };
    let row = templates::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    let body = json!({ "template": TemplateBody::from(&row), "affected_portals": portal_refs(&reached) });
    Ok(Some(tagged(ok(&body), row.version)))
}

/// Replaces what the body names, over the template as it is when written (see `versions`).
pub async fn replace<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let pre = Precondition::of(call.req)?;
    let input: TemplateInput = call.json()?;
    versions::write(async || {
        let (tenant, id, current) = template_in_path(call).await?;
        pre.allow(current.version)?;
        replace_over(call, tenant, id, &current, &input).await
    })
    .await
}

async fn replace_over<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    id: TemplateId,
    current: &TemplateRow,
    input: &TemplateInput,
) -> Result<Option<Response>, AppError> {
    let mut fields = Fields::default();
    let name = match input.name.as_deref() {
        Some(raw) => fields.check("name", Label::parse(raw, 120)),
        None => Label::parse(&current.name, 120).ok(),
    };
    let description = match input.description.as_deref() {
        Some(raw) => fields.check("description", parse_description(raw)),
        None => Some(current.description.clone()),
    };
    let before = current.setup();
    let setup = parse_setup(call, tenant, &mut fields, input, Some(&before)).await?;
    fields.finish()?;
    let (Some(name), Some(description), Some(setup)) = (name, description, setup) else {
        return Err(AppError::Internal("template fields incomplete after validation".into()));
    };
    let changes_setup = setup != before;
    let linked = portals::linked_to(call.rt.db(), tenant, id).await?;
    if changes_setup && !linked.is_empty() && !input.confirm {
        return Ok(Some(linked_warning("This change of the template's set-up", &linked)));
    }
    let template_fields = TemplateFields {
        name: &name,
        description: &description,
        is_default: input.is_default.unwrap_or_else(|| current.is_default()),
    };
    let setup = changes_setup.then_some(&setup);
    apply(call, tenant, id, current, &template_fields, setup, "template.update", &linked).await
}

pub async fn rollback<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (tenant, id, current) = template_in_path(call).await?;
    let input: RollbackInput = call.json()?;
    let Some(version) = templates::version(call.rt.db(), tenant, id, input.version).await? else {
        return Err(AppError::invalid("version", "no such version of this template"));
    };
    let setup = version.setup();
    // The tenant may have lost an app or a theme since that version was written.
    let mut fields = Fields::default();
    let offer = Offer::of(call.rt, tenant).await?;
    fields.check("version", offer.check(setup.apps).map_err(|why| format!("that version's apps: {why}")));
    if let Some(raw) = setup.theme_id.as_deref() {
        if usable_theme(call, tenant, raw).await?.is_none() {
            fields.error("version", "that version's theme no longer exists");
        }
    }
    fields.finish()?;
    let linked = portals::linked_to(call.rt.db(), tenant, id).await?;
    if !linked.is_empty() && !input.confirm {
        return Ok(linked_warning(&format!("Rolling back to version {}", version.version), &linked));
    }
    let name = Label::parse(&current.name, 120).map_err(|err| AppError::Internal(err.to_string()))?;
    let template_fields =
        TemplateFields { name: &name, description: &current.description, is_default: current.is_default() };
    apply(call, tenant, id, &current, &template_fields, Some(&setup), "template.rollback", &linked)
        .await?
        .ok_or_else(|| AppError::Conflict("the template changed meanwhile; read it again and retry".into()))
}

pub async fn delete<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let pre = Precondition::of(call.req)?;
    versions::write(async || {
        let (tenant, id, current) = template_in_path(call).await?;
        pre.allow(current.version)?;
        let linked = portals::linked_to(call.rt.db(), tenant, id).await?;
        if !linked.is_empty() {
            let names: Vec<&str> = linked.iter().map(|p| p.slug.as_str()).collect();
            return Err(AppError::Conflict(format!(
                "portals still follow this template: {}; give them another template or their own set-up first",
                names.join(", ")
            )));
        }
        // Not deleted: the template changed, or a portal was linked to it meanwhile; the next
        // attempt reads which.
        let deleted = templates::delete(call.rt.db(), tenant, &current, &call.actor(), call.rt.now()).await?;
        Ok(deleted.then(no_content))
    })
    .await
}
