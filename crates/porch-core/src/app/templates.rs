//! Templates, the rules written once for the admin API (`createTemplate`, `replaceTemplate`,
//! `rollbackTemplate`) and the console's Templates tab: a reusable portal set-up (apps, theme,
//! start page, navigation, own links) with its versions. A change of the set-up reaches every
//! linked portal, so while any portal is linked it is refused until confirmed, naming the
//! portals; a rollback is such a change too: a new version equal to an older one.

use serde::Deserialize;

use crate::app::input::{double_option, Fields};
use crate::app::portal_settings::{self as portal_rules, refresh_portal_hosts, Offer};
use crate::app::versions::{retry, Precondition};
use crate::runtime::Runtime;
use crate::store::audit::Actor;
use crate::store::portals::{self, PortalRow};
use crate::store::templates::{self, TemplateFields, TemplateRow};
use crate::store::{themes, DbError};
use porch_types::error::AppError;
use porch_types::ids::{TemplateId, TenantId, ThemeId};
use porch_types::nav_links::NavLinkInput;
use porch_types::setup::{Navigation, Setup, StartPage};
use porch_types::text::Label;

const MAX_DESCRIPTION: usize = 2_000;

/// A create or change body; absent fields keep their value on a change.
#[allow(clippy::option_option)]
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub is_default: Option<bool>,
    pub apps: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub theme_id: Option<Option<String>>,
    pub start_page: Option<String>,
    pub navigation: Option<Vec<String>>,
    pub nav_links: Option<Vec<NavLinkInput>>,
    /// Apply a change of the set-up although portals follow the template.
    #[serde(default)]
    pub confirm: bool,
}

