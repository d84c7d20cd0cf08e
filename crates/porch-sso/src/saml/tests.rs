//! Unit tests of `verify_response`, one or more per `SamlError`, on responses signed here
//! with the committed JWK test key and this crate's own C14N. (The independent oracle —
//! signxml, libxml2 and xmlsec1 — is `tests/saml.rs`.)

use ::base64::engine::general_purpose::STANDARD;
use ::base64::Engine as _;
use jwt_compact::alg::RsaPrivateKey;
use jwt_compact::jwk::JsonWebKey;
use sha2::{Digest as _, Sha256};

use super::c14n::canonicalize;
use super::*;

const RSA_JWK: &str = include_str!("../../../../tests/fixtures/sso/rsa2048-private.jwk.json");
const IDP: &str = "https://idp.example.com/metadata";
const SP: &str = "https://portal.example.com/saml/metadata";
const ACS: &str = "https://portal.example.com/saml/acs";
const REQUEST: &str = "_req-1";
/// 2026-11-23T14:09:34Z; the assertion below is issued 10 s earlier.
const NOW_MS: i64 = 1_795_442_974_000;

fn now() -> Timestamp {
    Timestamp::from_millis(NOW_MS)
}

fn private_key() -> RsaPrivateKey {
    let jwk: JsonWebKey<'_> = serde_json::from_str(RSA_JWK).unwrap();
    RsaPrivateKey::try_from(&jwk).unwrap()
}

fn pinned() -> Vec<PinnedKey> {
    vec![PinnedKey::from_rsa_for_tests(rsa::RsaPublicKey::from(&private_key()))]
}

fn assertion() -> String {
    format!(
        r#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" Version="2.0" IssueInstant="2026-11-23T14:09:24Z">
  <saml:Issuer>{IDP}</saml:Issuer>
  <saml:Subject>
    <saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">ada@example.com</saml:NameID>
    <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
      <saml:SubjectConfirmationData InResponseTo="{REQUEST}" NotOnOrAfter="2026-11-23T14:14:24Z" Recipient="{ACS}"/>
    </saml:SubjectConfirmation>
  </saml:Subject>
  <saml:Conditions NotBefore="2026-11-23T14:08:24Z" NotOnOrAfter="2026-11-23T14:14:24Z">
    <saml:AudienceRestriction><saml:Audience>{SP}</saml:Audience></saml:AudienceRestriction>
  </saml:Conditions>
  <saml:AuthnStatement AuthnInstant="2026-11-23T14:09:24Z" SessionIndex="_s1"/>
  <saml:AttributeStatement>
    <saml:Attribute Name="groups"><saml:AttributeValue>a &amp; b</saml:AttributeValue><saml:AttributeValue>c</saml:AttributeValue></saml:Attribute>
  </saml:AttributeStatement>
</saml:Assertion>"#
    )
}

fn response(assertion: &str) -> String {
    format!(
        r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" IssueInstant="2026-11-23T14:09:24Z" Destination="{ACS}" InResponseTo="{REQUEST}">
<saml:Issuer>{IDP}</saml:Issuer>
<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
{assertion}
</samlp:Response>"#
    )
}

/// Signs the element with ID `id` in `xml` (enveloped, exclusive C14N, RSA-SHA256), putting
/// the signature right after its first `</saml:Issuer>`; `method` overrides the signature
/// method URI written.
fn sign_with(xml: &str, id: &str, method: &str) -> String {
    let doc = xml::parse(xml).unwrap();
    let element = doc.descendants().find(|n| n.attribute("ID") == Some(id)).unwrap();
    let digest = STANDARD.encode(Sha256::digest(canonicalize(element, None, &[]).unwrap().as_bytes()));
    let signed_info = format!(
        concat!(
            r#"<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>"#,
            r##"<ds:SignatureMethod Algorithm="{method}"/><ds:Reference URI="#{id}"><ds:Transforms>"##,
            r#"<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>"#,
            r#"<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>"#,
            r#"<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>"#,
            r#"<ds:DigestValue>{digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>"#
        ),
        method = method,
        id = id,
        digest = digest
    );
    let signature = format!(
        r#"<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">{signed_info}<ds:SignatureValue>SIGNATURE</ds:SignatureValue><ds:KeyInfo><ds:KeyName>ignored</ds:KeyName></ds:KeyInfo></ds:Signature>"#
    );
    let start = element.range().start;
    let at = start + xml[start..].find("</saml:Issuer>").unwrap() + "</saml:Issuer>".len();
    let with_signature = format!("{}{signature}{}", &xml[..at], &xml[at..]);
    let doc = xml::parse(&with_signature).unwrap();
    let info = doc.descendants().find(|n| n.has_tag_name((xml::NS_DSIG, "SignedInfo"))).unwrap();
    let canonical = canonicalize(info, None, &[]).unwrap();
    let value = private_key().sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(canonical.as_bytes())).unwrap();
    with_signature.replace("SIGNATURE", &STANDARD.encode(value))
}

