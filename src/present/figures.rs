//! The page's charts as composed figures: which run is drawn with which title, colour and legend.
//! The browser (canvas) and the exports (SVG strings, `obstruction figures`) call these same
//! functions, so a saved SVG is drawn by exactly the code that drew the canvas.
//!
//! # Conventions
//! - Every function takes a `&DrawingArea<DB, Shift>` for any plotters backend and never calls
//!   `present()`; [`svg`] draws one of them into an SVG string of a given pixel size.
//! - Colours: [`charts::OBSTRUCTED`] for a run whose verdict is "obstructed" (or a one-neuron run
//!   that cannot reach the minima), [`charts::GOOD`] otherwise.
//! - Nothing here reads a clock or the DOM.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::app::export;
use crate::app::fig3::T_STAR;
use crate::app::format;
use crate::app::link::{self, View};
use crate::app::random_run::{ObstructionGrid, RandomRun, scheme_label};
use crate::app::session::{Session, SessionConfig};
use crate::app::single_neuron::{NeuronRun, StartKind, WINDOW};
use crate::core::components::sign_label;
use crate::core::init::InitScheme;
use crate::core::topology::{self, QuadricKind, Verdict, quadric_kind};
use crate::core::train::Integrator;
use crate::experiments::presets::FIG4_LR;
use crate::experiments::sweep::{SweepConfig, run_sweep};
use crate::present::charts::components::{ComponentDiagram, draw_component_diagram};
use crate::present::charts::heatmap::{Heatmap, HeatmapLayout, draw_heatmap};
use crate::present::charts::hyperbolas::{HyperbolaPlane, PlaneLayout, draw_hyperbola_plane};
use crate::present::charts::sweep::{SweepAxis, draw_sweep_curves, draw_sweep_heatmap};
use crate::present::charts::{self, ChartError, LossChartOptions, LossSeries, QuadricPanel};

/// Half-width of the cube drawn around a quadric shown alone (Fig. 2a). The Fig. 3 panels are
/// framed on their runs instead ([`fig3_panel_extent`]).
pub const PANEL_EXTENT: f64 = 2.5;
/// Title of the Fig. 3 loss chart.
pub const FIG3_LOSS_TITLE: &str = "Training loss (Fig. 3c)";
/// Title of the Fig. 1b plane.
pub const FIG1B_TITLE: &str = "One neuron, d = e = 1: f(x) = v·σ(w·x)";
/// Title of the loss chart of a heatmap cell's random network.
pub const RANDOM_RUN_LOSS_TITLE: &str = "Training loss of the drawn network";

/// Draws `draw` into an SVG document of `width` × `height` pixels and returns it.
///
/// # Errors
/// [`ChartError`] when the size is zero or the chart fails.
pub fn svg<T>(
    width: u32,
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<T, ChartError>,
) -> Result<String, ChartError> {
    check_svg_size(width, height)?;
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
        draw(&area)?;
        area.present()?;
    }
    Ok(out)
}

/// Refuses an SVG size with a zero or a side above 20000 pixels.
///
/// # Errors
/// [`ChartError`] naming the size.
pub fn check_svg_size(width: u32, height: u32) -> Result<(), ChartError> {
    if width == 0 || height == 0 || width > 20_000 || height > 20_000 {
        return Err(ChartError(format!(
            "an SVG of {width}×{height} pixels is refused: each side must be 1 to 20000"
        )));
    }
    Ok(())
}

/// The colour of a run with this verdict.
pub fn run_color(verdict: Option<&Verdict>) -> RGBColor {
    match verdict {
        Some(v) if v.obstructed => charts::OBSTRUCTED,
        _ => charts::GOOD,
    }
}

/// A number with a true minus sign and two decimals (scientific from 10⁶ on, as the readouts
/// write it).
pub fn signed(x: f64) -> String {
    let s = format::signed(x, 2);
    s.strip_prefix('+').map_or(s.clone(), str::to_string)
}

/// "neuron 1: c₁ = −1.00 (two sheets)".
pub fn neuron_title(k: usize, c: f64, kind: QuadricKind) -> String {
    let shape = match kind {
        QuadricKind::Positive => "one sheet",
        QuadricKind::Cone => "cone",
        QuadricKind::Negative => "two sheets",
    };
    let sub = ["₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"]
        .get(k)
        .copied()
        .unwrap_or("ₖ");
    format!("neuron {}: c{sub} = {} ({shape})", k + 1, signed(c))
}

