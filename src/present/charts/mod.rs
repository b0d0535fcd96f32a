//! Charts of the paper's figures, as plain functions over any plotters backend.
//!
//! Each chart takes a `&DrawingArea<DB, Shift>` for any `DB: DrawingBackend`: the browser passes a
//! canvas, tests and exports pass `SVGBackend::with_string`, so the same code draws both. This
//! module never names the browser; it only knows plotters.
//!
//! - [`loss`]: loss L(θ) against the GD step for one or more runs (Fig. 3c).
//! - [`quadric`]: one hidden neuron's quadric Q(c_k) = {‖w‖² − ‖v‖² = c_k} in (w₁, w₂, v) space for
//!   d = 2, e = 1, with the neuron's GD trajectory on it (Fig. 2a and the panels of Fig. 3).
//! - [`hyperbolas`]: the (w, v) plane of Fig. 1b with the invariant hyperbolas, the rescaling
//!   orbits, the point, its trajectory and −∇L.
//! - [`components`]: the component diagram of H(c) (Fig. 2b), cells grouped by effective class.
//! - [`conserved`]: the lab's c_k per neuron, at the start and now.
//! - [`bars`]: labelled bar charts (the Betti numbers, the diagram's summary mode).
//! - [`heatmap`]: a viridis heatmap with a colour bar (the appendix maps, the Fig. 4 grid).
//! - [`sweep`]: the Fig. 4 heatmap over (l, l+) and the curves against l+ and l+/l.
//! - `legend`: legends measured through the backend (so the page's text metrics are used).
//! - `ticks`: tick positions and labels of linear and log axes, right for any finite range.
//!
//! Conventions shared by all charts:
//! - a chart fills its whole area white and draws its own title; it never calls `present()`, so a
//!   caller can split one root area into several charts and present once;
//! - font sizes scale with the area's pixel height (about height / 25, at least 12 px), so a canvas
//!   sized for `devicePixelRatio` gets proportionally larger text;
//! - colours come from the palette below (Okabe–Ito, safe for the common forms of colour blindness):
//!   [`OBSTRUCTED`] for a run trapped in the wrong component, [`GOOD`] for a run that can reach the
//!   optimum, neutral [`INK`], [`SURFACE`] and [`GRID`] for everything else;
//! - non-finite data are skipped, never drawn and never a panic.

pub mod bars;
pub mod components;
pub mod conserved;
pub mod heatmap;
pub mod hyperbolas;
mod legend;
pub mod loss;
pub mod quadric;
pub mod sweep;
mod ticks;

pub use loss::{LossChartOptions, LossSeries, draw_loss_chart};
pub use quadric::{QuadricPanel, draw_quadric_panel, quadric_wireframe};

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};

use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::*;
use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Error of a chart function: the backend's error turned into text (plotters'
/// `DrawingAreaErrorKind` is generic over the backend, so it cannot be stored as is).
#[derive(Debug, Clone, PartialEq)]
pub struct ChartError(pub String);

impl fmt::Display for ChartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "chart drawing failed: {}", self.0)
    }
}

impl std::error::Error for ChartError {}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(err: DrawingAreaErrorKind<E>) -> Self {
        ChartError(err.to_string())
    }
}

/// Colour of the obstructed run (Okabe–Ito vermillion).
pub const OBSTRUCTED: RGBColor = RGBColor(213, 94, 0);
/// Colour of the good run (Okabe–Ito blue).
pub const GOOD: RGBColor = RGBColor(0, 114, 178);
/// Text, axes and marker outlines (near-black).
pub const INK: RGBColor = RGBColor(34, 34, 34);
/// The quadric wireframe (mid grey; drawn semi-transparent).
pub const SURFACE: RGBColor = RGBColor(110, 110, 110);
/// Grid lines and axis panels (light grey).
pub const GRID: RGBColor = RGBColor(215, 215, 215);

