//! Criterion benchmarks of one plain gradient-descent step (loss, analytic gradient, update and
//! the trainer's bookkeeping) for the `fig3-good-pm` preset (n = 200, d = 2, l = 2, ½·MSE) and
//! for `fig4` at l = 16 (n = 456, d = 30, BCE): `cargo bench --bench gd`. Criterion prints the
//! time per step; steps per second is its inverse. BENCHMARKS.md has the figures and the
//! side-by-side comparison with numpy and PyTorch (`scripts/bench.sh`).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use relu_obstruction::core::train::{Integrator, Trainer};
use relu_obstruction::experiments::presets::Preset;
use std::hint::black_box;

fn gd_steps(c: &mut Criterion) {
    let mut group = c.benchmark_group("gd_step");
    group.throughput(Throughput::Elements(1));
    for name in ["fig3-good-pm", "fig4"] {
        let ex = Preset::parse(name).unwrap().build(0).unwrap();
        // As `obstruction bench`: a tiny learning rate keeps the run finite however long it lasts.
        let mut trainer = Trainer::new(ex.net, &ex.train, 1e-6, Integrator::Gd).unwrap();
        let id = if name == "fig4" { "fig4_l16" } else { name };
        group.bench_function(id, |b| b.iter(|| black_box(trainer.step().unwrap())));
    }
    group.finish();
}

criterion_group!(benches, gd_steps);
criterion_main!(benches);
