//! The reader's language on a page: instants as `<time>` in their formats, `lang` on
//! provider-written text in another language than the page, and the language menu.
//!
//! The menu is a form (a select and a button; no script on recipients' pages) posting to
//! `/language`, which keeps a visitor's choice in a cookie and a signed-in person's on their
//! account too, then goes back to the page it was posted from.
//!
//! The `lang` rule (WCAG 3.1.2 Language of Parts): what a provider writes once for all its
//! readers (stage names, support-form labels and choices without a label in the reader's
//! language, document titles, asset types) is taken to be in the portal's default language,
//! the language the provider set the portal up in; where that is not the page's, the text is
//! wrapped in `<span lang="…">` so a screen reader speaks it in its own voice. What people
//! type (subjects, messages, names) carries no claim: porch does not know its language.

use crate::i18n::Translations as _;
use maud::{html, Markup};

use super::layout::page;
use crate::auth::csrf;
use crate::auth::member::Member;
use crate::i18n::{Formats, Language};
use crate::portal_context::ResolvedPortal;
use porch_types::time::Timestamp;

/// The formats of a reader of `lang` on `portal`: its time zone.
pub fn formats(portal: &ResolvedPortal, lang: Language) -> Formats {
    Formats::new(lang, portal.context.time_zone)
}

/// An instant as its local date and time: `<time datetime="2026-12-07T01:45:00.000Z">7. dec.
/// 2026 kl. 02.45</time>`.
pub fn date_time(formats: Formats, at: Timestamp) -> Markup {
    html! { time datetime=(at.to_string()) { (formats.date_time(at)) } }
}

/// An instant as its local date only.
pub fn date(formats: Formats, at: Timestamp) -> Markup {
    html! { time datetime=(at.to_string()) { (formats.date(at)) } }
}

/// An instant as how long ago it was ("3 hours ago"; a date when a week or more), its full
/// date and time in the title for those who point at it.
pub fn ago(formats: Formats, at: Timestamp, now: Timestamp) -> Markup {
    html! { time datetime=(at.to_string()) title=(formats.date_time(at)) { (formats.relative(at, now)) } }
}

/// The `lang` of provider-written text on a page in `lang`: the portal's default language
/// where it differs, else nothing to say.
pub fn provider_lang(portal: &ResolvedPortal, lang: Language) -> Option<&'static str> {
    Some(portal.context.default_language).filter(|written| *written != lang).map(Language::code)
}

/// Text written in `written` on a page in `page`: itself, or in a `span` naming its language.
pub fn foreign(text: &str, written: Language, page: Language) -> Markup {
    html! {
        @if written == page || text.is_empty() { (text) } @else { span lang=(written.code()) { (text) } }
    }
}

/// A language's name in the page's language `page`, as a sentence uses it ("Label in Danish").
pub fn name_in(page: Language, lang: Language) -> &'static str {
    match (page, lang) {
        (Language::En, Language::En) => "English",
        (Language::En, Language::Da) => "Danish",
        (Language::En, Language::Nb) => "Norwegian Bokmål",
        (Language::Da | Language::Nb, Language::En) => "engelsk",
        (Language::Da | Language::Nb, Language::Da) => "dansk",
        (Language::Da | Language::Nb, Language::Nb) => "norsk bokmål",
    }
}

/// A language's name in itself, as the menu offers it.
pub fn own_name(lang: Language) -> &'static str {
    match lang {
        Language::En => "English",
        Language::Da => "Dansk",
        Language::Nb => "Norsk bokmål",
    }
}

/// The header's language menu, `lang` chosen; `csrf` is a signed-in person's token.
pub fn menu(lang: Language, csrf: Option<&str>) -> Markup {
    let strings = lang.strings();
    html! {
        form.language method="post" action="/language" {
            @if let Some(token) = csrf { input type="hidden" name=(csrf::FIELD) value=(token); }
            label {
                // The select's name for screen readers; sighted readers see the languages'
                // own names, which say what the control is (a visible word would crowd a phone's header).
                span.visually-hidden { (strings.language_label) }
                select name="language" {
                    @for each in Language::ALL {
                        option value=(each.code()) lang=(each.code()) selected[each == lang] { (own_name(each)) }
                    }
                }
            }
            " " button type="submit" { (strings.language_button) }
        }
    }
}

/// The answer to a menu post naming a language we do not have: nothing changed, and why.
pub fn refused(portal: &ResolvedPortal, lang: Language, viewer: Option<&Member>) -> String {
    let strings = lang.strings();
    let body = html! {
        h1 { (strings.language_refused_title) }
        p.lead { (strings.language_refused_body) }
    };
    page(portal, lang, strings.language_refused_title, None, viewer, &body)
}
