//! A tenant's staff in the console: invited by email (from the console's Staff tab or the
//! API), joining through the link straight into setting up the second factor, roles that
//! decide what each may do, the last owner kept, another tenant's pages not found, and every
//! console action doing exactly what its API twin does.

use std::collections::BTreeSet;

use crate::common::browser::Browser;
use crate::common::{body_text, spawn_app, TestApp, PASSWORD};
use crate::console::{code_now, operator, secret_on, sign_in, CONSOLE};
use porch_core::app::console::routes::ROUTES as CONSOLE_ROUTES;
use porch_core::http::Method;
use serde_json::{json, Value};

/// A person who joined through an invitation link and set up their second factor.
pub struct Staffer<'a> {
    pub browser: Browser<'a>,
    pub id: String,
}

/// The path of a console link (`http://console.localhost/join/…`).
fn path_of(url: &str) -> &str {
    url.strip_prefix("http://console.localhost").unwrap_or_else(|| panic!("a console link: {url}"))
}

/// The version a page's form carries (its first `version` field after `from`, an action's
/// path or "" for the first form).
pub fn version_on(page: &str, from: &str) -> String {
    let start = page.find(from).unwrap();
    let marker = r#"name="version" value=""#;
    let at = start + page[start..].find(marker).unwrap() + marker.len();
    page[at..at + page[at..].find('"').unwrap()].to_owned()
}

/// Invites `email` as `role` with the tenant's key; the link.
pub fn invite(app: &TestApp, key: &str, tenant: &str, email: &str, role: &str) -> String {
    let path = format!("/api/v1/tenants/{tenant}/staff-invitations");
    let (status, body) = app.api_as(Some(key), Method::Post, &path, &json!({ "email": email, "role": role }));
    assert_eq!(status, 201, "{body}");
    body["url"].as_str().unwrap().to_owned()
}

/// Follows an invitation link in a new browser, joins as `name` and sets up the second factor.
pub fn join<'a>(app: &'a TestApp, url: &str, name: &str) -> Staffer<'a> {
    let browser = Browser::new(app, CONSOLE);
    let form = browser.get(path_of(url));
    assert_eq!(form.status, 200, "{}", body_text(&form));
    let joined = browser.post(path_of(url), &[("name", name), ("password", PASSWORD)]);
    assert_eq!(joined.status, 303, "{}", body_text(&joined));
    assert_eq!(joined.header("location"), Some("/second-factor"), "the link proves they may set it up");
    let secret = secret_on(&body_text(&browser.get("/second-factor")));
    let done = browser.post("/second-factor", &[("code", &code_now(app, &secret))]);
    assert_eq!(done.status, 200, "{}", body_text(&done));
    app.rt.advance_seconds(30);
    let id = app.sql("SELECT id FROM staff WHERE name = ?1", vec![name.into()])[0]["id"].as_str().unwrap().to_owned();
    Staffer { browser, id }
}

fn staff_page(browser: &Browser<'_>, tenant: &str) -> (u16, String) {
    let page = browser.get(&format!("/tenants/{tenant}/staff"));
    (page.status, body_text(&page))
}

fn invitations(app: &TestApp) -> usize {
    app.sql("SELECT id FROM staff_invitations", Vec::new()).len()
}

