//! Webhooks end to end, in process: endpoints added, listed and deleted through the admin
//! API; events queued the way the ticket code will queue them (a statement in its batch);
//! delivered by the scheduled handler against canned receivers, signed so a receiver can
//! verify them; retried, given up, and kept from other tenants.

// A panic in a test or its helpers is a failed test; a test reads as one story.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::too_many_lines)]

use crate::common;

use common::{error_fields, spawn_app, TestApp};
use hmac::{Hmac, Mac};
use porch_core::http::Method;
use porch_core::params;
use porch_core::runtime::{OutboundRequest, Runtime};
use porch_core::store::{webhooks as store, Database, Statement};
use porch_core::webhooks::{self, WebhookEvent};
use porch_types::ids::{TenantId, WebhookEventId};
use serde_json::json;
use sha2::Sha256;

const DESK: &str = "https://desk.example.test/porch";
const BACKUP: &str = "https://backup.example.test/in?token=abc";

fn answer(app: &TestApp, url: &str, status: u16) {
    app.rt.http.answers.borrow_mut().insert(url.to_owned(), (status, format!("{{\"status\":{status}}}")));
}

/// Adds an endpoint as `key`: (its id, its secret).
fn add_webhook(app: &TestApp, key: &str, tenant: &str, url: &str) -> (String, String) {
    let (status, body) =
        app.api_as(Some(key), Method::Post, &format!("/api/v1/tenants/{tenant}/webhooks"), &json!({ "url": url }));
    assert_eq!(status, 201, "{body}");
    (body["webhook"]["id"].as_str().unwrap().to_owned(), body["secret"].as_str().unwrap().to_owned())
}

/// Queues `event` the way the ticket code does: the statement in a batch of its own change.
fn queue(app: &TestApp, tenant: &str, event: WebhookEvent, data: &serde_json::Value) {
    let statement = webhooks::event(&app.rt, TenantId::parse(tenant).unwrap(), event, data).unwrap();
    pollster::block_on(app.rt.db.batch(vec![statement])).unwrap();
}

fn run_scheduled(app: &TestApp) {
    pollster::block_on(porch_core::app::scheduled::run(&app.rt));
}

fn sent(app: &TestApp) -> Vec<OutboundRequest> {
    app.rt.http.requests.borrow().clone()
}

fn header<'r>(request: &'r OutboundRequest, name: &str) -> &'r str {
    request.headers.iter().find(|(n, _)| n == name).map_or_else(|| panic!("no {name} header"), |(_, v)| v.as_str())
}

/// What a receiver does with `Porch-Signature`: split it, recompute the HMAC over the raw
/// body with its copy of the secret, and compare. Returns the signed time.
fn verify(secret: &str, signature: &str, body: &str) -> Result<i64, String> {
    let (t, v1) = signature
        .split_once(',')
        .and_then(|(t, v1)| Some((t.strip_prefix("t=")?, v1.strip_prefix("v1=")?)))
        .ok_or("malformed header")?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let expected = porch_types::to_hex(&mac.finalize().into_bytes());
    if expected == v1 {
        t.parse().map_err(|_| "bad time".to_owned())
    } else {
        Err("signature does not match".to_owned())
    }
}

fn deliveries(app: &TestApp, key: &str, tenant: &str, webhook: &str) -> Vec<serde_json::Value> {
    let path = format!("/api/v1/tenants/{tenant}/webhooks/{webhook}/deliveries");
    let (status, body) = app.api_as(Some(key), Method::Get, &path, &serde_json::Value::Null);
    assert_eq!(status, 200, "{body}");
    body["deliveries"].as_array().unwrap().clone()
}

// Endpoints --------------------------------------------------------------------------------

