// End-to-end test of the exports in Debian's Chromium: in every view, every export button is
// clicked (one by keyboard), each download is captured and checked — PNG signature and size, SVG
// well-formed (the browser's own XML parser) with the chart's title as real <text>, CSV with one
// row per step and numbers equal to the page's readouts, JSON that the native binary replays
// (`obstruction train --from`) to the same final loss the page shows.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { BIN, DIST, serveDist, launch, guardedPage, openView } from "./harness.mjs";


let server;
let browser;
let tmp;

before(async () => {
  assert.ok(fs.existsSync(path.join(DIST, "index.html")), `${DIST} is built (trunk build)`);
  assert.ok(fs.existsSync(BIN), `${BIN} is built (cargo build --release)`);
  server = await serveDist();
  browser = await launch();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "relu-export-"));
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Clicks every export button of the visible view; returns { fileName: Buffer }. */
async function saveAll(page, view, { keyboardFirst = false, reopen = null } = {}) {
  const buttons = page.locator(`section[data-view="${view}"] button[data-export]`);
  const n = await buttons.count();
  assert.ok(n > 0, `${view} has export buttons`);
  const files = {};
  for (let i = 0; i < n; i++) {
    if (reopen && i > 0) await reopen();
    const button = buttons.nth(i);
    // Each figure's exports are items of its Export menu: open it first.
    await button.evaluate((b) => {
      const menu = b.closest("details");
      if (menu) menu.open = true;
    });
    const label = await button.textContent();
    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: 15000 }),
      keyboardFirst && i === 0 ? button.focus().then(() => page.keyboard.press("Enter")) : button.click(),
    ]);
    const name = download.suggestedFilename();
    assert.ok(!(name in files), `${view}: "${label}" saves a new file (${name})`);
    files[name] = fs.readFileSync(await download.path());
  }
  return files;
}

function checkPng(name, bytes) {
  assert.ok(bytes.subarray(0, 8).equals(PNG_SIGNATURE), `${name} has the PNG signature`);
  assert.ok(bytes.length > 2000, `${name} is not trivial (${bytes.length} bytes)`);
}

/** Parses an SVG with the browser's XML parser; returns the texts of its <text> elements. */
async function svgTexts(page, name, bytes) {
  const r = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, "image/svg+xml");
    return {
      error: doc.getElementsByTagName("parsererror").length > 0,
      root: doc.documentElement.nodeName,
      texts: Array.from(doc.getElementsByTagName("text"), (t) => t.textContent.trim()),
      images: doc.getElementsByTagName("image").length,
    };
  }, bytes.toString("utf8"));
  assert.ok(!r.error, `${name} is well-formed XML`);
  assert.equal(r.root, "svg", `${name} is an SVG document`);
  assert.equal(r.images, 0, `${name} is vector drawing, not embedded pixels`);
  return r.texts;
}

async function checkSvg(page, name, bytes, title) {
  const texts = await svgTexts(page, name, bytes);
  assert.ok(texts.includes(title), `${name} has the title "${title}" as <text>: ${JSON.stringify(texts.slice(0, 6))}`);
}

/** `# key=value` comments and the table of a CSV. */
function parseCsv(bytes) {
  const lines = bytes.toString("utf8").trimEnd().split("\n");
  const meta = {};
  for (const l of lines.filter((x) => x.startsWith("# "))) {
    const [k, ...v] = l.slice(2).split("=");
    meta[k] = v.join("=");
  }
  const [header, ...rows] = lines.filter((x) => !x.startsWith("#"));
  return { meta, header: header.split(","), rows: rows.map((r) => r.split(",").map(Number)) };
}

/** Writes `bytes` to a file and replays it natively. */
function replay(name, bytes) {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, bytes);
  return JSON.parse(execFileSync(BIN, ["train", "--from", file], { encoding: "utf8" }));
}

const dataValue = (page, selector) => page.$eval(selector, (el) => Number(el.dataset.value));

function checkRunCsv(name, bytes, steps, finalLoss) {
  const { meta, header, rows } = parseCsv(bytes);
  assert.equal(meta.format, "relu-obstruction-export", `${name} names its format`);
  assert.equal(meta.version, "1");
  assert.equal(meta.decimated, "false");
  assert.equal(Number(meta.steps), steps, `${name} records the step count`);
  assert.deepEqual(header.slice(0, 2), ["step", "loss"]);
  assert.equal(rows.length, steps + 1, `${name}: one row per step 0..${steps}`);
  rows.forEach((r, i) => assert.equal(r[0], i, `${name}: row ${i} is step ${i}`));
  assert.equal(rows[steps][1], finalLoss, `${name}: the last row's loss is the page's readout`);
  return { meta, header, rows };
}

