//! Links: the page's whole state in the URL fragment, versioned, parsed and validated here so that
//! an edited, truncated or hostile link can never reach a view with a value its controls refuse.
//!
//! # Format (version 1)
//! `#<view>?v=1&<key>=<value>&<key>=<value>…`, in the fragment so that it works from `file://` and
//! static hosting. `<view>` is one of [`View::ALL`]; the keys of each view, their kinds, limits and
//! defaults are the declarative [`schema`]. Values are percent-encoded UTF-8; numbers are plain
//! decimals (`0.05`, `-1.5`, `1e-7`, never `NaN`, `Infinity` or hex), booleans `1`/`0`, lists
//! comma-separated. [`format_link`] writes every key of the view (not only those that differ from
//! the defaults), in schema order, floats in their shortest exact form, so a link means the same
//! thing even if a later release changes a default.
//!
//! # Version 0
//! The first release wrote bare `#fig3`, `#fig1b`, `#topology`, `#heatmaps`, `#fig4` (or no fragment
//! at all). These are read as version 0: the view with every setting at its default.
//!
//! # Compatibility promise
//! A version-1 link keeps its meaning: keys are never renamed or removed, their defaults never
//! change, and limits only ever widen. A change that breaks this bumps the version, and the parser
//! keeps reading every older version (the fixtures in `tests/links/` hold links of each version
//! with what they must restore). A link of a newer version than this page knows opens its view at
//! the defaults with a message.
//!
//! # Bad links
//! Parsing never fails: it returns the view, every key's value (the accepted one, else the default)
//! and one [`Rejection`] per refused piece, naming the key, the raw value (escaped and cut to
//! [`SHOWN_CHARS`] characters) and a specific [`Reason`].
//!
//! Nothing here reads the DOM or a clock; `src/web/link.rs` is the thin browser binding.

use crate::app::session::MAX_SEED;
use crate::app::single_neuron::{DEFAULT_LR, WINDOW};
use crate::core::train::MAX_LR;
use crate::experiments::presets::{FIG3_LR, FIG4_LR, Preset};
use serde::Serialize;
use std::collections::BTreeMap;
use std::f64::consts::PI;
use std::fmt::{self, Write as _};

/// The format version this module writes.
pub const FORMAT_VERSION: u64 = 1;
/// Longest fragment read (in bytes); a longer link opens its view at the defaults.
pub const MAX_LINK_LEN: usize = 16_384;
/// Longest scalar value (in bytes, before decoding).
pub const MAX_VALUE_LEN: usize = 64;
/// Longest list value (in bytes, before decoding).
pub const MAX_LIST_LEN: usize = 8_192;
/// The key every view's link may carry for embed mode (`1` or `0`; see [`ParsedLink::embed`]).
pub const EMBED_KEY: &str = "embed";
/// Characters of a rejected key or value quoted back in a message.
pub const SHOWN_CHARS: usize = 48;
/// Most steps a Fig. 3 link replays (gradient descent: both runs in a few tens of milliseconds).
pub const FIG3_MAX_REPLAY: u64 = 20_000;
/// Most steps a Fig. 3 link replays with the gradient-flow integrator (its adaptive substeps make a
/// step of an obstructed run up to a few hundred times dearer than a GD step, so the view model
/// replays it in slices across frames: [`crate::app::fig3::FLOW_REPLAY_SLICE`]).
pub const FIG3_MAX_FLOW_REPLAY: u64 = 1_000;
/// Most steps a Fig. 1b link replays.
pub const FIG1B_MAX_REPLAY: u64 = 20_000;
/// Most steps of the appendix view's live run (the page stops it there).
pub const HEATMAP_RUN_MAX_STEPS: u64 = 5_000;
/// Largest d and e of the topology view (its calculator and random networks).
pub const TOPOLOGY_DIM_MAX: u64 = 1000;
/// Widest random network of the Fig. 2b diagram.
pub const TOPOLOGY_L_MAX: u64 = 64;
/// Most c_k the topology calculator takes.
pub const TOPOLOGY_C_MAX: usize = 300;
/// Rows (d) and columns (l) of the appendix heatmaps.
pub const HEATMAP_DIM: u64 = 50;
/// Most Monte Carlo samples of the appendix view.
pub const HEATMAP_MC_MAX: u64 = crate::app::random_run::MAX_VIEW_MC_SAMPLES;
/// Widths offered by the Fig. 4 view.
pub const FIG4_WIDTHS: [u64; 5] = [1, 2, 4, 8, 16];
/// Most seeds per (l, l+) of the Fig. 4 view.
pub const FIG4_MAX_SEEDS: u64 = 20;
/// Most GD steps per Fig. 4 job.
pub const FIG4_MAX_STEPS: u64 = 5000;
/// The Fig. 2a slider moves in steps of 1/20.
pub const TOPOLOGY_C_STEP: f64 = 0.05;
/// Smallest pitch of a 3-D plot (radians).
pub const PITCH_MIN: f64 = 0.05;
/// Largest pitch of a 3-D plot (radians).
pub const PITCH_MAX: f64 = 1.3;

/// A view of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum View {
    /// Fig. 3: two training runs side by side.
    Fig3,
    /// Fig. 1b: one neuron on its hyperbola.
    Fig1b,
    /// Fig. 2a, Fig. 2b and the topology calculator.
    Topology,
    /// The appendix heatmaps.
    Heatmaps,
    /// The Fig. 4 sweep.
    Fig4,
    /// The guided tour: one step of the paper's story, which opens another view's link.
    Tour,
    /// The lab: the reader's own network, checked, rebalanced and trained.
    Lab,
}

impl View {
    /// Every view, the default first.
    pub const ALL: [View; 7] = [
        View::Fig3,
        View::Fig1b,
        View::Topology,
        View::Heatmaps,
        View::Fig4,
        View::Tour,
        View::Lab,
    ];

    /// The name written in links.
    pub fn name(self) -> &'static str {
        match self {
            Self::Fig3 => "fig3",
            Self::Fig1b => "fig1b",
            Self::Topology => "topology",
            Self::Heatmaps => "heatmaps",
            Self::Fig4 => "fig4",
            Self::Tour => "tour",
            Self::Lab => "lab",
        }
    }

    /// The view called `name`, if any.
    pub fn parse(name: &str) -> Option<View> {
        Self::ALL.into_iter().find(|v| v.name() == name)
    }
}