#[test]
fn creating_an_endpoint_shows_its_secret_once_and_listing_never_does() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme");
    let audited = app.audit_count();

    let (status, body) =
        app.api_as(Some(&key), Method::Post, &format!("/api/v1/tenants/{tenant}/webhooks"), &json!({ "url": BACKUP }));

    assert_eq!(status, 201, "{body}");
    let secret = body["secret"].as_str().unwrap();
    assert!(secret.starts_with("porch_whsec_") && secret.len() == "porch_whsec_".len() + 43, "{secret}");
    assert_eq!(body["webhook"]["url"], BACKUP);
    assert_eq!(body["webhook"]["enabled"], true);
    assert!(body["webhook"].get("secret").is_none(), "{body}");
    let (status, listed) =
        app.api_as(Some(&key), Method::Get, &format!("/api/v1/tenants/{tenant}/webhooks"), &serde_json::Value::Null);
    assert_eq!(status, 200);
    assert_eq!(listed["webhooks"].as_array().unwrap().len(), 1);
    assert_eq!(listed["webhooks"][0], body["webhook"]);
    assert!(!listed.to_string().contains(secret), "{listed}");
    let (_, other) =
        app.api_as(Some(&key), Method::Post, &format!("/api/v1/tenants/{tenant}/webhooks"), &json!({ "url": DESK }));
    assert_ne!(other["secret"], body["secret"], "each endpoint has its own secret");

    assert_eq!(app.audit_count(), audited + 2);
    let audit = app.sql("SELECT action, after_json FROM audit_log ORDER BY seq DESC LIMIT 2", Vec::new());
    assert_eq!(audit[1]["action"], "webhook.create");
    let recorded = audit[1]["after_json"].as_str().unwrap();
    assert!(recorded.contains("https://backup.example.test/in"), "{recorded}");
    assert!(!recorded.contains("porch_whsec_") && !recorded.contains("token=abc"), "{recorded}");
}

#[test]
fn a_url_that_is_not_public_https_is_a_field_error() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme");
    let path = format!("/api/v1/tenants/{tenant}/webhooks");
    for url in ["http://desk.example.test/in", "https://127.0.0.1/in", "https://localhost:8787/in", "desk.example.test"]
    {
        let (status, body) = app.api_as(Some(&key), Method::Post, &path, &json!({ "url": url }));
        assert_eq!(status, 422, "{url}: {body}");
        assert_eq!(error_fields(&body), ["url"], "{url}");
    }
    let (status, body) = app.api_as(Some(&key), Method::Post, &path, &json!({}));
    assert_eq!((status, error_fields(&body)), (422, vec!["url".to_owned()]), "{body}");
    let (status, _) = app.api_as(Some(&key), Method::Post, &path, &json!({ "url": DESK, "secret": "mine" }));
    assert_eq!(status, 400, "a secret is never chosen by the caller");
    let (_, listed) = app.api_as(Some(&key), Method::Get, &path, &serde_json::Value::Null);
    assert_eq!(listed["webhooks"], json!([]));
}

#[test]
fn another_tenant_can_neither_see_nor_delete_the_endpoints() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme");
    let (globex, intruder) = app.new_tenant("globex");
    let (webhook, _) = add_webhook(&app, &key, &tenant, DESK);
    queue(&app, &tenant, WebhookEvent::TicketCreated, &json!({}));

    let null = serde_json::Value::Null;
    for (method, path) in [
        (Method::Get, format!("/api/v1/tenants/{tenant}/webhooks")),
        (Method::Post, format!("/api/v1/tenants/{tenant}/webhooks")),
        (Method::Delete, format!("/api/v1/tenants/{tenant}/webhooks/{webhook}")),
        (Method::Get, format!("/api/v1/tenants/{tenant}/webhooks/{webhook}/deliveries")),
    ] {
        let body = if method == Method::Post { json!({ "url": "https://evil.example.test/" }) } else { null.clone() };
        let (status, answer) = app.api_as(Some(&intruder), method, &path, &body);
        assert_eq!(status, 404, "{path}: {answer}");
    }
    // Nor through its own tenant's paths.
    let (status, _) =
        app.api_as(Some(&intruder), Method::Delete, &format!("/api/v1/tenants/{globex}/webhooks/{webhook}"), &null);
    assert_eq!(status, 404);
    let (status, _) = app.api_as(
        Some(&intruder),
        Method::Get,
        &format!("/api/v1/tenants/{globex}/webhooks/{webhook}/deliveries"),
        &null,
    );
    assert_eq!(status, 404);

    let (_, listed) = app.api_as(Some(&key), Method::Get, &format!("/api/v1/tenants/{tenant}/webhooks"), &null);
    assert_eq!(listed["webhooks"].as_array().unwrap().len(), 1, "still there");
    assert_eq!(deliveries(&app, &key, &tenant, &webhook).len(), 1);
}