test("Fig. 3: every chart as PNG and SVG, each run as CSV, both runs as JSON that replays natively", async () => {
  const { page, problems, context } = await guardedPage(browser);
  await openView(page, server.url, "fig3");
  // Non-default settings, so the file must carry them to reproduce the run.
  await page.fill("#lr", "0.04");
  await page.fill("#seed", "7");
  await page.selectOption("#integrator", "conserving");
  await page.dispatchEvent("#integrator", "change");
  await page.dispatchEvent("#lr", "change");
  await page.dispatchEvent("#seed", "change");
  const STEPS = 9;
  for (let i = 0; i < STEPS; i++) await page.click("#step");
  await page.waitForFunction((n) => document.getElementById("top-step")?.dataset.value === String(n), STEPS);

  // Headless Chromium's limit on several downloads from one document (a real browser asks the
  // reader) blocks some of these thirteen now and then: each file is saved from a fresh document,
  // the run reopened from its link, which restores it exactly (same steps, same numbers).
  const link = page.url();
  const reopen = async () => {
    await page.goto("about:blank");
    await page.goto(link);
    await page.waitForFunction(() => document.body.dataset.ready === "true");
    await page.waitForFunction((n) => document.getElementById("top-step")?.dataset.value === String(n), STEPS);
  };
  await reopen();
  const files = await saveAll(page, "fig3", { keyboardFirst: true, reopen });
  const expected = [];
  for (const row of ["top", "bottom"]) {
    for (const k of [1, 2]) expected.push(`fig3-${row}-quadric-neuron${k}.png`, `fig3-${row}-quadric-neuron${k}.svg`);
    expected.push(`fig3-${row}-run.csv`);
  }
  expected.push("fig3-loss.png", "fig3-loss.svg", "fig3-run.json");
  assert.deepEqual(Object.keys(files).sort(), expected.sort());

  for (const [name, bytes] of Object.entries(files)) if (name.endsWith(".png")) checkPng(name, bytes);
  for (const row of ["top", "bottom"]) {
    const c = [await dataValue(page, `#${row}-c1`), await dataValue(page, `#${row}-c2`)];
    for (const k of [1, 2]) {
      const texts = await svgTexts(page, `neuron ${k}`, files[`fig3-${row}-quadric-neuron${k}.svg`]);
      assert.ok(texts.some((t) => t.startsWith(`neuron ${k}: c`) && t.endsWith("(two sheets)")), `${row} neuron ${k} title: ${texts.slice(0, 3)}`);
    }
    const loss = await dataValue(page, `#${row}-loss`);
    const { meta, header, rows } = checkRunCsv(`${row} CSV`, files[`fig3-${row}-run.csv`], STEPS, loss);
    assert.equal(meta.lr, "0.04");
    assert.equal(meta.seed, "7");
    assert.equal(meta.integrator, "conserving");
    const last = rows[STEPS];
    for (const k of [0, 1]) assert.ok(Math.abs(last[header.indexOf(`c${k + 1}`)] - c[k]) < 1e-12, `${row} c${k + 1}`);
  }
  await checkSvg(page, "fig3-loss.svg", files["fig3-loss.svg"], "Training loss (Fig. 3c)");

  const json = JSON.parse(files["fig3-run.json"].toString("utf8"));
  assert.equal(json.format, "relu-obstruction-export");
  assert.equal(json.version, 1);
  assert.deepEqual(
    json.runs.map((r) => r.settings),
    [
      { kind: "fig3", preset: "fig3-obstructed-pp", seed: 7, lr: 0.04, integrator: "conserving", steps: STEPS },
      { kind: "fig3", preset: "fig3-good-pm", seed: 7, lr: 0.04, integrator: "conserving", steps: STEPS },
    ],
  );
  const native = replay("fig3-run.json", files["fig3-run.json"]);
  assert.equal(native.runs[0].final_loss, await dataValue(page, "#top-loss"), "native top loss = page");
  assert.equal(native.runs[1].final_loss, await dataValue(page, "#bottom-loss"), "native bottom loss = page");
  assert.ok(native.runs.every((r) => r.reproduced));
  assert.deepEqual(problems, []);
  await context.close();
});

