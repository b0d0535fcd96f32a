//! Probability that a standard initialization creates pathological neurons (paper-notes §6).
//!
//! # Conventions
//! - w_k ~ N(0, σ_w² I_d) and v_k ~ N(0, σ_v² I_e) independent; the variances come from
//!   [`InitScheme::variances`]. No bias (a zero-initialized bias does not change c_k).
//! - p = P(c_k < 0) = P(σ_v² χ²_e > σ_w² χ²_d). With U = χ²_e / (χ²_e + χ²_d) ~ Beta(e/2, d/2),
//!   p = P(U > σ_w² / (σ_w² + σ_v²)) = I_x(d/2, e/2), x = σ_v² / (σ_w² + σ_v²), the regularized
//!   incomplete beta function (from `statrs`). Check: Xavier, d = l = 2, e = 1 gives
//!   1 − √(3/7).
//! - A neuron's quadric is disconnected when c_k < 0 and e = 1, or c_k > 0 and d = 1 (see
//!   [`crate::core::topology`]); q is the probability of that. Neurons are independent, so
//!   P(H disconnected) = 1 − (1 − q)^l (our reading of the appendix heatmap) and, for e = 1, d ≥ 2,
//!   l− ~ Binomial(l, p), E[#components] = (1 + p)^l, E[#effective components] = 1 + l p.
//! - The Monte Carlo estimator draws whole neurons with the scheme's own sampler (so it also covers
//!   the uniform schemes, which have no closed form here).

use crate::core::error::ConfigError;
use crate::core::init::InitScheme;
use crate::core::network::Architecture;
use crate::core::rng::seeded;
use serde::Serialize;

/// Closed-form summary for one architecture.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ObstructionOdds {
    /// p = P(c_k < 0) for one neuron.
    pub p: f64,
    /// P(H(c) is disconnected).
    pub p_disconnected: f64,
    /// E[number of connected components].
    pub expected_components: f64,
    /// E[number of effective components] (our reading).
    pub expected_effective_components: f64,
}

/// The same dimension checks as a network of that shape.
fn check_dims(d: usize, l: usize, e: usize) -> Result<(), ConfigError> {
    Architecture::new(d, l, e).validate()
}

/// p = P(‖w‖² < ‖v‖²) for w ~ N(0, var_w I_d), v ~ N(0, var_v I_e): I_x(d/2, e/2) with
/// x = var_v / (var_w + var_v).
///
/// # Errors
/// [`ConfigError`] for zero dimensions or variances that are not positive and finite.
pub fn p_negative_gaussian(d: usize, e: usize, var_w: f64, var_v: f64) -> Result<f64, ConfigError> {
    check_dims(d, 1, e)?;
    for (name, value) in [("σ_w²", var_w), ("σ_v²", var_v)] {
        if !(value.is_finite() && value > 0.0) {
            return Err(ConfigError::OutOfRange {
                name,
                value,
                range: "positive and finite",
            });
        }
    }
    let x = var_v / (var_w + var_v);
    statrs::function::beta::checked_beta_reg(d as f64 / 2.0, e as f64 / 2.0, x)
        .map_err(|err| ConfigError::Mismatch(format!("incomplete beta failed: {err}")))
}

/// p = P(c_k < 0) for a Gaussian scheme, by the closed form.
///
/// # Errors
/// [`ConfigError::Mismatch`] for a uniform scheme (use [`monte_carlo_p`]); as
/// [`p_negative_gaussian`] otherwise.
pub fn p_pathological(
    scheme: InitScheme,
    d: usize,
    l: usize,
    e: usize,
) -> Result<f64, ConfigError> {
    check_dims(d, l, e)?;
    if !scheme.is_normal() {
        return Err(ConfigError::Mismatch(format!(
            "{} is not Gaussian: its p has no closed form here, use the Monte Carlo estimate",
            scheme.name()
        )));
    }
    let (var_w, var_v) = scheme.variances(d, l, e);
    p_negative_gaussian(d, e, var_w, var_v)
}

