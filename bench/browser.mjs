// Browser benchmarks of relu-obstruction in headless Debian Chromium, next to the native figures
// of `obstruction bench` from the same machine and the same run of this script.
//   node bench/browser.mjs            (after `trunk build` and `cargo build --release`)
// Prints one JSON object; scripts/bench.sh formats it.

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { execFileSync } from "node:child_process";
import { ROOT, DIST, serveDist, launch, guardedPage } from "../tests/e2e/harness.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS || 2);

const native = JSON.parse(
  execFileSync(path.join(ROOT, "target/release/obstruction"), ["bench", "--seconds", String(SECONDS)], { encoding: "utf8" }),
);

const wasmFile = fs.readdirSync(DIST).find((f) => f.endsWith(".wasm"));
const wasmBytes = fs.readFileSync(path.join(DIST, wasmFile));
const size = { raw: wasmBytes.length, gzip: zlib.gzipSync(wasmBytes, { level: 9 }).length };

const server = await serveDist();
const browser = await launch();
const { page, problems, context } = await guardedPage(browser, { viewport: { width: 1400, height: 1000 } });
const t0 = Date.now();
await page.goto(server.url);
await page.waitForSelector("body[data-ready=true]");
const firstFrameMs = Date.now() - t0;

const web = await page.evaluate(async (seconds) => {
  const { wasm } = window.reluApp;
  // Like `obstruction bench`: calibrate a batch, then time 5 windows; report median and best.
  const stepsPerSecond = (preset) => {
    const run = new wasm.Run({ preset, seed: 0, lr: 1e-6 });
    const window = seconds / 5;
    let batch = 16;
    for (;;) {
      const t = performance.now();
      run.step(batch);
      if ((performance.now() - t) / 1000 >= window / 10) break;
      batch *= 2;
    }
    const rates = [];
    let total = 0;
    for (let r = 0; r < 5; r++) {
      const start = performance.now();
      let steps = 0;
      while ((performance.now() - start) / 1000 < window) {
        run.step(batch);
        steps += batch;
      }
      rates.push(steps / ((performance.now() - start) / 1000));
      total += steps;
    }
    run.free();
    rates.sort((a, b) => a - b);
    return { stepsPerSecond: rates[2], best: rates[4], steps: total };
  };
  const fig3 = stepsPerSecond("fig3-good-pm");
  const fig4 = stepsPerSecond("fig4");
  // Redraw of one 3-D panel at its on-page size, after 500 steps of trajectory.
  const canvas = document.getElementById("q-top-0");
  const run = new wasm.Run({ preset: "fig3-obstructed-pp", seed: 0 });
  run.step(500);
  const times = [];
  for (let i = 0; i < 80; i++) {
    const t = performance.now();
    run.drawNeuron(canvas, 0, 0.6 + i * 0.02, 0.35);
    times.push(performance.now() - t);
  }
  run.free();
  times.sort((a, b) => a - b);
  return { fig3, fig4, redraw: { medianMs: times[times.length >> 1], p90Ms: times[Math.floor(times.length * 0.9)], width: canvas.width, height: canvas.height } };
}, SECONDS);

await context.close();
await browser.close();
await server.close();
if (problems.length) throw new Error(problems.join("\n"));

console.log(
  JSON.stringify(
    {
      native: {
        fig3_steps_per_s: native.fig3_good_pm_steps_per_s,
        fig3_steps_per_s_best: native.fig3_good_pm_steps_per_s_best,
        fig4_l16_steps_per_s: native.fig4_l16_steps_per_s,
        fig4_l16_steps_per_s_best: native.fig4_l16_steps_per_s_best,
      },
      wasm: {
        fig3_steps_per_s: web.fig3.stepsPerSecond,
        fig3_steps_per_s_best: web.fig3.best,
        fig4_l16_steps_per_s: web.fig4.stepsPerSecond,
        fig4_l16_steps_per_s_best: web.fig4.best,
        fig3_ratio_to_native_median: web.fig3.stepsPerSecond / native.fig3_good_pm_steps_per_s,
        fig3_ratio_to_native_best: web.fig3.best / native.fig3_good_pm_steps_per_s_best,
        fig4_ratio_to_native_median: web.fig4.stepsPerSecond / native.fig4_l16_steps_per_s,
        fig4_ratio_to_native_best: web.fig4.best / native.fig4_l16_steps_per_s_best,
      },
      redraw_3d_panel: web.redraw,
      first_frame_ms: firstFrameMs,
      wasm_size_bytes: size,
    },
    null,
    2,
  ),
);
