//! The Fig. 1b view model driven as the page drives it: a link replayed, then `set` calls and the
//! view's actions, its readouts compared with an independent computation.
//!
//! The reference: on the view's data (x_i = i/20, i = 1..40, all positive, y = x) a neuron with
//! w > 0 is the linear map x ↦ (w v) x, so L = ½ m₂ (w v − 1)² with m₂ = mean x_i²,
//! ∂L/∂w = m₂ (w v − 1) v, ∂L/∂v = m₂ (w v − 1) w, f(x) = w v x, and gradient descent is
//! (w, v) ↦ (w − η ∂L/∂w, v − η ∂L/∂v), written out here by hand. The gradient-flow run is
//! compared with the core's trainer built directly.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use relu_obstruction::app::fig1b::{Fig1bModel, Fig1bReadout, GOOD_START, PATHOLOGICAL_START};
use relu_obstruction::app::format;
use relu_obstruction::app::link::FIG1B_MAX_REPLAY;
use relu_obstruction::app::single_neuron::teacher;
use relu_obstruction::app::view::{ViewModel, controls, link_state, open_link, set};
use relu_obstruction::core::network::{Architecture, Network};
use relu_obstruction::core::train::{Integrator, Trainer};

fn m2() -> f64 {
    (1..=40).map(|i| (i as f64 / 20.0).powi(2)).sum::<f64>() / 40.0
}

/// (w, v) after `steps` steps of gradient descent on the closed-form loss.
fn gd(mut w: f64, mut v: f64, lr: f64, steps: u64) -> (f64, f64) {
    let m2 = m2();
    for _ in 0..steps {
        if w <= 0.0 {
            break; // silent: ∇L = 0
        }
        let r = w * v - 1.0;
        let (gw, gv) = (m2 * r * v, m2 * r * w);
        w -= lr * gw;
        v -= lr * gv;
    }
    (w, v)
}

fn value(r: &Fig1bReadout, key: &str) -> f64 {
    let f = r
        .fields
        .iter()
        .find(|f| f.key == key)
        .unwrap_or_else(|| panic!("no field {key}"));
    f.value.parse().unwrap()
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-9 * (1.0 + b.abs()),
        "{what}: {a} vs the reference {b}"
    );
}

/// Every readout of `r` against the closed form at (w, v) reached from (w0, v0) after `steps`.
fn check_against_closed_form(r: &Fig1bReadout, start: (f64, f64), lr: f64, steps: u64) {
    let (w, v) = gd(start.0, start.1, lr, steps);
    let m2 = m2();
    assert_eq!(value(r, "step"), steps as f64);
    close(value(r, "w"), w, "w");
    close(value(r, "v"), v, "v");
    let c0 = start.0 * start.0 - start.1 * start.1;
    close(value(r, "c_initial"), c0, "c at the start");
    close(value(r, "c"), w * w - v * v, "c");
    close(value(r, "c_drift"), w * w - v * v - c0, "drift");
    close(value(r, "product"), w * v, "w·v");
    let (loss, gw, gv) = if w > 0.0 {
        let res = w * v - 1.0;
        (0.5 * m2 * res * res, m2 * res * v, m2 * res * w)
    } else {
        (0.5 * m2, 0.0, 0.0)
    };
    close(value(r, "loss"), loss, "loss");
    close(value(r, "grad_w"), gw, "∂L/∂w");
    close(value(r, "grad_v"), gv, "∂L/∂v");
    for (key, x) in [("f0", 0.5), ("f1", 1.0), ("f2", 2.0)] {
        close(value(r, key), if w > 0.0 { w * v * x } else { 0.0 }, key);
    }
    // Every text is the page's formatter applied to the exact value.
    for f in &r.fields {
        let x: f64 = f.value.parse().unwrap();
        let want = if f.key == "step" {
            format!("{x}")
        } else {
            format::number(x)
        };
        assert_eq!(f.text, want, "{}", f.key);
    }
}

#[test]
fn the_defaults_are_the_link_schemas_and_the_good_start() {
    let mut m = Fig1bModel::new();
    let r = m.readout();
    check_against_closed_form(&r, GOOD_START, 0.01, 0);
    assert_eq!(r.kind, "reachable");
    assert_eq!(r.verdict.tone, "ok");
    assert_eq!(
        link_state(&m).link,
        "#fig1b?v=1&lr=0.01&int=gd&speed=1&w0=2&v0=-0.5&alpha=2&step=0"
    );
    let keys: Vec<&str> = controls(&m).iter().map(|c| c.key).collect();
    assert_eq!(keys, ["lr", "int", "speed", "w0", "v0", "alpha", "step"]);
}

