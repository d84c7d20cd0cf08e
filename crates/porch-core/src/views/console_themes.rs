//! The console's Themes tab: the tenant's themes (and, read only, its organisation's), and the
//! editor of one: name and five colours, a preview of a portal page in the draft's colours
//! (its stylesheet is the server's, `preview.css`, swapped by the console's script as the
//! colours change, or by "Preview" without it), the contrast report with a button for each
//! suggested colour, and the warning before a change reaches several portals.

use maud::{html, Markup};

use super::console::{removal, shell, tenant_header, Removal, TenantTab, Who};
use super::form::{csrf_field, field, summary, Problems};
use crate::i18n::{Formats, Language, Translations as _};
use crate::store::portals::PortalRow;
use crate::store::tenants::TenantRow;
use crate::store::themes::{LogoSlot, ThemeRow};
use porch_types::color::{ContrastReport, HexColor, ThemeColors};
use porch_types::percent::percent_encode;
use porch_types::time_zone::TimeZone;

/// The five colours of a theme, in the editor's order: each field's name, as the API's
/// `colors` object names it too.
pub const COLOURS: [&str; 5] = ["primary", "menu", "notification", "background", "text"];

/// A theme as the editor holds it: the name and the colours as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Draft {
    pub name: String,
    /// In `COLOURS`' order.
    pub colours: [String; 5],
}

impl Draft {
    /// A stored theme's.
    pub fn of(name: &str, colors: &ThemeColors) -> Draft {
        Draft { name: name.to_owned(), colours: in_order(colors).map(|c| c.to_string()) }
    }
}

/// The colours in `COLOURS`' order.
fn in_order(colors: &ThemeColors) -> [HexColor; 5] {
    [colors.primary, colors.menu, colors.notification, colors.background, colors.text]
}

/// Where the preview's stylesheet is for `colors`.
pub fn preview_href(tenant: &str, colors: &ThemeColors) -> String {
    let query: Vec<String> = COLOURS
        .iter()
        .zip(in_order(colors))
        .map(|(name, colour)| format!("{name}={}", percent_encode(&colour.to_string(), b"")))
        .collect();
    format!("/tenants/{tenant}/themes/preview.css?{}", query.join("&"))
}

/// The Themes tab.
pub struct ThemesView<'a> {
    pub tenant: &'a TenantRow,
    /// The tenant's own themes, each with how many portals use it.
    pub own: &'a [(ThemeRow, i64)],
    /// Its organisation's (its parent tenant's), which it may use but not change.
    pub shared: &'a [ThemeRow],
    pub editable: bool,
    pub notice: Option<&'a str>,
}

