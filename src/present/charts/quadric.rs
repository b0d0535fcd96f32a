//! One hidden neuron's quadric with its training trajectory, in 3-D (the paper's Fig. 2a and the
//! per-neuron panels of Fig. 3).
//!
//! For input dimension d = 2 and output dimension e = 1 a neuron's parameters are a point
//! (w₁, w₂, v) ∈ R³, and gradient flow keeps it on
//! Q(c) = {(w₁, w₂, v) : w₁² + w₂² − v² = c},  c = c_k = ‖w_k‖² − ‖v_k‖² fixed at initialization.
//! With r = ‖w‖ and φ the angle of w in the (w₁, w₂) plane, Q(c) is a surface of revolution about
//! the v axis:
//! - c > 0: one-sheeted hyperboloid, r = √(c + v²) (connected: v can change sign);
//! - c = 0: double cone, r = |v| (the two nappes meet at the origin);
//! - c < 0: two-sheeted hyperboloid, v = ±√(−c + r²) (|v| ≥ √(−c): the sign of v is frozen, the
//!   neuron is pathological).
//!
//! Conventions:
//! - everything is clipped to the cube [−extent, extent]³; a sheet is cut exactly where it leaves
//!   the cube, and a surface that misses the cube draws nothing;
//! - the wireframe is drawn as meridians (fixed φ) and parallels (fixed v), light grey;
//! - plotters' 3-D y axis is the vertical one, so a point (w₁, w₂, v) is plotted at plotters
//!   coordinates (w₁, v, w₂): v points up, as in the paper;
//! - the trajectory is drawn oldest first, thinned to at most [`MAX_TRAJECTORY_POINTS`] points (the
//!   last point always kept), split where it has a non-finite point or leaves the cube; the start is
//!   a hollow marker, the current (last) point a filled one;
//! - the view is plotters' projection with the caller's yaw and pitch (radians), so the panel can be
//!   redrawn cheaply on every mouse move while the user drags to rotate it;
//! - a panel framed closer than its overview cube (a Fig. 3 panel zoomed on its run) gets an
//!   overview inset in a top corner, below the title: the whole Q(c) in the origin-centred cube,
//!   seen from the same angles, with the path, the current point and the outline of the zoomed
//!   cube, so the reader sees where on the surface the zoomed view is ([`overview_inset_rect`]);
//! - the title shrinks to fit the panel's width, and loses a trailing " (…)" when even the
//!   smallest size does not fit ([`fit_title`]).

use std::f64::consts::{FRAC_PI_2, FRAC_PI_4, TAU};

use plotters::coord::CoordTranslate;
use plotters::coord::Shift;
use plotters::coord::ranged3d::{Cartesian3d, ProjectionMatrix};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::loss::linear_tick;
use super::{ChartError, FontSizes, GRID, INK, SURFACE, decimated_indices, thin_by_pixels};

/// Most trajectory points drawn per panel; longer trajectories are thinned.
pub const MAX_TRAJECTORY_POINTS: usize = 2000;
/// Meridians of the wireframe drawn by [`draw_quadric_panel`].
pub const PANEL_MERIDIANS: usize = 24;
/// Parallels of the wireframe drawn by [`draw_quadric_panel`].
pub const PANEL_PARALLELS: usize = 12;
/// The cube's scale in a panel's plotting area when its text fits ([`fit_view`]).
const PANEL_SCALE: f64 = 0.8;
/// The smallest scale [`fit_view`] shrinks the cube to so that its text fits.
const MIN_PANEL_SCALE: f64 = 0.5;
/// The smallest scale [`fit_view`] shrinks the cube to so that no text lies under the overview
/// inset.
const MIN_SCALE_CLEARING_INSET: f64 = 0.65;
/// The steps in which [`fit_view`] shrinks the cube.
const PANEL_SCALE_STEP: f64 = 0.025;
/// Segments of one meridian (per sheet).
const MERIDIAN_SEGMENTS: usize = 24;
/// Segments of a full parallel circle; clipped arcs get a proportional share.
const CIRCLE_SEGMENTS: usize = 48;
/// Wireframe points closer than this many pixels to the previous drawn one are dropped.
const WIRE_MIN_PX: i32 = 3;
/// Points closer than this to the cube count as inside it (rounding at the faces).
const CUBE_SLACK: f64 = 1e-9;
/// The panel's smaller side over the trajectory's stroke width ([`trajectory_stroke`]).
const TRAJECTORY_STROKE_DIVISOR: f64 = 110.0;
/// The panel's smaller side over the end markers' radius ([`trajectory_stroke`]).
const MARKER_RADIUS_DIVISOR: f64 = 45.0;
/// Meridians of the overview inset's wireframe.
pub const INSET_MERIDIANS: usize = 12;
/// Parallels of the overview inset's wireframe.
pub const INSET_PARALLELS: usize = 6;
/// Segments of one meridian (per sheet) in the overview inset: it is small.
const INSET_MERIDIAN_SEGMENTS: usize = 10;
/// Segments of a full parallel circle in the overview inset.
const INSET_CIRCLE_SEGMENTS: usize = 20;
/// Panels whose smaller side is below this many pixels get no overview inset.
pub const MIN_INSET_PANEL_PX: u32 = 160;
/// The overview inset's side over the panel's smaller side.
const INSET_FRACTION: f64 = 0.33;
/// Weight of a path point against a wireframe point when choosing the inset's corner.
const INSET_PATH_WEIGHT: usize = 20;
/// Most trajectory points the overview inset considers (it is small).
const INSET_PATH_POINTS: usize = 200;
/// Only every so many wireframe points are projected when choosing the inset's corner.
const INSET_WIRE_STRIDE: usize = 8;
/// The smallest title size tried, as a fraction of the normal one, before the title's trailing
/// parenthesis is dropped ([`fit_title`]).
const TITLE_MIN_SCALE: f64 = 0.7;
/// No title is written smaller than this many pixels.
const TITLE_MIN_PX: f64 = 9.0;

/// Plotters' 3-D chart type of a panel: axes (w₁, v, w₂).
type Chart3d<'a, DB> =
    ChartContext<'a, DB, Cartesian3d<RangedCoordf64, RangedCoordf64, RangedCoordf64>>;

/// A cube edge as its two end points, in plotters coordinates.
type Edge = ([f64; 3], [f64; 3]);

/// Everything one neuron's panel shows.
#[derive(Debug, Clone, Copy)]
pub struct QuadricPanel<'a> {
    /// Title above the panel, e.g. "neuron 1: c₁ = −1.00 (two sheets)".
    pub title: &'a str,
    /// The neuron's conserved quantity c_k = ‖w‖² − ‖v‖² (d = 2, e = 1).
    pub c: f64,
    /// Points (w₁, w₂, v) visited so far, oldest first; the last is the current point.
    pub trajectory: &'a [[f64; 3]],
    /// Rotation of the view about the vertical (v) axis, radians (non-finite: plotters' 0.5).
    pub yaw: f64,
    /// Tilt of the view, radians; 0 looks at the cube side-on (non-finite: plotters' 0.15).
    pub pitch: f64,
    /// Half-width of the cube drawn on every axis, e.g. 2.5.
    pub extent: f64,
    /// Centre (w₁, w₂, v) of the cube: the origin for a quadric shown whole, the middle of what a
    /// run visited for a framed Fig. 3 panel ([`crate::app::framing`]).
    pub centre: [f64; 3],
    /// Trajectory colour, normally [`super::OBSTRUCTED`] or [`super::GOOD`].
    pub color: RGBColor,
    /// Half-width of the origin-centred cube the overview inset shows the whole quadric in (Fig.
    /// 2a's, e.g. 2.5); `None` for no inset. The inset is drawn only when the panel's cube does
    /// not already hold that cube and the panel is at least [`MIN_INSET_PANEL_PX`] on each side.
    pub overview: Option<f64>,
}

/// What an overview inset's square would hide ([`InsetRect::covers`]).
struct Covered {
    /// Some of the drawn path.
    path: bool,
    /// An axis name.
    names: bool,
    /// How many of the tick labels and axis names.
    texts: usize,
}

/// Where the overview inset sits: a square of `side` pixels with its top-left corner at (`x`,
/// `y`), in the backend's pixel coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InsetRect {
    /// Left edge, pixels.
    pub x: i32,
    /// Top edge, pixels.
    pub y: i32,
    /// Side, pixels.
    pub side: u32,
}

impl InsetRect {
    /// The square as a [`PixelBox`].
    fn pixel_box(&self) -> PixelBox {
        let s = self.side as i32;
        PixelBox {
            x0: self.x,
            y0: self.y,
            x1: self.x + s,
            y1: self.y + s,
        }
    }

    /// What the square would hide of the drawn `path` (pixels) and of the `texts` around the cube
    /// ([`axis_text_boxes`]: the axis names first).
    fn covers(&self, path: &[(i32, i32)], texts: &[PixelBox]) -> Covered {
        let square = self.pixel_box();
        Covered {
            path: path.iter().any(|&px| self.contains(px)),
            names: texts.iter().take(3).any(|t| square.overlaps(t)),
            texts: texts.iter().filter(|t| square.overlaps(t)).count(),
        }
    }

    /// Whether the pixel (x, y) lies in the square, edges included.
    pub fn contains(&self, (x, y): (i32, i32)) -> bool {
        let s = self.side as i32;
        (self.x..=self.x + s).contains(&x) && (self.y..=self.y + s).contains(&y)
    }
}

/// Draws one neuron's quadric Q(c) as a wireframe in a 3-D box with its trajectory, filling `area`
/// white first.
///
/// # Errors
/// [`ChartError`] if `panel.extent` is not finite and positive, or with the backend's message if
/// the backend fails to draw.
pub fn draw_quadric_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &QuadricPanel,
) -> Result<(), ChartError> {
    check_cube(panel)?;
    area.fill(&WHITE)?;
    let (width, height) = area.dim_in_pixel();
    let fonts = FontSizes::for_height(height);
    let body = fonts.body;
    let (mut chart, sizes) = panel_chart(area, panel, fonts)?;

    let tick_px = tick_length(body);
    // Five labels an axis when a label is small against the panel, three when the text is large
    // (a small panel, or the projector's larger text), so labels never run into each other.
    let labels = tick_count(width.min(height), body);
    chart
        .configure_axes()
        .x_labels(labels)
        .y_labels(labels)
        .z_labels(labels)
        .max_light_lines(1)
        .tick_size(tick_px)
        .label_style(tick_font(body))
        .axis_panel_style(GRID.mix(0.25))
        .bold_grid_style(GRID.mix(0.9))
        .light_grid_style(TRANSPARENT)
        .x_formatter(&cube_tick)
        .y_formatter(&cube_tick)
        .z_formatter(&cube_tick)
        .draw()?;
    let bounds = plot_bounds(panel);
    draw_axis_names(&mut chart, bounds, body)?;

    // The surface, light, below everything else.
    let wire = panel_wireframe(panel);
    let surface = SURFACE.mix(0.55).stroke_width(1);
    draw_wireframe(&mut chart, &wire, surface)?;

    // The trajectory in runs inside the cube, then its two end markers.
    let (line_width, radius) = trajectory_stroke(width, height);
    let path = panel.color.stroke_width(line_width);
    let runs = drawn_runs(&chart, panel);
    chart.draw_series(runs.iter().map(|run| PathElement::new(run.clone(), path)))?;
    let inside =
        |p: &[f64; 3]| in_cube(*p, panel.centre, panel.extent).then(|| to_plot((p[0], p[1], p[2])));
    if let Some(start) = panel.trajectory.first().and_then(inside) {
        chart.draw_series(std::iter::once(Circle::new(
            start,
            radius,
            panel.color.stroke_width(line_width),
        )))?;
    }
    if let Some(now) = panel.trajectory.last().and_then(inside) {
        chart.draw_series([
            Circle::new(now, radius, panel.color.filled()),
            Circle::new(now, radius, INK.stroke_width(1)),
        ])?;
    }

    // Last, over the main plot: where the zoomed cube is on the whole surface.
    let texts = axis_text_boxes(&chart, bounds, &sizes, body);
    if let Some(rect) = inset_rect(&chart, panel, (width, height), &wire, &runs, &texts) {
        draw_overview_inset(area, panel, rect, fonts)?;
    }
    Ok(())
}

