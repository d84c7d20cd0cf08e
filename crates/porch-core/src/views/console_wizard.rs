//! The customer portal wizard's pages, Trackunit's steps: set-up (a template, or apps of the
//! provider's choosing) -> branding (the theme) -> start page -> check your answers. Every
//! step is a form sent with GET, carrying the answers so far (nothing is kept between steps
//! on the server, and the browser's back button works); only "Save portal" on the last
//! page is a POST.

use maud::{html, Markup};

use super::console::{shell, tenant_header, TenantTab, Who};
use super::form::{csrf_field, field, submit, summary, Problems};
use super::layout::app_entry;
use crate::i18n::{Language, Translations as _, WizardStrings};
use crate::store::customers::CustomerRow;
use crate::store::templates::TemplateRow;
use crate::store::tenants::TenantRow;
use crate::store::themes::ThemeRow;
use porch_types::apps::AppSet;
use porch_types::setup::StartPage;

/// The wizard's steps, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Setup,
    Branding,
    StartPage,
    Review,
}

impl Step {
    pub const ALL: [Step; 4] = [Step::Setup, Step::Branding, Step::StartPage, Step::Review];

    /// The step of a path segment.
    pub fn parse(raw: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|step| step.segment() == raw)
    }

    pub fn segment(self) -> &'static str {
        match self {
            Step::Setup => "setup",
            Step::Branding => "branding",
            Step::StartPage => "start-page",
            Step::Review => "review",
        }
    }

    fn title(self, w: &WizardStrings) -> &'static str {
        match self {
            Step::Setup => w.step_setup,
            Step::Branding => w.step_branding,
            Step::StartPage => w.step_start,
            Step::Review => w.step_review,
        }
    }

    fn number(self) -> usize {
        Step::ALL.iter().position(|step| *step == self).map_or(1, |i| i + 1)
    }

    #[must_use]
    pub fn next(self) -> Step {
        Step::ALL.get(self.number()).copied().unwrap_or(Step::Review)
    }

    fn previous(self) -> Option<Step> {
        self.number().checked_sub(2).and_then(|i| Step::ALL.get(i).copied())
    }
}

/// The answers so far, raw as given: the wizard checks them with the API's rules, step by
/// step, and carries them in its forms' hidden fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answers {
    pub name: String,
    pub slug: String,
    /// The template to follow; None: a custom set-up.
    pub template: Option<String>,
    /// App codes, for a custom set-up.
    pub apps: Vec<String>,
    /// A theme id; empty: porch's standard look.
    pub theme: String,
    /// The start page's path.
    pub start: String,
}

impl Answers {
    /// The answers as form fields (`setup` is "custom" or the template's id; `apps` one
    /// comma-separated field, since a form may not repeat one).
    pub fn fields(&self) -> [(&'static str, String); 6] {
        [
            ("name", self.name.clone()),
            ("slug", self.slug.clone()),
            ("setup", self.template.clone().unwrap_or_else(|| "custom".to_owned())),
            ("apps", self.apps.join(",")),
            ("theme", self.theme.clone()),
            ("start", self.start.clone()),
        ]
    }

    /// The query string that opens a step with these answers.
    pub fn query(&self) -> String {
        let pairs: Vec<String> = self
            .fields()
            .iter()
            .map(|(name, value)| format!("{name}={}", porch_types::percent::percent_encode(value, b",/")))
            .collect();
        pairs.join("&")
    }
}

/// What the tenant offers a new portal.
pub struct Choices<'a> {
    pub templates: &'a [TemplateRow],
    /// Its own themes, then its parent's.
    pub themes: &'a [ThemeRow],
    /// The apps of its plan that a portal may be given now.
    pub apps: AppSet,
}

impl Choices<'_> {
    fn template(&self, id: &str) -> Option<&TemplateRow> {
        self.templates.iter().find(|t| t.id == id)
    }

    fn theme(&self, id: &str) -> Option<&ThemeRow> {
        self.themes.iter().find(|t| t.id == id)
    }
}

/// One page of the wizard.
pub struct WizardView<'a> {
    pub tenant: &'a TenantRow,
    pub customer: &'a CustomerRow,
    pub step: Step,
    pub answers: &'a Answers,
    pub choices: &'a Choices<'a>,
    /// The platform's base domain: a portal opens at `<slug>.<base>`.
    pub base_domain: &'a str,
    pub problems: &'a Problems,
    /// The step was opened from the answers' "Change": continuing goes back to them.
    pub then_review: bool,
}

