//! Theme colours: #rrggbb parsing and the WCAG 2.1 contrast report with accessible suggestions.
//!
//! Portal owners pick five theme colours. Before a theme is saved we tell them which
//! combinations the pages actually render would fail WCAG 2.1 Success Criterion 1.4.3
//! (Contrast (Minimum), level AA) for text or 1.4.11 (Non-text Contrast) for borders and
//! graphics, and offer the nearest colour that would pass, so the brand survives but the
//! pages stay readable. Labels on filled surfaces are chosen to pass (`ThemeColors::label_on`).
//!
//! Everything here is pure arithmetic on 8-bit sRGB values: no clock, no randomness, no I/O,
//! so it behaves identically in the Worker (wasm32) and in native tests.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// WCAG 2.1 SC 1.4.3 (AA) minimum for normal text.
pub const AA_NORMAL_TEXT: f64 = 4.5;

/// WCAG 2.1 SC 1.4.3 (AA) minimum for large-scale text (18pt, or 14pt bold), and SC 1.4.11
/// (Non-text Contrast, AA) minimum for graphical objects and the parts of controls that
/// identify them (borders, focus indicators, chart bars).
const AA_LARGE_TEXT: f64 = 3.0;

/// A colour every surface has a readable label in: black or white reaches at least 4.58:1
/// against any colour.
const BLACK: HexColor = HexColor::from_rgb(0, 0, 0);
const WHITE: HexColor = HexColor::from_rgb(0xff, 0xff, 0xff);

/// Lightness resolution of the suggestion search: 1000 steps over the HSL lightness range
/// (0.1 % each). One 8-bit channel step of a fully saturated colour is about 0.2 % of
/// lightness, so this is fine enough never to skip a distinct 8-bit colour, and at most
/// 2000 candidates are ever evaluated.
const LIGHTNESS_STEPS: u32 = 1000;

/// Why a colour string was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ColorError {
    #[error("must be a colour written as #rrggbb (six hexadecimal digits)")]
    Malformed,
}

/// An opaque 8-bit sRGB colour, written `#rrggbb`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct HexColor {
    r: u8,
    g: u8,
    b: u8,
}

impl HexColor {
    /// Parses exactly `#` followed by six hexadecimal digits (either case).
    ///
    /// Deliberately strict: no trimming, no `#rgb` shorthand and no colour names, so what the
    /// owner typed is exactly what gets stored and rendered into CSS.
    ///
    /// # Errors
    ///
    /// [`ColorError::Malformed`] for anything else.
    pub fn parse(input: &str) -> Result<HexColor, ColorError> {
        let digits = input.strip_prefix('#').ok_or(ColorError::Malformed)?;
        // Byte length check: a non-ASCII character is several bytes and is then rejected
        // by `hex_value` below, so no multi-byte input can slip through.
        if digits.len() != 6 {
            return Err(ColorError::Malformed);
        }
        let mut channels = digits.as_bytes().chunks_exact(2).map(|pair| match pair {
            [hi, lo] => Some(hex_value(*hi)? * 16 + hex_value(*lo)?),
            _ => None,
        });
        let mut next = || channels.next().flatten().ok_or(ColorError::Malformed);
        let (r, g, b) = (next()?, next()?, next()?);
        Ok(HexColor { r, g, b })
    }

    pub const fn from_rgb(r: u8, g: u8, b: u8) -> HexColor {
        HexColor { r, g, b }
    }

    pub fn rgb(self) -> (u8, u8, u8) {
        (self.r, self.g, self.b)
    }

    /// Relative luminance as defined in WCAG 2.1 ("relative luminance"):
    /// `L = 0.2126 R + 0.7152 G + 0.0722 B` over linearised sRGB channels.
    ///
    /// The linearisation threshold used is 0.04045, the value in the sRGB standard
    /// (IEC 61966-2-1). WCAG 2.1's text says 0.03928, copied from an earlier sRGB draft.
    /// No 8-bit channel value falls between the two (10/255 ≈ 0.0392 and
    /// 11/255 ≈ 0.0431), so both give identical results here; we follow the standard
    /// that WCAG itself cites.
    pub fn relative_luminance(self) -> f64 {
        0.2126 * linearise(self.r) + 0.7152 * linearise(self.g) + 0.0722 * linearise(self.b)
    }
}

