//! The admin API `/api/v1`: bearer-key authentication, rate limits counted before it, a route
//! table that the `OpenAPI` document is checked against, and JSON in and out (a ticket message may also come as
//! `multipart/form-data`, with files). Handlers live one module per resource.

mod audit;
pub mod auth;
mod customers;
mod documents;
mod domains;
mod emails;
mod equipment;
pub use emails::DEV_MAILBOX_SIZE;
pub mod limits;
mod person_data;
mod portals;
mod recipients;
pub(crate) use recipients::AccountBody;
mod routes;
pub use routes::{Op, ROUTES};
mod sso;
mod sso_input;
mod staff;
mod staff_sso;
mod templates;
mod tenant_lifecycle;
mod tenants;
mod themes;
mod ticket_mail;
mod ticket_settings;
mod ticket_setup;
mod tickets;
mod webhooks;

use serde::de::DeserializeOwned;

use crate::app::{find, input, versions, Body, Found};
use crate::http::{is_media_type, Method, Request, Response};
use crate::runtime::Runtime;
use crate::store::audit::Actor;
use auth::Principal;
use porch_types::error::AppError;

/// Path parameters captured by a route template, percent-decoded.
#[derive(Debug, Default)]
pub struct Params(Vec<(&'static str, String)>);

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }
}

/// The route of `method` and `path` in `ROUTES`; a segment that does not decode to a
/// non-empty value matches no template.
fn find_route(method: Method, path: &str) -> Found<Op, String> {
    find(ROUTES, method, path, |segment| crate::http::percent_decode(segment).filter(|v| !v.is_empty()), |_| true)
}

/// The body the API route of `method` and `path` takes (a small one where there is none).
pub(super) fn body(method: Method, path: &str) -> Body {
    match find_route(method, path) {
        Found::Route(route, _) => route.body,
        Found::WrongMethod(_) | Found::Missing => Body::Small,
    }
}

/// One API call: who is calling, what they asked for, and the runtime to do it with.
pub struct Call<'a, R: Runtime> {
    pub rt: &'a R,
    pub req: &'a Request,
    pub params: Params,
    pub principal: Principal,
}

impl<R: Runtime> Call<'_, R> {
    pub fn actor(&self) -> Actor {
        self.principal.actor()
    }

    /// A path parameter parsed into an id; a malformed id is simply not found.
    pub fn id<T>(&self, name: &str, parse: fn(&str) -> Option<T>) -> Result<T, AppError> {
        self.params.get(name).and_then(parse).ok_or(AppError::NotFound)
    }

    /// The JSON body as `T`: 400 when it is not JSON or does not have T's shape.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, AppError> {
        if !is_media_type(self.req.header("content-type"), "application/json") {
            return Err(AppError::BadRequest("send a JSON body with Content-Type: application/json".into()));
        }
        serde_json::from_slice(&self.req.body)
            .map_err(|err| AppError::BadRequest(format!("the JSON body is not valid: {err}")))
    }
}

pub async fn handle<R: Runtime>(rt: &R, req: &Request) -> Response {
    let (op, params) = match find_route(req.method, &req.path) {
        Found::Route(route, params) => (route.handler, Params(params)),
        Found::WrongMethod(allowed) => {
            let body = serde_json::json!({"error": {"code": "method_not_allowed", "message": "this method is not allowed here", "fields": []}});
            return Response::json(405, &body).with_header("allow", &allowed.join(", "));
        }
        Found::Missing => return answer(rt, req, Err(AppError::NotFound)),
    };
    if let Some(response) = op.public() {
        return response;
    }
    // No token at all guessed nothing and costs nothing: 401 before anything is counted.
    let presented = match auth::presented(rt, req) {
        Ok(presented) => presented,
        Err(err) => return answer(rt, req, Err(err)),
    };
    // Counted before the key's lookup, so a flood or a guesser is refused at the cost of
    // one statement.
    let mut count = match limits::count(rt, req, &presented, op).await {
        Ok(count) => count,
        Err(err) => return answer(rt, req, Err(err)),
    };
    let result = if count.refused() {
        Err(AppError::RateLimited)
    } else {
        match auth::authenticate(rt, &presented).await {
            Ok(principal) => op.run(&Call { rt, req, params, principal }).await,
            Err(AppError::Unauthorized) => {
                if let Err(err) = count.failed(rt).await {
                    rt.log(&format!("could not count a failed authentication: {err:?}"));
                }
                Err(AppError::Unauthorized)
            }
            Err(err) => Err(err),
        }
    };
    count.attach(answer(rt, req, result))
}

/// The response of a handler's result: an error as its JSON body (its detail to the log).
fn answer<R: Runtime>(rt: &R, req: &Request, result: Result<Response, AppError>) -> Response {
    match result {
        Ok(response) => response,
        Err(err) => {
            if let Some(detail) = err.log_detail() {
                rt.log(&format!("api {} {}: {detail}", req.method.as_str(), req.path));
            }
            let response = Response::json(err.status(), &err.to_json());
            if err == AppError::Unauthorized {
                response.with_header("www-authenticate", "Bearer realm=\"porch\"")
            } else {
                response
            }
        }
    }
}

/// The `OpenAPI` 3.1 document, served as written; a test holds it to `ROUTES`.
pub const OPENAPI: &str = include_str!("openapi.json");

