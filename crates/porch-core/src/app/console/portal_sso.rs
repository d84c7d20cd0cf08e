//! A portal's single sign-on page (`views::console_portal_sso`): its connections with what
//! to give each identity provider (the addresses `getSsoConnection` shows, through
//! `app::sso_connections`), a test sign-in, and the recent events. Deleting one calls
//! `app::sso_connections::delete`, as `deleteSsoConnection` does; the form carries the
//! connection's version, so a connection changed meanwhile is not deleted unseen.
//! Connections are made and changed through the API: their forms are not here yet.

use super::sign_in::drawn_version;
use super::{tenant_of, Console, Person};
use crate::app::public_portal::public_portal;
use crate::app::sso_connections::{self as rules, certificate_warnings, endpoints};
use crate::http::Response;
use crate::i18n::Translations as _;
use crate::runtime::Runtime;
use crate::store::portals::{self, PortalRow};
use crate::store::{decode_rows, sso, tenants, Database, PortalScope};
use crate::views::console_portal_sso::{self as view, ConnectionView, SsoView, Warning};
use crate::views::form::Problems;
use porch_types::error::AppError;
use porch_types::ids::{PortalId, SsoConnectionId, TenantId};

/// The recent events the page lists.
const EVENTS_SHOWN: i64 = 20;

fn ids(raw_tenant: &str, raw_portal: &str) -> Option<PortalScope> {
    Some(PortalScope { tenant: TenantId::parse(raw_tenant)?, portal: PortalId::parse(raw_portal)? })
}

fn back(scope: PortalScope, done: &str) -> Response {
    Response::see_other(&format!("/tenants/{}/portals/{}/sso?done={done}", scope.tenant, scope.portal))
}

async fn draw<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    scope: PortalScope,
    status: u16,
    (problems, notice): (&Problems, Option<&str>),
) -> Result<Response, AppError> {
    let db = console.rt.db();
    let mut rows = db
        .read_batch(vec![tenants::get_statement(scope.tenant), portals::get_statement(scope.tenant, scope.portal)])
        .await?
        .into_iter();
    let tenant = tenant_of(&mut rows)?;
    let portal = decode_rows::<PortalRow>(rows.next())?.into_iter().next().ok_or(AppError::NotFound)?;
    let connections = sso::list(db, scope).await?;
    let domains = sso::domains(db, scope).await?;
    let events = sso::events(db, scope, None, EVENTS_SHOWN).await?;
    let origin = public_portal(console.rt, console.req.header("host").unwrap_or(""), scope, &portal).await?.origin;
    let shown: Vec<ConnectionView<'_>> = connections
        .iter()
        .map(|row| ConnectionView {
            row,
            domains: domains.iter().filter(|domain| domain.connection_id == row.id).collect(),
            endpoints: endpoints(&origin, row),
            warnings: certificate_warnings(row.settings().ok().as_ref(), console.now)
                .into_iter()
                .map(|w| Warning {
                    expired: w.code == "certificate_expired",
                    fingerprint: w.certificate_fingerprint,
                    not_after: w.not_after,
                })
                .collect(),
        })
        .collect();
    let csrf = console.csrf_token()?;
    let who = console.who(person.session, &csrf);
    let page = SsoView {
        tenant: &tenant,
        portal: &portal,
        connections: &shown,
        events: &events,
        problems,
        notice,
        editable: person.role.can_change_settings(),
    };
    Ok(console.with_csrf(Response::html(status, view::page(console.lang, &who, &page)), &csrf))
}

pub async fn page<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_portal: &str,
) -> Result<Response, AppError> {
    let scope = ids(raw_tenant, raw_portal).ok_or(AppError::NotFound)?;
    let person = console.person_for(scope.tenant)?;
    let notice =
        (console.req.query_param("done").as_deref() == Some("deleted")).then_some(console.lang.portal_sso().deleted);
    draw(console, &person, scope, 200, (&Problems::default(), notice)).await
}

pub async fn delete<R: Runtime>(
    console: &Console<'_, R>,
    (raw_tenant, raw_portal, raw_connection): (&str, &str, &str),
) -> Result<Response, AppError> {
    let scope = ids(raw_tenant, raw_portal).ok_or(AppError::NotFound)?;
    let id = SsoConnectionId::parse(raw_connection).ok_or(AppError::NotFound)?;
    let person = console.person_for(scope.tenant)?;
    let fields = console.form_if(person.role.can_change_settings())?;
    let pre = drawn_version(&fields)?;
    match rules::delete(console.rt, scope, &person.acting().actor, id, &pre).await {
        Ok(()) => Ok(back(scope, "deleted")),
        Err(AppError::PreconditionFailed(_)) => {
            let problems = Problems::general(console.lang.portal_sso().stale);
            draw(console, &person, scope, 409, (&problems, None)).await
        }
        Err(err) => Err(err),
    }
}
