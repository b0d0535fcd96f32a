//! The browser boundary: the only module that names `wasm_bindgen`, `web_sys`, `js_sys` or
//! `plotters_canvas`. It holds no maths: it turns JavaScript values into core configurations,
//! core errors into `JsError`, and hands canvases to the chart functions.
//!
//! JavaScript owns the animation loop: each frame it calls [`Run::step`], then the draw functions.
//!
//! One submodule per view of the page; this file holds the Fig. 3 view and the shared helpers.

pub mod fig1b;
pub mod fig4;
pub mod heatmaps;
pub mod link;
pub mod topology;

use crate::charts::{self, LossChartOptions, LossSeries, QuadricPanel};
use crate::session::{Session, SessionConfig};
use crate::topology::{QuadricKind, Verdict, quadric_kind};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Installs the panic hook (panics reach `console.error`, where the page's error handler shows
/// them).
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Half-width of the cube drawn around each quadric.
const PANEL_EXTENT: f64 = 2.5;

/// One live training run, held by JavaScript through this opaque handle.
#[wasm_bindgen]
pub struct Run {
    session: Session,
}

#[wasm_bindgen]
impl Run {
    /// A run from `{preset, seed, lr?, integrator?}`.
    ///
    /// # Errors
    /// A message naming the bad field.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<Run, JsError> {
        let cfg: SessionConfig = serde_wasm_bindgen::from_value(config)
            .map_err(|e| JsError::new(&format!("bad run settings: {e}")))?;
        Ok(Run {
            session: Session::new(&cfg).map_err(|e| JsError::new(&e.to_string()))?,
        })
    }

    /// Takes up to `n` steps and returns how many were taken.
    ///
    /// # Errors
    /// The divergence message; the run keeps its last finite state and refuses further steps.
    pub fn step(&mut self, n: u32) -> Result<u32, JsError> {
        self.session
            .step(n)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// The readouts (step, loss, c_k, drift, component label, components, verdict, …) as an object.
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn readout(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.session.readout())
    }

    /// The loss history, flattened: [t₀, L₀, t₁, L₁, …].
    #[wasm_bindgen(js_name = lossHistory)]
    pub fn loss_history(&self) -> Vec<f64> {
        self.session
            .loss_history()
            .iter()
            .flat_map(|(t, l)| [*t, *l])
            .collect()
    }

    /// θ now, in the core's layout.
    pub fn params(&self) -> Vec<f64> {
        self.session.trainer().params().to_vec()
    }

    /// Draws neuron k's quadric with its trajectory, seen from (yaw, pitch).
    ///
    /// # Errors
    /// When the canvas has no 2-D context or drawing fails.
    #[wasm_bindgen(js_name = drawNeuron)]
    pub fn draw_neuron(
        &mut self,
        canvas: HtmlCanvasElement,
        k: usize,
        yaw: f64,
        pitch: f64,
    ) -> Result<(), JsError> {
        // Only what the panel shows: no loss evaluation on this per-frame path.
        let c = *self
            .session
            .trainer()
            .c_initial()
            .get(k)
            .ok_or_else(|| JsError::new(&format!("no neuron {}", k + 1)))?;
        let title = neuron_title(k, c, quadric_kind(c));
        let verdict = self.session.verdict();
        let trajectory = self.session.trajectory(k);
        let panel = QuadricPanel {
            title: &title,
            c,
            trajectory: &trajectory,
            yaw,
            pitch,
            extent: PANEL_EXTENT,
            color: run_color(verdict.as_ref()),
        };
        let area = canvas_area(canvas)?;
        charts::draw_quadric_panel(&area, &panel).map_err(|e| JsError::new(&e.to_string()))?;
        area.present().map_err(|e| JsError::new(&e.to_string()))
    }
}

/// Draws the loss curves of two runs on one chart.
///
/// # Errors
/// When the canvas has no 2-D context or drawing fails.
#[wasm_bindgen(js_name = drawLossChart)]
pub fn draw_loss_chart(
    canvas: HtmlCanvasElement,
    top: &mut Run,
    bottom: &mut Run,
    log_scale: bool,
) -> Result<(), JsError> {
    let (vt, vb) = (top.session.verdict(), bottom.session.verdict());
    let lt = series_label("top", top.session.preset().name(), vt.as_ref());
    let lb = series_label("bottom", bottom.session.preset().name(), vb.as_ref());
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
            points: top.session.loss_history(),
            color: ct,
        },
        LossSeries {
            label: &lb,
            points: bottom.session.loss_history(),
            color: cb,
        },
    ];
    let opts = LossChartOptions {
        title: "Training loss (Fig. 3c)",
        log_scale,
        x_max: None,
    };
    let area = canvas_area(canvas)?;
    charts::draw_loss_chart(&area, &series, &opts).map_err(|e| JsError::new(&e.to_string()))?;
    area.present().map_err(|e| JsError::new(&e.to_string()))
}

/// A fresh random seed (0 ≤ seed < 2^53) from the browser's cryptographic generator.
///
/// # Errors
/// When the browser has no random source.
#[wasm_bindgen(js_name = randomSeed)]
pub fn random_seed() -> Result<f64, JsError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| JsError::new(&format!("no random source: {e}")))?;
    Ok((u64::from_le_bytes(bytes) >> 11) as f64)
}

/// Panics on purpose, so that the end-to-end test can check that a crash of the core shows a
/// visible error instead of leaving a dead page. Nothing in the app calls it.
#[wasm_bindgen(js_name = debugPanic)]
pub fn debug_panic() {
    panic!("deliberate panic requested by debugPanic()");
}

/// Limits the app's controls enforce, from the core's own constants: `{lrMax, seedMax}`.
///
/// # Errors
/// Only if serialization fails.
#[wasm_bindgen(js_name = limits)]
pub fn limits() -> Result<JsValue, JsError> {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Limits {
        lr_max: f64,
        seed_max: f64,
    }
    to_js(&Limits {
        lr_max: crate::train::MAX_LR,
        seed_max: crate::session::MAX_SEED as f64,
    })
}

pub(crate) fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsError> {
    // u128 component counts and NaN-free numbers become plain JS numbers.
    let ser = serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(false);
    value
        .serialize(&ser)
        .map_err(|e| JsError::new(&e.to_string()))
}

fn canvas_area(
    canvas: HtmlCanvasElement,
) -> Result<DrawingArea<CanvasBackend, plotters::coord::Shift>, JsError> {
    let backend = CanvasBackend::with_canvas_object(canvas)
        .ok_or_else(|| JsError::new("this canvas has no 2-D context"))?;
    Ok(backend.into_drawing_area())
}

fn run_color(verdict: Option<&Verdict>) -> RGBColor {
    match verdict {
        Some(v) if v.obstructed => charts::OBSTRUCTED,
        _ => charts::GOOD,
    }
}

fn neuron_title(k: usize, c: f64, kind: QuadricKind) -> String {
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

fn series_label(row: &str, preset: &str, verdict: Option<&Verdict>) -> String {
    let kind = match verdict {
        Some(v) if v.obstructed => "obstructed",
        Some(_) => "good",
        None => "run",
    };
    format!("{row} row: {} ({kind})", preset)
}

/// A number with a true minus sign and two decimals.
pub(crate) fn signed(x: f64) -> String {
    let s = format!("{x:.2}");
    s.replacen('-', "−", 1)
}
