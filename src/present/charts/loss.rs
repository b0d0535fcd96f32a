//! Loss curves: L(θ) against the gradient-descent step, one line per run (the paper's Fig. 3c).
//!
//! Conventions:
//! - a series is a slice of `(step, loss)` pairs in any order of steps the caller likes (normally
//!   increasing); points with a non-finite step or loss are skipped, the line joins their neighbours;
//! - x axis "step", from min(0, first step) to [`LossChartOptions::x_max`] if given (points beyond
//!   it are not drawn), else to the largest step in the data;
//! - linear y axis "loss L(θ)" from min(0, smallest loss) to 5 % above the largest loss;
//! - log y axis "loss L(θ), log scale": a loss ≤ 0 cannot be placed on it, so it is drawn at a
//!   floor one decade below the smallest positive loss (1e-12 if there is none);
//! - empty series draw empty axes (and still get their legend entry);
//! - long series are thinned to a few points per horizontal pixel, always keeping the last point.

use plotters::coord::Shift;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::legend::Legend;
use super::{ChartError, FontSizes, GRID, INK, decimated_indices, superscript, thin_by_pixels};

/// Floor of the log scale when no loss is positive.
const LOG_FLOOR: f64 = 1e-12;

/// One run's loss curve.
#[derive(Debug, Clone, Copy)]
pub struct LossSeries<'a> {
    /// Legend entry, e.g. "obstructed (+, +)".
    pub label: &'a str,
    /// `(step, loss)` pairs.
    pub points: &'a [(f64, f64)],
    /// Line colour, normally [`super::OBSTRUCTED`] or [`super::GOOD`].
    pub color: RGBColor,
}

/// Options of [`draw_loss_chart`].
#[derive(Debug, Clone, Copy)]
pub struct LossChartOptions<'a> {
    /// Title drawn above the chart (nothing is drawn if empty).
    pub title: &'a str,
    /// Logarithmic y axis.
    pub log_scale: bool,
    /// Fixed right end of the x axis (e.g. the run's total step count, so the axis does not move
    /// while the curve grows); `None` takes the largest step in the data.
    pub x_max: Option<f64>,
}

/// Draws loss curves with a title, labelled axes and a legend, filling `area` white first.
///
/// # Errors
/// [`ChartError`] with the backend's message if the backend fails to draw.
pub fn draw_loss_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &[LossSeries],
    opts: &LossChartOptions,
) -> Result<(), ChartError> {
    area.fill(&WHITE)?;
    let (width, height) = area.dim_in_pixel();
    let fonts = FontSizes::for_height(height);
    let body = fonts.body;

    let (x_lo, x_hi) = x_range(series, opts.x_max);
    let max_points = (2 * width as usize).max(1000);
    let curves: Vec<Vec<(f64, f64)>> = series
        .iter()
        .map(|s| finite_points(s.points, x_hi, max_points))
        .collect();

    let mut builder = ChartBuilder::on(area);
    builder
        .margin_top((body * 0.6) as u32)
        .margin_right((body * 1.2) as u32)
        .margin_left((body * 0.4) as u32)
        .margin_bottom((body * 0.4) as u32)
        .x_label_area_size((body * 2.9) as u32)
        .y_label_area_size((body * 4.6) as u32);
    if !opts.title.is_empty() {
        builder.caption(
            opts.title,
            (FontFamily::SansSerif, fonts.title).into_font().color(&INK),
        );
    }

    if opts.log_scale {
        let floor = log_floor(&curves);
        let curves: Vec<Vec<(f64, f64)>> = curves
            .into_iter()
            .map(|c| c.into_iter().map(|(x, y)| (x, y.max(floor))).collect())
            .collect();
        let y_max = curves
            .iter()
            .flatten()
            .map(|&(_, y)| y)
            .fold(floor, f64::max);
        // At least one decade, and headroom above the largest loss (8 % of the decades shown).
        let y_hi = (y_max * 1.5)
            .max(y_max * (y_max / floor).powf(0.08))
            .max(floor * 10.0);
        let mut chart = builder.build_cartesian_2d(x_lo..x_hi, (floor..y_hi).log_scale())?;
        finish(
            &mut chart,
            series,
            &curves,
            body,
            "loss L(θ), log scale",
            &log_tick,
        )
    } else {
        let y_lo = curves.iter().flatten().map(|&(_, y)| y).fold(0.0, f64::min);
        let y_max = curves
            .iter()
            .flatten()
            .map(|&(_, y)| y)
            .fold(f64::NEG_INFINITY, f64::max);
        let y_hi = if y_max > y_lo {
            y_max + 0.05 * (y_max - y_lo)
        } else {
            y_lo + 1.0
        };
        let mut chart = builder.build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)?;
        finish(&mut chart, series, &curves, body, "loss L(θ)", &linear_tick)
    }
}

