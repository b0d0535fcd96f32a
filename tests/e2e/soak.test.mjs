// Soak test (issue 7, part 3): 10^7 steps of both Fig. 3 runs through the page's wasm, in big
// step(n) batches via window.reluApp, drawing every chart now and then. The wasm linear memory is
// recorded after 10^5 steps, midway and at the end; it must not grow past the 10^5-step figure plus
// a small slack (the histories are bounded, so nothing grows with the run's length).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serveDist, launch, guardedPage } from "./harness.mjs";

const TOTAL = 10_000_000;
const BATCH = 250_000;
const SLACK = 1 << 20; // 1 MiB: one allocator growth step at most

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

test("10^7 steps of the Fig. 3 runs keep the wasm memory bounded", { timeout: 600_000 }, async () => {
  const { page, problems, context } = await guardedPage(browser);
  // Trunk hands the instance's exports (and so its memory) to this event.
  await page.addInitScript(() => {
    addEventListener("TrunkApplicationStarted", (e) => {
      window.__wasmExports = e.detail.wasm;
    });
  });
  await page.goto(server.url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 15000 });
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  const heap = async () => {
    const { metrics } = await cdp.send("Performance.getMetrics");
    return metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? NaN;
  };
  const memory = () => page.evaluate(() => window.__wasmExports.memory.buffer.byteLength);
  assert.ok((await memory()) > 0, "the wasm memory is visible");

  // Runs `n` steps of both runs in batches, drawing the charts after each batch.
  const run = (n) =>
    page.evaluate(
      ([n, batch]) => {
        const fig3 = window.reluViews.fig3;
        const view = fig3.handle();
        let done = 0;
        while (done < n) {
          const k = Math.min(batch, n - done);
          if (!view.advance(k)) throw new Error(`stepping failed after ${done} steps`);
          done += k;
        }
        fig3.redraw();
        return done;
      },
      [n, BATCH],
    );

  const before = await memory();
  const t0 = Date.now();
  await run(100_000);
  const after1e5 = await memory();
  const heap1e5 = await heap();
  const midT = Date.now();
  let done = 100_000;
  const figures = [];
  while (done < TOTAL) {
    const n = Math.min(1_000_000, TOTAL - done);
    await run(n);
    done += n;
    figures.push([done, await memory()]);
  }
  const secs = (Date.now() - t0) / 1000;
  const after = await memory();
  const heapAfter = await heap();
  const mid = figures.find(([s]) => s >= TOTAL / 2)[1];
  const steps = await page.evaluate(() =>
    ["top", "bottom"].map((row) => Number(document.getElementById(`${row}-step`).dataset.value)),
  );
  const history = await page.evaluate(() => window.reluViews.fig3.handle().lossHistory("top").length / 2);
  console.log(
    `soak: ${TOTAL} steps × 2 runs in ${secs.toFixed(1)} s (${((2 * TOTAL) / secs / 1e6).toFixed(2)} M run-steps/s, ` +
      `${((Date.now() - midT) / 1000).toFixed(1)} s after the first 10^5); wasm memory: at load ${before} B, ` +
      `after 10^5 steps ${after1e5} B, midway ${mid} B, after 10^7 ${after} B; JS heap ${heap1e5} → ${heapAfter} B; ` +
      `loss points kept ${history}`,
  );
  assert.deepEqual(steps, [TOTAL, TOTAL]);
  assert.ok(history <= 4096, `bounded loss history (${history})`);
  assert.ok(after <= after1e5 + SLACK, `wasm memory grew from ${after1e5} to ${after} bytes`);
  // The loss chart still draws from the decimated history.
  const ink = await page.evaluate(() => {
    const c = document.getElementById("loss-chart");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 245 || d[i + 1] < 245 || d[i + 2] < 245) n++;
    return n / (d.length / 4);
  });
  assert.ok(ink > 0.01, `loss chart drew (${ink})`);
  assert.deepEqual(problems, []);
  await context.close();
});
