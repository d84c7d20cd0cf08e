//! Bar charts drawn as SVG, one for every report (an asset's and the fleet's): a value axis
//! with its unit and round ticks, periods labelled in the reader's language (days, or ISO
//! weeks: "uge 49"), stacked series with a legend when there is more than one, a `<title>`
//! per bar, and the figure named by its caption. The numbers themselves are in the table the
//! caller puts beside it; the chart is their picture.
//!
//! No script and no inline style, as the CSP asks: sizes are SVG attributes, the bars' colour
//! is `base.css`'s, and series differ by opacity (with an outline) so one theme colour does.
//! The `viewBox` scales the drawing to the page's width, down to a 320 px phone.

use maud::{html, Markup, Render};

use crate::i18n::Formats;
use porch_types::usage::Span;

const WIDTH: i64 = 400;
const HEIGHT: i64 = 220;
/// Room for the value labels on the left, the unit above, the period labels below.
const LEFT: i64 = 44;
const TOP: i64 = 22;
const RIGHT: i64 = 8;
const BOTTOM: i64 = 26;
/// At most this many period labels fit under the bars at the font size.
const MAX_LABELS: usize = 6;
/// Each series' fill opacity, in order; a chart has at most this many series. The bars'
/// colour is the stylesheet's (the drawing's `fill`, the text colour, where it is missing).
const SHADES: [&str; 6] = ["1", "0.72", "0.5", "0.34", "0.22", "0.12"];
pub const MAX_SERIES: usize = SHADES.len();

/// One series: its name (for the legend and the bars' titles) and a value per period, in
/// thousandths of the chart's unit.
pub struct Series<'a> {
    pub name: &'a str,
    pub values: Vec<i64>,
}

/// A chart: `periods` are the first local day of each bucket, `series` stack in order.
pub struct Chart<'a> {
    /// An id for the caption, unique on its page.
    pub id: &'a str,
    pub caption: &'a str,
    /// The value axis' name and unit: `Operating hours`, `h`.
    pub quantity: &'a str,
    pub unit: &'a str,
    pub span: Span,
    pub periods: &'a [i64],
    pub series: Vec<Series<'a>>,
}

/// Round ticks for values up to `highest` (thousandths): the step (1, 2 or 5 times a power of
/// ten) that covers `highest` in at most four steps, and the top of the axis (the first step
/// at or above `highest`). The axis reaches one whole unit at least, so an empty or tiny
/// report is not drawn as if it were full.
pub fn ticks(highest: i64) -> (i64, i64) {
    let highest = highest.max(1000);
    let mut magnitude = 1_i64;
    loop {
        for multiple in [1, 2, 5] {
            let step = multiple * magnitude;
            if step.saturating_mul(4) >= highest {
                let top = (highest + step - 1) / step * step;
                return (step, top);
            }
        }
        magnitude = magnitude.saturating_mul(10);
    }
}

/// Which periods get a label: every `n`th, so at most `MAX_LABELS` of `count` do.
pub fn label_every(count: usize) -> usize {
    count.div_ceil(MAX_LABELS).max(1)
}

/// A period's label under the axis: `7. dec.`, `uge 49`.
pub fn period_label(formats: Formats, span: Span, day: i64) -> String {
    match span {
        Span::Day => formats.day_month(day),
        Span::Week => formats.week(day),
    }
}

/// A period's name with its year, as a bar's title and the report's table give it: `7. dec.
/// 2026`, `uge 49, 2026`. Written straight into the page: the words of `Formats` hold no
/// markup characters (its tests check), and a year's report names 365 periods twice.
pub struct PeriodTitle {
    pub formats: Formats,
    pub span: Span,
    pub day: i64,
}

impl Render for PeriodTitle {
    fn render_to(&self, buffer: &mut String) {
        match self.span {
            Span::Day => self.formats.push_day(buffer, self.day),
            Span::Week => self.formats.push_week_of_year(buffer, self.day),
        }
    }
}

/// A number of thousandths in the reader's format (`Formats::decimal` to three places),
/// written straight into the page as `PeriodTitle` is.
pub struct Thousandths(pub Formats, pub i64);

impl Render for Thousandths {
    fn render_to(&self, buffer: &mut String) {
        self.0.push_decimal(buffer, self.1, 3);
    }
}

