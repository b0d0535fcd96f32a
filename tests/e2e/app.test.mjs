// End-to-end test of the Fig. 3 view in Debian's Chromium: load, draw, play, keyboard, bad input,
// crash handling, rotation, layout, and agreement with the native `obstruction` binary.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { BIN, ROOT, serveDist, launch, guardedPage, screenshot, inkFraction, readout } from "./harness.mjs";

let server;
let browser;

before(async () => {
  assert.ok(fs.existsSync(path.join(ROOT, "dist/index.html")), "dist/ is built (trunk build)");
  server = await serveDist();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function openApp(options) {
  const g = await guardedPage(browser, options);
  const t0 = Date.now();
  await g.page.goto(server.url);
  await g.page.waitForSelector("body[data-ready=true]", { timeout: 15000 });
  g.firstFrameMs = Date.now() - t0;
  return g;
}

async function waitForStep(page, row, atLeast, timeout = 30000) {
  await page.waitForFunction(
    ([r, n]) => Number(document.getElementById(`${r}-step`)?.dataset.value) >= n,
    [row, atLeast],
    { timeout },
  );
}

const CANVASES = ["q-top-0", "q-top-1", "q-bottom-0", "q-bottom-1", "loss-chart"];

test("the page loads without errors and every canvas draws", async () => {
  const { page, problems, context, firstFrameMs } = await openApp();
  console.log(`first frame after ${firstFrameMs} ms (navigation to the first drawn frame, localhost)`);
  for (const id of CANVASES) {
    const ink = await inkFraction(page, id);
    assert.ok(ink > 0.01, `${id} drew (ink fraction ${ink})`);
  }
  // Canvases are sized for the device pixel ratio.
  const sizes = await page.$eval("#q-top-0", (c) => [c.width, c.getBoundingClientRect().width, devicePixelRatio]);
  assert.ok(Math.abs(sizes[0] - sizes[1] * sizes[2]) <= 1, `backing store ${sizes}`);
  assert.equal(await readout(page, "top", "label"), "[1,1]");
  assert.equal(await readout(page, "bottom", "label"), "[1,-1]");
  assert.equal(await readout(page, "top", "components"), "4");
  assert.equal(await page.$eval("#verdict-top", (e) => e.dataset.obstructed), "true");
  assert.equal(await page.$eval("#verdict-bottom", (e) => e.dataset.obstructed), "false");
  await screenshot(page, "01-loaded");
  assert.deepEqual(problems, []);
  await context.close();
});

test("play: the obstructed run plateaus and the good run converges within 500 steps", async () => {
  const { page, problems, context } = await openApp();
  await page.click("#play");
  await waitForStep(page, "top", 500);
  // "Pause at t* = 500" is on by default.
  await page.waitForFunction(() => document.getElementById("play").textContent === "Play");
  assert.equal(await readout(page, "top", "step"), "500");
  const top = Number(await readout(page, "top", "loss"));
  const bottom = Number(await readout(page, "bottom", "loss"));
  assert.ok(top > 0.1, `obstructed loss ${top}`);
  assert.ok(bottom < 1e-3, `good loss ${bottom}`);
  for (const id of CANVASES) assert.ok((await inkFraction(page, id)) > 0.01, id);
  await screenshot(page, "02-after-500-steps");
  // The linear scale draws too.
  await page.click("#log-scale");
  await page.waitForTimeout(100);
  await screenshot(page, "03-linear-scale");
  assert.deepEqual(problems, []);
  await context.close();
});

test("keyboard: space plays and pauses, the right arrow steps, r resets", async () => {
  const { page, problems, context } = await openApp();
  await page.focus("body");
  await page.keyboard.press("ArrowRight");
  assert.equal(await readout(page, "top", "step"), "1");
  await page.keyboard.press("ArrowRight");
  assert.equal(await readout(page, "bottom", "step"), "2");
  await page.keyboard.press("Space");
  await page.waitForFunction(() => document.getElementById("play").textContent === "Pause");
  await waitForStep(page, "top", 20);
  await page.keyboard.press("Space");
  await page.waitForFunction(() => document.getElementById("play").textContent === "Play");
  const stopped = await readout(page, "top", "step");
  await page.waitForTimeout(200);
  assert.equal(await readout(page, "top", "step"), stopped, "paused runs do not step");
  await page.keyboard.press("r");
  assert.equal(await readout(page, "top", "step"), "0");
  // Every control is reachable with Tab and labelled.
  const unlabelled = await page.$$eval("input, select", (els) =>
    els.filter((el) => !document.querySelector(`label[for="${el.id}"]`)).map((el) => el.id),
  );
  assert.deepEqual(unlabelled, []);
  await screenshot(page, "04-keyboard");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a divergent learning rate pauses with a message and reset recovers", async () => {
  const { page, problems, context } = await openApp();
  await page.fill("#lr", "10");
  await page.press("#lr", "Enter");
  await page.locator("#lr").blur();
  await page.click("#play");
  await page.waitForFunction(() => /diverged/.test(document.getElementById("message").textContent), null, { timeout: 20000 });
  await page.waitForFunction(() => document.getElementById("play").textContent === "Play");
  const msg = await page.textContent("#message");
  assert.match(msg, /learning rate 10/);
  const loss = Number(await readout(page, "top", "loss"));
  assert.ok(Number.isFinite(loss), "the readout keeps the last finite state");
  await screenshot(page, "05-diverged");
  // Playing again does not unfreeze a diverged run silently.
  await page.click("#play");
  assert.equal(await page.textContent("#play"), "Play");
  await page.fill("#lr", "0.05");
  await page.locator("#lr").blur();
  await page.click("#reset");
  assert.equal(await readout(page, "top", "step"), "0");
  await page.keyboard.press("ArrowRight");
  assert.equal(await readout(page, "top", "step"), "1");
  assert.deepEqual(problems, []);
  await context.close();
});

test("out-of-range and malformed values are refused with a message, not clamped", async () => {
  const { page, problems, context } = await openApp();
  const cases = [
    ["#lr", "0", /learning rate = 0 is out of range/],
    ["#lr", "5000", /out of range/],
    ["#lr", "abc", /not a number/],
    ["#seed", "-3", /whole number/],
    ["#seed", "1e99", /whole number/],
    ["#speed", "0", /1 to 1000/],
  ];
  for (const [sel, value, re] of cases) {
    await page.fill(sel, value);
    await page.locator(sel).blur();
    await page.waitForFunction(() => !document.getElementById("message").hidden);
    assert.match(await page.textContent("#message"), re, `${sel} = ${value}`);
    assert.equal(await page.getAttribute(sel, "aria-invalid"), "true");
    assert.equal(await page.inputValue(sel), value, "the typed value is not silently replaced");
    await page.fill(sel, sel === "#lr" ? "0.05" : sel === "#seed" ? "0" : "4");
    await page.locator(sel).blur();
  }
  await page.fill("#lr", "0");
  await page.locator("#lr").blur();
  await screenshot(page, "06-refused-value");
  // The runs still use the last valid settings.
  await page.keyboard.press("ArrowRight").catch(() => {});
  await page.click("#step");
  const lrUsed = await page.evaluate(() => window.reluApp.state.settings.lr);
  assert.equal(lrUsed, 0.05);
  assert.deepEqual(problems, []);
  await context.close();
});

test("dragging a 3-D plot turns both panels of its row", async () => {
  const { page, problems, context } = await openApp();
  const before = await page.evaluate(() => ["q-top-0", "q-top-1", "q-bottom-0"].map((id) => document.getElementById(id).toDataURL()));
  const box = await page.locator("#q-top-0").boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 30, { steps: 8 });
  await page.mouse.up();
  await page.waitForTimeout(150);
  const after = await page.evaluate(() => ["q-top-0", "q-top-1", "q-bottom-0"].map((id) => document.getElementById(id).toDataURL()));
  assert.notEqual(after[0], before[0], "the dragged panel turned");
  assert.notEqual(after[1], before[1], "its row partner turned with it");
  assert.equal(after[2], before[2], "the other row did not");
  // Keyboard rotation on a focused plot.
  await page.focus("#q-bottom-0");
  await page.keyboard.press("ArrowLeft");
  await page.waitForTimeout(100);
  const rotated = await page.$eval("#q-bottom-0", (c) => c.toDataURL());
  assert.notEqual(rotated, before[2]);
  assert.equal(await readout(page, "top", "step"), "0", "arrow keys on a plot rotate, they do not step");
  await screenshot(page, "07-rotated");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the layout works on a 360 px phone and on a projector", async () => {
  for (const [name, viewport, dpr] of [
    ["phone", { width: 360, height: 740 }, 3],
    ["projector", { width: 1920, height: 1080 }, 1],
  ]) {
    const { page, problems, context } = await openApp({ viewport, deviceScaleFactor: dpr });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name}: horizontal overflow of ${overflow}px`);
    for (const id of CANVASES) assert.ok((await inkFraction(page, id)) > 0.01, `${name}: ${id}`);
    const c = await page.$eval("#q-top-0", (el) => [el.width, el.getBoundingClientRect().width]);
    assert.ok(Math.abs(c[0] - c[1] * dpr) <= 1, `${name}: canvas backing store ${c} at dpr ${dpr}`);
    await screenshot(page, `08-${name}`);
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test("a panic in the core shows a visible error instead of a dead page", async () => {
  const { page, context } = await openApp();
  await page.evaluate(() => {
    try {
      window.reluApp.wasm.debugPanic();
    } catch (err) {
      dispatchEvent(new ErrorEvent("error", { message: String(err.message || err) }));
    }
  });
  await page.waitForFunction(() => !document.getElementById("fatal").hidden);
  assert.match(await page.textContent("#fatal"), /Internal error.*reload/i);
  assert.equal(await page.isDisabled("#play"), true);
  await screenshot(page, "09-panic");
  await context.close();
});

test("the browser computes exactly the numbers of the native command line", async () => {
  const bin = BIN;
  assert.ok(fs.existsSync(bin), `native binary at ${bin} (cargo build --release)`);
  const { page, problems, context } = await openApp();
  for (const [preset, seed, integrator] of [
    ["fig3-obstructed-pp", 0, "gd"],
    ["fig3-good-pm", 7, "gd"],
    ["fig3-good-nonpathological", 3, "conserving"],
    ["fig3-obstructed-mm", 1, "flow"],
  ]) {
    const steps = integrator === "flow" ? 60 : 500;
    const native = JSON.parse(
      execFileSync(bin, ["train", "--preset", preset, "--seed", String(seed), "--steps", String(steps), "--integrator", integrator], {
        encoding: "utf8",
      }),
    );
    const web = await page.evaluate(
      ([p, s, i, n]) => {
        const run = new window.reluApp.wasm.Run({ preset: p, seed: s, integrator: i });
        const theta0 = Array.from(run.params());
        run.step(n);
        const hist = Array.from(run.lossHistory());
        const out = { theta0, theta: Array.from(run.params()), loss: hist.filter((_, j) => j % 2 === 1), readout: run.readout() };
        run.free();
        return out;
      },
      [preset, seed, integrator, steps],
    );
    assert.deepEqual(web.theta0, native.theta_initial, `${preset}: initialization bit for bit`);
    assert.equal(web.loss.length, native.loss.length);
    const maxDiff = (a, b) => Math.max(...a.map((x, j) => Math.abs(x - b[j])));
    assert.ok(maxDiff(web.loss, native.loss) <= 1e-12, `${preset} ${integrator}: loss differs by ${maxDiff(web.loss, native.loss)}`);
    assert.ok(maxDiff(web.theta, native.theta_final) <= 1e-12, `${preset} ${integrator}: θ differs`);
    assert.deepEqual(web.readout.component_label, native.component_label);
    console.log(`${preset} seed ${seed} ${integrator}: ${steps} steps, max |Δloss| = ${maxDiff(web.loss, native.loss)}`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});
