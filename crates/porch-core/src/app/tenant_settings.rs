//! A tenant's own settings, the rules written once for the admin API (`updateTenant`) and the
//! console's Settings tab: its name, the rule of one portal per customer, and its plan (the
//! apps its portals may offer), which only the platform's operator sets. A plan that would
//! take an app away from a portal offering it, or the rule turned on over portals that break
//! it, is refused naming them.

use serde::Deserialize;

use crate::app::input::Fields;
use crate::app::versions::{retry, Precondition};
use crate::runtime::Runtime;
use crate::store::audit::Actor;
use crate::store::tenants::{self, TenantRow, ONE_PORTAL_RULE};
use crate::store::DbError;
use porch_types::apps::AppSet;
use porch_types::error::AppError;
use porch_types::ids::TenantId;
use porch_types::text::Label;

/// A PATCH body: absent keeps a value.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantPatch {
    pub name: Option<String>,
    pub plan_apps: Option<Vec<String>>,
    pub one_portal_per_customer: Option<bool>,
}

/// A body checked: what it changes.
pub struct Checked {
    name: Option<Label>,
    plan: Option<AppSet>,
    one_portal_per_customer: Option<bool>,
}

/// Checks a body before anything is read. The plan is what the operator sold the tenant:
/// `may_set_plan` is true for the operator alone (the tenant's own key or staff may read it,
/// never set it), and a body setting it otherwise is 403 before its fields are looked at.
pub fn check(input: &TenantPatch, may_set_plan: bool) -> Result<Checked, AppError> {
    if input.plan_apps.is_some() && !may_set_plan {
        return Err(AppError::Forbidden);
    }
    let mut fields = Fields::default();
    let name = match input.name.as_deref() {
        Some(raw) => fields.check("name", Label::parse(raw, 120)),
        None if input.plan_apps.is_some() || input.one_portal_per_customer.is_some() => None,
        None => fields.require("name", None, |n| Label::parse(n, 120)),
    };
    let plan = input.plan_apps.as_deref().and_then(|codes| fields.check("plan_apps", AppSet::parse_codes(codes)));
    fields.finish()?;
    Ok(Checked { name, plan, one_portal_per_customer: input.one_portal_per_customer })
}

/// Writes a checked change over the version `pre` allows (see `versions`).
pub async fn write<R: Runtime>(
    rt: &R,
    (tenant, actor): (TenantId, &Actor),
    checked: &Checked,
    pre: &Precondition,
) -> Result<TenantRow, AppError> {
    let name = checked.name.as_ref();
    retry(async || {
        let current = tenants::get(rt.db(), tenant).await?.ok_or(AppError::NotFound)?;
        pre.allow(current.version)?;
        let plan = checked.plan.filter(|plan| *plan != current.plan_apps);
        if let Some(plan) = plan {
            refuse_stranding(rt, tenant, plan).await?;
        }
        let rule = checked.one_portal_per_customer.filter(|on| *on != current.one_portal_per_customer());
        if rule == Some(true) {
            refuse_breaches(rt, tenant).await?;
        }
        let change = tenants::TenantChange { name, plan, one_portal_per_customer: rule };
        if (name.is_some() || plan.is_some() || rule.is_some())
            && !tenants::update(rt.db(), &current, change, actor, rt.now()).await.map_err(|err| match err {
                DbError::Constraint(detail) if detail.contains(ONE_PORTAL_RULE) => AppError::Conflict(
                    "a portal was added meanwhile that breaks one portal per customer; read the portals again".into(),
                ),
                other => other.into(),
            })?
        {
            return Ok(None);
        }
        Ok(Some(tenants::get(rt.db(), tenant).await?.ok_or(AppError::NotFound)?))
    })
    .await
}

/// A plan may shrink only below what no portal offers: the portals are named so the caller
/// knows what to change first. (Dropping the apps from those portals silently would change
/// live portals as a side effect of a billing change; refusing keeps both moves explicit.)
async fn refuse_stranding<R: Runtime>(rt: &R, tenant: TenantId, plan: AppSet) -> Result<(), AppError> {
    let in_use = tenants::apps_in_use_outside(rt.db(), tenant, plan).await?;
    if in_use.is_empty() {
        return Ok(());
    }
    let mut by_app: Vec<(String, Vec<String>)> = Vec::new();
    for row in in_use {
        let portal = format!("{} ({})", row.portal_slug, row.portal_name);
        match by_app.last_mut() {
            Some((app, portals)) if *app == row.app => portals.push(portal),
            _ => by_app.push((row.app, vec![portal])),
        }
    }
    let detail = by_app
        .iter()
        .map(|(app, portals)| format!("{app} is offered by {}", portals.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    Err(AppError::Conflict(format!(
        "the plan cannot drop apps that portals offer: {detail}; take them off those portals first"
    )))
}

/// The rule of one portal per customer is turned on only over portals that keep it: the
/// customers with more than one portal, and the portals for all customers, are named so the
/// caller knows what to change first (409, like a plan that would strand portals).
async fn refuse_breaches<R: Runtime>(rt: &R, tenant: TenantId) -> Result<(), AppError> {
    let breaches = tenants::one_portal_breaches(rt.db(), tenant).await?;
    if breaches.is_empty() {
        return Ok(());
    }
    let detail = breaches
        .iter()
        .map(|b| match &b.customer {
            Some(customer) => format!("{customer} has the portals {}", b.portals),
            None => format!("{} serve(s) all customers", b.portals),
        })
        .collect::<Vec<_>>()
        .join("; ");
    Err(AppError::Conflict(format!(
        "one portal per customer cannot be required while {detail}; give each customer one portal first"
    )))
}
