//! The portal's one route table: every page written once, with its method(s), path template,
//! the app it belongs to, its body, the reads it sends with the session lookup and its
//! handler. Dispatch (a method a page does not answer is its 404), app gating (a page of an
//! app the portal does not offer does not exist), the edge's body limits and the prefetch all
//! expand from it.

use super::{
    activity, consent, documents, fleet, join, language, preview, register, sign_in, sso, sso_jwt, start, ticket_form,
    ticket_reply, tickets, users, Page,
};
use crate::app::{find as find_in, Body, Found, Route};
use crate::http::{Method, Response};
use crate::runtime::Runtime;
use crate::store::Statement;
use crate::views::account;
use porch_types::apps::{App, AppSet};
use porch_types::error::AppError;

/// `Name: Method[ | Method] "template" [params] [in App] [body Files] [prefetch reads] => handler;`.
/// `page` (and, in a prefetch, `hash`: the session token's hash) name the request, and the
/// params bind the template's `{…}` segments in order, raw as they came.
macro_rules! routes {
    (|$page:ident, $hash:ident|
        $($name:ident: $($method:ident)|+ $path:literal $([$($arg:ident),+])? $(in $app:ident)? $(body $body:ident)?
            $(prefetch $prefetch:expr)? => $handler:expr;)+) => {
        /// Every page of the portal.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum PageRoute {
            $($name,)+
        }

        /// The route table, in the order it is searched: a literal page comes before the
        /// parameter page it shadows.
        pub const PAGES: &[Route<PageRoute>] = &[
            $(Route { methods: &[$(Method::$method),+], path: $path, body: or!(Body::Small; $(Body::$body)?), handler: PageRoute::$name },)+
        ];

        impl PageRoute {
            /// The app this page belongs to, if any: the portal must offer it for the page to exist.
            pub fn app(self) -> Option<App> {
                match self {
                    $(PageRoute::$name => or!(None; $(Some(App::$app))?),)+
                }
            }

            /// The reads a request of this page sends with the session lookup (none when its
            /// parameters are malformed: the handler will say so).
            // A page's params are bound for its prefetch whether or not it has one.
            #[allow(unused_variables)]
            pub(super) fn prefetch<R: Runtime>(
                self,
                $page: &Page<'_, R>,
                $hash: &str,
                args: &[(&str, &str)],
            ) -> Vec<Statement> {
                match self {
                    $(PageRoute::$name => {
                        let &[$($((_, $arg)),+)?] = args else { return Vec::new() };
                        or!(Vec::new(); $($prefetch)?)
                    })+
                }
            }

            pub(super) async fn run<R: Runtime>(
                self,
                $page: &Page<'_, R>,
                args: &[(&str, &str)],
            ) -> Result<Response, AppError> {
                match self {
                    $(PageRoute::$name => {
                        let &[$($((_, $arg)),+)?] = args else { return Err(AppError::NotFound) };
                        $handler
                    })+
                }
            }
        }
    };
}

