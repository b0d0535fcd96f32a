// The thin shell of relu-obstruction: DOM wiring, canvas sizing, the animation loop and input
// checks. All maths and all drawing happen in the Rust core (window.wasmBindings, set by Trunk).

import { exportBar, chartItems, dataItem } from "./export.js";
import { installClassroom, prefersReducedMotion } from "./classroom.js";
import { initLinks } from "./links.js";

const $ = (id) => document.getElementById(id);
const ROWS = ["top", "bottom"];
const T_STAR = 500;
const PITCH_MIN = 0.05;
const PITCH_MAX = 1.3;

const state = {
  wasm: null,
  runs: { top: null, bottom: null },
  settings: null, // the last valid settings
  playing: false,
  raf: 0,
  redraw: new Set(),
  redrawRaf: 0,
  views: { top: { yaw: 0.6, pitch: 0.35 }, bottom: { yaw: 0.6, pitch: 0.35 } },
  fatal: false,
  readouts: { top: null, bottom: null },
  presentation: false, // classroom presentation mode (classroom.js)
  activeView: "fig3", // set from the link (links.js)
};

// ---------------------------------------------------------------------------------------------
// Messages

function showMessage(text) {
  const el = $("message");
  el.textContent = text;
  el.hidden = !text;
}

function showFatal(text) {
  if (state.fatal) return;
  state.fatal = true;
  pause();
  const el = $("fatal");
  el.textContent = `Internal error: ${text}. The page stopped to stay safe; reload it to start again.`;
  el.hidden = false;
  for (const id of ["play", "step", "reset", "random-seed"]) $(id).disabled = true;
}

function isWasmCrash(err) {
  return err instanceof WebAssembly.RuntimeError || (err && err.name === "RuntimeError");
}

addEventListener("error", (e) => showFatal(e.message || "unexpected error"));
addEventListener("unhandledrejection", (e) => showFatal(String(e.reason && e.reason.message ? e.reason.message : e.reason)));

// ---------------------------------------------------------------------------------------------
// Settings: read from the controls, refused (never clamped) when out of range.

function markInvalid(id, invalid) {
  const el = $(id);
  if (invalid) el.setAttribute("aria-invalid", "true");
  else el.removeAttribute("aria-invalid");
}

function readSettings() {
  const errors = [];
  const lrText = $("lr").value.trim();
  const lr = Number(lrText);
  const lrBad = lrText === "" || !Number.isFinite(lr);
  if (lrBad) errors.push(`Learning rate "${lrText}" is not a number.`);
  markInvalid("lr", lrBad);

  const seedText = $("seed").value.trim();
  const seed = Number(seedText);
  const seedBad = !/^\d+$/.test(seedText) || !Number.isSafeInteger(seed);
  if (seedBad) errors.push(`Seed "${seedText}" must be a whole number between 0 and ${Number.MAX_SAFE_INTEGER}.`);
  markInvalid("seed", seedBad);

  const speedText = $("speed").value.trim();
  const speed = Number(speedText);
  const speedBad = !/^\d+$/.test(speedText) || speed < 1 || speed > 1000;
  if (speedBad) errors.push(`Steps per frame "${speedText}" must be a whole number from 1 to 1000.`);
  markInvalid("speed", speedBad);

  return {
    errors,
    settings: {
      lr,
      seed,
      speed,
      integrator: $("integrator").value,
      presets: { top: $("preset-top").value, bottom: $("preset-bottom").value },
      logScale: $("log-scale").checked,
      stopAtTStar: $("stop-at").checked,
    },
  };
}

/** Builds both runs from `s`; returns an error message or "" (the old runs stay on error). */
function buildRuns(s) {
  const built = {};
  for (const row of ROWS) {
    try {
      built[row] = new state.wasm.Run({ preset: s.presets[row], seed: s.seed, lr: s.lr, integrator: s.integrator });
    } catch (err) {
      if (isWasmCrash(err)) throw err;
      for (const r of Object.values(built)) r.free();
      return String(err.message || err);
    }
  }
  for (const row of ROWS) {
    if (state.runs[row]) state.runs[row].free();
    state.runs[row] = built[row];
  }
  return "";
}

