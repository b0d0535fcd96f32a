//! Browser boundary of the heatmaps view (the appendix heatmaps of P(obstruction)): an
//! [`ObstructionMap`] handle per heatmap (its closed-form grid, drawing, pointer-to-cell mapping,
//! cell readouts and the Monte Carlo check) and a [`RandomNetworkRun`] handle for the live run a
//! click starts. No maths here: everything comes from [`crate::app::random_run`].

use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::{canvas_area, to_js};
use crate::app::random_run::{ObstructionGrid, RandomRun, monte_carlo_obstruction, scheme_label};
use crate::app::session::MAX_SEED;
use crate::core::init::InitScheme;
use crate::present::charts::heatmap::HeatmapLayout;

fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// A whole number from JavaScript, 0 ≤ x ≤ `max`.
fn whole(name: &str, x: f64, max: u64) -> Result<u64, JsError> {
    if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= max as f64 {
        Ok(x as u64)
    } else {
        Err(JsError::new(&format!(
            "{name} = {x} is out of range: it must be a whole number between 0 and {max}"
        )))
    }
}

/// The P(obstruction) grid of one scheme over d = 1..=dMax, l = 1..=lMax, row-major
/// (`(d − 1) * lMax + (l − 1)`).
///
/// # Errors
/// An unknown or non-Gaussian scheme, or a size out of range.
#[wasm_bindgen(js_name = obstructionGrid)]
pub fn obstruction_grid(scheme: &str, d_max: usize, l_max: usize) -> Result<Vec<f64>, JsError> {
    let scheme = InitScheme::parse(scheme).map_err(js_err)?;
    Ok(ObstructionGrid::new(scheme, d_max, l_max)
        .map_err(js_err)?
        .values())
}

/// One heatmap of P(obstruction), held by JavaScript through this handle.
#[wasm_bindgen]
pub struct ObstructionMap {
    pub(super) grid: ObstructionGrid,
    layout: Option<HeatmapLayout>,
}

#[wasm_bindgen]
impl ObstructionMap {
    /// The closed-form grid of `scheme` (`xavier`, `kaiming`, or a full name) for
    /// d = 1..=dMax, l = 1..=lMax.
    ///
    /// # Errors
    /// An unknown or non-Gaussian scheme, or a size out of range.
    #[wasm_bindgen(constructor)]
    pub fn new(scheme: &str, d_max: usize, l_max: usize) -> Result<ObstructionMap, JsError> {
        let scheme = InitScheme::parse(scheme).map_err(js_err)?;
        Ok(ObstructionMap {
            grid: ObstructionGrid::new(scheme, d_max, l_max).map_err(js_err)?,
            layout: None,
        })
    }

    /// The scheme's name as the CLI spells it (`xavier_normal`, `kaiming_normal`).
    #[wasm_bindgen(getter)]
    pub fn scheme(&self) -> String {
        self.grid.scheme().name().to_string()
    }

    /// The scheme's human name ("Xavier normal").
    #[wasm_bindgen(getter, js_name = schemeLabel)]
    pub fn scheme_label(&self) -> String {
        scheme_label(self.grid.scheme()).to_string()
    }

    /// Number of columns (l_max).
    #[wasm_bindgen(getter)]
    pub fn cols(&self) -> usize {
        self.grid.shape().0
    }

    /// Number of rows (d_max).
    #[wasm_bindgen(getter)]
    pub fn rows(&self) -> usize {
        self.grid.shape().1
    }

    /// P(obstruction) per cell, row-major.
    pub fn values(&self) -> Vec<f64> {
        self.grid.values()
    }

    /// Draws the heatmap on `canvas`, outlining cell (col, row) when both are given; returns the
    /// layout `{left, top, width, height, cols, rows}` in canvas pixels.
    ///
    /// # Errors
    /// When the canvas has no 2-D context or drawing fails.
    pub fn draw(
        &mut self,
        canvas: HtmlCanvasElement,
        col: Option<usize>,
        row: Option<usize>,
    ) -> Result<JsValue, JsError> {
        let area = canvas_area(canvas)?;
        let highlight = col.zip(row);
        let layout = crate::present::figures::draw_obstruction_grid(&area, &self.grid, highlight)
            .map_err(js_err)?;
        area.present().map_err(js_err)?;
        self.layout = Some(layout);
        to_js(&layout)
    }

