//! A customer's portal set up in the console, Trackunit's steps: set-up (a template, or
//! apps of one's own) -> branding -> start page -> check your answers -> save (as
//! `createPortal`) -> create the first admin's link (as `createPortalInvitation`) -> the
//! overview once the customer's admin has joined.

use crate::common::{accept, body_text, spawn_app, TestApp};
use crate::console_staff::{invite, join, Staffer};
use porch_core::http::Method;
use serde_json::json;

/// The hidden fields of a page's forms, as the browser would send them.
fn hidden_fields(page: &str) -> Vec<(String, String)> {
    let unescape = |v: &str| v.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    page.split(r#"<input type="hidden" name=""#)
        .skip(1)
        .map(|rest| {
            let (name, rest) = rest.split_once('"').unwrap();
            let value = rest.split_once(r#"value=""#).unwrap().1.split_once('"').unwrap().0;
            (name.to_owned(), unescape(value))
        })
        .filter(|(name, _)| name != "csrf")
        .collect()
}

/// Follows a step's redirect to the next step, and returns the next step's page.
fn next_step(admin: &Staffer<'_>, sent: &porch_core::http::Response, step: &str) -> String {
    assert_eq!(sent.status, 303, "{}", body_text(sent));
    let location = sent.header("location").unwrap().to_owned();
    assert!(location.contains(&format!("/new-portal/{step}?")), "{location}");
    let page = admin.browser.get(&location);
    assert_eq!(page.status, 200);
    body_text(&page)
}

struct Setting<'a> {
    tenant: String,
    key: String,
    customer: String,
    admin: Staffer<'a>,
}

fn setting(app: &TestApp) -> Setting<'_> {
    let (tenant, key) = app.new_tenant("acme-co");
    let admin = join(app, &invite(app, &key, &tenant, "ad@acme.example", "admin"), "Ad Admin");
    let customer = app.new_customer(&key, &tenant, "Globex A/S");
    Setting { tenant, key, customer, admin }
}

