//! A vertical bar chart of labelled counts (volume per week, useful rate per day, …).

use maud::{html, Markup};

/// One bar: its axis label and value.
#[derive(Debug, Clone)]
pub(crate) struct Bar {
    /// Shown under the bar (every few bars when crowded) and in the text alternative.
    pub label: String,
    /// Height; negative values are drawn as zero.
    pub value: f64,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 28.0;
const TOP: f64 = 10.0;

/// A bar chart titled `title`; `unit` formats values (e.g. `"%"`). An empty series says so
/// instead of drawing empty axes.
pub(crate) fn bar_chart(title: &str, bars: &[Bar], unit: &str) -> Markup {
    if bars.is_empty() {
        return html! { p.muted { (title) ": no data in this range." } };
    }
    let max = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    let top = nice_ceiling(max);
    let plot_w = WIDTH - LEFT - 8.0;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / bars.len() as f64;
    let bar_w = (slot * 0.7).max(1.0);
    let every = (bars.len() / 8).max(1);
    let fmt = |v: f64| {
        if v.fract() == 0.0 || v >= 100.0 {
            format!("{v:.0}{unit}")
        } else {
            format!("{v:.1}{unit}")
        }
    };
    let summary = format!(
        "{} bars from {} to {}; highest {}.",
        bars.len(),
        bars[0].label,
        bars[bars.len() - 1].label,
        fmt(max)
    );
    html! {
        figure.chartbox {
            svg.chart viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img" aria-label=(format!("{title}. {summary}")) {
                title { (title) }
                desc { (summary) }
                @for i in 0..=4 {
                    @let v = top * i as f64 / 4.0;
                    @let y = TOP + plot_h - plot_h * i as f64 / 4.0;
                    line.axis x1=(LEFT) x2=(WIDTH - 8.0) y1=(y) y2=(y) stroke-opacity="0.3" {}
                    text x=(LEFT - 4.0) y=(y + 4.0) text-anchor="end" { (fmt(v)) }
                }
                line.axis x1=(LEFT) x2=(LEFT) y1=(TOP) y2=(TOP + plot_h) {}
                @for (i, b) in bars.iter().enumerate() {
                    @let h = if top > 0.0 { plot_h * b.value.max(0.0) / top } else { 0.0 };
                    @let x = LEFT + slot * i as f64 + (slot - bar_w) / 2.0;
                    rect.bar x=(x) y=(TOP + plot_h - h) width=(bar_w) height=(h) {
                        title { (b.label) ": " (fmt(b.value)) }
                    }
                    @if i % every == 0 {
                        text x=(x + bar_w / 2.0) y=(HEIGHT - 8.0) text-anchor="middle" { (b.label) }
                    }
                }
            }
            table.sr-only {
                caption { (title) }
                thead { tr { th scope="col" { "Period" } th scope="col" { "Value" } } }
                tbody {
                    @for b in bars {
                        tr { td { (b.label) } td { (fmt(b.value)) } }
                    }
                }
            }
        }
    }
}

/// The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `v` (0 stays 0; at least 1).
fn nice_ceiling(v: f64) -> f64 {
    if v <= 1.0 {
        return 1.0;
    }
    let exp = v.log10().floor();
    let base = 10f64.powf(exp);
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * base >= v {
            return m * base;
        }
    }
    10.0 * base
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ceilings() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(12.0), 20.0);
        assert_eq!(nice_ceiling(240.0), 250.0);
    }

    #[test]
    fn labels_are_escaped_and_the_text_alternative_lists_every_bar() {
        let bars = vec![
            Bar {
                label: "<b>w1".into(),
                value: 3.0,
            },
            Bar {
                label: "w2".into(),
                value: 5.0,
            },
        ];
        let html = bar_chart("Volume", &bars, "").into_string();
        assert!(!html.contains("<b>"));
        assert!(html.contains("&lt;b&gt;w1"));
        assert!(html.contains("<td>w2</td><td>5</td>"));
        assert!(bar_chart("Volume", &[], "")
            .into_string()
            .contains("no data"));
    }
}
