//! A portal's ticket settings in the console, through `app::ticket_settings` as
//! `updateTicketSettings`: what an owner saves is what the API reads back and what the
//! portal's pages use at once; a refused form keeps what was typed and points at the row;
//! rules the page has no editor for survive its saves; nobody else writes.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use crate::common::body_text;
use crate::console_staff::{invite, join, version_on, Staffer};
use crate::ticket_settings::{fixture, Fixture};
use porch_types::portal_tickets::Visibility;
use serde_json::json;

fn owner(f: &Fixture) -> Staffer<'_> {
    join(&f.app, &invite(&f.app, &f.key, &f.tenant, "own@acme.example", "owner"), "Own Owner")
}

fn page_path(f: &Fixture) -> String {
    format!("/tenants/{}/portals/{}/tickets", f.tenant, f.portal)
}

#[test]
fn an_owner_saves_ticket_settings_that_the_api_reads_back_and_the_portal_uses_at_once() {
    let f = fixture();
    let owner = owner(&f);
    let portal_page = body_text(&owner.browser.get(&format!("/tenants/{}/portals/{}", f.tenant, f.portal)));
    assert!(portal_page.contains(&format!(r#"href="{}""#, page_path(&f))), "the portal's page links to it");
    let page = body_text(&owner.browser.get(&page_path(&f)));
    assert!(page.contains(r#"<option value="region">Region</option>"#), "{page}");
    assert!(page.contains(">Label in Danish</label>"), "languages are named in the page's: {page}");
    let version = version_on(&page, "");
    let rule = format!("rule-pipeline-{}", f.pipeline);
    let saved = owner.browser.post(
        &page_path(&f),
        &[
            ("version", version.as_str()),
            ("visibility", "organisation"),
            ("status_display", "stages"),
            ("closed_replies", "refuse"),
            ("inbox_id", &f.inbox),
            ("pipeline_id", &f.pipeline),
            (&rule, "yes"),
            ("rule-priority-urgent", "yes"),
            ("field-0-property", "priority"),
            ("field-0-required", "yes"),
            ("field-0-label-en", "Urgency"),
            ("field-0-label-da", "Hast"),
            ("field-0-label-nb", ""),
            ("field-1-property", ""),
            ("field-1-label-en", "left without a property: no field"),
            ("field-2-property", "region"),
        ],
    );
    assert_eq!(saved.status, 303, "{}", body_text(&saved));
    assert_eq!(saved.header("location"), Some(format!("{}?done=saved", page_path(&f)).as_str()));
    assert_eq!(
        f.get(),
        json!({
            "visibility": "organisation",
            "status_display": "stages",
            "closed_replies": "refuse",
            "inbox_id": f.inbox,
            "pipeline_id": f.pipeline,
            "rules": { "pipelines": [f.pipeline], "inboxes": [], "priorities": ["urgent"], "properties": [] },
            "form": [
                { "property": "priority", "required": true, "labels": { "en": "Urgency", "da": "Hast" } },
                { "property": "region", "required": false, "labels": {} }
            ],
            "satisfaction": false
        })
    );
    assert_eq!(f.cached().visibility, Visibility::Organisation, "the portal's cached context follows at once");
    let audit = f.app.sql("SELECT actor FROM audit_log WHERE action = 'portal.ticket_settings'", Vec::new());
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["actor"], format!("staff:{}", owner.id));

    let again = body_text(&owner.browser.get(&format!("{}?done=saved", page_path(&f))));
    assert!(again.contains("Ticket settings saved."));
    assert!(again.contains(r#"name="field-0-label-da" value="Hast""#), "{again}");
    assert!(again.contains(&format!(r#"name="{rule}" value="yes" checked"#)), "{again}");
}

#[test]
fn a_refused_form_keeps_what_was_typed_points_at_the_row_and_changes_nothing() {
    let f = fixture();
    let owner = owner(&f);
    let before = f.get();
    let version = version_on(&body_text(&owner.browser.get(&page_path(&f))), "");
    let refused = owner.browser.post(
        &page_path(&f),
        &[
            ("version", version.as_str()),
            ("visibility", "own"),
            ("field-0-property", "region"),
            ("field-0-label-en", "Where are you?"),
            ("field-1-property", "region"),
            ("field-1-label-nb", "Region igjen"),
        ],
    );
    assert_eq!(refused.status, 422);
    let page = body_text(&refused);
    assert!(page.contains(r##"<a href="#field-1-property">appears twice</a>"##), "{page}");
    assert!(page.contains(r#"value="Where are you?""#) && page.contains(r#"value="Region igjen""#), "{page}");
    assert_eq!(f.get(), before);

    // A stale form: someone saved through the API since the page was drawn.
    let (status, _) = f.put(&json!({ "status_display": "stages" }));
    assert_eq!(status, 200);
    let stale = owner.browser.post(&page_path(&f), &[("version", version.as_str()), ("visibility", "organisation")]);
    assert_eq!(stale.status, 409);
    let page = body_text(&stale);
    assert!(page.contains("Someone changed this portal") && page.contains(r#"value="stages" checked"#), "{page}");
    assert_eq!(f.get()["visibility"], "own");
}

#[test]
fn rules_on_properties_set_through_the_api_survive_a_save_in_the_console() {
    let f = fixture();
    let (status, body) = f.put(&json!({ "rules": { "properties": [{ "key": "region", "values": ["EU"] }] } }));
    assert_eq!(status, 200, "{body}");
    let owner = owner(&f);
    let page = body_text(&owner.browser.get(&page_path(&f)));
    assert!(page.contains("1 rule(s) on ticket properties"), "{page}");
    let version = version_on(&page, "");
    let saved = owner.browser.post(&page_path(&f), &[("version", version.as_str()), ("rule-priority-high", "yes")]);
    assert_eq!(saved.status, 303, "{}", body_text(&saved));
    assert_eq!(
        f.get()["rules"],
        json!({ "pipelines": [], "inboxes": [], "priorities": ["high"], "properties": [{ "key": "region", "values": ["EU"] }] })
    );
}

#[test]
fn a_viewer_reads_the_settings_but_cannot_save_and_another_tenants_staff_find_nothing() {
    let f = fixture();
    let viewer = join(&f.app, &invite(&f.app, &f.key, &f.tenant, "vi@acme.example", "viewer"), "Vi Viewer");
    let page = body_text(&viewer.browser.get(&page_path(&f)));
    assert!(page.contains("<fieldset class=\"stack\" disabled>"), "{page}");
    let version = version_on(&page, "");
    assert_eq!(
        viewer.browser.post(&page_path(&f), &[("version", version.as_str()), ("visibility", "own")]).status,
        403
    );

    let (other, other_key) = f.app.new_tenant("other-co");
    let stranger = join(&f.app, &invite(&f.app, &other_key, &other, "st@other.example", "owner"), "St Ranger");
    assert_eq!(stranger.browser.get(&page_path(&f)).status, 404);
    assert_eq!(stranger.browser.post(&page_path(&f), &[("version", "1"), ("visibility", "own")]).status, 404);
}
