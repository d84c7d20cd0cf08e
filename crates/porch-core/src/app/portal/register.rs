//! Self-registration where the portal allows it (open, or limited to listed emails and
//! domains). Registering asks only for a name and an email and sends a link; the account is
//! created on the page that link opens, where the person chooses the password and agrees to
//! the portal's texts. So registering an address one cannot read achieves nothing.

use super::forms::{client_ip, form_page, rate_limit, Form};
use super::join::{create_account, link_invalid, read_profile, Joined, Joining};
use super::{mail, Page};
use crate::auth::secret::{presented_hash, stored_hash_matches, Token};
use crate::email::Message;
use crate::http::Response;
use crate::i18n::Translations as _;
use crate::runtime::Runtime;
use crate::store::accounts::{self, NewRole};
use crate::store::registrations::{self, LiveRegistration, NewRegistration};
use crate::store::{registration_list, Database};
use crate::views::account::{self as view, JoinForm, JoinKind};
use crate::views::form::Problems;
use porch_types::access::JoinPolicy;
use porch_types::email::Email;
use porch_types::error::AppError;
use porch_types::ids::{AccountId, CustomerId};
use porch_types::text::Label;

/// Registrations per client address, and emails per registered address, per hour.
const REGISTER_LIMIT: i64 = 10;
const REGISTER_PER_EMAIL: i64 = 3;
/// Registration links live a day; reset links are shorter (see `sign_in`).
const LINK_SECONDS: i64 = 24 * 3600;

fn registration_closed<R: Runtime>(page: &Page<'_, R>, message: &str) -> Response {
    let t = page.lang.account();
    Response::html(403, view::message(page.portal, page.lang, t.registration_closed_title, message, None))
}

/// Whether the portal admits `email` by registration now, and as which customer.
async fn admits<R: Runtime>(page: &Page<'_, R>, email: &Email) -> Result<Result<Option<String>, Response>, AppError> {
    let t = page.lang.account();
    match page.portal.context.access.join_policy {
        JoinPolicy::Open => Ok(Ok(None)),
        JoinPolicy::Lists => Ok(match registration_list::entry_for(page.rt.db(), page.scope, email).await? {
            Some(entry) => Ok(entry.customer_id),
            None => Err(registration_closed(page, t.not_listed)),
        }),
        JoinPolicy::Invitation | JoinPolicy::Sso => Ok(Err(registration_closed(page, t.registration_closed))),
    }
}

pub fn register_form<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    if !page.portal.context.access.join_policy.allows_registration() {
        return Ok(registration_closed(page, page.lang.account().registration_closed));
    }
    let form = JoinForm { kind: JoinKind::Register, name: "", email: "", problems: &Problems::default() };
    form_page(page, 200, |csrf| view::join(page.portal, page.lang, csrf, &form))
}

pub async fn register_submit<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    let t = page.lang.account();
    if !page.portal.context.access.join_policy.allows_registration() {
        return Ok(registration_closed(page, t.registration_closed));
    }
    let form = Form::read(page)?;
    rate_limit(page, &format!("register:ip:{}", client_ip(page)), REGISTER_LIMIT, 3600).await?;
    let mut problems = Problems::default();
    let name = Label::parse(form.text("name"), 120).map_err(|_| problems.add("name", t.invalid_name));
    let email = Email::parse(form.text("email")).map_err(|_| problems.add("email", t.invalid_email));
    let (Ok(name), Ok(email)) = (name, email) else {
        let view_form = JoinForm {
            kind: JoinKind::Register,
            name: form.text("name"),
            email: form.text("email"),
            problems: &problems,
        };
        return form_page(page, 422, |csrf| view::join(page.portal, page.lang, csrf, &view_form));
    };
    // People of a domain an identity provider claims join through it.
    if let Some(to_provider) = super::sso::claimed_start(page, &email, "/").await? {
        return Ok(to_provider);
    }
    let customer = match admits(page, &email).await? {
        Ok(listed) => listed,
        Err(refused) => return Ok(refused),
    };
    let check_email =
        Response::html(200, view::message(page.portal, page.lang, t.check_email_title, t.check_email_body, None));
    // Past the per-address limit the answer is unchanged and nothing is sent: registration
    // cannot be used to flood someone's inbox.
    if rate_limit(page, &format!("register:email:{email}"), REGISTER_PER_EMAIL, 3600).await.is_err() {
        return Ok(check_email);
    }
    let origin = page.origin();
    // The answer is the same whether or not the address has an account, and so is the work
    // (one lookup, one batch): the owner of an existing account is told by email instead.
    if accounts::find_by_email(page.rt.db(), page.scope, &email).await?.is_some() {
        let sign_in = format!("{origin}/sign-in");
        let reset = format!("{origin}/forgot-password");
        let message = Message::AlreadyRegistered { sign_in_link: &sign_in, reset_link: &reset };
        page.rt.db().batch(vec![mail::queue(page, &email, &message)?]).await?;
        return Ok(check_email);
    }
    let now = page.rt.now();
    let token = Token::generate(page.rt)?;
    let registration = NewRegistration {
        token_hash: &token.hash,
        email: &email,
        name: name.as_str(),
        customer: customer.as_deref().or(page.portal.context.customer_id.as_deref()).and_then(CustomerId::parse),
        expires_at: now.plus_seconds(LINK_SECONDS),
    };
    let link = format!("{origin}/verify/{}", token.text);
    page.rt
        .db()
        .batch(vec![
            registrations::insert(page.scope, &registration, now),
            mail::queue(page, &email, &Message::Verification { link: &link })?,
        ])
        .await?;
    Ok(check_email)
}

