//! Optimistic concurrency for the admin API and the console: a resource's row version shown as its `ETag`,
//! `If-Match` (RFC 9110 §13.1.1) parsed and honoured, and the loop that writes a change only
//! over the version it was computed from.
//!
//! Every guarded write carries `AND version = ?` in its own statement, so the check and the
//! write are atomic (D1 has no interactive transactions). A write that changed no row lost a
//! race: with `If-Match` the next read finds the new version and refuses with 412; without it
//! the change is computed again over the row as it now is, so a PATCH only ever changes the
//! fields it names and never undoes a change it did not see.

use crate::http::{Request, Response};
use porch_types::error::{entity_tag, AppError};

/// What the client's `If-Match` header asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Precondition {
    /// No header: the write goes ahead over whatever version is current.
    None,
    /// `*`: any current version, as long as the resource exists.
    Any,
    /// The strong entity tags listed (weak ones never match: If-Match compares strongly).
    Tags(Vec<String>),
}

impl Precondition {
    /// The request's precondition; 400 when the header is not `*` or a list of entity tags.
    pub fn of(req: &Request) -> Result<Precondition, AppError> {
        req.header("if-match").map_or(Ok(Precondition::None), |raw| {
            parse_if_match(raw).ok_or_else(|| {
                AppError::BadRequest(
                    "If-Match must be * or a comma-separated list of entity tags such as \"7\" (RFC 9110 §13.1.1)"
                        .into(),
                )
            })
        })
    }

    /// The version a write may replace: `current`, when the precondition allows it; else 412
    /// with the current version.
    pub fn allow(&self, current: i64) -> Result<i64, AppError> {
        let allowed = match self {
            Precondition::None | Precondition::Any => true,
            Precondition::Tags(tags) => tags.contains(&entity_tag(current)),
        };
        if allowed {
            Ok(current)
        } else {
            Err(AppError::PreconditionFailed(Some(current)))
        }
    }
}

impl Precondition {
    /// A write that would create the resource: refused (412) by any `If-Match`, since there
    /// is no current representation to match (RFC 9110 §13.1.1, `*` included).
    pub fn allow_absent(&self) -> Result<(), AppError> {
        match self {
            Precondition::None => Ok(()),
            Precondition::Any | Precondition::Tags(_) => Err(AppError::PreconditionFailed(None)),
        }
    }
}

/// Parses `"*" / #entity-tag` (RFC 9110 §13.1.1, §8.8.3). Empty list elements are skipped as
/// §5.6.1.2 asks; a header that names no tag at all is refused rather than read as a list
/// that matches nothing, since it can only be a client's mistake.
fn parse_if_match(raw: &str) -> Option<Precondition> {
    let value = raw.trim_matches([' ', '\t']);
    if value == "*" {
        return Some(Precondition::Any);
    }
    let mut tags = Vec::new();
    let mut rest = value;
    let mut named = false;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            break;
        }
        let (weak, quoted) = match rest.strip_prefix("W/") {
            Some(after) => (true, after),
            None => (false, rest),
        };
        let opaque = quoted.strip_prefix('"')?;
        let end = opaque.find('"')?;
        let (tag, after) = opaque.split_at(end);
        // etagc = %x21 / %x23-7E / obs-text: no spaces, controls or quotes inside.
        if !tag.chars().all(|c| c == '\x21' || ('\x23'..='\x7e').contains(&c) || !c.is_ascii()) {
            return None;
        }
        if !weak {
            tags.push(format!("\"{tag}\""));
        }
        named = true;
        rest = after.get(1..).unwrap_or_default().trim_start_matches([' ', '\t']);
        if !rest.is_empty() && !rest.starts_with(',') {
            return None;
        }
    }
    named.then_some(Precondition::Tags(tags))
}

/// How often a write without `If-Match` is computed again after another write changed the
/// row between its read and its own write, before the client is asked to send it again.
const ATTEMPTS: usize = 3;

/// Runs `attempt` (read the row, check `pre.allow(row.version)`, compute and write guarded by
/// that version) until it writes: `Ok(None)` means its guarded write found the version moved
/// on. A 412 becomes the answer with the current version as its `ETag`.
pub async fn write(attempt: impl AsyncFnMut() -> Result<Option<Response>, AppError>) -> Result<Response, AppError> {
    answer(retry(attempt).await)
}

