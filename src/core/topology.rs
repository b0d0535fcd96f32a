//! Topology of the invariant set H(c) = Q(c_1) × … × Q(c_l).
//!
//! # Conventions
//! - Q(c) = {(w, v) ∈ R^d × R^e : ‖w‖² − ‖v‖² = c}. With a hidden bias, pass d + 1 (the bias is
//!   one more input coordinate).
//! - c > 0: Q ≅ S^{d−1} × R^e; c < 0: Q ≅ R^d × S^{e−1}; c = 0: a cone, contractible.
//! - Künneth: P_H(t) = (1 + t^{d−1})^{l+} (1 + t^{e−1})^{l−}, where a 0-sphere contributes 2.
//!   Betti numbers are the coefficients, b_0 is the number of connected components.
//! - A neuron whose quadric is disconnected (a 0-sphere factor) lives on one of two sheets, told
//!   apart by a sign: the sign of v_k when e = 1 and c_k < 0 (a *pathological* neuron), the sign of
//!   w_k when d = 1 and c_k > 0. The component label of a point is the vector of these signs, in
//!   neuron order.
//! - Effective components (paper-notes §4, our reading): permuting two neurons of the same kind
//!   and rescaling each back onto its own quadric maps components onto each other without changing
//!   the function, so only the number of `+` signs among each kind matters.
//! - The obstruction verdict (paper-notes §5) is for a scalar output.

use crate::core::error::TopologyError;
use crate::core::network::{MAX_DIM, Network};
use serde::Serialize;

/// The shape of one quadric Q(c).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuadricKind {
    /// c > 0: S^{d−1} × R^e (for d = 2, e = 1 a one-sheeted hyperboloid).
    Positive,
    /// c = 0: a cone (contractible).
    Cone,
    /// c < 0: R^d × S^{e−1} (for d = 2, e = 1 a two-sheeted hyperboloid).
    Negative,
}

impl QuadricKind {
    /// The name of the shape for d = 2, e = 1 (Fig. 2a).
    pub fn name(self) -> &'static str {
        match self {
            Self::Positive => "one-sheeted hyperboloid",
            Self::Cone => "double cone",
            Self::Negative => "two-sheeted hyperboloid",
        }
    }
}

/// The kind of Q(c).
pub fn quadric_kind(c: f64) -> QuadricKind {
    if c > 0.0 {
        QuadricKind::Positive
    } else if c < 0.0 {
        QuadricKind::Negative
    } else {
        QuadricKind::Cone
    }
}

/// Counts (l+, l0, l−) of positive, zero and negative c_k.
pub fn sign_counts(c: &[f64]) -> (usize, usize, usize) {
    let pos = c.iter().filter(|x| **x > 0.0).count();
    let neg = c.iter().filter(|x| **x < 0.0).count();
    (pos, c.len() - pos - neg, neg)
}

fn check(d: usize, e: usize, c: &[f64]) -> Result<(), TopologyError> {
    for (name, value) in [("d", d), ("e", e)] {
        if value == 0 {
            return Err(TopologyError::Dimension { name });
        }
        if value > MAX_DIM {
            return Err(TopologyError::TooLarge {
                name,
                value,
                max: MAX_DIM,
            });
        }
    }
    if let Some(k) = c.iter().position(|x| !x.is_finite()) {
        return Err(TopologyError::NotFinite { neuron: k });
    }
    Ok(())
}

/// p(t) · (1 + t^m) (with 1 + t^0 = 2), in O(len p + m) operations.
fn times_sphere(p: &[u128], m: usize, l: usize) -> Result<Vec<u128>, TopologyError> {
    let mut out = vec![0u128; p.len() + m];
    for (i, x) in p.iter().enumerate() {
        for j in [i, i + m] {
            out[j] = out[j]
                .checked_add(*x)
                .ok_or(TopologyError::Overflow { l })?;
        }
    }
    Ok(out)
}

