//! Absolute links to a portal or the console: for pages (the origin the visitor used) and for
//! emails and API answers (a portal's public host: its first active custom domain, else its
//! platform subdomain; the console's host). Local `*.localhost` hosts keep the port of the
//! local server.

use porch_types::host::Hostname;

/// `http` for local portals, `https` everywhere else.
fn scheme(host: &Hostname) -> &'static str {
    if host.is_localhost() {
        "http"
    } else {
        "https"
    }
}

/// The port of a raw Host header (`name:port`, `[v6]:port`), if any.
fn port_of(raw_host: &str) -> Option<u16> {
    let (front, port) = raw_host.rsplit_once(':')?;
    (!front.is_empty() && !front.ends_with(':')).then(|| port.parse().ok()).flatten()
}

/// The origin of `host`, with the port of `raw_host` kept for local portals only (public
/// portals are on the default HTTPS port).
pub fn origin(host: &Hostname, raw_host: &str) -> String {
    match port_of(raw_host) {
        Some(port) if host.is_localhost() => format!("{}://{host}:{port}", scheme(host)),
        _ => format!("{}://{host}", scheme(host)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn local_portals_keep_their_port_and_public_ones_are_https() {
        let local = Hostname::parse("acme.localhost").unwrap();
        assert_eq!(origin(&local, "127.0.0.1:8787"), "http://acme.localhost:8787");
        assert_eq!(origin(&local, "acme.localhost"), "http://acme.localhost");
        let public = Hostname::parse("support.acme.com").unwrap();
        assert_eq!(origin(&public, "support.acme.com:8443"), "https://support.acme.com");
        assert_eq!(port_of("[::1]:8787"), Some(8787));
        assert_eq!(port_of("[::1]"), None);
    }
}