impl fmt::Display for HexColor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Always lower case so stored themes and rendered CSS compare byte-for-byte.
        write!(f, "#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

impl Serialize for HexColor {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for HexColor {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        HexColor::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Contrast ratio as defined in WCAG 2.1 ("contrast ratio"): `(L1 + 0.05) / (L2 + 0.05)`
/// with L1 the lighter colour's relative luminance. Symmetric, from 1.0 to 21.0.
pub fn contrast_ratio(a: HexColor, b: HexColor) -> f64 {
    let (la, lb) = (a.relative_luminance(), b.relative_luminance());
    let (lighter, darker) = if la >= lb { (la, lb) } else { (lb, la) };
    (lighter + 0.05) / (darker + 0.05)
}

/// The five colours of a portal theme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeColors {
    pub primary: HexColor,
    pub menu: HexColor,
    pub notification: HexColor,
    pub background: HexColor,
    pub text: HexColor,
}

impl ThemeColors {
    /// Label colour drawn on a filled surface (buttons on primary, links on the menu bar, the
    /// preview and disabled-portal banners on the notification colour): whichever of the
    /// theme's text and background colours contrasts more with the surface, when it reaches
    /// 4.5:1 (SC 1.4.3); else black or white, whichever contrasts more, so a mid-tone surface
    /// still gets readable text (issue 15 found white on a notification colour at 4.16:1). The
    /// stylesheet and the emails draw labels with this colour, and `contrast_report` checks
    /// the same one, so the report approves what the pages show.
    ///
    /// Ties go to the text colour, so a theme whose two candidates are equally good keeps
    /// the colour the owner chose for text.
    pub fn label_on(&self, surface: HexColor) -> HexColor {
        let better =
            |a: HexColor, b: HexColor| if contrast_ratio(a, surface) >= contrast_ratio(b, surface) { a } else { b };
        let themed = better(self.text, self.background);
        if contrast_ratio(themed, surface) >= AA_NORMAL_TEXT {
            themed
        } else {
            better(BLACK, WHITE)
        }
    }
}

/// One foreground/background pair the portal renders, checked against WCAG 2.1 SC 1.4.3
/// (text) or SC 1.4.11 (non-text).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContrastCheck {
    /// One of `PAIRS`' names (see `contrast_report`).
    pub pair: &'static str,
    pub foreground: HexColor,
    pub background: HexColor,
    /// Rounded to 2 decimals for display; the pass flags use the unrounded value, so a
    /// ratio shown as 4.50 can still fail (e.g. 4.497).
    pub ratio: f64,
    /// What the pair must reach: 4.5 for text (SC 1.4.3), 3.0 for a graphical object or a
    /// control's boundary (SC 1.4.11).
    pub required: f64,
    /// `"1.4.3"` or `"1.4.11"`.
    pub criterion: &'static str,
    /// Unrounded ratio >= `required`.
    pub passes_aa: bool,
    /// Unrounded ratio >= 3.0 (SC 1.4.3, large-scale text).
    pub passes_aa_large: bool,
    /// Only when failing: the theme colour to change (e.g. "text", "primary", "menu") and the
    /// nearest colour (same hue and saturation, adjusted HSL lightness — smallest change that
    /// reaches `required`) that passes.
    pub suggestion: Option<Suggestion>,
}

/// A replacement for one theme colour that makes its pair pass AA.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suggestion {
    /// Which theme colour to replace: `"text"`, `"primary"`, `"menu"` or `"notification"`.
    pub change: &'static str,
    pub from: HexColor,
    pub to: HexColor,
    /// Contrast ratio of the pair after the change, rounded to 2 decimals.
    pub ratio: f64,
}

/// The AA verdict for a whole theme.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContrastReport {
    pub checks: Vec<ContrastCheck>,
    /// Names of the failing pairs, in check order.
    pub failing: Vec<&'static str>,
    pub passes_aa: bool,
}

/// A pair the pages draw: its name, what it must reach and under which criterion, the theme
/// colour the advice changes, and the (foreground, background) it is in a theme.
struct Pair {
    name: &'static str,
    required: f64,
    criterion: &'static str,
    change: &'static str,
    /// Whether `change` is the foreground (else the background) of the pair.
    change_foreground: bool,
    colors: fn(&ThemeColors) -> (HexColor, HexColor),
}

