//! Fuzzing the link parser with proptest (issue 7.1): random bytes, key/value soup, near-valid
//! links with one value mutated, and round trips of random valid states. 110,000 cases in all
//! (`cargo test --release --test link_fuzz`); every input must parse without a panic, every value
//! the parser accepts must lie within its key's limits, every rejection must carry a specific
//! reason, and the canonical link of any parse must reopen the same state without a message.
//!
//! Failures are saved to tests/links/proptest-regressions.txt (replayed first on every run); the
//! hand-kept corpus tests/links/corpus.txt is checked on every run too.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use relu_obstruction::app::link::{
    self, Kind, ParsedLink, Value, View, format_link, parse_link, schema, value_text,
};
use std::collections::BTreeMap;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/links/proptest-regressions.txt",
        ))),
        ..ProptestConfig::default()
    }
}

/// An independent check that `value` fits `kind` (not the parser's own code).
fn within(kind: &Kind, value: &Value) -> bool {
    match (kind, value) {
        (_, Value::None) => true,
        (Kind::Int { min, max }, Value::Int(n)) => min <= n && n <= max,
        (
            Kind::Float {
                min,
                max,
                min_open,
                step,
            },
            Value::Float(x),
        ) => {
            let lower = if *min_open { x > min } else { x >= min };
            let on_grid = step.is_none_or(|s| ((x / s).round() * s - x).abs() < 1e-9);
            x.is_finite() && lower && x <= max && on_grid
        }
        (Kind::Enum { options, .. }, Value::Text(t)) => options.contains(&t.as_str()),
        (Kind::Bool, Value::Bool(_)) => true,
        (
            Kind::FloatList {
                min_len,
                max_len,
                min,
                max,
            },
            Value::Floats(xs),
        ) => {
            (*min_len..=*max_len).contains(&xs.len())
                && xs.iter().all(|x| x.is_finite() && x >= min && x <= max)
        }
        (Kind::IntSet { options }, Value::Ints(ns)) => {
            ns.iter().all(|n| options.contains(n)) && ns.windows(2).all(|w| w[0] < w[1])
        }
        _ => false,
    }
}

/// The invariants every parse must satisfy.
fn check_invariants(input: &str, p: &ParsedLink) -> Result<(), TestCaseError> {
    let params = schema(p.view);
    prop_assert_eq!(p.values.len(), params.len(), "{:?}", input);
    for param in params {
        let v = &p.values[param.key];
        prop_assert!(
            within(&param.kind, v),
            "{:?}: {} = {:?}",
            input,
            param.key,
            v
        );
    }
    if p.view == View::Fig3 && p.values["int"] == Value::Text("flow".into()) {
        prop_assert!(matches!(p.values["step"], Value::Int(n) if n <= link::FIG3_MAX_FLOW_REPLAY));
    }
    for r in &p.rejections {
        prop_assert!(!r.key.is_empty());
        prop_assert!(r.message.contains(&r.reason.to_string()));
        prop_assert!(r.value.chars().count() <= link::SHOWN_CHARS + 12);
        prop_assert!(!r.value.chars().any(char::is_control), "{:?}", r.value);
        prop_assert!(!r.key.chars().any(char::is_control), "{:?}", r.key);
    }
    let canonical = p.to_link();
    let back = parse_link(&canonical);
    prop_assert!(
        back.rejections.is_empty(),
        "{:?} → {:?}: {:?}",
        input,
        canonical,
        back.rejections
    );
    prop_assert_eq!(back.view, p.view);
    prop_assert_eq!(&back.values, &p.values);
    prop_assert_eq!(back.to_link(), canonical);
    Ok(())
}

fn view_strategy() -> impl Strategy<Value = View> {
    prop::sample::select(View::ALL.to_vec())
}

