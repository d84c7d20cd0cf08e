//! Ticket set-up through the admin API: pipelines with their ordered stages, inboxes, and
//! custom ticket properties.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::Reach;
use super::input::{double_option, Fields};
use super::versions::{self, tagged, Precondition};
use super::{created, no_content, ok, Call};
use crate::app::portal_settings::refresh_portal_hosts;
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::inboxes::{self, InboxRow, InboxSettings};
use crate::store::pipelines::{self, PipelineRow, StageRow};
use crate::store::portals::{self, TicketTarget};
use crate::store::ticket_properties::{self, NewProperty, PropertyRow};
use crate::store::DbError;
use porch_types::apps::App;
use porch_types::email::Email;
use porch_types::error::AppError;
use porch_types::ids::{InboxId, PipelineId, PropertyId, StageId, TenantId};
use porch_types::text::Label;
use porch_types::tickets::{parse_property_key, parse_stages, PropertyKind, RawStage, StageSpec};
use porch_types::time::Timestamp;

/// A custom ticket property as the API shows it (`TicketProperty` in openapi.json).
#[derive(Serialize)]
struct PropertyBody<'a> {
    id: &'a str,
    key: &'a str,
    label: &'a str,
    kind: &'a str,
    /// The choices of a `choice` property (empty for other kinds), as stored.
    choices: serde_json::Value,
    created_at: Timestamp,
}

impl<'a> From<&'a PropertyRow> for PropertyBody<'a> {
    fn from(row: &'a PropertyRow) -> Self {
        PropertyBody {
            id: &row.id,
            key: &row.key,
            label: &row.label,
            kind: &row.kind,
            choices: serde_json::from_str(&row.choices_json).unwrap_or_else(|_| json!([])),
            created_at: Timestamp::from_millis(row.created_at),
        }
    }
}

/// A pipeline as the API shows it (`Pipeline` in openapi.json), its stages in order.
#[derive(Serialize)]
struct PipelineBody<'a> {
    id: &'a str,
    name: &'a str,
    stages: Vec<StageBody<'a>>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl<'a> PipelineBody<'a> {
    /// `stages` may hold other pipelines' stages too: only this one's are shown.
    fn new(row: &'a PipelineRow, stages: &'a [StageRow]) -> Self {
        PipelineBody {
            id: &row.id,
            name: &row.name,
            stages: stages.iter().filter(|s| s.pipeline_id == row.id).map(StageBody::from).collect(),
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
        }
    }
}

/// One stage of a pipeline as the API shows it (`Stage` in openapi.json).
#[derive(Serialize)]
struct StageBody<'a> {
    id: &'a str,
    name: &'a str,
    closed: bool,
    notify_requester: bool,
}

impl<'a> From<&'a StageRow> for StageBody<'a> {
    fn from(row: &'a StageRow) -> Self {
        StageBody {
            id: &row.id,
            name: &row.name,
            closed: row.is_closed != 0,
            notify_requester: row.notify_requester != 0,
        }
    }
}