/// Draws wireframe curves (3-D points (w₁, w₂, v)) on `chart`, each thinned to points at least
/// [`WIRE_MIN_PX`] pixels apart: the curves are sampled finely enough for any framing, and the
/// points a 1-pixel line does not need would only cost drawing time.
fn draw_wireframe<DB: DrawingBackend>(
    chart: &mut Chart3d<'_, DB>,
    lines: &[Vec<(f64, f64, f64)>],
    style: ShapeStyle,
) -> Result<(), ChartError> {
    let thinned: Vec<Vec<(f64, f64, f64)>> = lines
        .iter()
        .map(|line| {
            let points: Vec<_> = line.iter().copied().map(to_plot).collect();
            thin_by_pixels(&points, |p| chart.as_coord_spec().translate(p), WIRE_MIN_PX)
        })
        .collect();
    chart.draw_series(
        thinned
            .into_iter()
            .map(|line| PathElement::new(line, style)),
    )?;
    Ok(())
}

/// The stroke width of the trajectory and the radius of its end markers, in pixels, for a panel
/// of `width` × `height` pixels: both scale with the panel's smaller side (a 420-pixel panel on a
/// 1920 × 1080 projector gets a 4-pixel path and 9-pixel markers), so the path reads from the
/// back of a room.
pub fn trajectory_stroke(width: u32, height: u32) -> (u32, i32) {
    let side = f64::from(width.min(height));
    let line = (side / TRAJECTORY_STROKE_DIVISOR).round().max(3.0) as u32;
    let radius = (side / MARKER_RADIUS_DIVISOR).round().max(5.0) as i32;
    (line, radius)
}

/// The 3-D chart of a panel on `area`: margin, title, the cube [−extent, extent]³ and the view's
/// projection. [`draw_quadric_panel`] draws on it and [`trajectory_pixel_width`] measures with it,
/// so the measurement is the drawing's own projection.
fn panel_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    panel: &QuadricPanel,
    fonts: FontSizes,
) -> Result<(Chart3d<'a, DB>, AxisTextSizes), ChartError> {
    let [lo, hi] = plot_bounds(panel);
    let margin = (fonts.body * 0.5) as u32;
    let mut builder = ChartBuilder::on(area);
    // The axis names and tick labels outside the cube get their room from `fit_view`.
    builder.margin(margin);
    if !panel.title.is_empty() {
        let room = f64::from(area.dim_in_pixel().0.saturating_sub(2 * margin));
        let (title, size) = fit_title(area, panel.title, fonts.title, room)?;
        builder.caption(title, title_font(size));
    }
    let mut chart = builder.build_cartesian_3d(lo[0]..hi[0], lo[1]..hi[1], lo[2]..hi[2])?;
    let sizes = AxisTextSizes::measure(area, plot_bounds(panel), fonts.body)?;
    let text = (&sizes, fonts.body);
    fit_view(&mut chart, area, panel, text, None);
    let size = area.dim_in_pixel();
    if let Some(square) = inset_to_clear(&chart, panel, size, &sizes, fonts.body) {
        // Every text comes out from under the inset if the cube stays large; else the axis names
        // at least, at any scale; else the view stays as fitted, and `inset_rect` leaves the
        // inset out if it would hide a name.
        let cleared = fit_view(&mut chart, area, panel, text, Some((square, Clear::Texts)))
            || fit_view(&mut chart, area, panel, text, Some((square, Clear::Names)));
        if !cleared {
            fit_view(&mut chart, area, panel, text, None);
        }
    }
    Ok((chart, sizes))
}

/// Turns `chart` to the panel's (yaw, pitch), its cube drawn at `scale` of the area and moved by
/// `shift` pixels from the plotting area's centre.
fn set_view<DB: DrawingBackend>(
    chart: &mut Chart3d<'_, DB>,
    panel: &QuadricPanel,
    scale: f64,
    (dx, dy): (i32, i32),
) {
    let (yaw, pitch) = view_angles(panel);
    chart.with_projection(|mut pb| {
        pb.yaw = yaw;
        pb.pitch = pitch;
        pb.scale = scale;
        // The builder's last step moves the picture to the area's centre; this moves it further.
        pb.into_matrix() * ProjectionMatrix::shift(f64::from(dx), f64::from(dy), 0.0)
    });
}

/// The panel's (yaw, pitch), plotters' defaults for non-finite ones.
fn view_angles(panel: &QuadricPanel) -> (f64, f64) {
    let finite_or = |x: f64, default: f64| if x.is_finite() { x } else { default };
    (finite_or(panel.yaw, 0.5), finite_or(panel.pitch, 0.15))
}

/// The font of a panel title of `size` pixels.
fn title_font(size: f64) -> TextStyle<'static> {
    (FontFamily::SansSerif, size).into_font().color(&INK)
}

/// The title as written on a panel whose title band is `room` pixels wide, and its font size:
/// `title` at `size` if it fits; otherwise at the largest whole size that fits down to
/// [`TITLE_MIN_SCALE`] × `size`; otherwise without a trailing " (…)" (e.g. "neuron 1: c₁ = −1.00
/// (two sheets)" → "neuron 1: c₁ = −1.00") at the largest size that fits down to
/// [`TITLE_MIN_PX`]; otherwise the shortest title at [`TITLE_MIN_PX`] (it is then clipped).
/// Widths are the backend's estimates (the page's canvas measures its text; the SVG backend
/// estimates it).
///
/// # Errors
/// The backend's message if it cannot measure text.
pub(crate) fn fit_title<'t, DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &'t str,
    size: f64,
    room: f64,
) -> Result<(&'t str, f64), ChartError> {
    let width = |text: &str, s: f64| -> Result<f64, ChartError> {
        Ok(f64::from(area.estimate_text_size(text, &title_font(s))?.0))
    };
    let short = title
        .strip_suffix(')')
        .and_then(|t| t.rsplit_once(" ("))
        .map(|(head, _)| head)
        .filter(|head| !head.is_empty());
    let whole_floor = (size * TITLE_MIN_SCALE).round().max(TITLE_MIN_PX).min(size);
    let tries = [(Some(title), whole_floor), (short, TITLE_MIN_PX.min(size))];
    for (text, floor) in tries.into_iter().filter_map(|(t, f)| Some((t?, f))) {
        let full = width(text, size)?;
        if full <= room {
            return Ok((text, size));
        }
        // Text widths grow about in proportion to the size: start there and step down.
        let mut s = (size * room / full).floor().min(size - 1.0);
        while s >= floor {
            if width(text, s)? <= room {
                return Ok((text, s));
            }
            s -= 1.0;
        }
    }
    Ok((short.unwrap_or(title), TITLE_MIN_PX.min(size)))
}

/// The half-width of the origin-centred cube the overview inset shows: `panel.overview`, grown if
/// need be to hold the panel's cube (so its outline and the path are never cut). `None` when the
/// panel asks for no inset or its cube already holds the overview cube (it is not zoomed).
fn overview_extent(panel: &QuadricPanel) -> Option<f64> {
    let e0 = panel.overview.filter(|e| e.is_finite() && *e > 0.0)?;
    let (e, o) = (panel.extent, panel.centre);
    if o.iter().all(|x| x.abs() + e0 <= e) {
        return None;
    }
    Some(o.iter().map(|x| x.abs() + e).fold(e0, f64::max))
}

/// The overview inset's wireframe: the whole Q(c) in the origin-centred overview cube with
/// [`INSET_MERIDIANS`] × [`INSET_PARALLELS`] curves, coarsely sampled (both sheets for c < 0),
/// as 3-D points
/// (w₁, w₂, v). Empty when the panel gets no inset because it is not zoomed (see
/// [`QuadricPanel::overview`]); the panel's pixel size is not considered here.
pub fn overview_wireframe(panel: &QuadricPanel) -> Vec<Vec<(f64, f64, f64)>> {
    overview_extent(panel).map_or_else(Vec::new, |e0| {
        wireframe_sampled(
            panel.c,
            e0,
            (INSET_MERIDIANS, INSET_PARALLELS),
            (INSET_MERIDIAN_SEGMENTS, INSET_CIRCLE_SEGMENTS),
        )
    })
}

/// Where [`draw_quadric_panel`] puts the overview inset on a panel of `width` × `height` pixels
/// (the same chart and projection), or `None` when it draws none: the panel is not zoomed, asks
/// for no inset, or is smaller than [`MIN_INSET_PANEL_PX`].
///
/// # Errors
/// [`ChartError`] if the extent is not finite and positive or the size is zero.
pub fn overview_inset_rect(
    width: u32,
    height: u32,
    panel: &QuadricPanel,
) -> Result<Option<InsetRect>, ChartError> {
    check_cube(panel)?;
    if width == 0 || height == 0 {
        return Err(ChartError(format!(
            "cannot measure a {width}×{height} panel"
        )));
    }
    let mut scratch = String::new();
    let area = SVGBackend::with_string(&mut scratch, (width, height)).into_drawing_area();
    let fonts = FontSizes::for_height(height);
    let (chart, sizes) = panel_chart(&area, panel, fonts)?;
    let runs = drawn_runs(&chart, panel);
    let texts = axis_text_boxes(&chart, plot_bounds(panel), &sizes, fonts.body);
    Ok(inset_rect(
        &chart,
        panel,
        (width, height),
        &panel_wireframe(panel),
        &runs,
        &texts,
    ))
}

/// The two squares the overview inset may take on a panel of `width` × `height` pixels, the
/// top-left and the top-right corner of the plotting area (below the title band), each
/// [`INSET_FRACTION`] of the panel's smaller side; `None` when the panel gets no inset.
fn inset_corners<DB: DrawingBackend>(
    chart: &Chart3d<'_, DB>,
    panel: &QuadricPanel,
    (width, height): (u32, u32),
) -> Option<[InsetRect; 2]> {
    if width.min(height) < MIN_INSET_PANEL_PX {
        return None;
    }
    overview_extent(panel)?;
    let side = (INSET_FRACTION * f64::from(width.min(height))).round() as u32;
    let (x_px, y_px) = chart.plotting_area().get_pixel_range();
    let s = side as i32;
    if x_px.end - x_px.start < s || y_px.end - y_px.start < s {
        return None;
    }
    let right = InsetRect {
        x: x_px.end - s,
        y: y_px.start,
        side,
    };
    let left = InsetRect {
        x: x_px.start,
        ..right
    };
    Some([left, right])
}

