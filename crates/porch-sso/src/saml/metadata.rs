//! An identity provider's SAML metadata (SAML Metadata 2.0 §2.3.2 EntityDescriptor, §2.4.3
//! IDPSSODescriptor) read into what a porch connection needs: the entity ID, where to send
//! AuthnRequests (HTTP-Redirect), the signing certificates to pin, the NameID formats and
//! whether the IdP wants signed requests. Parsed as strictly as a response (`xml::parse`: size
//! cap, no DTD, bounded nodes, depth and namespaces). With a pinned metadata signing key, the
//! document's enveloped signature is checked with the response verifier's XML-DSig (`dsig`)
//! and everything is read from the verified canonical bytes only, as for assertions.

use roxmltree::Node;

use super::dsig;
use super::keys::{KeyError, PinnedKey};
use super::request::NS_METADATA;
use super::xml::{self, children_named, is, text_only, NS_DSIG, NS_PROTOCOL};
use super::{SamlError, SamlPolicy, DEFAULT_ALGORITHMS, MAX_PINNED_KEYS};
use porch_types::time::Timestamp;

/// Real IdP metadata is a few KiB (Okta, Keycloak) to some tens of KiB (AD FS, Entra ID with
/// their WS-Federation roles); larger documents are refused before parsing.
pub const MAX_METADATA_BYTES: usize = 256 * 1024;
/// The binding porch sends AuthnRequests with (SAML Bindings §3.4).
pub const BINDING_REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
/// NameID formats kept from a document: IdPs list a handful.
const MAX_NAME_ID_FORMATS: usize = 16;
/// The longest entity ID, URL or NameID format read.
const MAX_TEXT: usize = 1024;

/// What the metadata says porch needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdpMetadata {
    pub entity_id: String,
    /// The HTTP-Redirect SingleSignOnService Location (not yet checked as a URL porch may
    /// send people to: the caller does that with its URL rules).
    pub sso_url: String,
    /// Base64 DER of each distinct signing certificate (KeyDescriptor `use="signing"` or no
    /// `use`, §2.4.1.1), each one a key porch can pin; one, or two during the IdP's rollover.
    pub signing_certificates: Vec<String>,
    pub name_id_formats: Vec<String>,
    /// §2.4.3: the IdP wants signed AuthnRequests.
    pub want_authn_requests_signed: bool,
    /// Whether this was read from bytes whose signature verified with the pinned key.
    pub signature_verified: bool,
}

/// Why metadata cannot be used; the message tells the admin what to fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    #[error("the metadata is larger than {MAX_METADATA_BYTES} bytes")]
    TooLarge,
    #[error("the metadata is not well-formed UTF-8 XML within the size limits")]
    Xml,
    #[error("the metadata has a DTD or entity declarations")]
    Dtd,
    #[error("the metadata's root is not one SAML 2.0 md:EntityDescriptor")]
    NotEntityDescriptor,
    #[error("the metadata has no usable entityID")]
    EntityId,
    #[error("the metadata describes no SAML 2.0 identity provider (IDPSSODescriptor), or several")]
    NoIdentityProvider,
    #[error(
        "the metadata offers no SingleSignOnService with the HTTP-Redirect binding, which porch sends requests with"
    )]
    NoRedirectService,
    #[error("the metadata has no signing certificate (KeyDescriptor use=\"signing\" or without use)")]
    NoSigningCertificate,
    #[error("a signing certificate in the metadata cannot be pinned: {0}")]
    Certificate(KeyError),
    #[error("the metadata names more than {MAX_PINNED_KEYS} signing certificates")]
    TooManyCertificates,
    #[error("the metadata is not valid any more (validUntil has passed)")]
    Expired,
    #[error("the metadata is not signed, and a metadata signing certificate is pinned")]
    SignatureMissing,
    #[error("the metadata's signature does not verify with the pinned certificate ({})", .0.code())]
    Signature(SamlError),
    #[error("the metadata has unexpected content: {0}")]
    Structure(&'static str),
}

