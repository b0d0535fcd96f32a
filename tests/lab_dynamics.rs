//! The lab's dynamics (`core::optim`) against plainly written references: the gradient against
//! central finite differences, each optimizer's update against a direct transcription of its
//! formula, and the statements the page makes about c_k (GD's exact per-step drift, first-order
//! drift of momentum and Adam, c_k(t) = c_k(0)·e^(−2λt) under the flow with weight decay, no drift
//! under the flow with leaky ReLU, visible drift with softplus).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use relu_obstruction::core::data::{Dataset, TeacherSpec};
use relu_obstruction::core::init::{InitScheme, initialize};
use relu_obstruction::core::network::{Architecture, Loss, Network};
use relu_obstruction::core::optim::{
    Activation, Dynamics, LabTrainer, Optimizer, loss_and_gradient,
};
use relu_obstruction::core::train::Integrator;

fn net(d: usize, l: usize, bias: bool, seed: u64) -> Network {
    let mut arch = Architecture::new(d, l, 1);
    arch.hidden_bias = bias;
    arch.output_bias = bias;
    let n = initialize(arch, InitScheme::XavierNormal, seed).expect("valid");
    // Give the biases values too, so they are tested.
    let mut p = n.params().to_vec();
    if bias {
        for k in 0..l {
            p[k * (d + 1) + d] = 0.1 * (k as f64 + 1.0) - 0.2;
        }
        let last = p.len() - 1;
        p[last] = 0.05;
    }
    Network::from_params(arch, p).expect("finite")
}

fn data(d: usize, n: usize, seed: u64) -> Arc<Dataset> {
    Arc::new(
        TeacherSpec {
            d,
            positive: 1,
            negative: 1,
            n,
            seed,
        }
        .generate()
        .expect("teacher"),
    )
}

/// The loss written out by hand, one sample at a time.
fn plain_loss(net: &Network, act: Activation, data: &Dataset, params: &[f64]) -> f64 {
    let a = *net.arch();
    let n2 = Network::from_params(a, params.to_vec()).expect("finite");
    let mut sum = 0.0;
    for i in 0..data.n {
        let x = data.input(i);
        let mut f = if a.output_bias {
            params[a.output_bias_offset()]
        } else {
            0.0
        };
        for k in 0..a.l {
            let w = n2.w(k);
            let mut z: f64 = w[..a.d].iter().zip(x).map(|(p, q)| p * q).sum();
            if a.hidden_bias {
                z += w[a.d];
            }
            f += n2.v(k)[0] * act.value(z);
        }
        let y = data.target(i)[0];
        sum += match a.loss {
            Loss::HalfMse => 0.5 * (f - y) * (f - y),
            Loss::Bce => (1.0 + f.exp()).ln() - y * f,
        };
    }
    sum / data.n as f64
}

fn grad(net: &Network, act: Activation, data: &Dataset, params: &[f64]) -> Vec<f64> {
    let mut g = vec![0.0; params.len()];
    loss_and_gradient(net.arch(), act, params, data, &mut g);
    g
}

#[test]
fn the_gradient_matches_central_differences_for_every_activation() {
    let acts = [
        Activation::Relu,
        Activation::LeakyRelu { slope: 0.1 },
        Activation::Softplus,
    ];
    for (ai, act) in acts.into_iter().enumerate() {
        for bias in [false, true] {
            let n = net(3, 4, bias, 7 + ai as u64);
            let data = data(3, 40, 3);
            let p = n.params().to_vec();
            let g = grad(&n, act, &data, &p);
            let l = loss_and_gradient(n.arch(), act, &p, &data, &mut vec![0.0; p.len()]);
            assert!((l - plain_loss(&n, act, &data, &p)).abs() < 1e-12);
            let h = 1e-6;
            for i in 0..p.len() {
                let mut a = p.clone();
                let mut b = p.clone();
                a[i] += h;
                b[i] -= h;
                let fd =
                    (plain_loss(&n, act, &data, &a) - plain_loss(&n, act, &data, &b)) / (2.0 * h);
                assert!(
                    (fd - g[i]).abs() < 1e-6 * (1.0 + fd.abs()),
                    "{act:?} bias {bias} parameter {i}: {fd} vs {}",
                    g[i]
                );
            }
        }
    }
}

fn trainer(n: &Network, data: &Arc<Dataset>, dynamics: Dynamics) -> LabTrainer {
    LabTrainer::new(n.clone(), data.clone(), dynamics).expect("valid")
}