/// The inset corner that [`panel_chart`] clears of text: of the corners that hide none of the
/// drawn path, the one that hides the fewest tick labels and axis names (the right on a tie), if
/// it hides any.
fn inset_to_clear<DB: DrawingBackend>(
    chart: &Chart3d<'_, DB>,
    panel: &QuadricPanel,
    size: (u32, u32),
    sizes: &AxisTextSizes,
    body: f64,
) -> Option<PixelBox> {
    let [left, right] = inset_corners(chart, panel, size)?;
    let spec = chart.as_coord_spec();
    let path: Vec<(i32, i32)> = drawn_runs(chart, panel)
        .iter()
        .flatten()
        .map(|p| spec.translate(p))
        .collect();
    let texts = axis_text_boxes(chart, plot_bounds(panel), sizes, body);
    let hidden = |rect: &InsetRect| {
        let under = rect.covers(&path, &texts);
        (!under.path).then_some(under.texts)
    };
    let pick = match (hidden(&left), hidden(&right)) {
        (Some(l), Some(r)) if l < r => Some((left, l)),
        (_, Some(r)) => Some((right, r)),
        (Some(l), None) => Some((left, l)),
        (None, None) => None,
    };
    pick.and_then(|(rect, n)| (n > 0).then(|| rect.pixel_box()))
}

/// The inset's square: [`INSET_FRACTION`] of the panel's smaller side, in the top-right or the
/// top-left corner of the plotting area (below the title band), or `None` when each corner would
/// hide some of the path or an axis name (large text on a small panel). The corner that hides
/// fewer of the `texts` (the tick labels and axis names, [`axis_text_boxes`]) wins; then the one
/// with fewer of the main plot's drawn points under it, a point of the path or of the edges that
/// carry the tick labels counting [`INSET_PATH_WEIGHT`] times; the right on a tie. `wire` is the
/// main wireframe in (w₁, w₂, v), `runs` the drawn path in plotters coordinates.
fn inset_rect<DB: DrawingBackend>(
    chart: &Chart3d<'_, DB>,
    panel: &QuadricPanel,
    (width, height): (u32, u32),
    wire: &[Vec<(f64, f64, f64)>],
    runs: &[Vec<(f64, f64, f64)>],
    texts: &[PixelBox],
) -> Option<InsetRect> {
    let [left, right] = inset_corners(chart, panel, (width, height))?;
    let spec = chart.as_coord_spec();
    // Every WIRE_STRIDE-th wireframe point stands for its neighbours; the tick labels sit along
    // the tick edges, so covering those counts like covering the path.
    let wire_points = wire
        .iter()
        .flat_map(|line| line.iter().step_by(INSET_WIRE_STRIDE))
        .map(|p| (spec.translate(&to_plot(*p)), INSET_WIRE_STRIDE));
    let path: Vec<(i32, i32)> = runs.iter().flatten().map(|p| spec.translate(p)).collect();
    let path_points = path.iter().map(|&px| (px, INSET_PATH_WEIGHT));
    let bounds = plot_bounds(panel);
    let tick_points = (0..3).flat_map(|idx| {
        let (a, b) = tick_edge(spec, bounds, idx);
        (0..=8).map(move |j| {
            let t = f64::from(j) / 8.0;
            let p: [f64; 3] = std::array::from_fn(|i| a[i] + (b[i] - a[i]) * t);
            (spec.translate(&(p[0], p[1], p[2])), INSET_PATH_WEIGHT)
        })
    });
    let (mut on_left, mut on_right) = (0, 0);
    for (px, weight) in wire_points.chain(path_points).chain(tick_points) {
        if left.contains(px) {
            on_left += weight;
        }
        if right.contains(px) {
            on_right += weight;
        }
    }
    // First the path and the axis names stay in view, then the tick labels, then the most lines.
    let key = |rect: &InsetRect, points: usize| {
        let under = rect.covers(&path, texts);
        (under.path || under.names, under.texts, points)
    };
    let (l, r) = (key(&left, on_left), key(&right, on_right));
    let (best, (hides, _, _)) = if l < r { (left, l) } else { (right, r) };
    (!hides).then_some(best)
}

/// The 12 edges of the box with corners `lo` and `hi` (plotters coordinates).
fn cube_edges([lo, hi]: [[f64; 3]; 2]) -> [Edge; 12] {
    std::array::from_fn(|n| {
        // Edge n runs along axis n / 4; bits of n % 4 choose the other two coordinates.
        let (axis, bits) = (n / 4, n % 4);
        let (i, j) = ((axis + 1) % 3, (axis + 2) % 3);
        let mut start = lo;
        start[i] = if bits & 1 == 0 { lo[i] } else { hi[i] };
        start[j] = if bits & 2 == 0 { lo[j] } else { hi[j] };
        let mut end = start;
        end[axis] = hi[axis];
        (start, end)
    })
}

/// Draws the overview inset in `rect` of the panel `area`: white, a thin border, a small
/// "whole Q(c)" label, the whole quadric in the overview cube (no axes), the outline of the
/// panel's own cube in [`INK`], the path in the run's colour and the current point, all seen
/// from the panel's angles.
fn draw_overview_inset<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &QuadricPanel,
    rect: InsetRect,
    fonts: FontSizes,
) -> Result<(), ChartError> {
    let Some(e0) = overview_extent(panel) else {
        return Ok(());
    };
    let (x0, y0) = area.get_base_pixel();
    let inset = area
        .clone()
        .shrink((rect.x - x0, rect.y - y0), (rect.side, rect.side));
    inset.fill(&WHITE)?;
    let s = rect.side as i32;
    inset.draw(&Rectangle::new(
        [(0, 0), (s - 1, s - 1)],
        SURFACE.stroke_width(1),
    ))?;
    let label_px = (fonts.body * 0.7).max(TITLE_MIN_PX);
    let label = (FontFamily::SansSerif, label_px)
        .into_font()
        .color(&SURFACE)
        .pos(Pos::new(HPos::Left, VPos::Top));
    inset.draw_text("whole Q(c)", &label, (4, 3))?;

    let mut chart = ChartBuilder::on(&inset)
        .margin(2)
        .margin_top(label_px.round() as u32 + 4)
        .build_cartesian_3d(-e0..e0, -e0..e0, -e0..e0)?;
    set_view(&mut chart, panel, 0.95, (0, 0));
    let surface = SURFACE.mix(0.55).stroke_width(1);
    // Already coarse: drawn as it is, without thinning.
    chart.draw_series(overview_wireframe(panel).into_iter().map(|line| {
        PathElement::new(line.into_iter().map(to_plot).collect::<Vec<_>>(), surface)
    }))?;
    let outline = INK.stroke_width(if rect.side >= 120 { 2 } else { 1 });
    chart.draw_series(
        cube_edges(plot_bounds(panel))
            .into_iter()
            .map(|(a, b)| PathElement::new(vec![(a[0], a[1], a[2]), (b[0], b[1], b[2])], outline)),
    )?;
    let (line_width, radius) = trajectory_stroke(rect.side, rect.side);
    let runs: Vec<_> = trajectory_runs(panel.trajectory, [0.0; 3], e0, INSET_PATH_POINTS)
        .into_iter()
        .map(|run| thin_by_pixels(&run, |p| chart.as_coord_spec().translate(p), 3))
        .collect();
    let path = panel
        .color
        .stroke_width(line_width.saturating_sub(1).max(2));
    chart.draw_series(runs.into_iter().map(|run| PathElement::new(run, path)))?;
    if let Some(&now) = panel
        .trajectory
        .last()
        .filter(|p| in_cube(**p, [0.0; 3], e0))
    {
        let now = to_plot((now[0], now[1], now[2]));
        let r = (radius - 1).max(3);
        chart.draw_series([
            Circle::new(now, r, panel.color.filled()),
            Circle::new(now, r, INK.stroke_width(1)),
        ])?;
    }
    Ok(())
}

/// The cube's lowest and highest corners in plotters coordinates (w₁, v, w₂).
fn plot_bounds(panel: &QuadricPanel) -> [[f64; 3]; 2] {
    let (e, [c1, c2, cv]) = (panel.extent, panel.centre);
    [[c1 - e, cv - e, c2 - e], [c1 + e, cv + e, c2 + e]]
}

/// Refuses a cube whose extent is not finite and positive or whose centre is not finite.
fn check_cube(panel: &QuadricPanel) -> Result<(), ChartError> {
    let e = panel.extent;
    if !(e.is_finite() && e > 0.0) {
        return Err(ChartError(format!(
            "quadric panel extent must be finite and positive, got {e}"
        )));
    }
    if !panel.centre.iter().all(|x| x.is_finite()) {
        return Err(ChartError(format!(
            "quadric panel centre must be finite, got {:?}",
            panel.centre
        )));
    }
    Ok(())
}

/// The panel's wireframe: [`quadric_wireframe`] for a cube about the origin, otherwise
/// [`quadric_wireframe_in`].
fn panel_wireframe(panel: &QuadricPanel) -> Vec<Vec<(f64, f64, f64)>> {
    if panel.centre == [0.0; 3] {
        quadric_wireframe(panel.c, panel.extent, PANEL_MERIDIANS, PANEL_PARALLELS)
    } else {
        quadric_wireframe_in(
            panel.c,
            panel.centre,
            panel.extent,
            PANEL_MERIDIANS,
            PANEL_PARALLELS,
        )
    }
}

/// The trajectory's runs as drawn: inside the cube, thinned, then thinned again to points at
/// least 4 pixels apart on `chart`, in plotters coordinates.
fn drawn_runs<DB: DrawingBackend>(
    chart: &Chart3d<'_, DB>,
    panel: &QuadricPanel,
) -> Vec<Vec<(f64, f64, f64)>> {
    trajectory_runs(
        panel.trajectory,
        panel.centre,
        panel.extent,
        MAX_TRAJECTORY_POINTS,
    )
    .into_iter()
    .map(|run| thin_by_pixels(&run, |p| chart.as_coord_spec().translate(p), 4))
    .collect()
}

/// The width in pixels of the bounding box of the trajectory as [`draw_quadric_panel`] draws it
/// on a panel of `width` × `height` pixels (the same chart, projection and thinning; the markers'
/// radius is not counted). `None` when no point of the trajectory is drawn.
///
/// # Errors
/// [`ChartError`] if the extent is not finite and positive or the size is zero.
pub fn trajectory_pixel_width(
    width: u32,
    height: u32,
    panel: &QuadricPanel,
) -> Result<Option<u32>, ChartError> {
    let mut scratch = String::new();
    let area = SVGBackend::with_string(&mut scratch, (width, height)).into_drawing_area();
    trajectory_pixel_width_on(&area, panel)
}

/// [`trajectory_pixel_width`] on a given drawing `area` (nothing is drawn on it), whose backend
/// measures the title as the page's does: on the page, pass the page's own backend, whose text
/// measurement the site's policy allows.
///
/// # Errors
/// [`ChartError`] for a bad cube or a zero-sized area.
pub fn trajectory_pixel_width_on<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &QuadricPanel,
) -> Result<Option<u32>, ChartError> {
    check_cube(panel)?;
    let (width, height) = area.dim_in_pixel();
    if width == 0 || height == 0 {
        return Err(ChartError(format!(
            "cannot measure a {width}×{height} panel"
        )));
    }
    let (chart, _) = panel_chart(area, panel, FontSizes::for_height(height))?;
    let xs: Vec<i32> = drawn_runs(&chart, panel)
        .iter()
        .flatten()
        .map(|p| chart.as_coord_spec().translate(p).0)
        .collect();
    let (Some(lo), Some(hi)) = (xs.iter().min(), xs.iter().max()) else {
        return Ok(None);
    };
    Ok(Some(hi.abs_diff(*lo)))
}