impl WizardView<'_> {
    fn profile(&self) -> String {
        format!("/tenants/{}/customers/{}", self.tenant.id, self.customer.id)
    }

    fn step_href(&self, step: Step) -> String {
        format!("{}/new-portal/{}?{}", self.profile(), step.segment(), self.answers.query())
    }

    /// The template the answers follow, if any.
    fn template(&self) -> Option<&TemplateRow> {
        self.answers.template.as_deref().and_then(|id| self.choices.template(id))
    }
}

/// The hidden fields carrying every answer but those `except` names (the step's own).
fn carried(answers: &Answers, except: &[&str]) -> Markup {
    html! {
        @for (name, value) in answers.fields().iter().filter(|(name, _)| !except.contains(name)) {
            input type="hidden" name=(name) value=(value);
        }
    }
}

/// "Step 2 of 4" and the list of steps, this one marked.
fn progress(w: &WizardStrings, here: Step) -> Markup {
    html! {
        nav aria-label=(w.progress) {
            ol.steps {
                @for step in Step::ALL {
                    li aria-current=[(step == here).then_some("step")] { (step.title(w)) }
                }
            }
        }
    }
}

/// A radio in a group whose first radio carries the group's id (for the error summary).
pub(super) fn radio(name: &str, i: usize, value: &str, checked: bool, label: &Markup, hint: Option<&str>) -> Markup {
    let id = if i == 0 { name.to_owned() } else { format!("{name}-{i}") };
    let hint_id = format!("{id}-hint");
    html! {
        div.check {
            input #(id) type="radio" name=(name) value=(value) checked[checked]
                aria-describedby=[hint.map(|_| hint_id.as_str())];
            label for=(id) {
                (label)
                @if let Some(hint) = hint { span.hint id=(hint_id) { (hint) } }
            }
        }
    }
}

/// A fieldset of choices with its legend, intro and inline error (`name`'s).
pub(super) fn choice_group(
    lang: Language,
    problems: &Problems,
    name: &str,
    legend: &str,
    hint: Option<&str>,
    body: &Markup,
) -> Markup {
    let error = problems.on(name);
    let error_id = format!("{name}-error");
    let hint_id = format!("{name}-legend-hint");
    let described: Vec<&str> =
        [hint.map(|_| hint_id.as_str()), error.as_ref().map(|_| error_id.as_str())].into_iter().flatten().collect();
    html! {
        fieldset.field.field-error[error.is_some()] aria-describedby=[(!described.is_empty()).then(|| described.join(" "))] {
            legend { (legend) }
            @if let Some(hint) = hint { span.hint id=(hint_id) { (hint) } }
            @if let Some(error) = &error {
                p.error-message id=(error_id) {
                    span.visually-hidden { (lang.strings().error_prefix) " " } (error)
                }
            }
            (body)
        }
    }
}

fn setup_fields(lang: Language, view: &WizardView<'_>) -> Markup {
    let w = lang.wizard();
    let answers = view.answers;
    let setup = html! {
        (radio("setup", 0, "custom", answers.template.is_none(), &html! { (w.setup_custom) }, Some(w.setup_custom_hint)))
        @for (i, template) in view.choices.templates.iter().enumerate() {
            (radio("setup", i + 1, &template.id, answers.template.as_deref() == Some(template.id.as_str()), &html! {
                ((w.setup_template)(&template.name))
                @if template.is_default != 0 { " (" (w.default_template) ")" }
            }, (!template.description.is_empty()).then_some(template.description.as_str())))
        }
    };
    let apps = html! {
        @for (i, app) in view.choices.apps.iter().enumerate() {
            @let id = if i == 0 { "apps".to_owned() } else { format!("apps-{}", app.code()) };
            div.check {
                input #(id) type="checkbox" name="app" value=(app.code()) checked[answers.apps.iter().any(|a| a == app.code())];
                label for=(id) { (app_entry(lang, app).label) }
            }
        }
    };
    html! {
        (field(lang, view.problems, "name", w.portal_name, None, |f| html! {
            input #(f.id) type="text" name="name" value=(answers.name) required maxlength="120" autocomplete="off"
                aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
        }))
        (field(lang, view.problems, "slug", w.portal_address, Some(&(w.address_hint)(view.base_domain)), |f| html! {
            input #(f.id) type="text" name="slug" value=(answers.slug) required maxlength="63" autocomplete="off"
                spellcheck="false" autocapitalize="none"
                aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
        }))
        (choice_group(lang, view.problems, "setup", w.setup_legend, None, &setup))
        (choice_group(lang, view.problems, "apps", w.apps_legend, Some(w.apps_hint), &apps))
    }
}

