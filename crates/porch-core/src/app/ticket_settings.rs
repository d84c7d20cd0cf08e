//! A portal's ticket settings, the rule written once for the admin API
//! (`updateTicketSettings`) and the console's portal tickets page: which of the tenant's
//! tickets the portal shows and to whom, how their status reads, what a reply to a closed
//! ticket does and what its support form asks. Written whole in one audited statement,
//! guarded by the portal's version, then the portal's cached contexts are refreshed so its
//! pages use them at once.

use serde::Deserialize;

use crate::app::input::{double_option, Fields};
use crate::app::portal_settings::{refresh_portal_hosts, NO_PIPELINE};
use crate::app::versions::{retry, Precondition};
use crate::runtime::Runtime;
use crate::store::audit::Actor;
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
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    pub visibility: Option<String>,
    pub status_display: Option<String>,
    pub closed_replies: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub inbox_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub pipeline_id: Option<Option<String>>,
    pub rules: Option<RulesInput>,
    pub form: Option<Vec<FormFieldInput>>,
    pub satisfaction: Option<bool>,
}

/// The portal's settings as stored (what its pages use once the cache is refreshed).
pub async fn stored<R: Runtime>(rt: &R, scope: PortalScope) -> Result<TicketSettings, AppError> {
    Ok(tenancy::load_portal(rt, scope).await?.ok_or(AppError::NotFound)?.tickets)
}

/// What of the tenant the settings may name.
pub async fn catalog<R: Runtime>(rt: &R, scope: PortalScope) -> Result<Catalog, AppError> {
    let db = rt.db();
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

/// Writes the settings `input` asks for, when the portal's version passes `pre`: the
/// settings now in force and the portal's new version.
pub async fn update<R: Runtime>(
    rt: &R,
    scope: PortalScope,
    actor: &Actor,
    input: &SettingsInput,
    pre: &Precondition,
) -> Result<(TicketSettings, i64), AppError> {
    retry(async || {
        let row = portals::get(rt.db(), scope.tenant, scope.portal).await?.ok_or(AppError::NotFound)?;
        pre.allow(row.version)?;
        let current = stored(rt, scope).await?;
        let catalog = catalog(rt, scope).await?;
        // A portal offering the support form with no pipeline to file into (one set up
        // before this rule) is told so here too, where the provider sets where tickets go.
        if row.apps.contains(App::SupportForm) && catalog.pipelines.is_empty() {
            return Err(AppError::invalid("pipeline_id", NO_PIPELINE));
        }
        let next = settings(input, &current, &catalog)?;
        if !portals::update_ticket_settings(rt.db(), scope.tenant, &row, &current, &next, actor, rt.now()).await? {
            // The portal changed (computed again over it), or went (404 on the next read); or
            // an inbox or pipeline named was deleted, which the next attempt's check refuses.
            return Ok(None);
        }
        refresh_portal_hosts(rt, scope.tenant, &row, None).await?;
        let version = portals::get(rt.db(), scope.tenant, scope.portal).await?.ok_or(AppError::NotFound)?.version;
        Ok(Some((stored(rt, scope).await?, version)))
    })
    .await
}