/// The wireframe of Q(c) = {(w₁, w₂, v) : w₁² + w₂² − v² = c} clipped to the cube
/// [−extent, extent]³, as polylines of 3-D points (w₁, w₂, v).
///
/// `meridians` curves of fixed angle φ = 2πi/meridians (one per sheet for c < 0) and about
/// `parallels` circles of fixed v (split between the two sheets for c < 0; those wider than the
/// cube are cut into arcs). Every point lies on Q(c) up to rounding and inside the cube. Empty if
/// `c` or `extent` is not finite, `extent ≤ 0`, or the surface misses the cube (c > 2·extent² or
/// c < −extent²).
pub fn quadric_wireframe(
    c: f64,
    extent: f64,
    meridians: usize,
    parallels: usize,
) -> Vec<Vec<(f64, f64, f64)>> {
    wireframe_sampled(
        c,
        extent,
        (meridians, parallels),
        (MERIDIAN_SEGMENTS, CIRCLE_SEGMENTS),
    )
}

/// [`quadric_wireframe`] with `segments` = (segments of one meridian per sheet, segments of a
/// full parallel circle): fewer for a small picture such as the overview inset.
fn wireframe_sampled(
    c: f64,
    extent: f64,
    (meridians, parallels): (usize, usize),
    (meridian_segments, circle_segments): (usize, usize),
) -> Vec<Vec<(f64, f64, f64)>> {
    let mut lines = Vec::new();
    if !(c.is_finite() && extent.is_finite() && extent > 0.0) {
        return lines;
    }
    for i in 0..meridians {
        let (sin, cos) = (TAU * i as f64 / meridians as f64).sin_cos();
        // How far w can go in this direction before it leaves the square |w₁|, |w₂| ≤ extent.
        let r_max = extent / cos.abs().max(sin.abs());
        for profile in meridian_profiles(c, extent, r_max, meridian_segments.max(1)) {
            if profile.len() >= 2 {
                lines.push(
                    profile
                        .into_iter()
                        .map(|(r, v)| (r * cos, r * sin, v))
                        .collect(),
                );
            }
        }
    }
    for (v, r) in parallel_levels(c, extent, parallels) {
        for (phi0, phi1) in arcs_in_square(r, extent) {
            let n = ((circle_segments as f64 * (phi1 - phi0) / TAU).ceil() as usize).max(2);
            lines.push(
                (0..=n)
                    .map(|j| {
                        let (sin, cos) = (phi0 + (phi1 - phi0) * j as f64 / n as f64).sin_cos();
                        (r * cos, r * sin, v)
                    })
                    .collect(),
            );
        }
    }
    lines
}

/// The wireframe of Q(c) clipped to the cube `centre ± extent` (any centre), as polylines of 3-D
/// points (w₁, w₂, v): `meridians` curves of fixed angle φ spread over the angles the cube's
/// (w₁, w₂) square covers (the full circle when it contains the axis) and `parallels` heights
/// spread over its v range, each sampled finely and cut where it leaves the cube. So a cube framed
/// on a small patch of the surface still shows a full wireframe. Every point lies on Q(c) up to
/// rounding and inside the cube; empty when an input is not finite, `extent ≤ 0`, or the surface
/// misses the cube.
pub fn quadric_wireframe_in(
    c: f64,
    centre: [f64; 3],
    extent: f64,
    meridians: usize,
    parallels: usize,
) -> Vec<Vec<(f64, f64, f64)>> {
    let mut lines = Vec::new();
    if !(c.is_finite()
        && extent.is_finite()
        && extent > 0.0
        && centre.iter().all(|x| x.is_finite()))
    {
        return lines;
    }
    let [o1, o2, ov] = centre;
    let e = extent;
    let (v_lo, v_hi) = (ov - e, ov + e);
    let corners = [
        (o1 - e, o2 - e),
        (o1 + e, o2 - e),
        (o1 + e, o2 + e),
        (o1 - e, o2 + e),
    ];
    let r_max = corners.iter().map(|(x, y)| x.hypot(*y)).fold(0.0, f64::max);
    let around_axis = o1.abs() <= e && o2.abs() <= e;
    let (r_min, phi0, phi1) = if around_axis {
        (0.0, 0.0, TAU)
    } else {
        let mid = o2.atan2(o1);
        let wrap = |a: f64| (a + std::f64::consts::PI).rem_euclid(TAU) - std::f64::consts::PI;
        let deltas = corners.map(|(x, y)| wrap(y.atan2(x) - mid));
        let lo = deltas.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = deltas.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let gap = ((o1.abs() - e).max(0.0)).hypot((o2.abs() - e).max(0.0));
        (gap, mid + lo, mid + hi)
    };
    let samples = 4 * MERIDIAN_SEGMENTS;
    let inside = |p: &(f64, f64, f64)| in_cube([p.0, p.1, p.2], centre, extent);
    let mut keep = |curve: Vec<(f64, f64, f64)>| {
        let mut run = Vec::new();
        for p in curve {
            if inside(&p) {
                run.push(p);
            } else if !run.is_empty() {
                let done = std::mem::take(&mut run);
                if done.len() >= 2 {
                    lines.push(done);
                }
            }
        }
        if run.len() >= 2 {
            lines.push(run);
        }
    };
    let at = |a: f64, b: f64, j: usize, n: usize| a + (b - a) * j as f64 / n as f64;
    for i in 0..meridians {
        let phi = if around_axis {
            TAU * i as f64 / meridians as f64
        } else {
            phi0 + (phi1 - phi0) * (i as f64 + 0.5) / meridians as f64
        };
        let (sin, cos) = phi.sin_cos();
        if c < 0.0 {
            for sign in [1.0, -1.0] {
                keep(
                    (0..=samples)
                        .map(|j| {
                            let r = at(r_min, r_max, j, samples);
                            (r * cos, r * sin, sign * (r * r - c).sqrt())
                        })
                        .collect(),
                );
            }
        } else {
            keep(
                (0..=samples)
                    .map(|j| {
                        let v = at(v_lo, v_hi, j, samples);
                        let r = (c + v * v).sqrt();
                        (r * cos, r * sin, v)
                    })
                    .collect(),
            );
        }
    }
    for j in 0..parallels {
        let v = v_lo + (v_hi - v_lo) * (j as f64 + 0.5) / parallels as f64;
        let r2 = c + v * v;
        if r2 <= 1e-24 {
            continue;
        }
        let r = r2.sqrt();
        keep(
            (0..=2 * CIRCLE_SEGMENTS)
                .map(|k| {
                    let (sin, cos) = at(phi0, phi1, k, 2 * CIRCLE_SEGMENTS).sin_cos();
                    (r * cos, r * sin, v)
                })
                .collect(),
        );
    }
    lines
}

/// The meridian curves (r, v) of Q(c) at a fixed angle whose ray leaves the cube at r = `r_max`:
/// one curve of `n` segments for c ≥ 0, one per sheet for c < 0, none if the surface misses the
/// cube there.
fn meridian_profiles(c: f64, extent: f64, r_max: f64, n: usize) -> Vec<Vec<(f64, f64)>> {
    if c < 0.0 {
        // Two sheets v = ±√(r² − c), r from the vertex (r = 0) to where the sheet leaves the cube.
        let top = extent * extent + c;
        if top < 0.0 {
            return Vec::new();
        }
        let r_hi = r_max.min(top.sqrt());
        [1.0, -1.0]
            .into_iter()
            .map(|sign: f64| {
                (0..=n)
                    .map(|j| {
                        let r = r_hi * j as f64 / n as f64;
                        (r, sign * (r * r - c).sqrt())
                    })
                    .collect()
            })
            .collect()
    } else {
        // One curve r = √(c + v²) over |v| ≤ v_hi (through the apex when c = 0).
        let room = r_max * r_max - c;
        if room < 0.0 {
            return Vec::new();
        }
        let v_hi = extent.min(room.sqrt());
        vec![
            (0..=n)
                .map(|j| {
                    let v = v_hi * (2.0 * j as f64 / n as f64 - 1.0);
                    ((c + v * v).sqrt(), v)
                })
                .collect(),
        ]
    }
}

/// The parallels (v, r) of Q(c): about `parallels` heights spread over the part of the v range
/// inside the cube, with their radius r = √(c + v²); degenerate circles (r ≈ 0) are left out.
fn parallel_levels(c: f64, extent: f64, parallels: usize) -> Vec<(f64, f64)> {
    let heights: Vec<f64> = if c < 0.0 {
        let a = (-c).sqrt();
        if a > extent {
            return Vec::new();
        }
        let per_sheet = parallels.div_ceil(2);
        (1..=per_sheet)
            .map(|j| a + (extent - a) * j as f64 / per_sheet as f64)
            .flat_map(|v| [v, -v])
            .collect()
    } else if parallels == 1 {
        vec![0.0]
    } else {
        (0..parallels)
            .map(|j| extent * (2.0 * j as f64 / (parallels - 1) as f64 - 1.0))
            .collect()
    };
    heights
        .into_iter()
        .map(|v| (v, (c + v * v).max(0.0).sqrt()))
        .filter(|&(_, r)| r > 1e-12)
        .collect()
}

/// Angle intervals (φ₀, φ₁) on which the circle of radius `r` about the origin stays in the square
/// |w₁|, |w₂| ≤ `extent`: the whole circle, four arcs centred on the diagonals, or nothing.
fn arcs_in_square(r: f64, extent: f64) -> Vec<(f64, f64)> {
    if r <= extent {
        return vec![(0.0, TAU)];
    }
    let s = extent / r;
    if s < std::f64::consts::FRAC_1_SQRT_2 {
        return Vec::new();
    }
    // In the first quadrant r·cos φ ≤ extent and r·sin φ ≤ extent: acos(s) ≤ φ ≤ asin(s).
    let half = s.asin() - FRAC_PI_4;
    if half <= 1e-12 {
        return Vec::new();
    }
    (0..4)
        .map(|k| {
            let centre = FRAC_PI_4 + FRAC_PI_2 * k as f64;
            (centre - half, centre + half)
        })
        .collect()
}

/// Plotters coordinates (w₁, v, w₂) of a point (w₁, w₂, v): v is the vertical axis.
/// Tick labels an axis of a panel `side` pixels wide with body text of `body` pixels.
fn tick_count(side: u32, body: f64) -> usize {
    if f64::from(side) >= 22.0 * body { 5 } else { 3 }
}

/// A cube axis's tick label: plotters' key points of an off-centre cube can land a rounding error
/// away from 0 (−2.8e-17); the smallest cube is ±0.25, so anything below 1e-9 is 0.
fn cube_tick(v: &f64) -> String {
    linear_tick(if v.abs() < 1e-9 { &0.0 } else { v })
}

fn to_plot((w1, w2, v): (f64, f64, f64)) -> (f64, f64, f64) {
    (w1, v, w2)
}

/// Whether a point is finite and inside the cube `centre ± extent`.
fn in_cube(p: [f64; 3], centre: [f64; 3], extent: f64) -> bool {
    let slack = CUBE_SLACK * extent.max(1.0);
    p.iter()
        .zip(centre)
        .all(|(x, o)| x.is_finite() && (x - o).abs() <= extent + slack)
}

