//! Templates: a reusable portal set-up with its immutable versions. Linked portals carry a
//! copy of the current version (apps, theme, start page, navigation and its own links),
//! rewritten in the same batch as every change of the template, so portal reads and the portal
//! cache never join through templates and a portal can never show a version its template does
//! not have.

use serde::Deserialize;
use serde_json::json;

use super::audit::{Actor, Change};
use super::{wrote, Database, DbError, Statement};
use crate::params;
use porch_types::apps::{self, AppSet};
use porch_types::ids::{TemplateId, TenantId};
use porch_types::nav_links::NavLinks;
use porch_types::setup::{Navigation, Setup, StartPage};
use porch_types::text::Label;
use porch_types::time::Timestamp;

#[derive(Clone, Debug, Deserialize)]
pub struct TemplateRow {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub description: String,
    pub is_default: i64,
    pub current_version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    #[serde(deserialize_with = "apps::from_json_column")]
    pub apps: AppSet,
    pub theme_id: Option<String>,
    pub start_page: String,
    pub navigation_json: String,
    pub nav_links_json: Option<String>,
    pub linked_portals: i64,
    /// The row's version (its `ETag`): moves on every change, a rename too, unlike
    /// `current_version`, which counts the set-up's versions.
    pub version: i64,
}

/// A set-up from a version's stored columns.
fn stored_setup(
    apps: AppSet,
    theme_id: Option<&String>,
    start_page: &str,
    navigation_json: &str,
    nav_links_json: Option<&str>,
) -> Setup {
    Setup {
        apps,
        theme_id: theme_id.cloned(),
        start_page: StartPage::from_stored(Some(start_page)),
        navigation: Navigation::from_stored(Some(navigation_json), apps),
        nav_links: NavLinks::from_stored(nav_links_json),
    }
}

impl TemplateRow {
    pub fn is_default(&self) -> bool {
        self.is_default != 0
    }

    /// The set-up of the current version.
    pub fn setup(&self) -> Setup {
        stored_setup(
            self.apps,
            self.theme_id.as_ref(),
            &self.start_page,
            &self.navigation_json,
            self.nav_links_json.as_deref(),
        )
    }