/// A Fig. 3 legend entry in the words of the controls and the row titles: "Top run: obstructed
/// (+,+)"; when the verdict now says otherwise (a discrete step jumped sheets), it is added.
fn series_label(row: &str, preset: &str, verdict: Option<&Verdict>) -> String {
    let label = link::option_label(View::Fig3, row, preset).unwrap_or(preset);
    let title = if row == "top" {
        "Top run"
    } else {
        "Bottom run"
    };
    let said_obstructed = label.starts_with("obstructed");
    match verdict {
        Some(v) if v.obstructed != said_obstructed => format!(
            "{title}: {label}, now {}",
            if v.obstructed {
                "obstructed"
            } else {
                "not obstructed"
            }
        ),
        _ => format!("{title}: {label}"),
    }
}

/// The cube (centre, half-width) of neuron k's Fig. 3 panel: framed on what the run has visited
/// ([`crate::app::framing`]), so it grows in a few steps as the run moves out and starts again at
/// the start point when the run is rebuilt (Reset, a new setting). A neuron without a frame gets
/// the cube of Fig. 2a, [−PANEL_EXTENT, PANEL_EXTENT]³.
pub fn fig3_panel_frame(session: &Session, k: usize) -> ([f64; 3], f64) {
    session
        .frame(k)
        .map_or(([0.0; 3], PANEL_EXTENT), |f| (f.centre(), f.extent()))
}

/// One Fig. 3 panel: neuron k's quadric Q(c_k(0)) with its trajectory, seen from (yaw, pitch).
///
/// # Errors
/// [`ChartError`] when the run has no neuron k or drawing fails.
pub fn draw_fig3_neuron<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    session: &Session,
    k: usize,
    yaw: f64,
    pitch: f64,
) -> Result<(), ChartError> {
    with_fig3_panel(session, k, yaw, pitch, |panel| {
        charts::draw_quadric_panel(area, panel)
    })
}

/// How wide, in pixels, neuron k's trajectory is drawn on its Fig. 3 panel of `width` × `height`
/// pixels seen from (yaw, pitch): the bounding box of the path [`draw_fig3_neuron`] draws,
/// measured with the same projection (`None` when nothing of it is drawn).
///
/// # Errors
/// [`ChartError`] when the run has no neuron k or the size is zero.
pub fn fig3_path_width(
    session: &Session,
    k: usize,
    yaw: f64,
    pitch: f64,
    (width, height): (u32, u32),
) -> Result<Option<u32>, ChartError> {
    with_fig3_panel(session, k, yaw, pitch, |panel| {
        charts::quadric::trajectory_pixel_width(width, height, panel)
    })
}

/// [`fig3_path_width`] on a given drawing area (the page passes its own backend, which measures
/// the title's text as its canvas does).
///
/// # Errors
/// [`ChartError`] when the run has no neuron k or the area has no size.
pub fn fig3_path_width_on<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    session: &Session,
    k: usize,
    yaw: f64,
    pitch: f64,
) -> Result<Option<u32>, ChartError> {
    with_fig3_panel(session, k, yaw, pitch, |panel| {
        charts::quadric::trajectory_pixel_width_on(area, panel)
    })
}

/// Where neuron k's Fig. 3 panel of `width` × `height` pixels seen from (yaw, pitch) draws its
/// overview inset (the whole Q(c_k) in Fig. 2a's cube, with the zoomed cube outlined), or `None`
/// when it draws none: its frame holds that cube already, or the panel is too small
/// ([`charts::quadric::MIN_INSET_PANEL_PX`]).
///
/// # Errors
/// [`ChartError`] when the run has no neuron k or the size is zero.
pub fn fig3_overview_inset(
    session: &Session,
    k: usize,
    yaw: f64,
    pitch: f64,
    (width, height): (u32, u32),
) -> Result<Option<charts::quadric::InsetRect>, ChartError> {
    with_fig3_panel(session, k, yaw, pitch, |panel| {
        charts::quadric::overview_inset_rect(width, height, panel)
    })
}

