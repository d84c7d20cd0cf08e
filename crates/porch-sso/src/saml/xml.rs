//! Strict XML for SAML: one parse with DTDs refused and the size bounded, a walker that needs
//! no recursion, and the census that pins down where assertions and signatures may be.

use std::collections::HashSet;

use roxmltree::{Document, Node, NodeId, ParsingOptions};

use super::SamlError;

pub(super) const NS_PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub(super) const NS_ASSERTION: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
pub(super) const NS_DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
pub(super) const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";

/// Far more nodes than any real response (a few hundred), few enough that one request cannot
/// make the isolate build a huge tree.
pub(super) const MAX_NODES: u32 = 20_000;
/// Real responses nest about ten deep; deeper documents are refused before any tree walk.
pub(super) const MAX_DEPTH: usize = 64;
/// Namespace declarations in the whole document: real responses have under twenty. The
/// parser copies the namespaces in scope into every element that declares one, so their
/// number must be bounded before it runs (a few thousand cost it seconds to minutes).
const MAX_NAMESPACE_DECLARATIONS: usize = 128;
/// Attributes on one element: real ones have under ten. The parser's duplicate check is
/// quadratic in them.
const MAX_ATTRIBUTES: usize = 64;

/// Parses `text` once, strictly: no DTD at all (so no entity declarations, no XXE, no
/// billion laughs: OWASP XML Security Cheat Sheet), a node budget, a depth budget, UTF-8 only.
pub(super) fn parse(text: &str) -> Result<Document<'_>, SamlError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    check_declared_encoding(text)?;
    prescan(text)?;
    let options = ParsingOptions { allow_dtd: false, nodes_limit: MAX_NODES, entity_resolver: None };
    let doc = Document::parse_with_options(text, options).map_err(|error| match error {
        roxmltree::Error::DtdDetected | roxmltree::Error::EntityReferenceLoop(_) => SamlError::Dtd,
        _ => SamlError::Xml,
    })?;
    let mut depth = 0usize;
    for event in Walk::new(doc.root(), None) {
        match event {
            Event::Open(_) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(SamlError::Xml);
                }
            }
            Event::Close(_) => depth = depth.saturating_sub(1),
        }
    }
    Ok(doc)
}

/// One linear pass over the markup before the parser sees it: nesting depth, namespace
/// declarations in all and attributes per element, the inputs whose cost in the parser grows
/// faster than their size. Not a parser: it only has to find tags, quoted attribute values,
/// comments, CDATA and processing instructions; anything odd is left to the parser to refuse.
fn prescan(text: &str) -> Result<(), SamlError> {
    let bytes = text.as_bytes();
    let (mut at, mut depth, mut declarations) = (0usize, 0usize, 0usize);
    let skip_to =
        |from: usize, end: &str| text.get(from..).and_then(|rest| rest.find(end)).map(|i| from + i + end.len());
    while let Some(open) = text.get(at..).and_then(|rest| rest.find('<')).map(|i| at + i) {
        let rest = text.get(open..).unwrap_or("");
        if rest.starts_with("<!--") {
            at = skip_to(open, "-->").ok_or(SamlError::Xml)?;
        } else if rest.starts_with("<![CDATA[") {
            at = skip_to(open, "]]>").ok_or(SamlError::Xml)?;
        } else if rest.starts_with("<?") {
            at = skip_to(open, "?>").ok_or(SamlError::Xml)?;
        } else if rest.starts_with("<!") {
            // A DOCTYPE (or anything like one): never allowed.
            return Err(SamlError::Dtd);
        } else if rest.starts_with("</") {
            depth = depth.saturating_sub(1);
            at = skip_to(open, ">").ok_or(SamlError::Xml)?;
        } else {
            // A start tag: attributes are `name="value"` or `name='value'`; `>` may sit in values.
            let (mut i, mut attributes, mut quote, mut name_start) = (open + 1, 0usize, None::<u8>, None::<usize>);
            let end = loop {
                let Some(&byte) = bytes.get(i) else { return Err(SamlError::Xml) };
                match (quote, byte) {
                    (Some(q), b) if b == q => quote = None,
                    (None, b'"' | b'\'') => quote = Some(byte),
                    (None, b'=') => {
                        attributes += 1;
                        let name = name_start.and_then(|start| text.get(start..i)).unwrap_or("").trim();
                        if name == "xmlns" || name.starts_with("xmlns:") {
                            declarations += 1;
                        }
                    }
                    (None, b'>') => break i,
                    (None, b) if b.is_ascii_whitespace() => name_start = Some(i + 1),
                    // Inside a value, or any other byte of a name.
                    _ => {}
                }
                i += 1;
            };
            if attributes > MAX_ATTRIBUTES || declarations > MAX_NAMESPACE_DECLARATIONS {
                return Err(SamlError::Xml);
            }
            if bytes.get(end.saturating_sub(1)) != Some(&b'/') {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(SamlError::Xml);
                }
            }
            at = end + 1;
        }
    }
    Ok(())
}

