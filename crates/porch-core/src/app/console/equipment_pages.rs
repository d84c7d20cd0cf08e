//! The Equipment tab (`views::console_equipment`). Sharing an asset and stopping a share call
//! `app::asset_shares`, as `createAssetShare` and `deleteAssetShare` do; the lists are the
//! API's reads.

use super::sign_in::field;
use super::{tenant_of, Console, Person};
use crate::app::asset_shares::{self as rules, ShareInput};
use crate::http::Response;
use crate::i18n::{Language, Translations as _};
use crate::runtime::Runtime;
use crate::store::customers::{self, CustomerRow};
use crate::store::equipment::{self, AssetFilter, AssetRow};
use crate::store::{decode_rows, tenants, Database};
use crate::views::console_equipment::{self as view, AssetView, EquipmentView, ShareDraft};
use crate::views::form::Problems;
use porch_types::equipment::AssetKey;
use porch_types::error::{AppError, FieldError};
use porch_types::ids::{AssetShareId, TenantId};
use porch_types::percent::{percent_decode, percent_encode};

/// Assets on a page of the list.
const PAGE: i64 = 100;

/// The tenant and its customers.
async fn tenant_and_customers<R: Runtime>(
    console: &Console<'_, R>,
    tenant: TenantId,
) -> Result<(tenants::TenantRow, Vec<CustomerRow>), AppError> {
    let rows =
        console.rt.db().read_batch(vec![tenants::get_statement(tenant), customers::list_statement(tenant)]).await?;
    let mut rows = rows.into_iter();
    let tenant = tenant_of(&mut rows)?;
    Ok((tenant, decode_rows(rows.next())?))
}

pub async fn list<R: Runtime>(console: &Console<'_, R>, raw: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let after = match console.req.query_param("after") {
        None => None,
        Some(raw) => Some(AssetKey::parse(&raw).map_err(|_| AppError::BadRequest("after".into()))?),
    };
    let (tenant_row, customers) = tenant_and_customers(console, tenant).await?;
    let mut assets = equipment::list(console.rt.db(), tenant, AssetFilter::default(), after.as_ref(), PAGE + 1).await?;
    let next = crate::app::cut_page(&mut assets, PAGE).map(|a| a.asset_key.clone());
    let csrf = console.csrf_token()?;
    let who = console.who(person.session, &csrf);
    let page = EquipmentView { tenant: &tenant_row, assets: &assets, customers: &customers, next: next.as_deref() };
    Ok(console.with_csrf(Response::html(200, view::list(console.lang, &who, &page)), &csrf))
}

/// The asset of a path segment (percent-encoded, as the list links it).
async fn asset_of<R: Runtime>(console: &Console<'_, R>, tenant: TenantId, raw_key: &str) -> Result<AssetRow, AppError> {
    let key = percent_decode(raw_key).and_then(|k| AssetKey::parse(&k).ok()).ok_or(AppError::NotFound)?;
    equipment::get(console.rt.db(), tenant, &key).await?.ok_or(AppError::NotFound)
}

/// The asset's page, saying `done`.
fn asset_path(tenant: TenantId, asset: &AssetRow, done: &str) -> String {
    format!("/tenants/{tenant}/equipment/{}?done={done}", percent_encode(&asset.asset_key, b""))
}

/// What the asset page shows besides the asset and its shares.
#[derive(Default)]
struct Shown<'a> {
    draft: ShareDraft,
    problems: Problems,
    notice: Option<&'a str>,
}

async fn draw<R: Runtime>(
    console: &Console<'_, R>,
    person: &Person<'_>,
    (tenant, asset): (TenantId, &AssetRow),
    status: u16,
    shown: &Shown<'_>,
) -> Result<Response, AppError> {
    let (tenant_row, customers) = tenant_and_customers(console, tenant).await?;
    let shares = equipment::list_shares(console.rt.db(), tenant, asset).await?;
    let csrf = console.csrf_token()?;
    let who = console.who(person.session, &csrf);
    let page = AssetView {
        tenant: &tenant_row,
        asset,
        shares: &shares,
        customers: &customers,
        editable: person.role.can_change_settings(),
        draft: &shown.draft,
        problems: &shown.problems,
        notice: shown.notice,
    };
    Ok(console.with_csrf(Response::html(status, view::asset(console.lang, &who, &page)), &csrf))
}

pub async fn page<R: Runtime>(console: &Console<'_, R>, raw_tenant: &str, raw_key: &str) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw_tenant).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let asset = asset_of(console, tenant, raw_key).await?;
    let e = console.lang.equipment();
    let notice = match console.req.query_param("done").as_deref() {
        Some("shared") => Some(e.shared),
        Some("stopped") => Some(e.stopped),
        _ => None,
    };
    // The form starts sharing today (UTC): the date part of now's RFC 3339 text.
    let today = console.now.to_string().get(..10).unwrap_or_default().to_owned();
    let draft = ShareDraft { from: today, ..ShareDraft::default() };
    draw(console, &person, (tenant, &asset), 200, &Shown { draft, notice, ..Shown::default() }).await
}

/// A date field as the rule takes it: the day's start in UTC.
fn day_start(date: &str) -> Option<String> {
    Some(date.trim()).filter(|d| !d.is_empty()).map(|d| format!("{d}T00:00:00Z"))
}

/// The shared rule's refusals beside the form's fields, in its English.
fn problems_of(errors: Vec<FieldError>) -> Problems {
    let mut problems = Problems::default();
    for error in errors {
        let on = ["customer_id", "from", "until"].contains(&error.field.as_str()).then_some(error.field.as_str());
        problems.add_written(on, error.message.clone(), Language::En);
    }
    problems
}

pub async fn share<R: Runtime>(
    console: &Console<'_, R>,
    raw_tenant: &str,
    raw_key: &str,
) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw_tenant).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    let fields = console.form_if(person.role.can_change_settings())?;
    let asset = asset_of(console, tenant, raw_key).await?;
    let draft = ShareDraft {
        customer: field(&fields, "customer_id").to_owned(),
        from: field(&fields, "from").to_owned(),
        until: field(&fields, "until").to_owned(),
    };
    let input = ShareInput {
        customer_id: Some(draft.customer.clone()).filter(|c| !c.is_empty()),
        from: day_start(&draft.from),
        until: day_start(&draft.until),
    };
    match rules::create(console.rt, tenant, &person.acting().actor, &asset, &input).await {
        Ok(_) => Ok(Response::see_other(&asset_path(tenant, &asset, "shared"))),
        Err(AppError::Invalid(errors)) => {
            let shown = Shown { draft, problems: problems_of(errors), ..Shown::default() };
            draw(console, &person, (tenant, &asset), 422, &shown).await
        }
        Err(err) => Err(err),
    }
}

pub async fn stop<R: Runtime>(
    console: &Console<'_, R>,
    (raw_tenant, raw_key, raw_share): (&str, &str, &str),
) -> Result<Response, AppError> {
    let tenant = TenantId::parse(raw_tenant).ok_or(AppError::NotFound)?;
    let person = console.person_for(tenant)?;
    console.form_if(person.role.can_change_settings())?;
    let asset = asset_of(console, tenant, raw_key).await?;
    let share = AssetShareId::parse(raw_share).ok_or(AppError::NotFound)?;
    rules::delete(console.rt, tenant, &person.acting().actor, &asset, share).await?;
    Ok(Response::see_other(&asset_path(tenant, &asset, "stopped")))
}