/** Applies the controls: rebuilds the runs when a run setting changed. */
function applySettings({ forceReset = false } = {}) {
  const { errors, settings } = readSettings();
  if (errors.length) {
    showMessage(`${errors.join(" ")} The previous value is still in use.`);
    return false;
  }
  const old = state.settings;
  const runChanged =
    !old ||
    forceReset ||
    old.lr !== settings.lr ||
    old.seed !== settings.seed ||
    old.integrator !== settings.integrator ||
    old.presets.top !== settings.presets.top ||
    old.presets.bottom !== settings.presets.bottom;
  if (runChanged) {
    const err = buildRuns(settings);
    if (err) {
      if (/learning rate/i.test(err)) markInvalid("lr", true);
      if (/seed/i.test(err)) markInvalid("seed", true);
      showMessage(`${err} The previous settings are still in use.`);
      return false;
    }
    pause();
  }
  state.settings = settings;
  showMessage("");
  updateRowTitles();
  scheduleRedraw(["top", "bottom", "loss"]);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Stepping and the animation loop (JavaScript owns requestAnimationFrame; Rust steps and draws).

function stepRuns(n) {
  let failed = false;
  for (const row of ROWS) {
    try {
      state.runs[row].step(n);
    } catch (err) {
      if (isWasmCrash(err)) {
        showFatal(err.message);
        return false;
      }
      showMessage(`${row === "top" ? "Top" : "Bottom"} run: ${err.message || err}`);
      failed = true;
    }
  }
  if (failed) pause();
  return !failed;
}

function currentStep() {
  return state.readouts.top ? state.readouts.top.step : 0;
}

function frame() {
  state.raf = 0;
  if (!state.playing || state.fatal) return;
  const s = state.settings;
  let n = s.speed;
  const step = currentStep();
  if (s.stopAtTStar && step < T_STAR) n = Math.min(n, T_STAR - step);
  const ok = stepRuns(n);
  drawAll();
  if (ok && s.stopAtTStar && step < T_STAR && currentStep() >= T_STAR) {
    pause();
    showMessage(`Paused at t* = ${T_STAR}, the length of the paper's runs. Press Play to continue.`);
  }
  if (state.playing) state.raf = requestAnimationFrame(frame);
}

function play() {
  if (state.fatal || state.playing) return;
  if (!applySettings()) return;
  if (state.readouts.top && (state.readouts.top.failure || state.readouts.bottom.failure)) {
    showMessage("This run diverged. Lower the learning rate, then press Reset.");
    return;
  }
  state.playing = true;
  $("play").textContent = "Pause";
  $("play").setAttribute("aria-pressed", "true");
  state.raf = requestAnimationFrame(frame);
}

function pause() {
  state.playing = false;
  if (state.raf) cancelAnimationFrame(state.raf);
  state.raf = 0;
  $("play").textContent = "Play";
  $("play").setAttribute("aria-pressed", "false");
}

function togglePlay() {
  if (state.playing) pause();
  else play();
}

function stepOnce() {
  if (state.fatal) return;
  pause();
  if (!applySettings()) return;
  stepRuns(1);
  drawAll();
}

function reset() {
  if (state.fatal) return;
  if (applySettings({ forceReset: true })) drawAll();
}

// ---------------------------------------------------------------------------------------------
// Drawing

function sizeCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const rect = canvas.getBoundingClientRect();
  const w = Math.max(1, Math.round(rect.width * dpr));
  const h = Math.max(1, Math.round(rect.height * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
}

function guarded(fn) {
  try {
    fn();
  } catch (err) {
    if (isWasmCrash(err)) showFatal(err.message);
    else showMessage(String(err.message || err));
  }
}

function drawRow(row) {
  const run = state.runs[row];
  const v = state.views[row];
  for (let k = 0; k < 2; k++) {
    const canvas = $(`q-${row}-${k}`);
    sizeCanvas(canvas);
    guarded(() => run.drawNeuron(canvas, k, v.yaw, v.pitch));
  }
}

function drawLoss() {
  const canvas = $("loss-chart");
  sizeCanvas(canvas);
  guarded(() => state.wasm.drawLossChart(canvas, state.runs.top, state.runs.bottom, state.settings.logScale));
}

function drawAll() {
  if (state.fatal) return;
  updateReadouts();
  drawRow("top");
  drawRow("bottom");
  drawLoss();
}

/** Coalesces redraw requests (resize, drag, control changes) into one animation frame. */
function scheduleRedraw(parts) {
  for (const p of parts) state.redraw.add(p);
  if (state.redrawRaf || state.playing) return;
  state.redrawRaf = requestAnimationFrame(() => {
    state.redrawRaf = 0;
    if (state.fatal) return;
    const parts = new Set(state.redraw);
    state.redraw.clear();
    updateReadouts();
    for (const row of ROWS) if (parts.has(row)) drawRow(row);
    if (parts.has("loss")) drawLoss();
  });
}

// ---------------------------------------------------------------------------------------------
// Readouts (built with the DOM API; numbers only, never HTML strings)

const fmtLoss = (x) => (Number.isFinite(x) ? (Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(3) : x.toPrecision(4)) : String(x));
const fmtSigned = (x, d) => (x < 0 ? "−" : "+") + Math.abs(x).toFixed(d);
const fmtDrift = (x) => (x === 0 ? "0" : (x < 0 ? "−" : "+") + Math.abs(x).toExponential(1));
const fmtLabel = (l) => (l.length ? `(${l.map((s) => (s > 0 ? "+" : "−")).join(",")})` : "— (no pathological neuron)");

function setField(dl, key, label, value, raw) {
  let dd = dl.querySelector(`dd[data-key="${key}"]`);
  if (!dd) {
    const div = document.createElement("div");
    const dt = document.createElement("dt");
    dt.textContent = label;
    dd = document.createElement("dd");
    dd.dataset.key = key;
    dd.id = `${dl.id.replace("readout-", "")}-${key}`;
    div.append(dt, dd);
    dl.append(div);
  }
  dd.textContent = value;
  dd.dataset.value = String(raw);
}

function updateReadouts() {
  for (const row of ROWS) {
    let r;
    try {
      r = state.runs[row].readout();
    } catch (err) {
      if (isWasmCrash(err)) showFatal(err.message);
      return;
    }
    state.readouts[row] = r;
    const dl = $(`readout-${row}`);
    setField(dl, "step", "step", String(r.step), r.step);
    setField(dl, "loss", "loss L(θ)", fmtLoss(r.loss), r.loss);
    r.c.forEach((c, k) => {
      setField(dl, `c${k + 1}`, `c${"₁₂₃₄"[k] || k + 1} (drift)`, `${fmtSigned(c, 4)} (${fmtDrift(r.c_drift[k])})`, c);
    });
    setField(dl, "label", "component label", fmtLabel(r.component_label), JSON.stringify(r.component_label));
    setField(dl, "components", "components (effective)", `${r.components} (${r.effective_components})`, r.components);
    setField(dl, "jumps", "sheet jumps", String(r.sheet_jumps), r.sheet_jumps);
    const v = $(`verdict-${row}`);
    if (r.verdict) {
      v.textContent = r.verdict.reason;
      v.className = `verdict ${r.verdict.obstructed ? "obstructed" : "ok"}`;
      v.dataset.obstructed = String(r.verdict.obstructed);
    }
    if (r.sheet_jumps > 0) {
      v.textContent += ` A discrete step jumped between sheets ${r.sheet_jumps} time(s): an artefact of the step size, impossible for the gradient flow.`;
    }
  }
}

function updateRowTitles() {
  for (const row of ROWS) {
    const sel = $(`preset-${row}`);
    const name = sel.options[sel.selectedIndex].text;
    $(`row-${row}-title`).textContent = `${row === "top" ? "Top" : "Bottom"} run: ${name}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Rotation: drag (mouse, pen or touch) or arrow keys on a focused 3-D plot; a row turns together.

function rotate(row, dyaw, dpitch) {
  const v = state.views[row];
  v.yaw = wrapYaw(v.yaw + dyaw);
  v.pitch = Math.min(PITCH_MAX, Math.max(PITCH_MIN, v.pitch + dpitch));
  scheduleRedraw([row]);
  if (state.playing) drawRow(row);
}

/** Turns a 3-D plot: pointer drags (mouse, pen, touch) and arrow keys on the focused canvas call
 * `rotate(dxPixels, dyPixels)` (arrow keys: ±10 pixels). Shared with the other views through `shell`. */
function wireRotation(canvas, rotate) {
  let last = null;
  canvas.addEventListener("pointerdown", (e) => {
    if (last && last.id !== e.pointerId) return; // a second finger: the first one turns the plot
    last = { x: e.clientX, y: e.clientY, id: e.pointerId };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!last || last.id !== e.pointerId) return;
    const dx = e.clientX - last.x;
    const dy = e.clientY - last.y;
    last = { x: e.clientX, y: e.clientY, id: e.pointerId };
    rotate(dx, dy);
  });
  const end = (e) => {
    if (last && last.id === e.pointerId) last = null;
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  canvas.addEventListener("keydown", (e) => {
    const d = { ArrowLeft: [-10, 0], ArrowRight: [10, 0], ArrowUp: [0, -10], ArrowDown: [0, 10] }[e.key];
    if (!d) return;
    e.preventDefault();
    e.stopPropagation();
    rotate(d[0], d[1]);
  });
}

// ---------------------------------------------------------------------------------------------
// Keyboard shortcuts

function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey || state.fatal || currentView() !== "fig3") return;
  const tag = e.target && e.target.tagName;
  if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return;
  if (e.key === " " && tag !== "BUTTON") {
    e.preventDefault();
    togglePlay();
  } else if (e.key === "ArrowRight") {
    e.preventDefault();
    stepOnce();
  } else if (e.key === "r" || e.key === "R") {
    e.preventDefault();
    reset();
  }
}

// ---------------------------------------------------------------------------------------------
// Views: one section per figure, chosen by the URL hash. Other views are modules that register
// window.reluViews[name] = { init(wasm, shell), show(), hide() } before this module starts them.

const VIEWS = ["fig3", "fig1b", "topology", "heatmaps", "fig4"];
const started = new Set();

function currentView() {
  return VIEWS.includes(state.activeView) ? state.activeView : "fig3";
}

function viewModule(name) {
  return (window.reluViews || {})[name];
}

function route() {
  if (!state.wasm) return;
  const active = currentView();
  for (const section of document.querySelectorAll("section.view")) {
    section.hidden = section.dataset.view !== active;
  }
  for (const a of document.querySelectorAll("[data-view-link]")) {
    if (a.dataset.viewLink === active) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  for (const name of VIEWS) {
    const mod = viewModule(name);
    if (!mod || name === active || !started.has(name)) continue;
    guarded(() => mod.hide && mod.hide());
  }
  if (active === "fig3") {
    scheduleRedraw(["top", "bottom", "loss"]);
    return;
  }
  pause();
  const mod = viewModule(active);
  if (!mod) return;
  guarded(() => {
    if (!started.has(active)) {
      started.add(active);
      mod.init(state.wasm, shell);
    }
    if (mod.show) mod.show();
  });
}

/** What the shell offers to the other views. */
const shell = {
  showFatal,
  isWasmCrash,
  sizeCanvas,
  wireRotation,
  /** The live Fig. 3 runs (`top`, `bottom`), for views that read the current network. */
  fig3Runs: () => ({ top: state.runs.top, bottom: state.runs.bottom }),
  // TEMPORARY (vm-topology, until the lead's shell lands): the Fig. 3 handle as a copy of the live
  // runs, and the change notification of the view protocol.
  fig3View: () => {
    if (state.fig3View) state.fig3View.free();
    state.fig3View = state.wasm.Fig3View.fromRuns(state.runs.top, state.runs.bottom);
    return state.fig3View;
  },
  changed: (push) => window.reluLinks && window.reluLinks.changed(push),
  /** True under prefers-reduced-motion: views then start no animation by themselves. */
  reducedMotion: prefersReducedMotion,
  // setPresentation(on) and isPresentation() are added by installClassroom in init.
  wrapYaw,
};

// ---------------------------------------------------------------------------------------------
// Export (www/export.js): every Fig. 3 chart as PNG and SVG, the runs as CSV and JSON.

function exportError(err) {
  if (!isWasmCrash(err)) return false;
  showFatal(err.message);
  return true;
}

function addExports() {
  for (const row of ROWS) {
    const items = [];
    for (let k = 0; k < 2; k++) {
      items.push(
        ...chartItems(`${row} run's neuron ${k + 1} chart`, `Neuron ${k + 1}`, `fig3-${row}-quadric-neuron${k + 1}`, () => $(`q-${row}-${k}`), (w, h) =>
          state.runs[row].neuronSvg(k, state.views[row].yaw, state.views[row].pitch, w, h),
        ),
      );
    }
    items.push(dataItem("Run CSV", `Save the ${row} run's data as CSV`, `fig3-${row}-run.csv`, () => state.runs[row].exportCsv(row)));
    const bar = exportBar(`Save the ${row} run:`, items, { onError: exportError, idPrefix: `fig3-export-${row}` });
    $(`readout-${row}`).before(bar);
  }
  const loss = chartItems("loss chart", "Loss chart", "fig3-loss", () => $("loss-chart"), (w, h) =>
    state.wasm.lossChartSvg(state.runs.top, state.runs.bottom, state.settings.logScale, w, h),
  );
  loss.push(dataItem("Both runs JSON", "Save both runs with their settings as JSON", "fig3-run.json", () => state.wasm.fig3ExportJson(state.runs.top, state.runs.bottom)));
  $("loss-chart").after(exportBar("Save:", loss, { onError: exportError, idPrefix: "fig3-export-loss" }));
}

