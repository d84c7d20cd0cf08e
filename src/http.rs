//! Plain request and response values: what the edge shell converts `worker` types to and from,
//! so the app can be driven natively in tests without a Workers runtime.

/// The HTTP methods porch answers; anything else is refused before routing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
    Options,
}

impl Method {
    pub fn parse(name: &str) -> Option<Method> {
        Some(match name {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            "OPTIONS" => Method::Options,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Request {
    pub method: Method,
    /// Path without the query string, still percent-encoded.
    pub path: String,
    pub query: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn new(method: Method, path_and_query: &str) -> Request {
        let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
        Request { method, path: path.to_owned(), query: query.to_owned(), headers: Vec::new(), body: Vec::new() }
    }

    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Request {
        self.headers.push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    #[must_use]
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Request {
        self.body = body.into();
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The first value of a query parameter, percent-decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key).as_deref() == Some(name)).then(|| percent_decode(value))?
        })
    }
}

/// Decodes `%XX` escapes and `+` (form encoding); None if the result is not UTF-8 or an escape is broken.
/// Whether a `Content-Type` value is `media_type` (parameters such as `charset` ignored, case
/// ignored: RFC 9110 §8.3.1).
pub fn is_media_type(content_type: Option<&str>, media_type: &str) -> bool {
    content_type.and_then(|t| t.split(';').next()).is_some_and(|t| t.trim().eq_ignore_ascii_case(media_type))
}

/// Percent-encodes every byte but ASCII letters, digits, `-_.~` (RFC 3986 unreserved) and the
/// bytes of `also_keep` (say `/` for a path kept readable in a query value).
pub fn percent_encode(text: &str, also_keep: &[u8]) -> String {
    use std::fmt::Write;
    text.bytes().fold(String::with_capacity(text.len()), |mut out, b| {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || also_keep.contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
        out
    })
}

pub fn percent_decode(input: &str) -> Option<String> {
    let mut out = Vec::with_capacity(input.len());
    let mut bytes = input.bytes();
    while let Some(byte) = bytes.next() {
        match byte {
            b'%' => {
                let hi = bytes.next().and_then(|b| char::from(b).to_digit(16))?;
                let lo = bytes.next().and_then(|b| char::from(b).to_digit(16))?;
                out.push(u8::try_from(hi * 16 + lo).ok()?);
            }
            b'+' => out.push(b' '),
            other => out.push(other),
        }
    }
    String::from_utf8(out).ok()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response { status, headers: vec![("content-type".to_owned(), content_type.to_owned())], body: body.into() }
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        Response::new(status, "application/json; charset=utf-8", value.to_string())
            .with_header("cache-control", "no-store")
    }

    pub fn html(status: u16, body: String) -> Response {
        Response::new(status, "text/html; charset=utf-8", body)
    }

    pub fn text(status: u16, body: &str) -> Response {
        Response::new(status, "text/plain; charset=utf-8", body)
    }

    pub fn empty(status: u16) -> Response {
        Response { status, headers: Vec::new(), body: Vec::new() }
    }

    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// Adds a header line without replacing others of the name (`Set-Cookie`).
    #[must_use]
    pub fn add_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// A 303 to a path of the same origin: the answer to a form POST (RFC 9110 §15.4.4).
    pub fn see_other(location: &str) -> Response {
        Response::empty(303).with_header("location", location).with_header("cache-control", "no-store")
    }
}

/// The fields of an `application/x-www-form-urlencoded` body, decoded; None when the body
/// is not valid form encoding.
pub fn form_fields(body: &[u8]) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((percent_decode(key)?, percent_decode(value)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_are_percent_decoded() {
        let req = Request::new(Method::Get, "/x?a=1&name=hello%20w%C3%B8rld&flag");
        assert_eq!(req.query_param("name").as_deref(), Some("hello wørld"));
        assert_eq!(req.query_param("flag").as_deref(), Some(""));
        assert_eq!(req.query_param("missing"), None);
    }

    #[test]
    fn percent_encoding_keeps_the_unreserved_and_the_asked_for_bytes() {
        assert_eq!(percent_encode("a b/c?d=é", b""), "a%20b%2Fc%3Fd%3D%C3%A9");
        assert_eq!(percent_encode("/tickets/1?x", b"/"), "/tickets/1%3Fx");
        assert_eq!(percent_decode(&percent_encode("møde & co", b"")).as_deref(), Some("møde & co"));
    }

    #[test]
    fn form_bodies_decode_pluses_and_escapes() {
        let fields = form_fields(b"name=Ada+Lovelace&email=ada%40example.com&empty=").unwrap();
        assert_eq!(fields[0], ("name".to_owned(), "Ada Lovelace".to_owned()));
        assert_eq!(fields[1].1, "ada@example.com");
        assert_eq!(fields[2].1, "");
        assert!(form_fields(b"a=%zz").is_none());
    }

    #[test]
    fn a_broken_percent_escape_decodes_to_nothing() {
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%c3"), None);
    }
}
