//! The lab's check of a researcher's network, and its function-preserving rebalancing.
//!
//! # Conventions
//! - c_k = ‖w_k‖² − ‖v_k‖², the hidden bias counted in w_k (c_k = ‖w_k‖² + b_k² − ‖v_k‖²); the
//!   output bias enters nothing.
//! - The topology is that of [`crate::core::topology`] with d_eff = [`Architecture::input_dim`]
//!   (the bias is one more input coordinate, as `obstruction train` counts it): Q(c_k) is
//!   disconnected when c_k < 0 and e = 1, or c_k > 0 and d_eff = 1; H(c) has 2^k components for k
//!   such neurons, and (l− + 1)(l+ + 1) effective ones counting only the kinds that are
//!   disconnected (l− + 1 for e = 1, d_eff ≥ 2).
//! - Neuron indices in [`Check`] and in [`RebalanceError`] are 1-based, as a researcher counts
//!   them; component labels follow [`topology::component_label`].
//! - Counts that may exceed 2^64 (l ≤ 256 neurons give up to 2^256 components) are [`Count`]s.
//!
//! [`Architecture::input_dim`]: crate::core::network::Architecture::input_dim

use crate::core::data::Dataset;
use crate::core::error::{RebalanceError, RescaleError};
use crate::core::init::rescale_factor;
use crate::core::network::{Network, norm_sq};
use crate::core::topology;
use crate::core::topology::quadric_is_disconnected;
use serde::{Serialize, Serializer};
use std::fmt;

/// A count that may not fit in 128 bits: an exact number, or a power of two 2^k.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// The number itself.
    Exact(u128),
    /// 2^k (used when k ≥ 128).
    PowerOfTwo(u32),
}

impl Count {
    /// 2^k, exact when it fits in a u128.
    pub fn power_of_two(k: u32) -> Self {
        if k < 128 {
            Self::Exact(1u128 << k)
        } else {
            Self::PowerOfTwo(k)
        }
    }

    /// The value when it fits in a u64 (what a JSON number holds exactly here).
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Self::Exact(n) => u64::try_from(n).ok(),
            Self::PowerOfTwo(k) => 1u64.checked_shl(k),
        }
    }
}

/// The digits, or `2^k` for a power of two that does not fit in a u64.
impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(n) = self.as_u64() {
            return write!(f, "{n}");
        }
        match *self {
            Self::Exact(n) if n.is_power_of_two() => write!(f, "2^{}", n.trailing_zeros()),
            Self::Exact(n) => write!(f, "{n}"),
            Self::PowerOfTwo(k) => write!(f, "2^{k}"),
        }
    }
}

/// A JSON number when it fits in a u64 (as `obstruction topology` prints counts), otherwise the
/// string of its [`Display`](fmt::Display) (`"2^200"`).
impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.as_u64() {
            Some(n) => s.serialize_u64(n),
            None => s.serialize_str(&self.to_string()),
        }
    }
}

/// What the lab reports about a network (see the module header for the conventions).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Input dimension d (without the bias).
    pub d: usize,
    /// Hidden width l.
    pub l: usize,
    /// Output dimension e.
    pub e: usize,
    /// Whether the network has hidden biases (they enter c_k).
    pub hidden_bias: bool,
    /// The conserved quantities c_k, in neuron order.
    pub c: Vec<f64>,
    /// 1-based indices of the pathological neurons: c_k < 0 with e = 1. Empty when e ≥ 2.
    pub pathological: Vec<usize>,
    /// The sign of v_k each pathological neuron is stuck with (+1 for v_k ≥ 0), same order.
    pub stuck_signs: Vec<i8>,
    /// l+ = #{c_k > 0}.
    pub l_plus: usize,
    /// l− = #{c_k < 0}.
    pub l_minus: usize,
    /// l0 = #{c_k = 0} (a c_k that is NaN, possible only for a network built in code with
    /// overflowing weights, is counted here and in no other count).
    pub l_zero: usize,
    /// Connected components of H(c): 2 to the number of disconnected quadrics.
    pub components: Count,
    /// Effective components (our reading, paper-notes §4).
    pub effective_components: Count,
    /// The component the network is in: [`topology::component_label`].
    pub component_label: Vec<i8>,
    /// Whether H(c) is connected (one component).
    pub connected: bool,
}

