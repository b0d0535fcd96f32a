//! The loss-and-gradient kernels of relu-obstruction's two-layer ReLU network
//! f(x; θ) = Σ_k v_k σ(w_k · x) (+ an optional output bias), fast and bit for bit equal to the
//! plain per-sample reference `relu_obstruction::core::network::loss_and_gradient`, which defines
//! the arithmetic (the tests in `tests/kernels.rs` of that crate compare them bit for bit).
//!
//! # The arithmetic every kernel keeps
//! - θ is laid out as in `core::network`: W (l × m, row k = w_k), V (l × e), then the output
//!   bias (e values) when enabled. m counts a hidden bias as one more input coordinate equal to 1.
//! - z_k(i) = Σ_j w_kj x_j(i), summed over j in increasing order from 0.
//! - f_o(i) = b_o (or 0) + Σ_k v_ko σ(z_k(i)), the neurons added in increasing k.
//! - g_o(i) = ∂L/∂f_o(i): (f − y)/n for ½·MSE, (sigmoid(f) − y)/n for BCE on logits.
//! - s_k(i) = σ'(z_k(i)) Σ_o v_ko g_o(i) (σ'(0) = 0), the outputs added in increasing o.
//! - Every sum over the samples (the loss, ∂L/∂W, ∂L/∂V, ∂L/∂b) has five partial sums
//!   ([`LANE_SUMS`]): sample i of the first 4⌊n/4⌋ goes to partial i mod 4, the others to the
//!   tail, each partial in increasing i from 0; the total is (p₀ + p₁) + (p₂ + p₃) + tail.
//! - No fused multiply-add; `exp` and `log1p` come from `libm`. So the bits are the same natively
//!   and in wasm, and the same whatever the blocking of a kernel.
//!
//! # The kernels
//! - [`fused`]: e = 1 and a network small enough to live in registers (the Fig. 3 shape, l = 2,
//!   m = 2): one pass over the samples per half of each chunk of four, two samples per vector,
//!   nothing written per sample.
//! - [`blocked`]: every other shape. The forward pass in blocks of neurons × samples, which also
//!   lists the active units (z_k(i) > 0); the backward pass visits only those.

mod blocked;
mod fused;
mod lanes;

/// Sums over the samples keep this many partial sums: four interleaved lanes and a tail.
pub const LANE_SUMS: usize = 5;

/// Which partial sum sample `i` of `n` goes to (see the crate's header).
#[inline]
pub fn lane_of(i: usize, n: usize) -> usize {
    if i < n / 4 * 4 { i % 4 } else { 4 }
}

/// (p₀ + p₁) + (p₂ + p₃) + tail: the total of the [`LANE_SUMS`] partial sums.
#[inline]
pub fn lane_total(p: &[f64; LANE_SUMS]) -> f64 {
    (p[0] + p[1]) + (p[2] + p[3]) + p[4]
}

/// σ(z) = max(z, 0) (0 for NaN).
#[inline]
pub fn relu(z: f64) -> f64 {
    if z > 0.0 { z } else { 0.0 }
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

/// The loss term ℓ(f, y) (½ left out for MSE: it multiplies the sum) and ∂ℓ/∂f divided by n.
#[inline]
pub fn loss_term(bce: bool, f: f64, y: f64, inv_n: f64) -> (f64, f64) {
    if bce {
        let (sp, sg) = softplus_and_sigmoid(f);
        (sp - y * f, (sg - y) * inv_n)
    } else {
        let r = f - y;
        (r * r, r * inv_n)
    }
}

/// The share of output o in n·L from the total of its loss terms (½ of it for MSE). L is
/// Σ_o of these, added in increasing o from 0, times 1/n.
#[inline]
pub fn loss_share(bce: bool, total: f64) -> f64 {
    if bce { total } else { 0.5 * total }
}

/// The shape of the network the kernels evaluate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Hidden width l.
    pub l: usize,
    /// Length of w_k (the input dimension, plus one with a hidden bias).
    pub m: usize,
    /// Output dimension e.
    pub e: usize,
    /// Whether θ ends with an output bias.
    pub output_bias: bool,
    /// Binary cross-entropy on logits (else ½·MSE).
    pub bce: bool,
}

impl Shape {
    /// Number of parameters in θ.
    pub fn n_params(&self) -> usize {
        self.l * self.m + self.l * self.e + if self.output_bias { self.e } else { 0 }
    }

    /// Offset of V in θ.
    pub fn v_offset(&self) -> usize {
        self.l * self.m
    }

