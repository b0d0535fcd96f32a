//! Browser boundary of the Fig. 3 view: one handle, [`Fig3View`], over
//! [`crate::app::fig3::Fig3Model`]. Conversions only: the model steps, replays, rotates and
//! formats; the figures draw ([`crate::present::figures`]); the exports write
//! ([`crate::app::export`]).

use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::canvas::PageCanvas;
use super::export::svg;
use super::view::{to_js, view_handle};
use super::{canvas_area, fresh_seed};
use crate::app::export::{RunExport, fig3_record};
use crate::app::fig3::{Fig3Model, ROWS};
use crate::app::view::ViewModel;
use crate::present::figures;
use plotters::prelude::IntoDrawingArea;

/// The Fig. 3 view, held by JavaScript through this handle.
#[wasm_bindgen]
pub struct Fig3View {
    model: Fig3Model,
}

view_handle!(Fig3View);

/// A drawing part: `top-0`, `top-1`, `bottom-0`, `bottom-1` (row and neuron) or `loss`.
enum Part<'a> {
    Neuron(&'a str, usize),
    Loss,
}

fn part(name: &str) -> Result<Part<'_>, JsError> {
    if name == "loss" {
        return Ok(Part::Loss);
    }
    let (row, k) = name
        .rsplit_once('-')
        .ok_or_else(|| JsError::new(&format!("no Fig. 3 chart '{name}'")))?;
    let k = match k {
        "0" => 0,
        "1" => 1,
        _ => return Err(JsError::new(&format!("no Fig. 3 chart '{name}'"))),
    };
    ROWS.iter()
        .find(|r| **r == row)
        .map(|r| Part::Neuron(r, k))
        .ok_or_else(|| JsError::new(&format!("no Fig. 3 chart '{name}'")))
}

