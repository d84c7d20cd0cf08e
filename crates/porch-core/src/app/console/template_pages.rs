//! The Templates tab (`views::console_templates`). Create, Save and Roll back call
//! `app::templates` (`create`, `replace`, `rollback`), as `createTemplate`,
//! `replaceTemplate` and `rollbackTemplate` do: a change of the set-up that would reach
//! portals following the template is held back, naming them, until it is confirmed.

use super::setup_form::{control_of, link_input, menu_order, typed_links};
use super::sign_in::{drawn_version, field};
use super::{tenant_of, Console, Person};
use crate::app::portal_settings::Offer;
use crate::app::templates::{self as rules, Changed, TemplateInput};
use crate::http::Response;
use crate::i18n::{Language, Translations as _};
use crate::runtime::Runtime;
use crate::store::portals::{self, PortalRow};
use crate::store::templates::{self, TemplateRow, VersionRow};
use crate::store::themes::{self, ThemeRow};
use crate::store::{decode_rows, pipelines, tenants, Database, Statement};
use crate::views::console_portal_setup::LinkDraft;
use crate::views::console_templates::{self as view, Held, TemplateDraft, TemplateView, TemplatesView};
use crate::views::form::Problems;
use porch_types::apps::{App, AppSet};
use porch_types::error::{AppError, FieldError};
use porch_types::ids::{TemplateId, TenantId};

/// The Templates tab's reads: the tenant and its templates.
pub fn list_reads(raw: &str) -> Vec<Statement> {
    TenantId::parse(raw)
        .map(|tenant| vec![tenants::get_statement(tenant), templates::list_statement(tenant)])
        .unwrap_or_default()
}

pub fn list<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let mut rows = console.prefetched.clone().into_iter();
    let tenant = tenant_of(&mut rows)?;
    let templates: Vec<TemplateRow> = decode_rows(rows.next())?;
    let csrf = console.csrf_token()?;
    let who = console.who(person.session, &csrf);
    let notice = (console.req.query_param("done").as_deref() == Some("deleted"))
        .then_some(console.lang.templates().template_deleted);
    let page =
        TemplatesView { tenant: &tenant, templates: &templates, editable: person.role.can_change_settings(), notice };
    Ok(console.with_csrf(Response::html(200, view::list(console.lang, &who, &page)), &csrf))
}

/// What an editor page reads: the tenant, what a template may be given, and for a template
/// its portals and versions.
struct Reads {
    tenant: tenants::TenantRow,
    offer: Offer,
    themes: Vec<ThemeRow>,
    template: Option<TemplateRow>,
    following: Vec<PortalRow>,
    versions: Vec<VersionRow>,
}

async fn reads<R: Runtime>(
    console: &Console<'_, R>,
    tenant: TenantId,
    id: Option<TemplateId>,
) -> Result<Reads, AppError> {
    let rows = console
        .rt
        .db()
        .read_batch(vec![
            tenants::get_statement(tenant),
            themes::usable_statement(tenant),
            pipelines::list_statement(tenant),
        ])
        .await?;
    let mut rows = rows.into_iter();
    let tenant_row: tenants::TenantRow = decode_rows(rows.next())?.into_iter().next().ok_or(AppError::NotFound)?;
    let themes = decode_rows(rows.next())?;
    let has_pipeline = !rows.next().unwrap_or_default().is_empty();
    let offer = Offer { plan: tenant_row.plan_apps, has_pipeline };
    let (template, following, versions) = match id {
        Some(id) => (
            Some(templates::get(console.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?),
            portals::linked_to(console.rt.db(), tenant, id).await?,
            templates::versions(console.rt.db(), tenant, id).await?,
        ),
        None => (None, Vec::new(), Vec::new()),
    };
    Ok(Reads { tenant: tenant_row, offer, themes, template, following, versions })
}

fn draft_of(template: &TemplateRow) -> TemplateDraft {
    let setup = template.setup();
    TemplateDraft {
        name: template.name.clone(),
        description: template.description.clone(),
        is_default: template.is_default(),
        apps: setup.apps.codes().into_iter().map(str::to_owned).collect(),
        theme: setup.theme_id.unwrap_or_default(),
        start: setup.start_page.path().to_owned(),
        order: setup.navigation.apps().to_vec(),
        links: LinkDraft::from_stored(setup.nav_links.to_stored().as_deref()),
    }
}

/// What the editor shows besides the draft.
#[derive(Default)]
struct Shown<'a> {
    problems: Problems,
    notice: Option<&'a str>,
    held: Option<(Vec<PortalRow>, Option<i64>)>,
}

