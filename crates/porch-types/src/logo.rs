//! Theme logos: PNG checks and SVG sanitising, so an uploaded logo can never run script or load anything.
//!
//! PNGs are inert raster data, so they are only checked structurally and passed
//! through unchanged. SVG is an XML document that can carry script, event
//! handlers, external references and CSS, so an uploaded SVG is never stored as
//! uploaded: it is parsed and a *new* document is written from an allowlist of
//! elements and attributes (OWASP XSS Prevention Cheat Sheet: prefer allowlists
//! over denylists; OWASP File Upload Cheat Sheet: rewrite uploaded documents
//! rather than trusting them). Anything not explicitly allowed is dropped.

use std::fmt::Write as _;

use crate::image::ImageError;

/// The two image formats a provider may upload as a logo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogoFormat {
    Png,
    Svg,
}

impl LogoFormat {
    /// Maps a `Content-Type` header to a format. Case-insensitive; parameters
    /// after `;` (e.g. `charset`) are ignored.
    pub fn from_content_type(ct: &str) -> Option<LogoFormat> {
        let essence = ct.split(';').next().unwrap_or_default().trim();
        if essence.eq_ignore_ascii_case("image/png") {
            Some(LogoFormat::Png)
        } else if essence.eq_ignore_ascii_case("image/svg+xml") {
            Some(LogoFormat::Svg)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            LogoFormat::Png => "image/png",
            LogoFormat::Svg => "image/svg+xml",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            LogoFormat::Png => "png",
            LogoFormat::Svg => "svg",
        }
    }
}

/// Largest logo accepted, checked before any parsing so a hostile upload
/// cannot make the worker do unbounded work (OWASP File Upload Cheat Sheet:
/// set a file size limit).
pub const MAX_LOGO_BYTES: usize = 256 * 1024;

/// Largest PNG width or height accepted; keeps decoded size sane in browsers.
pub const MAX_PNG_DIMENSION: u32 = 8192;

/// Deepest element nesting accepted in an SVG. The rebuild recurses once per
/// level, so this also bounds stack use.
pub const MAX_SVG_DEPTH: usize = 64;

/// Most XML nodes roxmltree will build, bounding memory for hostile input.
const SVG_NODES_LIMIT: u32 = 20_000;

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// A logo that passed every check: PNG verified, or SVG rebuilt from an allowlist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logo {
    format: LogoFormat,
    bytes: Vec<u8>,
}

impl Logo {
    /// Checks (PNG) or sanitises (SVG) an uploaded logo.
    pub fn parse(format: LogoFormat, input: &[u8]) -> Result<Logo, LogoError> {
        let bytes = match format {
            LogoFormat::Png => {
                check_png(input)?;
                input.to_vec()
            }
            LogoFormat::Svg => sanitize_svg(input)?,
        };
        Ok(Logo { format, bytes })
    }

    pub fn format(&self) -> LogoFormat {
        self.format
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// Why a logo was refused. Messages are written for the provider who uploaded
/// it and never echo the upload's content.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum LogoError {
    #[error("the logo is larger than {max} bytes; please upload a smaller file")]
    TooLarge { max: usize },
    #[error("the logo file is empty")]
    Empty,
    #[error("the file is not a valid PNG image (bad signature, header or end chunk)")]
    NotPng,
    #[error("PNG width and height must each be between 1 and {max} pixels, got {width}x{height}")]
    PngDimensions { width: u32, height: u32, max: u32 },
    #[error("the file is not an acceptable SVG image: {0}")]
    NotSvg(String),
    #[error("the SVG nests elements more than {max} levels deep; please simplify it")]
    TooDeep { max: usize },
}

fn check_size(input: &[u8]) -> Result<(), LogoError> {
    if input.len() > MAX_LOGO_BYTES {
        return Err(LogoError::TooLarge { max: MAX_LOGO_BYTES });
    }
    if input.is_empty() {
        return Err(LogoError::Empty);
    }
    Ok(())
}

/// Structural PNG check (`image::check_png`): refuses files that are not PNGs at all (say,
/// HTML or SVG mislabelled as `image/png`) and sizes browsers would choke on.
fn check_png(input: &[u8]) -> Result<(), LogoError> {
    check_size(input)?;
    match crate::image::check_png(input, MAX_PNG_DIMENSION) {
        Ok(_) => Ok(()),
        Err(ImageError::Malformed) => Err(LogoError::NotPng),
        Err(ImageError::Dimensions { width, height }) => {
            Err(LogoError::PngDimensions { width, height, max: MAX_PNG_DIMENSION })
        }
    }
}

/// Elements that draw, group or describe, and nothing else (SVG 1.1).
/// Notably absent: `script`, `style` (CSS can `@import` and `url()`),
/// `foreignObject` (embeds HTML), `image`/`feImage` (load URLs), `a`
/// (navigation, `javascript:` links), `animate*`/`set` (can rewrite `href`
/// to `javascript:` after sanitising, SVG 1.1 §19), `iframe`, `handler`.
const ALLOWED_ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "defs",
    "title",
    "desc",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
    "mask",
    "symbol",
    "use",
];

