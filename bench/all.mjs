// The side-by-side benchmark: the demo (native `obstruction bench`, wasm in headless Chromium via
// bench/browser.mjs, the Fig. 4 sweep via bench/fig4-sweep.mjs) and its peers (bench/peers: numpy
// and PyTorch doing the same gradient descent on the same data from the same θ₀, and the same
// Fig. 4 sweep in numpy over every core), on this machine in one go. Prints every figure and the
// ratios as a table, and writes everything as JSON to bench-out/bench.json.
//   node bench/all.mjs     (scripts/bench.sh builds and installs everything first)
// Environment: BENCH_SECONDS (timing budget per figure, default 3), PYTHON (the peers' venv python),
// BENCH_TORCH=0 to skip PyTorch, OBSTRUCTION_BIN (default $CARGO_TARGET_DIR/release/obstruction).

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { ROOT } from "../tests/e2e/harness.mjs";

const SECONDS = process.env.BENCH_SECONDS || "3";
const BIN = process.env.OBSTRUCTION_BIN || path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, "target"), "release/obstruction");
const PY = process.env.PYTHON || path.join(ROOT, "bench/peers/.venv/bin/python");
const PEERS = path.join(ROOT, "bench/peers");
const OUT = path.join(ROOT, "bench-out");
fs.mkdirSync(OUT, { recursive: true });

