//! A portal's policy for people an identity provider vouches for: whether this provider may
//! speak for the person's email domain, whether the person may come in, and which customer
//! their account belongs to. Pure: the caller reads the facts from the database first.

use porch_types::email::Email;
use porch_types::language::Language;
use porch_types::sso::Admission;

/// A person as a verified assertion, token or `id_token` describes them, whatever the protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub email: Email,
    pub name: Option<String>,
    pub locale: Option<Language>,
    pub external_id: Option<String>,
    /// SAML attributes, or the JWT/OIDC claims porch reads (`organization`), by name.
    pub attributes: Vec<(String, Vec<String>)>,
}

impl Identity {
    fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.attributes.iter().filter(move |(n, _)| n == name).flat_map(|(_, values)| values.iter().map(String::as_str))
    }

    /// The first value of an attribute.
    pub fn first<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.values(name).next()
    }
}

/// What one connection says about who comes in and where they belong.
pub struct Rules<'a> {
    pub connection_id: &'a str,
    pub admission: &'a Admission,
    /// Everyone from this provider belongs to this customer.
    pub fixed_customer: Option<&'a str>,
    /// The customer is looked up by this attribute's value.
    pub customer_attribute: Option<&'a str>,
}

/// What the database says about the person, read before deciding.
#[derive(Default)]
pub struct Facts {
    /// The connection that claims the email's domain on this portal, if one does.
    pub domain_owner: Option<String>,
    /// Whether this connection claims any domain at all.
    pub connection_claims_domains: bool,
    /// The customer the email's domain maps to.
    pub domain_customer: Option<String>,
    /// The customer the `customer_attribute` value maps to.
    pub value_customer: Option<String>,
    /// Whether the email or its domain is on the portal's registration list.
    pub listed: bool,
    /// The person's existing account on this portal, if any.
    pub account: Option<AccountFacts>,
    /// The subject is linked, on this connection, to another account than the email's.
    pub subject_taken: bool,
    /// The portal's own customer, for a one-customer portal.
    pub portal_customer: Option<String>,
}

/// An existing account as the policy sees it.
#[derive(Default)]
pub struct AccountFacts {
    pub customer: Option<String>,
    /// The connection it is linked to and its subject there.
    pub linked_connection: Option<String>,
    pub linked_subject: Option<String>,
}

/// Why a verified person was still not let in: stable codes for the SSO event log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("another identity provider of this portal signs in this email domain")]
    DomainOfAnotherProvider,
    #[error("this identity provider does not sign in this email domain")]
    DomainNotClaimed,
    #[error("the account exists and belongs to no domain this provider claims, nor was it made through it")]
    NotLinked,
    #[error("the provider's subject for this person differs from the one the account is linked to")]
    SubjectMismatch,
    #[error("the provider maps the person to another customer than their account's")]
    CustomerMismatch,
    #[error("the email is not on the portal's registration list")]
    NotListed,
    #[error("the person lacks the attribute value the portal requires")]
    AttributeMissing,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::DomainOfAnotherProvider => "domain_of_another_provider",
            Refusal::DomainNotClaimed => "domain_not_claimed",
            Refusal::NotLinked => "not_linked",
            Refusal::SubjectMismatch => "subject_mismatch",
            Refusal::CustomerMismatch => "customer_mismatch",
            Refusal::NotListed => "not_listed",
            Refusal::AttributeMissing => "attribute_missing",
        }
    }
}

/// Let in, with the customer a new account belongs to (an existing account keeps its own).
#[derive(Debug, PartialEq, Eq)]
pub struct Admitted {
    pub customer: Option<String>,
}

