//! The view model of the live Fig. 1b: one neuron (d = e = 1) as a point (w, v) of the plane, its
//! run ([`NeuronRun`]), its settings (the keys of the Fig. 1b link schema), its readouts as display
//! records and the rules of its controls (the starts offered, the keyboard nudges, the rescaling,
//! the pointer on the plane through the last [`PlaneLayout`]).
//!
//! # Conventions
//! - The settings are the keys of [`link::schema`]`(View::Fig1b)`: `lr`, `int` and `speed` are in
//!   force as soon as they are accepted (a new `lr` or `int` restarts the run from its start);
//!   `w0` and `v0` are the start typed in the controls, applied by [`Fig1bModel::start_here`]
//!   (so a link always carries the start of the run shown, [`NeuronRun::start`]); `alpha` is the
//!   factor [`Fig1bModel::rescale`] applies; `step` is the step reached (a link replays it).
//! - Every number shown is written by [`format`]; a diverged run is said in words
//!   ([`format::loss`]), never as `NaN`.
//! - Pixels are those of the last drawing's backing store ([`PlaneLayout`], filled by the chart).
//! - Nothing here reads a clock or the DOM.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::app::export::{RunExport, fig1b_record};
use crate::app::format;
use crate::app::link::{self, FIG1B_MAX_REPLAY, Reason, Rejection, Value, View};
use crate::app::single_neuron::{NeuronReadout, NeuronRun, StartKind, WINDOW, validate_point};
use crate::app::view::{Field, Sentence, Settings, ViewModel};
#[cfg(test)]
use crate::core::error::TrainError;
use crate::core::train::Integrator;

/// The "Good start" button: c = 3.75 > 0, its hyperbola meets the minima.
pub const GOOD_START: (f64, f64) = (2.0, -0.5);
/// The "Pathological start" button: c = −2 < 0 with v < 0, the minima cannot be reached.
pub const PATHOLOGICAL_START: (f64, f64) = (0.5, -1.5);
/// An arrow key moves the start by this much…
pub const NUDGE: f64 = 0.05;
/// …and by this much with Shift.
pub const NUDGE_FAST: f64 = 0.25;
/// Most steps one call of [`Fig1bModel::step`] takes.
pub const MAX_STEPS_PER_CALL: u32 = 20_000;

/// Where the plot of the plane landed in the last drawing: the plot rectangle in backend pixels
/// (for a canvas: its backing store) and the data window it shows. The chart
/// ([`crate::present::charts::hyperbolas`]) fills it; the view model turns pixels into (w, v) with
/// it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PlaneLayout {
    /// Pixel x of w = `w_min`.
    pub left: f64,
    /// Pixel y of v = `v_max`.
    pub top: f64,
    /// Pixel x of w = `w_max`.
    pub right: f64,
    /// Pixel y of v = `v_min`.
    pub bottom: f64,
    /// Smallest w shown.
    pub w_min: f64,
    /// Largest w shown.
    pub w_max: f64,
    /// Smallest v shown.
    pub v_min: f64,
    /// Largest v shown.
    pub v_max: f64,
}

impl PlaneLayout {
    /// The point (w, v) under pixel (x, y), or `None` outside the plot rectangle (or for
    /// non-finite input).
    pub fn pixel_to_point(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        if !(x.is_finite() && y.is_finite()) {
            return None;
        }
        let inside = x >= self.left.min(self.right)
            && x <= self.left.max(self.right)
            && y >= self.top.min(self.bottom)
            && y <= self.top.max(self.bottom);
        if !inside || self.right == self.left || self.bottom == self.top {
            return None;
        }
        let w = self.w_min + (x - self.left) / (self.right - self.left) * (self.w_max - self.w_min);
        let v = self.v_max + (y - self.top) / (self.bottom - self.top) * (self.v_min - self.v_max);
        Some((
            w.clamp(self.w_min, self.w_max),
            v.clamp(self.v_min, self.v_max),
        ))
    }

