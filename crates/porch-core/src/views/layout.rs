//! The branded page shell: head, header with logo, the menu (folding on narrow screens) and
//! sign-out, the preview banner, main, footer.

use crate::i18n::Translations as _;
use maud::{html, Markup, DOCTYPE};

use crate::auth::csrf;
use crate::auth::member::Member;
use crate::i18n::Language;
use crate::portal_context::ResolvedPortal;
use porch_types::apps::App;
use porch_types::setup::Navigation;

/// One navigation entry; later features add theirs.
pub struct NavItem<'a> {
    pub label: &'a str,
    pub href: &'a str,
}

/// An app's page: its title and where it is.
pub fn app_entry(lang: Language, app: App) -> NavItem<'static> {
    let (tickets, fleet) = (lang.tickets(), lang.fleet());
    match app {
        App::Tickets => NavItem { label: tickets.tickets_title, href: "/tickets" },
        App::SupportForm => NavItem { label: tickets.new_request, href: "/tickets/new" },
        App::Equipment => NavItem { label: fleet.equipment_title, href: "/equipment" },
        App::Reports => NavItem { label: fleet.reports_title, href: "/reports" },
        App::Activity => NavItem { label: lang.activity().activity_title, href: "/activity" },
        App::Documents => NavItem { label: lang.documents().documents_title, href: "/documents" },
    }
}

/// The navigation a visitor sees: home, for members the apps of the portal's navigation in
/// its order and the Users page for portal admins, for strangers signing in. Signing out is
/// a form beside it (see `page`).
fn navigation(lang: Language, viewer: Option<&Member>, apps: &Navigation) -> Vec<NavItem<'static>> {
    let account = lang.account();
    let mut nav = vec![NavItem { label: lang.strings().home, href: "/" }];
    match viewer {
        Some(member) => {
            nav.extend(apps.apps().iter().map(|&app| app_entry(lang, app)));
            if member.is_admin() {
                nav.push(NavItem { label: account.users_title, href: "/users" });
            }
        }
        None => nav.push(NavItem { label: account.sign_in_title, href: "/sign-in" }),
    }
    nav
}

/// The stylesheet URL: the `ETag` in the query makes a theme change a new URL, so browsers
/// may keep the old one for long without ever showing stale colours.
fn stylesheet_href(portal: &ResolvedPortal) -> String {
    format!("/theme.css?v={}", portal.theme_etag.trim_matches('"'))
}

pub fn logo_href(portal: &ResolvedPortal, slot: &str) -> String {
    format!("/logo/{slot}?v={}", portal.context.theme.version)
}

/// A page's `<head>`: the portal's and the console's (their own stylesheet, and an icon
/// where there is one); same-origin referrers, as every page asks.
pub fn head(title: &str, stylesheet: &str, icon: Option<&str>) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="referrer" content="same-origin";
            title { (title) }
            link rel="stylesheet" href=(stylesheet);
            @if let Some(icon) = icon { link rel="icon" href=(icon); }
        }
    }
}

/// A portal page. `here` is the menu entry's path when the page is one the menu links to (the
/// entry is marked `aria-current="page"`; a page below one, say a ticket, marks none).
/// `viewer` is the signed-in person (None for strangers); a preview gets a banner on every
/// page saying whose view it is and that changes are off.
pub fn page(
    portal: &ResolvedPortal,
    lang: Language,
    title: &str,
    here: Option<&str>,
    viewer: Option<&Member>,
    body: &Markup,
) -> String {
    let context = &portal.context;
    let strings = lang.strings();
    let account = lang.account();
    let nav = navigation(lang, viewer, &context.navigation);
    let full_title =
        if title.is_empty() { context.page_title.clone() } else { format!("{title} · {}", context.page_title) };
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            (head(&full_title, &stylesheet_href(portal), context.theme.logo_small.is_some().then(|| logo_href(portal, "small")).as_deref()))
            body {
                a.skip href="#main" { (strings.skip_to_content) }
                header.site-header {
                    div.bar {
                        a.brand href="/" {
                            @if context.theme.logo_small.is_some() {
                                img src=(logo_href(portal, "small")) alt="";
                            }
                            span { (context.name) }
                        }
                        (super::language::menu(lang, viewer.map(|member| member.csrf.as_str())))
                        // Below 48rem the menu folds into this <details>; wider, base.css
                        // shows its content as a bar, so no page needs script for either.
                        details.menu {
                            summary { (strings.menu) }
                            nav aria-label=(context.name) {
                                ul.nav {
                                    @if let Some(member) = viewer {
                                        li.who { (account.signed_in_as) " " strong { (member.name) } }
                                    }
                                    @for item in &nav {
                                        li { a href=(item.href) aria-current=[(here == Some(item.href)).then_some("page")] { (item.label) } }
                                    }
                                    (super::nav_links::own_links(&context.nav_links, lang, context.default_language))
                                    @if let Some(member) = viewer {
                                        li {
                                            form method="post" action="/sign-out" {
                                                input type="hidden" name=(csrf::FIELD) value=(member.csrf);
                                                button type="submit" { (account.sign_out_button) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                @if let Some(member) = viewer.filter(|m| m.preview) {
                    div.banner role="status" {
                        strong { (account.preview_banner) " " (member.name) "." } " " (account.preview_read_only)
                    }
                }
                main #main { (body) }
                footer.site-footer { (strings.powered_by) " · " (context.name) }
            }
        }
    }
    .into_string()
}

/// A page for a host that names no portal: nothing in it may hint at any tenant.
pub fn neutral(status_title: &str, message: &str) -> String {
    plain(status_title, &html! { main.neutral { h1 { (status_title) } p { (message) } } })
}

/// An unbranded page shell (no stylesheet, no portal): the neutral pages and local tools.
pub fn plain(title: &str, body: &Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
            }
            body { (body) }
        }
    }
    .into_string()
}
