//! A tenant's staff and the invitations that bring them in. Every statement binds the tenant.
//! The rules (who may invite whom, the last owner) are `app::staff`'s; the writes here are
//! guarded so that two racing requests cannot break them: the last finished owner is never
//! demoted or removed, an invitation is accepted once, and an email that already has a
//! finished console account is never invited or taken over.

use serde::Deserialize;

use super::audit::{Actor, Change};
use super::staff::{insert_session_if_changed, NewSession};
use super::{Database, DbError, Statement};
use crate::params;
use porch_types::email::Email;
use porch_types::ids::{StaffId, StaffInvitationId, TenantId};
use porch_types::staff::StaffRole;
use porch_types::time::Timestamp;

/// One of a tenant's staff, as the staff page and the API list them.
#[derive(Clone, Debug, Deserialize)]
pub struct MemberRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    has_second_factor: i64,
    pub created_at: i64,
}

impl MemberRow {
    pub fn has_second_factor(&self) -> bool {
        self.has_second_factor == 1
    }

    pub fn role(&self) -> Option<StaffRole> {
        StaffRole::from_db(&self.role)
    }
}

/// `SELECT <a member's columns> FROM staff <rest>`.
macro_rules! select_members {
    ($rest:literal) => {
        concat!(
            "SELECT id, email, name, role, totp_secret IS NOT NULL AS has_second_factor, created_at FROM staff ",
            $rest
        )
    };
}

/// The tenant's staff, by name.
pub fn list_members(tenant: TenantId) -> Statement {
    Statement::new(select_members!("WHERE tenant_id = ?1 ORDER BY name COLLATE NOCASE, email"), params![tenant.to_db()])
}

pub async fn get_member(db: &impl Database, tenant: TenantId, id: StaffId) -> Result<Option<MemberRow>, DbError> {
    db.query_one(Statement::new(
        select_members!("WHERE tenant_id = ?1 AND id = ?2"),
        params![tenant.to_db(), id.to_db()],
    ))
    .await
}

/// True unless the row is the tenant's last finished owner (one who has set up the second
/// factor and so can act): a tenant always keeps someone who can manage it. SQL text for a
/// `WHERE` on `staff` with the tenant as ?1 and the person as ?2.
macro_rules! not_the_last_owner {
    () => {
        "(role != 'owner' OR totp_secret IS NULL
          OR EXISTS (SELECT 1 FROM staff o WHERE o.tenant_id = ?1 AND o.role = 'owner'
                     AND o.totp_secret IS NOT NULL AND o.id != ?2))"
    };
}

/// Gives a person who has the role `current` the role `role` (so a role changed meanwhile,
/// which the caller's permission was checked against, is not overwritten), unless they are
/// the last finished owner and `role` is not owner.
pub fn set_role(tenant: TenantId, id: StaffId, current: StaffRole, role: StaffRole) -> Statement {
    Statement::new(
        concat!(
            "UPDATE staff SET role = ?3 WHERE tenant_id = ?1 AND id = ?2 AND role = ?4 AND role != ?3 AND (?3 = 'owner' OR ",
            not_the_last_owner!(),
            ")"
        ),
        params![tenant.to_db(), id.to_db(), role.code(), current.code()],
    )
}

/// Removes a person who has the role `current` (their sessions and recovery codes go with
/// them), unless they are the last finished owner.
pub fn remove(tenant: TenantId, id: StaffId, current: StaffRole) -> Statement {
    Statement::new(
        concat!("DELETE FROM staff WHERE tenant_id = ?1 AND id = ?2 AND role = ?3 AND ", not_the_last_owner!()),
        params![tenant.to_db(), id.to_db(), current.code()],
    )
}

