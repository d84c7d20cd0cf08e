//! A portal's ticket settings and a user's visibility override through the admin API, in
//! process on real `SQLite`: defaults, whole and partial writes, field errors that change
//! nothing, tenant isolation, deleted inboxes and pipelines, and the portal's cached context
//! following every change at once.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::too_many_lines)]

use crate::common;

use common::{error_fields, spawn_app, TestApp};
use porch_core::http::Method;
use porch_core::store::Value;
use porch_types::host::Hostname;
use porch_types::portal_tickets::{TicketSettings, Visibility};
use serde_json::json;

const HOST: &str = "acme.portals.localhost";

/// A tenant with a portal (`acme`), a pipeline, an inbox and two custom properties.
pub struct Fixture {
    pub app: TestApp,
    pub tenant: String,
    pub key: String,
    pub portal: String,
    pub pipeline: String,
    pub inbox: String,
}

fn created_id(app: &TestApp, key: &str, path: &str, body: &serde_json::Value, field: &str) -> String {
    let (status, created) = app.api_as(Some(key), Method::Post, path, body);
    assert_eq!(status, 201, "{created}");
    created[field]["id"].as_str().unwrap().to_owned()
}

pub fn fixture() -> Fixture {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let portal = app.new_portal(&key, &tenant, &json!({ "slug": "acme", "name": "Acme Support" }));
    let pipeline = created_id(
        &app,
        &key,
        &format!("/api/v1/tenants/{tenant}/pipelines"),
        &json!({ "name": "Support", "stages": [{ "name": "New" }, { "name": "Solved", "closed": true }] }),
        "pipeline",
    );
    let inbox =
        created_id(&app, &key, &format!("/api/v1/tenants/{tenant}/inboxes"), &json!({ "name": "Support" }), "inbox");
    let properties = format!("/api/v1/tenants/{tenant}/ticket-properties");
    created_id(
        &app,
        &key,
        &properties,
        &json!({ "key": "region", "label": "Region", "kind": "choice", "choices": ["EU", "US"] }),
        "property",
    );
    created_id(&app, &key, &properties, &json!({ "key": "units", "label": "Units", "kind": "number" }), "property");
    Fixture { app, tenant, key, portal, pipeline, inbox }
}

impl Fixture {
    fn path(&self) -> String {
        format!("/api/v1/tenants/{}/portals/{}/ticket-settings", self.tenant, self.portal)
    }

    pub fn get(&self) -> serde_json::Value {
        let (status, body) = self.app.api_as(Some(&self.key), Method::Get, &self.path(), &json!(null));
        assert_eq!(status, 200, "{body}");
        body["ticket_settings"].clone()
    }

    pub fn put(&self, body: &serde_json::Value) -> (u16, serde_json::Value) {
        self.app.api_as(Some(&self.key), Method::Put, &self.path(), body)
    }

    /// The portal's context as its pages get it: through the isolate cache and KV.
    pub fn cached(&self) -> TicketSettings {
        let host = Hostname::parse(HOST).unwrap();
        let resolved = pollster::block_on(porch_core::tenancy::resolve(&self.app.rt, &host)).unwrap().unwrap();
        resolved.context.tickets.clone()
    }

    /// A person on the portal, written straight to the database (joining is not under test).
    fn account(&self, portal: &str, number: u8, email: &str) -> String {
        let id = format!("00000000-0000-4000-8000-{number:012}");
        self.app.execute(
            "INSERT INTO accounts (id, tenant_id, portal_id, email, name, role, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, 'Pat', 'member', 0, 0)",
            vec![Value::from(id.as_str()), Value::from(self.tenant.as_str()), Value::from(portal), Value::from(email)],
        );
        id
    }
}

/// Everything a PUT can set, naming the fixture's pipeline, inbox and properties.
fn full_settings(f: &Fixture) -> serde_json::Value {
    json!({
        "visibility": "organisation",
        "status_display": "stages",
        "closed_replies": "refuse",
        "inbox_id": f.inbox,
        "pipeline_id": f.pipeline,
        "rules": {
            "pipelines": [f.pipeline],
            "inboxes": [f.inbox],
            "priorities": ["high", "urgent"],
            "properties": [{ "key": "region", "values": ["EU"] }, { "key": "units", "values": [1, 2.5] }]
        },
        "form": [
            { "property": "priority", "required": true, "labels": { "en": "Urgency", "da": "Hast" } },
            { "property": "region", "required": false, "labels": {} }
        ],
        "satisfaction": false
    })
}

