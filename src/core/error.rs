//! Typed errors of the core, one enum per domain.
//!
//! Configuration is validated once, at construction ([`ConfigError`]); stepping a valid
//! configuration can only fail by diverging ([`TrainError`]), which is reported, never
//! propagated as NaN.

use std::fmt;

/// A configuration (architecture, data, learning rate, c-vector, …) that the core refuses.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigError {
    /// A dimension that must be at least one was zero or too large.
    Dimension {
        /// Which dimension (`"d"`, `"l"`, `"e"`, …).
        name: &'static str,
        /// The value given.
        value: usize,
        /// The largest accepted value.
        max: usize,
    },
    /// A number outside its accepted range (or not finite).
    OutOfRange {
        /// Which setting.
        name: &'static str,
        /// The value given.
        value: f64,
        /// A human-readable description of the accepted range.
        range: &'static str,
    },
    /// Two pieces of a configuration disagree (for instance data and network dimensions).
    Mismatch(String),
    /// A name (preset, integrator, init scheme) that is not known.
    Unknown {
        /// What kind of name.
        what: &'static str,
        /// The name given.
        name: String,
    },
    /// A neuron cannot be rescaled onto the requested quadric (paper-notes §2).
    Rescale(RescaleError),
    /// Data this build does not carry and that has not been handed over yet (the page's wasm
    /// fetches the breast cancer file: [`crate::core::data::provide_breast_cancer_csv`]).
    NotLoaded(&'static str),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Dimension { name, value, max } => {
                write!(
                    f,
                    "{name} = {value} is out of range: it must be between 1 and {max}"
                )
            }
            Self::OutOfRange { name, value, range } => {
                write!(f, "{name} = {value} is out of range: it must be {range}")
            }
            Self::Mismatch(msg) => f.write_str(msg),
            Self::Unknown { what, name } => write!(f, "unknown {what} '{name}'"),
            Self::Rescale(e) => e.fmt(f),
            Self::NotLoaded(what) => write!(f, "{what} are still loading"),
        }
    }
}

impl std::error::Error for ConfigError {}

impl From<RescaleError> for ConfigError {
    fn from(e: RescaleError) -> Self {
        Self::Rescale(e)
    }
}

/// Why a neuron (w, v) cannot be moved onto ‖w‖² − ‖v‖² = c by (w, v) ↦ (αw, v/α), α > 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RescaleError {
    /// w = 0, so ‖αw‖² − ‖v/α‖² ≤ 0 for every α: a target c > 0 (or c = 0 with v ≠ 0) is out of reach.
    ZeroInputWeights {
        /// The neuron.
        neuron: usize,
        /// The requested c.
        target: f64,
    },
    /// v = 0, so ‖αw‖² − ‖v/α‖² ≥ 0 for every α: a target c < 0 (or c = 0 with w ≠ 0) is out of reach.
    ZeroOutputWeights {
        /// The neuron.
        neuron: usize,
        /// The requested c.
        target: f64,
    },
    /// The target or the weights are not finite.
    NotFinite {
        /// The neuron.
        neuron: usize,
    },
}

impl fmt::Display for RescaleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ZeroInputWeights { neuron, target } => write!(
                f,
                "neuron {neuron} has zero input weights, so no rescaling gives c = {target}"
            ),
            Self::ZeroOutputWeights { neuron, target } => write!(
                f,
                "neuron {neuron} has zero output weights, so no rescaling gives c = {target}"
            ),
            Self::NotFinite { neuron } => {
                write!(f, "neuron {neuron} has non-finite weights or target")
            }
        }
    }
}

impl std::error::Error for RescaleError {}

/// A training run that left the finite numbers.
#[derive(Debug, Clone, PartialEq)]
pub enum TrainError {
    /// The loss or a parameter became NaN or infinite. The trainer keeps the last finite state.
    Diverged {
        /// The step at which the divergence was detected (0-based count of steps taken before it).
        step: u64,
        /// The loss that was computed, possibly NaN or infinite.
        loss: f64,
        /// The learning rate in force.
        lr: f64,
    },
    /// The adaptive flow integrator could not meet its tolerance within its substep budget.
    StepBudget {
        /// The step at which the budget ran out.
        step: u64,
    },
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Diverged { step, loss, lr } => {
                // Said in words: a page never shows "NaN" or "inf".
                let what = if loss.is_nan() {
                    "the loss is no longer a number".to_string()
                } else if loss.is_infinite() {
                    "the loss became infinite".to_string()
                } else {
                    format!("a parameter is no longer a number at loss {loss}")
                };
                write!(
                    f,
                    "training diverged at step {step} ({what}) with learning rate {lr}: \
                     lower the learning rate and reset"
                )
            }
            Self::StepBudget { step } => write!(
                f,
                "the gradient-flow integrator needed too many substeps at step {step}"
            ),
        }
    }
}

impl std::error::Error for TrainError {}

