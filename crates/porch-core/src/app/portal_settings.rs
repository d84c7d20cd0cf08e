//! A portal's settings, the rules written once for the admin API (`createPortal`,
//! `updatePortal`) and the console's portal pages: the body (`PortalInput`: absent keeps a
//! value, null clears it) checked against the tenant's plan, templates, themes and customers
//! into `PortalSettings`, the write guarded by the portal's version (and, for a portal that
//! follows a template, by the template's), and the hosts' cached entries rewritten.

use serde::Deserialize;

use crate::app::input::{double_option, Fields};
use crate::app::versions::{retry, Precondition};
use crate::i18n::Language;
use crate::runtime::Runtime;
use crate::store::audit::Actor;
use crate::store::portals::{AccessSettings, PortalRow, PortalSettings};
use crate::store::templates::{self, TemplateRow};
use crate::store::tenants::ONE_PORTAL_RULE;
use crate::store::{customers, pipelines, portals, tenants, themes, DbError};
use crate::tenancy;
use porch_types::access::JoinPolicy;
use porch_types::apps::{App, AppSet};
use porch_types::error::AppError;
use porch_types::host::Hostname;
use porch_types::ids::{CustomerId, PortalId, TemplateId, TenantId, ThemeId};
use porch_types::nav_links::{NavLinkInput, NavLinks};
use porch_types::setup::{Navigation, Setup, StartPage};
use porch_types::text::{Label, Slug};
use porch_types::time_zone::{TimeZone, ZoneSetting};

/// A create or PATCH body. `Option<Option<_>>`: absent keeps the value, null clears it.
#[allow(clippy::option_option)]
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalInput {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub page_title: Option<String>,
    pub default_language: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub customer_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub theme_id: Option<Option<String>>,
    pub enabled: Option<bool>,
    pub join_policy: Option<String>,
    pub idle_timeout_minutes: Option<i64>,
    pub session_lifetime_hours: Option<i64>,
    pub terms_text: Option<String>,
    pub consent_text: Option<String>,
    pub apps: Option<Vec<String>>,
    /// Minutes east of UTC, or an IANA name of the built-in table.
    pub time_zone: Option<ZoneSetting>,
    /// A template to follow; null: a custom set-up (unlinks on PATCH).
    #[serde(default, deserialize_with = "double_option")]
    pub template_id: Option<Option<String>>,
    /// "custom" or "template": says which set-up a new portal gets without naming a template.
    pub setup: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub start_page: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub navigation: Option<Option<Vec<String>>>,
    /// The provider's own links after the apps, in order; `[]` removes them.
    pub nav_links: Option<Vec<NavLinkInput>>,
}

impl PortalInput {
    /// Whether the body sets part of the set-up a template decides for its portals.
    fn sets_setup(&self) -> bool {
        self.apps.is_some()
            || self.theme_id.is_some()
            || self.start_page.is_some()
            || self.navigation.is_some()
            || self.nav_links.is_some()
    }
}

/// Terms and consent texts are shown on the join pages as plain paragraphs.
const MAX_AGREEMENT_TEXT: usize = 20_000;

fn parse_agreement_text(raw: &str) -> Result<String, String> {
    let text = raw.trim();
    if text.chars().count() > MAX_AGREEMENT_TEXT {
        return Err(format!("must be at most {MAX_AGREEMENT_TEXT} characters"));
    }
    porch_types::text::check_prose(text).map_err(|e| e.to_string())?;
    Ok(text.replace("\r\n", "\n"))
}

fn parse_in_range(value: i64, range: std::ops::RangeInclusive<i64>) -> Result<i64, String> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(format!("must be between {} and {}", range.start(), range.end()))
    }
}

