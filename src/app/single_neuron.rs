//! The one-neuron network of the live Fig. 1b: d = e = l = 1, so a network is a point (w, v) of the
//! plane, the invariant sets Q(c) are the hyperbolas w² − v² = c and the rescaling orbits are the
//! hyperbolas w·v = const.
//!
//! # Conventions
//! - f(x) = v σ(w x), no biases, loss L = (1/n) Σ ½(f(x_i) − y_i)², built on [`crate::core::network`] and
//!   trained by [`crate::core::train::Trainer`] (θ = [w, v]).
//! - Data (our setup): the teacher y = σ(x) on [`N_SAMPLES`] evenly spaced inputs x_i = i / 20,
//!   i = 1, …, 40 (so 0 < x ≤ 2). Every input is positive, hence for w > 0 the network is the linear
//!   map x ↦ (w v) x and L = ½ m₂ (w v − 1)² with m₂ = mean x_i²: the global minima are exactly
//!   the orbit w·v = 1 with w > 0, and the level sets of L are the rescaling orbits. For w ≤ 0 the
//!   neuron is silent (σ(w x_i) = 0 for every i): L = ½ m₂ and ∇L = 0.
//! - c = w² − v² is conserved by gradient flow; the rescaling (w, v) ↦ (αw, v/α), α > 0, keeps f
//!   and L and moves c to α²w² − v²/α².
//! - With d = e = 1 both signs can be frozen (paper-notes §3: 2^{l₊ + l₋} components): c < 0 keeps
//!   the sign of v, c > 0 keeps the sign of w. The minima need w > 0 and v > 0, so a start with
//!   c < 0 and v < 0 (the paper's pathological neuron) can never reach them; a start with w ≤ 0 is
//!   silent on these data and never moves (a property of this toy problem, not of the topology).
//! - Every point the app accepts lies in the square window |w|, |v| ≤ [`WINDOW`]; the trajectory is
//!   kept in a bounded [`History`] and may leave the window (it is then clipped when drawn).
//! - Nothing here reads a clock or the DOM.

use crate::app::live_run::{LiveRun, RunReadout};
use crate::core::data::Dataset;
use crate::core::error::{ConfigError, TrainError};
use crate::core::network::{Architecture, Network, relu};
use crate::core::train::{Integrator, Trainer, validate_lr};
use serde::{Deserialize, Serialize};

/// Half-width of the plotted window: every chosen point has |w| ≤ WINDOW and |v| ≤ WINDOW.
pub const WINDOW: f64 = 3.0;
/// Number of training inputs.
pub const N_SAMPLES: usize = 40;
/// Inputs x at which the readout evaluates f(x).
pub const PROBE_INPUTS: [f64; 3] = [0.5, 1.0, 2.0];
/// Learning rate of a run configured without one.
pub const DEFAULT_LR: f64 = 0.01;
/// A loss at or below this counts as having reached a global minimum.
pub const MINIMUM_LOSS: f64 = 1e-8;

/// The network's shape: one input, one hidden ReLU neuron, one output, no biases, ½·MSE.
pub fn architecture() -> Architecture {
    Architecture::new(1, 1, 1)
}

/// The teacher data: x_i = i / 20 for i = 1, …, [`N_SAMPLES`], y_i = σ(x_i).
pub fn teacher() -> Dataset {
    let x: Vec<f64> = (1..=N_SAMPLES).map(|i| i as f64 / 20.0).collect();
    let y: Vec<f64> = x.iter().map(|&xi| relu(xi)).collect();
    Dataset {
        n: N_SAMPLES,
        d: 1,
        e: 1,
        x,
        y,
    }
}

/// Where a run starts, for the reader: can the minima w·v = 1 (w > 0) be reached from there?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StartKind {
    /// w > 0 and the start's component of Q(c) contains minima.
    Reachable,
    /// c ≤ 0 and v < 0: |v| ≥ √(−c) forever, v can never become positive (the pathological
    /// neuron; for c = 0 the way to v > 0 passes through the origin, where ∇L = 0: our reading).
    FrozenNegativeOutput,
    /// w ≤ 0: the neuron outputs 0 on every (positive) input, so ∇L = 0 and it never moves.
    Silent,
}

/// Classifies a start (w, v) with conserved quantity c = w² − v².
pub fn classify_start(w: f64, v: f64, c: f64) -> StartKind {
    if w <= 0.0 {
        StartKind::Silent
    } else if v < 0.0 && c <= 0.0 {
        StartKind::FrozenNegativeOutput
    } else {
        StartKind::Reachable
    }
}

/// What the app sends: the initialization and the settings of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeuronConfig {
    /// Initial input weight w.
    pub w: f64,
    /// Initial output weight v.
    pub v: f64,
    /// Learning rate (time per step); [`DEFAULT_LR`] when absent.
    #[serde(default)]
    pub lr: Option<f64>,
    /// Integrator name (`gd`, `flow`, `conserving`); `gd` when absent.
    #[serde(default)]
    pub integrator: Option<String>,
}

