//! Charts of the Fig. 4 sweep: mean test BCE against l+ (or against the percentage l+/l), one
//! curve per width l with error bars, and the grid of means over (l, l+) for the heatmap.
//!
//! Conventions:
//! - the input is the sweep's rows ([`SweepRow`]), in any order; rows whose mean is not finite are
//!   skipped (a row with a non-finite standard deviation is drawn without its error bar);
//! - one curve per width l, widths in increasing order, colours from [`width_color`] (Okabe–Ito),
//!   legend entries "l = 1", "l = 2", …; points joined by lines in increasing x, a filled dot at
//!   each mean and a vertical error bar of ± one (sample) standard deviation over seeds;
//! - x is l+ ([`SweepAxis::LPlus`]) or 100 · l+ / l in percent ([`SweepAxis::Percentage`]). Widths
//!   share x positions (every width has l+ = 0, and 0 %, 50 %, 100 %), so each curve is shifted
//!   sideways by a few pixels ("dodged", at most ±1.5 % of the x span) to keep its error bars
//!   visible; the shift is drawing only, the data are not changed;
//! - y is "test BCE" from min(0, lowest bar end) to 5 % above the highest bar end;
//! - the heatmap grid ([`sweep_grid`]) has one column per width (increasing) and one row per
//!   l+ = 0, 1, …, max l; a cell with l+ > l, or without a row, is NaN (no data).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::heatmap::{Heatmap, HeatmapLayout, draw_heatmap};
use super::legend::Legend;
use plotters::coord::types::RangedCoordf64;

use super::ticks::{Keyed, linear_ticks};
use super::{ChartError, FontSizes, GOOD, GRID, INK, OBSTRUCTED, fitted_title, y_label_area};
use crate::experiments::sweep::SweepRow;

/// What the x axis of [`draw_sweep_curves`] shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepAxis {
    /// The number l+ of non-pathological neurons.
    LPlus,
    /// The percentage 100 · l+ / l of non-pathological neurons.
    Percentage,
}

impl SweepAxis {
    /// The x coordinate of a row on this axis.
    pub fn x_of(self, row: &SweepRow) -> f64 {
        match self {
            Self::LPlus => row.l_plus as f64,
            Self::Percentage => 100.0 * row.l_plus as f64 / row.l as f64,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::LPlus => "Test BCE against l+ (mean ± std over seeds)",
            Self::Percentage => "Test BCE against l+/l (mean ± std over seeds)",
        }
    }

    fn x_desc(self) -> &'static str {
        match self {
            Self::LPlus => "l+ (non-pathological neurons)",
            Self::Percentage => "l+/l (%)",
        }
    }
}

/// The colour of the i-th width (in increasing order): Okabe–Ito blue, vermillion, bluish green,
/// reddish purple, orange, sky blue, then near-black; cycles after that.
pub fn width_color(i: usize) -> RGBColor {
    const COLORS: [RGBColor; 7] = [
        GOOD,
        OBSTRUCTED,
        RGBColor(0, 158, 115),
        RGBColor(204, 121, 167),
        RGBColor(230, 159, 0),
        RGBColor(86, 180, 233),
        INK,
    ];
    COLORS[i % COLORS.len()]
}

/// One curve: a width and its `(x, mean, std)` points in increasing x.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepCurve {
    /// Width l.
    pub l: usize,
    /// `(x, mean test BCE, std)` in increasing x; only finite means.
    pub points: Vec<(f64, f64, f64)>,
}

/// The curves of [`draw_sweep_curves`]: one per width, widths increasing.
pub fn sweep_curves(rows: &[SweepRow], axis: SweepAxis) -> Vec<SweepCurve> {
    let mut widths: Vec<usize> = rows.iter().map(|r| r.l).collect();
    widths.sort_unstable();
    widths.dedup();
    widths
        .into_iter()
        .map(|l| {
            let mut points: Vec<(f64, f64, f64)> = rows
                .iter()
                .filter(|r| r.l == l && r.mean_test_bce.is_finite())
                .map(|r| (axis.x_of(r), r.mean_test_bce, r.std_test_bce))
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            SweepCurve { l, points }
        })
        .collect()
}

