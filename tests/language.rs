//! The reader's language: the header's language menu (a cookie for visitors, a saved choice
//! for signed-in people that their next sign-in and their emails follow), the order a page's
//! language is chosen in, a refused choice, and `lang` on provider text in another language.

use crate::common;

use common::browser::Browser;
use common::fleet;
use common::{body_text, provider, PASSWORD};
use porch_core::http::{Method, Request, Response};
use serde_json::json;

const HOST: &str = "acme.portals.localhost";
const ORIGIN: &str = "http://acme.portals.localhost";

/// The menu's post as a browser sends it from the page at `from`: same origin, its referrer,
/// and the CSRF token a signed-in person's page carries.
fn choose(browser: &Browser<'_>, language: &str, from: &str) -> Response {
    browser.send(
        Request::new(Method::Post, "/language")
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_header("origin", ORIGIN)
            .with_header("referer", &format!("{ORIGIN}{from}"))
            .with_body(format!("csrf={}&language={language}", browser.csrf())),
    )
}

fn page_language(response: &Response) -> String {
    let html = body_text(response);
    let start = html.find("<html lang=\"").expect("the html element") + 12;
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

#[test]
fn a_visitors_choice_in_the_menu_changes_the_page_language_before_accept_language() {
    let p = provider();
    p.app.new_portal(&p.key, &p.tenant, &json!({ "slug": "acme", "name": "Acme" }));
    let visitor = Browser::new(&p.app, HOST);
    let home = visitor.get("/");
    assert_eq!(page_language(&home), "en");
    let menu = body_text(&home);
    assert!(menu.contains(r#"<form class="language" method="post" action="/language">"#), "{menu}");
    assert!(menu.contains(r#"<option value="da" lang="da">Dansk</option>"#), "{menu}");

    let chosen = choose(&visitor, "da", "/sign-in?return_to=/tickets");
    assert_eq!(chosen.status, 303);
    assert_eq!(chosen.header("location"), Some("/sign-in?return_to=/tickets"), "back to the page it was on");
    assert!(chosen.header("set-cookie").unwrap().starts_with("porch_lang=da;"));
    let danish = visitor.send(Request::new(Method::Get, "/").with_header("accept-language", "nb, en;q=0.5"));
    assert_eq!(page_language(&danish), "da", "the choice comes before Accept-Language");
    assert!(body_text(&danish).contains(r#"<option value="da" lang="da" selected>Dansk</option>"#));

    // Back only to this portal's own pages.
    for referer in ["https://evil.test/x", "http://acme.portals.localhost.evil.test/x", "//evil.test"] {
        let answer = visitor.send(
            Request::new(Method::Post, "/language")
                .with_header("content-type", "application/x-www-form-urlencoded")
                .with_header("origin", ORIGIN)
                .with_header("referer", referer)
                .with_body("language=nb"),
        );
        assert_eq!((answer.status, answer.header("location")), (303, Some("/")), "{referer}");
    }
}

#[test]
fn a_language_the_menu_does_not_offer_or_a_post_from_elsewhere_changes_nothing() {
    let p = provider();
    let portal = p.app.new_portal(&p.key, &p.tenant, &json!({ "slug": "acme", "name": "Acme" }));
    let ada = p.join(&portal, "acme", "ada@example.com", None);
    for bad in ["de", "DA", "", "da-DK"] {
        let refused = choose(&ada, bad, "/");
        assert_eq!(refused.status, 400, "{bad}");
        assert!(body_text(&refused).contains("That language is not offered"), "{}", body_text(&refused));
        assert!(refused.header("set-cookie").is_none_or(|c| !c.starts_with("porch_lang")), "{bad}");
    }
    let elsewhere = ada.send(
        Request::new(Method::Post, "/language")
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_header("origin", "https://evil.test")
            .with_body("language=da"),
    );
    assert_eq!(elsewhere.status, 403, "another site's post");
    let no_origin = ada.post("/language", &[("language", "da")]);
    assert_eq!(no_origin.status, 403, "a post that cannot show it came from here");
    let no_token = ada.send(
        Request::new(Method::Post, "/language")
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_header("origin", ORIGIN)
            .with_body("language=da"),
    );
    assert_eq!(no_token.status, 403, "a signed-in person's post without their page's token");
    assert!(body_text(&ada.get("/"))
        .contains(r#"<form class="language" method="post" action="/language"><input type="hidden" name="csrf""#));
    let rows = p.app.sql("SELECT language FROM accounts WHERE email = 'ada@example.com'", Vec::new());
    assert_eq!(rows[0]["language"], "en");
    assert_eq!(page_language(&ada.get("/")), "en");
}

#[test]
fn a_signed_in_persons_choice_is_saved_for_their_next_sign_in_and_their_emails() {
    let p = provider();
    let portal = p.app.new_portal(&p.key, &p.tenant, &json!({ "slug": "acme", "name": "Acme" }));
    let ada = p.join(&portal, "acme", "ada@example.com", None);
    let grace = p.join(&portal, "acme", "grace@example.com", None);
    assert_eq!(choose(&grace, "nb", "/tickets").status, 303);
    let rows = p.app.sql("SELECT id, language, version FROM accounts WHERE email = 'grace@example.com'", Vec::new());
    assert_eq!(rows[0]["language"], "nb");

    // Another browser, which asks for English: signed in, Grace gets her saved language.
    let elsewhere = Browser::new(&p.app, HOST);
    elsewhere.get("/sign-in");
    let signed_in = elsewhere.post("/sign-in", &[("email", "grace@example.com"), ("password", PASSWORD)]);
    assert_eq!(signed_in.status, 303, "{}", body_text(&signed_in));
    let home = elsewhere.send(Request::new(Method::Get, "/").with_header("accept-language", "en"));
    assert_eq!(page_language(&home), "nb");

    // Ada (the portal's admin) makes Grace an admin: the email is in Grace's language.
    ada.get("/users");
    let (id, version) = (rows[0]["id"].as_str().unwrap(), rows[0]["version"].to_string());
    assert_eq!(ada.post(&format!("/users/{id}/role"), &[("role", "admin"), ("version", &version)]).status, 200);
    let told = p.app.sql("SELECT subject FROM outbox WHERE kind = 'role_change'", Vec::new());
    assert!(told[0]["subject"].as_str().unwrap().starts_with("Rollen din"), "in Norwegian: {told:?}");
}

#[test]
fn provider_text_in_the_portals_language_carries_lang_on_a_page_in_another() {
    let f = fleet::provider();
    let portal = f.portal("acme", &["equipment"]);
    f.ok(Method::Patch, &format!("/portals/{portal}"), &json!({ "default_language": "da" }));
    f.asset("LD:1", &json!({ "name": "Loader 1", "customer_id": f.alpha, "type": "Gummiged" }));
    f.share("LD:1", &f.alpha, fleet::MARCH_1, None);
    let ada = f.join(&portal, "acme", "ada@alpha.example", Some(&f.alpha));
    assert_eq!(choose(&ada, "en", "/equipment").status, 303);
    let english = body_text(&ada.get("/equipment"));
    assert!(english.contains(r#"><span lang="da">Gummiged</span></td>"#), "{english}");
    assert!(!english.contains(r#"lang="da">Equipment"#), "our own words are the page's");
    assert_eq!(choose(&ada, "da", "/equipment").status, 303);
    let danish = body_text(&ada.get("/equipment"));
    assert!(danish.contains(">Gummiged</td>"), "in the page's language, no span: {danish}");
}

#[test]
fn a_danish_readers_report_labels_weeks_and_numbers_in_danish() {
    let f = fleet::provider();
    let portal = f.portal("acme", &["equipment", "reports"]);
    f.asset("LD:1", &json!({ "name": "Læsser", "customer_id": f.alpha }));
    f.share("LD:1", &f.alpha, fleet::MARCH_1 - 7 * fleet::DAY, None);
    f.events("LD:1", &fleet::hourly(fleet::MARCH_1, 30));
    let last = fleet::MARCH_1 + 30 * fleet::HOUR;
    f.events("LD:1", &[json!({ "id": "half", "at": fleet::at(last), "kind": "hours", "value": 1229.5 })]);
    let ada = f.join(&portal, "acme", "ada@alpha.example", Some(&f.alpha));
    assert_eq!(choose(&ada, "da", "/reports").status, 303);
    let html = body_text(&ada.get("/reports?asset=LD:1&from=2026-03-01&to=2026-03-08&by=week"));
    assert_eq!(page_language(&ada.get("/")), "da");
    assert!(html.contains(r#"<figcaption id="report-chart">Driftstimer pr. uge"#), "{html}");
    assert!(html.contains(">Driftstimer (t)</text>") && html.contains(">uge 10</text>"), "{html}");
    // Feb 23 - Mar 1 and Mar 2 - 8: hourly readings 100..129, then 1229.5 on Mar 2.
    assert!(html.contains(r#"<td><time datetime="2026-W10">uge 10, 2026</time></td><td>1.106,5</td>"#), "{html}");
    assert!(html.contains("<title>uge 10, 2026: 1.106,5\u{a0}t</title>"), "{html}");
}

#[test]
fn a_ticket_list_says_how_long_ago_and_marks_the_providers_stage_names_danish() {
    let p = provider();
    let body = json!({ "name": "Support", "stages": [{ "name": "Ny" }, { "name": "Løst", "closed": true }] });
    assert_eq!(p.call(Method::Post, "/pipelines", &body).0, 201);
    let portal =
        p.app.new_portal(&p.key, &p.tenant, &json!({ "slug": "acme", "name": "Acme", "default_language": "da" }));
    let settings = format!("/portals/{portal}/ticket-settings");
    assert_eq!(p.call(Method::Put, &settings, &json!({ "status_display": "stages" })).0, 200);
    let ada = p.join(&portal, "acme", "ada@example.com", Some(&p.customer));
    assert_eq!(ada.get("/tickets/new").status, 200);
    let created = ada.post_multipart("/tickets/new", &[("subject", "Pumpe"), ("description", "Den lækker.")], &[]);
    assert_eq!(created.status, 303, "{}", body_text(&created));
    // Three hours on, the session kept alive within its idle timeout.
    for _ in 0..6 {
        p.app.rt.advance_seconds(1800);
        ada.get("/");
    }
    p.app.rt.advance_seconds(59);

    assert_eq!(choose(&ada, "en", "/tickets").status, 303);
    let english = body_text(&ada.get("/tickets"));
    assert!(english.contains(r#"<span lang="da">Ny</span>"#), "the provider's stage name: {english}");
    assert!(english.contains(">3 hours ago</time>"), "{english}");
    assert_eq!(choose(&ada, "da", "/tickets").status, 303);
    let danish = body_text(&ada.get("/tickets"));
    assert!(danish.contains(">for 3 timer siden</time>") && !danish.contains(r#"lang="da">Ny"#), "{danish}");
}

#[test]
fn a_support_form_label_in_another_language_than_the_page_carries_lang() {
    let p = provider();
    p.support_pipeline();
    let body = json!({ "key": "region", "label": "Område", "kind": "choice", "choices": ["Nord", "Syd"] });
    assert_eq!(p.call(Method::Post, "/ticket-properties", &body).0, 201);
    let body = json!({ "key": "site", "label": "Anlæg", "kind": "text" });
    assert_eq!(p.call(Method::Post, "/ticket-properties", &body).0, 201);
    let portal = p.app.new_portal(
        &p.key,
        &p.tenant,
        &json!({ "slug": "acme", "name": "Acme", "default_language": "da", "apps": ["tickets", "support_form"] }),
    );
    let form = json!({ "form": [
        { "property": "priority", "required": false, "labels": {} },
        { "property": "region", "required": false, "labels": {} },
        { "property": "site", "required": false, "labels": { "en": "Site" } }
    ] });
    let (status, answer) = p.call(Method::Put, &format!("/portals/{portal}/ticket-settings"), &form);
    assert_eq!(status, 200, "{answer}");
    let ada = p.join(&portal, "acme", "ada@example.com", Some(&p.customer));

    assert_eq!(choose(&ada, "en", "/tickets/new").status, 303);
    let english = body_text(&ada.get("/tickets/new"));
    assert!(english.contains(r#"<label for="priority">Priority</label>"#), "our own word: {english}");
    assert!(english.contains(r#"<label for="property.region"><span lang="da">Område</span></label>"#), "{english}");
    assert!(english.contains(r#"<label for="property.site">Site</label>"#), "{english}");
    assert_eq!(choose(&ada, "da", "/tickets/new").status, 303);
    let danish = body_text(&ada.get("/tickets/new"));
    assert!(danish.contains(r">Område</label>") && !danish.contains(r#"lang="da">Område"#), "{danish}");
    assert!(danish.contains(r#"<label for="priority">Prioritet</label>"#), "{danish}");
    assert!(danish.contains(r#"<span lang="en">Site</span></label>"#), "an English label on a Danish page: {danish}");
}

#[test]
fn a_person_asked_to_agree_again_can_switch_the_consent_pages_language_first() {
    let p = provider();
    let portal = p.app.new_portal(&p.key, &p.tenant, &json!({ "slug": "acme", "name": "Acme" }));
    let ada = p.join(&portal, "acme", "ada@example.com", None);
    let (status, answer) =
        p.call(Method::Patch, &format!("/portals/{portal}"), &json!({ "terms_text": "Be kind to the machines." }));
    assert_eq!(status, 200, "{answer}");
    let from = "/consent?return_to=/tickets";
    assert_eq!(page_language(&ada.get(from)), "en");

    let chosen = choose(&ada, "da", from);
    assert_eq!((chosen.status, chosen.header("location")), (303, Some(from)), "not sent to the consent page instead");
    let page = ada.get(from);
    assert_eq!(page_language(&page), "da");
    assert!(body_text(&page).contains("Læs vores opdaterede vilkår"), "{}", body_text(&page));
    let rows = p.app.sql("SELECT language, terms_version FROM accounts WHERE email = 'ada@example.com'", Vec::new());
    assert_eq!((rows[0]["language"].clone(), rows[0]["terms_version"].clone()), (json!("da"), json!(null)));
}

#[test]
fn a_view_as_preview_switches_language_for_the_viewer_alone_and_leaves_the_account_as_it_was() {
    let p = provider();
    let portal = p.app.new_portal(&p.key, &p.tenant, &json!({ "slug": "acme", "name": "Acme" }));
    let ada = p.join(&portal, "acme", "ada@example.com", None);
    assert_eq!(choose(&ada, "da", "/").status, 303);
    let saved =
        || p.app.sql("SELECT language FROM accounts WHERE email = 'ada@example.com'", vec![])[0]["language"].clone();
    assert_eq!(saved(), "da");
    let id = p.app.sql("SELECT id FROM accounts WHERE email = 'ada@example.com'", vec![])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, created) = p.call(Method::Post, &format!("/portals/{portal}/previews"), &json!({ "account_id": id }));
    assert_eq!(status, 201, "{created}");
    let link = created["preview"]["url"].as_str().unwrap().trim_start_matches(ORIGIN).to_owned();
    let staff = Browser::new(&p.app, HOST);
    staff.get(&link);
    assert_eq!(staff.post(&link, &[]).status, 303);
    assert_eq!(page_language(&staff.get("/")), "da", "Ada's portal, as Ada reads it");

    let chosen = choose(&staff, "en", "/");
    assert_eq!(chosen.status, 303, "{}", body_text(&chosen));
    assert_eq!(page_language(&staff.get("/")), "en", "the viewer reads it in their own language");
    assert_eq!(saved(), "da", "a preview writes nothing to the account it shows");
    assert_eq!(page_language(&ada.get("/")), "da", "Ada's own session keeps her choice");
    // Every other form stays refused.
    assert_eq!(staff.post("/users/invite", &[("email", "x@example.com"), ("role", "admin")]).status, 403);
}
