//! Browser boundary of the Fig. 4 view: the breast cancer sweep, run as independent jobs in Web
//! Workers and drawn on the page.
//!
//! - [`sweep_jobs`] validates a sweep's settings (the core's checks plus the page's tighter
//!   limits [`PAGE_MAX_SEEDS`], [`PAGE_MAX_STEPS`] and the widths of [`PAGE_WIDTHS`]) and lists its
//!   jobs in the core's order;
//! - [`run_sweep_job`] runs one job. It is what the workers call: it never touches the DOM. The
//!   breast cancer split is prepared once per wasm instance (so once per worker) and cached here;
//!   that is caching, the maths is [`crate::experiments::sweep::run_job`];
//! - [`aggregate_sweep`] turns the job results into a [`SweepResult`] handle holding the rows,
//!   which the page keeps for the visit and asks to draw itself. Drawing measures text through the
//!   DOM, so it happens on the page, never in a worker.

use std::cell::OnceCell;

use crate::core::data::Split;
use crate::experiments::presets::FIG4_LR;
use crate::experiments::sweep::{
    JobResult, SweepConfig, SweepJob, SweepRow, aggregate, run_job, sweep_data,
};
use crate::present::charts::heatmap::HeatmapLayout;
use crate::present::charts::sweep::{SweepAxis, draw_sweep_curves, draw_sweep_heatmap, sweep_grid};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::{canvas_area, to_js};

/// The widths the page offers.
pub const PAGE_WIDTHS: [usize; 5] = [1, 2, 4, 8, 16];
/// Most seeds the page runs per (l, l+).
pub const PAGE_MAX_SEEDS: u64 = 20;
/// Most GD steps per job on the page.
pub const PAGE_MAX_STEPS: u64 = 5000;
/// Default number of seeds of the page.
pub const PAGE_DEFAULT_SEEDS: u64 = 3;
/// Default number of steps of the page.
pub const PAGE_DEFAULT_STEPS: u64 = 500;

thread_local! {
    /// The breast cancer split, prepared on first use in this wasm instance.
    static SPLIT: OnceCell<Split> = const { OnceCell::new() };
}

fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// The page's limits and defaults:
/// `{widths, maxSeeds, maxSteps, defaultSeeds, defaultSteps, defaultLr}`.
///
/// # Errors
/// Only if serialization fails.
#[wasm_bindgen(js_name = sweepLimits)]
pub fn sweep_limits() -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Limits {
        widths: [usize; 5],
        max_seeds: u64,
        max_steps: u64,
        default_seeds: u64,
        default_steps: u64,
        default_lr: f64,
    }
    to_js(&Limits {
        widths: PAGE_WIDTHS,
        max_seeds: PAGE_MAX_SEEDS,
        max_steps: PAGE_MAX_STEPS,
        default_seeds: PAGE_DEFAULT_SEEDS,
        default_steps: PAGE_DEFAULT_STEPS,
        default_lr: FIG4_LR,
    })
}

/// Checks `{widths, seeds, steps, lr}` and returns its jobs `[{l, l_plus, seed}, …]` in the core's
/// order (widths as given, then l+ = 0..=l, then seeds 0..S−1).
///
/// # Errors
/// A message naming the first bad setting (malformed object, a width not offered by the page,
/// seeds outside 1..=20, steps outside 1..=5000, a bad learning rate).
#[wasm_bindgen(js_name = sweepJobs)]
pub fn sweep_jobs(config: JsValue) -> Result<JsValue, JsError> {
    let cfg: SweepConfig = serde_wasm_bindgen::from_value(config)
        .map_err(|e| JsError::new(&format!("bad sweep settings: {e}")))?;
    validate_page_config(&cfg)?;
    to_js(&cfg.jobs())
}

fn validate_page_config(cfg: &SweepConfig) -> Result<(), JsError> {
    if cfg.widths.is_empty() {
        return Err(JsError::new("choose at least one width l"));
    }
    if let Some(l) = cfg.widths.iter().find(|l| !PAGE_WIDTHS.contains(l)) {
        return Err(JsError::new(&format!(
            "width l = {l} is not offered here: choose among 1, 2, 4, 8, 16"
        )));
    }
    let mut seen = cfg.widths.clone();
    seen.sort_unstable();
    seen.dedup();
    if seen.len() != cfg.widths.len() {
        return Err(JsError::new("a width l is listed twice"));
    }
    if !(1..=PAGE_MAX_SEEDS).contains(&cfg.seeds) {
        return Err(JsError::new(&format!(
            "seeds = {} is out of range: it must be between 1 and {PAGE_MAX_SEEDS}",
            cfg.seeds
        )));
    }
    if !(1..=PAGE_MAX_STEPS).contains(&cfg.steps) {
        return Err(JsError::new(&format!(
            "steps = {} is out of range: it must be between 1 and {PAGE_MAX_STEPS}",
            cfg.steps
        )));
    }
    cfg.validate().map_err(js_err)
}

