//! A portal's registration list (who may register while its join policy is "lists"), the
//! rules written once for the admin API (`addRegistrationEntry`, `removeRegistrationEntry`)
//! and the console's portal page: an address or a whole email domain, once, audited, and a
//! listed address told by email that it may register (by default while the portal admits
//! listed people).

use serde::Serialize;
use serde_json::json;

use crate::app::public_portal::public_portal;
use crate::email::Message;
use crate::runtime::Runtime;
use crate::store::audit::{Actor, Change};
use crate::store::portals::PortalRow;
use crate::store::registration_list::{self, EntryRow, Listed};
use crate::store::{Database, PortalScope};
use porch_types::access::JoinPolicy;
use porch_types::email::{Email, EmailDomain};
use porch_types::error::AppError;
use porch_types::ids::{CustomerId, ListEntryId};
use porch_types::time::Timestamp;

/// A registration list entry as the API shows it (`RegistrationEntry` in openapi.json), and
/// as the audit log keeps a removed one.
#[derive(Serialize)]
pub struct EntryBody<'a> {
    id: &'a str,
    /// `email` or `domain`, whichever the entry lists.
    #[serde(flatten)]
    listed: ListedBody<'a>,
    customer_id: Option<&'a str>,
    created_at: Timestamp,
}

/// What an entry lists, keyed by its kind.
#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
enum ListedBody<'a> {
    Email(&'a str),
    Domain(&'a str),
}

impl<'a> EntryBody<'a> {
    pub fn new(row: &'a EntryRow) -> Result<Self, AppError> {
        let listed = match row.kind.as_str() {
            "email" => ListedBody::Email(&row.value),
            "domain" => ListedBody::Domain(&row.value),
            other => return Err(AppError::Internal(format!("registration entry {} of kind {other:?}", row.id))),
        };
        Ok(EntryBody {
            id: &row.id,
            listed,
            customer_id: row.customer_id.as_deref(),
            created_at: Timestamp::from_millis(row.created_at),
        })
    }
}

/// What a new entry lists, parsed.
pub enum NewEntry {
    Email(Email),
    Domain(EmailDomain),
}

/// Lists `entry` on the portal `row` of `scope`, for `customer`. `send_email` (default: while
/// the portal admits listed people) tells a listed address that it may register; `raw_host`
/// is the request's Host header, for the link's origin.
pub async fn add<R: Runtime>(
    rt: &R,
    raw_host: &str,
    (scope, row): (PortalScope, &PortalRow),
    actor: &Actor,
    entry: &NewEntry,
    customer: Option<CustomerId>,
    send_email: Option<bool>,
) -> Result<EntryRow, AppError> {
    let (listed, email, domain) = match entry {
        NewEntry::Email(email) => (Listed::Email(email), Some(email), None),
        NewEntry::Domain(domain) => (Listed::Domain(domain), None, Some(domain)),
    };
    let id = ListEntryId::from_random(rt.random_16()?);
    let now = rt.now();
    let change = Change::new(scope.tenant, actor, "registration_list.add", "registration_entry", id.to_db())
        .after(json!({ "email": email.map(Email::as_str), "domain": domain.map(EmailDomain::as_str) }));
    let mut batch = vec![registration_list::insert(scope, id, &listed, customer, now), change.statement(now)];
    // The registration email only makes sense while the portal admits listed people.
    let admits_lists = row.join_policy == JoinPolicy::Lists;
    if let (true, Some(to)) = (send_email.unwrap_or(admits_lists), email) {
        let public = public_portal(rt, raw_host, scope, row).await?;
        let link = format!("{}/register", public.origin);
        batch.push(public.sender(scope).queue(rt, to, &Message::RegistrationInvite { link: &link })?);
    }
    rt.db().batch(batch).await.map_err(|err| match AppError::from(err) {
        AppError::Conflict(_) => AppError::Conflict("that email or domain is already on the list".into()),
        other => other,
    })?;
    registration_list::get(rt.db(), scope, id).await?.ok_or(AppError::NotFound)
}

/// Takes the entry `id` off the list.
pub async fn remove<R: Runtime>(rt: &R, scope: PortalScope, actor: &Actor, id: ListEntryId) -> Result<(), AppError> {
    let current = registration_list::get(rt.db(), scope, id).await?.ok_or(AppError::NotFound)?;
    let now = rt.now();
    let change = Change::new(scope.tenant, actor, "registration_list.remove", "registration_entry", id.to_db())
        .before(json!(EntryBody::new(&current)?));
    rt.db().batch(vec![registration_list::delete(scope, id), change.statement_if_changed(now)]).await?;
    Ok(())
}
