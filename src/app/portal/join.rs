//! Joining a portal: accepting an invitation (the first person to accept becomes the
//! portal's admin), self-registration where the portal allows it (open, or limited to
//! listed emails and domains) and the email confirmation that creates such an account.

use super::forms::{client_ip, form_page, rate_limit, Form};
use super::session::{self, lifetime_ms};
use super::{mail, Page};
use crate::auth::password::{self, NewPassword, PasswordError};
use crate::auth::secret::{presented_hash, stored_hash_matches, Token};
use crate::domain::access::JoinPolicy;
use crate::domain::email::Email;
use crate::domain::ids::{AccountId, CustomerId};
use crate::domain::text::Label;
use crate::email::Message;
use crate::error::AppError;
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::accounts::{self, NewAccount};
use crate::store::audit::{Actor, Change};
use crate::store::registrations::{self, NewRegistration};
use crate::store::sessions::{self, Holder};
use crate::store::{invitations, registration_list, Database, DbError};
use crate::views::account::{self as view, Confirm, JoinForm, JoinKind};

/// Invitation acceptance attempts per address per 15 minutes.
const ACCEPT_LIMIT: i64 = 20;
/// Registrations per client address, and emails per registered address, per hour.
const REGISTER_LIMIT: i64 = 10;
const REGISTER_PER_EMAIL: i64 = 3;
/// Registration links live a day; reset links are shorter (see `sign_in`).
const VERIFY_LINK_MS: i64 = 24 * 3_600_000;

/// What a join form asks for, parsed; errors are message keys for the page.
struct Profile {
    name: Label,
    email: Email,
    password: NewPassword,
}

fn read_profile<R: Runtime>(
    page: &Page<'_, R>,
    form: &Form,
    bound_email: Option<&str>,
) -> Result<Profile, Vec<&'static str>> {
    let t = page.lang.account();
    let mut errors = Vec::new();
    let name = Label::parse(form.text("name"), 120).map_err(|_| errors.push(t.invalid_name)).ok();
    let email = Email::parse(bound_email.unwrap_or(form.text("email"))).map_err(|_| errors.push(t.invalid_email)).ok();
    let password = NewPassword::parse(form.text("password"))
        .map_err(|err| {
            errors.push(match err {
                PasswordError::TooShort => t.password_too_short,
                PasswordError::TooLong => t.password_too_long,
            });
        })
        .ok();
    let access = &page.portal.context.access;
    if access.terms_version > 0 && !form.checked("accept_terms") {
        errors.push(t.must_accept_terms);
    }
    if access.consent_version > 0 && !form.checked("consent") {
        errors.push(t.must_consent);
    }
    match (name, email, password) {
        (Some(name), Some(email), Some(password)) if errors.is_empty() => Ok(Profile { name, email, password }),
        _ => Err(errors),
    }
}

fn link_invalid<R: Runtime>(page: &Page<'_, R>) -> Response {
    let t = page.lang.account();
    Response::html(410, view::message(page.portal, page.lang, t.link_invalid_title, t.link_invalid_body, None))
}