#[test]
fn an_admin_walks_the_wizard_makes_the_first_admins_link_and_sees_the_overview_once_they_join() {
    let app = spawn_app();
    let s = setting(&app);
    let (tenant, customer) = (&s.tenant, &s.customer);
    let profile = format!("/tenants/{tenant}/customers/{customer}");
    let page = body_text(&s.admin.browser.get(&profile));
    assert!(page.contains("This customer has no portal of its own yet."), "{page}");
    assert!(page.contains(&format!(r#"href="{profile}/new-portal/setup""#)), "{page}");

    // Set-up: the customer's name and an address made of it, a custom set-up (no templates).
    let wizard = format!("{profile}/new-portal");
    let first = body_text(&s.admin.browser.get(&format!("{wizard}/setup")));
    for shown in [r#"value="Globex A/S""#, r#"value="globex-a-s""#, "Step 1 of 4", r#"aria-current="step">Set-up"#] {
        assert!(first.contains(shown), "{shown}: {first}");
    }
    assert!(first.contains(r#"id="setup" type="radio" name="setup" value="custom" checked"#), "{first}");
    // A bad address comes back beside its field, keeping what was typed.
    let bad = s.admin.browser.get(&format!(
        "{wizard}/setup?name=Globex&slug=Not%20OK&setup=custom&app=tickets&apps=&theme=&start=%2F&continue=1"
    ));
    assert_eq!(bad.status, 422);
    let bad = body_text(&bad);
    assert!(bad.contains(r##"<a href="#slug""##) && bad.contains(r#"value="Not OK""#), "{bad}");

    let sent = s.admin.browser.get(&format!(
        "{wizard}/setup?name=Globex+Help&slug=globex&setup=custom&app=tickets&app=documents&apps=&theme=&start=%2F&continue=1"
    ));
    let branding = next_step(&s.admin, &sent, "branding");
    assert!(branding.contains("Porch&#39;s standard look") || branding.contains("Porch's standard look"), "{branding}");
    let sent = s.admin.browser.get(&format!(
        "{wizard}/branding?name=Globex+Help&slug=globex&setup=custom&apps=tickets,documents&theme=&start=%2F&continue=1"
    ));
    let start = next_step(&s.admin, &sent, "start-page");
    assert!(start.contains(r#"value="/documents""#) && !start.contains(r#"value="/equipment""#), "{start}");
    let sent = s.admin.browser.get(&format!(
        "{wizard}/start-page?name=Globex+Help&slug=globex&setup=custom&apps=tickets,documents&theme=&start=%2Fdocuments&continue=1"
    ));
    let review = next_step(&s.admin, &sent, "review");
    for shown in ["Check your answers", "Globex Help", "<code>globex.portals.localhost</code>", "Tickets, Documents"] {
        assert!(review.contains(shown), "{shown}: {review}");
    }
    assert!(app.sql("SELECT id FROM portals", Vec::new()).is_empty(), "nothing is written before Save");
    // "Change" on the answers comes back to them, not through the steps after.
    assert!(review.contains("&amp;then=review"), "{review}");
    let changed = s.admin.browser.get(&format!(
        "{wizard}/setup?name=Globex+Help&slug=globex&setup=custom&app=tickets&app=documents&apps=&theme=&start=%2Fdocuments&then=review&continue=1"
    ));
    assert!(changed.header("location").unwrap().contains("/new-portal/review?"), "{:?}", changed.header("location"));

    // Save: the portal, the customer's own, as the answers said.
    let fields = hidden_fields(&review);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let saved = s.admin.browser.post(&wizard, &fields);
    assert_eq!(saved.status, 303, "{}", body_text(&saved));
    assert_eq!(saved.header("location"), Some(format!("{profile}?done=portal#customer-portal").as_str()));
    let made = app.sql("SELECT id, name, customer_id, start_page FROM portals WHERE slug = 'globex'", Vec::new());
    assert_eq!(
        (made[0]["name"].as_str(), made[0]["customer_id"].as_str()),
        (Some("Globex Help"), Some(customer.as_str()))
    );
    assert_eq!(made[0]["start_page"], "/documents");
    let portal = made[0]["id"].as_str().unwrap().to_owned();
    let audit = app.sql("SELECT actor FROM audit_log WHERE action = 'portal.create'", Vec::new());
    assert_eq!(audit[0]["actor"], format!("staff:{}", s.admin.id));

    // The overview, and the first admin's link, made once and shown once.
    let page = body_text(&s.admin.browser.get(&format!("{profile}?done=portal")));
    for shown in ["The portal is made.", "Custom", "Tickets, Documents", "0 waiting, 0 accepted", "Create link"] {
        assert!(page.contains(shown), "{shown}: {page}");
    }
    let linked = s.admin.browser.post(&format!("{profile}/portals/{portal}/link"), &[]);
    assert_eq!(linked.status, 200);
    let linked = body_text(&linked);
    let from = linked.find("http://globex.portals.localhost/invite/").expect("the link is shown");
    let url = linked[from..].split('"').next().unwrap().to_owned();
    assert!(linked.contains("data-copy=\"invitation-link\""), "{linked}");
    let invitations = app.sql("SELECT role, customer_id, created_by FROM invitations", Vec::new());
    assert_eq!(invitations[0]["role"], "admin");
    assert_eq!(invitations[0]["customer_id"].as_str(), Some(customer.as_str()));
    assert_eq!(invitations[0]["created_by"], format!("staff:{}", s.admin.id));
    let again = body_text(&s.admin.browser.get(&profile));
    assert!(!again.contains(&url) && again.contains("1 waiting, 0 accepted"), "the link is shown once: {again}");

    // The customer's admin joins: the overview replaces the link.
    let joined = accept(&app, &url, "globex", "ann@globex.example");
    assert!(joined.signed_in_as("Ada"));
    let page = body_text(&s.admin.browser.get(&profile));
    assert!(!page.contains("Create link"), "{page}");
    for shown in ["0 waiting, 1 accepted", "<dt>Admins</dt><dd>Ada</dd>", "<dt>Users</dt><dd>1</dd>"] {
        assert!(page.contains(shown), "{shown}: {page}");
    }
}

#[test]
fn a_template_decides_the_branding_and_start_page_and_a_taken_address_is_said_at_the_first_step() {
    let app = spawn_app();
    let s = setting(&app);
    let (tenant, customer) = (&s.tenant, &s.customer);
    let (status, template) = app.api_as(
        Some(&s.key),
        Method::Post,
        &format!("/api/v1/tenants/{tenant}/templates"),
        &json!({ "name": "Service", "apps": ["tickets"], "start_page": "/tickets", "is_default": true }),
    );
    assert_eq!(status, 201, "{template}");
    let template = template["template"]["id"].as_str().unwrap().to_owned();
    app.new_portal(&s.key, tenant, &json!({ "slug": "taken", "name": "Taken" }));
    let wizard = format!("/tenants/{tenant}/customers/{customer}/new-portal");
    let first = body_text(&s.admin.browser.get(&format!("{wizard}/setup")));
    assert!(
        first.contains(&format!(r#"value="{template}" checked"#)) && first.contains("(your default)"),
        "the tenant's default template is chosen first: {first}"
    );

    let taken = s
        .admin
        .browser
        .get(&format!("{wizard}/setup?name=Taken&slug=taken&setup={template}&apps=&theme=&start=%2F&continue=1"));
    assert_eq!(taken.status, 422);
    assert!(body_text(&taken).contains("Another portal has this address"), "{}", body_text(&taken));

    let sent = s
        .admin
        .browser
        .get(&format!("{wizard}/setup?name=Globex&slug=globex&setup={template}&apps=&theme=&start=%2F&continue=1"));
    let branding = next_step(&s.admin, &sent, "branding");
    assert!(
        branding.contains("The template “Service” decides this.") && !branding.contains(r#"type="radio" name="theme""#)
    );
    let review = body_text(
        &s.admin
            .browser
            .get(&format!("{wizard}/review?name=Globex&slug=globex&setup={template}&apps=&theme=&start=%2F")),
    );
    assert!(review.contains("Template “Service”") && review.contains("<dd>Tickets</dd>"), "{review}");
    let fields = hidden_fields(&review);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    assert_eq!(s.admin.browser.post(&wizard, &fields).status, 303);
    let made = app.sql("SELECT template_id, start_page FROM portals WHERE slug = 'globex'", Vec::new());
    assert_eq!(
        (made[0]["template_id"].as_str(), made[0]["start_page"].as_str()),
        (Some(template.as_str()), Some("/tickets"))
    );
}

#[test]
fn a_viewer_cannot_open_the_wizard_and_another_tenants_customer_is_not_found() {
    let app = spawn_app();
    let s = setting(&app);
    let viewer = join(&app, &invite(&app, &s.key, &s.tenant, "vi@acme.example", "viewer"), "Vi Viewer");
    let wizard = format!("/tenants/{}/customers/{}/new-portal", s.tenant, s.customer);
    assert_eq!(viewer.browser.get(&format!("{wizard}/setup")).status, 403);
    let body =
        [("name", "X"), ("slug", "x-portal"), ("setup", "custom"), ("apps", "tickets"), ("theme", ""), ("start", "/")];
    assert_eq!(viewer.browser.post(&wizard, &body).status, 403);
    assert!(!body_text(&viewer.browser.get(&format!("/tenants/{}/customers/{}", s.tenant, s.customer)))
        .contains("Set up a customer portal"));

    let (other, other_key) = app.new_tenant("globex");
    let theirs = app.new_customer(&other_key, &other, "Theirs");
    assert_eq!(s.admin.browser.get(&format!("/tenants/{}/customers/{theirs}/new-portal/setup", s.tenant)).status, 404);
    assert_eq!(s.admin.browser.get(&format!("/tenants/{other}/customers/{theirs}/new-portal/setup")).status, 404);
    let sent = s.admin.browser.post(&format!("/tenants/{}/customers/{theirs}/new-portal", s.tenant), &body);
    assert_eq!(sent.status, 404, "another tenant's customer is not found");
    assert!(app.sql("SELECT id FROM portals", Vec::new()).is_empty());
    assert_eq!(s.admin.browser.get(&format!("{wizard}/elsewhere")).status, 404);
}

#[test]
fn a_start_page_whose_app_was_unticked_is_not_chosen_and_a_template_carries_the_custom_answers_it_hides() {
    let app = spawn_app();
    let s = setting(&app);
    let wizard = format!("/tenants/{}/customers/{}/new-portal", s.tenant, s.customer);
    let start =
        body_text(&s.admin.browser.get(&format!(
            "{wizard}/start-page?name=G&slug=g-portal&setup=custom&apps=tickets&theme=&start=%2Fdocuments"
        )));
    assert!(start.contains(r#"id="start" type="radio" name="start" value="/" checked"#), "{start}");
    assert!(!start.contains(r#"value="/documents""#), "{start}");

    let (_, template) = app.api_as(
        Some(&s.key),
        Method::Post,
        &format!("/api/v1/tenants/{}/templates", s.tenant),
        &json!({ "name": "Service", "apps": ["tickets"] }),
    );
    let template = template["template"]["id"].as_str().unwrap().to_owned();
    let branding = body_text(&s.admin.browser.get(&format!(
        "{wizard}/branding?name=G&slug=g-portal&setup={template}&apps=documents&theme=t-1&start=%2Fdocuments"
    )));
    for carried in
        [r#"name="theme" value="t-1""#, r#"name="start" value="/documents""#, r#"name="apps" value="documents""#]
    {
        assert!(branding.contains(carried), "{carried}: {branding}");
    }
}

#[test]
fn only_an_admin_makes_a_link_and_only_for_a_portal_of_the_customers_own() {
    let app = spawn_app();
    let s = setting(&app);
    let own =
        app.new_portal(&s.key, &s.tenant, &json!({ "slug": "globex", "name": "Globex", "customer_id": s.customer }));
    let shared = app.new_portal(&s.key, &s.tenant, &json!({ "slug": "everyone", "name": "Everyone" }));
    let profile = format!("/tenants/{}/customers/{}", s.tenant, s.customer);
    let viewer = join(&app, &invite(&app, &s.key, &s.tenant, "vi@acme.example", "viewer"), "Vi Viewer");
    assert_eq!(viewer.browser.post(&format!("{profile}/portals/{own}/link"), &[]).status, 403);
    assert_eq!(s.admin.browser.post(&format!("{profile}/portals/{shared}/link"), &[]).status, 404);
    let forged = s.admin.browser.post_raw(&format!("{profile}/portals/{own}/link"), &[]);
    assert_eq!(forged.status, 403, "a form without its CSRF token is refused");
    assert!(app.sql("SELECT id FROM invitations", Vec::new()).is_empty(), "no link was made");

    // The console's pages may run its own script (the copy button); a portal's may run none.
    let page = s.admin.browser.get(&profile);
    assert!(page.header("content-security-policy").unwrap().contains("script-src 'self'"));
    let portal = app.page(&crate::common::platform_host("globex"), "/sign-in");
    let csp = portal.header("content-security-policy").unwrap();
    assert!(csp.starts_with("default-src 'none'") && !csp.contains("script-src"), "{csp}");
}
