//! The start page (signed out: an invitation to sign in; signed in: a welcome), each listing
//! the apps this portal offers and nothing else, and the "not available" page.

use crate::i18n::Translations as _;
use maud::{html, Markup};

use super::layout::{app_entry, logo_href, page};
use crate::auth::member::Member;
use crate::i18n::Language;
use crate::portal_context::ResolvedPortal;
use porch_types::apps::App;

/// What the start page says of an app, under its name.
fn about(lang: Language, app: App) -> &'static str {
    let strings = lang.strings();
    match app {
        App::Tickets => strings.about_tickets,
        App::SupportForm => strings.about_support_form,
        App::Equipment => strings.about_equipment,
        App::Reports => strings.about_reports,
        App::Activity => strings.about_activity,
        App::Documents => strings.about_documents,
    }
}

/// The portal's apps as cards, in its navigation's order: only what this portal offers.
/// A stranger's link goes to sign-in first and on to the app.
fn apps(portal: &ResolvedPortal, lang: Language) -> Markup {
    html! {
        @let apps = portal.context.navigation.apps();
        @if !apps.is_empty() {
            h2 { (lang.strings().apps_heading) }
            ul.apps {
                @for &app in apps {
                    @let entry = app_entry(lang, app);
                    li { a href=(entry.href) { (entry.label) span { (about(lang, app)) } } }
                }
            }
        }
    }
}

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
            } @else {
                h1 { (strings.welcome) }
                @if let Some(customer) = &context.customer_name {
                    p.lead { strong { (customer) } }
                }
                p.lead { (strings.signed_out_intro) }
                div.actions {
                    a.button href="/sign-in" { (strings.sign_in) }
                    @if context.access.join_policy.allows_registration() {
                        a.secondary href="/register" { (account.register_link) }
                    }
                }
                @if !context.access.join_policy.allows_registration() {
                    p.notice { (account.no_account_hint) }
                }
            }
        }
        (apps(portal, lang))
    };
    page(portal, lang, "", Some("/"), viewer, &body)
}

pub fn not_available(portal: &ResolvedPortal, lang: Language) -> String {
    let strings = lang.strings();
    let body = html! {
        h1 { (strings.not_available_title) }
        p.notice.lead { (strings.not_available_body) }
    };
    page(portal, lang, strings.not_available_title, None, None, &body)
}