/// What a key holds, with the exact limits the page's control allows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Kind {
    /// A whole number in `min..=max`.
    Int {
        /// Smallest value.
        min: u64,
        /// Largest value.
        max: u64,
    },
    /// A finite number in `[min, max]` (or `(min, max]` when `min_open`), a multiple of `step`
    /// when there is one.
    Float {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
        /// Whether `min` itself is refused.
        min_open: bool,
        /// The value must be a whole multiple of this.
        step: Option<f64>,
    },
    /// One of a fixed list of names.
    Enum {
        /// The names.
        options: &'static [&'static str],
        /// What the page's control shows for each name (same order).
        #[serde(skip)]
        labels: &'static [&'static str],
    },
    /// `1` or `0`.
    Bool,
    /// Comma-separated finite numbers in `[min, max]`, `min_len..=max_len` of them.
    FloatList {
        /// Fewest entries.
        min_len: usize,
        /// Most entries.
        max_len: usize,
        /// Lower bound of each entry.
        min: f64,
        /// Upper bound of each entry.
        max: f64,
    },
    /// A comma-separated subset of `options` (each at most once; may be empty).
    IntSet {
        /// The allowed numbers, increasing.
        options: &'static [u64],
    },
}

/// A default value in the schema.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Default {
    /// No value (an optional key).
    None,
    /// A whole number.
    Int(u64),
    /// A number.
    Float(f64),
    /// A name.
    Text(&'static str),
    /// A boolean.
    Bool(bool),
    /// A list of numbers.
    Floats(&'static [f64]),
    /// A set of whole numbers.
    Ints(&'static [u64]),
}

/// One key of a view.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Param {
    /// The key written in links.
    pub key: &'static str,
    /// What the page's control calls it.
    pub label: &'static str,
    /// Kind and limits.
    #[serde(flatten)]
    pub kind: Kind,
    /// The value when the link does not give one (`None`: the key is optional).
    pub default: Default,
}

/// A typed value of a key.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// An optional key without a value (`null` in JavaScript).
    None,
    /// A whole number (at most 2^53 − 1 for seeds, so exact in JavaScript).
    Int(u64),
    /// A finite number.
    Float(f64),
    /// An option name.
    Text(String),
    /// A boolean.
    Bool(bool),
    /// A list of numbers.
    Floats(Vec<f64>),
    /// A set of whole numbers, increasing.
    Ints(Vec<u64>),
}

impl From<Default> for Value {
    fn from(d: Default) -> Self {
        match d {
            Default::None => Value::None,
            Default::Int(n) => Value::Int(n),
            Default::Float(x) => Value::Float(x),
            Default::Text(s) => Value::Text(s.to_string()),
            Default::Bool(b) => Value::Bool(b),
            Default::Floats(v) => Value::Floats(v.to_vec()),
            Default::Ints(v) => Value::Ints(v.to_vec()),
        }
    }
}

/// Option names and the labels the page's control shows for them.
type Choices = (&'static [&'static str], &'static [&'static str]);

const INTEGRATORS: &[&str] = &["gd", "flow", "conserving"];
const FIG3_INTEGRATORS: Choices = (
    INTEGRATORS,
    &[
        "gradient descent (paper)",
        "gradient flow (adaptive RK)",
        "GD + rescale onto Q(c)",
    ],
);
const FIG1B_INTEGRATORS: Choices = (
    INTEGRATORS,
    &[
        "gradient descent (paper)",
        "gradient flow (exact)",
        "GD projected onto c",
    ],
);
const FIG3_PRESETS: &[&str] = &[
    "fig3-obstructed-pp",
    "fig3-obstructed-mm",
    "fig3-good-pm",
    "fig3-good-nonpathological",
];
const FIG3_ROWS: Choices = (
    FIG3_PRESETS,
    &[
        "obstructed (+,+)",
        "obstructed (−,−)",
        "good (+,−)",
        "good, no pathological neuron",
    ],
);
const SCHEMES: Choices = (
    &[
        "xavier_normal",
        "xavier_uniform",
        "kaiming_normal",
        "kaiming_uniform",
        "kaiming_normal_fan_out",
        "kaiming_uniform_fan_out",
    ],
    &[
        "Xavier normal",
        "Xavier uniform",
        "Kaiming normal (fan_in)",
        "Kaiming uniform (fan_in)",
        "Kaiming normal (fan_out)",
        "Kaiming uniform (fan_out)",
    ],
);
const SOURCES: Choices = (
    &["top", "bottom", "random"],
    &[
        "Fig. 3 top run (as it is now)",
        "Fig. 3 bottom run (as it is now)",
        "a random initialization (set below)",
    ],
);
const MAPS: Choices = (
    &["none", "xavier", "kaiming"],
    &["none", "Xavier normal", "Kaiming normal"],
);

const fn int(key: &'static str, label: &'static str, min: u64, max: u64, d: Default) -> Param {
    Param {
        key,
        label,
        kind: Kind::Int { min, max },
        default: d,
    }
}

const fn float(key: &'static str, label: &'static str, min: f64, max: f64, d: f64) -> Param {
    Param {
        key,
        label,
        kind: Kind::Float {
            min,
            max,
            min_open: false,
            step: None,
        },
        default: Default::Float(d),
    }
}

/// A learning rate: greater than 0 and at most [`MAX_LR`] (as `train::validate_lr`).
const fn lr(label: &'static str, d: f64) -> Param {
    Param {
        key: "lr",
        label,
        kind: Kind::Float {
            min: 0.0,
            max: MAX_LR,
            min_open: true,
            step: None,
        },
        default: Default::Float(d),
    }
}

const fn choice(
    key: &'static str,
    label: &'static str,
    (options, labels): (&'static [&'static str], &'static [&'static str]),
    d: &'static str,
) -> Param {
    Param {
        key,
        label,
        kind: Kind::Enum { options, labels },
        default: Default::Text(d),
    }
}

const fn flag(key: &'static str, label: &'static str, d: bool) -> Param {
    Param {
        key,
        label,
        kind: Kind::Bool,
        default: Default::Bool(d),
    }
}

const FIG3: &[Param] = &[
    choice("top", "Top row", FIG3_ROWS, "fig3-obstructed-pp"),
    choice("bottom", "Bottom row", FIG3_ROWS, "fig3-good-pm"),
    int("seed", "Seed", 0, MAX_SEED, Default::Int(0)),
    lr("Learning rate η", FIG3_LR),
    choice("int", "Integrator", FIG3_INTEGRATORS, "gd"),
    int("speed", "Steps per frame", 1, 1000, Default::Int(4)),
    flag("log", "Log-scale loss", true),
    flag("pause", "Pause at t* = 500", true),
    flag("play", "plays on arrival", true),
    int("step", "step reached", 0, FIG3_MAX_REPLAY, Default::Int(0)),
    float("ty", "top row yaw", -PI, PI, 0.6),
    float("tp", "top row pitch", PITCH_MIN, PITCH_MAX, 0.35),
    float("by", "bottom row yaw", -PI, PI, 0.6),
    float("bp", "bottom row pitch", PITCH_MIN, PITCH_MAX, 0.35),
];

