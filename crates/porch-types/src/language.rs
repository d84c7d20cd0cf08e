//! The UI languages porch speaks (English, Danish, Norwegian Bokmål) and the choice of one
//! from an Accept-Language header. Their strings live in `porch_core::i18n`.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Da,
    Nb,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::En, Language::Da, Language::Nb];

    /// A BCP 47 tag's primary subtag, case-insensitive. Plain "no" (Norwegian) is served
    /// as Bokmål, the written standard most Norwegians use.
    pub fn from_tag(tag: &str) -> Option<Language> {
        let primary = tag.split(['-', '_']).next()?.trim();
        match primary.to_ascii_lowercase().as_str() {
            "en" => Some(Language::En),
            "da" => Some(Language::Da),
            "nb" | "no" => Some(Language::Nb),
            _ => None,
        }
    }

    /// Exactly one of our codes (`en`, `da`, `nb`), as forms and settings send them.
    pub fn parse(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|lang| lang.code() == code)
    }

    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Da => "da",
            Language::Nb => "nb",
        }
    }

    /// The visitor's best match among our three from an Accept-Language header (RFC 9110
    /// §12.5.4: highest q wins, q=0 means "not this"); None when nothing matches.
    pub fn negotiate(accept_language: &str) -> Option<Language> {
        let mut best: Option<(u16, Language)> = None;
        for item in accept_language.split(',').take(20) {
            let mut parts = item.split(';');
            let Some(language) = parts.next().and_then(Language::from_tag) else {
                continue;
            };
            let quality = parts.find_map(|p| p.trim().strip_prefix("q=")).map_or(Some(1000), parse_quality);
            let Some(quality) = quality.filter(|q| *q > 0) else {
                continue;
            };
            if best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, language));
            }
        }
        best.map(|(_, language)| language)
    }
}

/// A qvalue (RFC 9110 §12.4.2) as thousandths, so it compares without floats.
fn parse_quality(text: &str) -> Option<u16> {
    let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = format!("{fraction:0<3}");
    match whole {
        "0" => digits.parse().ok(),
        "1" if digits == "000" => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_quality_supported_language_wins() {
        assert_eq!(Language::negotiate("de-DE, da;q=0.8, en;q=0.9"), Some(Language::En));
        assert_eq!(Language::negotiate("nb-NO,nb;q=0.9,en;q=0.5"), Some(Language::Nb));
        assert_eq!(Language::negotiate("no"), Some(Language::Nb));
        assert_eq!(Language::negotiate("DA"), Some(Language::Da));
    }

    #[test]
    fn a_code_parses_only_when_it_is_exactly_ours() {
        assert_eq!(Language::parse("da"), Some(Language::Da));
        assert_eq!(Language::parse("nb"), Some(Language::Nb));
        for bad in ["DA", "no", "da-DK", "", "de"] {
            assert_eq!(Language::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn unsupported_or_refused_languages_give_no_choice() {
        assert_eq!(Language::negotiate("de, fr;q=0.5"), None);
        assert_eq!(Language::negotiate("da;q=0"), None);
        assert_eq!(Language::negotiate("da;q=2"), None);
        assert_eq!(Language::negotiate(""), None);
    }
}
