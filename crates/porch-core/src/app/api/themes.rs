//! Themes: colours (with a WCAG 2.1 contrast report on every create and update) and logos
//! (PNG checked, SVG sanitised, stored in R2). A parent tenant's themes serve its children.
//! A change that reaches more than the one portal the caller means is first answered with the
//! templates' `confirmation_required` warning (see `reach_warning`).

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::Reach;
use super::input::Fields;
use super::templates::confirmation_required;
use super::versions::{self, tagged, Precondition};
use super::{created, no_content, ok, Call};
use crate::http::Response;
use crate::runtime::{Blob, BlobStore, Runtime};
use crate::store::themes::{self, LogoSlot, ThemeRow};
use crate::store::{portals, tenants};
use crate::tenancy;
use porch_types::color::{contrast_report, HexColor, ThemeColors};
use porch_types::error::AppError;
use porch_types::host::Hostname;
use porch_types::ids::{TenantId, ThemeId};
use porch_types::logo::{Logo, LogoError, LogoFormat};
use porch_types::text::Label;
use porch_types::time::Timestamp;

/// A theme as the API shows it (`Theme` in openapi.json).
#[derive(Serialize)]
struct ThemeBody<'a> {
    id: &'a str,
    tenant_id: &'a str,
    name: &'a str,
    colors: ColorsBody<'a>,
    logos: LogosBody<'a>,
    version: i64,
    created_at: Timestamp,
    updated_at: Timestamp,
}

/// The stored colours, as they were accepted (`ThemeColors` in openapi.json).
#[derive(Serialize)]
struct ColorsBody<'a> {
    primary: &'a str,
    menu: &'a str,
    notification: &'a str,
    background: &'a str,
    text: &'a str,
}

/// Each logo slot: its content type, or null when the slot is empty.
#[derive(Serialize)]
struct LogosBody<'a> {
    small: Option<LogoBody<'a>>,
    large: Option<LogoBody<'a>>,
}

/// A logo slot's content (`Logo` in openapi.json); the image itself has its own route.
#[derive(Serialize)]
struct LogoBody<'a> {
    content_type: &'a str,
}

impl<'a> From<&'a ThemeRow> for ThemeBody<'a> {
    fn from(row: &'a ThemeRow) -> Self {
        let logo = |slot| row.logo(slot).map(|(_, content_type)| LogoBody { content_type });
        ThemeBody {
            id: &row.id,
            tenant_id: &row.tenant_id,
            name: &row.name,
            colors: ColorsBody {
                primary: &row.primary_color,
                menu: &row.menu_color,
                notification: &row.notification_color,
                background: &row.background_color,
                text: &row.text_color,
            },
            logos: LogosBody { small: logo(LogoSlot::Small), large: logo(LogoSlot::Large) },
            version: row.version,
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
        }
    }
}

#[derive(Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ColorsInput {
    primary: Option<String>,
    menu: Option<String>,
    notification: Option<String>,
    background: Option<String>,
    text: Option<String>,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeInput {
    name: Option<String>,
    colors: Option<ColorsInput>,
    #[serde(default)]
    confirm: bool,
}

/// Name and colours from a body, over `current` for a PATCH; every bad field reported at once.
fn parse_theme(input: ThemeInput, current: Option<(&str, ThemeColors)>) -> Result<(Label, ThemeColors), AppError> {
    let mut fields = Fields::default();
    let name = match (input.name.as_deref(), current) {
        (Some(raw), _) => fields.check("name", Label::parse(raw, 80)),
        (None, Some((name, _))) => Label::parse(name, 80).ok(),
        (None, None) => fields.require("name", None, |n| Label::parse(n, 80)),
    };
    let colors = input.colors.unwrap_or_default();
    let mut color = |field: &str, raw: Option<String>, existing: Option<HexColor>| match (raw, existing) {
        (Some(raw), _) => fields.check(field, HexColor::parse(&raw)),
        (None, Some(existing)) => Some(existing),
        (None, None) => fields.require(field, None, HexColor::parse),
    };
    let old = current.map(|(_, c)| c);
    let primary = color("colors.primary", colors.primary, old.map(|c| c.primary));
    let menu = color("colors.menu", colors.menu, old.map(|c| c.menu));
    let notification = color("colors.notification", colors.notification, old.map(|c| c.notification));
    let background = color("colors.background", colors.background, old.map(|c| c.background));
    let text = color("colors.text", colors.text, old.map(|c| c.text));
    fields.finish()?;
    match (name, primary, menu, notification, background, text) {
        (Some(name), Some(primary), Some(menu), Some(notification), Some(background), Some(text)) => {
            Ok((name, ThemeColors { primary, menu, notification, background, text }))
        }
        _ => Err(AppError::Internal("theme fields incomplete after validation".into())),
    }
}

