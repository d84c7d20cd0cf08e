//! The console's one route table: every page and action written once, with its method(s),
//! path template, the reads it sends with the session lookup, its handler and, for an
//! action that changes something, its **API twin** (the `/api/v1` operation that does the
//! same through the same application function) or, for the way in (sessions, which the API
//! has none of), why it has none. A test fails when an action has neither.

use super::{
    audit_page, customer_pages, delivery_pages, equipment_pages, join, key_pages, language, portal_pages, portal_setup,
    portal_sso, portal_tickets, portal_wizard, settings_page, sign_in, staff_page, staff_sso_page, staff_sso_sign_in,
    template_pages, theme_pages, Console,
};
use crate::app::api::Op;
use crate::app::{find as find_in, Found, Route};
use crate::http::{Method, Response};
use crate::runtime::Runtime;
use crate::store::Statement;
use porch_types::error::AppError;

/// `Name: Method[ | Method] "template" [params] [twin Op | way "why"] [prefetch reads] => handler;`.
/// `console` (and, in a prefetch, `hash`: the session token's hash) name the request; the
/// params bind the template's `{…}` segments in order, raw as they came.
macro_rules! routes {
    (|$console:ident, $hash:ident|
        $($name:ident: $($method:ident)|+ $path:literal $([$($arg:ident),+])? $(twin $twin:ident)? $(way $why:literal)?
            $(prefetch $prefetch:expr)? => $handler:expr;)+) => {
        /// Every page and action of the console.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum ConsoleRoute {
            $($name,)+
        }

        /// The route table, in the order it is searched.
        pub const ROUTES: &[Route<ConsoleRoute>] = &[
            $(Route { methods: &[$(Method::$method),+], path: $path, body: crate::app::Body::Small, handler: ConsoleRoute::$name },)+
        ];

        impl ConsoleRoute {
            /// The API operation that does what this action does, if it is one.
            pub fn twin(self) -> Option<Op> {
                match self {
                    $(ConsoleRoute::$name => or!(None; $(Some(Op::$twin))?),)+
                }
            }

            /// Why this action has no API twin: it is part of the way in (the console's own
            /// sessions).
            pub fn way_in(self) -> Option<&'static str> {
                match self {
                    $(ConsoleRoute::$name => or!(None; $(Some($why))?),)+
                }
            }

            /// The reads a request of this page sends with the session lookup.
            #[allow(unused_variables)]
            pub(super) fn prefetch<R: Runtime>(
                self,
                $console: &Console<'_, R>,
                $hash: &str,
                args: &[(&str, &str)],
            ) -> Vec<Statement> {
                match self {
                    $(ConsoleRoute::$name => {
                        let &[$($((_, $arg)),+)?] = args else { return Vec::new() };
                        or!(Vec::new(); $($prefetch)?)
                    })+
                }
            }

            pub(super) async fn run<R: Runtime>(
                self,
                $console: &Console<'_, R>,
                args: &[(&str, &str)],
            ) -> Result<Response, AppError> {
                match self {
                    $(ConsoleRoute::$name => {
                        let &[$($((_, $arg)),+)?] = args else { return Err(AppError::NotFound) };
                        $handler
                    })+
                }
            }
        }
    };
}

