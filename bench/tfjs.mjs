// The TensorFlow.js peer, in the same Chromium as the demo: a small static server of its own for
// bench/tfjs/ (the app's index.html has a strict content policy and is not touched), TF.js bundled
// from node_modules by esbuild (bench/tfjs/entry.mjs says why a bundle), the backend's .wasm files
// from its dist/, and one page per backend configuration, each in its own browser context, that
// stays open across the rounds of bench/all.mjs.
//
// Backend configurations (each timed with both variants of bench/tfjs/gd.js, analytic and
// autodiff):
// - "wasm-threads": tfjs-backend-wasm on a cross-origin isolated page (COOP/COEP headers), where
//   SharedArrayBuffer exists and TF.js loads its threaded SIMD build, asked for one thread per
//   core (TF.js caps its pool at half the logical cores: on a 2-core machine that is one thread,
//   and the count that ran is recorded);
// - "wasm": the same backend on a page without isolation, as on most sites: the SIMD build, one
//   thread. Both are tried for the reason numpy is run with one BLAS thread and with every core:
//   for operations this small a thread pool's hand-offs can cost more than they save;
// - "cpu": tfjs-backend-cpu (plain JavaScript).
// Which build actually ran (SIMD, threads, the .wasm file fetched) is recorded, not assumed.

import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { createRequire } from "node:module";
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { guardedPage } from "../tests/e2e/harness.mjs";
import { installPageTiming } from "./timing.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PAGE_DIR = path.join(HERE, "tfjs");
const PACKAGES = ["tfjs-core", "tfjs-backend-cpu", "tfjs-backend-wasm"];

export const TFJS_CONFIGS = [
  { id: "wasm-threads", backend: "wasm", isolated: true },
  { id: "wasm", backend: "wasm", isolated: false },
  { id: "cpu", backend: "cpu", isolated: false },
];
export const TFJS_VARIANTS = ["analytic", "autodiff"];

/** The dist/ folder and version of each TF.js package, or a clear error if one is missing. */
function packages() {
  const require = createRequire(import.meta.url);
  const out = {};
  for (const name of PACKAGES) {
    let manifest;
    try {
      manifest = require.resolve(`@tensorflow/${name}/package.json`);
    } catch {
      throw new Error(
        `@tensorflow/${name} is not installed: run \`npm ci\` (scripts/setup.sh test does) to install the devDependencies of package.json`,
      );
    }
    out[name] = { dist: path.join(path.dirname(manifest), "dist"), version: JSON.parse(fs.readFileSync(manifest, "utf8")).version };
  }
  return out;
}

/** Bundles bench/tfjs/entry.mjs into one minified script (a few hundred KB, about a second). */
async function bundle() {
  const out = await build({
    entryPoints: [path.join(PAGE_DIR, "entry.mjs")],
    bundle: true,
    minify: true,
    format: "iife",
    platform: "browser",
    target: "es2020",
    write: false,
    logLevel: "error",
  });
  return Buffer.from(out.outputFiles[0].contents);
}

/**
 * Serves /isolated/… (with the headers that make a page cross-origin isolated) and /plain/…
 * (without them); under each, page.html and gd.js of bench/tfjs/, tf.js (the bundle) and
 * wasm/FILE.wasm from tfjs-backend-wasm's dist/. Resolves to { url, versions, close }.
 */