/// The trajectory, thinned to at most `max_points`, as runs of consecutive drawn points inside the cube, in plotters
/// coordinates. A run of one point is kept too (it draws nothing visible on its own).
fn trajectory_runs(
    trajectory: &[[f64; 3]],
    centre: [f64; 3],
    extent: f64,
    max_points: usize,
) -> Vec<Vec<(f64, f64, f64)>> {
    let mut runs = Vec::new();
    let mut run: Vec<(f64, f64, f64)> = Vec::new();
    for i in decimated_indices(trajectory.len(), max_points) {
        match trajectory.get(i) {
            Some(&p) if in_cube(p, centre, extent) => run.push(to_plot((p[0], p[1], p[2]))),
            _ => {
                if !run.is_empty() {
                    runs.push(std::mem::take(&mut run));
                }
            }
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

/// Writes "w₁", "v", "w₂" beside the cube edges on which plotters put each axis's tick labels,
/// just beyond those labels.
fn draw_axis_names<DB: DrawingBackend>(
    chart: &mut Chart3d<'_, DB>,
    bounds: [[f64; 3]; 2],
    body: f64,
) -> Result<(), ChartError> {
    let font = axis_name_font(body);
    for (name, at, offset, pos) in axis_name_layout(chart, bounds, body) {
        chart.plotting_area().draw(
            &(EmptyElement::at((at[0], at[1], at[2])) + Text::new(name, offset, font.pos(pos))),
        )?;
    }
    Ok(())
}

/// The axis names' font for body text of `body` pixels.
fn axis_name_font(body: f64) -> TextStyle<'static> {
    (FontFamily::SansSerif, body * 1.1, FontStyle::Italic)
        .into_font()
        .color(&INK)
}

/// The tick marks' length in pixels for body text of `body` pixels.
fn tick_length(body: f64) -> i32 {
    (body * 0.3).round().max(3.0) as i32
}

/// The names of plotters' axes 0, 1 and 2 of a panel: (w₁, v, w₂) is drawn as plotters' (x, y, z).
const AXIS_NAMES: [&str; 3] = ["w₁", "v", "w₂"];

/// Where [`draw_axis_names`] writes an axis name: the name, the middle of its tick edge (plotters
/// coordinates), the pixel offset from there and the text's anchor.
type AxisName = (&'static str, [f64; 3], (i32, i32), Pos);

/// Where [`draw_axis_names`] writes each axis name.
fn axis_name_layout<DB: DrawingBackend>(
    chart: &Chart3d<'_, DB>,
    bounds: [[f64; 3]; 2],
    body: f64,
) -> [AxisName; 3] {
    let tick_px = tick_length(body);
    let spec = chart.as_coord_spec();
    let mid = plot_mid(chart);
    std::array::from_fn(|idx| {
        let (start, end) = tick_edge(spec, bounds, idx);
        let begin = spec.translate(&(start[0], start[1], start[2]));
        let finish = spec.translate(&(end[0], end[1], end[2]));
        let dir = tick_direction(begin, finish, mid);
        // Tick labels span from 2 ticks out to about two characters (or one line) further.
        let across = if dir.0 == 0 { body * 1.2 } else { body * 1.9 };
        let reach = 2 * tick_px + across as i32;
        let mut at = start;
        at[idx] = 0.5 * (start[idx] + end[idx]);
        (
            AXIS_NAMES[idx],
            at,
            (dir.0 * reach, dir.1 * reach),
            label_anchor(dir),
        )
    })
}

/// The anchor of a text written beside a tick pointing in `dir` (as plotters anchors its tick
/// labels): its right end for a tick to the left, its top for a tick downwards, and so on.
fn label_anchor(dir: (i32, i32)) -> Pos {
    match dir {
        (dx, _) if dx < 0 => Pos::new(HPos::Right, VPos::Center),
        (dx, _) if dx > 0 => Pos::new(HPos::Left, VPos::Center),
        (_, dy) if dy < 0 => Pos::new(HPos::Center, VPos::Bottom),
        _ => Pos::new(HPos::Center, VPos::Top),
    }
}

/// The centre of the chart's plotting area, in pixels: plotters turns each axis's ticks away
/// from it.
fn plot_mid<DB: DrawingBackend>(chart: &Chart3d<'_, DB>) -> (i32, i32) {
    let (x_px, y_px) = chart.plotting_area().get_pixel_range();
    ((x_px.start + x_px.end) / 2, (y_px.start + y_px.end) / 2)
}

/// A rectangle of pixels, `[x0, x1] × [y0, y1]`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct PixelBox {
    x0: i32,
    y0: i32,
    x1: i32,
    y1: i32,
}

impl PixelBox {
    /// The box of a `(w, h)` text anchored at `pos` on the pixel `at`.
    fn of_text(at: (i32, i32), (w, h): (u32, u32), pos: Pos) -> Self {
        let (w, h) = (w as i32, h as i32);
        let x0 = match pos.h_pos {
            HPos::Left => at.0,
            HPos::Center => at.0 - w / 2,
            HPos::Right => at.0 - w,
        };
        let y0 = match pos.v_pos {
            VPos::Top => at.1,
            VPos::Center => at.1 - h / 2,
            VPos::Bottom => at.1 - h,
        };
        Self {
            x0,
            y0,
            x1: x0 + w,
            y1: y0 + h,
        }
    }

    fn union(self, other: Self) -> Self {
        Self {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
        }
    }

    fn contains_box(&self, other: &Self) -> bool {
        other.x0 >= self.x0 && other.x1 <= self.x1 && other.y0 >= self.y0 && other.y1 <= self.y1
    }

    fn overlaps(&self, other: &Self) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }
}

/// The widths and heights of the texts around the cube that [`axis_text_boxes`] places: the
/// three axis names, then the labels at the two ends of each tick edge (the widest label an axis
/// can get is at one of them).
struct AxisTextSizes {
    names: [(u32, u32); 3],
    ends: [[(u32, u32); 2]; 3],
}

impl AxisTextSizes {
    fn measure<DB: DrawingBackend>(
        area: &DrawingArea<DB, Shift>,
        bounds: [[f64; 3]; 2],
        body: f64,
    ) -> Result<Self, ChartError> {
        let name_font = axis_name_font(body);
        let label_font = tick_font(body);
        let mut names = [(0, 0); 3];
        let mut ends = [[(0, 0); 2]; 3];
        for idx in 0..3 {
            names[idx] = area.estimate_text_size(AXIS_NAMES[idx], &name_font)?;
            for (end, value) in ends[idx].iter_mut().zip([bounds[0][idx], bounds[1][idx]]) {
                *end = area.estimate_text_size(&cube_tick(&value), &label_font)?;
            }
        }
        Ok(Self { names, ends })
    }
}

/// The tick labels' font for body text of `body` pixels.
fn tick_font(body: f64) -> TextStyle<'static> {
    (FontFamily::SansSerif, body * 0.85).into_font().color(&INK)
}

/// The boxes of the text around the cube on `chart` as now projected: the three axis names
/// first, then tick labels as wide as the widest end's at five points along each tick edge (the
/// ends included), so that they stand for whichever labels plotters writes there.
fn axis_text_boxes<DB: DrawingBackend>(
    chart: &Chart3d<'_, DB>,
    bounds: [[f64; 3]; 2],
    sizes: &AxisTextSizes,
    body: f64,
) -> Vec<PixelBox> {
    let spec = chart.as_coord_spec();
    let mid = plot_mid(chart);
    let tick_px = tick_length(body);
    let mut boxes = Vec::with_capacity(18);
    let mut labels = Vec::with_capacity(15);
    for (idx, (_, at, offset, pos)) in axis_name_layout(chart, bounds, body)
        .into_iter()
        .enumerate()
    {
        let (x, y) = spec.translate(&(at[0], at[1], at[2]));
        boxes.push(PixelBox::of_text(
            (x + offset.0, y + offset.1),
            sizes.names[idx],
            pos,
        ));
        let (start, end) = tick_edge(spec, bounds, idx);
        let [a, b] = [start, end].map(|p| spec.translate(&(p[0], p[1], p[2])));
        let dir = tick_direction(a, b, mid);
        let [s0, s1] = sizes.ends[idx];
        let size = (s0.0.max(s1.0), s0.1.max(s1.1));
        for j in 0..=4 {
            let t = f64::from(j) / 4.0;
            let x = f64::from(a.0) + t * f64::from(b.0 - a.0);
            let y = f64::from(a.1) + t * f64::from(b.1 - a.1);
            let at = (
                x.round() as i32 + 2 * tick_px * dir.0,
                y.round() as i32 + 2 * tick_px * dir.1,
            );
            labels.push(PixelBox::of_text(at, size, label_anchor(dir)));
        }
    }
    boxes.append(&mut labels);
    boxes
}

/// The pixels the cube and the text around it cover on `chart` as now projected: its corners
/// and [`axis_text_boxes`].
fn covered_box<DB: DrawingBackend>(
    chart: &Chart3d<'_, DB>,
    bounds: [[f64; 3]; 2],
    sizes: &AxisTextSizes,
    body: f64,
) -> PixelBox {
    let spec = chart.as_coord_spec();
    let corner = |n: usize| {
        let p: [f64; 3] = std::array::from_fn(|i| bounds[(n >> i) & 1][i]);
        let (x, y) = spec.translate(&(p[0], p[1], p[2]));
        PixelBox {
            x0: x,
            y0: y,
            x1: x,
            y1: y,
        }
    };
    (1..8)
        .map(corner)
        .chain(axis_text_boxes(chart, bounds, sizes, body))
        .fold(corner(0), PixelBox::union)
}

/// Which texts [`fit_view`] clears from under the overview inset.
#[derive(Clone, Copy, PartialEq)]
enum Clear {
    /// The axis names, shrinking the cube down to [`MIN_PANEL_SCALE`].
    Names,
    /// The names and the tick labels, shrinking the cube down to [`MIN_SCALE_CLEARING_INSET`].
    Texts,
}

