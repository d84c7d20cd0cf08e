//! Opening a "view as" preview link: a read-only session as one recipient or as a fresh
//! member of a customer, recorded in the audit log. A preview cannot be opened from inside
//! another preview, so a preview session can never chain into a second identity.

use super::session::{self, Visitor};
use super::Page;
use crate::auth::secret::{presented_hash, stored_hash_matches};
use crate::domain::ids::{AccountId, PreviewId};
use crate::error::AppError;
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::audit::{Actor, Change};
use crate::store::sessions::Holder;
use crate::store::{previews, Database};
use crate::views::account as view;

/// How long a preview session lasts once opened.
const PREVIEW_SESSION_MS: i64 = 30 * 60_000;

pub async fn open<R: Runtime>(page: &Page<'_, R>, token: &str) -> Result<Response, AppError> {
    let t = page.lang.account();
    if let Visitor::Signed(member) = &page.visitor {
        if member.preview {
            return Ok(Response::html(
                403,
                view::message(page.portal, page.lang, t.preview_title, t.preview_nested, Some(member)),
            ));
        }
    }
    let invalid =
        || Response::html(410, view::message(page.portal, page.lang, t.link_invalid_title, t.link_invalid_body, None));
    let Some(hash) = presented_hash(token) else {
        return Ok(invalid());
    };
    let Some(preview) = previews::find_by_hash(page.rt.db(), page.scope, &hash).await? else {
        return Ok(invalid());
    };
    let now = page.rt.now();
    if preview.opened_at.is_some()
        || preview.expires_at <= now.millis()
        || !stored_hash_matches(&preview.token_hash, &hash)
    {
        return Ok(invalid());
    }
    let preview_id = PreviewId::parse(&preview.id).ok_or_else(|| AppError::Internal("preview id".into()))?;
    let holder =
        Holder::Preview { preview: preview_id, account: preview.account_id.as_deref().and_then(AccountId::parse) };
    let new_session = session::start(page, &holder, PREVIEW_SESSION_MS, true)?;
    // The staff member who made the link is the actor; the audit entry says it was opened.
    let actor = Actor::Staff(preview.created_by.clone());
    let change = Change::new(page.scope.tenant, &actor, "preview.open", "preview", preview.id.clone())
        .after(serde_json::json!({ "account_id": preview.account_id, "customer_id": preview.customer_id }));
    let changed = page
        .rt
        .db()
        .batch(vec![
            previews::open(page.scope, &preview.id, now),
            new_session.statement,
            change.statement_if_changed(now),
        ])
        .await?;
    if changed.first() != Some(&1) {
        return Ok(invalid());
    }
    Ok(Response::see_other("/").add_header("set-cookie", &new_session.set_cookie))
}
