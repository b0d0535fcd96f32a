//! The lab's view model natively: the check against the topology module, a run that stops at its
//! length, a link that replays bit for bit, files refused with the previous network kept,
//! rebalancing that keeps the function, a session that round-trips, and work that stays in small
//! slices for a large network.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use relu_obstruction::app::lab::LabModel;
use relu_obstruction::app::view::{link_state, open_link, set};
use relu_obstruction::core::topology::{connected_components, sign_counts};

fn field(fields: &[relu_obstruction::app::view::Field], key: &str) -> String {
    fields
        .iter()
        .find(|f| f.key == key)
        .unwrap_or_else(|| panic!("no field {key}"))
        .value
        .clone()
}

fn ready() -> LabModel {
    let mut m = LabModel::new();
    m.settle();
    m
}

#[test]
fn the_check_counts_what_the_topology_module_counts() {
    let m = ready();
    let (c, _, _) = m.conserved();
    let r = m.readout();
    let (pos, zero, neg) = sign_counts(&c);
    assert_eq!(field(&r.check, "l_plus"), pos.to_string());
    assert_eq!(field(&r.check, "l_minus"), neg.to_string());
    assert_eq!(field(&r.check, "l_zero"), zero.to_string());
    assert_eq!(
        field(&r.check, "components"),
        connected_components(2, 1, &c).unwrap().to_string()
    );
    assert_eq!(
        r.neurons
            .iter()
            .filter(|n| n.kind == "pathological")
            .count(),
        neg
    );
}

#[test]
fn playing_runs_to_the_run_length_and_stops() {
    let mut m = ready();
    set(&mut m, "steps", "150").unwrap();
    set(&mut m, "speed", "1000").unwrap();
    m.set_playing(true);
    for _ in 0..100 {
        m.begin_frame();
        while m.work() {}
        if !m.playing() {
            break;
        }
    }
    let r = m.readout();
    assert!(!m.playing());
    assert_eq!(r.step, 150);
    assert!(r.finished);
    assert!(r.status.expect("a sentence").text.contains("150"));
    // The steps-per-frame cap holds: a fresh run at speed 7 takes 7 steps in one frame.
    m.reset();
    set(&mut m, "speed", "7").unwrap();
    m.set_playing(true);
    m.begin_frame();
    while m.work() {}
    assert_eq!(m.readout().step, 7);
}

#[test]
fn a_link_replays_the_run_to_the_same_bits() {
    let mut m = ready();
    set(&mut m, "opt", "adam").unwrap();
    set(&mut m, "act", "leaky_relu").unwrap();
    set(&mut m, "wd", "0.01").unwrap();
    m.settle();
    m.step(37);
    let link = link_state(&m);
    assert!(link.link.contains("step=37"), "{}", link.link);
    assert!(link.note.is_none());
    let mut again = LabModel::new();
    assert!(open_link(&mut again, &link.link).is_empty());
    again.settle();
    assert_eq!(again.readout().step, 37);
    assert_eq!(again.final_weights_file(), m.final_weights_file());
}

