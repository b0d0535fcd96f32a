// End-to-end test of the single-file build (scripts/build-single.mjs) in Debian's Chromium,
// opened straight from disk (file://, no server): it starts under its own strict policy, Fig. 3
// steps give numbers identical to the served build's, every view works, and a small Fig. 4 sweep
// runs in Web Workers with rows equal to the native `obstruction sweep`; nothing is fetched but
// the file itself (and the blob: URLs its loader makes).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { execFileSync } from "node:child_process";
import { BIN, ROOT, DIST, serveDist, launch, guardedPage, screenshot } from "./harness.mjs";
import { cspProblems } from "../../scripts/content-policy.mjs";
import { SMALL_SWEEP, exerciseAllViews, fig3Steps, recordViolations, violations } from "./exercise.mjs";

const SINGLE = path.resolve(process.env.SINGLE || path.join(ROOT, "dist-single/relu-obstruction.html"));

let server;
let browser;

before(async () => {
  assert.ok(fs.existsSync(SINGLE), `${SINGLE} is built (node scripts/build-single.mjs)`);
  assert.ok(fs.existsSync(path.join(DIST, "index.html")), `${DIST} is built (trunk build)`);
  assert.ok(fs.existsSync(BIN), `${BIN} is built (cargo build --release)`);
  server = await serveDist();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function openSingle(hash = "fig3") {
  const g = await guardedPage(browser);
  await recordViolations(g.page);
  const requests = [];
  g.context.on("request", (r) => requests.push(r.url()));
  const workers = [];
  g.page.on("worker", (w) => workers.push(w.url()));
  const t0 = Date.now();
  await g.page.goto(`${pathToFileURL(SINGLE).href}#${hash}`);
  await g.page.waitForSelector("body[data-ready=true]", { timeout: 30000 });
  console.log(`single file ready ${Date.now() - t0} ms after navigation (file://, decode and compile included)`);
  return { ...g, requests, workers };
}

test("the file stands alone: one file, its own strict policy, no other file beside it", () => {
  const html = fs.readFileSync(SINGLE, "utf8");
  const policy = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/)[1];
  assert.deepEqual(cspProblems(policy), []);
  assert.match(policy, /connect-src 'none'/);
  assert.ok(!/\b(src|href)="\.?\/?[\w-]+\.(js|css|wasm)"/.test(html), "no reference to a sibling file");
  console.log(`single file: ${fs.statSync(SINGLE).size} bytes`);
});

test("from file://: Fig. 3 steps equal the served build's, bit for bit", async () => {
  const single = await openSingle();
  const fromFile = await fig3Steps(single.page, 25);
  const served = await guardedPage(browser);
  await served.page.goto(`${server.url}#fig3`);
  await served.page.waitForSelector("body[data-ready=true]", { timeout: 20000 });
  const fromServer = await fig3Steps(served.page, 25);
  assert.equal(fromFile["top-step"], "25");
  assert.ok(Object.keys(fromFile).length >= 10, `readouts: ${Object.keys(fromFile)}`);
  assert.deepEqual(fromFile, fromServer);
  assert.deepEqual(single.problems, []);
  assert.deepEqual(served.problems, []);
  assert.deepEqual(await violations(single.page), []);
  await single.context.close();
  await served.context.close();
});

test("from file://: every view works, and the Fig. 4 sweep runs in workers and matches the CLI", async () => {
  const { page, problems, context, requests, workers } = await openSingle();
  const rows = await exerciseAllViews(page);
  await screenshot(page, "single-file-01-fig4");
  const native = JSON.parse(
    execFileSync(
      BIN,
      ["sweep", "--widths", SMALL_SWEEP.widths.join(","), "--seeds", String(SMALL_SWEEP.seeds), "--steps", String(SMALL_SWEEP.steps), "--lr", String(SMALL_SWEEP.lr)],
      { encoding: "utf8" },
    ),
  ).rows;
  assert.equal(rows.length, native.length);
  for (const [i, n] of native.entries()) {
    assert.equal(rows[i].l, n.l);
    assert.equal(rows[i].l_plus, n.l_plus);
    assert.ok(Math.abs(rows[i].mean_test_bce - n.mean_test_bce) <= 1e-12, `row ${i}: ${rows[i].mean_test_bce} vs ${n.mean_test_bce}`);
  }
  assert.ok(workers.length >= 1, "the sweep ran in Web Workers");
  assert.ok(workers.every((u) => u.startsWith("blob:")), `workers from blob: URLs: ${workers}`);
  assert.deepEqual(await violations(page), [], "no CSP violation");
  assert.deepEqual(problems, []);
  const file = pathToFileURL(SINGLE).href;
  const elsewhere = requests.filter((u) => !u.startsWith("blob:") && !u.startsWith("data:") && u.split("#")[0] !== file);
  assert.deepEqual(elsewhere, [], "nothing fetched but the file itself");
  await context.close();
});
