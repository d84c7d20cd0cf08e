//! A portal as its visitors reach it, for links and emails made outside its own pages (by
//! the admin API or the console): its public host (its first active custom domain, else its
//! platform subdomain), the origin on it and its branding.

use std::rc::Rc;

use crate::app::links;
use crate::app::portal::mail::Sender;
use crate::portal_context::ResolvedPortal;
use crate::runtime::Runtime;
use crate::store::{domains, portals, PortalScope};
use crate::tenancy;
use porch_types::error::AppError;
use porch_types::host::Hostname;

pub struct PublicPortal {
    pub origin: String,
    pub resolved: Rc<ResolvedPortal>,
}

/// The portal `row` of `scope` as its visitors reach it; `raw_host` is the request's Host
/// header (a local portal keeps its port).
pub async fn public_portal<R: Runtime>(
    rt: &R,
    raw_host: &str,
    scope: PortalScope,
    row: &portals::PortalRow,
) -> Result<PublicPortal, AppError> {
    let custom = domains::list(rt.db(), scope.tenant, scope.portal)
        .await?
        .into_iter()
        .filter(|d| d.status == domains::DomainStatus::Active)
        .find_map(|d| Hostname::parse(&d.hostname).ok());
    let host = custom
        .or_else(|| tenancy::platform_host(rt, &row.slug))
        .ok_or_else(|| AppError::Internal(format!("portal {} has no host", row.id)))?;
    let resolved = tenancy::resolve(rt, &host).await?.ok_or(AppError::NotFound)?;
    let origin = links::origin(&host, raw_host);
    Ok(PublicPortal { origin, resolved })
}

impl PublicPortal {
    /// Emails in the portal's name and default language, with links on its public origin.
    pub fn sender(&self, scope: PortalScope) -> Sender<'_> {
        let context = &self.resolved.context;
        Sender { portal: context, scope, origin: &self.origin, lang: context.default_language }
    }
}