// Delivery ---------------------------------------------------------------------------------

#[test]
fn an_event_is_delivered_to_every_endpoint_signed_so_each_receiver_can_verify_it() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme");
    let (desk, desk_secret) = add_webhook(&app, &key, &tenant, DESK);
    let (backup, backup_secret) = add_webhook(&app, &key, &tenant, BACKUP);
    answer(&app, DESK, 200);
    answer(&app, BACKUP, 202);
    let data = json!({ "ticket": { "number": 42, "subject": "Pump 3 leaks" } });

    queue(&app, &tenant, WebhookEvent::TicketCreated, &data);
    run_scheduled(&app);

    let requests = sent(&app);
    assert_eq!(requests.len(), 2, "{requests:?}");
    let mut ids = Vec::new();
    for (url, secret, webhook) in [(DESK, &desk_secret, &desk), (BACKUP, &backup_secret, &backup)] {
        let request = requests.iter().find(|r| r.url == url).unwrap();
        assert_eq!(request.method, Method::Post);
        let body = request.body.as_deref().unwrap();
        let signed_at = verify(secret, header(request, "porch-signature"), body).unwrap();
        assert_eq!(signed_at, app.rt.clock.get() / 1000, "signed at the time of sending");
        let other = if secret == &desk_secret { &backup_secret } else { &desk_secret };
        assert!(verify(other, header(request, "porch-signature"), body).is_err(), "another endpoint's secret fails");
        let tampered = body.replace("Pump 3", "Pump 4");
        assert!(verify(secret, header(request, "porch-signature"), &tampered).is_err(), "a changed body fails");

        let payload: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(payload["event"], "ticket.created");
        assert_eq!(payload["data"], data);
        assert_eq!(payload["created_at"], porch_types::time::Timestamp::from_millis(app.rt.clock.get()).to_string());
        let id = payload["id"].as_str().unwrap().to_owned();
        assert!(id.ends_with(&format!(":{webhook}")), "{id}");
        assert_eq!(header(request, "porch-delivery"), id);
        assert_eq!(header(request, "porch-event"), "ticket.created");
        assert_eq!(header(request, "content-type"), "application/json");
        let listed = deliveries(&app, &key, &tenant, webhook);
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0]["id"].as_str(), listed[0]["status"].as_str()), (Some(id.as_str()), Some("sent")));
        assert_eq!((listed[0]["attempts"].as_i64(), listed[0]["event"].as_str()), (Some(1), Some("ticket.created")));
        ids.push(id);
    }
    let event_part = |id: &str| id.split_once(':').unwrap().0.to_owned();
    assert_eq!(event_part(&ids[0]), event_part(&ids[1]), "one event, one event id");

    let log = app.rt.logs.borrow().join("\n");
    assert!(log.contains(&format!("webhook delivery {}: sent (200)", ids[0])), "{log}");
    assert!(!log.contains("token=abc") && !log.contains("porch_whsec_") && !log.contains("Pump"), "{log}");

    run_scheduled(&app);
    assert_eq!(sent(&app).len(), 2, "a sent delivery is not sent again");
}

