//! Labelled bar charts of exact counts: the Betti numbers b₀, b₁, … of H(c) (the topology
//! calculator) and the number of components per effective class (the summary mode of Fig. 2b).
//!
//! Conventions:
//! - values are exact unsigned counts (`u128`, as the topology module computes them); a bar's
//!   height is the value converted to `f64`, its text label is the exact integer (scientific
//!   notation `1.2×10¹⁵` beyond 12 digits);
//! - the y axis is linear from 0 to 12 % above the largest value (to 1 when every value is 0);
//!   a zero value draws no bar but keeps its label, so "b₁ = 0" stays visible;
//! - bars are equally spaced categories, left to right in the order given; when there are more
//!   bars than fit a readable label each, only every k-th category label is written and value
//!   labels are dropped;
//! - a highlighted bar gets a thick [`INK`] outline;
//! - the whole area is filled white and titled; the chart is laid out in pixels, so it looks the
//!   same on a canvas and in an SVG.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{ChartError, GOOD, GRID, INK, begin_titled_chart, superscript};

/// One bar: a category label, an exact count, a colour and whether to outline it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The category, written under the bar (e.g. "b₁" or "k = 2").
    pub label: String,
    /// The count the bar stands for.
    pub value: u128,
    /// Fill colour.
    pub color: RGBColor,
    /// Whether to outline the bar thickly (e.g. the class of the running network).
    pub highlight: bool,
}

/// A titled bar chart with axis descriptions.
#[derive(Debug, Clone, Copy)]
pub struct BarChart<'a> {
    /// Title above the chart.
    pub title: &'a str,
    /// Description of the category axis.
    pub x_desc: &'a str,
    /// Description of the value axis.
    pub y_desc: &'a str,
    /// The bars, left to right.
    pub bars: &'a [Bar],
}

pub use crate::app::format::subscript;

/// A count as text: the exact integer up to 12 digits, else `m×10ᵏ` with two significant
/// decimals.
pub fn count_text(v: u128) -> String {
    let s = v.to_string();
    if s.len() <= 12 {
        return s;
    }
    let k = s.len() - 1;
    let mantissa = format!("{}.{}", &s[..1], &s[1..3]);
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    let exponent = superscript(k as i64);
    if mantissa == "1" {
        format!("10{exponent}")
    } else {
        format!("{mantissa}×10{exponent}")
    }
}

/// Rough pixel width of `text` at font size `size` (0.6 em per character): used only to decide
/// how many labels fit, identically on every backend.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    0.6 * size * text.chars().count() as f64
}

/// Strokes the outline of the rectangle with corners `a` and `b` as one closed path (backends
/// ignore the stroke width of rectangles, not of paths).
pub(crate) fn outline<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
    color: RGBColor,
    width: u32,
) -> Result<(), ChartError> {
    area.draw(&PathElement::new(
        vec![a, (b.0, a.1), b, (a.0, b.1), a],
        color.stroke_width(width),
    ))?;
    Ok(())
}

/// A "nice" step (1, 2 or 5 × 10^k) giving at most about `target` intervals up to `max`.
fn nice_step(max: f64, target: f64) -> f64 {
    let raw = (max / target).max(f64::MIN_POSITIVE);
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let m = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * mag
}

/// Text of a value-axis tick (a multiple of a nice step, so integral when the step is ≥ 1).
fn tick_text(v: f64) -> String {
    if (1.0..1e12).contains(&v) {
        format!("{}", v.round() as u128)
    } else if v < 1.0 {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        count_text(v.round() as u128)
    }
}

