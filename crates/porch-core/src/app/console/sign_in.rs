//! The console's way in: the first operator's set-up, the second factor's set-up (with its
//! recovery codes, shown once), signing in (password, then code) and out. Answers never
//! tell whether an email has an account: a wrong email and a wrong password read the same
//! and take the same time.

use super::{lifetime, Console};
use crate::auth::password::{self, NewPassword, PasswordError, Verified};
use crate::auth::sealing;
use crate::auth::secret::{is_platform_token, sha256_hex, Token};
use crate::http::Response;
use crate::i18n::{Language, Translations as _};
use crate::runtime::Runtime;
use crate::store::staff::{self, FirstOperator, NewSession, Stage};
use crate::store::Database;
use crate::views::console::{self as view, Enrolment, SetUpForm};
use crate::views::form::Problems;
use porch_sso::totp;
use porch_types::email::Email;
use porch_types::error::AppError;
use porch_types::ids::StaffId;
use porch_types::text::Label;
use porch_types::time::Timestamp;

/// Attempts per client address and per email per 15 minutes (OWASP Authentication Cheat
/// Sheet: throttle per account and per source); codes per person, so the 10^6 codes of a
/// step cannot be walked.
const SIGN_IN_PER_IP: i64 = 30;
const SIGN_IN_PER_EMAIL: i64 = 10;
const SET_UP_PER_IP: i64 = 10;
const CODES_PER_PERSON: i64 = 10;
const WINDOW_SECONDS: i64 = 900;
/// What authenticator apps name the console's entry.
const ISSUER: &str = "Porch";

/// What is wrong with a typed platform token, if anything: the API's rule
/// (`is_platform_token`); a deployment without a usable token cannot be set up.
fn token_problem<R: Runtime>(console: &Console<'_, R>, token: &str) -> Option<&'static str> {
    let c = console.lang.console();
    if token.is_empty() {
        Some(c.admin_token_missing)
    } else if is_platform_token(console.rt, token) {
        None
    } else {
        Some(c.admin_token_wrong)
    }
}

pub fn field<'f>(fields: &'f [(String, String)], name: &str) -> &'f str {
    fields.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
}

/// The version a form was drawn from (its `version` field), as the precondition of its write.
pub fn drawn_version(fields: &[(String, String)]) -> Result<crate::app::versions::Precondition, AppError> {
    let version: i64 =
        field(fields, "version").parse().map_err(|_| AppError::BadRequest("the form's version is missing".into()))?;
    Ok(crate::app::versions::Precondition::Tags(vec![porch_types::error::entity_tag(version)]))
}

/// A new token and the session row it stands for, with its stage's lifetime from now.
pub fn new_session<R: Runtime>(console: &Console<'_, R>, stage: Stage) -> Result<(Token, Timestamp), AppError> {
    let token = Token::generate(console.rt)?;
    Ok((token, Timestamp::from_millis(console.now.millis() + lifetime(stage))))
}

/// A fresh TOTP secret, sealed for its person.
pub fn new_secret<R: Runtime>(console: &Console<'_, R>, staff: StaffId) -> Result<String, AppError> {
    let mut secret = [0u8; totp::SECRET_BYTES];
    console.rt.fill_random(&mut secret)?;
    sealing::seal(console.rt, &staff.to_db(), &secret)
}

/// What is wrong with a new password, in the reader's words.
pub fn password_problem(lang: Language, err: PasswordError) -> &'static str {
    let a = lang.account();
    match err {
        PasswordError::TooShort => a.password_too_short,
        PasswordError::TooLong => a.password_too_long,
    }
}

/// The set-up form, while the platform has no operator.
pub async fn set_up_form<R: Runtime>(console: &Console<'_, R>) -> Result<Response, AppError> {
    if staff::has_operator(console.rt.db()).await? {
        return Ok(console.way_in());
    }
    let problems = Problems::default();
    let form = SetUpForm { name: "", email: "", problems: &problems };
    console.form_page(200, |csrf| view::set_up(console.lang, csrf, &form))
}

