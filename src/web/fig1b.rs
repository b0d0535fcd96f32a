//! Browser boundary of the Fig. 1b view: one live one-neuron run ([`SingleNeuron`]) drawn on the
//! (w, v) plane. No maths here: the run lives in [`crate::app::single_neuron`], the chart in
//! [`crate::present::charts::hyperbolas`]; this module converts values and errors and remembers where the
//! last drawing put the plot, so JavaScript can turn a pointer position into (w, v).

use super::{canvas_area, to_js};
use crate::app::single_neuron::{NeuronConfig, NeuronRun};
use crate::core::train::Integrator;
use crate::present::charts::{self, hyperbolas::PlaneLayout};
use crate::present::figures;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// A live one-neuron run, held by JavaScript through this opaque handle.
#[wasm_bindgen]
pub struct SingleNeuron {
    pub(super) run: NeuronRun,
    layout: Option<PlaneLayout>,
}

#[wasm_bindgen]
impl SingleNeuron {
    /// A run from `{w, v, lr?, integrator?}`.
    ///
    /// # Errors
    /// A message naming the bad field.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<SingleNeuron, JsError> {
        let cfg: NeuronConfig = serde_wasm_bindgen::from_value(config)
            .map_err(|e| JsError::new(&format!("bad settings of the one-neuron run: {e}")))?;
        Ok(SingleNeuron {
            run: NeuronRun::new(&cfg).map_err(err)?,
            layout: None,
        })
    }

    /// Takes up to `n` steps and returns how many were taken.
    ///
    /// # Errors
    /// The divergence message; the run keeps its last finite state and refuses further steps.
    pub fn step(&mut self, n: u32) -> Result<u32, JsError> {
        self.run.step(n).map_err(err)
    }

    /// The readouts (w, v, c, drift, loss, f at the probe inputs, ∇L, start kind, …) as an object.
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn readout(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.run.readout())
    }

    /// Starts a new run from (w, v).
    ///
    /// # Errors
    /// When w or v is not a number inside the window; the run is then unchanged.
    #[wasm_bindgen(js_name = setPoint)]
    pub fn set_point(&mut self, w: f64, v: f64) -> Result<(), JsError> {
        self.run.set_point(w, v).map_err(err)
    }

    /// Starts a new run from the current point moved by (dw, dv).
    ///
    /// # Errors
    /// When the moved point leaves the window; the run is then unchanged.
    pub fn nudge(&mut self, dw: f64, dv: f64) -> Result<(), JsError> {
        self.run.nudge(dw, dv).map_err(err)
    }

    /// Applies the rescaling (w, v) ↦ (αw, v/α) and starts a new run from there.
    ///
    /// # Errors
    /// When α is not a finite positive number or the point would leave the window.
    pub fn rescale(&mut self, alpha: f64) -> Result<(), JsError> {
        self.run.rescale(alpha).map_err(err)
    }

    /// Sets the learning rate and the integrator (`gd`, `flow`, `conserving`) and restarts from
    /// the start of the run.
    ///
    /// # Errors
    /// A message naming the bad setting; the run is then unchanged.
    #[wasm_bindgen(js_name = setSettings)]
    pub fn set_settings(&mut self, lr: f64, integrator: &str) -> Result<(), JsError> {
        let integrator = Integrator::parse(integrator).map_err(err)?;
        self.run.set_settings(lr, integrator).map_err(err)
    }

    /// Restarts from the start of the run.
    pub fn reset(&mut self) {
        self.run.reset();
    }

    /// Draws the plane on `canvas` and remembers where the plot landed.
    ///
    /// # Errors
    /// When the canvas has no 2-D context or drawing fails.
    pub fn draw(&mut self, canvas: HtmlCanvasElement) -> Result<(), JsError> {
        let area = canvas_area(canvas)?;
        let layout = figures::draw_fig1b_plane(&area, &mut self.run).map_err(chart_err)?;
        area.present().map_err(|e| JsError::new(&e.to_string()))?;
        self.layout = Some(layout);
        Ok(())
    }

    /// The point [w, v] under the canvas pixel (x, y) of the last drawing, or an empty array when
    /// (x, y) is outside the plot.
    ///
    /// # Errors
    /// Before the first drawing.
    #[wasm_bindgen(js_name = pixelToPoint)]
    pub fn pixel_to_point(&self, x: f64, y: f64) -> Result<Vec<f64>, JsError> {
        let layout = self.layout()?;
        Ok(layout
            .pixel_to_point(x, y)
            .map_or_else(Vec::new, |(w, v)| vec![w, v]))
    }

    /// The canvas pixel [x, y] of the point (w, v) in the last drawing.
    ///
    /// # Errors
    /// Before the first drawing.
    #[wasm_bindgen(js_name = pointToPixel)]
    pub fn point_to_pixel(&self, w: f64, v: f64) -> Result<Vec<f64>, JsError> {
        let (x, y) = self.layout()?.point_to_pixel(w, v);
        Ok(vec![x, y])
    }
}

impl SingleNeuron {
    fn layout(&self) -> Result<PlaneLayout, JsError> {
        self.layout
            .ok_or_else(|| JsError::new("the plane has not been drawn yet"))
    }
}

fn err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

fn chart_err(e: charts::ChartError) -> JsError {
    JsError::new(&e.to_string())
}