/// Every colour pair the portal's stylesheet (`theme/base.css`) and emails draw, as of issue
/// 15's design system:
/// - `text_on_background`: body text; also what the text colour does elsewhere on the page
///   background: links (`a { color: inherit }`, so links are never the primary colour), the
///   focus outline (SC 2.4.7, which 1.4.11 asks 3:1 of; 4.5 covers it), field and table
///   borders, checkbox accents, the closed-status badge (background on text, the same ratio);
/// - `text_on_primary`: button labels on the primary colour (pages and emails);
/// - `menu_text_on_menu`: the header's links, name and focus outline on the menu colour;
/// - `text_on_notification`: the preview ("view as") and disabled-portal banners;
/// - `primary_on_background`: the primary colour as a graphical object on the page (the
///   current tab's bar, an agent reply's rule, chart bars): 3:1 under SC 1.4.11;
/// - `notification_on_background`: the error and notice borders (a field in error, the
///   error summary): 3:1 under SC 1.4.11.
///
/// The labels on filled surfaces are `ThemeColors::label_on`'s, the colour the stylesheet
/// uses, so those three pairs pass by construction (black or white when neither theme colour
/// does); they are listed so the report shows what the pages draw. Borders mixed from text
/// and background (`--line`) only separate rows and are not checked.
const PAIRS: [Pair; 6] = [
    Pair {
        name: "text_on_background",
        required: AA_NORMAL_TEXT,
        criterion: "1.4.3",
        change: "text",
        change_foreground: true,
        colors: |c| (c.text, c.background),
    },
    // On filled surfaces the label is chosen for the surface, so the advice is to move the
    // surface and keep the label.
    Pair {
        name: "text_on_primary",
        required: AA_NORMAL_TEXT,
        criterion: "1.4.3",
        change: "primary",
        change_foreground: false,
        colors: |c| (c.label_on(c.primary), c.primary),
    },
    Pair {
        name: "menu_text_on_menu",
        required: AA_NORMAL_TEXT,
        criterion: "1.4.3",
        change: "menu",
        change_foreground: false,
        colors: |c| (c.label_on(c.menu), c.menu),
    },
    Pair {
        name: "text_on_notification",
        required: AA_NORMAL_TEXT,
        criterion: "1.4.3",
        change: "notification",
        change_foreground: false,
        colors: |c| (c.label_on(c.notification), c.notification),
    },
    Pair {
        name: "primary_on_background",
        required: AA_LARGE_TEXT,
        criterion: "1.4.11",
        change: "primary",
        change_foreground: true,
        colors: |c| (c.primary, c.background),
    },
    Pair {
        name: "notification_on_background",
        required: AA_LARGE_TEXT,
        criterion: "1.4.11",
        change: "notification",
        change_foreground: true,
        colors: |c| (c.notification, c.background),
    },
];

/// Checks every pair the portal's pages draw (`PAIRS`) against WCAG 2.1 AA, with a suggested
/// colour for each failing one.
pub fn contrast_report(colors: &ThemeColors) -> ContrastReport {
    let checks: Vec<ContrastCheck> = PAIRS
        .iter()
        .map(|pair| {
            let (foreground, background) = (pair.colors)(colors);
            let ratio = contrast_ratio(foreground, background);
            let passes_aa = ratio >= pair.required;
            let suggestion = if passes_aa {
                None
            } else {
                let (fixed, from) =
                    if pair.change_foreground { (background, foreground) } else { (foreground, background) };
                suggest_accessible(fixed, from, pair.required).map(|to| Suggestion {
                    change: pair.change,
                    from,
                    to,
                    ratio: round2(contrast_ratio(fixed, to)),
                })
            };
            ContrastCheck {
                pair: pair.name,
                foreground,
                background,
                ratio: round2(ratio),
                required: pair.required,
                criterion: pair.criterion,
                passes_aa,
                passes_aa_large: ratio >= AA_LARGE_TEXT,
                suggestion,
            }
        })
        .collect();
    let failing: Vec<&'static str> = checks.iter().filter(|check| !check.passes_aa).map(|check| check.pair).collect();
    let passes_aa = failing.is_empty();
    ContrastReport { checks, failing, passes_aa }
}

