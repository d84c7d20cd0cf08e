//! Custom domains as claims: several portals may claim one hostname, the first to prove
//! control with its own TXT token wins, a claim never tells of another, unverified claims
//! expire, and the platform's Cloudflare registration lives as long as any claim needs it.

use crate::common;

use common::{body_text, good_colors, spawn_app, TestApp};
use porch_core::http::Method;
use serde_json::{json, Value};

const CF_CREATE: &str = "https://api.cloudflare.com/client/v4/zones/zone1/custom_hostnames";

/// One claimant: a tenant with a key and a portal named `name`.
struct Claimant {
    key: String,
    portal: String,
    domains: String,
}

impl Claimant {
    fn new(app: &TestApp, slug: &str, name: &str) -> Claimant {
        let (tenant, key) = app.new_tenant(slug);
        let theme = app.new_theme(&key, &tenant, "Brand", &good_colors());
        let portal = app.new_portal(&key, &tenant, &json!({ "slug": slug, "name": name, "theme_id": theme }));
        let portal = format!("/api/v1/tenants/{tenant}/portals/{portal}");
        Claimant { key, domains: format!("{portal}/domains"), portal }
    }

    fn add(&self, app: &TestApp, host: &str) -> (u16, Value) {
        app.api_as(Some(&self.key), Method::Post, &self.domains, &json!({ "hostname": host }))
    }

    /// Adds a claim that must be accepted; returns its TXT value.
    fn claim(&self, app: &TestApp, host: &str) -> String {
        let (status, added) = self.add(app, host);
        assert_eq!(status, 201, "{added}");
        assert_eq!(added["domain"]["status"], "pending");
        added["domain"]["verification"]["value"].as_str().unwrap().to_owned()
    }

    fn verify(&self, app: &TestApp, host: &str) -> Value {
        let (status, body) =
            app.api_as(Some(&self.key), Method::Post, &format!("{}/{host}/verify", self.domains), &Value::Null);
        assert_eq!(status, 200, "{body}");
        body["domain"].clone()
    }

    fn remove(&self, app: &TestApp, host: &str) {
        let (status, body) =
            app.api_as(Some(&self.key), Method::Delete, &format!("{}/{host}", self.domains), &Value::Null);
        assert_eq!(status, 204, "{body}");
    }

    fn listed(&self, app: &TestApp) -> Vec<Value> {
        let (status, body) = app.api_as(Some(&self.key), Method::Get, &self.domains, &Value::Null);
        assert_eq!(status, 200, "{body}");
        body["domains"].as_array().unwrap().clone()
    }
}

pub fn doh_url(host: &str) -> String {
    format!("https://dns.test/dns-query?name=_porch-verify.{host}&type=TXT")
}

/// The resolver's answer: these TXT records at `_porch-verify.<host>`.
pub fn publish_txt(app: &TestApp, host: &str, values: &[&str]) {
    let answer: Vec<Value> = values.iter().map(|v| json!({ "type": 16, "data": format!("\"{v}\"") })).collect();
    app.rt.http.answers.borrow_mut().insert(doh_url(host), (200, json!({ "Status": 0, "Answer": answer }).to_string()));
}

fn with_cloudflare(app: &mut TestApp) {
    app.rt.config.cloudflare_api_token = Some("cf-test-token".into());
    app.rt.config.cloudflare_zone_id = Some("zone1".into());
}

fn cf_listing(host: &str) -> String {
    format!("{CF_CREATE}?hostname={host}")
}

/// Cloudflare's listing of `host`: registered as `h1`, active with its certificate, or absent.
fn cf_lists(app: &TestApp, host: &str, registered: bool) {
    let result = if registered {
        json!([{ "id": "h1", "hostname": host, "status": "active", "ssl": { "status": "active" } }])
    } else {
        json!([])
    };
    let body = json!({ "success": true, "result": result }).to_string();
    app.rt.http.answers.borrow_mut().insert(cf_listing(host), (200, body));
}

