//! The console's pages: porch's own look (the design system in porch's default colours, from
//! `/console.css`), never a tenant's brand. The shell, the first operator's set-up, two-step
//! verification (setting it up, the recovery codes shown once, the code at sign-in), sign-in
//! and the operator's list of tenants. Like the portal's, every page works without script.

use maud::{html, Markup, DOCTYPE};

use super::form::{csrf_field, email_field, field, new_password_field, submit, summary, Problems};
use super::language;
use super::layout::head;
use crate::i18n::{Formats, Language, Translations as _};
use crate::store::tenants::TenantRow;
use porch_types::time::Timestamp;
use porch_types::time_zone::TimeZone;

/// The signed-in person, as the shell shows them.
pub struct Who<'a> {
    pub name: &'a str,
    pub csrf: &'a str,
    /// The platform's operator (whose home lists the tenants), or a tenant's staff (whose
    /// home is their tenant's customers).
    pub operator: bool,
}

/// A console page: `who` is the signed-in person (the menu and sign-out), None on the
/// sign-in pages; `here` the menu entry's path when the page is that entry's (as the portal's
/// `layout::page`).
pub(super) fn shell(lang: Language, title: &str, here: Option<&str>, who: Option<&Who<'_>>, body: &Markup) -> String {
    let c = lang.console();
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            (head(&format!("{title} · {}", c.product), "/console.css", None))
            body {
                a.skip href="#main" { (lang.strings().skip_to_content) }
                header.site-header {
                    div.bar {
                        a.brand href="/" { span { (c.product) } }
                        (super::language::menu(lang, who.map(|who| who.csrf)))
                        @if let Some(who) = who {
                            nav aria-label=(c.main_menu) {
                                ul.nav {
                                    li.who { (c.signed_in_as) " " strong { (who.name) } }
                                    li {
                                        a href="/" aria-current=[(here == Some("/")).then_some("page")] {
                                            @if who.operator { (c.tenants_title) } @else { (c.customers_title) }
                                        }
                                    }
                                    li {
                                        form method="post" action="/sign-out" {
                                            (csrf_field(who.csrf))
                                            button type="submit" { (c.sign_out) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                main #main { (body) }
                script src="/console.js" defer {}
            }
        }
    }
    .into_string()
}

/// What the set-up form keeps of what was typed (never the token or the password).
pub struct SetUpForm<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub problems: &'a Problems,
}

/// The platform admin token's field (typed like a password: it is one).
fn token_field(lang: Language, problems: &Problems, hint: Option<&str>) -> Markup {
    field(lang, problems, "token", lang.console().admin_token, hint, |f| {
        html! {
            input #(f.id) type="password" name="token" autocomplete="off" required
                aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
        }
    })
}

pub fn set_up(lang: Language, csrf: &str, form: &SetUpForm<'_>) -> String {
    let (c, a) = (lang.console(), lang.account());
    let body = html! {
        h1 { (c.set_up_title) }
        p.lead { (c.set_up_intro) }
        (summary(lang, form.problems))
        form.stack method="post" action="/set-up" novalidate {
            (csrf_field(csrf))
            (token_field(lang, form.problems, Some(c.admin_token_hint)))
            (field(lang, form.problems, "name", a.name, None, |f| html! {
                input #(f.id) type="text" name="name" value=(form.name) autocomplete="name" required maxlength="200"
                    aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
            }))
            (email_field(lang, form.problems, form.email, "username"))
            (new_password_field(lang, form.problems, a.password))
            (submit(c.create_account))
        }
    };
    shell(lang, c.set_up_title, None, None, &body)
}

/// The second factor being set up: the secret as the app's link and as text.
pub struct Enrolment<'a> {
    pub otpauth_uri: &'a str,
    pub key: &'a str,
    pub problems: &'a Problems,
}

/// A code field: one-time-code autocomplete, digits keyboard on phones.
fn code_field(lang: Language, problems: &Problems, label: &str, hint: &str, digits_only: bool) -> Markup {
    field(lang, problems, "code", label, Some(hint), |f| {
        html! {
            input #(f.id) type="text" name="code" autocomplete="one-time-code" required spellcheck="false"
                inputmode=[digits_only.then_some("numeric")] maxlength="20"
                aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
        }
    })
}

pub fn second_factor(lang: Language, csrf: &str, enrolment: &Enrolment<'_>) -> String {
    let c = lang.console();
    let body = html! {
        h1 { (c.second_factor_title) }
        p.lead { (c.second_factor_intro) }
        (summary(lang, enrolment.problems))
        p { a.secondary href=(enrolment.otpauth_uri) { (c.open_in_app) } }
        p { (c.key_by_hand) }
        p { code.key { (enrolment.key) } }
        form.stack method="post" action="/second-factor" novalidate {
            (csrf_field(csrf))
            (code_field(lang, enrolment.problems, c.code, c.code_hint, true))
            (submit(c.verify))
        }
    };
    shell(lang, c.second_factor_title, None, None, &body)
}

/// Before setting up a second factor after a sign-in with a password alone: the platform
/// token, given again.
pub fn prove_for_enrolment(lang: Language, csrf: &str, problems: &Problems) -> String {
    let c = lang.console();
    let body = html! {
        h1 { (c.prove_title) }
        p.lead { (c.prove_intro) }
        (summary(lang, problems))
        form.stack method="post" action="/second-factor" novalidate {
            (csrf_field(csrf))
            (token_field(lang, problems, None))
            (submit(c.continue_button))
        }
    };
    shell(lang, c.prove_title, None, None, &body)
}

/// The recovery codes, shown once, right after the second factor is set up.
pub fn recovery_codes(lang: Language, codes: &[String]) -> String {
    let c = lang.console();
    let body = html! {
        h1 { (c.recovery_title) }
        p.lead { (c.recovery_intro) }
        ul.codes { @for code in codes { li { code { (code) } } } }
        p { a.button href="/" { (c.recovery_continue) } }
    };
    shell(lang, c.recovery_title, None, None, &body)
}

/// The sign-in page: email and password, and single sign-on by work email; `typed` is
/// what was typed in each.
pub fn sign_in(lang: Language, csrf: &str, (email, sso_email): (&str, &str), problems: &Problems) -> String {
    let (c, a, s) = (lang.console(), lang.account(), lang.staff_sso());
    let body = html! {
        h1 { (c.sign_in_title) }
        (summary(lang, problems))
        form.stack method="post" action="/sign-in" novalidate {
            (csrf_field(csrf))
            (email_field(lang, problems, email, "username"))
            (field(lang, problems, "password", a.password, None, |f| html! {
                input #(f.id) type="password" name="password" autocomplete="current-password" required
                    aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
            }))
            (submit(c.sign_in_button))
        }
        section.sso-sign-in aria-labelledby="sso-title" {
            h2 #sso-title { (s.sign_in_title) }
            form.stack method="post" action="/sign-in/sso" novalidate {
                (csrf_field(csrf))
                (field(lang, problems, "sso_email", s.work_email, Some(s.sign_in_hint), |f| html! {
                    input #(f.id) type="email" name="sso_email" value=(sso_email) autocomplete="email" required
                        aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
                }))
                div.actions { button.secondary type="submit" { (s.sign_in_button) } }
            }
        }
    };
    shell(lang, c.sign_in_title, None, None, &body)
}

/// The step between the single sign-on form and the identity provider: the form's
/// `form-action 'self'` would stop a redirect to another site, so the way there starts with
/// a fresh navigation (the response's `Refresh` header, or this link).
pub fn continuing(lang: Language, href: &str) -> String {
    let t = lang.sso();
    let body = html! {
        h1 { (t.continuing_title) }
        p.lead { (t.continuing_body) }
        p { a.button href=(href) { (t.continue_button) } }
    };
    shell(lang, t.continuing_title, None, None, &body)
}

pub fn code(lang: Language, csrf: &str, problems: &Problems) -> String {
    let c = lang.console();
    let body = html! {
        h1 { (c.code_title) }
        p.lead { (c.code_intro) }
        (summary(lang, problems))
        form.stack method="post" action="/sign-in/code" novalidate {
            (csrf_field(csrf))
            (code_field(lang, problems, c.code_or_recovery, c.code_or_recovery_hint, false))
            (submit(c.continue_button))
        }
    };
    shell(lang, c.code_title, None, None, &body)
}

/// The operator's home: every tenant.
pub struct Tenants<'a> {
    pub tenants: &'a [TenantRow],
    pub recovery_left: i64,
}

pub fn tenants(lang: Language, who: &Who<'_>, view: &Tenants<'_>) -> String {
    let c = lang.console();
    // The console has no zone of its own yet: dates are UTC.
    let formats = Formats::new(lang, TimeZone::UTC);
    let body = html! {
        h1 { (c.tenants_title) }
        p.hint { (c.role_operator) ". " (c.recovery_left) " " (view.recovery_left) }
        @if view.tenants.is_empty() {
            p.empty { (c.no_tenants) }
        } @else {
            table.stacked {
                thead { tr { th scope="col" { (c.tenant_name) } th scope="col" { (c.tenant_slug) } th scope="col" { (c.tenant_created) } } }
                tbody {
                    @for tenant in view.tenants {
                        tr {
                            td data-label=(c.tenant_name) { a href={ "/tenants/" (tenant.id) } { (tenant.name) } }
                            td data-label=(c.tenant_slug) { code { (tenant.slug) } }
                            td data-label=(c.tenant_created) { (language::date(formats, Timestamp::from_millis(tenant.created_at))) }
                        }
                    }
                }
            }
        }
    };
    shell(lang, c.tenants_title, Some("/"), Some(who), &body)
}

/// A form that adds one thing typed in one text field (a customer, a unit, a domain, a
/// registration list entry): the field, with what was typed kept when it was refused.
pub(super) struct OneField<'a> {
    pub action: &'a str,
    pub name: &'a str,
    pub label: &'a str,
    pub hint: Option<&'a str>,
    pub max_chars: usize,
    /// A name or address typed as is: no spell check, no capital first letter.
    pub verbatim: bool,
    pub typed: &'a str,
    pub button: &'a str,
}

pub(super) fn one_field_form(lang: Language, csrf: &str, problems: &Problems, form: &OneField<'_>) -> Markup {
    html! {
        form.stack method="post" action=(form.action) novalidate {
            (csrf_field(csrf))
            (field(lang, problems, form.name, form.label, form.hint, |f| html! {
                input #(f.id) type="text" name=(form.name) value=(form.typed) required maxlength=(form.max_chars)
                    autocomplete="off" spellcheck=[form.verbatim.then_some("false")] autocapitalize=[form.verbatim.then_some("none")]
                    aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
            }))
            (submit(form.button))
        }
    }
}

/// A secret or link made just now and shown this once (the page answers the POST that made
/// it, so it is in no URL): a read-only field to select, and a copy button the console's
/// script shows (it stays hidden without script).
pub(super) struct ShownOnce<'a> {
    pub notice: &'a str,
    /// The field's id, which the button names.
    pub id: &'a str,
    pub label: &'a str,
    pub hint: &'a str,
    pub value: &'a str,
    pub copy: &'a str,
    pub copied: &'a str,
}

pub(super) fn shown_once(lang: Language, shown: &ShownOnce<'_>) -> Markup {
    html! {
        div.new-link {
            p.notice role="status" { (shown.notice) }
            (copy_field(lang, (shown.id, shown.label, Some(shown.hint)), shown.value, (shown.copy, shown.copied)))
        }
    }
}

/// What a removal asks behind its disclosure: the disclosure's words, what removing does,
/// and the button's words.
pub(super) struct Removal<'a> {
    pub summary: &'a str,
    pub hint: &'a str,
    pub button: &'a str,
}

