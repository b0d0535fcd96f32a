//! The two-layer ReLU network f(x; θ) = Σ_k v_k σ(w_k · x) (+ an optional output bias), its loss
//! and its analytic gradient.
//!
//! # Conventions
//! - Input x ∈ R^d, hidden width l, output dimension e, σ(z) = max(z, 0) with σ'(0) = 0.
//! - A hidden bias b_k is one more input coordinate: x ↦ (x, 1), so w_k ∈ R^{d+1} and
//!   c_k = ‖w_k‖² + b_k² − ‖v_k‖² needs no special case. [`Architecture::input_dim`] is d or d + 1.
//! - Parameter layout of θ (one flat `Vec<f64>`):
//!   `W` (l × input_dim, row k = w_k, bias last), then `V` (l × e, row k = v_k), then the output bias
//!   (e values) when enabled. The output bias is not rescaled and enters no conserved quantity.
//! - Loss L(θ) = (1/n) Σ_i ℓ(f(x_i), y_i), summed over the e outputs, with
//!   ℓ = ½(f − y)² ([`Loss::HalfMse`]) or the binary cross-entropy on logits
//!   ℓ = log(1 + e^f) − y f ([`Loss::Bce`], y ∈ {0, 1}).
//! - Data enter the gradient code feature-major ([`Batch`]): one contiguous row of n values per
//!   input coordinate, so every inner loop runs over samples and vectorizes.
//! - Transcendental functions come from `libm`, so a run is bit-identical natively and in wasm.

use crate::data::Dataset;
use crate::error::ConfigError;
use serde::{Deserialize, Serialize};

/// Largest accepted input dimension, width and output dimension (a safety bound for the UI).
pub const MAX_DIM: usize = 4096;

/// The loss ℓ(f, y).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Loss {
    /// ½(f − y)², averaged over samples.
    #[default]
    #[serde(rename = "mse")]
    HalfMse,
    /// Binary cross-entropy on logits, log(1 + e^f) − y f, averaged over samples.
    Bce,
}

/// Shape of a two-layer ReLU network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Architecture {
    /// Input dimension d.
    pub d: usize,
    /// Hidden width l.
    pub l: usize,
    /// Output dimension e.
    pub e: usize,
    /// Hidden bias b_k (enters c_k).
    #[serde(default)]
    pub hidden_bias: bool,
    /// Output bias (enters no conserved quantity). Off by default.
    #[serde(default)]
    pub output_bias: bool,
    /// The loss.
    #[serde(default)]
    pub loss: Loss,
}

impl Architecture {
    /// A network without biases and with the ½·MSE loss.
    pub fn new(d: usize, l: usize, e: usize) -> Self {
        Self {
            d,
            l,
            e,
            hidden_bias: false,
            output_bias: false,
            loss: Loss::HalfMse,
        }
    }

    /// Checks every dimension.
    ///
    /// # Errors
    /// [`ConfigError::Dimension`] when d, l or e is 0 or above [`MAX_DIM`].
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (name, value) in [("d", self.d), ("l", self.l), ("e", self.e)] {
            if value == 0 || value > MAX_DIM {
                return Err(ConfigError::Dimension {
                    name,
                    value,
                    max: MAX_DIM,
                });
            }
        }
        Ok(())
    }

    /// Length of w_k: d, or d + 1 with a hidden bias.
    pub fn input_dim(&self) -> usize {
        self.d + usize::from(self.hidden_bias)
    }

    /// Number of parameters in θ.
    pub fn n_params(&self) -> usize {
        self.l * self.input_dim() + self.l * self.e + if self.output_bias { self.e } else { 0 }
    }

    /// Offset of V in θ.
    pub fn v_offset(&self) -> usize {
        self.l * self.input_dim()
    }

    /// Offset of the output bias in θ (equal to the length of θ without it).
    pub fn output_bias_offset(&self) -> usize {
        self.v_offset() + self.l * self.e
    }
}

/// A network: its architecture and its flat parameter vector θ.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    arch: Architecture,
    params: Vec<f64>,
}

