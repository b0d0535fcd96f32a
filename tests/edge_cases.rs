//! Numerical edge cases (issue 7, part 2), one named test each, and the bounded-memory check of a
//! 10^7-step run (part 3). Numbers are checked against closed forms for d = e = l = 1.

// Native only: proptest is a native dev-dependency, and 10^7 steps are for the host.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use relu_obstruction::app::history::HISTORY_CAPACITY;
use relu_obstruction::app::session::{Session, SessionConfig};
use relu_obstruction::core::data::Dataset;
use relu_obstruction::core::error::{ConfigError, RescaleError, TrainError};
use relu_obstruction::core::init::{rescale_factor, rescale_neuron};
use relu_obstruction::core::network::{Architecture, Network};
use relu_obstruction::core::topology::{
    QuadricKind, betti_numbers, connected_components, neuron_sheet, quadric_kind,
};
use relu_obstruction::core::train::{Integrator, Trainer};

/// One input x = 1 with target y: for d = e = l = 1 and w > 0, L = ½(wv − y)², ∂L/∂w = v(wv − y),
/// ∂L/∂v = w(wv − y) (the closed form used below).
fn one_point(y: f64) -> Dataset {
    Dataset::new(1, 1, vec![1.0], vec![y]).unwrap()
}

fn neuron(w: f64, v: f64) -> Network {
    Network::from_params(Architecture::new(1, 1, 1), vec![w, v]).unwrap()
}

#[test]
fn d1_l1_gd_step_matches_the_closed_form() {
    let (w, v, y, eta) = (0.8, 0.3, 1.0, 0.1);
    let mut t = Trainer::new(neuron(w, v), &one_point(y), eta, Integrator::Gd).unwrap();
    let r = t.step().unwrap();
    let res = w * v - y;
    assert!((r.loss - 0.5 * res * res).abs() < 1e-15);
    let (w1, v1) = (w - eta * v * res, v - eta * w * res);
    assert!((t.params()[0] - w1).abs() < 1e-15 && (t.params()[1] - v1).abs() < 1e-15);
    // c changes by exactly η²(g_w² − g_v²).
    let dc = (w1 * w1 - v1 * v1) - (w * w - v * v);
    let predicted = eta * eta * ((v * res).powi(2) - (w * res).powi(2));
    assert!((dc - predicted).abs() < 1e-15, "{dc} vs {predicted}");
}

#[test]
fn cone_c_zero_is_kept_by_flow_and_conserving_and_is_one_contractible_piece() {
    // w = v = 0.5: c = 0 exactly. The flow stays on the cone w = v (the closed-form flow keeps
    // w² − v² constant), the conserving step puts it back exactly.
    for integrator in [Integrator::Flow, Integrator::Conserving] {
        let mut t = Trainer::new(neuron(0.5, 0.5), &one_point(1.0), 0.05, integrator).unwrap();
        assert_eq!(t.c_initial(), &[0.0]);
        for _ in 0..200 {
            t.step().unwrap();
        }
        let (w, v) = (t.params()[0], t.params()[1]);
        assert!(
            (w * w - v * v).abs() < 1e-12,
            "{}: c = {}",
            integrator.name(),
            w * w - v * v
        );
        // On the cone with w = v > 0, the minimum is w v = 1: w = v = 1.
        assert!((w - 1.0).abs() < 1e-3 && (v - 1.0).abs() < 1e-3, "{w}, {v}");
    }
    // The paper: Q(0) is a cone, contractible: one component, Betti numbers (1), no sheet label.
    assert_eq!(quadric_kind(0.0), QuadricKind::Cone);
    assert_eq!(quadric_kind(-0.0), QuadricKind::Cone);
    for (d, e) in [(1, 1), (2, 1), (5, 3)] {
        assert_eq!(betti_numbers(d, e, &[0.0]).unwrap(), vec![1]);
        assert_eq!(connected_components(d, e, &[0.0, 0.0]).unwrap(), 1);
    }
    assert_eq!(neuron_sheet(&[0.5], &[0.5], 0.0), None);
}

