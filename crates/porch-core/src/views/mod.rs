//! Server-rendered HTML (maud escapes every interpolation). The stylesheet is `theme`'s.

pub mod account;
pub mod activity;
pub mod chart;
pub mod console;
pub mod console_audit;
pub mod console_customers;
pub mod console_deliveries;
pub mod console_keys;
pub mod console_portals;
pub mod console_staff;
pub mod console_templates;
pub mod console_themes;
pub mod console_wizard;
pub mod documents;
pub mod errors;
pub mod fleet;
pub mod form;
pub mod language;
pub mod layout;
pub mod mailbox;
pub mod nav_links;
pub mod pages;
pub mod sso;
pub mod tickets;
pub mod users;
