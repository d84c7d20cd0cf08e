//! The customer portal wizard (`views::console_wizard`): each step's answers are checked by
//! the rule `createPortal` runs (`portal_settings::settings`, which only reads), keeping the
//! problems of the fields the step asks for; "Save portal" calls `portal_settings::create`,
//! as `createPortal` does. Nothing is written before it.

use super::sign_in::field;
use super::{Console, Person};
use crate::app::portal_settings::{self as rules, Offer, PortalInput};
use crate::http::{form_fields, Response};
use crate::i18n::{Language, Translations as _};
use crate::runtime::Runtime;
use crate::store::customers::{self, CustomerRow};
use crate::store::templates::{self, TemplateRow};
use crate::store::themes::{self, ThemeRow};
use crate::store::{decode_rows, pipelines, portals, tenants, Database};
use crate::views::console_wizard::{self as view, Answers, Choices, Step, WizardView};
use crate::views::form::Problems;
use porch_types::error::{AppError, FieldError};
use porch_types::ids::{CustomerId, TenantId};
use porch_types::text::Slug;

/// What the wizard's pages read: the tenant, the customer, and what a portal may be given.
struct Reads {
    tenant: tenants::TenantRow,
    customer: CustomerRow,
    templates: Vec<TemplateRow>,
    themes: Vec<ThemeRow>,
    offer: Offer,
}

impl Reads {
    async fn of<R: Runtime>(
        console: &Console<'_, R>,
        tenant: TenantId,
        customer: CustomerId,
    ) -> Result<Reads, AppError> {
        let rows = console
            .rt
            .db()
            .read_batch(vec![
                tenants::get_statement(tenant),
                customers::get_statement(tenant, customer),
                templates::list_statement(tenant),
                themes::usable_statement(tenant),
                pipelines::list_statement(tenant),
            ])
            .await?;
        let mut rows = rows.into_iter();
        let tenant: tenants::TenantRow = decode_rows(rows.next())?.into_iter().next().ok_or(AppError::NotFound)?;
        let customer = decode_rows(rows.next())?.into_iter().next().ok_or(AppError::NotFound)?;
        let templates = decode_rows(rows.next())?;
        let themes = decode_rows(rows.next())?;
        let has_pipeline = !rows.next().unwrap_or_default().is_empty();
        let offer = Offer { plan: tenant.plan_apps, has_pipeline };
        Ok(Reads { tenant, customer, templates, themes, offer })
    }

    /// The answers a new wizard starts from: the customer's name, an address made of it, the
    /// tenant's default template if it has one, else the apps a new portal gets.
    fn first_answers(&self) -> Answers {
        let template = self.templates.iter().find(|t| t.is_default != 0).map(|t| t.id.clone());
        Answers {
            name: self.customer.name.clone(),
            slug: slug_from(&self.customer.name),
            template,
            apps: self.offer.default_apps().codes().into_iter().map(str::to_owned).collect(),
            theme: String::new(),
            start: "/".to_owned(),
        }
    }
}

/// An address made of a name: lower-case ASCII letters and digits, other runs a hyphen.
fn slug_from(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(40).collect();
    slug.trim_end_matches('-').to_owned()
}

/// The answers in `pairs` (a step's query, or the review's form). The set-up step's form
/// ticks apps as one `app` field each; every other form carries them as `apps`.
fn answers_of(pairs: &[(String, String)], ticked: bool) -> Answers {
    let value = |name: &str| field(pairs, name).trim().to_owned();
    let apps = if ticked {
        pairs.iter().filter(|(name, _)| name == "app").map(|(_, code)| code.clone()).collect()
    } else {
        value("apps").split(',').filter(|code| !code.is_empty()).map(str::to_owned).collect()
    };
    let setup = value("setup");
    Answers {
        name: value("name"),
        slug: value("slug"),
        template: (!setup.is_empty() && setup != "custom").then_some(setup),
        apps,
        theme: value("theme"),
        start: value("start"),
    }
}