#[test]
fn a_link_then_typed_settings_give_the_closed_form_readouts() {
    let mut m = Fig1bModel::new();
    let link = "#fig1b?v=1&lr=0.05&int=gd&speed=3&w0=1.5&v0=0.25&alpha=2&step=40";
    assert!(open_link(&mut m, link).is_empty());
    check_against_closed_form(&m.readout(), (1.5, 0.25), 0.05, 40);
    assert_eq!(link_state(&m).link, link);

    // A new learning rate restarts from the start; steps per frame take effect at once.
    let change = set(&mut m, "lr", "0.02").unwrap();
    assert!(change.changed && change.restarted);
    check_against_closed_form(&m.readout(), (1.5, 0.25), 0.02, 0);
    set(&mut m, "speed", "4").unwrap();
    m.step_frame();
    m.step_frame();
    m.step(1);
    check_against_closed_form(&m.readout(), (1.5, 0.25), 0.02, 9);
    assert_eq!(
        link_state(&m).link,
        "#fig1b?v=1&lr=0.02&int=gd&speed=4&w0=1.5&v0=0.25&alpha=2&step=9"
    );

    // A typed start waits for "Start here"; the link keeps the start of the run shown.
    set(&mut m, "w0", "−0.75").unwrap();
    set(&mut m, "v0", "1.25").unwrap();
    assert!(link_state(&m).link.contains("&w0=1.5&v0=0.25&"));
    assert!(m.start_here().ok);
    let r = m.readout();
    check_against_closed_form(&r, (-0.75, 1.25), 0.02, 0);
    assert_eq!(r.kind, "silent");
    m.step(5);
    check_against_closed_form(&m.readout(), (-0.75, 1.25), 0.02, 5);

    // The buttons' starts.
    m.pathological_start();
    let r = m.readout();
    check_against_closed_form(&r, PATHOLOGICAL_START, 0.02, 0);
    assert_eq!(r.kind, "frozen_negative_output");
    assert!(r.verdict.text.contains("v can never change sign"));
    m.step(300);
    let r = m.readout();
    check_against_closed_form(&r, PATHOLOGICAL_START, 0.02, 300);
    assert!(value(&r, "v") < -1.0 && value(&r, "loss") > 0.5);
    m.good_start();
    check_against_closed_form(&m.readout(), GOOD_START, 0.02, 0);

    // The link of this state opens to the same readouts.
    m.step(17);
    let mut other = Fig1bModel::new();
    assert!(open_link(&mut other, &link_state(&m).link).is_empty());
    assert_eq!(other.readout(), m.readout());
}

#[test]
fn bad_text_is_refused_and_the_previous_value_stays_in_force() {
    let mut m = Fig1bModel::new();
    open_link(&mut m, "#fig1b?v=1&lr=0.01&speed=5&step=3");
    let settings = m.settings().clone();
    let link = link_state(&m).link;
    let readout = m.readout();
    for (key, text, code) in [
        ("lr", "0x10", "not_a_number"),
        ("lr", "abc", "not_a_number"),
        ("lr", "1e999", "not_finite"),
        ("lr", "-0.1", "out_of_range"),
        ("lr", "0", "out_of_range"),
        ("lr", "1001", "out_of_range"),
        ("lr", "", "missing_value"),
        ("int", "euler", "unknown_option"),
        ("speed", "0.99999999999999999", "not_whole"),
        ("speed", "2.5", "not_whole"),
        ("speed", "0", "out_of_range"),
        ("speed", "501", "out_of_range"),
        ("speed", "0x10", "not_a_number"),
        ("w0", "7", "out_of_range"),
        ("w0", "NaN", "not_finite"),
        ("v0", "-3.5", "out_of_range"),
        ("alpha", "0", "out_of_range"),
        ("alpha", "-1", "out_of_range"),
        ("alpha", "abc", "not_a_number"),
        ("step", "1.5", "not_whole"),
        ("step", "20001", "out_of_range"),
    ] {
        let rejection = set(&mut m, key, text).expect_err(text);
        assert_eq!(
            (rejection.key.as_str(), rejection.reason.code()),
            (key, code),
            "{key} = {text:?}: {}",
            rejection.message
        );
        assert!(
            rejection.message.contains("is still in use"),
            "{}",
            rejection.message
        );
        assert_eq!(m.settings(), &settings, "{key} = {text:?}");
        assert_eq!(link_state(&m).link, link, "{key} = {text:?}");
        assert_eq!(m.readout(), readout, "{key} = {text:?}");
    }
    // The known bug: `0x10` used to be read as 16.
    let r = set(&mut m, "lr", "0x10").unwrap_err();
    assert_eq!(
        r.message,
        "learning rate η \"0x10\": not a number. The previous value 0.01 is still in use."
    );
    assert!(link_state(&m).link.contains("lr=0.01&"));
    assert_eq!(m.run().trainer().lr(), 0.01);
}

