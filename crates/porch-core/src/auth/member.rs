//! The person behind a portal session: what pages and handlers know of them.

use crate::portal_context::Agreed;
use porch_types::access::Role;
use porch_types::ids::AccountId;

/// A signed-in person (or a provider previewing as one).
#[derive(Clone, Debug)]
pub struct Member {
    pub token_hash: String,
    /// None only in a preview as a fresh member.
    pub account: Option<AccountId>,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub customer_id: Option<String>,
    /// A read-only "view as" session.
    pub preview: bool,
    /// The account's own ticket visibility, overriding the portal's (None: the portal's).
    pub ticket_visibility: Option<porch_types::portal_tickets::Visibility>,
    /// The versions of the portal's terms and consent text the account agreed to (None:
    /// never, or a preview, which agrees to nothing).
    pub agreed: Agreed,
    /// The CSRF token this person's forms carry, the sign-out button on every page among
    /// them (set with the visitor, before any page is drawn).
    pub csrf: String,
}

impl Member {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}
