// End-to-end test of the classroom features in Debian's Chromium: an axe-core accessibility audit
// of every view (normal and in presentation mode), keyboard operation with a visible focus,
// presentation mode and its keys, prefers-reduced-motion, and rotating / dragging by touch.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ROOT, serveDist, launch, guardedPage, openView, screenshot, readout } from "./harness.mjs";

const AXE = path.join(ROOT, "node_modules/axe-core/axe.min.js");
const VIEWS = ["fig3", "fig1b", "topology", "heatmaps", "fig4", "lab"];

let server;
let browser;

before(async () => {
  assert.ok(fs.existsSync(path.join(ROOT, "dist/index.html")), "dist/ is built (trunk build)");
  assert.ok(fs.existsSync(AXE), "axe-core is installed (npm ci)");
  server = await serveDist();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// bypassCSP: axe is injected as a script element, which a strict Content-Security-Policy may refuse.
const page = (options = {}) => guardedPage(browser, { bypassCSP: true, ...options });

/** Runs axe on the whole page; prints every violation and returns those of serious or critical impact. */
async function audit(p, label) {
  if (!(await p.evaluate(() => typeof window.axe === "object"))) await p.addScriptTag({ path: AXE });
  const violations = await p.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary.replace(/\s+/g, " ")}`),
    }));
  });
  if (violations.length === 0) console.log(`axe, ${label}: no violation`);
  for (const v of violations) {
    console.log(`axe, ${label}: [${v.impact}] ${v.id}: ${v.help}`);
    for (const n of v.nodes) console.log(`    ${n}`);
  }
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** The ids of the visible canvases of the shown view. */
async function visibleCanvases(p) {
  return p.$$eval("section.view:not([hidden]) canvas", (cs) => cs.filter((c) => c.getClientRects().length > 0).map((c) => c.id));
}

/** Waits until every visible canvas of the view is sized for its box and has ink. */
async function waitDrawn(p) {
  await p.waitForFunction(() => {
    const cs = [...document.querySelectorAll("section.view:not([hidden]) canvas")].filter((c) => c.getClientRects().length > 0);
    return cs.length > 0 && cs.every((c) => Math.abs(c.width - Math.round(c.getBoundingClientRect().width * devicePixelRatio)) <= 1);
  });
  for (const id of await visibleCanvases(p)) {
    await p.waitForFunction((cid) => {
      const c = document.getElementById(cid);
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4 * 97) if (d[i] < 245 || d[i + 1] < 245 || d[i + 2] < 245) return true;
      return false;
    }, id);
  }
}

/** Brings each view into an interesting state (results, verdicts) before it is audited. */
async function prepare(p, view) {
  if (view === "fig1b") {
    await p.click("#fig1b-pathological"); // the obstructed verdict, in its colour
    await p.waitForFunction(() => document.getElementById("fig1b-verdict").classList.contains("obstructed"));
  } else if (view === "heatmaps") {
    await p.focus("#hm-canvas-xavier");
    await p.keyboard.press("Enter"); // a live run of the selected cell
    await p.waitForFunction(() => Number(document.getElementById("hm-steps").dataset.value) > 0);
    await p.click("#hm-play");
  } else if (view === "fig4") {
    // A small sweep, so the charts and the table exist.
    for (const l of [1, 2, 4, 8, 16]) await p.setChecked(`#fig4-w${l}`, l <= 2);
    await p.fill("#fig4-seeds", "1");
    await p.fill("#fig4-steps", "20");
    await p.click("#fig4-run");
    await p.waitForSelector("#fig4-root[data-state=done]", { timeout: 60000 });
  }
}