test("Fig. 1b: the plane as PNG and SVG, the run as CSV and as JSON that replays natively", async () => {
  const { page, problems, context } = await guardedPage(browser);
  await openView(page, server.url, "fig1b");
  await page.waitForFunction(() => document.getElementById("fig1b-out-w")?.dataset.value !== undefined);
  const STEPS = 6;
  for (let i = 0; i < STEPS; i++) await page.click("#fig1b-step");
  await page.waitForFunction((n) => document.getElementById("fig1b-out-step").dataset.value === String(n), STEPS);
  const files = await saveAll(page, "fig1b");
  assert.deepEqual(Object.keys(files).sort(), ["fig1b-plane.png", "fig1b-plane.svg", "fig1b-run.csv", "fig1b-run.json"]);
  checkPng("fig1b-plane.png", files["fig1b-plane.png"]);
  await checkSvg(page, "fig1b-plane.svg", files["fig1b-plane.svg"], "One neuron, d = e = 1: f(x) = v·σ(w·x)");
  const loss = await dataValue(page, "#fig1b-out-loss");
  const { header, rows } = checkRunCsv("fig1b CSV", files["fig1b-run.csv"], STEPS, loss);
  assert.equal(rows[STEPS][header.indexOf("w")], await dataValue(page, "#fig1b-out-w"));
  assert.equal(rows[STEPS][header.indexOf("v")], await dataValue(page, "#fig1b-out-v"));
  const native = replay("fig1b-run.json", files["fig1b-run.json"]);
  assert.equal(native.runs[0].final_loss, loss);
  assert.ok(native.runs[0].reproduced);
  assert.deepEqual(problems, []);
  await context.close();
});

test("Topology: each chart as PNG and SVG, the network and the calculator result as JSON", async () => {
  const { page, problems, context } = await guardedPage(browser);
  await openView(page, server.url, "topology");
  await page.waitForFunction(() => document.getElementById("topo-calc-components")?.textContent && document.getElementById("topo-b-caption")?.textContent);
  const files = await saveAll(page, "topology", { keyboardFirst: true });
  assert.deepEqual(Object.keys(files).sort(), [
    "fig2a-quadric-c1.00.png",
    "fig2a-quadric-c1.00.svg",
    "fig2b-components.png",
    "fig2b-components.svg",
    "fig2b-network.json",
    "topology-betti.png",
    "topology-betti.svg",
    "topology-calculator.json",
  ]);
  for (const [name, bytes] of Object.entries(files)) if (name.endsWith(".png")) checkPng(name, bytes);
  await checkSvg(page, "quadric", files["fig2a-quadric-c1.00.svg"], "Q(c), c = 1.00: one-sheeted hyperboloid");
  await checkSvg(page, "diagram", files["fig2b-components.svg"], "Components of H(c): l− = 2");
  await checkSvg(page, "betti", files["topology-betti.svg"], "Betti numbers of H(c), d = 2, e = 1, l = 2");
  const calc = JSON.parse(files["topology-calculator.json"].toString("utf8"));
  assert.equal(calc.format, "relu-obstruction-export");
  assert.deepEqual(calc.settings, { d: 2, e: 1, c: [-1, -1.5] });
  assert.equal(calc.summary.components, await page.$eval("#topo-calc-components", (el) => el.dataset.value));
  const net = JSON.parse(files["fig2b-network.json"].toString("utf8"));
  assert.equal(net.summary.components, await page.$eval("#topo-b-caption", (el) => el.dataset.components));
  assert.deepEqual(net.component_label, JSON.parse(await page.$eval("#topo-b-source", (el) => el.dataset.label)));
  assert.deepEqual(problems, []);
  await context.close();
});

