//! XML-DSig (XML Signature Syntax and Processing 1.1) for SAML: the one shape of enveloped
//! signature the SAML profile uses is accepted, everything else refused; the digest and the
//! signature are checked against the portal's pinned keys only.

use roxmltree::Node;
use sha2::{Digest as _, Sha256, Sha384, Sha512};
use subtle::ConstantTimeEq as _;

use super::base64::decode_strict;
use super::c14n::canonicalize;
use super::keys::KeyMaterial;
use super::xml::{element_children, is, is_ncname, text_only, NS_DSIG};
use super::{SamlError, SamlPolicy, SignatureAlgorithm};

const C14N_EXCLUSIVE: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const TRANSFORM_ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

/// The digest algorithms (XML-DSig 1.1 §6.2, RFC 6931 §2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DigestAlgorithm {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlgorithm {
    fn from_uri(uri: &str) -> Option<DigestAlgorithm> {
        match uri {
            "http://www.w3.org/2000/09/xmldsig#sha1" => Some(DigestAlgorithm::Sha1),
            "http://www.w3.org/2001/04/xmlenc#sha256" => Some(DigestAlgorithm::Sha256),
            "http://www.w3.org/2001/04/xmldsig-more#sha384" => Some(DigestAlgorithm::Sha384),
            "http://www.w3.org/2001/04/xmlenc#sha512" => Some(DigestAlgorithm::Sha512),
            _ => None,
        }
    }

    fn digest(self, bytes: &[u8]) -> Vec<u8> {
        match self {
            DigestAlgorithm::Sha1 => sha1::Sha1::digest(bytes).to_vec(),
            DigestAlgorithm::Sha256 => Sha256::digest(bytes).to_vec(),
            DigestAlgorithm::Sha384 => Sha384::digest(bytes).to_vec(),
            DigestAlgorithm::Sha512 => Sha512::digest(bytes).to_vec(),
        }
    }

    fn len(self) -> usize {
        match self {
            DigestAlgorithm::Sha1 => 20,
            DigestAlgorithm::Sha256 => 32,
            DigestAlgorithm::Sha384 => 48,
            DigestAlgorithm::Sha512 => 64,
        }
    }
}

/// The parsed, checked parts of one `ds:Signature`.
struct SignatureParts<'a, 'input> {
    signed_info: Node<'a, 'input>,
    signed_info_prefixes: Vec<&'a str>,
    algorithm: SignatureAlgorithm,
    reference_prefixes: Vec<&'a str>,
    digest_algorithm: DigestAlgorithm,
    digest_value: Vec<u8>,
    signature_value: Vec<u8>,
}

/// Verifies `signature`, a direct child of `parent` (the census made sure), and returns the
/// exclusive canonical form of `parent` without it: the exact bytes the signature covers,
/// from which the caller must read the claims.
pub(super) fn verify(
    signature: Node<'_, '_>,
    parent: Node<'_, '_>,
    policy: &SamlPolicy<'_>,
) -> Result<String, SamlError> {
    let parts = check_shape(signature, parent, policy)?;
    // XML-DSig §3.2.1 reference validation: digest of the referenced element after the
    // enveloped-signature and exclusive C14N transforms (§6.6.4, Exc-C14N).
    let referenced = canonicalize(parent, Some(signature.id()), &parts.reference_prefixes)?;
    let digest = parts.digest_algorithm.digest(referenced.as_bytes());
    if !bool::from(digest.as_slice().ct_eq(&parts.digest_value)) {
        return Err(SamlError::Digest);
    }
    // §3.2.2 signature validation over the canonical SignedInfo, with the portal's pinned
    // keys only: KeyInfo is never read (it is the attacker's to choose).
    let signed_info = canonicalize(parts.signed_info, None, &parts.signed_info_prefixes)?;
    verify_with_pinned_keys(parts.algorithm, signed_info.as_bytes(), &parts.signature_value, policy)?;
    Ok(referenced)
}

/// The Algorithm attribute of `node`.
fn algorithm_of<'a>(node: Node<'a, '_>) -> Result<&'a str, SamlError> {
    node.attribute("Algorithm").ok_or(SamlError::Structure("an Algorithm attribute is missing"))
}

/// The PrefixList of an optional `ec:InclusiveNamespaces` child of a C14N method or transform
/// The most prefixes an InclusiveNamespaces PrefixList may name.
const MAX_INCLUSIVE_PREFIXES: usize = 16;

