//! SAML 2.0 Web Browser SSO responses (HTTP-POST binding) verified inside the worker: the
//! `SAMLResponse` form value and the portal's SAML policy in, a verified assertion or a typed
//! error out. Protocol only: which portal, who may come in and what account they get are the
//! caller's, and so is replay (remember `assertion_id` until `usable_until`, by a D1 unique
//! key).
//!
//! The order of the checks (each cites its spec where it is made):
//! 1. size cap, strict base64, UTF-8 (never inflated: the POST binding does not deflate);
//! 2. one strict parse (no DTD, bounded nodes and depth); the root is a 2.0 `Response`;
//!    an IdP error status is refused here (refusing early cannot let anyone in);
//! 3. the census: one assertion (plain or encrypted), a direct child of the Response, whatever
//!    an assertion's Advice holds left unread; signatures only on the Response or that
//!    assertion, once; IDs unique NCNames (`xml::census`, which defeats signature wrapping);
//!    an encrypted assertion is decrypted with the SP's keys and parsed in its place, then
//!    held to all of this and what follows (`encryption`, `decrypt_and_verify`);
//! 4. to 7. each signature: its exact expected shape, the allowlisted algorithms, the digest of
//!    the exclusive canonical form of its parent, the signature over the canonical SignedInfo
//!    with the pinned keys only (`dsig`);
//! 8. coverage: the assertion is signed, or (if the portal allows it) inside a signed
//!    Response; any invalid signature fails everything;
//! 9. the claims are read from a fresh parse of the canonical bytes that were verified;
//! 10. issuer, destination, recipient, times, audience, InResponseTo (`assertion`);
//! 11. the assertion id and until when it must be remembered.

// SAML and XML-DSig element and attribute names (NotOnOrAfter, SignedInfo, IdP) are prose
// names from the specs throughout this module; back-quoting each one would not help a reader.
#![allow(clippy::doc_markdown)]

mod assertion;
mod base64;
mod c14n;
mod certificate;
mod dsig;
mod encryption;
mod keys;
mod metadata;
mod request;
mod sp_keys;
#[cfg(test)]
mod tests;
mod x509_time;
mod xml;

use porch_types::time::Timestamp;

pub use encryption::{DecryptionKey, MAX_DECRYPTION_KEYS};
pub use keys::{CertificateWarning, KeyError, KeyKind, PinnedKey, CERTIFICATE_WARNING_DAYS, MIN_RSA_BITS};
pub use metadata::{parse_idp_metadata, IdpMetadata, MetadataError, BINDING_REDIRECT, MAX_METADATA_BYTES};
pub use request::{authn_request_redirect_url, authn_request_xml, sp_metadata, SpMetadata, SIG_ALG_RSA_SHA256};
pub use sp_keys::{certificate_id, SpKey, SpKeyError, SP_KEY_BITS};

/// The longest `SAMLResponse` form value accepted (base64 text): real responses are a few
/// KiB, large ones with many attributes tens of KiB.
pub const MAX_RESPONSE_BASE64_BYTES: usize = 256 * 1024;
pub const DEFAULT_SKEW_SECONDS: i64 = 120;
pub const MAX_SKEW_SECONDS: i64 = 600;
/// An assertion is never accepted, and its id never needs remembering, longer than this after
/// its IssueInstant, whatever its conditions say.
pub const MAX_ASSERTION_AGE_SECONDS: i64 = 3600;
/// A portal pins one key, or two during an IdP's key rollover.
pub const MAX_PINNED_KEYS: usize = 2;

/// The XML-DSig signature methods a portal may allow (XML-DSig 1.1 §6.4, RFC 6931 §2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    RsaSha256,
    RsaSha384,
    RsaSha512,
    EcdsaSha256,
    /// Only for an old IdP, by explicit opt-in; it also allows SHA-1 digests.
    RsaSha1,
}

