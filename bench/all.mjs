// The side-by-side benchmark: the demo (wasm in headless Chromium, and natively `obstruction bench`)
// against what a user would otherwise script (numpy, PyTorch, TensorFlow.js), on the same data from
// the same θ₀, on this machine in one go, timed in interleaved ROUNDS so that whatever load the
// machine has falls on every contestant alike.
//   node bench/all.mjs     (scripts/bench.sh installs and builds everything first)
//
// Protocol (BENCHMARKS.md describes it for readers):
// - Every contestant is started once and kept: the demo's page with its BenchRuns, the TF.js pages
//   (bench/tfjs.mjs), the Python peers in their --serve mode (bench/served.mjs). Each does its
//   correctness check once, at start, before any timing.
// - Then BENCH_ROUNDS rounds. A round times every contestant one after another, one window per
//   figure (fig3-good-pm, then fig4 at l = 16) of BENCH_SECONDS / 5 each, with η = 1e-6 and the
//   batch calibrated once per contestant (bench/timing.mjs). Odd rounds go first to last, even
//   rounds last to first, so that a trend in the load does not always favour the same side. The
//   native CLI has no served mode: each round runs `obstruction bench --seconds WINDOW`, which
//   spends the same time per figure (5 sub-windows of WINDOW / 5; its median counts).
// - Per figure and contestant: the median over the rounds. Per peer: the ratio demo / peer is
//   taken within each round, and the figure reported is the MEDIAN OF THESE PER-ROUND RATIOS. A
//   peer run in several configurations (numpy with 1 BLAS thread and the default, PyTorch with 1
//   thread and every core, TF.js's backends and variants) counts with the configuration of the
//   smallest median ratio: the one that comes closest to the demo. Goals are judged on that ratio.
// - The Fig. 4 sweep (browser Web Workers against a numpy multiprocessing pool): BENCH_SWEEP_ROUNDS
//   rounds, alternating which goes first; the median of the per-round ratios numpy s / browser s.
// - Measured once: the 3-D panel redraw, the heatmaps, the first drawn frame (median of 9 cold
//   navigations after one unmeasured, with its split from the Performance API) and the wasm size
//   (bench/browser.mjs).
// Prints markdown tables; writes every round's raw figures to bench-out/bench.json.
//
// Environment:
//   BENCH_SECONDS       timing budget per figure and contestant in a round, 5 windows' worth: a
//                       round's window is BENCH_SECONDS / 5 (default 3, so 0.6 s windows)
//   BENCH_ROUNDS        rounds of the steps/s figures (default 5)
//   BENCH_SWEEP_ROUNDS  rounds of the Fig. 4 sweep (default 3)
//   BENCH_TORCH=0       skip PyTorch (otherwise it is skipped only when `import torch` fails)
//   PYTHON              the peers' python (default bench/peers/.venv/bin/python); a relative path
//                       is taken from the current directory
//   OBSTRUCTION_BIN     the native CLI (default $CARGO_TARGET_DIR/release/obstruction or target/)
//   DIST                the built web app (default dist/)
//   CHROMIUM            the browser (default Debian's chromium on PATH)

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ROOT, DIST, BIN, serveDist, launch } from "../tests/e2e/harness.mjs";
import { loadAverage, median } from "./timing.mjs";
import { ServedProcess } from "./served.mjs";
import { openDemo, pageFigures } from "./browser.mjs";
import { nativeSweep, openSweepPage, SWEEP_ARGS } from "./fig4-sweep.mjs";
import { serveTfjs, openTfjs, TFJS_CONFIGS, TFJS_VARIANTS } from "./tfjs.mjs";

const log = (msg) => process.stderr.write(`bench: ${msg}\n`);
const die = (msg) => {
  process.stderr.write(`bench: error: ${msg}\n`);
  process.exit(1);
};

function positive(name, fallback, integer) {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!(value > 0) || (integer && !Number.isInteger(value))) die(`${name}=${raw} is not a ${integer ? "positive whole number" : "positive number"}`);
  return value;
}
const SECONDS = positive("BENCH_SECONDS", 3, false);
const WINDOW = SECONDS / 5;
const ROUNDS = positive("BENCH_ROUNDS", 5, true);
const SWEEP_ROUNDS = positive("BENCH_SWEEP_ROUNDS", 3, true);
const TORCH = process.env.BENCH_TORCH !== "0";
// A bare name ("python3") is looked up on PATH; a path is made absolute, since the peers run with
// bench/peers/ as their working directory.
const PY_RAW = process.env.PYTHON || path.join(ROOT, "bench/peers/.venv/bin/python");
const PY = PY_RAW.includes("/") ? path.resolve(PY_RAW) : PY_RAW;
const PEERS = path.join(ROOT, "bench/peers");
const OUT = path.join(ROOT, "bench-out");

