//! The Fig. 4 sweep: test BCE on the breast cancer data by width l and number l+ of
//! non-pathological neurons, averaged over seeds.
//!
//! # Conventions
//! - One *job* is one (l, l+, seed) run of the `fig4` preset ([`crate::experiments::presets::fig4_on`]) for
//!   `steps` GD steps with learning rate η; its result is the test BCE at the end. Jobs are
//!   independent, so a browser can spread them over workers and [`aggregate`] the results in any
//!   order.
//! - Seeds are 0, 1, …, seeds − 1. The standard deviation is the sample one (n − 1), 0 for one seed.
//! - A job has *diverged* when training stopped on a loss or a parameter that is not finite
//!   ([`crate::core::train::Trainer`] then keeps the last finite state), or when at the end its
//!   training BCE or its test BCE is above [`DIVERGED_BCE`] (or not finite). The bound is a decision
//!   of ours, not the paper's: a BCE is ln 2 ≈ 0.69 at logit 0 and a BCE of 1000 nats per example
//!   needs logits of about a thousand on the wrong side, which only runaway weights produce (at
//!   η = 1000 the losses stay finite but reach 1e120 within 20 steps, so "not finite" alone counted
//!   none of them). A diverged job is scored at its last finite state and counted in
//!   `diverged_runs`.

use crate::core::data::{Split, breast_cancer_split};
use crate::core::error::ConfigError;
use crate::core::kernel::{Scratch, loss};
use crate::core::network::Batch;
use crate::core::train::{Integrator, Trainer, validate_lr};
use crate::experiments::presets::{DATA_SPLIT_SEED, FIG4_MAX_L, fig4_on};
use serde::{Deserialize, Serialize};

/// Largest number of seeds and of steps accepted by a sweep.
pub const MAX_SEEDS: u64 = 1000;
/// Largest number of steps per job.
pub const MAX_STEPS: u64 = 10_000_000;
/// A job whose training or test BCE ends above this many nats per example has diverged (see the
/// module header).
pub const DIVERGED_BCE: f64 = 1000.0;

/// What to sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepConfig {
    /// Widths l.
    pub widths: Vec<usize>,
    /// Number of seeds per (l, l+).
    pub seeds: u64,
    /// GD steps per job.
    pub steps: u64,
    /// Learning rate.
    pub lr: f64,
}

impl SweepConfig {
    /// Checks every field.
    ///
    /// # Errors
    /// [`ConfigError`] naming the first bad field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.widths.is_empty() {
            return Err(ConfigError::Mismatch(
                "the sweep needs at least one width".into(),
            ));
        }
        for &l in &self.widths {
            if l == 0 || l > FIG4_MAX_L {
                return Err(ConfigError::Dimension {
                    name: "width",
                    value: l,
                    max: FIG4_MAX_L,
                });
            }
        }
        if self.seeds == 0 || self.seeds > MAX_SEEDS {
            return Err(ConfigError::OutOfRange {
                name: "seeds",
                value: self.seeds as f64,
                range: "between 1 and 1000",
            });
        }
        if self.steps == 0 || self.steps > MAX_STEPS {
            return Err(ConfigError::OutOfRange {
                name: "steps",
                value: self.steps as f64,
                range: "between 1 and 10000000",
            });
        }
        validate_lr(self.lr)
    }

    /// Every job, widths in the given order, then l+ = 0..=l, then seeds.
    pub fn jobs(&self) -> Vec<SweepJob> {
        let mut out = Vec::new();
        for &l in &self.widths {
            for l_plus in 0..=l {
                for seed in 0..self.seeds {
                    out.push(SweepJob { l, l_plus, seed });
                }
            }
        }
        out
    }
}

/// One run of the sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepJob {
    /// Width.
    pub l: usize,
    /// Non-pathological neurons.
    pub l_plus: usize,
    /// Seed.
    pub seed: u64,
}

/// The outcome of one job.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct JobResult {
    /// The job.
    pub job: SweepJob,
    /// Test BCE at the end.
    pub test_bce: f64,
    /// Whether training diverged (see the module header; scored at its last finite state).
    pub diverged: bool,
}

/// One row of the result table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SweepRow {
    /// Width.
    pub l: usize,
    /// Non-pathological neurons.
    pub l_plus: usize,
    /// Mean test BCE over seeds.
    pub mean_test_bce: f64,
    /// Sample standard deviation over seeds.
    pub std_test_bce: f64,
    /// Number of seeds that went into the row.
    pub runs: usize,
    /// How many of them diverged.
    pub diverged_runs: usize,
}

