//! What is wrong with a submitted form, shown the GOV.UK Design System's way: a summary at the
//! top of the form linking to each field, and the message again beside its field, which says
//! it is invalid and names its hint and message as its description. Every recipient form uses
//! these, so a problem reads the same wherever it happens; the fields every account form has
//! (CSRF token, email, new password, submit) are here too, for the portal and the console.

use maud::{html, Markup};

use crate::i18n::{Language, Translations as _};

/// One problem: the field it belongs to (its `name`, also its element id), or None for the
/// form as a whole, and what is wrong in the reader's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub field: Option<String>,
    pub message: String,
    /// The message's language when it may not be the page's: the admin API's rules speak
    /// English, and a Danish page must say so (WCAG 3.1.2, language of parts).
    pub written: Option<Language>,
}

/// The problems of one submission, in the order the fields appear.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Problems(Vec<Problem>);

impl Problems {
    /// A submission with one problem of `field`.
    pub fn of(field: &str, message: impl Into<String>) -> Problems {
        let mut problems = Problems::default();
        problems.add(field, message);
        problems
    }

    /// A submission with one problem of the whole form (no field to point at).
    pub fn general(message: impl Into<String>) -> Problems {
        Problems(vec![Problem { field: None, message: message.into(), written: None }])
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(Problem { field: Some(field.to_owned()), message: message.into(), written: None });
    }

