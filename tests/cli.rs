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

// ---------------------------------------------------------------------------------------------
// Export: `train --from` and `figures --out`

/// A fresh empty directory under the system's temporary directory.
fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("obstruction-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Checks that `text` is well-formed XML (every tag closed in order, attributes quoted) and returns
/// the text content of its `<text>` elements.
fn xml_texts(text: &str) -> Vec<String> {
    let mut stack: Vec<String> = Vec::new();
    let mut texts = Vec::new();
    let mut rest = text.trim_start();
    if let Some(after) = rest.strip_prefix("<?xml") {
        rest = &after[after.find("?>").expect("the XML declaration ends") + 2..];
    }
    let mut content = String::new();
    while let Some(open) = rest.find('<') {
        content.push_str(&rest[..open]);
        rest = &rest[open..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = &after[after.find("-->").expect("a comment ends") + 3..];
            continue;
        }
        let close = rest.find('>').expect("every tag ends");
        let tag = &rest[1..close];
        rest = &rest[close + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let top = stack.pop().expect("a closing tag has an opening one");
            assert_eq!(top, name.trim(), "tags close in order");
            if top == "text" {
                texts.push(content.trim().to_string());
            }
        } else {
            let self_closing = tag.ends_with('/');
            let body = tag.trim_end_matches('/');
            let name = body.split_whitespace().next().expect("a tag has a name");
            // Attribute values are quoted: an even number of quotes.
            assert_eq!(
                body.matches('"').count() % 2,
                0,
                "quoted attributes in <{body}>"
            );
            if !self_closing {
                stack.push(name.to_string());
            }
        }
        content.clear();
    }
    assert!(stack.is_empty(), "unclosed tags: {stack:?}");
    assert!(rest.trim().is_empty(), "text after the root element");
    texts
}

/// The data lines of a CSV (after the `#` comments): the header and the rows.
fn csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    (header, rows)
}

fn comment<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("# {key}=")))
        .unwrap_or_else(|| panic!("no # {key}= line"))
}

