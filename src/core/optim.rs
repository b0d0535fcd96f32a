//! The lab's training dynamics: the optimizers people use (gradient descent, mini-batch SGD,
//! heavy-ball momentum, Adam/AdamW), each with weight decay, on the two-layer network with a choice
//! of activation (ReLU, leaky ReLU, softplus), and what each does to the conserved quantities c_k.
//!
//! # Conventions
//! - The network and its parameter layout are those of [`crate::core::network`]:
//!   f(x) = Σ_k v_k σ(w_k · x + b_k) (+ b_out), θ = (W with each bias last in its row, V, b_out).
//! - σ is ReLU (σ'(0) = 0), leaky ReLU σ(z) = max(z, a·z) with slope a ∈ [0, 1) (σ'(z) = 1 for
//!   z > 0, a otherwise), or softplus log(1 + e^z) with σ' the logistic function. ReLU and leaky
//!   ReLU are positively homogeneous, so the flow conserves c_k; softplus is not.
//! - The loss of a step is the network module's over the rows B the step uses (every row, or one
//!   mini-batch): (1/|B|) Σ_{i∈B} ℓ(f(x_i), y_i), ℓ = ½(f − y)² or the BCE on logits.
//! - Weight decay λ adds the gradient of λ/2 ‖θ‖² (every parameter, biases included) for GD, SGD
//!   and momentum; Adam takes AdamW's decoupled form, θ ← (1 − ηλ)θ before its own update.
//! - Updates, with g the gradient (decay included where coupled):
//!   GD and SGD θ ← θ − η g; momentum (heavy ball, in PyTorch's form) m ← β m + g, θ ← θ − η m;
//!   Adam m ← β₁ m + (1 − β₁) g, s ← β₂ s + (1 − β₂) g², θ ← θ − η m̂ / (√ŝ + ε) with
//!   m̂ = m / (1 − β₁^t), ŝ = s / (1 − β₂^t) at step t = 1, 2, ….
//! - Gradient descent may instead integrate the gradient flow dθ/dt = −∇L − λθ over time η per
//!   step (the adaptive integrator of [`crate::core::train`]), or take a GD step and rescale every
//!   neuron back onto its initial quadric (the conserving integrator).
//! - Mini-batches: epoch r (r = 0, 1, …) is a permutation of the rows drawn from stream r + 1 of
//!   the seed, cut into batches of B rows (the last one shorter).
//! - Work is counted in rows: [`LabTrainer::work`] may stop in the middle of a step and go on at
//!   the next call. The gradient is summed row by row in a fixed order, so a run is the same to
//!   the last bit however its work is split; nothing here reads a clock.
//! - An *escape* is a step after which a pathological neuron (c_k(0) < 0 with e = 1) has an output
//!   weight of the other sign than at the start: impossible under the flow with a homogeneous
//!   activation, possible once c_k is not conserved.

use std::sync::Arc;

use crate::core::data::Dataset;
use crate::core::error::{ConfigError, TrainError};
use crate::core::init::rescale_neuron;
use crate::core::network::{
    Architecture, Loss, Network, check_targets, conserved_quantities_into, softplus,
    softplus_and_sigmoid,
};
use crate::core::rng::seeded_stream;
use crate::core::train::{FlowState, Integrator, validate_lr};
use rand::RngExt;
use serde::Serialize;

/// Largest weight decay λ accepted.
pub const MAX_WEIGHT_DECAY: f64 = 100.0;
/// Largest work of one gradient evaluation (rows × parameters) for which the flow integrator is
/// offered: it evaluates the gradient at least six times a step and cannot stop mid-step.
pub const FLOW_MAX_WORK: u64 = 4_000_000;

/// The hidden activation σ.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Activation {
    /// max(z, 0), σ'(0) = 0: the paper's.
    #[default]
    Relu,
    /// max(z, a·z) with slope a ∈ [0, 1): still positively homogeneous.
    LeakyRelu {
        /// The slope a for z ≤ 0.
        slope: f64,
    },
    /// log(1 + e^z): smooth and not homogeneous, the contrast.
    Softplus,
}

