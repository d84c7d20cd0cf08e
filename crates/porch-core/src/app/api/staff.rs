//! A tenant's console staff and their invitations, for automation: the same rules as the
//! console's staff page (`app::staff`). A tenant key acts with an owner's reach, the
//! operator's token with the operator's.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::{Principal, Reach};
use super::input::Fields;
use super::{created, no_content, ok, Call};
use crate::app::links;
use crate::app::staff::{self as rules, Acting};
use crate::http::Response;
use crate::i18n::Language;
use crate::runtime::Runtime;
use crate::store::staff_members::{self as members, InvitationRow, MemberRow};
use crate::store::Database;
use porch_types::email::Email;
use porch_types::error::AppError;
use porch_types::ids::{StaffId, StaffInvitationId, TenantId};
use porch_types::staff::StaffRole;
use porch_types::time::Timestamp;

/// One of the staff as the API shows it (`StaffMember` in openapi.json).
#[derive(Serialize)]
struct MemberBody<'a> {
    id: &'a str,
    email: &'a str,
    name: &'a str,
    role: &'a str,
    second_factor: bool,
    created_at: Timestamp,
}

impl<'a> From<&'a MemberRow> for MemberBody<'a> {
    fn from(row: &'a MemberRow) -> Self {
        MemberBody {
            id: &row.id,
            email: &row.email,
            name: &row.name,
            role: &row.role,
            second_factor: row.has_second_factor(),
            created_at: Timestamp::from_millis(row.created_at),
        }
    }
}

/// An invitation as the API shows it (`StaffInvitation` in openapi.json).
#[derive(Serialize)]
struct InvitationBody<'a> {
    id: &'a str,
    email: &'a str,
    role: &'a str,
    status: &'static str,
    created_by: &'a str,
    created_at: Timestamp,
    expires_at: Timestamp,
}

impl<'a> InvitationBody<'a> {
    fn new(row: &'a InvitationRow, now: Timestamp) -> Self {
        InvitationBody {
            id: &row.id,
            email: &row.email,
            role: &row.role,
            status: row.status(now).code(),
            created_by: &row.created_by,
            created_at: Timestamp::from_millis(row.created_at),
            expires_at: Timestamp::from_millis(row.expires_at),
        }
    }
}

/// The caller's authority over the tenant's staff.
pub(super) fn acting<R: Runtime>(call: &Call<'_, R>) -> Acting {
    let role = match call.principal {
        Principal::Platform => StaffRole::Operator,
        Principal::Key { .. } => StaffRole::Owner,
    };
    Acting { actor: call.actor(), role }
}

async fn tenant<R: Runtime>(call: &Call<'_, R>) -> Result<TenantId, AppError> {
    call.tenant(Reach::Everything).await
}

pub async fn list<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = tenant(call).await?;
    let rows: Vec<MemberRow> = call.rt.db().query(members::list_members(tenant)).await?;
    Ok(ok(&json!({ "staff": rows.iter().map(MemberBody::from).collect::<Vec<_>>() })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleInput {
    role: Option<String>,
}

pub async fn update<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = tenant(call).await?;
    let id = call.id("staff_id", StaffId::parse)?;
    let input: RoleInput = call.json()?;
    let mut fields = Fields::default();
    let role = fields.require("role", input.role.as_deref(), StaffRole::parse);
    fields.finish()?;
    let role = role.ok_or_else(|| AppError::Internal("role field".into()))?;
    let row = rules::change_role(call.rt, tenant, &acting(call), id, role).await?;
    Ok(ok(&json!({ "staff_member": MemberBody::from(&row) })))
}

pub async fn remove<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = tenant(call).await?;
    let id = call.id("staff_id", StaffId::parse)?;
    rules::remove(call.rt, tenant, &acting(call), id).await?;
    Ok(no_content())
}

pub async fn list_invitations<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = tenant(call).await?;
    let rows: Vec<InvitationRow> = call.rt.db().query(members::list_invitations(tenant)).await?;
    let now = call.rt.now();
    Ok(ok(&json!({ "invitations": rows.iter().map(|row| InvitationBody::new(row, now)).collect::<Vec<_>>() })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InvitationInput {
    email: Option<String>,
    role: Option<String>,
}

pub async fn create_invitation<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = tenant(call).await?;
    let input: InvitationInput = call.json()?;
    let mut fields = Fields::default();
    let email = fields.require("email", input.email.as_deref(), Email::parse);
    let role = fields.require("role", input.role.as_deref(), StaffRole::parse);
    fields.finish()?;
    let (Some(email), Some(role)) = (email, role) else {
        return Err(AppError::Internal("invitation fields".into()));
    };
    let config = call.rt.config();
    let origin = links::origin(&config.console_host, call.req.header("host").unwrap_or(""));
    // The API has no reader: the invitation speaks the language the caller asks for, else English.
    let lang = call.req.header("accept-language").and_then(Language::negotiate).unwrap_or(Language::En);
    let invited = rules::invite(call.rt, tenant, &acting(call), &email, role, &origin, lang).await?;
    let now = call.rt.now();
    Ok(created(&json!({ "invitation": InvitationBody::new(&invited.invitation, now), "url": invited.url })))
}

pub async fn revoke_invitation<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = tenant(call).await?;
    let id = call.id("invitation_id", StaffInvitationId::parse)?;
    rules::revoke_invitation(call.rt, tenant, &acting(call), id).await?;
    Ok(no_content())
}
