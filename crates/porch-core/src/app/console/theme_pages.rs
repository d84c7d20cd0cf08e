//! The Themes tab (`views::console_themes`): the tenant's themes and its organisation's, and
//! the editor. "Create theme" and "Save theme" call `app::themes` (`create`, `update`), as
//! `createTheme` and `updateTheme` do: the same checks, the same versioned write and audit
//! entry, the same warning before a change reaches several portals. "Preview" and a
//! suggested colour's button only draw the editor again with the draft: nothing is written.

use super::sign_in::{drawn_version, field};
use super::{tenant_of, Console, Person};
use crate::app::themes::{self as rules, ColorsInput, ThemeInput, Updated};
use crate::app::versions::Precondition;
use crate::http::{Request, Response};
use crate::i18n::{Language, Translations as _};
use crate::runtime::Runtime;
use crate::store::portals::{self, PortalRow};
use crate::store::themes::{self, LogoSlot, ThemeRow};
use crate::store::{decode_rows, tenants, Database, Statement};
use crate::theme::{self, ThemeContext};
use crate::views::console_themes::{self as view, Draft, EditorView, ThemesView, COLOURS};
use crate::views::form::Problems;
use porch_types::color::{contrast_report, HexColor, ThemeColors};
use porch_types::error::{entity_tag, AppError, FieldError};
use porch_types::ids::{TenantId, ThemeId};
use porch_types::logo::{Logo, LogoFormat};

/// The Themes tab's reads: the tenant, the themes it may use, and how its portals use them.
pub fn list_reads(raw: &str) -> Vec<Statement> {
    TenantId::parse(raw)
        .map(|tenant| {
            vec![tenants::get_statement(tenant), themes::usable_statement(tenant), themes::uses_statement(tenant)]
        })
        .unwrap_or_default()
}

pub fn list<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant_id = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant_id)?;
    let mut rows = console.prefetched.clone().into_iter();
    let tenant = tenant_of(&mut rows)?;
    let usable: Vec<ThemeRow> = decode_rows(rows.next())?;
    let uses: Vec<themes::ThemeUse> = decode_rows(rows.next())?;
    let (own, shared): (Vec<ThemeRow>, Vec<ThemeRow>) = usable.into_iter().partition(|t| t.tenant_id == tenant.id);
    let own: Vec<(ThemeRow, i64)> = own
        .into_iter()
        .map(|theme| {
            let count = uses.iter().find(|u| u.theme_id == theme.id).map_or(0, |u| u.portals);
            (theme, count)
        })
        .collect();
    let csrf = console.csrf_token()?;
    let who = console.who(person.session, &csrf);
    let notice =
        (console.req.query_param("done").as_deref() == Some("deleted")).then_some(console.lang.themes().theme_deleted);
    let page =
        ThemesView { tenant: &tenant, own: &own, shared: &shared, editable: person.role.can_change_settings(), notice };
    Ok(console.with_csrf(Response::html(200, view::list(console.lang, &who, &page)), &csrf))
}

/// The draft's colours, each that does not parse standing in with porch's own (its problem
/// is the form's to say).
fn colors_of(draft: &Draft) -> ThemeColors {
    let fallback = ThemeContext::fallback().colors;
    let parse =
        |i: usize, default: HexColor| draft.colours.get(i).and_then(|raw| HexColor::parse(raw).ok()).unwrap_or(default);
    ThemeColors {
        primary: parse(0, fallback.primary),
        menu: parse(1, fallback.menu),
        notification: parse(2, fallback.notification),
        background: parse(3, fallback.background),
        text: parse(4, fallback.text),
    }
}

/// What the editor shows besides the draft.
#[derive(Default)]
struct Shown<'a> {
    problems: Problems,
    notice: Option<&'a str>,
    reaches: Option<usize>,
}

/// The editor of `theme` (None: a new one) holding `draft`.
fn draw<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    (tenant, theme, used_on): (&tenants::TenantRow, Option<&ThemeRow>, &[PortalRow]),
    draft: &Draft,
    status: u16,
    shown: &Shown<'_>,
) -> Result<Response, AppError> {
    let colors = colors_of(draft);
    let report = contrast_report(&colors);
    let own = theme.is_none_or(|t| t.tenant_id == tenant.id);
    let csrf = console.csrf_token()?;
    let who = console.who(person.session, &csrf);
    let page = EditorView {
        tenant,
        theme,
        draft,
        colors: &colors,
        report: &report,
        used_on,
        reaches: shown.reaches,
        editable: own && person.role.can_change_settings(),
        problems: &shown.problems,
        notice: shown.notice,
    };
    Ok(console.with_csrf(Response::html(status, view::editor(console.lang, &who, &page)), &csrf))
}