// ---------------------------------------------------------------------------------------------
// Links: the Fig. 3 state as links.js writes it (keys and limits: src/link.rs).

/** A yaw angle brought into [−π, π], so that a link can hold it. */
function wrapYaw(yaw) {
  const turn = 2 * Math.PI;
  return ((((yaw + Math.PI) % turn) + turn) % turn) - Math.PI;
}

function getState() {
  const s = state.settings;
  if (!s) return null;
  const { top, bottom } = state.views;
  return {
    top: s.presets.top,
    bottom: s.presets.bottom,
    seed: s.seed,
    lr: s.lr,
    int: s.integrator,
    speed: s.speed,
    log: s.logScale,
    pause: s.stopAtTStar,
    step: currentStep(),
    ty: top.yaw,
    tp: top.pitch,
    by: bottom.yaw,
    bp: bottom.pitch,
  };
}

/** Restores a state from a link: the controls, the view angles, and the runs replayed to `step`. */
function setState(v) {
  pause();
  $("preset-top").value = v.top;
  $("preset-bottom").value = v.bottom;
  $("seed").value = String(v.seed);
  $("lr").value = String(v.lr);
  $("integrator").value = v.int;
  $("speed").value = String(v.speed);
  $("log-scale").checked = v.log;
  $("stop-at").checked = v.pause;
  state.views.top = { yaw: v.ty, pitch: v.tp };
  state.views.bottom = { yaw: v.by, pitch: v.bp };
  if (!applySettings()) return;
  updateReadouts();
  if (v.step < currentStep()) {
    if (!applySettings({ forceReset: true })) return;
    updateReadouts();
  }
  const todo = v.step - currentStep();
  if (todo > 0) stepRuns(todo);
  drawAll();
}