test("Heatmaps: both maps as PNG, SVG and grid CSV; a cell's run as chart, CSV and JSON that replays", async () => {
  // The drawn network's run plays by itself (not under reduced motion).
  const { page, problems, context } = await guardedPage(browser, { reducedMotion: "no-preference" });
  await openView(page, server.url, "heatmaps");
  await page.fill("#hm-run-seed", "42");
  await page.dispatchEvent("#hm-run-seed", "change");
  // Focusing the map selects d = 2, l = 2; three steps right and two up select d = 4, l = 5.
  // Enter starts that cell's run; it is paused soon after.
  await page.focus("#hm-canvas-xavier");
  for (const key of ["ArrowRight", "ArrowRight", "ArrowRight", "ArrowUp", "ArrowUp"]) await page.keyboard.press(key);
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => Number(document.getElementById("hm-steps").dataset.value) >= 20);
  await page.click("#hm-play");
  const steps = Number(await page.$eval("#hm-steps", (el) => el.dataset.value));
  const files = await saveAll(page, "heatmaps");
  const base = "heatmap-run-xavier_normal-d4-l5-seed42";
  assert.deepEqual(Object.keys(files).sort(), [
    `${base}-loss.png`,
    `${base}-loss.svg`,
    `${base}.csv`,
    `${base}.json`,
    "heatmap-kaiming-grid.csv",
    "heatmap-kaiming.png",
    "heatmap-kaiming.svg",
    "heatmap-xavier-grid.csv",
    "heatmap-xavier.png",
    "heatmap-xavier.svg",
  ].sort());
  for (const [name, bytes] of Object.entries(files)) if (name.endsWith(".png")) checkPng(name, bytes);
  await checkSvg(page, "xavier", files["heatmap-xavier.svg"], "Xavier normal: P(obstruction)");
  await checkSvg(page, "kaiming", files["heatmap-kaiming.svg"], "Kaiming normal: P(obstruction)");
  await checkSvg(page, "run loss", files[`${base}-loss.svg`], "Training loss of the drawn network");
  const grid = parseCsv(files["heatmap-xavier-grid.csv"]);
  assert.equal(grid.rows.length, 50 * 50);
  const cell = grid.rows.find((r) => r[0] === 4 && r[1] === 5);
  assert.equal(cell[grid.header.indexOf("p_obstruction")], await dataValue(page, "#hm-p-obstruction"), "grid CSV = the cell readout");
  const loss = await dataValue(page, "#hm-run-loss");
  checkRunCsv("run CSV", files[`${base}.csv`], steps, loss);
  const native = replay("run.json", files[`${base}.json`]);
  assert.equal(native.runs[0].final_loss, loss);
  assert.ok(native.runs[0].reproduced);
  assert.deepEqual(problems, []);
  await context.close();
});

test("Fig. 4: the heatmap and both curve charts as PNG and SVG, the results as CSV and JSON", async () => {
  const { page, problems, context } = await guardedPage(browser);
  await openView(page, server.url, "fig4");
  for (const l of [4, 8, 16]) await page.uncheck(`#fig4-w${l}`);
  await page.fill("#fig4-seeds", "1");
  await page.fill("#fig4-steps", "40");
  await page.click("#fig4-run");
  await page.waitForFunction(() => document.getElementById("fig4-root").dataset.state === "done", null, { timeout: 60000 });
  const files = await saveAll(page, "fig4");
  assert.deepEqual(Object.keys(files).sort(), [
    "fig4-curves-lplus.png",
    "fig4-curves-lplus.svg",
    "fig4-curves-percentage.png",
    "fig4-curves-percentage.svg",
    "fig4-heatmap.png",
    "fig4-heatmap.svg",
    "fig4-sweep.csv",
    "fig4-sweep.json",
  ]);
  for (const [name, bytes] of Object.entries(files)) if (name.endsWith(".png")) checkPng(name, bytes);
  await checkSvg(page, "heatmap", files["fig4-heatmap.svg"], "Mean test BCE by width l and l+");
  await checkSvg(page, "curves", files["fig4-curves-lplus.svg"], "Test BCE against l+ (mean ± std over seeds)");
  await checkSvg(page, "curves %", files["fig4-curves-percentage.svg"], "Test BCE against l+/l (mean ± std over seeds)");
  const { meta, header, rows } = parseCsv(files["fig4-sweep.csv"]);
  assert.equal(rows.length, 2 + 3, "one row per (l, l+)");
  const table = await page.$$eval("#fig4-table tbody tr td[data-key=mean_test_bce]", (tds) => tds.map((td) => Number(td.dataset.value)));
  assert.deepEqual(rows.map((r) => r[header.indexOf("mean_test_bce")]), table);
  // The command the file names reruns the sweep natively to the same numbers.
  assert.equal(meta.reproduce, "obstruction sweep --widths 1,2 --seeds 1 --steps 40 --lr 0.1");
  const json = JSON.parse(files["fig4-sweep.json"].toString("utf8"));
  assert.deepEqual(json.settings, { widths: [1, 2], seeds: 1, steps: 40, lr: 0.1 });
  const native = JSON.parse(execFileSync(BIN, meta.reproduce.split(" ").slice(1), { encoding: "utf8" }));
  assert.deepEqual(native.rows.map((r) => r.mean_test_bce), json.rows.map((r) => r.mean_test_bce));
  assert.deepEqual(problems, []);
  await context.close();
});
