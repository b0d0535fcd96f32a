// The Fig. 4 view: the breast cancer sweep over widths l and numbers l+ of non-pathological
// neurons. The jobs run in Web Workers (each loads the page's own wasm and glue), so the page never
// freezes; this module only wires the DOM, hands out jobs, shows progress and asks the Rust core
// (a SweepResult handle) to aggregate and draw. A finished sweep is kept for the rest of the visit.

import { el as make } from "./dom.js";
import { exportBar, chartItems, dataItem } from "./export.js";

const WIDTHS_FALLBACK = [1, 2, 4, 8, 16];

const state = {
  wasm: null,
  shell: null,
  el: {},
  limits: null,
  visible: false,
  result: null, // { handle: SweepResult, rows, cfg, seconds } of the last finished sweep
  run: null, // the sweep in progress
  runId: 0,
  highlight: null, // { col, row } on the heatmap
  redrawRaf: 0,
};

// ---------------------------------------------------------------------------------------------
// DOM helpers (createElement/textContent only)


function field(id, label, value) {
  const input = make("input", { id, type: "text", inputmode: "decimal", value, autocomplete: "off", spellcheck: false });
  return make("div", { class: "group" }, [make("label", { for: id, text: label }), input]);
}

function showMessage(text) {
  state.el.message.textContent = text;
  state.el.message.hidden = !text;
}

