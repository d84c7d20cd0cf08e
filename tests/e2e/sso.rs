//! Single sign-on on real workerd with local D1 and KV: a JWT sign-in (sealed secret, replay
//! key in D1) and an `OpenID` Connect sign-in against the test identity provider
//! (`tests/sso_idp/oidc_idp.py`) started here on loopback, followed hop by hop as a browser
//! would: portal → provider → portal.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use jwt_compact::alg::{Hs256, Hs256Key};
use jwt_compact::{AlgorithmExt as _, Claims, Header};
use serde_json::json;

use super::client::{send, Call, Reply};
use super::recipients::Browser;
use super::{server, Server};

/// The wall clock: the token is checked by the real server against its own.
#[allow(clippy::disallowed_methods)]
fn now_seconds() -> i64 {
    i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()).unwrap()
}

/// A tenant with a portal on its own `*.localhost` host: (tenant, key, portal, host).
fn portal(s: &Server, label: &str) -> (String, String, String, String) {
    let (tenant, key) = s.tenant(label);
    let (portal, host, _) = s.portal(&tenant, &key, label);
    (tenant, key, portal, host)
}

fn connect(s: &Server, tenant: &str, key: &str, portal: &str, body: serde_json::Value) -> serde_json::Value {
    let created = s.api("POST", &format!("/api/v1/tenants/{tenant}/portals/{portal}/sso-connections"), key, Some(body));
    assert_eq!(created.status, 201, "{}", created.text());
    created.json()
}

fn last_event(s: &Server, tenant: &str, key: &str, portal: &str) -> serde_json::Value {
    let events = s.api("GET", &format!("/api/v1/tenants/{tenant}/portals/{portal}/sso-events?limit=1"), key, None);
    assert_eq!(events.status, 200, "{}", events.text());
    events.json()["events"][0].clone()
}

