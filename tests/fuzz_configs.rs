//! Property-based fuzzing of every configuration that reaches the core (issue 7, part 1).
//!
//! Each property draws configurations from a mixture of realistic values and hostile ones (any
//! f64 including NaN, ±∞, subnormals and ±f64::MAX, any usize and u64, arbitrary strings) and
//! checks that the core either builds the configuration or refuses it with the *specific* typed
//! error an independent oracle predicts (the error kind, and a message naming the bad field), never
//! panics, and that a configuration it accepts steps without panicking and either stays finite or
//! reports divergence.
//!
//! The case counts add up to more than 100,000 per run; each property prints its count and time
//! (`cargo test --release --test fuzz_configs -- --nocapture`). `FUZZ_SCALE=10` multiplies every
//! count for a longer local run. A failing case is shrunk and its seed stored under
//! `tests/fuzz-regressions/` (replayed first on every later run); cases found while writing these
//! properties are kept as explicit tests at the end of this file.

// Native only: proptest is a native dev-dependency, and 10^7 steps are for the host.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;
use std::time::Instant;

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};

use relu_obstruction::app::random_run::{
    MAX_GRID_DIM, MAX_VIEW_MC_SAMPLES, ObstructionGrid, RandomRun, monte_carlo_obstruction,
};
use relu_obstruction::app::session::{MAX_SEED, Session, SessionConfig};
use relu_obstruction::app::single_neuron::{NeuronConfig, NeuronRun, WINDOW};
use relu_obstruction::core::data::{Dataset, Split};
use relu_obstruction::core::error::{ConfigError, TopologyError, TrainError};
use relu_obstruction::core::init::{InitScheme, initialize};
use relu_obstruction::core::network::{Architecture, Loss, MAX_DIM, Network};
use relu_obstruction::core::probability::{MAX_MC_SAMPLES, monte_carlo_p, obstruction_odds};
use relu_obstruction::core::topology::{
    connected_components, effective_components, obstruction_verdict, poincare_polynomial,
    sign_counts,
};
use relu_obstruction::core::train::{Integrator, MAX_LR, Trainer};
use relu_obstruction::experiments::sweep::{
    MAX_SEEDS, MAX_STEPS, SweepConfig, SweepJob, run_job, sweep_data,
};

// ---------------------------------------------------------------------------------------------
// Runner and strategies.

/// Runs `cases` cases of `test` on `strategy`, storing failing seeds in
/// `tests/fuzz-regressions/<name>.txt`, and prints the count and the time.
fn fuzz<S: Strategy>(
    name: &'static str,
    file: &'static str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let scale: u32 = std::env::var("FUZZ_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let cases = cases * scale.max(1);
    let config = Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(file))),
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let t0 = Instant::now();
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{name}: {e}");
    }
    println!(
        "fuzz: {name}: {cases} cases in {:.2} s",
        t0.elapsed().as_secs_f64()
    );
}

/// Values that break naive code.
const NASTY: [f64; 20] = [
    0.0,
    -0.0,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::MIN_POSITIVE,
    5e-324,
    -5e-324,
    f64::MAX,
    f64::MIN,
    1e-300,
    1e300,
    -1e300,
    MAX_LR,
    1_000.000_000_000_1,
    1e-3,
    WINDOW,
    -WINDOW,
    3.000_000_000_000_000_4,
    9_007_199_254_740_993.0,
];

/// Any f64: arbitrary bit patterns (NaN, ±∞, subnormals included), the nasty list, and
/// realistic ranges.
fn any_f64() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![
        3 => any::<f64>(),
        2 => prop::sample::select(NASTY.to_vec()),
        3 => -10.0..10.0f64,
        1 => -1e6..1e6f64,
    ]
}

/// Learning rates: mostly plausible, often hostile.
fn any_lr() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![
        2 => any_f64(),
        3 => 1e-4..2.0f64,
        1 => prop::sample::select(vec![0.05, 1e-300, 5e-324, MAX_LR, 10.0, 100.0, 1e-12]),
    ]
}

/// Any usize, weighted towards small values and the edges of the accepted ranges.
fn any_dim(small: usize, limit: usize) -> impl Strategy<Value = usize> + Clone {
    prop_oneof![
        6 => 1..=small,
        1 => Just(0usize),
        1 => prop::sample::select(vec![limit, limit + 1, usize::MAX, 1 << 40]),
        1 => any::<usize>(),
    ]
}

fn any_seed() -> impl Strategy<Value = u64> + Clone {
    prop_oneof![
        4 => 0..1000u64,
        1 => prop::sample::select(vec![MAX_SEED, MAX_SEED + 1, u64::MAX]),
        1 => any::<u64>(),
    ]
}

