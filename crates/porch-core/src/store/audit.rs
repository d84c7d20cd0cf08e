//! The audit log: one row per change made through the admin API, written in the same
//! atomic batch as the change itself.

use serde::Deserialize;

use super::{Database, DbError, Statement};
use crate::params;
use porch_types::ids::TenantId;
use porch_types::time::Timestamp;

/// Who made a change, as recorded: the operator, one tenant API key, or a recipient
/// (a portal admin managing users, a person accepting an invitation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    Platform,
    ApiKey(porch_types::ids::ApiKeyId),
    Account(porch_types::ids::AccountId),
    /// Staff recorded earlier by label (the maker of a preview link, when it is opened).
    Staff(String),
}

impl Actor {
    pub fn label(&self) -> String {
        match self {
            Actor::Platform => "platform".to_owned(),
            Actor::ApiKey(id) => format!("key:{id}"),
            Actor::Account(id) => format!("account:{id}"),
            Actor::Staff(label) => label.clone(),
        }
    }
}

/// A change to record. `before`/`after` are summaries: never secrets.
pub struct Change<'a> {
    pub tenant: Option<TenantId>,
    pub actor: &'a Actor,
    pub action: &'static str,
    pub target_type: &'static str,
    pub target_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl<'a> Change<'a> {
    /// A change to one tenant's `target`; add `before`/`after` summaries as they apply.
    pub fn new(
        tenant: TenantId,
        actor: &'a Actor,
        action: &'static str,
        target_type: &'static str,
        target_id: String,
    ) -> Self {
        Change { tenant: Some(tenant), actor, action, target_type, target_id, before: None, after: None }
    }

    #[must_use]
    pub fn before(mut self, summary: serde_json::Value) -> Self {
        self.before = Some(summary);
        self
    }

    #[must_use]
    pub fn after(mut self, summary: serde_json::Value) -> Self {
        self.after = Some(summary);
        self
    }

    pub fn statement(&self, now: Timestamp) -> Statement {
        self.insert(
            "INSERT INTO audit_log (tenant_id, actor, action, target_type, target_id, at, before_json, after_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            now,
        )
    }

    /// The entry, written only if the statement just before it in the batch changed a row:
    /// a guarded write that did nothing leaves no record of a change that never happened.
    pub fn statement_if_changed(&self, now: Timestamp) -> Statement {
        self.insert(
            "INSERT INTO audit_log (tenant_id, actor, action, target_type, target_id, at, before_json, after_json)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 WHERE changes() > 0",
            now,
        )
    }

    fn insert(&self, sql: &'static str, now: Timestamp) -> Statement {
        Statement::new(
            sql,
            params![
                self.tenant.map(TenantId::to_db),
                self.actor.label(),
                self.action,
                self.target_type,
                self.target_id.clone(),
                now.millis(),
                self.before.as_ref().map(ToString::to_string),
                self.after.as_ref().map(ToString::to_string),
            ],
        )
    }
}

#[derive(Debug, Deserialize)]
pub struct AuditRow {
    pub seq: i64,
    pub tenant_id: Option<String>,
    pub actor: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub at: i64,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

/// An entry with its actor's name where one is known: a console person, an API key or a
/// portal user (`staff:`, `key:`, `account:`; the platform and anyone since removed have none).
#[derive(Debug, Deserialize)]
pub struct NamedEntry {
    #[serde(flatten)]
    pub entry: AuditRow,
    pub actor_name: Option<String>,
    /// Whether the actor is the platform's operator (named to no tenant).
    pub actor_operator: i64,
}

/// The name of the actor `l.actor`, each kind looked up by its primary key and only within
/// the entry's tenant: a parent tenant's key (which may change a child's themes) or the
/// platform's operator is not named to the tenant's people (`actor_operator` says the latter).
macro_rules! actor_name {
    () => {
        "CASE WHEN l.actor LIKE 'staff:%'
                THEN (SELECT name FROM staff WHERE id = substr(l.actor, 7) AND tenant_id = l.tenant_id)
              WHEN l.actor LIKE 'key:%'
                THEN (SELECT name FROM api_keys WHERE id = substr(l.actor, 5) AND tenant_id = l.tenant_id)
              WHEN l.actor LIKE 'account:%'
                THEN (SELECT name FROM accounts WHERE id = substr(l.actor, 9) AND tenant_id = l.tenant_id) END
         AS actor_name,
         EXISTS (SELECT 1 FROM staff WHERE l.actor LIKE 'staff:%' AND id = substr(l.actor, 7) AND tenant_id IS NULL)
         AS actor_operator"
    };
}

/// Which of a tenant's entries to show: by whom, of what kind, older than a cursor.
#[derive(Clone, Copy, Debug, Default)]
pub struct AuditFilter<'a> {
    pub actor: Option<&'a str>,
    pub target_type: Option<&'a str>,
    pub before_seq: Option<i64>,
}

