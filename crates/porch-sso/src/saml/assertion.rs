//! The SAML protocol and assertion checks (SAML Core 2.0 §2, §3.2.2; Profiles §4.1.4) done
//! on verified bytes: status, issuer, destination, recipient, times, audience, InResponseTo,
//! and the claims handed back.

use roxmltree::Node;

use porch_types::time::Timestamp;

use super::xml::{at_most_one, children_named, element_children, is, text_only, NS_ASSERTION, NS_PROTOCOL};
use super::{SamlError, SamlPolicy, VerifiedAssertion, MAX_ASSERTION_AGE_SECONDS};

const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const METHOD_BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
const FORMAT_ENTITY: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity";
const FORMAT_UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
/// The longest claim value kept; longer ones are refused rather than cut.
const MAX_CLAIM_CHARS: usize = 4096;

/// SAML Core 2.0 §3.2.2.1: the top-level StatusCode must be Success. Read before the
/// signature checks: it can only refuse, and an IdP's error response (no assertion, often no
/// signature) is better logged as "status" than as "structure".
pub(super) fn check_status(response: Node<'_, '_>) -> Result<(), SamlError> {
    let status = at_most_one(response, NS_PROTOCOL, "Status", SamlError::Status)?.ok_or(SamlError::Status)?;
    let code = at_most_one(status, NS_PROTOCOL, "StatusCode", SamlError::Status)?.ok_or(SamlError::Status)?;
    if code.attribute("Value") == Some(STATUS_SUCCESS) {
        Ok(())
    } else {
        Err(SamlError::Status)
    }
}

/// An Issuer element's value: text only, entity format (SAML Core 2.0 §2.2.5: omitted
/// Format means entity for an Issuer).
fn issuer_value(issuer: Node<'_, '_>) -> Result<String, SamlError> {
    if issuer.attribute("Format").is_some_and(|format| format != FORMAT_ENTITY) {
        return Err(SamlError::Issuer);
    }
    text_only(issuer).ok_or(SamlError::Claims)
}

/// The Response's own attributes and Issuer (`response` comes from the verified bytes when
/// the Response is signed, from the envelope otherwise).
pub(super) fn check_response(
    response: Node<'_, '_>,
    response_signed: bool,
    policy: &SamlPolicy<'_>,
) -> Result<(), SamlError> {
    // SAML Core 2.0 §3.2.2: the Response's Issuer is optional; if present it must be the IdP.
    if let Some(issuer) = at_most_one(response, NS_ASSERTION, "Issuer", SamlError::Issuer)? {
        if issuer_value(issuer)? != policy.idp_entity_id {
            return Err(SamlError::Issuer);
        }
    }
    // Bindings §3.5.5.2: a signed message must carry Destination, and it must be the
    // endpoint that received it; an unsigned one is checked when present.
    // An empty Destination names no endpoint at all: an IdP misconfiguration worth its own
    // code, and never a match (the ACS URL is never empty).
    match response.attribute("Destination") {
        Some("") => return Err(SamlError::DestinationEmpty),
        Some(destination) if destination != policy.acs_url => return Err(SamlError::Destination),
        None if response_signed => return Err(SamlError::Destination),
        _ => {}
    }
    check_in_response_to(response.attribute("InResponseTo"), policy, false)
}

/// InResponseTo against the request the caller sent (Profiles §4.1.4.2-3). With no request
/// (IdP-initiated), an InResponseTo answers a request this portal never made: refused.
fn check_in_response_to(value: Option<&str>, policy: &SamlPolicy<'_>, required: bool) -> Result<(), SamlError> {
    match (policy.expected_in_response_to, value) {
        (Some(expected), Some(value)) if expected == value => Ok(()),
        (Some(_), None) if !required => Ok(()),
        (None, None) => Ok(()),
        _ => Err(SamlError::InResponseTo),
    }
}

/// Times in milliseconds, with the skew, in saturating arithmetic.
struct Clock {
    now: i64,
    skew: i64,
}

impl Clock {
    /// SAML Core 2.0 §2.5.1.2: valid from NotBefore (inclusive).
    fn not_before(&self, at: Option<i64>) -> Result<(), SamlError> {
        match at {
            Some(at) if self.now.saturating_add(self.skew) < at => Err(SamlError::NotYetValid),
            _ => Ok(()),
        }
    }

    /// ... until NotOnOrAfter (exclusive).
    fn not_on_or_after(&self, at: Option<i64>) -> Result<(), SamlError> {
        match at {
            Some(at) if self.now >= at.saturating_add(self.skew) => Err(SamlError::Expired),
            _ => Ok(()),
        }
    }
}

/// An optional time attribute: absent is `None`, unparseable is an error.
fn time_attribute(node: Node<'_, '_>, name: &str) -> Result<Option<i64>, SamlError> {
    node.attribute(name).map(|text| parse_instant(text).ok_or(SamlError::Claims)).transpose()
}

