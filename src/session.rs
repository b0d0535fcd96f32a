//! A live training run as the app shows it: a [`Trainer`] plus what the panels need — bounded
//! histories of the loss and of each neuron's (w₁, w₂, v), and one readout per frame.
//!
//! # Conventions
//! - The loss history holds (t, L(θ_t)) for t = 0, 1, …: the loss at the start of each step, the
//!   same numbers as the `loss` array of `obstruction train`.
//! - Histories are bounded: when one reaches its capacity, every other point is dropped and only
//!   every 2nd (then 4th, …) later step is recorded, so a run of any length keeps O(capacity) memory.
//!   The latest state is always available separately (the readout and the current point).
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

/// A sequence that keeps at most `capacity` evenly spaced samples of a growing series.
#[derive(Debug, Clone, PartialEq)]
pub struct History<T> {
    items: Vec<T>,
    capacity: usize,
    stride: u64,
    seen: u64,
}

impl<T: Copy> History<T> {
    /// An empty history (capacity at least 2).
    pub fn new(capacity: usize) -> Self {
        Self {
            items: Vec::with_capacity(capacity.max(2)),
            capacity: capacity.max(2),
            stride: 1,
            seen: 0,
        }
    }

    /// Offers the next element of the series; keeps it when its index is a multiple of the stride.
    pub fn push(&mut self, item: T) {
        if self.seen.is_multiple_of(self.stride) {
            if self.items.len() == self.capacity {
                let mut keep = 0;
                for i in (0..self.items.len()).step_by(2) {
                    self.items[keep] = self.items[i];
                    keep += 1;
                }
                self.items.truncate(keep);
                self.stride *= 2;
            }
            if self.seen.is_multiple_of(self.stride) {
                self.items.push(item);
            }
        }
        self.seen += 1;
    }

    /// The kept samples, oldest first.
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// How many elements were offered.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// The current spacing between kept samples.
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
        let arch = *self.trainer.arch();
        let p = self.trainer.params();
        let m = arch.input_dim();
        for (k, h) in self.trajectories.iter_mut().enumerate() {
            let w = &p[k * m..(k + 1) * m];
            let v0 = p[arch.v_offset() + k * arch.e];
            h.push([w[0], w.get(1).copied().unwrap_or(0.0), v0]);
        }
    }

    /// Takes up to `n` steps; returns how many were taken.
    ///
    /// # Errors
    /// The [`TrainError`] that stopped the run (the steps before it are kept).
    pub fn step(&mut self, n: u32) -> Result<u32, TrainError> {
        for done in 0..n {
            match self.trainer.step() {
                Ok(r) => {
                    self.loss.push(((r.step - 1) as f64, r.loss));
                    self.record_point();
                }
                Err(e) => {
                    let _ = done;
                    return Err(e);
                }
            }
        }
        Ok(n)
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

    /// (t, L(θ_t)) for the kept steps.
    pub fn loss_history(&self) -> &[(f64, f64)] {
        self.loss.items()
    }

    /// Kept (w₁, w₂, v) of neuron k, oldest first, ending at the current point.
    pub fn trajectory(&self, k: usize) -> Vec<[f64; 3]> {
        let Some(h) = self.trajectories.get(k) else {
            return Vec::new();
        };
        let mut out = h.items().to_vec();
        let arch = *self.trainer.arch();
        let p = self.trainer.params();
        let m = arch.input_dim();
        let w = &p[k * m..(k + 1) * m];
        let now = [
            w[0],
            w.get(1).copied().unwrap_or(0.0),
            p[arch.v_offset() + k * arch.e],
        ];
        if out.last() != Some(&now) {
            out.push(now);
        }
        out
    }

    /// Kept samples of neuron k's trajectory as (step, (w₁, w₂, v)), oldest first, each with its
    /// true step index (a thinned history keeps every 2nd, 4th, … step). The current point is
    /// included only when it was kept.
    pub fn trajectory_samples(&self, k: usize) -> Vec<(u64, [f64; 3])> {
        self.trajectories.get(k).map_or_else(Vec::new, |h| {
            let stride = h.stride();
            (0u64..)
                .map(|j| j * stride)
                .zip(h.items().iter().copied())
                .collect()
        })
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
        let mut h = History::new(8);
        for i in 0..1000u64 {
            h.push(i);
        }
        assert!(h.items().len() <= 8);
        assert_eq!(h.seen(), 1000);
        let s = h.stride();
        assert!(h.items().iter().all(|i| i % s == 0));
        assert!(h.items().windows(2).all(|w| w[1] - w[0] == s));
        assert_eq!(h.items()[0], 0);
        // The newest kept sample is within one stride of the end.
        assert!(1000 - h.items().last().unwrap() <= s);
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
