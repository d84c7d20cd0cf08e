//! Portals: one branded site of a tenant, for one customer or shared by all its customers.

use serde::Deserialize;
use serde_json::json;

use super::audit::{Actor, Change};
use super::{wrote, Database, DbError, Statement, Value};
use crate::i18n::Language;
use crate::params;
use porch_types::access::JoinPolicy;
use porch_types::apps::{self, AppSet};
use porch_types::ids::{CustomerId, PortalId, TemplateId, TenantId, ThemeId};
use porch_types::nav_links::NavLinks;
use porch_types::portal_tickets::TicketSettings;
use porch_types::setup::{Navigation, StartPage};
use porch_types::text::{Label, Slug};
use porch_types::time::Timestamp;
use porch_types::time_zone::TimeZone;

#[derive(Clone, Debug, Deserialize)]
pub struct PortalRow {
    pub id: String,
    pub tenant_id: String,
    pub slug: String,
    pub name: String,
    pub page_title: String,
    pub default_language: Language,
    pub customer_id: Option<String>,
    pub theme_id: Option<String>,
    pub enabled: i64,
    pub join_policy: JoinPolicy,
    pub idle_timeout_minutes: i64,
    pub session_lifetime_hours: i64,
    pub terms_text: String,
    pub terms_version: i64,
    pub consent_text: String,
    pub consent_version: i64,
    /// Local days and times of the equipment pages and reports.
    pub time_zone: TimeZone,
    /// The apps the portal offers, within its tenant's plan.
    #[serde(deserialize_with = "apps::from_json_column")]
    pub apps: AppSet,
    /// The template the portal follows; None: a custom set-up.
    pub template_id: Option<String>,
    /// NULL: the home page.
    pub start_page: Option<String>,
    /// NULL: the apps in catalogue order.
    pub navigation_json: Option<String>,
    /// NULL: no links of the provider's own (schema 0021).
    pub nav_links_json: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// One more after every change of the row (its `ETag`; schema 0014).
    pub version: i64,
}

impl PortalRow {
    pub fn is_enabled(&self) -> bool {
        self.enabled != 0
    }

    pub fn start_page(&self) -> StartPage {
        StartPage::from_stored(self.start_page.as_deref())
    }

    pub fn navigation(&self) -> Navigation {
        Navigation::from_stored(self.navigation_json.as_deref(), self.apps)
    }

    pub fn nav_links(&self) -> NavLinks {
        NavLinks::from_stored(self.nav_links_json.as_deref())
    }

    /// What the audit log keeps of a portal's settings.
    pub fn settings_json(&self) -> serde_json::Value {
        json!({
            "slug": self.slug,
            "name": self.name,
            "page_title": self.page_title,
            "default_language": self.default_language,
            "customer_id": self.customer_id,
            "theme_id": self.theme_id,
            "enabled": self.is_enabled(),
            "join_policy": self.join_policy,
            "idle_timeout_minutes": self.idle_timeout_minutes,
            "session_lifetime_hours": self.session_lifetime_hours,
            "terms_text": self.terms_text,
            "terms_version": self.terms_version,
            "consent_text": self.consent_text,
            "consent_version": self.consent_version,
            "time_zone": self.time_zone,
            "apps": self.apps,
            "template_id": self.template_id,
            "start_page": self.start_page(),
            "navigation": self.navigation(),
            "nav_links": self.nav_links(),
        })
    }
}

/// The settings a provider chooses for a portal; what create and update write whole.
#[derive(Clone, Debug)]
pub struct PortalSettings {
    pub slug: Slug,
    pub name: Label,
    pub page_title: Label,
    pub default_language: Language,
    pub customer: Option<CustomerId>,
    pub theme: Option<ThemeId>,
    pub enabled: bool,
    pub access: AccessSettings,
    /// Checked against the tenant's plan by the caller, and by `portal_apps`' foreign key.
    pub apps: AppSet,
    /// The template (and the version of it these settings copy) the portal follows; None:
    /// a custom set-up. The write is refused if the template moved on meanwhile.
    pub template: Option<(TemplateId, i64)>,
    pub start_page: StartPage,
    /// None: the apps in catalogue order.
    pub navigation: Option<Navigation>,
    pub nav_links: NavLinks,
    pub time_zone: TimeZone,
}

