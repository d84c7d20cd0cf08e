//! The admin API's rate limits: a sustained rate and a burst per caller (each key, the
//! operator's token) and per source address, a budget of failed authentications per address,
//! and the expensive operations' own budgets, all counted in D1 before the key is looked up,
//! and told to the client in the `RateLimit-Policy` and `RateLimit` header fields of
//! draft-ietf-httpapi-ratelimit-headers-10 (September 2025) on every answer that was counted.
//!
//! Why D1 and not the Workers Rate Limiting binding (which `worker` 0.8.7 exposes as
//! `env.rate_limiter(..)`, and which `wrangler dev` simulates): the binding counts per
//! Cloudflare location and only says yes or no, with periods of 10 or 60 s, so it could give
//! neither exact per-key budgets nor the remaining quota and reset the headers promise, and
//! the in-process tests could not drive it. In D1 the per-address guard rides in the same
//! statement as the key's bucket, so it costs no extra round trip.

use super::auth::Presented;
use super::Op;
use crate::http::{Request, Response};
use crate::runtime::Runtime;
use crate::store::rate_limits::{self, Charge, Charged};
use porch_types::error::AppError;

/// A sustained rate with a burst, as GCRA counts it: `burst` requests may come at once, then
/// one more every `interval_ms`. Advertised as `q` = burst per `w` = the seconds a spent
/// burst takes to come back, which is the same sustained rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// The policy's name in the header fields (a String item, draft-10 §3).
    pub name: &'static str,
    pub burst: i64,
    pub interval_ms: i64,
}

/// Per tenant key: 10 requests a second sustained, 300 at once. An integration that syncs a
/// fleet or a customer list at start-up sends a few hundred calls in a row; one that keeps
/// going faster than 10 a second for minutes is a loop gone wrong, and each call is at
/// least one D1 query paid by the whole platform.
pub const KEY: Policy = Policy { name: "key", burst: 300, interval_ms: 100 };
/// The operator's token: five times a key, because the operator's tools act for every
/// tenant (migrations, support), but still limited, so a leaked or looping operator script
/// cannot take the database away from every portal.
pub const PLATFORM: Policy = Policy { name: "platform", burst: 1_500, interval_ms: 20 };
/// Per source address, over every key used from it: twice a key, so one key is stopped by
/// its own limit first, while several integrations behind one NAT still fit.
pub const ADDRESS: Policy = Policy { name: "address", burst: 600, interval_ms: 50 };
/// Failed authentications per address: 10 at once, then one more a minute. A working client
/// never fails; keys are 256-bit random so guessing one is hopeless anyway, but each guess
/// costs a lookup and the operator's token is only as strong as its operator made it.
pub const AUTH_FAILURES: Policy = Policy { name: "auth-failures", burst: 10, interval_ms: 60_000 };

/// Adding, verifying or removing a domain: DNS-over-HTTPS lookups, or Cloudflare API calls
/// (a custom hostname created, looked up or deleted) that share the account's API limit (1200
/// per 5 minutes) with every tenant. 30 at once (a portal's few hostnames added, checked and
/// fixed in one sitting), then 2 a minute.
pub const DOMAIN_CHECKS: Policy = Policy { name: "domain-checks", burst: 30, interval_ms: 30_000 };
/// Logos, documents and asset photos: parsing the image or file and an R2 write each. 60 at
/// once (a catalogue's first upload), then one a second.
pub const UPLOADS: Policy = Policy { name: "uploads", burst: 60, interval_ms: 1_000 };
/// Activity ingest: a batch of up to 1,000 readings written to D1 per call. 120 at once, then
/// 2 a second, which devices reporting every few seconds in batches stay far under.
pub const INGEST: Policy = Policy { name: "ingest", burst: 120, interval_ms: 500 };
/// Setting up SSO connections: creating or replacing one may fetch the identity provider's
/// metadata and make porch's RSA-2048 key pair (0.2 s natively, about 1.5 s as wasm), as may
/// adding an SP key or refreshing metadata. A portal has a handful of connections, changed
/// rarely: 20 at once, then 2 a minute.
pub const SSO_SETUP: Policy = Policy { name: "sso-setup", burst: 20, interval_ms: 30_000 };

/// The expensive operations' own budgets, per caller, on top of the caller's general limit;
/// named after the handler in the route table (`routes.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budget {
    DomainChecks,
    Uploads,
    Ingest,
    SsoSetup,
}

