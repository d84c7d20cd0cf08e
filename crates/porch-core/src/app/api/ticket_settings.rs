//! A portal's ticket settings through the admin API: which of the tenant's tickets it shows
//! and to whom, how their status reads, what a reply to a closed ticket does and what its
//! support form asks. Written whole in one audited statement, then the portal's cached
//! contexts are refreshed so its pages use them at once.

use serde::Deserialize;
use serde_json::json;

use super::input::{double_option, Fields};
use super::recipients::portal_scope;
use super::versions::{self, tagged, Precondition};
use super::{ok, Call};
use crate::app::portal_settings::{refresh_portal_hosts, NO_PIPELINE};
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::{inboxes, pipelines, portals, ticket_properties, PortalScope};
use crate::tenancy;
use porch_types::apps::App;
use porch_types::error::AppError;
use porch_types::ids::{InboxId, PipelineId};
use porch_types::portal_tickets::{
    parse_form, parse_rules, Catalog, ClosedReplies, FormFieldInput, RulesInput, StatusDisplay, TicketSettings,
    Visibility,
};

/// A PUT body: every field optional, an absent one keeps its value. `inbox_id` and
/// `pipeline_id` null clear them; `rules` and `form` replace the current ones whole.
#[allow(clippy::option_option)]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsInput {
    visibility: Option<String>,
    status_display: Option<String>,
    closed_replies: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    inbox_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pipeline_id: Option<Option<String>>,
    rules: Option<RulesInput>,
    form: Option<Vec<FormFieldInput>>,
    satisfaction: Option<bool>,
}

/// The portal's settings as stored (what its pages use once the cache is refreshed).
async fn stored<R: Runtime>(call: &Call<'_, R>, scope: PortalScope) -> Result<TicketSettings, AppError> {
    Ok(tenancy::load_portal(call.rt, scope).await?.ok_or(AppError::NotFound)?.tickets)
}

/// What of the tenant the settings may name.
async fn catalog<R: Runtime>(call: &Call<'_, R>, scope: PortalScope) -> Result<Catalog, AppError> {
    let db = call.rt.db();
    let pipelines =
        pipelines::list(db, scope.tenant).await?.iter().filter_map(|row| PipelineId::parse(&row.id)).collect();
    let inboxes = inboxes::list(db, scope.tenant).await?.iter().filter_map(|row| InboxId::parse(&row.id)).collect();
    // A property whose stored kind no longer parses cannot be checked against: it is left
    // out, so naming it is refused rather than accepted unchecked.
    let properties = ticket_properties::list(db, scope.tenant)
        .await?
        .into_iter()
        .filter_map(|row| row.kind().map(|kind| (row.key, kind)))
        .collect();
    Ok(Catalog { pipelines, inboxes, properties })
}

/// Sets `slot` from the body's field when it has one. A bad value is recorded and the slot
/// left alone: the whole body is refused then anyway.
fn set<R, T, E: std::fmt::Display>(
    fields: &mut Fields,
    name: &str,
    raw: Option<R>,
    parse: impl Fn(R) -> Result<T, E>,
    slot: &mut T,
) {
    if let Some(value) = raw.and_then(|raw| fields.check(name, parse(raw))) {
        *slot = value;
    }
}

/// The settings a body asks for, on top of `current`; every problem a field error (422).
fn settings(input: &SettingsInput, current: &TicketSettings, catalog: &Catalog) -> Result<TicketSettings, AppError> {
    let mut fields = Fields::default();
    let mut next = current.clone();
    let f = &mut fields;
    set(f, "visibility", input.visibility.as_deref(), Visibility::parse, &mut next.visibility);
    set(f, "status_display", input.status_display.as_deref(), StatusDisplay::parse, &mut next.status_display);
    set(f, "closed_replies", input.closed_replies.as_deref(), ClosedReplies::parse, &mut next.closed_replies);
    // null clears an id; a value must name an inbox or pipeline of the tenant.
    let inbox = |raw: &Option<String>| raw.as_deref().map(|id| catalog.inbox(id)).transpose();
    set(f, "inbox_id", input.inbox_id.as_ref(), inbox, &mut next.inbox_id);
    let pipeline = |raw: &Option<String>| raw.as_deref().map(|id| catalog.pipeline(id)).transpose();
    set(f, "pipeline_id", input.pipeline_id.as_ref(), pipeline, &mut next.pipeline_id);
    if let Some(on) = input.satisfaction {
        next.satisfaction = on;
    }
    let mut errors = Vec::new();
    if let Some(rules) = input.rules.as_ref().and_then(|raw| parse_rules(raw, catalog, &mut errors)) {
        next.rules = rules;
    }
    if let Some(form) = input.form.as_deref().and_then(|raw| parse_form(raw, catalog, &mut errors)) {
        next.form = form;
    }
    for error in errors {
        fields.error(&error.field, &error.message);
    }
    fields.finish()?;
    Ok(next)
}

/// The settings with the portal's version as their `ETag` (they are part of its row). The
/// version is read before the settings: a write landing in between makes the tag older than
/// what is shown, which can only refuse a write, never let a stale one through.
pub async fn get<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let (scope, row) = portal_scope(call).await?;
    Ok(tagged(ok(&json!({ "ticket_settings": stored(call, scope).await?.to_json() })), row.version))
}

pub async fn update<R: Runtime>(call: &Call<'_, R>) -> Result<Response, AppError> {
    let pre = Precondition::of(call.req)?;
    let input: SettingsInput = call.json()?;
    versions::write(async || {
        let (scope, row) = portal_scope(call).await?;
        pre.allow(row.version)?;
        let current = stored(call, scope).await?;
        let catalog = catalog(call, scope).await?;
        // A portal offering the support form with no pipeline to file into (one set up
        // before this rule) is told so here too, where the provider sets where tickets go.
        if row.apps.contains(App::SupportForm) && catalog.pipelines.is_empty() {
            return Err(AppError::invalid("pipeline_id", NO_PIPELINE));
        }
        let next = settings(&input, &current, &catalog)?;
        let db = call.rt.db();
        if !portals::update_ticket_settings(db, scope.tenant, &row, &current, &next, &call.actor(), call.rt.now())
            .await?
        {
            // The portal changed (computed again over it), or went (404 on the next read); or
            // an inbox or pipeline named was deleted, which the next attempt's check refuses.
            return Ok(None);
        }
        refresh_portal_hosts(call.rt, scope.tenant, &row, None).await?;
        let version = portals::get(db, scope.tenant, scope.portal).await?.ok_or(AppError::NotFound)?.version;
        Ok(Some(tagged(ok(&json!({ "ticket_settings": stored(call, scope).await?.to_json() })), version)))
    })
    .await
}