impl Activation {
    /// σ(z).
    pub fn value(self, z: f64) -> f64 {
        match self {
            Self::Relu => z.max(0.0),
            Self::LeakyRelu { slope } => {
                if z > 0.0 {
                    z
                } else {
                    slope * z
                }
            }
            Self::Softplus => softplus(z),
        }
    }

    /// σ'(z) (ReLU: 0 at z = 0; leaky ReLU: a at z = 0).
    pub fn derivative(self, z: f64) -> f64 {
        match self {
            Self::Relu => {
                if z > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Self::LeakyRelu { slope } => {
                if z > 0.0 {
                    1.0
                } else {
                    slope
                }
            }
            Self::Softplus => crate::core::network::sigmoid(z),
        }
    }

    /// Whether σ(αz) = α σ(z) for α > 0, so that the flow conserves every c_k.
    pub fn is_homogeneous(self) -> bool {
        !matches!(self, Self::Softplus)
    }

    /// The name used on the command line: `relu`, `leaky_relu:A`, `softplus`.
    pub fn name(self) -> String {
        match self {
            Self::Relu => "relu".into(),
            Self::LeakyRelu { slope } => format!("leaky_relu:{slope}"),
            Self::Softplus => "softplus".into(),
        }
    }

    /// Parses [`Activation::name`]; `leaky_relu` alone has PyTorch's slope 0.01.
    ///
    /// # Errors
    /// [`ConfigError`] for another name or a slope outside [0, 1).
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let a = match text.split_once(':') {
            None if text == "relu" => Self::Relu,
            None if text == "softplus" => Self::Softplus,
            None if text == "leaky_relu" => Self::LeakyRelu { slope: 0.01 },
            Some(("leaky_relu", s)) => Self::LeakyRelu {
                slope: s.trim().parse().map_err(|_| ConfigError::Unknown {
                    what: "leaky ReLU slope",
                    name: s.to_string(),
                })?,
            },
            _ => {
                return Err(ConfigError::Unknown {
                    what: "activation",
                    name: text.to_string(),
                });
            }
        };
        a.validate()?;
        Ok(a)
    }

    fn validate(self) -> Result<(), ConfigError> {
        match self {
            Self::LeakyRelu { slope } if !(slope.is_finite() && (0.0..1.0).contains(&slope)) => {
                Err(ConfigError::OutOfRange {
                    name: "leaky ReLU slope",
                    value: slope,
                    range: "at least 0 and below 1",
                })
            }
            _ => Ok(()),
        }
    }
}

/// How a step moves θ.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Optimizer {
    /// θ ← θ − η g on every row (or the flow / conserving integrators).
    #[default]
    Gd,
    /// θ ← θ − η g on one mini-batch per step.
    Sgd,
    /// Heavy ball: m ← β m + g, θ ← θ − η m.
    Momentum {
        /// β ∈ [0, 1).
        beta: f64,
    },
    /// Adam (AdamW's decoupled weight decay).
    Adam {
        /// β₁ ∈ [0, 1).
        beta1: f64,
        /// β₂ ∈ [0, 1).
        beta2: f64,
        /// ε > 0.
        eps: f64,
    },
}

impl Optimizer {
    /// The name used on the command line: `gd`, `sgd`, `momentum`, `adam`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Gd => "gd",
            Self::Sgd => "sgd",
            Self::Momentum { .. } => "momentum",
            Self::Adam { .. } => "adam",
        }
    }

    fn validate(self) -> Result<(), ConfigError> {
        let unit = |name: &'static str, x: f64| {
            if x.is_finite() && (0.0..1.0).contains(&x) {
                Ok(())
            } else {
                Err(ConfigError::OutOfRange {
                    name,
                    value: x,
                    range: "at least 0 and below 1",
                })
            }
        };
        match self {
            Self::Gd | Self::Sgd => Ok(()),
            Self::Momentum { beta } => unit("momentum β", beta),
            Self::Adam { beta1, beta2, eps } => {
                unit("Adam β₁", beta1)?;
                unit("Adam β₂", beta2)?;
                if eps.is_finite() && eps > 0.0 && eps <= 1.0 {
                    Ok(())
                } else {
                    Err(ConfigError::OutOfRange {
                        name: "Adam ε",
                        value: eps,
                        range: "greater than 0 and at most 1",
                    })
                }
            }
        }
    }
}