/// Runs one job `{l, l_plus, seed}` for `steps` GD steps with learning rate `lr` and returns
/// `{job, test_bce, diverged}`. Safe to call in a Web Worker (no DOM).
///
/// # Errors
/// A message for a bad job or learning rate, or if the data cannot be prepared.
#[wasm_bindgen(js_name = runSweepJob)]
pub fn run_sweep_job(job: JsValue, steps: u32, lr: f64) -> Result<JsValue, JsError> {
    let job: SweepJob = serde_wasm_bindgen::from_value(job)
        .map_err(|e| JsError::new(&format!("bad sweep job: {e}")))?;
    let result = SPLIT.with(|cell| -> Result<JobResult, JsError> {
        let split = match cell.get() {
            Some(split) => split,
            None => {
                let split = sweep_data().map_err(js_err)?;
                cell.get_or_init(|| split)
            }
        };
        run_job(split, job, u64::from(steps), lr).map_err(js_err)
    })?;
    to_js(&result)
}

/// Aggregates job results (any order of completion; pass them in job order for the native
/// summation order) into a [`SweepResult`].
///
/// # Errors
/// A message if `results` is not an array of job results or is empty.
#[wasm_bindgen(js_name = aggregateSweep)]
pub fn aggregate_sweep(results: JsValue) -> Result<SweepResult, JsError> {
    let results: Vec<JobResult> = serde_wasm_bindgen::from_value(results)
        .map_err(|e| JsError::new(&format!("bad sweep results: {e}")))?;
    if results.is_empty() {
        return Err(JsError::new("the sweep has no results"));
    }
    Ok(SweepResult {
        rows: aggregate(&results),
        layout: None,
    })
}

/// A finished sweep: its rows, held for the page behind this handle.
#[wasm_bindgen]
pub struct SweepResult {
    pub(super) rows: Vec<SweepRow>,
    /// Where the last heatmap drew its cells.
    layout: Option<HeatmapLayout>,
}

#[wasm_bindgen]
impl SweepResult {
    /// The rows `[{l, l_plus, mean_test_bce, std_test_bce, runs, diverged_runs}, …]`.
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn rows(&self) -> Result<JsValue, JsError> {
        to_js(&self.rows)
    }

    /// Draws the curves against l+ (`axis = "l_plus"`) or against l+/l (`axis = "percentage"`).
    ///
    /// # Errors
    /// An unknown axis, a canvas without a 2-D context, or a drawing failure.
    #[wasm_bindgen(js_name = drawCurves)]
    pub fn draw_curves(&self, canvas: HtmlCanvasElement, axis: &str) -> Result<(), JsError> {
        let axis = match axis {
            "l_plus" => SweepAxis::LPlus,
            "percentage" => SweepAxis::Percentage,
            other => return Err(JsError::new(&format!("unknown sweep axis '{other}'"))),
        };
        let area = canvas_area(canvas)?;
        draw_sweep_curves(&area, &self.rows, axis).map_err(js_err)?;
        area.present().map_err(js_err)
    }

    /// Draws the heatmap over (l, l+), outlining cell (col, row) if both are given (≥ 0), and
    /// returns the cell layout `{left, top, width, height, cols, rows}` in canvas pixels.
    ///
    /// # Errors
    /// A canvas without a 2-D context, or a drawing failure.
    #[wasm_bindgen(js_name = drawHeatmap)]
    pub fn draw_heatmap(
        &mut self,
        canvas: HtmlCanvasElement,
        highlight_col: i32,
        highlight_row: i32,
    ) -> Result<JsValue, JsError> {
        let highlight = usize::try_from(highlight_col)
            .ok()
            .zip(usize::try_from(highlight_row).ok());
        let area = canvas_area(canvas)?;
        let layout = draw_sweep_heatmap(&area, &self.rows, highlight).map_err(js_err)?;
        area.present().map_err(js_err)?;
        self.layout = Some(layout);
        to_js(&layout)
    }

    /// The cell of the last drawn heatmap under canvas pixel (x, y):
    /// `{col, row, l, l_plus, data}` with `data` the sweep row of that cell or `null` (l+ > l);
    /// `undefined` outside the cells or before the first draw.
    ///
    /// # Errors
    /// Only if serialization fails.
    #[wasm_bindgen(js_name = cellAt)]
    pub fn cell_at(&self, x: f64, y: f64) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct Cell<'a> {
            col: usize,
            row: usize,
            l: f64,
            l_plus: f64,
            data: Option<&'a SweepRow>,
        }
        let Some((col, row)) = self.layout.and_then(|layout| layout.cell_at(x, y)) else {
            return Ok(JsValue::UNDEFINED);
        };
        let (widths, l_plus, _) = sweep_grid(&self.rows);
        let (Some(&l), Some(&p)) = (widths.get(col), l_plus.get(row)) else {
            return Ok(JsValue::UNDEFINED);
        };
        let data = self
            .rows
            .iter()
            .find(|r| r.l as f64 == l && r.l_plus as f64 == p);
        to_js(&Cell {
            col,
            row,
            l,
            l_plus: p,
            data,
        })
    }
}
