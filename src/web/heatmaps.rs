//! Browser boundary of the heatmaps view (the appendix heatmaps of P(obstruction)): one handle,
//! [`HeatmapsView`], over [`crate::app::heatmaps::HeatmapsModel`]. It hands canvases to the
//! figures, keeps where the last drawing put the cells (to map a pointer to a cell), draws fresh
//! seeds from the browser's random source and converts records. No maths and no checks here.

use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::canvas_area;
use super::export::svg;
use super::view::{to_js, view_handle};
use crate::app::export::{RunExport, grid_csv, random_run_record};
use crate::app::heatmaps::{HeatmapsError, HeatmapsModel, Map, Part};
use crate::present::charts::heatmap::HeatmapLayout;
use crate::present::figures;

/// The heatmaps view, held by JavaScript through this handle.
#[wasm_bindgen]
pub struct HeatmapsView {
    model: HeatmapsModel,
    /// Where the last drawing of each map put its cells (Xavier, Kaiming).
    layouts: [Option<HeatmapLayout>; 2],
}

view_handle!(HeatmapsView);

fn map_of(part: &str) -> Result<Map, HeatmapsError> {
    match Part::parse(part)? {
        Part::Map(map) => Ok(map),
        Part::Loss => Err(HeatmapsError::NotAMap("loss")),
        Part::Run => Err(HeatmapsError::NotAMap("run")),
    }
}

