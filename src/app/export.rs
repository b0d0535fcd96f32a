//! Exported data: the page's runs and tables as CSV and JSON, each carrying the complete settings
//! that reproduce it, and the native replay of an exported run.
//!
//! # Conventions
//! - Every file names its format ([`FORMAT`]) and version ([`VERSION`]). A CSV starts with
//!   `# key=value` comment lines (the format, the view, every setting), then one header line and
//!   one line per recorded step. A JSON file is one [`RunExport`] (or, for tables, an object with
//!   the same `format`, `version` and `view` keys).
//! - A run's rows carry their true step index. Histories are bounded (see [`crate::app::session`]), so a
//!   long run keeps every 2nd, 4th, … step: then `decimated` is true and the CSV says so in a
//!   comment; a run that was not thinned has rows for steps 0, 1, …, N.
//! - The loss of row t is L(θ_t), the loss before step t + 1 (the last row: the current loss); c_k
//!   of row t is ‖w_k‖² − ‖v_k‖² at θ_t, its drift c_k(θ_t) − c_k(θ_0).
//! - Numbers are written in Rust's shortest round-trip form, so reading a file back gives the exact
//!   f64 values.
//! - [`replay`] rebuilds a run from its settings alone with the same core code the page runs, so
//!   its final state equals the exported one bit for bit.

use serde::{Deserialize, Serialize};

use crate::app::random_run::{ObstructionGrid, RandomRun};
use crate::app::session::{MAX_SEED, Session, SessionConfig};
use crate::app::single_neuron::{NeuronRun, architecture, teacher};
use crate::core::error::ConfigError;
use crate::core::init::InitScheme;
use crate::core::kernel::{Scratch, loss};
use crate::core::network::{Batch, conserved_quantities_into};
use crate::core::train::Integrator;
use crate::experiments::sweep::{SweepConfig, SweepRow};

/// The `format` of every exported file.
pub const FORMAT: &str = "relu-obstruction-export";
/// The version of the format.
pub const VERSION: u32 = 1;
/// Most steps a replay takes (as `obstruction train --steps`).
pub const MAX_REPLAY_STEPS: u64 = 10_000_000;

/// The settings that reproduce one run, tagged by the kind of run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum RunSettings {
    /// A Fig. 3 run: a preset trained from a seed.
    Fig3 {
        /// Preset name.
        preset: String,
        /// Seed of data and initialization.
        seed: u64,
        /// Learning rate.
        lr: f64,
        /// Integrator name.
        integrator: String,
        /// Steps taken.
        steps: u64,
    },
    /// The Fig. 1b one-neuron run from (w₀, v₀).
    Fig1b {
        /// Initial w.
        w0: f64,
        /// Initial v.
        v0: f64,
        /// Learning rate.
        lr: f64,
        /// Integrator name.
        integrator: String,
        /// Steps taken.
        steps: u64,
    },
    /// A heatmap cell's random network.
    RandomRun {
        /// Initialization scheme (CLI name).
        scheme: String,
        /// Input dimension.
        d: usize,
        /// Hidden width.
        l: usize,
        /// Seed of initialization and data.
        seed: u64,
        /// Steps taken.
        steps: u64,
    },
}

impl RunSettings {
    /// The settings as `(key, value)` pairs, for CSV comments.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::Fig3 {
                preset,
                seed,
                lr,
                integrator,
                steps,
            } => vec![
                ("kind", "fig3".into()),
                ("preset", preset.clone()),
                ("seed", seed.to_string()),
                ("lr", lr.to_string()),
                ("integrator", integrator.clone()),
                ("steps", steps.to_string()),
            ],
            Self::Fig1b {
                w0,
                v0,
                lr,
                integrator,
                steps,
            } => vec![
                ("kind", "fig1b".into()),
                ("w0", w0.to_string()),
                ("v0", v0.to_string()),
                ("lr", lr.to_string()),
                ("integrator", integrator.clone()),
                ("steps", steps.to_string()),
            ],
            Self::RandomRun {
                scheme,
                d,
                l,
                seed,
                steps,
            } => vec![
                ("kind", "random-run".into()),
                ("scheme", scheme.clone()),
                ("d", d.to_string()),
                ("l", l.to_string()),
                ("seed", seed.to_string()),
                ("steps", steps.to_string()),
            ],
        }
    }

    fn steps(&self) -> u64 {
        match self {
            Self::Fig3 { steps, .. }
            | Self::Fig1b { steps, .. }
            | Self::RandomRun { steps, .. } => *steps,
        }
    }
}

