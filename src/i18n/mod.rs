//! UI languages (English, Danish, Norwegian Bokmål), their strings, and Accept-Language choice.

mod account;
mod activity;
mod documents;
mod fleet;
mod sso;
mod tickets;

use serde::{Deserialize, Serialize};

pub use account::AccountStrings;
pub use activity::ActivityStrings;
pub use documents::DocumentStrings;
pub use fleet::FleetStrings;
pub use sso::SsoStrings;
pub use tickets::TicketStrings;

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

    pub fn account(self) -> &'static AccountStrings {
        match self {
            Language::En => &account::EN,
            Language::Da => &account::DA,
            Language::Nb => &account::NB,
        }
    }

    pub fn sso(self) -> &'static SsoStrings {
        match self {
            Language::En => &sso::EN,
            Language::Da => &sso::DA,
            Language::Nb => &sso::NB,
        }
    }

    pub fn activity(self) -> &'static ActivityStrings {
        match self {
            Language::En => &activity::EN,
            Language::Da => &activity::DA,
            Language::Nb => &activity::NB,
        }
    }

    pub fn documents(self) -> &'static DocumentStrings {
        match self {
            Language::En => &documents::EN,
            Language::Da => &documents::DA,
            Language::Nb => &documents::NB,
        }
    }

    pub fn fleet(self) -> &'static FleetStrings {
        match self {
            Language::En => &fleet::EN,
            Language::Da => &fleet::DA,
            Language::Nb => &fleet::NB,
        }
    }

    pub fn tickets(self) -> &'static TicketStrings {
        match self {
            Language::En => &tickets::EN,
            Language::Da => &tickets::DA,
            Language::Nb => &tickets::NB,
        }
    }

    pub fn strings(self) -> &'static Strings {
        match self {
            Language::En => &EN,
            Language::Da => &DA,
            Language::Nb => &NB,
        }
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

/// Every UI string of the portal shell, one struct per language so a missing translation
/// is a compile error.
pub struct Strings {
    pub welcome: &'static str,
    pub signed_out_intro: &'static str,
    pub sign_in: &'static str,
    pub home: &'static str,
    pub not_available_title: &'static str,
    pub not_available_body: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub error_title: &'static str,
    pub error_body: &'static str,
    pub powered_by: &'static str,
    pub skip_to_content: &'static str,
}

static EN: Strings = Strings {
    welcome: "Welcome",
    signed_out_intro: "This is your portal for support requests, shared equipment and documents.",
    sign_in: "Sign in",
    home: "Home",
    not_available_title: "This portal is not available",
    not_available_body: "The portal has been switched off for now. Please try again later or contact your provider.",
    not_found_title: "Page not found",
    not_found_body: "There is no page at this address.",
    error_title: "Something went wrong",
    error_body: "We could not complete your request. Please try again in a moment.",
    powered_by: "Customer portal",
    skip_to_content: "Skip to content",
};

static DA: Strings = Strings {
    welcome: "Velkommen",
    signed_out_intro: "Dette er din portal til supportsager, delt udstyr og dokumenter.",
    sign_in: "Log ind",
    home: "Forside",
    not_available_title: "Portalen er ikke tilgængelig",
    not_available_body: "Portalen er slået fra lige nu. Prøv igen senere, eller kontakt din leverandør.",
    not_found_title: "Siden blev ikke fundet",
    not_found_body: "Der er ingen side på denne adresse.",
    error_title: "Noget gik galt",
    error_body: "Vi kunne ikke gennemføre din forespørgsel. Prøv igen om lidt.",
    powered_by: "Kundeportal",
    skip_to_content: "Gå til indhold",
};

static NB: Strings = Strings {
    welcome: "Velkommen",
    signed_out_intro: "Dette er portalen din for supportsaker, delt utstyr og dokumenter.",
    sign_in: "Logg inn",
    home: "Hjem",
    not_available_title: "Portalen er ikke tilgjengelig",
    not_available_body: "Portalen er slått av for øyeblikket. Prøv igjen senere, eller kontakt leverandøren din.",
    not_found_title: "Fant ikke siden",
    not_found_body: "Det finnes ingen side på denne adressen.",
    error_title: "Noe gikk galt",
    error_body: "Vi kunne ikke fullføre forespørselen. Prøv igjen om litt.",
    powered_by: "Kundeportal",
    skip_to_content: "Gå til innhold",
};

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
    fn unsupported_or_refused_languages_give_no_choice() {
        assert_eq!(Language::negotiate("de, fr;q=0.5"), None);
        assert_eq!(Language::negotiate("da;q=0"), None);
        assert_eq!(Language::negotiate("da;q=2"), None);
        assert_eq!(Language::negotiate(""), None);
    }
}
