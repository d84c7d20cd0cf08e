//! The email outbox end to end, in process: emails queued through `store::outbox::enqueue`,
//! delivered by the scheduled handler against canned provider answers, listed by the admin
//! API and the dev mailbox; and the scheduled sweep of expired rows.

// A panic in a test or its helpers is a failed test; a test reads as one story.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::too_many_lines)]

use crate::common;

use common::{body_text, good_colors, spawn_app, TestApp};
use porch_core::email::{compose, Brand, Message};
use porch_core::http::Method;
use porch_core::i18n::Language;
use porch_core::params;
use porch_core::portal_context::PortalContext;
use porch_core::runtime::{EmailConfig, Runtime};
use porch_core::store::outbox;
use porch_core::store::Database;
use porch_core::theme::ThemeContext;
use porch_types::email::Email;
use porch_types::ids::{OutboxId, PortalId, TenantId};
use serde_json::json;

const RESEND: &str = "https://api.resend.com/emails";
const WEBHOOK: &str = "https://hooks.example.test/mail";
const INVITE_LINK: &str = "http://acme.localhost:8787/invitations/tok-123";

fn resend_config() -> EmailConfig {
    EmailConfig {
        provider: Some("resend".to_owned()),
        from: Some("Porch <portal@example.com>".to_owned()),
        api_key: Some("re_test_key".to_owned()),
        ..EmailConfig::default()
    }
}

fn with_resend(mut app: TestApp) -> TestApp {
    app.rt.config.email = resend_config();
    app
}

fn answer(app: &TestApp, url: &str, status: u16) {
    app.rt.http.answers.borrow_mut().insert(url.to_owned(), (status, format!("{{\"status\":{status}}}")));
}

fn context(tenant: &str, portal: &str, name: &str) -> PortalContext {
    PortalContext {
        portal_id: portal.to_owned(),
        tenant_id: tenant.to_owned(),
        slug: "acme".to_owned(),
        name: name.to_owned(),
        page_title: name.to_owned(),
        default_language: Language::En,
        enabled: true,
        customer_id: None,
        customer_name: None,
        theme: ThemeContext::fallback(),
        access: porch_core::portal_context::AccessContext::default(),
        tickets: porch_types::portal_tickets::TicketSettings::default(),
        apps: porch_types::apps::AppSet::all(),
        start_page: porch_types::setup::StartPage::HOME,
        navigation: porch_types::setup::Navigation::of(porch_types::apps::AppSet::all()),
        nav_links: porch_types::nav_links::NavLinks::default(),
        time_zone: porch_types::time_zone::TimeZone::UTC,
    }
}

/// Queues an invitation for `to` the way other code does: the statement in a batch.
fn queue(app: &TestApp, tenant: &str, portal: Option<&str>, to: &str) -> String {
    let id = OutboxId::from_random(app.rt.random_16().unwrap());
    let portal_id = portal.map(|p| PortalId::parse(p).unwrap());
    let message = Message::Invitation { link: INVITE_LINK, inviter: Some("Grace") };
    let composed = compose(
        &message,
        &Brand::of(&context(tenant, portal.unwrap_or(""), "Acme Support")),
        "http://acme.localhost:8787",
        Language::En,
    );
    let statement = outbox::enqueue(
        id,
        TenantId::parse(tenant).unwrap(),
        portal_id,
        &Email::parse(to).unwrap(),
        message.kind(),
        &composed,
        app.rt.now(),
    );
    pollster::block_on(app.rt.db.batch(vec![statement])).unwrap();
    id.to_db()
}

fn run_scheduled(app: &TestApp) {
    pollster::block_on(porch_core::app::scheduled::run(&app.rt));
}

fn email_row(app: &TestApp, id: &str) -> serde_json::Value {
    app.sql(
        "SELECT status, attempts, next_attempt_at, last_error, sent_at FROM outbox WHERE id = ?1",
        params![id.to_owned()],
    )
    .remove(0)
}

fn now_ms(app: &TestApp) -> i64 {
    app.rt.clock.get()
}

fn requests(app: &TestApp) -> usize {
    app.rt.http.requests.borrow().len()
}

fn logs(app: &TestApp) -> Vec<String> {
    app.rt.logs.borrow().clone()
}