/// The state a run ended in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinalState {
    /// Steps taken.
    pub step: u64,
    /// L(θ) at the end.
    pub loss: f64,
    /// c_k at the end.
    pub c: Vec<f64>,
    /// θ at the end, in the core's layout.
    pub theta: Vec<f64>,
}

/// One exported run: its settings, its final state and its recorded steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRecord {
    /// Which run of the view ("top", "bottom", "neuron", "random network").
    pub name: String,
    /// What reproduces it.
    pub settings: RunSettings,
    /// Where it ended.
    #[serde(rename = "final")]
    pub final_state: FinalState,
    /// Whether the history was thinned (rows are then not every step).
    pub decimated: bool,
    /// Column names of `rows`.
    pub columns: Vec<String>,
    /// One row per recorded step, starting with the step index.
    pub rows: Vec<Vec<f64>>,
}

impl RunRecord {
    /// The record as CSV: `# key=value` comments with the format and every setting, the header,
    /// then the rows.
    pub fn to_csv(&self, view: &str) -> String {
        let mut comments = vec![
            ("format", FORMAT.to_string()),
            ("version", VERSION.to_string()),
            ("view", view.to_string()),
            ("run", self.name.clone()),
        ];
        comments.extend(self.settings.pairs());
        comments.push(("final_loss", self.final_state.loss.to_string()));
        comments.push(("decimated", self.decimated.to_string()));
        let mut out = String::new();
        for (k, v) in &comments {
            out.push_str(&format!("# {k}={v}\n"));
        }
        if self.decimated {
            out.push_str(
                "# note=the run's history was thinned to bound memory: rows keep their true step index\n",
            );
        }
        write_table(&mut out, &self.columns, &self.rows);
        out
    }
}

/// An exported JSON file of runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunExport {
    /// Always [`FORMAT`].
    pub format: String,
    /// The format version.
    pub version: u32,
    /// The view the runs come from.
    pub view: String,
    /// The runs.
    pub runs: Vec<RunRecord>,
}

impl RunExport {
    /// An export of `runs` from `view`.
    pub fn new(view: &str, runs: Vec<RunRecord>) -> Self {
        Self {
            format: FORMAT.into(),
            version: VERSION,
            view: view.into(),
            runs,
        }
    }

    /// The export as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads an exported JSON file.
    ///
    /// # Errors
    /// [`ConfigError::Mismatch`] when the text is not an export of a known version.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| ConfigError::Mismatch(format!("not a JSON file: {e}")))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(ConfigError::Mismatch(format!(
                "not a relu-obstruction export (its \"format\" is not \"{FORMAT}\")"
            )));
        }
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(v) if v == u64::from(VERSION) => {}
            other => {
                return Err(ConfigError::Mismatch(format!(
                    "export version {} is not supported (this build reads version {VERSION})",
                    other.map_or_else(|| "(missing)".to_string(), |v| v.to_string())
                )));
            }
        }
        if value.get("runs").is_none() {
            return Err(ConfigError::Mismatch(
                "this export holds a table, not runs: nothing to replay".into(),
            ));
        }
        serde_json::from_value(value)
            .map_err(|e| ConfigError::Mismatch(format!("malformed export: {e}")))
    }
}