/// Calls `f` with neuron k's Fig. 3 panel: its title, c_k(0), trajectory, framing, colour and
/// Fig. 2a's cube for the overview inset.
fn with_fig3_panel<T>(
    session: &Session,
    k: usize,
    yaw: f64,
    pitch: f64,
    f: impl FnOnce(&QuadricPanel) -> Result<T, ChartError>,
) -> Result<T, ChartError> {
    // Only what the panel shows: no loss evaluation on this per-frame path.
    let c = *session
        .trainer()
        .c_initial()
        .get(k)
        .ok_or_else(|| ChartError(format!("no neuron {}", k + 1)))?;
    let title = neuron_title(k, c, quadric_kind(c));
    let verdict = session.verdict();
    let (centre, extent) = fig3_panel_frame(session, k);
    let panel = QuadricPanel {
        title: &title,
        c,
        trajectory: session.trajectory(k),
        yaw,
        pitch,
        extent,
        centre,
        color: run_color(verdict.as_ref()),
        overview: Some(PANEL_EXTENT),
    };
    f(&panel)
}

/// The Fig. 3 loss chart: both runs' loss curves.
///
/// # Errors
/// [`ChartError`] when drawing fails.
pub fn draw_fig3_loss<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    top: &Session,
    bottom: &Session,
    log_scale: bool,
) -> Result<(), ChartError> {
    let (vt, vb) = (top.verdict(), bottom.verdict());
    let lt = series_label("top", top.preset().name(), vt.as_ref());
    let lb = series_label("bottom", bottom.preset().name(), vb.as_ref());
    let (ct, cb) = (run_color(vt.as_ref()), run_color(vb.as_ref()));
    // Two runs of the same kind still need two colours.
    let cb = if cb == ct {
        if ct == charts::GOOD {
            charts::INK
        } else {
            charts::GOOD
        }
    } else {
        cb
    };
    let series = [
        LossSeries {
            label: &lt,
            points: top.loss_history(),
            color: ct,
        },
        LossSeries {
            label: &lb,
            points: bottom.loss_history(),
            color: cb,
        },
    ];
    // The axis runs to t* (the paper's run length) from step 0 on, and further with the runs.
    let reached = top.trainer().steps().max(bottom.trainer().steps());
    let opts = LossChartOptions {
        title: FIG3_LOSS_TITLE,
        log_scale,
        x_max: Some(T_STAR.max(reached) as f64),
    };
    charts::draw_loss_chart(area, &series, &opts)
}

/// The Fig. 1b plane with the run's point, trajectory and gradient; returns where the plot landed.
///
/// # Errors
/// [`ChartError`] when drawing fails.
pub fn draw_fig1b_plane<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    run: &mut NeuronRun,
) -> Result<PlaneLayout, ChartError> {
    let readout = run.readout();
    let trajectory = run.trajectory();
    let color = match readout.start_kind {
        StartKind::Reachable => charts::GOOD,
        StartKind::FrozenNegativeOutput | StartKind::Silent => charts::OBSTRUCTED,
    };
    let plane = HyperbolaPlane {
        title: FIG1B_TITLE,
        half_width: WINDOW,
        c: readout.run.c_initial[0],
        point: (readout.w, readout.v),
        gradient: (readout.grad_w, readout.grad_v),
        trajectory: &trajectory,
        color,
    };
    draw_hyperbola_plane(area, &plane)
}

/// The loss curve of a heatmap cell's random network.
///
/// # Errors
/// [`ChartError`] when drawing fails.
pub fn draw_random_run_loss<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    run: &mut RandomRun,
    log_scale: bool,
) -> Result<(), ChartError> {
    let obstructed = run.run().verdict().is_some_and(|v| v.obstructed);
    let arch = *run.trainer().arch();
    let label = format!(
        "{}, d = {}, l = {} ({})",
        scheme_label(run.scheme()),
        arch.d,
        arch.l,
        if obstructed {
            "obstructed"
        } else {
            "not obstructed"
        }
    );
    let series = [LossSeries {
        label: &label,
        points: run.loss_history(),
        color: if obstructed {
            charts::OBSTRUCTED
        } else {
            charts::GOOD
        },
    }];
    let opts = LossChartOptions {
        title: RANDOM_RUN_LOSS_TITLE,
        log_scale,
        x_max: None,
    };
    charts::draw_loss_chart(area, &series, &opts)
}

/// One appendix heatmap: P(obstruction) of `grid` (x = l, y = d, colour on 0..1), outlining
/// `highlight` = (col, row) if given; returns where the cells are.
///
/// # Errors
/// [`ChartError`] when the backend fails.
pub fn draw_obstruction_grid<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    grid: &ObstructionGrid,
    highlight: Option<(usize, usize)>,
) -> Result<HeatmapLayout, ChartError> {
    let (l_max, d_max) = grid.shape();
    let xs: Vec<f64> = (1..=l_max).map(|l| l as f64).collect();
    let ys: Vec<f64> = (1..=d_max).map(|d| d as f64).collect();
    let values = grid.values();
    let title = format!("{}: P(obstruction)", scheme_label(grid.scheme()));
    draw_heatmap(
        area,
        &Heatmap {
            title: &title,
            x_label: "hidden width l",
            y_label: "input dimension d",
            x_values: &xs,
            y_values: &ys,
            values: &values,
            range: (0.0, 1.0),
            colorbar_label: "P(obstruction)",
            highlight,
        },
    )
}