if (!fs.existsSync(BIN)) die(`the native CLI is not at ${BIN}: build it (cargo build --release --bin obstruction) or set OBSTRUCTION_BIN`);
if (PY.includes("/") && !fs.existsSync(PY)) die(`the peers' python is not at ${PY}: create the venv (scripts/bench.sh does) or set PYTHON`);
fs.mkdirSync(OUT, { recursive: true });

const exec = async (file, args) => (await promisify(execFile)(file, args, { encoding: "utf8", maxBuffer: 1 << 28 })).stdout;
// The OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE overrides of this VM slow a current numpy, so they are
// removed for the peers' runs (and only there).
const peerEnv = (extra = {}) => {
  const env = { ...process.env, ...extra };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
};

// The figures timed in rounds. checkSteps: the float64 peers' check (to 1e-9 relative);
// tfjsCheckSteps: TF.js's (float32, to 1e-3), where the loss is still far above float32's
// resolution (after 1000 steps fig3-good-pm's loss is 3e-11, which float32 cannot follow).
const FIGURES = [
  { key: "fig3", preset: "fig3-good-pm", native: "fig3_good_pm_steps_per_s", checkSteps: 1000, tfjsCheckSteps: 100, goals: { numpy: [20], tfjs: [30] } },
  { key: "fig4", preset: "fig4", native: "fig4_l16_steps_per_s", checkSteps: 500, tfjsCheckSteps: 500, goals: { numpy: [1, 1.5], tfjs: [2] } },
];
const FAMILY_NAMES = { numpy: "numpy", pytorch: "PyTorch", tfjs: "TF.js" };

const started = new Date();
const loadAtStart = loadAverage();
log(`load average (1 min) at start: ${loadAtStart}; ${ROUNDS} round(s) of ${WINDOW} s windows, ${SWEEP_ROUNDS} sweep round(s)`);

