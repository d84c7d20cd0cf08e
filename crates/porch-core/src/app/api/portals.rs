//! Portals: name, page title, language, audience (one customer or all), theme, on/off switch.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::Reach;
use super::domains::DomainBody;
use super::input::{double_option, Fields};
use super::versions::{self, tagged, Precondition};
use super::{created, no_content, ok, Call};
use crate::app::domain_verification as verify;
use crate::http::Response;
use crate::i18n::Language;
use crate::runtime::Runtime;
use crate::store::portals::{AccessSettings, OverviewRow, PortalRow, PortalSettings};
use crate::store::templates::{self, TemplateRow};
use crate::store::tenants::ONE_PORTAL_RULE;
use crate::store::{customers, domains, pipelines, portals, tenants, themes, DbError};
use crate::tenancy;
use porch_types::access::JoinPolicy;
use porch_types::apps::{App, AppSet};
use porch_types::error::AppError;
use porch_types::host::Hostname;
use porch_types::ids::{CustomerId, PortalId, TemplateId, TenantId, ThemeId};
use porch_types::nav_links::{NavLinkInput, NavLinks};
use porch_types::setup::{Navigation, Setup, StartPage};
use porch_types::text::{Label, Slug};
use porch_types::time::Timestamp;
use porch_types::time_zone::{TimeZone, ZoneSetting};

/// A portal as the API shows it, in lists and alone (`Portal` in openapi.json).
#[derive(Serialize)]
struct PortalBody<'a> {
    id: &'a str,
    tenant_id: &'a str,
    slug: &'a str,
    name: &'a str,
    page_title: &'a str,
    default_language: Language,
    customer_id: Option<&'a str>,
    theme_id: Option<&'a str>,
    enabled: bool,
    audience: &'static str,
    join_policy: JoinPolicy,
    idle_timeout_minutes: i64,
    session_lifetime_hours: i64,
    terms_text: &'a str,
    terms_version: i64,
    consent_text: &'a str,
    consent_version: i64,
    time_zone: &'a TimeZone,
    apps: AppSet,
    setup: &'static str,
    template_id: Option<&'a str>,
    start_page: StartPage,
    navigation: Navigation,
    nav_links: NavLinks,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl<'a> From<&'a PortalRow> for PortalBody<'a> {
    fn from(row: &'a PortalRow) -> Self {
        PortalBody {
            id: &row.id,
            tenant_id: &row.tenant_id,
            slug: &row.slug,
            name: &row.name,
            page_title: &row.page_title,
            default_language: row.default_language,
            customer_id: row.customer_id.as_deref(),
            theme_id: row.theme_id.as_deref(),
            enabled: row.is_enabled(),
            audience: if row.customer_id.is_some() { "one_customer" } else { "all_customers" },
            join_policy: row.join_policy,
            idle_timeout_minutes: row.idle_timeout_minutes,
            session_lifetime_hours: row.session_lifetime_hours,
            terms_text: &row.terms_text,
            terms_version: row.terms_version,
            consent_text: &row.consent_text,
            consent_version: row.consent_version,
            time_zone: &row.time_zone,
            apps: row.apps,
            setup: if row.template_id.is_some() { "template" } else { "custom" },
            template_id: row.template_id.as_deref(),
            start_page: row.start_page(),
            navigation: row.navigation(),
            nav_links: row.nav_links(),
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
        }
    }
}

/// A portal asked for alone: with its hosts, admins and invitations.
#[derive(Serialize)]
struct PortalDetailBody<'a> {
    #[serde(flatten)]
    portal: PortalBody<'a>,
    platform_host: Option<String>,
    domains: Vec<DomainBody<'a>>,
    admins: serde_json::Value,
    invitations: serde_json::Value,
}

