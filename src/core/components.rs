//! The components of H(c) and their effective classes, as combinatorics (paper-notes §3–4).
//!
//! # Conventions
//! - A neuron whose quadric Q(c_k) has two sheets ([`topology::quadric_is_disconnected`]: c_k < 0
//!   with e = 1, the paper's pathological neurons, or c_k > 0 with d = 1) contributes a sign; a
//!   component of H(c) is one choice of sheet per such neuron, written as its vector of signs in
//!   neuron order.
//! - Effective classes (**our reading**): permuting two neurons of the same kind maps components
//!   onto each other without changing the function, so a class is fixed by the number of `+`
//!   signs among the negative-c neurons and among the positive-c ones; it holds the product of two
//!   binomial coefficients of components.
//! - Sign vectors are listed lexicographically with `+` before `−`.

use crate::core::topology;

/// Most two-sheeted neurons whose classes are counted (class counts stay exact in 128 bits).
pub const MAX_DIAGRAM_NEURONS: usize = 120;
/// Most two-sheeted neurons the component diagram draws cell by cell (2⁶ = 64 cells); beyond, it
/// shows one bar per class.
pub const MAX_DETAILED_NEURONS: usize = 6;

/// Which kind of two-sheeted neuron: c_k < 0 with e = 1, or c_k > 0 with d = 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetKind {
    /// c_k < 0 with e = 1 (a pathological neuron).
    Negative,
    /// c_k > 0 with d = 1.
    Positive,
}

/// One effective class: `plus.0` plus signs among the negative-c neurons, `plus.1` among the
/// positive-c ones, and how many components it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Class {
    /// Plus signs among the negative-c neurons and among the positive-c ones.
    pub plus: (usize, usize),
    /// The number of components in the class.
    pub count: u128,
}

/// The kinds of the two-sheeted neurons, in neuron order.
pub fn sheet_kinds(d: usize, e: usize, c: &[f64]) -> Vec<SheetKind> {
    c.iter()
        .filter(|ck| topology::quadric_is_disconnected(d, e, **ck))
        .map(|ck| {
            if *ck < 0.0 {
                SheetKind::Negative
            } else {
                SheetKind::Positive
            }
        })
        .collect()
}

/// binomial(n, k), or `None` on overflow of 128 bits.
pub fn binomial(n: usize, k: usize) -> Option<u128> {
    if k > n {
        return Some(0);
    }
    let k = k.min(n - k);
    let mut acc: u128 = 1;
    for i in 0..k {
        // acc · (n − i) / (i + 1) is exact: acc = binomial(n, i) and the product is divisible.
        acc = acc.checked_mul((n - i) as u128)? / (i as u128 + 1);
    }
    Some(acc)
}

/// The classes in drawing order (a then b increasing) with their counts.
pub fn classes(kinds: &[SheetKind]) -> Option<Vec<Class>> {
    let neg = kinds.iter().filter(|k| **k == SheetKind::Negative).count();
    let pos = kinds.len() - neg;
    let mut out = Vec::with_capacity((neg + 1) * (pos + 1));
    for a in 0..=neg {
        for b in 0..=pos {
            out.push(Class {
                plus: (a, b),
                count: binomial(neg, a)?.checked_mul(binomial(pos, b)?)?,
            });
        }
    }
    Some(out)
}

/// The class (plus signs among negative-c and among positive-c neurons) of a sign vector.
pub fn class_of(kinds: &[SheetKind], signs: &[i8]) -> (usize, usize) {
    kinds
        .iter()
        .zip(signs)
        .filter(|(_, s)| **s > 0)
        .fold((0, 0), |(a, b), (kind, _)| match kind {
            SheetKind::Negative => (a + 1, b),
            SheetKind::Positive => (a, b + 1),
        })
}

/// All 2^m sign vectors, lexicographic with `+` before `−`.
pub fn sign_vectors(m: usize) -> Vec<Vec<i8>> {
    (0..1usize << m)
        .map(|mask| {
            (0..m)
                .map(|i| if mask >> (m - 1 - i) & 1 == 0 { 1 } else { -1 })
                .collect()
        })
        .collect()
}

/// A sign vector as text, e.g. `(+,−)`; the empty vector (a connected H(c)) is `( )`.
pub fn sign_label(signs: &[i8]) -> String {
    if signs.is_empty() {
        return "( )".into();
    }
    let inner: Vec<&str> = signs
        .iter()
        .map(|s| if *s > 0 { "+" } else { "−" })
        .collect();
    format!("({})", inner.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomials_match_pascals_triangle() {
        let mut row = vec![1u128];
        for n in 0..=120usize {
            for (k, v) in row.iter().enumerate() {
                assert_eq!(binomial(n, k), Some(*v), "C({n}, {k})");
            }
            assert_eq!(binomial(n, n + 1), Some(0));
            let mut next = vec![1u128; n + 2];
            for k in 1..=n {
                next[k] = row[k - 1] + row[k];
            }
            row = next;
        }
    }

    #[test]
    fn classes_agree_with_brute_force_enumeration_and_the_topology_module() {
        let cases: [(usize, usize, &[f64]); 6] = [
            (2, 1, &[-1.0, -2.0]),
            (2, 1, &[1.0, -1.0, 0.0, -3.0, -0.5]),
            (3, 1, &[-1.0; 6]),
            (1, 1, &[1.0, -1.0, 2.0]),
            (1, 2, &[1.0, -1.0, 2.0]),
            (2, 2, &[1.0, -1.0]),
        ];
        for (d, e, c) in cases {
            let kinds = sheet_kinds(d, e, c);
            let cls = classes(&kinds).unwrap();
            // Brute force: group all sign vectors by their class.
            let mut counts = std::collections::BTreeMap::new();
            for s in sign_vectors(kinds.len()) {
                *counts.entry(class_of(&kinds, &s)).or_insert(0u128) += 1;
            }
            assert_eq!(cls.len(), counts.len(), "{c:?}");
            for class in &cls {
                assert_eq!(counts.get(&class.plus), Some(&class.count), "{c:?}");
            }
            let total: u128 = cls.iter().map(|c| c.count).sum();
            assert_eq!(total, topology::connected_components(d, e, c).unwrap());
            assert_eq!(
                cls.len() as u128,
                topology::effective_components(d, e, c).unwrap()
            );
        }
        assert_eq!(
            sign_vectors(2),
            vec![vec![1, 1], vec![1, -1], vec![-1, 1], vec![-1, -1]]
        );
    }
}
