// End-to-end test of the heatmaps view (the appendix heatmaps of P(obstruction)) in Debian's
// Chromium: both maps draw, hovering and the keyboard read cells whose values equal those of the
// native `obstruction probability` command, the seeded Monte Carlo check agrees with
// `obstruction probability --mc N --seed S`, bad settings are refused, and a click starts a live
// run of a random network of that shape.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { BIN, DIST, serveDist, launch, guardedPage, screenshot, inkFraction, openView } from "./harness.mjs";

const SCHEMES = { xavier: "hm-canvas-xavier", kaiming: "hm-canvas-kaiming" };

let server;
let browser;

before(async () => {
  assert.ok(fs.existsSync(path.join(DIST, "index.html")), `${DIST} is built (trunk build)`);
  assert.ok(fs.existsSync(BIN), `${BIN} is built (cargo build --release --bin obstruction)`);
  server = await serveDist();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

function cli(...args) {
  return JSON.parse(execFileSync(BIN, ["probability", ...args.map(String)], { encoding: "utf8" }));
}

/**
 * The native view model's state after opening `link` and typing `sets` ([key, text]), as
 * `obstruction view` drives it: `{readout, link, rejections, refused}`.
 */
function nativeView(link, sets) {
  const args = ["view", link, ...sets.flatMap(([k, t]) => ["--set", `${k}=${t}`])];
  return JSON.parse(execFileSync(BIN, args, { encoding: "utf8" }));
}

async function open(options) {
  // A drawn network's run plays by itself unless the test asks for reduced motion.
  const g = await guardedPage(browser, { reducedMotion: "no-preference", ...options });
  await openView(g.page, server.url, "heatmaps");
  for (const id of Object.values(SCHEMES)) {
    await g.page.waitForSelector(`#${id}[data-layout]`);
  }
  return g;
}

/** Client (CSS) coordinates of the centre of cell (d, l) of a heatmap canvas. */
async function cellCentre(page, canvasId, d, l) {
  return page.$eval(
    `#${canvasId}`,
    (c, [dd, ll]) => {
      // The page's header may push the map's lower rows below the fold: bring it into view first.
      c.scrollIntoView({ block: "center" });
      const lay = JSON.parse(c.dataset.layout);
      const r = c.getBoundingClientRect();
      const bx = lay.left + ((ll - 1 + 0.5) * lay.width) / lay.cols;
      const by = lay.top + lay.height - ((dd - 1 + 0.5) * lay.height) / lay.rows;
      return [r.left + (bx * r.width) / c.width, r.top + (by * r.height) / c.height];
    },
    [d, l],
  );
}

async function hover(page, scheme, d, l) {
  await page.$eval(`#${SCHEMES[scheme]}`, (c) => {
    const r = c.getBoundingClientRect();
    if (r.top < 0 || r.bottom > innerHeight) c.scrollIntoView({ block: "center" });
  });
  const [x, y] = await cellCentre(page, SCHEMES[scheme], d, l);
  await page.mouse.move(x, y);
  await page.waitForFunction(
    ([dd, ll]) => document.getElementById("hm-d").dataset.value === String(dd) && document.getElementById("hm-l").dataset.value === String(ll),
    [d, l],
  );
}

const value = (page, id) => page.$eval(`#${id}`, (e) => JSON.parse(e.dataset.value));

/**
 * The closed form runs statrs' incomplete beta, which calls the platform's exp and ln: the wasm
 * build and the native binary may differ in the last bit or two, never more.
 */
function assertClose(actual, expected, what) {
  assert.ok(
    Math.abs(actual - expected) <= 4 * Number.EPSILON * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} vs ${expected}`,
  );
}

test("both heatmaps draw, fast, and hovered cells equal the native closed form", async () => {
  const { page, problems, context } = await open();
  for (const id of Object.values(SCHEMES)) {
    const ink = await inkFraction(page, id);
    assert.ok(ink > 0.3, `${id} drew (ink fraction ${ink})`);
  }
  const t = await page.$eval("#heatmaps-root", (e) => ({ ...e.dataset }));
  const ms = Number(t.renderMs);
  console.log(
    `heatmaps, first render: both 50 × 50 grids computed in ${t.computeMs} ms and drawn in ${t.drawMs} ms, ` +
      `total ${ms} ms (performance.now() in the page, includes the first-call warm-up)`,
  );
  assert.ok(Number.isFinite(ms) && ms > 0);
  const warm = [];
  for (let i = 0; i < 5; i++) warm.push(await page.evaluate(() => window.reluHeatmaps.timeRender()));
  warm.sort((a, b) => a - b);
  console.log(`heatmaps, warm recompute + redraw of both: median ${warm[2].toFixed(1)} ms (min ${warm[0].toFixed(1)}, max ${warm[4].toFixed(1)})`);
  for (const id of Object.values(SCHEMES)) assert.ok((await inkFraction(page, id)) > 0.3);

  const seen = new Set();
  const cells = [[2, 2], [5, 20], [30, 7], [50, 50], [1, 3]];
  for (const scheme of ["xavier", "kaiming"]) {
    for (const [d, l] of cells) {
      await hover(page, scheme, d, l);
      const ref = cli("--init", scheme, "--d", d, "--l", l);
      assert.equal(await value(page, "hm-scheme"), `${scheme}_normal`);
      assertClose(await value(page, "hm-p"), ref.p, `${scheme} d=${d} l=${l} p`);
      assertClose(await value(page, "hm-p-obstruction"), ref.p_disconnected, `${scheme} d=${d} l=${l} P`);
      assertClose(await value(page, "hm-components"), ref.expected_components, "E[components]");
      assertClose(await value(page, "hm-effective"), ref.expected_effective_components, "E[effective]");
      // The printed text shows the same number to 6 decimals.
      const shown = await page.$eval("#hm-p-obstruction", (e) => e.textContent);
      assert.equal(shown, ref.p_disconnected.toFixed(6));
      seen.add(await value(page, "hm-p-obstruction"));
    }
  }
  assert.ok(seen.size >= 6, `hovering different cells shows different values: ${[...seen]}`);
  // Check value of the notes: Xavier d = l = 2 has p = 1 − √(3/7).
  await hover(page, "xavier", 2, 2);
  assert.ok(Math.abs((await value(page, "hm-p")) - (1 - Math.sqrt(3 / 7))) < 1e-12);
  await screenshot(page, "heatmaps-01-hover");

  // Keyboard: focus the Kaiming map, move the selected cell with the arrow keys.
  await page.focus("#hm-canvas-kaiming");
  const before = [await value(page, "hm-d"), await value(page, "hm-l")];
  assert.equal(await value(page, "hm-scheme"), "kaiming_normal");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowUp");
  const after = [await value(page, "hm-d"), await value(page, "hm-l")];
  assert.deepEqual(after, [before[0] + 1, before[1] + 2]);
  const ref = cli("--init", "kaiming", "--d", after[0], "--l", after[1]);
  assertClose(await value(page, "hm-p-obstruction"), ref.p_disconnected, "keyboard cell");
  assert.equal(await page.$eval("#fatal", (e) => e.hidden), true);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the Monte Carlo check agrees with the native estimator and refuses bad settings", async () => {
  const { page, problems, context } = await open();
  await page.fill("#hm-mc-samples", "50000");
  await page.dispatchEvent("#hm-mc-samples", "change");
  await page.fill("#hm-mc-seed", "7");
  await page.dispatchEvent("#hm-mc-seed", "change");
  await page.check("#hm-mc-on");
  for (const [scheme, d, l] of [["kaiming", 3, 5], ["xavier", 2, 8], ["xavier", 10, 40]]) {
    await hover(page, scheme, d, l);
    await page.waitForFunction(() => (document.getElementById("hm-mc").dataset.value || "").startsWith("{"));
    const est = await value(page, "hm-mc");
    const ref = cli("--init", scheme, "--d", d, "--l", l, "--mc", 50000, "--seed", 7);
    assert.equal(est.samples, 50000);
    assert.equal(est.seed, 7);
    assert.equal(est.p_mc, ref.p_mc, `${scheme} d=${d} l=${l}: same estimator, same p̂`);
    assert.equal(est.p_mc_stderr, ref.p_mc_stderr);
    const analytic = await value(page, "hm-p-obstruction");
    assertClose(analytic, ref.p_disconnected, "analytic P");
    assert.ok(est.p_disconnected_stderr > 0);
    assert.ok(
      Math.abs(est.p_disconnected_mc - analytic) < 4 * est.p_disconnected_stderr,
      `${scheme} d=${d} l=${l}: ${est.p_disconnected_mc} ± ${est.p_disconnected_stderr} vs ${analytic}`,
    );
    // The delta-method error, recomputed here from p̂ and its error.
    const slope = l * Math.pow(1 - est.p_mc, l - 1);
    assert.ok(Math.abs(est.p_disconnected_stderr - slope * est.p_mc_stderr) < 1e-12);
  }
  await screenshot(page, "heatmaps-02-monte-carlo");

  // Bad settings are refused with a message (parsed and checked in Rust) and the previous ones
  // stay in use, in the estimate and in the link.
  const linkNow = () => page.evaluate(() => window.reluViews.heatmaps.linkState().link);
  const goodLink = await linkNow();
  assert.match(goodLink, /&mc=1&n=50000&mcseed=7&/);
  for (const [id, bad, code, why] of [
    ["hm-mc-samples", "0", "out_of_range", /out of range \[1, 200000\]/],
    ["hm-mc-samples", "300000", "out_of_range", /out of range \[1, 200000\]/],
    ["hm-mc-samples", "12abc", "not_a_number", /not a number/],
    ["hm-mc-samples", "0x10", "not_a_number", /not a number/],
    ["hm-mc-samples", "abc", "not_a_number", /not a number/],
    ["hm-mc-samples", "1e999", "not_finite", /not a finite number/],
    ["hm-mc-samples", "2.5", "not_whole", /not a whole number/],
    ["hm-mc-samples", "49999.99999999999999999", "not_whole", /not a whole number/],
    ["hm-mc-seed", "-1", "out_of_range", /out of range \[0, 9007199254740991\]/],
  ]) {
    const linkBefore = await linkNow();
    assert.match(linkBefore, /&mc=1&n=50000&mcseed=7&/);
    await page.fill(`#${id}`, bad);
    await page.dispatchEvent(`#${id}`, "change");
    const msg = await page.$eval("#hm-message", (e) => (e.hidden ? "" : e.textContent));
    assert.match(msg, why, `${id} = ${bad}: ${msg}`);
    const previous = id === "hm-mc-seed" ? "7" : "50000";
    assert.ok(msg.includes(`"${bad}"`) && msg.endsWith(`The previous value ${previous} is still in use.`), msg);
    assert.equal(await page.$eval(`#${id}`, (e) => e.getAttribute("aria-invalid")), "true");
    assert.equal(await page.$eval(`#${id}`, (e) => e.dataset.rejected), code);
    assert.equal(await linkNow(), linkBefore, `${id} = ${bad}: the link keeps the previous value`);
    await hover(page, "kaiming", 4, 4);
    await hover(page, "kaiming", 3, 5);
    await page.waitForFunction(() => (document.getElementById("hm-mc").dataset.value || "").startsWith("{"));
    const est = await value(page, "hm-mc");
    assert.equal(est.samples, 50000);
    assert.equal(est.seed, 7);
    await page.fill(`#${id}`, previous);
    await page.dispatchEvent(`#${id}`, "change");
    assert.equal(await page.$eval("#hm-message", (e) => e.hidden), true);
    assert.equal(await page.$eval(`#${id}`, (e) => e.getAttribute("aria-invalid")), null);
  }
  await page.waitForFunction((link) => location.hash === link, await linkNow());
  await page.fill("#hm-mc-samples", "0");
  await page.dispatchEvent("#hm-mc-samples", "change");
  await screenshot(page, "heatmaps-03-refused");
  // Switching the check off clears the estimate.
  await page.uncheck("#hm-mc-on");
  assert.equal(await page.$eval("#hm-mc", (e) => e.textContent), "off");
  assert.deepEqual(problems, []);
  await context.close();
});

