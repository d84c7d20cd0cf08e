//! Routing: health routes, the admin API (on every host), the console on its own host, and
//! the portal pages of the portal the Host names. Every response leaves through `secure`,
//! which adds the headers browsers need to keep pages and files from being misused.

/// What an optional part of a route table's entry (`portal::routes`, `console::routes`)
/// leaves out: `or!(default; given)` is the part given, else the default.
macro_rules! or {
    ($default:expr;) => {
        $default
    };
    ($default:expr; $given:expr) => {
        $given
    };
}

pub mod api;
pub mod api_keys;
pub mod asset_shares;
pub mod console;
pub mod customers;
pub mod domain_verification;
pub mod domains;
pub mod files;
pub mod idp_documents;
pub mod input;
pub mod invitation_links;
pub mod lifecycle;
pub mod links;
pub mod oidc_client;
pub mod portal;
pub mod portal_settings;
pub mod preview_links;
pub mod public_portal;
pub mod registration_list;
pub mod scheduled;
pub mod sso_connections;
pub mod staff;
pub mod staff_sso;
pub mod templates;
pub mod tenant_settings;
pub mod themes;
pub mod ticket_settings;
pub mod versions;
pub mod webhook_endpoints;

use crate::http::{is_media_type, Method, Request, Response};
use crate::runtime::Runtime;
use crate::store;
use crate::upload;
use crate::views::{self, layout::neutral};
use porch_types::host::{HostError, Hostname};

/// The edge refuses request bodies above these with 413 (by Content-Length before reading,
/// and while reading). Only the routes that take files (the support form, a ticket reply,
/// an agent's message, a document upload), posted as `multipart/form-data`, may be large: their files' caps plus
/// room for the text fields.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
pub const MAX_UPLOAD_BODY_BYTES: usize = porch_types::attachments::MAX_MESSAGE_BYTES + MAX_BODY_BYTES;

/// What a route reads as its body: a small one, or files (`multipart/form-data` up to
/// `MAX_UPLOAD_BODY_BYTES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body {
    Small,
    Files,
}

/// One route of a table (the API's `api::ROUTES`, the portal's `portal::routes::PAGES`): the
/// methods it answers, its path template (`{name}` matches one path segment), its body, and
/// what handles it. HEAD is answered wherever GET is.
#[derive(Debug)]
pub struct Route<K: 'static> {
    pub methods: &'static [Method],
    pub path: &'static str,
    pub body: Body,
    pub handler: K,
}

/// What a table says about a request.
#[derive(Debug)]
pub enum Found<K: 'static, V> {
    /// The route, and its path parameters by name.
    Route(&'static Route<K>, Vec<(&'static str, V)>),
    /// The path exists with other methods: these (RFC 9110 §15.5.6 wants them in `Allow`).
    WrongMethod(Vec<&'static str>),
    Missing,
}

/// Looks `method` and `path` up in `table`. `capture` turns a path segment into a parameter
/// (None: the template does not match); `exists` says whether a route exists here at all
/// (a portal page of an app the portal does not offer does not). The first template that
/// matches owns the path, so a literal route listed before a parameter one shadows it
/// (`/tickets/new` before `/tickets/{number}`).
pub fn find<'p, K, V>(
    table: &'static [Route<K>],
    method: Method,
    path: &'p str,
    capture: impl Fn(&'p str) -> Option<V>,
    exists: impl Fn(&K) -> bool,
) -> Found<K, V> {
    let mut matching = table.iter().filter_map(|route| match_template(route.path, path, &capture).map(|c| (route, c)));
    let Some((first, captured)) = matching.next() else {
        return Found::Missing;
    };
    if !exists(&first.handler) {
        return Found::Missing;
    }
    let owners = std::iter::once((first, captured)).chain(matching.filter(|(route, _)| route.path == first.path));
    let mut allowed = Vec::new();
    for (route, captured) in owners {
        if route.methods.contains(&method) || (method == Method::Head && route.methods.contains(&Method::Get)) {
            return Found::Route(route, captured);
        }
        for route_method in route.methods {
            allowed.push(route_method.as_str());
            if *route_method == Method::Get {
                allowed.push(Method::Head.as_str());
            }
        }
    }
    Found::WrongMethod(allowed)
}

