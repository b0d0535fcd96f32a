//! The topology view's model: Fig. 2a (one neuron's quadric Q(c) as its conserved quantity c
//! varies), Fig. 2b (the components of H(c) of a chosen network) and the topology calculator.
//!
//! # State
//! - The settings are the view's link keys ([`link::schema`] of [`View::Topology`]): `c`, `yaw`,
//!   `pitch` (Fig. 2a), `src`, `d`, `l`, `scheme`, `seed` (Fig. 2b), `cd`, `ce`, `cc` (the
//!   calculator). Every value in force passed the link's own grammar and limits.
//! - The Fig. 2b network is the random network of (`d`, `l`, `scheme`, `seed`) when `src` is
//!   `random`, else the Fig. 3 row `src` as the shell last handed it over ([`TopologyModel::use_fig3_rows`]).
//! - The calculator holds its result for (`cd`, `ce`, `cc`), or the reason there is none (a count
//!   beyond 128 bits): such an input is accepted, and the readout says why nothing is shown.
//!
//! # Rules the page used to hold
//! - A drag of (dx, dy) pixels turns Fig. 2a by [`RADIANS_PER_PIXEL`] per pixel; the yaw wraps into
//!   [−π, π] and the pitch is clamped to [`PITCH_MIN`], [`PITCH_MAX`], so a link always holds them.
//! - A group of controls (the calculator's d, e and c; the random network's d, l, scheme and seed)
//!   is applied as a whole by [`TopologyModel::set_group`]: one refused value refuses the group and
//!   every previous value stays in force.
//!
//! Every number shown is written by [`format`]; exact counts (they can exceed 2^53) are decimal
//! strings. Nothing here reads a clock or the DOM.

use std::collections::BTreeMap;
use std::f64::consts::PI;
use std::fmt;

use serde::Serialize;

use crate::app::export::{FORMAT, VERSION};
use crate::app::format;
use crate::app::link::{
    self, Kind, PITCH_MAX, PITCH_MIN, Reason, Rejection, TOPOLOGY_C_MAX, Value, View,
};
use crate::app::live_run::NetworkSummary;
use crate::app::view::{Change, Field, Sentence, Settings, ViewModel};
use crate::core::components::{
    MAX_DETAILED_NEURONS, MAX_DIAGRAM_NEURONS, classes, sheet_kinds, sign_label,
};
use crate::core::error::TopologyError;
use crate::core::init::{InitScheme, initialize};
use crate::core::network::Architecture;
use crate::core::topology;

/// Radians of yaw (or pitch) per pixel of a drag; the arrow keys send ±10 pixels.
pub const RADIANS_PER_PIXEL: f64 = 0.01;

/// The two Fig. 3 rows the diagram can show.
pub const FIG3_ROWS: [&str; 2] = ["top", "bottom"];
/// The keys the random network is drawn from.
const RANDOM_KEYS: [&str; 4] = ["d", "l", "scheme", "seed"];
/// The calculator's keys.
const CALC_KEYS: [&str; 3] = ["cd", "ce", "cc"];

/// A part of the view that is drawn or exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Fig. 2a's quadric.
    Quadric,
    /// Fig. 2b's component diagram.
    Diagram,
    /// The calculator's Betti bars.
    Betti,
    /// The Fig. 2b network as JSON.
    Network,
    /// The calculator's input and result as JSON.
    Calculator,
}

impl Part {
    /// The part called `name` (`quadric`, `diagram`, `betti`, `network`, `calculator`).
    ///
    /// # Errors
    /// [`TopologyViewError::UnknownPart`] for another name.
    pub fn parse(name: &str) -> Result<Self, TopologyViewError> {
        Ok(match name {
            "quadric" => Self::Quadric,
            "diagram" => Self::Diagram,
            "betti" => Self::Betti,
            "network" => Self::Network,
            "calculator" => Self::Calculator,
            other => return Err(TopologyViewError::UnknownPart(link::shown(other))),
        })
    }

    /// The name JavaScript uses.
    pub fn name(self) -> &'static str {
        match self {
            Self::Quadric => "quadric",
            Self::Diagram => "diagram",
            Self::Betti => "betti",
            Self::Network => "network",
            Self::Calculator => "calculator",
        }
    }

    /// Whether the part is a chart (drawn, saved as PNG or SVG) rather than data (saved as JSON).
    pub fn is_chart(self) -> bool {
        matches!(self, Self::Quadric | Self::Diagram | Self::Betti)
    }
}

