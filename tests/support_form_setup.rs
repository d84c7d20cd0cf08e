//! A support form with nowhere to file its tickets is refused when the provider configures
//! it (422 naming the field), never discovered by a recipient: every API path that could put
//! a portal there (its apps, a template it follows, a template's change or rollback, the
//! deletion of the tenant's last pipeline) is tried, in process on real `SQLite`.

use crate::common;

use common::{error_fields, provider};
use porch_core::http::Method;
use serde_json::json;

const NO_PIPELINE: &str = "support_form needs a pipeline for its tickets";

/// The first field error's field and message.
fn refusal(body: &serde_json::Value) -> (String, String) {
    let field = &body["error"]["fields"][0];
    (field["field"].as_str().unwrap().to_owned(), field["message"].as_str().unwrap().to_owned())
}

#[test]
fn a_portal_or_template_offering_the_support_form_without_a_pipeline_is_refused_naming_the_field() {
    let p = provider();
    let portals = || p.app.sql("SELECT COUNT(*) AS n FROM portals", Vec::new())[0]["n"].as_i64().unwrap();

    // A portal's own apps.
    let body = json!({ "slug": "acme", "name": "Acme", "apps": ["tickets", "support_form"] });
    let (status, refused) = p.call(Method::Post, "/portals", &body);
    assert_eq!(status, 422, "{refused}");
    assert_eq!(error_fields(&refused), ["apps"]);
    assert!(refusal(&refused).1.starts_with(NO_PIPELINE), "{refused}");
    assert_eq!(portals(), 0, "nothing created");
    // Without apps named, a new portal offers what it can deliver: the ticket pages.
    let (status, created) = p.call(Method::Post, "/portals", &json!({ "slug": "acme", "name": "Acme" }));
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["portal"]["apps"], json!(["tickets"]));
    let portal = created["portal"]["id"].as_str().unwrap().to_owned();
    let (status, refused) =
        p.call(Method::Patch, &format!("/portals/{portal}"), &json!({ "apps": ["tickets", "support_form"] }));
    assert_eq!((status, error_fields(&refused)), (422, vec!["apps".to_owned()]), "{refused}");

    // A template's apps, created or changed.
    let (status, refused) =
        p.call(Method::Post, "/templates", &json!({ "name": "Service", "apps": ["tickets", "support_form"] }));
    assert_eq!((status, refusal(&refused).0), (422, "apps".to_owned()), "{refused}");
    let (status, template) = p.call(Method::Post, "/templates", &json!({ "name": "Service" }));
    assert_eq!(status, 201, "{template}");
    assert_eq!(template["template"]["apps"], json!(["tickets"]));
    let id = template["template"]["id"].as_str().unwrap().to_owned();
    let (status, refused) =
        p.call(Method::Put, &format!("/templates/{id}"), &json!({ "apps": ["tickets", "support_form"] }));
    assert_eq!((status, refusal(&refused).0), (422, "apps".to_owned()), "{refused}");

    // With a pipeline all of it is allowed, and once it is gone again (no portal offering the
    // form then) a template that kept the form can neither be followed nor rolled back to.
    let pipeline = p.support_pipeline();
    let (status, body) =
        p.call(Method::Put, &format!("/templates/{id}"), &json!({ "apps": ["tickets", "support_form"] }));
    assert_eq!(status, 200, "{body}");
    let (status, body) = p.call(Method::Put, &format!("/templates/{id}"), &json!({ "apps": ["tickets"] }));
    assert_eq!(status, 200, "{body}");
    let (status, form) =
        p.call(Method::Post, "/templates", &json!({ "name": "Form", "apps": ["tickets", "support_form"] }));
    assert_eq!(status, 201, "{form}");
    let form = form["template"]["id"].as_str().unwrap().to_owned();
    assert_eq!(p.call(Method::Delete, &format!("/pipelines/{pipeline}"), &json!(null)).0, 204);
    let (status, refused) =
        p.call(Method::Post, "/portals", &json!({ "slug": "form", "name": "Form", "template_id": form }));
    assert_eq!((status, refusal(&refused).0), (422, "template_id".to_owned()), "{refused}");
    assert!(refusal(&refused).1.contains(NO_PIPELINE), "{refused}");
    let (status, refused) = p.call(Method::Patch, &format!("/portals/{portal}"), &json!({ "template_id": form }));
    assert_eq!((status, refusal(&refused).0), (422, "template_id".to_owned()), "{refused}");
    let (status, refused) = p.call(Method::Post, &format!("/templates/{id}/rollback"), &json!({ "version": 2 }));
    assert_eq!((status, refusal(&refused).0), (422, "version".to_owned()), "{refused}");
    assert_eq!(portals(), 1);
}

