//! The fast loss and gradient the trainers use: the kernels of the `relu-kernels` crate
//! (blocked, 2-lane SIMD in wasm) on this crate's types. They give the same bits as the plain
//! reference [`crate::core::network::loss_and_gradient`] (tested in `tests/kernels.rs`).

use crate::core::network::{Architecture, Batch, kernel_shape};

/// Buffers reused by every evaluation, so a step allocates nothing.
#[derive(Debug, Clone)]
pub struct Scratch(relu_kernels::Scratch);

impl Scratch {
    /// Buffers sized for `arch` and `batch`.
    pub fn new(arch: &Architecture, batch: &Batch) -> Self {
        Self(relu_kernels::Scratch::new(
            &kernel_shape(arch),
            batch.samples(),
        ))
    }
}

/// L(θ), and ∇L(θ) written into `grad` (the layout of θ). Allocates nothing.
///
/// # Panics
/// If `params`, `grad` or the buffers do not match `arch` and `batch` (a programming error: the
/// trainer builds them together).
pub fn loss_and_gradient(
    arch: &Architecture,
    params: &[f64],
    batch: &Batch,
    scratch: &mut Scratch,
    grad: &mut [f64],
) -> f64 {
    relu_kernels::loss_and_gradient(
        &kernel_shape(arch),
        params,
        batch.samples(),
        &mut scratch.0,
        grad,
    )
}

/// L(θ) alone. Allocates nothing.
///
/// # Panics
/// As [`loss_and_gradient`].
pub fn loss(arch: &Architecture, params: &[f64], batch: &Batch, scratch: &mut Scratch) -> f64 {
    relu_kernels::loss(&kernel_shape(arch), params, batch.samples(), &mut scratch.0)
}