/// Coefficients of the Poincaré polynomial P_H(t) of H(c), lowest degree first, with trailing
/// zeros removed (so `[2, 4, 2]` means 2 + 4t + 2t²).
///
/// # Errors
/// [`TopologyError`] for a dimension of 0 or above [`MAX_DIM`], a non-finite c_k or a coefficient
/// above 2^128.
pub fn poincare_polynomial(d: usize, e: usize, c: &[f64]) -> Result<Vec<u128>, TopologyError> {
    check(d, e, c)?;
    let l = c.len();
    let mut p = vec![1u128];
    for &ck in c {
        // Q(c_k) ≃ S^{d−1} (c_k > 0), S^{e−1} (c_k < 0) or a point (the cone).
        p = match quadric_kind(ck) {
            QuadricKind::Positive => times_sphere(&p, d - 1, l)?,
            QuadricKind::Negative => times_sphere(&p, e - 1, l)?,
            QuadricKind::Cone => p,
        };
    }
    while p.len() > 1 && p.last() == Some(&0) {
        p.pop();
    }
    Ok(p)
}

/// Betti numbers b_0, b_1, … of H(c) (the coefficients of [`poincare_polynomial`]).
///
/// # Errors
/// As [`poincare_polynomial`].
pub fn betti_numbers(d: usize, e: usize, c: &[f64]) -> Result<Vec<u128>, TopologyError> {
    poincare_polynomial(d, e, c)
}

/// The Poincaré polynomial written as a formula, e.g. `2 + 4t + 2t^2`.
pub fn format_polynomial(coeffs: &[u128]) -> String {
    let terms: Vec<String> = coeffs
        .iter()
        .enumerate()
        .filter(|(_, c)| **c != 0)
        .map(|(i, c)| match (i, *c) {
            (0, c) => c.to_string(),
            (1, 1) => "t".to_string(),
            (1, c) => format!("{c}t"),
            (i, 1) => format!("t^{i}"),
            (i, c) => format!("{c}t^{i}"),
        })
        .collect();
    if terms.is_empty() {
        "0".into()
    } else {
        terms.join(" + ")
    }
}

/// Whether neuron k's quadric is disconnected (has a 0-sphere factor).
pub fn quadric_is_disconnected(d: usize, e: usize, ck: f64) -> bool {
    (ck < 0.0 && e == 1) || (ck > 0.0 && d == 1)
}

/// Number of connected components b_0 of H(c): 2 to the number of disconnected factors.
///
/// # Errors
/// As [`poincare_polynomial`].
pub fn connected_components(d: usize, e: usize, c: &[f64]) -> Result<u128, TopologyError> {
    check(d, e, c)?;
    let k = c
        .iter()
        .filter(|ck| quadric_is_disconnected(d, e, **ck))
        .count();
    1u128
        .checked_shl(k as u32)
        .filter(|_| k < 128)
        .ok_or(TopologyError::Overflow { l: c.len() })
}

/// Number of effective components (our reading, paper-notes §4): components up to permutations
/// of neurons of the same kind. With m disconnected neurons of negative c and p of positive c,
/// this is (m + 1)(p + 1) counting only the kinds that are disconnected: l− + 1 for e = 1, d ≥ 2.
///
/// # Errors
/// As [`poincare_polynomial`].
pub fn effective_components(d: usize, e: usize, c: &[f64]) -> Result<u128, TopologyError> {
    check(d, e, c)?;
    let (pos, _, neg) = sign_counts(c);
    let neg_factor = if e == 1 { neg as u128 + 1 } else { 1 };
    let pos_factor = if d == 1 { pos as u128 + 1 } else { 1 };
    Ok(neg_factor * pos_factor)
}

/// Indices of the pathological neurons: c_k < 0 with a scalar output (e = 1), where the output
/// weight can never change sign. Empty when e ≥ 2.
pub fn pathological_neurons(e: usize, c: &[f64]) -> Vec<usize> {
    if e != 1 {
        return Vec::new();
    }
    c.iter()
        .enumerate()
        .filter(|(_, ck)| **ck < 0.0)
        .map(|(k, _)| k)
        .collect()
}

