// The Fig. 1b view: one neuron (d = e = 1) as a point (w, v) on the plane of invariant hyperbolas
// w² − v² = c and rescaling orbits w·v = const. Thin shell: DOM wiring, canvas sizing, pointer and
// keyboard input, the animation loop. The run, its readouts, the drawing and the pixel ↔ (w, v)
// mapping all live in Rust (wasm.SingleNeuron).

import { el } from "./dom.js";
import { exportBar, chartItems, dataItem } from "./export.js";

const GOOD_START = { w: 2.0, v: -0.5 };
const PATHOLOGICAL_START = { w: 0.5, v: -1.5 };
const NUDGE = 0.05;
const NUDGE_FAST = 0.25;

const view = {
  wasm: null,
  shell: null,
  neuron: null,
  settings: { lr: 0.01, integrator: "gd", speed: 1 },
  playing: false,
  raf: 0,
  redrawRaf: 0,
  shown: false,
  dragging: false,
  els: {},
  resize: null,
};

// ---------------------------------------------------------------------------------------------
// DOM construction (createElement/textContent only)


function field(id, labelText, input) {
  input.id = id;
  return el("div", { class: "group" }, [el("label", { for: id, text: labelText }), input]);
}

function textInput(value, extra = {}) {
  return el("input", { type: "text", inputmode: "decimal", autocomplete: "off", value: String(value), ...extra });
}

const READOUTS = [
  ["step", "step"],
  ["w", "w"],
  ["v", "v"],
  ["c", "c = w² − v² now"],
  ["c_initial", "c at the start"],
  ["c_drift", "drift of c"],
  ["product", "w·v (orbit)"],
  ["loss", "loss L"],
  ["f0", "f(0.5)"],
  ["f1", "f(1)"],
  ["f2", "f(2)"],
  ["grad_w", "∂L/∂w"],
  ["grad_v", "∂L/∂v"],
];

function build(root) {
  const e = view.els;
  const title = el("h2", { class: "view-title", id: "fig1b-heading", text: "Fig. 1b, live: one neuron on its hyperbola" });
  const intro = el("p", { class: "view-intro" }, [
    "With one input and one output a hidden ReLU neuron is just two numbers, f(x) = v·σ(w·x), so every network is a point (w, v) of this plane. " +
      "Gradient flow keeps c = w² − v² fixed, so training slides the point along one solid hyperbola, always tangent to it; " +
      "rescaling to (αw, v/α) slides it along a dotted curve w·v = const instead and leaves the function unchanged. ",
    el("span", {
      class: "reading",
      text: "Our setup: the data are y = σ(x) at 40 inputs in (0, 2], fitted exactly on the thick blue dotted curve w·v = 1 with w > 0.",
    }),
  ]);

  e.play = el("button", { type: "button", id: "fig1b-play", "aria-pressed": "false", text: "Play" });
  e.step = el("button", { type: "button", id: "fig1b-step", text: "Step" });
  e.reset = el("button", { type: "button", id: "fig1b-reset", text: "Reset" });
  e.lr = textInput(view.settings.lr);
  e.integrator = el("select", {}, [
    el("option", { value: "gd", text: "gradient descent (paper)" }),
    el("option", { value: "flow", text: "gradient flow (exact)" }),
    el("option", { value: "conserving", text: "GD projected onto c" }),
  ]);
  e.speed = textInput(view.settings.speed);
  e.startW = textInput(GOOD_START.w);
  e.startV = textInput(GOOD_START.v);
  e.setStart = el("button", { type: "button", id: "fig1b-set-start", text: "Start here" });
  e.good = el("button", { type: "button", id: "fig1b-good", text: "Good start" });
  e.bad = el("button", { type: "button", id: "fig1b-pathological", text: "Pathological start" });
  e.alpha = textInput(2);
  e.rescale = el("button", { type: "button", id: "fig1b-rescale", text: "Apply rescaling" });

  const run = el("div", { class: "controls-bar", role: "group", "aria-label": "Training" }, [
    el("div", { class: "group buttons" }, [e.play, e.step, e.reset]),
    field("fig1b-lr", "learning rate η", e.lr),
    field("fig1b-integrator", "integrator", e.integrator),
    field("fig1b-speed", "steps per frame", e.speed),
  ]);
  const start = el("div", { class: "controls-bar", role: "group", "aria-label": "Initialization and rescaling" }, [
    field("fig1b-start-w", "start w", e.startW),
    field("fig1b-start-v", "start v", e.startV),
    el("div", { class: "group buttons" }, [e.setStart, e.good, e.bad]),
    field("fig1b-alpha", "rescaling factor α", e.alpha),
    el("div", { class: "group buttons" }, [e.rescale]),
  ]);

  e.message = el("p", { id: "fig1b-message", class: "banner", role: "status", hidden: "" });
  e.canvas = el("canvas", {
    id: "fig1b-canvas",
    tabindex: "0",
    role: "img",
    "aria-label":
      "The (w, v) plane with the current point, its trajectory and the gradient. Drag, or focus and use the arrow keys, to move the starting point.",
    "aria-describedby": "fig1b-keys",
  });
  const keys = el("p", { id: "fig1b-keys", class: "fineprint" }, [
    "Drag on the plane to choose where training starts. With the plane focused: ",
    el("kbd", { text: "←" }), " ", el("kbd", { text: "→" }), " ", el("kbd", { text: "↑" }), " ", el("kbd", { text: "↓" }),
    " move the start by 0.05 (with ", el("kbd", { text: "Shift" }), " by 0.25), ",
    el("kbd", { text: "Space" }), " plays or pauses.",
  ]);

  e.readout = el("dl", { class: "readout", id: "fig1b-readout" });
  e.values = {};
  for (const [key, label] of READOUTS) {
    const dd = el("dd", { id: `fig1b-out-${key}` });
    e.values[key] = dd;
    e.readout.append(el("div", {}, [el("dt", { text: label }), dd]));
  }
  e.verdict = el("p", { id: "fig1b-verdict", class: "verdict", "aria-live": "polite" });

  const figure = el("div", { class: "fig1b-figure" }, [
    el("div", { class: "card fig1b-plot" }, [e.canvas, keys]),
    el("div", { class: "card fig1b-side" }, [el("h3", { text: "Readouts" }), e.readout, e.verdict]),
  ]);
  root.replaceChildren(title, intro, run, start, e.message, figure);
}

