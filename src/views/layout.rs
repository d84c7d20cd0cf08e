//! The branded page shell: head, header with logo and navigation slot, main, footer.

use maud::{html, Markup, DOCTYPE};

use crate::i18n::Language;
use crate::tenancy::ResolvedPortal;

/// One navigation entry; later features add theirs.
pub struct NavItem<'a> {
    pub label: &'a str,
    pub href: &'a str,
    pub current: bool,
}

/// The stylesheet URL: the `ETag` in the query makes a theme change a new URL, so browsers
/// may keep the old one for long without ever showing stale colours.
fn stylesheet_href(portal: &ResolvedPortal) -> String {
    format!("/theme.css?v={}", portal.theme_etag.trim_matches('"'))
}

pub fn logo_href(portal: &ResolvedPortal, slot: &str) -> String {
    format!("/logo/{slot}?v={}", portal.context.theme.version)
}

pub fn page(portal: &ResolvedPortal, lang: Language, title: &str, nav: &[NavItem<'_>], body: &Markup) -> String {
    let context = &portal.context;
    let strings = lang.strings();
    let full_title =
        if title.is_empty() { context.page_title.clone() } else { format!("{title} · {}", context.page_title) };
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="same-origin";
                title { (full_title) }
                link rel="stylesheet" href=(stylesheet_href(portal));
                @if context.theme.logo_small.is_some() {
                    link rel="icon" href=(logo_href(portal, "small"));
                }
            }
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
                        nav aria-label=(context.name) {
                            ul.nav {
                                @for item in nav {
                                    li { a href=(item.href) aria-current=[item.current.then_some("page")] { (item.label) } }
                                }
                            }
                        }
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