// Delivery ---------------------------------------------------------------------------------

#[test]
fn a_queued_email_is_sent_through_resend_and_marked_sent() {
    let app = with_resend(spawn_app());
    let (tenant, _) = app.new_tenant("acme");
    let id = queue(&app, &tenant, None, "ada@example.com");
    answer(&app, RESEND, 200);

    run_scheduled(&app);

    let sent = app.rt.http.requests.borrow()[0].clone();
    assert_eq!(sent.url, RESEND);
    assert!(sent.headers.contains(&("authorization".to_owned(), "Bearer re_test_key".to_owned())));
    let body: serde_json::Value = serde_json::from_str(sent.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["to"], json!(["ada@example.com"]));
    assert_eq!(body["from"], "Porch <portal@example.com>");
    assert!(body["text"].as_str().unwrap().contains(INVITE_LINK));
    let row = email_row(&app, &id);
    assert_eq!(row["status"], "sent");
    assert_eq!(row["attempts"], 1);
    assert_eq!(row["sent_at"], now_ms(&app));
    let bodies = app.sql("SELECT text_body, html_body FROM outbox WHERE id = ?1", vec![id.clone().into()]);
    assert_eq!(
        (bodies[0]["text_body"].as_str(), bodies[0]["html_body"].as_str()),
        (Some(""), Some("")),
        "a sent email's working links do not stay in the database"
    );
    let log = logs(&app).join("\n");
    assert!(log.contains(&format!("email {id}: sent (resend 200)")), "{log}");
    assert!(!log.contains("re_test_key") && !log.contains("ada@example.com") && !log.contains(INVITE_LINK), "{log}");

    run_scheduled(&app);
    assert_eq!(requests(&app), 1, "a sent email is not sent again");
}

#[test]
fn a_server_error_is_retried_a_minute_later_then_two_minutes_later() {
    let app = with_resend(spawn_app());
    let (tenant, _) = app.new_tenant("acme");
    let id = queue(&app, &tenant, None, "ada@example.com");
    answer(&app, RESEND, 500);
    let start = now_ms(&app);

    run_scheduled(&app);
    let row = email_row(&app, &id);
    assert_eq!(row["status"], "queued");
    assert_eq!(row["attempts"], 1);
    assert_eq!(row["next_attempt_at"], start + 60_000);
    assert!(row["last_error"].as_str().unwrap().contains("resend answered 500"), "{row}");

    app.rt.advance_seconds(30);
    run_scheduled(&app);
    assert_eq!(requests(&app), 1, "not due yet");

    app.rt.advance_seconds(30);
    run_scheduled(&app);
    assert_eq!(requests(&app), 2);
    let row = email_row(&app, &id);
    assert_eq!(row["attempts"], 2);
    assert_eq!(row["next_attempt_at"], now_ms(&app) + 2 * 60_000);

    answer(&app, RESEND, 200);
    app.rt.advance_seconds(120);
    run_scheduled(&app);
    let row = email_row(&app, &id);
    assert_eq!(row["status"], "sent");
    assert_eq!(row["attempts"], 3);
    assert!(row["last_error"].is_null());
}

#[test]
fn an_email_that_keeps_failing_is_given_up_after_six_attempts() {
    let app = with_resend(spawn_app());
    let (tenant, _) = app.new_tenant("acme");
    let id = queue(&app, &tenant, None, "ada@example.com");
    answer(&app, RESEND, 503);

    for _ in 0..10 {
        run_scheduled(&app);
        app.rt.advance_seconds(60 * 60);
    }

    assert_eq!(requests(&app), 6);
    let row = email_row(&app, &id);
    assert_eq!(row["status"], "failed");
    assert_eq!(row["attempts"], 6);
    assert!(row["last_error"].as_str().unwrap().contains("503"), "{row}");
}

#[test]
fn an_email_the_provider_refuses_fails_at_once() {
    let app = with_resend(spawn_app());
    let (tenant, _) = app.new_tenant("acme");
    let id = queue(&app, &tenant, None, "ada@example.com");
    answer(&app, RESEND, 422);

    run_scheduled(&app);

    let row = email_row(&app, &id);
    assert_eq!(row["status"], "failed");
    assert_eq!(row["attempts"], 1);
    assert!(row["last_error"].as_str().unwrap().contains("resend answered 422"), "{row}");
    app.rt.advance_seconds(3600);
    run_scheduled(&app);
    assert_eq!(requests(&app), 1);
}