#[test]
fn a_server_error_is_retried_with_backoff_and_the_delivery_fails_after_six_attempts() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme");
    let (webhook, _) = add_webhook(&app, &key, &tenant, DESK);
    answer(&app, DESK, 500);
    queue(&app, &tenant, WebhookEvent::TicketReplied, &json!({ "message": "hello" }));
    let start = app.rt.clock.get();

    run_scheduled(&app);
    let row = deliveries(&app, &key, &tenant, &webhook).remove(0);
    assert_eq!((row["status"].as_str(), row["attempts"].as_i64()), (Some("queued"), Some(1)));
    assert_eq!(row["next_attempt_at"], porch_types::time::Timestamp::from_millis(start + 60_000).to_string());
    assert!(row["last_error"].as_str().unwrap().contains("endpoint answered 500"), "{row}");

    app.rt.advance_seconds(30);
    run_scheduled(&app);
    assert_eq!(sent(&app).len(), 1, "not due yet");

    // Backoff 1, 2, 4, 8, 16 minutes: the attempts fall due at these times after the first.
    let mut waited = 30;
    for due in [60, 3 * 60, 7 * 60, 15 * 60, 31 * 60] {
        app.rt.advance_seconds(due - waited);
        waited = due;
        run_scheduled(&app);
    }
    assert_eq!(sent(&app).len(), 6);
    let row = deliveries(&app, &key, &tenant, &webhook).remove(0);
    assert_eq!((row["status"].as_str(), row["attempts"].as_i64()), (Some("failed"), Some(6)), "{row}");

    app.rt.advance_seconds(24 * 60 * 60);
    run_scheduled(&app);
    assert_eq!(sent(&app).len(), 6, "a failed delivery is not sent again");
}

#[test]
fn an_endpoint_that_comes_back_gets_the_retried_event_with_a_fresh_signature() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme");
    let (webhook, secret) = add_webhook(&app, &key, &tenant, DESK);
    queue(&app, &tenant, WebhookEvent::TicketRated, &json!({ "score": 5 }));

    run_scheduled(&app);
    let row = deliveries(&app, &key, &tenant, &webhook).remove(0);
    assert_eq!(row["last_error"], "could not reach the endpoint");

    answer(&app, DESK, 204);
    app.rt.advance_seconds(60);
    run_scheduled(&app);
    let requests = sent(&app);
    assert_eq!(requests.len(), 2);
    let retry = &requests[1];
    let signed_at = verify(&secret, header(retry, "porch-signature"), retry.body.as_deref().unwrap()).unwrap();
    assert_eq!(signed_at, app.rt.clock.get() / 1000, "a retry passes a receiver's replay window");
    assert_eq!(retry.body, requests[0].body, "the same event, byte for byte");
    let row = deliveries(&app, &key, &tenant, &webhook).remove(0);
    assert_eq!((row["status"].as_str(), row["attempts"].as_i64()), (Some("sent"), Some(2)));
    assert!(row["last_error"].is_null());
}

