//! The in-process tests in one binary (one link instead of one per file): the whole app on
//! a fresh native runtime per test (real `SQLite` with the real `schema/`, in-memory KV and
//! blobs, canned outbound HTTP, a clock the test moves), the SAML verifier against fixtures
//! minted at test time, and the `OpenAPI` document against the route table. Each file below
//! is one module; `cargo test --test in_process fleet::` runs one of them.

// clippy.toml allows these inside `#[test]` functions only; the helpers here and in
// `common` serve tests alone, and a panic in them is a failed test too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::too_many_lines)]

mod common;

mod activity;
mod app;
mod bad_addresses;
mod consent_again;
mod console;
mod console_audit;
mod console_customers;
mod console_deliveries;
mod console_equipment;
mod console_keys;
mod console_portal_setup;
mod console_portal_sso;
mod console_portal_tickets;
mod console_portals;
mod console_settings;
mod console_staff;
mod console_staff_sso;
mod console_templates;
mod console_themes;
mod console_wizard;
mod documents;
mod domains;
mod email;
mod equipment;
mod fleet;
mod input_checks;
mod language;
mod lifecycle;
mod openapi;
mod plans;
mod portal_tickets;
mod rate_limits;
mod recipients;
mod rollups;
mod saml;
mod saml_sp;
mod settings;
mod sso;
mod support_form_setup;
mod templates;
mod ticket_mail;
mod ticket_settings;
mod ticket_setup;
mod tickets;
mod time_zones;
mod versions;
mod webhooks;
