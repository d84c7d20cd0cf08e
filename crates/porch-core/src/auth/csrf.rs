//! CSRF protection for portal forms: a double-submit token (OWASP CSRF Prevention Cheat
//! Sheet). A random token lives in an `HttpOnly`, host-only cookie and in a hidden form
//! field; a POST is accepted only when both are present and equal, compared in constant
//! time. The app also refuses a POST whose `Origin` is another site. `SameSite=Lax` on the
//! session cookie is the third layer.

use super::secret::secrets_equal;

/// The hidden form field's name.
pub const FIELD: &str = "csrf";

/// Whether a form submission carries the token of its cookie.
pub fn tokens_match(cookie: Option<&str>, field: Option<&str>) -> bool {
    match (cookie, field) {
        (Some(cookie), Some(field)) if !cookie.is_empty() => secrets_equal(cookie, field),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_passes_only_with_the_cookie_token_in_its_field() {
        assert!(tokens_match(Some("tok"), Some("tok")));
        assert!(!tokens_match(Some("tok"), Some("other")));
        assert!(!tokens_match(None, Some("tok")));
        assert!(!tokens_match(Some("tok"), None));
        assert!(!tokens_match(Some(""), Some("")));
    }
}
