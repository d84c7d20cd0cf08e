//! Equipment through the admin API: assets upserted by the provider's own key, their photo,
//! activity ingested in idempotent batches and read back by time range, and the shares that
//! show an asset to a customer from a date, optionally until one.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::Reach;
use super::input::Fields;
use super::versions::{self, tagged, Precondition};
use super::{created, no_content, ok, page_limit, Call};
use crate::app::asset_shares as share_rules;
use crate::app::cut_page;
use crate::http::Response;
use crate::runtime::{Blob, BlobStore, Runtime};
use crate::store::customers;
use crate::store::documents::Owner;
use crate::store::equipment::{self, ActivityRange, ActivityRow, AssetFilter, AssetInput, AssetRow, ShareRow};
use porch_types::equipment::{
    parse_detail, parse_name, parse_time, Activity, AssetDetails, AssetKey, Hours, PhotoError, PhotoFormat, Position,
    MAX_EVENTS_PER_BATCH,
};
use porch_types::error::{AppError, FieldError};
use porch_types::ids::{AssetId, AssetShareId, BusinessUnitId, CustomerId, TenantId};
use porch_types::time::Timestamp;

/// Default and largest page of activity: larger than other lists, because a report reads
/// thousands of events (a year of hourly readings is 8,760).
const DEFAULT_ACTIVITY_PAGE: i64 = 1000;
const MAX_ACTIVITY_PAGE: i64 = 5000;
/// The open end of a time range: 10000-01-01, below 2^53 so D1 (through JavaScript) keeps it exact.
const END_OF_TIME: Timestamp = Timestamp::from_millis(253_402_300_800_000);

/// The asset of the path, of a tenant this caller reaches; a malformed key is not found.
async fn asset_in_path<R: Runtime>(call: &Call<'_, R>) -> Result<(TenantId, AssetRow), AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let key = call.id("asset_key", |raw| AssetKey::parse(raw).ok())?;
    let row = equipment::get(call.rt.db(), tenant, &key).await?.ok_or(AppError::NotFound)?;
    Ok((tenant, row))
}

/// An asset as the API shows it; the photo's R2 key stays inside.
#[derive(Serialize)]
struct AssetJson<'a> {
    id: AssetId,
    key: &'a str,
    name: &'a str,
    serial_number: Option<&'a str>,
    make: Option<&'a str>,
    model: Option<&'a str>,
    #[serde(rename = "type")]
    asset_type: Option<&'a str>,
    customer_id: Option<CustomerId>,
    business_unit_id: Option<BusinessUnitId>,
    photo: Option<PhotoJson<'a>>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

#[derive(Serialize)]
struct PhotoJson<'a> {
    content_type: &'a str,
}

impl<'a> From<&'a AssetRow> for AssetJson<'a> {
    fn from(row: &'a AssetRow) -> AssetJson<'a> {
        AssetJson {
            id: row.id,
            key: &row.asset_key,
            name: &row.name,
            serial_number: row.serial_number.as_deref(),
            make: row.make.as_deref(),
            model: row.model.as_deref(),
            asset_type: row.asset_type.as_deref(),
            customer_id: row.customer_id,
            business_unit_id: row.business_unit_id,
            photo: row.photo_type.as_deref().map(|content_type| PhotoJson { content_type }),
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
        }
    }
}

/// An event as the API takes it in: `{id, at, kind, value | lat, lon | message}`, only the
/// fields of its kind.
#[derive(Serialize)]
struct ActivityJson<'a> {
    id: &'a str,
    at: Timestamp,
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lon: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

impl<'a> From<&'a ActivityRow> for ActivityJson<'a> {
    fn from(row: &'a ActivityRow) -> ActivityJson<'a> {
        let position = match (row.lat_e7, row.lon_e7) {
            (Some(lat), Some(lon)) => Some(Position::from_e7(lat, lon).degrees()),
            _ => None,
        };
        ActivityJson {
            id: &row.event_id,
            at: Timestamp::from_millis(row.at),
            kind: &row.kind,
            value: row.hours_milli.map(|milli| Hours::from_milli(milli).as_f64()),
            lat: position.map(|(lat, _)| lat),
            lon: position.map(|(_, lon)| lon),
            message: row.message.as_deref(),
        }
    }
}

/// A share as the API shows it: its asset by key; `until` is null while it is open-ended.
#[derive(Serialize)]
struct ShareJson<'a> {
    id: AssetShareId,
    asset_key: &'a str,
    customer_id: CustomerId,
    from: Timestamp,
    until: Option<Timestamp>,
    created_at: Timestamp,
}

