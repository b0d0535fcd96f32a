//! `obstruction train --weights FILE --data FILE.csv`: the lab's run on the command line, checked
//! against gradient descent written out here, and its refusals (exit 2, message on stderr).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_obstruction"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn files(tag: &str, weights: &str, csv: &str) -> (String, String) {
    let dir = std::env::temp_dir().join(format!("relu-cli-lab-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let w = dir.join("w.json");
    let d = dir.join("d.csv");
    std::fs::write(&w, weights).unwrap();
    std::fs::write(&d, csv).unwrap();
    (w.to_string_lossy().into(), d.to_string_lossy().into())
}

const X: [[f64; 2]; 4] = [[1.0, 2.0], [-1.0, 0.5], [0.3, -1.0], [2.0, 1.0]];
const Y: [f64; 4] = [1.0, 0.0, 0.5, 2.0];

/// ½·MSE gradient descent on f(x) = Σ_k v_k relu(w_k·x), written plainly.
fn reference_gd(mut w: [[f64; 2]; 2], mut v: [f64; 2], lr: f64, steps: usize) -> Vec<f64> {
    for _ in 0..steps {
        let mut gw = [[0.0; 2]; 2];
        let mut gv = [0.0; 2];
        for (x, y) in X.iter().zip(Y) {
            let z = [
                w[0][0] * x[0] + w[0][1] * x[1],
                w[1][0] * x[0] + w[1][1] * x[1],
            ];
            let h = [z[0].max(0.0), z[1].max(0.0)];
            let r = v[0] * h[0] + v[1] * h[1] - y;
            for k in 0..2 {
                gv[k] += r * h[k] / 4.0;
                if z[k] > 0.0 {
                    gw[k][0] += r * v[k] * x[0] / 4.0;
                    gw[k][1] += r * v[k] * x[1] / 4.0;
                }
            }
        }
        for k in 0..2 {
            v[k] -= lr * gv[k];
            w[k][0] -= lr * gw[k][0];
            w[k][1] -= lr * gw[k][1];
        }
    }
    vec![w[0][0], w[0][1], w[1][0], w[1][1], v[0], v[1]]
}

fn csv() -> String {
    let mut s = String::from("x1,x2,y\n");
    for (x, y) in X.iter().zip(Y) {
        s.push_str(&format!("{},{},{}\n", x[0], x[1], y));
    }
    s
}

#[test]
fn train_weights_takes_the_gradient_steps_written_out_here() {
    let (w, d) = files(
        "gd",
        r#"{"W": [[1.0, 0.5], [-0.5, 1.0]], "v": [[0.3, -2.0]]}"#,
        &csv(),
    );
    let out = run(&[
        "train",
        "--weights",
        &w,
        "--data",
        &d,
        "--steps",
        "5",
        "--lr",
        "0.1",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected = reference_gd([[1.0, 0.5], [-0.5, 1.0]], [0.3, -2.0], 0.1, 5);
    let got: Vec<f64> = v["theta_final"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    for (a, b) in got.iter().zip(&expected) {
        assert!((a - b).abs() < 1e-13, "{got:?} vs {expected:?}");
    }
    // The final weights file holds the same numbers in nn.Linear shapes.
    let wf = &v["weights_final"];
    assert_eq!(wf["W"][1][0].as_f64().unwrap(), got[2]);
    assert_eq!(wf["v"][0][1].as_f64().unwrap(), got[5]);
    // c_2 = 0.25 + 1 − 4 < 0: neuron 2 is pathological; GD with a small step does not let it escape.
    assert_eq!(v["pathological"], serde_json::json!([2]));
    assert_eq!(v["escapes"], serde_json::json!([]));
    assert_eq!(v["c_initial"][1].as_f64().unwrap(), 0.25 + 1.0 - 4.0);
    assert_eq!(v["steps"], 5);
}

#[test]
fn train_weights_reports_escapes_under_softplus() {
    // One neuron, c < 0 with v < 0, on a target that wants a positive term.
    let mut s = String::new();
    for i in 1..=20 {
        let x = f64::from(i) / 10.0;
        s.push_str(&format!("{x},{x}\n"));
    }
    let (w, d) = files("esc", r#"{"W": [[0.5]], "v": [[-1.0]]}"#, &s);
    let out = run(&[
        "train",
        "--weights",
        &w,
        "--data",
        &d,
        "--steps",
        "100",
        "--lr",
        "0.1",
        "--activation",
        "softplus",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let esc = v["escapes"].as_array().unwrap();
    assert_eq!(esc.len(), 1);
    assert_eq!(esc[0]["neuron"], 1);
    let relu = run(&[
        "train",
        "--weights",
        &w,
        "--data",
        &d,
        "--steps",
        "100",
        "--lr",
        "0.1",
    ]);
    let v: Value = serde_json::from_slice(&relu.stdout).unwrap();
    assert_eq!(v["escapes"], serde_json::json!([]));
}

#[test]
fn train_weights_refuses_bad_input_with_exit_2() {
    let (w, d) = files(
        "bad",
        r#"{"W": [[1.0, 0.5]], "v": [[0.3]]}"#,
        "1,2,3\n4,NaN,6\n",
    );
    let (_, good) = files("good", "{}", "1,2,3\n4,5,6\n");
    for (data, args, needle) in [
        (&d, vec!["--steps", "3", "--lr", "0.1"], "Line 2, column 2"),
        (&good, vec!["--steps", "3", "--lr", "0x10"], "0x10"),
    ] {
        let mut all = vec!["train", "--weights", w.as_str(), "--data", data.as_str()];
        all.extend(args);
        let out = run(&all);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{err}");
    }
    let (w2, d2) = files("bad2", "not json", "1,2,3\n");
    let out = run(&[
        "train",
        "--weights",
        &w2,
        "--data",
        &d2,
        "--steps",
        "1",
        "--lr",
        "0.1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("JSON"));
    let out = run(&[
        "train",
        "--weights",
        &w,
        "--data",
        &d2,
        "--steps",
        "1",
        "--lr",
        "0.1",
        "--momentum",
        "0.5",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn topology_prints_counts_beyond_64_bits_as_powers_of_two() {
    // 70 pathological neurons: 2^70 components (more than a JSON number holds exactly).
    let c = vec!["-1"; 70].join(",");
    let out = run(&["topology", "--d", "2", "--e", "1", "--c", &c]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["components"], "2^70");
    assert_eq!(v["effective_components"], 71);
}