/// The access part of the settings: from the body, else the current row, else defaults.
fn access_settings(fields: &mut Fields, input: &PortalInput, current: Option<&PortalRow>) -> Option<AccessSettings> {
    let join_policy = match input.join_policy.as_deref() {
        Some(raw) => fields.check("join_policy", JoinPolicy::parse(raw)),
        None => Some(current.map_or(JoinPolicy::Invitation, |row| row.join_policy)),
    };
    let idle_timeout_minutes = match input.idle_timeout_minutes {
        Some(minutes) => fields.check("idle_timeout_minutes", parse_in_range(minutes, 5..=10_080)),
        None => Some(current.map_or(porch_types::access::DEFAULT_IDLE_TIMEOUT_MINUTES, |row| row.idle_timeout_minutes)),
    };
    let session_lifetime_hours = match input.session_lifetime_hours {
        Some(hours) => fields.check("session_lifetime_hours", parse_in_range(hours, 1..=2_160)),
        None => {
            Some(current.map_or(porch_types::access::DEFAULT_SESSION_LIFETIME_HOURS, |row| row.session_lifetime_hours))
        }
    };
    let terms_text = match input.terms_text.as_deref() {
        Some(raw) => fields.check("terms_text", parse_agreement_text(raw)),
        None => Some(current.map(|row| row.terms_text.clone()).unwrap_or_default()),
    };
    let consent_text = match input.consent_text.as_deref() {
        Some(raw) => fields.check("consent_text", parse_agreement_text(raw)),
        None => Some(current.map(|row| row.consent_text.clone()).unwrap_or_default()),
    };
    Some(AccessSettings {
        join_policy: join_policy?,
        idle_timeout_minutes: idle_timeout_minutes?,
        session_lifetime_hours: session_lifetime_hours?,
        terms_text: terms_text?,
        consent_text: consent_text?,
    })
}

/// What a tenant can put on a portal: the apps of its plan, and whether it has a pipeline
/// for the support form's tickets.
#[derive(Clone, Copy)]
pub struct Offer {
    pub plan: AppSet,
    pub has_pipeline: bool,
}

impl Offer {
    pub async fn of<R: Runtime>(rt: &R, tenant: TenantId) -> Result<Offer, AppError> {
        let plan = tenants::get(rt.db(), tenant).await?.ok_or(AppError::NotFound)?.plan_apps;
        Ok(Offer { plan, has_pipeline: !pipelines::list(rt.db(), tenant).await?.is_empty() })
    }

    /// Apps a portal or template may be given: within the plan, by the portal rules, and the
    /// support form only with a pipeline to file its tickets into (the portal's, else the
    /// tenant's first; every pipeline has an open stage to start them in). Refused here, the
    /// provider hears of it when configuring, not a recipient from a form that cannot be sent.
    pub fn check(self, apps: AppSet) -> Result<(), String> {
        apps.within(self.plan).map_err(|missing| missing.to_string())?;
        apps.check_portal_rules()?;
        if apps.contains(App::SupportForm) && !self.has_pipeline {
            return Err(NO_PIPELINE.into());
        }
        Ok(())
    }

    /// The apps a portal may be given now: the plan's, less the support form while there is
    /// no pipeline for it.
    pub fn offered(self) -> AppSet {
        let form = if self.has_pipeline { AppSet::EMPTY } else { [App::SupportForm].into_iter().collect() };
        self.plan.minus(form)
    }

    /// What a new portal or template offers when the body names no apps: the default of
    /// what is offered.
    pub fn default_apps(self) -> AppSet {
        AppSet::portal_default(self.offered())
    }
}

/// Why the support form is refused without a pipeline.
pub const NO_PIPELINE: &str =
    "support_form needs a pipeline for its tickets: create one (POST /pipelines) first, or leave support_form out";

/// The apps a body asks for, as the tenant's offer allows; absent: the current ones (a change)
/// or the default for a new portal or template. Only features of the tenant's own plan can be
/// shared, and the refusal names the first one that is not.
pub fn apps_setting(
    offer: Offer,
    fields: &mut Fields,
    codes: Option<&[String]>,
    current: Option<AppSet>,
) -> Option<AppSet> {
    let Some(codes) = codes else {
        return Some(current.unwrap_or_else(|| offer.default_apps()));
    };
    let apps = fields.check("apps", AppSet::parse_codes(codes))?;
    fields.check("apps", offer.check(apps).map(|()| apps))
}

