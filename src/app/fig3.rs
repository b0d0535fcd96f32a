//! The Fig. 3 view model: two training runs side by side (an obstructed row and a good row), their
//! settings, the view angles of each row's 3-D panels, the replay of a link and every readout the
//! page prints.
//!
//! # Conventions
//! - Settings are the `fig3` keys of the link schema ([`crate::app::link`]); `step` is not a
//!   setting but the state reached, written into links and replayed from them.
//! - A change of preset, seed, learning rate or integrator rebuilds both runs from step 0 (built
//!   first, so a refused value leaves the old runs in force).
//! - With "pause at t*" on, [`Fig3Model::frame`] never steps past [`T_STAR`] and stops there.
//! - The view plays by itself on arrival ([`Fig3Model::plays_on_arrival`]) unless the link says
//!   `play=0` or carries a later step.
//! - A link's step is replayed by [`Fig3Model::replay`] in slices the shell spreads over frames,
//!   so that a gradient-flow replay (up to a few milliseconds a step) never blocks the page.
//! - Rotation: a pointer drag of (dx, dy) pixels turns a row by (dx, dy) × [`RADIANS_PER_PIXEL`];
//!   yaw wraps into [−π, π], pitch is clamped to the schema's limits.
//! - Nothing here reads a clock or the DOM.

use std::collections::BTreeMap;
use std::f64::consts::PI;

use serde::Serialize;

use crate::app::format;
use crate::app::link::{
    self, FIG3_MAX_FLOW_REPLAY, FIG3_MAX_REPLAY, PITCH_MAX, PITCH_MIN, Reason, Rejection, Value,
    View,
};
use crate::app::live_run::{NetworkSummary, failure_sentence};
use crate::app::session::{Session, SessionConfig};
use crate::app::view::{Field, Sentence, Settings, ViewModel};
use crate::core::components::sign_label;
use crate::core::error::TrainError;

/// The length of the paper's runs.
pub const T_STAR: u64 = 500;
/// Radians a row turns per pixel of a drag.
pub const RADIANS_PER_PIXEL: f64 = 0.01;
/// Steps of one replay slice with the gradient-flow integrator (an obstructed run's adaptive
/// substeps cost up to a few milliseconds a step; a slice stays well under a frame's budget).
pub const FLOW_REPLAY_SLICE: u64 = 4;
/// Steps of one replay slice with the other integrators (a step is about a microsecond).
pub const REPLAY_SLICE: u64 = 20_000;

/// The two rows, in page order.
pub const ROWS: [&str; 2] = ["top", "bottom"];

/// Keys whose change rebuilds both runs.
const RUN_KEYS: [&str; 5] = ["top", "bottom", "seed", "lr", "int"];

/// A yaw angle brought into [−π, π].
pub fn wrap_yaw(yaw: f64) -> f64 {
    let turn = 2.0 * PI;
    (yaw + PI).rem_euclid(turn) - PI
}

/// One row of the page: its title, readout fields and verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowReadout {
    /// `top` or `bottom`.
    pub row: &'static str,
    /// "Top run: obstructed (+,+)".
    pub title: String,
    /// step, loss, c_k with drift, component label, components, sheet jumps.
    pub fields: Vec<Field>,
    /// The verdict with its reason (and the sheet jumps, if any).
    pub verdict: Option<Sentence>,
    /// Whether the verdict is "obstructed".
    pub obstructed: Option<bool>,
}

/// Everything the Fig. 3 view prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fig3Readout {
    /// The two rows.
    pub rows: Vec<RowReadout>,
    /// The step both runs reached.
    pub step: u64,
    /// A status line (paused at t*, a divergence, a replay in progress), or none.
    pub message: Option<String>,
    /// Whether a link's replay is still running.
    pub replaying: bool,
}

/// What one animation frame did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Frame {
    /// Whether the shell should stop playing (t* reached, a run failed).
    pub stop: bool,
}

