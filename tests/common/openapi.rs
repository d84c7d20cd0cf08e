//! Every API answer the tests get is held to the `OpenAPI` document: the operation is found by
//! method and path among the document's templated paths, its response for the status (or the
//! `4XX`-style range, or `default`) must be documented, and the body must match its schema
//! (JSON Schema 2020-12, formats checked, `$ref`s into the document's components).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use jsonschema::{Draft, Validator};
use porch_core::app::api::OPENAPI;
use porch_core::http::Method;
use serde_json::{json, Value};

/// The document, and a validator per response schema (by JSON pointer) once built.
struct Document {
    doc: Value,
    validators: Mutex<HashMap<String, Arc<Validator>>>,
}

fn document() -> &'static Document {
    static DOCUMENT: OnceLock<Document> = OnceLock::new();
    DOCUMENT.get_or_init(|| Document {
        doc: serde_json::from_str(OPENAPI).unwrap(),
        validators: Mutex::new(HashMap::new()),
    })
}

/// Fails the calling test if `body` (Null: no body) with `status` is not what the document says
/// the operation `method path` answers.
pub fn check(method: Method, path: &str, status: u16, body: &Value) {
    if let Err(problem) = conformance(method, path, status, body) {
        panic!("openapi.json disagrees with the answer to {} {path}: {problem}\nbody: {body}", method.as_str());
    }
}

/// Why the answer `status`, `body` to `method path` is not what the document says, if it is not.
pub fn conformance(method: Method, path: &str, status: u16, body: &Value) -> Result<(), String> {
    let document = document();
    let doc = &document.doc;
    let path = path.split('?').next().unwrap_or_default();
    let template = template_of(doc, path).ok_or("no documented path matches")?;
    let verb = method.as_str().to_ascii_lowercase();
    let operation = &doc["paths"][template][&verb];
    let name = format!("{} ({} {template})", operation["operationId"].as_str().unwrap_or("?"), method.as_str());
    if operation.is_null() {
        return Err(format!("{name} is not documented"));
    }
    let (key, response) = response_for(&operation["responses"], status)
        .ok_or_else(|| format!("{name} does not document status {status}"))?;
    let response = resolve(doc, response);
    let Some(media) = response.get("content").and_then(|content| content.get("application/json")) else {
        return if body.is_null() {
            Ok(())
        } else {
            Err(format!("{name} {status}: documented without a body, but one came"))
        };
    };
    if body.is_null() {
        return Err(format!("{name} {status}: documented with a JSON body, but none came"));
    }
    let pointer = format!("/paths/{}/{verb}/responses/{key}", escape(template));
    let validator = document.validator(&pointer, &media["schema"])?;
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|error| format!("  at {:?}: {error}", error.instance_path().as_str()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{name} {status}: the body does not match the schema:\n{}", errors.join("\n")))
    }
}

impl Document {
    /// The validator of the response schema `schema` found at `pointer`, built once: the
    /// schema beside the document's components, so that its `$ref`s resolve.
    fn validator(&self, pointer: &str, schema: &Value) -> Result<Arc<Validator>, String> {
        let mut validators = self.validators.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(validator) = validators.get(pointer) {
            return Ok(Arc::clone(validator));
        }
        let root = json!({ "components": self.doc["components"], "allOf": [schema] });
        let validator = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .map_err(|error| format!("the schema at {pointer} does not compile: {error}"))?;
        let validator = Arc::new(validator);
        validators.insert(pointer.to_owned(), Arc::clone(&validator));
        Ok(validator)
    }
}

/// The documented path template that `path` is an instance of; where several are, the one with
/// the most literal segments (`/portals/search` before `/portals/{portal_id}`).
fn template_of<'a>(doc: &'a Value, path: &str) -> Option<&'a str> {
    let segments: Vec<&str> = path.split('/').collect();
    doc["paths"]
        .as_object()?
        .keys()
        .filter_map(|template| {
            let parts: Vec<&str> = template.split('/').collect();
            let matches = parts.len() == segments.len()
                && parts
                    .iter()
                    .zip(&segments)
                    .all(|(part, segment)| (is_parameter(part) && !segment.is_empty()) || part == segment);
            matches.then(|| (parts.iter().filter(|part| !is_parameter(part)).count(), template.as_str()))
        })
        .max_by_key(|(literals, _)| *literals)
        .map(|(_, template)| template)
}

fn is_parameter(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// The response object (and its key) for `status`: the exact code, else its range (`4XX`),
/// else `default`.
fn response_for(responses: &Value, status: u16) -> Option<(String, &Value)> {
    let exact = status.to_string();
    let range = format!("{}XX", status / 100);
    [exact, range, "default".to_owned()].into_iter().find_map(|key| responses.get(&key).map(|response| (key, response)))
}

/// Follows a `#/components/...` reference (if `value` is one) to what it names.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    value
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|reference| reference.strip_prefix('#'))
        .and_then(|pointer| doc.pointer(pointer))
        .unwrap_or(value)
}

/// A path template as one JSON pointer token (`/` is `~1`, `~` is `~0`).
fn escape(template: &str) -> String {
    template.replace('~', "~0").replace('/', "~1")
}
