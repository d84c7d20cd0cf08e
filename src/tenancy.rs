//! Host header -> portal. D1 is the truth; KV caches host -> portal for every isolate; an
//! in-isolate map with a short TTL sits in front, so a warm request resolves its portal and
//! its rendered theme CSS without any I/O.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::domain::access::JoinPolicy;
use crate::domain::apps::{self, AppSet};
use crate::domain::color::{HexColor, ThemeColors};
use crate::domain::host::Hostname;
use crate::domain::ids::{PortalId, TenantId};
use crate::domain::portal_tickets::{ClosedReplies, StatusDisplay, TicketSettings, Visibility};
use crate::domain::setup::{Navigation, StartPage};
use crate::domain::time::Timestamp;
use crate::domain::time_zone::TimeZone;
use crate::error::AppError;
use crate::i18n::Language;
use crate::params;
use crate::runtime::{KeyValue, Runtime};
use crate::store::portals::AccessSettings;
use crate::store::{Database, PortalScope, Statement};

/// A logo as the page needs it: where it is and what it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogoRef {
    pub key: String,
    pub content_type: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThemeContext {
    pub id: Option<String>,
    pub version: i64,
    pub colors: ThemeColors,
    pub logo_small: Option<LogoRef>,
    pub logo_large: Option<LogoRef>,
}

impl ThemeContext {
    /// A quiet, accessible default for portals without a theme.
    pub fn fallback() -> ThemeContext {
        ThemeContext {
            id: None,
            version: 0,
            colors: ThemeColors {
                primary: HexColor::from_rgb(0x1f, 0x4f, 0x99),
                menu: HexColor::from_rgb(0x1b, 0x26, 0x3b),
                notification: HexColor::from_rgb(0xb0, 0x3a, 0x2e),
                background: HexColor::from_rgb(0xff, 0xff, 0xff),
                text: HexColor::from_rgb(0x1a, 0x1a, 0x1a),
            },
            logo_small: None,
            logo_large: None,
        }
    }
}

/// Everything a page of a portal needs to know about the portal, cached per host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalContext {
    pub portal_id: String,
    pub tenant_id: String,
    pub slug: String,
    pub name: String,
    pub page_title: String,
    pub default_language: Language,
    pub enabled: bool,
    /// The customer of a one-customer portal; None for a portal shared by all customers.
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub theme: ThemeContext,
    pub access: AccessContext,
    pub tickets: TicketSettings,
    /// The apps the portal offers: pages and navigation entries of the others do not exist.
    pub apps: AppSet,
    /// Where a member lands after signing in when they asked for no page.
    pub start_page: StartPage,
    /// The apps of the navigation, in order (always within `apps`).
    pub navigation: Navigation,
    /// Local days and times of the equipment pages and reports. A cached entry from before
    /// the setting existed reads as UTC, which is what the portal had then.
    #[serde(default)]
    pub time_zone: TimeZone,
}

impl PortalContext {
    /// The ids every recipient-side query of this portal is scoped by.
    pub fn scope(&self) -> Result<PortalScope, AppError> {
        match (TenantId::parse(&self.tenant_id), PortalId::parse(&self.portal_id)) {
            (Some(tenant), Some(portal)) => Ok(PortalScope { tenant, portal }),
            _ => Err(AppError::Internal(format!("portal {} has malformed ids", self.portal_id))),
        }
    }
}

impl Default for AccessContext {
    /// A new portal's settings: invitation only, an hour idle, a week at most, no texts.
    fn default() -> AccessContext {
        AccessContext {
            join_policy: JoinPolicy::Invitation,
            idle_timeout_minutes: AccessSettings::DEFAULT_IDLE_MINUTES,
            session_lifetime_hours: AccessSettings::DEFAULT_LIFETIME_HOURS,
            terms_text: String::new(),
            terms_version: 0,
            consent_text: String::new(),
            consent_version: 0,
        }
    }
}

