//! The core of the heatmaps view: the grid of P(obstruction) over input dimension d and hidden
//! width l, its seeded Monte Carlo check, and a live run of a randomly initialized network of any
//! architecture (paper-notes §6 and the appendix heatmaps).
//!
//! # Conventions
//! - Scalar output, e = 1, no biases. Grid cell (col, row) is width l = col + 1 and input
//!   dimension d = row + 1; values are row-major (`row * l_max + col`), row 0 (d = 1) at the bottom.
//! - P(obstruction) = P(H(c) disconnected) = 1 − (1 − p)^l with p = P(c_k < 0) (our reading of the
//!   appendix heatmap), from [`crate::core::probability::obstruction_odds`].
//! - The Monte Carlo check estimates p with [`crate::core::probability::monte_carlo_p`] (the same
//!   estimator as `obstruction probability --mc N --seed S`, so both print the same p̂), then
//!   P̂ = 1 − (1 − p̂)^l with the delta-method standard error l (1 − p̂)^(l−1) · se(p̂).
//! - A live run ([`RandomRun`]): θ(0) from [`crate::core::init::initialize`] with the heatmap's scheme
//!   and the run's seed (stream 0); a teacher problem of the same input dimension (our setup):
//!   n = 200 inputs x ~ N(0, I_d), y = σ(u1·x) − σ(u2·x) with u1, u2 independent uniformly random
//!   unit vectors of R^d drawn from the same seed on stream 1 (for d = 1, u1 = ±1 at random and
//!   u2 = −u1, so the two terms never cancel). The teacher needs one positive and one negative
//!   ReLU term; that is the need the obstruction verdict is checked against (for d = 1: a
//!   positive term on the side of u1 and a negative one on the other, with the frozen signs of
//!   w_k counted, [`crate::core::topology::obstruction_verdict_d1`]). Plain gradient
//!   descent with η = 0.05 on L = (1/n) Σ ½(f − y)².
//! - The loss history is a bounded [`History`] (the same thinning as the Fig. 3 runs), so a run of
//!   any length keeps O(4096) points. Nothing here reads a clock or the DOM.

use serde::Serialize;

use crate::app::live_run::{LiveRun, RunReadout};
use crate::app::session::MAX_SEED;
use crate::core::data::Dataset;
use crate::core::error::{ConfigError, TrainError};
use crate::core::init::{FanMode, InitScheme, initialize};
use crate::core::network::{Architecture, relu};
use crate::core::probability::{ObstructionOdds, monte_carlo_p, obstruction_odds};
use crate::core::rng::{seeded_stream, standard_normal};
use crate::core::topology::pathological_neurons;
use crate::core::train::{Integrator, Trainer};

/// Largest d and l of a grid or a live run.
pub const MAX_GRID_DIM: usize = 100;
/// Largest number of Monte Carlo samples the view accepts (so a check never freezes the page).
pub const MAX_VIEW_MC_SAMPLES: u64 = 200_000;
/// Number of teacher samples of a live run.
pub const TEACHER_SAMPLES: usize = 200;
/// Learning rate of a live run.
pub const RUN_LR: f64 = 0.05;

/// A human name of a scheme: "Xavier normal", "Kaiming normal", …
pub fn scheme_label(scheme: InitScheme) -> &'static str {
    match scheme {
        InitScheme::XavierNormal => "Xavier normal",
        InitScheme::XavierUniform => "Xavier uniform",
        InitScheme::KaimingNormal {
            mode: FanMode::FanIn,
        } => "Kaiming normal",
        InitScheme::KaimingNormal {
            mode: FanMode::FanOut,
        } => "Kaiming normal (fan_out)",
        InitScheme::KaimingUniform {
            mode: FanMode::FanIn,
        } => "Kaiming uniform",
        InitScheme::KaimingUniform {
            mode: FanMode::FanOut,
        } => "Kaiming uniform (fan_out)",
    }
}

fn check_grid_dim(name: &'static str, value: usize) -> Result<(), ConfigError> {
    if value == 0 || value > MAX_GRID_DIM {
        return Err(ConfigError::Dimension {
            name,
            value,
            max: MAX_GRID_DIM,
        });
    }
    Ok(())
}

fn check_seed(seed: u64) -> Result<(), ConfigError> {
    if seed > MAX_SEED {
        return Err(ConfigError::OutOfRange {
            name: "seed",
            value: seed as f64,
            range: "a whole number between 0 and 9007199254740991",
        });
    }
    Ok(())
}

