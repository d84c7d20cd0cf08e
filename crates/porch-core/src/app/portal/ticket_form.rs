//! The support form: subject, description, the extra fields the portal chose (priority or
//! the tenant's custom properties, required or not, labelled per language) and files. A new
//! ticket lands in the portal's inbox and pipeline (else the tenant's first pipeline) at the
//! pipeline's first open stage, with its first message, attachments and notifications in one
//! atomic batch.

use super::forms::{form_page, rate_limit, Form};
use super::notify::{customer_wrote, TicketRef, Written};
use super::Page;
use crate::app::files;
use crate::http::Response;
use crate::i18n::Translations as _;
use crate::runtime::Runtime;
use crate::store::audit::Actor;
use crate::store::ticket_properties::PropertyRow;
use crate::store::tickets::{self, NewMessage, NewTicket};
use crate::store::{attachments, pipelines, ticket_properties, Database};
use crate::views::form::Problems;
use crate::views::tickets::{file_problem, support_form, FormFieldView, SupportForm};
use porch_types::error::AppError;
use porch_types::ids::{AccountId, CustomerId, InboxId, MessageId, PipelineId, StageId, TicketId};
use porch_types::portal_tickets::FormField;
use porch_types::text::Label;
use porch_types::tickets::{check_property_value, parse_body, Priority, PropertyKind};

/// New tickets one person may submit per hour.
const TICKETS_PER_HOUR: i64 = 20;

/// Where the portal's new tickets start: a pipeline and its first open stage.
async fn destination<R: Runtime>(page: &Page<'_, R>) -> Result<Option<(PipelineId, StageId)>, AppError> {
    let tenant = page.scope.tenant;
    let chosen = page.portal.context.tickets.pipeline_id.as_deref().and_then(PipelineId::parse);
    let pipeline = match chosen {
        Some(id) => Some(id),
        None => pipelines::list(page.rt.db(), tenant).await?.first().and_then(|p| PipelineId::parse(&p.id)),
    };
    let Some(pipeline) = pipeline else {
        return Ok(None);
    };
    Ok(pipelines::first_open_stage(page.rt.db(), tenant, pipeline).await?.map(|stage| (pipeline, stage)))
}

/// A form field's input name.
fn input_name(field: &FormField) -> String {
    if field.property == "priority" {
        "priority".into()
    } else {
        format!("property.{}", field.property)
    }
}

/// What a configured field asks for: priority, or a custom property of the tenant (a field
/// whose property was deleted since is left out).
enum Asked {
    Priority,
    Property(PropertyRow, PropertyKind),
}

fn asked(field: &FormField, properties: &[PropertyRow]) -> Option<Asked> {
    if field.property == "priority" {
        return Some(Asked::Priority);
    }
    let row = properties.iter().find(|p| p.key == field.property)?;
    let kind = row.kind()?;
    Some(Asked::Property(row.clone(), kind))
}

fn field_views<R: Runtime>(
    page: &Page<'_, R>,
    properties: &[PropertyRow],
    form: Option<&Form<'_>>,
) -> Vec<FormFieldView> {
    let t = page.lang.tickets();
    page.portal
        .context
        .tickets
        .form
        .iter()
        .filter_map(|field| {
            let name = input_name(field);
            let value = form.map_or(String::new(), |f| f.text(&name).to_owned());
            let asked = asked(field, properties)?;
            // Our priority words are in the reader's language; a property's choices are the
            // provider's, in the portal's default one.
            let provider = page.portal.context.default_language;
            let written = if matches!(asked, Asked::Priority) { page.lang } else { provider };
            let (fallback, choices, number) = match asked {
                Asked::Priority => {
                    let choices =
                        Priority::ALL.iter().map(|p| (p.code().to_owned(), t.priority_name(*p).to_owned())).collect();
                    (t.priority.to_owned(), Some(choices), false)
                }
                Asked::Property(row, PropertyKind::Choice(values)) => {
                    (row.label, Some(values.iter().map(|v| (v.clone(), v.clone())).collect()), false)
                }
                Asked::Property(row, PropertyKind::Number) => (row.label, None, true),
                Asked::Property(row, PropertyKind::Text) => (row.label, None, false),
            };
            let label = field.label(page.lang, &fallback).to_owned();
            let label_lang = field.label_language(page.lang).unwrap_or(written);
            Some(FormFieldView {
                name,
                label,
                required: field.required,
                label_lang,
                choices,
                choices_lang: written,
                number,
                value,
            })
        })
        .collect()
}

fn render<R: Runtime>(
    page: &Page<'_, R>,
    status: u16,
    properties: &[PropertyRow],
    form: Option<&Form<'_>>,
    problems: &Problems,
    available: bool,
) -> Result<Response, AppError> {
    let member = page.require_member()?;
    let fields = field_views(page, properties, form);
    form_page(page, status, |csrf| {
        let view = SupportForm {
            csrf,
            subject: form.map_or("", |f| f.text("subject")),
            description: form.map_or("", |f| f.text("description")),
            fields: &fields,
            problems,
            available,
        };
        support_form(page.portal, page.lang, member, &view)
    })
}