/// The registration behind a link, if it can still be used and the portal still admits it
/// (the portal may have closed registration, or taken the address off its list, since).
async fn live<R: Runtime>(
    page: &Page<'_, R>,
    token: &str,
) -> Result<Option<(String, LiveRegistration, Email)>, AppError> {
    let Some(hash) = presented_hash(token) else {
        return Ok(None);
    };
    let Some(row) = registrations::find_live(page.rt.db(), page.scope, &hash, page.rt.now()).await? else {
        return Ok(None);
    };
    let Ok(email) = Email::parse(&row.email) else {
        return Ok(None);
    };
    if !stored_hash_matches(&row.token_hash, &hash) || admits(page, &email).await?.is_err() {
        return Ok(None);
    }
    Ok(Some((hash, row, email)))
}

pub async fn confirm_form<R: Runtime>(page: &Page<'_, R>, token: &str) -> Result<Response, AppError> {
    let Some((_, registration, _)) = live(page, token).await? else {
        return Ok(link_invalid(page));
    };
    // The page asks for the password and the agreement; a GET changes nothing, so mail
    // scanners that open links cannot spend it.
    let form = JoinForm {
        kind: JoinKind::Confirm { token, email: &registration.email },
        name: &registration.name,
        email: &registration.email,
        problems: &Problems::default(),
    };
    form_page(page, 200, |csrf| view::join(page.portal, page.lang, csrf, &form))
}

pub async fn confirm_submit<R: Runtime>(page: &Page<'_, R>, token: &str) -> Result<Response, AppError> {
    let form = Form::read(page)?;
    rate_limit(page, &format!("register:ip:{}", client_ip(page)), REGISTER_LIMIT, 3600).await?;
    let Some((hash, registration, email)) = live(page, token).await? else {
        return Ok(link_invalid(page));
    };
    let again = |status: u16, problems: &Problems| {
        let view_form = JoinForm {
            kind: JoinKind::Confirm { token, email: &registration.email },
            name: form.text("name"),
            email: &registration.email,
            problems,
        };
        form_page(page, status, |csrf| view::join(page.portal, page.lang, csrf, &view_form))
    };
    let profile = match read_profile(page, &form, Some(email.as_str())) {
        Ok(profile) => profile,
        Err(errors) => return again(422, &errors),
    };
    let now = page.rt.now();
    let joining = Joining {
        customer: registration.customer_id.as_deref().and_then(CustomerId::parse),
        role: NewRole::Registered,
        verified: true,
        spend: registrations::spend(page.scope, &hash, now),
        then: vec![registrations::clear_for_email_if_changed(page.scope, &email)],
        profile: &profile,
    };
    match create_account(page, AccountId::from_random(page.rt.random_16()?), joining).await? {
        Joined::SignedIn(response) => Ok(response),
        Joined::LinkUsed => Ok(link_invalid(page)),
        // The address got an account meanwhile (an invitation, another registration).
        Joined::EmailTaken => again(409, &Problems::of("email", page.lang.account().email_taken)),
    }
}
