//! Strict `multipart/form-data` parsing (RFC 7578 over RFC 2046 §5.1): a body and its boundary
//! in, named parts out, within limits checked while scanning so a hostile body cannot make the
//! worker do unbounded work.
//!
//! Only what browsers and ordinary HTTP clients send is accepted: CRLF line endings, one
//! `Content-Disposition: form-data` per part, no folded header lines, no transfer encodings.
//! Anything else is refused as malformed rather than guessed at.

/// Longest boundary RFC 2046 §5.1.1 allows (`boundary := 0*69<bchars> bcharsnospace`).
const MAX_BOUNDARY_LEN: usize = 70;

/// How much work one body may cause. Checked up front (total size) and while scanning (parts,
/// header size), before the work they bound is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most parts (fields and files together).
    pub max_parts: usize,
    /// Largest body, in bytes.
    pub max_total_bytes: usize,
    /// Largest header block of one part, in bytes (without the blank line ending it).
    pub max_header_bytes: usize,
}

/// One part of a form: a field or a file. `data` borrows from the body: an upload can be tens
/// of megabytes, and copying it would double the memory a request needs in a 128 MB isolate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part<'a> {
    pub name: String,
    /// Present for file inputs. Browsers send an empty file input as `filename=""` with no data;
    /// that is kept as is, and callers skip it.
    pub filename: Option<String>,
    /// The part's `Content-Type` as sent: a claim of the client, not a fact.
    pub content_type: Option<String>,
    pub data: &'a [u8],
}

impl<'a> Part<'a> {
    /// The data of an ordinary field as text; None when it is not UTF-8.
    pub fn text(&self) -> Option<&'a str> {
        std::str::from_utf8(self.data).ok()
    }
}

/// Why a body was refused. Messages are for the person who submitted the form and never echo
/// the body.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum MultipartError {
    #[error("the form data could not be read: {0}")]
    Malformed(&'static str),
    #[error("the form has too many fields and files (at most {max})")]
    TooManyParts { max: usize },
    #[error("the form data is too large (at most {} in total)", human_size(*.max))]
    TooLarge { max: usize },
    #[error("a field or file name in the form is too long (its headers exceed {max} bytes)")]
    HeadersTooLarge { max: usize },
}

/// The boundary of a `multipart/form-data` content type, quoted or not; None for any other
/// type, a missing, repeated or invalid boundary.
pub fn boundary(content_type: &str) -> Option<String> {
    let (essence, params) = content_type.split_once(';').unwrap_or((content_type, ""));
    if !essence.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let mut found = None;
    for (name, value) in parameters(params)? {
        // Two boundaries make the body ambiguous: refuse rather than pick one.
        if name == "boundary" && found.replace(value).is_some() {
            return None;
        }
    }
    found.filter(|b| valid_boundary(b))
}

/// Splits a `multipart/form-data` body into its parts.
pub fn parse<'a>(body: &'a [u8], boundary: &str, limits: &Limits) -> Result<Vec<Part<'a>>, MultipartError> {
    if body.len() > limits.max_total_bytes {
        return Err(MultipartError::TooLarge { max: limits.max_total_bytes });
    }
    // The linear-time search below relies on the boundary having no CR, which bchars ensure.
    if !valid_boundary(boundary) {
        return Err(MultipartError::Malformed("the boundary is not valid"));
    }
    // RFC 2046 §5.1.1: delimiter := CRLF dash-boundary; dash-boundary := "--" boundary.
    let delimiter = [b"\r\n--", boundary.as_bytes()].concat();
    let dash_boundary = delimiter.get(2..).unwrap_or_default();

    // The first boundary opens the body, or ends a preamble (which is ignored) with CRLF.
    let mut rest = if let Some(rest) = body.strip_prefix(dash_boundary) {
        rest
    } else {
        let at = find_delimiter(body, &delimiter).ok_or(MultipartError::Malformed("no boundary was found"))?;
        body.get(at + delimiter.len()..).unwrap_or_default()
    };

    let mut parts = Vec::new();
    loop {
        // After a boundary: "--" closes the body (the epilogue after it is ignored); otherwise
        // transport padding and CRLF open the next part.
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        let padded = trim_padding(rest);
        if padded.is_empty() {
            return Err(MultipartError::Malformed("the closing boundary is missing"));
        }
        rest = padded
            .strip_prefix(b"\r\n")
            .ok_or(MultipartError::Malformed("a boundary line has unexpected characters after it"))?;
        if parts.len() >= limits.max_parts {
            return Err(MultipartError::TooManyParts { max: limits.max_parts });
        }
        let (headers, after_headers) = split_headers(rest, limits.max_header_bytes)?;
        let at = find_delimiter(after_headers, &delimiter)
            .ok_or(MultipartError::Malformed("the closing boundary is missing"))?;
        let (data, after_data) = after_headers.split_at_checked(at).unwrap_or((after_headers, &[]));
        parts.push(part_from(headers, data)?);
        rest = after_data.get(delimiter.len()..).unwrap_or_default();
    }
}

