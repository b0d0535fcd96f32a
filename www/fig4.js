// The Fig. 4 view: the breast cancer sweep over widths l and numbers l+ of non-pathological
// neurons. Its state lives in Rust behind a Fig4View handle (settings, the jobs and their order,
// progress and time left, the finished sweep, every text shown); this module builds the controls
// from the handle's schema, forwards what is typed, runs the jobs in Web Workers (each loads the
// page's own wasm and glue and calls runSweepJob), passes the clock readings in, and prints what
// the handle wrote. A finished sweep is kept for the rest of the visit.

import { el as make } from "./dom.js";
import { exportBar, chartItems, dataItem } from "./export.js";
import { buildControl, markRejected, showValues, submit } from "./controls.js";
import { wholeCore } from "./cores.js";
import { breastCancer } from "./data.js";

// The three charts: canvas id → the part the handle draws.
const PARTS = { "fig4-heatmap": "heatmap", "fig4-curves-lplus": "curves-lplus", "fig4-curves-percent": "curves-percentage" };

const state = {
  wasm: null,
  shell: null,
  handle: null,
  texts: null,
  el: {},
  inputs: {}, // key → input (the widths' fieldset for `w`)
  refusals: {}, // key → the refusal shown for it
  visible: false,
  run: null, // the sweep in progress: { workers, timer }
  redrawRaf: 0,
};

// ---------------------------------------------------------------------------------------------
// Messages

function showMessage(text) {
  state.el.message.textContent = text;
  state.el.message.hidden = !text;
}

/** Shows (or clears, with "") the refusal of control `key`, next to the others still standing. */
function refusal(key, text) {
  state.refusals[key] = text;
  showMessage(Object.values(state.refusals).filter(Boolean).join(" "));
}

