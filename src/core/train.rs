//! Training dynamics: gradient descent, a faithful gradient-flow integrator, and a
//! quadric-conserving gradient step, all over the same analytic gradient.
//!
//! # Conventions
//! - One *step* advances time by η (the learning rate): θ ← θ − η∇L(θ) for [`Integrator::Gd`];
//!   the exact flow dθ/dt = −∇L(θ) over [t, t + η] for [`Integrator::Flow`] (adaptive
//!   Dormand–Prince 5(4), relative tolerance [`FLOW_RTOL`], absolute [`FLOW_ATOL`]); a GD step
//!   followed by the function-preserving rescaling of every neuron back onto its initial quadric for
//!   [`Integrator::Conserving`] (paper-notes §2).
//! - A step reports the loss L(θ_t) at its *start* (so step 0 reports the initial loss), the
//!   largest drift max_k |c_k(θ_{t+1}) − c_k(θ_0)| after it, and how many neurons jumped sheet
//!   (changed the sign that labels their component, which only a discrete step can do).
//! - One GD step changes c_k by exactly η²(‖∇_{w_k}L‖² − ‖∇_{v_k}L‖²): the first-order term
//!   cancels because w_k·∇_{w_k}L = v_k·∇_{v_k}L.
//! - A step whose loss or parameters are not finite is undone and reported as
//!   [`TrainError::Diverged`]; the trainer returns to the last state whose loss was finite (θ_t, or
//!   θ_{t−1} when L(θ_t) itself overflowed, in which case the step count goes back by one) and keeps
//!   refusing to step until it is rebuilt.
//! - Nothing here reads a clock: a run is a pure function of its configuration and seed.

use crate::core::data::Dataset;
use crate::core::error::{ConfigError, TrainError};
use crate::core::init::rescale_neuron;
use crate::core::kernel::{Scratch, loss, loss_and_gradient};
use crate::core::network::{Architecture, Batch, Network, conserved_quantities_into};
use crate::core::topology::neuron_sheet;
use serde::{Deserialize, Serialize};

/// Largest accepted learning rate (large enough to show divergence, small enough to stay a number).
pub const MAX_LR: f64 = 1000.0;
/// Relative tolerance of the gradient-flow integrator.
pub const FLOW_RTOL: f64 = 1e-10;
/// Absolute tolerance of the gradient-flow integrator.
pub const FLOW_ATOL: f64 = 1e-12;
/// Largest number of Runge–Kutta substeps (accepted or rejected) in one step.
pub const FLOW_MAX_SUBSTEPS: u32 = 200_000;
/// Smallest substep, as a fraction of the step's time span. At a ReLU kink the gradient jumps,
/// so the embedded error estimate of a substep straddling it is O(h · jump) and no substep meets
/// the tolerance when the flow slides along a kink; a substep this small is then accepted (and
/// counted), which costs O(h²) in c drift.
pub const FLOW_MIN_SUBSTEP: f64 = 1e-2;

/// How a step moves θ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Integrator {
    /// Plain gradient descent, what the paper's experiments run.
    #[default]
    Gd,
    /// Adaptive Runge–Kutta integration of the gradient flow over time η.
    Flow,
    /// Gradient step, then each neuron rescaled back onto its initial quadric.
    Conserving,
}

impl Integrator {
    /// The name used on the command line and in links: `gd`, `flow`, `conserving`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Gd => "gd",
            Self::Flow => "flow",
            Self::Conserving => "conserving",
        }
    }

    /// Parses [`Integrator::name`].
    ///
    /// # Errors
    /// [`ConfigError::Unknown`] for any other name.
    pub fn parse(name: &str) -> Result<Self, ConfigError> {
        [Self::Gd, Self::Flow, Self::Conserving]
            .into_iter()
            .find(|i| i.name() == name)
            .ok_or_else(|| ConfigError::Unknown {
                what: "integrator",
                name: name.to_string(),
            })
    }
}

/// Checks a learning rate.
///
/// # Errors
/// [`ConfigError::OutOfRange`] unless 0 < η ≤ [`MAX_LR`].
pub fn validate_lr(lr: f64) -> Result<(), ConfigError> {
    if lr.is_finite() && lr > 0.0 && lr <= MAX_LR {
        Ok(())
    } else {
        Err(ConfigError::OutOfRange {
            name: "learning rate",
            value: lr,
            range: "greater than 0 and at most 1000",
        })
    }
}

