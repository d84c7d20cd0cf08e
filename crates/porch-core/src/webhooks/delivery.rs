//! Sending queued webhook deliveries to tenants' endpoints: one signed JSON POST each, retried
//! by the email outbox's rules (`crate::retry`). The log gets delivery ids, outcomes and
//! status codes only: never a URL (it may carry the receiver's token), a secret or a payload.

use serde_json::json;

use super::signature;
use crate::http::Method;
use crate::retry::{excerpt, Outcome, LEASE_SECONDS};
use crate::runtime::{HttpClient, OutboundRequest, OutboundResponse, Runtime, ServiceError};
use crate::store::webhooks::{self, ClaimedDelivery, Endpoint};
use crate::store::Database;
use porch_types::time::Timestamp;

/// The request for one delivery, signed at `now`: the body is
/// `{"id", "event", "created_at", "data"}`, and the signature covers exactly these bytes.
/// Err (with the reason) only when the stored payload is not JSON, which no retry would mend.
pub fn request(delivery: &ClaimedDelivery, endpoint: &Endpoint, now: Timestamp) -> Result<OutboundRequest, String> {
    let data: serde_json::Value =
        serde_json::from_str(&delivery.payload_json).map_err(|err| format!("the stored payload is not JSON: {err}"))?;
    let body = json!({
        "id": delivery.id,
        "event": delivery.event,
        "created_at": Timestamp::from_millis(delivery.created_at),
        "data": data,
    })
    .to_string();
    // The time of this attempt, not of the event: a retry hours later must still pass a
    // receiver's replay window.
    let signed = signature::header(&endpoint.secret, now.millis().div_euclid(1000), &body)?;
    let headers = vec![
        ("content-type".to_owned(), "application/json".to_owned()),
        ("porch-event".to_owned(), delivery.event.clone()),
        ("porch-delivery".to_owned(), delivery.id.clone()),
        ("porch-signature".to_owned(), signed),
    ];
    Ok(OutboundRequest { method: Method::Post, url: endpoint.url.clone(), headers, body: Some(body) })
}

/// What one attempt's answer means for the delivery. Every failure is retried until the
/// attempts run out, a 4xx too: unlike an email provider refusing an address, a receiver's
/// 4xx is usually the provider's own system mid-deploy or misconfigured for a while, and
/// says nothing lasting about this event.
fn outcome(delivery: &ClaimedDelivery, answer: &Result<OutboundResponse, ServiceError>, now: Timestamp) -> Outcome {
    let error = match answer {
        Ok(response) if (200..300).contains(&response.status) => return Outcome::Sent,
        Ok(response) => format!("endpoint answered {}: {}", response.status, excerpt(&response.body)),
        // The transport error may name the URL, which may carry the receiver's token: not kept.
        Err(_) => "could not reach the endpoint".to_owned(),
    };
    Outcome::after_failure(delivery.attempts, true, error, now)
}

/// Sends up to `limit` due deliveries of every tenant.
pub async fn deliver_due<R: Runtime>(rt: &R, limit: i64) {
    let now = rt.now();
    let claimed = match webhooks::claim_due(rt.db(), now, now.plus_seconds(LEASE_SECONDS), limit).await {
        Ok(claimed) => claimed,
        Err(err) => {
            rt.log(&format!("webhooks: could not claim due deliveries: {err}"));
            return;
        }
    };
    for delivery in &claimed {
        let endpoint = match webhooks::endpoint(rt.db(), delivery).await {
            Ok(Some(endpoint)) => endpoint,
            // Disabled or deleted since the claim: a disabled endpoint's deliveries wait for
            // it, a deleted one's went with it. Nothing to send either way.
            Ok(None) => continue,
            Err(err) => {
                rt.log(&format!("webhook delivery {}: could not read its endpoint: {err}", delivery.id));
                continue;
            }
        };
        // Each attempt is signed and recorded at its own time: earlier sends in this run may
        // have taken a while.
        let now = rt.now();
        let (result, status) = match request(delivery, &endpoint, now) {
            Ok(request) => {
                let answer = rt.http().send(request).await;
                let status = answer.as_ref().map_or_else(|_| "no answer".to_owned(), |r| r.status.to_string());
                (outcome(delivery, &answer, now), status)
            }
            Err(problem) => (Outcome::Failed { error: problem }, "not sent".to_owned()),
        };
        rt.log(&format!("webhook delivery {}: {result} ({status})", delivery.id));
        if let Err(err) = rt.db().execute(webhooks::settle(delivery, &result, now)).await {
            rt.log(&format!("webhook delivery {}: could not record the attempt: {err}", delivery.id));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn delivery(attempts: i64, payload: &str) -> ClaimedDelivery {
        ClaimedDelivery {
            id: "e:w".to_owned(),
            tenant_id: "t".to_owned(),
            webhook_id: "w".to_owned(),
            event: "ticket.created".to_owned(),
            payload_json: payload.to_owned(),
            attempts,
            next_attempt_at: 0,
            created_at: 0,
        }
    }

    fn endpoint() -> Endpoint {
        Endpoint { url: "https://desk.example.com/in".to_owned(), secret: "porch_whsec_k".to_owned() }
    }

    #[test]
    fn the_request_posts_the_envelope_signed_over_its_exact_body() {
        let now = Timestamp::from_millis(1_790_000_000_999);
        let request = request(&delivery(0, r#"{"ticket":{"number":7}}"#), &endpoint(), now).unwrap();
        assert_eq!((request.method, request.url.as_str()), (Method::Post, "https://desk.example.com/in"));
        let body = request.body.unwrap();
        let value: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            value,
            json!({"id": "e:w", "event": "ticket.created", "created_at": "1970-01-01T00:00:00.000Z",
                   "data": {"ticket": {"number": 7}}})
        );
        let header = |name: &str| request.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        assert_eq!(header("porch-event").as_deref(), Some("ticket.created"));
        assert_eq!(header("porch-delivery").as_deref(), Some("e:w"));
        assert_eq!(header("porch-signature"), Some(signature::header("porch_whsec_k", 1_790_000_000, &body).unwrap()));
    }

    #[test]
    fn a_payload_that_is_not_json_is_not_sent() {
        let refused = request(&delivery(0, "{not json"), &endpoint(), Timestamp::from_millis(0));
        assert!(refused.unwrap_err().contains("not JSON"));
    }

    #[test]
    fn any_failure_is_retried_until_the_attempts_run_out() {
        let now = Timestamp::from_millis(1_000_000);
        let answer = |status: u16| Ok(OutboundResponse { status, body: "nope".to_owned() });
        assert_eq!(outcome(&delivery(0, "{}"), &answer(204), now), Outcome::Sent);
        for status in [301, 400, 410, 500] {
            assert_eq!(
                outcome(&delivery(0, "{}"), &answer(status), now),
                Outcome::Retry { at: now.plus_seconds(60), error: format!("endpoint answered {status}: nope") }
            );
        }
        assert!(matches!(outcome(&delivery(5, "{}"), &answer(500), now), Outcome::Failed { .. }));
        let unreachable =
            outcome(&delivery(0, "{}"), &Err(ServiceError("https://desk.example.com/?token=x".into())), now);
        assert!(matches!(&unreachable, Outcome::Retry { error, .. } if !error.contains("token")));
    }
}
