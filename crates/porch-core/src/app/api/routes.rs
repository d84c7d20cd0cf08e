//! The admin API's one route table: every operation written once, with its method, path
//! template, handler, body and, for an expensive one, its own rate-limit budget. The `Op` enum, `ROUTES` (which dispatch, the 405s' `Allow`, the
//! edge's body limits and the `OpenAPI` check read) and the call of each handler all expand
//! from it, so an operation cannot be routed but unhandled, or handled but undocumented.

use super::limits::Budget;
use super::{
    audit, customers, documents, domains, emails, equipment, openapi, person_data, portals, recipients, sso, staff,
    staff_sso, templates, tenant_lifecycle, tenants, themes, ticket_settings, ticket_setup, tickets, webhooks, Call,
};
use crate::app::{Body, Route};
use crate::http::{Method, Response};
use crate::runtime::Runtime;
use porch_types::error::AppError;

/// A route's body: `files` for the routes that take `multipart/form-data` with files.
macro_rules! body {
    (files) => {
        Body::Files
    };
    ($($other:ident)?) => {
        Body::Small
    };
}

/// A `public` route's response, which needs no key (only the `OpenAPI` document).
macro_rules! public {
    ($handler:path, public) => {
        Some($handler())
    };
    ($handler:path $(, $other:ident)?) => {
        None
    };
}

/// A keyed route's handler called; a `public` one has answered before the key was checked.
macro_rules! keyed {
    ($call:ident, $handler:path, public) => {
        Err(AppError::NotFound)
    };
    ($call:ident, $handler:path $(, $other:ident)?) => {
        $handler($call).await
    };
}

/// A route's own budget (`[Name]` after the handler), besides its caller's general limit.
macro_rules! budget {
    () => {
        None
    };
    ($budget:ident) => {
        Some(Budget::$budget)
    };
}

/// `Operation: Method "template" => handler[, files | public] [[Budget]];`, one line per route.
macro_rules! routes {
    ($($op:ident: $method:ident $path:literal => $handler:path $(, $flag:ident)? $([$budget:ident])?;)+) => {
        /// Every operation of the API. The `OpenAPI` document names each by `operationId`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Op {
            $($op,)+
        }

        /// The route table, in the order it is searched.
        pub const ROUTES: &[Route<Op>] = &[
            $(Route { methods: &[Method::$method], path: $path, body: body!($($flag)?), handler: Op::$op },)+
        ];

        impl Op {
            /// The answer of a route that needs no key, before the key is checked.
            pub(super) fn public(self) -> Option<Response> {
                match self {
                    $(Op::$op => public!($handler $(, $flag)?),)+
                }
            }

            /// The expensive operation's own rate-limit budget (`limits::Budget`).
            pub(super) fn budget(self) -> Option<Budget> {
                match self {
                    $(Op::$op => budget!($($budget)?),)+
                }
            }

            pub(super) async fn run<R: Runtime>(self, call: &Call<'_, R>) -> Result<Response, AppError> {
                match self {
                    $(Op::$op => keyed!(call, $handler $(, $flag)?),)+
                }
            }
        }
    };
}