/// (Exc-C14N §4); any other child is refused.
fn inclusive_prefixes<'a>(method: Node<'a, '_>) -> Result<Vec<&'a str>, SamlError> {
    let children = element_children(method, "text inside a canonicalisation method")?;
    match children.as_slice() {
        [] => Ok(Vec::new()),
        [list] if is(*list, C14N_EXCLUSIVE, "InclusiveNamespaces") && list.first_element_child().is_none() => {
            // Exc-C14N §3: a list of prefixes (NCNames) or `#default`. The canonicaliser
            // works through it at every element, before any signature is checked, so it is
            // short (IdPs send a handful), of valid tokens and each once.
            let mut prefixes: Vec<&str> = Vec::new();
            for token in list.attribute("PrefixList").unwrap_or("").split_ascii_whitespace() {
                if token != "#default" && !is_ncname(token) {
                    return Err(SamlError::Structure("a PrefixList entry is not a prefix"));
                }
                if !prefixes.contains(&token) {
                    prefixes.push(token);
                }
            }
            if prefixes.len() > MAX_INCLUSIVE_PREFIXES {
                return Err(SamlError::Structure("too many prefixes in a PrefixList"));
            }
            Ok(prefixes)
        }
        _ => Err(SamlError::Structure("unexpected content in a canonicalisation method")),
    }
}

/// The text of a ds:DigestValue or ds:SignatureValue, strictly base64-decoded.
fn base64_value(node: Node<'_, '_>) -> Result<Vec<u8>, SamlError> {
    let text = text_only(node).ok_or(SamlError::Structure("a value holds more than text"))?;
    decode_strict(&text).ok_or(SamlError::Base64)
}

/// Exactly the structure SAML signatures have (SAML Core 2.0 §5.4): one SignedInfo with
/// exclusive C14N, an allowed signature method, one Reference to the parent's ID with the
/// enveloped-signature and exclusive C14N transforms and nothing else, a SignatureValue, an
/// optional KeyInfo that is ignored.
fn check_shape<'a, 'input>(
    signature: Node<'a, 'input>,
    parent: Node<'a, 'input>,
    policy: &SamlPolicy<'_>,
) -> Result<SignatureParts<'a, 'input>, SamlError> {
    let children = element_children(signature, "text inside Signature")?;
    let (signed_info, signature_value) = match children.as_slice() {
        [signed_info, value] | [signed_info, value, _] => (*signed_info, *value),
        _ => return Err(SamlError::Structure("Signature must hold SignedInfo, SignatureValue and KeyInfo only")),
    };
    if !is(signed_info, NS_DSIG, "SignedInfo") || !is(signature_value, NS_DSIG, "SignatureValue") {
        return Err(SamlError::Structure("Signature must hold SignedInfo, SignatureValue and KeyInfo only"));
    }
    if let Some(key_info) = children.get(2) {
        if !is(*key_info, NS_DSIG, "KeyInfo") {
            return Err(SamlError::Structure("Signature must hold SignedInfo, SignatureValue and KeyInfo only"));
        }
    }

    let info_children = element_children(signed_info, "text inside SignedInfo")?;
    let [c14n_method, signature_method, reference] = info_children.as_slice() else {
        return Err(SamlError::Structure("SignedInfo must hold one method of each kind and one Reference"));
    };
    if !is(*c14n_method, NS_DSIG, "CanonicalizationMethod")
        || !is(*signature_method, NS_DSIG, "SignatureMethod")
        || !is(*reference, NS_DSIG, "Reference")
    {
        return Err(SamlError::Structure("SignedInfo must hold one method of each kind and one Reference"));
    }
    // SAML Core 2.0 §5.4.3: exclusive canonicalisation; the with-comments variant is refused
    // (comments are where NameID injection hides).
    if algorithm_of(*c14n_method)? != C14N_EXCLUSIVE {
        return Err(SamlError::Algorithm);
    }
    let signed_info_prefixes = inclusive_prefixes(*c14n_method)?;
    // The algorithm comes from the portal's allowlist by exact URI: HMAC (CVE-2009-0217 and
    // key confusion), DSA, MD5 and unknown URIs never reach a key.
    let algorithm = SignatureAlgorithm::from_uri(algorithm_of(*signature_method)?)
        .filter(|alg| policy.algorithms.contains(alg))
        .ok_or(SamlError::Algorithm)?;
    if signature_method.first_element_child().is_some() {
        return Err(SamlError::Structure("SignatureMethod has parameters"));
    }

    // SAML Core 2.0 §5.4.2: one Reference whose URI is "#" + the ID of the signed element,
    // which is the Signature's parent.
    let parent_id = parent.attribute("ID").ok_or(SamlError::Structure("the signed element has no ID"))?;
    let uri = reference.attribute("URI").ok_or(SamlError::Structure("the Reference has no URI"))?;
    if uri.strip_prefix('#') != Some(parent_id) {
        return Err(SamlError::Structure("the Reference does not name the signed element"));
    }
    let reference_children = element_children(*reference, "text inside Reference")?;
    let [transforms, digest_method, digest_value] = reference_children.as_slice() else {
        return Err(SamlError::Structure("Reference must hold Transforms, DigestMethod and DigestValue"));
    };
    if !is(*transforms, NS_DSIG, "Transforms")
        || !is(*digest_method, NS_DSIG, "DigestMethod")
        || !is(*digest_value, NS_DSIG, "DigestValue")
    {
        return Err(SamlError::Structure("Reference must hold Transforms, DigestMethod and DigestValue"));
    }
    // §5.4.4: enveloped-signature, then exclusive C14N; no XPath, XSLT or anything else.
    let transform_list = element_children(*transforms, "text inside Transforms")?;
    let [enveloped, exclusive] = transform_list.as_slice() else {
        return Err(SamlError::Algorithm);
    };
    if !is(*enveloped, NS_DSIG, "Transform") || !is(*exclusive, NS_DSIG, "Transform") {
        return Err(SamlError::Structure("Transforms must hold Transform elements"));
    }
    if algorithm_of(*enveloped)? != TRANSFORM_ENVELOPED
        || enveloped.first_element_child().is_some()
        || algorithm_of(*exclusive)? != C14N_EXCLUSIVE
    {
        return Err(SamlError::Algorithm);
    }
    let reference_prefixes = inclusive_prefixes(*exclusive)?;
    // SHA-1 digests only where the portal opted in to RSA-SHA1 for an old IdP.
    let digest_algorithm = DigestAlgorithm::from_uri(algorithm_of(*digest_method)?)
        .filter(|d| *d != DigestAlgorithm::Sha1 || policy.algorithms.contains(&SignatureAlgorithm::RsaSha1))
        .ok_or(SamlError::Algorithm)?;
    if digest_method.first_element_child().is_some() {
        return Err(SamlError::Structure("DigestMethod has parameters"));
    }

    let digest_value = base64_value(*digest_value)?;
    if digest_value.len() != digest_algorithm.len() {
        return Err(SamlError::Digest);
    }
    let signature_value = base64_value(signature_value)?;
    if !algorithm.signature_length_fits(signature_value.len()) {
        return Err(SamlError::Signature);
    }
    Ok(SignatureParts {
        signed_info,
        signed_info_prefixes,
        algorithm,
        reference_prefixes,
        digest_algorithm,
        digest_value,
        signature_value,
    })
}

