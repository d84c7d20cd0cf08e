//! The portal admin's Users page: the people of the admin's customer on the portal and their
//! pending invitations, inviting by email, changing roles and removing users. On a portal
//! shared by several customers each customer's admin manages only that customer's people.
//! The last admin can be neither removed nor demoted (checked inside the SQL that makes the
//! change).

use super::forms::{form_page, rate_limit, Form};
use super::{mail, Member, Page};
use crate::app::api::AccountBody;
use crate::auth::secret::Token;
use crate::email::Message;
use crate::http::Response;
use crate::i18n::Translations as _;
use crate::runtime::Runtime;
use crate::store::accounts::AccountRow;
use crate::store::audit::{Actor, Change};
use crate::store::invitations::{self, NewInvitation};
use crate::store::wrote;
use crate::store::{accounts, Database, PortalScope, Statement};
use crate::views::form::Problems;
use crate::views::users::{self as view, UsersView};
use porch_types::access::Role;
use porch_types::email::Email;
use porch_types::error::AppError;
use porch_types::ids::{AccountId, CustomerId, InvitationId};
use porch_types::time::Timestamp;

/// Invitations a portal admin may send per hour.
const INVITES_PER_HOUR: i64 = 30;
/// Invitations from the Users page are valid for a week.
const INVITATION_DAYS: i64 = 7;

fn require_admin<'a, R: Runtime>(page: &'a Page<'_, R>) -> Result<&'a Member, AppError> {
    let member = page.require_member()?;
    if member.is_admin() {
        Ok(member)
    } else {
        Err(AppError::Forbidden)
    }
}

/// An account of the admin's own customer; anyone else's is simply not found.
async fn person_in_group<R: Runtime>(
    page: &Page<'_, R>,
    me: &Member,
    target: AccountId,
) -> Result<AccountRow, AppError> {
    accounts::get(page.rt.db(), page.scope, target)
        .await?
        .filter(|person| person.customer_id == me.customer_id)
        .ok_or(AppError::NotFound)
}

/// Removing a person as one unit: the account (its sessions go by cascade, so they are
/// signed out at once), the audit entry, and the invitations they sent that are still
/// pending; each only if the account was really removed.
/// The account of the admin's group that a Users form names, if it still has the version the
/// form was shown for (its hidden `version` field); Err(page): the page again, as things are
/// now, saying that someone changed the person meanwhile (and nothing was changed). A form
/// without the field (a page opened before versions existed) acts on the person as they are.
async fn person_as_shown<R: Runtime>(
    page: &Page<'_, R>,
    me: &Member,
    form: &Form<'_>,
    target: AccountId,
) -> Result<Result<AccountRow, Response>, AppError> {
    let shown = match form.get("version") {
        None => None,
        Some(raw) => Some(raw.parse::<i64>().map_err(|_| AppError::BadRequest("version must be a number".into()))?),
    };
    let person = person_in_group(page, me, target).await?;
    if shown.is_none_or(|version| version == person.version) {
        Ok(Ok(person))
    } else {
        Ok(Err(changed_meanwhile(page).await?))
    }
}

async fn changed_meanwhile<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    render(page, 409, None, &Problems::general(page.lang.account().changed_meanwhile), "").await
}

/// Why a guarded change of `person` wrote nothing: the account moved on (or went) since it
/// was read, or the change would have left the group without an admin.
async fn refusal<R: Runtime>(page: &Page<'_, R>, person: &AccountRow, target: AccountId) -> Result<Response, AppError> {
    match accounts::get(page.rt.db(), page.scope, target).await? {
        Some(now) if now.version == person.version => {
            render(page, 409, None, &Problems::general(page.lang.account().last_admin), "").await
        }
        _ => changed_meanwhile(page).await,
    }
}

pub fn removal(
    scope: PortalScope,
    person: &AccountRow,
    target: AccountId,
    actor: &Actor,
    now: Timestamp,
) -> Vec<Statement> {
    let change = Change::new(scope.tenant, actor, "account.remove", "account", target.to_db())
        .before(serde_json::json!(AccountBody::from(person)));
    vec![
        accounts::remove(scope, person, person.customer_id.as_deref()),
        change.statement_if_changed(now),
        invitations::revoke_created_by_if_changed(scope, &Actor::Account(target).label(), now),
    ]
}

async fn render<R: Runtime>(
    page: &Page<'_, R>,
    status: u16,
    notice: Option<String>,
    problems: &Problems,
    invite_email: &str,
) -> Result<Response, AppError> {
    let me = require_admin(page)?;
    let group = me.customer_id.as_deref();
    let people = accounts::list_group(page.rt.db(), page.scope, group).await?;
    let now = page.rt.now();
    let pending: Vec<_> = invitations::list(page.rt.db(), page.scope)
        .await?
        .into_iter()
        .filter(|i| i.is_usable(now) && i.customer_id.as_deref() == group)
        .collect();
    let users = UsersView { me, people: &people, pending: &pending, notice: notice.as_deref(), problems, invite_email };
    form_page(page, status, |csrf| view::users(page.portal, page.lang, csrf, &users))
}

pub async fn list<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    render(page, 200, None, &Problems::default(), "").await
}

