//! Sending queued emails through the configured provider (Resend, or a generic JSON webhook),
//! with retries and exponential backoff. The log gets ids, outcomes and provider status
//! codes only: never a body, an address or a key.

use serde_json::json;

use crate::http::Method;
use crate::retry::{excerpt, Outcome, LEASE_SECONDS};
use crate::runtime::{EmailConfig, HttpClient, OutboundRequest, OutboundResponse, Runtime, ServiceError};
use crate::store::outbox::{self, OutboxMessage};
use crate::store::Database;
use porch_types::time::Timestamp;

const RESEND_URL: &str = "https://api.resend.com/emails";

/// Where email goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider<'a> {
    /// <https://resend.com/docs/api-reference/emails/send-email>
    Resend { api_key: &'a str, from: &'a str },
    /// Any endpoint that takes `{id, kind, from, to, subject, text, html}` as JSON.
    Webhook { url: &'a str, secret: Option<&'a str>, from: &'a str },
}

impl<'a> Provider<'a> {
    /// The provider the settings name: `Ok(None)` when none is, `Err` with what to fix when the
    /// settings do not add up (said in the log; a bad setting must not stop the worker).
    pub fn from_config(config: &'a EmailConfig) -> Result<Option<Provider<'a>>, String> {
        let Some(name) = config.provider.as_deref().map(str::trim).filter(|p| !p.is_empty()) else {
            return Ok(None);
        };
        let from = config
            .from
            .as_deref()
            .filter(|f| f.contains('@'))
            .ok_or("EMAIL_FROM must be set to a sender address, e.g. \"Porch <portal@example.com>\"")?;
        match name {
            "resend" => {
                let api_key = config
                    .api_key
                    .as_deref()
                    .ok_or("EMAIL_PROVIDER is resend but the secret EMAIL_API_KEY is not set")?;
                Ok(Some(Provider::Resend { api_key, from }))
            }
            "webhook" => {
                let url = config
                    .webhook_url
                    .as_deref()
                    .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
                    .ok_or("EMAIL_PROVIDER is webhook but EMAIL_WEBHOOK_URL is not an http(s) URL")?;
                Ok(Some(Provider::Webhook { url, secret: config.webhook_secret.as_deref(), from }))
            }
            other => Err(format!("EMAIL_PROVIDER {other:?} is not one of resend, webhook")),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Provider::Resend { .. } => "resend",
            Provider::Webhook { .. } => "webhook",
        }
    }

    /// The provider request for one email. The outbox id is the idempotency key, so a
    /// provider that honours it never sends one email twice, even if a lease ran out mid-send.
    pub fn request(&self, message: &OutboxMessage) -> OutboundRequest {
        let (url, bearer, body) = match self {
            Provider::Resend { api_key, from } => (
                RESEND_URL,
                Some(*api_key),
                json!({
                    "from": from,
                    "to": [message.to_email],
                    "subject": message.subject,
                    "html": message.html_body,
                    "text": message.text_body,
                }),
            ),
            Provider::Webhook { url, secret, from } => (
                *url,
                *secret,
                json!({
                    "id": message.id,
                    "kind": message.kind,
                    "from": from,
                    "to": message.to_email,
                    "subject": message.subject,
                    "text": message.text_body,
                    "html": message.html_body,
                }),
            ),
        };
        let mut headers = vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            ("idempotency-key".to_owned(), format!("porch-email/{}", message.id)),
        ];
        if let Some(token) = bearer {
            headers.push(("authorization".to_owned(), format!("Bearer {token}")));
        }
        OutboundRequest { method: Method::Post, url: url.to_owned(), headers, body: Some(body.to_string()) }
    }
}

/// What one attempt's answer means for the email.
fn outcome(
    provider: &Provider<'_>,
    message: &OutboxMessage,
    answer: &Result<OutboundResponse, ServiceError>,
    now: Timestamp,
) -> Outcome {
    let (retryable, error) = match answer {
        Ok(response) if (200..300).contains(&response.status) => return Outcome::Sent,
        Ok(response) => {
            let detail = excerpt(&response.body);
            // 429 and 5xx are the provider's momentary trouble; any other 4xx is about this
            // email (bad address, unverified sender) and would fail again the same way.
            let retryable = response.status == 429 || response.status >= 500;
            (retryable, format!("{} answered {}: {detail}", provider.name(), response.status))
        }
        // The transport error may name the endpoint, which may carry credentials: not kept.
        Err(_) => (true, format!("could not reach {}", provider.name())),
    };
    Outcome::after_failure(message.attempts, retryable, error, now)
}