// ---------------------------------------------------------------------------------------------
// Start

function init(wasm) {
  if (state.wasm) return;
  state.wasm = wasm;
  try {
    if (!applySettings()) throw new Error("the default settings were refused");
  } catch (err) {
    showFatal(String(err.message || err));
    return;
  }
  $("play").addEventListener("click", togglePlay);
  $("step").addEventListener("click", stepOnce);
  $("reset").addEventListener("click", reset);
  $("random-seed").addEventListener("click", () => {
    guarded(() => {
      $("seed").value = String(state.wasm.randomSeed());
      applySettings();
    });
  });
  for (const id of ["lr", "seed", "speed", "integrator", "preset-top", "preset-bottom"]) {
    $(id).addEventListener("change", () => applySettings());
  }
  $("log-scale").addEventListener("change", () => applySettings() && scheduleRedraw(["loss"]));
  $("stop-at").addEventListener("change", () => applySettings());
  for (const row of ROWS) for (let k = 0; k < 2; k++) wireRotation($(`q-${row}-${k}`), (dx, dy) => rotate(row, dx * 0.01, dy * 0.01));
  document.addEventListener("keydown", onKey);
  const ro = new ResizeObserver(() => scheduleRedraw(["top", "bottom", "loss"]));
  for (const c of document.querySelectorAll("canvas")) ro.observe(c);
  for (const id of ["play", "step", "reset", "random-seed"]) $(id).disabled = false;
  drawAll();
  addExports();
  Object.assign(shell, installClassroom({ state, views: VIEWS, currentView }));
  initLinks(wasm, {
    module: (name) => (name === "fig3" ? { getState, setState } : viewModule(name)),
    activeView: currentView,
    setActiveView: (name) => {
      state.activeView = name;
    },
    route,
    isWasmCrash,
    showFatal,
  });
  document.body.dataset.ready = "true";
  // For the console and the end-to-end tests: the live runs and the core's bindings.
  window.reluApp = { state, wasm, drawAll, stepRuns, shell, route, getState, setState };
}

addEventListener("TrunkApplicationStarted", () => init(window.wasmBindings));
if (window.wasmBindings) init(window.wasmBindings);
