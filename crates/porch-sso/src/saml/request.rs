//! What porch sends as a SAML service provider: the AuthnRequest of the HTTP-Redirect binding
//! (SAML Bindings 2.0 §3.4), signed when the IdP wants it, and the SP metadata document (SAML
//! Metadata 2.0 §2.4.4) with porch's SP keys.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use porch_types::percent::percent_encode;
use porch_types::time::Timestamp;

use super::sp_keys::{SpKey, SpKeyError};
use super::xml::{NS_ASSERTION, NS_DSIG, NS_PROTOCOL};

const BINDING_POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
pub(super) const NS_METADATA: &str = "urn:oasis:names:tc:SAML:2.0:metadata";

/// XML-escapes `text` for an attribute value or element content.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
    out
}

/// `xs:dateTime` in UTC to the second, as SAML Core 2.0 §1.3.3 wants.
fn instant(at: Timestamp) -> String {
    let full = at.to_string();
    // `2026-11-23T14:09:24.000Z` -> `2026-11-23T14:09:24Z`
    match full.get(..19) {
        Some(seconds) => format!("{seconds}Z"),
        None => full,
    }
}

/// The AuthnRequest XML (SAML Core 2.0 §3.4.1). `request_id` must be an NCName (SAML Core
/// §1.3.4: start it with a letter or `_`), unique and unpredictable: the caller keeps it to
/// check the response's InResponseTo.
pub fn authn_request_xml(
    sso_url: &str,
    request_id: &str,
    sp_entity_id: &str,
    acs_url: &str,
    issue_instant: Timestamp,
) -> String {
    format!(
        concat!(
            r#"<samlp:AuthnRequest xmlns:samlp="{protocol}" xmlns:saml="{assertion}" ID="{id}" Version="2.0" "#,
            r#"IssueInstant="{instant}" Destination="{destination}" AssertionConsumerServiceURL="{acs}" "#,
            r#"ProtocolBinding="{binding}"><saml:Issuer>{issuer}</saml:Issuer>"#,
            r#"<samlp:NameIDPolicy AllowCreate="true"/></samlp:AuthnRequest>"#
        ),
        protocol = NS_PROTOCOL,
        assertion = NS_ASSERTION,
        id = escape(request_id),
        instant = instant(issue_instant),
        destination = escape(sso_url),
        acs = escape(acs_url),
        binding = BINDING_POST,
        issuer = escape(sp_entity_id),
    )
}

/// The signature algorithm of signed AuthnRequests (XML-DSig 1.1 §6.4.2, RFC 6931 §2.3.2).
pub const SIG_ALG_RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";

/// The IdP URL to redirect the browser to (Bindings §3.4.4.1): the AuthnRequest, raw DEFLATE
/// (RFC 1951), base64, percent-encoded as `SAMLRequest`, then `RelayState` if given. With a
/// `signer` (porch's current SP key and a fresh random seed for its blinding), the request is
/// signed as that section says: `SigAlg` is added, and `Signature` is RSA-SHA256 over the
/// octets `SAMLRequest=...&RelayState=...&SigAlg=...` exactly as they appear in the URL
/// (the IdP verifies those bytes, not a re-encoding of its own). Parameters already in the
/// IdP's `sso_url` are not covered, as the section says.
pub fn authn_request_redirect_url(
    sso_url: &str,
    request_id: &str,
    sp_entity_id: &str,
    acs_url: &str,
    issue_instant: Timestamp,
    relay_state: Option<&str>,
    signer: Option<(&SpKey, [u8; 32])>,
) -> Result<String, SpKeyError> {
    let xml = authn_request_xml(sso_url, request_id, sp_entity_id, acs_url, issue_instant);
    let deflated = stored_deflate(xml.as_bytes());
    let mut query = String::from("SAMLRequest=");
    query.push_str(&percent_encode(&STANDARD.encode(deflated), b""));
    if let Some(relay_state) = relay_state {
        query.push_str("&RelayState=");
        query.push_str(&percent_encode(relay_state, b""));
    }
    if let Some((key, seed)) = signer {
        query.push_str("&SigAlg=");
        query.push_str(&percent_encode(SIG_ALG_RSA_SHA256, b""));
        let signature = key.sign_rsa_sha256(query.as_bytes(), seed)?;
        query.push_str("&Signature=");
        query.push_str(&percent_encode(&STANDARD.encode(signature), b""));
    }
    let mut url = String::from(sso_url);
    url.push(if sso_url.contains('?') { '&' } else { '?' });
    url.push_str(&query);
    Ok(url)
}

