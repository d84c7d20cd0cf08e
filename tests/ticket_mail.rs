//! Ticket emails, in process on real `SQLite`: what the agent side's replies and stage moves
//! queue for the ticket's requester (and what they never queue), and the inbox notice the
//! portal side queues for a customer's new ticket or reply.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::too_many_lines)]

use crate::common;

use common::{spawn_app, TestApp};
use porch_core::app::portal::mail::{InboxNotice, Sender};
use porch_core::email::{compose, Brand, Message};
use porch_core::http::Method;
use porch_core::i18n::Language;
use porch_core::runtime::Runtime;
use porch_core::store::{outbox, Database, PortalScope, Value};
use porch_types::email::Email;
use porch_types::host::Hostname;
use porch_types::ids::{OutboxId, PortalId, StageId, TenantId, TicketId};
use serde_json::json;

/// Where the requester's portal answers: the platform subdomain, plain http as it is local.
const ORIGIN: &str = "http://globex.portals.localhost";
const ACCOUNT: &str = "a0000000-0000-4000-8000-00000000aaaa";

/// A tenant with one pipeline (New; Parked; Waiting on you, which notifies; Solved, closed,
/// which notifies), a customer's portal with one user, and a ticket on that user's behalf.
struct Desk {
    app: TestApp,
    tenant: String,
    key: String,
    pipeline: serde_json::Value,
    stages: serde_json::Value,
    portal: String,
    /// The ticket on the user's behalf.
    ticket: serde_json::Value,
}

impl Desk {
    fn new(language: &str) -> Desk {
        let app = spawn_app();
        let (tenant, key) = app.new_tenant("desk");
        let (status, pipeline) = app.api_as(
            Some(&key),
            Method::Post,
            &format!("/api/v1/tenants/{tenant}/pipelines"),
            &json!({ "name": "Support", "stages": [
                { "name": "New" },
                { "name": "Parked" },
                { "name": "Waiting on you", "notify_requester": true },
                { "name": "Solved", "closed": true, "notify_requester": true },
            ] }),
        );
        assert_eq!(status, 201, "{pipeline}");
        let customer = app.new_customer(&key, &tenant, "Globex");
        let portal = app.new_portal(
            &key,
            &tenant,
            &json!({ "slug": "globex", "name": "Globex Support", "customer_id": customer }),
        );
        app.execute(
            "INSERT INTO accounts (id, tenant_id, portal_id, customer_id, email, name, role, language, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, 'ada@globex.example', 'Ada', 'member', ?5, 0, 0)",
            vec![ACCOUNT.into(), tenant.clone().into(), portal.clone().into(), customer.into(), language.into()],
        );
        let (stages, pipeline) = (pipeline["pipeline"]["stages"].clone(), pipeline["pipeline"]["id"].clone());
        let mut desk = Desk { app, tenant, key, portal, pipeline, stages, ticket: json!(null) };
        desk.ticket = desk.new_ticket(true);
        desk
    }

    fn new_ticket(&self, with_requester: bool) -> serde_json::Value {
        let mut body =
            json!({ "subject": "Pump leaks", "description": "Oil under the pump.", "pipeline_id": self.pipeline });
        if with_requester {
            body["requester"] = json!({ "portal_id": self.portal, "account_id": ACCOUNT });
        }
        let (status, created) =
            self.app.api_as(Some(&self.key), Method::Post, &format!("/api/v1/tenants/{}/tickets", self.tenant), &body);
        assert_eq!(status, 201, "{created}");
        created["ticket"].clone()
    }

    fn path(&self, ticket: &serde_json::Value) -> String {
        format!("/api/v1/tenants/{}/tickets/{}", self.tenant, ticket["id"].as_str().unwrap())
    }

    fn say(&self, ticket: &serde_json::Value, body: &serde_json::Value) {
        let (status, answer) =
            self.app.api_as(Some(&self.key), Method::Post, &format!("{}/messages", self.path(ticket)), body);
        assert_eq!(status, 201, "{answer}");
    }

