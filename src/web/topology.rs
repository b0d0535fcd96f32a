//! Browser boundary of the topology view (Fig. 2a, Fig. 2b and the topology calculator).
//!
//! No maths here: the Betti numbers, components and classes come from [`crate::core::topology`] and
//! [`crate::present::charts::components`], random networks from [`crate::core::init`]. This module checks the
//! numbers typed in the page (whole numbers in range, finite c_k, list length), turns exact `u128`
//! counts into decimal strings (they can exceed 2^53, so JavaScript numbers would round them), and
//! hands canvases to the chart functions.

use crate::core::init::{InitScheme, initialize};
use crate::core::network::Architecture;
use crate::core::topology;
use crate::present::charts::bars::draw_betti_bars;
use crate::present::charts::components::{
    ComponentDiagram, MAX_DIAGRAM_NEURONS, diagram_summary, draw_component_diagram,
};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::{canvas_area, to_js};
use crate::present::figures::shape_name;

/// Largest d and e the calculator accepts.
pub(super) const DIM_MAX: usize = 1000;
/// Most c_k the calculator accepts.
const C_MAX: usize = 300;
/// Widest random network of the component diagram.
const L_MAX: usize = 64;
/// Largest seed (2^53 − 1, exact in a JavaScript number).
const SEED_MAX: f64 = 9_007_199_254_740_991.0;

/// A whole number in `min..=max`, or an error naming it.
pub(super) fn whole(name: &str, x: f64, min: usize, max: usize) -> Result<usize, JsError> {
    if !x.is_finite() || x.fract() != 0.0 || x < min as f64 || x > max as f64 {
        return Err(JsError::new(&format!(
            "{name} = {x} is refused: it must be a whole number from {min} to {max}"
        )));
    }
    Ok(x as usize)
}

pub(super) fn check_c(c: &[f64]) -> Result<(), JsError> {
    if c.len() > C_MAX {
        return Err(JsError::new(&format!(
            "{} values of c is too many: at most {C_MAX}",
            c.len()
        )));
    }
    if let Some(k) = c.iter().position(|x| !x.is_finite()) {
        return Err(JsError::new(&format!(
            "c{} = {} is not a finite number",
            k + 1,
            c[k]
        )));
    }
    Ok(())
}

fn err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// Limits of the view's inputs: `{dMax, eMax, cMax, lMax}`.
///
/// # Errors
/// Only if serialization fails.
#[wasm_bindgen(js_name = topologyLimits)]
pub fn topology_limits() -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Limits {
        d_max: usize,
        e_max: usize,
        c_max: usize,
        l_max: usize,
    }
    to_js(&Limits {
        d_max: DIM_MAX,
        e_max: DIM_MAX,
        c_max: C_MAX,
        l_max: L_MAX,
    })
}

#[derive(Serialize)]
struct Summary {
    /// Betti numbers b_0, b_1, … as decimal strings.
    betti: Vec<String>,
    polynomial: String,
    components: String,
    effective_components: String,
    pathological: Vec<usize>,
    l_plus: usize,
    l_zero: usize,
    l_minus: usize,
}

/// The topology of H(c) for Q(c_k) ⊂ R^d × R^e: `{betti, polynomial, components,
/// effective_components, pathological, l_plus, l_zero, l_minus}`; the counts are decimal strings.
///
/// # Errors
/// A message when d or e is not a whole number from 1 to 1000, c has more than 300 entries or a
/// non-finite one, or the Betti numbers overflow 128 bits.
#[wasm_bindgen(js_name = topologySummary)]
pub fn topology_summary(d: f64, e: f64, c: Vec<f64>) -> Result<JsValue, JsError> {
    let d = whole("d", d, 1, DIM_MAX)?;
    let e = whole("e", e, 1, DIM_MAX)?;
    check_c(&c)?;
    let betti = topology::poincare_polynomial(d, e, &c).map_err(err)?;
    let (l_plus, l_zero, l_minus) = topology::sign_counts(&c);
    to_js(&Summary {
        betti: betti.iter().map(u128::to_string).collect(),
        polynomial: topology::format_polynomial(&betti),
        components: topology::connected_components(d, e, &c)
            .map_err(err)?
            .to_string(),
        effective_components: topology::effective_components(d, e, &c)
            .map_err(err)?
            .to_string(),
        pathological: topology::pathological_neurons(e, &c),
        l_plus,
        l_zero,
        l_minus,
    })
}

/// One quadric Q(c) for d = 2, e = 1 (Fig. 2a): `{c, shape, components, betti, polynomial}`.
///
/// # Errors
/// A message when c is not finite.
#[wasm_bindgen(js_name = quadricInfo)]
pub fn quadric_info(c: f64) -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    struct Info {
        c: f64,
        shape: &'static str,
        components: String,
        betti: Vec<String>,
        polynomial: String,
    }
    check_c(&[c])?;
    let betti = topology::betti_numbers(2, 1, &[c]).map_err(err)?;
    to_js(&Info {
        c,
        shape: shape_name(topology::quadric_kind(c)),
        components: topology::connected_components(2, 1, &[c])
            .map_err(err)?
            .to_string(),
        polynomial: topology::format_polynomial(&betti),
        betti: betti.iter().map(u128::to_string).collect(),
    })
}

