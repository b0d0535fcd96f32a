//! The (w, v) plane of a one-neuron network (d = e = 1): the live version of the paper's Fig. 1b.
//!
//! A network is a point (w, v). Gradient flow keeps c = w² − v², so it moves along one of the
//! hyperbolas w² − v² = c (the invariant sets Q(c), drawn solid); the rescaling (w, v) ↦ (αw, v/α)
//! keeps w·v, so it moves along one of the hyperbolas w·v = k (the orbits, drawn dotted). The
//! gradient is orthogonal to the orbits and tangent to Q(c).
//!
//! Conventions:
//! - the window is the square |w|, |v| ≤ [`HyperbolaPlane::half_width`], drawn with equal scales on
//!   both axes (the plot rectangle is a square), so right angles look right;
//! - the family: hyperbolas at [`HYPERBOLA_LEVELS`] (light grey; c = 0 is the cone w = ±v) and
//!   orbits at [`ORBIT_LEVELS`] (sky blue, dotted); the run's own c in near-black and thick, the
//!   orbit through the current point dotted and thick, the minima w·v = 1 (w > 0) dotted in
//!   [`super::GOOD`];
//! - the trajectory in the caller's colour, hollow marker at its start, filled at the current point,
//!   split where it leaves the window; −∇L drawn as an arrow from the current point (reddish purple),
//!   of fixed length [`ARROW_FRACTION`] × half-width (shortened to stay in the window): its
//!   direction is exact, its magnitude is in the readout; no arrow where ∇L = 0;
//! - the legend sits right of the plot when the area is wide enough, below it when the area is
//!   tall enough, else inside the plot's upper left corner;
//! - [`draw_hyperbola_plane`] returns the [`PlaneLayout`]: the plot rectangle in backend pixels and
//!   the data window, so a caller can turn a mouse position into (w, v) with
//!   [`PlaneLayout::pixel_to_point`].

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::loss::linear_tick;
use super::{ChartError, FontSizes, GOOD, GRID, INK, SURFACE, thin_by_pixels};

/// Values of c of the drawn invariant hyperbolas w² − v² = c.
pub const HYPERBOLA_LEVELS: [f64; 7] = [-4.5, -2.0, -0.5, 0.0, 0.5, 2.0, 4.5];
/// Values of k of the drawn rescaling orbits w·v = k.
pub const ORBIT_LEVELS: [f64; 8] = [-4.0, -2.0, -1.0, -0.5, 0.5, 1.0, 2.0, 4.0];
/// Length of the −∇L arrow as a fraction of the half-width.
pub const ARROW_FRACTION: f64 = 0.22;
/// Colour of the rescaling orbits (Okabe–Ito sky blue).
pub const ORBIT: RGBColor = RGBColor(86, 180, 233);
/// Colour of the −∇L arrow (Okabe–Ito reddish purple).
pub const GRADIENT: RGBColor = RGBColor(204, 121, 167);
/// Points per branch of a drawn hyperbola.
const CURVE_POINTS: usize = 240;

/// Everything the plane shows.
#[derive(Debug, Clone, Copy)]
pub struct HyperbolaPlane<'a> {
    /// Title above the chart (nothing drawn if empty).
    pub title: &'a str,
    /// Half-width of the square window |w|, |v| ≤ half_width.
    pub half_width: f64,
    /// The run's conserved quantity c = w₀² − v₀² (its hyperbola is emphasized).
    pub c: f64,
    /// The current point (w, v).
    pub point: (f64, f64),
    /// ∇L = (∂L/∂w, ∂L/∂v) at the current point; the arrow shows −∇L.
    pub gradient: (f64, f64),
    /// Points visited so far, oldest first (normally ending at `point`).
    pub trajectory: &'a [(f64, f64)],
    /// Colour of the trajectory and the current point, normally [`super::GOOD`] or
    /// [`super::OBSTRUCTED`].
    pub color: RGBColor,
}

/// Where the plot landed (an app record: the Fig. 1b view model turns pixels into (w, v) with it).
pub use crate::app::fig1b::PlaneLayout;