routes! { |page, hash|
    Start: Get "/" => Ok(start(page));
    SignIn: Get "/sign-in" => sign_in::form(page).await;
    SignInSubmit: Post "/sign-in" => sign_in::submit(page).await;
    SignOut: Post "/sign-out" => sign_in::sign_out(page).await;
    Language: Post "/language" => language::choose(page).await;
    SignedOut: Get "/signed-out" => Ok(Response::html(200, account::signed_out(page.portal, page.lang)));
    Consent: Get "/consent" => consent::form(page);
    ConsentSubmit: Post "/consent" => consent::submit(page).await;
    ForgotPassword: Get "/forgot-password" => sign_in::forgot_form(page);
    ForgotPasswordSubmit: Post "/forgot-password" => sign_in::forgot_submit(page).await;
    ResetPassword: Get "/reset-password/{token}" [token] => sign_in::reset_form(page, token).await;
    ResetPasswordSubmit: Post "/reset-password/{token}" [token] => sign_in::reset_submit(page, token).await;
    Register: Get "/register" => register::register_form(page);
    RegisterSubmit: Post "/register" => register::register_submit(page).await;
    Verify: Get "/verify/{token}" [token] => register::confirm_form(page, token).await;
    VerifySubmit: Post "/verify/{token}" [token] => register::confirm_submit(page, token).await;
    Invitation: Get "/invite/{token}" [token] => join::invitation_form(page, token).await;
    InvitationSubmit: Post "/invite/{token}" [token] => join::invitation_submit(page, token).await;
    Preview: Get "/preview/{token}" [token] => preview::confirm(page, token).await;
    PreviewOpen: Post "/preview/{token}" [token] => preview::open(page, token).await;
    SsoCompanyForm: Get "/sso" => sso::company_form(page).await;
    SsoDiscover: Post "/sso" => sso::discover(page).await;
    SsoJwt: Get | Post "/sso/jwt" => sso_jwt::sign_in(page).await;
    SsoStart: Get "/sso/{id}/start" [id] => sso::start(page, id).await;
    SsoCallback: Get "/sso/{id}/callback" [id] => sso::callback(page, id).await;
    SsoMetadata: Get "/sso/{id}/metadata" [id] => sso::saml_metadata(page, id).await;
    SsoAcs: Post "/sso/{id}/acs" [id] => sso::saml_acs(page, id).await;
    Users: Get "/users" => users::list(page).await;
    InviteUser: Post "/users/invite" => users::invite(page).await;
    ChangeRole: Post "/users/{id}/role" [id] => users::change_role(page, id).await;
    RemoveUser: Post "/users/{id}/remove" [id] => users::remove(page, id).await;
    RevokeInvitation: Post "/users/invitations/{id}/revoke" [id] => users::revoke_invitation(page, id).await;
    SupportForm: Get "/tickets/new" in SupportForm => ticket_form::form(page).await;
    SupportFormSubmit: Post "/tickets/new" in SupportForm body Files => ticket_form::create(page).await;
    Tickets: Get "/tickets" in Tickets prefetch tickets::prefetch_list(page, hash) => tickets::list(page).await;
    Ticket: Get "/tickets/{number}" [number] in Tickets prefetch tickets::prefetch_detail(page, hash, number)
        => tickets::detail(page, number).await;
    TicketReply: Post "/tickets/{number}/reply" [number] in Tickets body Files => ticket_reply::reply(page, number).await;
    TicketRating: Post "/tickets/{number}/rating" [number] in Tickets => ticket_reply::rate(page, number).await;
    TicketFile: Get "/tickets/{number}/files/{id}" [number, id] in Tickets
        => tickets::download(page, number, id).await;
    Equipment: Get "/equipment" in Equipment prefetch fleet::prefetch_list(page, hash) => fleet::list(page).await;
    Asset: Get "/equipment/{key}" [key] in Equipment prefetch fleet::prefetch_asset(page, hash, key)
        => fleet::detail(page, key).await;
    Reports: Get "/reports" in Reports prefetch fleet::prefetch_report(page, hash) => fleet::reports(page).await;
    ReportsCsv: Get "/reports.csv" in Reports prefetch fleet::prefetch_report(page, hash)
        => fleet::reports_csv(page).await;
    Activity: Get "/activity" in Activity prefetch activity::prefetch(page, hash) => activity::feed(page).await;
    Documents: Get "/documents" in Documents prefetch documents::prefetch_list(page, hash)
        => documents::list(page).await;
    Document: Get "/documents/{id}" [id] in Documents prefetch documents::prefetch_document(page, hash, id)
        => documents::download(page, id).await;
}

/// The page of `method` and `path` on a portal offering `apps`. Path segments are handed to
/// the handlers raw, each of which parses its own.
pub fn find(method: Method, path: &str, apps: AppSet) -> Found<PageRoute, &str> {
    find_in(PAGES, method, path, Some, |route: &PageRoute| route.app().is_none_or(|app| apps.contains(app)))
}

