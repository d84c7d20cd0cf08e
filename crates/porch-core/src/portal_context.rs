//! What a page of a portal knows about the portal (`PortalContext`), the resolved form pages
//! use (with its theme stylesheet rendered once), and the in-isolate cache of them. Plain
//! values and a map: `tenancy` fills them from KV and D1, `runtime` hands the cache out.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::i18n::Language;
use crate::theme::ThemeContext;
use porch_types::access::JoinPolicy;
use porch_types::apps::AppSet;
use porch_types::error::AppError;
use porch_types::ids::{PortalId, PortalScope, TenantId};
use porch_types::nav_links::NavLinks;
use porch_types::portal_tickets::TicketSettings;
use porch_types::setup::{Navigation, StartPage};
use porch_types::time::Timestamp;
use porch_types::time_zone::TimeZone;

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
    /// The provider's own links, after the apps. A cached entry from before they existed
    /// reads as none, which is what every portal had then.
    #[serde(default)]
    pub nav_links: NavLinks,
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
            idle_timeout_minutes: porch_types::access::DEFAULT_IDLE_TIMEOUT_MINUTES,
            session_lifetime_hours: porch_types::access::DEFAULT_SESSION_LIFETIME_HOURS,
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

impl AccessContext {
    /// The texts a person who agreed to `agreed` must still agree to: each the portal has
    /// (not empty) in a newer version than the one they agreed to. A text changed since, or
    /// one they never saw (an account made before it, or by single sign-on), is asked again.
    pub fn outstanding(&self, agreed: Agreed) -> Outstanding {
        let newer = |text: &str, version: i64, agreed: Option<i64>| {
            !text.is_empty() && agreed.is_none_or(|agreed| agreed < version)
        };
        Outstanding {
            terms: newer(&self.terms_text, self.terms_version, agreed.terms),
            consent: newer(&self.consent_text, self.consent_version, agreed.consent),
        }
    }
}

/// Which versions of a portal's terms and consent text a person agreed to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Agreed {
    pub terms: Option<i64>,
    pub consent: Option<i64>,
}

/// The texts a person must still agree to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outstanding {
    pub terms: bool,
    pub consent: bool,
}

impl Outstanding {
    pub fn any(self) -> bool {
        self.terms || self.consent
    }
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
        let theme_css = crate::theme::stylesheet(&context.theme);
        let theme_etag = crate::theme::etag(&theme_css);
        ResolvedPortal { context, theme_css, theme_etag }
    }
}

/// How long an isolate trusts what it resolved. Changes made through this isolate drop
/// its entries at once; other isolates see them within this time plus KV's propagation.
const ISOLATE_TTL_SECONDS: i64 = 30;
/// Unknown hosts are remembered briefly so a flood of them does not reach D1 each time.
const ISOLATE_NEGATIVE_TTL_SECONDS: i64 = 5;
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
    pub(crate) fn get(&self, host: &str, now: Timestamp) -> Option<Option<Rc<ResolvedPortal>>> {
        let entries = self.entries.borrow();
        let entry = entries.get(host)?;
        (entry.expires_at > now).then(|| entry.portal.clone())
    }

    pub(crate) fn put(&self, host: &str, portal: Option<Rc<ResolvedPortal>>, now: Timestamp) {
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

    pub(crate) fn forget(&self, host: &str) {
        self.entries.borrow_mut().remove(host);
    }
}
