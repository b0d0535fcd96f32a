//! The heatmaps view model end to end: a link and a sequence of `set` calls replayed to readouts,
//! compared with the core computed directly (the closed form, the Monte Carlo estimator, a
//! trainer built and stepped by hand); typed values refused with the right code while the
//! previous value and the link stay in force; a run link without a selected cell refused under
//! its own key.
//!
//! The page's end-to-end test (tests/e2e/heatmaps.test.mjs) compares the page with this model as
//! `obstruction view` drives it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use relu_obstruction::app::heatmaps::{HeatmapsModel, Map, REDUCED_MOTION_NOTE};
use relu_obstruction::app::link::{HEATMAP_RUN_MAX_STEPS, Reason};
use relu_obstruction::app::random_run::{RUN_LR, TEACHER_SAMPLES, random_teacher};
use relu_obstruction::app::view::{Field, link_state, open_link, set};
use relu_obstruction::core::init::{FanMode, InitScheme, initialize};
use relu_obstruction::core::network::{Architecture, norm_sq};
use relu_obstruction::core::probability::{monte_carlo_p, obstruction_odds};
use relu_obstruction::core::train::{Integrator, Trainer};

const KAIMING: InitScheme = InitScheme::KaimingNormal {
    mode: FanMode::FanIn,
};

fn field<'a>(fields: &'a [Field], key: &str) -> &'a Field {
    fields
        .iter()
        .find(|f| f.key == key)
        .unwrap_or_else(|| panic!("no field {key}"))
}

fn number(fields: &[Field], key: &str) -> f64 {
    field(fields, key).value.parse().unwrap()
}

fn json(fields: &[Field], key: &str) -> serde_json::Value {
    serde_json::from_str(&field(fields, key).value).unwrap()
}

#[test]
fn a_link_and_settings_replay_to_the_cores_numbers() {
    let mut m = HeatmapsModel::new().unwrap();
    let link = "#heatmaps?v=1&sel=kaiming&d=3&l=5&mc=1&n=5000&mcseed=3&run=42&rstep=120";
    assert!(open_link(&mut m, link).is_empty());
    assert!(set(&mut m, "n", "7000").unwrap().changed);
    assert!(set(&mut m, "mcseed", " 9 ").unwrap().changed);
    assert!(m.estimate_pending());
    assert!(m.estimate().unwrap());
    let r = m.readout();

    // The cell against the closed form.
    let odds = obstruction_odds(KAIMING, 3, 5, 1).unwrap();
    assert_eq!(field(&r.cell, "scheme").value, "\"kaiming_normal\"");
    assert_eq!(field(&r.cell, "scheme").text, "Kaiming normal");
    assert_eq!(number(&r.cell, "d"), 3.0);
    assert_eq!(number(&r.cell, "l"), 5.0);
    assert_eq!(number(&r.cell, "p"), odds.p);
    assert_eq!(number(&r.cell, "p-obstruction"), odds.p_disconnected);
    assert_eq!(
        field(&r.cell, "p-obstruction").text,
        format!("{:.6}", odds.p_disconnected)
    );
    assert_eq!(number(&r.cell, "components"), odds.expected_components);
    assert_eq!(
        number(&r.cell, "effective"),
        odds.expected_effective_components
    );

    // The Monte Carlo check against the estimator of `obstruction probability --mc`.
    let est = monte_carlo_p(KAIMING, 3, 5, 1, 7000, 9).unwrap();
    let mc = json(&r.cell, "mc");
    assert_eq!(mc["p_mc"].as_f64(), Some(est.mean));
    assert_eq!(mc["p_mc_stderr"].as_f64(), Some(est.stderr));
    assert_eq!(mc["samples"].as_u64(), Some(7000));
    assert_eq!(mc["seed"].as_u64(), Some(9));
    let big_p = 1.0 - (1.0 - est.mean).powi(5);
    assert!((mc["p_disconnected_mc"].as_f64().unwrap() - big_p).abs() < 1e-15);
    assert!(field(&r.cell, "mc").text.ends_with("(N = 7000, seed 9)"));
    assert_eq!(
        field(&r.cell, "p-mc").text,
        format!("{:.6} ± {:.6}", est.mean, est.stderr)
    );

    // The run against a trainer built and stepped here.
    let net = initialize(Architecture::new(3, 5, 1), KAIMING, 42).unwrap();
    let c: Vec<f64> = (0..5)
        .map(|k| norm_sq(net.w(k)) - norm_sq(net.v(k)))
        .collect();
    let (data, _, _) = random_teacher(3, TEACHER_SAMPLES, 42).unwrap();
    let mut trainer = Trainer::new(net, &data, RUN_LR, Integrator::Gd).unwrap();
    for _ in 0..120 {
        trainer.step().unwrap();
    }
    let run = r.run.as_ref().unwrap();
    let negatives: Vec<usize> = (0..5).filter(|&k| c[k] < 0.0).collect();
    assert_eq!(r.steps.value, "120");
    assert_eq!(r.steps.text, "step 120");
    assert_eq!(number(&run.fields, "loss"), trainer.current_loss());
    assert_eq!(number(&run.fields, "lminus"), negatives.len() as f64);
    assert_eq!(
        json(&run.fields, "pathological"),
        serde_json::json!(negatives)
    );
    let shown: Vec<f64> = serde_json::from_str(&field(&run.fields, "c").value).unwrap();
    assert_eq!(shown, c);
    assert_eq!(
        number(&run.fields, "components"),
        2f64.powi(negatives.len() as i32)
    );
    assert_eq!(
        number(&run.fields, "effective"),
        negatives.len() as f64 + 1.0
    );
    let n = negatives.len();
    assert_eq!(
        r.message.text,
        format!(
            "Drew {n} pathological neuron{} out of 5 (Kaiming normal, d = 3, l = 5, seed 42)",
            if n == 1 { "" } else { "s" }
        )
    );
    assert!(!r.playing, "a link opens paused");
    assert!(run.verdict.is_some());
    // The link written back is the link opened, with the new settings.
    assert_eq!(
        link_state(&m).link,
        "#heatmaps?v=1&sel=kaiming&d=3&l=5&mc=1&n=7000&mcseed=9&run=42&rstep=120"
    );
}