/// Who may join and on what terms; texts are versioned in SQL when they change.
#[derive(Clone, Debug)]
pub struct AccessSettings {
    pub join_policy: JoinPolicy,
    pub idle_timeout_minutes: i64,
    pub session_lifetime_hours: i64,
    pub terms_text: String,
    pub consent_text: String,
}

impl PortalSettings {
    /// What the audit log keeps of the settings a write sets (`PortalRow::settings_json` of
    /// the portal as it was).
    fn settings_json(&self) -> serde_json::Value {
        json!({
            "slug": self.slug.as_str(),
            "name": self.name.as_str(),
            "page_title": self.page_title.as_str(),
            "default_language": self.default_language,
            "customer_id": self.customer.map(CustomerId::to_db),
            "theme_id": self.theme.map(ThemeId::to_db),
            "enabled": self.enabled,
            "join_policy": self.access.join_policy,
            "idle_timeout_minutes": self.access.idle_timeout_minutes,
            "session_lifetime_hours": self.access.session_lifetime_hours,
            "terms_text": self.access.terms_text,
            "consent_text": self.access.consent_text,
            "time_zone": self.time_zone,
            "apps": self.apps,
            "template_id": self.template.map(|(id, _)| id.to_db()),
            "start_page": self.start_page,
            "navigation": self.navigation.clone().unwrap_or_else(|| Navigation::of(self.apps)),
            "nav_links": self.nav_links,
        })
    }

    fn template_id(&self) -> Option<String> {
        self.template.map(|(id, _)| id.to_db())
    }

    fn template_version(&self) -> Option<i64> {
        self.template.map(|(_, version)| version)
    }

    fn navigation_text(&self) -> Option<String> {
        self.navigation.as_ref().map(Navigation::to_json_text)
    }
}

/// Makes the portal's apps exactly `apps`: the others are removed, the missing added. The
/// insert asks that the portal exists, so a portal deleted meanwhile gets no rows (rather
/// than a foreign key error). `expected`: the portal version an update replaces; the
/// statements run before the update, in its batch, and only while the portal still has that
/// version, so a stale update leaves the apps as they were too.
fn set_apps(tenant: TenantId, portal: &str, settings: &PortalSettings, expected: Option<i64>) -> Vec<Statement> {
    // The template guard of the portal's own statement, repeated: when that statement found
    // its template moved on, the apps stay as they were too.
    let apps = settings.apps.to_json_text();
    let guard = params![tenant.to_db(), portal, apps, settings.template_id(), settings.template_version(), expected];
    vec![
        Statement::new(
            "DELETE FROM portal_apps WHERE tenant_id = ?1 AND portal_id = ?2
               AND app NOT IN (SELECT value FROM json_each(?3))
               AND (?4 IS NULL
                    OR EXISTS (SELECT 1 FROM templates WHERE tenant_id = ?1 AND id = ?4 AND current_version = ?5))
               AND (?6 IS NULL OR EXISTS (SELECT 1 FROM portals WHERE tenant_id = ?1 AND id = ?2 AND version = ?6))",
            guard.clone(),
        ),
        Statement::new(
            "INSERT OR IGNORE INTO portal_apps (tenant_id, portal_id, app)
             SELECT ?1, ?2, value FROM json_each(?3)
             WHERE EXISTS (SELECT 1 FROM portals WHERE tenant_id = ?1 AND id = ?2 AND (?6 IS NULL OR version = ?6))
               AND (?4 IS NULL
                    OR EXISTS (SELECT 1 FROM templates WHERE tenant_id = ?1 AND id = ?4 AND current_version = ?5))",
            guard,
        ),
    ]
}

/// `write_audited_then` that reports each statement's count: a portal write guarded by its
/// template's version may find nothing to do.
async fn write_then(
    db: &impl Database,
    write: Statement,
    change: &Change<'_>,
    then: Vec<Statement>,
    now: Timestamp,
) -> Result<Vec<u64>, DbError> {
    let mut batch = vec![write, change.statement_if_changed(now)];
    batch.extend(then);
    db.batch(batch).await
}