    /// The cell `{col, row}` under canvas pixel (x, y) of the last drawing, or `undefined`.
    ///
    /// # Errors
    /// Only if serialization fails.
    #[wasm_bindgen(js_name = cellAt)]
    pub fn cell_at(&self, x: f64, y: f64) -> Result<JsValue, JsError> {
        #[derive(serde::Serialize)]
        struct Cell {
            col: usize,
            row: usize,
        }
        match self.layout.and_then(|l| l.cell_at(x, y)) {
            Some((col, row)) => to_js(&Cell { col, row }),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// The readout of cell (col, row): `{scheme, scheme_label, d, l, col, row, p, p_disconnected,
    /// expected_components, expected_effective_components}`.
    ///
    /// # Errors
    /// When the cell is not on the grid.
    pub fn cell(&self, col: usize, row: usize) -> Result<JsValue, JsError> {
        let cell = self
            .grid
            .cell(col, row)
            .ok_or_else(|| JsError::new(&format!("no cell ({col}, {row}) on this grid")))?;
        to_js(&cell)
    }

    /// The seeded Monte Carlo check of cell (col, row): `{p_mc, p_mc_stderr, p_disconnected_mc,
    /// p_disconnected_stderr, samples, seed}`.
    ///
    /// # Errors
    /// A message naming the bad setting (samples, seed) or cell.
    #[wasm_bindgen(js_name = monteCarlo)]
    pub fn monte_carlo(
        &self,
        col: usize,
        row: usize,
        samples: f64,
        seed: f64,
    ) -> Result<JsValue, JsError> {
        let samples = whole(
            "Monte Carlo samples",
            samples,
            crate::app::random_run::MAX_VIEW_MC_SAMPLES,
        )?;
        let seed = whole("seed", seed, MAX_SEED)?;
        let est = monte_carlo_obstruction(self.grid.scheme(), row + 1, col + 1, samples, seed)
            .map_err(js_err)?;
        to_js(&est)
    }
}

/// A live gradient-descent run of a randomly initialized network (the click on a heatmap cell).
#[wasm_bindgen]
pub struct RandomNetworkRun {
    pub(super) run: RandomRun,
}

#[wasm_bindgen]
impl RandomNetworkRun {
    /// A run of input dimension d and width l initialized by `scheme` from `seed`.
    ///
    /// # Errors
    /// A message naming the bad setting.
    #[wasm_bindgen(constructor)]
    pub fn new(scheme: &str, d: usize, l: usize, seed: f64) -> Result<RandomNetworkRun, JsError> {
        let scheme = InitScheme::parse(scheme).map_err(js_err)?;
        let seed = whole("seed", seed, MAX_SEED)?;
        Ok(RandomNetworkRun {
            run: RandomRun::new(scheme, d, l, seed).map_err(js_err)?,
        })
    }

    /// Takes up to `n` steps and returns how many were taken.
    ///
    /// # Errors
    /// The divergence message; the run keeps its last finite state.
    pub fn step(&mut self, n: u32) -> Result<u32, JsError> {
        self.run.step(n).map_err(js_err)
    }

    /// The readout (see [`crate::app::random_run::RandomRunReadout`]).
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn readout(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.run.readout())
    }

    /// The loss history, flattened: [t₀, L₀, t₁, L₁, …].
    #[wasm_bindgen(js_name = lossHistory)]
    pub fn loss_history(&self) -> Vec<f64> {
        self.run
            .loss_history()
            .iter()
            .flat_map(|(t, l)| [*t, *l])
            .collect()
    }

    /// Draws the loss curve of this run.
    ///
    /// # Errors
    /// When the canvas has no 2-D context or drawing fails.
    #[wasm_bindgen(js_name = drawLoss)]
    pub fn draw_loss(&mut self, canvas: HtmlCanvasElement, log_scale: bool) -> Result<(), JsError> {
        let area = canvas_area(canvas)?;
        crate::present::figures::draw_random_run_loss(&area, &mut self.run, log_scale)
            .map_err(js_err)?;
        area.present().map_err(js_err)
    }
}
