//! Joining a portal by invitation (the first person to accept becomes the admin of the
//! portal, or on a shared portal of their customer's people), and what every way of joining
//! shares: reading the profile form and creating the account with its first session.

use super::forms::{client_ip, form_page, rate_limit, Form};
use super::session::{self, lifetime_ms};
use super::Page;
use crate::auth::password::{self, NewPassword, PasswordError};
use crate::auth::secret::{presented_hash, stored_hash_matches};
use crate::http::Response;
use crate::i18n::Translations as _;
use crate::runtime::Runtime;
use crate::store::accounts::{self, NewAccount};
use crate::store::audit::{Actor, Change};
use crate::store::sessions::{self, Holder};
use crate::store::{invitations, wrote, Database, DbError, Statement};
use crate::views::account::{self as view, JoinForm, JoinKind};
use crate::views::form::Problems;
use porch_types::email::Email;
use porch_types::error::AppError;
use porch_types::ids::{AccountId, CustomerId};
use porch_types::text::Label;

/// Invitation acceptance attempts per address per 15 minutes.
const ACCEPT_LIMIT: i64 = 20;

/// What a join form asks for, parsed; errors are message keys for the page.
pub struct Profile {
    pub name: Label,
    pub email: Email,
    pub password: NewPassword,
}

/// The profile form: name, email (fixed when the link names it), a password, and the
/// portal's terms and consent when it has them.
pub fn read_profile<R: Runtime>(
    page: &Page<'_, R>,
    form: &Form,
    bound_email: Option<&str>,
) -> Result<Profile, Problems> {
    let t = page.lang.account();
    let mut errors = Problems::default();
    let name = Label::parse(form.text("name"), 120).map_err(|_| errors.add("name", t.invalid_name)).ok();
    let email =
        Email::parse(bound_email.unwrap_or(form.text("email"))).map_err(|_| errors.add("email", t.invalid_email)).ok();
    let password = NewPassword::parse(form.text("password"))
        .map_err(|err| {
            errors.add(
                "password",
                match err {
                    PasswordError::TooShort => t.password_too_short,
                    PasswordError::TooLong => t.password_too_long,
                },
            );
        })
        .ok();
    let access = &page.portal.context.access;
    if access.terms_version > 0 && !form.checked("accept_terms") {
        errors.add("accept_terms", t.must_accept_terms);
    }
    if access.consent_version > 0 && !form.checked("consent") {
        errors.add("consent", t.must_consent);
    }
    match (name, email, password) {
        (Some(name), Some(email), Some(password)) if errors.is_empty() => Ok(Profile { name, email, password }),
        _ => Err(errors),
    }
}

pub fn link_invalid<R: Runtime>(page: &Page<'_, R>) -> Response {
    let t = page.lang.account();
    Response::html(410, view::message(page.portal, page.lang, t.link_invalid_title, t.link_invalid_body, None))
}

/// An SSO-only portal keeps no passwords: people join it through single sign-on.
pub fn sso_only<R: Runtime>(page: &Page<'_, R>) -> Response {
    let t = page.lang.account();
    Response::html(403, view::message(page.portal, page.lang, t.sign_in_title, t.sso_only, None))
}

/// How a new account joins, besides its profile.
pub struct Joining<'a> {
    pub customer: Option<CustomerId>,
    pub role: accounts::NewRole,
    /// Whether the address is proven (an invitation bound to it, a confirmed registration).
    pub verified: bool,
    /// The statement that uses up the link (an invitation, a registration); everything else
    /// in the batch happens only if it wrote.
    pub spend: Statement,
    /// Statements to run once the account exists (each conditional on the one before).
    pub then: Vec<Statement>,
    pub profile: &'a Profile,
}

/// How joining ended.
pub enum Joined {
    /// Signed in: the redirect home with the new session's cookie.
    SignedIn(Response),
    /// The link had been used (or had expired) meanwhile.
    LinkUsed,
    /// The address already has an account on this portal.
    EmailTaken,
}