/// Why the view cannot draw or export a part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopologyViewError {
    /// Not one of the view's parts.
    UnknownPart(String),
    /// A chart asked for as data, or data asked to be drawn.
    WrongKind(Part),
    /// The Fig. 2b diagram has no network (the Fig. 3 runs are not handed over yet).
    NoNetwork,
    /// The calculator has no result for its input (and why).
    NoResult(String),
}

impl fmt::Display for TopologyViewError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownPart(p) => write!(f, "the topology view has no part \"{p}\""),
            Self::WrongKind(p) if p.is_chart() => {
                write!(f, "{} is a chart: save it as PNG or SVG", p.name())
            }
            Self::WrongKind(p) => write!(f, "{} is data: save it as JSON", p.name()),
            Self::NoNetwork => f.write_str("no network is shown yet"),
            Self::NoResult(why) => write!(f, "the calculator has no valid input ({why})"),
        }
    }
}

impl std::error::Error for TopologyViewError {}

/// The one sentence that explains d = 1 wherever the page counts components (Fig. 2b, the
/// heatmaps' d = 1 row).
pub const D1_COMPONENTS: &str = "With d = 1, w_k is a number, so a neuron with c_k > 0 also has \
     two pieces (w_k > 0 or w_k < 0) besides the two sheets of c_k < 0: H(c) has 2^(l+ + l−) \
     components and is disconnected whenever some c_k ≠ 0, and a network is obstructed only when \
     its piece freezes the signs the target needs (our derivation from the quadrics).";

/// A network the Fig. 2b diagram shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fig2bNetwork {
    /// Where it comes from, e.g. "Fig. 3 top run: obstructed (+,+), step 12" (the preset's name as
    /// the controls write it).
    pub name: String,
    /// Input dimension.
    pub d: usize,
    /// Output dimension.
    pub e: usize,
    /// c_k at initialization.
    pub c: Vec<f64>,
    /// Its component label (one sign per two-sheeted neuron).
    pub label: Vec<i8>,
}

impl Fig2bNetwork {
    /// Number of pathological neurons (c_k < 0).
    pub fn l_minus(&self) -> usize {
        topology::sign_counts(&self.c).2
    }
}

/// The topology of H(c) as the calculator and the exports write it (counts as decimal strings).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopologySummary {
    /// Betti numbers b_0, b_1, ….
    pub betti: Vec<String>,
    /// The Poincaré polynomial.
    pub polynomial: String,
    /// Connected components.
    pub components: String,
    /// Effective components (our reading).
    pub effective_components: String,
    /// Pathological neurons, from 0.
    pub pathological: Vec<usize>,
    /// Positive c_k.
    pub l_plus: usize,
    /// Zero c_k.
    pub l_zero: usize,
    /// Negative c_k.
    pub l_minus: usize,
    /// The Betti numbers as numbers, for the chart.
    #[serde(skip)]
    pub betti_counts: Vec<u128>,
}

impl TopologySummary {
    /// The topology of H(c) for Q(c_k) ⊂ R^d × R^e.
    ///
    /// # Errors
    /// The core's [`TopologyError`] (a zero or too large dimension, a c_k that is not finite,
    /// counts beyond 128 bits).
    pub fn of(d: usize, e: usize, c: &[f64]) -> Result<Self, TopologyError> {
        let betti = topology::poincare_polynomial(d, e, c)?;
        let (l_plus, l_zero, l_minus) = topology::sign_counts(c);
        Ok(Self {
            polynomial: topology::format_polynomial(&betti),
            betti: betti.iter().map(u128::to_string).collect(),
            components: topology::connected_components(d, e, c)?.to_string(),
            effective_components: topology::effective_components(d, e, c)?.to_string(),
            pathological: topology::pathological_neurons(e, c),
            l_plus,
            l_zero,
            l_minus,
            betti_counts: betti,
        })
    }
}

/// What the component diagram of a network shows (the same rules as the diagram chart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiagramFacts {
    /// Connected components (2 to the number of two-sheeted neurons).
    pub components: u128,
    /// Effective classes.
    pub classes: usize,
    /// Whether every component gets a cell (else one bar per class).
    pub detailed: bool,
    /// Cells (detailed) or bars drawn.
    pub cells: usize,
    /// The network's own component, e.g. "(+,−)".
    pub highlight: String,
}