fn requests_to(app: &TestApp, method: Method, url: &str) -> usize {
    app.rt.http.requests.borrow().iter().filter(|r| r.method == method && r.url == url).count()
}

fn run_scheduled(app: &TestApp) {
    pollster::block_on(porch_core::app::scheduled::run(&app.rt));
}

#[test]
fn two_tenants_claim_one_hostname_and_the_one_with_its_txt_record_wins() {
    let app = spawn_app();
    let alpha = Claimant::new(&app, "alpha", "Alpha Portal");
    let bravo = Claimant::new(&app, "bravo", "Bravo Portal");
    let host = "support.bravo.com";
    alpha.claim(&app, host);
    let bravo_token = bravo.claim(&app, host);

    // Bravo runs the DNS: only its token is published. Alpha's check fails on its own token.
    publish_txt(&app, host, &[&bravo_token]);
    let checked = alpha.verify(&app, host);
    assert_eq!(checked["status"], "failed", "{checked}");
    assert_eq!(checked["last_error"], "a TXT record exists but does not hold the expected value");

    let won = bravo.verify(&app, host);
    assert_eq!(won["status"], "active", "{won}");
    let page = app.page(host, "/");
    assert_eq!(page.status, 200);
    assert!(body_text(&page).contains("Bravo Portal"));

    // The other claim is failed, with the reason, in the same step.
    let lost = &alpha.listed(&app)[0];
    assert_eq!(lost["status"], "failed");
    assert_eq!(lost["last_error"], "another portal proved control of this hostname first");
    // Alpha's audit log says so, as the platform's doing: nothing of Bravo's shows.
    let (_, audit) = app.api_as(Some(&alpha.key), Method::Get, "/api/v1/audit", &Value::Null);
    let entry = audit["entries"].as_array().unwrap().iter().find(|e| e["action"] == "domain.claim_lost").unwrap();
    assert_eq!((&entry["actor"], &entry["target_id"]), (&json!("platform"), &json!(host)), "{entry}");

    // Even proving control now (the DNS changed hands, say) does not unseat the active claim:
    // the verification that loses answers the failure and changes nothing else.
    let alpha_token = alpha.listed(&app)[0]["verification"]["value"].as_str().unwrap().to_owned();
    publish_txt(&app, host, &[&bravo_token, &alpha_token]);
    let late = alpha.verify(&app, host);
    assert_eq!(late["status"], "failed", "{late}");
    assert_eq!(late["last_error"], "another portal proved control of this hostname first");
    assert_eq!(bravo.listed(&app)[0]["status"], "active");
    assert!(body_text(&app.page(host, "/")).contains("Bravo Portal"));
}

#[test]
fn a_squatter_cannot_block_the_owner_of_a_hostname() {
    let app = spawn_app();
    let squatter = Claimant::new(&app, "squat", "Squatter");
    let owner = Claimant::new(&app, "owner", "Owner Portal");
    let host = "help.owner.com";
    squatter.claim(&app, host);
    // The owner adds it after the squatter: accepted, and verified with its own record.
    let token = owner.claim(&app, host);
    publish_txt(&app, host, &[&token]);
    assert_eq!(owner.verify(&app, host)["status"], "active");
    assert!(body_text(&app.page(host, "/")).contains("Owner Portal"));
    // The squatter's claim cannot take it back.
    assert_eq!(squatter.verify(&app, host)["status"], "failed");
    assert!(body_text(&app.page(host, "/")).contains("Owner Portal"));

    // A portal still cannot claim one hostname twice: that 409 tells only of its own claim.
    let (status, body) = owner.add(&app, host);
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["message"], "this portal already claims that hostname");
}

/// A claim answer with what differs between any two claims (token, times) blanked out.
fn shape(domain: &Value) -> Value {
    let mut domain = domain.clone();
    domain["hostname"] = json!("*");
    domain["verification"]["name"] = json!("*");
    domain["verification"]["value"] = json!("*");
    domain["created_at"] = json!("*");
    domain
}