/// The data split every job uses.
///
/// # Errors
/// As [`breast_cancer_split`].
pub fn sweep_data() -> Result<Split, ConfigError> {
    breast_cancer_split(DATA_SPLIT_SEED)
}

/// Runs one job on a prepared split.
///
/// # Errors
/// [`ConfigError`] for a bad job or learning rate.
pub fn run_job(
    split: &Split,
    job: SweepJob,
    steps: u64,
    lr: f64,
) -> Result<JobResult, ConfigError> {
    let ex = fig4_on(&split.train, &split.test, job.l, job.l_plus, job.seed)?;
    let mut trainer = Trainer::new(ex.net, &ex.train, lr, Integrator::Gd)?;
    let mut stopped = false;
    for _ in 0..steps {
        if trainer.step().is_err() {
            stopped = true;
            break;
        }
    }
    // The loss at the last θ (a step only checks the loss at its start); a non-finite one undoes
    // the last step, as the trainer does.
    let train_bce = trainer.checked_loss();
    let arch = *trainer.arch();
    let batch = Batch::new(&arch, &split.test)?;
    let mut scratch = Scratch::new(&arch, &batch);
    let test_bce = loss(&arch, trainer.params(), &batch, &mut scratch);
    let within = |x: f64| x <= DIVERGED_BCE;
    let diverged = stopped || !train_bce.is_ok_and(within) || !within(test_bce);
    Ok(JobResult {
        job,
        test_bce,
        diverged,
    })
}

/// Groups job results into rows, in order of first appearance of each (l, l+).
pub fn aggregate(results: &[JobResult]) -> Vec<SweepRow> {
    let mut keys: Vec<(usize, usize)> = Vec::new();
    for r in results {
        let key = (r.job.l, r.job.l_plus);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys.into_iter()
        .map(|(l, l_plus)| {
            let group: Vec<&JobResult> = results
                .iter()
                .filter(|r| r.job.l == l && r.job.l_plus == l_plus)
                .collect();
            let n = group.len() as f64;
            let mean = group.iter().map(|r| r.test_bce).sum::<f64>() / n;
            let var = if group.len() > 1 {
                group
                    .iter()
                    .map(|r| (r.test_bce - mean).powi(2))
                    .sum::<f64>()
                    / (n - 1.0)
            } else {
                0.0
            };
            SweepRow {
                l,
                l_plus,
                mean_test_bce: mean,
                std_test_bce: libm::sqrt(var),
                runs: group.len(),
                diverged_runs: group.iter().filter(|r| r.diverged).count(),
            }
        })
        .collect()
}

/// Runs the whole sweep in this thread.
///
/// # Errors
/// [`ConfigError`] for a bad configuration.
pub fn run_sweep(cfg: &SweepConfig) -> Result<Vec<SweepRow>, ConfigError> {
    cfg.validate()?;
    let split = sweep_data()?;
    let results = cfg
        .jobs()
        .into_iter()
        .map(|job| run_job(&split, job, cfg.steps, cfg.lr))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(aggregate(&results))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregate_computes_mean_and_sample_std() {
        let mk = |seed, bce| JobResult {
            job: SweepJob {
                l: 2,
                l_plus: 1,
                seed,
            },
            test_bce: bce,
            diverged: false,
        };
        let rows = aggregate(&[mk(0, 1.0), mk(1, 2.0), mk(2, 3.0)]);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].mean_test_bce, 2.0);
        assert_eq!(rows[0].std_test_bce, 1.0);
        assert_eq!(rows[0].runs, 3);
    }

    #[test]
    fn jobs_cover_every_l_plus_and_seed() {
        let cfg = SweepConfig {
            widths: vec![1, 3],
            seeds: 2,
            steps: 1,
            lr: 0.1,
        };
        assert_eq!(cfg.jobs().len(), (2 + 4) * 2);
        assert!(cfg.validate().is_ok());
        assert!(
            SweepConfig {
                widths: vec![],
                ..cfg.clone()
            }
            .validate()
            .is_err()
        );
        assert!(
            SweepConfig {
                seeds: 0,
                ..cfg.clone()
            }
            .validate()
            .is_err()
        );
        assert!(
            SweepConfig {
                lr: f64::NAN,
                ..cfg
            }
            .validate()
            .is_err()
        );
    }
}
