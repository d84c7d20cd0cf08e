//! porch: branded customer portals at the edge. The crate root holds the module list; the
//! pure core (everything but `edge`) knows nothing of the Workers runtime and is tested natively.

pub mod app;
pub mod auth;
pub mod domain;
pub mod email;
pub mod error;
pub mod http;
pub mod i18n;
pub mod multipart;
pub mod retry;
pub mod runtime;
pub mod store;
pub mod tenancy;
pub mod views;
pub mod webhooks;

#[cfg(target_arch = "wasm32")]
mod edge;