impl Network {
    /// A network with explicit parameter values in the layout of the module header.
    ///
    /// # Errors
    /// [`ConfigError`] when the architecture is invalid, the length is wrong or a value is not finite.
    pub fn from_params(arch: Architecture, params: Vec<f64>) -> Result<Self, ConfigError> {
        arch.validate()?;
        if params.len() != arch.n_params() {
            return Err(ConfigError::Mismatch(format!(
                "expected {} parameters for d = {}, l = {}, e = {}, got {}",
                arch.n_params(),
                arch.d,
                arch.l,
                arch.e,
                params.len()
            )));
        }
        if let Some(bad) = params.iter().find(|p| !p.is_finite()) {
            return Err(ConfigError::OutOfRange {
                name: "parameter",
                value: *bad,
                range: "a finite number",
            });
        }
        Ok(Self { arch, params })
    }

    /// The architecture.
    pub fn arch(&self) -> &Architecture {
        &self.arch
    }

    /// θ, in the layout of the module header.
    pub fn params(&self) -> &[f64] {
        &self.params
    }

    /// θ, mutable (used by integrators and initializers).
    pub fn params_mut(&mut self) -> &mut [f64] {
        &mut self.params
    }

    /// Input weights w_k (with the bias last when enabled).
    pub fn w(&self, k: usize) -> &[f64] {
        let m = self.arch.input_dim();
        &self.params[k * m..(k + 1) * m]
    }

    /// Output weights v_k.
    pub fn v(&self, k: usize) -> &[f64] {
        let o = self.arch.v_offset() + k * self.arch.e;
        &self.params[o..o + self.arch.e]
    }

    /// Mutable (w_k, v_k).
    pub fn neuron_mut(&mut self, k: usize) -> (&mut [f64], &mut [f64]) {
        let m = self.arch.input_dim();
        let e = self.arch.e;
        let (ws, rest) = self.params.split_at_mut(self.arch.v_offset());
        (&mut ws[k * m..(k + 1) * m], &mut rest[k * e..(k + 1) * e])
    }

    /// The conserved quantities c_k = ‖w_k‖² − ‖v_k‖² (bias included in w_k).
    pub fn conserved_quantities(&self) -> Vec<f64> {
        let mut c = vec![0.0; self.arch.l];
        conserved_quantities_into(&self.arch, &self.params, &mut c);
        c
    }

    /// f(x; θ) for one input x ∈ R^d.
    ///
    /// # Panics
    /// If `x.len() != d`.
    pub fn predict(&self, x: &[f64]) -> Vec<f64> {
        assert_eq!(x.len(), self.arch.d, "input of the wrong dimension");
        let a = &self.arch;
        let mut out = if a.output_bias {
            self.params[a.output_bias_offset()..].to_vec()
        } else {
            vec![0.0; a.e]
        };
        for k in 0..a.l {
            let w = self.w(k);
            let mut z: f64 = w[..a.d].iter().zip(x).map(|(wi, xi)| wi * xi).sum();
            if a.hidden_bias {
                z += w[a.d];
            }
            let h = relu(z);
            for (o, vk) in out.iter_mut().zip(self.v(k)) {
                *o += vk * h;
            }
        }
        out
    }
}

/// c_k = ‖w_k‖² − ‖v_k‖² of a flat θ, written into `c` (length l).
pub fn conserved_quantities_into(arch: &Architecture, params: &[f64], c: &mut [f64]) {
    let m = arch.input_dim();
    let vo = arch.v_offset();
    for (k, ck) in c.iter_mut().enumerate() {
        let w = &params[k * m..(k + 1) * m];
        let v = &params[vo + k * arch.e..vo + (k + 1) * arch.e];
        *ck = norm_sq(w) - norm_sq(v);
    }
}

/// σ(z) = max(z, 0).
#[inline]
pub fn relu(z: f64) -> f64 {
    if z > 0.0 { z } else { 0.0 }
}

/// ‖a‖².
#[inline]
pub fn norm_sq(a: &[f64]) -> f64 {
    dot(a, a)
}

