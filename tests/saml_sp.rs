//! porch as a SAML service provider, in process on real `SQLite`: its own key pair per SAML
//! connection (sealed, published in the SP metadata for signing and encryption, rolled over
//! with at most two at a time), `AuthnRequest`s signed for identity providers that want them
//! (checked with
//! Python `cryptography`, not with porch's code), and connections made and refreshed from the
//! identity provider's metadata, pasted or fetched, with its signature checked when a signer
//! is pinned.

use crate::common;
use crate::sso::{authn_request_id, fixture, location, param, post_saml, python, saml_body, Fixture, SamlIdp, HOST};

use common::browser::Browser;
use common::{body_text, error_fields};
use porch_core::http::Method;
use serde_json::{json, Value};

const ENTITY: &str = "https://idp.globex.example";
const SSO_URL: &str = "https://idp.globex.example/sso";
const METADATA_URL: &str = "https://idp.globex.example/metadata";

fn run_metadata_tool(args: &[&str]) -> std::process::Output {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sso_idp/saml_metadata.py");
    std::process::Command::new(python()).arg(script).args(args).output().expect("python for saml_metadata.py")
}

/// Identity provider metadata naming `idp`'s certificate; `extra`: `--want-signed`, `--sign-with DIR`...
fn idp_metadata(idp: &SamlIdp, extra: &[&str]) -> String {
    let mut args = vec!["idp", "--dir", idp.dir.to_str().unwrap(), "--entity", ENTITY, "--sso-url", SSO_URL];
    args.extend_from_slice(extra);
    let output = run_metadata_tool(&args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// Whether Python `cryptography` verifies the redirect query's signature with `certificate`;
/// why not, if not.
fn verifies_independently(certificate: &str, query: &str) -> Result<(), String> {
    let output = run_metadata_tool(&["verify-redirect", "--certificate", certificate, "--query", query]);
    if output.status.success() && output.stdout == b"verified" {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

fn id_of(answer: &Value) -> String {
    answer["connection"]["id"].as_str().unwrap().to_owned()
}

fn sp_metadata(f: &Fixture, id: &str) -> String {
    let page = Browser::new(&f.app, HOST).get(&format!("/sso/{id}/metadata"));
    assert_eq!(page.status, 200);
    body_text(&page)
}

/// The certificates of the SP metadata's `KeyDescriptor`s of `usage`, in order.
fn published(xml: &str, usage: &str) -> Vec<String> {
    let marker = format!("<md:KeyDescriptor use=\"{usage}\">");
    xml.split(&marker)
        .skip(1)
        .map(|rest| {
            let start = rest.find("<ds:X509Certificate>").unwrap() + "<ds:X509Certificate>".len();
            rest[start..start + rest[start..].find('<').unwrap()].to_owned()
        })
        .collect()
}

fn keys_of(answer: &Value) -> Vec<(String, String, String)> {
    answer["connection"]["sp_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["id"].as_str().unwrap().to_owned(),
                k["role"].as_str().unwrap().to_owned(),
                k["certificate"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Signs `email` in through connection `id` in `browser`, from `/sso/{id}/start`; the URL
/// porch sent the browser to.
fn sign_in(f: &Fixture, browser: &Browser<'_>, idp: &SamlIdp, id: &str, email: &str) -> String {
    let redirect = location(&browser.get(&format!("/sso/{id}/start?return_to=/tickets")));
    let response = idp.respond(f, id, email, Some(&authn_request_id(&redirect)));
    let signed_in = post_saml(browser, id, &response, "/");
    assert_eq!(signed_in.status, 303, "{:?}", f.events());
    assert!(browser.signed_in_as("Ada Lovelace"));
    redirect
}

#[test]
fn a_saml_connection_gets_an_sp_key_published_for_signing_and_encryption_and_stored_only_sealed() {
    let f = fixture();
    let idp = SamlIdp::new();
    let created = f.connect(&saml_body(&idp, false));
    let id = id_of(&created);
    let keys = keys_of(&created);
    assert_eq!(keys.len(), 1, "{created}");
    let (key_id, role, certificate) = &keys[0];
    assert_eq!(role, "current");
    assert_eq!(key_id.len(), 64);
    let xml = sp_metadata(&f, &id);
    assert_eq!(published(&xml, "signing"), std::slice::from_ref(certificate));
    assert_eq!(published(&xml, "encryption"), std::slice::from_ref(certificate));
    assert!(xml.contains("AuthnRequestsSigned=\"false\""), "{xml}");
    // The private key is stored sealed only.
    let rows = f.app.sql("SELECT sealed_private_key, certificate FROM sso_sp_keys", vec![]);
    assert_eq!(rows.len(), 1);
    let sealed = rows[0]["sealed_private_key"].as_str().unwrap();
    assert!(sealed.starts_with("v1."), "{sealed}");
    assert_eq!(rows[0]["certificate"], certificate.as_str());
    // Requests stay unsigned unless the IdP wants them signed.
    let redirect = sign_in(&f, &Browser::new(&f.app, HOST), &idp, &id, "ada@globex.example");
    assert!(!redirect.contains("Signature="), "{redirect}");
}

#[test]
fn during_a_rollover_the_sp_metadata_publishes_both_keys_and_the_last_key_cannot_be_retired() {
    let f = fixture();
    let idp = SamlIdp::new();
    let id = id_of(&f.connect(&saml_body(&idp, false)));
    let (status, added) = f.api(Method::Post, &format!("/sso-connections/{id}/sp-keys"), &Value::Null);
    assert_eq!(status, 201, "{added}");
    let keys = keys_of(&added);
    assert_eq!(keys.iter().map(|k| k.1.as_str()).collect::<Vec<_>>(), ["current", "next"]);
    let certificates: Vec<String> = keys.iter().map(|k| k.2.clone()).collect();
    let xml = sp_metadata(&f, &id);
    assert_eq!(published(&xml, "signing"), certificates);
    assert_eq!(published(&xml, "encryption"), certificates);

    // Two at most.
    let (status, refused) = f.api(Method::Post, &format!("/sso-connections/{id}/sp-keys"), &Value::Null);
    assert_eq!(status, 409, "{refused}");
    assert_eq!(f.app.sql("SELECT id FROM sso_sp_keys", vec![]).len(), 2);

    // Retiring the current key makes the next one current.
    let (status, retired) =
        f.api(Method::Delete, &format!("/sso-connections/{id}/sp-keys/{}", keys[0].0), &Value::Null);
    assert_eq!(status, 200, "{retired}");
    let left = keys_of(&retired);
    assert_eq!(left, [(keys[1].0.clone(), "current".to_owned(), keys[1].2.clone())]);
    assert_eq!(published(&sp_metadata(&f, &id), "signing"), [keys[1].2.clone()]);

    // The last key stays; an unknown key is not found.
    let (status, _) = f.api(Method::Delete, &format!("/sso-connections/{id}/sp-keys/{}", keys[1].0), &Value::Null);
    assert_eq!(status, 409);
    let (status, _) = f.api(Method::Delete, &format!("/sso-connections/{id}/sp-keys/{}", keys[0].0), &Value::Null);
    assert_eq!(status, 404);
    // Other protocols have no SP keys.
    let jwt =
        f.connect(&json!({ "name": "App", "protocol": "jwt", "jwt": { "algorithm": "HS256" }, "secret": "generate" }));
    assert!(keys_of(&jwt).is_empty());
    let (status, _) = f.api(Method::Post, &format!("/sso-connections/{}/sp-keys", id_of(&jwt)), &Value::Null);
    assert_eq!(status, 409);
}

#[test]
fn a_signed_authn_request_verifies_independently_with_the_certificate_in_the_sp_metadata() {
    let f = fixture();
    let idp = SamlIdp::new();
    let mut body = saml_body(&idp, false);
    body["saml"]["sign_authn_requests"] = json!(true);
    let created = f.connect(&body);
    let id = id_of(&created);
    let xml = sp_metadata(&f, &id);
    assert!(xml.contains("AuthnRequestsSigned=\"true\""), "{xml}");
    let certificate = published(&xml, "signing").remove(0);

    let redirect = sign_in(&f, &Browser::new(&f.app, HOST), &idp, &id, "ada@globex.example");
    assert_eq!(param(&redirect, "SigAlg"), "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
    let query = redirect.split_once('?').unwrap().1;
    verifies_independently(&certificate, query).unwrap();
    // The signature covers RelayState and the request: changed, they no longer verify.
    let elsewhere = query.replace("RelayState=%2Ftickets", "RelayState=%2Fadmin");
    assert_ne!(elsewhere, query);
    assert!(verifies_independently(&certificate, &elsewhere).unwrap_err().contains("does not verify"));
    // A key added for a rollover does not sign until the current one is retired.
    let (_, added) = f.api(Method::Post, &format!("/sso-connections/{id}/sp-keys"), &Value::Null);
    let next = keys_of(&added)[1].2.clone();
    let browser = Browser::new(&f.app, HOST);
    let redirect = location(&browser.get(&format!("/sso/{id}/start")));
    let query = redirect.split_once('?').unwrap().1;
    verifies_independently(&certificate, query).unwrap();
    assert!(verifies_independently(&next, query).unwrap_err().contains("does not verify"));
}

#[test]
fn a_connection_created_from_pasted_metadata_signs_people_in() {
    let f = fixture();
    let idp = SamlIdp::new();
    let metadata = idp_metadata(&idp, &["--want-signed"]);
    let body = json!({ "name": "Globex", "protocol": "saml",
        "saml": { "metadata_xml": metadata, "attributes": { "name": "name" } } });
    let created = f.connect(&body);
    let settings = &created["connection"]["settings"];
    assert_eq!(settings["idp_entity_id"], ENTITY);
    assert_eq!(settings["sso_url"], SSO_URL, "the HTTP-Redirect service, not the POST one");
    assert_eq!(settings["sign_authn_requests"], true);
    assert_eq!(settings["name_id_formats"], json!(["urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"]));
    assert_eq!(settings["certificates"].as_array().unwrap().len(), 1);
    let id = id_of(&created);
    let redirect = sign_in(&f, &Browser::new(&f.app, HOST), &idp, &id, "ada@globex.example");
    assert!(redirect.starts_with(&format!("{SSO_URL}?SAMLRequest=")), "{redirect}");
    assert!(redirect.contains("&Signature="), "{redirect}");

    // What the metadata gives cannot be typed beside it; broken metadata is a field error.
    let mut both = body.clone();
    both["saml"]["idp_entity_id"] = json!("https://other.example");
    let (status, answer) = f.api(Method::Post, "/sso-connections", &both);
    assert_eq!(status, 422, "{answer}");
    assert_eq!(error_fields(&answer), ["saml.idp_entity_id"]);
    for broken in
        [metadata.replace("HTTP-Redirect", "SOAP"), "<!DOCTYPE x []><x/>".to_owned(), metadata[..200].to_owned()]
    {
        let (status, answer) = f.api(
            Method::Post,
            "/sso-connections",
            &json!({ "name": "Broken", "protocol": "saml", "saml": { "metadata_xml": broken } }),
        );
        assert_eq!(status, 422, "{answer}");
        assert_eq!(error_fields(&answer), ["saml.metadata_xml"]);
    }
    assert_eq!(f.app.sql("SELECT id FROM sso_connections", vec![]).len(), 1);
}

#[test]
fn metadata_fetched_from_an_https_url_is_imported_and_refreshed_from_it() {
    let f = fixture();
    let idp = SamlIdp::new();
    f.app.rt.http.answers.borrow_mut().insert(METADATA_URL.to_owned(), (200, idp_metadata(&idp, &[])));
    let created = f.connect(&json!({ "name": "Globex", "protocol": "saml",
        "saml": { "metadata_url": METADATA_URL, "attributes": { "name": "name" } } }));
    let id = id_of(&created);
    assert_eq!(created["connection"]["settings"]["metadata_url"], METADATA_URL);
    assert_eq!(created["connection"]["settings"]["sign_authn_requests"], false);
    sign_in(&f, &Browser::new(&f.app, HOST), &idp, &id, "ada@globex.example");

    // The IdP moves to a new key: a refresh takes it from the same URL.
    let renewed = SamlIdp::new();
    f.app
        .rt
        .http
        .answers
        .borrow_mut()
        .insert(METADATA_URL.to_owned(), (200, idp_metadata(&renewed, &["--want-signed"])));
    let (status, refreshed) = f.api(Method::Post, &format!("/sso-connections/{id}/refresh-metadata"), &Value::Null);
    assert_eq!(status, 200, "{refreshed}");
    assert_eq!(refreshed["connection"]["settings"]["sign_authn_requests"], true);
    assert_ne!(refreshed["connection"]["settings"]["certificates"], created["connection"]["settings"]["certificates"]);
    sign_in(&f, &Browser::new(&f.app, HOST), &renewed, &id, "ada@globex.example");
    // The old key no longer signs anyone in.
    let browser = Browser::new(&f.app, HOST);
    let redirect = location(&browser.get(&format!("/sso/{id}/start")));
    let old = idp.respond(&f, &id, "ada@globex.example", Some(&authn_request_id(&redirect)));
    assert_eq!(post_saml(&browser, &id, &old, "/").status, 403);

    // Metadata naming another entity is another connection; a failing URL changes nothing.
    let other = idp_metadata(&renewed, &[]).replace(ENTITY, "https://other.example");
    f.app.rt.http.answers.borrow_mut().insert(METADATA_URL.to_owned(), (200, other));
    let (status, _) = f.api(Method::Post, &format!("/sso-connections/{id}/refresh-metadata"), &Value::Null);
    assert_eq!(status, 409);
    f.app.rt.http.answers.borrow_mut().insert(METADATA_URL.to_owned(), (500, String::new()));
    let (status, _) = f.api(Method::Post, &format!("/sso-connections/{id}/refresh-metadata"), &Value::Null);
    assert_eq!(status, 409);
    let (_, now) = f.api(Method::Get, &format!("/sso-connections/{id}"), &Value::Null);
    assert_eq!(now["connection"]["settings"], refreshed["connection"]["settings"]);

    // Only https URLs are fetched; an unreachable one is a field error.
    for url in ["http://idp.globex.example/metadata", "https://idp.globex.example/missing"] {
        let (status, answer) = f.api(
            Method::Post,
            "/sso-connections",
            &json!({ "name": "Other", "protocol": "saml", "saml": { "metadata_url": url } }),
        );
        assert_eq!(status, 422, "{answer}");
        assert_eq!(error_fields(&answer), ["saml.metadata_url"]);
    }
    // A connection typed or pasted has no URL to refresh from.
    let typed = id_of(&f.connect(&saml_body(&idp, false)));
    let (status, _) = f.api(Method::Post, &format!("/sso-connections/{typed}/refresh-metadata"), &Value::Null);
    assert_eq!(status, 409);
}

#[test]
fn with_a_pinned_signer_signed_metadata_is_accepted_and_tampered_or_unsigned_metadata_refused() {
    let f = fixture();
    let idp = SamlIdp::new();
    let federation = SamlIdp::new();
    let signed = idp_metadata(&idp, &["--sign-with", federation.dir.to_str().unwrap()]);
    let body = |xml: &str| {
        json!({ "name": "Globex", "protocol": "saml",
            "saml": { "metadata_xml": xml, "metadata_certificate": federation.certificate(), "attributes": { "name": "name" } } })
    };
    let created = f.connect(&body(&signed));
    assert!(created["connection"]["settings"]["metadata_certificate"].as_str().unwrap().contains("BEGIN CERTIFICATE"));
    sign_in(&f, &Browser::new(&f.app, HOST), &idp, &id_of(&created), "ada@globex.example");

    let tampered = signed.replace(SSO_URL, "https://evil.example/sso");
    assert_ne!(tampered, signed);
    let unsigned = idp_metadata(&idp, &[]);
    let impostor = SamlIdp::new();
    let signed_by_another = idp_metadata(&idp, &["--sign-with", impostor.dir.to_str().unwrap()]);
    for (xml, reason) in [(&tampered, "digest"), (&unsigned, "not signed"), (&signed_by_another, "(signature)")] {
        let (status, answer) = f.api(Method::Post, "/sso-connections", &body(xml));
        assert_eq!(status, 422, "{answer}");
        assert_eq!(error_fields(&answer), ["saml.metadata_xml"]);
        let message = answer["error"]["fields"][0]["message"].as_str().unwrap();
        assert!(message.contains(reason), "{reason}: {message}");
    }
    assert_eq!(f.app.sql("SELECT id FROM sso_connections", vec![]).len(), 1);
}

/// The SP certificate of the API's answer (base64 DER) as a PEM file the test identity
/// provider encrypts to.
fn certificate_file(idp: &SamlIdp, name: &str, base64_der: &str) -> String {
    let lines: Vec<&str> = base64_der.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
    let pem = format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", lines.join("\n"));
    let path = idp.dir.join(name);
    std::fs::write(&path, pem).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn an_assertion_encrypted_to_either_of_the_connections_sp_keys_signs_the_person_in() {
    let f = fixture();
    let idp = SamlIdp::new();
    let id = id_of(&f.connect(&saml_body(&idp, true)));
    let (status, added) = f.api(Method::Post, &format!("/sso-connections/{id}/sp-keys"), &Value::Null);
    assert_eq!(status, 201, "{added}");
    let keys = keys_of(&added);
    for (n, (_, role, certificate)) in keys.iter().enumerate() {
        let file = certificate_file(&idp, &format!("sp-{n}.pem"), certificate);
        let encrypted = idp.respond_with(&f, &id, "ada@globex.example", None, &["--encrypt-to", &file]);
        let browser = Browser::new(&f.app, HOST);
        let answer = post_saml(&browser, &id, &encrypted, "/");
        assert_eq!(answer.status, 303, "the {role} key: {:?}", f.events());
        assert!(browser.signed_in_as("Ada Lovelace"), "the {role} key");
    }
    // Once the first key is retired, what was encrypted to it no longer opens.
    let file = certificate_file(&idp, "retired.pem", &keys[0].2);
    let (status, _) = f.api(Method::Delete, &format!("/sso-connections/{id}/sp-keys/{}", keys[0].0), &Value::Null);
    assert_eq!(status, 200);
    let encrypted = idp.respond_with(&f, &id, "ada@globex.example", None, &["--encrypt-to", &file]);
    assert_eq!(post_saml(&Browser::new(&f.app, HOST), &id, &encrypted, "/").status, 403);
    assert_eq!(f.events()[0]["code"], "decryption", "{:?}", f.events());
}