export async function serveTfjs() {
  const pkgs = packages();
  const script = await bundle();
  const server = http.createServer((req, res) => {
    const parts = new URL(req.url, "http://127.0.0.1").pathname.split("/").filter(Boolean);
    const mode = parts.shift();
    const name = parts.join("/");
    let body = null;
    let type = "text/javascript; charset=utf-8";
    if (name === "page.html" || name === "gd.js") {
      body = fs.readFileSync(path.join(PAGE_DIR, name));
      if (name === "page.html") type = "text/html; charset=utf-8";
    } else if (name === "tf.js") {
      body = script;
    } else if (/^wasm\/[\w.-]+\.wasm$/.test(name) && fs.existsSync(path.join(pkgs["tfjs-backend-wasm"].dist, parts[1]))) {
      body = fs.readFileSync(path.join(pkgs["tfjs-backend-wasm"].dist, parts[1]));
      type = "application/wasm";
    }
    if ((mode !== "isolated" && mode !== "plain") || !body) {
      res.writeHead(404).end("not found");
      return;
    }
    const headers = { "content-type": type, "cache-control": "no-store" };
    if (mode === "isolated") {
      headers["cross-origin-opener-policy"] = "same-origin";
      headers["cross-origin-embedder-policy"] = "require-corp";
    }
    res.writeHead(200, headers).end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}/`,
        versions: Object.fromEntries(Object.entries(pkgs).map(([k, v]) => [`@tensorflow/${k}`, v.version])),
        bundle_bytes: script.length,
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}

/**
 * Opens the page of one configuration and checks both variants on every preset. `presets` are
 * { key, name, exported (the export's JSON), checkSteps, expectedLoss }. Resolves to
 * { config, info, checks, time(variant, presetKey, seconds), close() }.
 */
export async function openTfjs(browser, server, config, presets, { tolerance = 1e-3 } = {}) {
  const g = await guardedPage(browser);
  const base = `${server.url}${config.isolated ? "isolated" : "plain"}/`;
  await g.page.goto(`${base}page.html`);
  await g.page.evaluate(installPageTiming);
  const info = await g.page.evaluate(([backend, dir, isolated]) => window.tfjsPeer.init(backend, dir, isolated), [config.backend, `${base}wasm/`, config.isolated]);
  if (info.backend !== config.backend) throw new Error(`TF.js runs on ${info.backend}, not the ${config.backend} backend asked for`);

  // Same arithmetic: each variant's loss after K steps at the preset's η against the Rust core's,
  // within a float32 tolerance (the core is float64; TF.js's wasm and cpu backends are float32).
  const checks = [];
  for (const p of presets) {
    for (const variant of TFJS_VARIANTS) {
      const r = await g.page.evaluate(([ex, v, k]) => window.tfjsPeer.check(ex, v, k), [p.exported, variant, p.checkSteps]);
      const rel = Math.abs(r.final_loss - p.expectedLoss) / Math.abs(p.expectedLoss);
      const check = { variant, preset: p.name, steps: p.checkSteps, final_loss: r.final_loss, expected_loss: p.expectedLoss, relative_difference: rel };
      checks.push(check);
      if (!(rel <= tolerance)) {
        throw new Error(
          `TF.js ${config.id} ${variant}: after ${p.checkSteps} steps of ${p.name} the loss is ${r.final_loss}, the Rust core's ${p.expectedLoss} (relative difference ${rel.toExponential(2)} > ${tolerance})`,
        );
      }
      if (r.leaked_tensors !== 0) throw new Error(`TF.js ${config.id} ${variant}: the check left ${r.leaked_tensors} tensors behind`);
    }
  }
  for (const p of presets) {
    for (const variant of TFJS_VARIANTS) {
      await g.page.evaluate(([key, ex, v]) => window.tfjsPeer.prepare(key, ex, v), [`${variant}:${p.key}`, p.exported, variant]);
    }
  }
  // Every step runs inside tf.tidy and updates the variables in place, so the count of live
  // tensors must not move while the runs are timed; a leak would slow TF.js down as it grows.
  const tensors = await g.page.evaluate(() => window.tfjsPeer.numTensors());

  return {
    config,
    info,
    checks,
    tensors,
    async time(variant, presetKey, seconds) {
      const r = await g.page.evaluate(
        ([key, s]) => ({ ...globalThis.benchTiming.window(key, s), tensors: window.tfjsPeer.numTensors() }),
        [`${variant}:${presetKey}`, seconds],
      );
      if (r.tensors !== tensors) throw new Error(`TF.js ${config.id} ${variant} ${presetKey}: ${tensors} live tensors became ${r.tensors} (a leak)`);
      if (g.problems.length) throw new Error(`TF.js page ${config.id}: ${g.problems.join("; ")}`);
      delete r.tensors;
      return r;
    },
    async close() {
      if (g.problems.length) throw new Error(`TF.js page ${config.id}: ${g.problems.join("; ")}`);
      await g.context.close();
    },
  };
}