    /// Moves the ticket into the stage named `name`.
    fn move_to(&self, ticket: &serde_json::Value, name: &str) {
        let stage = self.stages.as_array().unwrap().iter().find(|s| s["name"] == name).unwrap();
        let (status, answer) =
            self.app.api_as(Some(&self.key), Method::Patch, &self.path(ticket), &json!({ "stage_id": stage["id"] }));
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["ticket"]["stage_id"], stage["id"]);
    }

    /// The portal as the email code sees it: its context, branding included.
    fn portal_context(&self) -> std::rc::Rc<porch_core::portal_context::ResolvedPortal> {
        let host = Hostname::parse("globex.portals.localhost").unwrap();
        pollster::block_on(porch_core::tenancy::resolve(&self.app.rt, &host)).unwrap().unwrap()
    }

    /// Every queued email, oldest first.
    fn emails(&self) -> Vec<serde_json::Value> {
        self.app.sql(
            "SELECT kind, to_email, portal_id, subject, text_body, html_body FROM outbox ORDER BY created_at, rowid",
            Vec::new(),
        )
    }
}

/// Whether `text` has `line` as one of its lines (links stand alone, to be clickable).
fn has_line(text: &serde_json::Value, line: &str) -> bool {
    text.as_str().unwrap().lines().any(|l| l == line)
}

#[test]
fn a_public_agent_reply_queues_one_email_to_the_requester_with_the_tickets_link_in_their_language() {
    let desk = Desk::new("nb");
    assert_eq!(desk.emails().len(), 0, "creating a ticket on someone's behalf tells no one");
    let long = format!("We will send a technician. {}", "More details follow here. ".repeat(30));
    desk.say(&desk.ticket, &json!({ "body": long, "author_name": "Grace" }));
    let emails = desk.emails();
    assert_eq!(emails.len(), 1, "{emails:?}");
    let email = &emails[0];
    assert_eq!(email["kind"], "ticket_reply");
    assert_eq!(email["to_email"], "ada@globex.example");
    assert_eq!(email["portal_id"], desk.portal.as_str());
    assert_eq!(email["subject"], "[Globex Support #1] Nytt svar: Pump leaks");
    assert!(has_line(&email["text_body"], &format!("{ORIGIN}/tickets/1")), "{}", email["text_body"]);
    assert!(email["html_body"].as_str().unwrap().contains(&format!("href=\"{ORIGIN}/tickets/1\"")));
    let text = email["text_body"].as_str().unwrap();
    assert!(text.contains("Grace har svart i saken din #1"), "{text}");
    assert!(text.contains("> We will send a technician. More details"), "{text}");
    assert!(text.contains('…') && !text.contains(&long), "only the start of a long reply: {text}");
}

#[test]
fn an_internal_note_queues_no_email() {
    let desk = Desk::new("en");
    desk.say(&desk.ticket, &json!({ "body": "Checking with the workshop.", "internal": true }));
    desk.say(&desk.ticket, &json!({ "body": "Still checking.", "internal": true, "new_thread": true }));
    assert_eq!(desk.emails().len(), 0);
}

#[test]
fn only_a_move_into_a_notifying_stage_queues_an_email_and_saving_the_same_stage_again_does_not() {
    let desk = Desk::new("en");
    desk.move_to(&desk.ticket, "Parked");
    assert_eq!(desk.emails().len(), 0, "Parked does not notify");
    desk.move_to(&desk.ticket, "Waiting on you");
    assert_eq!(desk.emails().len(), 1);
    desk.move_to(&desk.ticket, "Waiting on you");
    let path = desk.path(&desk.ticket);
    let (status, _) = desk.app.api_as(Some(&desk.key), Method::Patch, &path, &json!({ "priority": "high" }));
    assert_eq!(status, 200);
    assert_eq!(desk.emails().len(), 1, "the stage did not change");
    desk.move_to(&desk.ticket, "Solved");
    let emails = desk.emails();
    assert_eq!(emails.len(), 2);
    // The portal shows open/closed, not the provider's stage names: so does its email.
    assert_eq!(emails[0]["kind"], "ticket_stage");
    assert_eq!(emails[0]["subject"], "[Globex Support #1] Open: Pump leaks");
    assert_eq!(emails[1]["subject"], "[Globex Support #1] Closed: Pump leaks");
    assert!(has_line(&emails[1]["text_body"], &format!("{ORIGIN}/tickets/1")));
    assert!(!emails[1]["html_body"].as_str().unwrap().contains("Solved"));
}

