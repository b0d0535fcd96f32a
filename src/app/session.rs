//! A Fig. 3 run: a preset and a seed over the shared [`LiveRun`] (bounded histories of the loss and
//! of each neuron's (w₁, w₂, v), divergence handling, the common readout).
//!
//! Like the rest of the app layer, nothing here reads a clock or the DOM.

use crate::app::framing::Framing;
use crate::app::history::History;
use crate::app::live_run::{LiveRun, RunReadout};
use crate::core::error::{ConfigError, TrainError};
use crate::core::topology::Verdict;
use crate::core::train::{Integrator, Trainer, validate_lr};
use crate::experiments::presets::Preset;
use serde::{Deserialize, Serialize};

/// Largest seed accepted from the outside (JavaScript numbers are exact up to 2^53).
pub const MAX_SEED: u64 = (1 << 53) - 1;

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

/// A live Fig. 3 run.
#[derive(Debug, Clone)]
pub struct Session {
    preset: Preset,
    seed: u64,
    run: LiveRun,
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
        let trainer = Trainer::new(ex.net, &ex.train, lr, integrator)?;
        Ok(Self {
            preset,
            seed: cfg.seed,
            run: LiveRun::new(trainer, ex.need, true),
        })
    }

    /// Takes up to `n` steps; returns how many were taken.
    ///
    /// # Errors
    /// The [`TrainError`] that stopped the run (see [`LiveRun::step`]).
    pub fn step(&mut self, n: u32) -> Result<u32, TrainError> {
        self.run.step(n)
    }

    /// The readout of the current state.
    pub fn readout(&mut self) -> RunReadout {
        self.run.readout()
    }

    /// The obstruction verdict of the current component (see [`LiveRun::verdict`]).
    pub fn verdict(&self) -> Option<Verdict> {
        self.run.verdict()
    }

    /// The shared live run (histories, trainer).
    pub fn run(&self) -> &LiveRun {
        &self.run
    }

    /// (t, L(θ_t)) for the kept steps t (see [`LiveRun::loss_history`]).
    pub fn loss_history(&self) -> &[(f64, f64)] {
        self.run.loss_history()
    }

    /// Kept (w₁, w₂, v) of neuron k, oldest first, ending at the current point.
    pub fn trajectory(&self, k: usize) -> &[[f64; 3]] {
        self.run.trajectory(k)
    }

    /// The frame of neuron k's 3-D panel (see [`LiveRun::frame`]).
    pub fn frame(&self, k: usize) -> Option<Framing> {
        self.run.frame(k)
    }

    /// The step of each point of [`Session::trajectory`].
    pub fn trajectory_steps(&self, k: usize) -> &[u64] {
        self.run.trajectory_steps(k)
    }

    /// The loss history as recorded, for exports and tests.
    pub fn loss_record(&self) -> &History<(f64, f64)> {
        self.run.loss_record()
    }

    /// The (w₁, w₂, v) trails as recorded, one per neuron, for exports and tests.
    pub fn trajectory_records(&self) -> &[History<[f64; 3]>] {
        self.run.trajectory_records()
    }

    /// The trainer (parameters, conserved quantities, …).
    pub fn trainer(&self) -> &Trainer {
        self.run.trainer()
    }

    /// The preset.
    pub fn preset(&self) -> Preset {
        self.preset
    }

    /// The seed of data and initialization.
    pub fn seed(&self) -> u64 {
        self.seed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
