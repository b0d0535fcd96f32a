//! Initialization schemes, and the function-preserving rescaling that moves a neuron onto a
//! chosen quadric Q(c_k).
//!
//! # Conventions
//! - W is the l × d matrix of the first layer (fan_in = d, fan_out = l), V the e × l matrix of the
//!   second (fan_in = l, fan_out = e), as in the usual layer conventions.
//! - Xavier (Glorot): σ² = 2 / (fan_in + fan_out). Kaiming (He, ReLU gain √2): σ² = 2 / fan_in
//!   (mode fan_in) or 2 / fan_out (mode fan_out). Normal variants draw N(0, σ²); uniform variants
//!   draw U(−a, a) with a = √(3σ²), the same variance.
//! - Biases (hidden and output) start at zero, so they do not change c_k at initialization.
//! - Draw order: W row by row (w_1, …, w_l), then V row by row (v_1, …, v_l), from a ChaCha8
//!   generator seeded with the run's seed (see [`crate::core::rng`]).
//! - Rescaling (paper-notes §2): (w, v) ↦ (αw, v/α), α > 0, leaves the function unchanged and puts
//!   the neuron on ‖w‖² − ‖v‖² = c for α² = (c + √(c² + 4‖w‖²‖v‖²)) / (2‖w‖²), computed in the
//!   cancellation-free form 2‖v‖² / (√(c² + 4‖w‖²‖v‖²) − c) when c < 0.

use crate::core::error::{ConfigError, RescaleError};
use crate::core::network::{Architecture, Network, norm_sq};
use crate::core::rng::{Rng, seeded, standard_normal, uniform01};
use serde::{Deserialize, Serialize};

/// Which fan a Kaiming initialization normalizes by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FanMode {
    /// σ² = 2 / fan_in.
    #[default]
    FanIn,
    /// σ² = 2 / fan_out.
    FanOut,
}

/// An initialization scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "scheme")]
pub enum InitScheme {
    /// N(0, 2 / (fan_in + fan_out)).
    XavierNormal,
    /// U(−a, a), a = √(6 / (fan_in + fan_out)).
    XavierUniform,
    /// N(0, 2 / fan).
    KaimingNormal {
        /// fan_in or fan_out.
        #[serde(default)]
        mode: FanMode,
    },
    /// U(−a, a), a = √(6 / fan).
    KaimingUniform {
        /// fan_in or fan_out.
        #[serde(default)]
        mode: FanMode,
    },
}

impl InitScheme {
    /// Every scheme, for menus and exhaustive tests.
    pub const ALL: [InitScheme; 6] = [
        InitScheme::XavierNormal,
        InitScheme::XavierUniform,
        InitScheme::KaimingNormal {
            mode: FanMode::FanIn,
        },
        InitScheme::KaimingNormal {
            mode: FanMode::FanOut,
        },
        InitScheme::KaimingUniform {
            mode: FanMode::FanIn,
        },
        InitScheme::KaimingUniform {
            mode: FanMode::FanOut,
        },
    ];

    /// A short name: `xavier_normal`, `kaiming_uniform_fan_out`, …
    pub fn name(&self) -> &'static str {
        match self {
            Self::XavierNormal => "xavier_normal",
            Self::XavierUniform => "xavier_uniform",
            Self::KaimingNormal {
                mode: FanMode::FanIn,
            } => "kaiming_normal",
            Self::KaimingNormal {
                mode: FanMode::FanOut,
            } => "kaiming_normal_fan_out",
            Self::KaimingUniform {
                mode: FanMode::FanIn,
            } => "kaiming_uniform",
            Self::KaimingUniform {
                mode: FanMode::FanOut,
            } => "kaiming_uniform_fan_out",
        }
    }

    /// Parses [`InitScheme::name`]; `xavier` and `kaiming` alone mean the normal, fan_in variants.
    ///
    /// # Errors
    /// [`ConfigError::Unknown`] for any other name.
    pub fn parse(name: &str) -> Result<Self, ConfigError> {
        match name {
            "xavier" => return Ok(Self::XavierNormal),
            "kaiming" => {
                return Ok(Self::KaimingNormal {
                    mode: FanMode::FanIn,
                });
            }
            _ => {}
        }
        Self::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| ConfigError::Unknown {
                what: "initialization",
                name: name.to_string(),
            })
    }

    /// Whether the weights are Gaussian (the closed form of the probability module applies).
    pub fn is_normal(&self) -> bool {
        matches!(self, Self::XavierNormal | Self::KaimingNormal { .. })
    }

    /// (σ_w², σ_v²), the variances of the input and output weights for input dimension d, width l
    /// and output dimension e.
    pub fn variances(&self, d: usize, l: usize, e: usize) -> (f64, f64) {
        let (d, l, e) = (d as f64, l as f64, e as f64);
        match self {
            Self::XavierNormal | Self::XavierUniform => (2.0 / (d + l), 2.0 / (l + e)),
            Self::KaimingNormal {
                mode: FanMode::FanIn,
            }
            | Self::KaimingUniform {
                mode: FanMode::FanIn,
            } => (2.0 / d, 2.0 / l),
            Self::KaimingNormal {
                mode: FanMode::FanOut,
            }
            | Self::KaimingUniform {
                mode: FanMode::FanOut,
            } => (2.0 / l, 2.0 / e),
        }
    }

    /// One weight of variance `var` from this scheme's family.
    pub fn draw(&self, rng: &mut Rng, var: f64) -> f64 {
        if self.is_normal() {
            libm::sqrt(var) * standard_normal(rng)
        } else {
            let a = libm::sqrt(3.0 * var);
            a * (2.0 * uniform01(rng) - 1.0)
        }
    }
}

