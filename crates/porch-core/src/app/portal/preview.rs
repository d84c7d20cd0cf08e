//! Opening a "view as" preview link: a read-only session as one recipient or as a fresh
//! member of a customer, recorded in the audit log. A preview cannot be opened from inside
//! another preview, so a preview session can never chain into a second identity.

use super::forms::{form_page, Form};
use super::join::link_invalid;
use super::session::{self, Visitor};
use super::Page;
use crate::auth::secret::{presented_hash, stored_hash_matches};
use crate::http::Response;
use crate::i18n::Translations as _;
use crate::runtime::Runtime;
use crate::store::audit::{Actor, Change};
use crate::store::previews::PreviewRow;
use crate::store::sessions::{self, Holder};
use crate::store::wrote;
use crate::store::{previews, Database};
use crate::views::account::{self as view, Confirm};
use porch_types::error::AppError;
use porch_types::ids::{AccountId, PreviewId};

/// How long a preview session lasts once opened.
const PREVIEW_SESSION_MS: i64 = 30 * 60_000;

/// The preview link shows a button (a chat preview or mail scanner must not spend it), or
/// says why it cannot be used.
pub async fn confirm<R: Runtime>(page: &Page<'_, R>, token: &str) -> Result<Response, AppError> {
    if let Some(refused) = refusal(page, token).await?.err() {
        return Ok(refused);
    }
    let t = page.lang.account();
    let action = format!("/preview/{token}");
    let text =
        Confirm { title: t.preview_title, body: t.preview_open_body, action: &action, button: t.preview_open_button };
    form_page(page, 200, |csrf| view::confirm(page.portal, page.lang, csrf, &text))
}

/// The usable preview behind a link, or the page that says why there is none.
async fn refusal<R: Runtime>(page: &Page<'_, R>, token: &str) -> Result<Result<PreviewRow, Response>, AppError> {
    let t = page.lang.account();
    if let Visitor::Signed(member) = &page.visitor {
        if member.preview {
            let nested = view::message(page.portal, page.lang, t.preview_title, t.preview_nested, Some(member));
            return Ok(Err(Response::html(403, nested)));
        }
    }
    let Some(hash) = presented_hash(token) else {
        return Ok(Err(link_invalid(page)));
    };
    let Some(preview) = previews::find_by_hash(page.rt.db(), page.scope, &hash).await? else {
        return Ok(Err(link_invalid(page)));
    };
    let usable = preview.opened_at.is_none()
        && preview.expires_at > page.rt.now().millis()
        && stored_hash_matches(&preview.token_hash, &hash);
    Ok(if usable { Ok(preview) } else { Err(link_invalid(page)) })
}

pub async fn open<R: Runtime>(page: &Page<'_, R>, token: &str) -> Result<Response, AppError> {
    Form::read(page)?;
    let preview = match refusal(page, token).await? {
        Ok(found) => found,
        Err(refused) => return Ok(refused),
    };
    let now = page.rt.now();
    let preview_id = PreviewId::parse(&preview.id).ok_or_else(|| AppError::Internal("preview id".into()))?;
    let holder =
        Holder::Preview { preview: preview_id, account: preview.account_id.as_deref().and_then(AccountId::parse) };
    let new_session = session::start(page, &holder, PREVIEW_SESSION_MS, true)?;
    // The staff member who made the link is the actor; the audit entry says it was opened.
    let actor = Actor::Staff(preview.created_by.clone());
    let change = Change::new(page.scope.tenant, &actor, "preview.open", "preview", preview.id.clone())
        .after(serde_json::json!({ "account_id": preview.account_id, "customer_id": preview.customer_id }));
    let mut batch =
        vec![previews::open(page.scope, &preview.id, now), new_session.statement, change.statement_if_changed(now)];
    // A session this browser already had ends: the preview replaces it.
    batch.extend(page.visitor.member().map(|old| sessions::delete_if_changed(page.scope, &old.token_hash)));
    let changed = page.rt.db().batch(batch).await?;
    if !wrote(&changed, 0) {
        return Ok(link_invalid(page));
    }
    Ok(Response::see_other("/").add_header("set-cookie", &new_session.set_cookie))
}
