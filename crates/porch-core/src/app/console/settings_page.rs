//! The Settings tab (`views::console_settings`). Saving calls `app::tenant_settings::update`,
//! as `updateTenant` does: owners and admins change the name and the rule of one portal per
//! customer; only the operator the plan.

use super::sign_in::field;
use super::{tenant_of, Console, Person};
use crate::app::tenant_settings::{self as rules, TenantPatch};
use crate::app::versions::Precondition;
use crate::http::Response;
use crate::i18n::{Language, Translations as _};
use crate::runtime::Runtime;
use crate::store::{decode_rows, tenants, Database, Statement};
use crate::views::console_settings::{self as view, SettingsDraft, SettingsView};
use crate::views::form::Problems;
use porch_types::apps::{App, AppSet};
use porch_types::error::{entity_tag, AppError};
use porch_types::ids::TenantId;
use porch_types::staff::StaffRole;

/// The page's reads: the tenant.
pub fn reads(raw: &str) -> Vec<Statement> {
    TenantId::parse(raw).map(|tenant| vec![tenants::get_statement(tenant)]).unwrap_or_default()
}

fn draft_of(tenant: &tenants::TenantRow) -> SettingsDraft {
    SettingsDraft { name: tenant.name.clone(), one_portal: tenant.one_portal_per_customer(), plan: tenant.plan_apps }
}

fn draw<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    (tenant, draft): (&tenants::TenantRow, &SettingsDraft),
    status: u16,
    (problems, notice): (&Problems, Option<&str>),
) -> Result<Response, AppError> {
    let csrf = console.csrf_token()?;
    let who = console.who(person.session, &csrf);
    let page = SettingsView {
        tenant,
        draft,
        editable: person.role.can_change_settings(),
        sets_plan: person.role == StaffRole::Operator,
        problems,
        notice,
    };
    Ok(console.with_csrf(Response::html(status, view::page(console.lang, &who, &page)), &csrf))
}

async fn tenant_now<R: Runtime>(console: &Console<'_, R>, tenant: TenantId) -> Result<tenants::TenantRow, AppError> {
    let mut rows = console.rt.db().read_batch(vec![tenants::get_statement(tenant)]).await?.into_iter();
    decode_rows::<tenants::TenantRow>(rows.next())?.into_iter().next().ok_or(AppError::NotFound)
}

pub fn page<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let mut rows = console.prefetched.clone().into_iter();
    let tenant = tenant_of(&mut rows)?;
    let notice =
        (console.req.query_param("done").as_deref() == Some("saved")).then_some(console.lang.tenant_settings().saved);
    draw(console, &person, (&tenant, &draft_of(&tenant)), 200, (&Problems::default(), notice))
}

pub async fn save<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let fields = console.form_if(person.role.can_change_settings())?;
    let version: i64 =
        field(&fields, "version").parse().map_err(|_| AppError::BadRequest("the form's version is missing".into()))?;
    let sets_plan = person.role == StaffRole::Operator;
    let plan: AppSet =
        App::ALL.into_iter().filter(|app| field(&fields, &format!("app-{}", app.code())) == "yes").collect();
    let draft = SettingsDraft {
        name: field(&fields, "name").to_owned(),
        one_portal: field(&fields, "one_portal") == "yes",
        plan,
    };
    let input = TenantPatch {
        name: Some(draft.name.clone()),
        plan_apps: sets_plan.then(|| plan.codes().into_iter().map(str::to_owned).collect()),
        one_portal_per_customer: Some(draft.one_portal),
    };
    let pre = Precondition::Tags(vec![entity_tag(version)]);
    let acting = person.acting();
    let written = match rules::check(&input, sets_plan) {
        Ok(checked) => rules::write(console.rt, (tenant, &acting.actor), &checked, &pre).await,
        Err(err) => Err(err),
    };
    let (status, problems, draft) = match written {
        Ok(_) => return Ok(Response::see_other(&format!("/tenants/{tenant}/settings?done=saved"))),
        Err(AppError::Invalid(errors)) => {
            let mut problems = Problems::default();
            for error in errors {
                let on = (error.field == "name").then_some("name");
                problems.add_written(on, error.message, Language::En);
            }
            (422, problems, draft)
        }
        Err(AppError::Conflict(message)) => {
            let mut problems = Problems::default();
            problems.add_written(None, message, Language::En);
            (409, problems, draft)
        }
        Err(AppError::PreconditionFailed(_)) => {
            let now = tenant_now(console, tenant).await?;
            (409, Problems::general(console.lang.tenant_settings().stale), draft_of(&now))
        }
        Err(err) => return Err(err),
    };
    let row = tenant_now(console, tenant).await?;
    draw(console, &person, (&row, &draft), status, (&problems, None))
}