/// The heatmap grid of a sweep: column values (the widths, increasing), row values
/// (l+ = 0..=max width) and the mean test BCE row-major, `values[row * columns + col]`, NaN where
/// there is no row (in particular where l+ > l).
pub fn sweep_grid(rows: &[SweepRow]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut widths: Vec<usize> = rows.iter().map(|r| r.l).collect();
    widths.sort_unstable();
    widths.dedup();
    let max_l = widths.last().copied().unwrap_or(0);
    let x: Vec<f64> = widths.iter().map(|&l| l as f64).collect();
    let y: Vec<f64> = (0..=max_l).map(|p| p as f64).collect();
    let mut values = vec![f64::NAN; x.len() * y.len()];
    for r in rows {
        if let Ok(col) = widths.binary_search(&r.l)
            && r.l_plus <= r.l
        {
            values[r.l_plus * widths.len() + col] = r.mean_test_bce;
        }
    }
    (x, y, values)
}

/// The smallest and largest finite value, or (0, 1) when there is none (a flat range is widened
/// so the colour bar is not empty).
fn finite_range(values: &[f64]) -> (f64, f64) {
    let (lo, hi) = values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        (0.0, 1.0)
    } else if lo == hi {
        (lo - 0.5 * lo.abs().max(1e-3), hi + 0.5 * hi.abs().max(1e-3))
    } else {
        (lo, hi)
    }
}

/// Draws the mean test BCE over (l, l+) as a heatmap: widths as columns, l+ as rows, no data where
/// l+ > l. `highlight` is passed on to the heatmap chart.
///
/// # Errors
/// [`ChartError`] with the backend's message if the backend fails to draw.
pub fn draw_sweep_heatmap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rows: &[SweepRow],
    highlight: Option<(usize, usize)>,
) -> Result<HeatmapLayout, ChartError> {
    let (x, y, values) = sweep_grid(rows);
    let map = Heatmap {
        title: "Mean test BCE by width l and l+",
        x_label: "width l",
        y_label: "l+ (non-pathological neurons)",
        x_values: &x,
        y_values: &y,
        values: &values,
        range: finite_range(&values),
        colorbar_label: "test BCE",
        highlight,
    };
    draw_heatmap(area, &map)
}