    /// The pixel (x, y) of the point (w, v).
    pub fn point_to_pixel(&self, w: f64, v: f64) -> (f64, f64) {
        (
            self.left + (w - self.w_min) / (self.w_max - self.w_min) * (self.right - self.left),
            self.top + (v - self.v_max) / (self.v_min - self.v_max) * (self.bottom - self.top),
        )
    }
}

/// What a button, a key or the pointer did: whether it applied (`handled`: a key or a pixel the
/// view does not use is not), whether it was accepted, the sentence for the view's message box
/// ("" for none) and, when refused, the rejection (its key names the control to mark).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The action applied to this view (false: an unused key, a pixel outside the plot).
    pub handled: bool,
    /// Accepted.
    pub ok: bool,
    /// What the message box shows ("" clears it).
    pub message: String,
    /// Why it was refused.
    pub rejection: Option<Rejection>,
}

impl Outcome {
    fn done(message: impl Into<String>) -> Self {
        Self {
            handled: true,
            ok: true,
            message: message.into(),
            rejection: None,
        }
    }

    fn ignored() -> Self {
        Self {
            handled: false,
            ok: true,
            message: String::new(),
            rejection: None,
        }
    }

    fn refused(rejection: Rejection) -> Self {
        Self {
            handled: true,
            ok: false,
            message: rejection.message.clone(),
            rejection: Some(rejection),
        }
    }
}

/// What a call of [`Fig1bModel::step`] did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepReport {
    /// Steps taken.
    pub taken: u32,
    /// The run diverged (or the flow integrator gave up): it refuses further steps.
    pub diverged: bool,
    /// A playing run stops here: it diverged or reached a global minimum.
    pub stop: bool,
    /// Why it stops ("" when it does not).
    pub message: String,
}

/// Everything the readout panel shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fig1bReadout {
    /// The readout lines (`fig1b-out-<key>` on the page).
    pub fields: Vec<Field>,
    /// The verdict sentence.
    pub verdict: Sentence,
    /// The start's kind: `reachable`, `frozen_negative_output` or `silent`.
    pub kind: &'static str,
    /// A global minimum is reached.
    pub at_minimum: bool,
}

/// The export files' names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileNames {
    /// The plane's image, without its extension (`.png` or `.svg`).
    pub plane: &'static str,
    /// The run as CSV.
    pub csv: &'static str,
    /// The run as JSON.
    pub json: &'static str,
}

/// The view's fixed texts that carry numbers of the model: its title and the keyboard help's steps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fig1bTexts {
    /// The view's heading.
    pub title: &'static str,
    /// How far an arrow key moves the start ([`NUDGE`]).
    pub nudge: String,
    /// How far an arrow key with Shift moves it ([`NUDGE_FAST`]).
    pub nudge_fast: String,
}

/// The Fig. 1b view model.
#[derive(Debug, Clone)]
pub struct Fig1bModel {
    settings: Settings,
    run: NeuronRun,
    layout: Option<PlaneLayout>,
}

impl Default for Fig1bModel {
    fn default() -> Self {
        Self::new()
    }
}

fn start_kind_name(kind: StartKind) -> &'static str {
    match kind {
        StartKind::Reachable => "reachable",
        StartKind::FrozenNegativeOutput => "frozen_negative_output",
        StartKind::Silent => "silent",
    }
}

pub use crate::app::live_run::failure_sentence;

impl Fig1bModel {
    /// The view at its defaults (the link schema's): the good start (2, −0.5), η = 0.01, GD.
    ///
    /// # Panics
    /// Only if the run refused the link schema's own defaults (a bug; `tests/view_fig1b.rs` opens
    /// the view at its defaults).
    pub fn new() -> Self {
        let settings = Settings::defaults(View::Fig1b);
        let run = match Self::build(&settings) {
            Ok(run) => run,
            Err(e) => panic!("the one-neuron run refuses the schema's defaults: {e}"),
        };
        Self {
            settings,
            run,
            layout: None,
        }
    }

