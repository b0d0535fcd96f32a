// End-to-end test of the site's content security in Debian's Chromium, served from dist/ under a
// sub-path: the built page carries a strict Content-Security-Policy in a <meta>, the browser
// enforces it (eval and an injected inline script are refused), every view works under it
// without a single violation or console error, and the page makes no network request at run
// time except for its own static files under the served sub-path: every request made while all
// views are exercised (Fig. 4's Web Workers included) is recorded, in the page and at the server.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { DIST, SUBPATH, serveDist, launch, guardedPage, screenshot } from "./harness.mjs";
import { cspProblems, metaCsp } from "../../scripts/content-policy.mjs";
import { exerciseAllViews, recordViolations, violations } from "./exercise.mjs";

let server;
let browser;
const served = []; // every path the static server was asked for

before(async () => {
  assert.ok(fs.existsSync(path.join(DIST, "index.html")), `${DIST} is built (trunk build)`);
  // Log what reaches the server, whoever asks (page, workers, preloads).
  const create = http.createServer;
  let instance;
  http.createServer = (...args) => (instance = create(...args));
  try {
    server = await serveDist();
  } finally {
    http.createServer = create;
  }
  instance.on("request", (req) => served.push(req.url));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** The dist file a URL names, or null when it is not one of the site's own files. */
function siteFile(url, base) {
  if (!url.startsWith(base)) return null;
  const rel = decodeURIComponent(new URL(url).pathname.slice(new URL(base).pathname.length)) || "index.html";
  const file = path.join(DIST, path.normalize(rel));
  return file.startsWith(DIST + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile() ? rel : null;
}

test("the built page declares a strict Content-Security-Policy before anything loads", () => {
  const html = fs.readFileSync(path.join(DIST, "index.html"), "utf8");
  const csp = metaCsp(html);
  assert.ok(csp, "a <meta http-equiv=Content-Security-Policy>");
  assert.deepEqual(cspProblems(csp.policy), []);
  const policy = csp.policy;
  for (const word of ["'unsafe-inline'", "'unsafe-eval'", "*"]) assert.ok(!policy.split(/[\s;]+/).includes(word), `no ${word}`);
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  assert.match(policy, /style-src 'self'(;|$)/);
  assert.match(policy, /object-src 'none'/);
  const first = html.search(/<(script|link|style)\b/i);
  assert.ok(csp.index < first, "the policy comes before every script, link and style");
  assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(html), "no inline <script>");
  assert.ok(!/<style\b/i.test(html), "no <style> block");
});

test("every view works under the policy: no violation, no console error, no request elsewhere", async () => {
  const { page, problems, context } = await guardedPage(browser);
  await recordViolations(page);
  const requests = [];
  const workers = [];
  // Every request of the page and its workers, whatever the scheme, and a refusal of any other origin.
  await context.route("**/*", (route) => {
    const url = route.request().url();
    requests.push(url);
    return url.startsWith(server.url) ? route.continue() : route.abort("blockedbyclient");
  });
  context.on("request", (req) => requests.push(req.url()));
  page.on("worker", (w) => workers.push(w.url()));

  await page.goto(`${server.url}#fig3`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 20000 });
  const meta = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
  assert.deepEqual(cspProblems(meta), []);

  // The browser enforces it: a string handed to setTimeout (eval's twin) does not run, nor does an
  // injected inline script. Both are reported as violations, which proves the recorder works; then
  // the record starts afresh. (Code run by the test driver itself is exempt, so these go through
  // the page's own timer and parser.)
  const probe = await page.evaluate(async () => {
    setTimeout("window.__stringRan = true", 0);
    const s = document.createElement("script");
    s.textContent = "window.__inlineRan = true;";
    document.head.append(s);
    await new Promise((r) => setTimeout(r, 200));
    return { stringRan: window.__stringRan === true, inlineRan: window.__inlineRan === true, violations: window.__cspViolations.splice(0) };
  });
  assert.equal(probe.stringRan, false, "a string timer does not run");
  assert.equal(probe.inlineRan, false, "an injected inline script does not run");
  assert.equal(probe.violations.filter((v) => v.startsWith("script-src")).length, 2, `both were reported: ${probe.violations}`);
  problems.splice(0); // the two refusals above also reach the console

  const rows = await exerciseAllViews(page);
  assert.ok(rows.length > 0, "the sweep produced rows");
  await screenshot(page, "security-01-all-views");
  assert.deepEqual(await violations(page), [], "no CSP violation in any view");
  assert.deepEqual(problems, [], "no console error, failed request or HTTP error");

  assert.ok(workers.length >= 1, "the sweep ran in Web Workers");
  const network = requests.filter((u) => !u.startsWith("data:") && !u.startsWith("blob:"));
  const outside = [...new Set(network.filter((u) => !siteFile(u, server.url)))];
  assert.deepEqual(outside, [], "every request is one of the site's own files under the sub-path");
  const files = new Set(network.map((u) => siteFile(u, server.url)));
  for (const expected of ["index.html", "app.js", "fig4.js", "fig4-worker.js"]) assert.ok(files.has(expected), `${expected} was requested`);
  assert.ok([...files].some((f) => /^relu-first-screen-.*_bg\.wasm$/.test(f)), "the first screen's wasm was requested");
  assert.ok(files.has("relu-obstruction_bg.wasm") && files.has("relu-obstruction.js"), "the whole wasm and its glue were requested");
  const strays = served.filter((u) => !u.startsWith(SUBPATH) || !siteFile(`${server.url}${u.slice(SUBPATH.length)}`, server.url));
  assert.deepEqual(strays, [], "the server was asked only for the site's files");
  console.log(`${network.length} requests, ${files.size} distinct files, all under ${SUBPATH}; ${workers.length} workers`);
  await context.close();
});
