//! The `obstruction` command line: JSON shapes, the paper's claims end to end, and bad arguments.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_obstruction"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn json(args: &[&str]) -> Value {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON value")
}

fn f(v: &Value) -> f64 {
    v.as_f64().expect("a number")
}

#[test]
fn topology_prints_betti_components_and_pathological_indices() {
    let v = json(&["topology", "--d", "2", "--e", "1", "--c", "1,-1,-0.5,0"]);
    // (1 + t)(2)(2)(1) = 4 + 4t.
    assert_eq!(v["betti"], serde_json::json!([4, 4]));
    assert_eq!(v["components"], 4);
    assert_eq!(v["effective_components"], 3);
    assert_eq!(v["pathological"], serde_json::json!([1, 2]));
}

#[test]
fn probability_prints_the_closed_form_and_a_monte_carlo_check() {
    let v = json(&["probability", "--init", "xavier", "--d", "2", "--l", "2"]);
    let p = 1.0 - (3.0f64 / 7.0).sqrt();
    assert!((f(&v["p"]) - p).abs() < 1e-12);
    assert!((f(&v["p_disconnected"]) - (1.0 - (1.0 - p) * (1.0 - p))).abs() < 1e-12);
    assert!((f(&v["expected_components"]) - (1.0 + p) * (1.0 + p)).abs() < 1e-12);
    assert!((f(&v["expected_effective_components"]) - (1.0 + 2.0 * p)).abs() < 1e-12);
    assert!(v.get("p_mc").is_none());
    let v = json(&[
        "probability",
        "--init",
        "kaiming",
        "--d",
        "3",
        "--l",
        "5",
        "--mc",
        "100000",
        "--seed",
        "4",
    ]);
    assert!((f(&v["p"]) - f(&v["p_mc"])).abs() < 4.0 * f(&v["p_mc_stderr"]));
    let v = json(&[
        "probability",
        "--init",
        "xavier_uniform",
        "--d",
        "2",
        "--l",
        "2",
        "--mc",
        "20000",
    ]);
    assert!(f(&v["p_mc"]) > 0.0 && f(&v["p"]) == f(&v["p_mc"]));
}

#[test]
fn train_shows_the_obstruction_of_fig3() {
    let bad = json(&["train", "--preset", "fig3-obstructed-pp", "--steps", "500"]);
    let good = json(&["train", "--preset", "fig3-good-pm", "--steps", "500"]);
    let loss = |v: &Value| {
        v["loss"]
            .as_array()
            .unwrap()
            .iter()
            .map(f)
            .collect::<Vec<_>>()
    };
    assert_eq!(loss(&bad).len(), 500);
    assert!(*loss(&bad).last().unwrap() > 0.1);
    assert!(*loss(&good).last().unwrap() < 1e-3);
    assert_eq!(bad["component_label"], serde_json::json!([1, 1]));
    assert_eq!(good["component_label"], serde_json::json!([1, -1]));
    assert_eq!(bad["components"], 4);
    assert_eq!(bad["verdict"]["obstructed"], true);
    assert_eq!(good["verdict"]["obstructed"], false);
    assert_eq!(bad["sheet_jumps"], 0);
    for v in [&bad, &good] {
        for c in v["c_initial"].as_array().unwrap() {
            assert!((f(c) + 1.0).abs() < 1e-12);
        }
        assert!(f(&v["max_c_drift"]) > 1e-4, "GD at η = 0.05 drifts visibly");
    }
}

#[test]
fn train_integrators_bound_the_drift() {
    let v = json(&[
        "train",
        "--preset",
        "fig3-obstructed-mm",
        "--integrator",
        "conserving",
    ]);
    assert!(f(&v["max_c_drift"]) <= 1e-12);
    let v = json(&[
        "train",
        "--preset",
        "fig3-good-nonpathological",
        "--integrator",
        "flow",
    ]);
    assert!(f(&v["max_c_drift"]) <= 1e-6);
    // Same seed, same run; another seed, another run.
    let a = json(&[
        "train",
        "--preset",
        "fig3-good-pm",
        "--steps",
        "20",
        "--seed",
        "3",
    ]);
    let b = json(&[
        "train",
        "--preset",
        "fig3-good-pm",
        "--steps",
        "20",
        "--seed",
        "3",
    ]);
    let c = json(&[
        "train",
        "--preset",
        "fig3-good-pm",
        "--steps",
        "20",
        "--seed",
        "4",
    ]);
    assert_eq!(a["loss"], b["loss"]);
    assert_ne!(a["loss"], c["loss"]);
}

#[test]
fn sweep_shows_that_non_pathological_neurons_matter() {
    let v = json(&[
        "sweep", "--widths", "1,2,4", "--seeds", "2", "--steps", "300",
    ]);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2 + 3 + 5);
    for width in [2u64, 4] {
        let at = |lp: u64| {
            rows.iter()
                .find(|r| r["l"] == width && r["l_plus"] == lp)
                .map(|r| f(&r["mean_test_bce"]))
                .unwrap()
        };
        // l+ = 0 forces f ≤ 0: the classifier cannot say "benign" with confidence.
        assert!(at(0) > 0.3, "l = {width}: {}", at(0));
        for lp in 2..=width {
            assert!(
                at(lp) < at(0) - 0.15,
                "l = {width}, l+ = {lp}: {} vs {}",
                at(lp),
                at(0)
            );
        }
    }
}

#[test]
fn bad_arguments_get_one_line_and_exit_code_2() {
    for args in [
        vec![],
        vec!["frobnicate"],
        vec!["topology", "--d", "2", "--e", "1"],
        vec!["topology", "--d", "0", "--e", "1", "--c", "1"],
        vec!["topology", "--d", "two", "--e", "1", "--c", "1"],
        vec!["topology", "--d", "2", "--e", "1", "--c", "1,nan"],
        vec!["topology", "--d", "2", "--e", "1", "--c", "1", "--c", "2"],
        vec!["probability", "--init", "glorot", "--d", "2", "--l", "2"],
        vec![
            "probability",
            "--init",
            "xavier_uniform",
            "--d",
            "2",
            "--l",
            "2",
        ],
        vec![
            "probability",
            "--init",
            "xavier",
            "--d",
            "2",
            "--l",
            "2",
            "--mc",
            "0",
        ],
        vec!["train", "--preset", "fig9"],
        vec!["train", "--preset", "fig3-good-pm", "--lr", "-1"],
        vec!["train", "--preset", "fig3-good-pm", "--lr", "inf"],
        vec!["train", "--preset", "fig3-good-pm", "--integrator", "euler"],
        vec!["train", "--preset", "fig3-good-pm", "--steps", "-5"],
        vec!["train", "--preset", "fig4", "--l", "4", "--l-plus", "5"],
        vec!["sweep", "--widths", "1,x", "--seeds", "1", "--steps", "1"],
        vec!["sweep", "--widths", "1", "--seeds", "0", "--steps", "1"],
        vec![
            "topology", "--d", "2", "--e", "1", "--c", "1", "--bogus", "3",
        ],
    ] {
        let out = run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn divergence_exits_1_with_a_message_and_the_partial_run() {
    let out = run(&[
        "train",
        "--preset",
        "fig3-good-pm",
        "--lr",
        "10",
        "--steps",
        "1000",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("diverged"), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["error"].as_str().unwrap().contains("diverged"));
    assert!(v["loss"].as_array().unwrap().len() < 1000);
}
