//! Short texts given by providers: slugs and display names.

use std::fmt;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TextError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {0} characters")]
    TooLong(usize),
    #[error("must not contain control characters")]
    ControlCharacter,
    #[error("must be 2 to 40 characters: lower-case letters, digits and inner hyphens")]
    BadSlug,
}

/// A URL- and DNS-safe name: `[a-z0-9]([a-z0-9-]*[a-z0-9])?`, 2 to 40 characters.
/// Portal slugs double as platform subdomain labels, so the rule is the DNS label rule.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    pub fn parse(input: &str) -> Result<Slug, TextError> {
        let ok = (2..=40).contains(&input.len())
            && input.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !input.starts_with('-')
            && !input.ends_with('-');
        if ok {
            Ok(Slug(input.to_owned()))
        } else {
            Err(TextError::BadSlug)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A trimmed, non-empty line of text without control characters, at most `max` characters:
/// names and titles shown on pages (escaped there; this keeps them sane, not safe).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label(String);

impl Label {
    pub fn parse(input: &str, max: usize) -> Result<Label, TextError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(TextError::Empty);
        }
        if trimmed.chars().count() > max {
            return Err(TextError::TooLong(max));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(TextError::ControlCharacter);
        }
        Ok(Label(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_dns_label_rule() {
        assert!(Slug::parse("acme-support").is_ok());
        assert!(Slug::parse("n1").is_ok());
        for bad in ["a", "-acme", "acme-", "Acme", "ac me", "acme.com", "æble", &"a".repeat(41)] {
            assert_eq!(Slug::parse(bad), Err(TextError::BadSlug), "{bad}");
        }
    }

    #[test]
    fn labels_are_trimmed_and_bounded() {
        assert_eq!(Label::parse("  Acme Support ", 20).map(|l| l.to_string()), Ok("Acme Support".into()));
        assert_eq!(Label::parse("   ", 20), Err(TextError::Empty));
        assert_eq!(Label::parse("ÆØÅ", 3).map(|l| l.to_string()), Ok("ÆØÅ".into()));
        assert_eq!(Label::parse("abcd", 3), Err(TextError::TooLong(3)));
        assert_eq!(Label::parse("a\u{0}b", 9), Err(TextError::ControlCharacter));
    }
}