/// Everything that decides how a lab run moves.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Dynamics {
    /// The optimizer.
    pub optimizer: Optimizer,
    /// For [`Optimizer::Gd`] only: plain steps, the flow or the conserving integrator.
    pub integrator: Integrator,
    /// The hidden activation.
    pub activation: Activation,
    /// Rows per step: `None` for every row (required by GD), `Some(B)` for mini-batches (required
    /// by SGD; optional for momentum and Adam).
    pub batch: Option<usize>,
    /// Weight decay λ ≥ 0.
    pub weight_decay: f64,
    /// Learning rate η (the time of one step).
    pub lr: f64,
    /// Seed of the mini-batch shuffling.
    pub seed: u64,
}

impl Dynamics {
    /// Plain gradient descent with ReLU at learning rate `lr`.
    pub fn gd(lr: f64) -> Self {
        Self {
            optimizer: Optimizer::Gd,
            integrator: Integrator::Gd,
            activation: Activation::Relu,
            batch: None,
            weight_decay: 0.0,
            lr,
            seed: 0,
        }
    }

    /// Checks the dynamics for `n` rows and a network of `params` parameters.
    ///
    /// # Errors
    /// [`ConfigError`] naming the setting that is out of range or does not fit the others.
    pub fn validate(&self, n: usize, params: usize) -> Result<(), ConfigError> {
        validate_lr(self.lr)?;
        self.optimizer.validate()?;
        self.activation.validate()?;
        if !(self.weight_decay.is_finite() && (0.0..=MAX_WEIGHT_DECAY).contains(&self.weight_decay))
        {
            return Err(ConfigError::OutOfRange {
                name: "weight decay λ",
                value: self.weight_decay,
                range: "at least 0 and at most 100",
            });
        }
        match (self.optimizer, self.batch) {
            (Optimizer::Gd, Some(_)) => {
                return Err(ConfigError::Mismatch(
                    "gradient descent uses every row: choose SGD for mini-batches".into(),
                ));
            }
            (Optimizer::Sgd, None) => {
                return Err(ConfigError::Mismatch(
                    "SGD needs a batch size (rows per step)".into(),
                ));
            }
            (_, Some(b)) if b == 0 || b > n => {
                return Err(ConfigError::Mismatch(format!(
                    "the batch size must be between 1 and the {n} rows of the data, not {b}"
                )));
            }
            _ => {}
        }
        if self.integrator != Integrator::Gd && self.optimizer != Optimizer::Gd {
            return Err(ConfigError::Mismatch(format!(
                "the {} integrator exists for gradient descent only",
                self.integrator.name()
            )));
        }
        let work = (n as u64).saturating_mul(params as u64);
        if self.integrator == Integrator::Flow && work > FLOW_MAX_WORK {
            return Err(ConfigError::Mismatch(format!(
                "the gradient-flow integrator evaluates the gradient many times a step and is \
                 offered up to rows × parameters = {FLOW_MAX_WORK}; this run has {work}: choose \
                 gd or conserving"
            )));
        }
        Ok(())
    }
}

/// What one completed step did.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LabStep {
    /// Steps taken so far, this one included.
    pub step: u64,
    /// The loss at the start of the step, on the rows it used.
    pub loss: f64,
    /// max_k |c_k(now) − c_k(0)| after it.
    pub max_c_drift: f64,
}

/// The first step after which a pathological neuron's output weight had changed sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Escape {
    /// The neuron (0-based).
    pub neuron: usize,
    /// The step.
    pub step: u64,
}

