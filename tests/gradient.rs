//! The analytic gradient against central finite differences, on seeded random networks over
//! several (d, l, e), with and without biases, for both losses.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use relu_obstruction::core::data::Dataset;
use relu_obstruction::core::init::{InitScheme, initialize};
use relu_obstruction::core::kernel::{Scratch, loss, loss_and_gradient};
use relu_obstruction::core::network::{Architecture, Batch, Loss, Network};
use relu_obstruction::core::rng::{seeded, standard_normal, uniform01};

fn random_data(d: usize, e: usize, n: usize, loss: Loss, seed: u64) -> Dataset {
    let mut rng = seeded(seed);
    let x = (0..n * d).map(|_| standard_normal(&mut rng)).collect();
    let y = (0..n * e)
        .map(|_| match loss {
            Loss::HalfMse => standard_normal(&mut rng),
            Loss::Bce => f64::from(uniform01(&mut rng) < 0.5),
        })
        .collect();
    Dataset::new(d, e, x, y).unwrap()
}

fn randomize_biases(net: &mut Network, seed: u64) {
    let mut rng = seeded(seed);
    let arch = *net.arch();
    let m = arch.input_dim();
    let p = net.params_mut();
    if arch.hidden_bias {
        for k in 0..arch.l {
            p[k * m + arch.d] = 0.5 * standard_normal(&mut rng);
        }
    }
    if arch.output_bias {
        let o = arch.output_bias_offset();
        for b in &mut p[o..] {
            *b = 0.5 * standard_normal(&mut rng);
        }
    }
}

#[test]
fn analytic_gradient_matches_central_differences() {
    let shapes = [
        (1, 1, 1),
        (2, 2, 1),
        (3, 5, 2),
        (4, 3, 3),
        (7, 8, 1),
        (2, 1, 4),
    ];
    let mut checked = 0;
    for (si, &(d, l, e)) in shapes.iter().enumerate() {
        for loss_kind in [Loss::HalfMse, Loss::Bce] {
            for (hidden_bias, output_bias) in
                [(false, false), (true, false), (false, true), (true, true)]
            {
                let arch = Architecture {
                    d,
                    l,
                    e,
                    hidden_bias,
                    output_bias,
                    loss: loss_kind,
                };
                let seed = 100 + si as u64;
                let mut net = initialize(
                    arch,
                    InitScheme::KaimingNormal {
                        mode: Default::default(),
                    },
                    seed,
                )
                .unwrap();
                randomize_biases(&mut net, seed + 1);
                let data = random_data(d, e, 23, loss_kind, seed + 2);
                let batch = Batch::new(&arch, &data).unwrap();
                let mut scratch = Scratch::new(&arch, &batch);
                let mut grad = vec![0.0; arch.n_params()];
                let l0 = loss_and_gradient(&arch, net.params(), &batch, &mut scratch, &mut grad);
                assert!(l0.is_finite());
                let h = 1e-6;
                let mut theta = net.params().to_vec();
                for i in 0..theta.len() {
                    let orig = theta[i];
                    theta[i] = orig + h;
                    let lp = loss(&arch, &theta, &batch, &mut scratch);
                    theta[i] = orig - h;
                    let lm = loss(&arch, &theta, &batch, &mut scratch);
                    theta[i] = orig;
                    let fd = (lp - lm) / (2.0 * h);
                    let err = (fd - grad[i]).abs();
                    assert!(
                        err < 1e-6 * (1.0 + fd.abs()),
                        "{arch:?} param {i}: analytic {} vs finite difference {fd}",
                        grad[i]
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 500, "only {checked} partial derivatives checked");
}

#[test]
fn loss_matches_a_direct_per_sample_evaluation() {
    // Independent of the vectorized forward pass: Network::predict one sample at a time.
    for loss_kind in [Loss::HalfMse, Loss::Bce] {
        let arch = Architecture {
            d: 3,
            l: 4,
            e: 2,
            hidden_bias: true,
            output_bias: true,
            loss: loss_kind,
        };
        let mut net = initialize(arch, InitScheme::XavierNormal, 9).unwrap();
        randomize_biases(&mut net, 10);
        let data = random_data(3, 2, 17, loss_kind, 11);
        let mut expected = 0.0;
        for i in 0..data.n {
            for (f, y) in net.predict(data.input(i)).iter().zip(data.target(i)) {
                expected += match loss_kind {
                    Loss::HalfMse => 0.5 * (f - y) * (f - y),
                    Loss::Bce => {
                        let p = 1.0 / (1.0 + (-f).exp());
                        -(y * p.ln() + (1.0 - y) * (1.0 - p).ln())
                    }
                };
            }
        }
        expected /= data.n as f64;
        let batch = Batch::new(&arch, &data).unwrap();
        let mut scratch = Scratch::new(&arch, &batch);
        let got = loss(&arch, net.params(), &batch, &mut scratch);
        assert!(
            (got - expected).abs() < 1e-12 * (1.0 + expected),
            "{loss_kind:?}: {got} vs {expected}"
        );
    }
}

#[test]
fn bce_is_finite_for_huge_logits() {
    let arch = Architecture {
        loss: Loss::Bce,
        ..Architecture::new(1, 1, 1)
    };
    let net = Network::from_params(arch, vec![1.0, 1e6]).unwrap();
    let data = Dataset::new(1, 1, vec![1.0, 2.0], vec![0.0, 1.0]).unwrap();
    let batch = Batch::new(&arch, &data).unwrap();
    let mut scratch = Scratch::new(&arch, &batch);
    let mut grad = vec![0.0; 2];
    let l = loss_and_gradient(&arch, net.params(), &batch, &mut scratch, &mut grad);
    // Sample 1 (y = 0, f = 1e6) costs 1e6, sample 2 (y = 1, f = 2e6) costs 0: mean 5e5.
    assert!((l - 5e5).abs() < 1e-6, "{l}");
    assert!(grad.iter().all(|g| g.is_finite()));
}