impl Budget {
    pub const fn policy(self) -> Policy {
        match self {
            Budget::DomainChecks => DOMAIN_CHECKS,
            Budget::Uploads => UPLOADS,
            Budget::Ingest => INGEST,
            Budget::SsoSetup => SSO_SETUP,
        }
    }
}

impl Policy {
    /// How far ahead of now a bucket's `tat` may go: the whole burst.
    const fn capacity_ms(self) -> i64 {
        self.burst * self.interval_ms
    }

    /// A charge that spends one request from `bucket`.
    fn spend(self, bucket: String) -> Charge {
        Charge { bucket, step_ms: self.interval_ms, interval_ms: self.interval_ms, capacity_ms: self.capacity_ms() }
    }

    /// A charge that spends nothing and fits while one more request would.
    fn look(self, bucket: String) -> Charge {
        Charge { step_ms: 0, ..self.spend(bucket) }
    }

    /// The policy with its burst multiplied (`Config::api_rate_limit_factor`): the same
    /// sustained rate, a longer window.
    const fn scaled(self, factor: i64) -> Policy {
        Policy { burst: self.burst.saturating_mul(factor), ..self }
    }

    /// The bucket's state for the headers, from its theoretical arrival time.
    pub fn state(self, tat: i64, now: i64) -> Limit {
        let used_ms = (tat - now).max(0);
        let remaining = ((self.capacity_ms() - used_ms) / self.interval_ms.max(1)).clamp(0, self.burst);
        // One more request fits once `used_ms` falls to what `remaining + 1` requests leave.
        let reset = (remaining < self.burst).then(|| {
            let wait_ms = used_ms - (self.burst - remaining - 1) * self.interval_ms;
            ceil_seconds(wait_ms)
        });
        Limit { remaining, reset }
    }

    /// `RateLimit-Policy` item: `"name";q=<burst>;w=<seconds>` (draft-10 §3.1).
    fn policy_item(self) -> String {
        format!("\"{}\";q={};w={}", self.name, self.burst, ceil_seconds(self.capacity_ms()).max(1))
    }
}

/// Whole seconds, rounded up so a client that waits that long is never early.
fn ceil_seconds(ms: i64) -> i64 {
    (ms.max(0) + 999) / 1000
}

/// What a bucket has left: `r` and `t` of a `RateLimit` item (draft-10 §4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub remaining: i64,
    /// Seconds until one more request fits; None when the bucket is full.
    pub reset: Option<i64>,
}

impl Limit {
    fn item(self, name: &str) -> String {
        match self.reset {
            Some(seconds) => format!("\"{name}\";r={};t={seconds}", self.remaining),
            None => format!("\"{name}\";r={}", self.remaining),
        }
    }
}

/// One limit a call was counted against.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Counted {
    policy: Policy,
    limit: Limit,
    allowed: bool,
}

/// A call's limits, counted: what the headers say, whether it may go on.
#[derive(Debug)]
pub struct Count {
    counted: Vec<Counted>,
    /// The failures bucket of the address, charged if the authentication fails.
    failures_bucket: String,
}

/// The buckets a call is counted against, in the order the headers list them: its address,
/// its address's failed authentications (looked at, not spent), its caller, and the
/// operation's own budget for that caller; every burst times `factor`.
fn plan(address: &str, presented: &Presented, op: Op, factor: i64) -> Vec<(Policy, Charge)> {
    let (per_address, failures) = (ADDRESS.scaled(factor), AUTH_FAILURES.scaled(factor));
    let mut plan = vec![
        (per_address, per_address.spend(format!("address:{address}"))),
        (failures, failures.look(failures_bucket(address))),
    ];
    // A key is keyed by half its hash: enough to tell keys apart, and the lookup need not
    // come first. A wrong token has no caller to count; its address pays.
    let caller = match presented {
        Presented::Platform => Some((PLATFORM.scaled(factor), "platform".to_owned())),
        Presented::Key { hash } => Some((KEY.scaled(factor), format!("key:{}", hash.get(..32).unwrap_or(hash)))),
        Presented::Wrong => None,
    };
    if let Some((policy, bucket)) = caller {
        let budget = op.budget().map(|b| b.policy().scaled(factor));
        let budget = budget.map(|b| (b, b.spend(format!("{}:{bucket}", b.name))));
        plan.push((policy, policy.spend(bucket)));
        plan.extend(budget);
    }
    plan
}

fn failures_bucket(address: &str) -> String {
    format!("auth-failures:{address}")
}