#[test]
fn a_claim_answer_looks_the_same_whether_or_not_another_claim_exists() {
    let app = spawn_app();
    let other = Claimant::new(&app, "other", "Other");
    let me = Claimant::new(&app, "me", "Mine");
    other.claim(&app, "claimed.example.com");
    other.claim(&app, "held.example.com");
    let token = other.listed(&app)[1]["verification"]["value"].as_str().unwrap().to_owned();
    publish_txt(&app, "held.example.com", &[&token]);
    assert_eq!(other.verify(&app, "held.example.com")["status"], "active");

    let answers: Vec<Value> = ["free.example.com", "claimed.example.com", "held.example.com"]
        .iter()
        .map(|host| {
            let (status, added) = me.add(&app, host);
            assert_eq!(status, 201, "{host}: {added}");
            added["domain"].clone()
        })
        .collect();
    assert_eq!(shape(&answers[0]), shape(&answers[1]));
    assert_eq!(shape(&answers[0]), shape(&answers[2]));
    // The listing shows this portal's claims only, all alike.
    let listed = me.listed(&app);
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|d| shape(d) == shape(&answers[0])), "{listed:?}");
    // Verification without the record reads the same for a free and a claimed hostname.
    app.rt.http.answers.borrow_mut().insert(doh_url("free.example.com"), (200, r#"{"Status":3}"#.into()));
    app.rt.http.answers.borrow_mut().insert(doh_url("claimed.example.com"), (200, r#"{"Status":3}"#.into()));
    let free = me.verify(&app, "free.example.com");
    let claimed = me.verify(&app, "claimed.example.com");
    assert_eq!(free["last_error"], claimed["last_error"]);
    assert_eq!(free["status"], claimed["status"]);
}

#[test]
fn an_unverified_claim_expires_after_seven_days_by_the_scheduled_run() {
    let app = spawn_app();
    let tenant = Claimant::new(&app, "slow", "Slow");
    let token = tenant.claim(&app, "old.slow.com");
    app.rt.advance_seconds(6 * 24 * 60 * 60);
    tenant.claim(&app, "young.slow.com");
    app.rt.advance_seconds(24 * 60 * 60 + 1);
    run_scheduled(&app);

    let listed = tenant.listed(&app);
    assert_eq!(listed[0]["hostname"], "old.slow.com");
    assert_eq!(listed[0]["status"], "failed");
    assert_eq!(listed[0]["last_error"], "the claim expired: remove it and add it again");
    assert_eq!(listed[1]["status"], "pending", "a claim of one day is left alone");
    // The tenant's audit log says so, once, as the platform's doing.
    run_scheduled(&app);
    let (_, audit) = app.api_as(Some(&tenant.key), Method::Get, "/api/v1/audit", &Value::Null);
    let expired: Vec<&Value> =
        audit["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "domain.claim_expired").collect();
    assert_eq!(expired.len(), 1, "{audit}");
    assert_eq!((&expired[0]["actor"], &expired[0]["target_id"]), (&json!("platform"), &json!("old.slow.com")));

    // The record published late does not revive it; a new claim starts afresh.
    publish_txt(&app, "old.slow.com", &[&token]);
    let late = tenant.verify(&app, "old.slow.com");
    assert_eq!(late["status"], "failed");
    assert_eq!(late["last_error"], "the claim expired: remove it and add it again");
    assert_eq!(app.page("old.slow.com", "/").status, 404);
    tenant.remove(&app, "old.slow.com");
    let fresh = tenant.claim(&app, "old.slow.com");
    publish_txt(&app, "old.slow.com", &[&fresh]);
    assert_eq!(tenant.verify(&app, "old.slow.com")["status"], "active");
    // An active domain never expires.
    app.rt.advance_seconds(8 * 24 * 60 * 60);
    run_scheduled(&app);
    assert_eq!(tenant.listed(&app)[0]["status"], "active");
}

#[test]
fn a_failed_cloudflare_registration_is_retried_by_verify() {
    let mut app = spawn_app();
    with_cloudflare(&mut app);
    let tenant = Claimant::new(&app, "cf", "CF Portal");
    let host = "portal.cf-customer.com";
    // Cloudflare is down when the domain is added: the claim is made all the same.
    app.rt.http.answers.borrow_mut().insert(CF_CREATE.into(), (503, "{}".into()));
    let token = tenant.claim(&app, host);
    assert_eq!(requests_to(&app, Method::Post, CF_CREATE), 1);

    // At verify Cloudflare does not list it: it is registered now.
    app.rt.http.answers.borrow_mut().insert(CF_CREATE.into(), (201, "{}".into()));
    cf_lists(&app, host, false);
    let retried = tenant.verify(&app, host);
    assert_eq!(requests_to(&app, Method::Post, CF_CREATE), 2, "registered again");
    assert_eq!(retried["status"], "failed");
    assert!(retried["last_error"].as_str().unwrap().contains("registered with Cloudflare just now"), "{retried}");

    // Once listed and active, with the tenant's own TXT record, it verifies.
    cf_lists(&app, host, true);
    publish_txt(&app, host, &[&token]);
    assert_eq!(tenant.verify(&app, host)["status"], "active");
    assert_eq!(requests_to(&app, Method::Post, CF_CREATE), 2, "no registration once listed");
}

#[test]
fn host_resolution_ignores_pending_claims() {
    let mut app = spawn_app();
    let early = Claimant::new(&app, "early", "Early Portal");
    let holder = Claimant::new(&app, "holder", "Holder Portal");
    let late = Claimant::new(&app, "late", "Late Portal");
    let host = "www.holder.com";
    early.claim(&app, host);
    assert_eq!(app.page(host, "/").status, 404, "a pending claim serves nothing");
    let token = holder.claim(&app, host);
    publish_txt(&app, host, &[&token]);
    assert_eq!(holder.verify(&app, host)["status"], "active");
    // A claim made after activation does not disturb the cached or the stored answer.
    late.claim(&app, host);
    let page = app.page(host, "/");
    assert_eq!(page.status, 200);
    assert!(body_text(&page).contains("Holder Portal"));
    // And once nothing is cached, the database answers the same.
    app.rt.cache = porch_core::portal_context::PortalCache::new();
    app.rt.kv.entries.borrow_mut().clear();
    let page = app.page(host, "/");
    assert!(body_text(&page).contains("Holder Portal"));
    // Removing a pending claim leaves the active one serving.
    late.remove(&app, host);
    assert!(body_text(&app.page(host, "/")).contains("Holder Portal"));
}

#[test]
fn removing_a_losing_claim_keeps_the_winners_registration() {
    let mut app = spawn_app();
    with_cloudflare(&mut app);
    let winner = Claimant::new(&app, "win", "Winner");
    let loser = Claimant::new(&app, "lose", "Loser");
    let host = "app.winner.com";
    let release = format!("{CF_CREATE}/h1");
    app.rt.http.answers.borrow_mut().insert(release.clone(), (200, "{}".into()));
    app.rt.http.answers.borrow_mut().insert(CF_CREATE.into(), (201, "{}".into()));
    let token = winner.claim(&app, host);
    // The second registration of the same hostname is refused as a duplicate; the claim
    // goes through regardless, since the registration is there.
    app.rt.http.answers.borrow_mut().insert(CF_CREATE.into(), (409, "{}".into()));
    cf_lists(&app, host, true);
    loser.claim(&app, host);
    assert!(!app.rt.logs.borrow().iter().any(|l| l.contains("registering")), "{:?}", app.rt.logs.borrow());

    publish_txt(&app, host, &[&token]);
    assert_eq!(winner.verify(&app, host)["status"], "active");
    loser.remove(&app, host);
    assert_eq!(requests_to(&app, Method::Delete, &release), 0, "the winner still needs it");
    assert!(body_text(&app.page(host, "/")).contains("Winner"));

    // The last claim to go releases it.
    winner.remove(&app, host);
    assert_eq!(requests_to(&app, Method::Delete, &release), 1);
    assert_eq!(app.page(host, "/").status, 404);
}

#[test]
fn deleting_a_portal_keeps_the_registration_another_claim_still_needs() {
    let mut app = spawn_app();
    with_cloudflare(&mut app);
    let leaving = Claimant::new(&app, "leaving", "Leaving");
    let staying = Claimant::new(&app, "staying", "Staying");
    let host = "desk.shared-name.com";
    let release = format!("{CF_CREATE}/h1");
    app.rt.http.answers.borrow_mut().insert(release.clone(), (200, "{}".into()));
    app.rt.http.answers.borrow_mut().insert(CF_CREATE.into(), (201, "{}".into()));
    cf_lists(&app, host, true);
    leaving.claim(&app, host);
    staying.claim(&app, host);

    let (status, _) = app.api_as(Some(&leaving.key), Method::Delete, &leaving.portal, &Value::Null);
    assert_eq!(status, 204);
    assert_eq!(requests_to(&app, Method::Delete, &release), 0, "the other claim still needs it");
    staying.remove(&app, host);
    assert_eq!(requests_to(&app, Method::Delete, &release), 1);
}

#[test]
fn a_localhost_name_active_elsewhere_is_refused_and_a_second_claim_of_one_portal_too() {
    let app = spawn_app();
    let first = Claimant::new(&app, "first", "First");
    let second = Claimant::new(&app, "second", "Second");
    let (status, added) = first.add(&app, "dev.localhost");
    assert_eq!((status, &added["domain"]["status"]), (201, &json!("active")));
    let (status, body) = second.add(&app, "dev.localhost");
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["message"], "that hostname already serves a portal");
    let (status, body) = first.add(&app, "dev.localhost");
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["message"], "this portal already claims that hostname");
    assert!(second.listed(&app).is_empty(), "the refused claim left nothing");
}

/// Another request's write landing between this request's read and its own write.
fn interleave(app: &TestApp, sql: &'static str, params: Vec<porch_core::store::Value>) {
    app.rt.db.before_next_batch.borrow_mut().push(porch_core::store::Statement::new(sql, params));
}

#[test]
fn a_verify_whose_lookup_failed_does_not_undo_a_verify_that_activated_the_claim_meanwhile() {
    let app = spawn_app();
    let alpha = Claimant::new(&app, "alpha", "Alpha Portal");
    let host = "support.alpha.com";
    alpha.claim(&app, host);
    // No TXT record is found by this verify; meanwhile another verify of the same claim won.
    interleave(&app, "UPDATE domains SET status = 'active', verified_at = 1 WHERE hostname = ?1", vec![host.into()]);
    let checked = alpha.verify(&app, host);
    assert_eq!(checked["status"], "active", "{checked}");
    assert!(body_text(&app.page(host, "/")).contains("Alpha Portal"));
}

#[test]
fn a_claim_removed_while_it_was_verified_fails_no_other_claim() {
    let app = spawn_app();
    let alpha = Claimant::new(&app, "alpha", "Alpha Portal");
    let bravo = Claimant::new(&app, "bravo", "Bravo Portal");
    let host = "support.bravo.com";
    alpha.claim(&app, host);
    let bravo_token = bravo.claim(&app, host);
    publish_txt(&app, host, &[&bravo_token]);
    // Bravo's portal removes the claim while its verification is under way.
    interleave(
        &app,
        "DELETE FROM domains WHERE hostname = ?1 AND portal_id IN (SELECT id FROM portals WHERE slug = 'bravo')",
        vec![host.into()],
    );
    let (status, _) =
        app.api_as(Some(&bravo.key), Method::Post, &format!("{}/{host}/verify", bravo.domains), &Value::Null);
    assert_eq!(status, 404);
    let alpha_claim = &alpha.listed(&app)[0];
    assert_eq!(alpha_claim["status"], "pending", "{alpha_claim}");
    let (_, audit) = app.api_as(Some(&alpha.key), Method::Get, "/api/v1/audit", &Value::Null);
    assert!(audit["entries"].as_array().unwrap().iter().all(|e| e["action"] != "domain.claim_lost"), "{audit}");
}
