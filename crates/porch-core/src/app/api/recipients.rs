//! The provider's side of a portal's people: invitation links, the portal's users, the
//! registration list, and "view as" preview links. Links point at the portal's public
//! host: its first active custom domain, else its platform subdomain.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::Reach;
use super::input::{double_option, Fields};
use super::versions::{self, tagged, Precondition};
use super::{created, no_content, ok, Call};
pub(super) use crate::app::invitation_links::customer_of;
use crate::app::invitation_links::{self, InvitationInput};
use crate::app::portal::users::removal;
use crate::app::preview_links::{self, PreviewInput};
pub(super) use crate::app::public_portal::PublicPortal;
use crate::app::registration_list::{self as list_rules, EntryBody, NewEntry};
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::accounts::AccountRow;
use crate::store::audit::Change;
use crate::store::invitations::{self, InvitationRow};
use crate::store::registration_list;
use crate::store::wrote;
use crate::store::{accounts, portals, Database, PortalScope};
use porch_types::access::Role;
use porch_types::email::{Email, EmailDomain};
use porch_types::error::AppError;
use porch_types::ids::{AccountId, InvitationId, ListEntryId, PortalId};
use porch_types::portal_tickets::Visibility;
use porch_types::time::Timestamp;

/// An invitation link as the API shows it (`Invitation` in openapi.json): never its secret.
#[derive(Serialize)]
struct InvitationBody<'a> {
    id: &'a str,
    /// Worked out at the time of the answer: a link expires without being written to.
    status: &'static str,
    email: Option<&'a str>,
    role: Role,
    customer_id: Option<&'a str>,
    created_by: &'a str,
    created_at: Timestamp,
    expires_at: Timestamp,
    accepted_at: Option<Timestamp>,
    accepted_by: Option<AcceptedByBody<'a>>,
    revoked_at: Option<Timestamp>,
}

/// The account that accepted an invitation; its name is gone once the account is.
#[derive(Serialize)]
struct AcceptedByBody<'a> {
    id: &'a str,
    name: Option<&'a str>,
}

impl<'a> InvitationBody<'a> {
    fn new(row: &'a InvitationRow, now: Timestamp) -> Self {
        InvitationBody {
            id: &row.id,
            status: row.status(now),
            email: row.email.as_deref(),
            role: row.role,
            customer_id: row.customer_id.as_deref(),
            created_by: &row.created_by,
            created_at: Timestamp::from_millis(row.created_at),
            expires_at: Timestamp::from_millis(row.expires_at),
            accepted_at: row.accepted_at.map(Timestamp::from_millis),
            accepted_by: row
                .accepted_account_id
                .as_deref()
                .map(|id| AcceptedByBody { id, name: row.accepted_by_name.as_deref() }),
            revoked_at: row.revoked_at.map(Timestamp::from_millis),
        }
    }
}

/// A portal user as the API shows it (`PortalUser` in openapi.json), and as the audit log
/// keeps a removed one: never the password hash.
#[derive(Serialize)]
pub(crate) struct AccountBody<'a> {
    id: &'a str,
    name: &'a str,
    email: &'a str,
    role: Role,
    customer_id: Option<&'a str>,
    email_verified: bool,
    terms_version: Option<i64>,
    terms_accepted_at: Option<Timestamp>,
    consent_version: Option<i64>,
    consent_given_at: Option<Timestamp>,
    ticket_visibility: Option<Visibility>,
    created_at: Timestamp,
}

impl<'a> From<&'a AccountRow> for AccountBody<'a> {
    fn from(row: &'a AccountRow) -> Self {
        AccountBody {
            id: &row.id,
            name: &row.name,
            email: &row.email,
            role: row.role,
            customer_id: row.customer_id.as_deref(),
            email_verified: row.email_verified_at.is_some(),
            terms_version: row.terms_version,
            terms_accepted_at: row.terms_accepted_at.map(Timestamp::from_millis),
            consent_version: row.consent_version,
            consent_given_at: row.consent_given_at.map(Timestamp::from_millis),
            ticket_visibility: row.ticket_visibility,
            created_at: Timestamp::from_millis(row.created_at),
        }
    }
}