/// The colour closest to `adjustable` that reaches `target` contrast against `fixed`.
///
/// Hue and saturation of `adjustable` are kept (so a brand blue stays blue) and only HSL
/// lightness moves, in steps of 0.1 %, darker and lighter. The candidate with the smallest
/// lightness change wins; on a tie, the direction that moves away from `fixed`'s luminance
/// wins, because that is the direction contrast keeps growing in. Every candidate is judged
/// after rounding to 8 bits, so the returned colour really reaches the target.
///
/// Returns `adjustable` itself if it already passes, and `None` only if neither direction
/// can reach `target` (impossible for 4.5: black or white is at least 4.58 against anything).
pub fn suggest_accessible(fixed: HexColor, adjustable: HexColor, target: f64) -> Option<HexColor> {
    if contrast_ratio(fixed, adjustable) >= target {
        return Some(adjustable);
    }
    let hsl = Hsl::from_color(adjustable);
    let (preferred, other) = if adjustable.relative_luminance() > fixed.relative_luminance() {
        (Direction::Lighter, Direction::Darker)
    } else {
        (Direction::Darker, Direction::Lighter)
    };
    let first = search_lightness(fixed, hsl, preferred, target, LIGHTNESS_STEPS);
    // The other direction only wins with strictly fewer steps, so stop looking one short.
    let limit = first.map_or(LIGHTNESS_STEPS, |(steps, _)| steps.saturating_sub(1));
    let second = search_lightness(fixed, hsl, other, target, limit);
    second.or(first).map(|(_, color)| color)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    Darker,
    Lighter,
}

/// Walks HSL lightness from `hsl.l` in one direction, up to `max_steps` steps, and returns
/// the first 8-bit colour (with the step count) that reaches `target` against `fixed`.
fn search_lightness(
    fixed: HexColor,
    hsl: Hsl,
    direction: Direction,
    target: f64,
    max_steps: u32,
) -> Option<(u32, HexColor)> {
    let sign = match direction {
        Direction::Darker => -1.0,
        Direction::Lighter => 1.0,
    };
    for step in 1..=max_steps {
        let raw = hsl.l + sign * f64::from(step) / f64::from(LIGHTNESS_STEPS);
        let lightness = raw.clamp(0.0, 1.0);
        let candidate = Hsl { l: lightness, ..hsl }.to_color();
        if contrast_ratio(fixed, candidate) >= target {
            return Some((step, candidate));
        }
        // Black or white has been tried; further steps would only repeat it.
        if lightness <= 0.0 || lightness >= 1.0 {
            break;
        }
    }
    None
}

/// Hue (degrees, 0..360), saturation and lightness (0..=1), the HSL model of CSS Color.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Hsl {
    h: f64,
    s: f64,
    l: f64,
}

impl Hsl {
    fn from_color(color: HexColor) -> Hsl {
        let (red, green, blue) = color.rgb();
        // Max/min are found on the integers so grey detection needs no float equality.
        let max = red.max(green).max(blue);
        let min = red.min(green).min(blue);
        let (max_unit, min_unit) = (unit(max), unit(min));
        let lightness = f64::midpoint(max_unit, min_unit);
        if max == min {
            return Hsl { h: 0.0, s: 0.0, l: lightness };
        }
        let chroma = max_unit - min_unit;
        let saturation =
            if lightness > 0.5 { chroma / (2.0 - max_unit - min_unit) } else { chroma / (max_unit + min_unit) };
        let sector = if max == red {
            (unit(green) - unit(blue)) / chroma + if green < blue { 6.0 } else { 0.0 }
        } else if max == green {
            (unit(blue) - unit(red)) / chroma + 2.0
        } else {
            (unit(red) - unit(green)) / chroma + 4.0
        };
        Hsl { h: sector * 60.0, s: saturation, l: lightness }
    }

    fn to_color(self) -> HexColor {
        if self.s <= 0.0 {
            let v = unit_to_u8(self.l);
            return HexColor::from_rgb(v, v, v);
        }
        let q = if self.l < 0.5 { self.l * (1.0 + self.s) } else { self.l + self.s - self.l * self.s };
        let p = 2.0 * self.l - q;
        let h = self.h / 360.0;
        HexColor::from_rgb(
            unit_to_u8(hue_to_channel(p, q, h + 1.0 / 3.0)),
            unit_to_u8(hue_to_channel(p, q, h)),
            unit_to_u8(hue_to_channel(p, q, h - 1.0 / 3.0)),
        )
    }
}

fn hue_to_channel(p: f64, q: f64, t: f64) -> f64 {
    let t = t.rem_euclid(1.0);
    if t < 1.0 / 6.0 {
        p + (q - p) * 6.0 * t
    } else if t < 0.5 {
        q
    } else if t < 2.0 / 3.0 {
        p + (q - p) * (2.0 / 3.0 - t) * 6.0
    } else {
        p
    }
}

