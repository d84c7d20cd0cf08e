//! Hostnames: the normalised form of a request's Host header and of a portal's domain.

use std::fmt;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HostError {
    #[error("the Host header is missing")]
    Missing,
    #[error("not a valid hostname")]
    Malformed,
}

/// A lower-case DNS name (or IP literal) without port or trailing dot.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hostname(String);

/// RFC 1035 §2.3.4: 253 octets for a name in text form, 63 per label.
const MAX_NAME: usize = 253;
const MAX_LABEL: usize = 63;

impl Hostname {
    /// Parses a Host header value (`Name[:port]`): lower-cases it, strips the port and one
    /// trailing dot, and checks every label (RFC 1123 §2.1: letters, digits, hyphens, not at
    /// the ends). IPv6 literals in brackets are accepted as they are; they never name a portal.
    pub fn from_host_header(raw: &str) -> Result<Hostname, HostError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(HostError::Missing);
        }
        if let Some(rest) = raw.strip_prefix('[') {
            let (literal, _port) = rest.split_once(']').ok_or(HostError::Malformed)?;
            if literal.is_empty() || !literal.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') {
                return Err(HostError::Malformed);
            }
            return Ok(Hostname(format!("[{}]", literal.to_ascii_lowercase())));
        }
        let name = match raw.rsplit_once(':') {
            Some((name, port)) => {
                if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(HostError::Malformed);
                }
                name
            }
            None => raw,
        };
        Hostname::parse(name)
    }

    /// Parses a bare name as given to the admin API (no port).
    pub fn parse(name: &str) -> Result<Hostname, HostError> {
        let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
        if name.is_empty() || name.len() > MAX_NAME {
            return Err(HostError::Malformed);
        }
        let labels_ok = name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= MAX_LABEL
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
        if labels_ok {
            Ok(Hostname(name))
        } else {
            Err(HostError::Malformed)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `*.localhost` names resolve to loopback (RFC 6761 §6.3): nobody else can own them, so
    /// they need no DNS proof and cookies there may skip `Secure`.
    pub fn is_localhost(&self) -> bool {
        self.0 == "localhost" || self.0.ends_with(".localhost")
    }

    /// If this name is `<label>.<base>`, the single label in front of `base`.
    pub fn subdomain_label_of(&self, base: &Hostname) -> Option<&str> {
        let label = self.0.strip_suffix(base.as_str())?.strip_suffix('.')?;
        (!label.is_empty() && !label.contains('.')).then_some(label)
    }

    /// True for this name and every name below it.
    pub fn is_within(&self, base: &Hostname) -> bool {
        self.0 == base.0 || self.0.strip_suffix(base.as_str()).is_some_and(|front| front.ends_with('.'))
    }

    /// An IPv4 or IPv6 literal rather than a DNS name.
    pub fn is_ip_literal(&self) -> bool {
        self.0.starts_with('[') || self.0.split('.').all(|label| label.bytes().all(|b| b.is_ascii_digit()))
    }
}

impl fmt::Display for Hostname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_host_header_is_lower_cased_and_loses_its_port_and_trailing_dot() {
        let host = Hostname::from_host_header("Support.ACME.com.:8443").unwrap();
        assert_eq!(host.as_str(), "support.acme.com");
    }

    #[test]
    fn malformed_host_headers_are_rejected() {
        for bad in [
            "exa mple.com",
            "-acme.com",
            "acme-.com",
            "acme..com",
            "acme.com:",
            "acme.com:80a",
            "acme.com:123456",
            "ac_me.com",
            "acmé.com",
            "a.com/evil",
            "user@acme.com",
            "[zz::1]",
            &"a".repeat(64),
            &format!("{}.com", ["abc"; 70].join(".")),
        ] {
            assert_eq!(Hostname::from_host_header(bad), Err(HostError::Malformed), "{bad}");
        }
        assert_eq!(Hostname::from_host_header(""), Err(HostError::Missing));
    }

    #[test]
    fn ip_literals_are_hosts_but_never_dns_names() {
        let v4 = Hostname::from_host_header("127.0.0.1:8787").unwrap();
        assert!(v4.is_ip_literal());
        let v6 = Hostname::from_host_header("[::1]:8787").unwrap();
        assert_eq!(v6.as_str(), "[::1]");
        assert!(v6.is_ip_literal());
        assert!(!Hostname::parse("acme.localhost").unwrap().is_ip_literal());
    }

    #[test]
    fn a_platform_subdomain_yields_its_single_label() {
        let base = Hostname::parse("portals.example.net").unwrap();
        let host = Hostname::parse("acme.portals.example.net").unwrap();
        assert_eq!(host.subdomain_label_of(&base), Some("acme"));
        assert_eq!(Hostname::parse("a.b.portals.example.net").unwrap().subdomain_label_of(&base), None);
        assert_eq!(Hostname::parse("evilportals.example.net").unwrap().subdomain_label_of(&base), None);
        assert_eq!(base.subdomain_label_of(&base), None);
    }

    #[test]
    fn within_means_the_name_or_below_it_not_a_suffix_match() {
        let base = Hostname::parse("portals.example.net").unwrap();
        assert!(Hostname::parse("x.portals.example.net").unwrap().is_within(&base));
        assert!(base.is_within(&base));
        assert!(!Hostname::parse("xportals.example.net").unwrap().is_within(&base));
    }

    #[test]
    fn localhost_names_are_recognised() {
        assert!(Hostname::parse("newco.localhost").unwrap().is_localhost());
        assert!(!Hostname::parse("localhost.evil.com").unwrap().is_localhost());
    }
}
