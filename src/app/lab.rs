//! The lab's view model: the reader's own network (built from a scheme, or brought as a weights
//! file in `nn.Linear` shapes), checked (c_k, pathological neurons, components, P(obstruction)),
//! rebalanced onto one quadric without changing its function, and trained on a teacher, the breast
//! cancer data or the reader's CSV with the optimizers and activations of [`crate::core::optim`],
//! with c_k, its drift and the escapes live.
//!
//! # Conventions
//! - Settings are the `lab` link schema; a network or data set the reader brought is held here and
//!   is not in the link ([`LabModel::link_values`] says so).
//! - Work is cut into slices of about [`SLICE_WORK`] multiply-adds ([`LabModel::work`]); the page
//!   calls it until its frame budget is spent, so a frame stays short whatever the size, and a
//!   run is the same to the last bit however its work was sliced.
//! - A teacher data set is built a slice at a time too, before its run starts.
//! - The theory sentences are tested in `tests/lab_dynamics.rs` before the page says them.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::app::format;
use crate::app::history::History;
use crate::app::link::{Rejection, Value, View};
use crate::app::live_run::failure_sentence;
use crate::app::view::{Field, Sentence, Settings, ViewModel};
use crate::core::data::{
    Dataset, TeacherBuilder, TeacherSpec, breast_cancer_available, breast_cancer_split,
};
use crate::core::error::{ConfigError, InputError};
use crate::core::init::{InitScheme, initialize};
use crate::core::inspect::{self, Check};
use crate::core::network::{Architecture, Loss, Network};
use crate::core::optim::{Activation, Dynamics, LabTrainer, Optimizer};
use crate::core::probability::{monte_carlo_p, obstruction_odds, odds_from_p};
use crate::core::table;
use crate::core::topology::{connected_components, obstruction_verdict, pathological_signs};
use crate::core::train::Integrator;
use crate::core::weights;

/// Multiply-adds of work per [`LabModel::work`] call (about a millisecond in the browser).
pub const SLICE_WORK: u64 = 400_000;
/// Points kept of the loss curve.
const HISTORY: usize = 4000;
/// Monte Carlo samples of P(obstruction) for the uniform schemes (no closed form).
const MC_SAMPLES: u64 = 20_000;
/// Largest relative change of the outputs a rebalance may make before the page says so.
pub const REBALANCE_TOLERANCE: f64 = 1e-12;
/// Why the `csv` data choice is refused without a file.
const NEEDS_CSV: &str = "choose a CSV file first (a link cannot carry your data)";
/// Format name of a saved lab session.
pub const SESSION_FORMAT: &str = "relu-obstruction-lab-session";

/// Where the network comes from.
#[derive(Debug, Clone)]
enum NetSource {
    /// From the settings (scheme, gain, seed).
    Built,
    /// A file the reader brought, or the result of a rebalance: `(network, what to call it)`.
    Custom(Network, String),
}

/// The data, ready or being built.
#[derive(Debug, Clone)]
enum DataState {
    Ready(Arc<Dataset>),
    Building(Box<TeacherBuilder>),
    Failed(String),
}

/// What a rebalance did, for the readout.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RebalanceOutcome {
    /// The target c.
    pub target: f64,
    /// max over the data of the relative change of the outputs.
    pub max_relative_difference: f64,
    /// Components of H(c) before and after, as text.
    pub components_before: String,
    /// After.
    pub components_after: String,
    /// The sentence shown.
    pub sentence: Sentence,
}

/// One neuron of the check table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeuronRow {
    /// 1-based index.
    pub index: usize,
    /// c_k at the start, formatted.
    pub c: String,
    /// c_k now, formatted.
    pub c_now: String,
    /// c_k(now) − c_k(0), formatted.
    pub drift: String,
    /// `pathological`, `free` or `cone`.
    pub kind: &'static str,
    /// For a pathological neuron: the sign of v_k it is stuck with ("+" or "−"), else "".
    pub stuck: &'static str,
    /// The step of its escape, if it escaped.
    pub escape: String,
}

/// One sentence of what theory says about a setting, with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TheoryLine {
    /// The setting it is about (`gd`, `sgd`, `momentum`, `adam`, `wd`, `act`).
    pub key: &'static str,
    /// The sentence.
    pub text: String,
    /// `derived` (our derivation, checked by a test) or `our reading`.
    pub tag: &'static str,
    /// Whether it applies to the settings in force.
    pub current: bool,
}

/// Everything the lab shows besides its charts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabReadout {
    /// Where the network and data come from, and their sizes.
    pub source: Vec<Field>,
    /// The check: counts, components, P(obstruction), starting component.
    pub check: Vec<Field>,
    /// The check's sentence (connected, or how many components and why).
    pub check_sentence: Sentence,
    /// Per neuron.
    pub neurons: Vec<NeuronRow>,
    /// The run's readouts (empty when there is no run).
    pub run: Vec<Field>,
    /// The teacher's verdict (can this component reach the optimum), when decidable.
    pub verdict: Option<Sentence>,
    /// A problem or the last event (finished, diverged, a refused file), if any.
    pub status: Option<Sentence>,
    /// Progress of a step or a data set that spans frames, as text.
    pub progress: String,
    /// What theory says, one line per optimizer, decay and activation.
    pub theory: Vec<TheoryLine>,
    /// The last rebalance, if any since the network changed.
    pub rebalance: Option<RebalanceOutcome>,
    /// Whether a run exists and can step.
    pub can_run: bool,
    /// Whether the run has reached its length.
    pub finished: bool,
    /// Steps taken.
    pub step: u64,
    /// Whether the network is one the reader brought (or a rebalanced one).
    pub custom_network: bool,
    /// Whether the data are the reader's CSV.
    pub custom_data: bool,
}

