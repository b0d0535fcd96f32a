//! The lab's check and rebalancing (`core::inspect`) against independent references: the topology
//! module's counts, a brute-force enumeration of sign vectors from the definition of a
//! disconnected quadric, hand-computed c_k with biases, and a forward pass written out here.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use relu_obstruction::core::data::Dataset;
use relu_obstruction::core::error::RebalanceError;
use relu_obstruction::core::inspect::{Count, check, max_relative_output_difference, rebalance};
use relu_obstruction::core::network::{Architecture, Network};
use relu_obstruction::core::rng::{seeded, standard_normal};
use relu_obstruction::core::topology::{connected_components, effective_components};
use relu_obstruction::core::weights::parse_weights;
use std::collections::BTreeSet;

/// A random network of shape `arch`, weights N(0, 1) times a per-neuron scale that spreads c_k
/// over both signs (biases and output biases included when enabled).
fn random_network(arch: Architecture, seed: u64) -> Network {
    let mut rng = seeded(seed);
    let mut params: Vec<f64> = (0..arch.n_params())
        .map(|_| standard_normal(&mut rng))
        .collect();
    let m = arch.input_dim();
    for k in 0..arch.l {
        let s = [0.3, 1.0, 3.0][k % 3];
        params[k * m..(k + 1) * m].iter_mut().for_each(|x| *x *= s);
    }
    Network::from_params(arch, params).unwrap()
}

/// c_k computed here from θ's layout: ‖w_k‖² (bias included) − ‖v_k‖².
fn c_by_hand(net: &Network) -> Vec<f64> {
    let a = net.arch();
    let m = a.input_dim();
    let p = net.params();
    (0..a.l)
        .map(|k| {
            let w: f64 = p[k * m..(k + 1) * m].iter().map(|x| x * x).sum();
            let vo = a.l * m + k * a.e;
            let v: f64 = p[vo..vo + a.e].iter().map(|x| x * x).sum();
            w - v
        })
        .collect()
}

/// Brute force from the definitions: Q(c_k) is disconnected iff (c_k < 0 and e = 1) or (c_k > 0
/// and d_eff = 1). Enumerates every sheet choice (a sign per disconnected neuron): the number of
/// choices is the number of components; classes under permutations of neurons of the same kind
/// (same number of `+` among negative-c neurons and among positive-c ones) are the effective ones.
fn brute_force(d_eff: usize, e: usize, c: &[f64]) -> (u128, u128) {
    let disc: Vec<(usize, bool)> = c
        .iter()
        .enumerate()
        .filter(|(_, ck)| (**ck < 0.0 && e == 1) || (**ck > 0.0 && d_eff == 1))
        .map(|(k, ck)| (k, *ck < 0.0))
        .collect();
    let mut classes = BTreeSet::new();
    let mut count = 0u128;
    for mask in 0u32..(1 << disc.len()) {
        count += 1;
        let plus_neg = (0..disc.len())
            .filter(|&i| disc[i].1 && mask & (1 << i) != 0)
            .count();
        let plus_pos = (0..disc.len())
            .filter(|&i| !disc[i].1 && mask & (1 << i) != 0)
            .count();
        classes.insert((plus_neg, plus_pos));
    }
    (count, classes.len() as u128)
}

