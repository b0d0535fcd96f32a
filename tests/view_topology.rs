//! The topology view model (src/app/topology.rs) replayed from links and typed values, its
//! readouts compared with independent computations: the core's topology functions, the random
//! network drawn by the core's initializer, and the component diagram's own summary
//! (src/present/charts/components.rs). Typed values the link grammar refuses are refused here
//! with the right code, and the previous value stays in force.
//!
//! `print_readout` (ignored by default) prints the readout of a link and a sequence of typed
//! values for the page's end-to-end test (tests/e2e/topology.test.mjs), which compares the page
//! with it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use relu_obstruction::app::link::{self, PITCH_MAX, PITCH_MIN, View};
use relu_obstruction::app::topology::{
    Fig2bNetwork, Part, Section, TopologyModel, TopologyReadout, wrap_yaw,
};
use relu_obstruction::app::view::{Field, ViewModel, link_state, open_link, set};
use relu_obstruction::core::init::{FanMode, InitScheme, initialize};
use relu_obstruction::core::network::Architecture;
use relu_obstruction::core::topology;
use relu_obstruction::present::charts::components::{ComponentDiagram, diagram_summary};

fn field<'a>(fields: &'a [Field], key: &str) -> &'a Field {
    fields
        .iter()
        .find(|f| f.key == key)
        .unwrap_or_else(|| panic!("no field {key}"))
}

/// The Betti numbers as the page's data-value writes them: a JSON array of decimal strings.
fn betti_json(betti: &[u128]) -> String {
    let items: Vec<String> = betti.iter().map(|b| format!("\"{b}\"")).collect();
    format!("[{}]", items.join(","))
}

/// Checks the Fig. 2a readout against the core for c.
fn check_quadric(r: &TopologyReadout, c: f64) {
    let betti = topology::betti_numbers(2, 1, &[c]).unwrap();
    let f = &r.quadric.fields;
    assert_eq!(
        field(f, "components").value,
        topology::connected_components(2, 1, &[c])
            .unwrap()
            .to_string()
    );
    assert_eq!(field(f, "betti").value, betti_json(&betti));
    assert_eq!(
        field(f, "poly").text,
        topology::format_polynomial(&topology::poincare_polynomial(2, 1, &[c]).unwrap())
    );
    let shape = match c.partial_cmp(&0.0).unwrap() {
        std::cmp::Ordering::Greater => "one-sheeted hyperboloid",
        std::cmp::Ordering::Equal => "double cone",
        std::cmp::Ordering::Less => "two-sheeted hyperboloid",
    };
    assert_eq!(field(f, "shape").text, shape);
    assert!(
        r.quadric.value_text.ends_with(shape),
        "{}",
        r.quadric.value_text
    );
}

/// Checks the calculator readout against the core for (d, e, c).
fn check_calculator(r: &TopologyReadout, d: usize, e: usize, c: &[f64]) {
    let f = &r.calculator.fields;
    let betti = topology::betti_numbers(d, e, c).unwrap();
    assert_eq!(field(f, "betti").value, betti_json(&betti));
    assert_eq!(
        field(f, "components").value,
        topology::connected_components(d, e, c).unwrap().to_string()
    );
    assert_eq!(
        field(f, "effective").value,
        topology::effective_components(d, e, c).unwrap().to_string()
    );
    let path: Vec<String> = topology::pathological_neurons(e, c)
        .iter()
        .map(|k| (k + 1).to_string())
        .collect();
    assert_eq!(
        field(f, "pathological").value,
        format!("[{}]", path.join(","))
    );
    let (p, z, n) = (
        c.iter().filter(|x| **x > 0.0).count(),
        c.iter().filter(|x| **x == 0.0).count(),
        c.iter().filter(|x| **x < 0.0).count(),
    );
    assert_eq!(field(f, "counts").text, format!("{p} / {z} / {n}"));
    assert!(r.calculator.message.is_none());
    assert_eq!(
        r.calculator.fields.len(),
        6,
        "poly, betti, components, effective, counts, pathological"
    );
}