const closers = [];
const contestants = [];
let browser;
let server;
let failure = null;
const out = {};
try {
  // 1. The exact data and θ₀ of the Rust core, and its losses for the checks.
  for (const fig of FIGURES) {
    fig.exportFile = path.join(OUT, `${fig.preset}.json`);
    const text = await exec(BIN, ["export", "--preset", fig.preset]);
    fs.writeFileSync(fig.exportFile, text);
    fig.exported = JSON.parse(text);
    const loss = async (steps) => JSON.parse(await exec(BIN, ["train", "--preset", fig.preset, "--steps", String(steps)])).final_loss;
    fig.expected = await loss(fig.checkSteps);
    fig.tfjsExpected = await loss(fig.tfjsCheckSteps);
    const a = fig.exported.arch;
    fig.label = `GD steps/s, \`${fig.preset}\` (n = ${fig.exported.train.n}, d = ${a.d}, l = ${a.l}, ${a.loss.toUpperCase()})`;
  }

  // 2. The browser, and what is measured once in it (before anything else is started).
  server = await serveDist();
  browser = await launch();
  log("browser: page figures (first frames, 3-D redraw, heatmaps, wasm size)");
  out.page = await pageFigures(browser, server);

  // 3. The contestants, each started and checked once, one after another.
  log("demo: the page with its BenchRuns");
  const demo = await openDemo(browser, server);
  closers.push(() => demo.close());
  contestants.push({
    id: "demo",
    family: "demo",
    label: "demo (wasm, Chromium)",
    time: async (fig) => demo.time(fig.key, WINDOW),
  });

  let nativeRound = null;
  contestants.push({
    id: "native",
    family: "native",
    label: "native CLI (1 thread)",
    // One `obstruction bench` per round gives both figures; the fig3 call runs it.
    time: async (fig) => {
      if (fig.key === FIGURES[0].key) nativeRound = JSON.parse(await exec(BIN, ["bench", "--seconds", String(WINDOW)]));
      return { steps_per_s: nativeRound[fig.native], best_sub_window: nativeRound[`${fig.native}_best`], sub_windows: nativeRound.rounds };
    },
  });

  // Python peers: one served process per configuration and figure.
  const served = async (id, family, label, script, extraArgs, env) => {
    const procs = {};
    const checks = [];
    for (const fig of FIGURES) {
      const args = [script, fig.exportFile, "--check-steps", String(fig.checkSteps), "--expect-loss", String(fig.expected), "--serve", ...extraArgs];
      const proc = new ServedProcess(`${id} ${fig.preset}`, PY, args, { cwd: PEERS, env: peerEnv(env) });
      closers.push(() => proc.close());
      const ready = await proc.next();
      checks.push({ preset: fig.preset, steps: fig.checkSteps, ...ready });
      procs[fig.key] = proc;
    }
    contestants.push({ id, family, label, checks, info: { version: checks[0].version }, time: async (fig) => procs[fig.key].request(`time ${WINDOW}`) });
  };
  log("numpy: starting and checking (1 BLAS thread, default threads)");
  await served("numpy-1", "numpy", "numpy, 1 BLAS thread", "gd_numpy.py", [], { OPENBLAS_NUM_THREADS: "1" });
  await served("numpy-default", "numpy", "numpy, default BLAS threads", "gd_numpy.py", [], {});
  out.pytorch = { ran: false };
  if (TORCH) {
    const cores = os.cpus().length;
    log(`pytorch: starting and checking (1 thread, ${cores} threads)`);
    try {
      await served("pytorch-1", "pytorch", "PyTorch, 1 thread", "gd_torch.py", ["--threads", "1"], {});
      await served(`pytorch-${cores}`, "pytorch", `PyTorch, ${cores} threads`, "gd_torch.py", ["--threads", String(cores)], {});
      out.pytorch.ran = true;
    } catch (err) {
      // Only a missing PyTorch is skipped: a failed check or a crash stops the benchmark.
      if (!/No module named '?torch'?/.test(err.message)) throw err;
      for (let i = contestants.length - 1; i >= 0; i--) if (contestants[i].family === "pytorch") contestants.splice(i, 1);
      out.pytorch.skipped = "PyTorch is not installed in the peers' venv";
      log(`${out.pytorch.skipped}; its column is empty (BENCH_TORCH=0 skips it without trying)`);
    }
  } else {
    out.pytorch.skipped = "BENCH_TORCH=0";
  }

  log("TF.js: bundling, then one page per backend configuration, checking both variants");
  const tfServer = await serveTfjs();
  closers.push(() => tfServer.close());
  out.tfjs = { packages: tfServer.versions, bundle_bytes: tfServer.bundle_bytes, configs: [] };
  const tfPresets = FIGURES.map((fig) => ({ key: fig.key, name: fig.preset, exported: fig.exported, checkSteps: fig.tfjsCheckSteps, expectedLoss: fig.tfjsExpected }));
  for (const config of TFJS_CONFIGS) {
    const peer = await openTfjs(browser, tfServer, config, tfPresets);
    closers.push(() => peer.close());
    out.tfjs.configs.push({ id: config.id, isolated: config.isolated, info: peer.info, checks: peer.checks, live_tensors: peer.tensors });
    for (const variant of TFJS_VARIANTS) {
      contestants.push({
        id: `tfjs-${config.id}-${variant}`,
        family: "tfjs",
        label: `TF.js ${config.id}, ${variant}`,
        info: peer.info,
        checks: peer.checks.filter((c) => c.variant === variant),
        time: async (fig) => peer.time(variant, fig.key, WINDOW),
      });
    }
  }

  // 4. The rounds.
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? contestants : [...contestants].reverse();
    const round = { round: r + 1, order: order.map((c) => c.id), started_at: new Date().toISOString(), load_at_start: loadAverage(), figures: {} };
    for (const c of order) {
      round.figures[c.id] = {};
      // The native CLI's one call gives both figures, so it must see fig3 first in every round.
      for (const fig of FIGURES) round.figures[c.id][fig.key] = await c.time(fig);
    }
    round.load_at_end = loadAverage();
    round.ratios = {};
    for (const fig of FIGURES) {
      const demoRate = round.figures.demo[fig.key].steps_per_s;
      round.ratios[fig.key] = Object.fromEntries(
        contestants.filter((c) => c.id !== "demo").map((c) => [c.id, demoRate / round.figures[c.id][fig.key].steps_per_s]),
      );
    }
    rounds.push(round);
    log(
      `round ${r + 1}/${ROUNDS} (load ${round.load_at_start} → ${round.load_at_end}): demo ${FIGURES.map((fig) => `${fig.key} ${fmt(round.figures.demo[fig.key].steps_per_s)}`).join(", ")} steps/s`,
    );
  }
  out.rounds = rounds;

  // The steps/s contestants are done: close them before the sweep needs both cores.
  for (const close of closers.splice(0).reverse()) await close();

  // 5. The Fig. 4 sweep: native once (the reference rows), then browser and numpy pool in rounds.
  log("sweep: native once, for the rows every other run must equal");
  const native = await nativeSweep(BIN);
  const sweepExport = path.join(OUT, "sweep-export.json");
  const sweepNative = path.join(OUT, "sweep-native.json");
  fs.writeFileSync(sweepExport, await exec(BIN, ["export-sweep", ...SWEEP_ARGS]));
  fs.writeFileSync(sweepNative, JSON.stringify(native.result));
  const pool = new ServedProcess("numpy sweep", PY, ["sweep_numpy.py", sweepExport, sweepNative, "--serve"], { cwd: PEERS, env: peerEnv() });
  closers.push(() => pool.close());
  const poolReady = (await pool.next()).ready;
  const sweepPage = await openSweepPage(browser, server, native.result.rows);
  closers.push(() => sweepPage.close());
  const sweepRounds = [];
  for (let r = 0; r < SWEEP_ROUNDS; r++) {
    const round = { round: r + 1, order: r % 2 === 0 ? ["browser", "numpy"] : ["numpy", "browser"], load_at_start: loadAverage() };
    for (const who of round.order) round[who] = who === "browser" ? await sweepPage.run() : await pool.request("run");
    round.load_at_end = loadAverage();
    round.ratio = round.numpy.seconds / round.browser.seconds;
    sweepRounds.push(round);
    log(`sweep round ${r + 1}/${SWEEP_ROUNDS}: browser ${fmt(round.browser.seconds)} s, numpy pool ${fmt(round.numpy.seconds)} s`);
  }
  out.sweep = { native_seconds_one_thread: native.seconds, numpy_pool: poolReady, rounds: sweepRounds };
  out.chromium = browser.version();
} catch (err) {
  failure = err;
} finally {
  for (const close of closers.reverse()) {
    try {
      await close();
    } catch (err) {
      log(`while closing: ${err.message}`);
    }
  }
  if (browser) await browser.close();
  if (server) await server.close();
}
// The stack after the message: the message says what failed, the stack where.
if (failure) die(failure.stack || String(failure));