/// RFC 2046 §5.1.1: 1 to 70 bchars, not ending in a space.
fn valid_boundary(boundary: &str) -> bool {
    let bchar = |b: u8| b.is_ascii_alphanumeric() || b" '()+_,-./:=?".contains(&b);
    (1..=MAX_BOUNDARY_LEN).contains(&boundary.len()) && boundary.bytes().all(bchar) && !boundary.ends_with(' ')
}

/// Where `needle` first occurs in `haystack`, in linear time.
///
/// A naive search is O(n·m) on hostile input such as many near-copies of the delimiter. Here the
/// needle is a delimiter, CRLF "--" boundary, whose first byte (CR) occurs nowhere else in it:
/// bchars exclude CR. So when an attempt matches k bytes and then fails, no occurrence can start
/// inside those k bytes, and the scan resumes after them; every byte is looked at a bounded
/// number of times.
pub(crate) fn find_delimiter(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, _) = needle.split_first()?;
    let mut from = 0;
    while let Some(tail) = haystack.get(from..) {
        let start = from + tail.iter().position(|&b| b == first)?;
        let candidate = haystack.get(start..).unwrap_or_default();
        let matched = needle.iter().zip(candidate).take_while(|(a, b)| a == b).count();
        if matched == needle.len() {
            return Some(start);
        }
        from = start + matched.max(1);
    }
    None
}

/// transport-padding := *LWSP-char (RFC 2046 §5.1.1), allowed after a boundary.
fn trim_padding(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
    bytes.get(skip..).unwrap_or_default()
}

/// A part's header block (as text) and the data after the blank line ending it. The search for
/// that blank line looks no further than the limit, so a part with endless headers costs no
/// more than `max` bytes of scanning.
pub(crate) fn split_headers(rest: &[u8], max: usize) -> Result<(&str, &[u8]), MultipartError> {
    // No headers at all: the blank line comes at once.
    if let Some(data) = rest.strip_prefix(b"\r\n") {
        return Ok(("", data));
    }
    let window = rest.get(..max.saturating_add(4)).unwrap_or(rest);
    let Some(at) = window.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Err(if window.len() < rest.len() {
            MultipartError::HeadersTooLarge { max }
        } else {
            MultipartError::Malformed("the closing boundary is missing")
        });
    };
    let (head, tail) = rest.split_at_checked(at).unwrap_or((rest, &[]));
    // RFC 7578 §5.1: field and file names are sent as UTF-8 in the headers.
    let head = std::str::from_utf8(head).map_err(|_| MultipartError::Malformed("a part's headers are not UTF-8"))?;
    Ok((head, tail.get(4..).unwrap_or_default()))
}