#[test]
fn an_unreachable_provider_is_retried() {
    let app = with_resend(spawn_app());
    let (tenant, _) = app.new_tenant("acme");
    let id = queue(&app, &tenant, None, "ada@example.com");
    // No canned answer: the request fails like a network error.
    run_scheduled(&app);
    let row = email_row(&app, &id);
    assert_eq!(row["status"], "queued");
    assert_eq!(row["last_error"], "could not reach resend");
}

#[test]
fn the_webhook_provider_posts_each_email_with_its_secret() {
    let mut app = spawn_app();
    app.rt.config.email = EmailConfig {
        provider: Some("webhook".to_owned()),
        from: Some("portal@example.com".to_owned()),
        webhook_url: Some(WEBHOOK.to_owned()),
        webhook_secret: Some("hook-secret".to_owned()),
        ..EmailConfig::default()
    };
    let (tenant, _) = app.new_tenant("acme");
    let id = queue(&app, &tenant, None, "ada@example.com");
    answer(&app, WEBHOOK, 202);

    run_scheduled(&app);

    let sent = app.rt.http.requests.borrow()[0].clone();
    assert!(sent.headers.contains(&("authorization".to_owned(), "Bearer hook-secret".to_owned())));
    let body: serde_json::Value = serde_json::from_str(sent.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["id"], id.as_str());
    assert_eq!(body["kind"], "invitation");
    assert_eq!(body["to"], "ada@example.com");
    assert_eq!(email_row(&app, &id)["status"], "sent");
}

#[test]
fn nothing_is_sent_and_emails_stay_queued_when_no_provider_is_configured() {
    let app = spawn_app();
    let (tenant, _) = app.new_tenant("acme");
    let id = queue(&app, &tenant, None, "ada@example.com");

    run_scheduled(&app);

    assert_eq!(requests(&app), 0);
    let row = email_row(&app, &id);
    assert_eq!(row["status"], "queued");
    assert_eq!(row["attempts"], 0);
    let not_configured = logs(&app).iter().filter(|l| l.contains("delivery is not configured")).count();
    assert_eq!(not_configured, 1, "{:?}", logs(&app));
}

#[test]
fn a_misconfigured_provider_sends_nothing_and_says_what_is_missing() {
    let mut app = spawn_app();
    app.rt.config.email = EmailConfig { api_key: None, ..resend_config() };
    let (tenant, _) = app.new_tenant("acme");
    let id = queue(&app, &tenant, None, "ada@example.com");

    run_scheduled(&app);

    assert_eq!(requests(&app), 0);
    assert_eq!(email_row(&app, &id)["status"], "queued");
    assert!(logs(&app).iter().any(|l| l.contains("misconfigured") && l.contains("EMAIL_API_KEY")), "{:?}", logs(&app));
}

#[test]
fn one_run_sends_at_most_fifty_emails_and_the_next_run_the_rest() {
    let app = with_resend(spawn_app());
    let (tenant, _) = app.new_tenant("acme");
    for n in 0..55 {
        queue(&app, &tenant, None, &format!("user{n}@example.com"));
    }
    answer(&app, RESEND, 200);
    run_scheduled(&app);
    assert_eq!(requests(&app), 50);
    run_scheduled(&app);
    assert_eq!(requests(&app), 55);
}

// The emails API ---------------------------------------------------------------------------