const log = (msg) => process.stderr.write(`bench: ${msg}\n`);
const run = (file, args, env = {}) => execFileSync(file, args, { encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
const json = (file, args, env) => JSON.parse(run(file, args, env));
// Peers: the OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE overrides of this VM slow a current numpy, so
// they are removed for the peers' runs (and only there).
const peerEnv = (extra) => {
  const env = { ...process.env, ...extra };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
};
const py = (args, extra = {}) => JSON.parse(execFileSync(PY, args, { cwd: PEERS, encoding: "utf8", maxBuffer: 1 << 28, env: peerEnv(extra), stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").pop());

const load = Number(os.loadavg()[0].toFixed(2));
log(`load average at start: ${load}`);

// 1. The demo, natively and in the browser.
log("native: obstruction bench");
const native = json(BIN, ["bench", "--seconds", SECONDS]);
log("browser: bench/browser.mjs");
const web = json("node", [path.join(ROOT, "bench/browser.mjs")], { BENCH_SECONDS: SECONDS });
log("browser: bench/fig4-sweep.mjs (the default sweep, native one thread and in Web Workers)");
const sweep = json("node", [path.join(ROOT, "bench/fig4-sweep.mjs")], { OBSTRUCTION_BIN: BIN });

// 2. The peers, on the exact data and θ₀ of the Rust core.
const presets = [
  { name: "fig3-good-pm", key: "fig3", checkSteps: 1000, label: "GD steps/s, `fig3-good-pm` (n = 200, d = 2, l = 2)" },
  { name: "fig4", key: "fig4_l16", checkSteps: 500, label: "GD steps/s, `fig4` at l = 16 (n = 455, d = 30, BCE)" },
];
const peers = {};
for (const p of presets) {
  const exportFile = path.join(OUT, `${p.name}.json`);
  fs.writeFileSync(exportFile, run(BIN, ["export", "--preset", p.name]));
  const expect = String(json(BIN, ["train", "--preset", p.name, "--steps", String(p.checkSteps)]).final_loss);
  const common = [exportFile, "--check-steps", String(p.checkSteps), "--expect-loss", expect, "--seconds", SECONDS];
  // Fair to each peer: one BLAS/intra-op thread and every core are both tried; the faster counts.
  log(`numpy: ${p.name}`);
  const np = [py(["gd_numpy.py", ...common], { OPENBLAS_NUM_THREADS: "1" }), py(["gd_numpy.py", ...common])];
  np[0].threads = 1;
  np[1].threads = "default";
  peers[`numpy_${p.key}`] = { ...np.reduce((a, b) => (b.steps_per_s > a.steps_per_s ? b : a)), tried: np };
  if (process.env.BENCH_TORCH !== "0") {
    try {
      log(`pytorch: ${p.name}`);
      const th = [1, os.cpus().length].map((t) => py(["gd_torch.py", ...common, "--threads", String(t)]));
      peers[`torch_${p.key}`] = { ...th.reduce((a, b) => (b.steps_per_s > a.steps_per_s ? b : a)), tried: th };
    } catch (err) {
      log(`PyTorch could not run (${String(err.message).split("\n")[0]}); skipped`);
    }
  }
}
log("numpy: the Fig. 4 sweep (multiprocessing over every core)");
const sweepExport = path.join(OUT, "sweep-export.json");
const sweepNative = path.join(OUT, "sweep-native.json");
fs.writeFileSync(sweepExport, run(BIN, ["export-sweep", "--widths", "1,2,4,8,16", "--seeds", "3"]));
fs.writeFileSync(sweepNative, run(BIN, ["sweep", "--widths", "1,2,4,8,16", "--seeds", "3", "--steps", "500", "--lr", "0.1"]));
const npSweep = py(["sweep_numpy.py", sweepExport, sweepNative]);

// 3. The table.
const f = (x, unit = "") => (x === undefined ? "—" : (x >= 100 ? Math.round(x).toLocaleString("en") : x.toPrecision(3)) + unit);
const rows = [];
for (const p of presets) {
  const w = web.wasm[`${p.key}_steps_per_s`];
  const np = peers[`numpy_${p.key}`];
  const th = peers[`torch_${p.key}`];
  rows.push({
    figure: p.label,
    native: native[`${p.key === "fig3" ? "fig3_good_pm" : "fig4_l16"}_steps_per_s`],
    demo: w,
    numpy: np.steps_per_s,
    torch: th && th.steps_per_s,
    ratio_numpy: w / np.steps_per_s,
    ratio_torch: th && w / th.steps_per_s,
    goal: p.key === "fig3" ? "wasm ≥ 20 × numpy" : "wasm ≥ numpy",
    met: p.key === "fig3" ? w >= 20 * np.steps_per_s : w >= np.steps_per_s,
  });
}
rows.push({
  figure: "Fig. 4 sweep wall time, s (108 jobs × 500 steps; Web Workers / Pool on every core)",
  native: sweep.native_seconds_one_thread,
  demo: sweep.browser_seconds,
  numpy: npSweep.seconds,
  ratio_numpy: npSweep.seconds / sweep.browser_seconds,
  goal: "browser faster than numpy",
  met: sweep.browser_seconds < npSweep.seconds,
});
const lines = [
  `| figure | native (1 thread) | demo (wasm, Chromium) | numpy | PyTorch | demo / numpy | demo / PyTorch | goal | met |`,
  `|---|---|---|---|---|---|---|---|---|`,
  ...rows.map((r) => `| ${r.figure} | ${f(r.native)} | ${f(r.demo)} | ${f(r.numpy)} | ${f(r.torch)} | ${f(r.ratio_numpy)} × | ${r.ratio_torch === undefined ? "—" : f(r.ratio_torch) + " ×"} | ${r.goal} | ${r.met ? "yes" : "no"} |`),
  "",
  `| figure | measured | goal | met |`,
  `|---|---|---|---|`,
  `| 3-D panel redraw (${web.redraw_3d_panel.width} × ${web.redraw_3d_panel.height}), median of ${web.redraw_3d_panel.redraws} | ${f(web.redraw_3d_panel.medianMs)} ms (90th percentile ${f(web.redraw_3d_panel.p90Ms)} ms) | ≤ 8 ms | ${web.redraw_3d_panel.medianMs <= 8 ? "yes" : "no"} |`,
  `| both appendix heatmaps (2 × 50 × 50), first view: compute / compute + draw | ${f(web.heatmaps.first_compute_ms)} ms / ${f(web.heatmaps.first_compute_and_draw_ms)} ms | — | |`,
  `| both appendix heatmaps, warm recompute + redraw, median of 7 | ${f(web.heatmaps.warm_compute_and_draw_median_ms)} ms | — | |`,
  `| navigation to first drawn frame (localhost, cold cache), median of 5 | ${f(web.first_frame_ms.median)} ms | — | |`,
  `| wasm size raw / gzip -9 | ${web.wasm_size_bytes.raw.toLocaleString("en")} B / ${web.wasm_size_bytes.gzip.toLocaleString("en")} B | gzip ≤ 300 KB | ${web.wasm_size_bytes.gzip <= 300000 ? "yes" : "no"} |`,
];
const checks = [
  ...Object.values(peers).map((p) => `${p.peer}: final loss ${p.final_loss} vs the core's ${p.expected_loss} (relative ${p.relative_difference.toExponential(1)})`),
  `numpy sweep: ${npSweep.rows} rows, worst relative difference to the core's ${npSweep.max_relative_difference.toExponential(1)}; browser sweep: max abs difference ${sweep.max_abs_difference}`,
];
const all = { load_average_at_start: load, load_average_at_end: Number(os.loadavg()[0].toFixed(2)), seconds: Number(SECONDS), native, web, sweep, peers, numpy_sweep: npSweep, rows };
fs.writeFileSync(path.join(OUT, "bench.json"), JSON.stringify(all, null, 2));
console.log(lines.join("\n"));
console.log("\nSame arithmetic checked:\n- " + checks.join("\n- "));
console.log(`\nLoad average (1 min) at start ${load}, at end ${all.load_average_at_end}; every figure is a median of timed windows (bench-out/bench.json has the best ones too).`);