/// Mesh, curves and legend on a built chart; shared by the linear and the log y axis.
fn finish<'a, DB, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y>>,
    series: &[LossSeries],
    curves: &[Vec<(f64, f64)>],
    body: f64,
    y_desc: &str,
    y_format: &dyn Fn(&f64) -> String,
) -> Result<(), ChartError>
where
    DB: DrawingBackend + 'a,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let text = (FontFamily::SansSerif, body).into_font().color(&INK);
    let ticks = (FontFamily::SansSerif, body * 0.85).into_font().color(&INK);
    chart
        .configure_mesh()
        .x_desc("step")
        .y_desc(y_desc)
        .axis_desc_style(text.clone())
        .label_style(ticks.clone())
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&linear_tick)
        .y_label_formatter(y_format)
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(INK.stroke_width(1))
        .draw()?;

    let line_width = ((body / 8.0).round() as u32).max(2);
    for (s, curve) in series.iter().zip(curves) {
        let style = s.color.stroke_width(line_width);
        chart.draw_series(LineSeries::new(
            thin_by_pixels(curve, |p| chart.backend_coord(p), 3),
            style,
        ))?;
    }
    if !series.is_empty() {
        let labels: Vec<String> = series.iter().map(|s| s.label.to_string()).collect();
        let legend = Legend::for_body(&labels, &text, body);
        let area = chart.plotting_area().strip_coord_spec();
        let sample_len = (body * 1.6) as i32;
        legend.draw_in_plot(
            &area,
            |size| legend_position(chart, curves, size),
            |area, i, (x, y)| {
                let style = series[i].color.stroke_width(line_width);
                area.draw(&PathElement::new(vec![(x, y), (x + sample_len, y)], style))?;
                Ok(())
            },
        )?;
    }
    Ok(())
}

