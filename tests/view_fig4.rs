//! The Fig. 4 view model against the core: a link and a sequence of `set` calls replayed to
//! readouts, the sweep run job by job in the order the model hands out (as the page's workers do)
//! and compared with `run_sweep` (what `obstruction sweep` prints) and with numbers formatted here
//! independently; every kind of bad text refused with its code while the previous value (and the
//! link) stays; the link fixtures of `tests/links/` opened exactly as the link parser reads them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use relu_obstruction::app::fig4::{Fig4Model, Phase};
use relu_obstruction::app::link::{self, View};
use relu_obstruction::app::view::{ViewModel, link_state, open_link, set};
use relu_obstruction::experiments::sweep::{
    DIVERGED_BCE, SweepConfig, run_job, run_sweep, sweep_data,
};

/// Runs the model's sweep natively: jobs as the model hands them out, clock readings 10 ms apart.
fn run_model_sweep(m: &mut Fig4Model, workers: usize) -> usize {
    let plan = m
        .start(workers, 1000.0)
        .unwrap()
        .expect("no sweep was running");
    let split = sweep_data().unwrap();
    let mut t = 1000.0;
    let mut handed = 0;
    while let Some(p) = m.next_job() {
        handed += 1;
        let r = run_job(&split, p.job, plan.steps, plan.lr).unwrap();
        t += 10.0;
        let finished = m.job_done(p.index, r, t).unwrap();
        assert_eq!(finished, handed == plan.jobs.len());
    }
    handed
}

fn cfg(widths: &[usize], seeds: u64, steps: u64, lr: f64) -> SweepConfig {
    SweepConfig {
        widths: widths.to_vec(),
        seeds,
        steps,
        lr,
    }
}

#[test]
fn a_link_and_sets_replay_to_the_cores_sweep() {
    let mut m = Fig4Model::new();
    assert!(open_link(&mut m, "#fig4?v=1&w=1,2&seeds=2&steps=40&ran=1").is_empty());
    assert!(m.wants_run(), "ran=1 asks for the sweep");
    // Typed settings on top of the link: one accepted, the bad ones refused.
    set(&mut m, "steps", "60").unwrap();
    assert_eq!(
        set(&mut m, "seeds", "abc").unwrap_err().reason.code(),
        "not_a_number"
    );
    assert_eq!(
        set(&mut m, "lr", "5000").unwrap_err().reason.code(),
        "out_of_range"
    );
    assert_eq!(m.config(), cfg(&[1, 2], 2, 60, 0.1));
    assert_eq!(run_model_sweep(&mut m, 2), (2 + 3) * 2);
    assert_eq!(m.phase(), Phase::Done);

    let native = run_sweep(&cfg(&[1, 2], 2, 60, 0.1)).unwrap();
    assert_eq!(m.rows(), native.as_slice(), "the same rows, bit for bit");
    let table = m.table();
    assert_eq!(table.len(), native.len());
    for (row, n) in table.iter().zip(&native) {
        assert_eq!(row.l, n.l.to_string());
        assert_eq!(row.l_plus, n.l_plus.to_string());
        let cell = |key: &str| row.cells.iter().find(|c| c.key == key).unwrap();
        assert_eq!(
            cell("mean_test_bce").text,
            format!("{:.4}", n.mean_test_bce)
        );
        assert_eq!(cell("std_test_bce").text, format!("{:.4}", n.std_test_bce));
        let exact: f64 = cell("mean_test_bce").value.parse().unwrap();
        assert_eq!(exact.to_bits(), n.mean_test_bce.to_bits());
        assert_eq!(cell("runs").text, n.runs.to_string());
        assert_eq!(cell("diverged_runs").value, n.diverged_runs.to_string());
        let pct = (100.0 * n.l_plus as f64 / n.l as f64).round();
        assert_eq!(cell("percentage").text, format!("{pct} %"));
    }
    let info = m.info().unwrap();
    assert_eq!(
        info.text,
        "Showing the sweep over l = 1, 2 with 2 seeds (0…1), 60 GD steps, η = 0.1; it took 0.1 s. \
         Error bars: ± one standard deviation over seeds."
    );
    assert_eq!(info.seconds, "0.1");
    assert_eq!(m.progress(0.0).text, "Done: 10 runs in 0.1 s.");
    // The cell (l = 2, l+ = 1) by the arrow keys: the first press selects (0, 0).
    for key in ["ArrowUp", "ArrowRight", "ArrowUp"] {
        assert!(m.key(key));
    }
    let r21 = native.iter().find(|r| r.l == 2 && r.l_plus == 1).unwrap();
    assert_eq!(
        m.cell().text,
        format!(
            "l = 2, l+ = 1 (50 %): test BCE {:.4} ± {:.4} over 2 seeds",
            r21.mean_test_bce, r21.std_test_bce
        )
    );
    // The link holds the settings in force, and that the sweep shown is theirs.
    assert_eq!(
        link_state(&m).link,
        "#fig4?v=1&w=1,2&seeds=2&steps=60&lr=0.1&ran=1"
    );
    // The exports are the core's.
    let csv = m.csv().unwrap();
    assert!(csv.contains("# reproduce=obstruction sweep --widths 1,2 --seeds 2 --steps 60"));
    assert_eq!(
        csv.lines().filter(|l| !l.starts_with('#')).count(),
        1 + native.len()
    );
    let json: serde_json::Value = serde_json::from_str(&m.json().unwrap()).unwrap();
    assert_eq!(json["rows"].as_array().unwrap().len(), native.len());
}

