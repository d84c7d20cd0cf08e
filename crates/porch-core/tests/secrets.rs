//! Secrets drawn from a runtime's randomness (the native one here: unit tests inside
//! porch-core cannot use porch-native, which depends on porch-core).

use porch_core::auth::secret::{presented_hash, Token};
use porch_native::NativeRuntime;

#[test]
fn a_generated_token_is_43_url_safe_characters_and_its_hash_is_what_is_looked_up() {
    let rt = NativeRuntime::new("x").unwrap();
    let token = Token::generate(&rt).unwrap();
    assert_eq!(token.text.len(), 43);
    assert_eq!(presented_hash(&token.text), Some(token.hash.clone()));
    assert_ne!(Token::generate(&rt).unwrap().text, token.text);
}
