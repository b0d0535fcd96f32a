//! What every view model shares: its settings (one validated value per key of the view's link
//! schema, so the link schema and the controls' schema are one table), the [`ViewModel`] trait and
//! the calls the shell makes on any view — [`controls`], [`set`], [`open_link`], [`link_state`].
//!
//! # The protocol
//! - `controls(model)`: every control with its label, kind, limits and current value as text.
//! - `set(model, key, text)`: the raw text of one control, parsed and validated here with the
//!   link's own grammar and limits ([`link::parse_typed`]). On success the model applies it
//!   ([`ViewModel::apply`]); on refusal a [`Rejection`] `{key, code, message}` comes back and the
//!   previous value stays in force.
//! - `open_link(model, fragment)`: a link is applied to the model directly
//!   ([`ViewModel::apply_values`]), never through the controls.
//! - `link_state(model)`: the canonical link of what the model shows, with a note when the link
//!   cannot hold all of it (a replay longer than a link replays).
//!
//! Nothing here reads a clock or the DOM.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::app::format;
use crate::app::link::{self, Default, Kind, Rejection, Value, View};

/// One validated value per key of a view's schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    view: View,
    values: BTreeMap<&'static str, Value>,
}

impl Settings {
    /// Every key of `view` at its default.
    pub fn defaults(view: View) -> Self {
        Self {
            view,
            values: link::schema(view)
                .iter()
                .map(|p| (p.key, Value::from(p.default)))
                .collect(),
        }
    }

    /// The view.
    pub fn view(&self) -> View {
        self.view
    }

    /// Every value, by key.
    pub fn values(&self) -> &BTreeMap<&'static str, Value> {
        &self.values
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key)
    }

    /// Sets `key` (a key of the view's schema; others are ignored).
    pub fn insert(&mut self, key: &'static str, value: Value) {
        if link::param(self.view, key).is_some() {
            self.values.insert(key, value);
        }
    }

    /// A whole-number key (0 when absent).
    pub fn int(&self, key: &str) -> u64 {
        match self.get(key) {
            Some(Value::Int(n)) => *n,
            _ => 0,
        }
    }

    /// An optional whole-number key.
    pub fn opt_int(&self, key: &str) -> Option<u64> {
        match self.get(key) {
            Some(Value::Int(n)) => Some(*n),
            _ => None,
        }
    }

    /// A number key (0 when absent).
    pub fn float(&self, key: &str) -> f64 {
        match self.get(key) {
            Some(Value::Float(x)) => *x,
            _ => 0.0,
        }
    }

    /// An option key ("" when absent).
    pub fn text(&self, key: &str) -> &str {
        match self.get(key) {
            Some(Value::Text(s)) => s,
            _ => "",
        }
    }

    /// A boolean key (false when absent).
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some(Value::Bool(true)))
    }

    /// A list-of-numbers key (empty when absent).
    pub fn floats(&self, key: &str) -> &[f64] {
        match self.get(key) {
            Some(Value::Floats(v)) => v,
            _ => &[],
        }
    }

    /// A set-of-whole-numbers key (empty when absent).
    pub fn ints(&self, key: &str) -> &[u64] {
        match self.get(key) {
            Some(Value::Ints(v)) => v,
            _ => &[],
        }
    }

    /// The value of `key` as its control shows it: numbers in their shortest exact form, lists
    /// separated by ", ", an absent optional value as "".
    pub fn text_of(&self, key: &str) -> String {
        match self.get(key) {
            Some(Value::Floats(xs)) => xs
                .iter()
                .map(|x| link::format_number(*x))
                .collect::<Vec<_>>()
                .join(", "),
            Some(v) => link::value_text(v).unwrap_or_default(),
            None => String::new(),
        }
    }
}

/// What a successful [`set`] did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The key.
    pub key: &'static str,
    /// Whether the value differs from the one before (an unchanged value changes nothing).
    pub changed: bool,
    /// Whether the model started its run(s) again.
    pub restarted: bool,
}