impl DiagramFacts {
    /// The facts of `net`'s diagram.
    ///
    /// # Errors
    /// A sentence when the diagram cannot be drawn (more than [`MAX_DIAGRAM_NEURONS`] two-sheeted
    /// neurons, a label that does not fit, counts beyond 128 bits).
    pub fn of(net: &Fig2bNetwork) -> Result<Self, String> {
        let kinds = sheet_kinds(net.d, net.e, &net.c);
        let m = kinds.len();
        if m > MAX_DIAGRAM_NEURONS {
            return Err(format!(
                "{m} neurons with two sheets: the component diagram shows at most {MAX_DIAGRAM_NEURONS}"
            ));
        }
        if net.label.len() != m {
            return Err(format!(
                "the network's component label has {} signs for {m} neurons with two sheets",
                net.label.len()
            ));
        }
        let classes = classes(&kinds)
            .ok_or_else(|| "the number of components does not fit in 128 bits".to_string())?;
        let detailed = m <= MAX_DETAILED_NEURONS;
        Ok(Self {
            components: classes.iter().map(|c| c.count).sum(),
            classes: classes.len(),
            detailed,
            cells: if detailed { 1 << m } else { classes.len() },
            highlight: sign_label(&net.label),
        })
    }
}

/// Fig. 2a's readout.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuadricReadout {
    /// Beside the slider: "c = −1.00: two-sheeted hyperboloid".
    pub value_text: String,
    /// The slider's spoken value: "c = −1.00, two-sheeted hyperboloid".
    pub value_spoken: String,
    /// Shape, components, Betti numbers, Poincaré polynomial.
    pub fields: Vec<Field>,
    /// Why nothing is shown, if so.
    pub message: Option<String>,
}

/// Fig. 2b's readout.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiagramReadout {
    /// Whether the random network's controls are in use (`src` is `random`).
    pub random: bool,
    /// The network in one sentence, if there is one.
    pub source: Option<Sentence>,
    /// The network's exact values for `data-*` attributes: `d`, `e`, `c` and `label` (JSON) and
    /// `lMinus`.
    pub source_data: BTreeMap<&'static str, String>,
    /// How the components are counted for this network, in one sentence ("2^l− components, …";
    /// for d = 1 [`D1_COMPONENTS`]), so the text beside the diagram says what it shows.
    pub rule: Option<Sentence>,
    /// The caption under the diagram, if drawn.
    pub caption: Option<Sentence>,
    /// What the diagram shows, for `data-*` attributes: `components`, `classes`, `cells`,
    /// `detailed`, `highlight`.
    pub caption_data: BTreeMap<&'static str, String>,
    /// The diagram's title.
    pub title: Option<String>,
    /// Whether the diagram needs a tall canvas (5 or 6 two-sheeted neurons: 32 or 64 cells).
    pub tall: bool,
    /// Why there is no network, if so.
    pub message: Option<String>,
}

/// The calculator's readout.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalculatorReadout {
    /// Polynomial, Betti numbers, components, effective components, sign counts, pathological
    /// neurons ("—" each when there is no result).
    pub fields: Vec<Field>,
    /// The Betti chart's title, when there is a result.
    pub title: Option<String>,
    /// Why there is no result, if so.
    pub message: Option<String>,
}

/// Everything the view shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopologyReadout {
    /// Fig. 2a.
    pub quadric: QuadricReadout,
    /// Fig. 2b.
    pub diagram: DiagramReadout,
    /// The calculator.
    pub calculator: CalculatorReadout,
}

/// One section of [`TopologyReadout`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Section {
    /// Fig. 2a.
    Quadric(QuadricReadout),
    /// Fig. 2b.
    Diagram(DiagramReadout),
    /// The calculator.
    Calculator(CalculatorReadout),
}

/// What [`TopologyModel::set_group`] did: every change, or every refusal (then nothing changed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupResult {
    /// Whether the group was applied.
    pub ok: bool,
    /// The change of each key, in order (when applied).
    pub changes: Vec<Change>,
    /// Every refused value (when refused).
    pub rejections: Vec<Rejection>,
    /// A refusal that is about no single value (e.g. no network to take values from).
    pub message: Option<String>,
}

/// The calculator's result for its input.
#[derive(Debug, Clone, PartialEq)]
struct Calculation {
    d: usize,
    e: usize,
    c: Vec<f64>,
    result: Result<TopologySummary, String>,
}

/// The topology view's model (see the module header).
#[derive(Debug, Clone)]
pub struct TopologyModel {
    settings: Settings,
    fig3: [Option<Fig2bNetwork>; 2],
    random: Result<Fig2bNetwork, String>,
    calc: Calculation,
}

impl std::default::Default for TopologyModel {
    fn default() -> Self {
        Self::new()
    }
}

