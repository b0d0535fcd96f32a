//! Conserved quantities under the three integrators, sheet jumps and divergence.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use relu_obstruction::core::data::Dataset;
use relu_obstruction::core::error::TrainError;
use relu_obstruction::core::init::{InitScheme, initialize};
use relu_obstruction::core::kernel::{Scratch, loss, loss_and_gradient};
use relu_obstruction::core::network::{Architecture, Batch, Network, norm_sq};
use relu_obstruction::core::rng::{seeded, standard_normal};
use relu_obstruction::core::train::{Integrator, Trainer};
use relu_obstruction::experiments::presets::Preset;

fn fig3(preset: Preset, integrator: Integrator) -> Trainer {
    let ex = preset.build(0).unwrap();
    Trainer::new(ex.net, &ex.train, ex.lr, integrator).unwrap()
}

#[test]
fn rescaling_invariance_identity_holds_for_finite_difference_gradients() {
    // w_k·∇_{w_k}L = v_k·∇_{v_k}L, checked with gradients from central differences (independent of
    // the analytic backward pass).
    let arch = Architecture {
        hidden_bias: true,
        ..Architecture::new(3, 4, 2)
    };
    let net = initialize(arch, InitScheme::XavierNormal, 3).unwrap();
    let mut rng = seeded(4);
    let n = 30;
    let data = Dataset::new(
        3,
        2,
        (0..n * 3).map(|_| standard_normal(&mut rng)).collect(),
        (0..n * 2).map(|_| standard_normal(&mut rng)).collect(),
    )
    .unwrap();
    let batch = Batch::new(&arch, &data).unwrap();
    let mut scratch = Scratch::new(&arch, &batch);
    let mut theta = net.params().to_vec();
    let h = 1e-6;
    let mut fd = vec![0.0; theta.len()];
    for i in 0..theta.len() {
        let o = theta[i];
        theta[i] = o + h;
        let lp = loss(&arch, &theta, &batch, &mut scratch);
        theta[i] = o - h;
        let lm = loss(&arch, &theta, &batch, &mut scratch);
        theta[i] = o;
        fd[i] = (lp - lm) / (2.0 * h);
    }
    let m = arch.input_dim();
    for k in 0..arch.l {
        let wg: f64 = (0..m).map(|j| theta[k * m + j] * fd[k * m + j]).sum();
        let vo = arch.v_offset() + k * arch.e;
        let vg: f64 = (0..arch.e).map(|o| theta[vo + o] * fd[vo + o]).sum();
        assert!((wg - vg).abs() < 1e-7, "neuron {k}: {wg} vs {vg}");
    }
}

#[test]
fn one_gd_step_changes_c_by_eta_squared_gradient_norms() {
    for preset in Preset::FIG3 {
        let ex = preset.build(5).unwrap();
        let arch = *ex.net.arch();
        let batch = Batch::new(&arch, &ex.train).unwrap();
        let mut scratch = Scratch::new(&arch, &batch);
        let mut grad = vec![0.0; arch.n_params()];
        loss_and_gradient(&arch, ex.net.params(), &batch, &mut scratch, &mut grad);
        let eta = 0.05;
        let c0 = ex.net.conserved_quantities();
        let mut trainer = Trainer::new(ex.net.clone(), &ex.train, eta, Integrator::Gd).unwrap();
        trainer.step().unwrap();
        let c1 = trainer.c_now();
        for k in 0..arch.l {
            let gw = norm_sq(&grad[k * 2..k * 2 + 2]);
            let gv = grad[arch.v_offset() + k].powi(2);
            let predicted = eta * eta * (gw - gv);
            let actual = c1[k] - c0[k];
            assert!(
                (actual - predicted).abs() < 1e-14 + 1e-9 * predicted.abs(),
                "{}: neuron {k}: Δc = {actual}, η²(‖g_w‖² − ‖g_v‖²) = {predicted}",
                preset.name()
            );
            assert!(actual.abs() > 1e-8, "the test needs a visible drift");
        }
    }
}

#[test]
fn flow_conserves_c_to_1e6_over_a_fig3_run_while_gd_drifts() {
    for preset in Preset::FIG3 {
        let mut flow = fig3(preset, Integrator::Flow);
        let (reports, err) = flow.run(500);
        assert!(err.is_none());
        assert_eq!(reports.len(), 500);
        assert!(
            flow.max_c_drift_seen() <= 1e-6,
            "{}: flow drift {}",
            preset.name(),
            flow.max_c_drift_seen()
        );
        let mut gd = fig3(preset, Integrator::Gd);
        gd.run(500);
        assert!(
            gd.max_c_drift_seen() > 1e-3,
            "{}: gd drift {}",
            preset.name(),
            gd.max_c_drift_seen()
        );
    }
}

