//! Browser boundary of the exports: the SVG document of a chart (drawn by the same
//! [`crate::present::figures`] / [`crate::present::charts`] functions as its canvas, into plotters'
//! SVG backend), which every view's handle uses for its own `svg(part, width, height)`. The CSV and
//! JSON exports are the views' handles' too. No maths here.

use super::canvas::PageCanvas;
use crate::present::charts::ChartError;
use crate::present::figures;
use plotters::coord::Shift;
use plotters::prelude::*;

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
