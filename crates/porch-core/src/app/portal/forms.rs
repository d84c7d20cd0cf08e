//! Portal forms: reading a posted form only after its CSRF token and origin check out,
//! giving each form page its token, keeping `return_to` on this portal, and rate limits.

use super::Page;
use crate::app::files;
use crate::auth::cookies;
use crate::auth::csrf;
use crate::auth::secret::{presented_hash, Token};
use crate::http::{form_fields, is_media_type, single_valued, Response};
use crate::multipart::Part;
use crate::runtime::Runtime;
use crate::store::{rate_limits, Statement};
use porch_types::error::AppError;

/// The fields (and files) of a form that passed the CSRF and origin checks. Files borrow
/// the request body: an upload is not copied while the form is read.
pub struct Form<'a> {
    fields: Vec<(String, String)>,
    files: Vec<Part<'a>>,
}

impl<'a> Form<'a> {
    /// A plain form posted from another site, where no CSRF token can exist (an identity
    /// provider's page posting a SAML response, a provider's app posting a sign-in token):
    /// what proves such a post is its signed content, which the caller verifies.
    pub fn read_cross_site<R: Runtime>(page: &Page<'a, R>) -> Result<Form<'a>, AppError> {
        if !is_media_type(page.req.header("content-type"), "application/x-www-form-urlencoded") {
            return Err(AppError::BadRequest("expected an HTML form".into()));
        }
        let fields = form_fields(&page.req.body).ok_or_else(|| AppError::BadRequest("the form is not valid".into()))?;
        single_valued(&fields)?;
        Ok(Form { fields, files: Vec::new() })
    }

    pub fn read<R: Runtime>(page: &Page<'a, R>) -> Result<Form<'a>, AppError> {
        let content_type = page.req.header("content-type").unwrap_or("");
        let form = if is_media_type(Some(content_type), "application/x-www-form-urlencoded") {
            let fields =
                form_fields(&page.req.body).ok_or_else(|| AppError::BadRequest("the form is not valid".into()))?;
            single_valued(&fields)?;
            Form { fields, files: Vec::new() }
        } else if let Some(parts) = files::read_multipart(&page.req.body, content_type)? {
            Form { fields: parts.fields, files: parts.files }
        } else {
            return Err(AppError::BadRequest("expected a form".into()));
        };
        // OWASP CSRF Cheat Sheet: verify the source origin where the browser sends one.
        if let Some(origin) = page.req.header("origin") {
            if origin != "null" && !origin.eq_ignore_ascii_case(&page.origin()) {
                return Err(AppError::FormExpired);
            }
        }
        if !csrf::tokens_match(cookies::read(page.req, page.cookies.csrf), form.get(csrf::FIELD)) {
            return Err(AppError::FormExpired);
        }
        Ok(form)
    }

    /// The file inputs' parts, empty ones included.
    pub fn files(&self) -> &[Part<'a>] {
        &self.files
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// The text of a field, or empty.
    pub fn text(&self, name: &str) -> &str {
        self.get(name).unwrap_or("")
    }

    /// A checkbox: sent (with any value) when ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// The CSRF token to put in this page's forms: the visitor's, or a new one with the
/// `Set-Cookie` that gives it to them.
pub struct CsrfToken {
    pub token: String,
    set_cookie: Option<String>,
}

impl CsrfToken {
    pub fn for_page<R: Runtime>(page: &Page<'_, R>) -> Result<CsrfToken, AppError> {
        if let Some(existing) = cookies::read(page.req, page.cookies.csrf).filter(|t| presented_hash(t).is_some()) {
            return Ok(CsrfToken { token: existing.to_owned(), set_cookie: None });
        }
        let token = Token::generate(page.rt)?.text;
        let set_cookie = cookies::set(page.cookies.csrf, &token, None, page.cookies.secure);
        Ok(CsrfToken { token, set_cookie: Some(set_cookie) })
    }

    /// Attaches the cookie when the token is new.
    pub fn attach(&self, response: Response) -> Response {
        match &self.set_cookie {
            Some(cookie) => response.add_header("set-cookie", cookie),
            None => response,
        }
    }
}

/// A page with forms: renders it with this visitor's CSRF token and sends the token's cookie.
pub fn form_page<R: Runtime>(
    page: &Page<'_, R>,
    status: u16,
    render: impl FnOnce(&str) -> String,
) -> Result<Response, AppError> {
    // A member's token was settled with the visitor (and its cookie goes with any page).
    if let Some(member) = page.visitor.member() {
        return Ok(Response::html(status, render(&member.csrf)));
    }
    let csrf = CsrfToken::for_page(page)?;
    Ok(csrf.attach(Response::html(status, render(&csrf.token))))
}

/// A path on this portal to go back to after signing in; anything else (another origin,
/// a scheme-relative `//host`, a backslash trick, control characters) is dropped, so the
/// sign-in page can never redirect off the portal (OWASP Unvalidated Redirects).
pub fn safe_return_to(raw: &str) -> Option<&str> {
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.starts_with("/\\")
        && raw.len() <= 512
        && !raw.chars().any(|c| c.is_control() || c == '\\');
    ok.then_some(raw)
}

/// The client's address as a rate-limit key (`Request::client_address`, shared with the API).
pub fn client_ip<R: Runtime>(page: &Page<'_, R>) -> String {
    page.req.client_address()
}

/// Gives back one attempt counted in `bucket` (a sign-in that succeeded): a statement for
/// the batch that signs the person in.
pub fn forgive<R: Runtime>(page: &Page<'_, R>, bucket: &str, window_seconds: i64) -> Statement {
    let key = format!("{}:{bucket}", page.scope.portal);
    rate_limits::forgive(&key, window_seconds * 1000, page.rt.now())
}

/// Counts one attempt against `bucket` and refuses it past `max` per `window_seconds`.
pub async fn rate_limit<R: Runtime>(
    page: &Page<'_, R>,
    bucket: &str,
    max: i64,
    window_seconds: i64,
) -> Result<(), AppError> {
    let key = format!("{}:{bucket}", page.scope.portal);
    crate::app::count_attempt(page.rt.db(), &key, max, window_seconds, page.rt.now()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_to_stays_on_the_portal() {
        assert_eq!(safe_return_to("/users?x=1"), Some("/users?x=1"));
        for bad in ["https://evil.test/", "//evil.test/", "/\\evil.test", "evil", "/a\nb", ""] {
            assert_eq!(safe_return_to(bad), None, "{bad:?}");
        }
    }
}
