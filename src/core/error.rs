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