routes! { |console, hash|
    Stylesheet: Get "/console.css" => Ok(super::stylesheet(console.req));
    Script: Get "/console.js" => Ok(super::script(console.req));
    Home: Get "/" prefetch super::home_reads(hash) => super::home(console).await;
    SetUp: Get "/set-up" => sign_in::set_up_form(console).await;
    SetUpSubmit: Post "/set-up" way "makes the platform's first operator and their session" => sign_in::set_up(console).await;
    SecondFactor: Get "/second-factor" => sign_in::enrol_form(console);
    SecondFactorSubmit: Post "/second-factor" way "sets up the signing-in person's own second factor"
        => sign_in::enrol(console).await;
    SignIn: Get "/sign-in" => sign_in::form(console);
    SignInSubmit: Post "/sign-in" way "starts a session" => sign_in::submit(console).await;
    Code: Get "/sign-in/code" => sign_in::code_form(console);
    CodeSubmit: Post "/sign-in/code" way "completes a session's sign-in" => sign_in::code(console).await;
    SsoStart: Post "/sign-in/sso" way "starts a sign-in at a person's tenant's identity provider"
        => staff_sso_sign_in::start(console).await;
    SsoCallback: Get "/sso/{connection}/callback" [connection] => staff_sso_sign_in::callback(console, connection).await;
    Language: Post "/language" way "chooses the console's language for this browser" => language::choose(console);
    SignOut: Post "/sign-out" way "ends a session" => sign_in::sign_out(console).await;
    Join: Get "/join/{token}" [token] => join::form(console, token).await;
    JoinSubmit: Post "/join/{token}" [token] way "accepts an invitation: makes the person and their session"
        => join::submit(console, token).await;
    Tenant: Get "/tenants/{tenant}" [tenant] prefetch customer_pages::list_reads(tenant)
        => customer_pages::list(console, tenant);
    CreateCustomer: Post "/tenants/{tenant}/customers" [tenant] twin CreateCustomer
        => customer_pages::create(console, tenant).await;
    Customer: Get "/tenants/{tenant}/customers/{customer}" [tenant, customer]
        prefetch customer_pages::reads(tenant, customer, console.now) => customer_pages::page(console, tenant, customer);
    AddUnit: Post "/tenants/{tenant}/customers/{customer}/units" [tenant, customer] twin CreateUnit
        => customer_pages::add_unit(console, tenant, customer).await;
    NewPortal: Get "/tenants/{tenant}/customers/{customer}/new-portal/{step}" [tenant, customer, step]
        => portal_wizard::step(console, (tenant, customer, step)).await;
    SavePortal: Post "/tenants/{tenant}/customers/{customer}/new-portal" [tenant, customer] twin CreatePortal
        => portal_wizard::save(console, tenant, customer).await;
    CreateLink: Post "/tenants/{tenant}/customers/{customer}/portals/{portal}/link" [tenant, customer, portal]
        twin CreateInvitation => customer_pages::create_link(console, (tenant, customer, portal)).await;
    Portals: Get "/tenants/{tenant}/portals" [tenant] prefetch portal_pages::list_reads(tenant, console.now)
        => portal_pages::list(console, tenant);
    Portal: Get "/tenants/{tenant}/portals/{portal}" [tenant, portal] prefetch portal_pages::reads(tenant, portal)
        => portal_pages::page(console, tenant, portal);
    PortalSettings: Post "/tenants/{tenant}/portals/{portal}/settings" [tenant, portal] twin UpdatePortal
        => portal_pages::save(console, tenant, portal).await;
    PortalSetup: Get "/tenants/{tenant}/portals/{portal}/setup" [tenant, portal]
        prefetch portal_setup::reads(tenant, portal) => portal_setup::page(console, tenant, portal);
    SavePortalSetup: Post "/tenants/{tenant}/portals/{portal}/setup" [tenant, portal] twin UpdatePortal
        => portal_setup::save(console, tenant, portal).await;
    PortalSso: Get "/tenants/{tenant}/portals/{portal}/sso" [tenant, portal] => portal_sso::page(console, tenant, portal).await;
    DeleteSso: Post "/tenants/{tenant}/portals/{portal}/sso/{connection}/delete" [tenant, portal, connection]
        twin DeleteSsoConnection => portal_sso::delete(console, (tenant, portal, connection)).await;
    PortalTickets: Get "/tenants/{tenant}/portals/{portal}/tickets" [tenant, portal]
        prefetch portal_tickets::reads(tenant, portal) => portal_tickets::page(console, tenant, portal);
    SaveTicketSettings: Post "/tenants/{tenant}/portals/{portal}/tickets" [tenant, portal] twin UpdateTicketSettings
        => portal_tickets::save(console, tenant, portal).await;
    ViewAs: Post "/tenants/{tenant}/portals/{portal}/view-as" [tenant, portal] twin CreatePreview
        => portal_pages::view_as(console, tenant, portal).await;
    PortalSwitch: Post "/tenants/{tenant}/portals/{portal}/switch" [tenant, portal] twin UpdatePortal
        => portal_pages::switch(console, tenant, portal).await;
    AddDomain: Post "/tenants/{tenant}/portals/{portal}/domains" [tenant, portal] twin AddDomain
        => portal_pages::add_domain(console, tenant, portal).await;
    VerifyDomain: Post "/tenants/{tenant}/portals/{portal}/domains/{host}/verify" [tenant, portal, host] twin VerifyDomain
        => portal_pages::on_domain(console, (tenant, portal, host), portal_pages::DomainAction::Verify).await;
    RemoveDomain: Post "/tenants/{tenant}/portals/{portal}/domains/{host}/remove" [tenant, portal, host] twin RemoveDomain
        => portal_pages::on_domain(console, (tenant, portal, host), portal_pages::DomainAction::Remove).await;
    AddRegistrationEntry: Post "/tenants/{tenant}/portals/{portal}/registration-list" [tenant, portal]
        twin AddRegistrationEntry => portal_pages::add_entry(console, tenant, portal).await;
    RemoveRegistrationEntry: Post "/tenants/{tenant}/portals/{portal}/registration-list/{entry}/remove"
        [tenant, portal, entry] twin RemoveRegistrationEntry
        => portal_pages::remove_entry(console, tenant, portal, entry).await;
    Equipment: Get "/tenants/{tenant}/equipment" [tenant] => equipment_pages::list(console, tenant).await;
    Asset: Get "/tenants/{tenant}/equipment/{key}" [tenant, key] => equipment_pages::page(console, tenant, key).await;
    ShareAsset: Post "/tenants/{tenant}/equipment/{key}/shares" [tenant, key] twin CreateAssetShare
        => equipment_pages::share(console, tenant, key).await;
    StopShare: Post "/tenants/{tenant}/equipment/{key}/shares/{share}/remove" [tenant, key, share] twin DeleteAssetShare
        => equipment_pages::stop(console, (tenant, key, share)).await;
    Themes: Get "/tenants/{tenant}/themes" [tenant] prefetch theme_pages::list_reads(tenant)
        => theme_pages::list(console, tenant);
    CreateTheme: Post "/tenants/{tenant}/themes" [tenant] twin CreateTheme => theme_pages::create(console, tenant).await;
    NewTheme: Get "/tenants/{tenant}/themes/new" [tenant] => theme_pages::new_form(console, tenant).await;
    ThemePreview: Get "/tenants/{tenant}/themes/preview.css" [tenant] => theme_pages::preview_css(console, tenant);
    Theme: Get "/tenants/{tenant}/themes/{theme}" [tenant, theme] => theme_pages::page(console, tenant, theme).await;
    UploadLogo: Post "/tenants/{tenant}/themes/{theme}/logos/{slot}" [tenant, theme, slot] twin PutLogo
        => theme_pages::upload_logo(console, (tenant, theme, slot)).await;
    RemoveLogo: Post "/tenants/{tenant}/themes/{theme}/logos/{slot}/remove" [tenant, theme, slot] twin DeleteLogo
        => theme_pages::remove_logo(console, (tenant, theme, slot)).await;
    DeleteTheme: Post "/tenants/{tenant}/themes/{theme}/delete" [tenant, theme] twin DeleteTheme
        => theme_pages::delete(console, tenant, theme).await;
    SaveTheme: Post "/tenants/{tenant}/themes/{theme}" [tenant, theme] twin UpdateTheme
        => theme_pages::save(console, tenant, theme).await;
    Templates: Get "/tenants/{tenant}/templates" [tenant] prefetch template_pages::list_reads(tenant)
        => template_pages::list(console, tenant);
    CreateTemplate: Post "/tenants/{tenant}/templates" [tenant] twin CreateTemplate
        => template_pages::create(console, tenant).await;
    NewTemplate: Get "/tenants/{tenant}/templates/new" [tenant] => template_pages::new_form(console, tenant).await;
    Template: Get "/tenants/{tenant}/templates/{template}" [tenant, template]
        => template_pages::page(console, tenant, template).await;
    SaveTemplate: Post "/tenants/{tenant}/templates/{template}" [tenant, template] twin ReplaceTemplate
        => template_pages::save(console, tenant, template).await;
    DeleteTemplate: Post "/tenants/{tenant}/templates/{template}/delete" [tenant, template] twin DeleteTemplate
        => template_pages::delete(console, tenant, template).await;
    RollbackTemplate: Post "/tenants/{tenant}/templates/{template}/rollback" [tenant, template] twin RollbackTemplate
        => template_pages::rollback(console, tenant, template).await;
    Keys: Get "/tenants/{tenant}/keys" [tenant] prefetch key_pages::reads(tenant) => key_pages::page(console, tenant);
    CreateKey: Post "/tenants/{tenant}/keys" [tenant] twin CreateKey => key_pages::create(console, tenant).await;
    RevokeKey: Post "/tenants/{tenant}/keys/{key}/revoke" [tenant, key] twin RevokeKey
        => key_pages::revoke(console, tenant, key).await;
    Webhooks: Get "/tenants/{tenant}/webhooks" [tenant] prefetch delivery_pages::reads(tenant)
        => delivery_pages::page(console, tenant);
    CreateWebhook: Post "/tenants/{tenant}/webhooks" [tenant] twin CreateWebhook
        => delivery_pages::create(console, tenant).await;
    Deliveries: Get "/tenants/{tenant}/webhooks/{id}" [tenant, id] => delivery_pages::deliveries(console, tenant, id).await;
    SwitchWebhook: Post "/tenants/{tenant}/webhooks/{id}/switch" [tenant, id] twin UpdateWebhook
        => delivery_pages::switch(console, tenant, id).await;
    DeleteWebhook: Post "/tenants/{tenant}/webhooks/{id}/delete" [tenant, id] twin DeleteWebhook
        => delivery_pages::delete(console, tenant, id).await;
    Emails: Get "/tenants/{tenant}/emails" [tenant] => delivery_pages::emails(console, tenant).await;
    Audit: Get "/tenants/{tenant}/audit" [tenant] => audit_page::page(console, tenant).await;
    Settings: Get "/tenants/{tenant}/settings" [tenant] prefetch settings_page::reads(tenant)
        => settings_page::page(console, tenant);
    SaveSettings: Post "/tenants/{tenant}/settings" [tenant] twin UpdateTenant => settings_page::save(console, tenant).await;
    // Before the people's own routes, whose `{id}` would take `sso`.
    StaffSso: Get "/tenants/{tenant}/staff/sso" [tenant] prefetch staff_sso_page::reads(tenant)
        => staff_sso_page::page(console, tenant);
    SaveStaffSso: Post "/tenants/{tenant}/staff/sso" [tenant] twin PutStaffSso => staff_sso_page::save(console, tenant).await;
    VerifyStaffSsoDomain: Post "/tenants/{tenant}/staff/sso/domains/{domain}/verify" [tenant, domain]
        twin VerifyStaffSsoDomain => staff_sso_page::verify(console, (tenant, domain)).await;
    RemoveStaffSso: Post "/tenants/{tenant}/staff/sso/remove" [tenant] twin DeleteStaffSso
        => staff_sso_page::remove(console, tenant).await;
    Staff: Get "/tenants/{tenant}/staff" [tenant] prefetch staff_page::reads(tenant) => staff_page::page(console, tenant);
    Invite: Post "/tenants/{tenant}/staff/invitations" [tenant] twin CreateStaffInvitation
        => staff_page::invite(console, tenant).await;
    RevokeInvitation: Post "/tenants/{tenant}/staff/invitations/{id}/revoke" [tenant, id] twin RevokeStaffInvitation
        => staff_page::revoke(console, tenant, id).await;
    ChangeRole: Post "/tenants/{tenant}/staff/{id}/role" [tenant, id] twin UpdateStaffMember
        => staff_page::change_role(console, tenant, id).await;
    Remove: Post "/tenants/{tenant}/staff/{id}/remove" [tenant, id] twin RemoveStaffMember
        => staff_page::remove(console, tenant, id).await;
}

