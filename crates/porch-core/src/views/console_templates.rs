//! The console's Templates tab: the tenant's templates, and the editor of one (name,
//! description, default, apps, theme, start page) with the portals following it, its
//! versions with a rollback each, and the warning naming those portals before a change
//! reaches them.

use maud::{html, Markup};

use super::console::{removal, shell, tenant_header, Removal, TenantTab, Who};
use super::console_portal_setup::{menu_order_fields, own_links_fields, LinkDraft};
use super::console_wizard::{app_boxes, choice_group, start_choice, theme_choice};
use super::form::{csrf_field, field, summary, Problems};
use super::layout::app_entry;
use crate::i18n::{Formats, Language, Translations as _};
use crate::store::portals::PortalRow;
use crate::store::templates::{TemplateRow, VersionRow};
use crate::store::tenants::TenantRow;
use crate::store::themes::ThemeRow;
use porch_types::apps::{App, AppSet};
use porch_types::time::Timestamp;
use porch_types::time_zone::TimeZone;

/// The apps of a set, in words.
fn app_names(lang: Language, apps: AppSet) -> String {
    apps.iter().map(|app| app_entry(lang, app).label).collect::<Vec<_>>().join(", ")
}

pub struct TemplatesView<'a> {
    pub tenant: &'a TenantRow,
    pub templates: &'a [TemplateRow],
    pub editable: bool,
    pub notice: Option<&'a str>,
}

pub fn list(lang: Language, who: &Who<'_>, view: &TemplatesView<'_>) -> String {
    let t = lang.templates();
    let w = lang.wizard();
    let base = format!("/tenants/{}/templates", view.tenant.id);
    let body = html! {
        (tenant_header(lang, who, view.tenant, TenantTab::Templates))
        h2.visually-hidden { (t.templates_title) }
        p.lead { (t.templates_intro) }
        @if let Some(notice) = view.notice { p.notice role="status" { (notice) } }
        @if view.editable { p { a.button href={ (base) "/new" } { (t.new_template) } } }
        @if view.templates.is_empty() {
            p.empty { (t.no_templates) }
        } @else {
            table.stacked {
                thead {
                    tr {
                        th scope="col" { (t.name) }
                        th scope="col" { (w.apps_label) }
                        th scope="col" { (t.version) }
                        th scope="col" { (t.following) }
                    }
                }
                tbody {
                    @for template in view.templates {
                        tr {
                            td data-label=(t.name) {
                                a href={ (base) "/" (template.id) } { (template.name) }
                                @if template.is_default() { " " span.status { (t.default) } }
                            }
                            td data-label=(w.apps_label) { (app_names(lang, template.apps)) }
                            td data-label=(t.version) { (template.current_version) }
                            td data-label=(t.following) { (template.linked_portals) }
                        }
                    }
                }
            }
        }
    };
    shell(lang, &format!("{} · {}", t.templates_title, view.tenant.name), None, Some(who), &body)
}

/// A template's fields as the editor holds them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplateDraft {
    pub name: String,
    pub description: String,
    pub is_default: bool,
    /// App codes.
    pub apps: Vec<String>,
    /// A theme id; empty: porch's standard look.
    pub theme: String,
    /// The start page's path.
    pub start: String,
    /// The menu's apps in order.
    pub order: Vec<App>,
    /// The provider's own links.
    pub links: Vec<LinkDraft>,
}

/// What a held-back change would reach: the portals, and the rollback's version (None: a save).
pub struct Held<'a> {
    pub portals: &'a [PortalRow],
    pub rollback: Option<i64>,
}

pub struct TemplateView<'a> {
    pub tenant: &'a TenantRow,
    /// None: a new template.
    pub template: Option<&'a TemplateRow>,
    pub draft: &'a TemplateDraft,
    /// The apps a template may be given now, and the themes it may use.
    pub offered: AppSet,
    pub themes: &'a [ThemeRow],
    pub following: &'a [PortalRow],
    pub versions: &'a [VersionRow],
    pub held: Option<Held<'a>>,
    pub editable: bool,
    pub problems: &'a Problems,
    pub notice: Option<&'a str>,
}

fn setup_fields(lang: Language, view: &TemplateView<'_>) -> Markup {
    let (w, t) = (lang.wizard(), lang.templates());
    let draft = view.draft;
    let chosen = AppSet::parse_codes(&draft.apps).unwrap_or(AppSet::EMPTY);
    html! {
        (field(lang, view.problems, "name", t.name, None, |f| html! {
            input #(f.id) type="text" name="name" value=(draft.name) required maxlength="120"
                aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
        }))
        (field(lang, view.problems, "description", t.description, Some(t.description_hint), |f| html! {
            textarea #(f.id) name="description" rows="3" maxlength="2000"
                aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid] { (draft.description) }
        }))
        div.check {
            input #is_default type="checkbox" name="is_default" value="yes" checked[draft.is_default] aria-describedby="is_default-hint";
            label for="is_default" { (t.make_default) span.hint #is_default-hint { (t.default_hint) } }
        }
        (choice_group(lang, view.problems, "apps", w.apps_legend, None, &app_boxes(lang, "apps", view.offered, chosen)))
        (theme_choice(lang, view.problems, (view.themes, &view.tenant.id), &draft.theme))
        (start_choice(lang, view.problems, chosen, &draft.start))
        (menu_order_fields(lang, view.problems, &draft.order))
        (own_links_fields(lang, view.problems, &draft.links))
    }
}