/// Raw DEFLATE (RFC 1951 §3.2.4) of `data` in stored (uncompressed) blocks: valid DEFLATE
/// that every inflater reads, without a compressor in the worker (it would cost the wasm
/// budget more than the few hundred bytes of an AuthnRequest are worth).
fn stored_deflate(data: &[u8]) -> Vec<u8> {
    const MAX_BLOCK: usize = 65_535;
    let mut out = Vec::with_capacity(data.len() + 5 * (data.len() / MAX_BLOCK + 1));
    let mut blocks = data.chunks(MAX_BLOCK).peekable();
    if blocks.peek().is_none() {
        // One empty final block.
        return vec![1, 0, 0, 0xff, 0xff];
    }
    while let Some(block) = blocks.next() {
        // BFINAL on the last block, BTYPE 00 (stored); then LEN and its one's complement.
        out.push(u8::from(blocks.peek().is_none()));
        let len = u16::try_from(block.len()).unwrap_or(u16::MAX);
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out
}

/// What the SP metadata says about porch's side of one connection.
pub struct SpMetadata<'a> {
    pub sp_entity_id: &'a str,
    pub acs_url: &'a str,
    pub want_assertions_signed: bool,
    /// Whether porch signs its AuthnRequests (the IdP wants them signed).
    pub authn_requests_signed: bool,
    /// The base64 DER certificates of the connection's SP keys: one, or two while one
    /// replaces the other (both published, so the IdP trusts either during the change).
    pub certificates: &'a [String],
}

/// The SP metadata (SAML Metadata 2.0 §2.3.2, §2.4.4) an admin gives the IdP: entity ID, each
/// SP key as a `signing` and an `encryption` KeyDescriptor (§2.4.1.1; IdPs check signed
/// requests and encrypt assertions with them), the NameID formats porch can use, the ACS on
/// the HTTP-POST binding.
pub fn sp_metadata(metadata: &SpMetadata<'_>) -> String {
    let mut keys = String::new();
    for certificate in metadata.certificates {
        for usage in ["signing", "encryption"] {
            keys.push_str(&format!(
                concat!(
                    r#"<md:KeyDescriptor use="{usage}"><ds:KeyInfo xmlns:ds="{ds}"><ds:X509Data>"#,
                    "<ds:X509Certificate>{certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
                ),
                usage = usage,
                ds = NS_DSIG,
                certificate = escape(certificate),
            ));
        }
    }
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            "\n",
            r#"<md:EntityDescriptor xmlns:md="{md}" entityID="{entity}">"#,
            r#"<md:SPSSODescriptor AuthnRequestsSigned="{requests_signed}" WantAssertionsSigned="{signed}" "#,
            r#"protocolSupportEnumeration="{protocol}">"#,
            "{keys}",
            "<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>",
            "<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>",
            "<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>",
            r#"<md:AssertionConsumerService Binding="{binding}" Location="{acs}" index="0" isDefault="true"/>"#,
            "</md:SPSSODescriptor></md:EntityDescriptor>\n"
        ),
        md = NS_METADATA,
        entity = escape(metadata.sp_entity_id),
        requests_signed = metadata.authn_requests_signed,
        signed = metadata.want_assertions_signed,
        protocol = NS_PROTOCOL,
        keys = keys,
        binding = BINDING_POST,
        acs = escape(metadata.acs_url),
    )
}

#[cfg(test)]
mod tests {
    use super::super::xml::parse;
    use super::*;
    use porch_types::percent::percent_decode;

