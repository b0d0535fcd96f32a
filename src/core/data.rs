//! Data sets: the Fig. 3 teacher problem and the breast cancer Wisconsin (diagnostic) data.
//!
//! # Conventions
//! - A [`Dataset`] stores inputs sample-major (`x[i * d + j]`) and targets sample-major
//!   (`y[i * e + o]`), the natural order of a CSV file.
//! - The teacher problem (paper-notes §7, our setup): x ~ N(0, I_2), n = 200,
//!   y = σ(u1·x) − σ(u2·x) with u1 = (1, 0.5), u2 = (−0.5, 1). It needs one positive and one
//!   negative ReLU term.
//! - Breast cancer: 569 samples × 30 features, target 1 = benign, 0 = malignant (scikit-learn's
//!   coding). Split first (stratified, seeded), then standardized with the training split's mean
//!   and standard deviation, so no test information leaks into training.

use std::sync::OnceLock;

use crate::core::error::ConfigError;
use crate::core::rng::standard_normal;
use rand::RngExt;

/// A supervised data set.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Number of samples.
    pub n: usize,
    /// Input dimension.
    pub d: usize,
    /// Output dimension.
    pub e: usize,
    /// n × d inputs, sample-major.
    pub x: Vec<f64>,
    /// n × e targets, sample-major.
    pub y: Vec<f64>,
}

impl Dataset {
    /// A data set from sample-major buffers.
    ///
    /// # Errors
    /// [`ConfigError`] when the lengths disagree, a dimension is zero or a value is not finite.
    pub fn new(d: usize, e: usize, x: Vec<f64>, y: Vec<f64>) -> Result<Self, ConfigError> {
        if d == 0 || e == 0 {
            return Err(ConfigError::Mismatch(
                "data dimensions must be at least 1".into(),
            ));
        }
        let n = x.len() / d;
        if x.len() != n * d || y.len() != n * e {
            return Err(ConfigError::Mismatch(format!(
                "inputs ({}) and targets ({}) do not form n × {d} and n × {e} tables",
                x.len(),
                y.len()
            )));
        }
        if x.iter().chain(&y).any(|v| !v.is_finite()) {
            return Err(ConfigError::Mismatch(
                "the data contain a non-finite value".into(),
            ));
        }
        Ok(Self { n, d, e, x, y })
    }

    /// The inputs of sample i.
    pub fn input(&self, i: usize) -> &[f64] {
        &self.x[i * self.d..(i + 1) * self.d]
    }

    /// The targets of sample i.
    pub fn target(&self, i: usize) -> &[f64] {
        &self.y[i * self.e..(i + 1) * self.e]
    }

    /// The samples with the given indices, in that order.
    pub fn subset(&self, idx: &[usize]) -> Self {
        let mut x = Vec::with_capacity(idx.len() * self.d);
        let mut y = Vec::with_capacity(idx.len() * self.e);
        for &i in idx {
            x.extend_from_slice(self.input(i));
            y.extend_from_slice(self.target(i));
        }
        Self {
            n: idx.len(),
            d: self.d,
            e: self.e,
            x,
            y,
        }
    }
}

/// Teacher weights of the Fig. 3 problem.
pub const TEACHER_U1: [f64; 2] = [1.0, 0.5];
/// Teacher weights of the Fig. 3 problem (the negative term).
pub const TEACHER_U2: [f64; 2] = [-0.5, 1.0];
/// Number of samples of the Fig. 3 problem.
pub const TEACHER_N: usize = 200;

/// The Fig. 3 teacher problem with `n` Gaussian inputs drawn from `seed`:
/// y = σ(u1·x) − σ(u2·x).
pub fn teacher(n: usize, seed: u64) -> Dataset {
    let mut rng = crate::core::rng::seeded(seed);
    let mut x = Vec::with_capacity(2 * n);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let x0 = standard_normal(&mut rng);
        let x1 = standard_normal(&mut rng);
        let a = TEACHER_U1[0] * x0 + TEACHER_U1[1] * x1;
        let b = TEACHER_U2[0] * x0 + TEACHER_U2[1] * x1;
        x.extend_from_slice(&[x0, x1]);
        y.push(crate::core::network::relu(a) - crate::core::network::relu(b));
    }
    Dataset {
        n,
        d: 2,
        e: 1,
        x,
        y,
    }
}

