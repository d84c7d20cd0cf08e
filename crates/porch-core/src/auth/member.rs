//! The person behind a portal session: what pages and handlers know of them.

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
}

/// Which versions of a portal's texts a person agreed to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Agreed {
    pub terms: Option<i64>,
    pub consent: Option<i64>,
}

impl Member {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}
