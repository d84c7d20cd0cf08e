//! Single sign-on for a tenant's console staff through its own `OpenID` Connect provider:
//! set by an owner in the console or through the API (`app::staff_sso`, one rule), then a
//! person of the staff signs in with their work email, with PKCE, a nonce and the browser
//! bound; nobody who is not on that tenant's staff gets in, whatever the provider says.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use crate::common::browser::Browser;
use crate::common::{body_text, spawn_app, TestApp};
use crate::console::{operator, CONSOLE, EMAIL as OPERATOR_EMAIL};
use crate::console_staff::{invite, join, version_on, Staffer};
use crate::domains::publish_txt;
use crate::sso::{location, param, rs256, rsa_public_jwks, ISSUER};
use porch_core::http::Method;
use serde_json::{json, Value};

struct Tenant<'a> {
    app: &'a TestApp,
    id: String,
    key: String,
    owner: Staffer<'a>,
}

fn tenant<'a>(app: &'a TestApp, slug: &str, owner_email: &str) -> Tenant<'a> {
    let (id, key) = app.new_tenant(slug);
    let owner = join(app, &invite(app, &key, &id, owner_email, "owner"), "Own Owner");
    Tenant { app, id, key, owner }
}

impl Tenant<'_> {
    fn page(&self) -> String {
        format!("/tenants/{}/staff/sso", self.id)
    }

    fn api(&self, method: Method, body: &Value) -> (u16, Value) {
        self.app.api_as(Some(&self.key), method, &format!("/api/v1/tenants/{}/staff-sso", self.id), body)
    }

    /// Single sign-on set in the console by the owner, for `domains`: its callback path.
    fn connect(&self, domains: &str) -> String {
        let page = body_text(&self.owner.browser.get(&self.page()));
        assert!(!page.contains(r#"id="redirect_uri""#), "no callback before there is a connection: {page}");
        let saved = self.owner.browser.post(
            &self.page(),
            &[
                ("issuer", ISSUER),
                ("client_id", "porch-console"),
                ("client_secret", "the secret the provider gave porch"),
                ("domains", domains),
                ("enabled", "yes"),
            ],
        );
        assert_eq!(saved.status, 303, "{}", body_text(&saved));
        let (status, shown) = self.api(Method::Get, &Value::Null);
        assert_eq!(status, 200);
        let uri = shown["staff_sso"]["redirect_uri"].as_str().unwrap().to_owned();
        let page = body_text(&self.owner.browser.get(&self.page()));
        assert!(page.contains(&format!(r#"value="{uri}" readonly"#)), "{page}");
        for domain in shown["staff_sso"]["domains"].as_array().unwrap() {
            self.prove(domain["domain"].as_str().unwrap(), domain["txt_value"].as_str().unwrap());
        }
        uri.trim_start_matches("http://console.localhost").to_owned()
    }

    /// Publishes the TXT record that proves `domain` and checks it from the console.
    fn prove(&self, domain: &str, value: &str) {
        publish_txt(self.app, domain, &[value]);
        let checked = self.owner.browser.post(&format!("{}/domains/{domain}/verify", self.page()), &[]);
        assert_eq!(
            checked.header("location"),
            Some(format!("{}?done=proved", self.page()).as_str()),
            "{}",
            body_text(&checked)
        );
    }
}

/// The provider at `ISSUER` publishes its metadata and keys.
fn provider_is_up(app: &TestApp) {
    let metadata = json!({
        "issuer": ISSUER,
        "authorization_endpoint": format!("{ISSUER}/authorize"),
        "token_endpoint": format!("{ISSUER}/token"),
        "jwks_uri": format!("{ISSUER}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
    });
    let mut answers = app.rt.http.answers.borrow_mut();
    answers.insert(format!("{ISSUER}/.well-known/openid-configuration"), (200, metadata.to_string()));
    answers.insert(format!("{ISSUER}/jwks"), (200, rsa_public_jwks("idp-1").to_string()));
}

/// The token endpoint answers with an ID Token for `email` carrying `nonce`.
fn provider_vouches(app: &TestApp, email: &str, verified: bool, nonce: &str) {
    let now = app.rt.clock.get() / 1000;
    let claims = json!({ "iss": ISSUER, "aud": "porch-console", "sub": "u-7", "iat": now, "exp": now + 300,
        "email": email, "email_verified": verified, "nonce": nonce });
    let body = json!({ "access_token": "at", "token_type": "Bearer", "id_token": rs256(&claims, "idp-1") });
    app.rt.http.answers.borrow_mut().insert(format!("{ISSUER}/token"), (200, body.to_string()));
}

/// Starts a sign-in with `email` in `browser`: the provider's authorization URL, which the
/// page after the form leads to (its `Refresh` and its link).
fn start(browser: &Browser<'_>, email: &str) -> String {
    browser.get("/sign-in");
    let form = browser.post("/sign-in/sso", &[("sso_email", email)]);
    assert_eq!(form.status, 200, "{}", body_text(&form));
    let refresh = form.header("refresh").unwrap().to_owned();
    let url = refresh.strip_prefix("0;url=").unwrap().to_owned();
    assert!(body_text(&form).contains(&url.replace('&', "&amp;")), "the link to follow without the refresh");
    url
}

/// The provider sends `browser` back to `callback` for `email`: the callback's answer.
fn come_back(
    app: &TestApp,
    (browser, callback): (&Browser<'_>, &str),
    authorize: &str,
    email: &str,
    verified: bool,
) -> porch_core::http::Response {
    provider_vouches(app, email, verified, &param(authorize, "nonce"));
    browser.get(&format!("{callback}?code=c&state={}", param(authorize, "state")))
}

#[test]
fn a_person_of_the_staff_signs_in_with_their_company_account_and_no_second_factor() {
    let app = spawn_app();
    let acme = tenant(&app, "acme-co", "own@acme.example");
    provider_is_up(&app);
    let callback = acme.connect("acme.example, acme.co.uk");
    let (status, shown) = acme.api(Method::Get, &Value::Null);
    assert_eq!(status, 200);
    let domains: Vec<(&str, bool)> = shown["staff_sso"]["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["domain"].as_str().unwrap(), d["verified"].as_bool().unwrap()))
        .collect();
    assert_eq!(domains, [("acme.co.uk", true), ("acme.example", true)]);
    assert!(!shown.to_string().contains("the secret the provider gave porch"), "the secret is never shown");
    let audit = app.sql("SELECT actor FROM audit_log WHERE action = 'staff_sso.put'", Vec::new());
    assert_eq!(audit[0]["actor"], format!("staff:{}", acme.owner.id));
    join(&app, &invite(&app, &acme.key, &acme.id, "ada@acme.co.uk", "agent"), "Ada Agent");

    let browser = Browser::new(&app, CONSOLE);
    let authorize = start(&browser, "Ada@Acme.co.uk");
    assert!(authorize.starts_with(&format!("{ISSUER}/authorize?")), "{authorize}");
    assert_eq!(param(&authorize, "client_id"), "porch-console");
    assert_eq!(param(&authorize, "redirect_uri"), format!("http://console.localhost{callback}"));
    assert_eq!(param(&authorize, "code_challenge_method"), "S256");
    let back = come_back(&app, (&browser, &callback), &authorize, "ada@acme.co.uk", true);
    assert_eq!(back.status, 303, "{}", body_text(&back));
    assert_eq!(location(&back), "/");
    let home = browser.get(&format!("/tenants/{}", acme.id));
    assert_eq!(home.status, 200, "signed in, with no code asked");
    assert!(body_text(&home).contains("Ada Agent"));
    let requests = app.rt.http.requests.borrow();
    let token_request = requests.iter().rev().find(|r| r.url.ends_with("/token")).unwrap();
    assert!(token_request.headers.iter().any(|(k, v)| k == "authorization" && v.starts_with("Basic ")));
    drop(requests);

    // The same answer again: the sign-in was taken.
    let again = browser.get(&format!("{callback}?code=c&state={}", param(&authorize, "state")));
    assert_eq!(again.status, 403);
    assert!(body_text(&again).contains("Single sign-on did not sign you in"), "{}", body_text(&again));
}

#[test]
fn nobody_off_the_tenants_staff_gets_in_whatever_the_provider_says() {
    let app = spawn_app();
    let acme = tenant(&app, "acme-co", "own@acme.example");
    let other = tenant(&app, "other-co", "boss@other.example");
    operator(&app);
    provider_is_up(&app);
    let callback = acme.connect("acme.example");
    join(&app, &invite(&app, &acme.key, &acme.id, "outside@elsewhere.example", "viewer"), "Out Side");

    // An address with no provider is told so, and what was typed stays.
    let browser = Browser::new(&app, CONSOLE);
    browser.get("/sign-in");
    let refused = browser.post("/sign-in/sso", &[("sso_email", "ada@elsewhere.example")]);
    assert_eq!(refused.status, 400);
    let page = body_text(&refused);
    assert!(page.contains("No single sign-on is set up for this address"), "{page}");
    assert!(page.contains(r#"value="ada@elsewhere.example""#), "{page}");

    // The provider vouches for people who are not acme's staff (another tenant's owner, the
    // operator, someone unknown), or for one of acme's staff at an address outside acme's
    // domains, or for an address it does not say it verified. None gets in.
    for (email, verified) in [
        ("boss@other.example", true),
        (OPERATOR_EMAIL, true),
        ("nobody@acme.example", true),
        ("outside@elsewhere.example", true),
        ("own@acme.example", false),
    ] {
        let browser = Browser::new(&app, CONSOLE);
        let authorize = start(&browser, "someone@acme.example");
        let back = come_back(&app, (&browser, &callback), &authorize, email, verified);
        assert_eq!(back.status, 403, "{email}");
        assert_eq!(browser.get("/").header("location"), Some("/sign-in"), "{email}");
    }
    // The answer carried into another browser (someone planting their own sign-in).
    let authorize = start(&Browser::new(&app, CONSOLE), "own@acme.example");
    let elsewhere = Browser::new(&app, CONSOLE);
    assert_eq!(come_back(&app, (&elsewhere, &callback), &authorize, "own@acme.example", true).status, 403);
    assert_eq!(elsewhere.get("/").header("location"), Some("/sign-in"));
    assert!(app.sql("SELECT state_hash FROM staff_sso_requests", Vec::new()).is_empty(), "each was used once");

    // Another tenant may list acme's domain, but it leads nowhere: it cannot prove it (its
    // record would have to name its own connection, and acme proved the domain first).
    let fields = |domains| [("issuer", ISSUER), ("client_id", "c"), ("client_secret", "s"), ("domains", domains)];
    let listed = other.owner.browser.post(&other.page(), &fields("acme.example other.example"));
    assert_eq!(listed.status, 303, "{}", body_text(&listed));
    let theirs =
        other.api(Method::Get, &Value::Null).1["staff_sso"]["domains"][0]["txt_value"].as_str().unwrap().to_owned();
    publish_txt(&app, "acme.example", &[&theirs]);
    let refused = other.owner.browser.post(&format!("{}/domains/acme.example/verify", other.page()), &[]);
    assert_eq!(refused.status, 409);
    assert!(body_text(&refused).contains("another tenant proved acme.example"), "{}", body_text(&refused));
    let browser = Browser::new(&app, CONSOLE);
    let authorize = start(&browser, "someone@acme.example");
    assert!(authorize.contains("client_id=porch-console"), "still acme's provider: {authorize}");
    // Nor a public mail service's, which no record could prove.
    let version = version_on(&body_text(&other.owner.browser.get(&other.page())), "");
    let mut public_fields = fields("other.example gmail.com").to_vec();
    public_fields.push(("version", &version));
    let public = other.owner.browser.post(&other.page(), &public_fields);
    assert_eq!(public.status, 422);
    assert!(body_text(&public).contains("public mail service"), "{}", body_text(&public));
}

#[test]
fn a_domain_leads_no_one_to_a_provider_until_its_txt_record_is_found() {
    let app = spawn_app();
    let acme = tenant(&app, "acme-co", "own@acme.example");
    provider_is_up(&app);
    let saved = acme.owner.browser.post(
        &acme.page(),
        &[
            ("issuer", ISSUER),
            ("client_id", "porch-console"),
            ("client_secret", "s"),
            ("domains", "acme.example"),
            ("enabled", "yes"),
        ],
    );
    assert_eq!(saved.status, 303);
    let page = body_text(&acme.owner.browser.get(&acme.page()));
    assert!(page.contains("Waiting for its TXT record") && page.contains("_porch-verify.acme.example"), "{page}");
    let browser = Browser::new(&app, CONSOLE);
    browser.get("/sign-in");
    let refused = browser.post("/sign-in/sso", &[("sso_email", "own@acme.example")]);
    assert_eq!(refused.status, 400, "an unproved domain leads nowhere");
    publish_txt(&app, "acme.example", &["porch-staff-sso=someone-elses"]);
    let not_yet = acme.owner.browser.post(&format!("{}/domains/acme.example/verify", acme.page()), &[]);
    assert_eq!(not_yet.status, 409);
    assert!(body_text(&not_yet).contains("The TXT record of acme.example is not there yet"), "{}", body_text(&not_yet));
    let value =
        acme.api(Method::Get, &Value::Null).1["staff_sso"]["domains"][0]["txt_value"].as_str().unwrap().to_owned();
    acme.prove("acme.example", &value);
    assert!(start(&browser, "own@acme.example").starts_with(ISSUER));
    let audit = app.sql("SELECT action FROM audit_log WHERE action = 'staff_sso.domain_verify'", Vec::new());
    assert_eq!(audit.len(), 1);
    // A change that keeps the domain keeps its proof.
    let (status, shown) = acme
        .api(Method::Put, &json!({ "issuer": ISSUER, "client_id": "renamed", "domains": ["acme.example", "acme.dk"] }));
    assert_eq!(status, 200);
    assert_eq!(shown["staff_sso"]["domains"][1]["verified"], true, "{shown}");
    assert_eq!(shown["staff_sso"]["domains"][0]["verified"], false, "{shown}");
}

#[test]
fn a_sign_in_answers_only_at_its_own_providers_callback_and_only_as_that_provider_was() {
    // The mix-up attack: a tenant's provider forwards a sign-in it started to another
    // tenant's provider, hoping porch redeems the answer with the first. Each connection has
    // its own callback, and a sign-in is taken only at the one it started with.
    let app = spawn_app();
    let acme = tenant(&app, "acme-co", "own@acme.example");
    let evil = tenant(&app, "evil-co", "boss@evil.example");
    provider_is_up(&app);
    let acme_callback = acme.connect("acme.example");
    let evil_callback = evil.connect("evil.example");
    assert_ne!(acme_callback, evil_callback);
    let browser = Browser::new(&app, CONSOLE);
    let started_at_evil = start(&browser, "someone@evil.example");
    let crossed = come_back(&app, (&browser, &acme_callback), &started_at_evil, "own@acme.example", true);
    assert_eq!(crossed.status, 403);
    assert!(!app.rt.http.requests.borrow().iter().any(|r| r.url.ends_with("/token")), "no code was redeemed");
    assert_eq!(browser.get(&format!("/tenants/{}", acme.id)).status, 303, "not signed in");

    // A sign-in started before the provider's settings changed is not finished with the new.
    let authorize = start(&browser, "own@acme.example");
    let (status, _) = acme.api(
        Method::Put,
        &json!({ "issuer": ISSUER, "client_id": "porch-console", "domains": ["acme.example", "acme.dk"] }),
    );
    assert_eq!(status, 200);
    assert_eq!(come_back(&app, (&browser, &acme_callback), &authorize, "own@acme.example", true).status, 403);
    // Started again, it signs in.
    let authorize = start(&browser, "own@acme.example");
    assert_eq!(come_back(&app, (&browser, &acme_callback), &authorize, "own@acme.example", true).status, 303);
}

#[test]
fn only_owners_set_it_a_stale_form_saves_nothing_and_removing_it_is_audited() {
    let app = spawn_app();
    let acme = tenant(&app, "acme-co", "own@acme.example");
    let admin = join(&app, &invite(&app, &acme.key, &acme.id, "ad@acme.example", "admin"), "Ad Admin");
    let page = body_text(&admin.browser.get(&acme.page()));
    assert!(page.contains("Only owners change single sign-on") && page.contains("<fieldset class=\"stack\" disabled>"));
    let fields = [("issuer", ISSUER), ("client_id", "c"), ("client_secret", "s"), ("domains", "acme.example")];
    assert_eq!(admin.browser.post(&acme.page(), &fields).status, 403);

    // Refused fields are named beside their inputs and keep what was typed; the secret is
    // needed the first time.
    let refused = acme.owner.browser.post(
        &acme.page(),
        &[("issuer", "http://id.acme.example"), ("client_id", "c"), ("domains", "acme.example not-a-domain")],
    );
    assert_eq!(refused.status, 422);
    let page = body_text(&refused);
    for field in ["issuer", "client_secret", "domains"] {
        assert!(page.contains(&format!(r##"<a href="#{field}">"##)), "{field}: {page}");
    }
    assert!(page.contains(r#"value="acme.example not-a-domain""#));
    assert_eq!(acme.api(Method::Get, &Value::Null).0, 404, "nothing was written");

    let _ = acme.connect("acme.example");
    let version = version_on(&body_text(&acme.owner.browser.get(&acme.page())), "");
    let (status, _) =
        acme.api(Method::Put, &json!({ "issuer": ISSUER, "client_id": "rotated", "domains": ["acme.example"] }));
    assert_eq!(status, 200, "the secret kept stays");
    let stale = acme.owner.browser.post(
        &acme.page(),
        &[("version", version.as_str()), ("issuer", ISSUER), ("client_id", "mine"), ("domains", "acme.example")],
    );
    assert_eq!(stale.status, 409);
    assert!(body_text(&stale).contains(r#"value="rotated""#), "shown as it now is");
    let version = version_on(&body_text(&stale), "Remove single sign-on");
    let removed = acme.owner.browser.post(&format!("{}/remove", acme.page()), &[("version", version.as_str())]);
    assert_eq!(removed.header("location"), Some(format!("{}?done=removed", acme.page()).as_str()));
    assert_eq!(acme.api(Method::Get, &Value::Null).0, 404);
    assert!(app.sql("SELECT domain FROM staff_sso_domains", Vec::new()).is_empty());
    let audit = app.sql("SELECT action FROM audit_log WHERE target_type = 'staff_sso' ORDER BY rowid", Vec::new());
    assert_eq!(
        audit,
        vec![
            json!({ "action": "staff_sso.put" }),
            json!({ "action": "staff_sso.domain_verify" }),
            json!({ "action": "staff_sso.put" }),
            json!({ "action": "staff_sso.delete" })
        ]
    );
}

#[test]
fn a_form_drawn_before_any_provider_does_not_replace_one_made_meanwhile_nor_does_if_match_star_make_one() {
    let app = spawn_app();
    let acme = tenant(&app, "acme-co", "own@acme.example");
    let req = porch_core::http::Request::new(Method::Put, &format!("/api/v1/tenants/{}/staff-sso", acme.id))
        .with_header("authorization", &format!("Bearer {}", acme.key))
        .with_header("content-type", "application/json")
        .with_header("if-match", "*")
        .with_body(
            json!({ "issuer": ISSUER, "client_id": "c", "client_secret": "s", "domains": ["acme.example"] })
                .to_string(),
        );
    assert_eq!(app.send(req).status, 412, "If-Match: * asks for one that exists");
    body_text(&acme.owner.browser.get(&acme.page()));
    let (status, _) = acme.api(
        Method::Put,
        &json!({ "issuer": ISSUER, "client_id": "theirs", "client_secret": "s", "domains": ["acme.example"] }),
    );
    assert_eq!(status, 200);
    let stale = acme.owner.browser.post(
        &acme.page(),
        &[("issuer", ISSUER), ("client_id", "mine"), ("domains", "acme.example"), ("enabled", "yes")],
    );
    assert_eq!(stale.status, 409);
    assert_eq!(acme.api(Method::Get, &Value::Null).1["staff_sso"]["client_id"], "theirs");
}