/// The lab's teacher problem (paper-notes §5's setting): x ~ N(0, I_d) and
/// y = Σ_j s_j σ(u_j · x) with `positive` terms of sign s_j = +1 followed by `negative` terms of sign
/// −1, each u_j a unit vector in a direction drawn uniformly from stream 0 of the seed; the rows
/// come from stream 1, in order. It needs `positive` positive and `negative` negative ReLU terms,
/// so the obstruction verdict is decidable for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeacherSpec {
    /// Input dimension d ≥ 1.
    pub d: usize,
    /// Terms with a positive sign.
    pub positive: usize,
    /// Terms with a negative sign.
    pub negative: usize,
    /// Rows n ≥ 1.
    pub n: usize,
    /// Seed.
    pub seed: u64,
}

/// A teacher data set built a slice of rows at a time ([`TeacherBuilder::advance`]), so a large
/// one never holds up a caller that has a frame to draw.
#[derive(Debug, Clone)]
pub struct TeacherBuilder {
    spec: TeacherSpec,
    /// (positive + negative) × d unit directions.
    u: Vec<f64>,
    rng: crate::core::rng::Rng,
    x: Vec<f64>,
    y: Vec<f64>,
}

impl TeacherBuilder {
    /// Starts building `spec` (reserving its memory at once).
    ///
    /// # Errors
    /// [`ConfigError::Mismatch`] when d or n is 0.
    pub fn new(spec: TeacherSpec) -> Result<Self, ConfigError> {
        if spec.d == 0 || spec.n == 0 {
            return Err(ConfigError::Mismatch(
                "a teacher needs at least one input and one row".into(),
            ));
        }
        let terms = spec.positive + spec.negative;
        let mut dirs = crate::core::rng::seeded_stream(spec.seed, 0);
        let mut u = Vec::with_capacity(terms * spec.d);
        for _ in 0..terms {
            let start = u.len();
            // A zero draw has probability 0; draw again rather than divide by it.
            loop {
                u.truncate(start);
                u.extend((0..spec.d).map(|_| standard_normal(&mut dirs)));
                let norm = libm::sqrt(u[start..].iter().map(|a| a * a).sum::<f64>());
                if norm > 0.0 {
                    u[start..].iter_mut().for_each(|a| *a /= norm);
                    break;
                }
            }
        }
        Ok(Self {
            spec,
            u,
            rng: crate::core::rng::seeded_stream(spec.seed, 1),
            x: Vec::with_capacity(spec.n * spec.d),
            y: Vec::with_capacity(spec.n),
        })
    }

    /// Adds up to `rows` rows (at least one); returns whether the data set is complete.
    pub fn advance(&mut self, rows: usize) -> bool {
        let d = self.spec.d;
        for _ in 0..rows.max(1) {
            if self.y.len() == self.spec.n {
                break;
            }
            let start = self.x.len();
            self.x
                .extend((0..d).map(|_| standard_normal(&mut self.rng)));
            let x = &self.x[start..];
            let mut f = 0.0;
            for (j, u) in self.u.chunks_exact(d).enumerate() {
                let z: f64 = u.iter().zip(x).map(|(a, b)| a * b).sum();
                let s = if j < self.spec.positive { 1.0 } else { -1.0 };
                f += s * crate::core::network::relu(z);
            }
            self.y.push(f);
        }
        self.y.len() == self.spec.n
    }

    /// Rows built so far.
    pub fn rows(&self) -> usize {
        self.y.len()
    }

    /// The unit directions u_j, one row of d per term (positive terms first).
    pub fn directions(&self) -> &[f64] {
        &self.u
    }

    /// The data set, once [`TeacherBuilder::advance`] has returned true (`None` before).
    pub fn finish(self) -> Option<Dataset> {
        (self.y.len() == self.spec.n).then_some(Dataset {
            n: self.spec.n,
            d: self.spec.d,
            e: 1,
            x: self.x,
            y: self.y,
        })
    }
}

