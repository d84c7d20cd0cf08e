//! A tenant's portals in the console: the list, and a portal's settings and switch saved
//! through `app::portal_settings::update`, the rule `updatePortal` calls. The settings portal
//! products list, first part: title, language, who can join, timeouts, terms and consent, on and off.

use crate::common::{body_text, platform_host, spawn_app, TestApp};
use crate::console_staff::{invite, join, Staffer};
use crate::domains::publish_txt;
use porch_core::http::Method;
use serde_json::{json, Value};

struct Setup<'a> {
    tenant: String,
    key: String,
    portal: String,
    admin: Staffer<'a>,
}

fn setup(app: &TestApp) -> Setup<'_> {
    let (tenant, key) = app.new_tenant("acme-co");
    let portal = app.new_portal(&key, &tenant, &json!({ "slug": "acme-help", "name": "Acme Help" }));
    let admin = join(app, &invite(app, &key, &tenant, "ad@acme.example", "admin"), "Ad Admin");
    Setup { tenant, key, portal, admin }
}

impl Setup<'_> {
    fn page(&self) -> String {
        body_text(&self.admin.browser.get(&format!("/tenants/{}/portals/{}", self.tenant, self.portal)))
    }

    /// The version the settings form carries.
    fn version(&self) -> String {
        let page = self.page();
        let from = page.find(r#"name="version" value=""#).unwrap() + r#"name="version" value=""#.len();
        page[from..from + page[from..].find('"').unwrap()].to_owned()
    }

    fn api_portal(&self, app: &TestApp) -> Value {
        let path = format!("/api/v1/tenants/{}/portals/{}", self.tenant, self.portal);
        app.api_as(Some(&self.key), Method::Get, &path, &Value::Null).1["portal"].clone()
    }
}

/// The settings form as the page gives it, with `changes` over it.
fn settings<'f>(version: &'f str, changes: &[(&'f str, &'f str)]) -> Vec<(&'f str, &'f str)> {
    let mut fields = vec![
        ("version", version),
        ("name", "Acme Help"),
        ("page_title", "Acme Help"),
        ("default_language", "en"),
        ("join_policy", "invitation"),
        ("idle_timeout_minutes", "60"),
        ("session_lifetime_hours", "168"),
        ("terms_text", ""),
        ("consent_text", ""),
    ];
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        fields.push((name, value));
    }
    fields
}

#[test]
fn an_admin_changes_who_may_join_and_the_consent_text_and_switches_the_portal_off_and_on() {
    let app = spawn_app();
    let s = setup(&app);
    let list = body_text(&s.admin.browser.get(&format!("/tenants/{}/portals", s.tenant)));
    assert!(list.contains("Acme Help") && list.contains("<code>acme-help</code>") && list.contains(">On<"), "{list}");
    let page = s.page();
    assert!(page.contains("<h2>Acme Help</h2>") && page.contains("http://acme-help.portals.localhost"), "{page}");

    let version = s.version();
    let consent = "We keep your name and email to answer your requests.";
    let form =
        settings(&version, &[("join_policy", "lists"), ("consent_text", consent), ("page_title", "Acme — help")]);
    let saved = s.admin.browser.post(&format!("/tenants/{}/portals/{}/settings", s.tenant, s.portal), &form);
    assert_eq!(saved.status, 303, "{}", body_text(&saved));
    let after = body_text(&s.admin.browser.get(saved.header("location").unwrap()));
    assert!(after.contains("Settings saved."), "{after}");
    let portal = s.api_portal(&app);
    assert_eq!((portal["join_policy"].as_str(), portal["consent_text"].as_str()), (Some("lists"), Some(consent)));
    assert_eq!(portal["page_title"], "Acme — help");
    assert_eq!(portal["consent_version"], 1, "a new consent text is a new version people agree to");
    let audit = app.sql("SELECT actor FROM audit_log WHERE action = 'portal.update'", Vec::new());
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["actor"], format!("staff:{}", s.admin.id), "audited under the person");

    let host = platform_host("acme-help");
    assert_eq!(app.page(&host, "/sign-in").status, 200);
    let switch = format!("/tenants/{}/portals/{}/switch", s.tenant, s.portal);
    let off = s.admin.browser.post(&switch, &[("version", &s.version()), ("enabled", "false")]);
    assert_eq!(off.header("location"), Some(format!("/tenants/{}/portals/{}?done=off", s.tenant, s.portal).as_str()));
    assert_eq!(app.page(&host, "/sign-in").status, 503, "the branded 503 at once");
    assert!(s.page().contains("Switch the portal on"));
    let on = s.admin.browser.post(&switch, &[("version", &s.version()), ("enabled", "true")]);
    assert_eq!(on.status, 303);
    assert_eq!(app.page(&host, "/sign-in").status, 200);
}