/// Who may join the portal, how long sessions last, and what people agree to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessContext {
    pub join_policy: JoinPolicy,
    pub idle_timeout_minutes: i64,
    pub session_lifetime_hours: i64,
    /// Empty when the portal has no terms (version 0).
    pub terms_text: String,
    pub terms_version: i64,
    pub consent_text: String,
    pub consent_version: i64,
}

/// A resolved portal with its theme stylesheet rendered once per cache fill.
#[derive(Debug)]
pub struct ResolvedPortal {
    pub context: PortalContext,
    pub theme_css: String,
    pub theme_etag: String,
}

impl ResolvedPortal {
    pub fn new(context: PortalContext) -> ResolvedPortal {
        let theme_css = crate::views::theme::stylesheet(&context.theme);
        let theme_etag = crate::views::theme::etag(&theme_css);
        ResolvedPortal { context, theme_css, theme_etag }
    }
}

/// How long an isolate trusts what it resolved. Changes made through this isolate drop
/// its entries at once; other isolates see them within this time plus KV's propagation.
const ISOLATE_TTL_SECONDS: i64 = 30;
/// Unknown hosts are remembered briefly so a flood of them does not reach D1 each time.
const ISOLATE_NEGATIVE_TTL_SECONDS: i64 = 5;
/// KV entries are rewritten on every change. The TTL bounds the damage of the one race
/// that can leave a stale entry (an isolate filling KV from a D1 read that a concurrent
/// change then outdates): five minutes, not a day.
const KV_TTL_SECONDS: u64 = 300;
/// Bounds the isolate's memory: past this many hosts the map is cleared.
const ISOLATE_MAX_ENTRIES: usize = 2_000;

struct Entry {
    portal: Option<Rc<ResolvedPortal>>,
    expires_at: Timestamp,
}

/// The in-isolate cache. Workers isolates are single-threaded, so a `RefCell` suffices.
#[derive(Default)]
pub struct PortalCache {
    entries: RefCell<HashMap<String, Entry>>,
}

impl PortalCache {
    pub fn new() -> PortalCache {
        PortalCache::default()
    }

    /// `Some(None)` is a remembered unknown host; `None` means "not cached".
    #[allow(clippy::option_option)]
    fn get(&self, host: &str, now: Timestamp) -> Option<Option<Rc<ResolvedPortal>>> {
        let entries = self.entries.borrow();
        let entry = entries.get(host)?;
        (entry.expires_at > now).then(|| entry.portal.clone())
    }