    fn build(s: &Settings) -> Result<NeuronRun, crate::core::error::ConfigError> {
        let integrator = Integrator::parse(s.text("int"))?;
        NeuronRun::from_point(s.float("w0"), s.float("v0"), s.float("lr"), integrator)
    }

    /// The run shown.
    pub fn run(&self) -> &NeuronRun {
        &self.run
    }

    /// The run shown, for the chart (its readout caches the gradient).
    pub fn run_mut(&mut self) -> &mut NeuronRun {
        &mut self.run
    }

    fn sync_run_settings(&mut self) {
        let (w0, v0) = self.run.start();
        let steps = self.run.trainer().steps();
        self.settings.insert("w0", Value::Float(w0));
        self.settings.insert("v0", Value::Float(v0));
        self.settings.insert("step", Value::Int(steps));
    }

    fn sync_step(&mut self) {
        let steps = self.run.trainer().steps();
        self.settings.insert("step", Value::Int(steps));
    }

    /// Takes up to `n` steps (at most [`MAX_STEPS_PER_CALL`]).
    pub fn step(&mut self, n: u32) -> StepReport {
        let result = self.run.step(n.min(MAX_STEPS_PER_CALL));
        self.sync_step();
        match result {
            Ok(taken) => {
                let at_minimum = self.run.readout().at_minimum;
                StepReport {
                    taken,
                    diverged: false,
                    stop: at_minimum,
                    message: if at_minimum {
                        "Paused: the run reached a global minimum.".into()
                    } else {
                        String::new()
                    },
                }
            }
            Err(e) => StepReport {
                taken: 0,
                diverged: true,
                stop: true,
                message: failure_sentence(&e),
            },
        }
    }

    /// Takes one frame's steps: the `speed` setting.
    pub fn step_frame(&mut self) -> StepReport {
        let n = u32::try_from(self.settings.int("speed")).unwrap_or(1);
        self.step(n)
    }

    /// Restarts from the start of the run.
    pub fn reset(&mut self) -> Outcome {
        self.run.reset();
        self.sync_run_settings();
        Outcome::done("")
    }

    /// Starts a new run from (w, v) with the settings in force, or refuses it (`key` names the
    /// control to mark).
    fn start_at(&mut self, key: &str, w: f64, v: f64) -> Outcome {
        if validate_point(w, v).is_err() {
            return Outcome::refused(Rejection {
                key: key.into(),
                value: format!("({}, {})", link::format_number(w), link::format_number(v)),
                reason: Reason::OutOfRange {
                    range: format!("from −{WINDOW} to {WINDOW}"),
                },
                message: format!(
                    "Start refused: (w, v) = ({}, {}) is outside the plotted window |w|, |v| ≤ \
                     {WINDOW}.",
                    format::number(w),
                    format::number(v)
                ),
            });
        }
        match self.run.set_point(w, v) {
            Ok(()) => {
                self.sync_run_settings();
                Outcome::done("")
            }
            Err(e) => Outcome::refused(Rejection {
                key: key.into(),
                value: String::new(),
                reason: Reason::OutOfRange {
                    range: format!("from −{WINDOW} to {WINDOW}"),
                },
                message: format!("Start refused: {e}."),
            }),
        }
    }

    /// "Start here": a new run from the start typed in the controls (`w0`, `v0`).
    pub fn start_here(&mut self) -> Outcome {
        let (w, v) = (self.settings.float("w0"), self.settings.float("v0"));
        self.start_at("w0", w, v)
    }

    /// "Good start": a new run from [`GOOD_START`].
    pub fn good_start(&mut self) -> Outcome {
        self.start_at("w0", GOOD_START.0, GOOD_START.1)
    }