/// What a file action did: `{ok, message}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileOutcome {
    /// Whether the file was taken.
    pub ok: bool,
    /// `InputError` code on refusal (`""` on success).
    pub code: &'static str,
    /// What the page says.
    pub message: String,
}

impl FileOutcome {
    fn ok(message: String) -> Self {
        Self {
            ok: true,
            code: "",
            message,
        }
    }

    fn refused(err: &InputError, keep: &str) -> Self {
        Self {
            ok: false,
            code: err.code,
            message: format!("{} {keep}", err.message),
        }
    }
}

/// The lab's view model.
#[derive(Debug, Clone)]
pub struct LabModel {
    settings: Settings,
    net_source: NetSource,
    /// The reader's CSV `(data, file name)`, when chosen.
    csv: Option<(Arc<Dataset>, String)>,
    data: DataState,
    /// The network the run starts from (None when it cannot be built).
    start: Option<Network>,
    run: Option<LabTrainer>,
    /// Why there is no run, if there is none.
    problem: Option<String>,
    history: History<(f64, f64)>,
    /// A link's step, replayed across calls of [`LabModel::work`].
    replay_to: u64,
    playing: bool,
    frame_steps: u64,
    event: Option<Sentence>,
    rebalanced: Option<RebalanceOutcome>,
    /// The check of `start` with P(obstruction) and how it was computed, kept until it changes.
    checked: Option<(Check, f64, &'static str)>,
    /// Counts the changes that are not steps (settings, files, data built, events), for
    /// [`LabModel::revision`].
    changes: u64,
}

impl Default for LabModel {
    fn default() -> Self {
        Self::new()
    }
}

fn text_value(settings: &Settings, key: &str) -> String {
    settings.text(key).to_string()
}

impl LabModel {
    /// The lab at its defaults.
    pub fn new() -> Self {
        let mut m = Self {
            settings: Settings::defaults(View::Lab),
            net_source: NetSource::Built,
            csv: None,
            data: DataState::Failed(String::new()),
            start: None,
            run: None,
            problem: None,
            history: History::new(HISTORY),
            replay_to: 0,
            playing: false,
            frame_steps: 0,
            event: None,
            rebalanced: None,
            checked: None,
            changes: 0,
        };
        m.rebuild_network();
        m.rebuild_data();
        m
    }

    // -----------------------------------------------------------------------------------------
    // Building

    fn architecture(&self) -> Architecture {
        let s = &self.settings;
        let mut a = Architecture::new(
            s.int("d") as usize,
            s.int("l") as usize,
            s.int("e") as usize,
        );
        a.hidden_bias = s.flag("bias");
        a.loss = self.loss();
        a
    }

    fn loss(&self) -> Loss {
        if self.settings.text("loss") == "bce" {
            Loss::Bce
        } else {
            Loss::HalfMse
        }
    }

    fn scheme(&self) -> InitScheme {
        InitScheme::parse(self.settings.text("scheme")).unwrap_or(InitScheme::XavierNormal)
    }

    /// The network from the settings: the scheme's draw times the gain (biases start at 0).
    fn built_network(&self) -> Result<Network, String> {
        let net = initialize(
            self.architecture(),
            self.scheme(),
            self.settings.int("seed"),
        )
        .map_err(|e| e.to_string())?;
        let gain = self.settings.float("gain");
        let arch = *net.arch();
        let params = net.params().iter().map(|p| p * gain).collect();
        Network::from_params(arch, params).map_err(|e| e.to_string())
    }

    fn rebuild_network(&mut self) {
        self.rebalanced = None;
        self.start = match &self.net_source {
            NetSource::Built => match self.built_network() {
                Ok(n) => Some(n),
                Err(e) => {
                    self.problem = Some(e);
                    None
                }
            },
            NetSource::Custom(net, _) => {
                // The loss is a setting, not part of the file.
                let mut arch = *net.arch();
                arch.loss = self.loss();
                Network::from_params(arch, net.params().to_vec()).ok()
            }
        };
        self.checked = self.start.as_ref().map(|n| {
            let a = n.arch();
            let (p, how) = self.obstruction_probability(a.d, a.l, a.e);
            (inspect::check(n), p, how)
        });
    }

    /// Inputs the data must have: the network's d.
    fn inputs(&self) -> usize {
        self.start
            .as_ref()
            .map_or(self.settings.int("d") as usize, |n| n.arch().d)
    }

    fn rebuild_data(&mut self) {
        let s = &self.settings;
        self.data = match s.text("data") {
            "csv" => match &self.csv {
                Some((d, _)) => DataState::Ready(d.clone()),
                None => DataState::Failed("Choose a CSV file first.".into()),
            },
            "cancer" => match breast_cancer_split(s.int("dseed")) {
                Ok(split) => DataState::Ready(Arc::new(split.train)),
                // The page's wasm fetches the file (www/data.js): `data_arrived` rebuilds.
                Err(ConfigError::NotLoaded(_)) => DataState::Failed(
                    "The breast cancer data are still loading; the run can start when they arrive."
                        .into(),
                ),
                Err(e) => DataState::Failed(e.to_string()),
            },
            _ => {
                let spec = TeacherSpec {
                    d: self.inputs(),
                    positive: s.int("tpos") as usize,
                    negative: s.int("tneg") as usize,
                    n: s.int("n") as usize,
                    seed: s.int("dseed"),
                };
                match TeacherBuilder::new(spec) {
                    Ok(b) => DataState::Building(Box::new(b)),
                    Err(e) => DataState::Failed(e.to_string()),
                }
            }
        };
        self.restart();
    }

    /// The breast cancer data have arrived (the page fetches them: www/data.js): data that were
    /// waiting for them are built now, and the run restarts on them. Whether anything changed.
    pub fn data_arrived(&mut self) -> bool {
        let waiting = matches!(self.data, DataState::Failed(_));
        if waiting && self.settings.text("data") == "cancer" {
            self.rebuild_data();
            return true;
        }
        false
    }

