//! Single sign-on pages of the portal: the company sign-in page (home realm discovery by the
//! email's domain), starting a sign-in at a connection, and the protocols' return addresses,
//! each handed to its protocol's module (`sso_jwt`, `sso_oidc`, `sso_saml`), which finish
//! through `sso_sign_in`.

use super::forms::{form_page, safe_return_to, Form};
use super::sso_sign_in::limited;
use super::{sso_jwt, sso_oidc, sso_saml, Page};
use crate::http::{percent_encode, Response};
use crate::i18n::Translations as _;
use crate::runtime::Runtime;
use crate::store::sso::{self, ConnectionRow};
use crate::views::sso::{self as view, CompanyForm};
use porch_types::email::Email;
use porch_types::error::AppError;
use porch_types::ids::SsoConnectionId;
use porch_types::sso::Protocol;

/// A connection of this portal that is switched on.
async fn enabled_connection<R: Runtime>(page: &Page<'_, R>, raw_id: &str) -> Result<ConnectionRow, AppError> {
    let id = SsoConnectionId::parse(raw_id).ok_or(AppError::NotFound)?;
    sso::get(page.rt.db(), page.scope, id).await?.filter(ConnectionRow::is_enabled).ok_or(AppError::NotFound)
}

/// `GET /sso`: the company sign-in page, on a portal that has any connection.
pub async fn company_form<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    if page.visitor.member().is_some() {
        return Ok(Response::see_other("/"));
    }
    if !sso::any_enabled(page.rt.db(), page.scope).await? {
        return Err(AppError::NotFound);
    }
    let return_to = page.req.query_param("return_to");
    let form = CompanyForm {
        email: "",
        return_to: return_to.as_deref().and_then(safe_return_to).unwrap_or("/"),
        error: None,
        passwords: page.portal.context.access.join_policy.allows_passwords(),
    };
    form_page(page, 200, |csrf| view::company_sign_in(page.portal, page.lang, csrf, &form))
}

/// `POST /sso`: home realm discovery. The email's domain names the connection; a portal with
/// one connection that claims no domains sends everyone there.
pub async fn discover<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    let form = Form::read(page)?;
    limited(page).await?;
    let return_to = safe_return_to(form.text("return_to")).unwrap_or("/");
    let again = |error: &'static str| {
        let view_form = CompanyForm {
            email: form.text("email"),
            return_to,
            error: Some(error),
            passwords: page.portal.context.access.join_policy.allows_passwords(),
        };
        form_page(page, 422, |csrf| view::company_sign_in(page.portal, page.lang, csrf, &view_form))
    };
    let Ok(email) = Email::parse(form.text("email")) else {
        return again(page.lang.account().invalid_email);
    };
    let connection = if let Some(connection) = sso::for_domain(page.rt.db(), page.scope, email.domain()).await? {
        Some(connection)
    } else {
        let connections = sso::list_enabled(page.rt.db(), page.scope).await?;
        let claimed = sso::domains(page.rt.db(), page.scope).await?;
        match connections.as_slice() {
            [only] if !claimed.iter().any(|d| d.connection_id == only.id) => connections.into_iter().next(),
            _ => None,
        }
    };
    let Some(connection) = connection else {
        return again(page.lang.sso().no_provider);
    };
    Ok(to_start(page, &connection.id, return_to, &email))
}

/// After a form: on to a connection's start, by a page that refreshes there (see
/// `views::sso::continuing`; a redirect would be refused by the browser's CSP).
fn to_start<R: Runtime>(page: &Page<'_, R>, connection: &str, return_to: &str, email: &Email) -> Response {
    let href = format!(
        "/sso/{connection}/start?return_to={}&login_hint={}",
        percent_encode(return_to, b"/"),
        percent_encode(email.as_str(), b"@")
    );
    Response::html(200, view::continuing(page.portal, page.lang, &href))
        .with_header("refresh", &format!("0;url={href}"))
}

/// `GET /sso/{id}/start`: sends the person to the connection's identity provider.
pub async fn start<R: Runtime>(page: &Page<'_, R>, raw_id: &str) -> Result<Response, AppError> {
    let connection = enabled_connection(page, raw_id).await?;
    limited(page).await?;
    let return_to = page.req.query_param("return_to");
    let return_to = return_to.as_deref().and_then(safe_return_to).unwrap_or("/");
    match connection.protocol {
        Protocol::Jwt => sso_jwt::start(page, &connection, return_to).await,
        Protocol::Oidc => sso_oidc::start(page, &connection, return_to).await,
        Protocol::Saml => sso_saml::start(page, &connection, return_to).await,
    }
}

/// The connection of the path if it is switched on and speaks `protocol`.
async fn connection_of<R: Runtime>(
    page: &Page<'_, R>,
    raw_id: &str,
    protocol: Protocol,
) -> Result<ConnectionRow, AppError> {
    let connection = enabled_connection(page, raw_id).await?;
    if connection.protocol == protocol {
        Ok(connection)
    } else {
        Err(AppError::NotFound)
    }
}

/// `GET /sso/{id}/metadata`: a SAML connection's SP metadata.
pub async fn saml_metadata<R: Runtime>(page: &Page<'_, R>, raw_id: &str) -> Result<Response, AppError> {
    sso_saml::metadata(page, &connection_of(page, raw_id, Protocol::Saml).await?).await
}

/// `POST /sso/{id}/acs`: a SAML identity provider's response.
pub async fn saml_acs<R: Runtime>(page: &Page<'_, R>, raw_id: &str) -> Result<Response, AppError> {
    sso_saml::acs(page, &connection_of(page, raw_id, Protocol::Saml).await?).await
}

/// `GET /sso/{id}/callback`: an OIDC provider's answer.
pub async fn callback<R: Runtime>(page: &Page<'_, R>, raw_id: &str) -> Result<Response, AppError> {
    sso_oidc::callback(page, &connection_of(page, raw_id, Protocol::Oidc).await?).await
}

/// Where a person of an email domain that a connection claims must sign in: that connection,
/// never a password (so the provider's rules and its removal of someone hold). None when no
/// connection claims the domain. Says only what the company sign-in page says to anyone.
pub async fn claimed_start<R: Runtime>(
    page: &Page<'_, R>,
    email: &Email,
    return_to: &str,
) -> Result<Option<Response>, AppError> {
    let Some(connection) = sso::for_domain(page.rt.db(), page.scope, email.domain()).await? else {
        return Ok(None);
    };
    Ok(Some(to_start(page, &connection.id, return_to, email)))
}