/// The portal of the path, if the caller may reach its tenant.
pub(super) async fn portal_scope<R: Runtime>(
    call: &Call<'_, R>,
) -> Result<(PortalScope, portals::PortalRow), AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let portal = call.id("portal_id", PortalId::parse)?;
    let row = portals::get(call.rt.db(), tenant, portal).await?.ok_or(AppError::NotFound)?;
    Ok((PortalScope { tenant, portal }, row))
}

/// The portal as its visitors reach it (`app::public_portal`), from this call's host.
pub(super) async fn public_portal<R: Runtime>(
    call: &Call<'_, R>,
    scope: PortalScope,
    row: &portals::PortalRow,
) -> Result<PublicPortal, AppError> {
    crate::app::public_portal::public_portal(call.rt, call.req.header("host").unwrap_or(""), scope, row).await
}

pub async fn create_invitation<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, row) = portal_scope(call).await?;
    let input: InvitationInput = call.json()?;
    let host = call.req.header("host").unwrap_or("");
    let link = invitation_links::create(call.rt, host, &call.actor(), (scope, &row), &input).await?;
    // The link is shown once: only its hash is kept.
    Ok(created(&json!({ "invitation": InvitationBody::new(&link.invitation, call.rt.now()), "url": link.url })))
}

pub async fn list_invitations<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, _) = portal_scope(call).await?;
    let now = call.rt.now();
    let rows = invitations::list(call.rt.db(), scope).await?;
    Ok(ok(&json!({ "invitations": rows.iter().map(|r| InvitationBody::new(r, now)).collect::<Vec<_>>() })))
}

pub async fn revoke_invitation<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, _) = portal_scope(call).await?;
    let id = call.id("invitation_id", InvitationId::parse)?;
    let current = invitations::get(call.rt.db(), scope, id).await?.ok_or(AppError::NotFound)?;
    let now = call.rt.now();
    let actor = call.actor();
    let change = Change::new(scope.tenant, &actor, "invitation.revoke", "invitation", id.to_db())
        .before(json!({ "status": current.status(now) }));
    let changed =
        call.rt.db().batch(vec![invitations::revoke(scope, id, now), change.statement_if_changed(now)]).await?;
    if wrote(&changed, 0) {
        Ok(no_content())
    } else {
        Err(AppError::Conflict(format!("the invitation is {} and cannot be revoked", current.status(now))))
    }
}

pub async fn list_users<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, _) = portal_scope(call).await?;
    let rows = accounts::list(call.rt.db(), scope).await?;
    Ok(ok(&json!({ "users": rows.iter().map(AccountBody::from).collect::<Vec<_>>() })))
}

/// A PATCH of a user. `ticket_visibility`: absent keeps it, null makes the person follow
/// the portal's setting again.
#[allow(clippy::option_option)]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserInput {
    #[serde(default, deserialize_with = "double_option")]
    ticket_visibility: Option<Option<String>>,
}

pub async fn update_user<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, _) = portal_scope(call).await?;
    let id = call.id("account_id", AccountId::parse)?;
    let pre = Precondition::of(call.req)?;
    let input: UserInput = call.json()?;
    let mut fields = Fields::default();
    let visibility = match input.ticket_visibility.as_ref().map(Option::as_deref) {
        Some(Some(raw)) => fields.check("ticket_visibility", Visibility::parse(raw)).map(Some),
        Some(None) => Some(None),
        None => None,
    };
    fields.finish()?;
    versions::write(async || {
        let current = accounts::get(call.rt.db(), scope, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        // None here: nothing asked to change (an invalid value was refused just above).
        if let Some(visibility) = visibility {
            let now = call.rt.now();
            let actor = call.actor();
            let change = Change::new(scope.tenant, &actor, "account.ticket_visibility", "account", id.to_db())
                .before(json!({ "ticket_visibility": current.ticket_visibility }))
                .after(json!({ "ticket_visibility": visibility }));
            let statements = vec![
                accounts::set_ticket_visibility(scope, &current, visibility, now),
                change.statement_if_changed(now),
            ];
            if !wrote(&call.rt.db().batch(statements).await?, 0) {
                return Ok(None);
            }
        }
        let row = accounts::get(call.rt.db(), scope, id).await?.ok_or(AppError::NotFound)?;
        Ok(Some(tagged(ok(&json!({ "user": AccountBody::from(&row) })), row.version)))
    })
    .await
}

