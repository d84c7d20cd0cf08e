//! URLs porch sends requests to on a tenant's word (webhook endpoints): https only, to a
//! public DNS name, without credentials.

use std::fmt;

use url::{Host, Url};

use super::host::Hostname;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UrlError {
    #[error("must be an https:// URL")]
    NotHttps,
    #[error("must be at most {MAX_URL} characters")]
    TooLong,
    #[error("must not contain spaces or control characters")]
    Whitespace,
    #[error("must not carry a user name or password; put a token in the path or query instead")]
    Credentials,
    #[error("must not have a #fragment (it is never sent)")]
    Fragment,
    #[error("must name a valid host")]
    BadHost,
    #[error("must have a port from 1 to 65535, if any")]
    BadPort,
    #[error("must name a public host, not an IP address or localhost")]
    PrivateHost,
}

/// Longer URLs are refused by some servers and proxies; 2048 is the common safe bound.
const MAX_URL: usize = 2048;

/// An `https://` URL to a DNS name. Plain http is refused: the body carries customers'
/// words and the signature only proves origin, not secrecy. IP literals and `*.localhost`
/// are refused because the worker, not the tenant, makes the request (OWASP Server-Side
/// Request Forgery Prevention Cheat Sheet: allow only the expected scheme and reject
/// addresses meant for the local network); there is no dev-mode exception, since no other
/// outbound request takes its URL from a tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpsUrl(String);

impl HttpsUrl {
    /// Parsed as the WHATWG URL Standard does (the `url` crate), because that is how `fetch`
    /// will read it: a host the standard reads as an IPv4 address in any of its spellings
    /// (`0x7f.0.0.1`, `2130706433`, `127.1`) is an address, not a name, and refused here.
    pub fn parse(input: &str) -> Result<HttpsUrl, UrlError> {
        let input = input.trim();
        if input.len() > MAX_URL {
            return Err(UrlError::TooLong);
        }
        // The standard would drop tabs and newlines and encode spaces; a URL typed with them
        // is a mistake to point out, not to repair silently.
        if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(UrlError::Whitespace);
        }
        let scheme_is_https = input.get(..8).is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"));
        if !scheme_is_https {
            return Err(UrlError::NotHttps);
        }
        // RFC 3986 §3.2.1: userinfo in a URL is deprecated, and it would be logged and shown.
        // Looked for in the text as typed, up to the first `/` or `?`: the URL Standard drops
        // an empty one (`https://@host/`) and reads `\` as `/` (`https://a.com\@b.com/` goes
        // to a.com), so a URL that merely looks as if it names other credentials or another
        // host is refused rather than silently rewritten.
        let authority = input.get(8..).unwrap_or_default().split(['/', '?']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(UrlError::Credentials);
        }
        let url = Url::parse(input).map_err(|err| match err {
            url::ParseError::InvalidPort => UrlError::BadPort,
            _ => UrlError::BadHost,
        })?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(UrlError::Credentials);
        }
        if url.fragment().is_some() {
            return Err(UrlError::Fragment);
        }
        // URL Standard §3.5 host parsing: a domain, an IPv4 or an IPv6 address. Only a
        // public DNS name passes (OWASP SSRF Prevention: no addresses, no local names).
        let name = match url.host() {
            Some(Host::Domain(name)) => Hostname::parse(name).map_err(|_| UrlError::BadHost)?,
            Some(Host::Ipv4(_) | Host::Ipv6(_)) => return Err(UrlError::PrivateHost),
            None => return Err(UrlError::BadHost),
        };
        if name.is_localhost() || !name.as_str().contains('.') {
            return Err(UrlError::PrivateHost);
        }
        if url.port() == Some(0) {
            return Err(UrlError::BadPort);
        }
        Ok(HttpsUrl(url.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HttpsUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_https_url_keeps_its_path_port_and_query_with_the_host_lower_cased() {
        let url = HttpsUrl::parse(" HTTPS://Hooks.Example.com:8443/porch/in?token=abc ").unwrap();
        assert_eq!(url.as_str(), "https://hooks.example.com:8443/porch/in?token=abc");
        assert_eq!(HttpsUrl::parse("https://desk.example.com").unwrap().as_str(), "https://desk.example.com/");
        assert_eq!(HttpsUrl::parse("https://desk.example.com?a=1").unwrap().as_str(), "https://desk.example.com/?a=1");
    }

    #[test]
    fn other_schemes_and_malformed_urls_are_refused_with_the_reason() {
        for (input, error) in [
            ("http://hooks.example.com/in", UrlError::NotHttps),
            ("ftp://hooks.example.com", UrlError::NotHttps),
            ("hooks.example.com", UrlError::NotHttps),
            ("https:/", UrlError::NotHttps),
            ("https://", UrlError::BadHost),
            ("https://hooks.example.com/a b", UrlError::Whitespace),
            ("https://hooks.example.com/a\u{7}b", UrlError::Whitespace),
            ("https://user:pw@hooks.example.com/", UrlError::Credentials),
            ("https://@hooks.example.com/", UrlError::Credentials),
            ("https://:@hooks.example.com/", UrlError::Credentials),
            ("https://evil.example.com\\@hooks.example.com/", UrlError::Credentials),
            ("https://hooks.example.com/#top", UrlError::Fragment),
            ("https://hooks_example.com/", UrlError::BadHost),
            ("https://hooks.example.com:99999/", UrlError::BadPort),
            ("https://hooks.example.com:0/", UrlError::BadPort),
            ("https://127.0.0.1/in", UrlError::PrivateHost),
            ("https://[::1]/in", UrlError::PrivateHost),
            ("https://localhost/in", UrlError::PrivateHost),
            ("https://desk.localhost/in", UrlError::PrivateHost),
            ("https://intranet/in", UrlError::PrivateHost),
            // What fetch would read as 127.0.0.1 (URL Standard §3.5, the IPv4 parser).
            ("https://0x7f.0.0.1/in", UrlError::PrivateHost),
            ("https://2130706433/in", UrlError::PrivateHost),
            ("https://127.1/in", UrlError::PrivateHost),
            ("https://0177.0.0.1/in", UrlError::PrivateHost),
            ("https://[::ffff:127.0.0.1]/in", UrlError::PrivateHost),
            ("https://LOCALHOST./in", UrlError::PrivateHost),
        ] {
            assert_eq!(HttpsUrl::parse(input), Err(error), "{input}");
        }
        assert_eq!(HttpsUrl::parse(&format!("https://a.example.com/{}", "x".repeat(2048))), Err(UrlError::TooLong));
    }
}