fn any_name(valid: &'static [&'static str]) -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        6 => prop::sample::select(valid).prop_map(str::to_string),
        1 => "\\PC{0,12}",
        1 => prop::sample::select(vec!["", "GD", "fig3", "fig4 ", "<img src=x>", "flow\0"])
            .prop_map(str::to_string),
    ]
}

fn lr_is_valid(lr: f64) -> bool {
    lr.is_finite() && lr > 0.0 && lr <= MAX_LR
}

fn scheme() -> impl Strategy<Value = InitScheme> + Clone {
    prop::sample::select(InitScheme::ALL.to_vec())
}

/// The error is the one predicted: same variant family and the message names the field.
fn expect_config_error(
    got: &ConfigError,
    field: &str,
    kind: fn(&ConfigError) -> bool,
) -> Result<(), TestCaseError> {
    prop_assert!(kind(got), "wrong error kind for {field}: {got:?}");
    let msg = got.to_string();
    prop_assert!(
        msg.contains(field),
        "the message '{msg}' does not name {field}"
    );
    Ok(())
}

fn out_of_range(e: &ConfigError) -> bool {
    matches!(e, ConfigError::OutOfRange { .. })
}
fn unknown(e: &ConfigError) -> bool {
    matches!(e, ConfigError::Unknown { .. })
}
fn dimension(e: &ConfigError) -> bool {
    matches!(e, ConfigError::Dimension { .. })
}
fn mismatch(e: &ConfigError) -> bool {
    matches!(e, ConfigError::Mismatch(_))
}

fn is_train_error(e: &TrainError) -> bool {
    matches!(
        e,
        TrainError::Diverged { .. } | TrainError::StepBudget { .. }
    )
}

const PRESETS: [&str; 5] = [
    "fig3-obstructed-pp",
    "fig3-obstructed-mm",
    "fig3-good-pm",
    "fig3-good-nonpathological",
    "fig4",
];
const FIG3_PRESETS: [&str; 4] = [
    "fig3-obstructed-pp",
    "fig3-obstructed-mm",
    "fig3-good-pm",
    "fig3-good-nonpathological",
];
const INTEGRATORS: [&str; 3] = ["gd", "flow", "conserving"];

// ---------------------------------------------------------------------------------------------
// The Fig. 3 run configuration (the app's `Run`, the links' `preset/seed/lr/integrator`).

#[test]
fn fuzz_fig3_run_configurations() {
    let preset = prop_oneof![
        12 => any_name(&FIG3_PRESETS),
        1 => Just("fig4".to_string()),
    ];
    let strategy = (
        preset,
        any_seed(),
        prop::option::of(any_lr()),
        prop::option::of(any_name(&INTEGRATORS)),
        1..8u32,
    );
    fuzz(
        "Fig. 3 run config (preset, seed, lr, integrator) + stepping",
        "tests/fuzz-regressions/fig3_run.txt",
        8_000,
        strategy,
        |(preset, seed, lr, integrator, steps)| {
            let cfg = SessionConfig {
                preset: preset.clone(),
                seed,
                lr,
                integrator: integrator.clone(),
            };
            let built = Session::new(&cfg);
            // The oracle: the first bad field, in the order the fields are documented.
            let bad = if !PRESETS.contains(&preset.as_str()) {
                Some(("preset", unknown as fn(&ConfigError) -> bool))
            } else if seed > MAX_SEED {
                Some(("seed", out_of_range as fn(&ConfigError) -> bool))
            } else if lr.is_some_and(|x| !lr_is_valid(x)) {
                Some(("learning rate", out_of_range as fn(&ConfigError) -> bool))
            } else if integrator
                .as_deref()
                .is_some_and(|i| !INTEGRATORS.contains(&i))
            {
                Some(("integrator", unknown as fn(&ConfigError) -> bool))
            } else {
                None
            };
            match (built, bad) {
                (Err(e), Some((field, kind))) => expect_config_error(&e, field, kind),
                (Ok(_), Some((field, _))) => {
                    Err(TestCaseError::fail(format!("accepted a bad {field}")))
                }
                (Err(e), None) => Err(TestCaseError::fail(format!("refused a valid config: {e}"))),
                (Ok(mut s), None) => {
                    let result = s.step(steps);
                    if let Err(e) = &result {
                        prop_assert!(is_train_error(e));
                    }
                    let r = s.readout();
                    prop_assert_eq!(r.failure.is_some(), result.is_err());
                    prop_assert!(r.loss.is_finite(), "readout loss {}", r.loss);
                    prop_assert!(r.c.iter().chain(&r.c_initial).all(|c| c.is_finite()));
                    prop_assert!(s.trainer().params().iter().all(|p| p.is_finite()));
                    let hist = s.loss_history();
                    prop_assert!(hist.iter().all(|(t, l)| t.is_finite() && l.is_finite()));
                    prop_assert!(hist.windows(2).all(|w| w[0].0 < w[1].0));
                    for k in 0..2 {
                        let tr = s.trajectory(k);
                        prop_assert!(tr.iter().flatten().all(|x| x.is_finite()));
                        prop_assert_eq!(*s.trajectory_steps(k).last().unwrap(), r.step);
                    }
                    if result.is_ok() {
                        prop_assert_eq!(r.step, u64::from(steps));
                    }
                    Ok(())
                }
            }
        },
    );
}