    /// A problem of `field` (None: the whole form) in `written`, not the page's language.
    pub fn add_written(&mut self, field: Option<&str>, message: impl Into<String>, written: Language) {
        self.0.push(Problem { field: field.map(str::to_owned), message: message.into(), written: Some(written) });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Problem> {
        self.0.iter()
    }

    /// The messages of `field`, joined: what its inline error says.
    pub fn on(&self, field: &str) -> Option<String> {
        let messages: Vec<&str> =
            self.0.iter().filter(|p| p.field.as_deref() == Some(field)).map(|p| p.message.as_str()).collect();
        (!messages.is_empty()).then(|| messages.join(" "))
    }

    /// The language `field`'s messages are written in, when one of them is not the page's.
    fn written_on(&self, field: &str) -> Option<Language> {
        self.0.iter().filter(|p| p.field.as_deref() == Some(field)).find_map(|p| p.written)
    }
}

/// A message, marked with its language when it is not the page's.
fn message(page: Language, text: &str, written: Option<Language>) -> Markup {
    html! {
        @match written.filter(|written| *written != page) {
            Some(written) => span lang=(written.code()) { (text) },
            None => (text),
        }
    }
}

/// The box at the top of a form: "There is a problem" and a link to each field that has one.
/// `role="alert"` has screen readers read it when the page comes back with it.
pub fn summary(lang: Language, problems: &Problems) -> Markup {
    html! {
        @if !problems.is_empty() {
            div.error-summary role="alert" aria-labelledby="error-summary-title" {
                h2 #error-summary-title { (lang.strings().problem_title) }
                ul {
                    @for problem in problems.iter() {
                        li {
                            @if let Some(field) = &problem.field {
                                a href={ "#" (field) } { (message(lang, &problem.message, problem.written)) }
                            } @else {
                                (message(lang, &problem.message, problem.written))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What a field's control carries so it is described by its hint and error: its id (the
/// field's name), `aria-describedby` and `aria-invalid`.
pub struct Control<'a> {
    pub id: &'a str,
    pub described_by: Option<String>,
    pub invalid: Option<&'static str>,
}

/// A labelled field: label, hint, the inline error, then the control `control` draws with
/// the given `Control` attributes. The label is text, or markup naming its language
/// (`views::language::foreign`) when the provider wrote it in another.
pub fn field(
    lang: Language,
    problems: &Problems,
    name: &str,
    label: impl maud::Render,
    hint: Option<&str>,
    control: impl FnOnce(&Control<'_>) -> Markup,
) -> Markup {
    let error = problems.on(name);
    let hint_id = format!("{name}-hint");
    let error_id = format!("{name}-error");
    let described: Vec<&str> =
        [hint.map(|_| hint_id.as_str()), error.as_ref().map(|_| error_id.as_str())].into_iter().flatten().collect();
    let attrs = Control {
        id: name,
        described_by: (!described.is_empty()).then(|| described.join(" ")),
        invalid: error.is_some().then_some("true"),
    };
    html! {
        div.field.field-error[error.is_some()] {
            label for=(name) { (label) }
            @if let Some(hint) = hint { span.hint id=(hint_id) { (hint) } }
            @if let Some(error) = &error {
                p.error-message id=(error_id) {
                    span.visually-hidden { (lang.strings().error_prefix) " " } (message(lang, error, problems.written_on(name)))
                }
            }
            (control(&attrs))
        }
    }
}

/// The hidden field carrying a form's CSRF token (`auth::csrf`).
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name=(crate::auth::csrf::FIELD) value=(token); }
}

/// A form's email field, keeping what was typed.
pub fn email_field(lang: Language, problems: &Problems, value: &str, autocomplete: &str) -> Markup {
    field(lang, problems, "email", lang.account().email, None, |c| {
        html! {
            input #(c.id) type="email" name="email" value=(value) autocomplete=(autocomplete) required
                aria-describedby=[c.described_by.as_deref()] aria-invalid=[c.invalid];
        }
    })
}

/// A field for a new password, with the rule as its hint.
pub fn new_password_field(lang: Language, problems: &Problems, label: &str) -> Markup {
    field(lang, problems, "password", label, Some(lang.account().password_hint), |c| {
        html! {
            input #(c.id) type="password" name="password" autocomplete="new-password" minlength="10" maxlength="256" required
                aria-describedby=[c.described_by.as_deref()] aria-invalid=[c.invalid];
        }
    })
}

/// A form's one submit button.
pub fn submit(label: &str) -> Markup {
    html! { div.actions { button.button type="submit" { (label) } } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_in_another_language_than_the_page_says_which_in_the_summary_and_beside_its_field() {
        let mut problems = Problems::default();
        problems.add_written(Some("idle"), "must be between 5 and 10080", Language::En);
        problems.add_written(None, "the template changed", Language::En);
        let summary = summary(Language::Da, &problems).into_string();
        assert!(
            summary.contains(r##"<a href="#idle"><span lang="en">must be between 5 and 10080</span></a>"##),
            "{summary}"
        );
        assert!(summary.contains(r#"<span lang="en">the template changed</span>"#), "{summary}");
        let html =
            field(Language::Da, &problems, "idle", "Minutter", None, |c| html! { input id=(c.id); }).into_string();
        assert!(html.contains(r#"<span lang="en">must be between 5 and 10080</span>"#), "{html}");
        // On an English page the same words need no mark.
        assert!(!summary_of_english(&problems).contains("lang="));
    }

    fn summary_of_english(problems: &Problems) -> String {
        summary(Language::En, problems).into_string()
    }

    #[test]
    fn a_field_with_a_problem_is_described_by_its_hint_and_message() {
        let problems = Problems::of("email", "Enter a valid email address");
        let html = field(Language::En, &problems, "email", "Email", Some("We send the link there"), |c| {
            html! { input id=(c.id) name="email" aria-describedby=[c.described_by.as_deref()] aria-invalid=[c.invalid]; }
        })
        .into_string();
        assert!(html.contains(r#"aria-describedby="email-hint email-error""#), "{html}");
        assert!(html.contains(r#"aria-invalid="true""#), "{html}");
        assert!(html.contains(r#"<p class="error-message" id="email-error">"#), "{html}");
    }

    #[test]
    fn the_summary_links_each_problem_to_its_field() {
        let mut problems = Problems::of("name", "Enter your name");
        problems.add("email", "Enter a valid email address");
        let html = summary(Language::En, &problems).into_string();
        assert!(html.contains(r##"<a href="#name">Enter your name</a>"##), "{html}");
        assert!(html.contains(r##"<a href="#email">"##), "{html}");
        assert!(summary(Language::En, &Problems::default()).into_string().is_empty());
    }
}