fn draw<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    reads: &Reads,
    draft: &TemplateDraft,
    status: u16,
    shown: &Shown<'_>,
) -> Result<Response, AppError> {
    let csrf = console.csrf_token()?;
    let who = console.who(person.session, &csrf);
    let page = TemplateView {
        tenant: &reads.tenant,
        template: reads.template.as_ref(),
        draft,
        offered: reads.offer.offered(),
        themes: &reads.themes,
        following: &reads.following,
        versions: &reads.versions,
        held: shown.held.as_ref().map(|(portals, rollback)| Held { portals, rollback: *rollback }),
        editable: person.role.can_change_settings(),
        problems: &shown.problems,
        notice: shown.notice,
    };
    Ok(console.with_csrf(Response::html(status, view::editor(console.lang, &who, &page)), &csrf))
}

fn ids(raw_tenant: &str, raw_template: &str) -> Option<(TenantId, TemplateId)> {
    Some((TenantId::parse(raw_tenant)?, TemplateId::parse(raw_template)?))
}

pub async fn new_form<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    if !person.role.can_change_settings() {
        return Err(AppError::Forbidden);
    }
    let reads = reads(console, tenant, None).await?;
    let apps = reads.offer.default_apps();
    let draft = TemplateDraft {
        apps: apps.codes().into_iter().map(str::to_owned).collect(),
        start: "/".to_owned(),
        order: apps.iter().collect(),
        ..TemplateDraft::default()
    };
    draw(console, &person, &reads, &draft, 200, &Shown::default())
}

pub async fn page<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_template: &str,
) -> Result<Response, AppError> {
    let (tenant, id) = ids(raw_tenant, raw_template).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let reads = reads(console, tenant, Some(id)).await?;
    let t = console.lang.templates();
    let notice = match console.req.query_param("done").as_deref() {
        Some("created") => Some(t.created),
        Some("saved") => Some(t.saved),
        Some("rolled-back") => Some(t.rolled_back),
        _ => None,
    };
    let template = reads.template.as_ref().ok_or(AppError::NotFound)?;
    draw(console, &person, &reads, &draft_of(template), 200, &Shown { notice, ..Shown::default() })
}

/// The draft the editor's form posted: each app ticked is its own field (`app-tickets`).
/// The draft the editor's form posted (each app ticked is its own field, `app-tickets`), and
/// what is wrong with it before the shared rule looks (a menu place that is no number).
fn posted_draft<R: Runtime>(console: &Console<'_, R>, fields: &[(String, String)]) -> (TemplateDraft, Problems) {
    let apps: AppSet =
        App::ALL.into_iter().filter(|app| field(fields, &format!("app-{}", app.code())) == "yes").collect();
    let mut problems = Problems::default();
    let order = menu_order(fields, apps, &mut problems, console.lang.console().whole_number);
    let draft = TemplateDraft {
        name: field(fields, "name").to_owned(),
        description: field(fields, "description").to_owned(),
        is_default: field(fields, "is_default") == "yes",
        apps: apps.codes().into_iter().map(str::to_owned).collect(),
        theme: field(fields, "theme").to_owned(),
        start: field(fields, "start").to_owned(),
        order,
        links: typed_links(fields),
    };
    (draft, problems)
}

/// The body `createTemplate` or `replaceTemplate` would get for the draft.
fn input_of(draft: &TemplateDraft, confirm: bool) -> TemplateInput {
    TemplateInput {
        name: Some(draft.name.clone()),
        description: Some(draft.description.clone()),
        is_default: Some(draft.is_default),
        apps: Some(draft.apps.clone()),
        theme_id: Some(Some(draft.theme.clone()).filter(|id| !id.is_empty())),
        start_page: Some(if draft.start.is_empty() { "/".to_owned() } else { draft.start.clone() }),
        navigation: Some(draft.order.iter().map(|app| app.code().to_owned()).collect()),
        nav_links: Some(draft.links.iter().map(link_input).collect()),
        confirm,
    }
}

/// The shared rule's refusals beside the form's fields (the API's `theme_id` is the form's
/// `theme`), in its English.
fn problems_of(errors: Vec<FieldError>) -> Problems {
    let mut problems = Problems::default();
    for error in errors {
        let on = match error.field.as_str() {
            "name" | "description" => Some(error.field.clone()),
            _ => control_of(&error),
        };
        problems.add_written(on.as_deref(), error.message, Language::En);
    }
    problems
}