/// The warning before a held-back change, with the box that confirms it.
fn held_warning(lang: Language, held: &Held<'_>) -> Markup {
    let t = lang.templates();
    let n = held.portals.len();
    html! {
        div.notice role="alert" {
            p { strong { (t.not_saved) } " " ((t.reaches)(n)) }
            ul { @for portal in held.portals { li { (portal.name) } } }
            div.check {
                input #confirm type="checkbox" name="confirm" value="yes";
                label for="confirm" { ((t.confirm)(n)) }
            }
        }
    }
}

/// A version's theme by name: porch's look, one of the themes offered, or (one since
/// deleted, or an organisation's no longer offered) a dash.
fn theme_name<'a>(lang: Language, themes: &'a [ThemeRow], id: Option<&str>) -> &'a str {
    match id {
        None => lang.wizard().theme_default,
        Some(id) => themes.iter().find(|theme| theme.id == id).map_or("—", |theme| theme.name.as_str()),
    }
}

/// A version's start page in words: the home page, or its app's name.
fn start_name(lang: Language, version: &VersionRow) -> &'static str {
    match version.setup().start_page.app() {
        Some(app) => app_entry(lang, app).label,
        None => lang.wizard().start_home,
    }
}

fn versions(lang: Language, who: &Who<'_>, view: &TemplateView<'_>, template: &TemplateRow) -> Markup {
    let t = lang.templates();
    let w = lang.wizard();
    let formats = Formats::new(lang, TimeZone::UTC);
    let action = format!("/tenants/{}/templates/{}/rollback", view.tenant.id, template.id);
    html! {
        h3 { (t.versions) }
        table.stacked {
            thead {
                tr {
                    th scope="col" { (t.version) } th scope="col" { (t.made) } th scope="col" { (w.apps_label) }
                    th scope="col" { (w.theme_legend) } th scope="col" { (w.start_legend) }
                    th scope="col" { span.visually-hidden { (t.versions) } }
                }
            }
            tbody {
                @for version in view.versions {
                    tr {
                        td data-label=(t.version) { (version.version) }
                        td data-label=(t.made) { (formats.date_time(Timestamp::from_millis(version.created_at))) }
                        td data-label=(w.apps_label) { (app_names(lang, version.apps)) }
                        td data-label=(w.theme_legend) { (theme_name(lang, view.themes, version.theme_id.as_deref())) }
                        td data-label=(w.start_legend) { (start_name(lang, version)) }
                        td {
                            @if version.version == template.current_version { (t.current) }
                            @else if view.editable {
                                form.inline method="post" action=(action) {
                                    (csrf_field(who.csrf))
                                    input type="hidden" name="version" value=(version.version);
                                    @if let Some(Held { rollback: Some(v), portals }) = &view.held {
                                        @if *v == version.version {
                                            (held_warning(lang, &Held { portals, rollback: Some(*v) }))
                                        }
                                    }
                                    button.link-button type="submit" { ((t.roll_back)(version.version)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn editor(lang: Language, who: &Who<'_>, view: &TemplateView<'_>) -> String {
    let t = lang.templates();
    let base = format!("/tenants/{}/templates", view.tenant.id);
    let action = view.template.map_or_else(|| base.clone(), |template| format!("{base}/{}", template.id));
    let title = view.template.map_or(t.new_template, |template| template.name.as_str());
    let body = html! {
        (tenant_header(lang, who, view.tenant, TenantTab::Templates))
        p.back { a href=(base) { (t.all_templates) } }
        h2 { (title) }
        @if let Some(notice) = view.notice { p.notice role="status" { (notice) } }
        (summary(lang, view.problems))
        form.stack method="post" action=(action) novalidate {
            (csrf_field(who.csrf))
            @if let Some(template) = view.template { input type="hidden" name="version" value=(template.version); }
            fieldset.stack disabled[!view.editable] { (setup_fields(lang, view)) }
            @if let Some(held) = view.held.as_ref().filter(|held| held.rollback.is_none()) { (held_warning(lang, held)) }
            @if view.editable {
                div.actions {
                    button.button type="submit" { @if view.template.is_some() { (t.save) } @else { (t.create) } }
                }
            }
        }
        @if let Some(template) = view.template {
            h3 { (t.following) }
            @if view.following.is_empty() { p { (t.none_following) } } @else {
                ul { @for portal in view.following { li { a href={ "/tenants/" (view.tenant.id) "/portals/" (portal.id) } { (portal.name) } } } }
            }
            @if view.editable {
                @if view.following.is_empty() {
                    (removal(who.csrf, &format!("{base}/{}/delete", template.id), template.version, &Removal {
                        summary: t.delete_template,
                        hint: t.delete_template_hint,
                        button: &(t.delete_template_button)(&template.name),
                    }))
                } @else {
                    p.hint { (t.template_in_use) }
                }
            }
            (versions(lang, who, view, template))
        }
    };
    shell(lang, &format!("{title} · {} · {}", t.templates_title, view.tenant.name), None, Some(who), &body)
}