const FIG1B: &[Param] = &[
    lr("learning rate η", DEFAULT_LR),
    choice("int", "integrator", FIG1B_INTEGRATORS, "gd"),
    int("speed", "steps per frame", 1, 500, Default::Int(1)),
    float("w0", "start w", -WINDOW, WINDOW, 2.0),
    float("v0", "start v", -WINDOW, WINDOW, -0.5),
    Param {
        key: "alpha",
        label: "rescaling factor α",
        kind: Kind::Float {
            min: 0.0,
            max: f64::MAX,
            min_open: true,
            step: None,
        },
        default: Default::Float(2.0),
    },
    int("step", "step reached", 0, FIG1B_MAX_REPLAY, Default::Int(0)),
];

const TOPOLOGY: &[Param] = &[
    Param {
        key: "c",
        label: "Conserved quantity c (−2 to 2, steps of 0.05)",
        kind: Kind::Float {
            min: -2.0,
            max: 2.0,
            min_open: false,
            step: Some(TOPOLOGY_C_STEP),
        },
        default: Default::Float(1.0),
    },
    float("yaw", "Fig. 2a yaw", -PI, PI, 0.6),
    float("pitch", "Fig. 2a pitch", PITCH_MIN, PITCH_MAX, 0.35),
    choice("src", "Network", SOURCES, "top"),
    int("d", "Inputs d", 1, TOPOLOGY_DIM_MAX, Default::Int(2)),
    int("l", "Hidden width l", 1, TOPOLOGY_L_MAX, Default::Int(6)),
    choice("scheme", "Initialization", SCHEMES, "xavier_normal"),
    int("seed", "Seed", 0, MAX_SEED, Default::Int(0)),
    int(
        "cd",
        "Input dimension d",
        1,
        TOPOLOGY_DIM_MAX,
        Default::Int(2),
    ),
    int(
        "ce",
        "Output dimension e",
        1,
        TOPOLOGY_DIM_MAX,
        Default::Int(1),
    ),
    Param {
        key: "cc",
        label: "c₁, c₂, … (comma-separated)",
        kind: Kind::FloatList {
            min_len: 1,
            max_len: TOPOLOGY_C_MAX,
            min: f64::MIN,
            max: f64::MAX,
        },
        default: Default::Floats(&[-1.0, -1.5]),
    },
];

const HEATMAPS: &[Param] = &[
    choice("sel", "selected map", MAPS, "none"),
    int(
        "d",
        "selected input dimension d",
        1,
        HEATMAP_DIM,
        Default::Int(1),
    ),
    int(
        "l",
        "selected hidden width l",
        1,
        HEATMAP_DIM,
        Default::Int(1),
    ),
    flag("mc", "Monte Carlo check", false),
    int(
        "n",
        "Samples (1 to 200000)",
        1,
        HEATMAP_MC_MAX,
        Default::Int(20_000),
    ),
    int("mcseed", "Monte Carlo seed", 0, MAX_SEED, Default::Int(1)),
    int(
        "rseed",
        "Run seed (empty: fresh)",
        0,
        MAX_SEED,
        Default::None,
    ),
    int("run", "seed of the live run", 0, MAX_SEED, Default::None),
    int(
        "rstep",
        "step of the live run",
        0,
        HEATMAP_RUN_MAX_STEPS,
        Default::Int(0),
    ),
];

const FIG4: &[Param] = &[
    Param {
        key: "w",
        label: "Widths l",
        kind: Kind::IntSet {
            options: &FIG4_WIDTHS,
        },
        default: Default::Ints(&FIG4_WIDTHS),
    },
    int("seeds", "Seeds (1–20)", 1, FIG4_MAX_SEEDS, Default::Int(3)),
    int(
        "steps",
        "GD steps (1–5000)",
        1,
        FIG4_MAX_STEPS,
        Default::Int(500),
    ),
    lr("Learning rate η", FIG4_LR),
    flag("ran", "sweep run", false),
];

const TOUR: &[Param] = &[int(
    "step",
    "Tour step",
    1,
    crate::app::tour::STEPS.len() as u64,
    Default::Int(1),
)];

/// Largest run length of the lab.
pub const LAB_MAX_STEPS: u64 = 1_000_000;
/// Largest number of teacher terms of each sign.
pub const LAB_MAX_TERMS: u64 = 16;
/// Largest number of rows of the lab's generated data.
pub const LAB_MAX_ROWS: u64 = 100_000;

const LAB_OPTIMIZERS: Choices = (
    &["gd", "sgd", "momentum", "adam"],
    &[
        "gradient descent (GD)",
        "mini-batch SGD",
        "heavy-ball momentum",
        "Adam (AdamW decay)",
    ],
);
const LAB_INTEGRATORS: Choices = (
    INTEGRATORS,
    &[
        "plain steps",
        "gradient flow (adaptive RK)",
        "GD + rescale onto Q(c)",
    ],
);
const LAB_ACTIVATIONS: Choices = (
    &["relu", "leaky_relu", "softplus"],
    &["ReLU", "leaky ReLU", "softplus (not homogeneous)"],
);
const LAB_DATA: Choices = (
    &["teacher", "cancer", "csv"],
    &[
        "teacher Σ s_j σ(u_j·x)",
        "breast cancer (30 inputs)",
        "your CSV file",
    ],
);
const LAB_LOSSES: Choices = (
    &["mse", "bce"],
    &["½ squared error", "binary cross-entropy"],
);

const fn unit(key: &'static str, label: &'static str, d: f64) -> Param {
    float(key, label, 0.0, 0.999_999, d)
}

const LAB: &[Param] = &[
    int("d", "Inputs d", 1, 1000, Default::Int(2)),
    int("l", "Hidden width l", 1, 256, Default::Int(6)),
    int("e", "Outputs e", 1, 16, Default::Int(1)),
    flag("bias", "Hidden biases", false),
    choice("scheme", "Initialization", SCHEMES, "xavier_normal"),
    Param {
        key: "gain",
        label: "Gain",
        kind: Kind::Float {
            min: 0.0,
            max: 100.0,
            min_open: true,
            step: None,
        },
        default: Default::Float(1.0),
    },
    int("seed", "Seed", 0, MAX_SEED, Default::Int(0)),
    choice("data", "Data", LAB_DATA, "teacher"),
    int("tpos", "Positive terms", 0, LAB_MAX_TERMS, Default::Int(1)),
    int("tneg", "Negative terms", 0, LAB_MAX_TERMS, Default::Int(1)),
    int("n", "Rows n", 1, LAB_MAX_ROWS, Default::Int(200)),
    int("dseed", "Data seed", 0, MAX_SEED, Default::Int(1)),
    choice("loss", "Loss", LAB_LOSSES, "mse"),
    choice("opt", "Optimizer", LAB_OPTIMIZERS, "gd"),
    choice("int", "Integrator (GD)", LAB_INTEGRATORS, "gd"),
    lr("Learning rate η", 0.05),
    int("batch", "Batch size", 1, LAB_MAX_ROWS, Default::Int(32)),
    unit("beta", "Momentum β", 0.9),
    unit("beta1", "Adam β₁", 0.9),
    unit("beta2", "Adam β₂", 0.999),
    Param {
        key: "eps",
        label: "Adam ε",
        kind: Kind::Float {
            min: 0.0,
            max: 1.0,
            min_open: true,
            step: None,
        },
        default: Default::Float(1e-8),
    },
    float("wd", "Weight decay λ", 0.0, 100.0, 0.0),
    choice("act", "Activation", LAB_ACTIVATIONS, "relu"),
    unit("slope", "Leaky slope a", 0.01),
    int(
        "steps",
        "Run length (steps)",
        1,
        LAB_MAX_STEPS,
        Default::Int(2000),
    ),
    int(
        "speed",
        "Steps per frame (at most)",
        1,
        100_000,
        Default::Int(20),
    ),
    float("target", "Rebalance onto c =", -1e6, 1e6, 0.0),
    int("step", "step reached", 0, LAB_MAX_STEPS, Default::Int(0)),
];

