//! The rules of a tenant's staff, written once for the console's staff page and the admin
//! API's staff routes: who may invite whom (`StaffRole::can_grant`), the invitation and its
//! email in one batch, a role changed or a person removed with the last owner kept, each
//! audited under whoever did it. Both surfaces parse their input into the typed values these
//! take, and show a `Refusal` in their own way (the API as JSON, the console in the reader's
//! language beside the form).

use serde_json::json;

use crate::app::count_attempt;
use crate::auth::secret::Token;
use crate::email::{compose, Brand, Message};
use crate::i18n::Language;
use crate::runtime::Runtime;
use crate::store::audit::{Actor, Change};
use crate::store::staff_members::{self as members, InvitationRow, InvitationStatus, NewInvitation};
use crate::store::{outbox, tenants, Database, DbError};
use crate::theme::ThemeContext;
use porch_types::email::Email;
use porch_types::error::AppError;
use porch_types::ids::{OutboxId, StaffId, StaffInvitationId, TenantId};
use porch_types::staff::StaffRole;

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 7;
/// Invitations a tenant may send per hour.
const INVITES_PER_HOUR: i64 = 50;

/// Who is acting on a tenant's staff, with what authority: a person of the console with
/// their role, a tenant key (the tenant's owner's reach) or the operator's token.
pub struct Acting {
    pub actor: Actor,
    pub role: StaffRole,
}

/// Why a staff change was refused: what the person asking can be told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The role acting manages no staff.
    NotAllowed,
    /// Only an owner (or the operator) gives or takes the owner role.
    CannotGrant,
    /// The change would leave the tenant without a finished owner.
    LastOwner,
    /// The email already has a console account (finished, or another tenant's).
    AlreadyStaff,
    /// The invitation was already accepted or revoked.
    Closed,
    /// The person's role changed while this change was made: look again.
    Changed,
}

#[derive(Debug)]
pub enum StaffError {
    Refused(Refusal),
    Failed(AppError),
}

impl From<AppError> for StaffError {
    fn from(err: AppError) -> Self {
        StaffError::Failed(err)
    }
}

impl From<DbError> for StaffError {
    fn from(err: DbError) -> Self {
        StaffError::Failed(err.into())
    }
}

impl From<StaffError> for AppError {
    fn from(err: StaffError) -> Self {
        match err {
            StaffError::Failed(err) => err,
            StaffError::Refused(Refusal::NotAllowed | Refusal::CannotGrant) => AppError::Forbidden,
            StaffError::Refused(Refusal::LastOwner) => {
                AppError::Conflict("the tenant must keep at least one owner who has set up sign-in".into())
            }
            StaffError::Refused(Refusal::AlreadyStaff) => {
                AppError::Conflict("this email already has a console account".into())
            }
            StaffError::Refused(Refusal::Closed) => {
                AppError::Conflict("the invitation was already accepted or revoked".into())
            }
            StaffError::Refused(Refusal::Changed) => {
                AppError::Conflict("the person's role changed meanwhile; read it again".into())
            }
        }
    }
}

fn refuse<T>(refusal: Refusal) -> Result<T, StaffError> {
    Err(StaffError::Refused(refusal))
}

/// The first count of a batch: whether its guarded first statement wrote.
fn wrote(changed: &[u64]) -> bool {
    changed.first().is_some_and(|&n| n > 0)
}

/// A new invitation and its link (shown once: only the link's hash is kept).
pub struct Invited {
    pub invitation: InvitationRow,
    pub url: String,
}

