//! Fuzzes the EncryptedAssertion path of the SAML verifier (the XML Encryption parser, key
//! unwrap, AES-GCM/CBC, the parse in place), with a decryption key set. The first byte picks
//! what the rest is:
//! - 0x00: the bytes of the CipherValue of the content, under a fixed EncryptedKey that does
//!   not unwrap (so the stand-in key and both ciphers run on any bytes), the content
//!   algorithm chosen by the second byte;
//! - anything else: the text put in place of the EncryptedAssertion in a fixed Response.
//!
//! Nothing may panic, and nothing the fuzzer makes may verify.
#![no_main]

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use porch_sso::saml::{verify_response, DecryptionKey, SamlPolicy, DEFAULT_ALGORITHMS};
use porch_types::time::Timestamp;
use std::sync::OnceLock;

mod generator_key;

/// The repository's test JWK (tests/fixtures/sso), as the SP's decryption key.
const RSA_JWK: &str = include_str!("../../../../tests/fixtures/sso/rsa2048-private.jwk.json");
const CONTENT: [&str; 5] = [
    "http://www.w3.org/2009/xmlenc11#aes128-gcm",
    "http://www.w3.org/2009/xmlenc11#aes256-gcm",
    "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
    "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
    "http://www.w3.org/2001/04/xmlenc#tripledes-cbc",
];

fn decryption_key() -> &'static DecryptionKey {
    static KEY: OnceLock<DecryptionKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let jwk: serde_json::Value = serde_json::from_str(RSA_JWK).unwrap();
        let number =
            |name: &str| rsa::BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(jwk[name].as_str().unwrap()).unwrap());
        let key =
            rsa::RsaPrivateKey::from_components(number("n"), number("e"), number("d"), vec![number("p"), number("q")])
                .unwrap();
        DecryptionKey::from_rsa(key).unwrap()
    })
}

fn response(encrypted_assertion: &str) -> String {
    format!(
        r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ID="_r1" Version="2.0" IssueInstant="2026-11-23T14:09:24Z" Destination="https://portal.example.com/saml/acs"><saml:Issuer>https://idp.example.com/metadata</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>{encrypted_assertion}</samlp:Response>"#
    )
}

fuzz_target!(|data: &[u8]| {
    let xml = match data.split_first() {
        Some((0x00, rest)) => {
            let (choice, cipher) = rest.split_first().unwrap_or((&0, &[]));
            let content = CONTENT[usize::from(*choice) % CONTENT.len()];
            response(&format!(
                concat!(
                    r#"<saml:EncryptedAssertion><xenc:EncryptedData Type="http://www.w3.org/2001/04/xmlenc#Element">"#,
                    r#"<xenc:EncryptionMethod Algorithm="{content}"/><ds:KeyInfo><xenc:EncryptedKey>"#,
                    r#"<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"/>"#,
                    r#"<xenc:CipherData><xenc:CipherValue>{key}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey>"#,
                    r#"</ds:KeyInfo><xenc:CipherData><xenc:CipherValue>{cipher}</xenc:CipherValue></xenc:CipherData>"#,
                    r#"</xenc:EncryptedData></saml:EncryptedAssertion>"#
                ),
                content = content,
                key = STANDARD.encode([0x5a; 256]),
                cipher = STANDARD.encode(cipher),
            ))
        }
        _ => response(&String::from_utf8_lossy(data)),
    };
    let keys = [generator_key::generator_key()];
    let decryption = [decryption_key().clone()];
    let policy = SamlPolicy::new(
        "https://idp.example.com/metadata",
        "https://portal.example.com/saml/metadata",
        "https://portal.example.com/saml/acs",
        &keys,
        DEFAULT_ALGORITHMS,
    )
    .unwrap()
    .with_decryption_keys(&decryption, [0; 32])
    .unwrap();
    // 2026-11-23T14:09:34Z, the fixtures' clock.
    let now = Timestamp::from_millis(1_795_442_974_000);
    assert!(verify_response(&STANDARD.encode(xml), &policy, now).is_err());
});