/// A random valid value of `kind`, as link text.
fn valid_text(kind: Kind) -> BoxedStrategy<String> {
    match kind {
        Kind::Int { min, max } => (min..=max).prop_map(|n| n.to_string()).boxed(),
        Kind::Float {
            min,
            max,
            step: Some(s),
            ..
        } => {
            let lo = (min / s).ceil() as i64;
            let hi = (max / s).floor() as i64;
            (lo..=hi)
                .prop_map(move |n| link::format_number(n as f64 / (1.0 / s).round()))
                .boxed()
        }
        Kind::Float {
            min, max, min_open, ..
        } => {
            let span = (max.min(1e6)) - min;
            (0.0..=1.0f64)
                .prop_map(move |u| {
                    let x = min + u * span;
                    let x = if min_open && x <= min {
                        max.min(1.0)
                    } else {
                        x
                    };
                    link::format_number(x.min(max))
                })
                .boxed()
        }
        Kind::Enum { options, .. } => prop::sample::select(options.to_vec())
            .prop_map(str::to_string)
            .boxed(),
        Kind::Bool => prop::bool::ANY
            .prop_map(|b| if b { "1" } else { "0" }.to_string())
            .boxed(),
        Kind::FloatList { min_len, .. } => prop::collection::vec(-1e6..1e6f64, min_len.max(1)..20)
            .prop_map(|xs| {
                xs.iter()
                    .map(|x| link::format_number(*x))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .boxed(),
        Kind::IntSet { options } => prop::sample::subsequence(options.to_vec(), 0..=options.len())
            .prop_map(|ns| ns.iter().map(u64::to_string).collect::<Vec<_>>().join(","))
            .boxed(),
    }
}

/// A valid version-1 link of `view` with every key set at random: (link, key → text).
fn valid_link(view: View) -> BoxedStrategy<(String, Vec<(&'static str, String)>)> {
    let parts: Vec<BoxedStrategy<(&'static str, String)>> = schema(view)
        .iter()
        .map(|p| {
            let key = p.key;
            valid_text(p.kind).prop_map(move |t| (key, t)).boxed()
        })
        .collect();
    parts
        .prop_map(move |mut pairs| {
            // The appendix view's live run needs a selected cell.
            if pairs.iter().any(|(k, t)| *k == "sel" && t == "none") {
                pairs.retain(|(k, _)| *k != "run");
            }
            // A Fig. 3 link replays at most 1000 steps of gradient flow.
            if pairs.iter().any(|(k, t)| *k == "int" && t == "flow") {
                for (k, t) in pairs.iter_mut() {
                    if *k == "step" && t.parse::<u64>().unwrap() > link::FIG3_MAX_FLOW_REPLAY {
                        *t = link::FIG3_MAX_FLOW_REPLAY.to_string();
                    }
                }
            }
            let mut link = format!("#{}?v=1", view.name());
            for (k, t) in &pairs {
                link.push_str(&format!("&{k}={t}"));
            }
            (link, pairs)
        })
        .boxed()
}

fn any_valid_link() -> impl Strategy<Value = (View, String, Vec<(&'static str, String)>)> {
    view_strategy().prop_flat_map(|v| valid_link(v).prop_map(move |(l, p)| (v, l, p)))
}

/// Values that are often almost right.
fn nasty_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("NaN".to_string()),
        Just("Infinity".to_string()),
        Just("-inf".to_string()),
        Just("1e309".to_string()),
        Just("-0".to_string()),
        Just("%".to_string()),
        Just("%G0".to_string()),
        Just("%FF%FE".to_string()),
        Just("0x1f".to_string()),
        Just("1,,2".to_string()),
        Just("<img src=x onerror=alert(1)>".to_string()),
        Just("javascript:alert(1)".to_string()),
        Just("\u{202e}1".to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|x| format!("{x}")),
        any::<u64>().prop_map(|n| format!("{n}{n}")),
        "[0-9.eE+,-]{0,30}",
        "[a-z_-]{0,20}",
        "\\PC{0,40}",
        "[%0-9A-Fa-f]{0,12}",
        Just("9".repeat(100)),
    ]
}

fn any_key() -> impl Strategy<Value = String> {
    let mut known: Vec<String> = View::ALL
        .iter()
        .flat_map(|v| schema(*v).iter().map(|p| p.key.to_string()))
        .collect();
    known.push("v".into());
    prop_oneof![
        3 => prop::sample::select(known),
        1 => "\\PC{0,12}",
        1 => "[%a-z0-9]{0,8}",
    ]
}

proptest! {
    #![proptest_config(config(30_000))]

    /// Random bytes (lossily made UTF-8, as a browser would hand them over).
    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let input = String::from_utf8_lossy(&bytes).into_owned();
        let p = parse_link(&input);
        check_invariants(&input, &p)?;
        let with_hash = format!("#fig3?v=1&{input}");
        check_invariants(&with_hash, &parse_link(&with_hash))?;
    }

    /// A view followed by a soup of known and unknown keys with nasty values.
    #[test]
    fn key_value_soup(
        view in prop_oneof![view_strategy().prop_map(|v| v.name().to_string()), "\\PC{0,10}"],
        version in prop_oneof![Just(Some("1".to_string())), Just(None), nasty_value().prop_map(Some)],
        pairs in prop::collection::vec((any_key(), prop::option::of(nasty_value())), 0..12),
    ) {
        let mut link = format!("#{view}?");
        if let Some(v) = &version {
            link.push_str(&format!("v={v}&"));
        }
        for (k, v) in &pairs {
            match v {
                Some(v) => link.push_str(&format!("{k}={v}&")),
                None => link.push_str(&format!("{k}&")),
            }
        }
        let p = parse_link(&link);
        check_invariants(&link, &p)?;
    }

    /// A valid link with one value mutated: the other keys keep their values, the mutated key is
    /// either accepted (then within its limits) or rejected by name.
    #[test]
    fn near_valid_links((view, link, pairs) in any_valid_link(), which in any::<prop::sample::Index>(), bad in nasty_value()) {
        let clean = parse_link(&link);
        prop_assert!(clean.rejections.is_empty(), "{}: {:?}", link, clean.rejections);
        let (key, _) = &pairs[which.index(pairs.len())];
        let mutated = format!("#{}?v=1", view.name())
            + &pairs
                .iter()
                .map(|(k, t)| if k == key { format!("&{k}={bad}") } else { format!("&{k}={t}") })
                .collect::<String>();
        let p = parse_link(&mutated);
        check_invariants(&mutated, &p)?;
        for (k, _) in &pairs {
            // Unselecting the appendix cell also drops its live run.
            let dependent = (view == View::Heatmaps && *key == "sel" && (*k == "run" || *k == "rstep"))
                || (view == View::Fig3 && *key == "int" && *k == "step");
            if k != key && !dependent && !bad.contains('&') && !bad.contains('#') {
                prop_assert_eq!(&p.values[k], &clean.values[k], "{} changed in {}", k, mutated);
            }
        }
        if !bad.contains('&') {
            let accepted = p.given.contains(key);
            let rejected = p.rejections.iter().any(|r| r.key == *key);
            prop_assert!(accepted != rejected, "{}: {} accepted {} rejected {}", mutated, key, accepted, rejected);
        }
    }
}

proptest! {
    #![proptest_config(config(20_000))]

    /// formatLink of a random valid state, read back, gives that state exactly.
    #[test]
    fn format_round_trip((view, link, _pairs) in any_valid_link()) {
        let p = parse_link(&link);
        prop_assert!(p.rejections.is_empty());
        let values: BTreeMap<&'static str, Value> = p.values.clone();
        let written = format_link(view, &values).unwrap();
        let back = parse_link(&written);
        prop_assert!(back.rejections.is_empty());
        prop_assert_eq!(&back.values, &values);
        for (k, v) in &values {
            prop_assert_eq!(value_text(&back.values[k]), value_text(v));
        }
    }
}

/// The hand-kept corpus: inputs that once mattered or are likely to.
#[test]
fn corpus() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/links/corpus.txt");
    let text = std::fs::read_to_string(path).unwrap();
    let mut n = 0;
    for line in text.lines().filter(|l| !l.starts_with("//")) {
        let p = parse_link(line);
        check_invariants(line, &p).unwrap();
        n += 1;
    }
    assert!(n >= 20);
}