fn sign(xml: &str, id: &str) -> String {
    sign_with(xml, id, SignatureAlgorithm::RsaSha256.uri())
}

fn signed_response() -> String {
    response(&sign(&assertion(), "_a1"))
}

fn verify(xml: &str) -> Result<VerifiedAssertion, SamlError> {
    verify_at(xml, now(), |p| p)
}

fn verify_at(
    xml: &str,
    at: Timestamp,
    adjust: impl for<'a> FnOnce(SamlPolicy<'a>) -> SamlPolicy<'a>,
) -> Result<VerifiedAssertion, SamlError> {
    let keys = pinned();
    let policy =
        SamlPolicy::new(IDP, SP, ACS, &keys, DEFAULT_ALGORITHMS).unwrap().with_expected_in_response_to(REQUEST);
    verify_response(&STANDARD.encode(xml), &adjust(policy), at)
}

fn code(result: Result<VerifiedAssertion, SamlError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(error) => error.code(),
    }
}

#[test]
fn a_signed_assertion_verifies_and_gives_its_claims() {
    let verified = verify(&signed_response()).unwrap();
    assert_eq!(verified.assertion_id, "_a1");
    assert_eq!(verified.issuer, IDP);
    assert_eq!(verified.name_id, "ada@example.com");
    assert_eq!(verified.name_id_format, "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
    assert_eq!(verified.session_index.as_deref(), Some("_s1"));
    assert_eq!(verified.in_response_to.as_deref(), Some(REQUEST));
    assert_eq!(verified.attributes, vec![("groups".to_owned(), vec!["a & b".to_owned(), "c".to_owned()])]);
    // NotOnOrAfter 14:14:24 plus the 120 s skew.
    assert_eq!(verified.usable_until.to_string(), "2026-11-23T14:16:24.000Z");
}

#[test]
fn a_signed_response_covers_an_unsigned_assertion_only_when_the_portal_allows_it() {
    let xml = sign(&response(&assertion()), "_r1");
    assert_eq!(code(verify(&xml)), "signature_missing");
    let verified = verify_at(&xml, now(), |p| p.with_want_assertions_signed(false)).unwrap();
    assert_eq!(verified.name_id, "ada@example.com");
}

#[test]
fn an_unsigned_response_is_signature_missing() {
    assert_eq!(
        code(verify_at(&response(&assertion()), now(), |p| p.with_want_assertions_signed(false))),
        "signature_missing"
    );
}

#[test]
fn size_base64_and_encoding_are_checked_first() {
    let keys = pinned();
    let policy = SamlPolicy::new(IDP, SP, ACS, &keys, DEFAULT_ALGORITHMS).unwrap();
    let run = |form: &str| code(verify_response(form, &policy, now()));
    assert_eq!(run(&"A".repeat(MAX_RESPONSE_BASE64_BYTES + 4)), "too_large");
    assert_eq!(run("PHI+PC9y%"), "base64");
    assert_eq!(run(&STANDARD.encode(b"<r>\xff</r>")), "xml");
    assert_eq!(run(&STANDARD.encode("<r>")), "xml");
    assert_eq!(run(&STANDARD.encode(r#"<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>"#)), "dtd");
    assert_eq!(run(&STANDARD.encode("<r/>")), "structure");
}

#[test]
fn a_failed_status_is_refused_as_status() {
    let xml = signed_response().replace("status:Success", "status:Requester");
    assert_eq!(code(verify(&xml)), "status");
}

#[test]
fn a_tampered_assertion_fails_its_digest() {
    let xml = signed_response().replace("ada@example.com", "eve@example.com");
    assert_eq!(code(verify(&xml)), "digest");
}

#[test]
fn a_tampered_signature_value_fails_as_signature() {
    let xml = signed_response();
    let start = xml.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
    let mut bytes = xml.into_bytes();
    bytes[start + 5] = if bytes[start + 5] == b'A' { b'B' } else { b'A' };
    assert_eq!(code(verify(&String::from_utf8(bytes).unwrap())), "signature");
}

#[test]
fn a_signature_by_another_key_fails_as_signature() {
    // A valid signature by the pinned key, but over another document's SignedInfo.
    let xml = signed_response();
    let other_doc = response(&sign(&assertion().replace("_a1", "_a2"), "_a2"));
    let value = |x: &str| {
        let s = x.find("<ds:SignatureValue>").unwrap();
        let e = x.find("</ds:SignatureValue>").unwrap();
        x[s..e].to_owned()
    };
    assert_eq!(code(verify(&xml.replace(&value(&xml), &value(&other_doc)))), "signature");
}

#[test]
fn algorithms_outside_the_allowlist_are_refused() {
    let hmac = sign_with(&assertion(), "_a1", "http://www.w3.org/2000/09/xmldsig#hmac-sha1");
    assert_eq!(code(verify(&response(&hmac))), "algorithm");
    let sha1 = sign_with(&assertion(), "_a1", SignatureAlgorithm::RsaSha1.uri());
    assert_eq!(code(verify(&response(&sha1))), "algorithm");
    let with_comments =
        signed_response().replace("xml-exc-c14n#\"/></ds:Transforms>", "xml-exc-c14n#WithComments\"/></ds:Transforms>");
    assert_eq!(code(verify(&with_comments)), "algorithm");
}

#[test]
fn an_ecdsa_signature_without_an_ecdsa_key_is_refused_as_key() {
    let xml = sign_with(&assertion(), "_a1", SignatureAlgorithm::EcdsaSha256.uri());
    // The RSA signature is 256 bytes, not P-256's 64: refused before any key is tried.
    assert_eq!(code(verify(&response(&xml))), "signature");
    let start = xml.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
    let end = xml.find("</ds:SignatureValue>").unwrap();
    let short = format!("{}{}{}", &xml[..start], STANDARD.encode([7u8; 64]), &xml[end..]);
    assert_eq!(code(verify(&response(&short))), "key");
}

#[test]
fn signature_shapes_other_than_samls_are_structure_errors() {
    let xml = signed_response();
    let two_references = xml.replacen("<ds:Reference ", "<ds:Reference URI=\"#_a1\"/><ds:Reference ", 1);
    assert_eq!(code(verify(&two_references)), "structure");
    assert_eq!(code(verify(&xml.replace("URI=\"#_a1\"", "URI=\"\""))), "structure");
    assert_eq!(code(verify(&xml.replace("<ds:KeyInfo>", "<ds:Object/><ds:KeyInfo>"))), "structure");
    let comment_in_digest = xml.replacen("<ds:DigestValue>", "<ds:DigestValue><!---->", 1);
    assert_eq!(code(verify(&comment_in_digest)), "structure");
}

#[test]
fn issuer_destination_recipient_and_audience_must_be_ours() {
    let signed = |a: String| response(&sign(&a, "_a1"));
    assert_eq!(code(verify(&signed(assertion().replacen(IDP, "https://evil", 1)))), "issuer");
    assert_eq!(code(verify(&signed_response().replacen(IDP, "https://evil", 1))), "issuer");
    assert_eq!(
        code(verify(&signed_response().replacen(&format!("Destination=\"{ACS}\""), "Destination=\"https://evil\"", 1))),
        "destination"
    );
    assert_eq!(
        code(verify(&signed(assertion().replace(&format!("Recipient=\"{ACS}\""), "Recipient=\"https://evil\"")))),
        "recipient"
    );
    assert_eq!(
        code(verify(&signed(assertion().replace(&format!("<saml:Audience>{SP}"), "<saml:Audience>https://other")))),
        "audience"
    );
    assert_eq!(
        code(verify(&signed(
            assertion().replace("<saml:AudienceRestriction>", "<saml:OneTimeUse/><saml:AudienceRestriction>")
        ))),
        "ok"
    );
    assert_eq!(
        code(verify(&signed(
            assertion().replace("<saml:AudienceRestriction>", "<saml:Condition/><saml:AudienceRestriction>")
        ))),
        "claims"
    );
}

#[test]
fn an_empty_destination_on_a_signed_response_has_its_own_code() {
    let empty = response(&assertion()).replacen(&format!("Destination=\"{ACS}\""), "Destination=\"\"", 1);
    let signed = sign(&empty, "_r1");
    assert_eq!(code(verify_at(&signed, now(), |p| p.with_want_assertions_signed(false))), "destination_empty");
    // Missing altogether is still the plain destination error.
    let missing = sign(&response(&assertion()).replacen(&format!(" Destination=\"{ACS}\""), "", 1), "_r1");
    assert_eq!(code(verify_at(&missing, now(), |p| p.with_want_assertions_signed(false))), "destination");
}

#[test]
fn times_are_checked_with_the_skew() {
    let xml = signed_response();
    let at = |seconds: i64| Timestamp::from_millis(NOW_MS + seconds * 1000);
    // IssueInstant is 10 s before now (and Conditions NotBefore 70 s before): an assertion
    // from more than the skew in the future is not valid yet. NotOnOrAfter is 290 s after now.
    assert_eq!(code(verify_at(&xml, at(-10 - 120), |p| p)), "ok");
    assert_eq!(code(verify_at(&xml, at(-10 - 121), |p| p)), "not_yet_valid");
    assert_eq!(code(verify_at(&xml, at(290 + 119), |p| p)), "ok");
    assert_eq!(code(verify_at(&xml, at(290 + 120), |p| p)), "expired");
    assert_eq!(code(verify_at(&xml, at(290 + 1), |p| p.with_skew_seconds(0).unwrap())), "expired");
}

#[test]
fn in_response_to_must_answer_our_request_or_be_absent_when_unsolicited() {
    let xml = signed_response();
    assert_eq!(code(verify_at(&xml, now(), |p| p.with_expected_in_response_to("_other"))), "in_response_to");
    let keys = pinned();
    let unsolicited_policy = SamlPolicy::new(IDP, SP, ACS, &keys, DEFAULT_ALGORITHMS).unwrap();
    assert_eq!(code(verify_response(&STANDARD.encode(&xml), &unsolicited_policy, now())), "in_response_to");
    let unsolicited = response(&sign(&assertion().replace(&format!(" InResponseTo=\"{REQUEST}\""), ""), "_a1"))
        .replace(&format!(" InResponseTo=\"{REQUEST}\""), "");
    let verified = verify_response(&STANDARD.encode(&unsolicited), &unsolicited_policy, now()).unwrap();
    assert_eq!(verified.in_response_to, None);
}

#[test]
fn claims_with_markup_inside_are_refused() {
    let signed = |a: String| response(&sign(&a, "_a1"));
    let element = assertion().replace("ada@example.com</saml:NameID>", "ada@example.com<b/></saml:NameID>");
    assert_eq!(code(verify(&signed(element))), "claims");
    let comment = assertion().replace(">c</saml:AttributeValue>", ">c<!---->d</saml:AttributeValue>");
    assert_eq!(code(verify(&signed(comment))), "claims");
    let no_authn =
        assertion().replace(r#"<saml:AuthnStatement AuthnInstant="2026-11-23T14:09:24Z" SessionIndex="_s1"/>"#, "");
    assert_eq!(code(verify(&signed(no_authn))), "claims");
    let bad_time =
        assertion().replace("IssueInstant=\"2026-11-23T14:09:24Z\"", "IssueInstant=\"2026-11-23T14:09:24+00:00\"");
    assert_eq!(code(verify(&signed(bad_time))), "claims");
}

#[test]
fn policies_are_range_checked() {
    let keys = pinned();
    assert_eq!(SamlPolicy::new("", SP, ACS, &keys, DEFAULT_ALGORITHMS).unwrap_err(), PolicyError::Empty);
    assert_eq!(SamlPolicy::new(IDP, SP, ACS, &[], DEFAULT_ALGORITHMS).unwrap_err(), PolicyError::Keys);
    let three = [keys[0].clone(), keys[0].clone(), keys[0].clone()];
    assert_eq!(SamlPolicy::new(IDP, SP, ACS, &three, DEFAULT_ALGORITHMS).unwrap_err(), PolicyError::Keys);
    assert_eq!(SamlPolicy::new(IDP, SP, ACS, &keys, &[]).unwrap_err(), PolicyError::NoAlgorithms);
    let policy = SamlPolicy::new(IDP, SP, ACS, &keys, DEFAULT_ALGORITHMS).unwrap();
    assert_eq!(policy.clone().with_skew_seconds(MAX_SKEW_SECONDS + 1).unwrap_err(), PolicyError::Skew);
    assert_eq!(policy.with_skew_seconds(-1).unwrap_err(), PolicyError::Skew);
}

#[test]
fn every_error_has_a_distinct_stable_code() {
    let all = [
        SamlError::TooLarge,
        SamlError::Base64,
        SamlError::Xml,
        SamlError::Dtd,
        SamlError::Structure("x"),
        SamlError::SignatureMissing,
        SamlError::Algorithm,
        SamlError::Digest,
        SamlError::Signature,
        SamlError::Key,
        SamlError::Status,
        SamlError::Issuer,
        SamlError::Destination,
        SamlError::DestinationEmpty,
        SamlError::Recipient,
        SamlError::Audience,
        SamlError::NotYetValid,
        SamlError::Expired,
        SamlError::InResponseTo,
        SamlError::Claims,
        SamlError::NoDecryptionKey,
        SamlError::EncryptionAlgorithm,
        SamlError::Decryption,
    ];
    let mut codes: Vec<&str> = all.iter().map(SamlError::code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), all.len());
}

/// A short distinct prefix for the i-th declaration.
fn nth_prefix(i: usize) -> String {
    let letters = b"abcdefghijklmnopqrstuvwxyz";
    let n = letters.len();
    [i / (n * n) % n, i / n % n, i % n].iter().map(|&k| char::from(letters[k])).collect()
}

fn response_with(root_attributes: &str, inside: &str) -> String {
    format!(
        r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"{root_attributes} ID="r" Version="2.0" InResponseTo="{REQUEST}">{inside}</samlp:Response>"#
    )
}

#[test]
fn inputs_that_make_the_parser_work_out_of_proportion_are_refused_before_it_runs() {
    // Found in review: namespace declarations are copied into every declaring element, and
    // attributes are compared pairwise; a few hundred KB of either cost seconds to minutes.
    let declarations = (0..200).map(|i| format!(" xmlns:{}=\"u\"", nth_prefix(i))).collect::<Vec<_>>().concat();
    let wide = response_with(&declarations, &"<x xmlns=\"u\"/>".repeat(50));
    assert_eq!(verify(&wide), Err(SamlError::Xml));
    assert_eq!(unverified_envelope(&STANDARD.encode(&wide)), Envelope::default());
    let attributes = (0..100).map(|i| format!(" {}=\"\"", nth_prefix(i))).collect::<Vec<_>>().concat();
    assert_eq!(verify(&response_with(&attributes, "")), Err(SamlError::Xml));
    let nested = format!("{}{}", "<a xmlns:p=\"u\">".repeat(70), "</a>".repeat(70));
    assert_eq!(verify(&response_with("", &nested)), Err(SamlError::Xml));
    // A `>` inside an attribute value is not the end of the tag; a DOCTYPE is refused as such.
    assert_ne!(verify(&response_with(" title=\"a > b\"", "")), Err(SamlError::Xml));
    assert_eq!(verify(&format!("<!DOCTYPE r []>{}", response_with("", ""))), Err(SamlError::Dtd));
}

#[test]
fn a_prefix_list_is_short_valid_and_checked_before_any_canonicalisation() {
    let signed = signed_response();
    let list = |prefixes: &str| {
        signed.replacen(
            r#"<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>"#,
            &format!(
                r#"<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="{prefixes}"/></ds:Transform>"#
            ),
            1,
        )
    };
    let long: Vec<String> = (0..40).map(nth_prefix).collect();
    assert_eq!(code(verify(&list(&long.join(" ")))), "structure");
    assert_eq!(code(verify(&list("saml 1bad"))), "structure");
    // Repeats count once: a short list with repeats passes this check (the signature then
    // fails: the signer's SignedInfo had no list).
    assert_eq!(code(verify(&list(&"saml ".repeat(40)))), "signature");
}
