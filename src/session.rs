//! A live training run as the app shows it: a [`Trainer`] plus what the panels need — bounded
//! histories of the loss and of each neuron's (w₁, w₂, v), and one readout per frame.
//!
//! # Conventions
//! - The loss history holds (t, L(θ_t)) for t = 0, 1, …: the loss at the start of each step, the
//!   same numbers as the `loss` array of `obstruction train`.
//! - Histories are bounded ([`History`]): when one reaches its capacity, every other point is
//!   dropped and only every 2nd (then 4th, …) later step is recorded, so a run of any length keeps
//!   O(capacity) memory. Step 0 and the latest point are always kept, and every kept point carries
//!   its true step index, so charts and exports place it at the right step.
//! - Trajectories record the first two coordinates of w_k and the first of v_k: exactly
//!   (w₁, w₂, v) for the d = 2, e = 1 network of Fig. 3.
//! - Like the rest of the core, nothing here reads a clock or the DOM.

use crate::error::{ConfigError, TrainError};
use crate::presets::Preset;
use crate::topology::{
    QuadricKind, Verdict, component_label, connected_components, effective_components,
    obstruction_verdict, pathological_signs, quadric_kind,
};
use crate::train::{Integrator, Trainer, validate_lr};
use serde::{Deserialize, Serialize};

/// Default number of points a history keeps before it thins itself.
pub const HISTORY_CAPACITY: usize = 4096;
/// Largest seed accepted from the outside (JavaScript numbers are exact up to 2^53).
pub const MAX_SEED: u64 = (1 << 53) - 1;

/// A bounded record of a growing series x_0, x_1, x_2, … (element i is "step i"), decimated as it
/// grows.
///
/// It keeps the elements whose step is a multiple of the current *stride* (1 at first), plus the
/// latest element. When a new element would make it hold more than `capacity`, the stride doubles
/// and every kept element whose step is not a multiple of the new stride is dropped. So it always
/// holds at most `capacity` elements, step 0 and the latest step are always kept, the kept steps are
/// strictly increasing and evenly spaced (except the gap before the latest one), and each kept
/// element carries its true step ([`History::steps`]) so that a chart or an export places it right.
/// Memory is O(capacity) whatever the length of the run; pushing is amortized O(1).
#[derive(Debug, Clone, PartialEq)]
pub struct History<T> {
    steps: Vec<u64>,
    values: Vec<T>,
    capacity: usize,
    stride: u64,
    seen: u64,
}

impl<T: Copy> History<T> {
    /// An empty history keeping at most `capacity` elements (at least 2).
    pub fn new(capacity: usize) -> Self {
        Self {
            steps: Vec::new(),
            values: Vec::new(),
            capacity: capacity.max(2),
            stride: 1,
            seen: 0,
        }
    }

    /// Offers the next element of the series (step [`History::seen`]).
    pub fn push(&mut self, item: T) {
        let step = self.seen;
        self.seen += 1;
        // The previous latest element stays only if it lies on the stride grid.
        if self
            .steps
            .last()
            .is_some_and(|s| !s.is_multiple_of(self.stride))
        {
            self.steps.pop();
            self.values.pop();
        }
        if self.steps.len() >= self.capacity {
            self.stride = self.stride.saturating_mul(2);
            let stride = self.stride;
            let mut keep = 0;
            for i in 0..self.steps.len() {
                if self.steps[i].is_multiple_of(stride) {
                    self.steps[keep] = self.steps[i];
                    self.values[keep] = self.values[i];
                    keep += 1;
                }
            }
            self.steps.truncate(keep);
            self.values.truncate(keep);
        }
        self.steps.push(step);
        self.values.push(item);
    }

    /// Goes back to step `step` with value `item`: drops every kept element at or after `step` and
    /// records `item` as the latest one (used when a diverged run returns to an earlier state).
    /// Does nothing when `step` is beyond the latest step offered.
    pub fn rewind(&mut self, step: u64, item: T) {
        if step > self.seen {
            return;
        }
        let keep = self.steps.partition_point(|s| *s < step);
        self.steps.truncate(keep);
        self.values.truncate(keep);
        self.seen = step;
        self.push(item);
    }

    /// The kept elements, oldest first (the last one is the latest offered).
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// The step of each kept element: strictly increasing, starting at 0, ending at the latest step.
    pub fn steps(&self) -> &[u64] {
        &self.steps
    }

