//! Browser boundary of the guided tour: one handle, [`TourView`], over
//! [`crate::app::tour::TourModel`]. Conversions only: the model holds the step and writes every
//! text; the shell opens the step's link and renders the tour bar.

use wasm_bindgen::prelude::*;

use super::view::{to_js, view_handle};
use crate::app::tour::TourModel;

/// The tour, held by JavaScript through this handle.
#[wasm_bindgen]
pub struct TourView {
    model: TourModel,
}

view_handle!(TourView);

#[wasm_bindgen]
impl TourView {
    /// The tour at its first step.
    #[wasm_bindgen(constructor)]
    pub fn new() -> TourView {
        TourView {
            model: TourModel::new(),
        }
    }

    /// The current step: `{index, count, position, title, text, view, link, autoplay, reading,
    /// has_prev, has_next}` (index from 1; `position` is "3 of 10").
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn step(&self) -> Result<JsValue, JsError> {
        to_js(&self.model.readout())
    }

    /// `next()`: the next step (stays at the last); true when the step changed.
    #[wasm_bindgen(js_name = next)]
    pub fn next_step(&mut self) -> bool {
        self.model.next_step()
    }

    /// `prev()`: the previous step (stays at the first); true when the step changed.
    #[wasm_bindgen(js_name = prev)]
    pub fn prev_step(&mut self) -> bool {
        self.model.prev_step()
    }

    /// Every step, in order: `[{title, text, view, link, autoplay, reading}]`.
    ///
    /// # Errors
    /// Only if serialization fails.
    pub fn steps(&self) -> Result<JsValue, JsError> {
        to_js(self.model.steps())
    }
}

impl Default for TourView {
    fn default() -> Self {
        Self::new()
    }
}
