//! A portal's set-up page (`views::console_portal_setup`). Saving sends the set-up part of a
//! `PortalInput` to `app::portal_settings::update`, exactly what `updatePortal` calls: the
//! plan, the template rule and the pipeline rule are checked there, once. The form carries
//! the portal's version, so a change made meanwhile is never written over unseen.

use super::setup_form::{control_of, link_input, menu_order, typed_links};
use super::sign_in::{drawn_version, field};
use super::{tenant_of, Console, Person};
use crate::app::portal_settings::{self as rules, Offer, PortalInput};
use crate::http::Response;
use crate::i18n::{Language, Translations as _};
use crate::runtime::Runtime;
use crate::store::portals::{self, PortalRow};
use crate::store::templates::{self, TemplateRow};
use crate::store::themes::{self, ThemeRow};
use crate::store::{decode_rows, pipelines, tenants, Database, Statement};
use crate::views::console_portal_setup::{self as view, SetupDraft, SetupView};
use crate::views::form::Problems;
use porch_types::apps::{App, AppSet};
use porch_types::error::AppError;
use porch_types::ids::{PortalId, TenantId};

fn ids(raw_tenant: &str, raw_portal: &str) -> Option<(TenantId, PortalId)> {
    Some((TenantId::parse(raw_tenant)?, PortalId::parse(raw_portal)?))
}

fn statements(tenant: TenantId, portal: PortalId) -> Vec<Statement> {
    vec![
        tenants::get_statement(tenant),
        portals::get_statement(tenant, portal),
        templates::list_statement(tenant),
        themes::usable_statement(tenant),
        pipelines::list_statement(tenant),
    ]
}

/// The page's reads: the tenant, the portal, and what its set-up may name.
pub fn reads(raw_tenant: &str, raw_portal: &str) -> Vec<Statement> {
    ids(raw_tenant, raw_portal).map(|(tenant, portal)| statements(tenant, portal)).unwrap_or_default()
}

struct Loaded {
    tenant: tenants::TenantRow,
    portal: PortalRow,
    template: Option<TemplateRow>,
    themes: Vec<ThemeRow>,
    offer: Offer,
}

fn loaded(rows: Vec<Vec<serde_json::Value>>) -> Result<Loaded, AppError> {
    let mut rows = rows.into_iter();
    let tenant = tenant_of(&mut rows)?;
    let portal = decode_rows::<PortalRow>(rows.next())?.into_iter().next().ok_or(AppError::NotFound)?;
    let template = decode_rows::<TemplateRow>(rows.next())?
        .into_iter()
        .find(|template| portal.template_id.as_deref() == Some(template.id.as_str()));
    let themes = decode_rows(rows.next())?;
    let has_pipeline = !rows.next().unwrap_or_default().is_empty();
    let offer = Offer { plan: tenant.plan_apps, has_pipeline };
    Ok(Loaded { tenant, portal, template, themes, offer })
}

fn draw<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    loaded: &Loaded,
    (status, draft, problems): (u16, Option<SetupDraft>, &Problems),
    notice: Option<&str>,
) -> Result<Response, AppError> {
    let draft = draft.unwrap_or_else(|| SetupDraft::of(&loaded.portal));
    let csrf = console.csrf_token()?;
    let who = console.who(person.session, &csrf);
    let page = SetupView {
        tenant: &loaded.tenant,
        portal: &loaded.portal,
        template: loaded.template.as_ref(),
        themes: &loaded.themes,
        offered: loaded.offer.offered(),
        draft: &draft,
        problems,
        notice,
        editable: person.role.can_change_settings(),
    };
    Ok(console.with_csrf(Response::html(status, view::page(console.lang, &who, &page)), &csrf))
}

pub fn page<R: Runtime>(console: &Console<'_, R>, raw_tenant: &str, raw_portal: &str) -> Result<Response, AppError> {
    let (tenant, _) = ids(raw_tenant, raw_portal).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let loaded = loaded(console.prefetched.clone())?;
    let notice =
        (console.req.query_param("done").as_deref() == Some("saved")).then_some(console.lang.portal_setup().saved);
    draw(console, &person, &loaded, (200, None, &Problems::default()), notice)
}

/// What the API's PATCH would send for the form: the whole set-up.
fn input_of(draft: &SetupDraft) -> PortalInput {
    let chosen = |raw: &str| Some(raw.to_owned()).filter(|raw| !raw.is_empty());
    PortalInput {
        apps: Some(draft.apps.codes().into_iter().map(str::to_owned).collect()),
        theme_id: Some(chosen(&draft.theme)),
        start_page: Some(chosen(&draft.start)),
        navigation: Some(Some(draft.order.iter().map(|app| app.code().to_owned()).collect())),
        nav_links: Some(draft.links.iter().map(link_input).collect()),
        ..PortalInput::default()
    }
}

pub async fn save<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_portal: &str,
) -> Result<Response, AppError> {
    let (tenant, portal) = ids(raw_tenant, raw_portal).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let fields = console.form_if(person.role.can_change_settings())?;
    let pre = drawn_version(&fields)?;
    let apps: AppSet =
        App::ALL.into_iter().filter(|app| field(&fields, &format!("app-{}", app.code())) == "yes").collect();
    let mut problems = Problems::default();
    let draft = SetupDraft {
        apps,
        theme: field(&fields, "theme").to_owned(),
        start: field(&fields, "start").to_owned(),
        order: menu_order(&fields, apps, &mut problems, console.lang.console().whole_number),
        links: typed_links(&fields),
    };
    let acting = person.acting();
    let outcome = if problems.is_empty() {
        rules::update(console.rt, tenant, &acting.actor, portal, &input_of(&draft), &pre).await
    } else {
        Err(AppError::Invalid(Vec::new()))
    };
    let (status, draft) = match outcome {
        Ok(_) => return Ok(Response::see_other(&format!("/tenants/{tenant}/portals/{portal}/setup?done=saved"))),
        Err(AppError::Invalid(errors)) => {
            // The shared rule's words are the API's English.
            for error in &errors {
                problems.add_written(control_of(error).as_deref(), error.message.clone(), Language::En);
            }
            (422, Some(draft))
        }
        Err(AppError::PreconditionFailed(_)) => {
            problems = Problems::general(console.lang.portal_setup().stale);
            (409, None)
        }
        Err(AppError::Conflict(message)) => {
            problems.add_written(None, message, Language::En);
            (409, Some(draft))
        }
        Err(err) => return Err(err),
    };
    let loaded = loaded(console.rt.db().read_batch(statements(tenant, portal)).await?)?;
    draw(console, &person, &loaded, (status, draft, &problems), None)
}
