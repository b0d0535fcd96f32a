// End-to-end test of the lab (#lab) in Debian's Chromium: the check of the default network, a run
// that plays, real files uploaded through the file inputs (valid and broken weights files, valid
// and broken CSV files, a 60 MB file), rebalancing, a session saved and loaded, and a network of
// 256 × 1000 on 100,000 rows that keeps the page's frames short.
//
// Independent references: c_k of an uploaded network is computed here from the file's numbers;
// a rebalanced network's outputs are compared here with the original's, from both weights files.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DIST, serveDist, launch, guardedPage, screenshot, openView } from "./harness.mjs";

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

const field = (page, id) => page.$eval(`#${id}`, (el) => el.dataset.value);
const message = (page) => page.$eval("#lab-message", (el) => ({ text: el.textContent, code: el.dataset.code || "" }));

async function upload(page, input, name, content) {
  if (content.length > 40 * 1024 * 1024) {
    // Large files go through a real file on disk (as a user's would).
    const file = path.join(os.tmpdir(), `relu-lab-${process.pid}-${name}`);
    fs.writeFileSync(file, content);
    await page.setInputFiles(`#${input}`, file);
    fs.rmSync(file);
    return;
  }
  await page.setInputFiles(`#${input}`, { name, mimeType: "application/octet-stream", buffer: Buffer.from(content) });
}

/** Waits until the status line changes from `before` (a file was taken or refused). */
async function nextMessage(page, before) {
  await page.waitForFunction((b) => {
    const t = document.getElementById("lab-message").textContent;
    return t !== "" && t !== b && !t.startsWith("Reading");
  }, before, { timeout: 60000 });
  return message(page);
}

async function uploadAndRead(page, input, name, content) {
  // Two refusals can read alike: clear the line first so the next one is seen.
  await page.evaluate(() => (document.getElementById("lab-message").textContent = ""));
  const before = "";
  await upload(page, input, name, content);
  return nextMessage(page, before);
}

async function setControl(page, key, text) {
  await page.fill(`#lab-${key}`, text);
  await page.dispatchEvent(`#lab-${key}`, "change");
}

/** f(x) = Σ_k v_k max(w_k·x + b_k, 0) + b_out from a weights file's object. */
function forward(wf, x) {
  let f = wf.b_out ? wf.b_out[0] : 0;
  wf.W.forEach((row, k) => {
    const z = row.reduce((s, w, j) => s + w * x[j], wf.b ? wf.b[k] : 0);
    f += wf.v[0][k] * Math.max(z, 0);
  });
  return f;
}

