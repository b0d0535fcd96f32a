// End-to-end test of the topology view (Fig. 2a, Fig. 2b, the topology calculator) in Debian's
// Chromium: every canvas draws, the Fig. 2a slider and rotation change the picture and the
// readouts, the Fig. 2b diagram shows the right cells for the Fig. 3 runs and for random networks
// (64 cells at l− = 6, one bar per class at l− = 7), bad input is refused with a message (the link
// keeps the previous value), the calculator agrees with the native `obstruction topology` command,
// and the page's readouts equal the native view model's (tests/view_topology.rs) for a link and a
// sequence of typed values.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { BIN, DIST, ROOT, serveDist, launch, guardedPage, screenshot, inkFraction, openView } from "./harness.mjs";

const CANVASES = ["topo-quadric", "topo-diagram", "topo-betti"];

let server;
let browser;

before(async () => {
  assert.ok(fs.existsSync(path.join(DIST, "index.html")), `${DIST} is built (trunk build)`);
  assert.ok(fs.existsSync(BIN), `the native binary ${BIN} is built`);
  server = await serveDist();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** The native command line's answer for (d, e, c). */
function cli(d, e, c) {
  const out = execFileSync(BIN, ["topology", "--d", String(d), "--e", String(e), `--c=${c.join(",")}`], {
    encoding: "utf8",
  });
  return JSON.parse(out);
}

/** The Poincaré polynomial written from Betti numbers, independently of the Rust formatter. */
function polynomialOf(betti) {
  const terms = [];
  betti.forEach((b, i) => {
    if (b === 0) return;
    if (i === 0) terms.push(String(b));
    else terms.push(`${b === 1 ? "" : b}t${i === 1 ? "" : `^${i}`}`);
  });
  return terms.length ? terms.join(" + ") : "0";
}

async function open() {
  const g = await guardedPage(browser);
  await openView(g.page, server.url, "topology");
  await g.page.waitForSelector("#topo-b-caption[data-cells]");
  await frames(g.page);
  return g;
}

/** Waits two animation frames, so scheduled redraws have happened. */
async function frames(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

const value = (page, id) => page.$eval(`#${id}`, (e) => e.dataset.value);
const pixels = (page, id) => page.$eval(`#${id}`, (c) => c.toDataURL());
const caption = (page) => page.$eval("#topo-b-caption", (e) => ({ ...e.dataset, text: e.textContent }));

/** Moves the Fig. 2a slider to c (its value is c itself, on the grid of 0.05). */
async function setSlider(page, c) {
  await page.$eval(
    "#topo-c",
    (el, p) => {
      el.value = String(p);
      el.dispatchEvent(new Event("input", { bubbles: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
    },
    c,
  );
  await frames(page);
}

/** The value of `key` in the page's current link. */
async function linkValue(page, key) {
  return page.evaluate((k) => {
    const link = window.reluTopology.handle.linkState().link;
    return new URLSearchParams(link.slice(link.indexOf("?") + 1)).get(k);
  }, key);
}

async function calculate(page, d, e, cText) {
  await page.fill("#topo-calc-d", String(d));
  await page.fill("#topo-calc-e", String(e));
  await page.fill("#topo-calc-c", cText);
  await page.click("#topo-calc-go");
  await frames(page);
}

test("the view opens, explains itself and every canvas draws", async () => {
  const { page, problems, context } = await open();
  assert.ok((await page.textContent("#topology-root h2.view-title")).length > 10);
  assert.match(await page.textContent("#topology-root p.view-intro"), /H\(c\)/);
  assert.match(await page.textContent("#topology-root"), /our reading/);
  for (const id of CANVASES) {
    const ink = await inkFraction(page, id);
    assert.ok(ink > 0.01, `${id} drew (ink fraction ${ink})`);
  }
  // Every control has a label.
  const unlabelled = await page.$$eval("#topology-root input, #topology-root select", (els) =>
    els.filter((el) => !document.querySelector(`label[for="${el.id}"]`)).map((el) => el.id),
  );
  assert.deepEqual(unlabelled, []);
  await screenshot(page, "topology-01-loaded");
  assert.deepEqual(problems, []);
  await context.close();
});

test("Fig. 2a: the slider reaches the cone at c = 0 and the topology follows the CLI", async () => {
  const { page, problems, context } = await open();
  const seen = new Set();
  const expectedShape = { "-1": /two-sheeted/, 0: /cone/, 1: /one-sheeted/ };
  for (const c of [-1, 0, 1]) {
    await setSlider(page, c);
    const position = c;
    const ref = cli(2, 1, [c]);
    assert.equal(await value(page, "topo-a-components"), String(ref.components), `components at c = ${c}`);
    assert.deepEqual(JSON.parse(await value(page, "topo-a-betti")), ref.betti.map(String), `Betti at c = ${c}`);
    assert.equal(await value(page, "topo-a-poly"), polynomialOf(ref.betti));
    assert.match(await value(page, "topo-a-shape"), expectedShape[position]);
    assert.match(await page.textContent("#topo-c-value"), expectedShape[position]);
    assert.ok((await inkFraction(page, "topo-quadric")) > 0.01);
    seen.add(await pixels(page, "topo-quadric"));
    if (position === 0) await screenshot(page, "topology-02-cone");
  }
  // The components go 2, 1, 1 and the picture differs each time.
  assert.equal(seen.size, 3, "the quadric canvas changed with c");
  // The slider works from the keyboard: from c = 0, one step left is c = −0.05 (two sheets).
  await setSlider(page, 0);
  await page.focus("#topo-c");
  await page.keyboard.press("ArrowLeft");
  await frames(page);
  assert.equal(await page.$eval("#topo-c", (e) => e.value), "-0.05");
  assert.equal(await value(page, "topo-a-components"), "2");
  assert.equal(await linkValue(page, "c"), "-0.05");
  assert.match(await page.textContent("#topo-c-value"), /^c = −0\.05: two-sheeted/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("Fig. 2a: dragging or the arrow keys turn the quadric", async () => {
  const { page, problems, context } = await open();
  const before = await pixels(page, "topo-quadric");
  const box = await page.locator("#topo-quadric").boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 30, { steps: 5 });
  await page.mouse.up();
  await frames(page);
  const dragged = await pixels(page, "topo-quadric");
  assert.notEqual(dragged, before, "drag turned the plot");
  await page.focus("#topo-quadric");
  await page.keyboard.press("ArrowLeft");
  await frames(page);
  assert.notEqual(await pixels(page, "topo-quadric"), dragged, "the arrow key turned the plot");
  assert.deepEqual(problems, []);
  await context.close();
});

test("Fig. 2b: the Fig. 3 runs show 4 cells with their own component outlined", async () => {
  const { page, problems, context } = await open();
  // Default source: the Fig. 3 top run, preset fig3-obstructed-pp.
  let cap = await caption(page);
  const src = await page.$eval("#topo-b-source", (e) => ({ ...e.dataset }));
  const ref = cli(2, 1, JSON.parse(src.c));
  assert.equal(cap.cells, "4");
  assert.equal(cap.components, String(ref.components));
  assert.equal(cap.classes, String(ref.effective_components));
  assert.equal(cap.detailed, "true");
  assert.equal(cap.highlight, "(+,+)");
  assert.match(cap.text, /4 components in 3 effective classes/);
  assert.ok((await inkFraction(page, "topo-diagram")) > 0.01);
  const topPixels = await pixels(page, "topo-diagram");
  await screenshot(page, "topology-03-fig3-top");
  await page.selectOption("#topo-source", "bottom");
  await frames(page);
  cap = await caption(page);
  assert.equal(cap.cells, "4");
  assert.equal(cap.highlight, "(+,−)");
  assert.notEqual(await pixels(page, "topo-diagram"), topPixels, "another cell is outlined");
  // The diagram shows the Fig. 3 runs as they are now: after three steps there, "step 3".
  assert.match(await page.textContent("#topo-b-source"), /^Fig\. 3 bottom run: good \(\+,−\), step 0: d = 2, e = 1, l = 2/);
  await page.click('[data-view-link="fig3"]');
  await page.waitForSelector('section[data-view="fig3"]:not([hidden])');
  for (let i = 0; i < 3; i++) await page.click("#step");
  await page.waitForFunction(() => document.getElementById("top-step").dataset.value === "3");
  await page.click('[data-view-link="topology"]');
  await page.waitForSelector('section[data-view="topology"]:not([hidden])');
  await frames(page);
  assert.match(await page.textContent("#topo-b-source"), /^Fig\. 3 bottom run: good \(\+,−\), step 3/);
  assert.equal(await page.inputValue("#topo-source"), "bottom");
  assert.deepEqual(problems, []);
  await context.close();
});

/** A seed whose random network (d = 2, l = 8, Kaiming fan_out) has exactly `lMinus` pathological
 * neurons (searched with a second, detached view model). */
async function seedWith(page, lMinus) {
  return page.evaluate((want) => {
    const h = new window.reluApp.whole.TopologyView();
    try {
      h.set("src", "random");
      h.setGroup(["d", "l", "scheme"], ["2", "8", "kaiming_normal_fan_out"]);
      for (let seed = 0; seed < 5000; seed++) {
        h.set("seed", String(seed));
        if (h.readout().diagram.source_data.lMinus === String(want)) return seed;
      }
      return -1;
    } finally {
      h.free();
    }
  }, lMinus);
}

async function drawRandom(page, d, l, scheme, seed) {
  await page.selectOption("#topo-source", "random");
  await page.fill("#topo-rand-d", String(d));
  await page.fill("#topo-rand-l", String(l));
  await page.selectOption("#topo-rand-scheme", scheme);
  await page.fill("#topo-rand-seed", String(seed));
  await page.click("#topo-rand-draw");
  await frames(page);
}

test("Fig. 2b: a random network with l− = 6 draws 64 cells, l− = 7 one bar per class", async () => {
  const { page, problems, context } = await open();
  for (const [lMinus, cells, classes, detailed] of [
    [6, 64, 7, true],
    [7, 8, 8, false],
  ]) {
    const seed = await seedWith(page, lMinus);
    assert.ok(seed >= 0, `a seed with l− = ${lMinus}`);
    await drawRandom(page, 2, 8, "kaiming_normal_fan_out", seed);
    const src = await page.$eval("#topo-b-source", (e) => ({ ...e.dataset, text: e.textContent }));
    assert.equal(src.lMinus, String(lMinus));
    assert.match(src.text, new RegExp(`l− = ${lMinus}`));
    const c = JSON.parse(src.c);
    assert.equal(c.filter((x) => x < 0).length, lMinus);
    const ref = cli(2, 1, c);
    const cap = await caption(page);
    assert.equal(cap.components, String(ref.components));
    assert.equal(cap.components, String(2 ** lMinus));
    assert.equal(cap.classes, String(ref.effective_components));
    assert.equal(cap.classes, String(classes));
    assert.equal(cap.cells, String(cells));
    assert.equal(cap.detailed, String(detailed));
    assert.match(cap.text, new RegExp(`${2 ** lMinus} components in ${classes} effective classes`));
    // The outlined component is the network's own label.
    const label = JSON.parse(src.label);
    assert.equal(label.length, lMinus);
    assert.equal(cap.highlight, `(${label.map((s) => (s > 0 ? "+" : "−")).join(",")})`);
    assert.ok((await inkFraction(page, "topo-diagram")) > 0.01);
    await screenshot(page, `topology-0${lMinus - 2}-random-l-minus-${lMinus}`);

    // "Take them from the Fig. 2b network" fills the calculator with this network.
    await page.click("#topo-calc-take");
    await frames(page);
    assert.equal(await page.inputValue("#topo-calc-d"), "2");
    assert.equal(await page.inputValue("#topo-calc-e"), "1");
    assert.equal(await value(page, "topo-calc-components"), String(ref.components));
    assert.equal(await value(page, "topo-calc-effective"), String(ref.effective_components));
    assert.deepEqual(JSON.parse(await value(page, "topo-calc-betti")), ref.betti.map(String));
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test("calculator: agrees with `obstruction topology` for several (d, e, c)", async () => {
  const { page, problems, context } = await open();
  const cases = [
    [2, 1, [-1, -1.5]],
    [2, 1, [1, -1, 0]],
    [3, 1, [1, 1, -2]],
    [2, 1, [-1, -1, -1, -1, -1, -1, -1]], // l− = 7
    [1, 1, [0.5, -0.5, 2]], // d = 1: positive c_k have two sheets too
    [1, 2, [1, -1, 2]],
    [2, 3, [1, -1]], // e ≥ 2: nothing pathological, H connected
    [4, 2, [1, 2, -1, 0.25]],
    [5, 1, Array(20).fill(1)], // degrees up to 80
  ];
  for (const [d, e, c] of cases) {
    await calculate(page, d, e, c.join(", "));
    const ref = cli(d, e, c);
    const what = `d = ${d}, e = ${e}, c = ${c}`;
    assert.equal(await page.$eval("#topo-calc-msg", (m) => m.hidden), true, `no message for ${what}`);
    assert.deepEqual(JSON.parse(await value(page, "topo-calc-betti")), ref.betti.map(String), what);
    assert.equal(await value(page, "topo-calc-poly"), polynomialOf(ref.betti), what);
    assert.equal(await value(page, "topo-calc-components"), String(ref.components), what);
    assert.equal(await value(page, "topo-calc-effective"), String(ref.effective_components), what);
    assert.deepEqual(
      JSON.parse(await value(page, "topo-calc-pathological")),
      ref.pathological.map((k) => k + 1),
      what,
    );
    assert.ok((await inkFraction(page, "topo-betti")) > 0.01, `bars drawn for ${what}`);
  }
  // The formula as the issue writes it.
  await calculate(page, 2, 1, "1, 1, -1");
  assert.equal(await page.textContent("#topo-calc-poly"), "2 + 4t + 2t^2");
  await screenshot(page, "topology-06-calculator");
  assert.deepEqual(problems, []);
  await context.close();
});

test("calculator: bad input is refused with a message and the previous result stays", async () => {
  const { page, problems, context } = await open();
  await calculate(page, 2, 1, "-1, -1");
  assert.equal(await value(page, "topo-calc-components"), "4");
  const bars = await pixels(page, "topo-betti");
  const linkBefore = await page.evaluate(() => window.reluTopology.handle.linkState().link);
  const bad = [
    [2, 1, "-1, abc, 2", /entry 2 \("abc"\) is not a number\. The previous value -1, -1 is still in use/, "topo-calc-c", "not_a_number"],
    [2, 1, "-1, , 2", /entry 2 \(""\) is empty/, "topo-calc-c", "not_a_number"],
    [2, 1, "1, Infinity", /entry 2 \("Infinity"\) is not a finite number/, "topo-calc-c", "not_finite"],
    [0, 1, "1", /^Input dimension d "0": out of range \[1, 1000\]\. The previous value 2 is still in use\.$/, "topo-calc-d", "out_of_range"],
    [2.5, 1, "1", /Input dimension d "2\.5": not a whole number/, "topo-calc-d", "not_whole"],
    ["0x10", 1, "1", /Input dimension d "0x10": not a number/, "topo-calc-d", "not_a_number"],
    ["abc", 1, "1", /Input dimension d "abc": not a number/, "topo-calc-d", "not_a_number"],
    ["1e999", 1, "1", /Input dimension d "1e999": not a finite number/, "topo-calc-d", "not_finite"],
    ["0.99999999999999999", 1, "1", /not a whole number/, "topo-calc-d", "not_whole"],
    [2, 1001, "1", /Output dimension e "1001": out of range \[1, 1000\]/, "topo-calc-e", "out_of_range"],
    [2, 1, "", /c₁, c₂, … \(comma-separated\) "": missing value/, "topo-calc-c", "missing_value"],
    [2, 1, Array(301).fill(1).join(","), /wrong number of entries \(from 1 to 300\)/, "topo-calc-c", "list_length"],
  ];
  for (const [d, e, c, message, invalid, code] of bad) {
    await calculate(page, d, e, c);
    const msg = await page.textContent("#topo-calc-msg");
    assert.match(msg, message, `message for d=${d} e=${e} c=${c.slice(0, 20)}`);
    assert.equal(await page.$eval(`#${invalid}`, (el) => el.getAttribute("aria-invalid")), "true");
    assert.equal(await page.$eval(`#${invalid}`, (el) => el.dataset.rejected), code);
    assert.equal(await value(page, "topo-calc-components"), "4", "previous result kept");
    assert.equal(await pixels(page, "topo-betti"), bars, "previous bars kept");
    // One refused value refuses the whole input: the link keeps every previous value.
    assert.equal(await page.evaluate(() => window.reluTopology.handle.linkState().link), linkBefore);
    assert.equal(await linkValue(page, "cd"), "2");
  }
  await screenshot(page, "topology-07-refused");
  // A valid input clears the marks and the message.
  await calculate(page, 2, 1, "-1, 1");
  assert.equal(await page.$eval("#topo-calc-msg", (m) => m.hidden), true);
  assert.equal(await page.$eval("#topo-calc-c", (el) => el.getAttribute("aria-invalid")), null);
  assert.equal(await value(page, "topo-calc-components"), "2");
  // Overflow: 200 pathological neurons give 2^200 components, beyond 128 bits.
  await calculate(page, 2, 1, Array(200).fill(-1).join(","));
  assert.match(await page.textContent("#topo-calc-msg"), /128 bits/);
  assert.equal(await value(page, "topo-calc-components"), "");
  // The random network refuses a bad width too.
  await page.selectOption("#topo-source", "random");
  await page.fill("#topo-rand-l", "65");
  await page.click("#topo-rand-draw");
  assert.match(await page.textContent("#topo-b-msg"), /^Hidden width l "65": out of range \[1, 64\]\. The previous value 6 is still in use\.$/);
  assert.equal(await page.$eval("#topo-rand-l", (el) => el.getAttribute("aria-invalid")), "true");
  assert.equal(await linkValue(page, "l"), "6");
  // Typed hex is refused too, and the link keeps the previous seed.
  await page.fill("#topo-rand-l", "6");
  await page.fill("#topo-rand-seed", "0x10");
  await page.click("#topo-rand-draw");
  assert.match(await page.textContent("#topo-b-msg"), /^Seed "0x10": not a number\. The previous value 0 is still in use\.$/);
  assert.equal(await page.$eval("#topo-rand-seed", (el) => el.dataset.rejected), "not_a_number");
  assert.equal(await linkValue(page, "seed"), "0");
  assert.deepEqual(problems, []);
  await context.close();
});

/** The native view model's readout for `link` and the typed values `sets` (`obstruction view`). */
function nativeReadout(link, sets) {
  const args = sets.flatMap(([k, t]) =>
    Array.isArray(k) ? ["--group", String(k.length), ...k.map((key, i) => `${key}=${t[i]}`)] : ["--set", `${k}=${t}`],
  );
  const out = JSON.parse(execFileSync(BIN, ["view", link, ...args], { encoding: "utf8" }));
  return { rejections: out.rejections.length, link: out.link.link, readout: out.readout };
}

test("the page's readouts equal the native view model's for a link and typed values", async () => {
  const link = "#topology?v=1&c=-0.5&yaw=1&pitch=0.5&src=random&d=3&l=5&scheme=kaiming_normal&seed=4&cd=3&ce=1&cc=-1,2,-3";
  const sets = [
    ["c", "0.25"],
    [["d", "l", "scheme", "seed"], ["2", "7", "xavier_uniform", "11"]],
    [["cd", "ce", "cc"], ["0x10", "1", "1"]], // refused: nothing changes
    [["cd", "ce", "cc"], ["3", "2", "1, -2, 0.5, 0"]],
  ];
  const native = nativeReadout(link, sets);
  assert.equal(native.rejections, 0);
  const { page, problems, context } = await guardedPage(browser);
  await page.goto(server.url + link);
  await page.waitForSelector("#topo-b-caption[data-cells]");
  await setSlider(page, 0.25);
  await page.fill("#topo-rand-d", "2");
  await page.fill("#topo-rand-l", "7");
  await page.fill("#topo-rand-seed", "11");
  await page.selectOption("#topo-rand-scheme", "xavier_uniform");
  await page.click("#topo-rand-draw");
  await calculate(page, "0x10", 1, "1");
  assert.match(await page.textContent("#topo-calc-msg"), /not a number/);
  await calculate(page, 3, 2, "1, -2, 0.5, 0");
  await frames(page);
  const r = native.readout;
  assert.equal(await page.textContent("#topo-c-value"), r.quadric.value_text);
  assert.equal(await page.getAttribute("#topo-c", "aria-valuetext"), r.quadric.value_spoken);
  for (const [prefix, fields] of [["topo-a", r.quadric.fields], ["topo-calc", r.calculator.fields]]) {
    for (const f of fields) {
      const dd = await page.$eval(`#${prefix}-${f.key}`, (e) => ({ text: e.textContent, value: e.dataset.value }));
      assert.deepEqual(dd, { text: f.text, value: f.value }, `${prefix}-${f.key}`);
    }
  }
  const src = await page.$eval("#topo-b-source", (e) => ({ ...e.dataset, text: e.textContent }));
  assert.deepEqual(src, { ...r.diagram.source_data, tone: r.diagram.source.tone, text: r.diagram.source.text });
  const cap = await caption(page);
  assert.deepEqual(cap, { ...r.diagram.caption_data, tone: r.diagram.caption.tone, text: r.diagram.caption.text });
  // The same state, the same link.
  assert.equal(await page.evaluate(() => window.reluTopology.handle.linkState().link), native.link);
  assert.match(native.link, /&c=0\.25&yaw=1&pitch=0\.5&src=random&d=2&l=7&scheme=xavier_uniform&seed=11&cd=3&ce=2&cc=1,-2,0\.5,0$/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the view is usable on a phone-sized screen", async () => {
  const g = await guardedPage(browser, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  await openView(g.page, server.url, "topology");
  await g.page.waitForSelector("#topo-b-caption[data-cells]");
  await frames(g.page);
  for (const id of CANVASES) assert.ok((await inkFraction(g.page, id)) > 0.01, id);
  const overflow = await g.page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling (${overflow} px)`);
  await screenshot(g.page, "topology-08-phone");
  assert.deepEqual(g.problems, []);
  await g.context.close();
});