fn post_form(browser: &mut Browser<'_>, path: &str, form: &str) -> Reply {
    browser.request(
        "POST",
        path,
        vec![("content-type", "application/x-www-form-urlencoded".to_owned())],
        form.as_bytes().to_vec(),
    )
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn a_jwt_signs_a_person_in_once_with_an_account_made_on_d1() {
    let s = server();
    let (tenant, key, portal, host) = portal(&s, "JwtCo");
    let created = connect(
        &s,
        &tenant,
        &key,
        &portal,
        json!({ "name": "JwtCo app", "protocol": "jwt", "jwt": { "algorithm": "HS256" }, "secret": "generate" }),
    );
    let secret = created["secret"].as_str().unwrap();
    let now = now_seconds();
    let claims = json!({ "iat": now - 5, "exp": now + 120, "jti": format!("e2e-{now}"), "email": "ada@jwtco.example", "name": "Ada Lovelace" });
    let token = Hs256.token(&Header::empty(), &Claims::new(claims), &Hs256Key::new(secret.as_bytes())).unwrap();
    let form = format!("jwt={token}&return_to=%2Ftickets");

    let mut browser = Browser::new(&s, &host);
    let signed_in = post_form(&mut browser, "/sso/jwt", &form);
    assert_eq!(signed_in.status, 303, "{}", signed_in.text());
    assert_eq!(signed_in.header("location"), Some("/tickets"));
    assert!(browser.cookies.contains_key("porch_session"));
    let home = browser.get("/");
    assert!(home.text().contains("Welcome, Ada Lovelace"), "{}", home.text());
    assert_eq!(last_event(&s, &tenant, &key, &portal)["outcome"], "signed_in");

    // The same token again: D1's replay key refuses it, and the page shows only a reference.
    let mut other = Browser::new(&s, &host);
    let replayed = post_form(&mut other, "/sso/jwt", &form);
    assert_eq!(replayed.status, 403);
    assert!(replayed.text().contains("Sign-in failed"));
    assert!(!other.cookies.contains_key("porch_session"));
    let event = last_event(&s, &tenant, &key, &portal);
    assert_eq!(event["code"], "replay");
    assert!(replayed.text().contains(event["reference"].as_str().unwrap()));
}

/// The test identity provider on a free loopback port; killed when dropped.
struct Provider {
    child: Child,
    port: u16,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_provider(client_id: &str, client_secret: &str) -> Provider {
    let python = std::env::var("PORCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let root = env!("CARGO_MANIFEST_DIR");
    let mut child = Command::new(&python)
        .args([
            &format!("{root}/tests/sso_idp/oidc_idp.py"),
            "--port",
            "0",
            "--key",
            &format!("{root}/tests/fixtures/sso/rsa2048-private.jwk.json"),
            "--client-id",
            client_id,
            "--client-secret",
            client_secret,
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("{python} could not start the test identity provider: {err}"));
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let port = lines
        .next()
        .unwrap()
        .unwrap()
        .trim()
        .strip_prefix("port ")
        .expect("the provider prints its port")
        .parse()
        .unwrap();
    assert_eq!(lines.next().unwrap().unwrap().trim(), "ready");
    Provider { child, port }
}

/// Splits `http://host:port/path?query` into (port, host header, path and query).
fn split_url(url: &str) -> (u16, String, String) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let port = authority.rsplit_once(':').map_or(80, |(_, p)| p.parse().unwrap());
    (port, authority.to_owned(), path.to_owned())
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn an_oidc_sign_in_goes_to_the_provider_and_back_with_pkce_on_workerd() {
    let s = server();
    let (tenant, key, portal, host) = portal(&s, "OidcCo");
    let provider = start_provider("porch-oidcco", "client secret: 32 bytes or more!");
    let issuer = format!("http://127.0.0.1:{}", provider.port);
    let created = connect(
        &s,
        &tenant,
        &key,
        &portal,
        json!({ "name": "OidcCo IdP", "protocol": "oidc", "oidc": { "issuer": issuer, "client_id": "porch-oidcco" },
                "secret": "client secret: 32 bytes or more!", "domains": [{ "domain": "oidcco.example" }] }),
    );
    let id = created["connection"]["id"].as_str().unwrap().to_owned();

    let mut browser = Browser::new(&s, &host);
    browser.get("/sso");
    let found = browser.post("/sso", &[("email", "grace@oidcco.example"), ("return_to", "/tickets")]);
    assert_eq!(found.status, 200, "{}", found.text());
    let start = found.header("refresh").unwrap().strip_prefix("0;url=").unwrap().to_owned();
    assert!(start.starts_with(&format!("/sso/{id}/start")), "{start}");
    let to_provider = browser.get(&start);
    assert_eq!(to_provider.status, 303, "{}", to_provider.text());
    let authorize = to_provider.header("location").unwrap().to_owned();
    assert!(authorize.starts_with(&format!("{issuer}/authorize?")), "{authorize}");

    // The provider signs the person in (the login_hint names them) and sends them back.
    let (port, authority, path) = split_url(&authorize);
    let back = send(port, &Call { method: "GET", path: &path, host: &authority, headers: vec![], body: vec![] });
    assert_eq!(back.status, 302, "{}", back.text());
    let callback = back.header("location").unwrap().to_owned();
    let (_, _, callback_path) = split_url(&callback);
    assert!(callback_path.starts_with(&format!("/sso/{id}/callback?")), "{callback}");

    let signed_in = browser.get(&callback_path);
    assert_eq!(signed_in.status, 303, "{} / {}", signed_in.text(), last_event(&s, &tenant, &key, &portal));
    assert_eq!(signed_in.header("location"), Some("/tickets"));
    assert!(browser.get("/").text().contains("Welcome, "));
    let event = last_event(&s, &tenant, &key, &portal);
    assert_eq!(event["outcome"], "signed_in", "{event}");
    assert_eq!(event["email"], "grace@oidcco.example");

    // The callback again: its state is spent (D1 DELETE ... RETURNING took it once).
    let again = browser.get(&callback_path);
    assert_eq!(again.status, 403);
    assert_eq!(last_event(&s, &tenant, &key, &portal)["code"], "state");
}

/// Runs the test SAML identity provider's command line (`tests/sso_idp/saml_idp.py`).
fn saml_idp(args: &[&str]) -> String {
    let python = std::env::var("PORCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sso_idp/saml_idp.py");
    let output = Command::new(&python).arg(script).args(args).output().expect("python for the SAML test IdP");
    assert!(output.status.success(), "saml_idp.py {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn query_param(url: &str, name: &str) -> String {
    let query = url.split_once('?').unwrap().1;
    let raw = query.split('&').find_map(|pair| pair.strip_prefix(&format!("{name}="))).unwrap_or_default();
    porch_core::http::percent_decode(raw).unwrap()
}

/// An attribute of the `AuthnRequest` in an HTTP-Redirect URL (base64 of raw DEFLATE).
fn authn_request_attribute(url: &str, attribute: &str) -> String {
    use base64::Engine as _;
    let deflated = base64::engine::general_purpose::STANDARD.decode(query_param(url, "SAMLRequest")).unwrap();
    let xml = String::from_utf8(miniz_oxide::inflate::decompress_to_vec(&deflated).unwrap()).unwrap();
    let marker = format!(" {attribute}=\"");
    let start = xml.find(&marker).unwrap() + marker.len();
    xml[start..start + xml[start..].find('"').unwrap()].to_owned()
}

fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn saml_sign_ins_started_by_porch_and_by_the_identity_provider_work_on_workerd() {
    let s = server();
    let (tenant, key, portal, host) = portal(&s, "SamlCo");
    let dir = std::env::temp_dir().join(format!("porch-e2e-saml-{}", std::process::id()));
    saml_idp(&["keys", dir.to_str().unwrap()]);
    let certificate = std::fs::read_to_string(dir.join("idp.cert.pem")).unwrap();
    let created = connect(
        &s,
        &tenant,
        &key,
        &portal,
        json!({ "name": "SamlCo IdP", "protocol": "saml", "saml": {
            "idp_entity_id": "https://idp.samlco.example", "sso_url": "https://idp.samlco.example/sso",
            "certificates": [certificate], "allow_idp_initiated": true, "attributes": { "name": "name" } } }),
    );
    let id = created["connection"]["id"].as_str().unwrap().to_owned();

    // SP-initiated: porch sends an AuthnRequest; the IdP answers it at the ACS it names.
    let mut browser = Browser::new(&s, &host);
    let to_idp = browser.get(&format!("/sso/{id}/start?return_to=/tickets"));
    assert_eq!(to_idp.status, 303, "{}", to_idp.text());
    let redirect = to_idp.header("location").unwrap().to_owned();
    let (request_id, acs, audience) = (
        authn_request_attribute(&redirect, "ID"),
        authn_request_attribute(&redirect, "AssertionConsumerServiceURL"),
        // The SP entity ID is the request's Issuer element; the metadata URL is that ID.
        acs_to_entity(&authn_request_attribute(&redirect, "AssertionConsumerServiceURL")),
    );
    let respond = |in_response_to: Option<&str>| {
        let mut args = vec!["respond", "--dir", dir.to_str().unwrap(), "--idp", "https://idp.samlco.example"];
        args.extend([
            "--audience",
            &audience,
            "--acs",
            &acs,
            "--email",
            "ada@samlco.example",
            "--name",
            "Ada Lovelace",
        ]);
        if let Some(id) = in_response_to {
            args.extend(["--in-response-to", id]);
        }
        saml_idp(&args)
    };
    let response = respond(Some(&request_id));
    let acs_path = format!("/sso/{id}/acs");
    let signed_in =
        post_form(&mut browser, &acs_path, &format!("SAMLResponse={}&RelayState=%2F", form_encode(&response)));
    assert_eq!(signed_in.status, 303, "{} / {}", signed_in.text(), last_event(&s, &tenant, &key, &portal));
    assert_eq!(signed_in.header("location"), Some("/tickets"));
    assert!(browser.get("/").text().contains("Welcome, Ada Lovelace"));

    // IdP-initiated (allowed here): an unsolicited response; its assertion counts once.
    let unsolicited = respond(None);
    let form = format!("SAMLResponse={}&RelayState=%2Ftickets", form_encode(&unsolicited));
    let mut fresh = Browser::new(&s, &host);
    let signed_in = post_form(&mut fresh, &acs_path, &form);
    assert_eq!(signed_in.status, 303, "{}", last_event(&s, &tenant, &key, &portal));
    assert_eq!(signed_in.header("location"), Some("/tickets"));
    let replayed = post_form(&mut Browser::new(&s, &host), &acs_path, &form);
    assert_eq!(replayed.status, 403);
    assert_eq!(last_event(&s, &tenant, &key, &portal)["code"], "replay");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A connection's SP entity ID from its ACS URL (both are porch's: `.../acs`, `.../metadata`).
fn acs_to_entity(acs: &str) -> String {
    format!("{}/metadata", acs.strip_suffix("/acs").unwrap())
}