function clearRefusals() {
  state.refusals = {};
  showMessage("");
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

/** The control of schema entry `c`; the widths keep their ids fig4-w1, fig4-w2, … */
function control(c) {
  const { group, input } = buildControl(c, `fig4-${c.key}`);
  if (c.kind === "set") {
    input.classList.add("fig4-widths");
    for (const box of input.querySelectorAll("input[type=checkbox]")) {
      const label = input.querySelector(`label[for="${box.id}"]`);
      box.id = `fig4-${c.key}${box.value}`;
      if (label) label.htmlFor = box.id;
    }
  }
  return { group, input };
}

function build(root) {
  const el = state.el;
  const T = state.texts;
  root.append(make("div", { class: "view-head" }, [make("h2", { class: "view-title", text: T.title })]));

  const groups = [];
  for (const c of state.handle.schema()) {
    if (c.kind === "toggle") continue; // `ran` is no control: it says whether the sweep is shown
    const { group, input } = control(c);
    state.inputs[c.key] = input;
    groups.push(group);
  }
  el.runButton = make("button", { id: "fig4-run", type: "submit", text: T.run });
  el.cancelButton = make("button", { id: "fig4-cancel", type: "button", text: T.cancel, disabled: true });
  const form = make("form", { class: "controls-bar fig4-controls", "aria-label": "Sweep settings" }, [
    ...groups,
    make("div", { class: "group buttons" }, [el.runButton, el.cancelButton]),
  ]);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    startSweep();
  });
  el.cancelButton.addEventListener("click", cancelSweep);
  for (const input of Object.values(state.inputs)) {
    input.addEventListener("change", () => {
      const result = guarded(() => submitInput(input));
      if (result && result.ok && result.change.changed) state.shell.changed(true);
    });
  }

  el.message = make("p", { id: "fig4-message", class: "banner", role: "status", hidden: true });
  el.progress = make("progress", { id: "fig4-progress", max: 1, value: 0 });
  el.progressText = make("span", { id: "fig4-progress-text" });
  const progress = make("div", { class: "fig4-progress card" }, [
    make("label", { for: "fig4-progress", text: T.progress }),
    el.progress,
    el.progressText,
  ]);
  progress.setAttribute("aria-live", "polite");

  el.info = make("p", { id: "fig4-result-info", class: "fineprint" });
  el.heatmap = make("canvas", { id: "fig4-heatmap", class: "fig4-heatmap", tabindex: "0", role: "img", "aria-label": T.heatmapLabel });
  el.curvesLPlus = make("canvas", { id: "fig4-curves-lplus", class: "fig4-curves", role: "img", "aria-label": T.curvesLplusLabel });
  el.curvesPercent = make("canvas", { id: "fig4-curves-percent", class: "fig4-curves", role: "img", "aria-label": T.curvesPercentageLabel });
  el.cell = make("p", { id: "fig4-cell", class: "fig4-cell" });
  el.charts = make("div", { class: "fig4-charts" }, [
    make("div", { class: "card fig4-heatmap-card" }, [el.heatmap, el.cell]),
    make("div", { class: "card" }, [el.curvesLPlus]),
    make("div", { class: "card" }, [el.curvesPercent]),
  ]);
  el.tbody = make("tbody");
  const head = make("tr", {}, T.columns.map((t) => make("th", { scope: "col", text: t })));
  el.table = make("table", { id: "fig4-table", class: "fig4-table" }, [make("caption", { text: T.caption }), make("thead", {}, [head]), el.tbody]);
  el.results = make("div", { id: "fig4-results", hidden: true }, [
    el.info,
    el.charts,
    make("details", { class: "fig4-details" }, [make("summary", { text: T.tableSummary }), el.table]),
  ]);

  // Before a sweep, where the figure will be: how to start one (also when presenting).
  el.emptyRun = make("button", { id: "fig4-run-empty", type: "button", text: T.run });
  el.emptyRun.addEventListener("click", () => startSweep());
  el.empty = make("div", { id: "fig4-empty", class: "card fig4-empty" }, [
    make("p", {
      text:
        "No sweep yet. Press Run sweep to train the networks of the paper's Fig. 4 here in your browser; " +
        "the heatmap of their test loss and its two curve charts appear in this place.",
    }),
    el.emptyRun,
  ]);
  root.append(form, el.message, progress, el.empty, el.results, make("div", { class: "explain" }, [make("p", { class: "view-intro", text: T.intro })]));
  addExports();

  const pointAt = (e) => {
    // Client pixels → canvas pixels (the canvas is sized for devicePixelRatio).
    const rect = el.heatmap.getBoundingClientRect();
    const x = ((e.clientX - rect.left) * el.heatmap.width) / rect.width;
    const y = ((e.clientY - rect.top) * el.heatmap.height) / rect.height;
    if (guarded(() => state.handle.pointAt(x, y))) selectionChanged();
  };
  el.heatmap.addEventListener("pointermove", pointAt);
  el.heatmap.addEventListener("pointerdown", pointAt); // a tap (touch) selects a cell too
  el.heatmap.addEventListener("keydown", (e) => {
    if (!guarded(() => state.handle.key(e.key))) return;
    e.preventDefault();
    selectionChanged();
  });
  state.shell.watchCanvasSize([el.heatmap, el.curvesLPlus, el.curvesPercent], scheduleRedraw);
  render(true);
}

/** Sends the text of `input` to the handle; a refusal marks it and is shown. */
function submitInput(input) {
  return submit(state.handle, input, (text) => refusal(input.dataset.key, text));
}

// ---------------------------------------------------------------------------------------------
// Printing what the handle says

function showProgress() {
  const p = state.handle.progress(performance.now());
  state.el.progress.max = p.max;
  state.el.progress.value = p.value;
  state.el.progressText.textContent = p.text;
}

function showCell(cell) {
  const node = state.el.cell;
  node.textContent = cell.text;
  if (cell.l === null) {
    delete node.dataset.l;
    delete node.dataset.lPlus;
  } else {
    node.dataset.l = cell.l;
    node.dataset.lPlus = cell.l_plus;
  }
}

function showTable(table) {
  state.el.tbody.replaceChildren(
    ...table.map((row) =>
      make(
        "tr",
        { data: { l: row.l, lPlus: row.l_plus } },
        row.cells.map((f) => make("td", { text: f.text, data: { key: f.key, value: f.value } })),
      ),
    ),
  );
}

