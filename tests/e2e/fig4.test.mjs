// End-to-end test of the Fig. 4 view in Debian's Chromium: the breast cancer sweep runs in Web
// Workers, its rows equal the native `obstruction sweep` bit for bit (within 1e-12), the page stays
// responsive, Cancel stops a sweep and keeps the previous result, the result survives switching
// views, and bad settings are refused with a message.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { BIN, DIST, ROOT, serveDist, launch, guardedPage, screenshot, inkFraction, openView } from "./harness.mjs";

const CANVASES = ["fig4-heatmap", "fig4-curves-lplus", "fig4-curves-percent"];
const SMALL = { widths: [1, 2], seeds: 2, steps: 100, lr: 0.1 };

let server;
let browser;

before(async () => {
  assert.ok(fs.existsSync(path.join(DIST, "index.html")), `${DIST} is built (trunk build)`);
  assert.ok(fs.existsSync(BIN), `${BIN} is built (cargo build --release)`);
  server = await serveDist();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const CLIPBOARD = { permissions: ["clipboard-read", "clipboard-write"] };

/**
 * The native view model's readout (`obstruction view`): `fragment` opened, the `[key, text]` pairs
 * of `sets` set, the sweep run, then `keys` pressed on the heatmap.
 */
function nativeReadout(fragment, sets, keys) {
  const args = ["view", fragment, ...sets.flatMap(([k, t]) => ["--set", `${k}=${t}`]), "--run", ...keys.flatMap((k) => ["--key", k])];
  const out = JSON.parse(execFileSync(BIN, args, { encoding: "utf8" }));
  return {
    link: out.link.link,
    link_rejections: out.rejections.map((r) => r.code),
    set_refusals: out.refused.map((r) => (r ? r.message : null)),
    readout: out.readout,
    rows: out.rows,
  };
}

/** The link the page would copy now (the address bar, once the shell has written it). */
async function pageLink(page) {
  await page.evaluate(() => window.reluLinks.sync(false));
  return page.evaluate(() => location.hash);
}

function nativeRows(cfg) {
  const out = execFileSync(
    BIN,
    ["sweep", "--widths", cfg.widths.join(","), "--seeds", String(cfg.seeds), "--steps", String(cfg.steps), "--lr", String(cfg.lr)],
    { encoding: "utf8" },
  );
  return JSON.parse(out).rows;
}

async function setSettings(page, cfg) {
  for (const l of [1, 2, 4, 8, 16]) await page.setChecked(`#fig4-w${l}`, cfg.widths.includes(l));
  await page.fill("#fig4-seeds", String(cfg.seeds));
  await page.fill("#fig4-steps", String(cfg.steps));
  await page.fill("#fig4-lr", String(cfg.lr));
}

async function tableRows(page) {
  return page.$$eval("#fig4-table tbody tr", (trs) =>
    trs.map((tr) => Object.fromEntries([...tr.querySelectorAll("td")].map((td) => [td.dataset.key, Number(td.dataset.value)]))),
  );
}

function assertRowsEqual(web, native) {
  assert.equal(web.length, native.length, "number of rows");
  for (const [i, n] of native.entries()) {
    const w = web[i];
    assert.equal(w.l, n.l, `row ${i} l`);
    assert.equal(w.l_plus, n.l_plus, `row ${i} l+`);
    assert.equal(w.runs, n.runs, `row ${i} runs`);
    assert.equal(w.diverged_runs, n.diverged_runs, `row ${i} diverged`);
    for (const key of ["mean_test_bce", "std_test_bce"]) {
      assert.ok(Math.abs(w[key] - n[key]) <= 1e-12, `l = ${n.l}, l+ = ${n.l_plus}: ${key} ${w[key]} (browser) vs ${n[key]} (native)`);
    }
  }
}

const progress = (page) => page.$eval("#fig4-progress", (p) => ({ value: p.value, max: p.max }));
const viewState = (page) => page.$eval("#fig4-root", (r) => r.dataset.state);

test("the sweep runs in workers, matches `obstruction sweep`, stays responsive, cancels and persists", async () => {
  const { page, problems, context } = await guardedPage(browser);
  await openView(page, server.url, "fig4");
  const intro = await page.textContent("#fig4-root .view-intro");
  assert.match(intro, /our reading/);
  assert.equal(await page.$eval("#fig4-results", (e) => e.hidden), true, "no result before the first sweep");
  // The defaults are the fig4 preset's: all widths, 3 seeds, 500 steps, η = 0.1.
  assert.deepEqual(
    await page.$$eval(".fig4-widths input", (bs) => bs.filter((b) => b.checked).map((b) => Number(b.value))),
    [1, 2, 4, 8, 16],
  );
  assert.equal(await page.inputValue("#fig4-seeds"), "3");
  assert.equal(await page.inputValue("#fig4-steps"), "500");
  assert.equal(await page.inputValue("#fig4-lr"), "0.1");

  // A small sweep, compared with the native binary.
  await setSettings(page, SMALL);
  await page.click("#fig4-run");
  await page.waitForFunction(() => document.getElementById("fig4-root").dataset.state === "done", null, { timeout: 60000 });
  const p = await progress(page);
  assert.equal(p.max, (2 + 3) * 2, "one job per (l, l+, seed)");
  assert.equal(p.value, p.max, "the progress bar reached its end");
  assert.match(await page.textContent("#fig4-progress-text"), /Done: 10 runs/);
  for (const id of CANVASES) {
    const ink = await inkFraction(page, id);
    assert.ok(ink > 0.01, `${id} drew (ink fraction ${ink})`);
  }
  const native = nativeRows(SMALL);
  const small = await tableRows(page);
  assertRowsEqual(small, native);
  console.log(`small sweep: ${small.length} rows equal to obstruction sweep (max |diff| ${Math.max(...small.map((w, i) => Math.abs(w.mean_test_bce - native[i].mean_test_bce)))})`);
  await screenshot(page, "fig4-01-small-sweep");

  // Pointing at a heatmap cell reads its row; the arrow keys move the selection.
  const box = await page.locator("#fig4-heatmap").boundingBox();
  const layout = await page.evaluate(() => window.reluFig4.layout());
  const dpr = await page.evaluate(() => devicePixelRatio);
  // Column of l = 2 (the second), row l+ = 1 (second from the bottom).
  const cx = box.x + (layout.left + (1.5 * layout.width) / layout.cols) / dpr;
  const cy = box.y + (layout.top + ((layout.rows - 1.5) * layout.height) / layout.rows) / dpr;
  await page.mouse.move(cx, cy);
  await page.waitForFunction(() => document.getElementById("fig4-cell").dataset.l === "2");
  const cellText = await page.textContent("#fig4-cell");
  const row21 = native.find((r) => r.l === 2 && r.l_plus === 1);
  assert.match(cellText, /l = 2, l\+ = 1/);
  assert.ok(cellText.includes(row21.mean_test_bce.toFixed(4)), `${cellText} shows ${row21.mean_test_bce}`);
  await page.focus("#fig4-heatmap");
  await page.keyboard.press("ArrowUp");
  assert.equal(await page.$eval("#fig4-cell", (e) => e.dataset.lPlus), "2");
  await page.keyboard.press("ArrowLeft");
  assert.match(await page.textContent("#fig4-cell"), /l = 1, l\+ = 2: no such network/);
  await screenshot(page, "fig4-02-heatmap-cell");

  // A large sweep: the page stays responsive while it runs, then Cancel stops it.
  await setSettings(page, { widths: [1, 2, 4, 8, 16], seeds: 3, steps: 3000, lr: 0.1 });
  await page.evaluate(() => {
    window.__frames = 0;
    const tick = () => {
      window.__frames++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.click("#fig4-run");
  assert.equal(await viewState(page), "running");
  assert.equal(await page.$eval("#fig4-run", (b) => b.disabled), true, "one sweep at a time");
  await page.waitForFunction(() => document.getElementById("fig4-progress").value >= 1, null, { timeout: 60000 });
  const f0 = await page.evaluate(() => window.__frames);
  const t0 = Date.now();
  const answer = await page.evaluate(() => 6 * 7);
  const evalMs = Date.now() - t0;
  await page.waitForTimeout(1000);
  const frames = (await page.evaluate(() => window.__frames)) - f0;
  console.log(`during the sweep: a trivial evaluate took ${evalMs} ms, ${frames} animation frames in 1 s`);
  assert.equal(answer, 42);
  assert.ok(evalMs < 500, `the main thread answered in ${evalMs} ms`);
  assert.ok(frames >= 10, `animation frames kept coming (${frames} in 1 s)`);
  assert.match(await page.textContent("#fig4-progress-text"), /runs · \d+ workers? · elapsed .* · about .* left/);
  await screenshot(page, "fig4-03-running");
  await page.click("#fig4-cancel");
  assert.equal(await viewState(page), "cancelled");
  const stopped = await progress(page);
  assert.ok(stopped.value < stopped.max, `cancelled before the end (${stopped.value} / ${stopped.max})`);
  await page.waitForTimeout(1500);
  assert.deepEqual(await progress(page), stopped, "the progress stopped");
  assert.match(await page.textContent("#fig4-progress-text"), /Cancelled after .* previous sweep is still shown/);
  assertRowsEqual(await tableRows(page), native);
  assert.equal(await page.$eval("#fig4-run", (b) => b.disabled), false);
  assert.equal(await page.$eval("#fig4-message", (e) => e.hidden), true, "no error message");
  for (const id of CANVASES) assert.ok((await inkFraction(page, id)) > 0.01, `${id} still drawn`);
  await screenshot(page, "fig4-04-cancelled");

  // The finished sweep survives a visit to another view.
  await page.evaluate(() => {
    location.hash = "#fig3";
  });
  await page.waitForSelector('section[data-view="fig4"][hidden]', { state: "attached" });
  await page.evaluate(() => {
    location.hash = "#fig4";
  });
  await page.waitForSelector('section[data-view="fig4"]:not([hidden])');
  assertRowsEqual(await tableRows(page), native);
  await page.waitForTimeout(200);
  for (const id of CANVASES) assert.ok((await inkFraction(page, id)) > 0.01, `${id} drawn after coming back`);

  // Bad settings are refused with a message as soon as they are typed; the field is marked, the
  // previous value stays in force, and Run starts nothing while a field holds a refused text.
  await setSettings(page, { ...SMALL, seeds: 0 });
  assert.match(await page.textContent("#fig4-message"), /^Seeds \(1–20\) "0": out of range \[1, 20\]\. The previous value 3 is still in use\.$/);
  assert.equal(await page.getAttribute("#fig4-seeds", "aria-invalid"), "true");
  assert.equal(await page.getAttribute("#fig4-seeds", "data-rejected"), "out_of_range");
  await page.click("#fig4-run");
  assert.match(await page.textContent("#fig4-message"), /Seeds \(1–20\) "0": out of range \[1, 20\]/);
  assert.equal(await viewState(page), "cancelled", "nothing was started");
  await setSettings(page, { ...SMALL, steps: "abc" });
  await page.click("#fig4-run");
  assert.equal(await page.textContent("#fig4-message"), 'GD steps (1–5000) "abc": not a number. The previous value 100 is still in use.');
  assert.equal(await page.getAttribute("#fig4-seeds", "aria-invalid"), null, "the seeds are good again");
  assert.equal(await page.getAttribute("#fig4-steps", "aria-invalid"), "true");
  await setSettings(page, { ...SMALL, widths: [] });
  await page.press("#fig4-seeds", "Enter");
  assert.match(await page.textContent("#fig4-message"), /at least one width/);
  assert.equal(await page.getAttribute("#fig4-w", "aria-invalid"), "true");
  await setSettings(page, { ...SMALL, steps: 5001 });
  await page.click("#fig4-run");
  assert.match(await page.textContent("#fig4-message"), /GD steps \(1–5000\) "5001": out of range \[1, 5000\]/);
  assert.equal(await viewState(page), "cancelled", "nothing was started");
  assert.equal(await page.$eval("#fig4-message", (e) => e.getAttribute("role")), "status");
  assertRowsEqual(await tableRows(page), native);
  await screenshot(page, "fig4-05-refused");

  // Every control is labelled.
  const unlabelled = await page.$$eval("#fig4-root input, #fig4-root progress", (els) =>
    els.filter((el) => !document.querySelector(`label[for="${el.id}"]`)).map((el) => el.id),
  );
  assert.deepEqual(unlabelled, []);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a refused text is said at once, marks its field and leaves the previous value in the link", async () => {
  // The bug: `abc` in Seeds and `5000` as η silently became seeds=3&lr=0.1 in the URL and Copy link.
  const { page, problems, context } = await guardedPage(browser, CLIPBOARD);
  await page.goto(server.url + "#fig4?v=1&w=1,2&seeds=2&steps=40&lr=0.05");
  await page.waitForSelector("body[data-ready=true]");
  await page.waitForFunction(() => Number(document.body.dataset.linkApplied) >= 1);
  assert.equal(await page.inputValue("#fig4-seeds"), "2");
  await page.fill("#fig4-seeds", "abc");
  await page.press("#fig4-seeds", "Tab");
  // At once: no Run pressed.
  assert.equal(await page.getAttribute("#fig4-seeds", "aria-invalid"), "true");
  assert.equal(await page.getAttribute("#fig4-seeds", "data-rejected"), "not_a_number");
  assert.equal(await page.textContent("#fig4-message"), 'Seeds (1–20) "abc": not a number. The previous value 2 is still in use.');
  assert.equal(await page.$eval("#fig4-message", (e) => e.hidden), false);
  await page.fill("#fig4-lr", "5000");
  await page.press("#fig4-lr", "Tab");
  assert.equal(await page.getAttribute("#fig4-lr", "aria-invalid"), "true");
  assert.equal(await page.getAttribute("#fig4-lr", "data-rejected"), "out_of_range");
  const both = await page.textContent("#fig4-message");
  assert.ok(both.includes('Seeds (1–20) "abc": not a number. The previous value 2 is still in use.'), both);
  assert.ok(both.includes('Learning rate η "5000": out of range (0, 1000]. The previous value 0.05 is still in use.'), both);
  // The previous values stay in force: in the address bar and in Copy link.
  const link = await pageLink(page);
  assert.equal(link, "#fig4?v=1&w=1,2&seeds=2&steps=40&lr=0.05&ran=0");
  await page.click("#copy-link");
  await page.waitForFunction(() => document.getElementById("copy-status").textContent !== "");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.ok(copied.endsWith("#fig4?v=1&w=1,2&seeds=2&steps=40&lr=0.05&ran=0"), copied);
  // `0x10` is no number here either.
  await page.fill("#fig4-steps", "0x10");
  await page.press("#fig4-steps", "Tab");
  assert.equal(await page.getAttribute("#fig4-steps", "data-rejected"), "not_a_number");
  assert.equal(await pageLink(page), "#fig4?v=1&w=1,2&seeds=2&steps=40&lr=0.05&ran=0");
  // Run starts nothing while a field holds a refused text.
  await page.click("#fig4-run");
  assert.equal(await page.$eval("#fig4-root", (r) => r.dataset.state), "idle");
  // Fixing a field clears its mark and its message; the others stay.
  await page.fill("#fig4-seeds", "1");
  await page.press("#fig4-seeds", "Tab");
  assert.equal(await page.getAttribute("#fig4-seeds", "aria-invalid"), null);
  assert.ok(!(await page.textContent("#fig4-message")).includes("Seeds"));
  assert.equal(await pageLink(page), "#fig4?v=1&w=1,2&seeds=1&steps=40&lr=0.05&ran=0");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a link with fractions for whole numbers is refused with a notice and the defaults stay", async () => {
  const { page, problems, context } = await guardedPage(browser);
  await page.goto(server.url + "#fig4?v=1&seeds=0.99999999999999999&steps=4999.9999999999999999");
  await page.waitForSelector("body[data-ready=true]");
  await page.waitForFunction(() => Number(document.body.dataset.linkApplied) >= 1);
  assert.equal(await page.isVisible("#link-message"), true, "the notice is shown");
  const items = await page.$$eval("#link-rejections li", (lis) => lis.map((li) => [li.dataset.key, li.dataset.code, li.textContent]));
  assert.deepEqual(
    items.map(([k, c]) => [k, c]),
    [
      ["seeds", "not_whole"],
      ["steps", "not_whole"],
    ],
  );
  assert.match(items[0][2], /seeds = "0\.99999999999999999": not a whole number/);
  assert.match(items[1][2], /steps = "4999\.9999999999999999": not a whole number/);
  assert.equal(await page.inputValue("#fig4-seeds"), "3");
  assert.equal(await page.inputValue("#fig4-steps"), "500");
  assert.equal(await pageLink(page), "#fig4?v=1&w=1,2,4,8,16&seeds=3&steps=500&lr=0.1&ran=0");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the page's readouts are the native view model's for a link and typed settings", async () => {
  const fragment = "#fig4?v=1&w=1,2&seeds=2&steps=40";
  const sets = [
    ["steps", "60"],
    ["seeds", "abc"],
    ["lr", "5000"],
    ["seeds", "2"],
    ["lr", "0.1"],
  ];
  const keys = ["ArrowUp", "ArrowRight", "ArrowUp"];
  const native = nativeReadout(fragment, sets, keys);
  const { page, problems, context } = await guardedPage(browser);
  await page.goto(server.url + fragment);
  await page.waitForSelector("body[data-ready=true]");
  await page.waitForFunction(() => Number(document.body.dataset.linkApplied) >= 1);
  for (const [i, [key, text]] of sets.entries()) {
    await page.fill(`#fig4-${key}`, text);
    await page.press(`#fig4-${key}`, "Tab");
    const refusal = native.set_refusals[i];
    assert.equal(await page.getAttribute(`#fig4-${key}`, "aria-invalid"), refusal === null ? null : "true", `${key} = ${text}`);
    // The message box shows every refusal still standing; this one word for word.
    if (refusal !== null) assert.ok((await page.textContent("#fig4-message")).includes(refusal), refusal);
  }
  assert.equal(await page.$eval("#fig4-message", (e) => e.hidden), true, "every field is good again");
  await page.click("#fig4-run");
  await page.waitForSelector("#fig4-root[data-state=done]", { timeout: 60000 });
  const table = await page.$$eval("#fig4-table tbody tr", (trs) =>
    trs.map((tr) => ({
      l: tr.dataset.l,
      l_plus: tr.dataset.lPlus,
      cells: [...tr.querySelectorAll("td")].map((td) => ({ key: td.dataset.key, text: td.textContent, value: td.dataset.value })),
    })),
  );
  const want = native.readout.table.map((r) => ({ l: r.l, l_plus: r.l_plus, cells: r.cells.map(({ key, text, value }) => ({ key, text, value })) }));
  assert.deepEqual(table, want);
  const heads = await page.$$eval("#fig4-table thead th", (ths) => ths.map((th) => th.textContent));
  assert.deepEqual(heads, native.readout.table[0].cells.map((c) => c.label));
  await page.focus("#fig4-heatmap");
  for (const k of keys) await page.keyboard.press(k);
  assert.equal(await page.textContent("#fig4-cell"), native.readout.cell.text);
  assert.deepEqual(await page.$eval("#fig4-cell", (e) => [e.dataset.l, e.dataset.lPlus]), [native.readout.cell.l, native.readout.cell.l_plus]);
  assert.deepEqual(await page.evaluate(() => window.reluFig4.rows()), native.rows);
  assert.equal(await pageLink(page), native.link);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a sweep whose runs diverge never says NaN", async () => {
  const { page, problems, context } = await guardedPage(browser);
  const cfg = { widths: [1, 2], seeds: 2, steps: 50, lr: 1000 };
  await page.goto(server.url + "#fig4?v=1&w=1,2&seeds=2&steps=50&lr=1000&ran=1");
  await page.waitForSelector("#fig4-root[data-state=done]", { timeout: 60000 });
  const native = nativeRows(cfg);
  assert.ok(native.every((r) => r.diverged_runs === 2), "every run diverges");
  const rows = await page.evaluate(() => window.reluFig4.rows());
  assert.equal(rows.length, native.length);
  for (const [i, n] of native.entries()) {
    assert.equal(rows[i].mean_test_bce, n.mean_test_bce, `row ${i}`);
    assert.equal(rows[i].diverged_runs, n.diverged_runs);
  }
  assert.match(await page.textContent("#fig4-progress-text"), /^Done in .*: 10 of 10 runs diverged \(a training or test BCE not finite or above 1000\); each is scored at its last finite state\.$/);
  await page.focus("#fig4-heatmap");
  await page.keyboard.press("ArrowUp");
  const text = await page.evaluate(() => document.body.innerText);
  for (const word of ["NaN", "Infinity", "undefined", "null"]) assert.ok(!text.includes(word), `the page says ${word}`);
  assert.match(await page.textContent("#fig4-cell"), /^l = 1, l\+ = 0 \(0 %\): test BCE \d\.\d{5}e\+30\d ± infinite over 2 seeds, 2 diverged$/);
  // The exported SVG charts do not say it either.
  for (const part of ["heatmap", "curves-lplus", "curves-percentage"]) {
    const svg = await page.evaluate((p) => window.reluFig4.handle().svg(p, 640, 400), part);
    assert.ok(!/NaN|Infinity/.test(svg), `${part} SVG says NaN`);
  }
  await screenshot(page, "fig4-07-diverged");
  assert.deepEqual(problems, []);
  await context.close();
});

test("without the breast cancer file the sweep stops with the reason, and the next Run retries", async () => {
  const { context, page, problems } = await guardedPage(browser, { viewport: { width: 1366, height: 768 } });
  let refuse = true;
  await page.route("**/breast_cancer.csv", (route) => (refuse ? route.abort("connectionrefused") : route.continue()));
  await openView(page, server.url, "fig4");
  await setSettings(page, { widths: [1], seeds: 1, steps: 20, lr: 0.1 });
  await page.click("#fig4-run");
  await page.waitForFunction(() => !document.getElementById("fig4-message").hidden, null, { timeout: 15000 });
  const text = await page.textContent("#fig4-message");
  assert.match(text, /The sweep failed: the breast cancer data could not be loaded \(.+\)\. Run again to retry\./);
  assert.doesNotMatch(text, /NaN|undefined|\[object/);
  assert.equal(await page.$eval("#fig4-run", (b) => b.disabled), false, "Run is offered again");
  refuse = false;
  await page.click("#fig4-run");
  await page.waitForFunction(() => /Done: 2 runs/.test(document.getElementById("fig4-progress-text").textContent), null, { timeout: 30000 });
  assert.deepEqual(problems.filter((p) => !/breast_cancer\.csv|ERR_CONNECTION_REFUSED/.test(p)), []);
  await context.close();
});