#[test]
fn a_portal_that_shows_stage_names_names_the_stage_in_the_email() {
    let desk = Desk::new("da");
    let settings = format!("/api/v1/tenants/{}/portals/{}/ticket-settings", desk.tenant, desk.portal);
    let (status, body) =
        desk.app.api_as(Some(&desk.key), Method::Put, &settings, &json!({ "status_display": "stages" }));
    assert_eq!(status, 200, "{body}");
    desk.move_to(&desk.ticket, "Solved");
    let emails = desk.emails();
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0]["subject"], "[Globex Support #1] Solved: Pump leaks");
    assert!(emails[0]["text_body"].as_str().unwrap().contains("har nu status: Solved"), "{}", emails[0]["text_body"]);
}

#[test]
fn a_ticket_without_a_requester_or_whose_requester_is_gone_queues_no_email() {
    let desk = Desk::new("en");
    let lone = desk.new_ticket(false);
    desk.say(&lone, &json!({ "body": "Any news?" }));
    desk.move_to(&lone, "Waiting on you");
    assert_eq!(desk.emails().len(), 0);

    let user = format!("/api/v1/tenants/{}/portals/{}/users/{ACCOUNT}", desk.tenant, desk.portal);
    assert_eq!(desk.app.api_as(Some(&desk.key), Method::Delete, &user, &json!(null)).0, 204);
    desk.say(&desk.ticket, &json!({ "body": "We fixed it." }));
    desk.move_to(&desk.ticket, "Solved");
    assert_eq!(desk.emails().len(), 0, "the reply and the move still happen, and tell no one");
    // Two descriptions and two replies.
    assert_eq!(desk.app.sql("SELECT COUNT(*) AS n FROM messages", Vec::new())[0]["n"], 4);
}

#[test]
fn a_ticket_the_portals_rules_hide_emails_its_requester_nothing() {
    let desk = Desk::new("en");
    let settings = format!("/api/v1/tenants/{}/portals/{}/ticket-settings", desk.tenant, desk.portal);
    let (status, body) =
        desk.app.api_as(Some(&desk.key), Method::Put, &settings, &json!({ "rules": { "priorities": ["urgent"] } }));
    assert_eq!(status, 200, "{body}");
    desk.say(&desk.ticket, &json!({ "body": "We are on it." }));
    desk.move_to(&desk.ticket, "Waiting on you");
    assert_eq!(desk.emails().len(), 0, "the link would lead to a page the portal hides");
}

#[test]
fn a_move_into_a_pipeline_the_portal_hides_emails_no_one() {
    let desk = Desk::new("en");
    let settings = format!("/api/v1/tenants/{}/portals/{}/ticket-settings", desk.tenant, desk.portal);
    let rules = json!({ "rules": { "pipelines": [desk.pipeline] } });
    assert_eq!(desk.app.api_as(Some(&desk.key), Method::Put, &settings, &rules).0, 200);
    let (status, internal) = desk.app.api_as(
        Some(&desk.key),
        Method::Post,
        &format!("/api/v1/tenants/{}/pipelines", desk.tenant),
        &json!({ "name": "Warranty", "stages": [{ "name": "Assessing", "notify_requester": true }, { "name": "Done", "closed": true }] }),
    );
    assert_eq!(status, 201, "{internal}");
    let stage = &internal["pipeline"]["stages"][0]["id"];
    let moved = json!({ "pipeline_id": internal["pipeline"]["id"], "stage_id": stage });
    assert_eq!(desk.app.api_as(Some(&desk.key), Method::Patch, &desk.path(&desk.ticket), &moved).0, 200);
    assert_eq!(desk.emails().len(), 0, "the stage name of a hidden pipeline is not told");
}