test("clicking a cell starts a live run of that architecture", async () => {
  const { page, problems, context } = await open();
  await page.fill("#hm-run-seed", "123");
  await page.dispatchEvent("#hm-run-seed", "change");
  const [x, y] = await cellCentre(page, SCHEMES.xavier, 2, 8);
  await page.mouse.click(x, y);
  await page.waitForFunction(() => Number(document.getElementById("hm-steps").dataset.value) >= 100, null, { timeout: 30000 });
  const msg = await page.$eval("#hm-run-message", (e) => e.textContent);
  const c = await value(page, "hm-run-c");
  const lMinus = await value(page, "hm-run-lminus");
  const negatives = c.filter((ck) => ck < 0).length;
  assert.equal(c.length, 8);
  assert.equal(lMinus, negatives, `l− agrees with c = ${c}`);
  assert.equal(msg, `Drew ${negatives} pathological neuron${negatives === 1 ? "" : "s"} out of 8 (Xavier normal, d = 2, l = 8, seed 123)`);
  assert.deepEqual(await value(page, "hm-run-pathological"), c.flatMap((ck, k) => (ck < 0 ? [k] : [])));
  assert.equal(await value(page, "hm-run-components"), 2 ** negatives);
  assert.equal(await value(page, "hm-run-effective"), negatives + 1);
  assert.equal((await value(page, "hm-run-label")).length, negatives);
  // The verdict for a teacher needing one positive and one negative term: obstructed exactly when
  // all 8 neurons are pathological with output weights of one sign.
  const label = await value(page, "hm-run-label");
  const oneSign = label.every((s) => s === label[0]);
  const obstructed = negatives === 8 && oneSign;
  assert.equal(await page.$eval("#hm-run-verdict", (e) => e.dataset.tone), obstructed ? "obstructed" : "ok");
  assert.match(await page.$eval("#hm-run-verdict", (e) => e.textContent), obstructed ? /^Obstructed/ : /^Not obstructed/);
  const ink = await inkFraction(page, "hm-loss");
  assert.ok(ink > 0.01, `loss chart drew (${ink})`);
  // Pause stops the step count.
  await page.click("#hm-play");
  const s1 = await value(page, "hm-steps");
  await page.waitForTimeout(300);
  assert.equal(await value(page, "hm-steps"), s1);
  await screenshot(page, "heatmaps-04-run");

  // The same seed gives the same network (reloading the cell), Enter on a focused Kaiming cell a new one.
  await page.fill("#hm-run-seed", "");
  await page.dispatchEvent("#hm-run-seed", "change");
  await page.focus("#hm-canvas-kaiming");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Enter");
  const want = await page.$eval("#hm-readout", () => [
    Number(document.getElementById("hm-d").dataset.value),
    Number(document.getElementById("hm-l").dataset.value),
  ]);
  await page.waitForFunction(() => /Kaiming normal/.test(document.getElementById("hm-run-message").textContent));
  const run = await value(page, "hm-run-message");
  assert.deepEqual([run.scheme, run.d, run.l], ["kaiming_normal", ...want]);
  const c2 = await value(page, "hm-run-c");
  assert.equal(run.l_minus, c2.filter((ck) => ck < 0).length);
  // A bad run seed is refused with a message and starts nothing.
  await page.fill("#hm-run-seed", "1.5");
  await page.dispatchEvent("#hm-run-seed", "change");
  const stepsBefore = await value(page, "hm-steps");
  assert.match(await page.$eval("#hm-message", (e) => e.textContent), /^Run seed \(empty: fresh\) "1\.5": not a whole number\. The previous value is still in use\.$/);
  assert.equal(await page.$eval("#hm-run-seed", (e) => e.dataset.rejected), "not_whole");
  assert.equal(await value(page, "hm-run-message").then((r) => r.scheme), "kaiming_normal", "the run goes on");
  assert.ok((await value(page, "hm-steps")) >= stepsBefore);
  assert.equal(await page.$eval("#fatal", (e) => e.hidden), true);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a link's run without a selected cell is refused under the key run", async () => {
  const { page, problems, context } = await guardedPage(browser);
  await page.goto(server.url + "#heatmaps?v=1&run=5");
  await page.waitForSelector("body[data-ready=true]");
  await page.waitForFunction(() => Number(document.body.dataset.linkApplied) >= 1);
  const items = await page.$$eval("#link-rejections li", (lis) => lis.map((li) => ({ key: li.dataset.key, code: li.dataset.code, text: li.textContent })));
  assert.deepEqual(items, [{ key: "run", code: "needs", text: 'run = "5": needs the key sel to be set' }]);
  assert.equal(await page.isVisible('section[data-view="heatmaps"]'), true);
  assert.equal(await page.$eval("#hm-play", (b) => b.disabled), true, "no run started");
  await page.waitForFunction(() => /&rstep=0$/.test(location.hash));
  assert.doesNotMatch(await page.evaluate(() => location.hash), /run=5/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the page's readouts equal the native view model's for a link and typed settings", async () => {
  const link = "#heatmaps?v=1&sel=kaiming&d=3&l=5&mc=1&n=5000&mcseed=3&run=42&rstep=120";
  const sets = [["n", "7000"], ["mcseed", "9"]];
  const out = nativeView(link, sets);
  assert.deepEqual(out.rejections, []);
  assert.deepEqual(out.refused, [null, null]);
  const native = { ...out.readout, link: out.link.link };
  const { page, problems, context } = await guardedPage(browser);
  await page.goto(server.url + link);
  await page.waitForSelector("body[data-ready=true]");
  await page.waitForSelector("#hm-canvas-kaiming[data-layout]");
  await page.waitForFunction(() => Number(document.body.dataset.linkApplied) >= 1);
  assert.equal(await value(page, "hm-steps"), 120, "the link replayed the run");
  for (const [key, text] of sets) {
    const id = { n: "hm-mc-samples", mcseed: "hm-mc-seed" }[key];
    await page.fill(`#${id}`, text);
    await page.dispatchEvent(`#${id}`, "change");
  }
  await page.waitForFunction(() => /"samples":7000,"seed":9}$/.test(document.getElementById("hm-mc").dataset.value || ""));
  const read = (prefix, key) =>
    page.$eval(`#${prefix}-${key}`, (e) => ({ text: e.textContent, value: e.dataset.value }));
  // The closed form may differ in the last bit between the wasm build and the native one.
  const closedForm = new Set(["p", "p-obstruction", "components", "effective"]);
  for (const f of native.cell) {
    const got = await read("hm", f.key);
    assert.equal(got.text, f.text, `cell ${f.key}`);
    if (closedForm.has(f.key)) assertClose(JSON.parse(got.value), JSON.parse(f.value), `cell ${f.key}`);
    else assert.equal(got.value, f.value, `cell ${f.key}`);
  }
  for (const f of native.run.fields) assert.deepEqual(await read("hm-run", f.key), { text: f.text, value: f.value }, `run ${f.key}`);
  assert.deepEqual(await page.$eval("#hm-run-message", (e) => ({ text: e.textContent, value: e.dataset.value })), { text: native.message.text, value: native.message.value });
  assert.deepEqual(await page.$eval("#hm-steps", (e) => ({ text: e.textContent, value: e.dataset.value })), { text: native.steps.text, value: native.steps.value });
  assert.equal(await page.$eval("#hm-run-verdict", (e) => e.textContent), native.run.verdict.text);
  assert.equal(await page.$eval("#hm-run-verdict", (e) => e.dataset.tone), native.run.verdict.tone);
  assert.equal(await page.evaluate(() => window.reluViews.heatmaps.linkState().link), native.link);
  assert.deepEqual(problems, []);
  await context.close();
});

test("on a narrow screen the maps stack and still draw", async () => {
  const { page, problems, context } = await open({ viewport: { width: 420, height: 900 } });
  const boxes = [];
  for (const id of Object.values(SCHEMES)) {
    assert.ok((await inkFraction(page, id)) > 0.3);
    boxes.push(await page.$eval(`#${id}`, (c) => c.getBoundingClientRect().toJSON()));
  }
  assert.ok(boxes[1].top >= boxes[0].bottom - 1, "stacked");
  await hover(page, "kaiming", 10, 10);
  await screenshot(page, "heatmaps-05-narrow");
  assert.deepEqual(problems, []);
  await context.close();
});