fn theme_with_report(row: &ThemeRow) -> Result<serde_json::Value, AppError> {
    Ok(json!({ "theme": ThemeBody::from(row), "contrast": contrast_report(&row.colors()?) }))
}

async fn theme_in_path<R: Runtime>(call: &Call<'_, R>) -> Result<(TenantId, ThemeRow), AppError> {
    let tenant = call.tenant(Reach::Themes).await?;
    let id = call.id("theme_id", ThemeId::parse)?;
    let row = themes::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    Ok((tenant, row))
}

/// The theme as stored after a change.
async fn reload<R: Runtime>(call: &Call<'_, R>, tenant: TenantId, current: &ThemeRow) -> Result<ThemeRow, AppError> {
    let id = ThemeId::parse(&current.id).ok_or(AppError::NotFound)?;
    themes::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)
}

/// Refreshes the cached context of every portal that shows this theme.
async fn refresh_theme_hosts<R: Runtime>(
    call: &Call<'_, R>,
    owner: TenantId,
    theme: &ThemeRow,
) -> Result<(), AppError> {
    let mut hosts = Vec::new();
    for (slug, hostname) in themes::portal_hosts(call.rt.db(), owner, &theme.id).await? {
        hosts.extend(tenancy::platform_host(call.rt, &slug));
        hosts.extend(hostname.as_deref().and_then(|h| Hostname::parse(h).ok()));
    }
    hosts.sort();
    hosts.dedup();
    tenancy::refresh_hosts(call.rt, &hosts).await
}

/// The 409 `confirmation_required` warning when a change of the theme reaches more than the
/// one portal the caller means, unless `confirmed`: that is when the theme shows on two
/// portals or more, on a child tenant's portal (a parent's theme), or on a portal following a
/// template (the theme is part of the template's set-up, whose changes warn for any linked
/// portal). A theme on no portal, or on one portal of its own tenant with a custom set-up,
/// changes at once. `confirm_with` tells how to confirm.
async fn reach_warning<R: Runtime>(
    call: &Call<'_, R>,
    owner: TenantId,
    theme: &ThemeRow,
    confirmed: bool,
    confirm_with: &str,
) -> Result<Option<Response>, AppError> {
    if confirmed {
        return Ok(None);
    }
    let id = ThemeId::parse(&theme.id).ok_or(AppError::NotFound)?;
    let reached = portals::showing_theme(call.rt.db(), owner, id).await?;
    let only_its_own = |p: &portals::PortalRow| p.tenant_id == owner.to_db() && p.template_id.is_none();
    if reached.len() <= 1 && reached.iter().all(only_its_own) {
        return Ok(None);
    }
    let reach = format!("This change of the theme changes {} portal(s) at once", reached.len());
    Ok(Some(confirmation_required(&reach, &reached, confirm_with)))
}

/// `?confirm=true` on the logo routes, which have no JSON body to carry `"confirm": true`.
fn confirm_query(call: &Call<'_, impl Runtime>) -> Result<bool, AppError> {
    match call.req.query_param("confirm").as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(AppError::invalid("confirm", "must be true or false")),
    }
}

const CONFIRM_QUERY: &str = "?confirm=true";

/// The tenant's own themes and, marked inherited, its parent's.
pub async fn list<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Themes).await?;
    let mut listed: Vec<serde_json::Value> = Vec::new();
    for row in themes::list(call.rt.db(), tenant).await? {
        listed.push(json!({ "inherited": false, "theme": ThemeBody::from(&row) }));
    }
    let parent = tenants::get(call.rt.db(), tenant).await?.and_then(|t| t.parent_id).and_then(|p| TenantId::parse(&p));
    if let Some(parent) = parent {
        for row in themes::list(call.rt.db(), parent).await? {
            listed.push(json!({ "inherited": true, "theme": ThemeBody::from(&row) }));
        }
    }
    Ok(ok(&json!({ "themes": listed })))
}

pub async fn create<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Themes).await?;
    let (name, colors) = parse_theme(call.json()?, None)?;
    let id = ThemeId::from_random(call.rt.random_16()?);
    themes::create(call.rt.db(), tenant, id, &name, &colors, &call.actor(), call.rt.now()).await?;
    let row = themes::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    Ok(created(&theme_with_report(&row)?))
}

pub async fn get<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (_, row) = theme_in_path(call).await?;
    Ok(tagged(ok(&json!({ "theme": ThemeBody::from(&row) })), row.version))
}

pub async fn update<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let pre = Precondition::of(call.req)?;
    let input: ThemeInput = call.json()?;
    versions::write(async || {
        let (tenant, current) = theme_in_path(call).await?;
        pre.allow(current.version)?;
        let (name, colors) = parse_theme(input.clone(), Some((&current.name, current.colors()?)))?;
        if let Some(warning) = reach_warning(call, tenant, &current, input.confirm, "\"confirm\": true").await? {
            return Ok(Some(warning));
        }
        if !themes::update(call.rt.db(), tenant, &current, &name, &colors, &call.actor(), call.rt.now()).await? {
            return Ok(None);
        }
        let row = reload(call, tenant, &current).await?;
        refresh_theme_hosts(call, tenant, &row).await?;
        Ok(Some(tagged(ok(&theme_with_report(&row)?), row.version)))
    })
    .await
}