/// One line of the portal overview (`PortalOverview` in openapi.json).
#[derive(Serialize)]
struct OverviewBody<'a> {
    id: &'a str,
    slug: &'a str,
    name: &'a str,
    enabled: bool,
    setup: OverviewSetupBody<'a>,
    apps: AppSet,
    theme: Option<ThemeRefBody<'a>>,
    start_page: StartPage,
    invitations: InvitationCountsBody,
    users: i64,
    last_activity_at: Option<Timestamp>,
}

/// A portal's set-up kind, with the template it follows (null for a custom set-up).
#[derive(Serialize)]
struct OverviewSetupBody<'a> {
    kind: &'static str,
    template: Option<TemplateRefBody<'a>>,
}

#[derive(Serialize)]
struct TemplateRefBody<'a> {
    id: &'a str,
    name: &'a str,
    version: Option<i64>,
}

#[derive(Serialize)]
struct ThemeRefBody<'a> {
    id: &'a str,
    name: Option<&'a str>,
}

#[derive(Serialize)]
struct InvitationCountsBody {
    pending: i64,
    accepted: i64,
}

impl<'a> From<&'a OverviewRow> for OverviewBody<'a> {
    fn from(row: &'a OverviewRow) -> Self {
        let template = match (&row.template_id, &row.template_name) {
            (Some(id), Some(name)) => Some(TemplateRefBody { id, name, version: row.template_version }),
            _ => None,
        };
        OverviewBody {
            id: &row.id,
            slug: &row.slug,
            name: &row.name,
            enabled: row.enabled != 0,
            setup: OverviewSetupBody { kind: if template.is_some() { "template" } else { "custom" }, template },
            apps: row.apps,
            theme: row.theme_id.as_deref().map(|id| ThemeRefBody { id, name: row.theme_name.as_deref() }),
            start_page: StartPage::from_stored(row.start_page.as_deref()),
            invitations: InvitationCountsBody { pending: row.invitations_pending, accepted: row.invitations_accepted },
            users: row.users,
            last_activity_at: row.last_activity_at.map(Timestamp::from_millis),
        }
    }
}

/// A create or PATCH body. `Option<Option<_>>`: absent keeps the value, null clears it.
#[allow(clippy::option_option)]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PortalInput {
    slug: Option<String>,
    name: Option<String>,
    page_title: Option<String>,
    default_language: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    customer_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    theme_id: Option<Option<String>>,
    enabled: Option<bool>,
    join_policy: Option<String>,
    idle_timeout_minutes: Option<i64>,
    session_lifetime_hours: Option<i64>,
    terms_text: Option<String>,
    consent_text: Option<String>,
    apps: Option<Vec<String>>,
    /// Minutes east of UTC, or an IANA name of the built-in table.
    time_zone: Option<ZoneSetting>,
    /// A template to follow; null: a custom set-up (unlinks on PATCH).
    #[serde(default, deserialize_with = "double_option")]
    template_id: Option<Option<String>>,
    /// "custom" or "template": says which set-up a new portal gets without naming a template.
    setup: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    start_page: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    navigation: Option<Option<Vec<String>>>,
    /// The provider's own links after the apps, in order; `[]` removes them.
    nav_links: Option<Vec<NavLinkInput>>,
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
pub(super) struct Offer {
    pub plan: AppSet,
    pub has_pipeline: bool,
}