/// Checks the Fig. 2b readout of `net` against the diagram's own summary.
fn check_diagram(r: &TopologyReadout, net: &Fig2bNetwork) {
    let title = format!(
        "Components of H(c): l− = {}",
        net.c.iter().filter(|x| **x < 0.0).count()
    );
    let s = diagram_summary(&ComponentDiagram {
        title: &title,
        d: net.d,
        e: net.e,
        c: &net.c,
        highlight: Some(&net.label),
    })
    .unwrap();
    let data = &r.diagram.caption_data;
    assert_eq!(data["components"], s.components.to_string());
    assert_eq!(data["classes"], s.classes.to_string());
    assert_eq!(data["cells"], s.cells.to_string());
    assert_eq!(data["detailed"], s.detailed.to_string());
    assert_eq!(Some(&data["highlight"]), s.highlighted_label.as_ref());
    assert_eq!(r.diagram.title.as_deref(), Some(title.as_str()));
    let caption = &r.diagram.caption.as_ref().unwrap().text;
    assert!(
        caption.starts_with(&format!(
            "{} components in {} effective classes",
            s.components, s.classes
        )),
        "{caption}"
    );
    let src = &r.diagram.source_data;
    assert_eq!(src["d"], net.d.to_string());
    assert_eq!(
        serde_json::from_str::<Vec<f64>>(&src["c"]).unwrap(),
        net.c,
        "exact c"
    );
    assert_eq!(
        serde_json::from_str::<Vec<i8>>(&src["label"]).unwrap(),
        net.label
    );
}

/// The random network drawn by the core itself.
fn core_random(d: usize, l: usize, scheme: InitScheme, seed: u64) -> (Vec<f64>, Vec<i8>) {
    let net = initialize(Architecture::new(d, l, 1), scheme, seed).unwrap();
    let c = net.conserved_quantities();
    let label = topology::component_label(&net, &c);
    (c, label)
}

#[test]
fn a_link_replays_to_the_cores_numbers() {
    let mut m = TopologyModel::new();
    let rejections = open_link(
        &mut m,
        "#topology?v=1&c=-0.5&yaw=2&pitch=0.9&src=random&d=3&l=5&scheme=kaiming_normal&seed=4&cd=3&ce=1&cc=-1,2,-3",
    );
    assert!(rejections.is_empty(), "{rejections:?}");
    let r = m.readout();
    check_quadric(&r, -0.5);
    assert_eq!(r.quadric.value_text, "c = −0.50: two-sheeted hyperboloid");
    let (c, label) = core_random(
        3,
        5,
        InitScheme::KaimingNormal {
            mode: FanMode::FanIn,
        },
        4,
    );
    let net = m.network().unwrap().clone();
    assert_eq!(net.c, c);
    assert_eq!(net.label, label);
    assert_eq!((net.d, net.e), (3, 1));
    check_diagram(&r, &net);
    assert!(r.diagram.random);
    assert!(r.diagram.source.as_ref().unwrap().text.starts_with(
        "random Kaiming normal (fan_in) network, d = 3, l = 5, seed 4: d = 3, e = 1, l = 5"
    ));
    check_calculator(&r, 3, 1, &[-1.0, 2.0, -3.0]);
    assert_eq!(m.angles(), (2.0, 0.9));
    // The link of this state is the link it was opened from, written canonically.
    let again = link_state(&m);
    assert!(again.link.contains("&yaw=2&pitch=0.9&src=random&d=3&l=5&"));
    let mut m2 = TopologyModel::new();
    assert!(open_link(&mut m2, &again.link).is_empty());
    assert_eq!(m2.readout(), r);
}

#[test]
fn typed_values_change_the_readouts_like_the_core() {
    let mut m = TopologyModel::new();
    for (text, c) in [("0", 0.0), ("-1", -1.0), ("1.55", 1.55), ("−0.05", -0.05)] {
        set(&mut m, "c", text).unwrap();
        assert_eq!(m.c(), c);
        check_quadric(&m.readout(), c);
    }
    set(&mut m, "src", "random").unwrap();
    let r = m.set_group(&[
        ("d", "2"),
        ("l", "8"),
        ("scheme", "kaiming_normal_fan_out"),
        ("seed", " 17 "),
    ]);
    assert!(r.ok, "{r:?}");
    let (c, label) = core_random(
        2,
        8,
        InitScheme::KaimingNormal {
            mode: FanMode::FanOut,
        },
        17,
    );
    assert_eq!(m.network().unwrap().c, c);
    check_diagram(&m.readout(), &m.network().unwrap().clone());
    // "Take them from the Fig. 2b network" computes the same numbers as the diagram.
    assert!(m.take_network().ok);
    check_calculator(&m.readout(), 2, 1, &c);
    assert_eq!(m.settings().floats("cc"), c.as_slice());
    assert_eq!(field(&m.readout().calculator.fields, "components").value, {
        let n = label.len();
        (1u128 << n).to_string()
    });
    // Cases the page's test checks against the command line.
    for (d, e, c) in [
        (2, 1, vec![1.0, -1.0, 0.0]),
        (1, 1, vec![0.5, -0.5, 2.0]),
        (2, 3, vec![1.0, -1.0]),
        (5, 1, vec![1.0; 20]),
    ] {
        let text: Vec<String> = c.iter().map(|x| x.to_string()).collect();
        let r = m.set_group(&[
            ("cd", &d.to_string()),
            ("ce", &e.to_string()),
            ("cc", &text.join(", ")),
        ]);
        assert!(r.ok);
        check_calculator(&m.readout(), d, e, &c);
    }
    m.set_group(&[("cd", "2"), ("ce", "1"), ("cc", "1, 1, -1")]);
    assert_eq!(
        field(&m.readout().calculator.fields, "poly").text,
        "2 + 4t + 2t^2"
    );
    // Turning the quadric: 0.01 rad per pixel, the yaw wrapped, the pitch clamped.
    let (yaw, pitch) = m.angles();
    m.rotate(-80.0, 40.0);
    assert!((m.angles().0 - (yaw - 0.8)).abs() < 1e-12);
    assert!((m.angles().1 - (pitch + 0.4)).abs() < 1e-12);
    m.rotate(1e4, 1e4);
    assert_eq!(m.angles().0, wrap_yaw(yaw - 0.8 + 100.0));
    assert_eq!(m.angles().1, PITCH_MAX);
    m.rotate(0.0, -1e4);
    assert_eq!(m.angles().1, PITCH_MIN);
    assert!(link::parse_link(&link_state(&m).link).rejections.is_empty());
}