#[test]
fn a_new_portal_reads_back_the_default_ticket_settings() {
    let f = fixture();
    assert_eq!(
        f.get(),
        json!({
            "visibility": "own",
            "status_display": "open_closed",
            "closed_replies": "reopen",
            "inbox_id": null,
            "pipeline_id": null,
            "rules": { "pipelines": [], "inboxes": [], "priorities": [], "properties": [] },
            "form": [],
            "satisfaction": true
        })
    );
}

#[test]
fn a_full_put_round_trips_and_is_audited_before_and_after() {
    let f = fixture();
    let defaults = f.get();
    let wanted = full_settings(&f);
    let (status, body) = f.put(&wanted);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ticket_settings"], wanted);
    assert_eq!(f.get(), wanted);
    let audit = f.app.sql(
        "SELECT before_json, after_json FROM audit_log WHERE action = 'portal.ticket_settings' AND target_id = ?1",
        vec![Value::from(f.portal.as_str())],
    );
    assert_eq!(audit.len(), 1);
    let parse =
        |column: &serde_json::Value| serde_json::from_str::<serde_json::Value>(column.as_str().unwrap()).unwrap();
    assert_eq!(parse(&audit[0]["before_json"]), defaults);
    assert_eq!(parse(&audit[0]["after_json"]), wanted);
}

#[test]
fn a_partial_put_keeps_every_field_it_does_not_name() {
    let f = fixture();
    assert_eq!(f.put(&full_settings(&f)).0, 200);
    let (status, body) = f.put(&json!({ "visibility": "own", "inbox_id": null }));
    assert_eq!(status, 200, "{body}");
    let mut expected = full_settings(&f);
    expected["visibility"] = json!("own");
    expected["inbox_id"] = json!(null);
    assert_eq!(f.get(), expected);

    // `rules` and `form` are replaced whole: `{}` and `[]` remove them.
    let (status, body) = f.put(&json!({ "rules": {}, "form": [] }));
    assert_eq!(status, 200, "{body}");
    expected["rules"] = json!({ "pipelines": [], "inboxes": [], "priorities": [], "properties": [] });
    expected["form"] = json!([]);
    assert_eq!(f.get(), expected);
}

#[test]
fn each_invalid_setting_is_a_field_error_that_changes_nothing() {
    let f = fixture();
    let (other_tenant, other_key) = f.app.new_tenant("other");
    let foreign_pipeline = created_id(
        &f.app,
        &other_key,
        &format!("/api/v1/tenants/{other_tenant}/pipelines"),
        &json!({ "name": "Theirs", "stages": [{ "name": "New" }, { "name": "Done", "closed": true }] }),
        "pipeline",
    );
    assert_eq!(f.put(&full_settings(&f)).0, 200);
    let before = f.get();
    let audit_before = f.app.audit_count();
    let cases = [
        (json!({ "rules": { "pipelines": [f.pipeline, foreign_pipeline] } }), "rules.pipelines[1]"),
        (json!({ "pipeline_id": foreign_pipeline }), "pipeline_id"),
        (json!({ "inbox_id": f.pipeline }), "inbox_id"),
        (
            json!({ "rules": { "properties": [{ "key": "units", "values": ["many"] }] } }),
            "rules.properties[0].values[0]",
        ),
        (
            json!({ "rules": { "properties": [{ "key": "region", "values": ["EU", "Mars"] }] } }),
            "rules.properties[0].values[1]",
        ),
        (json!({ "rules": { "properties": [{ "key": "colour", "values": ["red"] }] } }), "rules.properties[0].key"),
        (json!({ "rules": { "priorities": ["soon"] } }), "rules.priorities[0]"),
        (json!({ "form": [{ "property": "colour", "required": true }] }), "form[0].property"),
        (
            json!({ "form": [{ "property": "region", "required": true, "labels": { "de": "Region" } }] }),
            "form[0].labels.de",
        ),
        (json!({ "form": [{ "property": "region", "required": true, "labels": { "da": "" } }] }), "form[0].labels.da"),
        (
            json!({ "form": [{ "property": "region", "required": true }, { "property": "region", "required": false }] }),
            "form[1].property",
        ),
        (json!({ "visibility": "everyone" }), "visibility"),
        (json!({ "rules": { "priorities": vec!["low"; 51] } }), "rules"),
    ];
    for (body, field) in cases {
        // A valid change beside the invalid one shows that nothing at all is written.
        let mut body = body;
        body["satisfaction"] = json!(true);
        let (status, reply) = f.put(&body);
        assert_eq!(status, 422, "{body}: {reply}");
        assert_eq!(error_fields(&reply), [field], "{body}");
        assert_eq!(f.get(), before, "{body} changed the settings");
    }
    assert_eq!(f.app.audit_count(), audit_before);
    assert_eq!(f.put(&json!({ "satisfaction": "yes" })).0, 400, "a wrong JSON type is a bad request");
    assert_eq!(f.put(&json!({ "colour": "red" })).0, 400, "an unknown field is a bad request");
}

