//! Account pages: sign in and out, join (invitation or registration), email confirmation,
//! password reset, and short message pages. Every form carries its CSRF token.

use crate::i18n::Translations as _;
use maud::{html, Markup};

use super::form::{csrf_field, email_field, field, new_password_field, submit, summary, Problems};
use super::layout::page;
use crate::auth::member::Member;
use crate::i18n::Language;
use crate::portal_context::ResolvedPortal;

/// A short page: a title, a message and an optional link.
pub fn message(portal: &ResolvedPortal, lang: Language, title: &str, body: &str, viewer: Option<&Member>) -> String {
    let content = html! {
        h1 { (title) }
        p.lead { (body) }
        p { a href="/" { (lang.strings().home) } }
    };
    page(portal, lang, title, None, viewer, &content)
}

pub fn signed_out(portal: &ResolvedPortal, lang: Language) -> String {
    let t = lang.account();
    let content = html! {
        h1 { (t.signed_out_title) }
        p.lead { (t.signed_out_body) }
        p { a.button href="/sign-in" { (t.sign_in_again) } }
    };
    page(portal, lang, t.signed_out_title, None, None, &content)
}

pub struct SignInForm<'a> {
    pub email: &'a str,
    pub return_to: &'a str,
    pub problems: &'a Problems,
    /// The portal has single sign-on: the page offers "sign in with your company account".
    pub sso: bool,
}

pub fn sign_in(portal: &ResolvedPortal, lang: Language, csrf: &str, form: &SignInForm<'_>) -> String {
    let t = lang.account();
    let content = html! {
        h1 { (t.sign_in_title) }
        (summary(lang, form.problems))
        @if form.sso {
            p { a.secondary href={ "/sso?return_to=" (crate::http::percent_encode(form.return_to, b"/")) } { (lang.sso().company_title) } }
        }
        form.stack method="post" action="/sign-in" novalidate {
            (csrf_field(csrf))
            input type="hidden" name="return_to" value=(form.return_to);
            (email_field(lang, form.problems, form.email, "username"))
            (field(lang, form.problems, "password", t.password, None, |c| html! {
                input #(c.id) type="password" name="password" autocomplete="current-password" required
                    aria-describedby=[c.described_by.as_deref()] aria-invalid=[c.invalid];
            }))
            (submit(t.sign_in_button))
        }
        p { a href="/forgot-password" { (t.forgot_link) } }
        @if portal.context.access.join_policy.allows_registration() {
            p { a href="/register" { (t.register_link) } }
        } @else {
            p.hint { (t.no_account_hint) }
        }
    };
    page(portal, lang, t.sign_in_title, Some("/sign-in"), None, &content)
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
    pub problems: &'a Problems,
}

/// A portal's terms or consent text with the checkbox that accepts it; the text is the
/// provider's, `written` naming its language where the page's differs (`views::language`).
fn agreement(
    lang: Language,
    problems: &Problems,
    heading: &str,
    (text, written): (&str, Option<&str>),
    name: &str,
    label: &str,
) -> Markup {
    let error = problems.on(name);
    html! {
        section.field.field-error[error.is_some()] {
            h2 { (heading) }
            div.agreement lang=[written] { (text) }
            @if let Some(error) = &error {
                p.error-message id={ (name) "-error" } { span.visually-hidden { (lang.strings().error_prefix) " " } (error) }
            }
            div.check {
                input #(name) type="checkbox" name=(name) value="yes" required
                    aria-describedby=[error.as_ref().map(|_| format!("{name}-error"))] aria-invalid=[error.as_ref().map(|_| "true")];
                label for=(name) { (label) }
            }
        }
    }
}