#[test]
fn counts_match_the_topology_module_and_a_brute_force() {
    let mut seen_disconnected = 0;
    for (seed, (d, e, bias)) in [
        (2, 1, false),
        (2, 1, true),
        (1, 1, false),
        (1, 1, true),
        (1, 2, false),
        (3, 2, false),
        (5, 1, true),
    ]
    .into_iter()
    .enumerate()
    {
        for l in 1..=8 {
            let arch = Architecture {
                hidden_bias: bias,
                ..Architecture::new(d, l, e)
            };
            let net = random_network(arch, 100 * seed as u64 + l as u64);
            let ch = check(&net);
            let c = c_by_hand(&net);
            assert_eq!(ch.c.len(), l);
            for (a, b) in ch.c.iter().zip(&c) {
                assert!((a - b).abs() <= 1e-14 * (1.0 + b.abs()));
            }
            let d_eff = d + usize::from(bias);
            let (components, effective) = brute_force(d_eff, e, &c);
            assert_eq!(
                ch.components,
                Count::Exact(components),
                "{d} {e} {bias} {c:?}"
            );
            assert_eq!(ch.effective_components, Count::Exact(effective));
            assert_eq!(
                ch.components,
                Count::Exact(connected_components(d_eff, e, &c).unwrap())
            );
            assert_eq!(
                ch.effective_components,
                Count::Exact(effective_components(d_eff, e, &c).unwrap())
            );
            assert_eq!(ch.connected, components == 1);
            assert_eq!(ch.l_plus, c.iter().filter(|x| **x > 0.0).count());
            assert_eq!(ch.l_minus, c.iter().filter(|x| **x < 0.0).count());
            assert_eq!(ch.l_plus + ch.l_minus + ch.l_zero, l);
            // 1-based pathological neurons and the signs of their output weights.
            let want: Vec<usize> = if e == 1 {
                (0..l).filter(|&k| c[k] < 0.0).map(|k| k + 1).collect()
            } else {
                Vec::new()
            };
            assert_eq!(ch.pathological, want);
            let signs: Vec<i8> = want
                .iter()
                .map(|&k| if net.v(k - 1)[0] >= 0.0 { 1 } else { -1 })
                .collect();
            assert_eq!(ch.stuck_signs, signs);
            // One label entry per sheet choice to make.
            assert_eq!(1u128 << ch.component_label.len(), components);
            seen_disconnected += usize::from(!ch.connected);
        }
    }
    assert!(seen_disconnected > 10, "the cases cover disconnected H(c)");
}

