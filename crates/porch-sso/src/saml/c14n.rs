//! Exclusive XML canonicalisation without comments (W3C "Exclusive XML Canonicalization
//! 1.0", over the data model and escaping of "Canonical XML 1.0" §2) of one element's
//! subtree, leaving out one element (the enveloped signature): the bytes that are digested
//! and signed.

use roxmltree::{Node, NodeId, NodeType};

use super::xml::{element_qname, split_qname, Event, Walk};
use super::SamlError;

/// One in-scope prefix rendered by an output ancestor: `""` is the default namespace.
struct Rendered<'a> {
    depth: usize,
    prefix: &'a str,
    uri: &'a str,
}

/// Canonicalises `apex` and its descendants, without the subtree of `exclude` (XML-DSig
/// §6.6.4 enveloped-signature transform), into a string. `inclusive_prefixes` is the
/// InclusiveNamespaces PrefixList (`#default` for the default namespace): those prefixes are
/// rendered the way inclusive C14N would (Exc-C14N §3).
///
/// Only element, text and processing-instruction nodes are written; comments are dropped
/// (the "without comments" variant, the only one we accept). Any node we cannot render
/// exactly is an error: a canonical form we are unsure of must never be digested.
pub(super) fn canonicalize<'a>(
    apex: Node<'a, '_>,
    exclude: Option<NodeId>,
    inclusive_prefixes: &[&'a str],
) -> Result<String, SamlError> {
    if !apex.is_element() {
        return Err(SamlError::Structure("canonicalisation needs an element"));
    }
    let mut out = String::with_capacity(apex.range().len());
    let mut rendered: Vec<Rendered<'a>> = Vec::new();
    let mut depth = 0usize;
    for event in Walk::new(apex, exclude) {
        match event {
            Event::Open(node) => match node.node_type() {
                NodeType::Element => {
                    depth += 1;
                    open_element(node, depth, inclusive_prefixes, &mut rendered, &mut out)?;
                }
                NodeType::Text => escape_text(node.text().unwrap_or(""), &mut out),
                // C14N 1.0 §2.3: PIs inside the document element are written as
                // `<?target data?>`.
                NodeType::PI => {
                    let pi = node.pi().ok_or(SamlError::Structure("a processing instruction"))?;
                    out.push_str("<?");
                    out.push_str(pi.target);
                    if let Some(value) = pi.value.filter(|v| !v.is_empty()) {
                        out.push(' ');
                        out.push_str(value);
                    }
                    out.push_str("?>");
                }
                NodeType::Comment => {}
                NodeType::Root => return Err(SamlError::Structure("canonicalisation of a document node")),
            },
            Event::Close(node) => {
                if node.is_element() {
                    let qname = element_qname(node).ok_or(SamlError::Structure("an element name"))?;
                    out.push_str("</");
                    out.push_str(qname);
                    out.push('>');
                    rendered.retain(|r| r.depth < depth);
                    depth -= 1;
                }
            }
        }
    }
    if out.is_empty() {
        return Err(SamlError::Structure("empty canonical form"));
    }
    Ok(out)
}

/// The namespace URI `prefix` had when an output ancestor last rendered it (`""` for an
/// unrendered default namespace: Exc-C14N treats "no default namespace" as `xmlns=""`).
fn rendered_uri<'a>(rendered: &[Rendered<'a>], prefix: &str) -> Option<&'a str> {
    rendered.iter().rev().find(|r| r.prefix == prefix).map(|r| r.uri).or_else(|| prefix.is_empty().then_some(""))
}