/// Sends up to `limit` due emails. Without a provider nothing is claimed: the emails stay
/// queued (and readable in the dev mailbox) until one is configured.
pub async fn deliver_due<R: Runtime>(rt: &R, limit: i64) {
    let provider = match Provider::from_config(&rt.config().email) {
        Ok(Some(provider)) => provider,
        Ok(None) => {
            rt.log("email: delivery is not configured (EMAIL_PROVIDER is empty); queued emails stay queued");
            return;
        }
        Err(problem) => {
            rt.log(&format!("email: delivery is misconfigured, nothing sent: {problem}"));
            return;
        }
    };
    let now = rt.now();
    let claimed = match outbox::claim_due(rt.db(), now, now.plus_seconds(LEASE_SECONDS), limit).await {
        Ok(claimed) => claimed,
        Err(err) => {
            rt.log(&format!("email: could not claim due emails: {err}"));
            return;
        }
    };
    for message in &claimed {
        let answer = rt.http().send(provider.request(message)).await;
        let status = answer.as_ref().map_or_else(|_| "no answer".to_owned(), |r| r.status.to_string());
        let result = outcome(&provider, message, &answer, now);
        rt.log(&format!("email {}: {result} ({} {status})", message.id, provider.name()));
        if let Err(err) = rt.db().execute(outbox::settle(message, &result, now)).await {
            rt.log(&format!("email {}: could not record the attempt: {err}", message.id));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn message(attempts: i64) -> OutboxMessage {
        OutboxMessage {
            id: "0b5f3c52-6c1e-4a57-9d1a-3f4b8c2d1e0f".to_owned(),
            tenant_id: "t".to_owned(),
            portal_id: None,
            kind: "invitation".to_owned(),
            to_email: "ada@example.com".to_owned(),
            subject: "You are invited to Acme".to_owned(),
            text_body: "text".to_owned(),
            html_body: "<p>html</p>".to_owned(),
            status: "queued".to_owned(),
            attempts,
            next_attempt_at: 0,
            created_at: 0,
        }
    }

    fn header<'r>(request: &'r OutboundRequest, name: &str) -> Option<&'r str> {
        request.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    #[test]
    fn a_resend_request_posts_the_documented_json_with_the_key_as_bearer() {
        let provider = Provider::Resend { api_key: "re_test", from: "Porch <portal@example.com>" };
        let request = provider.request(&message(0));
        assert_eq!(request.method, Method::Post);
        assert_eq!(request.url, "https://api.resend.com/emails");
        assert_eq!(header(&request, "authorization"), Some("Bearer re_test"));
        assert_eq!(header(&request, "content-type"), Some("application/json"));
        assert_eq!(header(&request, "idempotency-key"), Some("porch-email/0b5f3c52-6c1e-4a57-9d1a-3f4b8c2d1e0f"));
        let body: serde_json::Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"from": "Porch <portal@example.com>", "to": ["ada@example.com"], "subject": "You are invited to Acme",
                   "html": "<p>html</p>", "text": "text"})
        );
    }

    #[test]
    fn a_webhook_request_carries_id_and_kind_and_the_secret_only_when_set() {
        let provider =
            Provider::Webhook { url: "https://hooks.example.com/mail", secret: Some("s3cret"), from: "a@example.com" };
        let request = provider.request(&message(0));
        assert_eq!(request.url, "https://hooks.example.com/mail");
        assert_eq!(header(&request, "authorization"), Some("Bearer s3cret"));
        let body: serde_json::Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"id": "0b5f3c52-6c1e-4a57-9d1a-3f4b8c2d1e0f", "kind": "invitation", "from": "a@example.com",
                   "to": "ada@example.com", "subject": "You are invited to Acme", "text": "text", "html": "<p>html</p>"})
        );
        let open = Provider::Webhook { url: "https://hooks.example.com/mail", secret: None, from: "a@example.com" };
        assert_eq!(header(&open.request(&message(0)), "authorization"), None);
    }

    #[test]
    fn settings_that_do_not_add_up_are_refused_with_the_reason() {
        let config = |provider: &str, from: Option<&str>, key: Option<&str>, url: Option<&str>| EmailConfig {
            provider: Some(provider.to_owned()),
            from: from.map(str::to_owned),
            webhook_url: url.map(str::to_owned),
            api_key: key.map(str::to_owned),
            webhook_secret: None,
        };
        assert_eq!(Provider::from_config(&EmailConfig::default()), Ok(None));
        let no_key = config("resend", Some("a@example.com"), None, None);
        assert!(Provider::from_config(&no_key).unwrap_err().contains("EMAIL_API_KEY"));
        let no_from = config("resend", None, Some("re_x"), None);
        assert!(Provider::from_config(&no_from).unwrap_err().contains("EMAIL_FROM"));
        let no_url = config("webhook", Some("a@example.com"), None, Some("ftp://x"));
        assert!(Provider::from_config(&no_url).unwrap_err().contains("EMAIL_WEBHOOK_URL"));
        let unknown = config("smtp", Some("a@example.com"), None, None);
        assert!(Provider::from_config(&unknown).unwrap_err().contains("smtp"));
        let good = config("resend", Some("a@example.com"), Some("re_x"), None);
        assert_eq!(Provider::from_config(&good), Ok(Some(Provider::Resend { api_key: "re_x", from: "a@example.com" })));
    }

    #[test]
    fn provider_trouble_is_retried_but_a_refused_email_fails_at_once() {
        let provider = Provider::Resend { api_key: "k", from: "a@example.com" };
        let now = Timestamp::from_millis(1_000_000);
        let answer = |status: u16| Ok(OutboundResponse { status, body: "{\"message\":\"nope\"}".to_owned() });
        assert_eq!(outcome(&provider, &message(0), &answer(200), now), Outcome::Sent);
        for status in [429, 500, 503] {
            assert!(matches!(outcome(&provider, &message(0), &answer(status), now),
                Outcome::Retry { at, .. } if at == now.plus_seconds(60)));
        }
        assert!(matches!(outcome(&provider, &message(2), &answer(500), now),
            Outcome::Retry { at, .. } if at == now.plus_seconds(4 * 60)));
        assert!(matches!(outcome(&provider, &message(5), &answer(500), now), Outcome::Failed { .. }));
        let refused = outcome(&provider, &message(0), &answer(422), now);
        assert_eq!(refused, Outcome::Failed { error: "resend answered 422: {\"message\":\"nope\"}".to_owned() });
        let unreachable = outcome(&provider, &message(0), &Err(ServiceError("https://user:pw@host down".into())), now);
        assert!(matches!(&unreachable, Outcome::Retry { error, .. } if !error.contains("pw")));
    }
}