/// Σ a_i b_i with four interleaved accumulators (vectorizes; the summation order is fixed, so
/// the result is the same on every platform).
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 4];
    let mut ca = a.chunks_exact(4);
    let mut cb = b.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        acc[0] += x[0] * y[0];
        acc[1] += x[1] * y[1];
        acc[2] += x[2] * y[2];
        acc[3] += x[3] * y[3];
    }
    let mut tail = 0.0;
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        tail += x * y;
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Σ a_i with four interleaved accumulators.
#[inline]
fn sum(a: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let mut ca = a.chunks_exact(4);
    for x in &mut ca {
        acc[0] += x[0];
        acc[1] += x[1];
        acc[2] += x[2];
        acc[3] += x[3];
    }
    let tail: f64 = ca.remainder().iter().sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// log(1 + e^f), computed without overflow.
#[inline]
pub fn softplus(f: f64) -> f64 {
    f.max(0.0) + libm::log1p(libm::exp(-f.abs()))
}

/// 1 / (1 + e^{−f}), computed without overflow.
#[inline]
pub fn sigmoid(f: f64) -> f64 {
    if f >= 0.0 {
        1.0 / (1.0 + libm::exp(-f))
    } else {
        let t = libm::exp(f);
        t / (1.0 + t)
    }
}

/// (log(1 + e^f), 1 / (1 + e^{−f})) from a single exponential, without overflow.
#[inline]
pub fn softplus_and_sigmoid(f: f64) -> (f64, f64) {
    let t = libm::exp(-f.abs());
    let sp = f.max(0.0) + libm::log1p(t);
    let sg = if f >= 0.0 {
        1.0 / (1.0 + t)
    } else {
        t / (1.0 + t)
    };
    (sp, sg)
}

/// A data set laid out for the gradient code: feature-major inputs (with a row of ones when the
/// network has a hidden bias) and output-major targets.
#[derive(Debug, Clone)]
pub struct Batch {
    n: usize,
    input_dim: usize,
    /// input_dim × n, row j = coordinate j of every sample.
    xt: Vec<f64>,
    /// e × n.
    yt: Vec<f64>,
}

impl Batch {
    /// Lays `data` out for `arch`.
    ///
    /// # Errors
    /// [`ConfigError::Mismatch`] when the dimensions disagree or the data set is empty;
    /// [`ConfigError::OutOfRange`] for BCE targets outside [0, 1].
    pub fn new(arch: &Architecture, data: &Dataset) -> Result<Self, ConfigError> {
        arch.validate()?;
        if data.d != arch.d || data.e != arch.e {
            return Err(ConfigError::Mismatch(format!(
                "data have d = {}, e = {} but the network has d = {}, e = {}",
                data.d, data.e, arch.d, arch.e
            )));
        }
        if data.n == 0 {
            return Err(ConfigError::Mismatch("the data set is empty".into()));
        }
        if arch.loss == Loss::Bce
            && let Some(bad) = data.y.iter().find(|y| !(0.0..=1.0).contains(*y))
        {
            return Err(ConfigError::OutOfRange {
                name: "BCE target",
                value: *bad,
                range: "between 0 and 1",
            });
        }
        let n = data.n;
        let m = arch.input_dim();
        let mut xt = vec![1.0; m * n];
        for i in 0..n {
            for j in 0..data.d {
                xt[j * n + i] = data.x[i * data.d + j];
            }
        }
        let mut yt = vec![0.0; data.e * n];
        for i in 0..n {
            for o in 0..data.e {
                yt[o * n + i] = data.y[i * data.e + o];
            }
        }
        Ok(Self {
            n,
            input_dim: m,
            xt,
            yt,
        })
    }

    /// Number of samples.
    pub fn n(&self) -> usize {
        self.n
    }
}

/// Buffers reused by every gradient evaluation, so a step allocates nothing.
#[derive(Debug, Clone)]
pub struct Scratch {
    /// l × n pre-activations, then the back-propagated signals.
    z: Vec<f64>,
    /// e × n outputs, then dL/df.
    f: Vec<f64>,
}

impl Scratch {
    /// Buffers sized for `arch` and `batch`.
    pub fn new(arch: &Architecture, batch: &Batch) -> Self {
        Self {
            z: vec![0.0; arch.l * batch.n],
            f: vec![0.0; arch.e * batch.n],
        }
    }
}

/// Computes L(θ) and writes ∇L(θ) into `grad` (same layout as θ). Allocates nothing.
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
    let loss = forward(arch, params, batch, scratch);
    backward(arch, params, batch, scratch, grad);
    loss
}

/// L(θ) alone. Allocates nothing.
///
/// # Panics
/// As [`loss_and_gradient`].
pub fn loss(arch: &Architecture, params: &[f64], batch: &Batch, scratch: &mut Scratch) -> f64 {
    forward(arch, params, batch, scratch)
}