/// The name of a quadric's shape in the Fig. 2a title.
pub fn shape_name(kind: QuadricKind) -> &'static str {
    kind.name()
}

/// Fig. 2a: Q(c) = {w₁² + w₂² − v² = c} alone (no trajectory), seen from (yaw, pitch).
///
/// # Errors
/// [`ChartError`] when c is not finite or drawing fails.
pub fn draw_quadric_alone<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: f64,
    yaw: f64,
    pitch: f64,
) -> Result<(), ChartError> {
    if !c.is_finite() {
        return Err(ChartError(format!("c = {c} is not a finite number")));
    }
    let title = format!("Q(c), c = {}: {}", signed(c), shape_name(quadric_kind(c)));
    let panel = QuadricPanel {
        title: &title,
        c,
        trajectory: &[],
        yaw,
        pitch,
        extent: PANEL_EXTENT,
        centre: [0.0; 3],
        color: charts::GOOD,
        overview: None,
    };
    charts::draw_quadric_panel(area, &panel)
}

/// One file of [`paper_figures`]: its name and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureFile {
    /// File name (no directory).
    pub name: String,
    /// SVG or CSV text.
    pub text: String,
}

/// Settings of [`paper_figures`].
#[derive(Debug, Clone, PartialEq)]
pub struct PaperFigures {
    /// The Fig. 4 sweep to run.
    pub sweep: SweepConfig,
    /// Steps of the Fig. 3 runs (the paper's t* = 500).
    pub fig3_steps: u32,
    /// Steps of the Fig. 1b run.
    pub fig1b_steps: u32,
}

impl PaperFigures {
    /// The paper's figures as the page draws them by default: Fig. 3 at t* = 500, the Fig. 4
    /// sweep over l ∈ {1, 2, 4, 8, 16} with 3 seeds and 500 steps at η = 0.1.
    pub fn paper() -> Self {
        Self {
            sweep: SweepConfig {
                widths: vec![1, 2, 4, 8, 16],
                seeds: 3,
                steps: 500,
                lr: FIG4_LR,
            },
            fig3_steps: 500,
            fig1b_steps: 2000,
        }
    }

    /// A fast version for tests: the same figures with a small Fig. 4 sweep (l ∈ {1, 2, 4},
    /// one seed, 100 steps).
    pub fn quick() -> Self {
        Self {
            sweep: SweepConfig {
                widths: vec![1, 2, 4],
                seeds: 1,
                steps: 100,
                lr: FIG4_LR,
            },
            ..Self::paper()
        }
    }
}

fn file(name: &str, text: String) -> FigureFile {
    FigureFile {
        name: name.into(),
        text,
    }
}