/// Counts the call (one D1 statement for all its buckets) before its key is looked up.
pub async fn count<R: Runtime>(rt: &R, req: &Request, presented: &Presented, op: Op) -> Result<Count, AppError> {
    let address = req.client_address();
    let plan = plan(&address, presented, op, rt.config().api_rate_limit_factor.max(1));
    let charges: Vec<Charge> = plan.iter().map(|(_, charge)| charge.clone()).collect();
    let now = rt.now();
    let rows = rate_limits::charge(rt.db(), &charges, now).await?;
    let counted = plan
        .into_iter()
        .map(|(policy, charge)| {
            let row = rows.iter().find(|row| row.bucket == charge.bucket);
            counted(policy, row, now.millis())
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Count { counted, failures_bucket: failures_bucket(&address) })
}

fn counted(policy: Policy, row: Option<&Charged>, now: i64) -> Result<Counted, AppError> {
    let row = row.ok_or_else(|| AppError::Internal(format!("rate limit {} not returned", policy.name)))?;
    Ok(Counted { policy, limit: policy.state(row.tat, now), allowed: row.allowed })
}

impl Count {
    /// Whether a limit refused the call.
    pub fn refused(&self) -> bool {
        self.counted.iter().any(|c| !c.allowed)
    }

    /// Spends one of the address's failed authentications; its header item shows the rest.
    pub async fn failed<R: Runtime>(&mut self, rt: &R) -> Result<(), AppError> {
        let now = rt.now();
        let Some(entry) = self.counted.iter_mut().find(|c| c.policy.name == AUTH_FAILURES.name) else {
            return Ok(());
        };
        let charged = rate_limits::charge(rt.db(), &[entry.policy.spend(self.failures_bucket.clone())], now).await?;
        entry.limit = counted(entry.policy, charged.first(), now.millis())?.limit;
        Ok(())
    }

    /// `Retry-After` (RFC 9110 §10.2.3) of a refused call: the longest wait of the limits
    /// that refused it, so the retry fits them all.
    fn retry_after(&self) -> Option<i64> {
        self.counted.iter().filter(|c| !c.allowed).map(|c| c.limit.reset.unwrap_or(0).max(1)).max()
    }

    /// The answer with the header fields: `RateLimit-Policy` (the policies, stable from call
    /// to call), `RateLimit` (what each has left), and `Retry-After` when refused. Each is
    /// one Structured Fields List (RFC 9651 §3.1) with one item per policy.
    pub fn attach(&self, response: Response) -> Response {
        let policies: Vec<String> = self.counted.iter().map(|c| c.policy.policy_item()).collect();
        let limits: Vec<String> = self.counted.iter().map(|c| c.limit.item(c.policy.name)).collect();
        let response =
            response.with_header("ratelimit-policy", &policies.join(", ")).with_header("ratelimit", &limits.join(", "));
        match self.retry_after() {
            Some(seconds) => response.with_header("retry-after", &seconds.to_string()),
            None => response,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Policy = Policy { name: "p", burst: 3, interval_ms: 2_000 };

    #[test]
    fn a_full_bucket_has_its_burst_left_and_no_reset() {
        assert_eq!(P.state(0, 10_000), Limit { remaining: 3, reset: None }, "a tat in the past is full");
        assert_eq!(P.state(10_000, 10_000), Limit { remaining: 3, reset: None });
    }

    #[test]
    fn each_request_of_a_burst_takes_one_and_the_reset_is_when_the_next_comes_back() {
        // After one request at t=10 s: tat = 12 s, two left, one more in 2 s.
        assert_eq!(P.state(12_000, 10_000), Limit { remaining: 2, reset: Some(2) });
        assert_eq!(P.state(14_000, 10_000), Limit { remaining: 1, reset: Some(2) });
        assert_eq!(P.state(16_000, 10_000), Limit { remaining: 0, reset: Some(2) });
        // Half an interval later the spent request is half back: still 1 s to wait, rounded up.
        assert_eq!(P.state(16_000, 11_000), Limit { remaining: 0, reset: Some(1) });
        assert_eq!(P.state(16_000, 12_000), Limit { remaining: 1, reset: Some(2) });
        assert_eq!(P.state(16_000, 11_999), Limit { remaining: 0, reset: Some(1) }, "1 ms short is a whole second");
    }

    #[test]
    fn charges_spend_one_interval_or_only_look() {
        let spend = Charge { bucket: "b".into(), step_ms: 2_000, interval_ms: 2_000, capacity_ms: 6_000 };
        assert_eq!(P.spend("b".into()), spend);
        assert_eq!(P.look("b".into()), Charge { step_ms: 0, ..spend });
    }

    #[test]
    fn header_items_follow_draft_10() {
        assert_eq!(KEY.policy_item(), "\"key\";q=300;w=30");
        assert_eq!(AUTH_FAILURES.policy_item(), "\"auth-failures\";q=10;w=600");
        assert_eq!(Limit { remaining: 7, reset: Some(3) }.item("key"), "\"key\";r=7;t=3");
        assert_eq!(Limit { remaining: 300, reset: None }.item("key"), "\"key\";r=300");
    }

    fn count(entries: &[(Policy, i64, bool)]) -> Count {
        Count {
            counted: entries
                .iter()
                .map(|&(policy, tat, allowed)| Counted { policy, limit: policy.state(tat, 0), allowed })
                .collect(),
            failures_bucket: String::new(),
        }
    }

    #[test]
    fn a_counted_answer_lists_every_policy_and_a_refused_one_says_when_to_retry() {
        let ok = count(&[(ADDRESS, 50, true), (KEY, 100, true)]).attach(Response::empty(204));
        assert_eq!(ok.header("ratelimit-policy"), Some("\"address\";q=600;w=30, \"key\";q=300;w=30"));
        assert_eq!(ok.header("ratelimit"), Some("\"address\";r=599;t=1, \"key\";r=299;t=1"));
        assert_eq!(ok.header("retry-after"), None);

        // The key is spent (tat 30 s ahead) and a budget is 5 s short of its next request.
        let budget = DOMAIN_CHECKS;
        let refused = count(&[
            (KEY, 30_000, false),
            (budget, budget.burst * budget.interval_ms - 25_000, false),
            (ADDRESS, 50, true),
        ]);
        assert!(refused.refused());
        let refused = refused.attach(Response::empty(429));
        assert_eq!(refused.header("retry-after"), Some("5"), "the longest wait of the refusing limits");
        assert_eq!(
            refused.header("ratelimit"),
            Some("\"key\";r=0;t=1, \"domain-checks\";r=0;t=5, \"address\";r=599;t=1")
        );
    }

    #[test]
    fn a_call_is_counted_by_address_failures_caller_and_budget_and_a_wrong_token_only_by_address() {
        let hash = "ab".repeat(32);
        let key = plan("203.0.113.9", &Presented::Key { hash: hash.clone() }, Op::VerifyDomain, 1);
        let buckets: Vec<String> = key.iter().map(|(_, c)| c.bucket.clone()).collect();
        let short = &hash[..32];
        assert_eq!(
            buckets,
            [
                "address:203.0.113.9".to_owned(),
                "auth-failures:203.0.113.9".to_owned(),
                format!("key:{short}"),
                format!("domain-checks:key:{short}"),
            ]
        );
        let platform = plan("a", &Presented::Platform, Op::ListTenants, 1);
        assert_eq!(platform.iter().map(|(p, _)| p.name).collect::<Vec<_>>(), ["address", "auth-failures", "platform"]);
        let wrong = plan("a", &Presented::Wrong, Op::PutLogo, 1);
        assert_eq!(wrong.iter().map(|(p, _)| p.name).collect::<Vec<_>>(), ["address", "auth-failures"]);
    }

    #[test]
    fn a_factor_multiplies_every_burst_and_keeps_the_sustained_rate() {
        let plan = plan("a", &Presented::Key { hash: "ab".repeat(32) }, Op::PutLogo, 1000);
        let bursts: Vec<(i64, i64)> = plan.iter().map(|(p, _)| (p.burst, p.interval_ms)).collect();
        assert_eq!(bursts, [(600_000, 50), (10_000, 60_000), (300_000, 100), (60_000, 1_000)]);
        assert_eq!(plan[2].1.capacity_ms, 30_000_000);
    }

    #[test]
    fn every_window_is_a_whole_number_of_seconds() {
        // `w` must be a non-zero Integer of seconds (draft-10 §3.1.3): the advertised policy
        // must be the enforced one, not a rounding of it.
        for policy in [KEY, PLATFORM, ADDRESS, AUTH_FAILURES, DOMAIN_CHECKS, UPLOADS, INGEST] {
            assert!(policy.capacity_ms() >= 1000 && policy.capacity_ms() % 1000 == 0, "{policy:?}");
            assert!(policy.burst >= 1 && policy.interval_ms >= 1, "{policy:?}");
        }
    }
}