/// A network of architecture `arch` initialized by `scheme` from `seed` (biases zero).
///
/// # Errors
/// [`ConfigError`] when the architecture is invalid.
pub fn initialize(
    arch: Architecture,
    scheme: InitScheme,
    seed: u64,
) -> Result<Network, ConfigError> {
    arch.validate()?;
    let (var_w, var_v) = scheme.variances(arch.d, arch.l, arch.e);
    let mut rng = seeded(seed);
    let mut params = vec![0.0; arch.n_params()];
    let m = arch.input_dim();
    for k in 0..arch.l {
        for j in 0..arch.d {
            params[k * m + j] = scheme.draw(&mut rng, var_w);
        }
    }
    let vo = arch.v_offset();
    for p in &mut params[vo..vo + arch.l * arch.e] {
        *p = scheme.draw(&mut rng, var_v);
    }
    Network::from_params(arch, params)
}

/// The α > 0 with ‖αw‖² − ‖v/α‖² = c, from a = ‖w‖², b = ‖v‖².
///
/// # Errors
/// [`RescaleError`] when no such α exists (w = 0 and c ≥ 0 with v ≠ 0 or c > 0; v = 0 and c ≤ 0
/// with w ≠ 0 or c < 0) or a value is not finite.
pub fn rescale_factor(a: f64, b: f64, c: f64, neuron: usize) -> Result<f64, RescaleError> {
    if !(a.is_finite() && b.is_finite() && c.is_finite()) {
        return Err(RescaleError::NotFinite { neuron });
    }
    if a == 0.0 && b == 0.0 {
        // The apex of the cone: every α gives c = 0.
        return if c == 0.0 {
            Ok(1.0)
        } else {
            Err(RescaleError::ZeroInputWeights { neuron, target: c })
        };
    }
    if a == 0.0 && c >= 0.0 {
        return Err(RescaleError::ZeroInputWeights { neuron, target: c });
    }
    if b == 0.0 && c <= 0.0 {
        return Err(RescaleError::ZeroOutputWeights { neuron, target: c });
    }
    let s = libm::sqrt(c * c + 4.0 * a * b);
    let alpha_sq = if c >= 0.0 {
        (c + s) / (2.0 * a)
    } else {
        2.0 * b / (s - c)
    };
    let alpha = libm::sqrt(alpha_sq);
    if alpha.is_finite() && alpha > 0.0 {
        Ok(alpha)
    } else {
        Err(RescaleError::NotFinite { neuron })
    }
}

/// Rescales neuron k of `net` onto Q(c): the function is unchanged, c_k becomes `c` (to rounding).
/// Returns the factor α applied to w_k (v_k is divided by it).
///
/// # Errors
/// [`RescaleError`] as [`rescale_factor`]; the network is then left unchanged.
pub fn set_conserved_quantity(net: &mut Network, k: usize, c: f64) -> Result<f64, RescaleError> {
    let (w, v) = net.neuron_mut(k);
    rescale_neuron(w, v, c, k)
}

/// Rescales (w, v) in place onto ‖w‖² − ‖v‖² = c; returns α.
///
/// # Errors
/// As [`rescale_factor`]; (w, v) is then left unchanged.
pub fn rescale_neuron(
    w: &mut [f64],
    v: &mut [f64],
    c: f64,
    neuron: usize,
) -> Result<f64, RescaleError> {
    let alpha = rescale_factor(norm_sq(w), norm_sq(v), c, neuron)?;
    w.iter_mut().for_each(|x| *x *= alpha);
    v.iter_mut().for_each(|x| *x /= alpha);
    Ok(alpha)
}