/// The corner of the plotting area where a legend of `size` pixels covers the fewest curve pixels:
/// upper right unless a curve runs there, then lower left, upper left, lower right.
fn legend_position<'a, DB, Y>(
    chart: &ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y>>,
    curves: &[Vec<(f64, f64)>],
    (w, h): (i32, i32),
) -> SeriesLabelPosition
where
    DB: DrawingBackend + 'a,
    Y: Ranged<ValueType = f64>,
{
    // plotters puts a corner legend 5 px from the plotting area's edges; pad a few pixels more.
    const INSET: i32 = 5;
    const PAD: i32 = 4;
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let left = xr.start + INSET;
    let right = xr.end - INSET - w;
    let top = yr.start + INSET;
    let bottom = yr.end - INSET - h;
    let corners = [
        (SeriesLabelPosition::UpperRight, right, top),
        (SeriesLabelPosition::LowerLeft, left, bottom),
        (SeriesLabelPosition::UpperLeft, left, top),
        (SeriesLabelPosition::LowerRight, right, bottom),
    ];
    let mut hits = [0usize; 4];
    for curve in curves {
        let pixels: Vec<(i32, i32)> = curve.iter().map(|p| chart.backend_coord(p)).collect();
        let mut count = |(x, y): (f64, f64)| {
            for (hit, &(_, x0, y0)) in hits.iter_mut().zip(&corners) {
                let inside_x = x >= f64::from(x0 - PAD) && x <= f64::from(x0 + w + PAD);
                let inside_y = y >= f64::from(y0 - PAD) && y <= f64::from(y0 + h + PAD);
                if inside_x && inside_y {
                    *hit += 1;
                }
            }
        };
        if let Some(&(x, y)) = pixels.first() {
            count((f64::from(x), f64::from(y)));
        }
        for pair in pixels.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let (dx, dy) = (f64::from(b.0 - a.0), f64::from(b.1 - a.1));
            // A sample every ~4 px along the segment, so a line crossing a corner is caught.
            let n = ((dx.hypot(dy) / 4.0).ceil() as usize).clamp(1, 10_000);
            for j in 1..=n {
                let t = j as f64 / n as f64;
                count((f64::from(a.0) + t * dx, f64::from(a.1) + t * dy));
            }
        }
    }
    let best = (0..corners.len())
        .min_by_key(|&i| (hits[i], i))
        .unwrap_or(0);
    corners
        .into_iter()
        .nth(best)
        .map_or(SeriesLabelPosition::UpperRight, |(position, _, _)| position)
}

/// The x axis range: from min(0, smallest step) to `x_max` or the largest step, never empty.
fn x_range(series: &[LossSeries], x_max: Option<f64>) -> (f64, f64) {
    let steps = || {
        series
            .iter()
            .flat_map(|s| s.points.iter())
            .filter(|(x, y)| x.is_finite() && !y.is_nan())
            .map(|&(x, _)| x)
    };
    let lo = steps().fold(0.0, f64::min);
    let hi = match x_max {
        Some(m) if m.is_finite() && m > lo => m,
        _ => steps().fold(lo, f64::max),
    };
    if hi > lo { (lo, hi) } else { (lo, lo + 1.0) }
}

/// The finite points with step ≤ `x_hi`, thinned to at most `max_points`.
fn finite_points(points: &[(f64, f64)], x_hi: f64, max_points: usize) -> Vec<(f64, f64)> {
    let kept: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|&(x, y)| x.is_finite() && y.is_finite() && x <= x_hi)
        .collect();
    decimated_indices(kept.len(), max_points)
        .filter_map(|i| kept.get(i).copied())
        .collect()
}

/// Floor of the log axis: a decade below the smallest positive loss, or [`LOG_FLOOR`].
fn log_floor(curves: &[Vec<(f64, f64)>]) -> f64 {
    let min_pos = curves
        .iter()
        .flatten()
        .map(|&(_, y)| y)
        .filter(|&y| y > 0.0)
        .fold(f64::INFINITY, f64::min);
    if min_pos.is_finite() {
        (min_pos / 10.0).max(f64::MIN_POSITIVE)
    } else {
        LOG_FLOOR
    }
}