#[test]
fn another_tenants_portal_is_not_found() {
    let f = fixture();
    let (_, other_key) = f.app.new_tenant("other");
    assert_eq!(f.app.api_as(Some(&other_key), Method::Get, &f.path(), &json!(null)).0, 404);
    assert_eq!(f.app.api_as(Some(&other_key), Method::Put, &f.path(), &json!({ "visibility": "organisation" })).0, 404);
    // Nor is a portal found under another tenant's id with the right key.
    let (other_tenant, _) = f.app.new_tenant("third");
    let crossed = f.path().replace(&f.tenant, &other_tenant);
    assert_eq!(f.app.api_as(Some(&f.key), Method::Get, &crossed, &json!(null)).0, 404);
    assert_eq!(f.get()["visibility"], "own");
    assert_eq!(f.app.api(Method::Get, &f.path(), &json!(null)).0, 200, "the operator reaches every tenant");
}

#[test]
fn the_portals_cached_context_shows_new_settings_at_once() {
    let f = fixture();
    assert_eq!(f.cached(), TicketSettings::default(), "resolved once: now cached in the isolate and in KV");
    assert_eq!(f.put(&full_settings(&f)).0, 200);
    let cached = f.cached();
    assert_eq!(cached.visibility, Visibility::Organisation);
    assert_eq!(cached.inbox_id.as_deref(), Some(f.inbox.as_str()));
    assert_eq!(cached.rules.properties.len(), 2);
    assert_eq!(cached.form.len(), 2);
    assert!(!cached.satisfaction);
}

#[test]
fn deleting_the_default_inbox_or_pipeline_clears_it_from_the_portal_and_its_cache() {
    let f = fixture();
    assert_eq!(f.put(&full_settings(&f)).0, 200);
    assert_eq!(f.cached().inbox_id.as_deref(), Some(f.inbox.as_str()));

    let inbox_path = format!("/api/v1/tenants/{}/inboxes/{}", f.tenant, f.inbox);
    assert_eq!(f.app.api_as(Some(&f.key), Method::Delete, &inbox_path, &json!(null)).0, 204);
    let settings = f.get();
    assert!(settings["inbox_id"].is_null(), "{settings}");
    assert_eq!(settings["pipeline_id"], f.pipeline.as_str(), "only the deleted inbox is cleared");
    assert_eq!(settings["rules"]["inboxes"], json!([f.inbox]), "a rule naming it stays, matching none of its tickets");
    assert_eq!(f.cached().inbox_id, None);

    let pipeline_path = format!("/api/v1/tenants/{}/pipelines/{}", f.tenant, f.pipeline);
    assert_eq!(f.app.api_as(Some(&f.key), Method::Delete, &pipeline_path, &json!(null)).0, 204);
    assert!(f.get()["pipeline_id"].is_null());
    assert_eq!(f.cached().pipeline_id, None);
    let deletions = f
        .app
        .sql("SELECT COUNT(*) AS n FROM audit_log WHERE action IN ('inbox.delete', 'pipeline.delete')", Vec::new());
    assert_eq!(deletions[0]["n"], 2, "each delete is still audited (its write is the one before the entry)");
}

#[test]
fn a_pipeline_that_cannot_be_deleted_stays_named_by_the_portal() {
    let f = fixture();
    assert_eq!(f.put(&json!({ "pipeline_id": f.pipeline })).0, 200);
    let tickets = format!("/api/v1/tenants/{}/tickets", f.tenant);
    let (status, ticket) = f.app.api_as(
        Some(&f.key),
        Method::Post,
        &tickets,
        &json!({ "subject": "Broken", "description": "It broke.", "pipeline_id": f.pipeline }),
    );
    assert_eq!(status, 201, "{ticket}");
    let pipeline_path = format!("/api/v1/tenants/{}/pipelines/{}", f.tenant, f.pipeline);
    assert_eq!(f.app.api_as(Some(&f.key), Method::Delete, &pipeline_path, &json!(null)).0, 409);
    assert_eq!(f.get()["pipeline_id"], f.pipeline.as_str(), "the release was undone with the refused delete");
}