/// Elements whose character data is kept; everywhere else text is dropped.
const TEXT_ELEMENTS: &[&str] = &["title", "desc", "text", "tspan"];

/// Geometry and presentation attributes without a namespace. Every `on*`
/// event handler, `style` (inline CSS can load `url()`s) and `href` are
/// absent on purpose (OWASP XSS Prevention Cheat Sheet, rule 0: only put
/// untrusted data in allowed slots).
const ALLOWED_ATTRIBUTES: &[&str] = &[
    "id",
    "class",
    "viewBox",
    "width",
    "height",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "d",
    "points",
    "transform",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-opacity",
    "stroke-dasharray",
    "opacity",
    "offset",
    "stop-color",
    "stop-opacity",
    "gradientUnits",
    "gradientTransform",
    "preserveAspectRatio",
    "font-family",
    "font-size",
    "font-weight",
    "text-anchor",
    "dominant-baseline",
    "letter-spacing",
    "clip-path",
    "mask",
    "clip-rule",
    "version",
    "spreadMethod",
    "fx",
    "fy",
    "dx",
    "dy",
];

/// CSS/SVG functions that may appear in an allowed attribute value: colours
/// and transforms. `url` is handled separately and only as `url(#id)`; any
/// other function (`image()`, `image-set()`, `expression()`, `element()`...)
/// causes the attribute to be dropped.
const ALLOWED_FUNCTIONS: &[&str] =
    &["rgb", "rgba", "hsl", "hsla", "matrix", "translate", "scale", "rotate", "skewx", "skewy"];

/// Rebuilds an uploaded SVG from the allowlists above. The output is a new,
/// well-formed document in which every attribute value and text node is
/// escaped; nothing from the input is copied through as markup, so comments,
/// processing instructions, CDATA sections and DTDs cannot survive.
pub fn sanitize_svg(input: &[u8]) -> Result<Vec<u8>, LogoError> {
    check_size(input)?;
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    if input.is_empty() {
        return Err(LogoError::Empty);
    }
    let text = std::str::from_utf8(input).map_err(|_| LogoError::NotSvg("it must be UTF-8 encoded text".to_owned()))?;

    // No DTD at all: entity declarations are how XXE and "billion laughs"
    // work (OWASP XML External Entity Prevention Cheat Sheet: disable DTDs
    // completely).
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: SVG_NODES_LIMIT,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options).map_err(|e| {
        LogoError::NotSvg(match e {
            roxmltree::Error::DtdDetected => "DOCTYPE declarations are not allowed".to_owned(),
            roxmltree::Error::NodesLimitReached => "it has too many elements".to_owned(),
            other => {
                let pos = other.pos();
                format!("it is not well-formed XML (line {}, column {})", pos.row, pos.col)
            }
        })
    })?;

    let root = doc.root_element();
    if root.tag_name().name() != "svg" {
        return Err(LogoError::NotSvg("the root element must be <svg>".to_owned()));
    }
    if root.tag_name().namespace() != Some(SVG_NS) {
        return Err(LogoError::NotSvg(format!("the <svg> element must be in the namespace {SVG_NS}")));
    }

    let mut out = String::with_capacity(text.len());
    write_element(root, &mut out, 1, true)?;
    Ok(out.into_bytes())
}