/// An SSO-only portal has no passwords: its invitations are accepted through single sign-on.
fn sso_only<R: Runtime>(page: &Page<'_, R>) -> Response {
    let t = page.lang.account();
    Response::html(403, view::message(page.portal, page.lang, t.sign_in_title, t.sso_only, None))
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
        errors: &[],
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
    Ok(row
        .filter(|row| crate::auth::secret::stored_hash_matches(&row.token_hash, &hash) && row.is_usable(page.rt.now())))
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
    let profile = match read_profile(page, &form, invitation.email.as_deref()) {
        Ok(profile) => profile,
        Err(errors) => {
            let view_form = JoinForm {
                kind: JoinKind::Invitation { token, bound_email: invitation.email.as_deref() },
                name: form.text("name"),
                email: form.text("email"),
                errors: &errors,
            };
            return form_page(page, 422, |csrf| view::join(page.portal, page.lang, csrf, &view_form));
        }
    };
    let id = AccountId::from_random(page.rt.random_16()?);
    let customer =
        invitation.customer_id.as_deref().or(page.portal.context.customer_id.as_deref()).and_then(CustomerId::parse);
    let password_hash = password::hash(&profile.password, &page.rt.random_16()?)?;
    let access = &page.portal.context.access;
    let account = NewAccount {
        id,
        customer,
        email: &profile.email,
        name: profile.name.as_str(),
        role: invitation.role,
        first_becomes_admin: true,
        password_hash: &password_hash,
        language: page.lang,
        // The invitation is the proof: whoever holds the link was sent it.
        verified: true,
        terms_version: access.terms_version,
        consent_version: access.consent_version,
    };
    let now = page.rt.now();
    let new_session = session::start(page, &Holder::Account(id), lifetime_ms(page), true)?;
    let actor = Actor::Account(id);
    let change = Change::new(page.scope.tenant, &actor, "invitation.accept", "invitation", invitation.id.clone())
        .after(serde_json::json!({ "account_id": id.to_db(), "email": profile.email.as_str() }));
    // One unit: spend the invitation, create the account (only if the invitation was
    // still pending), sign in (only if the account was created), record it.
    let mut batch = vec![
        invitations::accept(page.scope, &invitation.id, id, now),
        accounts::insert(page.scope, &account, true, now),
        new_session.statement,
        change.statement_if_changed(now),
    ];
    // A session this browser already had (another account here) ends with the new one.
    batch.extend(page.visitor.member().map(|old| sessions::delete(page.scope, &old.token_hash)));
    match page.rt.db().batch(batch).await {
        Ok(changed) if changed.get(1) == Some(&1) => {
            Ok(Response::see_other("/").add_header("set-cookie", &new_session.set_cookie))
        }
        Ok(_) => Ok(link_invalid(page)),
        Err(DbError::Constraint(detail)) if detail.contains("UNIQUE") => {
            let t = page.lang.account();
            let errors = [t.email_taken];
            let view_form = JoinForm {
                kind: JoinKind::Invitation { token, bound_email: invitation.email.as_deref() },
                name: form.text("name"),
                email: form.text("email"),
                errors: &errors,
            };
            form_page(page, 409, |csrf| view::join(page.portal, page.lang, csrf, &view_form))
        }
        Err(err) => Err(err.into()),
    }
}

fn registration_closed<R: Runtime>(page: &Page<'_, R>) -> Response {
    let t = page.lang.account();
    Response::html(403, view::message(page.portal, page.lang, t.registration_closed_title, t.registration_closed, None))
}

pub fn register_form<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    if !page.portal.context.access.join_policy.allows_registration() {
        return Ok(registration_closed(page));
    }
    let form = JoinForm { kind: JoinKind::Register, name: "", email: "", errors: &[] };
    form_page(page, 200, |csrf| view::join(page.portal, page.lang, csrf, &form))
}

