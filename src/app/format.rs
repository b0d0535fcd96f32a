//! Number formatting for display: the one formatter of the whole page. Every number a reader sees
//! is written here (JavaScript prints these strings and never formats a number itself).
//!
//! # Conventions
//! - Negative numbers use the minus sign `−` (U+2212); exponents are written `e-5` / `e+5`.
//! - A value that is not finite is said in words, never as `NaN` or `Infinity`.
//! - [`raw`] is the exact machine-readable form (shortest round trip) that the page puts in
//!   `data-value` attributes for tests and the curious; it is not for display.

use crate::app::link::format_number;

/// A value that is not finite, in words.
pub fn non_finite(x: f64) -> &'static str {
    if x.is_nan() {
        "not a number"
    } else if x > 0.0 {
        "infinite"
    } else {
        "minus infinity"
    }
}

/// `s` with a leading ASCII minus replaced by `−`.
fn minus(s: String) -> String {
    match s.strip_prefix('-') {
        Some(rest) => format!("−{rest}"),
        None => s,
    }
}

/// Scientific notation with `digits` decimals of the mantissa (as JavaScript's `toExponential`):
/// `1.23e-5`, `4.00e+2`.
pub fn exponential(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return non_finite(x).into();
    }
    let s = format!("{x:.digits$e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp = match exp.strip_prefix('-') {
        Some(e) => format!("-{e}"),
        None => format!("+{exp}"),
    };
    minus(format!("{mantissa}e{exp}"))
}

/// `decimals` digits after the point: `0.3453`, `−1.5000`.
pub fn fixed(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return non_finite(x).into();
    }
    // −0.0000 reads as 0.0000.
    let s = format!("{x:.decimals$}");
    if s.trim_start_matches('-')
        .bytes()
        .all(|b| b == b'0' || b == b'.')
    {
        return s.trim_start_matches('-').to_string();
    }
    minus(s)
}

/// `significant` significant digits (as JavaScript's `toPrecision`): fixed notation unless the
/// exponent is below −6 or at least `significant`.
pub fn precision(x: f64, significant: usize) -> String {
    if !x.is_finite() {
        return non_finite(x).into();
    }
    if x == 0.0 {
        return fixed(0.0, significant.saturating_sub(1));
    }
    let p = significant.max(1);
    // The exponent after rounding to p digits.
    let sci = format!("{:.*e}", p - 1, x);
    let exp: i32 = sci
        .split_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0);
    if exp < -6 || exp >= p as i32 {
        exponential(x, p - 1)
    } else {
        fixed(x, (p as i32 - 1 - exp).max(0) as usize)
    }
}

/// A general readout number: six significant digits, scientific below 1e-4 or from 1e6.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return non_finite(x).into();
    }
    if x == 0.0 {
        return "0".into();
    }
    if x.abs() < 1e-4 || x.abs() >= 1e6 {
        exponential(x, 5)
    } else {
        precision(x, 6)
    }
}

/// A loss: four significant digits (scientific below 1e-3); a loss that is not finite is said
/// in words.
pub fn loss(x: f64) -> String {
    if !x.is_finite() {
        return "the loss is no longer a number".into();
    }
    if x != 0.0 && x.abs() < 1e-3 {
        exponential(x, 3)
    } else {
        precision(x, 4)
    }
}

/// A signed number with `decimals` decimals: `+0.9987`, `−1.0000`; from 10⁶ on in scientific
/// notation with `decimals` decimals of mantissa, `+9.1381e+63` (a diverged run's c_k).
pub fn signed(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return non_finite(x).into();
    }
    let s = if x.abs() >= 1e6 {
        exponential(x.abs(), decimals)
    } else {
        fixed(x.abs(), decimals)
    };
    if x < 0.0 && s.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        format!("−{s}")
    } else {
        format!("+{s}")
    }
}