#[test]
fn a_disabled_or_deleted_endpoint_gets_nothing() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme");
    let (disabled, _) = add_webhook(&app, &key, &tenant, DESK);
    let (deleted, _) = add_webhook(&app, &key, &tenant, BACKUP);
    answer(&app, DESK, 200);
    answer(&app, BACKUP, 200);
    // Queued while both were enabled, then one is disabled and the other deleted.
    queue(&app, &tenant, WebhookEvent::TicketCreated, &json!({}));
    let endpoint = format!("/api/v1/tenants/{tenant}/webhooks/{disabled}");
    let (status, body) = app.api_as(Some(&key), Method::Patch, &endpoint, &json!({ "enabled": false }));
    assert_eq!((status, &body["webhook"]["enabled"]), (200, &json!(false)), "{body}");
    let (status, _) = app.api_as(
        Some(&key),
        Method::Delete,
        &format!("/api/v1/tenants/{tenant}/webhooks/{deleted}"),
        &serde_json::Value::Null,
    );
    assert_eq!(status, 204);
    // And an event after the change.
    queue(&app, &tenant, WebhookEvent::TicketReplied, &json!({}));

    run_scheduled(&app);

    assert!(sent(&app).is_empty(), "{:?}", sent(&app));
    let rows = app.sql("SELECT webhook_id, status FROM webhook_deliveries", Vec::new());
    assert_eq!(rows, [json!({ "webhook_id": disabled, "status": "queued" })], "the deleted one's went with it");
    let (status, _) = app.api_as(
        Some(&key),
        Method::Get,
        &format!("/api/v1/tenants/{tenant}/webhooks/{deleted}/deliveries"),
        &serde_json::Value::Null,
    );
    assert_eq!(status, 404);
    let audit = app.sql("SELECT action FROM audit_log ORDER BY seq DESC LIMIT 2", Vec::new());
    assert_eq!((&audit[0]["action"], &audit[1]["action"]), (&json!("webhook.delete"), &json!("webhook.update")));

    // Enabled again, the endpoint gets what was queued for it before it was turned off; the
    // event from while it was off was never queued for it.
    let (status, _) = app.api_as(Some(&key), Method::Patch, &endpoint, &json!({ "enabled": true }));
    assert_eq!(status, 200);
    run_scheduled(&app);
    assert_eq!(sent(&app).len(), 1);
    assert_eq!(header(&sent(&app)[0], "porch-event"), "ticket.created");
}

#[test]
fn an_event_is_queued_only_with_the_change_it_reports() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme");
    let (webhook, _) = add_webhook(&app, &key, &tenant, DESK);
    let tenant_id = TenantId::parse(&tenant).unwrap();
    let event = |n: u8| {
        store::enqueue_event(
            tenant_id,
            WebhookEvent::TicketRated,
            &json!({ "n": n }),
            WebhookEventId::from_random([n; 16]),
            app.rt.now(),
        )
    };

    // A batch that fails leaves no event behind.
    let failing = Statement::new("INSERT INTO tenants (id) VALUES (NULL)", Vec::new());
    assert!(pollster::block_on(app.rt.db.batch(vec![event(1), failing])).is_err());
    // A guarded change that found nothing to do sends nothing.
    let nothing = Statement::new("UPDATE webhooks SET enabled = 1 WHERE id = 'none'", Vec::new());
    pollster::block_on(app.rt.db.batch(vec![nothing, store::only_if_changed(event(2))])).unwrap();
    assert!(deliveries(&app, &key, &tenant, &webhook).is_empty());

    let something = Statement::new("UPDATE webhooks SET enabled = 1 WHERE id = ?1", params![webhook.clone()]);
    pollster::block_on(app.rt.db.batch(vec![something, store::only_if_changed(event(3))])).unwrap();
    let listed = deliveries(&app, &key, &tenant, &webhook);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], format!("{}:{webhook}", WebhookEventId::from_random([3; 16])));

    // Another tenant's event reaches none of these endpoints.
    let (other, _) = app.new_tenant("globex");
    queue(&app, &other, WebhookEvent::TicketCreated, &json!({}));
    assert_eq!(deliveries(&app, &key, &tenant, &webhook).len(), 1);
}

#[test]
fn settled_deliveries_are_swept_after_thirty_days_and_queued_ones_are_kept() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme");
    let (webhook, _) = add_webhook(&app, &key, &tenant, DESK);
    answer(&app, DESK, 200);
    queue(&app, &tenant, WebhookEvent::TicketCreated, &json!({}));
    run_scheduled(&app);
    // Queued, then its endpoint disabled: it waits, however long.
    queue(&app, &tenant, WebhookEvent::TicketCreated, &json!({}));
    app.execute("UPDATE webhooks SET enabled = 0 WHERE id = ?1", params![webhook.clone()]);

    app.rt.advance_seconds(31 * 24 * 60 * 60);
    run_scheduled(&app);

    let rows = app.sql("SELECT status FROM webhook_deliveries", Vec::new());
    assert_eq!(rows, [json!({ "status": "queued" })]);
}
