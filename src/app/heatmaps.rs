//! The view model of the appendix heatmaps: both maps of P(obstruction) (Xavier normal and Kaiming
//! normal over d, l = 1..=50), the selected cell and its readout, the seeded Monte Carlo check of
//! that cell, and the live run of a random network of the cell a reader clicked.
//!
//! # State
//! - The settings are the keys of the view's link schema ([`crate::app::link`]): `sel`, `d`, `l`
//!   (the selected cell; `sel = none` when there is none), `mc`, `n`, `mcseed` (the Monte Carlo
//!   check), `rseed` (the seed of the next run, empty for a fresh one), `run` and `rstep` (the live
//!   run's seed and the step it reached, which a link replays).
//! - Moving the pointer over a map, or the arrow keys on a focused map, select a cell; a click, or
//!   Enter / Space, starts a run of the selected cell. A fresh seed is drawn by the caller (the
//!   browser's random source) and passed in: nothing here reads a clock or a random source.
//! - The Monte Carlo check of the selected cell is computed on request ([`HeatmapsModel::estimate`]),
//!   so that the page can coalesce quick pointer moves; until then its fields say "computing…".
//! - A run plays until [`HEATMAP_RUN_MAX_STEPS`] steps, or until it diverges; each frame takes
//!   [`STEPS_PER_FRAME`] steps.
//! - A link holds one cell: with a live run, the link holds the run's cell (so that it replays
//!   the run), with a note when the pointer has moved to another one.
//!
//! Every text the view shows is written here, numbers with [`crate::app::format`].

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::app::format;
use crate::app::link::{self, HEATMAP_DIM, HEATMAP_RUN_MAX_STEPS, Reason, Rejection, Value, View};
use crate::app::random_run::{
    ObstructionEstimate, ObstructionGrid, RandomRun, monte_carlo_obstruction, scheme_label,
};
use crate::app::view::{Field, Sentence, Settings, ViewModel};
use crate::core::error::ConfigError;
use crate::core::init::{FanMode, InitScheme};

/// Gradient-descent steps of the live run per animation frame.
pub const STEPS_PER_FRAME: u32 = 5;
/// Entries of c_k the run's readout lists before "…".
pub const C_SHOWN: usize = 12;
/// The note shown when a run waits for Play (the reader prefers reduced motion).
pub const REDUCED_MOTION_NOTE: &str = "Reduced motion: press Play to train this network.";
/// What the run's card says before any run.
pub const NO_RUN_MESSAGE: &str = "Click a cell to draw a random network of that shape.";

/// One of the two heatmaps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Map {
    /// Xavier normal.
    Xavier,
    /// Kaiming normal (fan_in).
    Kaiming,
}

impl Map {
    /// Both maps, in the page's order.
    pub const ALL: [Map; 2] = [Map::Xavier, Map::Kaiming];

    /// The name used in links (`sel`) and as the part of the page.
    pub fn name(self) -> &'static str {
        match self {
            Self::Xavier => "xavier",
            Self::Kaiming => "kaiming",
        }
    }

    /// The map called `name`, if any.
    pub fn parse(name: &str) -> Option<Map> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The initialization scheme of the map.
    pub fn scheme(self) -> InitScheme {
        match self {
            Self::Xavier => InitScheme::XavierNormal,
            Self::Kaiming => InitScheme::KaimingNormal {
                mode: FanMode::FanIn,
            },
        }
    }

    /// The map's place in [`Map::ALL`].
    pub fn index(self) -> usize {
        match self {
            Self::Xavier => 0,
            Self::Kaiming => 1,
        }
    }
}

/// A drawable or exportable part of the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// One heatmap.
    Map(Map),
    /// The live run's loss chart.
    Loss,
    /// The live run's data (CSV and JSON exports).
    Run,
}

impl Part {
    /// The part called `name` (`xavier`, `kaiming`, `loss`, `run`).
    ///
    /// # Errors
    /// [`HeatmapsError::UnknownPart`] for any other name.
    pub fn parse(name: &str) -> Result<Part, HeatmapsError> {
        match name {
            "loss" => Ok(Part::Loss),
            "run" => Ok(Part::Run),
            other => Map::parse(other)
                .map(Part::Map)
                .ok_or_else(|| HeatmapsError::UnknownPart(link::shown(other))),
        }
    }
}

