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
import { execFileSync } from "node:child_process";
import { BIN, DIST, ROOT, serveDist, launch, guardedPage, screenshot, inkFraction, openView } from "./harness.mjs";

let server;
let browser;

const M2 = Array.from({ length: 40 }, (_, i) => ((i + 1) / 20) ** 2).reduce((a, b) => a + b, 0) / 40;
const closedFormLoss = (w, v) => (w > 0 ? 0.5 * M2 * (w * v - 1) ** 2 : 0.5 * M2);
/** (w, v) after `steps` steps of gradient descent on the closed-form loss (w > 0 throughout). */
function gd(w, v, lr, steps) {
  for (let i = 0; i < steps; i++) {
    const r = w * v - 1;
    [w, v] = [w - lr * M2 * r * v, v - lr * M2 * r * w];
  }
  return [w, v];
}

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
  // The start fields show the exact start of the run (the model's value in force, as a link writes it).
  assert.equal(await page.inputValue("#fig1b-start-w"), await page.$eval("#fig1b-out-w", (e) => e.dataset.value));
  assert.equal(await page.inputValue("#fig1b-start-v"), await page.$eval("#fig1b-out-v", (e) => e.dataset.value));
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
  assert.match(await page.$eval("#fig1b-message", (e) => e.textContent), /start w "7": out of range/);
  assert.equal(await page.$eval("#fig1b-start-w", (e) => e.dataset.rejected), "out_of_range");
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

test("typed hex or words for η are refused with a message; η and the link keep 0.01", async () => {
  const { page, problems, context } = await open();
  const link = () => page.evaluate(() => window.reluViews.fig1b.linkState().link);
  const hash = () => page.evaluate(() => location.hash);
  await page.waitForFunction(() => /&lr=0\.01&/.test(location.hash));
  for (const [bad, why] of [["0x10", "not a number"], ["abc", "not a number"], ["1e999", "not a finite number"]]) {
    await page.fill("#fig1b-lr", bad);
    await page.press("#fig1b-lr", "Tab");
    const msg = await page.$eval("#fig1b-message", (e) => (e.hidden ? "" : e.textContent));
    assert.equal(msg, `learning rate η "${bad}": ${why}. The previous value 0.01 is still in use.`);
    assert.equal(await page.$eval("#fig1b-lr", (e) => e.getAttribute("aria-invalid")), "true");
    assert.equal(await page.$eval("#fig1b-lr", (e) => e.dataset.rejected), bad === "1e999" ? "not_finite" : "not_a_number");
    await page.waitForTimeout(500); // longer than the shell's throttle of continuous changes
    assert.match(await hash(), /&lr=0\.01&/, `${bad}: the address keeps lr=0.01`);
    assert.match(await link(), /&lr=0\.01&/, `${bad}: the link keeps lr=0.01`);
    // Stepping with a refused field pending is refused too (as before): nothing moves.
    await page.click("#fig1b-step");
    assert.equal(await value(page, "step"), 0);
  }
  await page.waitForFunction(() => /&lr=0\.01&/.test(location.hash));
  // A good value clears the mark and is used: one GD step of η = 0.5 from (2, −0.5), by hand.
  await page.fill("#fig1b-lr", "0.5");
  await page.click("#fig1b-step");
  assert.equal(await page.$eval("#fig1b-lr", (e) => e.getAttribute("aria-invalid")), null);
  assert.equal(await value(page, "step"), 1);
  const r = 2 * -0.5 - 1;
  assert.ok(Math.abs((await value(page, "w")) - (2 - 0.5 * M2 * r * -0.5)) < 1e-12);
  assert.ok(Math.abs((await value(page, "v")) - (-0.5 - 0.5 * M2 * r * 2)) < 1e-12);
  await page.waitForFunction(() => /&lr=0\.5&/.test(location.hash));
  assert.deepEqual(problems, []);
  await context.close();
});

test("a link and typed settings give the native view model's readouts, text for text", async () => {
  const link = "#fig1b?v=1&lr=0.05&int=gd&speed=3&w0=1.5&v0=0.25&alpha=2&step=40";
  const ops = [
    ["set", "lr", "0.02"],
    ["set", "speed", "4"],
    ["step", 3],
    ["set", "alpha", "1.25"],
    ["rescale"],
    ["step", 2],
  ];
  const { page, problems, context } = await open();
  await page.evaluate((l) => {
    location.hash = l;
  }, link);
  await page.waitForFunction(() => document.getElementById("fig1b-out-step").dataset.value === "40");
  await page.fill("#fig1b-lr", "0.02");
  await page.press("#fig1b-lr", "Tab");
  await page.fill("#fig1b-speed", "4");
  await page.press("#fig1b-speed", "Tab");
  for (let i = 0; i < 3; i++) await page.click("#fig1b-step");
  await page.fill("#fig1b-alpha", "1.25");
  await page.click("#fig1b-rescale");
  for (let i = 0; i < 2; i++) await page.click("#fig1b-step");
  await page.waitForFunction(() => document.getElementById("fig1b-out-step").dataset.value === "2");
  const shown = await page.evaluate(() =>
    Object.fromEntries([...document.querySelectorAll("#fig1b-readout dd")].map((e) => [e.dataset.key, [e.textContent, e.dataset.value]])),
  );
  // The native side: the same link and calls on the view model (`obstruction view`).
  const args = ops.flatMap(([op, a, b]) =>
    op === "set" ? ["--set", `${a}=${b}`] : op === "step" ? Array(a).fill("--step") : ["--press", op],
  );
  const out = JSON.parse(execFileSync(BIN, ["view", link, ...args], { encoding: "utf8" }));
  assert.deepEqual(out.rejections, []);
  assert.deepEqual(out.refused, [null, null, null]);
  const native = {
    fields: Object.fromEntries(out.readout.fields.map((f) => [f.key, [f.text, f.value]])),
    verdict: out.readout.verdict.text,
    link: out.link.link,
  };
  assert.deepEqual(shown, native.fields);
  assert.equal(await page.$eval("#fig1b-verdict", (e) => e.textContent), native.verdict);
  assert.equal(await page.evaluate(() => window.reluViews.fig1b.linkState().link), native.link);
  // And against the closed form: 3 GD steps of η = 0.02 from (1.5, 0.25) (the new η restarted the
  // run), the rescaling by 1.25, 2 more steps.
  let [w, v] = gd(1.5, 0.25, 0.02, 3);
  [w, v] = gd(1.25 * w, v / 1.25, 0.02, 2);
  assert.ok(Math.abs(Number(shown.w[1]) - w) < 1e-12 && Math.abs(Number(shown.v[1]) - v) < 1e-12, `(${shown.w[1]}, ${shown.v[1]}) vs (${w}, ${v})`);
  assert.ok(Math.abs(Number(shown.loss[1]) - closedFormLoss(w, v)) < 1e-12);
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
