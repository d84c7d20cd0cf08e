//! The set-up fields a portal's set-up page and the template editor both ask for, read the
//! same way: the menu's order (a place number per app) and the provider's own links (rows of
//! an address and a label per language), and where the shared rule's refusals of them show.

use super::sign_in::field;
use crate::i18n::Language;
use crate::views::console_portal_setup::LinkDraft;
use crate::views::form::Problems;
use porch_types::apps::{App, AppSet};
use porch_types::error::FieldError;
use porch_types::nav_links::{LabelsInput, NavLinkInput, MAX_LINKS};

/// The menu as typed: the ticked apps by the place given to each (an app without one, newly
/// ticked, last), ties in catalogue order. A place that is not a whole number is a problem.
pub fn menu_order(fields: &[(String, String)], apps: AppSet, problems: &mut Problems, message: &str) -> Vec<App> {
    let mut placed: Vec<(u32, usize, App)> = Vec::new();
    for (index, app) in apps.iter().enumerate() {
        let raw = field(fields, &format!("order-{}", app.code())).trim();
        let place = if raw.is_empty() {
            u32::MAX
        } else if let Ok(place) = raw.parse() {
            place
        } else {
            if problems.on("navigation").is_none() {
                problems.add("navigation", message);
            }
            u32::MAX
        };
        placed.push((place, index, app));
    }
    placed.sort_unstable();
    placed.into_iter().map(|(_, _, app)| app).collect()
}

/// The links as typed: a row without an address is no link (how one is removed).
pub fn typed_links(fields: &[(String, String)]) -> Vec<LinkDraft> {
    (0..MAX_LINKS)
        .map(|index| {
            let row = |name: &str| field(fields, &format!("link-{index}-{name}")).to_owned();
            LinkDraft { url: row("url"), labels: Language::ALL.map(|lang| row(&format!("label-{}", lang.code()))) }
        })
        .filter(|link| !link.url.trim().is_empty())
        .collect()
}

pub fn link_input(link: &LinkDraft) -> NavLinkInput {
    let label = |text: &String| Some(text.clone()).filter(|text| !text.trim().is_empty());
    let [en, da, nb] = &link.labels;
    NavLinkInput { url: link.url.clone(), labels: LabelsInput { en: label(en), da: label(da), nb: label(nb) } }
}

/// The form's control a rule's field error belongs to; else the form as a whole.
pub fn control_of(error: &FieldError) -> Option<String> {
    let name = error.field.as_str();
    match name {
        "apps" | "navigation" => return Some(name.to_owned()),
        "theme_id" => return Some("theme".to_owned()),
        "start_page" => return Some("start".to_owned()),
        _ => {}
    }
    let (index, part) = name.strip_prefix("nav_links[")?.split_once("].")?;
    let index: usize = index.parse().ok()?;
    match part {
        "url" => Some(format!("link-{index}-url")),
        "labels" => Some(format!("link-{index}-label-en")),
        _ => {
            let code = part.strip_prefix("labels.")?;
            Language::ALL
                .into_iter()
                .find(|lang| lang.code() == code)
                .map(|lang| format!("link-{index}-label-{}", lang.code()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn the_menu_follows_the_places_typed_and_a_newly_ticked_app_goes_last() {
        let apps: AppSet = [App::Tickets, App::Documents, App::SupportForm].into_iter().collect();
        let fields = form(&[("order-tickets", "2"), ("order-documents", "1")]);
        let mut problems = Problems::default();
        let order = menu_order(&fields, apps, &mut problems, "whole");
        assert!(problems.is_empty());
        assert_eq!(order, [App::Documents, App::Tickets, App::SupportForm]);
        let bad = form(&[("order-tickets", "first")]);
        menu_order(&bad, apps, &mut problems, "whole");
        assert_eq!(problems.on("navigation").as_deref(), Some("whole"));
    }

    #[test]
    fn a_link_error_points_at_its_row_and_a_row_without_an_address_is_no_link() {
        let at = |field: &str| control_of(&FieldError::new(field, "bad"));
        assert_eq!(at("nav_links[1].url").as_deref(), Some("link-1-url"));
        assert_eq!(at("nav_links[0].labels").as_deref(), Some("link-0-label-en"));
        assert_eq!(at("nav_links[0].labels.nb").as_deref(), Some("link-0-label-nb"));
        assert_eq!(at("theme_id").as_deref(), Some("theme"));
        assert_eq!(at("nav_links"), None);
        let links = typed_links(&form(&[
            ("link-0-url", " "),
            ("link-0-label-en", "Gone"),
            ("link-1-url", "https://a.example"),
        ]));
        assert_eq!(links.len(), 1);
        assert_eq!(link_input(&links[0]).labels.en, None);
    }
}