/// Matches a path against a template, capturing each `{name}` segment through `capture`.
fn match_template<'p, V>(
    template: &'static str,
    path: &'p str,
    capture: impl Fn(&'p str) -> Option<V>,
) -> Option<Vec<(&'static str, V)>> {
    let mut params = Vec::new();
    let mut template_segments = template.split('/');
    let mut path_segments = path.split('/');
    loop {
        match (template_segments.next(), path_segments.next()) {
            (None, None) => return Some(params),
            (Some(t), Some(p)) => {
                if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                    params.push((name, capture(p)?));
                } else if t != p {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

/// The paths of the admin API, on every host.
fn is_api_path(path: &str) -> bool {
    path == "/api/v1" || path.starts_with("/api/v1/")
}

/// The largest body this request may have: decided by the route, not by the client's own
/// `Content-Type` alone, so no other route can be made to read 20 MiB.
pub fn body_limit(method: Method, path: &str, content_type: Option<&str>) -> usize {
    let body = if is_api_path(path) { api::body(method, path) } else { portal::routes::body(method, path) };
    if body == Body::Files && is_media_type(content_type, "multipart/form-data") {
        MAX_UPLOAD_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    }
}

/// The most a portal form with files may stream (Cloudflare's own cap on a request body on
/// most plans): its files past the caps are only counted, never held.
pub const MAX_STREAMED_FORM_BYTES: usize = 100 * 1024 * 1024;

/// A request body as the edge reads it, chunk by chunk: held whole up to its route's limit,
/// or, for a portal form with files, trimmed as it streams (`upload`), so a file over the
/// caps is named on the form's page with the text typed beside it, not answered with a bare
/// 413 that loses both.
pub enum BodyReader {
    Whole { limit: usize, body: Vec<u8> },
    Trimmed { streamed: usize, trimmer: upload::Trimmer },
}

impl BodyReader {
    /// The reader for a request; refused at once (413) when its declared length is over what
    /// it may send.
    pub fn new(
        method: Method,
        path: &str,
        content_type: Option<&str>,
        declared: Option<usize>,
    ) -> Result<BodyReader, Response> {
        let streams_files = !is_api_path(path)
            && portal::routes::body(method, path) == Body::Files
            && is_media_type(content_type, "multipart/form-data");
        let boundary = content_type.and_then(crate::multipart::boundary).filter(|_| streams_files);
        let (reader, limit) = if let Some(boundary) = boundary {
            let caps = upload::Caps {
                file: porch_types::attachments::MAX_FILE_BYTES,
                files: porch_types::attachments::MAX_MESSAGE_BYTES,
                held: MAX_UPLOAD_BODY_BYTES,
            };
            let trimmer = upload::Trimmer::new(&boundary, caps);
            (BodyReader::Trimmed { streamed: 0, trimmer }, MAX_STREAMED_FORM_BYTES)
        } else {
            let limit = body_limit(method, path, content_type);
            (BodyReader::Whole { limit, body: Vec::new() }, limit)
        };
        if declared.is_some_and(|length| length > limit) {
            return Err(too_large());
        }
        Ok(reader)
    }

    /// The next chunk; 413 as soon as the body passes what it may send or hold.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), Response> {
        match self {
            BodyReader::Whole { limit, body } => {
                if body.len().saturating_add(chunk.len()) > *limit {
                    return Err(too_large());
                }
                body.extend_from_slice(chunk);
                Ok(())
            }
            BodyReader::Trimmed { streamed, trimmer } => {
                *streamed = streamed.saturating_add(chunk.len());
                if *streamed > MAX_STREAMED_FORM_BYTES {
                    return Err(too_large());
                }
                trimmer.push(chunk).map_err(|upload::TooLarge| too_large())
            }
        }
    }

    /// The body, and the files set aside from it.
    pub fn finish(self) -> Result<(Vec<u8>, Vec<upload::SetAside>), Response> {
        match self {
            BodyReader::Whole { body, .. } => Ok((body, Vec::new())),
            BodyReader::Trimmed { trimmer, .. } => trimmer.finish().map_err(|upload::TooLarge| too_large()),
        }
    }
}

/// A body over its limit: the JSON an API client reads (a portal form past its caps never
/// gets here; only one holding more than its text and files may).
pub fn too_large() -> Response {
    Response::json(413, &porch_types::error::AppError::TooLarge("the request body is too large".into()).to_json())
}

pub async fn handle<R: Runtime>(rt: &R, req: Request) -> Response {
    let response = route(rt, &req).await;
    let response = if req.method == Method::Head { Response { body: Vec::new(), ..response } } else { response };
    secure(response)
}

async fn route<R: Runtime>(rt: &R, req: &Request) -> Response {
    match req.path.as_str() {
        // The runtime's floor: no I/O at all.
        "/healthz" => return Response::text(200, "ok").with_header("cache-control", "no-store"),
        // The floor for any page that needs D1: exactly one trivial query.
        "/healthz/db" => return health_db(rt).await,
        path if is_api_path(path) => return api::handle(rt, req).await,
        // Off, this path is nothing special and falls through like any other.
        "/_dev/mailbox" if rt.config().dev_mailbox && matches!(req.method, Method::Get | Method::Head) => {
            return dev_mailbox(rt).await
        }
        _ => {}
    }
    let host = match Hostname::from_host_header(req.header("host").unwrap_or("")) {
        Ok(host) => host,
        Err(HostError::Missing | HostError::Malformed) => {
            return Response::html(400, neutral("Bad request", "The request's host name is not valid."));
        }
    };
    if host == rt.config().console_host {
        return console::handle(rt, req, &host).await;
    }
    portal::handle(rt, req, &host).await
}

/// Every queued email with clickable links, for a person running porch locally.
async fn dev_mailbox<R: Runtime>(rt: &R) -> Response {
    match store::outbox::list_newest_with_bodies(rt.db(), api::DEV_MAILBOX_SIZE).await {
        Ok(messages) => Response::html(200, views::mailbox::page(&messages)).with_header("cache-control", "no-store"),
        Err(err) => {
            rt.log(&format!("dev mailbox: {err}"));
            Response::html(500, neutral("Something went wrong", "The mailbox could not be read."))
        }
    }
}

async fn health_db<R: Runtime>(rt: &R) -> Response {
    match store::housekeeping::answers(rt.db()).await {
        Ok(true) => Response::text(200, "ok").with_header("cache-control", "no-store"),
        Ok(false) => Response::text(503, "database answered oddly"),
        Err(err) => {
            rt.log(&format!("health db: {err}"));
            Response::text(503, "database unavailable")
        }
    }
}

/// Strict CSP for pages (no script at all, styles and images from the portal's own origin),
/// plus no sniffing, no framing and a quiet referrer (OWASP Secure Headers Project). A page
/// that set its own CSP keeps it.
const PAGE_CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The console's pages: as strict, but its own script may run (`/console.js`, progressive
/// enhancement only: every page works without it).
pub(crate) const CONSOLE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

fn secure(response: Response) -> Response {
    let is_html = response.header("content-type").is_some_and(|t| t.starts_with("text/html"));
    let mut response = response
        .with_header("x-content-type-options", "nosniff")
        .with_header("referrer-policy", "same-origin")
        .with_header("x-frame-options", "DENY");
    if is_html && response.header("content-security-policy").is_none() {
        response = response.with_header("content-security-policy", PAGE_CSP);
    }
    response
}

/// Counts one attempt against the fixed-window bucket `key` (`store::rate_limits`) and
/// refuses it past `max` per `window_seconds`: the portal's and the console's forms.
pub async fn count_attempt(
    db: &impl store::Database,
    key: &str,
    max: i64,
    window_seconds: i64,
    now: porch_types::time::Timestamp,
) -> Result<(), porch_types::error::AppError> {
    let hits = store::rate_limits::hit(db, key, window_seconds * 1000, now).await?;
    if hits > max {
        Err(porch_types::error::AppError::RateLimited)
    } else {
        Ok(())
    }
}

/// Cuts `rows`, a page of `size` and one more row read to learn whether a page follows, to
/// the page; the page's last row when one follows (the next page's cursor), else None.
pub fn cut_page<T>(rows: &mut Vec<T>, size: i64) -> Option<&T> {
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    let more = rows.len() > size;
    rows.truncate(size);
    rows.last().filter(|_| more)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Whether some path matches both templates.
    pub(crate) fn templates_overlap(a: &str, b: &str) -> bool {
        let is_param = |segment: &str| segment.starts_with('{');
        a.split('/').count() == b.split('/').count()
            && a.split('/').zip(b.split('/')).all(|(x, y)| x == y || is_param(x) || is_param(y))
    }

    #[test]
    fn a_page_read_with_one_row_more_is_cut_to_its_size_and_names_its_last_row_only_when_more_follow() {
        let mut rows = vec![1, 2, 3];
        assert_eq!(cut_page(&mut rows, 2), Some(&2));
        assert_eq!(rows, [1, 2]);
        let mut rows = vec![1, 2];
        assert_eq!(cut_page(&mut rows, 2), None, "the last page");
        assert_eq!(rows, [1, 2]);
        assert_eq!(cut_page(&mut Vec::<i32>::new(), 2), None);
    }

    #[test]
    fn only_the_routes_that_take_files_accept_large_multipart_bodies() {
        let multipart = Some("multipart/form-data; boundary=x");
        for path in
            ["/tickets/new", "/tickets/12/reply", "/api/v1/tenants/t/tickets/i/messages", "/api/v1/tenants/t/documents"]
        {
            assert_eq!(body_limit(Method::Post, path, multipart), MAX_UPLOAD_BODY_BYTES, "{path}");
            assert_eq!(body_limit(Method::Post, path, Some("application/json")), MAX_BODY_BYTES, "{path}");
            assert_eq!(body_limit(Method::Put, path, multipart), MAX_BODY_BYTES, "{path}");
        }
        for path in [
            "/sign-in",
            "/register",
            "/api/v1/tenants",
            "/tickets/12/rating",
            "/tickets/new/x",
            "/api/v1/tenants/t/documents/d",
        ] {
            assert_eq!(body_limit(Method::Post, path, multipart), MAX_BODY_BYTES, "{path}");
        }
    }

    #[test]
    fn only_a_portal_form_with_files_may_stream_past_its_caps_and_everything_else_is_refused_by_its_length() {
        let multipart = Some("multipart/form-data; boundary=x");
        let over = Some(MAX_UPLOAD_BODY_BYTES + 1);
        for path in ["/tickets/new", "/tickets/12/reply"] {
            assert!(
                matches!(BodyReader::new(Method::Post, path, multipart, over), Ok(BodyReader::Trimmed { .. })),
                "{path}"
            );
            let past = Some(MAX_STREAMED_FORM_BYTES + 1);
            assert_eq!(BodyReader::new(Method::Post, path, multipart, past).err().map(|r| r.status), Some(413));
        }
        for path in ["/api/v1/tenants/t/tickets/i/messages", "/api/v1/tenants/t/documents", "/sign-in"] {
            assert_eq!(
                BodyReader::new(Method::Post, path, multipart, over).err().map(|r| r.status),
                Some(413),
                "{path}"
            );
        }
        let mut whole = BodyReader::new(Method::Post, "/sign-in", None, None).unwrap();
        assert_eq!(whole.push(&vec![0; MAX_BODY_BYTES + 1]).err().map(|r| r.status), Some(413), "chunked, no length");
    }

    #[test]
    fn every_route_that_takes_files_is_a_post() {
        let api = api::ROUTES.iter().filter(|r| r.body == Body::Files).map(|r| r.methods);
        let portal = portal::routes::PAGES.iter().filter(|r| r.body == Body::Files).map(|r| r.methods);
        for methods in api.chain(portal) {
            assert_eq!(methods, [Method::Post]);
        }
    }

    #[test]
    fn a_template_matches_its_segments_and_captures_its_parameters() {
        let raw = |segment| Some(segment);
        assert_eq!(match_template("/a/{x}/b/{y}", "/a/1/b/2", raw), Some(vec![("x", "1"), ("y", "2")]));
        assert_eq!(match_template("/a/{x}", "/a/1/b", raw), None, "a longer path");
        assert_eq!(match_template("/a/{x}/b", "/a/1", raw), None, "a shorter path");
        assert_eq!(match_template("/a/{x}", "/c/1", raw), None, "another literal");
        assert_eq!(match_template("/a/{x}", "/a/1", |_: &str| None::<&str>), None, "a refused capture");
    }
}
