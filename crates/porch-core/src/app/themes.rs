//! A theme's name and colours, the rules written once for the admin API (`createTheme`,
//! `updateTheme`, and the logo routes' reach check) and the console's Themes tab: the body
//! checked field by field, the write guarded by the theme's version, the warning before a
//! change reaches more than the one portal meant, and the hosts' cached entries rewritten.

use serde::Deserialize;

use crate::app::input::Fields;
use crate::app::versions::{retry, Precondition};
use crate::runtime::{Blob, BlobStore as _, Runtime};
use crate::store::audit::Actor;
use crate::store::portals::{self, PortalRow};
use crate::store::themes::{self, LogoSlot, ThemeRow};
use crate::tenancy;
use porch_types::color::{HexColor, ThemeColors};
use porch_types::error::AppError;
use porch_types::host::Hostname;
use porch_types::ids::{TenantId, ThemeId};
use porch_types::logo::LogoFormat;
use porch_types::text::Label;

/// The colours of a body; absent keeps the current one (a PATCH).
#[derive(Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ColorsInput {
    pub primary: Option<String>,
    pub menu: Option<String>,
    pub notification: Option<String>,
    pub background: Option<String>,
    pub text: Option<String>,
}

/// A create or PATCH body.
#[derive(Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ThemeInput {
    pub name: Option<String>,
    pub colors: Option<ColorsInput>,
    /// Apply a change that reaches more than the one portal meant (see `reach`).
    #[serde(default)]
    pub confirm: bool,
}

/// Name and colours from a body, over `current` for a PATCH; every bad field reported at once.
pub fn parse_theme(input: &ThemeInput, current: Option<(&str, ThemeColors)>) -> Result<(Label, ThemeColors), AppError> {
    let mut fields = Fields::default();
    let name = match (input.name.as_deref(), current) {
        (Some(raw), _) => fields.check("name", Label::parse(raw, 80)),
        (None, Some((name, _))) => Label::parse(name, 80).ok(),
        (None, None) => fields.require("name", None, |n| Label::parse(n, 80)),
    };
    let colors = input.colors.clone().unwrap_or_default();
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

/// The portals a change of the theme reaches, when that is more than the one portal the
/// caller means and so asks for confirmation: when the theme shows on two portals or more, on
/// a child tenant's portal (a parent's theme), or on a portal following a template (the theme
/// is part of the template's set-up, whose changes warn for any linked portal). None: a theme
/// on no portal, or on one portal of its own tenant with a custom set-up, changes at once.
pub async fn reach<R: Runtime>(rt: &R, owner: TenantId, theme: &ThemeRow) -> Result<Option<Vec<PortalRow>>, AppError> {
    let id = ThemeId::parse(&theme.id).ok_or(AppError::NotFound)?;
    let reached = portals::showing_theme(rt.db(), owner, id).await?;
    let only_its_own = |p: &PortalRow| p.tenant_id == owner.to_db() && p.template_id.is_none();
    Ok((reached.len() > 1 || !reached.iter().all(only_its_own)).then_some(reached))
}

/// Refreshes the cached context of every portal that shows this theme.
pub async fn refresh_theme_hosts<R: Runtime>(rt: &R, owner: TenantId, theme: &ThemeRow) -> Result<(), AppError> {
    let mut hosts = Vec::new();
    for (slug, hostname) in themes::portal_hosts(rt.db(), owner, &theme.id).await? {
        hosts.extend(tenancy::platform_host(rt, &slug));
        hosts.extend(hostname.as_deref().and_then(|h| Hostname::parse(h).ok()));
    }
    hosts.sort();
    hosts.dedup();
    tenancy::refresh_hosts(rt, &hosts).await
}

pub async fn create<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    actor: &Actor,
    input: &ThemeInput,
) -> Result<ThemeRow, AppError> {
    let (name, colors) = parse_theme(input, None)?;
    let id = ThemeId::from_random(rt.random_16()?);
    themes::create(rt.db(), tenant, id, &name, &colors, actor, rt.now()).await?;
    themes::get(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)
}

/// What became of a change.
pub enum Updated {
    Saved(Box<ThemeRow>),
    /// Nothing was changed: it reaches these portals, and the body did not confirm that.
    NeedsConfirmation(Vec<PortalRow>),
}