fn write_table(out: &mut String, columns: &[String], rows: &[Vec<f64>]) {
    out.push_str(&columns.join(","));
    out.push('\n');
    for row in rows {
        let cells: Vec<String> = row.iter().map(|x| x.to_string()).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
}

/// The record of a Fig. 3 run: columns `step, loss, c1…, c1_drift…, w1_1, w1_2, v1, …` (the
/// neuron's (w₁, w₂, v) as the panels show them).
pub fn fig3_record(name: &str, session: &mut Session) -> RunRecord {
    let readout = session.readout();
    let t = session.trainer();
    let arch = *t.arch();
    let l = arch.l;
    let losses: std::collections::BTreeMap<u64, f64> = session
        .loss_history()
        .iter()
        .map(|&(s, loss)| (s as u64, loss))
        .collect();
    let samples: Vec<Vec<(u64, [f64; 3])>> = session
        .trajectory_records()
        .iter()
        .map(|h| h.points().collect())
        .collect();
    let mut columns = vec!["step".to_string(), "loss".to_string()];
    columns.extend((1..=l).map(|k| format!("c{k}")));
    columns.extend((1..=l).map(|k| format!("c{k}_drift")));
    for k in 1..=l {
        columns.extend([format!("w{k}_1"), format!("w{k}_2"), format!("v{k}")]);
    }
    let c0 = t.c_initial().to_vec();
    let full_layout = arch.d == 2 && arch.e == 1;
    let mut rows = Vec::new();
    let steps = t.steps();
    let point_of = |k: usize, step: u64| -> Option<[f64; 3]> {
        samples[k]
            .binary_search_by_key(&step, |s| s.0)
            .ok()
            .map(|i| samples[k][i].1)
    };
    let mut wanted: Vec<u64> = losses.keys().copied().collect();
    wanted.push(steps);
    wanted.dedup();
    for step in wanted {
        let loss = if step == steps {
            readout.loss
        } else {
            losses[&step]
        };
        let points: Option<Vec<[f64; 3]>> = if step == steps {
            Some(
                (0..l)
                    .map(|k| {
                        let m = arch.input_dim();
                        let p = t.params();
                        let w = &p[k * m..(k + 1) * m];
                        [
                            w[0],
                            w.get(1).copied().unwrap_or(0.0),
                            p[arch.v_offset() + k * arch.e],
                        ]
                    })
                    .collect(),
            )
        } else {
            (0..l).map(|k| point_of(k, step)).collect()
        };
        let Some(points) = points else { continue };
        let c: Vec<f64> = if step == steps {
            readout.c.clone()
        } else if full_layout {
            // θ in the core's layout: w₁, w₂ of each neuron, then the v's.
            let mut theta: Vec<f64> = points.iter().flat_map(|p| [p[0], p[1]]).collect();
            theta.extend(points.iter().map(|p| p[2]));
            let mut c = vec![0.0; l];
            conserved_quantities_into(&arch, &theta, &mut c);
            c
        } else {
            vec![f64::NAN; l]
        };
        let mut row = vec![step as f64, loss];
        row.extend(&c);
        row.extend(c.iter().zip(&c0).map(|(a, b)| a - b));
        for p in &points {
            row.extend(p);
        }
        rows.push(row);
    }
    let decimated = rows.len() as u64 != steps + 1;
    RunRecord {
        name: name.into(),
        settings: RunSettings::Fig3 {
            preset: session.preset().name().to_string(),
            seed: session.seed(),
            lr: readout.lr,
            integrator: readout.integrator.into(),
            steps,
        },
        final_state: FinalState {
            step: steps,
            loss: readout.loss,
            c: readout.c,
            theta: t.params().to_vec(),
        },
        decimated,
        columns,
        rows,
    }
}

/// The record of the Fig. 1b run: columns `step, loss, w, v, c, c_drift, product` (product = w·v,
/// the rescaling orbit).
pub fn fig1b_record(run: &mut NeuronRun) -> RunRecord {
    let readout = run.readout().run;
    let arch = architecture();
    let data = teacher();
    let batch = Batch::new(&arch, &data);
    let mut samples = run.trajectory_samples();
    let steps = run.trainer().steps();
    let (w, v) = run.point();
    if samples.last().map(|s| s.0) != Some(steps) {
        samples.push((steps, (w, v)));
    }
    let c0 = readout.c_initial[0];
    let rows = samples
        .iter()
        .map(|&(step, (w, v))| {
            let loss = if step == steps {
                readout.loss
            } else {
                batch.as_ref().map_or(f64::NAN, |b| {
                    let mut scratch = Scratch::new(&arch, b);
                    loss(&arch, &[w, v], b, &mut scratch)
                })
            };
            let c = w * w - v * v;
            vec![step as f64, loss, w, v, c, c - c0, w * v]
        })
        .collect::<Vec<_>>();
    let (w0, v0) = run.start();
    RunRecord {
        name: "neuron".into(),
        settings: RunSettings::Fig1b {
            w0,
            v0,
            lr: readout.lr,
            integrator: readout.integrator.into(),
            steps,
        },
        final_state: FinalState {
            step: steps,
            loss: readout.loss,
            c: readout.c,
            theta: vec![w, v],
        },
        decimated: rows.len() as u64 != steps + 1,
        columns: ["step", "loss", "w", "v", "c", "c_drift", "product"]
            .map(String::from)
            .to_vec(),
        rows,
    }
}

/// The record of a heatmap cell's random network: columns `step, loss`.
pub fn random_run_record(run: &mut RandomRun) -> RunRecord {
    let r = run.readout();
    let steps = r.step;
    let mut rows: Vec<Vec<f64>> = run
        .loss_history()
        .iter()
        .map(|&(s, loss)| vec![s, loss])
        .collect();
    if rows.last().map(|row| row[0] as u64) != Some(steps) {
        rows.push(vec![steps as f64, r.loss]);
    }
    let t = run.trainer();
    RunRecord {
        name: "random network".into(),
        settings: RunSettings::RandomRun {
            scheme: run.scheme().name().into(),
            d: t.arch().d,
            l: t.arch().l,
            seed: run.seed(),
            steps,
        },
        final_state: FinalState {
            step: steps,
            loss: r.loss,
            c: t.c_now().to_vec(),
            theta: t.params().to_vec(),
        },
        decimated: rows.len() as u64 != steps + 1,
        columns: vec!["step".into(), "loss".into()],
        rows,
    }
}

fn step_in_chunks(
    steps: u64,
    mut step: impl FnMut(u32) -> Result<u32, crate::core::error::TrainError>,
) -> Result<(), ConfigError> {
    if steps > MAX_REPLAY_STEPS {
        return Err(ConfigError::OutOfRange {
            name: "steps",
            value: steps as f64,
            range: "at most 10000000",
        });
    }
    let mut left = steps;
    while left > 0 {
        let n = u32::try_from(left.min(1 << 20)).unwrap_or(1 << 20);
        step(n).map_err(|e| ConfigError::Mismatch(format!("the replay stopped: {e}")))?;
        left -= u64::from(n);
    }
    Ok(())
}

/// Replays a run from its settings alone, with the page's own core code, and returns its final
/// state.
///
/// # Errors
/// [`ConfigError`] for settings the page would refuse, or when the replay diverges before the
/// recorded number of steps.
pub fn replay(settings: &RunSettings) -> Result<FinalState, ConfigError> {
    let steps = settings.steps();
    match settings {
        RunSettings::Fig3 {
            preset,
            seed,
            lr,
            integrator,
            ..
        } => {
            let mut s = Session::new(&SessionConfig {
                preset: preset.clone(),
                seed: *seed,
                lr: Some(*lr),
                integrator: Some(integrator.clone()),
            })?;
            step_in_chunks(steps, |n| s.step(n))?;
            let r = s.readout();
            Ok(FinalState {
                step: r.step,
                loss: r.loss,
                c: r.c,
                theta: s.trainer().params().to_vec(),
            })
        }
        RunSettings::Fig1b {
            w0,
            v0,
            lr,
            integrator,
            ..
        } => {
            let mut run = NeuronRun::from_point(*w0, *v0, *lr, Integrator::parse(integrator)?)?;
            step_in_chunks(steps, |n| run.step(n))?;
            let r = run.readout();
            Ok(FinalState {
                step: r.run.step,
                loss: r.run.loss,
                c: r.run.c,
                theta: vec![r.w, r.v],
            })
        }
        RunSettings::RandomRun {
            scheme, d, l, seed, ..
        } => {
            if *seed > MAX_SEED {
                return Err(ConfigError::OutOfRange {
                    name: "seed",
                    value: *seed as f64,
                    range: "a whole number between 0 and 9007199254740991",
                });
            }
            let mut run = RandomRun::new(InitScheme::parse(scheme)?, *d, *l, *seed)?;
            step_in_chunks(steps, |n| run.step(n))?;
            let r = run.readout();
            let t = run.trainer();
            Ok(FinalState {
                step: r.step,
                loss: r.loss,
                c: t.c_now().to_vec(),
                theta: t.params().to_vec(),
            })
        }
    }
}

/// The P(obstruction) grid as CSV: one row per (d, l) with p, P(obstruction) and the expected
/// (effective) component counts.
pub fn grid_csv(grid: &ObstructionGrid) -> String {
    let (cols, rows) = grid.shape();
    let mut out = format!(
        "# format={FORMAT}\n# version={VERSION}\n# view=heatmaps\n# scheme={}\n# d_max={rows}\n# l_max={cols}\n",
        grid.scheme().name()
    );
    let columns = [
        "d",
        "l",
        "p",
        "p_obstruction",
        "expected_components",
        "expected_effective_components",
    ]
    .map(String::from);
    let mut table = Vec::with_capacity(cols * rows);
    for row in 0..rows {
        for col in 0..cols {
            if let Some(c) = grid.cell(col, row) {
                table.push(vec![
                    c.d as f64,
                    c.l as f64,
                    c.p,
                    c.p_disconnected,
                    c.expected_components,
                    c.expected_effective_components,
                ]);
            }
        }
    }
    write_table(&mut out, &columns, &table);
    out
}

/// The command line that reruns a sweep.
pub fn sweep_command(cfg: &SweepConfig) -> String {
    let widths: Vec<String> = cfg.widths.iter().map(ToString::to_string).collect();
    format!(
        "obstruction sweep --widths {} --seeds {} --steps {} --lr {}",
        widths.join(","),
        cfg.seeds,
        cfg.steps,
        cfg.lr
    )
}

/// The Fig. 4 sweep results as CSV (settings in comments, one row per (l, l+)).
pub fn sweep_csv(cfg: &SweepConfig, rows: &[SweepRow]) -> String {
    let widths: Vec<String> = cfg.widths.iter().map(ToString::to_string).collect();
    let mut out = format!(
        "# format={FORMAT}\n# version={VERSION}\n# view=fig4\n# widths={}\n# seeds={}\n# steps={}\n# lr={}\n# reproduce={}\n",
        widths.join(" "),
        cfg.seeds,
        cfg.steps,
        cfg.lr,
        sweep_command(cfg)
    );
    let columns = [
        "l",
        "l_plus",
        "percentage",
        "mean_test_bce",
        "std_test_bce",
        "runs",
        "diverged_runs",
    ]
    .map(String::from);
    let table: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| {
            vec![
                r.l as f64,
                r.l_plus as f64,
                100.0 * r.l_plus as f64 / r.l as f64,
                r.mean_test_bce,
                r.std_test_bce,
                r.runs as f64,
                r.diverged_runs as f64,
            ]
        })
        .collect();
    write_table(&mut out, &columns, &table);
    out
}

