//! The one live-run type of the app: a [`Trainer`] with bounded histories, divergence handling and
//! the readout every training view shares. Fig. 3's runs ([`crate::app::session::Session`]), the
//! Fig. 1b neuron ([`crate::app::single_neuron::NeuronRun`]) and the appendix view's random network
//! ([`crate::app::random_run::RandomRun`]) each wrap one and add only what is their own.
//!
//! # Conventions
//! - The loss history holds (t, L(θ_t)) for t = 0, 1, …: the loss at the start of each step, the
//!   same numbers as the `loss` array of `obstruction train`.
//! - Trajectories (when recorded) hold the first two coordinates of w_k and the first of v_k:
//!   exactly (w₁, w₂, v) for the d = 2, e = 1 network of Fig. 3, and (w, 0, v) for d = 1.
//! - A step that diverges is undone by the trainer; the histories then end at the state it went
//!   back to, and the loss at the state reached is checked after every batch of steps, so a
//!   readout never shows a non-finite loss.
//! - Nothing here reads a clock or the DOM.

use serde::{Deserialize, Serialize};

use crate::app::format;
use crate::app::framing::Framing;
use crate::app::history::{HISTORY_CAPACITY, History};
use crate::app::link;
use crate::core::error::TrainError;
use crate::core::network::Network;
use crate::core::topology::{
    Verdict, component_label, connected_components, effective_components, obstruction_verdict,
    obstruction_verdict_d1, pathological_signs,
};
use crate::core::train::Trainer;

/// The sentence of a run stopped by `e`, with every number said by [`format`] (the views that
/// train all say a failure in these words).
pub fn failure_sentence(e: &TrainError) -> String {
    match *e {
        TrainError::Diverged { step, loss, lr } => {
            let what = if loss.is_finite() {
                format!("the loss reached {}", format::loss(loss))
            } else {
                format::loss(loss)
            };
            format!(
                "Training diverged at step {step} ({what}) with learning rate η = {}: lower the \
                 learning rate and reset.",
                if lr.is_finite() {
                    link::format_number(lr)
                } else {
                    format::non_finite(lr).to_string()
                }
            )
        }
        TrainError::StepBudget { step } => format!(
            "The gradient-flow integrator needed too many substeps at step {step}: lower the \
             learning rate and reset."
        ),
    }
}

/// What every live run shows: the readout fields the training views share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunReadout {
    /// Learning rate.
    pub lr: f64,
    /// Integrator name.
    pub integrator: &'static str,
    /// Steps taken.
    pub step: u64,
    /// Flow time, steps × η.
    pub time: f64,
    /// L(θ) now (finite: a diverged run shows its last finite state).
    pub loss: f64,
    /// c_k now.
    pub c: Vec<f64>,
    /// c_k at the start.
    pub c_initial: Vec<f64>,
    /// c_k(now) − c_k(0).
    pub c_drift: Vec<f64>,
    /// Largest |drift| seen after any step.
    pub max_c_drift: f64,
    /// Sheet signs of the disconnected neurons now (the component label).
    pub component_label: Vec<i8>,
    /// Number of components of H(c(0)) (a float, so it crosses to JavaScript as a number; exact
    /// up to 2^53).
    pub components: f64,
    /// Number of effective components (our reading).
    pub effective_components: f64,
    /// Sheet jumps so far (a discretization artefact).
    pub sheet_jumps: u64,
    /// The obstruction verdict, when the target's needs are known.
    pub verdict: Option<Verdict>,
    /// The error that stopped the run, if any.
    pub failure: Option<String>,
}

/// A network as the topology view shows it: its shape, its conserved quantities at the start and
/// the component it is in now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkSummary {
    /// Input dimension (a hidden bias counted as one more input).
    pub d: usize,
    /// Output dimension.
    pub e: usize,
    /// c_k at the start of the run.
    pub c: Vec<f64>,
    /// The component label now (signs of the disconnected neurons' output weights).
    pub label: Vec<i8>,
    /// Steps taken.
    pub step: u64,
}

/// A trainer with its bounded histories (see the module header).
#[derive(Debug, Clone)]
pub struct LiveRun {
    trainer: Trainer,
    need: Option<(usize, usize)>,
    /// For d = 1: the (side, sign) ReLU terms the target needs ([`obstruction_verdict_d1`]).
    d1_slots: Option<Vec<(i8, i8)>>,
    loss: History<(f64, f64)>,
    trajectories: Vec<History<[f64; 3]>>,
    /// Per recorded neuron, the frame of its 3-D panel: it has seen every point visited, the ones
    /// the history has thinned away included.
    frames: Vec<Framing>,
}

impl LiveRun {
    /// A run of `trainer` whose target needs `need` = (positive, negative) ReLU terms (when
    /// known); with `trajectories`, every neuron's (w₁, w₂, v) is recorded too.
    pub fn new(trainer: Trainer, need: Option<(usize, usize)>, trajectories: bool) -> Self {
        let l = if trajectories { trainer.arch().l } else { 0 };
        let mut run = Self {
            trainer,
            need,
            d1_slots: None,
            loss: History::new(HISTORY_CAPACITY),
            trajectories: (0..l).map(|_| History::new(HISTORY_CAPACITY)).collect(),
            frames: Vec::with_capacity(l),
        };
        run.frames = (0..l).map(|k| run.start_frame(k)).collect();
        run.record_point();
        run
    }

