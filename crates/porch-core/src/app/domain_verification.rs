//! Custom domain verification, pluggable: DNS-over-HTTPS looks for the tenant's
//! `_porch-verify.<host>` TXT record; Cloudflare for `SaaS` registers the hostname as a custom
//! hostname of the zone and reports it verified once Cloudflare says it is active *and* the
//! tenant's TXT record is in place: Cloudflare alone would also vouch for a hostname whose DNS
//! still points here from an earlier tenant, which must not let another tenant take it over.

use serde::Deserialize;

use crate::http::Method;
use crate::runtime::{HttpClient, OutboundRequest, Runtime, ServiceError};
use crate::store::domains::{self, verification_record_name};
use porch_types::error::AppError;
use porch_types::host::Hostname;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Verified,
    /// Not (yet) verified, with the reason to show the provider.
    NotVerified(String),
}

#[allow(async_fn_in_trait)]
pub trait DomainVerifier {
    /// Called when a domain is added (Cloudflare: create the custom hostname).
    async fn register(&self, host: &Hostname) -> Result<(), ServiceError>;
    /// Called when a domain is removed.
    async fn unregister(&self, host: &Hostname) -> Result<(), ServiceError>;
    async fn check(&self, host: &Hostname, expected_txt: &str) -> Result<Verdict, ServiceError>;
}

pub struct DnsOverHttps<'a, H> {
    pub http: &'a H,
    pub endpoint: &'a str,
}

#[derive(Deserialize)]
struct DohAnswer {
    #[serde(rename = "type")]
    record_type: u16,
    data: String,
}

#[derive(Deserialize)]
struct DohResponse {
    #[serde(rename = "Status")]
    status: u16,
    #[serde(rename = "Answer", default)]
    answer: Vec<DohAnswer>,
}

/// TXT record data as DNS JSON APIs give it: one or more quoted character-strings
/// (RFC 1035 §3.3.14) that together form the value.
fn txt_value(data: &str) -> String {
    let trimmed = data.trim();
    if !trimmed.starts_with('"') {
        return trimmed.to_owned();
    }
    let mut value = String::new();
    let mut in_quotes = false;
    let mut escaped = false;
    for c in trimmed.chars() {
        match (in_quotes, escaped, c) {
            (true, true, _) => {
                value.push(c);
                escaped = false;
            }
            (true, false, '\\') => escaped = true,
            (_, _, '"') => in_quotes = !in_quotes,
            (true, false, _) => value.push(c),
            _ => {}
        }
    }
    value
}

/// The verdict from a DNS JSON answer: verified when one TXT record equals the expected value.
fn doh_verdict(body: &str, expected: &str) -> Verdict {
    const TXT: u16 = 16;
    match serde_json::from_str::<DohResponse>(body) {
        Ok(response) if response.status == 0 => {
            let values: Vec<String> =
                response.answer.iter().filter(|a| a.record_type == TXT).map(|a| txt_value(&a.data)).collect();
            if values.iter().any(|v| v == expected) {
                Verdict::Verified
            } else if values.is_empty() {
                Verdict::NotVerified("no TXT record found yet".into())
            } else {
                Verdict::NotVerified("a TXT record exists but does not hold the expected value".into())
            }
        }
        // RCODE 3 (NXDOMAIN): the name does not exist yet.
        Ok(response) if response.status == 3 => Verdict::NotVerified("no TXT record found yet".into()),
        Ok(response) => Verdict::NotVerified(format!("DNS lookup failed (rcode {})", response.status)),
        Err(_) => Verdict::NotVerified("the DNS resolver gave an unreadable answer".into()),
    }
}

impl<H: HttpClient> DomainVerifier for DnsOverHttps<'_, H> {
    async fn register(&self, _host: &Hostname) -> Result<(), ServiceError> {
        Ok(())
    }

    async fn unregister(&self, _host: &Hostname) -> Result<(), ServiceError> {
        Ok(())
    }

    async fn check(&self, host: &Hostname, expected_txt: &str) -> Result<Verdict, ServiceError> {
        let url = format!("{}?name={}&type=TXT", self.endpoint, verification_record_name(host.as_str()));
        let response = self
            .http
            .send(OutboundRequest {
                method: Method::Get,
                url,
                headers: vec![("accept".into(), "application/dns-json".into())],
                body: None,
            })
            .await?;
        if response.status != 200 {
            return Ok(Verdict::NotVerified(format!("the DNS resolver answered HTTP {}", response.status)));
        }
        Ok(doh_verdict(&response.body, expected_txt))
    }
}

pub struct CloudflareForSaas<'a, H> {
    /// Proof of control that only the domain's owner can give (see the module comment).
    pub txt: DnsOverHttps<'a, H>,
    pub http: &'a H,
    pub api_token: &'a str,
    pub zone_id: &'a str,
}

const CLOUDFLARE_API: &str = "https://api.cloudflare.com/client/v4";

#[derive(Deserialize)]
struct CfSsl {
    status: Option<String>,
}

#[derive(Deserialize)]
struct CfHostname {
    id: String,
    hostname: String,
    status: Option<String>,
    ssl: Option<CfSsl>,
}

