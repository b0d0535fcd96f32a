//! relu-obstruction: the maths of "Topological obstruction to the training of shallow ReLU
//! neural networks" (Nurisso, Leroy, Vaccarino, NeurIPS 2024), as a pure Rust core.
//!
//! Gradient flow on a two-layer ReLU network f(x) = Σ_k v_k σ(w_k · x) conserves
//! c_k = ‖w_k‖² − ‖v_k‖² for every hidden neuron, so training stays on the product of quadrics
//! H(c) fixed at initialization; with a scalar output H(c) can be disconnected, and a run that
//! starts in the wrong component cannot reach the global optimum.
//!
//! Modules: [`network`] (forward, loss, gradient), [`train`] (GD, gradient flow, conserving step),
//! [`init`] (initializations and rescaling), [`topology`] (Betti numbers, components, verdict),
//! [`probability`] (odds of pathological neurons), [`data`], [`presets`], [`sweep`] (Fig. 4).
//! None of them touches the browser.

pub mod app;
pub mod core;
pub mod experiments;
pub mod present;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use crate::core::error::{ConfigError, RescaleError, TopologyError, TrainError};
