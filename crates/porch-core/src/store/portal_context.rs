//! The one query that turns a portal's columns (with its customer's name and its theme) into
//! a `PortalContext`: by host for the pages, by ids for the admin API.

use serde::Deserialize;

use super::{Database, DbError, PortalScope, Statement};
use crate::i18n::Language;
use crate::params;
use crate::portal_context::{AccessContext, PortalContext};
use crate::theme::{LogoRef, ThemeContext};
use porch_types::access::JoinPolicy;
use porch_types::apps::{self, AppSet};
use porch_types::color::{HexColor, ThemeColors};
use porch_types::host::Hostname;
use porch_types::nav_links::NavLinks;
use porch_types::portal_tickets::{ClosedReplies, StatusDisplay, TicketSettings, Visibility};
use porch_types::setup::{Navigation, StartPage};
use porch_types::time_zone::TimeZone;

#[derive(Deserialize)]
struct ContextRow {
    portal_id: String,
    tenant_id: String,
    slug: String,
    name: String,
    page_title: String,
    default_language: Language,
    enabled: i64,
    customer_id: Option<String>,
    customer_name: Option<String>,
    theme_id: Option<String>,
    theme_version: Option<i64>,
    primary_color: Option<String>,
    menu_color: Option<String>,
    notification_color: Option<String>,
    background_color: Option<String>,
    text_color: Option<String>,
    logo_small_key: Option<String>,
    logo_small_type: Option<String>,
    logo_large_key: Option<String>,
    logo_large_type: Option<String>,
    join_policy: JoinPolicy,
    idle_timeout_minutes: i64,
    session_lifetime_hours: i64,
    terms_text: String,
    terms_version: i64,
    consent_text: String,
    consent_version: i64,
    ticket_visibility: Visibility,
    ticket_status_display: StatusDisplay,
    ticket_closed_replies: ClosedReplies,
    ticket_inbox_id: Option<String>,
    ticket_pipeline_id: Option<String>,
    ticket_rules_json: String,
    support_form_json: String,
    ticket_satisfaction: i64,
    #[serde(deserialize_with = "apps::from_json_column")]
    apps: AppSet,
    start_page: Option<String>,
    navigation_json: Option<String>,
    nav_links_json: Option<String>,
    time_zone: TimeZone,
}

impl ContextRow {
    fn into_context(self) -> PortalContext {
        let parse = |c: &Option<String>| c.as_deref().and_then(|c| HexColor::parse(c).ok());
        let colors = (|| {
            Some(ThemeColors {
                primary: parse(&self.primary_color)?,
                menu: parse(&self.menu_color)?,
                notification: parse(&self.notification_color)?,
                background: parse(&self.background_color)?,
                text: parse(&self.text_color)?,
            })
        })();
        let logo = |key: Option<String>, content_type: Option<String>| {
            key.zip(content_type).map(|(key, content_type)| LogoRef { key, content_type })
        };
        let theme = match colors {
            Some(colors) if self.theme_id.is_some() => ThemeContext {
                id: self.theme_id,
                version: self.theme_version.unwrap_or(0),
                colors,
                logo_small: logo(self.logo_small_key, self.logo_small_type),
                logo_large: logo(self.logo_large_key, self.logo_large_type),
            },
            _ => ThemeContext::fallback(),
        };
        PortalContext {
            portal_id: self.portal_id,
            tenant_id: self.tenant_id,
            slug: self.slug,
            name: self.name,
            page_title: self.page_title,
            default_language: self.default_language,
            enabled: self.enabled != 0,
            customer_id: self.customer_id,
            customer_name: self.customer_name,
            theme,
            access: AccessContext {
                join_policy: self.join_policy,
                idle_timeout_minutes: self.idle_timeout_minutes,
                session_lifetime_hours: self.session_lifetime_hours,
                terms_text: self.terms_text,
                terms_version: self.terms_version,
                consent_text: self.consent_text,
                consent_version: self.consent_version,
            },
            // Both JSON texts were written from typed values; a text that no longer parses
            // (an older shape) falls back to no rules / no extra fields, never to an error page.
            tickets: TicketSettings {
                visibility: self.ticket_visibility,
                status_display: self.ticket_status_display,
                closed_replies: self.ticket_closed_replies,
                inbox_id: self.ticket_inbox_id,
                pipeline_id: self.ticket_pipeline_id,
                rules: serde_json::from_str(&self.ticket_rules_json).unwrap_or_default(),
                form: serde_json::from_str(&self.support_form_json).unwrap_or_default(),
                satisfaction: self.ticket_satisfaction != 0,
            },
            start_page: StartPage::from_stored(self.start_page.as_deref()),
            navigation: Navigation::from_stored(self.navigation_json.as_deref(), self.apps),
            nav_links: NavLinks::from_stored(self.nav_links_json.as_deref()),
            apps: self.apps,
            time_zone: self.time_zone,
        }
    }
}

