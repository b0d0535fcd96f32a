// Figure first (issue 12): what a reader, a teacher and a phone see in the first seconds. Every
// check measures the page as laid out by Chromium: bounding boxes against the viewport, the
// presentation mode's scroll height, the Fig. 3 canvases changing by themselves (and not under
// reduced motion or a `play=0` link), t* with its verdicts in view, the heatmap run beside its map,
// the guided tour and embed mode. The measured boxes are printed for the closing note.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serveDist, launch, guardedPage, screenshot } from "./harness.mjs";

let server;
let browser;

before(async () => {
  server = await serveDist();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const VIEWS = ["fig3", "fig1b", "topology", "heatmaps", "fig4", "lab"];

async function open(hash, { width, height, motion = "no-preference" }) {
  const g = await guardedPage(browser, { viewport: { width, height }, reducedMotion: motion });
  await g.page.goto(`${server.url}#${hash}`);
  await g.page.waitForSelector("body[data-ready=true]", { timeout: 15000 });
  return g;
}

/** The bounding boxes of `selectors` (the first visible match of each), rounded. */
function boxes(page, selectors) {
  return page.evaluate((list) => {
    const out = {};
    for (const s of list) {
      const e = [...document.querySelectorAll(s)].find((x) => x.getClientRects().length > 0);
      if (!e) {
        out[s] = null;
        continue;
      }
      const r = e.getBoundingClientRect();
      out[s] = { x: Math.round(r.left), y: Math.round(r.top), w: Math.round(r.width), h: Math.round(r.height) };
    }
    return out;
  }, selectors);
}

/** Asserts each box lies inside a `width` × `height` viewport (1 px of rounding allowed). */
function assertInside(label, found, width, height) {
  for (const [sel, b] of Object.entries(found)) {
    assert.ok(b, `${label}: ${sel} is on the page`);
    assert.ok(b.w > 0 && b.h > 0, `${label}: ${sel} has a size (${JSON.stringify(b)})`);
    assert.ok(b.x >= -1 && b.y >= -1 && b.x + b.w <= width + 1 && b.y + b.h <= height + 1, `${label}: ${sel} ${JSON.stringify(b)} inside ${width}×${height}`);
  }
}

// What must be on the first screen of each view at 1366 × 768: its whole main figure and its Play.
const FIRST_SCREEN = {
  fig3: ["#play", "#q-top-0", "#q-top-1", "#q-bottom-0", "#q-bottom-1", "#loss-chart", "#verdict-top", "#verdict-bottom"],
  fig1b: ["#fig1b-play", "#fig1b-canvas", "#fig1b-verdict"],
  topology: ["#topo-quadric", "#topo-c"],
  heatmaps: ["#hm-canvas-xavier", "#hm-canvas-kaiming", "#hm-readout"],
  fig4: ["#fig4-run", "#fig4-empty", "#fig4-run-empty"],
  lab: ["#lab-play", "#lab-conserved", "#lab-loss", "#lab-check-sentence"],
};

test("at 1366 × 768 every view's main figure and its Play are on the first screen", async () => {
  for (const view of VIEWS) {
    const g = await open(view, { width: 1366, height: 768, motion: "reduce" });
    await g.page.waitForSelector(`section[data-view="${view}"]:not([hidden])`);
    const found = await boxes(g.page, FIRST_SCREEN[view]);
    console.log(`1366×768 ${view}: ${JSON.stringify(found)}`);
    assertInside(`1366×768 ${view}`, found, 1366, 768);
    await screenshot(g.page, `layout-1366-${view}`);
    assert.deepEqual(g.problems, []);
    await g.context.close();
  }
  // Fig. 4 with a sweep shown: the heatmap, both curve charts' tops and Run sweep.
  const g = await open("fig4?v=1&w=1,2&seeds=1&steps=50&ran=1", { width: 1366, height: 768, motion: "reduce" });
  await g.page.waitForSelector('#fig4-root[data-state="done"]', { timeout: 60000 });
  const found = await boxes(g.page, ["#fig4-run", "#fig4-heatmap", "#fig4-curves-lplus"]);
  console.log(`1366×768 fig4 with results: ${JSON.stringify(found)}`);
  assertInside("1366×768 fig4 results", found, 1366, 768);
  await g.context.close();
});

test("on a 390 × 844 phone the first figure starts on the first screen and Play stays in reach", async () => {
  const first = { fig3: "#q-top-0", fig1b: "#fig1b-canvas", topology: "#topo-quadric", heatmaps: "#hm-canvas-xavier", fig4: "#fig4-empty", lab: "#lab-conserved" };
  for (const view of VIEWS) {
    const g = await open(view, { width: 390, height: 844, motion: "reduce" });
    await g.page.waitForSelector(`section[data-view="${view}"]:not([hidden])`);
    const b = (await boxes(g.page, [first[view]]))[first[view]];
    console.log(`390×844 ${view}: first figure ${JSON.stringify(b)}`);
    assert.ok(b && b.y < 844 && b.y >= 0, `390×844 ${view}: the first figure starts on the first screen (${JSON.stringify(b)})`);
    await screenshot(g.page, `layout-390-${view}`);
    if (view === "fig3") {
      // Scrolled to the bottom run and to the loss chart, Play is still on screen.
      for (const target of ["#q-bottom-1", "#loss-chart"]) {
        await g.page.$eval(target, (e) => e.scrollIntoView({ block: "center" }));
        const inView = await boxes(g.page, ["#play", target]);
        assertInside(`390×844 fig3 at ${target}`, { "#play": inView["#play"] }, 390, 844);
      }
    }
    assert.deepEqual(g.problems, []);
    await g.context.close();
  }
});

test("presentation mode fits 1920 × 1080 and 1280 × 720 without scrolling, in every view", async () => {
  for (const [width, height] of [
    [1920, 1080],
    [1280, 720],
  ]) {
    for (const view of [...VIEWS, "fig4?v=1&w=1,2&seeds=1&steps=50&ran=1"]) {
      const g = await open(view, { width, height, motion: "reduce" });
      await g.page.keyboard.press("p");
      await g.page.waitForSelector("html.presenting");
      if (view.includes("ran=1")) await g.page.waitForSelector('#fig4-root[data-state="done"]', { timeout: 60000 });
      await g.page.waitForTimeout(300);
      const { scroll, inner } = await g.page.evaluate(() => ({ scroll: document.documentElement.scrollHeight, inner: innerHeight }));
      console.log(`presenting ${width}×${height} ${view}: scrollHeight ${scroll}`);
      assert.ok(scroll <= inner, `presenting ${width}×${height} ${view}: scrollHeight ${scroll} ≤ ${inner}`);
      await screenshot(g.page, `layout-present-${width}-${view.split("?")[0]}${view.includes("ran") ? "-results" : ""}`);
      assert.deepEqual(g.problems, []);
      await g.context.close();
    }
  }
});

test("while presenting, chart text is at least 18 px and Fig. 4 before a sweep says how to start one", async () => {
  const g = await open("fig3?v=1&play=0", { width: 1920, height: 1080 });
  await g.page.keyboard.press("p");
  await g.page.waitForSelector("html.presenting");
  // The charts' text, as the SVG export writes it (the same chart code and sizes as the canvas).
  const sizes = await g.page.evaluate(() => {
    const h = window.reluViews.fig3.handle();
    const out = {};
    for (const [part, id] of [
      ["top-0", "q-top-0"],
      ["loss", "loss-chart"],
    ]) {
      const c = document.getElementById(id);
      const svg = h.svg(part, c.width, c.height);
      out[part] = [...svg.matchAll(/font-size="([0-9.]+)/g)].map((m) => m[1]);
    }
    return out;
  });
  for (const [part, list] of Object.entries(sizes)) {
    assert.ok(list.length > 3, `${part}: the SVG has text`);
    const small = list.filter((s) => s < 18 && !/^0/.test(s));
    // The overview inset's label is the one deliberate exception (a caption inside a thumbnail).
    assert.ok(small.length <= 1, `${part}: text below 18 px while presenting: ${small.join(", ")}`);
  }
  await g.page.keyboard.press("]");
  await g.page.keyboard.press("]");
  await g.page.keyboard.press("]");
  await g.page.keyboard.press("]");
  await g.page.waitForSelector('section[data-view="fig4"]:not([hidden])');
  assertInside("presenting fig4 before a sweep", await boxes(g.page, ["#fig4-empty", "#fig4-run-empty"]), 1920, 1080);
  assert.match(await g.page.textContent("#fig4-empty"), /Press Run sweep/);
  assert.deepEqual(g.problems, []);
  await g.context.close();
});

/** A cheap fingerprint of a canvas's pixels. */
function canvasHash(page, id) {
  return page.evaluate((canvasId) => {
    const c = document.getElementById(canvasId);
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let h = 0;
    for (let i = 0; i < d.length; i += 97) h = (h * 31 + d[i]) | 0;
    return h;
  }, id);
}

test("Fig. 3 plays by itself on arrival, stops at t* with both verdicts in view, and holds still under reduced motion or play=0", async () => {
  const g = await open("fig3", { width: 1366, height: 768 });
  await g.page.waitForSelector('section[data-view="fig3"]:not([hidden])');
  await g.page.waitForTimeout(200);
  const before = await canvasHash(g.page, "q-bottom-1");
  await g.page.waitForFunction(() => Number(document.getElementById("view-fig3").dataset.step) > 0, null, { timeout: 3000 });
  await g.page.waitForTimeout(300);
  assert.notEqual(await canvasHash(g.page, "q-bottom-1"), before, "the bottom run's panel changed within 3 s without input");
  // It stops at t* = 500 by itself, the verdicts and the notice where the reader looks.
  await g.page.waitForFunction(() => document.getElementById("play").textContent === "Play" && document.getElementById("view-fig3").dataset.step === "500", null, { timeout: 30000 });
  assert.match(await g.page.textContent("#message"), /Paused at t\*/);
  const inView = await boxes(g.page, ["#verdict-top", "#verdict-bottom", "#message", "#play"]);
  console.log(`1366×768 fig3 at t*: ${JSON.stringify(inView)}`);
  assertInside("fig3 at t*", inView, 1366, 768);
  // The good run's path on each of its quadrics spans at least a fifth of the panel at t*,
  // measured on a 1920 × 1080 presentation screen's panels.
  await g.page.setViewportSize({ width: 1920, height: 1080 });
  await g.page.keyboard.press("p");
  await g.page.waitForSelector("html.presenting");
  await g.page.waitForTimeout(300);
  const spans = await g.page.evaluate(() => {
    const h = window.reluViews.fig3.handle();
    return [0, 1].map((k) => {
      const c = document.getElementById(`q-bottom-${k}`);
      return { width: c.width, path: h.pathWidth("bottom", k, c.width, c.height) };
    });
  });
  console.log(`good run's path at t*, presenting 1920×1080: ${JSON.stringify(spans)}`);
  for (const [k, s] of spans.entries()) assert.ok(s.path >= s.width / 5, `neuron ${k + 1}: path ${s.path} px of a ${s.width} px panel`);
  assert.deepEqual(g.problems, []);
  await g.context.close();

  for (const [hash, motion] of [
    ["fig3", "reduce"],
    ["fig3?v=1&play=0", "no-preference"],
  ]) {
    const still = await open(hash, { width: 1366, height: 768, motion });
    await still.page.waitForSelector('section[data-view="fig3"]:not([hidden])');
    await still.page.waitForTimeout(200);
    const h0 = await canvasHash(still.page, "q-bottom-1");
    await still.page.waitForTimeout(3000);
    assert.equal(await still.page.$eval("#view-fig3", (e) => e.dataset.step), "0", `${hash} (${motion}) does not play by itself`);
    assert.equal(await canvasHash(still.page, "q-bottom-1"), h0, `${hash} (${motion}): the panel did not change`);
    assert.deepEqual(still.problems, []);
    await still.context.close();
  }
});

test("a clicked heatmap cell's run and the hover readout are beside the map, on the first screen", async () => {
  for (const [width, height, present] of [
    [1366, 768, false],
    [1920, 1080, true],
  ]) {
    const g = await open("heatmaps", { width, height, motion: "reduce" });
    await g.page.waitForSelector('section[data-view="heatmaps"]:not([hidden])');
    if (present) await g.page.keyboard.press("p");
    await g.page.waitForTimeout(300);
    const map = (await boxes(g.page, ["#hm-canvas-xavier"]))["#hm-canvas-xavier"];
    await g.page.mouse.click(map.x + map.w * 0.45, map.y + map.h * 0.75);
    await g.page.waitForSelector("#hm-run .hm-run-body:not([hidden])");
    const found = await boxes(g.page, ["#hm-readout", "#hm-loss", "#hm-run-message"]);
    console.log(`${width}×${height}${present ? " presenting" : ""} heatmap run: ${JSON.stringify(found)}`);
    assertInside(`heatmap run ${width}×${height}`, found, width, height);
    assert.deepEqual(g.problems, []);
    await g.context.close();
  }
});

test("the guided tour walks through the story with the presentation keys, every step linkable", async () => {
  const g = await open("tour?v=1&step=1", { width: 1366, height: 768, motion: "reduce" });
  await g.page.waitForSelector("#tour-bar:not([hidden])");
  const steps = await g.page.evaluate(() => window.reluTour.steps());
  assert.ok(steps.length >= 8 && steps.length <= 12, `${steps.length} steps`);
  for (let i = 0; i < steps.length; i++) {
    // The step's own view is on screen, with the step's text in the bar, and the address bar
    // holds the step's link.
    await g.page.waitForFunction((n) => location.hash === `#tour?v=1&step=${n}`, i + 1);
    await g.page.waitForSelector(`section[data-view="${steps[i].view}"]:not([hidden])`);
    assert.equal(await g.page.textContent("#tour-text"), steps[i].text);
    assert.equal(await g.page.$$eval("section.view:not([hidden])", (l) => l.length), 1, `step ${i + 1}: one view shown`);
    if (i + 1 < steps.length) await g.page.keyboard.press(i % 2 ? "PageDown" : "]");
  }
  assert.equal(await g.page.$eval("#tour-next", (b) => b.disabled), true, "the last step has no next");
  await g.page.keyboard.press("[");
  await g.page.waitForFunction((n) => location.hash === `#tour?v=1&step=${n}`, steps.length - 1);
  await g.page.click("#tour-prev");
  await g.page.waitForFunction((n) => location.hash === `#tour?v=1&step=${n}`, steps.length - 2);
  // Back in history goes to the step before.
  await g.page.goBack();
  await g.page.waitForFunction((n) => location.hash === `#tour?v=1&step=${n}`, steps.length - 1);
  // A step's link opens that step directly; Leave goes to the full page at the step's state.
  await g.page.goto(`${server.url}#tour?v=1&step=3`);
  await g.page.waitForSelector(`section[data-view="${steps[2].view}"]:not([hidden])`);
  assert.equal(await g.page.textContent("#tour-text"), steps[2].text);
  await g.page.click("#tour-close");
  await g.page.waitForFunction(() => !location.hash.startsWith("#tour"));
  await g.page.waitForSelector("#tour-bar", { state: "hidden" });
  assert.deepEqual(g.problems, []);
  await g.context.close();
});

test("embed=1 shows only the figure and its essential controls, with a link to the full page", async () => {
  const g = await open("fig3?v=1&embed=1", { width: 800, height: 600, motion: "reduce" });
  await g.page.waitForSelector("html.embedded");
  for (const hidden of [".page-header", "footer", "#fig3-settings", ".explain"]) {
    assert.equal(await g.page.isVisible(hidden), false, `${hidden} is hidden when embedded`);
  }
  for (const shown of ["#play", "#q-top-0", "#loss-chart", "#full-page-link"]) assert.equal(await g.page.isVisible(shown), true, `${shown} is shown`);
  const full = await g.page.getAttribute("#full-page-link", "href");
  assert.match(full, /#fig3\?v=1&/);
  assert.doesNotMatch(full, /embed=/);
  // The page's own link keeps embed=1 as the view's state changes.
  await g.page.click("#step");
  await g.page.waitForFunction(() => location.hash.includes("step=1"));
  assert.match(await g.page.evaluate(() => location.hash), /&embed=1$/);
  // The full-page link carries the same state, without embed.
  assert.match(await g.page.getAttribute("#full-page-link", "href"), /step=1/);
  await screenshot(g.page, "layout-embed-fig3");
  assert.deepEqual(g.problems, []);
  await g.context.close();
});
