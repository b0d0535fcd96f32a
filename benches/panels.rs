//! Criterion benchmarks of drawing one Fig. 3 neuron panel (`cargo bench --bench panels`): the
//! good run's neuron 1 at t*, framed on its path (so with the overview inset), into an SVG string
//! of 420 × 420 pixels (a quarter of the figure on a 1920 × 1080 screen) and of 190 × 190 (a
//! narrow window, no inset). A Fig. 3 frame draws four such panels; the page's canvas does the
//! same plotters calls, so this is the Rust side of a frame's drawing cost.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use relu_obstruction::app::fig3::T_STAR;
use relu_obstruction::app::session::{Session, SessionConfig};
use relu_obstruction::present::figures::{draw_fig3_neuron, svg};
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
    let mut group = c.benchmark_group("fig3_panel");
    for side in [420, 190] {
        group.bench_function(format!("svg_{side}"), |b| {
            b.iter(|| {
                black_box(svg(side, side, |a| draw_fig3_neuron(a, &session, 0, 0.6, 0.35)).unwrap())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, fig3_panels);
criterion_main!(benches);