    /// "Pathological start": a new run from [`PATHOLOGICAL_START`].
    pub fn pathological_start(&mut self) -> Outcome {
        self.start_at("w0", PATHOLOGICAL_START.0, PATHOLOGICAL_START.1)
    }

    /// Applies the rescaling (w, v) ↦ (αw, v/α) with the `alpha` setting to the current point and
    /// starts a new run from there; refused (naming `alpha`) when the point would leave the window.
    pub fn rescale(&mut self) -> Outcome {
        let alpha = self.settings.float("alpha");
        let (w, v) = self.run.point();
        let (nw, nv) = (alpha * w, v / alpha);
        let text = link::format_number(alpha);
        if !(nw.abs() <= WINDOW && nv.abs() <= WINDOW) {
            return Outcome::refused(Rejection {
                key: "alpha".into(),
                value: text.clone(),
                reason: Reason::OutOfRange {
                    range: format!("keeping |w|, |v| ≤ {WINDOW}"),
                },
                message: format!(
                    "Rescaling refused: α = {text} would move the point to (w, v) = ({}, {}), \
                     outside the plotted window |w|, |v| ≤ {WINDOW}: choose an α closer to 1.",
                    format::fixed(nw, 3),
                    format::fixed(nv, 3)
                ),
            });
        }
        match self.run.rescale(alpha) {
            Ok(()) => {
                self.sync_run_settings();
                Outcome::done(format!(
                    "Rescaled by α = {text}: same function, same loss, new c (the run restarts \
                     from here)."
                ))
            }
            Err(e) => Outcome::refused(Rejection {
                key: "alpha".into(),
                value: text,
                reason: Reason::OutOfRange {
                    range: format!("keeping |w|, |v| ≤ {WINDOW}"),
                },
                message: format!("Rescaling refused: {e}."),
            }),
        }
    }

    /// A key pressed on the focused plane: the arrow keys move the start from the current point by
    /// [`NUDGE`] ([`NUDGE_FAST`] with Shift); any other key is not handled.
    pub fn key(&mut self, name: &str, shift: bool) -> Outcome {
        let d = if shift { NUDGE_FAST } else { NUDGE };
        let (dw, dv) = match name {
            "ArrowLeft" => (-d, 0.0),
            "ArrowRight" => (d, 0.0),
            "ArrowUp" => (0.0, d),
            "ArrowDown" => (0.0, -d),
            _ => return Outcome::ignored(),
        };
        let (w, v) = self.run.point();
        self.start_at("w0", w + dw, v + dv)
    }

    /// Remembers where the last drawing put the plot.
    pub fn set_layout(&mut self, layout: PlaneLayout) {
        self.layout = Some(layout);
    }

    /// The pointer at pixel (x, y) of the last drawing: a new run from the point under it (not
    /// handled outside the plot or before the first drawing).
    pub fn point_at(&mut self, x: f64, y: f64) -> Outcome {
        match self.layout.and_then(|l| l.pixel_to_point(x, y)) {
            Some((w, v)) => self.start_at("w0", w, v),
            None => Outcome::ignored(),
        }
    }

    /// The pixel of (w, v) in the last drawing (`None` before the first drawing).
    pub fn point_to_pixel(&self, w: f64, v: f64) -> Option<(f64, f64)> {
        self.layout.map(|l| l.point_to_pixel(w, v))
    }

    /// The readout panel: the lines, the verdict and the start's kind.
    pub fn readout(&mut self) -> Fig1bReadout {
        let r = self.run.readout();
        let failure = self.run.trainer().failure().map(failure_sentence);
        Fig1bReadout {
            fields: fields(&r),
            verdict: verdict(&r, failure),
            kind: start_kind_name(r.start_kind),
            at_minimum: r.at_minimum,
        }
    }

    /// The title and the keyboard help's steps.
    pub fn texts(&self) -> Fig1bTexts {
        Fig1bTexts {
            title: "Fig. 1b, live: one neuron on its hyperbola",
            nudge: link::format_number(NUDGE),
            nudge_fast: link::format_number(NUDGE_FAST),
        }
    }