/// Checks a network: its conserved quantities, pathological neurons and the topology of H(c).
pub fn check(net: &Network) -> Check {
    let a = net.arch();
    let d_eff = a.input_dim();
    let c = net.conserved_quantities();
    let (l_plus, l_zero, l_minus) = topology::sign_counts(&c);
    let disconnected = c
        .iter()
        .filter(|ck| quadric_is_disconnected(d_eff, a.e, **ck))
        .count();
    let pathological: Vec<usize> = topology::pathological_neurons(a.e, &c)
        .into_iter()
        .map(|k| k + 1)
        .collect();
    let stuck_signs = topology::pathological_signs(net, &c);
    let neg_factor = if a.e == 1 { l_minus as u128 + 1 } else { 1 };
    let pos_factor = if d_eff == 1 { l_plus as u128 + 1 } else { 1 };
    Check {
        d: a.d,
        l: a.l,
        e: a.e,
        hidden_bias: a.hidden_bias,
        component_label: topology::component_label(net, &c),
        c,
        pathological,
        stuck_signs,
        l_plus,
        l_minus,
        l_zero,
        components: Count::power_of_two(u32::try_from(disconnected).unwrap_or(u32::MAX)),
        effective_components: Count::Exact(neg_factor * pos_factor),
        connected: disconnected == 0,
    }
}

/// Whether `c` is on a quadric that is acceptable for the target 0: exactly 0, or off by rounding
/// on a side whose quadric is connected.
fn connected_side(c: f64, d_eff: usize, e: usize) -> bool {
    !quadric_is_disconnected(d_eff, e, c)
}

/// Moves a rescaled neuron whose c_k rounding left a few ulps on a disconnected side of 0 onto a
/// connected one (or exactly 0), by a further rescaling of relative size ~1e-16.
fn settle_on_zero(w: &mut [f64], v: &mut [f64]) {
    let (d_eff, e) = (w.len(), v.len());
    if d_eff == 1 && e == 1 {
        // Both sides are disconnected: make |w| = |v| exactly, so c = 0 in floating point.
        let m = libm::sqrt(w[0].abs()) * libm::sqrt(v[0].abs());
        w[0] = m.copysign(w[0]);
        v[0] = m.copysign(v[0]);
        return;
    }
    for _ in 0..16 {
        let (a, b) = (norm_sq(w), norm_sq(v));
        let c = a - b;
        if connected_side(c, d_eff, e) {
            return;
        }
        // c ↦ c + 2δ(a + b) to first order under (w, v) ↦ ((1 + δ)w, v/(1 + δ)); twice the
        // first-order step crosses 0.
        // At least one ulp of 1, or 1 + δ rounds to 1; at most 1e-12 (c is rounding-sized).
        let delta = (c.abs() / (a + b)).clamp(f64::EPSILON, 1e-12).copysign(-c);
        let s = 1.0 + delta;
        w.iter_mut().for_each(|x| *x *= s);
        v.iter_mut().for_each(|x| *x /= s);
    }
}

