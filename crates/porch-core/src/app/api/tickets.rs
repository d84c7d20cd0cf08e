//! Tickets through the admin API (the agent side): create (also on a recipient's behalf),
//! list with filters and keyset pagination, read with the whole conversation, update, and
//! add public replies or internal notes.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::Reach;
use super::input::{double_option, Fields};
use super::versions::{self, tagged, Precondition};
use super::{created, ok, page_limit, ticket_mail, Call};
use crate::app::cut_page;
use crate::app::files;
use crate::http::Response;
use crate::multipart::Part;
use crate::runtime::Runtime;
use crate::store::portal_tickets::AttachmentView;
use crate::store::tickets::{
    self, MessageRow, NewMessage, NewTicket, Placement, RatingRow, TicketChanges, TicketFilter, TicketRow,
};
use crate::store::{accounts, attachments, customers, inboxes, pipelines, ticket_properties, Database, PortalScope};
use porch_types::error::{AppError, FieldError};
use porch_types::ids::{
    AccountId, AttachmentId, CustomerId, InboxId, MessageId, PipelineId, PortalId, StageId, TenantId, TicketId,
};
use porch_types::text::Label;
use porch_types::tickets::{self as ticket_rules, check_property_value, parse_body, parse_cursor, Priority};
use porch_types::time::Timestamp;

/// A ticket's fields as the API shows them, in lists and alone (`TicketFields` in openapi.json).
#[derive(Serialize)]
struct TicketBody<'a> {
    id: &'a str,
    number: i64,
    subject: &'a str,
    priority: Priority,
    pipeline_id: &'a str,
    stage_id: &'a str,
    /// From the stage: `closed` in a closed one.
    status: &'static str,
    inbox_id: Option<&'a str>,
    customer_id: Option<&'a str>,
    requester: Option<RequesterBody<'a>>,
    properties: serde_json::Map<String, serde_json::Value>,
    created_at: Timestamp,
    updated_at: Timestamp,
    last_activity_at: Timestamp,
}

/// The portal user a ticket is for.
#[derive(Serialize)]
struct RequesterBody<'a> {
    account_id: &'a str,
    portal_id: Option<&'a str>,
    name: Option<&'a str>,
}

impl<'a> From<&'a TicketRow> for TicketBody<'a> {
    fn from(row: &'a TicketRow) -> Self {
        TicketBody {
            id: &row.id,
            number: row.number,
            subject: &row.subject,
            priority: row.priority,
            pipeline_id: &row.pipeline_id,
            stage_id: &row.stage_id,
            status: if row.is_closed != 0 { "closed" } else { "open" },
            inbox_id: row.inbox_id.as_deref(),
            customer_id: row.customer_id.as_deref(),
            requester: row.requester_account_id.as_deref().map(|account_id| RequesterBody {
                account_id,
                portal_id: row.portal_id.as_deref(),
                name: row.requester_name.as_deref(),
            }),
            properties: row.properties(),
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
            last_activity_at: Timestamp::from_millis(row.last_activity_at),
        }
    }
}

/// A ticket with its whole conversation (`TicketWithMessages` in openapi.json).
#[derive(Serialize)]
struct ConversationBody<'a> {
    #[serde(flatten)]
    ticket: TicketBody<'a>,
    messages: Vec<MessageBody<'a>>,
    ratings: Vec<RatingBody<'a>>,
}

/// A message of a ticket with its files (`TicketMessage` in openapi.json).
#[derive(Serialize)]
struct MessageBody<'a> {
    id: &'a str,
    thread: i64,
    internal: bool,
    author: AuthorBody<'a>,
    body: &'a str,
    created_at: Timestamp,
    attachments: Vec<FileBody<'a>>,
}

#[derive(Serialize)]
struct AuthorBody<'a> {
    kind: &'a str,
    name: &'a str,
}

/// A file of a message (`TicketAttachment` in openapi.json), with its download route.
#[derive(Serialize)]
struct FileBody<'a> {
    id: &'a str,
    filename: &'a str,
    content_type: &'a str,
    size: i64,
    url: String,
}

/// A requester's rating of a thread (`TicketRating` in openapi.json).
#[derive(Serialize)]
struct RatingBody<'a> {
    thread: i64,
    score: i64,
    comment: &'a str,
    account_id: &'a str,
    created_at: Timestamp,
}