test("the lab checks its network, plays, and takes and refuses files with clear messages", async () => {
  const { context, page, problems } = await guardedPage(browser, { viewport: { width: 1366, height: 768 } });
  await openView(page, server.url, "lab");
  await page.waitForFunction(() => document.getElementById("lab-check-components"));
  // Play runs the default teacher problem.
  await page.click("#lab-play");
  await page.waitForFunction(() => Number(document.getElementById("view-lab").dataset.step) >= 200, null, { timeout: 30000 });
  await page.click("#lab-play");

  // A valid weights file: c_k computed here, with the bias.
  const good = { W: [[1.0, 0.5], [-0.5, 1.0], [0.2, 0.1]], v: [[0.3, -2.0, 0.5]], b: [0.1, 0.0, -0.3] };
  let m = await uploadAndRead(page, "lab-weights-file", "mine.json", JSON.stringify(good));
  assert.match(m.text, /Loaded mine\.json: d = 2, l = 3, e = 1, with hidden biases/);
  const c = good.W.map((row, k) => row.reduce((s, w) => s + w * w, good.b[k] ** 2) - good.v[0][k] ** 2);
  const negatives = c.filter((x) => x < 0).length;
  assert.equal(Number(await field(page, "lab-check-l_minus")), negatives);
  assert.equal(await field(page, "lab-check-components"), String(2 ** negatives));
  const shape = await field(page, "lab-check-shape");

  // Broken weights files: each refused by name, the network kept.
  const bad = [
    ["ragged.json", '{"W": [[1, 2], [3]], "v": [[1, 1]]}', "shape", /row 2/i],
    ["shape.json", '{"W": [[1, 2], [3, 4]], "v": [[1, 1, 1]]}', "shape", /v/],
    ["nan.json", '{"W": [[1, NaN]], "v": [[1]]}', "not_json", /NaN/],
    ["inf.json", '{"W": [[1, Infinity]], "v": [[1]]}', "not_json", /JSON/],
    ["text.json", "this is not JSON", "not_json", /JSON/],
    ["empty.json", "", "empty", /empty/],
  ];
  for (const [name, content, code, pattern] of bad) {
    m = await uploadAndRead(page, "lab-weights-file", name, content);
    assert.equal(m.code, code, `${name}: ${m.text}`);
    assert.match(m.text, pattern, name);
    assert.match(m.text, /previous network is still in use/, name);
    assert.equal(await field(page, "lab-check-shape"), shape, `${name} kept the network`);
  }
  // A 60 MB file is refused before it is read, with the limit named, and the page keeps drawing.
  const big = Buffer.alloc(60 * 1024 * 1024, 32);
  const t0 = Date.now();
  m = await uploadAndRead(page, "lab-weights-file", "huge.json", big);
  assert.equal(m.code, "too_large");
  assert.match(m.text, /16 MB/);
  console.log(`lab: a 60 MB weights file refused in ${Date.now() - t0} ms (including the upload)`);
  m = await uploadAndRead(page, "lab-csv-file", "huge.csv", big);
  assert.equal(m.code, "too_large");
  assert.match(m.text, /50 MB/);
  assert.equal(await field(page, "lab-check-shape"), shape);

  // CSV files: broken ones named by line and column.
  const badCsv = [
    ["ragged.csv", "1,2,3\n4,5\n", "ragged", /Line 2/],
    ["nan.csv", "x1,x2,y\n1,2,3\n4,NaN,6\n", "bad_cell", /Line 3, column 2/],
    ["inf.csv", "1,2,Infinity\n", "bad_cell", /Line 1, column 3/],
    ["empty-cell.csv", "1,,3\n", "bad_cell", /Line 1, column 2/],
    ["hex.csv", "1,0x10,3\n", "bad_cell", /0x10/],
    ["empty.csv", "", "empty", /./],
  ];
  for (const [name, content, code, pattern] of badCsv) {
    m = await uploadAndRead(page, "lab-csv-file", name, content);
    assert.equal(m.code, code, `${name}: ${m.text}`);
    assert.match(m.text, pattern, name);
    assert.match(m.text, /previous data are still in use/, name);
  }

  // A valid 10,000 × 30 CSV for a 30-input network: load time measured from the upload.
  await page.click("#lab-use-built");
  await setControl(page, "d", "30");
  const rows = ["x1," + Array.from({ length: 29 }, (_, j) => `x${j + 2}`).join(",") + ",y"];
  let seed = 1;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  for (let i = 0; i < 10000; i++) rows.push(Array.from({ length: 31 }, rand).map((x) => x.toFixed(6)).join(","));
  const csv = rows.join("\n") + "\n";
  await page.evaluate(() => (document.getElementById("lab-message").textContent = ""));
  const before = "";
  const t1 = Date.now();
  await upload(page, "lab-csv-file", "big.csv", csv);
  m = await nextMessage(page, before);
  const loadMs = Date.now() - t1;
  assert.match(m.text, /Loaded big\.csv: 10000 rows, 30 input columns and y/);
  console.log(`lab: a 10,000 × 30 CSV (${(csv.length / 1e6).toFixed(2)} MB) loaded in ${loadMs} ms (upload, parse, check)`);
  await page.click("#lab-step");
  await page.waitForFunction(() => document.getElementById("view-lab").dataset.step === "1");

  assert.deepEqual(problems, []);
  await context.close();
});

test("rebalancing keeps the function and connects H(c); a session saves and loads", async () => {
  const { context, page, problems } = await guardedPage(browser, { viewport: { width: 1366, height: 768 }, acceptDownloads: true });
  await openView(page, server.url, "lab");
  await page.waitForFunction(() => document.getElementById("lab-check-components"));
  const beforeFile = JSON.parse(await page.evaluate(() => window.reluViews.lab.handle().weights()));
  assert.notEqual(await field(page, "lab-check-components"), "1", "the default network has pathological neurons");
  await page.click("#lab-rebalance");
  await page.waitForFunction(() => document.getElementById("lab-check-components").dataset.value === "1");
  const after = JSON.parse(await page.evaluate(() => window.reluViews.lab.handle().weights()));
  // Every c_k is 0 and the outputs are the same (computed here from both files).
  after.W.forEach((row, k) => {
    const ck = row.reduce((s, w) => s + w * w, 0) - after.v[0][k] ** 2;
    assert.ok(Math.abs(ck) < 1e-12, `c_${k + 1} = ${ck}`);
  });
  for (const x of [[1, 2], [-0.5, 0.3], [2, -1], [0.1, 0.1]]) {
    const a = forward(beforeFile, x);
    const b = forward(after, x);
    assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a)), `${a} vs ${b}`);
  }
  assert.match(await page.textContent("#lab-rebalanced"), /1 component now/);
  // The link says it cannot hold the rebalanced network; the session can.
  const note = await page.evaluate(() => window.reluViews.lab.linkState().note);
  assert.match(note, /network you brought/);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#lab-save-session")]);
  const saved = fs.readFileSync(await download.path(), "utf8");
  const { page: page2, context: c2, problems: p2 } = await guardedPage(browser, { viewport: { width: 1366, height: 768 } });
  await openView(page2, server.url, "lab");
  await page2.waitForFunction(() => document.getElementById("lab-check-components"));
  await page2.setInputFiles("#lab-session-file", { name: "session.json", mimeType: "application/json", buffer: Buffer.from(saved) });
  await page2.waitForFunction(() => document.getElementById("lab-message").textContent.includes("Loaded the session"));
  assert.equal(await field(page2, "lab-check-components"), "1");
  assert.deepEqual(JSON.parse(await page2.evaluate(() => window.reluViews.lab.handle().weights())), after);
  assert.deepEqual(problems, []);
  assert.deepEqual(p2, []);
  await screenshot(page, "lab-rebalanced");
  await context.close();
  await c2.close();
});