/// Pixel sizes of the text of one chart, derived from the area's pixel size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FontSizes {
    /// Axis descriptions, tick labels and legend entries.
    pub(crate) body: f64,
    /// The chart's title.
    pub(crate) title: f64,
}

/// The smallest body text of a chart, in pixels of its drawing area: 12 by default; the page raises
/// it while presenting ([`set_min_text_px`]) so that chart text stays readable on a projector.
static MIN_TEXT_PX: AtomicU32 = AtomicU32::new(DEFAULT_MIN_TEXT_PX);
/// [`MIN_TEXT_PX`]'s default.
pub const DEFAULT_MIN_TEXT_PX: u32 = 12;

/// Sets the smallest body text of every chart drawn from now on (clamped to 8..=96 pixels). Text
/// size changes no number a chart shows.
pub fn set_min_text_px(px: u32) {
    MIN_TEXT_PX.store(px.clamp(8, 96), Ordering::Relaxed);
}

impl FontSizes {
    /// Sizes for an area of `height` pixels: body ≈ height / 25 (at least the minimum set by
    /// [`set_min_text_px`], 12 px by default), title 1.2× body.
    pub(crate) fn for_height(height: u32) -> Self {
        Self::for_height_at_least(height, f64::from(MIN_TEXT_PX.load(Ordering::Relaxed)))
    }

    /// [`FontSizes::for_height`] with an explicit minimum body size.
    pub(crate) fn for_height_at_least(height: u32, min_body: f64) -> Self {
        let body = (f64::from(height) / 25.0).max(min_body).round();
        Self {
            body,
            title: (body * 1.2).round(),
        }
    }
}

/// An integer written in superscript digits (with a superscript minus), for tick labels like 10⁻³.
pub(crate) fn superscript(n: i64) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    n.to_string()
        .chars()
        .map(|ch| match ch.to_digit(10) {
            Some(d) => DIGITS[d as usize],
            None => '⁻',
        })
        .collect()
}

/// The title `title` and a font size at most `size` at which it fits in `max_width` pixels of
/// `area` (measured through the backend, so the page's own text metrics decide): a title is
/// made smaller rather than clipped, down to 8 px.
pub(crate) fn fitted_title_size<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    size: f64,
    max_width: f64,
) -> f64 {
    let font = TextStyle::from((FontFamily::SansSerif, size).into_font());
    let width = area
        .estimate_text_size(title, &font)
        .map(|(w, _)| f64::from(w))
        .unwrap_or(size * 0.6 * title.chars().count() as f64);
    if width <= max_width || width <= 0.0 {
        size
    } else {
        (size * max_width / width).floor().max(8.0)
    }
}

/// A chart's caption that fits its area's width (with a margin of a title size on each side),
/// for plotters' `ChartBuilder::caption`.
pub(crate) fn fitted_title<'t, DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &'t str,
    size: f64,
) -> (&'t str, FontDesc<'static>) {
    let (w, _) = area.dim_in_pixel();
    let fitted = fitted_title_size(area, title, size, f64::from(w) - 2.0 * size);
    (title, (FontFamily::SansSerif, fitted).into_font())
}

/// Pixels for the tick labels of a y axis (their widest label measured through the backend) and
/// the rotated axis description beside them: at least `4.2 × body`.
pub(crate) fn y_label_area<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ticks: &ticks::Ticks,
    body: f64,
) -> u32 {
    let font = TextStyle::from((FontFamily::SansSerif, body * 0.85).into_font());
    let widest = ticks
        .labels
        .iter()
        .max_by_key(|s| s.chars().count())
        .map_or(0.0, |s| {
            area.estimate_text_size(s, &font)
                .map(|(w, _)| f64::from(w))
                .unwrap_or(body * 0.6 * s.chars().count() as f64)
        });
    (widest + body * 2.4).max(body * 4.2).round() as u32
}

