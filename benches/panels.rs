//! Criterion benchmarks of drawing one Fig. 3 neuron panel (`cargo bench --bench panels`): the
//! good run's neuron 1 at t*, framed on its path, into an SVG string of 420 × 420 pixels (a
//! quarter of the figure on a 1920 × 1080 screen) and of 190 × 190 (a narrow window), each with
//! its overview inset (`inset`, as the page draws it) and without (`no_inset`), so one run gives
//! the inset's cost on the same machine load. A Fig. 3 frame draws four such panels; the page's
//! canvas does the same plotters calls, so this is the Rust side of a frame's drawing cost.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use relu_obstruction::app::fig3::T_STAR;
use relu_obstruction::app::session::{Session, SessionConfig};
use relu_obstruction::core::topology::quadric_kind;
use relu_obstruction::present::charts::{QuadricPanel, draw_quadric_panel};
use relu_obstruction::present::figures::{
    PANEL_EXTENT, fig3_panel_frame, neuron_title, run_color, svg,
};
use std::hint::black_box;

fn fig3_panels(c: &mut Criterion) {
    let mut session = Session::new(&SessionConfig {
        preset: "fig3-good-pm".into(),
        seed: 0,
        lr: None,
        integrator: None,
    })
    .unwrap();
    session.step(u32::try_from(T_STAR).unwrap()).unwrap();
    // The panel `figures::draw_fig3_neuron` draws for neuron 1.
    let c1 = session.trainer().c_initial()[0];
    let title = neuron_title(0, c1, quadric_kind(c1));
    let (centre, extent) = fig3_panel_frame(&session, 0);
    let inset = QuadricPanel {
        title: &title,
        c: c1,
        trajectory: session.trajectory(0),
        yaw: 0.6,
        pitch: 0.35,
        extent,
        centre,
        color: run_color(session.verdict().as_ref()),
        overview: Some(PANEL_EXTENT),
    };
    let no_inset = QuadricPanel {
        overview: None,
        ..inset
    };
    let mut group = c.benchmark_group("fig3_panel");
    for side in [420, 190] {
        for (name, panel) in [("inset", &inset), ("no_inset", &no_inset)] {
            group.bench_function(format!("svg_{side}_{name}"), |b| {
                b.iter(|| black_box(svg(side, side, |a| draw_quadric_panel(a, panel)).unwrap()))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, fig3_panels);
criterion_main!(benches);
