//! The admin API `/api/v1`: bearer-key authentication, a route table that the `OpenAPI`
//! document is checked against, and JSON in and out (a ticket message may also come as
//! `multipart/form-data`, with files). Handlers live one module per resource.

mod audit;
pub mod auth;
mod customers;
mod documents;
mod domains;
mod emails;
mod equipment;
pub use emails::DEV_MAILBOX_SIZE;
mod input;
mod portals;
mod recipients;
mod sso;
mod sso_input;
mod templates;
mod tenants;
mod themes;
mod ticket_mail;
mod ticket_settings;
mod ticket_setup;
mod tickets;
mod webhooks;

use serde::de::DeserializeOwned;

use crate::http::{is_media_type, Method, Request, Response};
use crate::runtime::Runtime;
use crate::store::audit::Actor;
use auth::Principal;
use porch_types::error::AppError;

/// Every operation of the API. The `OpenAPI` document names each by `operationId`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    OpenApi,
    ListTenants,
    CreateTenant,
    GetTenant,
    UpdateTenant,
    ListKeys,
    CreateKey,
    RevokeKey,
    ListCustomers,
    CreateCustomer,
    GetCustomer,
    UpdateCustomer,
    DeleteCustomer,
    ListUnits,
    CreateUnit,
    DeleteUnit,
    ListPortals,
    CreatePortal,
    GetPortal,
    UpdatePortal,
    DeletePortal,
    ListDomains,
    AddDomain,
    RemoveDomain,
    VerifyDomain,
    ListThemes,
    CreateTheme,
    GetTheme,
    UpdateTheme,
    DeleteTheme,
    ThemeContrast,
    PutLogo,
    DeleteLogo,
    ListAudit,
    ListInvitations,
    CreateInvitation,
    RevokeInvitation,
    ListPortalUsers,
    UpdatePortalUser,
    RemovePortalUser,
    ListRegistrationEntries,
    AddRegistrationEntry,
    RemoveRegistrationEntry,
    CreatePreview,
    GetTicketSettings,
    UpdateTicketSettings,
    ListPipelines,
    CreatePipeline,
    GetPipeline,
    UpdatePipeline,
    DeletePipeline,
    ListInboxes,
    CreateInbox,
    UpdateInbox,
    DeleteInbox,
    ListTicketProperties,
    CreateTicketProperty,
    DeleteTicketProperty,
    ListTickets,
    CreateTicket,
    GetTicket,
    UpdateTicket,
    AddTicketMessage,
    GetTicketAttachment,
    ListEmails,
    DevMailbox,
    ListWebhooks,
    CreateWebhook,
    UpdateWebhook,
    DeleteWebhook,
    ListWebhookDeliveries,
    ListSsoConnections,
    CreateSsoConnection,
    GetSsoConnection,
    ReplaceSsoConnection,
    DeleteSsoConnection,
    ListSsoEvents,
    ListAssets,
    PutAsset,
    GetAsset,
    DeleteAsset,
    PutAssetPhoto,
    IngestAssetActivity,
    ListAssetActivity,
    ListAssetShares,
    CreateAssetShare,
    DeleteAssetShare,
    ListTemplates,
    CreateTemplate,
    GetTemplate,
    ReplaceTemplate,
    DeleteTemplate,
    RollbackTemplate,
    PortalOverview,
    ListDocuments,
    UploadDocument,
    GetDocument,
    UpdateDocument,
    DeleteDocument,
    DownloadDocument,
}

