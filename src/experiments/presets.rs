//! The paper's experiments as named presets (paper-notes §7, our setup).
//!
//! # Conventions
//! - Fig. 3 presets: l = 2, d = 2, e = 1, ½·MSE, no biases, the teacher problem
//!   ([`crate::core::data::teacher`], n = 200), η = 0.05. The weights are drawn Xavier-normal, the output
//!   weights' signs set by the preset, and each neuron rescaled (function unchanged) onto
//!   c_k = −1 (pathological presets) or c_k = +1 (`fig3-good-nonpathological`). The teacher needs one
//!   positive and one negative ReLU term, so (+,+) and (−,−) are obstructed and (+,−) is not.
//! - `fig4`: breast cancer (stratified 80/20 split with seed [`DATA_SPLIT_SEED`], standardized),
//!   BCE on logits, no output bias, Kaiming-normal weights; the first l+ neurons are made
//!   non-pathological and the others pathological with negative output weights. The sign of c_k is
//!   set by the rescaling that swaps ‖w_k‖ and ‖v_k‖ (c_k ↦ −c_k, function unchanged); the negative
//!   output sign is then imposed (this changes the function, as any initialization choice does).
//!   Our reading of how the paper imposes l+.
//! - Randomness: stream 0 of the run's seed draws the data (teacher only), stream 1 the weights.

use crate::core::data::{Dataset, TEACHER_N, breast_cancer_split, teacher};
use crate::core::error::ConfigError;
use crate::core::init::{FanMode, InitScheme, initialize, set_conserved_quantity};
use crate::core::network::{Architecture, Loss, Network, norm_sq};
use crate::core::rng::seeded_stream;
use crate::core::train::Integrator;
use serde::Serialize;

/// The seed of the breast cancer train/test split used by every `fig4` run.
pub const DATA_SPLIT_SEED: u64 = 0;
/// Learning rate of the Fig. 3 presets.
pub const FIG3_LR: f64 = 0.05;
/// Learning rate of the `fig4` preset.
pub const FIG4_LR: f64 = 0.1;
/// Default width of the `fig4` preset.
pub const FIG4_DEFAULT_L: usize = 16;
/// Default number of non-pathological neurons of the `fig4` preset.
pub const FIG4_DEFAULT_L_PLUS: usize = 4;
/// Largest width accepted for `fig4`.
pub const FIG4_MAX_L: usize = 256;

/// A named experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Preset {
    /// Both neurons pathological with positive output weights: obstructed.
    Fig3ObstructedPP,
    /// Both neurons pathological with negative output weights: obstructed.
    Fig3ObstructedMM,
    /// Pathological with opposite output signs: reaches the optimum.
    Fig3GoodPM,
    /// Both neurons non-pathological (c_k = +1): reaches the optimum.
    Fig3GoodNonPathological,
    /// The breast cancer experiment of Fig. 4 with l neurons, l+ of them non-pathological.
    Fig4 {
        /// Width.
        l: usize,
        /// Non-pathological neurons.
        l_plus: usize,
    },
}

/// A ready-to-train experiment.
#[derive(Debug, Clone)]
pub struct Experiment {
    /// The initialized network.
    pub net: Network,
    /// Training data.
    pub train: Dataset,
    /// Held-out data, when the experiment has them.
    pub test: Option<Dataset>,
    /// Default learning rate.
    pub lr: f64,
    /// Default integrator.
    pub integrator: Integrator,
    /// Numbers of positive and negative ReLU terms the target needs, when known (for the verdict).
    pub need: Option<(usize, usize)>,
}

impl Preset {
    /// The four Fig. 3 presets.
    pub const FIG3: [Preset; 4] = [
        Preset::Fig3ObstructedPP,
        Preset::Fig3ObstructedMM,
        Preset::Fig3GoodPM,
        Preset::Fig3GoodNonPathological,
    ];

    /// The name used on the command line and in links.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Fig3ObstructedPP => "fig3-obstructed-pp",
            Self::Fig3ObstructedMM => "fig3-obstructed-mm",
            Self::Fig3GoodPM => "fig3-good-pm",
            Self::Fig3GoodNonPathological => "fig3-good-nonpathological",
            Self::Fig4 { .. } => "fig4",
        }
    }

    /// Parses [`Preset::name`] (`fig4` gets its default width and l+).
    ///
    /// # Errors
    /// [`ConfigError::Unknown`] for any other name.
    pub fn parse(name: &str) -> Result<Self, ConfigError> {
        if name == "fig4" {
            return Ok(Self::Fig4 {
                l: FIG4_DEFAULT_L,
                l_plus: FIG4_DEFAULT_L_PLUS,
            });
        }
        Self::FIG3
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| ConfigError::Unknown {
                what: "preset",
                name: name.to_string(),
            })
    }

    /// Builds the experiment for `seed`.
    ///
    /// # Errors
    /// [`ConfigError`] for a `fig4` width outside 1..=[`FIG4_MAX_L`] or l+ > l.
    pub fn build(&self, seed: u64) -> Result<Experiment, ConfigError> {
        match *self {
            Self::Fig4 { l, l_plus } => fig4(l, l_plus, seed),
            Self::Fig3ObstructedPP => fig3(seed, Some([1.0, 1.0])),
            Self::Fig3ObstructedMM => fig3(seed, Some([-1.0, -1.0])),
            Self::Fig3GoodPM => fig3(seed, Some([1.0, -1.0])),
            Self::Fig3GoodNonPathological => fig3(seed, None),
        }
    }
}