/// A set-up's own navigation links from the body, else `current` (none for a new set-up);
/// `None` stands for field errors recorded, each named by its path (`nav_links[0].url`).
pub fn nav_links_setting(
    fields: &mut Fields,
    input: Option<&[NavLinkInput]>,
    current: Option<NavLinks>,
) -> Option<NavLinks> {
    let Some(input) = input else {
        return Some(current.unwrap_or_default());
    };
    NavLinks::parse("nav_links", input)
        .map_err(|errors| {
            for error in errors {
                fields.error(&error.field, &error.message);
            }
        })
        .ok()
}

/// The template a portal will follow, from the body over the current row (PATCH) or the
/// tenant's default (create): `Some(None)` is a custom set-up, `None` a field error recorded.
#[allow(clippy::option_option)]
async fn template_choice<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    fields: &mut Fields,
    input: &PortalInput,
    current: Option<&PortalRow>,
) -> Result<Option<Option<TemplateRow>>, AppError> {
    let db = rt.db();
    let wants_template = match input.setup.as_deref() {
        None => None,
        Some("template") => Some(true),
        Some("custom") => Some(false),
        Some(_) => {
            fields.error("setup", "must be template or custom");
            return Ok(None);
        }
    };
    let named = match (&input.template_id, wants_template) {
        (Some(Some(_)), Some(false)) | (Some(None), Some(true)) => {
            fields.error("setup", "contradicts template_id");
            return Ok(None);
        }
        (Some(Some(raw)), _) => Some(TemplateId::parse(raw)),
        (Some(None), _) | (None, Some(false)) => return Ok(Some(None)),
        (None, _) => current.map(|row| row.template_id.as_deref().and_then(TemplateId::parse)),
    };
    let found = match named {
        Some(Some(id)) => templates::get(db, tenant, id).await?,
        Some(None) if input.template_id.is_some() => None,
        // A PATCH of a custom portal that names no template stays custom, unless it asks
        // for the default with "setup": "template".
        Some(None) if wants_template != Some(true) => return Ok(Some(None)),
        // A new portal without a template follows the tenant's default, if it has one.
        Some(None) | None => match templates::get_default(db, tenant).await? {
            Some(default) => Some(default),
            None if wants_template == Some(true) => {
                fields.error("setup", "this tenant has no default template; name one with template_id");
                return Ok(None);
            }
            None => return Ok(Some(None)),
        },
    };
    if found.is_none() {
        fields.error("template_id", "no such template of this tenant");
        return Ok(None);
    }
    Ok(Some(found))
}

/// The set-up a portal gets from a template, checked against what the tenant has now: a
/// plan or theme may have changed since the template's version was written.
async fn setup_of_template<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    offer: Offer,
    fields: &mut Fields,
    template: &TemplateRow,
) -> Result<Option<(Setup, Option<ThemeId>)>, AppError> {
    let setup = template.setup();
    if let Err(why) = offer.check(setup.apps) {
        fields.error("template_id", &format!("the template's apps: {why}"));
        return Ok(None);
    }
    let theme = match setup.theme_id.as_deref() {
        None => None,
        Some(raw) => match ThemeId::parse(raw) {
            Some(id) if themes::get_usable(rt.db(), tenant, id).await?.is_some() => Some(id),
            _ => {
                fields.error("template_id", "the template's theme no longer exists; change the template first");
                return Ok(None);
            }
        },
    };
    Ok(Some((setup, theme)))
}

/// A custom portal's start page and navigation: from the body, else the current ones as far
/// as they fit the apps (a start page that no longer does must be chosen again).
#[allow(clippy::option_option)]
fn custom_pages(
    fields: &mut Fields,
    input: &PortalInput,
    apps: Option<AppSet>,
    current: Option<&PortalRow>,
) -> Option<(StartPage, Option<Navigation>)> {
    let apps = apps?;
    let start_page = match &input.start_page {
        Some(Some(raw)) => fields.check("start_page", StartPage::parse(raw, apps)),
        Some(None) => Some(StartPage::HOME),
        None => {
            let kept = current.map_or(StartPage::HOME, PortalRow::start_page);
            if kept.fits(apps) {
                Some(kept)
            } else {
                fields.error(
                    "start_page",
                    &format!("{kept} is not among the new apps' pages; choose another start page"),
                );
                None
            }
        }
    };
    let navigation = match &input.navigation {
        Some(Some(codes)) => fields.check("navigation", Navigation::parse(codes, apps)).map(Some),
        Some(None) => Some(None),
        None => Some(current.filter(|row| row.navigation_json.is_some()).map(|row| row.navigation().within(apps))),
    };
    Some((start_page?, navigation?))
}

