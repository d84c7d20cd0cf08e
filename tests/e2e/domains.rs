//! Domain claims on real workerd with local D1: two tenants claiming one hostname at the same
//! moment both get a pending claim of their own (several pending claims per hostname; only an
//! active one is unique, by a partial index D1 must honour), the answers alike, so neither
//! learns of the other, and neither claim serves.

use serde_json::{json, Value};

use super::{server, unique};

/// A claim answer with what differs between any two claims blanked out.
fn shape(domain: &Value) -> Value {
    let mut domain = domain.clone();
    domain["created_at"] = json!("*");
    domain["portal_id"] = json!("*");
    domain["verification"]["value"] = json!("*");
    domain
}

#[test]
#[ignore = "needs wrangler dev: run scripts/test"]
fn two_tenants_claiming_one_hostname_at_once_get_alike_pending_claims_on_d1() {
    let s = server();
    let host = format!("{}.example.com", unique("contested"));
    let claimants: Vec<(String, String, String)> = ["Rival", "Owner"]
        .iter()
        .map(|label| {
            let (tenant, key) = s.tenant(label);
            let (portal, _, _) = s.portal(&tenant, &key, label);
            (tenant, key, portal)
        })
        .collect();
    let answers: Vec<(u16, Value)> = std::thread::scope(|scope| {
        let calls: Vec<_> = claimants
            .iter()
            .map(|(tenant, key, portal)| {
                let (s, host) = (&s, &host);
                scope.spawn(move || {
                    let path = format!("/api/v1/tenants/{tenant}/portals/{portal}/domains");
                    let added = s.api("POST", &path, key, Some(json!({"hostname": host})));
                    (added.status, added.json())
                })
            })
            .collect();
        calls.into_iter().map(|call| call.join().unwrap()).collect()
    });
    for (status, answer) in &answers {
        assert_eq!(*status, 201, "{answer}");
        assert_eq!(answer["domain"]["status"], "pending");
    }
    let (first, second) = (&answers[0].1["domain"], &answers[1].1["domain"]);
    assert_ne!(first["verification"]["value"], second["verification"]["value"], "a token each");
    assert_eq!(shape(first), shape(second));
    assert_eq!(s.page(&host, "/").status, 404, "a pending claim serves nothing");
}
