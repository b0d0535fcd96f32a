//! The one-neuron network of the Fig. 1b view against independent references: central finite
//! differences, the closed form L = ½ m₂ (w v − 1)² (w > 0, all inputs positive), the identity
//! w ∂L/∂w = v ∂L/∂v, the predicted effect of a rescaling, and the conservation of c.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use relu_obstruction::app::single_neuron::{
    N_SAMPLES, NeuronRun, PROBE_INPUTS, StartKind, WINDOW, classify_start, teacher,
};
use relu_obstruction::core::train::Integrator;

/// m₂ = mean x_i², from the definition x_i = i / 20, computed here independently.
fn m2() -> f64 {
    (1..=N_SAMPLES)
        .map(|i| (i as f64 / 20.0).powi(2))
        .sum::<f64>()
        / N_SAMPLES as f64
}

/// L(w, v) by its closed form: ½ m₂ (w v − 1)² for w > 0, ½ m₂ for w ≤ 0 (the neuron is silent).
fn closed_form_loss(w: f64, v: f64) -> f64 {
    if w > 0.0 {
        0.5 * m2() * (w * v - 1.0).powi(2)
    } else {
        0.5 * m2()
    }
}

fn run_at(w: f64, v: f64) -> NeuronRun {
    NeuronRun::from_point(w, v, 0.01, Integrator::Gd).unwrap()
}

/// A grid of points in the window, away from the kink w = 0.
fn grid() -> Vec<(f64, f64)> {
    let mut pts = Vec::new();
    for i in 0..13 {
        for j in 0..13 {
            let w = -2.9 + 0.4833 * f64::from(i);
            let v = -2.9 + 0.4833 * f64::from(j);
            if w.abs() > 0.05 {
                pts.push((w, v));
            }
        }
    }
    pts
}

#[test]
fn teacher_data_are_the_documented_ones() {
    let d = teacher();
    for (i, (&x, &y)) in d.x.iter().zip(&d.y).enumerate() {
        assert_eq!(x, (i + 1) as f64 / 20.0);
        assert_eq!(y, x);
    }
}

#[test]
fn loss_matches_the_closed_form() {
    for (w, v) in grid() {
        let mut run = run_at(w, v);
        let l = run.readout().run.loss;
        let reference = closed_form_loss(w, v);
        assert!(
            (l - reference).abs() <= 1e-12 * reference.max(1.0),
            "({w}, {v}): {l} vs {reference}"
        );
    }
}

#[test]
fn gradient_matches_central_finite_differences() {
    let h = 1e-6;
    for (w, v) in grid() {
        if w.abs() < 2.0 * h || w.abs() > WINDOW - 2.0 * h || v.abs() > WINDOW - 2.0 * h {
            continue;
        }
        let mut run = run_at(w, v);
        let (gw, gv) = run.gradient();
        let loss = |a: f64, b: f64| run_at(a, b).readout().run.loss;
        let fw = (loss(w + h, v) - loss(w - h, v)) / (2.0 * h);
        let fv = (loss(w, v + h) - loss(w, v - h)) / (2.0 * h);
        assert!(
            (gw - fw).abs() < 1e-6 * (1.0 + fw.abs()),
            "∂L/∂w at ({w}, {v}): {gw} vs {fw}"
        );
        assert!(
            (gv - fv).abs() < 1e-6 * (1.0 + fv.abs()),
            "∂L/∂v at ({w}, {v}): {gv} vs {fv}"
        );
        // And the closed-form gradient for w > 0: m₂ (w v − 1) (v, w).
        if w > 0.0 {
            let r = m2() * (w * v - 1.0);
            assert!((gw - r * v).abs() < 1e-12 * (1.0 + gw.abs()));
            assert!((gv - r * w).abs() < 1e-12 * (1.0 + gv.abs()));
        }
    }
}

#[test]
fn minus_gradient_is_tangent_to_the_hyperbola() {
    // Tangent to w² − v² = c means orthogonal to its normal (2w, −2v): w ∂L/∂w = v ∂L/∂v.
    for (w, v) in grid() {
        let mut run = run_at(w, v);
        let r = run.readout();
        let normal_component = -r.grad_w * 2.0 * w + r.grad_v * 2.0 * v;
        let scale = 1.0 + (r.grad_w * w).abs() + (r.grad_v * v).abs();
        assert!(
            normal_component.abs() <= 1e-12 * scale,
            "({w}, {v}): {normal_component}"
        );
    }
}