pub fn join(portal: &ResolvedPortal, lang: Language, csrf: &str, form: &JoinForm<'_>) -> String {
    let t = lang.account();
    let provider_lang = super::language::provider_lang(portal, lang);
    let access = &portal.context.access;
    let problems = form.problems;
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
        (summary(lang, problems))
        form.stack method="post" action=(action) novalidate {
            (csrf_field(csrf))
            (field(lang, problems, "name", t.name, None, |c| html! {
                input #(c.id) type="text" name="name" value=(form.name) autocomplete="name" maxlength="120" required
                    aria-describedby=[c.described_by.as_deref()] aria-invalid=[c.invalid];
            }))
            @if let Some(email) = bound {
                (field(lang, problems, "email", t.email, None, |c| html! {
                    input #(c.id) type="email" value=(email) readonly aria-describedby=[c.described_by.as_deref()];
                }))
            } @else {
                (email_field(lang, problems, form.email, "email"))
            }
            @if asks_password {
                (new_password_field(lang, problems, t.password))
                @if access.terms_version > 0 {
                    (agreement(lang, problems, t.terms_heading, (&access.terms_text, provider_lang), "accept_terms", t.accept_terms))
                }
                @if access.consent_version > 0 {
                    (agreement(lang, problems, t.consent_heading, (&access.consent_text, provider_lang), "consent", t.give_consent))
                }
            }
            (submit(button))
        }
    };
    page(portal, lang, title, None, None, &content)
}

/// The page that asks a signed-in person to agree again: the texts changed since they
/// agreed (false: that one is not asked), and where to go on afterwards.
pub struct AgreeAgain<'a> {
    pub return_to: &'a str,
    pub terms: bool,
    pub consent: bool,
    pub problems: &'a Problems,
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
    let provider_lang = super::language::provider_lang(portal, lang);
    let content = html! {
        h1 { (t.agree_again_title) }
        p.lead { (t.agree_again_intro) }
        (summary(lang, form.problems))
        form.stack method="post" action="/consent" novalidate {
            (csrf_field(csrf))
            input type="hidden" name="return_to" value=(form.return_to);
            @if form.terms {
                input type="hidden" name="terms_version" value=(access.terms_version);
                (agreement(lang, form.problems, t.terms_heading, (&access.terms_text, provider_lang), "accept_terms", t.accept_terms))
            }
            @if form.consent {
                input type="hidden" name="consent_version" value=(access.consent_version);
                (agreement(lang, form.problems, t.consent_heading, (&access.consent_text, provider_lang), "consent", t.give_consent))
            }
            div { button.button type="submit" name="decision" value="accept" { (t.agree_again_accept) } }
        }
        form.stack method="post" action="/consent" {
            (csrf_field(csrf))
            div { button.button type="submit" name="decision" value="decline" { (t.agree_again_decline) } }
        }
    };
    page(portal, lang, t.agree_again_title, None, Some(viewer), &content)
}

/// A page with one button that POSTs to `action`: links sent by email or chat open this,
/// so a scanner that follows links never spends them.
pub fn confirm(portal: &ResolvedPortal, lang: Language, csrf: &str, text: &Confirm<'_>) -> String {
    let content = html! {
        h1 { (text.title) }
        p.lead { (text.body) }
        form.stack method="post" action=(text.action) {
            (csrf_field(csrf))
            (submit(text.button))
        }
    };
    page(portal, lang, text.title, None, None, &content)
}

pub struct Confirm<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub action: &'a str,
    pub button: &'a str,
}

pub fn forgot(portal: &ResolvedPortal, lang: Language, csrf: &str, email: &str, problems: &Problems) -> String {
    let t = lang.account();
    let content = html! {
        h1 { (t.forgot_title) }
        p.lead { (t.forgot_intro) }
        (summary(lang, problems))
        form.stack method="post" action="/forgot-password" novalidate {
            (csrf_field(csrf))
            (email_field(lang, problems, email, "email"))
            (submit(t.forgot_button))
        }
    };
    page(portal, lang, t.forgot_title, None, None, &content)
}

pub fn reset(portal: &ResolvedPortal, lang: Language, csrf: &str, token: &str, problems: &Problems) -> String {
    let t = lang.account();
    let content = html! {
        h1 { (t.reset_title) }
        (summary(lang, problems))
        form.stack method="post" action=(format!("/reset-password/{token}")) novalidate {
            (csrf_field(csrf))
            (new_password_field(lang, problems, t.new_password))
            (submit(t.reset_button))
        }
    };
    page(portal, lang, t.reset_title, None, None, &content)
}
