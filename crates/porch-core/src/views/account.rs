//! Account pages: sign in and out, join (invitation or registration), email confirmation,
//! password reset, and short message pages. Every form carries its CSRF token.

use crate::i18n::Translations as _;
use maud::{html, Markup};

use super::layout::page;
use crate::auth::csrf;
use crate::auth::member::Member;
use crate::i18n::Language;
use crate::portal_context::ResolvedPortal;

fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name=(csrf::FIELD) value=(token); }
}

fn errors(messages: &[&str]) -> Markup {
    html! {
        @if !messages.is_empty() {
            div.errors role="alert" {
                @for message in messages { p { (message) } }
            }
        }
    }
}

/// A short page: a title, a message and an optional link.
pub fn message(portal: &ResolvedPortal, lang: Language, title: &str, body: &str, viewer: Option<&Member>) -> String {
    let content = html! {
        h1 { (title) }
        p.lead { (body) }
        p { a href="/" { (lang.strings().home) } }
    };
    page(portal, lang, title, viewer, &content)
}

pub fn signed_out(portal: &ResolvedPortal, lang: Language) -> String {
    let t = lang.account();
    let content = html! {
        h1 { (t.signed_out_title) }
        p.lead { (t.signed_out_body) }
        p { a.button href="/sign-in" { (t.sign_in_again) } }
    };
    page(portal, lang, t.signed_out_title, None, &content)
}

pub struct SignInForm<'a> {
    pub email: &'a str,
    pub return_to: &'a str,
    pub error: Option<&'a str>,
    /// The portal has single sign-on: the page offers "sign in with your company account".
    pub sso: bool,
}

pub fn sign_in(portal: &ResolvedPortal, lang: Language, csrf: &str, form: &SignInForm<'_>) -> String {
    let t = lang.account();
    let content = html! {
        h1 { (t.sign_in_title) }
        (errors(form.error.as_slice()))
        @if form.sso {
            p { a.button href={ "/sso?return_to=" (crate::http::percent_encode(form.return_to, b"/")) } { (lang.sso().company_title) } }
        }
        form.stack method="post" action="/sign-in" {
            (csrf_field(csrf))
            input type="hidden" name="return_to" value=(form.return_to);
            label { (t.email) input type="email" name="email" value=(form.email) autocomplete="username" required; }
            label { (t.password) input type="password" name="password" autocomplete="current-password" required; }
            div { button.button type="submit" { (t.sign_in_button) } }
        }
        p { a href="/forgot-password" { (t.forgot_link) } }
        @if portal.context.access.join_policy.allows_registration() {
            p { a href="/register" { (t.register_link) } }
        } @else {
            p.hint { (t.no_account_hint) }
        }
    };
    page(portal, lang, t.sign_in_title, None, &content)
}

pub fn sign_out(portal: &ResolvedPortal, lang: Language, csrf: &str, member: &Member) -> String {
    let t = lang.account();
    let content = html! {
        h1 { (t.sign_out_title) }
        p.lead { (t.sign_out_question) }
        form.stack method="post" action="/sign-out" {
            (csrf_field(csrf))
            div { button.button type="submit" { (t.sign_out_button) } }
        }
    };
    page(portal, lang, t.sign_out_title, Some(member), &content)
}

/// Which way someone is joining.
pub enum JoinKind<'a> {
    /// By invitation link; `bound_email` when the invitation names the address.
    Invitation { token: &'a str, bound_email: Option<&'a str> },
    /// The first step of registration: only a name and an address to send a link to.
    Register,
    /// The page the registration link opens: the password and the agreement.
    Confirm { token: &'a str, email: &'a str },
}

pub struct JoinForm<'a> {
    pub kind: JoinKind<'a>,
    pub name: &'a str,
    pub email: &'a str,
    pub errors: &'a [&'static str],
}

/// A portal's terms or consent text with the checkbox that accepts it.
fn agreement(heading: &str, text: &str, field: &str, label: &str) -> Markup {
    html! {
        section {
            h2 { (heading) }
            div.agreement { (text) }
            label.check { input type="checkbox" name=(field) value="yes" required; span { (label) } }
        }
    }
}