/// Subdomain labels a portal may not take: they would pass for the platform's own services.
const RESERVED_SLUGS: &[&str] =
    &["www", "api", "admin", "app", "console", "mail", "status", "static", "assets", "cdn", "auth", "login"];

pub fn parse_portal_slug(raw: &str) -> Result<Slug, String> {
    let slug = Slug::parse(raw).map_err(|e| e.to_string())?;
    if RESERVED_SLUGS.contains(&slug.as_str()) {
        return Err(format!("\"{slug}\" is reserved for the platform"));
    }
    Ok(slug)
}

fn parse_language(code: &str) -> Result<Language, &'static str> {
    Language::parse(code).ok_or("must be one of en, da, nb")
}

/// The set-up part of a portal's settings; each `None` stands for a field error recorded.
#[allow(clippy::option_option)] // the template's theme: not the template's / none / this one
struct SetupPart {
    apps: Option<AppSet>,
    /// Some: the theme is the template's (the body's `theme_id` does not count).
    theme_from_template: Option<Option<ThemeId>>,
    pages: Option<(StartPage, Option<Navigation>)>,
    nav_links: Option<NavLinks>,
    template_ref: Option<(TemplateId, i64)>,
}

/// Apps, theme, start page and navigation: copied from the template the portal follows, or
/// the portal's own from the body over `current`.
async fn setup_part<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    fields: &mut Fields,
    input: &PortalInput,
    current: Option<&PortalRow>,
) -> Result<SetupPart, AppError> {
    let offer = Offer::of(rt, tenant).await?;
    let template = template_choice(rt, tenant, fields, input, current).await?;
    if let (Some(Some(template)), true) = (&template, input.sets_setup()) {
        // The template stays the truth for its portals: their set-up changes through it.
        return Err(AppError::Conflict(format!(
            "this portal's apps, theme, start page and navigation come from the template \"{}\"; change the \
             template, or give the portal its own set-up with \"template_id\": null (\"setup\": \"custom\" for a new portal)",
            template.name
        )));
    }
    Ok(match template {
        Some(Some(row)) => match setup_of_template(rt, tenant, offer, fields, &row).await? {
            Some((setup, theme)) => SetupPart {
                apps: Some(setup.apps),
                theme_from_template: Some(theme),
                pages: Some((setup.start_page, Some(setup.navigation))),
                nav_links: Some(setup.nav_links),
                template_ref: TemplateId::parse(&row.id).map(|id| (id, row.current_version)),
            },
            None => {
                SetupPart { apps: None, theme_from_template: None, pages: None, nav_links: None, template_ref: None }
            }
        },
        Some(None) => {
            let apps = apps_setting(offer, fields, input.apps.as_deref(), current.map(|row| row.apps));
            let pages = custom_pages(fields, input, apps, current);
            let nav_links = nav_links_setting(fields, input.nav_links.as_deref(), current.map(PortalRow::nav_links));
            SetupPart { apps, theme_from_template: None, pages, nav_links, template_ref: None }
        }
        None => SetupPart { apps: None, theme_from_template: None, pages: None, nav_links: None, template_ref: None },
    })
}