/// The keys of `view`, in the order links write them.
pub fn schema(view: View) -> &'static [Param] {
    match view {
        View::Fig3 => FIG3,
        View::Fig1b => FIG1B,
        View::Topology => TOPOLOGY,
        View::Heatmaps => HEATMAPS,
        View::Fig4 => FIG4,
        View::Tour => TOUR,
        View::Lab => LAB,
    }
}

/// Why a piece of a link was refused.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// The view is not one of [`View::ALL`].
    UnknownView,
    /// The key is not one of the view's.
    UnknownKey,
    /// `key` without `=value`, or an empty value.
    MissingValue,
    /// Not a decimal number.
    NotANumber,
    /// `NaN`, `Infinity` or a number too large to be finite.
    NotFinite,
    /// A fraction where a whole number is needed.
    NotWhole,
    /// Outside the control's limits.
    OutOfRange {
        /// The accepted range, as written in the message.
        range: String,
    },
    /// Not on the control's grid.
    NotAMultiple {
        /// The grid step.
        step: f64,
    },
    /// Not one of the options.
    UnknownOption {
        /// The options.
        options: Vec<&'static str>,
    },
    /// Not `1` or `0`.
    NotABool,
    /// The key was already given.
    DuplicateKey,
    /// A `%` not followed by two hex digits, or bytes that are not UTF-8.
    MalformedPercent,
    /// Longer than the limit.
    TooLong {
        /// The limit in bytes.
        max: usize,
    },
    /// A list with too few or too many entries.
    ListLength {
        /// Fewest entries.
        min: usize,
        /// Most entries.
        max: usize,
    },
    /// A list entry given twice.
    RepeatedEntry,
    /// Written by a newer page.
    FutureVersion {
        /// The version given, as its digits (it may exceed 2^53, where JavaScript numbers round).
        found: String,
    },
    /// A version that is not a positive whole number.
    BadVersion,
    /// Settings without a version: read as version 1.
    MissingVersion,
    /// More steps than a link replays with this integrator.
    ReplayTooLong {
        /// The most steps replayed.
        max: u64,
    },
    /// A value the view model could not take (a run that cannot be built from it).
    Refused {
        /// Why, in a sentence.
        why: String,
    },
    /// A value that needs another key (the live run of the appendix view needs a selected cell).
    Needs {
        /// The key needed.
        needs: &'static str,
    },
}

impl Reason {
    /// The short code of this reason (the `code` field JavaScript sees).
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownView => "unknown_view",
            Self::UnknownKey => "unknown_key",
            Self::MissingValue => "missing_value",
            Self::NotANumber => "not_a_number",
            Self::NotFinite => "not_finite",
            Self::NotWhole => "not_whole",
            Self::OutOfRange { .. } => "out_of_range",
            Self::NotAMultiple { .. } => "not_a_multiple",
            Self::UnknownOption { .. } => "unknown_option",
            Self::NotABool => "not_a_bool",
            Self::DuplicateKey => "duplicate_key",
            Self::MalformedPercent => "malformed_percent",
            Self::TooLong { .. } => "too_long",
            Self::ListLength { .. } => "list_length",
            Self::RepeatedEntry => "repeated_entry",
            Self::FutureVersion { .. } => "future_version",
            Self::BadVersion => "bad_version",
            Self::MissingVersion => "missing_version",
            Self::Needs { .. } => "needs",
            Self::Refused { .. } => "refused",
            Self::ReplayTooLong { .. } => "replay_too_long",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownView => {
                let names: Vec<&str> = View::ALL.iter().map(|v| v.name()).collect();
                write!(
                    f,
                    "unknown view (known: {}); the default view is shown and its settings were ignored",
                    names.join(", ")
                )
            }
            Self::UnknownKey => f.write_str("unknown key for this view"),
            Self::MissingValue => f.write_str("missing value"),
            Self::NotANumber => f.write_str("not a number"),
            Self::NotFinite => f.write_str("not a finite number"),
            Self::NotWhole => f.write_str("not a whole number"),
            Self::OutOfRange { range } => write!(f, "out of range {range}"),
            Self::NotAMultiple { step } => write!(f, "not a multiple of {step}"),
            Self::UnknownOption { options } => {
                write!(f, "unknown option (one of: {})", options.join(", "))
            }
            Self::NotABool => f.write_str("not 1 or 0"),
            Self::DuplicateKey => f.write_str("duplicate key (the first one is used)"),
            Self::MalformedPercent => f.write_str("malformed percent-encoding"),
            Self::TooLong { max } => write!(f, "too long (at most {max} characters)"),
            Self::ListLength { min, max } => {
                write!(f, "wrong number of entries (from {min} to {max})")
            }
            Self::RepeatedEntry => f.write_str("an entry is repeated"),
            Self::FutureVersion { found } => write!(
                f,
                "unsupported future version v={found} (this page reads v=0 and v=1); the view opens at its defaults"
            ),
            Self::BadVersion => f.write_str(
                "not a known format version (this page reads v=0 and v=1); the view opens at its defaults",
            ),
            Self::MissingVersion => f.write_str("no format version given: read as v=1"),
            Self::Needs { needs } => write!(f, "needs the key {needs} to be set"),
            Self::Refused { why } => f.write_str(why),
            Self::ReplayTooLong { max } => write!(
                f,
                "too many steps to replay with the gradient-flow integrator (int=flow): at most {max}"
            ),
        }
    }
}

/// One refused piece of a link.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejection {
    /// The key (escaped and cut; `view` for the view, `link` for the whole fragment).
    pub key: String,
    /// The raw value (decoded when possible, escaped and cut to [`SHOWN_CHARS`] characters).
    pub value: String,
    /// Why.
    #[serde(flatten)]
    pub reason: Reason,
    /// The sentence the page shows.
    pub message: String,
}