/// What a template decides instead of this step.
fn decided(w: &WizardStrings, template: &TemplateRow) -> Markup {
    html! { p.notice { ((w.decided_by_template)(&template.name)) } }
}

fn branding_fields(lang: Language, view: &WizardView<'_>) -> Markup {
    match view.template() {
        Some(template) => decided(lang.wizard(), template),
        None => theme_choice(lang, view.problems, (view.choices.themes, &view.tenant.id), &view.answers.theme),
    }
}

/// The theme radios: porch's look, then the tenant's themes (`themes`, of `tenant`) and its
/// parent's; `chosen` a theme id, empty for porch's look.
pub(super) fn theme_choice(
    lang: Language,
    problems: &Problems,
    (themes, tenant): (&[ThemeRow], &str),
    chosen: &str,
) -> Markup {
    let w = lang.wizard();
    let radios = html! {
        (radio("theme", 0, "", chosen.is_empty(), &html! { (w.theme_default) }, Some(w.theme_default_hint)))
        @for (i, theme) in themes.iter().enumerate() {
            @let parents = theme.tenant_id != tenant;
            @let colours = (w.theme_colours)(&theme.primary_color, &theme.menu_color);
            (radio("theme", i + 1, &theme.id, chosen == theme.id, &html! {
                (theme.name)
                @if parents { " (" (w.theme_of_parent) ")" }
            }, Some(&colours)))
        }
    };
    choice_group(lang, problems, "theme", w.theme_legend, None, &radios)
}

/// A checkbox per app of `apps`, named `app-<code>`; the first carries `group`, the id
/// the error summary points at.
pub(super) fn app_boxes(lang: Language, group: &str, apps: AppSet, ticked: AppSet) -> Markup {
    html! {
        @for (i, app) in apps.iter().enumerate() {
            @let name = format!("app-{}", app.code());
            @let id = if i == 0 { group.to_owned() } else { name.clone() };
            div.check {
                input #(id) type="checkbox" name=(name) value="yes" checked[ticked.contains(app)];
                label for=(id) { (app_entry(lang, app).label) }
            }
        }
    }
}

/// The apps the answers give the portal: the template's, or those ticked.
fn chosen_apps(view: &WizardView<'_>) -> AppSet {
    match view.template() {
        Some(template) => template.apps,
        None => AppSet::parse_codes(&view.answers.apps).unwrap_or(AppSet::EMPTY),
    }
}

fn start_fields(lang: Language, view: &WizardView<'_>) -> Markup {
    match view.template() {
        Some(template) => decided(lang.wizard(), template),
        None => start_choice(lang, view.problems, chosen_apps(view), &view.answers.start),
    }
}

/// The start page radios: the home page, or one of `apps`' pages; `chosen` a path.
pub(super) fn start_choice(lang: Language, problems: &Problems, apps: AppSet, chosen: &str) -> Markup {
    let w = lang.wizard();
    // A start page whose app was since unticked is no choice: the home page is chosen instead.
    let start = StartPage::parse(chosen, apps).unwrap_or_default();
    let pages = html! {
        (radio("start", 0, "/", start == StartPage::HOME, &html! { (w.start_home) }, None))
        @for (i, app) in apps.iter().enumerate() {
            @let page = StartPage::of(app);
            (radio("start", i + 1, page.path(), start == page, &html! { (app_entry(lang, app).label) }, None))
        }
    };
    choice_group(lang, problems, "start", w.start_legend, None, &pages)
}

/// A row of the answers: what, the answer, and the way back to the step that asked.
fn answer_row(w: &WizardStrings, view: &WizardView<'_>, label: &str, value: &Markup, step: Step) -> Markup {
    html! {
        div {
            dt { (label) }
            dd { (value) }
            // A change made from the answers comes back to them (`then=review`).
            dd.change { a href={ (view.step_href(step)) "&then=review" } { (w.change) span.visually-hidden { " " (label) } } }
        }
    }
}