impl<'a> From<&'a RatingRow> for RatingBody<'a> {
    fn from(row: &'a RatingRow) -> Self {
        RatingBody {
            thread: row.thread,
            score: row.score,
            comment: &row.comment,
            account_id: &row.account_id,
            created_at: Timestamp::from_millis(row.created_at),
        }
    }
}

impl<'a> MessageBody<'a> {
    /// `files` may hold the other messages' files too: only this one's are shown.
    fn new(message: &'a MessageRow, files: &'a [AttachmentView], tenant: TenantId, ticket: TicketId) -> Self {
        MessageBody {
            id: &message.id,
            thread: message.thread,
            internal: message.visibility == "internal",
            author: AuthorBody { kind: &message.author_kind, name: &message.author_name },
            body: &message.body,
            created_at: Timestamp::from_millis(message.created_at),
            attachments: files
                .iter()
                .filter(|f| f.message_id == message.id)
                .map(|file| FileBody {
                    id: &file.id,
                    filename: &file.filename,
                    content_type: &file.content_type,
                    size: file.size,
                    url: format!(
                        "/api/v1/tenants/{}/tickets/{}/attachments/{}",
                        tenant.to_db(),
                        ticket.to_db(),
                        file.id
                    ),
                })
                .collect(),
        }
    }
}

const MAX_PROPERTIES: usize = 100;

/// Custom property values checked against the tenant's properties: unknown keys and values
/// of the wrong kind are field errors (`properties.<key>`); a null value removes the key.
async fn merge_properties<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    fields: &mut Fields,
    base: serde_json::Map<String, serde_json::Value>,
    input: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Result<serde_json::Map<String, serde_json::Value>, AppError> {
    let Some(input) = input else {
        return Ok(base);
    };
    // Bounds the work one body can ask for; no tenant has this many properties.
    if input.len() > MAX_PROPERTIES {
        fields.error("properties", &format!("must set at most {MAX_PROPERTIES} properties"));
        return Ok(base);
    }
    let known = ticket_properties::list(call.rt.db(), tenant).await?;
    let mut merged = base;
    for (key, value) in input {
        let field = format!("properties.{key}");
        // Removing a value is always allowed (say, of a property deleted since).
        if value.is_null() {
            merged.remove(key);
            continue;
        }
        let Some(kind) = known.iter().find(|p| &p.key == key).and_then(ticket_properties::PropertyRow::kind) else {
            fields.error(&field, "is not a ticket property of this tenant");
            continue;
        };
        if let Err(message) = check_property_value(&kind, value) {
            fields.error(&field, &message);
        } else {
            merged.insert(key.clone(), value.clone());
        }
    }
    Ok(merged)
}