/// Writes an allowed element and its allowed descendants. `depth` counts the
/// root as 1; recursion stops with an error past [`MAX_SVG_DEPTH`], so the
/// stack stays small even though roxmltree accepts deeper documents.
fn write_element(
    node: roxmltree::Node<'_, '_>,
    out: &mut String,
    depth: usize,
    is_root: bool,
) -> Result<(), LogoError> {
    if depth > MAX_SVG_DEPTH {
        return Err(LogoError::TooDeep { max: MAX_SVG_DEPTH });
    }
    let name = node.tag_name().name();

    let mut attrs: Vec<(&str, String)> = Vec::new();
    if name == "use" {
        // `use` may only point inside this document; an external reference
        // would make the browser fetch another resource (SVG 1.1 §5.6).
        match use_target(node) {
            Some(id) => attrs.push(("href", format!("#{id}"))),
            None => return Ok(()),
        }
    }
    for attr in node.attributes() {
        if let Some(pair) = clean_attribute(&attr) {
            attrs.push(pair);
        }
    }

    out.push('<');
    out.push_str(name);
    if is_root {
        let _ = write!(out, " xmlns=\"{SVG_NS}\"");
    }
    for (attr_name, value) in &attrs {
        out.push(' ');
        out.push_str(attr_name);
        out.push_str("=\"");
        escape_into(value, out, true);
        out.push('"');
    }

    let keeps_text = TEXT_ELEMENTS.contains(&name);
    let mut body = String::new();
    for child in node.children() {
        if child.is_element() {
            if is_allowed_element(child) {
                write_element(child, &mut body, depth + 1, false)?;
            }
        } else if child.is_text() && keeps_text {
            escape_into(child.text().unwrap_or_default(), &mut body, false);
        }
        // Comments and processing instructions are never written.
    }

    if body.is_empty() {
        out.push_str("/>");
    } else {
        out.push('>');
        out.push_str(&body);
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }
    Ok(())
}

fn is_allowed_element(node: roxmltree::Node<'_, '_>) -> bool {
    let tag = node.tag_name();
    tag.namespace() == Some(SVG_NS) && ALLOWED_ELEMENTS.contains(&tag.name())
}

/// The local id a `use` element points at, or `None` if it has no reference
/// or any reference (`href` or `xlink:href`) that is not `#id`.
fn use_target<'a>(node: roxmltree::Node<'a, '_>) -> Option<&'a str> {
    let mut target = None;
    for attr in node.attributes() {
        let is_href = attr.name() == "href" && (attr.namespace().is_none() || attr.namespace() == Some(XLINK_NS));
        if is_href {
            let id = attr.value().strip_prefix('#').filter(|id| is_safe_id(id))?;
            match target {
                Some(existing) if existing != id => return None,
                _ => target = Some(id),
            }
        }
    }
    target
}

/// Decides whether one attribute survives, and with what value.
fn clean_attribute<'a>(attr: &roxmltree::Attribute<'a, '_>) -> Option<(&'a str, String)> {
    match attr.namespace() {
        None if ALLOWED_ATTRIBUTES.contains(&attr.name()) => clean_value(attr.value()).map(|v| (attr.name(), v)),
        Some(XML_NS) if attr.name() == "space" => {
            matches!(attr.value(), "default" | "preserve").then(|| ("xml:space", attr.value().to_owned()))
        }
        // href/xlink:href are handled by `use_target`; everything else,
        // including any `on*` handler and `style`, is dropped.
        _ => None,
    }
}

/// Checks an attribute value. Returns the value to write, or `None` to drop
/// the attribute.
///
/// Browsers ignore whitespace and control characters inside URL schemes
/// (`java\tscript:`), so the scheme checks run on a squeezed, lowercased copy
/// (OWASP XSS Filter Evasion Cheat Sheet). CSS escapes (`\75rl(`) and
/// comments could hide a function name from the checks below, so values
/// containing either are dropped outright.
fn clean_value(value: &str) -> Option<String> {
    let squeezed: String =
        value.chars().filter(|c| !c.is_whitespace() && !c.is_control()).map(|c| c.to_ascii_lowercase()).collect();
    if ["javascript:", "vbscript:", "data:"].iter().any(|scheme| squeezed.contains(scheme)) {
        return None;
    }
    if squeezed.contains('\\') || squeezed.contains("/*") {
        return None;
    }
    if squeezed.contains("url(") {
        // Only a same-document paint server / clip / mask reference, written
        // back in a canonical form (SVG 1.1 §17.1.4 IRI references).
        return local_url_target(value).map(|id| format!("url(#{id})"));
    }
    let all_functions_allowed = squeezed.match_indices('(').all(|(i, _)| {
        let before = squeezed.get(..i).unwrap_or_default();
        let start = before.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).map_or(0, |p| p + 1);
        before.get(start..).is_some_and(|function| ALLOWED_FUNCTIONS.contains(&function))
    });
    all_functions_allowed.then(|| value.to_owned())
}