/// A tenant's entries that pass `filter`, newest first, at most `limit`, with their actors'
/// names.
pub fn filtered_statement(tenant: TenantId, filter: AuditFilter<'_>, limit: i64) -> Statement {
    Statement::new(
        concat!(
            "SELECT l.seq, l.tenant_id, l.actor, l.action, l.target_type, l.target_id, l.at, l.before_json,
                    l.after_json, ",
            actor_name!(),
            "
             FROM audit_log l
             WHERE l.tenant_id = ?1 AND (?2 IS NULL OR l.seq < ?2) AND (?3 IS NULL OR l.actor = ?3)
               AND (?4 IS NULL OR l.target_type = ?4)
             ORDER BY l.seq DESC LIMIT ?5"
        ),
        params![tenant.to_db(), filter.before_seq, filter.actor, filter.target_type, limit],
    )
}

/// Someone who changed something of a tenant, with their name where one is known.
#[derive(Clone, Debug, Deserialize)]
pub struct ActorChoice {
    pub actor: String,
    pub actor_name: Option<String>,
    pub actor_operator: i64,
}

/// Who changed something of the tenant: its console people, its API keys and the platform
/// (portal users, who change only what is theirs, are many and left out of the choice).
pub fn actors_statement(tenant: TenantId) -> Statement {
    Statement::new(
        concat!(
            "SELECT l.actor, ",
            actor_name!(),
            "
             FROM (SELECT DISTINCT tenant_id, actor FROM audit_log WHERE tenant_id = ?1 AND actor NOT LIKE 'account:%') l
             ORDER BY actor_name IS NULL, actor_name, l.actor LIMIT 200"
        ),
        params![tenant.to_db()],
    )
}

/// A kind of thing a tenant's entries changed.
#[derive(Clone, Debug, Deserialize)]
pub struct Kind {
    pub target_type: String,
}

/// The kinds of things the tenant's entries changed.
pub fn target_types_statement(tenant: TenantId) -> Statement {
    Statement::new(
        "SELECT DISTINCT target_type FROM audit_log WHERE tenant_id = ?1 ORDER BY target_type",
        params![tenant.to_db()],
    )
}

/// A tenant's entries, newest first, strictly older than `before_seq` when given.
pub async fn list_for_tenant(
    db: &impl Database,
    tenant: TenantId,
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditRow>, DbError> {
    db.query(Statement::new(
        "SELECT seq, tenant_id, actor, action, target_type, target_id, at, before_json, after_json
         FROM audit_log WHERE tenant_id = ?1 AND (?2 IS NULL OR seq < ?2)
         ORDER BY seq DESC LIMIT ?3",
        params![tenant.to_db(), before_seq, limit],
    ))
    .await
}

/// Every entry, for the platform operator.
pub async fn list_all(db: &impl Database, before_seq: Option<i64>, limit: i64) -> Result<Vec<AuditRow>, DbError> {
    db.query(Statement::new(
        "SELECT seq, tenant_id, actor, action, target_type, target_id, at, before_json, after_json
         FROM audit_log WHERE (?1 IS NULL OR seq < ?1)
         ORDER BY seq DESC LIMIT ?2",
        params![before_seq, limit],
    ))
    .await
}