/// The document's route, the one read without a key.
fn openapi() -> Response {
    Response::new(200, "application/json; charset=utf-8", OPENAPI).with_header("cache-control", "public, max-age=300")
}

const DEFAULT_PAGE: i64 = 50;
const MAX_PAGE: i64 = 200;

/// The `limit` query parameter of a paginated listing.
pub fn page_limit(req: &Request) -> Result<i64, AppError> {
    match req.query_param("limit") {
        None => Ok(DEFAULT_PAGE),
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|l| (1..=MAX_PAGE).contains(l))
            .ok_or_else(|| AppError::invalid("limit", format!("must be a whole number from 1 to {MAX_PAGE}"))),
    }
}

pub fn ok(value: &serde_json::Value) -> Response {
    Response::json(200, value)
}

pub fn created(value: &serde_json::Value) -> Response {
    Response::json(201, value)
}

pub fn no_content() -> Response {
    Response::empty(204).with_header("cache-control", "no-store")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(method: Method, path: &str) -> Option<(Op, Params)> {
        match find_route(method, path) {
            Found::Route(route, params) => Some((route.handler, Params(params))),
            Found::WrongMethod(_) | Found::Missing => None,
        }
    }

    #[test]
    fn templates_capture_and_decode_their_parameters() {
        let (op, params) = found(Method::Delete, "/api/v1/tenants/t1/portals/p1/domains/support%2Eacme.com")
            .unwrap_or((Op::OpenApi, Params::default()));
        assert_eq!(op, Op::RemoveDomain);
        assert_eq!(params.get("tenant_id"), Some("t1"));
        assert_eq!(params.get("hostname"), Some("support.acme.com"));
        assert!(matches!(find_route(Method::Get, "/api/v1/tenants/"), Found::Missing), "an empty segment");
        assert!(matches!(find_route(Method::Get, "/api/v1/tenants/a/b"), Found::Missing));
        assert!(
            matches!(find_route(Method::Put, "/api/v1/tenants/%ZZ"), Found::Missing),
            "a segment that does not decode"
        );
    }

    #[test]
    fn a_known_path_with_another_method_is_told_apart_from_a_missing_one() {
        assert!(
            matches!(find_route(Method::Put, "/api/v1/tenants"), Found::WrongMethod(allowed) if allowed == ["GET", "HEAD", "POST"])
        );
        assert!(
            matches!(find_route(Method::Post, "/api/v1/tenants/t/tickets/i"), Found::WrongMethod(allowed) if allowed == ["GET", "HEAD", "PATCH"])
        );
        assert!(matches!(find_route(Method::Get, "/api/v1/nothing"), Found::Missing));
        assert!(matches!(found(Method::Head, "/api/v1/tenants"), Some((Op::ListTenants, _))));
    }

    #[test]
    fn every_route_answers_one_method_and_no_two_templates_can_match_one_path() {
        // Without overlapping templates the table's order never decides which route a path is.
        for (i, a) in ROUTES.iter().enumerate() {
            assert_eq!(a.methods.len(), 1, "{}", a.path);
            for b in ROUTES.iter().skip(i + 1) {
                if a.path == b.path {
                    assert_ne!(a.methods, b.methods, "{} twice with one method", a.path);
                } else {
                    assert!(!crate::app::tests::templates_overlap(a.path, b.path), "{} and {} overlap", a.path, b.path);
                }
            }
        }
    }

    #[test]
    fn only_an_agents_message_and_a_document_upload_take_files() {
        let takes_files: Vec<Op> = ROUTES.iter().filter(|r| r.body == Body::Files).map(|r| r.handler).collect();
        assert_eq!(takes_files, [Op::AddTicketMessage, Op::UploadDocument]);
        assert_eq!(body(Method::Post, "/api/v1/tenants/t/tickets/i/messages"), Body::Files);
        assert_eq!(body(Method::Post, "/api/v1/tenants/t/documents"), Body::Files);
        assert_eq!(body(Method::Get, "/api/v1/tenants/t/documents"), Body::Small);
        assert_eq!(body(Method::Post, "/api/v1/tenants/t/documents/d"), Body::Small, "no such route");
    }

    #[test]
    fn the_expensive_operations_and_only_they_have_their_own_budgets() {
        use limits::Budget;
        let budgets: Vec<(Op, Budget)> =
            ROUTES.iter().filter_map(|r| r.handler.budget().map(|budget| (r.handler, budget))).collect();
        assert_eq!(
            budgets,
            [
                (Op::AddDomain, Budget::DomainChecks),
                (Op::RemoveDomain, Budget::DomainChecks),
                (Op::VerifyDomain, Budget::DomainChecks),
                (Op::PutLogo, Budget::Uploads),
                (Op::CreateSsoConnection, Budget::SsoSetup),
                (Op::ReplaceSsoConnection, Budget::SsoSetup),
                (Op::AddSsoSpKey, Budget::SsoSetup),
                (Op::RefreshSsoMetadata, Budget::SsoSetup),
                (Op::PutAssetPhoto, Budget::Uploads),
                (Op::IngestAssetActivity, Budget::Ingest),
                (Op::UploadDocument, Budget::Uploads),
            ]
        );
    }

    #[test]
    fn only_the_openapi_document_is_answered_without_a_key() {
        let public: Vec<Op> = ROUTES.iter().map(|r| r.handler).filter(|op| op.public().is_some()).collect();
        assert_eq!(public, [Op::OpenApi]);
    }
}