/// Every method porch can verify.
const ALL_ALGORITHMS: [SignatureAlgorithm; 5] = [
    SignatureAlgorithm::RsaSha256,
    SignatureAlgorithm::RsaSha384,
    SignatureAlgorithm::RsaSha512,
    SignatureAlgorithm::EcdsaSha256,
    SignatureAlgorithm::RsaSha1,
];

/// The methods allowed unless a portal chooses otherwise: no SHA-1.
pub const DEFAULT_ALGORITHMS: &[SignatureAlgorithm] = &[
    SignatureAlgorithm::RsaSha256,
    SignatureAlgorithm::RsaSha384,
    SignatureAlgorithm::RsaSha512,
    SignatureAlgorithm::EcdsaSha256,
];

impl SignatureAlgorithm {
    pub fn uri(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            SignatureAlgorithm::RsaSha384 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
            SignatureAlgorithm::RsaSha512 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
            SignatureAlgorithm::EcdsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
            SignatureAlgorithm::RsaSha1 => "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        }
    }

    /// The algorithm with exactly this URI (no case folding, no trimming).
    pub fn from_uri(uri: &str) -> Option<SignatureAlgorithm> {
        ALL_ALGORITHMS.into_iter().find(|alg| alg.uri() == uri)
    }

    /// The short name the admin API and stored settings use.
    pub fn name(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaSha256 => "rsa-sha256",
            SignatureAlgorithm::RsaSha384 => "rsa-sha384",
            SignatureAlgorithm::RsaSha512 => "rsa-sha512",
            SignatureAlgorithm::EcdsaSha256 => "ecdsa-sha256",
            SignatureAlgorithm::RsaSha1 => "rsa-sha1",
        }
    }

    pub fn from_name(name: &str) -> Option<SignatureAlgorithm> {
        ALL_ALGORITHMS.into_iter().find(|alg| alg.name() == name)
    }

    /// Whether a SignatureValue of `len` bytes can be one of this algorithm with a key we
    /// accept: RSA 2048 to 4096 bits, P-256's raw r || s.
    fn signature_length_fits(self, len: usize) -> bool {
        match self {
            SignatureAlgorithm::EcdsaSha256 => len == 64,
            _ => (MIN_RSA_BITS / 8..=512).contains(&len),
        }
    }
}

/// What a portal requires of SAML responses. Made by `SamlPolicy::new`, which keeps the
/// numbers in range; the optional parts are set by the `with_` methods.
#[derive(Clone, Debug)]
pub struct SamlPolicy<'a> {
    idp_entity_id: &'a str,
    sp_entity_id: &'a str,
    acs_url: &'a str,
    keys: &'a [PinnedKey],
    algorithms: &'a [SignatureAlgorithm],
    want_assertions_signed: bool,
    skew_seconds: i64,
    expected_in_response_to: Option<&'a str>,
    decryption_keys: &'a [DecryptionKey],
    blinding_seed: [u8; 32],
}

/// Why a policy cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("the IdP entity ID, SP entity ID and ACS URL must not be empty")]
    Empty,
    #[error("a portal pins 1 to {MAX_PINNED_KEYS} keys")]
    Keys,
    #[error("a portal must allow at least one signature algorithm")]
    NoAlgorithms,
    #[error("the skew must be 0 to {MAX_SKEW_SECONDS} seconds")]
    Skew,
    #[error("a portal has at most {MAX_DECRYPTION_KEYS} decryption keys")]
    DecryptionKeys,
}

