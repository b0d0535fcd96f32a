//! The link format against its fixtures (tests/links/*.txt, written by hand): links of every
//! format version open the right view with the right values, bad pieces are named with the
//! right reason, and writing a state and reading it back gives the same state.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use relu_obstruction::app::link::{
    self, FORMAT_VERSION, PRESETS, Value, View, format_link, parse_link, schema, value_text,
};
use std::path::Path;

/// One fixture block.
#[derive(Debug, Default)]
struct Case {
    line: usize,
    link: String,
    view: Option<String>,
    version: Option<u64>,
    clean: bool,
    values: Vec<(String, String)>,
    rejects: Vec<(String, String)>,
}

fn read_cases(name: &str) -> Vec<Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/links")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut cases = Vec::new();
    let mut cur: Option<Case> = None;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') {
            continue;
        }
        if line.trim().is_empty() {
            cases.extend(cur.take());
            continue;
        }
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        if word == "link" {
            cases.extend(cur.take());
            cur = Some(Case {
                line: i + 1,
                link: rest.to_string(),
                ..Case::default()
            });
            continue;
        }
        let c = cur
            .as_mut()
            .unwrap_or_else(|| panic!("{name}:{}: no link yet", i + 1));
        match word {
            "view" => c.view = Some(rest.to_string()),
            "version" => c.version = Some(rest.parse().unwrap()),
            "clean" => c.clean = true,
            "reject" => {
                let (k, code) = rest.split_once(' ').unwrap();
                c.rejects.push((k.to_string(), code.to_string()));
            }
            key => c.values.push((key.to_string(), rest.to_string())),
        }
    }
    cases.extend(cur);
    cases
}

fn check(name: &str) -> usize {
    let cases = read_cases(name);
    assert!(!cases.is_empty());
    for c in &cases {
        let at = format!("{name}:{} ({})", c.line, c.link);
        let p = parse_link(&c.link);
        if let Some(v) = &c.view {
            assert_eq!(p.view.name(), v, "{at}: view");
        }
        if let Some(v) = c.version {
            assert_eq!(p.version, v, "{at}: version");
        }
        if c.clean {
            assert!(p.rejections.is_empty(), "{at}: {:?}", p.rejections);
        }
        for (key, text) in &c.values {
            let v = p
                .values
                .get(key.as_str())
                .unwrap_or_else(|| panic!("{at}: no key {key}"));
            let got = value_text(v).unwrap_or_else(|| "-".into());
            assert_eq!(&got, text, "{at}: {key}");
        }
        for (key, code) in &c.rejects {
            assert!(
                p.rejections
                    .iter()
                    .any(|r| &r.key == key && r.reason.code() == code),
                "{at}: expected {key} {code}, got {:?}",
                p.rejections
            );
            // Each rejection names its key and says why in the message.
        }
        assert_eq!(
            p.rejections.len(),
            c.rejects.len(),
            "{at}: exactly the listed rejections: {:?}",
            p.rejections
        );
        for r in &p.rejections {
            assert!(r.message.starts_with(&r.key), "{at}: {}", r.message);
            assert!(r.message.contains(&r.reason.to_string()), "{at}");
        }
        // Whatever the link, its canonical form reopens the same state without a message.
        let again = parse_link(&p.to_link());
        assert!(again.rejections.is_empty(), "{at}: {:?}", again.rejections);
        assert_eq!(again.values, p.values, "{at}");
        assert_eq!(again.view, p.view, "{at}");
    }
    cases.len()
}

#[test]
fn version_0_links_keep_working() {
    assert!(check("v0.txt") >= 7);
}

#[test]
fn version_1_links_restore_their_values() {
    assert!(check("v1.txt") >= 8);
}

#[test]
fn bad_links_apply_their_valid_parts_and_name_each_problem() {
    assert!(check("bad.txt") >= 20);
}

#[test]
fn every_view_has_a_schema_whose_defaults_are_within_its_limits() {
    for view in View::ALL {
        let params = schema(view);
        assert!(!params.is_empty());
        let defaults = parse_link(&format!("#{}", view.name()));
        let written = defaults.to_link();
        assert!(written.starts_with(&format!("#{}?v={FORMAT_VERSION}&", view.name())));
        let back = parse_link(&written);
        assert!(
            back.rejections.is_empty(),
            "{view:?}: {:?}",
            back.rejections
        );
        // Keys are unique and never the version key.
        let mut keys: Vec<&str> = params.iter().map(|p| p.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), params.len());
        assert!(!keys.contains(&"v"));
    }
}