/// The Fig. 3 view.
#[derive(Debug, Clone)]
pub struct Fig3Model {
    settings: Settings,
    runs: [Session; 2],
    /// The step a link asked for, while its replay is still running.
    replay_to: Option<u64>,
    message: Option<String>,
}

fn build(settings: &Settings, row: &str) -> Result<Session, Rejection> {
    let cfg = SessionConfig {
        preset: settings.text(row).to_string(),
        seed: settings.int("seed"),
        lr: Some(settings.float("lr")),
        integrator: Some(settings.text("int").to_string()),
    };
    Session::new(&cfg).map_err(|e| {
        let key = match &e {
            crate::core::error::ConfigError::OutOfRange { name, .. }
                if name.contains("learning") =>
            {
                "lr"
            }
            _ => row,
        };
        Rejection::new(
            key,
            &settings.text_of(key),
            Reason::Refused { why: e.to_string() },
        )
    })
}

fn build_both(settings: &Settings) -> Result<[Session; 2], Rejection> {
    Ok([build(settings, ROWS[0])?, build(settings, ROWS[1])?])
}

impl Default for Fig3Model {
    fn default() -> Self {
        Self::new()
    }
}

impl Fig3Model {
    /// The view at its defaults (the paper's obstructed and good rows).
    ///
    /// # Panics
    /// Never: the schema's defaults are valid presets (a unit test builds them).
    pub fn new() -> Self {
        let settings = Settings::defaults(View::Fig3);
        #[allow(clippy::expect_used)]
        let runs = build_both(&settings).expect("the default Fig. 3 runs build");
        Self {
            settings,
            runs,
            replay_to: None,
            message: None,
        }
    }

    /// The run of `row` (`top` or `bottom`; any other name is the bottom row).
    pub fn session(&self, row: &str) -> &Session {
        &self.runs[usize::from(row != "top")]
    }

    /// The step both runs reached.
    pub fn step_reached(&self) -> u64 {
        self.runs[0].trainer().steps()
    }

    /// The yaw and pitch of `row`'s panels.
    pub fn angles(&self, row: &str) -> (f64, f64) {
        let (y, p) = if row == "top" {
            ("ty", "tp")
        } else {
            ("by", "bp")
        };
        (self.settings.float(y), self.settings.float(p))
    }

    /// Turns `row` by a drag of (dx, dy) pixels.
    pub fn rotate(&mut self, row: &str, dx: f64, dy: f64) {
        let (y, p) = if row == "top" {
            ("ty", "tp")
        } else {
            ("by", "bp")
        };
        let (yaw, pitch) = self.angles(row);
        if !(dx.is_finite() && dy.is_finite()) {
            return;
        }
        let yaw = wrap_yaw(yaw + dx * RADIANS_PER_PIXEL);
        let pitch = (pitch + dy * RADIANS_PER_PIXEL).clamp(PITCH_MIN, PITCH_MAX);
        self.settings.insert(y, Value::Float(yaw));
        self.settings.insert(p, Value::Float(pitch));
    }

    /// Both runs again from step 0 with the settings in force.
    pub fn reset(&mut self) {
        if let Ok(runs) = build_both(&self.settings) {
            self.runs = runs;
        }
        self.replay_to = None;
        self.message = None;
    }

    /// Steps both runs by `n`; a failure stops and is said in the status line.
    fn step_runs(&mut self, n: u64) -> bool {
        let mut ok = true;
        for (i, row) in ROWS.iter().enumerate() {
            let mut left = n;
            while left > 0 {
                let chunk = left.min(u64::from(u32::MAX)) as u32;
                if let Err(e) = self.runs[i].step(chunk) {
                    let shown = self.runs[i].trainer().steps();
                    self.message = Some(failure_message(row, &e, shown));
                    ok = false;
                    break;
                }
                left -= u64::from(chunk);
            }
        }
        ok
    }

    /// `n` steps of both runs, ignoring t* (the benchmark and the soak test); false when a run
    /// failed.
    pub fn advance(&mut self, n: u64) -> bool {
        self.replay_to = None;
        self.step_runs(n)
    }