/// The route of `method` and `path`. Path segments are handed to the handlers raw, each of
/// which parses its own.
pub fn find(method: Method, path: &str) -> Found<ConsoleRoute, &str> {
    find_in(ROUTES, method, path, Some, |_| true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::api::ROUTES as API_ROUTES;
    use crate::app::tests::templates_overlap;

    #[test]
    fn every_console_action_has_an_api_twin_or_is_part_of_the_way_in() {
        for route in ROUTES.iter().filter(|r| r.methods.contains(&Method::Post)) {
            let handler = route.handler;
            assert!(
                handler.twin().is_some() != handler.way_in().is_some(),
                "{} {handler:?}: an action needs an API twin (`twin Op`), or says why it is the way in (`way \"…\"`)",
                route.path
            );
        }
    }

    #[test]
    fn an_actions_twin_is_an_api_write() {
        for route in ROUTES {
            let Some(op) = route.handler.twin() else { continue };
            let api = API_ROUTES.iter().find(|r| r.handler == op).unwrap_or_else(|| panic!("{op:?} is routed"));
            assert!(api.methods.iter().all(|m| *m != Method::Get), "{} twins the read {op:?}", route.path);
        }
        for route in ROUTES.iter().filter(|r| r.methods == [Method::Get]) {
            assert!(route.handler.twin().is_none() && route.handler.way_in().is_none(), "{}", route.path);
        }
    }

    #[test]
    fn a_literal_console_route_comes_before_the_parameter_route_it_shadows() {
        for (i, a) in ROUTES.iter().enumerate() {
            for b in ROUTES.iter().skip(i + 1).filter(|b| b.path != a.path && templates_overlap(a.path, b.path)) {
                let literal_first =
                    a.path.split('/').zip(b.path.split('/')).all(|(x, y)| x == y || !x.starts_with('{'));
                assert!(literal_first, "{} is listed before {}, which it shadows", a.path, b.path);
            }
        }
    }
}
