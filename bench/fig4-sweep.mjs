// Wall time of the DEFAULT Fig. 4 sweep (widths 1, 2, 4, 8, 16; 3 seeds; 500 steps; η = 0.1) in
// headless Debian Chromium (Web Workers, navigator.hardwareConcurrency of them) and natively
// (`obstruction sweep`, one thread), on the same machine in the same run; also checks that both
// give the same rows (within 1e-12).
//   node bench/fig4-sweep.mjs      (after `trunk build` and `cargo build --release --bin obstruction`;
//                                   DIST and OBSTRUCTION_BIN override dist/ and target/release/obstruction)
// Prints one JSON object.

import path from "node:path";
import { execFileSync } from "node:child_process";
import { ROOT, serveDist, launch, guardedPage, openView, screenshot } from "../tests/e2e/harness.mjs";

const BIN = process.env.OBSTRUCTION_BIN || path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, "target"), "release/obstruction");
const ARGS = ["sweep", "--widths", "1,2,4,8,16", "--seeds", "3", "--steps", "500", "--lr", "0.1"];

const t0 = process.hrtime.bigint();
const native = JSON.parse(execFileSync(BIN, ARGS, { encoding: "utf8" }));
const nativeSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

const server = await serveDist();
const browser = await launch();
const { page, problems, context } = await guardedPage(browser);
await openView(page, server.url, "fig4");
// The view's defaults are the default sweep; just press Run.
await page.click("#fig4-run");
await page.waitForFunction(() => document.getElementById("fig4-root").dataset.state === "done", null, { timeout: 600000 });
const web = await page.evaluate(() => ({
  seconds: Number(document.getElementById("fig4-result-info").dataset.seconds),
  workers: Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 108)),
  rows: window.reluFig4.rows(),
}));
await page.waitForTimeout(300);
await screenshot(page, "fig4-06-default-sweep");
await context.close();
await browser.close();
await server.close();
if (problems.length) throw new Error(problems.join("\n"));

let maxDiff = 0;
if (web.rows.length !== native.rows.length) throw new Error("the browser and the native sweep have different rows");
for (const [i, n] of native.rows.entries()) {
  const w = web.rows[i];
  if (w.l !== n.l || w.l_plus !== n.l_plus) throw new Error(`row ${i} differs`);
  maxDiff = Math.max(maxDiff, Math.abs(w.mean_test_bce - n.mean_test_bce), Math.abs(w.std_test_bce - n.std_test_bce));
}
if (!(maxDiff <= 1e-12)) throw new Error(`browser and native rows differ by ${maxDiff}`);

console.log(
  JSON.stringify(
    {
      sweep: "widths 1,2,4,8,16; 3 seeds; 500 steps; lr 0.1 (108 jobs)",
      native_seconds_one_thread: Number(nativeSeconds.toFixed(2)),
      browser_seconds: Number(web.seconds.toFixed(2)),
      browser_workers: web.workers,
      rows: native.rows.length,
      max_abs_difference: maxDiff,
    },
    null,
    2,
  ),
);