/// The tenant's account of `email`, if it has one (finished or not).
pub async fn find_in_tenant(db: &impl Database, tenant: TenantId, email: &Email) -> Result<Option<MemberRow>, DbError> {
    db.query_one(Statement::new(
        select_members!("WHERE tenant_id = ?1 AND email = ?2"),
        params![tenant.to_db(), email.as_str()],
    ))
    .await
}

/// An invitation to the tenant's staff.
#[derive(Clone, Debug, Deserialize)]
pub struct InvitationRow {
    pub id: String,
    pub email: String,
    pub role: String,
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// Where an invitation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Expired,
    Revoked,
}

impl InvitationStatus {
    pub fn code(self) -> &'static str {
        match self {
            InvitationStatus::Pending => "pending",
            InvitationStatus::Accepted => "accepted",
            InvitationStatus::Expired => "expired",
            InvitationStatus::Revoked => "revoked",
        }
    }
}

impl InvitationRow {
    pub fn status(&self, now: Timestamp) -> InvitationStatus {
        if self.accepted_at.is_some() {
            InvitationStatus::Accepted
        } else if self.revoked_at.is_some() {
            InvitationStatus::Revoked
        } else if self.expires_at <= now.millis() {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Pending
        }
    }
}

/// `SELECT <an invitation's columns> FROM staff_invitations <rest>`.
macro_rules! select_invitations {
    ($rest:literal) => {
        concat!(
            "SELECT id, email, role, created_by, created_at, expires_at, accepted_at, revoked_at FROM staff_invitations ",
            $rest
        )
    };
}

/// The tenant's latest invitations, newest first.
pub fn list_invitations(tenant: TenantId) -> Statement {
    Statement::new(
        select_invitations!("WHERE tenant_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT 200"),
        params![tenant.to_db()],
    )
}

pub async fn get_invitation(
    db: &impl Database,
    tenant: TenantId,
    id: StaffInvitationId,
) -> Result<Option<InvitationRow>, DbError> {
    db.query_one(Statement::new(
        select_invitations!("WHERE tenant_id = ?1 AND id = ?2"),
        params![tenant.to_db(), id.to_db()],
    ))
    .await
}

/// The tenant's pending invitations of `email`.
pub async fn pending_of(
    db: &impl Database,
    tenant: TenantId,
    email: &Email,
    now: Timestamp,
) -> Result<Vec<InvitationRow>, DbError> {
    db.query(Statement::new(
        select_invitations!(
            "WHERE tenant_id = ?1 AND email = ?2 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?3"
        ),
        params![tenant.to_db(), email.as_str(), now.millis()],
    ))
    .await
}

/// An email is free to invite to `tenant` unless it has a finished console account, or an
/// unfinished one of another tenant (or the operator's). SQL text with the email as ?3 and
/// the tenant as ?2.
macro_rules! email_is_free {
    () => {
        "NOT EXISTS (SELECT 1 FROM staff WHERE email = ?3 AND (totp_secret IS NOT NULL OR tenant_id IS NOT ?2))"
    };
}

/// Each statement after an acceptance's first acts only if this batch's acceptance is the
/// invitation's (?1 the invitation, ?4 the person being made).
macro_rules! accepted_here {
    () => {
        "EXISTS (SELECT 1 FROM staff_invitations WHERE id = ?1 AND accepted_staff_id = ?4)"
    };
}

/// The person's earlier pending invitations to the tenant, once the new one (?3) is written:
/// ?1 the tenant, ?2 the email, ?4 now.
macro_rules! earlier_pending {
    () => {
        "WHERE tenant_id = ?1 AND email = ?2 AND id != ?3 AND accepted_at IS NULL AND revoked_at IS NULL
           AND expires_at > ?4 AND EXISTS (SELECT 1 FROM staff_invitations WHERE id = ?3)"
    };
}