#[test]
fn bad_text_is_refused_with_its_code_and_the_previous_value_stays() {
    let mut m = Fig4Model::new();
    set(&mut m, "seeds", "2").unwrap();
    set(&mut m, "steps", "40").unwrap();
    let before_link = link_state(&m).link;
    let before = m.settings().clone();
    for (key, text, code) in [
        ("seeds", "abc", "not_a_number"),
        ("seeds", "0x10", "not_a_number"),
        ("seeds", "1e999", "not_finite"),
        ("seeds", "0.99999999999999999", "not_whole"),
        ("seeds", "2.5", "not_whole"),
        ("seeds", "0", "out_of_range"),
        ("seeds", "21", "out_of_range"),
        ("seeds", "", "missing_value"),
        ("steps", "4999.9999999999999999", "not_whole"),
        ("steps", "0x10", "not_a_number"),
        ("steps", "5001", "out_of_range"),
        ("lr", "5000", "out_of_range"),
        ("lr", "0", "out_of_range"),
        ("lr", "abc", "not_a_number"),
        ("lr", "1e999", "not_finite"),
        ("lr", "NaN", "not_finite"),
        ("w", "3", "out_of_range"),
        ("w", "1,1", "repeated_entry"),
        ("w", "0x10", "not_a_number"),
    ] {
        let r = set(&mut m, key, text).unwrap_err();
        assert_eq!(
            (r.key.as_str(), r.reason.code()),
            (key, code),
            "{key} = {text:?}"
        );
        assert!(
            r.message.contains("is still in use"),
            "{key} = {text:?}: {}",
            r.message
        );
        assert_eq!(m.settings(), &before, "{key} = {text:?} changed a setting");
        assert_eq!(
            link_state(&m).link,
            before_link,
            "{key} = {text:?} changed the link"
        );
    }
    // The message names the control and the value that stays.
    let r = set(&mut m, "seeds", "abc").unwrap_err();
    assert_eq!(
        r.message,
        "Seeds (1–20) \"abc\": not a number. The previous value 2 is still in use."
    );
    assert!(link_state(&m).link.contains("&seeds=2&steps=40&lr=0.1&"));
}

#[test]
fn a_link_with_fractions_for_whole_numbers_is_refused_and_the_defaults_stay() {
    let mut m = Fig4Model::new();
    let rejections = open_link(
        &mut m,
        "#fig4?v=1&seeds=0.99999999999999999&steps=4999.9999999999999999",
    );
    let codes: Vec<(&str, &str)> = rejections
        .iter()
        .map(|r| (r.key.as_str(), r.reason.code()))
        .collect();
    assert_eq!(codes, [("seeds", "not_whole"), ("steps", "not_whole")]);
    assert_eq!(m.config(), cfg(&[1, 2, 4, 8, 16], 3, 500, 0.1));
    assert_eq!(
        link_state(&m).link,
        "#fig4?v=1&w=1,2,4,8,16&seeds=3&steps=500&lr=0.1&ran=0"
    );
}

#[test]
fn no_width_is_a_setting_but_starts_nothing() {
    let mut m = Fig4Model::new();
    set(&mut m, "w", "").unwrap();
    assert!(link_state(&m).link.contains("&w=&"));
    let r = m.start(2, 0.0).unwrap_err();
    assert_eq!(r.reason.code(), "list_length");
    assert_eq!(m.phase(), Phase::Idle);
    assert_eq!(m.next_job(), None);
}