/// Per-sample buffers of the gradient (length l each).
#[derive(Debug, Clone)]
struct Buffers {
    z: Vec<f64>,
    h: Vec<f64>,
    r: Vec<f64>,
}

/// Adds the loss terms ℓ(f(x_i), y_i) of `rows` (summed, not averaged) to the returned sum and
/// their gradients to `grad`. The plain per-sample code: one sample at a time, in row order.
fn accumulate(
    arch: &Architecture,
    activation: Activation,
    params: &[f64],
    data: &Dataset,
    rows: impl Iterator<Item = usize>,
    grad: &mut [f64],
    buf: &mut Buffers,
) -> f64 {
    let (d, l, e) = (arch.d, arch.l, arch.e);
    let m = arch.input_dim();
    let vo = arch.v_offset();
    let bo = arch.output_bias_offset();
    let mut loss = 0.0;
    for i in rows {
        let x = &data.x[i * d..(i + 1) * d];
        let y = &data.y[i * e..(i + 1) * e];
        for k in 0..l {
            let w = &params[k * m..(k + 1) * m];
            let mut z = 0.0;
            for j in 0..d {
                z += w[j] * x[j];
            }
            if arch.hidden_bias {
                z += w[d];
            }
            buf.z[k] = z;
            buf.h[k] = activation.value(z);
        }
        for o in 0..e {
            let mut f = if arch.output_bias {
                params[bo + o]
            } else {
                0.0
            };
            for k in 0..l {
                f += params[vo + k * e + o] * buf.h[k];
            }
            let (term, df) = match arch.loss {
                Loss::HalfMse => {
                    let r = f - y[o];
                    (0.5 * r * r, r)
                }
                Loss::Bce => {
                    let (sp, sg) = softplus_and_sigmoid(f);
                    (sp - y[o] * f, sg - y[o])
                }
            };
            loss += term;
            buf.r[o] = df;
            if arch.output_bias {
                grad[bo + o] += df;
            }
        }
        for k in 0..l {
            let mut back = 0.0;
            for o in 0..e {
                let v = params[vo + k * e + o];
                grad[vo + k * e + o] += buf.r[o] * buf.h[k];
                back += v * buf.r[o];
            }
            let s = activation.derivative(buf.z[k]) * back;
            if s != 0.0 {
                let gw = &mut grad[k * m..(k + 1) * m];
                for j in 0..d {
                    gw[j] += s * x[j];
                }
                if arch.hidden_bias {
                    gw[d] += s;
                }
            }
        }
    }
    loss
}

/// L(θ) over every row of `data` with `activation`, and ∇L(θ) written into `grad`: the plain
/// per-sample reference the lab's trainer sums with (no weight decay).
///
/// # Panics
/// If `params` or `grad` do not have the length of `arch`, or `data` does not fit it.
pub fn loss_and_gradient(
    arch: &Architecture,
    activation: Activation,
    params: &[f64],
    data: &Dataset,
    grad: &mut [f64],
) -> f64 {
    assert_eq!(params.len(), arch.n_params());
    assert_eq!(grad.len(), params.len());
    assert!(data.d == arch.d && data.e == arch.e);
    grad.iter_mut().for_each(|g| *g = 0.0);
    let mut buf = Buffers {
        z: vec![0.0; arch.l],
        h: vec![0.0; arch.l],
        r: vec![0.0; arch.e],
    };
    let sum = accumulate(arch, activation, params, data, 0..data.n, grad, &mut buf);
    let inv = 1.0 / data.n as f64;
    grad.iter_mut().for_each(|g| *g *= inv);
    sum * inv
}

