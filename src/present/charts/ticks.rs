//! Tick positions and tick labels of the charts' axes, right for any finite range.
//!
//! Conventions:
//! - a linear axis is ticked at multiples of a "nice" step (1, 2 or 5 × 10^k) chosen for about
//!   `target` ticks; a log axis at powers of ten, and when fewer than three of those fall inside it,
//!   at 1, 2 and 5 × 10^k, then at every 1…9 × 10^k, then at a linear nice step (so a run whose loss
//!   stays within a factor of two still gets several labels);
//! - labels are written as [`crate::app::format`] writes numbers: a true minus sign, and scientific
//!   notation (`3e+125`, `1.5e-6`) when the largest magnitude on the axis is at least 10⁶ or below
//!   10⁻⁴, with as many decimals as the step needs and the same number on every tick of an axis;
//!   log-axis powers are written `10⁻³` and `2×10⁻³` outside 0.01…999;
//! - nothing here casts a float to an integer type, so no label can saturate, and a range that is
//!   empty, reversed or not finite gives no ticks rather than a panic.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};

use crate::app::format;

use super::superscript;

/// Most ticks an axis gets, whatever is asked.
const MAX_TICKS: usize = 40;

/// Ticks of one axis: their values and, index for index, their labels.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ticks {
    /// Tick positions, increasing.
    pub(crate) values: Vec<f64>,
    /// One label per value.
    pub(crate) labels: Vec<String>,
}

impl Ticks {
    /// The label of tick value `v` (as a plotters label formatter is called with the key points it
    /// was given), or a step-free label for any other value.
    pub(crate) fn label(&self, v: f64) -> String {
        self.values
            .iter()
            .position(|x| x.to_bits() == v.to_bits())
            .and_then(|i| self.labels.get(i).cloned())
            .unwrap_or_else(|| number_tick(v))
    }
}

/// A plotters axis (linear or log) ticked exactly at the values of a [`Ticks`], with no light grid
/// lines; labels are given to plotters' mesh by a formatter that calls [`Ticks::label`].
pub(crate) struct Keyed<R> {
    inner: R,
    points: Vec<f64>,
}

impl<R: Ranged<ValueType = f64>> Keyed<R> {
    /// `inner` ticked at `ticks`.
    pub(crate) fn new(inner: R, ticks: &Ticks) -> Self {
        Self {
            inner,
            points: ticks.values.clone(),
        }
    }
}

impl<R: Ranged<ValueType = f64>> Ranged for Keyed<R> {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.points.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }

    fn axis_pixel_range(&self, limit: (i32, i32)) -> Range<i32> {
        self.inner.axis_pixel_range(limit)
    }
}

/// The decimal exponent of `x` > 0: ⌊log₁₀ x⌋, corrected for the rounding of `log10`.
fn exponent(x: f64) -> i32 {
    let mut e = x.log10().floor();
    if 10f64.powf(e) > x {
        e -= 1.0;
    } else if 10f64.powf(e + 1.0) <= x {
        e += 1.0;
    }
    e as i32
}

/// A nice step (1, 2 or 5 × 10^k) for about `target` intervals over `span` > 0, with its
/// exponent k; `min_step` (e.g. 1 for an axis of whole numbers) bounds it from below.
fn nice_step(span: f64, target: usize, min_step: f64) -> Option<(f64, i32)> {
    let raw = (span / target.max(1) as f64).max(min_step);
    if !(raw.is_finite() && raw > 0.0) {
        return None;
    }
    let k = exponent(raw);
    let mag = 10f64.powi(k);
    for m in [1.0, 2.0, 5.0] {
        let step = m * mag;
        if step >= raw * (1.0 - 1e-12) && step.is_finite() {
            return Some((step, k));
        }
    }
    let step = 10.0 * mag;
    step.is_finite().then_some((step, k + 1))
}

/// Whether an axis whose largest magnitude is `max_abs` is labelled in scientific notation.
fn scientific(max_abs: f64) -> bool {
    max_abs >= 1e6 || (max_abs > 0.0 && max_abs < 1e-4)
}

/// Ticks of a linear axis over [lo, hi] at a nice step, about `target` of them (never fewer than
/// two for a non-empty range), no step below `min_step`.
pub(crate) fn linear_ticks(lo: f64, hi: f64, target: usize, min_step: f64) -> Ticks {
    let empty = Ticks {
        values: Vec::new(),
        labels: Vec::new(),
    };
    if !(lo.is_finite() && hi.is_finite() && hi > lo) {
        return empty;
    }
    // hi − lo may overflow; half of each does not.
    let span = 2.0 * (hi / 2.0 - lo / 2.0);
    let span = if span.is_finite() { span } else { f64::MAX };
    let Some((step, k)) = nice_step(span, target, min_step) else {
        return empty;
    };
    let first = (lo / step).ceil();
    let mut values = Vec::new();
    let mut i = first;
    // k × step carries rounding noise: a tick within a billionth of a step of an end is kept and
    // put on that end.
    let slack = step * 1e-9;
    while values.len() < MAX_TICKS {
        let v = i * step;
        if !v.is_finite() || v > hi + slack {
            break;
        }
        if v >= lo - slack {
            let v = v.clamp(lo, hi);
            // −0 reads as 0.
            values.push(if v == 0.0 { 0.0 } else { v });
        }
        i += 1.0;
    }
    let max_abs = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let labels = values.iter().map(|&v| step_label(v, k, max_abs)).collect();
    Ticks { values, labels }
}