/// An inbox as the API shows it (`Inbox` in openapi.json).
#[derive(Serialize)]
struct InboxBody<'a> {
    id: &'a str,
    name: &'a str,
    notify_email: Option<&'a str>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl<'a> From<&'a InboxRow> for InboxBody<'a> {
    fn from(row: &'a InboxRow) -> Self {
        InboxBody {
            id: &row.id,
            name: &row.name,
            notify_email: row.notify_email.as_deref(),
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StageInput {
    id: Option<String>,
    name: Option<String>,
    closed: Option<bool>,
    notify_requester: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PipelineInput {
    name: Option<String>,
    stages: Option<Vec<StageInput>>,
}

/// A pipeline definition from a body, on top of `current` for a PATCH. A stage `id` must
/// name a stage of this pipeline; the result pairs every stage with its id (new ones get one).
fn pipeline_definition<R: Runtime>(
    call: &Call<'_, R>,
    input: &PipelineInput,
    current: Option<(&PipelineRow, &[StageRow])>,
) -> Result<(Label, Vec<(StageId, StageSpec)>), AppError> {
    let mut fields = Fields::default();
    let name = match (input.name.as_deref(), current) {
        (Some(raw), _) => fields.check("name", Label::parse(raw, 120)),
        (None, Some((row, _))) => Label::parse(&row.name, 120).ok(),
        (None, None) => fields.require("name", None, |n| Label::parse(n, 120)),
    };
    let mut errors = Vec::new();
    let stages = match (&input.stages, current) {
        (Some(raw), _) => {
            let raw: Vec<RawStage<'_>> = raw
                .iter()
                .map(|s| RawStage {
                    id: s.id.as_deref(),
                    name: s.name.as_deref(),
                    closed: s.closed,
                    notify_requester: s.notify_requester,
                })
                .collect();
            parse_stages(&raw, &mut errors)
        }
        (None, Some((_, rows))) => Some(
            rows.iter()
                .filter_map(|row| {
                    Some(StageSpec {
                        id: StageId::parse(&row.id),
                        name: Label::parse(&row.name, 60).ok()?,
                        closed: row.is_closed != 0,
                        notify_requester: row.notify_requester != 0,
                    })
                })
                .collect(),
        ),
        (None, None) => {
            fields.error("stages", "is required");
            None
        }
    };
    for error in errors {
        fields.error(&error.field, &error.message);
    }
    let own: Vec<String> = current.map(|(_, rows)| rows.iter().map(|r| r.id.clone()).collect()).unwrap_or_default();
    let mut paired = Vec::new();
    for (index, spec) in stages.unwrap_or_default().into_iter().enumerate() {
        let id = match spec.id {
            Some(id) if own.contains(&id.to_db()) => id,
            Some(_) => {
                fields.error(&format!("stages[{index}].id"), "no such stage of this pipeline");
                continue;
            }
            None => StageId::from_random(call.rt.random_16()?),
        };
        paired.push((id, spec));
    }
    fields.finish()?;
    let name = name.ok_or_else(|| AppError::Internal("pipeline name".into()))?;
    Ok((name, paired))
}

async fn pipeline_json<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    id: PipelineId,
) -> Result<(serde_json::Value, i64), AppError> {
    // The version is read before the stages: a write landing in between makes the tag older
    // than what is shown, which can only refuse a write, never let a stale one through.
    let row = pipelines::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    let stages = pipelines::stages(call.rt.db(), tenant, Some(id)).await?;
    Ok((json!({ "pipeline": PipelineBody::new(&row, &stages) }), row.version))
}

/// A refused write of a pipeline or inbox, told apart by the constraint that refused it: a
/// name in use, or records (tickets) still pointing at what the write would remove.
fn refused(what: &'static str) -> impl Fn(DbError) -> AppError {
    move |err| match err {
        DbError::Constraint(detail) if detail.contains("UNIQUE") => {
            AppError::Conflict(format!("the tenant already has a {what} with that name"))
        }
        DbError::Constraint(detail) if detail.contains("FOREIGN KEY") => AppError::Conflict(format!(
            "tickets are still in this {what} (or in a stage it would remove); move them first"
        )),
        other => other.into(),
    }
}

pub async fn list_pipelines<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let rows = pipelines::list(call.rt.db(), tenant).await?;
    let stages = pipelines::stages(call.rt.db(), tenant, None).await?;
    Ok(ok(&json!({ "pipelines": rows.iter().map(|p| PipelineBody::new(p, &stages)).collect::<Vec<_>>() })))
}

pub async fn create_pipeline<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let input: PipelineInput = call.json()?;
    let (name, stages) = pipeline_definition(call, &input, None)?;
    let id = PipelineId::from_random(call.rt.random_16()?);
    let refs: Vec<_> = stages.iter().map(|(id, spec)| (*id, spec)).collect();
    pipelines::create(call.rt.db(), tenant, id, &name, &refs, &call.actor(), call.rt.now())
        .await
        .map_err(refused("pipeline"))?;
    Ok(created(&pipeline_json(call, tenant, id).await?.0))
}

pub async fn get_pipeline<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("pipeline_id", PipelineId::parse)?;
    let (body, version) = pipeline_json(call, tenant, id).await?;
    Ok(tagged(ok(&body), version))
}