/// What became of a change.
pub enum Changed {
    /// Written: the template now, and the portals the change reached.
    Saved { template: Box<TemplateRow>, reached: Vec<PortalRow> },
    /// Nothing was written: the change would reach these portals, and was not confirmed.
    NeedsConfirmation(Vec<PortalRow>),
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
async fn usable_theme<R: Runtime>(rt: &R, tenant: TenantId, raw: &str) -> Result<Option<ThemeId>, AppError> {
    Ok(match ThemeId::parse(raw) {
        Some(id) if themes::get_usable(rt.db(), tenant, id).await?.is_some() => Some(id),
        _ => None,
    })
}

/// The set-up a body asks for, over `current` (a change) or from scratch (create); apps within
/// the plan, the theme the tenant's or its parent's, pages and navigation among the apps.
async fn parse_setup<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    fields: &mut Fields,
    input: &TemplateInput,
    current: Option<&Setup>,
) -> Result<Option<Setup>, AppError> {
    let offer = Offer::of(rt, tenant).await?;
    let apps = portal_rules::apps_setting(offer, fields, input.apps.as_deref(), current.map(|setup| setup.apps));
    let theme_id = match &input.theme_id {
        Some(Some(raw)) => {
            let theme = usable_theme(rt, tenant, raw).await?;
            if theme.is_none() {
                fields.error("theme_id", "no such theme of this tenant or its parent");
            }
            theme.map(|id| Some(id.to_db()))
        }
        Some(None) => Some(None),
        // A kept theme may have been deleted since (only while no portal used it).
        None => match current.and_then(|setup| setup.theme_id.as_deref()) {
            Some(raw) if usable_theme(rt, tenant, raw).await?.is_none() => {
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

fn name_taken(err: DbError) -> AppError {
    match err {
        DbError::Constraint(detail) if detail.contains("UNIQUE") => {
            AppError::Conflict("this tenant already has a template of that name".into())
        }
        other => other.into(),
    }
}

pub async fn create<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    actor: &Actor,
    input: &TemplateInput,
) -> Result<TemplateRow, AppError> {
    let mut fields = Fields::default();
    let name = fields.require("name", input.name.as_deref(), |n| Label::parse(n, 120));
    let description = fields.check("description", parse_description(input.description.as_deref().unwrap_or("")));
    let setup = parse_setup(rt, tenant, &mut fields, input, None).await?;
    fields.finish()?;
    let (Some(name), Some(description), Some(setup)) = (name, description, setup) else {
        return Err(AppError::Internal("template fields incomplete after validation".into()));
    };
    let id = TemplateId::from_random(rt.random_16()?);
    let template_fields =
        TemplateFields { name: &name, description: &description, is_default: input.is_default.unwrap_or(false) };
    templates::create(rt.db(), tenant, id, &template_fields, &setup, actor, rt.now()).await.map_err(name_taken)?;
    templates::get(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)
}

/// Refreshes the cached context of every portal a change reached (read again after the
/// write, so a portal linked meanwhile is refreshed too).
async fn refresh_linked<R: Runtime>(rt: &R, tenant: TenantId, id: TemplateId) -> Result<Vec<PortalRow>, AppError> {
    let linked = portals::linked_to(rt.db(), tenant, id).await?;
    let mut first_error = None;
    for portal in &linked {
        if let Err(err) = refresh_portal_hosts(rt, tenant, portal, None).await {
            first_error.get_or_insert(err);
        }
    }
    first_error.map_or(Ok(linked), Err)
}

/// A change about to be written over `current`: its fields, its new set-up (None: the set-up
/// stays), its audit action, and the portals linked when it was checked.
struct Change<'a> {
    fields: TemplateFields<'a>,
    setup: Option<&'a Setup>,
    action: &'static str,
    linked: &'a [PortalRow],
}

/// Writes `change` (a new version when it has a set-up) and refreshes the linked portals;
/// None: the template changed since `current` was read, and nothing was written.
async fn apply<R: Runtime>(
    rt: &R,
    (tenant, id): (TenantId, TemplateId),
    actor: &Actor,
    current: &TemplateRow,
    change: &Change<'_>,
) -> Result<Option<Changed>, AppError> {
    let ids: Vec<String> = change.linked.iter().map(|p| p.id.clone()).collect();
    let wrote =
        templates::update(rt.db(), tenant, current, &change.fields, change.setup, change.action, &ids, actor, rt.now())
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
    let reached = if change.setup.is_some() { refresh_linked(rt, tenant, id).await? } else { Vec::new() };
    let template = templates::get(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    Ok(Some(Changed::Saved { template: Box::new(template), reached }))
}

/// Replaces what `input` names of the template `id`, over the version `pre` allows (see
/// `versions`).
pub async fn replace<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    actor: &Actor,
    id: TemplateId,
    input: &TemplateInput,
    pre: &Precondition,
) -> Result<Changed, AppError> {
    retry(async || {
        let current = templates::get(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
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
        let setup = parse_setup(rt, tenant, &mut fields, input, Some(&before)).await?;
        fields.finish()?;
        let (Some(name), Some(description), Some(setup)) = (name, description, setup) else {
            return Err(AppError::Internal("template fields incomplete after validation".into()));
        };
        let changes_setup = setup != before;
        let linked = portals::linked_to(rt.db(), tenant, id).await?;
        if changes_setup && !linked.is_empty() && !input.confirm {
            return Ok(Some(Changed::NeedsConfirmation(linked)));
        }
        let change = Change {
            fields: TemplateFields {
                name: &name,
                description: &description,
                is_default: input.is_default.unwrap_or_else(|| current.is_default()),
            },
            setup: changes_setup.then_some(&setup),
            action: "template.update",
            linked: &linked,
        };
        apply(rt, (tenant, id), actor, &current, &change).await
    })
    .await
}

/// Makes `version`'s set-up the template's again, as a new version.
pub async fn rollback<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    actor: &Actor,
    id: TemplateId,
    (version, confirm): (i64, bool),
) -> Result<Changed, AppError> {
    let current = templates::get(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    let Some(version) = templates::version(rt.db(), tenant, id, version).await? else {
        return Err(AppError::invalid("version", "no such version of this template"));
    };
    let setup = version.setup();
    // The tenant may have lost an app or a theme since that version was written.
    let mut fields = Fields::default();
    let offer = Offer::of(rt, tenant).await?;
    fields.check("version", offer.check(setup.apps).map_err(|why| format!("that version's apps: {why}")));
    if let Some(raw) = setup.theme_id.as_deref() {
        if usable_theme(rt, tenant, raw).await?.is_none() {
            fields.error("version", "that version's theme no longer exists");
        }
    }
    fields.finish()?;
    let linked = portals::linked_to(rt.db(), tenant, id).await?;
    if !linked.is_empty() && !confirm {
        return Ok(Changed::NeedsConfirmation(linked));
    }
    let name = Label::parse(&current.name, 120).map_err(|err| AppError::Internal(err.to_string()))?;
    let change = Change {
        fields: TemplateFields { name: &name, description: &current.description, is_default: current.is_default() },
        setup: Some(&setup),
        action: "template.rollback",
        linked: &linked,
    };
    apply(rt, (tenant, id), actor, &current, &change)
        .await?
        .ok_or_else(|| AppError::Conflict("the template changed meanwhile; read it again and retry".into()))
}

/// Deletes the template `id` over the version `pre` allows; refused, naming them, while
/// portals follow it.
pub async fn delete<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    actor: &Actor,
    id: TemplateId,
    pre: &Precondition,
) -> Result<(), AppError> {
    retry(async || {
        let current = templates::get(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        let linked = portals::linked_to(rt.db(), tenant, id).await?;
        if !linked.is_empty() {
            let names: Vec<&str> = linked.iter().map(|p| p.slug.as_str()).collect();
            return Err(AppError::Conflict(format!(
                "portals still follow this template: {}; give them another template or their own set-up first",
                names.join(", ")
            )));
        }
        // Not deleted: the template changed, or a portal was linked to it meanwhile; the next
        // attempt reads which.
        Ok(templates::delete(rt.db(), tenant, &current, actor, rt.now()).await?.then_some(()))
    })
    .await
}