pub async fn delete<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let pre = Precondition::of(call.req)?;
    versions::write(async || {
        let (tenant, current) = theme_in_path(call).await?;
        pre.allow(current.version)?;
        let deleted =
            themes::delete(call.rt.db(), tenant, &current, &call.actor(), call.rt.now()).await.map_err(|err| {
                match AppError::from(err) {
                    AppError::Conflict(_) => {
                        AppError::Conflict("the theme is used by a portal; give the portal another theme first".into())
                    }
                    other => other,
                }
            })?;
        if !deleted {
            return Ok(None);
        }
        for slot in [LogoSlot::Small, LogoSlot::Large] {
            if let Some((key, _)) = current.logo(slot) {
                delete_blob(call, key).await;
            }
        }
        Ok(Some(no_content()))
    })
    .await
}

pub async fn contrast<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (_, row) = theme_in_path(call).await?;
    Ok(ok(&json!({ "contrast": contrast_report(&row.colors()?) })))
}

fn logo_error(err: LogoError) -> AppError {
    match err {
        LogoError::TooLarge { .. } => AppError::TooLarge(err.to_string()),
        other => AppError::invalid("logo", other),
    }
}

async fn delete_blob<R: Runtime>(call: &Call<'_, R>, key: &str) {
    if let Err(err) = call.rt.blobs().delete(key).await {
        call.rt.log(&format!("could not delete blob {key}: {err}"));
    }
}

/// Stores a new logo: the object goes to R2 first and the theme points at it after, so a
/// failure half-way leaves the old logo in place; the old object is removed last. The theme's
/// version moves on, as with any change of it.
pub async fn put_logo<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let pre = Precondition::of(call.req)?;
    let slot = call.id("slot", LogoSlot::parse)?;
    let format = call
        .req
        .header("content-type")
        .and_then(LogoFormat::from_content_type)
        .ok_or_else(|| AppError::invalid("content-type", "send the logo as image/png or image/svg+xml"))?;
    let logo = Logo::parse(format, &call.req.body).map_err(logo_error)?.into_bytes();
    let confirmed = confirm_query(call)?;
    versions::write(async || {
        let (tenant, current) = theme_in_path(call).await?;
        pre.allow(current.version)?;
        if let Some(warning) = reach_warning(call, tenant, &current, confirmed, CONFIRM_QUERY).await? {
            return Ok(Some(warning));
        }
        let suffix = porch_types::to_hex(call.rt.random_16()?.get(..8).unwrap_or_default());
        let key = format!("themes/{}/logo-{}-{suffix}.{}", current.id, slot.as_str(), format.extension());
        call.rt.blobs().put(&key, Blob { bytes: logo.clone(), content_type: format.content_type().to_owned() }).await?;
        let db = call.rt.db();
        match themes::set_logo(db, tenant, &current, slot, Some((&key, format)), &call.actor(), call.rt.now()).await {
            Ok(true) => {}
            written => {
                // Not pointed at: a stale theme (tried again) or a failed write.
                delete_blob(call, &key).await;
                return written.map(|_| None).map_err(AppError::from);
            }
        }
        if let Some((old_key, _)) = current.logo(slot) {
            delete_blob(call, old_key).await;
        }
        let row = reload(call, tenant, &current).await?;
        refresh_theme_hosts(call, tenant, &row).await?;
        Ok(Some(tagged(ok(&json!({ "theme": ThemeBody::from(&row) })), row.version)))
    })
    .await
}

pub async fn delete_logo<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let pre = Precondition::of(call.req)?;
    let slot = call.id("slot", LogoSlot::parse)?;
    let confirmed = confirm_query(call)?;
    versions::write(async || {
        let (tenant, current) = theme_in_path(call).await?;
        pre.allow(current.version)?;
        let Some((old_key, _)) = current.logo(slot) else {
            return Err(AppError::NotFound);
        };
        if let Some(warning) = reach_warning(call, tenant, &current, confirmed, CONFIRM_QUERY).await? {
            return Ok(Some(warning));
        }
        if !themes::set_logo(call.rt.db(), tenant, &current, slot, None, &call.actor(), call.rt.now()).await? {
            return Ok(None);
        }
        delete_blob(call, old_key).await;
        let row = reload(call, tenant, &current).await?;
        refresh_theme_hosts(call, tenant, &row).await?;
        // No body, but the theme's new version: the next write's If-Match.
        Ok(Some(tagged(no_content(), row.version)))
    })
    .await
}