/// What one step did.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StepReport {
    /// Steps taken so far, this one included.
    pub step: u64,
    /// L(θ) at the start of this step.
    pub loss: f64,
    /// max_k |c_k(now) − c_k(0)|.
    pub max_c_drift: f64,
    /// Neurons that changed sheet in this step.
    pub sheet_jumps: u32,
}

/// Dormand–Prince 5(4) coefficients.
mod dp {
    // The flow is autonomous, so the nodes c_i are not needed.
    pub const A: [[f64; 6]; 7] = [
        [0.0; 6],
        [1.0 / 5.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [3.0 / 40.0, 9.0 / 40.0, 0.0, 0.0, 0.0, 0.0],
        [44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0, 0.0, 0.0, 0.0],
        [
            19372.0 / 6561.0,
            -25360.0 / 2187.0,
            64448.0 / 6561.0,
            -212.0 / 729.0,
            0.0,
            0.0,
        ],
        [
            9017.0 / 3168.0,
            -355.0 / 33.0,
            46732.0 / 5247.0,
            49.0 / 176.0,
            -5103.0 / 18656.0,
            0.0,
        ],
        [
            35.0 / 384.0,
            0.0,
            500.0 / 1113.0,
            125.0 / 192.0,
            -2187.0 / 6784.0,
            11.0 / 84.0,
        ],
    ];
    /// Fifth-order weights minus the embedded fourth-order ones.
    pub const E: [f64; 7] = [
        71.0 / 57600.0,
        0.0,
        -71.0 / 16695.0,
        71.0 / 1920.0,
        -17253.0 / 339200.0,
        22.0 / 525.0,
        -1.0 / 40.0,
    ];
}

/// Buffers and step size of the adaptive integrator.
#[derive(Debug, Clone)]
pub(crate) struct FlowState {
    /// Stage derivatives k_1..k_7 (each −∇L), each of length P.
    k: Vec<Vec<f64>>,
    stage: Vec<f64>,
    y_new: Vec<f64>,
    /// Current substep size.
    h: f64,
    /// Whether k[0] holds −∇L at the current θ (first-same-as-last).
    k0_valid: bool,
    /// L at the current θ when `k0_valid`.
    loss0: f64,
}

impl FlowState {
    /// Buffers for θ of length `p`, with a first substep no longer than `span`.
    pub(crate) fn new(p: usize, span: f64) -> Self {
        Self {
            k: vec![vec![0.0; p]; 7],
            stage: vec![0.0; p],
            y_new: vec![0.0; p],
            h: span.min(0.01),
            k0_valid: false,
            loss0: f64::NAN,
        }
    }

    /// Forgets the derivative at the current point (θ was changed from outside).
    pub(crate) fn invalidate(&mut self) {
        self.k0_valid = false;
    }

