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
//! - ticks and their labels come from `ticks` (scientific notation for huge or tiny values; a log
//!   axis that spans less than a decade gets 2× and 5× or plain decimal ticks);
//! - long series are thinned to a few points per horizontal pixel, always keeping the last point.

use plotters::coord::Shift;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::prelude::*;

use super::legend::Legend;
use plotters::coord::combinators::LogCoord;
use plotters::coord::types::RangedCoordf64;

use super::ticks::{Keyed, Ticks, linear_ticks, log_ticks, number_tick};
use super::{
    ChartError, FontSizes, GRID, INK, decimated_indices, fitted_title, thin_by_pixels, y_label_area,
};

/// Floor of the log scale when no loss is positive.
const LOG_FLOOR: f64 = 1e-12;
/// The log axis of a chart without any point yet: two decades below 1.
const EMPTY_LOG_RANGE: (f64, f64) = (0.01, 1.0);

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
    let labels: Vec<String> = series.iter().map(|s| s.label.to_string()).collect();
    let text = (FontFamily::SansSerif, body).into_font().color(&INK);
    let legend = Legend::for_body(&labels, &text, body);
    let legend_size = legend.size(area)?;
    // A legend too large for a corner of the plot gets a band of its own below the chart.
    let below = !series.is_empty() && legend_needs_band(legend_size, (width, height), body);
    let (area, band) = if below {
        let band_h = legend_size.1 + (body * 0.6) as i32;
        let (top, bottom) = area.split_vertically(height as i32 - band_h);
        (top, Some(bottom))
    } else {
        (area.clone(), None)
    };
    let area = &area;

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
        .x_label_area_size((body * 2.9) as u32);
    if !opts.title.is_empty() {
        let (title, font) = fitted_title(area, opts.title, fonts.title);
        builder.caption(title, font.color(&INK));
    }

    let x_ticks = linear_ticks(x_lo, x_hi, 6, 1.0);
    let x_range = Keyed::new(RangedCoordf64::from(x_lo..x_hi), &x_ticks);
    if opts.log_scale {
        let any_point = curves.iter().any(|c| !c.is_empty());
        let floor = if any_point {
            log_floor(&curves)
        } else {
            EMPTY_LOG_RANGE.0
        };
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
        let y_hi = if any_point {
            (y_max * 1.5)
                .max(y_max * (y_max / floor).powf(0.08))
                .max(floor * 10.0)
                .min(f64::MAX)
        } else {
            EMPTY_LOG_RANGE.1
        };
        let y_ticks = log_ticks(floor, y_hi, 6);
        let y_range = Keyed::new(LogCoord::from((floor..y_hi).log_scale()), &y_ticks);
        builder.y_label_area_size(y_label_area(area, &y_ticks, body).max((body * 4.6) as u32));
        let mut chart = builder.build_cartesian_2d(x_range, y_range)?;
        finish(
            &mut chart,
            series,
            &curves,
            body,
            "loss L(θ), log scale",
            (&x_ticks, &y_ticks),
            (band.is_none() && !series.is_empty()).then_some(&legend),
        )?;
    } else {
        let y_lo = curves.iter().flatten().map(|&(_, y)| y).fold(0.0, f64::min);
        let y_max = curves
            .iter()
            .flatten()
            .map(|&(_, y)| y)
            .fold(f64::NEG_INFINITY, f64::max);
        let y_hi = if y_max > y_lo {
            // 5 % headroom, computed so that it cannot overflow.
            (y_max + 0.05 * (y_max / 2.0 - y_lo / 2.0) * 2.0).min(f64::MAX)
        } else {
            y_lo + 1.0
        };
        let y_ticks = linear_ticks(y_lo, y_hi, 6, 0.0);
        let y_range = Keyed::new(RangedCoordf64::from(y_lo..y_hi), &y_ticks);
        builder.y_label_area_size(y_label_area(area, &y_ticks, body).max((body * 4.6) as u32));
        let mut chart = builder.build_cartesian_2d(x_range, y_range)?;
        finish(
            &mut chart,
            series,
            &curves,
            body,
            "loss L(θ)",
            (&x_ticks, &y_ticks),
            (band.is_none() && !series.is_empty()).then_some(&legend),
        )?;
    }
    if let Some(band) = band {
        let (w, _) = legend_size;
        let (band_w, _) = band.dim_in_pixel();
        let at = (((band_w as i32 - w) / 2).max(0), 0);
        legend.draw(
            &band,
            at,
            WHITE.mix(0.9).filled(),
            INK.mix(0.6).into(),
            legend_sample(series, body),
        )?;
    }
    Ok(())
}

