//! The `OpenAPI` document served at `/api/v1/openapi.json` is held to the route table: every
//! route documented, nothing documented that is not a route, and the document well-formed; and
//! the check that holds every answer the tests get to it (`common::openapi`) catches what it
//! should.

// A panic in a test is a failed test; the helpers below are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use crate::common;

use std::collections::BTreeSet;

use common::openapi::conformance;
use porch_core::app::api::{Op, OPENAPI, ROUTES};
use porch_core::http::Method;
use serde_json::{json, Value};

/// The HTTP methods an `OpenAPI` path item may hold operations under.
const OPERATION_KEYS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

fn document() -> Value {
    serde_json::from_str(OPENAPI).unwrap()
}

fn paths(doc: &Value) -> &serde_json::Map<String, Value> {
    doc["paths"].as_object().unwrap()
}

/// (METHOD, path template, operation) of every route.
fn operations() -> Vec<(String, &'static str, Op)> {
    ROUTES
        .iter()
        .flat_map(|route| route.methods.iter().map(|method| (method.as_str().to_owned(), route.path, route.handler)))
        .collect()
}

/// (METHOD, path template) of every route.
fn routes() -> BTreeSet<(String, String)> {
    operations().into_iter().map(|(method, path, _)| (method, path.to_owned())).collect()
}

/// (METHOD, path template) of every documented operation.
fn documented() -> BTreeSet<(String, String)> {
    let doc = document();
    let mut found = BTreeSet::new();
    for (path, item) in paths(&doc) {
        for key in item.as_object().unwrap().keys() {
            if OPERATION_KEYS.contains(&key.as_str()) {
                found.insert((key.to_ascii_uppercase(), path.clone()));
            }
        }
    }
    found
}

/// `CreateTenant` → `createTenant`.
fn lower_camel(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map(|first| first.to_ascii_lowercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// The operationId of an `Op` variant: its name in lowerCamelCase, except `OpenApi`, whose
/// bare name would read as a verb; it is `getOpenApi`.
fn operation_id(variant: &str) -> String {
    match variant {
        "OpenApi" => "getOpenApi".to_owned(),
        other => lower_camel(other),
    }
}

/// Follows a local `$ref` (if the value is one) to the node it names.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.strip_prefix('#').unwrap();
            doc.pointer(pointer).unwrap_or_else(|| panic!("{reference} does not resolve"))
        }
        None => value,
    }
}

/// Every `$ref` string anywhere in `value`.
fn collect_refs<'a>(value: &'a Value, refs: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(reference)) => refs.push(reference),
                    _ => collect_refs(child, refs),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, refs)),
        _ => {}
    }
}

fn listing(set: &BTreeSet<&(String, String)>) -> String {
    set.iter().map(|(method, path)| format!("  {method} {path}")).collect::<Vec<_>>().join("\n")
}

#[test]
fn every_route_is_described_in_the_openapi_document() {
    let documented = documented();
    let routes = routes();
    let missing: BTreeSet<_> = routes.difference(&documented).collect();
    assert!(missing.is_empty(), "routes missing from openapi.json:\n{}", listing(&missing));
    assert_eq!(routes.len(), operations().len(), "ROUTES lists a (method, path) twice");
}

#[test]
fn every_documented_operation_is_a_route() {
    let routes = routes();
    let documented = documented();
    let extra: BTreeSet<_> = documented.difference(&routes).collect();
    assert!(extra.is_empty(), "openapi.json documents operations that are not in ROUTES:\n{}", listing(&extra));
}

