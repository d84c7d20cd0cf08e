//! The runtime's services over Workers bindings: D1, KV, R2 and fetch.

use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use worker::js_sys::{Array, Reflect, JSON};
use worker::wasm_bindgen_futures::JsFuture;
use worker::worker_sys::D1Database as D1DatabaseSys;
use worker::{Bucket, D1Database, D1PreparedStatement, Fetch, Headers, HttpMetadata, KvStore, RequestInit};

use porch_core::http::Method;
use porch_core::runtime::{Blob, BlobStore, HttpClient, KeyValue, OutboundRequest, OutboundResponse, ServiceError};
use porch_core::store::{Database, DbError, Statement, Value};

pub struct D1Db(pub D1Database);

fn db_error(err: &worker::Error) -> DbError {
    DbError::from_message(err.to_string())
}

/// A rejected promise's message, with its cause's (D1 puts `SQLite`'s message there).
fn js_error_text(err: &JsValue) -> String {
    let Some(err) = err.dyn_ref::<worker::js_sys::Error>() else {
        return err.as_string().unwrap_or_else(|| "unknown D1 error".into());
    };
    let message = String::from(err.message());
    match err.cause().dyn_ref::<worker::js_sys::Error>() {
        Some(cause) => format!("{message}: {}", String::from(cause.message())),
        None => message,
    }
}

impl D1Db {
    fn prepare(&self, statement: &Statement) -> Result<D1PreparedStatement, DbError> {
        // D1 numbers travel as JavaScript numbers: our integers stay below 2^53.
        #[allow(clippy::cast_precision_loss)]
        let params: Vec<JsValue> = statement
            .params
            .iter()
            .map(|p| match p {
                Value::Null => JsValue::NULL,
                Value::Int(n) => JsValue::from_f64(*n as f64),
                Value::Text(t) => JsValue::from_str(t),
            })
            .collect();
        self.0.prepare(statement.sql).bind(&params).map_err(|e| db_error(&e))
    }
}

impl Database for D1Db {
    async fn query<T: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<T>, DbError> {
        let result = self.prepare(&statement)?.all().await.map_err(|e| db_error(&e))?;
        result.results::<T>().map_err(|e| DbError::Other(format!("row shape: {e}")))
    }

    async fn read_batch(&self, statements: Vec<Statement>) -> Result<Vec<Vec<serde_json::Value>>, DbError> {
        let prepared = statements.iter().map(|s| self.prepare(s).map(|p| JsValue::from(p.inner().clone())));
        let prepared = prepared.collect::<Result<Array, _>>()?;
        let database: &D1DatabaseSys = self.0.as_ref().unchecked_ref();
        let promise = database.batch(prepared).map_err(|e| DbError::from_message(js_error_text(&e)))?;
        let results = JsFuture::from(promise).await.map_err(|e| DbError::from_message(js_error_text(&e)))?;
        // Each statement's rows cross into wasm as one JSON text, parsed here: converting them
        // value by value (serde-wasm-bindgen) costs a crossing per column of every row, which
        // was most of a year's report (365 rows) beyond its SQL.
        let results: Array =
            results.dyn_into().map_err(|_| DbError::Other("D1 batch answered something other than a list".into()))?;
        results
            .iter()
            .map(|result| {
                let rows = Reflect::get(&result, &JsValue::from_str("results")).unwrap_or(JsValue::NULL);
                if rows.is_null() || rows.is_undefined() {
                    return Ok(Vec::new());
                }
                let text =
                    JSON::stringify(&rows).map_err(|e| DbError::Other(format!("row shape: {}", js_error_text(&e))))?;
                serde_json::from_str(&String::from(text)).map_err(|e| DbError::Other(format!("row shape: {e}")))
            })
            .collect()
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<u64>, DbError> {
        let prepared = statements.iter().map(|s| self.prepare(s)).collect::<Result<Vec<_>, _>>()?;
        let results = self.0.batch(prepared).await.map_err(|e| db_error(&e))?;
        Ok(results
            .iter()
            .map(|r| {
                r.meta().ok().flatten().and_then(|m| m.changes).map_or(0, |n| u64::try_from(n).unwrap_or(u64::MAX))
            })
            .collect())
    }
}

pub struct KvCache(pub KvStore);

fn service_error(err: impl std::fmt::Display) -> ServiceError {
    ServiceError(err.to_string())
}

impl KeyValue for KvCache {
    async fn get(&self, key: &str) -> Result<Option<String>, ServiceError> {
        self.0.get(key).text().await.map_err(service_error)
    }

    async fn put(&self, key: &str, value: &str, ttl_seconds: u64) -> Result<(), ServiceError> {
        self.0
            .put(key, value)
            .map_err(service_error)?
            .expiration_ttl(ttl_seconds)
            .execute()
            .await
            .map_err(service_error)
    }

    async fn delete(&self, key: &str) -> Result<(), ServiceError> {
        self.0.delete(key).await.map_err(service_error)
    }
}

pub struct R2Blobs(pub Bucket);

impl BlobStore for R2Blobs {
    async fn put(&self, key: &str, blob: Blob) -> Result<(), ServiceError> {
        let metadata = HttpMetadata { content_type: Some(blob.content_type), ..HttpMetadata::default() };
        self.0.put(key, blob.bytes).http_metadata(metadata).execute().await.map_err(service_error).map(drop)
    }

    async fn get(&self, key: &str) -> Result<Option<Blob>, ServiceError> {
        let Some(object) = self.0.get(key).execute().await.map_err(service_error)? else {
            return Ok(None);
        };
        let content_type = object.http_metadata().content_type.unwrap_or_else(|| "application/octet-stream".into());
        let bytes = match object.body() {
            Some(body) => body.bytes().await.map_err(service_error)?,
            None => Vec::new(),
        };
        Ok(Some(Blob { bytes, content_type }))
    }

    async fn delete(&self, key: &str) -> Result<(), ServiceError> {
        self.0.delete(key).await.map_err(service_error)
    }

    async fn list(&self, prefix: &str, limit: u32) -> Result<Vec<String>, ServiceError> {
        let listed = self.0.list().prefix(prefix).limit(limit).execute().await.map_err(service_error)?;
        Ok(listed.objects().iter().map(worker::Object::key).collect())
    }
}

pub struct FetchClient;

impl HttpClient for FetchClient {
    async fn send(&self, request: OutboundRequest) -> Result<OutboundResponse, ServiceError> {
        let headers = Headers::new();
        for (name, value) in &request.headers {
            headers.set(name, value).map_err(service_error)?;
        }
        let method = match request.method {
            Method::Get => worker::Method::Get,
            Method::Head => worker::Method::Head,
            Method::Post => worker::Method::Post,
            Method::Put => worker::Method::Put,
            Method::Patch => worker::Method::Patch,
            Method::Delete => worker::Method::Delete,
            Method::Options => worker::Method::Options,
        };
        let mut init = RequestInit::new();
        init.with_method(method).with_headers(headers);
        if let Some(body) = request.body {
            init.with_body(Some(JsValue::from_str(&body)));
        }
        let outbound = worker::Request::new_with_init(&request.url, &init).map_err(service_error)?;
        let mut response = Fetch::Request(outbound).send().await.map_err(service_error)?;
        let status = response.status_code();
        let body = response.text().await.map_err(service_error)?;
        Ok(OutboundResponse { status, body })
    }
}