/// The text was decoded as UTF-8; a declaration naming another encoding means the sender
/// meant other bytes than the ones we would read, so it is refused rather than guessed at.
fn check_declared_encoding(text: &str) -> Result<(), SamlError> {
    let Some(rest) = text.strip_prefix("<?xml") else { return Ok(()) };
    let declaration = rest.split("?>").next().unwrap_or("");
    let Some(at) = declaration.find("encoding") else { return Ok(()) };
    let value: String = declaration
        .get(at + "encoding".len()..)
        .unwrap_or("")
        .trim_start_matches([' ', '=', '\t', '\n', '\r'])
        .chars()
        .skip(1)
        .take_while(|c| *c != '"' && *c != '\'')
        .collect();
    if value.eq_ignore_ascii_case("utf-8") {
        Ok(())
    } else {
        Err(SamlError::Xml)
    }
}

/// One step of a depth-first walk: an element (or other node) opens, later it closes.
#[derive(Clone, Copy, Debug)]
pub(super) enum Event<'a, 'input> {
    Open(Node<'a, 'input>),
    Close(Node<'a, 'input>),
}

/// A depth-first walk over `apex` and its descendants without recursion (the wasm stack is
/// small), leaving out the subtree rooted at `skip` entirely (no open, no close).
pub(super) struct Walk<'a, 'input> {
    apex: Node<'a, 'input>,
    skip: Option<NodeId>,
    next: Option<Event<'a, 'input>>,
}

impl<'a, 'input> Walk<'a, 'input> {
    pub(super) fn new(apex: Node<'a, 'input>, skip: Option<NodeId>) -> Walk<'a, 'input> {
        let next = (Some(apex.id()) != skip).then_some(Event::Open(apex));
        Walk { apex, skip, next }
    }

    /// The first sibling at or after `node` that is not skipped.
    fn unskipped(&self, mut node: Option<Node<'a, 'input>>) -> Option<Node<'a, 'input>> {
        while let Some(candidate) = node {
            if Some(candidate.id()) != self.skip {
                return Some(candidate);
            }
            node = candidate.next_sibling();
        }
        None
    }
}

impl<'a, 'input> Iterator for Walk<'a, 'input> {
    type Item = Event<'a, 'input>;

    fn next(&mut self) -> Option<Event<'a, 'input>> {
        let current = self.next.take()?;
        self.next = match current {
            Event::Open(node) => match self.unskipped(node.first_child()) {
                Some(child) => Some(Event::Open(child)),
                None => Some(Event::Close(node)),
            },
            Event::Close(node) if node.id() == self.apex.id() => None,
            Event::Close(node) => match self.unskipped(node.next_sibling()) {
                Some(sibling) => Some(Event::Open(sibling)),
                None => node.parent().map(Event::Close),
            },
        };
        Some(current)
    }
}

/// Whether `node` is the element `{ns}local`.
pub(super) fn is(node: Node<'_, '_>, ns: &str, local: &str) -> bool {
    node.is_element() && node.tag_name().namespace() == Some(ns) && node.tag_name().name() == local
}

/// The element children of `node`; any non-whitespace text beside them is a structure error
/// (the elements we walk this way have element-only content in their schemas).
pub(super) fn element_children<'a, 'input>(
    node: Node<'a, 'input>,
    what: &'static str,
) -> Result<Vec<Node<'a, 'input>>, SamlError> {
    let mut elements = Vec::new();
    for child in node.children() {
        if child.is_element() {
            elements.push(child);
        } else if child.is_text() && !child.text().unwrap_or("").chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
        {
            return Err(SamlError::Structure(what));
        }
    }
    Ok(elements)
}

/// The children of `node` named `{ns}local`.
pub(super) fn children_named<'a, 'input>(node: Node<'a, 'input>, ns: &str, local: &str) -> Vec<Node<'a, 'input>> {
    node.children().filter(|child| is(*child, ns, local)).collect()
}

