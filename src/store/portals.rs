//! Portals: one branded site of a tenant, for one customer or shared by all its customers.

use serde::Deserialize;
use serde_json::json;

use super::audit::{Actor, Change};
use super::{write_audited_after, write_audited_then, Database, DbError, Statement};
use crate::domain::access::JoinPolicy;
use crate::domain::apps::{self, AppSet};
use crate::domain::ids::{CustomerId, PortalId, TenantId, ThemeId};
use crate::domain::portal_tickets::TicketSettings;
use crate::domain::text::{Label, Slug};
use crate::domain::time::Timestamp;
use crate::domain::usage::UtcOffset;
use crate::i18n::Language;
use crate::params;

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
    pub time_zone: UtcOffset,
    /// The apps the portal offers, within its tenant's plan.
    #[serde(deserialize_with = "apps::from_json_column")]
    pub apps: AppSet,
    pub created_at: i64,
    pub updated_at: i64,
}

impl PortalRow {
    pub fn is_enabled(&self) -> bool {
        self.enabled != 0
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
        })
    }

    pub fn to_json(&self) -> serde_json::Value {
        let mut value = self.settings_json();
        if let Some(object) = value.as_object_mut() {
            object.insert("id".into(), json!(self.id));
            object.insert("tenant_id".into(), json!(self.tenant_id));
            object.insert(
                "audience".into(),
                json!(if self.customer_id.is_some() { "one_customer" } else { "all_customers" }),
            );
            object.insert("created_at".into(), json!(Timestamp::from_millis(self.created_at)));
            object.insert("updated_at".into(), json!(Timestamp::from_millis(self.updated_at)));
        }
        value
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
    pub time_zone: UtcOffset,
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

impl AccessSettings {
    pub const DEFAULT_IDLE_MINUTES: i64 = 60;
    pub const DEFAULT_LIFETIME_HOURS: i64 = 168;
}

impl PortalSettings {
    fn to_json(&self) -> serde_json::Value {
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
        })
    }
}

/// Makes the portal's apps exactly `apps`: the others are removed, the missing added. Both
/// run after the portal's own statement, in its batch; the insert asks that the portal
/// exists, so a portal deleted meanwhile gets no rows (rather than a foreign key error).
fn set_apps(tenant: TenantId, portal: &str, apps: AppSet) -> Vec<Statement> {
    vec![
        Statement::new(
            "DELETE FROM portal_apps WHERE tenant_id = ?1 AND portal_id = ?2
               AND app NOT IN (SELECT value FROM json_each(?3))",
            params![tenant.to_db(), portal, apps.to_json_text()],
        ),
        Statement::new(
            "INSERT OR IGNORE INTO portal_apps (tenant_id, portal_id, app)
             SELECT ?1, ?2, value FROM json_each(?3)
             WHERE EXISTS (SELECT 1 FROM portals WHERE tenant_id = ?1 AND id = ?2)",
            params![tenant.to_db(), portal, apps.to_json_text()],
        ),
    ]
}

pub async fn create(
    db: &impl Database,
    tenant: TenantId,
    id: PortalId,
    settings: &PortalSettings,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change = Change::new(tenant, actor, "portal.create", "portal", id.to_db()).after(settings.to_json());
    write_audited_then(
        db,
        Statement::new(
            "INSERT INTO portals (id, tenant_id, slug, name, page_title, default_language, customer_id, theme_id, enabled,
                join_policy, idle_timeout_minutes, session_lifetime_hours, terms_text, terms_version, consent_text,
                consent_version, created_at, updated_at, time_zone)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?11, ?12, ?13, ?14, CASE WHEN ?14 = '' THEN 0 ELSE 1 END,
                ?15, CASE WHEN ?15 = '' THEN 0 ELSE 1 END, ?10, ?10, ?16)",
            params![
                id.to_db(),
                tenant.to_db(),
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
                settings.time_zone.minutes()
            ],
        ),
        &change,
        set_apps(tenant, &id.to_db(), settings.apps),
        now,
    )
    .await
}

pub async fn update(
    db: &impl Database,
    tenant: TenantId,
    current: &PortalRow,
    settings: &PortalSettings,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change = Change::new(tenant, actor, "portal.update", "portal", current.id.clone())
        .before(current.settings_json())
        .after(settings.to_json());
    write_audited_then(
        db,
        Statement::new(
            "UPDATE portals SET slug = ?3, name = ?4, page_title = ?5, default_language = ?6, customer_id = ?7,
                theme_id = ?8, enabled = ?9, updated_at = ?10, join_policy = ?11, idle_timeout_minutes = ?12,
                session_lifetime_hours = ?13,
                terms_version = CASE WHEN terms_text = ?14 THEN terms_version ELSE terms_version + 1 END,
                terms_text = ?14,
                consent_version = CASE WHEN consent_text = ?15 THEN consent_version ELSE consent_version + 1 END,
                consent_text = ?15, time_zone = ?16
             WHERE tenant_id = ?1 AND id = ?2",
            params![
                tenant.to_db(),
                current.id.clone(),
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
                settings.time_zone.minutes()
            ],
        ),
        &change,
        set_apps(tenant, &current.id, settings.apps),
        now,
    )
    .await
}