#[test]
fn an_invited_person_joins_sets_up_a_second_factor_and_sees_only_their_own_tenant() {
    let app = spawn_app();
    let (acme, _) = app.new_tenant("acme-co");
    let (globex, _) = app.new_tenant("globex");
    let op = operator(&app);
    let (status, page) = staff_page(&op.browser, &acme);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Nobody has joined yet.") && page.contains("Invite a person"), "{page}");

    let sent = op
        .browser
        .post(&format!("/tenants/{acme}/staff/invitations"), &[("email", "Owen@Acme.example"), ("role", "owner")]);
    assert_eq!(sent.status, 200, "{}", body_text(&sent));
    let sent = body_text(&sent);
    assert!(sent.contains("Invitation sent to owen@acme.example."), "{sent}");
    let from = sent.find("http://console.localhost/join/").expect("the link, shown once");
    let url = &sent[from..from + sent[from..].find(['<', '"']).unwrap()];
    let mail = app.sql("SELECT kind, to_email, subject, text_body FROM outbox", Vec::new());
    assert_eq!(mail.len(), 1);
    assert_eq!(
        (mail[0]["kind"].as_str(), mail[0]["to_email"].as_str()),
        (Some("staff_invitation"), Some("owen@acme.example"))
    );
    assert!(mail[0]["subject"].as_str().unwrap().contains("Tenant acme-co"), "{}", mail[0]);
    assert!(mail[0]["text_body"].as_str().unwrap().contains(url), "the email carries the link");

    let join_page = body_text(&Browser::new(&app, CONSOLE).get(path_of(url)));
    assert!(join_page.contains("Join Tenant acme-co in the console"), "{join_page}");
    assert!(join_page.contains("You are invited as Owner, with the email owen@acme.example"), "{join_page}");
    let owen = join(&app, url, "Owen Owner");
    let home = owen.browser.get("/");
    assert_eq!(
        home.header("location"),
        Some(format!("/tenants/{acme}").as_str()),
        "a tenant's staff start at their tenant"
    );
    let customers = body_text(&owen.browser.get(&format!("/tenants/{acme}")));
    assert!(customers.contains("<h1>Tenant acme-co</h1>") && !customers.contains("All tenants"), "{customers}");
    for path in [format!("/tenants/{globex}"), format!("/tenants/{globex}/staff")] {
        assert_eq!(owen.browser.get(&path).status, 404, "another tenant's {path} is not found");
    }
    let refused = owen
        .browser
        .post(&format!("/tenants/{globex}/staff/invitations"), &[("email", "x@y.example"), ("role", "viewer")]);
    assert_eq!(refused.status, 404);
    assert_eq!(invitations(&app), 1, "nothing was invited into another tenant");
    let (_, page) = staff_page(&owen.browser, &acme);
    assert!(page.contains("Owen Owner (you)") && page.contains("Accepted"), "{page}");
    let audit = app.sql("SELECT actor, action FROM audit_log WHERE action LIKE 'staff%' ORDER BY rowid", Vec::new());
    let actions: Vec<&str> = audit.iter().map(|row| row["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["staff.create", "staff_invitation.create", "staff.join"]);

    // The link was used: it opens nothing again.
    let again = Browser::new(&app, CONSOLE);
    assert_eq!(again.get(path_of(url)).status, 404);
    // Signing in again: the password, then a code.
    owen.browser.post("/sign-out", &[]);
    assert_eq!(sign_in(&owen.browser, "owen@acme.example", PASSWORD).header("location"), Some("/sign-in/code"));
}

#[test]
fn a_viewer_and_an_agent_manage_no_staff_and_an_admin_cannot_make_an_owner() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let viewer = join(&app, &invite(&app, &key, &tenant, "vi@acme.example", "viewer"), "Vi Viewer");
    let agent = join(&app, &invite(&app, &key, &tenant, "ag@acme.example", "agent"), "Ag Agent");
    let admin = join(&app, &invite(&app, &key, &tenant, "ad@acme.example", "admin"), "Ad Admin");
    let before = invitations(&app);

    for (who, person) in [("viewer", &viewer), ("agent", &agent)] {
        let (status, page) = staff_page(&person.browser, &tenant);
        assert_eq!(status, 200, "a {who} may read the staff page");
        assert!(!page.contains("Invite a person") && !page.contains("Save role"), "no forms for a {who}: {page}");
        let sent = person
            .browser
            .post(&format!("/tenants/{tenant}/staff/invitations"), &[("email", "x@acme.example"), ("role", "viewer")]);
        assert_eq!(sent.status, 403, "a {who} cannot invite");
        assert!(body_text(&sent).contains("Your role cannot do this."));
        let promoted =
            person.browser.post(&format!("/tenants/{tenant}/staff/{}/role", person.id), &[("role", "owner")]);
        assert_eq!(promoted.status, 403, "a {who} cannot raise themselves");
    }
    assert_eq!(invitations(&app), before);

    let (_, page) = staff_page(&admin.browser, &tenant);
    assert!(
        page.contains("Invite a person") && !page.contains(r#"<option value="owner""#),
        "an admin is not offered owner: {page}"
    );
    let owner = admin
        .browser
        .post(&format!("/tenants/{tenant}/staff/invitations"), &[("email", "o@acme.example"), ("role", "owner")]);
    assert_eq!(owner.status, 403);
    assert!(body_text(&owner).contains("Only an owner can give or take the owner role."));
    let raised = admin.browser.post(&format!("/tenants/{tenant}/staff/{}/role", admin.id), &[("role", "owner")]);
    assert_eq!(raised.status, 403, "nor make themselves one");
    let moved = admin.browser.post(&format!("/tenants/{tenant}/staff/{}/role", agent.id), &[("role", "viewer")]);
    assert_eq!(moved.header("location"), Some(format!("/tenants/{tenant}/staff?done=role").as_str()));
    assert!(body_text(&admin.browser.get(moved.header("location").unwrap())).contains("Role saved."));
    let roles = app.sql("SELECT role FROM staff WHERE id = ?1", vec![agent.id.as_str().into()]);
    assert_eq!(roles[0]["role"], "viewer");
    let typed =
        admin.browser.post(&format!("/tenants/{tenant}/staff/invitations"), &[("email", "not an email"), ("role", "")]);
    assert_eq!(typed.status, 400);
    let typed = body_text(&typed);
    assert!(
        typed.contains("Enter an email address like")
            && typed.contains("Choose a role")
            && typed.contains(r#"value="not an email""#),
        "{typed}"
    );
}

#[test]
fn the_last_owner_who_can_sign_in_is_neither_removed_nor_demoted() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let first = join(&app, &invite(&app, &key, &tenant, "one@acme.example", "owner"), "One Owner");
    let path = |id: &str| format!("/api/v1/tenants/{tenant}/staff/{id}");
    let (status, body) = app.api_as(Some(&key), Method::Patch, &path(&first.id), &json!({ "role": "admin" }));
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("conflict")), "{body}");
    assert_eq!(app.api_as(Some(&key), Method::Delete, &path(&first.id), &Value::Null).0, 409);
    let removed = first.browser.post(&format!("/tenants/{tenant}/staff/{}/remove", first.id), &[]);
    assert_eq!(removed.status, 409);
    assert!(body_text(&removed).contains("The tenant must keep at least one owner."));

    // An owner who never set up their second factor does not count.
    let unfinished = invite(&app, &key, &tenant, "two@acme.example", "owner");
    let half = Browser::new(&app, CONSOLE);
    half.get(path_of(&unfinished));
    assert_eq!(half.post(path_of(&unfinished), &[("name", "Two Owner"), ("password", PASSWORD)]).status, 303);
    assert_eq!(app.api_as(Some(&key), Method::Delete, &path(&first.id), &Value::Null).0, 409);

    let second = join(&app, &invite(&app, &key, &tenant, "three@acme.example", "owner"), "Three Owner");
    let (status, body) = app.api_as(Some(&key), Method::Patch, &path(&first.id), &json!({ "role": "admin" }));
    assert_eq!((status, body["staff_member"]["role"].as_str()), (200, Some("admin")), "{body}");
    assert_eq!(app.api_as(Some(&key), Method::Delete, &path(&second.id), &Value::Null).0, 409, "now the last");
    // Removed, a person's sessions end with them.
    assert_eq!(app.api_as(Some(&key), Method::Delete, &path(&first.id), &Value::Null).0, 204);
    assert_eq!(first.browser.get(&format!("/tenants/{tenant}")).header("location"), Some("/sign-in"));
}