function guarded(fn) {
  try {
    return fn();
  } catch (err) {
    if (state.shell.isWasmCrash(err)) state.shell.showFatal(err.message);
    else showMessage(String((err && err.message) || err));
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Building the view

function build(root) {
  const el = state.el;
  const L = state.limits;
  root.append(
    make("h2", { class: "view-title", text: "Fig. 4: the breast cancer sweep" }),
    make("p", {
      class: "view-intro",
      text:
        "Each run trains a two-layer ReLU network with l hidden neurons on the breast cancer (Wisconsin diagnostic) " +
        "data and reports its test loss (binary cross-entropy, BCE) after a fixed number of steps; l+ of the neurons " +
        "are non-pathological, the other l − l+ are pathological and cannot change the sign of their output weight. " +
        "The paper's point: the test loss depends on the number l+ of non-pathological neurons, not on their share l+/l. " +
        "How l+ is imposed is our reading: each neuron is rescaled at initialization without changing the function, " +
        "the pathological neurons' output weights are made negative, and there is no output bias.",
    }),
  );

  const widthBoxes = make("fieldset", { class: "fig4-widths" }, [make("legend", { text: "Widths l" })]);
  el.widths = [];
  for (const l of L.widths) {
    const id = `fig4-w${l}`;
    const box = make("input", { id, type: "checkbox", checked: true, value: String(l) });
    el.widths.push(box);
    widthBoxes.append(make("span", { class: "fig4-width" }, [box, make("label", { for: id, text: String(l) })]));
  }
  el.seeds = field("fig4-seeds", `Seeds (1–${L.maxSeeds})`, String(L.defaultSeeds));
  el.steps = field("fig4-steps", `GD steps (1–${L.maxSteps})`, String(L.defaultSteps));
  el.lr = field("fig4-lr", "Learning rate η", String(L.defaultLr));
  el.runButton = make("button", { id: "fig4-run", type: "submit", text: "Run sweep" });
  el.cancelButton = make("button", { id: "fig4-cancel", type: "button", text: "Cancel", disabled: true });
  const form = make("form", { class: "controls-bar fig4-controls", "aria-label": "Sweep settings" }, [
    widthBoxes,
    el.seeds,
    el.steps,
    el.lr,
    make("div", { class: "group buttons" }, [el.runButton, el.cancelButton]),
  ]);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    startSweep();
  });
  el.cancelButton.addEventListener("click", cancelSweep);

  el.message = make("p", { id: "fig4-message", class: "banner", role: "status", hidden: true });
  el.progress = make("progress", { id: "fig4-progress", max: 1, value: 0 });
  el.progressText = make("span", { id: "fig4-progress-text", text: "No sweep run yet." });
  const progress = make("div", { class: "fig4-progress card" }, [
    make("label", { for: "fig4-progress", text: "Progress" }),
    el.progress,
    el.progressText,
  ]);
  progress.setAttribute("aria-live", "polite");

  el.info = make("p", { id: "fig4-result-info", class: "fineprint", text: "" });
  el.heatmap = make("canvas", { id: "fig4-heatmap", class: "fig4-heatmap", tabindex: "0", role: "img", "aria-label": "Heatmap of the mean test BCE over width l and l+; arrow keys move the selected cell" });
  el.curvesLPlus = make("canvas", { id: "fig4-curves-lplus", class: "fig4-curves", role: "img", "aria-label": "Mean test BCE against l+, one curve per width l, with error bars" });
  el.curvesPercent = make("canvas", { id: "fig4-curves-percent", class: "fig4-curves", role: "img", "aria-label": "Mean test BCE against the percentage l+/l, one curve per width l, with error bars" });
  el.cell = make("p", { id: "fig4-cell", class: "fig4-cell", text: "Point at a cell of the heatmap (or focus it and use the arrow keys) to read its value." });
  el.charts = make("div", { class: "fig4-charts" }, [
    make("div", { class: "card fig4-heatmap-card" }, [el.heatmap, el.cell]),
    make("div", { class: "card" }, [el.curvesLPlus]),
    make("div", { class: "card" }, [el.curvesPercent]),
  ]);
  el.tbody = make("tbody");
  const head = make("tr", {}, ["l", "l+", "l+/l", "mean test BCE", "std", "runs", "diverged"].map((t) => make("th", { scope: "col", text: t })));
  el.table = make("table", { id: "fig4-table", class: "fig4-table" }, [
    make("caption", { text: "Every (l, l+) of the last finished sweep: test BCE over seeds (sample standard deviation)." }),
    make("thead", {}, [head]),
    el.tbody,
  ]);
  el.results = make("div", { id: "fig4-results", hidden: true }, [el.info, el.charts, make("details", { class: "fig4-details" }, [make("summary", { text: "Table of results" }), el.table])]);

  root.append(form, el.message, progress, el.results);
  addExports();
  root.dataset.state = "idle";

  const pointAt = (e) => {
    const rect = el.heatmap.getBoundingClientRect();
    const x = ((e.clientX - rect.left) * el.heatmap.width) / rect.width;
    const y = ((e.clientY - rect.top) * el.heatmap.height) / rect.height;
    selectCellAt(x, y);
  };
  el.heatmap.addEventListener("pointermove", pointAt);
  el.heatmap.addEventListener("pointerdown", pointAt); // a tap (touch) selects a cell too
  el.heatmap.addEventListener("keydown", onHeatmapKey);
  const ro = new ResizeObserver(() => scheduleRedraw());
  for (const c of [el.heatmap, el.curvesLPlus, el.curvesPercent]) ro.observe(c);
}

// ---------------------------------------------------------------------------------------------
// Settings: syntax checked here, ranges checked by the core (wasm.sweepJobs); refused, never clamped.

