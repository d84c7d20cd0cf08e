//! Themes: colours and logos, reusable by a tenant's portals and by its child tenants'.

use serde::Deserialize;
use serde_json::json;

use super::audit::{Actor, Change};
use super::versions::write_guarded;
use super::{write_audited, Database, DbError, Statement};
use crate::params;
use porch_types::color::{HexColor, ThemeColors};
use porch_types::error::AppError;
use porch_types::ids::{TenantId, ThemeId};
use porch_types::logo::LogoFormat;
use porch_types::text::Label;
use porch_types::time::Timestamp;

#[derive(Clone, Debug, Deserialize)]
pub struct ThemeRow {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub primary_color: String,
    pub menu_color: String,
    pub notification_color: String,
    pub background_color: String,
    pub text_color: String,
    pub logo_small_key: Option<String>,
    pub logo_small_type: Option<String>,
    pub logo_large_key: Option<String>,
    pub logo_large_type: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The two logo slots of a theme: the small one in the header, the large one on the start page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogoSlot {
    Small,
    Large,
}

impl LogoSlot {
    pub fn parse(text: &str) -> Option<LogoSlot> {
        match text {
            "small" => Some(LogoSlot::Small),
            "large" => Some(LogoSlot::Large),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LogoSlot::Small => "small",
            LogoSlot::Large => "large",
        }
    }
}

impl ThemeRow {
    /// The stored colours; they were parsed on the way in, so a failure here is corruption.
    pub fn colors(&self) -> Result<ThemeColors, AppError> {
        let parse = |text: &str| {
            HexColor::parse(text).map_err(|_| AppError::Internal(format!("theme {} holds colour {text:?}", self.id)))
        };
        Ok(ThemeColors {
            primary: parse(&self.primary_color)?,
            menu: parse(&self.menu_color)?,
            notification: parse(&self.notification_color)?,
            background: parse(&self.background_color)?,
            text: parse(&self.text_color)?,
        })
    }

    pub fn logo(&self, slot: LogoSlot) -> Option<(&str, &str)> {
        match slot {
            LogoSlot::Small => self.logo_small_key.as_deref().zip(self.logo_small_type.as_deref()),
            LogoSlot::Large => self.logo_large_key.as_deref().zip(self.logo_large_type.as_deref()),
        }
    }