// ---------------------------------------------------------------------------------------------
// Messages and errors

function showMessage(text) {
  view.els.message.textContent = text;
  view.els.message.hidden = !text;
}

function markInvalid(input, invalid) {
  if (invalid) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

/** Runs a wasm call; a core error becomes a message (and false), a crash is fatal. */
function guarded(fn, context = "") {
  try {
    fn();
    return true;
  } catch (err) {
    if (view.shell.isWasmCrash(err)) {
      pause();
      view.shell.showFatal(err.message);
      return false;
    }
    showMessage(`${context}${err && err.message ? err.message : err}`);
    return false;
  }
}

/** A number typed in `input`, or null (with the input marked and a message shown). */
function readNumber(input, what) {
  const text = input.value.trim();
  const value = Number(text);
  const bad = text === "" || !Number.isFinite(value);
  markInvalid(input, bad);
  if (bad) {
    showMessage(`${what} "${text}" is not a number; it was not applied.`);
    return null;
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Readouts

function fmt(x) {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const s = Math.abs(x) < 1e-4 || Math.abs(x) >= 1e6 ? x.toExponential(5) : x.toPrecision(6);
  return s.replace("-", "−");
}

function setValue(key, value) {
  const dd = view.els.values[key];
  dd.dataset.value = String(value);
  dd.textContent = key === "step" ? String(value) : fmt(value);
}

function updateReadouts() {
  const r = view.neuron.readout();
  setValue("step", r.step);
  for (const key of ["w", "v", "c", "c_initial", "c_drift", "product", "loss", "grad_w", "grad_v"]) setValue(key, r[key]);
  setValue("f0", r.f[0]);
  setValue("f1", r.f[1]);
  setValue("f2", r.f[2]);

  const v = view.els.verdict;
  v.dataset.kind = r.start_kind;
  v.dataset.atMinimum = String(r.at_minimum);
  let text;
  if (r.failure) {
    text = `${r.failure}.`;
  } else if (r.at_minimum) {
    text = "Reached a global minimum: w·v = 1, so f(x) = x on every input and the loss is 0.";
  } else if (r.start_kind === "frozen_negative_output") {
    text =
      "Pathological start: c < 0 and v < 0, so |v| ≥ √(−c) all along the run and v can never change sign. " +
      "The minima need v > 0: this run can never reach them, whatever the learning rate.";
  } else if (r.start_kind === "silent") {
    text =
      "Silent start: w ≤ 0, so σ(w·x) = 0 on every (positive) input, the gradient is zero and the point never moves.";
  } else if (r.silent) {
    text = "The neuron has switched itself off (w ≤ 0): the gradient is zero from here on.";
  } else {
    text = "Good start: the hyperbola of this run meets the minima w·v = 1, so training can reach them.";
  }
  if (!r.failure && r.sheet_jumps > 0) {
    text += ` A discrete step jumped between the two branches of the hyperbola ${r.sheet_jumps} time(s) (an artefact of a large learning rate; gradient flow cannot).`;
  }
  v.textContent = text;
  v.classList.toggle("obstructed", r.start_kind !== "reachable" || Boolean(r.failure));
  v.classList.toggle("ok", r.start_kind === "reachable" && !r.failure);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Drawing

function draw() {
  if (!view.neuron || !view.shown) return;
  view.shell.sizeCanvas(view.els.canvas);
  guarded(() => {
    view.neuron.draw(view.els.canvas);
    updateReadouts();
  });
}

function scheduleRedraw() {
  if (view.redrawRaf || !view.shown) return;
  view.redrawRaf = requestAnimationFrame(() => {
    view.redrawRaf = 0;
    draw();
  });
}

// ---------------------------------------------------------------------------------------------
// Running

function frame() {
  view.raf = 0;
  if (!view.playing || !view.shown) return;
  const ok = guarded(() => view.neuron.step(view.settings.speed));
  draw();
  if (!ok) {
    pause();
    return;
  }
  const atMin = view.els.verdict.dataset.atMinimum === "true";
  if (atMin) {
    pause();
    showMessage("Paused: the run reached a global minimum.");
    return;
  }
  view.raf = requestAnimationFrame(frame);
}

function play() {
  if (view.playing) return;
  if (!applyRunSettings()) return;
  showMessage("");
  view.playing = true;
  view.els.play.textContent = "Pause";
  view.els.play.setAttribute("aria-pressed", "true");
  view.raf = requestAnimationFrame(frame);
}

function pause() {
  view.playing = false;
  if (view.raf) cancelAnimationFrame(view.raf);
  view.raf = 0;
  if (view.els.play) {
    view.els.play.textContent = "Play";
    view.els.play.setAttribute("aria-pressed", "false");
  }
}

function togglePlay() {
  if (view.playing) pause();
  else play();
}

/** Reads the learning rate, integrator and speed; applies them if they changed. */
function applyRunSettings() {
  const e = view.els;
  const lr = readNumber(e.lr, "Learning rate");
  if (lr === null) return false;
  const speedText = e.speed.value.trim();
  const speed = Number(speedText);
  const speedBad = !/^\d+$/.test(speedText) || speed < 1 || speed > 500;
  markInvalid(e.speed, speedBad);
  if (speedBad) {
    showMessage(`Steps per frame "${speedText}" must be a whole number from 1 to 500; it was not applied.`);
    return false;
  }
  const integrator = e.integrator.value;
  const s = view.settings;
  if (lr !== s.lr || integrator !== s.integrator) {
    const ok = guarded(() => view.neuron.setSettings(lr, integrator));
    markInvalid(e.lr, !ok);
    if (!ok) return false;
    pause();
    s.lr = lr;
    s.integrator = integrator;
    scheduleRedraw();
  }
  s.speed = speed;
  markInvalid(e.lr, false);
  return true;
}

function stepOnce() {
  pause();
  if (!applyRunSettings()) return;
  showMessage("");
  guarded(() => view.neuron.step(1));
  draw();
}

function reset() {
  pause();
  if (!applyRunSettings()) return;
  showMessage("");
  guarded(() => view.neuron.reset());
  draw();
}

function startAt(w, v) {
  pause();
  const ok = guarded(() => view.neuron.setPoint(w, v), "Start refused: ");
  if (ok) {
    showMessage("");
    view.els.startW.value = String(w);
    view.els.startV.value = String(v);
    markInvalid(view.els.startW, false);
    markInvalid(view.els.startV, false);
  }
  draw();
  return ok;
}

function startFromInputs() {
  const w = readNumber(view.els.startW, "Start w");
  if (w === null) return;
  const v = readNumber(view.els.startV, "Start v");
  if (v === null) return;
  pause();
  const ok = guarded(() => view.neuron.setPoint(w, v), "Start refused: ");
  if (ok) showMessage("");
  draw();
}

function applyRescale() {
  const e = view.els;
  const alpha = readNumber(e.alpha, "Rescaling factor α");
  if (alpha === null) return;
  pause();
  const ok = guarded(() => view.neuron.rescale(alpha), "Rescaling refused: ");
  markInvalid(e.alpha, !ok);
  if (ok) showMessage(`Rescaled by α = ${alpha}: same function, same loss, new c (the run restarts from here).`);
  draw();
  if (ok) syncStartInputs();
}

function syncStartInputs() {
  const w = Number(view.els.values.w.dataset.value);
  const v = Number(view.els.values.v.dataset.value);
  view.els.startW.value = String(Number(w.toPrecision(6)));
  view.els.startV.value = String(Number(v.toPrecision(6)));
}

// ---------------------------------------------------------------------------------------------
// Pointer and keyboard on the plane

function pixelOf(event) {
  const c = view.els.canvas;
  const rect = c.getBoundingClientRect();
  return [((event.clientX - rect.left) * c.width) / rect.width, ((event.clientY - rect.top) * c.height) / rect.height];
}

function moveToPointer(event) {
  const [x, y] = pixelOf(event);
  let point = [];
  if (!guarded(() => (point = Array.from(view.neuron.pixelToPoint(x, y))))) return;
  if (point.length !== 2) return; // outside the plot: ignore
  pause();
  if (guarded(() => view.neuron.setPoint(point[0], point[1]), "Start refused: ")) {
    showMessage("");
    scheduleRedraw();
  }
}

function wirePointer() {
  const c = view.els.canvas;
  c.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    view.dragging = true;
    c.setPointerCapture(event.pointerId);
    c.focus({ preventScroll: true });
    moveToPointer(event);
    event.preventDefault();
  });
  c.addEventListener("pointermove", (event) => {
    if (view.dragging) moveToPointer(event);
  });
  const end = (event) => {
    if (!view.dragging) return;
    view.dragging = false;
    if (c.hasPointerCapture(event.pointerId)) c.releasePointerCapture(event.pointerId);
    draw();
    syncStartInputs();
  };
  c.addEventListener("pointerup", end);
  c.addEventListener("pointercancel", end);
  c.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const d = event.shiftKey ? NUDGE_FAST : NUDGE;
    const moves = { ArrowLeft: [-d, 0], ArrowRight: [d, 0], ArrowUp: [0, d], ArrowDown: [0, -d] };
    if (moves[event.key]) {
      event.preventDefault();
      pause();
      const [dw, dv] = moves[event.key];
      if (guarded(() => view.neuron.nudge(dw, dv), "Start refused: ")) showMessage("");
      draw();
      syncStartInputs();
    } else if (event.key === " ") {
      event.preventDefault();
      togglePlay();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Export (www/export.js): the plane as PNG and SVG, the run as CSV and JSON.

function addExports() {
  const items = [
    ...chartItems("(w, v) plane", "Plane", "fig1b-plane", () => view.els.canvas, (w, h) => view.neuron.svg(w, h)),
    dataItem("Run CSV", "Save the run's data as CSV", "fig1b-run.csv", () => view.neuron.exportCsv()),
    dataItem("Run JSON", "Save the run with its settings as JSON", "fig1b-run.json", () => view.neuron.exportJson()),
  ];
  const onError = (err) => {
    if (!view.shell.isWasmCrash(err)) return false;
    pause();
    view.shell.showFatal(err.message);
    return true;
  };
  view.els.canvas.parentElement.append(exportBar("Save:", items, { onError, idPrefix: "fig1b-export" }));
}

// ---------------------------------------------------------------------------------------------
// Registration

function init(wasm, shell) {
  view.wasm = wasm;
  view.shell = shell;
  const root = document.getElementById("fig1b-root");
  build(root);
  try {
    view.neuron = new wasm.SingleNeuron({ ...GOOD_START, lr: view.settings.lr, integrator: view.settings.integrator });
  } catch (err) {
    if (shell.isWasmCrash(err)) shell.showFatal(err.message);
    else showMessage(String(err.message || err));
    return;
  }
  const e = view.els;
  e.play.addEventListener("click", togglePlay);
  e.step.addEventListener("click", stepOnce);
  e.reset.addEventListener("click", reset);
  for (const input of [e.lr, e.integrator, e.speed]) input.addEventListener("change", () => applyRunSettings() && showMessage(""));
  e.setStart.addEventListener("click", startFromInputs);
  e.good.addEventListener("click", () => startAt(GOOD_START.w, GOOD_START.v));
  e.bad.addEventListener("click", () => startAt(PATHOLOGICAL_START.w, PATHOLOGICAL_START.v));
  e.rescale.addEventListener("click", applyRescale);
  for (const input of [e.startW, e.startV]) {
    input.addEventListener("keydown", (event) => event.key === "Enter" && startFromInputs());
  }
  e.alpha.addEventListener("keydown", (event) => event.key === "Enter" && applyRescale());
  wirePointer();
  addExports();
  view.resize = new ResizeObserver(() => scheduleRedraw());
  view.resize.observe(e.canvas);
}

function show() {
  view.shown = true;
  draw();
}

function hide() {
  view.shown = false;
  pause();
  if (view.redrawRaf) cancelAnimationFrame(view.redrawRaf);
  view.redrawRaf = 0;
}

/** Viewport (CSS pixel) coordinates of the point (w, v) on the plane as last drawn (for tests). */
function clientPointOf(w, v) {
  const c = view.els.canvas;
  const rect = c.getBoundingClientRect();
  const [x, y] = Array.from(view.neuron.pointToPixel(w, v));
  return [rect.left + (x * rect.width) / c.width, rect.top + (y * rect.height) / c.height];
}

// ---------------------------------------------------------------------------------------------
// Links (keys and limits: src/link.rs)

/** The rescaling factor typed in its field when it is a positive number, else the default. */
function alphaValue() {
  const a = Number(view.els.alpha.value.trim());
  return view.els.alpha.value.trim() !== "" && Number.isFinite(a) && a > 0 ? a : 2;
}

function getState() {
  if (!view.neuron) return null;
  const r = view.neuron.readout();
  const s = view.settings;
  return { lr: s.lr, int: s.integrator, speed: s.speed, w0: r.start[0], v0: r.start[1], alpha: alphaValue(), step: r.step };
}

/** Restores a state from a link: settings, the exact start, and the run replayed to `step`. */
function setState(v) {
  if (!view.neuron) return;
  pause();
  const e = view.els;
  e.lr.value = String(v.lr);
  e.integrator.value = v.int;
  e.speed.value = String(v.speed);
  e.alpha.value = String(v.alpha);
  e.startW.value = String(v.w0);
  e.startV.value = String(v.v0);
  for (const input of [e.lr, e.speed, e.startW, e.startV, e.alpha]) markInvalid(input, false);
  view.settings.speed = v.speed;
  const r = view.neuron.readout();
  const same = r.start[0] === v.w0 && r.start[1] === v.v0 && r.lr === v.lr && r.integrator === v.int;
  if (!same || v.step < r.step) {
    const ok = guarded(() => {
      view.neuron.setSettings(v.lr, v.int);
      view.neuron.setPoint(v.w0, v.v0);
    });
    if (!ok) return;
    view.settings.lr = v.lr;
    view.settings.integrator = v.int;
  }
  const todo = v.step - view.neuron.readout().step;
  if (todo > 0) guarded(() => view.neuron.step(todo));
  draw();
}

window.reluViews = window.reluViews || {};
window.reluViews.fig1b = { init, show, hide, clientPointOf, getState, setState };