/// Draws `chart` into `area`, filling it white first.
///
/// # Errors
/// [`ChartError`] with the backend's message if drawing fails, or when the area is too small to
/// hold a chart (under 40 × 40 pixels).
pub fn draw_bar_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &BarChart,
) -> Result<(), ChartError> {
    let (fonts, w, h) = begin_titled_chart(area, chart.title, "bar chart", 40)?;
    let body = fonts.body;

    let max = chart.bars.iter().map(|b| b.value).max().unwrap_or(0);
    let y_max = if max == 0 { 1.0 } else { max as f64 * 1.12 };
    let step = nice_step(y_max, (h / (body * 3.0)).clamp(2.0, 8.0));
    let ticks: Vec<f64> = (0..)
        .map(|i| f64::from(i) * step)
        .take_while(|t| *t <= y_max)
        .collect();
    let widest_tick = ticks
        .iter()
        .map(|t| text_width(&tick_text(*t), body * 0.85))
        .fold(0.0, f64::max);

    // Plot rectangle in pixels.
    let left = body * 1.8 + widest_tick + body * 0.6;
    let right = w - body;
    let top = body * 0.4 + fonts.title * 1.6;
    let bottom = h - body * 3.4;
    if right - left < 10.0 || bottom - top < 10.0 {
        return Err(ChartError(
            "bar chart area is too small for its labels".into(),
        ));
    }
    let y_px = |v: f64| bottom - (v / y_max) * (bottom - top);

    let tick_style = (FontFamily::SansSerif, body * 0.85)
        .into_font()
        .color(&INK)
        .pos(Pos::new(HPos::Right, VPos::Center));
    for t in &ticks {
        let y = y_px(*t) as i32;
        area.draw(&PathElement::new(
            vec![(left as i32, y), (right as i32, y)],
            GRID.stroke_width(1),
        ))?;
        area.draw_text(&tick_text(*t), &tick_style, ((left - body * 0.4) as i32, y))?;
    }
    // Axes.
    area.draw(&PathElement::new(
        vec![
            (left as i32, top as i32),
            (left as i32, bottom as i32),
            (right as i32, bottom as i32),
        ],
        INK.stroke_width(1),
    ))?;
    // Axis descriptions.
    let desc = (FontFamily::SansSerif, body).into_font().color(&INK);
    area.draw_text(
        chart.x_desc,
        &desc.clone().pos(Pos::new(HPos::Center, VPos::Bottom)),
        (((left + right) / 2.0) as i32, (h - body * 0.3) as i32),
    )?;
    let y_desc_style = desc
        .transform(FontTransform::Rotate270)
        .pos(Pos::new(HPos::Center, VPos::Top));
    area.draw_text(
        chart.y_desc,
        &y_desc_style,
        ((body * 0.3) as i32, ((top + bottom) / 2.0) as i32),
    )?;

    let n = chart.bars.len();
    if n == 0 {
        return Ok(());
    }
    let slot = (right - left) / n as f64;
    let bar_w = (slot * 0.7).min(body * 8.0);
    let widest_label = chart
        .bars
        .iter()
        .map(|b| text_width(&b.label, body))
        .fold(0.0, f64::max);
    // Every k-th category label, so that labels never overlap.
    let every = ((widest_label + body * 0.5) / slot).ceil().max(1.0) as usize;
    let values_fit = chart
        .bars
        .iter()
        .all(|b| text_width(&count_text(b.value), body * 0.85) <= slot * 0.98);
    let label_style = (FontFamily::SansSerif, body)
        .into_font()
        .color(&INK)
        .pos(Pos::new(HPos::Center, VPos::Top));
    let value_style = (FontFamily::SansSerif, body * 0.85)
        .into_font()
        .color(&INK)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    for (i, bar) in chart.bars.iter().enumerate() {
        let cx = left + slot * (i as f64 + 0.5);
        let (x0, x1) = ((cx - bar_w / 2.0) as i32, (cx + bar_w / 2.0) as i32);
        let y_top = y_px(bar.value as f64);
        if bar.value > 0 {
            area.draw(&Rectangle::new(
                [(x0, y_top as i32), (x1, bottom as i32)],
                bar.color.filled(),
            ))?;
        }
        if bar.highlight {
            let (y0, y1) = ((y_top as i32).min(bottom as i32 - 3), bottom as i32);
            outline(area, (x0 - 2, y0 - 2), (x1 + 2, y1), INK, 3)?;
        }
        if i % every == 0 || bar.highlight {
            area.draw_text(
                &bar.label,
                &label_style,
                (cx as i32, (bottom + body * 0.35) as i32),
            )?;
        }
        if values_fit && n <= 40 {
            area.draw_text(
                &count_text(bar.value),
                &value_style,
                (cx as i32, (y_top - body * 0.25) as i32),
            )?;
        }
    }
    Ok(())
}

