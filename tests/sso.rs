//! Single sign-on in process on real `SQLite`: connections through the admin API (secrets
//! sealed and shown once, every problem a field error), JWT sign-in with accounts made just
//! in time, customer mapping, who may come in, home realm discovery by email domain, and the
//! hostile cases (replayed, forged and misdirected tokens, another provider's domain), each
//! refusal a branded page whose reference finds its entry in the SSO event log.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::too_many_lines)]

use crate::common;

use common::browser::Browser;
use common::{body_text, error_fields, spawn_app, TestApp};
use jwt_compact::alg::{Hs256, Hs256Key, Rsa, RsaPrivateKey, StrongAlg, StrongKey};
use jwt_compact::jwk::JsonWebKey;
use jwt_compact::{AlgorithmExt as _, Claims, Header};
use porch_core::http::{Method, Request, Response};
use serde_json::{json, Value};

pub(crate) const HOST: &str = "acme.portals.localhost";
const RSA_JWK: &str = include_str!("fixtures/sso/rsa2048-private.jwk.json");

pub(crate) struct Fixture {
    pub(crate) app: TestApp,
    pub(crate) tenant: String,
    pub(crate) key: String,
    pub(crate) portal: String,
}

pub(crate) fn fixture() -> Fixture {
    let app = spawn_app();
    let (tenant, key) = app.new_tenant("acme-co");
    let portal = app.new_portal(&key, &tenant, &json!({ "slug": "acme", "name": "Acme Support" }));
    Fixture { app, tenant, key, portal }
}

impl Fixture {
    fn path(&self, rest: &str) -> String {
        format!("/api/v1/tenants/{}/portals/{}{rest}", self.tenant, self.portal)
    }

    pub(crate) fn api(&self, method: Method, rest: &str, body: &Value) -> (u16, Value) {
        self.app.api_as(Some(&self.key), method, &self.path(rest), body)
    }

    /// A connection made through the API; its whole answer.
    pub(crate) fn connect(&self, body: &Value) -> Value {
        let (status, answer) = self.api(Method::Post, "/sso-connections", body);
        assert_eq!(status, 201, "{answer}");
        answer
    }

    /// An HS256 connection with a generated secret: (connection id, secret).
    fn hs256_connection(&self, extra: &Value) -> (String, String) {
        let mut body =
            json!({ "name": "Acme app", "protocol": "jwt", "jwt": { "algorithm": "HS256" }, "secret": "generate" });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let answer = self.connect(&body);
        (answer["connection"]["id"].as_str().unwrap().to_owned(), answer["secret"].as_str().unwrap().to_owned())
    }

    fn now_seconds(&self) -> i64 {
        self.app.rt.clock.get() / 1000
    }

    fn claims(&self, email: &str, jti: &str) -> Value {
        json!({ "iat": self.now_seconds() - 5, "exp": self.now_seconds() + 60, "jti": jti, "email": email, "name": "Ada Lovelace" })
    }

    pub(crate) fn events(&self) -> Vec<Value> {
        let (status, body) = self.api(Method::Get, "/sso-events", &Value::Null);
        assert_eq!(status, 200, "{body}");
        body["events"].as_array().unwrap().clone()
    }

    fn create_customer(&self, name: &str) -> String {
        self.app.new_customer(&self.key, &self.tenant, name)
    }
}

fn hs256(secret: &str, claims: &Value) -> String {
    Hs256.token(&Header::empty(), &Claims::new(claims.clone()), &Hs256Key::new(secret.as_bytes())).unwrap()
}

pub(crate) fn rs256(claims: &Value, kid: &str) -> String {
    let jwk: JsonWebKey<'_> = serde_json::from_str(RSA_JWK).unwrap();
    let key = StrongKey::try_from(RsaPrivateKey::try_from(&jwk).unwrap()).unwrap();
    StrongAlg(Rsa::rs256()).token(&Header::empty().with_key_id(kid), &Claims::new(claims.clone()), &key).unwrap()
}

pub(crate) fn rsa_public_jwks(kid: &str) -> Value {
    let mut public: Value = serde_json::from_str(RSA_JWK).unwrap();
    for private in ["d", "p", "q", "dp", "dq", "qi"] {
        public.as_object_mut().unwrap().remove(private);
    }
    public["kid"] = json!(kid);
    json!({ "keys": [public] })
}

/// Posts a token to `/sso/jwt` as the provider's page would (a plain cross-site form).
fn post_jwt(browser: &Browser<'_>, token: &str, return_to: &str) -> Response {
    browser.post_raw("/sso/jwt", &[("jwt", token), ("return_to", return_to)])
}

/// The reference code a failure page shows.
fn reference_of(page: &Response) -> String {
    let text = body_text(page);
    let start = text.find("<strong class=\"reference\">").expect("a reference on the page") + 26;
    text[start..start + 10].to_owned()
}

/// Where a "continuing to your company's sign-in" page goes on (its refresh).
fn continue_href(response: &Response) -> String {
    assert_eq!(response.status, 200, "{}", body_text(response));
    let refresh = response.headers.iter().find(|(k, _)| k == "refresh").map(|(_, v)| v.clone()).unwrap_or_default();
    refresh.strip_prefix("0;url=").unwrap_or_default().to_owned()
}

pub(crate) fn location(response: &Response) -> String {
    response.headers.iter().find(|(k, _)| k == "location").map(|(_, v)| v.clone()).unwrap_or_default()
}

#[test]
fn an_hs256_connection_gets_a_generated_secret_shown_once_and_stored_only_sealed() {
    let f = fixture();
    let (id, secret) = f.hs256_connection(&json!({}));
    assert!(secret.starts_with("porch_jwt_") && secret.len() > 40, "{secret}");
    let (status, read) = f.api(Method::Get, &format!("/sso-connections/{id}"), &Value::Null);
    assert_eq!(status, 200);
    assert!(!read.to_string().contains(&secret));
    assert_eq!(read["connection"]["has_secret"], true);
    assert_eq!(read["connection"]["endpoints"]["jwt_url"], "http://acme.portals.localhost/sso/jwt");
    let stored = f.app.sql("SELECT sealed_secret, settings FROM sso_connections", vec![]);
    let sealed = stored[0]["sealed_secret"].as_str().unwrap();
    assert!(sealed.starts_with("v1.") && !sealed.contains(&secret["porch_jwt_".len()..]));
    assert!(!stored[0]["settings"].as_str().unwrap().contains(&secret));
    // Replacing it without a secret keeps the secret: the same token still verifies.
    let (status, _) = f.api(
        Method::Put,
        &format!("/sso-connections/{id}"),
        &json!({ "name": "Renamed", "protocol": "jwt", "jwt": { "algorithm": "HS256", "max_age_seconds": 120 } }),
    );
    assert_eq!(status, 200);
    let browser = Browser::new(&f.app, HOST);
    let response = post_jwt(&browser, &hs256(&secret, &f.claims("ada@acme.example", "j-1")), "/");
    assert_eq!(response.status, 303, "{}", body_text(&response));
}