// ---------------------------------------------------------------------------------------------
// The Fig. 1b one-neuron run: start (w, v), learning rate, integrator, rescaling α, nudges.

#[test]
fn fuzz_single_neuron_settings() {
    let strategy = (
        any_f64(),
        any_f64(),
        prop::option::of(any_lr()),
        prop::option::of(any_name(&INTEGRATORS)),
        any_f64(),
        (any_f64(), any_f64()),
        1..30u32,
    );
    fuzz(
        "Fig. 1b one-neuron run (w, v, lr, integrator, α, nudge) + stepping",
        "tests/fuzz-regressions/single_neuron.txt",
        30_000,
        strategy,
        |(w, v, lr, integrator, alpha, (dw, dv), steps)| {
            let cfg = NeuronConfig {
                w,
                v,
                lr,
                integrator: integrator.clone(),
            };
            let in_window = |x: f64| x.is_finite() && x.abs() <= WINDOW;
            let bad = if integrator
                .as_deref()
                .is_some_and(|i| !INTEGRATORS.contains(&i))
            {
                Some(("integrator", unknown as fn(&ConfigError) -> bool))
            } else if !in_window(w) {
                Some(("w", out_of_range as fn(&ConfigError) -> bool))
            } else if !in_window(v) {
                Some(("v", out_of_range as fn(&ConfigError) -> bool))
            } else if lr.is_some_and(|x| !lr_is_valid(x)) {
                Some(("learning rate", out_of_range as fn(&ConfigError) -> bool))
            } else {
                None
            };
            let mut run = match (NeuronRun::new(&cfg), bad) {
                (Err(e), Some((field, kind))) => return expect_config_error(&e, field, kind),
                (Ok(_), Some((field, _))) => {
                    return Err(TestCaseError::fail(format!("accepted a bad {field}")));
                }
                (Err(e), None) => {
                    return Err(TestCaseError::fail(format!("refused a valid config: {e}")));
                }
                (Ok(run), None) => run,
            };
            // Rescaling: refused (run unchanged) or applied with the function kept.
            let before = run.point();
            match run.rescale(alpha) {
                Err(e) => {
                    prop_assert_eq!(run.point(), before);
                    if alpha.is_finite() && alpha > 0.0 {
                        prop_assert!(
                            !(in_window(alpha * before.0) && in_window(before.1 / alpha)),
                            "refused a rescaling that stays in the window: {e}"
                        );
                        expect_config_error(&e, "α", mismatch)?;
                    } else {
                        expect_config_error(&e, "α", out_of_range)?;
                    }
                }
                Ok(()) => {
                    prop_assert!(alpha.is_finite() && alpha > 0.0);
                    let (nw, nv) = run.point();
                    let f_before = before.1 * before.0.max(0.0);
                    let f_after = nv * nw.max(0.0);
                    prop_assert!((f_before - f_after).abs() <= 1e-12 * (1.0 + f_before.abs()));
                }
            }
            // A nudge: refused (unchanged) exactly when it leaves the window.
            let here = run.point();
            let target = (here.0 + dw, here.1 + dv);
            let nudged = run.nudge(dw, dv);
            prop_assert_eq!(nudged.is_ok(), in_window(target.0) && in_window(target.1));
            if nudged.is_err() {
                prop_assert_eq!(run.point(), here);
            }
            let result = run.step(steps);
            if let Err(e) = &result {
                prop_assert!(is_train_error(e));
            }
            let r = run.readout();
            prop_assert_eq!(r.run.failure.is_some(), result.is_err());
            prop_assert!(r.run.loss.is_finite() && r.run.c[0].is_finite() && r.w.is_finite());
            prop_assert!(r.grad_w.is_finite() && r.grad_v.is_finite());
            let traj = run.trajectory();
            prop_assert_eq!(traj.last().copied(), Some((r.w, r.v)));
            prop_assert_eq!(*run.trajectory_steps().last().unwrap(), r.run.step);
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------------------
// The topology calculator: d, e and lists of c_k with any floats and lengths.

#[test]
fn fuzz_topology_calculator() {
    let c_list = prop_oneof![
        20 => prop::collection::vec(any_f64(), 0..12),
        1 => prop::collection::vec(any_f64(), 0..300),
    ];
    let big_dim = |limit: usize| {
        prop_oneof![
            12 => 1..=6usize,
            1 => Just(0usize),
            1 => 7..=limit,
            1 => prop::sample::select(vec![limit + 1, usize::MAX, 1 << 40]),
        ]
    };
    let strategy = (
        big_dim(MAX_DIM),
        big_dim(MAX_DIM),
        c_list,
        prop::collection::vec(any::<i8>(), 0..6),
        (0..4usize, 0..4usize),
    );
    fuzz(
        "topology calculator (d, e, c list) + obstruction verdict",
        "tests/fuzz-regressions/topology.txt",
        30_000,
        strategy,
        |(d, e, c, label, (need_pos, need_neg))| {
            let first_bad_c = c.iter().position(|x| !x.is_finite());
            let expected_dim_error = if d == 0 || d > MAX_DIM {
                Some("d")
            } else if e == 0 || e > MAX_DIM {
                Some("e")
            } else {
                None
            };
            let poly = poincare_polynomial(d, e, &c);
            let comps = connected_components(d, e, &c);
            let eff = effective_components(d, e, &c);
            if let Some(name) = expected_dim_error {
                for err in [poly.err(), comps.err(), eff.err()] {
                    let err = err.ok_or_else(|| TestCaseError::fail("a bad dimension passed"))?;
                    let kind_ok = matches!(
                        err,
                        TopologyError::Dimension { .. } | TopologyError::TooLarge { .. }
                    );
                    prop_assert!(kind_ok, "{err}");
                    prop_assert!(err.to_string().starts_with(name), "{err}");
                }
                return Ok(());
            }
            if let Some(k) = first_bad_c {
                for err in [poly.err(), comps.err(), eff.err()] {
                    prop_assert_eq!(err, Some(TopologyError::NotFinite { neuron: k }));
                }
                if e == 1 {
                    let v = obstruction_verdict(e, &c, &label, need_pos, need_neg);
                    prop_assert_eq!(v.err(), Some(TopologyError::NotFinite { neuron: k }));
                }
                return Ok(());
            }
            let (pos, zero, neg) = sign_counts(&c);
            prop_assert_eq!(pos + zero + neg, c.len());
            // Independent facts about P_H(t) = Π (1 + t^{m_k}): its degree is Σ m_k, and its
            // constant and leading coefficients are both 2^(#factors with m_k = 0).
            let spheres: Vec<usize> = c
                .iter()
                .filter(|x| **x != 0.0)
                .map(|x| if *x > 0.0 { d - 1 } else { e - 1 })
                .collect();
            let zero_spheres = spheres.iter().filter(|m| **m == 0).count();
            match poly {
                Ok(p) => {
                    let degree: usize = spheres.iter().sum();
                    prop_assert_eq!(p.len(), degree + 1);
                    let b0 = 1u128 << zero_spheres;
                    prop_assert_eq!(p[0], b0);
                    prop_assert_eq!(*p.last().unwrap(), b0);
                    prop_assert_eq!(comps.clone(), Ok(b0));
                    // Σ b_i = P(1) = 2^(number of non-cone factors), when it fits.
                    if spheres.len() < 128 {
                        let sum = p.iter().try_fold(0u128, |a, b| a.checked_add(*b));
                        prop_assert_eq!(sum, Some(1u128 << spheres.len()));
                    }
                }
                Err(err) => {
                    let is_overflow = matches!(err, TopologyError::Overflow { .. });
                    prop_assert!(is_overflow, "{err}");
                    prop_assert!(
                        spheres.len() >= 128,
                        "overflow with {} factors",
                        spheres.len()
                    );
                }
            }
            if let Ok(n) = comps {
                prop_assert!(eff.clone().unwrap() <= n.max(1));
            }
            let verdict = obstruction_verdict(e, &c, &label, need_pos, need_neg);
            if e != 1 {
                prop_assert_eq!(verdict.err(), Some(TopologyError::NotScalarOutput { e }));
            } else if label.len() != neg {
                let is_mismatch = matches!(verdict, Err(TopologyError::Mismatch(_)));
                prop_assert!(is_mismatch, "{verdict:?}");
            } else {
                let v = verdict.unwrap();
                prop_assert_eq!(
                    v.capacity.positive + v.capacity.negative,
                    2 * (pos + zero) + neg
                );
                prop_assert_eq!(
                    v.obstructed,
                    v.capacity.positive < need_pos || v.capacity.negative < need_neg
                );
            }
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Random networks: the topology view's random network and the heatmaps' live run.

#[test]
fn fuzz_random_network_settings() {
    let strategy = (
        scheme(),
        any_dim(8, MAX_GRID_DIM),
        any_dim(8, MAX_GRID_DIM),
        any_seed(),
        1..6u32,
    );
    fuzz(
        "random network (scheme, d, l, seed): initialize + live run",
        "tests/fuzz-regressions/random_network.txt",
        10_000,
        strategy,
        |(scheme, d, l, seed, steps)| {
            // The initializer alone accepts 1..=MAX_DIM (keep the allocation small here).
            if d <= 64 && l <= 64 || d == 0 || l == 0 || d > MAX_DIM || l > MAX_DIM {
                match initialize(Architecture::new(d, l, 1), scheme, seed) {
                    Ok(net) => {
                        prop_assert!(net.params().iter().all(|p| p.is_finite()));
                        prop_assert!(net.conserved_quantities().iter().all(|c| c.is_finite()));
                    }
                    Err(e) => {
                        let name = if d == 0 || d > MAX_DIM { "d" } else { "l" };
                        expect_config_error(&e, name, dimension)?;
                    }
                }
            }
            let bad = if d == 0 || d > MAX_GRID_DIM {
                Some(("d", dimension as fn(&ConfigError) -> bool))
            } else if l == 0 || l > MAX_GRID_DIM {
                Some(("l", dimension as fn(&ConfigError) -> bool))
            } else if seed > MAX_SEED {
                Some(("seed", out_of_range as fn(&ConfigError) -> bool))
            } else {
                None
            };
            match (RandomRun::new(scheme, d, l, seed), bad) {
                (Err(e), Some((field, kind))) => expect_config_error(&e, field, kind),
                (Ok(_), Some((field, _))) => {
                    Err(TestCaseError::fail(format!("accepted a bad {field}")))
                }
                (Err(e), None) => Err(TestCaseError::fail(format!("refused a valid run: {e}"))),
                (Ok(mut run), None) => {
                    let result = run.step(steps);
                    if let Err(e) = &result {
                        prop_assert!(is_train_error(e));
                    }
                    let r = run.readout();
                    prop_assert!(r.loss.is_finite());
                    prop_assert_eq!(r.c_initial.len(), l);
                    prop_assert_eq!(
                        run.pathological().len(),
                        r.c_initial.iter().filter(|c| **c < 0.0).count()
                    );
                    prop_assert!(run.loss_history().iter().all(|(_, x)| x.is_finite()));
                    Ok(())
                }
            }
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Monte Carlo checks and the closed-form grid.

#[test]
fn fuzz_monte_carlo_and_grid_settings() {
    let samples = prop_oneof![
        6 => 1..400u64,
        1 => Just(0u64),
        1 => prop::sample::select(vec![
            MAX_VIEW_MC_SAMPLES + 1,
            MAX_MC_SAMPLES + 1,
            u64::MAX
        ]),
    ];
    let strategy = (
        scheme(),
        any_dim(12, MAX_GRID_DIM),
        any_dim(12, MAX_GRID_DIM),
        samples,
        any_seed(),
        (any_dim(6, MAX_GRID_DIM), any_dim(6, MAX_GRID_DIM)),
        any_dim(3, MAX_DIM),
    );
    fuzz(
        "Monte Carlo (scheme, d, l, samples, seed) + closed-form grid",
        "tests/fuzz-regressions/monte_carlo.txt",
        15_000,
        strategy,
        |(scheme, d, l, samples, seed, (d_max, l_max), e)| {
            let bad = if d == 0 || d > MAX_GRID_DIM {
                Some(("d", dimension as fn(&ConfigError) -> bool))
            } else if l == 0 || l > MAX_GRID_DIM {
                Some(("l", dimension as fn(&ConfigError) -> bool))
            } else if seed > MAX_SEED {
                Some(("seed", out_of_range as fn(&ConfigError) -> bool))
            } else if samples == 0 || samples > MAX_VIEW_MC_SAMPLES {
                Some((
                    "Monte Carlo samples",
                    out_of_range as fn(&ConfigError) -> bool,
                ))
            } else {
                None
            };
            match (monte_carlo_obstruction(scheme, d, l, samples, seed), bad) {
                (Err(e), Some((field, kind))) => expect_config_error(&e, field, kind)?,
                (Ok(_), Some((field, _))) => {
                    return Err(TestCaseError::fail(format!("accepted a bad {field}")));
                }
                (Err(e), None) => {
                    return Err(TestCaseError::fail(format!("refused: {e}")));
                }
                (Ok(est), None) => {
                    prop_assert!((0.0..=1.0).contains(&est.p_mc));
                    prop_assert!((0.0..=1.0).contains(&est.p_disconnected_mc));
                    prop_assert!(est.p_mc_stderr.is_finite() && est.p_disconnected_stderr >= 0.0);
                }
            }
            // The library estimator and closed form accept any e up to MAX_DIM.
            let dims_ok = |x: usize| (1..=MAX_DIM).contains(&x);
            let (dm, lm, em, sm) = (d.min(50), l.min(50), e.min(50), samples.min(50));
            let mc = monte_carlo_p(scheme, dm, lm, em, sm, seed);
            let mc_valid = sm >= 1 && dims_ok(dm) && dims_ok(lm) && dims_ok(em);
            prop_assert_eq!(mc.is_ok(), mc_valid);
            prop_assert!(monte_carlo_p(scheme, 1, 1, 1, MAX_MC_SAMPLES + 1, seed).is_err());
            let odds = obstruction_odds(scheme, d, l, e);
            let dims_valid = dims_ok(d) && dims_ok(l) && dims_ok(e);
            match odds {
                Ok(o) => {
                    prop_assert!(dims_valid && scheme.is_normal());
                    prop_assert!((0.0..=1.0).contains(&o.p), "p = {}", o.p);
                    prop_assert!((0.0..=1.0).contains(&o.p_disconnected));
                }
                Err(err) => {
                    if dims_valid {
                        prop_assert!(!scheme.is_normal(), "{err}");
                    } else {
                        prop_assert!(dimension(&err), "{err}");
                    }
                }
            }
            match ObstructionGrid::new(scheme, d_max, l_max) {
                Ok(grid) => {
                    prop_assert!(scheme.is_normal());
                    prop_assert_eq!(grid.shape(), (l_max, d_max));
                    prop_assert!(grid.values().iter().all(|p| (0.0..=1.0).contains(p)));
                }
                Err(err) => {
                    let d_bad = d_max == 0 || d_max > MAX_GRID_DIM;
                    let l_bad = l_max == 0 || l_max > MAX_GRID_DIM;
                    if d_bad {
                        expect_config_error(&err, "d", dimension)?;
                    } else if l_bad {
                        expect_config_error(&err, "l", dimension)?;
                    } else {
                        prop_assert!(!scheme.is_normal(), "{err}");
                        expect_config_error(&err, scheme.name(), mismatch)?;
                    }
                }
            }
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------------------
// The Fig. 4 sweep.

fn split() -> &'static Split {
    static SPLIT: OnceLock<Split> = OnceLock::new();
    SPLIT.get_or_init(|| sweep_data().unwrap())
}

#[test]
fn fuzz_sweep_configurations() {
    let widths = prop_oneof![
        8 => prop::collection::vec(1..=8usize, 1..4),
        1 => prop::collection::vec(any_dim(300, 256), 0..4),
    ];
    let strategy = (
        widths,
        prop_oneof![4 => 1..4u64, 1 => prop::sample::select(vec![0, MAX_SEEDS, MAX_SEEDS + 1, u64::MAX])],
        prop_oneof![4 => 1..4u64, 1 => prop::sample::select(vec![0, MAX_STEPS, MAX_STEPS + 1, u64::MAX])],
        any_lr(),
        any_seed(),
    );
    fuzz(
        "Fig. 4 sweep config (widths, seeds, steps, lr) + one job",
        "tests/fuzz-regressions/sweep.txt",
        10_000,
        strategy,
        |(widths, seeds, steps, lr, job_seed)| {
            let cfg = SweepConfig {
                widths: widths.clone(),
                seeds,
                steps,
                lr,
            };
            let bad = if widths.is_empty() {
                Some(("width", mismatch as fn(&ConfigError) -> bool))
            } else if widths.iter().any(|&l| l == 0 || l > 256) {
                Some(("width", dimension as fn(&ConfigError) -> bool))
            } else if seeds == 0 || seeds > MAX_SEEDS {
                Some(("seeds", out_of_range as fn(&ConfigError) -> bool))
            } else if steps == 0 || steps > MAX_STEPS {
                Some(("steps", out_of_range as fn(&ConfigError) -> bool))
            } else if !lr_is_valid(lr) {
                Some(("learning rate", out_of_range as fn(&ConfigError) -> bool))
            } else {
                None
            };
            match (cfg.validate(), bad) {
                (Err(e), Some((field, kind))) => expect_config_error(&e, field, kind),
                (Ok(()), Some((field, _))) => {
                    Err(TestCaseError::fail(format!("accepted a bad {field}")))
                }
                (Err(e), None) => Err(TestCaseError::fail(format!("refused: {e}"))),
                (Ok(()), None) => {
                    let expected: u64 = widths.iter().map(|&l| (l as u64 + 1) * seeds).sum();
                    if expected <= 10_000 {
                        prop_assert_eq!(cfg.jobs().len() as u64, expected);
                    }
                    if steps <= 3 && widths[0] <= 8 {
                        let job = SweepJob {
                            l: widths[0],
                            l_plus: (job_seed as usize) % (widths[0] + 1),
                            seed: job_seed,
                        };
                        let r = run_job(split(), job, steps, lr)
                            .map_err(|e| TestCaseError::fail(e.to_string()))?;
                        prop_assert!(
                            r.test_bce.is_finite() || r.diverged,
                            "test BCE {}",
                            r.test_bce
                        );
                    }
                    Ok(())
                }
            }
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Network::from_params with arbitrary dimensions and θ, then training on arbitrary data.

#[derive(Debug, Clone)]
struct NetCase {
    arch: Architecture,
    params: Vec<f64>,
    exact_length: bool,
    x: Vec<f64>,
    y: Vec<f64>,
    lr: f64,
    integrator: Integrator,
    steps: u32,
}

fn net_case() -> impl Strategy<Value = NetCase> {
    let dims = (
        any_dim(4, MAX_DIM),
        any_dim(4, MAX_DIM),
        any_dim(3, MAX_DIM),
    );
    let data_value = prop_oneof![8 => -3.0..3.0f64, 1 => any_f64(), 1 => prop::sample::select(vec![1e150, -1e200, 1e-310])];
    (
        dims,
        (
            any::<bool>(),
            any::<bool>(),
            prop::sample::select(vec![Loss::HalfMse, Loss::Bce]),
        ),
        prop::collection::vec(prop_oneof![6 => -2.0..2.0f64, 1 => any_f64()], 0..60),
        any::<bool>(),
        (1..12usize, prop::collection::vec(data_value, 0..120)),
        any_lr(),
        prop::sample::select(vec![
            Integrator::Gd,
            Integrator::Flow,
            Integrator::Conserving,
        ]),
        1..12u32,
    )
        .prop_map(
            |((d, l, e), (hb, ob, loss), params, exact, (n, pool), lr, integrator, steps)| {
                let arch = Architecture {
                    d,
                    l,
                    e,
                    hidden_bias: hb,
                    output_bias: ob,
                    loss,
                };
                let small = d <= 8 && l <= 8 && e <= 8;
                let mut params = params;
                if exact && small && arch.validate().is_ok() {
                    let want = arch.n_params();
                    let pool = if params.is_empty() {
                        vec![0.3]
                    } else {
                        params.clone()
                    };
                    params = (0..want).map(|i| pool[i % pool.len()]).collect();
                }
                let (mut x, mut y) = (Vec::new(), Vec::new());
                if small && d > 0 && e > 0 {
                    let pool = if pool.is_empty() { vec![0.5] } else { pool };
                    x = (0..n * d).map(|i| pool[i % pool.len()]).collect();
                    y = (0..n * e)
                        .map(|i| {
                            let v = pool[(i * 7 + 3) % pool.len()];
                            // BCE targets are mostly 0/1, sometimes out of range.
                            if loss == Loss::Bce && i % 5 != 4 {
                                f64::from(u8::from(v > 0.0))
                            } else {
                                v
                            }
                        })
                        .collect();
                }
                NetCase {
                    arch,
                    params,
                    exact_length: exact,
                    x,
                    y,
                    lr,
                    integrator,
                    steps,
                }
            },
        )
}

#[test]
fn fuzz_networks_from_params_and_training() {
    fuzz(
        "Network::from_params (dims, θ) + Trainer on arbitrary data",
        "tests/fuzz-regressions/network.txt",
        15_000,
        net_case(),
        |case| {
            let a = case.arch;
            let dim_error = [("d", a.d), ("l", a.l), ("e", a.e)]
                .into_iter()
                .find(|(_, v)| *v == 0 || *v > MAX_DIM);
            let net = Network::from_params(a, case.params.clone());
            let net = match (net, dim_error) {
                (Err(e), Some((name, _))) => return expect_config_error(&e, name, dimension),
                (Ok(_), Some((name, _))) => {
                    return Err(TestCaseError::fail(format!("accepted a bad {name}")));
                }
                (Err(e), None) if case.params.len() != a.n_params() => {
                    return expect_config_error(&e, "parameters", mismatch);
                }
                (Err(e), None) => {
                    prop_assert!(case.params.iter().any(|p| !p.is_finite()), "{e}");
                    return expect_config_error(&e, "parameter", out_of_range);
                }
                (Ok(net), None) => {
                    prop_assert_eq!(case.params.len(), a.n_params());
                    prop_assert!(case.params.iter().all(|p| p.is_finite()));
                    net
                }
            };
            let _ = case.exact_length;
            let data = match Dataset::new(a.d, a.e, case.x.clone(), case.y.clone()) {
                Ok(data) => data,
                Err(e) => {
                    prop_assert!(
                        case.x.is_empty() || case.x.iter().chain(&case.y).any(|v| !v.is_finite()),
                        "{e}"
                    );
                    return Ok(());
                }
            };
            let bad_bce = a.loss == Loss::Bce && data.y.iter().any(|y| !(0.0..=1.0).contains(y));
            let c_finite = net.conserved_quantities().iter().all(|c| c.is_finite());
            let trainer = Trainer::new(net, &data, case.lr, case.integrator);
            let mut t = match trainer {
                Err(e) if !lr_is_valid(case.lr) => {
                    return expect_config_error(&e, "learning rate", out_of_range);
                }
                Err(e) if data.n == 0 => return expect_config_error(&e, "empty", mismatch),
                Err(e) if bad_bce => return expect_config_error(&e, "BCE target", out_of_range),
                Err(e) if !c_finite => return expect_config_error(&e, "parameter", out_of_range),
                Err(e) => return Err(TestCaseError::fail(format!("refused: {e}"))),
                Ok(t) => {
                    prop_assert!(lr_is_valid(case.lr) && data.n > 0 && !bad_bce && c_finite);
                    t
                }
            };
            let initial_loss = t.current_loss();
            for _ in 0..case.steps {
                match t.step() {
                    Ok(r) => {
                        prop_assert!(r.loss.is_finite() && r.max_c_drift.is_finite());
                        prop_assert!(t.params().iter().all(|p| p.is_finite()));
                    }
                    Err(e) => {
                        prop_assert!(is_train_error(&e));
                        // Undone: θ is finite, and its loss too unless θ_0 itself overflowed.
                        prop_assert!(t.params().iter().all(|p| p.is_finite()));
                        prop_assert!(t.c_now().iter().all(|c| c.is_finite()));
                        let now = t.current_loss();
                        prop_assert!(
                            now.is_finite() || (t.steps() == 0 && !initial_loss.is_finite())
                        );
                        let again = t.step().err().map(|x| format!("{x:?}"));
                        prop_assert_eq!(again, Some(format!("{e:?}")), "a failed run stays failed");
                        break;
                    }
                }
            }
            // The state reached: its loss is finite, or the last step is undone and reported.
            match t.checked_loss() {
                Ok(l) => prop_assert!(l.is_finite()),
                Err(e) => {
                    prop_assert!(is_train_error(&e));
                    prop_assert!(t.params().iter().all(|p| p.is_finite()));
                    let now = t.current_loss();
                    prop_assert!(now.is_finite() || (t.steps() == 0 && !initial_loss.is_finite()));
                }
            }
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Regression cases found while writing the properties above, kept as explicit tests.

/// A huge input dimension used to make the Poincaré polynomial allocate d + 1 coefficients
/// (capacity overflow for usize::MAX); it is now refused by name.
#[test]
fn regression_topology_refuses_huge_dimensions() {
    for d in [MAX_DIM + 1, 1 << 40, usize::MAX] {
        let err = poincare_polynomial(d, 1, &[1.0]).unwrap_err();
        assert!(
            matches!(err, TopologyError::TooLarge { name: "d", .. }),
            "{err}"
        );
        let err = connected_components(1, d, &[-1.0]).unwrap_err();
        assert!(err.to_string().starts_with("e = "), "{err}");
    }
}

/// The calculator's largest input (d = e = 1000, 300 values of c) used to multiply dense
/// polynomials, O(l² d²) work that froze the page for minutes; the sparse product answers at once
/// (here: overflow past 2^128, reported by name).
#[test]
fn regression_large_calculator_input_is_fast_and_reports_overflow() {
    let t0 = Instant::now();
    let err = poincare_polynomial(1000, 1000, &[1.0; 300]).unwrap_err();
    assert_eq!(err, TopologyError::Overflow { l: 300 });
    let p = poincare_polynomial(1000, 1000, &[1.0; 100]).unwrap();
    assert_eq!(p.len(), 100 * 999 + 1);
    println!(
        "calculator worst case (d = e = 1000, l = 300 and 100) in {:.3} s",
        t0.elapsed().as_secs_f64()
    );
}

/// A NaN c_k used to be counted as a cone by the obstruction verdict.
#[test]
fn regression_verdict_refuses_non_finite_c() {
    let err = obstruction_verdict(1, &[-1.0, f64::NAN], &[1], 1, 1).unwrap_err();
    assert_eq!(err, TopologyError::NotFinite { neuron: 1 });
}
