//! SAML response verification against fixtures minted at test time by
//! `tests/fixtures/sso/saml_fixtures.py` (signxml, lxml, cryptography; signatures checked by
//! xmlsec1): genuine responses verify with the right claims, every attack is refused with its
//! code, and our exclusive C14N is byte-equal to libxml2's.
//!
//! The fixtures directory comes from `PORCH_SSO_FIXTURES`; without it the test runs the
//! generator itself (`PORCH_PYTHON`, else `python3`) and fails if it cannot.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::too_many_lines)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use porch_sso::saml::{
    exclusive_c14n, verify_response, DecryptionKey, KeyError, KeyKind, PinnedKey, SamlError, SamlPolicy,
    SignatureAlgorithm, VerifiedAssertion, DEFAULT_ALGORITHMS,
};
use porch_types::time::Timestamp;
use serde_json::Value;

fn fixtures() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        if let Some(dir) = std::env::var_os("PORCH_SSO_FIXTURES") {
            let dir = PathBuf::from(dir);
            assert!(dir.join("manifest.json").is_file(), "PORCH_SSO_FIXTURES={} has no manifest.json", dir.display());
            return dir;
        }
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("sso-fixtures-{}", std::process::id()));
        let python = std::env::var("PORCH_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sso/saml_fixtures.py");
        let output = Command::new(&python).arg(&script).arg(&dir).output().unwrap_or_else(|e| {
            panic!("cannot run {python} {}: {e}; set PORCH_PYTHON or PORCH_SSO_FIXTURES", script.display())
        });
        assert!(
            output.status.success(),
            "the SAML fixture generator failed (needs lxml, signxml, cryptography and xmlsec1; set PORCH_PYTHON):\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        dir
    })
}

fn manifest() -> &'static Value {
    static MANIFEST: OnceLock<Value> = OnceLock::new();
    MANIFEST.get_or_init(|| serde_json::from_slice(&std::fs::read(fixtures().join("manifest.json")).unwrap()).unwrap())
}

fn text(value: &Value, key: &str) -> String {
    value[key].as_str().unwrap_or_else(|| panic!("manifest: {key} is not a string")).to_owned()
}

fn cert(name: &str) -> PinnedKey {
    let pem = std::fs::read_to_string(fixtures().join(format!("keys/{name}.cert.pem"))).unwrap();
    PinnedKey::from_pem_certificate(&pem).unwrap()
}

/// The SP's private key `name` (PKCS#8 PEM), for encrypted assertions.
fn decryption_key(name: &str) -> DecryptionKey {
    let pem = std::fs::read_to_string(fixtures().join(format!("keys/{name}.key.pem"))).unwrap();
    DecryptionKey::from_pkcs8_pem(&pem).unwrap()
}

fn algorithm(name: &str) -> SignatureAlgorithm {
    match name {
        "rsa-sha256" => SignatureAlgorithm::RsaSha256,
        "rsa-sha384" => SignatureAlgorithm::RsaSha384,
        "rsa-sha512" => SignatureAlgorithm::RsaSha512,
        "ecdsa-sha256" => SignatureAlgorithm::EcdsaSha256,
        "rsa-sha1" => SignatureAlgorithm::RsaSha1,
        other => panic!("manifest: unknown algorithm {other}"),
    }
}

/// The form value for a case: XML is base64-encoded with CRLF every 76 characters (as some
/// `IdPs` send it); `form` files are the form value itself.
fn form_value(case: &Value) -> String {
    let bytes = std::fs::read(fixtures().join(text(case, "file"))).unwrap();
    if text(case, "encoding") == "form" {
        return String::from_utf8(bytes).unwrap();
    }
    let encoded = STANDARD.encode(bytes);
    encoded.as_bytes().chunks(76).map(|line| std::str::from_utf8(line).unwrap()).collect::<Vec<_>>().join("\r\n")
}

fn response_cases() -> impl Iterator<Item = &'static Value> {
    manifest()["cases"].as_array().unwrap().iter().filter(|case| case["kind"] == "response")
}

