//! SAML 2.0 Web Browser SSO (SAML Profiles §4.1) for a portal's connection: the SP metadata
//! to give the identity provider, the SP-initiated start (an `AuthnRequest` over the
//! HTTP-Redirect binding, its ID kept in D1 for `InResponseTo`), and the assertion consumer
//! service (HTTP-POST binding) that verifies the response and signs the person in.

use super::forms::{safe_return_to, Form};
use super::sso_sign_in::{browser_started, complete, fail, limited, remember_pending, Comeback, SignIn};
use super::Page;
use crate::auth::{cookies, sp_keys};
use crate::http::Response;
use crate::runtime::Runtime;
use crate::store::sso::{self, ConnectionRow};
use crate::store::sso_sp_keys;
use porch_sso::policy::Identity;
use porch_sso::saml::{self, DecryptionKey, PinnedKey, SamlPolicy, SignatureAlgorithm, SpMetadata, VerifiedAssertion};
use porch_types::email::Email;
use porch_types::error::AppError;
use porch_types::ids::SsoConnectionId;
use porch_types::sso::{SamlSettings, Settings};
use porch_types::time::Timestamp;
use porch_types::to_hex;

/// `NameID` formats (SAML Core §8.3) whose value may be taken as the email: the address
/// format, and the unspecified one (or none given) many identity providers send addresses in.
const NAME_ID_EMAIL_FORMATS: [&str; 3] = [
    "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
    "",
];

fn settings(connection: &ConnectionRow) -> Result<SamlSettings, AppError> {
    match connection.settings()? {
        Settings::Saml(settings) => Ok(settings),
        _ => Err(AppError::NotFound),
    }
}

/// The SP entity ID and ACS URL of a connection on the origin the request came to: what the
/// metadata says, what the `AuthnRequest` names, and what `Audience`, `Destination` and
/// `Recipient` must equal.
fn sp_urls<R: Runtime>(page: &Page<'_, R>, connection: &ConnectionRow) -> (String, String) {
    let base = format!("{}/sso/{}", page.origin(), connection.id);
    (format!("{base}/metadata"), format!("{base}/acs"))
}

/// `GET /sso/{id}/metadata`: the SP metadata document for the identity provider's admin,
/// with every SP key of the connection (both while one replaces the other).
pub async fn metadata<R: Runtime>(page: &Page<'_, R>, connection: &ConnectionRow) -> Result<Response, AppError> {
    let id = SsoConnectionId::parse(&connection.id).ok_or(AppError::NotFound)?;
    let settings = settings(connection)?;
    let (entity_id, acs_url) = sp_urls(page, connection);
    let certificates: Vec<String> =
        sso_sp_keys::list(page.rt.db(), page.scope, id).await?.into_iter().map(|key| key.certificate).collect();
    let xml = saml::sp_metadata(&SpMetadata {
        sp_entity_id: &entity_id,
        acs_url: &acs_url,
        want_assertions_signed: settings.want_assertions_signed,
        authn_requests_signed: settings.sign_authn_requests,
        certificates: &certificates,
    });
    Ok(Response::new(200, "application/samlmetadata+xml; charset=utf-8", xml))
}