/// `first` (the two ids, in the statement's order) and then what create and update both bind
/// as ?3 to ?22: the settings, with `now` as ?10.
fn bound(mut first: Vec<Value>, settings: &PortalSettings, now: Timestamp) -> Vec<Value> {
    first.extend(params![
        settings.slug.as_str(),
        settings.name.as_str(),
        settings.page_title.as_str(),
        settings.default_language.code(),
        settings.customer.map(CustomerId::to_db),
        settings.theme.map(ThemeId::to_db),
        settings.enabled,
        now.millis(),
        settings.access.join_policy.code(),
        settings.access.idle_timeout_minutes,
        settings.access.session_lifetime_hours,
        settings.access.terms_text.as_str(),
        settings.access.consent_text.as_str(),
        settings.template_id(),
        settings.template_version(),
        settings.start_page.path(),
        settings.navigation_text(),
        settings.time_zone.standard_minutes(),
        settings.time_zone.name(),
        settings.nav_links.to_stored()
    ]);
    first
}

pub async fn create(
    db: &impl Database,
    tenant: TenantId,
    id: PortalId,
    settings: &PortalSettings,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let change = Change::new(tenant, actor, "portal.create", "portal", id.to_db()).after(settings.settings_json());
    write_then(
        db,
        Statement::new(
            "INSERT INTO portals (id, tenant_id, slug, name, page_title, default_language, customer_id, theme_id, enabled,
                join_policy, idle_timeout_minutes, session_lifetime_hours, terms_text, terms_version, consent_text,
                consent_version, created_at, updated_at, template_id, start_page, navigation_json, time_zone, time_zone_name,
                nav_links_json)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?11, ?12, ?13, ?14, CASE WHEN ?14 = '' THEN 0 ELSE 1 END,
                ?15, CASE WHEN ?15 = '' THEN 0 ELSE 1 END, ?10, ?10, ?16, ?18, ?19, ?20, ?21, ?22
             WHERE ?16 IS NULL
                OR EXISTS (SELECT 1 FROM templates WHERE tenant_id = ?2 AND id = ?16 AND current_version = ?17)",
            bound(params![id.to_db(), tenant.to_db()], settings, now),
        ),
        &change,
        set_apps(tenant, &id.to_db(), settings, None),
        now,
    )
    .await
    .map(|changed| wrote(&changed, 0))
}

/// Writes the settings over `current`, if the portal still has `current.version`; false:
/// it does not (or is gone, or its template moved on), and nothing was written.
pub async fn update(
    db: &impl Database,
    tenant: TenantId,
    current: &PortalRow,
    settings: &PortalSettings,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let change = Change::new(tenant, actor, "portal.update", "portal", current.id.clone())
        .before(current.settings_json())
        .after(settings.settings_json());
    let mut batch = set_apps(tenant, &current.id, settings, Some(current.version));
    let mut values = bound(params![tenant.to_db(), current.id.clone()], settings, now);
    values.push(Value::Int(current.version));
    batch.extend([
        Statement::new(
            "UPDATE portals SET slug = ?3, name = ?4, page_title = ?5, default_language = ?6, customer_id = ?7,
                theme_id = ?8, enabled = ?9, updated_at = ?10, join_policy = ?11, idle_timeout_minutes = ?12,
                session_lifetime_hours = ?13,
                terms_version = CASE WHEN terms_text = ?14 THEN terms_version ELSE terms_version + 1 END,
                terms_text = ?14,
                consent_version = CASE WHEN consent_text = ?15 THEN consent_version ELSE consent_version + 1 END,
                consent_text = ?15,
                template_id = ?16, start_page = ?18, navigation_json = ?19, time_zone = ?20,
                time_zone_name = ?21, nav_links_json = ?22
             WHERE tenant_id = ?1 AND id = ?2 AND version = ?23
               AND (?16 IS NULL
                    OR EXISTS (SELECT 1 FROM templates WHERE tenant_id = ?1 AND id = ?16 AND current_version = ?17))",
            values,
        ),
        change.statement_if_changed(now),
    ]);
    let apps = batch.len() - 2;
    db.batch(batch).await.map(|changed| wrote(&changed, apps))
}

/// Deletes a portal with its domains and accounts (cascade), if it still has
/// `current.version`; false: it does not, or is gone, and nothing changed.
pub async fn delete(
    db: &impl Database,
    tenant: TenantId,
    current: &PortalRow,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let change =
        Change::new(tenant, actor, "portal.delete", "portal", current.id.clone()).before(current.settings_json());
    // Tickets opened through the portal stay with the provider, no longer tied to it.
    let changed = db
        .batch(vec![
            Statement::new(
                "UPDATE tickets SET portal_id = NULL WHERE tenant_id = ?1 AND portal_id = ?2
                   AND EXISTS (SELECT 1 FROM portals WHERE tenant_id = ?1 AND id = ?2 AND version = ?3)",
                params![tenant.to_db(), current.id.clone(), current.version],
            ),
            Statement::new(
                "DELETE FROM portals WHERE tenant_id = ?1 AND id = ?2 AND version = ?3",
                params![tenant.to_db(), current.id.clone(), current.version],
            ),
            change.statement_if_changed(now),
        ])
        .await?;
    Ok(wrote(&changed, 1))
}

