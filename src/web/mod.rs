//! The browser boundary: the only module that names `wasm_bindgen`, `web_sys`, `js_sys` or
//! `plotters_canvas`. It holds no maths: it turns JavaScript values into core configurations,
//! core errors into `JsError`, and hands canvases to the chart functions.
//!
//! JavaScript owns the animation loop: each frame it asks a view's handle to step, then to draw
//! and for its readout.
//!
//! One submodule per view of the page, each with one handle over the view's model in
//! [`crate::app`] ([`view`] gives every handle the shell's common calls); this file holds the
//! shared helpers. Without the feature `all-views` only the first screen's part is built: the
//! Fig. 3 view, the links, the chart text, the exports and the benchmark's run ([`fig3`],
//! [`link`], [`view`], [`export`], [`bench`]). That is the first screen's wasm (`src/first/`),
//! which the page loads at start; www/cores.js loads the whole module for the other views.

pub mod bench;
mod canvas;
pub mod export;
#[cfg(feature = "all-views")]
pub mod fig1b;
pub mod fig3;
#[cfg(feature = "all-views")]
pub mod fig4;
#[cfg(feature = "all-views")]
pub mod heatmaps;
#[cfg(feature = "all-views")]
pub mod lab;
pub mod link;
#[cfg(feature = "all-views")]
pub mod topology;
#[cfg(feature = "all-views")]
pub mod tour;
pub mod view;

use canvas::PageCanvas;
use plotters::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Installs the panic hook (panics reach `console.error`, where the page's error handler shows
/// them).
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// A fresh random seed (0 ≤ seed < 2^53) from the browser's cryptographic generator.
///
/// # Errors
/// When the browser has no random source.
pub fn fresh_seed() -> Result<u64, JsError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| JsError::new(&format!("no random source: {e}")))?;
    Ok(u64::from_le_bytes(bytes) >> 11)
}

/// A fresh random seed as a JavaScript number (exact: below 2^53).
///
/// # Errors
/// When the browser has no random source.
#[wasm_bindgen(js_name = randomSeed)]
pub fn random_seed() -> Result<f64, JsError> {
    Ok(fresh_seed()? as f64)
}

/// Hands the breast cancer CSV (the file `breast_cancer.csv` beside the page, fetched by
/// www/data.js) to the core: the page's wasm does not carry it ([`crate::core::data`]).
///
/// # Errors
/// A file that does not parse or does not have the data set's shape, with the reason.
#[cfg(feature = "all-views")]
#[wasm_bindgen(js_name = provideBreastCancerCsv)]
pub fn provide_breast_cancer_csv(text: &str) -> Result<(), JsError> {
    Ok(crate::core::data::provide_breast_cancer_csv(text)?)
}

/// Panics on purpose, so that the end-to-end test can check that a crash of the core shows a
/// visible error instead of leaving a dead page. Nothing in the app calls it.
#[wasm_bindgen(js_name = debugPanic)]
pub fn debug_panic() {
    panic!("deliberate panic requested by debugPanic()");
}

/// A drawing area over `canvas`.
///
/// # Errors
/// When the canvas has no 2-D context.
pub(crate) fn canvas_area(
    canvas: HtmlCanvasElement,
) -> Result<DrawingArea<PageCanvas<'static>, plotters::coord::Shift>, JsError> {
    let backend =
        PageCanvas::new(canvas).ok_or_else(|| JsError::new("this canvas has no 2-D context"))?;
    Ok(backend.into_drawing_area())
}