    /// The export files' names.
    pub fn file_names(&self) -> FileNames {
        FileNames {
            plane: "fig1b-plane",
            csv: "fig1b-run.csv",
            json: "fig1b-run.json",
        }
    }

    /// The run as CSV (settings in comments, one row per kept step).
    pub fn csv(&mut self) -> String {
        fig1b_record(&mut self.run).to_csv("fig1b")
    }

    /// The run as a JSON export (`obstruction train --from` replays it).
    pub fn json(&mut self) -> String {
        RunExport::new("fig1b", vec![fig1b_record(&mut self.run)]).to_json()
    }

    /// Replays the run from its start to `step` (restarting when it is already past it or
    /// stopped).
    fn replay_to(&mut self, step: u64) {
        let now = self.run.trainer().steps();
        if step < now || self.run.trainer().failure().is_some() {
            self.run.reset();
        }
        let mut todo = step.saturating_sub(self.run.trainer().steps());
        while todo > 0 {
            let n = u32::try_from(todo.min(u64::from(MAX_STEPS_PER_CALL))).unwrap_or(1);
            if self.run.step(n).is_err() {
                break;
            }
            todo -= u64::from(n);
        }
        self.sync_step();
    }
}

fn fields(r: &NeuronReadout) -> Vec<Field> {
    let n = |key: &str, label: &str, x: f64| Field::number(key, label, format::number(x), x);
    let loss = r.run.loss;
    let loss_text = if loss.is_finite() {
        format::number(loss)
    } else {
        format::loss(loss)
    };
    vec![
        Field::number("step", "step", r.run.step.to_string(), r.run.step as f64),
        n("w", "w", r.w),
        n("v", "v", r.v),
        n("c", "c = w² − v² now", r.run.c[0]),
        n("c_initial", "c at the start", r.run.c_initial[0]),
        n("c_drift", "drift of c", r.run.c_drift[0]),
        n("product", "w·v (orbit)", r.product),
        Field::number("loss", "loss L", loss_text, loss),
        n("f0", "f(0.5)", r.f[0]),
        n("f1", "f(1)", r.f[1]),
        n("f2", "f(2)", r.f[2]),
        n("grad_w", "∂L/∂w", r.grad_w),
        n("grad_v", "∂L/∂v", r.grad_v),
    ]
}

fn verdict(r: &NeuronReadout, failure: Option<String>) -> Sentence {
    let reachable = r.start_kind == StartKind::Reachable;
    let mut text = if let Some(f) = &failure {
        f.clone()
    } else if r.at_minimum {
        "Reached a global minimum: w·v = 1, so f(x) = x on every input and the loss is 0.".into()
    } else {
        match r.start_kind {
            StartKind::FrozenNegativeOutput => {
                "Pathological start: c < 0 and v < 0, so |v| ≥ √(−c) all along the run and v can \
                 never change sign. The minima need v > 0: this run can never reach them, whatever \
                 the learning rate."
                    .into()
            }
            StartKind::Silent => {
                "Silent start: w ≤ 0, so σ(w·x) = 0 on every (positive) input, the gradient is \
                 zero and the point never moves."
                    .into()
            }
            StartKind::Reachable if r.silent => {
                "The neuron has switched itself off (w ≤ 0): the gradient is zero from here on."
                    .into()
            }
            StartKind::Reachable => "Good start: the hyperbola of this run meets the minima \
                                     w·v = 1, so training can reach them."
                .into(),
        }
    };
    let jumps = r.run.sheet_jumps;
    if failure.is_none() && jumps > 0 {
        let times = if jumps == 1 {
            "once".to_string()
        } else {
            format!("{jumps} times")
        };
        text.push_str(&format!(
            " A discrete step jumped between the two branches of the hyperbola {times} (an \
             artefact of a large learning rate; gradient flow cannot)."
        ));
    }
    Sentence {
        text,
        tone: if reachable && failure.is_none() {
            "ok"
        } else {
            "obstructed"
        },
    }
}

