//! Turning JSON fields into domain values, collecting every field error so a client learns
//! all that is wrong in one answer.

use serde::{Deserialize, Deserializer};

use porch_types::error::{AppError, FieldError};

/// Collects field errors while parsing a body.
#[derive(Default)]
pub struct Fields {
    errors: Vec<FieldError>,
}

impl Fields {
    /// Keeps the value, or records the error under `field`.
    pub fn check<T, E: std::fmt::Display>(&mut self, field: &str, parsed: Result<T, E>) -> Option<T> {
        parsed.map_err(|err| self.errors.push(FieldError::new(field, err))).ok()
    }

    /// A required field: missing is an error of its own.
    pub fn require<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        if let Some(raw) = raw {
            self.check(field, parse(raw))
        } else {
            self.errors.push(FieldError::new(field, "is required"));
            None
        }
    }

    /// How many problems are recorded so far.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn error(&mut self, field: &str, message: &str) {
        self.errors.push(FieldError::new(field, message));
    }

    /// 422 with every recorded field, or Ok when there were none.
    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.errors))
        }
    }
}

/// Tells "absent" (None) from "null" (Some(None)) in a PATCH body.
#[allow(clippy::option_option)] // the two layers are the point: absent vs null
pub fn double_option<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}