fn usize_of(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Brings a yaw into [−π, π].
pub fn wrap_yaw(yaw: f64) -> f64 {
    ((yaw + PI).rem_euclid(2.0 * PI) - PI).clamp(-PI, PI)
}

impl TopologyModel {
    /// Every setting at its default, no Fig. 3 row yet.
    pub fn new() -> Self {
        let settings = Settings::defaults(View::Topology);
        let random = random_network(&settings);
        let calc = calculate(&settings);
        Self {
            settings,
            fig3: [None, None],
            random,
            calc,
        }
    }

    /// Takes the Fig. 3 rows as they are now: (name, network) of `top` and `bottom`.
    pub fn use_fig3_rows(
        &mut self,
        top: Option<(String, NetworkSummary)>,
        bottom: Option<(String, NetworkSummary)>,
    ) {
        self.fig3 = [top, bottom].map(|row| {
            row.map(|(name, s)| Fig2bNetwork {
                name,
                d: s.d,
                e: s.e,
                c: s.c,
                label: s.label,
            })
        });
    }

    /// c of Fig. 2a.
    pub fn c(&self) -> f64 {
        self.settings.float("c")
    }

    /// (yaw, pitch) of Fig. 2a.
    pub fn angles(&self) -> (f64, f64) {
        (self.settings.float("yaw"), self.settings.float("pitch"))
    }

    /// Turns Fig. 2a by a drag of (`dx`, `dy`) pixels; returns whether the angles changed.
    pub fn rotate(&mut self, dx: f64, dy: f64) -> bool {
        if !(dx.is_finite() && dy.is_finite()) {
            return false;
        }
        let (yaw, pitch) = self.angles();
        let yaw2 = wrap_yaw(yaw + dx * RADIANS_PER_PIXEL);
        let pitch2 = (pitch + dy * RADIANS_PER_PIXEL).clamp(PITCH_MIN, PITCH_MAX);
        self.settings.insert("yaw", Value::Float(yaw2));
        self.settings.insert("pitch", Value::Float(pitch2));
        (yaw2, pitch2) != (yaw, pitch)
    }

    /// The network the diagram shows, if any.
    pub fn network(&self) -> Option<&Fig2bNetwork> {
        match self.settings.text("src") {
            "random" => self.random.as_ref().ok(),
            src => FIG3_ROWS
                .iter()
                .position(|r| *r == src)
                .and_then(|i| self.fig3[i].as_ref()),
        }
    }

    fn network_message(&self) -> Option<String> {
        match (self.settings.text("src"), &self.random) {
            ("random", Err(why)) => Some(format!(
                "{}. Nothing to show for this network.",
                why.trim_end_matches('.')
            )),
            ("random", Ok(_)) => None,
            _ if self.network().is_none() => Some("The Fig. 3 runs are not ready yet.".into()),
            _ => None,
        }
    }

    /// The calculator's input (d, e, c) and its result, when it has one.
    pub fn calculation(&self) -> Option<(usize, usize, &[f64], &TopologySummary)> {
        let k = &self.calc;
        k.result
            .as_ref()
            .ok()
            .map(|s| (k.d, k.e, k.c.as_slice(), s))
    }

    /// The diagram's title for `net`.
    pub fn diagram_title(net: &Fig2bNetwork) -> String {
        if net.d == 1 {
            let (l_plus, _, l_minus) = topology::sign_counts(&net.c);
            format!("Components of H(c): l+ = {l_plus}, l− = {l_minus} (d = 1)")
        } else {
            format!("Components of H(c): l− = {}", net.l_minus())
        }
    }

    /// The Betti chart's title, when the calculator has a result.
    pub fn betti_title(&self) -> Option<String> {
        self.calculation()
            .map(|(d, e, c, _)| format!("Betti numbers of H(c), d = {d}, e = {e}, l = {}", c.len()))
    }

    /// Applies several controls as one: each `(key, text)` is parsed as [`crate::app::view::set`]
    /// does; if any is refused, nothing changes and every refusal comes back.
    pub fn set_group(&mut self, entries: &[(&str, &str)]) -> GroupResult {
        let mut parsed = Vec::new();
        let mut rejections = Vec::new();
        for (key, text) in entries {
            match link::parse_typed(View::Topology, key, text) {
                Ok((param, value)) => parsed.push((param.key, value)),
                Err(reason) => rejections.push(self.refusal(key, text, reason)),
            }
        }
        if !rejections.is_empty() {
            return GroupResult {
                ok: false,
                changes: Vec::new(),
                rejections,
                message: None,
            };
        }
        let mut changes: Vec<Change> = Vec::new();
        for (key, value) in parsed {
            let changed = self.settings.get(key) != Some(&value);
            if changed {
                self.settings.insert(key, value);
            }
            changes.push(Change {
                key,
                changed,
                restarted: false,
            });
        }
        let changed: Vec<&str> = changes
            .iter()
            .filter(|c| c.changed)
            .map(|c| c.key)
            .collect();
        self.rebuild(&changed);
        GroupResult {
            ok: true,
            changes,
            rejections: Vec::new(),
            message: None,
        }
    }

    /// A refusal of `text` for `key`, naming the first bad entry of a list.
    fn refusal(&self, key: &str, text: &str, reason: Reason) -> Rejection {
        let Some(param) = link::param(View::Topology, key) else {
            return Rejection::new(key, text, reason);
        };
        let previous = self.settings.text_of(key);
        let mut r = Rejection::typed(param, text, reason, &previous);
        if let Kind::FloatList { .. } = param.kind
            && matches!(r.reason, Reason::NotANumber | Reason::NotFinite)
        {
            let normalized = text.trim().replace('\u{2212}', "-");
            let bad = normalized
                .split(',')
                .map(str::trim)
                .enumerate()
                .find_map(|(k, entry)| {
                    link::parse_typed(View::Topology, key, entry)
                        .err()
                        .map(|why| (k, entry, why))
                });
            if let Some((k, entry, why)) = bad {
                let why = if entry.is_empty() {
                    "empty".to_string()
                } else {
                    why.to_string()
                };
                r.message = format!(
                    "{} \"{}\": entry {} (\"{}\") is {why}. The previous value {previous} is still in use.",
                    param.label,
                    r.value,
                    k + 1,
                    link::shown(entry),
                );
            }
        }
        r
    }

    /// Fills the calculator with the Fig. 2b network's d, e and c.
    pub fn take_network(&mut self) -> GroupResult {
        let Some(net) = self.network() else {
            return GroupResult {
                ok: false,
                changes: Vec::new(),
                rejections: Vec::new(),
                message: Some("No Fig. 2b network is shown yet.".into()),
            };
        };
        let d = net.d.to_string();
        let e = net.e.to_string();
        let c = net
            .c
            .iter()
            .map(|x| link::format_number(*x))
            .collect::<Vec<_>>()
            .join(",");
        self.set_group(&[("cd", &d), ("ce", &e), ("cc", &c)])
    }

    /// Draws the random network again when one of its keys is among `keys`, and computes the
    /// calculator's result again when one of its keys is (a large calculator input is not
    /// recomputed when the slider moves).
    fn rebuild(&mut self, keys: &[&str]) {
        if keys.iter().any(|k| RANDOM_KEYS.contains(k)) {
            self.random = random_network(&self.settings);
        }
        if keys.iter().any(|k| CALC_KEYS.contains(k)) {
            self.calc = calculate(&self.settings);
        }
    }

    /// One section of the readout: `quadric`, `diagram` or `calculator` (the page prints only
    /// what a change touched).
    ///
    /// # Errors
    /// [`TopologyViewError::UnknownPart`] for another name.
    pub fn section(&self, name: &str) -> Result<Section, TopologyViewError> {
        Ok(match name {
            "quadric" => Section::Quadric(self.quadric_readout()),
            "diagram" => Section::Diagram(self.diagram_readout()),
            "calculator" => Section::Calculator(self.calculator_readout()),
            other => return Err(TopologyViewError::UnknownPart(link::shown(other))),
        })
    }

    /// Everything the view shows.
    pub fn readout(&self) -> TopologyReadout {
        TopologyReadout {
            quadric: self.quadric_readout(),
            diagram: self.diagram_readout(),
            calculator: self.calculator_readout(),
        }
    }

    fn quadric_readout(&self) -> QuadricReadout {
        let c = self.c();
        let shape = topology::quadric_kind(c).name();
        let c_text = format::fixed(c, 2);
        let (fields, message) = match TopologySummary::of(2, 1, &[c]) {
            Ok(s) => (
                vec![
                    Field::text("shape", "shape", shape.into(), shape.into()),
                    Field::text(
                        "components",
                        "connected components b₀",
                        s.components.clone(),
                        s.components,
                    ),
                    betti_field(&s.betti),
                    Field::text(
                        "poly",
                        "Poincaré polynomial",
                        s.polynomial.clone(),
                        s.polynomial,
                    ),
                ],
                None,
            ),
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        QuadricReadout {
            value_text: format!("c = {c_text}: {shape}"),
            value_spoken: format!("c = {c_text}, {shape}"),
            fields,
            message,
        }
    }

    fn diagram_readout(&self) -> DiagramReadout {
        let mut out = DiagramReadout {
            random: self.settings.text("src") == "random",
            source: None,
            source_data: BTreeMap::new(),
            rule: None,
            caption: None,
            caption_data: BTreeMap::new(),
            title: None,
            tall: false,
            message: self.network_message(),
        };
        let Some(net) = self.network() else {
            return out;
        };
        let c_text: Vec<String> = net.c.iter().map(|x| format::fixed(*x, 2)).collect();
        let frozen_w = if net.d == 1 {
            format!(
                ", l+ = {} with the sign of w_k frozen",
                topology::sign_counts(&net.c).0
            )
        } else {
            String::new()
        };
        out.source = Some(Sentence {
            text: format!(
                "{}: d = {}, e = {}, l = {}, l− = {} pathological{frozen_w}; c = ({}); its \
                 component {}.",
                net.name,
                net.d,
                net.e,
                net.c.len(),
                net.l_minus(),
                c_text.join(", "),
                sign_label(&net.label)
            ),
            tone: "",
        });
        out.source_data = BTreeMap::from([
            ("d", net.d.to_string()),
            ("e", net.e.to_string()),
            ("c", format::raw_list(&net.c)),
            ("label", label_json(&net.label)),
            ("lMinus", net.l_minus().to_string()),
        ]);
        out.title = Some(Self::diagram_title(net));
        let two_pieces = sheet_kinds(net.d, net.e, &net.c).len();
        out.rule = Some(Sentence {
            text: if net.d == 1 {
                D1_COMPONENTS.to_string()
            } else {
                format!(
                    "Each of the l− = {} pathological neurons lives on one of two sheets, so H(c) \
                     has 2^l− = {} components, one per choice of signs of their output weights.",
                    net.l_minus(),
                    1u128
                        .checked_shl(two_pieces as u32)
                        .map_or_else(|| format!("2^{two_pieces}"), |n| n.to_string())
                )
            },
            tone: "",
        });
        out.tall = (5..=MAX_DETAILED_NEURONS).contains(&net.label.len());
        match DiagramFacts::of(net) {
            Ok(f) => {
                let mut text = format!(
                    "{} components in {} effective classes",
                    f.components, f.classes
                );
                text += if f.detailed {
                    ", one cell each."
                } else {
                    ": too many to draw one by one, so one bar per class with its count."
                };
                text += &format!(" The network is in {}", f.highlight);
                text += if f.detailed {
                    " (outlined)."
                } else {
                    " (its class is outlined)."
                };
                out.caption = Some(Sentence { text, tone: "" });
                out.caption_data = BTreeMap::from([
                    ("components", f.components.to_string()),
                    ("classes", f.classes.to_string()),
                    ("cells", f.cells.to_string()),
                    ("detailed", f.detailed.to_string()),
                    ("highlight", f.highlight),
                ]);
            }
            Err(why) => out.message = Some(format!("{why}.")),
        }
        out
    }

    fn calculator_readout(&self) -> CalculatorReadout {
        const KEYS: [(&str, &str); 6] = [
            ("poly", "Poincaré polynomial P(t)"),
            ("betti", "Betti numbers (b₀, b₁, …)"),
            ("components", "connected components"),
            ("effective", "effective components (our reading)"),
            ("counts", "l+ / l0 / l−"),
            ("pathological", "pathological neurons (e = 1, cₖ < 0)"),
        ];
        match &self.calc.result {
            Ok(s) => {
                let path: Vec<usize> = s.pathological.iter().map(|k| k + 1).collect();
                let path_text: Vec<String> = path.iter().map(usize::to_string).collect();
                let values = [
                    (s.polynomial.clone(), s.polynomial.clone()),
                    (s.betti.join(", "), strings_json(&s.betti)),
                    (s.components.clone(), s.components.clone()),
                    (
                        s.effective_components.clone(),
                        s.effective_components.clone(),
                    ),
                    (
                        format!("{} / {} / {}", s.l_plus, s.l_zero, s.l_minus),
                        format!("[{},{},{}]", s.l_plus, s.l_zero, s.l_minus),
                    ),
                    (
                        if path.is_empty() {
                            "none".into()
                        } else {
                            path_text.join(", ")
                        },
                        format!("[{}]", path_text.join(",")),
                    ),
                ];
                CalculatorReadout {
                    fields: KEYS
                        .iter()
                        .zip(values)
                        .map(|((k, l), (text, value))| Field::text(*k, *l, text, value))
                        .collect(),
                    title: self.betti_title(),
                    message: None,
                }
            }
            Err(why) => CalculatorReadout {
                fields: KEYS
                    .iter()
                    .map(|(k, l)| Field::text(*k, *l, "—".into(), String::new()))
                    .collect(),
                title: None,
                message: Some(format!(
                    "{}. Nothing to show for this input.",
                    why.trim_end_matches('.')
                )),
            },
        }
    }

    /// The file name of a part's export, without its extension for charts
    /// (`fig2a-quadric-c1.00`, `fig2b-components`, `topology-betti`) and with it for data
    /// (`fig2b-network.json`, `topology-calculator.json`).
    pub fn file_name(&self, part: Part) -> String {
        match part {
            Part::Quadric => format!(
                "fig2a-quadric-c{}",
                format::fixed(self.c(), 2).replace('−', "minus")
            ),
            Part::Diagram => "fig2b-components".into(),
            Part::Betti => "topology-betti".into(),
            Part::Network => "fig2b-network.json".into(),
            Part::Calculator => "topology-calculator.json".into(),
        }
    }

    /// The JSON export of the Fig. 2b network or of the calculator (`format`, `version`, `view`,
    /// `figure`, `settings`, … as the page has always written them).
    ///
    /// # Errors
    /// [`TopologyViewError`] when there is no network or result, or for a part that is a chart.
    pub fn json(&self, part: Part) -> Result<String, TopologyViewError> {
        #[derive(Serialize)]
        struct NetworkSettings<'a> {
            name: &'a str,
            d: usize,
            e: usize,
            c: &'a [f64],
        }
        #[derive(Serialize)]
        struct NetworkFile<'a> {
            format: &'static str,
            version: u32,
            view: &'static str,
            figure: &'static str,
            settings: NetworkSettings<'a>,
            component_label: &'a [i8],
            summary: TopologySummary,
        }
        #[derive(Serialize)]
        struct CalcSettings<'a> {
            d: usize,
            e: usize,
            c: &'a [f64],
        }
        #[derive(Serialize)]
        struct CalcFile<'a> {
            format: &'static str,
            version: u32,
            view: &'static str,
            figure: &'static str,
            settings: CalcSettings<'a>,
            summary: &'a TopologySummary,
        }
        let text = match part {
            Part::Network => {
                let net = self.network().ok_or(TopologyViewError::NoNetwork)?;
                let summary = TopologySummary::of(net.d, net.e, &net.c)
                    .map_err(|e| TopologyViewError::NoResult(e.to_string()))?;
                serde_json::to_string_pretty(&NetworkFile {
                    format: FORMAT,
                    version: VERSION,
                    view: "topology",
                    figure: "fig2b",
                    settings: NetworkSettings {
                        name: &net.name,
                        d: net.d,
                        e: net.e,
                        c: &net.c,
                    },
                    component_label: &net.label,
                    summary,
                })
            }
            Part::Calculator => {
                let (d, e, c, summary) = self.calculation().ok_or_else(|| {
                    TopologyViewError::NoResult(self.calc.result.clone().err().unwrap_or_default())
                })?;
                serde_json::to_string_pretty(&CalcFile {
                    format: FORMAT,
                    version: VERSION,
                    view: "topology",
                    figure: "calculator",
                    settings: CalcSettings { d, e, c },
                    summary,
                })
            }
            chart => return Err(TopologyViewError::WrongKind(chart)),
        };
        Ok(text.unwrap_or_default())
    }
}