/// Turns `chart` to the panel's view at the largest scale, from [`PANEL_SCALE`] down to
/// [`MIN_PANEL_SCALE`] (to [`MIN_SCALE_CLEARING_INSET`] when clearing every text), at which the
/// cube, its tick labels and its axis names (of `sizes` for body text of `body` pixels) fit
/// `area` below the title band and none of the texts `avoid` names lies under its square (the
/// overview inset's), and shifts the picture so that they do. Large text on a small panel (a
/// projector at 1280 × 720) would otherwise push the axis names off the canvas or under the
/// inset. Whether it found such a view; if not, the picture is left at the smallest scale where
/// it fits best.
fn fit_view<DB: DrawingBackend>(
    chart: &mut Chart3d<'_, DB>,
    area: &DrawingArea<DB, Shift>,
    panel: &QuadricPanel,
    (sizes, body): (&AxisTextSizes, f64),
    avoid: Option<(PixelBox, Clear)>,
) -> bool {
    let bounds = plot_bounds(panel);
    let (ax, ay) = area.get_pixel_range();
    let (_, plot_y) = chart.plotting_area().get_pixel_range();
    let room = PixelBox {
        x0: ax.start,
        y0: plot_y.start,
        x1: ax.end,
        y1: ay.end,
    };
    // The texts under `avoid` on `chart` as now projected, if everything fits the room.
    let under = |chart: &Chart3d<'_, DB>| -> Option<Vec<PixelBox>> {
        room.contains_box(&covered_box(chart, bounds, sizes, body))
            .then(|| match avoid {
                Some((square, clear)) => axis_text_boxes(chart, bounds, sizes, body)
                    .into_iter()
                    .take(if clear == Clear::Names { 3 } else { usize::MAX })
                    .filter(|t| t.overlaps(&square))
                    .collect(),
                None => Vec::new(),
            })
    };
    let smallest = match avoid {
        Some((_, Clear::Texts)) => MIN_SCALE_CLEARING_INSET,
        _ => MIN_PANEL_SCALE,
    };
    let steps = ((PANEL_SCALE - smallest) / PANEL_SCALE_STEP).round() as u32;
    for step in 0..=steps {
        let scale = PANEL_SCALE - f64::from(step) * PANEL_SCALE_STEP;
        set_view(chart, panel, scale, (0, 0));
        let covered = covered_box(chart, bounds, sizes, body);
        let shift = (
            shift_into(covered.x0, covered.x1, room.x0, room.x1),
            shift_into(covered.y0, covered.y1, room.y0, room.y1),
        );
        set_view(chart, panel, scale, shift);
        // Moving the cube can turn a tick edge's labels to its other side: measure again.
        let Some(hidden) = under(chart) else {
            continue;
        };
        let (Some((square, _)), false) = (avoid, hidden.is_empty()) else {
            return true;
        };
        // Out from under the inset: sideways, away from it, or down below it.
        let left_side = square.x0 + square.x1 < room.x0 + room.x1;
        let dx = if left_side {
            square.x1 - hidden.iter().map(|t| t.x0).min().unwrap_or(square.x1)
        } else {
            square.x0 - hidden.iter().map(|t| t.x1).max().unwrap_or(square.x0)
        };
        let dy = square.y1 - hidden.iter().map(|t| t.y0).min().unwrap_or(square.y1);
        for moved in [(shift.0 + dx, shift.1), (shift.0, shift.1 + dy)] {
            set_view(chart, panel, scale, moved);
            if under(chart).is_some_and(|h| h.is_empty()) {
                return true;
            }
        }
        set_view(chart, panel, scale, shift);
    }
    false
}

/// How far to move the span `[lo, hi]` so that it lies in `[room_lo, room_hi]`: 0 if it does,
/// the least move if it fits, and if it does not fit, the move that starts it at `room_lo` (the
/// top stays below the title, the left edge on the canvas).
fn shift_into(lo: i32, hi: i32, room_lo: i32, room_hi: i32) -> i32 {
    if lo < room_lo || hi - lo > room_hi - room_lo {
        room_lo - lo
    } else if hi > room_hi {
        room_hi - hi
    } else {
        0
    }
}

/// The cube edge along plotters axis `idx` on which plotters' `configure_axes` draws that axis's
/// ticks: among the edges on the back panels, the one of least projected depth, then the least
/// screen y (this mirrors plotters 0.3.7's `draw_axis`, ties resolved the same way).
fn tick_edge(
    spec: &Cartesian3d<RangedCoordf64, RangedCoordf64, RangedCoordf64>,
    [lo, hi]: [[f64; 3]; 2],
    idx: usize,
) -> Edge {
    let depth = |p: [f64; 3]| spec.projected_depth(&p[0], &p[1], &p[2]);
    // The back panel perpendicular to axis i sits at `plane[i]`.
    let plane: [f64; 3] = std::array::from_fn(|i| {
        let mut far = lo;
        far[i] = hi[i];
        if depth(lo) >= depth(far) {
            lo[i]
        } else {
            hi[i]
        }
    });
    let mut start = lo;
    let mut end = hi;
    let mut best: Option<((i32, i32), Edge)> = None;
    for i in (0..3).filter(|&i| i != idx) {
        start[i] = plane[i];
        end[i] = plane[i];
        for j in (0..3).filter(|&j| j != i && j != idx) {
            for value in [lo[j], hi[j]] {
                start[j] = value;
                end[j] = value;
                let (_, y1) = spec.translate(&(start[0], start[1], start[2]));
                let (_, y2) = spec.translate(&(end[0], end[1], end[2]));
                let key = (depth(start) + depth(end), y1 + y2);
                if best.is_none_or(|(k, _)| key < k) {
                    best = Some((key, (start, end)));
                }
            }
        }
    }
    best.map_or((lo, hi), |(_, edge)| edge)
}