#[test]
fn a_form_opened_before_someone_elses_change_saves_nothing_and_shows_the_portal_as_it_now_is() {
    let app = spawn_app();
    let s = setup(&app);
    let stale = s.version();
    let path = format!("/api/v1/tenants/{}/portals/{}", s.tenant, s.portal);
    assert_eq!(app.api_as(Some(&s.key), Method::Patch, &path, &json!({ "name": "Acme Service" })).0, 200);
    let form = settings(&stale, &[("join_policy", "open")]);
    let refused = s.admin.browser.post(&format!("/tenants/{}/portals/{}/settings", s.tenant, s.portal), &form);
    assert_eq!(refused.status, 409);
    let refused = body_text(&refused);
    assert!(refused.contains("Someone changed this portal after you opened the page"), "{refused}");
    assert!(refused.contains(r#"value="Acme Service""#), "the page shows the portal as it now is: {refused}");
    let portal = s.api_portal(&app);
    assert_eq!((portal["name"].as_str(), portal["join_policy"].as_str()), (Some("Acme Service"), Some("invitation")));
    let switched = s.admin.browser.post(
        &format!("/tenants/{}/portals/{}/switch", s.tenant, s.portal),
        &[("version", &stale), ("enabled", "false")],
    );
    assert_eq!(switched.status, 409, "the switch too");
    assert_eq!(s.api_portal(&app)["enabled"], true);
}

#[test]
fn what_is_wrong_is_named_beside_its_field_and_what_was_typed_is_kept() {
    let app = spawn_app();
    let s = setup(&app);
    let version = s.version();
    let action = format!("/tenants/{}/portals/{}/settings", s.tenant, s.portal);
    let typed = settings(&version, &[("idle_timeout_minutes", "an hour"), ("name", "Kept Name")]);
    let refused = s.admin.browser.post(&action, &typed);
    assert_eq!(refused.status, 422);
    let refused = body_text(&refused);
    assert!(refused.contains(r##"<a href="#idle_timeout_minutes">Enter a whole number</a>"##), "{refused}");
    assert!(refused.contains(r#"value="an hour""#) && refused.contains(r#"value="Kept Name""#), "{refused}");
    // The rule's own checks (the API's): a range, a language.
    let typed = settings(&version, &[("idle_timeout_minutes", "1"), ("default_language", "xx")]);
    let refused = body_text(&s.admin.browser.post(&action, &typed));
    assert!(refused.contains(r##"<a href="#idle_timeout_minutes">must be between 5 and 10080</a>"##), "{refused}");
    assert!(refused.contains(r##"<a href="#default_language">"##), "{refused}");
    assert_eq!(s.api_portal(&app)["name"], "Acme Help", "nothing was saved");
}

#[test]
fn a_viewer_reads_the_settings_but_cannot_change_them_and_another_tenants_portal_is_not_found() {
    let app = spawn_app();
    let s = setup(&app);
    let viewer = join(&app, &invite(&app, &s.key, &s.tenant, "vi@acme.example", "viewer"), "Vi Viewer");
    let page = body_text(&viewer.browser.get(&format!("/tenants/{}/portals/{}", s.tenant, s.portal)));
    assert!(page.contains("Your role can read these settings but not change them."), "{page}");
    assert!(page.contains("<fieldset class=\"stack\" disabled>") && !page.contains("Save settings"), "{page}");
    let version = s.version();
    let form = settings(&version, &[("join_policy", "open")]);
    let refused = viewer.browser.post(&format!("/tenants/{}/portals/{}/settings", s.tenant, s.portal), &form);
    assert_eq!(refused.status, 403);
    assert_eq!(s.api_portal(&app)["join_policy"], "invitation");

    let (other, other_key) = app.new_tenant("globex");
    let theirs = app.new_portal(&other_key, &other, &json!({ "slug": "globex-help", "name": "Globex Help" }));
    for path in [format!("/tenants/{other}/portals"), format!("/tenants/{other}/portals/{theirs}")] {
        assert_eq!(s.admin.browser.get(&path).status, 404, "{path}");
    }
    // Their portal under our tenant's id is not found either: every read binds the tenant.
    assert_eq!(s.admin.browser.get(&format!("/tenants/{}/portals/{theirs}", s.tenant)).status, 404);
    let form = settings(&version, &[]);
    let sent = s.admin.browser.post(&format!("/tenants/{}/portals/{theirs}/settings", s.tenant), &form);
    assert_eq!(sent.status, 404);
}

#[test]
fn an_admin_connects_a_localhost_domain_at_once_and_a_real_one_with_its_txt_record() {
    let app = spawn_app();
    let s = setup(&app);
    let action = format!("/tenants/{}/portals/{}/domains", s.tenant, s.portal);
    let added = s.admin.browser.post(&action, &[("hostname", "acme-help.localhost")]);
    assert_eq!(added.status, 303, "{}", body_text(&added));
    assert_eq!(app.page("acme-help.localhost", "/sign-in").status, 200, "a *.localhost domain is active at once");
    let page = body_text(&s.admin.browser.get(added.header("location").unwrap()));
    assert!(page.contains("<code>acme-help.localhost</code>") && page.contains("Domain added."), "{page}");

    let added = s.admin.browser.post(&action, &[("hostname", "Support.Acme.example")]);
    assert_eq!(added.status, 303, "{}", body_text(&added));
    let page = s.page();
    assert!(
        page.contains("Waiting for its DNS record") && page.contains("_porch-verify.support.acme.example"),
        "{page}"
    );
    let token = app.sql("SELECT verification_token FROM domains WHERE hostname = 'support.acme.example'", Vec::new());
    let token = token[0]["verification_token"].as_str().unwrap().to_owned();
    assert!(page.contains(&token), "the TXT value to publish is shown");
    publish_txt(&app, "support.acme.example", &[&token]);
    let checked = s.admin.browser.post(&format!("{action}/support.acme.example/verify"), &[]);
    assert_eq!(
        checked.header("location"),
        Some(format!("/tenants/{}/portals/{}?done=checked", s.tenant, s.portal).as_str())
    );
    let (_, listed) = app.api_as(Some(&s.key), Method::Get, &format!("/api/v1{action}"), &Value::Null);
    let statuses: Vec<&str> =
        listed["domains"].as_array().unwrap().iter().map(|d| d["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["active", "active"], "{listed}");

    let removed = s.admin.browser.post(&format!("{action}/acme-help.localhost/remove"), &[]);
    assert_eq!(removed.status, 303);
    assert_eq!(app.page("acme-help.localhost", "/sign-in").status, 404, "a removed domain answers nothing at once");
}

#[test]
fn a_name_a_portal_may_not_claim_is_refused_beside_its_field_and_a_viewer_connects_nothing() {
    let app = spawn_app();
    let s = setup(&app);
    let action = format!("/tenants/{}/portals/{}/domains", s.tenant, s.portal);
    for (typed, said) in [
        ("10.0.0.1", "must be a full DNS name"),
        ("console.localhost", "is the console's hostname"),
        ("other.portals.localhost", "names under the platform domain"),
    ] {
        let refused = s.admin.browser.post(&action, &[("hostname", typed)]);
        assert_eq!(refused.status, 422, "{typed}");
        let page = body_text(&refused);
        assert!(page.contains(said) && page.contains(&format!(r#"value="{typed}""#)), "{typed}: {page}");
    }
    s.admin.browser.post(&action, &[("hostname", "acme-help.localhost")]);
    let twice = body_text(&s.admin.browser.post(&action, &[("hostname", "acme-help.localhost")]));
    assert!(twice.contains("this portal already claims that hostname"), "{twice}");
    let viewer = join(&app, &invite(&app, &s.key, &s.tenant, "vi@acme.example", "viewer"), "Vi Viewer");
    assert_eq!(viewer.browser.post(&action, &[("hostname", "vi.localhost")]).status, 403);
    let removing = viewer.browser.post(&format!("{action}/acme-help.localhost/remove"), &[]);
    assert_eq!(removing.status, 403);
    assert_eq!(app.sql("SELECT hostname FROM domains", Vec::new()).len(), 1);
}

#[test]
fn the_registration_list_takes_an_address_or_a_whole_domain_once_and_a_listed_address_is_told() {
    let app = spawn_app();
    let s = setup(&app);
    let version = s.version();
    let form = settings(&version, &[("join_policy", "lists")]);
    assert_eq!(
        s.admin.browser.post(&format!("/tenants/{}/portals/{}/settings", s.tenant, s.portal), &form).status,
        303
    );
    let action = format!("/tenants/{}/portals/{}/registration-list", s.tenant, s.portal);
    for typed in ["Ann@Globex.example", "partner.example"] {
        let added = s.admin.browser.post(&action, &[("entry", typed)]);
        assert_eq!(added.status, 303, "{typed}: {}", body_text(&added));
    }
    let page = s.page();
    assert!(
        page.contains("<code>ann@globex.example</code>") && page.contains("<code>partner.example</code>"),
        "{page}"
    );
    assert!(page.contains("Whole domain"), "{page}");
    let mail = app.sql("SELECT kind, to_email FROM outbox WHERE kind = 'registration_invite'", Vec::new());
    assert_eq!(
        mail,
        [json!({ "kind": "registration_invite", "to_email": "ann@globex.example" })],
        "the address is told"
    );
    let (_, listed) = app.api_as(Some(&s.key), Method::Get, &format!("/api/v1{action}"), &Value::Null);
    assert_eq!(listed["entries"].as_array().unwrap().len(), 2, "{listed}");

    let twice = s.admin.browser.post(&action, &[("entry", "partner.example")]);
    assert_eq!(twice.status, 422);
    assert!(body_text(&twice).contains("that email or domain is already on the list"));
    let bad = body_text(&s.admin.browser.post(&action, &[("entry", "not a domain")]));
    assert!(
        bad.contains(r##"<a href="#entry">Enter an email address such as"##) && bad.contains(r#"value="not a domain""#),
        "{bad}"
    );

    let id = listed["entries"].as_array().unwrap().iter().find(|e| e["domain"] == "partner.example").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let removed = s.admin.browser.post(&format!("{action}/{id}/remove"), &[]);
    assert_eq!(removed.status, 303);
    assert!(!s.page().contains("<code>partner.example</code>"));
    let viewer = join(&app, &invite(&app, &s.key, &s.tenant, "vi@acme.example", "viewer"), "Vi Viewer");
    assert_eq!(viewer.browser.post(&action, &[("entry", "x.example")]).status, 403);
}

#[test]
fn another_tenants_portal_or_another_portals_entry_is_not_found_for_domains_and_the_registration_list() {
    let app = spawn_app();
    let s = setup(&app);
    let (other, other_key) = app.new_tenant("globex");
    let theirs = app.new_portal(&other_key, &other, &json!({ "slug": "globex-help", "name": "Globex Help" }));
    let under_ours = format!("/tenants/{}/portals/{theirs}", s.tenant);
    assert_eq!(s.admin.browser.post(&format!("{under_ours}/domains"), &[("hostname", "sneaky.localhost")]).status, 404);
    assert_eq!(s.admin.browser.post(&format!("{under_ours}/registration-list"), &[("entry", "x.example")]).status, 404);
    assert!(app.sql("SELECT hostname FROM domains", Vec::new()).is_empty());
    assert!(app.sql("SELECT id FROM registration_list", Vec::new()).is_empty());
    assert!(
        app.sql("SELECT bucket FROM rate_limits WHERE bucket LIKE '%console-domains'", Vec::new()).is_empty(),
        "nothing was counted for a portal that is not the tenant's"
    );

    // An entry of another portal of the same tenant, under this portal's path.
    let second = app.new_portal(&s.key, &s.tenant, &json!({ "slug": "acme-parts", "name": "Acme Parts" }));
    let list = format!("/tenants/{}/portals/{second}/registration-list", s.tenant);
    assert_eq!(s.admin.browser.post(&list, &[("entry", "parts.example")]).status, 303);
    let id = app.sql("SELECT id FROM registration_list", Vec::new())[0]["id"].as_str().unwrap().to_owned();
    let wrong = format!("/tenants/{}/portals/{}/registration-list/{id}/remove", s.tenant, s.portal);
    assert_eq!(s.admin.browser.post(&wrong, &[]).status, 404);
    assert_eq!(app.sql("SELECT id FROM registration_list", Vec::new()).len(), 1);
}

#[test]
fn an_admin_views_the_portal_as_a_member_and_a_viewer_may_not() {
    let app = spawn_app();
    let s = setup(&app);
    let view_as = format!("/tenants/{}/portals/{}/view-as", s.tenant, s.portal);
    assert!(s.page().contains("View the portal"));
    let made = s.admin.browser.post(&view_as, &[]);
    assert_eq!(made.status, 200, "{:?}", made.header("location"));
    let made = body_text(&made);
    let from = made.find("http://acme-help.portals.localhost/preview/").expect("the link to follow");
    let url = made[from..].split('"').next().unwrap().to_owned();
    let audit = app.sql("SELECT actor FROM audit_log WHERE action = 'preview.create'", Vec::new());
    assert_eq!(audit[0]["actor"], format!("staff:{}", s.admin.id));

    let visitor = crate::common::browser::Browser::new(&app, &platform_host("acme-help"));
    let path = url.trim_start_matches("http://acme-help.portals.localhost");
    let asked = visitor.get(path);
    assert_eq!(asked.status, 200, "the portal asks before it opens the preview: {:?} {path}", asked.header("location"));
    assert_eq!(visitor.post(path, &[]).status, 303);
    assert!(body_text(&visitor.get("/")).contains("Preview: you are seeing this portal as"));

    let viewer = join(&app, &invite(&app, &s.key, &s.tenant, "vi@acme.example", "viewer"), "Vi Viewer");
    assert_eq!(viewer.browser.post(&view_as, &[]).status, 403);
    assert_eq!(app.sql("SELECT id FROM previews", Vec::new()).len(), 1);
}

/// A person on `portal`, written straight to the database (joining is not under test).
fn person(app: &TestApp, tenant: &str, portal: &str, number: u8, email: &str) -> String {
    let id = format!("00000000-0000-4000-8000-{number:012}");
    app.execute(
        "INSERT INTO accounts (id, tenant_id, portal_id, email, name, role, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'Pat Person', 'member', 0, 0)",
        vec![id.as_str().into(), tenant.into(), portal.into(), email.into()],
    );
    id
}

#[test]
fn an_admin_views_the_portal_as_the_person_with_an_email_and_only_of_this_portal() {
    let app = spawn_app();
    let s = setup(&app);
    let other = app.new_portal(&s.key, &s.tenant, &json!({ "slug": "acme-other", "name": "Acme Other" }));
    let pat = person(&app, &s.tenant, &s.portal, 1, "pat@customer.example");
    person(&app, &s.tenant, &other, 2, "elsewhere@customer.example");
    let view_as = format!("/tenants/{}/portals/{}/view-as", s.tenant, s.portal);

    let made = s.admin.browser.post(&view_as, &[("view_as_email", " pat@customer.example ")]);
    assert_eq!(made.status, 200);
    assert!(body_text(&made).contains("http://acme-help.portals.localhost/preview/"));
    let previews = app.sql("SELECT account_id FROM previews", Vec::new());
    assert_eq!(previews, vec![json!({ "account_id": pat })]);

    for typed in ["elsewhere@customer.example", "nobody@customer.example", "not an email"] {
        let refused = s.admin.browser.post(&view_as, &[("view_as_email", typed)]);
        assert_eq!(refused.status, 422, "{typed}");
        let page = body_text(&refused);
        assert!(page.contains(r##"<a href="#view_as_email">No one on this portal has this email</a>"##), "{page}");
        assert!(page.contains(&format!(r#"value="{typed}""#)), "what was typed is kept: {page}");
    }
    assert_eq!(app.sql("SELECT id FROM previews", Vec::new()).len(), 1, "a refusal makes no link");
}