    /// The page could not fetch the breast cancer data (`why`, as the browser said it): a lab
    /// waiting for them says so. Choosing the data again fetches again. Whether anything changed.
    pub fn data_failed(&mut self, why: &str) -> bool {
        let waiting = matches!(self.data, DataState::Failed(_));
        if waiting && self.settings.text("data") == "cancer" && !breast_cancer_available() {
            self.data = DataState::Failed(format!(
                "The breast cancer data could not be loaded ({why}). Choose them again to retry."
            ));
            self.restart();
            return true;
        }
        false
    }

    fn dynamics(&self) -> Result<Dynamics, String> {
        let s = &self.settings;
        let optimizer = match s.text("opt") {
            "sgd" => Optimizer::Sgd,
            "momentum" => Optimizer::Momentum {
                beta: s.float("beta"),
            },
            "adam" => Optimizer::Adam {
                beta1: s.float("beta1"),
                beta2: s.float("beta2"),
                eps: s.float("eps"),
            },
            _ => Optimizer::Gd,
        };
        let activation = match s.text("act") {
            "leaky_relu" => Activation::LeakyRelu {
                slope: s.float("slope"),
            },
            "softplus" => Activation::Softplus,
            _ => Activation::Relu,
        };
        let integrator = if optimizer == Optimizer::Gd {
            Integrator::parse(s.text("int")).map_err(|e| e.to_string())?
        } else {
            Integrator::Gd
        };
        Ok(Dynamics {
            optimizer,
            integrator,
            activation,
            batch: (optimizer == Optimizer::Sgd).then(|| s.int("batch") as usize),
            weight_decay: s.float("wd"),
            lr: s.float("lr"),
            seed: s.int("seed"),
        })
    }

    /// A new run from the start network on the data (when both are ready).
    fn restart(&mut self) {
        self.changes += 1;
        self.run = None;
        self.history = History::new(HISTORY);
        self.frame_steps = 0;
        self.event = None;
        self.problem = None;
        let Some(net) = self.start.clone() else {
            if self.problem.is_none() {
                self.problem = Some("The network cannot be built from these settings.".into());
            }
            return;
        };
        let data = match &self.data {
            DataState::Ready(d) => d.clone(),
            DataState::Building(_) => return,
            DataState::Failed(why) => {
                self.problem = Some(why.clone());
                return;
            }
        };
        if net.arch().e != data.e {
            self.problem = Some(format!(
                "Training needs data with e = {} output{}; these data have {}. H(c) is connected for \
                 e ≥ 2 anyway: no neuron is pathological.",
                net.arch().e,
                if net.arch().e == 1 { "" } else { "s" },
                data.e
            ));
            return;
        }
        if net.arch().d != data.d {
            self.problem = Some(format!(
                "The data have {} inputs but the network has d = {}: {}",
                data.d,
                net.arch().d,
                if matches!(self.net_source, NetSource::Built) {
                    format!("set Inputs d to {}.", data.d)
                } else {
                    "choose data with as many inputs as the network.".into()
                }
            ));
            return;
        }
        let dynamics = match self.dynamics() {
            Ok(d) => d,
            Err(e) => {
                self.problem = Some(e);
                return;
            }
        };
        match LabTrainer::new(net, data, dynamics) {
            Ok(t) => self.run = Some(t),
            Err(e) => self.problem = Some(capitalize(&e.to_string())),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Stepping

    /// Starts or stops playing (the page's Play button). Playing past the run length starts
    /// nothing: Reset first.
    pub fn set_playing(&mut self, on: bool) {
        let building = matches!(self.data, DataState::Building(_));
        self.playing = on && (building || self.run.as_ref().is_some_and(|r| r.failure().is_none()));
        if self.playing {
            self.event = None;
        }
    }

    /// Whether the run is playing.
    pub fn playing(&self) -> bool {
        self.playing
    }

    /// A new animation frame: the steps-per-frame budget starts again.
    pub fn begin_frame(&mut self) {
        self.frame_steps = 0;
    }

    /// Changes whenever what the charts and readouts show changes, except the progress line: the
    /// page redraws only then (a step of a large network spans many frames).
    pub fn revision(&self) -> String {
        format!(
            "{}:{}:{}:{}",
            self.changes,
            self.run.as_ref().map_or(0, |r| r.steps()),
            self.event.is_some(),
            self.playing
        )
    }

    /// The progress line alone (cheap; see [`LabReadout::progress`]).
    pub fn progress(&self) -> String {
        match (&self.data, &self.run) {
            (DataState::Building(b), _) => format!(
                "Building the teacher data: {} of {} rows.",
                format::count(b.rows() as f64),
                format::count(self.settings.int("n") as f64)
            ),
            (_, Some(r)) if r.progress() > 0.0 => format!(
                "Step {}: {} % of its rows done.",
                format::count((r.steps() + 1) as f64),
                format::fixed(100.0 * r.progress(), 0)
            ),
            _ => String::new(),
        }
    }

    fn slice_rows(work_per_row: u64) -> u64 {
        (SLICE_WORK / work_per_row.max(1)).max(1)
    }

    /// One slice of work: building the data, replaying a link's steps, or playing. Returns whether
    /// more work wants to be done in this frame.
    pub fn work(&mut self) -> bool {
        if let DataState::Building(b) = &mut self.data {
            let per_row = 12 * (b.directions().len() as u64 + self.settings.int("d") + 1);
            let rows = Self::slice_rows(per_row) as usize;
            if b.advance(rows) {
                let DataState::Building(b) =
                    std::mem::replace(&mut self.data, DataState::Failed(String::new()))
                else {
                    return false;
                };
                self.data = match b.finish() {
                    Some(d) => DataState::Ready(Arc::new(d)),
                    None => DataState::Failed("The teacher data are incomplete.".into()),
                };
                let replay = self.replay_to;
                self.restart();
                self.replay_to = replay;
            }
            return true;
        }
        let speed = self.settings.int("speed");
        let length = self.settings.int("steps");
        let Some(run) = self.run.as_mut() else {
            return false;
        };
        if run.failure().is_some() {
            return false;
        }
        let replaying = self.replay_to > run.steps();
        let target = if replaying {
            self.replay_to
        } else if self.playing {
            length
        } else {
            return false;
        };
        if run.steps() >= target {
            if self.playing {
                self.playing = false;
                self.changes += 1;
                self.event = Some(Sentence {
                    text: format!(
                        "Finished the run's {} steps. Reset to run it again, or lengthen it.",
                        format::count(length as f64)
                    ),
                    tone: "",
                });
            }
            return false;
        }
        let cap = if replaying {
            target - run.steps()
        } else {
            speed
                .saturating_sub(self.frame_steps)
                .min(target - run.steps())
        };
        if cap == 0 {
            return false;
        }
        let rows = Self::slice_rows(run.work_per_row());
        let history = &mut self.history;
        match run.work(rows, cap, |s| history.push(((s.step - 1) as f64, s.loss))) {
            Ok(k) => {
                if !replaying {
                    self.frame_steps += k;
                }
                true
            }
            Err(e) => {
                self.playing = false;
                self.replay_to = 0;
                self.changes += 1;
                self.event = Some(Sentence {
                    text: failure_sentence(&e),
                    tone: "obstructed",
                });
                false
            }
        }
    }

    /// Takes `n` whole steps now (the Step button and native callers), past the run length too.
    pub fn step(&mut self, n: u64) {
        if let Some(run) = self.run.as_mut() {
            let history = &mut self.history;
            let rows = run.rows_per_step().saturating_mul(n);
            if let Err(e) = run.work(rows, n, |s| history.push(((s.step - 1) as f64, s.loss))) {
                self.changes += 1;
                self.event = Some(Sentence {
                    text: failure_sentence(&e),
                    tone: "obstructed",
                });
            }
        }
    }

    /// Finishes every pending slice (building and replaying) at once: for native callers.
    pub fn settle(&mut self) {
        let playing = self.playing;
        self.playing = false;
        while self.work() {}
        self.playing = playing;
    }

    /// Back to step 0 of the same network and data.
    pub fn reset(&mut self) {
        self.playing = false;
        self.replay_to = 0;
        self.restart();
    }

    // -----------------------------------------------------------------------------------------
    // Files

    /// Whether a weights file of `bytes` bytes may be read (called before reading it).
    pub fn weights_size(&self, bytes: f64) -> FileOutcome {
        match weights::check_weights_size(bytes_u64(bytes)) {
            Ok(()) => FileOutcome::ok(String::new()),
            Err(e) => FileOutcome::refused(&e, self.keeps_network()),
        }
    }

    /// Whether a CSV file of `bytes` bytes may be read.
    pub fn csv_size(&self, bytes: f64) -> FileOutcome {
        match table::check_csv_size(bytes_u64(bytes)) {
            Ok(()) => FileOutcome::ok(String::new()),
            Err(e) => FileOutcome::refused(&e, self.keeps_data()),
        }
    }

    fn keeps_network(&self) -> &'static str {
        "The previous network is still in use."
    }

    fn keeps_data(&self) -> &'static str {
        "The previous data are still in use."
    }

