// Drives every view of the app once, the same way for the served site (security.test.mjs) and
// the single-file build opened from disk (single-file.test.mjs): Fig. 3 steps and plays, Fig. 1b
// steps, the topology view draws and takes a calculator input, the heatmaps draw and a clicked
// cell trains a random network live, and a small Fig. 4 sweep runs in Web Workers.

import assert from "node:assert/strict";
import { inkFraction } from "./harness.mjs";

/** The same small sweep as fig4.test.mjs: 10 jobs, about a second. */
export const SMALL_SWEEP = { widths: [1, 2], seeds: 2, steps: 100, lr: 0.1 };

/** Adds a recorder of `securitypolicyviolation` events (read with `violations(page)`). */
export async function recordViolations(page) {
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "(inline)"} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
}

export const violations = (page) => page.evaluate(() => window.__cspViolations);

/** Goes to `view` by its navigation link (no reload) and waits until it shows. */
export async function showView(page, view) {
  await page.click(`a[data-view-link="${view}"]`);
  await page.waitForSelector(`section[data-view="${view}"]:not([hidden])`);
}

/** Ink fraction of every visible canvas of `view`, by id. */
async function visibleCanvasInk(page, view) {
  const ids = await page.$$eval(`section[data-view="${view}"] canvas`, (cs) =>
    cs.filter((c) => c.id && c.getClientRects().length > 0 && c.width > 0).map((c) => c.id),
  );
  const ink = {};
  for (const id of ids) ink[id] = await inkFraction(page, id);
  return ink;
}

async function assertCanvasesDrew(page, view) {
  const ink = await visibleCanvasInk(page, view);
  assert.ok(Object.keys(ink).length > 0, `${view} shows a canvas`);
  for (const [id, f] of Object.entries(ink)) assert.ok(f > 0.005, `${view}: ${id} drew (ink fraction ${f})`);
}

/** Fig. 3: `steps` single steps, then the readouts of both rows (every data-value). */
export async function fig3Steps(page, steps) {
  await showView(page, "fig3");
  for (let i = 0; i < steps; i++) await page.click("#step");
  await page.waitForFunction((n) => document.getElementById("top-step")?.dataset.value === String(n), steps);
  return page.$$eval("#readout-top [data-value], #readout-bottom [data-value]", (els) =>
    Object.fromEntries(els.map((e) => [e.id, e.dataset.value])),
  );
}

export async function exerciseFig3(page) {
  const readouts = await fig3Steps(page, 5);
  assert.equal(readouts["top-step"], "5");
  await page.click("#play");
  await page.waitForFunction(() => Number(document.getElementById("top-step").dataset.value) >= 40, null, { timeout: 20000 });
  await page.click("#play");
  await page.click("#log-scale");
  await assertCanvasesDrew(page, "fig3");
}

export async function exerciseFig1b(page) {
  await showView(page, "fig1b");
  await page.waitForSelector("#fig1b-canvas");
  for (let i = 0; i < 3; i++) await page.click("#fig1b-step");
  await assertCanvasesDrew(page, "fig1b");
}

export async function exerciseTopology(page) {
  await showView(page, "topology");
  await page.waitForSelector("#topo-quadric");
  await page.click("#topo-calc-go");
  await assertCanvasesDrew(page, "topology");
}

export async function exerciseHeatmaps(page) {
  await showView(page, "heatmaps");
  for (const id of ["hm-canvas-xavier", "hm-canvas-kaiming"]) await page.waitForSelector(`#${id}[data-layout]`);
  // Click the cell d = 2, l = 4 of the Xavier map: a live run of that shape starts.
  const [x, y] = await page.$eval("#hm-canvas-xavier", (c) => {
    c.scrollIntoView({ block: "center" });
    const lay = JSON.parse(c.dataset.layout);
    const r = c.getBoundingClientRect();
    const bx = lay.left + (3.5 * lay.width) / lay.cols;
    const by = lay.top + lay.height - (1.5 * lay.height) / lay.rows;
    return [r.left + (bx * r.width) / c.width, r.top + (by * r.height) / c.height];
  });
  await page.mouse.click(x, y);
  // Under reduced motion (the tests' default) the run waits for Play; then it runs until paused.
  await page.waitForFunction(() => !document.getElementById("hm-play").disabled);
  if ((await page.textContent("#hm-play")) === "Play") await page.click("#hm-play");
  await page.waitForFunction(() => Number(document.getElementById("hm-steps")?.dataset.value) >= 50, null, { timeout: 30000 });
  await page.click("#hm-play");
  await assertCanvasesDrew(page, "heatmaps");
}

/** Runs `cfg` in the Fig. 4 view and returns the result table's rows. */
export async function runSweep(page, cfg = SMALL_SWEEP) {
  await showView(page, "fig4");
  for (const l of [1, 2, 4, 8, 16]) await page.setChecked(`#fig4-w${l}`, cfg.widths.includes(l));
  await page.fill("#fig4-seeds", String(cfg.seeds));
  await page.fill("#fig4-steps", String(cfg.steps));
  await page.fill("#fig4-lr", String(cfg.lr));
  await page.click("#fig4-run");
  await page.waitForFunction(() => ["done", "failed"].includes(document.getElementById("fig4-root").dataset.state), null, { timeout: 90000 });
  assert.equal(await page.$eval("#fig4-root", (r) => r.dataset.state), "done", await page.textContent("#fig4-root"));
  await assertCanvasesDrew(page, "fig4");
  return page.$$eval("#fig4-table tbody tr", (trs) =>
    trs.map((tr) => Object.fromEntries([...tr.querySelectorAll("td")].map((td) => [td.dataset.key, Number(td.dataset.value)]))),
  );
}

/** Every view once; returns the Fig. 4 rows. */
export async function exerciseAllViews(page) {
  await exerciseFig3(page);
  await exerciseFig1b(page);
  await exerciseTopology(page);
  await exerciseHeatmaps(page);
  return runSweep(page);
}