/// Reads and checks the assertion (from the verified bytes) at `now`.
pub(super) fn read_assertion(
    assertion: Node<'_, '_>,
    policy: &SamlPolicy<'_>,
    now: Timestamp,
) -> Result<VerifiedAssertion, SamlError> {
    let clock = Clock { now: now.millis(), skew: policy.skew_seconds.saturating_mul(1000) };
    if !is(assertion, NS_ASSERTION, "Assertion") || assertion.attribute("Version") != Some("2.0") {
        return Err(SamlError::Structure("the Assertion is not a SAML 2.0 assertion"));
    }
    let assertion_id = assertion.attribute("ID").ok_or(SamlError::Structure("the Assertion has no ID"))?;

    // SAML Core 2.0 §2.3.3: Issuer is required in an assertion and must be the IdP.
    let issuer = at_most_one(assertion, NS_ASSERTION, "Issuer", SamlError::Issuer)?.ok_or(SamlError::Issuer)?;
    let issuer = issuer_value(issuer)?;
    if issuer != policy.idp_entity_id {
        return Err(SamlError::Issuer);
    }

    // IssueInstant bounds how long the assertion can be replayed, whatever its conditions
    // say: `usable_until` is never more than MAX_ASSERTION_AGE_SECONDS after it.
    let issue_instant = time_attribute(assertion, "IssueInstant")?.ok_or(SamlError::Claims)?;
    clock.not_before(Some(issue_instant))?;
    let age_limit = issue_instant.saturating_add(MAX_ASSERTION_AGE_SECONDS.saturating_mul(1000));
    clock.not_on_or_after(Some(age_limit))?;

    // Profiles §4.1.4.2: the Subject has a bearer SubjectConfirmation whose data names the
    // ACS URL as Recipient, has NotOnOrAfter, and answers our request, if any.
    let subject = at_most_one(assertion, NS_ASSERTION, "Subject", SamlError::Claims)?.ok_or(SamlError::Claims)?;
    let confirmed_until = check_subject_confirmation(subject, policy, &clock)?;
    let name_id = at_most_one(subject, NS_ASSERTION, "NameID", SamlError::Claims)?.ok_or(SamlError::Claims)?;
    let name_id_format = name_id.attribute("Format").unwrap_or(FORMAT_UNSPECIFIED).to_owned();
    let name_id = claim_text(name_id)?;
    if name_id.trim().is_empty() {
        return Err(SamlError::Claims);
    }

    // Profiles §4.1.4.2: an AudienceRestriction naming us; Core §2.5.1: the conditions.
    let conditions =
        at_most_one(assertion, NS_ASSERTION, "Conditions", SamlError::Claims)?.ok_or(SamlError::Audience)?;
    let conditions_until = check_conditions(conditions, policy, &clock)?;

    // Profiles §4.1.4.2: at least one AuthnStatement; its SessionIndex is kept for logout.
    let authn = children_named(assertion, NS_ASSERTION, "AuthnStatement");
    let first = authn.first().ok_or(SamlError::Claims)?;
    for statement in &authn {
        clock.not_on_or_after(time_attribute(*statement, "SessionNotOnOrAfter")?)?;
    }
    let session_index = first.attribute("SessionIndex").map(str::to_owned);

    let attributes = read_attributes(assertion)?;
    let until =
        [Some(confirmed_until), conditions_until, Some(age_limit)].into_iter().flatten().min().unwrap_or(age_limit);
    Ok(VerifiedAssertion {
        assertion_id: assertion_id.to_owned(),
        issuer,
        name_id,
        name_id_format,
        session_index,
        in_response_to: policy.expected_in_response_to.map(str::to_owned),
        attributes,
        usable_until: Timestamp::from_millis(until.saturating_add(clock.skew)),
    })
}

/// A claim's text (text nodes only, bounded).
fn claim_text(node: Node<'_, '_>) -> Result<String, SamlError> {
    text_only(node).filter(|text| text.chars().count() <= MAX_CLAIM_CHARS).ok_or(SamlError::Claims)
}

