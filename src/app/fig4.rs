//! The Fig. 4 view model: the breast cancer sweep over widths l and numbers l+ of
//! non-pathological neurons, which the page runs as independent jobs in Web Workers.
//!
//! The model holds
//! - the settings of the `fig4` link schema (`w`, `seeds`, `steps`, `lr`, `ran`);
//! - the sweep in progress: its jobs in the order they are handed out (heaviest first) with their
//!   cost weights, the results received so far and the clock readings the shell passes in;
//! - the last finished sweep: its [`SweepRow`]s (kept for the rest of the visit, whatever the
//!   settings become) and the cell selected on its heatmap.
//!
//! and writes every sentence the view shows: progress, time left, cancel and failure texts, the
//! sentence about the sweep shown, the table's display strings and the selected cell.
//!
//! # Conventions
//! - Time is in milliseconds as the shell reads its clock (`performance.now()`); the model never
//!   reads a clock. The time left is the elapsed time scaled by the cost still to do over the
//!   cost done, the cost of a job being its [`job_weight`] l + 1 (a GD step of a width-l network
//!   costs about l + 1 units of work).
//! - The heatmap grid has one column per width, in increasing order, and one row per l+ = 0, 1,
//!   …, max l, row 0 at the bottom (as the chart draws it).
//! - A link's `ran = 1` means "the sweep of these settings is shown (or running)": opening such a
//!   link asks the shell to run it ([`Fig4Model::wants_run`]) unless it is already shown.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::app::export::{sweep_csv, sweep_json};
use crate::app::format;
use crate::app::link::{self, Reason, Rejection, Value, View};
use crate::app::view::{Field, Settings, ViewModel};
use crate::experiments::sweep::{
    DIVERGED_BCE, JobResult, SweepConfig, SweepJob, SweepRow, aggregate,
};

/// The file name of the results as CSV.
pub const CSV_FILE: &str = "fig4-sweep.csv";
/// The file name of the results as JSON.
pub const JSON_FILE: &str = "fig4-sweep.json";

/// The cost weight of a job: l + 1.
pub fn job_weight(job: &SweepJob) -> u64 {
    job.l as u64 + 1
}

/// The order in which jobs are handed out: heaviest first (decreasing l), so that the workers
/// finish together; jobs of one width keep the core's order.
pub fn hand_out_order(jobs: &[SweepJob]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(jobs[i].l));
    order
}

/// One job as the shell hands it to a worker.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PlannedJob {
    /// Its index in the core's job order ([`SweepConfig::jobs`]); results are reported by it.
    pub index: usize,
    /// The job.
    pub job: SweepJob,
    /// Its cost weight ([`job_weight`]).
    pub weight: u64,
}

/// A sweep about to run: how many workers to start, what each job is run with, and every job in
/// the order to hand out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepPlan {
    /// Workers to start (at least one, at most one per job).
    pub workers: usize,
    /// GD steps per job.
    pub steps: u64,
    /// Learning rate.
    pub lr: f64,
    /// Every job, heaviest first.
    pub jobs: Vec<PlannedJob>,
}

/// Where the view stands (the page's `data-state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// No sweep started yet.
    Idle,
    /// A sweep is running.
    Running,
    /// The last sweep finished.
    Done,
    /// The last sweep was cancelled.
    Cancelled,
    /// The last sweep failed.
    Error,
}

impl Phase {
    /// The name the page writes in `data-state`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Running => "running",
            Self::Done => "done",
            Self::Cancelled => "cancelled",
            Self::Error => "error",
        }
    }
}

/// The progress bar and the status line under it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    /// Jobs done.
    pub value: usize,
    /// Jobs in all (1 before the first sweep).
    pub max: usize,
    /// The status line.
    pub text: String,
}

/// How a sweep failed, as the shell reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// A worker reported an error running a job.
    Job,
    /// A worker could not start (its script or module failed to load).
    Start,
    /// The core crashed inside a worker (the page shows a fatal error).
    Crash,
    /// The page has no WebAssembly module to hand to the workers.
    NoModule,
    /// The page could not fetch the breast cancer data for the workers.
    Data,
}

impl Failure {
    /// The failure called `name` (`job`, `start`, `crash`, `no_module`, `data`).
    ///
    /// # Errors
    /// [`Fig4Error::UnknownName`] for another name.
    pub fn parse(name: &str) -> Result<Self, Fig4Error> {
        match name {
            "job" => Ok(Self::Job),
            "start" => Ok(Self::Start),
            "crash" => Ok(Self::Crash),
            "no_module" => Ok(Self::NoModule),
            "data" => Ok(Self::Data),
            other => Err(Fig4Error::UnknownName(other.to_string())),
        }
    }
}

/// A chart of the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The heatmap over (l, l+).
    Heatmap,
    /// The curves against l+.
    CurvesLPlus,
    /// The curves against l+/l.
    CurvesPercentage,
}