#[test]
fn the_hidden_bias_enters_c_and_can_cure_a_pathological_neuron() {
    // Neuron 1: w = (1, 0), v = 1.2: c = 1 − 1.44 < 0 without a bias, pathological.
    // Neuron 2: w = (0, 2), v = −1: c = 4 − 1 = 3.
    let plain = parse_weights(r#"{"W": [[1, 0], [0, 2]], "v": [[1.2, -1]]}"#).unwrap();
    let ch = check(&plain);
    assert!((ch.c[0] - (1.0 - 1.44)).abs() < 1e-15 && ch.c[1] == 3.0);
    assert_eq!(ch.pathological, vec![1]);
    assert_eq!(ch.stuck_signs, vec![1]);
    assert_eq!((ch.components, ch.connected), (Count::Exact(2), false));
    assert!(!ch.hidden_bias);
    // With b = (1, −0.5): c_1 = 1 + 1 − 1.44 = 0.56 > 0, c_2 = 4 + 0.25 − 1 = 3.25.
    let biased =
        parse_weights(r#"{"W": [[1, 0], [0, 2]], "v": [[1.2, -1]], "b": [1, -0.5]}"#).unwrap();
    let ch = check(&biased);
    assert!((ch.c[0] - 0.56).abs() < 1e-15, "{}", ch.c[0]);
    assert_eq!(ch.c[1], 3.25);
    assert!(ch.pathological.is_empty() && ch.connected && ch.hidden_bias);
    assert_eq!((ch.l_plus, ch.l_minus, ch.l_zero), (2, 0, 0));
    // The output bias enters nothing.
    let out_bias =
        parse_weights(r#"{"W": [[1, 0], [0, 2]], "v": [[1.2, -1]], "b_out": [100]}"#).unwrap();
    assert_eq!(check(&out_bias).c, check(&plain).c);
}

#[test]
fn a_wide_network_reports_2_to_the_l_components() {
    // 200 pathological neurons, half with negative output weights: 2^200 components, 201 effective.
    let l = 200;
    let w: Vec<String> = (0..l).map(|_| "[0.5, 0.5]".to_string()).collect();
    let v: Vec<String> = (0..l)
        .map(|k| if k % 2 == 0 { "1" } else { "-1" }.to_string())
        .collect();
    let net = parse_weights(&format!(
        r#"{{"W": [{}], "v": [[{}]]}}"#,
        w.join(","),
        v.join(",")
    ))
    .unwrap();
    let ch = check(&net);
    assert_eq!(ch.components.to_string(), "2^200");
    assert_eq!(ch.effective_components, Count::Exact(201));
    assert_eq!(ch.pathological, (1..=l).collect::<Vec<_>>());
    let json = serde_json::to_value(&ch).unwrap();
    assert_eq!(json["components"], "2^200");
    assert_eq!(json["effective_components"], 201);
    assert_eq!(json["stuck_signs"][1], -1);
}

/// f(x) written out here: Σ_k v_k σ(w_k · x + b_k) + b_out.
fn forward(net: &Network, x: &[f64]) -> Vec<f64> {
    let a = net.arch();
    let mut out = if a.output_bias {
        net.params()[a.output_bias_offset()..].to_vec()
    } else {
        vec![0.0; a.e]
    };
    for k in 0..a.l {
        let w = net.w(k);
        let mut z = 0.0;
        for j in 0..a.d {
            z += w[j] * x[j];
        }
        if a.hidden_bias {
            z += w[a.d];
        }
        let h = if z > 0.0 { z } else { 0.0 };
        for o in 0..a.e {
            out[o] += net.v(k)[o] * h;
        }
    }
    out
}

fn random_data(d: usize, n: usize, seed: u64) -> Dataset {
    let mut rng = seeded(seed);
    let x = (0..n * d)
        .map(|_| 2.0 * standard_normal(&mut rng))
        .collect();
    Dataset::new(d, 1, x, vec![0.0; n]).unwrap()
}

#[test]
fn rebalancing_keeps_the_function_and_lands_on_the_target() {
    let mut cases = 0;
    for (seed, (d, l, e, hb, ob)) in [
        (2, 2, 1, false, false),
        (2, 6, 1, true, false),
        (1, 4, 1, false, false),
        (1, 5, 1, false, true),
        (3, 8, 2, true, true),
        (1, 3, 3, false, false),
        (30, 16, 1, true, false),
    ]
    .into_iter()
    .enumerate()
    {
        let arch = Architecture {
            hidden_bias: hb,
            output_bias: ob,
            ..Architecture::new(d, l, e)
        };
        let data = random_data(d, 200, 7 + seed as u64);
        for rep in 0..5 {
            let net = random_network(arch, 1000 + 10 * seed as u64 + rep);
            for target in [0.0, 1.5, -0.75] {
                let out = rebalance(&net, target).unwrap();
                assert_eq!(out.arch(), net.arch());
                // Function: the independent forward pass, and the crate's measure of it.
                let mut worst: f64 = 0.0;
                for i in 0..data.n {
                    let (fa, fb) = (forward(&net, data.input(i)), forward(&out, data.input(i)));
                    for (a, b) in fa.iter().zip(&fb) {
                        let r = (a - b).abs() / a.abs().max(f64::MIN_POSITIVE);
                        worst = worst.max(if a == b { 0.0 } else { r });
                    }
                }
                assert!(worst <= 1e-12, "{d} {l} {e}: {worst}");
                let measured = max_relative_output_difference(&net, &out, &data);
                assert!(measured <= 1e-12);
                assert!((measured - worst).abs() <= 1e-15);
                // Every c_k on the target, relative to the size of the neuron.
                let c = c_by_hand(&out);
                let m = arch.input_dim();
                for k in 0..l {
                    let size: f64 = out.params()[k * m..(k + 1) * m]
                        .iter()
                        .chain(out.v(k))
                        .map(|x| x * x)
                        .sum();
                    assert!(
                        (c[k] - target).abs() <= 1e-12 * size.max(target.abs()),
                        "c_{k} = {} for {target}",
                        c[k]
                    );
                }
                // The output bias is not rescaled.
                if ob {
                    assert_eq!(
                        out.params()[arch.output_bias_offset()..],
                        net.params()[arch.output_bias_offset()..]
                    );
                }
                if target == 0.0 {
                    let ch = check(&out);
                    assert_eq!(ch.components, Count::Exact(1), "{:?}", ch.c);
                    assert!(ch.connected && ch.pathological.is_empty());
                }
                cases += 1;
            }
        }
    }
    assert_eq!(cases, 7 * 5 * 3);
}

#[test]
fn the_relative_difference_follows_its_definition() {
    // a: f = 2σ(x); b: f = 2.5σ(x) (another function): at x = 1, |2 − 2.5| / 2 = 0.25;
    // at x = −1 both are 0 and count 0.
    let a = Network::from_params(Architecture::new(1, 1, 1), vec![1.0, 2.0]).unwrap();
    let b = Network::from_params(Architecture::new(1, 1, 1), vec![1.0, 2.5]).unwrap();
    let data = Dataset::new(1, 1, vec![1.0, -1.0], vec![0.0, 0.0]).unwrap();
    assert_eq!(max_relative_output_difference(&a, &b, &data), 0.25);
    assert_eq!(max_relative_output_difference(&a, &a, &data), 0.0);
}

#[test]
fn neurons_that_cannot_be_rescaled_are_all_named() {
    // Neurons 3 and 7 have zero input weights (and non-zero v): nothing gives c = 0.
    let w = "[[1,0],[0,1],[0,0],[1,1],[2,0],[0,3],[0,0]]";
    let net = parse_weights(&format!(r#"{{"W": {w}, "v": [[1,1,1,1,1,1,-2]]}}"#)).unwrap();
    let err = rebalance(&net, 0.0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Neurons 3 and 7 have all input weights zero and cannot be rescaled onto c = 0."
    );
    match &err {
        RebalanceError::Unreachable {
            zero_input,
            zero_output,
            ..
        } => {
            assert_eq!(zero_input, &vec![3, 7]);
            assert!(zero_output.is_empty());
        }
        other => panic!("{other:?}"),
    }
    // A zero bias does not help: the bias is one of the input weights, and all must be zero.
    let net = parse_weights(r#"{"W": [[0],[1]], "v": [[1,1]], "b": [0, 0]}"#).unwrap();
    assert!(
        rebalance(&net, 0.0)
            .unwrap_err()
            .to_string()
            .starts_with("Neuron 1 has")
    );
    // With a non-zero bias the neuron can be rescaled.
    let net = parse_weights(r#"{"W": [[0],[1]], "v": [[1,1]], "b": [0.5, 0]}"#).unwrap();
    assert!(rebalance(&net, 0.0).is_ok());
    // Zero output weights: c_k = α²‖w_k‖² > 0 for every α, so neither 0 nor −1 is reachable.
    let net = parse_weights(r#"{"W": [[1],[2],[3]], "v": [[0, 1, 0]]}"#).unwrap();
    for target in [0.0, -1.0] {
        let err = rebalance(&net, target).unwrap_err().to_string();
        assert!(
            err.starts_with("Neurons 1 and 3 have all output weights zero"),
            "{err}"
        );
    }
    assert!(rebalance(&net, 2.0).is_ok());
    // Both kinds at once, each named; a neuron at the apex (w = 0, v = 0) is already at c = 0.
    let net = parse_weights(r#"{"W": [[0],[2],[0]], "v": [[1, 0, 0]]}"#).unwrap();
    let err = rebalance(&net, 0.0).unwrap_err().to_string();
    assert!(
        err.starts_with("Neuron 1 has all input weights zero")
            && err.contains("Neuron 2 has all output"),
        "{err}"
    );
    let net = parse_weights(r#"{"W": [[0],[2]], "v": [[0, 1]]}"#).unwrap();
    let out = rebalance(&net, 0.0).unwrap();
    assert_eq!(out.w(0), &[0.0]);
    // A positive target is out of reach for zero input weights even at the apex.
    let err = rebalance(&net, 1.0).unwrap_err().to_string();
    assert!(err.contains("Neuron 1 has all input weights zero"), "{err}");
    // The target must be finite.
    assert!(matches!(
        rebalance(&net, f64::NAN),
        Err(RebalanceError::TargetNotFinite { .. })
    ));
}