/// A drift (a small change): `0` or a signed number in scientific notation with one decimal,
/// `+1.2e-5`.
pub fn drift(x: f64) -> String {
    if !x.is_finite() {
        return non_finite(x).into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let sign = if x < 0.0 { "−" } else { "+" };
    format!("{sign}{}", exponential(x.abs(), 1))
}

/// Subscript digits of `n`, e.g. 12 → "₁₂".
pub fn subscript(n: usize) -> String {
    n.to_string()
        .chars()
        .map(|ch| match ch {
            '0' => '₀',
            '1' => '₁',
            '2' => '₂',
            '3' => '₃',
            '4' => '₄',
            '5' => '₅',
            '6' => '₆',
            '7' => '₇',
            '8' => '₈',
            _ => '₉',
        })
        .collect()
}

/// A count held as a float (exact up to 2^53): its digits, or words when it is not finite.
pub fn count(n: f64) -> String {
    if n.is_finite() {
        format!("{n:.0}")
    } else {
        non_finite(n).into()
    }
}

/// A duration in seconds: one decimal below ten seconds, whole seconds above.
pub fn seconds(s: f64) -> String {
    if !s.is_finite() {
        return non_finite(s).into();
    }
    if s < 10.0 {
        format!("{} s", fixed(s, 1))
    } else {
        format!("{} s", fixed(s, 0))
    }
}

/// The exact value for a `data-value` attribute: the shortest decimal that parses back to the
/// same bits, `NaN`/`Infinity`/`-Infinity` for the others (never shown as text).
pub fn raw(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        format_number(x)
    }
}

/// A list of exact values as a JSON array for a `data-value` attribute.
pub fn raw_list(xs: &[f64]) -> String {
    let items: Vec<String> = xs
        .iter()
        .map(|x| {
            if x.is_finite() {
                raw(*x)
            } else {
                "null".into()
            }
        })
        .collect();
    format!("[{}]", items.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_matches_javascripts_to_precision() {
        // Expected strings written from ECMAScript's Number.prototype.toPrecision.
        for (x, p, want) in [
            (0.345346, 4, "0.3453"),
            (1.0, 4, "1.000"),
            (123456.0, 4, "1.235e+5"),
            (0.0001234, 3, "0.000123"),
            (0.00000012345, 3, "1.23e-7"),
            (-2.5, 2, "−2.5"),
            (9.9996, 4, "10.00"),
        ] {
            assert_eq!(precision(x, p), want, "{x} to {p}");
        }
        assert_eq!(exponential(0.000123456, 3), "1.235e-4");
        assert_eq!(exponential(-42.0, 1), "−4.2e+1");
    }

    #[test]
    fn non_finite_values_are_words() {
        assert_eq!(loss(f64::NAN), "the loss is no longer a number");
        assert_eq!(loss(f64::INFINITY), "the loss is no longer a number");
        for f in [number, |x| signed(x, 4), drift, |x| fixed(x, 2)] {
            let s = f(f64::NAN);
            assert!(!s.contains("NaN") && !s.contains("inf"), "{s}");
        }
    }

    #[test]
    fn signs_and_zeros_read_well() {
        assert_eq!(signed(-1.0, 4), "−1.0000");
        assert_eq!(signed(0.99987, 4), "+0.9999");
        assert_eq!(signed(-0.00001, 4), "+0.0000");
        // A diverged run's c₁ (issue 12) was written with 64 digits before the point.
        assert_eq!(signed(9.138064079280843e63, 4), "+9.1381e+63");
        assert_eq!(signed(-1.5e6, 2), "−1.50e+6");
        assert_eq!(signed(999_999.0, 1), "+999999.0");
        assert_eq!(fixed(-0.00001, 3), "0.000");
        assert_eq!(drift(0.0), "0");
        assert_eq!(drift(-1.26e-5), "−1.3e-5");
        assert_eq!(number(2.0), "2.00000");
        assert_eq!(number(-0.5), "−0.500000");
        assert_eq!(loss(0.26), "0.2600");
        assert_eq!(loss(2.5e-7), "2.500e-7");
        assert_eq!(raw(0.1), "0.1");
        assert_eq!(raw_list(&[1.0, -0.5]), "[1,-0.5]");
    }
}