/// Fig. 3: `signs` gives the output signs of two pathological neurons (c = −1); `None` makes both
/// neurons non-pathological (c = +1).
fn fig3(seed: u64, signs: Option<[f64; 2]>) -> Result<Experiment, ConfigError> {
    let mut data_rng_seed = seeded_stream(seed, 0);
    let data_seed = rand::RngExt::random::<u64>(&mut data_rng_seed);
    let train = teacher(TEACHER_N, data_seed);
    let arch = Architecture::new(2, 2, 1);
    let mut net = initialize_on_stream(arch, InitScheme::XavierNormal, seed)?;
    for k in 0..2 {
        match signs {
            Some(s) => {
                let (_, v) = net.neuron_mut(k);
                v[0] = s[k] * v[0].abs();
                set_conserved_quantity(&mut net, k, -1.0)?;
            }
            None => {
                set_conserved_quantity(&mut net, k, 1.0)?;
            }
        }
    }
    Ok(Experiment {
        net,
        train,
        test: None,
        lr: FIG3_LR,
        integrator: Integrator::Gd,
        need: Some((1, 1)),
    })
}

/// Initializes from stream 1 of `seed`, so the weights do not reuse the data's random numbers.
fn initialize_on_stream(
    arch: Architecture,
    scheme: InitScheme,
    seed: u64,
) -> Result<Network, ConfigError> {
    let mut r = seeded_stream(seed, 1);
    initialize(arch, scheme, rand::RngExt::random::<u64>(&mut r))
}

/// The Fig. 4 experiment: width l, the first `l_plus` neurons non-pathological.
///
/// # Errors
/// [`ConfigError`] for l outside 1..=[`FIG4_MAX_L`] or l+ > l.
pub fn fig4(l: usize, l_plus: usize, seed: u64) -> Result<Experiment, ConfigError> {
    let split = breast_cancer_split(DATA_SPLIT_SEED)?;
    fig4_on(&split.train, &split.test, l, l_plus, seed)
}

/// [`fig4`] on an already prepared split (a sweep prepares it once).
///
/// # Errors
/// As [`fig4`].
pub fn fig4_on(
    train: &Dataset,
    test: &Dataset,
    l: usize,
    l_plus: usize,
    seed: u64,
) -> Result<Experiment, ConfigError> {
    if l == 0 || l > FIG4_MAX_L {
        return Err(ConfigError::Dimension {
            name: "l",
            value: l,
            max: FIG4_MAX_L,
        });
    }
    if l_plus > l {
        return Err(ConfigError::Mismatch(format!(
            "l+ = {l_plus} is larger than the width l = {l}"
        )));
    }
    let arch = Architecture {
        loss: Loss::Bce,
        ..Architecture::new(train.d, l, 1)
    };
    let mut net = initialize_on_stream(
        arch,
        InitScheme::KaimingNormal {
            mode: FanMode::FanIn,
        },
        seed,
    )?;
    for k in 0..l {
        let (w, v) = net.neuron_mut(k);
        let c = norm_sq(w) - norm_sq(v);
        let want_positive = k < l_plus;
        if (c > 0.0) != want_positive {
            set_conserved_quantity(&mut net, k, -c)?;
        }
        if !want_positive {
            let (_, v) = net.neuron_mut(k);
            v[0] = -v[0].abs();
        }
    }
    Ok(Experiment {
        net,
        train: train.clone(),
        test: Some(test.clone()),
        lr: FIG4_LR,
        integrator: Integrator::Gd,
        need: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::topology::{pathological_neurons, pathological_signs};

    #[test]
    fn fig3_presets_sit_in_their_components() {
        for (p, c, signs) in [
            (Preset::Fig3ObstructedPP, -1.0, vec![1, 1]),
            (Preset::Fig3ObstructedMM, -1.0, vec![-1, -1]),
            (Preset::Fig3GoodPM, -1.0, vec![1, -1]),
            (Preset::Fig3GoodNonPathological, 1.0, vec![]),
        ] {
            let ex = p.build(7).unwrap();
            for ck in ex.net.conserved_quantities() {
                assert!((ck - c).abs() < 1e-12, "{}: {ck}", p.name());
            }
            let cs = ex.net.conserved_quantities();
            assert_eq!(pathological_signs(&ex.net, &cs), signs, "{}", p.name());
            assert_eq!(Preset::parse(p.name()).unwrap(), p);
        }
        assert!(Preset::parse("fig5").is_err());
    }

    #[test]
    fn fig4_imposes_l_plus_and_negative_pathological_outputs() {
        for l_plus in [0, 3, 8] {
            let ex = fig4(8, l_plus, 2).unwrap();
            let c = ex.net.conserved_quantities();
            let patho = pathological_neurons(1, &c);
            assert_eq!(patho, (l_plus..8).collect::<Vec<_>>());
            assert!(patho.iter().all(|&k| ex.net.v(k)[0] < 0.0));
        }
        assert!(fig4(4, 5, 0).is_err());
        assert!(fig4(0, 0, 0).is_err());
    }
}
