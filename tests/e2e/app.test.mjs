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

test("the figure is drawn once on arrival, and again only when a canvas changes size", async () => {
  // Under reduced motion nothing plays: every stroke after the first frame would be a redrawing.
  const g = await guardedPage(browser);
  await g.page.addInitScript(() => {
    window.__strokes = 0;
    const stroke = CanvasRenderingContext2D.prototype.stroke;
    CanvasRenderingContext2D.prototype.stroke = function (...args) {
      window.__strokes += 1;
      return stroke.apply(this, args);
    };
    new MutationObserver((_, obs) => {
      if (document.body?.dataset.ready !== "true") return;
      obs.disconnect();
      requestAnimationFrame(() => {
        window.__atFirstFrame = window.__strokes;
      });
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-ready"] });
  });
  await g.page.goto(`${server.url}#fig3`);
  await g.page.waitForFunction(() => window.__atFirstFrame !== undefined);
  const first = await g.page.evaluate(() => window.__atFirstFrame);
  assert.ok(first > 0, "the first frame shows the figure");
  // The ResizeObservers' first reports come in the frames after the first paint.
  await g.page.waitForTimeout(800);
  assert.equal(await g.page.evaluate(() => window.__strokes), first, "no redrawing of an unchanged figure");
  await g.page.setViewportSize({ width: 1200, height: 1000 });
  await g.page.waitForFunction((n) => window.__strokes >= 2 * n, first);
  assert.deepEqual(g.problems, []);
  await g.context.close();
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
  assert.match(msg, /learning rate η = 10/);
  assert.match(msg, /the loss is no longer a number|the loss became infinite|no longer a number/);
  assert.doesNotMatch(await page.textContent("#view-fig3"), /NaN|Infinity/, "no NaN on screen");
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
  // Every value is read by the Rust view model with the link's grammar and limits: the message
  // names the control, why, and the value that stays in force.
  const cases = [
    ["#lr", "0", "out_of_range", /^Learning rate η "0": out of range \(0, 1000\]\. The previous value 0\.05 is still in use\.$/],
    ["#lr", "5000", "out_of_range", /out of range/],
    ["#lr", "abc", "not_a_number", /"abc": not a number/],
    ["#lr", "0x10", "not_a_number", /"0x10": not a number/],
    ["#lr", "1e999", "not_finite", /not a finite number/],
    ["#seed", "-3", "out_of_range", /^Seed "-3": out of range \[0, 9007199254740991\]/],
    ["#seed", "1e99", "out_of_range", /out of range/],
    ["#seed", "2.5", "not_whole", /not a whole number/],
    ["#speed", "0", "out_of_range", /Steps per frame "0": out of range \[1, 1000\]/],
  ];
  for (const [sel, value, code, re] of cases) {
    await page.fill(sel, value);
    await page.locator(sel).blur();
    await page.waitForFunction(() => !document.getElementById("message").hidden);
    assert.match(await page.textContent("#message"), re, `${sel} = ${value}`);
    assert.equal(await page.getAttribute(sel, "aria-invalid"), "true");
    assert.equal(await page.getAttribute(sel, "data-rejected"), code, `${sel} = ${value}`);
    assert.equal(await page.inputValue(sel), value, "the typed value is not silently replaced");
    // The link keeps the value in force (0x10 is not 16).
    const link = await page.evaluate(() => window.reluViews.fig3.linkState().link);
    assert.match(link, /&seed=0&lr=0\.05&int=gd&speed=4&/, `${sel} = ${value}: ${link}`);
    await page.fill(sel, sel === "#lr" ? "0.05" : sel === "#seed" ? "0" : "4");
    await page.locator(sel).blur();
    assert.equal(await page.getAttribute(sel, "aria-invalid"), null);
  }
  await page.fill("#lr", "0");
  await page.locator("#lr").blur();
  await screenshot(page, "06-refused-value");
  // The runs still use the last valid settings.
  await page.keyboard.press("ArrowRight").catch(() => {});
  await page.click("#step");
  const link = await page.evaluate(() => window.reluViews.fig3.linkState().link);
  assert.match(link, /&lr=0\.05&/, "the runs still use η = 0.05");
  assert.equal(await readout(page, "top", "step"), "2", "→ and Step each took one step");
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
    // The page's own view model, driven by a link as a reader would open it.
    const web = await page.evaluate(
      ([p, s, i, n]) => {
        const fresh = new window.reluApp.wasm.Fig3View();
        fresh.applyLink(`#fig3?v=1&top=${p}&seed=${s}&int=${i}`);
        const theta0 = Array.from(fresh.params("top"));
        fresh.free();
        const view = new window.reluApp.wasm.Fig3View();
        const refused = view.applyLink(`#fig3?v=1&top=${p}&seed=${s}&int=${i}&step=${n}`);
        while (view.replay());
        const hist = Array.from(view.lossHistory("top"));
        const r = view.readout();
        const out = {
          refused,
          theta0,
          theta: Array.from(view.params("top")),
          loss: hist.filter((_, j) => j % 2 === 1),
          label: JSON.parse(r.rows[0].fields.find((f) => f.key === "label").value),
          step: r.step,
        };
        view.free();
        return out;
      },
      [preset, seed, integrator, steps],
    );
    assert.deepEqual(web.refused, []);
    assert.equal(web.step, steps);
    assert.deepEqual(web.theta0, native.theta_initial, `${preset}: initialization bit for bit`);
    assert.equal(web.loss.length, native.loss.length);
    const maxDiff = (a, b) => Math.max(...a.map((x, j) => Math.abs(x - b[j])));
    assert.ok(maxDiff(web.loss, native.loss) <= 1e-12, `${preset} ${integrator}: loss differs by ${maxDiff(web.loss, native.loss)}`);
    assert.ok(maxDiff(web.theta, native.theta_final) <= 1e-12, `${preset} ${integrator}: θ differs`);
    assert.deepEqual(web.label, native.component_label);
    console.log(`${preset} seed ${seed} ${integrator}: ${steps} steps, max |Δloss| = ${maxDiff(web.loss, native.loss)}`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test("a link and typed values give the readouts of the native view model", async () => {
  assert.ok(fs.existsSync(BIN), `native binary at ${BIN} (cargo build --release)`);
  const link = "#fig3?v=1&top=fig3-good-pm&bottom=fig3-obstructed-mm&seed=5&pause=0&step=40";
  const { page, problems, context } = await openApp();
  await page.goto(`${server.url}${link}`);
  await page.waitForFunction(() => document.getElementById("view-fig3").dataset.step === "40");
  // What a reader does next: a bad value (refused), a good one, an integrator, two steps.
  for (const [sel, text] of [["#lr", "0x10"], ["#lr", "0.07"]]) {
    await page.fill(sel, text);
    await page.locator(sel).blur();
  }
  await page.selectOption("#integrator", "conserving");
  await page.click("#step");
  await page.click("#step");
  const native = JSON.parse(
    execFileSync(BIN, ["view", link, "--set", "lr=0x10", "--set", "lr=0.07", "--set", "int=conserving", "--step", "--step"], { encoding: "utf8" }),
  );
  assert.deepEqual(native.rejections, [], "the link opens without a refusal");
  assert.equal(native.refused[0].code, "not_a_number", "0x10 is refused natively too");
  assert.deepEqual(native.refused.slice(1), [null, null]);
  for (const row of native.readout.rows) {
    for (const f of row.fields) {
      const dd = await page.$eval(`#${row.row}-${f.key}`, (e) => [e.textContent, e.dataset.value]);
      assert.deepEqual(dd, [f.text, f.value], `${row.row} ${f.key}`);
    }
    assert.equal(await page.textContent(`#verdict-${row.row}`), row.verdict.text);
    assert.equal(await page.textContent(`#row-${row.row}-title`), row.title);
  }
  assert.equal(await page.evaluate(() => location.hash), native.link.link, "the page's link is the model's");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a gradient-flow link replays across frames without blocking the page, to the native numbers", async () => {
  const link = "#fig3?v=1&int=flow&step=1000";
  const { page, problems, context } = await openApp();
  // Long tasks (main-thread work of 50 ms or more) while the link replays.
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: "longtask", buffered: false });
  });
  const t0 = Date.now();
  await page.evaluate((l) => {
    location.hash = l;
  }, link);
  await page.waitForFunction(() => document.getElementById("view-fig3").dataset.replaying === "true", null, { timeout: 5000 });
  assert.match(await page.textContent("#message"), /Replaying the link: step \d+ of 1000/);
  await page.waitForFunction(() => document.getElementById("view-fig3").dataset.step === "1000", null, { timeout: 120000 });
  const seconds = (Date.now() - t0) / 1000;
  const longest = await page.evaluate(() => Math.max(0, ...window.__longTasks));
  console.log(`flow replay of 1000 steps: ${seconds.toFixed(1)} s, longest main-thread task ${longest.toFixed(0)} ms`);
  assert.ok(longest < 250, `the longest main-thread task while replaying took ${longest} ms`);
  assert.equal(await page.isHidden("#message"), true, "the progress note is gone once replayed");
  const native = JSON.parse(execFileSync(BIN, ["view", link], { encoding: "utf8" }));
  for (const row of native.readout.rows) {
    for (const f of row.fields) {
      assert.equal(await page.$eval(`#${row.row}-${f.key}`, (e) => e.dataset.value), f.value, `${row.row} ${f.key}`);
    }
  }
  assert.deepEqual(problems, []);
  await context.close();
});