/// Changes the fields `input` names of the theme `id`, over the version `pre` allows (see
/// `versions`).
pub async fn update<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    actor: &Actor,
    id: ThemeId,
    input: &ThemeInput,
    pre: &Precondition,
) -> Result<Updated, AppError> {
    retry(async || {
        let current = themes::get(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        let (name, colors) = parse_theme(input, Some((&current.name, current.colors()?)))?;
        if !input.confirm {
            if let Some(reached) = reach(rt, tenant, &current).await? {
                return Ok(Some(Updated::NeedsConfirmation(reached)));
            }
        }
        if !themes::update(rt.db(), tenant, &current, &name, &colors, actor, rt.now()).await? {
            return Ok(None);
        }
        let row = themes::get(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        refresh_theme_hosts(rt, tenant, &row).await?;
        Ok(Some(Updated::Saved(Box::new(row))))
    })
    .await
}

/// Deletes the theme `id` over the version `pre` allows, and its logos after; refused while a
/// portal or template uses it.
pub async fn delete<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    actor: &Actor,
    id: ThemeId,
    pre: &Precondition,
) -> Result<(), AppError> {
    retry(async || {
        let current = themes::get(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        let deleted = themes::delete(rt.db(), tenant, &current, actor, rt.now()).await.map_err(|err| {
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
                delete_blob(rt, key).await;
            }
        }
        Ok(Some(()))
    })
    .await
}

/// Removes an object no row points at any more; a failure is logged, not the caller's.
pub async fn delete_blob<R: Runtime>(rt: &R, key: &str) {
    if let Err(err) = rt.blobs().delete(key).await {
        rt.log(&format!("could not delete blob {key}: {err}"));
    }
}

/// A logo to store: checked bytes and their format.
pub struct NewLogo {
    pub bytes: Vec<u8>,
    pub format: LogoFormat,
}

/// Sets the logo in `slot` of the theme `id` (None removes it) over the version `pre`
/// allows, unless the change reaches more than the one portal meant and is not `confirmed`.
/// A new object goes to R2 first and the theme points at it after, so a failure half-way
/// leaves the old logo in place; the old object is removed last. The theme's version moves
/// on, as with any change of it.
pub async fn set_logo<R: Runtime>(
    rt: &R,
    (tenant, actor): (TenantId, &Actor),
    (id, slot): (ThemeId, LogoSlot),
    logo: Option<&NewLogo>,
    (pre, confirmed): (&Precondition, bool),
) -> Result<Updated, AppError> {
    retry(async || {
        let current = themes::get(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        let old = current.logo(slot).map(|(key, _)| key.to_owned());
        if logo.is_none() && old.is_none() {
            return Err(AppError::NotFound);
        }
        if !confirmed {
            if let Some(reached) = reach(rt, tenant, &current).await? {
                return Ok(Some(Updated::NeedsConfirmation(reached)));
            }
        }
        let stored = match logo {
            Some(logo) => {
                let suffix = porch_types::to_hex(rt.random_16()?.get(..8).unwrap_or_default());
                let key = format!("themes/{}/logo-{}-{suffix}.{}", current.id, slot.as_str(), logo.format.extension());
                let blob = Blob { bytes: logo.bytes.clone(), content_type: logo.format.content_type().to_owned() };
                rt.blobs().put(&key, blob).await?;
                Some((key, logo.format))
            }
            None => None,
        };
        let pointed = stored.as_ref().map(|(key, format)| (key.as_str(), *format));
        match themes::set_logo(rt.db(), tenant, &current, slot, pointed, actor, rt.now()).await {
            Ok(true) => {}
            written => {
                // Not pointed at: a stale theme (tried again) or a failed write.
                if let Some((key, _)) = &stored {
                    delete_blob(rt, key).await;
                }
                return written.map(|_| None).map_err(AppError::from);
            }
        }
        if let Some(old) = &old {
            delete_blob(rt, old).await;
        }
        let row = themes::get(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        refresh_theme_hosts(rt, tenant, &row).await?;
        Ok(Some(Updated::Saved(Box::new(row))))
    })
    .await
}