#[test]
fn bad_typed_values_are_refused_and_the_previous_value_stays() {
    let mut m = TopologyModel::new();
    set(&mut m, "src", "random").unwrap();
    let before_link = link_state(&m);
    let before = m.readout();
    for (key, text, code) in [
        ("d", "0x10", "not_a_number"),
        ("d", "abc", "not_a_number"),
        ("d", "1e999", "not_finite"),
        ("d", "2.5", "not_whole"),
        ("d", "0.99999999999999999", "not_whole"),
        ("d", "1001", "out_of_range"),
        ("d", "0", "out_of_range"),
        ("d", "", "missing_value"),
        ("l", "65", "out_of_range"),
        ("seed", "9007199254740992", "out_of_range"),
        ("seed", "-1", "out_of_range"),
        ("scheme", "he_normal", "unknown_option"),
        ("src", "left", "unknown_option"),
        ("c", "0.33", "not_a_multiple"),
        ("c", "2.05", "out_of_range"),
        ("c", "NaN", "not_finite"),
        ("cd", "0x10", "not_a_number"),
        ("ce", "1001", "out_of_range"),
        ("cc", "-1, abc, 2", "not_a_number"),
        ("cc", "1, Infinity", "not_finite"),
        ("cc", "1e999", "not_finite"),
        ("cc", "", "missing_value"),
        ("yaw", "4", "out_of_range"),
        ("pitch", "0", "out_of_range"),
    ] {
        let r = set(&mut m, key, text).unwrap_err();
        assert_eq!(r.key, key);
        assert_eq!(r.reason.code(), code, "{key} = {text:?}: {}", r.message);
        assert!(r.message.contains("is still in use"), "{}", r.message);
        assert_eq!(link_state(&m), before_link, "{key} = {text:?}");
        assert_eq!(m.readout(), before, "{key} = {text:?}");
        // The same refusal inside a group refuses the whole group.
        let other = if key == "cd" { "ce" } else { "cd" };
        let g = m.set_group(&[(other, "7"), (key, text)]);
        assert!(!g.ok);
        assert_eq!(g.rejections.len(), 1);
        assert_eq!(g.rejections[0].reason.code(), code);
        assert_eq!(link_state(&m), before_link);
    }
    let list = vec!["1"; 301].join(",");
    let r = set(&mut m, "cc", &list).unwrap_err();
    assert_eq!(r.reason.code(), "list_length");
    // The message names the bad entry of a list.
    let g = m.set_group(&[("cc", "-1, abc, 2")]);
    assert!(
        g.rejections[0]
            .message
            .contains("entry 2 (\"abc\") is not a number"),
        "{}",
        g.rejections[0].message
    );
    assert!(
        g.rejections[0]
            .message
            .contains("The previous value -1, -1.5 is still in use")
    );
    assert_eq!(link_state(&m), before_link);
}

