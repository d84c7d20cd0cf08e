//! The console's people and what each may do: one place for the roles' rules, so the console
//! and the admin API (which both ask it) cannot disagree.

use serde::{Deserialize, Serialize};

/// A person's role in the console. The operator runs the platform and belongs to no tenant;
/// the others are one tenant's staff.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StaffRole {
    /// Reads everything of the tenant, changes nothing.
    Viewer,
    /// Answers tickets (the help desk); changes no settings.
    Agent,
    /// Sets up the tenant's portals and manages its staff, owners excepted.
    Admin,
    /// An admin who may also make and remove owners.
    Owner,
    Operator,
}

impl StaffRole {
    /// A tenant staff role as the API and the console's forms name it; `operator` is no
    /// tenant's, so it cannot be given.
    pub fn parse(code: &str) -> Result<StaffRole, &'static str> {
        match code {
            "owner" => Ok(StaffRole::Owner),
            "admin" => Ok(StaffRole::Admin),
            "agent" => Ok(StaffRole::Agent),
            "viewer" => Ok(StaffRole::Viewer),
            _ => Err("must be one of owner, admin, agent, viewer"),
        }
    }

    /// A role as stored (`staff.role`), the operator's included.
    pub fn from_db(code: &str) -> Option<StaffRole> {
        if code == "operator" {
            Some(StaffRole::Operator)
        } else {
            StaffRole::parse(code).ok()
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            StaffRole::Operator => "operator",
            StaffRole::Owner => "owner",
            StaffRole::Admin => "admin",
            StaffRole::Agent => "agent",
            StaffRole::Viewer => "viewer",
        }
    }

    /// The roles a tenant's staff can hold, most powerful first (the forms' order).
    pub const TENANT_ROLES: [StaffRole; 4] = [StaffRole::Owner, StaffRole::Admin, StaffRole::Agent, StaffRole::Viewer];

    /// Whether this person may change the tenant's set-up: customers, portals, themes,
    /// templates and the like (an agent answers tickets only; a viewer only reads).
    pub fn can_change_settings(self) -> bool {
        self >= StaffRole::Admin
    }

    /// Whether this person may invite staff, change their roles or remove them.
    pub fn can_manage_staff(self) -> bool {
        self >= StaffRole::Admin
    }

    /// Whether this person may create and revoke the tenant's API keys. Owners only: a key
    /// acts with an owner's reach, so an admin who could make one could make themselves more.
    pub fn can_manage_keys(self) -> bool {
        self >= StaffRole::Owner
    }

    /// Whether this person may give, take or change the role `role` (an admin cannot make
    /// or unmake an owner, so cannot raise themselves above where an owner put them).
    pub fn can_grant(self, role: StaffRole) -> bool {
        self.can_manage_staff() && role != StaffRole::Operator && (role != StaffRole::Owner || self >= StaffRole::Owner)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn only_owners_and_the_operator_manage_api_keys_which_act_with_an_owners_reach() {
        let managers: Vec<StaffRole> = StaffRole::TENANT_ROLES.into_iter().filter(|r| r.can_manage_keys()).collect();
        assert_eq!(managers, [StaffRole::Owner]);
        assert!(StaffRole::Operator.can_manage_keys());
    }

    #[test]
    fn a_tenant_role_parses_from_its_code_and_the_operator_is_not_one() {
        for role in StaffRole::TENANT_ROLES {
            assert_eq!(StaffRole::parse(role.code()), Ok(role));
            assert_eq!(StaffRole::from_db(role.code()), Some(role));
        }
        assert!(StaffRole::parse("operator").is_err());
        assert_eq!(StaffRole::from_db("operator"), Some(StaffRole::Operator));
        assert!(StaffRole::parse("Owner").is_err());
    }

    #[test]
    fn viewers_and_agents_change_no_settings_and_manage_no_staff() {
        for role in [StaffRole::Viewer, StaffRole::Agent] {
            assert!(!role.can_change_settings());
            assert!(!role.can_manage_staff());
            assert!(!role.can_grant(StaffRole::Viewer));
        }
        for role in [StaffRole::Admin, StaffRole::Owner, StaffRole::Operator] {
            assert!(role.can_change_settings());
            assert!(role.can_manage_staff());
        }
    }

    #[test]
    fn only_an_owner_or_the_operator_makes_an_owner_and_nobody_makes_an_operator() {
        assert!(!StaffRole::Admin.can_grant(StaffRole::Owner));
        assert!(StaffRole::Admin.can_grant(StaffRole::Admin));
        assert!(StaffRole::Owner.can_grant(StaffRole::Owner));
        assert!(StaffRole::Operator.can_grant(StaffRole::Owner));
        assert!(!StaffRole::Operator.can_grant(StaffRole::Operator));
    }
}