/** Prints the readout; `all` also rebuilds the table and the sentence about the sweep shown. */
function render(all) {
  const r = state.handle.readout();
  const el = state.el;
  showProgress();
  if (all) {
    el.results.hidden = !r.has_result;
    el.empty.hidden = r.has_result;
    el.info.textContent = r.info ? r.info.text : "";
    if (r.info) el.info.dataset.seconds = r.info.seconds;
    showTable(r.table);
    scheduleRedraw();
  }
  showCell(r.cell);
  // Last: the tests wait for the state, then read what is shown.
  el.root.dataset.state = r.state;
}

function selectionChanged() {
  showCell(state.handle.readout().cell);
  draw();
}

function scheduleRedraw() {
  if (state.redrawRaf || !state.visible) return;
  state.redrawRaf = requestAnimationFrame(() => {
    state.redrawRaf = 0;
    draw();
  });
}

function draw() {
  if (!state.visible || state.el.results.hidden) return;
  guarded(() => {
    const parts = Object.entries(PARTS).map(([id, part]) => [document.getElementById(id), part]);
    state.shell.sizeCanvas(...parts.map(([canvas]) => canvas));
    for (const [canvas, part] of parts) state.handle.draw(canvas, part);
  });
}

// ---------------------------------------------------------------------------------------------
// Running the sweep in workers

/** A sweep worker: fig4-worker.js, or in the single-file build the classic worker its loader makes. */
function newSweepWorker() {
  if (window.reluBundle) return window.reluBundle.worker("fig4-worker.js");
  return new Worker(new URL("./fig4-worker.js", import.meta.url), { type: "module" });
}

function startSweep() {
  if (state.run) return;
  // What stands in every field is what runs: a refused field starts nothing.
  let refused = false;
  let changed = false;
  for (const input of Object.values(state.inputs)) {
    const result = guarded(() => submitInput(input));
    if (!result || !result.ok) refused = true;
    else if (result.change.changed) changed = true;
  }
  if (refused) return;
  const started = guarded(() => state.handle.start(navigator.hardwareConcurrency || 0, performance.now()));
  if (!started) return;
  if (!started.ok) {
    const input = state.inputs[started.rejection.key];
    if (input) markRejected(input, started.rejection);
    refusal(started.rejection.key, started.rejection.message);
    if (changed) state.shell.changed(true);
    return;
  }
  const plan = started.plan;
  if (!plan) return; // a sweep is already running
  clearRefusals();
  const run = { workers: [], timer: 0 };
  state.run = run;
  state.el.runButton.disabled = true;
  state.el.emptyRun.disabled = true;
  state.el.cancelButton.disabled = false;
  render(false);
  state.shell.changed(true);
  // The whole module, which this view runs on (cores.js): each worker gets its glue's URL and the
  // module compiled once, which it only instantiates (sooner than fetching and compiling its own).
  const core = wholeCore();
  core.catch(() => failSweep(run, "no_module", ""));
  // The workers' data: fetched once (data.js); a failure stops the run with its reason.
  const data = breastCancer(state.wasm);
  data.catch((err) => {
    if (state.shell.isWasmCrash(err)) failSweep(run, "crash", err.message);
    else failSweep(run, "data", String(err.message || err));
  });
  for (let i = 0; i < plan.workers; i++) {
    const worker = newSweepWorker();
    worker.onmessage = (e) => onWorkerMessage(run, worker, e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      failSweep(run, "start", e.message || "");
    };
    run.workers.push(worker);
    Promise.all([core, data]).then(
      ([{ jsUrl, module }, csv]) => {
        if (state.run === run) worker.postMessage({ type: "init", jsUrl, wasmUrl: module, csv, steps: plan.steps, lr: plan.lr });
      },
      () => {}, // reported above, once
    );
  }
  run.timer = setInterval(() => state.run === run && guarded(showProgress), 250);
}

function hand(run, worker) {
  const next = guarded(() => state.handle.nextJob());
  if (!next) {
    worker.terminate();
    return;
  }
  worker.postMessage({ type: "job", index: next.index, job: next.job });
}