#[test]
fn a_state_is_written_and_read_back_and_a_bad_one_is_never_written() {
    use std::collections::BTreeMap;
    let mut values: BTreeMap<&'static str, Value> = BTreeMap::new();
    values.insert("top", Value::Text("fig3-good-pm".into()));
    values.insert("seed", Value::Int(12));
    values.insert("lr", Value::Float(0.07));
    values.insert("log", Value::Bool(false));
    values.insert("step", Value::Int(123));
    values.insert("ty", Value::Float(-2.5));
    let link = format_link(View::Fig3, &values).unwrap();
    let p = parse_link(&link);
    assert!(p.rejections.is_empty());
    assert_eq!(p.values["lr"], Value::Float(0.07));
    assert_eq!(p.values["seed"], Value::Int(12));
    assert_eq!(p.values["log"], Value::Bool(false));
    assert_eq!(p.values["step"], Value::Int(123));
    assert_eq!(
        p.values["bottom"],
        Value::Text("fig3-good-pm".into()),
        "a default"
    );

    // Out of range or of the wrong kind: refused, each named by its key.
    for (key, bad) in [
        ("lr", Value::Float(0.0)),
        ("seed", Value::Int(1 << 53)),
        ("log", Value::Text("yes".into())),
        ("top", Value::Text("fig4".into())),
        ("tp", Value::Float(2.0)),
    ] {
        let mut v = values.clone();
        v.insert(key, bad.clone());
        let err = format_link(View::Fig3, &v).unwrap_err();
        assert!(err.0.iter().any(|r| r.key == key), "{key} = {bad:?}: {err}");
    }
}

#[test]
fn typed_text_is_read_with_the_links_grammar() {
    use relu_obstruction::app::link::{Reason, parse_typed};
    let ok = |key: &str, text: &str| parse_typed(View::Fig3, key, text).map(|(_, v)| v);
    assert_eq!(ok("lr", " 0.05 "), Ok(Value::Float(0.05)));
    assert_eq!(ok("seed", "3e0"), Ok(Value::Int(3)));
    assert_eq!(ok("lr", "0x10"), Err(Reason::NotANumber));
    assert_eq!(ok("seed", "0.99999999999999999"), Err(Reason::NotWhole));
    assert_eq!(ok("lr", ""), Err(Reason::MissingValue));
    assert_eq!(ok("nope", "1"), Err(Reason::UnknownKey));
    // Lists take blanks around commas and the minus sign of the readouts; an optional key takes
    // the empty text as "no value".
    assert_eq!(
        parse_typed(View::Topology, "cc", "−1, 2 ,0.5").map(|(_, v)| v),
        Ok(Value::Floats(vec![-1.0, 2.0, 0.5]))
    );
    assert_eq!(
        parse_typed(View::Heatmaps, "rseed", "  ").map(|(_, v)| v),
        Ok(Value::None)
    );
}

#[test]
fn presets_open_their_figure_without_a_message() {
    let ids: Vec<&str> = PRESETS.iter().map(|p| p.id).collect();
    for wanted in [
        "fig1b",
        "fig2a",
        "fig2b",
        "fig3-obstructed",
        "fig3-good",
        "fig4",
        "appendix",
    ] {
        assert!(ids.contains(&wanted), "{wanted}");
    }
    for p in PRESETS {
        let parsed = parse_link(&p.link());
        assert!(parsed.rejections.is_empty(), "{}", p.id);
        assert_eq!(parsed.view, p.view);
        for (k, v) in p.settings {
            assert_eq!(
                value_text(&parsed.values[k]).as_deref(),
                Some(*v),
                "{} {k}",
                p.id
            );
        }
    }
    assert_eq!(link::fig3_preset_options(), link::core_fig3_presets());
}

#[test]
fn the_limits_match_the_cores_own() {
    use relu_obstruction::app::link::Kind;
    let find = |view, key| {
        schema(view)
            .iter()
            .find(|p| p.key == key)
            .map(|p| p.kind)
            .unwrap()
    };
    let Kind::Float { max, min_open, .. } = find(View::Fig3, "lr") else {
        panic!()
    };
    assert_eq!(max, relu_obstruction::core::train::MAX_LR);
    assert!(min_open);
    assert!(relu_obstruction::core::train::validate_lr(max).is_ok());
    let Kind::Int { max, .. } = find(View::Fig3, "seed") else {
        panic!()
    };
    assert_eq!(max, relu_obstruction::app::session::MAX_SEED);
    let Kind::Float { min, max, .. } = find(View::Fig1b, "w0") else {
        panic!()
    };
    assert!(relu_obstruction::app::single_neuron::validate_point(min, max).is_ok());
    assert!(relu_obstruction::app::single_neuron::validate_point(min - 1e-9, 0.0).is_err());
    let Kind::Int { max, .. } = find(View::Heatmaps, "n") else {
        panic!()
    };
    assert_eq!(max, relu_obstruction::app::random_run::MAX_VIEW_MC_SAMPLES);
}