    /// What the audit log keeps.
    pub fn summary(&self) -> serde_json::Value {
        let mut value = json!(self.setup());
        if let Some(object) = value.as_object_mut() {
            object.insert("name".into(), json!(self.name));
            object.insert("description".into(), json!(self.description));
            object.insert("is_default".into(), json!(self.is_default()));
            object.insert("version".into(), json!(self.current_version));
        }
        value
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct VersionRow {
    pub version: i64,
    #[serde(deserialize_with = "apps::from_json_column")]
    pub apps: AppSet,
    pub theme_id: Option<String>,
    pub start_page: String,
    pub navigation_json: String,
    pub nav_links_json: Option<String>,
    pub created_at: i64,
    pub created_by: String,
}

impl VersionRow {
    pub fn setup(&self) -> Setup {
        stored_setup(
            self.apps,
            self.theme_id.as_ref(),
            &self.start_page,
            &self.navigation_json,
            self.nav_links_json.as_deref(),
        )
    }
}

/// Name, description and the default switch: what a change may set besides the set-up.
pub struct TemplateFields<'a> {
    pub name: &'a Label,
    pub description: &'a str,
    pub is_default: bool,
}

/// `SELECT <template with its current version> FROM templates t ... <rest>`.
macro_rules! select_templates {
    ($rest:literal) => {
        concat!(
            "SELECT t.id, t.tenant_id, t.name, t.description, t.is_default, t.current_version, t.created_at,
                t.updated_at, v.apps_json AS apps, v.theme_id, v.start_page, v.navigation_json,
                v.nav_links_json, (SELECT COUNT(*) FROM portals p WHERE p.tenant_id = t.tenant_id AND p.template_id = t.id)
                  AS linked_portals, t.version
             FROM templates t JOIN template_versions v
               ON v.tenant_id = t.tenant_id AND v.template_id = t.id AND v.version = t.current_version ",
            $rest
        )
    };
}

pub async fn list(db: &impl Database, tenant: TenantId) -> Result<Vec<TemplateRow>, DbError> {
    db.query(list_statement(tenant)).await
}

/// `list`'s statement, for a batch of reads.
pub fn list_statement(tenant: TenantId) -> Statement {
    Statement::new(select_templates!("WHERE t.tenant_id = ?1 ORDER BY t.name, t.id"), params![tenant.to_db()])
}

pub async fn get(db: &impl Database, tenant: TenantId, id: TemplateId) -> Result<Option<TemplateRow>, DbError> {
    db.query_one(Statement::new(
        select_templates!("WHERE t.tenant_id = ?1 AND t.id = ?2"),
        params![tenant.to_db(), id.to_db()],
    ))
    .await
}

/// The tenant's default template, if it has one.
pub async fn get_default(db: &impl Database, tenant: TenantId) -> Result<Option<TemplateRow>, DbError> {
    db.query_one(Statement::new(
        select_templates!("WHERE t.tenant_id = ?1 AND t.is_default = 1"),
        params![tenant.to_db()],
    ))
    .await
}

/// Every version of a template, newest first.
pub async fn versions(db: &impl Database, tenant: TenantId, id: TemplateId) -> Result<Vec<VersionRow>, DbError> {
    db.query(Statement::new(
        "SELECT version, apps_json AS apps, theme_id, start_page, navigation_json, nav_links_json, created_at, created_by
         FROM template_versions WHERE tenant_id = ?1 AND template_id = ?2 ORDER BY version DESC",
        params![tenant.to_db(), id.to_db()],
    ))
    .await
}

pub async fn version(
    db: &impl Database,
    tenant: TenantId,
    id: TemplateId,
    version: i64,
) -> Result<Option<VersionRow>, DbError> {
    db.query_one(Statement::new(
        "SELECT version, apps_json AS apps, theme_id, start_page, navigation_json, nav_links_json, created_at, created_by
         FROM template_versions WHERE tenant_id = ?1 AND template_id = ?2 AND version = ?3",
        params![tenant.to_db(), id.to_db(), version],
    ))
    .await
}

/// Takes the default from every other template of the tenant (run before setting one).
/// With `guard`, only while `keep` has that version (the guard of the write it comes before).
fn clear_other_defaults(tenant: TenantId, keep: &str, guard: Option<i64>) -> Statement {
    Statement::new(
        "UPDATE templates SET is_default = 0 WHERE tenant_id = ?1 AND is_default = 1 AND id <> ?2
           AND (?3 IS NULL OR EXISTS (SELECT 1 FROM templates WHERE tenant_id = ?1 AND id = ?2 AND version = ?3))",
        params![tenant.to_db(), keep, guard],
    )
}

/// The version row, written only if the template now carries that version (so a change
/// that lost a race writes no orphan version).
fn insert_version(
    tenant: TenantId,
    template: &str,
    version: i64,
    setup: &Setup,
    actor: &Actor,
    now: Timestamp,
) -> Statement {
    Statement::new(
        "INSERT INTO template_versions
            (tenant_id, template_id, version, apps_json, theme_id, start_page, navigation_json, created_at, created_by,
             nav_links_json)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10
         WHERE EXISTS (SELECT 1 FROM templates WHERE tenant_id = ?1 AND id = ?2 AND current_version = ?3)",
        params![
            tenant.to_db(),
            template,
            version,
            setup.apps.to_json_text(),
            setup.theme_id.as_deref(),
            setup.start_page.path(),
            setup.navigation.to_json_text(),
            now.millis(),
            actor.label(),
            setup.nav_links.to_stored()
        ],
    )
}

/// Copies a set-up into every portal linked to the template: columns, then the apps rows
/// (the removed ones, then the added ones; `portal_apps`' foreign key to the plan still
/// refuses an app outside it).
fn apply_to_portals(tenant: TenantId, template: &str, setup: &Setup, now: Timestamp) -> Vec<Statement> {
    vec![
        Statement::new(
            "UPDATE portals SET theme_id = ?3, start_page = ?4, navigation_json = ?5, updated_at = ?6, nav_links_json = ?7
             WHERE tenant_id = ?1 AND template_id = ?2",
            params![
                tenant.to_db(),
                template,
                setup.theme_id.as_deref(),
                setup.start_page.path(),
                setup.navigation.to_json_text(),
                now.millis(),
                setup.nav_links.to_stored()
            ],
        ),
        Statement::new(
            "DELETE FROM portal_apps WHERE tenant_id = ?1
               AND portal_id IN (SELECT id FROM portals WHERE tenant_id = ?1 AND template_id = ?2)
               AND app NOT IN (SELECT value FROM json_each(?3))",
            params![tenant.to_db(), template, setup.apps.to_json_text()],
        ),
        Statement::new(
            "INSERT OR IGNORE INTO portal_apps (tenant_id, portal_id, app)
             SELECT ?1, p.id, j.value FROM portals p, json_each(?3) j WHERE p.tenant_id = ?1 AND p.template_id = ?2",
            params![tenant.to_db(), template, setup.apps.to_json_text()],
        ),
    ]
}

fn fields_json(fields: &TemplateFields<'_>, setup: &Setup, version: i64) -> serde_json::Value {
    let mut value = json!(setup);
    if let Some(object) = value.as_object_mut() {
        object.insert("name".into(), json!(fields.name.as_str()));
        object.insert("description".into(), json!(fields.description));
        object.insert("is_default".into(), json!(fields.is_default));
        object.insert("version".into(), json!(version));
    }
    value
}

/// A new template with its version 1, in one batch (taking the default from another
/// template when it is the default).
pub async fn create(
    db: &impl Database,
    tenant: TenantId,
    id: TemplateId,
    fields: &TemplateFields<'_>,
    setup: &Setup,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change =
        Change::new(tenant, actor, "template.create", "template", id.to_db()).after(fields_json(fields, setup, 1));
    let mut batch = Vec::new();
    if fields.is_default {
        batch.push(clear_other_defaults(tenant, &id.to_db(), None));
    }
    batch.extend([
        Statement::new(
            "INSERT INTO templates (id, tenant_id, name, description, is_default, current_version, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?6)",
            params![id.to_db(), tenant.to_db(), fields.name.as_str(), fields.description, fields.is_default, now.millis()],
        ),
        change.statement_if_changed(now),
        insert_version(tenant, &id.to_db(), 1, setup, actor, now),
    ]);
    db.batch(batch).await.map(drop)
}

/// A change of a template as one unit of work: its name, description and default switch,
/// and, when `setup` is given, a new version copied into every linked portal. `action` is
/// the audit action (`template.update`, `template.rollback`); `portals` the linked portals'
/// ids the caller confirmed, kept in the entry. False: the template changed or went away
/// since `current` was read, and nothing was written.
#[allow(clippy::too_many_arguments)]
pub async fn update(
    db: &impl Database,
    tenant: TenantId,
    current: &TemplateRow,
    fields: &TemplateFields<'_>,
    setup: Option<&Setup>,
    action: &'static str,
    portals: &[String],
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let next = current.current_version + i64::from(setup.is_some());
    let after = fields_json(fields, setup.unwrap_or(&current.setup()), next);
    let mut after = after;
    if let Some(object) = after.as_object_mut() {
        object.insert("portals".into(), json!(portals));
    }
    let change =
        Change::new(tenant, actor, action, "template", current.id.clone()).before(current.summary()).after(after);
    let mut batch = Vec::new();
    if fields.is_default {
        batch.push(clear_other_defaults(tenant, &current.id, Some(current.version)));
    }
    let write_index = batch.len();
    batch.extend([
        // Guarded by the versions read: two changes racing cannot both build on them.
        Statement::new(
            "UPDATE templates SET name = ?3, description = ?4, is_default = ?5, current_version = ?6, updated_at = ?7
             WHERE tenant_id = ?1 AND id = ?2 AND current_version = ?8 AND version = ?9",
            params![
                tenant.to_db(),
                current.id.clone(),
                fields.name.as_str(),
                fields.description,
                fields.is_default,
                next,
                now.millis(),
                current.current_version,
                current.version
            ],
        ),
        change.statement_if_changed(now),
    ]);
    if let Some(setup) = setup {
        batch.push(insert_version(tenant, &current.id, next, setup, actor, now));
        batch.extend(apply_to_portals(tenant, &current.id, setup, now));
    }
    let changed = db.batch(batch).await?;
    Ok(wrote(&changed, write_index))
}

/// Deletes a template and its versions, only while no portal is linked to it (the foreign
/// key of `portals.template_id` says the same), and at `current.version`. False: linked,
/// changed, or gone.
pub async fn delete(
    db: &impl Database,
    tenant: TenantId,
    current: &TemplateRow,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let change =
        Change::new(tenant, actor, "template.delete", "template", current.id.clone()).before(current.summary());
    let changed = db
        .batch(vec![
            Statement::new(
                "DELETE FROM templates WHERE tenant_id = ?1 AND id = ?2 AND version = ?3
                   AND NOT EXISTS (SELECT 1 FROM portals WHERE tenant_id = ?1 AND template_id = ?2)",
                params![tenant.to_db(), current.id.clone(), current.version],
            ),
            change.statement_if_changed(now),
        ])
        .await?;
    Ok(wrote(&changed, 0))
}
