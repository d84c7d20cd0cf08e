//! A recipient's search words as a safe FTS5 query: only letters and digits reach the
//! expression, each word quoted, so no input can use FTS5's own syntax (column filters,
//! NEAR, boolean operators) to reach other columns or other scopes.

/// The longest search text accepted, and the most words used from it.
pub const MAX_SEARCH_CHARS: usize = 200;
const MAX_TERMS: usize = 8;
const MAX_TERM_CHARS: usize = 40;
/// Shorter words match exactly: a one- or two-letter prefix would match most of the index.
const MIN_PREFIX_CHARS: usize = 3;

/// `body : "word"* AND body : "other"*` for "word other"; an error when nothing searchable
/// is left (only punctuation, say).
pub fn fts_expression(raw: &str) -> Result<String, &'static str> {
    if raw.chars().count() > MAX_SEARCH_CHARS {
        return Err("is too long");
    }
    let terms: Vec<String> = raw
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .take(MAX_TERMS)
        .map(|word| {
            let word: String = word.chars().take(MAX_TERM_CHARS).collect();
            let prefix = if word.chars().count() >= MIN_PREFIX_CHARS { "*" } else { "" };
            format!("body : \"{word}\"{prefix}")
        })
        .collect();
    if terms.is_empty() {
        return Err("needs a letter or digit");
    }
    Ok(terms.join(" AND "))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn words_become_quoted_prefix_terms_on_the_body_column() {
        assert_eq!(fts_expression("Pump leaking").unwrap(), r#"body : "Pump"* AND body : "leaking"*"#);
        assert_eq!(fts_expression("øl på 12").unwrap(), r#"body : "øl" AND body : "på" AND body : "12""#);
    }

    #[test]
    fn fts_syntax_in_the_input_is_only_ever_punctuation_between_words() {
        let expression = fts_expression(r#"scope : rabc OR "x" NEAR(y) body:*"#).unwrap();
        assert_eq!(
            expression,
            r#"body : "scope"* AND body : "rabc"* AND body : "OR" AND body : "x" AND body : "NEAR"* AND body : "y" AND body : "body"*"#
        );
        assert!(!expression.contains("\"\""));
    }

    #[test]
    fn input_without_words_or_too_long_is_refused() {
        assert!(fts_expression("  -- ** ").is_err());
        assert!(fts_expression(&"a".repeat(MAX_SEARCH_CHARS + 1)).is_err());
    }

    #[test]
    fn at_most_eight_words_are_used() {
        let expression = fts_expression("a b c d e f g h i j").unwrap();
        assert_eq!(expression.matches("body :").count(), 8);
    }
}