/// A stage of `pipeline`; None picks the pipeline's first open stage.
async fn stage_in<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    fields: &mut Fields,
    pipeline: PipelineId,
    raw: Option<&str>,
) -> Result<Option<StageId>, AppError> {
    let stages = pipelines::stages(call.rt.db(), tenant, Some(pipeline)).await?;
    let found = match raw {
        Some(raw) => stages.iter().find(|s| s.id == raw),
        None => stages.iter().find(|s| s.is_closed == 0),
    };
    let stage = found.and_then(|s| StageId::parse(&s.id));
    if stage.is_none() {
        fields.error("stage_id", "no such stage of the ticket's pipeline");
    }
    Ok(stage)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequesterInput {
    portal_id: String,
    account_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateInput {
    subject: Option<String>,
    description: Option<String>,
    priority: Option<String>,
    pipeline_id: Option<String>,
    stage_id: Option<String>,
    inbox_id: Option<String>,
    customer_id: Option<String>,
    requester: Option<RequesterInput>,
    properties: Option<serde_json::Map<String, serde_json::Value>>,
    author_name: Option<String>,
}

/// Who writes as the provider: the name given, else "Support".
fn agent_name(fields: &mut Fields, raw: Option<&str>) -> Option<Label> {
    match raw {
        Some(raw) => fields.check("author_name", Label::parse(raw, 120)),
        None => Label::parse("Support", 120).ok(),
    }
}

pub async fn create<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let input: CreateInput = call.json()?;
    let mut fields = Fields::default();
    let subject = fields.require("subject", input.subject.as_deref(), |s| Label::parse(s, 200));
    let body = fields.require("description", input.description.as_deref(), parse_body);
    let priority = match input.priority.as_deref() {
        Some(raw) => fields.check("priority", Priority::parse(raw)),
        None => Some(Priority::Normal),
    };
    let author = agent_name(&mut fields, input.author_name.as_deref());
    let pipeline = match input.pipeline_id.as_deref().map(PipelineId::parse) {
        Some(Some(id)) if pipelines::get(call.rt.db(), tenant, id).await?.is_some() => Some(id),
        Some(_) => {
            fields.error("pipeline_id", "no such pipeline of this tenant");
            None
        }
        None => {
            fields.error("pipeline_id", "is required");
            None
        }
    };
    let stage = match pipeline {
        Some(pipeline) => stage_in(call, tenant, &mut fields, pipeline, input.stage_id.as_deref()).await?,
        None => None,
    };
    let inbox = match input.inbox_id.as_deref().map(InboxId::parse) {
        Some(Some(id)) if inboxes::get(call.rt.db(), tenant, id).await?.is_some() => Some(id),
        Some(_) => {
            fields.error("inbox_id", "no such inbox of this tenant");
            None
        }
        None => None,
    };
    // On a recipient's behalf (after a phone call, say): the ticket shows in their portal.
    let requester = match &input.requester {
        Some(raw) => {
            let scope = PortalId::parse(&raw.portal_id).map(|portal| PortalScope { tenant, portal });
            let account = match (scope, AccountId::parse(&raw.account_id)) {
                (Some(scope), Some(id)) => accounts::get(call.rt.db(), scope, id).await?.map(|a| (scope.portal, id, a)),
                _ => None,
            };
            if account.is_none() {
                fields.error("requester", "no such user of a portal of this tenant");
            }
            account
        }
        None => None,
    };
    let customer = match (input.customer_id.as_deref(), &requester) {
        // A requester's ticket belongs to the requester's customer, never another one.
        (Some(raw), Some((_, _, account))) if account.customer_id.as_deref() != Some(raw) => {
            fields.error("customer_id", "is not the requester's customer");
            None
        }
        (Some(raw), _) => match CustomerId::parse(raw) {
            Some(id) if customers::get(call.rt.db(), tenant, id).await?.is_some() => Some(id),
            _ => {
                fields.error("customer_id", "no such customer of this tenant");
                None
            }
        },
        (None, Some((_, _, account))) => account.customer_id.as_deref().and_then(CustomerId::parse),
        (None, None) => None,
    };
    let properties =
        merge_properties(call, tenant, &mut fields, serde_json::Map::new(), input.properties.as_ref()).await?;
    fields.finish()?;
    let (Some(subject), Some(body), Some(priority), Some(author), Some(pipeline), Some(stage)) =
        (subject, body, priority, author, pipeline, stage)
    else {
        return Err(AppError::Internal("ticket incomplete after validation".into()));
    };
    let id = TicketId::from_random(call.rt.random_16()?);
    let ticket = NewTicket {
        id,
        number: tickets::next_number(call.rt.db(), tenant).await?,
        subject: subject.as_str(),
        priority,
        pipeline,
        stage,
        inbox,
        customer,
        requester: requester.as_ref().map(|(portal, account, row)| (*portal, *account, row.name.as_str())),
        properties: &properties,
    };
    let first = NewMessage {
        id: MessageId::from_random(call.rt.random_16()?),
        internal: false,
        author_kind: "agent",
        author_id: call.actor().label(),
        author_name: author.as_str(),
        body: &body,
    };
    tickets::create(call.rt.db(), tenant, &ticket, &first, &call.actor(), call.rt.now()).await?;
    Ok(created(&ticket_json(call, tenant, id).await?.0))
}

async fn ticket_json<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    id: TicketId,
) -> Result<(serde_json::Value, i64), AppError> {
    let conversation = tickets::conversation(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    let body = ConversationBody {
        ticket: TicketBody::from(&conversation.ticket),
        messages: conversation
            .messages
            .iter()
            .map(|message| MessageBody::new(message, &conversation.attachments, tenant, id))
            .collect(),
        ratings: conversation.ratings.iter().map(RatingBody::from).collect(),
    };
    Ok((json!({ "ticket": body }), conversation.ticket.version))
}

/// A file of any message of the ticket, internal notes' included (agents see everything).
pub async fn attachment<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let ticket = call.id("ticket_id", TicketId::parse)?;
    let id = call.id("attachment_id", AttachmentId::parse)?;
    let file = attachments::get(call.rt.db(), tenant, ticket, id).await?.ok_or(AppError::NotFound)?;
    files::serve(call.rt, &file).await
}