/// A count in the reader's format (`Formats::integer`), written straight into the page.
pub struct Count(pub Formats, pub i64);

impl Render for Count {
    fn render_to(&self, buffer: &mut String) {
        self.0.push_integer(buffer, self.1);
    }
}

/// An SVG coordinate to two decimals, from whole hundredths rounded half away from zero
/// (`{:.2}` rounds the exact binary value, ties to even: the two may differ by 0.01, which no
/// screen shows): a year by day draws 365 bars of four coordinates, and float formatting was
/// a fifth of the page's time.
struct At(f64);

impl Render for At {
    // Coordinates lie within the drawing (at most a few hundred): the cast cannot overflow.
    #[allow(clippy::cast_possible_truncation)]
    fn render_to(&self, buffer: &mut String) {
        let hundredths = (self.0 * 100.0).round() as i64;
        if hundredths < 0 {
            buffer.push('-');
        }
        let hundredths = hundredths.unsigned_abs();
        (hundredths / 100).render_to(buffer);
        buffer.push('.');
        let cents = hundredths % 100;
        if cents < 10 {
            buffer.push('0');
        }
        cents.render_to(buffer);
    }
}

fn at(value: f64) -> At {
    At(value)
}

// Coordinates are small integers and thousandths far below 2^53: exact in f64.
#[allow(clippy::cast_precision_loss)]
pub fn chart(formats: Formats, chart: &Chart<'_>) -> Markup {
    let count = chart.periods.len();
    let totals: Vec<i64> = (0..count).map(|i| chart.series.iter().filter_map(|s| s.values.get(i)).sum()).collect();
    let (step, top) = ticks(totals.iter().copied().max().unwrap_or(0));
    let (plot_width, plot_height) = ((WIDTH - LEFT - RIGHT) as f64, (HEIGHT - TOP - BOTTOM) as f64);
    let slot = plot_width / count.max(1) as f64;
    let y = |milli: i64| TOP as f64 + plot_height - milli as f64 / top as f64 * plot_height;
    let every = label_every(count);
    let stacked = chart.series.len() > 1;
    html! {
        figure.chart {
            figcaption id=(chart.id) { (chart.caption) }
            svg.chart xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {WIDTH} {HEIGHT}"))
                role="img" aria-labelledby=(chart.id) font-size="12" fill="currentColor" {
                text x="0" y="12" { (chart.quantity) " (" (chart.unit) ")" }
                @for tick in (0..=top / step).map(|n| n * step) {
                    line.grid x1=(LEFT) x2=(WIDTH - RIGHT) y1=(at(y(tick))) y2=(at(y(tick))) stroke="currentColor" stroke-opacity="0.2" {}
                    text x=(LEFT - 4) y=(at(y(tick) + 4.0)) text-anchor="end" { (formats.decimal(tick, 3)) }
                }
                line.axis x1=(LEFT) y1=(at(y(0))) x2=(WIDTH - RIGHT) y2=(at(y(0))) stroke="currentColor" {}
                @for (index, day) in chart.periods.iter().enumerate() {
                    @let title = PeriodTitle { formats, span: chart.span, day: *day };
                    @let x = LEFT as f64 + index as f64 * slot;
                    // Each series' value here, and the stack's height below it.
                    @let stack = chart.series.iter().scan(0, |height, series| {
                        let milli = series.values.get(index).copied().unwrap_or(0);
                        *height += milli;
                        Some((series, milli, *height - milli))
                    });
                    @for (shade, (series, milli, below)) in SHADES.iter().zip(stack) {
                        rect.bar x=(at(x + slot * 0.1)) y=(at(y(below + milli))) width=(at(slot * 0.8))
                            height=(at(y(below) - y(below + milli))) fill-opacity=[(*shade != "1").then_some(shade)]
                            stroke=[stacked.then_some("currentColor")] stroke-width=[stacked.then_some("0.5")] {
                            title {
                                @if stacked { (series.name) ", " }
                                (title) ": " (Thousandths(formats, milli)) "\u{a0}" (chart.unit)
                            }
                        }
                    }
                    @if index % every == 0 {
                        text x=(at(x + slot / 2.0)) y=(HEIGHT - 8) text-anchor="middle" {
                            (period_label(formats, chart.span, *day))
                        }
                    }
                }
            }
            @if stacked {
                ul.legend {
                    @for (shade, series) in SHADES.iter().zip(&chart.series) {
                        li {
                            svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 12 12" width="12" height="12" aria-hidden="true" {
                                rect.swatch width="12" height="12" fill="currentColor" fill-opacity=(shade) stroke="currentColor" stroke-width="1" {}
                            }
                            " " (series.name)
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;
    use porch_types::time_zone::TimeZone;
    use porch_types::usage::parse_day;

    #[test]
    fn ticks_are_round_steps_that_cover_the_highest_value_in_at_most_four() {
        assert_eq!(ticks(24_000), (10_000, 30_000), "24 h: 0, 10, 20, 30");
        assert_eq!(ticks(47_000), (20_000, 60_000));
        assert_eq!(ticks(20_000), (5_000, 20_000), "an exact fit ends at the value");
        assert_eq!(ticks(168_000), (50_000, 200_000));
        assert_eq!(ticks(1_500), (500, 1_500));
        assert_eq!(ticks(125), (500, 1_000), "at least one whole unit");
        assert_eq!(ticks(0), (500, 1_000));
        assert_eq!(ticks(8_760_000), (5_000_000, 10_000_000), "a year of hours");
    }

    #[test]
    fn at_most_six_periods_are_labelled() {
        assert_eq!(label_every(4), 1);
        assert_eq!(label_every(6), 1);
        assert_eq!(label_every(7), 2);
        assert_eq!(label_every(31), 6);
        assert_eq!(label_every(367), 62);
        assert_eq!(label_every(0), 1);
    }

    #[test]
    fn periods_are_labelled_as_days_or_iso_weeks_in_the_readers_language() {
        let day = parse_day("2026-12-01").unwrap();
        let title = |formats, span| PeriodTitle { formats, span, day }.render().into_string();
        let da = Formats::new(Language::Da, TimeZone::UTC);
        assert_eq!((period_label(da, Span::Day, day), title(da, Span::Day)), ("1. dec.".into(), "1. dec. 2026".into()));
        assert_eq!(
            (period_label(da, Span::Week, day), title(da, Span::Week)),
            ("uge 49".into(), "uge 49, 2026".into())
        );
        let nb = Formats::new(Language::Nb, TimeZone::UTC);
        assert_eq!(period_label(nb, Span::Week, day), "uke 49");
        let en = Formats::new(Language::En, TimeZone::UTC);
        assert_eq!(title(en, Span::Week), "week 49, 2026");
    }

    #[test]
    fn a_chart_has_its_axis_titles_and_a_legend_only_for_several_series() {
        let days = [parse_day("2026-03-01").unwrap(), parse_day("2026-03-02").unwrap()];
        let formats = Formats::new(Language::Da, TimeZone::UTC);
        let one = Chart {
            id: "c",
            caption: "Driftstimer pr. dag",
            quantity: "Driftstimer",
            unit: "t",
            span: Span::Day,
            periods: &days,
            series: vec![Series { name: "Læsser", values: vec![24_000, 1_500] }],
        };
        let html = chart(formats, &one).into_string();
        assert!(html.contains(r#"<figcaption id="c">Driftstimer pr. dag</figcaption>"#), "{html}");
        assert!(html.contains(r#"role="img" aria-labelledby="c""#), "{html}");
        assert!(html.contains("Driftstimer (t)"), "the unit: {html}");
        assert!(html.contains("<title>1. mar. 2026: 24\u{a0}t</title>"), "{html}");
        assert!(html.contains("<title>2. mar. 2026: 1,5\u{a0}t</title>"), "{html}");
        assert!(html.contains(">30</text>") && html.contains(">2. mar.</text>"), "ticks and periods: {html}");
        assert!(!html.contains("legend"), "one series needs no legend");
        let two = Chart {
            series: vec![Series { name: "Læsser", values: vec![1, 2] }, Series { name: "Gravko", values: vec![3, 4] }],
            ..one
        };
        let html = chart(formats, &two).into_string();
        assert!(html.contains(r#"<ul class="legend">"#) && html.contains("Gravko"), "{html}");
        assert!(html.contains("<title>Gravko, 1. mar. 2026: 0,003\u{a0}t</title>"), "{html}");
    }
}
