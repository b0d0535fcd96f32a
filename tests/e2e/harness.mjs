// Shared pieces of the end-to-end tests: a static server for dist/ on 127.0.0.1 under a sub-path,
// Debian's Chromium driven by playwright-core, and page guards that fail on console errors and
// failed requests.

import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// DIST may point elsewhere (for example a second build being tested beside the main one).
export const DIST = path.resolve(process.env.DIST || path.join(ROOT, "dist"));
// The native command line the browser's numbers are compared with: OBSTRUCTION_BIN, else the
// release build in CARGO_TARGET_DIR or target/.
export const BIN =
  process.env.OBSTRUCTION_BIN || path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, "target"), "release/obstruction");
export const ARTIFACTS = path.join(ROOT, "tests/e2e/artifacts");
export const SUBPATH = "/supplementary/relu-obstruction/";

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** Serves dist/ under SUBPATH on a free loopback port; resolves to { url, close }. */
export function serveDist() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    if (!url.pathname.startsWith(SUBPATH)) {
      res.writeHead(404).end("not under the sub-path");
      return;
    }
    let rel = decodeURIComponent(url.pathname.slice(SUBPATH.length)) || "index.html";
    const file = path.join(DIST, path.normalize(rel));
    if (!file.startsWith(DIST) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": MIME[path.extname(file)] || "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}${SUBPATH}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

function chromiumPath() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const name of ["chromium", "chromium-browser"]) {
    try {
      return execFileSync("which", [name], { encoding: "utf8" }).trim();
    } catch {
      // try the next name
    }
  }
  throw new Error("Debian's chromium is not installed (scripts/setup.sh installs it)");
}

export async function launch() {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/**
 * Opens a page that records console errors, page errors and failed requests in `problems`. It
 * prefers reduced motion unless `options` say otherwise, so that Fig. 3 does not start playing by
 * itself under a test that drives it (tests/e2e/layout.test.mjs checks the autoplay).
 */
export async function guardedPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, reducedMotion: "reduce", ...options });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("requestfailed", (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return { context, page, problems };
}

export async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Fraction of a canvas's pixels that differ from white. */
export async function inkFraction(page, id) {
  return page.evaluate((canvasId) => {
    const c = document.getElementById(canvasId);
    const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0 && (data[i] < 245 || data[i + 1] < 245 || data[i + 2] < 245)) ink++;
    }
    return ink / (data.length / 4);
  }, id);
}

/** Opens the app at `view` (a hash such as "fig1b") once the core is ready and the view started
 * (every view but Fig. 3 waits for the whole wasm module, www/cores.js). */
export async function openView(page, baseUrl, view) {
  await page.goto(`${baseUrl}#${view}`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 15000 });
  await page.waitForSelector(`section[data-view="${view}"][data-started]:not([hidden])`, { timeout: 15000 });
}

export async function readout(page, row, key) {
  return page.$eval(`#${row}-${key}`, (el) => el.dataset.value);
}