/// Writes the start tag of `node`: its name as written, then the namespace declarations it
/// needs (sorted by prefix, the default first), then its attributes (sorted by namespace URI,
/// then local name: C14N 1.0 §2.2 "document order" of attribute and namespace axes).
fn open_element<'a>(
    node: Node<'a, '_>,
    depth: usize,
    inclusive_prefixes: &[&'a str],
    rendered: &mut Vec<Rendered<'a>>,
    out: &mut String,
) -> Result<(), SamlError> {
    let qname = element_qname(node).ok_or(SamlError::Structure("an element name"))?;
    let document_text = node.document().input_text();

    // Exc-C14N §3: the prefixes "visibly utilized" by the element (its own, the default if it
    // has none) and by its attributes (an unprefixed attribute uses no namespace).
    let mut wanted: Vec<&str> = vec![split_qname(qname).0.unwrap_or("")];
    let mut attributes = Vec::new();
    for attribute in node.attributes() {
        let written = document_text.get(attribute.range_qname()).ok_or(SamlError::Structure("an attribute name"))?;
        let (prefix, local) = split_qname(written);
        if local != attribute.name() || prefix.is_some() != attribute.namespace().is_some() {
            return Err(SamlError::Structure("an attribute name"));
        }
        if let Some(prefix) = prefix {
            wanted.push(prefix);
        }
        attributes.push((attribute.namespace().unwrap_or(""), attribute.name(), written, attribute.value()));
    }
    // The PrefixList is handled as inclusive C14N would: rendered wherever in scope and not
    // already rendered with that value by an output ancestor.
    for prefix in inclusive_prefixes {
        wanted.push(if *prefix == "#default" { "" } else { prefix });
    }
    wanted.sort_unstable();
    wanted.dedup();

    let mut declarations = Vec::new();
    for prefix in wanted {
        // The `xml` prefix is bound by definition and never declared (C14N 1.0 §2.3).
        if prefix == "xml" {
            continue;
        }
        let uri = if prefix.is_empty() {
            node.default_namespace().unwrap_or("")
        } else {
            match node.lookup_namespace_uri(Some(prefix)) {
                Some(uri) => uri,
                // A PrefixList entry not in scope renders nothing; a used prefix out of scope
                // cannot parse, so it cannot happen here.
                None => continue,
            }
        };
        if rendered_uri(rendered, prefix) != Some(uri) {
            declarations.push((prefix, uri));
            rendered.push(Rendered { depth, prefix, uri });
        }
    }

    attributes.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    out.push('<');
    out.push_str(qname);
    for (prefix, uri) in declarations {
        if prefix.is_empty() {
            out.push_str(" xmlns=\"");
        } else {
            out.push_str(" xmlns:");
            out.push_str(prefix);
            out.push_str("=\"");
        }
        escape_attribute(uri, out);
        out.push('"');
    }
    for (_, _, written, value) in attributes {
        out.push(' ');
        out.push_str(written);
        out.push_str("=\"");
        escape_attribute(value, out);
        out.push('"');
    }
    out.push('>');
    Ok(())
}

/// C14N 1.0 §2.3 text nodes: `&`, `<`, `>` and carriage return escaped.
fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}

