//! Browser boundary of the lab: one handle, [`LabView`], over [`crate::app::lab::LabModel`]
//! (settings, the network and data the reader brought, the run, readouts, exports), drawn by
//! [`crate::present::figures::draw_lab_loss`] and [`crate::present::figures::draw_lab_conserved`].
//! Conversions only: the model checks files and formats everything.

use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::canvas_area;
use super::export::svg;
use super::view::{to_js, view_handle};
use crate::app::lab::LabModel;
use crate::present::charts::ChartError;
use crate::present::figures;

/// The lab, held by JavaScript through this opaque handle.
#[wasm_bindgen]
pub struct LabView {
    model: LabModel,
}

view_handle!(LabView);

#[wasm_bindgen]
impl LabView {
    /// The lab at its defaults.
    #[wasm_bindgen(constructor)]
    pub fn new() -> LabView {
        LabView {
            model: LabModel::new(),
        }
    }

    /// The breast cancer data were handed to the core (www/data.js): a lab waiting for them
    /// builds them now. Whether the readout changed.
    #[wasm_bindgen(js_name = dataArrived)]
    pub fn data_arrived(&mut self) -> bool {
        self.model.data_arrived()
    }

    /// The page could not fetch the breast cancer data (`why`, the browser's reason): a lab
    /// waiting for them says so. Whether the readout changed.
    #[wasm_bindgen(js_name = dataFailed)]
    pub fn data_failed(&mut self, why: &str) -> bool {
        self.model.data_failed(why)
    }

    /// Starts or stops playing.
    #[wasm_bindgen(js_name = setPlaying)]
    pub fn set_playing(&mut self, on: bool) {
        self.model.set_playing(on);
    }

    /// Whether the run is playing (it stops by itself at the run length or on a divergence).
    pub fn playing(&self) -> bool {
        self.model.playing()
    }

    /// A new animation frame: the steps-per-frame budget starts again.
    #[wasm_bindgen(js_name = beginFrame)]
    pub fn begin_frame(&mut self) {
        self.model.begin_frame();
    }

    /// One slice of work (about a millisecond); whether more wants doing in this frame.
    pub fn work(&mut self) -> bool {
        self.model.work()
    }

    /// Changes whenever the charts and readouts change (the progress line aside).
    pub fn revision(&self) -> String {
        self.model.revision()
    }

    /// The progress line alone.
    pub fn progress(&self) -> String {
        self.model.progress()
    }

    /// One whole step (the Step button).
    #[wasm_bindgen(js_name = stepOnce)]
    pub fn step_once(&mut self) {
        self.model.step(1);
    }

    /// Back to step 0.
    pub fn reset(&mut self) {
        self.model.reset();
    }

    /// The readout: `{source, check, check_sentence, neurons, run, verdict, status, progress,
    /// theory, rebalance, can_run, finished, step, custom_network, custom_data}`.
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn readout(&self) -> Result<JsValue, JsError> {
        to_js(&self.model.readout())
    }

    /// Whether a weights file of `bytes` bytes may be read: `{ok, code, message}`.
    ///
    /// # Errors
    /// Only if serialization fails.
    #[wasm_bindgen(js_name = weightsSize)]
    pub fn weights_size(&self, bytes: f64) -> Result<JsValue, JsError> {
        to_js(&self.model.weights_size(bytes))
    }

    /// Whether a CSV file of `bytes` bytes may be read: `{ok, code, message}`.
    ///
    /// # Errors
    /// Only if serialization fails.
    #[wasm_bindgen(js_name = csvSize)]
    pub fn csv_size(&self, bytes: f64) -> Result<JsValue, JsError> {
        to_js(&self.model.csv_size(bytes))
    }

    /// A weights file's text: `{ok, code, message}`.
    ///
    /// # Errors
    /// Only if serialization fails.
    #[wasm_bindgen(js_name = loadWeights)]
    pub fn load_weights(&mut self, name: &str, text: &str) -> Result<JsValue, JsError> {
        to_js(&self.model.load_weights(name, text))
    }

    /// A CSV file's bytes: `{ok, code, message}`.
    ///
    /// # Errors
    /// Only if serialization fails.
    #[wasm_bindgen(js_name = loadCsv)]
    pub fn load_csv(&mut self, name: &str, bytes: &[u8]) -> Result<JsValue, JsError> {
        to_js(&self.model.load_csv(name, bytes))
    }

    /// A saved session's text: `{outcome: {ok, code, message}, rejections}`.
    ///
    /// # Errors
    /// Only if serialization fails.
    #[wasm_bindgen(js_name = loadSession)]
    pub fn load_session(&mut self, text: &str) -> Result<JsValue, JsError> {
        let (outcome, rejections) = self.model.load_session(text);
        to_js(&serde_json::json!({"outcome": outcome, "rejections": rejections}))
    }

    /// Back to the network built from the settings.
    #[wasm_bindgen(js_name = useBuiltNetwork)]
    pub fn use_built_network(&mut self) {
        self.model.use_built_network();
    }

    /// Rebalances onto the target c: `{ok, code, message}`.
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn rebalance(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.model.rebalance())
    }

    /// Draws the loss chart (`part` = "loss") or the conserved quantities ("conserved").
    ///
    /// # Errors
    /// When the canvas has no 2-D context, the part is unknown or drawing fails.
    pub fn draw(&self, part: &str, canvas: HtmlCanvasElement) -> Result<(), JsError> {
        let area = canvas_area(canvas)?;
        match part {
            "loss" => figures::draw_lab_loss(&area, &self.model)?,
            "conserved" => figures::draw_lab_conserved(&area, &self.model)?,
            other => return Err(JsError::new(&format!("no lab chart called {other}"))),
        }
        area.present().map_err(ChartError::from)?;
        Ok(())
    }

    /// A chart as an SVG document of width × height pixels.
    ///
    /// # Errors
    /// A bad size, an unknown part or a drawing failure.
    pub fn svg(&self, part: &str, width: u32, height: u32) -> Result<String, JsError> {
        let m = &self.model;
        Ok(match part {
            "loss" => svg(width, height, |a| figures::draw_lab_loss(a, m))?,
            "conserved" => svg(width, height, |a| figures::draw_lab_conserved(a, m))?,
            other => return Err(JsError::new(&format!("no lab chart called {other}"))),
        })
    }

    /// The run as CSV.
    pub fn csv(&self) -> String {
        self.model.csv()
    }

    /// The run as JSON.
    pub fn json(&self) -> String {
        self.model.json()
    }

    /// The session as JSON.
    pub fn session(&self) -> String {
        self.model.session()
    }

    /// The start network as a weights file.
    pub fn weights(&self) -> String {
        self.model.weights_file()
    }

    /// The network now as a weights file.
    #[wasm_bindgen(js_name = finalWeights)]
    pub fn final_weights(&self) -> String {
        self.model.final_weights_file()
    }

    /// The export files' names.
    ///
    /// # Errors
    /// Only if serialization fails.
    #[wasm_bindgen(js_name = fileNames)]
    pub fn file_names(&self) -> Result<JsValue, JsError> {
        to_js(&self.model.file_names())
    }
}

impl Default for LabView {
    fn default() -> Self {
        Self::new()
    }
}