pub(crate) fn part_from<'a>(headers: &str, data: &'a [u8]) -> Result<Part<'a>, MultipartError> {
    let mut disposition = None;
    let mut content_type = None;
    for line in headers.split("\r\n").filter(|_| !headers.is_empty()) {
        // Folded lines are obsolete (RFC 9112 §5.2) and no browser sends them; a bare CR or LF
        // inside a line would be a header injection in anything that re-emits it.
        if line.starts_with([' ', '\t']) {
            return Err(MultipartError::Malformed("a part has a folded header line"));
        }
        if line.chars().any(|c| c.is_control() && c != '\t') {
            return Err(MultipartError::Malformed("a part's header has control characters"));
        }
        let (name, value) =
            line.split_once(':').ok_or(MultipartError::Malformed("a part has a header line without a colon"))?;
        if name.is_empty() || !name.chars().all(is_token_char) {
            return Err(MultipartError::Malformed("a part has a header with an invalid name"));
        }
        let value = value.trim_matches([' ', '\t']);
        let slot = if name.eq_ignore_ascii_case("content-disposition") {
            &mut disposition
        } else if name.eq_ignore_ascii_case("content-type") {
            &mut content_type
        } else if name.eq_ignore_ascii_case("content-transfer-encoding") {
            // RFC 7578 §4.7: deprecated; an encoded part would be stored still encoded.
            if ["7bit", "8bit", "binary"].iter().any(|ok| value.eq_ignore_ascii_case(ok)) {
                continue;
            }
            return Err(MultipartError::Malformed("a part uses a transfer encoding, which is not supported"));
        } else {
            // RFC 7578 §4.8: other header fields are to be ignored.
            continue;
        };
        if slot.replace(value).is_some() {
            return Err(MultipartError::Malformed("a part repeats a header"));
        }
    }
    // RFC 7578 §4.2: each part MUST have a Content-Disposition of type form-data with a name.
    let disposition = disposition.ok_or(MultipartError::Malformed("a part has no Content-Disposition header"))?;
    let (name, filename) = parse_disposition(disposition)?;
    Ok(Part { name, filename, content_type: content_type.map(str::to_owned), data })
}

/// The field name and file name of a `Content-Disposition: form-data` value.
fn parse_disposition(value: &str) -> Result<(String, Option<String>), MultipartError> {
    let (kind, params) = value.split_once(';').unwrap_or((value, ""));
    if !kind.trim().eq_ignore_ascii_case("form-data") {
        return Err(MultipartError::Malformed("a part is not form-data"));
    }
    let params = parameters(params).ok_or(MultipartError::Malformed("a part's Content-Disposition cannot be read"))?;
    let (mut name, mut filename, mut filename_ext) = (None, None, None);
    for (key, value) in params {
        let slot = match key.as_str() {
            "name" => &mut name,
            "filename" => &mut filename,
            "filename*" => &mut filename_ext,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(MultipartError::Malformed("a part repeats a Content-Disposition parameter"));
        }
    }
    let name = name.filter(|n| !n.is_empty()).ok_or(MultipartError::Malformed("a part has no field name"))?;
    // RFC 7578 §4.2 tells senders not to use filename* (RFC 5987), but some HTTP client
    // libraries do for non-ASCII names. When both are present, filename* is the exact name and
    // filename an ASCII fallback (RFC 6266 §4.3), so filename* wins.
    let filename = match filename_ext {
        Some(ext) => {
            Some(decode_ext_value(&ext).ok_or(MultipartError::Malformed("a part's filename* cannot be read"))?)
        }
        None => filename,
    };
    Ok((name, filename))
}

/// `;`-separated `name=value` parameters (RFC 9110 §5.6.6), values a token or a quoted string.
/// Names are lower-cased. None when the text does not follow the grammar.
fn parameters(mut rest: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    loop {
        rest = rest.trim_start_matches([' ', '\t']);
        if rest.is_empty() {
            return Some(out);
        }
        if let Some(after) = rest.strip_prefix(';') {
            rest = after;
            continue;
        }
        let name_len = rest.find(|c| !is_token_char(c)).unwrap_or(rest.len());
        let (name, after) = rest.split_at_checked(name_len)?;
        let after = after.strip_prefix('=').filter(|_| !name.is_empty())?;
        let (value, after) = if let Some(quoted) = after.strip_prefix('"') {
            quoted_string(quoted)?
        } else {
            let len = after.find(|c| !is_token_char(c)).unwrap_or(after.len());
            let (token, after) = after.split_at_checked(len)?;
            (token.to_owned(), after)
        };

        out.push((name.to_ascii_lowercase(), value));
        rest = after.trim_start_matches([' ', '\t']);
        if !rest.is_empty() && !rest.starts_with(';') {
            return None;
        }
    }
}