#[test]
fn typed_values_are_parsed_here_and_a_refusal_keeps_the_previous_value() {
    let mut m = HeatmapsModel::new().unwrap();
    set(&mut m, "n", "50000").unwrap();
    set(&mut m, "mcseed", "7").unwrap();
    let before = link_state(&m).link;
    for (key, text, code) in [
        ("n", "0x10", "not_a_number"),
        ("n", "abc", "not_a_number"),
        ("n", "1e999", "not_finite"),
        ("n", "2.5", "not_whole"),
        ("n", "0.99999999999999999", "not_whole"),
        ("n", "0", "out_of_range"),
        ("n", "300000", "out_of_range"),
        ("n", "12abc", "not_a_number"),
        ("n", "", "missing_value"),
        ("mcseed", "-1", "out_of_range"),
        ("mcseed", "9007199254740992", "out_of_range"),
        ("rseed", "1.5", "not_whole"),
        ("rseed", "NaN", "not_finite"),
        ("d", "51", "out_of_range"),
        ("sel", "he", "unknown_option"),
    ] {
        let r = set(&mut m, key, text).unwrap_err();
        assert_eq!(
            (r.key.as_str(), r.reason.code()),
            (key, code),
            "{key} = {text}"
        );
        assert!(r.message.contains("is still in use"), "{}", r.message);
        assert_eq!(link_state(&m).link, before, "{key} = {text}");
    }
    let r = set(&mut m, "n", "0x10").unwrap_err();
    assert_eq!(
        r.message,
        "Samples (1 to 200000) \"0x10\": not a number. The previous value 50000 is still in use."
    );
    // An empty run seed means a fresh one.
    assert!(set(&mut m, "rseed", "").is_ok());
    assert!(set(&mut m, "rseed", "17").unwrap().changed);
    assert!(set(&mut m, "rseed", "").unwrap().changed);
}