/// Whether a legend of `(w, h)` pixels on a loss chart of `(width, height)` pixels with body text
/// of `body` pixels goes in a band below the chart: when it would take more than
/// [`LEGEND_MAX_WIDTH_SHARE`] of the plot's width or [`LEGEND_MAX_HEIGHT_SHARE`] of its height.
/// It is a rule of size, decided before the chart is built: a legend that large would cover the
/// curves in most corners. The plot's size is estimated from the chart's margins and label
/// areas.
fn legend_needs_band((w, h): (i32, i32), (width, height): (u32, u32), body: f64) -> bool {
    let plot_w = f64::from(width) - body * (0.4 + 1.2 + 4.6);
    let plot_h = f64::from(height) - body * (0.6 + 0.4 + 2.9 + 1.5);
    f64::from(w) > LEGEND_MAX_WIDTH_SHARE * plot_w
        || f64::from(h) > LEGEND_MAX_HEIGHT_SHARE * plot_h
}

/// The widest share of the plot a legend inside it may take ([`legend_needs_band`]).
const LEGEND_MAX_WIDTH_SHARE: f64 = 0.7;
/// The tallest share of the plot a legend inside it may take ([`legend_needs_band`]).
const LEGEND_MAX_HEIGHT_SHARE: f64 = 0.35;

/// The curves' stroke width for body text of `body` pixels.
fn curve_width(body: f64) -> u32 {
    ((body / 8.0).round() as u32).max(2)
}

/// Mesh, curves and legend on a built chart; shared by the linear and the log y axis.
fn finish<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    series: &[LossSeries],
    curves: &[Vec<(f64, f64)>],
    body: f64,
    y_desc: &str,
    (x_ticks, y_ticks): (&Ticks, &Ticks),
    legend_in_plot: Option<&Legend>,
) -> Result<(), ChartError>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let x_format = |v: &f64| x_ticks.label(*v);
    let y_format = |v: &f64| y_ticks.label(*v);
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
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(INK.stroke_width(1))
        .draw()?;

    let line_width = curve_width(body);
    for (s, curve) in series.iter().zip(curves) {
        let style = s.color.stroke_width(line_width);
        chart.draw_series(LineSeries::new(
            thin_by_pixels(curve, |p| chart.backend_coord(p), 3),
            style,
        ))?;
    }
    if let Some(legend) = legend_in_plot {
        let area = chart.plotting_area().strip_coord_spec();
        legend.draw_in_plot(
            &area,
            |size| legend_position(chart, curves, size),
            legend_sample(series, body),
        )?;
    }
    Ok(())
}

/// Draws entry `i`'s sample of a loss legend: a short stretch of its curve's line.
fn legend_sample<DB: DrawingBackend>(
    series: &[LossSeries],
    body: f64,
) -> impl FnMut(&DrawingArea<DB, Shift>, usize, (i32, i32)) -> Result<(), ChartError> {
    let sample_len = (body * 1.6) as i32;
    let line_width = curve_width(body);
    move |area, i, (x, y)| {
        let style = series[i].color.stroke_width(line_width);
        area.draw(&PathElement::new(vec![(x, y), (x + sample_len, y)], style))?;
        Ok(())
    }
}

/// The corner of the plotting area where a legend of `size` pixels covers the fewest curve pixels:
/// upper right unless a curve runs there, then lower left, upper left, lower right.
fn legend_position<'a, DB, X, Y>(
    chart: &ChartContext<'a, DB, Cartesian2d<X, Y>>,
    curves: &[Vec<(f64, f64)>],
    (w, h): (i32, i32),
) -> SeriesLabelPosition
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64>,
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

/// The x axis range: from min(0, smallest step) to `x_max` or the largest step, never empty (ten
/// steps when the data give no range).
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
    // An empty run (or one at step 0) still gets an axis of a few whole steps.
    if hi > lo { (lo, hi) } else { (lo, lo + 10.0) }
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