/// A view's state as the shell asks for it: one view model per view of the page.
pub trait ViewModel {
    /// The view this model drives.
    fn view(&self) -> View;

    /// Its settings.
    fn settings(&self) -> &Settings;

    /// Applies one validated value of `key`, rebuilding what depends on it; returns whether the
    /// run(s) started again.
    ///
    /// # Errors
    /// A [`Rejection`] when the model cannot take the value (a run that cannot be built from
    /// it); the model is then unchanged.
    fn apply(&mut self, key: &'static str, value: Value) -> Result<bool, Rejection>;

    /// Applies every value of a link at once (each key of the view, accepted or default) and
    /// returns what the model itself refused.
    fn apply_values(&mut self, values: &BTreeMap<&'static str, Value>) -> Vec<Rejection>;

    /// The values of the current state for a link (the settings plus what the model holds: the
    /// step reached, view angles, …) and a note when the link cannot hold all of it.
    fn link_values(&self) -> (BTreeMap<&'static str, Value>, Option<String>);
}

/// One control of a view, as the shell renders or binds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Control {
    /// The key (also the link's key).
    pub key: &'static str,
    /// The label the control shows.
    pub label: &'static str,
    /// `number` (int or float), `choice`, `toggle`, `list` or `set`.
    pub kind: &'static str,
    /// The value in force as the control shows it.
    pub value: String,
    /// For `toggle`: on or off.
    pub checked: bool,
    /// For `choice` and `set`: every option with its label and whether it is selected.
    pub options: Vec<Choice>,
    /// The accepted values in words ("a whole number from 1 to 1000").
    pub hint: String,
    /// For a number on a grid (a slider): its smallest and largest value and the grid step.
    pub range: Option<[String; 3]>,
}

/// One option of a `choice` or `set` control.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    /// The value written in links.
    pub value: String,
    /// What the control shows.
    pub label: String,
    /// Whether it is the value (or among the values) in force.
    pub selected: bool,
}

fn hint(kind: &Kind, optional: bool) -> String {
    let base = match *kind {
        Kind::Int { min, max } => format!("a whole number from {min} to {max}"),
        Kind::Float {
            min,
            max,
            min_open,
            step,
        } => {
            let lo = if min_open { "above" } else { "from" };
            let range = if max >= f64::MAX {
                format!("a number {lo} {}", link::format_number(min))
            } else {
                format!(
                    "a number {lo} {} to {}",
                    link::format_number(min),
                    link::format_number(max)
                )
            };
            match step {
                Some(s) => format!("{range}, a multiple of {}", link::format_number(s)),
                None => range,
            }
        }
        Kind::Enum { .. } => "one of the options".into(),
        Kind::Bool => "on or off".into(),
        Kind::FloatList {
            min_len, max_len, ..
        } => {
            format!("{min_len} to {max_len} finite numbers separated by commas")
        }
        Kind::IntSet { .. } => "any of the options".into(),
    };
    if optional {
        format!("{base}, or empty")
    } else {
        base
    }
}

/// Every control of `model`'s view, in schema order.
pub fn controls<M: ViewModel + ?Sized>(model: &M) -> Vec<Control> {
    let s = model.settings();
    link::schema(model.view())
        .iter()
        .map(|p| {
            let value = s.text_of(p.key);
            let (kind, options, range) = match p.kind {
                Kind::Int { .. } => ("number", Vec::new(), None),
                Kind::Float { min, max, step, .. } => (
                    "number",
                    Vec::new(),
                    step.map(|st| {
                        [
                            link::format_number(min),
                            link::format_number(max),
                            link::format_number(st),
                        ]
                    }),
                ),
                Kind::Enum { options, labels } => (
                    "choice",
                    options
                        .iter()
                        .enumerate()
                        .map(|(i, o)| Choice {
                            value: (*o).into(),
                            label: labels.get(i).copied().unwrap_or(o).into(),
                            selected: s.text(p.key) == *o,
                        })
                        .collect(),
                    None,
                ),
                Kind::Bool => ("toggle", Vec::new(), None),
                Kind::FloatList { .. } => ("list", Vec::new(), None),
                Kind::IntSet { options } => (
                    "set",
                    options
                        .iter()
                        .map(|o| Choice {
                            value: o.to_string(),
                            label: o.to_string(),
                            selected: s.ints(p.key).contains(o),
                        })
                        .collect(),
                    None,
                ),
            };
            Control {
                key: p.key,
                label: p.label,
                kind,
                checked: s.flag(p.key),
                value,
                options,
                hint: hint(&p.kind, p.default == Default::None),
                range,
            }
        })
        .collect()
}

/// Parses and applies the raw `text` of control `key`.
///
/// # Errors
/// A [`Rejection`] naming the control, why, and the value that stays in force.
pub fn set<M: ViewModel + ?Sized>(
    model: &mut M,
    key: &str,
    text: &str,
) -> Result<Change, Rejection> {
    let view = model.view();
    let previous = model.settings().text_of(key);
    let (param, value) =
        link::parse_typed(view, key, text).map_err(|reason| match link::param(view, key) {
            Some(p) => Rejection::typed(p, text, reason, &previous),
            None => Rejection::new(key, text, reason),
        })?;
    if model.settings().get(param.key) == Some(&value) {
        return Ok(Change {
            key: param.key,
            changed: false,
            restarted: false,
        });
    }
    let restarted = model.apply(param.key, value)?;
    Ok(Change {
        key: param.key,
        changed: true,
        restarted,
    })
}

/// Applies the link `fragment` to `model` and returns every refused piece (the link's own and the
/// model's). A link of another view changes nothing and is refused as a whole.
pub fn open_link<M: ViewModel + ?Sized>(model: &mut M, fragment: &str) -> Vec<Rejection> {
    let parsed = link::parse_link(fragment);
    if parsed.view != model.view() {
        return vec![Rejection::new(
            "view",
            parsed.view.name(),
            link::Reason::UnknownView,
        )];
    }
    let mut rejections = parsed.rejections;
    rejections.extend(model.apply_values(&parsed.values));
    rejections
}

/// The canonical link of what a model shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkState {
    /// `#view?v=1&…`, every key of the view in schema order.
    pub link: String,
    /// Why the link does not hold all of the state, if it does not.
    pub note: Option<String>,
}

