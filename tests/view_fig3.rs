//! The Fig. 3 view model driven as the page drives it — a link, then typed values, then frames —
//! against runs built and stepped directly from the core (an independent path to the same
//! numbers), and refusals that leave the state and the link untouched.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use relu_obstruction::app::fig3::{Fig3Model, T_STAR};
use relu_obstruction::app::format;
use relu_obstruction::app::session::{Session, SessionConfig};
use relu_obstruction::app::view::{ViewModel, link_state, open_link, set};
use relu_obstruction::core::topology::component_label;

fn session(preset: &str, seed: u64, lr: f64, integrator: &str) -> Session {
    Session::new(&SessionConfig {
        preset: preset.into(),
        seed,
        lr: Some(lr),
        integrator: Some(integrator.into()),
    })
    .unwrap()
}

fn field<'a>(r: &'a relu_obstruction::app::fig3::RowReadout, key: &str) -> &'a str {
    &r.fields.iter().find(|f| f.key == key).unwrap().value
}

#[test]
fn a_link_then_typed_values_then_frames_reach_the_runs_of_the_core() {
    let mut m = Fig3Model::new();
    let refused = open_link(
        &mut m,
        "#fig3?v=1&top=fig3-good-pm&bottom=fig3-obstructed-mm&seed=11&pause=0&step=30",
    );
    assert!(refused.is_empty(), "{refused:?}");
    assert_eq!(m.step_reached(), 30);
    // Typed values as the page sends them (blanks, the minus sign of the readouts).
    assert!(set(&mut m, "lr", " 0.08 ").unwrap().restarted);
    assert!(set(&mut m, "int", "conserving").unwrap().restarted);
    assert!(!set(&mut m, "speed", "7").unwrap().restarted);
    for _ in 0..3 {
        assert!(!m.frame().stop);
    }
    m.step_once();
    assert_eq!(m.step_reached(), 22);

    // The same runs, straight from the core.
    let mut top = session("fig3-good-pm", 11, 0.08, "conserving");
    let mut bottom = session("fig3-obstructed-mm", 11, 0.08, "conserving");
    top.step(22).unwrap();
    bottom.step(22).unwrap();
    let r = m.readout();
    for (row, direct) in r.rows.iter().zip([&mut top, &mut bottom]) {
        let t = direct.trainer();
        let c0 = t.c_initial().to_vec();
        let label = component_label(&t.network(), &c0);
        let (loss, c1) = (direct.readout().loss, direct.trainer().c_now()[0]);
        assert_eq!(field(row, "step"), "22");
        assert_eq!(field(row, "loss"), format::raw(loss));
        assert_eq!(field(row, "c1"), format::raw(c1));
        assert_eq!(field(row, "label"), format!("{label:?}").replace(' ', ""));
        assert_eq!(
            m.session(row.row).trainer().params(),
            direct.trainer().params(),
            "{}",
            row.row
        );
        // What the reader sees is the formatted exact value.
        let loss_text = &row.fields.iter().find(|f| f.key == "loss").unwrap().text;
        assert_eq!(loss_text, &format::loss(loss));
    }
    assert_eq!(r.rows[0].title, "Top run: good (+,−)");
    assert_eq!(r.rows[1].obstructed, Some(true));

    // The link holds the whole state and reopens to the same readout.
    let link = link_state(&m).link;
    assert!(link.contains("&lr=0.08&int=conserving&speed=7&"), "{link}");
    assert!(link.contains("&step=22&"), "{link}");
    let mut again = Fig3Model::new();
    assert!(open_link(&mut again, &link).is_empty());
    assert_eq!(again.readout(), m.readout());
}

#[test]
fn typed_values_are_refused_on_their_text_and_leave_everything_in_force() {
    let mut m = Fig3Model::new();
    m.step_once();
    let link = link_state(&m).link;
    for (key, text, code) in [
        ("lr", "0x10", "not_a_number"),
        ("lr", "16abc", "not_a_number"),
        ("lr", "NaN", "not_finite"),
        ("lr", "1e999", "not_finite"),
        ("lr", "-0.1", "out_of_range"),
        ("lr", "1000.5", "out_of_range"),
        ("seed", "0.99999999999999999", "not_whole"),
        ("seed", "9007199254740992", "out_of_range"),
        ("seed", "1e99", "out_of_range"),
        ("speed", "4999.9999999999999999", "not_whole"),
        ("speed", "0", "out_of_range"),
        ("int", "rk4", "unknown_option"),
        ("top", "fig4", "unknown_option"),
        ("log", "yes", "not_a_bool"),
        ("nope", "1", "unknown_key"),
    ] {
        let r = set(&mut m, key, text).unwrap_err();
        assert_eq!(r.reason.code(), code, "{key} = {text:?}: {}", r.message);
        assert_eq!(r.key, key);
        assert_eq!(
            link_state(&m).link,
            link,
            "{key} = {text:?} changed the link"
        );
        assert_eq!(m.step_reached(), 1, "{key} = {text:?} restarted the runs");
    }
    // Whole numbers written otherwise are whole.
    assert!(set(&mut m, "seed", "3e0").unwrap().changed);
    assert_eq!(m.settings().int("seed"), 3);
    assert!(set(&mut m, "seed", "30.000e-1").is_ok());
    assert!(!set(&mut m, "seed", "3").unwrap().changed);
}