/// Every paper figure as SVG with its data as CSV, drawn by the page's own chart code:
/// Fig. 1b, Fig. 2a (c = 1, 0, −1), Fig. 2b, Fig. 3 (four quadric panels, the loss chart, each
/// run's CSV and both runs' JSON), the two appendix heatmaps and the Fig. 4 sweep.
///
/// # Errors
/// A message when a run, the sweep or a chart fails.
pub fn paper_figures(cfg: &PaperFigures) -> Result<Vec<FigureFile>, Box<dyn std::error::Error>> {
    const YAW: f64 = 0.6;
    const PITCH: f64 = 0.35;
    let mut out = Vec::new();

    // Fig. 1b: the good start of the page, trained.
    let mut neuron = NeuronRun::from_point(
        2.0,
        -0.5,
        crate::app::single_neuron::DEFAULT_LR,
        Integrator::Gd,
    )?;
    neuron.step(cfg.fig1b_steps)?;
    out.push(file(
        "fig1b.svg",
        svg(700, 700, |a| draw_fig1b_plane(a, &mut neuron))?,
    ));
    out.push(file(
        "fig1b-run.csv",
        export::fig1b_record(&mut neuron).to_csv("fig1b"),
    ));

    // Fig. 2a: one quadric per sign of c.
    let mut fig2a = format!(
        "# format={}\n# version={}\n# view=topology\n# figure=fig2a\n# d=2\n# e=1\nc,shape,components,betti,poincare_polynomial\n",
        export::FORMAT,
        export::VERSION
    );
    for (name, c) in [("c1", 1.0), ("c0", 0.0), ("cminus1", -1.0)] {
        out.push(file(
            &format!("fig2a-quadric-{name}.svg"),
            svg(600, 600, |a| draw_quadric_alone(a, c, YAW, PITCH))?,
        ));
        let betti = topology::betti_numbers(2, 1, &[c])?;
        let b: Vec<String> = betti.iter().map(u128::to_string).collect();
        fig2a.push_str(&format!(
            "{c},{},{},{},{}\n",
            shape_name(quadric_kind(c)),
            topology::connected_components(2, 1, &[c])?,
            b.join(" "),
            topology::format_polynomial(&betti)
        ));
    }
    out.push(file("fig2a.csv", fig2a));

    // Fig. 3: the obstructed run on top, the good run below, at t*.
    let session = |preset: &str| -> Result<Session, Box<dyn std::error::Error>> {
        let mut s = Session::new(&SessionConfig {
            preset: preset.into(),
            seed: 0,
            lr: None,
            integrator: None,
        })?;
        s.step(cfg.fig3_steps)?;
        Ok(s)
    };
    let mut top = session("fig3-obstructed-pp")?;
    let mut bottom = session("fig3-good-pm")?;
    for (row, s) in [("top", &top), ("bottom", &bottom)] {
        for k in 0..s.trainer().arch().l {
            out.push(file(
                &format!("fig3-{row}-quadric-neuron{}.svg", k + 1),
                svg(600, 600, |a| draw_fig3_neuron(a, s, k, YAW, PITCH))?,
            ));
        }
    }
    out.push(file(
        "fig3-loss.svg",
        svg(800, 600, |a| draw_fig3_loss(a, &top, &bottom, true))?,
    ));
    let top_rec = export::fig3_record("top", &mut top);
    let bottom_rec = export::fig3_record("bottom", &mut bottom);
    out.push(file("fig3-top-run.csv", top_rec.to_csv("fig3")));
    out.push(file("fig3-bottom-run.csv", bottom_rec.to_csv("fig3")));
    out.push(file(
        "fig3-run.json",
        export::RunExport::new("fig3", vec![top_rec, bottom_rec]).to_json(),
    ));

    // Fig. 2b: the components of H(c) of the Fig. 3 obstructed network, its own outlined.
    let r = top.readout();
    let title = format!(
        "Components of H(c): l− = {}",
        r.c_initial.iter().filter(|c| **c < 0.0).count()
    );
    let diagram = ComponentDiagram {
        title: &title,
        d: 2,
        e: 1,
        c: &r.c_initial,
        highlight: Some(&r.component_label),
    };
    out.push(file(
        "fig2b.svg",
        svg(800, 600, |a| draw_component_diagram(a, &diagram))?,
    ));
    let l_minus = r.c_initial.iter().filter(|c| **c < 0.0).count();
    let mut fig2b = format!(
        "# format={}\n# version={}\n# view=topology\n# figure=fig2b\n# network=fig3-obstructed-pp seed 0\n# d=2\n# e=1\n# c={}\ncomponent,plus_signs,network\n",
        export::FORMAT,
        export::VERSION,
        r.c_initial
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    );
    for bits in 0..(1u32 << l_minus) {
        let signs: Vec<i8> = (0..l_minus)
            .map(|i| {
                if bits >> (l_minus - 1 - i) & 1 == 0 {
                    1
                } else {
                    -1
                }
            })
            .collect();
        let plus = signs.iter().filter(|s| **s > 0).count();
        fig2b.push_str(&format!(
            "\"{}\",{plus},{}\n",
            sign_label(&signs),
            u8::from(signs == r.component_label)
        ));
    }
    out.push(file("fig2b.csv", fig2b));

    // The appendix heatmaps.
    for scheme in [InitScheme::XavierNormal, InitScheme::parse("kaiming")?] {
        let grid = ObstructionGrid::new(scheme, 50, 50)?;
        let name = if scheme == InitScheme::XavierNormal {
            "xavier"
        } else {
            "kaiming"
        };
        out.push(file(
            &format!("heatmap-{name}.svg"),
            svg(800, 700, |a| draw_obstruction_grid(a, &grid, None))?,
        ));
        out.push(file(
            &format!("heatmap-{name}-grid.csv"),
            export::grid_csv(&grid),
        ));
    }

    // Fig. 4.
    let rows = run_sweep(&cfg.sweep)?;
    out.push(file(
        "fig4-heatmap.svg",
        svg(800, 600, |a| draw_sweep_heatmap(a, &rows, None))?,
    ));
    out.push(file(
        "fig4-curves-lplus.svg",
        svg(800, 600, |a| draw_sweep_curves(a, &rows, SweepAxis::LPlus))?,
    ));
    out.push(file(
        "fig4-curves-percentage.svg",
        svg(800, 600, |a| {
            draw_sweep_curves(a, &rows, SweepAxis::Percentage)
        })?,
    ));
    out.push(file("fig4-sweep.csv", export::sweep_csv(&cfg.sweep, &rows)));
    Ok(out)
}

