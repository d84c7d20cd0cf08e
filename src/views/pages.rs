//! Portal pages of this stage: the signed-out start page and the "not available" page.

use maud::html;

use super::layout::{logo_href, page, NavItem};
use crate::i18n::Language;
use crate::tenancy::ResolvedPortal;

pub fn start_page(portal: &ResolvedPortal, lang: Language) -> String {
    let strings = lang.strings();
    let context = &portal.context;
    let body = html! {
        section.hero {
            @if context.theme.logo_large.is_some() {
                img src=(logo_href(portal, "large")) alt=(context.name);
            }
            h1 { (strings.welcome) }
            @if let Some(customer) = &context.customer_name {
                p.lead { strong { (customer) } }
            }
            p.lead { (strings.signed_out_intro) }
            p { span.button role="link" aria-disabled="true" { (strings.sign_in) } }
            p.notice { (strings.sign_in_soon) }
        }
    };
    let nav = [NavItem { label: strings.home, href: "/", current: true }];
    page(portal, lang, "", &nav, &body)
}

pub fn not_available(portal: &ResolvedPortal, lang: Language) -> String {
    let strings = lang.strings();
    let body = html! {
        h1 { (strings.not_available_title) }
        p.lead { (strings.not_available_body) }
    };
    page(portal, lang, strings.not_available_title, &[], &body)
}