/// `SELECT <portal columns> FROM portals <rest>`.
macro_rules! select_portals {
    ($rest:literal) => {
        concat!(
            "SELECT id, tenant_id, slug, name, page_title, default_language, customer_id, theme_id, enabled,
                join_policy, idle_timeout_minutes, session_lifetime_hours, terms_text, terms_version, consent_text,
                consent_version, created_at, updated_at, template_id, start_page, navigation_json, nav_links_json, version,
                coalesce(time_zone_name || '@' || time_zone, time_zone) AS time_zone,
                (SELECT json_group_array(app) FROM portal_apps pa
                 WHERE pa.tenant_id = portals.tenant_id AND pa.portal_id = portals.id) AS apps
             FROM portals ",
            $rest
        )
    };
}

pub async fn list(db: &impl Database, tenant: TenantId) -> Result<Vec<PortalRow>, DbError> {
    db.query(Statement::new(select_portals!("WHERE tenant_id = ?1 ORDER BY name, id"), params![tenant.to_db()])).await
}

pub async fn get(db: &impl Database, tenant: TenantId, id: PortalId) -> Result<Option<PortalRow>, DbError> {
    db.query_one(get_statement(tenant, id)).await
}

/// `get`'s statement, for a batch of reads.
pub fn get_statement(tenant: TenantId, id: PortalId) -> Statement {
    Statement::new(select_portals!("WHERE tenant_id = ?1 AND id = ?2"), params![tenant.to_db(), id.to_db()])
}

/// The portals of the tenant linked to a template, by name.
pub async fn linked_to(db: &impl Database, tenant: TenantId, template: TemplateId) -> Result<Vec<PortalRow>, DbError> {
    db.query(Statement::new(
        select_portals!("WHERE tenant_id = ?1 AND template_id = ?2 ORDER BY name, id"),
        params![tenant.to_db(), template.to_db()],
    ))
    .await
}

/// The tenant's portals for one customer, by name.
pub async fn of_customer(
    db: &impl Database,
    tenant: TenantId,
    customer: CustomerId,
) -> Result<Vec<PortalRow>, DbError> {
    db.query(Statement::new(
        select_portals!("WHERE tenant_id = ?1 AND customer_id = ?2 ORDER BY name, id"),
        params![tenant.to_db(), customer.to_db()],
    ))
    .await
}

/// Every portal showing a theme of `owner`: the owner's and its child tenants' (a parent's
/// themes serve its children), by name. What a change of the theme reaches.
pub async fn showing_theme(db: &impl Database, owner: TenantId, theme: ThemeId) -> Result<Vec<PortalRow>, DbError> {
    db.query(Statement::new(
        select_portals!(
            "WHERE theme_id = ?2 AND (tenant_id = ?1 OR tenant_id IN (SELECT id FROM tenants WHERE parent_id = ?1))
             ORDER BY name, id"
        ),
        params![owner.to_db(), theme.to_db()],
    ))
    .await
}

/// One line of the portal overview.
#[derive(Debug, Deserialize)]
pub struct OverviewRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub enabled: i64,
    pub template_id: Option<String>,
    pub template_name: Option<String>,
    pub template_version: Option<i64>,
    #[serde(deserialize_with = "apps::from_json_column")]
    pub apps: AppSet,
    pub theme_id: Option<String>,
    pub theme_name: Option<String>,
    pub start_page: Option<String>,
    pub invitations_pending: i64,
    pub invitations_accepted: i64,
    pub users: i64,
    pub last_activity_at: Option<i64>,
    /// The names of its first admins, alphabetically (at most `OVERVIEW_ADMINS`).
    #[serde(deserialize_with = "names_from_json_column")]
    pub admins: Vec<String>,
}

/// An overview names at most this many admins of a portal.
pub const OVERVIEW_ADMINS: i64 = 20;

/// A JSON array of names, as `json_group_array` makes it.
fn names_from_json_column<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    let text = String::deserialize(deserializer)?;
    serde_json::from_str(&text).map_err(serde::de::Error::custom)
}

