//! "View as": a short-lived link that opens a portal as one of its users, or as a member of
//! one of its customers, would see it; the rule written once for the admin API
//! (`createPreview`) and the console's portal page. The link's secret is shown (or followed)
//! once; only its hash is kept.

use serde::Deserialize;
use serde_json::json;

use crate::app::input::Fields;
use crate::app::invitation_links::customer_of;
use crate::app::public_portal::public_portal;
use crate::auth::secret::Token;
use crate::runtime::Runtime;
use crate::store::audit::{Actor, Change};
use crate::store::previews::{self, NewPreview};
use crate::store::{accounts, portals, Database, PortalScope};
use porch_types::error::AppError;
use porch_types::ids::{AccountId, CustomerId, PreviewId};
use porch_types::time::Timestamp;

/// A preview link must be opened within this time.
const PREVIEW_LINK_MINUTES: i64 = 10;

/// Whom the preview shows the portal to: a user, or a member of a customer (neither: the
/// portal's own customer, if it has one).
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewInput {
    pub account_id: Option<String>,
    pub customer_id: Option<String>,
}

/// A preview link just made.
pub struct NewLink {
    pub id: PreviewId,
    pub url: String,
    pub expires_at: Timestamp,
}

/// Makes a preview link of the portal `row` of `scope`, on its public host (`raw_host`: the
/// request's Host header, whose port a local portal keeps).
pub async fn create<R: Runtime>(
    rt: &R,
    raw_host: &str,
    actor: &Actor,
    (scope, row): (PortalScope, &portals::PortalRow),
    input: &PreviewInput,
) -> Result<NewLink, AppError> {
    let mut fields = Fields::default();
    if input.account_id.is_some() && input.customer_id.is_some() {
        fields.error("account_id", "give an account_id or a customer_id, not both");
    }
    let account = match input.account_id.as_deref() {
        Some(raw) => match AccountId::parse(raw) {
            Some(id) if accounts::get(rt.db(), scope, id).await?.is_some() => Some(id),
            _ => {
                fields.error("account_id", "no such user of this portal");
                None
            }
        },
        None => None,
    };
    let customer = if account.is_some() {
        None
    } else {
        customer_of(rt, &mut fields, scope, row, input.customer_id.as_deref()).await?
    };
    fields.finish()?;
    let public = public_portal(rt, raw_host, scope, row).await?;
    let now = rt.now();
    let token = Token::generate(rt)?;
    let id = PreviewId::from_random(rt.random_16()?);
    let expires_at = now.plus_seconds(PREVIEW_LINK_MINUTES * 60);
    let preview = NewPreview { id, token_hash: &token.hash, account, customer, created_by: actor.label(), expires_at };
    let change = Change::new(scope.tenant, actor, "preview.create", "preview", id.to_db()).after(json!({
        "portal_id": scope.portal.to_db(),
        "account_id": account.map(AccountId::to_db),
        "customer_id": customer.map(CustomerId::to_db),
    }));
    rt.db().batch(vec![previews::insert(scope, &preview, now), change.statement(now)]).await?;
    Ok(NewLink { id, url: format!("{}/preview/{}", public.origin, token.text), expires_at })
}