/// Everything the Fig. 1b readouts show: the shared fields of every live run and the plane's own.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeuronReadout {
    /// The fields every live run shows (step, loss, c, drift, sheet jumps, failure, …).
    pub run: RunReadout,
    /// Input weight w now.
    pub w: f64,
    /// Output weight v now.
    pub v: f64,
    /// The start of this run, (w₀, v₀).
    pub start: [f64; 2],
    /// w·v now: the rescaling orbit the point is on.
    pub product: f64,
    /// ∂L/∂w now.
    pub grad_w: f64,
    /// ∂L/∂v now.
    pub grad_v: f64,
    /// f(x) at each input of [`PROBE_INPUTS`].
    pub f: Vec<f64>,
    /// Whether the minima can be reached from the start of this run.
    pub start_kind: StartKind,
    /// w ≤ 0 now: the neuron is silent on every input.
    pub silent: bool,
    /// L ≤ [`MINIMUM_LOSS`]: a global minimum (w·v = 1) is reached.
    pub at_minimum: bool,
}

/// A live run of the one-neuron network, from a chosen start.
#[derive(Debug, Clone)]
pub struct NeuronRun {
    run: LiveRun,
    start: (f64, f64),
    data: Dataset,
}

impl NeuronRun {
    /// A run from `cfg`.
    ///
    /// # Errors
    /// [`ConfigError`] naming the bad field (a point outside the window or not finite, a learning
    /// rate out of range, an unknown integrator).
    pub fn new(cfg: &NeuronConfig) -> Result<Self, ConfigError> {
        let integrator = match &cfg.integrator {
            Some(name) => Integrator::parse(name)?,
            None => Integrator::Gd,
        };
        Self::from_point(cfg.w, cfg.v, cfg.lr.unwrap_or(DEFAULT_LR), integrator)
    }

    /// A run from (w, v) with learning rate `lr` and `integrator`.
    ///
    /// # Errors
    /// As [`NeuronRun::new`].
    pub fn from_point(
        w: f64,
        v: f64,
        lr: f64,
        integrator: Integrator,
    ) -> Result<Self, ConfigError> {
        validate_point(w, v)?;
        validate_lr(lr)?;
        let data = teacher();
        let trainer = Self::trainer_at(w, v, lr, integrator, &data)?;
        Ok(Self {
            run: LiveRun::new(trainer, None, true),
            start: (w, v),
            data,
        })
    }

    fn trainer_at(
        w: f64,
        v: f64,
        lr: f64,
        integrator: Integrator,
        data: &Dataset,
    ) -> Result<Trainer, ConfigError> {
        let net = Network::from_params(architecture(), vec![w, v])?;
        Trainer::new(net, data, lr, integrator)
    }

    /// Starts a new run from (w, v) with the same settings.
    ///
    /// # Errors
    /// [`ConfigError::OutOfRange`] when w or v is not finite or outside the window; the run is then
    /// unchanged.
    pub fn set_point(&mut self, w: f64, v: f64) -> Result<(), ConfigError> {
        let t = self.run.trainer();
        *self = Self::from_point(w, v, t.lr(), t.integrator())?;
        Ok(())
    }

    /// Starts a new run from the current point moved by (dw, dv) (keyboard nudges).
    ///
    /// # Errors
    /// As [`NeuronRun::set_point`].
    pub fn nudge(&mut self, dw: f64, dv: f64) -> Result<(), ConfigError> {
        let (w, v) = self.point();
        self.set_point(w + dw, v + dv)
    }

    /// Applies the function-preserving rescaling (w, v) ↦ (αw, v/α) to the current point and starts
    /// a new run from there (the run then conserves the new c = α²w² − v²/α²).
    ///
    /// # Errors
    /// [`ConfigError::OutOfRange`] when α is not a finite positive number or the rescaled point
    /// leaves the window; the run is then unchanged.
    pub fn rescale(&mut self, alpha: f64) -> Result<(), ConfigError> {
        if !(alpha.is_finite() && alpha > 0.0) {
            return Err(ConfigError::OutOfRange {
                name: "rescaling factor α",
                value: alpha,
                range: "a finite number greater than 0",
            });
        }
        let (w, v) = self.point();
        let (nw, nv) = (alpha * w, v / alpha);
        if !(nw.abs() <= WINDOW && nv.abs() <= WINDOW) {
            return Err(ConfigError::Mismatch(format!(
                "α = {alpha} would move the point to (w, v) = ({nw:.3}, {nv:.3}), outside the \
                 plotted window |w|, |v| ≤ {WINDOW}: choose an α closer to 1"
            )));
        }
        self.set_point(nw, nv)
    }

    /// Changes the learning rate and the integrator and restarts from the start of this run.
    ///
    /// # Errors
    /// [`ConfigError`] for a learning rate out of range; the run is then unchanged.
    pub fn set_settings(&mut self, lr: f64, integrator: Integrator) -> Result<(), ConfigError> {
        let (w, v) = self.start;
        *self = Self::from_point(w, v, lr, integrator)?;
        Ok(())
    }