/// Decides whether a verified person comes in.
///
/// Accounts are found by email, so an identity provider that could assert any address could
/// take over the accounts of another company's people on a shared portal (OWASP SAML
/// Security Cheat Sheet: validate that the identity provider is authoritative for the identity
/// it asserts). Hence: a domain claimed by one connection is signed in by that connection
/// only; a connection that claims domains signs in only those; and an existing account is
/// entered only by the provider that claims its domain or the one it is linked to (the one
/// that made it), with the same subject.
pub fn decide(identity: &Identity, rules: &Rules<'_>, facts: &Facts) -> Result<Admitted, Refusal> {
    let claims_domain = facts.domain_owner.as_deref() == Some(rules.connection_id);
    match &facts.domain_owner {
        Some(owner) if owner != rules.connection_id => return Err(Refusal::DomainOfAnotherProvider),
        None if facts.connection_claims_domains => return Err(Refusal::DomainNotClaimed),
        _ => {}
    }
    if facts.subject_taken {
        return Err(Refusal::SubjectMismatch);
    }
    if let Some(account) = &facts.account {
        let linked_here = account.linked_connection.as_deref() == Some(rules.connection_id);
        if !claims_domain && !linked_here {
            return Err(Refusal::NotLinked);
        }
        if let (true, Some(stored), Some(presented)) = (linked_here, &account.linked_subject, &identity.external_id) {
            if stored != presented {
                return Err(Refusal::SubjectMismatch);
            }
        }
    }
    match rules.admission {
        Admission::All => {}
        // The list decides who may join; people who already have an account are members.
        Admission::Lists => {
            if !facts.listed && facts.account.is_none() {
                return Err(Refusal::NotListed);
            }
        }
        // An attribute (a group, say) is checked at every sign-in, so taking someone out of
        // the group at the identity provider keeps them out of the portal from then on.
        Admission::Attribute { name, value } => {
            if !identity.values(name).any(|v| v == value) {
                return Err(Refusal::AttributeMissing);
            }
        }
    }
    let customer = facts
        .portal_customer
        .clone()
        .or_else(|| rules.fixed_customer.map(str::to_owned))
        .or_else(|| facts.value_customer.clone())
        .or_else(|| facts.domain_customer.clone());
    // A person the provider now places in another company must not keep seeing the old
    // company's tickets: the provider (or the portal's admin) sorts the account out first.
    if let Some(AccountFacts { customer: Some(current), .. }) = &facts.account {
        if customer.as_ref().is_some_and(|mapped| mapped != current) {
            return Err(Refusal::CustomerMismatch);
        }
    }
    Ok(Admitted { customer })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ada() -> Identity {
        Identity {
            email: Email::parse("ada@acme.example").unwrap(),
            name: Some("Ada".into()),
            locale: None,
            external_id: None,
            attributes: vec![
                ("groups".into(), vec!["staff".into(), "portal".into()]),
                ("org".into(), vec!["ACME".into()]),
            ],
        }
    }

    fn linked(connection: &str) -> AccountFacts {
        AccountFacts { customer: None, linked_connection: Some(connection.into()), linked_subject: None }
    }

    fn rules(admission: &Admission) -> Rules<'_> {
        Rules { connection_id: "c1", admission, fixed_customer: None, customer_attribute: None }
    }

    #[test]
    fn a_domain_claimed_by_another_provider_is_refused_even_for_a_valid_assertion() {
        let facts = Facts { domain_owner: Some("c2".into()), ..Facts::default() };
        assert_eq!(decide(&ada(), &rules(&Admission::All), &facts), Err(Refusal::DomainOfAnotherProvider));
        let facts = Facts { domain_owner: None, connection_claims_domains: true, ..Facts::default() };
        assert_eq!(decide(&ada(), &rules(&Admission::All), &facts), Err(Refusal::DomainNotClaimed));
        let facts = Facts { domain_owner: Some("c1".into()), connection_claims_domains: true, ..Facts::default() };
        assert!(decide(&ada(), &rules(&Admission::All), &facts).is_ok());
    }

    #[test]
    fn lists_admit_listed_people_and_existing_members_only() {
        let lists = Admission::Lists;
        assert_eq!(decide(&ada(), &rules(&lists), &Facts::default()), Err(Refusal::NotListed));
        assert!(decide(&ada(), &rules(&lists), &Facts { listed: true, ..Facts::default() }).is_ok());
        let member = Facts { account: Some(linked("c1")), ..Facts::default() };
        assert!(decide(&ada(), &rules(&lists), &member).is_ok());
    }

    #[test]
    fn an_attribute_rule_needs_the_value_among_the_attributes_values_at_every_sign_in() {
        let wanted = Admission::Attribute { name: "groups".into(), value: "portal".into() };
        assert!(decide(&ada(), &rules(&wanted), &Facts { account: Some(linked("c1")), ..Facts::default() }).is_ok());
        let other = Admission::Attribute { name: "groups".into(), value: "admins".into() };
        let existing = Facts { account: Some(linked("c1")), ..Facts::default() };
        assert_eq!(decide(&ada(), &rules(&other), &existing), Err(Refusal::AttributeMissing));
        let missing = Admission::Attribute { name: "role".into(), value: "portal".into() };
        assert_eq!(decide(&ada(), &rules(&missing), &Facts::default()), Err(Refusal::AttributeMissing));
    }

    #[test]
    fn the_customer_is_the_portals_then_the_providers_then_by_attribute_then_by_domain() {
        let all = Admission::All;
        let facts = Facts {
            value_customer: Some("by-value".into()),
            domain_customer: Some("by-domain".into()),
            ..Facts::default()
        };
        assert_eq!(decide(&ada(), &rules(&all), &facts).unwrap().customer.as_deref(), Some("by-value"));
        let fixed = Rules { fixed_customer: Some("fixed"), ..rules(&all) };
        assert_eq!(decide(&ada(), &fixed, &facts).unwrap().customer.as_deref(), Some("fixed"));
        let own = Facts { portal_customer: Some("own".into()), ..facts };
        assert_eq!(decide(&ada(), &fixed, &own).unwrap().customer.as_deref(), Some("own"));
        let only_domain = Facts { domain_customer: Some("by-domain".into()), ..Facts::default() };
        assert_eq!(decide(&ada(), &rules(&all), &only_domain).unwrap().customer.as_deref(), Some("by-domain"));
        assert_eq!(decide(&ada(), &rules(&all), &Facts::default()).unwrap().customer, None);
        assert_eq!(ada().first("org"), Some("ACME"));
    }

    #[test]
    fn an_existing_account_is_entered_only_by_the_provider_of_its_domain_or_the_one_it_is_linked_to() {
        let all = Admission::All;
        // A password account (no link) of a domain no one claims: not this provider's to enter.
        let unlinked = Facts { account: Some(AccountFacts::default()), ..Facts::default() };
        assert_eq!(decide(&ada(), &rules(&all), &unlinked), Err(Refusal::NotLinked));
        let elsewhere = Facts { account: Some(linked("c2")), ..Facts::default() };
        assert_eq!(decide(&ada(), &rules(&all), &elsewhere), Err(Refusal::NotLinked));
        // The provider that claims the domain may (and then links it).
        let claimed = Facts { domain_owner: Some("c1".into()), connection_claims_domains: true, ..unlinked };
        assert!(decide(&ada(), &rules(&all), &claimed).is_ok());
        assert!(decide(&ada(), &rules(&all), &Facts { account: Some(linked("c1")), ..Facts::default() }).is_ok());
    }

    #[test]
    fn a_subject_names_one_account_and_a_changed_subject_or_customer_is_refused() {
        let all = Admission::All;
        let mut person = ada();
        person.external_id = Some("sub-1".into());
        let account = AccountFacts { linked_subject: Some("sub-2".into()), ..linked("c1") };
        let facts = Facts { account: Some(account), ..Facts::default() };
        assert_eq!(decide(&person, &rules(&all), &facts), Err(Refusal::SubjectMismatch));
        let taken = Facts { subject_taken: true, ..Facts::default() };
        assert_eq!(decide(&person, &rules(&all), &taken), Err(Refusal::SubjectMismatch));
        let moved = AccountFacts { customer: Some("globex".into()), ..linked("c1") };
        let facts = Facts { account: Some(moved), value_customer: Some("initech".into()), ..Facts::default() };
        assert_eq!(decide(&person, &rules(&all), &facts), Err(Refusal::CustomerMismatch));
    }
}
