//! The one percent codec (RFC 3986 §2.1): query values, form bodies, redirect URLs.

/// Percent-encodes every byte but ASCII letters, digits, `-_.~` (RFC 3986 unreserved) and the
/// bytes of `also_keep` (say `/` for a path kept readable in a query value).
pub fn percent_encode(text: &str, also_keep: &[u8]) -> String {
    use std::fmt::Write;
    text.bytes().fold(String::with_capacity(text.len()), |mut out, b| {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || also_keep.contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
        out
    })
}

/// Decodes `%XX` escapes and `+` (form encoding); None if the result is not UTF-8 or an escape is broken.
pub fn percent_decode(input: &str) -> Option<String> {
    let mut out = Vec::with_capacity(input.len());
    let mut bytes = input.bytes();
    while let Some(byte) = bytes.next() {
        match byte {
            b'%' => {
                let hi = bytes.next().and_then(|b| char::from(b).to_digit(16))?;
                let lo = bytes.next().and_then(|b| char::from(b).to_digit(16))?;
                out.push(u8::try_from(hi * 16 + lo).ok()?);
            }
            b'+' => out.push(b' '),
            other => out.push(other),
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_keeps_the_unreserved_and_the_asked_for_bytes() {
        assert_eq!(percent_encode("a b/c?d=é", b""), "a%20b%2Fc%3Fd%3D%C3%A9");
        assert_eq!(percent_encode("/tickets/1?x", b"/"), "/tickets/1%3Fx");
        assert_eq!(percent_decode(&percent_encode("møde & co", b"")).as_deref(), Some("møde & co"));
    }

    #[test]
    fn a_broken_percent_escape_decodes_to_nothing() {
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%c3"), None);
    }
}