/// Draws Q(c) = {w₁² + w₂² − v² = c} alone (no trajectory), seen from (yaw, pitch).
///
/// # Errors
/// When c is not finite, the canvas has no 2-D context or drawing fails.
#[wasm_bindgen(js_name = drawQuadricAlone)]
pub fn draw_quadric_alone(
    canvas: HtmlCanvasElement,
    c: f64,
    yaw: f64,
    pitch: f64,
) -> Result<(), JsError> {
    check_c(&[c])?;
    let area = canvas_area(canvas)?;
    crate::present::figures::draw_quadric_alone(&area, c, yaw, pitch).map_err(err)?;
    area.present().map_err(err)
}

/// Draws the component diagram of H(c) (Fig. 2b), outlining the component `label` when given
/// (one ±1 per two-sheeted neuron). Returns what was drawn: `{disconnected, components, classes,
/// detailed, cells, highlighted_class, highlighted_label}` (`components` a decimal string).
///
/// # Errors
/// A message for bad d, e or c (as [`topology_summary`]), a label that does not fit c, more than
/// 120 two-sheeted neurons, no 2-D context, or a drawing failure.
#[wasm_bindgen(js_name = drawComponentDiagram)]
pub fn draw_component_diagram_js(
    canvas: HtmlCanvasElement,
    d: f64,
    e: f64,
    c: Vec<f64>,
    label: Option<Vec<i8>>,
    title: String,
) -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    struct Drawn {
        disconnected: usize,
        components: String,
        classes: usize,
        detailed: bool,
        cells: usize,
        highlighted_class: Option<usize>,
        highlighted_label: Option<String>,
    }
    let d = whole("d", d, 1, DIM_MAX)?;
    let e = whole("e", e, 1, DIM_MAX)?;
    check_c(&c)?;
    let diagram = ComponentDiagram {
        title: &title,
        d,
        e,
        c: &c,
        highlight: label.as_deref(),
    };
    let s = diagram_summary(&diagram).map_err(err)?;
    let area = canvas_area(canvas)?;
    draw_component_diagram(&area, &diagram).map_err(err)?;
    area.present().map_err(err)?;
    to_js(&Drawn {
        disconnected: s.disconnected,
        components: s.components.to_string(),
        classes: s.classes,
        detailed: s.detailed,
        cells: s.cells,
        highlighted_class: s.highlighted_class,
        highlighted_label: s.highlighted_label,
    })
}

/// Draws the Betti numbers of H(c) as labelled bars.
///
/// # Errors
/// As [`topology_summary`], and when the canvas has no 2-D context or drawing fails.
#[wasm_bindgen(js_name = drawBettiBars)]
pub fn draw_betti_bars_js(
    canvas: HtmlCanvasElement,
    d: f64,
    e: f64,
    c: Vec<f64>,
    title: String,
) -> Result<(), JsError> {
    let d = whole("d", d, 1, DIM_MAX)?;
    let e = whole("e", e, 1, DIM_MAX)?;
    check_c(&c)?;
    let betti = topology::betti_numbers(d, e, &c).map_err(err)?;
    let area = canvas_area(canvas)?;
    draw_betti_bars(&area, &betti, &title).map_err(err)?;
    area.present().map_err(err)
}

/// A randomly initialized scalar-output network (e = 1, no bias) of input dimension d and width l
/// from `scheme` (an [`InitScheme`] name) and `seed`: `{c, label, l_plus, l_zero, l_minus}`, with
/// `label` its component label (signs of the pathological output weights when d ≥ 2).
///
/// # Errors
/// A message when d is not a whole number from 1 to 1000, l not one from 1 to 64, the scheme is
/// unknown or the seed is not a whole number from 0 to 2^53 − 1.
#[wasm_bindgen(js_name = randomNetworkC)]
pub fn random_network_c(d: f64, l: f64, scheme: &str, seed: f64) -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    struct RandomNet {
        c: Vec<f64>,
        label: Vec<i8>,
        l_plus: usize,
        l_zero: usize,
        l_minus: usize,
    }
    let d = whole("d", d, 1, DIM_MAX)?;
    let l = whole("l", l, 1, L_MAX.min(MAX_DIAGRAM_NEURONS))?;
    if !(seed.is_finite() && seed.fract() == 0.0 && (0.0..=SEED_MAX).contains(&seed)) {
        return Err(JsError::new(&format!(
            "seed = {seed} is refused: it must be a whole number from 0 to {SEED_MAX}"
        )));
    }
    let scheme = InitScheme::parse(scheme).map_err(err)?;
    let net = initialize(Architecture::new(d, l, 1), scheme, seed as u64).map_err(err)?;
    let c = net.conserved_quantities();
    let label = topology::component_label(&net, &c);
    let (l_plus, l_zero, l_minus) = topology::sign_counts(&c);
    to_js(&RandomNet {
        c,
        label,
        l_plus,
        l_zero,
        l_minus,
    })
}