fn review_fields(lang: Language, view: &WizardView<'_>) -> Markup {
    let w = lang.wizard();
    let answers = view.answers;
    let template = view.template();
    let apps = chosen_apps(view);
    let theme = match template {
        Some(template) => template.theme_id.as_deref(),
        None => Some(answers.theme.as_str()).filter(|id| !id.is_empty()),
    };
    let start = match template {
        Some(template) => template.start_page.clone(),
        None if answers.start.is_empty() => "/".to_owned(),
        None => answers.start.clone(),
    };
    let start_label = StartPage::parse(&start, AppSet::all())
        .ok()
        .and_then(StartPage::app)
        .map_or(w.start_home, |app| app_entry(lang, app).label);
    html! {
        dl.answers {
            (answer_row(w, view, w.portal_name, &html! { (answers.name) }, Step::Setup))
            (answer_row(w, view, w.portal_address, &html! { code { (answers.slug) "." (view.base_domain) } }, Step::Setup))
            (answer_row(w, view, w.setup_legend, &html! {
                @match template {
                    Some(template) => ((w.template_setup)(&template.name)),
                    None => (w.custom_setup),
                }
            }, Step::Setup))
            (answer_row(w, view, w.apps_legend, &html! {
                @if apps.is_empty() { (w.no_apps) } @else {
                    @for (i, app) in apps.iter().enumerate() { @if i > 0 { ", " } (app_entry(lang, app).label) }
                }
            }, Step::Setup))
            (answer_row(w, view, w.theme_legend, &html! {
                @match theme.and_then(|id| view.choices.theme(id)) {
                    Some(theme) => (theme.name),
                    None => (w.theme_default),
                }
            }, Step::Branding))
            (answer_row(w, view, w.start_legend, &html! { (start_label) }, Step::StartPage))
        }
    }
}

pub fn page(lang: Language, who: &Who<'_>, view: &WizardView<'_>) -> String {
    let w = lang.wizard();
    let step = view.step;
    let action = format!("{}/new-portal/{}", view.profile(), step.segment());
    let decided = view.template().is_some();
    let body = html! {
        (tenant_header(lang, who, view.tenant, TenantTab::Customers))
        p.back { a href=(view.profile()) { ((w.back_to)(&view.customer.name)) } }
        p.caption { ((w.step_of)(step.number(), Step::ALL.len())) " · " (w.wizard_title) }
        h2 { (step.title(w)) }
        (progress(w, step))
        (summary(lang, view.problems))
        @match step {
            Step::Review => {
                p.lead { (w.review_intro) }
                (review_fields(lang, view))
                form.stack method="post" action={ (view.profile()) "/new-portal" } {
                    (csrf_field(who.csrf))
                    (carried(view.answers, &[]))
                    (submit(w.save_portal))
                }
            }
            _ => {
                form.stack method="get" action=(action) novalidate {
                    @if view.then_review { input type="hidden" name="then" value="review"; }
                    @match step {
                        Step::Setup => {
                            p.lead { (w.setup_intro) }
                            (carried(view.answers, &["name", "slug", "setup", "apps"]))
                            (setup_fields(lang, view))
                        }
                        // Where a template decides the step, its earlier answer is carried on
                        // untouched, for a return to a custom set-up.
                        Step::Branding => {
                            p.lead { (w.branding_intro) }
                            (carried(view.answers, if decided { &[] } else { &["theme"] }))
                            (branding_fields(lang, view))
                        }
                        _ => {
                            p.lead { (w.start_intro) }
                            (carried(view.answers, if decided { &[] } else { &["start"] }))
                            (start_fields(lang, view))
                        }
                    }
                    div.actions {
                        button.button type="submit" name="continue" value="1" { (w.continue_button) }
                    }
                }
            }
        }
        @if let Some(previous) = step.previous() {
            p { a href=(view.step_href(previous)) { (w.previous_step) } }
        }
    };
    let title = format!("{} · {} · {}", step.title(w), w.wizard_title, view.customer.name);
    shell(lang, &title, None, Some(who), &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_steps_follow_one_another_and_parse_from_their_segments() {
        assert_eq!(Step::Setup.next(), Step::Branding);
        assert_eq!(Step::StartPage.next(), Step::Review);
        assert_eq!(Step::Review.next(), Step::Review);
        assert_eq!(Step::Setup.previous(), None);
        assert_eq!(Step::Review.previous(), Some(Step::StartPage));
        for step in Step::ALL {
            assert_eq!(Step::parse(step.segment()), Some(step));
        }
        assert_eq!(Step::parse("done"), None);
    }

    #[test]
    fn answers_travel_in_a_query_that_keeps_commas_and_slashes_readable() {
        let answers = Answers {
            name: "Globex & Co".into(),
            slug: "globex".into(),
            template: None,
            apps: vec!["tickets".into(), "documents".into()],
            theme: String::new(),
            start: "/documents".into(),
        };
        assert_eq!(
            answers.query(),
            "name=Globex%20%26%20Co&slug=globex&setup=custom&apps=tickets,documents&theme=&start=/documents"
        );
    }
}
