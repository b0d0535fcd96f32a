//! Browser boundary of the Fig. 4 view: the [`Fig4View`] handle over [`Fig4Model`] (settings,
//! the sweep's jobs and progress, the finished sweep, its readouts and exports) and
//! [`run_sweep_job`], which the Web Workers call to run one job. Conversions only.
//!
//! The breast cancer split is prepared once per wasm instance (so once per worker) and cached
//! here; that is caching, the maths is [`crate::experiments::sweep::run_job`]. Drawing measures
//! text through the DOM, so it happens on the page, never in a worker.

use std::cell::OnceCell;

use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::canvas_area;
use super::export::svg;
use super::view::{to_js, view_handle};
use crate::app::fig4::{Failure, Fig4Error, Fig4Model, Part, SweepPlan, TEXTS};
use crate::app::link::Rejection;
use crate::core::data::Split;
use crate::experiments::sweep::{JobResult, SweepJob, run_job, sweep_data};
use crate::present::charts::ChartError;
use crate::present::charts::heatmap::HeatmapLayout;
use crate::present::charts::sweep::{SweepAxis, draw_sweep_curves, draw_sweep_heatmap};

thread_local! {
    /// The breast cancer split, prepared on first use in this wasm instance.
    static SPLIT: OnceCell<Split> = const { OnceCell::new() };
}

/// Runs one job `{l, l_plus, seed}` for `steps` GD steps with learning rate `lr` and returns
/// `{job, test_bce, diverged}`. Safe to call in a Web Worker (no DOM).
///
/// # Errors
/// A bad job or learning rate, or data that cannot be prepared.
#[wasm_bindgen(js_name = runSweepJob)]
pub fn run_sweep_job(job: JsValue, steps: u32, lr: f64) -> Result<JsValue, JsError> {
    let job: SweepJob = serde_wasm_bindgen::from_value(job)?;
    let result = SPLIT.with(|cell| -> Result<JobResult, JsError> {
        let split = match cell.get() {
            Some(split) => split,
            None => {
                let split = sweep_data()?;
                cell.get_or_init(|| split)
            }
        };
        Ok(run_job(split, job, u64::from(steps), lr)?)
    })?;
    to_js(&result)
}

/// What `start` returns: `{ok: true, plan}` (`plan` null when a sweep already runs) or
/// `{ok: false, rejection}`.
#[derive(Serialize)]
struct StartResult {
    ok: bool,
    plan: Option<SweepPlan>,
    rejection: Option<Rejection>,
}

/// The Fig. 4 view, held by the page for the visit.
#[wasm_bindgen]
pub struct Fig4View {
    model: Fig4Model,
    /// Where the last heatmap drew its cells, in canvas pixels.
    layout: Option<HeatmapLayout>,
}

view_handle!(Fig4View);

impl Default for Fig4View {
    fn default() -> Self {
        Self::new()
    }
}

/// The axis of a curves chart; `None` for the heatmap.
fn curves_axis(part: Part) -> Option<SweepAxis> {
    match part {
        Part::Heatmap => None,
        Part::CurvesLPlus => Some(SweepAxis::LPlus),
        Part::CurvesPercentage => Some(SweepAxis::Percentage),
    }
}