/// A lab training run: a network, its data and its dynamics, advanced by rows of work.
#[derive(Debug, Clone)]
pub struct LabTrainer {
    arch: Architecture,
    dynamics: Dynamics,
    data: Arc<Dataset>,
    params: Vec<f64>,
    backup: Vec<f64>,
    grad: Vec<f64>,
    buf: Buffers,
    /// Loss sum and rows done of the step in progress.
    loss_sum: f64,
    rows_done: usize,
    /// The permutation of the current epoch and where the current batch starts in it.
    order: Vec<usize>,
    epoch: u64,
    batch_start: usize,
    /// Momentum or Adam's first moment; Adam's second moment.
    m: Vec<f64>,
    s: Vec<f64>,
    flow: Option<FlowState>,
    forced_substeps: u64,
    c_initial: Vec<f64>,
    c_now: Vec<f64>,
    /// Sign of v_k at the start for the pathological neurons (0 for the others).
    start_sign: Vec<i8>,
    escapes: Vec<Escape>,
    sign_changes: u64,
    steps: u64,
    last: Option<LabStep>,
    max_c_drift_seen: f64,
    failure: Option<TrainError>,
}

impl LabTrainer {
    /// A run of `net` on `data` with `dynamics`.
    ///
    /// # Errors
    /// [`ConfigError`] when the data do not fit the network (dimensions, BCE targets outside
    /// [0, 1]), the dynamics are invalid for them, or a c_k of `net` is not finite.
    pub fn new(net: Network, data: Arc<Dataset>, dynamics: Dynamics) -> Result<Self, ConfigError> {
        let arch = *net.arch();
        arch.validate()?;
        if data.d != arch.d || data.e != arch.e {
            return Err(ConfigError::Mismatch(format!(
                "the data have {} input{} and {} output{} but the network has d = {} and e = {}",
                data.d,
                if data.d == 1 { "" } else { "s" },
                data.e,
                if data.e == 1 { "" } else { "s" },
                arch.d,
                arch.e
            )));
        }
        check_targets(&arch, &data)?;
        dynamics.validate(data.n, arch.n_params())?;
        let c_initial = net.conserved_quantities();
        if let Some(c) = c_initial.iter().find(|c| !c.is_finite()) {
            return Err(ConfigError::OutOfRange {
                name: "parameter",
                value: *c,
                range: "small enough that every ‖w_k‖² and ‖v_k‖² is finite (c_k is not)",
            });
        }
        let params = net.params().to_vec();
        let p = params.len();
        let start_sign = (0..arch.l)
            .map(|k| {
                if arch.e == 1 && c_initial[k] < 0.0 {
                    sign(net.v(k)[0])
                } else {
                    0
                }
            })
            .collect();
        let mut t = Self {
            arch,
            dynamics,
            backup: params.clone(),
            params,
            grad: vec![0.0; p],
            buf: Buffers {
                z: vec![0.0; arch.l],
                h: vec![0.0; arch.l],
                r: vec![0.0; arch.e],
            },
            loss_sum: 0.0,
            rows_done: 0,
            order: Vec::new(),
            epoch: 0,
            batch_start: 0,
            m: vec![0.0; p],
            s: vec![0.0; p],
            flow: (dynamics.integrator == Integrator::Flow).then(|| FlowState::new(p, dynamics.lr)),
            forced_substeps: 0,
            c_now: c_initial.clone(),
            c_initial,
            start_sign,
            escapes: Vec::new(),
            sign_changes: 0,
            steps: 0,
            last: None,
            max_c_drift_seen: 0.0,
            failure: None,
            data,
        };
        if dynamics.batch.is_some() {
            t.shuffle();
        }
        Ok(t)
    }

    /// The permutation of epoch `self.epoch` (Fisher–Yates from stream epoch + 1 of the seed).
    fn shuffle(&mut self) {
        let n = self.data.n;
        self.order.clear();
        self.order.extend(0..n);
        let mut rng = seeded_stream(self.dynamics.seed, self.epoch + 1);
        for i in (1..n).rev() {
            let j = rng.random_range(0..=i);
            self.order.swap(i, j);
        }
    }

    /// Rows of the current step.
    fn step_rows(&self) -> usize {
        match self.dynamics.batch {
            None => self.data.n,
            Some(b) => b.min(self.data.n - self.batch_start),
        }
    }