/// Draws the Betti numbers b₀, b₁, … of H(c) as labelled bars (b₀, the number of connected
/// components, first).
///
/// # Errors
/// As [`draw_bar_chart`].
pub fn draw_betti_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    betti: &[u128],
    title: &str,
) -> Result<(), ChartError> {
    let bars: Vec<Bar> = betti
        .iter()
        .enumerate()
        .map(|(i, b)| Bar {
            label: format!("b{}", subscript(i)),
            value: *b,
            color: GOOD,
            highlight: false,
        })
        .collect();
    draw_bar_chart(
        area,
        &BarChart {
            title,
            x_desc: "degree i (Betti number bᵢ = rank of the i-th homology)",
            y_desc: "bᵢ",
            bars: &bars,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::present::charts::svg_texts;

    fn render(betti: &[u128], size: (u32, u32)) -> Result<String, ChartError> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
            draw_betti_bars(&root, betti, "Betti numbers of H(c)")?;
            root.present()?;
        }
        Ok(svg)
    }

    fn good_rects(svg: &str) -> usize {
        svg.matches("fill=\"#0072B2\"").count()
    }

    #[test]
    fn betti_bars_are_labelled_and_one_per_nonzero_number() -> Result<(), ChartError> {
        // (1 + t)^2 · 2: b = [2, 4, 2].
        let svg = render(&[2, 4, 2], (640, 400))?;
        let texts = svg_texts(&svg);
        for t in ["Betti numbers of H(c)", "b₀", "b₁", "b₂", "bᵢ"] {
            assert!(texts.iter().any(|x| x == t), "missing {t}: {texts:?}");
        }
        // Ticks 0, 1, 2, 3, 4 plus the value labels 2, 4, 2 above the bars.
        let count = |t: &str| texts.iter().filter(|x| *x == t).count();
        assert_eq!((count("2"), count("4")), (3, 2), "{texts:?}");
        assert_eq!(good_rects(&svg), 3);
        Ok(())
    }

    #[test]
    fn zero_betti_numbers_keep_their_label_but_draw_no_bar() -> Result<(), ChartError> {
        // 1 + t^3 (d = 4, one neuron with c > 0): b = [1, 0, 0, 1].
        let svg = render(&[1, 0, 0, 1], (640, 400))?;
        let texts = svg_texts(&svg);
        for t in ["b₀", "b₁", "b₂", "b₃"] {
            assert!(texts.iter().any(|x| x == t), "missing {t}");
        }
        assert_eq!(good_rects(&svg), 2);
        Ok(())
    }

    #[test]
    fn huge_counts_use_scientific_labels_and_many_bars_thin_their_labels() -> Result<(), ChartError>
    {
        assert_eq!(count_text(2u128.pow(100)), "1.26×10³⁰");
        assert_eq!(count_text(10u128.pow(13)), "10¹³");
        assert_eq!(count_text(123), "123");
        // 61 bars (binomial(60, k)): not every label fits, but the first one is written.
        let betti: Vec<u128> = (0..=60u32)
            .map(|k| (0..k).fold(1u128, |acc, i| acc * u128::from(60 - i) / u128::from(i + 1)))
            .collect();
        let svg = render(&betti, (640, 400))?;
        let texts = svg_texts(&svg);
        assert!(texts.iter().any(|x| x == "b₀"));
        let labels = texts.iter().filter(|x| x.starts_with('b')).count();
        assert!(labels < 61 && labels > 3, "{labels} category labels");
        Ok(())
    }

    #[test]
    fn empty_and_tiny_areas() -> Result<(), ChartError> {
        let svg = render(&[], (300, 200))?;
        assert!(svg_texts(&svg).iter().any(|x| x == "Betti numbers of H(c)"));
        assert!(render(&[1], (20, 20)).is_err());
        Ok(())
    }

    #[test]
    fn highlighted_bar_is_outlined() -> Result<(), ChartError> {
        let bars = [
            Bar {
                label: "k = 0".into(),
                value: 1,
                color: GOOD,
                highlight: false,
            },
            Bar {
                label: "k = 1".into(),
                value: 7,
                color: GOOD,
                highlight: true,
            },
        ];
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (500, 300)).into_drawing_area();
            draw_bar_chart(
                &root,
                &BarChart {
                    title: "t",
                    x_desc: "class",
                    y_desc: "components",
                    bars: &bars,
                },
            )?;
            root.present()?;
        }
        assert_eq!(svg.matches("stroke-width=\"3\"").count(), 1);
        assert!(svg_texts(&svg).iter().any(|x| x == "k = 1"));
        Ok(())
    }
}