/// What a cell of the grid shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellSummary {
    /// Scheme name as the CLI spells it (`xavier_normal`, …).
    pub scheme: &'static str,
    /// Human scheme name.
    pub scheme_label: &'static str,
    /// Input dimension.
    pub d: usize,
    /// Hidden width.
    pub l: usize,
    /// The column of the cell (l − 1).
    pub col: usize,
    /// The row of the cell (d − 1).
    pub row: usize,
    /// p = P(c_k < 0) for one neuron.
    pub p: f64,
    /// P(obstruction) = P(H(c) disconnected) (our reading).
    pub p_disconnected: f64,
    /// E[number of connected components].
    pub expected_components: f64,
    /// E[number of effective components] (our reading).
    pub expected_effective_components: f64,
}

impl CellSummary {
    /// The closed-form odds of this cell.
    pub fn odds(&self) -> ObstructionOdds {
        ObstructionOdds {
            p: self.p,
            p_disconnected: self.p_disconnected,
            expected_components: self.expected_components,
            expected_effective_components: self.expected_effective_components,
        }
    }
}

/// P(obstruction) for every d = 1..=d_max, l = 1..=l_max of one Gaussian scheme (e = 1).
#[derive(Debug, Clone, PartialEq)]
pub struct ObstructionGrid {
    scheme: InitScheme,
    d_max: usize,
    l_max: usize,
    odds: Vec<ObstructionOdds>,
}

impl ObstructionGrid {
    /// The closed-form grid.
    ///
    /// # Errors
    /// [`ConfigError::Dimension`] when d_max or l_max is 0 or above [`MAX_GRID_DIM`];
    /// [`ConfigError::Mismatch`] for a uniform scheme (no closed form).
    pub fn new(scheme: InitScheme, d_max: usize, l_max: usize) -> Result<Self, ConfigError> {
        check_grid_dim("d", d_max)?;
        check_grid_dim("l", l_max)?;
        let mut odds = Vec::with_capacity(d_max * l_max);
        for d in 1..=d_max {
            for l in 1..=l_max {
                odds.push(obstruction_odds(scheme, d, l, 1)?);
            }
        }
        Ok(Self {
            scheme,
            d_max,
            l_max,
            odds,
        })
    }

    /// The scheme.
    pub fn scheme(&self) -> InitScheme {
        self.scheme
    }

    /// (columns, rows) = (l_max, d_max).
    pub fn shape(&self) -> (usize, usize) {
        (self.l_max, self.d_max)
    }

    /// P(obstruction) per cell, row-major (`(d − 1) * l_max + (l − 1)`).
    pub fn values(&self) -> Vec<f64> {
        self.odds.iter().map(|o| o.p_disconnected).collect()
    }

    /// The summary of cell (col, row), if it is on the grid.
    pub fn cell(&self, col: usize, row: usize) -> Option<CellSummary> {
        if col >= self.l_max || row >= self.d_max {
            return None;
        }
        let odds = self.odds[row * self.l_max + col];
        Some(CellSummary {
            scheme: self.scheme.name(),
            scheme_label: scheme_label(self.scheme),
            d: row + 1,
            l: col + 1,
            col,
            row,
            p: odds.p,
            p_disconnected: odds.p_disconnected,
            expected_components: odds.expected_components,
            expected_effective_components: odds.expected_effective_components,
        })
    }
}

/// A seeded Monte Carlo check of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ObstructionEstimate {
    /// p̂, the fraction of sampled neurons with c_k < 0 (as `obstruction probability --mc`).
    pub p_mc: f64,
    /// Its standard error √(p̂(1 − p̂)/N).
    pub p_mc_stderr: f64,
    /// P̂(obstruction) = 1 − (1 − p̂)^l.
    pub p_disconnected_mc: f64,
    /// Delta-method standard error l (1 − p̂)^(l−1) · se(p̂).
    pub p_disconnected_stderr: f64,
    /// Number of sampled neurons.
    pub samples: u64,
    /// The seed.
    pub seed: u64,
}