impl Part {
    /// The part called `name` (`heatmap`, `curves-lplus`, `curves-percentage`).
    ///
    /// # Errors
    /// [`Fig4Error::UnknownName`] for another name.
    pub fn parse(name: &str) -> Result<Self, Fig4Error> {
        match name {
            "heatmap" => Ok(Self::Heatmap),
            "curves-lplus" => Ok(Self::CurvesLPlus),
            "curves-percentage" => Ok(Self::CurvesPercentage),
            other => Err(Fig4Error::UnknownName(other.to_string())),
        }
    }
}

/// What the model refuses from the shell (never from a person: those are [`Rejection`]s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fig4Error {
    /// A job result arrived while no sweep runs.
    NotRunning,
    /// A job index the sweep does not have.
    UnknownJob(usize),
    /// A result for another job than the one at its index.
    WrongJob(usize),
    /// A second result for the same job.
    RepeatedJob(usize),
    /// Nothing to draw or export before the first finished sweep.
    NoResult,
    /// An unknown part, failure or key name.
    UnknownName(String),
}

impl fmt::Display for Fig4Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotRunning => f.write_str("a sweep job finished while no sweep runs"),
            Self::UnknownJob(i) => write!(f, "the sweep has no job {i}"),
            Self::WrongJob(i) => write!(f, "the result reported for job {i} is another job's"),
            Self::RepeatedJob(i) => write!(f, "job {i} was reported twice"),
            Self::NoResult => f.write_str("no finished sweep yet"),
            Self::UnknownName(name) => write!(f, "unknown name '{}'", link::shown(name)),
        }
    }
}

impl std::error::Error for Fig4Error {}

/// The view's fixed texts: title, introduction, the table's caption and columns, file names.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Texts {
    /// The view's title.
    pub title: &'static str,
    /// The paragraph under it.
    pub intro: &'static str,
    /// The label of the progress bar.
    pub progress: &'static str,
    /// The caption of the results table.
    pub caption: &'static str,
    /// The summary of the collapsible table.
    pub table_summary: &'static str,
    /// The table's column headers, in the order of [`TableRow::cells`].
    pub columns: [&'static str; 7],
    /// The Run button.
    pub run: &'static str,
    /// The Cancel button.
    pub cancel: &'static str,
    /// Accessible names of the three charts.
    pub heatmap_label: &'static str,
    /// The curves against l+.
    pub curves_lplus_label: &'static str,
    /// The curves against l+/l.
    pub curves_percentage_label: &'static str,
    /// File name (without extension) of the heatmap.
    pub heatmap_file: &'static str,
    /// File name (without extension) of the curves against l+.
    pub curves_lplus_file: &'static str,
    /// File name (without extension) of the curves against l+/l.
    pub curves_percentage_file: &'static str,
    /// File name of the CSV export.
    pub csv_file: &'static str,
    /// File name of the JSON export.
    pub json_file: &'static str,
}

/// The fixed texts of the view.
pub const TEXTS: Texts = Texts {
    title: "Fig. 4: the breast cancer sweep",
    intro: "Each run trains a two-layer ReLU network with l hidden neurons on the breast cancer \
        (Wisconsin diagnostic) data and reports its test loss (binary cross-entropy, BCE) after a \
        fixed number of steps; l+ of the neurons are non-pathological, the other l − l+ are \
        pathological and cannot change the sign of their output weight. The paper's point: the \
        test loss depends on the number l+ of non-pathological neurons, not on their share l+/l. \
        How l+ is imposed is our reading: each neuron is rescaled at initialization without \
        changing the function, the pathological neurons' output weights are made negative, and \
        there is no output bias.",
    progress: "Progress",
    caption: "Every (l, l+) of the last finished sweep: test BCE over seeds (sample standard \
        deviation).",
    table_summary: "Table of results",
    columns: [
        "l",
        "l+",
        "l+/l",
        "mean test BCE",
        "std",
        "runs",
        "diverged",
    ],
    run: "Run sweep",
    cancel: "Cancel",
    heatmap_label: "Heatmap of the mean test BCE over width l and l+; arrow keys move the \
        selected cell",
    curves_lplus_label: "Mean test BCE against l+, one curve per width l, with error bars",
    curves_percentage_label: "Mean test BCE against the percentage l+/l, one curve per width l, \
        with error bars",
    heatmap_file: "fig4-heatmap",
    curves_lplus_file: "fig4-curves-lplus",
    curves_percentage_file: "fig4-curves-percentage",
    csv_file: CSV_FILE,
    json_file: JSON_FILE,
};

/// The status line before the first sweep.
const NO_SWEEP_YET: &str = "No sweep run yet.";
/// What the cell readout says before a cell is selected.
const CELL_HINT: &str =
    "Point at a cell of the heatmap (or focus it and use the arrow keys) to read its value.";

/// The sentence about the sweep shown, with its wall time for `data-seconds`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Info {
    /// The sentence.
    pub text: String,
    /// The sweep's wall time in seconds, exact.
    pub seconds: String,
}

/// One row of the results table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableRow {
    /// The width, exact.
    pub l: String,
    /// l+, exact.
    pub l_plus: String,
    /// One field per column of [`Texts::columns`].
    pub cells: Vec<Field>,
}