test("a 256 × 1000 network on 100,000 rows trains without freezing the page", async () => {
  const { context, page, problems } = await guardedPage(browser, { viewport: { width: 1366, height: 768 } });
  await openView(page, server.url, "lab");
  await page.waitForFunction(() => document.getElementById("lab-check-components"));
  await page.evaluate(() => {
    const h = window.reluViews.lab.handle();
    for (const [k, v] of [["l", "256"], ["n", "100000"], ["d", "1000"]]) h.set(k, v);
  });
  // Frame gaps while the data are built, then while the first step runs.
  const measure = (ms) =>
    page.evaluate(async (span) => {
      const out = [];
      let last = performance.now();
      const end = last + span;
      await new Promise((resolve) => {
        const tick = (t) => {
          out.push(t - last);
          last = t;
          if (t < end) requestAnimationFrame(tick);
          else resolve();
        };
        requestAnimationFrame(tick);
      });
      out.sort((a, b) => a - b);
      return { frames: out.length, median: out[Math.floor(out.length / 2)], worst: out[out.length - 1], progress: document.getElementById("lab-progress").textContent };
    }, ms);
  await page.evaluate(() => window.reluViews.lab.play());
  const building = await measure(3000);
  assert.match(building.progress, /Building the teacher data/);
  await page.waitForFunction(() => document.getElementById("lab-progress").textContent.includes("% of its rows done"), null, { timeout: 120000 });
  const training = await measure(3000);
  assert.match(training.progress, /Step 1: \d+ % of its rows done/);
  for (const [what, m] of [["building the data", building], ["training", training]]) {
    console.log(`lab: 256 × 1000 on 100,000 rows, ${what}: ${m.frames} frames in 3 s, median gap ${m.median.toFixed(1)} ms, worst ${m.worst.toFixed(1)} ms; "${m.progress}"`);
    assert.ok(m.worst < 250, `${what}: a frame took ${m.worst} ms`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test("the breast cancer data are fetched only when a view needs them; a failed fetch is said, and retried", async () => {
  // The first screen (Fig. 3) does not ask for the file: the wasm does not carry it either.
  const { context, page, problems } = await guardedPage(browser, { viewport: { width: 1366, height: 768 } });
  const asked = [];
  page.on("request", (r) => r.url().endsWith("/breast_cancer.csv") && asked.push(r.url()));
  await openView(page, server.url, "fig3");
  await page.waitForTimeout(300);
  assert.equal(asked.length, 0, "Fig. 3 alone does not fetch the data");

  // The lab on the breast cancer data: the file is fetched once and the run trains on 455 rows of 30.
  await page.goto(`${server.url}#lab?v=1&d=30&data=cancer`);
  await page.waitForSelector('section[data-view="lab"]:not([hidden])');
  await page.waitForFunction(() => document.getElementById("lab-data")?.value === "cancer");
  // Until the file is there, the status line says so; then the network's check is shown.
  await page.waitForFunction(() => !/loading/.test(document.getElementById("lab-message").textContent), null, { timeout: 15000 });
  await page.click("#lab-play");
  await page.waitForFunction(() => Number(document.getElementById("view-lab").dataset.step) >= 50, null, { timeout: 30000 });
  await page.click("#lab-play");
  const status = await message(page);
  assert.doesNotMatch(status.text, /loading|could not/i, status.text);
  assert.equal(asked.length, 1, "the file is fetched once");
  assert.deepEqual(problems, []);
  await context.close();

  // A server that does not have the file: the lab says so and keeps its safe state; once the file
  // is back, choosing the data again fetches again and trains.
  const g = await guardedPage(browser, { viewport: { width: 1366, height: 768 } });
  let refuse = true;
  await g.page.route("**/breast_cancer.csv", (route) => (refuse ? route.fulfill({ status: 404, body: "gone" }) : route.continue()));
  await g.page.goto(`${server.url}#lab?v=1&d=30&data=cancer`);
  await g.page.waitForSelector('section[data-view="lab"]:not([hidden])');
  await g.page.waitForFunction(() => /could not be loaded/.test(document.getElementById("lab-message").textContent), null, { timeout: 15000 });
  const refused = await message(g.page);
  assert.match(refused.text, /breast cancer data could not be loaded \(the server answered 404/);
  assert.doesNotMatch(refused.text, /NaN|undefined/);
  refuse = false;
  await g.page.selectOption("#lab-data", "teacher");
  await g.page.selectOption("#lab-data", "cancer");
  await g.page.waitForFunction(() => !/could not|loading/.test(document.getElementById("lab-message").textContent), null, { timeout: 15000 });
  await g.page.click("#lab-play");
  await g.page.waitForFunction(() => Number(document.getElementById("view-lab").dataset.step) >= 20, null, { timeout: 30000 });
  // The 404 is the browser's console error for the failed request; nothing else went wrong.
  assert.deepEqual(g.problems.filter((p) => !/404|breast_cancer\.csv/.test(p)), []);
  await g.context.close();
});