test("axe: no serious or critical violation in any view, normal and in presentation mode", async () => {
  // Motion allowed: the heatmap's drawn run plays by itself (prepare() waits for its steps).
  const { page: p, problems, context } = await page({ reducedMotion: "no-preference" });
  const serious = [];
  for (const view of VIEWS) {
    await openView(p, server.url, view);
    await prepare(p, view);
    await waitDrawn(p);
    serious.push(...(await audit(p, view)).map((v) => `${view}: ${v.id}`));
    await p.keyboard.press("p");
    await p.waitForSelector("html.presenting");
    await waitDrawn(p);
    serious.push(...(await audit(p, `${view}, presentation mode`)).map((v) => `${view} (presentation): ${v.id}`));
    await screenshot(p, `a11y-presentation-${view}`);
    await p.keyboard.press("Escape");
    await p.waitForSelector("html:not(.presenting)");
  }
  assert.deepEqual(serious, [], "serious or critical accessibility violations");
  assert.deepEqual(problems, []);
  await context.close();
});

test("keyboard: skip link, Tab to Play, Space and Enter operate it, the focus is visible", async () => {
  const { page: p, problems, context } = await page();
  await openView(p, server.url, "fig3");
  // The first Tab reaches the skip link, which shows itself and moves the focus to the main content
  // without touching the hash (the hash names the view).
  const hashBefore = await p.evaluate(() => location.hash);
  assert.ok(hashBefore.startsWith("#fig3"), hashBefore);
  await p.keyboard.press("Tab");
  assert.equal(await p.evaluate(() => document.activeElement.className), "skip-link");
  const top = await p.$eval(".skip-link", (a) => a.getBoundingClientRect().top);
  assert.ok(top >= 0, `the focused skip link is on screen (top ${top})`);
  await p.keyboard.press("Enter");
  assert.equal(await p.evaluate(() => document.activeElement.id), "main");
  assert.equal(await p.evaluate(() => location.hash), hashBefore);

  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await p.keyboard.press("Tab");
    reached = (await p.evaluate(() => document.activeElement.id)) === "play";
  }
  assert.ok(reached, "Tab reaches the Play button");
  const ring = await p.$eval("#play", (b) => {
    const s = getComputedStyle(b);
    return { style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor, visible: b.matches(":focus-visible") };
  });
  assert.ok(ring.visible, "the Play button matches :focus-visible");
  assert.notEqual(ring.style, "none", "the focused Play button has an outline");
  assert.ok(ring.width >= 2, `outline width ${ring.width}`);
  assert.equal(ring.color, "rgb(27, 27, 27)", "the dark focus ring");

  await p.keyboard.press("Space");
  await p.waitForFunction(() => Number(document.getElementById("top-step").dataset.value) > 0);
  assert.equal(await p.$eval("#play", (b) => b.getAttribute("aria-pressed")), "true");
  await p.keyboard.press("Enter");
  assert.equal(await p.$eval("#play", (b) => b.textContent), "Play");
  const paused = await readout(p, "top", "step");
  await p.waitForTimeout(200);
  assert.equal(await readout(p, "top", "step"), paused, "Enter paused the runs");

  // A 3-D plot is reachable too and shows the same ring.
  for (let i = 0; i < 40; i++) {
    await p.keyboard.press("Tab");
    if ((await p.evaluate(() => document.activeElement.id)) === "q-top-0") break;
  }
  assert.equal(await p.evaluate(() => document.activeElement.id), "q-top-0");
  assert.notEqual(await p.$eval("#q-top-0", (c) => getComputedStyle(c).outlineStyle), "none");
  assert.deepEqual(problems, []);
  await context.close();
});

/** Whether an element takes up space on the page. */
const shown = (p, sel) => p.$eval(sel, (e) => e.getClientRects().length > 0);