/// What the view refuses to do.
#[derive(Debug, Clone, PartialEq)]
pub enum HeatmapsError {
    /// A part name the view does not have.
    UnknownPart(String),
    /// A part that is not a heatmap where one is needed.
    NotAMap(&'static str),
    /// The run's chart or data before any run.
    NoRun,
    /// A run or grid the core refused.
    Config(ConfigError),
}

impl fmt::Display for HeatmapsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownPart(p) => write!(
                f,
                "unknown part '{p}' of the heatmaps view (xavier, kaiming, loss or run)"
            ),
            Self::NotAMap(p) => write!(f, "'{p}' is not a heatmap (xavier or kaiming)"),
            Self::NoRun => f.write_str("no run yet: click a cell first"),
            Self::Config(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for HeatmapsError {}

impl From<ConfigError> for HeatmapsError {
    fn from(e: ConfigError) -> Self {
        Self::Config(e)
    }
}

/// What a pointer move, a click or a key did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interaction {
    /// Whether the event was the view's (a cell under the pointer, a key the map handles): the
    /// page then keeps it from scrolling the page.
    pub handled: bool,
    /// Whether the selected cell changed.
    pub cell: bool,
    /// Whether a new run started.
    pub run: bool,
    /// The maps whose drawing changed (their outline moved), by name.
    pub redraw: Vec<&'static str>,
}

impl Interaction {
    fn none() -> Self {
        Self {
            handled: false,
            cell: false,
            run: false,
            redraw: Vec::new(),
        }
    }
}

/// The live run's part of the readout.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunView {
    /// l−, which neurons, c_k, the component label, components, effective components, loss.
    pub fields: Vec<Field>,
    /// The obstruction verdict for the teacher's need of one positive and one negative term.
    pub verdict: Option<Sentence>,
}

/// Everything the view shows, formatted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeatmapsReadout {
    /// The selected cell: scheme, d, l, p, P(obstruction), E[components], E[effective
    /// components], and the Monte Carlo check.
    pub cell: Vec<Field>,
    /// Whether the Monte Carlo check of the selected cell waits for [`HeatmapsModel::estimate`].
    pub mc_pending: bool,
    /// "Drew 3 pathological neurons out of 8 (…)" (or how to start a run), with the run's
    /// `{scheme, d, l, seed, l_minus}` as JSON for `data-value`.
    pub message: Field,
    /// "step 120", with the step as `data-value`.
    pub steps: Field,
    /// The live run, if any.
    pub run: Option<RunView>,
    /// Whether the run is playing.
    pub playing: bool,
    /// The play button's text ("Play" or "Pause").
    pub play_label: &'static str,
    /// Whether the play button does anything (a run exists and can go on).
    pub can_play: bool,
    /// A note for the view's message box (reduced motion, a run that stopped), if any.
    pub note: Option<String>,
}

/// The record behind the run message's `data-value`.
#[derive(Serialize)]
struct RunIdentity {
    scheme: &'static str,
    d: usize,
    l: usize,
    seed: u64,
    l_minus: usize,
}

/// The Monte Carlo record behind the check's `data-value`.
#[derive(Serialize)]
struct PHat {
    p_mc: f64,
    p_mc_stderr: f64,
}

/// The live run and the cell it was drawn for.
#[derive(Debug, Clone)]
struct CellRun {
    map: Map,
    d: u64,
    l: u64,
    run: RandomRun,
}

/// The cell a Monte Carlo estimate was computed for, and with which settings.
type EstimateKey = (Map, u64, u64, u64, u64);

/// The heatmaps view's state (see the module header).
#[derive(Debug, Clone)]
pub struct HeatmapsModel {
    settings: Settings,
    grids: [ObstructionGrid; 2],
    estimate: Option<(EstimateKey, ObstructionEstimate)>,
    run: Option<CellRun>,
    playing: bool,
    reduced_motion: bool,
    note: Option<String>,
}