routes! {
    OpenApi: Get "/api/v1/openapi.json" => openapi, public;
    ListTenants: Get "/api/v1/tenants" => tenants::list;
    CreateTenant: Post "/api/v1/tenants" => tenants::create;
    GetTenant: Get "/api/v1/tenants/{tenant_id}" => tenants::get;
    UpdateTenant: Patch "/api/v1/tenants/{tenant_id}" => tenants::update;
    ListKeys: Get "/api/v1/tenants/{tenant_id}/keys" => tenants::list_keys;
    CreateKey: Post "/api/v1/tenants/{tenant_id}/keys" => tenants::create_key;
    RevokeKey: Delete "/api/v1/tenants/{tenant_id}/keys/{key_id}" => tenants::revoke_key;
    ListStaff: Get "/api/v1/tenants/{tenant_id}/staff" => staff::list;
    UpdateStaffMember: Patch "/api/v1/tenants/{tenant_id}/staff/{staff_id}" => staff::update;
    RemoveStaffMember: Delete "/api/v1/tenants/{tenant_id}/staff/{staff_id}" => staff::remove;
    ListStaffInvitations: Get "/api/v1/tenants/{tenant_id}/staff-invitations" => staff::list_invitations;
    CreateStaffInvitation: Post "/api/v1/tenants/{tenant_id}/staff-invitations" => staff::create_invitation;
    RevokeStaffInvitation: Delete "/api/v1/tenants/{tenant_id}/staff-invitations/{invitation_id}"
        => staff::revoke_invitation;
    GetStaffSso: Get "/api/v1/tenants/{tenant_id}/staff-sso" => staff_sso::get;
    PutStaffSso: Put "/api/v1/tenants/{tenant_id}/staff-sso" => staff_sso::put;
    DeleteStaffSso: Delete "/api/v1/tenants/{tenant_id}/staff-sso" => staff_sso::delete;
    VerifyStaffSsoDomain: Post "/api/v1/tenants/{tenant_id}/staff-sso/domains/{domain}/verify"
        => staff_sso::verify_domain;
    ListCustomers: Get "/api/v1/tenants/{tenant_id}/customers" => customers::list;
    CreateCustomer: Post "/api/v1/tenants/{tenant_id}/customers" => customers::create;
    GetCustomer: Get "/api/v1/tenants/{tenant_id}/customers/{customer_id}" => customers::get;
    UpdateCustomer: Patch "/api/v1/tenants/{tenant_id}/customers/{customer_id}" => customers::update;
    DeleteCustomer: Delete "/api/v1/tenants/{tenant_id}/customers/{customer_id}" => customers::delete;
    ListUnits: Get "/api/v1/tenants/{tenant_id}/customers/{customer_id}/units" => customers::list_units;
    CreateUnit: Post "/api/v1/tenants/{tenant_id}/customers/{customer_id}/units" => customers::create_unit;
    DeleteUnit: Delete "/api/v1/tenants/{tenant_id}/customers/{customer_id}/units/{unit_id}" => customers::delete_unit;
    ListPortals: Get "/api/v1/tenants/{tenant_id}/portals" => portals::list;
    CreatePortal: Post "/api/v1/tenants/{tenant_id}/portals" => portals::create;
    GetPortal: Get "/api/v1/tenants/{tenant_id}/portals/{portal_id}" => portals::get;
    UpdatePortal: Patch "/api/v1/tenants/{tenant_id}/portals/{portal_id}" => portals::update;
    DeletePortal: Delete "/api/v1/tenants/{tenant_id}/portals/{portal_id}" => portals::delete;
    ListDomains: Get "/api/v1/tenants/{tenant_id}/portals/{portal_id}/domains" => domains::list;
    AddDomain: Post "/api/v1/tenants/{tenant_id}/portals/{portal_id}/domains" => domains::add [DomainChecks];
    RemoveDomain: Delete "/api/v1/tenants/{tenant_id}/portals/{portal_id}/domains/{hostname}" => domains::remove [DomainChecks];
    VerifyDomain: Post "/api/v1/tenants/{tenant_id}/portals/{portal_id}/domains/{hostname}/verify"
        => domains::verify [DomainChecks];
    ListThemes: Get "/api/v1/tenants/{tenant_id}/themes" => themes::list;
    CreateTheme: Post "/api/v1/tenants/{tenant_id}/themes" => themes::create;
    GetTheme: Get "/api/v1/tenants/{tenant_id}/themes/{theme_id}" => themes::get;
    UpdateTheme: Patch "/api/v1/tenants/{tenant_id}/themes/{theme_id}" => themes::update;
    DeleteTheme: Delete "/api/v1/tenants/{tenant_id}/themes/{theme_id}" => themes::delete;
    ThemeContrast: Get "/api/v1/tenants/{tenant_id}/themes/{theme_id}/contrast" => themes::contrast;
    PutLogo: Put "/api/v1/tenants/{tenant_id}/themes/{theme_id}/logos/{slot}" => themes::put_logo [Uploads];
    DeleteLogo: Delete "/api/v1/tenants/{tenant_id}/themes/{theme_id}/logos/{slot}" => themes::delete_logo;
    ListAudit: Get "/api/v1/audit" => audit::list;
    ListInvitations: Get "/api/v1/tenants/{tenant_id}/portals/{portal_id}/invitations" => recipients::list_invitations;
    CreateInvitation: Post "/api/v1/tenants/{tenant_id}/portals/{portal_id}/invitations"
        => recipients::create_invitation;
    RevokeInvitation: Delete "/api/v1/tenants/{tenant_id}/portals/{portal_id}/invitations/{invitation_id}"
        => recipients::revoke_invitation;
    ListPortalUsers: Get "/api/v1/tenants/{tenant_id}/portals/{portal_id}/users" => recipients::list_users;
    UpdatePortalUser: Patch "/api/v1/tenants/{tenant_id}/portals/{portal_id}/users/{account_id}"
        => recipients::update_user;
    RemovePortalUser: Delete "/api/v1/tenants/{tenant_id}/portals/{portal_id}/users/{account_id}"
        => recipients::remove_user;
    ListRegistrationEntries: Get "/api/v1/tenants/{tenant_id}/portals/{portal_id}/registration-list"
        => recipients::list_entries;
    AddRegistrationEntry: Post "/api/v1/tenants/{tenant_id}/portals/{portal_id}/registration-list"
        => recipients::add_entry;
    RemoveRegistrationEntry: Delete "/api/v1/tenants/{tenant_id}/portals/{portal_id}/registration-list/{entry_id}"
        => recipients::remove_entry;
    CreatePreview: Post "/api/v1/tenants/{tenant_id}/portals/{portal_id}/previews" => recipients::create_preview;
    GetTicketSettings: Get "/api/v1/tenants/{tenant_id}/portals/{portal_id}/ticket-settings" => ticket_settings::get;
    UpdateTicketSettings: Put "/api/v1/tenants/{tenant_id}/portals/{portal_id}/ticket-settings"
        => ticket_settings::update;
    ListPipelines: Get "/api/v1/tenants/{tenant_id}/pipelines" => ticket_setup::list_pipelines;
    CreatePipeline: Post "/api/v1/tenants/{tenant_id}/pipelines" => ticket_setup::create_pipeline;
    GetPipeline: Get "/api/v1/tenants/{tenant_id}/pipelines/{pipeline_id}" => ticket_setup::get_pipeline;
    UpdatePipeline: Patch "/api/v1/tenants/{tenant_id}/pipelines/{pipeline_id}" => ticket_setup::update_pipeline;
    DeletePipeline: Delete "/api/v1/tenants/{tenant_id}/pipelines/{pipeline_id}" => ticket_setup::delete_pipeline;
    ListInboxes: Get "/api/v1/tenants/{tenant_id}/inboxes" => ticket_setup::list_inboxes;
    CreateInbox: Post "/api/v1/tenants/{tenant_id}/inboxes" => ticket_setup::create_inbox;
    UpdateInbox: Patch "/api/v1/tenants/{tenant_id}/inboxes/{inbox_id}" => ticket_setup::update_inbox;
    DeleteInbox: Delete "/api/v1/tenants/{tenant_id}/inboxes/{inbox_id}" => ticket_setup::delete_inbox;
    ListTicketProperties: Get "/api/v1/tenants/{tenant_id}/ticket-properties" => ticket_setup::list_properties;
    CreateTicketProperty: Post "/api/v1/tenants/{tenant_id}/ticket-properties" => ticket_setup::create_property;
    DeleteTicketProperty: Delete "/api/v1/tenants/{tenant_id}/ticket-properties/{property_id}"
        => ticket_setup::delete_property;
    ListTickets: Get "/api/v1/tenants/{tenant_id}/tickets" => tickets::list;
    CreateTicket: Post "/api/v1/tenants/{tenant_id}/tickets" => tickets::create;
    GetTicket: Get "/api/v1/tenants/{tenant_id}/tickets/{ticket_id}" => tickets::get;
    UpdateTicket: Patch "/api/v1/tenants/{tenant_id}/tickets/{ticket_id}" => tickets::update;
    AddTicketMessage: Post "/api/v1/tenants/{tenant_id}/tickets/{ticket_id}/messages" => tickets::add_message, files;
    GetTicketAttachment: Get "/api/v1/tenants/{tenant_id}/tickets/{ticket_id}/attachments/{attachment_id}"
        => tickets::attachment;
    ListEmails: Get "/api/v1/tenants/{tenant_id}/emails" => emails::list;
    DevMailbox: Get "/api/v1/dev/mailbox" => emails::dev_mailbox;
    ListWebhooks: Get "/api/v1/tenants/{tenant_id}/webhooks" => webhooks::list;
    CreateWebhook: Post "/api/v1/tenants/{tenant_id}/webhooks" => webhooks::create;
    UpdateWebhook: Patch "/api/v1/tenants/{tenant_id}/webhooks/{webhook_id}" => webhooks::update;
    DeleteWebhook: Delete "/api/v1/tenants/{tenant_id}/webhooks/{webhook_id}" => webhooks::delete;
    ListWebhookDeliveries: Get "/api/v1/tenants/{tenant_id}/webhooks/{webhook_id}/deliveries"
        => webhooks::list_deliveries;
    ListSsoConnections: Get "/api/v1/tenants/{tenant_id}/portals/{portal_id}/sso-connections" => sso::list;
    CreateSsoConnection: Post "/api/v1/tenants/{tenant_id}/portals/{portal_id}/sso-connections" => sso::create [SsoSetup];
    GetSsoConnection: Get "/api/v1/tenants/{tenant_id}/portals/{portal_id}/sso-connections/{connection_id}" => sso::get;
    ReplaceSsoConnection: Put "/api/v1/tenants/{tenant_id}/portals/{portal_id}/sso-connections/{connection_id}"
        => sso::replace [SsoSetup];
    DeleteSsoConnection: Delete "/api/v1/tenants/{tenant_id}/portals/{portal_id}/sso-connections/{connection_id}"
        => sso::delete;
    AddSsoSpKey: Post "/api/v1/tenants/{tenant_id}/portals/{portal_id}/sso-connections/{connection_id}/sp-keys"
        => sso::add_sp_key [SsoSetup];
    RetireSsoSpKey: Delete
        "/api/v1/tenants/{tenant_id}/portals/{portal_id}/sso-connections/{connection_id}/sp-keys/{key_id}"
        => sso::retire_sp_key;
    RefreshSsoMetadata:
        Post "/api/v1/tenants/{tenant_id}/portals/{portal_id}/sso-connections/{connection_id}/refresh-metadata"
        => sso::refresh_metadata [SsoSetup];
    ListSsoEvents: Get "/api/v1/tenants/{tenant_id}/portals/{portal_id}/sso-events" => sso::events;
    ListAssets: Get "/api/v1/tenants/{tenant_id}/assets" => equipment::list;
    PutAsset: Put "/api/v1/tenants/{tenant_id}/assets/{asset_key}" => equipment::put;
    GetAsset: Get "/api/v1/tenants/{tenant_id}/assets/{asset_key}" => equipment::get;
    DeleteAsset: Delete "/api/v1/tenants/{tenant_id}/assets/{asset_key}" => equipment::delete;
    PutAssetPhoto: Put "/api/v1/tenants/{tenant_id}/assets/{asset_key}/photo" => equipment::put_photo [Uploads];
    IngestAssetActivity: Post "/api/v1/tenants/{tenant_id}/assets/{asset_key}/activity" => equipment::ingest [Ingest];
    ListAssetActivity: Get "/api/v1/tenants/{tenant_id}/assets/{asset_key}/activity" => equipment::list_activity;
    ListAssetShares: Get "/api/v1/tenants/{tenant_id}/assets/{asset_key}/shares" => equipment::list_shares;
    CreateAssetShare: Post "/api/v1/tenants/{tenant_id}/assets/{asset_key}/shares" => equipment::create_share;
    DeleteAssetShare: Delete "/api/v1/tenants/{tenant_id}/assets/{asset_key}/shares/{share_id}"
        => equipment::delete_share;
    ListTemplates: Get "/api/v1/tenants/{tenant_id}/templates" => templates::list;
    CreateTemplate: Post "/api/v1/tenants/{tenant_id}/templates" => templates::create;
    GetTemplate: Get "/api/v1/tenants/{tenant_id}/templates/{template_id}" => templates::get;
    ReplaceTemplate: Put "/api/v1/tenants/{tenant_id}/templates/{template_id}" => templates::replace;
    DeleteTemplate: Delete "/api/v1/tenants/{tenant_id}/templates/{template_id}" => templates::delete;
    RollbackTemplate: Post "/api/v1/tenants/{tenant_id}/templates/{template_id}/rollback" => templates::rollback;
    PortalOverview: Get "/api/v1/tenants/{tenant_id}/portal-overview" => portals::overview;
    ListDocuments: Get "/api/v1/tenants/{tenant_id}/documents" => documents::list;
    UploadDocument: Post "/api/v1/tenants/{tenant_id}/documents" => documents::upload, files [Uploads];
    GetDocument: Get "/api/v1/tenants/{tenant_id}/documents/{document_id}" => documents::get;
    UpdateDocument: Patch "/api/v1/tenants/{tenant_id}/documents/{document_id}" => documents::update;
    DeleteDocument: Delete "/api/v1/tenants/{tenant_id}/documents/{document_id}" => documents::delete;
    DownloadDocument: Get "/api/v1/tenants/{tenant_id}/documents/{document_id}/file" => documents::download;
    DeleteTenant: Delete "/api/v1/tenants/{tenant_id}" => tenant_lifecycle::delete;
    GetTenantDeletion: Get "/api/v1/tenants/{tenant_id}/deletion" => tenant_lifecycle::deletion;
    StartTenantExport: Post "/api/v1/tenants/{tenant_id}/export" => tenant_lifecycle::start_export;
    GetTenantExport: Get "/api/v1/tenants/{tenant_id}/export" => tenant_lifecycle::get_export;
    GetTenantExportPart: Get "/api/v1/tenants/{tenant_id}/export/parts/{number}" => tenant_lifecycle::export_part;
    ExportPortalUser: Get "/api/v1/tenants/{tenant_id}/portals/{portal_id}/users/{account_id}/export"
        => person_data::export;
    ErasePortalUser: Post "/api/v1/tenants/{tenant_id}/portals/{portal_id}/users/{account_id}/erasure"
        => person_data::erase;
}