test("presentation mode: p and the button toggle it, controls hide, charts fit the screen and redraw, keys drive the views", async () => {
  const { page: p, problems, context } = await page({ viewport: { width: 1600, height: 900 } });
  await openView(p, server.url, "fig3");
  await waitDrawn(p);
  const before = await p.$eval("#q-top-0", (c) => c.width);
  assert.equal(await shown(p, "#controls"), true);

  await p.keyboard.press("p");
  await p.waitForSelector("html.presenting");
  assert.equal(await shown(p, "#controls"), false, "the controls are hidden");
  assert.equal(await shown(p, "nav"), false, "the navigation is hidden");
  assert.equal(await shown(p, "#presentation-toggle"), true, "the way out stays");
  assert.equal(await p.$eval("#presentation-toggle", (b) => b.getAttribute("aria-pressed")), "true");
  assert.deepEqual(await p.evaluate(() => [window.reluApp.state.presentation, window.reluApp.shell.isPresentation()]), [true, true]);
  await waitDrawn(p);
  const after = await p.$eval("#q-top-0", (c) => c.width);
  assert.notEqual(after, before, "the 3-D plots were resized (and redrawn at their new size)");
  const fit = await p.evaluate(() => [document.getElementById("figure").getBoundingClientRect().bottom, innerHeight]);
  assert.ok(fit[0] <= fit[1], `the whole figure fits the screen (bottom ${fit[0]}, height ${fit[1]})`);
  const fontScale = await p.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize) / 16);
  assert.ok(fontScale >= 1.25, `large type (root font ×${fontScale})`);

  // Fig. 3's keys still work with the controls hidden.
  await p.keyboard.press("ArrowRight");
  await p.waitForFunction(() => document.getElementById("top-step").dataset.value === "1");
  await p.keyboard.press("r");
  await p.waitForFunction(() => document.getElementById("top-step").dataset.value === "0");

  // ] and PageDown move forward through the views, [ and PageUp back.
  await p.keyboard.press("]");
  await p.waitForSelector('section[data-view="fig1b"]:not([hidden])');
  await waitDrawn(p);
  assert.equal(await shown(p, "#fig1b-play"), false, "Fig. 1b's controls are hidden");
  await p.keyboard.press("Space");
  await p.waitForFunction(() => document.getElementById("fig1b-play").getAttribute("aria-pressed") === "true");
  await p.keyboard.press("Space");
  await p.waitForFunction(() => document.getElementById("fig1b-play").getAttribute("aria-pressed") === "false");
  await p.keyboard.press("r");
  await p.waitForFunction(() => document.getElementById("fig1b-out-step").dataset.value === "0");
  await p.keyboard.press("ArrowRight");
  await p.waitForFunction(() => document.getElementById("fig1b-out-step").dataset.value === "1");
  await p.keyboard.press("PageDown");
  await p.waitForSelector('section[data-view="topology"]:not([hidden])');
  await p.keyboard.press("PageUp");
  await p.waitForSelector('section[data-view="fig1b"]:not([hidden])');
  await p.keyboard.press("[");
  await p.waitForSelector('section[data-view="fig3"]:not([hidden])');
  await p.keyboard.press("[");
  await p.waitForSelector('section[data-view="lab"]:not([hidden])', { timeout: 5000 });
  await p.keyboard.press("[");
  await p.waitForSelector('section[data-view="fig4"]:not([hidden])', { timeout: 5000 });
  // The hash names the view first (then the view's settings, see src/link.rs).
  assert.equal(await p.evaluate(() => location.hash.split("?")[0]), "#fig4");
  await p.keyboard.press("]");
  await p.waitForSelector('section[data-view="lab"]:not([hidden])');
  await p.keyboard.press("]");
  await p.waitForSelector('section[data-view="fig3"]:not([hidden])');

  // f asks for fullscreen: granted, or refused with a message; never an error.
  await p.keyboard.press("f");
  await p.waitForFunction(() => document.fullscreenElement !== null || !document.getElementById("classroom-status").hidden);
  const fullscreen = await p.evaluate(() => document.fullscreenElement !== null);
  console.log(`fullscreen in headless Chromium: ${fullscreen ? "granted" : "refused with a message"}`);

  // Escape leaves presentation mode (in fullscreen the browser takes the first Escape itself).
  if (fullscreen) await p.evaluate(() => document.exitFullscreen());
  await p.keyboard.press("Escape");
  await p.waitForSelector("html:not(.presenting)");
  assert.equal(await shown(p, "#controls"), true);
  await waitDrawn(p);
  assert.equal(await p.$eval("#q-top-0", (c) => c.width), before, "the plots went back to their size");

  // The toggle button works from the keyboard; the shell's API too.
  await p.focus("#presentation-toggle");
  await p.keyboard.press("Enter");
  await p.waitForSelector("html.presenting");
  assert.notEqual(await p.$eval("#presentation-toggle", (b) => getComputedStyle(b).outlineStyle), "none", "focus visible on the way out");
  await p.evaluate(() => window.reluApp.shell.setPresentation(false));
  await p.waitForSelector("html:not(.presenting)");
  assert.equal(await p.evaluate(() => window.reluApp.state.presentation), false);

  // Escape leaves even from the one control left when presenting (Fig. 2a's slider).
  await p.keyboard.press("]");
  await p.waitForSelector('section[data-view="fig1b"]:not([hidden])');
  await p.keyboard.press("]");
  await p.waitForSelector('section[data-view="topology"]:not([hidden])');
  await p.evaluate(() => window.reluApp.shell.setPresentation(true));
  await p.waitForSelector("html.presenting");
  assert.equal(await shown(p, "#topo-c"), true);
  assert.equal(await shown(p, "#topo-calc-go"), false);
  await p.focus("#topo-c");
  await p.keyboard.press("Escape");
  await p.waitForSelector("html:not(.presenting)");

  // Outside presentation mode Space does not start the (costly) Fig. 4 sweep.
  await p.evaluate(() => document.activeElement.blur()); // the keys do not act from a focused input
  await p.keyboard.press("]");
  await p.keyboard.press("]");
  await p.waitForSelector('section[data-view="fig4"]:not([hidden])');
  await p.keyboard.press("Space");
  await p.waitForTimeout(300);
  assert.equal(await p.$eval("#fig4-root", (r) => r.dataset.state), "idle");
  assert.deepEqual(problems, []);
  await context.close();
});

