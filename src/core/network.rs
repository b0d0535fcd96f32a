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

use crate::core::data::Dataset;
use crate::core::error::ConfigError;
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

/// Checks that `data` has rows and, for the BCE loss, targets in [0, 1].
///
/// # Errors
/// [`ConfigError::Mismatch`] for an empty data set; [`ConfigError::OutOfRange`] for a BCE target
/// outside [0, 1].
pub fn check_targets(arch: &Architecture, data: &Dataset) -> Result<(), ConfigError> {
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
    Ok(())
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
        check_targets(arch, data)?;
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
    /// The weights of one block of neurons, coordinate-major (input_dim entries).
    wt: Vec<[f64; NEURONS]>,
}

impl Scratch {
    /// Buffers sized for `arch` and `batch`.
    pub fn new(arch: &Architecture, batch: &Batch) -> Self {
        Self {
            z: vec![0.0; arch.l * batch.n],
            f: vec![0.0; arch.e * batch.n],
            wt: vec![[0.0; NEURONS]; batch.input_dim],
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
    assert_eq!(grad.len(), params.len());
    if arch.e == 1 && arch.l == 2 && batch.input_dim == 2 {
        // The Fig. 3 shape: one fused pass.
        return loss_and_gradient_fused::<2, 2>(arch, params, batch, grad);
    }
    let loss = forward(arch, params, batch, scratch);
    backward(arch, params, batch, scratch, grad);
    loss
}

/// [`forward`] and [`backward`] in one pass over the samples, for e = 1 and a network small
/// enough (L neurons, M input coordinates) to keep everything in registers: nothing is written
/// per sample. Every sum has the same lanes and order as in the two-pass kernels (4 interleaved
/// lanes over the samples, then the tail), so the result is the same to the last bit.
fn loss_and_gradient_fused<const L: usize, const M: usize>(
    arch: &Architecture,
    params: &[f64],
    batch: &Batch,
    grad: &mut [f64],
) -> f64 {
    let n = batch.n;
    assert!(arch.e == 1 && arch.l == L && batch.input_dim == M);
    assert_eq!(params.len(), arch.n_params());
    let vo = arch.v_offset();
    let w: [[f64; M]; L] = std::array::from_fn(|k| std::array::from_fn(|j| params[k * M + j]));
    let v: [f64; L] = std::array::from_fn(|k| params[vo + k]);
    let f0 = if arch.output_bias {
        params[arch.output_bias_offset()]
    } else {
        0.0
    };
    let bce = arch.loss == Loss::Bce;
    let inv_n = 1.0 / n as f64;
    let x_rows: [&[f64]; M] = std::array::from_fn(|j| &batch.xt[j * n..(j + 1) * n]);
    let y = &batch.yt[..n];
    // One sample: (loss term, dL/df, pre-activations).
    let sample = |i: usize| -> (f64, f64, [f64; L]) {
        let z: [f64; L] = std::array::from_fn(|k| {
            let mut acc = 0.0;
            for j in 0..M {
                acc += w[k][j] * x_rows[j][i];
            }
            acc
        });
        let mut f = f0;
        for k in 0..L {
            f += v[k] * relu(z[k]);
        }
        if bce {
            let (sp, sg) = softplus_and_sigmoid(f);
            (sp - y[i] * f, (sg - y[i]) * inv_n, z)
        } else {
            let r = f - y[i];
            (r * r, r * inv_n, z)
        }
    };
    let chunks = n / 4;
    let mut loss_acc = [0.0f64; 4];
    let mut gv_acc = [[0.0f64; 4]; L];
    let mut gw_acc = [[[0.0f64; 4]; M]; L];
    let mut bias_acc = [0.0f64; 4];
    for c in 0..chunks {
        for t in 0..4 {
            let i = 4 * c + t;
            let (l_i, g, z) = sample(i);
            loss_acc[t] += l_i;
            bias_acc[t] += g;
            for k in 0..L {
                let h = relu(z[k]);
                gv_acc[k][t] += g * h;
                let s = if h > 0.0 { v[k] * g } else { 0.0 };
                for j in 0..M {
                    gw_acc[k][j][t] += s * x_rows[j][i];
                }
            }
        }
    }
    let mut loss_tail = 0.0;
    let mut gv_tail = [0.0f64; L];
    let mut gw_tail = [[0.0f64; M]; L];
    let mut bias_tail = [0.0f64; 1];
    for i in 4 * chunks..n {
        let (l_i, g, z) = sample(i);
        loss_tail += l_i;
        bias_tail[0] += g;
        for k in 0..L {
            let h = relu(z[k]);
            gv_tail[k] += g * h;
            let s = if h > 0.0 { v[k] * g } else { 0.0 };
            for j in 0..M {
                gw_tail[k][j] += s * x_rows[j][i];
            }
        }
    }
    let total = |a: &[f64; 4], tail: f64| (a[0] + a[1]) + (a[2] + a[3]) + tail;
    for k in 0..L {
        for j in 0..M {
            grad[k * M + j] = total(&gw_acc[k][j], gw_tail[k][j]);
        }
        grad[vo + k] = total(&gv_acc[k], gv_tail[k]);
    }
    if arch.output_bias {
        grad[arch.output_bias_offset()] = total(&bias_acc, bias_tail[0]);
    }
    let sum = total(&loss_acc, loss_tail);
    if bce { sum * inv_n } else { 0.5 * sum * inv_n }
}

/// L(θ) alone. Allocates nothing.
///
/// # Panics
/// As [`loss_and_gradient`].
pub fn loss(arch: &Architecture, params: &[f64], batch: &Batch, scratch: &mut Scratch) -> f64 {
    forward(arch, params, batch, scratch)
}

/// Two f64 lanes: wasm SIMD (`simd128`, enabled for wasm32 in `.cargo/config.toml`) in the
/// browser, a pair of scalars elsewhere (which x86-64 compiles to SSE2). Only lane-wise multiply
/// and add, each rounded once as its scalar counterpart (no fused multiply-add), so a kernel
/// written with it gives the same bits on every platform as the scalar loop it replaces.
mod lanes {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    mod imp {
        use core::arch::wasm32::{
            f64x2, f64x2_add, f64x2_extract_lane, f64x2_mul, f64x2_splat, v128,
        };

        #[derive(Clone, Copy)]
        pub struct F64x2(v128);

        impl F64x2 {
            #[inline(always)]
            pub fn zero() -> Self {
                Self(f64x2_splat(0.0))
            }
            #[inline(always)]
            pub fn splat(x: f64) -> Self {
                Self(f64x2_splat(x))
            }
            #[inline(always)]
            pub fn load(x: &[f64; 2]) -> Self {
                Self(f64x2(x[0], x[1]))
            }
            /// self + a · b (two roundings per lane).
            #[inline(always)]
            pub fn add_mul(self, a: Self, b: Self) -> Self {
                Self(f64x2_add(self.0, f64x2_mul(a.0, b.0)))
            }
            #[inline(always)]
            pub fn lanes(self) -> [f64; 2] {
                [
                    f64x2_extract_lane::<0>(self.0),
                    f64x2_extract_lane::<1>(self.0),
                ]
            }
        }
    }

    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    mod imp {
        #[derive(Clone, Copy)]
        pub struct F64x2([f64; 2]);

        impl F64x2 {
            #[inline(always)]
            pub fn zero() -> Self {
                Self([0.0; 2])
            }
            #[inline(always)]
            pub fn splat(x: f64) -> Self {
                Self([x; 2])
            }
            #[inline(always)]
            pub fn load(x: &[f64; 2]) -> Self {
                Self(*x)
            }
            /// self + a · b (two roundings per lane).
            #[inline(always)]
            pub fn add_mul(self, a: Self, b: Self) -> Self {
                Self([self.0[0] + a.0[0] * b.0[0], self.0[1] + a.0[1] * b.0[1]])
            }
            #[inline(always)]
            pub fn lanes(self) -> [f64; 2] {
                self.0
            }
        }
    }

    pub use imp::F64x2;
}
use lanes::F64x2;

/// Samples processed together by the single-neuron forward kernel.
const LANES: usize = 8;
/// Neurons processed together by the blocked forward kernel (4 samples at a time).
const NEURONS: usize = 4;
/// Neurons processed together by the weight-gradient kernel.
const NEURONS_BW: usize = 2;
/// Input coordinates processed together by the weight-gradient kernel.
const FEATURES: usize = 2;

/// Forward pass: fills `scratch.z` with pre-activations, `scratch.f` with dL/df and returns L.
///
/// Pre-activations are accumulated over the input coordinates in registers, [`NEURONS`] neurons
/// × 4 samples at a time (then 2, then 1 neuron, 8 samples at a time, for the rest), so each
/// input value is loaded once per block of neurons and z is written once. Every z_k(i) is the
/// sum over j in increasing order and f(i) adds the neurons in increasing order, whatever the
/// blocking: the result does not depend on it.
fn forward(arch: &Architecture, params: &[f64], batch: &Batch, scratch: &mut Scratch) -> f64 {
    let n = batch.n;
    let m = batch.input_dim;
    let e = arch.e;
    assert_eq!(m, arch.input_dim());
    assert_eq!(params.len(), arch.n_params());
    let f = &mut scratch.f[..e * n];
    if arch.output_bias {
        let bo = arch.output_bias_offset();
        for o in 0..e {
            f[o * n..(o + 1) * n].fill(params[bo + o]);
        }
    } else {
        f.fill(0.0);
    }
    let mut k = 0;
    while k + NEURONS <= arch.l {
        forward_neurons::<NEURONS>(arch, params, batch, k, &mut scratch.z, f, &mut scratch.wt);
        k += NEURONS;
    }
    if k + 2 <= arch.l {
        forward_neurons::<2>(arch, params, batch, k, &mut scratch.z, f, &mut scratch.wt);
        k += 2;
    }
    if k < arch.l {
        forward_neuron(arch, params, batch, k, &mut scratch.z, f);
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

/// Pre-activations of neurons k0..k0 + NB, 4 samples at a time, and their terms of f.
fn forward_neurons<const NB: usize>(
    arch: &Architecture,
    params: &[f64],
    batch: &Batch,
    k0: usize,
    z: &mut [f64],
    f: &mut [f64],
    wt: &mut [[f64; NEURONS]],
) {
    let (n, m, e) = (batch.n, batch.input_dim, arch.e);
    let vo = arch.v_offset();
    // The block's weights, coordinate-major: wt[j][a] = w_{k0+a, j}.
    let wt = &mut wt[..m];
    for (j, wj) in wt.iter_mut().enumerate() {
        for a in 0..NB {
            wj[a] = params[(k0 + a) * m + j];
        }
    }
    let xt = &batch.xt[..m * n];
    let chunks = n / 4;
    for c in 0..chunks {
        let mut v = [[F64x2::zero(); 2]; NB];
        for (wj, row) in wt.iter().zip(xt.chunks_exact(n)) {
            let x = &row.as_chunks::<2>().0[2 * c..2 * c + 2];
            let (x0, x1) = (F64x2::load(&x[0]), F64x2::load(&x[1]));
            for a in 0..NB {
                let w = F64x2::splat(wj[a]);
                v[a][0] = v[a][0].add_mul(w, x0);
                v[a][1] = v[a][1].add_mul(w, x1);
            }
        }
        let acc: [[f64; 4]; NB] = std::array::from_fn(|a| {
            let (lo, hi) = (v[a][0].lanes(), v[a][1].lanes());
            [lo[0], lo[1], hi[0], hi[1]]
        });
        let i0 = 4 * c;
        for (a, acc_a) in acc.iter().enumerate() {
            let k = k0 + a;
            z[k * n + i0..k * n + i0 + 4].copy_from_slice(acc_a);
            for o in 0..e {
                let vko = params[vo + k * e + o];
                let fo = &mut f[o * n + i0..o * n + i0 + 4];
                for t in 0..4 {
                    fo[t] += vko * relu(acc_a[t]);
                }
            }
        }
    }
    for i in 4 * chunks..n {
        for a in 0..NB {
            let k = k0 + a;
            let mut acc = 0.0;
            for (j, wj) in wt.iter().enumerate() {
                acc += wj[a] * xt[j * n + i];
            }
            z[k * n + i] = acc;
            for o in 0..e {
                f[o * n + i] += params[vo + k * e + o] * relu(acc);
            }
        }
    }
}

/// Pre-activations of neuron k, [`LANES`] samples at a time, and its term of f.
fn forward_neuron(
    arch: &Architecture,
    params: &[f64],
    batch: &Batch,
    k: usize,
    z: &mut [f64],
    f: &mut [f64],
) {
    let (n, m, e) = (batch.n, batch.input_dim, arch.e);
    let vo = arch.v_offset();
    let xt = &batch.xt[..m * n];
    let blocks = n / LANES * LANES;
    let w = &params[k * m..(k + 1) * m];
    let vk = &params[vo + k * e..vo + (k + 1) * e];
    let z = &mut z[k * n..(k + 1) * n];
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
    }
    weight_gradients(&scratch.z, xt, n, arch.l, m, &mut grad[..arch.l * m]);
    if arch.output_bias {
        let bo = arch.output_bias_offset();
        for o in 0..e {
            grad[bo + o] = sum(&g[o * n..(o + 1) * n]);
        }
    }
}

/// ∂L/∂w_kj = Σ_i s_k(i) x_j(i) for every neuron k and coordinate j, for [`NEURONS_BW`]
/// neurons × [`FEATURES`] coordinates at a time, so that each s_k(i) and x_j(i) is loaded once per
/// block. `s` holds the l back-propagated signals (rows of n). Every entry is summed exactly as
/// [`dot`] sums it (4 interleaved lanes, then the tail), whatever the blocking.
fn weight_gradients(s: &[f64], xt: &[f64], n: usize, l: usize, m: usize, grad_w: &mut [f64]) {
    let mut k = 0;
    while k + NEURONS_BW <= l {
        weight_gradient_rows::<NEURONS_BW>(s, xt, n, m, k, grad_w);
        k += NEURONS_BW;
    }
    while k < l {
        weight_gradient_rows::<1>(s, xt, n, m, k, grad_w);
        k += 1;
    }
}

/// [`weight_gradients`] of neurons k0..k0 + NK.
fn weight_gradient_rows<const NK: usize>(
    s: &[f64],
    xt: &[f64],
    n: usize,
    m: usize,
    k0: usize,
    grad_w: &mut [f64],
) {
    let s_rows: [&[f64]; NK] = std::array::from_fn(|a| &s[(k0 + a) * n..(k0 + a + 1) * n]);
    let mut j = 0;
    while j + FEATURES <= m {
        let x_rows: [&[f64]; FEATURES] = std::array::from_fn(|b| &xt[(j + b) * n..(j + b + 1) * n]);
        let block = dot_block(s_rows, x_rows);
        for (a, row) in block.iter().enumerate() {
            grad_w[(k0 + a) * m + j..(k0 + a) * m + j + FEATURES].copy_from_slice(row);
        }
        j += FEATURES;
    }
    while j < m {
        let block = dot_block(s_rows, [&xt[j * n..(j + 1) * n]]);
        for (a, row) in block.iter().enumerate() {
            grad_w[(k0 + a) * m + j] = row[0];
        }
        j += 1;
    }
}

/// [`dot`]`(a[p], b[q])` for every (p, q), reading each chunk of 4 values once.
#[inline]
fn dot_block<const P: usize, const Q: usize>(a: [&[f64]; P], b: [&[f64]; Q]) -> [[f64; Q]; P] {
    let n = a[0].len();
    let chunks = n / 4;
    let a_ch: [&[[f64; 2]]; P] =
        std::array::from_fn(|p| &a[p][..n].as_chunks::<2>().0[..2 * chunks]);
    let b_ch: [&[[f64; 2]]; Q] =
        std::array::from_fn(|q| &b[q][..n].as_chunks::<2>().0[..2 * chunks]);
    // acc[p][q][h]: lanes 2h and 2h + 1 of the 4 interleaved sums of `dot`.
    let mut acc = [[[F64x2::zero(); 2]; Q]; P];
    for c in 0..chunks {
        let av: [[F64x2; 2]; P] = std::array::from_fn(|p| {
            [
                F64x2::load(&a_ch[p][2 * c]),
                F64x2::load(&a_ch[p][2 * c + 1]),
            ]
        });
        let bv: [[F64x2; 2]; Q] = std::array::from_fn(|q| {
            [
                F64x2::load(&b_ch[q][2 * c]),
                F64x2::load(&b_ch[q][2 * c + 1]),
            ]
        });
        for p in 0..P {
            for q in 0..Q {
                for h in 0..2 {
                    acc[p][q][h] = acc[p][q][h].add_mul(av[p][h], bv[q][h]);
                }
            }
        }
    }
    std::array::from_fn(|p| {
        std::array::from_fn(|q| {
            let mut tail = 0.0;
            for (x, y) in a[p][4 * chunks..n].iter().zip(&b[q][4 * chunks..n]) {
                tail += x * y;
            }
            let (lo, hi) = (acc[p][q][0].lanes(), acc[p][q][1].lanes());
            (lo[0] + lo[1]) + (hi[0] + hi[1]) + tail
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fused_fig3_kernel_equals_the_two_pass_kernels_bit_for_bit() {
        // n = 203 leaves a tail of 3 samples; both losses, with and without an output bias.
        let n = 203;
        let mut u = 0.37f64;
        let mut next = || {
            u = (u * 7919.0 + 0.123).fract();
            2.0 * u - 1.0
        };
        for loss in [Loss::HalfMse, Loss::Bce] {
            for output_bias in [false, true] {
                let arch = Architecture {
                    output_bias,
                    loss,
                    ..Architecture::new(2, 2, 1)
                };
                let x: Vec<f64> = (0..2 * n).map(|_| next()).collect();
                let y: Vec<f64> = (0..n)
                    .map(|_| {
                        if loss == Loss::Bce {
                            f64::from(next() > 0.0)
                        } else {
                            next()
                        }
                    })
                    .collect();
                let data = Dataset::new(2, 1, x, y).expect("a data set");
                let batch = Batch::new(&arch, &data).expect("a batch");
                let params: Vec<f64> = (0..arch.n_params()).map(|_| next()).collect();
                let mut scratch = Scratch::new(&arch, &batch);
                let mut g_two_pass = vec![0.0; params.len()];
                let l_two_pass = forward(&arch, &params, &batch, &mut scratch);
                backward(&arch, &params, &batch, &mut scratch, &mut g_two_pass);
                let mut g_fused = vec![0.0; params.len()];
                let l_fused = loss_and_gradient_fused::<2, 2>(&arch, &params, &batch, &mut g_fused);
                assert_eq!(
                    l_fused.to_bits(),
                    l_two_pass.to_bits(),
                    "{loss:?} {output_bias}"
                );
                let bits = |g: &[f64]| g.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&g_fused), bits(&g_two_pass), "{loss:?} {output_bias}");
            }
        }
    }

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