    fn record_point(&mut self) {
        for k in 0..self.trajectories.len() {
            let now = self.point_of(k);
            self.trajectories[k].push(now);
            self.frames[k].visit(now);
        }
    }

    /// The current (w₁, w₂, v) of neuron k.
    pub fn point_of(&self, k: usize) -> [f64; 3] {
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
            // The undone steps were not visited: frame the kept trail again.
            let mut frame = self.start_frame(k);
            for &p in self.trajectories[k].values() {
                frame.visit(p);
            }
            self.frames[k] = frame;
        }
        e
    }

    /// The shared readout of the current state.
    pub fn readout(&mut self) -> RunReadout {
        let loss = self.trainer.current_loss();
        let t = &self.trainer;
        let arch = *t.arch();
        let c0 = t.c_initial().to_vec();
        let net = t.network();
        let d_eff = arch.input_dim();
        RunReadout {
            lr: t.lr(),
            integrator: t.integrator().name(),
            step: t.steps(),
            time: t.time(),
            loss,
            c: t.c_now().to_vec(),
            c_drift: t.c_now().iter().zip(&c0).map(|(a, b)| a - b).collect(),
            max_c_drift: t.max_c_drift_seen(),
            component_label: component_label(&net, &c0),
            components: connected_components(d_eff, arch.e, &c0).map_or(f64::NAN, |n| n as f64),
            effective_components: effective_components(d_eff, arch.e, &c0)
                .map_or(f64::NAN, |n| n as f64),
            sheet_jumps: t.sheet_jumps(),
            verdict: self.verdict_of(&net),
            failure: t.failure().map(|e| e.to_string()),
            c_initial: c0,
        }
    }

    /// The obstruction verdict of the current component, when the target's needs are known.
    /// Cheaper than [`LiveRun::readout`] (no loss evaluation).
    pub fn verdict(&self) -> Option<Verdict> {
        self.verdict_of(&self.trainer.network())
    }

    /// The same run whose target, for d = 1, needs the ReLU terms `slots` = (side, sign): its
    /// verdict then also counts the frozen sign of w_k where c_k > 0 ([`obstruction_verdict_d1`]).
    pub fn with_d1_slots(mut self, slots: Vec<(i8, i8)>) -> Self {
        self.d1_slots = Some(slots);
        self
    }

    fn verdict_of(&self, net: &Network) -> Option<Verdict> {
        let c0 = self.trainer.c_initial();
        if let Some(slots) = &self.d1_slots
            && net.arch().input_dim() == 1
            && net.arch().e == 1
        {
            let l = net.arch().l;
            let w: Vec<f64> = (0..l).map(|k| net.w(k)[0]).collect();
            let v: Vec<f64> = (0..l).map(|k| net.v(k)[0]).collect();
            return obstruction_verdict_d1(c0, &w, &v, slots).ok();
        }
        self.need.and_then(|(p, n)| {
            obstruction_verdict(net.arch().e, c0, &pathological_signs(net, c0), p, n).ok()
        })
    }

    /// (t, L(θ_t)) for the kept steps t (true step indices, increasing from 0; see [`History`]).
    pub fn loss_history(&self) -> &[(f64, f64)] {
        self.loss.values()
    }

    /// The loss history as recorded (values (t, L(θ_t)) with their steps), for exports and tests.
    pub fn loss_record(&self) -> &History<(f64, f64)> {
        &self.loss
    }

    /// Kept (w₁, w₂, v) of neuron k, oldest first, ending at the current point (empty for a neuron
    /// that does not exist or when trajectories are not recorded).
    pub fn trajectory(&self, k: usize) -> &[[f64; 3]] {
        self.trajectories.get(k).map_or(&[], |h| h.values())
    }

    /// The step of each point of [`LiveRun::trajectory`] (strictly increasing, from 0 to the
    /// current step).
    pub fn trajectory_steps(&self, k: usize) -> &[u64] {
        self.trajectories.get(k).map_or(&[], |h| h.steps())
    }

    /// The frame of neuron k's 3-D panel ([`Framing`]): it contains every point visited since step
    /// 0 and only grows while the run steps; a divergence, whose steps are undone, frames the
    /// kept trail again. `None` for a neuron that does not exist or when trajectories are not
    /// recorded.
    pub fn frame(&self, k: usize) -> Option<Framing> {
        self.frames.get(k).copied()
    }

    fn start_frame(&self, k: usize) -> Framing {
        let c = self.trainer.c_initial().get(k).copied().unwrap_or(0.0);
        Framing::new(c, self.point_of(k))
    }

    /// The trails as recorded, one per neuron, for exports and tests.
    pub fn trajectory_records(&self) -> &[History<[f64; 3]>] {
        &self.trajectories
    }

    /// The network's shape, c(0) and component now.
    pub fn network_summary(&self) -> NetworkSummary {
        let t = &self.trainer;
        let arch = *t.arch();
        let c = t.c_initial().to_vec();
        NetworkSummary {
            d: arch.input_dim(),
            e: arch.e,
            label: component_label(&t.network(), &c),
            c,
            step: t.steps(),
        }
    }

    /// The trainer (parameters, conserved quantities, …).
    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    /// The trainer, for the gradient at the current point (cached by the trainer).
    pub fn trainer_mut(&mut self) -> &mut Trainer {
        &mut self.trainer
    }
}
