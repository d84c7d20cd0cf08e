//! porch's domain values with `parse`: once input becomes one of these, the rest of the code
//! cannot hold an invalid hostname, colour, slug, name, logo or outbound URL. The lowest layer:
//! it imports no other porch crate, and every other one imports it.

pub mod access;
pub mod apps;
pub mod attachments;
pub mod color;
pub mod documents;
pub mod email;
pub mod equipment;
pub mod error;
pub mod host;
pub mod ids;
pub mod image;
pub mod language;
pub mod logo;
pub mod nav_links;
pub mod percent;
pub mod portal_tickets;
pub mod search;
pub mod setup;
pub mod sso;
pub mod staff;
pub mod text;
pub mod tickets;
pub mod time;
pub mod time_zone;
pub mod url;
pub mod usage;
pub mod webhooks;

/// Lower-case hexadecimal of some bytes (hashes, tokens).
pub fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}