    /// Rows of work one step costs: its rows, times the gradient evaluations of a flow step (at
    /// least six, counted as seven).
    pub fn rows_per_step(&self) -> u64 {
        let rows = match self.dynamics.batch {
            None => self.data.n,
            Some(b) => b,
        } as u64;
        if self.flow.is_some() { 7 * rows } else { rows }
    }

    /// Multiply-adds of one row of the gradient (forward and backward): a measure of work that the
    /// caller turns into rows per call.
    pub fn work_per_row(&self) -> u64 {
        2 * (self.arch.l * (self.arch.input_dim() + self.arch.e)) as u64 + 1
    }

    /// Works through at most `rows` rows of gradient evaluations (at least one row, or one whole
    /// flow step), completing at most `max_steps` steps; `on_step` sees each completed step.
    /// Returns the number of steps completed.
    ///
    /// # Errors
    /// [`TrainError::Diverged`] when the loss or θ stops being finite (θ goes back to its value at
    /// the start of that step and every later call returns the same error);
    /// [`TrainError::StepBudget`] when the flow integrator cannot meet its tolerance.
    pub fn work(
        &mut self,
        rows: u64,
        max_steps: u64,
        mut on_step: impl FnMut(&LabStep),
    ) -> Result<u64, TrainError> {
        if let Some(err) = &self.failure {
            return Err(err.clone());
        }
        let mut budget = rows.max(1);
        let mut done = 0;
        while done < max_steps && budget > 0 {
            if self.flow.is_some() {
                budget = budget.saturating_sub(self.rows_per_step());
                let report = self.flow_step()?;
                on_step(&report);
                done += 1;
                continue;
            }
            if self.rows_done == 0 {
                self.backup.copy_from_slice(&self.params);
                self.grad.iter_mut().for_each(|g| *g = 0.0);
                self.loss_sum = 0.0;
            }
            let total = self.step_rows();
            let take = (total - self.rows_done).min(usize::try_from(budget).unwrap_or(usize::MAX));
            let (from, to) = (self.rows_done, self.rows_done + take);
            let data = &*self.data;
            let sum = match self.dynamics.batch {
                None => accumulate(
                    &self.arch,
                    self.dynamics.activation,
                    &self.params,
                    data,
                    from..to,
                    &mut self.grad,
                    &mut self.buf,
                ),
                Some(_) => {
                    let at = self.batch_start;
                    accumulate(
                        &self.arch,
                        self.dynamics.activation,
                        &self.params,
                        data,
                        self.order[at + from..at + to].iter().copied(),
                        &mut self.grad,
                        &mut self.buf,
                    )
                }
            };
            self.loss_sum += sum;
            self.rows_done = to;
            budget -= take as u64;
            if self.rows_done == total {
                let report = self.finish_step(total)?;
                on_step(&report);
                done += 1;
            }
        }
        Ok(done)
    }

    /// Takes `n` whole steps (stopping at the first error); returns the reports.
    pub fn run(&mut self, n: u64) -> (Vec<LabStep>, Option<TrainError>) {
        let mut out = Vec::new();
        let rows = self.rows_per_step().saturating_mul(n.max(1));
        let result = self.work(rows, n, |s| out.push(*s));
        (out, result.err())
    }

    /// Fraction of the step in progress already computed (0 between steps).
    pub fn progress(&self) -> f64 {
        if self.rows_done == 0 {
            0.0
        } else {
            self.rows_done as f64 / self.step_rows() as f64
        }
    }