/// The function-preserving rescaling (w_k, b_k) ↦ α_k(w_k, b_k), v_k ↦ v_k/α_k (α_k > 0, the
/// output bias unchanged) that puts every neuron on c_k = `target` (paper-notes §2, via
/// [`rescale_factor`]); a neuron already at the apex (w_k = 0, v_k = 0) stays there for target 0.
/// With target 0 a c_k that rounding leaves a few ulps on a disconnected side of 0 is nudged
/// across (relative change ~1e-16), so the rebalanced H(c) is connected.
///
/// # Errors
/// [`RebalanceError::TargetNotFinite`]; [`RebalanceError::Unreachable`] listing every neuron
/// (1-based) that no rescaling can bring to the target: all input weights zero (unless the
/// neuron is at the apex and the target is 0), all output weights zero (for a target ≤ 0), or
/// weights so large that the factor overflows.
pub fn rebalance(net: &Network, target: f64) -> Result<Network, RebalanceError> {
    if !target.is_finite() {
        return Err(RebalanceError::TargetNotFinite { target });
    }
    let l = net.arch().l;
    let (mut zero_input, mut zero_output, mut too_large) = (Vec::new(), Vec::new(), Vec::new());
    let mut alphas = Vec::with_capacity(l);
    for k in 0..l {
        match rescale_factor(norm_sq(net.w(k)), norm_sq(net.v(k)), target, k) {
            Ok(alpha) => alphas.push(alpha),
            Err(RescaleError::ZeroInputWeights { .. }) => zero_input.push(k + 1),
            Err(RescaleError::ZeroOutputWeights { .. }) => zero_output.push(k + 1),
            Err(RescaleError::NotFinite { .. }) => too_large.push(k + 1),
        }
    }
    if !(zero_input.is_empty() && zero_output.is_empty() && too_large.is_empty()) {
        return Err(RebalanceError::Unreachable {
            target,
            zero_input,
            zero_output,
            too_large,
        });
    }
    let mut out = net.clone();
    for (k, alpha) in alphas.into_iter().enumerate() {
        let (w, v) = out.neuron_mut(k);
        w.iter_mut().for_each(|x| *x *= alpha);
        v.iter_mut().for_each(|x| *x /= alpha);
        if target == 0.0 {
            settle_on_zero(w, v);
        }
    }
    Ok(out)
}

/// The largest relative difference between the outputs of two networks on the inputs of `data`:
/// max over samples i and outputs o of |f_a(x_i)_o − f_b(x_i)_o| / max(|f_a(x_i)_o|, m), with
/// m = `f64::MIN_POSITIVE` (so equal outputs, zero included, give 0, and an output of `b` that
/// is non-zero where `a`'s is exactly 0 gives a huge value). Both evaluated by
/// [`Network::predict`]; 0 for a data set without samples.
///
/// # Panics
/// If the input dimensions of `a`, `b` and `data` differ, or the output dimensions of `a` and `b`.
pub fn max_relative_output_difference(a: &Network, b: &Network, data: &Dataset) -> f64 {
    assert_eq!(a.arch().d, data.d, "data of another input dimension");
    assert_eq!(b.arch().d, data.d, "data of another input dimension");
    assert_eq!(
        a.arch().e,
        b.arch().e,
        "networks of different output dimensions"
    );
    let mut worst: f64 = 0.0;
    for i in 0..data.n {
        let x = data.input(i);
        for (fa, fb) in a.predict(x).iter().zip(b.predict(x)) {
            let diff = (fa - fb).abs();
            if diff > 0.0 {
                worst = worst.max(diff / fa.abs().max(f64::MIN_POSITIVE));
            }
        }
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::init::rescale_neuron;

    #[test]
    fn counts_print_and_serialize() {
        assert_eq!(Count::power_of_two(3), Count::Exact(8));
        assert_eq!(Count::power_of_two(200).to_string(), "2^200");
        assert_eq!(Count::power_of_two(100).to_string(), "2^100");
        assert_eq!(Count::Exact(12).to_string(), "12");
        assert_eq!(
            serde_json::to_string(&Count::power_of_two(63)).unwrap(),
            "9223372036854775808"
        );
        assert_eq!(
            serde_json::to_string(&Count::power_of_two(64)).unwrap(),
            "\"2^64\""
        );
    }

    #[test]
    fn d1_e1_neurons_land_exactly_on_the_cone() {
        let mut w = [3.0];
        let mut v = [-0.7];
        rescale_neuron(&mut w, &mut v, 0.0, 0).unwrap();
        settle_on_zero(&mut w, &mut v);
        assert_eq!(w[0] * w[0] - v[0] * v[0], 0.0);
        assert!(w[0] > 0.0 && v[0] < 0.0);
    }
}