/// Whoever made an invitation may still give its role when it is accepted: a key not
/// revoked, a person whose role (now) can grant it, or the operator's token. Someone demoted
/// or removed, or a revoked key, leaves no link behind that still works. SQL text for a
/// `WHERE` on `staff_invitations`.
macro_rules! inviter_still_may {
    () => {
        "(CASE
            WHEN staff_invitations.created_by = 'platform' THEN 1
            WHEN staff_invitations.created_by LIKE 'key:%' THEN EXISTS (
              SELECT 1 FROM api_keys k WHERE 'key:' || k.id = staff_invitations.created_by
                AND k.tenant_id = staff_invitations.tenant_id AND k.revoked_at IS NULL)
            WHEN staff_invitations.created_by LIKE 'staff:%' THEN EXISTS (
              SELECT 1 FROM staff s WHERE 'staff:' || s.id = staff_invitations.created_by
                AND (s.role IN ('operator', 'owner') OR (s.role = 'admin' AND staff_invitations.role != 'owner'))
                AND (s.tenant_id IS NULL OR s.tenant_id = staff_invitations.tenant_id))
            ELSE 0
          END)"
    };
}

pub struct NewInvitation<'a> {
    pub id: StaffInvitationId,
    pub email: &'a Email,
    pub role: StaffRole,
    pub token_hash: &'a str,
    pub created_by: String,
    pub expires_at: Timestamp,
}

/// The statements of an invitation, for one batch: the invitation (only if its email is
/// free), its audit entry and `email` (each only if the invitation was written), and the
/// person's earlier pending invitations to the tenant revoked, so only the newest link works.
pub fn invite(
    tenant: TenantId,
    invitation: &NewInvitation<'_>,
    change: &Change<'_>,
    email: Statement,
    now: Timestamp,
) -> Vec<Statement> {
    let (id, to) = (invitation.id.to_db(), invitation.email.as_str());
    vec![
        Statement::new(
            concat!(
                "INSERT INTO staff_invitations (id, tenant_id, email, role, token_hash, created_by, created_at, expires_at)
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 WHERE ",
                email_is_free!()
            ),
            params![
                id.as_str(),
                tenant.to_db(),
                to,
                invitation.role.code(),
                invitation.token_hash,
                invitation.created_by.as_str(),
                now.millis(),
                invitation.expires_at.millis()
            ],
        ),
        change.statement_if_changed(now),
        super::outbox::only_if_changed(email),
        Statement::new(
            concat!(
                "INSERT INTO audit_log (tenant_id, actor, action, target_type, target_id, at, before_json, after_json)
                 SELECT ?1, ?5, 'staff_invitation.revoke', 'staff_invitation', id, ?4,
                        json_object('email', email, 'role', role, 'replaced_by', ?3), NULL
                 FROM staff_invitations ",
                earlier_pending!()
            ),
            params![tenant.to_db(), to, id.as_str(), now.millis(), change.actor.label()],
        ),
        Statement::new(
            concat!("UPDATE staff_invitations SET revoked_at = ?4 ", earlier_pending!()),
            params![tenant.to_db(), to, id.as_str(), now.millis()],
        ),
    ]
}

/// Revokes an invitation not yet accepted or revoked.
pub fn revoke_invitation(tenant: TenantId, id: StaffInvitationId, now: Timestamp) -> Statement {
    Statement::new(
        "UPDATE staff_invitations SET revoked_at = ?3
         WHERE tenant_id = ?1 AND id = ?2 AND accepted_at IS NULL AND revoked_at IS NULL",
        params![tenant.to_db(), id.to_db(), now.millis()],
    )
}

