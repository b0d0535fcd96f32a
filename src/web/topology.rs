//! Browser boundary of the topology view (Fig. 2a, Fig. 2b and the topology calculator): the
//! [`TopologyView`] handle over [`TopologyModel`]. Conversions only: the settings, their checks,
//! the readouts and the export files are the model's ([`crate::app::topology`]); the pictures are
//! [`crate::present`]'s chart functions drawn into a canvas or an SVG string.

use plotters::coord::Shift;
use plotters::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::canvas_area;
use super::export::svg;
use super::view::{to_js, view_handle};
use crate::app::live_run::NetworkSummary;
use crate::app::topology::{FIG3_ROWS, Part, TopologyModel, TopologyViewError};
use crate::present::charts::ChartError;
use crate::present::charts::bars::draw_betti_bars;
use crate::present::charts::components::{ComponentDiagram, draw_component_diagram};
use crate::present::figures;

/// The topology view, held by JavaScript.
#[wasm_bindgen]
pub struct TopologyView {
    model: TopologyModel,
}

view_handle!(TopologyView);

impl std::default::Default for TopologyView {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl TopologyView {
    /// The view at its defaults (the Fig. 3 rows come with [`TopologyView::use_fig3`]).
    #[wasm_bindgen(constructor)]
    pub fn new() -> TopologyView {
        TopologyView {
            model: TopologyModel::new(),
        }
    }

    /// Takes both Fig. 3 rows as they are now (`Fig3View.rowNetworks()`, from the first screen's
    /// module), for the diagram's `top` and `bottom` sources.
    ///
    /// # Errors
    /// When `rows` is not two rows of that shape.
    #[wasm_bindgen(js_name = useFig3Rows)]
    pub fn use_fig3_rows(&mut self, rows: JsValue) -> Result<(), JsError> {
        let [top, bottom]: [(String, NetworkSummary); FIG3_ROWS.len()] =
            serde_wasm_bindgen::from_value(rows)
                .map_err(|e| JsError::new(&format!("the Fig. 3 rows are not readable: {e}")))?;
        self.model.use_fig3_rows(Some(top), Some(bottom));
        Ok(())
    }

    /// Turns Fig. 2a by a drag of (`dx`, `dy`) pixels; returns whether it turned.
    pub fn rotate(&mut self, dx: f64, dy: f64) -> bool {
        self.model.rotate(dx, dy)
    }

    /// Applies several controls as one (`keys[i]` gets the raw text `texts[i]`): `{ok, changes,
    /// rejections, message}`; one refusal refuses them all.
    ///
    /// # Errors
    /// Only if serialization fails.
    #[wasm_bindgen(js_name = setGroup)]
    pub fn set_group(&mut self, keys: Vec<String>, texts: Vec<String>) -> Result<JsValue, JsError> {
        let entries: Vec<(&str, &str)> = keys
            .iter()
            .map(String::as_str)
            .zip(texts.iter().map(String::as_str))
            .collect();
        to_js(&self.model.set_group(&entries))
    }

    /// Fills the calculator with the Fig. 2b network: `{ok, changes, rejections, message}`.
    ///
    /// # Errors
    /// Only if serialization fails.
    #[wasm_bindgen(js_name = takeNetwork)]
    pub fn take_network(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.model.take_network())
    }

    /// Everything the view shows: `{quadric, diagram, calculator}` (see
    /// [`crate::app::topology::TopologyReadout`]).
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn readout(&self) -> Result<JsValue, JsError> {
        to_js(&self.model.readout())
    }

    /// One section of the readout: `quadric`, `diagram` or `calculator` (as in `readout()`).
    ///
    /// # Errors
    /// An unknown section, or if serialization fails.
    #[wasm_bindgen(js_name = readoutOf)]
    pub fn readout_of(&self, section: &str) -> Result<JsValue, JsError> {
        to_js(&self.model.section(section)?)
    }

    /// Draws `part` (`quadric`, `diagram` or `betti`) into `canvas`; a diagram without a network
    /// is left as it is, Betti bars without a result are a blank canvas.
    ///
    /// # Errors
    /// An unknown part, a canvas without a 2-D context, or a drawing failure.
    pub fn draw(&self, canvas: HtmlCanvasElement, part: &str) -> Result<(), JsError> {
        let part = Part::parse(part)?;
        if part == Part::Diagram && self.model.network().is_none() {
            return Ok(());
        }
        let area = canvas_area(canvas)?;
        match self.draw_part(&area, part) {
            Err(TopologyViewError::NoResult(_)) => area.fill(&WHITE)?,
            other => other??,
        }
        area.present()?;
        Ok(())
    }

    /// `part` (`quadric`, `diagram` or `betti`) as an SVG document of `width` × `height` pixels.
    ///
    /// # Errors
    /// An unknown part, nothing to draw, a bad size or a drawing failure.
    pub fn svg(&self, part: &str, width: u32, height: u32) -> Result<String, JsError> {
        let part = Part::parse(part)?;
        let mut missing = None;
        let text = svg(width, height, |a| match self.draw_part(a, part) {
            Ok(drawn) => drawn,
            Err(e) => {
                missing = Some(e);
                Ok(())
            }
        })?;
        match missing {
            Some(e) => Err(e.into()),
            None => Ok(text),
        }
    }

    /// The JSON export of `part` (`network` or `calculator`).
    ///
    /// # Errors
    /// An unknown part, or nothing to export.
    pub fn json(&self, part: &str) -> Result<String, JsError> {
        Ok(self.model.json(Part::parse(part)?)?)
    }

    /// The file name of `part`'s export (without extension for a chart).
    ///
    /// # Errors
    /// An unknown part.
    #[wasm_bindgen(js_name = fileName)]
    pub fn file_name(&self, part: &str) -> Result<String, JsError> {
        Ok(self.model.file_name(Part::parse(part)?))
    }
}

impl TopologyView {
    /// Draws `part` into `area`: the outer error when there is nothing to draw, the inner one when
    /// drawing fails.
    fn draw_part<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        part: Part,
    ) -> Result<Result<(), ChartError>, TopologyViewError> {
        let m = &self.model;
        Ok(match part {
            Part::Quadric => {
                let (yaw, pitch) = m.angles();
                figures::draw_quadric_alone(area, m.c(), yaw, pitch)
            }
            Part::Diagram => {
                let net = m.network().ok_or(TopologyViewError::NoNetwork)?;
                let title = TopologyModel::diagram_title(net);
                draw_component_diagram(
                    area,
                    &ComponentDiagram {
                        title: &title,
                        d: net.d,
                        e: net.e,
                        c: &net.c,
                        highlight: Some(&net.label),
                    },
                )
            }
            Part::Betti => {
                let (title, (_, _, _, s)) = m
                    .betti_title()
                    .zip(m.calculation())
                    .ok_or_else(|| TopologyViewError::NoResult("no result".into()))?;
                draw_betti_bars(area, &s.betti_counts, &title)
            }
            data => return Err(TopologyViewError::WrongKind(data)),
        })
    }
}