test("prefers-reduced-motion: a heatmap run waits for Play instead of starting by itself", async () => {
  async function startRun(options) {
    const g = await page(options);
    await openView(g.page, server.url, "heatmaps");
    await g.page.focus("#hm-canvas-xavier");
    await g.page.keyboard.press("Enter");
    await g.page.waitForFunction(() => !document.getElementById("hm-play").disabled);
    await g.page.waitForTimeout(400);
    return g;
  }
  // Without the preference the run starts by itself…
  const normal = await startRun({ reducedMotion: "no-preference" });
  assert.ok(Number(await normal.page.$eval("#hm-steps", (e) => e.dataset.value)) > 0, "autoplay without the preference");
  assert.deepEqual(normal.problems, []);
  await normal.context.close();

  // …with it, nothing moves until Play is pressed.
  const { page: p, problems, context } = await startRun({ reducedMotion: "reduce" });
  assert.equal(await p.evaluate(() => matchMedia("(prefers-reduced-motion: reduce)").matches), true);
  assert.equal(await p.$eval("#hm-steps", (e) => e.dataset.value), "0");
  assert.equal(await p.$eval("#hm-play", (b) => b.textContent), "Play");
  assert.match(await p.$eval("#hm-message", (e) => e.textContent), /Reduced motion: press Play/);
  await p.click("#hm-play");
  await p.waitForFunction(() => Number(document.getElementById("hm-steps").dataset.value) > 0);
  assert.equal(await p.$eval("#hm-message", (e) => e.hidden), true, "the note goes once Play is pressed");
  // No view starts moving by itself: Fig. 3 and Fig. 1b stay at step 0.
  await openView(p, server.url, "fig3");
  await p.waitForTimeout(300);
  assert.equal(await readout(p, "top", "step"), "0");
  await openView(p, server.url, "fig1b");
  await p.waitForTimeout(300);
  assert.equal(await p.$eval("#fig1b-out-step", (e) => e.dataset.value), "0");
  assert.deepEqual(problems, []);
  await context.close();
});