/// Verifies a case under the policy the manifest gives it.
fn verify_case(case: &Value) -> Result<VerifiedAssertion, SamlError> {
    let m = manifest();
    let (idp, sp, acs) = (text(m, "idp_entity_id"), text(m, "sp_entity_id"), text(m, "acs_url"));
    let keys: Vec<PinnedKey> = case["keys"].as_array().unwrap().iter().map(|k| cert(k.as_str().unwrap())).collect();
    let decryption: Vec<DecryptionKey> =
        case["decryption_keys"].as_array().unwrap().iter().map(|k| decryption_key(k.as_str().unwrap())).collect();
    let algorithms: Vec<SignatureAlgorithm> = match case["algorithms"].as_array() {
        Some(list) => list.iter().map(|a| algorithm(a.as_str().unwrap())).collect(),
        None => DEFAULT_ALGORITHMS.to_vec(),
    };
    let mut policy = SamlPolicy::new(&idp, &sp, &acs, &keys, &algorithms)
        .unwrap()
        .with_skew_seconds(m["skew_seconds"].as_i64().unwrap())
        .unwrap()
        .with_want_assertions_signed(case["want_assertions_signed"].as_bool().unwrap())
        .with_decryption_keys(&decryption, [3; 32])
        .unwrap();
    if let Some(request) = case["expected_in_response_to"].as_str() {
        policy = policy.with_expected_in_response_to(request);
    }
    verify_response(&form_value(case), &policy, Timestamp::from_millis(case["clock_ms"].as_i64().unwrap()))
}