/// Draws the mean test BCE against l+ or l+/l, one curve per width with ± std error bars, a title,
/// labelled axes and a legend, filling `area` white first. Empty rows draw empty axes.
///
/// # Errors
/// [`ChartError`] with the backend's message if the backend fails to draw.
pub fn draw_sweep_curves<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rows: &[SweepRow],
    x_axis: SweepAxis,
) -> Result<(), ChartError> {
    area.fill(&WHITE)?;
    let (_, height) = area.dim_in_pixel();
    let fonts = FontSizes::for_height(height);
    let body = fonts.body;
    let curves = sweep_curves(rows, x_axis);

    let bar_ends = curves
        .iter()
        .flat_map(|c| &c.points)
        .flat_map(|&(_, m, s)| {
            let s = if s.is_finite() { s } else { 0.0 };
            [m - s, m + s]
        });
    let (y_min, y_max) = bar_ends.fold((0.0f64, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let y_hi = if y_max > y_min {
        // 5 % headroom, computed so that it cannot overflow.
        (y_max + 0.05 * (y_max / 2.0 - y_min / 2.0) * 2.0).min(f64::MAX)
    } else {
        y_min + 1.0
    };
    let x_max = match x_axis {
        SweepAxis::Percentage => 100.0,
        SweepAxis::LPlus => curves
            .iter()
            .flat_map(|c| &c.points)
            .map(|p| p.0)
            .fold(1.0, f64::max),
    };
    // Room at both ends so the dots and the dodged bars at 0 and at the end stay inside.
    let pad = 0.04 * x_max;
    let (x_lo, x_hi) = (-pad, x_max + pad);
    let x_ticks = match x_axis {
        // Whole numbers of neurons only, at most ~9 of them.
        SweepAxis::LPlus => linear_ticks(0.0, x_max, 8, 1.0),
        SweepAxis::Percentage => linear_ticks(0.0, 100.0, 5, 0.0),
    };
    let y_ticks = linear_ticks(y_min, y_hi, 6, 0.0);

    let text = (FontFamily::SansSerif, body).into_font().color(&INK);
    let ticks = (FontFamily::SansSerif, body * 0.85).into_font().color(&INK);
    let title = fitted_title(area, x_axis.title(), fonts.title);
    let mut chart = ChartBuilder::on(area)
        .margin_top((body * 0.6) as u32)
        .margin_right((body * 1.2) as u32)
        .margin_left((body * 0.4) as u32)
        .margin_bottom((body * 0.4) as u32)
        .x_label_area_size((body * 2.9) as u32)
        .y_label_area_size(y_label_area(area, &y_ticks, body))
        .caption(title.0, title.1.color(&INK))
        .build_cartesian_2d(
            Keyed::new(RangedCoordf64::from(x_lo..x_hi), &x_ticks),
            Keyed::new(RangedCoordf64::from(y_min..y_hi), &y_ticks),
        )?;
    let x_format = move |x: &f64| match x_axis {
        SweepAxis::LPlus => x_ticks.label(*x),
        SweepAxis::Percentage => format!("{} %", x_ticks.label(*x)),
    };
    let y_format = |y: &f64| y_ticks.label(*y);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(x_axis.x_desc())
        .y_desc("test BCE")
        .axis_desc_style(text.clone())
        .label_style(ticks)
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(INK.stroke_width(1));
    mesh.draw()?;

    let line_width = ((body / 8.0).round() as u32).max(2);
    let dot = ((body / 4.0).round() as i32).max(3);
    let cap = dot + 1;
    // Sideways shift of each curve, in data units: at most ±1.5 % of the span in total.
    let n = curves.len();
    let span = x_hi - x_lo;
    let step = if n > 1 {
        0.03 * span / (n - 1) as f64
    } else {
        0.0
    };
    for (i, curve) in curves.iter().enumerate() {
        let color = width_color(i);
        let style = color.stroke_width(line_width);
        let shift = (i as f64 - (n as f64 - 1.0) / 2.0) * step;
        let pts: Vec<(f64, f64)> = curve
            .points
            .iter()
            .map(|&(x, m, _)| (x + shift, m))
            .collect();
        chart.draw_series(LineSeries::new(pts.clone(), style))?;
        let bar_style = color.stroke_width((line_width / 2).max(1));
        for &(x, m, s) in &curve.points {
            if !(s.is_finite() && s > 0.0) {
                continue;
            }
            let x = x + shift;
            chart.draw_series(std::iter::once(
                EmptyElement::at((x, m - s))
                    + PathElement::new(vec![(-cap, 0), (cap, 0)], bar_style),
            ))?;
            chart.draw_series(std::iter::once(
                EmptyElement::at((x, m + s))
                    + PathElement::new(vec![(-cap, 0), (cap, 0)], bar_style),
            ))?;
            chart.draw_series(LineSeries::new([(x, m - s), (x, m + s)], bar_style))?;
        }
        chart.draw_series(pts.iter().map(|&p| Circle::new(p, dot, color.filled())))?;
    }
    if !curves.is_empty() {
        let labels: Vec<String> = curves.iter().map(|c| format!("l = {}", c.l)).collect();
        let legend = Legend::for_body(&labels, &text, body);
        let area = chart.plotting_area().strip_coord_spec();
        let legend_len = (body * 1.6) as i32;
        legend.draw_in_plot(
            &area,
            |size| legend_corner(&chart, &curves, n, step, size),
            |area, i, (x, y)| {
                let color = width_color(i);
                let style = color.stroke_width(line_width);
                area.draw(&PathElement::new(vec![(x, y), (x + legend_len, y)], style))?;
                area.draw(&Circle::new((x + legend_len / 2, y), dot, color.filled()))?;
                Ok(())
            },
        )?;
    }
    Ok(())
}

/// Where the legend box covers the fewest samples of the data (dots, points along the curves and
/// along the error bars): the corners first (upper right, upper left, lower left, lower right),
/// then the middles of the edges, then a grid over the plot; the first best one wins.
fn legend_corner<'a, DB, X, Y>(
    chart: &ChartContext<'a, DB, Cartesian2d<X, Y>>,
    curves: &[SweepCurve],
    n: usize,
    step: f64,
    (w, h): (i32, i32),
) -> SeriesLabelPosition
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let (area_w, area_h) = (xr.end - xr.start, yr.end - yr.start);
    let mut samples: Vec<(f64, f64)> = Vec::new();
    for (i, c) in curves.iter().enumerate() {
        let shift = (i as f64 - (n as f64 - 1.0) / 2.0) * step;
        for (j, &(x, m, s)) in c.points.iter().enumerate() {
            let x = x + shift;
            let s = if s.is_finite() { s } else { 0.0 };
            samples.extend((0..=8).map(|k| (x, m - s + 2.0 * s * f64::from(k) / 8.0)));
            if let Some(&(x1, m1, _)) = c.points.get(j + 1) {
                let x1 = x1 + shift;
                samples.extend((1..16).map(|k| {
                    let t = f64::from(k) / 16.0;
                    (x + (x1 - x) * t, m + (m1 - m) * t)
                }));
            }
        }
    }
    let pixels: Vec<(i32, i32)> = samples
        .iter()
        .map(|p| chart.backend_coord(p))
        .map(|(x, y)| (x - xr.start, y - yr.start))
        .collect();
    let (right, bottom) = (area_w - w - 5, area_h - h - 5);
    let (mid_x, mid_y) = ((area_w - w) / 2, (area_h - h) / 2);
    let mut candidates = vec![
        (right, 5),
        (5, 5),
        (5, bottom),
        (right, bottom),
        (mid_x, 5),
        (right, mid_y),
        (5, mid_y),
        (mid_x, bottom),
    ];
    for gy in 0..=6 {
        for gx in 0..=6 {
            candidates.push((5 + (right - 5) * gx / 6, 5 + (bottom - 5) * gy / 6));
        }
    }
    let mut best = (usize::MAX, (right, 5));
    for (x0, y0) in candidates {
        let inside = pixels
            .iter()
            .filter(|&&(x, y)| x >= x0 - 3 && x <= x0 + w + 3 && y >= y0 - 3 && y <= y0 + h + 3)
            .count();
        if inside < best.0 {
            best = (inside, (x0, y0));
        }
    }
    SeriesLabelPosition::Coordinate(best.1.0, best.1.1)
}