function markInvalid(input, bad) {
  if (bad) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

function readSettings() {
  const errors = [];
  const input = (group) => group.querySelector("input");
  const whole = (group, name) => {
    const text = input(group).value.trim();
    const bad = !/^\d+$/.test(text) || !Number.isSafeInteger(Number(text));
    markInvalid(input(group), bad);
    if (bad) errors.push(`${name} "${text}" must be a whole number.`);
    return Number(text);
  };
  const seeds = whole(state.el.seeds, "Seeds");
  const steps = whole(state.el.steps, "Steps");
  const lrText = input(state.el.lr).value.trim();
  const lr = Number(lrText);
  const lrBad = lrText === "" || !Number.isFinite(lr);
  markInvalid(input(state.el.lr), lrBad);
  if (lrBad) errors.push(`Learning rate "${lrText}" is not a number.`);
  const widths = state.el.widths.filter((b) => b.checked).map((b) => Number(b.value));
  return { errors, cfg: { widths, seeds, steps, lr } };
}

// ---------------------------------------------------------------------------------------------
// Running the sweep in workers

function glueUrls() {
  // The single-file build (scripts/build-single.mjs) has no files to point at: its loader lends
  // the glue's blob URL and, as wasmUrl, the compiled WebAssembly.Module.
  if (window.reluBundle) return window.reluBundle.glue;
  const js = document.querySelector('link[rel="modulepreload"][href*="relu-obstruction"]');
  const wasm = document.querySelector('link[rel="preload"][href$="_bg.wasm"]');
  if (!js || !wasm) return null;
  return { jsUrl: new URL(js.getAttribute("href"), document.baseURI).href, wasmUrl: new URL(wasm.getAttribute("href"), document.baseURI).href };
}

/** A sweep worker: fig4-worker.js, or in the single-file build the classic worker its loader makes. */
function newSweepWorker() {
  if (window.reluBundle) return window.reluBundle.worker("fig4-worker.js");
  return new Worker(new URL("./fig4-worker.js", import.meta.url), { type: "module" });
}

const seconds = (ms) => (ms < 10000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000).toString()) + " s";

function startSweep() {
  if (state.run) return;
  const { errors, cfg } = readSettings();
  if (errors.length) {
    showMessage(`${errors.join(" ")} Nothing was started.`);
    return;
  }
  let jobs;
  try {
    jobs = state.wasm.sweepJobs(cfg);
  } catch (err) {
    if (state.shell.isWasmCrash(err)) {
      state.shell.showFatal(err.message);
      return;
    }
    const msg = String(err.message || err);
    if (/seed/i.test(msg)) markInvalid(state.el.seeds.querySelector("input"), true);
    if (/step/i.test(msg)) markInvalid(state.el.steps.querySelector("input"), true);
    if (/learning rate|lr/i.test(msg)) markInvalid(state.el.lr.querySelector("input"), true);
    showMessage(`${msg[0].toUpperCase()}${msg.slice(1)}. Nothing was started.`);
    return;
  }
  const urls = glueUrls();
  if (!urls) {
    showMessage("Cannot find the page's WebAssembly module to hand to the workers.");
    return;
  }
  showMessage("");
  // Heaviest jobs first (their cost grows with the width l), so the workers finish together.
  const order = jobs.map((_, i) => i).sort((a, b) => jobs[b].l - jobs[a].l || a - b);
  const weight = (job) => job.l + 1;
  const run = {
    id: ++state.runId,
    cfg,
    jobs,
    order,
    next: 0,
    done: 0,
    results: new Array(jobs.length),
    totalWeight: jobs.reduce((s, j) => s + weight(j), 0),
    doneWeight: 0,
    weight,
    workers: [],
    t0: performance.now(),
    timer: 0,
  };
  state.run = run;
  const n = Math.max(1, Math.min(navigator.hardwareConcurrency || 1, jobs.length));
  for (let i = 0; i < n; i++) {
    const worker = newSweepWorker();
    worker.onmessage = (e) => onWorkerMessage(run, worker, e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      failSweep(run, `a sweep worker failed: ${e.message || "could not start"}`);
    };
    worker.postMessage({ type: "init", jsUrl: urls.jsUrl, wasmUrl: urls.wasmUrl, steps: cfg.steps, lr: cfg.lr });
    run.workers.push(worker);
  }
  state.el.progress.max = jobs.length;
  state.el.progress.value = 0;
  state.el.runButton.disabled = true;
  state.el.cancelButton.disabled = false;
  state.el.root.dataset.state = "running";
  run.timer = setInterval(() => updateProgress(run), 250);
  updateProgress(run);
}

function hand(run, worker) {
  if (run.next >= run.order.length) {
    worker.terminate();
    return;
  }
  const index = run.order[run.next++];
  worker.postMessage({ type: "job", index, job: run.jobs[index] });
}