/// A tick at a multiple of 10^k on an axis whose largest magnitude is `max_abs`.
fn step_label(v: f64, k: i32, max_abs: f64) -> String {
    if scientific(max_abs) {
        if v == 0.0 {
            return "0".into();
        }
        let decimals = (exponent(max_abs) - k).clamp(0, 15) as usize;
        format::exponential(v, decimals)
    } else {
        format::fixed(v, (-k).clamp(0, 15) as usize)
    }
}

/// Ticks of a log axis over [lo, hi] (0 < lo < hi), about `target` of them (see the module
/// header).
pub(crate) fn log_ticks(lo: f64, hi: f64, target: usize) -> Ticks {
    let empty = Ticks {
        values: Vec::new(),
        labels: Vec::new(),
    };
    if !(lo.is_finite() && hi.is_finite() && lo > 0.0 && hi > lo) {
        return empty;
    }
    let (k_lo, k_hi) = (exponent(lo), exponent(hi));
    let inside = |v: f64| v >= lo * (1.0 - 1e-12) && v <= hi * (1.0 + 1e-12);
    let decades: Vec<i32> = (k_lo..=k_hi).filter(|&k| inside(10f64.powi(k))).collect();
    let values: Vec<f64> = if decades.len() >= 3 {
        let stride = decades.len().div_ceil(target.max(1)).max(1);
        decades
            .iter()
            .filter(|&&k| k.rem_euclid(stride as i32) == 0)
            .map(|&k| 10f64.powi(k))
            .collect()
    } else {
        let multiples = |ms: &[f64]| -> Vec<f64> {
            (k_lo..=k_hi)
                .flat_map(|k| ms.iter().map(move |m| m * 10f64.powi(k)))
                .filter(|v| inside(*v))
                .collect()
        };
        let coarse = multiples(&[1.0, 2.0, 5.0]);
        if coarse.len() >= 3 {
            coarse
        } else {
            let fine = multiples(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
            if fine.len() >= 3 {
                fine
            } else {
                return linear_ticks(lo, hi, target.min(5), 0.0);
            }
        }
    };
    let labels = values.iter().map(|&v| log_label(v)).collect();
    Ticks { values, labels }
}

/// A log-axis tick m × 10^k (m a whole number 1…9): plain decimals from 0.01 to 999, else `10ᵏ`
/// or `m×10ᵏ`.
fn log_label(v: f64) -> String {
    let k = exponent(v);
    if (-2..3).contains(&k) {
        return format::fixed(v, (-k).max(0) as usize);
    }
    let m = (v / 10f64.powi(k)).round();
    let power = format!("10{}", superscript(i64::from(k)));
    if m == 1.0 {
        power
    } else {
        format!("{}×{power}", format::fixed(m, 0))
    }
}

/// A tick label without a known step: whole numbers without decimals, others with up to three
/// decimals and no trailing zeros, scientific notation from 10⁶ and below 10⁻⁴ (up to three
/// decimals of mantissa), a true minus sign; a value that is not finite in words.
pub(crate) fn number_tick(v: f64) -> String {
    if !v.is_finite() {
        return format::non_finite(v).into();
    }
    if v == 0.0 {
        return "0".into();
    }
    let trim = |s: String| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    if scientific(v.abs()) {
        let s = format::exponential(v, 3);
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "+0"));
        return format!("{}e{exp}", trim(mantissa.to_string()));
    }
    let s = trim(format::fixed(v, 3));
    if s == "0" || s == "−0" {
        // A magnitude below 0.0005 that is not scientific yet (1e-4 ≤ |v| < 5e-4).
        return trim(format::fixed(v, 4));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value a label reads as, parsed independently of the formatter.
    fn read(label: &str) -> f64 {
        let s = label.replace('−', "-");
        if let Some((m, p)) = s.split_once("×10") {
            return m.parse::<f64>().unwrap_or(f64::NAN) * 10f64.powi(unsuper(p));
        }
        if let Some(p) = s.strip_prefix("10")
            && !p.is_empty()
            && p.chars().all(|c| !c.is_ascii_digit())
        {
            return 10f64.powi(unsuper(p));
        }
        s.parse().unwrap_or(f64::NAN)
    }

    fn unsuper(p: &str) -> i32 {
        let digits: String = p
            .chars()
            .map(|c| match c {
                '⁻' => '-',
                '⁰' => '0',
                '¹' => '1',
                '²' => '2',
                '³' => '3',
                '⁴' => '4',
                '⁵' => '5',
                '⁶' => '6',
                '⁷' => '7',
                '⁸' => '8',
                '⁹' => '9',
                other => other,
            })
            .collect();
        digits.parse().unwrap_or(i32::MIN)
    }

    /// Every label reads back to its tick within a hundredth of the step, labels are distinct, the
    /// ticks lie in the range and there are at least two.
    fn check_linear(lo: f64, hi: f64) {
        let t = linear_ticks(lo, hi, 6, 0.0);
        assert!(t.values.len() >= 2, "[{lo}, {hi}]: {t:?}");
        let step = t.values[1] - t.values[0];
        for (v, s) in t.values.iter().zip(&t.labels) {
            assert!(*v >= lo && *v <= hi, "[{lo}, {hi}]: {v} outside");
            let back = read(s);
            assert!(
                (back - v).abs() <= 0.01 * step.abs(),
                "[{lo}, {hi}]: {s} reads {back}, tick {v}"
            );
            assert!(!s.contains("922337") && !s.contains("inf") && !s.contains("NaN"));
            assert!(s.chars().count() <= 22, "[{lo}, {hi}]: long label {s}");
        }
        let mut distinct = t.labels.clone();
        distinct.dedup();
        assert_eq!(distinct.len(), t.labels.len(), "{:?}", t.labels);
    }

    #[test]
    fn linear_ticks_read_back_at_every_scale() {
        for (lo, hi) in [
            (0.0, 1.0),
            (0.0, 0.27),
            (0.0, 851_712.0),
            (0.0, 3.0043757684152088e125),
            (1.1e120, 3.0e125),
            (0.0, f64::MAX),
            (-f64::MAX, f64::MAX),
            (-1e-300, 1e-300),
            (0.5, 0.500_001),
            (1e20, 1e20 + 1e6),
            (-3.5, -1.25),
            (0.0, 1e-5),
            (0.0, 0.0003),
        ] {
            check_linear(lo, hi);
        }
    }

    #[test]
    fn huge_values_are_scientific_and_never_saturate() {
        // The Fig. 4 sweep of issue 12 (η = 1000): the colour bar went from 1.1e120 to 3e125.
        let t = linear_ticks(1.1e120, 3.0043757684152088e125, 5, 0.0);
        assert_eq!(t.labels, ["1e+125", "2e+125", "3e+125"]);
        assert_eq!(number_tick(3e125), "3e+125");
        assert_eq!(number_tick(9.3e18), "9.3e+18");
        assert_eq!(number_tick(-1.5e-7), "−1.5e-7");
    }

    #[test]
    fn whole_number_axes_keep_a_whole_step() {
        let t = linear_ticks(0.0, 1.0, 6, 1.0);
        assert_eq!(t.labels, ["0", "1"]);
        let t = linear_ticks(0.0, 500.0, 6, 1.0);
        assert_eq!(t.labels, ["0", "100", "200", "300", "400", "500"]);
    }

    #[test]
    fn short_log_ranges_get_several_labels() {
        // A loss between 0.2 and 0.5 (the axis: a decade below to a little above).
        for (lo, hi) in [
            (0.02, 0.75),
            (0.2, 0.5),
            (0.2, 0.3),
            (0.2, 0.21),
            (3e-7, 4e-7),
        ] {
            let t = log_ticks(lo, hi, 6);
            assert!(t.values.len() >= 2, "[{lo}, {hi}]: {t:?}");
            for (v, s) in t.values.iter().zip(&t.labels) {
                assert!(*v >= lo * 0.999_999 && *v <= hi * 1.000_001, "{v} outside");
                let back = read(s);
                assert!((back - v).abs() <= 1e-3 * v, "{s} reads {back}, tick {v}");
            }
            let mut distinct = t.labels.clone();
            distinct.dedup();
            assert_eq!(distinct.len(), t.labels.len(), "{:?}", t.labels);
        }
        assert_eq!(
            log_ticks(0.02, 0.75, 6).labels,
            ["0.02", "0.05", "0.1", "0.2", "0.5"]
        );
        let wide = log_ticks(1e-12, 1e3, 6);
        assert!(wide.values.len() >= 3 && wide.values.len() <= 8, "{wide:?}");
        assert!(
            wide.labels.contains(&"10⁻¹²".to_string()) || wide.labels.contains(&"1".to_string())
        );
    }

    #[test]
    fn bad_ranges_give_no_ticks() {
        assert!(linear_ticks(1.0, 1.0, 5, 0.0).values.is_empty());
        assert!(linear_ticks(f64::NAN, 1.0, 5, 0.0).values.is_empty());
        assert!(log_ticks(0.0, 1.0, 5).values.is_empty());
        assert!(log_ticks(1.0, f64::INFINITY, 5).values.is_empty());
    }
}