    /// A weights file's text: the network to check and train, or a refusal that names the problem
    /// (the previous network stays).
    pub fn load_weights(&mut self, name: &str, text: &str) -> FileOutcome {
        match weights::parse_weights(text) {
            Ok(net) => {
                let a = *net.arch();
                self.net_source = NetSource::Custom(net, short_name(name));
                self.playing = false;
                self.replay_to = 0;
                self.rebuild_network();
                self.rebuild_data();
                FileOutcome::ok(format!(
                    "Loaded {}: d = {}, l = {}, e = {}{}.",
                    short_name(name),
                    a.d,
                    a.l,
                    a.e,
                    if a.hidden_bias {
                        ", with hidden biases"
                    } else {
                        ""
                    }
                ))
            }
            Err(e) => FileOutcome::refused(&e, self.keeps_network()),
        }
    }

    /// Back to the network built from the settings.
    pub fn use_built_network(&mut self) {
        self.net_source = NetSource::Built;
        self.playing = false;
        self.replay_to = 0;
        self.rebuild_network();
        self.rebuild_data();
    }

    /// A CSV file's bytes: the data to train on, or a refusal naming the row and column.
    pub fn load_csv(&mut self, name: &str, bytes: &[u8]) -> FileOutcome {
        match table::parse_csv(bytes) {
            Ok(data) => {
                let (n, d) = (data.n, data.d);
                self.csv = Some((Arc::new(data), short_name(name)));
                self.settings.insert("data", Value::Text("csv".into()));
                self.playing = false;
                self.replay_to = 0;
                self.rebuild_data();
                FileOutcome::ok(format!(
                    "Loaded {}: {} rows, {} input column{} and y.",
                    short_name(name),
                    format::count(n as f64),
                    d,
                    if d == 1 { "" } else { "s" }
                ))
            }
            Err(e) => FileOutcome::refused(&e, self.keeps_data()),
        }
    }

    /// The network the run starts from, as a weights file (`""` when there is none).
    pub fn weights_file(&self) -> String {
        self.start
            .as_ref()
            .map_or_else(String::new, weights::weights_json)
    }

    /// The network now (the run's current θ), as a weights file.
    pub fn final_weights_file(&self) -> String {
        match &self.run {
            Some(r) => weights::weights_json(&r.network()),
            None => self.weights_file(),
        }
    }