impl TeacherSpec {
    /// The whole data set at once.
    ///
    /// # Errors
    /// As [`TeacherBuilder::new`].
    pub fn generate(&self) -> Result<Dataset, ConfigError> {
        let mut b = TeacherBuilder::new(*self)?;
        b.advance(self.n);
        b.finish()
            .ok_or_else(|| ConfigError::Mismatch("the teacher data are incomplete".into()))
    }
}

/// The raw CSV shipped in `data/` (see `data/README.md` for source and licence), when this build
/// carries it: the native builds and the tests do (feature `embedded-data`, on by default). The
/// page's wasm does not: it is 46 KB of its gzip, and the first screen never needs it. The page
/// fetches the file when a view that uses it starts, and hands it over with
/// [`provide_breast_cancer_csv`].
#[cfg(feature = "embedded-data")]
const EMBEDDED_BREAST_CANCER_CSV: Option<&str> = Some(include_str!("../../data/breast_cancer.csv"));
#[cfg(not(feature = "embedded-data"))]
const EMBEDDED_BREAST_CANCER_CSV: Option<&str> = None;

/// The breast cancer data handed over by [`provide_breast_cancer_csv`].
static PROVIDED_BREAST_CANCER: OnceLock<Dataset> = OnceLock::new();

/// The shape and class counts published with the breast cancer data: 569 × 30, 357 benign.
const BREAST_CANCER_SHAPE: (usize, usize, usize) = (569, 30, 357);

/// What a build without the embedded file says until [`provide_breast_cancer_csv`] has run.
pub const BREAST_CANCER_NOT_LOADED: &str = "the breast cancer data";

/// Takes the breast cancer CSV for [`breast_cancer_raw`] in a build that does not carry it (the
/// page's wasm). The file must parse and have the published shape and class counts; a second
/// call with a valid file keeps the first one's data.
///
/// # Errors
/// [`ConfigError::Mismatch`] for a malformed file or one of another shape.
pub fn provide_breast_cancer_csv(text: &str) -> Result<(), ConfigError> {
    let d = parse_sklearn_csv(text)?;
    let benign = d.y.iter().filter(|y| **y == 1.0).count();
    let (n, dims, want_benign) = BREAST_CANCER_SHAPE;
    if (d.n, d.d, d.e, benign) != (n, dims, 1, want_benign) {
        return Err(ConfigError::Mismatch(format!(
            "the breast cancer file has {} rows of {} features ({benign} benign); the data set \
             has {n} rows of {dims} ({want_benign} benign)",
            d.n, d.d
        )));
    }
    let _ = PROVIDED_BREAST_CANCER.set(d);
    Ok(())
}

/// Whether [`breast_cancer_raw`] has its data (embedded, or provided).
pub fn breast_cancer_available() -> bool {
    EMBEDDED_BREAST_CANCER_CSV.is_some() || PROVIDED_BREAST_CANCER.get().is_some()
}

/// The breast cancer Wisconsin (diagnostic) data, unstandardized: 569 × 30, target 1 = benign.
///
/// # Errors
/// [`ConfigError::Mismatch`] if the embedded file is malformed (it is checked by a test);
/// [`ConfigError::NotLoaded`] in a build without it before [`provide_breast_cancer_csv`].
pub fn breast_cancer_raw() -> Result<Dataset, ConfigError> {
    if let Some(d) = PROVIDED_BREAST_CANCER.get() {
        return Ok(d.clone());
    }
    match EMBEDDED_BREAST_CANCER_CSV {
        Some(text) => parse_sklearn_csv(text),
        None => Err(ConfigError::NotLoaded(BREAST_CANCER_NOT_LOADED)),
    }
}