    /// Offset of the output bias in θ.
    pub fn output_bias_offset(&self) -> usize {
        self.v_offset() + self.l * self.e
    }
}

/// The samples in the layouts the kernels read: packed panels for the forward pass (for each
/// chunk of four samples, the m × 4 block of their coordinates, coordinate after coordinate, so the
/// forward kernels read memory in order), sample-major rows padded with zeros to an even length
/// (the weight gradient, and the samples after the last full chunk) and output-major targets.
#[derive(Debug, Clone)]
pub struct Samples {
    n: usize,
    m: usize,
    e: usize,
    stride: usize,
    xp: Vec<f64>,
    xr: Vec<f64>,
    yt: Vec<f64>,
}

impl Samples {
    /// n samples of m input coordinates x(i, j) and e targets y(i, o).
    pub fn new(
        n: usize,
        m: usize,
        e: usize,
        x: impl Fn(usize, usize) -> f64,
        y: impl Fn(usize, usize) -> f64,
    ) -> Self {
        let stride = m.div_ceil(2) * 2;
        let mut xp = vec![0.0; n / 4 * 4 * m];
        let mut xr = vec![0.0; stride * n];
        for i in 0..n {
            for j in 0..m {
                let v = x(i, j);
                if i < n / 4 * 4 {
                    xp[(i / 4 * m + j) * 4 + i % 4] = v;
                }
                xr[i * stride + j] = v;
            }
        }
        let mut yt = vec![0.0; e * n];
        for i in 0..n {
            for o in 0..e {
                yt[o * n + i] = y(i, o);
            }
        }
        Self {
            n,
            m,
            e,
            stride,
            xp,
            xr,
            yt,
        }
    }

    /// Number of samples.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of input coordinates (m).
    pub fn m(&self) -> usize {
        self.m
    }

    /// Number of targets per sample (e).
    pub fn e(&self) -> usize {
        self.e
    }

    /// The input coordinates of sample i.
    pub fn x(&self, i: usize) -> &[f64] {
        &self.xr[i * self.stride..i * self.stride + self.m]
    }

    /// Target o of sample i.
    pub fn y(&self, i: usize, o: usize) -> f64 {
        self.yt[o * self.n + i]
    }
}

/// Buffers reused by every evaluation, so a step allocates nothing.
#[derive(Debug, Clone)]
pub struct Scratch {
    blocked: blocked::Buffers,
}

impl Scratch {
    /// Buffers sized for `shape` and `samples`.
    pub fn new(shape: &Shape, samples: &Samples) -> Self {
        Self {
            blocked: blocked::Buffers::new(shape, samples),
        }
    }
}

fn check(shape: &Shape, params: &[f64], samples: &Samples) {
    assert_eq!(params.len(), shape.n_params(), "θ of the wrong length");
    assert!(
        samples.m == shape.m && samples.e == shape.e,
        "samples of the wrong shape"
    );
}

/// L(θ) and ∇L(θ) written into `grad` (the layout of θ). Allocates nothing.
///
/// # Panics
/// If `params`, `grad`, `samples` or `scratch` do not match `shape` (a programming error: the
/// trainer builds them together).
pub fn loss_and_gradient(
    shape: &Shape,
    params: &[f64],
    samples: &Samples,
    scratch: &mut Scratch,
    grad: &mut [f64],
) -> f64 {
    if shape.e == 1 && shape.l == 2 && shape.m == 2 {
        check(shape, params, samples);
        assert_eq!(grad.len(), params.len(), "gradient of the wrong length");
        return fused::loss_and_gradient::<2, 2>(shape, params, samples, grad);
    }
    blocked_loss_and_gradient(shape, params, samples, scratch, grad)
}

/// L(θ) alone. Allocates nothing.
///
/// # Panics
/// As [`loss_and_gradient`].
pub fn loss(shape: &Shape, params: &[f64], samples: &Samples, scratch: &mut Scratch) -> f64 {
    check(shape, params, samples);
    blocked::forward(shape, params, samples, &mut scratch.blocked)
}

/// The blocked kernels alone, whatever the shape (for the tests that compare them with the fused
/// kernel and the reference).
///
/// # Panics
/// As [`loss_and_gradient`].
pub fn blocked_loss_and_gradient(
    shape: &Shape,
    params: &[f64],
    samples: &Samples,
    scratch: &mut Scratch,
    grad: &mut [f64],
) -> f64 {
    check(shape, params, samples);
    assert_eq!(grad.len(), params.len(), "gradient of the wrong length");
    blocked::loss_and_gradient(shape, params, samples, &mut scratch.blocked, grad)
}