#[wasm_bindgen]
impl HeatmapsView {
    /// Both grids computed, every setting at its default, no run.
    ///
    /// # Errors
    /// Only if the core refuses the grids.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<HeatmapsView, JsError> {
        Ok(HeatmapsView {
            model: HeatmapsModel::new()?,
            layouts: [None, None],
        })
    }

    /// Draws `part` (`xavier`, `kaiming` or `loss`) on `canvas`. For a map, returns where its
    /// cells are, `{left, top, width, height, cols, rows}` in canvas pixels, as JSON text (for the
    /// canvas's `data-layout`); for the loss chart, `undefined`.
    ///
    /// # Errors
    /// An unknown part, a canvas without a 2-D context, or a drawing failure.
    pub fn draw(
        &mut self,
        canvas: HtmlCanvasElement,
        part: &str,
    ) -> Result<Option<String>, JsError> {
        let area = canvas_area(canvas)?;
        match Part::parse(part)? {
            Part::Map(map) => {
                let highlight = self.model.highlight(map);
                let layout =
                    figures::draw_obstruction_grid(&area, self.model.grid(map), highlight)?;
                area.present()?;
                self.layouts[map.index()] = Some(layout);
                Ok(Some(serde_json::to_string(&layout)?))
            }
            Part::Loss | Part::Run => {
                if let Some(run) = self.model.run_mut() {
                    figures::draw_random_run_loss(&area, run, true)?;
                    area.present()?;
                }
                Ok(None)
            }
        }
    }

    /// The pointer at canvas pixel (x, y) of map `part`; `press` for a click, which starts a run
    /// of the cell. Returns what changed: `{handled, cell, run, redraw}`.
    ///
    /// # Errors
    /// An unknown part, no random source for a fresh seed, or a run the core refuses.
    #[wasm_bindgen(js_name = pointAt)]
    pub fn point_at(
        &mut self,
        part: &str,
        x: f64,
        y: f64,
        press: bool,
    ) -> Result<JsValue, JsError> {
        let map = map_of(part)?;
        let cell = self.layouts[map.index()].and_then(|l| l.cell_at(x, y));
        let out = self.model.point(map, cell, press, super::fresh_seed()?)?;
        to_js(&out)
    }

    /// Map `part` got the keyboard focus. Returns what changed.
    ///
    /// # Errors
    /// An unknown part.
    pub fn focus(&mut self, part: &str) -> Result<JsValue, JsError> {
        let out = self.model.focus(map_of(part)?);
        to_js(&out)
    }

    /// The key `name` (as `KeyboardEvent.key`) pressed on map `part`. Returns what changed.
    ///
    /// # Errors
    /// An unknown part, no random source for a fresh seed, or a run the core refuses.
    pub fn key(&mut self, part: &str, name: &str) -> Result<JsValue, JsError> {
        let out = self.model.key(map_of(part)?, name, super::fresh_seed()?)?;
        to_js(&out)
    }

    /// Whether new runs wait for Play (the reader prefers reduced motion).
    #[wasm_bindgen(js_name = setReducedMotion)]
    pub fn set_reduced_motion(&mut self, reduced: bool) {
        self.model.set_reduced_motion(reduced);
    }

    /// One animation frame of the live run; returns whether it goes on playing.
    pub fn step(&mut self) -> bool {
        self.model.frame()
    }

    /// Play or pause the live run; returns whether it now plays.
    #[wasm_bindgen(js_name = togglePlay)]
    pub fn toggle_play(&mut self) -> bool {
        self.model.toggle_play()
    }

    /// Stops playing.
    pub fn pause(&mut self) {
        self.model.pause();
    }

    /// Computes the pending Monte Carlo check of the selected cell; returns whether it computed.
    ///
    /// # Errors
    /// Only if the core refuses the settings.
    pub fn estimate(&mut self) -> Result<bool, JsError> {
        Ok(self.model.estimate()?)
    }

    /// Everything the view shows: `{cell, mc_pending, message, steps, run, playing, play_label,
    /// can_play, note}` (see [`crate::app::heatmaps::HeatmapsReadout`]).
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn readout(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.model.readout())
    }

    /// Computes both grids again (the page then redraws them: its timed render).
    ///
    /// # Errors
    /// Only if the core refuses the grids.
    pub fn recompute(&mut self) -> Result<(), JsError> {
        Ok(self.model.recompute()?)
    }

    /// `part` (`xavier`, `kaiming` or `loss`) as an SVG document of width × height pixels.
    ///
    /// # Errors
    /// An unknown part, no run for the loss chart, a bad size or a drawing failure.
    pub fn svg(&mut self, part: &str, width: u32, height: u32) -> Result<String, JsError> {
        let model = &mut self.model;
        Ok(match Part::parse(part)? {
            Part::Map(map) => {
                let highlight = model.highlight(map);
                svg(width, height, |a| {
                    figures::draw_obstruction_grid(a, model.grid(map), highlight)
                })?
            }
            Part::Loss | Part::Run => {
                let run = model.run_mut().ok_or(HeatmapsError::NoRun)?;
                svg(width, height, |a| {
                    figures::draw_random_run_loss(a, run, true)
                })?
            }
        })
    }

    /// The data of `part` as CSV: a map's grid, one row per (d, l), or the run (`run`).
    ///
    /// # Errors
    /// An unknown part, or no run.
    pub fn csv(&mut self, part: &str) -> Result<String, JsError> {
        Ok(match Part::parse(part)? {
            Part::Map(map) => grid_csv(self.model.grid(map)),
            Part::Loss | Part::Run => {
                let run = self.model.run_mut().ok_or(HeatmapsError::NoRun)?;
                random_run_record(run).to_csv("heatmaps")
            }
        })
    }

    /// The run with its settings as a JSON export (the CLI's `train --from` replays it).
    ///
    /// # Errors
    /// No run.
    pub fn json(&mut self) -> Result<String, JsError> {
        let run = self.model.run_mut().ok_or(HeatmapsError::NoRun)?;
        Ok(RunExport::new("heatmaps", vec![random_run_record(run)]).to_json())
    }

    /// The file name of an export of `part`: a chart's name without extension, or with `data`
    /// the name of its data file (`json`: the run's JSON rather than its CSV).
    ///
    /// # Errors
    /// An unknown part, or the run's files before any run.
    #[wasm_bindgen(js_name = fileName)]
    pub fn file_name(&self, part: &str, data: bool, json: bool) -> Result<String, JsError> {
        Ok(self.model.file_name(Part::parse(part)?, data, json)?)
    }
}