pub async fn list<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let req = call.req;
    let mut fields = Fields::default();
    let mut id_param = |name: &str, parse: fn(&str) -> Option<_>| -> Option<String> {
        let raw = req.query_param(name)?;
        let parsed: Option<String> = parse(&raw);
        if parsed.is_none() {
            fields.error(name, "is not an id");
        }
        parsed
    };
    let pipeline = id_param("pipeline_id", |s| PipelineId::parse(s).map(PipelineId::to_db));
    let stage = id_param("stage_id", |s| StageId::parse(s).map(StageId::to_db));
    let customer = id_param("customer_id", |s| CustomerId::parse(s).map(CustomerId::to_db));
    let closed = match req.query_param("status").as_deref() {
        None => None,
        Some("open") => Some(false),
        Some("closed") => Some(true),
        Some(_) => {
            fields.error("status", "must be open or closed");
            None
        }
    };
    let cursor = match req.query_param("cursor") {
        Some(raw) => {
            let parsed = parse_cursor(&raw);
            if parsed.is_none() {
                fields.error("cursor", "is not a cursor from this list");
            }
            parsed
        }
        None => None,
    };
    let limit = page_limit(req)?;
    fields.finish()?;
    let filter = TicketFilter {
        pipeline: pipeline.as_deref().and_then(PipelineId::parse),
        stage: stage.as_deref().and_then(StageId::parse),
        customer: customer.as_deref().and_then(CustomerId::parse),
        closed,
    };
    let mut rows =
        tickets::list(call.rt.db(), tenant, &filter, cursor.as_ref().map(|(at, id)| (*at, id.as_str())), limit + 1)
            .await?;
    let next = cut_page(&mut rows, limit).map(|t| ticket_rules::cursor(t.last_activity_at, &t.id));
    Ok(ok(&json!({ "tickets": rows.iter().map(TicketBody::from).collect::<Vec<_>>(), "next_cursor": next })))
}

pub async fn get<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("ticket_id", TicketId::parse)?;
    let (body, version) = ticket_json(call, tenant, id).await?;
    Ok(tagged(ok(&body), version))
}

/// A PATCH body: absent keeps a field; `inbox_id: null` takes the ticket out of its inbox.
#[allow(clippy::option_option)]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateInput {
    subject: Option<String>,
    priority: Option<String>,
    pipeline_id: Option<String>,
    stage_id: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    inbox_id: Option<Option<String>>,
    properties: Option<serde_json::Map<String, serde_json::Value>>,
}

pub async fn update<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("ticket_id", TicketId::parse)?;
    let pre = Precondition::of(call.req)?;
    let input: UpdateInput = call.json()?;
    versions::write(async || {
        let current = tickets::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        if !change(call, tenant, &current, &input).await? {
            return Ok(None);
        }
        let (body, version) = ticket_json(call, tenant, id).await?;
        Ok(Some(tagged(ok(&body), version)))
    })
    .await
}