/// The fig4 cases of a fixture file: (line, link, expected values, expected rejections).
type Case = (usize, String, Vec<(String, String)>, Vec<(String, String)>);

fn fig4_cases(name: &str) -> Vec<Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/links")
        .join(name);
    let text = std::fs::read_to_string(path).unwrap();
    let mut cases: Vec<Case> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        match word {
            "link" => cases.push((i + 1, rest.to_string(), Vec::new(), Vec::new())),
            "view" | "version" | "clean" => {}
            "reject" => {
                let (k, code) = rest.split_once(' ').unwrap();
                if let Some(c) = cases.last_mut() {
                    c.3.push((k.to_string(), code.to_string()));
                }
            }
            key => {
                if let Some(c) = cases.last_mut() {
                    c.2.push((key.to_string(), rest.to_string()));
                }
            }
        }
    }
    cases.retain(|c| link::parse_link(&c.1).view == View::Fig4);
    cases
}

#[test]
fn the_link_fixtures_open_as_the_link_parser_reads_them() {
    let mut seen = 0;
    for file in ["v0.txt", "v1.txt", "bad.txt"] {
        for (line, fragment, values, rejects) in fig4_cases(file) {
            seen += 1;
            let parsed = link::parse_link(&fragment);
            let mut m = Fig4Model::new();
            let rejections = open_link(&mut m, &fragment);
            let got: Vec<(String, String)> = rejections
                .iter()
                .map(|r| (r.key.clone(), r.reason.code().to_string()))
                .collect();
            assert_eq!(got, rejects, "{file}:{line} {fragment}");
            for (key, want) in &values {
                let value = parsed.values.get(key.as_str()).unwrap();
                let text = link::value_text(value).unwrap_or_default();
                assert_eq!(&text, want, "{file}:{line} {key} (the parser)");
                if key == "ran" {
                    assert_eq!(m.wants_run(), want == "1", "{file}:{line} ran");
                } else {
                    assert_eq!(
                        m.settings().get(key),
                        Some(value),
                        "{file}:{line} {key} (the model)"
                    );
                }
            }
            // What the model links back is the parser's canonical link, `ran` aside (no sweep ran).
            let canonical = parsed.to_link().replace("&ran=1", "&ran=0");
            assert_eq!(link_state(&m).link, canonical, "{file}:{line}");
        }
    }
    assert!(seen >= 5, "only {seen} fig4 fixtures");
}

/// Issue 12: at η = 1000 every run's BCE explodes to 1e120…3e125 while staying finite, and the
/// page said "Done" with "diverged 0". A run above `DIVERGED_BCE` (or not finite) has diverged,
/// and the status line and the info say how many of how many.
#[test]
fn a_sweep_whose_losses_explode_says_how_many_runs_diverged() {
    let mut m = Fig4Model::new();
    assert!(open_link(&mut m, "#fig4?v=1&w=1,2&seeds=1&steps=20&lr=1000&ran=1").is_empty());
    assert_eq!(run_model_sweep(&mut m, 2), 5);
    // The independent reading: each row's own test BCE (the exact value in the table) is far
    // above the bound, so each of its runs is counted.
    for row in m.table() {
        let cell = |key: &str| row.cells.iter().find(|c| c.key == key).unwrap();
        let bce: f64 = cell("mean_test_bce").value.parse().unwrap();
        assert!(bce.is_finite() && bce > DIVERGED_BCE, "{bce}");
        assert_eq!(cell("diverged_runs").value, cell("runs").value);
    }
    let status = m.progress(0.0).text;
    assert!(status.starts_with("Done in "), "{status}");
    assert!(status.contains("5 of 5 runs diverged"), "{status}");
    assert!(
        m.info().unwrap().text.contains("5 of 5 runs diverged"),
        "{}",
        m.info().unwrap().text
    );
    // The paper's η: nothing diverges and the status says so in its plain form.
    let mut m = Fig4Model::new();
    assert!(open_link(&mut m, "#fig4?v=1&w=1,2&seeds=1&steps=20&ran=1").is_empty());
    run_model_sweep(&mut m, 2);
    assert!(m.rows().iter().all(|r| r.diverged_runs == 0));
    assert!(m.progress(0.0).text.starts_with("Done: 5 runs in "));
}
