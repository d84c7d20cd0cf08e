//! Themes: colours (with a WCAG 2.1 contrast report on every create and update) and logos
//! (PNG checked, SVG sanitised, stored in R2). A parent tenant's themes serve its children.
//! A change that reaches more than the one portal the caller means is first answered with the
//! templates' `confirmation_required` warning (`app::themes::reach` decides).

use serde::Serialize;
use serde_json::json;

use super::auth::Reach;
use super::templates::confirmation_required;
use super::versions::{self, tagged, Precondition};
use super::{created, no_content, ok, Call};
use crate::app::themes::{self as rules, ThemeInput, Updated};
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::themes::{self, LogoSlot, ThemeRow};
use crate::store::{portals, tenants};
use porch_types::color::contrast_report;
use porch_types::error::AppError;
use porch_types::ids::{TenantId, ThemeId};
use porch_types::logo::{Logo, LogoError, LogoFormat};
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

fn theme_with_report(row: &ThemeRow) -> Result<serde_json::Value, AppError> {
    Ok(json!({ "theme": ThemeBody::from(row), "contrast": contrast_report(&row.colors()?) }))
}

async fn theme_in_path<R: Runtime>(call: &Call<'_, R>) -> Result<(TenantId, ThemeRow), AppError> {
    let tenant = call.tenant(Reach::Themes).await?;
    let id = call.id("theme_id", ThemeId::parse)?;
    let row = themes::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    Ok((tenant, row))
}

fn warning(reached: &[portals::PortalRow], confirm_with: &str) -> Response {
    let reach = format!("This change of the theme changes {} portal(s) at once", reached.len());
    confirmation_required(&reach, reached, confirm_with)
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
    let row = rules::create(call.rt, tenant, &call.actor(), &call.json()?).await?;
    Ok(created(&theme_with_report(&row)?))
}

pub async fn get<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (_, row) = theme_in_path(call).await?;
    Ok(tagged(ok(&json!({ "theme": ThemeBody::from(&row) })), row.version))
}

pub async fn update<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let pre = Precondition::of(call.req)?;
    let input: ThemeInput = call.json()?;
    let (tenant, current) = theme_in_path(call).await?;
    let id = ThemeId::parse(&current.id).ok_or(AppError::NotFound)?;
    let updated = rules::update(call.rt, tenant, &call.actor(), id, &input, &pre).await;
    versions::answer(updated.and_then(|updated| match updated {
        Updated::Saved(row) => Ok(tagged(ok(&theme_with_report(&row)?), row.version)),
        Updated::NeedsConfirmation(reached) => Ok(warning(&reached, "\"confirm\": true")),
    }))
}

pub async fn delete<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let pre = Precondition::of(call.req)?;
    let (tenant, current) = theme_in_path(call).await?;
    let id = ThemeId::parse(&current.id).ok_or(AppError::NotFound)?;
    versions::answer(rules::delete(call.rt, tenant, &call.actor(), id, &pre).await.map(|()| no_content()))
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

/// The answer to a logo's change: the theme, or the warning of the portals it would reach.
fn logo_answer(updated: Updated) -> Response {
    match updated {
        Updated::Saved(row) => tagged(ok(&json!({ "theme": ThemeBody::from(row.as_ref()) })), row.version),
        Updated::NeedsConfirmation(reached) => warning(&reached, CONFIRM_QUERY),
    }
}

/// Stores a new logo through `app::themes::set_logo`.
pub async fn put_logo<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let pre = Precondition::of(call.req)?;
    let slot = call.id("slot", LogoSlot::parse)?;
    let format = call
        .req
        .header("content-type")
        .and_then(LogoFormat::from_content_type)
        .ok_or_else(|| AppError::invalid("content-type", "send the logo as image/png or image/svg+xml"))?;
    let bytes = Logo::parse(format, &call.req.body).map_err(logo_error)?.into_bytes();
    let confirmed = confirm_query(call)?;
    let (tenant, current) = theme_in_path(call).await?;
    let id = ThemeId::parse(&current.id).ok_or(AppError::NotFound)?;
    let logo = rules::NewLogo { bytes, format };
    let set = rules::set_logo(call.rt, (tenant, &call.actor()), (id, slot), Some(&logo), (&pre, confirmed)).await;
    versions::answer(set.map(logo_answer))
}

pub async fn delete_logo<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let pre = Precondition::of(call.req)?;
    let slot = call.id("slot", LogoSlot::parse)?;
    let confirmed = confirm_query(call)?;
    let (tenant, current) = theme_in_path(call).await?;
    let id = ThemeId::parse(&current.id).ok_or(AppError::NotFound)?;
    let set = rules::set_logo(call.rt, (tenant, &call.actor()), (id, slot), None, (&pre, confirmed)).await;
    // No body, but the theme's new version: the next write's If-Match.
    versions::answer(set.map(|updated| match updated {
        Updated::Saved(row) => tagged(no_content(), row.version),
        other @ Updated::NeedsConfirmation(_) => logo_answer(other),
    }))
}