pub async fn set_up<R: Runtime>(console: &Console<'_, R>) -> Result<Response, AppError> {
    let fields = console.form()?;
    if staff::has_operator(console.rt.db()).await? {
        return Ok(console.way_in());
    }
    console.rate_limit(&format!("setup:ip:{}", console.req.client_address()), SET_UP_PER_IP, WINDOW_SECONDS).await?;
    let a = console.lang.account();
    let (token, name, email, typed_password) =
        (field(&fields, "token"), field(&fields, "name"), field(&fields, "email"), field(&fields, "password"));
    let mut problems = Problems::default();
    if let Some(message) = token_problem(console, token) {
        problems.add("token", message);
    }
    let name = Label::parse(name, 120).map_err(|_| problems.add("name", a.invalid_name)).ok();
    let email = Email::parse(email).map_err(|_| problems.add("email", a.invalid_email)).ok();
    let new_password = NewPassword::parse(typed_password)
        .map_err(|err| problems.add("password", password_problem(console.lang, err)))
        .ok();
    let (Some(name), Some(email), Some(new_password), true) = (name, email, new_password, problems.is_empty()) else {
        let form = SetUpForm { name: field(&fields, "name"), email: field(&fields, "email"), problems: &problems };
        return console.form_page(400, |csrf| view::set_up(console.lang, csrf, &form));
    };
    let id = StaffId::from_random(console.rt.random_16()?);
    let password_hash = password::hash(&new_password, &console.rt.random_16()?)?;
    let pending = new_secret(console, id)?;
    let (token, expires_at) = new_session(console, Stage::Enrol)?;
    let operator = FirstOperator { id, email: email.as_str(), name: name.as_str(), password_hash: &password_hash };
    let session =
        NewSession { token_hash: &token.hash, stage: Stage::Enrol, pending_secret: Some(&pending), expires_at };
    if !staff::create_first_operator(console.rt.db(), &operator, &session, console.now).await? {
        // Another set-up won the race: this one made nothing.
        return Ok(Response::see_other("/sign-in"));
    }
    Ok(console.with_session(Response::see_other("/second-factor"), Some(&token.text), lifetime(Stage::Enrol)))
}