/// One bearer SubjectConfirmation must satisfy everything; its NotOnOrAfter is returned. When
/// none does, the first one's failure is reported.
fn check_subject_confirmation(subject: Node<'_, '_>, policy: &SamlPolicy<'_>, clock: &Clock) -> Result<i64, SamlError> {
    let mut first_error = None;
    for confirmation in children_named(subject, NS_ASSERTION, "SubjectConfirmation") {
        if confirmation.attribute("Method") != Some(METHOD_BEARER) {
            continue;
        }
        let result = (|| {
            let data = at_most_one(confirmation, NS_ASSERTION, "SubjectConfirmationData", SamlError::Claims)?
                .ok_or(SamlError::Recipient)?;
            if data.attribute("Recipient") != Some(policy.acs_url) {
                return Err(SamlError::Recipient);
            }
            let until = time_attribute(data, "NotOnOrAfter")?.ok_or(SamlError::Expired)?;
            clock.not_on_or_after(Some(until))?;
            clock.not_before(time_attribute(data, "NotBefore")?)?;
            check_in_response_to(data.attribute("InResponseTo"), policy, true)?;
            Ok(until)
        })();
        match result {
            Ok(until) => return Ok(until),
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    Err(first_error.unwrap_or(SamlError::Recipient))
}

/// Conditions (SAML Core 2.0 §2.5.1): the times, and every AudienceRestriction must name
/// this SP (§2.5.1.4). A condition we do not understand makes the assertion Indeterminate
/// (§2.5.1.1): refused. The NotOnOrAfter, if any, is returned.
fn check_conditions(
    conditions: Node<'_, '_>,
    policy: &SamlPolicy<'_>,
    clock: &Clock,
) -> Result<Option<i64>, SamlError> {
    clock.not_before(time_attribute(conditions, "NotBefore")?)?;
    let until = time_attribute(conditions, "NotOnOrAfter")?;
    clock.not_on_or_after(until)?;
    let mut restricted = false;
    for condition in element_children(conditions, "text inside Conditions")? {
        if is(condition, NS_ASSERTION, "AudienceRestriction") {
            let mut named = false;
            for audience in children_named(condition, NS_ASSERTION, "Audience") {
                named |= text_only(audience).ok_or(SamlError::Claims)? == policy.sp_entity_id;
            }
            if !named {
                return Err(SamlError::Audience);
            }
            restricted = true;
        } else if !is(condition, NS_ASSERTION, "OneTimeUse") && !is(condition, NS_ASSERTION, "ProxyRestriction") {
            return Err(SamlError::Claims);
        }
    }
    if !restricted {
        return Err(SamlError::Audience);
    }
    Ok(until)
}

/// Every Attribute of every AttributeStatement: its Name and its values' text.
fn read_attributes(assertion: Node<'_, '_>) -> Result<Vec<(String, Vec<String>)>, SamlError> {
    let mut attributes = Vec::new();
    for statement in children_named(assertion, NS_ASSERTION, "AttributeStatement") {
        for attribute in element_children(statement, "text inside AttributeStatement")? {
            // EncryptedAttribute cannot be read; anything else is not an attribute.
            if !is(attribute, NS_ASSERTION, "Attribute") {
                return Err(SamlError::Claims);
            }
            let name = attribute.attribute("Name").ok_or(SamlError::Claims)?;
            let mut values = Vec::new();
            for value in element_children(attribute, "text inside Attribute")? {
                if !is(value, NS_ASSERTION, "AttributeValue") {
                    return Err(SamlError::Claims);
                }
                values.push(claim_text(value)?);
            }
            attributes.push((name.to_owned(), values));
        }
    }
    Ok(attributes)
}

/// An `xs:dateTime` in UTC as SAML Core 2.0 §1.3.3 requires ("no time zone component" other
/// than `Z`): `YYYY-MM-DDThh:mm:ss[.fraction]Z`, to milliseconds since the epoch. That is
/// RFC 3339 narrowed to an upper-case `T` and `Z` and no offset, so the shared parser reads it
/// once the narrower form is checked.
pub(super) fn parse_instant(text: &str) -> Option<i64> {
    let (_, time) = text.split_once('T')?;
    if !text.ends_with('Z') || time.contains(['+', '-', 't', 'z']) {
        return None;
    }
    Timestamp::parse_rfc3339(text).map(Timestamp::millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_instants_parse_to_milliseconds() {
        assert_eq!(parse_instant("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_instant("2024-02-29T12:34:56.789Z"), Some(1_709_210_096_789));
        assert_eq!(parse_instant("2024-02-29T12:34:56.7891234Z"), Some(1_709_210_096_789));
        assert_eq!(parse_instant("2024-02-29T12:34:56.7Z"), Some(1_709_210_096_700));
        assert_eq!(
            Timestamp::from_millis(parse_instant("2026-11-23T14:09:24Z").unwrap()).to_string(),
            "2026-11-23T14:09:24.000Z"
        );
    }

    #[test]
    fn instants_with_zones_or_bad_fields_are_refused() {
        for bad in [
            "2024-02-29T12:34:56",
            "2024-02-29T12:34:56+01:00",
            "2023-02-29T12:34:56Z",
            "2024-13-01T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:60Z",
            "2024-01-01T00:00:00.Z",
            "24-01-01T00:00:00Z",
            "2024-01-01 00:00:00Z",
            "+2024-01-01T00:00:00Z",
            "2024-01-01T00:00:00.1234567890Z",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad}");
        }
    }
}