/// The content of a quoted string (its opening quote already consumed) and the text after it.
///
/// A backslash escapes a following `"` or `\` (RFC 9110 §5.6.4). Before any other character it
/// is kept: old Internet Explorer sends full Windows paths unescaped (`C:\dir\a.pdf`), and no
/// sender escapes ordinary characters, so reading those backslashes literally keeps the path
/// intact for the file name check to strip.
fn quoted_string(input: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = input.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Some((value, input.get(at + 1..)?)),
            '\\' if input.get(at + 1..).is_some_and(|next| next.starts_with(['"', '\\'])) => {
                let (_, escaped) = chars.next()?;
                value.push(escaped);
            }
            c if c.is_control() && c != '\t' => return None,
            c => value.push(c),
        }
    }
    None
}

/// RFC 8187 §3.2.1 `ext-value`: `charset'language'percent-encoded`. UTF-8 must be supported;
/// ISO-8859-1 costs one line; other charsets are refused.
fn decode_ext_value(value: &str) -> Option<String> {
    let (charset, rest) = value.split_once('\'')?;
    let (_language, encoded) = rest.split_once('\'')?;
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut input = encoded.bytes();
    while let Some(byte) = input.next() {
        if byte == b'%' {
            let hi = input.next().and_then(|b| char::from(b).to_digit(16))?;
            let lo = input.next().and_then(|b| char::from(b).to_digit(16))?;
            bytes.push(u8::try_from(hi * 16 + lo).ok()?);
        } else if is_attr_char(byte) {
            bytes.push(byte);
        } else {
            return None;
        }
    }
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).ok()
    } else if charset.eq_ignore_ascii_case("iso-8859-1") {
        Some(bytes.into_iter().map(char::from).collect())
    } else {
        None
    }
}

/// tchar (RFC 9110 §5.6.2).
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// attr-char (RFC 8187 §3.2.1).
fn is_attr_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b)
}

