//! The guided tour: an ordered walk through the paper's story for a classroom, one step per link
//! `#tour?v=1&step=N` (N from 1 to [`STEPS`]`.len()`). Each step is a title, one or two sentences,
//! and the link of another view that shows it; the shell opens that link (and presses Play when
//! the step says `autoplay`), so a teacher can project the tour from start to end without touching
//! a control.
//!
//! # Conventions
//! - A step's `link` is a version-1 link of an existing view's schema; a test parses every one
//!   and requires no rejection and the step's view.
//! - Sentences that state our derivation or reading rather than the paper's text say
//!   "(our reading)" or "(derived here)" and the step's `reading` flag is set, so the page can
//!   show them as ours (see `paper-notes.md`).
//! - [`TourModel::next_step`] and [`TourModel::prev_step`] stop at the first and the last step.
//! - Nothing here reads a clock or the DOM.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::app::link::{Rejection, Value, View};
use crate::app::view::{Settings, ViewModel};

/// One step of the tour.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TourStep {
    /// The step's title, e.g. "A neuron and its hyperbola".
    pub title: &'static str,
    /// One or two sentences.
    pub text: &'static str,
    /// The view the step opens.
    pub view: View,
    /// The link the step opens (a version-1 link of `view`).
    pub link: &'static str,
    /// Whether the shell starts the view's animation on arrival (Fig. 3 and Fig. 1b).
    pub autoplay: bool,
    /// Whether the text states our reading or derivation rather than the paper's text.
    pub reading: bool,
}

/// The tour, in order.
pub const STEPS: &[TourStep] = &[
    TourStep {
        title: "A neuron and its hyperbola",
        text: "One hidden neuron with one input and one output is a point (w, v) of the plane. \
               Gradient descent keeps c = w² − v² fixed, so the point slides along the hyperbola \
               w² − v² = c it started on.",
        view: View::Fig1b,
        link: "#fig1b?v=1&w0=2&v0=-0.5",
        autoplay: true,
        reading: false,
    },
    TourStep {
        title: "Rescaling changes c, not the function",
        text: "The neuron computes v·σ(w·x), so (w, v) ↦ (αw, v/α) with α > 0 gives the same \
               function: this start has the same product w·v = −1 as the last one, on another \
               hyperbola (c = 2.17 instead of 3.75). The Rescale button applies any α.",
        view: View::Fig1b,
        link: "#fig1b?v=1&w0=1.6&v0=-0.625",
        autoplay: true,
        reading: false,
    },
    TourStep {
        title: "A neuron that cannot cross",
        text: "Start with |v| > w: c < 0, and |v| ≥ √(−c) for ever, so the output weight can never \
               change sign. This neuron is pathological: the minima on the other side are out of \
               reach of gradient flow.",
        view: View::Fig1b,
        link: "#fig1b?v=1&w0=0.5&v0=-1.5",
        autoplay: true,
        reading: false,
    },
    TourStep {
        title: "The quadric Q(c) and c = 0",
        text: "With two inputs and one output a neuron is a point (w₁, w₂, v) and stays on \
               Q(c) = {w₁² + w₂² − v² = c}. At c = 0 this is a double cone: its two halves meet at \
               the origin, and the cone is contractible.",
        view: View::Topology,
        link: "#topology?v=1&c=0",
        autoplay: false,
        reading: false,
    },
    TourStep {
        title: "One sheet when c > 0",
        text: "For c > 0 the quadric is a one-sheeted hyperboloid, a circle times a line: the \
               output weight v can take either sign, nothing is trapped.",
        view: View::Topology,
        link: "#topology?v=1&c=1",
        autoplay: false,
        reading: false,
    },
    TourStep {
        title: "Two sheets when c < 0",
        text: "For c < 0 the quadric falls apart into two sheets, v ≥ √(−c) and v ≤ −√(−c), \
               2√(−c) apart. Gradient flow cannot leave its sheet: this is the topological \
               obstruction.",
        view: View::Topology,
        link: "#topology?v=1&c=-1",
        autoplay: false,
        reading: false,
    },
    TourStep {
        title: "The components of H(c)",
        text: "Training stays on H(c), the product of every neuron's quadric. With one output each \
               pathological neuron doubles its pieces, 2^l− in all; swapping two pathological \
               neurons makes pieces with the same number of positive signs equivalent, \
               l− + 1 effective components (our reading).",
        view: View::Topology,
        link: "#topology?v=1&c=-1&src=random&d=2&l=6&scheme=xavier_normal&seed=0",
        autoplay: false,
        reading: true,
    },
    TourStep {
        title: "The obstructed and the good run (Fig. 3)",
        text: "Two networks of two neurons learn the same target, which needs one positive and \
               one negative ReLU term. The top run starts with both pathological output weights \
               positive and its loss plateaus; the bottom run has one of each sign and reaches the \
               optimum by t* = 500. The data and initial values are our setup (our reading).",
        view: View::Fig3,
        link: "#fig3?v=1&top=fig3-obstructed-pp&bottom=fig3-good-pm&pause=1",
        autoplay: true,
        reading: true,
    },
    TourStep {
        title: "How often it happens",
        text: "At a standard initialization a neuron is pathological with probability \
               p = P(‖v‖ > ‖w‖), and H(c) is disconnected with probability 1 − (1 − p)^l (our \
               reading of the appendix heatmap). For Xavier normal, d = 2 and l = 2 that is more \
               than half; it falls fast as the input dimension d grows.",
        view: View::Heatmaps,
        link: "#heatmaps?v=1&sel=xavier&d=2&l=2",
        autoplay: false,
        reading: true,
    },
    TourStep {
        title: "It matters in practice (Fig. 4)",
        text: "On the breast cancer data the test loss depends on how many neurons are not \
               pathological, l+, not on the share l+/l. Here l+ is imposed by rescaling each \
               neuron at initialization, which leaves the function unchanged (our reading).",
        view: View::Fig4,
        link: "#fig4?v=1&ran=1",
        autoplay: false,
        reading: true,
    },
];

