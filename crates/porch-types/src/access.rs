//! Who may join a portal and what a member may do there: the join policy and roles.

use serde::{Deserialize, Serialize};

/// A recipient's role on one portal. The first person to accept a portal's invitation
/// becomes its admin; admins manage the portal's other users.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Member,
}

impl Role {
    pub fn parse(code: &str) -> Result<Role, &'static str> {
        match code {
            "admin" => Ok(Role::Admin),
            "member" => Ok(Role::Member),
            _ => Err("must be admin or member"),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }
}

/// A new portal's idle timeout: a session unused this long ends.
pub const DEFAULT_IDLE_TIMEOUT_MINUTES: i64 = 60;
/// A new portal's session lifetime: a session ends this long after sign-in however used.
pub const DEFAULT_SESSION_LIFETIME_HOURS: i64 = 168;
/// An invitation link made without a lifetime lasts this long.
pub const INVITATION_DEFAULT_HOURS: i64 = 168;

/// How people get an account on a portal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JoinPolicy {
    /// Only with an invitation link (the default).
    Invitation,
    /// Anyone may register; the account opens once the email is verified.
    Open,
    /// Registration only for listed emails and email domains (verified the same way).
    Lists,
    /// Only through the portal's single sign-on.
    Sso,
}

impl JoinPolicy {
    pub fn parse(code: &str) -> Result<JoinPolicy, &'static str> {
        match code {
            "invitation" => Ok(JoinPolicy::Invitation),
            "open" => Ok(JoinPolicy::Open),
            "lists" => Ok(JoinPolicy::Lists),
            "sso" => Ok(JoinPolicy::Sso),
            _ => Err("must be one of invitation, open, lists, sso"),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            JoinPolicy::Invitation => "invitation",
            JoinPolicy::Open => "open",
            JoinPolicy::Lists => "lists",
            JoinPolicy::Sso => "sso",
        }
    }

    /// Whether the register page is open at all (lists still check the address).
    pub fn allows_registration(self) -> bool {
        matches!(self, JoinPolicy::Open | JoinPolicy::Lists)
    }

    /// Whether people may sign in with a password (an SSO-only portal has none).
    pub fn allows_passwords(self) -> bool {
        self != JoinPolicy::Sso
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_and_roles_round_trip_through_their_codes() {
        for policy in [JoinPolicy::Invitation, JoinPolicy::Open, JoinPolicy::Lists, JoinPolicy::Sso] {
            assert_eq!(JoinPolicy::parse(policy.code()), Ok(policy));
        }
        for role in [Role::Admin, Role::Member] {
            assert_eq!(Role::parse(role.code()), Ok(role));
        }
        assert!(Role::parse("owner").is_err());
    }

    #[test]
    fn only_open_and_listed_portals_have_a_register_page() {
        assert!(JoinPolicy::Open.allows_registration());
        assert!(JoinPolicy::Lists.allows_registration());
        assert!(!JoinPolicy::Invitation.allows_registration());
        assert!(!JoinPolicy::Sso.allows_passwords());
    }
}