    fn query_value<'a>(url: &'a str, name: &str) -> Option<&'a str> {
        url.split_once('?')?.1.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
    }

    #[test]
    fn the_redirect_url_carries_an_inflatable_authn_request_and_the_relay_state() {
        let at = Timestamp::from_millis(1_795_000_000_000);
        let url = authn_request_redirect_url(
            "https://idp.example/sso?x=1",
            "_r1",
            "https://sp/\"e\"",
            "https://sp/acs",
            at,
            Some("/t?a=b&c"),
            None,
        )
        .unwrap();
        assert!(url.starts_with("https://idp.example/sso?x=1&SAMLRequest="));
        assert_eq!(percent_decode(query_value(&url, "RelayState").unwrap()).unwrap(), "/t?a=b&c");
        let deflated = STANDARD.decode(percent_decode(query_value(&url, "SAMLRequest").unwrap()).unwrap()).unwrap();
        let xml = String::from_utf8(miniz_oxide::inflate::decompress_to_vec(&deflated).unwrap()).unwrap();
        let doc = parse(&xml).unwrap();
        let root = doc.root_element();
        assert!(root.has_tag_name((NS_PROTOCOL, "AuthnRequest")));
        assert_eq!(root.attribute("ID"), Some("_r1"));
        assert_eq!(root.attribute("IssueInstant"), Some("2026-11-18T11:06:40Z"));
        assert_eq!(root.attribute("Destination"), Some("https://idp.example/sso?x=1"));
        assert_eq!(root.attribute("AssertionConsumerServiceURL"), Some("https://sp/acs"));
        let issuer = root.children().find(|n| n.has_tag_name((NS_ASSERTION, "Issuer"))).unwrap();
        assert_eq!(issuer.text(), Some("https://sp/\"e\""));
    }

    #[test]
    fn sp_metadata_is_well_formed_and_says_what_we_want() {
        let certificates = ["QUJD".to_owned(), "REVG".to_owned()];
        let xml = sp_metadata(&SpMetadata {
            sp_entity_id: "https://sp/<e>",
            acs_url: "https://sp/acs?a=1&b=2",
            want_assertions_signed: true,
            authn_requests_signed: false,
            certificates: &certificates,
        });
        let doc = parse(&xml).unwrap();
        let root = doc.root_element();
        assert_eq!(root.attribute("entityID"), Some("https://sp/<e>"));
        let sp = root.first_element_child().unwrap();
        assert_eq!(sp.attribute("WantAssertionsSigned"), Some("true"));
        assert_eq!(sp.attribute("AuthnRequestsSigned"), Some("false"));
        let acs = sp.children().find(|n| n.has_tag_name((NS_METADATA, "AssertionConsumerService"))).unwrap();
        assert_eq!(acs.attribute("Location"), Some("https://sp/acs?a=1&b=2"));
        assert_eq!(sp.children().filter(|n| n.has_tag_name((NS_METADATA, "NameIDFormat"))).count(), 3);
        // Each key for both uses, before the NameID formats as the schema orders them.
        let keys: Vec<(Option<&str>, Option<&str>)> = sp
            .children()
            .filter(|n| n.has_tag_name((NS_METADATA, "KeyDescriptor")))
            .map(|n| {
                let certificate = n.descendants().find(|d| d.has_tag_name((NS_DSIG, "X509Certificate")));
                (n.attribute("use"), certificate.and_then(|c| c.text()))
            })
            .collect();
        assert_eq!(
            keys,
            [
                (Some("signing"), Some("QUJD")),
                (Some("encryption"), Some("QUJD")),
                (Some("signing"), Some("REVG")),
                (Some("encryption"), Some("REVG"))
            ]
        );
        assert!(sp.first_element_child().unwrap().has_tag_name((NS_METADATA, "KeyDescriptor")));
    }

    #[test]
    fn a_signed_redirect_signs_the_exact_query_octets_with_rsa_sha256() {
        use rsa::Pkcs1v15Sign;
        use sha2::{Digest as _, Sha256};
        let key = SpKey::generate([8; 32], "sp", Timestamp::from_millis(0)).unwrap();
        let at = Timestamp::from_millis(1_795_000_000_000);
        let url = authn_request_redirect_url(
            "https://idp/sso?x=1",
            "_r2",
            "https://sp",
            "https://sp/acs",
            at,
            Some("/a b"),
            Some((&key, [1; 32])),
        )
        .unwrap();
        let query = url.strip_prefix("https://idp/sso?x=1&").unwrap();
        let (signed, signature) = query.split_once("&Signature=").unwrap();
        assert!(signed.starts_with("SAMLRequest="), "{signed}");
        assert!(
            signed.ends_with(
                "&RelayState=%2Fa%20b&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256"
            ),
            "{signed}"
        );
        let signature = STANDARD.decode(percent_decode(signature).unwrap()).unwrap();
        let public = key.rsa_public_key();
        let verify = |bytes: &[u8]| public.verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(bytes), &signature);
        assert!(verify(signed.as_bytes()).is_ok());
        // The IdP's own parameter is not covered; a changed RelayState is.
        assert!(verify(format!("x=1&{signed}").as_bytes()).is_err());
        assert!(verify(signed.replace("%2Fa%20b", "%2Fa%20c").as_bytes()).is_err());
    }

    #[test]
    fn stored_deflate_is_read_back_by_an_inflater_for_any_length() {
        for len in [0, 1, 700, 65_535, 65_536, 140_000] {
            let data: Vec<u8> = (0..len).map(|i| u8::try_from(i % 251).unwrap()).collect();
            assert_eq!(miniz_oxide::inflate::decompress_to_vec(&stored_deflate(&data)).unwrap(), data, "{len}");
        }
    }
}