impl<'a> SamlPolicy<'a> {
    /// A policy that wants signed assertions, a skew of `DEFAULT_SKEW_SECONDS` and no
    /// InResponseTo (IdP-initiated: whether that is allowed is the caller's decision).
    pub fn new(
        idp_entity_id: &'a str,
        sp_entity_id: &'a str,
        acs_url: &'a str,
        keys: &'a [PinnedKey],
        algorithms: &'a [SignatureAlgorithm],
    ) -> Result<SamlPolicy<'a>, PolicyError> {
        if idp_entity_id.is_empty() || sp_entity_id.is_empty() || acs_url.is_empty() {
            return Err(PolicyError::Empty);
        }
        if keys.is_empty() || keys.len() > MAX_PINNED_KEYS {
            return Err(PolicyError::Keys);
        }
        if algorithms.is_empty() {
            return Err(PolicyError::NoAlgorithms);
        }
        Ok(SamlPolicy {
            idp_entity_id,
            sp_entity_id,
            acs_url,
            keys,
            algorithms,
            want_assertions_signed: true,
            skew_seconds: DEFAULT_SKEW_SECONDS,
            expected_in_response_to: None,
            decryption_keys: &[],
            blinding_seed: [0; 32],
        })
    }

    pub fn with_skew_seconds(mut self, skew_seconds: i64) -> Result<SamlPolicy<'a>, PolicyError> {
        if !(0..=MAX_SKEW_SECONDS).contains(&skew_seconds) {
            return Err(PolicyError::Skew);
        }
        self.skew_seconds = skew_seconds;
        Ok(self)
    }

    /// `false`: an unsigned assertion inside a signed Response is enough (SAML Profiles
    /// §4.1.3.5 allows either to be signed); `true` (the default) requires the assertion's
    /// own signature.
    #[must_use]
    pub fn with_want_assertions_signed(mut self, want: bool) -> SamlPolicy<'a> {
        self.want_assertions_signed = want;
        self
    }

    /// The SP's private keys for encrypted assertions (each is tried: two or three during a
    /// rollover). Without any, an EncryptedAssertion is refused as `NoDecryptionKey`.
    /// `blinding_seed` must be fresh random bytes for each verification: every RSA decryption
    /// is blinded with randomness drawn from it, so its timing says as little as the `rsa`
    /// crate allows about the key (RUSTSEC-2023-0071 is about unblinded timing).
    pub fn with_decryption_keys(
        mut self,
        keys: &'a [DecryptionKey],
        blinding_seed: [u8; 32],
    ) -> Result<SamlPolicy<'a>, PolicyError> {
        if keys.len() > MAX_DECRYPTION_KEYS {
            return Err(PolicyError::DecryptionKeys);
        }
        self.decryption_keys = keys;
        self.blinding_seed = blinding_seed;
        Ok(self)
    }

    /// SP-initiated sign-in: the ID of the AuthnRequest this response must answer.
    #[must_use]
    pub fn with_expected_in_response_to(mut self, request_id: &'a str) -> SamlPolicy<'a> {
        self.expected_in_response_to = Some(request_id);
        self
    }
}

/// Why a response was refused: a stable code for the SSO event log. Neither the code nor
/// the message carries input or secrets.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SamlError {
    #[error("the SAMLResponse is larger than {MAX_RESPONSE_BASE64_BYTES} bytes")]
    TooLarge,
    #[error("the SAMLResponse or a signature value is not strict base64")]
    Base64,
    #[error("the SAMLResponse is not well-formed UTF-8 XML within the size limits")]
    Xml,
    #[error("the SAMLResponse has a DTD or entity declarations")]
    Dtd,
    #[error("the SAMLResponse does not have the expected structure: {0}")]
    Structure(&'static str),
    #[error("the assertion is not signed as the portal requires")]
    SignatureMissing,
    #[error("a signature uses an algorithm or transform the portal does not allow")]
    Algorithm,
    #[error("a signature's digest does not match the signed element")]
    Digest,
    #[error("a signature does not verify with the portal's keys")]
    Signature,
    #[error("the portal has no key for the signature's algorithm")]
    Key,
    #[error("the IdP did not answer with a Success status")]
    Status,
    #[error("the issuer is not the portal's IdP")]
    Issuer,
    #[error("the Response's Destination is missing or not this ACS URL")]
    Destination,
    #[error("the Response's Destination is empty")]
    DestinationEmpty,
    #[error("no bearer confirmation names this ACS URL as Recipient")]
    Recipient,
    #[error("the assertion is not for this service provider (audience)")]
    Audience,
    #[error("the assertion is not valid yet")]
    NotYetValid,
    #[error("the assertion has expired")]
    Expired,
    #[error("InResponseTo does not match the sign-in request")]
    InResponseTo,
    #[error("the assertion's subject, statements or attributes cannot be read")]
    Claims,
    #[error("the assertion is encrypted and this connection has no decryption key")]
    NoDecryptionKey,
    #[error("the encrypted assertion uses a key transport or cipher porch does not accept")]
    EncryptionAlgorithm,
    /// Every failure from unwrapping the key to reading the decrypted assertion: which step
    /// failed is not told, so the verifier is no decryption oracle.
    #[error("the encrypted assertion cannot be decrypted with this connection's keys")]
    Decryption,
}

