//! Native implementations of the runtime's services, for tests and tools on the host:
//! `SQLite` with the real `schema/` migrations, an in-memory KV and blob store, and a
//! runtime with a settable clock. Never compiled into the worker.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::Path;

use rusqlite::types::ValueRef;
use serde::de::DeserializeOwned;

use porch_core::portal_context::PortalCache;
use porch_core::runtime::{
    Blob, BlobStore, Config, EmailConfig, HttpClient, KeyValue, OutboundRequest, OutboundResponse, Runtime,
    ServiceError,
};
use porch_core::store::{Database, DbError, Statement, Value};
use porch_types::host::Hostname;
use porch_types::time::Timestamp;

pub struct SqliteDb {
    conn: rusqlite::Connection,
    /// Statements run, each on its own, just before the next `batch`: another client's write
    /// landing between a handler's read and its write, for tests of lost updates.
    pub before_next_batch: RefCell<Vec<Statement>>,
}

impl SqliteDb {
    /// A fresh in-memory database with every migration in `schema/` applied in order.
    pub fn in_memory_with_schema() -> Result<SqliteDb, DbError> {
        let conn = rusqlite::Connection::open_in_memory().map_err(|e| DbError::Other(e.to_string()))?;
        // D1 enforces foreign keys; SQLite does only when asked.
        conn.execute_batch("PRAGMA foreign_keys = ON;").map_err(|e| DbError::Other(e.to_string()))?;
        // Statements stay compiled between calls, as in workerd's SQLite (its statement cache):
        // compiling the reports' long statements costs more than running them.
        conn.set_prepared_statement_cache_capacity(256);
        // D1's own limits, lower than SQLite's defaults, so SQL that D1 would refuse fails
        // here too: 100 bound parameters per statement, 5 terms in a compound SELECT (a
        // migration with a six-way UNION ALL passed here and failed on D1).
        conn.set_limit(rusqlite::limits::Limit::SQLITE_LIMIT_VARIABLE_NUMBER, 100)
            .map_err(|e| DbError::Other(e.to_string()))?;
        conn.set_limit(rusqlite::limits::Limit::SQLITE_LIMIT_COMPOUND_SELECT, 5)
            .map_err(|e| DbError::Other(e.to_string()))?;
        let db = SqliteDb { conn, before_next_batch: RefCell::new(Vec::new()) };
        db.apply_migrations(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema"))?;
        Ok(db)
    }

    pub fn apply_migrations(&self, dir: &Path) -> Result<(), DbError> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| DbError::Other(format!("{}: {e}", dir.display())))?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
            .collect();
        files.sort();
        for file in files {
            let sql = std::fs::read_to_string(&file).map_err(|e| DbError::Other(e.to_string()))?;
            self.conn.execute_batch(&sql).map_err(|e| DbError::Other(format!("{}: {e}", file.display())))?;
        }
        Ok(())
    }

    fn bind(params: &[Value]) -> Vec<rusqlite::types::Value> {
        params
            .iter()
            .map(|p| match p {
                Value::Null => rusqlite::types::Value::Null,
                Value::Int(n) => rusqlite::types::Value::Integer(*n),
                Value::Text(t) => rusqlite::types::Value::Text(t.clone()),
            })
            .collect()
    }

    /// Runs one writing statement, compiled once per connection (`prepare_cached`).
    fn execute(conn: &rusqlite::Connection, statement: &Statement) -> Result<usize, DbError> {
        let mut prepared = conn.prepare_cached(statement.sql).map_err(|e| Self::error(&e))?;
        prepared.execute(rusqlite::params_from_iter(Self::bind(&statement.params))).map_err(|e| Self::error(&e))
    }

    fn error(err: &rusqlite::Error) -> DbError {
        DbError::from_message(err.to_string())
    }
}

impl Database for SqliteDb {
    async fn query<T: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<T>, DbError> {
        let mut prepared = self.conn.prepare_cached(statement.sql).map_err(|e| Self::error(&e))?;
        let names: Vec<String> = prepared.column_names().iter().map(|n| (*n).to_owned()).collect();
        let mut rows =
            prepared.query(rusqlite::params_from_iter(Self::bind(&statement.params))).map_err(|e| Self::error(&e))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| Self::error(&e))? {
            let mut object = serde_json::Map::new();
            for (index, name) in names.iter().enumerate() {
                let value = match row.get_ref(index).map_err(|e| Self::error(&e))? {
                    ValueRef::Null => serde_json::Value::Null,
                    ValueRef::Integer(n) => serde_json::Value::from(n),
                    ValueRef::Real(f) => serde_json::Value::from(f),
                    ValueRef::Text(t) => serde_json::Value::from(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => serde_json::Value::from(b.to_vec()),
                };
                object.insert(name.clone(), value);
            }
            out.push(
                serde_json::from_value(serde_json::Value::Object(object))
                    .map_err(|e| DbError::Other(format!("row shape: {e}")))?,
            );
        }
        Ok(out)
    }