    fn put(&self, host: &str, portal: Option<Rc<ResolvedPortal>>, now: Timestamp) {
        let ttl = if portal.is_some() { ISOLATE_TTL_SECONDS } else { ISOLATE_NEGATIVE_TTL_SECONDS };
        let mut entries = self.entries.borrow_mut();
        if entries.len() >= ISOLATE_MAX_ENTRIES {
            entries.retain(|_, e| e.expires_at > now);
            if entries.len() >= ISOLATE_MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(host.to_owned(), Entry { portal, expires_at: now.plus_seconds(ttl) });
    }

    fn forget(&self, host: &str) {
        self.entries.borrow_mut().remove(host);
    }
}

fn kv_key(host: &str) -> String {
    // v7: the time zone may be an IANA name (v6: the time zone, v5: the start page and
    // navigation, v4: the portal's apps, v3: the ticket settings, v2: the access settings);
    // older entries are simply never read again.
    format!("portal:v7:{host}")
}

/// The portal a host names, if any.
pub async fn resolve<R: Runtime>(rt: &R, host: &Hostname) -> Result<Option<Rc<ResolvedPortal>>, AppError> {
    let now = rt.now();
    if let Some(cached) = rt.portal_cache().get(host.as_str(), now) {
        return Ok(cached);
    }
    let from_kv = match rt.kv().get(&kv_key(host.as_str())).await {
        Ok(Some(text)) => serde_json::from_str::<PortalContext>(&text).ok(),
        Ok(None) => None,
        Err(err) => {
            // KV is only a cache: fall through to D1.
            rt.log(&format!("kv get failed for {host}: {err}"));
            None
        }
    };
    let context = if let Some(context) = from_kv {
        Some(context)
    } else {
        let loaded = load(rt, host).await?;
        if let Some(context) = loaded.as_ref().filter(|c| c.enabled) {
            write_kv(rt, host.as_str(), context).await;
        }
        loaded
    };
    let resolved = context.map(|c| Rc::new(ResolvedPortal::new(c)));
    rt.portal_cache().put(host.as_str(), resolved.clone(), now);
    Ok(resolved)
}

async fn write_kv<R: Runtime>(rt: &R, host: &str, context: &PortalContext) {
    match serde_json::to_string(context) {
        Ok(text) => {
            if let Err(err) = rt.kv().put(&kv_key(host), &text, KV_TTL_SECONDS).await {
                rt.log(&format!("kv put failed for {host}: {err}"));
            }
        }
        Err(err) => rt.log(&format!("portal context did not serialise: {err}")),
    }
}

/// After a change: reload each host from D1, rewrite its KV entry (or delete it when the
/// portal is gone or disabled) and drop this isolate's copy.
pub async fn refresh_hosts<R: Runtime>(rt: &R, hosts: &[Hostname]) -> Result<(), AppError> {
    // Every host is attempted even when one fails, so one bad entry cannot leave the others stale.
    let mut first_error = None;
    for host in hosts {
        rt.portal_cache().forget(host.as_str());
        match load(rt, host).await {
            Ok(Some(context)) if context.enabled => write_kv(rt, host.as_str(), &context).await,
            Ok(_) => {
                if let Err(err) = rt.kv().delete(&kv_key(host.as_str())).await {
                    rt.log(&format!("kv delete failed for {host}: {err}"));
                }
            }
            Err(err) => {
                // Without fresh data the cached copy must not outlive the change.
                let _ = rt.kv().delete(&kv_key(host.as_str())).await;
                first_error.get_or_insert(err);
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// The platform subdomain of a portal slug.
pub fn platform_host<R: Runtime>(rt: &R, slug: &str) -> Option<Hostname> {
    Hostname::parse(&format!("{slug}.{}", rt.config().portal_base_domain)).ok()
}

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
                    p.start_page, p.navigation_json ",
            $from,
            " LEFT JOIN customers c ON c.tenant_id = p.tenant_id AND c.id = p.customer_id
              LEFT JOIN themes t ON t.id = p.theme_id ",
            $filter
        )
    };
}

/// Reads a host's portal from D1: a platform subdomain by slug, otherwise an active custom domain.
async fn load<R: Runtime>(rt: &R, host: &Hostname) -> Result<Option<PortalContext>, AppError> {
    let statement = match host.subdomain_label_of(&rt.config().portal_base_domain) {
        Some(slug) => Statement::new(select_context!("FROM portals p", "WHERE p.slug = ?1"), params![slug]),
        None => Statement::new(
            select_context!(
                "FROM domains d JOIN portals p ON p.tenant_id = d.tenant_id AND p.id = d.portal_id",
                "WHERE d.hostname = ?1 AND d.status = 'active'"
            ),
            params![host.as_str()],
        ),
    };
    let row: Option<ContextRow> = rt.db().query_one(statement).await?;
    Ok(row.map(ContextRow::into_context))
}

/// A portal's context straight from D1 by its ids, for the admin API: what its pages will
/// use once the cache is refreshed, read through the one query that turns the portal's
/// columns into a context.
pub async fn load_portal<R: Runtime>(rt: &R, scope: PortalScope) -> Result<Option<PortalContext>, AppError> {
    let row: Option<ContextRow> = rt
        .db()
        .query_one(Statement::new(
            select_context!("FROM portals p", "WHERE p.tenant_id = ?1 AND p.id = ?2"),
            params![scope.tenant.to_db(), scope.portal.to_db()],
        ))
        .await?;
    Ok(row.map(ContextRow::into_context))
}