/// The tenant, and the theme of the path it may use (its own or its organisation's) with the
/// portals showing it.
async fn theme_reads<R: Runtime>(
    console: &Console<'_, R>,
    tenant: TenantId,
    raw_theme: &str,
) -> Result<(tenants::TenantRow, ThemeRow, Vec<PortalRow>), AppError> {
    let id = ThemeId::parse(raw_theme).ok_or(AppError::NotFound)?;
    let mut rows = console.rt.db().read_batch(vec![tenants::get_statement(tenant)]).await?.into_iter();
    let tenant_row = tenant_of(&mut rows)?;
    let theme = themes::get_usable(console.rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    let used_on = if theme.tenant_id == tenant_row.id {
        portals::showing_theme(console.rt.db(), tenant, id).await?
    } else {
        Vec::new()
    };
    Ok((tenant_row, theme, used_on))
}

pub async fn new_form<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    if !person.role.can_change_settings() {
        return Err(AppError::Forbidden);
    }
    let mut rows = console.rt.db().read_batch(vec![tenants::get_statement(tenant)]).await?.into_iter();
    let tenant_row = tenant_of(&mut rows)?;
    let draft = Draft::of("", &ThemeContext::fallback().colors);
    draw(console, &person, (&tenant_row, None, &[]), &draft, 200, &Shown::default())
}

pub async fn page<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_theme: &str,
) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw_tenant).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let (tenant_row, theme, used_on) = theme_reads(console, tenant, raw_theme).await?;
    let t = console.lang.themes();
    let notice = match console.req.query_param("done").as_deref() {
        Some("created") => Some(t.created),
        Some("saved") => Some(t.saved),
        Some("logo") => Some(t.logo_saved),
        Some("logo-removed") => Some(t.logo_removed),
        _ => None,
    };
    let draft = Draft::of(&theme.name, &theme.colors()?);
    draw(console, &person, (&tenant_row, Some(&theme), &used_on), &draft, 200, &Shown { notice, ..Shown::default() })
}

/// What the editor's form asks for.
enum Intent {
    Save,
    /// Draw the editor again with the draft.
    Preview,
}

/// A posted editor form.
struct Posted {
    fields: Vec<(String, String)>,
    draft: Draft,
    intent: Intent,
}

/// The posted draft and what to do with it, once the person may change settings. A
/// suggested colour's button (`use`: "primary:#0b5fff") puts the colour in the draft.
fn posted<R: Runtime>(console: &Console<'_, R>, person: &Person<'_>) -> Result<Posted, AppError> {
    let fields = console.form_if(person.role.can_change_settings())?;
    let mut draft = Draft {
        name: field(&fields, "name").to_owned(),
        colours: COLOURS.map(|name| field(&fields, name).trim().to_owned()),
    };
    let chosen = field(&fields, "use");
    if let Some((colour, hex)) = chosen.split_once(':') {
        let slot = COLOURS.iter().position(|c| *c == colour);
        match (slot.and_then(|i| draft.colours.get_mut(i)), HexColor::parse(hex)) {
            (Some(slot), Ok(hex)) => *slot = hex.to_string(),
            _ => return Err(AppError::BadRequest("the suggested colour is not one of the theme's".into())),
        }
        return Ok(Posted { fields, draft, intent: Intent::Preview });
    }
    let intent = if field(&fields, "intent") == "preview" { Intent::Preview } else { Intent::Save };
    Ok(Posted { fields, draft, intent })
}

/// The body `createTheme` or `updateTheme` would get for the draft.
fn input_of(draft: &Draft, confirm: bool) -> ThemeInput {
    let colour = |i: usize| draft.colours.get(i).cloned();
    ThemeInput {
        name: Some(draft.name.clone()),
        colors: Some(ColorsInput {
            primary: colour(0),
            menu: colour(1),
            notification: colour(2),
            background: colour(3),
            text: colour(4),
        }),
        confirm,
    }
}

/// The shared rule's refusals, beside the field each names (the API's `colors.primary` is
/// the form's `primary`), in its English.
fn problems_of(errors: Vec<FieldError>) -> Problems {
    let mut problems = Problems::default();
    for error in errors {
        let field = error.field.strip_prefix("colors.").unwrap_or(&error.field).to_owned();
        let on = (field == "name" || COLOURS.contains(&field.as_str())).then_some(field.as_str());
        problems.add_written(on, error.message, Language::En);
    }
    problems
}

/// What the draft's colours that do not parse are, in the reader's words (the browser's
/// colour fields send none such; a hand-made form might).
fn colour_problems(lang: Language, draft: &Draft) -> Problems {
    let mut problems = Problems::default();
    for (name, raw) in COLOURS.iter().zip(&draft.colours) {
        if HexColor::parse(raw).is_err() {
            problems.add(name, lang.themes().colour_invalid);
        }
    }
    problems
}