pub async fn form<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    page.require_member()?;
    let available = destination(page).await?.is_some();
    let properties = ticket_properties::list(page.rt.db(), page.scope.tenant).await?;
    render(page, 200, &properties, None, &Problems::default(), available)
}

/// The priority and custom property values the form sent, checked: required fields filled,
/// values of the right kind.
fn read_fields<R: Runtime>(
    page: &Page<'_, R>,
    properties: &[PropertyRow],
    form: &Form<'_>,
    errors: &mut Problems,
) -> (Priority, serde_json::Map<String, serde_json::Value>) {
    let t = page.lang.tickets();
    let mut priority = Priority::Normal;
    let mut values = serde_json::Map::new();
    for field in &page.portal.context.tickets.form {
        let Some(asked) = asked(field, properties) else {
            continue;
        };
        let name = input_name(field);
        let raw = form.text(&name).trim();
        let fallback = match &asked {
            Asked::Priority => t.priority.to_owned(),
            Asked::Property(row, _) => row.label.clone(),
        };
        let label = field.label(page.lang, &fallback);
        if raw.is_empty() {
            if field.required {
                errors.add(&name, format!("{label}: {}", t.required_field));
            }
            continue;
        }
        match asked {
            Asked::Priority => match Priority::parse(raw) {
                Ok(parsed) => priority = parsed,
                Err(err) => errors.add(&name, format!("{label}: {err}")),
            },
            Asked::Property(row, kind) => {
                let value = match kind {
                    PropertyKind::Number => {
                        let Some(n) = raw.parse::<f64>().ok().and_then(serde_json::Number::from_f64) else {
                            errors.add(&name, format!("{label}: {}", t.not_a_number));
                            continue;
                        };
                        serde_json::Value::Number(n)
                    }
                    _ => serde_json::Value::String(raw.to_owned()),
                };
                match check_property_value(&kind, &value) {
                    Ok(()) => {
                        values.insert(row.key, value);
                    }
                    Err(err) => errors.add(&name, format!("{label}: {err}")),
                }
            }
        }
    }
    (priority, values)
}

pub async fn create<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    let member = page.require_member()?;
    let account: AccountId = member.account.ok_or(AppError::Forbidden)?;
    let form = Form::read(page)?;
    rate_limit(page, &format!("ticket-create:account:{account}"), TICKETS_PER_HOUR, 3600).await?;
    let tenant = page.scope.tenant;
    let t = page.lang.tickets();
    let properties = ticket_properties::list(page.rt.db(), tenant).await?;
    let Some((pipeline, stage)) = destination(page).await? else {
        return render(page, 409, &properties, Some(&form), &Problems::default(), false);
    };
    let mut errors = Problems::default();
    let subject =
        Label::parse(form.text("subject"), 200).map_err(|e| errors.add("subject", format!("{}: {e}", t.subject))).ok();
    let body = parse_body(form.text("description"))
        .map_err(|e| errors.add("description", format!("{}: {e}", t.description)))
        .ok();
    let (priority, values) = read_fields(page, &properties, &form, &mut errors);
    let files = files::check(form.files(), &page.req.set_aside).unwrap_or_else(|file_errors| {
        for problem in &file_errors {
            errors.add("files", file_problem(page.lang, problem));
        }
        Vec::new()
    });
    let (Some(subject), Some(body), true) = (subject, body, errors.is_empty()) else {
        return render(page, 422, &properties, Some(&form), &errors, true);
    };
    let id = TicketId::from_random(page.rt.random_16()?);
    let number = tickets::next_number(page.rt.db(), tenant).await?;
    let ticket = NewTicket {
        id,
        number,
        subject: subject.as_str(),
        priority,
        pipeline,
        stage,
        inbox: page.portal.context.tickets.inbox_id.as_deref().and_then(InboxId::parse),
        customer: member.customer_id.as_deref().and_then(CustomerId::parse),
        requester: Some((page.scope.portal, account, member.name.as_str())),
        properties: &values,
    };
    let first = NewMessage {
        id: MessageId::from_random(page.rt.random_16()?),
        internal: false,
        author_kind: "recipient",
        author_id: account.to_db(),
        author_name: &member.name,
        body: &body,
    };
    let now = page.rt.now();
    let (ticket_id, customer, inbox) =
        (id.to_db(), ticket.customer.map(CustomerId::to_db), ticket.inbox.map(InboxId::to_db));
    let about = TicketRef {
        id: &ticket_id,
        number,
        subject: subject.as_str(),
        customer_id: customer.as_deref(),
        inbox_id: inbox.as_deref(),
        requester: Some((account.to_db(), member.name.as_str())),
    };
    let stored = files::store(page.rt, tenant, &files).await?;
    let recorded: Result<(), AppError> = async {
        let mut statements = tickets::create_statements(tenant, &ticket, &first, &Actor::Account(account), now);
        statements.extend(stored.iter().map(|file| attachments::insert(tenant, id, first.id, file, now)));
        let written = Written { message_id: &first.id.to_db(), body: &body, files: &stored };
        statements.extend(customer_wrote(page, &about, &written, true).await?);
        page.rt.db().batch(statements).await?;
        Ok(())
    }
    .await;
    files::kept_if_written(page.rt, &stored, recorded).await?;
    Ok(Response::see_other(&format!("/tickets/{number}")))
}
