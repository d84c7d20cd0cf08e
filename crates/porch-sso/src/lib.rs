//! Single sign-on protocols, verified inside the worker: bytes in, verified claims or a typed
//! error out, with no tenant policy (which portal, who may come in, what account they get).
//! `jwt`, `oidc` and `saml` are the protocols; `seal` keeps the secrets porch must read back;
//! `policy` decides who comes in; `totp` is the staff's second factor.

pub mod jwt;
pub mod oidc;
pub mod policy;
pub mod saml;
pub mod seal;
pub mod totp;
