// End-to-end test of the Fig. 1b view (one neuron, d = e = 1) in Debian's Chromium: it draws, a drag
// chooses the initialization, a rescaling keeps the function and the loss while c moves, a run
// follows its hyperbola, bad input is refused, the keyboard moves the point.
//
// Independent references: for w > 0 the network on the view's data (x_i = i/20, i = 1..40, all
// positive, y = x) is the linear map x ↦ (w v) x, so L = ½ m₂ (w v − 1)² with m₂ = mean x_i² and
// f(x) = w v x; the rescaling (w, v) ↦ (αw, v/α) gives c = α²w² − v²/α².

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { DIST, serveDist, launch, guardedPage, screenshot, inkFraction, openView } from "./harness.mjs";

let server;
let browser;

const M2 = Array.from({ length: 40 }, (_, i) => ((i + 1) / 20) ** 2).reduce((a, b) => a + b, 0) / 40;
const closedFormLoss = (w, v) => (w > 0 ? 0.5 * M2 * (w * v - 1) ** 2 : 0.5 * M2);

before(async () => {
  assert.ok(fs.existsSync(path.join(DIST, "index.html")), `${DIST} is built (trunk build)`);
  server = await serveDist();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function value(page, key) {
  return Number(await page.$eval(`#fig1b-out-${key}`, (el) => el.dataset.value));
}

async function text(page, key) {
  return page.$eval(`#fig1b-out-${key}`, (el) => el.textContent);
}

async function canvasData(page) {
  return page.$eval("#fig1b-canvas", (c) => c.toDataURL());
}

async function clientPointOf(page, w, v) {
  return page.evaluate(([a, b]) => window.reluViews.fig1b.clientPointOf(a, b), [w, v]);
}

async function open() {
  const g = await guardedPage(browser);
  await openView(g.page, server.url, "fig1b");
  await g.page.waitForFunction(() => document.getElementById("fig1b-out-w")?.dataset.value !== undefined);
  return g;
}

test("the plane draws, a drag chooses the start, the readouts follow", async () => {
  const { page, problems, context } = await open();
  const ink = await inkFraction(page, "fig1b-canvas");
  assert.ok(ink > 0.01, `canvas drew (ink ${ink})`);
  const sizes = await page.$eval("#fig1b-canvas", (c) => [c.width, c.getBoundingClientRect().width, devicePixelRatio]);
  assert.ok(Math.abs(sizes[0] - sizes[1] * sizes[2]) <= 1, `backing store ${sizes}`);
  assert.equal(await page.$eval("#fig1b-heading", (e) => e.textContent.length > 10), true);
  assert.equal(await value(page, "w"), 2);
  assert.equal(await value(page, "v"), -0.5);
  assert.equal(await value(page, "c"), 3.75);
  assert.equal(await page.$eval("#fig1b-verdict", (e) => e.dataset.kind), "reachable");
  // The loss readout agrees with the closed form.
  assert.ok(Math.abs((await value(page, "loss")) - closedFormLoss(2, -0.5)) < 1e-12);
  await screenshot(page, "fig1b-01-loaded");

  // Drag the point from where it is to (0.5, −1.5): the pathological start.
  await page.$eval("#fig1b-canvas", (c) => c.scrollIntoView({ block: "center" }));
  const before = await canvasData(page);
  const [x0, y0] = await clientPointOf(page, 2, -0.5);
  const [x1, y1] = await clientPointOf(page, 0.5, -1.5);
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, { steps: 4 });
  await page.mouse.move(x1, y1, { steps: 4 });
  await page.mouse.up();
  await page.waitForFunction(() => Math.abs(Number(document.getElementById("fig1b-out-w").dataset.value) - 0.5) < 0.05);
  const [w, v] = [await value(page, "w"), await value(page, "v")];
  // One CSS pixel is about 6 / 600 of the window: the drop lands within a few hundredths.
  assert.ok(Math.abs(w - 0.5) < 0.03 && Math.abs(v + 1.5) < 0.03, `dropped at (${w}, ${v})`);
  assert.ok(Math.abs((await value(page, "c")) - (w * w - v * v)) < 1e-12);
  assert.equal(await value(page, "step"), 0);
  assert.equal(await page.$eval("#fig1b-verdict", (e) => e.dataset.kind), "frozen_negative_output");
  assert.match(await page.$eval("#fig1b-verdict", (e) => e.textContent), /v can never change sign/);
  assert.notEqual(await canvasData(page), before, "the canvas changed");
  assert.equal(await page.$eval("#fig1b-start-w", (e) => Number(e.value)), Number(w.toPrecision(6)));
  await screenshot(page, "fig1b-02-dragged-pathological");

  // Play the pathological run: v stays negative (|v| ≥ √(−c)), the loss does not reach 0.
  await page.fill("#fig1b-speed", "10");
  await page.click("#fig1b-play");
  await page.waitForFunction(() => Number(document.getElementById("fig1b-out-step").dataset.value) >= 300, null, { timeout: 30000 });
  await page.click("#fig1b-play");
  assert.ok((await value(page, "c_initial")) < 0);
  assert.ok((await value(page, "v")) < -1, "v stayed negative");
  assert.ok((await value(page, "loss")) > 0.5, "the loss stays high");
  await screenshot(page, "fig1b-03-pathological-run");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a rescaling moves c but keeps the function, the loss and w·v", async () => {
  const { page, problems, context } = await open();
  // Take a few steps so the point is not a round number.
  for (let i = 0; i < 3; i++) await page.click("#fig1b-step");
  const old = {};
  for (const k of ["w", "v", "c", "loss", "f0", "f1", "f2", "product"]) old[k] = { v: await value(page, k), t: await text(page, k) };
  const before = await canvasData(page);
  await page.fill("#fig1b-alpha", "1.25");
  await page.click("#fig1b-rescale");
  await page.waitForFunction((w) => Number(document.getElementById("fig1b-out-w").dataset.value) !== w, old.w.v);
  const w = await value(page, "w");
  const v = await value(page, "v");
  assert.ok(Math.abs(w - 1.25 * old.w.v) < 1e-12 && Math.abs(v - old.v.v / 1.25) < 1e-12);
  const predicted = 1.25 ** 2 * old.w.v ** 2 - old.v.v ** 2 / 1.25 ** 2;
  assert.ok(Math.abs((await value(page, "c")) - predicted) < 1e-9, "c moved as predicted");
  assert.ok(Math.abs((await value(page, "c")) - old.c.v) > 0.5, "c changed");
  for (const k of ["loss", "f0", "f1", "f2", "product"]) assert.equal(await text(page, k), old[k].t, `${k} unchanged`);
  assert.ok(Math.abs((await value(page, "f1")) - w * v) < 1e-12, "f(1) = w v");
  assert.ok(Math.abs((await value(page, "loss")) - closedFormLoss(w, v)) < 1e-12);
  assert.match(await page.$eval("#fig1b-message", (e) => e.textContent), /same function/);
  assert.notEqual(await canvasData(page), before, "the point moved on the canvas");
  await screenshot(page, "fig1b-04-rescaled");

  // Bad factors are refused with a message; the state is kept.
  for (const bad of ["0", "-1", "abc", "100"]) {
    await page.fill("#fig1b-alpha", bad);
    await page.click("#fig1b-rescale");
    const msg = await page.$eval("#fig1b-message", (e) => (e.hidden ? "" : e.textContent));
    assert.ok(msg.length > 10, `α = ${bad} refused with a message (${msg})`);
    assert.equal(await page.$eval("#fig1b-alpha", (e) => e.getAttribute("aria-invalid")), "true");
    assert.equal(await value(page, "w"), w, `α = ${bad} left w alone`);
  }
  await screenshot(page, "fig1b-05-refused-alpha");
  // A bad start and a bad learning rate are refused too.
  await page.fill("#fig1b-start-w", "7");
  await page.click("#fig1b-set-start");
  assert.match(await page.$eval("#fig1b-message", (e) => e.textContent), /w = 7 is out of range/);
  assert.equal(await value(page, "w"), w);
  await page.fill("#fig1b-lr", "-0.1");
  await page.click("#fig1b-step");
  assert.match(await page.$eval("#fig1b-message", (e) => e.textContent), /learning rate/);
  assert.equal(await value(page, "step"), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test("with the flow integrator the run follows its hyperbola to the minima", async () => {
  const { page, problems, context } = await open();
  await page.selectOption("#fig1b-integrator", "flow");
  const [w0, v0] = [await value(page, "w"), await value(page, "v")];
  await page.click("#fig1b-play");
  await page.waitForFunction(() => Number(document.getElementById("fig1b-out-step").dataset.value) >= 20, null, { timeout: 30000 });
  await page.click("#fig1b-play"); // pause, so the readouts below belong to one state
  const moving = await canvasData(page);
  const w = await value(page, "w");
  const v = await value(page, "v");
  assert.ok(Math.hypot(w - w0, v - v0) > 0.1, `the point moved (${w}, ${v})`);
  assert.ok(Math.abs(await value(page, "c_drift")) < 1e-6, "c conserved by the flow");
  assert.ok(Math.abs(w * w - v * v - 3.75) < 1e-6, "still on w² − v² = 3.75");
  // The gradient readout is tangent to the hyperbola: w ∂L/∂w = v ∂L/∂v.
  const gw = await value(page, "grad_w");
  const gv = await value(page, "grad_v");
  assert.ok(Math.abs(w * gw - v * gv) <= 1e-9 * (1 + Math.abs(w * gw)), `tangency ${w * gw} vs ${v * gv}`);
  // It reaches the minimum w·v = 1 and pauses by itself.
  await page.click("#fig1b-play");
  await page.waitForFunction(() => document.getElementById("fig1b-verdict").dataset.atMinimum === "true", null, { timeout: 40000 });
  await page.waitForFunction(() => document.getElementById("fig1b-play").textContent === "Play");
  assert.ok(Math.abs((await value(page, "product")) - 1) < 1e-3);
  assert.ok(Math.abs(await value(page, "c_drift")) < 1e-6);
  assert.match(await page.$eval("#fig1b-verdict", (e) => e.textContent), /global minimum/);
  assert.notEqual(await canvasData(page), moving);
  await screenshot(page, "fig1b-06-flow-at-minimum");

  // Keyboard: the focused plane moves the start with the arrow keys.
  await page.click("#fig1b-good");
  await page.focus("#fig1b-canvas");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowUp");
  assert.ok(Math.abs((await value(page, "w")) - 2.05) < 1e-12);
  assert.ok(Math.abs((await value(page, "v")) + 0.45) < 1e-12);
  await page.keyboard.press("Space");
  await page.waitForFunction(() => Number(document.getElementById("fig1b-out-step").dataset.value) > 0);
  await page.keyboard.press("Space");
  await screenshot(page, "fig1b-07-keyboard");
  assert.deepEqual(problems, []);
  await context.close();
});

test("on a phone-sized screen the plane still fits and draws", async () => {
  const g = await guardedPage(browser, { viewport: { width: 390, height: 800 }, deviceScaleFactor: 2 });
  await openView(g.page, server.url, "fig1b");
  await g.page.waitForFunction(() => document.getElementById("fig1b-out-w")?.dataset.value !== undefined);
  assert.ok((await inkFraction(g.page, "fig1b-canvas")) > 0.01);
  const overflow = await g.page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 0, `no horizontal scroll (${overflow})`);
  await screenshot(g.page, "fig1b-08-phone");
  assert.deepEqual(g.problems, []);
  await g.context.close();
});