impl Rejection {
    /// A refused piece of a link: the message names the key as the link spells it.
    pub fn new(key: &str, value: &str, reason: Reason) -> Self {
        let key = if key.is_empty() {
            "(empty key)".to_string()
        } else {
            shown(key)
        };
        let value = shown(value);
        let message = format!("{key} = \"{value}\": {reason}");
        Self {
            key,
            value,
            reason,
            message,
        }
    }

    /// A value typed into a control and refused: the message names the control by its label and
    /// says which value stays in force (`previous`, as the control shows it).
    pub fn typed(param: &Param, text: &str, reason: Reason, previous: &str) -> Self {
        let value = shown(text);
        let message = format!(
            "{} \"{value}\": {reason}. The previous value{} is still in use.",
            param.label,
            if previous.is_empty() {
                String::new()
            } else {
                format!(" {previous}")
            }
        );
        Self {
            key: param.key.to_string(),
            value,
            reason,
            message,
        }
    }
}

/// What a link restores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedLink {
    /// The view to show.
    pub view: View,
    /// The format version read (0 for a bare view name or no fragment).
    pub version: u64,
    /// Every key of the view: the link's value when accepted, else the default.
    pub values: BTreeMap<&'static str, Value>,
    /// The keys whose value came from the link.
    pub given: Vec<&'static str>,
    /// The refused pieces, in the order they appear.
    pub rejections: Vec<Rejection>,
    /// The view-independent key [`EMBED_KEY`] (`1`: show only the figure, for an `<iframe>`).
    /// It is accepted on every view's link and is not a setting of any view: the view models'
    /// links never write it, the shell appends it.
    pub embed: bool,
}

impl ParsedLink {
    fn defaults(view: View, version: u64) -> Self {
        Self {
            view,
            version,
            values: schema(view)
                .iter()
                .map(|p| (p.key, Value::from(p.default)))
                .collect(),
            given: Vec::new(),
            rejections: Vec::new(),
            embed: false,
        }
    }

    /// The canonical version-1 link of this state (see [`format_values`]).
    pub fn to_link(&self) -> String {
        format_values(self.view, &self.values)
    }
}

/// A raw key or value as the page quotes it: control and invisible formatting characters escaped
/// as `\u{…}`, cut to [`SHOWN_CHARS`] characters with an ellipsis. The page shows it as text only.
pub fn shown(raw: &str) -> String {
    let mut out = String::new();
    let mut count = 0;
    for c in raw.chars() {
        if count >= SHOWN_CHARS {
            out.push('…');
            break;
        }
        count += 1;
        let invisible =
            matches!(c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2069 | 0xFEFF);
        if c.is_control() || invisible {
            let escaped = format!("\\u{{{:x}}}", c as u32);
            count += escaped.len() - 1;
            out.push_str(&escaped);
        } else {
            out.push(c);
        }
    }
    out
}

/// Percent-decodes `s` as UTF-8; `None` for a malformed escape or bytes that are not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hi = (hex[0] as char).to_digit(16)?;
            let lo = (hex[1] as char).to_digit(16)?;
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b',' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Whether `s` is a plain decimal number: optional sign, digits with an optional point, optional
/// exponent. Refuses `NaN`, `inf`, hex and empty strings (which `str::parse` may accept).
fn is_decimal(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, ""),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

fn looks_infinite(s: &str) -> bool {
    let t = s.trim_start_matches(['+', '-']).to_ascii_lowercase();
    t == "nan" || t == "inf" || t == "infinity"
}

/// A finite number, or why not.
fn parse_number(s: &str) -> Result<f64, Reason> {
    if looks_infinite(s) {
        return Err(Reason::NotFinite);
    }
    if !is_decimal(s) {
        return Err(Reason::NotANumber);
    }
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(_) => Err(Reason::NotFinite),
        Err(_) => Err(Reason::NotANumber),
    }
}

/// Formats a finite number in its shortest form that parses back to the same bits.
pub fn format_number(x: f64) -> String {
    let s = format!("{x:?}");
    match s.strip_suffix(".0") {
        Some(t) => t.to_string(),
        None => s,
    }
}

fn range_text(min: f64, max: f64, min_open: bool) -> String {
    let open = if min_open { "(" } else { "[" };
    format!("{open}{}, {}]", format_number(min), format_number(max))
}

/// The exact value of the decimal `s` (already a finite number by [`parse_number`]) when it is a
/// whole number, judged on its digits, not on the nearest double: `4999.9999999999999999` is not
/// whole although it rounds to 5000. `Ok(None)` for a whole number beyond `u64`; a negative whole
/// number is `Err(OutOfRange)` through the caller's range check (as `Some` of its magnitude with
/// the sign returned).
fn whole_value(s: &str) -> Result<(bool, Option<u64>), Reason> {
    let negative = s.starts_with('-');
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], &body[i + 1..]),
        None => (body, ""),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // A huge exponent only matters through its sign; clamp it so the arithmetic stays small.
    let exp: i64 = if exponent.is_empty() {
        0
    } else {
        let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        let magnitude = digits
            .trim_start_matches('0')
            .parse::<i64>()
            .unwrap_or(if digits.bytes().all(|b| b == b'0') {
                0
            } else {
                1 << 20
            })
            .min(1 << 20);
        if exponent.starts_with('-') {
            -magnitude
        } else {
            magnitude
        }
    };
    let digits: Vec<u8> = int.bytes().chain(frac.bytes()).map(|b| b - b'0').collect();
    // The decimal point sits after `point` digits of `digits`.
    let point = int.len() as i64 + exp;
    let fraction_is_zero = digits
        .iter()
        .enumerate()
        .all(|(i, d)| (i as i64) < point || *d == 0);
    if !fraction_is_zero {
        return Err(Reason::NotWhole);
    }
    let mut value: u64 = 0;
    for i in 0..point.max(0) {
        let d = digits.get(i as usize).copied().unwrap_or(0);
        match value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d)))
        {
            Some(v) => value = v,
            None => return Ok((negative, None)),
        }
    }
    Ok((negative && value != 0, Some(value)))
}

fn parse_int(s: &str, min: u64, max: u64) -> Result<u64, Reason> {
    parse_number(s)?;
    let out = || Reason::OutOfRange {
        range: format!("[{min}, {max}]"),
    };
    match whole_value(s)? {
        (false, Some(n)) if (min..=max).contains(&n) => Ok(n),
        _ => Err(out()),
    }
}

fn check_float(x: f64, min: f64, max: f64, min_open: bool) -> Result<f64, Reason> {
    let below = if min_open { x <= min } else { x < min };
    if below || x > max {
        return Err(Reason::OutOfRange {
            range: range_text(min, max, min_open),
        });
    }
    Ok(x)
}

