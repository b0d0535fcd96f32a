// End-to-end test of the page's two wasm modules (www/cores.js) in Debian's Chromium: the first
// screen (Fig. 3) loads only the first screen's module; another view loads the whole one once, when
// it opens or when the reader points at the navigation; a link straight to another view applies
// its values once that module has arrived; a module the server does not give is said, with a Retry
// that works once the file is back; presentation mode reaches the charts of both modules.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { DIST, serveDist, launch, guardedPage, screenshot } from "./harness.mjs";

let server;
let browser;

before(async () => {
  assert.ok(fs.existsSync(path.join(DIST, "index.html")), `${DIST} is built (trunk build)`);
  server = await serveDist();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const FIRST = /\/relu-first-screen-[0-9a-f]+_bg\.wasm$/;
const WHOLE = /\/relu-obstruction_bg\.wasm$/;

/** A guarded page (`options` as guardedPage's) opened at Fig. 3 once the first screen's module is
 * ready; `asked` lists every .wasm the page asks for, in order. */
async function openFig3(options) {
  const g = await guardedPage(browser, options);
  const asked = [];
  g.page.on("request", (req) => {
    if (req.url().endsWith(".wasm")) asked.push(req.url());
  });
  await g.page.goto(`${server.url}#fig3`);
  await g.page.waitForSelector("body[data-ready=true]");
  return { g, asked };
}

test("the first screen loads only its own module; another view loads the whole one, once", async () => {
  const { g, asked } = await openFig3();
  await g.page.waitForSelector('section[data-view="fig3"][data-started]');
  // Fig. 3 trains and draws on the first screen's module.
  await g.page.click("#step");
  await g.page.waitForFunction(() => document.getElementById("top-step").dataset.value === "1");
  await g.page.waitForTimeout(1500);
  assert.equal(asked.length, 1, `one wasm: ${asked}`);
  assert.match(asked[0], FIRST);
  assert.equal(await g.page.evaluate(() => window.reluApp.whole), null);
  // The first screen's module has no other view.
  assert.equal(await g.page.evaluate(() => typeof window.reluApp.wasm.TopologyView), "undefined");

  await g.page.click('[data-view-link="topology"]');
  await g.page.waitForSelector('section[data-view="topology"][data-started]:not([hidden])', { timeout: 15000 });
  // The topology view reads the Fig. 3 run across the two modules: its step and its name.
  await g.page.selectOption("#topo-source", "top");
  await g.page.waitForFunction(() => /^Fig\. 3 top run: .*step 1\b/.test(document.getElementById("topo-b-source").textContent));
  assert.equal(await g.page.isHidden("#core-status"), true, "no loading message is left");
  await g.page.click('[data-view-link="heatmaps"]');
  await g.page.waitForSelector('section[data-view="heatmaps"][data-started]:not([hidden])', { timeout: 15000 });
  assert.deepEqual(
    asked.map((u) => (FIRST.test(u) ? "first" : WHOLE.test(u) ? "whole" : u)),
    ["first", "whole"],
    "the whole module is fetched once for every other view",
  );
  assert.deepEqual(g.problems, []);
  await g.context.close();
});

test("every script the first screen loads is named in index.html: no import is found late", async () => {
  // The browser's own module loading is the reference: what it fetches before the core is ready.
  const g = await guardedPage(browser);
  const fetched = [];
  g.page.on("request", (req) => {
    if (req.resourceType() === "script") fetched.push(new URL(req.url()).pathname.split("/").pop());
  });
  await g.page.goto(`${server.url}#fig3`);
  await g.page.waitForSelector("body[data-ready=true]");
  const html = fs.readFileSync(path.join(DIST, "index.html"), "utf8");
  const named = (re) => new Set([...html.matchAll(re)].map((m) => m[1].replace(/^\.\//, "")));
  const scripts = named(/<script\b[^>]*\bsrc="([^"]+)"/g);
  const preloads = named(/<link rel="modulepreload" href="([^"]+)"/g);
  // An import without a modulepreload is asked for only once its importer has arrived and been
  // parsed, a round trip later on the first frame's path (scripts/trunk-post-build.mjs).
  const late = fetched.filter((name) => !scripts.has(name) && !preloads.has(name));
  assert.deepEqual(late, [], `modules loaded but not preloaded by index.html (of ${fetched.length} scripts)`);
  assert.ok(fetched.length > scripts.size, `the entry scripts import further modules: ${fetched}`);
  assert.deepEqual(g.problems, []);
  await g.context.close();
});

test("pointing at the navigation starts loading the whole module before the click", async () => {
  const { g, asked } = await openFig3();
  await g.page.hover('[data-view-link="lab"]');
  await g.page.waitForFunction(() => window.reluApp.whole !== null, null, { timeout: 15000 });
  assert.equal(asked.filter((u) => WHOLE.test(u)).length, 1);
  // Fig. 3 stays as it was: nothing is said about a module it does not need.
  assert.equal(await g.page.isHidden("#core-status"), true);
  assert.equal(await g.page.isHidden('section[data-view="fig3"]'), false);
  assert.deepEqual(g.problems, []);
  await g.context.close();
});

test("a link straight to another view applies its values once the whole module arrives", async () => {
  const g = await guardedPage(browser);
  await g.page.goto(`${server.url}#topology?v=1&c=-0.5`);
  await g.page.waitForSelector("body[data-ready=true]");
  await g.page.waitForFunction(() => Number(document.body.dataset.linkApplied) >= 1, null, { timeout: 15000 });
  assert.equal(await g.page.inputValue("#topo-c"), "-0.5");
  // The address bar holds the canonical link of what is on screen, with the linked value.
  const hash = await g.page.evaluate(() => location.hash);
  assert.match(hash, /^#topology\?v=1&/);
  assert.match(hash, /[?&]c=-0\.5(&|$)/);
  assert.deepEqual(g.problems, []);
  await g.context.close();
});

test("a whole module the server does not give is said, and Retry loads it once it is back", async () => {
  const g = await guardedPage(browser, { viewport: { width: 1366, height: 768 } });
  let refuse = true;
  await g.page.route("**/relu-obstruction_bg.wasm", (route) => (refuse ? route.fulfill({ status: 404, body: "gone" }) : route.continue()));
  await g.page.goto(`${server.url}#fig3`);
  await g.page.waitForSelector("body[data-ready=true]");
  await g.page.click('[data-view-link="fig1b"]');
  await g.page.waitForSelector("#core-status:not([hidden]) button:not([hidden])", { timeout: 15000 });
  const said = await g.page.textContent("#core-status span");
  assert.match(said, /^This view could not be loaded \(the server answered 404/);
  await screenshot(g.page, "cores-01-refused");
  // Fig. 3 still works, and says nothing about the other module.
  await g.page.click('[data-view-link="fig3"]');
  await g.page.waitForSelector('section[data-view="fig3"]:not([hidden])');
  await g.page.waitForSelector("#core-status", { state: "hidden" });
  await g.page.click("#step");
  await g.page.waitForFunction(() => document.getElementById("top-step").dataset.value === "1");
  // Back on Fig. 1b the reason is said again (the load is tried again), then Retry loads it.
  await g.page.click('[data-view-link="fig1b"]');
  await g.page.waitForSelector("#core-status:not([hidden]) button:not([hidden])", { timeout: 15000 });
  refuse = false;
  await g.page.click("#core-status button");
  await g.page.waitForSelector('section[data-view="fig1b"][data-started]:not([hidden])', { timeout: 15000 });
  assert.equal(await g.page.isHidden("#core-status"), true);
  assert.match(await g.page.evaluate(() => location.hash), /^#fig1b\?v=1&/);
  // Only the refused fetches went wrong.
  assert.deepEqual(g.problems.filter((p) => !/404|relu-obstruction_bg\.wasm/.test(p)), []);
  await g.context.close();
});

test("presentation mode switched on before the whole module loads reaches its charts", async () => {
  const { g } = await openFig3({ viewport: { width: 1280, height: 720 } });
  await g.page.click("#presentation-toggle");
  await g.page.waitForSelector("body[data-presentation=true]");
  assert.equal(await g.page.evaluate(() => window.reluApp.whole), null, "the whole module is not loaded yet");
  await g.page.evaluate(() => {
    location.hash = "#fig1b";
  });
  await g.page.waitForSelector('section[data-view="fig1b"][data-started]:not([hidden])', { timeout: 15000 });
  // The largest text of Fig. 1b's chart as the whole module draws it now (its SVG export follows
  // the same chart text as its canvas).
  const largestText = () =>
    g.page.evaluate(() => {
      const view = new window.reluApp.whole.Fig1bView();
      try {
        const svg = view.svg(640, 360);
        return Math.max(...[...svg.matchAll(/font-size="([0-9.]+)/g)].map((m) => Number(m[1])));
      } finally {
        view.free();
      }
    });
  const presenting = await largestText();
  await g.page.evaluate(() => window.reluApp.shell.setPresentation(false));
  await g.page.waitForSelector("body[data-presentation=false]");
  const plain = await largestText();
  assert.ok(presenting > plain, `presenting ${presenting} px > ${plain} px`);
  assert.deepEqual(g.problems, []);
  await g.context.close();
});