/// The body `createPortal` would get for these answers: a template decides apps, theme and
/// start page, so they are left out when one is chosen.
fn input_of(answers: &Answers, customer: CustomerId) -> PortalInput {
    let custom = answers.template.is_none();
    PortalInput {
        slug: Some(answers.slug.clone()),
        name: Some(answers.name.clone()),
        customer_id: Some(Some(customer.to_db())),
        setup: Some(if custom { "custom" } else { "template" }.to_owned()),
        template_id: answers.template.clone().map(Some),
        apps: custom.then(|| answers.apps.clone()),
        theme_id: custom.then(|| Some(answers.theme.clone()).filter(|id| !id.is_empty())),
        start_page: custom.then(|| Some(answers.start.clone()).filter(|path| !path.is_empty())),
        ..PortalInput::default()
    }
}

/// Where a problem with one of the API's fields shows on a step's page.
enum Place {
    /// Beside this form field.
    Field(&'static str),
    /// At the top of the form.
    Form,
    /// Not on this step: another step asks for the field.
    Elsewhere,
}

fn place(step: Step, api_field: &str) -> Place {
    match (step, api_field) {
        (Step::Setup, "name") => Place::Field("name"),
        (Step::Setup, "slug") => Place::Field("slug"),
        (Step::Setup, "setup" | "template_id") => Place::Field("setup"),
        (Step::Setup, "apps") => Place::Field("apps"),
        (Step::Branding, "theme_id") => Place::Field("theme"),
        (Step::StartPage, "start_page") => Place::Field("start"),
        (Step::Setup, "customer_id") | (Step::Review, _) => Place::Form,
        _ => Place::Elsewhere,
    }
}

/// The shared rule's refusals (in the API's English) that `step` shows, each where it shows.
fn placed(step: Step, errors: Vec<FieldError>) -> Problems {
    let mut problems = Problems::default();
    for error in errors {
        match place(step, &error.field) {
            Place::Field(on) => problems.add_written(Some(on), error.message, Language::En),
            Place::Form => problems.add_written(None, error.message, Language::En),
            Place::Elsewhere => {}
        }
    }
    problems
}

/// The problems of `step`'s answers, by the rule `createPortal` runs (written in the API's
/// English), and, on the set-up step, an address another portal has.
async fn problems_of<R: Runtime>(
    console: &Console<'_, R>,
    (tenant, customer): (TenantId, CustomerId),
    step: Step,
    answers: &Answers,
) -> Result<Problems, AppError> {
    // The answers never set what a template decides beside the template, so the rule refuses
    // them field by field only.
    let mut problems = match rules::settings(console.rt, tenant, input_of(answers, customer), None).await {
        Ok(_) => Problems::default(),
        Err(AppError::Invalid(errors)) => placed(step, errors),
        Err(err) => return Err(err),
    };
    if step == Step::Setup && problems.on("slug").is_none() {
        if let Ok(slug) = Slug::parse(&answers.slug) {
            if portals::slug_exists(console.rt.db(), &slug).await? {
                problems.add("slug", console.lang.wizard().address_taken);
            }
        }
    }
    Ok(problems)
}

fn ids(raw_tenant: &str, raw_customer: &str) -> Option<(TenantId, CustomerId)> {
    Some((TenantId::parse(raw_tenant)?, CustomerId::parse(raw_customer)?))
}

/// The signed-in person, if they may set up portals for `tenant`.
fn setter_up<'c, R: Runtime>(console: &'c Console<'_, R>, tenant: TenantId) -> Result<Person<'c>, AppError> {
    let person = console.person_for(tenant)?;
    if person.role.can_change_settings() {
        Ok(person)
    } else {
        Err(AppError::Forbidden)
    }
}

fn draw<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    reads: &Reads,
    (step, answers, then_review): (Step, &Answers, bool),
    status: u16,
    problems: &Problems,
) -> Result<Response, AppError> {
    let csrf = console.csrf_token()?;
    let who = console.who(person.session, &csrf);
    let choices = Choices { templates: &reads.templates, themes: &reads.themes, apps: reads.offer.offered() };
    let page = WizardView {
        tenant: &reads.tenant,
        customer: &reads.customer,
        step,
        answers,
        choices: &choices,
        base_domain: console.rt.config().portal_base_domain.as_str(),
        problems,
        then_review,
    };
    Ok(console.with_csrf(Response::html(status, view::page(console.lang, &who, &page)), &csrf))
}