/// A theme's two logos: each as it is, a form to upload another (a file, so the form is
/// `multipart/form-data`) and one to remove it. Where the theme shows on portals, each form
/// has the confirmation the shared rule may ask for.
fn logos(lang: Language, who: &Who<'_>, view: &EditorView<'_>, theme: &ThemeRow) -> Markup {
    let t = lang.themes();
    let base = format!("/tenants/{}/themes/{}/logos", view.tenant.id, theme.id);
    let confirm = |slot: LogoSlot, action: &str| {
        let id = format!("confirm-{action}-{}", slot.as_str());
        html! {
            @if !view.used_on.is_empty() {
                div.check {
                    input #(id) type="checkbox" name="confirm" value="yes";
                    label for=(id) { ((t.logo_confirm)(view.used_on.len())) }
                }
            }
        }
    };
    html! {
        section.stack aria-labelledby="logos-title" {
            h3 #logos-title { (t.logos_title) }
            p.hint { (t.logos_intro) }
            @for (slot, label) in [(LogoSlot::Small, t.logo_small), (LogoSlot::Large, t.logo_large)] {
                @let field_id = format!("logo-{}", slot.as_str());
                div.logo-slot {
                    h4 { (label) }
                    p {
                        @match theme.logo(slot) {
                            Some((_, kind)) => ((t.logo_set)(if kind.contains("svg") { "SVG" } else { "PNG" })),
                            None => (t.logo_none),
                        }
                    }
                    @if view.editable {
                        form.stack method="post" action={ (base) "/" (slot.as_str()) } enctype="multipart/form-data" novalidate {
                            (csrf_field(who.csrf))
                            input type="hidden" name="version" value=(theme.version);
                            (field(lang, view.problems, &field_id, t.logo_file, None, |f| html! {
                                input #(f.id) type="file" name="logo" accept="image/png,image/svg+xml,.png,.svg"
                                    aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
                            }))
                            (confirm(slot, "upload"))
                            div.actions { button.button type="submit" { (t.upload_logo) } }
                        }
                        @if theme.logo(slot).is_some() {
                            form.stack method="post" action={ (base) "/" (slot.as_str()) "/remove" } {
                                (csrf_field(who.csrf))
                                input type="hidden" name="version" value=(theme.version);
                                (confirm(slot, "remove"))
                                div.actions { button.secondary type="submit" { (t.remove_logo) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn colour_list(theme: &ThemeRow) -> String {
    [&theme.primary_color, &theme.menu_color, &theme.notification_color, &theme.background_color, &theme.text_color]
        .map(String::as_str)
        .join(", ")
}

pub fn list(lang: Language, who: &Who<'_>, view: &ThemesView<'_>) -> String {
    let t = lang.themes();
    let c = lang.console();
    let base = format!("/tenants/{}/themes", view.tenant.id);
    let body = html! {
        (tenant_header(lang, who, view.tenant, TenantTab::Themes))
        h2.visually-hidden { (t.themes_title) }
        p.lead { (t.themes_intro) }
        @if let Some(notice) = view.notice { p.notice role="status" { (notice) } }
        @if view.editable { p { a.button href={ (base) "/new" } { (t.new_theme) } } }
        @if view.own.is_empty() && view.shared.is_empty() {
            p.empty { (t.no_themes) }
        } @else {
            table.stacked {
                thead { tr { th scope="col" { (t.name) } th scope="col" { (t.colours) } th scope="col" { (c.portals_title) } } }
                tbody {
                    @for (theme, uses) in view.own {
                        tr {
                            td data-label=(t.name) { a href={ (base) "/" (theme.id) } { (theme.name) } }
                            td data-label=(t.colours) { code { (colour_list(theme)) } }
                            td data-label=(c.portals_title) { ((t.used_by)(*uses)) }
                        }
                    }
                    @for theme in view.shared {
                        tr {
                            td data-label=(t.name) { a href={ (base) "/" (theme.id) } { (theme.name) } }
                            td data-label=(t.colours) { code { (colour_list(theme)) } }
                            td data-label=(c.portals_title) { (t.shared) }
                        }
                    }
                }
            }
        }
    };
    shell(lang, &format!("{} · {}", t.themes_title, view.tenant.name), None, Some(who), &body)
}

/// The editor of a new theme (`theme` None) or of one.
pub struct EditorView<'a> {
    pub tenant: &'a TenantRow,
    pub theme: Option<&'a ThemeRow>,
    pub draft: &'a Draft,
    /// The draft's colours once they all parse: what the preview and the report show.
    pub colors: &'a ThemeColors,
    pub report: &'a ContrastReport,
    /// The portals showing the theme.
    pub used_on: &'a [PortalRow],
    /// Set when a save was held back: it reaches this many portals and needs confirming.
    pub reaches: Option<usize>,
    /// False for staff who may not change settings, and for an organisation's theme.
    pub editable: bool,
    pub problems: &'a Problems,
    pub notice: Option<&'a str>,
}

fn colour_fields(lang: Language, view: &EditorView<'_>) -> Markup {
    let t = lang.themes();
    let hints = [t.primary_hint, t.menu_hint, t.notification_hint, t.background_hint, t.text_hint];
    html! {
        @for (i, name) in COLOURS.iter().enumerate() {
            @let value = view.draft.colours.get(i).map_or("", String::as_str);
            (field(lang, view.problems, name, t.colour_label(name), hints.get(i).copied(), |f| html! {
                input #(f.id) type="color" name=(name) value=(value) required disabled[!view.editable]
                    aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
            }))
        }
    }
}

/// A portal page in the draft's colours: the portal's own components (header and menu,
/// heading, notice, link, buttons, status) inside `.theme-preview`, which the preview's
/// stylesheet gives the draft's colours.
fn preview(lang: Language, href: &str) -> Markup {
    let t = lang.themes();
    html! {
        link rel="stylesheet" href=(href) data-preview;
        div.theme-preview #theme-preview {
            div.site-header {
                div.bar {
                    span.brand { (t.sample_portal) }
                    ul.nav.preview-nav {
                        li { a href="#theme-preview" aria-current="page" { (lang.strings().home) } }
                        li { a href="#theme-preview" { (t.sample_link) } }
                    }
                }
            }
            div.preview-page {
                p.preview-title { (t.sample_welcome) }
                p.notice { (t.sample_notice) }
                p { a href="#theme-preview" { (t.sample_link) } " " span.status { (t.sample_status) } }
                p.actions {
                    span.button { (t.sample_primary) }
                    span.secondary { (t.sample_secondary) }
                }
            }
        }
    }
}

fn report(lang: Language, view: &EditorView<'_>) -> Markup {
    let t = lang.themes();
    let formats = Formats::new(lang, TimeZone::UTC);
    let ratio = |r: f64| {
        // Two places at most, as the report rounds them.
        #[allow(clippy::cast_possible_truncation)]
        let milli = (r * 1000.0).round() as i64;
        format!("{}:1", formats.decimal(milli, 2))
    };
    html! {
        section aria-labelledby="contrast-title" {
            h3 #contrast-title { (t.contrast_title) }
            p { (t.contrast_intro) }
            p.notice[!view.report.passes_aa] role="status" {
                @if view.report.passes_aa { (t.all_pass) } @else { (t.some_fail) }
            }
            table.stacked {
                thead {
                    tr {
                        th scope="col" { (t.pair) }
                        th scope="col" { (t.ratio) }
                        th scope="col" { (t.needs) }
                        th scope="col" { (t.result) }
                    }
                }
                tbody {
                    @for check in &view.report.checks {
                        tr {
                            td data-label=(t.pair) { (t.pair_label(check.pair)) }
                            td data-label=(t.ratio) { (ratio(check.ratio)) }
                            td data-label=(t.needs) { (ratio(check.required)) }
                            td data-label=(t.result) {
                                @if check.passes_aa { (t.passes) } @else {
                                    strong { (t.too_low) }
                                    @if let (Some(suggestion), true) = (&check.suggestion, view.editable) {
                                        " "
                                        @let hex = suggestion.to.to_string();
                                        @let colour = t.colour_label(suggestion.change).to_lowercase();
                                        button.secondary type="submit" name="use" value={ (suggestion.change) ":" (hex) }
                                            aria-label=((t.use_colour_for)(&hex, &colour)) { ((t.use_colour)(&hex)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn editor(lang: Language, who: &Who<'_>, view: &EditorView<'_>) -> String {
    let t = lang.themes();
    let base = format!("/tenants/{}/themes", view.tenant.id);
    let action = view.theme.map_or_else(|| base.clone(), |theme| format!("{base}/{}", theme.id));
    let title = view.theme.map_or(t.new_theme, |theme| theme.name.as_str());
    let shared = view.theme.is_some_and(|theme| theme.tenant_id != view.tenant.id);
    let body = html! {
        (tenant_header(lang, who, view.tenant, TenantTab::Themes))
        p.back { a href=(base) { (t.all_themes) } }
        h2 { (title) }
        @if shared { p.notice { (t.shared_intro) } }
        @if let Some(notice) = view.notice { p.notice role="status" { (notice) } }
        (summary(lang, view.problems))
        form.theme-editor method="post" action=(action) novalidate data-theme-form {
            (csrf_field(who.csrf))
            @if let Some(theme) = view.theme { input type="hidden" name="version" value=(theme.version); }
            div.editor-columns {
                div {
                    (field(lang, view.problems, "name", t.name, None, |f| html! {
                        input #(f.id) type="text" name="name" value=(view.draft.name) required maxlength="80" disabled[!view.editable]
                            aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
                    }))
                    (colour_fields(lang, view))
                }
                section aria-labelledby="preview-title" {
                    h3 #preview-title { (t.preview_title) }
                    p.hint { (t.preview_intro) }
                    (preview(lang, &preview_href(&view.tenant.id, view.colors)))
                }
            }
            (report(lang, view))
            @if view.editable {
                @if let Some(count) = view.reaches {
                    div.notice role="alert" {
                        p { strong { (t.not_saved) } " " ((t.reaches)(count)) }
                        div.check {
                            input #confirm type="checkbox" name="confirm" value="yes";
                            label for="confirm" { ((t.confirm_reach)(count)) }
                        }
                    }
                }
                div.actions {
                    button.button type="submit" name="intent" value="save" {
                        @if view.theme.is_some() { (t.save_theme) } @else { (t.create_theme) }
                    }
                    button.secondary type="submit" name="intent" value="preview" { (t.preview_button) }
                }
            }
        }
        @if view.theme.is_some() && !shared {
            h3 { (t.used_on) }
            @if view.used_on.is_empty() { p { (t.not_used) } } @else {
                ul {
                    @for portal in view.used_on {
                        li {
                            // A child tenant's portal is named, not linked: its pages are its own.
                            @if portal.tenant_id == view.tenant.id {
                                a href={ "/tenants/" (portal.tenant_id) "/portals/" (portal.id) } { (portal.name) }
                            } @else { (portal.name) }
                        }
                    }
                }
            }
            @if let Some(theme) = view.theme { (logos(lang, who, view, theme)) }
            @if let (Some(theme), true) = (view.theme, view.editable) {
                @if view.used_on.is_empty() {
                    (removal(who.csrf, &format!("{base}/{}/delete", theme.id), theme.version, &Removal {
                        summary: t.delete_theme,
                        hint: t.delete_theme_hint,
                        button: &(t.delete_theme_button)(&theme.name),
                    }))
                } @else {
                    p.hint { (t.theme_in_use) }
                }
            }
        }
    };
    shell(lang, &format!("{title} · {} · {}", t.themes_title, view.tenant.name), None, Some(who), &body)
}