#[test]
fn flow_is_the_limit_of_gd_with_vanishing_steps() {
    // Independent reference: GD with step η/k approaches the flow at rate O(η/k).
    let ex = Preset::Fig3GoodPM.build(1).unwrap();
    let mut flow = Trainer::new(ex.net.clone(), &ex.train, 0.05, Integrator::Flow).unwrap();
    flow.run(20);
    let target = flow.params().to_vec();
    let mut errors = Vec::new();
    for k in [50u64, 100, 200] {
        let mut gd =
            Trainer::new(ex.net.clone(), &ex.train, 0.05 / k as f64, Integrator::Gd).unwrap();
        gd.run(20 * k);
        let err = gd
            .params()
            .iter()
            .zip(&target)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        errors.push(err);
    }
    assert!(errors[2] < 1e-3, "{errors:?}");
    for w in errors.windows(2) {
        let ratio = w[0] / w[1];
        assert!(
            (1.6..2.5).contains(&ratio),
            "first-order convergence expected: {errors:?}"
        );
    }
}

#[test]
fn conserving_holds_every_c_to_1e12_at_every_step() {
    for preset in Preset::FIG3 {
        let mut t = fig3(preset, Integrator::Conserving);
        for _ in 0..500 {
            let r = t.step().unwrap();
            assert!(
                r.max_c_drift <= 1e-12,
                "{}: {}",
                preset.name(),
                r.max_c_drift
            );
        }
    }
}

#[test]
fn fig3_obstructed_runs_plateau_and_good_runs_converge() {
    for (preset, obstructed) in [
        (Preset::Fig3ObstructedPP, true),
        (Preset::Fig3ObstructedMM, true),
        (Preset::Fig3GoodPM, false),
        (Preset::Fig3GoodNonPathological, false),
    ] {
        let mut t = fig3(preset, Integrator::Gd);
        t.run(500);
        let final_loss = t.current_loss();
        if obstructed {
            assert!(final_loss > 0.1, "{}: {final_loss}", preset.name());
        } else {
            assert!(final_loss < 1e-3, "{}: {final_loss}", preset.name());
        }
    }
}

#[test]
fn a_large_step_that_flips_a_pathological_output_weight_is_reported_as_a_sheet_jump() {
    // One neuron, c = 0.05² − 0.1² < 0, v = 0.1 > 0; the target −10 pulls v down hard.
    let arch = Architecture::new(2, 1, 1);
    let net = Network::from_params(arch, vec![0.05, 0.0, 0.1]).unwrap();
    let data = Dataset::new(2, 1, vec![1.0, 0.0, 2.0, 0.5], vec![-10.0, -10.0]).unwrap();
    let mut t = Trainer::new(net.clone(), &data, 1.0, Integrator::Gd).unwrap();
    let r = t.step().unwrap();
    assert!(t.params()[2] < 0.0, "v should have changed sign");
    assert_eq!(r.sheet_jumps, 1);
    assert_eq!(t.sheet_jumps(), 1);
    // The flow never jumps: with the same time span it stays on its sheet.
    let mut f = Trainer::new(net, &data, 1.0, Integrator::Flow).unwrap();
    let r = f.step().unwrap();
    assert_eq!(r.sheet_jumps, 0);
    assert!(f.params()[2] > 0.0);
}

#[test]
fn divergence_is_reported_and_the_last_finite_state_kept() {
    let mut t = fig3(Preset::Fig3GoodPM, Integrator::Gd);
    let ex = Preset::Fig3GoodPM.build(0).unwrap();
    t = Trainer::new(ex.net, &ex.train, 10.0, t.integrator()).unwrap();
    let (reports, err) = t.run(10_000);
    let Some(TrainError::Diverged { step, .. }) = err else {
        panic!("η = 10 should diverge, got {err:?}");
    };
    assert_eq!(step as usize, reports.len());
    assert!(step > 0);
    assert!(t.params().iter().all(|p| p.is_finite()));
    assert!(t.c_now().iter().all(|c| c.is_finite()));
    assert!(
        t.current_loss().is_finite(),
        "the kept state has a finite loss"
    );
    assert!(t.steps() as usize <= reports.len());
    assert!(
        matches!(t.step(), Err(TrainError::Diverged { .. })),
        "a failed run stays failed"
    );
    assert!(reports.iter().all(|r| r.loss.is_finite()));
}
