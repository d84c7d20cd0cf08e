//! Single sign-on pages: "sign in with your company account" (home realm discovery by the
//! email's domain) and the branded "sign-in failed" page with its reference code.

use crate::i18n::Translations as _;
use maud::html;

use super::form::{field, summary, Problems};
use super::layout::page;
use crate::auth::csrf;
use crate::i18n::Language;
use crate::portal_context::ResolvedPortal;

pub struct CompanyForm<'a> {
    pub email: &'a str,
    pub return_to: &'a str,
    /// What is wrong with the email typed (every refusal here is about it).
    pub error: Option<&'a str>,
    /// Whether the portal also takes passwords (then the page links to that sign-in).
    pub passwords: bool,
}

pub fn company_sign_in(portal: &ResolvedPortal, lang: Language, csrf_token: &str, form: &CompanyForm<'_>) -> String {
    let t = lang.sso();
    let account = lang.account();
    let problems = form.error.map(|error| Problems::of("email", error)).unwrap_or_default();
    let content = html! {
        h1 { (t.company_title) }
        (summary(lang, &problems))
        p.lead { (t.company_intro) }
        form.stack method="post" action="/sso" novalidate {
            input type="hidden" name=(csrf::FIELD) value=(csrf_token);
            input type="hidden" name="return_to" value=(form.return_to);
            (field(lang, &problems, "email", account.email, None, |c| html! {
                input #(c.id) type="email" name="email" value=(form.email) autocomplete="username" required
                    aria-describedby=[c.described_by.as_deref()] aria-invalid=[c.invalid];
            }))
            div.actions { button.button type="submit" { (t.continue_button) } }
        }
        @if form.passwords {
            p { a href={ "/sign-in?return_to=" (crate::http::percent_encode(form.return_to, b"/")) } { (t.or_password) } }
        }
    };
    page(portal, lang, t.company_title, None, None, &content)
}

/// The step between a form on this portal and the identity provider. Browsers apply the
/// page's CSP `form-action 'self'` to every redirect that follows a form post, so the way to
/// another site must start with a fresh navigation: the response's `Refresh` header (sent
/// by the handler), or this page's link.
pub fn continuing(portal: &ResolvedPortal, lang: Language, href: &str) -> String {
    let t = lang.sso();
    let content = html! {
        h1 { (t.continuing_title) }
        p.lead { (t.continuing_body) }
        p { a.button href=(href) { (t.continue_button) } }
    };
    page(portal, lang, t.continuing_title, None, None, &content)
}

pub fn failed(portal: &ResolvedPortal, lang: Language, reference: &str) -> String {
    let t = lang.sso();
    let content = html! {
        h1 { (t.failed_title) }
        p.lead { (t.failed_body) }
        p { (t.reference) ": " strong.reference { (reference) } }
        p { a.button href="/sso" { (t.try_again) } }
    };
    page(portal, lang, t.failed_title, None, None, &content)
}
