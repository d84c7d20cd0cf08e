//! Signing in and out, and the forgotten-password flow. Answers never tell whether an
//! email has an account: a wrong email and a wrong password read the same and take the
//! same time, and the reset form always says a link was sent if one could be.

use super::forms::{client_ip, forgive, form_page, rate_limit, safe_return_to, Form};
use super::join::link_invalid;
use super::session::{self, lifetime_ms};
use super::{mail, Page};
use crate::auth::cookies;
use crate::auth::password::{self, NewPassword, PasswordError, Verified};
use crate::auth::secret::{presented_hash, Token};
use crate::email::Message;
use crate::http::{percent_encode, Response};
use crate::i18n::Translations as _;
use crate::runtime::Runtime;
use crate::store::reset_tokens;
use crate::store::sessions::{self, Holder};
use crate::store::wrote;
use crate::store::{accounts, sso, Database};
use crate::views::account::{self as view, SignInForm};
use crate::views::form::Problems;
use porch_types::email::Email;
use porch_types::error::AppError;
use porch_types::ids::AccountId;

/// Sign-in attempts per address and per account per 15 minutes (OWASP Authentication
/// Cheat Sheet: throttle per account and per source).
const SIGN_IN_PER_IP: i64 = 30;
const SIGN_IN_PER_ACCOUNT: i64 = 10;
const RESET_PER_IP: i64 = 10;
const RESET_PER_EMAIL: i64 = 3;
/// Reset links are short-lived (OWASP Forgot Password Cheat Sheet).
pub const RESET_LINK_MINUTES: i64 = 30;

/// The sign-in page that returns to `path` afterwards.
pub fn sign_in_href(path: &str) -> String {
    if path == "/" {
        "/sign-in".to_owned()
    } else {
        format!("/sign-in?return_to={}", percent_encode(path, b"/"))
    }
}

pub async fn form<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    if page.visitor.member().is_some() {
        return Ok(Response::see_other("/"));
    }
    let return_to = page.req.query_param("return_to");
    let return_to = return_to.as_deref().and_then(safe_return_to).unwrap_or("/");
    let sso = has_sso(page).await?;
    // An SSO-only portal keeps no passwords: its sign-in is the company sign-in.
    if sso && !page.portal.context.access.join_policy.allows_passwords() {
        return Ok(Response::see_other(&format!("/sso?return_to={}", percent_encode(return_to, b"/"))));
    }
    let form = SignInForm { email: "", return_to, problems: &Problems::default(), sso };
    form_page(page, 200, |csrf| view::sign_in(page.portal, page.lang, csrf, &form))
}

/// Whether the portal has a connection switched on (the sign-in page then offers it).
async fn has_sso<R: Runtime>(page: &Page<'_, R>) -> Result<bool, AppError> {
    Ok(sso::any_enabled(page.rt.db(), page.scope).await?)
}