/// The sheet of neuron k: `Some(±1)` when its quadric is disconnected (the sign of v_k for a
/// pathological neuron, of w_k when d = 1 and c_k > 0), `None` otherwise. `d` is the length of
/// w_k (bias included).
pub fn neuron_sheet(w: &[f64], v: &[f64], ck: f64) -> Option<i8> {
    let d = w.len();
    let e = v.len();
    let sign = |x: f64| if x >= 0.0 { 1 } else { -1 };
    if ck < 0.0 && e == 1 {
        Some(sign(v[0]))
    } else if ck > 0.0 && d == 1 {
        Some(sign(w[0]))
    } else {
        None
    }
}

/// The component label of a network with respect to the quadrics `c`: the sheet signs of its
/// disconnected neurons, in neuron order (for e = 1, d ≥ 2: the signs of the pathological output
/// weights).
pub fn component_label(net: &Network, c: &[f64]) -> Vec<i8> {
    (0..net.arch().l)
        .filter_map(|k| neuron_sheet(net.w(k), net.v(k), c[k]))
        .collect()
}

/// Signs of the output weights of the pathological neurons (e = 1, c_k < 0), in neuron order: the
/// `label` that [`obstruction_verdict`] takes. Equal to [`component_label`] when d ≥ 2.
pub fn pathological_signs(net: &Network, c: &[f64]) -> Vec<i8> {
    pathological_neurons(net.arch().e, c)
        .into_iter()
        .map(|k| if net.v(k)[0] >= 0.0 { 1 } else { -1 })
        .collect()
}

/// How many ReLU terms of each sign a network can use from its component (paper-notes §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Capacity {
    /// l+ + l0 + n+: neurons whose output weight can be (or is stuck) positive.
    pub positive: usize,
    /// l+ + l0 + n−.
    pub negative: usize,
}

/// The verdict of paper-notes §5 for one component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// True when the target needs more terms of some sign than the component allows.
    pub obstructed: bool,
    /// What the component allows.
    pub capacity: Capacity,
    /// One sentence saying why.
    pub reason: String,
}

/// The obstruction verdict for a scalar-output network on quadrics `c`, in the component whose
/// pathological output signs are `label` (as [`component_label`] with e = 1), for a target that
/// needs `need_positive` positive and `need_negative` negative ReLU terms.
///
/// # Errors
/// [`TopologyError::NotScalarOutput`] when e ≠ 1; [`TopologyError::NotFinite`] for a c_k that is
/// not finite; [`TopologyError::Mismatch`] when `label` does not have one sign per pathological
/// neuron.
pub fn obstruction_verdict(
    e: usize,
    c: &[f64],
    label: &[i8],
    need_positive: usize,
    need_negative: usize,
) -> Result<Verdict, TopologyError> {
    if e != 1 {
        return Err(TopologyError::NotScalarOutput { e });
    }
    if let Some(k) = c.iter().position(|x| !x.is_finite()) {
        return Err(TopologyError::NotFinite { neuron: k });
    }
    let (pos, zero, neg) = sign_counts(c);
    if label.len() != neg {
        return Err(TopologyError::Mismatch(format!(
            "{} signs for {neg} pathological neurons",
            label.len()
        )));
    }
    let n_plus = label.iter().filter(|s| **s > 0).count();
    let n_minus = neg - n_plus;
    let free = pos + zero;
    let capacity = Capacity {
        positive: free + n_plus,
        negative: free + n_minus,
    };
    let short_pos = capacity.positive < need_positive;
    let short_neg = capacity.negative < need_negative;
    let reason = if short_pos || short_neg {
        let (sign, have, need) = if short_neg {
            ("negative", capacity.negative, need_negative)
        } else {
            ("positive", capacity.positive, need_positive)
        };
        format!(
            "Obstructed: the target needs {need} {sign} ReLU term{}, but from this component \
             at most {have} output weight{} can ever be {sign}, so the global optimum is unreachable.",
            if need == 1 { "" } else { "s" },
            if have == 1 { "" } else { "s" },
        )
    } else {
        format!(
            "Not obstructed: this component allows {} positive and {} negative ReLU terms, \
             enough for the {need_positive} and {need_negative} the target needs.",
            capacity.positive, capacity.negative
        )
    };
    Ok(Verdict {
        obstructed: short_pos || short_neg,
        capacity,
        reason,
    })
}