    /// Integrates dθ/dt = rhs(θ) over time `span` from `y` (in place), where `rhs(θ, out)` writes
    /// the derivative and returns the loss at θ; returns the loss at the start. `step` names the
    /// step in errors; `forced` counts substeps accepted at the smallest size.
    ///
    /// # Errors
    /// [`TrainError::StepBudget`] after [`FLOW_MAX_SUBSTEPS`] substeps.
    pub(crate) fn advance(
        &mut self,
        y: &mut [f64],
        span: f64,
        step: u64,
        forced: &mut u64,
        mut rhs: impl FnMut(&[f64], &mut [f64]) -> f64,
    ) -> Result<f64, TrainError> {
        let fs = self;
        if !fs.k0_valid {
            fs.loss0 = rhs(y, &mut fs.k[0]);
            fs.k0_valid = true;
        }
        let start_loss = fs.loss0;
        if !start_loss.is_finite() {
            return Ok(start_loss);
        }
        let mut t = 0.0;
        let mut substeps = 0u32;
        while t < span {
            substeps += 1;
            if substeps > FLOW_MAX_SUBSTEPS {
                return Err(TrainError::StepBudget { step });
            }
            let last = t + fs.h >= span;
            let h = if last { span - t } else { fs.h };
            let mut last_loss = f64::NAN;
            for s in 1..7 {
                for (i, st) in fs.stage.iter_mut().enumerate() {
                    let mut acc = 0.0;
                    for (j, a) in dp::A[s][..s].iter().enumerate() {
                        acc += a * fs.k[j][i];
                    }
                    *st = y[i] + h * acc;
                }
                let (_, tail) = fs.k.split_at_mut(s);
                last_loss = rhs(&fs.stage, &mut tail[0]);
            }
            // Row 6 of A holds the fifth-order weights, so the last stage is the new point and k[6]
            // the derivative there (first-same-as-last).
            fs.y_new.copy_from_slice(&fs.stage);
            let k7_loss = last_loss;
            let mut err_sq = 0.0;
            for i in 0..y.len() {
                let mut e = 0.0;
                for (j, ej) in dp::E.iter().enumerate() {
                    e += ej * fs.k[j][i];
                }
                let scale = FLOW_ATOL + FLOW_RTOL * y[i].abs().max(fs.y_new[i].abs());
                let r = h * e / scale;
                err_sq += r * r;
            }
            let err = libm::sqrt(err_sq / y.len() as f64);
            if !err.is_finite() || !k7_loss.is_finite() {
                // Let the caller see the divergence through the loss.
                return Ok(if k7_loss.is_finite() {
                    f64::NAN
                } else {
                    k7_loss
                });
            }
            let factor = if err == 0.0 {
                5.0
            } else {
                (0.9 * libm::pow(err, -0.2)).clamp(0.2, 5.0)
            };
            let forced_here = err > 1.0 && h <= FLOW_MIN_SUBSTEP * span;
            if forced_here {
                *forced += 1;
            }
            if err <= 1.0 || forced_here {
                t = if last { span } else { t + h };
                y.copy_from_slice(&fs.y_new);
                fs.k.swap(0, 6);
                fs.loss0 = k7_loss;
                if !last {
                    fs.h = (h * factor).max(FLOW_MIN_SUBSTEP * span);
                }
            } else {
                fs.h = (h * factor).max(FLOW_MIN_SUBSTEP * span);
            }
        }
        Ok(start_loss)
    }
}

/// A training run: a network, its data and its integrator, stepped on demand.
#[derive(Debug, Clone)]
pub struct Trainer {
    arch: Architecture,
    params: Vec<f64>,
    /// θ_t, the parameters at the start of the current step.
    backup: Vec<f64>,
    /// θ_{t−1}, whose loss is known to be finite (used when L(θ_t) itself is not).
    last_good: Vec<f64>,
    batch: Batch,
    scratch: Scratch,
    grad: Vec<f64>,
    lr: f64,
    integrator: Integrator,
    c_initial: Vec<f64>,
    c_now: Vec<f64>,
    sheets: Vec<Option<i8>>,
    steps: u64,
    sheet_jumps: u64,
    max_c_drift_seen: f64,
    flow: Option<FlowState>,
    forced_substeps: u64,
    failure: Option<TrainError>,
}

impl Trainer {
    /// A run of `net` on `data` with learning rate (time per step) `lr`.
    ///
    /// # Errors
    /// [`ConfigError`] when the data do not fit the network, η is out of range or a conserved
    /// quantity c_k of `net` is not finite (weights so large that their squares overflow).
    pub fn new(
        net: Network,
        data: &Dataset,
        lr: f64,
        integrator: Integrator,
    ) -> Result<Self, ConfigError> {
        validate_lr(lr)?;
        let arch = *net.arch();
        let batch = Batch::new(&arch, data)?;
        let scratch = Scratch::new(&arch, &batch);
        let c_initial = net.conserved_quantities();
        if let Some(c) = c_initial.iter().find(|c| !c.is_finite()) {
            return Err(ConfigError::OutOfRange {
                name: "parameter",
                value: *c,
                range: "small enough that every ‖w_k‖² and ‖v_k‖² is finite (c_k is not)",
            });
        }
        let sheets = (0..arch.l)
            .map(|k| neuron_sheet(net.w(k), net.v(k), c_initial[k]))
            .collect();
        let params = net.params().to_vec();
        let p = params.len();
        let flow = (integrator == Integrator::Flow).then(|| FlowState::new(p, lr));
        Ok(Self {
            arch,
            backup: params.clone(),
            last_good: params.clone(),
            params,
            batch,
            scratch,
            grad: vec![0.0; p],
            lr,
            integrator,
            c_now: c_initial.clone(),
            c_initial,
            sheets,
            steps: 0,
            sheet_jumps: 0,
            max_c_drift_seen: 0.0,
            flow,
            forced_substeps: 0,
            failure: None,
        })
    }