#[test]
fn the_last_pipeline_is_kept_while_a_portal_offers_the_support_form() {
    let p = provider();
    let pipeline = p.support_pipeline();
    let body = json!({ "slug": "acme", "name": "Acme", "apps": ["tickets", "support_form"] });
    let (status, created) = p.call(Method::Post, "/portals", &body);
    assert_eq!(status, 201, "{created}");
    let portal = created["portal"]["id"].as_str().unwrap().to_owned();
    // Its ticket settings name the pipeline, as a provider choosing where the form files does.
    let settings = format!("/portals/{portal}/ticket-settings");
    assert_eq!(p.call(Method::Put, &settings, &json!({ "pipeline_id": pipeline })).0, 200);

    let (status, refused) = p.call(Method::Delete, &format!("/pipelines/{pipeline}"), &json!(null));
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refusal(&refused).0, "pipeline_id");
    assert!(refusal(&refused).1.contains("acme"), "the portal is named: {refused}");
    assert_eq!(p.call(Method::Get, &format!("/pipelines/{pipeline}"), &json!(null)).0, 200, "still there");

    // With another pipeline the form files there instead, so the named one may go.
    let other = p.support_pipeline_named("Field service");
    assert_eq!(p.call(Method::Delete, &format!("/pipelines/{pipeline}"), &json!(null)).0, 204);
    let (status, refused) = p.call(Method::Delete, &format!("/pipelines/{other}"), &json!(null));
    assert_eq!((status, refusal(&refused).0), (422, "pipeline_id".to_owned()), "now the last: {refused}");
    // Without the form on any portal, the last pipeline may go too.
    assert_eq!(p.call(Method::Patch, &format!("/portals/{portal}"), &json!({ "apps": ["tickets"] })).0, 200);
    assert_eq!(p.call(Method::Delete, &format!("/pipelines/{other}"), &json!(null)).0, 204);
}

#[test]
fn a_portal_set_up_with_the_form_before_the_rule_is_told_when_its_ticket_settings_are_saved() {
    let p = provider();
    let (status, created) = p.call(Method::Post, "/portals", &json!({ "slug": "acme", "name": "Acme" }));
    assert_eq!(status, 201, "{created}");
    let portal = created["portal"]["id"].as_str().unwrap().to_owned();
    // As migration 0007 gave every portal of its day the form, with or without a pipeline.
    p.app.execute(
        "INSERT INTO portal_apps (tenant_id, portal_id, app) VALUES (?1, ?2, 'support_form')",
        vec![p.tenant.clone().into(), portal.clone().into()],
    );
    let settings = format!("/portals/{portal}/ticket-settings");
    let (status, refused) = p.call(Method::Put, &settings, &json!({ "satisfaction": true }));
    assert_eq!((status, refusal(&refused).0), (422, "pipeline_id".to_owned()), "{refused}");
    assert!(refusal(&refused).1.starts_with(NO_PIPELINE));
    p.support_pipeline();
    assert_eq!(p.call(Method::Put, &settings, &json!({ "satisfaction": true })).0, 200);
}
