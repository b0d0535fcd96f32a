//! Browser boundary of the Fig. 1b view: one handle, [`Fig1bView`], over the view model
//! [`crate::app::fig1b::Fig1bModel`] (settings, run, readouts, the rules of the buttons, keys and
//! pointer), drawn by [`crate::present::figures::draw_fig1b_plane`]. Conversions only: the model
//! checks and formats everything.

use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::canvas_area;
use super::export::svg;
use super::view::{to_js, view_handle};
use crate::app::fig1b::Fig1bModel;
use crate::present::charts::ChartError;
use crate::present::figures;

/// The Fig. 1b view, held by JavaScript through this opaque handle.
#[wasm_bindgen]
pub struct Fig1bView {
    model: Fig1bModel,
}

view_handle!(Fig1bView);

#[wasm_bindgen]
impl Fig1bView {
    /// The view at its defaults.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Fig1bView {
        Fig1bView {
            model: Fig1bModel::new(),
        }
    }

    /// Takes up to `n` steps: `{taken, diverged, stop, message}`.
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn step(&mut self, n: u32) -> Result<JsValue, JsError> {
        to_js(&self.model.step(n))
    }

    /// Takes one frame's steps (the steps-per-frame setting): as [`Fig1bView::step`].
    ///
    /// # Errors
    /// Only if serialization fails.
    #[wasm_bindgen(js_name = stepFrame)]
    pub fn step_frame(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.model.step_frame())
    }

    /// The readout panel: `{fields: [{key, label, text, value}], verdict: {text, tone}, kind,
    /// at_minimum}`.
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn readout(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.model.readout())
    }

    /// Draws the plane on `canvas` and remembers where the plot landed.
    ///
    /// # Errors
    /// When the canvas has no 2-D context or drawing fails.
    pub fn draw(&mut self, canvas: HtmlCanvasElement) -> Result<(), JsError> {
        let area = canvas_area(canvas)?;
        let layout = figures::draw_fig1b_plane(&area, self.model.run_mut())?;
        area.present().map_err(ChartError::from)?;
        self.model.set_layout(layout);
        Ok(())
    }

    /// The pointer at canvas pixel (x, y): a new run from the point under it; `{handled, ok,
    /// message, rejection}`.
    ///
    /// # Errors
    /// Only if serialization fails.
    #[wasm_bindgen(js_name = pointAt)]
    pub fn point_at(&mut self, x: f64, y: f64) -> Result<JsValue, JsError> {
        to_js(&self.model.point_at(x, y))
    }

    /// The canvas pixel `[x, y]` of (w, v) in the last drawing (empty before the first one).
    #[wasm_bindgen(js_name = pointToPixel)]
    pub fn point_to_pixel(&self, w: f64, v: f64) -> Vec<f64> {
        self.model
            .point_to_pixel(w, v)
            .map_or_else(Vec::new, |(x, y)| vec![x, y])
    }

    /// A key pressed on the focused plane (`KeyboardEvent.key`, Shift held): `{handled, ok,
    /// message, rejection}`.
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn key(&mut self, name: &str, shift: bool) -> Result<JsValue, JsError> {
        to_js(&self.model.key(name, shift))
    }

    /// "Start here": a new run from the typed start.
    ///
    /// # Errors
    /// Only if serialization fails.
    #[wasm_bindgen(js_name = startHere)]
    pub fn start_here(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.model.start_here())
    }

    /// "Good start".
    ///
    /// # Errors
    /// Only if serialization fails.
    #[wasm_bindgen(js_name = goodStart)]
    pub fn good_start(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.model.good_start())
    }

    /// "Pathological start".
    ///
    /// # Errors
    /// Only if serialization fails.
    #[wasm_bindgen(js_name = pathologicalStart)]
    pub fn pathological_start(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.model.pathological_start())
    }

    /// Restarts from the start of the run.
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn reset(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.model.reset())
    }

    /// "Apply rescaling" with the α in force.
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn rescale(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.model.rescale())
    }

    /// The plane as an SVG document of width × height pixels.
    ///
    /// # Errors
    /// A bad size or a drawing failure.
    pub fn svg(&mut self, width: u32, height: u32) -> Result<String, JsError> {
        let run = self.model.run_mut();
        Ok(svg(width, height, |a| figures::draw_fig1b_plane(a, run))?)
    }

    /// The run as CSV.
    pub fn csv(&mut self) -> String {
        self.model.csv()
    }

    /// The run as a JSON export.
    pub fn json(&mut self) -> String {
        self.model.json()
    }

    /// The title and the keyboard help's steps: `{title, nudge, nudge_fast}`.
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn texts(&self) -> Result<JsValue, JsError> {
        to_js(&self.model.texts())
    }

    /// The export files' names: `{plane, csv, json}`.
    ///
    /// # Errors
    /// Only if serialization fails.
    #[wasm_bindgen(js_name = fileNames)]
    pub fn file_names(&self) -> Result<JsValue, JsError> {
        to_js(&self.model.file_names())
    }
}

impl Default for Fig1bView {
    fn default() -> Self {
        Self::new()
    }
}