pub async fn invite<R: Runtime>(page: &Page<'_, R>) -> Result<Response, AppError> {
    let me = require_admin(page)?;
    let form = Form::read(page)?;
    let t = page.lang.account();
    let (Ok(email), Ok(role)) = (Email::parse(form.text("email")), Role::parse(form.text("role"))) else {
        return render(page, 422, None, &Problems::of("email", t.invalid_email), form.text("email")).await;
    };
    let account = me.account.ok_or(AppError::Forbidden)?;
    rate_limit(page, &format!("invite:account:{account}"), INVITES_PER_HOUR, 3600).await?;
    let now = page.rt.now();
    let token = Token::generate(page.rt)?;
    let id = InvitationId::from_random(page.rt.random_16()?);
    let customer = me.customer_id.as_deref().and_then(CustomerId::parse);
    let invitation = NewInvitation {
        id,
        token_hash: &token.hash,
        email: Some(&email),
        role,
        // People invited by a member of a customer join that customer.
        customer,
        created_by: Actor::Account(account).label(),
        expires_at: now.plus_seconds(INVITATION_DAYS * 86_400),
    };
    let link = format!("{}/invite/{}", page.origin(), token.text);
    let actor = Actor::Account(account);
    let change = Change::new(page.scope.tenant, &actor, "invitation.create", "invitation", id.to_db())
        .after(serde_json::json!({ "email": email.as_str(), "role": role }));
    let message = Message::Invitation { link: &link, inviter: Some(&me.name) };
    page.rt
        .db()
        .batch(vec![
            invitations::insert(page.scope, &invitation, now),
            change.statement(now),
            mail::queue(page, &email, &message)?,
        ])
        .await?;
    render(page, 200, Some(format!("{} {email}", t.invitation_sent)), &Problems::default(), "").await
}

pub async fn change_role<R: Runtime>(page: &Page<'_, R>, id: &str) -> Result<Response, AppError> {
    let me = require_admin(page)?;
    let form = Form::read(page)?;
    let target = AccountId::parse(id).ok_or(AppError::NotFound)?;
    let role = Role::parse(form.text("role")).map_err(|e| AppError::BadRequest(e.into()))?;
    let person = match person_as_shown(page, me, &form, target).await? {
        Ok(person) => person,
        Err(refused) => return Ok(refused),
    };
    if person.role == role {
        return render(page, 200, None, &Problems::default(), "").await;
    }
    let now = page.rt.now();
    let actor = Actor::Account(me.account.ok_or(AppError::Forbidden)?);
    let change = Change::new(page.scope.tenant, &actor, "account.role", "account", target.to_db())
        .before(serde_json::json!({ "role": person.role }))
        .after(serde_json::json!({ "role": role }));
    let to = Email::parse(&person.email).map_err(|_| AppError::Internal("stored email".into()))?;
    let mut batch = vec![
        accounts::set_role(page.scope, &person, me.customer_id.as_deref(), role, now),
        change.statement_if_changed(now),
        mail::queue_to_account_if_changed(page, &to, person.language, &Message::RoleChanged { role })?,
    ];
    if role == Role::Member {
        // A former admin's pending invitations stop working with their role.
        batch.push(invitations::revoke_created_by_if_changed(page.scope, &Actor::Account(target).label(), now));
    }
    let changed = page.rt.db().batch(batch).await?;
    let t = page.lang.account();
    if wrote(&changed, 0) {
        render(page, 200, Some(format!("{} {}", t.role_changed, person.name)), &Problems::default(), "").await
    } else {
        refusal(page, &person, target).await
    }
}

pub async fn remove<R: Runtime>(page: &Page<'_, R>, id: &str) -> Result<Response, AppError> {
    let me = require_admin(page)?;
    let form = Form::read(page)?;
    let target = AccountId::parse(id).ok_or(AppError::NotFound)?;
    let person = match person_as_shown(page, me, &form, target).await? {
        Ok(person) => person,
        Err(refused) => return Ok(refused),
    };
    let now = page.rt.now();
    let actor = Actor::Account(me.account.ok_or(AppError::Forbidden)?);
    let changed = page.rt.db().batch(removal(page.scope, &person, target, &actor, now)).await?;
    let t = page.lang.account();
    if !wrote(&changed, 0) {
        return refusal(page, &person, target).await;
    }
    if me.account == Some(target) {
        return Ok(Response::see_other("/signed-out"));
    }
    render(page, 200, Some(format!("{} {}", t.user_removed, person.name)), &Problems::default(), "").await
}

pub async fn revoke_invitation<R: Runtime>(page: &Page<'_, R>, id: &str) -> Result<Response, AppError> {
    let me = require_admin(page)?;
    Form::read(page)?;
    let id = InvitationId::parse(id).ok_or(AppError::NotFound)?;
    // Only invitations to the admin's own customer: anyone else's is simply not found.
    let invitation = invitations::get(page.rt.db(), page.scope, id)
        .await?
        .filter(|i| i.customer_id == me.customer_id)
        .ok_or(AppError::NotFound)?;
    let now = page.rt.now();
    let actor = Actor::Account(me.account.ok_or(AppError::Forbidden)?);
    let change = Change::new(page.scope.tenant, &actor, "invitation.revoke", "invitation", id.to_db())
        .before(serde_json::json!({ "status": invitation.status(now) }));
    page.rt.db().batch(vec![invitations::revoke(page.scope, id, now), change.statement_if_changed(now)]).await?;
    let t = page.lang.account();
    let who = invitation.email.unwrap_or_default();
    render(page, 200, Some(format!("{} {who}", t.invitation_revoked)), &Problems::default(), "").await
}