/// Parses one value of `kind`.
fn parse_value(kind: &Kind, raw: &str) -> Result<Value, Reason> {
    match *kind {
        Kind::Int { min, max } => parse_int(raw, min, max).map(Value::Int),
        Kind::Float {
            min,
            max,
            min_open,
            step,
        } => {
            let x = check_float(parse_number(raw)?, min, max, min_open)?;
            match step {
                Some(step) => {
                    let n = (x / step).round();
                    if (x / step - n).abs() > 1e-9 {
                        return Err(Reason::NotAMultiple { step });
                    }
                    // Snapped to the grid exactly as the control computes it: n / (1 / step).
                    Ok(Value::Float(n / (1.0 / step).round()))
                }
                None => Ok(Value::Float(x)),
            }
        }
        Kind::Enum { options, .. } => options
            .iter()
            .find(|o| **o == raw)
            .map(|o| Value::Text((*o).to_string()))
            .ok_or_else(|| Reason::UnknownOption {
                options: options.to_vec(),
            }),
        Kind::Bool => match raw {
            "1" => Ok(Value::Bool(true)),
            "0" => Ok(Value::Bool(false)),
            _ => Err(Reason::NotABool),
        },
        Kind::FloatList {
            min_len,
            max_len,
            min,
            max,
        } => {
            let entries: Vec<&str> = raw.split(',').collect();
            if entries.len() < min_len || entries.len() > max_len {
                return Err(Reason::ListLength {
                    min: min_len,
                    max: max_len,
                });
            }
            let mut out = Vec::with_capacity(entries.len());
            for e in entries {
                out.push(check_float(parse_number(e)?, min, max, false)?);
            }
            Ok(Value::Floats(out))
        }
        Kind::IntSet { options } => {
            if raw.is_empty() {
                return Ok(Value::Ints(Vec::new()));
            }
            let max = options.iter().copied().max().unwrap_or(0);
            let mut out = Vec::new();
            for e in raw.split(',') {
                let n = parse_int(e, 0, max)?;
                if !options.contains(&n) {
                    let names: Vec<String> = options.iter().map(u64::to_string).collect();
                    return Err(Reason::OutOfRange {
                        range: format!("{{{}}}", names.join(", ")),
                    });
                }
                if out.contains(&n) {
                    return Err(Reason::RepeatedEntry);
                }
                out.push(n);
            }
            out.sort_unstable();
            Ok(Value::Ints(out))
        }
    }
}

fn max_len(kind: &Kind) -> usize {
    match kind {
        Kind::FloatList { .. } | Kind::IntSet { .. } => MAX_LIST_LEN,
        _ => MAX_VALUE_LEN,
    }
}

/// The key `key` of `view`, if the schema has it.
pub fn param(view: View, key: &str) -> Option<&'static Param> {
    schema(view).iter().find(|p| p.key == key)
}

/// The label the control of `key` shows for option `value` (`None` when `key` is no choice of
/// `view` or `value` not one of its options).
pub fn option_label(view: View, key: &str, value: &str) -> Option<&'static str> {
    match param(view, key)?.kind {
        Kind::Enum { options, labels } => options
            .iter()
            .position(|o| *o == value)
            .and_then(|i| labels.get(i).copied()),
        _ => None,
    }
}

/// Reads what a person typed into the control of `key`: the link's own grammar and limits (so
/// `0x10`, `1e999` or `4999.99999999999999999` for a whole number are refused exactly as in a
/// link), after trimming blanks, reading `−` (U+2212) as `-` and dropping blanks around the
/// commas of a list. An optional key ([`Default::None`]) takes the empty text as "no value".
///
/// # Errors
/// The [`Reason`] the text is refused for ([`Reason::UnknownKey`] for a key `view` lacks).
pub fn parse_typed(view: View, key: &str, text: &str) -> Result<(&'static Param, Value), Reason> {
    let param = param(view, key).ok_or(Reason::UnknownKey)?;
    let normalized = text.trim().replace('\u{2212}', "-");
    let normalized = match param.kind {
        Kind::FloatList { .. } | Kind::IntSet { .. } => normalized
            .split(',')
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(","),
        _ => normalized,
    };
    if normalized.len() > max_len(&param.kind) {
        return Err(Reason::TooLong {
            max: max_len(&param.kind),
        });
    }
    if normalized.is_empty() {
        return match (param.default, param.kind) {
            (Default::None, _) => Ok((param, Value::None)),
            (_, Kind::IntSet { .. }) => Ok((param, Value::Ints(Vec::new()))),
            _ => Err(Reason::MissingValue),
        };
    }
    parse_value(&param.kind, &normalized).map(|v| (param, v))
}