/// The Monte Carlo check of cell (d, l) of `scheme` (e = 1).
///
/// # Errors
/// [`ConfigError`] for d or l out of 1..=[`MAX_GRID_DIM`], samples out of
/// 1..=[`MAX_VIEW_MC_SAMPLES`], or a seed above [`MAX_SEED`].
pub fn monte_carlo_obstruction(
    scheme: InitScheme,
    d: usize,
    l: usize,
    samples: u64,
    seed: u64,
) -> Result<ObstructionEstimate, ConfigError> {
    check_grid_dim("d", d)?;
    check_grid_dim("l", l)?;
    check_seed(seed)?;
    if samples == 0 || samples > MAX_VIEW_MC_SAMPLES {
        return Err(ConfigError::OutOfRange {
            name: "Monte Carlo samples",
            value: samples as f64,
            range: "a whole number between 1 and 200000",
        });
    }
    let est = monte_carlo_p(scheme, d, l, 1, samples, seed)?;
    let lf = l as f64;
    let q = 1.0 - est.mean;
    Ok(ObstructionEstimate {
        p_mc: est.mean,
        p_mc_stderr: est.stderr,
        p_disconnected_mc: 1.0 - libm::pow(q, lf),
        p_disconnected_stderr: lf * libm::pow(q, lf - 1.0) * est.stderr,
        samples,
        seed,
    })
}

/// The teacher problem of a live run (see the module header): n Gaussian inputs in R^d,
/// y = σ(u1·x) − σ(u2·x) with seeded random unit vectors u1, u2. Returns the data and (u1, u2).
///
/// # Errors
/// [`ConfigError`] when d is 0 or n is 0.
pub fn random_teacher(
    d: usize,
    n: usize,
    seed: u64,
) -> Result<(Dataset, Vec<f64>, Vec<f64>), ConfigError> {
    if d == 0 || n == 0 {
        return Err(ConfigError::Mismatch(
            "the teacher needs d ≥ 1 and n ≥ 1".into(),
        ));
    }
    let mut rng = seeded_stream(seed, 1);
    let unit = |rng: &mut crate::core::rng::Rng| -> Vec<f64> {
        loop {
            let u: Vec<f64> = (0..d).map(|_| standard_normal(rng)).collect();
            let norm = libm::sqrt(u.iter().map(|x| x * x).sum());
            if norm > 1e-12 {
                return u.into_iter().map(|x| x / norm).collect();
            }
        }
    };
    let u1 = unit(&mut rng);
    let u2 = if d == 1 { vec![-u1[0]] } else { unit(&mut rng) };
    let mut x = Vec::with_capacity(n * d);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let xi: Vec<f64> = (0..d).map(|_| standard_normal(&mut rng)).collect();
        let a: f64 = xi.iter().zip(&u1).map(|(p, q)| p * q).sum();
        let b: f64 = xi.iter().zip(&u2).map(|(p, q)| p * q).sum();
        y.push(relu(a) - relu(b));
        x.extend(xi);
    }
    Ok((Dataset::new(d, 1, x, y)?, u1, u2))
}

/// A live gradient-descent run of a randomly initialized network (see the module header).
#[derive(Debug, Clone)]
pub struct RandomRun {
    scheme: InitScheme,
    seed: u64,
    run: LiveRun,
}

impl RandomRun {
    /// A run of width l and input dimension d initialized by `scheme` from `seed`.
    ///
    /// # Errors
    /// [`ConfigError`] for d or l out of 1..=[`MAX_GRID_DIM`] or a seed above [`MAX_SEED`].
    pub fn new(scheme: InitScheme, d: usize, l: usize, seed: u64) -> Result<Self, ConfigError> {
        check_grid_dim("d", d)?;
        check_grid_dim("l", l)?;
        check_seed(seed)?;
        let net = initialize(Architecture::new(d, l, 1), scheme, seed)?;
        let (data, u1, _) = random_teacher(d, TEACHER_SAMPLES, seed)?;
        let trainer = Trainer::new(net, &data, RUN_LR, Integrator::Gd)?;
        // The teacher needs one positive and one negative ReLU term; for d = 1, σ(u1·x) is active
        // on the side of the sign of u1 and −σ(−u1·x) on the other.
        let mut run = LiveRun::new(trainer, Some((1, 1)), false);
        if d == 1 {
            let side: i8 = if u1[0] >= 0.0 { 1 } else { -1 };
            run = run.with_d1_slots(vec![(side, 1), (-side, -1)]);
        }
        Ok(Self { scheme, seed, run })
    }

    /// Takes up to `n` gradient-descent steps; returns how many were taken.
    ///
    /// # Errors
    /// The [`TrainError`] that stopped the run (the steps before it are kept).
    pub fn step(&mut self, n: u32) -> Result<u32, TrainError> {
        self.run.step(n)
    }

    /// (t, L(θ_t)) for the kept steps t (true step indices, increasing from 0).
    pub fn loss_history(&self) -> &[(f64, f64)] {
        self.run.loss_history()
    }