function onWorkerMessage(run, worker, msg) {
  if (state.run !== run) return; // a cancelled or failed run
  if (msg.type === "ready") {
    hand(run, worker);
  } else if (msg.type === "result") {
    run.results[msg.index] = msg.result;
    run.done++;
    run.doneWeight += run.weight(run.jobs[msg.index]);
    if (run.done === run.jobs.length) finishSweep(run);
    else {
      hand(run, worker);
      updateProgress(run);
    }
  } else if (msg.type === "error") {
    if (msg.crash) {
      stopRun(run);
      state.shell.showFatal(`a sweep worker crashed: ${msg.message}`);
      return;
    }
    failSweep(run, msg.message);
  }
}

function updateProgress(run) {
  if (state.run !== run) return;
  const elapsed = performance.now() - run.t0;
  state.el.progress.value = run.done;
  let text = `${run.done} / ${run.jobs.length} runs · ${run.workers.length} worker${run.workers.length > 1 ? "s" : ""} · elapsed ${seconds(elapsed)}`;
  if (run.done > 0) {
    const left = (elapsed * (run.totalWeight - run.doneWeight)) / run.doneWeight;
    text += ` · about ${seconds(left)} left`;
  } else text += " · estimating the time left…";
  state.el.progressText.textContent = text;
}

function stopRun(run) {
  for (const w of run.workers) w.terminate();
  clearInterval(run.timer);
  if (state.run === run) state.run = null;
  state.el.runButton.disabled = false;
  state.el.cancelButton.disabled = true;
}

function cancelSweep() {
  const run = state.run;
  if (!run) return;
  stopRun(run);
  state.el.root.dataset.state = "cancelled";
  state.el.progressText.textContent =
    `Cancelled after ${run.done} / ${run.jobs.length} runs (${seconds(performance.now() - run.t0)}); their results were discarded. ` +
    (state.result ? "The previous sweep is still shown." : "");
  state.el.runButton.focus();
}

function failSweep(run, message) {
  if (state.run !== run) return;
  stopRun(run);
  state.el.root.dataset.state = "error";
  state.el.progressText.textContent = `The sweep stopped after ${run.done} / ${run.jobs.length} runs.`;
  showMessage(`The sweep failed: ${message}`);
}

function finishSweep(run) {
  const ms = performance.now() - run.t0;
  stopRun(run);
  let handle;
  try {
    handle = state.wasm.aggregateSweep(run.results);
  } catch (err) {
    if (state.shell.isWasmCrash(err)) state.shell.showFatal(err.message);
    else showMessage(String(err.message || err));
    return;
  }
  if (state.result) state.result.handle.free();
  state.result = { handle, rows: handle.rows(), cfg: run.cfg, seconds: ms / 1000 };
  state.highlight = null;
  state.el.progress.value = run.jobs.length;
  const diverged = run.results.filter((r) => r.diverged).length;
  state.el.progressText.textContent =
    `Done: ${run.jobs.length} runs in ${seconds(ms)}.` + (diverged ? ` ${diverged} diverged (scored at their last finite state).` : "");
  state.el.root.dataset.state = "done";
  showResult();
}

// ---------------------------------------------------------------------------------------------
// Showing a finished sweep

const fmt = (x) => (Number.isFinite(x) ? x.toFixed(4) : String(x));

function showResult() {
  const r = state.result;
  const el = state.el;
  if (!r) return;
  el.results.hidden = false;
  const c = r.cfg;
  el.info.textContent =
    `Showing the sweep over l = ${c.widths.join(", ")} with ${c.seeds} seed${c.seeds > 1 ? "s" : ""} (0…${c.seeds - 1}), ` +
    `${c.steps} GD steps, η = ${c.lr}; it took ${r.seconds.toFixed(1)} s. Error bars: ± one standard deviation over seeds.`;
  el.info.dataset.seconds = String(r.seconds);
  el.info.dataset.config = JSON.stringify(c);
  const rows = r.rows.map((row) => {
    const tr = make("tr", { data: { l: String(row.l), lPlus: String(row.l_plus) } });
    const cells = [
      ["l", String(row.l), row.l],
      ["l_plus", String(row.l_plus), row.l_plus],
      ["percentage", `${Math.round((100 * row.l_plus) / row.l)} %`, (100 * row.l_plus) / row.l],
      ["mean_test_bce", fmt(row.mean_test_bce), row.mean_test_bce],
      ["std_test_bce", fmt(row.std_test_bce), row.std_test_bce],
      ["runs", String(row.runs), row.runs],
      ["diverged_runs", String(row.diverged_runs), row.diverged_runs],
    ];
    for (const [key, text, value] of cells) tr.append(make("td", { text, data: { key, value: String(value) } }));
    return tr;
  });
  el.tbody.replaceChildren(...rows);
  scheduleRedraw();
}