fn betti_field(betti: &[String]) -> Field {
    Field::text(
        "betti",
        "Betti numbers (b₀, b₁, …)",
        betti.join(", "),
        strings_json(betti),
    )
}

fn strings_json(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("\"{s}\"")).collect();
    format!("[{}]", quoted.join(","))
}

fn label_json(label: &[i8]) -> String {
    let items: Vec<String> = label.iter().map(i8::to_string).collect();
    format!("[{}]", items.join(","))
}

/// The random network of the settings `d`, `l`, `scheme`, `seed` (e = 1, no bias).
fn random_network(s: &Settings) -> Result<Fig2bNetwork, String> {
    let (d, l, seed) = (usize_of(s.int("d")), usize_of(s.int("l")), s.int("seed"));
    let scheme_name = s.text("scheme");
    let scheme = InitScheme::parse(scheme_name).map_err(|e| e.to_string())?;
    let net = initialize(Architecture::new(d, l, 1), scheme, seed).map_err(|e| e.to_string())?;
    let c = net.conserved_quantities();
    let label = topology::component_label(&net, &c);
    let scheme_label =
        link::option_label(View::Topology, "scheme", scheme_name).unwrap_or(scheme_name);
    Ok(Fig2bNetwork {
        name: format!("random {scheme_label} network, d = {d}, l = {l}, seed {seed}"),
        d,
        e: 1,
        c,
        label,
    })
}