pub async fn update_pipeline<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("pipeline_id", PipelineId::parse)?;
    let pre = Precondition::of(call.req)?;
    let input: PipelineInput = call.json()?;
    versions::write(async || {
        let current = pipelines::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        let current_stages = pipelines::stages(call.rt.db(), tenant, Some(id)).await?;
        let (name, stages) = pipeline_definition(call, &input, Some((&current, &current_stages)))?;
        let refs: Vec<_> = stages.iter().map(|(id, spec)| (*id, spec)).collect();
        let db = call.rt.db();
        if !pipelines::update(db, tenant, &current, &current_stages, &name, &refs, &call.actor(), call.rt.now())
            .await
            .map_err(refused("pipeline"))?
        {
            return Ok(None);
        }
        let (body, version) = pipeline_json(call, tenant, id).await?;
        Ok(Some(tagged(ok(&body), version)))
    })
    .await
}

/// After an inbox or pipeline is deleted: the portals that named it for their support form
/// have had it cleared in the same batch, and now their cached contexts follow. Every portal
/// is attempted even when one fails. (A portal pointed at the target between the read of
/// `released` and the delete is cleared in D1 but keeps its cached copy up to the KV TTL.)
async fn refresh_released<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    released: &[portals::PortalRow],
) -> Result<(), AppError> {
    let mut first_error = None;
    for row in released {
        if let Err(err) = refresh_portal_hosts(call.rt, tenant, row, None).await {
            first_error.get_or_insert(err);
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// The tenant's last pipeline is what its portals' support forms file into: deleting it is
/// refused (422) while a portal offers the form, naming the portals, so the provider hears of
/// it now rather than a recipient later from a form that cannot be sent. (A pipeline with
/// others left may go: a portal that named it files into the tenant's first one again.)
async fn still_filed_into<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    pipeline: &PipelineRow,
) -> Result<(), AppError> {
    let db = call.rt.db();
    if pipelines::list(db, tenant).await?.iter().any(|other| other.id != pipeline.id) {
        return Ok(());
    }
    let offering: Vec<String> = portals::list(db, tenant)
        .await?
        .into_iter()
        .filter(|portal| portal.apps.contains(App::SupportForm))
        .map(|portal| portal.slug)
        .collect();
    if offering.is_empty() {
        return Ok(());
    }
    Err(AppError::invalid(
        "pipeline_id",
        format!(
            "the support form of these portals files its tickets into this pipeline, the tenant's last: {}; \
             create another pipeline first, or take support_form off those portals",
            offering.join(", ")
        ),
    ))
}

pub async fn delete_pipeline<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("pipeline_id", PipelineId::parse)?;
    let pre = Precondition::of(call.req)?;
    versions::write(async || {
        let current = pipelines::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        still_filed_into(call, tenant, &current).await?;
        let target = TicketTarget::Pipeline(&current.id);
        let released = portals::naming_ticket_target(call.rt.db(), tenant, target).await?;
        if !pipelines::delete(call.rt.db(), tenant, &current, &call.actor(), call.rt.now())
            .await
            .map_err(refused("pipeline"))?
        {
            return Ok(None);
        }
        refresh_released(call, tenant, &released).await?;
        Ok(Some(no_content()))
    })
    .await
}

/// An inbox body. `notify_email`: absent keeps it, null clears it.
#[allow(clippy::option_option)]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InboxInput {
    name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    notify_email: Option<Option<String>>,
}

fn inbox_settings(input: &InboxInput, current: Option<&InboxRow>) -> Result<InboxSettings, AppError> {
    let mut fields = Fields::default();
    let name = match (input.name.as_deref(), current) {
        (Some(raw), _) => fields.check("name", Label::parse(raw, 120)),
        (None, Some(row)) => Label::parse(&row.name, 120).ok(),
        (None, None) => fields.require("name", None, |n| Label::parse(n, 120)),
    };
    let notify_email = match &input.notify_email {
        Some(Some(raw)) => fields.check("notify_email", Email::parse(raw)).map(Some),
        Some(None) => Some(None),
        None => Some(current.and_then(|row| row.notify_email.as_deref()).and_then(|e| Email::parse(e).ok())),
    };
    fields.finish()?;
    match (name, notify_email) {
        (Some(name), Some(notify_email)) => Ok(InboxSettings { name, notify_email }),
        _ => Err(AppError::Internal("inbox settings incomplete after validation".into())),
    }
}

pub async fn list_inboxes<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let rows = inboxes::list(call.rt.db(), tenant).await?;
    Ok(ok(&json!({ "inboxes": rows.iter().map(InboxBody::from).collect::<Vec<_>>() })))
}

