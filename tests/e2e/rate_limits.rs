//! Admin API rate limits on real workerd with local D1: the counting statement (an UPSERT
//! over `json_each` with RETURNING, migration 0015) runs on D1, and its answers carry the
//! header fields. The suite shares one server and, without `cf-connecting-ip` of its own,
//! one address: the failed-authentication test uses a made-up address, which `wrangler dev`
//! passes to the worker as a client's header, so the others are not slowed.

use serde_json::json;

use super::server;

/// The `r` (left) of `policy`'s item in a `RateLimit` field, e.g. 299 in `"key";r=299;t=1`.
fn remaining(field: &str, policy: &str) -> i64 {
    let item = field
        .split(", ")
        .find(|item| item.starts_with(&format!("\"{policy}\";")))
        .unwrap_or_else(|| panic!("no {policy} in {field}"));
    let r = item.split(';').find_map(|p| p.strip_prefix("r=")).unwrap_or_else(|| panic!("no r in {item}"));
    r.parse().unwrap()
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn every_keyed_answer_carries_the_rate_limit_fields_counted_on_d1() {
    let s = server();
    let (tenant, key) = s.tenant("Counted");
    let path = format!("/api/v1/tenants/{tenant}/customers");
    let first = s.api("GET", &path, &key, None);
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(
        first.header("ratelimit-policy"),
        Some("\"address\";q=600;w=30, \"auth-failures\";q=10;w=600, \"key\";q=300;w=30")
    );
    let field = first.header("ratelimit").unwrap().to_owned();
    assert_eq!(remaining(&field, "key"), 299, "the key's first call: {field}");

    // Every answer is counted, a refusal too. (The key's bucket gains one call back every
    // 100 ms, so only the auth-failures budget, one a minute, shows exact counting: below.)
    let invalid = s.api("POST", &path, &key, Some(json!({"name": ""})));
    assert_eq!(invalid.status, 422, "{}", invalid.text());
    assert!(remaining(invalid.header("ratelimit").unwrap(), "key") < 300);
    let missing = s.api("GET", &format!("{path}/00000000-0000-4000-8000-000000000000"), &key, None);
    assert_eq!(missing.status, 404, "{}", missing.text());
    assert!(missing.header("ratelimit-policy").is_some_and(|p| p.contains("\"key\";q=300;w=30")));
    assert!(remaining(missing.header("ratelimit").unwrap(), "key") < 300);

    let operator = s.api("GET", &path, &s.token, None);
    assert_eq!(operator.status, 200);
    assert!(operator.header("ratelimit-policy").is_some_and(|p| p.ends_with("\"platform\";q=1500;w=30")));
    let anonymous = s.page("127.0.0.1", &path);
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.header("ratelimit"), None, "no token: nothing counted");
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn ten_failed_keys_from_one_address_slow_that_address_only_on_d1() {
    let s = server();
    let (tenant, key) = s.tenant("Guessed");
    let path = format!("/api/v1/tenants/{tenant}/customers");
    // A documentation address (RFC 5737) of this run's own, so a rerun on the same state
    // starts afresh.
    let guesser = format!("198.51.100.{}", std::process::id() % 250 + 1);
    let from = |address: &str| vec![("cf-connecting-ip", address.to_owned())];
    for n in 0..10 {
        let wrong = s.api_with("GET", &path, &format!("porch_wrong_{n}"), None, from(&guesser));
        assert_eq!(wrong.status, 401, "failure {n}: {}", wrong.text());
        assert_eq!(remaining(wrong.header("ratelimit").unwrap(), "auth-failures"), 9 - n);
    }
    let slowed = s.api_with("GET", &path, &key, None, from(&guesser));
    assert_eq!(slowed.status, 429, "even a right key: {}", slowed.text());
    assert_eq!(slowed.json()["error"]["code"], "rate_limited");
    assert_eq!(slowed.header("retry-after"), Some("60"), "one failure comes back a minute");
    // Another address, and the suite's own, are not slowed.
    let other = s.api_with("GET", &path, &key, None, from("203.0.113.9"));
    assert_eq!(other.status, 200, "{}", other.text());
    assert_eq!(s.api("GET", &path, &key, None).status, 200);
}
