//! Strict base64 for SAML: the standard alphabet with canonical padding; the only extra
//! characters tolerated are the line breaks and spaces IdPs and XML-DSig put in long values.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// Decodes `text`, refusing anything but the standard alphabet, `=` padding where RFC 4648
/// §4 puts it (no missing or extra padding, no non-zero trailing bits) and CR, LF or space
/// between characters. Tabs, URL-safe characters and stray bytes are refused: they are not
/// produced by any IdP and a lenient decoder is one more parser differential.
pub(super) fn decode_strict(text: &str) -> Option<Vec<u8>> {
    let mut compact = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' | '\n' | ' ' => {}
            'A'..='Z' | 'a'..='z' | '0'..='9' | '+' | '/' | '=' => compact.push(c),
            _ => return None,
        }
    }
    if compact.is_empty() {
        return None;
    }
    STANDARD.decode(compact).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_base64_with_line_breaks_and_spaces_decodes() {
        assert_eq!(decode_strict("aGVs\r\nbG8g\n d29y bGQ=").unwrap(), b"hello world");
    }

    #[test]
    fn other_alphabets_tabs_bad_padding_and_trailing_bits_are_refused() {
        assert!(decode_strict("aGVsbG8gd29ybGQ").is_none(), "missing padding");
        assert!(decode_strict("aGVsbG8gd29ybGQ==").is_none(), "extra padding");
        assert!(decode_strict("aGVsbG8gd29ybGR=").is_none(), "non-zero trailing bits");
        assert!(decode_strict("aGVs\tbG8=").is_none(), "tab");
        assert!(decode_strict("-_-_").is_none(), "URL-safe alphabet");
        assert!(decode_strict("aGVs%bG8=").is_none(), "stray byte");
        assert!(decode_strict("").is_none(), "empty");
        assert!(decode_strict("aGk=aGk=").is_none(), "padding in the middle");
    }
}