    /// The shared live run (histories, trainer).
    pub fn run(&self) -> &LiveRun {
        &self.run
    }

    /// The trainer (parameters, conserved quantities, …).
    pub fn trainer(&self) -> &Trainer {
        self.run.trainer()
    }

    /// The initialization scheme.
    pub fn scheme(&self) -> InitScheme {
        self.scheme
    }

    /// The seed of initialization and data.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Indices (from 0) of the pathological neurons (c_k(0) < 0).
    pub fn pathological(&self) -> Vec<usize> {
        pathological_neurons(1, self.run.trainer().c_initial())
    }

    /// One sentence: "Drew 3 pathological neurons out of 8 (Xavier normal, d = 2, l = 8, seed 123)".
    pub fn message(&self) -> String {
        let arch = self.run.trainer().arch();
        let n = self.pathological().len();
        format!(
            "Drew {n} pathological neuron{} out of {} ({}, d = {}, l = {}, seed {})",
            if n == 1 { "" } else { "s" },
            arch.l,
            scheme_label(self.scheme),
            arch.d,
            arch.l,
            self.seed
        )
    }

    /// The readout of the current state (the verdict is for the teacher's need of one positive
    /// and one negative ReLU term).
    pub fn readout(&mut self) -> RunReadout {
        self.run.readout()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::network::norm_sq;

    const KAIMING: InitScheme = InitScheme::KaimingNormal {
        mode: FanMode::FanIn,
    };

    #[test]
    fn grid_matches_the_closed_form_cell_by_cell() -> Result<(), ConfigError> {
        let grid = ObstructionGrid::new(InitScheme::XavierNormal, 7, 9)?;
        assert_eq!(grid.shape(), (9, 7));
        let values = grid.values();
        assert_eq!(values.len(), 63);
        for d in 1..=7 {
            for l in 1..=9 {
                let want = obstruction_odds(InitScheme::XavierNormal, d, l, 1)?;
                let cell = grid
                    .cell(l - 1, d - 1)
                    .ok_or(ConfigError::Mismatch("cell".into()))?;
                assert_eq!((cell.d, cell.l), (d, l));
                assert_eq!(cell.odds(), want);
                assert_eq!(values[(d - 1) * 9 + (l - 1)], want.p_disconnected);
                // An independent form: 1 − (1 − p)^l for d ≥ 2; for d = 1 every quadric
                // (c_k > 0 or c_k < 0) has two pieces, so H is disconnected with probability 1.
                let p = want.p;
                let independent = if d == 1 {
                    1.0
                } else {
                    1.0 - (1.0 - p).powi(l as i32)
                };
                assert!((want.p_disconnected - independent).abs() < 1e-12);
            }
        }
        assert!(grid.cell(9, 0).is_none() && grid.cell(0, 7).is_none());
        // Check values of the notes: Xavier d = 1 has p = 1/2 for every l.
        let c = grid
            .cell(3, 0)
            .ok_or(ConfigError::Mismatch("cell".into()))?;
        assert!((c.p - 0.5).abs() < 1e-14);
        let c = grid
            .cell(1, 1)
            .ok_or(ConfigError::Mismatch("cell".into()))?;
        assert!((c.p - (1.0 - (3.0f64 / 7.0).sqrt())).abs() < 1e-14);
        assert!(ObstructionGrid::new(InitScheme::XavierUniform, 3, 3).is_err());
        assert!(ObstructionGrid::new(KAIMING, 0, 3).is_err());
        assert!(ObstructionGrid::new(KAIMING, 3, MAX_GRID_DIM + 1).is_err());
        Ok(())
    }

    #[test]
    fn monte_carlo_check_is_the_cli_estimator_with_a_delta_method_error() -> Result<(), ConfigError>
    {
        for (scheme, d, l) in [(InitScheme::XavierNormal, 2, 8), (KAIMING, 3, 5)] {
            let est = monte_carlo_obstruction(scheme, d, l, 50_000, 7)?;
            let raw = monte_carlo_p(scheme, d, l, 1, 50_000, 7)?;
            assert_eq!(est.p_mc, raw.mean);
            assert_eq!(est.p_mc_stderr, raw.stderr);
            let exact = obstruction_odds(scheme, d, l, 1)?;
            assert!(
                (est.p_disconnected_mc - exact.p_disconnected).abs()
                    < 4.0 * est.p_disconnected_stderr,
                "{est:?} vs {exact:?}"
            );
            // The delta-method error against a finite difference of P(p) = 1 − (1 − p)^l.
            let h = 1e-6;
            let pp = |p: f64| 1.0 - (1.0 - p).powi(l as i32);
            let slope = (pp(est.p_mc + h) - pp(est.p_mc - h)) / (2.0 * h);
            assert!((est.p_disconnected_stderr - slope * est.p_mc_stderr).abs() < 1e-8);
        }
        assert!(monte_carlo_obstruction(KAIMING, 2, 2, 0, 1).is_err());
        assert!(monte_carlo_obstruction(KAIMING, 2, 2, MAX_VIEW_MC_SAMPLES + 1, 1).is_err());
        assert!(monte_carlo_obstruction(KAIMING, 2, 2, 10, MAX_SEED + 1).is_err());
        assert!(monte_carlo_obstruction(KAIMING, 0, 2, 10, 1).is_err());
        Ok(())
    }

    #[test]
    fn teacher_uses_unit_vectors_and_its_formula() -> Result<(), ConfigError> {
        for d in [1usize, 2, 5, 50] {
            let (data, u1, u2) = random_teacher(d, 200, 9)?;
            assert_eq!((data.n, data.d, data.e), (200, d, 1));
            assert!((norm_sq(&u1) - 1.0).abs() < 1e-12 && (norm_sq(&u2) - 1.0).abs() < 1e-12);
            if d == 1 {
                assert_eq!(u2[0], -u1[0]);
            }
            for i in 0..data.n {
                let x = data.input(i);
                let a: f64 = x.iter().zip(&u1).map(|(p, q)| p * q).sum();
                let b: f64 = x.iter().zip(&u2).map(|(p, q)| p * q).sum();
                assert_eq!(data.target(i)[0], a.max(0.0) - b.max(0.0));
            }
            // The same seed gives the same data; another seed other data.
            assert_eq!(random_teacher(d, 200, 9)?.0, data);
            assert_ne!(random_teacher(d, 200, 10)?.0, data);
        }
        assert!(random_teacher(0, 10, 1).is_err());
        Ok(())
    }

    #[test]
    fn live_run_reports_its_pathological_neurons_and_trains()
    -> Result<(), Box<dyn std::error::Error>> {
        let mut run = RandomRun::new(InitScheme::XavierNormal, 2, 8, 123)?;
        let r0 = run.readout();
        // l− against the c vector, brute force from the initial network.
        let net = initialize(Architecture::new(2, 8, 1), InitScheme::XavierNormal, 123)?;
        let c: Vec<f64> = (0..8)
            .map(|k| norm_sq(net.w(k)) - norm_sq(net.v(k)))
            .collect();
        let want: Vec<usize> = (0..8).filter(|&k| c[k] < 0.0).collect();
        assert_eq!(run.pathological(), want);
        assert_eq!(r0.c_initial.len(), 8);
        assert_eq!(r0.components, 2f64.powi(want.len() as i32));
        assert_eq!(r0.effective_components, want.len() as f64 + 1.0);
        assert_eq!(
            run.message(),
            format!(
                "Drew {} pathological neuron{} out of 8 (Xavier normal, d = 2, l = 8, seed 123)",
                want.len(),
                if want.len() == 1 { "" } else { "s" }
            )
        );
        let verdict = r0.verdict.clone().ok_or("no verdict")?;
        // Obstructed exactly when every neuron is pathological with one output sign.
        let signs: Vec<f64> = want.iter().map(|&k| net.v(k)[0].signum()).collect();
        let all_one_sign =
            want.len() == 8 && (signs.iter().all(|s| *s > 0.0) || signs.iter().all(|s| *s < 0.0));
        assert_eq!(verdict.obstructed, all_one_sign);
        run.step(300)?;
        let r1 = run.readout();
        assert_eq!(r1.step, 300);
        assert!(r1.loss < r0.loss, "{} → {}", r0.loss, r1.loss);
        assert_eq!(run.loss_history().len(), 300);
        assert_eq!(run.loss_history()[0].1, r0.loss);
        assert!(RandomRun::new(KAIMING, 0, 3, 1).is_err());
        assert!(RandomRun::new(KAIMING, 3, 3, MAX_SEED + 1).is_err());
        // Every architecture of the grid builds, including the corners.
        for (d, l) in [(1, 1), (1, 50), (50, 1), (50, 50)] {
            let mut r = RandomRun::new(KAIMING, d, l, 5)?;
            r.step(3)?;
            assert_eq!(r.readout().c_initial.len(), l);
        }
        Ok(())
    }
}