/// Checks that the area is at least `min_px` pixels on each side, fills it white and draws
/// `title` centred at its top. Returns the font sizes and the area's width and height in pixels.
pub(crate) fn begin_titled_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    what: &str,
    min_px: u32,
) -> Result<(FontSizes, f64, f64), ChartError> {
    let (w, h) = area.dim_in_pixel();
    if w < min_px || h < min_px {
        return Err(ChartError(format!("{what} area {w}×{h} is too small")));
    }
    area.fill(&WHITE)?;
    let fonts = FontSizes::for_height(h);
    let (w, h) = (f64::from(w), f64::from(h));
    let title_size = fitted_title_size(area, title, fonts.title, w - 2.0 * fonts.body);
    let title_style = (FontFamily::SansSerif, title_size)
        .into_font()
        .color(&INK)
        .pos(Pos::new(HPos::Center, VPos::Top));
    area.draw_text(
        title,
        &title_style,
        ((w / 2.0) as i32, (fonts.body * 0.4) as i32),
    )?;
    Ok((fonts, w, h))
}

/// Indices of at most `max_points` entries of a sequence of length `len`: every k-th entry from the
/// first, with the last one always included (it is the current state of a run).
pub(crate) fn decimated_indices(len: usize, max_points: usize) -> impl Iterator<Item = usize> {
    let stride = if max_points < 2 || len <= max_points {
        1
    } else {
        // ceil((len - 1) / (max_points - 1)) keeps the count ≤ max_points with the last appended.
        (len - 1).div_ceil(max_points - 1)
    };
    let last = len.checked_sub(1);
    (0..len)
        .step_by(stride)
        .chain(last.filter(|&l| l % stride != 0))
}

/// Drops points closer than `min_px` pixels (Euclidean) to the previously kept one, keeping the
/// first and the last. Backends take integer pixel coordinates, so a dense smooth curve would
/// otherwise be drawn as a staircase of 1-pixel steps with spiky line joins.
pub(crate) fn thin_by_pixels<P: Copy>(
    points: &[P],
    pixel: impl Fn(&P) -> (i32, i32),
    min_px: i32,
) -> Vec<P> {
    let min_sq = i64::from(min_px) * i64::from(min_px);
    let mut kept: Vec<P> = Vec::with_capacity(points.len());
    let mut last_px: Option<(i32, i32)> = None;
    for (i, p) in points.iter().enumerate() {
        let px = pixel(p);
        let far = last_px.is_none_or(|(x, y)| {
            let (dx, dy) = (
                i64::from(px.0) - i64::from(x),
                i64::from(px.1) - i64::from(y),
            );
            dx * dx + dy * dy >= min_sq
        });
        if far || i + 1 == points.len() {
            kept.push(*p);
            last_px = Some(px);
        }
    }
    kept
}

/// The text nodes of an SVG written by plotters' SVG backend, trimmed, in drawing order.
#[cfg(test)]
pub(crate) fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|chunk| {
            let body = chunk.split_once('>')?.1;
            Some(body.split_once("</text>")?.0.trim().to_string())
        })
        .collect()
}

/// The (x, y) attributes of the first SVG text node whose content is `text`.
#[cfg(test)]
pub(crate) fn svg_text_position(svg: &str, text: &str) -> Option<(f64, f64)> {
    svg.split("<text").skip(1).find_map(|chunk| {
        let (attrs, rest) = chunk.split_once('>')?;
        if rest.split_once("</text>")?.0.trim() != text {
            return None;
        }
        let attr = |name: &str| -> Option<f64> {
            let value = attrs.split(&format!(" {name}=\"")).nth(1)?;
            value.split('"').next()?.parse().ok()
        };
        Some((attr("x")?, attr("y")?))
    })
}