/// The lab's loss chart: the run's loss against the step, on a log scale, the axis running to the
/// run length.
///
/// # Errors
/// [`ChartError`] if the backend fails.
pub fn draw_lab_loss<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lab: &crate::app::lab::LabModel,
) -> Result<(), ChartError> {
    let series = [LossSeries {
        label: "your network",
        points: lab.loss_history(),
        color: charts::GOOD,
    }];
    let opts = LossChartOptions {
        title: "Loss of your network",
        log_scale: true,
        x_max: Some(lab.run_length() as f64),
    };
    charts::draw_loss_chart(area, &series, &opts)
}

/// The lab's conserved quantities: c_k at the start (rings) and now (dots), per neuron.
///
/// # Errors
/// [`ChartError`] if the backend fails.
pub fn draw_lab_conserved<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lab: &crate::app::lab::LabModel,
) -> Result<(), ChartError> {
    let (start, now, pathological) = lab.conserved();
    charts::conserved::draw_conserved_chart(
        area,
        &charts::conserved::ConservedChart {
            title: "c_k now (dots) against the start (rings)",
            start: &start,
            now: &now,
            pathological: &pathological,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_draws_as_svg() -> Result<(), Box<dyn std::error::Error>> {
        use plotters::prelude::*;
        let grid = ObstructionGrid::new(
            InitScheme::KaimingNormal {
                mode: crate::core::init::FanMode::FanIn,
            },
            50,
            50,
        )?;
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (560, 520)).into_drawing_area();
            let layout = draw_obstruction_grid(&root, &grid, Some((4, 1)))?;
            root.present()?;
            assert_eq!((layout.cols, layout.rows), (50, 50));
        }
        let texts = crate::present::charts::svg_texts(&svg);
        for t in [
            "Kaiming normal: P(obstruction)",
            "hidden width l",
            "input dimension d",
        ] {
            assert!(texts.iter().any(|s| s == t), "missing {t}");
        }
        Ok(())
    }
    use crate::present::charts::svg_texts;

    #[test]
    fn fig3_charts_draw_into_svg_with_their_titles() {
        let cfg = |preset: &str| SessionConfig {
            preset: preset.into(),
            seed: 0,
            lr: None,
            integrator: None,
        };
        let mut top = Session::new(&cfg("fig3-obstructed-pp")).unwrap();
        let mut bottom = Session::new(&cfg("fig3-good-pm")).unwrap();
        top.step(30).unwrap();
        bottom.step(30).unwrap();
        let loss = svg(800, 400, |a| draw_fig3_loss(a, &top, &bottom, true)).unwrap();
        let texts = svg_texts(&loss);
        assert!(texts.iter().any(|t| t == FIG3_LOSS_TITLE), "{texts:?}");
        // The legend uses the controls' words (link::option_label), not the preset ids.
        let good = link::option_label(View::Fig3, "bottom", "fig3-good-pm").unwrap();
        assert!(
            texts.iter().any(|t| t == &format!("Bottom run: {good}")),
            "{texts:?}"
        );
        assert!(!texts.iter().any(|t| t.contains("fig3-")), "{texts:?}");
        let panel = svg(400, 400, |a| draw_fig3_neuron(a, &top, 1, 0.6, 0.35)).unwrap();
        assert!(
            svg_texts(&panel)
                .iter()
                .any(|t| t == "neuron 2: c₂ = −1.00 (two sheets)")
        );
        assert!(svg(400, 400, |a| draw_fig3_neuron(a, &top, 5, 0.6, 0.35)).is_err());
        assert!(svg(0, 400, |a| draw_quadric_alone(a, 1.0, 0.6, 0.35)).is_err());
    }
}
