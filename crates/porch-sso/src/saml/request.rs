//! What porch sends as a SAML service provider: the AuthnRequest of the HTTP-Redirect binding
//! (SAML Bindings 2.0 §3.4) and the SP metadata document (SAML Metadata 2.0 §2.4.4).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use porch_types::percent::percent_encode;
use porch_types::time::Timestamp;

use super::xml::{NS_ASSERTION, NS_PROTOCOL};

const BINDING_POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
const NS_METADATA: &str = "urn:oasis:names:tc:SAML:2.0:metadata";

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

/// The IdP URL to redirect the browser to (Bindings §3.4.4.1): the AuthnRequest, raw DEFLATE
/// (RFC 1951), base64, percent-encoded as `SAMLRequest`, then `RelayState` if given. The
/// request is unsigned (the SP metadata says `AuthnRequestsSigned="false"`).
pub fn authn_request_redirect_url(
    sso_url: &str,
    request_id: &str,
    sp_entity_id: &str,
    acs_url: &str,
    issue_instant: Timestamp,
    relay_state: Option<&str>,
) -> String {
    let xml = authn_request_xml(sso_url, request_id, sp_entity_id, acs_url, issue_instant);
    let deflated = stored_deflate(xml.as_bytes());
    let mut url = String::from(sso_url);
    url.push(if sso_url.contains('?') { '&' } else { '?' });
    url.push_str("SAMLRequest=");
    url.push_str(&percent_encode(&STANDARD.encode(deflated), b""));
    if let Some(relay_state) = relay_state {
        url.push_str("&RelayState=");
        url.push_str(&percent_encode(relay_state, b""));
    }
    url
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

/// The SP metadata (SAML Metadata 2.0 §2.3.2, §2.4.4) an admin gives the IdP: entity ID,
/// the ACS on the HTTP-POST binding, the NameID formats porch can use, unsigned requests.
pub fn sp_metadata(sp_entity_id: &str, acs_url: &str, want_assertions_signed: bool) -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            "\n",
            r#"<md:EntityDescriptor xmlns:md="{md}" entityID="{entity}">"#,
            r#"<md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="{signed}" "#,
            r#"protocolSupportEnumeration="{protocol}">"#,
            "<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>",
            "<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>",
            "<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>",
            r#"<md:AssertionConsumerService Binding="{binding}" Location="{acs}" index="0" isDefault="true"/>"#,
            "</md:SPSSODescriptor></md:EntityDescriptor>\n"
        ),
        md = NS_METADATA,
        entity = escape(sp_entity_id),
        signed = want_assertions_signed,
        protocol = NS_PROTOCOL,
        binding = BINDING_POST,
        acs = escape(acs_url),
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
        );
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
        let xml = sp_metadata("https://sp/<e>", "https://sp/acs?a=1&b=2", true);
        let doc = parse(&xml).unwrap();
        let root = doc.root_element();
        assert_eq!(root.attribute("entityID"), Some("https://sp/<e>"));
        let sp = root.first_element_child().unwrap();
        assert_eq!(sp.attribute("WantAssertionsSigned"), Some("true"));
        assert_eq!(sp.attribute("AuthnRequestsSigned"), Some("false"));
        let acs = sp.children().find(|n| n.has_tag_name((NS_METADATA, "AssertionConsumerService"))).unwrap();
        assert_eq!(acs.attribute("Location"), Some("https://sp/acs?a=1&b=2"));
        assert_eq!(sp.children().filter(|n| n.has_tag_name((NS_METADATA, "NameIDFormat"))).count(), 3);
    }

    #[test]
    fn stored_deflate_is_read_back_by_an_inflater_for_any_length() {
        for len in [0, 1, 700, 65_535, 65_536, 140_000] {
            let data: Vec<u8> = (0..len).map(|i| u8::try_from(i % 251).unwrap()).collect();
            assert_eq!(miniz_oxide::inflate::decompress_to_vec(&stored_deflate(&data)).unwrap(), data, "{len}");
        }
    }
}