/// Reads a link (the URL fragment, with or without its `#`). Never fails: see [`ParsedLink`].
pub fn parse_link(fragment: &str) -> ParsedLink {
    let s = fragment.strip_prefix('#').unwrap_or(fragment);
    let (view_part, query) = match s.split_once('?') {
        Some((v, q)) => (v, Some(q)),
        None => (s, None),
    };
    let view_name = percent_decode(view_part);
    let view = match view_name.as_deref() {
        Some("") => Some(View::Fig3),
        Some(name) => View::parse(name),
        None => None,
    };
    let Some(view) = view else {
        let mut p = ParsedLink::defaults(View::Fig3, 0);
        let raw = view_name.as_deref().unwrap_or(view_part);
        p.rejections
            .push(Rejection::new("view", raw, Reason::UnknownView));
        return p;
    };
    if s.len() > MAX_LINK_LEN {
        let mut p = ParsedLink::defaults(view, FORMAT_VERSION);
        p.rejections.push(Rejection::new(
            "link",
            s,
            Reason::TooLong { max: MAX_LINK_LEN },
        ));
        return p;
    }
    let query = match query {
        None | Some("") => return ParsedLink::defaults(view, 0),
        Some(q) => q,
    };

    // Split into (raw key, decoded key, raw value, decoded value) pieces.
    struct Piece<'a> {
        raw_key: &'a str,
        key: Option<String>,
        raw_value: Option<&'a str>,
    }
    let pieces: Vec<Piece> = query
        .split('&')
        .filter(|seg| !seg.is_empty())
        .map(|seg| {
            let (k, v) = match seg.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (seg, None),
            };
            Piece {
                raw_key: k,
                key: percent_decode(k),
                raw_value: v,
            }
        })
        .collect();

    // The version first: it decides how to read the rest.
    let mut p = ParsedLink::defaults(view, FORMAT_VERSION);
    let versions: Vec<&Piece> = pieces
        .iter()
        .filter(|x| x.key.as_deref() == Some("v"))
        .collect();
    match versions.first() {
        None => p
            .rejections
            .push(Rejection::new("v", "", Reason::MissingVersion)),
        Some(first) => {
            let raw = first.raw_value.unwrap_or("");
            let decoded = percent_decode(raw);
            let version = decoded
                .as_deref()
                .filter(|d| !d.is_empty() && d.len() <= 20 && d.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|d| d.parse::<u64>().ok());
            match version {
                Some(FORMAT_VERSION) => {}
                Some(found) if found > FORMAT_VERSION => {
                    p.rejections.push(Rejection::new(
                        "v",
                        raw,
                        Reason::FutureVersion {
                            found: found.to_string(),
                        },
                    ));
                    return p;
                }
                _ => {
                    p.rejections.push(Rejection::new(
                        "v",
                        decoded.as_deref().unwrap_or(raw),
                        Reason::BadVersion,
                    ));
                    return p;
                }
            }
        }
    }

    let params = schema(view);
    let mut seen: Vec<String> = Vec::new();
    for piece in &pieces {
        let Some(key) = piece.key.as_deref() else {
            p.rejections.push(Rejection::new(
                piece.raw_key,
                piece.raw_value.unwrap_or(""),
                Reason::MalformedPercent,
            ));
            continue;
        };
        let raw_value = piece.raw_value.unwrap_or("");
        if seen.iter().any(|s| s == key) {
            let shown_value = percent_decode(raw_value).unwrap_or_else(|| raw_value.to_string());
            p.rejections
                .push(Rejection::new(key, &shown_value, Reason::DuplicateKey));
            continue;
        }
        seen.push(key.to_string());
        if key == "v" {
            continue;
        }
        if key == EMBED_KEY {
            match (piece.raw_value, percent_decode(raw_value).as_deref()) {
                (None, _) | (_, Some("")) => {
                    p.rejections
                        .push(Rejection::new(key, "", Reason::MissingValue));
                }
                (_, Some(text)) => match parse_value(&Kind::Bool, text) {
                    Ok(Value::Bool(b)) => p.embed = b,
                    Ok(_) => {}
                    Err(reason) => p.rejections.push(Rejection::new(key, text, reason)),
                },
                (_, None) => {
                    p.rejections
                        .push(Rejection::new(key, raw_value, Reason::MalformedPercent))
                }
            }
            continue;
        }
        let Some(param) = params.iter().find(|q| q.key == key) else {
            let shown_value = percent_decode(raw_value).unwrap_or_else(|| raw_value.to_string());
            p.rejections
                .push(Rejection::new(key, &shown_value, Reason::UnknownKey));
            continue;
        };
        let limit = max_len(&param.kind);
        if raw_value.len() > limit {
            p.rejections.push(Rejection::new(
                key,
                raw_value,
                Reason::TooLong { max: limit },
            ));
            continue;
        }
        let Some(value) = percent_decode(raw_value) else {
            p.rejections
                .push(Rejection::new(key, raw_value, Reason::MalformedPercent));
            continue;
        };
        let empty_ok = matches!(param.kind, Kind::IntSet { .. });
        if piece.raw_value.is_none() || (value.is_empty() && !empty_ok) {
            p.rejections
                .push(Rejection::new(key, &value, Reason::MissingValue));
            continue;
        }
        match parse_value(&param.kind, &value) {
            Ok(v) => {
                p.values.insert(param.key, v);
                p.given.push(param.key);
            }
            Err(reason) => p.rejections.push(Rejection::new(key, &value, reason)),
        }
    }
    check_dependencies(&mut p);
    p
}

/// Cross-key rules: the appendix view's live run needs a selected cell; a Fig. 3 link replays at
/// most [`FIG3_MAX_FLOW_REPLAY`] steps of gradient flow.
fn check_dependencies(p: &mut ParsedLink) {
    if p.view == View::Fig3
        && p.values.get("int") == Some(&Value::Text("flow".into()))
        && let Some(Value::Int(step)) = p.values.get("step").cloned()
        && step > FIG3_MAX_FLOW_REPLAY
    {
        p.rejections.push(Rejection::new(
            "step",
            &step.to_string(),
            Reason::ReplayTooLong {
                max: FIG3_MAX_FLOW_REPLAY,
            },
        ));
        p.values.insert("step", Value::Int(0));
        p.given.retain(|k| *k != "step");
    }
    if p.view == View::Heatmaps
        && p.values.get("sel") == Some(&Value::Text("none".into()))
        && let Some(Value::Int(seed)) = p.values.get("run").cloned()
    {
        p.rejections.push(Rejection::new(
            "run",
            &seed.to_string(),
            Reason::Needs { needs: "sel" },
        ));
        p.values.insert("run", Value::None);
        p.values.insert("rstep", Value::Int(0));
        p.given.retain(|k| *k != "run" && *k != "rstep");
    }
}

/// A value as a link writes it (before percent-encoding); `None` for an absent optional value.
pub fn value_text(v: &Value) -> Option<String> {
    Some(match v {
        Value::None => return None,
        Value::Int(n) => n.to_string(),
        Value::Float(x) => format_number(*x),
        Value::Text(s) => s.clone(),
        Value::Bool(b) => if *b { "1" } else { "0" }.to_string(),
        Value::Floats(xs) => xs
            .iter()
            .map(|x| format_number(*x))
            .collect::<Vec<_>>()
            .join(","),
        Value::Ints(ns) => ns.iter().map(u64::to_string).collect::<Vec<_>>().join(","),
    })
}

/// Writes the version-1 link of `view` with `values` (keys the map lacks take their defaults; keys
/// of other views are ignored), every key in schema order. Does not check the values: see
/// [`format_link`].
pub fn format_values(view: View, values: &BTreeMap<&'static str, Value>) -> String {
    let mut out = format!("#{}?v={FORMAT_VERSION}", view.name());
    for param in schema(view) {
        let default = Value::from(param.default);
        let v = values.get(param.key).unwrap_or(&default);
        if let Some(text) = value_text(v) {
            let _ = write!(out, "&{}={}", param.key, percent_encode(&text));
        }
    }
    out
}

/// A link that [`format_link`] refused: the rejections of its own output.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkError(pub Vec<Rejection>);

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let msgs: Vec<&str> = self.0.iter().map(|r| r.message.as_str()).collect();
        write!(
            f,
            "this state cannot be written as a link: {}",
            msgs.join("; ")
        )
    }
}

impl std::error::Error for LinkError {}

/// Writes the link of `view` with `values` and checks it by parsing it back.
///
/// # Errors
/// [`LinkError`] with every rejection when a value is outside its key's limits (or of the wrong
/// kind): a link is only ever written when it opens without a message.
pub fn format_link(
    view: View,
    values: &BTreeMap<&'static str, Value>,
) -> Result<String, LinkError> {
    let link = format_values(view, values);
    let back = parse_link(&link);
    if back.rejections.is_empty() {
        Ok(link)
    } else {
        Err(LinkError(back.rejections))
    }
}