/// Tick label of a linear axis without a known step (see [`super::ticks::number_tick`]).
pub(crate) fn linear_tick(v: &f64) -> String {
    number_tick(*v)
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
    fn a_legend_too_large_for_the_plot_gets_a_band_below_it() -> Result<(), ChartError> {
        let opts = LossChartOptions {
            title: "Training loss (Fig. 3c)",
            log_scale: true,
            x_max: Some(500.0),
        };
        let (top, bottom) = (curve(400, 0.2), curve(400, 0.0));
        let series = [
            LossSeries {
                label: "Top run: obstructed (+,+)",
                points: &top,
                color: OBSTRUCTED,
            },
            LossSeries {
                label: "Bottom run: good (+,−)",
                points: &bottom,
                color: GOOD,
            },
        ];
        let at = |svg: &str, text: &str| {
            svg_text_position(svg, text).ok_or_else(|| ChartError(format!("no {text}")))
        };
        for (size, below) in [((300, 300), true), ((260, 330), true), ((640, 420), false)] {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
                draw_loss_chart(&root, &series, &opts)?;
                root.present()?;
            }
            // "step", the x axis's name, is the lowest text of the chart itself.
            let (_, step_y) = at(&svg, "step")?;
            for label in ["Top run: obstructed (+,+)", "Bottom run: good (+,−)"] {
                let (x, y) = at(&svg, label)?;
                assert_eq!(
                    y > step_y,
                    below,
                    "{size:?}: {label} at y = {y}, step at {step_y}"
                );
                assert!(
                    x >= 0.0 && x < f64::from(size.0),
                    "{size:?}: {label} at x = {x}"
                );
            }
            // Both curves are drawn either way, and the legend's samples too.
            assert!(svg_polylines(&svg, OBSTRUCTED).iter().any(|&n| n > 10));
            assert!(svg_polylines(&svg, GOOD).iter().any(|&n| n > 10));
            assert!(
                svg_polylines(&svg, GOOD).contains(&2),
                "{size:?}: no legend sample"
            );
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
        assert_eq!(x_range(&[], None), (0.0, 10.0));
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
        let log = |lo: f64, hi: f64| log_ticks(lo, hi, 6).labels;
        assert_eq!(log(1e-3, 3e-3), ["10⁻³", "2×10⁻³", "3×10⁻³"]);
        assert!(log(1e-12, 1e-9).contains(&"10⁻¹²".to_string()));
        assert_eq!(log(0.1, 1.0), ["0.1", "0.2", "0.5", "1"]);
        assert!(log(1e5, 1e7).contains(&"10⁵".to_string()));
    }

    /// The tick labels of the y axis: texts that read as numbers (or powers of ten) and are not
    /// x ticks (those are whole steps here, drawn below the plot).
    fn numeric_texts(svg: &str) -> Vec<String> {
        svg_texts(svg)
            .into_iter()
            .filter(|t| {
                let t = t.replace('−', "-");
                t.parse::<f64>().is_ok() || t.contains("×10") || t.starts_with("10")
            })
            .collect()
    }

    /// Issue 12: a short run on the log scale (loss between 0.2 and 0.5) had one tick label; an
    /// empty chart at step 0 had a one-step axis with decimals of a step.
    #[test]
    fn short_log_runs_and_empty_charts_get_several_ticks() -> Result<(), ChartError> {
        let short: Vec<(f64, f64)> = (0..30)
            .map(|i| (f64::from(i), 0.5 - 0.01 * f64::from(i)))
            .collect();
        let series = [LossSeries {
            label: "short",
            points: &short,
            color: GOOD,
        }];
        let opts = LossChartOptions {
            title: "short",
            log_scale: true,
            x_max: None,
        };
        let svg = render(&series, &opts)?;
        let y: Vec<String> = numeric_texts(&svg)
            .into_iter()
            .filter(|t| t.contains('.') || t.contains("×10"))
            .collect();
        assert!(y.len() >= 3, "log ticks {y:?}");
        // Each log tick reads as a value inside the axis (a decade below 0.21 up to above 0.5).
        for t in &y {
            let v: f64 = t.parse().unwrap_or(f64::NAN);
            assert!(v > 0.02 && v < 1.0, "{t}");
        }
        for log_scale in [false, true] {
            for points in [&[][..], &[(0.0, 0.3)][..]] {
                let series = [LossSeries {
                    label: "step 0",
                    points,
                    color: GOOD,
                }];
                let svg = render(
                    &series,
                    &LossChartOptions {
                        title: "empty",
                        log_scale,
                        x_max: None,
                    },
                )?;
                let texts = numeric_texts(&svg);
                // Whole steps on x (no "0.2" of a step), at least three of them, and at least
                // three y labels.
                let x: Vec<&String> = texts.iter().filter(|t| !t.contains('.')).collect();
                assert!(x.len() >= 3, "log {log_scale}, {points:?}: {texts:?}");
                assert!(
                    texts.len() - x.len() >= 2,
                    "log {log_scale}, {points:?}: {texts:?}"
                );
            }
        }
        Ok(())
    }

    /// A diverging run's loss (1e132) on the linear axis: scientific labels, none saturated, the
    /// top one near the data.
    #[test]
    fn huge_losses_get_scientific_labels() -> Result<(), ChartError> {
        let pts = [(0.0, 0.3), (1.0, 4e40), (2.0, 3.987e132)];
        let series = [LossSeries {
            label: "diverging",
            points: &pts,
            color: OBSTRUCTED,
        }];
        for log_scale in [false, true] {
            let svg = render(
                &series,
                &LossChartOptions {
                    title: "huge",
                    log_scale,
                    x_max: None,
                },
            )?;
            let texts = svg_texts(&svg);
            assert!(
                texts
                    .iter()
                    .all(|t| t.chars().count() < 24 && !t.contains("922337")),
                "{texts:?}"
            );
            if !log_scale {
                let top = texts
                    .iter()
                    .filter_map(|t| t.parse::<f64>().ok())
                    .fold(0.0, f64::max);
                assert!(top > 1e132 && top < 5e132, "{texts:?}");
            }
        }
        Ok(())
    }
}