#[wasm_bindgen]
impl Fig3View {
    /// The view at its defaults.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Fig3View {
        Fig3View {
            model: Fig3Model::new(),
        }
    }

    /// One animation frame while playing: `{stop}` (t* reached or a run failed).
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn frame(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.model.frame())
    }

    /// One slice of a link's replay; true while more is left.
    pub fn replay(&mut self) -> bool {
        self.model.replay()
    }

    /// θ of `row` now, in the core's layout (for the tests and the benchmark).
    pub fn params(&self, row: &str) -> Vec<f64> {
        self.model.session(row).trainer().params().to_vec()
    }

    /// The loss history of `row`, flattened: [t₀, L₀, t₁, L₁, …].
    #[wasm_bindgen(js_name = lossHistory)]
    pub fn loss_history(&self, row: &str) -> Vec<f64> {
        self.model
            .session(row)
            .loss_history()
            .iter()
            .flat_map(|(t, l)| [*t, *l])
            .collect()
    }

    /// `n` steps of both runs at once, ignoring t* (for the benchmark and the soak test); false
    /// when a run failed.
    pub fn advance(&mut self, n: u32) -> bool {
        self.model.advance(u64::from(n))
    }

    /// Whether a link's replay is still running.
    pub fn replaying(&self) -> bool {
        self.model.replaying()
    }

    /// The Step button: one step of both runs.
    #[wasm_bindgen(js_name = stepOnce)]
    pub fn step_once(&mut self) {
        self.model.step_once();
    }

    /// Whether the view starts playing by itself on arrival (see
    /// [`Fig3Model::plays_on_arrival`]).
    #[wasm_bindgen(js_name = playsOnArrival)]
    pub fn plays_on_arrival(&self) -> bool {
        self.model.plays_on_arrival()
    }

    /// Whether Play may start (otherwise the readout's message says why).
    #[wasm_bindgen(js_name = canPlay)]
    pub fn can_play(&mut self) -> bool {
        self.model.can_play()
    }

    /// The Reset button: both runs from step 0.
    pub fn reset(&mut self) {
        self.model.reset();
    }

    /// The Random button: a fresh seed from the browser's generator, applied like a typed one.
    ///
    /// # Errors
    /// When the browser has no random source, or serialization fails.
    #[wasm_bindgen(js_name = randomSeed)]
    pub fn random_seed(&mut self) -> Result<JsValue, JsError> {
        let seed = fresh_seed()?.to_string();
        self.set("seed", &seed)
    }

    /// Turns `row`'s panels by a drag of (dx, dy) pixels.
    pub fn rotate(&mut self, row: &str, dx: f64, dy: f64) {
        self.model.rotate(row, dx, dy);
    }

    /// Everything the page prints: `{rows: [{row, title, fields, verdict, obstructed}], step,
    /// message, replaying}`.
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn readout(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.model.readout())
    }

    /// How wide, in pixels, neuron `k`'s path is drawn on row `row`'s panel of `width` × `height`
    /// pixels at the row's view angles (0 when nothing of it is drawn): the measure of issue 12's
    /// "the motion is visible" ([`figures::fig3_path_width`]).
    ///
    /// # Errors
    /// An unknown row or neuron, or a zero size.
    #[wasm_bindgen(js_name = pathWidth)]
    pub fn path_width(&self, row: &str, k: usize, width: u32, height: u32) -> Result<u32, JsError> {
        if !ROWS.contains(&row) {
            return Err(JsError::new(&format!("no row {row:?}")));
        }
        let (yaw, pitch) = self.model.angles(row);
        // Measured on the page's own backend (plotters' text layer would need inline styles).
        let mut scratch = String::new();
        let backend = PageCanvas::svg(&mut scratch, (width.max(1), height.max(1)))
            .ok_or_else(|| JsError::new("no 2-D canvas to measure the panel's text"))?;
        let area = backend.into_drawing_area();
        let w = figures::fig3_path_width_on(&area, self.model.session(row), k, yaw, pitch)?;
        Ok(w.unwrap_or(0))
    }

    /// Draws chart `part` (`top-0`, …, `bottom-1`, `loss`) on `canvas`.
    ///
    /// # Errors
    /// An unknown part, a canvas without a 2-D context, or a drawing failure.
    pub fn draw(&self, canvas: HtmlCanvasElement, part_name: &str) -> Result<(), JsError> {
        let area = canvas_area(canvas)?;
        self.draw_part(&area, part(part_name)?)?;
        area.present()?;
        Ok(())
    }

    /// Chart `part` as an SVG document of width × height pixels.
    ///
    /// # Errors
    /// An unknown part, a bad size, or a drawing failure.
    pub fn svg(&self, part_name: &str, width: u32, height: u32) -> Result<String, JsError> {
        let p = part(part_name)?;
        Ok(svg(width, height, |a| self.draw_part(a, p))?)
    }

    /// The run of `row` as CSV (settings in `# key=value` comments, one row per recorded step).
    ///
    /// # Errors
    /// An unknown row.
    pub fn csv(&mut self, row: &str) -> Result<String, JsError> {
        let row = ROWS
            .iter()
            .find(|r| **r == row)
            .ok_or_else(|| JsError::new(&format!("no Fig. 3 row '{row}'")))?;
        let mut session = self.model.session(row).clone();
        Ok(fig3_record(row, &mut session).to_csv("fig3"))
    }

    /// Both runs as one JSON export (settings, final state and rows of each).
    pub fn json(&self) -> String {
        let mut top = self.model.session("top").clone();
        let mut bottom = self.model.session("bottom").clone();
        RunExport::new(
            "fig3",
            vec![
                fig3_record("top", &mut top),
                fig3_record("bottom", &mut bottom),
            ],
        )
        .to_json()
    }
}

impl Default for Fig3View {
    fn default() -> Self {
        Self::new()
    }
}

impl Fig3View {
    fn draw_part<DB: plotters::prelude::DrawingBackend>(
        &self,
        area: &plotters::prelude::DrawingArea<DB, plotters::coord::Shift>,
        p: Part<'_>,
    ) -> Result<(), crate::present::charts::ChartError> {
        match p {
            Part::Neuron(row, k) => {
                let (yaw, pitch) = self.model.angles(row);
                figures::draw_fig3_neuron(area, self.model.session(row), k, yaw, pitch)
            }
            Part::Loss => figures::draw_fig3_loss(
                area,
                self.model.session("top"),
                self.model.session("bottom"),
                self.model.settings().flag("log"),
            ),
        }
    }
}

#[wasm_bindgen]
impl Fig3View {
    /// Both rows' networks as the topology view shows them, `[[name, {d, e, c, label, step}], …]`
    /// (top, bottom), for `TopologyView.useFig3Rows`: the topology view lives in the other wasm
    /// module (www/cores.js), so the rows cross as plain values (f64 exactly).
    ///
    /// # Errors
    /// Only if serialization fails.
    #[wasm_bindgen(js_name = rowNetworks)]
    pub fn row_networks(&self) -> Result<JsValue, JsError> {
        to_js(&ROWS.map(|row| self.model.row_network(row)))
    }
}