impl Offer {
    pub async fn of<R: Runtime>(call: &Call<'_, R>, tenant: TenantId) -> Result<Offer, AppError> {
        let plan = tenants::get(call.rt.db(), tenant).await?.ok_or(AppError::NotFound)?.plan_apps;
        Ok(Offer { plan, has_pipeline: !pipelines::list(call.rt.db(), tenant).await?.is_empty() })
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

    /// What a new portal or template offers when the body names no apps: the default, less
    /// the support form while there is no pipeline for it.
    fn default_apps(self) -> AppSet {
        let form = if self.has_pipeline { AppSet::EMPTY } else { [App::SupportForm].into_iter().collect() };
        AppSet::portal_default(self.plan.minus(form))
    }
}

/// Why the support form is refused without a pipeline.
pub(super) const NO_PIPELINE: &str =
    "support_form needs a pipeline for its tickets: create one (POST /pipelines) first, or leave support_form out";

/// The apps a body asks for, as the tenant's offer allows; absent: the current ones (a change)
/// or the default for a new portal or template. Only features of the tenant's own plan can be
/// shared, and the refusal names the first one that is not.
pub(super) fn apps_setting(
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
pub(super) fn nav_links_setting(
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
    call: &Call<'_, R>,
    tenant: TenantId,
    fields: &mut Fields,
    input: &PortalInput,
    current: Option<&PortalRow>,
) -> Result<Option<Option<TemplateRow>>, AppError> {
    let db = call.rt.db();
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
    call: &Call<'_, R>,
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
            Some(id) if themes::get_usable(call.rt.db(), tenant, id).await?.is_some() => Some(id),
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

fn parse_portal_slug(raw: &str) -> Result<Slug, String> {
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
    call: &Call<'_, R>,
    tenant: TenantId,
    fields: &mut Fields,
    input: &PortalInput,
    current: Option<&PortalRow>,
) -> Result<SetupPart, AppError> {
    let offer = Offer::of(call, tenant).await?;
    let template = template_choice(call, tenant, fields, input, current).await?;
    if let (Some(Some(template)), true) = (&template, input.sets_setup()) {
        // The template stays the truth for its portals: their set-up changes through it.
        return Err(AppError::Conflict(format!(
            "this portal's apps, theme, start page and navigation come from the template \"{}\"; change the \
             template, or give the portal its own set-up with \"template_id\": null (\"setup\": \"custom\" for a new portal)",
            template.name
        )));
    }
    Ok(match template {
        Some(Some(row)) => match setup_of_template(call, tenant, offer, fields, &row).await? {
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
async fn settings<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    input: PortalInput,
    current: Option<&PortalRow>,
) -> Result<PortalSettings, AppError> {
    let mut fields = Fields::default();
    let SetupPart { apps, theme_from_template, pages, nav_links, template_ref } =
        setup_part(call, tenant, &mut fields, &input, current).await?;
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
            Some(id) if customers::get(call.rt.db(), tenant, id).await?.is_some() => Some(Some(id)),
            _ => {
                fields.error("customer_id", "no such customer of this tenant");
                None
            }
        },
        Some(None) => Some(None),
        None => Some(current.and_then(|row| row.customer_id.as_deref()).and_then(CustomerId::parse)),
    };
    if let Some(customer) = customer {
        one_portal_rule(call, tenant, &mut fields, customer, current).await?;
    }
    let theme = match theme_from_template.map_or(input.theme_id, |theme| Some(theme.map(ThemeId::to_db))) {
        Some(Some(raw)) => match ThemeId::parse(&raw) {
            // A portal may use its tenant's themes and those of the tenant's parent.
            Some(id) if themes::get_usable(call.rt.db(), tenant, id).await?.is_some() => Some(Some(id)),
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
    call: &Call<'_, R>,
    tenant: TenantId,
    fields: &mut Fields,
    customer: Option<CustomerId>,
    current: Option<&PortalRow>,
) -> Result<(), AppError> {
    let db = call.rt.db();
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
fn slug_taken(err: DbError) -> AppError {
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

fn template_moved() -> AppError {
    AppError::Conflict("the portal's template changed meanwhile; send the request again".into())
}

async fn portal_json<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    row: &PortalRow,
) -> Result<serde_json::Value, AppError> {
    let id = PortalId::parse(&row.id).ok_or(AppError::NotFound)?;
    let domain_rows = domains::list(call.rt.db(), tenant, id).await?;
    let (admins, invitations) =
        super::recipients::overview(call, crate::store::PortalScope { tenant, portal: id }).await?;
    Ok(json!(PortalDetailBody {
        portal: PortalBody::from(row),
        platform_host: tenancy::platform_host(call.rt, &row.slug).map(|h| h.to_string()),
        domains: domain_rows.iter().map(DomainBody::from).collect(),
        admins,
        invitations,
    }))
}

/// The portal's custom hostnames, any status.
async fn custom_hosts<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    portal: &PortalRow,
) -> Result<Vec<Hostname>, AppError> {
    Ok(portals::hostnames(call.rt.db(), tenant, &portal.id)
        .await?
        .iter()
        .filter_map(|h| Hostname::parse(h).ok())
        .collect())
}

/// Rewrites the cache entries of every host of a portal (and of its old slug after a rename).
pub async fn refresh_portal_hosts<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    portal: &PortalRow,
    old_slug: Option<&str>,
) -> Result<(), AppError> {
    let mut hosts = custom_hosts(call, tenant, portal).await?;
    hosts.extend(tenancy::platform_host(call.rt, &portal.slug));
    if let Some(old) = old_slug.filter(|old| *old != portal.slug) {
        hosts.extend(tenancy::platform_host(call.rt, old));
    }
    tenancy::refresh_hosts(call.rt, &hosts).await
}

pub async fn list<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let rows = portals::list(call.rt.db(), tenant).await?;
    Ok(ok(&json!({ "portals": rows.iter().map(PortalBody::from).collect::<Vec<_>>() })))
}

/// Every portal of the tenant at a glance: set-up, apps, theme, start page, invitations,
/// users and last activity, from one query.
pub async fn overview<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let rows = portals::overview(call.rt.db(), tenant, call.rt.now()).await?;
    Ok(ok(&json!({ "portals": rows.iter().map(OverviewBody::from).collect::<Vec<_>>() })))
}

pub async fn create<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let input: PortalInput = call.json()?;
    let settings = settings(call, tenant, input, None).await?;
    let id = PortalId::from_random(call.rt.random_16()?);
    let wrote =
        portals::create(call.rt.db(), tenant, id, &settings, &call.actor(), call.rt.now()).await.map_err(slug_taken)?;
    if !wrote {
        return Err(template_moved());
    }
    let row = portals::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    refresh_portal_hosts(call, tenant, &row, None).await?;
    Ok(created(&json!({ "portal": portal_json(call, tenant, &row).await? })))
}

pub async fn get<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("portal_id", PortalId::parse)?;
    let row = portals::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    Ok(tagged(ok(&json!({ "portal": portal_json(call, tenant, &row).await? })), row.version))
}

/// Changes the fields the body names, over the portal as it is when written (see `versions`).
pub async fn update<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("portal_id", PortalId::parse)?;
    let pre = Precondition::of(call.req)?;
    call.json::<PortalInput>()?;
    versions::write(async || {
        let current = portals::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        let settings = settings(call, tenant, call.json()?, Some(&current)).await?;
        // false: the portal changed (or went) since the read, or its template moved on: the
        // next attempt reads both again.
        if !portals::update(call.rt.db(), tenant, &current, &settings, &call.actor(), call.rt.now())
            .await
            .map_err(slug_taken)?
        {
            return Ok(None);
        }
        let row = portals::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        refresh_portal_hosts(call, tenant, &row, Some(&current.slug)).await?;
        Ok(Some(tagged(ok(&json!({ "portal": portal_json(call, tenant, &row).await? })), row.version)))
    })
    .await
}

pub async fn delete<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("portal_id", PortalId::parse)?;
    let pre = Precondition::of(call.req)?;
    versions::write(async || {
        let current = portals::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        // The hosts must be known before the cascade deletes the domains.
        let mut hosts = custom_hosts(call, tenant, &current).await?;
        if !portals::delete(call.rt.db(), tenant, &current, &call.actor(), call.rt.now()).await? {
            return Ok(None);
        }
        // The cascade removed the custom domains: release them at Cloudflare too, so a later
        // claim of the same hostname starts from nothing, unless another portal still claims one.
        verify::release(call.rt, &hosts).await?;
        hosts.extend(tenancy::platform_host(call.rt, &current.slug));
        tenancy::refresh_hosts(call.rt, &hosts).await?;
        Ok(Some(no_content()))
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