pub async fn submit<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    let form = Form::read(page)?;
    let t = page.lang.account();
    let return_to = safe_return_to(form.text("return_to")).unwrap_or("/");
    let sso = has_sso(page).await?;
    // A wrong email or password is the email field's problem (GOV.UK: point at the first
    // field); a refusal of every attempt is the form's.
    let again = |status: u16, problems: Problems| {
        let view_form = SignInForm { email: form.text("email"), return_to, problems: &problems, sso };
        form_page(page, status, |csrf| view::sign_in(page.portal, page.lang, csrf, &view_form))
    };
    if !page.portal.context.access.join_policy.allows_passwords() {
        return again(403, Problems::general(t.sso_only));
    }
    // Per client address: every attempt counts, checked before any password work, so one
    // address cannot make the worker hash without limit.
    if rate_limit(page, &format!("signin:ip:{}", client_ip(page)), SIGN_IN_PER_IP, 900).await.is_err() {
        return again(429, Problems::general(t.too_many_attempts));
    }
    let Ok(email) = Email::parse(form.text("email")) else {
        password::verify_nothing(form.text("password"));
        return again(401, Problems::of("email", t.sign_in_failed));
    };
    // A domain an identity provider claims signs in there, never with a password.
    if let Some(to_provider) = super::sso::claimed_start(page, &email, return_to).await? {
        return Ok(to_provider);
    }
    // Per account: each attempt is counted before the password is checked (so parallel
    // guesses cannot all slip under the limit) and given back when it succeeds (so the
    // owner's own sign-ins never lock them out).
    let account_bucket = format!("signin:account:{email}");
    if rate_limit(page, &account_bucket, SIGN_IN_PER_ACCOUNT, 900).await.is_err() {
        return again(429, Problems::general(t.too_many_attempts));
    }
    let account = accounts::find_by_email(page.rt.db(), page.scope, &email).await?;
    let verified =
        if let Some((account, stored)) = account.as_ref().and_then(|a| a.password_hash.as_deref().map(|h| (a, h))) {
            match password::verify(form.text("password"), stored) {
                Verified::Match { rehash } => Some((account, rehash)),
                Verified::Mismatch => None,
            }
        } else {
            // No account (or none with a password): spend the same time as a real check.
            password::verify_nothing(form.text("password"));
            None
        };
    let Some((account, rehash)) = verified else {
        return again(401, Problems::of("email", t.sign_in_failed));
    };
    let id = AccountId::parse(&account.id).ok_or_else(|| AppError::Internal("account id".into()))?;
    let new_session = session::start(page, &Holder::Account(id), lifetime_ms(page), false)?;
    let mut batch = vec![new_session.statement, forgive(page, &account_bucket, 900)];
    if rehash {
        if let Ok(password) = NewPassword::parse(form.text("password")) {
            let upgraded = password::hash(&password, &page.rt.random_16()?)?;
            batch.push(accounts::set_password(page.scope, id, &upgraded, page.rt.now()));
        }
    }
    // A session the visitor already had is replaced, not kept beside the new one.
    if let Some(old) = page.visitor.member() {
        batch.push(sessions::delete(page.scope, &old.token_hash));
    }
    page.rt.db().batch(batch).await?;
    Ok(Response::see_other(super::landing(page.portal, return_to)).add_header("set-cookie", &new_session.set_cookie))
}

/// Signing out is one click: every signed-in page's menu posts here with its CSRF token.
pub async fn sign_out<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    Form::read(page)?;
    if let Some(member) = page.visitor.member() {
        page.rt.db().execute(sessions::delete(page.scope, &member.token_hash)).await?;
    }
    Ok(Response::see_other("/signed-out")
        .add_header("set-cookie", &cookies::clear(page.cookies.session, page.cookies.secure)))
}

pub fn forgot_form<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    form_page(page, 200, |csrf| view::forgot(page.portal, page.lang, csrf, "", &Problems::default()))
}