/// The one child `{ns}local` of `node`, if there is exactly one; `None` if there is none;
/// an error if there are several.
pub(super) fn at_most_one<'a, 'input>(
    node: Node<'a, 'input>,
    ns: &str,
    local: &str,
    error: SamlError,
) -> Result<Option<Node<'a, 'input>>, SamlError> {
    let mut found = children_named(node, ns, local).into_iter();
    let first = found.next();
    if found.next().is_some() {
        return Err(error);
    }
    Ok(first)
}

/// The content of a simple-text element (NameID, AttributeValue, DigestValue...): its text
/// nodes only. A comment, processing instruction or element inside is refused, never skipped:
/// reading "the first text node" of `user@evil.com<!---->.victim.com` is the NameID comment
/// injection (CVE-2017-11427 and friends).
pub(super) fn text_only(node: Node<'_, '_>) -> Option<String> {
    let mut text = String::new();
    for child in node.children() {
        if !child.is_text() {
            return None;
        }
        text.push_str(child.text().unwrap_or(""));
    }
    Some(text)
}

/// The qualified name of an element exactly as written in the source (`saml:Assertion`),
/// read from the input text: roxmltree resolves namespaces, but canonical XML writes the
/// prefix the document used.
pub(super) fn element_qname<'input>(node: Node<'_, 'input>) -> Option<&'input str> {
    let source = node.document().input_text().get(node.range())?;
    let name = source.strip_prefix('<')?;
    let end = name.find([' ', '\t', '\n', '\r', '/', '>'])?;
    let qname = name.get(..end)?;
    // The written name must resolve to the parsed one; anything else means we misread it.
    let (prefix, local) = split_qname(qname);
    let resolved = match prefix {
        Some(prefix) => node.lookup_namespace_uri(Some(prefix)),
        None => node.default_namespace(),
    };
    (local == node.tag_name().name() && resolved == node.tag_name().namespace()).then_some(qname)
}

/// `p:local` to (`Some("p")`, `local`); `local` to (`None`, `local`).
pub(super) fn split_qname(qname: &str) -> (Option<&str>, &str) {
    match qname.split_once(':') {
        Some((prefix, local)) => (Some(prefix), local),
        None => (None, qname),
    }
}

/// XML Namespaces 1.0 NCName, restricted to what IDs use in practice is not enough: the
/// full production is checked (a letter or `_` first, then letters, digits, `.-_`, combining
/// characters; no colon), so an ID compares the same everywhere it is looked up.
pub(super) fn is_ncname(text: &str) -> bool {
    let mut chars = text.chars();
    let Some(first) = chars.next() else { return false };
    let start = |c: char| c == '_' || c.is_alphabetic();
    start(first) && chars.all(|c| start(c) || c.is_alphanumeric() || matches!(c, '-' | '.' | '\u{b7}'))
}

/// The attributes that are IDs for signature references: SAML's `ID`, XML-DSig's `Id`, and
/// `xml:id`.
fn is_id_attribute(attribute: &roxmltree::Attribute<'_, '_>) -> bool {
    match attribute.namespace() {
        None => matches!(attribute.name(), "ID" | "Id"),
        Some(ns) => ns == NS_XML && attribute.name() == "id",
    }
}

/// Where the parts we trust are in the original document.
pub(super) struct Census<'a, 'input> {
    pub response: Node<'a, 'input>,
    /// The one top-level `Assertion`, or the one `EncryptedAssertion` when `encrypted`.
    pub assertion: Node<'a, 'input>,
    pub encrypted: bool,
    pub response_signature: Option<Node<'a, 'input>>,
    pub assertion_signature: Option<Node<'a, 'input>>,
}

/// The root must be a SAML 2.0 protocol `Response` (SAML Core 2.0 §3.2.2, §3.4; the version
/// by §4.1.2).
pub(super) fn check_root<'a, 'input>(doc: &'a Document<'input>) -> Result<Node<'a, 'input>, SamlError> {
    let root = doc.root_element();
    if !is(root, NS_PROTOCOL, "Response") {
        return Err(SamlError::Structure("the root is not a SAML 2.0 protocol Response"));
    }
    if root.attribute("Version") != Some("2.0") {
        return Err(SamlError::Structure("the Response is not version 2.0"));
    }
    Ok(root)
}