/// Invites `email` to the tenant's staff as `role` and queues the invitation email (in
/// `lang`, in the tenant's name) in the same batch. `console_origin` is where the link
/// points. The person's earlier pending invitations stop working.
pub async fn invite<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    by: &Acting,
    email: &Email,
    role: StaffRole,
    console_origin: &str,
    lang: Language,
) -> Result<Invited, StaffError> {
    if !by.role.can_manage_staff() {
        return refuse(Refusal::NotAllowed);
    }
    if !by.role.can_grant(role) {
        return refuse(Refusal::CannotGrant);
    }
    let now = rt.now();
    // An invitation replaces the person's pending ones and, accepted, an account they never
    // finished setting up: the inviter must be able to give those roles too.
    let existing = members::find_in_tenant(rt.db(), tenant, email).await?;
    let pending = members::pending_of(rt.db(), tenant, email, now).await?;
    let replaced = existing.iter().map(|row| row.role.as_str()).chain(pending.iter().map(|row| row.role.as_str()));
    if replaced.filter_map(StaffRole::from_db).any(|role| !by.role.can_grant(role)) {
        return refuse(Refusal::CannotGrant);
    }
    // Each sends an email in the tenant's name: a budget per tenant, so a key or a person
    // cannot mail the world from it.
    // The bucket starts with the tenant's id, so the tenant's erasure takes it too.
    count_attempt(rt.db(), &format!("{tenant}:staff-invite"), INVITES_PER_HOUR, 3600, now).await?;
    let tenant_row = tenants::get(rt.db(), tenant).await?.ok_or(AppError::NotFound)?;
    let token = Token::generate(rt)?;
    let id = StaffInvitationId::from_random(rt.random_16().map_err(AppError::from)?);
    let url = format!("{console_origin}/join/{}", token.text);
    let theme = ThemeContext::fallback();
    let brand = Brand { name: &tenant_row.name, theme: &theme };
    let message = Message::StaffInvitation { link: &url, role };
    let composed = compose(&message, &brand, console_origin, lang);
    let mail = outbox::enqueue(
        OutboxId::from_random(rt.random_16().map_err(AppError::from)?),
        tenant,
        None,
        email,
        message.kind(),
        &composed,
        now,
    );
    let invitation = NewInvitation {
        id,
        email,
        role,
        token_hash: &token.hash,
        created_by: by.actor.label(),
        expires_at: now.plus_seconds(INVITATION_DAYS * 86_400),
    };
    let change = Change::new(tenant, &by.actor, "staff_invitation.create", "staff_invitation", id.to_db())
        .after(json!({ "email": email.as_str(), "role": role.code() }));
    let changed = rt.db().batch(members::invite(tenant, &invitation, &change, mail, now)).await?;
    if !wrote(&changed) {
        return refuse(Refusal::AlreadyStaff);
    }
    let invitation = members::get_invitation(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    Ok(Invited { invitation, url })
}

/// Revokes an invitation not yet accepted or revoked (an expired one too, so it reads as
/// revoked).
pub async fn revoke_invitation<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    by: &Acting,
    id: StaffInvitationId,
) -> Result<(), StaffError> {
    if !by.role.can_manage_staff() {
        return refuse(Refusal::NotAllowed);
    }
    let current = members::get_invitation(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    let now = rt.now();
    if StaffRole::from_db(&current.role).is_none_or(|role| !by.role.can_grant(role)) {
        return refuse(Refusal::CannotGrant);
    }
    if matches!(current.status(now), InvitationStatus::Accepted | InvitationStatus::Revoked) {
        return refuse(Refusal::Closed);
    }
    let change = Change::new(tenant, &by.actor, "staff_invitation.revoke", "staff_invitation", id.to_db())
        .before(json!({ "email": current.email, "role": current.role }));
    let changed =
        rt.db().batch(vec![members::revoke_invitation(tenant, id, now), change.statement_if_changed(now)]).await?;
    if wrote(&changed) {
        Ok(())
    } else {
        refuse(Refusal::Closed)
    }
}

/// The person `id` of the tenant and their role, once `by` is known to manage staff and
/// allowed to touch someone of that role.
async fn member_in_reach<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    by: &Acting,
    id: StaffId,
) -> Result<(members::MemberRow, StaffRole), StaffError> {
    if !by.role.can_manage_staff() {
        return refuse(Refusal::NotAllowed);
    }
    let member = members::get_member(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?;
    let role = member.role().ok_or_else(|| AppError::Internal(format!("staff role {}", member.role)))?;
    if !by.role.can_grant(role) {
        return refuse(Refusal::CannotGrant);
    }
    Ok((member, role))
}

/// Gives the person `id` the role `role`. Giving the role they have changes nothing.
pub async fn change_role<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    by: &Acting,
    id: StaffId,
    role: StaffRole,
) -> Result<members::MemberRow, StaffError> {
    let (member, current) = member_in_reach(rt, tenant, by, id).await?;
    if !by.role.can_grant(role) {
        return refuse(Refusal::CannotGrant);
    }
    if current == role {
        return Ok(member);
    }
    let now = rt.now();
    let change = Change::new(tenant, &by.actor, "staff.role", "staff", id.to_db())
        .before(json!({ "role": current.code() }))
        .after(json!({ "role": role.code() }));
    let changed =
        rt.db().batch(vec![members::set_role(tenant, id, current, role), change.statement_if_changed(now)]).await?;
    if !wrote(&changed) {
        return refuse(not_written(rt, tenant, id, current).await?);
    }
    Ok(members::get_member(rt.db(), tenant, id).await?.ok_or(AppError::NotFound)?)
}

/// Removes the person `id` from the tenant's staff: their sessions end with them.
pub async fn remove<R: Runtime>(rt: &R, tenant: TenantId, by: &Acting, id: StaffId) -> Result<(), StaffError> {
    let (member, role) = member_in_reach(rt, tenant, by, id).await?;
    let now = rt.now();
    let change = Change::new(tenant, &by.actor, "staff.remove", "staff", id.to_db())
        .before(json!({ "email": member.email, "role": role.code() }));
    let changed = rt.db().batch(vec![members::remove(tenant, id, role), change.statement_if_changed(now)]).await?;
    if wrote(&changed) {
        Ok(())
    } else {
        refuse(not_written(rt, tenant, id, role).await?)
    }
}

/// Why a guarded write of the person `id`, read with the role `read`, wrote nothing: they
/// went, their role changed meanwhile, or they are the last finished owner.
async fn not_written<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    id: StaffId,
    read: StaffRole,
) -> Result<Refusal, StaffError> {
    match members::get_member(rt.db(), tenant, id).await? {
        None => Err(StaffError::Failed(AppError::NotFound)),
        Some(row) if row.role() != Some(read) => Ok(Refusal::Changed),
        Some(_) => Ok(Refusal::LastOwner),
    }
}