pub async fn forgot_submit<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    let form = Form::read(page)?;
    let t = page.lang.account();
    let Ok(email) = Email::parse(form.text("email")) else {
        let problems = Problems::of("email", t.invalid_email);
        return form_page(page, 422, |csrf| view::forgot(page.portal, page.lang, csrf, form.text("email"), &problems));
    };
    rate_limit(page, &format!("reset:ip:{}", client_ip(page)), RESET_PER_IP, 3600).await?;
    // People of a domain an identity provider claims have no password here to reset.
    if let Some(to_provider) = super::sso::claimed_start(page, &email, "/").await? {
        return Ok(to_provider);
    }
    let sent = Response::html(200, view::message(page.portal, page.lang, t.forgot_sent_title, t.forgot_sent, None));
    // Past the per-address limit the answer is unchanged and nothing more is sent, so the
    // limit cannot be used to learn whether an address has an account.
    if rate_limit(page, &format!("reset:email:{email}"), RESET_PER_EMAIL, 3600).await.is_err() {
        return Ok(sent);
    }
    let account = accounts::find_by_email(page.rt.db(), page.scope, &email).await?;
    let Some(account) = account.filter(|_| page.portal.context.access.join_policy.allows_passwords()) else {
        // The same D1 work as sending a link (one two-statement write batch), so the
        // answer's timing does not tell whether the address has an account.
        page.rt.db().batch(reset_tokens::decoy_batch()).await?;
        return Ok(sent);
    };
    let id = AccountId::parse(&account.id).ok_or_else(|| AppError::Internal("account id".into()))?;
    let now = page.rt.now();
    let token = Token::generate(page.rt)?;
    let link = format!("{}/reset-password/{}", page.origin(), token.text);
    let message = Message::PasswordReset { link: &link, valid_minutes: RESET_LINK_MINUTES };
    page.rt
        .db()
        .batch(vec![
            reset_tokens::insert(page.scope, id, &token.hash, now.plus_seconds(RESET_LINK_MINUTES * 60), now),
            mail::queue(page, &email, &message)?,
        ])
        .await?;
    Ok(sent)
}

async fn live_reset<R: Runtime>(page: &Page<'_, R>, token: &str) -> Result<Option<(String, AccountId)>, AppError> {
    let Some(hash) = presented_hash(token) else {
        return Ok(None);
    };
    let live = reset_tokens::find_live(page.rt.db(), page.scope, &hash, page.rt.now()).await?;
    Ok(live.and_then(|live| AccountId::parse(&live.account_id).map(|id| (hash, id))))
}

pub async fn reset_form<R: Runtime>(page: &Page<'_, R>, token: &str) -> Result<Response, AppError> {
    // A portal switched to SSO-only keeps no passwords, whatever links are still about.
    if live_reset(page, token).await?.is_none() || !page.portal.context.access.join_policy.allows_passwords() {
        return Ok(link_invalid(page));
    }
    form_page(page, 200, |csrf| view::reset(page.portal, page.lang, csrf, token, &Problems::default()))
}

pub async fn reset_submit<R: Runtime>(page: &Page<'_, R>, token: &str) -> Result<Response, AppError> {
    let form = Form::read(page)?;
    rate_limit(page, &format!("reset-submit:ip:{}", client_ip(page)), RESET_PER_IP * 2, 900).await?;
    let live = live_reset(page, token).await?.filter(|_| page.portal.context.access.join_policy.allows_passwords());
    let Some((hash, account)) = live else {
        return Ok(link_invalid(page));
    };
    let t = page.lang.account();
    let password = match NewPassword::parse(form.text("password")) {
        Ok(password) => password,
        Err(err) => {
            let message = match err {
                PasswordError::TooShort => t.password_too_short,
                PasswordError::TooLong => t.password_too_long,
            };
            let problems = Problems::of("password", message);
            return form_page(page, 422, |csrf| view::reset(page.portal, page.lang, csrf, token, &problems));
        }
    };
    let now = page.rt.now();
    let password_hash = password::hash(&password, &page.rt.random_16()?)?;
    let new_session = session::start(page, &Holder::Account(account), lifetime_ms(page), true)?;
    // One unit: spend the link; then (each only if the one before changed a row) set the
    // password, sign this browser in, and end every other session of the account.
    let keep = new_session.token_hash.clone();
    let batch = vec![
        reset_tokens::spend(page.scope, &hash, now),
        accounts::reset_password(page.scope, account, &password_hash, now),
        new_session.statement,
        sessions::delete_others_if_changed(page.scope, account, &keep),
        // Older reset links of the account stop working too.
        reset_tokens::spend_others(page.scope, account, &hash, now),
    ];
    let changed = page.rt.db().batch(batch).await?;
    if wrote(&changed, 0) {
        Ok(Response::see_other(super::landing(page.portal, "/")).add_header("set-cookie", &new_session.set_cookie))
    } else {
        Ok(link_invalid(page))
    }
}