/// Where an enrolling session stands: proven (by the set-up's platform token, or by giving it
/// again), with the secret being set up opened; or, signed in with a password alone, still to
/// prove that the person may set up a second factor at all.
enum Enrolling<'c> {
    Proven(Vec<u8>, &'c staff::StaffSession),
    Unproven(&'c staff::StaffSession),
}

fn enrolling<'c, R: Runtime>(console: &'c Console<'_, R>) -> Result<Option<Enrolling<'c>>, AppError> {
    let Some(session) = console.at_stage(Stage::Enrol) else {
        return Ok(None);
    };
    let Some(sealed) = session.pending_secret.as_deref() else {
        return Ok(Some(Enrolling::Unproven(session)));
    };
    let secret = sealing::open(console.rt, &session.staff_id.to_db(), sealed)
        .map_err(|why| AppError::Internal(format!("second factor secret: {why}")))?;
    Ok(Some(Enrolling::Proven(secret, session)))
}

/// A tenant's staff who never finished setting up are told how to go on: a new invitation
/// (its link is their proof).
fn unfinished<R: Runtime>(console: &Console<'_, R>) -> Response {
    let c = console.lang.console();
    Response::html(403, view::error(console.lang, c.prove_title, c.unfinished_staff))
}

/// A password alone must not let someone bind their own authenticator to an account that has
/// none (its owner never finished the set-up): an operator gives the platform token again,
/// as at the console's set-up; a tenant's staff need a new invitation (`unfinished`).
async fn prove<R: Runtime>(
    console: &Console<'_, R>,
    session: &staff::StaffSession,
    fields: &[(String, String)],
) -> Result<Response, AppError> {
    if session.tenant_id.is_some() {
        return Ok(unfinished(console));
    }
    console.rate_limit(&format!("prove:{}", session.staff_id), CODES_PER_PERSON, WINDOW_SECONDS).await?;
    if let Some(message) = token_problem(console, field(fields, "token")) {
        let problems = Problems::of("token", message);
        return console.form_page(400, |csrf| view::prove_for_enrolment(console.lang, csrf, &problems));
    }
    let pending = new_secret(console, session.staff_id)?;
    console.rt.db().execute(staff::set_pending_secret(&session.token_hash, &pending)).await?;
    Ok(Response::see_other("/second-factor"))
}

fn enrol_page<R: Runtime>(
    console: &Console<'_, R>,
    status: u16,
    secret: &[u8],
    session: &staff::StaffSession,
    problems: &Problems,
) -> Result<Response, AppError> {
    // The issuer the app lists the entry under: the same in every language.
    let uri = totp::otpauth_uri(secret, ISSUER, &session.email);
    let key = totp::base32(secret);
    // Groups of four, as apps show keys, so it can be read and typed.
    let key: Vec<String> = key.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
    let key = key.join(" ");
    let enrolment = Enrolment { otpauth_uri: &uri, key: &key, problems };
    console.form_page(status, |csrf| view::second_factor(console.lang, csrf, &enrolment))
}

pub fn enrol_form<R: Runtime>(console: &Console<'_, R>) -> Result<Response, AppError> {
    match enrolling(console)? {
        Some(Enrolling::Proven(secret, session)) => enrol_page(console, 200, &secret, session, &Problems::default()),
        Some(Enrolling::Unproven(session)) if session.tenant_id.is_some() => Ok(unfinished(console)),
        Some(Enrolling::Unproven(_)) => {
            console.form_page(200, |csrf| view::prove_for_enrolment(console.lang, csrf, &Problems::default()))
        }
        None => Ok(console.way_in()),
    }
}

pub async fn enrol<R: Runtime>(console: &Console<'_, R>) -> Result<Response, AppError> {
    let fields = console.form()?;
    let (secret, session) = match enrolling(console)? {
        Some(Enrolling::Proven(secret, session)) => (secret, session),
        Some(Enrolling::Unproven(session)) => return prove(console, session, &fields).await,
        None => return Ok(console.way_in()),
    };
    console.rate_limit(&format!("code:{}", session.staff_id), CODES_PER_PERSON, WINDOW_SECONDS).await?;
    let c = console.lang.console();
    let typed = field(&fields, "code");
    let step = totp::verify(&secret, typed, console.now.millis().div_euclid(1000), None);
    let Some(step) = step else {
        let message = if typed.trim().is_empty() { c.code_missing } else { c.code_wrong };
        return enrol_page(console, 400, &secret, session, &Problems::of("code", message));
    };
    let mut codes = Vec::with_capacity(totp::RECOVERY_CODES);
    for _ in 0..totp::RECOVERY_CODES {
        let mut bytes = [0u8; totp::RECOVERY_CODE_BYTES];
        console.rt.fill_random(&mut bytes)?;
        codes.push(totp::recovery_code(bytes));
    }
    let hashes: Vec<String> =
        codes.iter().filter_map(|code| totp::normalise_recovery_code(code)).map(|code| sha256_hex(&code)).collect();
    let sealed = sealing::seal(console.rt, &session.staff_id.to_db(), &secret)?;
    let (token, expires_at) = new_session(console, Stage::SignedIn)?;
    let signed_in = NewSession { token_hash: &token.hash, stage: Stage::SignedIn, pending_secret: None, expires_at };
    if !staff::finish_enrolment(console.rt.db(), session, &sealed, step, &hashes, &signed_in, console.now).await? {
        return Ok(Response::see_other("/sign-in"));
    }
    let page = Response::html(200, view::recovery_codes(console.lang, &codes));
    Ok(console.with_session(page, Some(&token.text), lifetime(Stage::SignedIn)))
}

pub fn form<R: Runtime>(console: &Console<'_, R>) -> Result<Response, AppError> {
    if console.session.is_some() {
        return Ok(console.way_in());
    }
    console.form_page(200, |csrf| view::sign_in(console.lang, csrf, ("", ""), &Problems::default()))
}

pub async fn submit<R: Runtime>(console: &Console<'_, R>) -> Result<Response, AppError> {
    let fields = console.form()?;
    let c = console.lang.console();
    let (email, typed_password) = (field(&fields, "email"), field(&fields, "password"));
    let again = |status: u16, message: &str| {
        let problems = Problems::of("email", message);
        console.form_page(status, |csrf| view::sign_in(console.lang, csrf, (email, ""), &problems))
    };
    // Per address first, before any password work; then per email.
    let ip = format!("signin:ip:{}", console.req.client_address());
    if console.rate_limit(&ip, SIGN_IN_PER_IP, WINDOW_SECONDS).await.is_err() {
        return again(429, c.too_many_attempts);
    }
    let Ok(email) = Email::parse(email) else {
        password::verify_nothing(typed_password);
        return again(400, c.sign_in_wrong);
    };
    let per_email = format!("signin:email:{}", sha256_hex(email.as_str()));
    let per_email = per_email.as_str();
    if console.rate_limit(per_email, SIGN_IN_PER_EMAIL, WINDOW_SECONDS).await.is_err() {
        return again(429, c.too_many_attempts);
    }
    let found = staff::find_by_email(console.rt.db(), email.as_str()).await?;
    let person = match found {
        Some(person) if matches!(password::verify(typed_password, &person.password_hash), Verified::Match { .. }) => {
            person
        }
        Some(_) => return again(400, c.sign_in_wrong),
        None => {
            password::verify_nothing(typed_password);
            return again(400, c.sign_in_wrong);
        }
    };
    // Someone who never finished setting up the second factor sets it up now, once they have
    // proven they may (`prove`): a password alone gets no secret to bind an app to.
    let (stage, next) =
        if person.has_second_factor() { (Stage::Password, "/sign-in/code") } else { (Stage::Enrol, "/second-factor") };
    let (token, expires_at) = new_session(console, stage)?;
    let session = NewSession { token_hash: &token.hash, stage, pending_secret: None, expires_at };
    // One write: the new session, the attempt given back (so ten wrong passwords from anyone
    // cannot keep the person out for good), and this browser's earlier session ended (a
    // second sign-in replaces the first, it does not add to it).
    let mut statements =
        vec![staff::insert_session(person.id, &session, console.now), console.forgive(per_email, WINDOW_SECONDS)];
    statements.extend(console.session.as_ref().map(|old| staff::delete_session(&old.token_hash)));
    console.rt.db().batch(statements).await?;
    Ok(console.with_session(Response::see_other(next), Some(&token.text), lifetime(stage)))
}

pub fn code_form<R: Runtime>(console: &Console<'_, R>) -> Result<Response, AppError> {
    if console.at_stage(Stage::Password).is_none() {
        return Ok(console.way_in());
    }
    console.form_page(200, |csrf| view::code(console.lang, csrf, &Problems::default()))
}

pub async fn code<R: Runtime>(console: &Console<'_, R>) -> Result<Response, AppError> {
    let fields = console.form()?;
    let Some(session) = console.at_stage(Stage::Password) else {
        return Ok(console.way_in());
    };
    let c = console.lang.console();
    let wrong = |message: &str| {
        let problems = Problems::of("code", message);
        console.form_page(400, |csrf| view::code(console.lang, csrf, &problems))
    };
    if console.rate_limit(&format!("code:{}", session.staff_id), CODES_PER_PERSON, WINDOW_SECONDS).await.is_err() {
        return wrong(c.too_many_attempts);
    }
    let typed = field(&fields, "code");
    if typed.trim().is_empty() {
        return wrong(c.code_missing);
    }
    let (token, expires_at) = new_session(console, Stage::SignedIn)?;
    let signed_in = NewSession { token_hash: &token.hash, stage: Stage::SignedIn, pending_secret: None, expires_at };
    let db = console.rt.db();
    let accepted = if let Some(recovery) = totp::normalise_recovery_code(typed) {
        staff::spend_recovery_code(db, session, &sha256_hex(&recovery), &signed_in, console.now).await?
    } else {
        let sealed = session.totp_secret.as_deref().ok_or_else(|| AppError::Internal("no second factor".into()))?;
        let secret = crate::auth::sealing::open(console.rt, &session.staff_id.to_db(), sealed)
            .map_err(|why| AppError::Internal(format!("second factor secret: {why}")))?;
        match totp::verify(&secret, typed, console.now.millis().div_euclid(1000), session.totp_last_step) {
            Some(step) => staff::accept_code(db, session, step, &signed_in, console.now).await?,
            None => false,
        }
    };
    if !accepted {
        return wrong(c.code_or_recovery_wrong);
    }
    Ok(console.with_session(Response::see_other("/"), Some(&token.text), lifetime(Stage::SignedIn)))
}

/// Ends this browser's session, at whatever stage.
pub async fn sign_out<R: Runtime>(console: &Console<'_, R>) -> Result<Response, AppError> {
    console.form()?;
    if let Some(session) = &console.session {
        console.rt.db().execute(staff::delete_session(&session.token_hash)).await?;
    }
    Ok(console.with_session(Response::see_other("/sign-in"), None, 0))
}