/// The context query: portal, its customer's name and its theme, from `$from` where `$filter`.
macro_rules! select_context {
    ($from:literal, $filter:literal) => {
        concat!(
            "SELECT p.id AS portal_id, p.tenant_id, p.slug, p.name, p.page_title, p.default_language, p.enabled,
                    p.customer_id, c.name AS customer_name, t.id AS theme_id, t.version AS theme_version,
                    t.primary_color, t.menu_color, t.notification_color, t.background_color, t.text_color,
                    t.logo_small_key, t.logo_small_type, t.logo_large_key, t.logo_large_type,
                    p.join_policy, p.idle_timeout_minutes, p.session_lifetime_hours,
                    p.terms_text, p.terms_version, p.consent_text, p.consent_version,
                    p.ticket_visibility, p.ticket_status_display, p.ticket_closed_replies, p.ticket_inbox_id,
                    p.ticket_pipeline_id, p.ticket_rules_json, p.support_form_json, p.ticket_satisfaction,
                    coalesce(p.time_zone_name || '@' || p.time_zone, p.time_zone) AS time_zone,
                    (SELECT json_group_array(pa.app) FROM portal_apps pa
                     WHERE pa.tenant_id = p.tenant_id AND pa.portal_id = p.id) AS apps,
                    p.start_page, p.navigation_json, p.nav_links_json ",
            $from,
            " LEFT JOIN customers c ON c.tenant_id = p.tenant_id AND c.id = p.customer_id
              LEFT JOIN themes t ON t.id = p.theme_id ",
            $filter,
            // A tenant being erased has no portals any more, from the moment it asked.
            " AND NOT EXISTS (SELECT 1 FROM tenant_deletions x WHERE x.tenant_id = p.tenant_id)"
        )
    };
}

/// A host's portal: a subdomain of `base_domain` by slug, otherwise an active custom domain.
pub async fn for_host(
    db: &impl Database,
    base_domain: &Hostname,
    host: &Hostname,
) -> Result<Option<PortalContext>, DbError> {
    let statement = match host.subdomain_label_of(base_domain) {
        Some(slug) => Statement::new(select_context!("FROM portals p", "WHERE p.slug = ?1"), params![slug]),
        None => Statement::new(
            select_context!(
                "FROM domains d JOIN portals p ON p.tenant_id = d.tenant_id AND p.id = d.portal_id",
                "WHERE d.hostname = ?1 AND d.status = 'active'"
            ),
            params![host.as_str()],
        ),
    };
    let row: Option<ContextRow> = db.query_one(statement).await?;
    Ok(row.map(ContextRow::into_context))
}

/// A portal's context by its ids, for the admin API: what its pages will use once the cache
/// is refreshed.
pub async fn for_portal(db: &impl Database, scope: PortalScope) -> Result<Option<PortalContext>, DbError> {
    let row: Option<ContextRow> = db.query_one(for_portal_statement(scope)).await?;
    Ok(row.map(ContextRow::into_context))
}

/// `for_portal`'s statement, for a batch of reads; `decode` reads its rows.
pub fn for_portal_statement(scope: PortalScope) -> Statement {
    Statement::new(
        select_context!("FROM portals p", "WHERE p.tenant_id = ?1 AND p.id = ?2"),
        params![scope.tenant.to_db(), scope.portal.to_db()],
    )
}

/// The context `for_portal_statement`'s rows hold, if any.
pub fn decode(rows: Option<Vec<serde_json::Value>>) -> Result<Option<PortalContext>, DbError> {
    Ok(super::decode_rows::<ContextRow>(rows)?.into_iter().next().map(ContextRow::into_context))
}