/// Draws the (w, v) plane with the hyperbola families, the trajectory, the current point and −∇L,
/// filling `area` white first; returns the layout of the plot.
///
/// # Errors
/// [`ChartError`] if `half_width` is not finite and positive, or with the backend's message if the
/// backend fails to draw.
pub fn draw_hyperbola_plane<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plane: &HyperbolaPlane,
) -> Result<PlaneLayout, ChartError> {
    let h = plane.half_width;
    if !(h.is_finite() && h > 0.0) {
        return Err(ChartError(format!(
            "the window half-width must be finite and positive, got {h}"
        )));
    }
    area.fill(&WHITE)?;
    // Fonts follow the shorter side, so a tall phone-shaped area does not get oversized text.
    let (width, height) = area.dim_in_pixel();
    let fonts = FontSizes::for_height(width.min(height));
    let b = fonts.body;
    let inner = if plane.title.is_empty() {
        area.clone()
    } else {
        area.titled(
            plane.title,
            (FontFamily::SansSerif, fonts.title).into_font().color(&INK),
        )?
    };
    let (iw, ih) = inner.dim_in_pixel();
    let (iw, ih) = (f64::from(iw), f64::from(ih));

    // A square plot; the legend to its right when there is room, else below it, else inside it.
    let margin = (b * 0.6).round();
    let x_lab = (b * 2.6).round();
    let y_lab = (b * 3.0).round();
    let entries = legend_entries(plane);
    let text = (FontFamily::SansSerif, b).into_font().color(&INK);
    let legend_text = (FontFamily::SansSerif, b * 0.85).into_font().color(&INK);
    let mut label_w = 0.0f64;
    for (label, _) in &entries {
        let (w, _) = inner
            .estimate_text_size(label, &legend_text)
            .map_err(|e| ChartError(format!("cannot lay out the legend: {e}")))?;
        label_w = label_w.max(f64::from(w));
    }
    let sample = (b * 2.0).round();
    let row = (b * 1.3).round();
    let legend_w = label_w + sample + 3.0 * margin;
    let legend_h = row * entries.len() as f64 + margin;
    let side_h = ih - x_lab - 2.0 * margin;
    let side_w = iw - y_lab - 2.0 * margin;
    let side_beside = side_h.min(side_w - margin - legend_w);
    let side_below = side_w.min(side_h - legend_h);
    let placement = if side_beside >= 0.75 * side_h.min(side_w) {
        Placement::Beside
    } else if side_below >= 0.75 * side_h.min(side_w) {
        Placement::Below
    } else {
        Placement::Inside
    };
    let side = match placement {
        Placement::Beside => side_beside,
        Placement::Below => side_below,
        Placement::Inside => side_h.min(side_w),
    }
    .floor()
    .max(10.0);
    let (block_w, block_h) = match placement {
        Placement::Beside => (y_lab + side + margin + legend_w, side + x_lab),
        Placement::Below => (y_lab + side, side + x_lab + legend_h),
        Placement::Inside => (y_lab + side, side + x_lab),
    };
    let x0 = ((iw - block_w) / 2.0).max(0.0).floor();
    let y0 = ((ih - block_h) / 2.0).max(margin).floor();
    let sub = inner.clone().shrink(
        (x0 as i32, y0 as i32),
        ((y_lab + side) as u32, (side + x_lab) as u32),
    );
    let mut chart = ChartBuilder::on(&sub)
        .x_label_area_size(x_lab as u32)
        .y_label_area_size(y_lab as u32)
        .build_cartesian_2d(-h..h, -h..h)?;

    let ticks = (FontFamily::SansSerif, b * 0.85).into_font().color(&INK);
    chart
        .configure_mesh()
        .x_desc("w")
        .y_desc("v")
        .axis_desc_style(text.clone())
        .label_style(ticks)
        .x_labels(7)
        .y_labels(7)
        .x_label_formatter(&linear_tick)
        .y_label_formatter(&linear_tick)
        .bold_line_style(GRID.mix(0.5).stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(INK.stroke_width(1))
        .draw()?;
    // The axes w = 0 and v = 0.
    let axis = GRID.stroke_width(2);
    chart.draw_series([
        PathElement::new(vec![(-h, 0.0), (h, 0.0)], axis),
        PathElement::new(vec![(0.0, -h), (0.0, h)], axis),
    ])?;

    let px = |b: f64, k: f64| ((b * k).round() as u32).max(1);
    let dot = f64::from(px(b, 0.14).max(2));
    // Invariant hyperbolas, light and solid.
    let family = SURFACE.mix(0.6).stroke_width(px(b, 0.06));
    for c in HYPERBOLA_LEVELS {
        for branch in hyperbola_branches(c, h) {
            chart.draw_series(std::iter::once(PathElement::new(branch, family)))?;
        }
    }
    // Rescaling orbits, dotted (the minima's branch is drawn below, highlighted).
    let orbit_style = ORBIT.stroke_width(dot as u32);
    for k in ORBIT_LEVELS {
        for branch in orbit_branches(k, h) {
            if k == 1.0 && branch.first().is_some_and(|p| p.0 > 0.0) {
                continue;
            }
            chart.draw_series(DashedLineSeries::new(
                thin_by_pixels(&branch, |p| chart.backend_coord(p), 2),
                dot,
                dot * 2.5,
                orbit_style,
            ))?;
        }
    }
    // The minima: the orbit w·v = 1, w > 0.
    let minima = GOOD.stroke_width((dot * 1.6) as u32);
    for branch in orbit_branches(1.0, h) {
        if branch.first().is_some_and(|p| p.0 > 0.0) {
            chart.draw_series(DashedLineSeries::new(
                thin_by_pixels(&branch, |p| chart.backend_coord(p), 2),
                dot * 1.6,
                dot * 2.2,
                minima,
            ))?;
        }
    }
    // The orbit through the current point, dotted and thick.
    let (w, v) = plane.point;
    if (w * v).is_finite() {
        let current_orbit = ORBIT.stroke_width((dot * 1.6) as u32);
        for branch in orbit_branches(w * v, h) {
            if branch.first().is_some_and(|p| p.0 * w > 0.0) {
                chart.draw_series(DashedLineSeries::new(
                    thin_by_pixels(&branch, |p| chart.backend_coord(p), 2),
                    dot * 1.6,
                    dot * 2.2,
                    current_orbit,
                ))?;
            }
        }
    }
    // The run's own hyperbola, solid and thick.
    let own = INK.stroke_width(px(b, 0.16).max(2));
    for branch in hyperbola_branches(plane.c, h) {
        chart.draw_series(std::iter::once(PathElement::new(branch, own)))?;
    }

    // The trajectory, its start and the current point.
    let line = plane.color.stroke_width(px(b, 0.2).max(2));
    for run in window_runs(plane.trajectory, h) {
        let run = thin_by_pixels(&run, |p| chart.backend_coord(p), 3);
        chart.draw_series(std::iter::once(PathElement::new(run, line)))?;
    }
    let radius = (b * 0.42).round().max(4.0) as i32;
    let inside = |p: &(f64, f64)| in_window(*p, h).then_some(*p);
    if let Some(start) = plane.trajectory.first().and_then(inside) {
        chart.draw_series(std::iter::once(Circle::new(start, radius, line)))?;
    }
    if let Some(arrow) = gradient_arrow(plane) {
        let style = GRADIENT.stroke_width(px(b, 0.2).max(2));
        chart.draw_series(arrow.into_iter().map(|seg| PathElement::new(seg, style)))?;
    }
    if in_window(plane.point, h) {
        chart.draw_series([
            Circle::new(plane.point, radius, plane.color.filled()),
            Circle::new(plane.point, radius, INK.stroke_width(1)),
        ])?;
    }

    let (left, top) = chart.backend_coord(&(-h, h));
    let (right, bottom) = chart.backend_coord(&(h, -h));
    let layout = PlaneLayout {
        left: f64::from(left),
        top: f64::from(top),
        right: f64::from(right),
        bottom: f64::from(bottom),
        w_min: -h,
        w_max: h,
        v_min: -h,
        v_max: h,
    };

    // The legend, in `inner`'s pixel coordinates.
    let box_h = legend_h;
    let (lx, ly, boxed) = match placement {
        Placement::Beside => (x0 + y_lab + side + 2.0 * margin, y0, false),
        Placement::Below => (x0 + y_lab, y0 + side + x_lab, false),
        Placement::Inside => (x0 + y_lab + margin, y0 + margin, true),
    };
    let to_i = |x: f64| x.round() as i32;
    if boxed {
        inner.draw(&Rectangle::new(
            [
                (to_i(lx - margin * 0.5), to_i(ly - margin * 0.5)),
                (to_i(lx + legend_w - margin), to_i(ly + box_h)),
            ],
            ShapeStyle::from(&WHITE.mix(0.9)).filled(),
        ))?;
        inner.draw(&Rectangle::new(
            [
                (to_i(lx - margin * 0.5), to_i(ly - margin * 0.5)),
                (to_i(lx + legend_w - margin), to_i(ly + box_h)),
            ],
            INK.mix(0.6).stroke_width(1),
        ))?;
    }
    let label_font = legend_text.pos(Pos::new(HPos::Left, VPos::Center));
    for (i, (label, kind)) in entries.iter().enumerate() {
        let y = ly + row * (i as f64 + 0.5) + margin * 0.25;
        let (xa, xb, yi) = (to_i(lx), to_i(lx + sample), to_i(y));
        match kind {
            Sample::Solid(style) => {
                inner.draw(&PathElement::new(vec![(xa, yi), (xb, yi)], *style))?;
            }
            Sample::Dotted(style, size) => {
                inner.draw(&DashedPathElement::new(
                    vec![(xa, yi), (xb, yi)],
                    *size,
                    *size * 2.3,
                    *style,
                ))?;
            }
            Sample::Marker(style) => {
                inner.draw(&PathElement::new(vec![(xa, yi), (xb, yi)], *style))?;
                inner.draw(&Circle::new(((xa + xb) / 2, yi), radius, style.filled()))?;
            }
            Sample::Arrow(style) => {
                let head = to_i(b * 0.45);
                inner.draw(&PathElement::new(vec![(xa, yi), (xb, yi)], *style))?;
                inner.draw(&PathElement::new(
                    vec![
                        (xb - head, yi - head / 2),
                        (xb, yi),
                        (xb - head, yi + head / 2),
                    ],
                    *style,
                ))?;
            }
        }
        inner.draw(&Text::new(
            label.clone(),
            (to_i(lx + sample + margin), yi),
            label_font.clone(),
        ))?;
    }
    Ok(layout)
}

/// Where the legend goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    Beside,
    Below,
    Inside,
}