impl ViewModel for Fig1bModel {
    fn view(&self) -> View {
        View::Fig1b
    }

    fn settings(&self) -> &Settings {
        &self.settings
    }

    fn apply(&mut self, key: &'static str, value: Value) -> Result<bool, Rejection> {
        let mut next = self.settings.clone();
        next.insert(key, value);
        match key {
            "lr" | "int" => {
                // A new learning rate or integrator restarts from the start of the run shown (the
                // start typed but not applied stays typed).
                let (w0, v0) = self.run.start();
                let run = Integrator::parse(next.text("int"))
                    .and_then(|int| NeuronRun::from_point(w0, v0, next.float("lr"), int))
                    .map_err(|e| Rejection {
                        key: key.into(),
                        value: next.text_of(key),
                        reason: Reason::OutOfRange {
                            range: e.to_string(),
                        },
                        message: format!("{e}."),
                    })?;
                self.settings = next;
                self.run = run;
                self.sync_step();
                Ok(true)
            }
            "step" => {
                self.settings = next;
                let before = self.run.trainer().steps();
                let target = self.settings.int("step");
                self.replay_to(target);
                Ok(target < before)
            }
            _ => {
                self.settings = next;
                Ok(false)
            }
        }
    }

    fn apply_values(&mut self, values: &BTreeMap<&'static str, Value>) -> Vec<Rejection> {
        let mut next = self.settings.clone();
        for (key, value) in values {
            next.insert(key, value.clone());
        }
        let t = self.run.trainer();
        let same = self.run.start() == (next.float("w0"), next.float("v0"))
            && t.lr() == next.float("lr")
            && t.integrator().name() == next.text("int");
        let mut rejections = Vec::new();
        if !same {
            match Self::build(&next) {
                Ok(run) => self.run = run,
                Err(e) => {
                    rejections.push(Rejection {
                        key: "link".into(),
                        value: String::new(),
                        reason: Reason::OutOfRange {
                            range: e.to_string(),
                        },
                        message: format!("{e}."),
                    });
                    return rejections;
                }
            }
        }
        let step = next.int("step");
        self.settings = next;
        self.replay_to(step);
        rejections
    }

