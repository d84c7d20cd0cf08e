//! Portals: name, page title, language, audience (one customer or all), theme, on/off switch.

use serde::Serialize;
use serde_json::json;

use super::auth::Reach;
use super::domains::DomainBody;
use super::versions::{self, tagged, Precondition};
use super::{created, no_content, ok, Call};
use crate::app::domain_verification as verify;
use crate::app::portal_settings::{self as rules, custom_hosts, PortalInput};
use crate::http::Response;
use crate::i18n::Language;
use crate::runtime::Runtime;
use crate::store::portals::{OverviewRow, PortalRow};
use crate::store::{domains, portals};
use crate::tenancy;
use porch_types::access::JoinPolicy;
use porch_types::apps::AppSet;
use porch_types::error::AppError;
use porch_types::ids::{PortalId, TenantId};
use porch_types::nav_links::NavLinks;
use porch_types::setup::{Navigation, StartPage};
use porch_types::time::Timestamp;
use porch_types::time_zone::TimeZone;

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
    let row = rules::create(call.rt, tenant, &call.actor(), call.json()?).await?;
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
    let input: PortalInput = call.json()?;
    match rules::update(call.rt, tenant, &call.actor(), id, &input, &pre).await {
        Ok(row) => Ok(tagged(ok(&json!({ "portal": portal_json(call, tenant, &row).await? })), row.version)),
        // A 412 with the current version as its ETag.
        Err(err) => versions::answer(Err(err)),
    }
}

pub async fn delete<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("portal_id", PortalId::parse)?;
    let pre = Precondition::of(call.req)?;
    versions::write(async || {
        let current = portals::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        // The hosts must be known before the cascade deletes the domains.
        let mut hosts = custom_hosts(call.rt, tenant, &current).await?;
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