/// Whether `node` lies inside a part of the Response that is never read, so its assertions
/// and signatures are none of ours: an assertion's `Advice` (SAML Core 2.0 §2.6.1: evidence
/// the IdP attaches, "not required to be read") and an `EncryptedAssertion` (its own parser
/// checks it). Only an Advice whose parent is an Assertion counts: an `Advice` anywhere else
/// shelters nothing, so an assertion hidden in one is still counted.
fn sheltered(node: Node<'_, '_>, response: Node<'_, '_>) -> bool {
    node.ancestors().skip(1).take_while(|ancestor| *ancestor != response).any(|ancestor| {
        is(ancestor, NS_ASSERTION, "EncryptedAssertion")
            || (is(ancestor, NS_ASSERTION, "Advice")
                && ancestor.parent().is_some_and(|p| is(p, NS_ASSERTION, "Assertion")))
    })
}

/// The census of the whole tree, before any signature work. It closes the door on
/// signature wrapping (Somorovsky et al., "On Breaking SAML", USENIX Security 2012): there is
/// exactly one assertion (plain or encrypted), in the one place the profile puts it;
/// signatures sit only on the Response or on that assertion; IDs are unique in the whole
/// document, Advice included, so a reference names one element only. What an Advice holds is
/// skipped, never read: a signature there covers an Advice assertion, never the top-level one
/// (its Reference would have to name the top-level assertion's ID, which only it carries).
pub(super) fn census<'a, 'input>(response: Node<'a, 'input>) -> Result<Census<'a, 'input>, SamlError> {
    let mut assertions = Vec::new();
    let mut signatures = Vec::new();
    let mut ids = HashSet::new();
    for node in response.descendants() {
        if !node.is_element() {
            continue;
        }
        for attribute in node.attributes().filter(is_id_attribute) {
            // XML-DSig §4.4.3.3 same-document references name an ID; two elements with one
            // ID are how wrapping attacks make the verifier and the reader look at different
            // elements.
            if !is_ncname(attribute.value()) || !ids.insert(attribute.value()) {
                return Err(SamlError::Structure("an ID is repeated or not an NCName"));
            }
        }
        if sheltered(node, response) {
            continue;
        }
        let ns = node.tag_name().namespace();
        let local = node.tag_name().name();
        if ns == Some(NS_ASSERTION) {
            match local {
                "Assertion" | "EncryptedAssertion" => assertions.push(node),
                // Claims are read from text only (see `text_only`); refusing here too
                // means a comment in them fails even where canonical XML would drop it.
                "NameID" | "AttributeValue" | "Issuer" | "Audience" if text_only(node).is_none() => {
                    return Err(SamlError::Claims);
                }
                _ => {}
            }
        } else if ns == Some(NS_DSIG) {
            match local {
                "Signature" => signatures.push(node),
                // Never followed (XML-DSig §4.4.3 RetrievalMethod, §5.1 Manifest): a signature
                // must cover the element by its own single Reference.
                "Manifest" | "RetrievalMethod" | "Object" => {
                    return Err(SamlError::Structure("Manifest, Object and RetrievalMethod are refused"))
                }
                "DigestValue" | "SignatureValue" if text_only(node).is_none() => {
                    return Err(SamlError::Structure("a digest or signature value holds more than text"));
                }
                _ => {}
            }
        }
    }
    let [assertion] = assertions.as_slice() else {
        return Err(SamlError::Structure("there must be exactly one Assertion"));
    };
    let assertion = *assertion;
    if assertion.parent() != Some(response) {
        return Err(SamlError::Structure("the Assertion is not a direct child of the Response"));
    }
    let encrypted = assertion.tag_name().name() == "EncryptedAssertion";
    if response.attribute("ID").is_none() || (!encrypted && assertion.attribute("ID").is_none()) {
        return Err(SamlError::Structure("the Response and the Assertion need an ID"));
    }
    let mut census = Census { response, assertion, encrypted, response_signature: None, assertion_signature: None };
    for signature in signatures {
        let slot = match signature.parent() {
            Some(parent) if parent == response => &mut census.response_signature,
            Some(parent) if parent == assertion && !encrypted => &mut census.assertion_signature,
            _ => return Err(SamlError::Structure("a Signature is somewhere other than the Response or Assertion")),
        };
        if slot.replace(signature).is_some() {
            return Err(SamlError::Structure("an element has more than one Signature"));
        }
    }
    Ok(census)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(inner: &str) -> String {
        format!(
            r#"<samlp:Response xmlns:samlp="{NS_PROTOCOL}" xmlns:saml="{NS_ASSERTION}" xmlns:ds="{NS_DSIG}" ID="r1" Version="2.0">{inner}</samlp:Response>"#
        )
    }

    fn census_of(xml: &str) -> Result<(), SamlError> {
        let doc = parse(xml)?;
        let root = check_root(&doc)?;
        census(root).map(|_| ())
    }

    #[test]
    fn a_doctype_is_refused_as_dtd() {
        let xml = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><r>&b;</r>"#;
        assert_eq!(parse(xml).unwrap_err(), SamlError::Dtd);
        assert_eq!(parse(r#"<!DOCTYPE r SYSTEM "file:///etc/passwd"><r/>"#).unwrap_err(), SamlError::Dtd);
    }

    #[test]
    fn an_undeclared_entity_is_refused() {
        assert_eq!(parse("<r>&xxe;</r>").unwrap_err(), SamlError::Xml);
    }

    #[test]
    fn a_declared_encoding_other_than_utf8_is_refused() {
        assert!(parse(r#"<?xml version="1.0" encoding="UTF-8"?><r/>"#).is_ok());
        assert_eq!(parse(r#"<?xml version="1.0" encoding="ISO-8859-1"?><r/>"#).unwrap_err(), SamlError::Xml);
    }

    #[test]
    fn too_deep_and_too_many_nodes_are_refused() {
        let deep = format!("{}{}", "<a>".repeat(MAX_DEPTH + 1), "</a>".repeat(MAX_DEPTH + 1));
        assert_eq!(parse(&deep).unwrap_err(), SamlError::Xml);
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH - 1), "</a>".repeat(MAX_DEPTH - 1));
        assert!(parse(&ok).is_ok());
        let wide = format!("<a>{}</a>", "<b/>".repeat(MAX_NODES as usize));
        assert_eq!(parse(&wide).unwrap_err(), SamlError::Xml);
    }

    #[test]
    fn the_walk_skips_a_subtree_and_closes_everything_it_opens() {
        let doc = parse("<a><b><c/></b><d>t</d><e/></a>").unwrap();
        let b = doc.descendants().find(|n| n.has_tag_name("b")).unwrap();
        let names: Vec<String> = Walk::new(doc.root_element(), Some(b.id()))
            .map(|e| match e {
                Event::Open(n) => format!("+{}", n.tag_name().name()),
                Event::Close(n) => format!("-{}", n.tag_name().name()),
            })
            .collect();
        assert_eq!(names.join(" "), "+a +d + - -d +e -e -a");
    }

    #[test]
    fn the_root_must_be_a_version_2_protocol_response() {
        assert!(census_of(&response(r#"<saml:Assertion ID="a1"/>"#)).is_ok());
        let wrong_ns = r#"<Response xmlns="urn:x" ID="r" Version="2.0"/>"#;
        assert!(matches!(census_of(wrong_ns), Err(SamlError::Structure(_))));
        let v1 = format!(r#"<samlp:Response xmlns:samlp="{NS_PROTOCOL}" ID="r" Version="1.1"/>"#);
        assert!(matches!(census_of(&v1), Err(SamlError::Structure(_))));
    }

    #[test]
    fn exactly_one_assertion_as_a_direct_child_is_required() {
        assert!(matches!(census_of(&response("")), Err(SamlError::Structure(_))));
        let two = response(r#"<saml:Assertion ID="a1"/><saml:Assertion ID="a2"/>"#);
        assert!(matches!(census_of(&two), Err(SamlError::Structure(_))));
        let nested = response(r#"<samlp:Extensions><saml:Assertion ID="a1"/></samlp:Extensions>"#);
        assert!(matches!(census_of(&nested), Err(SamlError::Structure(_))));
        let beside = response(r#"<saml:Assertion ID="a1"/><saml:EncryptedAssertion/>"#);
        assert!(matches!(census_of(&beside), Err(SamlError::Structure(_))));
    }

    #[test]
    fn assertions_and_signatures_inside_an_assertions_advice_are_not_counted() {
        let advice = response(
            r#"<saml:Assertion ID="a1"><ds:Signature/><saml:Advice><saml:Assertion ID="a2"><ds:Signature/><saml:Subject><saml:NameID>x<!---->y</saml:NameID></saml:Subject></saml:Assertion><saml:EncryptedAssertion/></saml:Advice></saml:Assertion>"#,
        );
        let doc = parse(&advice).unwrap();
        let census = census(check_root(&doc).unwrap()).unwrap();
        assert_eq!(census.assertion.attribute("ID"), Some("a1"));
        assert!(!census.encrypted);
        assert_eq!(census.assertion_signature.and_then(|s| s.parent()), Some(census.assertion));
    }

    #[test]
    fn an_advice_shelters_nothing_outside_an_assertion_and_ids_stay_unique_across_it() {
        let misplaced = response(r#"<saml:Advice><saml:Assertion ID="a2"/></saml:Advice><saml:Assertion ID="a1"/>"#);
        assert!(matches!(census_of(&misplaced), Err(SamlError::Structure(_))));
        let same_id = response(
            r#"<saml:Assertion ID="a1"><saml:Advice><saml:Assertion ID="a1"/></saml:Advice></saml:Assertion>"#,
        );
        assert!(matches!(census_of(&same_id), Err(SamlError::Structure(_))));
        // The signature of an Advice assertion moved up beside it is still only one level down.
        let moved = response(r#"<saml:Assertion ID="a1"><saml:Advice><ds:Signature/></saml:Advice></saml:Assertion>"#);
        assert!(census_of(&moved).is_ok());
    }

    #[test]
    fn one_encrypted_assertion_stands_in_for_the_assertion() {
        let xml = response("<ds:Signature/><saml:EncryptedAssertion><ds:Signature/></saml:EncryptedAssertion>");
        let doc = parse(&xml).unwrap();
        let census = census(check_root(&doc).unwrap()).unwrap();
        assert!(census.encrypted && census.response_signature.is_some() && census.assertion_signature.is_none());
        let two = response("<saml:EncryptedAssertion/><saml:EncryptedAssertion/>");
        assert!(matches!(census_of(&two), Err(SamlError::Structure(_))));
    }

    #[test]
    fn signatures_may_only_sit_on_the_response_or_the_assertion_once_each() {
        let ok = response(r#"<ds:Signature/><saml:Assertion ID="a1"><ds:Signature/></saml:Assertion>"#);
        assert!(census_of(&ok).is_ok());
        let twice = response(r#"<ds:Signature/><ds:Signature/><saml:Assertion ID="a1"/>"#);
        assert!(matches!(census_of(&twice), Err(SamlError::Structure(_))));
        let deep = response(r#"<saml:Assertion ID="a1"><saml:Subject><ds:Signature/></saml:Subject></saml:Assertion>"#);
        assert!(matches!(census_of(&deep), Err(SamlError::Structure(_))));
    }

    #[test]
    fn ids_must_be_unique_ncnames() {
        let repeated = response(r#"<saml:Assertion ID="r1"/>"#);
        assert!(matches!(census_of(&repeated), Err(SamlError::Structure(_))));
        let not_ncname = response(r#"<saml:Assertion ID="1a"/>"#);
        assert!(matches!(census_of(&not_ncname), Err(SamlError::Structure(_))));
        let colon = response(r#"<saml:Assertion ID="a:b"/>"#);
        assert!(matches!(census_of(&colon), Err(SamlError::Structure(_))));
        let dsig_id = response(r#"<saml:Assertion ID="a1"><ds:Signature Id="a1"/></saml:Assertion>"#);
        assert!(matches!(census_of(&dsig_id), Err(SamlError::Structure(_))));
    }

    #[test]
    fn a_comment_inside_a_name_id_fails_as_claims() {
        let xml = response(
            r#"<saml:Assertion ID="a1"><saml:Subject><saml:NameID>user@evil.com<!---->.victim.com</saml:NameID></saml:Subject></saml:Assertion>"#,
        );
        assert_eq!(census_of(&xml).unwrap_err(), SamlError::Claims);
    }

    #[test]
    fn a_comment_inside_a_digest_value_fails() {
        let xml = response(
            r#"<saml:Assertion ID="a1"/><ds:Signature><ds:DigestValue>AA<!-- x -->==</ds:DigestValue></ds:Signature>"#,
        );
        assert!(matches!(census_of(&xml), Err(SamlError::Structure(_))));
    }

    #[test]
    fn the_qualified_name_is_read_as_written() {
        let doc = parse(r#"<a:x xmlns:a="u" xmlns:b="u"><b:y/><z xmlns="u"/></a:x>"#).unwrap();
        let names: Vec<&str> =
            doc.descendants().filter(roxmltree::Node::is_element).filter_map(element_qname).collect();
        assert_eq!(names, ["a:x", "b:y", "z"]);
    }
}