    /// The kept (step, element) pairs, oldest first.
    pub fn points(&self) -> impl Iterator<Item = (u64, T)> + '_ {
        self.steps.iter().copied().zip(self.values.iter().copied())
    }

    /// The latest element offered.
    pub fn latest(&self) -> Option<T> {
        self.values.last().copied()
    }

    /// The largest number of elements kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many elements were offered.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// The current spacing between kept steps.
    pub fn stride(&self) -> u64 {
        self.stride
    }
}

/// What the app asks for: a preset, a seed and optional overrides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionConfig {
    /// Preset name (see [`Preset::name`]).
    pub preset: String,
    /// Seed of data and initialization.
    #[serde(default)]
    pub seed: u64,
    /// Learning rate; the preset's when absent.
    #[serde(default)]
    pub lr: Option<f64>,
    /// Integrator name (`gd`, `flow`, `conserving`); the preset's when absent.
    #[serde(default)]
    pub integrator: Option<String>,
}

/// Everything the readouts of one run show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readout {
    /// Preset name.
    pub preset: String,
    /// Seed.
    pub seed: u64,
    /// Learning rate.
    pub lr: f64,
    /// Integrator name.
    pub integrator: &'static str,
    /// Steps taken.
    pub step: u64,
    /// Flow time, steps × η.
    pub time: f64,
    /// L(θ) now.
    pub loss: f64,
    /// c_k now.
    pub c: Vec<f64>,
    /// c_k at the start.
    pub c_initial: Vec<f64>,
    /// c_k(now) − c_k(0).
    pub c_drift: Vec<f64>,
    /// Largest |drift| seen after any step.
    pub max_c_drift: f64,
    /// Kind of each quadric Q(c_k(0)).
    pub quadrics: Vec<QuadricKind>,
    /// Sheet signs of the disconnected neurons now.
    pub component_label: Vec<i8>,
    /// Number of components of H(c(0)) (a float, so it crosses to JavaScript as a number; exact
    /// up to 2^53).
    pub components: f64,
    /// Number of effective components (our reading).
    pub effective_components: f64,
    /// Sheet jumps so far.
    pub sheet_jumps: u64,
    /// The obstruction verdict, when the target's needs are known.
    pub verdict: Option<Verdict>,
    /// The error that stopped the run, if any.
    pub failure: Option<String>,
}

/// A live run with its histories.
#[derive(Debug, Clone)]
pub struct Session {
    preset: Preset,
    seed: u64,
    need: Option<(usize, usize)>,
    trainer: Trainer,
    loss: History<(f64, f64)>,
    trajectories: Vec<History<[f64; 3]>>,
}

impl Session {
    /// Builds the run described by `cfg`.
    ///
    /// # Errors
    /// [`ConfigError`] naming the bad field (unknown preset or integrator, seed above
    /// [`MAX_SEED`], learning rate out of range).
    pub fn new(cfg: &SessionConfig) -> Result<Self, ConfigError> {
        let preset = Preset::parse(&cfg.preset)?;
        if cfg.seed > MAX_SEED {
            return Err(ConfigError::OutOfRange {
                name: "seed",
                value: cfg.seed as f64,
                range: "a whole number between 0 and 9007199254740991",
            });
        }
        let ex = preset.build(cfg.seed)?;
        let lr = cfg.lr.unwrap_or(ex.lr);
        validate_lr(lr)?;
        let integrator = match &cfg.integrator {
            Some(name) => Integrator::parse(name)?,
            None => ex.integrator,
        };
        let l = ex.net.arch().l;
        let trainer = Trainer::new(ex.net, &ex.train, lr, integrator)?;
        let mut session = Self {
            preset,
            seed: cfg.seed,
            need: ex.need,
            trainer,
            loss: History::new(HISTORY_CAPACITY),
            trajectories: (0..l).map(|_| History::new(HISTORY_CAPACITY)).collect(),
        };
        session.record_point();
        Ok(session)
    }

    fn record_point(&mut self) {
        for k in 0..self.trajectories.len() {
            let now = self.point_of(k);
            self.trajectories[k].push(now);
        }
    }

    /// The current (w₁, w₂, v) of neuron k.
    fn point_of(&self, k: usize) -> [f64; 3] {
        let arch = *self.trainer.arch();
        let p = self.trainer.params();
        let m = arch.input_dim();
        let w = &p[k * m..(k + 1) * m];
        [
            w[0],
            w.get(1).copied().unwrap_or(0.0),
            p[arch.v_offset() + k * arch.e],
        ]
    }