    /// The update at the end of a step whose `rows` rows are summed in `grad` and `loss_sum`.
    fn finish_step(&mut self, rows: usize) -> Result<LabStep, TrainError> {
        self.rows_done = 0;
        let inv = 1.0 / rows as f64;
        let loss = self.loss_sum * inv;
        let (lr, lambda) = (self.dynamics.lr, self.dynamics.weight_decay);
        let coupled = !matches!(self.dynamics.optimizer, Optimizer::Adam { .. });
        for (g, p) in self.grad.iter_mut().zip(&self.params) {
            *g *= inv;
            if coupled && lambda > 0.0 {
                *g += lambda * p;
            }
        }
        match self.dynamics.optimizer {
            Optimizer::Gd | Optimizer::Sgd => {
                for (p, g) in self.params.iter_mut().zip(&self.grad) {
                    *p -= lr * g;
                }
            }
            Optimizer::Momentum { beta } => {
                for ((p, g), m) in self.params.iter_mut().zip(&self.grad).zip(&mut self.m) {
                    *m = beta * *m + g;
                    *p -= lr * *m;
                }
            }
            Optimizer::Adam { beta1, beta2, eps } => {
                let t = i32::try_from(self.steps + 1).unwrap_or(i32::MAX);
                let c1 = 1.0 - libm::pow(beta1, f64::from(t));
                let c2 = 1.0 - libm::pow(beta2, f64::from(t));
                let decay = 1.0 - lr * lambda;
                for (((p, g), m), s) in self
                    .params
                    .iter_mut()
                    .zip(&self.grad)
                    .zip(&mut self.m)
                    .zip(&mut self.s)
                {
                    *m = beta1 * *m + (1.0 - beta1) * g;
                    *s = beta2 * *s + (1.0 - beta2) * g * g;
                    if lambda > 0.0 {
                        *p *= decay;
                    }
                    *p -= lr * (*m / c1) / (libm::sqrt(*s / c2) + eps);
                }
            }
        }
        if self.dynamics.integrator == Integrator::Conserving {
            self.project_onto_initial_quadrics();
        }
        if let Some(b) = self.dynamics.batch {
            self.batch_start += b;
            if self.batch_start >= self.data.n {
                self.batch_start = 0;
                self.epoch += 1;
                self.shuffle();
            }
        }
        self.end_step(loss)
    }

    /// One whole step of the gradient flow dθ/dt = −∇L(θ) − λθ over time η.
    fn flow_step(&mut self) -> Result<LabStep, TrainError> {
        self.backup.copy_from_slice(&self.params);
        let (arch, activation, lambda) = (
            &self.arch,
            self.dynamics.activation,
            self.dynamics.weight_decay,
        );
        let data = &*self.data;
        let buf = &mut self.buf;
        let inv = 1.0 / data.n as f64;
        let rhs = |theta: &[f64], out: &mut [f64]| -> f64 {
            out.iter_mut().for_each(|g| *g = 0.0);
            let sum = accumulate(arch, activation, theta, data, 0..data.n, out, buf);
            for (g, p) in out.iter_mut().zip(theta) {
                *g = -(*g * inv + lambda * p);
            }
            sum * inv
        };
        let Some(fs) = self.flow.as_mut() else {
            return Err(TrainError::StepBudget { step: self.steps });
        };
        match fs.advance(
            &mut self.params,
            self.dynamics.lr,
            self.steps,
            &mut self.forced_substeps,
            rhs,
        ) {
            Ok(loss) => self.end_step(loss),
            Err(err) => Err(self.fail(err)),
        }
    }

    fn project_onto_initial_quadrics(&mut self) {
        let m = self.arch.input_dim();
        let e = self.arch.e;
        let (ws, rest) = self.params.split_at_mut(self.arch.v_offset());
        for k in 0..self.arch.l {
            // A neuron that cannot be rescaled (w = 0 or v = 0) stays put; its drift shows.
            let _ = rescale_neuron(
                &mut ws[k * m..(k + 1) * m],
                &mut rest[k * e..(k + 1) * e],
                self.c_initial[k],
                k,
            );
        }
    }