#[test]
fn an_invitation_is_used_once_and_a_revoked_or_replaced_link_stops_working() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let owner = join(&app, &invite(&app, &key, &tenant, "own@acme.example", "owner"), "Own Owner");
    let old = invite(&app, &key, &tenant, "sam@acme.example", "agent");
    let newer = invite(&app, &key, &tenant, "sam@acme.example", "viewer");
    assert_eq!(Browser::new(&app, CONSOLE).get(path_of(&old)).status, 404, "a newer invitation replaced it");
    let (_, listed) =
        app.api_as(Some(&key), Method::Get, &format!("/api/v1/tenants/{tenant}/staff-invitations"), &Value::Null);
    let statuses: Vec<&str> =
        listed["invitations"].as_array().unwrap().iter().map(|i| i["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["pending", "revoked", "accepted"], "{listed}");

    let id = listed["invitations"][0]["id"].as_str().unwrap();
    let revoked = owner.browser.post(&format!("/tenants/{tenant}/staff/invitations/{id}/revoke"), &[]);
    assert_eq!(revoked.header("location"), Some(format!("/tenants/{tenant}/staff?done=revoked").as_str()));
    let late = Browser::new(&app, CONSOLE);
    assert_eq!(late.get(path_of(&newer)).status, 404);
    assert!(body_text(&late.get(path_of(&newer))).contains("has been used, has expired or was revoked"));
    let again = owner.browser.post(&format!("/tenants/{tenant}/staff/invitations/{id}/revoke"), &[]);
    assert_eq!(again.status, 409);

    // Two browsers racing with one link: one person is made.
    let url = invite(&app, &key, &tenant, "race@acme.example", "agent");
    let (a, b) = (Browser::new(&app, CONSOLE), Browser::new(&app, CONSOLE));
    a.get(path_of(&url));
    b.get(path_of(&url));
    assert_eq!(a.post(path_of(&url), &[("name", "Racer A"), ("password", PASSWORD)]).status, 303);
    assert_eq!(b.post(path_of(&url), &[("name", "Racer B"), ("password", PASSWORD)]).status, 404);
    assert_eq!(app.sql("SELECT id FROM staff WHERE email = 'race@acme.example'", Vec::new()).len(), 1);
}

#[test]
fn an_email_with_a_console_account_is_not_invited_but_an_unfinished_set_up_can_be_invited_again() {
    let app = spawn_app();
    let (acme, acme_key) = app.new_tenant("acme-co");
    let (globex, globex_key) = app.new_tenant("globex");
    join(&app, &invite(&app, &acme_key, &acme, "pat@acme.example", "admin"), "Pat");
    let path = format!("/api/v1/tenants/{globex}/staff-invitations");
    let body = json!({ "email": "pat@acme.example", "role": "viewer" });
    let (status, refused) = app.api_as(Some(&globex_key), Method::Post, &path, &body);
    assert_eq!(status, 409, "{refused}");
    let (status, missing) = app.api_as(Some(&globex_key), Method::Post, &path, &json!({ "role": "boss" }));
    assert_eq!(status, 422);
    let fields: BTreeSet<&str> =
        missing["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, BTreeSet::from(["email", "role"]));

    // Joined but never set up the second factor: a password alone does not let them set it
    // up; a new invitation does, replacing the unfinished account.
    let first = invite(&app, &acme_key, &acme, "kim@acme.example", "agent");
    let half = Browser::new(&app, CONSOLE);
    half.get(path_of(&first));
    assert_eq!(half.post(path_of(&first), &[("name", "Kim"), ("password", PASSWORD)]).status, 303);
    let later = Browser::new(&app, CONSOLE);
    assert_eq!(sign_in(&later, "kim@acme.example", PASSWORD).header("location"), Some("/second-factor"));
    let told = later.get("/second-factor");
    assert_eq!(told.status, 403);
    assert!(body_text(&told).contains("Ask an admin of your organisation to invite you again"), "{}", body_text(&told));
    assert!(!body_text(&told).contains("otpauth://"), "no secret to bind an app to");
    assert_eq!(
        app.api_as(Some(&globex_key), Method::Post, &path, &json!({ "email": "kim@acme.example", "role": "viewer" })).0,
        409,
        "another tenant cannot take the unfinished account"
    );
    let kim = join(&app, &invite(&app, &acme_key, &acme, "kim@acme.example", "viewer"), "Kim Again");
    let rows = app.sql("SELECT name, role FROM staff WHERE email = 'kim@acme.example'", Vec::new());
    assert_eq!(rows, [json!({ "name": "Kim Again", "role": "viewer" })]);
    assert_eq!(kim.browser.get(&format!("/tenants/{acme}")).status, 200);
}

/// The audit entries written since `from` (their actions and summaries, not who or when).
fn entries_since(app: &TestApp, from: i64) -> Vec<Value> {
    app.sql(
        "SELECT action, target_type, before_json, after_json FROM audit_log WHERE rowid > ?1 ORDER BY rowid",
        vec![from.into()],
    )
}

fn last_audit_id(app: &TestApp) -> i64 {
    app.sql("SELECT coalesce(max(rowid), 0) AS id FROM audit_log", Vec::new())[0]["id"].as_i64().unwrap()
}

#[test]
fn every_console_action_writes_what_its_api_twin_writes() {
    // Each action with an API twin, done once in the console and once through the API on
    // like data: the same audit entries (one implementation: `app::staff`). A console action
    // added without a case here fails the last assertion.
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let owner = join(&app, &invite(&app, &key, &tenant, "own@acme.example", "owner"), "Own Owner");
    let api = |method: Method, path: &str, body: Value| {
        let (status, body) = app.api_as(Some(&key), method, &format!("/api/v1/tenants/{tenant}{path}"), &body);
        assert!(status < 300, "{body}");
        body
    };
    let console = |path: &str, fields: &[(&str, &str)]| {
        let done = owner.browser.post(&format!("/tenants/{tenant}{path}"), fields);
        assert!(matches!(done.status, 200 | 303), "{}", body_text(&done));
    };
    let mut covered = BTreeSet::new();
    let mut compare = |op: &str, by_console: &dyn Fn(), by_api: &dyn Fn()| {
        let from = last_audit_id(&app);
        by_console();
        let middle = last_audit_id(&app);
        by_api();
        let (ours, theirs) = (entries_since(&app, from), entries_since(&app, middle));
        let ours: Vec<Value> = ours.into_iter().take(theirs.len()).collect();
        assert!(!theirs.is_empty(), "{op} wrote an audit entry");
        let shape = |rows: &[Value]| -> Vec<Value> {
            rows.iter()
                .map(|r| json!([r["action"], r["target_type"], r["before_json"].is_null(), r["after_json"].is_null()]))
                .collect()
        };
        assert_eq!(shape(&ours), shape(&theirs), "{op}");
        covered.insert(op.to_owned());
    };

    compare(
        "CreateStaffInvitation",
        &|| console("/staff/invitations", &[("email", "c1@acme.example"), ("role", "agent")]),
        &|| {
            api(Method::Post, "/staff-invitations", json!({ "email": "a1@acme.example", "role": "agent" }));
        },
    );
    let pending = |email: &str| -> String {
        app.sql("SELECT id FROM staff_invitations WHERE email = ?1", vec![email.into()])[0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (c1, a1) = (pending("c1@acme.example"), pending("a1@acme.example"));
    compare("RevokeStaffInvitation", &|| console(&format!("/staff/invitations/{c1}/revoke"), &[]), &|| {
        api(Method::Delete, &format!("/staff-invitations/{a1}"), Value::Null);
    });
    let c2 = join(&app, &invite(&app, &key, &tenant, "c2@acme.example", "agent"), "C Two").id;
    let a2 = join(&app, &invite(&app, &key, &tenant, "a2@acme.example", "agent"), "A Two").id;
    compare("UpdateStaffMember", &|| console(&format!("/staff/{c2}/role"), &[("role", "viewer")]), &|| {
        api(Method::Patch, &format!("/staff/{a2}"), json!({ "role": "viewer" }));
    });
    compare("RemoveStaffMember", &|| console(&format!("/staff/{c2}/remove"), &[]), &|| {
        api(Method::Delete, &format!("/staff/{a2}"), Value::Null);
    });

    let portal = app.new_portal(&key, &tenant, &json!({ "slug": "acme-help", "name": "Acme Help" }));
    let settings = format!("/portals/{portal}/settings");
    compare(
        "UpdatePortal",
        &|| {
            let page = body_text(&owner.browser.get(&format!("/tenants/{tenant}/portals/{portal}")));
            let version = version_on(&page, "");
            let version = version.as_str();
            let fields = [
                ("version", version),
                ("name", "Acme Help"),
                ("page_title", "Acme Help"),
                ("default_language", "en"),
                ("join_policy", "open"),
                ("idle_timeout_minutes", "60"),
                ("session_lifetime_hours", "168"),
                ("terms_text", ""),
                ("consent_text", ""),
            ];
            console(&settings, &fields);
        },
        &|| {
            api(Method::Patch, &format!("/portals/{portal}"), json!({ "join_policy": "invitation" }));
        },
    );

    compare("CreateCustomer", &|| console("/customers", &[("name", "Globex")]), &|| {
        api(Method::Post, "/customers", json!({ "name": "Initech" }));
    });
    let customer =
        app.sql("SELECT id FROM customers WHERE name = 'Globex'", Vec::new())[0]["id"].as_str().unwrap().to_owned();
    compare("CreateUnit", &|| console(&format!("/customers/{customer}/units"), &[("name", "North")]), &|| {
        api(Method::Post, &format!("/customers/{customer}/units"), json!({ "name": "South" }));
    });

    let domains = format!("/portals/{portal}/domains");
    compare("AddDomain", &|| console(&domains, &[("hostname", "one.localhost")]), &|| {
        api(Method::Post, &domains, json!({ "hostname": "two.localhost" }));
    });
    compare("VerifyDomain", &|| console(&format!("{domains}/one.localhost/verify"), &[]), &|| {
        api(Method::Post, &format!("{domains}/two.localhost/verify"), Value::Null);
    });
    compare("RemoveDomain", &|| console(&format!("{domains}/one.localhost/remove"), &[]), &|| {
        api(Method::Delete, &format!("{domains}/two.localhost"), Value::Null);
    });

    let list = format!("/portals/{portal}/registration-list");
    compare("AddRegistrationEntry", &|| console(&list, &[("entry", "one.example")]), &|| {
        api(Method::Post, &list, json!({ "domain": "two.example" }));
    });
    let entry = |value: &str| -> String {
        app.sql("SELECT id FROM registration_list WHERE value = ?1", vec![value.into()])[0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (one, two) = (entry("one.example"), entry("two.example"));
    compare("RemoveRegistrationEntry", &|| console(&format!("{list}/{one}/remove"), &[]), &|| {
        api(Method::Delete, &format!("{list}/{two}"), Value::Null);
    });

    let globex = format!("/customers/{customer}");
    let initech = app.new_customer(&key, &tenant, "Initech B");
    compare(
        "CreatePortal",
        &|| {
            let fields = [
                ("name", "Globex C"),
                ("slug", "globex-c"),
                ("setup", "custom"),
                ("apps", "tickets"),
                ("theme", ""),
                ("start", "/"),
            ];
            console(&format!("{globex}/new-portal"), &fields);
        },
        &|| {
            api(Method::Post, "/portals", json!({ "slug": "initech-a", "name": "Initech A", "customer_id": initech }));
        },
    );
    let of = |slug: &str| -> String {
        app.sql("SELECT id FROM portals WHERE slug = ?1", vec![slug.into()])[0]["id"].as_str().unwrap().to_owned()
    };
    let (ours, theirs) = (of("globex-c"), of("initech-a"));
    compare("CreateInvitation", &|| console(&format!("{globex}/portals/{ours}/link"), &[]), &|| {
        api(Method::Post, &format!("/portals/{theirs}/invitations"), json!({ "role": "admin" }));
    });

    let colours = [
        ("primary", "#1d4ed8"),
        ("menu", "#111827"),
        ("notification", "#b45309"),
        ("background", "#ffffff"),
        ("text", "#1f2937"),
    ];
    let theme_form = |name: &'static str, extra: &[(&'static str, &'static str)]| {
        let mut fields = vec![("name", name), ("intent", "save")];
        fields.extend_from_slice(&colours);
        fields.extend_from_slice(extra);
        fields
    };
    compare("CreateTheme", &|| console("/themes", &theme_form("Ours", &[])), &|| {
        api(Method::Post, "/themes", json!({ "name": "Theirs", "colors": crate::common::good_colors() }));
    });
    let theme = |name: &str| -> String {
        app.sql("SELECT id FROM themes WHERE name = ?1", vec![name.into()])[0]["id"].as_str().unwrap().to_owned()
    };
    let (ours, theirs) = (theme("Ours"), theme("Theirs"));
    compare("UpdateTheme", &|| console(&format!("/themes/{ours}"), &theme_form("Ours", &[("version", "1")])), &|| {
        api(Method::Patch, &format!("/themes/{theirs}"), json!({ "colors": { "primary": "#0b3d91" } }));
    });

    let template_form = |name: &'static str, extra: &[(&'static str, &'static str)]| {
        let mut fields =
            vec![("name", name), ("description", ""), ("app-tickets", "yes"), ("theme", ""), ("start", "/")];
        fields.extend_from_slice(extra);
        fields
    };
    compare("CreateTemplate", &|| console("/templates", &template_form("Ours", &[])), &|| {
        api(Method::Post, "/templates", json!({ "name": "Theirs", "apps": ["tickets"] }));
    });
    let template_of = |name: &str| -> String {
        app.sql("SELECT id FROM templates WHERE name = ?1", vec![name.into()])[0]["id"].as_str().unwrap().to_owned()
    };
    let (ours, theirs) = (template_of("Ours"), template_of("Theirs"));
    let with_documents = [("version", "1"), ("app-documents", "yes")];
    compare(
        "ReplaceTemplate",
        &|| console(&format!("/templates/{ours}"), &template_form("Ours", &with_documents)),
        &|| {
            api(Method::Put, &format!("/templates/{theirs}"), json!({ "apps": ["tickets", "documents"] }));
        },
    );
    compare("RollbackTemplate", &|| console(&format!("/templates/{ours}/rollback"), &[("version", "1")]), &|| {
        api(Method::Post, &format!("/templates/{theirs}/rollback"), json!({ "version": 1 }));
    });

    compare("CreateWebhook", &|| console("/webhooks", &[("url", "https://ours.example.test/in")]), &|| {
        api(Method::Post, "/webhooks", json!({ "url": "https://theirs.example.test/in" }));
    });
    let hook = |url: &str| -> String {
        app.sql("SELECT id FROM webhooks WHERE url = ?1", vec![url.into()])[0]["id"].as_str().unwrap().to_owned()
    };
    let (ours, theirs) = (hook("https://ours.example.test/in"), hook("https://theirs.example.test/in"));
    compare(
        "UpdateWebhook",
        &|| console(&format!("/webhooks/{ours}/switch"), &[("version", "1"), ("enabled", "no")]),
        &|| {
            api(Method::Patch, &format!("/webhooks/{theirs}"), json!({ "enabled": false }));
        },
    );
    compare("DeleteWebhook", &|| console(&format!("/webhooks/{ours}/delete"), &[("version", "2")]), &|| {
        api(Method::Delete, &format!("/webhooks/{theirs}"), Value::Null);
    });

    for (asset, name) in [("OURS-1", "Ours"), ("THEIRS-1", "Theirs")] {
        api(Method::Put, &format!("/assets/{asset}"), json!({ "name": name }));
    }
    compare(
        "CreateAssetShare",
        &|| {
            console(
                "/equipment/OURS-1/shares",
                &[("customer_id", customer.as_str()), ("from", "2026-01-01"), ("until", "")],
            );
        },
        &|| {
            api(
                Method::Post,
                "/assets/THEIRS-1/shares",
                json!({ "customer_id": customer, "from": "2026-01-01T00:00:00Z" }),
            );
        },
    );
    let share_of = |asset: &str| -> String {
        app.sql(
            "SELECT s.id FROM asset_shares s JOIN assets a ON a.id = s.asset_id WHERE a.asset_key = ?1",
            vec![asset.into()],
        )[0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (ours, theirs) = (share_of("OURS-1"), share_of("THEIRS-1"));
    compare("DeleteAssetShare", &|| console(&format!("/equipment/OURS-1/shares/{ours}/remove"), &[]), &|| {
        api(Method::Delete, &format!("/assets/THEIRS-1/shares/{theirs}"), Value::Null);
    });

    compare(
        "UpdateTenant",
        &|| {
            let page = body_text(&owner.browser.get(&format!("/tenants/{tenant}/settings")));
            let version = version_on(&page, "");
            let version = version.as_str();
            console("/settings", &[("version", version), ("name", "Acme Co")]);
        },
        &|| {
            api(Method::Patch, "", json!({ "name": "Acme Company" }));
        },
    );

    compare(
        "UpdateTicketSettings",
        &|| {
            let page = body_text(&owner.browser.get(&format!("/tenants/{tenant}/portals/{portal}/tickets")));
            let version = version_on(&page, "");
            console(
                &format!("/portals/{portal}/tickets"),
                &[("version", version.as_str()), ("visibility", "organisation")],
            );
        },
        &|| {
            api(Method::Put, &format!("/portals/{portal}/ticket-settings"), json!({ "visibility": "own" }));
        },
    );

    let connection = |name: &str| -> String {
        let made = api(
            Method::Post,
            &format!("/portals/{portal}/sso-connections"),
            json!({ "name": name, "protocol": "jwt", "jwt": { "algorithm": "HS256", "issuer": name }, "secret": "generate" }),
        );
        made["connection"]["id"].as_str().unwrap().to_owned()
    };
    let (ours, theirs) = (connection("Ours"), connection("Theirs"));
    compare(
        "DeleteSsoConnection",
        &|| console(&format!("/portals/{portal}/sso/{ours}/delete"), &[("version", "1")]),
        &|| {
            api(Method::Delete, &format!("/portals/{portal}/sso-connections/{theirs}"), Value::Null);
        },
    );

    // Replaced, and removed, on each side: the tenant has one provider for its staff.
    let staff_sso = || {
        let body = json!({ "issuer": "https://id.acme.example", "client_id": "c", "client_secret": "s",
            "domains": ["acme.example"] });
        api(Method::Put, "/staff-sso", body);
    };
    let staff_sso_version = || version_on(&body_text(&owner.browser.get(&format!("/tenants/{tenant}/staff/sso"))), "");
    staff_sso();
    compare(
        "PutStaffSso",
        &|| {
            let version = staff_sso_version();
            let fields = [
                ("version", version.as_str()),
                ("issuer", "https://id.ours.example"),
                ("client_id", "c"),
                ("domains", "ours.example"),
            ];
            console("/staff/sso", &fields);
        },
        &|| {
            let body =
                json!({ "issuer": "https://id.theirs.example", "client_id": "c", "domains": ["theirs.example"] });
            api(Method::Put, "/staff-sso", body);
        },
    );
    let body =
        json!({ "issuer": "https://id.acme.example", "client_id": "c", "domains": ["ours.example", "theirs.example"] });
    let listed = api(Method::Put, "/staff-sso", body);
    let value = listed["staff_sso"]["domains"][0]["txt_value"].as_str().unwrap().to_owned();
    crate::domains::publish_txt(&app, "ours.example", &[&value]);
    crate::domains::publish_txt(&app, "theirs.example", &[&value]);
    compare("VerifyStaffSsoDomain", &|| console("/staff/sso/domains/ours.example/verify", &[]), &|| {
        api(Method::Post, "/staff-sso/domains/theirs.example/verify", Value::Null);
    });
    compare(
        "DeleteStaffSso",
        &|| {
            console("/staff/sso/remove", &[("version", staff_sso_version().as_str())]);
            staff_sso();
        },
        &|| {
            api(Method::Delete, "/staff-sso", Value::Null);
        },
    );

    let theme_named = |name: &str| app.new_theme(&key, &tenant, name, &crate::common::good_colors());
    let (ours, theirs) = (theme_named("Ours to delete"), theme_named("Theirs to delete"));
    compare(
        "DeleteTheme",
        &|| {
            let page = body_text(&owner.browser.get(&format!("/tenants/{tenant}/themes/{ours}")));
            console(&format!("/themes/{ours}/delete"), &[("version", version_on(&page, "").as_str())]);
        },
        &|| {
            api(Method::Delete, &format!("/themes/{theirs}"), Value::Null);
        },
    );
    let (ours, theirs) = (theme_named("Ours with a logo"), theme_named("Theirs with a logo"));
    let logo = crate::common::PNG_1X1;
    let theme_version =
        |id: &str| version_on(&body_text(&owner.browser.get(&format!("/tenants/{tenant}/themes/{id}"))), "Small logo");
    compare(
        "PutLogo",
        &|| {
            let path = format!("/tenants/{tenant}/themes/{ours}/logos/small");
            let done =
                owner.browser.post_multipart(&path, &[("version", &theme_version(&ours))], &[("logo", "l.png", logo)]);
            assert_eq!(done.status, 303, "{}", body_text(&done));
        },
        &|| {
            let req = porch_core::http::Request::new(
                Method::Put,
                &format!("/api/v1/tenants/{tenant}/themes/{theirs}/logos/small"),
            )
            .with_header("authorization", &format!("Bearer {key}"))
            .with_header("content-type", "image/png")
            .with_body(logo.to_vec());
            assert_eq!(app.send(req).status, 200);
        },
    );
    compare(
        "DeleteLogo",
        &|| console(&format!("/themes/{ours}/logos/small/remove"), &[("version", &theme_version(&ours))]),
        &|| {
            api(Method::Delete, &format!("/themes/{theirs}/logos/small"), Value::Null);
        },
    );
    let template_named = |name: &str| -> String {
        api(Method::Post, "/templates", json!({ "name": name }))["template"]["id"].as_str().unwrap().to_owned()
    };
    let (ours, theirs) = (template_named("Ours to delete"), template_named("Theirs to delete"));
    compare(
        "DeleteTemplate",
        &|| {
            let page = body_text(&owner.browser.get(&format!("/tenants/{tenant}/templates/{ours}")));
            console(&format!("/templates/{ours}/delete"), &[("version", version_on(&page, "").as_str())]);
        },
        &|| {
            api(Method::Delete, &format!("/templates/{theirs}"), Value::Null);
        },
    );

    compare("CreatePreview", &|| console(&format!("/portals/{portal}/view-as"), &[]), &|| {
        api(Method::Post, &format!("/portals/{portal}/previews"), json!({}));
    });

    compare("CreateKey", &|| console("/keys", &[("name", "Ours")]), &|| {
        api(Method::Post, "/keys", json!({ "name": "Theirs" }));
    });
    let key_of = |name: &str| -> String {
        app.sql("SELECT id FROM api_keys WHERE name = ?1", vec![name.into()])[0]["id"].as_str().unwrap().to_owned()
    };
    let (ours, theirs) = (key_of("Ours"), key_of("Theirs"));
    compare("RevokeKey", &|| console(&format!("/keys/{ours}/revoke"), &[]), &|| {
        api(Method::Delete, &format!("/keys/{theirs}"), Value::Null);
    });

    let twins: BTreeSet<String> =
        CONSOLE_ROUTES.iter().filter_map(|r| r.handler.twin()).map(|op| format!("{op:?}")).collect();
    assert_eq!(covered, twins, "every console action with an API twin is compared here");
}

#[test]
fn an_admin_can_neither_replace_an_owner_not_yet_set_up_nor_cancel_an_owners_invitation() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    join(&app, &invite(&app, &key, &tenant, "first@acme.example", "owner"), "First Owner");
    let admin = join(&app, &invite(&app, &key, &tenant, "ad@acme.example", "admin"), "Ad Admin");
    let owners_link = invite(&app, &key, &tenant, "new@acme.example", "owner");
    let pending = app.sql("SELECT id FROM staff_invitations WHERE email = 'new@acme.example'", Vec::new());
    let id = pending[0]["id"].as_str().unwrap();
    let revoke = admin.browser.post(&format!("/tenants/{tenant}/staff/invitations/{id}/revoke"), &[]);
    assert_eq!(revoke.status, 403, "an admin cannot cancel an owner's invitation");
    let over = admin
        .browser
        .post(&format!("/tenants/{tenant}/staff/invitations"), &[("email", "new@acme.example"), ("role", "viewer")]);
    assert_eq!(over.status, 403, "nor replace it with a lesser one");

    // The owner joins but leaves before setting up the second factor.
    let half = Browser::new(&app, CONSOLE);
    half.get(path_of(&owners_link));
    assert_eq!(half.post(path_of(&owners_link), &[("name", "New Owner"), ("password", PASSWORD)]).status, 303);
    let over = admin
        .browser
        .post(&format!("/tenants/{tenant}/staff/invitations"), &[("email", "new@acme.example"), ("role", "viewer")]);
    assert_eq!(over.status, 403, "an admin cannot invite over an unfinished owner");
    // Even a viewer's link made with the tenant's key does not turn the owner into a viewer.
    let lesser = invite(&app, &key, &tenant, "new@acme.example", "viewer");
    let taker = Browser::new(&app, CONSOLE);
    taker.get(path_of(&lesser));
    assert_eq!(taker.post(path_of(&lesser), &[("name", "Taker"), ("password", PASSWORD)]).status, 409);
    let rows = app.sql("SELECT name, role FROM staff WHERE email = 'new@acme.example'", Vec::new());
    assert_eq!(rows, [json!({ "name": "New Owner", "role": "owner" })]);
    // An owner's link replaces the unfinished owner, and says so in the audit log.
    let again = invite(&app, &key, &tenant, "new@acme.example", "owner");
    join(&app, &again, "New Owner Again");
    let replaced = app.sql("SELECT before_json FROM audit_log WHERE action = 'staff.replace'", Vec::new());
    assert_eq!(replaced.len(), 1, "{replaced:?}");
    let revoked = app.sql("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'staff_invitation.revoke'", Vec::new());
    assert!(revoked[0]["n"].as_i64().unwrap() >= 1, "a newer invitation's revoking of the older is audited");
}

#[test]
fn a_link_made_by_someone_since_demoted_or_with_a_key_since_revoked_no_longer_works() {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let owner = join(&app, &invite(&app, &key, &tenant, "own@acme.example", "owner"), "Own Owner");
    let admin = join(&app, &invite(&app, &key, &tenant, "ad@acme.example", "admin"), "Ad Admin");
    let sent =
        body_text(&admin.browser.post(
            &format!("/tenants/{tenant}/staff/invitations"),
            &[("email", "friend@acme.example"), ("role", "admin")],
        ));
    let from = sent.find("http://console.localhost/join/").unwrap();
    let link = sent[from..from + sent[from..].find(['<', '"']).unwrap()].to_owned();
    let demoted = owner.browser.post(&format!("/tenants/{tenant}/staff/{}/role", admin.id), &[("role", "agent")]);
    assert_eq!(demoted.status, 303);
    let friend = Browser::new(&app, CONSOLE);
    friend.get(path_of(&link));
    assert_eq!(friend.post(path_of(&link), &[("name", "Friend"), ("password", PASSWORD)]).status, 409);
    assert!(app.sql("SELECT id FROM staff WHERE email = 'friend@acme.example'", Vec::new()).is_empty());

    let (status, made) =
        app.api(Method::Post, &format!("/api/v1/tenants/{tenant}/keys"), &json!({ "name": "short-lived" }));
    assert_eq!(status, 201);
    let (second, second_id) = (made["secret"].as_str().unwrap(), made["key"]["id"].as_str().unwrap());
    let link = invite(&app, second, &tenant, "keyed@acme.example", "viewer");
    assert_eq!(app.api(Method::Delete, &format!("/api/v1/tenants/{tenant}/keys/{second_id}"), &Value::Null).0, 204);
    let keyed = Browser::new(&app, CONSOLE);
    keyed.get(path_of(&link));
    assert_eq!(keyed.post(path_of(&link), &[("name", "Keyed"), ("password", PASSWORD)]).status, 409);
}