#[test]
fn exports_are_written_by_the_model() {
    let mut m = TopologyModel::new();
    open_link(&mut m, "#topology?v=1&c=-1&src=random&l=3&seed=2");
    assert_eq!(m.file_name(Part::Quadric), "fig2a-quadric-cminus1.00");
    assert_eq!(m.file_name(Part::Network), "fig2b-network.json");
    let calc: serde_json::Value = serde_json::from_str(&m.json(Part::Calculator).unwrap()).unwrap();
    assert_eq!(calc["format"], "relu-obstruction-export");
    assert_eq!(calc["view"], "topology");
    assert_eq!(calc["figure"], "calculator");
    assert_eq!(
        calc["settings"],
        serde_json::json!({"d": 2, "e": 1, "c": [-1.0, -1.5]})
    );
    assert_eq!(calc["summary"]["components"], "4");
    assert_eq!(calc["summary"]["betti"], serde_json::json!(["4"]));
    let net: serde_json::Value = serde_json::from_str(&m.json(Part::Network).unwrap()).unwrap();
    let (c, label) = core_random(2, 3, InitScheme::XavierNormal, 2);
    assert_eq!(net["figure"], "fig2b");
    assert_eq!(net["settings"]["c"], serde_json::json!(c));
    assert_eq!(net["component_label"], serde_json::json!(label));
    assert_eq!(
        net["summary"]["components"],
        topology::connected_components(2, 1, &c)
            .unwrap()
            .to_string()
    );
    assert_eq!(
        m.json(Part::Quadric).unwrap_err().to_string(),
        "quadric is a chart: save it as PNG or SVG"
    );
    assert!(Part::parse("nope").is_err());
    // The page prints one section at a time: the same records as the whole readout.
    let r = m.readout();
    assert_eq!(
        m.section("calculator").unwrap(),
        Section::Calculator(r.calculator)
    );
    assert_eq!(m.section("quadric").unwrap(), Section::Quadric(r.quadric));
    assert_eq!(m.section("diagram").unwrap(), Section::Diagram(r.diagram));
    assert!(m.section("betti").is_err());
}

#[test]
fn every_topology_link_fixture_opens_cleanly() {
    for name in ["v0.txt", "v1.txt"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/links")
            .join(name);
        let text = std::fs::read_to_string(path).unwrap();
        let links: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("link "))
            .filter(|l| l.starts_with("#topology"))
            .collect();
        assert!(!links.is_empty(), "{name}");
        for l in links {
            let parsed = link::parse_link(l);
            let mut m = TopologyModel::new();
            let rejections = open_link(&mut m, l);
            assert_eq!(rejections, parsed.rejections, "{l}");
            assert_eq!(m.settings().values(), &parsed.values, "{l}");
            assert_eq!(link_state(&m).link, parsed.to_link(), "{l}");
            assert!(m.readout().calculator.fields.len() == 6);
        }
    }
    // A link of another view changes nothing.
    let mut m = TopologyModel::new();
    let before = link_state(&m);
    assert_eq!(open_link(&mut m, "#fig3?v=1&seed=3").len(), 1);
    assert_eq!(link_state(&m), before);
    assert_eq!(m.view(), View::Topology);
}

/// Issue 12: for d = 1 the Fig. 2b title and text said l− (and 2^l−) while the diagram drew
/// 2^(l+ + l−) cells. The title, the counting rule and the caption now say the same number,
/// counted here from the signs of c (every c_k ≠ 0 gives a neuron with two pieces when d = 1).
#[test]
fn d1_text_title_and_diagram_count_the_same_components() {
    use relu_obstruction::app::topology::D1_COMPONENTS;
    let mut m = TopologyModel::new();
    assert!(open_link(&mut m, "#topology?v=1&src=random&d=1&l=5").is_empty());
    let r = m.readout().diagram;
    let c: Vec<f64> = serde_json::from_str(&r.source_data["c"]).unwrap();
    let (plus, minus) = (
        c.iter().filter(|x| **x > 0.0).count(),
        c.iter().filter(|x| **x < 0.0).count(),
    );
    let components = 1u128 << (plus + minus);
    assert_eq!(r.caption_data["components"], components.to_string());
    assert_eq!(r.caption_data["cells"], components.to_string());
    let title = r.title.unwrap();
    assert!(
        title.contains(&format!("l+ = {plus}")) && title.contains(&format!("l− = {minus}")),
        "{title}"
    );
    assert_eq!(r.rule.unwrap().text, D1_COMPONENTS);
    assert!(D1_COMPONENTS.contains("2^(l+ + l−)") && D1_COMPONENTS.contains("our derivation"));
    let source = r.source.unwrap().text;
    assert!(
        source.contains(&format!("l+ = {plus} with the sign of w_k frozen")),
        "{source}"
    );
    // d = 2: the rule is the paper's 2^l−.
    assert!(open_link(&mut m, "#topology?v=1&src=random&d=2&l=5").is_empty());
    let r = m.readout().diagram;
    let rule = r.rule.unwrap().text;
    assert!(
        rule.contains(&format!("= {} components", r.caption_data["components"])),
        "{rule}"
    );
}