#[test]
fn bad_connection_bodies_name_every_field_that_is_wrong_and_save_nothing() {
    let f = fixture();
    let cases = [
        (json!({ "name": "x", "protocol": "jwt", "jwt": { "algorithm": "HS256" } }), "secret"),
        (json!({ "name": "x", "protocol": "jwt", "jwt": { "algorithm": "HS256" }, "secret": "short" }), "secret"),
        (
            json!({ "name": "x", "protocol": "jwt", "jwt": { "algorithm": "RS256", "jwks": rsa_public_jwks("k") } }),
            "jwt.audience",
        ),
        (json!({ "name": "x", "protocol": "jwt", "jwt": { "algorithm": "RS256", "audience": "porch" } }), "jwt.jwks"),
        (
            json!({ "name": "x", "protocol": "jwt", "jwt": { "algorithm": "none" }, "secret": "generate" }),
            "jwt.algorithm",
        ),
        (
            json!({ "name": "x", "protocol": "jwt", "jwt": { "algorithm": "ES256", "audience": "porch", "jwks": rsa_public_jwks("k") } }),
            "jwt.jwks",
        ),
        (
            json!({ "name": "x", "protocol": "jwt", "jwt": { "algorithm": "RS256", "audience": "a", "jwks_url": "http://keys.example.com/" } }),
            "jwt.jwks_url",
        ),
        (json!({ "name": "x", "protocol": "saml", "jwt": { "algorithm": "HS256" } }), "protocol"),
        (
            json!({ "name": "x", "protocol": "oidc", "oidc": { "issuer": "https://id.example.com", "client_id": "c" } }),
            "secret",
        ),
        (
            json!({ "name": "x", "protocol": "jwt", "jwt": { "algorithm": "HS256", "skew_seconds": 9999 }, "secret": "generate" }),
            "jwt.skew_seconds",
        ),
        (
            json!({ "name": "x", "protocol": "jwt", "jwt": { "algorithm": "HS256" }, "secret": "generate", "domains": [{ "domain": "not a domain" }] }),
            "domains",
        ),
        (
            json!({ "name": "x", "protocol": "jwt", "jwt": { "algorithm": "HS256" }, "secret": "generate", "admission": { "mode": "attribute" } }),
            "admission",
        ),
        (
            json!({ "name": "x", "protocol": "jwt", "jwt": { "algorithm": "HS256" }, "secret": "generate", "customer": { "customer_id": "00000000-0000-4000-8000-000000000000" } }),
            "customer_id",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = f.api(Method::Post, "/sso-connections", &body);
        assert_eq!(status, 422, "{body} -> {answer}");
        assert!(error_fields(&answer).iter().any(|f| f == field), "{body}: expected {field} in {answer}");
    }
    assert!(f.app.sql("SELECT id FROM sso_connections", vec![]).is_empty());
}

#[test]
fn a_person_signs_in_with_a_jwt_and_gets_an_account_made_just_in_time_in_the_mapped_customer() {
    let f = fixture();
    let globex = f.create_customer("Globex");
    let (_, secret) =
        f.hs256_connection(&json!({ "domains": [{ "domain": "globex.example", "customer_id": globex }] }));
    let browser = Browser::new(&f.app, HOST);
    let token = hs256(&secret, &f.claims("Ada@Globex.example", "jti-1"));
    let response = post_jwt(&browser, &token, "http://acme.portals.localhost/tickets?status=open");
    assert_eq!(response.status, 303, "{}", body_text(&response));
    assert_eq!(location(&response), "/tickets?status=open");
    assert!(browser.signed_in_as("Ada Lovelace"));
    let account = f.app.sql("SELECT email, role, customer_id, password_hash, email_verified_at FROM accounts", vec![]);
    assert_eq!(account.len(), 1);
    assert_eq!(account[0]["email"], "ada@globex.example");
    assert_eq!(account[0]["role"], "member");
    assert_eq!(account[0]["customer_id"], globex.as_str());
    assert!(account[0]["password_hash"].is_null() && account[0]["email_verified_at"].is_number());
    let events = f.events();
    assert_eq!(events[0]["outcome"], "signed_in");
    assert_eq!(events[0]["email"], "ada@globex.example");
    // The second sign-in (a new token) finds the same account.
    let again = Browser::new(&f.app, HOST);
    assert_eq!(post_jwt(&again, &hs256(&secret, &f.claims("ada@globex.example", "jti-2")), "/").status, 303);
    assert_eq!(f.app.sql("SELECT id FROM accounts", vec![]).len(), 1);
    // A return_to on another site is not followed.
    let elsewhere = Browser::new(&f.app, HOST);
    let response =
        post_jwt(&elsewhere, &hs256(&secret, &f.claims("ada@globex.example", "jti-3")), "https://evil.example/");
    assert_eq!(location(&response), "/");
}

#[test]
fn refused_tokens_get_the_branded_page_and_their_reference_finds_the_reason_in_the_event_log() {
    let f = fixture();
    let (_, secret) = f.hs256_connection(&json!({ "jwt": { "algorithm": "HS256", "audience": "porch-acme" } }));
    let browser = Browser::new(&f.app, HOST);
    let mut good = f.claims("ada@acme.example", "once");
    good["aud"] = json!("porch-acme");
    assert_eq!(post_jwt(&browser, &hs256(&secret, &good), "/").status, 303);
    let now = f.now_seconds();
    let mut wrong_audience = good.clone();
    wrong_audience["aud"] = json!("someone-else");
    wrong_audience["jti"] = json!("aud");
    let mut expired = good.clone();
    expired["exp"] = json!(now - 600);
    expired["iat"] = json!(now - 900);
    expired["jti"] = json!("old");
    let mut no_jti = good.clone();
    no_jti.as_object_mut().unwrap().remove("jti");
    let mut forged_other = good.clone();
    forged_other["jti"] = json!("forged");
    let cases = [
        (hs256(&secret, &good), "replay"),
        (hs256("another-secret-of-at-least-32-bytes-long", &forged_other), "signature"),
        (hs256(&secret, &wrong_audience), "audience"),
        (hs256(&secret, &expired), "expired"),
        (hs256(&secret, &no_jti), "jti"),
        ("not.a.token".to_owned(), "malformed"),
        (rs256(&good, "k"), "algorithm"),
    ];
    for (token, code) in cases {
        let stranger = Browser::new(&f.app, HOST);
        let page = post_jwt(&stranger, &token, "/");
        assert_eq!(page.status, 403, "{code}");
        let text = body_text(&page);
        assert!(text.contains("Sign-in failed"), "{code}");
        assert!(stranger.session().is_none(), "{code}");
        let reference = reference_of(&page);
        let (_, found) = f.api(Method::Get, &format!("/sso-events?reference={reference}"), &Value::Null);
        let event = &found["events"][0];
        assert_eq!(event["outcome"], "refused", "{code}");
        assert_eq!(event["code"], code, "{event}");
        // The page never tells the reason: that is for the provider's event log.
        assert!(!text.contains(code), "{code}");
    }
    assert_eq!(f.app.sql("SELECT id FROM accounts", vec![]).len(), 1);
}

#[test]
fn a_token_in_a_url_is_refused_unless_the_connection_allows_get() {
    let f = fixture();
    let (id, secret) = f.hs256_connection(&json!({}));
    let browser = Browser::new(&f.app, HOST);
    let token = hs256(&secret, &f.claims("ada@acme.example", "g-1"));
    let page = browser.get(&format!("/sso/jwt?jwt={token}"));
    assert_eq!(page.status, 403);
    assert_eq!(f.events()[0]["code"], "get_not_allowed");
    f.api(
        Method::Put,
        &format!("/sso-connections/{id}"),
        &json!({ "name": "Acme app", "protocol": "jwt", "jwt": { "algorithm": "HS256", "allow_get": true } }),
    );
    let token = hs256(&secret, &f.claims("ada@acme.example", "g-2"));
    assert_eq!(browser.get(&format!("/sso/jwt?jwt={token}&return_to=/tickets")).status, 303);
}

#[test]
fn an_identity_provider_cannot_sign_in_an_email_domain_another_provider_of_the_portal_claims() {
    let f = fixture();
    let (_, globex_secret) = f.hs256_connection(&json!({ "name": "Globex", "jwt": { "algorithm": "HS256", "issuer": "globex" }, "domains": [{ "domain": "globex.example" }] }));
    let (_, initech_secret) = f.hs256_connection(&json!({ "name": "Initech", "jwt": { "algorithm": "HS256", "issuer": "initech" }, "domains": [{ "domain": "initech.example" }] }));
    let claims = |email: &str, jti: &str, iss: &str| {
        let mut c = f.claims(email, jti);
        c["iss"] = json!(iss);
        c
    };
    // Initech's provider vouches for a Globex address: refused, whatever its signature.
    let browser = Browser::new(&f.app, HOST);
    let page = post_jwt(&browser, &hs256(&initech_secret, &claims("ceo@globex.example", "x1", "initech")), "/");
    assert_eq!(page.status, 403);
    assert_eq!(f.events()[0]["code"], "domain_of_another_provider");
    // ... and an address no one claims, from a provider that claims domains.
    let page = post_jwt(&browser, &hs256(&initech_secret, &claims("someone@gmail.example", "x2", "initech")), "/");
    assert_eq!(page.status, 403);
    assert_eq!(f.events()[0]["code"], "domain_not_claimed");
    // Each provider signs in its own people; the token's issuer picks the connection.
    assert_eq!(
        post_jwt(&browser, &hs256(&globex_secret, &claims("ceo@globex.example", "x3", "globex")), "/").status,
        303
    );
    // A third connection may not claim a domain another has, nor go without an issuer of its own.
    let (status, answer) = f.api(
        Method::Post,
        "/sso-connections",
        &json!({ "name": "Dup", "protocol": "jwt", "jwt": { "algorithm": "HS256", "issuer": "dup" }, "secret": "generate", "domains": [{ "domain": "globex.example" }] }),
    );
    assert_eq!(status, 422, "{answer}");
    let (status, answer) = f.api(
        Method::Post,
        "/sso-connections",
        &json!({ "name": "No issuer", "protocol": "jwt", "jwt": { "algorithm": "HS256" }, "secret": "generate" }),
    );
    assert_eq!(status, 422, "{answer}");
    assert!(error_fields(&answer).iter().any(|f| f == "jwt.issuer"), "{answer}");
    assert_eq!(f.app.sql("SELECT id FROM sso_connections", vec![]).len(), 2);
}

#[test]
fn home_realm_discovery_sends_a_person_to_their_companys_identity_provider() {
    let f = fixture();
    let (globex, _) = f.hs256_connection(&json!({ "name": "Globex", "jwt": { "algorithm": "HS256", "issuer": "globex", "login_url": "https://login.globex.example/porch" }, "domains": [{ "domain": "globex.example" }] }));
    f.hs256_connection(&json!({ "name": "Initech", "jwt": { "algorithm": "HS256", "issuer": "initech", "login_url": "https://sso.initech.example/" }, "domains": [{ "domain": "initech.example" }] }));
    let browser = Browser::new(&f.app, HOST);
    let sign_in = body_text(&browser.get("/sign-in?return_to=/tickets"));
    assert!(sign_in.contains("Sign in with your company account"), "{sign_in}");
    assert_eq!(browser.get("/sso?return_to=/tickets").status, 200);
    let found = browser.post("/sso", &[("email", "Grace@Globex.example"), ("return_to", "/tickets")]);
    let start = continue_href(&found);
    assert!(body_text(&found).contains("Continuing to your company"));
    assert!(
        start.starts_with(&format!("/sso/{globex}/start?return_to=%2Ftickets"))
            || start.starts_with(&format!("/sso/{globex}/start?return_to=/tickets")),
        "{start}"
    );
    let to_provider = browser.get(&start);
    assert_eq!(to_provider.status, 303);
    assert_eq!(
        location(&to_provider),
        "https://login.globex.example/porch?return_to=http://acme.portals.localhost/tickets"
    );
    let unknown = browser.post("/sso", &[("email", "someone@elsewhere.example"), ("return_to", "/")]);
    assert_eq!(unknown.status, 422);
    assert!(body_text(&unknown).contains("Single sign-on is not set up"));
}

#[test]
fn lists_and_attribute_rules_decide_who_may_come_in() {
    let f = fixture();
    let (id, secret) = f.hs256_connection(&json!({ "admission": { "mode": "lists" } }));
    f.api(Method::Post, "/registration-list", &json!({ "domain": "listed.example", "send_email": false }));
    let browser = Browser::new(&f.app, HOST);
    assert_eq!(post_jwt(&browser, &hs256(&secret, &f.claims("a@listed.example", "l1")), "/").status, 303);
    assert_eq!(post_jwt(&browser, &hs256(&secret, &f.claims("b@unlisted.example", "l2")), "/").status, 403);
    assert_eq!(f.events()[0]["code"], "not_listed");
    // By attribute: the token's organization must be the value, at every sign-in.
    f.api(
        Method::Put,
        &format!("/sso-connections/{id}"),
        &json!({ "name": "Acme app", "protocol": "jwt", "jwt": { "algorithm": "HS256" }, "admission": { "mode": "attribute", "attribute": "organization", "value": "Globex" } }),
    );
    let mut member = f.claims("a@listed.example", "l3");
    member["organization"] = json!("Globex");
    assert_eq!(post_jwt(&browser, &hs256(&secret, &member), "/").status, 303);
    let mut left = f.claims("a@listed.example", "l4");
    left["organization"] = json!("Initech");
    assert_eq!(post_jwt(&browser, &hs256(&secret, &left), "/").status, 403);
    assert_eq!(f.events()[0]["code"], "attribute_missing");
}

#[test]
fn the_customer_can_come_from_an_attribute_value() {
    let f = fixture();
    let globex = f.create_customer("Globex");
    let (_, secret) = f.hs256_connection(&json!({ "customer": { "attribute": "organization", "values": [{ "value": "GLOBEX", "customer_id": globex }] } }));
    let mut claims = f.claims("ada@globex.example", "c1");
    claims["organization"] = json!("GLOBEX");
    let browser = Browser::new(&f.app, HOST);
    assert_eq!(post_jwt(&browser, &hs256(&secret, &claims), "/").status, 303);
    let account = f.app.sql("SELECT customer_id FROM accounts", vec![]);
    assert_eq!(account[0]["customer_id"], globex.as_str());
}

#[test]
fn rs256_tokens_verify_with_keys_fetched_from_the_jwks_url_and_cached() {
    let f = fixture();
    f.app
        .rt
        .http
        .answers
        .borrow_mut()
        .insert("https://keys.acme.example/jwks".into(), (200, rsa_public_jwks("k1").to_string()));
    f.connect(&json!({ "name": "Acme IdP", "protocol": "jwt", "jwt": { "algorithm": "RS256", "audience": "porch", "jwks_url": "https://keys.acme.example/jwks" } }));
    let mut claims = f.claims("ada@acme.example", "r1");
    claims["aud"] = json!("porch");
    let browser = Browser::new(&f.app, HOST);
    assert_eq!(post_jwt(&browser, &rs256(&claims, "k1"), "/").status, 303);
    claims["jti"] = json!("r2");
    assert_eq!(post_jwt(&Browser::new(&f.app, HOST), &rs256(&claims, "k1"), "/").status, 303);
    assert_eq!(f.app.rt.http.requests.borrow().len(), 1, "the second sign-in used the cached keys");
    // A token naming a key the cache lacks fetches once more, then fails on the unknown key.
    claims["jti"] = json!("r3");
    assert_eq!(post_jwt(&Browser::new(&f.app, HOST), &rs256(&claims, "k9"), "/").status, 403);
    assert_eq!(f.app.rt.http.requests.borrow().len(), 2);
    assert_eq!(f.events()[0]["code"], "unknown_key");
    // Another unknown key within the minute is not fetched for again.
    claims["jti"] = json!("r4");
    assert_eq!(post_jwt(&Browser::new(&f.app, HOST), &rs256(&claims, "k8"), "/").status, 403);
    assert_eq!(f.app.rt.http.requests.borrow().len(), 2);
}

#[test]
fn an_sso_only_portal_sends_sign_ins_to_the_company_page_and_never_takes_passwords() {
    let f = fixture();
    f.hs256_connection(&json!({}));
    let (status, _) = f.app.api_as(
        Some(&f.key),
        Method::Patch,
        &format!("/api/v1/tenants/{}/portals/{}", f.tenant, f.portal),
        &json!({ "join_policy": "sso" }),
    );
    assert_eq!(status, 200);
    let browser = Browser::new(&f.app, HOST);
    let response = browser.get("/sign-in?return_to=/tickets");
    assert_eq!(response.status, 303);
    assert_eq!(location(&response), "/sso?return_to=/tickets");
    let company = body_text(&browser.get("/sso"));
    assert!(!company.contains("Or sign in with a password"));
}

#[test]
fn without_a_sealing_key_secrets_cannot_be_saved_and_the_api_says_why() {
    let mut f = fixture();
    f.app.rt.config.sso_sealing_key = None;
    let (status, answer) = f.api(
        Method::Post,
        "/sso-connections",
        &json!({ "name": "x", "protocol": "jwt", "jwt": { "algorithm": "HS256" }, "secret": "generate" }),
    );
    assert_eq!(status, 409, "{answer}");
    assert!(answer.to_string().contains("SSO_SEALING_KEY"));
    assert!(f.app.sql("SELECT id FROM sso_connections", vec![]).is_empty());
}

#[test]
fn another_tenants_key_cannot_see_or_touch_a_portals_connections() {
    let f = fixture();
    let (id, _) = f.hs256_connection(&json!({}));
    let (_, other_key) = f.app.new_tenant("globex-co");
    for (method, rest) in
        [(Method::Get, String::new()), (Method::Delete, format!("/{id}")), (Method::Get, format!("/{id}"))]
    {
        let (status, _) =
            f.app.api_as(Some(&other_key), method, &f.path(&format!("/sso-connections{rest}")), &Value::Null);
        assert_eq!(status, 404);
    }
    let (status, _) = f.app.api_as(Some(&other_key), Method::Get, &f.path("/sso-events"), &Value::Null);
    assert_eq!(status, 404);
    assert_eq!(f.app.sql("SELECT id FROM sso_connections", vec![]).len(), 1);
    let (status, _) = f.api(Method::Delete, &format!("/sso-connections/{id}"), &Value::Null);
    assert_eq!(status, 204);
    assert!(f.app.sql("SELECT id FROM sso_connections", vec![]).is_empty());
    let _ = Request::new(Method::Get, "/");
}

/// A query parameter of a URL, percent-decoded.
pub(crate) fn param(url: &str, name: &str) -> String {
    let query = url.split_once('?').unwrap().1;
    let raw = query.split('&').find_map(|pair| pair.strip_prefix(&format!("{name}="))).unwrap_or_default();
    porch_core::http::percent_decode(raw).unwrap()
}

pub(crate) const ISSUER: &str = "https://id.globex.example";

/// An OIDC connection to a canned provider at `ISSUER`: its id.
pub(crate) fn oidc_connection(f: &Fixture) -> String {
    let metadata = json!({
        "issuer": ISSUER,
        "authorization_endpoint": format!("{ISSUER}/authorize"),
        "token_endpoint": format!("{ISSUER}/token"),
        "jwks_uri": format!("{ISSUER}/jwks"),
        "response_types_supported": ["code"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
    });
    let mut answers = f.app.rt.http.answers.borrow_mut();
    answers.insert(format!("{ISSUER}/.well-known/openid-configuration"), (200, metadata.to_string()));
    answers.insert(format!("{ISSUER}/jwks"), (200, rsa_public_jwks("idp-1").to_string()));
    drop(answers);
    let answer = f.connect(&json!({
        "name": "Globex IdP", "protocol": "oidc",
        "oidc": { "issuer": ISSUER, "client_id": "porch-acme" },
        "secret": "the client secret porch was given",
    }));
    answer["connection"]["id"].as_str().unwrap().to_owned()
}

/// The provider's token endpoint answers with an ID Token for `email` carrying `nonce`.
fn provider_answers(f: &Fixture, email: &str, nonce: &str) {
    provider_answers_verified(f, email, nonce, true);
}

fn provider_answers_verified(f: &Fixture, email: &str, nonce: &str, verified: bool) {
    provider_answers_claims(f, &json!({ "email": email, "email_verified": verified, "nonce": nonce }));
}

/// The token endpoint answers with an ID Token of these claims over the usual ones.
fn provider_answers_claims(f: &Fixture, extra: &Value) {
    let now = f.now_seconds();
    let mut claims = json!({ "iss": ISSUER, "aud": "porch-acme", "sub": "u-42", "name": "Grace Hopper", "iat": now, "exp": now + 300 });
    for (k, v) in extra.as_object().unwrap() {
        claims[k] = v.clone();
    }
    let id_token = rs256(&claims, "idp-1");
    let body = json!({ "access_token": "at", "token_type": "Bearer", "id_token": id_token }).to_string();
    f.app.rt.http.answers.borrow_mut().insert(format!("{ISSUER}/token"), (200, body));
}

#[test]
fn an_oidc_sign_in_redeems_the_code_with_pkce_and_checks_the_nonce_and_the_browser() {
    let f = fixture();
    let id = oidc_connection(&f);
    let browser = Browser::new(&f.app, HOST);
    let to_provider = browser.get(&format!("/sso/{id}/start?return_to=/tickets&login_hint=grace@globex.example"));
    assert_eq!(to_provider.status, 303, "{:?}", f.events());
    let authorize = location(&to_provider);
    assert!(authorize.starts_with(&format!("{ISSUER}/authorize?")), "{authorize}");
    assert_eq!(param(&authorize, "client_id"), "porch-acme");
    assert_eq!(param(&authorize, "redirect_uri"), format!("http://{HOST}/sso/{id}/callback"));
    assert_eq!(param(&authorize, "code_challenge_method"), "S256");
    assert_eq!(param(&authorize, "login_hint"), "grace@globex.example");
    let (state, nonce, challenge) =
        (param(&authorize, "state"), param(&authorize, "nonce"), param(&authorize, "code_challenge"));
    provider_answers(&f, "grace@globex.example", &nonce);

    // The callback in another browser (an attacker planting their code) is refused.
    let other = Browser::new(&f.app, HOST);
    let planted = other.get(&format!("/sso/{id}/callback?code=c1&state={state}"));
    assert_eq!(planted.status, 403);
    assert_eq!(f.events()[0]["code"], "browser");

    // A fresh start in the right browser signs in; the token request proves the verifier.
    let authorize = location(&browser.get(&format!("/sso/{id}/start?return_to=/tickets")));
    let (state, nonce, challenge2) =
        (param(&authorize, "state"), param(&authorize, "nonce"), param(&authorize, "code_challenge"));
    assert_ne!(challenge, challenge2);
    provider_answers(&f, "grace@globex.example", &nonce);
    let back = browser.get(&format!("/sso/{id}/callback?code=c2&state={state}"));
    assert_eq!(back.status, 303, "{}", body_text(&back));
    assert_eq!(location(&back), "/tickets");
    assert!(browser.signed_in_as("Grace Hopper"));
    let requests = f.app.rt.http.requests.borrow();
    let token_request = requests.iter().rev().find(|r| r.url.ends_with("/token")).unwrap();
    let body = token_request.body.clone().unwrap();
    let verifier = param(&format!("?{body}"), "code_verifier");
    assert_eq!(porch_sso::oidc::pkce_challenge(&verifier), challenge2);
    assert_eq!(param(&format!("?{body}"), "code"), "c2");
    assert!(token_request.headers.iter().any(|(k, v)| k == "authorization" && v.starts_with("Basic ")));
    drop(requests);

    // The same callback again: the state was used.
    let again = browser.get(&format!("/sso/{id}/callback?code=c2&state={state}"));
    assert_eq!(again.status, 403);
    assert_eq!(f.events()[0]["code"], "state");
}

#[test]
fn an_id_token_with_another_nonce_or_an_unverified_email_is_refused() {
    let f = fixture();
    let id = oidc_connection(&f);
    let browser = Browser::new(&f.app, HOST);
    let authorize = location(&browser.get(&format!("/sso/{id}/start")));
    provider_answers(&f, "grace@globex.example", "a-nonce-from-another-sign-in");
    let page = browser.get(&format!("/sso/{id}/callback?code=c&state={}", param(&authorize, "state")));
    assert_eq!(page.status, 403);
    assert_eq!(f.events()[0]["code"], "nonce_mismatch");
    // The provider says no: its error reaches the event log, sanitised.
    let authorize = location(&browser.get(&format!("/sso/{id}/start")));
    let page = browser.get(&format!(
        "/sso/{id}/callback?error=access_denied&error_description=User%20cancelled&state={}",
        param(&authorize, "state")
    ));
    assert_eq!(page.status, 403);
    assert_eq!(f.events()[0]["code"], "provider_error");
    // The provider does not vouch for the address: an account must not be found by it.
    let authorize = location(&browser.get(&format!("/sso/{id}/start")));
    provider_answers_verified(&f, "grace@globex.example", &param(&authorize, "nonce"), false);
    let page = browser.get(&format!("/sso/{id}/callback?code=c&state={}", param(&authorize, "state")));
    assert_eq!(page.status, 403);
    assert_eq!(f.events()[0]["code"], "email_not_verified");
    // ... nor one that does not say (some providers never do).
    let authorize = location(&browser.get(&format!("/sso/{id}/start")));
    provider_answers_claims(&f, &json!({ "email": "grace@globex.example", "nonce": param(&authorize, "nonce") }));
    let page = browser.get(&format!("/sso/{id}/callback?code=c&state={}", param(&authorize, "state")));
    assert_eq!(page.status, 403);
    assert_eq!(f.events()[0]["code"], "email_not_verified");
    assert!(f.app.sql("SELECT id FROM accounts", vec![]).is_empty());
}

/// The test SAML identity provider (`tests/sso_idp/saml_idp.py`) with a fresh key of its own.
pub(crate) struct SamlIdp {
    pub(crate) dir: std::path::PathBuf,
}

pub(crate) fn python() -> String {
    std::env::var("PORCH_PYTHON").unwrap_or_else(|_| {
        let venv = concat!(env!("CARGO_MANIFEST_DIR"), "/.porch/venv/bin/python");
        if std::path::Path::new(venv).exists() {
            venv.to_owned()
        } else {
            "python3".to_owned()
        }
    })
}

fn run_idp(args: &[&str]) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sso_idp/saml_idp.py");
    let output =
        std::process::Command::new(python()).arg(script).args(args).output().expect("python for the SAML test IdP");
    assert!(output.status.success(), "saml_idp.py {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

impl SamlIdp {
    pub(crate) fn new() -> SamlIdp {
        SamlIdp::with_key_args(&[])
    }

    /// An identity provider whose certificate ends at `not_after_ms`.
    fn ending_at(not_after_ms: i64) -> SamlIdp {
        SamlIdp::with_key_args(&["--not-after-ms", &not_after_ms.to_string()])
    }

    fn with_key_args(args: &[&str]) -> SamlIdp {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "saml-idp-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        run_idp(&[&["keys", dir.to_str().unwrap()], args].concat());
        SamlIdp { dir }
    }

    pub(crate) fn certificate(&self) -> String {
        std::fs::read_to_string(self.dir.join("idp.cert.pem")).unwrap()
    }

    /// A signed response for `email`, answering `in_response_to` (None: unsolicited).
    pub(crate) fn respond(&self, f: &Fixture, connection: &str, email: &str, in_response_to: Option<&str>) -> String {
        self.respond_with(f, connection, email, in_response_to, &[])
    }

    pub(crate) fn respond_with(
        &self,
        f: &Fixture,
        connection: &str,
        email: &str,
        in_response_to: Option<&str>,
        extra: &[&str],
    ) -> String {
        let base = format!("http://{HOST}/sso/{connection}");
        let now = f.app.rt.clock.get().to_string();
        let mut args = vec![
            "respond",
            "--dir",
            self.dir.to_str().unwrap(),
            "--idp",
            "https://idp.globex.example",
            "--email",
            email,
            "--name",
            "Ada Lovelace",
            "--now-ms",
            &now,
        ];
        let (audience, acs) = (format!("{base}/metadata"), format!("{base}/acs"));
        args.extend(["--audience", &audience, "--acs", &acs]);
        if let Some(id) = in_response_to {
            args.extend(["--in-response-to", id]);
        }
        args.extend_from_slice(extra);
        run_idp(&args)
    }
}

impl Drop for SamlIdp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub(crate) fn saml_body(idp: &SamlIdp, allow_idp_initiated: bool) -> Value {
    json!({ "name": "Globex SAML", "protocol": "saml", "saml": {
        "idp_entity_id": "https://idp.globex.example", "sso_url": "https://idp.globex.example/sso",
        "certificates": [idp.certificate()], "allow_idp_initiated": allow_idp_initiated, "attributes": { "name": "name" } } })
}

/// The ID of the `AuthnRequest` in an HTTP-Redirect URL (base64 of raw DEFLATE).
pub(crate) fn authn_request_id(url: &str) -> String {
    use base64::Engine as _;
    let deflated = base64::engine::general_purpose::STANDARD.decode(param(url, "SAMLRequest")).unwrap();
    let xml = String::from_utf8(miniz_oxide::inflate::decompress_to_vec(&deflated).unwrap()).unwrap();
    let start = xml.find(" ID=\"").unwrap() + 5;
    xml[start..start + xml[start..].find('"').unwrap()].to_owned()
}

pub(crate) fn post_saml(browser: &Browser<'_>, connection: &str, response: &str, relay_state: &str) -> Response {
    browser.post_raw(&format!("/sso/{connection}/acs"), &[("SAMLResponse", response), ("RelayState", relay_state)])
}

#[test]
fn a_saml_sign_in_answers_the_request_porch_made_and_each_response_counts_once() {
    let f = fixture();
    let idp = SamlIdp::new();
    let created = f.connect(&saml_body(&idp, false));
    let id = created["connection"]["id"].as_str().unwrap().to_owned();
    let acs = format!("http://{HOST}/sso/{id}/acs");
    assert_eq!(created["connection"]["endpoints"]["acs_url"], acs.as_str());

    let browser = Browser::new(&f.app, HOST);
    let metadata = browser.get(&format!("/sso/{id}/metadata"));
    assert_eq!(metadata.status, 200);
    let xml = body_text(&metadata);
    assert!(xml.contains(&format!("entityID=\"http://{HOST}/sso/{id}/metadata\"")), "{xml}");
    assert!(xml.contains(&format!("Location=\"{acs}\"")), "{xml}");

    let to_idp = browser.get(&format!("/sso/{id}/start?return_to=/tickets"));
    assert_eq!(to_idp.status, 303, "{}", body_text(&to_idp));
    let redirect = location(&to_idp);
    assert!(redirect.starts_with("https://idp.globex.example/sso?SAMLRequest="), "{redirect}");
    let request_id = authn_request_id(&redirect);

    let response = idp.respond(&f, &id, "ada@globex.example", Some(&request_id));
    // RelayState sent back is not where the person goes: the pending request says where.
    let signed_in = post_saml(&browser, &id, &response, "https://evil.example/");
    assert_eq!(signed_in.status, 303, "{:?}", f.events());
    assert_eq!(location(&signed_in), "/tickets");
    assert!(browser.signed_in_as("Ada Lovelace"));
    let accounts = f.app.sql("SELECT email FROM accounts", vec![]);
    assert_eq!(accounts[0]["email"], "ada@globex.example");

    // The same response again: its request has been answered.
    let again = post_saml(&Browser::new(&f.app, HOST), &id, &response, "/");
    assert_eq!(again.status, 403);
    assert_eq!(f.events()[0]["code"], "in_response_to");
    // An unsolicited response, where the connection does not allow them.
    let unsolicited = idp.respond(&f, &id, "ada@globex.example", None);
    assert_eq!(post_saml(&Browser::new(&f.app, HOST), &id, &unsolicited, "/").status, 403);
    assert_eq!(f.events()[0]["code"], "idp_initiated");
    // A response signed by another key than the pinned one.
    let impostor = SamlIdp::new();
    let to_idp = browser.get(&format!("/sso/{id}/start"));
    let forged = impostor.respond(&f, &id, "ada@globex.example", Some(&authn_request_id(&location(&to_idp))));
    assert_eq!(post_saml(&Browser::new(&f.app, HOST), &id, &forged, "/").status, 403);
    assert_eq!(f.events()[0]["code"], "signature");
}

#[test]
fn an_idp_initiated_saml_sign_in_works_where_allowed_and_only_once_per_assertion() {
    let f = fixture();
    let idp = SamlIdp::new();
    let id = f.connect(&saml_body(&idp, true))["connection"]["id"].as_str().unwrap().to_owned();
    let response = idp.respond(&f, &id, "grace@globex.example", None);
    let browser = Browser::new(&f.app, HOST);
    let signed_in = post_saml(&browser, &id, &response, "/tickets");
    assert_eq!(signed_in.status, 303, "{:?}", f.events());
    assert_eq!(location(&signed_in), "/tickets");
    // RelayState only to this portal.
    let elsewhere = post_saml(
        &Browser::new(&f.app, HOST),
        &id,
        &idp.respond(&f, &id, "grace@globex.example", None),
        "//evil.example/",
    );
    assert_eq!(location(&elsewhere), "/");
    // Replaying the first assertion: its ID is spent.
    let replayed = post_saml(&Browser::new(&f.app, HOST), &id, &response, "/");
    assert_eq!(replayed.status, 403);
    assert_eq!(f.events()[0]["code"], "replay");
    // A persistent NameID that looks like an address is not taken as the email.
    let persistent = ["--name-id-format", "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"];
    let opaque = idp.respond_with(&f, &id, "grace@globex.example", None, &persistent);
    assert_eq!(post_saml(&Browser::new(&f.app, HOST), &id, &opaque, "/").status, 403);
    assert_eq!(f.events()[0]["code"], "email");
}

#[test]
fn a_pinned_certificate_near_its_end_is_warned_about_in_the_api_and_the_sign_in_event() {
    let f = fixture();
    let day = 86_400_000;
    let not_after = f.app.rt.clock.get() + 20 * day;
    let idp = SamlIdp::ending_at(not_after);
    let created = f.connect(&saml_body(&idp, true));
    let id = created["connection"]["id"].as_str().unwrap().to_owned();
    let warnings = &created["connection"]["warnings"];
    assert_eq!(warnings.as_array().unwrap().len(), 1, "{warnings}");
    assert_eq!(warnings[0]["code"], "certificate_expires_soon");
    let fingerprint = warnings[0]["certificate_fingerprint"].as_str().unwrap().to_owned();
    assert_eq!(fingerprint.len(), 32 * 3 - 1);

    // The key still verifies; the sign-in's event carries the warning.
    let response = idp.respond(&f, &id, "ada@globex.example", None);
    assert_eq!(post_saml(&Browser::new(&f.app, HOST), &id, &response, "/").status, 303, "{:?}", f.events());
    let event = &f.events()[0];
    assert_eq!(event["code"], "signed_in");
    let detail = event["detail"].as_str().unwrap();
    assert!(detail.contains("certificate_expires_soon") && detail.contains(&fingerprint), "{detail}");

    // Past its end (and still verifying), then more than 30 days past it: no more warning.
    f.app.rt.clock.set(not_after + day);
    let (_, listed) = f.api(Method::Get, "/sso-connections", &Value::Null);
    assert_eq!(listed["connections"][0]["warnings"][0]["code"], "certificate_expired");
    let late = idp.respond(&f, &id, "ada@globex.example", None);
    assert_eq!(post_saml(&Browser::new(&f.app, HOST), &id, &late, "/").status, 303, "{:?}", f.events());
    f.app.rt.clock.set(not_after + 31 * day);
    let (_, read) = f.api(Method::Get, &format!("/sso-connections/{id}"), &Value::Null);
    assert_eq!(read["connection"]["warnings"], json!([]), "{read}");
    // A connection of another protocol never has one.
    let (jwt, _) = f.hs256_connection(&json!({}));
    let (_, read) = f.api(Method::Get, &format!("/sso-connections/{jwt}"), &Value::Null);
    assert_eq!(read["connection"]["warnings"], json!([]));
}

#[test]
fn an_assertion_encrypted_to_a_key_that_is_not_the_connections_is_refused_as_one_decryption_error() {
    let f = fixture();
    let idp = SamlIdp::new();
    let id = f.connect(&saml_body(&idp, true))["connection"]["id"].as_str().unwrap().to_owned();
    // Encrypted to some other RSA key (another test IdP's certificate stands in for one).
    let other = SamlIdp::new();
    let other_certificate = other.dir.join("idp.cert.pem");
    let encrypted =
        idp.respond_with(&f, &id, "ada@globex.example", None, &["--encrypt-to", other_certificate.to_str().unwrap()]);
    assert_eq!(post_saml(&Browser::new(&f.app, HOST), &id, &encrypted, "/").status, 403);
    assert_eq!(f.events()[0]["code"], "decryption");
}

#[test]
fn a_saml_connection_refuses_a_certificate_it_cannot_pin() {
    let f = fixture();
    let mut body = saml_body(&SamlIdp::new(), false);
    body["saml"]["certificates"] = json!(["-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----"]);
    body["saml"]["signature_algorithms"] = json!(["rsa-sha256", "hmac-sha256"]);
    let (status, answer) = f.api(Method::Post, "/sso-connections", &body);
    assert_eq!(status, 422);
    let fields = error_fields(&answer);
    assert!(fields.iter().any(|f| f == "saml.certificates[0]"), "{answer}");
    assert!(fields.iter().any(|f| f == "saml.signature_algorithms"), "{answer}");
}

/// An account made outside SSO (say, by an invitation), with or without a proven address.
fn password_account(f: &Fixture, email: &str, role: &str, customer: Option<&str>, verified: bool) -> String {
    use porch_core::store::Value as DbValue;
    let id = format!("00000000-0000-4000-8000-{:012x}", f.app.sql("SELECT id FROM accounts", vec![]).len() + 1);
    f.app.execute(
        "INSERT INTO accounts (id, tenant_id, portal_id, customer_id, email, name, role, password_hash, language,
            email_verified_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'Someone', ?6, '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', 'en', ?7, 1, 1)",
        vec![
            DbValue::from(id.as_str()),
            DbValue::from(f.tenant.as_str()),
            DbValue::from(f.portal.as_str()),
            customer.map_or(DbValue::Null, DbValue::from),
            DbValue::from(email),
            DbValue::from(role),
            if verified { DbValue::Int(1) } else { DbValue::Null },
        ],
    );
    id
}

#[test]
fn a_provider_enters_only_accounts_it_made_or_whose_domain_it_claims() {
    let f = fixture();
    let globex = f.create_customer("Globex");
    let initech = f.create_customer("Initech");
    password_account(&f, "boss@initech.example", "admin", Some(&initech), true);
    // Globex's provider claims no domain: it may make accounts, not enter Initech's admin.
    let (_, globex_secret) =
        f.hs256_connection(&json!({ "name": "Globex app", "jwt": { "algorithm": "HS256", "issuer": "globex" }, "customer": { "customer_id": globex } }));
    let browser = Browser::new(&f.app, HOST);
    let mut claims = f.claims("boss@initech.example", "h1");
    claims["iss"] = json!("globex");
    let page = post_jwt(&browser, &hs256(&globex_secret, &claims), "/");
    assert_eq!(page.status, 403);
    assert_eq!(f.events()[0]["code"], "not_linked");
    assert!(f.app.sql("SELECT token_hash FROM sessions", vec![]).is_empty());
    // Initech's provider claims initech.example: it enters the account and links it.
    let (_, initech_secret) = f.hs256_connection(&json!({ "name": "Initech app", "jwt": { "algorithm": "HS256", "issuer": "initech" }, "domains": [{ "domain": "initech.example" }] }));
    let mut claims = f.claims("boss@initech.example", "h2");
    claims["iss"] = json!("initech");
    claims["external_id"] = json!("emp-1");
    assert_eq!(post_jwt(&browser, &hs256(&initech_secret, &claims), "/").status, 303, "{:?}", f.events());
    // The link keeps the subject: the same address with another subject is someone else.
    claims["jti"] = json!("h3");
    claims["external_id"] = json!("emp-2");
    assert_eq!(post_jwt(&Browser::new(&f.app, HOST), &hs256(&initech_secret, &claims), "/").status, 403);
    assert_eq!(f.events()[0]["code"], "subject_mismatch");
}

#[test]
fn an_sso_sign_in_into_an_unproven_account_drops_the_password_someone_else_may_have_chosen() {
    let f = fixture();
    let account = password_account(&f, "ada@acme.example", "member", None, false);
    // Someone holds a session on the account made with an open invitation for this address.
    f.app.execute(
        "INSERT INTO sessions (token_hash, tenant_id, portal_id, account_id, created_at, last_seen_at, expires_at)
         VALUES ('squatter', ?1, ?2, ?3, 1, 1, 9999999999999)",
        vec![f.tenant.as_str().into(), f.portal.as_str().into(), account.as_str().into()],
    );
    let (_, secret) = f.hs256_connection(&json!({ "domains": [{ "domain": "acme.example" }] }));
    let browser = Browser::new(&f.app, HOST);
    assert_eq!(post_jwt(&browser, &hs256(&secret, &f.claims("ada@acme.example", "p1")), "/").status, 303);
    let row = f.app.sql("SELECT password_hash, email_verified_at FROM accounts", vec![]);
    assert!(row[0]["password_hash"].is_null(), "{row:?}");
    assert!(row[0]["email_verified_at"].is_number());
    let sessions = f.app.sql("SELECT token_hash FROM sessions", vec![]);
    assert_eq!(sessions.len(), 1, "only the new session is left: {sessions:?}");
    assert_ne!(sessions[0]["token_hash"], "squatter");
}

#[test]
fn a_secret_the_provider_chose_needs_an_audience_so_tokens_for_its_other_sites_do_not_sign_in_here() {
    let f = fixture();
    let secret = "one shared secret the provider reuses for all its sites";
    let body = |audience: Option<&str>| json!({ "name": "App", "protocol": "jwt", "jwt": { "algorithm": "HS256", "audience": audience }, "secret": secret });
    let (status, answer) = f.api(Method::Post, "/sso-connections", &body(None));
    assert_eq!(status, 422);
    assert!(error_fields(&answer).iter().any(|f| f == "jwt.audience"), "{answer}");
    let id = f.connect(&body(Some("porch-acme")))["connection"]["id"].as_str().unwrap().to_owned();
    // Replacing it without the secret keeps the rule: the audience stays required.
    let (status, _) = f.api(
        Method::Put,
        &format!("/sso-connections/{id}"),
        &json!({ "name": "App", "protocol": "jwt", "jwt": { "algorithm": "HS256" } }),
    );
    assert_eq!(status, 422);
    let mut for_elsewhere = f.claims("ada@acme.example", "a1");
    for_elsewhere["aud"] = json!("the-other-site");
    assert_eq!(post_jwt(&Browser::new(&f.app, HOST), &hs256(secret, &for_elsewhere), "/").status, 403);
    assert_eq!(f.events()[0]["code"], "audience");
    let mut for_here = f.claims("ada@acme.example", "a2");
    for_here["aud"] = json!("porch-acme");
    assert_eq!(post_jwt(&Browser::new(&f.app, HOST), &hs256(secret, &for_here), "/").status, 303);
}

#[test]
fn people_of_a_claimed_domain_are_sent_to_their_provider_instead_of_password_pages() {
    let f = fixture();
    f.app.api_as(
        Some(&f.key),
        Method::Patch,
        &format!("/api/v1/tenants/{}/portals/{}", f.tenant, f.portal),
        &json!({ "join_policy": "open" }),
    );
    let (id, _) = f.hs256_connection(&json!({ "jwt": { "algorithm": "HS256", "login_url": "https://login.acme.example/" }, "domains": [{ "domain": "acme.example" }] }));
    let browser = Browser::new(&f.app, HOST);
    browser.get("/sign-in");
    let to_provider = format!("/sso/{id}/start?return_to=");
    let sign_in =
        browser.post("/sign-in", &[("email", "ada@acme.example"), ("password", "whatever it is"), ("return_to", "/")]);
    assert!(continue_href(&sign_in).starts_with(&to_provider), "{}", continue_href(&sign_in));
    browser.get("/forgot-password");
    let forgot = browser.post("/forgot-password", &[("email", "ada@acme.example")]);
    assert!(continue_href(&forgot).starts_with(&to_provider), "{}", continue_href(&forgot));
    browser.get("/register");
    let register = browser.post("/register", &[("name", "Ada"), ("email", "ada@acme.example")]);
    assert!(continue_href(&register).starts_with(&to_provider), "{}", continue_href(&register));
    assert!(f.app.sql("SELECT id FROM outbox", vec![]).is_empty(), "no reset or registration email");
    // Other domains keep their passwords.
    let other = browser.post("/forgot-password", &[("email", "bob@elsewhere.example")]);
    assert_eq!(other.status, 200);
}

#[test]
fn a_saml_response_is_refused_in_a_browser_other_than_the_one_that_asked_for_it() {
    let f = fixture();
    let idp = SamlIdp::new();
    let id = f.connect(&saml_body(&idp, false))["connection"]["id"].as_str().unwrap().to_owned();
    // The attacker starts a sign-in, gets a response for their own account...
    let attacker = Browser::new(&f.app, HOST);
    let request_id = authn_request_id(&location(&attacker.get(&format!("/sso/{id}/start"))));
    let response = idp.respond(&f, &id, "mallory@globex.example", Some(&request_id));
    // ... and makes the victim's browser post it.
    let victim = Browser::new(&f.app, HOST);
    let page = post_saml(&victim, &id, &response, "/");
    assert_eq!(page.status, 403);
    assert_eq!(f.events()[0]["code"], "browser");
    assert!(victim.session().is_none());
}

#[test]
fn oidc_settings_that_cannot_work_safely_are_refused() {
    let f = fixture();
    let base =
        json!({ "name": "IdP", "protocol": "oidc", "oidc": { "issuer": ISSUER, "client_id": "c" }, "secret": "short" });
    let mut trusting = base.clone();
    trusting["oidc"]["trust_unverified_email"] = json!(true);
    let mut by_attribute = base.clone();
    by_attribute["admission"] = json!({ "mode": "attribute", "attribute": "groups", "value": "staff" });
    for (body, field) in [(trusting, "oidc.trust_unverified_email"), (by_attribute, "admission.attribute")] {
        let (status, answer) = f.api(Method::Post, "/sso-connections", &body);
        assert_eq!(status, 422, "{answer}");
        assert!(error_fields(&answer).iter().any(|f| f == field), "{field}: {answer}");
    }
    // A short client secret is the provider's to choose.
    let (status, answer) = f.api(Method::Post, "/sso-connections", &base);
    assert_eq!(status, 201, "{answer}");
}

#[test]
fn an_sso_sign_in_that_asked_for_no_page_lands_on_the_portals_start_page() {
    let f = fixture();
    let (status, body) = f.app.api_as(
        Some(&f.key),
        Method::Patch,
        &format!("/api/v1/tenants/{}/portals/{}", f.tenant, f.portal),
        &json!({ "start_page": "/tickets" }),
    );
    assert_eq!(status, 200, "{body}");
    let (_, secret) = f.hs256_connection(&json!({}));
    let browser = Browser::new(&f.app, HOST);
    let response = post_jwt(&browser, &hs256(&secret, &f.claims("ada@globex.example", "jti-1")), "/");
    assert_eq!(response.status, 303, "{}", body_text(&response));
    assert_eq!(location(&response), "/tickets");
    let asked = Browser::new(&f.app, HOST);
    let response = post_jwt(&asked, &hs256(&secret, &f.claims("ada@globex.example", "jti-2")), "/tickets/new");
    assert_eq!(location(&response), "/tickets/new", "the page asked for wins");
}