/// An invitation found by its link, with its tenant's name, for the page that accepts it.
#[derive(Clone, Debug, Deserialize)]
pub struct Invitee {
    pub id: String,
    pub tenant_id: String,
    pub tenant_name: String,
    pub token_hash: String,
    pub email: String,
    pub role: String,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl Invitee {
    pub fn is_usable(&self, now: Timestamp) -> bool {
        self.accepted_at.is_none() && self.revoked_at.is_none() && self.expires_at > now.millis()
    }
}

pub async fn find_by_token(db: &impl Database, token_hash: &str) -> Result<Option<Invitee>, DbError> {
    db.query_one(Statement::new(
        "SELECT i.id, i.tenant_id, t.name AS tenant_name, i.token_hash, i.email, i.role, i.expires_at,
                i.accepted_at, i.revoked_at
         FROM staff_invitations i JOIN tenants t ON t.id = i.tenant_id
         WHERE i.token_hash = ?1",
        params![token_hash],
    ))
    .await
}

/// The person an accepted invitation makes.
pub struct Joining<'a> {
    pub id: StaffId,
    pub name: &'a str,
    pub password_hash: &'a str,
}

/// Accepts an invitation in one batch: marks it used (only if it is still pending, its email
/// still free, and its maker may still give its role: `inviter_still_may!`), replaces (and
/// audits replacing) an unfinished account of the same email in the tenant (an
/// earlier invitation whose second factor was never set up), makes the person with the
/// invitation's role, audits it under them, and starts their session at `session` (setting
/// up the second factor). Returns whether the invitation was accepted.
pub async fn accept(
    db: &impl Database,
    invitee: &Invitee,
    joining: &Joining<'_>,
    session: &NewSession<'_>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let (invitation, staff) = (invitee.id.as_str(), joining.id.to_db());
    let (tenant, email) = (invitee.tenant_id.as_str(), invitee.email.as_str());
    let actor = Actor::Staff(format!("staff:{staff}"));
    let change = Change {
        tenant: TenantId::parse(tenant),
        actor: &actor,
        action: "staff.join",
        target_type: "staff",
        target_id: staff.clone(),
        before: None,
        after: Some(serde_json::json!({ "email": email, "name": joining.name, "role": invitee.role })),
    };
    let changed = db
        .batch(vec![
            Statement::new(
                concat!(
                    "UPDATE staff_invitations SET accepted_at = ?5, accepted_staff_id = ?4
                     WHERE id = ?1 AND tenant_id = ?2 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?5
                       AND ",
                    email_is_free!(),
                    // An unfinished owner is replaced only by an owner's invitation.
                    " AND NOT EXISTS (SELECT 1 FROM staff o WHERE o.email = ?3 AND o.tenant_id = ?2
                                       AND o.role = 'owner' AND staff_invitations.role != 'owner')
                     AND ",
                    inviter_still_may!()
                ),
                params![invitation, tenant, email, staff.as_str(), now.millis()],
            ),
            Statement::new(
                concat!(
                    "INSERT INTO audit_log (tenant_id, actor, action, target_type, target_id, at, before_json, after_json)
                     SELECT ?2, 'staff:' || ?4, 'staff.replace', 'staff', id, ?5, json_object('email', email, 'role', role), NULL
                     FROM staff WHERE email = ?3 AND tenant_id = ?2 AND totp_secret IS NULL AND ",
                    accepted_here!()
                ),
                params![invitation, tenant, email, staff.as_str(), now.millis()],
            ),
            Statement::new(
                concat!(
                    "DELETE FROM staff WHERE email = ?3 AND tenant_id = ?2 AND totp_secret IS NULL AND ",
                    accepted_here!()
                ),
                params![invitation, tenant, email, staff.as_str()],
            ),
            Statement::new(
                concat!(
                    "INSERT INTO staff (id, tenant_id, email, name, role, password_hash, created_at)
                     SELECT ?4, ?2, ?3, ?5, role, ?6, ?7 FROM staff_invitations WHERE id = ?1 AND ",
                    accepted_here!()
                ),
                params![invitation, tenant, email, staff.as_str(), joining.name, joining.password_hash, now.millis()],
            ),
            change.statement_if_changed(now),
            insert_session_if_changed(joining.id, session, now),
        ])
        .await?;
    Ok(changed.first().is_some_and(|&n| n > 0))
}