/// How a legend entry's sample is drawn.
#[derive(Debug, Clone, Copy)]
enum Sample {
    Solid(ShapeStyle),
    Dotted(ShapeStyle, f64),
    Marker(ShapeStyle),
    Arrow(ShapeStyle),
}

fn legend_entries(plane: &HyperbolaPlane) -> Vec<(String, Sample)> {
    let (w, v) = plane.point;
    vec![
        (
            "invariant: w² − v² = c".into(),
            Sample::Solid(SURFACE.stroke_width(2)),
        ),
        (
            format!("this run: c = {}", signed(plane.c)),
            Sample::Solid(INK.stroke_width(3)),
        ),
        (
            "rescaling orbit: w·v = k".into(),
            Sample::Dotted(ORBIT.stroke_width(3), 3.0),
        ),
        (
            format!("current orbit: w·v = {}", signed(w * v)),
            Sample::Dotted(ORBIT.stroke_width(5), 5.0),
        ),
        (
            "minima: w·v = 1, w > 0".into(),
            Sample::Dotted(GOOD.stroke_width(5), 5.0),
        ),
        (
            "trajectory".into(),
            Sample::Marker(plane.color.stroke_width(3)),
        ),
        (
            "−∇L (direction)".into(),
            Sample::Arrow(GRADIENT.stroke_width(3)),
        ),
    ]
}