/// What one neuron of a d = 1, e = 1 network (no bias) can still do from its component: carry a
/// ReLU term of output sign `sign` on the half-line of sign `side` (x > 0 for +1, x < 0 for −1).
/// With d = 1, w_k is a number and σ(w_k x) is active on the side of the sign of w_k, with the
/// coefficient v_k |w_k|. On Q(c_k): for c_k > 0, w_k² = c_k + v_k² keeps the sign of w_k (its
/// side is fixed, v_k is free); for c_k < 0, v_k keeps its sign (its output sign is fixed, w_k is
/// free, so it can serve either side); for c_k = 0 the cone is connected through the origin and
/// the neuron can do anything (our derivation from the quadrics, paper-notes §3).
pub fn d1_neuron_can_serve(ck: f64, w: f64, v: f64, side: i8, sign: i8) -> bool {
    let sgn = |x: f64| if x >= 0.0 { 1 } else { -1 };
    if ck > 0.0 {
        sgn(w) == side
    } else if ck < 0.0 {
        sgn(v) == sign
    } else {
        true
    }
}

/// The obstruction verdict for d = 1, e = 1 (no bias): the target needs one ReLU term per entry
/// of `slots` = (side, sign), each from a different neuron (a neuron is active on one half-line
/// only); the optimum is reachable from the component of (w, v) on the quadrics `c` exactly when
/// the neurons can be matched to the slots ([`d1_neuron_can_serve`]). Only the sign of v_k for
/// c_k < 0 enters the d ≥ 2 verdict ([`obstruction_verdict`]); with d = 1 the sign of w_k for
/// c_k > 0 is frozen too, so a network on a disconnected H(c) can be obstructed with no
/// pathological neuron at all (our derivation).
///
/// # Errors
/// [`TopologyError::NotFinite`] for a c_k that is not finite; [`TopologyError::Mismatch`] when
/// `w`, `v` and `c` differ in length.
pub fn obstruction_verdict_d1(
    c: &[f64],
    w: &[f64],
    v: &[f64],
    slots: &[(i8, i8)],
) -> Result<Verdict, TopologyError> {
    if let Some(k) = c.iter().position(|x| !x.is_finite()) {
        return Err(TopologyError::NotFinite { neuron: k });
    }
    if w.len() != c.len() || v.len() != c.len() {
        return Err(TopologyError::Mismatch(format!(
            "{} input and {} output weights for {} neurons",
            w.len(),
            v.len(),
            c.len()
        )));
    }
    // Bipartite matching of slots to neurons by augmenting paths (Kuhn's algorithm).
    fn augment(
        slot: usize,
        can: &dyn Fn(usize, usize) -> bool,
        owner: &mut [Option<usize>],
        seen: &mut [bool],
    ) -> bool {
        for k in 0..owner.len() {
            if can(k, slot) && !seen[k] {
                seen[k] = true;
                if owner[k].is_none_or(|other| augment(other, can, owner, seen)) {
                    owner[k] = Some(slot);
                    return true;
                }
            }
        }
        false
    }
    let can = |k: usize, s: usize| d1_neuron_can_serve(c[k], w[k], v[k], slots[s].0, slots[s].1);
    let mut owner = vec![None; c.len()];
    let matched = (0..slots.len())
        .filter(|&s| augment(s, &can, &mut owner, &mut vec![false; c.len()]))
        .count();
    let count = |sign: i8| {
        (0..c.len())
            .filter(|&k| c[k] >= 0.0 || (v[k] >= 0.0) == (sign > 0))
            .count()
    };
    let capacity = Capacity {
        positive: count(1),
        negative: count(-1),
    };
    let words: Vec<String> = slots
        .iter()
        .map(|&(side, sign)| {
            format!(
                "a {} term on x {} 0",
                if sign > 0 { "positive" } else { "negative" },
                if side > 0 { ">" } else { "<" }
            )
        })
        .collect();
    let need = words.join(" and ");
    let obstructed = matched < slots.len();
    let reason = if obstructed {
        format!(
            "Obstructed: with d = 1 the target needs {need}, each from its own neuron, but from \
             this component no neurons can provide them all (the sign of w_k is frozen where \
             c_k > 0, the sign of v_k where c_k < 0), so the global optimum is unreachable."
        )
    } else {
        format!(
            "Not obstructed: with d = 1 the target needs {need}, and this component has a \
             neuron free to provide each."
        )
    };
    Ok(Verdict {
        obstructed,
        capacity,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_quadrics_have_the_documented_topology() {
        // d = 2, e = 1: one-sheeted hyperboloid S^1 × R (1 + t), two sheets (2), cone (1).
        assert_eq!(betti_numbers(2, 1, &[1.0]).unwrap(), vec![1, 1]);
        assert_eq!(betti_numbers(2, 1, &[-1.0]).unwrap(), vec![2]);
        assert_eq!(betti_numbers(2, 1, &[0.0]).unwrap(), vec![1]);
        // d = 1, e = 1: hyperbola branches, 2 components either way.
        assert_eq!(connected_components(1, 1, &[0.5]).unwrap(), 2);
        assert_eq!(connected_components(1, 1, &[-0.5]).unwrap(), 2);
        assert_eq!(format_polynomial(&[2, 4, 2]), "2 + 4t + 2t^2");
        assert_eq!(format_polynomial(&[1, 0, 0, 1]), "1 + t^3");
    }

    #[test]
    fn fig2b_two_pathological_neurons() {
        // Paper Fig. 2b: two pathological neurons, 4 components, 3 effective ones.
        let c = [-1.0, -2.0];
        assert_eq!(connected_components(2, 1, &c).unwrap(), 4);
        assert_eq!(effective_components(2, 1, &c).unwrap(), 3);
        assert_eq!(pathological_neurons(1, &c), vec![0, 1]);
    }

    #[test]
    fn verdict_of_the_fig3_components() {
        let c = [-1.0, -1.0];
        assert!(
            obstruction_verdict(1, &c, &[1, 1], 1, 1)
                .unwrap()
                .obstructed
        );
        assert!(
            obstruction_verdict(1, &c, &[-1, -1], 1, 1)
                .unwrap()
                .obstructed
        );
        assert!(
            !obstruction_verdict(1, &c, &[1, -1], 1, 1)
                .unwrap()
                .obstructed
        );
        assert!(
            !obstruction_verdict(1, &[1.0, 1.0], &[], 1, 1)
                .unwrap()
                .obstructed
        );
        let v = obstruction_verdict(1, &c, &[1, 1], 1, 1).unwrap();
        assert!(v.reason.contains("negative"), "{}", v.reason);
        assert!(obstruction_verdict(2, &c, &[1, 1], 1, 1).is_err());
        assert!(obstruction_verdict(1, &c, &[1], 1, 1).is_err());
    }

    #[test]
    fn overflow_is_reported_not_wrapped() {
        let c = vec![-1.0; 200];
        assert!(matches!(
            connected_components(2, 1, &c),
            Err(TopologyError::Overflow { .. })
        ));
        assert!(poincare_polynomial(2, 1, &c).is_err());
        assert!(poincare_polynomial(2, 1, &[f64::NAN]).is_err());
    }
}