/// `GET /sso/{id}/start` for a SAML connection: to the identity provider with an
/// `AuthnRequest` (SAML Bindings §3.4), its ID remembered for the response, signed with the
/// connection's current SP key when the identity provider wants signed requests.
pub async fn start<R: Runtime>(
    page: &Page<'_, R>,
    connection: &ConnectionRow,
    return_to: &str,
) -> Result<Response, AppError> {
    let id = SsoConnectionId::parse(&connection.id).ok_or(AppError::NotFound)?;
    let settings = settings(connection)?;
    let signing_key = if settings.sign_authn_requests {
        let Some(key) = sp_keys::signing_key(page.rt, page.scope, id).await? else {
            let detail = "the IdP wants signed requests and this connection has no SP key";
            return fail(page, Some(id), "configuration", detail, None).await;
        };
        Some(key)
    } else {
        None
    };
    let signer = match &signing_key {
        Some(key) => Some((key, sp_keys::seed(page.rt)?)),
        None => None,
    };
    // SAML Core §1.3.4: an ID is an NCName with enough randomness to be unguessable.
    let request_id = format!("_{}", to_hex(&page.rt.random_16()?));
    let (entity_id, acs_url) = sp_urls(page, connection);
    // Login CSRF: the response must come back in the browser that asked for it, or an
    // attacker could post a response for their own account into someone else's browser.
    let cookie = remember_pending(page, id, &request_id, return_to, None, &Comeback::CrossSitePost).await?;
    // RelayState carries only where to go back to on this portal; the ACS takes it from the
    // pending request, never from what comes back.
    let url = saml::authn_request_redirect_url(
        &settings.sso_url,
        &request_id,
        &entity_id,
        &acs_url,
        page.now,
        Some(return_to),
        signer,
    )
    .map_err(|err| AppError::Internal(format!("signing an AuthnRequest: {err}")))?;
    Ok(Response::see_other(&url).add_header("set-cookie", &cookie))
}

/// `POST /sso/{id}/acs`: the identity provider's response, from the person's browser.
pub async fn acs<R: Runtime>(page: &Page<'_, R>, connection: &ConnectionRow) -> Result<Response, AppError> {
    limited(page).await?;
    let id = SsoConnectionId::parse(&connection.id).ok_or(AppError::NotFound)?;
    let settings = settings(connection)?;
    // The IdP's page posts this form from its own site. What proves it is the signature, and
    // an SP-initiated answer must match a request this browser made.
    let Ok(form) = Form::read_cross_site(page) else {
        return fail(page, Some(id), "binding", "the response did not come as an HTML form post", None).await;
    };
    let field = |name: &str| form.get(name);
    let Some(response) = field("SAMLResponse") else {
        return fail(page, Some(id), "binding", "no SAMLResponse field", None).await;
    };
    // Which request this answers is read before verifying, only to pick the check: the
    // verifier then requires exactly that InResponseTo (or none, for IdP-initiated).
    let envelope = saml::unverified_envelope(response);
    let answering = envelope.in_response_to;
    if answering.is_none() && !settings.allow_idp_initiated {
        let detail = "an unsolicited response, and this connection does not allow them";
        return fail(page, Some(id), "idp_initiated", detail, None).await;
    }
    // The SP's keys are opened (unsealed, read) only for a response that needs them.
    let decryption =
        if envelope.encrypted { sp_keys::decryption_keys(page.rt, page.scope, id).await? } else { Vec::new() };
    let blinding_seed = sp_keys::seed(page.rt)?;
    let assertion =
        match verify(page, connection, &settings, response, answering.as_deref(), &decryption, blinding_seed) {
            Ok(assertion) => assertion,
            Err((code, detail)) => return fail(page, Some(id), code, &detail, None).await,
        };
    // SAML Profiles §4.1.4.3: the request is answered once; consumed only now, so a forged
    // response naming it cannot spend a person's pending sign-in.
    let return_to = match &answering {
        Some(request_id) => match sso::consume_request(page.rt.db(), page.scope, id, request_id, page.now).await? {
            Some(pending) if browser_started(page, page.cookies.sso_saml, pending.browser_hash.as_deref()) => {
                pending.return_to
            }
            Some(_) => {
                let detail = "the response came to another browser than the one that asked";
                return fail(page, Some(id), "browser", detail, None).await;
            }
            None => {
                let detail = "no pending request has this ID (unknown, used or expired)";
                return fail(page, Some(id), "in_response_to", detail, None).await;
            }
        },
        None => field("RelayState").and_then(safe_return_to).unwrap_or("/").to_owned(),
    };
    let Some(identity) = identity(&settings, &assertion) else {
        let detail = "the assertion carries no usable email (NameID or the mapped attribute)";
        return fail(page, Some(id), "email", detail, None).await;
    };
    let once = Some((assertion.assertion_id.as_str(), assertion.usable_until));
    let warning = certificate_warning(&settings, page.now);
    let done = complete(page, SignIn { connection, identity, once, return_to: &return_to, warning }).await?;
    Ok(done.add_header("set-cookie", &cookies::clear(page.cookies.sso_saml, true)))
}

