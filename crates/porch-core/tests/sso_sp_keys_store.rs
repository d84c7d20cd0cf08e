//! The SQL of `store::sso_sp_keys` on `SQLite` with the real schema: the count guards (two keys
//! at most, never the last one retired) hold in the statements themselves, not only in the
//! handler's checks before them, and another portal's or tenant's scope never matches.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use porch_core::store::sso_sp_keys::{self, NewSpKey};
use porch_core::store::{Database, PortalScope, Statement, Value};
use porch_native::SqliteDb;
use porch_types::ids::{PortalId, SsoConnectionId, TenantId};
use porch_types::time::Timestamp;

fn run(db: &SqliteDb, sql: &'static str, params: Vec<Value>) {
    pollster::block_on(db.execute(Statement::new(sql, params))).unwrap();
}

/// A tenant with a portal, a SAML connection and a JWT connection.
fn seed(db: &SqliteDb, n: u8) -> (PortalScope, SsoConnectionId, SsoConnectionId) {
    let tenant = TenantId::from_random([n; 16]);
    let portal = PortalId::from_random([n + 1; 16]);
    let (saml, jwt) = (SsoConnectionId::from_random([n + 2; 16]), SsoConnectionId::from_random([n + 3; 16]));
    run(
        db,
        "INSERT INTO tenants (id, slug, name, created_at, updated_at) VALUES (?1, ?2, ?2, 1, 1)",
        vec![tenant.to_db().into(), format!("tenant-{n}").into()],
    );
    run(
        db,
        "INSERT INTO portals (id, tenant_id, slug, name, page_title, default_language, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'P', 'P', 'en', 1, 1)",
        vec![portal.to_db().into(), tenant.to_db().into(), format!("portal-{n}").into()],
    );
    for (id, protocol) in [(saml, "saml"), (jwt, "jwt")] {
        run(
            db,
            "INSERT INTO sso_connections (id, tenant_id, portal_id, name, protocol, settings, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'C', ?4, '{}', 1, 1)",
            vec![id.to_db().into(), tenant.to_db().into(), portal.to_db().into(), protocol.into()],
        );
    }
    (PortalScope { tenant, portal }, saml, jwt)
}

fn key(id: char) -> NewSpKey {
    NewSpKey { id: id.to_string().repeat(64), sealed_private_key: "v1.sealed".into(), certificate: "MIIB".into() }
}

fn changes(db: &SqliteDb, statement: Statement) -> u64 {
    pollster::block_on(db.batch(vec![statement])).unwrap()[0]
}

fn ids(db: &SqliteDb, scope: PortalScope, connection: SsoConnectionId) -> Vec<String> {
    pollster::block_on(sso_sp_keys::list(db, scope, connection)).unwrap().into_iter().map(|k| k.id).collect()
}

#[test]
fn a_connection_holds_two_keys_at_most_in_the_order_they_came_and_keeps_its_last_one() {
    let db = SqliteDb::in_memory_with_schema().unwrap();
    let (scope, saml, _) = seed(&db, 1);
    // Same millisecond: the order they were added in decides, not their ids.
    let now = Timestamp::from_millis(5);
    assert_eq!(changes(&db, sso_sp_keys::insert(scope, saml, &key('b'), None, now)), 1);
    assert_eq!(changes(&db, sso_sp_keys::insert(scope, saml, &key('a'), None, now)), 1);
    assert_eq!(changes(&db, sso_sp_keys::insert(scope, saml, &key('c'), None, now)), 0);
    assert_eq!(ids(&db, scope, saml), ["b".repeat(64), "a".repeat(64)]);
    assert_eq!(changes(&db, sso_sp_keys::retire(scope, saml, &"b".repeat(64))), 1);
    assert_eq!(changes(&db, sso_sp_keys::retire(scope, saml, &"a".repeat(64))), 0);
    assert_eq!(ids(&db, scope, saml), ["a".repeat(64)]);
}

#[test]
fn keys_go_only_to_saml_connections_of_the_scope_that_names_them() {
    let db = SqliteDb::in_memory_with_schema().unwrap();
    let (scope, saml, jwt) = seed(&db, 1);
    let (other, other_saml, _) = seed(&db, 10);
    let now = Timestamp::from_millis(5);
    assert_eq!(changes(&db, sso_sp_keys::insert(scope, jwt, &key('a'), None, now)), 0);
    assert_eq!(changes(&db, sso_sp_keys::insert(other, saml, &key('a'), None, now)), 0);
    assert_eq!(changes(&db, sso_sp_keys::insert(scope, saml, &key('a'), None, now)), 1);
    assert_eq!(changes(&db, sso_sp_keys::insert(scope, saml, &key('b'), None, now)), 1);
    assert!(ids(&db, other, saml).is_empty());
    assert!(pollster::block_on(sso_sp_keys::list_for_portal(&db, other)).unwrap().is_empty());
    assert_eq!(changes(&db, sso_sp_keys::retire(other, saml, &"a".repeat(64))), 0);
    assert_eq!(ids(&db, scope, saml).len(), 2);
    assert!(ids(&db, other, other_saml).is_empty());
}
