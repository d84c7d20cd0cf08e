//! A tenant's Staff page: its people and their roles, its invitations, and the forms to
//! invite, change a role, remove someone and revoke an invitation. Each action calls the
//! application function its API twin calls (`app::staff`), so the rules, the batch and the
//! audit entry are the API's; a refusal is shown beside the form in the reader's language.

use super::sign_in::field;
use super::{tenant_of, Console, Person};
use crate::app::links;
use crate::app::staff::{self as rules, Refusal, StaffError};
use crate::http::Response;
use crate::i18n::{ConsoleStrings, Translations as _};
use crate::runtime::Runtime;
use crate::store::staff_members::{self as members, InvitationRow, MemberRow};
use crate::store::{decode_rows, tenants, Database, Statement};
use crate::views::console_staff::{self as view, StaffView};
use crate::views::form::Problems;
use porch_types::email::Email;
use porch_types::error::AppError;
use porch_types::ids::{StaffId, StaffInvitationId, TenantId};
use porch_types::staff::StaffRole;

/// The page's reads (the tenant, its staff, its invitations), sent with the session lookup.
pub fn reads(raw: &str) -> Vec<Statement> {
    TenantId::parse(raw).map(statements).unwrap_or_default()
}

fn statements(tenant: TenantId) -> Vec<Statement> {
    vec![tenants::get_statement(tenant), members::list_members(tenant), members::list_invitations(tenant)]
}

/// What the page shows besides the lists: the outcome of the action just done.
#[derive(Default)]
struct Outcome<'a> {
    notice: Option<String>,
    /// A new invitation's link, shown this once.
    link: Option<&'a str>,
    problems: Problems,
    /// The invitation form as typed, kept when it was refused.
    email: &'a str,
    role: Option<StaffRole>,
}

fn draw<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    rows: Vec<Vec<serde_json::Value>>,
    status: u16,
    outcome: &Outcome<'_>,
) -> Result<Response, AppError> {
    let mut rows = rows.into_iter();
    let tenant = tenant_of(&mut rows)?;
    let people: Vec<MemberRow> = decode_rows(rows.next())?;
    let invitations: Vec<InvitationRow> = decode_rows(rows.next())?;
    let csrf = console.csrf_token()?;
    let who = console.who(person.session, &csrf);
    let view = StaffView {
        tenant: &tenant,
        people: &people,
        invitations: &invitations,
        me: person.session.staff_id,
        by: person.role,
        now: console.now,
        notice: outcome.notice.as_deref(),
        link: outcome.link,
        problems: &outcome.problems,
        invite_email: outcome.email,
        invite_role: outcome.role.unwrap_or(StaffRole::Agent),
    };
    Ok(console.with_csrf(Response::html(status, view::staff(console.lang, &who, &view)), &csrf))
}

/// The page after an action: read again, with its outcome.
async fn redraw<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    tenant: TenantId,
    status: u16,
    outcome: &Outcome<'_>,
) -> Result<Response, AppError> {
    let rows = console.rt.db().read_batch(statements(tenant)).await?;
    draw(console, person, rows, status, outcome)
}

/// What a done action's redirect tells the page to say (`?done=`).
fn done_notice(c: &ConsoleStrings, code: &str) -> Option<String> {
    match code {
        "role" => Some(c.role_saved.to_owned()),
        "removed" => Some(c.removed.to_owned()),
        "revoked" => Some(c.revoked.to_owned()),
        _ => None,
    }
}

pub fn page<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let c = console.lang.console();
    let notice = console.req.query_param("done").and_then(|code| done_notice(c, &code));
    let outcome = Outcome { notice, ..Outcome::default() };
    draw(console, &person, console.prefetched.clone(), 200, &outcome)
}

/// A refusal in the reader's words, with its status; anything else is the error it is.
fn refusal_words(c: &ConsoleStrings, err: StaffError) -> Result<(u16, &'static str), AppError> {
    match err {
        StaffError::Refused(refusal) => Ok(match refusal {
            Refusal::NotAllowed => (403, c.not_allowed),
            Refusal::CannotGrant => (403, c.cannot_grant),
            Refusal::LastOwner => (409, c.last_owner),
            Refusal::AlreadyStaff => (409, c.already_staff),
            Refusal::Closed => (409, c.closed),
            Refusal::Changed => (409, c.role_changed_meanwhile),
        }),
        StaffError::Failed(err) => Err(err),
    }
}

/// Where a done action sends the browser: the page again, saying what was done.
fn done(tenant: TenantId, code: &str) -> Response {
    Response::see_other(&format!("/tenants/{tenant}/staff?done={code}"))
}

pub async fn invite<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let fields = console.form()?;
    let (c, a) = (console.lang.console(), console.lang.account());
    let typed_email = field(&fields, "email");
    let mut problems = Problems::default();
    let email = Email::parse(typed_email).map_err(|_| problems.add("email", a.invalid_email)).ok();
    let role = StaffRole::parse(field(&fields, "role")).map_err(|_| problems.add("role", c.choose_role)).ok();
    let (Some(email), Some(role)) = (email, role) else {
        let outcome = Outcome { problems, email: typed_email, role, ..Outcome::default() };
        return redraw(console, &person, tenant, 400, &outcome).await;
    };
    let origin = links::origin(console.host, console.req.header("host").unwrap_or(""));
    match rules::invite(console.rt, tenant, &person.acting(), &email, role, &origin, console.lang).await {
        Ok(invited) => {
            let outcome =
                Outcome { notice: Some((c.invited)(email.as_str())), link: Some(&invited.url), ..Outcome::default() };
            redraw(console, &person, tenant, 200, &outcome).await
        }
        Err(err) => {
            let (status, message) = refusal_words(c, err)?;
            let outcome = Outcome {
                problems: Problems::of("email", message),
                email: typed_email,
                role: Some(role),
                ..Outcome::default()
            };
            redraw(console, &person, tenant, status, &outcome).await
        }
    }
}

/// The outcome of an action on one person or invitation: where it went, or its refusal
/// shown on the page.
async fn finish<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    tenant: TenantId,
    result: Result<(), StaffError>,
    code: &str,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(done(tenant, code)),
        Err(err) => {
            let (status, message) = refusal_words(console.lang.console(), err)?;
            let outcome = Outcome { problems: Problems::general(message), ..Outcome::default() };
            redraw(console, person, tenant, status, &outcome).await
        }
    }
}

pub async fn revoke<R: Runtime>(console: &Console<'_, R>, raw: &str, raw_id: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    console.form()?;
    let id = StaffInvitationId::parse(raw_id).ok_or(AppError::NotFound)?;
    let result = rules::revoke_invitation(console.rt, tenant, &person.acting(), id).await;
    finish(console, &person, tenant, result, "revoked").await
}

pub async fn change_role<R: Runtime>(console: &Console<'_, R>, raw: &str, raw_id: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let fields = console.form()?;
    let id = StaffId::parse(raw_id).ok_or(AppError::NotFound)?;
    let role = StaffRole::parse(field(&fields, "role"))
        .map_err(|_| AppError::BadRequest("the role is not one of owner, admin, agent, viewer".into()))?;
    let result = rules::change_role(console.rt, tenant, &person.acting(), id, role).await.map(|_| ());
    finish(console, &person, tenant, result, "role").await
}

pub async fn remove<R: Runtime>(console: &Console<'_, R>, raw: &str, raw_id: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    console.form()?;
    let id = StaffId::parse(raw_id).ok_or(AppError::NotFound)?;
    let result = rules::remove(console.rt, tenant, &person.acting(), id).await;
    finish(console, &person, tenant, result, "removed").await
}