/// Whether one of the portal's keys of the algorithm's kind verifies `signature` over
/// `message`. Two keys exist during a rollover; each is tried.
fn verify_with_pinned_keys(
    algorithm: SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
    policy: &SamlPolicy<'_>,
) -> Result<(), SamlError> {
    let mut candidates = 0usize;
    for key in policy.keys {
        let verified = match (&key.material, algorithm) {
            (KeyMaterial::Rsa(key), SignatureAlgorithm::RsaSha256) => {
                candidates += 1;
                verify_rsa::<Sha256>(key, message, signature)
            }
            (KeyMaterial::Rsa(key), SignatureAlgorithm::RsaSha384) => {
                candidates += 1;
                verify_rsa::<Sha384>(key, message, signature)
            }
            (KeyMaterial::Rsa(key), SignatureAlgorithm::RsaSha512) => {
                candidates += 1;
                verify_rsa::<Sha512>(key, message, signature)
            }
            (KeyMaterial::Rsa(key), SignatureAlgorithm::RsaSha1) => {
                candidates += 1;
                verify_rsa::<sha1::Sha1>(key, message, signature)
            }
            (KeyMaterial::EcdsaP256(key), SignatureAlgorithm::EcdsaSha256) => {
                candidates += 1;
                verify_p256(key, message, signature)
            }
            _ => false,
        };
        if verified {
            return Ok(());
        }
    }
    if candidates == 0 {
        return Err(SamlError::Key);
    }
    Err(SamlError::Signature)
}

/// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2; XML-DSig 1.1 §6.4.2) with hash `D`; the signature must
/// be exactly as long as the modulus.
fn verify_rsa<D>(key: &rsa::RsaPublicKey, message: &[u8], signature: &[u8]) -> bool
where
    D: sha2::Digest + rsa::pkcs8::AssociatedOid,
{
    use rsa::traits::PublicKeyParts as _;
    if signature.len() != key.size() {
        return false;
    }
    let hashed = D::digest(message);
    key.verify(rsa::Pkcs1v15Sign::new::<D>(), &hashed, signature).is_ok()
}

/// ECDSA P-256 with SHA-256; XML-DSig 1.1 §6.4.3 encodes the signature as raw r || s (64
/// bytes), not DER.
fn verify_p256(key: &p256::ecdsa::VerifyingKey, message: &[u8], signature: &[u8]) -> bool {
    use p256::ecdsa::signature::Verifier as _;
    let Ok(signature) = p256::ecdsa::Signature::from_slice(signature) else { return false };
    key.verify(message, &signature).is_ok()
}