// 6. Summaries, tables and the JSON.
function fmt(x) {
  if (x === undefined || x === null || !Number.isFinite(x)) return "—";
  return x >= 100 ? Math.round(x).toLocaleString("en") : x.toPrecision(3);
}
const bytes = (n) => `${n.toLocaleString("en")} B`;
const range = (xs) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;

const summary = {};
for (const fig of FIGURES) {
  const per = {};
  for (const c of contestants) {
    const rates = out.rounds.map((r) => r.figures[c.id][fig.key].steps_per_s);
    const entry = { label: c.label, family: c.family, median_steps_per_s: median(rates), per_round_steps_per_s: rates };
    if (c.id !== "demo") {
      const ratios = out.rounds.map((r) => r.ratios[fig.key][c.id]);
      entry.median_ratio = median(ratios);
      entry.per_round_ratios = ratios;
    }
    per[c.id] = entry;
  }
  // Per family, the configuration closest to the demo (smallest median per-round ratio).
  const counted = {};
  for (const family of Object.keys(FAMILY_NAMES)) {
    const ids = Object.keys(per).filter((id) => per[id].family === family);
    if (ids.length) counted[family] = ids.reduce((a, b) => (per[b].median_ratio < per[a].median_ratio ? b : a));
  }
  summary[fig.key] = { preset: fig.preset, label: fig.label, contestants: per, counted };
}
const sweepRatios = out.sweep.rounds.map((r) => r.ratio);
const sweepSummary = {
  browser_median_seconds: median(out.sweep.rounds.map((r) => r.browser.seconds)),
  numpy_median_seconds: median(out.sweep.rounds.map((r) => r.numpy.seconds)),
  median_ratio_numpy_over_browser: median(sweepRatios),
  per_round_ratios: sweepRatios,
};

