//! The one error type of the app: each variant maps to a status and a public message;
//! internal details are kept for the log and never reach a client.

use serde::Serialize;

/// One rejected input field, as shown to API clients.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl std::fmt::Display) -> FieldError {
        FieldError { field: field.to_owned(), message: message.to_string() }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("a valid API key is required")]
    Unauthorized,
    #[error("this key may not do that")]
    Forbidden,
    /// A portal form without its CSRF token, or posted from another site.
    #[error("the form has expired; reload the page and try again")]
    FormExpired,
    #[error("{0}")]
    BadRequest(String),
    #[error("some fields are invalid")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    /// An `If-Match` that names none of the resource's current version (RFC 9110 §13.1.1):
    /// someone changed it since the client read it. Holds the version it has now; None: there
    /// is no resource for the tags to match (a conditional PUT that would create one).
    #[error("the resource changed since you read it; read it again, then send your change with its new ETag")]
    PreconditionFailed(Option<i64>),
    #[error("{0}")]
    TooLarge(String),
    #[error("too many requests")]
    RateLimited,
    /// The detail is for the log only.
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::Unauthorized => 401,
            AppError::Forbidden | AppError::FormExpired => 403,
            AppError::BadRequest(_) => 400,
            AppError::Invalid(_) => 422,
            AppError::Conflict(_) => 409,
            AppError::PreconditionFailed(_) => 412,
            AppError::TooLarge(_) => 413,
            AppError::RateLimited => 429,
            AppError::Internal(_) => 500,
        }
    }

    /// A stable machine-readable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::FormExpired => "form_expired",
            AppError::BadRequest(_) => "bad_request",
            AppError::Invalid(_) => "invalid",
            AppError::Conflict(_) => "conflict",
            AppError::PreconditionFailed(_) => "precondition_failed",
            AppError::TooLarge(_) => "too_large",
            AppError::RateLimited => "rate_limited",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn invalid(field: &str, message: impl std::fmt::Display) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    /// The JSON body of an API error: `{"error": {"code", "message", "fields"}}`.
    pub fn to_json(&self) -> serde_json::Value {
        let fields = match self {
            AppError::Invalid(fields) => fields.clone(),
            _ => Vec::new(),
        };
        let mut error = serde_json::json!({ "code": self.code(), "message": self.to_string(), "fields": fields });
        if let (AppError::PreconditionFailed(Some(version)), Some(object)) = (self, error.as_object_mut()) {
            // The tag the resource has now, as its ETag header says, for a client to retry with.
            object.insert("etag".to_owned(), serde_json::Value::from(entity_tag(*version)));
        }
        serde_json::json!({ "error": error })
    }

    /// What goes to the log: the internal detail where there is one.
    pub fn log_detail(&self) -> Option<&str> {
        match self {
            AppError::Internal(detail) => Some(detail),
            _ => None,
        }
    }
}

/// A resource version as a strong entity tag (RFC 9110 §8.8.3): `"7"`. Clients treat it as
/// opaque; only equality means anything.
pub fn entity_tag(version: i64) -> String {
    format!("\"{version}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_never_shows_its_detail_to_the_client() {
        let err = AppError::Internal("D1_ERROR: no such table: secrets".into());
        let body = err.to_json().to_string();
        assert!(!body.contains("secrets"));
        assert_eq!(err.status(), 500);
        assert_eq!(err.log_detail(), Some("D1_ERROR: no such table: secrets"));
    }

    #[test]
    fn field_errors_are_listed_in_the_json_body() {
        let err = AppError::invalid("primary", "must be #rrggbb");
        let body = err.to_json();
        assert_eq!(body["error"]["code"], "invalid");
        assert_eq!(body["error"]["fields"][0]["field"], "primary");
        assert_eq!(err.status(), 422);
    }

    #[test]
    fn a_stale_write_is_refused_with_the_current_tag_in_the_body() {
        let body = AppError::PreconditionFailed(Some(7)).to_json();
        assert_eq!(AppError::PreconditionFailed(Some(7)).status(), 412);
        assert!(AppError::PreconditionFailed(None).to_json()["error"].get("etag").is_none(), "nothing to name");
        assert_eq!(body["error"]["code"], "precondition_failed");
        assert_eq!(body["error"]["etag"], "\"7\"");
        assert!(AppError::NotFound.to_json()["error"].get("etag").is_none());
    }
}