    async fn read_batch(&self, statements: Vec<Statement>) -> Result<Vec<Vec<serde_json::Value>>, DbError> {
        let mut results = Vec::with_capacity(statements.len());
        for statement in statements {
            results.push(self.query(statement).await?);
        }
        Ok(results)
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<u64>, DbError> {
        let interleaved = self.before_next_batch.take();
        for statement in interleaved {
            Self::execute(&self.conn, &statement)?;
        }
        let tx = self.conn.unchecked_transaction().map_err(|e| Self::error(&e))?;
        let mut changed = Vec::with_capacity(statements.len());
        for statement in &statements {
            let n = Self::execute(&tx, statement)?;
            changed.push(u64::try_from(n).unwrap_or(u64::MAX));
        }
        tx.commit().map_err(|e| Self::error(&e))?;
        Ok(changed)
    }
}

/// KV in memory. TTLs are not enforced: entries are rewritten on change anyway.
#[derive(Default)]
pub struct MemoryKv {
    pub entries: RefCell<HashMap<String, String>>,
}

impl KeyValue for MemoryKv {
    async fn get(&self, key: &str) -> Result<Option<String>, ServiceError> {
        Ok(self.entries.borrow().get(key).cloned())
    }
    async fn put(&self, key: &str, value: &str, _ttl_seconds: u64) -> Result<(), ServiceError> {
        self.entries.borrow_mut().insert(key.to_owned(), value.to_owned());
        Ok(())
    }
    async fn delete(&self, key: &str) -> Result<(), ServiceError> {
        self.entries.borrow_mut().remove(key);
        Ok(())
    }
}

#[derive(Default)]
pub struct MemoryBlobs {
    pub objects: RefCell<HashMap<String, Blob>>,
}

impl BlobStore for MemoryBlobs {
    async fn put(&self, key: &str, blob: Blob) -> Result<(), ServiceError> {
        self.objects.borrow_mut().insert(key.to_owned(), blob);
        Ok(())
    }
    async fn get(&self, key: &str) -> Result<Option<Blob>, ServiceError> {
        Ok(self.objects.borrow().get(key).cloned())
    }
    async fn delete(&self, key: &str) -> Result<(), ServiceError> {
        self.objects.borrow_mut().remove(key);
        Ok(())
    }
    async fn list(&self, prefix: &str, limit: u32) -> Result<Vec<String>, ServiceError> {
        let mut keys: Vec<String> = self.objects.borrow().keys().filter(|k| k.starts_with(prefix)).cloned().collect();
        keys.sort();
        keys.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(keys)
    }
}

/// Outbound HTTP for tests: no network here, so answers come from a table keyed by URL
/// (standing in for a DNS resolver or the Cloudflare API); unknown URLs fail like a network error.
#[derive(Default)]
pub struct CannedHttp {
    pub answers: RefCell<HashMap<String, (u16, String)>>,
    pub requests: RefCell<Vec<OutboundRequest>>,
}

impl HttpClient for CannedHttp {
    async fn send(&self, request: OutboundRequest) -> Result<OutboundResponse, ServiceError> {
        let answer = self.answers.borrow().get(&request.url).cloned();
        let url = request.url.clone();
        self.requests.borrow_mut().push(request);
        answer
            .map(|(status, body)| OutboundResponse { status, body })
            .ok_or_else(|| ServiceError(format!("no route to {url}")))
    }
}

/// A runtime on the host: `SQLite`, memory KV and blobs, canned HTTP, a clock the test moves,
/// and randomness from the operating system.
pub struct NativeRuntime {
    pub db: SqliteDb,
    pub kv: MemoryKv,
    pub blobs: MemoryBlobs,
    pub http: CannedHttp,
    pub config: Config,
    pub cache: PortalCache,
    pub clock: Cell<i64>,
    pub logs: RefCell<Vec<String>>,
}

impl NativeRuntime {
    pub fn new(platform_admin_token: &str) -> Result<NativeRuntime, DbError> {
        Ok(NativeRuntime {
            db: SqliteDb::in_memory_with_schema()?,
            kv: MemoryKv::default(),
            blobs: MemoryBlobs::default(),
            http: CannedHttp::default(),
            config: Config {
                portal_base_domain: Hostname::parse("portals.localhost").map_err(|e| DbError::Other(e.to_string()))?,
                console_host: Hostname::parse("console.localhost").map_err(|e| DbError::Other(e.to_string()))?,
                platform_admin_token: Some(platform_admin_token.to_owned()),
                doh_url: "https://dns.test/dns-query".to_owned(),
                cloudflare_api_token: None,
                cloudflare_zone_id: None,
                // No provider and no dev mailbox, as in a fresh deployment; tests that need
                // them set `config.email` / `config.dev_mailbox` on the runtime.
                email: EmailConfig::default(),
                dev_mailbox: false,
                // A fixed test key: sealed secrets in tests open with it and nothing else.
                sso_sealing_key: Some(porch_sso::seal::SealingKey::from_bytes([7; 32])),
                sso_loopback_http: false,
                api_rate_limit_factor: 1,
            },
            cache: PortalCache::new(),
            clock: Cell::new(1_790_000_000_000),
            logs: RefCell::new(Vec::new()),
        })
    }