#[test]
fn a_bad_weights_file_is_refused_and_the_network_kept() {
    let mut m = ready();
    let before = m.weights_file();
    for (text, code) in [
        ("", "empty"),
        ("not json", "not_json"),
        (r#"{"W": [[1, 2], [3]], "v": [[1, 1]]}"#, "shape"),
        (r#"{"W": [[1, NaN]], "v": [[1]]}"#, "not_json"),
    ] {
        let o = m.load_weights("bad.json", text);
        assert!(!o.ok);
        assert_eq!(o.code, code, "{text}: {}", o.message);
        assert!(o.message.contains("previous network"), "{}", o.message);
        assert_eq!(m.weights_file(), before);
    }
    let big = m.weights_size(60.0 * 1024.0 * 1024.0);
    assert!(!big.ok && big.message.contains("16 MB"), "{}", big.message);
}

#[test]
fn the_users_network_and_data_train_and_the_link_says_what_it_lacks() {
    let mut m = ready();
    let o = m.load_weights(
        "mine.json",
        r#"{"W": [[1.0, 0.5, 0.2], [-0.5, 1.0, 0.1]], "v": [[0.3, -2.0]], "b": [0.1, 0.0]}"#,
    );
    assert!(o.ok, "{}", o.message);
    let r = m.readout();
    // c_2 = 0.25 + 1 + 0.01 + 0 − 4 < 0 with the bias in w: pathological, stuck negative.
    assert_eq!(field(&r.check, "l_minus"), "1");
    assert_eq!(r.neurons[1].stuck, "−");
    // The teacher follows the network's d = 3; a CSV with 2 inputs does not fit.
    m.settle();
    assert!(m.readout().can_run);
    let o = m.load_csv("two.csv", b"x1,x2,y\n1,2,3\n4,5,6\n");
    assert!(o.ok, "{}", o.message);
    let r = m.readout();
    assert!(!r.can_run);
    assert!(r.status.expect("why").text.contains("3"));
    let o = m.load_csv("three.csv", b"1,2,3,1\n4,5,6,0\n0,1,0,1\n");
    assert!(o.ok);
    m.settle();
    assert!(m.readout().can_run);
    m.step(5);
    assert_eq!(m.readout().step, 5);
    let note = link_state(&m).note.expect("a note");
    assert!(note.contains("network you brought") && note.contains("CSV"));
}

#[test]
fn rebalancing_keeps_the_outputs_and_connects_h() {
    let mut m = ready();
    let o = m.rebalance();
    assert!(o.ok, "{}", o.message);
    let r = m.readout();
    let rb = r.rebalance.expect("an outcome");
    assert!(rb.max_relative_difference <= 1e-12);
    assert_eq!(rb.components_after, "1");
    assert_eq!(field(&r.check, "components"), "1");
    let (c, _, _) = m.conserved();
    assert!(c.iter().all(|x| x.abs() < 1e-12), "{c:?}");
    // A neuron with zero input weights cannot be rescaled: named by index.
    let o = m.load_weights("z.json", r#"{"W": [[1, 0], [0, 0]], "v": [[1, 1]]}"#);
    assert!(o.ok);
    let before = m.weights_file();
    let o = m.rebalance();
    assert!(!o.ok);
    assert!(o.message.contains('2'), "{}", o.message);
    assert_eq!(m.weights_file(), before);
}

#[test]
fn a_session_round_trips_with_the_users_files() {
    let mut m = ready();
    assert!(
        m.load_weights("w.json", r#"{"W": [[1.5, -0.25]], "v": [[0.75]]}"#)
            .ok
    );
    assert!(m.load_csv("d.csv", b"0.1,0.2,1\n0.3,0.4,0\n").ok);
    set(&mut m, "lr", "0.125").unwrap();
    let saved = m.session();
    let mut other = LabModel::new();
    let (o, rejections) = other.load_session(&saved);
    assert!(o.ok, "{}", o.message);
    assert!(rejections.is_empty(), "{rejections:?}");
    other.settle();
    m.settle();
    assert_eq!(other.weights_file(), m.weights_file());
    assert_eq!(other.session(), saved);
    let (bad, _) = other.load_session("{\"format\": \"something else\"}");
    assert!(!bad.ok);
    assert_eq!(other.session(), saved);
}

#[test]
fn a_large_network_works_in_small_slices() {
    let mut m = LabModel::new();
    set(&mut m, "d", "1000").unwrap();
    set(&mut m, "l", "256").unwrap();
    set(&mut m, "n", "3000").unwrap();
    // Building the data takes several slices, then a step takes many.
    let mut slices = 0;
    while m.readout().progress.starts_with("Building") || !m.readout().can_run {
        assert!(m.work());
        slices += 1;
        assert!(slices < 10_000);
    }
    assert!(slices > 2, "{slices}");
    m.set_playing(true);
    let before = m.revision();
    m.begin_frame();
    assert!(m.work());
    let r = m.readout();
    assert_eq!(r.step, 0);
    assert!(r.progress.contains('%'), "{}", r.progress);
    // Mid-step only the progress line changes: the page need not redraw the rest.
    assert_eq!(m.revision(), before);
    assert_eq!(m.progress(), r.progress);
}