#[test]
fn the_emails_api_lists_a_tenants_emails_newest_first_and_nothing_of_another_tenant() {
    let app = with_resend(spawn_app());
    let (acme, acme_key) = app.new_tenant("acme");
    let (other, other_key) = app.new_tenant("other");
    let theme = app.new_theme(&acme_key, &acme, "Brand", &good_colors());
    let portal =
        app.new_portal(&acme_key, &acme, &json!({ "slug": "acme", "name": "Acme Support", "theme_id": theme }));
    let first = queue(&app, &acme, Some(&portal), "first@example.com");
    app.rt.advance_seconds(1);
    let second = queue(&app, &acme, Some(&portal), "second@example.com");
    queue(&app, &other, None, "theirs@example.com");
    answer(&app, RESEND, 422);
    run_scheduled(&app);

    let (status, body) =
        app.api_as(Some(&acme_key), Method::Get, &format!("/api/v1/tenants/{acme}/emails"), &json!(null));
    assert_eq!(status, 200, "{body}");
    let emails = body["emails"].as_array().unwrap();
    assert_eq!(emails.len(), 2, "{body}");
    assert_eq!(emails[0]["id"], second.as_str(), "newest first");
    assert_eq!(emails[1]["id"], first.as_str());
    assert_eq!(emails[0]["to"], "second@example.com");
    assert_eq!(emails[0]["portal_id"], portal.as_str());
    assert_eq!(emails[0]["kind"], "invitation");
    assert_eq!(emails[0]["status"], "failed");
    assert!(emails[0]["last_error"].as_str().unwrap().contains("422"));
    assert!(emails[0]["subject"].as_str().unwrap().contains("Acme Support"));
    assert!(emails[0].get("text").is_none() && emails[0].get("html").is_none(), "no bodies: {body}");
    assert!(body["next_cursor"].is_null());

    // Another tenant's key cannot reach this tenant's emails at all.
    let (status, _) =
        app.api_as(Some(&other_key), Method::Get, &format!("/api/v1/tenants/{acme}/emails"), &json!(null));
    assert_eq!(status, 404);
    let (_, theirs) =
        app.api_as(Some(&other_key), Method::Get, &format!("/api/v1/tenants/{other}/emails"), &json!(null));
    let theirs = theirs["emails"].as_array().unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["to"], "theirs@example.com");
}

#[test]
fn the_emails_api_pages_with_a_cursor_and_filters_by_status() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme");
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(queue(&app, &tenant, None, &format!("u{n}@example.com")));
    }
    let path = format!("/api/v1/tenants/{tenant}/emails");
    let (status, page) = app.api_as(Some(&key), Method::Get, &format!("{path}?limit=2"), &json!(null));
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["emails"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let (_, rest) = app.api_as(Some(&key), Method::Get, &format!("{path}?limit=2&cursor={cursor}"), &json!(null));
    let rest_emails = rest["emails"].as_array().unwrap();
    assert_eq!(rest_emails.len(), 1, "{rest}");
    assert!(rest["next_cursor"].is_null());
    let mut seen: Vec<String> = page["emails"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest_emails)
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    seen.sort();
    ids.sort();
    assert_eq!(seen, ids, "every email exactly once across the pages");

    let (_, queued) = app.api_as(Some(&key), Method::Get, &format!("{path}?status=queued"), &json!(null));
    assert_eq!(queued["emails"].as_array().unwrap().len(), 3);
    let (_, sent) = app.api_as(Some(&key), Method::Get, &format!("{path}?status=sent"), &json!(null));
    assert_eq!(sent["emails"].as_array().unwrap().len(), 0);
    let (status, bad) = app.api_as(Some(&key), Method::Get, &format!("{path}?status=lost"), &json!(null));
    assert_eq!(status, 422, "{bad}");
    let (status, _) = app.api_as(Some(&key), Method::Get, &format!("{path}?cursor=nonsense"), &json!(null));
    assert_eq!(status, 422);
}

// The dev mailbox ---------------------------------------------------------------------------

#[test]
fn the_dev_mailbox_api_does_not_exist_when_off_and_shows_bodies_to_the_operator_when_on() {
    let mut app = spawn_app();
    let (tenant, key) = app.new_tenant("acme");
    let id = queue(&app, &tenant, None, "ada@example.com");

    let (status, _) = app.api(Method::Get, "/api/v1/dev/mailbox", &json!(null));
    assert_eq!(status, 404, "off by default");

    app.rt.config.dev_mailbox = true;
    let (status, body) = app.api(Method::Get, "/api/v1/dev/mailbox", &json!(null));
    assert_eq!(status, 200, "{body}");
    let email = &body["emails"][0];
    assert_eq!(email["id"], id.as_str());
    assert_eq!(email["to"], "ada@example.com");
    assert!(email["text"].as_str().unwrap().contains(INVITE_LINK));
    assert!(email["html"].as_str().unwrap().contains(INVITE_LINK));

    let (status, _) = app.api_as(Some(&key), Method::Get, "/api/v1/dev/mailbox", &json!(null));
    assert_eq!(status, 403, "a tenant key may not read every tenant's mail");
    let (status, _) = app.api_as(None, Method::Get, "/api/v1/dev/mailbox", &json!(null));
    assert_eq!(status, 401);
}