impl From<SamlError> for MetadataError {
    fn from(error: SamlError) -> Self {
        match error {
            SamlError::Dtd => MetadataError::Dtd,
            _ => MetadataError::Xml,
        }
    }
}

/// Reads IdP metadata at `now`. With `signing_key` (the admin pinned the certificate the
/// federation signs its metadata with), only a document whose enveloped signature on the
/// EntityDescriptor verifies with that key is read, from its verified canonical bytes.
pub fn parse_idp_metadata(
    text: &str,
    signing_key: Option<&PinnedKey>,
    now: Timestamp,
) -> Result<IdpMetadata, MetadataError> {
    if text.len() > MAX_METADATA_BYTES {
        return Err(MetadataError::TooLarge);
    }
    let doc = xml::parse(text)?;
    let root = doc.root_element();
    if !is(root, NS_METADATA, "EntityDescriptor") {
        return Err(MetadataError::NotEntityDescriptor);
    }
    let Some(key) = signing_key else {
        return read(root, now, false);
    };
    // XML-DSig §3.2 with the one shape SAML uses (SAML Metadata §3: an enveloped signature on
    // the signed element, Reference to its ID): exactly one Signature, a child of the root.
    let signatures = children_named(root, NS_DSIG, "Signature");
    let [signature] = signatures.as_slice() else {
        return Err(if signatures.is_empty() {
            MetadataError::SignatureMissing
        } else {
            MetadataError::Structure("several signatures on the EntityDescriptor")
        });
    };
    // The verifier takes its keys and algorithms from a response policy; the entity and ACS
    // names are not used by the signature check, so fixed placeholders stand for them.
    let keys = [key.clone()];
    let policy = SamlPolicy::new("metadata", "metadata", "metadata", &keys, DEFAULT_ALGORITHMS)
        .map_err(|_| MetadataError::Signature(SamlError::Key))?;
    let canonical = dsig::verify(*signature, root, &policy).map_err(MetadataError::Signature)?;
    let verified = xml::parse(&canonical)?;
    read(verified.root_element(), now, true)
}

/// A short single-line text attribute or element content, trimmed.
fn short_text(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty() && text.chars().count() <= MAX_TEXT && !text.chars().any(char::is_control))
        .then(|| text.to_owned())
}

/// xs:boolean (XML Schema Part 2 §3.2.2.1).
fn boolean(value: Option<&str>) -> Result<bool, MetadataError> {
    match value.map(str::trim) {
        None | Some("false" | "0") => Ok(false),
        Some("true" | "1") => Ok(true),
        Some(_) => Err(MetadataError::Structure("a boolean attribute is neither true nor false")),
    }
}

