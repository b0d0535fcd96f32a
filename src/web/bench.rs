//! Browser boundary of the benchmark (`bench/browser.mjs`): one training run of any preset, with
//! nothing of a view around it, so that the browser's steps per second are measured on exactly the
//! work `obstruction bench` times natively. The page itself never uses it.

use wasm_bindgen::prelude::*;

use crate::app::session::{Session, SessionConfig};

/// One run of a preset, stepped by the benchmark.
#[wasm_bindgen]
pub struct BenchRun {
    session: Session,
}

#[wasm_bindgen]
impl BenchRun {
    /// The run of `preset` from seed 0 with learning rate `lr`.
    ///
    /// # Errors
    /// An unknown preset or a refused learning rate.
    #[wasm_bindgen(constructor)]
    pub fn new(preset: &str, lr: f64) -> Result<BenchRun, JsError> {
        let session = Session::new(&SessionConfig {
            preset: preset.to_string(),
            seed: 0,
            lr: Some(lr),
            integrator: None,
        })?;
        Ok(BenchRun { session })
    }

    /// Takes `n` steps.
    ///
    /// # Errors
    /// The divergence of the run.
    pub fn step(&mut self, n: u32) -> Result<u32, JsError> {
        Ok(self.session.step(n)?)
    }
}
