//! Plain request and response values: what the edge shell converts `worker` types to and from,
//! so the app can be driven natively in tests without a Workers runtime.

pub use porch_types::percent::{percent_decode, percent_encode};

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

/// A file of a form that was not kept in the body as it was read (`upload`): its form
/// field, its name as sent and its whole size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetAside {
    pub field: String,
    pub filename: String,
    pub size: usize,
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
    /// Files of a portal form left out of `body` as it was read, for passing a cap
    /// (`upload`): the page still says which and why.
    pub set_aside: Vec<SetAside>,
}

impl Request {
    pub fn new(method: Method, path_and_query: &str) -> Request {
        let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
        Request {
            method,
            path: path.to_owned(),
            query: query.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
            set_aside: Vec::new(),
        }
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

    /// The client's address as Cloudflare reports it (clients cannot set `cf-connecting-ip`
    /// on Cloudflare's edge), as a rate-limit key for the portal's forms and the admin API:
    /// an IPv6 client is keyed by its /64, because one client usually holds a whole /64 and
    /// could otherwise rotate past every per-address limit.
    pub fn client_address(&self) -> String {
        client_key(self.header("cf-connecting-ip").unwrap_or("unknown"))
    }

    /// The first value of a query parameter, percent-decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key).as_deref() == Some(name)).then(|| percent_decode(value))?
        })
    }
}

fn client_key(ip: &str) -> String {
    let ip = ip.trim();
    match ip.split('%').next().unwrap_or(ip).parse::<std::net::Ipv6Addr>() {
        // An IPv4 address seen as IPv6 (`::ffff:a.b.c.d`) is that IPv4 client.
        Ok(v6) => v6.to_ipv4_mapped().map_or_else(
            || {
                let [a, b, c, d, ..] = v6.segments();
                format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
            },
            |v4| v4.to_string(),
        ),
        Err(_) => ip.to_owned(),
    }
}

/// Whether a `Content-Type` value is `media_type` (parameters such as `charset` ignored, case
/// ignored: RFC 9110 §8.3.1).
pub fn is_media_type(content_type: Option<&str>, media_type: &str) -> bool {
    content_type.and_then(|t| t.split(';').next()).is_some_and(|t| t.trim().eq_ignore_ascii_case(media_type))
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

/// Refuses a form that gives a text field more than once, as a JSON body with a duplicate
/// key is refused. Every form field here is read as one value, and a reader taking the first
/// while another (a proxy, a log, a later check) takes the last is how a smuggled value gets
/// past a check: no form of ours repeats a text field, so a repeat is never honest. (Files
/// may repeat: `files` takes several.)
pub fn single_valued(fields: &[(String, String)]) -> Result<(), porch_types::error::AppError> {
    // A set, not a pairwise scan: a 1 MiB body can hold a quarter of a million fields.
    let mut seen = std::collections::HashSet::with_capacity(fields.len());
    for (name, _) in fields {
        if !seen.insert(name.as_str()) {
            let shown: String = name.chars().filter(|c| !c.is_control()).take(64).collect();
            return Err(porch_types::error::AppError::BadRequest(format!(
                "the form gives the field \"{shown}\" more than once"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_field_given_twice_is_refused() {
        let once = form_fields(b"name=Ada&email=a%40b.c").unwrap();
        assert!(single_valued(&once).is_ok());
        let twice = form_fields(b"name=Ada&email=a%40b.c&name=Eve").unwrap();
        let refused =
            porch_types::error::AppError::BadRequest("the form gives the field \"name\" more than once".into());
        assert_eq!(single_valued(&twice), Err(refused));
        // An empty repeat counts too: it is still a second value.
        assert!(single_valued(&form_fields(b"subject=&subject=x").unwrap()).is_err());
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64_and_ipv4_clients_by_address() {
        assert_eq!(client_key("203.0.113.9"), "203.0.113.9");
        assert_eq!(client_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(client_key("2001:DB8:1:2:bbbb:cccc:dddd:eeee"), "2001:db8:1:2::/64");
        assert_eq!(client_key("2001:db8::1"), "2001:db8:0:0::/64");
        assert_eq!(client_key("2001::1:2:3:4:5"), "2001:0:0:1::/64", "groups after :: are placed");
        assert_eq!(client_key("2001:0db8:0001:0002::9"), "2001:db8:1:2::/64", "leading zeros are one key");
        assert_eq!(client_key("::ffff:1.2.3.4"), "1.2.3.4");
        assert_eq!(client_key("fe80::1%eth0"), "fe80:0:0:0::/64");
        let req = Request::new(Method::Get, "/").with_header("cf-connecting-ip", " 2001:db8:1:2::7 ");
        assert_eq!(req.client_address(), "2001:db8:1:2::/64");
        assert_eq!(Request::new(Method::Get, "/").client_address(), "unknown");
    }

    #[test]
    fn query_parameters_are_percent_decoded() {
        let req = Request::new(Method::Get, "/x?a=1&name=hello%20w%C3%B8rld&flag");
        assert_eq!(req.query_param("name").as_deref(), Some("hello wørld"));
        assert_eq!(req.query_param("flag").as_deref(), Some(""));
        assert_eq!(req.query_param("missing"), None);
    }

    #[test]
    fn form_bodies_decode_pluses_and_escapes() {
        let fields = form_fields(b"name=Ada+Lovelace&email=ada%40example.com&empty=").unwrap();
        assert_eq!(fields[0], ("name".to_owned(), "Ada Lovelace".to_owned()));
        assert_eq!(fields[1].1, "ada@example.com");
        assert_eq!(fields[2].1, "");
        assert!(form_fields(b"a=%zz").is_none());
    }
}