fn grid_of(map: Map) -> Result<ObstructionGrid, ConfigError> {
    ObstructionGrid::new(map.scheme(), HEATMAP_DIM as usize, HEATMAP_DIM as usize)
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

impl HeatmapsModel {
    /// Both grids, every setting at its default, no run.
    ///
    /// # Errors
    /// Only if the core refuses the grids (it does not for the schema's sizes).
    pub fn new() -> Result<Self, ConfigError> {
        Ok(Self {
            settings: Settings::defaults(View::Heatmaps),
            grids: [grid_of(Map::Xavier)?, grid_of(Map::Kaiming)?],
            estimate: None,
            run: None,
            playing: false,
            reduced_motion: false,
            note: None,
        })
    }

    /// Computes both grids again (what the page times as its render benchmark).
    ///
    /// # Errors
    /// Only if the core refuses the grids.
    pub fn recompute(&mut self) -> Result<(), ConfigError> {
        self.grids = [grid_of(Map::Xavier)?, grid_of(Map::Kaiming)?];
        Ok(())
    }

    /// The closed-form grid of `map`.
    pub fn grid(&self, map: Map) -> &ObstructionGrid {
        &self.grids[map.index()]
    }

    /// The selected cell: its map and (col, row) = (l − 1, d − 1).
    pub fn selection(&self) -> Option<(Map, usize, usize)> {
        let map = Map::parse(self.settings.text("sel"))?;
        let col = self.settings.int("l").checked_sub(1)? as usize;
        let row = self.settings.int("d").checked_sub(1)? as usize;
        Some((map, col, row))
    }

    /// The cell `map` outlines, (col, row), if the selection is on it.
    pub fn highlight(&self, map: Map) -> Option<(usize, usize)> {
        self.selection()
            .filter(|(m, _, _)| *m == map)
            .map(|(_, c, r)| (c, r))
    }

    /// The live run, if any.
    pub fn run(&self) -> Option<&RandomRun> {
        self.run.as_ref().map(|r| &r.run)
    }

    /// The live run, for drawing and exports (which read its cached readout).
    pub fn run_mut(&mut self) -> Option<&mut RandomRun> {
        self.run.as_mut().map(|r| &mut r.run)
    }

    /// Whether the run is playing.
    pub fn playing(&self) -> bool {
        self.playing
    }

    /// Whether new runs wait for Play (the reader prefers reduced motion).
    pub fn set_reduced_motion(&mut self, reduced: bool) {
        self.reduced_motion = reduced;
    }

    /// Selects cell (col, row) of `map` (clamped to the grid); returns what changed.
    pub fn select(&mut self, map: Map, col: usize, row: usize) -> Interaction {
        let last = HEATMAP_DIM as usize - 1;
        let (col, row) = (col.min(last), row.min(last));
        let before = self.selection();
        let mut out = Interaction {
            handled: true,
            ..Interaction::none()
        };
        if before == Some((map, col, row)) {
            return out;
        }
        self.settings
            .insert("sel", Value::Text(map.name().to_string()));
        self.settings.insert("d", Value::Int(row as u64 + 1));
        self.settings.insert("l", Value::Int(col as u64 + 1));
        out.cell = true;
        out.redraw.push(map.name());
        if let Some((old, _, _)) = before
            && old != map
        {
            out.redraw.push(old.name());
        }
        out
    }

    /// The pointer is over cell (col, row) of `map` (`None`: over no cell); with `press` (a
    /// click) a run of that cell starts, from the run seed or else from `fresh_seed`.
    ///
    /// # Errors
    /// Only if the core refuses the run (it does not for cells of the grid).
    pub fn point(
        &mut self,
        map: Map,
        cell: Option<(usize, usize)>,
        press: bool,
        fresh_seed: u64,
    ) -> Result<Interaction, ConfigError> {
        let Some((col, row)) = cell else {
            return Ok(Interaction::none());
        };
        let mut out = self.select(map, col, row);
        if press {
            out.run = self.start_run(fresh_seed)?;
        }
        Ok(out)
    }

    /// `map` got the keyboard focus: it selects the same cell as the other map had, or d = l = 2
    /// when nothing was selected.
    pub fn focus(&mut self, map: Map) -> Interaction {
        match self.selection() {
            Some((m, _, _)) if m == map => Interaction::none(),
            Some((_, col, row)) => self.select(map, col, row),
            None => self.select(map, 1, 1),
        }
    }

    /// A key pressed on focused `map` (`ArrowLeft`/`Right` move along l, `ArrowUp`/`Down` along
    /// d, `Enter` or a space start a run of the selected cell, from the run seed or else from
    /// `fresh_seed`); other keys are not the view's.
    ///
    /// # Errors
    /// Only if the core refuses the run.
    pub fn key(
        &mut self,
        map: Map,
        name: &str,
        fresh_seed: u64,
    ) -> Result<Interaction, ConfigError> {
        let (col, row) = self.highlight(map).unwrap_or((0, 0));
        let (col, row) = match name {
            "ArrowLeft" => (col.saturating_sub(1), row),
            "ArrowRight" => (col + 1, row),
            "ArrowUp" => (col, row + 1),
            "ArrowDown" => (col, row.saturating_sub(1)),
            "Enter" | " " => {
                let mut out = self.select(map, col, row);
                out.run = self.start_run(fresh_seed)?;
                return Ok(out);
            }
            _ => return Ok(Interaction::none()),
        };
        Ok(self.select(map, col, row))
    }

    /// Starts a run of the selected cell from the run seed (`rseed`) or else from `fresh_seed`;
    /// it plays unless the reader prefers reduced motion. Returns whether a run started (not
    /// without a selected cell).
    ///
    /// # Errors
    /// Only if the core refuses the run.
    pub fn start_run(&mut self, fresh_seed: u64) -> Result<bool, ConfigError> {
        let seed = self.settings.opt_int("rseed").unwrap_or(fresh_seed);
        if !self.build_run(seed)? {
            return Ok(false);
        }
        self.playing = !self.reduced_motion;
        self.note = self.reduced_motion.then(|| REDUCED_MOTION_NOTE.to_string());
        Ok(true)
    }

    /// Replaces the run by a new one of the selected cell from `seed`, paused at step 0; false
    /// (and nothing changes) without a selected cell.
    fn build_run(&mut self, seed: u64) -> Result<bool, ConfigError> {
        let Some(cell) = self.selection() else {
            return Ok(false);
        };
        self.build_run_at(cell, seed)?;
        Ok(true)
    }

    /// Replaces the run by a new one of cell (map, col, row) from `seed`, paused at step 0.
    fn build_run_at(
        &mut self,
        (map, col, row): (Map, usize, usize),
        seed: u64,
    ) -> Result<(), ConfigError> {
        let run = RandomRun::new(map.scheme(), row + 1, col + 1, seed)?;
        self.run = Some(CellRun {
            map,
            d: row as u64 + 1,
            l: col as u64 + 1,
            run,
        });
        self.settings.insert("run", Value::Int(seed));
        self.settings.insert("rstep", Value::Int(0));
        self.playing = false;
        self.note = None;
        Ok(())
    }

    /// Ends the run.
    fn drop_run(&mut self) {
        self.run = None;
        self.playing = false;
        self.note = None;
        self.settings.insert("run", Value::None);
        self.settings.insert("rstep", Value::Int(0));
    }

    /// The step the run has reached (0 without a run).
    pub fn run_step(&self) -> u64 {
        self.run.as_ref().map_or(0, |r| r.run.trainer().steps())
    }

    /// Whether the run can take more steps (below [`HEATMAP_RUN_MAX_STEPS`], not diverged).
    pub fn can_step(&self) -> bool {
        self.run.as_ref().is_some_and(|r| {
            r.run.trainer().steps() < HEATMAP_RUN_MAX_STEPS && r.run.trainer().failure().is_none()
        })
    }

    /// Takes up to `n` steps of the run (never beyond [`HEATMAP_RUN_MAX_STEPS`]); a run that
    /// diverges stops, paused, with a note. Returns the steps taken.
    fn advance(&mut self, n: u64) -> u64 {
        let Some(cell) = self.run.as_mut() else {
            return 0;
        };
        let before = cell.run.trainer().steps();
        let mut todo = n.min(HEATMAP_RUN_MAX_STEPS.saturating_sub(before));
        while todo > 0 && cell.run.trainer().failure().is_none() {
            let chunk = todo.min(u64::from(u32::MAX)) as u32;
            if let Err(e) = cell.run.step(chunk) {
                self.note = Some(format!(
                    "The run stopped: {}",
                    crate::app::live_run::failure_sentence(&e)
                ));
                self.playing = false;
                break;
            }
            todo -= u64::from(chunk);
        }
        let after = cell.run.trainer().steps();
        self.settings.insert("rstep", Value::Int(after));
        after - before
    }

    /// One animation frame: [`STEPS_PER_FRAME`] steps when playing. Returns whether the run goes
    /// on playing (it stops at [`HEATMAP_RUN_MAX_STEPS`] steps or when it diverges).
    pub fn frame(&mut self) -> bool {
        if !self.playing {
            return false;
        }
        self.advance(u64::from(STEPS_PER_FRAME));
        if !self.can_step() {
            self.playing = false;
        }
        self.playing
    }

    /// Play or pause (Play also clears the reduced-motion note). Returns whether it now plays.
    pub fn toggle_play(&mut self) -> bool {
        if self.playing {
            self.playing = false;
        } else if self.can_step() {
            self.playing = true;
            if self.note.as_deref() == Some(REDUCED_MOTION_NOTE) {
                self.note = None;
            }
        }
        self.playing
    }

    /// Stops playing (the view was hidden).
    pub fn pause(&mut self) {
        self.playing = false;
    }

    fn estimate_key(&self) -> Option<EstimateKey> {
        if !self.settings.flag("mc") {
            return None;
        }
        let (map, col, row) = self.selection()?;
        Some((
            map,
            row as u64 + 1,
            col as u64 + 1,
            self.settings.int("n"),
            self.settings.int("mcseed"),
        ))
    }

    fn current_estimate(&self) -> Option<&ObstructionEstimate> {
        let key = self.estimate_key()?;
        self.estimate
            .as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, e)| e)
    }

    /// Whether the Monte Carlo check is on and not yet computed for the selected cell.
    pub fn estimate_pending(&self) -> bool {
        self.estimate_key().is_some() && self.current_estimate().is_none()
    }

    /// Computes the Monte Carlo check of the selected cell if it is on and not computed yet;
    /// returns whether it computed.
    ///
    /// # Errors
    /// Only if the core refuses the settings (it does not for the schema's limits).
    pub fn estimate(&mut self) -> Result<bool, ConfigError> {
        let Some(key) = self.estimate_key().filter(|_| self.estimate_pending()) else {
            return Ok(false);
        };
        let (map, d, l, n, seed) = key;
        let est = monte_carlo_obstruction(map.scheme(), d as usize, l as usize, n, seed)?;
        self.estimate = Some((key, est));
        Ok(true)
    }

    /// The selected cell's fields (prefix `hm` on the page).
    fn cell_fields(&self) -> Vec<Field> {
        let cell = self
            .selection()
            .and_then(|(map, col, row)| self.grid(map).cell(col, row));
        let empty = |key: &str, label: &str| Field::text(key, label, String::new(), String::new());
        let mut fields = match &cell {
            Some(c) => vec![
                Field::text(
                    "scheme",
                    "initialization",
                    c.scheme_label.to_string(),
                    json(&c.scheme),
                ),
                Field::number("d", "input dimension d", c.d.to_string(), c.d as f64),
                Field::number("l", "hidden width l", c.l.to_string(), c.l as f64),
                Field::number("p", "p = P(c_k < 0)", format::fixed(c.p, 6), c.p),
                Field::number(
                    "p-obstruction",
                    "P(obstruction)",
                    format::fixed(c.p_disconnected, 6),
                    c.p_disconnected,
                ),
                Field::number(
                    "components",
                    "E[components]",
                    format::fixed(c.expected_components, 3),
                    c.expected_components,
                ),
                Field::number(
                    "effective",
                    "E[effective components] (our reading)",
                    format::fixed(c.expected_effective_components, 3),
                    c.expected_effective_components,
                ),
            ],
            None => vec![
                empty("scheme", "initialization"),
                empty("d", "input dimension d"),
                empty("l", "hidden width l"),
                empty("p", "p = P(c_k < 0)"),
                empty("p-obstruction", "P(obstruction)"),
                empty("components", "E[components]"),
                empty("effective", "E[effective components] (our reading)"),
            ],
        };
        if let Some(c) = &cell
            && c.d == 1
        {
            fields.push(Field::text(
                "d1",
                "d = 1",
                crate::app::topology::D1_COMPONENTS.to_string(),
                String::new(),
            ));
        }
        const MC: &str = "Monte Carlo P(obstruction) ± s.e.";
        const P_MC: &str = "Monte Carlo p̂ ± s.e.";
        let placeholder = |text: &str| {
            [
                Field::text("mc", MC, text.to_string(), String::new()),
                Field::text("p-mc", P_MC, text.to_string(), String::new()),
            ]
        };
        if !self.settings.flag("mc") {
            fields.extend(placeholder("off"));
        } else if let Some(est) = self.current_estimate() {
            fields.push(Field::text(
                "mc",
                MC,
                format!(
                    "{} ± {} (N = {}, seed {})",
                    format::fixed(est.p_disconnected_mc, 6),
                    format::fixed(est.p_disconnected_stderr, 6),
                    est.samples,
                    est.seed
                ),
                json(est),
            ));
            fields.push(Field::text(
                "p-mc",
                P_MC,
                format!(
                    "{} ± {}",
                    format::fixed(est.p_mc, 6),
                    format::fixed(est.p_mc_stderr, 6)
                ),
                json(&PHat {
                    p_mc: est.p_mc,
                    p_mc_stderr: est.p_mc_stderr,
                }),
            ));
        } else if cell.is_some() {
            fields.extend(placeholder("computing…"));
        } else {
            fields.extend(placeholder(""));
        }
        fields
    }

    /// Everything the view shows now.
    pub fn readout(&mut self) -> HeatmapsReadout {
        let cell = self.cell_fields();
        let mc_pending = self.estimate_pending();
        let step = self.run_step();
        let steps = Field::number("steps", "step", format!("step {step}"), step as f64);
        let can_play = self.can_step();
        let (message, run) = match self.run.as_mut() {
            None => (
                Field::text("message", "run", NO_RUN_MESSAGE.into(), String::new()),
                None,
            ),
            Some(cell) => {
                let pathological = cell.run.pathological();
                let identity = RunIdentity {
                    scheme: cell.run.scheme().name(),
                    d: cell.d as usize,
                    l: cell.l as usize,
                    seed: cell.run.seed(),
                    l_minus: pathological.len(),
                };
                let message = Field::text("message", "run", cell.run.message(), json(&identity));
                (message, Some(run_view(&mut cell.run, &pathological)))
            }
        };
        HeatmapsReadout {
            cell,
            mc_pending,
            message,
            steps,
            run,
            playing: self.playing,
            play_label: if self.playing { "Pause" } else { "Play" },
            can_play,
            note: self.note.clone(),
        }
    }

    /// The file name of an export of `part`: a chart's name without its extension (the page adds
    /// `.png` or `.svg`) for `xavier`, `kaiming` and `loss`; with `data`, the data file of `part`
    /// (`heatmap-xavier-grid.csv`, the run's `….csv` with `json = false`, `….json` with `json`).
    ///
    /// # Errors
    /// [`HeatmapsError::NoRun`] for the run's files before any run.
    pub fn file_name(&self, part: Part, data: bool, json: bool) -> Result<String, HeatmapsError> {
        match part {
            Part::Map(map) if data => Ok(format!("heatmap-{}-grid.csv", map.name())),
            Part::Map(map) => Ok(format!("heatmap-{}", map.name())),
            Part::Loss | Part::Run => {
                let cell = self.run.as_ref().ok_or(HeatmapsError::NoRun)?;
                let base = format!(
                    "heatmap-run-{}-d{}-l{}-seed{}",
                    cell.run.scheme().name(),
                    cell.d,
                    cell.l,
                    cell.run.seed()
                );
                Ok(match (part, data, json) {
                    (Part::Loss, false, _) => format!("{base}-loss"),
                    (_, _, true) => format!("{base}.json"),
                    _ => format!("{base}.csv"),
                })
            }
        }
    }

    /// The refusal of `value` for `key`, said as a link says it.
    fn refuse(key: &'static str, value: &Value, reason: Reason) -> Rejection {
        Rejection::new(key, &link::value_text(value).unwrap_or_default(), reason)
    }

    /// Brings the run to the state a link describes: the run of cell (map, col, row) from `seed`,
    /// replayed to `step` (paused). A run already on the way there is only stepped on.
    fn replay(
        &mut self,
        cell: (Map, usize, usize),
        seed: u64,
        step: u64,
    ) -> Result<(), ConfigError> {
        let same = self.run.as_ref().is_some_and(|r| {
            r.cell() == cell && r.run.seed() == seed && r.run.trainer().steps() <= step
        });
        if !same {
            self.build_run_at(cell, seed)?;
        }
        self.playing = false;
        let now = self.run_step();
        self.advance(step.saturating_sub(now));
        Ok(())
    }
}

