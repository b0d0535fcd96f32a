// Browser benchmarks of relu-obstruction in headless Debian Chromium (the built dist/, served like
// the end-to-end tests):
// - openDemo: the demo as a contestant of bench/all.mjs's rounds: one page that stays open, with a
//   BenchRun of `fig3-good-pm` and of `fig4` at l = 16 (what the demo's timing uses), timed one
//   window at a time by bench/timing.mjs's loop;
// - pageFigures: what is measured once: the redraw time of a 3-D panel, the time to compute (and
//   draw) both appendix heatmaps, the time from navigation to the first drawn frame with its split
//   (the .wasm fetch, DOMContentLoaded, and every performance mark and measure the page makes),
//   and the wasm size raw and gzip.
//   node bench/browser.mjs       (after `trunk build`; DIST overrides dist/, BENCH_SECONDS sets
//                                 the steps/s budget: 5 windows of BENCH_SECONDS / 5)
// Run alone, it prints one JSON object; bench/all.mjs uses the two functions.

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { pathToFileURL } from "node:url";
import { DIST, serveDist, launch, guardedPage, openView } from "../tests/e2e/harness.mjs";
import { installPageTiming, median } from "./timing.mjs";

export const DEMO_PRESETS = { fig3: "fig3-good-pm", fig4: "fig4" };

/**
 * The demo's page: `time(key, seconds)` times one window of the BenchRun of DEMO_PRESETS[key]
 * (η = 1e-6, the batch calibrated on its first window) and resolves to { steps_per_s, steps,
 * seconds, batch }. The BenchRuns live until close(), so every round continues the same run.
 */
export async function openDemo(browser, server) {
  const g = await guardedPage(browser, { viewport: { width: 1400, height: 1000 } });
  await openView(g.page, server.url, "fig3");
  await g.page.evaluate(installPageTiming);
  await g.page.evaluate(async (presets) => {
    // Each preset runs in the module the page runs it in (www/cores.js): Fig. 3 in the first
    // screen's, Fig. 4 in the whole library's. LTO builds the kernels differently in the two.
    const first = window.reluApp.wasm;
    const whole = await window.reluApp.loadWhole();
    // The fig4 preset trains on the breast cancer data, which the page's wasm fetches (www/data.js).
    const { breastCancer } = await import("./data.js");
    await breastCancer(whole);
    window.benchRuns = {};
    for (const [key, preset] of Object.entries(presets)) {
      const wasm = preset.startsWith("fig3") ? first : whole;
      const run = new wasm.BenchRun(preset, 1e-6);
      window.benchRuns[key] = run;
      globalThis.benchSteppers[key] = (k) => run.step(k);
    }
  }, DEMO_PRESETS);
  const check = () => {
    if (g.problems.length) throw new Error(`the demo's page: ${g.problems.join("; ")}`);
  };
  return {
    async time(key, seconds) {
      const r = await g.page.evaluate(([k, s]) => globalThis.benchTiming.window(k, s), [key, seconds]);
      check();
      return r;
    },
    async close() {
      await g.page.evaluate(() => Object.values(window.benchRuns).forEach((run) => run.free()));
      check();
      await g.context.close();
    },
  };
}

// Navigation to the first drawn frame: a fresh context (cold cache) per navigation; the time is
// the page's own clock (0 = navigation start) at the first animation frame after the core
// reported ready (body[data-ready]). The split comes from the same page's Performance API, read
// right after that frame: navigation timing, the resource timing of the .wasm fetch, and every
// mark and measure (whatever the page records: the harness does not know their names).
async function firstFrame(browser, server) {
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
  const out = await g.page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const entry = (e) => ({ name: e.name, startTime: e.startTime, duration: e.duration });
    return {
      first_frame_ms: window.__firstFrameMs,
      navigation: nav && {
        response_end_ms: nav.responseEnd,
        dom_interactive_ms: nav.domInteractive,
        dom_content_loaded_ms: nav.domContentLoadedEventEnd,
      },
      wasm_fetches: performance
        .getEntriesByType("resource")
        .filter((e) => /\.wasm($|\?)/.test(e.name))
        .map((e) => ({
          name: e.name.split("/").pop(),
          initiator: e.initiatorType,
          fetch_start_ms: e.fetchStart,
          response_end_ms: e.responseEnd,
          encoded_bytes: e.encodedBodySize,
        })),
      marks: performance.getEntriesByType("mark").map(entry),
      measures: performance.getEntriesByType("measure").map(entry),
    };
  });
  const problems = [...g.problems];
  await g.context.close();
  if (problems.length) throw new Error(`first frame: ${problems.join("; ")}`);
  return out;
}