impl<'a> From<&'a ShareRow> for ShareJson<'a> {
    fn from(row: &'a ShareRow) -> ShareJson<'a> {
        ShareJson {
            id: row.id,
            asset_key: &row.asset_key,
            customer_id: row.customer_id,
            from: Timestamp::from_millis(row.from_at),
            until: row.until_at.map(Timestamp::from_millis),
            created_at: Timestamp::from_millis(row.created_at),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssetBody {
    name: Option<String>,
    serial_number: Option<String>,
    make: Option<String>,
    model: Option<String>,
    #[serde(rename = "type")]
    asset_type: Option<String>,
    customer_id: Option<String>,
    business_unit_id: Option<String>,
}

/// The body of a PUT as a whole asset; every bad field at once. The business unit must be
/// one of the tenant's, and of `customer_id` when that is given too (it is the customer when
/// not).
async fn parse_asset<R: Runtime>(call: &Call<'_, R>, tenant: TenantId) -> Result<AssetInput, AppError> {
    let body: AssetBody = call.json()?;
    let mut fields = Fields::default();
    let name = fields.require("name", body.name.as_deref(), parse_name);
    let mut optional = |field: &str, raw: Option<&str>| raw.and_then(|raw| fields.check(field, parse_detail(raw)));
    let serial_number = optional("serial_number", body.serial_number.as_deref());
    let make = optional("make", body.make.as_deref());
    let model = optional("model", body.model.as_deref());
    let asset_type = optional("type", body.asset_type.as_deref());
    let mut customer = None;
    if let Some(raw) = body.customer_id.as_deref() {
        match CustomerId::parse(raw) {
            Some(id) if customers::get(call.rt.db(), tenant, id).await?.is_some() => customer = Some(id),
            _ => fields.error("customer_id", "is not a customer of this tenant"),
        }
    }
    let mut unit = None;
    if let Some(raw) = body.business_unit_id.as_deref() {
        let found = match BusinessUnitId::parse(raw) {
            Some(id) => equipment::unit_customer(call.rt.db(), tenant, id).await?.map(|owner| (id, owner)),
            None => None,
        };
        match found {
            None => fields.error("business_unit_id", "is not a business unit of this tenant"),
            Some((_, owner)) if body.customer_id.as_deref().is_some_and(|given| given != owner.to_db()) => {
                fields.error("business_unit_id", "is a business unit of another customer");
            }
            Some((id, owner)) => {
                unit = Some(id);
                customer = customer.or(Some(owner));
            }
        }
    }
    fields.finish()?;
    let name = name.ok_or_else(|| AppError::Internal("asset name after validation".into()))?;
    Ok(AssetInput { details: AssetDetails { name, serial_number, make, model, asset_type }, customer, unit })
}

/// Creates the asset under the provider's key (201) or replaces it whole (200).
pub async fn put<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let key = call.id("asset_key", |raw| AssetKey::parse(raw).ok())?;
    let pre = Precondition::of(call.req)?;
    let input = parse_asset(call, tenant).await?;
    versions::write(async || {
        let status = if let Some(current) = equipment::get(call.rt.db(), tenant, &key).await? {
            pre.allow(current.version)?;
            if !equipment::update(call.rt.db(), tenant, &current, &input, &call.actor(), call.rt.now()).await? {
                return Ok(None);
            }
            200
        } else {
            pre.allow_absent()?;
            let id = AssetId::from_random(call.rt.random_16()?);
            // Two first PUTs of one key at once: the second meets the unique key and gets 409.
            equipment::create(call.rt.db(), tenant, id, &key, &input, &call.actor(), call.rt.now()).await?;
            201
        };
        let row = equipment::get(call.rt.db(), tenant, &key).await?.ok_or(AppError::NotFound)?;
        Ok(Some(tagged(Response::json(status, &json!({ "asset": AssetJson::from(&row) })), row.version)))
    })
    .await
}

pub async fn get<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (_, row) = asset_in_path(call).await?;
    Ok(tagged(ok(&json!({ "asset": AssetJson::from(&row) })), row.version))
}

/// Assets in key order, a page at a time (`cursor`: the last key of the previous page).
pub async fn list<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let req = call.req;
    let mut fields = Fields::default();
    let customer = req.query_param("customer_id").and_then(|raw| {
        let id = CustomerId::parse(&raw);
        if id.is_none() {
            fields.error("customer_id", "is not an id");
        }
        id
    });
    let unit = req.query_param("business_unit_id").and_then(|raw| {
        let id = BusinessUnitId::parse(&raw);
        if id.is_none() {
            fields.error("business_unit_id", "is not an id");
        }
        id
    });
    let cursor = req.query_param("cursor").and_then(|raw| {
        let key = AssetKey::parse(&raw).ok();
        if key.is_none() {
            fields.error("cursor", "is not a cursor from this list");
        }
        key
    });
    let limit = page_limit(req)?;
    fields.finish()?;
    let mut rows =
        equipment::list(call.rt.db(), tenant, AssetFilter { customer, unit }, cursor.as_ref(), limit + 1).await?;
    let next_cursor = cut_page(&mut rows, limit).map(|r| r.asset_key.clone());
    Ok(ok(&json!({
        "assets": rows.iter().map(AssetJson::from).collect::<Vec<_>>(),
        "next_cursor": next_cursor,
    })))
}