#[test]
fn zero_input_weights_zero_output_weights_and_the_apex_never_divide_by_zero() {
    // ‖w‖ = 0 with v ≠ 0 (c < 0): a rescaling onto c ≥ 0 is impossible and named as such; onto a
    // negative c it is α = √(−‖v‖²/c)^{-1}... checked by the result.
    assert!(matches!(
        rescale_factor(0.0, 1.0, 0.0, 3),
        Err(RescaleError::ZeroInputWeights { neuron: 3, .. })
    ));
    let alpha = rescale_factor(0.0, 4.0, -1.0, 0).unwrap();
    assert!((4.0 / (alpha * alpha) - 1.0).abs() < 1e-15, "α = {alpha}");
    // v = 0 with w ≠ 0 (c > 0): the mirror image.
    assert!(matches!(
        rescale_factor(1.0, 0.0, 0.0, 0),
        Err(RescaleError::ZeroOutputWeights { .. })
    ));
    let alpha = rescale_factor(4.0, 0.0, 1.0, 0).unwrap();
    assert!((4.0 * alpha * alpha - 1.0).abs() < 1e-15);
    // The apex (w = v = 0, c = 0): α = 1, nothing moves.
    let (mut w, mut v) = ([0.0], [0.0]);
    assert_eq!(rescale_neuron(&mut w, &mut v, 0.0, 0), Ok(1.0));
    assert_eq!((w, v), ([0.0], [0.0]));
    // Subnormal weights: either a finite positive α or a named refusal, never NaN/∞.
    for (a, b, c) in [
        (5e-324, 5e-324, 0.0),
        (5e-324, 1.0, -1.0),
        (1e-300, 1e-300, 1e300),
    ] {
        match rescale_factor(a, b, c, 0) {
            Ok(alpha) => assert!(alpha.is_finite() && alpha > 0.0),
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
    // The conserving integrator on such neurons: a fixed point, no NaN.
    for (w, v) in [(0.0, 0.7), (0.7, 0.0), (0.0, 0.0)] {
        let mut t =
            Trainer::new(neuron(w, v), &one_point(1.0), 0.1, Integrator::Conserving).unwrap();
        for _ in 0..100 {
            t.step().unwrap();
        }
        assert!(t.params().iter().all(|p| p.is_finite()));
        assert!(
            t.max_c_drift_seen() < 1e-12,
            "({w}, {v}): {}",
            t.max_c_drift_seen()
        );
    }
}

#[test]
fn a_dead_neuron_has_zero_gradient_and_never_moves() {
    // w < 0 on positive inputs: σ(w x) = 0 everywhere, so ∇L = 0 for both weights.
    for integrator in [Integrator::Gd, Integrator::Flow, Integrator::Conserving] {
        let mut t = Trainer::new(neuron(-0.4, 1.3), &one_point(1.0), 0.5, integrator).unwrap();
        assert_eq!(t.current_gradient(), &[0.0, 0.0]);
        for _ in 0..50 {
            let r = t.step().unwrap();
            assert_eq!(r.loss, 0.5);
        }
        if integrator == Integrator::Conserving {
            // The rescaling by α = 1 (to rounding) may move the last bit.
            assert!((t.params()[0] + 0.4).abs() < 1e-15 && (t.params()[1] - 1.3).abs() < 1e-15);
        } else {
            assert_eq!(t.params(), &[-0.4, 1.3]);
        }
    }
}

#[test]
fn tiny_learning_rates_including_subnormal_do_nothing_visible_but_stay_finite() {
    for eta in [1e-300, 5e-324, f64::MIN_POSITIVE] {
        for integrator in [Integrator::Gd, Integrator::Flow, Integrator::Conserving] {
            let mut t = Trainer::new(neuron(0.8, 0.3), &one_point(1.0), eta, integrator).unwrap();
            for _ in 0..10 {
                t.step().unwrap();
            }
            // θ moves by η·∇L ≈ 1e-300 or less: below the last bit of 0.8 and 0.3.
            assert_eq!(t.params(), &[0.8, 0.3], "{eta} {}", integrator.name());
            assert!(t.time().is_finite() && t.time() >= 0.0);
        }
    }
}

#[test]
fn huge_learning_rates_are_refused_or_diverge_with_the_step_undone() {
    let err = Trainer::new(neuron(0.8, 0.3), &one_point(1.0), 1e300, Integrator::Gd).unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::OutOfRange {
                name: "learning rate",
                ..
            }
        ),
        "{err}"
    );
    // The largest accepted η = 1000 on a Fig. 3 run: diverges, reported, the state kept finite.
    for integrator in ["gd", "flow", "conserving"] {
        let cfg = SessionConfig {
            preset: "fig3-good-pm".into(),
            seed: 0,
            lr: Some(1000.0),
            integrator: Some(integrator.into()),
        };
        let mut s = Session::new(&cfg).unwrap();
        let err = s.step(1000).unwrap_err();
        assert!(
            matches!(err, TrainError::Diverged { .. }),
            "{integrator}: {err:?}"
        );
        let r = s.readout();
        assert!(r.failure.is_some() && r.loss.is_finite(), "{integrator}");
        assert!(s.trainer().params().iter().all(|p| p.is_finite()));
        assert!(s.step(1).is_err(), "a failed run stays failed");
    }
}