/** Medians over the navigations: the first frame, its split, and each mark and measure by name. */
function splitSummary(navs) {
  const pick = (f) => median(navs.map(f).filter((x) => x !== undefined));
  const wasm = (n) => n.wasm_fetches[0];
  const entries = {};
  for (const kind of ["marks", "measures"]) {
    const byName = new Map();
    for (const n of navs) {
      for (const e of n[kind]) {
        if (!byName.has(e.name)) byName.set(e.name, { starts: [], durations: [], navigations: new Set() });
        const b = byName.get(e.name);
        b.starts.push(e.startTime);
        b.durations.push(e.duration);
        b.navigations.add(n);
      }
    }
    entries[kind] = [...byName].map(([name, b]) => ({
      name,
      median_start_ms: median(b.starts),
      median_duration_ms: median(b.durations),
      entries: b.starts.length,
      navigations: b.navigations.size,
    }));
    entries[kind].sort((a, b) => a.median_start_ms - b.median_start_ms);
  }
  return {
    median: pick((n) => n.first_frame_ms),
    all: navs.map((n) => n.first_frame_ms),
    split: {
      navigation_response_end_ms: pick((n) => n.navigation?.response_end_ms),
      dom_content_loaded_ms: pick((n) => n.navigation?.dom_content_loaded_ms),
      wasm_file: navs[0]?.wasm_fetches[0]?.name,
      wasm_fetch_start_ms: pick((n) => wasm(n)?.fetch_start_ms),
      wasm_response_end_ms: pick((n) => wasm(n)?.response_end_ms),
      marks: entries.marks,
      measures: entries.measures,
    },
    navigations: navs,
  };
}

/**
 * The figures measured once (see the header); `navigations` cold loads for the first frame, after
 * `warmup` more whose times are kept apart: a browser's first pages after its launch pay for its own
 * start-up (processes, the font service), which a reader's running browser has behind it.
 */
export async function pageFigures(browser, server, { navigations = 9, warmup = 1 } = {}) {
  // Two modules (www/cores.js): the first screen's, which the page preloads, and the whole
  // library's, loaded when another view opens.
  const sizeOf = (test, what) => {
    const file = fs.readdirSync(DIST).find(test);
    if (!file) throw new Error(`no ${what} in ${DIST}: build the app first (trunk build) or set DIST`);
    const bytes = fs.readFileSync(path.join(DIST, file));
    return { file, raw: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length };
  };
  const size = {
    first_screen: sizeOf((f) => /^relu-first-screen-.*_bg\.wasm$/.test(f), "first screen's wasm"),
    whole: sizeOf((f) => f === "relu-obstruction_bg.wasm", "whole wasm (relu-obstruction_bg.wasm)"),
  };

  const warmupMs = [];
  for (let i = 0; i < warmup; i++) warmupMs.push((await firstFrame(browser, server)).first_frame_ms);
  const navs = [];
  for (let i = 0; i < navigations; i++) navs.push(await firstFrame(browser, server));

  const { page, problems, context } = await guardedPage(browser, { viewport: { width: 1400, height: 1000 } });
  await openView(page, server.url, "fig3");
  // Redraw of one 3-D panel at its on-page size, after 500 steps of trajectory.
  const redraw = await page.evaluate(() => {
    const { wasm } = window.reluApp;
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
    return { medianMs: times[times.length >> 1], p90Ms: times[Math.floor(times.length * 0.9)], width: canvas.width, height: canvas.height, redraws: times.length };
  });

  // Both appendix heatmaps: the first render when the view opens (computed, then drawn), and a
  // warm recompute + redraw of both (median of 7).
  await openView(page, server.url, "heatmaps");
  await page.waitForFunction(() => document.getElementById("heatmaps-root").dataset.renderMs !== undefined);
  const first = await page.$eval("#heatmaps-root", (e) => ({ computeMs: Number(e.dataset.computeMs), renderMs: Number(e.dataset.renderMs) }));
  const warm = [];
  for (let i = 0; i < 7; i++) warm.push(await page.evaluate(() => window.reluHeatmaps.timeRender()));
  await context.close();
  if (problems.length) throw new Error(`page figures: ${problems.join("; ")}`);

  return {
    redraw_3d_panel: redraw,
    heatmaps: { first_compute_ms: first.computeMs, first_compute_and_draw_ms: first.renderMs, warm_compute_and_draw_median_ms: median(warm) },
    first_frame_ms: { ...splitSummary(navs), warmup_ms: warmupMs },
    wasm_size_bytes: size,
  };
}

// Alone: the page figures, then 5 windows of each steps/s figure (the protocol of the previous
// bench/browser.mjs, kept for a quick look; bench/all.mjs interleaves the windows with the peers).
if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const seconds = Number(process.env.BENCH_SECONDS || 2);
  const server = await serveDist();
  const browser = await launch();
  try {
    const figures = await pageFigures(browser, server);
    const demo = await openDemo(browser, server);
    const wasm = {};
    for (const key of Object.keys(DEMO_PRESETS)) {
      const rates = [];
      for (let i = 0; i < 5; i++) rates.push((await demo.time(key, seconds / 5)).steps_per_s);
      const name = key === "fig3" ? "fig3" : "fig4_l16";
      wasm[`${name}_steps_per_s`] = median(rates);
      wasm[`${name}_steps_per_s_best`] = Math.max(...rates);
    }
    await demo.close();
    console.log(JSON.stringify({ wasm, ...figures }, null, 2));
  } finally {
    await browser.close();
    await server.close();
  }
}