/// Parses exactly `url(#id)`, allowing surrounding whitespace and matching
/// quotes around `#id`; the function name is case-insensitive as in CSS.
fn local_url_target(value: &str) -> Option<&str> {
    let value = value.trim();
    let (head, rest) = value.split_at_checked(4)?;
    if !head.eq_ignore_ascii_case("url(") {
        return None;
    }
    let inner = rest.strip_suffix(')')?.trim();
    let inner =
        ['"', '\''].iter().find_map(|q| inner.strip_prefix(*q).and_then(|s| s.strip_suffix(*q))).unwrap_or(inner);
    inner.strip_prefix('#').filter(|id| is_safe_id(id))
}

/// Ids we are willing to reference: plain ASCII names, nothing that could
/// break out of `url(...)` or `#...`.
fn is_safe_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Escapes text for XML content or a double-quoted attribute value (OWASP XSS
/// Prevention Cheat Sheet, rules 1 and 2: escape `& < > " '`). In attributes,
/// tab/CR/LF are written as character references so that re-parsing (which
/// normalises them to spaces) gives the same value; in text, CR is, for the
/// same reason with line-ending normalisation.
fn escape_into(s: &str, out: &mut String, in_attribute: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\r' => out.push_str("&#13;"),
            '\n' if in_attribute => out.push_str("&#10;"),
            '\t' if in_attribute => out.push_str("&#9;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::image::{PNG_IEND, PNG_SIGNATURE};

    fn clean(svg: &str) -> String {
        String::from_utf8(sanitize_svg(svg.as_bytes()).unwrap()).unwrap()
    }

    /// Sanitises, checks the result is a well-formed SVG that is stable under
    /// re-sanitising, and that none of `forbidden` appears (case-insensitive).
    fn clean_without(svg: &str, forbidden: &[&str]) -> String {
        let out = clean(svg);
        let doc = roxmltree::Document::parse(&out).unwrap();
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        assert_eq!(doc.root_element().tag_name().namespace(), Some(SVG_NS));
        assert_eq!(clean(&out), out, "sanitising is idempotent");
        // The namespace declaration we write ourselves is the one allowed URL.
        let lower = out.replacen(&format!(r#" xmlns="{SVG_NS}""#), "", 1).to_ascii_lowercase();
        for bad in forbidden {
            assert!(!lower.contains(&bad.to_ascii_lowercase()), "{bad:?} survived in {out}");
        }
        out
    }

    fn not_svg(svg: &[u8]) -> bool {
        matches!(sanitize_svg(svg), Err(LogoError::NotSvg(_)))
    }

    const SVG_OPEN: &str =
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">"#;

    fn wrap(body: &str) -> String {
        format!("{SVG_OPEN}{body}</svg>")
    }

    #[test]
    fn content_types_map_to_formats_ignoring_case_and_parameters() {
        assert_eq!(LogoFormat::from_content_type("image/png"), Some(LogoFormat::Png));
        assert_eq!(LogoFormat::from_content_type(" Image/SVG+XML ; charset=utf-8"), Some(LogoFormat::Svg));
        assert_eq!(LogoFormat::from_content_type("image/gif"), None);
        assert_eq!(LogoFormat::from_content_type("text/html"), None);
        assert_eq!(LogoFormat::Png.content_type(), "image/png");
        assert_eq!(LogoFormat::Svg.content_type(), "image/svg+xml");
        assert_eq!(LogoFormat::Png.extension(), "png");
        assert_eq!(LogoFormat::Svg.extension(), "svg");
    }

    #[test]
    fn an_ordinary_logo_keeps_its_shapes_gradient_and_text_and_is_idempotent() {
        let svg = r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">
  <title>Acme &amp; Sons</title>
  <defs>
    <linearGradient id="grad" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#ff0000"/>
      <stop offset="1" stop-color="rgb(0, 0, 255)"/>
    </linearGradient>
  </defs>
  <g transform="translate(2 2) rotate(5)">
    <path d="M0 0 L10 10 Z" fill="url(#grad)" stroke="#000" stroke-width="2"/>
    <circle cx="20" cy="20" r="5" fill="url( '#grad' )"/>
    <rect x="30" y="5" width="10" height="10" rx="2"/>
  </g>
  <text x="50" y="30" font-family="Helvetica, sans-serif" font-size="12">Acme <tspan font-weight="bold">&lt;Co&gt;</tspan></text>
</svg>"##;
        let out = clean_without(svg, &["<?", "<!"]);
        assert!(out.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" width="120""#));
        assert!(out.contains("<title>Acme &amp; Sons</title>"));
        assert!(out.contains(r#"<linearGradient id="grad" x1="0" y1="0" x2="1" y2="1">"#));
        assert!(out.contains(r#"<stop offset="1" stop-color="rgb(0, 0, 255)"/>"#));
        assert!(out.contains(r#"<g transform="translate(2 2) rotate(5)">"#));
        assert!(out.contains(r##"<path d="M0 0 L10 10 Z" fill="url(#grad)" stroke="#000" stroke-width="2"/>"##));
        assert!(out.contains(r#"<circle cx="20" cy="20" r="5" fill="url(#grad)"/>"#));
        assert!(out.contains(r#"<rect x="30" y="5" width="10" height="10" rx="2"/>"#));
        assert!(out.contains(
            r#"<text x="50" y="30" font-family="Helvetica, sans-serif" font-size="12">Acme <tspan font-weight="bold">&lt;Co&gt;</tspan></text>"#
        ));
        let logo = Logo::parse(LogoFormat::Svg, svg.as_bytes()).unwrap();
        assert_eq!(logo.format(), LogoFormat::Svg);
        assert_eq!(logo.bytes(), out.as_bytes());
        assert_eq!(logo.into_bytes(), out.into_bytes());
    }

    #[test]
    fn a_script_element_is_removed_with_its_content() {
        let out = clean_without(
            &wrap(r#"<script>alert(document.cookie)</script><rect width="1" height="1"/>"#),
            &["script", "alert", "cookie"],
        );
        assert!(out.contains("<rect"));
    }

    #[test]
    fn a_cdata_script_is_removed_and_no_cdata_section_is_written() {
        clean_without(
            &wrap("<script><![CDATA[ alert(1) ]]></script><text><![CDATA[ a < b ]]></text>"),
            &["script", "alert", "cdata", "<!"],
        );
        assert!(clean(&wrap("<text><![CDATA[a < b]]></text>")).contains("<text>a &lt; b</text>"));
    }

    #[test]
    fn a_script_in_another_namespace_is_removed() {
        clean_without(
            &wrap(r#"<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>"#),
            &["script", "alert", "xhtml"],
        );
    }

    #[test]
    fn event_handler_attributes_are_removed() {
        let out = clean_without(
            r#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect onclick="alert(2)" onMouseOver="x()" width="3"/></svg>"#,
            &["onload", "onclick", "onmouseover", "alert"],
        );
        assert!(out.contains(r#"<rect width="3"/>"#));
    }

    #[test]
    fn a_javascript_link_is_removed_with_its_content() {
        clean_without(
            &wrap(r#"<a href="javascript:alert(1)"><text>click</text></a><a xlink:href="java&#9;script:alert(1)"/>"#),
            &["javascript", "alert", "href", "click", "<a"],
        );
    }

    #[test]
    fn use_and_image_pointing_at_http_or_data_urls_are_removed() {
        let out = clean_without(
            &wrap(concat!(
                r#"<use xlink:href="http://evil.example/sprite.svg#x"/>"#,
                r#"<use href="data:image/svg+xml;base64,PHN2Zz4="/>"#,
                r##"<use href="#ok" xlink:href="http://evil.example/#ok"/>"##,
                r#"<image xlink:href="http://evil.example/a.png"/>"#,
                r#"<image href="data:image/png;base64,AAAA"/>"#,
                r#"<use/>"#,
            )),
            &["http", "data:", "evil", "image", "<use"],
        );
        assert_eq!(out, format!(r#"<svg xmlns="{SVG_NS}" viewBox="0 0 10 10"/>"#));
    }

    #[test]
    fn use_with_a_same_document_reference_is_kept_as_plain_href() {
        let out = clean_without(
            &wrap(r##"<defs><path id="p" d="M0 0h1"/></defs><use xlink:href="#p" x="2"/><use href="#p"/>"##),
            &["xlink", "http://www.w3.org/1999"],
        );
        assert!(out.contains(r##"<use href="#p" x="2"/><use href="#p"/>"##));
    }

    #[test]
    fn a_foreign_object_with_html_is_removed_with_its_content() {
        clean_without(
            &wrap(
                r#"<foreignObject width="10" height="10"><body xmlns="http://www.w3.org/1999/xhtml"><iframe src="http://evil.example/"/><p>hi</p></body></foreignObject>"#,
            ),
            &["foreignobject", "iframe", "http", "body", "hi<"],
        );
    }

    #[test]
    fn a_style_element_with_an_import_is_removed() {
        clean_without(
            &wrap("<style>@import url(http://evil.example/x.css); rect { fill: red }</style>"),
            &["style", "@import", "http", "url("],
        );
    }

    #[test]
    fn a_style_attribute_is_removed() {
        let out = clean_without(
            &wrap(r#"<rect width="1" style="fill: url(http://evil.example/#x); behavior: url(x.htc)"/>"#),
            &["style", "url(", "http", "behavior"],
        );
        assert!(out.contains(r#"<rect width="1"/>"#));
    }

    #[test]
    fn a_fill_pointing_at_another_document_is_dropped_but_a_local_gradient_is_kept() {
        let out = clean_without(
            &wrap(concat!(
                r#"<rect fill="url(http://evil/#x)" width="1"/>"#,
                r##"<rect fill="URL(&quot;#grad&quot;)" width="2"/>"##,
                r##"<rect fill="url(#grad) red" width="3"/>"##,
                r##"<rect fill="url(#a)b)" clip-path="url(#c" width="4"/>"##,
                r#"<rect mask="url(//evil/#m)" width="5"/>"#,
            )),
            &["http", "evil"],
        );
        assert!(out.contains(r#"<rect width="1"/>"#));
        assert!(out.contains(r#"<rect fill="url(#grad)" width="2"/>"#));
        assert!(out.contains(r#"<rect width="3"/>"#));
        assert!(out.contains(r#"<rect width="4"/>"#));
        assert!(out.contains(r#"<rect width="5"/>"#));
    }

    #[test]
    fn values_with_script_or_data_schemes_or_unknown_functions_are_dropped() {
        let out = clean_without(
            &wrap(concat!(
                r#"<rect fill="j&#x0A;avascript:alert(1)" width="1"/>"#,
                r#"<rect fill="DATA :text/html,x" width="2"/>"#,
                r#"<rect fill="image-set(x)" width="3"/>"#,
                r#"<rect fill="\75rl(http://e/)" width="4"/>"#,
                r#"<rect fill="u/**/rl(x)" width="5"/>"#,
                r#"<rect fill="expression(alert(1))" width="6"/>"#,
            )),
            &["javascript", "data", "image-set", "http", "expression", "alert"],
        );
        for w in 1..=6 {
            assert!(out.contains(&format!(r#"<rect width="{w}"/>"#)));
        }
    }

    #[test]
    fn animation_elements_that_could_rewrite_links_are_removed() {
        clean_without(
            &wrap(concat!(
                r##"<animate attributeName="href" values="javascript:alert(1)"/>"##,
                r#"<set attributeName="onmouseover" to="alert(1)"/>"#,
                r#"<animateTransform attributeName="transform" type="rotate" from="0" to="360"/>"#,
            )),
            &["animate", "<set", "attributename", "javascript", "alert"],
        );
    }

    #[test]
    fn a_doctype_with_an_external_entity_is_rejected() {
        let xxe = r#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>"#;
        assert_eq!(
            sanitize_svg(xxe.as_bytes()),
            Err(LogoError::NotSvg("DOCTYPE declarations are not allowed".to_owned()))
        );
    }

    #[test]
    fn a_billion_laughs_document_is_rejected() {
        let lol = r#"<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&lol3;</text></svg>"#;
        assert!(not_svg(lol.as_bytes()));
    }

    #[test]
    fn an_undeclared_entity_reference_is_rejected() {
        assert!(not_svg(wrap("<text>&xxe;</text>").as_bytes()));
    }

    #[test]
    fn an_html_root_is_rejected() {
        assert!(not_svg(
            br#"<html xmlns="http://www.w3.org/1999/xhtml"><svg xmlns="http://www.w3.org/2000/svg"/></html>"#
        ));
    }

    #[test]
    fn an_svg_root_in_the_wrong_namespace_or_none_is_rejected() {
        assert!(not_svg(br#"<svg xmlns="http://evil.example/svg"/>"#));
        assert!(not_svg(b"<svg/>"));
    }

    #[test]
    fn a_prefixed_svg_namespace_is_normalised_to_the_default_one() {
        let out = clean_without(
            r#"<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:rect width="1"/><rect width="2"/></s:svg>"#,
            &["s:", "xmlns:"],
        );
        assert_eq!(out, format!(r#"<svg xmlns="{SVG_NS}"><rect width="1"/></svg>"#));
    }

    #[test]
    fn input_over_the_size_cap_is_rejected_before_parsing() {
        // Not even valid UTF-8: only the size check can produce this error.
        let big = vec![0xFF_u8; MAX_LOGO_BYTES + 1];
        let too_large = LogoError::TooLarge { max: MAX_LOGO_BYTES };
        assert_eq!(sanitize_svg(&big), Err(too_large.clone()));
        assert_eq!(Logo::parse(LogoFormat::Svg, &big), Err(too_large.clone()));
        assert_eq!(Logo::parse(LogoFormat::Png, &big), Err(too_large));
    }

    #[test]
    fn empty_input_is_rejected() {
        assert_eq!(sanitize_svg(b""), Err(LogoError::Empty));
        assert_eq!(sanitize_svg(b"\xEF\xBB\xBF"), Err(LogoError::Empty));
        assert_eq!(Logo::parse(LogoFormat::Png, b""), Err(LogoError::Empty));
    }

    #[test]
    fn invalid_utf8_is_rejected() {
        let mut bytes = wrap("<text>x</text>").into_bytes();
        bytes.insert(bytes.len() - 10, 0xC3);
        assert!(not_svg(&bytes));
    }

    #[test]
    fn a_leading_byte_order_mark_is_accepted() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(wrap("<rect/>").as_bytes());
        assert!(sanitize_svg(&bytes).is_ok());
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_rejected_without_overflowing_the_stack() {
        let nested = |n: usize| wrap(&format!("{}{}", "<g>".repeat(n), "</g>".repeat(n)));
        assert!(sanitize_svg(nested(MAX_SVG_DEPTH - 1).as_bytes()).is_ok());
        assert_eq!(sanitize_svg(nested(MAX_SVG_DEPTH).as_bytes()), Err(LogoError::TooDeep { max: MAX_SVG_DEPTH }));
        assert!(sanitize_svg(nested(15_000).as_bytes()).is_err());
    }

    #[test]
    fn too_many_nodes_are_rejected() {
        let many = wrap(&"<rect/>".repeat(25_000));
        assert!(many.len() <= MAX_LOGO_BYTES);
        assert!(not_svg(many.as_bytes()));
    }

    #[test]
    fn comments_and_processing_instructions_are_removed() {
        let out = clean_without(
            r#"<?xml version="1.0"?><?xml-stylesheet href="http://evil.example/x.css"?><!-- hi --><svg xmlns="http://www.w3.org/2000/svg"><!-- <script>alert(1)</script> --><?php echo 1; ?><rect width="1"/></svg>"#,
            &["<?", "<!", "--", "http://evil", "script", "php"],
        );
        assert_eq!(out, format!(r#"<svg xmlns="{SVG_NS}"><rect width="1"/></svg>"#));
    }

    #[test]
    fn text_outside_text_elements_is_dropped_and_quotes_are_escaped() {
        let out = clean_without(
            &wrap(
                r#"<g>stray text</g><text font-family="'A' &quot;B&quot;" xml:space="preserve">it's "x"&#13;</text>"#,
            ),
            &["stray"],
        );
        assert!(out.contains(
            r#"<text font-family="&#39;A&#39; &quot;B&quot;" xml:space="preserve">it&#39;s &quot;x&quot;&#13;</text>"#
        ));
    }

    // ---- PNG ----

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFF_u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    fn chunk(kind: [u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        out.extend_from_slice(&kind);
        out.extend_from_slice(data);
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
        out
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut ihdr = width.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA
        let mut out = PNG_SIGNATURE.to_vec();
        out.extend(chunk(*b"IHDR", &ihdr));
        // One transparent pixel: filter byte 0 + RGBA 0000, zlib-compressed.
        out.extend(chunk(*b"IDAT", &[0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01]));
        out.extend(chunk(*b"IEND", &[]));
        out
    }

    /// The well-known 67-byte transparent 1x1 PNG.
    const ONE_PIXEL_PNG: [u8; 67] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00,
        0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D,
        0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];

    #[test]
    fn a_real_one_pixel_png_is_accepted_unchanged() {
        assert_eq!(png(1, 1), ONE_PIXEL_PNG.to_vec(), "test builder matches the known-good file");
        let logo = Logo::parse(LogoFormat::Png, &ONE_PIXEL_PNG).unwrap();
        assert_eq!(logo.format(), LogoFormat::Png);
        assert_eq!(logo.bytes(), &ONE_PIXEL_PNG[..]);
        assert!(Logo::parse(LogoFormat::Png, &png(8192, 300)).is_ok());
    }

    #[test]
    fn a_truncated_png_is_rejected() {
        for len in [0, 7, 8, 20, 33, 50, 66] {
            assert!(Logo::parse(LogoFormat::Png, &ONE_PIXEL_PNG[..len]).is_err(), "length {len}");
        }
        // Middle chunk cut short while still ending in a valid IEND.
        let mut cut = ONE_PIXEL_PNG.to_vec();
        cut.drain(45..48);
        assert_eq!(Logo::parse(LogoFormat::Png, &cut), Err(LogoError::NotPng));
    }

    #[test]
    fn a_png_with_a_wrong_signature_is_rejected() {
        let mut bad = ONE_PIXEL_PNG;
        bad[1] = b'X';
        assert_eq!(Logo::parse(LogoFormat::Png, &bad), Err(LogoError::NotPng));
        let svg_as_png = wrap("<rect/>");
        assert_eq!(Logo::parse(LogoFormat::Png, svg_as_png.as_bytes()), Err(LogoError::NotPng));
    }

    #[test]
    fn a_png_with_zero_or_huge_dimensions_is_rejected() {
        assert_eq!(
            Logo::parse(LogoFormat::Png, &png(0, 1)),
            Err(LogoError::PngDimensions { width: 0, height: 1, max: MAX_PNG_DIMENSION })
        );
        assert!(matches!(Logo::parse(LogoFormat::Png, &png(1, 8193)), Err(LogoError::PngDimensions { .. })));
    }

    #[test]
    fn a_png_whose_first_chunk_is_not_ihdr_is_rejected() {
        let mut out = PNG_SIGNATURE.to_vec();
        out.extend(chunk(*b"tEXt", b"comment\0hello"));
        out.extend_from_slice(&png(1, 1)[8..]);
        assert_eq!(Logo::parse(LogoFormat::Png, &out), Err(LogoError::NotPng));
    }

    #[test]
    fn a_png_without_iend_or_with_trailing_data_is_rejected() {
        let no_iend = &ONE_PIXEL_PNG[..ONE_PIXEL_PNG.len() - 12];
        assert_eq!(Logo::parse(LogoFormat::Png, no_iend), Err(LogoError::NotPng));
        let mut trailing = ONE_PIXEL_PNG.to_vec();
        trailing.extend_from_slice(b"<script>alert(1)</script>");
        assert_eq!(Logo::parse(LogoFormat::Png, &trailing), Err(LogoError::NotPng));
        // Data hidden after an early IEND, with a second IEND at the end.
        let mut double = ONE_PIXEL_PNG.to_vec();
        double.extend_from_slice(b"<html>");
        double.extend_from_slice(&PNG_IEND);
        assert_eq!(Logo::parse(LogoFormat::Png, &double), Err(LogoError::NotPng));
    }
}
