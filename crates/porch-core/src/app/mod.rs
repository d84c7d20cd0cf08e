//! Routing: health routes, the admin API (on every host), and the portal pages of the
//! portal the Host names. Every response leaves through `secure`, which adds the headers
//! browsers need to keep pages and files from being misused.

pub mod api;
pub mod domain_verification;
pub mod files;
pub mod portal;
pub mod scheduled;

use crate::http::{is_media_type, Method, Request, Response};
use crate::runtime::Runtime;
use crate::store::{self, Database, Statement};
use crate::views::{self, layout::neutral};
use porch_types::host::{HostError, Hostname};

/// The edge refuses request bodies above these with 413 (by Content-Length before reading,
/// and while reading). Only the routes that take files (the support form, a ticket reply,
/// an agent's message, a document upload), posted as `multipart/form-data`, may be large: their files' caps plus
/// room for the text fields.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
pub const MAX_UPLOAD_BODY_BYTES: usize = porch_types::attachments::MAX_MESSAGE_BYTES + MAX_BODY_BYTES;

/// The largest body this request may have: decided by the route, not by the client's own
/// `Content-Type` alone, so no other route can be made to read 20 MiB.
pub fn body_limit(method: Method, path: &str, content_type: Option<&str>) -> usize {
    let multipart = is_media_type(content_type, "multipart/form-data");
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let takes_files = matches!(
        segments.as_slice(),
        ["tickets", "new"]
            | ["tickets", _, "reply"]
            | ["api", "v1", "tenants", _, "tickets", _, "messages"]
            | ["api", "v1", "tenants", _, "documents"]
    );
    if method == Method::Post && multipart && takes_files {
        MAX_UPLOAD_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    }
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
        path if path == "/api/v1" || path.starts_with("/api/v1/") => return api::handle(rt, req).await,
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
    #[derive(serde::Deserialize)]
    struct One {
        ok: i64,
    }
    match rt.db().query_one::<One>(Statement::new("SELECT 1 AS ok", Vec::new())).await {
        Ok(Some(One { ok: 1 })) => Response::text(200, "ok").with_header("cache-control", "no-store"),
        Ok(_) => Response::text(503, "database answered oddly"),
        Err(err) => {
            rt.log(&format!("health db: {err}"));
            Response::text(503, "database unavailable")
        }
    }
}

/// Strict CSP for pages (no script at all, styles and images from the portal's own origin),
/// plus no sniffing, no framing and a quiet referrer (OWASP Secure Headers Project).
const PAGE_CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

fn secure(response: Response) -> Response {
    let is_html = response.header("content-type").is_some_and(|t| t.starts_with("text/html"));
    let mut response = response
        .with_header("x-content-type-options", "nosniff")
        .with_header("referrer-policy", "same-origin")
        .with_header("x-frame-options", "DENY");
    if is_html {
        response = response.with_header("content-security-policy", PAGE_CSP);
    }
    response
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
mod tests {
    use super::*;

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
}