/// Every portal of the tenant with its set-up and how it is used, in one query: pending
/// invitations (neither accepted, revoked nor expired at `now`), accepted ones, accounts,
/// and the last activity (the latest a member's session was seen, or an account was made;
/// sessions are deleted when they end, so this is "at least this recent").
pub async fn overview(db: &impl Database, tenant: TenantId, now: Timestamp) -> Result<Vec<OverviewRow>, DbError> {
    db.query(overview_statement(tenant, None, now)).await
}

/// `overview`'s statement, for a batch of reads: of every portal, or of `customer`'s own.
pub fn overview_statement(tenant: TenantId, customer: Option<CustomerId>, now: Timestamp) -> Statement {
    Statement::new(
        "SELECT p.id, p.slug, p.name, p.enabled, p.template_id, t.name AS template_name,
                t.current_version AS template_version, p.theme_id, th.name AS theme_name, p.start_page,
                (SELECT json_group_array(app) FROM portal_apps pa
                 WHERE pa.tenant_id = p.tenant_id AND pa.portal_id = p.id) AS apps,
                (SELECT COUNT(*) FROM invitations i WHERE i.tenant_id = p.tenant_id AND i.portal_id = p.id
                   AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > ?2) AS invitations_pending,
                (SELECT COUNT(*) FROM invitations i WHERE i.tenant_id = p.tenant_id AND i.portal_id = p.id
                   AND i.accepted_at IS NOT NULL) AS invitations_accepted,
                (SELECT COUNT(*) FROM accounts a WHERE a.tenant_id = p.tenant_id AND a.portal_id = p.id) AS users,
                (SELECT json_group_array(name) FROM
                  (SELECT a.name FROM accounts a WHERE a.tenant_id = p.tenant_id AND a.portal_id = p.id AND a.role = 'admin'
                   ORDER BY a.name COLLATE NOCASE LIMIT ?4)) AS admins,
                NULLIF(MAX(
                  COALESCE((SELECT MAX(s.last_seen_at) FROM accounts a JOIN sessions s ON s.account_id = a.id
                            WHERE a.tenant_id = p.tenant_id AND a.portal_id = p.id AND s.tenant_id = p.tenant_id), 0),
                  COALESCE((SELECT MAX(a.created_at) FROM accounts a
                            WHERE a.tenant_id = p.tenant_id AND a.portal_id = p.id), 0)
                ), 0) AS last_activity_at
         FROM portals p
         LEFT JOIN templates t ON t.tenant_id = p.tenant_id AND t.id = p.template_id
         LEFT JOIN themes th ON th.id = p.theme_id
         WHERE p.tenant_id = ?1 AND (?3 IS NULL OR p.customer_id = ?3)
         ORDER BY p.name, p.id",
        params![tenant.to_db(), now.millis(), customer.map(CustomerId::to_db), OVERVIEW_ADMINS],
    )
}

/// Whether a portal of any tenant has the address `slug` (slugs are unique on the platform).
pub async fn slug_exists(db: &impl Database, slug: &Slug) -> Result<bool, DbError> {
    let found: Option<serde_json::Value> =
        db.query_one(Statement::new("SELECT 1 AS found FROM portals WHERE slug = ?1", params![slug.as_str()])).await?;
    Ok(found.is_some())
}

/// The custom hostnames of a portal (any status): the KV keys to refresh when it changes.
pub async fn hostnames(db: &impl Database, tenant: TenantId, portal: &str) -> Result<Vec<String>, DbError> {
    #[derive(Deserialize)]
    struct Row {
        hostname: String,
    }
    let rows: Vec<Row> = db
        .query(Statement::new(
            "SELECT hostname FROM domains WHERE tenant_id = ?1 AND portal_id = ?2 ORDER BY hostname",
            params![tenant.to_db(), portal],
        ))
        .await?;
    Ok(rows.into_iter().map(|r| r.hostname).collect())
}