/// sRGB channel linearisation from the WCAG 2.1 "relative luminance" definition
/// (threshold 0.04045 per IEC 61966-2-1; see [`HexColor::relative_luminance`]).
fn linearise(channel: u8) -> f64 {
    let c = unit(channel);
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn unit(channel: u8) -> f64 {
    f64::from(channel) / 255.0
}

/// Converts a 0..=1 channel to 8 bits.
// The value is clamped to 0..=1 and rounded before the cast, so it is a whole number in
// 0..=255 and neither truncates nor loses a sign (NaN, which cannot arise from the HSL
// arithmetic above, would saturate to 0).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn unit_to_u8(value: f64) -> u8 {
    (value.clamp(0.0, 1.0) * 255.0).round() as u8
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Two decimals, the precision WCAG tools conventionally display.
fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn c(text: &str) -> HexColor {
        HexColor::parse(text).unwrap()
    }

    fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
        (actual - expected).abs() <= tolerance
    }

    fn good_theme() -> ThemeColors {
        ThemeColors {
            primary: c("#1d4ed8"),
            menu: c("#111827"),
            notification: c("#b45309"),
            background: c("#ffffff"),
            text: c("#1f2937"),
        }
    }

    fn bad_theme() -> ThemeColors {
        ThemeColors {
            primary: c("#ffff00"),
            menu: c("#1f2937"),
            notification: c("#ff0000"),
            background: c("#ffffff"),
            text: c("#999999"),
        }
    }

    /// Every pair's suggestion, applied on its own, must make that pair pass when the
    /// report is recomputed from scratch (label choice included).
    fn apply(theme: ThemeColors, suggestion: &Suggestion) -> ThemeColors {
        let mut fixed = theme;
        match suggestion.change {
            "text" => fixed.text = suggestion.to,
            "primary" => fixed.primary = suggestion.to,
            "menu" => fixed.menu = suggestion.to,
            "notification" => fixed.notification = suggestion.to,
            other => unreachable!("unexpected change {other}"),
        }
        fixed
    }

    #[test]
    fn black_on_white_is_twenty_one_to_one() {
        assert!(close(contrast_ratio(c("#000000"), c("#ffffff")), 21.0, 1e-9));
    }

    #[test]
    fn grey_777777_on_white_is_4_48_and_fails_aa() {
        let ratio = contrast_ratio(c("#777777"), c("#ffffff"));
        assert!(close(round2(ratio), 4.48, 1e-9));
        assert!(ratio < AA_NORMAL_TEXT);
    }

    #[test]
    fn grey_767676_on_white_is_4_54_and_passes_aa() {
        let ratio = contrast_ratio(c("#767676"), c("#ffffff"));
        assert!(close(round2(ratio), 4.54, 1e-9));
        assert!(ratio >= AA_NORMAL_TEXT);
    }

    #[test]
    fn white_on_pure_blue_is_about_8_59() {
        assert!(close(contrast_ratio(c("#ffffff"), c("#0000ff")), 8.59, 0.005));
    }

    #[test]
    fn pure_red_on_white_is_about_4() {
        assert!(close(contrast_ratio(c("#ff0000"), c("#ffffff")), 4.0, 0.005));
    }

    #[test]
    fn identical_colours_are_one_to_one() {
        for text in ["#000000", "#ffffff", "#3a7bd5", "#808080"] {
            assert!(close(contrast_ratio(c(text), c(text)), 1.0, 1e-12));
        }
    }

    #[test]
    fn contrast_ratio_is_symmetric() {
        let colours = ["#000000", "#ffffff", "#3a7bd5", "#ff0000", "#777777", "#00ff7f"];
        for a in colours {
            for b in colours {
                let (a, b) = (c(a), c(b));
                assert!(close(contrast_ratio(a, b), contrast_ratio(b, a), 1e-12));
            }
        }
    }

    #[test]
    fn relative_luminance_spans_zero_to_one() {
        assert!(close(c("#000000").relative_luminance(), 0.0, 1e-12));
        assert!(close(c("#ffffff").relative_luminance(), 1.0, 1e-12));
        // The old WCAG threshold 0.03928 gives the same answer for every 8-bit value.
        for v in 0..=255u8 {
            let x = unit(v);
            let old = if x <= 0.03928 { x / 12.92 } else { ((x + 0.055) / 1.055).powf(2.4) };
            assert!(close(linearise(v), old, 0.0));
        }
    }

    #[test]
    fn parse_accepts_mixed_case_and_prints_lower_case() {
        let colour = HexColor::parse("#A1b2C3").unwrap();
        assert_eq!(colour.rgb(), (0xa1, 0xb2, 0xc3));
        assert_eq!(colour.to_string(), "#a1b2c3");
        assert_eq!(colour, HexColor::from_rgb(0xa1, 0xb2, 0xc3));
    }

    #[test]
    fn parse_rejects_anything_but_hash_and_six_hex_digits() {
        for bad in [
            "#fff",
            "red",
            "#gggggg",
            "",
            "#1234567",
            "#",
            "123456",
            " #123456",
            "#123456 ",
            "#12345g",
            "#ééé",
            "#12345é",
            "#+12345",
            "##12345",
            "#１２３４５６",
        ] {
            assert_eq!(HexColor::parse(bad), Err(ColorError::Malformed), "{bad:?}");
        }
    }

    #[test]
    fn error_message_explains_the_expected_format() {
        assert_eq!(ColorError::Malformed.to_string(), "must be a colour written as #rrggbb (six hexadecimal digits)");
    }

    #[test]
    fn serde_round_trips_as_lower_case_string() {
        let colour = c("#A1B2C3");
        let json = serde_json::to_string(&colour).unwrap();
        assert_eq!(json, "\"#a1b2c3\"");
        let back: HexColor = serde_json::from_str(&json).unwrap();
        assert_eq!(back, colour);

        let theme = good_theme();
        let json = serde_json::to_string(&theme).unwrap();
        let back: ThemeColors = serde_json::from_str(&json).unwrap();
        assert_eq!(back, theme);
    }

    #[test]
    fn serde_rejects_malformed_colours() {
        for bad in ["\"#fff\"", "\"red\"", "\"\"", "42", "null", "[1,2,3]"] {
            assert!(serde_json::from_str::<HexColor>(bad).is_err(), "{bad}");
        }
        let err = serde_json::from_str::<HexColor>("\"#gggggg\"").unwrap_err();
        assert!(err.to_string().contains("#rrggbb"));
    }

    #[test]
    fn label_on_picks_whichever_of_text_and_background_contrasts_more() {
        let theme = good_theme();
        // Dark navy surface: the white background colour reads better than dark text.
        assert_eq!(theme.label_on(c("#111827")), theme.background);
        // Pale yellow surface: the dark text colour reads better.
        assert_eq!(theme.label_on(c("#fef08a")), theme.text);
    }

    #[test]
    fn report_for_a_good_theme_passes_everything() {
        let report = contrast_report(&good_theme());
        assert!(report.passes_aa);
        assert!(report.failing.is_empty());
        let pairs: Vec<_> = report.checks.iter().map(|check| check.pair).collect();
        assert_eq!(
            pairs,
            [
                "text_on_background",
                "text_on_primary",
                "menu_text_on_menu",
                "text_on_notification",
                "primary_on_background",
                "notification_on_background"
            ]
        );
        for check in &report.checks {
            assert!(check.passes_aa && check.passes_aa_large, "{check:?}");
            assert!(check.suggestion.is_none());
        }
    }

    #[test]
    fn report_for_a_bad_theme_lists_exactly_the_failing_pairs() {
        let theme = bad_theme();
        let report = contrast_report(&theme);
        assert!(!report.passes_aa);
        // Red on white is 4.0: enough for a border (3:1), and the labels are chosen to pass.
        assert_eq!(report.failing, ["text_on_background", "primary_on_background"]);

        let text = report.checks.first().unwrap();
        assert_eq!((text.foreground, text.background), (theme.text, theme.background));
        assert!(close(text.ratio, 2.85, 1e-9));
        assert!(!text.passes_aa && !text.passes_aa_large);
        assert_eq!((text.required, text.criterion), (AA_NORMAL_TEXT, "1.4.3"));

        // Neither grey text nor white reads on yellow, so its buttons get black labels.
        let primary = report.checks.get(1).unwrap();
        assert_eq!((primary.foreground, primary.background), (c("#000000"), theme.primary));
        assert!(primary.passes_aa && primary.suggestion.is_none());

        let menu = report.checks.get(2).unwrap();
        assert_eq!(menu.foreground, theme.background);
        assert!(menu.passes_aa && menu.suggestion.is_none());

        let graphic = report.checks.get(4).unwrap();
        assert_eq!((graphic.foreground, graphic.background), (theme.primary, theme.background));
        assert_eq!((graphic.required, graphic.criterion), (3.0, "1.4.11"));

        let changes: Vec<_> = report
            .checks
            .iter()
            .filter_map(|check| check.suggestion.as_ref())
            .map(|suggestion| (suggestion.change, suggestion.from))
            .collect();
        assert_eq!(changes, [("text", theme.text), ("primary", theme.primary)]);
    }

    #[test]
    fn each_pair_is_checked_against_its_own_criterion_with_a_suggestion_when_it_fails() {
        let base = good_theme();
        // (a theme failing one pair only, that pair, the colour the advice changes)
        let cases = [
            (ThemeColors { text: c("#aaaaaa"), ..base }, "text_on_background", "text"),
            (ThemeColors { primary: c("#93c5fd"), ..base }, "primary_on_background", "primary"),
            (ThemeColors { notification: c("#f59e0b"), ..base }, "notification_on_background", "notification"),
        ];
        for (theme, pair, change) in cases {
            let report = contrast_report(&theme);
            assert_eq!(report.failing, [pair], "{theme:?}");
            let check = report.checks.iter().find(|check| check.pair == pair).unwrap();
            let suggestion = check.suggestion.as_ref().unwrap();
            assert_eq!(suggestion.change, change);
            assert!(suggestion.ratio >= check.required, "{suggestion:?}");
            assert!(contrast_report(&apply(theme, suggestion)).passes_aa, "{suggestion:?}");
        }
    }

    #[test]
    fn a_label_falls_back_to_black_or_white_when_neither_theme_colour_reads_on_the_surface() {
        let theme = good_theme();
        // The theme's text reads on a light surface, its background on a dark one.
        assert_eq!(theme.label_on(c("#fde68a")), theme.text);
        assert_eq!(theme.label_on(c("#1e3a8a")), theme.background);
        // On a mid-tone orange both are under 4.5 (white 3.84, the text 3.83): black is 5.47.
        let orange = c("#e0533d");
        assert!(contrast_ratio(theme.background, orange) < AA_NORMAL_TEXT);
        assert!(contrast_ratio(theme.text, orange) < AA_NORMAL_TEXT);
        assert_eq!(theme.label_on(orange), c("#000000"));
        let report = contrast_report(&ThemeColors { notification: orange, ..theme });
        let banner = report.checks.iter().find(|check| check.pair == "text_on_notification").unwrap();
        assert_eq!(banner.foreground, c("#000000"));
        assert!(banner.passes_aa && close(banner.ratio, 5.47, 0.005), "{banner:?}");
        // A dark theme on a mid-tone blue falls back to white.
        let dark = ThemeColors { text: c("#d1d5db"), background: c("#111827"), ..theme };
        assert_eq!(dark.label_on(c("#2563eb")), c("#ffffff"));
        // Every surface gets a label that reaches 4.5.
        for surface in ["#808080", "#777777", "#e0533d", "#2f9e44", "#ff0000", "#00ff00", "#0000ff", "#767676"] {
            assert!(contrast_ratio(theme.label_on(c(surface)), c(surface)) >= AA_NORMAL_TEXT, "{surface}");
        }
    }

    #[test]
    fn every_suggestion_reaches_aa_when_recomputed() {
        let themes = [
            bad_theme(),
            ThemeColors {
                primary: c("#f472b6"),
                menu: c("#93c5fd"),
                notification: c("#22c55e"),
                background: c("#f3f4f6"),
                text: c("#9ca3af"),
            },
            ThemeColors {
                primary: c("#7f1d1d"),
                menu: c("#4b5563"),
                notification: c("#22c55e"),
                background: c("#111111"),
                text: c("#555555"),
            },
        ];
        for theme in themes {
            let report = contrast_report(&theme);
            assert!(!report.failing.is_empty());
            for check in &report.checks {
                let Some(suggestion) = &check.suggestion else {
                    assert!(check.passes_aa);
                    continue;
                };
                let fixed = if suggestion.from == check.foreground { check.background } else { check.foreground };
                let ratio = contrast_ratio(fixed, suggestion.to);
                assert!(ratio >= check.required, "{check:?}");
                assert!(close(suggestion.ratio, round2(ratio), 1e-9));
                // Applying just this suggestion fixes this pair even after the label is
                // re-chosen, because label_on only ever picks the better label.
                let after = contrast_report(&apply(theme, suggestion));
                assert!(!after.failing.contains(&check.pair), "{check:?}");
            }
        }
    }

    #[test]
    fn suggestion_for_a_saturated_colour_keeps_its_hue() {
        let report = contrast_report(&bad_theme());
        let primary = report.checks.iter().find(|check| check.pair == "primary_on_background").unwrap();
        let to = primary.suggestion.as_ref().unwrap().to;
        let (r, g, b) = to.rgb();
        // Still a yellow/olive, not a grey.
        assert!(r.max(g).max(b) - r.min(g).min(b) > 20, "{to}");
        let before = Hsl::from_color(c("#ffff00"));
        let after = Hsl::from_color(to);
        assert!(close(after.h, before.h, 3.0), "{to}");
        assert!(close(after.s, before.s, 0.05), "{to}");
    }

    #[test]
    fn suggestion_is_the_closer_of_darker_and_lighter() {
        // (fixed, adjustable) pairs, some where both directions can reach 4.5.
        let cases = [
            ("#757575", "#777777"),
            ("#757575", "#747474"),
            ("#767676", "#0080ff"),
            ("#ffffff", "#999999"),
            ("#999999", "#ffff00"),
            ("#000000", "#595959"),
            ("#3b82f6", "#ef4444"),
        ];
        for (fixed, adjustable) in cases {
            let (fixed, adjustable) = (c(fixed), c(adjustable));
            let to = suggest_accessible(fixed, adjustable, AA_NORMAL_TEXT).unwrap();
            assert!(contrast_ratio(fixed, to) >= AA_NORMAL_TEXT);
            let start = Hsl::from_color(adjustable);
            let chosen = (Hsl::from_color(to).l - start.l).abs();
            // Brute force both directions independently at a finer step than the search.
            for sign in [-1.0, 1.0] {
                for step in 1..=10_000u32 {
                    let l = start.l + sign * f64::from(step) / 10_000.0;
                    if !(0.0..=1.0).contains(&l) {
                        break;
                    }
                    let candidate = Hsl { l, ..start }.to_color();
                    if contrast_ratio(fixed, candidate) >= AA_NORMAL_TEXT {
                        // Nothing in either direction passes with a clearly smaller change
                        // (tolerance: one search step plus 8-bit rounding).
                        assert!(
                            chosen <= (l - start.l).abs() + 0.004,
                            "{fixed} {adjustable}: chose {to}, but {candidate} is closer"
                        );
                        break;
                    }
                }
            }
        }
    }

    #[test]
    fn suggestion_ties_prefer_moving_away_from_the_fixed_colour() {
        // Both cases reach 4.5 after exactly the same number of lightness steps either way
        // (found by exhaustive search), so only the tie rule decides.
        let fixed = c("#757575");
        let lighter_than_fixed = c("#7f7f80");
        assert_eq!(
            search_lightness(fixed, Hsl::from_color(lighter_than_fixed), Direction::Darker, 4.5, 1000),
            Some((491, c("#020202")))
        );
        assert_eq!(
            search_lightness(fixed, Hsl::from_color(lighter_than_fixed), Direction::Lighter, 4.5, 1000),
            Some((491, c("#fdfdfd")))
        );
        assert_eq!(suggest_accessible(fixed, lighter_than_fixed, AA_NORMAL_TEXT), Some(c("#fdfdfd")));

        let fixed = c("#767676");
        let darker_than_fixed = c("#1212ff");
        assert_eq!(
            search_lightness(fixed, Hsl::from_color(darker_than_fixed), Direction::Lighter, 4.5, 1000),
            Some((462, c("#fefeff")))
        );
        assert_eq!(suggest_accessible(fixed, darker_than_fixed, AA_NORMAL_TEXT), Some(c("#000025")));
    }

    #[test]
    fn suggestion_is_the_colour_itself_when_it_already_passes() {
        let fixed = c("#ffffff");
        assert_eq!(suggest_accessible(fixed, c("#000000"), AA_NORMAL_TEXT), Some(c("#000000")));
    }

    #[test]
    fn suggestion_is_none_when_the_target_is_impossible() {
        assert_eq!(suggest_accessible(c("#ffffff"), c("#777777"), 22.0), None);
        assert_eq!(suggest_accessible(c("#808080"), c("#777777"), 10.0), None);
    }

    #[test]
    fn suggestion_for_grey_stays_grey() {
        let to = suggest_accessible(c("#ffffff"), c("#999999"), AA_NORMAL_TEXT).unwrap();
        let (r, g, b) = to.rgb();
        assert!(r == g && g == b, "{to}");
        // #767676 is the lightest grey that passes on white.
        assert_eq!(to, c("#767676"));
    }

    #[test]
    fn report_serialises_to_json() {
        let json = serde_json::to_value(contrast_report(&bad_theme())).unwrap();
        assert_eq!(*json.pointer("/passes_aa").unwrap(), false);
        assert_eq!(*json.pointer("/checks/0/pair").unwrap(), "text_on_background");
        assert_eq!(*json.pointer("/checks/0/foreground").unwrap(), "#999999");
        assert_eq!(*json.pointer("/checks/0/suggestion/change").unwrap(), "text");
        assert_eq!(*json.pointer("/checks/2/suggestion").unwrap(), serde_json::Value::Null);
    }
}