/** A one-finger drag on the touchscreen (Chromium turns it into pointer events of type touch). */
async function touchDrag(p, cdp, from, to, steps = 8) {
  const point = ([x, y]) => [{ x, y, id: 1, radiusX: 4, radiusY: 4, force: 1 }];
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: point(from) });
  for (let i = 1; i <= steps; i++) {
    const at = [from[0] + ((to[0] - from[0]) * i) / steps, from[1] + ((to[1] - from[1]) * i) / steps];
    await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: point(at) });
  }
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
}

/** A cheap fingerprint of a canvas's pixels. */
const pixels = (p, id) =>
  p.$eval(`#${id}`, (c) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let h = 0;
    for (let i = 0; i < d.length; i += 7) h = (h * 31 + d[i]) >>> 0;
    return h;
  });

test("touch: a finger turns the 3-D plots and drags the Fig. 1b point", async () => {
  const { page: p, problems, context } = await page({ hasTouch: true });
  const cdp = await context.newCDPSession(p);
  await openView(p, server.url, "fig3");
  await waitDrawn(p);
  await p.evaluate(() => {
    window.pointerTypes = new Set();
    document.addEventListener("pointerdown", (e) => window.pointerTypes.add(e.pointerType), true);
  });
  assert.equal(await p.$eval("#q-top-0", (c) => getComputedStyle(c).touchAction), "none");

  // Fig. 3: dragging 120 px to the right turns the top row by 120 × 0.01 rad of yaw.
  const box = await p.$eval("#q-top-0", (c) => {
    c.scrollIntoView({ block: "center" });
    const r = c.getBoundingClientRect();
    return [r.left + r.width / 2, r.top + r.height / 2];
  });
  // The row's yaw as the Fig. 3 view model writes it into its link.
  const yawOf = (row) =>
    p.evaluate((key) => Number(new URLSearchParams(window.reluViews.fig3.linkState().link.split("?")[1]).get(key)), row === "top" ? "ty" : "by");
  const yaw0 = await yawOf("top");
  const px0 = await pixels(p, "q-top-0");
  await touchDrag(p, cdp, box, [box[0] + 120, box[1]]);
  await p.waitForFunction(
    (y) => Number(new URLSearchParams(window.reluViews.fig3.linkState().link.split("?")[1]).get("ty")) > y + 1,
    yaw0,
  );
  const yaw1 = await yawOf("top");
  assert.ok(Math.abs(yaw1 - yaw0 - 1.2) < 0.05, `yaw ${yaw0} → ${yaw1}`);
  await p.waitForFunction(([id, h]) => {
    const c = document.getElementById(id);
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let x = 0;
    for (let i = 0; i < d.length; i += 7) x = (x * 31 + d[i]) >>> 0;
    return x !== h;
  }, ["q-top-0", px0]);
  assert.deepEqual(await p.evaluate(() => [...window.pointerTypes]), ["touch"]);
  assert.equal(await yawOf("bottom"), yaw0, "the other row did not turn");

  // Fig. 2a: the quadric turns the same way.
  await openView(p, server.url, "topology");
  await waitDrawn(p);
  assert.equal(await p.$eval("#topo-quadric", (c) => getComputedStyle(c).touchAction), "none");
  const q = await p.$eval("#topo-quadric", (c) => {
    c.scrollIntoView({ block: "center" });
    const r = c.getBoundingClientRect();
    return [r.left + r.width / 2, r.top + r.height / 2];
  });
  // The view's angles, from the view model's link.
  const angles = () =>
    p.evaluate(() => {
      const link = window.reluTopology.handle.linkState().link;
      const q = new URLSearchParams(link.slice(link.indexOf("?") + 1));
      return { yaw: Number(q.get("yaw")), pitch: Number(q.get("pitch")) };
    });
  const before = await angles();
  const qpx = await pixels(p, "topo-quadric");
  await touchDrag(p, cdp, q, [q[0] - 80, q[1] + 40]);
  await p.waitForFunction((y) => {
    const link = window.reluTopology.handle.linkState().link;
    return Number(new URLSearchParams(link.slice(link.indexOf("?") + 1)).get("yaw")) < y - 0.5;
  }, before.yaw);
  const afterView = await angles();
  assert.ok(Math.abs(afterView.yaw - before.yaw + 0.8) < 0.05, `yaw ${before.yaw} → ${afterView.yaw}`);
  assert.ok(afterView.pitch > before.pitch, `pitch ${before.pitch} → ${afterView.pitch}`);
  await p.waitForTimeout(100);
  assert.notEqual(await pixels(p, "topo-quadric"), qpx, "the quadric was redrawn turned");

  // Fig. 1b: a finger drags the starting point from (2, −0.5) towards (1, 1); it ends under the finger.
  await openView(p, server.url, "fig1b");
  await waitDrawn(p);
  assert.equal(await p.$eval("#fig1b-canvas", (c) => getComputedStyle(c).touchAction), "none");
  await p.$eval("#fig1b-canvas", (c) => c.scrollIntoView({ block: "center" }));
  const from = await p.evaluate(() => window.reluViews.fig1b.clientPointOf(2, -0.5));
  const to = await p.evaluate(() => window.reluViews.fig1b.clientPointOf(1, 1));
  await touchDrag(p, cdp, from, to);
  await p.waitForFunction(() => Number(document.getElementById("fig1b-out-v").dataset.value) > 0.9);
  const w = Number(await p.$eval("#fig1b-out-w", (e) => e.dataset.value));
  const v = Number(await p.$eval("#fig1b-out-v", (e) => e.dataset.value));
  assert.ok(Math.abs(v - 1) < 0.05 && w > 0.8 && w < 1.2, `dragged to (${w}, ${v})`);
  // (The plot's margins follow its legend, so the point is checked against the finger, not (1, 1).)
  const at = await p.evaluate(([pw, pv]) => window.reluViews.fig1b.clientPointOf(pw, pv), [w, v]);
  assert.ok(Math.hypot(at[0] - to[0], at[1] - to[1]) < 2, `the point ${at} is under the finger ${to}`);
  assert.ok(Math.abs(Number(await p.inputValue("#fig1b-start-w")) - w) < 1e-4, "the start inputs follow the finger");
  assert.deepEqual(problems, []);
  await context.close();
});

test("touch: a tap picks a cell of the Fig. 4 heatmap", async () => {
  const { page: p, problems, context } = await page({ hasTouch: true });
  await openView(p, server.url, "fig4");
  await prepare(p, "fig4");
  await waitDrawn(p);
  await p.$eval("#fig4-heatmap", (c) => c.scrollIntoView({ block: "center" }));
  // The centre of the cell (l = 2, l+ = 1): column 1 of the widths [1, 2], row 1 from the bottom.
  const [x, y] = await p.evaluate(() => {
    const c = document.getElementById("fig4-heatmap");
    const L = window.reluFig4.layout();
    const r = c.getBoundingClientRect();
    const px = L.left + (1.5 * L.width) / L.cols;
    const py = L.top + ((L.rows - 1.5) * L.height) / L.rows;
    return [r.left + (px * r.width) / c.width, r.top + (py * r.height) / c.height];
  });
  await p.touchscreen.tap(x, y);
  await p.waitForFunction(() => document.getElementById("fig4-cell").dataset.l !== undefined);
  assert.deepEqual(await p.$eval("#fig4-cell", (e) => [e.dataset.l, e.dataset.lPlus]), ["2", "1"]);
  assert.deepEqual(problems, []);
  await context.close();
});
