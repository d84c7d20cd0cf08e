//! A recipient's search words as a safe FTS5 query: only letters and digits reach the
//! expression, each word quoted, so no input can use FTS5's own syntax (column filters,
//! NEAR, boolean operators) to reach other columns or other scopes. And `NameSearch`, a
//! filter of short lists by name (customers in the console and the API).

/// The longest search text accepted, and the most distinct words used from it (each word is
/// one index lookup: the count bounds a search's cost).
pub const MAX_SEARCH_CHARS: usize = 200;
const MAX_TERMS: usize = 6;
const MAX_TERM_CHARS: usize = 40;
/// Shorter words match exactly: a one- or two-letter prefix would match most of the index.
/// Three letters and up use the index's prefix entries (`prefix = '3'` in the schema), which
/// hold the first three letters of every word: a longer prefix starts from them.
const MIN_PREFIX_CHARS: usize = 3;

/// `body : "word"* AND body : "other"*` for "word other"; an error when nothing searchable
/// is left (only punctuation, say).
pub fn fts_expression(raw: &str) -> Result<String, &'static str> {
    if raw.chars().count() > MAX_SEARCH_CHARS {
        return Err("is too long");
    }
    let mut words: Vec<String> = Vec::new();
    for word in raw.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty()) {
        let word: String = word.chars().take(MAX_TERM_CHARS).collect();
        // The same word twice asks nothing more and would only cost a second lookup.
        if !words.iter().any(|w| w.to_lowercase() == word.to_lowercase()) {
            words.push(word);
        }
        if words.len() == MAX_TERMS {
            break;
        }
    }
    let terms: Vec<String> = words
        .iter()
        .map(|word| {
            let prefix = if word.chars().count() >= MIN_PREFIX_CHARS { "*" } else { "" };
            format!("body : \"{word}\"{prefix}")
        })
        .collect();
    if terms.is_empty() {
        return Err("needs a letter or digit");
    }
    Ok(terms.join(" AND "))
}

/// Text a name must contain to be listed, compared case-insensitively (Unicode lower case:
/// "ÆBLE" finds "Æblegården"): trimmed, 1 to 100 characters, no control characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameSearch(String);

impl NameSearch {
    /// None for empty or blank text (no filter); an error for text no name could be searched
    /// by.
    pub fn parse(raw: &str) -> Result<Option<NameSearch>, &'static str> {
        let text = raw.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if text.chars().count() > 100 {
            return Err("must be at most 100 characters");
        }
        if text.chars().any(char::is_control) {
            return Err("must not contain control characters");
        }
        Ok(Some(NameSearch(text.to_lowercase())))
    }

    pub fn matches(&self, name: &str) -> bool {
        name.to_lowercase().contains(&self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_name_search_matches_any_case_and_blank_text_is_no_search() {
        let search = NameSearch::parse("  ÆBLE ").unwrap().unwrap();
        assert!(search.matches("Æblegården A/S"));
        assert!(search.matches("Det lille æble"));
        assert!(!search.matches("Pæregården"));
        assert_eq!(NameSearch::parse("   ").unwrap(), None);
        assert!(NameSearch::parse(&"x".repeat(101)).is_err());
        assert!(NameSearch::parse("a\u{7}b").is_err());
    }

    #[test]
    fn words_become_quoted_prefix_terms_on_the_body_column() {
        assert_eq!(fts_expression("Pump leaking").unwrap(), r#"body : "Pump"* AND body : "leaking"*"#);
        assert_eq!(fts_expression("øl på 12").unwrap(), r#"body : "øl" AND body : "på" AND body : "12""#);
    }

    #[test]
    fn fts_syntax_in_the_input_is_only_ever_punctuation_between_words() {
        let expression = fts_expression(r#"scope : rabc OR "x" NEAR(y)"#).unwrap();
        assert_eq!(
            expression,
            r#"body : "scope"* AND body : "rabc"* AND body : "OR" AND body : "x" AND body : "NEAR"* AND body : "y""#
        );
        assert!(!expression.contains("\"\""));
    }

    #[test]
    fn input_without_words_or_too_long_is_refused() {
        assert!(fts_expression("  -- ** ").is_err());
        assert!(fts_expression(&"a".repeat(MAX_SEARCH_CHARS + 1)).is_err());
    }

    #[test]
    fn at_most_six_distinct_words_are_used() {
        let expression = fts_expression("a b c d e f g h i j").unwrap();
        assert_eq!(expression.matches("body :").count(), 6);
        let repeated = fts_expression("con con CON con con con con con").unwrap();
        assert_eq!(repeated, r#"body : "con"*"#, "a repeated word is looked up once");
    }
}