#[test]
fn the_dev_mailbox_page_shows_clickable_links_when_on_and_does_not_exist_when_off() {
    let mut app = spawn_app();
    let (tenant, _) = app.new_tenant("acme");
    queue(&app, &tenant, None, "ada@example.com");

    let off = app.page("127.0.0.1:8787", "/_dev/mailbox");
    assert_eq!(off.status, 404);
    assert!(!body_text(&off).contains("ada@example.com"));

    app.rt.config.dev_mailbox = true;
    let on = app.page("127.0.0.1:8787", "/_dev/mailbox");
    assert_eq!(on.status, 200);
    let html = body_text(&on);
    assert!(html.contains(&format!(r#"<a href="{INVITE_LINK}">{INVITE_LINK}</a>"#)), "{html}");
    assert!(html.contains("ada@example.com") && html.contains("You are invited to Acme Support"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(on.header("content-security-policy").is_some());
    assert_eq!(on.header("cache-control"), Some("no-store"));
}

// Housekeeping --------------------------------------------------------------------------------

#[test]
fn the_scheduled_run_purges_expired_sessions_and_keeps_live_ones() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme");
    let portal = app.new_portal(&key, &tenant, &json!({ "slug": "acme", "name": "Acme Support" }));
    let now = now_ms(&app);
    let day = 24 * 60 * 60 * 1000;
    app.execute(
        "INSERT INTO accounts (id, tenant_id, portal_id, email, name, role, created_at, updated_at)
         VALUES ('a1', ?1, ?2, 'ada@example.com', 'Ada', 'member', ?3, ?3)",
        params![tenant.clone(), portal.clone(), now],
    );
    for (token, expires_at) in [("expired", now - 1), ("live", now + 60_000)] {
        app.execute(
            "INSERT INTO sessions (token_hash, tenant_id, portal_id, account_id, created_at, last_seen_at, expires_at)
             VALUES (?1, ?2, ?3, 'a1', ?4, ?4, ?5)",
            params![token, tenant.clone(), portal.clone(), now - day, expires_at],
        );
    }
    for (token, expires_at) in [("old-token", now - 2 * day), ("recent-token", now - 60_000)] {
        app.execute(
            "INSERT INTO reset_tokens (token_hash, tenant_id, account_id, created_at, expires_at)
             VALUES (?1, ?2, 'a1', ?3, ?4)",
            params![token, tenant.clone(), now - 3 * day, expires_at],
        );
    }
    app.execute(
        "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ('old', ?1, 3), ('fresh', ?2, 1)",
        params![now - 2 * day, now],
    );
    let old_sent = queue(&app, &tenant, None, "old@example.com");
    app.execute(
        "UPDATE outbox SET status = 'sent', sent_at = ?2 WHERE id = ?1",
        params![old_sent.clone(), now - 31 * day],
    );
    let recent_sent = queue(&app, &tenant, None, "recent@example.com");
    app.execute("UPDATE outbox SET status = 'sent', sent_at = ?2 WHERE id = ?1", params![recent_sent, now - day]);

    run_scheduled(&app);

    let column = |sql: &'static str, name: &str| -> Vec<String> {
        app.sql(sql, Vec::new()).iter().map(|r| r[name].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(column("SELECT token_hash FROM sessions", "token_hash"), ["live"]);
    assert_eq!(column("SELECT token_hash FROM reset_tokens", "token_hash"), ["recent-token"]);
    assert_eq!(column("SELECT bucket FROM rate_limits", "bucket"), ["fresh"]);
    assert_eq!(column("SELECT to_email FROM outbox", "to_email"), ["recent@example.com"]);
    assert!(logs(&app).iter().any(|l| l.starts_with("purged")), "{:?}", logs(&app));
}