    /// Advances the run by one step (time η).
    ///
    /// # Errors
    /// [`TrainError::Diverged`] when the loss or θ stops being finite (θ is restored to its value
    /// before the step, and every later call returns the same error);
    /// [`TrainError::StepBudget`] when the flow integrator cannot meet its tolerance.
    pub fn step(&mut self) -> Result<StepReport, TrainError> {
        if let Some(err) = &self.failure {
            return Err(err.clone());
        }
        self.backup.copy_from_slice(&self.params);
        let outcome = match self.integrator {
            Integrator::Gd => Ok(self.gd_update()),
            Integrator::Conserving => {
                let l = self.gd_update();
                self.project_onto_initial_quadrics();
                Ok(l)
            }
            Integrator::Flow => self.flow_update(),
        };
        let loss = match outcome {
            Ok(l) => l,
            Err(err) => return Err(self.fail(err)),
        };
        conserved_quantities_into(&self.arch, &self.params, &mut self.c_now);
        let params_finite = self.c_now.iter().all(|c| c.is_finite())
            && (!self.arch.output_bias
                || self.params[self.arch.output_bias_offset()..]
                    .iter()
                    .all(|p| p.is_finite()));
        if !loss.is_finite() || !params_finite {
            let err = TrainError::Diverged {
                step: self.steps,
                loss: if loss.is_finite() {
                    f64::INFINITY
                } else {
                    loss
                },
                lr: self.lr,
            };
            if !loss.is_finite() && self.steps > 0 {
                // θ_t is finite but its loss is not: go back one more step, to the last state whose
                // loss was finite, so every readout of the stopped run stays a number.
                self.backup.copy_from_slice(&self.last_good);
                self.steps -= 1;
            }
            return Err(self.fail(err));
        }
        self.last_good.copy_from_slice(&self.backup);
        let mut jumps = 0;
        let m = self.arch.input_dim();
        let (e, vo) = (self.arch.e, self.arch.v_offset());
        for k in 0..self.arch.l {
            if let Some(old) = self.sheets[k] {
                let w = &self.params[k * m..(k + 1) * m];
                let v = &self.params[vo + k * e..vo + (k + 1) * e];
                let now = neuron_sheet(w, v, self.c_initial[k]);
                if now != Some(old) {
                    jumps += 1;
                    self.sheets[k] = now;
                }
            }
        }
        self.steps += 1;
        self.sheet_jumps += u64::from(jumps);
        let drift = self.current_c_drift();
        self.max_c_drift_seen = self.max_c_drift_seen.max(drift);
        Ok(StepReport {
            step: self.steps,
            loss,
            max_c_drift: drift,
            sheet_jumps: jumps,
        })
    }

    /// Takes up to `n` steps, stopping at the first error; returns the reports of the steps taken
    /// and the error, if any.
    pub fn run(&mut self, n: u64) -> (Vec<StepReport>, Option<TrainError>) {
        let mut out = Vec::with_capacity(usize::try_from(n).unwrap_or(0).min(1 << 20));
        for _ in 0..n {
            match self.step() {
                Ok(r) => out.push(r),
                Err(e) => return (out, Some(e)),
            }
        }
        (out, None)
    }

    fn fail(&mut self, err: TrainError) -> TrainError {
        self.params.copy_from_slice(&self.backup);
        conserved_quantities_into(&self.arch, &self.params, &mut self.c_now);
        let m = self.arch.input_dim();
        let (e, vo) = (self.arch.e, self.arch.v_offset());
        for k in 0..self.arch.l {
            if self.sheets[k].is_some() {
                let w = &self.params[k * m..(k + 1) * m];
                let v = &self.params[vo + k * e..vo + (k + 1) * e];
                self.sheets[k] = neuron_sheet(w, v, self.c_initial[k]);
            }
        }
        if let Some(f) = &mut self.flow {
            f.invalidate();
        }
        self.failure = Some(err.clone());
        err
    }

    /// θ ← θ − η∇L(θ); returns L(θ) before the update.
    fn gd_update(&mut self) -> f64 {
        let l = loss_and_gradient(
            &self.arch,
            &self.params,
            &self.batch,
            &mut self.scratch,
            &mut self.grad,
        );
        let lr = self.lr;
        for (p, g) in self.params.iter_mut().zip(&self.grad) {
            *p -= lr * g;
        }
        l
    }