/// Samples processed together by the register-blocked kernels.
const LANES: usize = 8;
/// Input coordinates processed together by the weight-gradient kernel.
const FEATURES: usize = 4;

/// Forward pass: fills `scratch.z` with pre-activations, `scratch.f` with dL/df and returns L.
///
/// Pre-activations are accumulated over the input coordinates in registers, [`LANES`] samples at a
/// time, so each input value is loaded once per neuron and z is written once.
fn forward(arch: &Architecture, params: &[f64], batch: &Batch, scratch: &mut Scratch) -> f64 {
    let n = batch.n;
    let m = batch.input_dim;
    let e = arch.e;
    assert_eq!(m, arch.input_dim());
    assert_eq!(params.len(), arch.n_params());
    let vo = arch.v_offset();
    let f = &mut scratch.f[..e * n];
    if arch.output_bias {
        let bo = arch.output_bias_offset();
        for o in 0..e {
            f[o * n..(o + 1) * n].fill(params[bo + o]);
        }
    } else {
        f.fill(0.0);
    }
    let xt = &batch.xt[..m * n];
    let blocks = n / LANES * LANES;
    for k in 0..arch.l {
        let w = &params[k * m..(k + 1) * m];
        let vk = &params[vo + k * e..vo + (k + 1) * e];
        let z = &mut scratch.z[k * n..(k + 1) * n];
        for (b, i0) in (0..blocks).step_by(LANES).enumerate() {
            let mut acc = [0.0f64; LANES];
            for (wj, row) in w.iter().zip(xt.chunks_exact(n)) {
                let x = &row.as_chunks::<LANES>().0[b];
                for t in 0..LANES {
                    acc[t] += wj * x[t];
                }
            }
            z[i0..i0 + LANES].copy_from_slice(&acc);
            for (o, vko) in vk.iter().enumerate() {
                let fo = &mut f[o * n + i0..o * n + i0 + LANES];
                for t in 0..LANES {
                    fo[t] += vko * relu(acc[t]);
                }
            }
        }
        for i in blocks..n {
            let mut acc = 0.0;
            for (j, wj) in w.iter().enumerate() {
                acc += wj * xt[j * n + i];
            }
            z[i] = acc;
            for (o, vko) in vk.iter().enumerate() {
                f[o * n + i] += vko * relu(acc);
            }
        }
    }
    // Loss, and dL/df written over f, in one pass per output.
    let inv_n = 1.0 / n as f64;
    let mut total = 0.0;
    for o in 0..e {
        let fo = &mut f[o * n..(o + 1) * n];
        let yo = &batch.yt[o * n..(o + 1) * n];
        let mut acc = [0.0f64; 4];
        let mut fc = fo.chunks_exact_mut(4);
        let mut yc = yo.chunks_exact(4);
        let mut tail = 0.0;
        match arch.loss {
            Loss::HalfMse => {
                for (fs, ys) in (&mut fc).zip(&mut yc) {
                    for t in 0..4 {
                        let r = fs[t] - ys[t];
                        acc[t] += r * r;
                        fs[t] = r * inv_n;
                    }
                }
                for (fi, yi) in fc.into_remainder().iter_mut().zip(yc.remainder()) {
                    let r = *fi - yi;
                    tail += r * r;
                    *fi = r * inv_n;
                }
                total += 0.5 * ((acc[0] + acc[1]) + (acc[2] + acc[3]) + tail);
            }
            Loss::Bce => {
                for (fs, ys) in (&mut fc).zip(&mut yc) {
                    for t in 0..4 {
                        let (sp, sg) = softplus_and_sigmoid(fs[t]);
                        acc[t] += sp - ys[t] * fs[t];
                        fs[t] = (sg - ys[t]) * inv_n;
                    }
                }
                for (fi, yi) in fc.into_remainder().iter_mut().zip(yc.remainder()) {
                    let (sp, sg) = softplus_and_sigmoid(*fi);
                    tail += sp - yi * *fi;
                    *fi = (sg - yi) * inv_n;
                }
                total += (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail;
            }
        }
    }
    total * inv_n
}

/// Backward pass from the state left by [`forward`].
fn backward(
    arch: &Architecture,
    params: &[f64],
    batch: &Batch,
    scratch: &mut Scratch,
    grad: &mut [f64],
) {
    let n = batch.n;
    let m = batch.input_dim;
    let e = arch.e;
    assert_eq!(grad.len(), params.len());
    let vo = arch.v_offset();
    let g = &scratch.f[..e * n];
    let xt = &batch.xt[..m * n];
    for k in 0..arch.l {
        let z = &mut scratch.z[k * n..(k + 1) * n];
        let vk = &params[vo + k * e..vo + (k + 1) * e];
        // One pass: ∂L/∂v_ko = Σ_i g_o(i) σ(z_k(i)), and z overwritten by the back-propagated
        // signal s_k(i) = σ'(z_k(i)) Σ_o g_o(i) v_ko (σ'(0) = 0).
        if e == 1 {
            let mut acc = [0.0f64; 4];
            let mut zc = z.chunks_exact_mut(4);
            let mut gc = g.chunks_exact(4);
            for (zs, gs) in (&mut zc).zip(&mut gc) {
                for t in 0..4 {
                    let h = relu(zs[t]);
                    acc[t] += gs[t] * h;
                    zs[t] = if h > 0.0 { vk[0] * gs[t] } else { 0.0 };
                }
            }
            let mut tail = 0.0;
            for (zi, gi) in zc.into_remainder().iter_mut().zip(gc.remainder()) {
                let h = relu(*zi);
                tail += gi * h;
                *zi = if h > 0.0 { vk[0] * gi } else { 0.0 };
            }
            grad[vo + k] = (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail;
        } else {
            for zi in z.iter_mut() {
                *zi = relu(*zi);
            }
            for o in 0..e {
                grad[vo + k * e + o] = dot(&g[o * n..(o + 1) * n], z);
            }
            for (i, zi) in z.iter_mut().enumerate() {
                *zi = if *zi > 0.0 {
                    vk.iter()
                        .enumerate()
                        .map(|(o, vko)| vko * g[o * n + i])
                        .sum()
                } else {
                    0.0
                };
            }
        }
        weight_gradient(z, xt, n, m, &mut grad[k * m..(k + 1) * m]);
    }
    if arch.output_bias {
        let bo = arch.output_bias_offset();
        for o in 0..e {
            grad[bo + o] = sum(&g[o * n..(o + 1) * n]);
        }
    }
}

/// ∂L/∂w_kj = Σ_i s(i) x_j(i) for every j, [`FEATURES`] coordinates at a time so that each
/// s(i) is loaded once per group.
fn weight_gradient(s: &[f64], xt: &[f64], n: usize, m: usize, out: &mut [f64]) {
    let groups = m / FEATURES * FEATURES;
    let (s_chunks, s_tail) = s[..n].as_chunks::<4>();
    let chunks = s_chunks.len() * 4;
    for j0 in (0..groups).step_by(FEATURES) {
        let rows: [&[f64]; FEATURES] = std::array::from_fn(|a| &xt[(j0 + a) * n..(j0 + a + 1) * n]);
        let x_chunks: [&[[f64; 4]]; FEATURES] = std::array::from_fn(|a| rows[a].as_chunks::<4>().0);
        let mut acc = [[0.0f64; 4]; FEATURES];
        for (c, sv) in s_chunks.iter().enumerate() {
            for (acc_j, xj) in acc.iter_mut().zip(&x_chunks) {
                let x = &xj[c];
                for t in 0..4 {
                    acc_j[t] += sv[t] * x[t];
                }
            }
        }
        for ((acc_j, row), slot) in acc.iter().zip(&rows).zip(&mut out[j0..j0 + FEATURES]) {
            let tail: f64 = s_tail.iter().zip(&row[chunks..]).map(|(a, b)| a * b).sum();
            *slot = (acc_j[0] + acc_j[1]) + (acc_j[2] + acc_j[3]) + tail;
        }
    }
    for j in groups..m {
        out[j] = dot(s, &xt[j * n..(j + 1) * n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fused_bce_terms_match_their_definitions() {
        for f in [-800.0, -30.0, -1.5, -1e-9, 0.0, 1e-9, 0.7, 25.0, 800.0] {
            let (sp, sg) = softplus_and_sigmoid(f);
            assert!((sp - softplus(f)).abs() <= 1e-15 * (1.0 + sp.abs()), "{f}");
            assert!((sg - sigmoid(f)).abs() <= 1e-16, "{f}");
            assert!(sp.is_finite() && (0.0..=1.0).contains(&sg));
        }
    }
}