    /// Whether a run has failed (diverged): it refuses further steps.
    pub fn failed(&self) -> bool {
        self.runs.iter().any(|s| s.trainer().failure().is_some())
    }

    /// One press of Step: a single step of both runs.
    pub fn step_once(&mut self) {
        self.replay_to = None;
        if !self.failed() {
            self.message = None;
            self.step_runs(1);
        }
    }

    /// Whether Play may start; otherwise the status line says why.
    pub fn can_play(&mut self) -> bool {
        if self.failed() {
            self.message =
                Some("This run diverged. Lower the learning rate, then press Reset.".into());
            return false;
        }
        self.message = None;
        true
    }

    /// One animation frame while playing: `speed` steps (never past t* when pausing there).
    pub fn frame(&mut self) -> Frame {
        if self.replay_to.is_some() {
            self.replay();
            return Frame { stop: false };
        }
        if self.failed() {
            return Frame { stop: true };
        }
        let step = self.step_reached();
        let pause = self.settings.flag("pause") && step < T_STAR;
        let mut n = self.settings.int("speed");
        if pause {
            n = n.min(T_STAR - step);
        }
        if !self.step_runs(n) {
            return Frame { stop: true };
        }
        if pause && self.step_reached() >= T_STAR {
            self.message = Some(format!(
                "Paused at t* = {T_STAR}, the length of the paper's runs. Press Play to continue."
            ));
            return Frame { stop: true };
        }
        Frame { stop: false }
    }

    /// Whether the view starts playing by itself when the reader arrives: a fresh run (step 0, no
    /// replay in progress), with `play` on (a link with `play=0` arrives paused, and so does a link
    /// to a later step: it shows that moment). The shell also holds back under reduced motion.
    pub fn plays_on_arrival(&self) -> bool {
        self.settings.flag("play") && self.replay_to.is_none() && self.step_reached() == 0
    }

    /// Whether a link's replay is still running.
    pub fn replaying(&self) -> bool {
        self.replay_to.is_some()
    }

    /// One slice of a link's replay; returns whether more is left.
    pub fn replay(&mut self) -> bool {
        let Some(target) = self.replay_to else {
            return false;
        };
        let slice = if self.settings.text("int") == "flow" {
            FLOW_REPLAY_SLICE
        } else {
            REPLAY_SLICE
        };
        let now = self.step_reached();
        let n = slice.min(target.saturating_sub(now));
        if n == 0 || !self.step_runs(n) || self.step_reached() >= target {
            self.replay_to = None;
            if self
                .message
                .as_deref()
                .is_some_and(|m| m.starts_with("Replaying"))
            {
                self.message = None;
            }
            return false;
        }
        self.message = Some(format!(
            "Replaying the link: step {} of {target}…",
            self.step_reached()
        ));
        true
    }

    /// The most steps a link of the current settings replays.
    pub fn replay_cap(&self) -> u64 {
        if self.settings.text("int") == "flow" {
            FIG3_MAX_FLOW_REPLAY
        } else {
            FIG3_MAX_REPLAY
        }
    }

    /// The network of `row` as the topology view shows it, with a name for it.
    pub fn row_network(&self, row: &str) -> (String, NetworkSummary) {
        let s = self.session(row);
        let summary = s.run().network_summary();
        let preset = s.preset().name();
        let label = link::option_label(View::Fig3, row, preset).unwrap_or(preset);
        (
            format!("Fig. 3 {row} run: {label}, step {}", summary.step),
            summary,
        )
    }