/// The selected cell of the heatmap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    /// What the readout says (the hint when no cell is selected).
    pub text: String,
    /// Its width l, exact (absent when no cell is selected).
    pub l: Option<String>,
    /// Its l+, exact.
    pub l_plus: Option<String>,
}

/// Everything the view prints after a change: the phase, the sweep shown and the selected cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readout {
    /// [`Phase::name`].
    pub state: &'static str,
    /// Whether a finished sweep is shown.
    pub has_result: bool,
    /// The sentence about it.
    pub info: Option<Info>,
    /// Its table.
    pub table: Vec<TableRow>,
    /// The selected cell.
    pub cell: Cell,
}

/// The sweep in progress.
#[derive(Debug, Clone)]
struct Running {
    cfg: SweepConfig,
    jobs: Vec<SweepJob>,
    order: Vec<usize>,
    next: usize,
    results: Vec<Option<JobResult>>,
    done: usize,
    done_weight: u64,
    total_weight: u64,
    workers: usize,
    started_ms: f64,
}

impl Running {
    fn elapsed(&self, now_ms: f64) -> f64 {
        (now_ms - self.started_ms).max(0.0)
    }
}

/// A finished sweep.
#[derive(Debug, Clone, PartialEq)]
struct Finished {
    cfg: SweepConfig,
    rows: Vec<SweepRow>,
    ms: f64,
}

/// The Fig. 4 view.
#[derive(Debug, Clone)]
pub struct Fig4Model {
    settings: Settings,
    phase: Phase,
    running: Option<Running>,
    finished: Option<Finished>,
    /// The status line and bar when no sweep runs.
    status: Progress,
    /// The selected heatmap cell (col, row).
    selected: Option<(usize, usize)>,
    /// A link asked for the sweep of its settings.
    wants_run: bool,
}

impl Default for Fig4Model {
    fn default() -> Self {
        Self::new()
    }
}

/// A duration in milliseconds as the page writes it.
fn duration(ms: f64) -> String {
    format::seconds(ms / 1000.0)
}

/// Four decimals up to a million, scientific notation beyond (a diverged run's loss can be
/// 1e301), in words when not finite.
fn four_decimals(x: f64) -> String {
    if x.abs() < 1e6 {
        format::fixed(x, 4)
    } else {
        format::number(x)
    }
}

/// A test BCE as the table and the cell readout write it: a loss that is not finite is said in
/// words.
fn bce(x: f64) -> String {
    if x.is_finite() {
        four_decimals(x)
    } else {
        format::loss(x)
    }
}

/// A standard deviation over seeds ("infinite" when the losses overflow).
fn spread(x: f64) -> String {
    four_decimals(x)
}