pub async fn create<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let Posted { draft, intent, .. } = posted(console, &person)?;
    let (status, problems) = match intent {
        Intent::Preview => (200, colour_problems(console.lang, &draft)),
        Intent::Save => match rules::create(console.rt, tenant, &person.acting().actor, &input_of(&draft, false)).await
        {
            Ok(row) => return Ok(Response::see_other(&format!("/tenants/{tenant}/themes/{}?done=created", row.id))),
            Err(AppError::Invalid(errors)) => (422, problems_of(errors)),
            Err(err) => return Err(err),
        },
    };
    let mut rows = console.rt.db().read_batch(vec![tenants::get_statement(tenant)]).await?.into_iter();
    let tenant_row = tenant_of(&mut rows)?;
    draw(console, &person, (&tenant_row, None, &[]), &draft, status, &Shown { problems, ..Shown::default() })
}

pub async fn save<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_theme: &str,
) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw_tenant).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let id = ThemeId::parse(raw_theme).ok_or(AppError::NotFound)?;
    let Posted { fields, draft, intent } = posted(console, &person)?;
    let version: i64 =
        field(&fields, "version").parse().map_err(|_| AppError::BadRequest("the form's version is missing".into()))?;
    let t = console.lang.themes();
    let (status, shown, draft) = match intent {
        Intent::Preview => (200, Shown { problems: colour_problems(console.lang, &draft), ..Shown::default() }, draft),
        Intent::Save => {
            let pre = Precondition::Tags(vec![entity_tag(version)]);
            let input = input_of(&draft, field(&fields, "confirm") == "yes");
            match rules::update(console.rt, tenant, &person.acting().actor, id, &input, &pre).await {
                Ok(Updated::Saved(_)) => {
                    return Ok(Response::see_other(&format!("/tenants/{tenant}/themes/{id}?done=saved")));
                }
                Ok(Updated::NeedsConfirmation(reached)) => {
                    (409, Shown { reaches: Some(reached.len()), ..Shown::default() }, draft)
                }
                Err(AppError::Invalid(errors)) => {
                    (422, Shown { problems: problems_of(errors), ..Shown::default() }, draft)
                }
                Err(AppError::PreconditionFailed(_)) => {
                    // The theme as it now is, nothing of the draft kept over it.
                    let (_, current, _) = theme_reads(console, tenant, raw_theme).await?;
                    let now = Draft::of(&current.name, &current.colors()?);
                    (409, Shown { problems: Problems::general(t.stale), ..Shown::default() }, now)
                }
                Err(err) => return Err(err),
            }
        }
    };
    let (tenant_row, theme, used_on) = theme_reads(console, tenant, raw_theme).await?;
    if theme.tenant_id != tenant_row.id {
        // An organisation's theme is changed by the organisation.
        return Err(AppError::NotFound);
    }
    draw(console, &person, (&tenant_row, Some(&theme), &used_on), &draft, status, &shown)
}

/// The preview's stylesheet: the colours of the query (each that does not parse is porch's
/// own) as the custom properties of `.theme-preview`. Its URL is its content, so the browser
/// may keep it.
pub fn preview_css<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    console.person_for(tenant)?;
    let draft = Draft { name: String::new(), colours: COLOURS.map(|name| query(console.req, name)) };
    Ok(Response::new(200, "text/css; charset=utf-8", theme::variables(".theme-preview", &colors_of(&draft)))
        .with_header("cache-control", "private, max-age=86400"))
}

fn query(req: &Request, name: &str) -> String {
    req.query_param(name).unwrap_or_default()
}

pub async fn delete<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_theme: &str,
) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw_tenant).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let id = ThemeId::parse(raw_theme).ok_or(AppError::NotFound)?;
    let pre = drawn_version(&console.form_if(person.role.can_change_settings())?)?;
    let problems = match rules::delete(console.rt, tenant, &person.acting().actor, id, &pre).await {
        Ok(()) => return Ok(Response::see_other(&format!("/tenants/{tenant}/themes?done=deleted"))),
        Err(AppError::PreconditionFailed(_)) => Problems::general(console.lang.themes().stale),
        Err(AppError::Conflict(message)) => {
            let mut problems = Problems::default();
            problems.add_written(None, message, Language::En);
            problems
        }
        Err(err) => return Err(err),
    };
    let (tenant_row, theme, used_on) = theme_reads(console, tenant, raw_theme).await?;
    let draft = Draft::of(&theme.name, &theme.colors()?);
    draw(console, &person, (&tenant_row, Some(&theme), &used_on), &draft, 409, &Shown { problems, ..Shown::default() })
}