/// The route table: method, path template, operation. `{name}` matches one path segment.
pub const ROUTES: &[(Method, &str, Op)] = &[
    (Method::Get, "/api/v1/openapi.json", Op::OpenApi),
    (Method::Get, "/api/v1/tenants", Op::ListTenants),
    (Method::Post, "/api/v1/tenants", Op::CreateTenant),
    (Method::Get, "/api/v1/tenants/{tenant_id}", Op::GetTenant),
    (Method::Patch, "/api/v1/tenants/{tenant_id}", Op::UpdateTenant),
    (Method::Get, "/api/v1/tenants/{tenant_id}/keys", Op::ListKeys),
    (Method::Post, "/api/v1/tenants/{tenant_id}/keys", Op::CreateKey),
    (Method::Delete, "/api/v1/tenants/{tenant_id}/keys/{key_id}", Op::RevokeKey),
    (Method::Get, "/api/v1/tenants/{tenant_id}/customers", Op::ListCustomers),
    (Method::Post, "/api/v1/tenants/{tenant_id}/customers", Op::CreateCustomer),
    (Method::Get, "/api/v1/tenants/{tenant_id}/customers/{customer_id}", Op::GetCustomer),
    (Method::Patch, "/api/v1/tenants/{tenant_id}/customers/{customer_id}", Op::UpdateCustomer),
    (Method::Delete, "/api/v1/tenants/{tenant_id}/customers/{customer_id}", Op::DeleteCustomer),
    (Method::Get, "/api/v1/tenants/{tenant_id}/customers/{customer_id}/units", Op::ListUnits),
    (Method::Post, "/api/v1/tenants/{tenant_id}/customers/{customer_id}/units", Op::CreateUnit),
    (Method::Delete, "/api/v1/tenants/{tenant_id}/customers/{customer_id}/units/{unit_id}", Op::DeleteUnit),
    (Method::Get, "/api/v1/tenants/{tenant_id}/portals", Op::ListPortals),
    (Method::Post, "/api/v1/tenants/{tenant_id}/portals", Op::CreatePortal),
    (Method::Get, "/api/v1/tenants/{tenant_id}/portals/{portal_id}", Op::GetPortal),
    (Method::Patch, "/api/v1/tenants/{tenant_id}/portals/{portal_id}", Op::UpdatePortal),
    (Method::Delete, "/api/v1/tenants/{tenant_id}/portals/{portal_id}", Op::DeletePortal),
    (Method::Get, "/api/v1/tenants/{tenant_id}/portals/{portal_id}/domains", Op::ListDomains),
    (Method::Post, "/api/v1/tenants/{tenant_id}/portals/{portal_id}/domains", Op::AddDomain),
    (Method::Delete, "/api/v1/tenants/{tenant_id}/portals/{portal_id}/domains/{hostname}", Op::RemoveDomain),
    (Method::Post, "/api/v1/tenants/{tenant_id}/portals/{portal_id}/domains/{hostname}/verify", Op::VerifyDomain),
    (Method::Get, "/api/v1/tenants/{tenant_id}/themes", Op::ListThemes),
    (Method::Post, "/api/v1/tenants/{tenant_id}/themes", Op::CreateTheme),
    (Method::Get, "/api/v1/tenants/{tenant_id}/themes/{theme_id}", Op::GetTheme),
    (Method::Patch, "/api/v1/tenants/{tenant_id}/themes/{theme_id}", Op::UpdateTheme),
    (Method::Delete, "/api/v1/tenants/{tenant_id}/themes/{theme_id}", Op::DeleteTheme),
    (Method::Get, "/api/v1/tenants/{tenant_id}/themes/{theme_id}/contrast", Op::ThemeContrast),
    (Method::Put, "/api/v1/tenants/{tenant_id}/themes/{theme_id}/logos/{slot}", Op::PutLogo),
    (Method::Delete, "/api/v1/tenants/{tenant_id}/themes/{theme_id}/logos/{slot}", Op::DeleteLogo),
    (Method::Get, "/api/v1/audit", Op::ListAudit),
    (Method::Get, "/api/v1/tenants/{tenant_id}/portals/{portal_id}/invitations", Op::ListInvitations),
    (Method::Post, "/api/v1/tenants/{tenant_id}/portals/{portal_id}/invitations", Op::CreateInvitation),
    (
        Method::Delete,
        "/api/v1/tenants/{tenant_id}/portals/{portal_id}/invitations/{invitation_id}",
        Op::RevokeInvitation,
    ),
    (Method::Get, "/api/v1/tenants/{tenant_id}/portals/{portal_id}/users", Op::ListPortalUsers),
    (Method::Patch, "/api/v1/tenants/{tenant_id}/portals/{portal_id}/users/{account_id}", Op::UpdatePortalUser),
    (Method::Delete, "/api/v1/tenants/{tenant_id}/portals/{portal_id}/users/{account_id}", Op::RemovePortalUser),
    (Method::Get, "/api/v1/tenants/{tenant_id}/portals/{portal_id}/registration-list", Op::ListRegistrationEntries),
    (Method::Post, "/api/v1/tenants/{tenant_id}/portals/{portal_id}/registration-list", Op::AddRegistrationEntry),
    (
        Method::Delete,
        "/api/v1/tenants/{tenant_id}/portals/{portal_id}/registration-list/{entry_id}",
        Op::RemoveRegistrationEntry,
    ),
    (Method::Post, "/api/v1/tenants/{tenant_id}/portals/{portal_id}/previews", Op::CreatePreview),
    (Method::Get, "/api/v1/tenants/{tenant_id}/portals/{portal_id}/ticket-settings", Op::GetTicketSettings),
    (Method::Put, "/api/v1/tenants/{tenant_id}/portals/{portal_id}/ticket-settings", Op::UpdateTicketSettings),
    (Method::Get, "/api/v1/tenants/{tenant_id}/pipelines", Op::ListPipelines),
    (Method::Post, "/api/v1/tenants/{tenant_id}/pipelines", Op::CreatePipeline),
    (Method::Get, "/api/v1/tenants/{tenant_id}/pipelines/{pipeline_id}", Op::GetPipeline),
    (Method::Patch, "/api/v1/tenants/{tenant_id}/pipelines/{pipeline_id}", Op::UpdatePipeline),
    (Method::Delete, "/api/v1/tenants/{tenant_id}/pipelines/{pipeline_id}", Op::DeletePipeline),
    (Method::Get, "/api/v1/tenants/{tenant_id}/inboxes", Op::ListInboxes),
    (Method::Post, "/api/v1/tenants/{tenant_id}/inboxes", Op::CreateInbox),
    (Method::Patch, "/api/v1/tenants/{tenant_id}/inboxes/{inbox_id}", Op::UpdateInbox),
    (Method::Delete, "/api/v1/tenants/{tenant_id}/inboxes/{inbox_id}", Op::DeleteInbox),
    (Method::Get, "/api/v1/tenants/{tenant_id}/ticket-properties", Op::ListTicketProperties),
    (Method::Post, "/api/v1/tenants/{tenant_id}/ticket-properties", Op::CreateTicketProperty),
    (Method::Delete, "/api/v1/tenants/{tenant_id}/ticket-properties/{property_id}", Op::DeleteTicketProperty),
    (Method::Get, "/api/v1/tenants/{tenant_id}/tickets", Op::ListTickets),
    (Method::Post, "/api/v1/tenants/{tenant_id}/tickets", Op::CreateTicket),
    (Method::Get, "/api/v1/tenants/{tenant_id}/tickets/{ticket_id}", Op::GetTicket),
    (Method::Patch, "/api/v1/tenants/{tenant_id}/tickets/{ticket_id}", Op::UpdateTicket),
    (Method::Post, "/api/v1/tenants/{tenant_id}/tickets/{ticket_id}/messages", Op::AddTicketMessage),
    (
        Method::Get,
        "/api/v1/tenants/{tenant_id}/tickets/{ticket_id}/attachments/{attachment_id}",
        Op::GetTicketAttachment,
    ),
    (Method::Get, "/api/v1/tenants/{tenant_id}/emails", Op::ListEmails),
    (Method::Get, "/api/v1/dev/mailbox", Op::DevMailbox),
    (Method::Get, "/api/v1/tenants/{tenant_id}/webhooks", Op::ListWebhooks),
    (Method::Post, "/api/v1/tenants/{tenant_id}/webhooks", Op::CreateWebhook),
    (Method::Patch, "/api/v1/tenants/{tenant_id}/webhooks/{webhook_id}", Op::UpdateWebhook),
    (Method::Delete, "/api/v1/tenants/{tenant_id}/webhooks/{webhook_id}", Op::DeleteWebhook),
    (Method::Get, "/api/v1/tenants/{tenant_id}/webhooks/{webhook_id}/deliveries", Op::ListWebhookDeliveries),
    (Method::Get, "/api/v1/tenants/{tenant_id}/portals/{portal_id}/sso-connections", Op::ListSsoConnections),
    (Method::Post, "/api/v1/tenants/{tenant_id}/portals/{portal_id}/sso-connections", Op::CreateSsoConnection),
    (
        Method::Get,
        "/api/v1/tenants/{tenant_id}/portals/{portal_id}/sso-connections/{connection_id}",
        Op::GetSsoConnection,
    ),
    (
        Method::Put,
        "/api/v1/tenants/{tenant_id}/portals/{portal_id}/sso-connections/{connection_id}",
        Op::ReplaceSsoConnection,
    ),
    (
        Method::Delete,
        "/api/v1/tenants/{tenant_id}/portals/{portal_id}/sso-connections/{connection_id}",
        Op::DeleteSsoConnection,
    ),
    (Method::Get, "/api/v1/tenants/{tenant_id}/portals/{portal_id}/sso-events", Op::ListSsoEvents),
    (Method::Get, "/api/v1/tenants/{tenant_id}/assets", Op::ListAssets),
    (Method::Put, "/api/v1/tenants/{tenant_id}/assets/{asset_key}", Op::PutAsset),
    (Method::Get, "/api/v1/tenants/{tenant_id}/assets/{asset_key}", Op::GetAsset),
    (Method::Delete, "/api/v1/tenants/{tenant_id}/assets/{asset_key}", Op::DeleteAsset),
    (Method::Put, "/api/v1/tenants/{tenant_id}/assets/{asset_key}/photo", Op::PutAssetPhoto),
    (Method::Post, "/api/v1/tenants/{tenant_id}/assets/{asset_key}/activity", Op::IngestAssetActivity),
    (Method::Get, "/api/v1/tenants/{tenant_id}/assets/{asset_key}/activity", Op::ListAssetActivity),
    (Method::Get, "/api/v1/tenants/{tenant_id}/assets/{asset_key}/shares", Op::ListAssetShares),
    (Method::Post, "/api/v1/tenants/{tenant_id}/assets/{asset_key}/shares", Op::CreateAssetShare),
    (Method::Delete, "/api/v1/tenants/{tenant_id}/assets/{asset_key}/shares/{share_id}", Op::DeleteAssetShare),
    (Method::Get, "/api/v1/tenants/{tenant_id}/templates", Op::ListTemplates),
    (Method::Post, "/api/v1/tenants/{tenant_id}/templates", Op::CreateTemplate),
    (Method::Get, "/api/v1/tenants/{tenant_id}/templates/{template_id}", Op::GetTemplate),
    (Method::Put, "/api/v1/tenants/{tenant_id}/templates/{template_id}", Op::ReplaceTemplate),
    (Method::Delete, "/api/v1/tenants/{tenant_id}/templates/{template_id}", Op::DeleteTemplate),
    (Method::Post, "/api/v1/tenants/{tenant_id}/templates/{template_id}/rollback", Op::RollbackTemplate),
    (Method::Get, "/api/v1/tenants/{tenant_id}/portal-overview", Op::PortalOverview),
    (Method::Get, "/api/v1/tenants/{tenant_id}/documents", Op::ListDocuments),
    (Method::Post, "/api/v1/tenants/{tenant_id}/documents", Op::UploadDocument),
    (Method::Get, "/api/v1/tenants/{tenant_id}/documents/{document_id}", Op::GetDocument),
    (Method::Patch, "/api/v1/tenants/{tenant_id}/documents/{document_id}", Op::UpdateDocument),
    (Method::Delete, "/api/v1/tenants/{tenant_id}/documents/{document_id}", Op::DeleteDocument),
    (Method::Get, "/api/v1/tenants/{tenant_id}/documents/{document_id}/file", Op::DownloadDocument),
];