#[test]
fn play_pauses_at_t_star_and_a_divergence_is_said_in_words() {
    let mut m = Fig3Model::new();
    set(&mut m, "speed", "1000").unwrap();
    assert!(m.frame().stop, "one frame of 1000 stops at t*");
    assert_eq!(m.step_reached(), T_STAR);
    set(&mut m, "lr", "10").unwrap();
    set(&mut m, "pause", "0").unwrap();
    let mut stopped = false;
    for _ in 0..20 {
        if m.frame().stop {
            stopped = true;
            break;
        }
    }
    assert!(stopped, "η = 10 diverges");
    assert!(m.failed() && !m.can_play());
    let r = m.readout();
    let message = r.message.unwrap();
    assert!(message.contains("diverged"), "{message}");
    for text in std::iter::once(message.as_str()).chain(
        r.rows
            .iter()
            .flat_map(|row| row.fields.iter().map(|f| f.text.as_str())),
    ) {
        assert!(!text.contains("NaN") && !text.contains("inf"), "{text}");
    }
}

#[test]
fn a_gradient_flow_link_longer_than_a_link_replays_is_refused_and_a_long_run_is_capped() {
    let mut m = Fig3Model::new();
    let refused = open_link(&mut m, "#fig3?v=1&int=flow&step=1001");
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].reason.code(), "replay_too_long");
    assert!(!m.replaying());
    let mut gd = Fig3Model::new();
    set(&mut gd, "pause", "0").unwrap();
    set(&mut gd, "speed", "1000").unwrap();
    for _ in 0..21 {
        gd.frame();
    }
    let state = link_state(&gd);
    assert!(state.link.contains("&step=20000&"), "{}", state.link);
    assert!(state.note.unwrap().contains("21000"));
}

/// The good run's path on each of its two quadrics, as drawn on a 420 × 420 panel (a quarter of
/// the Fig. 3 figure on a 1920 × 1080 presentation screen) from the default view angles, spans at
/// least a fifth of the panel's width by t*: the framing follows what the run visits, and an
/// overview inset shows where that is on the whole quadric.
#[test]
fn the_good_runs_path_spans_a_fifth_of_its_panel_at_t_star() {
    use relu_obstruction::present::figures::{
        fig3_overview_inset, fig3_panel_frame, fig3_path_width,
    };
    const PANEL: (u32, u32) = (420, 420);
    let mut m = Fig3Model::new();
    assert!(open_link(&mut m, &format!("#fig3?v=1&step={T_STAR}")).is_empty());
    assert_eq!(m.step_reached(), T_STAR);
    let (yaw, pitch) = m.angles("bottom");
    let good = m.session("bottom");
    assert_eq!(good.verdict().map(|v| v.obstructed), Some(false));
    for k in 0..2 {
        let width = fig3_path_width(good, k, yaw, pitch, PANEL)
            .unwrap()
            .unwrap();
        let fraction = f64::from(width) / f64::from(PANEL.0);
        eprintln!(
            "neuron {}: frame {:?}, path {width} px = {fraction:.3} of the panel",
            k + 1,
            fig3_panel_frame(good, k)
        );
        assert!(fraction >= 0.2, "neuron {}: {fraction:.3}", k + 1);
        // The framed cube holds the whole path (nothing of it is clipped away).
        let (centre, extent) = fig3_panel_frame(good, k);
        for p in good.trajectory(k) {
            assert!((0..3).all(|i| (p[i] - centre[i]).abs() <= extent));
        }
        // Framed this close, the panel shows the whole quadric in an inset below its title, and
        // a panel too small for one gets none.
        let inset = fig3_overview_inset(good, k, yaw, pitch, PANEL)
            .unwrap()
            .unwrap();
        assert!(inset.side >= 130 && inset.side <= 150, "{inset:?}");
        assert!(
            inset.y >= 20 && inset.y + inset.side as i32 <= 420,
            "{inset:?}"
        );
        assert_eq!(
            fig3_overview_inset(good, k, yaw, pitch, (150, 150)).unwrap(),
            None
        );
    }
    // Reset frames the start point again, at the smallest cube.
    let before = fig3_panel_frame(m.session("bottom"), 0).1;
    m.reset();
    let again = m.session("bottom");
    let (centre, extent) = fig3_panel_frame(again, 0);
    assert_eq!(centre, again.trajectory(0)[0]);
    assert!(extent < before, "{extent} after Reset, {before} at t*");
}