/// Which logo a path names, of a theme of the tenant's own.
fn logo_path(raw_tenant: &str, raw_theme: &str, raw_slot: &str) -> Option<(TenantId, ThemeId, LogoSlot)> {
    Some((TenantId::parse(raw_tenant)?, ThemeId::parse(raw_theme)?, LogoSlot::parse(raw_slot)?))
}

/// The editor again after a logo's change was refused: `problem` beside that logo's field.
async fn logo_refused<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    (tenant, raw_theme, slot): (TenantId, &str, LogoSlot),
    status: u16,
    problem: (&str, Option<Language>),
) -> Result<Response, AppError> {
    let (tenant_row, theme, used_on) = theme_reads(console, tenant, raw_theme).await?;
    let mut problems = Problems::default();
    let field = format!("logo-{}", slot.as_str());
    match problem.1 {
        Some(written) => problems.add_written(Some(&field), problem.0, written),
        None => problems.add(&field, problem.0),
    }
    let draft = Draft::of(&theme.name, &theme.colors()?);
    draw(
        console,
        person,
        (&tenant_row, Some(&theme), &used_on),
        &draft,
        status,
        &Shown { problems, ..Shown::default() },
    )
}

/// A logo's change through `app::themes::set_logo`, as `putLogo` and `deleteLogo` make it.
async fn change_logo<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    (tenant, id, slot): (TenantId, ThemeId, LogoSlot),
    (logo, fields): (Option<&rules::NewLogo>, &[(String, String)]),
    done: &str,
) -> Result<Response, AppError> {
    let pre = drawn_version(fields)?;
    let confirmed = field(fields, "confirm") == "yes";
    let t = console.lang.themes();
    let actor = person.acting().actor;
    let (status, problem) =
        match rules::set_logo(console.rt, (tenant, &actor), (id, slot), logo, (&pre, confirmed)).await {
            Ok(Updated::Saved(_)) => {
                return Ok(Response::see_other(&format!("/tenants/{tenant}/themes/{id}?done={done}")));
            }
            Ok(Updated::NeedsConfirmation(_)) => (409, (t.logo_reaches.to_owned(), None)),
            Err(AppError::PreconditionFailed(_)) => (409, (t.stale.to_owned(), None)),
            Err(AppError::Conflict(message)) => (409, (message, Some(Language::En))),
            Err(err) => return Err(err),
        };
    logo_refused(console, person, (tenant, &id.to_db(), slot), status, (&problem.0, problem.1)).await
}

pub async fn upload_logo<R: Runtime>(
    console: &Console<'_, R>,
    (raw_tenant, raw_theme, raw_slot): (&str, &str, &str),
) -> Result<Response, AppError> {
    let (tenant, id, slot) = logo_path(raw_tenant, raw_theme, raw_slot).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let form = console.form_with_files_if(person.role.can_change_settings())?;
    let t = console.lang.themes();
    let chosen = form.files.iter().find(|part| part.name == "logo" && !part.data.is_empty());
    let Some(part) = chosen else {
        return logo_refused(console, &person, (tenant, raw_theme, slot), 422, (t.choose_file, None)).await;
    };
    // The browser's word for the file's kind, else its name's ending; the bytes decide after.
    let by_name = |name: &str| match std::path::Path::new(name).extension().and_then(|ext| ext.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("svg") => Some(LogoFormat::Svg),
        Some(ext) if ext.eq_ignore_ascii_case("png") => Some(LogoFormat::Png),
        _ => None,
    };
    let format = part
        .content_type
        .as_deref()
        .and_then(LogoFormat::from_content_type)
        .or_else(|| part.filename.as_deref().and_then(by_name));
    let Some(format) = format else {
        return logo_refused(console, &person, (tenant, raw_theme, slot), 422, (t.not_png_or_svg, None)).await;
    };
    let bytes = match Logo::parse(format, part.data) {
        Ok(logo) => logo.into_bytes(),
        Err(err) => {
            let message = err.to_string();
            return logo_refused(console, &person, (tenant, raw_theme, slot), 422, (&message, Some(Language::En)))
                .await;
        }
    };
    let logo = rules::NewLogo { bytes, format };
    change_logo(console, &person, (tenant, id, slot), (Some(&logo), &form.fields), "logo").await
}

pub async fn remove_logo<R: Runtime>(
    console: &Console<'_, R>,
    (raw_tenant, raw_theme, raw_slot): (&str, &str, &str),
) -> Result<Response, AppError> {
    let (tenant, id, slot) = logo_path(raw_tenant, raw_theme, raw_slot).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let fields = console.form_if(person.role.can_change_settings())?;
    change_logo(console, &person, (tenant, id, slot), (None, &fields), "logo-removed").await
}