    /// Takes up to `n` steps; returns how many were taken.
    ///
    /// # Errors
    /// The [`TrainError`] that stopped the run (the steps before it are kept; the trajectories end
    /// at the state the trainer went back to).
    pub fn step(&mut self, n: u32) -> Result<u32, TrainError> {
        for _ in 0..n {
            match self.trainer.step() {
                Ok(r) => {
                    self.loss.push(((r.step - 1) as f64, r.loss));
                    self.record_point();
                }
                Err(e) => return Err(self.rewind_trajectories(e)),
            }
        }
        // The loss at the state reached is only seen by the next step: check it now, so that a
        // readout never shows an infinite loss.
        match self.trainer.checked_loss() {
            Ok(_) => Ok(n),
            Err(e) => Err(self.rewind_trajectories(e)),
        }
    }

    /// Ends every trajectory at the state the trainer went back to after `e`.
    fn rewind_trajectories(&mut self, e: TrainError) -> TrainError {
        let step = self.trainer.steps();
        for k in 0..self.trajectories.len() {
            let now = self.point_of(k);
            self.trajectories[k].rewind(step, now);
        }
        e
    }

    /// The readout of the current state.
    pub fn readout(&mut self) -> Readout {
        let loss = self.trainer.current_loss();
        let t = &self.trainer;
        let arch = *t.arch();
        let c0 = t.c_initial().to_vec();
        let net = t.network();
        let d_eff = arch.input_dim();
        let verdict = self.verdict_of(&net);
        Readout {
            preset: self.preset.name().to_string(),
            seed: self.seed,
            lr: t.lr(),
            integrator: t.integrator().name(),
            step: t.steps(),
            time: t.time(),
            loss,
            c: t.c_now().to_vec(),
            c_drift: t.c_now().iter().zip(&c0).map(|(a, b)| a - b).collect(),
            max_c_drift: t.max_c_drift_seen(),
            quadrics: c0.iter().map(|c| quadric_kind(*c)).collect(),
            component_label: component_label(&net, &c0),
            components: connected_components(d_eff, arch.e, &c0).map_or(f64::NAN, |n| n as f64),
            effective_components: effective_components(d_eff, arch.e, &c0)
                .map_or(f64::NAN, |n| n as f64),
            sheet_jumps: t.sheet_jumps(),
            verdict,
            failure: t.failure().map(|e| e.to_string()),
            c_initial: c0,
        }
    }

    /// The obstruction verdict of the current component, when the target's needs are known.
    /// Cheaper than [`Session::readout`] (no loss evaluation), for code that only needs this.
    pub fn verdict(&self) -> Option<Verdict> {
        self.verdict_of(&self.trainer.network())
    }

    fn verdict_of(&self, net: &crate::network::Network) -> Option<Verdict> {
        let c0 = self.trainer.c_initial();
        self.need.and_then(|(p, n)| {
            obstruction_verdict(net.arch().e, c0, &pathological_signs(net, c0), p, n).ok()
        })
    }

    /// (t, L(θ_t)) for the kept steps t (true step indices, increasing from 0; see [`History`]).
    pub fn loss_history(&self) -> &[(f64, f64)] {
        self.loss.values()
    }

    /// Kept (w₁, w₂, v) of neuron k, oldest first, ending at the current point (empty for a neuron
    /// that does not exist).
    pub fn trajectory(&self, k: usize) -> Vec<[f64; 3]> {
        self.trajectories
            .get(k)
            .map_or_else(Vec::new, |h| h.values().to_vec())
    }

    /// The step of each point of [`Session::trajectory`] (strictly increasing, from 0 to the
    /// current step).
    pub fn trajectory_steps(&self, k: usize) -> &[u64] {
        self.trajectories.get(k).map_or(&[], |h| h.steps())
    }

    /// The loss history as recorded (values (t, L(θ_t)) with their steps), for exports and tests.
    pub fn loss_record(&self) -> &History<(f64, f64)> {
        &self.loss
    }

    /// The (w₁, w₂, v) trails as recorded, one per neuron, for exports and tests.
    pub fn trajectory_records(&self) -> &[History<[f64; 3]>] {
        &self.trajectories
    }

    /// Kept samples of neuron k's trajectory as (step, (w₁, w₂, v)), oldest first, each with its
    /// true step index (a thinned history keeps every 2nd, 4th, … step). The current point is
    /// included only when it was kept.
    pub fn trajectory_samples(&self, k: usize) -> Vec<(u64, [f64; 3])> {
        self.trajectories
            .get(k)
            .map_or_else(Vec::new, |h| h.points().collect())
    }