    /// Everything the page prints.
    pub fn readout(&mut self) -> Fig3Readout {
        let mut rows = Vec::with_capacity(2);
        for (i, row) in ROWS.iter().enumerate() {
            let preset = self.settings.text(row).to_string();
            let r = self.runs[i].readout();
            let mut fields = vec![
                Field::number("step", "step", r.step.to_string(), r.step as f64),
                Field::number("loss", "loss L(θ)", format::loss(r.loss), r.loss),
            ];
            for (k, c) in r.c.iter().enumerate() {
                fields.push(Field::number(
                    format!("c{}", k + 1),
                    format!("c{} (drift)", format::subscript(k + 1)),
                    format!(
                        "{} ({})",
                        format::signed(*c, 4),
                        format::drift(r.c_drift[k])
                    ),
                    *c,
                ));
            }
            let label = if r.component_label.is_empty() {
                "— (no pathological neuron)".to_string()
            } else {
                sign_label(&r.component_label)
            };
            fields.push(Field::text(
                "label",
                "component label",
                label,
                format!("{:?}", r.component_label).replace(' ', ""),
            ));
            fields.push(Field::number(
                "components",
                "components (effective)",
                format!(
                    "{} ({})",
                    format::count(r.components),
                    format::count(r.effective_components)
                ),
                r.components,
            ));
            fields.push(Field::number(
                "jumps",
                "sheet jumps",
                r.sheet_jumps.to_string(),
                r.sheet_jumps as f64,
            ));
            let verdict = r.verdict.as_ref().map(|v| {
                let mut text = v.reason.clone();
                if r.sheet_jumps > 0 {
                    text.push_str(&format!(
                        " A discrete step jumped between sheets {} time(s): an artefact of the \
                         step size, impossible for the gradient flow.",
                        r.sheet_jumps
                    ));
                }
                Sentence {
                    text,
                    tone: if v.obstructed { "obstructed" } else { "ok" },
                }
            });
            rows.push(RowReadout {
                row,
                title: format!(
                    "{} run: {}",
                    if i == 0 { "Top" } else { "Bottom" },
                    link::option_label(View::Fig3, row, &preset).unwrap_or(&preset)
                ),
                obstructed: r.verdict.as_ref().map(|v| v.obstructed),
                fields,
                verdict,
            });
        }
        Fig3Readout {
            rows,
            step: self.step_reached(),
            message: self.message.clone(),
            replaying: self.replay_to.is_some(),
        }
    }
}

/// "Bottom run: training diverged at step 4 (…) with learning rate η = 1000: … It shows step 3,
/// its last finite state." Every number is written by [`format`], and the step the readouts show
/// is named when it is not the one that failed (a step whose loss overflowed is undone).
fn failure_message(row: &str, e: &TrainError, shown: u64) -> String {
    let sentence = failure_sentence(e);
    let mut chars = sentence.chars();
    let sentence: String = chars
        .next()
        .map(|c| {
            std::iter::once(c.to_ascii_lowercase())
                .chain(chars)
                .collect()
        })
        .unwrap_or_default();
    let mut text = format!(
        "{} run: {sentence}",
        if row == "top" { "Top" } else { "Bottom" }
    );
    if let TrainError::Diverged { step, .. } = e
        && *step != shown
    {
        text.push_str(&format!(" It shows step {shown}, its last finite state."));
    }
    text
}

impl ViewModel for Fig3Model {
    fn view(&self) -> View {
        View::Fig3
    }

    fn settings(&self) -> &Settings {
        &self.settings
    }

    fn apply(&mut self, key: &'static str, value: Value) -> Result<bool, Rejection> {
        let mut next = self.settings.clone();
        next.insert(key, value);
        if RUN_KEYS.contains(&key) {
            self.runs = build_both(&next)?;
            self.settings = next;
            self.replay_to = None;
            self.message = None;
            return Ok(true);
        }
        if key == "step" {
            let target = next.int("step");
            self.settings = next;
            self.replay_towards(target);
            return Ok(target == 0);
        }
        self.settings = next;
        Ok(false)
    }