fn read(root: Node<'_, '_>, now: Timestamp, signature_verified: bool) -> Result<IdpMetadata, MetadataError> {
    let entity_id = root.attribute("entityID").and_then(short_text).ok_or(MetadataError::EntityId)?;
    // §2.3.2: validUntil bounds the document's life; an expired one (say, an old signed copy
    // replayed with a key since withdrawn) is refused.
    if let Some(until) = root.attribute("validUntil") {
        let until = Timestamp::parse_rfc3339(until.trim())
            .ok_or(MetadataError::Structure("validUntil is not a date and time"))?;
        if until <= now {
            return Err(MetadataError::Expired);
        }
    }
    let idps: Vec<Node<'_, '_>> = children_named(root, NS_METADATA, "IDPSSODescriptor")
        .into_iter()
        .filter(|idp| {
            idp.attribute("protocolSupportEnumeration")
                .is_some_and(|p| p.split_ascii_whitespace().any(|p| p == NS_PROTOCOL))
        })
        .collect();
    let [idp] = idps.as_slice() else {
        return Err(MetadataError::NoIdentityProvider);
    };
    let want_authn_requests_signed = boolean(idp.attribute("WantAuthnRequestsSigned"))?;

    // SAML Bindings §3.4: porch redirects; POST, Artifact and SOAP endpoints are skipped.
    let sso_url = children_named(*idp, NS_METADATA, "SingleSignOnService")
        .into_iter()
        .find(|service| service.attribute("Binding") == Some(BINDING_REDIRECT))
        .and_then(|service| service.attribute("Location"))
        .and_then(short_text)
        .ok_or(MetadataError::NoRedirectService)?;

    let mut signing_certificates: Vec<String> = Vec::new();
    for descriptor in children_named(*idp, NS_METADATA, "KeyDescriptor") {
        if !matches!(descriptor.attribute("use"), None | Some("signing")) {
            continue;
        }
        let certificates = children_named(descriptor, NS_DSIG, "KeyInfo")
            .into_iter()
            .flat_map(|info| children_named(info, NS_DSIG, "X509Data"))
            .flat_map(|data| children_named(data, NS_DSIG, "X509Certificate"));
        for certificate in certificates {
            let text = text_only(certificate).ok_or(MetadataError::Structure("a certificate holds more than text"))?;
            let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            PinnedKey::from_pem_certificate(&compact).map_err(MetadataError::Certificate)?;
            if !signing_certificates.contains(&compact) {
                signing_certificates.push(compact);
            }
        }
    }
    if signing_certificates.is_empty() {
        return Err(MetadataError::NoSigningCertificate);
    }
    if signing_certificates.len() > MAX_PINNED_KEYS {
        return Err(MetadataError::TooManyCertificates);
    }

    let mut name_id_formats = Vec::new();
    for format in children_named(*idp, NS_METADATA, "NameIDFormat") {
        let text = text_only(format)
            .and_then(|t| short_text(&t))
            .ok_or(MetadataError::Structure("a NameIDFormat is not a URI"))?;
        if !name_id_formats.contains(&text) && name_id_formats.len() < MAX_NAME_ID_FORMATS {
            name_id_formats.push(text);
        }
    }
    Ok(IdpMetadata {
        entity_id,
        sso_url,
        signing_certificates,
        name_id_formats,
        want_authn_requests_signed,
        signature_verified,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A self-signed RSA-2048 test certificate (made with Python `cryptography`; no key kept).
    const CERT: &str = "MIICsTCCAZmgAwIBAgIBATANBgkqhkiG9w0BAQsFADAcMRowGAYDVQQDDBFtZXRhZGF0YSB0ZXN0IElkUDAeFw0yNjAxMDEwMDAwMDBaFw0zNjAxMDEwMDAwMDBaMBwxGjAYBgNVBAMMEW1ldGFkYXRhIHRlc3QgSWRQMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAlej9nqPX2i/bcZar4COmUwtY/8S2sv0rmyDfdZmRA4o8B1SWLfNEXKEOWyS/JbGzjqXLpBnbwfOVXAdH6ZxgoP3QRccajqBqXCkSrWSqaI8QaVDGZQ9DN2lQhYQM22F/gMen2goio20cMBgsTBXNZs9AfLWdzQATE6/kX7j9sFofo5Qo31g1oIEBTK4A+3W6G37EDGAJwuBS+MN1M/3UhM7jv4Fmjw/eTPJE7h3+ViLVIZWnCpQ2CqthgS29ysR1uEWJQxl0dOHJJmdVbUqqKdAxijqmJPCKg4K6q789UAlBF8zCSQvto68618M3yEqXDMq2H9VuK3+HPHJMzl9G/wIDAQABMA0GCSqGSIb3DQEBCwUAA4IBAQCRVjJKFWjKHGkxV9bL51pNVqGzHIxqtod/bTd3f/oEnWtVqz1g3i7vQFNp1d60p2p4LNv1NfGPGA3l6rJX57hDn7755ZZeKhFtqNGSwoTKg9lSZWPd69u/zzKJ+Y9rpV73yGgnxb8KXnx6snVUPi0JFAyYxvnNcLsiojKANKzRWqcRldEyEz9ClUpl7c5pv06S6k2UfZ4uRDo3xQc4I7+a7LR695mQx71+WDjXvGrqOHQal0M1NcatJ/QIfxVYXQy6cd+9e+Aak9HLljXvQyEe37qBxteFOGk3EsZWiDyMwm/C7V6zqrv/oIuZBGOFZt2KEkrxm6QDPHUBsXAMKjiT";
    const NOW: Timestamp = Timestamp::from_millis(1_795_000_000_000);

    fn parse(text: &str) -> Result<IdpMetadata, MetadataError> {
        parse_idp_metadata(text, None, NOW)
    }

    /// Shaped like AD FS's FederationMetadata.xml: default md namespace, an ID, a signature
    /// (not checked without a pinned key), WS-Federation roles before the IdP, an encryption
    /// key that is not pinned, POST and Redirect services.
    fn adfs() -> String {
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<EntityDescriptor ID="_6f2c" entityID="http://adfs.contoso.example/adfs/services/trust" xmlns="urn:oasis:names:tc:SAML:2.0:metadata">
  <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/></ds:Signature>
  <RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706">
    <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>{CERT}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
  </RoleDescriptor>
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <KeyDescriptor use="encryption"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>MIIBroken</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
    <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>
      {CERT}
    </X509Certificate></X509Data></KeyInfo></KeyDescriptor>
    <SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://adfs.contoso.example/adfs/ls/"/>
    <NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</NameIDFormat>
    <NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</NameIDFormat>
    <NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</NameIDFormat>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://adfs.contoso.example/adfs/ls/post"/>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://adfs.contoso.example/adfs/ls/"/>
  </IDPSSODescriptor>
</EntityDescriptor>"#
        )
    }

    #[test]
    fn ad_fs_metadata_gives_the_redirect_service_and_the_signing_certificate_only() {
        let read = parse(&adfs()).unwrap();
        assert_eq!(read.entity_id, "http://adfs.contoso.example/adfs/services/trust");
        assert_eq!(read.sso_url, "https://adfs.contoso.example/adfs/ls/");
        assert_eq!(read.signing_certificates, [CERT]);
        assert_eq!(read.name_id_formats.len(), 3);
        assert!(!read.want_authn_requests_signed);
        assert!(!read.signature_verified);
    }

    #[test]
    fn entra_id_metadata_with_a_key_without_use_and_two_rollover_certificates_is_read() {
        // Entra ID: KeyDescriptor use="signing" in the IdP role, a second certificate
        // during its rollover, services without NameIDFormat.
        let xml = format!(
            r#"<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" ID="_a1" entityID="https://sts.windows.net/72f988bf/">
<IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>{CERT}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
<KeyDescriptor><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>{CERT}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/72f988bf/saml2"/>
<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://login.microsoftonline.com/72f988bf/saml2"/>
</IDPSSODescriptor></EntityDescriptor>"#
        );
        let read = parse(&xml).unwrap();
        assert_eq!(read.entity_id, "https://sts.windows.net/72f988bf/");
        assert_eq!(read.sso_url, "https://login.microsoftonline.com/72f988bf/saml2");
        // The same certificate twice is pinned once.
        assert_eq!(read.signing_certificates, [CERT]);
        assert!(read.name_id_formats.is_empty());
    }

    #[test]
    fn okta_and_keycloak_metadata_say_whether_requests_must_be_signed() {
        let okta = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor entityID="http://www.okta.com/exk1" xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"><md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{CERT}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat><md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://acme.okta.com/app/acme_porch_1/exk1/sso/saml"/><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://acme.okta.com/app/acme_porch_1/exk1/sso/saml"/></md:IDPSSODescriptor></md:EntityDescriptor>"#
        );
        let read = parse(&okta).unwrap();
        assert!(!read.want_authn_requests_signed);
        assert_eq!(read.name_id_formats[1], "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");

        let keycloak = format!(
            r#"<md:EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://kc.example/realms/acme">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:KeyName>k1</ds:KeyName><ds:X509Data><ds:X509Certificate>{CERT}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:ArtifactResolutionService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="https://kc.example/realms/acme/protocol/saml/resolve" index="0"/>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://kc.example/realms/acme/protocol/saml"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://kc.example/realms/acme/protocol/saml"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="https://kc.example/realms/acme/protocol/saml"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#
        );
        let read = parse(&keycloak).unwrap();
        assert!(read.want_authn_requests_signed);
        assert_eq!(read.sso_url, "https://kc.example/realms/acme/protocol/saml");
    }

    #[test]
    fn malformed_hostile_and_incomplete_metadata_is_refused_with_its_reason() {
        let good = adfs();
        assert_eq!(parse("<EntityDescriptor").unwrap_err(), MetadataError::Xml);
        let dtd = format!(
            "<!DOCTYPE x [<!ENTITY a \"b\">]>{}",
            good.trim_start_matches(r#"<?xml version="1.0" encoding="utf-8"?>"#)
        );
        assert_eq!(parse(&dtd).unwrap_err(), MetadataError::Dtd);
        let huge =
            good.replace("<RoleDescriptor", &format!("<!--{}--><RoleDescriptor", "x".repeat(MAX_METADATA_BYTES)));
        assert_eq!(parse(&huge).unwrap_err(), MetadataError::TooLarge);
        let no_redirect = good.replace(
            "bindings:HTTP-Redirect\" Location=\"https://adfs.contoso.example/adfs/ls/\"/>\n  </IDP",
            "bindings:SOAP\" Location=\"x\"/>\n  </IDP",
        );
        assert_eq!(parse(&no_redirect).unwrap_err(), MetadataError::NoRedirectService);
        let no_sso = good.replace("<SingleSignOnService", "<ArtifactResolutionService");
        assert_eq!(parse(&no_sso).unwrap_err(), MetadataError::NoRedirectService);
        let no_key = good.replace(
            "use=\"signing\"><KeyInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><X509Data><X509Certificate>\n",
            "use=\"encryption\"><KeyInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><X509Data><X509Certificate>\n",
        );
        assert_eq!(parse(&no_key).unwrap_err(), MetadataError::NoSigningCertificate);
        let bad_key = good.replace("use=\"encryption\"", "use=\"signing\"");
        assert!(matches!(parse(&bad_key).unwrap_err(), MetadataError::Certificate(_)));
        let sp_only = good.replace("IDPSSODescriptor", "SPSSODescriptor");
        assert_eq!(parse(&sp_only).unwrap_err(), MetadataError::NoIdentityProvider);
        let saml1 = good.replace("urn:oasis:names:tc:SAML:2.0:protocol", "urn:oasis:names:tc:SAML:1.1:protocol");
        assert_eq!(parse(&saml1).unwrap_err(), MetadataError::NoIdentityProvider);
        let no_entity = good.replace("entityID=\"http://adfs.contoso.example/adfs/services/trust\"", "");
        assert_eq!(parse(&no_entity).unwrap_err(), MetadataError::EntityId);
        let aggregate = format!(
            r#"<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">{}</EntitiesDescriptor>"#,
            good.trim_start_matches(r#"<?xml version="1.0" encoding="utf-8"?>"#)
        );
        assert_eq!(parse(&aggregate).unwrap_err(), MetadataError::NotEntityDescriptor);
        let expired = good.replace("<EntityDescriptor ID", "<EntityDescriptor validUntil=\"2026-01-01T00:00:00Z\" ID");
        assert_eq!(parse(&expired).unwrap_err(), MetadataError::Expired);
        let comment_in_certificate =
            good.replace("      {CERT}".replace("{CERT}", CERT).as_str(), &format!("<!---->{CERT}"));
        assert!(matches!(parse(&comment_in_certificate).unwrap_err(), MetadataError::Structure(_)));
    }

    #[test]
    fn with_a_pinned_key_unsigned_or_wrongly_signed_metadata_is_refused() {
        let key = PinnedKey::from_pem_certificate(CERT).unwrap();
        let unsigned = adfs().replace(
            r#"<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/></ds:Signature>"#,
            "",
        );
        assert_eq!(parse_idp_metadata(&unsigned, Some(&key), NOW).unwrap_err(), MetadataError::SignatureMissing);
        // A signature of the wrong shape (the ADFS sample's is an empty SignedInfo).
        assert!(matches!(parse_idp_metadata(&adfs(), Some(&key), NOW).unwrap_err(), MetadataError::Signature(_)));
    }
}
