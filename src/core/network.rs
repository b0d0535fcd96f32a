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
//! - [`loss_and_gradient`] is the plain per-sample reference: it defines the arithmetic (the
//!   order of every sum) that the fast kernels of the `relu-kernels` crate ([`crate::core::kernel`])
//!   reproduce bit for bit. Transcendental functions come from `libm` and nothing uses a fused
//!   multiply-add, so a run is bit-identical natively and in wasm.

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

pub use relu_kernels::{relu, softplus_and_sigmoid};

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

/// A data set laid out for the gradient code (every layout the kernels read; see
/// [`relu_kernels::Samples`]), with a coordinate of ones appended when the network has a hidden
/// bias.
#[derive(Debug, Clone)]
pub struct Batch {
    samples: relu_kernels::Samples,
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
        let (d, e) = (data.d, data.e);
        let samples = relu_kernels::Samples::new(
            data.n,
            arch.input_dim(),
            e,
            |i, j| if j < d { data.x[i * d + j] } else { 1.0 },
            |i, o| data.y[i * e + o],
        );
        Ok(Self { samples })
    }

    /// Number of samples.
    pub fn n(&self) -> usize {
        self.samples.n()
    }

    /// The samples in the kernels' layouts.
    pub fn samples(&self) -> &relu_kernels::Samples {
        &self.samples
    }
}

/// The shape of `arch` as the kernels see it.
pub fn kernel_shape(arch: &Architecture) -> relu_kernels::Shape {
    relu_kernels::Shape {
        l: arch.l,
        m: arch.input_dim(),
        e: arch.e,
        output_bias: arch.output_bias,
        bce: arch.loss == Loss::Bce,
    }
}

/// L(θ) and ∇L(θ) written into `grad` (the layout of θ): the plain per-sample reference.
///
/// One sample at a time: its pre-activations z_k = Σ_j w_kj x_j, its outputs
/// f_o = b_o + Σ_k v_ko σ(z_k), its loss term and g_o = ∂L/∂f_o, the signal
/// s_k = σ'(z_k) Σ_o v_ko g_o, and its terms of every gradient entry. Each sum over the samples is
/// kept in [`relu_kernels::LANE_SUMS`] partial sums (sample i of the first 4⌊n/4⌋ in partial
/// i mod 4, the rest in a tail) and totalled as (p₀ + p₁) + (p₂ + p₃) + tail: the fixed order
/// that lets the SIMD kernels (`relu-kernels`) reproduce this function bit for bit. It is slow
/// (it allocates, and it visits every unit); the trainers use [`crate::core::kernel`].
///
/// # Panics
/// If `params` or `grad` do not have the length of `arch`, or `batch` does not fit it.
pub fn loss_and_gradient(
    arch: &Architecture,
    params: &[f64],
    batch: &Batch,
    grad: &mut [f64],
) -> f64 {
    use relu_kernels::{LANE_SUMS, lane_of, lane_total, loss_share, loss_term};
    let samples = &batch.samples;
    let (l, m, e, n) = (arch.l, arch.input_dim(), arch.e, samples.n());
    assert_eq!(params.len(), arch.n_params());
    assert_eq!(grad.len(), params.len());
    assert!(samples.m() == m && samples.e() == e);
    let vo = arch.v_offset();
    let bo = arch.output_bias_offset();
    let inv_n = 1.0 / n as f64;
    let mut loss = vec![[0.0f64; LANE_SUMS]; e];
    let mut partial = vec![[0.0f64; LANE_SUMS]; params.len()];
    let mut z = vec![0.0; l];
    let mut g = vec![0.0; e];
    for i in 0..n {
        let x = samples.x(i);
        let r = lane_of(i, n);
        for k in 0..l {
            z[k] = 0.0;
            for j in 0..m {
                z[k] += params[k * m + j] * x[j];
            }
        }
        for o in 0..e {
            let mut f = if arch.output_bias {
                params[bo + o]
            } else {
                0.0
            };
            for k in 0..l {
                f += params[vo + k * e + o] * relu(z[k]);
            }
            let (term, g_o) = loss_term(arch.loss == Loss::Bce, f, samples.y(i, o), inv_n);
            loss[o][r] += term;
            g[o] = g_o;
        }
        for k in 0..l {
            for o in 0..e {
                partial[vo + k * e + o][r] += g[o] * relu(z[k]);
            }
            if z[k] > 0.0 {
                let mut s = 0.0;
                for o in 0..e {
                    s += params[vo + k * e + o] * g[o];
                }
                for j in 0..m {
                    partial[k * m + j][r] += s * x[j];
                }
            }
        }
        if arch.output_bias {
            for o in 0..e {
                partial[bo + o][r] += g[o];
            }
        }
    }
    for (out, p) in grad.iter_mut().zip(&partial) {
        *out = lane_total(p);
    }
    let mut sum = 0.0;
    for p in &loss {
        sum += loss_share(arch.loss == Loss::Bce, lane_total(p));
    }
    sum * inv_n
}