pub async fn register_submit<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    let policy = page.portal.context.access.join_policy;
    if !policy.allows_registration() {
        return Ok(registration_closed(page));
    }
    let form = Form::read(page)?;
    rate_limit(page, &format!("register:ip:{}", client_ip(page)), REGISTER_LIMIT, 3600).await?;
    let profile = match read_profile(page, &form, None) {
        Ok(profile) => profile,
        Err(errors) => {
            let view_form = JoinForm {
                kind: JoinKind::Register,
                name: form.text("name"),
                email: form.text("email"),
                errors: &errors,
            };
            return form_page(page, 422, |csrf| view::join(page.portal, page.lang, csrf, &view_form));
        }
    };
    let listed_customer = if policy == JoinPolicy::Lists {
        let Some(entry) = registration_list::entry_for(page.rt.db(), page.scope, &profile.email).await? else {
            let t = page.lang.account();
            return Ok(Response::html(
                403,
                view::message(page.portal, page.lang, t.registration_closed_title, t.not_listed, None),
            ));
        };
        entry.customer_id
    } else {
        None
    };
    let t = page.lang.account();
    let check_email =
        Response::html(200, view::message(page.portal, page.lang, t.check_email_title, t.check_email_body, None));
    // Past the per-address limit the answer is unchanged and nothing is sent: registration
    // cannot be used to flood someone's inbox.
    if rate_limit(page, &format!("register:email:{}", profile.email), REGISTER_PER_EMAIL, 3600).await.is_err() {
        return Ok(check_email);
    }
    // Hashed before anything else, so an address with an account and one without take the
    // same time to answer (OWASP Authentication Cheat Sheet: no enumeration by timing).
    let password_hash = password::hash(&profile.password, &page.rt.random_16()?)?;
    let origin = page.origin();
    // The answer is the same whether or not the address has an account: the owner of an
    // existing account is told by email instead. Either way one batch is written.
    if accounts::find_by_email(page.rt.db(), page.scope, &profile.email).await?.is_some() {
        let sign_in = format!("{origin}/sign-in");
        let reset = format!("{origin}/forgot-password");
        let message = Message::AlreadyRegistered { sign_in_link: &sign_in, reset_link: &reset };
        page.rt.db().batch(vec![mail::queue(page, &profile.email, &message)?]).await?;
        return Ok(check_email);
    }
    let customer =
        listed_customer.as_deref().or(page.portal.context.customer_id.as_deref()).and_then(CustomerId::parse);
    let access = &page.portal.context.access;
    let now = page.rt.now();
    let token = Token::generate(page.rt)?;
    // No account yet: it is made when the link is used, so an address nobody can read
    // never becomes an account (nor blocks its owner from joining later).
    let registration = NewRegistration {
        token_hash: &token.hash,
        email: &profile.email,
        name: profile.name.as_str(),
        password_hash: &password_hash,
        customer,
        language: page.lang,
        terms_version: access.terms_version,
        consent_version: access.consent_version,
        expires_at: now.plus_seconds(VERIFY_LINK_MS / 1000),
    };
    let link = format!("{origin}/verify/{}", token.text);
    page.rt
        .db()
        .batch(vec![
            registrations::insert(page.scope, &registration, now),
            mail::queue(page, &profile.email, &Message::Verification { link: &link })?,
        ])
        .await?;
    Ok(check_email)
}

async fn live_registration<R: Runtime>(page: &Page<'_, R>, token: &str) -> Result<Option<String>, AppError> {
    let Some(hash) = presented_hash(token) else {
        return Ok(None);
    };
    let live = registrations::find_live(page.rt.db(), page.scope, &hash, page.rt.now()).await?;
    Ok(live.filter(|row| stored_hash_matches(&row.token_hash, &hash)).map(|_| hash))
}

pub async fn verify_form<R: Runtime>(page: &Page<'_, R>, token: &str) -> Result<Response, AppError> {
    // A GET only shows a button: mail scanners that open links must not spend the token.
    if live_registration(page, token).await?.is_none() {
        return Ok(link_invalid(page));
    }
    let t = page.lang.account();
    let action = format!("/verify/{token}");
    let text = Confirm { title: t.verify_title, body: t.verify_body, action: &action, button: t.verify_button };
    form_page(page, 200, |csrf| view::confirm(page.portal, page.lang, csrf, &text))
}

pub async fn verify_submit<R: Runtime>(page: &Page<'_, R>, token: &str) -> Result<Response, AppError> {
    Form::read(page)?;
    let Some(hash) = live_registration(page, token).await? else {
        return Ok(link_invalid(page));
    };
    let now = page.rt.now();
    let account = AccountId::from_random(page.rt.random_16()?);
    let new_session = session::start(page, &Holder::Account(account), lifetime_ms(page), true)?;
    let mut batch = vec![
        registrations::spend(page.scope, &hash, now),
        registrations::create_account_if_changed(page.scope, account, &hash, now),
        new_session.statement,
    ];
    batch.extend(page.visitor.member().map(|old| sessions::delete(page.scope, &old.token_hash)));
    match page.rt.db().batch(batch).await {
        Ok(changed) if changed.get(1) == Some(&1) => {
            Ok(Response::see_other("/").add_header("set-cookie", &new_session.set_cookie))
        }
        Ok(_) => Ok(link_invalid(page)),
        // The address got an account meanwhile (an invitation, another registration).
        Err(DbError::Constraint(detail)) if detail.contains("UNIQUE") => {
            let t = page.lang.account();
            Ok(Response::html(409, view::message(page.portal, page.lang, t.sign_in_title, t.email_taken, None)))
        }
        Err(err) => Err(err.into()),
    }
}
