//! The portal's cookies: reading the `Cookie` header and writing `Set-Cookie` values with
//! the attributes browsers need to keep them from other sites and scripts.
//!
//! On real domains the names carry the `__Host-` prefix (RFC 6265bis §4.1.3.2: Secure, no
//! Domain, Path=/), which stops a sibling subdomain from planting or overwriting them. Browsers
//! refuse `__Host-` without `Secure`, and local `*.localhost` portals are served over plain
//! HTTP, so there the names drop the prefix along with `Secure`.

use crate::http::Request;
use porch_types::host::Hostname;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CookieNames {
    pub session: &'static str,
    pub csrf: &'static str,
    /// Binds an OIDC sign-in's callback to the browser that started it.
    pub sso: &'static str,
    /// Binds a SAML sign-in's response to the browser that started it. Sent on the identity
    /// provider's cross-site POST, so `SameSite=None` (and therefore always `Secure`).
    pub sso_saml: &'static str,
    /// A visitor's choice in the language menu.
    pub language: &'static str,
    /// Whether cookies get `Secure` (everywhere but `*.localhost`).
    pub secure: bool,
}

pub fn names_for(host: &Hostname) -> CookieNames {
    if host.is_localhost() {
        CookieNames {
            session: "porch_session",
            csrf: "porch_csrf",
            sso: "porch_sso",
            sso_saml: "porch_sso_saml",
            language: "porch_lang",
            secure: false,
        }
    } else {
        CookieNames {
            session: "__Host-porch_session",
            csrf: "__Host-porch_csrf",
            sso: "__Host-porch_sso",
            sso_saml: "__Host-porch_sso_saml",
            language: "__Host-porch_lang",
            secure: true,
        }
    }
}

/// The value of a request cookie (RFC 6265 §5.4 `name=value` pairs separated by `; `).
pub fn read<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers.iter().filter(|(header, _)| header == "cookie").flat_map(|(_, value)| value.split(';')).find_map(
        |pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then_some(value.trim_matches('"'))
        },
    )
}

/// A `Set-Cookie` value: `HttpOnly` (no script reads it), `SameSite=Lax` (not sent on
/// cross-site POSTs), `Path=/`, `Secure` where the portal is on HTTPS. `max_age` None makes
/// a browser-session cookie.
pub fn set(name: &str, value: &str, max_age_seconds: Option<i64>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    let max_age = max_age_seconds.map(|seconds| format!("; Max-Age={seconds}")).unwrap_or_default();
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}{max_age}")
}

/// A cookie the browser also sends on a cross-site POST to this site (a SAML response posted
/// by the identity provider's page): `SameSite=None`, which browsers accept only with
/// `Secure` (and treat `*.localhost` as secure, so it works locally too).
pub fn set_cross_site(name: &str, value: &str, max_age_seconds: i64) -> String {
    format!("{name}={value}; Path=/; HttpOnly; Secure; SameSite=None; Max-Age={max_age_seconds}")
}

/// A `Set-Cookie` value that removes the cookie.
pub fn clear(name: &str, secure: bool) -> String {
    set(name, "", Some(0), secure)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::http::Method;

    #[test]
    fn cookies_are_found_by_exact_name_among_several() {
        let req = Request::new(Method::Get, "/")
            .with_header("cookie", "a=1; porch_session=abc; xporch_csrf=no")
            .with_header("cookie", "porch_csrf=def");
        assert_eq!(read(&req, "porch_session"), Some("abc"));
        assert_eq!(read(&req, "porch_csrf"), Some("def"));
        assert_eq!(read(&req, "missing"), None);
    }

    #[test]
    fn real_domains_get_host_prefixed_secure_cookies_and_localhost_plain_ones() {
        let real = names_for(&Hostname::parse("support.acme.com").unwrap());
        assert_eq!(real.session, "__Host-porch_session");
        assert!(set(real.session, "v", Some(60), real.secure).contains("; Secure"));
        let local = names_for(&Hostname::parse("acme.localhost").unwrap());
        assert_eq!(local.session, "porch_session");
        let cookie = set(local.session, "v", None, local.secure);
        assert_eq!(cookie, "porch_session=v; Path=/; HttpOnly; SameSite=Lax");
        assert!(clear("x", true).contains("Max-Age=0"));
    }
}