#[test]
fn operation_ids_are_unique_and_named_after_the_routes() {
    let doc = document();
    let mut seen = BTreeSet::new();
    let mut problems = Vec::new();
    for (method, path, op) in operations() {
        let expected = operation_id(&format!("{op:?}"));
        let operation = &doc["paths"][path][method.to_ascii_lowercase()];
        match operation["operationId"].as_str() {
            Some(id) if id == expected => {}
            Some(id) => problems.push(format!("{method} {path}: operationId {id:?}, expected {expected:?}")),
            None => problems.push(format!("{method} {path}: no operationId (expected {expected:?})")),
        }
    }
    for (path, item) in paths(&doc) {
        for (key, operation) in item.as_object().unwrap() {
            if !OPERATION_KEYS.contains(&key.as_str()) {
                continue;
            }
            if let Some(id) = operation["operationId"].as_str() {
                if !seen.insert(id.to_owned()) {
                    problems.push(format!("{} {path}: operationId {id:?} is used twice", key.to_ascii_uppercase()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "operationId problems:\n  {}", problems.join("\n  "));
}

#[test]
fn the_document_is_openapi_3_1_and_every_reference_resolves() {
    let doc = document();
    let version = doc["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3.1"), "openapi is {version:?}, expected 3.1.x");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string(), "info needs a title and a version");

    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(!refs.is_empty(), "the document uses no $ref at all; the check below would prove nothing");
    let broken: Vec<&str> = refs
        .into_iter()
        .filter(|reference| {
            reference
                .strip_prefix('#')
                .filter(|pointer| pointer.starts_with("/components/"))
                .and_then(|pointer| doc.pointer(pointer))
                .is_none()
        })
        .collect();
    assert!(broken.is_empty(), "$refs that are not #/components/... or point at nothing: {broken:?}");
}

#[test]
fn every_path_parameter_is_declared() {
    let doc = document();
    let mut problems = Vec::new();
    for (path, item) in paths(&doc) {
        let in_template: BTreeSet<&str> =
            path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).collect();
        let shared = item.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
        for (key, operation) in item.as_object().unwrap() {
            if !OPERATION_KEYS.contains(&key.as_str()) {
                continue;
            }
            let own = operation.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
            let declared: Vec<&Value> =
                shared.iter().chain(own.iter()).map(|p| resolve(&doc, p)).filter(|p| p["in"] == "path").collect();
            let label = format!("{} {path}", key.to_ascii_uppercase());
            for name in &in_template {
                match declared.iter().find(|p| p["name"] == *name) {
                    None => problems.push(format!("{label}: {{{name}}} is not declared")),
                    Some(p) if p["required"] != true => {
                        problems.push(format!("{label}: {{{name}}} is not required: true"));
                    }
                    Some(_) => {}
                }
            }
            for p in &declared {
                let name = p["name"].as_str().unwrap_or_default();
                if !in_template.contains(name) {
                    problems.push(format!("{label}: declares path parameter {name:?} that the template does not have"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "path parameter problems:\n  {}", problems.join("\n  "));
}

/// Every schema `type` (in components and inline in paths): a JSON Schema simple type, or a
/// list of them. A stray edit once turned `"array"` into a sentence.
fn bad_types(value: &Value, path: &str, bad: &mut Vec<String>) {
    const SIMPLE: &[&str] = &["array", "boolean", "integer", "null", "number", "object", "string"];
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let here = format!("{path}/{key}");
                // `properties` maps field names to schemas: a field may itself be called "type".
                let is_schema_type = key == "type" && !path.ends_with("/properties");
                match child {
                    Value::String(kind) if is_schema_type && !SIMPLE.contains(&kind.as_str()) => bad.push(here),
                    Value::Array(kinds) if is_schema_type => {
                        if !kinds.iter().all(|k| k.as_str().is_some_and(|k| SIMPLE.contains(&k))) {
                            bad.push(here);
                        }
                    }
                    _ => bad_types(child, &here, bad),
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                bad_types(item, &format!("{path}/{index}"), bad);
            }
        }
        _ => {}
    }
}

#[test]
fn every_schema_type_is_a_json_schema_type() {
    let doc = document();
    let mut bad = Vec::new();
    // Security schemes have `type`s of their own (`http`): not schemas.
    for part in ["schemas", "parameters", "responses", "requestBodies"] {
        bad_types(&doc["components"][part], &format!("#/components/{part}"), &mut bad);
    }
    bad_types(&doc["paths"], "#/paths", &mut bad);
    assert!(bad.is_empty(), "types that are not JSON Schema types: {bad:?}");
}

#[test]
fn an_answer_with_a_status_the_operation_does_not_document_is_refused_by_name() {
    let problem = conformance(Method::Delete, "/api/v1/tenants/t1/portals/p1", 409, &Value::Null).unwrap_err();
    assert!(problem.contains("deletePortal (DELETE /api/v1/tenants/{tenant_id}/portals/{portal_id})"), "{problem}");
    assert!(problem.contains("does not document status 409"), "{problem}");
}

#[test]
fn a_body_that_breaks_the_schema_is_refused_with_each_error() {
    let error = json!({ "error": { "code": "not_found", "message": "no", "fields": [] } });
    conformance(Method::Get, "/api/v1/tenants/t1/portals/p1", 404, &error).unwrap();
    let renamed = json!({ "error": { "kode": "not_found", "message": "no", "fields": [] } });
    let problem = conformance(Method::Get, "/api/v1/tenants/t1/portals/p1?x=1", 404, &renamed).unwrap_err();
    assert!(problem.contains("getPortal (GET /api/v1/tenants/{tenant_id}/portals/{portal_id}) 404"), "{problem}");
    assert!(problem.contains("\"code\" is a required property"), "{problem}");
    assert!(problem.contains("'kode' was unexpected"), "{problem}");
}

#[test]
fn a_body_or_its_absence_must_be_what_the_status_documents() {
    let problem = conformance(Method::Delete, "/api/v1/tenants/t1/portals/p1", 204, &json!({})).unwrap_err();
    assert!(problem.contains("documented without a body"), "{problem}");
    let problem = conformance(Method::Get, "/api/v1/tenants/t1/portals/p1", 200, &Value::Null).unwrap_err();
    assert!(problem.contains("documented with a JSON body, but none came"), "{problem}");
}

#[test]
fn a_path_no_template_matches_is_refused() {
    let problem = conformance(Method::Get, "/api/v1/nowhere", 404, &Value::Null).unwrap_err();
    assert!(problem.contains("no documented path matches"), "{problem}");
}

/// A JSON value read with every object's keys checked for repeats: `serde_json::Value` keeps
/// the last of two equal keys silently, which is how a merge once left two `components/headers`
/// objects and hid the first one's `ETag`.
struct NoRepeatedKeys;

impl<'de> serde::de::DeserializeSeed<'de> for NoRepeatedKeys {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for NoRepeatedKeys {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(NoRepeatedKeys)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!("the key {key:?} is given twice in one object")));
            }
            map.next_value_seed(NoRepeatedKeys)?;
        }
        Ok(())
    }
}

#[test]
fn no_object_in_the_document_gives_a_key_twice() {
    use serde::de::DeserializeSeed as _;
    let mut reader = serde_json::Deserializer::from_str(OPENAPI);
    NoRepeatedKeys.deserialize(&mut reader).unwrap();
    let mut twice = serde_json::Deserializer::from_str(r#"{"a": {"b": 1}, "c": [{"d": 1, "d": 2}]}"#);
    assert!(NoRepeatedKeys.deserialize(&mut twice).is_err(), "a repeated key is found at any depth");
}
