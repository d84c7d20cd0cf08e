//! A change of a portal's terms or consent text asks its people to agree again at their
//! next page, in process on real `SQLite`: one page before any other, accepting records the
//! versions and the time (audited, shown by the API), declining signs out, and a change of
//! anything else asks nothing.

use crate::common;

use common::{body_text, provider};
use porch_core::http::Method;
use serde_json::json;

#[test]
fn a_changed_text_is_agreed_to_again_before_any_other_page_and_recorded_with_its_version() {
    let p = provider();
    p.support_pipeline();
    let portal = p.app.new_portal(&p.key, &p.tenant, &json!({ "slug": "acme", "name": "Acme" }));
    let ada = p.join(&portal, "acme", "ada@alpha.example", Some(&p.customer));
    assert_eq!(ada.get("/tickets").status, 200, "no texts yet: nothing to agree to");
    let patch = |body: serde_json::Value| {
        let (status, answer) = p.call(Method::Patch, &format!("/portals/{portal}"), &body);
        assert_eq!(status, 200, "{answer}");
        answer
    };
    let answer = patch(json!({ "terms_text": "Be kind to the machines." }));
    assert_eq!(answer["portal"]["terms_version"], 1);

    // The next page, whichever it is, is the consent page; then back where she was going.
    let asked = ada.get("/tickets?status=open");
    assert_eq!(asked.status, 303);
    assert_eq!(asked.header("location"), Some("/consent?return_to=/tickets%3Fstatus%3Dopen"));
    let page = body_text(&ada.get("/consent?return_to=/tickets%3Fstatus%3Dopen"));
    assert!(page.contains("Be kind to the machines.") && page.contains(r#"name="accept_terms""#), "{page}");
    assert!(!page.contains(r#"name="consent""#), "no consent text: not asked");
    assert_eq!(ada.get("/").status, 303, "the start page too");
    let posted = ada.post("/tickets/new", &[("subject", "x"), ("description", "y")]);
    assert_eq!(posted.header("location"), Some("/consent?return_to=/"), "a form is not let through either");
    assert_eq!(p.app.sql("SELECT COUNT(*) AS n FROM tickets", Vec::new())[0]["n"], 0);

    let unticked =
        ada.post("/consent", &[("decision", "accept"), ("return_to", "/tickets?status=open"), ("terms_version", "1")]);
    assert_eq!(unticked.status, 422);
    let accepted = ada.post(
        "/consent",
        &[
            ("decision", "accept"),
            ("return_to", "/tickets?status=open"),
            ("terms_version", "1"),
            ("accept_terms", "yes"),
        ],
    );
    assert_eq!(accepted.status, 303, "{}", body_text(&accepted));
    assert_eq!(accepted.header("location"), Some("/tickets?status=open"));
    assert_eq!(ada.get("/tickets").status, 200);
    let account = &p.app.sql(
        "SELECT terms_version, terms_accepted_at, consent_version FROM accounts WHERE email = 'ada@alpha.example'",
        Vec::new(),
    )[0];
    assert_eq!(account["terms_version"], 1);
    assert_eq!(account["terms_accepted_at"], json!(porch_core::runtime::Runtime::now(&p.app.rt).millis()));
    assert_eq!(account["consent_version"], json!(null));
    let audit = p
        .app
        .sql("SELECT actor, after_json FROM audit_log WHERE action = 'account.agreement' ORDER BY seq", Vec::new());
    assert_eq!(audit.len(), 1);
    assert!(audit[0]["actor"].as_str().unwrap().starts_with("account:"));
    assert_eq!(audit[0]["after_json"], r#"{"consent_version":null,"terms_version":1}"#);
    let (_, users) = p.call(Method::Get, &format!("/portals/{portal}/users"), &json!(null));
    assert_eq!(users["users"][0]["terms_version"], 1, "the API shows the version agreed to");

    // Anything else changed asks nothing; the same text sent again is no change.
    patch(json!({ "name": "Acme Support", "terms_text": "Be kind to the machines." }));
    assert_eq!(ada.get("/tickets").status, 200);

    // A new consent text: only it is asked; declining signs out.
    let answer = patch(json!({ "consent_text": "We keep your tickets for five years." }));
    assert_eq!(
        (answer["portal"]["terms_version"].clone(), answer["portal"]["consent_version"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(ada.get("/tickets").header("location"), Some("/consent?return_to=/tickets"));
    let page = body_text(&ada.get("/consent"));
    assert!(page.contains("five years") && !page.contains(r#"name="accept_terms""#), "{page}");
    let declined = ada.post("/consent", &[("decision", "decline")]);
    assert_eq!(declined.header("location"), Some("/signed-out"));
    assert_eq!(ada.get("/tickets").header("location"), Some("/sign-in?return_to=/tickets"), "signed out");
    assert_eq!(p.app.sql("SELECT COUNT(*) AS n FROM sessions", Vec::new())[0]["n"], 0);
    assert_eq!(
        p.app.sql("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'account.agreement'", Vec::new())[0]["n"],
        1,
        "a refusal records no agreement"
    );
}

#[test]
fn an_agreement_to_a_text_changed_meanwhile_is_not_recorded() {
    let p = provider();
    let portal = p.app.new_portal(&p.key, &p.tenant, &json!({ "slug": "acme", "name": "Acme" }));
    let ada = p.join(&portal, "acme", "ada@alpha.example", Some(&p.customer));
    let patch = |text: &str| {
        let (status, answer) = p.call(Method::Patch, &format!("/portals/{portal}"), &json!({ "terms_text": text }));
        assert_eq!(status, 200, "{answer}");
    };
    patch("Version one.");
    assert!(body_text(&ada.get("/consent")).contains("Version one."));
    patch("Version two.");
    // The page she read showed version 1.
    let stale = ada.post("/consent", &[("decision", "accept"), ("terms_version", "1"), ("accept_terms", "yes")]);
    assert_eq!(stale.status, 409);
    assert!(body_text(&stale).contains("Version two."), "shown the new text");
    let terms = "SELECT terms_version FROM accounts WHERE email = 'ada@alpha.example'";
    assert_eq!(p.app.sql(terms, Vec::new())[0]["terms_version"], json!(null));
    let fresh = ada.post("/consent", &[("decision", "accept"), ("terms_version", "2"), ("accept_terms", "yes")]);
    assert_eq!(fresh.header("location"), Some("/"));
    assert_eq!(p.app.sql(terms, Vec::new())[0]["terms_version"], 2);
}