/// Direction in which plotters draws the ticks of an axis running from `begin` to `end` (pixels):
/// horizontal or vertical, away from the plot centre `mid`, whichever is more across the axis.
fn tick_direction(begin: (i32, i32), end: (i32, i32), mid: (i32, i32)) -> (i32, i32) {
    let axis = (end.0 - begin.0, end.1 - begin.1);
    let x_dir = if begin.0 < mid.0 { (-1, 0) } else { (1, 0) };
    let y_dir = if begin.1 < mid.1 { (0, -1) } else { (0, 1) };
    let x_score = (x_dir.0 * axis.0).abs();
    let y_score = (y_dir.1 * axis.1).abs();
    if x_score < y_score { x_dir } else { y_dir }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::present::charts::{GOOD, OBSTRUCTED, svg_polylines, svg_text_position, svg_texts};

    const EXTENT: f64 = 2.5;

    fn render(panel: &QuadricPanel) -> Result<String, ChartError> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (480, 480)).into_drawing_area();
            draw_quadric_panel(&root, panel)?;
            root.present()?;
        }
        Ok(svg)
    }

    /// A trajectory on Q(c): w turning and growing, v from its start value.
    fn trajectory_on(c: f64, v0: f64, v1: f64, n: usize) -> Vec<[f64; 3]> {
        (0..n)
            .map(|i| {
                let t = i as f64 / (n.max(2) - 1) as f64;
                let v = v0 + (v1 - v0) * t;
                let r = (c + v * v).max(0.0).sqrt();
                let phi = 0.3 + 1.2 * t;
                [r * phi.cos(), r * phi.sin(), v]
            })
            .collect()
    }

    fn panel<'a>(title: &'a str, c: f64, trajectory: &'a [[f64; 3]]) -> QuadricPanel<'a> {
        QuadricPanel {
            title,
            c,
            trajectory,
            yaw: 0.6,
            pitch: 0.3,
            extent: EXTENT,
            centre: [0.0; 3],
            color: OBSTRUCTED,
            overview: None,
        }
    }

    #[test]
    fn cube_ticks_read_zero_for_rounding_errors_and_fewer_labels_fit_small_panels() {
        assert_eq!(cube_tick(&-2.7755575615628914e-17), cube_tick(&0.0));
        assert_eq!(cube_tick(&0.25), linear_tick(&0.25));
        assert_ne!(cube_tick(&0.25), cube_tick(&0.0));
        // 18 px text on a 216 px panel (a projector at 1280 × 720): three labels; 12 px on 420 px: five.
        assert_eq!(tick_count(216, 18.0), 3);
        assert_eq!(tick_count(420, 12.0), 5);
    }

    #[test]
    fn wireframe_lies_on_the_quadric_and_in_the_cube() {
        for c in [1.0, 0.0, -1.0, 0.25, 4.0, -4.0, 12.0, -6.2] {
            let lines = quadric_wireframe(c, EXTENT, 24, 12);
            assert!(!lines.is_empty(), "c = {c}: nothing drawn");
            for line in &lines {
                assert!(line.len() >= 2);
                for &(w1, w2, v) in line {
                    let residual = w1 * w1 + w2 * w2 - v * v - c;
                    assert!(residual.abs() < 1e-9, "c = {c}: residual {residual}");
                    for x in [w1, w2, v] {
                        assert!(x.abs() <= EXTENT + 1e-9, "c = {c}: {x} outside the cube");
                    }
                }
            }
        }
    }

    #[test]
    fn a_wireframe_framed_off_the_origin_lies_on_the_quadric_and_in_its_cube() {
        // Cubes around points of each kind of quadric, away from the axis and around it.
        for (c, centre, e) in [
            (-1.0, [0.45, 0.06, 1.14], 0.36),
            (-1.0, [-0.4, 0.4, -1.18], 0.4),
            (1.0, [1.2, 0.3, 0.5], 0.5),
            (0.0, [0.1, 0.0, 0.1], 0.3),
            (-1.0, [0.0, 0.0, 1.2], 0.5),
        ] {
            let lines = quadric_wireframe_in(c, centre, e, 24, 12);
            assert!(
                lines.len() >= 12,
                "c = {c}, {centre:?}: {} lines",
                lines.len()
            );
            for &(w1, w2, v) in lines.iter().flatten() {
                let residual = w1 * w1 + w2 * w2 - v * v - c;
                assert!(residual.abs() < 1e-9, "c = {c}: residual {residual}");
                for (x, o) in [w1, w2, v].into_iter().zip(centre) {
                    assert!((x - o).abs() <= e + 1e-9, "c = {c}: {x} outside");
                }
            }
        }
        // A cube between the two sheets, or beyond the waist, draws nothing.
        assert!(quadric_wireframe_in(-1.0, [0.0, 0.0, 0.0], 0.5, 24, 12).is_empty());
        assert!(quadric_wireframe_in(1.0, [0.0, 0.0, 0.0], 0.5, 24, 12).is_empty());
        assert!(quadric_wireframe_in(1.0, [f64::NAN, 0.0, 0.0], 0.5, 24, 12).is_empty());
    }

    #[test]
    fn the_path_is_measured_with_the_drawings_projection_and_grows_when_framed_closer() {
        let traj = trajectory_on(-1.0, 1.05, 1.3, 200);
        let wide = panel("m", -1.0, &traj);
        let near = QuadricPanel {
            centre: [0.5, 0.4, 1.18],
            extent: 0.5,
            ..wide
        };
        let far = trajectory_pixel_width(420, 420, &wide).unwrap().unwrap();
        let close = trajectory_pixel_width(420, 420, &near).unwrap().unwrap();
        assert!(close > 3 * far, "{far} px at extent 2.5, {close} px framed");
        // The measured width is the drawn path's: its SVG polyline spans the same pixels.
        let svg = render(&near).unwrap();
        let (r, g, b) = (OBSTRUCTED.0, OBSTRUCTED.1, OBSTRUCTED.2);
        let stroke = format!("stroke=\"#{r:02X}{g:02X}{b:02X}\"");
        let xs: Vec<i64> = svg
            .split("<polyline")
            .skip(1)
            .filter_map(|chunk| chunk.split_once("/>").map(|(tag, _)| tag))
            .filter(|tag| tag.contains(&stroke))
            .flat_map(|p| {
                let pts = p
                    .split("points=\"")
                    .nth(1)
                    .unwrap_or("")
                    .split('"')
                    .next()
                    .unwrap_or("");
                pts.split_whitespace()
                    .filter_map(|xy| xy.split(',').next()?.parse::<i64>().ok())
                    .collect::<Vec<_>>()
            })
            .collect();
        let drawn = xs.iter().max().unwrap() - xs.iter().min().unwrap();
        let measured = trajectory_pixel_width(480, 480, &near).unwrap().unwrap();
        assert_eq!(drawn, i64::from(measured));
        assert!(
            trajectory_pixel_width(420, 420, &panel("m", -1.0, &[]))
                .unwrap()
                .is_none()
        );
        assert!(trajectory_pixel_width(0, 420, &wide).is_err());
    }

    #[test]
    fn the_path_and_markers_scale_with_the_panel() {
        assert_eq!(trajectory_stroke(420, 420), (4, 9));
        let (small, big) = (trajectory_stroke(200, 200), trajectory_stroke(1000, 1000));
        assert!(small.0 >= 3 && big.0 > small.0 && big.1 > small.1);
    }

    #[test]
    fn wireframe_of_negative_c_has_two_separate_sheets() {
        for c in [-1.0, -0.01, -4.0] {
            let points: Vec<(f64, f64, f64)> = quadric_wireframe(c, EXTENT, 24, 12)
                .into_iter()
                .flatten()
                .collect();
            let gap = (-c).sqrt() - 1e-9;
            assert!(points.iter().any(|p| p.2 > 0.0));
            assert!(points.iter().any(|p| p.2 < 0.0));
            assert!(
                points.iter().all(|p| p.2.abs() >= gap),
                "c = {c}: point between sheets"
            );
            // No polyline crosses from one sheet to the other.
            for line in quadric_wireframe(c, EXTENT, 24, 12) {
                let sign = line[0].2.signum();
                assert!(line.iter().all(|p| p.2.signum() == sign));
            }
        }
    }

    #[test]
    fn wireframe_of_positive_c_is_one_connected_sheet_through_v_zero() {
        let lines = quadric_wireframe(1.0, EXTENT, 24, 12);
        // Every meridian crosses the waist circle r = √c at v = 0.
        let meridians: Vec<_> = lines
            .iter()
            .filter(|l| l.iter().any(|p| p.2 > 0.0) && l.iter().any(|p| p.2 < 0.0))
            .collect();
        assert_eq!(meridians.len(), 24);
        // The cone's meridians pass through its apex.
        let cone = quadric_wireframe(0.0, EXTENT, 8, 6);
        assert!(
            cone.iter()
                .any(|l| l.iter().any(|p| p.0.abs() + p.1.abs() + p.2.abs() < 1e-12))
        );
    }

    #[test]
    fn sheets_are_cut_at_the_cube_faces() {
        // c = 1: meridians reach |v| = extent where r = √(1 + 6.25) < extent·√2 only on diagonals.
        let lines = quadric_wireframe(1.0, EXTENT, 8, 12);
        let top = lines
            .iter()
            .flatten()
            .map(|p| p.2)
            .fold(f64::NEG_INFINITY, f64::max);
        assert!((top - EXTENT).abs() < 1e-12);
        // Parallels wider than the cube become four arcs, each touching two faces.
        let arcs = arcs_in_square(3.0, EXTENT);
        assert_eq!(arcs.len(), 4);
        for (a, b) in arcs {
            for phi in [a, b] {
                let (s, c) = phi.sin_cos();
                assert!(((3.0 * c).abs().max((3.0 * s).abs()) - EXTENT).abs() < 1e-9);
            }
        }
        assert!(arcs_in_square(EXTENT * 1.5, EXTENT).is_empty());
    }

    #[test]
    fn surfaces_missing_the_cube_draw_nothing() -> Result<(), ChartError> {
        assert!(quadric_wireframe(2.0 * EXTENT * EXTENT + 0.1, EXTENT, 24, 12).is_empty());
        assert!(quadric_wireframe(-(EXTENT * EXTENT) - 0.1, EXTENT, 24, 12).is_empty());
        assert!(quadric_wireframe(1e300, EXTENT, 24, 12).is_empty());
        assert!(quadric_wireframe(f64::NAN, EXTENT, 24, 12).is_empty());
        assert!(quadric_wireframe(1.0, 0.0, 24, 12).is_empty());
        let svg = render(&panel("huge c", 1e6, &[]))?;
        assert!(svg_texts(&svg).iter().any(|t| t == "huge c"));
        assert!(
            svg_polylines(&svg, SURFACE).is_empty(),
            "no wireframe for a surface outside the cube"
        );
        Ok(())
    }

    #[test]
    fn panels_for_each_sign_of_c_draw_title_axes_and_trajectory() -> Result<(), ChartError> {
        for (c, title) in [
            (1.0, "neuron 1: c₁ = 1.00 (one sheet)"),
            (0.0, "neuron 1: c₁ = 0 (cone)"),
            (-1.0, "neuron 2: c₂ = −1.00 (two sheets)"),
        ] {
            let traj = trajectory_on(c, 1.2, 1.8, 300);
            let svg = render(&panel(title, c, &traj))?;
            let texts = svg_texts(&svg);
            assert!(
                texts.iter().any(|t| t == title),
                "title missing for c = {c}"
            );
            for name in ["w₁", "w₂", "v"] {
                assert!(
                    texts.iter().any(|t| t == name),
                    "axis name {name} missing for c = {c}"
                );
            }
            // Wireframe (grey) and trajectory (vermillion) paths, and the two markers.
            let wire = svg_polylines(&svg, SURFACE);
            assert!(
                wire.len() >= PANEL_MERIDIANS,
                "wireframe missing for c = {c}"
            );
            let path = svg_polylines(&svg, OBSTRUCTED);
            assert!(
                path.iter().any(|&n| n >= 10),
                "trajectory missing for c = {c}"
            );
            assert!(
                svg.matches("<circle").count() >= 3,
                "markers missing for c = {c}"
            );
        }
        Ok(())
    }

    #[test]
    fn empty_non_finite_and_outside_trajectories_do_not_fail() -> Result<(), ChartError> {
        let svg = render(&panel("empty", 1.0, &[]))?;
        assert!(svg_polylines(&svg, OBSTRUCTED).is_empty());
        assert!(!svg_polylines(&svg, SURFACE).is_empty());
        assert!(!svg.contains("<circle"));

        let wild = [
            [0.5, 0.5, 0.5],
            [f64::NAN, 0.0, 0.0],
            [0.6, 0.6, 0.6],
            [9.0, 0.0, 0.0],
            [f64::INFINITY, 0.0, 1.0],
            [0.7, 0.7, 0.7],
        ];
        let runs = trajectory_runs(&wild, [0.0; 3], EXTENT, MAX_TRAJECTORY_POINTS);
        assert_eq!(runs.len(), 3);
        let svg = render(&QuadricPanel {
            color: GOOD,
            ..panel("wild", 0.0, &wild)
        })?;
        assert_eq!(svg_polylines(&svg, GOOD).len(), 3);
        assert!(!svg.contains("NaN"));

        let err = render(&QuadricPanel {
            extent: f64::NAN,
            ..panel("bad", 1.0, &[])
        });
        assert!(err.is_err());
        Ok(())
    }

    #[test]
    fn long_trajectories_are_thinned_keeping_the_current_point() {
        let traj = trajectory_on(-1.0, 1.1, 2.0, 50_000);
        let runs = trajectory_runs(&traj, [0.0; 3], EXTENT, MAX_TRAJECTORY_POINTS);
        let drawn: usize = runs.iter().map(Vec::len).sum();
        assert!(drawn <= MAX_TRAJECTORY_POINTS);
        let last = traj[traj.len() - 1];
        assert_eq!(
            runs.last().and_then(|r| r.last()).copied(),
            Some(to_plot((last[0], last[1], last[2])))
        );
    }

    #[test]
    fn different_yaw_gives_a_different_picture() -> Result<(), ChartError> {
        let traj = trajectory_on(1.0, -1.0, 1.0, 50);
        let a = render(&panel("view", 1.0, &traj))?;
        let b = render(&QuadricPanel {
            yaw: 1.4,
            ..panel("view", 1.0, &traj)
        })?;
        assert_ne!(a, b);
        Ok(())
    }

    /// Every SVG polyline stroked in `color`, as its pixel points.
    fn polylines_in(svg: &str, color: RGBColor) -> Vec<Vec<(i32, i32)>> {
        let stroke = format!("stroke=\"#{:02X}{:02X}{:02X}\"", color.0, color.1, color.2);
        svg.split("<polyline")
            .skip(1)
            .filter_map(|chunk| chunk.split_once("/>").map(|(tag, _)| tag))
            .filter(|tag| tag.contains(&stroke))
            .map(|tag| {
                let points = tag.split("points=\"").nth(1).unwrap_or("");
                let points = points.split('"').next().unwrap_or("");
                points
                    .split_whitespace()
                    .filter_map(|xy| {
                        let (x, y) = xy.split_once(',')?;
                        Some((x.parse().ok()?, y.parse().ok()?))
                    })
                    .collect()
            })
            .collect()
    }

    /// A panel framed closely on a path on the upper sheet of Q(−1), with Fig. 2a's overview.
    fn zoomed<'a>(traj: &'a [[f64; 3]]) -> QuadricPanel<'a> {
        QuadricPanel {
            centre: [0.45, 0.45, 1.2],
            extent: 0.5,
            overview: Some(EXTENT),
            ..panel("neuron 1: c₁ = −1.00 (two sheets)", -1.0, traj)
        }
    }

    fn render_at(size: u32, panel: &QuadricPanel) -> Result<String, ChartError> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (size, size)).into_drawing_area();
            draw_quadric_panel(&root, panel)?;
            root.present()?;
        }
        Ok(svg)
    }

    #[test]
    fn a_zoomed_panel_gets_an_overview_of_the_whole_quadric_with_the_zoom_cube()
    -> Result<(), ChartError> {
        let traj = trajectory_on(-1.0, 1.05, 1.3, 200);
        let zoomed = zoomed(&traj);
        let svg = render(&zoomed)?;
        let plain = render(&QuadricPanel {
            overview: None,
            ..zoomed
        })?;
        // The inset is drawn after, and over, an unchanged main plot.
        let head = plain.trim_end().strip_suffix("</svg>").unwrap_or(&plain);
        assert!(svg.starts_with(head), "the inset changed the main plot");
        let inset_svg = &svg[head.len()..];
        let rect = overview_inset_rect(480, 480, &zoomed)?.expect("an inset");
        assert_eq!(rect.side, 158);
        assert!(rect.x >= 0 && rect.x + rect.side as i32 <= 480 && rect.y >= 0);
        assert!(inset_svg.contains("<rect") && svg_texts(inset_svg).contains(&"whole Q(c)".into()));

        // The whole quadric: both sheets' meridians and the parallels, inside the inset.
        let wire = polylines_in(inset_svg, SURFACE);
        assert_eq!(wire.len(), overview_wireframe(&zoomed).len());
        assert!(wire.len() >= 2 * INSET_MERIDIANS, "{} curves", wire.len());
        assert!(wire.iter().flatten().all(|&p| rect.contains(p)));
        // The zoom cube: 12 segments joining 8 corners, 3 at each.
        let edges = polylines_in(inset_svg, INK);
        assert_eq!(edges.len(), 12);
        let mut corners: Vec<(i32, i32)> = edges.iter().flatten().copied().collect();
        assert!(edges.iter().all(|e| e.len() == 2));
        assert!(corners.iter().all(|&p| rect.contains(p)));
        corners.sort_unstable();
        corners.dedup();
        assert_eq!(corners.len(), 8, "{corners:?}");
        // The path and the current point, in the run's colour.
        let path = polylines_in(inset_svg, OBSTRUCTED);
        assert!(!path.is_empty() && path.iter().flatten().all(|&p| rect.contains(p)));
        assert_eq!(inset_svg.matches("<circle").count(), 2);

        // Below the title band: the title's text box ends above the inset.
        let (size, _) = fit_title_at(480, zoomed.title);
        let (_, y) = svg_text_position(&svg, zoomed.title).expect("title");
        assert!(
            y + size <= f64::from(rect.y),
            "title to {}, inset from {}",
            y + size,
            rect.y
        );
        Ok(())
    }

    #[test]
    fn no_inset_when_the_panel_is_not_zoomed_or_too_small() -> Result<(), ChartError> {
        let traj = trajectory_on(-1.0, 1.05, 1.3, 200);
        let zoomed = zoomed(&traj);
        let none = QuadricPanel {
            overview: None,
            ..zoomed
        };
        for (size, panel) in [
            // The overview cube itself, and a framed cube that holds it.
            (
                480,
                QuadricPanel {
                    centre: [0.0; 3],
                    extent: EXTENT,
                    ..zoomed
                },
            ),
            (
                480,
                QuadricPanel {
                    centre: [0.2, -0.1, 0.3],
                    extent: 2.8,
                    ..zoomed
                },
            ),
            // Too small a panel.
            (MIN_INSET_PANEL_PX - 1, zoomed),
            // No overview asked for.
            (480, none),
        ] {
            assert_eq!(overview_inset_rect(size, size, &panel)?, None, "{size}");
            let without = QuadricPanel {
                overview: None,
                ..panel
            };
            assert_eq!(render_at(size, &panel)?, render_at(size, &without)?);
        }
        assert!(
            overview_wireframe(&QuadricPanel {
                centre: [0.0; 3],
                extent: EXTENT,
                ..zoomed
            })
            .is_empty()
        );
        assert!(overview_inset_rect(MIN_INSET_PANEL_PX, MIN_INSET_PANEL_PX, &zoomed)?.is_some());
        Ok(())
    }

    #[test]
    fn the_overview_wireframe_is_the_whole_quadric_in_the_origin_cube() {
        for (c, centre) in [
            (-1.0, [0.45, 0.45, 1.2]),
            (-4.0, [0.3, 0.0, -2.1]),
            (1.0, [1.2, 0.3, 0.5]),
            (0.0, [0.1, 0.0, 0.1]),
        ] {
            let lines = overview_wireframe(&QuadricPanel {
                centre,
                extent: 0.4,
                overview: Some(EXTENT),
                ..panel("m", c, &[])
            });
            assert!(
                lines.len() >= INSET_MERIDIANS,
                "c = {c}: {} lines",
                lines.len()
            );
            for &(w1, w2, v) in lines.iter().flatten() {
                let residual = w1 * w1 + w2 * w2 - v * v - c;
                assert!(residual.abs() < 1e-9, "c = {c}: residual {residual}");
                assert!([w1, w2, v].iter().all(|x| x.abs() <= EXTENT + 1e-9));
            }
            let points = || lines.iter().flatten();
            if c < 0.0 {
                // Both sheets, nothing between them.
                assert!(points().any(|p| p.2 > 0.0) && points().any(|p| p.2 < 0.0));
                assert!(points().all(|p| p.2.abs() >= (-c).sqrt() - 1e-9));
            }
            // The whole height of the overview cube, not the zoomed patch.
            let top = points().map(|p| p.2).fold(f64::NEG_INFINITY, f64::max);
            assert!((top - EXTENT).abs() < 1e-9, "c = {c}: top {top}");
        }
        // A framed cube reaching out of the overview cube widens the overview to hold it.
        let far = QuadricPanel {
            centre: [2.4, 0.0, 2.6],
            extent: 0.5,
            overview: Some(EXTENT),
            ..panel("m", -1.0, &[])
        };
        let top = overview_wireframe(&far)
            .iter()
            .flatten()
            .map(|p| p.2)
            .fold(f64::NEG_INFINITY, f64::max);
        assert!((top - 3.1).abs() < 1e-9, "{top}");
    }

    /// The title size [`fit_title`] picks for `title` on a `size`-pixel panel, and its room.
    fn fit_title_at(size: u32, title: &str) -> (f64, f64) {
        let mut scratch = String::new();
        let area = SVGBackend::with_string(&mut scratch, (size, size)).into_drawing_area();
        let fonts = FontSizes::for_height(size);
        let room = f64::from(size) - 2.0 * f64::from((fonts.body * 0.5) as u32);
        let (_, s) = fit_title(&area, title, fonts.title, room).unwrap();
        (s, room)
    }

    /// The estimated width of `text` at `size` pixels on an SVG area.
    fn estimated_width(text: &str, size: f64) -> f64 {
        let mut scratch = String::new();
        let area = SVGBackend::with_string(&mut scratch, (10, 10)).into_drawing_area();
        f64::from(area.estimate_text_size(text, &title_font(size)).unwrap().0)
    }

    /// The font-size attribute of the SVG text node `text` (plotters writes size / 1.24).
    fn svg_font_size(svg: &str, text: &str) -> Option<f64> {
        svg.split("<text").skip(1).find_map(|chunk| {
            let (attrs, rest) = chunk.split_once('>')?;
            (rest.split_once("</text>")?.0.trim() == text).then_some(())?;
            let value = attrs.split(" font-size=\"").nth(1)?.split('"').next()?;
            value.parse::<f64>().ok().map(|v| v * 1.24)
        })
    }

    /// Every text node of an SVG with a box from its attributes alone: x and `text-anchor`, y and
    /// `dy` (0.76em: y is the top; 0.5ex: the middle; else the baseline, taken as the bottom),
    /// the written `font-size` as the em, and a generous 0.6 em a character and 1 em of height, so
    /// the box is an estimate independent of the chart's own text measurement.
    fn svg_text_boxes(svg: &str) -> Vec<(String, [f64; 4])> {
        svg.split("<text")
            .skip(1)
            .filter_map(|chunk| {
                let (attrs, rest) = chunk.split_once('>')?;
                let text = rest.split_once("</text>")?.0.trim().to_string();
                let attr = |name: &str| -> Option<&str> {
                    attrs
                        .split(&format!(" {name}=\""))
                        .nth(1)?
                        .split('"')
                        .next()
                };
                let num = |name: &str| -> Option<f64> { attr(name)?.parse().ok() };
                let (x, y, em) = (num("x")?, num("y")?, num("font-size")?);
                let w = 0.6 * em * text.chars().count() as f64;
                let x0 = match attr("text-anchor") {
                    Some("middle") => x - w / 2.0,
                    Some("end") => x - w,
                    _ => x,
                };
                let y0 = match attr("dy") {
                    Some("0.76em") => y,
                    Some("0.5ex") => y - em / 2.0,
                    _ => y - em,
                };
                Some((text, [x0, y0, x0 + w, y0 + em]))
            })
            .collect()
    }

    #[test]
    fn axis_names_and_tick_labels_stay_on_small_panels_with_large_text() -> Result<(), ChartError> {
        // 12-pixel text on a 150-pixel panel is the ratio of a projector at 1280 × 720 (21.5 px on
        // 261 px); the cube shrinks and moves so that its text stays on the canvas.
        let traj = trajectory_on(-1.0, 1.05, 1.3, 200);
        for size in [140, 150, 170, 200, 261, 320, 480] {
            for yaw in [0.6, -0.9, 2.2] {
                let panel = QuadricPanel {
                    yaw,
                    ..zoomed(&traj)
                };
                let svg = render_at(size, &panel)?;
                let boxes = svg_text_boxes(&svg);
                let edge = f64::from(size) + 1.0;
                for name in ["w₁", "w₂", "v"] {
                    assert!(boxes.iter().any(|(t, _)| t == name), "{name} missing");
                }
                for (text, [x0, y0, x1, y1]) in &boxes {
                    // The title shrinks on its own ([`fit_title`]); the inset's label sits inside it.
                    if text == panel.title || text.starts_with("neuron") || text == "whole Q(c)" {
                        continue;
                    }
                    assert!(
                        *x0 >= -1.0 && *y0 >= -1.0 && *x1 <= edge && *y1 <= edge,
                        "{size} px, yaw {yaw}: {text:?} at [{x0:.1}, {y0:.1}, {x1:.1}, {y1:.1}]"
                    );
                }
            }
        }
        Ok(())
    }

    #[test]
    fn the_inset_hides_neither_an_axis_name_nor_the_path() -> Result<(), ChartError> {
        let traj = trajectory_on(-1.0, 1.05, 1.3, 200);
        let mut drawn = 0;
        for size in [160, 170, 180, 200, 230, 261, 320, 480] {
            for yaw in [0.6, -0.9, 2.2, 0.1, -2.4, 1.3] {
                let panel = QuadricPanel {
                    yaw,
                    ..zoomed(&traj)
                };
                let Some(rect) = overview_inset_rect(size, size, &panel)? else {
                    continue;
                };
                drawn += 1;
                let svg = render_at(size, &panel)?;
                let square = [
                    rect.x,
                    rect.y,
                    rect.x + rect.side as i32,
                    rect.y + rect.side as i32,
                ]
                .map(f64::from);
                for (text, [x0, y0, x1, y1]) in svg_text_boxes(&svg) {
                    if ["w₁", "w₂", "v"].contains(&text.as_str()) {
                        let apart = x1 <= square[0]
                            || x0 >= square[2]
                            || y1 <= square[1]
                            || y0 >= square[3];
                        assert!(
                            apart,
                            "{size} px, yaw {yaw}: the inset {rect:?} hides {text}"
                        );
                    }
                }
                // The main plot's path (drawn before the inset) has no point under the inset.
                let head = svg.split("whole Q(c)").next().unwrap_or(&svg);
                let path = polylines_in(head, OBSTRUCTED);
                assert!(!path.is_empty());
                let under = path.iter().flatten().filter(|&&p| rect.contains(p)).count();
                assert_eq!(under, 0, "{size} px, yaw {yaw}: the inset hides the path");
            }
        }
        // On large panels there is room: the inset is not simply left out.
        assert!(drawn >= 12, "only {drawn} of 48 panels got an inset");
        assert!(overview_inset_rect(480, 480, &zoomed(&traj))?.is_some());
        Ok(())
    }

    #[test]
    fn the_title_shrinks_to_fit_a_narrow_panel_and_drops_its_parenthesis_last()
    -> Result<(), ChartError> {
        let title = "neuron 1: c₁ = −1.00 (two sheets)";
        let short = "neuron 1: c₁ = −1.00";
        let traj = trajectory_on(-1.0, 1.05, 1.3, 50);
        // A wide panel keeps the title whole at its normal size.
        let (s, _) = fit_title_at(480, title);
        assert_eq!(s, FontSizes::for_height(480).title);
        // At 190 pixels the normal size would not fit; the drawn title is smaller and fits.
        let normal = FontSizes::for_height(190).title;
        assert!(estimated_width(title, normal) > 190.0);
        let svg = render_at(190, &panel(title, -1.0, &traj))?;
        let drawn = svg_font_size(&svg, title).expect("the whole title at 190 px");
        assert!(drawn < normal - 0.5, "{drawn} px");
        assert!(estimated_width(title, drawn.round()) <= 190.0 - 12.0);
        // Narrower still, the parenthesis goes and the rest fits.
        let svg = render_at(120, &panel(title, -1.0, &traj))?;
        assert!(!svg_texts(&svg).iter().any(|t| t == title));
        let drawn = svg_font_size(&svg, short).expect("the short title at 120 px");
        let (_, room) = fit_title_at(120, title);
        assert!(estimated_width(short, drawn.round()) <= room);
        // A title without a parenthesis is only shrunk.
        let (s, _) = fit_title_at(120, "a title with no shape in it at all");
        assert!(s >= TITLE_MIN_PX);
        Ok(())
    }

    #[test]
    fn tick_direction_points_away_from_the_centre() {
        // A horizontal axis below the centre gets ticks pointing down.
        assert_eq!(tick_direction((10, 90), (90, 95), (50, 50)), (0, 1));
        // A vertical axis left of the centre gets ticks pointing left.
        assert_eq!(tick_direction((10, 90), (12, 10), (50, 50)), (-1, 0));
    }
}