/// Up to `ATTEMPTS` runs of `attempt`, until one writes.
pub async fn retry<T>(mut attempt: impl AsyncFnMut() -> Result<Option<T>, AppError>) -> Result<T, AppError> {
    for _ in 0..ATTEMPTS {
        if let Some(done) = attempt().await? {
            return Ok(done);
        }
    }
    Err(AppError::Conflict("the resource kept changing while this change was written; send it again".into()))
}

/// The API's answer to a refused precondition: 412 with the current `ETag` in the header and
/// the body, so the client can read again and retry; other results as they are.
pub fn answer(result: Result<Response, AppError>) -> Result<Response, AppError> {
    match result {
        Err(err @ AppError::PreconditionFailed(version)) => {
            let response = Response::json(err.status(), &err.to_json());
            Ok(version.map_or(response.clone(), |v| response.with_header("etag", &entity_tag(v))))
        }
        other => other,
    }
}

/// `response` with the resource's version as its `ETag`.
pub fn tagged(response: Response, version: i64) -> Response {
    response.with_header("etag", &entity_tag(version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Method;

    fn parse(raw: &str) -> Option<Precondition> {
        parse_if_match(raw)
    }

    fn tags(list: &[&str]) -> Precondition {
        Precondition::Tags(list.iter().map(|t| (*t).to_owned()).collect())
    }

    #[test]
    fn a_star_matches_any_version() {
        assert_eq!(parse("*"), Some(Precondition::Any));
        assert_eq!(parse(" * "), Some(Precondition::Any));
        assert_eq!(Precondition::Any.allow(9), Ok(9));
    }

    #[test]
    fn a_list_of_tags_is_read_with_its_spaces_and_empty_elements() {
        assert_eq!(parse("\"7\""), Some(tags(&["\"7\""])));
        assert_eq!(parse("\"7\", \"8\""), Some(tags(&["\"7\"", "\"8\""])));
        assert_eq!(parse(" , \"7\" ,, \"8\" ,"), Some(tags(&["\"7\"", "\"8\""])));
        assert_eq!(parse("\"\""), Some(tags(&["\"\""])), "an empty opaque tag is a tag");
    }

    #[test]
    fn a_weak_tag_is_valid_but_never_matches() {
        let weak = parse("W/\"7\"");
        assert_eq!(weak, Some(tags(&[])));
        assert_eq!(weak.map(|p| p.allow(7)), Some(Err(AppError::PreconditionFailed(Some(7)))));
    }

    #[test]
    fn only_the_current_tag_compared_strongly_allows_the_write() {
        let listed = parse("\"6\", \"7\"").unwrap_or(Precondition::None);
        assert_eq!(listed.allow(7), Ok(7));
        assert_eq!(listed.allow(8), Err(AppError::PreconditionFailed(Some(8))));
        let padded = parse("\"07\"").unwrap_or(Precondition::None);
        assert_eq!(padded.allow(7), Err(AppError::PreconditionFailed(Some(7))), "tags compare as strings");
        assert_eq!(parse("\"abc\"").map(|p| p.allow(1)), Some(Err(AppError::PreconditionFailed(Some(1)))));
    }

    #[test]
    fn malformed_headers_are_refused() {
        for raw in ["", " ", ",", "7", "\"7", "\"7\" \"8\"", "\"7\"x", "W/7", "w/\"7\"", "**", "*, \"7\"", "\"a b\""] {
            assert_eq!(parse(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn a_request_without_the_header_has_no_precondition_and_a_bad_one_is_a_400() {
        let plain = Request::new(Method::Patch, "/x");
        assert_eq!(Precondition::of(&plain), Ok(Precondition::None));
        let bad = Request::new(Method::Patch, "/x").with_header("if-match", "7");
        assert_eq!(Precondition::of(&bad).map_err(|e| e.status()), Err(400));
    }

    #[test]
    fn a_refused_precondition_answers_412_with_the_current_etag() {
        let response = answer(Err(AppError::PreconditionFailed(Some(4)))).unwrap_or_else(|_| Response::empty(500));
        assert_eq!(response.status, 412);
        assert_eq!(response.header("etag"), Some("\"4\""));
    }
}
