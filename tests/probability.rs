//! Closed-form probabilities against independent references: a quadrature that does not use the
//! incomplete beta function, seeded Monte Carlo within 4 standard errors, and whole-network
//! simulations of the component counts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use relu_obstruction::core::init::{FanMode, InitScheme, initialize};
use relu_obstruction::core::network::Architecture;
use relu_obstruction::core::probability::{
    monte_carlo_p, obstruction_odds, p_negative_gaussian, p_pathological,
};
use relu_obstruction::core::topology::{connected_components, effective_components};

const KAIMING: InitScheme = InitScheme::KaimingNormal {
    mode: FanMode::FanIn,
};

/// 2u · f_{χ²_k}(u²), the χ²_k density after the substitution t = u²: finite at u = 0 for every k.
fn chi2_pdf_substituted(k: usize, u: f64) -> f64 {
    let h = k as f64 / 2.0;
    2.0 * u.powf(k as f64 - 1.0) * (-(u * u) / 2.0 - h * 2f64.ln() - libm::lgamma(h)).exp()
}

/// P(var_v χ²_1 > var_w χ²_d) = ∫ f_{χ²_d}(t) P(χ²_1 > var_w t / var_v) dt, with
/// P(χ²_1 > s) = erfc(√(s/2)), by composite Simpson on a substitution t = u² that removes the
/// endpoint singularity.
fn p_by_quadrature(d: usize, var_w: f64, var_v: f64) -> f64 {
    let upper = (200.0f64 + 20.0 * d as f64).sqrt();
    let n = 20_000;
    let h = upper / n as f64;
    let g = |u: f64| {
        let t = u * u;
        chi2_pdf_substituted(d, u) * libm::erfc((var_w * t / var_v / 2.0).sqrt())
    };
    let mut s = g(0.0) + g(upper);
    for i in 1..n {
        s += g(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    s * h / 3.0
}

#[test]
fn closed_form_agrees_with_an_independent_quadrature() {
    for d in [1, 2, 3, 5, 8, 13, 30] {
        for l in [1, 2, 4, 16, 50] {
            for scheme in [InitScheme::XavierNormal, KAIMING] {
                let (vw, vv) = scheme.variances(d, l, 1);
                let closed = p_pathological(scheme, d, l, 1).unwrap();
                let quad = p_by_quadrature(d, vw, vv);
                assert!(
                    (closed - quad).abs() < 1e-7,
                    "{} d = {d}, l = {l}: {closed} vs {quad}",
                    scheme.name()
                );
            }
        }
    }
}

#[test]
fn closed_form_agrees_with_monte_carlo_within_4_standard_errors() {
    let mut seed = 0;
    for (d, l, e) in [
        (2, 2, 1),
        (3, 7, 1),
        (10, 5, 1),
        (1, 3, 1),
        (4, 4, 3),
        (2, 9, 2),
        (1, 1, 5),
    ] {
        for scheme in [
            InitScheme::XavierNormal,
            KAIMING,
            InitScheme::KaimingNormal {
                mode: FanMode::FanOut,
            },
        ] {
            seed += 1;
            let closed = p_pathological(scheme, d, l, e).unwrap();
            let mc = monte_carlo_p(scheme, d, l, e, 200_000, seed).unwrap();
            assert!(
                (closed - mc.mean).abs() <= 4.0 * mc.stderr.max(1e-4),
                "{} ({d}, {l}, {e}): closed {closed}, MC {} ± {}",
                scheme.name(),
                mc.mean,
                mc.stderr
            );
        }
    }
}

#[test]
fn uniform_schemes_agree_with_their_own_closed_form_in_one_dimension() {
    // d = e = 1: w ~ U(−a, a), v ~ U(−b, b) independent; P(|w| < |v|) = 1 − a/(2b) when a ≤ b,
    // b/(2a) otherwise.
    for (scheme, l) in [
        (InitScheme::XavierUniform, 3),
        (
            InitScheme::KaimingUniform {
                mode: FanMode::FanIn,
            },
            4,
        ),
        (
            InitScheme::KaimingUniform {
                mode: FanMode::FanOut,
            },
            2,
        ),
    ] {
        let (vw, vv) = scheme.variances(1, l, 1);
        let (a, b) = ((3.0 * vw).sqrt(), (3.0 * vv).sqrt());
        let exact = if a <= b {
            1.0 - a / (2.0 * b)
        } else {
            b / (2.0 * a)
        };
        let mc = monte_carlo_p(scheme, 1, l, 1, 200_000, 77).unwrap();
        assert!(
            (exact - mc.mean).abs() <= 4.0 * mc.stderr,
            "{}: {exact} vs {} ± {}",
            scheme.name(),
            mc.mean,
            mc.stderr
        );
    }
}

#[test]
fn gaussian_p_depends_only_on_the_variance_ratio() {
    let a = p_negative_gaussian(5, 2, 1.0, 3.0).unwrap();
    let b = p_negative_gaussian(5, 2, 0.01, 0.03).unwrap();
    assert!((a - b).abs() < 1e-14);
}

#[test]
fn expected_component_counts_match_whole_network_simulations() {
    // Draw whole networks with the real initializer and count components with the topology module.
    for (scheme, d, l) in [
        (InitScheme::XavierNormal, 2, 3),
        (KAIMING, 3, 4),
        (InitScheme::XavierNormal, 1, 2),
    ] {
        let arch = Architecture::new(d, l, 1);
        let odds = obstruction_odds(scheme, d, l, 1).unwrap();
        let runs = 20_000;
        let (mut comps, mut comps_sq, mut eff, mut eff_sq, mut disc) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for seed in 0..runs {
            let net = initialize(arch, scheme, seed).unwrap();
            let c = net.conserved_quantities();
            let k = connected_components(d, 1, &c).unwrap() as f64;
            let f = effective_components(d, 1, &c).unwrap() as f64;
            comps += k;
            comps_sq += k * k;
            eff += f;
            eff_sq += f * f;
            disc += f64::from(k > 1.0);
        }
        let n = runs as f64;
        let check = |name: &str, sum: f64, sum_sq: f64, expected: f64| {
            let mean = sum / n;
            let se = ((sum_sq / n - mean * mean) / n).sqrt().max(1e-9);
            assert!(
                (mean - expected).abs() <= 4.0 * se,
                "{} d = {d}, l = {l}: {name} {mean} ± {se} vs {expected}",
                scheme.name()
            );
        };
        check("components", comps, comps_sq, odds.expected_components);
        check(
            "effective components",
            eff,
            eff_sq,
            odds.expected_effective_components,
        );
        check("P(disconnected)", disc, disc, odds.p_disconnected);
    }
}