/// C14N 1.0 §2.3 attribute values: `&`, `<`, `"`, tab, line feed and carriage return
/// escaped (the parser has already normalised literal whitespace to spaces).
fn escape_attribute(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::xml::parse;
    use super::*;

    /// The exclusive canonical form of the element named `name` (the first one) in `xml`.
    fn c14n_of(xml: &str, name: &str, prefixes: &[&str]) -> String {
        let doc = parse(xml).unwrap();
        let node = doc.descendants().find(|n| n.is_element() && n.tag_name().name() == name).unwrap();
        canonicalize(node, None, prefixes).unwrap()
    }

    #[test]
    fn unused_namespaces_are_dropped_and_used_ones_are_pulled_down() {
        let xml = r#"<r xmlns:a="urn:a" xmlns:b="urn:b" xmlns:u="urn:unused"><a:e b:x="1"><a:f/></a:e></r>"#;
        assert_eq!(c14n_of(xml, "e", &[]), r#"<a:e xmlns:a="urn:a" xmlns:b="urn:b" b:x="1"><a:f></a:f></a:e>"#);
    }

    #[test]
    fn a_namespace_is_rendered_again_only_where_its_value_changes() {
        let xml = r#"<a:e xmlns:a="urn:1"><a:f><a:g xmlns:a="urn:2"><a:h/></a:g></a:f></a:e>"#;
        assert_eq!(
            c14n_of(xml, "e", &[]),
            r#"<a:e xmlns:a="urn:1"><a:f><a:g xmlns:a="urn:2"><a:h></a:h></a:g></a:f></a:e>"#
        );
    }

    #[test]
    fn a_sibling_subtree_does_not_inherit_what_another_rendered() {
        let xml = r#"<r xmlns:a="urn:a"><x><a:y/></x><z><a:w/></z></r>"#;
        assert_eq!(
            c14n_of(xml, "r", &[]),
            r#"<r><x><a:y xmlns:a="urn:a"></a:y></x><z><a:w xmlns:a="urn:a"></a:w></z></r>"#
        );
    }

    #[test]
    fn the_default_namespace_is_declared_and_undeclared_as_needed() {
        let xml = r#"<r xmlns="urn:d"><e><f xmlns=""><g/></f></e></r>"#;
        assert_eq!(c14n_of(xml, "e", &[]), r#"<e xmlns="urn:d"><f xmlns=""><g></g></f></e>"#);
        // No default namespace anywhere: no xmlns="" either.
        assert_eq!(c14n_of("<r><e/></r>", "e", &[]), "<e></e>");
    }

    #[test]
    fn attributes_sort_by_namespace_uri_then_local_name() {
        let xml = r#"<e xmlns:z="urn:a" xmlns:a="urn:b" a:c="1" z:d="2" b="3" a="4"/>"#;
        assert_eq!(c14n_of(xml, "e", &[]), r#"<e xmlns:a="urn:b" xmlns:z="urn:a" a="4" b="3" z:d="2" a:c="1"></e>"#);
    }

    #[test]
    fn text_and_attribute_values_are_escaped_as_the_spec_says() {
        let xml = "<e a=\"&lt;&amp;&gt;&quot;'&#9;&#10;&#13;\">&lt;&amp;&gt;\"'&#13;\r\n</e>";
        assert_eq!(c14n_of(xml, "e", &[]), "<e a=\"&lt;&amp;>&quot;'&#x9;&#xA;&#xD;\">&lt;&amp;&gt;\"'&#xD;\n</e>");
    }

    #[test]
    fn literal_whitespace_in_attributes_is_normalised_by_the_parser() {
        assert_eq!(c14n_of("<e a=\"x\ty\nz\"/>", "e", &[]), "<e a=\"x y z\"></e>");
    }

    #[test]
    fn comments_are_removed_and_whitespace_and_pis_kept() {
        let xml = "<e>\n  <!-- c --><f> a </f>\n<?pi data ?><?bare?><![CDATA[<x>]]></e>";
        assert_eq!(c14n_of(xml, "e", &[]), "<e>\n  <f> a </f>\n<?pi data ?><?bare?>&lt;x&gt;</e>");
    }

    #[test]
    fn the_excluded_element_leaves_no_trace() {
        let xml = r#"<e xmlns:ds="urn:ds" ID="x"><ds:Signature><ds:A/></ds:Signature><f/></e>"#;
        let doc = parse(xml).unwrap();
        let sig = doc.descendants().find(|n| n.has_tag_name(("urn:ds", "Signature"))).unwrap();
        assert_eq!(canonicalize(doc.root_element(), Some(sig.id()), &[]).unwrap(), r#"<e ID="x"><f></f></e>"#);
    }

    #[test]
    fn the_prefix_list_renders_in_scope_prefixes_inclusively() {
        let xml = r#"<r xmlns:xs="urn:xs" xmlns="urn:d" xmlns:n="urn:n"><p:e xmlns:p="urn:p"><p:f xsi:type="xs:string" xmlns:xsi="urn:xsi"/></p:e></r>"#;
        assert_eq!(
            c14n_of(xml, "e", &["xs", "#default", "absent"]),
            r#"<p:e xmlns="urn:d" xmlns:p="urn:p" xmlns:xs="urn:xs"><p:f xmlns:xsi="urn:xsi" xsi:type="xs:string"></p:f></p:e>"#
        );
    }

    #[test]
    fn xml_prefixed_attributes_need_no_declaration() {
        assert_eq!(
            c14n_of(r#"<r xml:lang="en"><e xml:space="preserve"/></r>"#, "e", &[]),
            r#"<e xml:space="preserve"></e>"#
        );
    }

    #[test]
    fn two_prefixes_for_one_uri_keep_the_one_written() {
        let xml = r#"<a:e xmlns:a="urn:x" xmlns:b="urn:x"><b:f/></a:e>"#;
        assert_eq!(c14n_of(xml, "e", &[]), r#"<a:e xmlns:a="urn:x"><b:f xmlns:b="urn:x"></b:f></a:e>"#);
    }
}
