//! Browser boundary of the exports: every chart of the page as an SVG string (drawn by the same
//! [`crate::present::figures`] / [`crate::present::charts`] functions as its canvas, into plotters' SVG backend) and
//! every run or table as CSV or JSON (from [`crate::app::export`]). JavaScript turns the strings into
//! downloads. No maths here.

use wasm_bindgen::prelude::*;

use super::Run;
use super::canvas::PageCanvas;
use super::fig1b::SingleNeuron;
use super::fig4::SweepResult;
use super::heatmaps::{ObstructionMap, RandomNetworkRun};
use crate::app::export::{
    RunExport, fig1b_record, fig3_record, grid_csv, random_run_record, sweep_csv, sweep_json,
};
use crate::experiments::sweep::SweepConfig;
use crate::present::charts::ChartError;
use crate::present::charts::sweep::{SweepAxis, draw_sweep_curves, draw_sweep_heatmap};
use crate::present::figures;
use plotters::coord::Shift;
use plotters::prelude::*;

fn chart_err(e: ChartError) -> JsError {
    JsError::new(&e.to_string())
}

/// [`figures::svg`] for the page: the same SVG backend, with text measured by a detached canvas
/// instead of plotters' `<span style>` (which the page's Content-Security-Policy refuses).
pub(super) fn svg<T>(
    width: u32,
    height: u32,
    draw: impl FnOnce(&DrawingArea<PageCanvas<'_>, Shift>) -> Result<T, ChartError>,
) -> Result<String, ChartError> {
    figures::check_svg_size(width, height)?;
    let mut out = String::new();
    {
        let backend = PageCanvas::svg(&mut out, (width, height))
            .ok_or_else(|| ChartError("no 2-D canvas to measure the SVG's text".into()))?;
        let area = backend.into_drawing_area();
        draw(&area)?;
        area.present()?;
    }
    Ok(out)
}

#[wasm_bindgen]
impl Run {
    /// Neuron k's panel as an SVG document of width × height pixels.
    ///
    /// # Errors
    /// A bad size, no neuron k, or a drawing failure.
    #[wasm_bindgen(js_name = neuronSvg)]
    pub fn neuron_svg(
        &self,
        k: usize,
        yaw: f64,
        pitch: f64,
        width: u32,
        height: u32,
    ) -> Result<String, JsError> {
        svg(width, height, |a| {
            figures::draw_fig3_neuron(a, &self.session, k, yaw, pitch)
        })
        .map_err(chart_err)
    }

    /// This run as CSV (settings in `# key=value` comments, one row per recorded step); `name`
    /// is the row ("top" or "bottom").
    #[wasm_bindgen(js_name = exportCsv)]
    pub fn export_csv(&mut self, name: &str) -> String {
        fig3_record(name, &mut self.session).to_csv("fig3")
    }
}

/// The Fig. 3 loss chart as an SVG document.
///
/// # Errors
/// A bad size or a drawing failure.
#[wasm_bindgen(js_name = lossChartSvg)]
pub fn loss_chart_svg(
    top: &Run,
    bottom: &Run,
    log_scale: bool,
    width: u32,
    height: u32,
) -> Result<String, JsError> {
    svg(width, height, |a| {
        figures::draw_fig3_loss(a, &top.session, &bottom.session, log_scale)
    })
    .map_err(chart_err)
}

/// Both Fig. 3 runs as one JSON export (settings, final state and rows of each).
#[wasm_bindgen(js_name = fig3ExportJson)]
pub fn fig3_export_json(top: &mut Run, bottom: &mut Run) -> String {
    RunExport::new(
        "fig3",
        vec![
            fig3_record("top", &mut top.session),
            fig3_record("bottom", &mut bottom.session),
        ],
    )
    .to_json()
}

#[wasm_bindgen]
impl SingleNeuron {
    /// The plane as an SVG document.
    ///
    /// # Errors
    /// A bad size or a drawing failure.
    pub fn svg(&mut self, width: u32, height: u32) -> Result<String, JsError> {
        svg(width, height, |a| {
            figures::draw_fig1b_plane(a, &mut self.run)
        })
        .map_err(chart_err)
    }

    /// The run as CSV.
    #[wasm_bindgen(js_name = exportCsv)]
    pub fn export_csv(&mut self) -> String {
        fig1b_record(&mut self.run).to_csv("fig1b")
    }

    /// The run as a JSON export.
    #[wasm_bindgen(js_name = exportJson)]
    pub fn export_json(&mut self) -> String {
        RunExport::new("fig1b", vec![fig1b_record(&mut self.run)]).to_json()
    }
}

#[wasm_bindgen]
impl ObstructionMap {
    /// The heatmap as an SVG document, outlining cell (col, row) when both are given.
    ///
    /// # Errors
    /// A bad size or a drawing failure.
    #[wasm_bindgen(js_name = svg)]
    pub fn to_svg(
        &self,
        width: u32,
        height: u32,
        col: Option<usize>,
        row: Option<usize>,
    ) -> Result<String, JsError> {
        svg(width, height, |a| {
            figures::draw_obstruction_grid(a, &self.grid, col.zip(row))
        })
        .map_err(chart_err)
    }

    /// The grid as CSV, one row per (d, l).
    #[wasm_bindgen(js_name = exportCsv)]
    pub fn export_csv(&self) -> String {
        grid_csv(&self.grid)
    }
}

#[wasm_bindgen]
impl RandomNetworkRun {
    /// The loss chart as an SVG document.
    ///
    /// # Errors
    /// A bad size or a drawing failure.
    #[wasm_bindgen(js_name = lossSvg)]
    pub fn loss_svg(
        &mut self,
        log_scale: bool,
        width: u32,
        height: u32,
    ) -> Result<String, JsError> {
        svg(width, height, |a| {
            figures::draw_random_run_loss(a, &mut self.run, log_scale)
        })
        .map_err(chart_err)
    }

    /// The run as CSV.
    #[wasm_bindgen(js_name = exportCsv)]
    pub fn export_csv(&mut self) -> String {
        random_run_record(&mut self.run).to_csv("heatmaps")
    }

    /// The run as a JSON export.
    #[wasm_bindgen(js_name = exportJson)]
    pub fn export_json(&mut self) -> String {
        RunExport::new("heatmaps", vec![random_run_record(&mut self.run)]).to_json()
    }
}

fn sweep_config(config: JsValue) -> Result<SweepConfig, JsError> {
    serde_wasm_bindgen::from_value(config)
        .map_err(|e| JsError::new(&format!("bad sweep settings: {e}")))
}

#[wasm_bindgen]
impl SweepResult {
    /// The curves against l+ (`"l_plus"`) or l+/l (`"percentage"`) as an SVG document.
    ///
    /// # Errors
    /// An unknown axis, a bad size or a drawing failure.
    #[wasm_bindgen(js_name = curvesSvg)]
    pub fn curves_svg(&self, axis: &str, width: u32, height: u32) -> Result<String, JsError> {
        let axis = match axis {
            "l_plus" => SweepAxis::LPlus,
            "percentage" => SweepAxis::Percentage,
            other => return Err(JsError::new(&format!("unknown sweep axis '{other}'"))),
        };
        svg(width, height, |a| draw_sweep_curves(a, &self.rows, axis)).map_err(chart_err)
    }

    /// The heatmap as an SVG document, outlining cell (col, row) when both are ≥ 0.
    ///
    /// # Errors
    /// A bad size or a drawing failure.
    #[wasm_bindgen(js_name = heatmapSvg)]
    pub fn heatmap_svg(
        &self,
        width: u32,
        height: u32,
        highlight_col: i32,
        highlight_row: i32,
    ) -> Result<String, JsError> {
        let highlight = usize::try_from(highlight_col)
            .ok()
            .zip(usize::try_from(highlight_row).ok());
        svg(width, height, |a| {
            draw_sweep_heatmap(a, &self.rows, highlight)
        })
        .map_err(chart_err)
    }

    /// The results as CSV, with the sweep's settings `{widths, seeds, steps, lr}` in comments.
    ///
    /// # Errors
    /// Malformed settings.
    #[wasm_bindgen(js_name = exportCsv)]
    pub fn export_csv(&self, config: JsValue) -> Result<String, JsError> {
        Ok(sweep_csv(&sweep_config(config)?, &self.rows))
    }

    /// The results as JSON, with the sweep's settings.
    ///
    /// # Errors
    /// Malformed settings.
    #[wasm_bindgen(js_name = exportJson)]
    pub fn export_json(&self, config: JsValue) -> Result<String, JsError> {
        Ok(sweep_json(&sweep_config(config)?, &self.rows))
    }
}
