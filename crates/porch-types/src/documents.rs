//! Documents a provider gives its customers: what kind each is, its title, and how large a
//! file may be (larger than a ticket attachment: a scanned manual runs to many MiB).

use std::fmt;

use crate::text::{Label, TextError};

/// Largest document file, the size of a whole ticket message's files: a 20 MiB upload fits
/// the large-body routes' limit with room for the form's text fields.
pub const MAX_DOCUMENT_BYTES: usize = crate::attachments::MAX_MESSAGE_BYTES;
/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;

/// What a document is, for filtering and for its label on the recipients' page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Manual,
    Certificate,
    Invoice,
    Report,
    Other,
}

impl Category {
    pub const ALL: [Category; 5] =
        [Category::Manual, Category::Certificate, Category::Invoice, Category::Report, Category::Other];

    /// The code stored and sent over the API (the schema's CHECK lists the same).
    pub fn code(self) -> &'static str {
        match self {
            Category::Manual => "manual",
            Category::Certificate => "certificate",
            Category::Invoice => "invoice",
            Category::Report => "report",
            Category::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Result<Category, CategoryError> {
        Category::ALL.into_iter().find(|c| c.code() == code).ok_or(CategoryError)
    }
}

/// A category code that is not one of [`Category::ALL`].
#[derive(Debug, PartialEq, Eq)]
pub struct CategoryError;

impl fmt::Display for CategoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("must be one of manual, certificate, invoice, report, other")
    }
}

pub fn parse_title(input: &str) -> Result<Label, TextError> {
    Label::parse(input, MAX_TITLE_CHARS)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_category_round_trips_through_its_code_and_nothing_else_parses() {
        for category in Category::ALL {
            assert_eq!(Category::parse(category.code()), Ok(category));
        }
        assert_eq!(Category::parse("Manual"), Err(CategoryError));
        assert_eq!(Category::parse(""), Err(CategoryError));
    }

    #[test]
    fn a_title_is_trimmed_text_of_bounded_length() {
        assert_eq!(parse_title("  Service manual ").unwrap().as_str(), "Service manual");
        assert!(parse_title("   ").is_err());
        assert!(parse_title(&"x".repeat(MAX_TITLE_CHARS + 1)).is_err());
    }
}