    /// Rebalances the network the run starts from onto c_k = target for every k (the `target`
    /// setting) and starts again from it; the readout shows the change of the outputs and of the
    /// components.
    pub fn rebalance(&mut self) -> FileOutcome {
        let target = self.settings.float("target");
        let Some(net) = self.start.clone() else {
            return FileOutcome {
                ok: false,
                code: "missing",
                message: "There is no network to rebalance.".into(),
            };
        };
        match inspect::rebalance(&net, target) {
            Ok(new) => {
                let data = match &self.data {
                    DataState::Ready(d) if d.d == net.arch().d => Some(d.clone()),
                    _ => None,
                };
                let diff = data.as_ref().map_or(0.0, |d| {
                    inspect::max_relative_output_difference(&net, &new, d)
                });
                let before = inspect::check(&net).components.to_string();
                let after = inspect::check(&new).components.to_string();
                let sentence = Sentence {
                    text: format!(
                        "Rebalanced every neuron onto c = {}: H(c) has {} component{} now ({} before); \
                         the outputs changed by at most {} (relative, {}).",
                        format::number(target),
                        after,
                        if after == "1" { "" } else { "s" },
                        before,
                        format::exponential(diff, 1),
                        if data.is_some() {
                            "on the data"
                        } else {
                            "no data to compare on yet"
                        }
                    ),
                    tone: if diff <= REBALANCE_TOLERANCE {
                        "ok"
                    } else {
                        "obstructed"
                    },
                };
                self.net_source = NetSource::Custom(new, "rebalanced network".into());
                self.rebuild_network();
                self.restart();
                let outcome = RebalanceOutcome {
                    target,
                    max_relative_difference: diff,
                    components_before: before,
                    components_after: after,
                    sentence: sentence.clone(),
                };
                self.rebalanced = Some(outcome);
                FileOutcome::ok(sentence.text)
            }
            Err(e) => FileOutcome {
                ok: false,
                code: "rescale",
                message: format!("{e} {}", self.keeps_network()),
            },
        }
    }

    // -----------------------------------------------------------------------------------------
    // Readouts

    /// The check of the network the run starts from.
    pub fn check(&self) -> Option<Check> {
        self.checked.as_ref().map(|(c, _, _)| c.clone())
    }

    fn obstruction_probability(&self, d: usize, l: usize, e: usize) -> (f64, &'static str) {
        let scheme = self.scheme();
        if scheme.is_normal() {
            match obstruction_odds(scheme, d, l, e) {
                Ok(o) => (o.p_disconnected, "closed form"),
                Err(_) => (f64::NAN, ""),
            }
        } else {
            match monte_carlo_p(scheme, d, l, e, MC_SAMPLES, 0) {
                Ok(est) => (
                    odds_from_p(est.mean, d, l, e).p_disconnected,
                    "Monte Carlo, 20 000 draws",
                ),
                Err(_) => (f64::NAN, ""),
            }
        }
    }