/// The summary of paper-notes §6 from p = P(c_k < 0), for any d, e.
pub fn odds_from_p(p: f64, d: usize, l: usize, e: usize) -> ObstructionOdds {
    let lf = l as f64;
    let q = 1.0 - p;
    let powi = |base: f64| libm::pow(base, lf);
    let (p_disconnected, expected_components, expected_effective_components) = match (d, e) {
        (1, 1) => {
            // Every neuron with c ≠ 0 (probability 1) has a disconnected quadric.
            (1.0, powi(2.0), lf + 1.0 + lf * (lf - 1.0) * p * q)
        }
        (_, 1) => (1.0 - powi(q), powi(1.0 + p), 1.0 + lf * p),
        (1, _) => (1.0 - powi(p), powi(1.0 + q), 1.0 + lf * q),
        _ => (0.0, 1.0, 1.0),
    };
    ObstructionOdds {
        p,
        p_disconnected,
        expected_components,
        expected_effective_components,
    }
}

/// The closed-form summary for a Gaussian scheme.
///
/// # Errors
/// As [`p_pathological`].
pub fn obstruction_odds(
    scheme: InitScheme,
    d: usize,
    l: usize,
    e: usize,
) -> Result<ObstructionOdds, ConfigError> {
    Ok(odds_from_p(p_pathological(scheme, d, l, e)?, d, l, e))
}

/// A Monte Carlo estimate with its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The estimate.
    pub mean: f64,
    /// Its standard error √(p̂(1 − p̂)/N).
    pub stderr: f64,
    /// Number of samples.
    pub samples: u64,
}

/// Largest accepted number of Monte Carlo samples.
pub const MAX_MC_SAMPLES: u64 = 100_000_000;

/// Seeded Monte Carlo estimate of p = P(c_k < 0): draws `samples` neurons (w ∈ R^d, v ∈ R^e) with
/// the scheme's sampler and variances for width l.
///
/// # Errors
/// [`ConfigError`] for bad dimensions or a sample count of 0 or above [`MAX_MC_SAMPLES`].
pub fn monte_carlo_p(
    scheme: InitScheme,
    d: usize,
    l: usize,
    e: usize,
    samples: u64,
    seed: u64,
) -> Result<Estimate, ConfigError> {
    check_dims(d, l, e)?;
    if samples == 0 || samples > MAX_MC_SAMPLES {
        return Err(ConfigError::OutOfRange {
            name: "Monte Carlo samples",
            value: samples as f64,
            range: "between 1 and 100000000",
        });
    }
    let (var_w, var_v) = scheme.variances(d, l, e);
    let mut rng = seeded(seed);
    let mut hits = 0u64;
    for _ in 0..samples {
        let w2: f64 = (0..d).map(|_| scheme.draw(&mut rng, var_w).powi(2)).sum();
        let v2: f64 = (0..e).map(|_| scheme.draw(&mut rng, var_v).powi(2)).sum();
        if w2 < v2 {
            hits += 1;
        }
    }
    let n = samples as f64;
    let mean = hits as f64 / n;
    Ok(Estimate {
        mean,
        stderr: libm::sqrt(mean * (1.0 - mean) / n),
        samples,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::init::FanMode;

    const KAIMING: InitScheme = InitScheme::KaimingNormal {
        mode: FanMode::FanIn,
    };

    #[test]
    fn check_values_of_the_notes() {
        let p = p_pathological(InitScheme::XavierNormal, 2, 2, 1).unwrap();
        assert!((p - (1.0 - (3.0f64 / 7.0).sqrt())).abs() < 1e-14, "{p}");
        assert!((p - 0.345346).abs() < 1e-6);
        let p = p_pathological(KAIMING, 2, 2, 1).unwrap();
        assert!((p - (1.0 - 1.0 / 2f64.sqrt())).abs() < 1e-14, "{p}");
        for l in [1, 2, 7, 50] {
            let p = p_pathological(InitScheme::XavierNormal, 1, l, 1).unwrap();
            assert!((p - 0.5).abs() < 1e-14, "l = {l}: {p}");
        }
        let big = obstruction_odds(KAIMING, 2, 4096, 1).unwrap();
        assert!(
            (big.p_disconnected - (1.0 - (-1.0f64).exp())).abs() < 1e-3,
            "{big:?}"
        );
    }

    #[test]
    fn uniform_schemes_have_no_closed_form() {
        assert!(p_pathological(InitScheme::XavierUniform, 2, 2, 1).is_err());
        assert!(monte_carlo_p(InitScheme::XavierUniform, 2, 2, 1, 1000, 1).is_ok());
        assert!(monte_carlo_p(InitScheme::XavierUniform, 2, 2, 1, 0, 1).is_err());
        assert!(p_pathological(InitScheme::XavierNormal, 0, 2, 1).is_err());
    }
}