    /// The trainer (parameters, conserved quantities, …).
    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    /// The preset.
    pub fn preset(&self) -> Preset {
        self.preset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_stays_bounded_and_evenly_spaced() {
        for n in [1u64, 2, 7, 8, 9, 16, 17, 100, 1000, 4097] {
            let mut h = History::new(8);
            for i in 0..n {
                h.push(i * 10);
                assert!(h.values().len() <= 8);
                // The values are the steps ×10 (an independent record of which step each one is).
                let pairs: Vec<(u64, u64)> = h.points().collect();
                assert!(pairs.iter().all(|(s, v)| *v == s * 10), "{pairs:?}");
                assert_eq!(h.steps()[0], 0);
                assert_eq!(*h.steps().last().unwrap(), i);
                assert!(h.steps().windows(2).all(|w| w[0] < w[1]));
            }
            assert_eq!(h.seen(), n);
            let s = h.stride();
            let steps = h.steps();
            // Evenly spaced on the stride grid, except the latest step.
            let grid = &steps[..steps.len() - 1];
            assert!(grid.iter().all(|i| i % s == 0));
            assert!(grid.windows(2).all(|w| w[1] - w[0] == s));
            // The grid reaches within one stride of the latest step.
            assert!(steps[steps.len() - 1] - grid.last().copied().unwrap_or(0) <= s);
        }
    }

    #[test]
    fn history_rewind_drops_later_points_and_keeps_the_given_one() {
        let mut h = History::new(8);
        for i in 0..100u64 {
            h.push(i);
        }
        h.rewind(57, 1000);
        assert_eq!(h.seen(), 58);
        assert_eq!(h.latest(), Some(1000));
        assert_eq!(*h.steps().last().unwrap(), 57);
        assert!(h.steps().windows(2).all(|w| w[0] < w[1]));
        h.rewind(500, 0);
        assert_eq!(h.seen(), 58, "a rewind forward is ignored");
    }

    #[test]
    fn session_records_the_same_losses_as_the_trainer() {
        let cfg = SessionConfig {
            preset: "fig3-good-pm".into(),
            seed: 2,
            lr: None,
            integrator: None,
        };
        let mut s = Session::new(&cfg).unwrap();
        s.step(50).unwrap();
        let ex = Preset::Fig3GoodPM.build(2).unwrap();
        let mut t = Trainer::new(ex.net, &ex.train, ex.lr, Integrator::Gd).unwrap();
        let (reports, _) = t.run(50);
        let expected: Vec<(f64, f64)> = reports
            .iter()
            .map(|r| ((r.step - 1) as f64, r.loss))
            .collect();
        assert_eq!(s.loss_history(), expected.as_slice());
        assert_eq!(s.trajectory(0).len(), 51);
        let r = s.readout();
        assert_eq!(r.step, 50);
        assert_eq!(r.component_label, vec![1, -1]);
        assert_eq!(r.verdict.map(|v| v.obstructed), Some(false));
        assert_eq!(r.loss, t.current_loss());
    }

    #[test]
    fn bad_configurations_are_refused_with_the_field_named() {
        let base = SessionConfig {
            preset: "fig3-good-pm".into(),
            seed: 0,
            lr: None,
            integrator: None,
        };
        let err = |c: SessionConfig| {
            Session::new(&c)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(
            err(SessionConfig {
                preset: "nope".into(),
                ..base.clone()
            })
            .contains("preset")
        );
        assert!(
            err(SessionConfig {
                lr: Some(0.0),
                ..base.clone()
            })
            .contains("learning rate")
        );
        assert!(
            err(SessionConfig {
                lr: Some(f64::NAN),
                ..base.clone()
            })
            .contains("learning rate")
        );
        assert!(
            err(SessionConfig {
                integrator: Some("rk4".into()),
                ..base.clone()
            })
            .contains("integrator")
        );
        assert!(
            err(SessionConfig {
                seed: MAX_SEED + 1,
                ..base
            })
            .contains("seed")
        );
    }

    #[test]
    fn divergence_stops_the_session_and_shows_in_the_readout() {
        let cfg = SessionConfig {
            preset: "fig3-good-pm".into(),
            seed: 0,
            lr: Some(10.0),
            integrator: None,
        };
        let mut s = Session::new(&cfg).unwrap();
        let err = s.step(10_000).unwrap_err();
        assert!(err.to_string().contains("diverged"));
        let r = s.readout();
        assert!(r.failure.is_some());
        assert!(r.loss.is_finite());
        assert!(s.loss_history().iter().all(|(_, l)| l.is_finite()));
    }
}