/// Tick label of a linear axis: integers without decimals, others with up to 3 decimals and no
/// trailing zeros; negative numbers with a true minus sign.
pub(crate) fn linear_tick(v: &f64) -> String {
    let v = *v;
    let s = if (v - v.round()).abs() < 1e-9 * v.abs().max(1.0) {
        format!("{}", v.round() as i64)
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    if s == "-0" {
        "0".into()
    } else {
        s.replace('-', "\u{2212}")
    }
}

/// Tick label of a log axis: plain decimals from 0.01 to 999, else powers of ten as `10⁻³` and
/// other values as `2×10⁻³`.
fn log_tick(v: &f64) -> String {
    let v = *v;
    if !(v.is_finite() && v > 0.0) || (1e-2..1e3).contains(&v) {
        return linear_tick(&v);
    }
    let mut k = v.log10().floor();
    let mut m = (v / 10f64.powf(k) * 10.0).round() / 10.0;
    if m >= 10.0 {
        m /= 10.0;
        k += 1.0;
    }
    let exponent = superscript(k as i64);
    if (m - 1.0).abs() < 1e-9 {
        format!("10{exponent}")
    } else {
        format!("{}×10{exponent}", linear_tick(&m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::present::charts::{GOOD, OBSTRUCTED, svg_polylines, svg_text_position, svg_texts};

    fn has_text(svg: &str, text: &str) -> bool {
        svg_texts(svg).iter().any(|t| t == text)
    }

    fn render(series: &[LossSeries], opts: &LossChartOptions) -> Result<String, ChartError> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (640, 420)).into_drawing_area();
            draw_loss_chart(&root, series, opts)?;
            root.present()?;
        }
        Ok(svg)
    }

    fn curve(n: usize, plateau: f64) -> Vec<(f64, f64)> {
        (0..n)
            .map(|i| {
                let t = i as f64;
                (t, plateau + 0.5 * (-t / 40.0).exp())
            })
            .collect()
    }

    #[test]
    fn draws_title_axis_labels_legend_and_both_curves() -> Result<(), ChartError> {
        let bad = curve(500, 0.26);
        let good = curve(500, 0.0);
        let series = [
            LossSeries {
                label: "obstructed (+, +)",
                points: &bad,
                color: OBSTRUCTED,
            },
            LossSeries {
                label: "good (+, −)",
                points: &good,
                color: GOOD,
            },
        ];
        let svg = render(
            &series,
            &LossChartOptions {
                title: "Fig. 3c: training loss",
                log_scale: false,
                x_max: None,
            },
        )?;
        assert!(has_text(&svg, "Fig. 3c: training loss"));
        assert!(has_text(&svg, "step"));
        assert!(has_text(&svg, "loss L(θ)"));
        assert!(!svg.contains("log scale"));
        assert!(has_text(&svg, "obstructed (+, +)"));
        assert!(has_text(&svg, "good (+, −)"));
        // Both curves in their colours, at least 2 points each.
        // Each run: its curve (many points) and its 2-point legend sample.
        for color in [OBSTRUCTED, GOOD] {
            let lines = svg_polylines(&svg, color);
            assert!(lines.iter().any(|&n| n >= 50), "curve missing: {lines:?}");
            assert!(lines.contains(&2), "legend sample missing: {lines:?}");
        }
        Ok(())
    }

    #[test]
    fn log_scale_copes_with_zero_negative_and_non_finite_losses() -> Result<(), ChartError> {
        let pts = vec![
            (0.0, 1.0),
            (1.0, 0.1),
            (2.0, 0.0),
            (3.0, -1e-3),
            (4.0, f64::NAN),
            (5.0, f64::INFINITY),
            (f64::NAN, 0.5),
            (6.0, 1e-4),
        ];
        let series = [LossSeries {
            label: "run",
            points: &pts,
            color: GOOD,
        }];
        let svg = render(
            &series,
            &LossChartOptions {
                title: "log",
                log_scale: true,
                x_max: Some(10.0),
            },
        )?;
        assert!(has_text(&svg, "loss L(θ), log scale"));
        // The 5 finite points (two of them at the floor) are all drawn.
        assert!(svg_polylines(&svg, GOOD).contains(&5));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        // The floor is a decade below the smallest positive loss.
        let floor = log_floor(&[finite_points(&pts, 10.0, 1000)]);
        assert!((floor - 1e-5).abs() < 1e-18);
        Ok(())
    }

    #[test]
    fn log_scale_with_only_zero_losses_uses_the_fixed_floor() -> Result<(), ChartError> {
        let pts = vec![(0.0, 0.0), (1.0, 0.0)];
        assert_eq!(log_floor(std::slice::from_ref(&pts)), LOG_FLOOR);
        let series = [LossSeries {
            label: "zero",
            points: &pts,
            color: GOOD,
        }];
        let svg = render(
            &series,
            &LossChartOptions {
                title: "zeros",
                log_scale: true,
                x_max: None,
            },
        )?;
        assert!(has_text(&svg, "zeros"));
        Ok(())
    }

    #[test]
    fn empty_series_draw_empty_axes() -> Result<(), ChartError> {
        for log_scale in [false, true] {
            let series = [LossSeries {
                label: "nothing yet",
                points: &[],
                color: OBSTRUCTED,
            }];
            let svg = render(
                &series,
                &LossChartOptions {
                    title: "empty",
                    log_scale,
                    x_max: None,
                },
            )?;
            assert!(has_text(&svg, "step"));
            assert!(has_text(&svg, "nothing yet"));
            let svg = render(
                &[],
                &LossChartOptions {
                    title: "no series",
                    log_scale,
                    x_max: Some(500.0),
                },
            )?;
            assert!(has_text(&svg, "no series"));
            assert!(has_text(&svg, "500"), "fixed x_max sets the axis end");
        }
        Ok(())
    }

    #[test]
    fn legend_moves_out_of_the_way_of_the_curves() -> Result<(), ChartError> {
        let opts = LossChartOptions {
            title: "legend",
            log_scale: false,
            x_max: None,
        };
        // A decaying curve leaves the upper right free: the legend goes there.
        let decaying = curve(200, 0.0);
        let svg = render(
            &[LossSeries {
                label: "decaying",
                points: &decaying,
                color: GOOD,
            }],
            &opts,
        )?;
        let (x, y) = svg_text_position(&svg, "decaying").ok_or(ChartError("no label".into()))?;
        assert!(x > 320.0 && y < 210.0, "legend at ({x}, {y})");
        // A curve along the top blocks both upper corners: the legend goes to the lower left.
        let flat: Vec<(f64, f64)> = (0..200).map(|i| (f64::from(i), 1.0)).collect();
        let svg = render(
            &[LossSeries {
                label: "flat",
                points: &flat,
                color: OBSTRUCTED,
            }],
            &opts,
        )?;
        let (x, y) = svg_text_position(&svg, "flat").ok_or(ChartError("no label".into()))?;
        assert!(x < 320.0 && y > 210.0, "legend at ({x}, {y})");
        Ok(())
    }

    #[test]
    fn x_max_fixes_the_axis_and_drops_later_points() {
        let pts = [(0.0, 1.0), (5.0, 0.5), (20.0, 0.1)];
        let series = [LossSeries {
            label: "a",
            points: &pts,
            color: GOOD,
        }];
        assert_eq!(x_range(&series, Some(10.0)), (0.0, 10.0));
        assert_eq!(x_range(&series, None), (0.0, 20.0));
        assert_eq!(x_range(&[], None), (0.0, 1.0));
        assert_eq!(finite_points(&pts, 10.0, 1000).len(), 2);
    }

    #[test]
    fn long_series_are_thinned_but_keep_their_last_point() {
        let pts: Vec<(f64, f64)> = (0..100_000).map(|i| (i as f64, 1.0)).collect();
        let kept = finite_points(&pts, f64::INFINITY, 1280);
        assert!(kept.len() <= 1280);
        assert_eq!(kept.last(), Some(&(99_999.0, 1.0)));
    }

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(linear_tick(&100.0), "100");
        assert_eq!(linear_tick(&0.25), "0.25");
        assert_eq!(linear_tick(&-0.0), "0");
        assert_eq!(linear_tick(&-0.5), "−0.5");
        assert_eq!(log_tick(&1e-3), "10⁻³");
        assert_eq!(log_tick(&2e-3), "2×10⁻³");
        assert_eq!(log_tick(&1e-12), "10⁻¹²");
        assert_eq!(log_tick(&0.1), "0.1");
        assert_eq!(log_tick(&1.0), "1");
        assert_eq!(log_tick(&1e5), "10⁵");
    }
}