#[test]
fn a_disabled_portals_requester_is_not_emailed() {
    let desk = Desk::new("en");
    let portal = format!("/api/v1/tenants/{}/portals/{}", desk.tenant, desk.portal);
    let (status, body) = desk.app.api_as(Some(&desk.key), Method::Patch, &portal, &json!({ "enabled": false }));
    assert_eq!(status, 200, "{body}");
    desk.say(&desk.ticket, &json!({ "body": "We fixed it." }));
    assert_eq!(desk.emails().len(), 0);
}

#[test]
fn a_stage_email_is_written_only_while_the_ticket_is_not_yet_in_that_stage_nor_changed() {
    // What keeps a second agent's simultaneous identical move from emailing again: the
    // condition is read in the batch, not from what the handler saw earlier.
    let desk = Desk::new("en");
    let tenant = TenantId::parse(&desk.tenant).unwrap();
    let ticket = TicketId::parse(desk.ticket["id"].as_str().unwrap()).unwrap();
    let version = desk.app.sql("SELECT version FROM tickets WHERE id = ?1", vec![Value::from(ticket.to_db())])[0]
        ["version"]
        .as_i64()
        .unwrap();
    let queued = |stage: &serde_json::Value, version: i64| {
        let message = Message::TicketStage { number: 1, subject: "Pump leaks", stage: "Open", link: ORIGIN };
        let composed = compose(&message, &Brand::of(&desk.portal_context().context), ORIGIN, Language::En);
        let to = Email::parse("ada@globex.example").unwrap();
        let id = OutboxId::from_random(desk.app.rt.random_16().unwrap());
        let statement = outbox::enqueue(id, tenant, None, &to, message.kind(), &composed, desk.app.rt.now());
        let stage = StageId::parse(stage["id"].as_str().unwrap()).unwrap();
        let email = outbox::only_if_ticket_not_in(statement, ticket, stage, version);
        pollster::block_on(desk.app.rt.db.batch(vec![email])).unwrap()
    };
    assert_eq!(queued(&desk.stages[0], version), [0], "the ticket is in New already");
    assert_eq!(queued(&desk.stages[2], version + 1), [0], "the ticket changed since the move was computed");
    assert_eq!(queued(&desk.stages[2], version), [1]);
}

#[test]
fn an_inbox_notice_quotes_the_customer_and_links_the_ticket_in_the_api() {
    let desk = Desk::new("en");
    let resolved = desk.portal_context();
    let scope =
        PortalScope { tenant: TenantId::parse(&desk.tenant).unwrap(), portal: PortalId::parse(&desk.portal).unwrap() };
    let sender = Sender { portal: &resolved.context, scope, origin: ORIGIN, lang: Language::Da };
    let to = Email::parse("desk@provider.example").unwrap();
    let ticket = TicketId::parse(desk.ticket["id"].as_str().unwrap()).unwrap();
    for new_ticket in [true, false] {
        let notice = InboxNotice {
            ticket,
            number: 1,
            subject: "Pump leaks",
            customer: Some("Globex"),
            requester: "Ada",
            body: "Oil under the pump.\n\nSince Monday.",
            new_ticket,
        };
        let statement = sender.queue_for_inbox(&desk.app.rt, &to, &notice).unwrap();
        pollster::block_on(desk.app.rt.db.batch(vec![statement])).unwrap();
    }
    let emails = desk.emails();
    let kinds: Vec<_> = emails.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["ticket_new", "ticket_customer_reply"]);
    let api_link = format!("{ORIGIN}{}", desk.path(&desk.ticket));
    for email in &emails {
        assert_eq!(email["to_email"], "desk@provider.example");
        assert!(has_line(&email["text_body"], &api_link), "{}", email["text_body"]);
        assert!(has_line(&email["text_body"], "> Oil under the pump. Since Monday."), "{}", email["text_body"]);
    }
    assert_eq!(emails[0]["subject"], "[Globex Support #1] Ny sag: Pump leaks");
    assert!(emails[1]["text_body"].as_str().unwrap().contains("Ada (Globex) har svaret på sag #1"));
}
