//! Browser boundary of the exports: every chart of the page as an SVG string (drawn by the same
//! [`crate::present::figures`] / [`crate::present::charts`] functions as its canvas, into plotters' SVG backend) and
//! every run or table as CSV or JSON (from [`crate::app::export`]). JavaScript turns the strings into
//! downloads. No maths here.

use wasm_bindgen::prelude::*;

use super::canvas::PageCanvas;
use super::heatmaps::{ObstructionMap, RandomNetworkRun};
use crate::app::export::{RunExport, grid_csv, random_run_record};
use crate::present::charts::ChartError;
use crate::present::figures;
use plotters::coord::Shift;
use plotters::prelude::*;

fn chart_err(e: ChartError) -> JsError {
    JsError::new(&e.to_string())
}

/// [`figures::svg`] for the page: the same SVG backend, with text measured by a detached canvas
/// instead of plotters' `<span style>` (which the page's Content-Security-Policy refuses).
pub(crate) fn svg<T>(
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