pub async fn create_inbox<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let settings = inbox_settings(&call.json()?, None)?;
    let id = InboxId::from_random(call.rt.random_16()?);
    inboxes::create(call.rt.db(), tenant, id, &settings, &call.actor(), call.rt.now())
        .await
        .map_err(refused("inbox"))?;
    let row = inboxes::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    Ok(created(&json!({ "inbox": InboxBody::from(&row) })))
}

pub async fn update_inbox<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("inbox_id", InboxId::parse)?;
    let pre = Precondition::of(call.req)?;
    let input: InboxInput = call.json()?;
    versions::write(async || {
        let current = inboxes::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        let settings = inbox_settings(&input, Some(&current))?;
        if !inboxes::update(call.rt.db(), tenant, &current, &settings, &call.actor(), call.rt.now())
            .await
            .map_err(refused("inbox"))?
        {
            return Ok(None);
        }
        let row = inboxes::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        Ok(Some(tagged(ok(&json!({ "inbox": InboxBody::from(&row) })), row.version)))
    })
    .await
}

pub async fn delete_inbox<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("inbox_id", InboxId::parse)?;
    let pre = Precondition::of(call.req)?;
    versions::write(async || {
        let current = inboxes::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        let released = portals::naming_ticket_target(call.rt.db(), tenant, TicketTarget::Inbox(&current.id)).await?;
        if !inboxes::delete(call.rt.db(), tenant, &current, &call.actor(), call.rt.now()).await? {
            return Ok(None);
        }
        refresh_released(call, tenant, &released).await?;
        Ok(Some(no_content()))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PropertyInput {
    key: Option<String>,
    label: Option<String>,
    kind: Option<String>,
    choices: Option<Vec<String>>,
}

pub async fn list_properties<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let rows = ticket_properties::list(call.rt.db(), tenant).await?;
    Ok(ok(&json!({ "properties": rows.iter().map(PropertyBody::from).collect::<Vec<_>>() })))
}

/// A tenant's custom properties are loaded on every ticket write: a bounded number.
const MAX_PROPERTIES_PER_TENANT: usize = 100;

pub async fn create_property<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    if ticket_properties::list(call.rt.db(), tenant).await?.len() >= MAX_PROPERTIES_PER_TENANT {
        return Err(AppError::Conflict(format!("a tenant has at most {MAX_PROPERTIES_PER_TENANT} ticket properties")));
    }
    let input: PropertyInput = call.json()?;
    let mut fields = Fields::default();
    let key = fields.require("key", input.key.as_deref(), parse_property_key);
    let label = fields.require("label", input.label.as_deref(), |l| Label::parse(l, 120));
    let kind = match input.kind.as_deref().map(|kind| PropertyKind::parse(kind, input.choices.as_deref())) {
        Some(Ok(kind)) => Some(kind),
        Some(Err((field, message))) => {
            fields.error(field, &message);
            None
        }
        None => {
            fields.error("kind", "is required");
            None
        }
    };
    fields.finish()?;
    let (Some(key), Some(label), Some(kind)) = (key, label, kind) else {
        return Err(AppError::Internal("property incomplete after validation".into()));
    };
    let id = PropertyId::from_random(call.rt.random_16()?);
    let property = NewProperty { key: &key, label: &label, kind: &kind };
    ticket_properties::create(call.rt.db(), tenant, id, &property, &call.actor(), call.rt.now()).await.map_err(
        |err| match AppError::from(err) {
            AppError::Conflict(_) => AppError::Conflict("the tenant already has a property with that key".into()),
            other => other,
        },
    )?;
    let row = ticket_properties::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    Ok(created(&json!({ "property": PropertyBody::from(&row) })))
}

pub async fn delete_property<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("property_id", PropertyId::parse)?;
    let current = ticket_properties::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    let portals = ticket_properties::used_by_portals(call.rt.db(), tenant, &current.key).await?;
    if !portals.is_empty() {
        return Err(AppError::Conflict(format!(
            "the ticket settings of {} name this property (a rule or a support form field): remove it there first",
            portals.join(", ")
        )));
    }
    ticket_properties::delete(call.rt.db(), tenant, &current, &call.actor(), call.rt.now()).await?;
    Ok(no_content())
}