#[test]
fn every_response_case_verifies_or_fails_with_its_code() {
    let m = manifest();
    let idp = text(m, "idp_entity_id");
    let mut failures = Vec::new();
    let mut count = 0;
    for case in response_cases() {
        count += 1;
        let name = text(case, "name");
        let expected_request = case["expected_in_response_to"].as_str().map(str::to_owned);
        let now = Timestamp::from_millis(case["clock_ms"].as_i64().unwrap());
        let result = verify_case(case);
        let expect = text(case, "expect");
        match (&result, expect.as_str()) {
            (Ok(assertion), "ok") => {
                let claims = &m["expected_claims"];
                let attributes: Vec<(String, Vec<String>)> =
                    serde_json::from_value(claims["attributes"].clone()).unwrap();
                let problems = [
                    (assertion.issuer != idp, "issuer"),
                    (assertion.name_id != text(claims, "name_id"), "name_id"),
                    (assertion.name_id_format != text(claims, "name_id_format"), "name_id_format"),
                    (assertion.session_index.as_deref() != claims["session_index"].as_str(), "session_index"),
                    (assertion.attributes != attributes, "attributes"),
                    (assertion.in_response_to != expected_request, "in_response_to"),
                    (assertion.assertion_id.is_empty(), "assertion_id"),
                    (assertion.usable_until <= now, "usable_until"),
                ];
                for (wrong, what) in problems {
                    if wrong {
                        failures.push(format!("{name}: verified, but {what} is wrong: {assertion:?}"));
                    }
                }
            }
            (Err(error), code) if error.code() == code => {}
            (Ok(_), code) => failures.push(format!("{name}: verified, expected {code}")),
            (Err(error), code) => failures.push(format!("{name}: expected {code}, got {} ({error})", error.code())),
        }
    }
    assert!(count >= 70, "only {count} response cases in the manifest");
    assert!(failures.is_empty(), "{} of {count} cases failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn the_replay_window_ends_at_the_earliest_not_on_or_after_plus_skew() {
    let m = manifest();
    let case = response_cases().find(|c| c["name"] == "ok_assertion_signed_rsa").unwrap();
    let keys = [cert("idp_rsa")];
    let (idp, sp, acs) = (text(m, "idp_entity_id"), text(m, "sp_entity_id"), text(m, "acs_url"));
    let policy = SamlPolicy::new(&idp, &sp, &acs, &keys, DEFAULT_ALGORITHMS)
        .unwrap()
        .with_expected_in_response_to(m["request_id"].as_str().unwrap());
    let now = m["now_ms"].as_i64().unwrap();
    let assertion = verify_response(&form_value(case), &policy, Timestamp::from_millis(now)).unwrap();
    // Issued 10 s before `now`; NotOnOrAfter 300 s after issue; skew 120 s.
    assert_eq!(assertion.usable_until, Timestamp::from_millis(now - 10_000 + 300_000 + 120_000));
    assert_eq!(assertion.assertion_id, "_a-1b2c3d");
    assert_eq!(assertion.attribute("groups").unwrap(), ["admins", "support & ops"]);
}

#[test]
fn our_exclusive_c14n_is_byte_equal_to_libxml2s() {
    let mut count = 0;
    for case in manifest()["cases"].as_array().unwrap().iter().filter(|c| c["kind"] == "c14n") {
        count += 1;
        let document = std::fs::read_to_string(fixtures().join(text(case, "file"))).unwrap();
        let expected = std::fs::read_to_string(fixtures().join(text(case, "expected_file"))).unwrap();
        let prefixes: Vec<&str> = case["prefixes"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
        let ours = exclusive_c14n(&document, &text(case, "element"), &prefixes)
            .unwrap_or_else(|e| panic!("{}: {e}", text(case, "name")));
        assert_eq!(ours, expected, "{}", text(case, "name"));
    }
    assert!(count >= 10, "only {count} c14n cases");
}

#[test]
fn pinned_certificates_give_their_keys_and_fingerprints() {
    let fingerprints = &manifest()["fingerprints"];
    for (name, kind) in [("idp_rsa", KeyKind::Rsa { bits: 2048 }), ("idp_ec", KeyKind::EcdsaP256)] {
        let key = cert(name);
        assert_eq!(key.kind(), kind);
        assert_eq!(key.fingerprint_sha256(), text(fingerprints, name));
        let der = std::fs::read(fixtures().join(format!("keys/{name}.cert.der"))).unwrap();
        assert_eq!(PinnedKey::from_der_certificate(&der).unwrap().fingerprint_sha256(), key.fingerprint_sha256());
        // The bare base64 of IdP metadata's X509Certificate works too.
        let bare = STANDARD.encode(&der);
        assert_eq!(PinnedKey::from_pem_certificate(&bare).unwrap().fingerprint_sha256(), key.fingerprint_sha256());
    }
}

#[test]
fn weak_rsa_and_other_curves_cannot_be_pinned() {
    let read = |name: &str| std::fs::read_to_string(fixtures().join(format!("keys/{name}.cert.pem"))).unwrap();
    assert_eq!(PinnedKey::from_pem_certificate(&read("weak_rsa")).unwrap_err(), KeyError::WeakRsa(1024));
    assert_eq!(PinnedKey::from_pem_certificate(&read("ec_p384")).unwrap_err(), KeyError::UnsupportedKey);
    let private = read("idp_rsa").replace("CERTIFICATE", "PRIVATE KEY");
    assert_eq!(PinnedKey::from_pem_certificate(&private).unwrap_err(), KeyError::Encoding);
}

#[test]
fn certificates_with_real_world_quirks_give_their_keys_and_not_after() {
    let expected = manifest()["not_after_ms"].as_object().unwrap();
    let quirky: Vec<&String> = expected.keys().filter(|name| name.starts_with("quirk_")).collect();
    assert!(quirky.len() >= 10, "only {} quirky certificates", quirky.len());
    for (name, not_after) in expected {
        let key = cert(name);
        let not_after = Timestamp::from_millis(not_after.as_i64().unwrap());
        assert_eq!(key.not_after(), Some(not_after), "{name}");
        if name.starts_with("quirk_") {
            assert_eq!(key.kind(), KeyKind::Rsa { bits: 2048 }, "{name}");
        }
    }
    // (A response signed by each one's key verifies: the `ok_pinned_quirk_*` response cases.)
    assert!(response_cases().filter(|case| text(case, "name").starts_with("ok_pinned_quirk_")).count() >= quirky.len());
}

#[test]
fn a_certificate_near_its_not_after_is_warned_about_but_still_verifies() {
    let now = Timestamp::from_millis(manifest()["now_ms"].as_i64().unwrap());
    // The hand-written certificates end 20 days after the fixtures' clock; idp_rsa a year after.
    let soon = cert("quirk_v1_no_version").warning(now).unwrap();
    assert_eq!(soon.code(), "certificate_expires_soon");
    assert_eq!(cert("idp_rsa").warning(now), None);
    let later = Timestamp::from_millis(soon.not_after().millis() + 86_400_000);
    assert_eq!(cert("quirk_v1_no_version").warning(later).unwrap().code(), "certificate_expired");
}

#[test]
fn every_spoilt_encrypted_assertion_fails_with_one_and_the_same_error() {
    let mut count = 0;
    for case in response_cases().filter(|case| text(case, "name").starts_with("encrypted_tampered_")) {
        count += 1;
        let error = verify_case(case).map(|_| ()).unwrap_err();
        // The same variant, code and message: nothing tells a bad key from bad padding, a bad
        // tag or bad XML inside.
        assert_eq!(error, SamlError::Decryption, "{}", text(case, "name"));
        assert_eq!(error.to_string(), SamlError::Decryption.to_string());
    }
    assert!(count >= 15, "only {count} spoilt encrypted assertions");
}

#[test]
fn every_key_transport_and_content_cipher_decrypts() {
    let names: Vec<String> = response_cases().map(|case| text(case, "name")).collect();
    for content in ["aes128-gcm", "aes256-gcm", "aes128-cbc", "aes256-cbc"] {
        for transport in ["mgf1p-sha1", "mgf1p-default", "oaep11-sha256-mgf1sha1", "oaep11-sha256-mgf1sha256"] {
            let name = format!("ok_encrypted_{content}_{transport}");
            assert!(names.contains(&name), "no case {name}");
            assert!(verify_case(response_cases().find(|c| c["name"] == name.as_str()).unwrap()).is_ok(), "{name}");
        }
    }
}