    /// Everything the page shows besides the charts.
    pub fn readout(&self) -> LabReadout {
        let s = &self.settings;
        let mut source = Vec::new();
        let net_name = match &self.net_source {
            NetSource::Built => format!(
                "{} × gain {}",
                scheme_label(s),
                crate::app::link::format_number(s.float("gain"))
            ),
            NetSource::Custom(_, name) => name.clone(),
        };
        source.push(Field::text(
            "network",
            "Network",
            net_name.clone(),
            net_name,
        ));
        let data_name = match (&self.data, s.text("data")) {
            (_, "csv") => self
                .csv
                .as_ref()
                .map_or_else(|| "CSV (none chosen)".to_string(), |(_, n)| n.clone()),
            (_, "cancer") => "breast cancer (training split, standardized)".into(),
            _ => format!(
                "teacher with {} positive and {} negative term{}",
                s.int("tpos"),
                s.int("tneg"),
                if s.int("tneg") == 1 { "" } else { "s" }
            ),
        };
        source.push(Field::text("data", "Data", data_name.clone(), data_name));
        if let DataState::Ready(d) = &self.data {
            source.push(Field::number(
                "rows",
                "Rows",
                format::count(d.n as f64),
                d.n as f64,
            ));
        }

        let check = self.checked.as_ref().map(|(c, _, _)| c);
        let mut check_fields = Vec::new();
        let mut neurons = Vec::new();
        let mut check_sentence = Sentence {
            text: String::new(),
            tone: "",
        };
        if let (Some(c), Some(net)) = (check, &self.start) {
            let a = net.arch();
            check_fields.push(Field::text(
                "shape",
                "Shape",
                format!(
                    "d = {}, l = {}, e = {}{}",
                    a.d,
                    a.l,
                    a.e,
                    if a.hidden_bias { ", biases" } else { "" }
                ),
                format!("[{},{},{}]", a.d, a.l, a.e),
            ));
            check_fields.push(Field::number(
                "l_plus",
                "l₊ (c > 0)",
                c.l_plus.to_string(),
                c.l_plus as f64,
            ));
            check_fields.push(Field::number(
                "l_minus",
                "l₋ (c < 0)",
                c.l_minus.to_string(),
                c.l_minus as f64,
            ));
            check_fields.push(Field::number(
                "l_zero",
                "l₀ (c = 0)",
                c.l_zero.to_string(),
                c.l_zero as f64,
            ));
            let comps = c.components.to_string();
            check_fields.push(Field::text(
                "components",
                "Components of H(c)",
                comps.clone(),
                comps,
            ));
            let eff = c.effective_components.to_string();
            check_fields.push(Field::text(
                "effective",
                "Effective components (our reading)",
                eff.clone(),
                eff,
            ));
            let (p, how) = self
                .checked
                .as_ref()
                .map_or((f64::NAN, ""), |(_, p, how)| (*p, *how));
            if p.is_finite() {
                check_fields.push(Field::number(
                    "p_obstruction",
                    format!("P(obstruction), this shape, {} ({how})", scheme_label(s)),
                    format::precision(p, 3),
                    p,
                ));
            }
            let label = sign_text(&c.component_label);
            check_fields.push(Field::text(
                "start_component",
                "Starts in component",
                if label.is_empty() {
                    "the only one".into()
                } else {
                    label.clone()
                },
                label,
            ));
            check_sentence = if a.e >= 2 {
                Sentence {
                    text: format!(
                        "With e = {} outputs every quadric is connected (‖v_k‖² can shrink to 0 \
                         without v_k changing sign), so H(c) is connected: no neuron is pathological.",
                        a.e
                    ),
                    tone: "ok",
                }
            } else if c.pathological.is_empty() {
                Sentence {
                    text:
                        "No neuron is pathological: H(c) is connected and training can go anywhere \
                           on it."
                            .into(),
                    tone: "ok",
                }
            } else {
                Sentence {
                    text: format!(
                        "{} neuron{} pathological (c_k < 0): each such output weight keeps its \
                         sign under the flow, so H(c) splits into {} components and the run stays \
                         in the one it starts in.",
                        c.pathological.len(),
                        if c.pathological.len() == 1 {
                            " is"
                        } else {
                            "s are"
                        },
                        c.components
                    ),
                    tone: "obstructed",
                }
            };
            let now = self.run.as_ref().map(|r| r.c_now());
            let escapes = self.run.as_ref().map_or(&[][..], |r| r.escapes());
            for (k, ck) in c.c.iter().enumerate() {
                let path = c.pathological.iter().position(|p| *p == k + 1);
                let cn = now.map_or(*ck, |n| n[k]);
                neurons.push(NeuronRow {
                    index: k + 1,
                    c: format::number(*ck),
                    c_now: format::number(cn),
                    drift: format::drift(cn - ck),
                    kind: if path.is_some() {
                        "pathological"
                    } else if *ck == 0.0 {
                        "cone"
                    } else {
                        "free"
                    },
                    stuck: match path.map(|i| c.stuck_signs[i]) {
                        Some(1) => "+",
                        Some(_) => "−",
                        None => "",
                    },
                    escape: escapes
                        .iter()
                        .find(|x| x.neuron == k)
                        .map_or_else(String::new, |x| format::count(x.step as f64)),
                });
            }
        }

        let mut run_fields = Vec::new();
        let mut verdict = None;
        if let Some(r) = &self.run {
            run_fields.push(Field::number(
                "step",
                "Step",
                format::count(r.steps() as f64),
                r.steps() as f64,
            ));
            run_fields.push(Field::number(
                "time",
                "Time t = step × η",
                format::number(r.time()),
                r.time(),
            ));
            if let Some(last) = r.last_step() {
                let label = if r.dynamics().batch.is_some() {
                    "Loss (last mini-batch)"
                } else {
                    "Loss"
                };
                run_fields.push(Field::number(
                    "loss",
                    label,
                    format::loss(last.loss),
                    last.loss,
                ));
            }
            let drift = r.current_c_drift();
            run_fields.push(Field::number(
                "drift",
                "max |c_k − c_k(0)|",
                format::drift(drift),
                drift,
            ));
            let a = r.arch();
            let comps = connected_components(a.input_dim(), a.e, r.c_now())
                .map_or_else(|_| "more than 2^127".to_string(), |c| c.to_string());
            run_fields.push(Field::text(
                "components_now",
                "Components of H(c(t)) now",
                comps.clone(),
                comps,
            ));
            let esc = if r.escapes().is_empty() {
                if r.start_signs().iter().any(|s| *s != 0) {
                    "none".to_string()
                } else {
                    "none possible (no pathological neuron)".to_string()
                }
            } else {
                r.escapes()
                    .iter()
                    .map(|e| {
                        format!(
                            "neuron {} at step {}",
                            e.neuron + 1,
                            format::count(e.step as f64)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            run_fields.push(Field::text(
                "escapes",
                "Escapes (v_k changed sign)",
                esc.clone(),
                esc,
            ));
            if s.text("data") == "teacher" && a.e == 1 {
                let net = r.network();
                let c0 = r.c_initial();
                if let Ok(v) = obstruction_verdict(
                    1,
                    c0,
                    &pathological_signs(&net, c0),
                    s.int("tpos") as usize,
                    s.int("tneg") as usize,
                ) {
                    verdict = Some(Sentence {
                        text: v.reason,
                        tone: if v.obstructed { "obstructed" } else { "ok" },
                    });
                }
            }
        }
        let progress = self.progress();
        let status = self
            .problem
            .as_ref()
            .map(|p| Sentence {
                text: p.clone(),
                tone: "obstructed",
            })
            .or_else(|| self.event.clone());
        LabReadout {
            source,
            check: check_fields,
            check_sentence,
            neurons,
            run: run_fields,
            verdict,
            status,
            progress,
            theory: self.theory(),
            rebalance: self.rebalanced.clone(),
            can_run: self.run.as_ref().is_some_and(|r| r.failure().is_none()),
            finished: self
                .run
                .as_ref()
                .is_some_and(|r| r.steps() >= s.int("steps")),
            step: self.run.as_ref().map_or(0, |r| r.steps()),
            custom_network: matches!(self.net_source, NetSource::Custom(..)),
            custom_data: s.text("data") == "csv",
        }
    }

    fn theory(&self) -> Vec<TheoryLine> {
        let s = &self.settings;
        let opt = s.text("opt");
        let act = s.text("act");
        let line = |key, text: &str, tag, current| TheoryLine {
            key,
            text: text.to_string(),
            tag,
            current,
        };
        vec![
            line(
                "gd",
                "GD: each step changes c_k by exactly η²(‖∂L/∂w_k‖² − ‖∂L/∂v_k‖²) — second order \
                 in η, so small steps stay close to the flow's quadric (ReLU or leaky ReLU, λ = 0).",
                "derived",
                opt == "gd",
            ),
            line(
                "sgd",
                "SGD: each step is a GD step on one mini-batch, so the same η² formula holds per \
                 step with that batch's gradient.",
                "derived",
                opt == "sgd",
            ),
            line(
                "momentum",
                "Momentum: still second order in η per step (each past gradient in the velocity \
                 was orthogonal to the conserved direction where it was taken), but the drift is \
                 larger than GD's.",
                "derived",
                opt == "momentum",
            ),
            line(
                "adam",
                "Adam: the per-coordinate scaling breaks w_k·∂L/∂w_k = v_k·∂L/∂v_k, so c_k drifts \
                 at first order in η: pathological neurons can escape.",
                "derived",
                opt == "adam",
            ),
            line(
                "wd",
                "Weight decay under the flow: c_k(t) = c_k(0)·e^(−2λt) exactly, so the quadrics \
                 flatten towards the cone and the obstruction fades — though c_k never reaches 0 in \
                 finite time, so under the flow a pathological neuron still cannot cross.",
                "derived",
                s.float("wd") > 0.0,
            ),
            line(
                "act",
                if act == "softplus" {
                    "Softplus is not positively homogeneous: c_k drifts even under the flow, and a \
                     pathological neuron can change sign."
                } else {
                    "ReLU and leaky ReLU are positively homogeneous (σ(αz) = ασ(z) for α > 0), so the \
                     flow conserves every c_k."
                },
                "derived",
                true,
            ),
        ]
    }

    /// The loss curve `(step, loss)`.
    pub fn loss_history(&self) -> &[(f64, f64)] {
        self.history.values()
    }

    /// c_k at the start and now (empty without a network).
    pub fn conserved(&self) -> (Vec<f64>, Vec<f64>, Vec<bool>) {
        match (&self.run, &self.start) {
            (Some(r), _) => (
                r.c_initial().to_vec(),
                r.c_now().to_vec(),
                r.start_signs().iter().map(|s| *s != 0).collect(),
            ),
            (None, Some(n)) => {
                let c = n.conserved_quantities();
                let path = c.iter().map(|x| n.arch().e == 1 && *x < 0.0).collect();
                (c.clone(), c, path)
            }
            _ => (Vec::new(), Vec::new(), Vec::new()),
        }
    }

    /// The run length (the loss chart's x axis).
    pub fn run_length(&self) -> u64 {
        self.settings.int("steps")
    }

    // -----------------------------------------------------------------------------------------
    // Exports

    /// The run as CSV: `step,loss` rows of the kept curve, then one `neuron,c_initial,c_now` block.
    pub fn csv(&self) -> String {
        let mut out = String::from("step,loss\n");
        for (x, y) in self.loss_history() {
            out.push_str(&format!("{x},{}\n", format::raw(*y)));
        }
        let (c0, c1, _) = self.conserved();
        out.push_str("\nneuron,c_initial,c_now\n");
        for (k, (a, b)) in c0.iter().zip(&c1).enumerate() {
            out.push_str(&format!(
                "{},{},{}\n",
                k + 1,
                format::raw(*a),
                format::raw(*b)
            ));
        }
        out
    }

    /// The run as JSON: the settings' link, the check, the curve, c, escapes and the weights at
    /// the start and now.
    pub fn json(&self) -> String {
        let (c0, c1, _) = self.conserved();
        let link = link_of(self);
        let value = serde_json::json!({
            "format": "relu-obstruction-lab-run",
            "version": 1,
            "link": link,
            "check": self.check(),
            "steps": self.run.as_ref().map_or(0, |r| r.steps()),
            "loss": self.loss_history(),
            "c_initial": c0,
            "c_final": c1,
            "escapes": self.run.as_ref().map(|r| r.escapes().to_vec()),
            "weights_initial": serde_json::from_str::<serde_json::Value>(&self.weights_file()).ok(),
            "weights_final": serde_json::from_str::<serde_json::Value>(&self.final_weights_file()).ok(),
        });
        value.to_string()
    }

    /// The session (settings, the network and data the reader brought) as one JSON file.
    pub fn session(&self) -> String {
        let weights = match &self.net_source {
            NetSource::Custom(n, name) => Some((weights::weights_json(n), name.clone())),
            NetSource::Built => None,
        };
        let data = self
            .csv
            .as_ref()
            .map(|(d, name)| (dataset_csv(d), name.clone()));
        serde_json::json!({
            "format": SESSION_FORMAT,
            "version": 1,
            "link": link_of(self),
            "weights": weights.as_ref().and_then(|(w, _)| serde_json::from_str::<serde_json::Value>(w).ok()),
            "weights_name": weights.map(|(_, n)| n),
            "data_csv": data.as_ref().map(|(c, _)| c.clone()),
            "data_name": data.map(|(_, n)| n),
        })
        .to_string()
    }

    /// Loads a session saved by [`LabModel::session`]; on refusal nothing changes.
    pub fn load_session(&mut self, text: &str) -> (FileOutcome, Vec<Rejection>) {
        let refuse = |message: String| FileOutcome {
            ok: false,
            code: "not_json",
            message: format!("{message} The previous session is still in use."),
        };
        let v: serde_json::Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return (refuse(format!("Not a lab session file: {e}.")), Vec::new()),
        };
        if v.get("format").and_then(|f| f.as_str()) != Some(SESSION_FORMAT) {
            return (
                refuse(format!(
                    "Not a lab session file (its format is not \"{SESSION_FORMAT}\")."
                )),
                Vec::new(),
            );
        }
        let mut next = self.clone();
        if let Some(w) = v.get("weights").filter(|w| !w.is_null()) {
            let name = v
                .get("weights_name")
                .and_then(|n| n.as_str())
                .unwrap_or("weights");
            let o = next.load_weights(name, &w.to_string());
            if !o.ok {
                return (refuse(format!("Its weights: {}", o.message)), Vec::new());
            }
        } else {
            next.net_source = NetSource::Built;
        }
        if let Some(c) = v.get("data_csv").and_then(|c| c.as_str()) {
            let name = v
                .get("data_name")
                .and_then(|n| n.as_str())
                .unwrap_or("data.csv");
            let o = next.load_csv(name, c.as_bytes());
            if !o.ok {
                return (refuse(format!("Its data: {}", o.message)), Vec::new());
            }
        }
        let link = v.get("link").and_then(|l| l.as_str()).unwrap_or("#lab");
        let rejections = crate::app::view::open_link(&mut next, link);
        *self = next;
        (FileOutcome::ok("Loaded the session.".into()), rejections)
    }

    /// File names of the exports.
    pub fn file_names(&self) -> BTreeMap<&'static str, String> {
        let base = "relu-obstruction-lab";
        [
            ("csv", format!("{base}-run.csv")),
            ("json", format!("{base}-run.json")),
            ("session", format!("{base}-session.json")),
            ("weights", format!("{base}-weights.json")),
            ("final", format!("{base}-weights-final.json")),
            ("loss", format!("{base}-loss.svg")),
            ("conserved", format!("{base}-conserved.svg")),
        ]
        .into_iter()
        .collect()
    }
}

fn link_of(m: &LabModel) -> String {
    crate::app::view::link_state(m).link
}

fn dataset_csv(d: &Dataset) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for i in 0..d.n {
        let row: Vec<String> = d
            .input(i)
            .iter()
            .chain(d.target(i))
            .map(|x| format!("{x:?}"))
            .collect();
        // Writing into memory cannot fail.
        let _ = w.write_record(&row);
    }
    w.into_inner()
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}

fn bytes_u64(bytes: f64) -> u64 {
    if bytes.is_finite() && bytes >= 0.0 {
        bytes as u64
    } else {
        u64::MAX
    }
}

fn short_name(name: &str) -> String {
    let n: String = name.chars().take(60).collect();
    if n.is_empty() { "your file".into() } else { n }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => {
            // ASCII: the sentences are the lab's own (a first letter outside ASCII stays as it is),
            // and the page's wasm then carries no Unicode case tables.
            f.to_ascii_uppercase().to_string()
                + c.as_str()
                + if s.ends_with('.') { "" } else { "." }
        }
        None => String::new(),
    }
}

fn sign_text(signs: &[i8]) -> String {
    if signs.is_empty() {
        return String::new();
    }
    let inner: Vec<&str> = signs
        .iter()
        .map(|s| if *s > 0 { "+" } else { "−" })
        .collect();
    format!("({})", inner.join(", "))
}

fn scheme_label(s: &Settings) -> String {
    crate::app::link::option_label(View::Lab, "scheme", s.text("scheme"))
        .unwrap_or("the scheme")
        .to_string()
}

impl ViewModel for LabModel {
    fn view(&self) -> View {
        View::Lab
    }