/// Writes what `input` names over `current`; false: the ticket changed or went meanwhile.
async fn change<R: Runtime>(
    call: &Call<'_, R>,
    tenant: TenantId,
    current: &TicketRow,
    input: &UpdateInput,
) -> Result<bool, AppError> {
    let mut fields = Fields::default();
    let subject = match input.subject.as_deref() {
        Some(raw) => fields.check("subject", Label::parse(raw, 200)).map(|l| l.as_str().to_owned()),
        None => Some(current.subject.clone()),
    };
    let priority = match input.priority.as_deref() {
        Some(raw) => fields.check("priority", Priority::parse(raw)),
        None => Some(current.priority),
    };
    // Moving to another pipeline needs a stage of it (or takes its first open stage).
    let pipeline = match input.pipeline_id.as_deref().map(PipelineId::parse) {
        Some(Some(p)) if pipelines::get(call.rt.db(), tenant, p).await?.is_some() => Some(p),
        Some(_) => {
            fields.error("pipeline_id", "no such pipeline of this tenant");
            None
        }
        None => PipelineId::parse(&current.pipeline_id),
    };
    let moved = pipeline.is_some_and(|p| p.to_db() != current.pipeline_id);
    let stage = match (pipeline, input.stage_id.as_deref(), moved) {
        (Some(pipeline), Some(raw), _) => stage_in(call, tenant, &mut fields, pipeline, Some(raw)).await?,
        (Some(pipeline), None, true) => stage_in(call, tenant, &mut fields, pipeline, None).await?,
        (_, None, false) => StageId::parse(&current.stage_id),
        (None, ..) => None,
    };
    let inbox = match &input.inbox_id {
        Some(Some(raw)) => match InboxId::parse(raw) {
            Some(inbox) if inboxes::get(call.rt.db(), tenant, inbox).await?.is_some() => Some(Some(inbox.to_db())),
            _ => {
                fields.error("inbox_id", "no such inbox of this tenant");
                None
            }
        },
        Some(None) => Some(None),
        None => Some(current.inbox_id.clone()),
    };
    let properties =
        merge_properties(call, tenant, &mut fields, current.properties(), input.properties.as_ref()).await?;
    fields.finish()?;
    let (Some(subject), Some(priority), Some(pipeline), Some(stage), Some(inbox)) =
        (subject, priority, pipeline, stage, inbox)
    else {
        return Err(AppError::Internal("ticket update incomplete after validation".into()));
    };
    let changes = TicketChanges {
        subject: &subject,
        priority,
        pipeline: &pipeline.to_db(),
        stage: &stage.to_db(),
        inbox: inbox.as_deref(),
        properties: &properties,
    };
    let after = TicketRow {
        subject: subject.clone(),
        priority,
        pipeline_id: pipeline.to_db(),
        stage_id: stage.to_db(),
        inbox_id: inbox.clone(),
        properties_json: serde_json::Value::Object(properties.clone()).to_string(),
        ..current.clone()
    };
    let email = ticket_mail::for_move(call, tenant, current, &after).await?;
    Ok(tickets::update(call.rt.db(), tenant, current, &changes, &call.actor(), call.rt.now(), email).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageInput {
    body: Option<String>,
    internal: Option<bool>,
    new_thread: Option<bool>,
    author_name: Option<String>,
}

/// A message as JSON, or as `multipart/form-data` with the same fields (`internal` and
/// `new_thread` as `true`/`false`) plus `files`: the way an agent attaches files.
fn message_input<'a, R: Runtime>(call: &Call<'a, R>) -> Result<(MessageInput, Vec<Part<'a>>), AppError> {
    let content_type = call.req.header("content-type").unwrap_or("");
    let Some(form) = files::read_multipart(&call.req.body, content_type)? else {
        return Ok((call.json()?, Vec::new()));
    };
    let text = |name: &str| form.fields.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone());
    let flag = |name: &str| match text(name).as_deref() {
        None | Some("" | "false") => Ok(None),
        Some("true") => Ok(Some(true)),
        Some(_) => Err(AppError::Invalid(vec![FieldError::new(name, "must be true or false")])),
    };
    let input = MessageInput {
        body: text("body"),
        internal: flag("internal")?,
        new_thread: flag("new_thread")?,
        author_name: text("author_name"),
    };
    Ok((input, form.files))
}

pub async fn add_message<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let id = call.id("ticket_id", TicketId::parse)?;
    let current = tickets::get(call.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    let (input, parts) = message_input(call)?;
    let mut fields = Fields::default();
    let body = fields.require("body", input.body.as_deref(), parse_body);
    let author = agent_name(&mut fields, input.author_name.as_deref());
    let checked = match files::check(&parts, &call.req.set_aside) {
        Ok(checked) => checked,
        Err(errors) => {
            for error in errors {
                fields.error("files", &error.to_string());
            }
            Vec::new()
        }
    };
    fields.finish()?;
    let (Some(body), Some(author)) = (body, author) else {
        return Err(AppError::Internal("message incomplete after validation".into()));
    };
    let message = NewMessage {
        id: MessageId::from_random(call.rt.random_16()?),
        internal: input.internal.unwrap_or(false),
        author_kind: "agent",
        author_id: call.actor().label(),
        author_name: author.as_str(),
        body: &body,
    };
    let emails = ticket_mail::for_message(call, tenant, &current, &message).await?;
    let now = call.rt.now();
    let stored = files::store(call.rt, tenant, &checked).await?;
    let placement = Placement { new_thread: input.new_thread.unwrap_or(false), ..Placement::default() };
    let mut statements = tickets::message_statements(tenant, &current.id, &message, placement, &call.actor(), now);
    statements.extend(emails);
    statements.extend(stored.iter().map(|file| attachments::insert(tenant, id, message.id, file, now)));
    let written = call.rt.db().batch(statements).await.map(drop).map_err(AppError::from);
    files::kept_if_written(call.rt, &stored, written).await?;
    Ok(created(&ticket_json(call, tenant, id).await?.0))
}
