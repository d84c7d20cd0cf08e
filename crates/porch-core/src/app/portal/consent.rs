//! Agreeing again: a signed-in person whose recorded agreement is older than the portal's
//! terms or consent text (the provider changed it, or they joined before it existed, or
//! through single sign-on, which asks nothing) sees one page before any other. Accepting is
//! recorded on the account with the versions and the time, and audited; declining signs them
//! out, and the page asks again at their next sign-in.

use serde_json::json;

use super::forms::{form_page, safe_return_to, Form};
use super::routes::PageRoute;
use super::Page;
use crate::app::Found;
use crate::auth::cookies;
use crate::http::{percent_encode, Method, Response};
use crate::i18n::Translations as _;
use crate::portal_context::Outstanding;
use crate::runtime::Runtime;
use crate::store::audit::{Actor, Change};
use crate::store::{accounts, sessions, wrote, Database};
use crate::views::account::{self as view, AgreeAgain};
use crate::views::form::Problems;
use porch_types::error::AppError;

/// The way to the consent page, for a signed-in person who must agree again before `found`;
/// None when they need not, or the page is the consent page itself, signing out or the
/// language menu.
pub fn gate<R: Runtime>(page: &Page<'_, R>, found: &Found<PageRoute, &str>) -> Option<Response> {
    outstanding(page).filter(|o| o.any())?;
    // Declining on the consent page signs out too; the sign-out form itself stays open. So
    // does the language menu: a person asked to agree must be able to read what they agree to.
    let open =
        [PageRoute::Consent, PageRoute::ConsentSubmit, PageRoute::SignOut, PageRoute::SignedOut, PageRoute::Language];
    if matches!(found, Found::Route(route, _) if open.contains(&route.handler)) {
        return None;
    }
    // Back to the page asked for afterwards; a form posted meanwhile is not replayed.
    let back = match page.req.method {
        Method::Get | Method::Head if page.req.query.is_empty() => page.req.path.clone(),
        Method::Get | Method::Head => format!("{}?{}", page.req.path, page.req.query),
        _ => "/".to_owned(),
    };
    Some(Response::see_other(&format!("/consent?return_to={}", percent_encode(&back, b"/"))))
}

/// What the signed-in person must still agree to; None for a stranger or a preview (which
/// agrees to nothing: it is the provider looking).
fn outstanding<R: Runtime>(page: &Page<'_, R>) -> Option<Outstanding> {
    let member = page.visitor.member().filter(|m| !m.preview && m.account.is_some())?;
    Some(page.portal.context.access.outstanding(member.agreed))
}

/// Where to go once agreed: the page asked for, else the start page.
fn onwards<'a, R: Runtime>(page: &Page<'_, R>, raw: &'a str) -> &'a str {
    super::landing(page.portal, safe_return_to(raw).unwrap_or("/"))
}

fn render<R: Runtime>(
    page: &Page<'_, R>,
    status: u16,
    owed: Outstanding,
    return_to: &str,
    problems: &Problems,
) -> Result<Response, AppError> {
    let member = page.require_member()?;
    let form = AgreeAgain { return_to, terms: owed.terms, consent: owed.consent, problems };
    form_page(page, status, |csrf| view::agree_again(page.portal, page.lang, member, csrf, &form))
}

pub fn form<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    page.require_member()?;
    let return_to = page.req.query_param("return_to").unwrap_or_default();
    match outstanding(page).filter(|o| o.any()) {
        Some(owed) => render(page, 200, owed, &return_to, &Problems::default()),
        None => Ok(Response::see_other(onwards(page, &return_to))),
    }
}

pub async fn submit<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    let form = Form::read(page)?;
    let member = page.require_member()?;
    if form.text("decision") == "decline" {
        page.rt.db().execute(sessions::delete(page.scope, &member.token_hash)).await?;
        return Ok(Response::see_other("/signed-out")
            .add_header("set-cookie", &cookies::clear(page.cookies.session, page.cookies.secure)));
    }
    let return_to = form.text("return_to");
    let (Some(owed), Some(account)) = (outstanding(page).filter(|o| o.any()), member.account) else {
        return Ok(Response::see_other(onwards(page, return_to)));
    };
    let t = page.lang.account();
    let mut unticked = Problems::default();
    for (owed, name) in [(owed.terms, "accept_terms"), (owed.consent, "consent")] {
        if owed && !form.checked(name) {
            unticked.add(name, t.agree_again_must_accept);
        }
    }
    if !unticked.is_empty() {
        return render(page, 422, owed, return_to, &unticked);
    }
    // The versions the page showed: recorded only while they are still the portal's.
    let shown = |name: &str| form.get(name).and_then(|raw| raw.parse::<i64>().ok());
    let (terms, consent) =
        (shown("terms_version").filter(|_| owed.terms), shown("consent_version").filter(|_| owed.consent));
    if (owed.terms && terms.is_none()) || (owed.consent && consent.is_none()) {
        return render(page, 422, owed, return_to, &Problems::general(t.agree_again_changed));
    }
    let now = page.rt.now();
    let actor = Actor::Account(account);
    let change = Change::new(page.scope.tenant, &actor, "account.agreement", "account", account.to_db())
        .after(json!({ "terms_version": terms, "consent_version": consent }));
    let written = page
        .rt
        .db()
        .batch(vec![
            accounts::record_agreement(page.scope, account, terms, consent, now),
            change.statement_if_changed(now),
        ])
        .await?;
    if !wrote(&written, 0) {
        return render(page, 409, owed, return_to, &Problems::general(t.agree_again_changed));
    }
    Ok(Response::see_other(onwards(page, return_to)))
}
