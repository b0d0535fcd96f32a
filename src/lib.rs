//! relu-obstruction: the maths of "Topological obstruction to the training of shallow ReLU
//! neural networks" (Nurisso, Leroy, Vaccarino, NeurIPS 2024), as a pure Rust core.
//!
//! Gradient flow on a two-layer ReLU network f(x) = Σ_k v_k σ(w_k · x) conserves
//! c_k = ‖w_k‖² − ‖v_k‖² for every hidden neuron, so training stays on the product of quadrics
//! H(c) fixed at initialization; with a scalar output H(c) can be disconnected, and a run that
//! starts in the wrong component cannot reach the global optimum.
//!
//! The crate's folders are its layers, each using only those before it in this list
//! (`tests/architecture.rs` checks the imports of every file):
//! - [`core`]: the mathematics (network, training, initializations, topology, probability, data,
//!   seeded random numbers, typed errors), never the browser;
//! - [`experiments`]: the paper's experiments as configurations (presets, the Fig. 4 sweep);
//! - [`app`]: one view model per view of the page, the live run they share, the link format, the
//!   exports and the page's number formatter;
//! - [`present`]: the charts (generic over any plotters backend) and the composed figures;
//! - `web` (wasm32 only): the browser boundary, one handle per view model.

pub mod app;
pub mod core;
pub mod experiments;
pub mod present;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use crate::core::error::{ConfigError, RescaleError, TopologyError, TrainError};