/// Creates the account and signs it in, as one unit after `spend`: the account, its session,
/// the `then` statements, and the end of any session this browser already had; each only if
/// the statement before it wrote.
pub async fn create_account<R: Runtime>(
    page: &Page<'_, R>,
    id: AccountId,
    joining: Joining<'_>,
) -> Result<Joined, AppError> {
    let password_hash = password::hash(&joining.profile.password, &page.rt.random_16()?)?;
    let access = &page.portal.context.access;
    let account = NewAccount {
        id,
        customer: joining.customer,
        email: &joining.profile.email,
        name: joining.profile.name.as_str(),
        role: joining.role,
        password_hash: &password_hash,
        language: page.lang,
        verified: joining.verified,
        terms_version: access.terms_version,
        consent_version: access.consent_version,
    };
    let now = page.rt.now();
    let new_session = session::start(page, &Holder::Account(id), lifetime_ms(page), true)?;
    let mut batch = vec![joining.spend, accounts::insert(page.scope, &account, now), new_session.statement];
    batch.extend(joining.then);
    // A session this browser already had here ends: the new account replaces it.
    batch.extend(page.visitor.member().map(|old| sessions::delete_if_changed(page.scope, &old.token_hash)));
    match page.rt.db().batch(batch).await {
        Ok(changed) if wrote(&changed, 1) => Ok(Joined::SignedIn(
            Response::see_other(super::landing(page.portal, "/")).add_header("set-cookie", &new_session.set_cookie),
        )),
        Ok(_) => Ok(Joined::LinkUsed),
        Err(DbError::Constraint(detail)) if detail.contains("UNIQUE") => Ok(Joined::EmailTaken),
        Err(err) => Err(err.into()),
    }
}

pub async fn invitation_form<R: Runtime>(page: &Page<'_, R>, token: &str) -> Result<Response, AppError> {
    if !page.portal.context.access.join_policy.allows_passwords() {
        return Ok(sso_only(page));
    }
    rate_limit(page, &format!("accept:ip:{}", client_ip(page)), ACCEPT_LIMIT, 900).await?;
    let Some(invitation) = find_invitation(page, token).await? else {
        return Ok(link_invalid(page));
    };
    let form = JoinForm {
        kind: JoinKind::Invitation { token, bound_email: invitation.email.as_deref() },
        name: "",
        email: "",
        problems: &Problems::default(),
    };
    form_page(page, 200, |csrf| view::join(page.portal, page.lang, csrf, &form))
}

async fn find_invitation<R: Runtime>(
    page: &Page<'_, R>,
    token: &str,
) -> Result<Option<invitations::InvitationRow>, AppError> {
    let Some(hash) = presented_hash(token) else {
        return Ok(None);
    };
    let row = invitations::find_by_hash(page.rt.db(), page.scope, &hash).await?;
    Ok(row.filter(|row| stored_hash_matches(&row.token_hash, &hash) && row.is_usable(page.rt.now())))
}

pub async fn invitation_submit<R: Runtime>(page: &Page<'_, R>, token: &str) -> Result<Response, AppError> {
    let form = Form::read(page)?;
    if !page.portal.context.access.join_policy.allows_passwords() {
        return Ok(sso_only(page));
    }
    rate_limit(page, &format!("accept:ip:{}", client_ip(page)), ACCEPT_LIMIT, 900).await?;
    let Some(invitation) = find_invitation(page, token).await? else {
        return Ok(link_invalid(page));
    };
    let bound = invitation.email.as_deref();
    let again = |status: u16, problems: &Problems| {
        let view_form = JoinForm {
            kind: JoinKind::Invitation { token, bound_email: bound },
            name: form.text("name"),
            email: form.text("email"),
            problems,
        };
        form_page(page, status, |csrf| view::join(page.portal, page.lang, csrf, &view_form))
    };
    let profile = match read_profile(page, &form, bound) {
        Ok(profile) => profile,
        Err(errors) => return again(422, &errors),
    };
    let id = AccountId::from_random(page.rt.random_16()?);
    let now = page.rt.now();
    let actor = Actor::Account(id);
    let change = Change::new(page.scope.tenant, &actor, "invitation.accept", "invitation", invitation.id.clone())
        .after(serde_json::json!({ "account_id": id.to_db(), "email": profile.email.as_str() }));
    let joining = Joining {
        customer: invitation
            .customer_id
            .as_deref()
            .or(page.portal.context.customer_id.as_deref())
            .and_then(CustomerId::parse),
        role: accounts::NewRole::Invited(invitation.role),
        // Only an invitation sent to this address proves it; an open link proves nothing.
        verified: bound.is_some(),
        spend: invitations::accept(page.scope, &invitation.id, id, now),
        then: vec![change.statement_if_changed(now)],
        profile: &profile,
    };
    match create_account(page, id, joining).await? {
        Joined::SignedIn(response) => Ok(response),
        Joined::LinkUsed => Ok(link_invalid(page)),
        Joined::EmailTaken => again(409, &Problems::of("email", page.lang.account().email_taken)),
    }
}