#[test]
fn an_overflowing_loss_at_the_reached_state_is_detected_and_the_step_undone() {
    // Regression found by the fuzzer: fig3-obstructed-mm, seed 685, η = 10: after 5 accepted steps
    // L(θ_5) overflows; the session used to show it as an infinite loss without a failure.
    let cfg = SessionConfig {
        preset: "fig3-obstructed-mm".into(),
        seed: 685,
        lr: Some(10.0),
        integrator: None,
    };
    let mut s = Session::new(&cfg).unwrap();
    let err = s.step(5).unwrap_err();
    assert!(
        matches!(err, TrainError::Diverged { step: 5, .. }),
        "{err:?}"
    );
    let r = s.readout();
    assert_eq!(r.step, 4, "the step is undone");
    assert!(r.loss.is_finite() && r.failure.is_some());
    assert_eq!(*s.trajectory_steps(0).last().unwrap(), 4);
    assert_eq!(
        s.trajectory(0).last().copied().unwrap()[0],
        s.trainer().params()[0]
    );
}

#[test]
fn weights_whose_squares_overflow_are_refused_at_construction() {
    // Regression found by the fuzzer: finite weights of 1e228 give c = ∞ − ∞ = NaN.
    let net = Network::from_params(Architecture::new(1, 1, 1), vec![1e228, 1e228]).unwrap();
    let err = Trainer::new(net, &one_point(0.0), 0.1, Integrator::Gd).unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::OutOfRange {
                name: "parameter",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn all_pathological_networks_train_without_nan_and_keep_their_signs_under_the_flow() {
    // l = 6 neurons, every c_k < 0 (|v| > |w|), all output weights negative, positive target:
    // obstructed; the flow must keep every v_k < 0 (its sheet) and the loss finite.
    let arch = Architecture::new(2, 6, 1);
    let mut p = Vec::new();
    for k in 0..6 {
        let a = k as f64;
        p.extend([0.3 * a.cos(), 0.3 * a.sin()]);
    }
    p.extend([-1.0; 6]);
    let net = Network::from_params(arch, p).unwrap();
    assert!(net.conserved_quantities().iter().all(|c| *c < 0.0));
    let x: Vec<f64> = (0..40)
        .flat_map(|i| [(i as f64).cos(), (i as f64).sin()])
        .collect();
    let data = Dataset::new(2, 1, x, vec![1.0; 40]).unwrap();
    for integrator in [Integrator::Gd, Integrator::Flow, Integrator::Conserving] {
        let mut t = Trainer::new(net.clone(), &data, 0.05, integrator).unwrap();
        for _ in 0..300 {
            t.step().unwrap();
        }
        let l = t.current_loss();
        assert!(l.is_finite() && l > 0.1, "{}: {l}", integrator.name());
        assert!(t.params()[12..].iter().all(|v| *v < 0.0));
        assert_eq!(t.sheet_jumps(), 0);
    }
}

/// 10^7 steps of a Fig. 3 run natively: bounded histories with true steps covering 0..=10^7, c
/// drift of the conserving integrator within 1e-9, finite loss; prints the time.
#[test]
fn ten_million_steps_keep_bounded_histories_and_finite_state() {
    const STEPS: u64 = 10_000_000;
    let cfg = SessionConfig {
        preset: "fig3-good-pm".into(),
        seed: 1,
        lr: None,
        integrator: Some("conserving".into()),
    };
    let mut s = Session::new(&cfg).unwrap();
    let t0 = Instant::now();
    let mut done = 0u64;
    while done < STEPS {
        let n = 1_000_000u32.min((STEPS - done) as u32);
        s.step(n).unwrap();
        done += u64::from(n);
        let (loss, trails) = (s.loss_record(), s.trajectory_records());
        assert!(loss.values().len() <= HISTORY_CAPACITY);
        assert!(trails.iter().all(|h| h.values().len() <= HISTORY_CAPACITY));
    }
    let secs = t0.elapsed().as_secs_f64();
    let r = s.readout();
    assert_eq!(r.step, STEPS);
    assert!(r.loss.is_finite());
    assert!(r.max_c_drift <= 1e-9, "c drift {}", r.max_c_drift);
    let (loss, trails) = (s.loss_record(), s.trajectory_records());
    for steps in std::iter::once(loss.steps()).chain(trails.iter().map(|h| h.steps())) {
        assert!(steps.len() <= HISTORY_CAPACITY && steps.len() > HISTORY_CAPACITY / 4);
        assert!(steps.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(steps[0], 0);
    }
    // The loss is recorded at the start of each step (t = 0..10^7 − 1), the trail after it.
    assert_eq!(*loss.steps().last().unwrap(), STEPS - 1);
    assert_eq!(*trails[0].steps().last().unwrap(), STEPS);
    // The chart's x values are the true steps.
    let hist = s.loss_history();
    assert!(
        hist.iter()
            .zip(loss.steps())
            .all(|((t, _), s)| *t == *s as f64)
    );
    println!(
        "10^7 conserving steps of fig3-good-pm in {secs:.1} s ({:.2} M steps/s); {} loss points kept, stride {}",
        STEPS as f64 / secs / 1e6,
        hist.len(),
        loss.stride()
    );
}