#[cfg(test)]
mod tests {
    use super::super::{svg_polylines, svg_text_position, svg_texts};
    use super::*;

    fn row(l: usize, l_plus: usize, mean: f64, std: f64) -> SweepRow {
        SweepRow {
            l,
            l_plus,
            mean_test_bce: mean,
            std_test_bce: std,
            runs: 3,
            diverged_runs: 0,
        }
    }

    /// Rows of a sweep over `widths` with a made-up mean that falls with l+ (like Fig. 4).
    fn rows_for(widths: &[usize]) -> Vec<SweepRow> {
        widths
            .iter()
            .flat_map(|&l| {
                (0..=l).map(move |p| row(l, p, 0.6 - 0.4 * p as f64 / 16.0, 0.02 + 0.01 * p as f64))
            })
            .collect()
    }

    fn render_curves(rows: &[SweepRow], axis: SweepAxis) -> Result<String, ChartError> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (800, 520)).into_drawing_area();
            draw_sweep_curves(&root, rows, axis)?;
            root.present()?;
        }
        Ok(svg)
    }

    fn render_heatmap(
        rows: &[SweepRow],
        highlight: Option<(usize, usize)>,
    ) -> Result<(String, HeatmapLayout), ChartError> {
        let mut svg = String::new();
        let layout;
        {
            let root = SVGBackend::with_string(&mut svg, (640, 640)).into_drawing_area();
            layout = draw_sweep_heatmap(&root, rows, highlight)?;
            root.present()?;
        }
        Ok((svg, layout))
    }

    #[test]
    fn grid_puts_every_row_in_its_cell_and_nan_above_the_diagonal() {
        let widths = [16, 1, 4, 2, 8];
        let rows = rows_for(&widths);
        let (x, y, values) = sweep_grid(&rows);
        assert_eq!(x, vec![1.0, 2.0, 4.0, 8.0, 16.0]);
        assert_eq!(y, (0..=16).map(f64::from).collect::<Vec<_>>());
        assert_eq!(values.len(), 5 * 17);
        // Brute force: every cell against a linear search of the rows.
        for (r, &p) in y.iter().enumerate() {
            for (c, &l) in x.iter().enumerate() {
                let v = values[r * 5 + c];
                match rows
                    .iter()
                    .find(|w| w.l as f64 == l && w.l_plus as f64 == p)
                {
                    Some(w) => assert_eq!(v, w.mean_test_bce, "l = {l}, l+ = {p}"),
                    None => {
                        assert!(p > l, "missing row at l = {l}, l+ = {p}");
                        assert!(v.is_nan());
                    }
                }
            }
        }
        let (x, y, v) = sweep_grid(&[]);
        assert!(x.is_empty() && v.is_empty());
        assert_eq!(y, vec![0.0]);
    }

    #[test]
    fn curves_are_per_width_sorted_and_in_percent() {
        let mut rows = rows_for(&[4, 2]);
        rows.reverse();
        rows.push(row(2, 1, f64::NAN, 0.0));
        let curves = sweep_curves(&rows, SweepAxis::Percentage);
        assert_eq!(curves.iter().map(|c| c.l).collect::<Vec<_>>(), vec![2, 4]);
        let xs: Vec<f64> = curves[1].points.iter().map(|p| p.0).collect();
        assert_eq!(xs, vec![0.0, 25.0, 50.0, 75.0, 100.0]);
        // The NaN row is skipped: l = 2 keeps its three finite points.
        assert_eq!(curves[0].points.len(), 3);
        let lp = sweep_curves(&rows, SweepAxis::LPlus);
        assert_eq!(
            lp[1].points.iter().map(|p| p.0).collect::<Vec<_>>(),
            vec![0.0, 1.0, 2.0, 3.0, 4.0]
        );
        assert_eq!(lp[1].points[2].1, 0.6 - 0.4 * 2.0 / 16.0);
    }

    #[test]
    fn curves_chart_has_title_axes_legend_curves_and_error_bars() -> Result<(), ChartError> {
        let rows = rows_for(&[1, 2, 4, 8, 16]);
        for axis in [SweepAxis::LPlus, SweepAxis::Percentage] {
            let svg = render_curves(&rows, axis)?;
            let texts = svg_texts(&svg);
            assert!(texts.contains(&axis.title().to_string()), "{axis:?} title");
            assert!(texts.contains(&axis.x_desc().to_string()));
            assert!(texts.contains(&"test BCE".to_string()));
            for l in [1, 2, 4, 8, 16] {
                assert!(texts.contains(&format!("l = {l}")), "legend l = {l}");
            }
            for (i, l) in [1usize, 2, 4, 8, 16].into_iter().enumerate() {
                let lines = svg_polylines(&svg, width_color(i));
                // The curve has l + 1 points; each error bar is a 2-point line (plus 2 caps).
                assert!(lines.contains(&(l + 1)), "l = {l}: {lines:?}");
                let two = lines.iter().filter(|&&n| n == 2).count();
                assert!(two >= 3 * (l + 1), "l = {l}: {two} bars and caps");
            }
            assert!(!svg.contains("NaN") && !svg.contains("inf"));
        }
        let svg = render_curves(&rows, SweepAxis::Percentage)?;
        let texts = svg_texts(&svg);
        assert!(texts.contains(&"100 %".to_string()), "{texts:?}");
        let svg = render_curves(&rows, SweepAxis::LPlus)?;
        assert!(svg_texts(&svg).contains(&"16".to_string()));
        Ok(())
    }

    #[test]
    fn legend_avoids_the_data() -> Result<(), ChartError> {
        // Falling curves leave the upper right empty.
        let falling: Vec<SweepRow> = [1, 2]
            .into_iter()
            .flat_map(|l| (0..=l).map(move |p| row(l, p, 0.6 - 0.5 * p as f64 / l as f64, 0.01)))
            .collect();
        let svg = render_curves(&falling, SweepAxis::Percentage)?;
        let (x, y) = svg_text_position(&svg, "l = 1").ok_or(ChartError("no legend".into()))?;
        assert!(x > 400.0 && y < 260.0, "legend at ({x}, {y})");
        // Rising curves fill the upper right: the legend moves away from it.
        let rising: Vec<SweepRow> = (0..=2)
            .map(|p| row(2, p, 0.1 + 0.2 * p as f64, 0.01))
            .collect();
        let svg = render_curves(&rising, SweepAxis::Percentage)?;
        let (x, y) = svg_text_position(&svg, "l = 2").ok_or(ChartError("no legend".into()))?;
        assert!(!(x > 400.0 && y < 260.0), "legend at ({x}, {y})");
        Ok(())
    }

    #[test]
    fn empty_and_degenerate_rows_still_draw() -> Result<(), ChartError> {
        let svg = render_curves(&[], SweepAxis::LPlus)?;
        assert!(svg_texts(&svg).contains(&"test BCE".to_string()));
        let one = [row(1, 0, 0.5, f64::NAN), row(1, 1, f64::INFINITY, 0.1)];
        let svg = render_curves(&one, SweepAxis::Percentage)?;
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        assert!(svg_texts(&svg).contains(&"l = 1".to_string()));
        let (svg, _) = render_heatmap(&one[..1], None)?;
        assert!(svg_texts(&svg).contains(&"test BCE".to_string()));
        Ok(())
    }

    #[test]
    fn heatmap_has_one_column_per_width_and_one_row_per_l_plus() -> Result<(), ChartError> {
        let rows = rows_for(&[1, 2, 4, 8, 16]);
        let (svg, layout) = render_heatmap(&rows, Some((3, 5)))?;
        assert_eq!((layout.cols, layout.rows), (5, 17));
        let texts = svg_texts(&svg);
        for t in [
            "Mean test BCE by width l and l+",
            "width l",
            "l+ (non-pathological neurons)",
            "test BCE",
            "16",
        ] {
            assert!(texts.contains(&t.to_string()), "missing {t}: {texts:?}");
        }
        // The cell under the centre of column 4 (l = 16), top row (l+ = 16) has data; the cell of
        // column 0 (l = 1) at l+ = 16 has none.
        let cw = layout.width / 5.0;
        let ch = layout.height / 17.0;
        assert_eq!(
            layout.cell_at(layout.left + 4.5 * cw, layout.top + 0.5 * ch),
            Some((4, 16))
        );
        assert_eq!(
            layout.cell_at(layout.left + 0.5 * cw, layout.top + 0.5 * ch),
            Some((0, 16))
        );
        let (_, _, values) = sweep_grid(&rows);
        assert!(values[16 * 5 + 4].is_finite() && values[16 * 5].is_nan());
        Ok(())
    }

    #[test]
    fn a_real_sweep_draws() -> Result<(), Box<dyn std::error::Error>> {
        let cfg = crate::experiments::sweep::SweepConfig {
            widths: vec![1, 2, 4],
            seeds: 2,
            steps: 20,
            lr: crate::experiments::presets::FIG4_LR,
        };
        let rows = crate::experiments::sweep::run_sweep(&cfg)?;
        assert_eq!(rows.len(), 2 + 3 + 5);
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/chart-examples");
        std::fs::create_dir_all(&dir)?;
        for axis in [SweepAxis::LPlus, SweepAxis::Percentage] {
            let svg = render_curves(&rows, axis)?;
            assert!(!svg.contains("NaN"));
            std::fs::write(dir.join(format!("sweep-{axis:?}.svg")), svg)?;
        }
        let (svg, _) = render_heatmap(&rows, None)?;
        std::fs::write(dir.join("sweep-heatmap.svg"), svg)?;
        Ok(())
    }

    /// The largest number a chart's tick labels say, read independently of the formatter.
    fn largest_tick(texts: &[String]) -> f64 {
        texts
            .iter()
            .filter_map(|t| t.replace('−', "-").parse::<f64>().ok())
            .fold(f64::NEG_INFINITY, f64::max)
    }

    /// Issue 12: a sweep at η = 1000 has test BCEs near 1e120…3e125. The colour bar read
    /// 9223372036854775807 three times (a saturating f64 → i64 cast) and the curves' axis ended in
    /// a clipped 300-digit number.
    #[test]
    fn huge_losses_get_scientific_ticks_that_cover_the_data() -> Result<(), ChartError> {
        let rows = vec![
            row(1, 0, 1.1027053120664866e120, 0.0),
            row(1, 1, 3.0043757684152088e125, 0.0),
            row(2, 0, 2.3692220730612135e124, 0.0),
            row(2, 1, 4.267734371072221e124, 0.0),
            row(2, 2, 4.568040444473924e124, 0.0),
        ];
        let largest = 3.0043757684152088e125;
        let (svg, _) = render_heatmap(&rows, None)?;
        let texts = svg_texts(&svg);
        for t in &texts {
            assert!(!t.contains("922337") && t.chars().count() < 60, "{t}");
        }
        // The colour bar's labels are distinct and span the data's magnitude.
        let bar: Vec<&String> = texts.iter().filter(|t| t.contains("e+")).collect();
        assert!(bar.len() >= 2, "{texts:?}");
        let mut distinct = bar.clone();
        distinct.dedup();
        assert_eq!(distinct.len(), bar.len(), "{bar:?}");
        let top = largest_tick(&texts);
        assert!(
            top > 0.5 * largest && top <= largest,
            "colour bar ends at {top}"
        );
        for axis in [SweepAxis::LPlus, SweepAxis::Percentage] {
            let svg = render_curves(&rows, axis)?;
            let texts = svg_texts(&svg);
            for t in &texts {
                assert!(!t.contains("922337") && t.chars().count() < 60, "{t}");
            }
            // The y axis reaches the largest mean: its top label is within a step of it.
            let top = largest_tick(&texts);
            assert!(
                top > 0.5 * largest && top <= 1.06 * largest,
                "{axis:?}: {top}"
            );
        }
        Ok(())
    }

    /// The heatmap's title stays inside the area (it used to be centred at 30 % of the width
    /// whatever its length, so a long title started left of the area and ran into the y label).
    #[test]
    fn the_heatmap_title_is_never_clipped() -> Result<(), ChartError> {
        let rows = rows_for(&[1, 2]);
        for width in [320u32, 480, 640] {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (width, 640)).into_drawing_area();
                draw_sweep_heatmap(&root, &rows, None)?;
                root.present()?;
            }
            let title = "Mean test BCE by width l and l+";
            let (x, _) = svg_text_position(&svg, title).ok_or(ChartError("no title".into()))?;
            let size: f64 = svg
                .split("<text")
                .find(|c| c.contains(title))
                .and_then(|c| c.split("font-size=\"").nth(1))
                .and_then(|c| c.split('"').next())
                .and_then(|v| v.parse().ok())
                .ok_or(ChartError("no font size".into()))?;
            // plotters' own estimate of the width of sans-serif text, 0.6 em a character.
            let half = 0.6 * size * title.chars().count() as f64 / 2.0;
            assert!(
                x - half >= 0.0 && x + half <= f64::from(width),
                "width {width}: title from {} to {}",
                x - half,
                x + half
            );
        }
        Ok(())
    }
}
