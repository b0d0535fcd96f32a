//! The browser boundary: the only module that names `wasm_bindgen`, `web_sys`, `js_sys` or
//! `plotters_canvas`. It holds no maths: it turns JavaScript values into core configurations,
//! core errors into `JsError`, and hands canvases to the chart functions.
//!
//! JavaScript owns the animation loop: each frame it calls [`Run::step`], then the draw functions.
//!
//! One submodule per view of the page; this file holds the Fig. 3 view and the shared helpers.

mod canvas;
pub mod export;
pub mod fig1b;
pub mod fig3;
pub mod fig4;
pub mod heatmaps;
pub mod link;
pub mod topology;
pub mod view;

use crate::app::session::{Session, SessionConfig};
use crate::present::figures;
use canvas::PageCanvas;
use plotters::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Installs the panic hook (panics reach `console.error`, where the page's error handler shows
/// them).
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

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
        let area = canvas_area(canvas)?;
        figures::draw_fig3_neuron(&area, &self.session, k, yaw, pitch)
            .map_err(|e| JsError::new(&e.to_string()))?;
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
    let area = canvas_area(canvas)?;
    figures::draw_fig3_loss(&area, &top.session, &bottom.session, log_scale)
        .map_err(|e| JsError::new(&e.to_string()))?;
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
        lr_max: crate::core::train::MAX_LR,
        seed_max: crate::app::session::MAX_SEED as f64,
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
) -> Result<DrawingArea<PageCanvas<'static>, plotters::coord::Shift>, JsError> {
    let backend =
        PageCanvas::new(canvas).ok_or_else(|| JsError::new("this canvas has no 2-D context"))?;
    Ok(backend.into_drawing_area())
}