/// A preset named after a figure of the paper.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LinkPreset {
    /// Short identifier.
    pub id: &'static str,
    /// What the menu shows.
    pub label: &'static str,
    /// The view.
    pub view: View,
    /// The settings that differ from the view's defaults, as link text.
    pub settings: &'static [(&'static str, &'static str)],
}

/// The presets of the menu, in the paper's order.
pub const PRESETS: &[LinkPreset] = &[
    LinkPreset {
        id: "fig1b",
        label: "Fig. 1b: one neuron, good start",
        view: View::Fig1b,
        settings: &[("w0", "2"), ("v0", "-0.5")],
    },
    LinkPreset {
        id: "fig2a",
        label: "Fig. 2a: a two-sheeted quadric (c = −1)",
        view: View::Topology,
        settings: &[("c", "-1")],
    },
    LinkPreset {
        id: "fig2b",
        label: "Fig. 2b: components of H(c) of a random network",
        view: View::Topology,
        settings: &[
            ("c", "-1"),
            ("src", "random"),
            ("d", "2"),
            ("l", "6"),
            ("scheme", "xavier_normal"),
            ("seed", "0"),
        ],
    },
    LinkPreset {
        id: "fig3-obstructed",
        label: "Fig. 3 obstructed: (+,+) and (−,−) to t* = 500",
        view: View::Fig3,
        settings: &[
            ("top", "fig3-obstructed-pp"),
            ("bottom", "fig3-obstructed-mm"),
            ("step", "500"),
        ],
    },
    LinkPreset {
        id: "fig3-good",
        label: "Fig. 3 good: (+,−) and no pathological neuron to t* = 500",
        view: View::Fig3,
        settings: &[
            ("top", "fig3-good-pm"),
            ("bottom", "fig3-good-nonpathological"),
            ("step", "500"),
        ],
    },
    LinkPreset {
        id: "fig4",
        label: "Fig. 4: the breast cancer sweep",
        view: View::Fig4,
        settings: &[("ran", "1")],
    },
    LinkPreset {
        id: "appendix",
        label: "Appendix: P(obstruction), Kaiming, d = 10, l = 10",
        view: View::Heatmaps,
        settings: &[("sel", "kaiming"), ("d", "10"), ("l", "10"), ("mc", "1")],
    },
];

impl LinkPreset {
    /// The preset's complete version-1 link.
    pub fn link(&self) -> String {
        let mut raw = format!("#{}?v={FORMAT_VERSION}", self.view.name());
        for (k, v) in self.settings {
            let _ = write!(raw, "&{k}={v}");
        }
        parse_link(&raw).to_link()
    }
}

/// Checks that `Preset` names and the schema's preset options agree (used by tests).
pub fn fig3_preset_options() -> &'static [&'static str] {
    FIG3_PRESETS
}

/// The Fig. 3 presets the core knows, by name (used by tests).
pub fn core_fig3_presets() -> Vec<&'static str> {
    Preset::FIG3.iter().map(|p| p.name()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(p: &ParsedLink) -> Vec<(&str, &Reason)> {
        p.rejections
            .iter()
            .map(|r| (r.key.as_str(), &r.reason))
            .collect()
    }

    #[test]
    fn bare_views_are_version_zero_at_the_defaults() {
        for v in View::ALL {
            let p = parse_link(&format!("#{}", v.name()));
            assert_eq!(p.view, v);
            assert_eq!(p.version, 0);
            assert!(p.rejections.is_empty());
            assert_eq!(p.values.len(), schema(v).len());
        }
        let p = parse_link("");
        assert_eq!((p.view, p.version), (View::Fig3, 0));
        assert!(p.rejections.is_empty());
    }

    #[test]
    fn decimal_grammar() {
        for ok in ["0", "-1", "+2.5", "1e-7", ".5", "5.", "1E+3"] {
            assert!(is_decimal(ok), "{ok}");
        }
        for bad in ["", ".", "e5", "1e", "0x10", "1,5", " 1", "--1", "1e+"] {
            assert!(!is_decimal(bad), "{bad}");
        }
        assert_eq!(parse_number("NaN"), Err(Reason::NotFinite));
        assert_eq!(parse_number("-Infinity"), Err(Reason::NotFinite));
        assert_eq!(parse_number("1e999"), Err(Reason::NotFinite));
    }

    #[test]
    fn numbers_round_trip_exactly() {
        for x in [
            0.05,
            0.1 + 0.2,
            1e-300,
            f64::MAX,
            -0.0,
            2.0,
            1e16,
            123456.789,
        ] {
            let s = format_number(x);
            assert_eq!(parse_number(&s).unwrap().to_bits(), x.to_bits(), "{s}");
        }
        assert_eq!(format_number(2.0), "2");
        assert_eq!(format_number(0.05), "0.05");
    }

    #[test]
    fn each_problem_gets_its_reason() {
        let p = parse_link("#fig3?v=1&seed=-1&lr=abc&int=rk4&zzz=1&speed&log=2&seed=3&ty=%ZZ");
        let r = reasons(&p);
        assert!(matches!(r[0], ("seed", Reason::OutOfRange { .. })));
        assert_eq!(r[1], ("lr", &Reason::NotANumber));
        assert!(matches!(r[2], ("int", Reason::UnknownOption { .. })));
        assert_eq!(r[3], ("zzz", &Reason::UnknownKey));
        assert_eq!(r[4], ("speed", &Reason::MissingValue));
        assert_eq!(r[5], ("log", &Reason::NotABool));
        assert_eq!(r[6], ("seed", &Reason::DuplicateKey));
        assert_eq!(r[7], ("ty", &Reason::MalformedPercent));
        assert_eq!(p.values["seed"], Value::Int(0));
        assert_eq!(p.values["lr"], Value::Float(FIG3_LR));
    }

    #[test]
    fn shown_values_are_escaped_and_cut() {
        let s = shown("a\u{202e}b\nc");
        assert_eq!(s, "a\\u{202e}b\\u{a}c");
        let long = "x".repeat(200);
        assert_eq!(shown(&long).chars().count(), SHOWN_CHARS + 1);
        assert!(shown(&"\u{0}".repeat(200)).chars().count() <= SHOWN_CHARS + 12);
    }

    #[test]
    fn the_c_slider_grid_is_enforced_and_snapped() {
        let p = parse_link("#topology?v=1&c=-1.55");
        assert!(p.rejections.is_empty());
        assert_eq!(p.values["c"], Value::Float(-31.0 / 20.0));
        let p = parse_link("#topology?v=1&c=0.01");
        assert!(matches!(reasons(&p)[0].1, Reason::NotAMultiple { .. }));
    }

    #[test]
    fn presets_are_valid_links() {
        for preset in PRESETS {
            let p = parse_link(&preset.link());
            assert!(p.rejections.is_empty(), "{}", preset.id);
            assert_eq!(p.view, preset.view);
        }
        assert_eq!(fig3_preset_options(), core_fig3_presets().as_slice());
    }
}