impl SamlError {
    /// The code recorded in the SSO event log.
    pub fn code(&self) -> &'static str {
        match self {
            SamlError::TooLarge => "too_large",
            SamlError::Base64 => "base64",
            SamlError::Xml => "xml",
            SamlError::Dtd => "dtd",
            SamlError::Structure(_) => "structure",
            SamlError::SignatureMissing => "signature_missing",
            SamlError::Algorithm => "algorithm",
            SamlError::Digest => "digest",
            SamlError::Signature => "signature",
            SamlError::Key => "key",
            SamlError::Status => "status",
            SamlError::Issuer => "issuer",
            SamlError::Destination => "destination",
            SamlError::DestinationEmpty => "destination_empty",
            SamlError::Recipient => "recipient",
            SamlError::Audience => "audience",
            SamlError::NotYetValid => "not_yet_valid",
            SamlError::Expired => "expired",
            SamlError::InResponseTo => "in_response_to",
            SamlError::Claims => "claims",
            SamlError::NoDecryptionKey => "no_decryption_key",
            SamlError::EncryptionAlgorithm => "encryption_algorithm",
            SamlError::Decryption => "decryption",
        }
    }
}

/// What a verified assertion says, read from the signed bytes only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedAssertion {
    /// For replay protection: remember it until `usable_until`.
    pub assertion_id: String,
    pub issuer: String,
    pub name_id: String,
    /// The NameID Format, `...:unspecified` when the IdP gave none.
    pub name_id_format: String,
    pub session_index: Option<String>,
    /// The request this answers (`None` for IdP-initiated sign-in).
    pub in_response_to: Option<String>,
    /// Each Attribute's Name and its values, in document order.
    pub attributes: Vec<(String, Vec<String>)>,
    /// The end of the window in which this assertion would be accepted (the earliest
    /// NotOnOrAfter, and at most `MAX_ASSERTION_AGE_SECONDS` after IssueInstant, plus skew).
    pub usable_until: Timestamp,
}

impl VerifiedAssertion {
    /// The values of the attribute named `name`.
    pub fn attribute(&self, name: &str) -> Option<&[String]> {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, values)| values.as_slice())
    }
}

/// The exclusive canonical form (without comments) of the first element whose local name is
/// `element_local_name` in `xml_document`, with `inclusive_prefixes` as the PrefixList. The
/// document is parsed as strictly as a response. For diagnosing a digest mismatch with an IdP,
/// and for the conformance tests against libxml2.
pub fn exclusive_c14n(
    xml_document: &str,
    element_local_name: &str,
    inclusive_prefixes: &[&str],
) -> Result<String, SamlError> {
    let doc = xml::parse(xml_document)?;
    let element = doc
        .descendants()
        .find(|node| node.is_element() && node.tag_name().name() == element_local_name)
        .ok_or(SamlError::Structure("no such element"))?;
    c14n::canonicalize(element, None, inclusive_prefixes)
}