/// A size for people: whole MiB or KiB when exact, bytes otherwise.
fn human_size(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits { max_parts: 10, max_total_bytes: 64 * 1024, max_header_bytes: 1024 };
    const B: &str = "----WebKitFormBoundary7MA4YWxkTrZu0gW";

    /// A body as a browser writes it: each part opened by `--boundary CRLF`, closed by
    /// `CRLF --boundary--`.
    fn body(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (headers, data) in parts {
            out.extend_from_slice(format!("--{B}\r\n{headers}\r\n\r\n").as_bytes());
            out.extend_from_slice(data);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{B}--\r\n").as_bytes());
        out
    }

    #[test]
    fn a_browser_form_with_fields_and_two_files_is_split_into_its_parts() {
        // Binary data with CRLFs, a "--" line, and prefixes of the delimiter that stop short.
        let binary: Vec<u8> = [
            &[0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n', 0, 0xFF][..],
            b"\r\n--\r\n",
            format!("\r\n--{}", &B[..B.len() - 1]).as_bytes(),
            format!("--{B}").as_bytes(),
            b"\r\n\r\n\r",
        ]
        .concat();
        let body = body(&[
            ("Content-Disposition: form-data; name=\"subject\"", b"Printer on fire"),
            ("Content-Disposition: form-data; name=\"body\"", "Line one\r\nLine two: ø".as_bytes()),
            (
                "Content-Disposition: form-data; name=\"files\"; filename=\"log.txt\"\r\nContent-Type: text/plain",
                b"ok\n",
            ),
            (
                "Content-Disposition: form-data; name=\"files\"; filename=\"photo 1.png\"\r\nContent-Type: image/png",
                &binary,
            ),
        ]);

        let parts = parse(&body, B, &LIMITS).unwrap();

        assert_eq!(parts.len(), 4);
        assert_eq!((parts[0].name.as_str(), parts[0].text()), ("subject", Some("Printer on fire")));
        assert_eq!(parts[0].filename, None);
        assert_eq!(parts[0].content_type, None);
        assert_eq!(parts[1].text(), Some("Line one\r\nLine two: ø"));
        assert_eq!(parts[2].filename.as_deref(), Some("log.txt"));
        assert_eq!(parts[2].content_type.as_deref(), Some("text/plain"));
        assert_eq!(parts[2].data, b"ok\n");
        assert_eq!(parts[3].name, "files");
        assert_eq!(parts[3].filename.as_deref(), Some("photo 1.png"));
        assert_eq!(parts[3].data, &binary[..]);
    }

    #[test]
    fn filename_star_is_preferred_over_filename() {
        let body = body(&[(
            "Content-Disposition: form-data; name=\"f\"; filename=\"na_ve.pdf\"; filename*=UTF-8''na%C3%AFve%20%E2%82%AC.pdf",
            b"%PDF-1.7",
        )]);
        let parts = parse(&body, B, &LIMITS).unwrap();
        assert_eq!(parts[0].filename.as_deref(), Some("naïve €.pdf"));
    }

    #[test]
    fn filename_star_in_latin_1_is_decoded_and_other_charsets_are_refused() {
        let latin = body(&[("Content-Disposition: form-data; name=f; filename*=iso-8859-1'da'%E6bler.txt", b"x")]);
        assert_eq!(parse(&latin, B, &LIMITS).unwrap()[0].filename.as_deref(), Some("æbler.txt"));

        let other = body(&[("Content-Disposition: form-data; name=f; filename*=koi8-r''%C1.txt", b"x")]);
        assert!(matches!(parse(&other, B, &LIMITS), Err(MultipartError::Malformed(_))));
        let broken = body(&[("Content-Disposition: form-data; name=f; filename*=UTF-8''%C3", b"x")]);
        assert!(matches!(parse(&broken, B, &LIMITS), Err(MultipartError::Malformed(_))));
    }

    #[test]
    fn an_empty_file_input_is_a_part_with_an_empty_filename_and_no_data() {
        let body = body(&[
            ("Content-Disposition: form-data; name=\"files\"; filename=\"\"\r\nContent-Type: application/octet-stream", b""),
            ("Content-Disposition: form-data; name=\"after\"", b"still here"),
        ]);
        let parts = parse(&body, B, &LIMITS).unwrap();
        assert_eq!(parts[0].filename.as_deref(), Some(""));
        assert!(parts[0].data.is_empty());
        assert_eq!(parts[1].text(), Some("still here"));
    }

    #[test]
    fn a_body_without_its_closing_boundary_is_malformed() {
        let mut cut = body(&[("Content-Disposition: form-data; name=\"a\"", b"1")]);
        cut.truncate(cut.len() - format!("\r\n--{B}--\r\n").len());
        assert_eq!(parse(&cut, B, &LIMITS), Err(MultipartError::Malformed("the closing boundary is missing")));

        let mut no_close = body(&[("Content-Disposition: form-data; name=\"a\"", b"1")]);
        no_close.truncate(no_close.len() - "--\r\n".len());
        assert_eq!(parse(&no_close, B, &LIMITS), Err(MultipartError::Malformed("the closing boundary is missing")));

        assert!(matches!(parse(b"", B, &LIMITS), Err(MultipartError::Malformed(_))));
        assert!(matches!(parse(b"name=value", B, &LIMITS), Err(MultipartError::Malformed(_))));
    }

    #[test]
    fn a_body_with_more_parts_than_allowed_is_refused() {
        let field: (&str, &[u8]) = ("Content-Disposition: form-data; name=\"a\"", b"1");
        let limits = Limits { max_parts: 3, ..LIMITS };
        assert_eq!(parse(&body(&[field; 3]), B, &limits).unwrap().len(), 3);
        assert_eq!(parse(&body(&[field; 4]), B, &limits), Err(MultipartError::TooManyParts { max: 3 }));
    }

    #[test]
    fn a_body_over_the_size_limit_is_refused_before_it_is_read() {
        let big = vec![b'x'; LIMITS.max_total_bytes + 1];
        assert_eq!(parse(&big, B, &LIMITS), Err(MultipartError::TooLarge { max: 64 * 1024 }));
    }

    #[test]
    fn a_part_with_endless_headers_is_refused_at_the_header_limit() {
        let long = format!("Content-Disposition: form-data; name=\"a\"\r\nX-Padding: {}", "y".repeat(2000));
        let body = body(&[(&long, b"1")]);
        assert_eq!(parse(&body, B, &LIMITS), Err(MultipartError::HeadersTooLarge { max: 1024 }));
    }

    #[test]
    fn a_part_without_a_field_name_is_malformed() {
        for headers in [
            "Content-Disposition: form-data",
            "Content-Disposition: form-data; filename=\"a.txt\"",
            "Content-Disposition: form-data; name=\"\"",
            "Content-Type: text/plain",
        ] {
            let body = body(&[(headers, b"1")]);
            let result = parse(&body, B, &LIMITS);
            assert!(matches!(result, Err(MultipartError::Malformed(_))), "{headers}: {result:?}");
        }
        let no_headers = format!("--{B}\r\n\r\ndata\r\n--{B}--");
        assert!(matches!(parse(no_headers.as_bytes(), B, &LIMITS), Err(MultipartError::Malformed(_))));
    }

    #[test]
    fn parts_that_are_not_plain_form_data_are_malformed() {
        for headers in [
            "Content-Disposition: attachment; name=\"a\"",
            "Content-Disposition: form-data; name=\"a\"; name=\"b\"",
            "Content-Disposition: form-data; name=\"a\"\r\nContent-Disposition: form-data; name=\"b\"",
            "Content-Disposition: form-data; name=\"a\"\r\nContent-Transfer-Encoding: base64",
            "Content-Disposition: form-data;\r\n name=\"a\"",
            "Content-Disposition: form-data; name=\"a\r\"",
            "Content-Disposition: form-data; name=\"unterminated",
            "Content-Disposition: form-data; name=a b",
            "Content-Disposition form-data; name=\"a\"",
        ] {
            let body = body(&[(headers, b"1")]);
            let result = parse(&body, B, &LIMITS);
            assert!(matches!(result, Err(MultipartError::Malformed(_))), "{headers:?}: {result:?}");
        }
    }

    #[test]
    fn header_names_are_case_insensitive_and_unknown_headers_are_ignored() {
        let headers =
            "content-disposition: FORM-DATA; NAME=comment\r\nX-Whatever: 1\r\nContent-Transfer-Encoding: binary";
        let body = body(&[(headers, b"hi")]);
        let parts = parse(&body, B, &LIMITS).unwrap();
        assert_eq!(parts[0].name, "comment");
    }

    #[test]
    fn quoted_strings_unescape_quotes_and_backslashes_but_keep_windows_paths() {
        let headers = r#"Content-Disposition: form-data; name="a\"b"; filename="C:\Users\ada\say \"hi\" \\o.txt""#;
        let body = body(&[(headers, b"1")]);
        let parts = parse(&body, B, &LIMITS).unwrap();
        assert_eq!(parts[0].name, "a\"b");
        assert_eq!(parts[0].filename.as_deref(), Some(r#"C:\Users\ada\say "hi" \o.txt"#));
    }

    #[test]
    fn the_preamble_and_epilogue_are_ignored() {
        let mut with_both = b"This is a preamble.\r\n".to_vec();
        with_both.extend(body(&[("Content-Disposition: form-data; name=\"a\"", b"1")]));
        with_both.extend_from_slice(b"This is an epilogue.\r\n");
        let parts = parse(&with_both, B, &LIMITS).unwrap();
        assert_eq!((parts.len(), parts[0].data), (1, &b"1"[..]));
    }

    #[test]
    fn padding_after_a_boundary_is_allowed_but_other_characters_are_not() {
        let padded = format!("--{B} \t\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--{B}--");
        assert_eq!(parse(padded.as_bytes(), B, &LIMITS).unwrap()[0].data, b"1");

        let longer = format!("--{B}X\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--{B}--");
        assert!(matches!(parse(longer.as_bytes(), B, &LIMITS), Err(MultipartError::Malformed(_))));
    }

    #[test]
    fn a_body_of_near_delimiters_is_scanned_in_linear_time() {
        // Each chunk matches all but the last byte of the delimiter: a naive search would
        // compare ~70 bytes at every position. This finishes at once; it is here so a future
        // "simpler" search that is quadratic shows up as a slow test.
        let boundary = "a".repeat(70);
        let near = format!("\r\n--{}", &boundary[..69]);
        let mut hostile = format!("--{boundary}\r\nContent-Disposition: form-data; name=a\r\n\r\n").into_bytes();
        while hostile.len() < 4 * 1024 * 1024 {
            hostile.extend_from_slice(near.as_bytes());
        }
        hostile.extend_from_slice(format!("\r\n--{boundary}--").as_bytes());
        let limits = Limits { max_total_bytes: 8 * 1024 * 1024, ..LIMITS };
        assert_eq!(parse(&hostile, &boundary, &limits).unwrap().len(), 1);
    }

    #[test]
    fn an_invalid_boundary_is_refused() {
        let body = body(&[("Content-Disposition: form-data; name=a", b"1")]);
        assert!(matches!(parse(&body, "", &LIMITS), Err(MultipartError::Malformed(_))));
        assert!(matches!(parse(&body, "bad\rboundary", &LIMITS), Err(MultipartError::Malformed(_))));
    }

    #[test]
    fn the_boundary_is_read_from_a_content_type_quoted_or_not() {
        assert_eq!(boundary(&format!("multipart/form-data; boundary={B}")).as_deref(), Some(B));
        assert_eq!(boundary("Multipart/Form-Data;BOUNDARY=abc").as_deref(), Some("abc"));
        assert_eq!(boundary("multipart/form-data; charset=utf-8; boundary=\"a b:c?\"").as_deref(), Some("a b:c?"));
        assert_eq!(boundary("multipart/form-data; boundary=\"quoted\"; x=y").as_deref(), Some("quoted"));
        assert_eq!(boundary(&format!("multipart/form-data; boundary={}", "b".repeat(70))).map(|b| b.len()), Some(70));
    }

    #[test]
    fn a_content_type_without_a_usable_boundary_has_none() {
        for content_type in [
            "application/x-www-form-urlencoded",
            "multipart/mixed; boundary=abc",
            "multipart/form-data",
            "multipart/form-data; boundary=",
            "multipart/form-data; boundary=\"\"",
            "multipart/form-data; boundary=\"ends with space \"",
            "multipart/form-data; boundary=\"semi;colon\"",
            "multipart/form-data; boundary=a; boundary=b",
            "multipart/form-data; boundary=\"unterminated",
        ] {
            assert_eq!(boundary(content_type), None, "{content_type}");
        }
        assert_eq!(boundary(&format!("multipart/form-data; boundary={}", "b".repeat(71))), None);
    }

    #[test]
    fn errors_read_as_messages_for_the_person_who_sent_the_form() {
        assert_eq!(
            MultipartError::TooLarge { max: 20 * 1024 * 1024 }.to_string(),
            "the form data is too large (at most 20 MiB in total)"
        );
        assert_eq!(
            MultipartError::TooManyParts { max: 12 }.to_string(),
            "the form has too many fields and files (at most 12)"
        );
        assert_eq!(
            MultipartError::Malformed("a part has no field name").to_string(),
            "the form data could not be read: a part has no field name"
        );
    }
}