    pub fn advance_seconds(&self, seconds: i64) {
        self.clock.set(self.clock.get() + seconds * 1000);
    }
}

impl Runtime for NativeRuntime {
    type Db = SqliteDb;
    type Kv = MemoryKv;
    type Blobs = MemoryBlobs;
    type Http = CannedHttp;

    fn db(&self) -> &SqliteDb {
        &self.db
    }
    fn kv(&self) -> &MemoryKv {
        &self.kv
    }
    fn blobs(&self) -> &MemoryBlobs {
        &self.blobs
    }
    fn http(&self) -> &CannedHttp {
        &self.http
    }
    fn config(&self) -> &Config {
        &self.config
    }
    fn portal_cache(&self) -> &PortalCache {
        &self.cache
    }
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(self.clock.get())
    }
    // This is the runtime the ban points to: the one place the host's randomness enters.
    #[allow(clippy::disallowed_methods)]
    fn fill_random(&self, buf: &mut [u8]) -> Result<(), ServiceError> {
        getrandom::getrandom(buf).map_err(|e| ServiceError(e.to_string()))
    }
    fn log(&self, line: &str) {
        self.logs.borrow_mut().push(line.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// The migrations after `first` up to and including `last` (file name prefixes, "0006").
    fn migrate(conn: &rusqlite::Connection, first: &str, last: &str) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema");
        let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let number = name.get(..4).unwrap_or("");
            if number > first && number <= last && file.extension().is_some_and(|ext| ext == "sql") {
                conn.execute_batch(&std::fs::read_to_string(&file).unwrap()).unwrap();
            }
        }
    }

    #[test]
    fn a_statement_with_fewer_values_than_positions_is_refused_not_read_with_null() {
        // store::equipment's named positions rely on it: a forgotten bind must fail loudly.
        let db = SqliteDb::in_memory_with_schema().unwrap();
        let short = Statement::new("SELECT ?1 AS a, ?2 AS b", vec![Value::Int(1)]);
        let read: Result<Vec<serde_json::Value>, DbError> = pollster::block_on(db.query(short));
        assert!(read.is_err(), "{read:?}");
    }

    #[test]
    fn migration_0007_gives_existing_tenants_every_app_and_existing_portals_what_they_offered() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA foreign_keys = ON;").unwrap();
        migrate(&conn, "", "0006");
        conn.execute_batch(
            "INSERT INTO tenants (id, slug, name, created_at, updated_at) VALUES ('t1', 'old', 'Old', 0, 0);
             INSERT INTO portals (id, tenant_id, slug, name, page_title, default_language, created_at, updated_at)
             VALUES ('p1', 't1', 'old', 'Old', 'Old', 'en', 0, 0);",
        )
        .unwrap();
        migrate(&conn, "0006", "0007");
        let count = |sql: &str| conn.query_row(sql, [], |row| row.get::<_, i64>(0)).unwrap();
        assert_eq!(count("SELECT COUNT(*) FROM tenant_plan_apps WHERE tenant_id = 't1'"), 6);
        assert_eq!(
            count("SELECT COUNT(*) FROM portal_apps WHERE portal_id = 'p1' AND app IN ('tickets', 'support_form')"),
            2
        );
        assert_eq!(count("SELECT COUNT(*) FROM portal_apps"), 2);
        let refused = conn.execute("INSERT INTO tenant_plan_apps (tenant_id, app) VALUES ('t1', 'billing')", []);
        assert!(refused.is_err(), "the CHECK keeps the catalogue");
    }
}