/// l+/l in percent, and as the page writes it (rounded to a whole percent, halves up).
fn percentage(l: usize, l_plus: usize) -> (f64, String) {
    let p = 100.0 * l_plus as f64 / l as f64;
    (p, format!("{} %", format::fixed(p.round(), 0)))
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

impl Fig4Model {
    /// The view at its defaults, no sweep run.
    pub fn new() -> Self {
        Self {
            settings: Settings::defaults(View::Fig4),
            phase: Phase::Idle,
            running: None,
            finished: None,
            status: Progress {
                value: 0,
                max: 1,
                text: NO_SWEEP_YET.into(),
            },
            selected: None,
            wants_run: false,
        }
    }

    /// The sweep the settings describe.
    pub fn config(&self) -> SweepConfig {
        let s = &self.settings;
        SweepConfig {
            widths: s.ints("w").iter().map(|&l| l as usize).collect(),
            seeds: s.int("seeds"),
            steps: s.int("steps"),
            lr: s.float("lr"),
        }
    }

    /// Where the view stands.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Whether a link asked for the sweep of its settings and it is neither shown nor running:
    /// the shell then starts it (cancelling a sweep of other settings first).
    pub fn wants_run(&self) -> bool {
        self.wants_run && !self.shows(&self.config())
    }

    /// Whether the sweep of `cfg` is running or shown.
    fn shows(&self, cfg: &SweepConfig) -> bool {
        self.running.as_ref().is_some_and(|r| &r.cfg == cfg)
            || self.finished.as_ref().is_some_and(|f| &f.cfg == cfg)
    }

    /// Starts the sweep of the settings with `hardware_concurrency` workers at most (0 reads as
    /// 1) at time `now_ms`; `Ok(None)` when a sweep is already running (nothing changes).
    ///
    /// # Errors
    /// A [`Rejection`] when the settings cannot be swept (no width chosen); nothing starts.
    pub fn start(
        &mut self,
        hardware_concurrency: usize,
        now_ms: f64,
    ) -> Result<Option<SweepPlan>, Rejection> {
        if self.running.is_some() {
            return Ok(None);
        }
        let cfg = self.config();
        if cfg.widths.is_empty() {
            return Err(Rejection {
                key: "w".into(),
                value: String::new(),
                reason: Reason::ListLength {
                    min: 1,
                    max: link::FIG4_WIDTHS.len(),
                },
                message: "Choose at least one width l: nothing was started.".into(),
            });
        }
        let jobs = cfg.jobs();
        let order = hand_out_order(&jobs);
        let workers = hardware_concurrency.clamp(1, jobs.len().max(1));
        let plan = SweepPlan {
            workers,
            steps: cfg.steps,
            lr: cfg.lr,
            jobs: order
                .iter()
                .map(|&index| PlannedJob {
                    index,
                    job: jobs[index],
                    weight: job_weight(&jobs[index]),
                })
                .collect(),
        };
        self.running = Some(Running {
            total_weight: jobs.iter().map(job_weight).sum(),
            results: vec![None; jobs.len()],
            cfg,
            jobs,
            order,
            next: 0,
            done: 0,
            done_weight: 0,
            workers,
            started_ms: now_ms,
        });
        self.wants_run = false;
        self.phase = Phase::Running;
        Ok(Some(plan))
    }

    /// The next job to hand to a worker, heaviest first; `None` when every job was handed out
    /// (the worker can stop) or no sweep runs.
    pub fn next_job(&mut self) -> Option<PlannedJob> {
        let run = self.running.as_mut()?;
        let index = *run.order.get(run.next)?;
        run.next += 1;
        Some(PlannedJob {
            index,
            job: run.jobs[index],
            weight: job_weight(&run.jobs[index]),
        })
    }

    /// Records the result of job `index` at time `now_ms`; returns whether the sweep is now
    /// finished (its rows are then shown, aggregated in the core's job order).
    ///
    /// # Errors
    /// [`Fig4Error`] when no sweep runs, or for an unknown, mismatched or repeated job; nothing
    /// changes.
    pub fn job_done(
        &mut self,
        index: usize,
        result: JobResult,
        now_ms: f64,
    ) -> Result<bool, Fig4Error> {
        let run = self.running.as_mut().ok_or(Fig4Error::NotRunning)?;
        let job = *run.jobs.get(index).ok_or(Fig4Error::UnknownJob(index))?;
        if result.job != job {
            return Err(Fig4Error::WrongJob(index));
        }
        let slot = &mut run.results[index];
        if slot.is_some() {
            return Err(Fig4Error::RepeatedJob(index));
        }
        *slot = Some(result);
        run.done += 1;
        run.done_weight += job_weight(&job);
        if run.done < run.jobs.len() {
            return Ok(false);
        }
        let ms = run.elapsed(now_ms);
        let results: Vec<JobResult> = run.results.iter().flatten().copied().collect();
        let total = results.len();
        let diverged = results.iter().filter(|r| r.diverged).count();
        let cfg = run.cfg.clone();
        self.running = None;
        let text = if diverged > 0 {
            format!(
                "Done in {}: {diverged} of {} diverged (a training or test BCE not finite or \
                 above {}); each is scored at its last finite state.",
                duration(ms),
                plural(total, "run"),
                link::format_number(DIVERGED_BCE)
            )
        } else {
            format!("Done: {} in {}.", plural(total, "run"), duration(ms))
        };
        self.status = Progress {
            value: total,
            max: total,
            text,
        };
        self.finished = Some(Finished {
            cfg,
            rows: aggregate(&results),
            ms,
        });
        self.selected = None;
        self.phase = Phase::Done;
        Ok(true)
    }

    /// The progress bar and status line at time `now_ms`: while running "3 / 45 runs · 2
    /// workers · elapsed 1.2 s · about 3.4 s left".
    pub fn progress(&self, now_ms: f64) -> Progress {
        let Some(run) = &self.running else {
            return self.status.clone();
        };
        let elapsed = run.elapsed(now_ms);
        let mut text = format!(
            "{} / {} runs · {} · elapsed {}",
            run.done,
            run.jobs.len(),
            plural(run.workers, "worker"),
            duration(elapsed)
        );
        if run.done_weight > 0 {
            let left =
                elapsed * (run.total_weight - run.done_weight) as f64 / run.done_weight as f64;
            text.push_str(&format!(" · about {} left", duration(left)));
        } else {
            text.push_str(" · estimating the time left…");
        }
        Progress {
            value: run.done,
            max: run.jobs.len(),
            text,
        }
    }

    /// Cancels the running sweep at time `now_ms` (its results are discarded, the previous sweep
    /// stays shown); returns whether one was running.
    pub fn cancel(&mut self, now_ms: f64) -> bool {
        let Some(run) = self.running.take() else {
            return false;
        };
        let mut text = format!(
            "Cancelled after {} / {} runs ({}); their results were discarded.",
            run.done,
            run.jobs.len(),
            duration(run.elapsed(now_ms))
        );
        if self.finished.is_some() {
            text.push_str(" The previous sweep is still shown.");
        }
        self.status = Progress {
            value: run.done,
            max: run.jobs.len(),
            text,
        };
        self.phase = Phase::Cancelled;
        true
    }

    /// Stops the running sweep on a failure (`detail` is what the worker or the browser said)
    /// and returns the message to show (for [`Failure::Crash`], the page's fatal error).
    pub fn fail(&mut self, failure: Failure, detail: &str) -> String {
        let detail = link::shown(detail.trim());
        let (done, total) = match self.running.take() {
            Some(run) => (run.done, run.jobs.len()),
            None => (0, 0),
        };
        self.status = Progress {
            value: done,
            max: total.max(1),
            text: format!("The sweep stopped after {done} / {total} runs."),
        };
        self.phase = Phase::Error;
        match failure {
            Failure::Job => format!("The sweep failed: {detail}"),
            Failure::Start if detail.is_empty() => {
                "The sweep failed: a sweep worker could not start.".into()
            }
            Failure::Start => format!("The sweep failed: a sweep worker failed: {detail}"),
            Failure::Crash => format!("a sweep worker crashed: {detail}"),
            Failure::NoModule => "The sweep failed: cannot find the page's WebAssembly module \
                to hand to the workers."
                .into(),
            Failure::Data => format!(
                "The sweep failed: the breast cancer data could not be loaded ({detail}). Run \
                 again to retry."
            ),
        }
    }

    /// The rows of the finished sweep shown (empty before the first).
    pub fn rows(&self) -> &[SweepRow] {
        self.finished.as_ref().map_or(&[], |f| &f.rows)
    }

    /// The heatmap's columns (the widths, increasing) and its number of rows (max l + 1).
    pub fn grid(&self) -> (Vec<usize>, usize) {
        let mut widths: Vec<usize> = self.rows().iter().map(|r| r.l).collect();
        widths.sort_unstable();
        widths.dedup();
        let rows = widths.last().map_or(0, |&l| l + 1);
        (widths, rows)
    }

    /// The selected cell (col, row), if any.
    pub fn selected(&self) -> Option<(usize, usize)> {
        self.selected
    }

    /// Selects cell (col, row) of the heatmap; returns whether the selection changed (a cell
    /// outside the grid changes nothing).
    pub fn select(&mut self, col: usize, row: usize) -> bool {
        let (widths, rows) = self.grid();
        if col >= widths.len() || row >= rows || self.selected == Some((col, row)) {
            return false;
        }
        self.selected = Some((col, row));
        true
    }

    /// Moves the selection with an arrow key (`ArrowLeft`, `ArrowRight`, `ArrowUp`: more l+,
    /// `ArrowDown`); the first press selects the bottom-left cell. Returns whether the key is
    /// one the heatmap takes (an arrow, with a sweep shown).
    pub fn key(&mut self, name: &str) -> bool {
        let (dc, dr): (isize, isize) = match name {
            "ArrowLeft" => (-1, 0),
            "ArrowRight" => (1, 0),
            "ArrowUp" => (0, 1),
            "ArrowDown" => (0, -1),
            _ => return false,
        };
        let (widths, rows) = self.grid();
        if widths.is_empty() {
            return false;
        }
        let (col, row) = match self.selected {
            None => (0, 0),
            Some((c, r)) => (
                c.saturating_add_signed(dc).min(widths.len() - 1),
                r.saturating_add_signed(dr).min(rows - 1),
            ),
        };
        self.selected = Some((col, row));
        true
    }

    /// The selected cell as the readout says it.
    pub fn cell(&self) -> Cell {
        let (widths, _) = self.grid();
        let Some((l, l_plus)) = self
            .selected
            .and_then(|(c, r)| widths.get(c).map(|&l| (l, r)))
        else {
            return Cell {
                text: CELL_HINT.into(),
                l: None,
                l_plus: None,
            };
        };
        let row = self.rows().iter().find(|r| r.l == l && r.l_plus == l_plus);
        let text = match row {
            Some(d) => {
                let (_, pct) = percentage(d.l, d.l_plus);
                let value = if d.mean_test_bce.is_finite() {
                    format!(
                        "test BCE {} ± {}",
                        bce(d.mean_test_bce),
                        spread(d.std_test_bce)
                    )
                } else {
                    format!("test BCE: {}", bce(d.mean_test_bce))
                };
                let mut text = format!(
                    "l = {}, l+ = {} ({pct}): {value} over {}",
                    d.l,
                    d.l_plus,
                    plural(d.runs, "seed")
                );
                if d.diverged_runs > 0 {
                    text.push_str(&format!(", {} diverged", d.diverged_runs));
                }
                text
            }
            None => format!("l = {l}, l+ = {l_plus}: no such network (l+ cannot exceed l)."),
        };
        Cell {
            text,
            l: Some(l.to_string()),
            l_plus: Some(l_plus.to_string()),
        }
    }

    /// The sentence about the sweep shown.
    pub fn info(&self) -> Option<Info> {
        let f = self.finished.as_ref()?;
        let c = &f.cfg;
        let widths: Vec<String> = c.widths.iter().map(ToString::to_string).collect();
        let seeds = if c.seeds == 1 {
            "1 seed (0)".to_string()
        } else {
            format!("{} seeds (0…{})", c.seeds, c.seeds - 1)
        };
        let runs: usize = f.rows.iter().map(|r| r.runs).sum();
        let diverged: usize = f.rows.iter().map(|r| r.diverged_runs).sum();
        let mut text = format!(
            "Showing the sweep over l = {} with {seeds}, {} GD steps, η = {}; it took {} s. \
             Error bars: ± one standard deviation over seeds.",
            widths.join(", "),
            c.steps,
            link::format_number(c.lr),
            format::fixed(f.ms / 1000.0, 1)
        );
        if diverged > 0 {
            text.push_str(&format!(
                " {diverged} of {} diverged: lower the learning rate for numbers that mean \
                 something.",
                plural(runs, "run")
            ));
        }
        Some(Info {
            text,
            seconds: format::raw(f.ms / 1000.0),
        })
    }

    /// The results table: display strings and exact values, one row per (l, l+).
    pub fn table(&self) -> Vec<TableRow> {
        let labels = TEXTS.columns;
        self.rows()
            .iter()
            .map(|r| {
                let (pct, pct_text) = percentage(r.l, r.l_plus);
                let count = |key: &str, label: &str, n: usize| {
                    Field::number(key, label, n.to_string(), n as f64)
                };
                TableRow {
                    l: r.l.to_string(),
                    l_plus: r.l_plus.to_string(),
                    cells: vec![
                        count("l", labels[0], r.l),
                        count("l_plus", labels[1], r.l_plus),
                        Field::number("percentage", labels[2], pct_text, pct),
                        Field::number(
                            "mean_test_bce",
                            labels[3],
                            bce(r.mean_test_bce),
                            r.mean_test_bce,
                        ),
                        Field::number(
                            "std_test_bce",
                            labels[4],
                            spread(r.std_test_bce),
                            r.std_test_bce,
                        ),
                        count("runs", labels[5], r.runs),
                        count("diverged_runs", labels[6], r.diverged_runs),
                    ],
                }
            })
            .collect()
    }

    /// Everything the view prints after a change.
    pub fn readout(&self) -> Readout {
        Readout {
            state: self.phase.name(),
            has_result: self.finished.is_some(),
            info: self.info(),
            table: self.table(),
            cell: self.cell(),
        }
    }

    /// The results of the sweep shown as CSV, with its settings in comments.
    ///
    /// # Errors
    /// [`Fig4Error::NoResult`] before the first finished sweep.
    pub fn csv(&self) -> Result<String, Fig4Error> {
        let f = self.finished.as_ref().ok_or(Fig4Error::NoResult)?;
        Ok(sweep_csv(&f.cfg, &f.rows))
    }

    /// The results of the sweep shown as JSON, with its settings.
    ///
    /// # Errors
    /// [`Fig4Error::NoResult`] before the first finished sweep.
    pub fn json(&self) -> Result<String, Fig4Error> {
        let f = self.finished.as_ref().ok_or(Fig4Error::NoResult)?;
        Ok(sweep_json(&f.cfg, &f.rows))
    }
}

impl ViewModel for Fig4Model {
    fn view(&self) -> View {
        View::Fig4
    }

    fn settings(&self) -> &Settings {
        &self.settings
    }

    fn apply(&mut self, key: &'static str, value: Value) -> Result<bool, Rejection> {
        if key == "ran" {
            // Asking for the sweep is a request, not a setting: see `wants_run`.
            self.wants_run = value == Value::Bool(true);
        } else {
            self.settings.insert(key, value);
        }
        Ok(false)
    }

    fn apply_values(&mut self, values: &BTreeMap<&'static str, Value>) -> Vec<Rejection> {
        for (&key, value) in values {
            if key != "ran" {
                self.settings.insert(key, value.clone());
            }
        }
        self.wants_run = values.get("ran") == Some(&Value::Bool(true));
        Vec::new()
    }

    fn link_values(&self) -> (BTreeMap<&'static str, Value>, Option<String>) {
        let mut values = self.settings.values().clone();
        values.insert("ran", Value::Bool(self.shows(&self.config())));
        (values, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::view::{link_state, open_link, set};

    fn result(job: SweepJob, test_bce: f64, diverged: bool) -> JobResult {
        JobResult {
            job,
            test_bce,
            diverged,
        }
    }

    /// Runs a sweep of `model`'s settings with made-up results `bce(job)`.
    fn fake_sweep(model: &mut Fig4Model, bce: impl Fn(&SweepJob) -> f64) {
        let plan = model.start(2, 0.0).unwrap().unwrap();
        for (i, p) in plan.jobs.iter().enumerate() {
            let got = model.next_job().unwrap();
            assert_eq!(got, *p);
            let finished = model
                .job_done(
                    p.index,
                    result(p.job, bce(&p.job), false),
                    100.0 * (i + 1) as f64,
                )
                .unwrap();
            assert_eq!(finished, i + 1 == plan.jobs.len());
        }
        assert_eq!(model.next_job(), None);
    }

    #[test]
    fn jobs_are_handed_out_heaviest_first_with_their_weights() {
        let mut m = Fig4Model::new();
        set(&mut m, "w", "1,4").unwrap();
        set(&mut m, "seeds", "2").unwrap();
        let plan = m.start(8, 0.0).unwrap().unwrap();
        let core = m.config().jobs();
        assert_eq!(plan.jobs.len(), core.len());
        assert_eq!(plan.workers, 8);
        // Every width-4 job comes before every width-1 job, each group in the core's order.
        let ls: Vec<usize> = plan.jobs.iter().map(|p| p.job.l).collect();
        assert_eq!(ls, [vec![4; 10], vec![1; 4]].concat());
        let indices: Vec<usize> = plan.jobs.iter().map(|p| p.index).collect();
        assert_eq!(
            indices,
            [(4..14).collect::<Vec<_>>(), (0..4).collect()].concat()
        );
        for p in &plan.jobs {
            assert_eq!(core[p.index], p.job);
            assert_eq!(p.weight, p.job.l as u64 + 1);
        }
        // A sweep at a time.
        assert_eq!(m.start(8, 1.0), Ok(None));
    }

    #[test]
    fn workers_are_at_least_one_and_at_most_one_per_job() {
        let mut m = Fig4Model::new();
        set(&mut m, "w", "1").unwrap();
        set(&mut m, "seeds", "1").unwrap();
        assert_eq!(m.start(0, 0.0).unwrap().unwrap().workers, 1);
        m.cancel(1.0);
        assert_eq!(m.start(64, 0.0).unwrap().unwrap().workers, 2);
    }

    #[test]
    fn progress_estimates_the_time_left_from_the_weights_done() {
        let mut m = Fig4Model::new();
        set(&mut m, "w", "1,2").unwrap();
        set(&mut m, "seeds", "1").unwrap();
        // Jobs (weights): l = 2 (3, 3, 3) first, then l = 1 (2, 2): 13 in all.
        let plan = m.start(2, 1000.0).unwrap().unwrap();
        let p = m.progress(1000.0);
        assert_eq!(
            p.text,
            "0 / 5 runs · 2 workers · elapsed 0.0 s · estimating the time left…"
        );
        let first = plan.jobs[0];
        m.job_done(first.index, result(first.job, 0.5, false), 2200.0)
            .unwrap();
        // 3 of 13 done in 1.2 s: 10 left take 4.0 s.
        let p = m.progress(2200.0);
        assert_eq!(
            p.text,
            "1 / 5 runs · 2 workers · elapsed 1.2 s · about 4.0 s left"
        );
        assert_eq!((p.value, p.max), (1, 5));
    }

    #[test]
    fn a_result_must_be_its_jobs_and_only_once() {
        let mut m = Fig4Model::new();
        let job = SweepJob {
            l: 1,
            l_plus: 0,
            seed: 0,
        };
        assert_eq!(
            m.job_done(0, result(job, 0.1, false), 0.0),
            Err(Fig4Error::NotRunning)
        );
        set(&mut m, "w", "1").unwrap();
        m.start(1, 0.0).unwrap();
        assert_eq!(
            m.job_done(99, result(job, 0.1, false), 0.0),
            Err(Fig4Error::UnknownJob(99))
        );
        assert_eq!(
            m.job_done(1, result(job, 0.1, false), 0.0),
            Err(Fig4Error::WrongJob(1))
        );
        m.job_done(0, result(job, 0.1, false), 0.0).unwrap();
        assert_eq!(
            m.job_done(0, result(job, 0.1, false), 0.0),
            Err(Fig4Error::RepeatedJob(0))
        );
    }

    #[test]
    fn no_width_starts_nothing() {
        let mut m = Fig4Model::new();
        set(&mut m, "w", "").unwrap();
        let r = m.start(2, 0.0).unwrap_err();
        assert_eq!((r.key.as_str(), r.reason.code()), ("w", "list_length"));
        assert!(r.message.contains("at least one width"), "{}", r.message);
        assert_eq!(m.phase(), Phase::Idle);
    }

    #[test]
    fn cancel_keeps_the_previous_sweep_and_says_so() {
        let mut m = Fig4Model::new();
        set(&mut m, "w", "1").unwrap();
        set(&mut m, "seeds", "1").unwrap();
        fake_sweep(&mut m, |_| 0.25);
        let rows = m.rows().to_vec();
        set(&mut m, "seeds", "2").unwrap();
        let plan = m.start(1, 0.0).unwrap().unwrap();
        let j = plan.jobs[0];
        m.job_done(j.index, result(j.job, 1.0, false), 500.0)
            .unwrap();
        assert!(m.cancel(1500.0));
        assert!(!m.cancel(1600.0));
        assert_eq!(m.phase(), Phase::Cancelled);
        assert_eq!(m.rows(), rows);
        assert_eq!(
            m.progress(9999.0).text,
            "Cancelled after 1 / 4 runs (1.5 s); their results were discarded. The previous \
             sweep is still shown."
        );
    }

    #[test]
    fn failures_stop_the_sweep_with_a_message() {
        let mut m = Fig4Model::new();
        set(&mut m, "w", "1").unwrap();
        m.start(1, 0.0).unwrap();
        let msg = m.fail(Failure::Start, "");
        assert_eq!(msg, "The sweep failed: a sweep worker could not start.");
        assert_eq!(m.phase(), Phase::Error);
        assert_eq!(m.progress(0.0).text, "The sweep stopped after 0 / 6 runs.");
        m.start(1, 0.0).unwrap();
        assert_eq!(
            m.fail(Failure::Crash, "unreachable"),
            "a sweep worker crashed: unreachable"
        );
        m.start(1, 0.0).unwrap();
        let msg = m.fail(Failure::parse("data").unwrap(), "Failed to fetch");
        assert!(
            msg.contains("could not be loaded (Failed to fetch)"),
            "{msg}"
        );
        assert_eq!(m.phase(), Phase::Error);
        assert!(Failure::parse("nope").is_err());
    }

    #[test]
    fn the_heatmap_selection_moves_with_the_arrows_and_stays_on_the_grid() {
        let mut m = Fig4Model::new();
        assert!(!m.key("ArrowUp"), "no sweep shown");
        set(&mut m, "w", "1,2").unwrap();
        set(&mut m, "seeds", "1").unwrap();
        fake_sweep(&mut m, |j| 0.5 + j.l_plus as f64 / 10.0);
        assert_eq!(m.grid(), (vec![1, 2], 3));
        assert!(m.key("ArrowUp"));
        assert_eq!(m.selected(), Some((0, 0)), "the first press selects");
        for _ in 0..5 {
            m.key("ArrowUp");
            m.key("ArrowRight");
        }
        assert_eq!(m.selected(), Some((1, 2)));
        assert!(m.select(0, 2));
        assert!(!m.select(0, 2), "unchanged");
        assert!(!m.select(2, 0), "outside the grid");
        assert_eq!(
            m.cell().text,
            "l = 1, l+ = 2: no such network (l+ cannot exceed l)."
        );
        m.select(1, 1);
        let cell = m.cell();
        assert_eq!(
            cell.text,
            "l = 2, l+ = 1 (50 %): test BCE 0.6000 ± 0.0000 over 1 seed"
        );
        assert_eq!(
            (cell.l.as_deref(), cell.l_plus.as_deref()),
            (Some("2"), Some("1"))
        );
        assert!(!m.key("Enter"));
    }

    #[test]
    fn a_diverged_sweep_never_says_nan() {
        let mut m = Fig4Model::new();
        set(&mut m, "w", "2").unwrap();
        set(&mut m, "seeds", "2").unwrap();
        let plan = m.start(1, 0.0).unwrap().unwrap();
        for p in &plan.jobs {
            let bce = if p.job.seed == 0 { f64::NAN } else { 0.5 };
            m.job_done(p.index, result(p.job, bce, true), 10.0).unwrap();
        }
        m.select(0, 1);
        let r = m.readout();
        let mut texts = vec![
            r.cell.text.clone(),
            r.info.unwrap().text,
            m.progress(0.0).text,
        ];
        for row in &r.table {
            texts.extend(row.cells.iter().map(|c| c.text.clone()));
        }
        for t in &texts {
            assert!(!t.contains("NaN") && !t.contains("inf"), "{t}");
        }
        assert!(r.cell.text.contains("the loss is no longer a number"));
        assert!(
            m.progress(0.0).text.contains("6 of 6 runs diverged"),
            "{}",
            m.progress(0.0).text
        );
        assert!(!m.csv().unwrap().is_empty());
    }

    #[test]
    fn percentages_round_halves_up_like_the_page_did() {
        assert_eq!(percentage(8, 1).1, "13 %");
        assert_eq!(percentage(8, 3).1, "38 %");
        assert_eq!(percentage(16, 1).1, "6 %");
        assert_eq!(percentage(1, 1).1, "100 %");
    }

    #[test]
    fn huge_and_infinite_losses_read_well() {
        assert_eq!(bce(0.34567), "0.3457");
        assert_eq!(bce(9.711575115529905e301), "9.71158e+301");
        assert_eq!(spread(f64::INFINITY), "infinite");
        assert_eq!(bce(f64::NAN), "the loss is no longer a number");
    }

    #[test]
    fn ran_is_true_only_while_the_sweep_of_these_settings_runs_or_is_shown() {
        let mut m = Fig4Model::new();
        assert!(link_state(&m).link.ends_with("&ran=0"));
        assert!(open_link(&mut m, "#fig4?v=1&w=1&seeds=1&steps=10&ran=1").is_empty());
        assert!(m.wants_run());
        assert!(link_state(&m).link.ends_with("&ran=0"), "not run yet");
        m.start(1, 0.0).unwrap();
        assert!(!m.wants_run());
        assert_eq!(
            link_state(&m).link,
            "#fig4?v=1&w=1&seeds=1&steps=10&lr=0.1&ran=1"
        );
        set(&mut m, "steps", "11").unwrap();
        assert!(link_state(&m).link.ends_with("&ran=0"));
        set(&mut m, "steps", "10").unwrap();
        assert!(link_state(&m).link.ends_with("&ran=1"));
        // Opening the link of the sweep shown asks for nothing.
        open_link(&mut m, "#fig4?v=1&w=1&seeds=1&steps=10&ran=1");
        assert!(!m.wants_run());
    }
}