/// Whether `text` holds a run of more than `n` digits (a float written out in full).
fn has_long_digits(text: &str, n: usize) -> bool {
    let mut run = 0;
    for ch in text.chars() {
        run = if ch.is_ascii_digit() { run + 1 } else { 0 };
        if run > n {
            return true;
        }
    }
    false
}

/// Issue 12: after a divergence at η = 1000 the readouts showed c₁ with 64 digits, the status
/// named a step the readouts did not show, and the loss legend named presets by their ids. Every
/// text is formatted, the status names the step shown, and the readouts, the panel titles and the
/// loss legend use the same words.
#[test]
fn after_a_divergence_readouts_and_plot_titles_agree_and_stay_formatted() {
    use relu_obstruction::app::link::{View, option_label};
    use relu_obstruction::present::figures::{draw_fig3_loss, draw_fig3_neuron, svg};

    let mut m = Fig3Model::new();
    assert!(open_link(&mut m, "#fig3?v=1&lr=1000").is_empty());
    for _ in 0..10 {
        if m.frame().stop {
            break;
        }
    }
    assert!(m.failed());
    let r = m.readout();
    let message = r.message.clone().unwrap();
    assert!(message.contains("diverged"), "{message}");
    let mut texts = vec![message.clone()];
    for row in &r.rows {
        texts.push(row.title.clone());
        texts.extend(row.fields.iter().map(|f| f.text.clone()));
        texts.extend(row.verdict.iter().map(|v| v.text.clone()));
    }
    for t in &texts {
        assert!(
            !t.contains("NaN") && !t.contains("inf") && !has_long_digits(t, 8),
            "{t}"
        );
    }
    // The status names the step the readouts show.
    let shown = r.step.to_string();
    assert!(
        message.contains(&format!("step {shown}")),
        "{message} / step {shown}"
    );
    // The c readouts are the trainer's c, said in scientific notation when huge.
    let top = m.session("top");
    let c1 = top.trainer().c_now()[0];
    assert!(c1.abs() > 1e6, "{c1}");
    let c1_text = &r.rows[0]
        .fields
        .iter()
        .find(|f| f.key == "c1")
        .unwrap()
        .text;
    let mantissa_exp = format!("{c1:.4e}").replace("e", "e+");
    assert!(
        c1_text.starts_with(&format!("+{mantissa_exp}")),
        "{c1_text}"
    );

    // The loss legend names each row as its title (the controls' option label), and its ticks
    // are formatted.
    let loss_svg = svg(800, 400, |a| {
        draw_fig3_loss(a, m.session("top"), m.session("bottom"), false)
    })
    .unwrap();
    for (i, row) in ["top", "bottom"].iter().enumerate() {
        let preset = m.settings().text(row).to_string();
        let label = option_label(View::Fig3, row, &preset).unwrap();
        assert!(r.rows[i].title.ends_with(label));
        assert!(loss_svg.contains(label), "{label} missing in the legend");
        assert!(!loss_svg.contains(&preset), "{preset} id in the legend");
    }
    assert!(!loss_svg.contains("NaN") && !loss_svg.contains("inf"));
    let body_texts: Vec<&str> = loss_svg
        .split("<text")
        .skip(1)
        .filter_map(|c| {
            c.split_once('>')?
                .1
                .split_once("</text>")
                .map(|x| x.0.trim())
        })
        .collect();
    assert!(
        body_texts.iter().all(|t| !has_long_digits(t, 8)),
        "{body_texts:?}"
    );
    // The panel titles write c the same way as the readouts (two decimals, true minus).
    let panel = svg(400, 400, |a| {
        draw_fig3_neuron(a, m.session("top"), 0, 0.6, 0.35)
    })
    .unwrap();
    let c0 = top.trainer().c_initial()[0];
    assert!(panel.contains(&format::signed(c0, 2).trim_start_matches('+').to_string()));
    // The topology view's source names the preset as the controls do.
    let (name, _) = m.row_network("top");
    assert_eq!(
        name,
        format!(
            "Fig. 3 top run: {}, step {shown}",
            option_label(View::Fig3, "top", "fig3-obstructed-pp").unwrap()
        )
    );
}