pub fn join(portal: &ResolvedPortal, lang: Language, csrf: &str, form: &JoinForm<'_>) -> String {
    let t = lang.account();
    let access = &portal.context.access;
    let (title, intro, action, bound, button) = match &form.kind {
        JoinKind::Invitation { token, bound_email } => {
            (t.invite_title, t.invite_intro, format!("/invite/{token}"), *bound_email, t.join_button)
        }
        JoinKind::Register => (t.register_title, t.register_intro, "/register".to_owned(), None, t.register_button),
        JoinKind::Confirm { token, email } => {
            (t.verify_title, t.verify_body, format!("/verify/{token}"), Some(*email), t.verify_button)
        }
    };
    let asks_password = !matches!(form.kind, JoinKind::Register);
    let content = html! {
        h1 { (title) }
        p.lead { (intro) }
        (errors(form.errors))
        form.stack method="post" action=(action) {
            (csrf_field(csrf))
            label { (t.name) input type="text" name="name" value=(form.name) autocomplete="name" maxlength="120" required; }
            @if let Some(email) = bound {
                label { (t.email) input type="email" value=(email) readonly; }
            } @else {
                label { (t.email) input type="email" name="email" value=(form.email) autocomplete="email" required; }
            }
            @if asks_password {
                label {
                    (t.password)
                    input type="password" name="password" autocomplete="new-password" minlength="10" maxlength="256" required;
                    span.hint { (t.password_hint) }
                }
                @if access.terms_version > 0 {
                    (agreement(t.terms_heading, &access.terms_text, "accept_terms", t.accept_terms))
                }
                @if access.consent_version > 0 {
                    (agreement(t.consent_heading, &access.consent_text, "consent", t.give_consent))
                }
            }
            div { button.button type="submit" { (button) } }
        }
    };
    page(portal, lang, title, None, &content)
}

/// The page that asks a signed-in person to agree again: the texts changed since they
/// agreed (false: that one is not asked), and where to go on afterwards.
pub struct AgreeAgain<'a> {
    pub return_to: &'a str,
    pub terms: bool,
    pub consent: bool,
    pub errors: &'a [&'static str],
}

pub fn agree_again(
    portal: &ResolvedPortal,
    lang: Language,
    viewer: &Member,
    csrf: &str,
    form: &AgreeAgain<'_>,
) -> String {
    let t = lang.account();
    let access = &portal.context.access;
    let content = html! {
        h1 { (t.agree_again_title) }
        p.lead { (t.agree_again_intro) }
        (errors(form.errors))
        form.stack method="post" action="/consent" {
            (csrf_field(csrf))
            input type="hidden" name="return_to" value=(form.return_to);
            @if form.terms {
                input type="hidden" name="terms_version" value=(access.terms_version);
                (agreement(t.terms_heading, &access.terms_text, "accept_terms", t.accept_terms))
            }
            @if form.consent {
                input type="hidden" name="consent_version" value=(access.consent_version);
                (agreement(t.consent_heading, &access.consent_text, "consent", t.give_consent))
            }
            div { button.button type="submit" name="decision" value="accept" { (t.agree_again_accept) } }
        }
        form.stack method="post" action="/consent" {
            (csrf_field(csrf))
            div { button.button type="submit" name="decision" value="decline" { (t.agree_again_decline) } }
        }
    };
    page(portal, lang, t.agree_again_title, Some(viewer), &content)
}

/// A page with one button that POSTs to `action`: links sent by email or chat open this,
/// so a scanner that follows links never spends them.
pub fn confirm(portal: &ResolvedPortal, lang: Language, csrf: &str, text: &Confirm<'_>) -> String {
    let content = html! {
        h1 { (text.title) }
        p.lead { (text.body) }
        form.stack method="post" action=(text.action) {
            (csrf_field(csrf))
            div { button.button type="submit" { (text.button) } }
        }
    };
    page(portal, lang, text.title, None, &content)
}

pub struct Confirm<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub action: &'a str,
    pub button: &'a str,
}

pub fn forgot(portal: &ResolvedPortal, lang: Language, csrf: &str, error: Option<&str>) -> String {
    let t = lang.account();
    let content = html! {
        h1 { (t.forgot_title) }
        p.lead { (t.forgot_intro) }
        (errors(error.as_slice()))
        form.stack method="post" action="/forgot-password" {
            (csrf_field(csrf))
            label { (t.email) input type="email" name="email" autocomplete="email" required; }
            div { button.button type="submit" { (t.forgot_button) } }
        }
    };
    page(portal, lang, t.forgot_title, None, &content)
}

pub fn reset(portal: &ResolvedPortal, lang: Language, csrf: &str, token: &str, error: Option<&str>) -> String {
    let t = lang.account();
    let content = html! {
        h1 { (t.reset_title) }
        (errors(error.as_slice()))
        form.stack method="post" action=(format!("/reset-password/{token}")) {
            (csrf_field(csrf))
            label {
                (t.new_password)
                input type="password" name="password" autocomplete="new-password" minlength="10" maxlength="256" required;
                span.hint { (t.password_hint) }
            }
            div { button.button type="submit" { (t.reset_button) } }
        }
    };
    page(portal, lang, t.reset_title, None, &content)
}