/// What a response's root says about it, read without verifying anything: only to choose
/// the checks and keys the verifier then gets (`with_expected_in_response_to` checks the
/// `InResponseTo` again on the verified response and assertion; a response that claims no
/// encryption but has it is refused for want of a key). This parses the response a second
/// time (`verify_response` parses it again); the pre-scan keeps either parse linear.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Envelope {
    /// None for an unsolicited (IdP-initiated) response.
    pub in_response_to: Option<String>,
    /// An `EncryptedAssertion` is a child of the root: the SP's keys must be opened.
    pub encrypted: bool,
}

/// The response's [`Envelope`]; the default (unsolicited, not encrypted) for anything that
/// does not parse, which the verifier then refuses on its own.
pub fn unverified_envelope(saml_response_form_value: &str) -> Envelope {
    let read = || {
        if saml_response_form_value.len() > MAX_RESPONSE_BASE64_BYTES {
            return None;
        }
        let text = String::from_utf8(base64::decode_strict(saml_response_form_value)?).ok()?;
        let doc = xml::parse(&text).ok()?;
        let root = xml::check_root(&doc).ok()?;
        Some(Envelope {
            in_response_to: root.attribute("InResponseTo").map(str::to_owned),
            encrypted: root.children().any(|child| xml::is(child, xml::NS_ASSERTION, "EncryptedAssertion")),
        })
    };
    read().unwrap_or_default()
}

/// Verifies a `SAMLResponse` form value (already URL-decoded) against the portal's policy at
/// `now`.
pub fn verify_response(
    saml_response_form_value: &str,
    policy: &SamlPolicy<'_>,
    now: Timestamp,
) -> Result<VerifiedAssertion, SamlError> {
    // 1. Bindings §3.5.4: the POST binding is plain base64 (no DEFLATE: never inflate, so no
    //    decompression bomb), capped before any work.
    if saml_response_form_value.len() > MAX_RESPONSE_BASE64_BYTES {
        return Err(SamlError::TooLarge);
    }
    let bytes = base64::decode_strict(saml_response_form_value).ok_or(SamlError::Base64)?;
    let text = String::from_utf8(bytes).map_err(|_| SamlError::Xml)?;

    // 2. One strict parse.
    let doc = xml::parse(&text)?;
    let response = xml::check_root(&doc)?;
    assertion::check_status(response)?;

    // 3. Census.
    let census = xml::census(response)?;

    // 4–7. Every signature present is verified; any failure fails the whole response.
    let response_verified =
        census.response_signature.map(|signature| dsig::verify(signature, census.response, policy)).transpose()?;
    // 9. (for the Response) Claims come only from a fresh parse of the verified canonical
    //    bytes, so what is read is exactly what was digested (no parser differential, nothing
    //    outside the signature).
    let verified_response_doc = response_verified.as_deref().map(xml::parse).transpose()?;
    let verified_response = verified_response_doc.as_ref().map(xml::check_root).transpose()?;
    // 10. The protocol checks, on the verified Response when it is signed, on the envelope
    //     otherwise (its Destination and InResponseTo are then only refusal criteria: the
    //     signed assertion's Recipient and InResponseTo are what bind it).
    let check_response =
        || assertion::check_response(verified_response.unwrap_or(response), response_verified.is_some(), policy);

    if census.encrypted {
        let canonical = decrypt_and_verify(census.assertion, response_verified.is_some(), policy)?;
        check_response()?;
        let doc = xml::parse(&canonical)?;
        return assertion::read_assertion(doc.root_element(), policy, now);
    }

    let assertion_verified =
        census.assertion_signature.map(|signature| dsig::verify(signature, census.assertion, policy)).transpose()?;
    // 8. Coverage.
    check_coverage(assertion_verified.is_some(), response_verified.is_some(), policy)?;
    // 9. (for the assertion) From its own verified bytes, or from the verified Response's.
    let verified_assertion_doc = assertion_verified.as_deref().map(xml::parse).transpose()?;
    let assertion_node = match (&verified_assertion_doc, verified_response) {
        (Some(doc), _) => doc.root_element(),
        (None, Some(response)) => {
            let [assertion] = xml::children_named(response, xml::NS_ASSERTION, "Assertion")[..] else {
                return Err(SamlError::Structure("there must be exactly one Assertion"));
            };
            assertion
        }
        (None, None) => return Err(SamlError::SignatureMissing),
    };
    check_response()?;
    // 11. The assertion's checks and claims; its id and replay window.
    assertion::read_assertion(assertion_node, policy, now)
}