#[test]
fn a_run_without_a_cell_is_refused_under_its_own_key() {
    let mut m = HeatmapsModel::new().unwrap();
    let rejections = open_link(&mut m, "#heatmaps?v=1&run=5");
    assert_eq!(rejections.len(), 1, "{rejections:?}");
    assert_eq!(rejections[0].key, "run");
    assert_eq!(rejections[0].reason, Reason::Needs { needs: "sel" });
    // As JavaScript sees the record: `key` is the refused key, `needs` the missing one.
    let record = serde_json::to_value(&rejections[0]).unwrap();
    assert_eq!(record["key"], "run");
    assert_eq!(record["code"], "needs");
    assert_eq!(record["needs"], "sel");
    assert!(m.run().is_none());
    assert!(link_state(&m).link.ends_with("&rstep=0"));
}

#[test]
fn a_run_plays_to_its_limit_and_reduced_motion_waits() {
    let mut m = HeatmapsModel::new().unwrap();
    m.set_reduced_motion(true);
    m.point(Map::Xavier, Some((7, 1)), true, 123).unwrap();
    let r = m.readout();
    assert_eq!(r.note.as_deref(), Some(REDUCED_MOTION_NOTE));
    assert_eq!(r.steps.value, "0");
    assert!(!m.frame(), "nothing moves before Play");
    assert!(m.toggle_play());
    let mut frames = 0;
    while m.frame() {
        frames += 1;
    }
    assert_eq!(m.run_step(), HEATMAP_RUN_MAX_STEPS);
    assert_eq!(frames + 1, HEATMAP_RUN_MAX_STEPS / 5);
    assert!(link_state(&m).link.ends_with("&run=123&rstep=5000"));
}

#[test]
fn obstruction_view_drives_this_model() {
    let link = "#heatmaps?v=1&sel=xavier&d=2&l=8&mc=1&n=3000&mcseed=4&run=7&rstep=40";
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_obstruction"))
        .args([
            "view", link, "--set", "n=0x10", "--set", "n=4000", "--key", "Enter",
        ])
        .args(["--frames", "3"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut m = HeatmapsModel::new().unwrap();
    assert!(open_link(&mut m, link).is_empty());
    assert!(set(&mut m, "n", "0x10").is_err());
    set(&mut m, "n", "4000").unwrap();
    // Enter starts the selected cell's run again from a fresh seed (0 on the command line).
    m.key(Map::Xavier, "Enter", 0).unwrap();
    for _ in 0..3 {
        m.frame();
    }
    m.estimate().unwrap();
    assert_eq!(cli["readout"], serde_json::to_value(m.readout()).unwrap());
    assert_eq!(cli["link"]["link"], link_state(&m).link);
    assert_eq!(cli["refused"][0]["code"], "not_a_number");
    assert_eq!(cli["refused"][1], serde_json::Value::Null);
    assert!(
        link_state(&m)
            .link
            .ends_with("&n=4000&mcseed=4&run=0&rstep=15")
    );
}

/// Issue 12: the d = 1 cell said P(obstruction) = 1 while a run drawn from it said "Not
/// obstructed" and then stalled. The cell now explains d = 1 (H(c) is disconnected, obstruction
/// depends on the piece), and the drawn run's verdict is the one gradient descent bears out.
#[test]
fn a_d1_cell_explains_itself_and_its_runs_verdict_matches_training() {
    use relu_obstruction::app::topology::D1_COMPONENTS;
    // Seed 3 of d = 1, l = 3 starts with both c > 0 neurons on x > 0: stuck above the teacher.
    let mut m = HeatmapsModel::new().unwrap();
    assert!(open_link(&mut m, "#heatmaps?v=1&sel=xavier&d=1&l=3&run=3&rstep=5000").is_empty());
    let r = m.readout();
    assert_eq!(number(&r.cell, "p-obstruction"), 1.0);
    assert_eq!(field(&r.cell, "d1").text, D1_COMPONENTS);
    let run = r.run.unwrap();
    let loss = number(&run.fields, "loss");
    let verdict = run.verdict.unwrap();
    assert!(loss > 1e-3, "{loss}");
    assert!(verdict.text.starts_with("Obstructed"), "{}", verdict.text);
    // d = 2 cells say nothing about d = 1.
    let mut m = HeatmapsModel::new().unwrap();
    assert!(open_link(&mut m, "#heatmaps?v=1&sel=xavier&d=2&l=3").is_empty());
    assert!(m.readout().cell.iter().all(|f| f.key != "d1"));
}