/// The settings a body asks for, on top of `current` (PATCH) or from scratch (create).
pub async fn settings<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    input: PortalInput,
    current: Option<&PortalRow>,
) -> Result<PortalSettings, AppError> {
    let mut fields = Fields::default();
    let SetupPart { apps, theme_from_template, pages, nav_links, template_ref } =
        setup_part(rt, tenant, &mut fields, &input, current).await?;
    let access = access_settings(&mut fields, &input, current);
    let slug = match (input.slug.as_deref(), current) {
        (Some(raw), _) => fields.check("slug", parse_portal_slug(raw)),
        (None, Some(row)) => Slug::parse(&row.slug).ok(),
        (None, None) => fields.require("slug", None, parse_portal_slug),
    };
    let name = match (input.name.as_deref(), current) {
        (Some(raw), _) => fields.check("name", Label::parse(raw, 120)),
        (None, Some(row)) => Label::parse(&row.name, 120).ok(),
        (None, None) => fields.require("name", None, |n| Label::parse(n, 120)),
    };
    let page_title = match (input.page_title.as_deref(), current) {
        (Some(raw), _) => fields.check("page_title", Label::parse(raw, 200)),
        (None, Some(row)) => Label::parse(&row.page_title, 200).ok(),
        (None, None) => name.clone(),
    };
    let default_language = match input.default_language.as_deref() {
        Some(raw) => fields.check("default_language", parse_language(raw)),
        None => Some(current.map_or(Language::En, |row| row.default_language)),
    };
    let customer = match input.customer_id {
        Some(Some(raw)) => match CustomerId::parse(&raw) {
            Some(id) if customers::get(rt.db(), tenant, id).await?.is_some() => Some(Some(id)),
            _ => {
                fields.error("customer_id", "no such customer of this tenant");
                None
            }
        },
        Some(None) => Some(None),
        None => Some(current.and_then(|row| row.customer_id.as_deref()).and_then(CustomerId::parse)),
    };
    if let Some(customer) = customer {
        one_portal_rule(rt, tenant, &mut fields, customer, current).await?;
    }
    let theme = match theme_from_template.map_or(input.theme_id, |theme| Some(theme.map(ThemeId::to_db))) {
        Some(Some(raw)) => match ThemeId::parse(&raw) {
            // A portal may use its tenant's themes and those of the tenant's parent.
            Some(id) if themes::get_usable(rt.db(), tenant, id).await?.is_some() => Some(Some(id)),
            _ => {
                fields.error("theme_id", "no such theme of this tenant or its parent");
                None
            }
        },
        Some(None) => Some(None),
        None => Some(current.and_then(|row| row.theme_id.as_deref()).and_then(ThemeId::parse)),
    };
    let enabled = input.enabled.unwrap_or_else(|| current.is_none_or(PortalRow::is_enabled));
    let time_zone = match input.time_zone {
        Some(setting) => fields.check("time_zone", TimeZone::try_from(setting)),
        None => Some(current.map_or(TimeZone::UTC, |row| row.time_zone)),
    };
    fields.finish()?;
    match (slug, name, page_title, default_language, customer, theme, access, apps, pages, nav_links, time_zone) {
        (
            Some(slug),
            Some(name),
            Some(page_title),
            Some(default_language),
            Some(customer),
            Some(theme),
            Some(access),
            Some(apps),
            Some((start_page, navigation)),
            Some(nav_links),
            Some(time_zone),
        ) => Ok(PortalSettings {
            slug,
            name,
            page_title,
            default_language,
            customer,
            theme,
            enabled,
            access,
            apps,
            template: template_ref,
            start_page,
            navigation,
            nav_links,
            time_zone,
        }),
        _ => Err(AppError::Internal("portal settings incomplete after validation".into())),
    }
}

/// A tenant that requires one portal per customer (schema 0021) takes no portal for all
/// customers and no second portal of a customer: a field error on `customer_id` (422, the
/// value the caller chose breaks the tenant's own rule, as a theme it may not use does).
async fn one_portal_rule<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    fields: &mut Fields,
    customer: Option<CustomerId>,
    current: Option<&PortalRow>,
) -> Result<(), AppError> {
    let db = rt.db();
    if !tenants::get(db, tenant).await?.is_some_and(|row| row.one_portal_per_customer()) {
        return Ok(());
    }
    let Some(customer) = customer else {
        fields.error("customer_id", "this tenant allows one portal per customer, so not one for all customers");
        return Ok(());
    };
    let others = portals::of_customer(db, tenant, customer).await?;
    if let Some(other) = others.iter().find(|p| current.is_none_or(|c| c.id != p.id)) {
        fields.error(
            "customer_id",
            &format!("this tenant allows one portal per customer, and this customer has the portal {}", other.slug),
        );
    }
    Ok(())
}