    fn apply_values(&mut self, values: &BTreeMap<&'static str, Value>) -> Vec<Rejection> {
        let mut next = self.settings.clone();
        for (key, value) in values {
            next.insert(key, value.clone());
        }
        let target = next.int("step");
        let runs_differ = RUN_KEYS.iter().any(|k| next.get(k) != self.settings.get(k));
        if runs_differ || target < self.step_reached() {
            match build_both(&next) {
                Ok(runs) => self.runs = runs,
                Err(r) => return vec![r],
            }
        }
        self.settings = next;
        self.message = None;
        self.replay_towards(target);
        Vec::new()
    }

    fn link_values(&self) -> (BTreeMap<&'static str, Value>, Option<String>) {
        let mut values = self.settings.values().clone();
        let reached = self.replay_to.unwrap_or_else(|| self.step_reached());
        let cap = self.replay_cap();
        let note = (reached > cap).then(|| {
            format!(
                "this link replays {cap} steps, the most a link holds here (the page is at step \
                 {reached})"
            )
        });
        values.insert("step", Value::Int(reached.min(cap)));
        (values, note)
    }
}

impl Fig3Model {
    /// Replays towards `target` (from step 0 if the runs are already beyond it).
    fn replay_towards(&mut self, target: u64) {
        if target < self.step_reached() {
            self.reset();
        }
        self.replay_to = (target > self.step_reached()).then_some(target);
        // The cheap integrators replay at once; the flow replays in slices (see the header).
        if self.settings.text("int") != "flow" {
            while self.replay() {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::view::{link_state, open_link, set};

    #[test]
    fn yaw_wraps_and_pitch_clamps() {
        assert!((wrap_yaw(PI + 0.5) - (-PI + 0.5)).abs() < 1e-12);
        assert!((wrap_yaw(-PI - 0.5) - (PI - 0.5)).abs() < 1e-12);
        let mut m = Fig3Model::new();
        m.rotate("top", 0.0, 1e6);
        assert_eq!(m.angles("top").1, PITCH_MAX);
        m.rotate("bottom", 0.0, -1e6);
        assert_eq!(m.angles("bottom").1, PITCH_MIN);
    }

    #[test]
    fn a_refused_learning_rate_keeps_the_previous_one_and_the_link() {
        let mut m = Fig3Model::new();
        let before = link_state(&m).link;
        for (text, code) in [
            ("0x10", "not_a_number"),
            ("abc", "not_a_number"),
            ("1e999", "not_finite"),
            ("0", "out_of_range"),
            ("", "missing_value"),
        ] {
            let r = set(&mut m, "lr", text).unwrap_err();
            assert_eq!((r.key.as_str(), r.reason.code()), ("lr", code), "{text}");
            assert!(r.message.contains("0.05 is still in use"), "{}", r.message);
            assert_eq!(m.settings().float("lr"), 0.05);
        }
        assert_eq!(link_state(&m).link, before);
        assert!(set(&mut m, "lr", "0.1").unwrap().restarted);
        assert!(link_state(&m).link.contains("&lr=0.1&"));
    }

    #[test]
    fn frames_stop_at_t_star() {
        let mut m = Fig3Model::new();
        m.apply("speed", Value::Int(300)).unwrap();
        assert!(!m.frame().stop);
        assert!(m.frame().stop);
        assert_eq!(m.step_reached(), T_STAR);
        assert!(m.readout().message.unwrap().contains("t* = 500"));
    }

    #[test]
    fn a_flow_link_replays_in_slices_to_the_same_state() {
        let mut m = Fig3Model::new();
        assert!(open_link(&mut m, "#fig3?v=1&int=flow&step=12").is_empty());
        assert!(m.replaying());
        let mut slices = 0;
        while m.replay() {
            slices += 1;
        }
        assert!(slices >= 2, "{slices}");
        assert_eq!(m.step_reached(), 12);
        let mut direct = Session::new(&SessionConfig {
            preset: "fig3-obstructed-pp".into(),
            seed: 0,
            lr: Some(0.05),
            integrator: Some("flow".into()),
        })
        .unwrap();
        direct.step(12).unwrap();
        assert_eq!(
            m.session("top").trainer().params(),
            direct.trainer().params()
        );
    }
}