/// A step, with the answers of its query. Sent with `continue`, the step's answers are
/// checked: with problems the step comes back saying them; without, the next step opens.
pub async fn step<R: Runtime>(
    console: &Console<'_, R>,
    (raw_tenant, raw_customer, raw_step): (&str, &str, &str),
) -> Result<Response, AppError> {
    let (tenant, customer) = ids(raw_tenant, raw_customer).ok_or(AppError::NotFound)?;
    let step = Step::parse(raw_step).ok_or(AppError::NotFound)?;
    let person = setter_up(console, tenant)?;
    let reads = Reads::of(console, tenant, customer).await?;
    let pairs = form_fields(console.req.query.as_bytes())
        .ok_or_else(|| AppError::BadRequest("the address is not valid".into()))?;
    let sent = pairs.iter().any(|(name, _)| name == "continue");
    let then_review = pairs.iter().any(|(name, value)| name == "then" && value == "review");
    if !sent && !pairs.iter().any(|(name, _)| name == "setup") {
        return draw(console, &person, &reads, (step, &reads.first_answers(), false), 200, &Problems::default());
    }
    let answers = answers_of(&pairs, sent && step == Step::Setup);
    if !sent && step != Step::Review {
        return draw(console, &person, &reads, (step, &answers, then_review), 200, &Problems::default());
    }
    let problems = problems_of(console, (tenant, customer), step, &answers).await?;
    if problems.is_empty() && sent {
        let next = if then_review { Step::Review } else { step.next() };
        return Ok(Response::see_other(&format!(
            "/tenants/{tenant}/customers/{customer}/new-portal/{}?{}",
            next.segment(),
            answers.query()
        )));
    }
    let status = if problems.is_empty() { 200 } else { 422 };
    draw(console, &person, &reads, (step, &answers, then_review), status, &problems)
}

/// "Save portal": the answers, as `createPortal` takes them; then the customer's profile,
/// where the first admin's link is made.
pub async fn save<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_customer: &str,
) -> Result<Response, AppError> {
    let (tenant, customer) = ids(raw_tenant, raw_customer).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let answers = answers_of(&console.form_if(person.role.can_change_settings())?, false);
    let (status, problems) =
        match rules::create(console.rt, tenant, &person.acting().actor, input_of(&answers, customer)).await {
            Ok(_) => {
                return Ok(Response::see_other(&format!(
                    "/tenants/{tenant}/customers/{customer}?done=portal#customer-portal"
                )));
            }
            Err(AppError::Invalid(errors)) => (422, placed(Step::Review, errors)),
            // An address taken since the first step, or a template changed meanwhile.
            Err(AppError::Conflict(message)) => {
                let mut problems = Problems::default();
                problems.add_written(None, message, Language::En);
                (409, problems)
            }
            Err(err) => return Err(err),
        };
    let reads = Reads::of(console, tenant, customer).await?;
    draw(console, &person, &reads, (Step::Review, &answers, false), status, &problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_made_of_a_name_in_lower_case_letters_digits_and_single_hyphens() {
        assert_eq!(slug_from("Globex Corporation"), "globex-corporation");
        assert_eq!(slug_from("  A/S Hansen & Søn  "), "a-s-hansen-s-n");
        assert_eq!(slug_from("***"), "");
    }

    #[test]
    fn a_template_decides_the_apps_theme_and_start_page_so_the_body_leaves_them_out() {
        let customer = CustomerId::from_random([7; 16]);
        let answers = Answers {
            name: "Globex".into(),
            slug: "globex".into(),
            template: Some("tpl".into()),
            apps: vec!["tickets".into()],
            theme: "theme".into(),
            start: "/tickets".into(),
        };
        let input = input_of(&answers, customer);
        assert_eq!(input.template_id, Some(Some("tpl".into())));
        assert!(input.apps.is_none() && input.theme_id.is_none() && input.start_page.is_none());
        let custom = input_of(&Answers { template: None, theme: String::new(), ..answers }, customer);
        assert_eq!(custom.setup.as_deref(), Some("custom"));
        assert_eq!(custom.apps, Some(vec!["tickets".to_owned()]));
        assert_eq!(custom.theme_id, Some(None));
        assert_eq!(custom.start_page, Some(Some("/tickets".into())));
    }

    #[test]
    fn the_set_up_steps_ticked_apps_are_read_from_their_own_fields_and_the_others_from_one() {
        let pairs: Vec<(String, String)> = [("app", "tickets"), ("app", "documents"), ("apps", "equipment")]
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect();
        assert_eq!(answers_of(&pairs, true).apps, ["tickets", "documents"]);
        assert_eq!(answers_of(&pairs, false).apps, ["equipment"]);
    }
}
