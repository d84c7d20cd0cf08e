//! porch's core: everything a request needs but the Workers runtime itself. Its modules, from
//! the bottom up (a module imports only those above it in this list):
//! `store` (SQL and the `Database` trait) -> `theme`, `portal_context` -> `runtime` (what the
//! host provides, as traits) -> `tenancy` (host -> portal) -> `retry`, `email`, `webhooks` ->
//! `auth` -> `i18n`, `views` -> `app` (the route tables of the admin API and the portal pages).
//! Domain values come from `porch_types`, SSO protocols from `porch_sso`; `porch-native`
//! implements the runtime on `SQLite` for tests and tools, the root package on Workers.

pub mod app;
pub mod auth;
pub mod email;
pub mod http;
pub mod i18n;
pub mod multipart;
pub mod portal_context;
pub mod retry;
pub mod runtime;
pub mod store;
pub mod tenancy;
pub mod theme;
pub mod upload;
pub mod views;
pub mod webhooks;