    fn summary(&self) -> serde_json::Value {
        json!({
            "name": self.name,
            "colors": {
                "primary": self.primary_color, "menu": self.menu_color, "notification": self.notification_color,
                "background": self.background_color, "text": self.text_color,
            },
            "logos": { "small": self.logo_small_type, "large": self.logo_large_type },
        })
    }
}

fn colors_json(name: &Label, colors: &ThemeColors) -> serde_json::Value {
    json!({ "name": name.as_str(), "colors": colors })
}

pub async fn create(
    db: &impl Database,
    tenant: TenantId,
    id: ThemeId,
    name: &Label,
    colors: &ThemeColors,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change = Change::new(tenant, actor, "theme.create", "theme", id.to_db()).after(colors_json(name, colors));
    write_audited(
        db,
        Statement::new(
            "INSERT INTO themes (id, tenant_id, name, primary_color, menu_color, notification_color, background_color, text_color, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
            params![
                id.to_db(),
                tenant.to_db(),
                name.as_str(),
                colors.primary.to_string(),
                colors.menu.to_string(),
                colors.notification.to_string(),
                colors.background.to_string(),
                colors.text.to_string(),
                now.millis()
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
    current: &ThemeRow,
    name: &Label,
    colors: &ThemeColors,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let change = Change::new(tenant, actor, "theme.update", "theme", current.id.clone())
        .before(current.summary())
        .after(colors_json(name, colors));
    write_guarded(
        db,
        Statement::new(
            "UPDATE themes SET name = ?3, primary_color = ?4, menu_color = ?5, notification_color = ?6, background_color = ?7,
                text_color = ?8, version = version + 1, updated_at = ?9
             WHERE tenant_id = ?1 AND id = ?2 AND version = ?10",
            params![
                tenant.to_db(),
                current.id.clone(),
                name.as_str(),
                colors.primary.to_string(),
                colors.menu.to_string(),
                colors.notification.to_string(),
                colors.background.to_string(),
                colors.text.to_string(),
                now.millis(),
                current.version
            ],
        ),
        &change,
        now,
    )
    .await
}

/// Points a logo slot at an R2 object (or at nothing) and bumps the version, if the theme
/// still has `current.version`; false: it changed or went, and nothing was written.
pub async fn set_logo(
    db: &impl Database,
    tenant: TenantId,
    current: &ThemeRow,
    slot: LogoSlot,
    logo: Option<(&str, LogoFormat)>,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let sql = match slot {
        LogoSlot::Small => "UPDATE themes SET logo_small_key = ?3, logo_small_type = ?4, version = version + 1, updated_at = ?5 WHERE tenant_id = ?1 AND id = ?2 AND version = ?6",
        LogoSlot::Large => "UPDATE themes SET logo_large_key = ?3, logo_large_type = ?4, version = version + 1, updated_at = ?5 WHERE tenant_id = ?1 AND id = ?2 AND version = ?6",
    };
    let change = Change::new(
        tenant,
        actor,
        if logo.is_some() { "theme.logo.set" } else { "theme.logo.remove" },
        "theme",
        current.id.clone(),
    )
    .before(json!({ "slot": slot.as_str(), "content_type": current.logo(slot).map(|(_, t)| t) }))
    .after(json!({ "slot": slot.as_str(), "content_type": logo.map(|(_, f)| f.content_type()) }));
    write_guarded(
        db,
        Statement::new(
            sql,
            params![
                tenant.to_db(),
                current.id.clone(),
                logo.map(|(key, _)| key),
                logo.map(|(_, format)| format.content_type()),
                now.millis(),
                current.version
            ],
        ),
        &change,
        now,
    )
    .await
}

/// Deletes a theme if it still has `current.version`; refused (constraint) while a portal
/// uses it; false: it changed or went.
pub async fn delete(
    db: &impl Database,
    tenant: TenantId,
    current: &ThemeRow,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let change = Change::new(tenant, actor, "theme.delete", "theme", current.id.clone()).before(current.summary());
    write_guarded(
        db,
        Statement::new(
            "DELETE FROM themes WHERE tenant_id = ?1 AND id = ?2 AND version = ?3",
            params![tenant.to_db(), current.id.clone(), current.version],
        ),
        &change,
        now,
    )
    .await
}

pub async fn list(db: &impl Database, tenant: TenantId) -> Result<Vec<ThemeRow>, DbError> {
    db.query(Statement::new("SELECT * FROM themes WHERE tenant_id = ?1 ORDER BY name, id", params![tenant.to_db()]))
        .await
}

/// A theme the tenant owns.
pub async fn get(db: &impl Database, tenant: TenantId, id: ThemeId) -> Result<Option<ThemeRow>, DbError> {
    db.query_one(Statement::new(
        "SELECT * FROM themes WHERE tenant_id = ?1 AND id = ?2",
        params![tenant.to_db(), id.to_db()],
    ))
    .await
}

/// How many of a tenant's portals use one of its themes.
#[derive(Debug, Deserialize)]
pub struct ThemeUse {
    pub theme_id: String,
    pub portals: i64,
}

/// The tenant's themes in use, each with how many of its portals use it.
pub fn uses_statement(tenant: TenantId) -> Statement {
    Statement::new(
        "SELECT theme_id, COUNT(*) AS portals FROM portals WHERE tenant_id = ?1 AND theme_id IS NOT NULL GROUP BY theme_id",
        params![tenant.to_db()],
    )
}

/// The themes of tenant `?1`'s portals: its own, and its parent tenant's (org-wide themes).
macro_rules! usable_themes {
    ($rest:literal) => {
        concat!(
            "SELECT * FROM themes WHERE (tenant_id = ?1 OR tenant_id = (SELECT parent_id FROM tenants WHERE id = ?1)) ",
            $rest
        )
    };
}

/// The themes the tenant's portals may use, its own first.
pub fn usable_statement(tenant: TenantId) -> Statement {
    Statement::new(usable_themes!("ORDER BY tenant_id <> ?1, name, id"), params![tenant.to_db()])
}

/// A theme the tenant's portals may use: its own, or one of its parent tenant's.
pub async fn get_usable(db: &impl Database, tenant: TenantId, id: ThemeId) -> Result<Option<ThemeRow>, DbError> {
    db.query_one(Statement::new(usable_themes!("AND id = ?2"), params![tenant.to_db(), id.to_db()])).await
}

/// Slugs and custom hostnames of every portal using the theme (the owner's and its children's):
/// the cache entries to refresh when the theme changes.
pub async fn portal_hosts(
    db: &impl Database,
    owner: TenantId,
    theme: &str,
) -> Result<Vec<(String, Option<String>)>, DbError> {
    #[derive(Deserialize)]
    struct Row {
        slug: String,
        hostname: Option<String>,
    }
    let rows: Vec<Row> = db
        .query(Statement::new(
            "SELECT p.slug, d.hostname FROM portals p LEFT JOIN domains d ON d.portal_id = p.id
             WHERE p.theme_id = ?2 AND (p.tenant_id = ?1 OR p.tenant_id IN (SELECT id FROM tenants WHERE parent_id = ?1))",
            params![owner.to_db(), theme],
        ))
        .await?;
    Ok(rows.into_iter().map(|r| (r.slug, r.hostname)).collect())
}