    /// Restarts from the start of this run.
    pub fn reset(&mut self) {
        let (w, v) = self.start;
        let t = self.run.trainer();
        if let Ok(trainer) = Self::trainer_at(w, v, t.lr(), t.integrator(), &self.data) {
            self.run = LiveRun::new(trainer, None, true);
        }
    }

    /// Takes up to `n` steps; returns how many were taken.
    ///
    /// # Errors
    /// The [`TrainError`] that stopped the run (the steps before it are kept).
    pub fn step(&mut self, n: u32) -> Result<u32, TrainError> {
        self.run.step(n)
    }

    /// The current point (w, v).
    pub fn point(&self) -> (f64, f64) {
        let p = self.run.trainer().params();
        (p[0], p[1])
    }

    /// The start of this run (w₀, v₀).
    pub fn start(&self) -> (f64, f64) {
        self.start
    }

    /// ∇L = (∂L/∂w, ∂L/∂v) at the current point.
    pub fn gradient(&mut self) -> (f64, f64) {
        let g = self.run.trainer_mut().current_gradient();
        (g[0], g[1])
    }

    /// f(x) at the current point.
    pub fn predict(&self, x: f64) -> f64 {
        let (w, v) = self.point();
        v * relu(w * x)
    }

    /// Kept points (w, v) of the trajectory, oldest first, ending at the current point.
    pub fn trajectory(&self) -> Vec<(f64, f64)> {
        self.run
            .trajectory(0)
            .iter()
            .map(|p| (p[0], p[2]))
            .collect()
    }

    /// The step of each point of [`NeuronRun::trajectory`] (strictly increasing, from 0 to the
    /// current step).
    pub fn trajectory_steps(&self) -> &[u64] {
        self.run.trajectory_steps(0)
    }

    /// Kept points of the trajectory as (step, (w, v)), oldest first, each with its true step
    /// index (a thinned history keeps every 2nd, 4th, … step).
    pub fn trajectory_samples(&self) -> Vec<(u64, (f64, f64))> {
        self.run
            .trajectory_steps(0)
            .iter()
            .copied()
            .zip(self.trajectory())
            .collect()
    }

    /// The shared live run (histories, trainer).
    pub fn run(&self) -> &LiveRun {
        &self.run
    }

    /// The trainer (learning rate, integrator, step count, …).
    pub fn trainer(&self) -> &Trainer {
        self.run.trainer()
    }

    /// The readout of the current state.
    pub fn readout(&mut self) -> NeuronReadout {
        let run = self.run.readout();
        let (grad_w, grad_v) = self.gradient();
        let (w, v) = self.point();
        let c_initial = run.c_initial[0];
        NeuronReadout {
            w,
            v,
            start: [self.start.0, self.start.1],
            product: w * v,
            grad_w,
            grad_v,
            f: PROBE_INPUTS.iter().map(|&x| self.predict(x)).collect(),
            start_kind: classify_start(self.start.0, self.start.1, c_initial),
            silent: w <= 0.0,
            at_minimum: run.loss <= MINIMUM_LOSS,
            run,
        }
    }
}

/// Checks that (w, v) is finite and inside the plotted window.
///
/// # Errors
/// [`ConfigError::OutOfRange`] naming w or v.
pub fn validate_point(w: f64, v: f64) -> Result<(), ConfigError> {
    for (name, value) in [("w", w), ("v", v)] {
        if !(value.is_finite() && value.abs() <= WINDOW) {
            return Err(ConfigError::OutOfRange {
                name,
                value,
                range: "a number between −3 and 3 (the plotted window)",
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teacher_is_positive_and_fits_y_equals_x() {
        let d = teacher();
        assert_eq!(d.n, N_SAMPLES);
        assert!(d.x.iter().all(|&x| x > 0.0 && x <= 2.0));
        assert_eq!(d.x, d.y);
    }

    #[test]
    fn classification_follows_the_signs() {
        assert_eq!(classify_start(2.0, -0.5, 3.75), StartKind::Reachable);
        assert_eq!(
            classify_start(0.5, -1.5, -2.0),
            StartKind::FrozenNegativeOutput
        );
        assert_eq!(classify_start(0.5, 1.5, -2.0), StartKind::Reachable);
        assert_eq!(classify_start(-1.0, 0.5, 0.75), StartKind::Silent);
    }

    #[test]
    fn bad_settings_are_refused_and_leave_the_run_alone() {
        let mut run = NeuronRun::from_point(1.0, 0.5, 0.05, Integrator::Gd).unwrap();
        assert!(run.set_point(f64::NAN, 0.0).is_err());
        assert!(run.set_point(3.5, 0.0).is_err());
        assert!(run.rescale(0.0).is_err());
        assert!(run.rescale(-1.0).is_err());
        assert!(run.rescale(f64::INFINITY).is_err());
        assert!(run.rescale(10.0).is_err());
        assert!(run.set_settings(0.0, Integrator::Gd).is_err());
        assert_eq!(run.point(), (1.0, 0.5));
        let bad = NeuronConfig {
            w: 1.0,
            v: 1.0,
            lr: None,
            integrator: Some("euler".into()),
        };
        assert!(NeuronRun::new(&bad).is_err());
    }
}
