//! The GCRA statement of `store::rate_limits` on `SQLite` with the real schema: a burst, then
//! the sustained rate; a refused request changes nothing; several buckets in one statement;
//! a look that spends nothing; and the sweep of full buckets.

// clippy.toml allows these inside `#[test]` functions only; the helpers here use them too.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use porch_core::store::housekeeping;
use porch_core::store::rate_limits::{charge, Charge, Charged};
use porch_core::store::{Database, Statement};
use porch_native::SqliteDb;
use porch_types::time::Timestamp;

const T0: i64 = 1_790_000_000_000;

/// Three at once, then one every 2 s.
fn spend(bucket: &str) -> Charge {
    Charge { bucket: bucket.to_owned(), step_ms: 2_000, interval_ms: 2_000, capacity_ms: 6_000 }
}

#[derive(serde::Deserialize)]
struct Bucket {
    bucket: String,
}

fn at(db: &SqliteDb, charges: &[Charge], ms: i64) -> Vec<Charged> {
    let mut rows = pollster::block_on(charge(db, charges, Timestamp::from_millis(T0 + ms))).unwrap();
    rows.sort_by(|a, b| a.bucket.cmp(&b.bucket));
    rows
}

fn allowed(db: &SqliteDb, bucket: &str, ms: i64) -> bool {
    at(db, &[spend(bucket)], ms)[0].allowed
}

#[test]
fn a_bucket_allows_its_burst_at_once_then_one_request_per_interval() {
    let db = SqliteDb::in_memory_with_schema().unwrap();
    let burst: Vec<bool> = (0..4).map(|_| allowed(&db, "k", 0)).collect();
    assert_eq!(burst, [true, true, true, false]);
    assert!(!allowed(&db, "k", 1_999), "one interval has not passed");
    assert!(allowed(&db, "k", 2_000));
    assert!(!allowed(&db, "k", 2_000));
    // Sustained: one every 2 s goes through for ever, a second in the same interval does not.
    for second in (4..20).step_by(2) {
        assert!(allowed(&db, "k", second * 1000), "{second}");
        assert!(!allowed(&db, "k", second * 1000 + 500), "{second}");
    }
    // After a quiet spell the whole burst is back, no more.
    let later: Vec<bool> = (0..4).map(|_| allowed(&db, "k", 60_000)).collect();
    assert_eq!(later, [true, true, true, false]);
}

#[test]
fn a_refused_request_leaves_the_theoretical_arrival_time_where_it_was() {
    let db = SqliteDb::in_memory_with_schema().unwrap();
    for _ in 0..3 {
        at(&db, &[spend("k")], 0);
    }
    let refused = at(&db, &[spend("k")], 100);
    assert_eq!(refused, [Charged { bucket: "k".into(), tat: T0 + 6_000, allowed: false }]);
    // Hammering while refused does not push the recovery further away.
    for ms in (200..2_000).step_by(100) {
        assert!(!allowed(&db, "k", ms));
    }
    assert_eq!(at(&db, &[spend("k")], 2_000), [Charged { bucket: "k".into(), tat: T0 + 8_000, allowed: true }]);
}

#[test]
fn one_statement_charges_several_buckets_and_each_decides_for_itself() {
    let db = SqliteDb::in_memory_with_schema().unwrap();
    let small = Charge { bucket: "small".into(), step_ms: 10_000, interval_ms: 10_000, capacity_ms: 10_000 };
    let first = at(&db, &[spend("big"), small.clone()], 0);
    assert_eq!(
        first,
        [
            Charged { bucket: "big".into(), tat: T0 + 2_000, allowed: true },
            Charged { bucket: "small".into(), tat: T0 + 10_000, allowed: true },
        ]
    );
    let second = at(&db, &[spend("big"), small], 0);
    assert_eq!(
        second,
        [
            Charged { bucket: "big".into(), tat: T0 + 4_000, allowed: true },
            Charged { bucket: "small".into(), tat: T0 + 10_000, allowed: false },
        ]
    );
}

/// Whether one more request would fit in `bucket`, asked without spending it.
fn would_fit(db: &SqliteDb, bucket: &str, ms: i64) -> bool {
    at(db, &[Charge { step_ms: 0, ..spend(bucket) }], ms)[0].allowed
}

#[test]
fn a_look_spends_nothing_and_refuses_once_the_next_step_would_not_fit() {
    let db = SqliteDb::in_memory_with_schema().unwrap();
    assert!(would_fit(&db, "f", 0));
    assert!(would_fit(&db, "f", 0), "looking twice spent nothing");
    at(&db, &[spend("f")], 0);
    at(&db, &[spend("f")], 0);
    assert!(would_fit(&db, "f", 0), "two of three spent: one more would fit");
    at(&db, &[spend("f")], 0);
    assert!(!would_fit(&db, "f", 0), "all three spent");
    assert!(would_fit(&db, "f", 2_000), "one came back");
}

#[test]
fn a_clock_that_went_back_further_than_two_bursts_finds_the_bucket_full() {
    let db = SqliteDb::in_memory_with_schema().unwrap();
    for _ in 0..3 {
        at(&db, &[spend("k")], 0);
    }
    // Within two bursts (12 s) of tat the bucket is still spent: a little clock skew between
    // isolates gives nobody a fresh burst.
    assert!(!allowed(&db, "k", -6_000));
    // A clock months behind would otherwise lock the caller out for months.
    let burst: Vec<bool> = (0..4).map(|_| allowed(&db, "k", -100 * 86_400_000)).collect();
    assert_eq!(burst, [true, true, true, false]);
}

#[test]
fn housekeeping_removes_the_buckets_that_are_full_again() {
    let db = SqliteDb::in_memory_with_schema().unwrap();
    at(&db, &[spend("old"), spend("busy")], 0);
    at(&db, &[spend("busy")], 5_000);
    let purged = pollster::block_on(housekeeping::purge_expired(&db, Timestamp::from_millis(T0 + 5_000))).unwrap();
    assert_eq!(purged.rate_buckets, 1);
    let left: Vec<Bucket> =
        pollster::block_on(db.query(Statement::new("SELECT bucket FROM rate_buckets", Vec::new()))).unwrap();
    assert_eq!(left.into_iter().map(|b| b.bucket).collect::<Vec<_>>(), ["busy"]);
}