const goals = [];
for (const fig of FIGURES) {
  for (const [family, [goal, aim]] of Object.entries(fig.goals)) {
    const id = summary[fig.key].counted[family];
    const c = id && summary[fig.key].contestants[id];
    const ratio = c?.median_ratio;
    goals.push({
      goal: `\`${fig.preset}\`: demo ≥ ${goal} × ${FAMILY_NAMES[family]}${family === "tfjs" ? " (fastest variant)" : ""}${aim ? ` (aim ${aim} ×)` : ""}`,
      against: c ? c.label : "not run",
      median_ratio: ratio,
      range: c ? range(c.per_round_ratios) : "—",
      met: ratio === undefined ? null : ratio >= goal,
      aim_met: aim && ratio !== undefined ? ratio >= aim : undefined,
    });
  }
}
goals.push({
  goal: "Fig. 4 sweep: browser (Web Workers) faster than the numpy pool",
  against: `numpy, Pool of ${out.sweep.numpy_pool.processes}`,
  median_ratio: sweepSummary.median_ratio_numpy_over_browser,
  range: range(sweepRatios),
  met: sweepSummary.median_ratio_numpy_over_browser > 1,
});

const cell = (fig, family) => {
  const s = summary[fig.key];
  const id = s.counted[family];
  return id ? `${fmt(s.contestants[id].median_steps_per_s)} (${s.contestants[id].label.replace(/^(numpy|PyTorch|TF\.js),? /, "")})` : "—";
};
const ratioCell = (fig, family) => {
  const id = summary[fig.key].counted[family];
  return id ? `${fmt(summary[fig.key].contestants[id].median_ratio)} ×` : "—";
};
const page = out.page;
const ff = page.first_frame_ms;
const lines = [
  `Medians over ${ROUNDS} interleaved round(s) (${WINDOW} s windows); each ratio is the median of the per-round ratios, against the configuration of each peer closest to the demo.`,
  "",
  `| figure | native (1 thread) | demo (wasm, Chromium) | numpy | PyTorch | TF.js (fastest) | demo / numpy | demo / PyTorch | demo / TF.js | rounds |`,
  `|---|---|---|---|---|---|---|---|---|---|`,
  ...FIGURES.map((fig) => {
    const s = summary[fig.key].contestants;
    return `| ${fig.label} | ${fmt(s.native.median_steps_per_s)} | ${fmt(s.demo.median_steps_per_s)} | ${cell(fig, "numpy")} | ${cell(fig, "pytorch")} | ${cell(fig, "tfjs")} | ${ratioCell(fig, "numpy")} | ${ratioCell(fig, "pytorch")} | ${ratioCell(fig, "tfjs")} | ${ROUNDS} |`;
  }),
  `| Fig. 4 sweep wall time, s (108 jobs × 500 steps; Web Workers / Pool on every core; native: one run) | ${fmt(out.sweep.native_seconds_one_thread)} | ${fmt(sweepSummary.browser_median_seconds)} | ${fmt(sweepSummary.numpy_median_seconds)} | — | — | ${fmt(sweepSummary.median_ratio_numpy_over_browser)} × (numpy s / browser s) | — | — | ${SWEEP_ROUNDS} |`,
  "",
  `| goal | against | median per-round ratio | range over rounds | met |`,
  `|---|---|---|---|---|`,
  ...goals.map((g) => `| ${g.goal} | ${g.against} | ${g.median_ratio === undefined ? "—" : `${fmt(g.median_ratio)} ×`} | ${g.range} | ${g.met === null ? "—" : g.met ? "yes" : "no"}${g.aim_met === undefined ? "" : `; aim: ${g.aim_met ? "yes" : "no"}`} |`),
  "",
  `Every contestant (median steps/s over the rounds, range; demo / contestant, median of the per-round ratios, range):`,
  "",
  `| contestant | ${FIGURES.map((fig) => `\`${fig.preset}\` steps/s | demo / it`).join(" | ")} |`,
  `|---|${FIGURES.map(() => "---|---|").join("")}`,
  ...contestants.map(
    (c) =>
      `| ${c.label} | ${FIGURES.map((fig) => {
        const e = summary[fig.key].contestants[c.id];
        return `${fmt(e.median_steps_per_s)} (${range(e.per_round_steps_per_s)}) | ${e.median_ratio === undefined ? "—" : `${fmt(e.median_ratio)} × (${range(e.per_round_ratios)})`}`;
      }).join(" | ")} |`,
  ),
  "",
  `| round | order | load average (1 min) start → end | ${FIGURES.map((fig) => `\`${fig.preset}\`: demo steps/s; demo / numpy, / TF.js`).join(" | ")} |`,
  `|---|---|---|${FIGURES.map(() => "---|").join("")}`,
  ...out.rounds.map(
    (r) =>
      `| ${r.round} | ${r.order[0]} … ${r.order[r.order.length - 1]} | ${r.load_at_start} → ${r.load_at_end} | ${FIGURES.map((fig) => {
        const c = summary[fig.key].counted;
        return `${fmt(r.figures.demo[fig.key].steps_per_s)}; ${fmt(r.ratios[fig.key][c.numpy])} ×, ${fmt(r.ratios[fig.key][c.tfjs])} ×`;
      }).join(" | ")} |`,
  ),
  "",
  `| sweep round | order | load average start → end | browser, s | numpy pool, s | numpy / browser |`,
  `|---|---|---|---|---|---|`,
  ...out.sweep.rounds.map((r) => `| ${r.round} | ${r.order.join(", ")} | ${r.load_at_start} → ${r.load_at_end} | ${fmt(r.browser.seconds)} | ${fmt(r.numpy.seconds)} | ${fmt(r.ratio)} × |`),
  "",
  `| figure (measured once) | measured | goal | met |`,
  `|---|---|---|---|`,
  `| 3-D panel redraw (${page.redraw_3d_panel.width} × ${page.redraw_3d_panel.height}), median of ${page.redraw_3d_panel.redraws} | ${fmt(page.redraw_3d_panel.medianMs)} ms (90th percentile ${fmt(page.redraw_3d_panel.p90Ms)} ms) | ≤ 8 ms | ${page.redraw_3d_panel.medianMs <= 8 ? "yes" : "no"} |`,
  `| both appendix heatmaps (2 × 50 × 50), first view: compute / compute + draw | ${fmt(page.heatmaps.first_compute_ms)} ms / ${fmt(page.heatmaps.first_compute_and_draw_ms)} ms | — | |`,
  `| both appendix heatmaps, warm recompute + redraw, median of 7 | ${fmt(page.heatmaps.warm_compute_and_draw_median_ms)} ms | — | |`,
  `| navigation to first drawn frame (localhost, cold cache), median of ${ff.all.length}${ff.warmup_ms?.length ? ` (after ${ff.warmup_ms.length} unmeasured: ${ff.warmup_ms.map((x) => fmt(x)).join(", ")} ms)` : ""} | ${fmt(ff.median)} ms | ≤ 300 ms | ${ff.median <= 300 ? "yes" : "no"} |`,
  `| the first screen's wasm (all a reader of Fig. 3 loads), raw / gzip -9 | ${bytes(page.wasm_size_bytes.first_screen.raw)} / ${bytes(page.wasm_size_bytes.first_screen.gzip)} | gzip ≤ 280 KB | ${page.wasm_size_bytes.first_screen.gzip <= 280000 ? "yes" : "no"} |`,
  `| the whole wasm (loaded when another view opens), raw / gzip -9 | ${bytes(page.wasm_size_bytes.whole.raw)} / ${bytes(page.wasm_size_bytes.whole.gzip)} | — | |`,
  "",
  `The first drawn frame, split (the page's clock, 0 = navigation start; medians of ${ff.all.length} cold navigations):`,
  "",
  `| entry | start, ms | end or duration, ms | in navigations |`,
  `|---|---|---|---|`,
  `| HTML received (navigation responseEnd) | — | ${fmt(ff.split.navigation_response_end_ms)} | ${ff.all.length} |`,
  `| DOMContentLoaded (end) | — | ${fmt(ff.split.dom_content_loaded_ms)} | ${ff.all.length} |`,
  `| wasm fetch (${ff.split.wasm_file ?? "none seen"}) | ${fmt(ff.split.wasm_fetch_start_ms)} | ${fmt(ff.split.wasm_response_end_ms)} (end) | ${ff.navigations.filter((n) => n.wasm_fetches.length).length} |`,
  ...ff.split.marks.map((m) => `| mark \`${m.name}\` | ${fmt(m.median_start_ms)} | — | ${m.navigations}${m.entries > m.navigations ? ` (${m.entries} entries)` : ""} |`),
  ...ff.split.measures.map((m) => `| measure \`${m.name}\` | ${fmt(m.median_start_ms)} | ${fmt(m.median_duration_ms)} (duration) | ${m.navigations}${m.entries > m.navigations ? ` (${m.entries} entries)` : ""} |`),
  `| first drawn frame | — | ${fmt(ff.median)} | ${ff.all.length} |`,
  ...(ff.split.marks.length || ff.split.measures.length ? [] : ["", "(The page recorded no performance marks or measures.)"]),
];

