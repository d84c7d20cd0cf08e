//! Pipelines and their ordered stages. A pipeline's stages are written whole: kept stages
//! keep their ids (so tickets in them stay put), new ones are added, missing ones removed,
//! all in one batch with the audit entry.

use serde::Deserialize;
use serde_json::json;

use super::audit::{Actor, Change};
use super::versions::write_guarded_after;
use super::{Database, DbError, Statement};
use crate::params;
use porch_types::ids::{PipelineId, StageId, TenantId};
use porch_types::text::Label;
use porch_types::tickets::StageSpec;
use porch_types::time::Timestamp;

#[derive(Clone, Debug, Deserialize)]
pub struct PipelineRow {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct StageRow {
    pub id: String,
    pub pipeline_id: String,
    pub name: String,
    pub position: i64,
    pub is_closed: i64,
    pub notify_requester: i64,
}

/// What the audit log keeps of one stage, before and after a write alike.
fn stage_summary(id: &str, name: &str, closed: bool, notify_requester: bool) -> serde_json::Value {
    json!({ "id": id, "name": name, "closed": closed, "notify_requester": notify_requester })
}

/// What the audit log keeps of a pipeline definition.
fn summary(name: &Label, stages: &[(StageId, &StageSpec)]) -> serde_json::Value {
    json!({
        "name": name.as_str(),
        "stages": stages
            .iter()
            .map(|(id, s)| stage_summary(&id.to_db(), s.name.as_str(), s.closed, s.notify_requester))
            .collect::<Vec<_>>(),
    })
}

/// A stage's insert; with `guard`, only while the pipeline has that version (an update's).
fn insert_stage(
    tenant: TenantId,
    pipeline: PipelineId,
    id: StageId,
    spec: &StageSpec,
    position: usize,
    guard: Option<i64>,
) -> Statement {
    Statement::new(
        "INSERT INTO stages (id, tenant_id, pipeline_id, name, position, is_closed, notify_requester)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
         WHERE ?8 IS NULL OR EXISTS (SELECT 1 FROM pipelines WHERE tenant_id = ?2 AND id = ?3 AND version = ?8)",
        params![
            id.to_db(),
            tenant.to_db(),
            pipeline.to_db(),
            spec.name.as_str(),
            i64::try_from(position).unwrap_or(i64::MAX),
            spec.closed,
            spec.notify_requester,
            guard
        ],
    )
}

/// `stages` pairs each spec with its id (the spec's own, or a fresh one for a new stage).
pub async fn create(
    db: &impl Database,
    tenant: TenantId,
    id: PipelineId,
    name: &Label,
    stages: &[(StageId, &StageSpec)],
    actor: &Actor,
    now: Timestamp,
) -> Result<(), DbError> {
    let change = Change::new(tenant, actor, "pipeline.create", "pipeline", id.to_db()).after(summary(name, stages));
    let mut batch = vec![Statement::new(
        "INSERT INTO pipelines (id, tenant_id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
        params![id.to_db(), tenant.to_db(), name.as_str(), now.millis()],
    )];
    batch.extend(
        stages
            .iter()
            .enumerate()
            .map(|(position, (stage, spec))| insert_stage(tenant, id, *stage, spec, position, None)),
    );
    batch.push(change.statement(now));
    db.batch(batch).await.map(drop)
}

/// Rewrites a pipeline: its name, and its stages as given (kept ones by id, new ones added,
/// the others removed).
#[allow(clippy::too_many_arguments)]
pub async fn update(
    db: &impl Database,
    tenant: TenantId,
    current: &PipelineRow,
    current_stages: &[StageRow],
    name: &Label,
    stages: &[(StageId, &StageSpec)],
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let id = PipelineId::parse(&current.id).ok_or_else(|| DbError::Other("pipeline id".into()))?;
    let before = json!({
        "name": current.name,
        "stages": current_stages
            .iter()
            .map(|s| stage_summary(&s.id, &s.name, s.is_closed != 0, s.notify_requester != 0))
            .collect::<Vec<_>>(),
    });
    let change = Change::new(tenant, actor, "pipeline.update", "pipeline", current.id.clone())
        .before(before)
        .after(summary(name, stages));
    // The stages change first, each only while the pipeline has the version this edit read;
    // the pipeline's own guarded UPDATE comes last, so its audit entry can ask whether it
    // wrote. One batch: either all of it happens or, over a stale version, none.
    let version = current.version;
    let mut batch = Vec::new();
    let kept: Vec<String> = stages.iter().map(|(stage, _)| stage.to_db()).collect();
    for gone in current_stages.iter().filter(|s| !kept.contains(&s.id)) {
        batch.push(Statement::new(
            "DELETE FROM stages WHERE tenant_id = ?1 AND pipeline_id = ?2 AND id = ?3
               AND EXISTS (SELECT 1 FROM pipelines WHERE tenant_id = ?1 AND id = ?2 AND version = ?4)",
            params![tenant.to_db(), current.id.clone(), gone.id.clone(), version],
        ));
    }
    // Names are unique per pipeline: park the kept stages under their ids first, so a swap
    // of two names never collides half-way through the batch. Only the stages this edit
    // read are touched; one added meanwhile by another edit keeps its name.
    for kept in current_stages.iter().filter(|s| kept.contains(&s.id)) {
        batch.push(Statement::new(
            "UPDATE stages SET name = id WHERE tenant_id = ?1 AND pipeline_id = ?2 AND id = ?3
               AND EXISTS (SELECT 1 FROM pipelines WHERE tenant_id = ?1 AND id = ?2 AND version = ?4)",
            params![tenant.to_db(), current.id.clone(), kept.id.clone(), version],
        ));
    }
    for (position, (stage, spec)) in stages.iter().enumerate() {
        if current_stages.iter().any(|s| s.id == stage.to_db()) {
            batch.push(Statement::new(
                "UPDATE stages SET name = ?4, position = ?5, is_closed = ?6, notify_requester = ?7
                 WHERE tenant_id = ?1 AND pipeline_id = ?2 AND id = ?3
                   AND EXISTS (SELECT 1 FROM pipelines WHERE tenant_id = ?1 AND id = ?2 AND version = ?8)",
                params![
                    tenant.to_db(),
                    current.id.clone(),
                    stage.to_db(),
                    spec.name.as_str(),
                    i64::try_from(position).unwrap_or(i64::MAX),
                    spec.closed,
                    spec.notify_requester,
                    version
                ],
            ));
        } else {
            batch.push(insert_stage(tenant, id, *stage, spec, position, Some(version)));
        }
    }
    write_guarded_after(
        db,
        batch,
        Statement::new(
            "UPDATE pipelines SET name = ?3, updated_at = ?4 WHERE tenant_id = ?1 AND id = ?2 AND version = ?5",
            params![tenant.to_db(), current.id.clone(), name.as_str(), now.millis(), version],
        ),
        &change,
        now,
    )
    .await
}

pub async fn delete(
    db: &impl Database,
    tenant: TenantId,
    current: &PipelineRow,
    actor: &Actor,
    now: Timestamp,
) -> Result<bool, DbError> {
    let change = Change::new(tenant, actor, "pipeline.delete", "pipeline", current.id.clone())
        .before(json!({ "name": current.name }));
    // Portals whose support form started tickets here start them in the tenant's first
    // pipeline again (the column has no foreign key to do this for us). A pipeline that
    // still has tickets is refused by theirs, and this release is undone with it.
    let target = super::portals::TicketTarget::Pipeline(&current.id);
    write_guarded_after(
        db,
        vec![super::portals::release_ticket_target(tenant, target, current.version, now)],
        Statement::new(
            "DELETE FROM pipelines WHERE tenant_id = ?1 AND id = ?2 AND version = ?3",
            params![tenant.to_db(), current.id.clone(), current.version],
        ),
        &change,
        now,
    )
    .await
}

pub async fn list(db: &impl Database, tenant: TenantId) -> Result<Vec<PipelineRow>, DbError> {
    db.query(list_statement(tenant)).await
}

/// `list`'s statement, for a batch of reads.
pub fn list_statement(tenant: TenantId) -> Statement {
    Statement::new(
        "SELECT id, name, created_at, updated_at, version FROM pipelines WHERE tenant_id = ?1 ORDER BY name, id",
        params![tenant.to_db()],
    )
}

pub async fn get(db: &impl Database, tenant: TenantId, id: PipelineId) -> Result<Option<PipelineRow>, DbError> {
    db.query_one(Statement::new(
        "SELECT id, name, created_at, updated_at, version FROM pipelines WHERE tenant_id = ?1 AND id = ?2",
        params![tenant.to_db(), id.to_db()],
    ))
    .await
}

/// A pipeline's first open stage: where new tickets start and reopened ones go back to.
pub async fn first_open_stage(
    db: &impl Database,
    tenant: TenantId,
    pipeline: PipelineId,
) -> Result<Option<StageId>, DbError> {
    let stages = stages(db, tenant, Some(pipeline)).await?;
    Ok(stages.iter().find(|s| s.is_closed == 0).and_then(|s| StageId::parse(&s.id)))
}

/// The stages of one pipeline (`Some`) or of all the tenant's pipelines, in order.
pub async fn stages(
    db: &impl Database,
    tenant: TenantId,
    pipeline: Option<PipelineId>,
) -> Result<Vec<StageRow>, DbError> {
    db.query(Statement::new(
        "SELECT id, pipeline_id, name, position, is_closed, notify_requester FROM stages
         WHERE tenant_id = ?1 AND (?2 IS NULL OR pipeline_id = ?2) ORDER BY pipeline_id, position",
        params![tenant.to_db(), pipeline.map(PipelineId::to_db)],
    ))
    .await
}
