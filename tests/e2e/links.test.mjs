// End-to-end test of the links (issue 5 parts 1–3, issue 7.1/7.4 for links) in Debian's Chromium:
// a link restores exact readouts in a fresh page, Copy link (clipboard and fallback), Back and
// Forward, broken links with the right message, script-like values shown inert, the presets menu,
// and the first release's bare links.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ROOT, serveDist, launch, guardedPage, screenshot } from "./harness.mjs";

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

const CLIPBOARD = { permissions: ["clipboard-read", "clipboard-write"] };

/** A fresh context and page at `hash`, once the link has been applied. */
async function open(hash, options = CLIPBOARD) {
  const g = await guardedPage(browser, options);
  g.dialogs = [];
  g.page.on("dialog", async (d) => {
    g.dialogs.push(d.message());
    await d.dismiss();
  });
  await g.page.goto(server.url + hash);
  await g.page.waitForSelector("body[data-ready=true]", { timeout: 20000 });
  await g.page.waitForFunction(() => Number(document.body.dataset.linkApplied) >= 1);
  return g;
}

async function copyLink(page) {
  await page.evaluate(() => {
    document.getElementById("copy-status").textContent = "";
  });
  await page.click("#copy-link");
  await page.waitForFunction(() => document.getElementById("copy-status").textContent !== "");
  return page.evaluate(() => navigator.clipboard.readText());
}

/** Every readout of the Fig. 3 view, exactly (data-value) and as shown. */
function fig3Readouts(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("#readout-top dd, #readout-bottom dd, #verdict-top, #verdict-bottom")].map(
      (e) => `${e.id}=${e.dataset.value ?? ""}|${e.textContent}`,
    ),
  );
}

async function setField(page, selector, value) {
  await page.fill(selector, value);
  await page.dispatchEvent(selector, "change");
}

const hashOf = (page) => page.evaluate(() => location.hash);

/** The view angles of both Fig. 3 rows, as the view model writes them into its link. */
const fig3Angles = (page) =>
  page.evaluate(() => {
    const params = new URLSearchParams(window.reluViews.fig3.linkState().link.split("?")[1]);
    return Object.fromEntries(["ty", "tp", "by", "bp"].map((k) => [k, params.get(k)]));
  });