/// What the tour shows of its current step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TourReadout {
    /// The step, from 1.
    pub index: u64,
    /// How many steps there are.
    pub count: u64,
    /// "3 of 10".
    pub position: String,
    /// The step itself (its fields are written inline: title, text, view, link, autoplay,
    /// reading).
    #[serde(flatten)]
    pub step: TourStep,
    /// Whether there is a step before / after (the Previous and Next buttons).
    pub has_prev: bool,
    /// See `has_prev`.
    pub has_next: bool,
}

/// The tour view: the step shown.
#[derive(Debug, Clone)]
pub struct TourModel {
    settings: Settings,
}

impl Default for TourModel {
    fn default() -> Self {
        Self::new()
    }
}

impl TourModel {
    /// The tour at its first step.
    pub fn new() -> Self {
        Self {
            settings: Settings::defaults(View::Tour),
        }
    }

    /// How many steps the tour has.
    pub fn count(&self) -> u64 {
        STEPS.len() as u64
    }

    /// The step shown, from 1.
    pub fn index(&self) -> u64 {
        self.settings.int("step").clamp(1, self.count())
    }

    /// The step shown.
    pub fn current(&self) -> &'static TourStep {
        &STEPS[(self.index() - 1) as usize]
    }

    /// Goes to the next step (stays at the last); returns whether the step changed.
    pub fn next_step(&mut self) -> bool {
        self.go(self.index().saturating_add(1).min(self.count()))
    }

    /// Goes to the previous step (stays at the first); returns whether the step changed.
    pub fn prev_step(&mut self) -> bool {
        self.go(self.index().saturating_sub(1).max(1))
    }

    fn go(&mut self, index: u64) -> bool {
        let changed = index != self.index();
        self.settings.insert("step", Value::Int(index));
        changed
    }

    /// The current step as the tour bar shows it.
    pub fn readout(&self) -> TourReadout {
        let step = self.current();
        let (index, count) = (self.index(), self.count());
        TourReadout {
            index,
            count,
            position: format!("{index} of {count}"),
            step: *step,
            has_prev: index > 1,
            has_next: index < count,
        }
    }

    /// Every step, in order (for a step menu).
    pub fn steps(&self) -> &'static [TourStep] {
        STEPS
    }
}

impl ViewModel for TourModel {
    fn view(&self) -> View {
        View::Tour
    }

    fn settings(&self) -> &Settings {
        &self.settings
    }

    fn apply(&mut self, key: &'static str, value: Value) -> Result<bool, Rejection> {
        self.settings.insert(key, value);
        Ok(false)
    }

    fn apply_values(&mut self, values: &BTreeMap<&'static str, Value>) -> Vec<Rejection> {
        for (key, value) in values {
            self.settings.insert(key, value.clone());
        }
        Vec::new()
    }

    fn link_values(&self) -> (BTreeMap<&'static str, Value>, Option<String>) {
        (self.settings.values().clone(), None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tour_has_eight_to_twelve_steps_with_titles_and_text() {
        assert!((8..=12).contains(&STEPS.len()));
        for s in STEPS {
            assert!(!s.title.is_empty() && !s.text.is_empty());
            assert_ne!(s.view, View::Tour);
            // A step marked as our reading says so in its text, and only those do.
            assert_eq!(s.reading, s.text.contains("(our reading"), "{}", s.title);
        }
    }

    #[test]
    fn next_and_prev_stop_at_the_ends() {
        let mut m = TourModel::new();
        assert_eq!(m.index(), 1);
        assert!(!m.prev_step());
        assert!(m.next_step());
        assert_eq!(m.readout().position, format!("2 of {}", STEPS.len()));
        for _ in 0..20 {
            m.next_step();
        }
        assert_eq!(m.index(), m.count());
        assert!(!m.readout().has_next && m.readout().has_prev);
    }
}