/// Parses scikit-learn's data CSV format: a header `n,d,class0,class1`, then n rows of d
/// features and an integer class.
///
/// # Errors
/// [`ConfigError::Mismatch`] naming the first malformed line.
pub fn parse_sklearn_csv(text: &str) -> Result<Dataset, ConfigError> {
    let bad = |line: usize, why: &str| ConfigError::Mismatch(format!("CSV line {line}: {why}"));
    let mut lines = text.lines();
    let header = lines.next().ok_or_else(|| bad(1, "empty file"))?;
    let mut head = header.split(',');
    let n: usize = head
        .next()
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| bad(1, "no sample count"))?;
    let d: usize = head
        .next()
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| bad(1, "no feature count"))?;
    let mut x = Vec::with_capacity(n * d);
    let mut y = Vec::with_capacity(n);
    for (i, line) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != d + 1 {
            return Err(bad(i + 2, "wrong number of fields"));
        }
        for f in &fields[..d] {
            x.push(
                f.trim()
                    .parse::<f64>()
                    .map_err(|_| bad(i + 2, "not a number"))?,
            );
        }
        y.push(
            fields[d]
                .trim()
                .parse::<f64>()
                .map_err(|_| bad(i + 2, "bad class"))?,
        );
    }
    if y.len() != n {
        return Err(bad(1, "sample count does not match the rows"));
    }
    Dataset::new(d, 1, x, y)
}

/// A train/test split.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// Training samples.
    pub train: Dataset,
    /// Test samples.
    pub test: Dataset,
}

/// Indices of a stratified split of a data set with a scalar class target: within each class the
/// samples are shuffled with `seed` and `round(test_fraction · class size)` go to the test set.
/// Returns (train indices, test indices), each sorted.
///
/// # Errors
/// [`ConfigError::OutOfRange`] when `test_fraction` is not strictly between 0 and 1.
pub fn stratified_split_indices(
    data: &Dataset,
    test_fraction: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>), ConfigError> {
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(ConfigError::OutOfRange {
            name: "test fraction",
            value: test_fraction,
            range: "strictly between 0 and 1",
        });
    }
    let mut rng = crate::core::rng::seeded(seed);
    let mut classes: Vec<f64> = data.y.iter().step_by(data.e).copied().collect();
    classes.sort_by(f64::total_cmp);
    classes.dedup();
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for class in classes {
        let mut members: Vec<usize> = (0..data.n)
            .filter(|&i| data.target(i)[0] == class)
            .collect();
        // Fisher–Yates with the seeded generator.
        for i in (1..members.len()).rev() {
            let j = rng.random_range(0..=i);
            members.swap(i, j);
        }
        let n_test = (test_fraction * members.len() as f64).round() as usize;
        test.extend_from_slice(&members[..n_test]);
        train.extend_from_slice(&members[n_test..]);
    }
    train.sort_unstable();
    test.sort_unstable();
    Ok((train, test))
}

/// Per-feature mean and standard deviation (population, ddof = 0) of the inputs.
pub fn feature_moments(data: &Dataset) -> (Vec<f64>, Vec<f64>) {
    let n = data.n as f64;
    let mut mean = vec![0.0; data.d];
    for i in 0..data.n {
        for (m, x) in mean.iter_mut().zip(data.input(i)) {
            *m += x;
        }
    }
    mean.iter_mut().for_each(|m| *m /= n);
    let mut var = vec![0.0; data.d];
    for i in 0..data.n {
        for ((s, x), m) in var.iter_mut().zip(data.input(i)).zip(&mean) {
            *s += (x - m) * (x - m);
        }
    }
    let std = var.iter().map(|s| libm::sqrt(s / n)).collect();
    (mean, std)
}

/// Standardizes the inputs in place with the given moments (a constant feature is only centred).
pub fn standardize(data: &mut Dataset, mean: &[f64], std: &[f64]) {
    for row in data.x.chunks_exact_mut(data.d) {
        for ((x, m), s) in row.iter_mut().zip(mean).zip(std) {
            *x = if *s > 0.0 { (*x - m) / s } else { *x - m };
        }
    }
}

/// Fraction of the breast cancer data held out for testing.
pub const BREAST_CANCER_TEST_FRACTION: f64 = 0.2;