pub async fn remove_user<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, _) = portal_scope(call).await?;
    let id = call.id("account_id", AccountId::parse)?;
    let pre = Precondition::of(call.req)?;
    versions::write(async || {
        let current = accounts::get(call.rt.db(), scope, id).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        let changed = call.rt.db().batch(removal(scope, &current, id, &call.actor(), call.rt.now())).await?;
        if wrote(&changed, 0) {
            return Ok(Some(no_content()));
        }
        // Not removed: the account changed meanwhile (read again), or it is the last admin.
        match accounts::get(call.rt.db(), scope, id).await? {
            Some(now) if now.version == current.version => Err(AppError::Conflict(
                "this is the last admin of the person's customer on this portal; make someone else admin first".into(),
            )),
            _ => Ok(None),
        }
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryInput {
    email: Option<String>,
    domain: Option<String>,
    customer_id: Option<String>,
    /// Email a listed address that it may register (default true for emails).
    send_email: Option<bool>,
}

pub async fn list_entries<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, _) = portal_scope(call).await?;
    let rows = registration_list::list(call.rt.db(), scope).await?;
    let entries = rows.iter().map(EntryBody::new).collect::<Result<Vec<_>, _>>()?;
    Ok(ok(&json!({ "entries": entries })))
}

pub async fn add_entry<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, row) = portal_scope(call).await?;
    let input: EntryInput = call.json()?;
    let mut fields = Fields::default();
    let email = input.email.as_deref().and_then(|raw| fields.check("email", Email::parse(raw)));
    let domain = input.domain.as_deref().and_then(|raw| fields.check("domain", EmailDomain::parse(raw)));
    if input.email.is_some() == input.domain.is_some() {
        fields.error("email", "give exactly one of email or domain");
    }
    let customer = customer_of(call.rt, &mut fields, scope, &row, input.customer_id.as_deref()).await?;
    fields.finish()?;
    let entry = match (email, domain) {
        (Some(email), _) => NewEntry::Email(email),
        (None, Some(domain)) => NewEntry::Domain(domain),
        (None, None) => return Err(AppError::Internal("entry without value".into())),
    };
    let raw_host = call.req.header("host").unwrap_or("");
    let stored =
        list_rules::add(call.rt, raw_host, (scope, &row), &call.actor(), &entry, customer, input.send_email).await?;
    Ok(created(&json!({ "entry": EntryBody::new(&stored)? })))
}

pub async fn remove_entry<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, _) = portal_scope(call).await?;
    let id = call.id("entry_id", ListEntryId::parse)?;
    list_rules::remove(call.rt, scope, &call.actor(), id).await?;
    Ok(no_content())
}

pub async fn create_preview<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, row) = portal_scope(call).await?;
    let input: PreviewInput = call.json()?;
    let host = call.req.header("host").unwrap_or("");
    let link = preview_links::create(call.rt, host, &call.actor(), (scope, &row), &input).await?;
    Ok(created(&json!({ "preview": { "id": link.id.to_db(), "url": link.url, "expires_at": link.expires_at } })))
}

/// What the portal overview adds about people: its admins and its invitations (each with
/// its status and, once accepted, who accepted it).
pub async fn overview<R: Runtime>(
    call: &Call<'_, R>,
    scope: PortalScope,
) -> Result<(serde_json::Value, serde_json::Value), AppError> {
    let now = call.rt.now();
    let admins = accounts::admins(call.rt.db(), scope).await?;
    let invitations = invitations::list(call.rt.db(), scope).await?;
    Ok((
        json!(admins.iter().map(|a| json!({ "id": a.id, "name": a.name, "email": a.email })).collect::<Vec<_>>()),
        json!(invitations.iter().map(|r| InvitationBody::new(r, now)).collect::<Vec<_>>()),
    ))
}
