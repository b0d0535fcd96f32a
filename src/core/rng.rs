//! Seeded, platform-independent random numbers.
//!
//! The generator is ChaCha8 seeded from a `u64` (`SeedableRng::seed_from_u64`), whose stream is
//! specified and identical on every platform. Normal variates use the Box–Muller transform with
//! `libm`'s logarithm, square root and cosine, so the same seed gives the same numbers natively
//! and in wasm, bit for bit. (Samplers that call the platform's own `exp`/`ln`, as the ziggurat in
//! `rand_distr` does through `num-traits` when `std` is enabled anywhere in the build, give no such
//! guarantee.)

use rand::{RngExt, SeedableRng};

/// The generator used everywhere in the core.
pub type Rng = rand_chacha::ChaCha8Rng;

/// A generator seeded with `seed`.
pub fn seeded(seed: u64) -> Rng {
    Rng::seed_from_u64(seed)
}

/// A generator seeded with `seed` on an independent stream `stream` (for example one stream for
/// the data and another for the initialization of the same run).
pub fn seeded_stream(seed: u64, stream: u64) -> Rng {
    let mut rng = Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// A uniform variate in [0, 1) built from 53 random bits.
pub fn uniform01(rng: &mut Rng) -> f64 {
    rng.random::<f64>()
}

/// A standard normal variate: √(−2 ln u1) · cos(2π u2) with u1 ∈ (0, 1], u2 ∈ [0, 1).
pub fn standard_normal(rng: &mut Rng) -> f64 {
    let u1 = 1.0 - uniform01(rng);
    let u2 = uniform01(rng);
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(std::f64::consts::TAU * u2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_moments_match_a_standard_normal() {
        let mut rng = seeded(1);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| standard_normal(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        let kurt = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n as f64 / (var * var);
        // Standard errors: mean 1/√n ≈ 0.0022, variance √(2/n) ≈ 0.0032, kurtosis √(24/n) ≈ 0.011.
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.015, "var {var}");
        assert!((kurt - 3.0).abs() < 0.05, "kurtosis {kurt}");
        // P(|X| < 1) = 0.682689…
        let inside = xs.iter().filter(|x| x.abs() < 1.0).count() as f64 / n as f64;
        assert!((inside - 0.682_689_492).abs() < 0.005, "{inside}");
    }

    #[test]
    fn same_seed_same_stream() {
        let a: Vec<f64> = (0..8)
            .map({
                let mut r = seeded(42);
                move |_| standard_normal(&mut r)
            })
            .collect();
        let b: Vec<f64> = (0..8)
            .map({
                let mut r = seeded(42);
                move |_| standard_normal(&mut r)
            })
            .collect();
        assert_eq!(a, b);
    }
}