/// Deletes a portal with its domains and accounts (cascade).
pub async fn delete(
    db: &impl Database,
    tenant: TenantId,
    current: &PortalRow,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change =
        Change::new(tenant, actor, "portal.delete", "portal", current.id.clone()).before(current.settings_json());
    // Tickets opened through the portal stay with the provider, no longer tied to it.
    write_audited_after(
        db,
        vec![Statement::new(
            "UPDATE tickets SET portal_id = NULL WHERE tenant_id = ?1 AND portal_id = ?2",
            params![tenant.to_db(), current.id.clone()],
        )],
        Statement::new(
            "DELETE FROM portals WHERE tenant_id = ?1 AND id = ?2",
            params![tenant.to_db(), current.id.clone()],
        ),
        &change,
        now,
    )
    .await
}

/// `SELECT <portal columns> FROM portals <rest>`.
macro_rules! select_portals {
    ($rest:literal) => {
        concat!(
            "SELECT id, tenant_id, slug, name, page_title, default_language, customer_id, theme_id, enabled,
                join_policy, idle_timeout_minutes, session_lifetime_hours, terms_text, terms_version, consent_text,
                consent_version, created_at, updated_at, time_zone,
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
    db.query_one(Statement::new(
        select_portals!("WHERE tenant_id = ?1 AND id = ?2"),
        params![tenant.to_db(), id.to_db()],
    ))
    .await
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
/// deletes the target.
pub fn release_ticket_target(tenant: TenantId, target: TicketTarget<'_>, now: Timestamp) -> Statement {
    let (inbox, pipeline) = target.ids();
    Statement::new(
        "UPDATE portals SET
            ticket_inbox_id = CASE WHEN ticket_inbox_id = ?2 THEN NULL ELSE ticket_inbox_id END,
            ticket_pipeline_id = CASE WHEN ticket_pipeline_id = ?3 THEN NULL ELSE ticket_pipeline_id END,
            updated_at = ?4
         WHERE tenant_id = ?1 AND (ticket_inbox_id = ?2 OR ticket_pipeline_id = ?3)",
        params![tenant.to_db(), inbox, pipeline, now.millis()],
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
/// after its deletion released the portals that named it. Returns whether it wrote (false:
/// the portal, the inbox or the pipeline is gone).
pub async fn update_ticket_settings(
    db: &impl Database,
    tenant: TenantId,
    portal: PortalId,
    before: &TicketSettings,
    after: &TicketSettings,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let text = |value: Result<String, serde_json::Error>| value.map_err(|err| DbError::Other(err.to_string()));
    let rules = text(serde_json::to_string(&after.rules))?;
    let form = text(serde_json::to_string(&after.form))?;
    let change = Change::new(tenant, actor, "portal.ticket_settings", "portal", portal.to_db())
        .before(before.to_json())
        .after(after.to_json());
    let changed = db
        .batch(vec![
            Statement::new(
                "UPDATE portals SET ticket_visibility = ?3, ticket_status_display = ?4, ticket_closed_replies = ?5,
                    ticket_inbox_id = ?6, ticket_pipeline_id = ?7, ticket_rules_json = ?8, support_form_json = ?9,
                    ticket_satisfaction = ?10, updated_at = ?11
                 WHERE tenant_id = ?1 AND id = ?2
                   AND (?6 IS NULL OR EXISTS (SELECT 1 FROM inboxes WHERE tenant_id = ?1 AND id = ?6))
                   AND (?7 IS NULL OR EXISTS (SELECT 1 FROM pipelines WHERE tenant_id = ?1 AND id = ?7))",
                params![
                    tenant.to_db(),
                    portal.to_db(),
                    after.visibility.code(),
                    after.status_display.code(),
                    after.closed_replies.code(),
                    after.inbox_id.as_deref(),
                    after.pipeline_id.as_deref(),
                    rules,
                    form,
                    after.satisfaction,
                    now.millis()
                ],
            ),
            change.statement_if_changed(now),
        ])
        .await?;
    Ok(super::wrote(&changed, 0))
}
