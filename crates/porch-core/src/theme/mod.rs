//! A portal's theme as its pages and emails use it (colours and logos), and the stylesheet made
//! from it: the colours as CSS custom properties plus the base rules. Served as `/theme.css`
//! so the pages need no inline style (a strict CSP forbids it). Below both `tenancy` (which
//! renders it once per cache fill) and `views` (which link it).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use porch_types::color::{HexColor, ThemeColors};

const BASE_CSS: &str = include_str!("base.css");

/// A logo as the page needs it: where it is and what it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogoRef {
    pub key: String,
    pub content_type: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThemeContext {
    pub id: Option<String>,
    pub version: i64,
    pub colors: ThemeColors,
    pub logo_small: Option<LogoRef>,
    pub logo_large: Option<LogoRef>,
}

impl ThemeContext {
    /// A quiet, accessible default for portals without a theme.
    pub fn fallback() -> ThemeContext {
        ThemeContext {
            id: None,
            version: 0,
            colors: ThemeColors {
                primary: HexColor::from_rgb(0x1f, 0x4f, 0x99),
                menu: HexColor::from_rgb(0x1b, 0x26, 0x3b),
                notification: HexColor::from_rgb(0xb0, 0x3a, 0x2e),
                background: HexColor::from_rgb(0xff, 0xff, 0xff),
                text: HexColor::from_rgb(0x1a, 0x1a, 0x1a),
            },
            logo_small: None,
            logo_large: None,
        }
    }
}

pub fn stylesheet(theme: &ThemeContext) -> String {
    format!("{}{BASE_CSS}", variables(":root", &theme.colors))
}

/// The colours as the custom properties every rule of the design system draws with, for the
/// elements `selector` picks and what they hold: `:root` for a page, or one part of a page
/// (the console's preview of a draft theme).
pub fn variables(selector: &str, c: &ThemeColors) -> String {
    format!(
        "{selector} {{\n  --porch-primary: {};\n  --porch-on-primary: {};\n  --porch-menu: {};\n  --porch-on-menu: {};\n  --porch-notification: {};\n  --porch-on-notification: {};\n  --porch-background: {};\n  --porch-text: {};\n}}\n",
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
    let hex = porch_types::to_hex(digest.get(..12).unwrap_or_default());
    format!("\"{hex}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

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