/// Path parameters captured by a route template.
#[derive(Debug, Default)]
pub struct Params(Vec<(&'static str, String)>);

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }
}

/// Matches a path against a template; segments are percent-decoded.
fn match_template(template: &'static str, path: &str) -> Option<Params> {
    let mut params = Vec::new();
    let mut template_segments = template.split('/');
    let mut path_segments = path.split('/');
    loop {
        match (template_segments.next(), path_segments.next()) {
            (None, None) => return Some(Params(params)),
            (Some(t), Some(p)) => {
                if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                    let value = crate::http::percent_decode(p)?;
                    if value.is_empty() {
                        return None;
                    }
                    params.push((name, value));
                } else if t != p {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

enum Found {
    Route(Op, Params),
    /// The path exists with other methods: these (RFC 9110 §15.5.6 wants them in `Allow`).
    WrongMethod(Vec<&'static str>),
    Missing,
}

fn find_route(method: Method, path: &str) -> Found {
    let mut allowed = Vec::new();
    for (route_method, template, op) in ROUTES {
        if let Some(params) = match_template(template, path) {
            if *route_method == method || (method == Method::Head && *route_method == Method::Get) {
                return Found::Route(*op, params);
            }
            allowed.push(route_method.as_str());
            if *route_method == Method::Get {
                allowed.push(Method::Head.as_str());
            }
        }
    }
    if allowed.is_empty() {
        Found::Missing
    } else {
        Found::WrongMethod(allowed)
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
    let result = dispatch(rt, req).await;
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

// One arm per operation: the table grows with the API, and splitting it would hide an
// operation from the exhaustiveness check that makes a forgotten handler a compile error.
#[allow(clippy::too_many_lines)]
async fn dispatch<R: Runtime>(rt: &R, req: &Request) -> Result<Response, AppError> {
    let (op, params) = match find_route(req.method, &req.path) {
        Found::Route(op, params) => (op, params),
        Found::WrongMethod(allowed) => {
            let body = serde_json::json!({"error": {"code": "method_not_allowed", "message": "this method is not allowed here", "fields": []}});
            return Ok(Response::json(405, &body).with_header("allow", &allowed.join(", ")));
        }
        Found::Missing => return Err(AppError::NotFound),
    };
    if op == Op::OpenApi {
        return Ok(Response::new(200, "application/json; charset=utf-8", OPENAPI)
            .with_header("cache-control", "public, max-age=300"));
    }
    let principal = auth::authenticate(rt, req).await?;
    let call = Call { rt, req, params, principal };
    match op {
        Op::OpenApi => Err(AppError::NotFound),
        Op::ListTenants => tenants::list(&call).await,
        Op::CreateTenant => tenants::create(&call).await,
        Op::GetTenant => tenants::get(&call).await,
        Op::UpdateTenant => tenants::update(&call).await,
        Op::ListKeys => tenants::list_keys(&call).await,
        Op::CreateKey => tenants::create_key(&call).await,
        Op::RevokeKey => tenants::revoke_key(&call).await,
        Op::ListCustomers => customers::list(&call).await,
        Op::CreateCustomer => customers::create(&call).await,
        Op::GetCustomer => customers::get(&call).await,
        Op::UpdateCustomer => customers::update(&call).await,
        Op::DeleteCustomer => customers::delete(&call).await,
        Op::ListUnits => customers::list_units(&call).await,
        Op::CreateUnit => customers::create_unit(&call).await,
        Op::DeleteUnit => customers::delete_unit(&call).await,
        Op::ListPortals => portals::list(&call).await,
        Op::CreatePortal => portals::create(&call).await,
        Op::GetPortal => portals::get(&call).await,
        Op::UpdatePortal => portals::update(&call).await,
        Op::DeletePortal => portals::delete(&call).await,
        Op::ListDomains => domains::list(&call).await,
        Op::AddDomain => domains::add(&call).await,
        Op::RemoveDomain => domains::remove(&call).await,
        Op::VerifyDomain => domains::verify(&call).await,
        Op::ListThemes => themes::list(&call).await,
        Op::CreateTheme => themes::create(&call).await,
        Op::GetTheme => themes::get(&call).await,
        Op::UpdateTheme => themes::update(&call).await,
        Op::DeleteTheme => themes::delete(&call).await,
        Op::ThemeContrast => themes::contrast(&call).await,
        Op::PutLogo => themes::put_logo(&call).await,
        Op::DeleteLogo => themes::delete_logo(&call).await,
        Op::ListAudit => audit::list(&call).await,
        Op::ListInvitations => recipients::list_invitations(&call).await,
        Op::CreateInvitation => recipients::create_invitation(&call).await,
        Op::RevokeInvitation => recipients::revoke_invitation(&call).await,
        Op::ListPortalUsers => recipients::list_users(&call).await,
        Op::UpdatePortalUser => recipients::update_user(&call).await,
        Op::RemovePortalUser => recipients::remove_user(&call).await,
        Op::ListRegistrationEntries => recipients::list_entries(&call).await,
        Op::AddRegistrationEntry => recipients::add_entry(&call).await,
        Op::RemoveRegistrationEntry => recipients::remove_entry(&call).await,
        Op::CreatePreview => recipients::create_preview(&call).await,
        Op::GetTicketSettings => ticket_settings::get(&call).await,
        Op::UpdateTicketSettings => ticket_settings::update(&call).await,
        Op::ListPipelines => ticket_setup::list_pipelines(&call).await,
        Op::CreatePipeline => ticket_setup::create_pipeline(&call).await,
        Op::GetPipeline => ticket_setup::get_pipeline(&call).await,
        Op::UpdatePipeline => ticket_setup::update_pipeline(&call).await,
        Op::DeletePipeline => ticket_setup::delete_pipeline(&call).await,
        Op::ListInboxes => ticket_setup::list_inboxes(&call).await,
        Op::CreateInbox => ticket_setup::create_inbox(&call).await,
        Op::UpdateInbox => ticket_setup::update_inbox(&call).await,
        Op::DeleteInbox => ticket_setup::delete_inbox(&call).await,
        Op::ListTicketProperties => ticket_setup::list_properties(&call).await,
        Op::CreateTicketProperty => ticket_setup::create_property(&call).await,
        Op::DeleteTicketProperty => ticket_setup::delete_property(&call).await,
        Op::ListTickets => tickets::list(&call).await,
        Op::CreateTicket => tickets::create(&call).await,
        Op::GetTicket => tickets::get(&call).await,
        Op::UpdateTicket => tickets::update(&call).await,
        Op::AddTicketMessage => tickets::add_message(&call).await,
        Op::GetTicketAttachment => tickets::attachment(&call).await,
        Op::ListEmails => emails::list(&call).await,
        Op::DevMailbox => emails::dev_mailbox(&call).await,
        Op::ListWebhooks => webhooks::list(&call).await,
        Op::CreateWebhook => webhooks::create(&call).await,
        Op::UpdateWebhook => webhooks::update(&call).await,
        Op::DeleteWebhook => webhooks::delete(&call).await,
        Op::ListWebhookDeliveries => webhooks::list_deliveries(&call).await,
        Op::ListSsoConnections => sso::list(&call).await,
        Op::CreateSsoConnection => sso::create(&call).await,
        Op::GetSsoConnection => sso::get(&call).await,
        Op::ReplaceSsoConnection => sso::replace(&call).await,
        Op::DeleteSsoConnection => sso::delete(&call).await,
        Op::ListSsoEvents => sso::events(&call).await,
        Op::ListAssets => equipment::list(&call).await,
        Op::PutAsset => equipment::put(&call).await,
        Op::GetAsset => equipment::get(&call).await,
        Op::DeleteAsset => equipment::delete(&call).await,
        Op::PutAssetPhoto => equipment::put_photo(&call).await,
        Op::IngestAssetActivity => equipment::ingest(&call).await,
        Op::ListAssetActivity => equipment::list_activity(&call).await,
        Op::ListAssetShares => equipment::list_shares(&call).await,
        Op::CreateAssetShare => equipment::create_share(&call).await,
        Op::DeleteAssetShare => equipment::delete_share(&call).await,
        Op::ListTemplates => templates::list(&call).await,
        Op::CreateTemplate => templates::create(&call).await,
        Op::GetTemplate => templates::get(&call).await,
        Op::ReplaceTemplate => templates::replace(&call).await,
        Op::DeleteTemplate => templates::delete(&call).await,
        Op::RollbackTemplate => templates::rollback(&call).await,
        Op::PortalOverview => portals::overview(&call).await,
        Op::ListDocuments => documents::list(&call).await,
        Op::UploadDocument => documents::upload(&call).await,
        Op::GetDocument => documents::get(&call).await,
        Op::UpdateDocument => documents::update(&call).await,
        Op::DeleteDocument => documents::delete(&call).await,
        Op::DownloadDocument => documents::download(&call).await,
    }
}

/// The `OpenAPI` 3.1 document, served as written; a test holds it to `ROUTES`.
pub const OPENAPI: &str = include_str!("openapi.json");

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

    #[test]
    fn templates_capture_and_decode_their_parameters() {
        let params = match_template(
            "/api/v1/tenants/{tenant_id}/portals/{portal_id}/domains/{hostname}",
            "/api/v1/tenants/t1/portals/p1/domains/support.acme.com",
        );
        let params = params.unwrap_or_default();
        assert_eq!(params.get("tenant_id"), Some("t1"));
        assert_eq!(params.get("hostname"), Some("support.acme.com"));
        assert!(match_template("/api/v1/tenants/{tenant_id}", "/api/v1/tenants/").is_none());
        assert!(match_template("/api/v1/tenants/{tenant_id}", "/api/v1/tenants/a/b").is_none());
    }

    #[test]
    fn a_known_path_with_another_method_is_told_apart_from_a_missing_one() {
        assert!(
            matches!(find_route(Method::Put, "/api/v1/tenants"), Found::WrongMethod(allowed) if allowed == ["GET", "HEAD", "POST"])
        );
        assert!(matches!(find_route(Method::Get, "/api/v1/nothing"), Found::Missing));
        assert!(matches!(find_route(Method::Head, "/api/v1/tenants"), Found::Route(Op::ListTenants, _)));
    }
}
