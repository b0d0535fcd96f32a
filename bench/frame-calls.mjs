// Counts the calls into the wasm that the Fig. 3 view makes per animation frame while playing:
// every method of every exported handle is wrapped with a counter for SECONDS of play (3 by
// default). Run after `trunk build`: `node bench/frame-calls.mjs`. Prints one JSON object.

import { serveDist, launch, guardedPage } from "../tests/e2e/harness.mjs";

const SECONDS = Number(process.env.SECONDS || 3);
const server = await serveDist();
const browser = await launch();
const { page, problems, context } = await guardedPage(browser, { viewport: { width: 1366, height: 768 } });
await page.goto(`${server.url}#fig3?v=1&pause=0&speed=1`);
await page.waitForSelector("body[data-ready=true]");
const out = await page.evaluate(async (seconds) => {
  const counts = {};
  for (const [name, value] of Object.entries(window.wasmBindings)) {
    const proto = typeof value === "function" ? value.prototype : null;
    if (!proto) continue;
    for (const m of Object.getOwnPropertyNames(proto)) {
      const f = Object.getOwnPropertyDescriptor(proto, m).value;
      if (m === "constructor" || typeof f !== "function") continue;
      proto[m] = function (...args) {
        counts[`${name}.${m}`] = (counts[`${name}.${m}`] || 0) + 1;
        return f.apply(this, args);
      };
    }
  }
  document.getElementById("play").click();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  document.getElementById("play").click();
  return counts;
}, SECONDS);
await context.close();
await browser.close();
await server.close();
if (problems.length) throw new Error(problems.join("\n"));
const frames = out["Fig3View.frame"] || 0;
const total = Object.values(out).reduce((a, b) => a + b, 0);
console.log(JSON.stringify({ frames, calls: out, calls_per_frame: frames ? total / frames : null }, null, 2));
