//! Email addresses and email domains as porch stores and compares them: trimmed, lower-case,
//! a plain `local@domain` with a DNS domain. Quoted local parts, comments and IP-literal
//! domains (RFC 5321 §4.1.2) are refused: no portal user needs them and they are a
//! classic source of parser disagreement.

use std::fmt;

use super::host::Hostname;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EmailError {
    #[error("is required")]
    Empty,
    #[error("must be at most 254 characters")]
    TooLong,
    #[error("must be an email address like name@example.com")]
    Malformed,
}

/// An email address: one `@`, a local part of safe characters, a domain with a dot.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

/// The characters RFC 5322 allows in an unquoted local part (atext and inner dots).
fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c)
}

impl Email {
    pub fn parse(input: &str) -> Result<Email, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        // RFC 5321 §4.5.3.1.3: a path is at most 256 octets, so an address at most 254.
        if trimmed.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let lower = trimmed.to_ascii_lowercase();
        let (local, domain) = lower.rsplit_once('@').ok_or(EmailError::Malformed)?;
        let local_ok = (1..=64).contains(&local.len())
            && local.chars().all(is_local_char)
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        if !local_ok {
            return Err(EmailError::Malformed);
        }
        EmailDomain::parse(domain)?;
        Ok(Email(lower))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The domain of an email address, for "everyone at example.com" registration lists.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EmailDomain(String);

impl EmailDomain {
    pub fn parse(input: &str) -> Result<EmailDomain, EmailError> {
        let trimmed = input.trim().trim_start_matches('@');
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        let host = Hostname::parse(&trimmed.to_ascii_lowercase()).map_err(|_| EmailError::Malformed)?;
        if !host.as_str().contains('.') || host.is_ip_literal() {
            return Err(EmailError::Malformed);
        }
        Ok(EmailDomain(host.as_str().to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_trimmed_and_lower_cased() {
        let email = Email::parse("  Ada.Lovelace+portal@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "ada.lovelace+portal@example.com");
        assert_eq!(email.domain(), "example.com");
    }

    #[test]
    fn addresses_porch_cannot_safely_compare_are_refused() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "ada@",
            "ada@localhost",
            "ada@@example.com",
            "ada@exa mple.com",
            "\"ada\"@example.com",
            "ada..b@example.com",
            ".ada@example.com",
            "ada@[127.0.0.1]",
            "ada@1.2.3.4",
            "ada<script>@example.com",
            "ada\n@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Email::parse(&format!("{}@example.com", "a".repeat(250))), Err(EmailError::TooLong));
    }

    #[test]
    fn an_email_domain_may_be_written_with_its_at_sign() {
        assert_eq!(EmailDomain::parse("@Example.com").unwrap().as_str(), "example.com");
        assert!(EmailDomain::parse("com").is_err());
    }
}