#[test]
fn gd_momentum_and_adam_take_their_textbook_steps() {
    let n = net(2, 3, true, 1);
    let data = data(2, 30, 5);
    let lambda = 0.03;
    let lr = 0.05;
    let act = Activation::LeakyRelu { slope: 0.2 };
    // Three steps of each, against the formulas written out here.
    let cases = [
        Optimizer::Gd,
        Optimizer::Momentum { beta: 0.9 },
        Optimizer::Adam {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        },
    ];
    for opt in cases {
        let mut dynamics = Dynamics::gd(lr);
        dynamics.optimizer = opt;
        dynamics.activation = act;
        dynamics.weight_decay = lambda;
        let mut t = trainer(&n, &data, dynamics);
        let mut p = n.params().to_vec();
        let mut m = vec![0.0; p.len()];
        let mut s = vec![0.0; p.len()];
        for step in 1..=3 {
            let g = grad(&n, act, &data, &p);
            match opt {
                Optimizer::Gd | Optimizer::Sgd => {
                    for i in 0..p.len() {
                        p[i] -= lr * (g[i] + lambda * p[i]);
                    }
                }
                Optimizer::Momentum { beta } => {
                    for i in 0..p.len() {
                        m[i] = beta * m[i] + g[i] + lambda * p[i];
                        p[i] -= lr * m[i];
                    }
                }
                Optimizer::Adam { beta1, beta2, eps } => {
                    for i in 0..p.len() {
                        m[i] = beta1 * m[i] + (1.0 - beta1) * g[i];
                        s[i] = beta2 * s[i] + (1.0 - beta2) * g[i] * g[i];
                        let mh = m[i] / (1.0 - beta1.powi(step));
                        let sh = s[i] / (1.0 - beta2.powi(step));
                        p[i] = p[i] * (1.0 - lr * lambda) - lr * mh / (sh.sqrt() + eps);
                    }
                }
            }
            t.run(1);
        }
        for (a, b) in t.params().iter().zip(&p) {
            assert!(
                (a - b).abs() < 1e-13 * (1.0 + b.abs()),
                "{opt:?}: {a} vs {b}"
            );
        }
    }
}

#[test]
fn sgd_steps_on_seeded_batches_that_cover_every_row_once_per_epoch() {
    // Leaky ReLU and biases: every row moves every parameter, so a batch is identified by its
    // update.
    let n = net(2, 2, true, 2);
    let data = data(2, 10, 1);
    let act = Activation::LeakyRelu { slope: 0.3 };
    let mut dynamics = Dynamics::gd(0.1);
    dynamics.activation = act;
    dynamics.optimizer = Optimizer::Sgd;
    dynamics.batch = Some(4);
    dynamics.seed = 9;
    let mut t = trainer(&n, &data, dynamics);
    // Each step is GD on some subset of rows: find which by brute force over the steps' sizes
    // 4, 4, 2 and check that the subsets partition the rows.
    let mut p = n.params().to_vec();
    let mut seen = vec![0; 10];
    for size in [4usize, 4, 2] {
        t.run(1);
        let target = t.params().to_vec();
        let mut found = None;
        let rows: Vec<usize> = (0..10).collect();
        for combo in combinations(&rows, size) {
            let sub = Arc::new(data.subset(&combo));
            let g = grad(&n, act, &sub, &p);
            let q: Vec<f64> = p.iter().zip(&g).map(|(a, b)| a - 0.1 * b).collect();
            if q.iter().zip(&target).all(|(a, b)| (a - b).abs() < 1e-12) {
                found = Some(combo);
                break;
            }
        }
        let combo = found.expect("the step is GD on one batch of the expected size");
        for i in combo {
            seen[i] += 1;
        }
        p = target;
    }
    assert_eq!(seen, vec![1; 10]);
    // The same seed gives the same run; another seed another one.
    let again = {
        let mut t2 = trainer(&n, &data, dynamics);
        t2.run(3);
        t2.params().to_vec()
    };
    assert_eq!(again, p);
    let mut other = dynamics;
    other.seed = 10;
    let mut t3 = trainer(&n, &data, other);
    t3.run(3);
    assert_ne!(t3.params(), &p[..]);
}