    fn link_values(&self) -> (BTreeMap<&'static str, Value>, Option<String>) {
        let mut values = self.settings.values().clone();
        let (w0, v0) = self.run.start();
        values.insert("w0", Value::Float(w0));
        values.insert("v0", Value::Float(v0));
        let steps = self.run.trainer().steps();
        let note = (steps > FIG1B_MAX_REPLAY).then(|| {
            format!(
                "this link replays {FIG1B_MAX_REPLAY} steps, the most a link holds here (the page \
                 is at step {steps})"
            )
        });
        values.insert("step", Value::Int(steps.min(FIG1B_MAX_REPLAY)));
        (values, note)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::app::view::{link_state, open_link, set};

    fn field<'a>(r: &'a Fig1bReadout, key: &str) -> &'a Field {
        r.fields.iter().find(|f| f.key == key).unwrap()
    }

    #[test]
    fn layout_maps_pixels_both_ways() {
        let l = PlaneLayout {
            left: 10.0,
            top: 20.0,
            right: 610.0,
            bottom: 620.0,
            w_min: -3.0,
            w_max: 3.0,
            v_min: -3.0,
            v_max: 3.0,
        };
        assert_eq!(l.pixel_to_point(310.0, 320.0), Some((0.0, 0.0)));
        assert_eq!(l.pixel_to_point(10.0, 20.0), Some((-3.0, 3.0)));
        assert_eq!(l.pixel_to_point(5.0, 320.0), None);
        assert_eq!(l.pixel_to_point(f64::NAN, 320.0), None);
        assert_eq!(l.point_to_pixel(3.0, -3.0), (610.0, 620.0));
    }

    #[test]
    fn keys_nudge_from_the_current_point_and_refuse_to_leave_the_window() {
        let mut m = Fig1bModel::new();
        assert!(m.key("ArrowRight", false).ok);
        assert!(m.key("ArrowUp", true).ok);
        assert_eq!(m.run().start(), (2.0 + NUDGE, -0.5 + NUDGE_FAST));
        assert_eq!(m.settings().float("w0"), 2.0 + NUDGE);
        assert!(!m.key("a", false).handled);
        let texts = m.texts();
        assert_eq!(
            (texts.nudge.as_str(), texts.nudge_fast.as_str()),
            ("0.05", "0.25")
        );
        for _ in 0..4 {
            m.key("ArrowRight", true);
        }
        let out = m.key("ArrowRight", true);
        assert!(!out.ok && out.message.contains("outside the plotted window"));
        assert!(m.run().start().0 <= WINDOW);
    }

    #[test]
    fn a_diverged_run_never_says_nan() {
        // No setting of this toy diverges (GD overshoots into the silent half-plane w ≤ 0, where
        // it stops), so the sentences are checked on the trainer's own error values.
        for e in [
            TrainError::Diverged {
                step: 7,
                loss: f64::NAN,
                lr: 16.0,
            },
            TrainError::Diverged {
                step: 7,
                loss: f64::INFINITY,
                lr: 16.0,
            },
            TrainError::Diverged {
                step: 7,
                loss: 1e300,
                lr: 16.0,
            },
            TrainError::StepBudget { step: 3 },
        ] {
            let s = failure_sentence(&e);
            assert!(!s.contains("NaN") && !s.contains("inf"), "{s}");
            assert!(s.ends_with("reset."), "{s}");
        }
        let s = failure_sentence(&TrainError::Diverged {
            step: 7,
            loss: f64::NAN,
            lr: 16.0,
        });
        assert_eq!(
            s,
            "Training diverged at step 7 (the loss is no longer a number) with learning rate η = \
             16: lower the learning rate and reset."
        );
        let mut m = Fig1bModel::new();
        let r = m.run.readout();
        let v = verdict(&r, Some(s.clone()));
        assert_eq!((v.text.as_str(), v.tone), (s.as_str(), "obstructed"));
    }

    #[test]
    fn a_typed_start_waits_for_start_here_and_links_carry_the_run_start() {
        let mut m = Fig1bModel::new();
        set(&mut m, "w0", "0.7").unwrap();
        assert_eq!(m.run().start(), GOOD_START);
        assert!(link_state(&m).link.contains("w0=2&"));
        assert!(m.start_here().ok);
        assert_eq!(m.run().start(), (0.7, -0.5));
        assert!(link_state(&m).link.contains("w0=0.7&"));
        m.step(3);
        let link = link_state(&m).link;
        let mut other = Fig1bModel::new();
        assert!(open_link(&mut other, &link).is_empty());
        assert_eq!(other.readout(), m.readout());
    }

    #[test]
    fn rescaling_keeps_the_function_and_refuses_to_leave_the_window() {
        let mut m = Fig1bModel::new();
        m.step(3);
        let before = m.readout();
        set(&mut m, "alpha", "1.25").unwrap();
        let out = m.rescale();
        assert!(
            out.ok
                && out
                    .message
                    .starts_with("Rescaled by α = 1.25: same function")
        );
        let after = m.readout();
        for key in ["loss", "f0", "f1", "f2", "product"] {
            assert_eq!(field(&after, key).text, field(&before, key).text, "{key}");
        }
        set(&mut m, "alpha", "100").unwrap();
        let out = m.rescale();
        assert!(!out.ok && out.rejection.unwrap().key == "alpha");
        assert_eq!(m.readout(), after);
    }
}