/// A unique key refusing a portal write is its slug; a foreign key is something the checks
/// found that went away before the write (a customer, a theme, an app leaving the plan).
pub fn slug_taken(err: DbError) -> AppError {
    match err {
        // A portal of the same customer written meanwhile (schema 0021's trigger).
        DbError::Constraint(detail) if detail.contains(ONE_PORTAL_RULE) => AppError::invalid(
            "customer_id",
            "this tenant allows one portal per customer, and this customer has a portal (or the portal is for all customers)",
        ),
        DbError::Constraint(detail) if detail.contains("UNIQUE") => {
            AppError::Conflict("that slug is taken; portal slugs are unique across the platform".into())
        }
        DbError::Constraint(detail) if detail.contains("FOREIGN KEY") => AppError::Conflict(
            "a customer, theme or plan app this portal names changed meanwhile; read them again and retry".into(),
        ),
        other => other.into(),
    }
}

pub fn template_moved() -> AppError {
    AppError::Conflict("the portal's template changed meanwhile; send the request again".into())
}

/// The portal's custom hostnames, any status.
pub async fn custom_hosts<R: Runtime>(rt: &R, tenant: TenantId, portal: &PortalRow) -> Result<Vec<Hostname>, AppError> {
    Ok(portals::hostnames(rt.db(), tenant, &portal.id).await?.iter().filter_map(|h| Hostname::parse(h).ok()).collect())
}

/// Rewrites the cache entries of every host of a portal (and of its old slug after a rename).
pub async fn refresh_portal_hosts<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    portal: &PortalRow,
    old_slug: Option<&str>,
) -> Result<(), AppError> {
    let mut hosts = custom_hosts(rt, tenant, portal).await?;
    hosts.extend(tenancy::platform_host(rt, &portal.slug));
    if let Some(old) = old_slug.filter(|old| *old != portal.slug) {
        hosts.extend(tenancy::platform_host(rt, old));
    }
    tenancy::refresh_hosts(rt, &hosts).await
}

/// Makes a portal from `input` (what a new portal leaves out takes its default).
pub async fn create<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    actor: &Actor,
    input: PortalInput,
) -> Result<PortalRow, AppError> {
    let settings = settings(rt, tenant, input, None).await?;
    let id = PortalId::from_random(rt.random_16()?);
    let wrote = portals::create(rt.db(), tenant, id, &settings, actor, rt.now()).await.map_err(slug_taken)?;
    if !wrote {
        return Err(template_moved());
    }
    let row = portals::get(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    refresh_portal_hosts(rt, tenant, &row, None).await?;
    Ok(row)
}

/// Changes the fields `input` names of the portal `id`, over the version `pre` allows
/// (another write between the read and this one is computed again, or refused with 412 when
/// `pre` names a version). The portal as written.
pub async fn update<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    actor: &Actor,
    id: PortalId,
    input: &PortalInput,
    pre: &Precondition,
) -> Result<PortalRow, AppError> {
    retry(async || {
        let current = portals::get(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        let settings = settings(rt, tenant, input.clone(), Some(&current)).await?;
        // false: the portal changed (or went) since the read, or its template moved on: the
        // next attempt reads both again.
        if !portals::update(rt.db(), tenant, &current, &settings, actor, rt.now()).await.map_err(slug_taken)? {
            return Ok(None);
        }
        let row = portals::get(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        refresh_portal_hosts(rt, tenant, &row, Some(&current.slug)).await?;
        Ok(Some(row))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_portal_may_not_take_a_label_reserved_for_the_platform() {
        assert!(parse_portal_slug("www").is_err());
        assert!(parse_portal_slug("api").is_err());
        assert!(parse_portal_slug("acme").is_ok());
        assert!(parse_portal_slug("Acme").is_err());
    }
}