#[derive(Deserialize)]
struct CfList {
    success: bool,
    #[serde(default)]
    result: Vec<CfHostname>,
}

/// Whether a custom hostname listing names exactly `host` (the `hostname` filter is a search).
fn is_listed(body: &str, host: &Hostname) -> bool {
    serde_json::from_str::<CfList>(body)
        .is_ok_and(|list| list.success && list.result.iter().any(|found| found.hostname == host.as_str()))
}

/// The verdict for `host` from a custom hostname listing. The listing's `hostname` filter is
/// a search, so only an entry naming exactly this host counts.
fn cloudflare_verdict(body: &str, host: &Hostname) -> Verdict {
    match serde_json::from_str::<CfList>(body) {
        Ok(list) if list.success => match list.result.iter().find(|found| found.hostname == host.as_str()) {
            Some(found) => {
                let status = found.status.as_deref().unwrap_or("unknown");
                let ssl = found.ssl.as_ref().and_then(|s| s.status.as_deref()).unwrap_or("unknown");
                if status == "active" && ssl == "active" {
                    Verdict::Verified
                } else {
                    Verdict::NotVerified(format!("Cloudflare reports the hostname {status} and its certificate {ssl}"))
                }
            }
            None => Verdict::NotVerified("the hostname is not registered with Cloudflare".into()),
        },
        _ => Verdict::NotVerified("the Cloudflare API refused the request".into()),
    }
}

impl<H: HttpClient> CloudflareForSaas<'_, H> {
    fn request(&self, method: Method, path: &str, body: Option<String>) -> OutboundRequest {
        OutboundRequest {
            method,
            url: format!("{CLOUDFLARE_API}/zones/{}{path}", self.zone_id),
            headers: vec![
                ("authorization".into(), format!("Bearer {}", self.api_token)),
                ("content-type".into(), "application/json".into()),
            ],
            body,
        }
    }

    async fn find(&self, host: &Hostname) -> Result<(u16, String), ServiceError> {
        let response =
            self.http.send(self.request(Method::Get, &format!("/custom_hostnames?hostname={host}"), None)).await?;
        Ok((response.status, response.body))
    }
}

impl<H: HttpClient> DomainVerifier for CloudflareForSaas<'_, H> {
    async fn register(&self, host: &Hostname) -> Result<(), ServiceError> {
        let body =
            serde_json::json!({ "hostname": host.as_str(), "ssl": { "method": "txt", "type": "dv" } }).to_string();
        let response = self.http.send(self.request(Method::Post, "/custom_hostnames", Some(body))).await?;
        if response.status < 300 {
            return Ok(());
        }
        // The registration is the platform's, one per hostname: another claim on the same
        // hostname may have made it already, and Cloudflare then refuses a duplicate. That is
        // success, whatever status Cloudflare refuses it with.
        let (status, listing) = self.find(host).await?;
        if status == 200 && is_listed(&listing, host) {
            Ok(())
        } else {
            Err(ServiceError(format!("Cloudflare custom hostname create answered {}", response.status)))
        }
    }

    async fn unregister(&self, host: &Hostname) -> Result<(), ServiceError> {
        let (_, body) = self.find(host).await?;
        if let Ok(list) = serde_json::from_str::<CfList>(&body) {
            for found in list.result.into_iter().filter(|found| found.hostname == host.as_str()) {
                self.http.send(self.request(Method::Delete, &format!("/custom_hostnames/{}", found.id), None)).await?;
            }
        }
        Ok(())
    }

    async fn check(&self, host: &Hostname, expected_txt: &str) -> Result<Verdict, ServiceError> {
        let (status, body) = self.find(host).await?;
        if status == 200 && !is_listed(&body, host) {
            // The registration failed when the domain was added (or went with a removal since):
            // make it now, so Cloudflare can start validating the hostname and its certificate.
            self.register(host).await?;
            return Ok(Verdict::NotVerified(
                "the hostname was registered with Cloudflare just now: publish the records Cloudflare asks for, then verify again"
                    .into(),
            ));
        }
        let proof = self.txt.check(host, expected_txt).await?;
        if proof != Verdict::Verified {
            return Ok(proof);
        }
        if status != 200 {
            return Ok(Verdict::NotVerified(format!("the Cloudflare API answered HTTP {status}")));
        }
        Ok(cloudflare_verdict(&body, host))
    }
}

/// The verifier the configuration selects: Cloudflare for `SaaS` when its token and zone are
/// set, DNS-over-HTTPS otherwise.
pub enum Verifier<'a, H> {
    Doh(DnsOverHttps<'a, H>),
    Cloudflare(CloudflareForSaas<'a, H>),
}

pub fn configured<R: Runtime>(rt: &R) -> Verifier<'_, R::Http> {
    let config = rt.config();
    let txt = DnsOverHttps { http: rt.http(), endpoint: &config.doh_url };
    match (config.cloudflare_api_token.as_deref(), config.cloudflare_zone_id.as_deref()) {
        (Some(api_token), Some(zone_id)) => {
            Verifier::Cloudflare(CloudflareForSaas { txt, http: rt.http(), api_token, zone_id })
        }
        _ => Verifier::Doh(txt),
    }
}

