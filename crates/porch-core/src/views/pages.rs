//! The start page (signed out: an invitation to sign in; signed in: a welcome) and the
//! "not available" page.

use crate::i18n::Translations as _;
use maud::html;

use super::layout::{logo_href, page};
use crate::auth::member::Member;
use crate::i18n::Language;
use crate::portal_context::ResolvedPortal;

pub fn start_page(portal: &ResolvedPortal, lang: Language, viewer: Option<&Member>) -> String {
    let strings = lang.strings();
    let account = lang.account();
    let context = &portal.context;
    let body = html! {
        section.hero {
            @if context.theme.logo_large.is_some() {
                img src=(logo_href(portal, "large")) alt=(context.name);
            }
            @if let Some(member) = viewer {
                h1 { (account.welcome_member) ", " (member.name) }
                @if let Some(customer) = &context.customer_name {
                    p.lead { strong { (customer) } }
                }
                p.lead { (account.member_intro) }
            } @else {
                h1 { (strings.welcome) }
                @if let Some(customer) = &context.customer_name {
                    p.lead { strong { (customer) } }
                }
                p.lead { (strings.signed_out_intro) }
                p { a.button href="/sign-in" { (strings.sign_in) } }
                @if context.access.join_policy.allows_registration() {
                    p { a href="/register" { (account.register_link) } }
                } @else {
                    p.notice { (account.no_account_hint) }
                }
            }
        }
    };
    page(portal, lang, "", viewer, &body)
}

pub fn not_available(portal: &ResolvedPortal, lang: Language) -> String {
    let strings = lang.strings();
    let body = html! {
        h1 { (strings.not_available_title) }
        p.lead { (strings.not_available_body) }
    };
    page(portal, lang, strings.not_available_title, None, &body)
}