/// The calculator's result for the settings `cd`, `ce`, `cc`.
fn calculate(s: &Settings) -> Calculation {
    let (d, e) = (usize_of(s.int("cd")), usize_of(s.int("ce")));
    let c = s.floats("cc").to_vec();
    debug_assert!(c.len() <= TOPOLOGY_C_MAX);
    let result = TopologySummary::of(d, e, &c).map_err(|e| e.to_string());
    Calculation { d, e, c, result }
}

impl ViewModel for TopologyModel {
    fn view(&self) -> View {
        View::Topology
    }

    fn settings(&self) -> &Settings {
        &self.settings
    }

    fn apply(&mut self, key: &'static str, value: Value) -> Result<bool, Rejection> {
        self.settings.insert(key, value);
        self.rebuild(&[key]);
        Ok(false)
    }

    fn apply_values(&mut self, values: &BTreeMap<&'static str, Value>) -> Vec<Rejection> {
        let mut changed = Vec::new();
        for (key, value) in values {
            if self.settings.get(key) != Some(value) {
                self.settings.insert(key, value.clone());
                changed.push(*key);
            }
        }
        self.rebuild(&changed);
        Vec::new()
    }

    fn link_values(&self) -> (BTreeMap<&'static str, Value>, Option<String>) {
        (self.settings.values().clone(), None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::view::{link_state, open_link, set};

    #[test]
    fn yaw_wraps_and_pitch_is_clamped() {
        let mut m = TopologyModel::new();
        m.rotate(1000.0, 1000.0);
        let (yaw, pitch) = m.angles();
        assert!((-PI..=PI).contains(&yaw));
        assert!((yaw - wrap_yaw(0.6 + 10.0)).abs() < 1e-12);
        assert_eq!(pitch, PITCH_MAX);
        m.rotate(0.0, -1e9);
        assert_eq!(m.angles().1, PITCH_MIN);
        assert!(!m.rotate(f64::NAN, 0.0));
        for y in [-PI, PI, 3.0 * PI, -3.0 * PI, 1e-300, -1e-300, 7.0] {
            let w = wrap_yaw(y);
            assert!((-PI..=PI).contains(&w), "{y} → {w}");
            assert!(((w - y) / (2.0 * PI)).fract().abs() < 1e-9 || (w - y).abs() < 1e-9);
        }
        // The link can hold any state reached by turning.
        assert!(link::parse_link(&link_state(&m).link).rejections.is_empty());
    }

    #[test]
    fn a_refused_group_changes_nothing() {
        let mut m = TopologyModel::new();
        let before = link_state(&m);
        let r = m.set_group(&[("cd", "3"), ("ce", "0x10"), ("cc", "1, abc")]);
        assert!(!r.ok);
        assert_eq!(r.rejections.len(), 2);
        assert_eq!(r.rejections[0].key, "ce");
        assert_eq!(r.rejections[0].reason.code(), "not_a_number");
        assert!(
            r.rejections[1].message.contains("entry 2 (\"abc\")"),
            "{}",
            r.rejections[1].message
        );
        assert_eq!(link_state(&m), before);
        let r = m.set_group(&[("cc", "1, , 2")]);
        assert!(r.rejections[0].message.contains("entry 2 (\"\") is empty"));
    }

    #[test]
    fn an_overflowing_input_is_accepted_and_explained() {
        let mut m = TopologyModel::new();
        let c = vec!["-1"; 200].join(",");
        assert!(set(&mut m, "cc", &c).is_ok());
        let r = m.readout().calculator;
        assert!(r.message.unwrap_or_default().contains("128 bits"));
        assert!(r.fields.iter().all(|f| f.text == "—" && f.value.is_empty()));
        assert!(m.json(Part::Calculator).is_err());
        assert!(m.betti_title().is_none());
    }

    #[test]
    fn fig3_rows_come_from_the_shell() {
        let mut m = TopologyModel::new();
        assert!(m.network().is_none());
        assert!(m.readout().diagram.message.is_some());
        assert!(m.take_network().message.is_some());
        let summary = NetworkSummary {
            d: 2,
            e: 1,
            c: vec![-1.0, -0.5],
            label: vec![1, -1],
            step: 12,
        };
        m.use_fig3_rows(Some(("Fig. 3 top run".into(), summary)), None);
        let r = m.readout().diagram;
        assert_eq!(r.caption_data["highlight"], "(+,−)");
        assert_eq!(r.source_data["lMinus"], "2");
        assert!(m.take_network().ok);
        assert_eq!(m.settings().floats("cc"), &[-1.0, -0.5]);
        assert!(open_link(&mut m, "#topology?v=1&src=bottom").is_empty());
        assert!(m.network().is_none());
    }
}