    fn settings(&self) -> &Settings {
        &self.settings
    }

    fn apply(&mut self, key: &'static str, value: Value) -> Result<bool, Rejection> {
        let before = self.settings.clone();
        self.settings.insert(key, value);
        match key {
            "speed" | "steps" | "target" | "step" => return Ok(false),
            "d" | "l" | "e" | "bias" | "scheme" | "gain" | "seed" | "loss" => {
                self.rebuild_network();
                // Only d changes the data (the teacher has the network's inputs).
                if key == "d" {
                    self.rebuild_data();
                } else {
                    self.restart();
                }
            }
            "data" | "tpos" | "tneg" | "n" | "dseed" => {
                if key == "data"
                    && text_value(&self.settings, "data") == "csv"
                    && self.csv.is_none()
                {
                    self.settings = before;
                    return Err(Rejection::new(
                        key,
                        "csv",
                        crate::app::link::Reason::Refused {
                            why: NEEDS_CSV.into(),
                        },
                    ));
                }
                self.rebuild_data();
            }
            _ => self.restart(),
        }
        self.playing = false;
        self.replay_to = 0;
        Ok(true)
    }

    fn apply_values(&mut self, values: &BTreeMap<&'static str, Value>) -> Vec<Rejection> {
        let mut refused = Vec::new();
        for (k, v) in values {
            if *k == "data" && *v == Value::Text("csv".into()) && self.csv.is_none() {
                refused.push(Rejection::new(
                    k,
                    "csv",
                    crate::app::link::Reason::Refused {
                        why: NEEDS_CSV.into(),
                    },
                ));
                continue;
            }
            self.settings.insert(k, v.clone());
        }
        self.playing = false;
        self.rebuild_network();
        self.rebuild_data();
        self.replay_to = self.settings.int("step");
        refused
    }

    fn link_values(&self) -> (BTreeMap<&'static str, Value>, Option<String>) {
        let mut values = self.settings.values().clone();
        let step = self.run.as_ref().map_or(0, |r| r.steps());
        values.insert("step", Value::Int(step));
        let mut notes = Vec::new();
        if matches!(self.net_source, NetSource::Custom(..)) {
            notes.push("the network you brought (or rebalanced)");
        }
        if self.settings.text("data") == "csv" {
            notes.push("your CSV data");
        }
        let note = (!notes.is_empty()).then(|| {
            format!(
                "The link holds the settings but not {}: save the session to keep them.",
                notes.join(" or ")
            )
        });
        (values, note)
    }
}
