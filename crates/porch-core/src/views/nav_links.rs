//! The provider's own links in a portal's navigation, after the apps: each to another site,
//! labelled in the reader's language (else the portal's), and said to be external.

use maud::{html, Markup};

use crate::i18n::Language;
use porch_types::nav_links::NavLinks;

/// What a screen reader hears after a link's label: the link leaves the portal.
fn external_hint(lang: Language) -> &'static str {
    match lang {
        Language::En => "(external site)",
        Language::Da => "(eksternt websted)",
        Language::Nb => "(eksternt nettsted)",
    }
}

/// One `li` per link, for the navigation's list. `rel="noopener"`: the other site gets no
/// handle on the portal's window; the page's `referrer` policy (same-origin) already keeps
/// its address from the other site. A label in another language than the page's (the
/// portal's fallback) carries its own `lang` (WCAG 2.1 SC 3.1.2).
pub fn own_links(links: &NavLinks, lang: Language, portal_language: Language) -> Markup {
    html! {
        @for link in links.links() {
            @let (label, label_lang) = link.label(lang, portal_language);
            li.own-link {
                a href=(link.url().as_str()) rel="external noopener" {
                    span lang=[(label_lang != lang).then(|| label_lang.code())] { (label) }
                    " " span.visually-hidden { (external_hint(lang)) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use porch_types::nav_links::{LabelsInput, NavLinkInput};

    #[test]
    fn each_link_is_an_item_in_the_readers_language_marked_external() {
        let labels = LabelsInput { en: Some("Status".into()), da: Some("Driftsstatus".into()), nb: None };
        let links = NavLinks::parse("nav_links", &[NavLinkInput { url: "https://status.example.com/".into(), labels }])
            .unwrap();
        let da = own_links(&links, Language::Da, Language::En).into_string();
        assert_eq!(
            da,
            "<li class=\"own-link\"><a href=\"https://status.example.com/\" rel=\"external noopener\"><span>Driftsstatus</span> \
             <span class=\"visually-hidden\">(eksternt websted)</span></a></li>"
        );
        let nb = own_links(&links, Language::Nb, Language::En).into_string();
        assert!(nb.contains("<span lang=\"en\">Status</span>"), "{nb}");
        assert!(own_links(&NavLinks::default(), Language::En, Language::En).into_string().is_empty());
    }
}