/// The number of points of every SVG polyline stroked in `color`, in drawing order.
#[cfg(test)]
pub(crate) fn svg_polylines(svg: &str, color: RGBColor) -> Vec<usize> {
    let stroke = format!("stroke=\"#{:02X}{:02X}{:02X}\"", color.0, color.1, color.2);
    svg.split("<polyline")
        .skip(1)
        .filter_map(|chunk| {
            let tag = chunk.split_once("/>")?.0;
            if !tag.contains(&stroke) {
                return None;
            }
            let points = tag.split("points=\"").nth(1)?.split('"').next()?;
            Some(points.split_whitespace().count())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_texts_reads_plotters_text_nodes() {
        let svg =
            "<svg>\n<text x=\"1\" y=\"2\">\nstep\n</text>\n<text a=\"b\">\nv\n</text>\n</svg>";
        assert_eq!(svg_texts(svg), vec!["step".to_string(), "v".to_string()]);
    }

    #[test]
    fn decimation_keeps_first_and_last_and_respects_the_cap() {
        for len in [0usize, 1, 2, 5, 1999, 2000, 2001, 4001, 10_000, 123_457] {
            let idx: Vec<usize> = decimated_indices(len, 2000).collect();
            assert!(idx.len() <= 2000, "len {len}: {} points", idx.len());
            if len == 0 {
                assert!(idx.is_empty());
                continue;
            }
            assert_eq!(idx.first(), Some(&0));
            assert_eq!(idx.last(), Some(&(len - 1)));
            assert!(idx.windows(2).all(|w| w[0] < w[1]));
            if len <= 2000 {
                assert_eq!(idx.len(), len);
            }
        }
    }

    #[test]
    fn pixel_thinning_keeps_ends_and_drops_close_points() {
        let pts: Vec<(i32, i32)> = (0..100).map(|i| (i / 10, 0)).collect();
        let kept = thin_by_pixels(&pts, |&p| p, 3);
        assert_eq!(kept.first(), Some(&(0, 0)));
        assert_eq!(kept.last(), Some(&(9, 0)));
        assert_eq!(kept, vec![(0, 0), (3, 0), (6, 0), (9, 0), (9, 0)]);
        assert!(thin_by_pixels(&[] as &[(i32, i32)], |&p| p, 3).is_empty());
    }

    #[test]
    fn font_sizes_scale_with_height_and_have_a_floor() {
        assert_eq!(FontSizes::for_height_at_least(100, 12.0).body, 12.0);
        assert_eq!(FontSizes::for_height_at_least(1000, 12.0).body, 40.0);
        // A projector's minimum wins over the height rule on small charts only.
        assert_eq!(FontSizes::for_height_at_least(300, 18.0).body, 18.0);
        assert_eq!(FontSizes::for_height_at_least(1000, 18.0).body, 40.0);
        assert!(FontSizes::for_height(1000).title > FontSizes::for_height(1000).body);
    }

    #[test]
    fn chart_error_displays_its_message() {
        let e = ChartError("backend gone".into());
        assert!(e.to_string().contains("backend gone"));
    }

    #[test]
    fn palette_runs_are_distinct() {
        assert_ne!(OBSTRUCTED, GOOD);
    }

    /// Writes the charts as SVG files into `target/chart-examples/` so a person can look at them:
    /// the two loss scales, one panel per sign of c, and a Fig. 3 style grid on one root area.
    #[test]
    fn writes_example_svgs_for_a_human_to_look_at() -> Result<(), Box<dyn std::error::Error>> {
        use plotters::prelude::*;

        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/chart-examples");
        std::fs::create_dir_all(&dir)?;

        // Synthetic curves shaped like Fig. 3c: one plateaus near 0.26, one goes to ~0.
        let obstructed: Vec<(f64, f64)> = (0..=500)
            .map(|t| (f64::from(t), 0.26 + 0.3 * (-f64::from(t) / 60.0).exp()))
            .collect();
        let good: Vec<(f64, f64)> = (0..=500)
            .map(|t| (f64::from(t), 0.56 * (-f64::from(t) / 45.0).exp()))
            .collect();
        let series = [
            LossSeries {
                label: "obstructed: both pathological (+, +)",
                points: &obstructed,
                color: OBSTRUCTED,
            },
            LossSeries {
                label: "good: (+, −)",
                points: &good,
                color: GOOD,
            },
        ];
        // A trajectory on Q(c) from v0 to v1 while w turns.
        let on_quadric = |c: f64, v0: f64, v1: f64| -> Vec<[f64; 3]> {
            (0..=500)
                .map(|i| {
                    let t = f64::from(i) / 500.0;
                    let v = v0 + (v1 - v0) * (1.0 - (-4.0 * t).exp());
                    let r = (c + v * v).max(0.0).sqrt();
                    let phi = 0.4 + 1.6 * t;
                    [r * phi.cos(), r * phi.sin(), v]
                })
                .collect()
        };
        let panels = [
            (
                "quadric-c-positive",
                1.0,
                on_quadric(1.0, 1.2, -0.6),
                GOOD,
                "neuron 1: c₁ = 1.00 (one sheet)",
            ),
            (
                "quadric-c-zero",
                0.0,
                on_quadric(0.0, 1.5, 0.4),
                GOOD,
                "neuron 1: c₁ = 0 (cone)",
            ),
            (
                "quadric-c-negative",
                -1.0,
                on_quadric(-1.0, 1.6, 1.05),
                OBSTRUCTED,
                "neuron 2: c₂ = −1.00 (two sheets)",
            ),
        ];

        let mut written = Vec::new();
        for log_scale in [false, true] {
            let name = if log_scale { "loss-log" } else { "loss-linear" };
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (800, 500)).into_drawing_area();
                let opts = LossChartOptions {
                    title: "Training loss (Fig. 3c)",
                    log_scale,
                    x_max: Some(500.0),
                };
                draw_loss_chart(&root, &series, &opts)?;
                root.present()?;
            }
            written.push((name.to_string(), svg));
        }
        for (name, c, traj, color, title) in &panels {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (560, 560)).into_drawing_area();
                let panel = QuadricPanel {
                    title,
                    c: *c,
                    trajectory: traj,
                    yaw: 0.7,
                    pitch: 0.35,
                    extent: 2.5,
                    centre: [0.0; 3],
                    color: *color,
                    overview: None,
                };
                draw_quadric_panel(&root, &panel)?;
                root.present()?;
            }
            written.push(((*name).to_string(), svg));
        }
        // Fig. 3 layout: two panels per run, loss curves below, all on one root area.
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (1200, 1200)).into_drawing_area();
            let (top, bottom) = root.split_vertically(800);
            let cells = top.split_evenly((2, 2));
            let grid = [
                (1, -1.0, on_quadric(-1.0, 1.6, 1.05), OBSTRUCTED),
                (2, -1.0, on_quadric(-1.0, 1.3, 1.02), OBSTRUCTED),
                (1, 1.0, on_quadric(1.0, 1.2, -0.6), GOOD),
                (2, -1.0, on_quadric(-1.0, -1.4, -1.1), GOOD),
            ];
            for (cell, (k, c, traj, color)) in cells.iter().zip(&grid) {
                let title = format!("neuron {k}: c{} = {c:.2}", if *k == 1 { '₁' } else { '₂' })
                    .replace('-', "\u{2212}");
                let panel = QuadricPanel {
                    title: &title,
                    c: *c,
                    trajectory: traj,
                    yaw: 0.7,
                    pitch: 0.35,
                    extent: 2.5,
                    centre: [0.0; 3],
                    color: *color,
                    overview: None,
                };
                draw_quadric_panel(cell, &panel)?;
            }
            let opts = LossChartOptions {
                title: "Training loss",
                log_scale: true,
                x_max: Some(500.0),
            };
            draw_loss_chart(&bottom, &series, &opts)?;
            root.present()?;
        }
        written.push(("fig3".to_string(), svg));

        for (name, svg) in &written {
            assert!(
                svg.starts_with("<svg") && svg.contains("<text"),
                "{name} is empty"
            );
            std::fs::write(dir.join(format!("{name}.svg")), svg)?;
        }
        assert!(dir.join("fig3.svg").is_file());
        Ok(())
    }
}