#[wasm_bindgen]
impl Fig4View {
    /// The view at its defaults, no sweep run.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Fig4View {
        Fig4View {
            model: Fig4Model::new(),
            layout: None,
        }
    }

    /// The fixed texts: `{title, intro, progress, caption, tableSummary, columns, run, cancel,
    /// heatmapLabel, …, heatmapFile, curvesLplusFile, curvesPercentageFile, csvFile, jsonFile}`.
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn texts(&self) -> Result<JsValue, JsError> {
        to_js(&TEXTS)
    }

    /// Starts the sweep of the settings at clock time `now_ms` with at most
    /// `hardware_concurrency` workers: `{ok, plan: {workers, steps, lr, jobs: [{index, job,
    /// weight}]}, rejection}`.
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn start(&mut self, hardware_concurrency: u32, now_ms: f64) -> Result<JsValue, JsError> {
        let result = match self.model.start(hardware_concurrency as usize, now_ms) {
            Ok(plan) => StartResult {
                ok: true,
                plan,
                rejection: None,
            },
            Err(rejection) => StartResult {
                ok: false,
                plan: None,
                rejection: Some(rejection),
            },
        };
        to_js(&result)
    }

    /// The next job to hand to a worker `{index, job, weight}`, or `null` when none is left.
    ///
    /// # Errors
    /// Only if serialization fails.
    #[wasm_bindgen(js_name = nextJob)]
    pub fn next_job(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.model.next_job())
    }

    /// Records job `index`'s result (as `runSweepJob` returned it) at clock time `now_ms`;
    /// returns whether the sweep is finished.
    ///
    /// # Errors
    /// A malformed result, or one the sweep does not expect.
    #[wasm_bindgen(js_name = jobDone)]
    pub fn job_done(
        &mut self,
        index: usize,
        result: JsValue,
        now_ms: f64,
    ) -> Result<bool, JsError> {
        let result: JobResult = serde_wasm_bindgen::from_value(result)?;
        Ok(self.model.job_done(index, result, now_ms)?)
    }

    /// The progress bar and status line at clock time `now_ms`: `{value, max, text}`.
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn progress(&self, now_ms: f64) -> Result<JsValue, JsError> {
        to_js(&self.model.progress(now_ms))
    }

    /// Cancels the running sweep at clock time `now_ms`; returns whether one was running.
    pub fn cancel(&mut self, now_ms: f64) -> bool {
        self.model.cancel(now_ms)
    }

    /// Stops the running sweep on a failure `kind` (`job`, `start`, `crash`, `no_module`) with
    /// what the worker or browser said; returns the message to show.
    ///
    /// # Errors
    /// An unknown kind.
    pub fn fail(&mut self, kind: &str, detail: &str) -> Result<String, JsError> {
        Ok(self.model.fail(Failure::parse(kind)?, detail))
    }

    /// Whether a link asked for a sweep that is neither shown nor running.
    #[wasm_bindgen(js_name = wantsRun)]
    pub fn wants_run(&self) -> bool {
        self.model.wants_run()
    }

    /// Everything the view prints: `{state, has_result, info: {text, seconds}, table: [{l,
    /// l_plus, cells: [{key, label, text, value}]}], cell: {text, l, l_plus}}`.
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn readout(&self) -> Result<JsValue, JsError> {
        to_js(&self.model.readout())
    }

    /// The rows of the sweep shown, exact: `[{l, l_plus, mean_test_bce, std_test_bce, runs,
    /// diverged_runs}]`.
    ///
    /// # Errors
    /// Only if serialization fails.
    #[wasm_bindgen(js_name = sweepRows)]
    pub fn sweep_rows(&self) -> Result<JsValue, JsError> {
        to_js(self.model.rows())
    }

    /// Draws `part` (`heatmap`, `curves-lplus`, `curves-percentage`) of the sweep shown on
    /// `canvas`, the heatmap with the selected cell outlined.
    ///
    /// # Errors
    /// An unknown part, no sweep shown, a canvas without a 2-D context or a drawing failure.
    pub fn draw(&mut self, canvas: HtmlCanvasElement, part: &str) -> Result<(), JsError> {
        let part = Part::parse(part)?;
        if self.model.rows().is_empty() {
            return Err(Fig4Error::NoResult.into());
        }
        let area = canvas_area(canvas)?;
        match curves_axis(part) {
            None => {
                let layout = draw_sweep_heatmap(&area, self.model.rows(), self.model.selected())?;
                self.layout = Some(layout);
            }
            Some(axis) => draw_sweep_curves(&area, self.model.rows(), axis)?,
        }
        area.present().map_err(ChartError::from)?;
        Ok(())
    }

    /// `part` of the sweep shown as an SVG document of `width` × `height` pixels.
    ///
    /// # Errors
    /// An unknown part, no sweep shown, a bad size or a drawing failure.
    pub fn svg(&self, part: &str, width: u32, height: u32) -> Result<String, JsError> {
        let part = Part::parse(part)?;
        if self.model.rows().is_empty() {
            return Err(Fig4Error::NoResult.into());
        }
        let rows = self.model.rows();
        let selected = self.model.selected();
        Ok(svg(width, height, |a| match curves_axis(part) {
            None => draw_sweep_heatmap(a, rows, selected).map(|_| ()),
            Some(axis) => draw_sweep_curves(a, rows, axis),
        })?)
    }

    /// Selects the heatmap cell under canvas pixel (x, y) of the last drawn heatmap; returns
    /// whether the selection changed.
    #[wasm_bindgen(js_name = pointAt)]
    pub fn point_at(&mut self, x: f64, y: f64) -> bool {
        match self.layout.and_then(|l| l.cell_at(x, y)) {
            Some((col, row)) => self.model.select(col, row),
            None => false,
        }
    }

    /// An arrow key on the heatmap; returns whether the heatmap took it.
    pub fn key(&mut self, name: &str) -> bool {
        self.model.key(name)
    }

    /// Where the last heatmap drew its cells: `{left, top, width, height, cols, rows}` in canvas
    /// pixels, or `null` before the first draw.
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn layout(&self) -> Result<JsValue, JsError> {
        to_js(&self.layout)
    }

    /// The sweep shown as CSV, with its settings in comments.
    ///
    /// # Errors
    /// No sweep shown.
    pub fn csv(&self) -> Result<String, JsError> {
        Ok(self.model.csv()?)
    }

    /// The sweep shown as JSON, with its settings.
    ///
    /// # Errors
    /// No sweep shown.
    pub fn json(&self) -> Result<String, JsError> {
        Ok(self.model.json()?)
    }
}