/// A refusal as the editor shows it (a name taken, say), or the error it is.
fn refused(err: AppError) -> Result<(u16, Problems), AppError> {
    match err {
        AppError::Invalid(errors) => Ok((422, problems_of(errors))),
        AppError::Conflict(message) => {
            let mut problems = Problems::default();
            problems.add_written(None, message, Language::En);
            Ok((409, problems))
        }
        err => Err(err),
    }
}

pub async fn create<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let (draft, problems) = posted_draft(console, &console.form_if(person.role.can_change_settings())?);
    let (status, problems) = if problems.is_empty() {
        match rules::create(console.rt, tenant, &person.acting().actor, &input_of(&draft, false)).await {
            Ok(row) => return Ok(Response::see_other(&format!("/tenants/{tenant}/templates/{}?done=created", row.id))),
            Err(err) => refused(err)?,
        }
    } else {
        (422, problems)
    };
    let reads = reads(console, tenant, None).await?;
    draw(console, &person, &reads, &draft, status, &Shown { problems, ..Shown::default() })
}

pub async fn save<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_template: &str,
) -> Result<Response, AppError> {
    let (tenant, id) = ids(raw_tenant, raw_template).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let fields = console.form_if(person.role.can_change_settings())?;
    let (draft, problems) = posted_draft(console, &fields);
    let pre = drawn_version(&fields)?;
    let input = input_of(&draft, field(&fields, "confirm") == "yes");
    let outcome = if problems.is_empty() {
        rules::replace(console.rt, tenant, &person.acting().actor, id, &input, &pre).await
    } else {
        Err(AppError::Invalid(Vec::new()))
    };
    let (status, shown, draft) = match outcome {
        Ok(Changed::Saved { .. }) => {
            return Ok(Response::see_other(&format!("/tenants/{tenant}/templates/{id}?done=saved")))
        }
        Ok(Changed::NeedsConfirmation(linked)) => {
            (409, Shown { held: Some((linked, None)), ..Shown::default() }, draft)
        }
        Err(AppError::PreconditionFailed(_)) => {
            // The template as it now is, nothing of the draft kept over it.
            let now = templates::get(console.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
            let problems = Problems::general(console.lang.templates().stale);
            (409, Shown { problems, ..Shown::default() }, draft_of(&now))
        }
        Err(AppError::Invalid(errors)) if errors.is_empty() => (422, Shown { problems, ..Shown::default() }, draft),
        Err(err) => {
            let (status, problems) = refused(err)?;
            (status, Shown { problems, ..Shown::default() }, draft)
        }
    };
    let reads = reads(console, tenant, Some(id)).await?;
    draw(console, &person, &reads, &draft, status, &shown)
}

pub async fn rollback<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_template: &str,
) -> Result<Response, AppError> {
    let (tenant, id) = ids(raw_tenant, raw_template).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let fields = console.form_if(person.role.can_change_settings())?;
    let version: i64 = field(&fields, "version").parse().map_err(|_| AppError::BadRequest("version".into()))?;
    let confirm = field(&fields, "confirm") == "yes";
    let (status, shown) =
        match rules::rollback(console.rt, tenant, &person.acting().actor, id, (version, confirm)).await {
            Ok(Changed::Saved { .. }) => {
                return Ok(Response::see_other(&format!("/tenants/{tenant}/templates/{id}?done=rolled-back")));
            }
            Ok(Changed::NeedsConfirmation(linked)) => {
                (409, Shown { held: Some((linked, Some(version))), ..Shown::default() })
            }
            Err(err) => {
                let (status, problems) = refused(err)?;
                (status, Shown { problems, ..Shown::default() })
            }
        };
    let reads = reads(console, tenant, Some(id)).await?;
    let template = reads.template.as_ref().ok_or(AppError::NotFound)?;
    draw(console, &person, &reads, &draft_of(template), status, &shown)
}

pub async fn delete<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_template: &str,
) -> Result<Response, AppError> {
    let (tenant, id) = ids(raw_tenant, raw_template).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let pre = drawn_version(&console.form_if(person.role.can_change_settings())?)?;
    let (status, problems) = match rules::delete(console.rt, tenant, &person.acting().actor, id, &pre).await {
        Ok(()) => return Ok(Response::see_other(&format!("/tenants/{tenant}/templates?done=deleted"))),
        Err(AppError::PreconditionFailed(_)) => (409, Problems::general(console.lang.templates().stale)),
        Err(err) => refused(err)?,
    };
    let reads = reads(console, tenant, Some(id)).await?;
    let template = reads.template.as_ref().ok_or(AppError::NotFound)?;
    draw(console, &person, &reads, &draft_of(template), status, &Shown { problems, ..Shown::default() })
}