/// The breast cancer data split (stratified, `seed`, 20 % test) and standardized with the
/// training moments.
///
/// # Errors
/// As [`breast_cancer_raw`].
pub fn breast_cancer_split(seed: u64) -> Result<Split, ConfigError> {
    let raw = breast_cancer_raw()?;
    let (tr, te) = stratified_split_indices(&raw, BREAST_CANCER_TEST_FRACTION, seed)?;
    let mut train = raw.subset(&tr);
    let mut test = raw.subset(&te);
    let (mean, std) = feature_moments(&train);
    standardize(&mut train, &mean, &std);
    standardize(&mut test, &mean, &std);
    Ok(Split { train, test })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breast_cancer_has_the_documented_shape_and_classes() {
        let d = breast_cancer_raw().unwrap();
        assert_eq!((d.n, d.d, d.e), (569, 30, 1));
        let benign = d.y.iter().filter(|y| **y == 1.0).count();
        // 357 benign, 212 malignant: the counts published with the data set.
        assert_eq!(benign, 357);
        assert_eq!(d.n - benign, 212);
    }

    #[test]
    fn split_is_stratified_disjoint_and_seeded() {
        let raw = breast_cancer_raw().unwrap();
        let (tr, te) = stratified_split_indices(&raw, 0.2, 3).unwrap();
        assert_eq!(tr.len() + te.len(), raw.n);
        assert!(tr.iter().all(|i| te.binary_search(i).is_err()));
        let benign_test = te.iter().filter(|&&i| raw.y[i] == 1.0).count();
        assert_eq!(benign_test, (0.2f64 * 357.0).round() as usize);
        assert_eq!(stratified_split_indices(&raw, 0.2, 3).unwrap().1, te);
        assert_ne!(stratified_split_indices(&raw, 0.2, 4).unwrap().1, te);
    }

    #[test]
    fn standardized_training_features_have_zero_mean_unit_variance() {
        let s = breast_cancer_split(0).unwrap();
        let (mean, std) = feature_moments(&s.train);
        for (m, sd) in mean.iter().zip(&std) {
            assert!(m.abs() < 1e-12, "mean {m}");
            assert!((sd - 1.0).abs() < 1e-12, "std {sd}");
        }
    }

    #[test]
    fn teacher_targets_follow_the_teacher_formula() {
        let d = teacher(50, 9);
        for i in 0..d.n {
            let x = d.input(i);
            let a = (x[0] + 0.5 * x[1]).max(0.0);
            let b = (-0.5 * x[0] + x[1]).max(0.0);
            assert_eq!(d.y[i], a - b);
        }
        assert_eq!(teacher(50, 9), d);
        assert_ne!(teacher(50, 10), d);
    }

    #[test]
    fn a_provided_file_must_have_the_published_shape() {
        // The file itself, whether or not this build embeds it.
        let text = include_str!("../../data/breast_cancer.csv");
        // The real file is taken, and gives the embedded data.
        provide_breast_cancer_csv(text).unwrap();
        assert_eq!(
            PROVIDED_BREAST_CANCER.get(),
            Some(&breast_cancer_raw().unwrap())
        );
        // A file missing its last row, or a row with a changed class, is refused.
        let mut lines: Vec<&str> = text.lines().collect();
        let last = lines.pop().unwrap();
        let short = format!("568,30,malignant,benign\n{}\n", lines[1..].join("\n"));
        let err = provide_breast_cancer_csv(&short).unwrap_err().to_string();
        assert!(err.contains("568 rows"), "{err}");
        let flipped = last.rsplit_once(',').unwrap();
        let class = if flipped.1.trim() == "1" { "0" } else { "1" };
        let changed = format!("{}\n{},{class}\n", lines.join("\n"), flipped.0);
        let err = provide_breast_cancer_csv(&changed).unwrap_err().to_string();
        assert!(err.contains("benign"), "{err}");
        assert!(provide_breast_cancer_csv("no,csv").is_err());
    }

    #[test]
    fn malformed_csv_is_refused_with_its_line() {
        let err = parse_sklearn_csv("2,2,a,b\n1,2,0\n1,x,1\n").unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
        assert!(parse_sklearn_csv("").is_err());
        assert!(parse_sklearn_csv("3,2,a,b\n1,2,0\n").is_err());
    }
}