    /// Checks the new θ, records drift and escapes; `loss` is the loss at the step's start.
    fn end_step(&mut self, loss: f64) -> Result<LabStep, TrainError> {
        conserved_quantities_into(&self.arch, &self.params, &mut self.c_now);
        let finite = self.c_now.iter().all(|c| c.is_finite())
            && (!self.arch.output_bias
                || self.params[self.arch.output_bias_offset()..]
                    .iter()
                    .all(|p| p.is_finite()));
        if !loss.is_finite() || !finite {
            let err = TrainError::Diverged {
                step: self.steps,
                loss: if loss.is_finite() {
                    f64::INFINITY
                } else {
                    loss
                },
                lr: self.dynamics.lr,
            };
            return Err(self.fail(err));
        }
        self.steps += 1;
        let vo = self.arch.v_offset();
        for k in 0..self.arch.l {
            let s0 = self.start_sign[k];
            if s0 == 0 {
                continue;
            }
            let now = sign(self.params[vo + k]);
            let escaped = self.escapes.iter().any(|x| x.neuron == k);
            if now != s0 && !escaped {
                self.escapes.push(Escape {
                    neuron: k,
                    step: self.steps,
                });
            }
            if now != s0 {
                self.sign_changes += 1;
            }
        }
        let drift = self.current_c_drift();
        self.max_c_drift_seen = self.max_c_drift_seen.max(drift);
        let report = LabStep {
            step: self.steps,
            loss,
            max_c_drift: drift,
        };
        self.last = Some(report);
        Ok(report)
    }

    fn fail(&mut self, err: TrainError) -> TrainError {
        self.params.copy_from_slice(&self.backup);
        conserved_quantities_into(&self.arch, &self.params, &mut self.c_now);
        self.rows_done = 0;
        if let Some(f) = &mut self.flow {
            f.invalidate();
        }
        self.failure = Some(err.clone());
        err
    }

    /// L(θ) and ∇L(θ) (weight decay not included) over every row at the current parameters.
    pub fn full_loss_and_gradient(&self, grad: &mut [f64]) -> f64 {
        loss_and_gradient(
            &self.arch,
            self.dynamics.activation,
            &self.params,
            &self.data,
            grad,
        )
    }

    /// max_k |c_k(now) − c_k(0)|.
    pub fn current_c_drift(&self) -> f64 {
        self.c_now
            .iter()
            .zip(&self.c_initial)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max)
    }

    /// The architecture.
    pub fn arch(&self) -> &Architecture {
        &self.arch
    }

    /// The dynamics.
    pub fn dynamics(&self) -> &Dynamics {
        &self.dynamics
    }

    /// The data.
    pub fn data(&self) -> &Arc<Dataset> {
        &self.data
    }

    /// θ now (at the start of the step in progress).
    pub fn params(&self) -> &[f64] {
        &self.params
    }

    /// The network now.
    pub fn network(&self) -> Network {
        // The parameters are finite and of the right length by construction.
        Network::from_params(self.arch, self.params.clone()).unwrap_or_else(|_| unreachable!())
    }

    /// c_k at the start.
    pub fn c_initial(&self) -> &[f64] {
        &self.c_initial
    }

    /// c_k now.
    pub fn c_now(&self) -> &[f64] {
        &self.c_now
    }

    /// Steps completed.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Elapsed time, steps × η.
    pub fn time(&self) -> f64 {
        self.steps as f64 * self.dynamics.lr
    }

    /// The last completed step, if any.
    pub fn last_step(&self) -> Option<LabStep> {
        self.last
    }

    /// The first escape of each neuron that escaped, in the order they happened.
    pub fn escapes(&self) -> &[Escape] {
        &self.escapes
    }

    /// Steps × pathological neurons whose output weight had the other sign than at the start.
    pub fn sign_changes(&self) -> u64 {
        self.sign_changes
    }

    /// The sign each pathological neuron started with (0 for the others).
    pub fn start_signs(&self) -> &[i8] {
        &self.start_sign
    }

    /// Largest c drift seen after any step.
    pub fn max_c_drift_seen(&self) -> f64 {
        self.max_c_drift_seen
    }

    /// Flow substeps accepted at the smallest size without meeting the tolerance.
    pub fn forced_substeps(&self) -> u64 {
        self.forced_substeps
    }

    /// The error that stopped the run, if any.
    pub fn failure(&self) -> Option<&TrainError> {
        self.failure.as_ref()
    }
}

fn sign(x: f64) -> i8 {
    if x >= 0.0 { 1 } else { -1 }
}