function scheduleRedraw() {
  if (state.redrawRaf || !state.visible || !state.result) return;
  state.redrawRaf = requestAnimationFrame(() => {
    state.redrawRaf = 0;
    draw();
  });
}

function draw() {
  const r = state.result;
  if (!r || !state.visible) return;
  const el = state.el;
  const h = state.highlight;
  for (const c of [el.heatmap, el.curvesLPlus, el.curvesPercent]) state.shell.sizeCanvas(c);
  guarded(() => {
    r.layout = r.handle.drawHeatmap(el.heatmap, h ? h.col : -1, h ? h.row : -1);
    r.handle.drawCurves(el.curvesLPlus, "l_plus");
    r.handle.drawCurves(el.curvesPercent, "percentage");
  });
}

function describeCell(cell) {
  if (!cell) return;
  state.highlight = { col: cell.col, row: cell.row };
  const d = cell.data;
  state.el.cell.textContent = d
    ? `l = ${d.l}, l+ = ${d.l_plus} (${Math.round((100 * d.l_plus) / d.l)} %): test BCE ${fmt(d.mean_test_bce)} ± ${fmt(d.std_test_bce)} over ${d.runs} seed${d.runs > 1 ? "s" : ""}` +
      (d.diverged_runs ? `, ${d.diverged_runs} diverged` : "")
    : `l = ${cell.l}, l+ = ${cell.l_plus}: no such network (l+ cannot exceed l).`;
  state.el.cell.dataset.l = String(cell.l);
  state.el.cell.dataset.lPlus = String(cell.l_plus);
  draw();
}

function selectCellAt(x, y) {
  const r = state.result;
  if (!r) return;
  const cell = guarded(() => r.handle.cellAt(x, y));
  if (!cell) return;
  const h = state.highlight;
  if (h && h.col === cell.col && h.row === cell.row) return;
  describeCell(cell);
}

function onHeatmapKey(e) {
  const r = state.result;
  const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[e.key];
  if (!d || !r || !r.layout) return;
  e.preventDefault();
  const L = r.layout;
  const h = state.highlight || { col: 0, row: 0 };
  const col = Math.min(L.cols - 1, Math.max(0, h.col + (state.highlight ? d[0] : 0)));
  const row = Math.min(L.rows - 1, Math.max(0, h.row + (state.highlight ? d[1] : 0)));
  // The centre of that cell in canvas pixels (row 0 is the bottom row).
  const x = L.left + ((col + 0.5) * L.width) / L.cols;
  const y = L.top + ((L.rows - row - 0.5) * L.height) / L.rows;
  describeCell(guarded(() => r.handle.cellAt(x, y)));
}

// ---------------------------------------------------------------------------------------------
// Export (www/export.js): the heatmap and both curve charts as PNG and SVG, the results table as
// CSV and JSON with the sweep's settings.