/// What a portal's support form files its tickets into, by stored id. Neither column has a
/// foreign key (`ALTER TABLE` cannot add a composite one), so deleting either releases the
/// portals naming it in the same batch.
#[derive(Clone, Copy, Debug)]
pub enum TicketTarget<'a> {
    Inbox(&'a str),
    Pipeline(&'a str),
}

impl<'a> TicketTarget<'a> {
    /// (inbox, pipeline): one of them NULL, which no `=` comparison in SQL matches.
    fn ids(self) -> (Option<&'a str>, Option<&'a str>) {
        match self {
            TicketTarget::Inbox(id) => (Some(id), None),
            TicketTarget::Pipeline(id) => (None, Some(id)),
        }
    }
}

/// Clears the target from every portal of the tenant that names it: run in the batch that
/// deletes the target, before the delete, and only while the target still has `version`
/// (the delete's own guard), so a delete that will not happen releases nothing.
pub fn release_ticket_target(tenant: TenantId, target: TicketTarget<'_>, version: i64, now: Timestamp) -> Statement {
    let (inbox, pipeline) = target.ids();
    Statement::new(
        "UPDATE portals SET
            ticket_inbox_id = CASE WHEN ticket_inbox_id = ?2 THEN NULL ELSE ticket_inbox_id END,
            ticket_pipeline_id = CASE WHEN ticket_pipeline_id = ?3 THEN NULL ELSE ticket_pipeline_id END,
            updated_at = ?4
         WHERE tenant_id = ?1 AND (ticket_inbox_id = ?2 OR ticket_pipeline_id = ?3)
           AND (EXISTS (SELECT 1 FROM inboxes WHERE tenant_id = ?1 AND id = ?2 AND version = ?5)
                OR EXISTS (SELECT 1 FROM pipelines WHERE tenant_id = ?1 AND id = ?3 AND version = ?5))",
        params![tenant.to_db(), inbox, pipeline, now.millis(), version],
    )
}

/// The portals of the tenant that name the target: their cached contexts are refreshed
/// once the target is gone.
pub async fn naming_ticket_target(
    db: &impl Database,
    tenant: TenantId,
    target: TicketTarget<'_>,
) -> Result<Vec<PortalRow>, DbError> {
    let (inbox, pipeline) = target.ids();
    db.query(Statement::new(
        select_portals!("WHERE tenant_id = ?1 AND (ticket_inbox_id = ?2 OR ticket_pipeline_id = ?3) ORDER BY id"),
        params![tenant.to_db(), inbox, pipeline],
    ))
    .await
}

/// Writes a portal's ticket settings whole, with an audit entry of before and after.
/// Whether the inbox and pipeline still exist is asked inside the statement too: one
/// deleted between the caller's check and this write would otherwise be left named here
/// after its deletion released the portals that named it. The settings are part of the
/// portal's row: the write is guarded by `portal.version`, which they share. Returns whether
/// it wrote (false: the portal changed or is gone, or the inbox or the pipeline is gone).
pub async fn update_ticket_settings(
    db: &impl Database,
    tenant: TenantId,
    portal: &PortalRow,
    before: &TicketSettings,
    after: &TicketSettings,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let text = |value: Result<String, serde_json::Error>| value.map_err(|err| DbError::Other(err.to_string()));
    let rules = text(serde_json::to_string(&after.rules))?;
    let form = text(serde_json::to_string(&after.form))?;
    let change = Change::new(tenant, actor, "portal.ticket_settings", "portal", portal.id.clone())
        .before(before.to_json())
        .after(after.to_json());
    let changed = db
        .batch(vec![
            Statement::new(
                "UPDATE portals SET ticket_visibility = ?3, ticket_status_display = ?4, ticket_closed_replies = ?5,
                    ticket_inbox_id = ?6, ticket_pipeline_id = ?7, ticket_rules_json = ?8, support_form_json = ?9,
                    ticket_satisfaction = ?10, updated_at = ?11
                 WHERE tenant_id = ?1 AND id = ?2 AND version = ?12
                   AND (?6 IS NULL OR EXISTS (SELECT 1 FROM inboxes WHERE tenant_id = ?1 AND id = ?6))
                   AND (?7 IS NULL OR EXISTS (SELECT 1 FROM pipelines WHERE tenant_id = ?1 AND id = ?7))",
                params![
                    tenant.to_db(),
                    portal.id.clone(),
                    after.visibility.code(),
                    after.status_display.code(),
                    after.closed_replies.code(),
                    after.inbox_id.as_deref(),
                    after.pipeline_id.as_deref(),
                    rules,
                    form,
                    after.satisfaction,
                    now.millis(),
                    portal.version
                ],
            ),
            change.statement_if_changed(now),
        ])
        .await?;
    Ok(super::wrote(&changed, 0))
}
