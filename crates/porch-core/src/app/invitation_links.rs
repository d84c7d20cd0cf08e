//! A portal's invitation links, the rules written once for the admin API
//! (`createPortalInvitation`) and the console's "Create link": who a link is for (an email
//! or anyone holding it), the role and customer it gives, how long it lasts, and whether it
//! is emailed. The link's secret is shown once; only its hash is kept.

use serde::Deserialize;
use serde_json::json;

use crate::app::input::Fields;
use crate::app::public_portal::public_portal;
use crate::auth::secret::Token;
use crate::email::Message;
use crate::runtime::Runtime;
use crate::store::audit::{Actor, Change};
use crate::store::invitations::{self, InvitationRow, NewInvitation};
use crate::store::{customers, portals, Database, PortalScope};
use porch_types::access::{Role, INVITATION_DEFAULT_HOURS};
use porch_types::email::Email;
use porch_types::error::AppError;
use porch_types::ids::{CustomerId, InvitationId};

/// The longest life of an invitation link.
const MAX_HOURS: i64 = 720;

/// What a new link is to be (the API's body; the console fills in its own).
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvitationInput {
    pub email: Option<String>,
    pub role: Option<String>,
    pub customer_id: Option<String>,
    pub expires_in_hours: Option<i64>,
    /// Email the link to `email` (default true when an email is given).
    pub send_email: Option<bool>,
}

/// A link just made: as stored, and its URL, which holds the secret and is shown once.
pub struct NewLink {
    pub invitation: InvitationRow,
    pub url: String,
}

/// A customer of this tenant named in a body; for a one-customer portal, only its customer.
/// Nothing named: the portal's own customer, if it has one.
pub async fn customer_of<R: Runtime>(
    rt: &R,
    fields: &mut Fields,
    scope: PortalScope,
    row: &portals::PortalRow,
    raw: Option<&str>,
) -> Result<Option<CustomerId>, AppError> {
    let Some(raw) = raw else {
        return Ok(row.customer_id.as_deref().and_then(CustomerId::parse));
    };
    match CustomerId::parse(raw) {
        Some(id)
            if row.customer_id.as_deref().is_none_or(|own| own == raw)
                && customers::get(rt.db(), scope.tenant, id).await?.is_some() =>
        {
            Ok(Some(id))
        }
        _ => {
            fields.error("customer_id", "no such customer of this portal");
            Ok(None)
        }
    }
}

/// Makes a link to the portal `row` of `scope`, on its public host (`raw_host`: the request's
/// Host header, whose port a local portal keeps): the invitation, its audit entry and, when
/// asked for, the email, in one batch.
pub async fn create<R: Runtime>(
    rt: &R,
    raw_host: &str,
    actor: &Actor,
    (scope, row): (PortalScope, &portals::PortalRow),
    input: &InvitationInput,
) -> Result<NewLink, AppError> {
    let mut fields = Fields::default();
    let email = input.email.as_deref().and_then(|raw| fields.check("email", Email::parse(raw)));
    let role = match input.role.as_deref() {
        Some(raw) => fields.check("role", Role::parse(raw)),
        None => Some(Role::Member),
    };
    let hours = input.expires_in_hours.unwrap_or(INVITATION_DEFAULT_HOURS);
    if !(1..=MAX_HOURS).contains(&hours) {
        fields.error("expires_in_hours", &format!("must be between 1 and {MAX_HOURS}"));
    }
    let send_email = input.send_email.unwrap_or(email.is_some());
    if send_email && email.is_none() && input.email.is_none() {
        fields.error("send_email", "needs an email to send to");
    }
    let customer = customer_of(rt, &mut fields, scope, row, input.customer_id.as_deref()).await?;
    fields.finish()?;
    let role = role.ok_or_else(|| AppError::Internal("role".into()))?;
    let public = public_portal(rt, raw_host, scope, row).await?;
    let now = rt.now();
    let token = Token::generate(rt)?;
    let id = InvitationId::from_random(rt.random_16()?);
    let invitation = NewInvitation {
        id,
        token_hash: &token.hash,
        email: email.as_ref(),
        role,
        customer,
        created_by: actor.label(),
        expires_at: now.plus_seconds(hours * 3600),
    };
    let url = format!("{}/invite/{}", public.origin, token.text);
    let change = Change::new(scope.tenant, actor, "invitation.create", "invitation", id.to_db()).after(json!({
        "portal_id": scope.portal.to_db(),
        "email": email.as_ref().map(Email::as_str),
        "role": role,
    }));
    let mut batch = vec![invitations::insert(scope, &invitation, now), change.statement(now)];
    if let (true, Some(to)) = (send_email, email.as_ref()) {
        batch.push(public.sender(scope).queue(rt, to, &Message::Invitation { link: &url, inviter: None })?);
    }
    rt.db().batch(batch).await?;
    let invitation = invitations::get(rt.db(), scope, id).await?.ok_or(AppError::NotFound)?;
    Ok(NewLink { invitation, url })
}