const exp = (x) => x.toExponential(1);
const checks = [
  ...contestants.filter((c) => c.family === "numpy" || c.family === "pytorch").flatMap((c) =>
    c.checks.map((k) => `${c.label}, \`${k.preset}\`, ${k.steps} steps: final loss ${k.final_loss} vs the core's ${k.expected_loss} (relative ${exp(k.relative_difference)})`),
  ),
  ...out.tfjs.configs.flatMap((cfg) =>
    cfg.checks.map((k) => `TF.js ${cfg.id}, ${k.variant}, \`${k.preset}\`, ${k.steps} steps (float32): final loss ${k.final_loss} vs the core's ${k.expected_loss} (relative ${exp(k.relative_difference)})`),
  ),
  `numpy sweep: ${out.sweep.rounds[0].numpy.rows} rows each round, worst relative difference to the core's ${exp(Math.max(...out.sweep.rounds.map((r) => r.numpy.max_relative_difference)))}; browser sweep: max abs difference ${Math.max(...out.sweep.rounds.map((r) => r.browser.max_abs_difference))}`,
];
const tfInfo = out.tfjs.configs.map((cfg) => {
  const i = cfg.info;
  if (i.backend !== "wasm") return `${cfg.id}: the ${i.backend} backend`;
  const threads = i.wasm_multithread ? `threaded build, ${i.wasm_threads_count} thread${i.wasm_threads_count === 1 ? "" : "s"} in its pool` : "single-threaded build";
  return `${cfg.id}: ${i.wasm_binary.join(", ") || "no .wasm seen"} (SIMD ${i.wasm_simd ? "yes" : "no"}, ${threads}; cross-origin isolated ${i.cross_origin_isolated ? "yes" : "no"})`;
});
const loadAtEnd = loadAverage();