/// 8. Coverage (SAML Profiles §4.1.3.5, §4.1.4.2): the assertion must be signed itself, or
///    sit inside a signed Response when the portal allows that.
fn check_coverage(assertion_signed: bool, response_signed: bool, policy: &SamlPolicy<'_>) -> Result<(), SamlError> {
    if !assertion_signed && (policy.want_assertions_signed || !response_signed) {
        return Err(SamlError::SignatureMissing);
    }
    Ok(())
}

/// XML's white space (XML 1.0 §2.3 S).
const XML_SPACE: [char; 4] = [' ', '\t', '\n', '\r'];

/// An EncryptedAssertion (SAML Core 2.0 §2.3.4), a direct child of the Response:
/// decrypted with the portal's keys, parsed in its place (XML Encryption 1.1 §4.3: the
/// plaintext takes the namespaces in scope there), and then held to everything a plain
/// assertion is: the census, its own signature, coverage. Returns the canonical bytes of the
/// assertion to read the claims from: the ones its signature verified, or (unsigned, inside a
/// signed Response, which covers the ciphertext) its canonical form.
///
/// Until the assertion is known genuine, a failure is `Decryption` whatever it was, unless
/// tampering is already ruled out (GCM's tag, or a signed Response over the ciphertext): with
/// CBC, telling "bad XML" from "bad digest" would let an attacker decrypt by trial.
fn decrypt_and_verify(
    encrypted: roxmltree::Node<'_, '_>,
    response_signed: bool,
    policy: &SamlPolicy<'_>,
) -> Result<String, SamlError> {
    if policy.decryption_keys.is_empty() {
        return Err(SamlError::NoDecryptionKey);
    }
    let parts = encryption::parts(encrypted)?;
    let decrypted = encryption::decrypt(&parts, policy.decryption_keys, policy.blinding_seed);
    // The text the node's range refers to (what the parser read: after any byte order mark).
    let text = encrypted.document().input_text();
    let range = encrypted.range();
    let (before, after) = (text.get(..range.start).unwrap_or(""), text.get(range.end..).unwrap_or(""));
    let spliced = format!("{before}{}{after}", decrypted.plaintext);
    // The plaintext must be exactly one element where the EncryptedAssertion was.
    let lead = decrypted.plaintext.len() - decrypted.plaintext.trim_start_matches(XML_SPACE).len();
    let expected = range.start + lead..range.start + lead + decrypted.plaintext.trim_matches(XML_SPACE).len();
    let verified = (|| {
        let doc = xml::parse(&spliced).map_err(|_| SamlError::Decryption)?;
        let census = xml::census(xml::check_root(&doc)?)?;
        if census.encrypted || census.assertion.range() != expected {
            return Err(SamlError::Structure("the decrypted content is not one Assertion"));
        }
        let signed = census.assertion_signature.map(|s| dsig::verify(s, census.assertion, policy)).transpose()?;
        check_coverage(signed.is_some(), response_signed, policy)?;
        match signed {
            Some(canonical) => Ok(canonical),
            None => c14n::canonicalize(census.assertion, None, &[]),
        }
    })();
    match verified {
        _ if !decrypted.genuine => Err(SamlError::Decryption),
        Err(_) if !(decrypted.authenticated || response_signed) => Err(SamlError::Decryption),
        other => other,
    }
}
