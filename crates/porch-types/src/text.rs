//! Texts given by providers and recipients: slugs, display names, and the characters no
//! text shown to another person may carry.
//!
//! Some characters show nothing themselves but change how the text around them looks: a
//! right-to-left override (U+202E) between `invoice` and `fdp.exe` shows them as
//! `invoiceexe.pdf`; a zero-width space makes two names that look alike differ. A name or
//! title refuses every such character (`is_invisible_format`); prose (message bodies,
//! descriptions, terms) refuses the embeddings and overrides (`is_bidi_override`) and keeps
//! the rest, which writing that
//! mixes directions needs (see `check_prose`).

use std::fmt;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TextError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {0} characters")]
    TooLong(usize),
    #[error("must not contain control characters")]
    ControlCharacter,
    #[error("must not contain invisible formatting characters such as U+202E")]
    InvisibleFormat,
    #[error("must not contain bidi embedding or override characters (U+202A to U+202E)")]
    BidiOverride,
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

/// Whether `c` formats text invisibly, so a name must not hold it: Unicode general category
/// Cf (format) but ZWNJ U+200C and ZWJ U+200D, plus the line and paragraph separators
/// U+2028/U+2029 (a name is one line). That is the bidi marks (U+200E, U+200F, U+061C),
/// embeddings, overrides and isolates (U+202A to U+202E, U+2066 to U+2069), zero-width
/// space, word joiner and BOM (U+200B, U+2060, U+FEFF), the soft hyphen U+00AD, invisible
/// operators, interlinear annotations and the tag characters (U+E0000 block: they also
/// spell England's and Scotland's flag emoji, a loss we accept, since they can hide any
/// ASCII text). ZWNJ and ZWJ stay: Persian, the Indic scripts and emoji sequences need
/// them, and they reorder nothing. (Arabic number signs such as U+0600 are Cf but visible;
/// they go too, being no part of a name.) Table: Unicode 16 `DerivedGeneralCategory.txt`.
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'
            | '\u{200E}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// Whether `c` is a bidi embedding or override (U+202A to U+202E): they force the display
/// order of everything after them up to the paragraph's end, even of left-to-right letters,
/// which no honest prose needs (isolates, U+2066 to U+2069, and the marks do that job
/// within bounds, and Unicode deprecates embeddings and overrides in their favour).
pub fn is_bidi_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}')
}

/// The check for prose shown to another person (message bodies, descriptions, terms): no
/// control characters but line breaks and tabs, and no bidi embeddings or overrides. The
/// other invisible format characters stay, because mixed-direction prose uses them (an RLM
/// after a Hebrew word before a full stop, an isolate around an English product name) and
/// their effect ends where they do; ZWSP, soft hyphens and the like only change where lines
/// may break. Prose is shown as plain escaped text, so this is about what it looks like,
/// not about markup.
pub fn check_prose(text: &str) -> Result<(), TextError> {
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(TextError::ControlCharacter);
    }
    if text.chars().any(is_bidi_override) {
        return Err(TextError::BidiOverride);
    }
    Ok(())
}

/// The check for one line of text shown to another person that is not a `Label` (it may be
/// empty, or its length is checked elsewhere): no control and no invisible format characters.
pub fn check_line(text: &str) -> Result<(), TextError> {
    if text.chars().any(char::is_control) {
        return Err(TextError::ControlCharacter);
    }
    if text.chars().any(is_invisible_format) {
        return Err(TextError::InvisibleFormat);
    }
    Ok(())
}

/// A trimmed, non-empty line of text, at most `max` characters, without control or
/// invisible format characters (`check_line`): names and titles shown on pages (escaped
/// there; this keeps them sane and honest-looking, not safe).
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
        check_line(trimmed)?;
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

    #[test]
    fn a_name_refuses_characters_that_change_its_display_invisibly() {
        for spoof in [
            "invoice\u{202E}fdp.exe",
            "Acme\u{2066}Support\u{2069}",
            "Ac\u{200B}me",
            "Acme\u{200F}",
            "\u{061C}Acme",
            "Ac\u{00AD}me",
            "Acme\u{FEFF}",
            "Acme\u{E0041}\u{E0042}",
            "Acme\u{2028}Support",
        ] {
            assert_eq!(Label::parse(spoof, 40), Err(TextError::InvisibleFormat), "{spoof:?}");
        }
        assert_eq!(
            TextError::InvisibleFormat.to_string(),
            "must not contain invisible formatting characters such as U+202E"
        );
    }

    #[test]
    fn a_name_keeps_the_joiners_that_scripts_and_emoji_need() {
        // Persian "mi-khaham" with ZWNJ; Devanagari with a ZWJ; a family emoji; Hebrew and
        // Arabic letters as they are.
        for name in ["می\u{200C}خواهم", "क्\u{200D}ष", "👩\u{200D}👩\u{200D}👧", "שלום", "مرحبا", "Zoë Ærø"]
        {
            assert!(Label::parse(name, 40).is_ok(), "{name:?}");
        }
    }

    #[test]
    fn every_character_in_the_format_table_is_refused_and_its_neighbours_are_not() {
        assert!(!is_invisible_format('\u{200C}') && !is_invisible_format('\u{200D}'));
        assert!(is_invisible_format('\u{200B}') && is_invisible_format('\u{200E}'));
        assert!(!is_invisible_format('\u{2065}'), "unassigned, between the operators and the isolates");
        assert!(is_invisible_format('\u{E007F}') && !is_invisible_format('\u{E0080}'));
        assert!(!is_invisible_format('a') && !is_invisible_format(' ') && !is_invisible_format('\u{00A0}'));
    }

    #[test]
    fn prose_refuses_bidi_overrides_but_keeps_marks_and_isolates() {
        assert_eq!(check_prose("Hello\n\tthere"), Ok(()));
        assert_eq!(check_prose("see file \u{202E}fdp.exe"), Err(TextError::BidiOverride));
        assert_eq!(check_prose("\u{202A}embedded"), Err(TextError::BidiOverride));
        assert_eq!(check_prose("שלום\u{200F}. Our \u{2068}Acme 3000\u{2069} is here"), Ok(()));
        assert_eq!(check_prose("bell\u{7}"), Err(TextError::ControlCharacter));
    }
}