#[test]
fn train_from_replays_an_exported_run_exactly() {
    use relu_obstruction::app::export::{RunExport, fig1b_record, fig3_record};
    use relu_obstruction::app::session::{Session, SessionConfig};
    use relu_obstruction::app::single_neuron::NeuronRun;
    use relu_obstruction::core::train::Integrator;

    // Two runs computed here with the library, exported by its own export function.
    let mut top = Session::new(&SessionConfig {
        preset: "fig3-good-pm".into(),
        seed: 5,
        lr: Some(0.04),
        integrator: Some("gd".into()),
    })
    .unwrap();
    top.step(137).unwrap();
    let mut bottom = Session::new(&SessionConfig {
        preset: "fig3-obstructed-mm".into(),
        seed: 11,
        lr: Some(0.05),
        integrator: Some("conserving".into()),
    })
    .unwrap();
    bottom.step(60).unwrap();
    let (top_loss, bottom_loss) = (top.readout().loss, bottom.readout().loss);
    let export = RunExport::new(
        "fig3",
        vec![
            fig3_record("top", &mut top),
            fig3_record("bottom", &mut bottom),
        ],
    );
    let dir = temp_dir("from");
    let file = dir.join("fig3-run.json");
    std::fs::write(&file, export.to_json()).unwrap();
    let v = json(&["train", "--from", file.to_str().unwrap()]);
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(f(&runs[0]["final_loss"]), top_loss);
    assert_eq!(f(&runs[1]["final_loss"]), bottom_loss);
    assert!(runs.iter().all(|r| r["reproduced"] == true));
    assert_eq!(runs[0]["steps"], 137);
    // The same numbers as a plain `train` of those settings (Trainer::run, not the session).
    let plain = json(&[
        "train",
        "--preset",
        "fig3-good-pm",
        "--seed",
        "5",
        "--lr",
        "0.04",
        "--steps",
        "137",
    ]);
    assert_eq!(f(&plain["final_loss"]), top_loss);
    assert_eq!(plain["theta_final"], runs[0]["theta_final"]);

    // A Fig. 1b run replays too.
    let mut neuron = NeuronRun::from_point(0.5, -1.5, 0.02, Integrator::Flow).unwrap();
    neuron.step(40).unwrap();
    let loss = neuron.readout().run.loss;
    let file1b = dir.join("fig1b-run.json");
    std::fs::write(
        &file1b,
        RunExport::new("fig1b", vec![fig1b_record(&mut neuron)]).to_json(),
    )
    .unwrap();
    let v = json(&["train", "--from", file1b.to_str().unwrap()]);
    assert_eq!(f(&v["runs"][0]["final_loss"]), loss);

    // A file whose final state was edited does not reproduce: exit 1, the numbers still printed.
    let mut tampered = export.clone();
    tampered.runs[0].final_state.loss *= 1.0 + 1e-15;
    let bad = dir.join("tampered.json");
    std::fs::write(&bad, tampered.to_json()).unwrap();
    let out = run(&["train", "--from", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["runs"][0]["reproduced"], false);

    // Unreadable, foreign or malformed files: one line, exit 2.
    let foreign = dir.join("foreign.json");
    std::fs::write(
        &foreign,
        r#"{"format":"something-else","version":1,"runs":[]}"#,
    )
    .unwrap();
    let future = dir.join("future.json");
    std::fs::write(
        &future,
        export
            .to_json()
            .replace("\"version\": 1", "\"version\": 99"),
    )
    .unwrap();
    let garbage = dir.join("garbage.json");
    std::fs::write(&garbage, "not json").unwrap();
    let missing = dir.join("missing.json");
    for path in [&foreign, &future, &garbage, &missing] {
        let out = run(&["train", "--from", path.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{path:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
    let out = run(&["train", "--from", file.to_str().unwrap(), "--steps", "3"]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn figures_writes_every_paper_figure_as_svg_with_its_data() {
    let dir = temp_dir("figures");
    let v = json(&["figures", "--out", dir.to_str().unwrap(), "--quick"]);
    let written: Vec<String> = v["written"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["file"].as_str().unwrap().to_string())
        .collect();
    let titles = [
        ("fig1b.svg", "One neuron, d = e = 1: f(x) = v·σ(w·x)"),
        (
            "fig2a-quadric-c1.svg",
            "Q(c), c = 1.00: one-sheeted hyperboloid",
        ),
        ("fig2a-quadric-c0.svg", "Q(c), c = 0.00: double cone"),
        (
            "fig2a-quadric-cminus1.svg",
            "Q(c), c = −1.00: two-sheeted hyperboloid",
        ),
        ("fig2b.svg", "Components of H(c): l− = 2"),
        (
            "fig3-top-quadric-neuron1.svg",
            "neuron 1: c₁ = −1.00 (two sheets)",
        ),
        (
            "fig3-top-quadric-neuron2.svg",
            "neuron 2: c₂ = −1.00 (two sheets)",
        ),
        (
            "fig3-bottom-quadric-neuron1.svg",
            "neuron 1: c₁ = −1.00 (two sheets)",
        ),
        (
            "fig3-bottom-quadric-neuron2.svg",
            "neuron 2: c₂ = −1.00 (two sheets)",
        ),
        ("fig3-loss.svg", "Training loss (Fig. 3c)"),
        ("heatmap-xavier.svg", "Xavier normal: P(obstruction)"),
        ("heatmap-kaiming.svg", "Kaiming normal: P(obstruction)"),
        ("fig4-heatmap.svg", "Mean test BCE by width l and l+"),
        (
            "fig4-curves-lplus.svg",
            "Test BCE against l+ (mean ± std over seeds)",
        ),
        (
            "fig4-curves-percentage.svg",
            "Test BCE against l+/l (mean ± std over seeds)",
        ),
    ];
    for (name, title) in titles {
        let path = dir.join(name);
        assert!(
            written.contains(&path.display().to_string()),
            "{name} listed"
        );
        let texts = xml_texts(&std::fs::read_to_string(&path).unwrap());
        assert!(texts.iter().any(|t| t == title), "{name}: {texts:?}");
    }
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();

    // Fig. 3: one row per step 0..=500; the final loss and every loss equal `obstruction train`.
    for (name, preset) in [
        ("fig3-top-run.csv", "fig3-obstructed-pp"),
        ("fig3-bottom-run.csv", "fig3-good-pm"),
    ] {
        let text = read(name);
        assert_eq!(comment(&text, "preset"), preset);
        assert_eq!(comment(&text, "decimated"), "false");
        let (header, rows) = csv(&text);
        assert_eq!(header[..3], ["step", "loss", "c1"]);
        assert_eq!(rows.len(), 501);
        let train = json(&["train", "--preset", preset, "--steps", "500"]);
        let losses: Vec<f64> = train["loss"].as_array().unwrap().iter().map(f).collect();
        for (t, row) in rows.iter().enumerate() {
            assert_eq!(row[0], t.to_string());
            let loss: f64 = row[1].parse().unwrap();
            if t < 500 {
                assert_eq!(loss, losses[t], "{name} step {t}");
            } else {
                assert_eq!(loss, f(&train["final_loss"]));
            }
        }
        assert_eq!(
            comment(&text, "final_loss").parse::<f64>().unwrap(),
            f(&train["final_loss"])
        );
        // c_k at the end equals the final c of `train` (within rounding of the recomputation).
        let last = rows.last().unwrap();
        for k in 0..2 {
            let c: f64 = last[2 + k].parse().unwrap();
            assert!((c - f(&train["c_final"][k])).abs() < 1e-12);
        }
    }
    // The Fig. 3 JSON replays through `train --from`.
    let v = json(&[
        "train",
        "--from",
        dir.join("fig3-run.json").to_str().unwrap(),
    ]);
    assert!(
        v["runs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["reproduced"] == true)
    );

    // Heatmaps: 50 × 50 cells, P(obstruction) = 1 − (1 − p)^l in each (1 for d = 1).
    for scheme in ["xavier", "kaiming"] {
        let (header, rows) = csv(&read(&format!("heatmap-{scheme}-grid.csv")));
        assert_eq!(header[..4], ["d", "l", "p", "p_obstruction"]);
        assert_eq!(rows.len(), 2500);
        for row in &rows {
            let x: Vec<f64> = row.iter().map(|s| s.parse().unwrap()).collect();
            // For d = 1 every quadric has two pieces whatever the sign of c_k.
            let expected = if x[0] == 1.0 {
                1.0
            } else {
                1.0 - (1.0 - x[2]).powf(x[1])
            };
            assert!((x[3] - expected).abs() < 1e-12, "{row:?}");
        }
    }
    // Fig. 4: the quick sweep's rows equal `obstruction sweep` with the same settings.
    let text = read("fig4-sweep.csv");
    let (_, rows) = csv(&text);
    let sweep = json(&[
        "sweep", "--widths", "1,2,4", "--seeds", "1", "--steps", "100",
    ]);
    let expected = sweep["rows"].as_array().unwrap();
    assert_eq!(rows.len(), expected.len());
    for (row, e) in rows.iter().zip(expected) {
        assert_eq!(row[0], e["l"].to_string());
        assert_eq!(row[1], e["l_plus"].to_string());
        assert_eq!(row[3].parse::<f64>().unwrap(), f(&e["mean_test_bce"]));
    }
    assert!(comment(&text, "reproduce").starts_with("obstruction sweep --widths 1,2,4"));
    // Fig. 1b: one row per step, c drifts little under GD at η = 0.01.
    let (_, rows) = csv(&read("fig1b-run.csv"));
    assert_eq!(rows.len(), 2001);
    // Fig. 2a/2b tables.
    let (_, rows) = csv(&read("fig2a.csv"));
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2][2], "2", "c < 0: two components");
    let fig2b = read("fig2b.csv");
    let labelled: Vec<&str> = fig2b.lines().filter(|l| l.ends_with(",1")).collect();
    assert_eq!(
        labelled,
        vec!["\"(+,+)\",2,1"],
        "the obstructed network is in (+,+)"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn figures_refuses_a_bad_directory_with_one_line_and_exit_2() {
    let dir = temp_dir("figures-bad");
    let file = dir.join("a-file");
    std::fs::write(&file, "x").unwrap();
    let under_file = file.join("sub");
    for args in [
        vec!["figures"],
        vec!["figures", "--out", file.to_str().unwrap()],
        vec!["figures", "--out", under_file.to_str().unwrap()],
        vec!["figures", "--out", dir.to_str().unwrap(), "--bogus"],
        vec![
            "figures",
            "--out",
            dir.to_str().unwrap(),
            "--quick",
            "--quick",
        ],
    ] {
        let out = run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn view_drives_the_tour_with_the_presentation_keys() {
    let v = json(&["view", "#tour?v=1&step=2", "--key", "]", "--press", "next"]);
    assert_eq!(v["view"], "tour");
    assert_eq!(v["readout"]["index"], 4);
    assert_eq!(v["link"]["link"], "#tour?v=1&step=4");
    let v = json(&["view", "#tour?v=1&step=1", "--key", "PageUp"]);
    assert_eq!(v["readout"]["index"], 1);
    assert_eq!(v["readout"]["view"], "fig1b");
    assert!(
        v["readout"]["link"]
            .as_str()
            .unwrap()
            .starts_with("#fig1b?v=1&")
    );
}

// ---------------------------------------------------------------------------------------------
// The lab: `check` and `rebalance` of the user's own weights file

#[test]
fn check_reports_the_topology_of_a_weights_file() {
    let dir = temp_dir("lab-check");
    let path = dir.join("net.json");
    // Neuron 1: c = 1 + 0.25 − 4 < 0 (pathological, v > 0); neuron 2: c = 4 − 1 > 0;
    // neuron 3: c = 0.01 − 0.25 < 0 (pathological, v < 0); neuron 4: c = 9 + 16 − 25 = 0 by hand.
    std::fs::write(
        &path,
        r#"{"W": [[1, 0.5], [0, 2], [0.1, 0], [3, 4]], "v": [[2, 1, -0.5, 5]]}"#,
    )
    .unwrap();
    let v = json(&["check", "--weights", path.to_str().unwrap()]);
    assert_eq!(
        (v["d"].clone(), v["l"].clone(), v["e"].clone()),
        (2.into(), 4.into(), 1.into())
    );
    let c: Vec<f64> = v["c"].as_array().unwrap().iter().map(f).collect();
    assert!((c[0] - (1.25 - 4.0)).abs() < 1e-15 && c[1] == 3.0);
    assert!((c[2] - (0.01 - 0.25)).abs() < 1e-15);
    assert_eq!(c[3], 0.0);
    assert_eq!(v["pathological"], serde_json::json!([1, 3]));
    assert_eq!(v["stuck_signs"], serde_json::json!([1, -1]));
    assert_eq!(
        (&v["l_plus"], &v["l_minus"], &v["l_zero"]),
        (&1.into(), &2.into(), &1.into())
    );
    assert_eq!(v["components"], 4);
    assert_eq!(v["effective_components"], 3);
    assert_eq!(v["component_label"], serde_json::json!([1, -1]));
    assert_eq!(v["connected"], false);
    assert_eq!(v["hidden_bias"], false);
}

#[test]
fn rebalance_prints_a_weights_file_on_c_equal_target() {
    let dir = temp_dir("lab-rebalance");
    let path = dir.join("net.json");
    std::fs::write(
        &path,
        r#"{"W": [[1, 0.5], [0, 2]], "v": [[2, -1]], "b": [0.3, -0.2], "b_out": [0.7]}"#,
    )
    .unwrap();
    let p = path.to_str().unwrap();
    for (target, args) in [
        (0.0, vec!["rebalance", "--weights", p]),
        (-0.5, vec!["rebalance", "--weights", p, "--target", "-0.5"]),
    ] {
        let out = run(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
        let w = v["W"].as_array().unwrap();
        let vv = v["v"][0].as_array().unwrap();
        let b = v["b"].as_array().unwrap();
        assert_eq!(v["b_out"], serde_json::json!([0.7]));
        let (w0, w1): ([f64; 3], [f64; 3]) = ([1.0, 0.5, 0.3], [0.0, 2.0, -0.2]);
        for (k, orig) in [w0, w1].iter().enumerate() {
            let row = w[k].as_array().unwrap();
            let new = [f(&row[0]), f(&row[1]), f(&b[k])];
            let c = new.iter().map(|x| x * x).sum::<f64>() - f(&vv[k]).powi(2);
            assert!((c - target).abs() < 1e-12, "c_{k} = {c}");
            // Same direction, positive factor; v_k · w_k unchanged (the function).
            let norm = |x: &[f64; 3]| x.iter().map(|y| y * y).sum::<f64>().sqrt();
            let alpha = norm(&new) / norm(orig);
            for j in 0..3 {
                assert!((new[j] - alpha * orig[j]).abs() < 1e-12);
            }
            let v_orig = [2.0, -1.0][k];
            assert!((f(&vv[k]) * alpha - v_orig).abs() < 1e-12);
        }
        // The printed file checks as connected.
        let again = dir.join(format!("rebalanced{target}.json"));
        std::fs::write(&again, &out.stdout).unwrap();
        let ch = json(&["check", "--weights", again.to_str().unwrap()]);
        assert_eq!(ch["connected"], target == 0.0);
    }
}

#[test]
fn lab_commands_refuse_bad_files_and_targets_with_exit_2() {
    let dir = temp_dir("lab-bad");
    let ragged = dir.join("ragged.json");
    std::fs::write(&ragged, r#"{"W": [[1, 2], [3]], "v": [[1, 1]]}"#).unwrap();
    let zero = dir.join("zero.json");
    std::fs::write(&zero, r#"{"W": [[1, 2], [0, 0]], "v": [[1, 1]]}"#).unwrap();
    let good = dir.join("good.json");
    std::fs::write(&good, r#"{"W": [[1, 2]], "v": [[1]]}"#).unwrap();
    let missing = dir.join("none.json");
    let cases: [(Vec<&str>, &str); 6] = [
        (
            vec!["check", "--weights", ragged.to_str().unwrap()],
            "W row 2 has 1 number; row 1 has 2",
        ),
        (
            vec!["rebalance", "--weights", ragged.to_str().unwrap()],
            "W row 2 has 1 number",
        ),
        (
            vec!["check", "--weights", missing.to_str().unwrap()],
            "cannot read it",
        ),
        (
            vec![
                "rebalance",
                "--weights",
                good.to_str().unwrap(),
                "--target",
                "0x10",
            ],
            "--target: '0x10' is not a valid number",
        ),
        (
            vec![
                "rebalance",
                "--weights",
                good.to_str().unwrap(),
                "--target",
                "inf",
            ],
            "is not a finite number",
        ),
        (
            vec!["rebalance", "--weights", zero.to_str().unwrap()],
            "Neuron 2 has all input weights zero and cannot be rescaled onto c = 0.",
        ),
    ];
    for (args, message) in cases {
        let out = run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(out.stdout.is_empty());
    }
}