/// A number with a true minus sign and two decimals.
fn signed(x: f64) -> String {
    format!("{x:.2}").replacen('-', "\u{2212}", 1)
}

fn in_window(p: (f64, f64), h: f64) -> bool {
    p.0.is_finite() && p.1.is_finite() && p.0.abs() <= h && p.1.abs() <= h
}

/// The trajectory cut into runs of consecutive points inside the window.
fn window_runs(points: &[(f64, f64)], h: f64) -> Vec<Vec<(f64, f64)>> {
    let mut runs = Vec::new();
    let mut current = Vec::new();
    for &p in points {
        if in_window(p, h) {
            current.push(p);
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// The branches of the hyperbola w² − v² = c inside the square |w|, |v| ≤ h, as polylines of
/// points (w, v) with |w|, |v| ≤ h. c = 0 gives the two diagonals w = ±v. Empty when the curve
/// misses the window or a value is not finite.
pub fn hyperbola_branches(c: f64, h: f64) -> Vec<Vec<(f64, f64)>> {
    if !(c.is_finite() && h.is_finite() && h > 0.0) {
        return Vec::new();
    }
    if c == 0.0 {
        return vec![vec![(-h, -h), (h, h)], vec![(-h, h), (h, -h)]];
    }
    let a = c.abs().sqrt();
    if a > h {
        return Vec::new();
    }
    // The vertex coordinate a·cosh t reaches h first (cosh ≥ |sinh|).
    let t_max = (h / a).acosh();
    let mut out = Vec::new();
    for sign in [1.0, -1.0] {
        let branch: Vec<(f64, f64)> = (0..=CURVE_POINTS)
            .map(|i| {
                let t = -t_max + 2.0 * t_max * i as f64 / CURVE_POINTS as f64;
                let (major, minor) = (sign * a * t.cosh(), a * t.sinh());
                let (major, minor) = (major.clamp(-h, h), minor.clamp(-h, h));
                if c > 0.0 {
                    (major, minor)
                } else {
                    (minor, major)
                }
            })
            .collect();
        out.push(branch);
    }
    out
}

/// The branches of the orbit w·v = k inside the square |w|, |v| ≤ h (k = 0 gives nothing: that
/// orbit is the pair of axes), as polylines of points (w, v) ordered by increasing |w|.
pub fn orbit_branches(k: f64, h: f64) -> Vec<Vec<(f64, f64)>> {
    if !(k.is_finite() && h.is_finite() && h > 0.0) || k == 0.0 {
        return Vec::new();
    }
    let a = k.abs().sqrt();
    if a > h {
        return Vec::new();
    }
    let t_max = (h / a).ln();
    let mut out = Vec::new();
    for sign in [1.0, -1.0] {
        let branch: Vec<(f64, f64)> = (0..=CURVE_POINTS)
            .map(|i| {
                let t = -t_max + 2.0 * t_max * i as f64 / CURVE_POINTS as f64;
                let w = (sign * a * t.exp()).clamp(-h, h);
                (w, k / w)
            })
            .collect();
        out.push(branch);
    }
    out
}

/// The −∇L arrow as polylines in data coordinates (shaft, then head), or `None` where ∇L is zero
/// or not finite, or the point is outside the window.
pub fn gradient_arrow(plane: &HyperbolaPlane) -> Option<Vec<Vec<(f64, f64)>>> {
    let h = plane.half_width;
    let (w, v) = plane.point;
    let (gw, gv) = plane.gradient;
    let norm = gw.hypot(gv);
    if !(norm.is_finite() && norm > 0.0 && in_window(plane.point, h)) {
        return None;
    }
    let (dw, dv) = (-gw / norm, -gv / norm);
    // Shorten the arrow so its tip stays inside the window.
    let reach = |p: f64, d: f64| {
        if d > 0.0 {
            (h - p) / d
        } else if d < 0.0 {
            (-h - p) / d
        } else {
            f64::INFINITY
        }
    };
    let len = (ARROW_FRACTION * h).min(reach(w, dw)).min(reach(v, dv));
    if len <= 0.0 {
        return None;
    }
    let tip = (w + len * dw, v + len * dv);
    let head = 0.3 * ARROW_FRACTION * h;
    let (s, c) = 0.45f64.sin_cos();
    let back = |sign: f64| {
        // The direction rotated by ±0.45 rad, pointing back from the tip.
        let (rw, rv) = (dw * c - sign * dv * s, sign * dw * s + dv * c);
        (tip.0 - head * rw, tip.1 - head * rv)
    };
    Some(vec![vec![(w, v), tip], vec![back(1.0), tip, back(-1.0)]])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::present::charts::{OBSTRUCTED, svg_polylines, svg_texts};

    fn plane<'a>(
        traj: &'a [(f64, f64)],
        point: (f64, f64),
        grad: (f64, f64),
    ) -> HyperbolaPlane<'a> {
        HyperbolaPlane {
            title: "Fig. 1b, live",
            half_width: 3.0,
            c: point.0 * point.0 - point.1 * point.1,
            point,
            gradient: grad,
            trajectory: traj,
            color: GOOD,
        }
    }

    fn svg_of(p: &HyperbolaPlane, size: (u32, u32)) -> (String, PlaneLayout) {
        let mut svg = String::new();
        let layout = {
            let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
            let layout = draw_hyperbola_plane(&root, p).unwrap();
            root.present().unwrap();
            layout
        };
        (svg, layout)
    }

    #[test]
    fn curves_lie_on_their_hyperbolas_and_in_the_window() {
        for c in [-4.5, -1.0, -0.01, 0.3, 2.0, 8.9] {
            let branches = hyperbola_branches(c, 3.0);
            assert_eq!(branches.len(), 2, "c = {c}");
            for p in branches.iter().flatten() {
                assert!(p.0.abs() <= 3.0 && p.1.abs() <= 3.0);
                assert!((p.0 * p.0 - p.1 * p.1 - c).abs() < 1e-9, "c = {c}: {p:?}");
            }
        }
        assert!(hyperbola_branches(9.5, 3.0).is_empty());
        for k in [-4.0, -0.5, 1.0, 8.5] {
            let branches = orbit_branches(k, 3.0);
            assert_eq!(branches.len(), 2);
            for p in branches.iter().flatten() {
                assert!(p.0.abs() <= 3.0 + 1e-12 && p.1.abs() <= 3.0 + 1e-9, "{p:?}");
                assert!((p.0 * p.1 - k).abs() < 1e-9);
            }
        }
        assert!(orbit_branches(0.0, 3.0).is_empty());
    }

    #[test]
    fn svg_has_title_axis_labels_legend_and_both_line_kinds() {
        let traj = [(2.0, -0.5), (1.9, -0.2), (1.7, 0.2)];
        let (svg, _) = svg_of(&plane(&traj, (1.7, 0.2), (-0.3, -1.2)), (900, 650));
        let texts = svg_texts(&svg);
        for needle in [
            "Fig. 1b, live",
            "w",
            "v",
            "invariant: w² − v² = c",
            "rescaling orbit: w·v = k",
            "minima: w·v = 1, w &gt; 0",
        ] {
            assert!(texts.iter().any(|t| t == needle), "missing {needle:?}");
        }
        assert!(texts.iter().any(|t| t == "this run: c = 2.85"), "{texts:?}");
        // Solid invariant hyperbolas: long polylines in grey (the c = 0 cone has 2 points).
        let grey = svg_polylines(&svg, SURFACE);
        assert!(grey.iter().filter(|&&n| n > 50).count() >= 12, "{grey:?}");
        // Dotted orbits: many short dashes, none long.
        let dashes = svg_polylines(&svg, ORBIT);
        assert!(dashes.len() > 100, "{} dashes", dashes.len());
        assert!(dashes.iter().all(|&n| n <= 6), "{dashes:?}");
        let minima = svg_polylines(&svg, GOOD);
        assert!(minima.iter().filter(|&&n| n <= 6).count() > 10);
        // The trajectory is one solid run in its colour.
        assert!(minima.iter().any(|&n| n >= 3));
    }

    #[test]
    fn the_arrow_is_drawn_tangent_to_the_hyperbola() {
        // A gradient tangent to w² − v² = c at (w, v) satisfies w·g_w = v·g_v.
        let (w, v) = (1.5, 0.8);
        let g = (0.9 * v, 0.9 * w);
        let traj = [(w, v)];
        let p = plane(&traj, (w, v), g);
        let (svg, layout) = svg_of(&p, (800, 600));
        let arrows: Vec<&str> = svg
            .split("<polyline")
            .skip(1)
            .filter(|c| c.contains("stroke=\"#CC79A7\""))
            .collect();
        assert!(arrows.len() >= 2, "shaft and head, plus the legend sample");
        let pts: Vec<(f64, f64)> = arrows[0]
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .split_whitespace()
            .map(|xy| {
                let (x, y) = xy.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        assert_eq!(pts.len(), 2);
        let start = layout.point_to_pixel(w, v);
        assert!((pts[0].0 - start.0).abs() <= 1.0 && (pts[0].1 - start.1).abs() <= 1.0);
        // In pixels (y down), the normal of w² − v² = c is (2w, +2v) up to scale.
        let (dx, dy) = (pts[1].0 - pts[0].0, pts[1].1 - pts[0].1);
        let cos = (dx * w + dy * v) / (dx.hypot(dy) * w.hypot(v));
        assert!(cos.abs() < 0.03, "cos to the normal {cos}");
        // It points along −∇L: towards smaller w and v here.
        assert!(dx < 0.0 && dy > 0.0);
    }

    #[test]
    fn no_arrow_where_the_gradient_vanishes() {
        let traj = [(-1.0, 0.5)];
        let p = plane(&traj, (-1.0, 0.5), (0.0, 0.0));
        assert!(gradient_arrow(&p).is_none());
        let (svg, _) = svg_of(&p, (800, 600));
        // Only the legend sample remains in the arrow colour.
        assert_eq!(svg_polylines(&svg, GRADIENT).len(), 2);
    }

    #[test]
    fn layout_maps_pixels_to_points_and_back_with_a_square_plot() {
        for size in [(900, 650), (500, 700), (1600, 900)] {
            let traj = [(0.5, -1.5)];
            let mut p = plane(&traj, (0.5, -1.5), (0.1, 0.1));
            p.color = OBSTRUCTED;
            let (_, l) = svg_of(&p, size);
            let (wpx, hpx) = (l.right - l.left, l.bottom - l.top);
            assert!(wpx > 100.0 && (wpx - hpx).abs() <= 2.0, "{size:?}: {l:?}");
            assert!(l.right <= f64::from(size.0) && l.bottom <= f64::from(size.1));
            for (w, v) in [(0.0, 0.0), (1.25, -2.5), (-3.0, 3.0)] {
                let (x, y) = l.point_to_pixel(w, v);
                let (w2, v2) = l.pixel_to_point(x, y).unwrap();
                assert!((w - w2).abs() < 1e-9 && (v - v2).abs() < 1e-9);
            }
            // The pixel of (0, 0) is the centre of the plot; v grows upwards.
            let (cx, cy) = l.point_to_pixel(0.0, 0.0);
            assert!((cx - (l.left + l.right) / 2.0).abs() < 1e-9);
            assert!(l.point_to_pixel(0.0, 1.0).1 < cy);
            assert!(l.pixel_to_point(l.left - 5.0, cy).is_none());
            assert!(l.pixel_to_point(f64::NAN, cy).is_none());
        }
    }

    #[test]
    fn bad_half_width_is_an_error() {
        let mut svg = String::new();
        let root = SVGBackend::with_string(&mut svg, (400, 300)).into_drawing_area();
        let mut p = plane(&[], (0.0, 0.0), (0.0, 0.0));
        p.half_width = f64::NAN;
        assert!(draw_hyperbola_plane(&root, &p).is_err());
    }

    /// Writes an example SVG into `target/chart-examples/` for a person to look at.
    #[test]
    fn writes_an_example_svg() {
        let traj: Vec<(f64, f64)> = (0..=100)
            .map(|i| {
                let t = f64::from(i) / 100.0;
                let v = -0.5 + 1.2 * t;
                ((3.75 + v * v).sqrt(), v)
            })
            .collect();
        let last = traj[traj.len() - 1];
        let (svg, _) = svg_of(
            &plane(&traj, last, (-0.3 * last.1, -0.3 * last.0)),
            (900, 650),
        );
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/chart-examples");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("hyperbolas.svg"), svg).unwrap();
    }
}