#[test]
fn the_override_appears_on_the_users_list_and_can_be_cleared() {
    let f = fixture();
    let person = f.account(&f.portal, 1, "pat@example.com");
    let users = format!("/api/v1/tenants/{}/portals/{}/users", f.tenant, f.portal);
    let user = format!("{users}/{person}");
    let listed = || {
        let (status, body) = f.app.api_as(Some(&f.key), Method::Get, &users, &json!(null));
        assert_eq!(status, 200, "{body}");
        body["users"][0]["ticket_visibility"].clone()
    };
    assert!(listed().is_null(), "no override: the portal's setting applies");

    let (status, body) =
        f.app.api_as(Some(&f.key), Method::Patch, &user, &json!({ "ticket_visibility": "organisation" }));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["ticket_visibility"], "organisation");
    assert_eq!(listed(), "organisation");

    let (status, body) = f.app.api_as(Some(&f.key), Method::Patch, &user, &json!({ "ticket_visibility": "everyone" }));
    assert_eq!(status, 422);
    assert_eq!(error_fields(&body), ["ticket_visibility"]);
    assert_eq!(listed(), "organisation", "a refused value changes nothing");

    let (status, body) = f.app.api_as(Some(&f.key), Method::Patch, &user, &json!({}));
    assert_eq!(status, 200, "{body}");
    assert_eq!(listed(), "organisation", "an absent field keeps the override");

    let (status, _) = f.app.api_as(Some(&f.key), Method::Patch, &user, &json!({ "ticket_visibility": null }));
    assert_eq!(status, 200);
    assert!(listed().is_null(), "null: back to the portal's setting");
    let audited = f.app.sql(
        "SELECT after_json FROM audit_log WHERE action = 'account.ticket_visibility' AND target_id = ?1 ORDER BY seq",
        vec![Value::from(person.as_str())],
    );
    assert_eq!(audited.len(), 2, "{audited:?}");
    assert_eq!(audited[1]["after_json"], r#"{"ticket_visibility":null}"#);
}

#[test]
fn an_account_of_another_portal_or_tenant_cannot_be_overridden() {
    let f = fixture();
    let second = f.app.new_portal(&f.key, &f.tenant, &json!({ "slug": "beta", "name": "Beta" }));
    let elsewhere = f.account(&second, 2, "sam@example.com");
    let body = json!({ "ticket_visibility": "organisation" });
    let through_first = format!("/api/v1/tenants/{}/portals/{}/users/{elsewhere}", f.tenant, f.portal);
    assert_eq!(f.app.api_as(Some(&f.key), Method::Patch, &through_first, &body).0, 404);
    let (_, other_key) = f.app.new_tenant("other");
    let own = format!("/api/v1/tenants/{}/portals/{second}/users/{elsewhere}", f.tenant);
    assert_eq!(f.app.api_as(Some(&other_key), Method::Patch, &own, &body).0, 404);
    let stored =
        f.app.sql("SELECT ticket_visibility FROM accounts WHERE id = ?1", vec![Value::from(elsewhere.as_str())]);
    assert!(stored[0]["ticket_visibility"].is_null());
}

#[test]
fn a_property_a_portal_names_cannot_be_deleted_until_the_portal_lets_go_of_it() {
    let f = fixture();
    let properties = format!("/api/v1/tenants/{}/ticket-properties", f.tenant);
    let (_, listed) = f.app.api_as(Some(&f.key), Method::Get, &properties, &json!(null));
    let property_id = |key: &str| {
        listed["properties"].as_array().unwrap().iter().find(|p| p["key"] == key).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (region, units) = (property_id("region"), property_id("units"));
    let (status, body) = f.put(&json!({
        "rules": { "properties": [{ "key": "region", "values": ["EU"] }] },
        "form": [{ "property": "units", "required": false }],
    }));
    assert_eq!(status, 200, "{body}");
    for id in [&region, &units] {
        let (status, body) = f.app.api_as(Some(&f.key), Method::Delete, &format!("{properties}/{id}"), &json!(null));
        assert_eq!(status, 409, "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("Acme Support"), "{body}");
    }
    assert_eq!(f.put(&json!({ "rules": {}, "form": [] })).0, 200);
    for id in [&region, &units] {
        let (status, body) = f.app.api_as(Some(&f.key), Method::Delete, &format!("{properties}/{id}"), &json!(null));
        assert_eq!(status, 204, "{body}");
    }
}