/// A removal behind a `<details>` disclosure, so it takes a deliberate second step without
/// script: a form posting to `action` with the version of what it removes.
pub(super) fn removal(csrf: &str, action: &str, version: i64, words: &Removal<'_>) -> Markup {
    html! {
        details.removal {
            summary { (words.summary) }
            p { (words.hint) }
            form method="post" action=(action) {
                (csrf_field(csrf))
                input type="hidden" name="version" value=(version);
                button.secondary type="submit" { (words.button) }
            }
        }
    }
}

/// A read-only field (`id`, its label and hint) holding `value`, and its copy button (the
/// button's words, and its status once copied), which the console's script shows.
pub(super) fn copy_field(
    lang: Language,
    (id, label, hint): (&str, &str, Option<&str>),
    value: &str,
    (copy, copied): (&str, &str),
) -> Markup {
    html! {
        (field(lang, &Problems::default(), id, label, hint, |f| html! {
            input #(f.id) type="text" value=(value) readonly aria-describedby=[f.described_by.as_deref()];
        }))
        p.actions {
            button.button type="button" hidden data-copy=(id) data-copied=(copied) { (copy) }
            span.copied role="status" {}
        }
    }
}

/// The tabs of a tenant's pages.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TenantTab {
    Customers,
    Portals,
    Equipment,
    Themes,
    Templates,
    Staff,
    Keys,
    Webhooks,
    Emails,
    Audit,
    Settings,
}