/// Deletes the asset with its activity and shares, then its photo object; refused (409) while
/// it has documents.
pub async fn delete<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let pre = Precondition::of(call.req)?;
    versions::write(async || {
        let (tenant, current) = asset_in_path(call).await?;
        pre.allow(current.version)?;
        super::documents::refuse_if_owning(call, tenant, Owner::Asset(current.id)).await?;
        if !equipment::delete(call.rt.db(), tenant, &current, &call.actor(), call.rt.now()).await? {
            return Ok(None);
        }
        if let Some(key) = &current.photo_key {
            delete_blob(call, key).await;
        }
        Ok(Some(no_content()))
    })
    .await
}

/// Best effort: a row no longer names the object, so a failed delete leaves an orphan that
/// nothing serves.
async fn delete_blob<R: Runtime>(call: &Call<'_, R>, key: &str) {
    if let Err(err) = call.rt.blobs().delete(key).await {
        call.rt.log(&format!("could not delete asset photo object: {err}"));
    }
}

/// Sets or replaces the photo. The object is written first under a fresh key and recorded
/// after; if the record fails it is deleted again, and the old object only goes once the
/// new one is recorded, so the asset never names a missing object.
pub async fn put_photo<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (tenant, current) = asset_in_path(call).await?;
    let format =
        call.req.header("content-type").and_then(PhotoFormat::from_content_type).ok_or_else(|| {
            AppError::invalid("content-type", "send the photo as image/png, image/jpeg or image/webp")
        })?;
    format.check(&call.req.body).map_err(|err| match err {
        PhotoError::TooLarge => AppError::TooLarge(err.to_string()),
        other => AppError::invalid("photo", other),
    })?;
    let suffix = porch_types::to_hex(&call.rt.random_16()?);
    let key = format!("assets/{}/{}/photo-{suffix}.{}", tenant.to_db(), current.id, format.extension());
    call.rt
        .blobs()
        .put(&key, Blob { bytes: call.req.body.clone(), content_type: format.content_type().to_owned() })
        .await?;
    if let Err(err) =
        equipment::set_photo(call.rt.db(), tenant, &current, &key, format, &call.actor(), call.rt.now()).await
    {
        delete_blob(call, &key).await;
        return Err(err.into());
    }
    if let Some(old) = &current.photo_key {
        delete_blob(call, old).await;
    }
    let key = AssetKey::parse(&current.asset_key).map_err(|e| AppError::Internal(format!("stored asset key: {e}")))?;
    let row = equipment::get(call.rt.db(), tenant, &key).await?.ok_or(AppError::NotFound)?;
    Ok(ok(&json!({ "asset": AssetJson::from(&row) })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivityBody {
    events: Option<Vec<serde_json::Value>>,
}

/// Ingests a batch of events. Every event is parsed first: any problem and the answer is 422
/// naming each (`events[3].at`), with nothing written. Then one atomic batch; events the asset
/// already has (same id) are counted as duplicates and left as they were.
pub async fn ingest<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let tenant = call.tenant(Reach::Everything).await?;
    let key = call.id("asset_key", |raw| AssetKey::parse(raw).ok())?;
    // With the asset, the zones its rollups are kept in: the batch recomputes them.
    let (asset, zones) = equipment::get_with_zones(call.rt.db(), tenant, &key).await?.ok_or(AppError::NotFound)?;
    let body: ActivityBody = call.json()?;
    let Some(raw_events) = body.events else {
        return Err(AppError::invalid("events", "is required: a list of events"));
    };
    if raw_events.len() > MAX_EVENTS_PER_BATCH {
        return Err(AppError::invalid("events", format!("must hold at most {MAX_EVENTS_PER_BATCH} events")));
    }
    let now = call.rt.now();
    let mut errors = Vec::new();
    let mut events = Vec::with_capacity(raw_events.len());
    let mut seen = std::collections::HashSet::with_capacity(raw_events.len());
    for (index, raw) in raw_events.iter().enumerate() {
        match Activity::parse(raw, now) {
            // The same id twice in one batch is a sender's bug with two possible meanings;
            // saying so beats silently keeping the first.
            Ok(event) if !seen.insert(event.id.clone()) => {
                errors.push(FieldError::new(&format!("events[{index}].id"), "appears earlier in this batch"));
            }
            Ok(event) => events.push(event),
            Err(problems) => errors.extend(problems.into_iter().map(|(field, message)| {
                let name =
                    if field.is_empty() { format!("events[{index}]") } else { format!("events[{index}].{field}") };
                FieldError::new(&name, message)
            })),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let counts = equipment::ingest(call.rt.db(), tenant, asset.id, &zones, &events, now).await?;
    Ok(ok(&json!({ "accepted": counts.accepted, "duplicates": counts.duplicates })))
}

/// `from` / `to` query parameters (RFC 3339), both optional: the whole history by default.
fn time_param(req: &crate::http::Request, fields: &mut Fields, name: &str, default: Timestamp) -> Timestamp {
    match req.query_param(name) {
        None => default,
        Some(raw) => fields.check(name, parse_time(&raw)).unwrap_or(default),
    }
}

/// An activity cursor: `<at ms>.<event id>` of the last event of the previous page.
fn parse_activity_cursor(raw: &str) -> Option<(i64, &str)> {
    let (at, id) = raw.split_once('.')?;
    let at = at.parse::<i64>().ok().filter(|at| *at >= 0)?;
    (!id.is_empty()).then_some((at, id))
}

/// An asset's events in `[from, to)`, oldest first, a page at a time.
pub async fn list_activity<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (tenant, asset) = asset_in_path(call).await?;
    let req = call.req;
    let mut fields = Fields::default();
    let from = time_param(req, &mut fields, "from", Timestamp::from_millis(0));
    let to = time_param(req, &mut fields, "to", END_OF_TIME);
    if to <= from {
        fields.error("to", "must be after from");
    }
    let limit = match req.query_param("limit") {
        None => DEFAULT_ACTIVITY_PAGE,
        Some(raw) => raw.parse::<i64>().ok().filter(|l| (1..=MAX_ACTIVITY_PAGE).contains(l)).unwrap_or_else(|| {
            fields.error("limit", &format!("must be a whole number from 1 to {MAX_ACTIVITY_PAGE}"));
            DEFAULT_ACTIVITY_PAGE
        }),
    };
    let cursor_text = req.query_param("cursor");
    let after = match cursor_text.as_deref() {
        None => None,
        Some(raw) => {
            let parsed = parse_activity_cursor(raw);
            if parsed.is_none() {
                fields.error("cursor", "is not a cursor from this list");
            }
            parsed
        }
    };
    fields.finish()?;
    let range = ActivityRange { from, to, after, limit: limit + 1 };
    let mut rows = equipment::activity(call.rt.db(), tenant, asset.id, &range).await?;
    let next_cursor = cut_page(&mut rows, limit).map(|r| format!("{}.{}", r.at, r.event_id));
    Ok(ok(&json!({
        "events": rows.iter().map(ActivityJson::from).collect::<Vec<_>>(),
        "next_cursor": next_cursor,
    })))
}

/// Shares the asset with a customer from `from`, until `until` (exclusive) when given.
pub async fn create_share<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (tenant, asset) = asset_in_path(call).await?;
    let row = share_rules::create(call.rt, tenant, &call.actor(), &asset, &call.json()?).await?;
    Ok(created(&json!({ "share": ShareJson::from(&row) })))
}

pub async fn list_shares<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (tenant, asset) = asset_in_path(call).await?;
    let rows = equipment::list_shares(call.rt.db(), tenant, &asset).await?;
    Ok(ok(&json!({ "shares": rows.iter().map(ShareJson::from).collect::<Vec<_>>() })))
}

pub async fn delete_share<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (tenant, asset) = asset_in_path(call).await?;
    let id = call.id("share_id", AssetShareId::parse)?;
    share_rules::delete(call.rt, tenant, &call.actor(), &asset, id).await?;
    Ok(no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_cursors_carry_a_time_and_an_event_id_that_may_hold_dots() {
        assert_eq!(parse_activity_cursor("1700000000000.evt.1"), Some((1_700_000_000_000, "evt.1")));
        for bad in ["", "1700000000000", "x.evt", "-1.evt", "1700000000000."] {
            assert_eq!(parse_activity_cursor(bad), None, "{bad}");
        }
    }
}