/// Rescales every neuron onto its entry of `c` (function unchanged).
///
/// # Errors
/// [`ConfigError::Mismatch`] when `c` has the wrong length; [`ConfigError::Rescale`] for the first
/// neuron that cannot reach its target (earlier neurons stay rescaled).
pub fn set_conserved_quantities(net: &mut Network, c: &[f64]) -> Result<(), ConfigError> {
    if c.len() != net.arch().l {
        return Err(ConfigError::Mismatch(format!(
            "{} values of c for {} neurons",
            c.len(),
            net.arch().l
        )));
    }
    for (k, &ck) in c.iter().enumerate() {
        set_conserved_quantity(net, k, ck)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rescaling_hits_the_target_and_keeps_the_function() {
        let arch = Architecture {
            hidden_bias: true,
            ..Architecture::new(3, 4, 2)
        };
        let mut net = initialize(arch, InitScheme::XavierNormal, 5).unwrap();
        // Give the biases non-zero values so they take part.
        for k in 0..4 {
            net.neuron_mut(k).0[3] = 0.1 * (k as f64 + 1.0);
        }
        let xs = [[0.3, -1.0, 2.0], [1.5, 0.2, -0.7], [-0.4, -0.4, 0.9]];
        let before: Vec<Vec<f64>> = xs.iter().map(|x| net.predict(x)).collect();
        let targets = [1.0, -1.0, 0.0, -3.5];
        set_conserved_quantities(&mut net, &targets).unwrap();
        for (c, t) in net.conserved_quantities().iter().zip(targets) {
            assert!((c - t).abs() < 1e-12, "{c} vs {t}");
        }
        for (x, b) in xs.iter().zip(&before) {
            for (p, q) in net.predict(x).iter().zip(b) {
                assert!((p - q).abs() < 1e-12 * (1.0 + q.abs()));
            }
        }
    }

    #[test]
    fn impossible_rescalings_are_refused() {
        assert!(matches!(
            rescale_factor(0.0, 1.0, 1.0, 0),
            Err(RescaleError::ZeroInputWeights { .. })
        ));
        assert!(matches!(
            rescale_factor(1.0, 0.0, -1.0, 0),
            Err(RescaleError::ZeroOutputWeights { .. })
        ));
        assert!(rescale_factor(0.0, 1.0, -4.0, 0).is_ok());
        assert_eq!(rescale_factor(0.0, 0.0, 0.0, 0), Ok(1.0));
        assert!(rescale_factor(1.0, 1.0, f64::NAN, 0).is_err());
    }

    #[test]
    fn rescaling_is_accurate_for_large_negative_targets() {
        // Cancellation-prone regime of the textbook formula: c ≪ 0 and a small product ‖w‖²‖v‖².
        let alpha = rescale_factor(1e-3, 1e-3, -1e6, 0).unwrap();
        let c = alpha * alpha * 1e-3 - 1e-3 / (alpha * alpha);
        assert!((c + 1e6).abs() < 1e-6, "{c}");
    }

    #[test]
    fn variances_follow_the_definitions() {
        assert_eq!(
            InitScheme::XavierNormal.variances(2, 2, 1),
            (0.5, 2.0 / 3.0)
        );
        assert_eq!(
            InitScheme::KaimingNormal {
                mode: FanMode::FanIn
            }
            .variances(2, 4, 1),
            (1.0, 0.5)
        );
        assert_eq!(
            InitScheme::KaimingUniform {
                mode: FanMode::FanOut
            }
            .variances(2, 4, 1),
            (0.5, 2.0)
        );
        for s in InitScheme::ALL {
            assert_eq!(InitScheme::parse(s.name()).unwrap(), s);
        }
        assert!(InitScheme::parse("he").is_err());
    }

    #[test]
    fn uniform_draws_stay_in_their_bound_and_have_the_variance() {
        let s = InitScheme::XavierUniform;
        let mut rng = seeded(2);
        let var = 0.5;
        let a = (3.0f64 * var).sqrt();
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|_| s.draw(&mut rng, var)).collect();
        assert!(xs.iter().all(|x| x.abs() <= a));
        let m2 = xs.iter().map(|x| x * x).sum::<f64>() / n as f64;
        // Var of x² for U(−a, a) is a⁴(1/5 − 1/9); its standard error here is ≈ 0.0014.
        assert!((m2 - var).abs() < 0.007, "{m2}");
    }
}