/// A topological quantity that does not fit the number type (too many neurons).
#[derive(Debug, Clone, PartialEq)]
pub enum TopologyError {
    /// A Betti number would overflow 128 bits.
    Overflow {
        /// The number of neurons.
        l: usize,
    },
    /// A dimension was zero.
    Dimension {
        /// Which dimension.
        name: &'static str,
    },
    /// A dimension above the largest accepted one.
    TooLarge {
        /// Which dimension.
        name: &'static str,
        /// The value given.
        value: usize,
        /// The largest accepted value.
        max: usize,
    },
    /// A c_k is not finite.
    NotFinite {
        /// The neuron.
        neuron: usize,
    },
    /// The obstruction verdict of paper-notes §5 is stated for a scalar output only.
    NotScalarOutput {
        /// The output dimension given.
        e: usize,
    },
    /// The label and c-vector lengths disagree.
    Mismatch(String),
}

impl fmt::Display for TopologyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Overflow { l } => {
                write!(
                    f,
                    "l = {l} neurons: the Betti numbers do not fit in 128 bits"
                )
            }
            Self::Dimension { name } => write!(f, "{name} must be at least 1"),
            Self::TooLarge { name, value, max } => {
                write!(f, "{name} = {value} is too large: it must be at most {max}")
            }
            Self::NotFinite { neuron } => write!(f, "c_{neuron} is not a finite number"),
            Self::NotScalarOutput { e } => write!(
                f,
                "the obstruction verdict needs a scalar output (e = 1), got e = {e}"
            ),
            Self::Mismatch(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for TopologyError {}

/// A file the user brought (a weights file, a CSV table) that the lab refuses.
///
/// `code` is a stable machine-readable name of the problem; `message` is one or more full sentences
/// that name it precisely (which row, line, column or key, and what was expected), fit to show as
/// is. Codes: `empty`, `too_large`, `not_json`, `shape`, `not_finite`, `unknown_key`, `missing`
/// (weights files); `bad_cell`, `ragged`, `too_many_rows`, `too_many_columns`, `too_few_columns`,
/// `not_utf8` (CSV files; `empty` and `too_large` too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The kind of problem, one of the codes above.
    pub code: &'static str,
    /// What is wrong, in full sentences.
    pub message: String,
}

impl InputError {
    /// An error with this code and message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InputError {}

/// Why a network cannot be rebalanced onto a target c (every neuron concerned is listed, by
/// 1-based index).
#[derive(Debug, Clone, PartialEq)]
pub enum RebalanceError {
    /// The target is NaN or infinite.
    TargetNotFinite {
        /// The target given.
        target: f64,
    },
    /// Some neurons cannot reach the target by any rescaling α > 0.
    Unreachable {
        /// The target c.
        target: f64,
        /// Neurons whose input weights (bias included) are all zero: ‖αw_k‖² − ‖v_k/α‖² ≤ 0 for
        /// every α, and it is 0 only when v_k = 0 too (1-based).
        zero_input: Vec<usize>,
        /// Neurons whose output weights are all zero: ‖αw_k‖² − ‖v_k/α‖² = α²‖w_k‖² ≥ 0, and
        /// it reaches 0 only when w_k = 0 too (1-based).
        zero_output: Vec<usize>,
        /// Neurons whose weights are so large that ‖w_k‖²‖v_k‖² overflows (1-based).
        too_large: Vec<usize>,
    },
}

/// "Neuron 3 has" / "Neurons 3 and 7 have" / "Neurons 1, 2, 5 and 9 have" (at most 12 named).
pub(crate) fn neurons_phrase(list: &[usize]) -> String {
    const SHOWN: usize = 12;
    match list {
        [] => "No neuron has".to_string(),
        [k] => format!("Neuron {k} has"),
        _ if list.len() <= SHOWN => {
            let (last, rest) = list.split_last().unwrap_or((&0, &[]));
            let rest: Vec<String> = rest.iter().map(usize::to_string).collect();
            format!("Neurons {} and {last} have", rest.join(", "))
        }
        _ => {
            let shown: Vec<String> = list[..SHOWN].iter().map(usize::to_string).collect();
            format!(
                "Neurons {} and {} more have",
                shown.join(", "),
                list.len() - SHOWN
            )
        }
    }
}

impl fmt::Display for RebalanceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TargetNotFinite { target } => write!(
                f,
                "The target c = {target} is not a finite number; rebalancing needs a finite target."
            ),
            Self::Unreachable {
                target,
                zero_input,
                zero_output,
                too_large,
            } => {
                let mut sentences = Vec::new();
                let plural = |list: &[usize]| if list.len() == 1 { "it" } else { "they" };
                if !zero_input.is_empty() {
                    sentences.push(format!(
                        "{} all input weights zero and cannot be rescaled onto c = {target}{}.",
                        neurons_phrase(zero_input),
                        if *target > 0.0 {
                            format!(
                                " (with w_k = 0, rescaling keeps c_k ≤ 0, so {} can never reach a positive c)",
                                plural(zero_input)
                            )
                        } else {
                            String::new()
                        }
                    ));
                }
                if !zero_output.is_empty() {
                    sentences.push(format!(
                        "{} all output weights zero and cannot be rescaled onto c = {target} \
                         (with v_k = 0, rescaling keeps c_k = α²‖w_k‖² > 0).",
                        neurons_phrase(zero_output),
                    ));
                }
                if !too_large.is_empty() {
                    sentences.push(format!(
                        "{} weights so large that ‖w_k‖²‖v_k‖² overflows, so no rescaling factor \
                         can be computed.",
                        neurons_phrase(too_large),
                    ));
                }
                f.write_str(&sentences.join(" "))
            }
        }
    }
}

impl std::error::Error for RebalanceError {}
