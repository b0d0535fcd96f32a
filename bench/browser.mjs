// Browser benchmarks of relu-obstruction in headless Debian Chromium (the built dist/, served like
// the end-to-end tests): GD steps per second of `fig3-good-pm` and of `fig4` at l = 16 in wasm,
// the redraw time of a 3-D panel, the time to compute (and draw) both appendix heatmaps, the time
// from navigation to the first drawn frame, and the wasm size raw and gzip.
//   node bench/browser.mjs            (after `trunk build`; BENCH_SECONDS sets the timing budget)
// Prints one JSON object; scripts/bench.sh (bench/all.mjs) puts it in the side-by-side table.

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { DIST, serveDist, launch, guardedPage, openView } from "../tests/e2e/harness.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS || 2);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const wasmFile = fs.readdirSync(DIST).find((f) => f.endsWith(".wasm"));
const wasmBytes = fs.readFileSync(path.join(DIST, wasmFile));
const size = { raw: wasmBytes.length, gzip: zlib.gzipSync(wasmBytes, { level: 9 }).length };

const server = await serveDist();
const browser = await launch();
const problems = [];

// Navigation to the first drawn frame: a fresh context (cold cache) per navigation; the time is
// the page's own clock (0 = navigation start) at the first animation frame after the core
// reported ready (body[data-ready]).
async function firstFrame() {
  const g = await guardedPage(browser, { viewport: { width: 1400, height: 1000 } });
  await g.page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (document.body && document.body.dataset.ready === "true") {
        obs.disconnect();
        requestAnimationFrame(() => {
          window.__firstFrameMs = performance.now();
        });
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-ready"] });
  });
  await g.page.goto(server.url);
  await g.page.waitForFunction(() => window.__firstFrameMs !== undefined, null, { timeout: 30000 });
  const ms = await g.page.evaluate(() => window.__firstFrameMs);
  problems.push(...g.problems);
  await g.context.close();
  return ms;
}
const frames = [];
for (let i = 0; i < 5; i++) frames.push(await firstFrame());

const { page, problems: pageProblems, context } = await guardedPage(browser, { viewport: { width: 1400, height: 1000 } });
await openView(page, server.url, "fig3");

const web = await page.evaluate(async (seconds) => {
  const { wasm } = window.reluApp;
  // Like `obstruction bench`: η = 1e-6 (the same work per step, and the run stays finite), a batch
  // calibrated to a tenth of a window, then 5 timed windows; median and best.
  const stepsPerSecond = (preset) => {
    const run = new wasm.BenchRun(preset, 1e-6);
    const window = seconds / 5;
    let batch = 16;
    for (;;) {
      const t = performance.now();
      run.step(batch);
      if ((performance.now() - t) / 1000 >= window / 10) break;
      batch *= 2;
    }
    const rates = [];
    for (let r = 0; r < 5; r++) {
      const start = performance.now();
      let steps = 0;
      while ((performance.now() - start) / 1000 < window) {
        run.step(batch);
        steps += batch;
      }
      rates.push(steps / ((performance.now() - start) / 1000));
    }
    run.free();
    rates.sort((a, b) => a - b);
    return { median: rates[2], best: rates[4] };
  };
  const fig3 = stepsPerSecond("fig3-good-pm");
  const fig4 = stepsPerSecond("fig4");
  // Redraw of one 3-D panel at its on-page size, after 500 steps of trajectory.
  const canvas = document.getElementById("q-top-0");
  const view = new wasm.Fig3View();
  view.applyLink("#fig3?v=1&step=500");
  const times = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    view.rotate("top", 1, 0);
    view.draw(canvas, "top-0");
    times.push(performance.now() - t);
  }
  view.free();
  times.sort((a, b) => a - b);
  return {
    fig3,
    fig4,
    redraw: { medianMs: times[times.length >> 1], p90Ms: times[Math.floor(times.length * 0.9)], width: canvas.width, height: canvas.height, redraws: times.length },
  };
}, SECONDS);

// Both appendix heatmaps: the first render when the view opens (computed, then drawn), and a warm
// recompute + redraw of both (median of 7).
await openView(page, server.url, "heatmaps");
await page.waitForFunction(() => document.getElementById("heatmaps-root").dataset.renderMs !== undefined);
const first = await page.$eval("#heatmaps-root", (e) => ({ computeMs: Number(e.dataset.computeMs), renderMs: Number(e.dataset.renderMs) }));
const warm = [];
for (let i = 0; i < 7; i++) warm.push(await page.evaluate(() => window.reluHeatmaps.timeRender()));

await context.close();
await browser.close();
await server.close();
problems.push(...pageProblems);
if (problems.length) throw new Error(problems.join("\n"));

console.log(
  JSON.stringify(
    {
      wasm: {
        fig3_steps_per_s: web.fig3.median,
        fig3_steps_per_s_best: web.fig3.best,
        fig4_l16_steps_per_s: web.fig4.median,
        fig4_l16_steps_per_s_best: web.fig4.best,
      },
      redraw_3d_panel: web.redraw,
      heatmaps: { first_compute_ms: first.computeMs, first_compute_and_draw_ms: first.renderMs, warm_compute_and_draw_median_ms: median(warm) },
      first_frame_ms: { median: median(frames), all: frames },
      wasm_size_bytes: size,
    },
    null,
    2,
  ),
);
