//! A portal's set-up in the console after the wizard made it: its apps within the plan, its
//! theme, its start page, the menu's order and the provider's own links. A portal that
//! follows a template shows them read only and links to the template, which decides them.

use maud::{html, Markup};

use super::console::{shell, tenant_header, TenantTab, Who};
use super::console_wizard::{app_boxes, choice_group, start_choice, theme_choice};
use super::form::{csrf_field, field, submit, summary, Problems};
use super::language::name_in;
use super::layout::app_entry;
use crate::i18n::{Language, Translations as _};
use crate::store::portals::PortalRow;
use crate::store::templates::TemplateRow;
use crate::store::tenants::TenantRow;
use crate::store::themes::ThemeRow;
use porch_types::apps::{App, AppSet};
use porch_types::nav_links::{NavLinkInput, MAX_LINKS};

/// One of the provider's links as the form shows it: its address, and its label per
/// language in `Language::ALL`'s order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkDraft {
    pub url: String,
    pub labels: [String; 3],
}

impl LinkDraft {
    /// The links of a stored `nav_links` text (the shape the API takes), as the form shows them.
    pub fn from_stored(text: Option<&str>) -> Vec<LinkDraft> {
        let stored: Vec<NavLinkInput> = text.and_then(|text| serde_json::from_str(text).ok()).unwrap_or_default();
        stored.iter().map(LinkDraft::of).collect()
    }

    pub fn of(input: &NavLinkInput) -> LinkDraft {
        let labels = &input.labels;
        LinkDraft {
            url: input.url.clone(),
            labels: [&labels.en, &labels.da, &labels.nb].map(|label| label.clone().unwrap_or_default()),
        }
    }
}

/// The form's values: the portal's set-up, or what was typed when it was refused.
#[derive(Clone, Debug, Default)]
pub struct SetupDraft {
    pub apps: AppSet,
    pub theme: String,
    pub start: String,
    /// The menu's apps in order.
    pub order: Vec<App>,
    pub links: Vec<LinkDraft>,
}

impl SetupDraft {
    pub fn of(portal: &PortalRow) -> SetupDraft {
        SetupDraft {
            apps: portal.apps,
            theme: portal.theme_id.clone().unwrap_or_default(),
            start: portal.start_page().path().to_owned(),
            order: portal.navigation().apps().to_vec(),
            links: LinkDraft::from_stored(portal.nav_links_json.as_deref()),
        }
    }
}

pub struct SetupView<'a> {
    pub tenant: &'a TenantRow,
    pub portal: &'a PortalRow,
    /// The template the portal follows, which decides its set-up.
    pub template: Option<&'a TemplateRow>,
    pub themes: &'a [ThemeRow],
    /// The apps the portal may be given: its plan's, less the support form without a pipeline.
    pub offered: AppSet,
    pub draft: &'a SetupDraft,
    pub problems: &'a Problems,
    pub notice: Option<&'a str>,
    pub editable: bool,
}

/// A number field per app of the menu (`order`, in its order), its place.
pub(super) fn menu_order_fields(lang: Language, problems: &Problems, order: &[App]) -> Markup {
    let s = lang.portal_setup();
    let fields = html! {
        @for (i, app) in order.iter().enumerate() {
            @let name = format!("order-{}", app.code());
            @let id = if i == 0 { "navigation".to_owned() } else { name.clone() };
            div.field.order {
                label for=(id) { ((s.order_of)(app_entry(lang, *app).label)) }
                input #(id) type="text" inputmode="numeric" name=(name) value=(i + 1) maxlength="2" size="2";
            }
        }
    };
    html! { @if !order.is_empty() { (choice_group(lang, problems, "navigation", s.order_legend, Some(s.order_hint), &fields)) } }
}

/// The provider's own links: a row each, and one empty row to add one, within the cap.
pub(super) fn own_links_fields(lang: Language, problems: &Problems, links: &[LinkDraft]) -> Markup {
    let s = lang.portal_setup();
    let blank = LinkDraft::default();
    html! {
        section.stack aria-labelledby="links-title" {
            h3 #links-title { (s.links_legend) }
            p.hint { (s.links_hint) }
            @for index in 0..(links.len() + 1).min(MAX_LINKS).max(links.len()) {
                (link_row(lang, problems, index, links.get(index).unwrap_or(&blank)))
            }
        }
    }
}

fn link_row(lang: Language, problems: &Problems, index: usize, draft: &LinkDraft) -> Markup {
    let s = lang.portal_setup();
    let row = |name: &str| format!("link-{index}-{name}");
    html! {
        fieldset.field-row {
            legend { ((s.link_number)(index + 1)) }
            (field(lang, problems, &row("url"), s.link_url, None, |f| html! {
                input #(f.id) type="url" name=(f.id) value=(draft.url) maxlength="500" spellcheck="false"
                    aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
            }))
            @for (i, language) in Language::ALL.into_iter().enumerate() {
                @let name = row(&format!("label-{}", language.code()));
                (field(lang, problems, &name, (s.link_label)(name_in(lang, language)), None, |f| html! {
                    input #(f.id) type="text" name=(f.id) value=(draft.labels[i]) maxlength="40" lang=(language.code())
                        aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
                }))
            }
        }
    }
}

pub fn page(lang: Language, who: &Who<'_>, view: &SetupView<'_>) -> String {
    let s = lang.portal_setup();
    let w = lang.wizard();
    let c = lang.console();
    let portal_path = format!("/tenants/{}/portals/{}", view.tenant.id, view.portal.id);
    let draft = view.draft;
    let editable = view.editable && view.template.is_none();
    let body = html! {
        (tenant_header(lang, who, view.tenant, TenantTab::Portals))
        p.back { a href=(portal_path) { (view.portal.name) } }
        h2 { (s.title) }
        p.lead { (s.intro) }
        @if let Some(notice) = view.notice { p.notice role="status" { (notice) } }
        @if let Some(template) = view.template {
            p.notice {
                ((w.decided_by_template)(&template.name)) " "
                a href={ "/tenants/" (view.tenant.id) "/templates/" (template.id) } { (s.open_template) }
            }
        } @else if !view.editable {
            p.notice { (c.read_only) }
        }
        (summary(lang, view.problems))
        form.stack method="post" action={ (portal_path) "/setup" } novalidate {
            (csrf_field(who.csrf))
            input type="hidden" name="version" value=(view.portal.version);
            fieldset.stack disabled[!editable] {
                (choice_group(lang, view.problems, "apps", w.apps_legend, Some(w.apps_hint),
                    &app_boxes(lang, "apps", view.offered.iter().chain(draft.apps.iter()).collect(), draft.apps)))
                (theme_choice(lang, view.problems, (view.themes, &view.tenant.id), &draft.theme))
                (start_choice(lang, view.problems, draft.apps, &draft.start))
                (menu_order_fields(lang, view.problems, &draft.order))
                (own_links_fields(lang, view.problems, &draft.links))
                @if editable { (submit(s.save)) }
            }
        }
    };
    shell(lang, &format!("{} · {} · {}", s.title, view.portal.name, view.tenant.name), None, Some(who), &body)
}
