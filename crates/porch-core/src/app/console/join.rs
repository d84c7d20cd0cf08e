//! Accepting an invitation to a tenant's staff (`/join/{token}`): the person chooses a name
//! and password, and their first session goes straight to setting up the second factor (the
//! link proves they may; a password alone never would). The acceptance, the account and the
//! session are one batch (`staff_members::accept`): a link is used once, even by two
//! browsers at the same moment.

use super::sign_in::{field, new_secret, new_session, password_problem};
use super::{lifetime, Console};
use crate::auth::password::{self, NewPassword};
use crate::auth::secret::{presented_hash, stored_hash_matches};
use crate::http::Response;
use crate::i18n::Translations as _;
use crate::runtime::Runtime;
use crate::store::staff::{self, NewSession, Stage};
use crate::store::staff_members::{self as members, Invitee, Joining};
use crate::store::Database;
use crate::views::console_staff::{self as view, JoinForm};
use crate::views::form::Problems;
use porch_types::error::AppError;
use porch_types::ids::StaffId;
use porch_types::staff::StaffRole;
use porch_types::text::Label;

/// Link openings and acceptances per client address per 15 minutes: enough for a person,
/// too few to walk tokens (which are 256 bits anyway).
const JOIN_PER_IP: i64 = 30;
const WINDOW_SECONDS: i64 = 900;

/// The usable invitation of the link `token`, if it is one.
async fn find<R: Runtime>(console: &Console<'_, R>, token: &str) -> Result<Option<Invitee>, AppError> {
    console.rate_limit(&format!("join:ip:{}", console.req.client_address()), JOIN_PER_IP, WINDOW_SECONDS).await?;
    let Some(hash) = presented_hash(token) else {
        return Ok(None);
    };
    let found = members::find_by_token(console.rt.db(), &hash).await?;
    Ok(found.filter(|row| stored_hash_matches(&row.token_hash, &hash) && row.is_usable(console.now)))
}

fn unusable<R: Runtime>(console: &Console<'_, R>, status: u16) -> Response {
    let c = console.lang.console();
    Response::html(status, crate::views::console::error(console.lang, c.join_button, c.join_unusable))
}

fn role_of(invitee: &Invitee) -> Result<StaffRole, AppError> {
    StaffRole::parse(&invitee.role).map_err(|_| AppError::Internal(format!("invitation role {}", invitee.role)))
}

fn form_page<R: Runtime>(
    console: &Console<'_, R>,
    status: u16,
    token: &str,
    invitee: &Invitee,
    name: &str,
    problems: &Problems,
) -> Result<Response, AppError> {
    let form = JoinForm {
        token,
        tenant: &invitee.tenant_name,
        email: &invitee.email,
        role: role_of(invitee)?,
        name,
        problems,
    };
    console.form_page(status, |csrf| view::join(console.lang, csrf, &form))
}

pub async fn form<R: Runtime>(console: &Console<'_, R>, token: &str) -> Result<Response, AppError> {
    let Some(invitee) = find(console, token).await? else {
        return Ok(unusable(console, 404));
    };
    form_page(console, 200, token, &invitee, "", &Problems::default())
}

pub async fn submit<R: Runtime>(console: &Console<'_, R>, token: &str) -> Result<Response, AppError> {
    let fields = console.form()?;
    let Some(invitee) = find(console, token).await? else {
        return Ok(unusable(console, 404));
    };
    let a = console.lang.account();
    let typed_name = field(&fields, "name");
    let mut problems = Problems::default();
    let name = Label::parse(typed_name, 120).map_err(|_| problems.add("name", a.invalid_name)).ok();
    let new_password = NewPassword::parse(field(&fields, "password"))
        .map_err(|err| problems.add("password", password_problem(console.lang, err)))
        .ok();
    let (Some(name), Some(new_password), true) = (name, new_password, problems.is_empty()) else {
        return form_page(console, 400, token, &invitee, typed_name, &problems);
    };
    let id = StaffId::from_random(console.rt.random_16()?);
    let password_hash = password::hash(&new_password, &console.rt.random_16()?)?;
    let pending = new_secret(console, id)?;
    let (session_token, expires_at) = new_session(console, Stage::Enrol)?;
    let session =
        NewSession { token_hash: &session_token.hash, stage: Stage::Enrol, pending_secret: Some(&pending), expires_at };
    let joining = Joining { id, name: name.as_str(), password_hash: &password_hash };
    if !members::accept(console.rt.db(), &invitee, &joining, &session, console.now).await? {
        // Used, revoked or expired since the form was shown, or the email was taken.
        return Ok(unusable(console, 409));
    }
    // This browser's earlier console session (someone else's, perhaps) ends: the new person's
    // replaces it.
    if let Some(old) = &console.session {
        if let Err(err) = console.rt.db().execute(staff::delete_session(&old.token_hash)).await {
            console.rt.log(&format!("could not end a replaced console session: {err}"));
        }
    }
    Ok(console.with_session(Response::see_other("/second-factor"), Some(&session_token.text), lifetime(Stage::Enrol)))
}