    fn project_onto_initial_quadrics(&mut self) {
        let m = self.arch.input_dim();
        let e = self.arch.e;
        let (ws, rest) = self.params.split_at_mut(self.arch.v_offset());
        for k in 0..self.arch.l {
            // A neuron that cannot be rescaled (w = 0 or v = 0: a fixed point of the flow) stays put;
            // its drift is then reported like any other.
            let _ = rescale_neuron(
                &mut ws[k * m..(k + 1) * m],
                &mut rest[k * e..(k + 1) * e],
                self.c_initial[k],
                k,
            );
        }
    }

    /// Integrates the gradient flow over time η with adaptive Dormand–Prince 5(4); returns L at the
    /// start.
    fn flow_update(&mut self) -> Result<f64, TrainError> {
        let Some(fs) = self.flow.as_mut() else {
            return Ok(f64::NAN);
        };
        let (arch, batch, scratch) = (&self.arch, &self.batch, &mut self.scratch);
        let rhs = |theta: &[f64], out: &mut [f64]| -> f64 {
            let l = loss_and_gradient(arch, theta, batch, scratch, out);
            out.iter_mut().for_each(|g| *g = -*g);
            l
        };
        fs.advance(
            &mut self.params,
            self.lr,
            self.steps,
            &mut self.forced_substeps,
            rhs,
        )
    }

    /// L(θ) at the current parameters, checked. A step is accepted when the loss at its start and
    /// the new θ are finite, so the loss *at* the new θ is only seen by the next step; this looks at
    /// it now. When it is not finite, the last step is undone exactly as the next [`Trainer::step`]
    /// would undo it (θ back to θ_{t−1}, whose loss was finite, and the step count back by one) and
    /// the divergence is reported. Callers that step in batches call this once per batch, so no
    /// readout ever shows an infinite loss.
    ///
    /// # Errors
    /// [`TrainError::Diverged`] as described, or the error that already stopped the run.
    pub fn checked_loss(&mut self) -> Result<f64, TrainError> {
        if let Some(err) = &self.failure {
            return Err(err.clone());
        }
        let l = self.current_loss();
        if l.is_finite() {
            return Ok(l);
        }
        let err = TrainError::Diverged {
            step: self.steps,
            loss: l,
            lr: self.lr,
        };
        if self.steps > 0 {
            self.backup.copy_from_slice(&self.last_good);
            self.steps -= 1;
        } else {
            self.backup.copy_from_slice(&self.params);
        }
        Err(self.fail(err))
    }

    /// L(θ) at the current parameters.
    pub fn current_loss(&mut self) -> f64 {
        loss(&self.arch, &self.params, &self.batch, &mut self.scratch)
    }

    /// ∇L(θ) at the current parameters (written into an internal buffer and returned).
    pub fn current_gradient(&mut self) -> &[f64] {
        loss_and_gradient(
            &self.arch,
            &self.params,
            &self.batch,
            &mut self.scratch,
            &mut self.grad,
        );
        &self.grad
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

    /// θ now.
    pub fn params(&self) -> &[f64] {
        &self.params
    }

    /// The network now.
    pub fn network(&self) -> Network {
        // The parameters are finite and of the right length by construction.
        Network::from_params(self.arch, self.params.clone()).unwrap_or_else(|_| unreachable!())
    }

    /// c_k at the start of the run.
    pub fn c_initial(&self) -> &[f64] {
        &self.c_initial
    }

    /// c_k now.
    pub fn c_now(&self) -> &[f64] {
        &self.c_now
    }

    /// Steps taken.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Elapsed flow time, steps × η.
    pub fn time(&self) -> f64 {
        self.steps as f64 * self.lr
    }

    /// Sheet jumps so far.
    pub fn sheet_jumps(&self) -> u64 {
        self.sheet_jumps
    }

    /// Largest c drift seen after any step.
    pub fn max_c_drift_seen(&self) -> f64 {
        self.max_c_drift_seen
    }

    /// Flow substeps accepted at the smallest size without meeting the tolerance (see
    /// [`FLOW_MIN_SUBSTEP`]).
    pub fn forced_substeps(&self) -> u64 {
        self.forced_substeps
    }

    /// The learning rate.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// The integrator.
    pub fn integrator(&self) -> Integrator {
        self.integrator
    }

    /// The error that stopped the run, if any.
    pub fn failure(&self) -> Option<&TrainError> {
        self.failure.as_ref()
    }
}
