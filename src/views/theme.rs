//! The per-portal stylesheet: theme colours as CSS custom properties plus the base rules.
//! Served as `/theme.css` so the pages need no inline style (a strict CSP forbids it).

use sha2::{Digest, Sha256};

use crate::tenancy::ThemeContext;

const BASE_CSS: &str = include_str!("base.css");

pub fn stylesheet(theme: &ThemeContext) -> String {
    let c = &theme.colors;
    format!(
        ":root {{\n  --porch-primary: {};\n  --porch-on-primary: {};\n  --porch-menu: {};\n  --porch-on-menu: {};\n  --porch-notification: {};\n  --porch-on-notification: {};\n  --porch-background: {};\n  --porch-text: {};\n}}\n{BASE_CSS}",
        c.primary,
        c.label_on(c.primary),
        c.menu,
        c.label_on(c.menu),
        c.notification,
        c.label_on(c.notification),
        c.background,
        c.text,
    )
}

/// A strong validator for the stylesheet: changes whenever a byte of it does.
pub fn etag(css: &str) -> String {
    let digest = Sha256::digest(css.as_bytes());
    let hex = crate::domain::to_hex(digest.get(..12).unwrap_or_default());
    format!("\"{hex}\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::color::HexColor;

    #[test]
    fn the_stylesheet_carries_the_theme_colours_as_custom_properties() {
        let mut theme = ThemeContext::fallback();
        theme.colors.primary = HexColor::from_rgb(0xff, 0x66, 0x00);
        let css = stylesheet(&theme);
        assert!(css.contains("--porch-primary: #ff6600;"));
        assert!(css.contains("--porch-background: #ffffff;"));
    }

    #[test]
    fn the_etag_changes_with_the_colours() {
        let a = stylesheet(&ThemeContext::fallback());
        let mut theme = ThemeContext::fallback();
        theme.colors.menu = HexColor::from_rgb(0, 0, 0);
        let b = stylesheet(&theme);
        assert_ne!(etag(&a), etag(&b));
        assert_eq!(etag(&a), etag(&a.clone()));
    }
}