/// The Fig. 4 sweep results as JSON: `{format, version, view, settings, reproduce, rows}`.
pub fn sweep_json(cfg: &SweepConfig, rows: &[SweepRow]) -> String {
    let value = serde_json::json!({
        "format": FORMAT,
        "version": VERSION,
        "view": "fig4",
        "settings": cfg,
        "reproduce": sweep_command(cfg),
        "rows": rows,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(preset: &str, steps: u32) -> Session {
        let mut s = Session::new(&SessionConfig {
            preset: preset.into(),
            seed: 3,
            lr: None,
            integrator: None,
        })
        .unwrap();
        s.step(steps).unwrap();
        s
    }

    #[test]
    fn fig3_record_has_one_row_per_step_and_consistent_numbers() {
        let mut s = session("fig3-good-pm", 40);
        let rec = fig3_record("bottom", &mut s);
        assert_eq!(rec.rows.len(), 41);
        assert!(!rec.decimated);
        for (i, row) in rec.rows.iter().enumerate() {
            assert_eq!(row[0], i as f64);
            assert_eq!(row.len(), rec.columns.len());
        }
        // Row t's loss is the loss history's L(θ_t); the last row is the current loss.
        for (t, l) in s.loss_history() {
            assert_eq!(rec.rows[*t as usize][1], *l);
        }
        assert_eq!(rec.rows[40][1], s.readout().loss);
        // c from the recorded coordinates, independently: w₁² + w₂² − v².
        for row in &rec.rows {
            for k in 0..2 {
                let (w1, w2, v) = (row[6 + 3 * k], row[7 + 3 * k], row[8 + 3 * k]);
                assert!((row[2 + k] - (w1 * w1 + w2 * w2 - v * v)).abs() < 1e-12);
            }
        }
        let csv = rec.to_csv("fig3");
        assert!(csv.contains("# preset=fig3-good-pm\n# seed=3\n"));
        assert_eq!(csv.lines().filter(|l| !l.starts_with('#')).count(), 42);
    }

    #[test]
    fn exports_round_trip_and_replay_exactly() {
        let mut s = session("fig3-obstructed-pp", 25);
        let mut n = NeuronRun::from_point(2.0, -0.5, 0.01, Integrator::Gd).unwrap();
        n.step(17).unwrap();
        let mut r = RandomRun::new(InitScheme::XavierNormal, 3, 5, 9).unwrap();
        r.step(12).unwrap();
        let export = RunExport::new(
            "mixed",
            vec![
                fig3_record("top", &mut s),
                fig1b_record(&mut n),
                random_run_record(&mut r),
            ],
        );
        let back = RunExport::from_json(&export.to_json()).unwrap();
        assert_eq!(back, export);
        for rec in &back.runs {
            assert_eq!(
                replay(&rec.settings).unwrap(),
                rec.final_state,
                "{}",
                rec.name
            );
            assert_eq!(rec.rows.len() as u64, rec.final_state.step + 1);
        }
        assert!(RunExport::from_json("{}").is_err());
        assert!(
            RunExport::from_json(&export.to_json().replace("\"version\": 1", "\"version\": 9"))
                .is_err()
        );
    }
}
