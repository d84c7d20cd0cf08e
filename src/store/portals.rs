//! Portals: one branded site of a tenant, for one customer or shared by all its customers.

use serde::Deserialize;
use serde_json::json;

use super::audit::{Actor, Change};
use super::{write_audited, write_audited_after, Database, DbError, Statement};
use crate::domain::access::JoinPolicy;
use crate::domain::ids::{CustomerId, PortalId, TenantId, ThemeId};
use crate::domain::text::{Label, Slug};
use crate::domain::time::Timestamp;
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
        })
    }
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
    write_audited(
        db,
        Statement::new(
            "INSERT INTO portals (id, tenant_id, slug, name, page_title, default_language, customer_id, theme_id, enabled,
                join_policy, idle_timeout_minutes, session_lifetime_hours, terms_text, terms_version, consent_text,
                consent_version, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?11, ?12, ?13, ?14, CASE WHEN ?14 = '' THEN 0 ELSE 1 END,
                ?15, CASE WHEN ?15 = '' THEN 0 ELSE 1 END, ?10, ?10)",
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
                settings.access.consent_text.as_str()
            ],
        ),
        &change,
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
    write_audited(
        db,
        Statement::new(
            "UPDATE portals SET slug = ?3, name = ?4, page_title = ?5, default_language = ?6, customer_id = ?7,
                theme_id = ?8, enabled = ?9, updated_at = ?10, join_policy = ?11, idle_timeout_minutes = ?12,
                session_lifetime_hours = ?13,
                terms_version = CASE WHEN terms_text = ?14 THEN terms_version ELSE terms_version + 1 END,
                terms_text = ?14,
                consent_version = CASE WHEN consent_text = ?15 THEN consent_version ELSE consent_version + 1 END,
                consent_text = ?15
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
                settings.access.consent_text.as_str()
            ],
        ),
        &change,
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
        Statement::new(
            "UPDATE tickets SET portal_id = NULL WHERE tenant_id = ?1 AND portal_id = ?2",
            params![tenant.to_db(), current.id.clone()],
        ),
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
                consent_version, created_at, updated_at FROM portals ",
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