fn combinations(items: &[usize], k: usize) -> Vec<Vec<usize>> {
    if k == 0 {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    for (i, &x) in items.iter().enumerate() {
        for mut rest in combinations(&items[i + 1..], k - 1) {
            rest.insert(0, x);
            out.push(rest);
        }
    }
    out
}

#[test]
fn work_split_across_calls_gives_the_same_bits() {
    let n = net(5, 6, true, 3);
    let data = data(5, 97, 2);
    for opt in [
        Optimizer::Gd,
        Optimizer::Adam {
            beta1: 0.9,
            beta2: 0.99,
            eps: 1e-8,
        },
    ] {
        let mut dynamics = Dynamics::gd(0.02);
        dynamics.optimizer = opt;
        let mut whole = trainer(&n, &data, dynamics);
        whole.run(5);
        let mut sliced = trainer(&n, &data, dynamics);
        let mut steps = 0;
        while steps < 5 {
            steps += sliced.work(13, 5 - steps, |_| {}).expect("finite");
        }
        assert_eq!(whole.params(), sliced.params());
    }
}

fn drift(t: &LabTrainer) -> Vec<f64> {
    t.c_now()
        .iter()
        .zip(t.c_initial())
        .map(|(a, b)| a - b)
        .collect()
}

#[test]
fn one_gd_step_drifts_by_eta_squared_times_the_gradient_norms() {
    // Derived: c_k changes by η²(‖∇_{w_k}L‖² − ‖∇_{v_k}L‖²) per GD step (homogeneous σ, λ = 0).
    for act in [Activation::Relu, Activation::LeakyRelu { slope: 0.3 }] {
        let n = net(3, 4, true, 4);
        let data = data(3, 50, 4);
        let lr = 0.2;
        let mut dynamics = Dynamics::gd(lr);
        dynamics.activation = act;
        let g = grad(&n, act, &data, n.params());
        let mut t = trainer(&n, &data, dynamics);
        t.run(1);
        let a = n.arch();
        let m = a.input_dim();
        for (k, dk) in drift(&t).into_iter().enumerate() {
            let gw: f64 = g[k * m..(k + 1) * m].iter().map(|x| x * x).sum();
            let gv = g[a.v_offset() + k].powi(2);
            let predicted = lr * lr * (gw - gv);
            assert!(
                (dk - predicted).abs() < 1e-12 * (1.0 + predicted.abs()) + 1e-15,
                "{act:?} neuron {k}: {dk} vs {predicted}"
            );
        }
    }
}

#[test]
fn adam_drifts_at_first_order_gd_and_momentum_at_second() {
    // Halving η quarters the drift after three steps for GD and heavy-ball momentum (second
    // order: momentum's velocity is a sum of past gradients, each orthogonal to the conserved
    // directions where it was taken, so its first-order term is itself O(η)), but only halves it
    // for Adam (its per-coordinate scaling breaks w·∇_w L = v·∇_v L at first order).
    let n = net(2, 3, false, 5);
    let data = data(2, 40, 6);
    let run = |opt: Optimizer, lr: f64| {
        let mut dynamics = Dynamics::gd(lr);
        dynamics.optimizer = opt;
        let mut t = trainer(&n, &data, dynamics);
        t.run(3);
        t.current_c_drift()
    };
    let ratio = |opt: Optimizer| run(opt, 1e-3) / run(opt, 5e-4);
    let momentum = Optimizer::Momentum { beta: 0.9 };
    let adam = Optimizer::Adam {
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
    };
    let gd = ratio(Optimizer::Gd);
    assert!((gd - 4.0).abs() < 0.1, "GD ratio {gd}");
    let mo = ratio(momentum);
    assert!((mo - 4.0).abs() < 0.2, "momentum ratio {mo}");
    assert!(run(momentum, 1e-3) > run(Optimizer::Gd, 1e-3));
    let ad = ratio(adam);
    assert!((ad - 2.0).abs() < 0.3, "Adam ratio {ad}");
}

fn flow(n: &Network, data: &Arc<Dataset>, act: Activation, lambda: f64) -> LabTrainer {
    let mut dynamics = Dynamics::gd(0.05);
    dynamics.integrator = Integrator::Flow;
    dynamics.activation = act;
    dynamics.weight_decay = lambda;
    let mut t = trainer(n, data, dynamics);
    let (_, err) = t.run(40);
    assert!(err.is_none());
    t
}

#[test]
fn under_the_flow_weight_decay_shrinks_c_exactly_by_exp_minus_two_lambda_t() {
    let n = net(2, 3, true, 6);
    let data = data(2, 30, 7);
    let lambda = 0.5;
    let t = flow(&n, &data, Activation::Relu, lambda);
    let time = t.time();
    for (now, start) in t.c_now().iter().zip(t.c_initial()) {
        let expected = start * (-2.0 * lambda * time).exp();
        assert!(
            (now - expected).abs() < 1e-9,
            "{now} vs {expected} (from {start})"
        );
    }
    // And it did shrink: the test would pass trivially if c did not move.
    assert!(t.current_c_drift() > 0.1 * t.c_initial().iter().fold(0.0f64, |a, c| a.max(c.abs())));
}

#[test]
fn leaky_relu_conserves_c_under_the_flow_and_softplus_does_not() {
    let n = net(2, 3, false, 8);
    let data = data(2, 30, 8);
    let leaky = flow(&n, &data, Activation::LeakyRelu { slope: 0.1 }, 0.0);
    assert!(
        leaky.current_c_drift() <= 1e-9,
        "{}",
        leaky.current_c_drift()
    );
    let soft = flow(&n, &data, Activation::Softplus, 0.0);
    assert!(soft.current_c_drift() > 1e-3, "{}", soft.current_c_drift());
}

#[test]
fn a_pathological_neuron_escapes_only_when_c_is_not_conserved() {
    // One neuron with c < 0 and v < 0 on a target that wants a positive term: under the ReLU flow
    // it stays negative; with a large weight decay c_k → 0 and v can cross.
    let arch = Architecture::new(1, 1, 1);
    let net = Network::from_params(arch, vec![0.5, -1.0]).expect("finite");
    let x: Vec<f64> = (1..=20).map(|i| i as f64 / 10.0).collect();
    let y = x.clone();
    let data = Arc::new(Dataset::new(1, 1, x, y).expect("data"));
    let relu = flow(&net, &data, Activation::Relu, 0.0);
    assert!(relu.escapes().is_empty());
    assert!(relu.params()[1] < 0.0);
    // Softplus is not homogeneous: c_k drifts and v crosses zero. The escape reported is the
    // first step after which v had changed sign, found here by watching θ step by step.
    let mut dynamics = Dynamics::gd(0.1);
    dynamics.activation = Activation::Softplus;
    let mut t = trainer(&net, &data, dynamics);
    let mut first = None;
    for step in 1..=100u64 {
        t.run(1);
        if first.is_none() && t.params()[1] >= 0.0 {
            first = Some(step);
        }
    }
    let first = first.expect("v crosses zero under softplus here");
    assert_eq!(t.escapes().len(), 1);
    assert_eq!(t.escapes()[0].neuron, 0);
    assert_eq!(t.escapes()[0].step, first);
}

#[test]
fn a_blow_up_is_reported_and_undone() {
    let n = net(2, 3, false, 9);
    let data = data(2, 30, 9);
    let mut t = trainer(&n, &data, Dynamics::gd(900.0));
    let (_, err) = t.run(200);
    assert!(err.is_some());
    assert!(t.params().iter().all(|p| p.is_finite()));
    assert!(t.work(10, 1, |_| {}).is_err());
}

#[test]
fn bad_dynamics_are_refused_by_name() {
    let n = net(2, 3, false, 1);
    let data = data(2, 10, 1);
    let mut d = Dynamics::gd(0.1);
    d.batch = Some(4);
    assert!(LabTrainer::new(n.clone(), data.clone(), d).is_err());
    let mut d = Dynamics::gd(0.1);
    d.optimizer = Optimizer::Sgd;
    d.batch = Some(11);
    let err = LabTrainer::new(n.clone(), data.clone(), d).expect_err("batch > n");
    assert!(err.to_string().contains("batch"));
    let mut d = Dynamics::gd(0.1);
    d.optimizer = Optimizer::Momentum { beta: 1.0 };
    assert!(LabTrainer::new(n.clone(), data.clone(), d).is_err());
    let mut d = Dynamics::gd(0.1);
    d.weight_decay = -1.0;
    assert!(LabTrainer::new(n.clone(), data.clone(), d).is_err());
    assert!(Activation::parse("leaky_relu:1").is_err());
    assert!(Activation::parse("leaky_relu:0x10").is_err());
    assert_eq!(
        Activation::parse("leaky_relu:0.25").expect("valid"),
        Activation::LeakyRelu { slope: 0.25 }
    );
}