#[test]
fn rescaling_keeps_function_and_loss_and_moves_c_as_predicted() {
    for (w, v) in [
        (2.0, -0.5),
        (0.5, -1.5),
        (1.2, 0.9),
        (-1.0, 2.0),
        (0.3, 0.3),
    ] {
        for alpha in [0.5, 0.8, 1.25, 2.0] {
            let mut run = run_at(w, v);
            let before = run.readout();
            if run.rescale(alpha).is_err() {
                // Only refused when the rescaled point leaves the window.
                assert!((alpha * w).abs() > WINDOW || (v / alpha).abs() > WINDOW);
                assert_eq!(run.point(), (w, v));
                continue;
            }
            let after = run.readout();
            assert_eq!(after.w, alpha * w);
            assert_eq!(after.v, v / alpha);
            for (a, b) in before.f.iter().zip(&after.f) {
                assert!((a - b).abs() <= 1e-14 * (1.0 + a.abs()), "f: {a} vs {b}");
            }
            assert!((before.run.loss - after.run.loss).abs() <= 1e-13 * (1.0 + before.run.loss));
            assert!((before.product - after.product).abs() <= 1e-14 * (1.0 + before.product.abs()));
            let predicted = alpha * alpha * w * w - v * v / (alpha * alpha);
            assert!(
                (after.run.c[0] - predicted).abs() < 1e-12,
                "c {} vs {predicted}",
                after.run.c[0]
            );
            assert_eq!(
                after.run.c_initial, after.run.c,
                "the new run conserves the new c"
            );
            assert_eq!(after.run.step, 0);
            // f(x) = v σ(w x) at the probe inputs, by hand.
            for (x, f) in PROBE_INPUTS.iter().zip(&after.f) {
                let by_hand = (v / alpha) * (alpha * w * x).max(0.0);
                assert!((f - by_hand).abs() < 1e-14 * (1.0 + by_hand.abs()));
            }
        }
    }
}

#[test]
fn flow_follows_its_hyperbola_to_the_minima() {
    let mut run = NeuronRun::from_point(2.0, -0.5, 0.05, Integrator::Flow).unwrap();
    run.step(200).unwrap();
    let r = run.readout();
    assert!(r.run.max_c_drift < 1e-8, "drift {}", r.run.max_c_drift);
    assert!(r.at_minimum, "loss {}", r.run.loss);
    // The minimum on w² − v² = 3.75 with w v = 1: w² = (c + √(c² + 4)) / 2.
    let w_star = ((3.75 + (3.75f64 * 3.75 + 4.0).sqrt()) / 2.0).sqrt();
    assert!((r.w - w_star).abs() < 1e-4 && (r.v - 1.0 / w_star).abs() < 1e-4);
    for &(w, v) in &run.trajectory() {
        assert!((w * w - v * v - 3.75).abs() < 1e-8);
    }
}

#[test]
fn one_gd_step_moves_c_by_eta_squared_times_the_gradient_difference() {
    for (w, v) in [(2.0, -0.5), (0.7, 1.9), (1.5, -2.0)] {
        let eta = 0.05;
        let mut run = NeuronRun::from_point(w, v, eta, Integrator::Gd).unwrap();
        let (gw, gv) = run.gradient();
        run.step(1).unwrap();
        let r = run.readout();
        let predicted = eta * eta * (gw * gw - gv * gv);
        assert!((r.run.c_drift[0] - predicted).abs() < 1e-12 * (1.0 + predicted.abs()));
    }
}

#[test]
fn pathological_start_never_changes_the_sign_of_v() {
    let (w, v) = (0.5, -1.5);
    assert_eq!(
        classify_start(w, v, w * w - v * v),
        StartKind::FrozenNegativeOutput
    );
    let mut run = NeuronRun::from_point(w, v, 0.05, Integrator::Flow).unwrap();
    let c = w * w - v * v;
    run.step(400).unwrap();
    // The run ends at the kink w = 0, where the flow integrator accepts forced substeps (see
    // `train::FLOW_MIN_SUBSTEP`), so c is kept to 1e-6 there rather than 1e-8.
    for &(_, vt) in &run.trajectory() {
        assert!(vt <= -(-c).sqrt() + 1e-6, "v = {vt}");
    }
    let r = run.readout();
    assert_eq!(r.start_kind, StartKind::FrozenNegativeOutput);
    // The best this run can do is switch the neuron off: L ≥ ½ m₂ − a little.
    assert!(r.run.loss > 0.5 * m2() - 1e-3, "loss {}", r.run.loss);
}

#[test]
fn a_silent_start_does_not_move() {
    let mut run = NeuronRun::from_point(-1.0, 0.5, 0.05, Integrator::Gd).unwrap();
    assert_eq!(run.gradient(), (0.0, 0.0));
    run.step(10).unwrap();
    assert_eq!(run.point(), (-1.0, 0.5));
    assert_eq!(run.readout().start_kind, StartKind::Silent);
}