/// The body the page of `method` and `path` takes (a small one where there is none). The
/// edge asks before it knows the portal, so every app's pages count.
pub(in crate::app) fn body(method: Method, path: &str) -> Body {
    match find_in(PAGES, method, path, Some, |_| true) {
        Found::Route(route, _) => route.body,
        Found::WrongMethod(_) | Found::Missing => Body::Small,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::tests::templates_overlap;

    fn page(method: Method, path: &str, apps: AppSet) -> Option<PageRoute> {
        match find(method, path, apps) {
            Found::Route(route, _) => Some(route.handler),
            Found::WrongMethod(_) | Found::Missing => None,
        }
    }

    fn allowed(method: Method, path: &str) -> Vec<&'static str> {
        match find(method, path, AppSet::all()) {
            Found::WrongMethod(allowed) => allowed,
            Found::Route(..) | Found::Missing => Vec::new(),
        }
    }

    #[test]
    fn each_method_of_a_template_has_one_page_and_all_of_them_one_app() {
        for (i, a) in PAGES.iter().enumerate() {
            for b in PAGES.iter().skip(i + 1).filter(|b| b.path == a.path) {
                assert!(a.methods.iter().all(|m| !b.methods.contains(m)), "{} twice with one method", a.path);
                assert_eq!(a.handler.app(), b.handler.app(), "{}", a.path);
            }
        }
    }

    #[test]
    fn a_literal_page_comes_before_the_parameter_page_it_shadows() {
        for (i, a) in PAGES.iter().enumerate() {
            for b in PAGES.iter().skip(i + 1).filter(|b| b.path != a.path && templates_overlap(a.path, b.path)) {
                let literal_first =
                    a.path.split('/').zip(b.path.split('/')).all(|(x, y)| x == y || !x.starts_with('{'));
                assert!(literal_first, "{} is listed before {}, which it shadows", a.path, b.path);
            }
        }
        assert_eq!(page(Method::Get, "/tickets/new", AppSet::all()), Some(PageRoute::SupportForm));
        assert_eq!(page(Method::Get, "/tickets/12", AppSet::all()), Some(PageRoute::Ticket));
    }

    #[test]
    fn each_app_claims_its_pages_and_the_support_form_is_its_own() {
        let app = |path| page(Method::Get, path, AppSet::all()).and_then(PageRoute::app);
        assert_eq!(app("/tickets"), Some(App::Tickets));
        assert_eq!(app("/tickets/12"), Some(App::Tickets));
        assert_eq!(app("/tickets/12/files/abc"), Some(App::Tickets));
        assert_eq!(app("/tickets/new"), Some(App::SupportForm));
        assert_eq!(app("/equipment"), Some(App::Equipment));
        assert_eq!(app("/equipment/serial-9"), Some(App::Equipment));
        assert_eq!(app("/reports"), Some(App::Reports));
        assert_eq!(app("/reports.csv"), Some(App::Reports));
        assert_eq!(app("/documents/x"), Some(App::Documents));
        assert_eq!(app("/activity"), Some(App::Activity));
        assert_eq!(app("/"), None);
        assert_eq!(app("/users"), None);
        assert!(matches!(find(Method::Get, "/ticketsx", AppSet::all()), Found::Missing));
    }

    #[test]
    fn a_page_of_an_app_the_portal_lacks_does_not_exist_for_any_method() {
        let tickets: AppSet = [App::Tickets].into_iter().collect();
        assert_eq!(page(Method::Get, "/tickets/12", tickets), Some(PageRoute::Ticket));
        assert!(
            matches!(find(Method::Get, "/tickets/new", tickets), Found::Missing),
            "the support form is its own app"
        );
        assert!(matches!(find(Method::Post, "/tickets/new", tickets), Found::Missing));
        assert!(matches!(find(Method::Get, "/equipment", tickets), Found::Missing));
        let support_form: AppSet = [App::SupportForm].into_iter().collect();
        assert_eq!(page(Method::Post, "/tickets/new", support_form), Some(PageRoute::SupportFormSubmit));
        assert!(matches!(find(Method::Get, "/tickets/12", support_form), Found::Missing));
        assert!(matches!(find(Method::Put, "/tickets", AppSet::EMPTY), Found::Missing), "a 404, not a 405");
        assert_eq!(page(Method::Get, "/sign-in", AppSet::EMPTY), Some(PageRoute::SignIn), "pages of no app");
    }

    #[test]
    fn a_method_a_page_does_not_answer_is_told_apart_from_a_missing_page_with_the_methods_it_does() {
        assert_eq!(allowed(Method::Put, "/sign-in"), ["GET", "HEAD", "POST"]);
        assert_eq!(allowed(Method::Post, "/tickets"), ["GET", "HEAD"]);
        assert_eq!(allowed(Method::Get, "/users/invite"), ["POST"]);
        assert_eq!(
            allowed(Method::Delete, "/tickets/new"),
            ["GET", "HEAD", "POST"],
            "only the page that owns the path"
        );
        assert_eq!(allowed(Method::Options, "/sso/jwt"), ["GET", "HEAD", "POST"]);
        assert_eq!(page(Method::Head, "/tickets", AppSet::all()), Some(PageRoute::Tickets));
        assert_eq!(page(Method::Post, "/sso/jwt", AppSet::all()), Some(PageRoute::SsoJwt));
        assert!(matches!(find(Method::Get, "/nothing/here", AppSet::all()), Found::Missing));
    }

    #[test]
    fn path_parameters_reach_the_handlers_raw_and_in_order() {
        match find(Method::Get, "/tickets/12/files/a%2Fb", AppSet::all()) {
            Found::Route(route, args) => {
                assert_eq!(route.handler, PageRoute::TicketFile);
                assert_eq!(args, [("number", "12"), ("id", "a%2Fb")]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_the_support_form_and_a_ticket_reply_take_files() {
        let takes_files: Vec<PageRoute> = PAGES.iter().filter(|r| r.body == Body::Files).map(|r| r.handler).collect();
        assert_eq!(takes_files, [PageRoute::SupportFormSubmit, PageRoute::TicketReply]);
        assert_eq!(body(Method::Post, "/tickets/new"), Body::Files);
        assert_eq!(body(Method::Post, "/tickets/12/reply"), Body::Files);
        assert_eq!(body(Method::Get, "/tickets/new"), Body::Small);
        assert_eq!(body(Method::Post, "/tickets/12/rating"), Body::Small);
    }
}