const all = {
  started_at: started.toISOString(),
  finished_at: new Date().toISOString(),
  settings: { bench_seconds: SECONDS, window_seconds: WINDOW, rounds: ROUNDS, sweep_rounds: SWEEP_ROUNDS, torch: TORCH, python: PY, obstruction_bin: BIN, dist: DIST },
  machine: { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model, node: process.version, chromium: out.chromium },
  load_average_at_start: loadAtStart,
  load_average_at_end: loadAtEnd,
  contestants: contestants.map(({ id, family, label, info, checks: c }) => ({ id, family, label, info, checks: c })),
  rounds: out.rounds,
  summary,
  sweep: { ...out.sweep, summary: sweepSummary },
  goals,
  page: out.page,
  pytorch: out.pytorch,
  tfjs: out.tfjs,
};
fs.writeFileSync(path.join(OUT, "bench.json"), JSON.stringify(all, null, 2));
console.log(lines.join("\n"));
console.log("\nSame arithmetic checked:\n- " + checks.join("\n- "));
console.log(
  `\nTF.js ${out.tfjs.packages["@tensorflow/tfjs-core"]} (tfjs-core with its gradients, tfjs-backend-cpu, tfjs-backend-wasm; bundled by esbuild, ${Math.round(out.tfjs.bundle_bytes / 1024)} KB): ${tfInfo.join("; ")}.` +
    (out.pytorch.skipped ? ` PyTorch: not run (${out.pytorch.skipped}).` : ""),
);
console.log(
  `\nLoad average (1 min) at start ${loadAtStart}, at end ${loadAtEnd}; ${os.cpus().length} cores, Chromium ${out.chromium}, node ${process.version}. Every round's raw figures are in bench-out/bench.json.`,
);