function onWorkerMessage(run, worker, msg) {
  if (state.run !== run) return; // a cancelled or failed run
  if (msg.type === "ready") {
    hand(run, worker);
  } else if (msg.type === "result") {
    let finished;
    try {
      finished = state.handle.jobDone(msg.index, msg.result, performance.now());
    } catch (err) {
      if (state.shell.isWasmCrash(err)) state.shell.showFatal(err.message);
      else failSweep(run, "job", String((err && err.message) || err));
      return;
    }
    // The bar and the status line follow on the run's timer: redrawing them after every job would
    // take the main thread's time (layout and paint) from the workers on a machine of few cores.
    if (finished) finishSweep(run);
    else hand(run, worker);
  } else if (msg.type === "error") {
    failSweep(run, msg.crash ? "crash" : "job", msg.message);
  }
}

function stopRun(run) {
  for (const w of run.workers) w.terminate();
  clearInterval(run.timer);
  if (state.run === run) state.run = null;
  state.el.runButton.disabled = false;
  state.el.emptyRun.disabled = false;
  state.el.cancelButton.disabled = true;
}

function cancelSweep() {
  const run = state.run;
  if (!run) return;
  stopRun(run);
  guarded(() => {
    state.handle.cancel(performance.now());
    render(false);
  });
  state.shell.changed(true);
  state.el.runButton.focus();
}

function failSweep(run, kind, detail) {
  if (state.run !== run) return;
  stopRun(run);
  const message = guarded(() => state.handle.fail(kind, detail));
  if (kind === "crash") state.shell.showFatal(message);
  else showMessage(message);
  guarded(() => render(false));
  state.shell.changed(true);
}

function finishSweep(run) {
  stopRun(run);
  guarded(() => render(true));
}

// ---------------------------------------------------------------------------------------------
// Export (www/export.js): the heatmap and both curve charts as PNG and SVG, the results table as
// CSV and JSON with the sweep's settings (file names and texts from the handle).

function addExports() {
  const el = state.el;
  const T = state.texts;
  const h = () => state.handle;
  const onError = (err) => {
    if (!state.shell.isWasmCrash(err)) return false;
    state.shell.showFatal(err.message);
    return true;
  };
  const items = [
    ...chartItems("heatmap", "Heatmap", T.heatmapFile, () => el.heatmap, (w, ht) => h().svg("heatmap", w, ht)),
    ...chartItems("curves against l+", "Curves (l+)", T.curvesLplusFile, () => el.curvesLPlus, (w, ht) => h().svg("curves-lplus", w, ht)),
    ...chartItems("curves against l+/l", "Curves (l+/l)", T.curvesPercentageFile, () => el.curvesPercent, (w, ht) => h().svg("curves-percentage", w, ht)),
    dataItem("Results CSV", "Save the results table with the sweep's settings as CSV", T.csvFile, () => h().csv()),
    dataItem("Results JSON", "Save the results table with the sweep's settings as JSON", T.jsonFile, () => h().json()),
  ];
  el.charts.after(exportBar("Save:", items, { onError, idPrefix: "fig4-export" }));
}

// ---------------------------------------------------------------------------------------------
// The view protocol

window.reluViews = window.reluViews || {};
window.reluViews.fig4 = {
  /** The handle (for the tests). */
  handle: () => state.handle,
  init(wasm, shell) {
    state.wasm = wasm;
    state.shell = shell;
    state.el.root = document.getElementById("fig4-root");
    state.handle = new wasm.Fig4View();
    state.texts = state.handle.texts();
    build(state.el.root);
    // The sweep's data start loading with the view, so that Run does not wait for them; a failure
    // here is reported when a sweep asks again (startSweep).
    breastCancer(wasm).catch(() => {});
    // For the end-to-end tests and the benchmark.
    window.reluFig4 = {
      handle: () => state.handle,
      startSweep,
      cancelSweep,
      layout: () => state.handle.layout(),
      rows: () => state.handle.sweepRows(),
    };
  },
  show() {
    state.visible = true;
    scheduleRedraw();
  },
  hide() {
    state.visible = false;
  },
  linkState() {
    return state.handle ? state.handle.linkState() : null;
  },
  /** Applies a link to the handle; reruns the (seeded) sweep it names unless it is shown. */
  applyLink(fragment) {
    const rejections = state.handle.applyLink(fragment);
    showValues(state.inputs, state.handle.schema());
    clearRefusals();
    if (state.handle.wantsRun()) {
      if (state.run) cancelSweep();
      startSweep();
    }
    return rejections;
  },
};