impl CellRun {
    /// The run's cell as (map, col, row).
    fn cell(&self) -> (Map, usize, usize) {
        (self.map, self.l as usize - 1, self.d as usize - 1)
    }
}

/// A count (of components) as a whole number, or in words when it is not finite.
fn count(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e16 {
        format!("{x:.0}")
    } else {
        format::number(x)
    }
}

/// The live run's fields and verdict.
fn run_view(run: &mut RandomRun, pathological: &[usize]) -> RunView {
    let r = run.readout();
    let l_minus = pathological.len();
    let which = if pathological.is_empty() {
        "none".to_string()
    } else {
        pathological
            .iter()
            .map(|k| (k + 1).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let shown: Vec<String> = r
        .c_initial
        .iter()
        .take(C_SHOWN)
        .map(|c| format::fixed(*c, 3))
        .collect();
    let more = if r.c_initial.len() > C_SHOWN {
        ", …"
    } else {
        ""
    };
    let label: Vec<&str> = r
        .component_label
        .iter()
        .map(|s| if *s > 0 { "+" } else { "−" })
        .collect();
    let fields = vec![
        Field::number(
            "lminus",
            "pathological neurons l−",
            l_minus.to_string(),
            l_minus as f64,
        ),
        Field::text("pathological", "which (from 1)", which, json(&pathological)),
        Field::text(
            "c",
            "c_k at initialization",
            format!("({}{more})", shown.join(", ")),
            format::raw_list(&r.c_initial),
        ),
        Field::text(
            "label",
            "component label",
            format!("({})", label.join(", ")),
            json(&r.component_label),
        ),
        Field::number(
            "components",
            "components",
            count(r.components),
            r.components,
        ),
        Field::number(
            "effective",
            "effective components (our reading)",
            count(r.effective_components),
            r.effective_components,
        ),
        Field::number("loss", "loss", format::loss(r.loss), r.loss),
    ];
    let verdict = r.verdict.map(|v| Sentence {
        text: v.reason,
        tone: if v.obstructed { "obstructed" } else { "ok" },
    });
    RunView { fields, verdict }
}

impl ViewModel for HeatmapsModel {
    fn view(&self) -> View {
        View::Heatmaps
    }

    fn settings(&self) -> &Settings {
        &self.settings
    }

    fn apply(&mut self, key: &'static str, value: Value) -> Result<bool, Rejection> {
        match (key, &value) {
            ("run", Value::None) => {
                self.drop_run();
                Ok(false)
            }
            ("run", Value::Int(seed)) => {
                let Some(cell) = self.selection() else {
                    return Err(Self::refuse(key, &value, Reason::Needs { needs: "sel" }));
                };
                self.replay(cell, *seed, 0)
                    .map_err(|e| Self::refuse(key, &value, config_reason(&e)))?;
                Ok(true)
            }
            ("rstep", Value::Int(step)) => {
                // The run keeps its own cell, wherever the selection has moved since.
                let Some((cell, seed)) = self.run.as_ref().map(|r| (r.cell(), r.run.seed())) else {
                    return Err(Self::refuse(key, &value, Reason::Needs { needs: "run" }));
                };
                let restarted = *step < self.run_step();
                self.replay(cell, seed, *step)
                    .map_err(|e| Self::refuse(key, &value, config_reason(&e)))?;
                Ok(restarted)
            }
            _ => {
                self.settings.insert(key, value);
                Ok(false)
            }
        }
    }

    fn apply_values(&mut self, values: &BTreeMap<&'static str, Value>) -> Vec<Rejection> {
        let mut rejections = Vec::new();
        for (key, value) in values {
            if *key != "run" && *key != "rstep" {
                self.settings.insert(key, value.clone());
            }
        }
        let step = match values.get("rstep") {
            Some(Value::Int(n)) => *n,
            _ => 0,
        };
        match (values.get("run"), self.selection()) {
            (Some(Value::Int(seed)), Some(cell)) => {
                if let Err(e) = self.replay(cell, *seed, step) {
                    rejections.push(Self::refuse("run", &Value::Int(*seed), config_reason(&e)));
                    self.drop_run();
                }
            }
            (Some(Value::Int(seed)), None) => {
                rejections.push(Self::refuse(
                    "run",
                    &Value::Int(*seed),
                    Reason::Needs { needs: "sel" },
                ));
                self.drop_run();
            }
            _ => self.drop_run(),
        }
        self.playing = false;
        rejections
    }

    fn link_values(&self) -> (BTreeMap<&'static str, Value>, Option<String>) {
        let mut values = self.settings.values().clone();
        let mut note = None;
        match &self.run {
            Some(r) => {
                values.insert("sel", Value::Text(r.map.name().to_string()));
                values.insert("d", Value::Int(r.d));
                values.insert("l", Value::Int(r.l));
                values.insert("run", Value::Int(r.run.seed()));
                values.insert("rstep", Value::Int(r.run.trainer().steps()));
                if self.selection() != Some(r.cell()) {
                    note = Some(format!(
                        "the link holds the cell of the live run ({}, d = {}, l = {}), not the cell selected now",
                        scheme_label(r.map.scheme()),
                        r.d,
                        r.l
                    ));
                }
            }
            None => {
                values.insert("run", Value::None);
                values.insert("rstep", Value::Int(0));
            }
        }
        (values, note)
    }
}

/// A refusal of the core said as the closest reason of a link.
fn config_reason(e: &ConfigError) -> Reason {
    Reason::OutOfRange {
        range: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::view::{open_link, set};

    fn model() -> Result<HeatmapsModel, ConfigError> {
        HeatmapsModel::new()
    }

    #[test]
    fn arrow_keys_move_within_the_grid_and_focus_keeps_the_cell() -> Result<(), ConfigError> {
        let mut m = model()?;
        assert_eq!(m.selection(), None);
        let out = m.focus(Map::Kaiming);
        assert!(out.cell);
        assert_eq!(m.selection(), Some((Map::Kaiming, 1, 1)));
        m.key(Map::Kaiming, "ArrowLeft", 0)?;
        m.key(Map::Kaiming, "ArrowLeft", 0)?;
        m.key(Map::Kaiming, "ArrowDown", 0)?;
        m.key(Map::Kaiming, "ArrowDown", 0)?;
        assert_eq!(m.selection(), Some((Map::Kaiming, 0, 0)));
        for _ in 0..60 {
            m.key(Map::Kaiming, "ArrowRight", 0)?;
            m.key(Map::Kaiming, "ArrowUp", 0)?;
        }
        assert_eq!(m.selection(), Some((Map::Kaiming, 49, 49)));
        // The other map takes the same cell on focus; its outline and the old one are redrawn.
        let out = m.focus(Map::Xavier);
        assert_eq!(m.selection(), Some((Map::Xavier, 49, 49)));
        assert_eq!(out.redraw, vec!["xavier", "kaiming"]);
        assert!(!m.key(Map::Xavier, "a", 0)?.handled);
        Ok(())
    }

    #[test]
    fn a_run_uses_the_run_seed_else_the_fresh_one_and_stops_at_its_limit() -> Result<(), ConfigError>
    {
        let mut m = model()?;
        assert!(!m.start_run(5)?, "no cell, no run");
        m.select(Map::Xavier, 7, 1);
        assert!(m.key(Map::Xavier, "Enter", 99)?.run);
        assert_eq!(m.run().map(RandomRun::seed), Some(99));
        assert!(m.playing());
        m.settings.insert("rseed", Value::Int(123));
        m.start_run(99)?;
        assert_eq!(m.run().map(RandomRun::seed), Some(123));
        assert!(m.frame());
        assert_eq!(m.run_step(), u64::from(STEPS_PER_FRAME));
        m.advance(10_000);
        assert_eq!(m.run_step(), HEATMAP_RUN_MAX_STEPS);
        assert!(!m.frame() && !m.playing());
        assert!(!m.toggle_play(), "a finished run does not play again");
        Ok(())
    }

    #[test]
    fn reduced_motion_waits_for_play() -> Result<(), ConfigError> {
        let mut m = model()?;
        m.set_reduced_motion(true);
        m.point(Map::Kaiming, Some((2, 2)), true, 4)?;
        let r = m.readout();
        assert!(!r.playing && r.can_play);
        assert_eq!(r.note.as_deref(), Some(REDUCED_MOTION_NOTE));
        assert!(m.toggle_play());
        assert_eq!(m.readout().note, None);
        Ok(())
    }

    #[test]
    fn the_link_holds_the_runs_cell_with_a_note() -> Result<(), ConfigError> {
        let mut m = model()?;
        m.select(Map::Xavier, 7, 1);
        m.start_run(42)?;
        m.advance(12);
        m.select(Map::Kaiming, 3, 3);
        let state = crate::app::view::link_state(&m);
        assert!(
            state
                .link
                .ends_with("sel=xavier&d=2&l=8&mc=0&n=20000&mcseed=1&run=42&rstep=12"),
            "{}",
            state.link
        );
        assert!(state.note.is_some_and(|n| n.contains("d = 2, l = 8")));
        // Opening it replays the run to the same step.
        let mut back = model()?;
        assert!(open_link(&mut back, &state.link).is_empty());
        assert_eq!(back.run_step(), 12);
        assert_eq!(back.selection(), Some((Map::Xavier, 7, 1)));
        Ok(())
    }

    #[test]
    fn rstep_and_run_need_their_keys() -> Result<(), ConfigError> {
        let mut m = model()?;
        let r = set(&mut m, "run", "5").err();
        assert_eq!(
            r.map(|r| (r.key, r.reason)),
            Some(("run".into(), Reason::Needs { needs: "sel" }))
        );
        let r = set(&mut m, "rstep", "5").err();
        assert_eq!(
            r.map(|r| (r.key, r.reason)),
            Some(("rstep".into(), Reason::Needs { needs: "run" }))
        );
        m.select(Map::Kaiming, 1, 1);
        assert!(set(&mut m, "run", "5").is_ok());
        assert!(set(&mut m, "rstep", "30").is_ok());
        assert_eq!(m.run_step(), 30);
        assert!(set(&mut m, "rstep", "10").is_ok_and(|c| c.restarted));
        assert_eq!(m.run_step(), 10);
        Ok(())
    }

    #[test]
    fn parts_and_file_names() -> Result<(), HeatmapsError> {
        let mut m = model()?;
        assert_eq!(Part::parse("kaiming")?, Part::Map(Map::Kaiming));
        assert!(Part::parse("fig3").is_err());
        assert_eq!(
            m.file_name(Part::Map(Map::Xavier), false, false)?,
            "heatmap-xavier"
        );
        assert_eq!(
            m.file_name(Part::Map(Map::Kaiming), true, false)?,
            "heatmap-kaiming-grid.csv"
        );
        assert_eq!(
            m.file_name(Part::Run, true, true),
            Err(HeatmapsError::NoRun)
        );
        m.select(Map::Xavier, 4, 3);
        m.start_run(42)?;
        assert_eq!(
            m.file_name(Part::Loss, false, false)?,
            "heatmap-run-xavier_normal-d4-l5-seed42-loss"
        );
        assert_eq!(
            m.file_name(Part::Run, true, false)?,
            "heatmap-run-xavier_normal-d4-l5-seed42.csv"
        );
        assert_eq!(
            m.file_name(Part::Run, true, true)?,
            "heatmap-run-xavier_normal-d4-l5-seed42.json"
        );
        Ok(())
    }
}