/// The top of a tenant's page: the way back to every tenant (for the operator), its name and
/// its tabs, `here` marked.
pub(super) fn tenant_header(lang: Language, who: &Who<'_>, tenant: &TenantRow, here: TenantTab) -> Markup {
    let c = lang.console();
    let base = format!("/tenants/{}", tenant.id);
    let tabs = [
        (TenantTab::Customers, base.clone(), c.customers_title),
        (TenantTab::Portals, format!("{base}/portals"), c.portals_title),
        (TenantTab::Equipment, format!("{base}/equipment"), lang.equipment().equipment_title),
        (TenantTab::Themes, format!("{base}/themes"), lang.themes().themes_title),
        (TenantTab::Templates, format!("{base}/templates"), lang.templates().templates_title),
        (TenantTab::Staff, format!("{base}/staff"), c.staff_title),
        (TenantTab::Keys, format!("{base}/keys"), lang.keys().keys_title),
        (TenantTab::Webhooks, format!("{base}/webhooks"), lang.deliveries().webhooks_title),
        (TenantTab::Emails, format!("{base}/emails"), lang.deliveries().emails_title),
        (TenantTab::Audit, format!("{base}/audit"), lang.audit().audit_title),
        (TenantTab::Settings, format!("{base}/settings"), lang.tenant_settings().settings_title),
    ];
    html! {
        @if who.operator { p.back { a href="/" { (c.all_tenants) } } }
        h1 { (tenant.name) }
        nav.tabs aria-label=(tenant.name) {
            @for (tab, href, label) in &tabs {
                a href=(href) aria-current=[(*tab == here).then_some("page")] { (label) }
            }
        }
    }
}

/// An error as a console page: what went wrong and the way back.
pub fn error(lang: Language, title: &str, message: &str) -> String {
    let body = html! {
        h1 { (title) }
        p.lead { (message) }
        p { a.button href="/" { (lang.strings().go_home) } }
    };
    shell(lang, title, None, None, &body)
}