#[test]
fn a_rescaling_moves_c_and_keeps_the_function() {
    let mut m = Fig1bModel::new();
    m.step(3);
    let (w, v) = gd(GOOD_START.0, GOOD_START.1, 0.01, 3);
    let before = m.readout();
    set(&mut m, "alpha", "1.25").unwrap();
    let out = m.rescale();
    assert_eq!(
        out.message,
        "Rescaled by α = 1.25: same function, same loss, new c (the run restarts from here)."
    );
    let r = m.readout();
    close(value(&r, "w"), 1.25 * w, "w");
    close(value(&r, "v"), v / 1.25, "v");
    close(
        value(&r, "c"),
        1.5625 * w * w - v * v / 1.5625,
        "c = α²w² − v²/α²",
    );
    assert_eq!(value(&r, "step"), 0.0);
    for key in ["loss", "f0", "f1", "f2", "product"] {
        let text = |r: &Fig1bReadout| r.fields.iter().find(|f| f.key == key).unwrap().text.clone();
        assert_eq!(text(&r), text(&before), "{key}");
    }
    assert_eq!(m.settings().float("w0"), 1.25 * w);
    assert!(
        link_state(&m)
            .link
            .contains(&format!("&w0={:?}&", 1.25 * w))
    );
    // A factor that leaves the window is refused, the state stays.
    set(&mut m, "alpha", "100").unwrap();
    let out = m.rescale();
    let rejection = out.rejection.unwrap();
    assert_eq!(
        (rejection.key.as_str(), rejection.reason.code()),
        ("alpha", "out_of_range")
    );
    assert!(out.message.starts_with("Rescaling refused: α = 100"));
    assert_eq!(m.readout(), r);
}

#[test]
fn the_flow_follows_the_cores_trainer() {
    let mut m = Fig1bModel::new();
    assert!(set(&mut m, "int", "flow").unwrap().restarted);
    m.step(25);
    let net = Network::from_params(Architecture::new(1, 1, 1), vec![2.0, -0.5]).unwrap();
    let mut t = Trainer::new(net, &teacher(), 0.01, Integrator::Flow).unwrap();
    for _ in 0..25 {
        t.step().unwrap();
    }
    let r = m.readout();
    assert_eq!(value(&r, "w"), t.params()[0]);
    assert_eq!(value(&r, "v"), t.params()[1]);
    assert!(value(&r, "c_drift").abs() < 1e-9);
}

#[test]
fn keys_and_links_of_every_version() {
    let mut m = Fig1bModel::new();
    assert!(m.key("ArrowRight", false).ok);
    assert!(m.key("ArrowUp", false).ok);
    let r = m.readout();
    close(value(&r, "w"), 2.05, "w");
    close(value(&r, "v"), -0.45, "v");
    // Version 0 opens at the defaults, the v1 fixture exactly as written.
    assert!(open_link(&mut m, "#fig1b").is_empty());
    assert_eq!(m.run().start(), GOOD_START);
    assert_eq!(m.readout().fields, Fig1bModel::new().readout().fields);
    let v1 = "#fig1b?v=1&lr=0.2&int=conserving&speed=500&w0=0.5&v0=-1.5&alpha=0.25&step=100";
    assert!(open_link(&mut m, v1).is_empty());
    assert_eq!(link_state(&m).link, v1);
    assert_eq!(m.run().start(), (0.5, -1.5));
    assert_eq!(m.run().trainer().integrator(), Integrator::Conserving);
    // Bad pieces fall back to the defaults.
    let rejected = open_link(&mut m, "#fig1b?v=1&w0=3.5&alpha=-2");
    let codes: Vec<_> = rejected
        .iter()
        .map(|r| (r.key.as_str(), r.reason.code()))
        .collect();
    assert_eq!(codes, [("w0", "out_of_range"), ("alpha", "out_of_range")]);
    assert_eq!(m.run().start(), GOOD_START);
    assert_eq!(m.settings().float("alpha"), 2.0);
}

#[test]
fn a_run_longer_than_a_link_replays_says_so() {
    let mut m = Fig1bModel::new();
    let mut todo = FIG1B_MAX_REPLAY + 5;
    while todo > 0 {
        let n = todo.min(10_000);
        m.step(n as u32);
        todo -= n;
    }
    let state = link_state(&m);
    assert!(state.link.ends_with(&format!("&step={FIG1B_MAX_REPLAY}")));
    assert!(state.note.unwrap().contains("20005"));
}