test("a copied Fig. 3 link reopens in a fresh page with identical readouts", async () => {
  const a = await open("#fig3?v=1&seed=11&pause=0&top=fig3-good-pm&bottom=fig3-obstructed-mm");
  const { page } = a;
  assert.equal(await page.inputValue("#seed"), "11");
  assert.equal(await page.inputValue("#preset-bottom"), "fig3-obstructed-mm");
  // Change settings the way a reader does: type a learning rate, pick an integrator, play a while,
  // step, turn a 3-D plot with the keyboard.
  await setField(page, "#lr", "0.08");
  await page.selectOption("#integrator", "conserving");
  await page.click("#play");
  await page.waitForFunction(() => Number(document.getElementById("top-step").dataset.value) >= 40, null, { timeout: 30000 });
  await page.click("#play");
  await page.click("#step");
  await page.focus("#q-bottom-1");
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowDown");
  const before = await fig3Readouts(page);
  const view = await fig3Angles(page);
  const url = await copyLink(page);
  assert.match(await page.textContent("#copy-status"), /copied/i);
  assert.ok(url.startsWith(server.url), url);
  assert.match(url, /#fig3\?v=1&/);
  assert.match(url, /&lr=0\.08&int=conserving&/);
  const step = Number(before.find((s) => s.startsWith("top-step=")).split("=")[1].split("|")[0]);
  assert.ok(step >= 41, `stepped to ${step}`);
  assert.match(url, new RegExp(`&step=${step}&`));

  const b = await guardedPage(browser, CLIPBOARD);
  await b.page.goto(url);
  await b.page.waitForSelector("body[data-ready=true]");
  await b.page.waitForFunction(() => Number(document.body.dataset.linkApplied) >= 1);
  assert.deepEqual(await fig3Readouts(b.page), before);
  assert.deepEqual(await fig3Angles(b.page), view);
  assert.notEqual(view.by, "0.6", "the bottom row was turned");
  assert.equal(await b.page.inputValue("#lr"), "0.08");
  assert.equal(await b.page.inputValue("#integrator"), "conserving");
  assert.equal(await b.page.isChecked("#stop-at"), false);
  assert.equal(await hashOf(b.page), new URL(url).hash, "the reopened link is already canonical");
  assert.equal(await b.page.isHidden("#link-message"), true);
  assert.deepEqual(a.problems, []);
  assert.deepEqual(b.problems, []);
  await a.context.close();
  await b.context.close();
});

test("Fig. 1b, topology, appendix and Fig. 4 links reopen with the same numbers", async () => {
  // Fig. 1b: a typed start, a rescaling, some steps.
  // The appendix's drawn run plays by itself (not under reduced motion).
  const a = await open("#fig1b?v=1&lr=0.05", { ...CLIPBOARD, reducedMotion: "no-preference" });
  let page = a.page;
  await page.fill("#fig1b-start-w", "0.7");
  await page.fill("#fig1b-start-v", "-1.1");
  await page.click("#fig1b-set-start");
  await page.fill("#fig1b-alpha", "1.3");
  await page.click("#fig1b-rescale");
  for (let i = 0; i < 7; i++) await page.click("#fig1b-step");
  const fig1b = () =>
    page.evaluate(() => [...document.querySelectorAll("#fig1b-readout dd, #fig1b-verdict")].map((e) => `${e.id}=${e.dataset.value ?? ""}|${e.textContent}`));
  const before1b = await fig1b();
  assert.ok(before1b.includes("fig1b-out-step=7|7"), before1b.join(" "));
  const url1b = await copyLink(page);
  assert.match(url1b, /#fig1b\?v=1&lr=0\.05&/);
  assert.match(url1b, /&alpha=1\.3&step=7$/);

  // Topology: a random Fig. 2b network and a calculator input.
  await page.goto(server.url + "#topology?v=1&c=-0.5&src=random&d=3&l=5&scheme=kaiming_normal&seed=4&cc=-1,2,-3");
  await page.waitForFunction(() => document.getElementById("topo-b-caption")?.dataset.components);
  const topo = () =>
    page.evaluate(() =>
      [...document.querySelectorAll("#topo-a dd, #topo-calc dd, #topo-b-source, #topo-b-caption")].map((e) => `${e.id}=${e.textContent}`),
    );
  await setField(page, "#topo-rand-seed", "9");
  await page.click("#topo-rand-draw");
  const beforeTopo = await topo();
  const urlTopo = await copyLink(page);
  assert.match(urlTopo, /&seed=9&/);

  // Appendix: a selected cell, the Monte Carlo check and a live run with a fixed seed.
  await page.goto(server.url + "#heatmaps?v=1&sel=xavier&d=4&l=6&mc=1&n=5000&mcseed=3&rseed=17");
  await page.waitForSelector('#hm-mc[data-value^="{"]');
  await page.focus("#hm-canvas-xavier");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => Number(document.getElementById("hm-steps").dataset.value) >= 30, null, { timeout: 30000 });
  await page.click("#hm-play");
  const hm = () =>
    page.evaluate(() => [...document.querySelectorAll("#hm-readout dd, #hm-run dd, #hm-steps, #hm-run-verdict")].map((e) => `${e.id}=${e.dataset.value ?? ""}`));
  const beforeHm = await hm();
  const urlHm = await copyLink(page);
  assert.match(urlHm, /&rseed=17&run=17&rstep=\d+$/);

  // Fig. 4: a small seeded sweep.
  await page.goto(server.url + "#fig4?v=1&w=1,2&seeds=2&steps=40&ran=1");
  await page.waitForSelector("#fig4-root[data-state=done]", { timeout: 60000 });
  const table = () => page.evaluate(() => [...document.querySelectorAll("#fig4-table td")].map((e) => e.dataset.value));
  const beforeFig4 = await table();
  assert.equal(beforeFig4.length, 7 * (2 + 3));
  const urlFig4 = await copyLink(page);
  assert.match(urlFig4, /&ran=1$/);

  const b = await guardedPage(browser, CLIPBOARD);
  page = b.page;
  for (const [url, ready, read, expected] of [
    [url1b, "#fig1b-out-step[data-value]", fig1b, before1b],
    [urlTopo, "#topo-b-caption[data-components]", topo, beforeTopo],
    [urlHm, '#hm-mc[data-value^="{"]', hm, beforeHm],
    [urlFig4, "#fig4-root[data-state=done]", table, beforeFig4],
  ]) {
    await page.goto("about:blank");
    await page.goto(url);
    await page.waitForSelector("body[data-ready=true]");
    await page.waitForSelector(ready, { timeout: 60000 });
    await page.waitForFunction(() => Number(document.body.dataset.linkApplied) >= 1);
    await page.waitForTimeout(100);
    assert.deepEqual(await read(), expected, url);
  }
  assert.deepEqual(a.problems, []);
  assert.deepEqual(b.problems, []);
  await a.context.close();
  await b.context.close();
});

test("Copy link falls back to a selected read-only field without clipboard access", async () => {
  const g = await guardedPage(browser);
  await g.page.addInitScript(() => {
    Object.defineProperty(navigator, "clipboard", {
      value: { writeText: () => Promise.reject(new Error("denied")) },
    });
  });
  await g.page.goto(server.url + "#fig3?v=1&seed=5");
  await g.page.waitForSelector("body[data-ready=true]");
  await g.page.click("#copy-link");
  await g.page.waitForSelector("#link-field:not([hidden])");
  const field = await g.page.evaluate(() => {
    const f = document.getElementById("link-field");
    return { value: f.value, readOnly: f.readOnly, selected: f.selectionEnd - f.selectionStart, href: location.href };
  });
  assert.equal(field.value, field.href);
  assert.ok(field.readOnly);
  assert.equal(field.selected, field.value.length);
  assert.match(field.value, /#fig3\?v=1&.*seed=5&/);
  assert.match(await g.page.textContent("#copy-status"), /Ctrl\+C/);
  assert.deepEqual(g.problems, []);
  await g.context.close();
});

test("Back and Forward move between settings and views", async () => {
  const g = await open("#fig3?v=1&seed=1");
  const { page } = g;
  await setField(page, "#seed", "2");
  await page.waitForFunction(() => /seed=2&/.test(location.hash));
  await setField(page, "#lr", "0.03");
  await page.waitForFunction(() => /lr=0\.03&/.test(location.hash));
  await page.click('[data-view-link="fig1b"]');
  await page.waitForSelector('section[data-view="fig1b"]:not([hidden])');
  await page.waitForFunction(() => /^#fig1b\?v=1&/.test(location.hash));
  const readoutAt = async () => ({
    seed: await page.inputValue("#seed"),
    lr: await page.inputValue("#lr"),
    label: await page.$eval("#top-label", (e) => e.dataset.value),
    c1: await page.$eval("#top-c1", (e) => e.dataset.value),
  });
  await page.goBack();
  await page.waitForSelector('section[data-view="fig3"]:not([hidden])');
  assert.deepEqual({ seed: await page.inputValue("#seed"), lr: await page.inputValue("#lr") }, { seed: "2", lr: "0.03" });
  await page.goBack();
  await page.waitForFunction(() => /lr=0\.05&/.test(location.hash));
  const atSeed2 = await readoutAt();
  assert.equal(atSeed2.seed, "2");
  assert.equal(atSeed2.lr, "0.05");
  await page.goBack();
  await page.waitForFunction(() => /seed=1&/.test(location.hash));
  const atSeed1 = await readoutAt();
  assert.equal(atSeed1.seed, "1");
  assert.notEqual(atSeed1.c1, atSeed2.c1, "the runs were rebuilt for seed 1");
  await page.goForward();
  await page.waitForFunction(() => /seed=2&/.test(location.hash));
  assert.deepEqual(await readoutAt(), atSeed2);
  await page.goForward();
  await page.goForward();
  await page.waitForSelector('section[data-view="fig1b"]:not([hidden])');
  assert.deepEqual(g.problems, []);
  await g.context.close();
});

const BROKEN = [
  ["unknown key", "#fig3?v=1&speed=7&colour=red", "colour", "unknown_key", /unknown key/],
  ["out of range", "#fig3?v=1&speed=7&lr=5000", "lr", "out_of_range", /out of range \(0, 1000\]/],
  ["NaN", "#fig3?v=1&speed=7&lr=NaN", "lr", "not_finite", /not a finite number/],
  ["Infinity", "#fig3?v=1&speed=7&ty=Infinity", "ty", "not_finite", /not a finite number/],
  ["empty value", "#fig3?v=1&speed=7&seed=", "seed", "missing_value", /missing value/],
  ["duplicate key", "#fig3?v=1&speed=7&seed=3&seed=4", "seed", "duplicate_key", /duplicate key/],
  ["bad percent-encoding", "#fig3?v=1&speed=7&seed=%ZZ", "seed", "malformed_percent", /malformed percent-encoding/],
  ["unknown view", "#fig9?v=1&speed=7", "view", "unknown_view", /unknown view/],
  ["future version", "#fig1b?v=7&lr=0.3", "v", "future_version", /future version v=7/],
  // Beyond 2^53 − 1 a version cannot be a JavaScript number: it is still named, as its digits.
  ["future version beyond 2^53", "#fig1b?v=9007199254740993&w0=1", "v", "future_version", /future version v=9007199254740993 /],
  // The live run needs a selected cell: the refusal is named by the key that was refused.
  ["run without a cell", "#heatmaps?v=1&run=5", "run", "needs", /needs the key sel/],
  // Whole numbers are judged on their digits, not on the nearest double.
  ["seeds not whole", "#fig4?v=1&seeds=0.99999999999999999", "seeds", "not_whole", /not a whole number/],
  ["steps not whole", "#fig4?v=1&steps=4999.9999999999999999", "steps", "not_whole", /not a whole number/],
  ["huge value", "#fig3?v=1&speed=7&seed=99999999999999999999999", "seed", "out_of_range", /out of range \[0, 9007199254740991\]/],
  ["negative seed", "#fig3?v=1&speed=7&seed=-5", "seed", "out_of_range", /out of range/],
  ["wrong enum", "#fig3?v=1&speed=7&int=euler", "int", "unknown_option", /unknown option \(one of: gd, flow, conserving\)/],
  ["not a whole number", "#fig3?v=1&speed=7&step=2.5", "step", "not_whole", /not a whole number/],
  ["replay too long", "#fig3?v=1&speed=7&step=1000000", "step", "out_of_range", /out of range \[0, 20000\]/],
  ["flow replay too long", "#fig3?v=1&speed=7&int=flow&step=5000", "step", "replay_too_long", /at most 1000/],
  ["too long", `#fig3?v=1&speed=7&lr=${"1".repeat(100)}`, "lr", "too_long", /too long/],
  ["off the slider grid", "#topology?v=1&c=0.33", "c", "not_a_multiple", /not a multiple of 0\.05/],
  ["Monte Carlo samples", "#heatmaps?v=1&n=0", "n", "out_of_range", /out of range \[1, 200000\]/],
  ["Fig. 4 width", "#fig4?v=1&w=3", "w", "out_of_range", /out of range \{1, 2, 4, 8, 16\}/],
];

test("broken links open with their valid parts and a message naming each problem", async () => {
  const g = await open("#fig3");
  const { page } = g;
  for (const [name, hash, key, code, text] of BROKEN) {
    await page.goto("about:blank");
    await page.goto(server.url + hash);
    await page.waitForSelector("body[data-ready=true]");
    await page.waitForFunction(() => Number(document.body.dataset.linkApplied) >= 1);
    assert.equal(await page.isVisible("#link-message"), true, name);
    const items = await page.$$eval("#link-rejections li", (lis) => lis.map((li) => ({ key: li.dataset.key, code: li.dataset.code, text: li.textContent })));
    const item = items.find((i) => i.key === key && i.code === code);
    assert.ok(item, `${name}: ${JSON.stringify(items)}`);
    assert.match(item.text, text, name);
    assert.equal(await page.$eval("#link-message", (e) => e.getAttribute("role")), "status");
    const view = hash.slice(1).split("?")[0];
    const shown = ["fig1b", "topology", "heatmaps", "fig4"].includes(view) ? view : "fig3";
    assert.equal(await page.isVisible(`section[data-view="${shown}"]`), true, name);
    if (shown === "fig3" && code !== "unknown_view") {
      // The valid part of the link was applied; the controls hold values they accept.
      assert.equal(await page.inputValue("#speed"), "7", name);
      const lr = Number(await page.inputValue("#lr"));
      assert.ok(lr > 0 && lr <= 1000, `${name}: lr ${lr}`);
      const seed = await page.inputValue("#seed");
      assert.match(seed, /^\d+$/, name);
      assert.ok(Number(seed) <= Number.MAX_SAFE_INTEGER, name);
      assert.equal(await page.isVisible("#message"), false, `${name}: no control refused a value`);
    }
    if (code === "duplicate_key") assert.equal(await page.inputValue("#seed"), "3");
    if (code === "future_version") assert.equal(await page.inputValue("#fig1b-lr"), "0.01");
    // The address bar now holds the canonical link of what is shown.
    assert.match(await hashOf(page), new RegExp(`^#${shown}\\?v=1&`), name);
  }
  await screenshot(page, "links-broken");
  assert.deepEqual(g.problems, []);
  await g.context.close();
});

test("script-like values in a link run nothing and show as inert text", async () => {
  const g = await open("#fig3");
  const { page } = g;
  const cases = [
    ["#fig3?v=1&seed=<img src=x onerror=window.__pwned=1>", "<img src=x onerror=window.__pwned=1>"],
    ["#fig3?v=1&top=javascript:alert(1)", "javascript:alert(1)"],
    ['#fig3?v=1&lr="><script>window.__pwned=1</script>', '"><script>window.__pwned=1</script>'],
    ["#fig3?v=1&seed=%3Csvg%20onload%3Dwindow.__pwned%3D1%3E", "<svg onload=window.__pwned=1>"],
    ["#<img src=x onerror=window.__pwned=1>", "<img src=x onerror=window.__pwned=1>"],
    ["#fig3?v=1&<b onmouseover=alert(1)>=1", '<b onmouseover = "alert(1)>=1"'],
  ];
  for (const [hash, shown] of cases) {
    await page.goto("about:blank");
    await page.goto(server.url + hash);
    await page.waitForSelector("body[data-ready=true]");
    await page.waitForFunction(() => Number(document.body.dataset.linkApplied) >= 1);
    await page.hover("#link-message");
    await page.waitForTimeout(100);
    assert.equal(await page.evaluate(() => window.__pwned), undefined, hash);
    const msg = await page.textContent("#link-message");
    assert.ok(msg.includes(shown), `${hash}: ${msg}`);
    assert.equal(await page.$$eval("#link-message *", (els) => els.filter((e) => !["P", "UL", "LI"].includes(e.tagName)).length), 0);
    const made = await page.evaluate(() =>
      [...document.querySelectorAll("*")].filter(
        (e) => ["onerror", "onload", "onmouseover"].some((a) => e.hasAttribute(a)) || /pwned|alert/.test(e.tagName === "SCRIPT" ? e.textContent : ""),
      ).length,
    );
    assert.equal(made, 0, `${hash}: no element was made from the link`);
  }
  assert.deepEqual(g.dialogs, []);
  assert.deepEqual(g.problems, []);
  await g.context.close();
});

test("each preset of the menu is a link that restores its figure", async () => {
  const g = await open("");
  const { page } = g;
  const presets = await page.$$eval("#presets-list a", (as) => as.map((a) => ({ id: a.dataset.preset, href: a.getAttribute("href"), label: a.textContent })));
  assert.deepEqual(
    presets.map((p) => p.id),
    ["fig1b", "fig2a", "fig2b", "fig3-obstructed", "fig3-good", "fig4", "appendix"],
  );
  for (const p of presets) assert.match(p.href, /^#[a-z0-9]+\?v=1&/, p.id);
  const checks = {
    fig1b: async () => {
      assert.equal(await page.inputValue("#fig1b-start-w"), "2");
      assert.equal(await page.$eval("#fig1b-verdict", (e) => e.dataset.kind), "reachable");
    },
    fig2a: async () => {
      assert.equal(await page.inputValue("#topo-c"), "-1");
      await page.waitForFunction(() => document.getElementById("topo-a-components").dataset.value === "2");
    },
    fig2b: async () => {
      assert.equal(await page.inputValue("#topo-source"), "random");
      assert.equal(await page.inputValue("#topo-rand-l"), "6");
      await page.waitForFunction(() => document.getElementById("topo-b-caption").dataset.components);
      // One component per sign vector of the pathological neurons: 2^(l−).
      const lMinus = Number(await page.$eval("#topo-b-source", (e) => e.dataset.lMinus));
      assert.ok(lMinus >= 1, `l− = ${lMinus}`);
      assert.equal(await page.$eval("#topo-b-caption", (e) => e.dataset.components), String(2 ** lMinus));
    },
    "fig3-obstructed": async () => {
      assert.equal(await page.$eval("#top-step", (e) => e.dataset.value), "500");
      assert.equal(await page.inputValue("#preset-bottom"), "fig3-obstructed-mm");
      assert.equal(await page.$eval("#verdict-top", (e) => e.dataset.obstructed), "true");
      assert.equal(await page.$eval("#verdict-bottom", (e) => e.dataset.obstructed), "true");
    },
    "fig3-good": async () => {
      assert.equal(await page.$eval("#bottom-step", (e) => e.dataset.value), "500");
      assert.equal(await page.inputValue("#preset-top"), "fig3-good-pm");
      assert.equal(await page.$eval("#verdict-top", (e) => e.dataset.obstructed), "false");
      assert.equal(await page.$eval("#verdict-bottom", (e) => e.dataset.obstructed), "false");
      // The good runs have left the loss of the obstructed ones far behind.
      assert.ok(Number(await page.$eval("#top-loss", (e) => e.dataset.value)) < 0.01);
    },
    fig4: async () => {
      // The preset reruns the default seeded sweep; stop it once it is under way.
      await page.waitForSelector("#fig4-root[data-state=running], #fig4-root[data-state=done]");
      assert.equal(await page.inputValue("#fig4-seeds"), "3");
      assert.equal(await page.inputValue("#fig4-steps"), "500");
      assert.equal(await page.$$eval(".fig4-widths input:checked", (b) => b.length), 5);
      await page.evaluate(() => window.reluFig4.cancelSweep());
    },
    appendix: async () => {
      assert.equal(await page.$eval("#hm-d", (e) => e.dataset.value), "10");
      assert.equal(await page.$eval("#hm-l", (e) => e.dataset.value), "10");
      assert.equal(await page.$eval("#hm-scheme", (e) => e.dataset.value), '"kaiming_normal"');
      await page.waitForSelector('#hm-mc[data-value^="{"]');
    },
  };
  const views = { fig1b: "fig1b", fig2a: "topology", fig2b: "topology", "fig3-obstructed": "fig3", "fig3-good": "fig3", fig4: "fig4", appendix: "heatmaps" };
  for (const p of presets) {
    const before = await page.evaluate(() => Number(document.body.dataset.linkApplied));
    await page.click("#presets-title"); // the Presets menu of the header
    await page.click(`#presets-list a[data-preset="${p.id}"]`);
    await page.waitForFunction((n) => Number(document.body.dataset.linkApplied) > n, before);
    await page.waitForSelector(`section[data-view="${views[p.id]}"]:not([hidden])`);
    assert.equal(await hashOf(page), p.href, p.id);
    assert.equal(await page.isHidden("#link-message"), true, p.id);
    await checks[p.id]();
  }
  assert.deepEqual(g.problems, []);
  await g.context.close();
});

test("the first release's bare links still open the right view", async () => {
  const g = await open("");
  const { page } = g;
  for (const [hash, view] of [["", "fig3"], ["#fig3", "fig3"], ["#fig1b", "fig1b"], ["#topology", "topology"], ["#heatmaps", "heatmaps"], ["#fig4", "fig4"]]) {
    await page.goto("about:blank");
    await page.goto(server.url + hash);
    await page.waitForSelector("body[data-ready=true]");
    await page.waitForFunction(() => Number(document.body.dataset.linkApplied) >= 1);
    assert.equal(await page.isVisible(`section[data-view="${view}"]`), true, hash);
    assert.equal(await page.isHidden("#link-message"), true, hash);
    assert.match(await hashOf(page), new RegExp(`^#${view}\\?v=1&`), hash);
  }
  assert.deepEqual(g.problems, []);
  await g.context.close();
});

test("the controls are the link schema: same keys, and a value refused by one is refused by the other", async () => {
  const g = await open("");
  for (const view of ["fig3", "fig1b", "topology", "heatmaps", "fig4"]) {
    await g.page.click(`[data-view-link="${view}"]`);
    await g.page.waitForSelector(`section[data-view="${view}"]:not([hidden])`);
    const out = await g.page.evaluate((v) => {
      const handle = window.reluViews[v].handle();
      const controls = handle.schema();
      const linkKeys = Object.keys(window.wasmBindings.parseLink(`#${v}?v=1`).values);
      // For every control, a value just outside its limits (or not of its kind) typed and linked.
      const probes = controls.map((c) => {
        const bad = c.kind === "choice" ? "no-such-option" : c.kind === "toggle" ? "2" : c.kind === "set" ? "3" : "0x10";
        const typed = handle.set(c.key, bad);
        const linked = window.wasmBindings.parseLink(`#${v}?v=1&${c.key}=${encodeURIComponent(bad)}`).rejections;
        return { key: c.key, typed: typed.ok ? "accepted" : typed.rejection.code, linked: linked.length ? linked[0].code : "accepted" };
      });
      return { keys: controls.map((c) => c.key), linkKeys, probes, link: handle.linkState().link };
    }, view);
    assert.deepEqual([...out.keys].sort(), [...out.linkKeys].sort(), `${view}: the controls are the link's keys`);
    for (const p of out.probes) {
      assert.notEqual(p.typed, "accepted", `${view}.${p.key}: a bad typed value is refused`);
      assert.equal(p.typed, p.linked, `${view}.${p.key}: typed and linked values are judged alike`);
    }
    const defaults = await g.page.evaluate((v) => window.wasmBindings.parseLink(`#${v}?v=1`), view);
    assert.equal(defaults.rejections.length, 0);
    assert.ok(out.link.startsWith(`#${view}?v=1&`), `${view}: the link is unchanged by refused values (${out.link})`);
  }
  assert.deepEqual(g.problems, []);
  await g.context.close();
});