function addExports() {
  const el = state.el;
  const onError = (err) => {
    if (!state.shell.isWasmCrash(err)) return false;
    state.shell.showFatal(err.message);
    return true;
  };
  const result = () => {
    if (!state.result) throw new Error("no finished sweep yet");
    return state.result;
  };
  const items = [
    ...chartItems("heatmap", "Heatmap", "fig4-heatmap", () => el.heatmap, (w, h) => {
      const hl = state.highlight;
      return result().handle.heatmapSvg(w, h, hl ? hl.col : -1, hl ? hl.row : -1);
    }),
    ...chartItems("curves against l+", "Curves (l+)", "fig4-curves-lplus", () => el.curvesLPlus, (w, h) => result().handle.curvesSvg("l_plus", w, h)),
    ...chartItems("curves against l+/l", "Curves (l+/l)", "fig4-curves-percentage", () => el.curvesPercent, (w, h) =>
      result().handle.curvesSvg("percentage", w, h),
    ),
    dataItem("Results CSV", "Save the results table with the sweep's settings as CSV", "fig4-sweep.csv", () => result().handle.exportCsv(result().cfg)),
    dataItem("Results JSON", "Save the results table with the sweep's settings as JSON", "fig4-sweep.json", () => result().handle.exportJson(result().cfg)),
  ];
  el.charts.after(exportBar("Save:", items, { onError, idPrefix: "fig4-export" }));
}

// ---------------------------------------------------------------------------------------------
// The view protocol

// ---------------------------------------------------------------------------------------------
// Links (keys and limits: src/link.rs)

/** The settings in the form, each field falling back to its default while it holds no valid value. */
function formSettings() {
  const L = state.limits;
  const read = (group, ok, fallback) => {
    const text = group.querySelector("input").value.trim();
    const x = Number(text);
    return text !== "" && ok(x) ? x : fallback;
  };
  const whole = (max) => (x) => Number.isInteger(x) && x >= 1 && x <= max;
  return {
    widths: state.el.widths.filter((b) => b.checked).map((b) => Number(b.value)),
    seeds: read(state.el.seeds, whole(L.maxSeeds), L.defaultSeeds),
    steps: read(state.el.steps, whole(L.maxSteps), L.defaultSteps),
    lr: read(state.el.lr, (x) => Number.isFinite(x) && x > 0 && x <= 1000, L.defaultLr),
  };
}

const sameCfg = (a, b) =>
  a.seeds === b.seeds && a.steps === b.steps && a.lr === b.lr && a.widths.join(",") === b.widths.join(",");

function getState() {
  if (!state.el.widths) return null;
  const cfg = formSettings();
  const ran = Boolean((state.run && sameCfg(state.run.cfg, cfg)) || (state.result && sameCfg(state.result.cfg, cfg)));
  return { w: cfg.widths, seeds: cfg.seeds, steps: cfg.steps, lr: cfg.lr, ran };
}

/** Restores a state from a link; `ran` reruns the (seeded) sweep unless this one is already shown. */
function setState(v) {
  if (!state.el.widths) return;
  for (const box of state.el.widths) box.checked = v.w.includes(Number(box.value));
  const input = (group) => group.querySelector("input");
  input(state.el.seeds).value = String(v.seeds);
  input(state.el.steps).value = String(v.steps);
  input(state.el.lr).value = String(v.lr);
  for (const g of [state.el.seeds, state.el.steps, state.el.lr]) markInvalid(input(g), false);
  if (!v.ran) return;
  const cfg = formSettings();
  if ((state.result && sameCfg(state.result.cfg, cfg)) || (state.run && sameCfg(state.run.cfg, cfg))) return;
  if (state.run) cancelSweep();
  startSweep();
}

window.reluViews = window.reluViews || {};
window.reluViews.fig4 = {
  getState,
  setState,
  init(wasm, shell) {
    state.wasm = wasm;
    state.shell = shell;
    const root = document.getElementById("fig4-root");
    state.el.root = root;
    try {
      state.limits = wasm.sweepLimits();
    } catch (err) {
      if (shell.isWasmCrash(err)) shell.showFatal(err.message);
      state.limits = { widths: WIDTHS_FALLBACK, maxSeeds: 20, maxSteps: 5000, defaultSeeds: 3, defaultSteps: 500, defaultLr: 0.1 };
    }
    build(root);
    // For the end-to-end tests and the benchmark.
    window.reluFig4 = { state, startSweep, cancelSweep };
  },
  show() {
    state.visible = true;
    scheduleRedraw();
  },
  hide() {
    state.visible = false;
  },
};