/// The response verified under the connection's policy, answering `answering` (None: an
/// unsolicited response); the event code and detail when it is refused.
fn verify<R: Runtime>(
    page: &Page<'_, R>,
    connection: &ConnectionRow,
    settings: &SamlSettings,
    response: &str,
    answering: Option<&str>,
    decryption: &[DecryptionKey],
    blinding_seed: [u8; 32],
) -> Result<VerifiedAssertion, (&'static str, String)> {
    let keys = settings
        .certificates
        .iter()
        .map(|pem| PinnedKey::from_pem_certificate(pem))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| ("configuration", err.to_string()))?;
    let algorithms: Vec<SignatureAlgorithm> =
        settings.signature_algorithms.iter().filter_map(|name| SignatureAlgorithm::from_name(name)).collect();
    let (entity_id, acs_url) = sp_urls(page, connection);
    let policy = SamlPolicy::new(&settings.idp_entity_id, &entity_id, &acs_url, &keys, &algorithms)
        .and_then(|p| p.with_skew_seconds(settings.skew_seconds))
        .map_err(|err| ("configuration", err.to_string()))?
        .with_want_assertions_signed(settings.want_assertions_signed)
        .with_decryption_keys(decryption, blinding_seed)
        .map_err(|err| ("configuration", err.to_string()))?;
    let policy = match answering {
        Some(request_id) => policy.with_expected_in_response_to(request_id),
        None => policy,
    };
    saml::verify_response(response, &policy, page.now).map_err(|err| (err.code(), err.to_string()))
}

/// For the sign-in's event: the pinned certificates within 30 days of their `NotAfter` (the
/// key still verifies; the provider should pin the identity provider's next certificate).
fn certificate_warning(settings: &SamlSettings, now: Timestamp) -> Option<String> {
    let warnings: Vec<String> = settings
        .certificates
        .iter()
        .filter_map(|pem| PinnedKey::from_pem_certificate(pem).ok())
        .filter_map(|key| {
            let warning = key.warning(now)?;
            Some(format!(
                "{}: the pinned certificate {} ends {}",
                warning.code(),
                key.fingerprint_sha256(),
                warning.not_after().to_minute_utc()
            ))
        })
        .collect();
    (!warnings.is_empty()).then(|| warnings.join("; "))
}

/// The person a verified assertion describes: the email from the mapped attribute or the
/// `NameID`, the name from the mapped attribute, every attribute for the portal's rules.
fn identity(settings: &SamlSettings, assertion: &VerifiedAssertion) -> Option<Identity> {
    let first = |attribute: &String| assertion.attribute(attribute).and_then(|values| values.first());
    // A NameID is an email only when its format says so (or says nothing): a persistent or
    // transient identifier that happens to look like an address is not one.
    let email = match &settings.attributes.email {
        Some(attribute) => first(attribute).map(String::as_str),
        None => {
            NAME_ID_EMAIL_FORMATS.contains(&assertion.name_id_format.as_str()).then_some(assertion.name_id.as_str())
        }
    };
    let email = Email::parse(email?).ok()?;
    let name = settings.attributes.name.as_ref().and_then(first).filter(|name| !name.trim().is_empty()).cloned();
    Some(Identity {
        email,
        name,
        locale: None,
        external_id: Some(assertion.name_id.clone()),
        attributes: assertion.attributes.clone(),
    })
}
