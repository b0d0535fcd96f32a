// Wall time of the DEFAULT Fig. 4 sweep (widths 1, 2, 4, 8, 16; 3 seeds; 500 steps; η = 0.1) in
// headless Debian Chromium (Web Workers, navigator.hardwareConcurrency of them) and natively
// (`obstruction sweep`, one thread), on the same machine in the same run; also checks that both
// give the same rows (within 1e-12).
//   node bench/fig4-sweep.mjs      (after `trunk build` and `cargo build --release --bin obstruction`;
//                                   DIST and OBSTRUCTION_BIN override dist/ and target/release/obstruction)
// Run alone, it prints one JSON object (one browser run). bench/all.mjs uses nativeSweep() once and
// openSweepPage() for its rounds against the numpy pool.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { pathToFileURL } from "node:url";
import { BIN, serveDist, launch, guardedPage, openView, screenshot } from "../tests/e2e/harness.mjs";

export const SWEEP_ARGS = ["--widths", "1,2,4,8,16", "--seeds", "3"];
export const SWEEP_TRAIN = ["--steps", "500", "--lr", "0.1"];

/** `obstruction sweep` of the default sweep, timed: { seconds, result (its JSON) }. */
export async function nativeSweep(bin = BIN) {
  const t0 = process.hrtime.bigint();
  const { stdout } = await promisify(execFile)(bin, ["sweep", ...SWEEP_ARGS, ...SWEEP_TRAIN], { encoding: "utf8", maxBuffer: 1 << 28 });
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, result: JSON.parse(stdout) };
}

/** The largest difference between the page's rows and the native rows; throws if they differ. */
function compareRows(webRows, nativeRows) {
  if (webRows.length !== nativeRows.length) throw new Error(`the browser's sweep has ${webRows.length} rows, the native one ${nativeRows.length}`);
  let maxDiff = 0;
  for (const [i, n] of nativeRows.entries()) {
    const w = webRows[i];
    if (w.l !== n.l || w.l_plus !== n.l_plus) throw new Error(`sweep row ${i} is (${w.l}, ${w.l_plus}) in the browser, (${n.l}, ${n.l_plus}) natively`);
    maxDiff = Math.max(maxDiff, Math.abs(w.mean_test_bce - n.mean_test_bce), Math.abs(w.std_test_bce - n.std_test_bce));
  }
  if (!(maxDiff <= 1e-12)) throw new Error(`the browser's and the native sweep rows differ by ${maxDiff}`);
  return maxDiff;
}

/**
 * One page, kept for every round: run() opens the Fig. 4 view afresh (so the view starts from its
 * defaults, the default sweep), presses Run and waits for the table; it resolves to the page's own
 * wall time (from pressing Run, workers started and loading the wasm, to the finished table) and
 * the rows' largest difference to `nativeRows`.
 */
export async function openSweepPage(browser, server, nativeRows) {
  const { page, problems, context } = await guardedPage(browser);
  const check = () => {
    if (problems.length) throw new Error(`the Fig. 4 sweep page: ${problems.join("; ")}`);
  };
  return {
    page,
    async run() {
      // Through about:blank: a navigation to the very same URL and fragment would not reload.
      await page.goto("about:blank");
      await openView(page, server.url, "fig4");
      await page.click("#fig4-run");
      await page.waitForFunction(() => document.getElementById("fig4-root").dataset.state === "done", null, { timeout: 600000 });
      const web = await page.evaluate(() => ({
        seconds: Number(document.getElementById("fig4-result-info").dataset.seconds),
        workers: Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 108)),
        rows: window.reluFig4.rows(),
      }));
      check();
      return { seconds: web.seconds, workers: web.workers, rows: web.rows.length, max_abs_difference: compareRows(web.rows, nativeRows) };
    },
    async close() {
      check();
      await context.close();
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const native = await nativeSweep();
  const server = await serveDist();
  const browser = await launch();
  try {
    const sweep = await openSweepPage(browser, server, native.result.rows);
    const web = await sweep.run();
    await sweep.page.waitForTimeout(300);
    await screenshot(sweep.page, "fig4-06-default-sweep");
    await sweep.close();
    console.log(
      JSON.stringify(
        {
          sweep: "widths 1,2,4,8,16; 3 seeds; 500 steps; lr 0.1 (108 jobs)",
          native_seconds_one_thread: Number(native.seconds.toFixed(2)),
          browser_seconds: Number(web.seconds.toFixed(2)),
          browser_workers: web.workers,
          rows: web.rows,
          max_abs_difference: web.max_abs_difference,
        },
        null,
        2,
      ),
    );
  } finally {
    await browser.close();
    await server.close();
  }
}