/// The link of `model`'s current state.
pub fn link_state<M: ViewModel + ?Sized>(model: &M) -> LinkState {
    let (values, note) = model.link_values();
    LinkState {
        link: link::format_values(model.view(), &values),
        note,
    }
}

/// One line of a readout: a label, the text shown and the exact value for `data-value`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    /// A stable key (the page's element ids end with it).
    pub key: String,
    /// What the reader sees before the value.
    pub label: String,
    /// The value as shown (formatted by [`format`]).
    pub text: String,
    /// The exact value, machine-readable (a number, or JSON for a list).
    pub value: String,
}

impl Field {
    /// A field whose exact value is the number `x`.
    pub fn number(key: impl Into<String>, label: impl Into<String>, text: String, x: f64) -> Self {
        Self {
            key: key.into(),
            label: label.into(),
            text,
            value: format::raw(x),
        }
    }

    /// A field with an exact value given as text.
    pub fn text(
        key: impl Into<String>,
        label: impl Into<String>,
        text: String,
        value: String,
    ) -> Self {
        Self {
            key: key.into(),
            label: label.into(),
            text,
            value,
        }
    }
}

/// A verdict or status sentence with its tone (`ok`, `obstructed` or `` for a neutral one).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sentence {
    /// The sentence.
    pub text: String,
    /// `ok`, `obstructed` or empty.
    pub tone: &'static str,
}