/// Unregisters each hostname that no claim names any more (call after removing claims). The
/// registration is one per hostname for the whole platform, so a hostname another portal
/// still claims, pending or active, keeps it. A failure is logged, not returned: the claims
/// are gone either way, and a later claim's `verify` registers the hostname again if needed.
pub async fn release<R: Runtime>(rt: &R, hosts: &[Hostname]) -> Result<(), AppError> {
    let verifier = configured(rt);
    for host in hosts.iter().filter(|h| !h.is_localhost()) {
        if domains::claimed(rt.db(), host).await? {
            continue;
        }
        if let Err(err) = verifier.unregister(host).await {
            rt.log(&format!("unregistering {host} failed: {err}"));
        }
    }
    Ok(())
}

impl<H: HttpClient> DomainVerifier for Verifier<'_, H> {
    async fn register(&self, host: &Hostname) -> Result<(), ServiceError> {
        match self {
            Verifier::Doh(v) => v.register(host).await,
            Verifier::Cloudflare(v) => v.register(host).await,
        }
    }

    async fn unregister(&self, host: &Hostname) -> Result<(), ServiceError> {
        match self {
            Verifier::Doh(v) => v.unregister(host).await,
            Verifier::Cloudflare(v) => v.unregister(host).await,
        }
    }

    async fn check(&self, host: &Hostname, expected_txt: &str) -> Result<Verdict, ServiceError> {
        match self {
            Verifier::Doh(v) => v.check(host, expected_txt).await,
            Verifier::Cloudflare(v) => v.check(host, expected_txt).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matching_txt_record_verifies_the_domain() {
        let body = r#"{"Status":0,"Answer":[{"name":"_porch-verify.support.acme.com","type":16,"TTL":300,"data":"\"porch-verify=abc123\""}]}"#;
        assert_eq!(doh_verdict(body, "porch-verify=abc123"), Verdict::Verified);
    }

    #[test]
    fn a_txt_record_split_into_several_strings_is_joined() {
        let body = r#"{"Status":0,"Answer":[{"type":16,"data":"\"porch-verify=\" \"abc123\""}]}"#;
        assert_eq!(doh_verdict(body, "porch-verify=abc123"), Verdict::Verified);
    }

    #[test]
    fn a_wrong_or_missing_record_does_not_verify() {
        let wrong = r#"{"Status":0,"Answer":[{"type":16,"data":"\"porch-verify=zzz\""}]}"#;
        assert!(matches!(doh_verdict(wrong, "porch-verify=abc123"), Verdict::NotVerified(_)));
        let cname_only = r#"{"Status":0,"Answer":[{"type":5,"data":"porch-verify=abc123"}]}"#;
        assert!(matches!(doh_verdict(cname_only, "porch-verify=abc123"), Verdict::NotVerified(_)));
        assert!(matches!(doh_verdict(r#"{"Status":3}"#, "x"), Verdict::NotVerified(_)));
        assert!(matches!(doh_verdict("not json", "x"), Verdict::NotVerified(_)));
    }

    fn host(name: &str) -> Hostname {
        Hostname::parse(name).unwrap()
    }

    #[test]
    fn cloudflare_verifies_only_an_active_hostname_with_an_active_certificate() {
        let h = host("support.acme.com");
        let active = r#"{"success":true,"result":[{"id":"1","hostname":"support.acme.com","status":"active","ssl":{"status":"active"}}]}"#;
        assert_eq!(cloudflare_verdict(active, &h), Verdict::Verified);
        let pending = r#"{"success":true,"result":[{"id":"1","hostname":"support.acme.com","status":"pending","ssl":{"status":"pending_validation"}}]}"#;
        assert!(matches!(cloudflare_verdict(pending, &h), Verdict::NotVerified(m) if m.contains("pending_validation")));
        assert!(matches!(cloudflare_verdict(r#"{"success":true,"result":[]}"#, &h), Verdict::NotVerified(_)));
        assert!(matches!(cloudflare_verdict(r#"{"success":false,"errors":[]}"#, &h), Verdict::NotVerified(_)));
    }

    #[test]
    fn only_an_entry_naming_exactly_the_host_counts_as_registered() {
        let h = host("support.acme.com");
        let listed = r#"{"success":true,"result":[{"id":"1","hostname":"support.acme.com"}]}"#;
        assert!(is_listed(listed, &h));
        let other = r#"{"success":true,"result":[{"id":"1","hostname":"eu.support.acme.com"}]}"#;
        assert!(!is_listed(other, &h));
        assert!(!is_listed(r#"{"success":false,"result":[{"id":"1","hostname":"support.acme.com"}]}"#, &h));
        assert!(!is_listed("not json", &h));
    }

    #[test]
    fn another_hostname_in_the_cloudflare_listing_does_not_verify_this_one() {
        let other = r#"{"success":true,"result":[{"id":"1","hostname":"eu.support.acme.com","status":"active","ssl":{"status":"active"}}]}"#;
        assert!(matches!(cloudflare_verdict(other, &host("support.acme.com")), Verdict::NotVerified(_)));
    }
}
