//! The fast kernels (`relu-kernels`, through `core::kernel`) against the plain per-sample
//! reference `core::network::loss_and_gradient`, bit for bit, over many shapes; and the reference
//! itself against central finite differences.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use relu_obstruction::core::data::Dataset;
use relu_obstruction::core::kernel::{Scratch, loss, loss_and_gradient as fast};
use relu_obstruction::core::network::{
    Architecture, Batch, Loss, kernel_shape, loss_and_gradient as reference, sigmoid, softplus,
    softplus_and_sigmoid,
};
use relu_obstruction::core::rng::{seeded, standard_normal, uniform01};

/// A random problem of the given shape; `coarse` draws inputs and weights from {−1, 0, 1, 2} so
/// that pre-activations of exactly 0 (σ'(0) = 0) and exact cancellations occur.
fn problem(arch: &Architecture, n: usize, seed: u64, coarse: bool) -> (Dataset, Vec<f64>) {
    let mut rng = seeded(seed);
    let draw = |rng: &mut _| {
        if coarse {
            (uniform01(rng) * 4.0).floor() - 1.0
        } else {
            standard_normal(rng)
        }
    };
    let x = (0..n * arch.d).map(|_| draw(&mut rng)).collect();
    let y = (0..n * arch.e)
        .map(|_| match arch.loss {
            Loss::HalfMse => draw(&mut rng),
            Loss::Bce => f64::from(uniform01(&mut rng) < 0.5),
        })
        .collect();
    let params = (0..arch.n_params()).map(|_| draw(&mut rng)).collect();
    (Dataset::new(arch.d, arch.e, x, y).unwrap(), params)
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn shapes() -> Vec<Architecture> {
    let mut out = Vec::new();
    for (d, l, e) in [
        (2, 2, 1),
        (1, 1, 1),
        (2, 3, 1),
        (30, 16, 1),
        (30, 5, 1),
        (7, 9, 1),
        (17, 4, 1),
        (3, 2, 2),
        (5, 6, 3),
        (40, 3, 1),
    ] {
        for loss in [Loss::HalfMse, Loss::Bce] {
            for (hidden_bias, output_bias) in
                [(false, false), (true, false), (false, true), (true, true)]
            {
                out.push(Architecture {
                    hidden_bias,
                    output_bias,
                    loss,
                    ..Architecture::new(d, l, e)
                });
            }
        }
    }
    out
}

#[test]
fn every_kernel_gives_the_reference_to_the_bit() {
    let mut cases = 0;
    for (a, arch) in shapes().iter().enumerate() {
        // n = 1..3 has no full chunk of four; 200 and 456 are the paper's sizes (Fig. 3, Fig. 4).
        for n in [1, 3, 4, 5, 6, 7, 64, 200, 203, 455, 456] {
            for coarse in [false, true] {
                let seed = (a * 1000 + n) as u64 + u64::from(coarse);
                let (data, params) = problem(arch, n, seed, coarse);
                let batch = Batch::new(arch, &data).unwrap();
                let mut want = vec![0.0; params.len()];
                let l_want = reference(arch, &params, &batch, &mut want);
                let mut scratch = Scratch::new(arch, &batch);
                let mut got = vec![0.0; params.len()];
                let l_got = fast(arch, &params, &batch, &mut scratch, &mut got);
                let what = format!("{arch:?} n = {n} coarse = {coarse}");
                assert_eq!(l_got.to_bits(), l_want.to_bits(), "loss, {what}");
                assert_eq!(bits(&got), bits(&want), "gradient, {what}");
                assert_eq!(
                    loss(arch, &params, &batch, &mut scratch).to_bits(),
                    l_want.to_bits(),
                    "{what}"
                );
                // The blocked kernels also handle the shapes the fused kernel takes.
                let mut blocked = vec![0.0; params.len()];
                let mut raw = relu_kernels::Scratch::new(&kernel_shape(arch), batch.samples());
                let l_blocked = relu_kernels::blocked_loss_and_gradient(
                    &kernel_shape(arch),
                    &params,
                    batch.samples(),
                    &mut raw,
                    &mut blocked,
                );
                assert_eq!(
                    l_blocked.to_bits(),
                    l_want.to_bits(),
                    "blocked loss, {what}"
                );
                assert_eq!(bits(&blocked), bits(&want), "blocked gradient, {what}");
                // The same scratch again, after another evaluation: nothing is left over.
                let l_again = fast(arch, &params, &batch, &mut scratch, &mut got);
                assert_eq!(l_again.to_bits(), l_want.to_bits(), "{what}");
                assert_eq!(bits(&got), bits(&want), "second evaluation, {what}");
                cases += 1;
            }
        }
    }
    assert_eq!(cases, shapes().len() * 22);
}

#[test]
fn the_reference_gradient_matches_central_differences() {
    for arch in shapes().iter().filter(|a| a.d <= 7) {
        let (data, params) = problem(arch, 37, 9, false);
        let batch = Batch::new(arch, &data).unwrap();
        let mut grad = vec![0.0; params.len()];
        let l0 = reference(arch, &params, &batch, &mut grad);
        let mut scratch = Scratch::new(arch, &batch);
        assert!(
            (loss(arch, &params, &batch, &mut scratch) - l0).abs() <= 1e-15 * l0.abs().max(1.0)
        );
        let h = 1e-6;
        let mut theta = params.clone();
        let mut sink = vec![0.0; params.len()];
        for p in 0..params.len() {
            theta[p] = params[p] + h;
            let lp = reference(arch, &theta, &batch, &mut sink);
            theta[p] = params[p] - h;
            let lm = reference(arch, &theta, &batch, &mut sink);
            theta[p] = params[p];
            let fd = (lp - lm) / (2.0 * h);
            assert!(
                (fd - grad[p]).abs() <= 1e-6 * (1.0 + fd.abs()),
                "{arch:?} θ[{p}]: finite difference {fd}, analytic {}",
                grad[p]
            );
        }
    }
}

#[test]
fn the_fused_bce_terms_match_their_definitions() {
    for f in [-800.0, -30.0, -1.5, -1e-9, 0.0, 1e-9, 0.7, 25.0, 800.0] {
        let (sp, sg) = softplus_and_sigmoid(f);
        assert!((sp - softplus(f)).abs() <= 1e-15 * (1.0 + sp.abs()), "{f}");
        assert!((sg - sigmoid(f)).abs() <= 1e-16, "{f}");
        assert!(sp.is_finite() && (0.0..=1.0).contains(&sg));
    }
}
