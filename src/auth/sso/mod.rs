//! Single sign-on protocols, verified inside the worker: bytes in, verified claims or a typed
//! error out, with no tenant policy (which portal, who may come in, what account they get).
//! JWT first; SAML and OIDC follow.

pub mod jwt;
pub mod saml;
