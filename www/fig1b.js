// The Fig. 1b view: one neuron (d = e = 1) as a point (w, v) on the plane of invariant hyperbolas
// w² − v² = c and rescaling orbits w·v = const. Thin shell over the Rust view model
// (wasm.Fig1bView): the controls come from its schema(), typed text goes to set(key, text), the
// buttons, keys and pointer are its actions, the readouts and every sentence are written by it.
// This module only wires the DOM, sizes the canvas and runs the animation loop.

import { el } from "./dom.js";
import { exportBar, chartItems, dataItem } from "./export.js";
import { buildControl, bindInputs, submit, showFields, showSentence, showValues, markRejected } from "./controls.js";

// Element ids of the controls (the end-to-end tests use them), by schema key.
const IDS = {
  lr: "fig1b-lr",
  int: "fig1b-integrator",
  speed: "fig1b-speed",
  w0: "fig1b-start-w",
  v0: "fig1b-start-v",
  alpha: "fig1b-alpha",
};
const RUN_KEYS = ["lr", "int", "speed"];
const START_KEYS = ["w0", "v0"];

const view = {
  shell: null,
  handle: null,
  playing: false,
  raf: 0,
  redrawRaf: 0,
  shown: false,
  dragging: false,
  els: {},
  inputs: {},
};

// ---------------------------------------------------------------------------------------------
// DOM construction (createElement/textContent only)

function build(root) {
  const e = view.els;
  const controls = {};
  for (const c of view.handle.schema()) controls[c.key] = c;
  const group = (key) => {
    const { group, input } = buildControl(controls[key], IDS[key]);
    view.inputs[key] = input;
    return group;
  };

  const texts = view.handle.texts();
  const title = el("h2", { class: "view-title", id: "fig1b-heading", text: texts.title });
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
  e.setStart = el("button", { type: "button", id: "fig1b-set-start", text: "Start here" });
  e.good = el("button", { type: "button", id: "fig1b-good", text: "Good start" });
  e.bad = el("button", { type: "button", id: "fig1b-pathological", text: "Pathological start" });
  e.rescale = el("button", { type: "button", id: "fig1b-rescale", text: "Apply rescaling" });

  e.buttons = el("div", { class: "group buttons", role: "group", "aria-label": "Training" }, [e.play, e.step, e.reset]);
  const head = el("div", { class: "view-head" }, [title, e.buttons]);
  const run = el("div", { class: "controls-bar", role: "group", "aria-label": "Training settings" }, [
    group("lr"),
    group("int"),
    group("speed"),
  ]);
  const start = el("div", { class: "controls-bar", role: "group", "aria-label": "Initialization and rescaling" }, [
    group("w0"),
    group("v0"),
    el("div", { class: "group buttons" }, [e.setStart, e.good, e.bad]),
    group("alpha"),
    el("div", { class: "group buttons" }, [e.rescale]),
  ]);

  e.message = el("p", { id: "fig1b-message", class: "banner toast", role: "status", hidden: "" });
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
    ` move the start by ${texts.nudge} (with `, el("kbd", { text: "Shift" }), ` by ${texts.nudge_fast}), `,
    el("kbd", { text: "Space" }), " plays or pauses.",
  ]);

  e.readout = el("dl", { class: "readout", id: "fig1b-readout" });
  e.verdict = el("p", { id: "fig1b-verdict", class: "verdict", "aria-live": "polite" });

  const figure = el("div", { class: "fig1b-figure" }, [
    el("div", { class: "card fig1b-plot" }, [e.canvas]),
    el("div", { class: "fig1b-side" }, [
      e.message,
      el("div", { class: "card fig1b-readouts" }, [e.verdict, el("h3", { text: "Readouts" }), e.readout]),
      run,
      start,
    ]),
  ]);
  root.replaceChildren(head, figure, el("div", { class: "explain" }, [intro, keys]));
}

// ---------------------------------------------------------------------------------------------
// Messages, errors, controls

function say(text) {
  view.els.message.textContent = text;
  view.els.message.hidden = !text;
}

/** Runs a wasm call; a crash is fatal, any other error becomes a message. */
function guarded(fn) {
  try {
    fn();
    return true;
  } catch (err) {
    if (view.shell.isWasmCrash(err)) {
      pause();
      view.shell.showFatal(err.message);
      return false;
    }
    say(`${err && err.message ? err.message : err}`);
    return false;
  }
}

/** Sends the text of the controls `keys` to the model; false (with the refusal shown) if one is refused. */
function submitAll(keys) {
  for (const key of keys) {
    const result = submit(view.handle, view.inputs[key], say);
    if (!result.ok) return false;
    if (result.change.restarted) pause();
  }
  return true;
}

/** Shows the values in force in the controls `keys` (the start after a drag, a key, a rescaling). */
function showInputs(keys) {
  const inputs = {};
  for (const key of keys) inputs[key] = view.inputs[key];
  showValues(inputs, view.handle.schema());
}

/** Shows what an action of the model did; true when it applied. */
function shownOutcome(outcome) {
  if (!outcome.handled) return false;
  say(outcome.message);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Drawing

function updateReadouts() {
  const r = view.handle.readout();
  showFields(view.els.readout, r.fields, "fig1b-out");
  const v = view.els.verdict;
  showSentence(v, r.verdict);
  v.dataset.kind = r.kind;
  v.dataset.atMinimum = String(r.at_minimum);
}

function draw() {
  if (!view.handle || !view.shown) return;
  view.shell.sizeCanvas(view.els.canvas);
  guarded(() => {
    view.handle.draw(view.els.canvas);
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
  let report = null;
  guarded(() => (report = view.handle.stepFrame()));
  draw();
  view.shell.changed(false);
  if (!report || report.stop) {
    pause();
    if (report) say(report.message);
    return;
  }
  view.raf = requestAnimationFrame(frame);
}

function play() {
  if (view.playing) return;
  if (!submitAll(RUN_KEYS)) return;
  say("");
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

function stepOnce() {
  pause();
  if (!submitAll(RUN_KEYS)) return;
  guarded(() => {
    const report = view.handle.step(1);
    say(report.diverged ? report.message : "");
  });
  draw();
  view.shell.changed(true);
}

function reset() {
  pause();
  if (!submitAll(RUN_KEYS)) return;
  guarded(() => shownOutcome(view.handle.reset()));
  draw();
  view.shell.changed(true);
}

/** A button that starts a new run: `action(handle)` returns the model's outcome. */
function startWith(action) {
  pause();
  guarded(() => {
    if (shownOutcome(action(view.handle))) showInputs(START_KEYS);
  });
  draw();
  view.shell.changed(true);
}

function startFromInputs() {
  pause();
  if (!submitAll(START_KEYS)) return;
  startWith((h) => h.startHere());
}

function applyRescale() {
  pause();
  if (!submitAll(["alpha"])) return;
  guarded(() => {
    const outcome = view.handle.rescale();
    shownOutcome(outcome);
    markRejected(view.inputs.alpha, outcome.rejection);
    if (outcome.ok) showInputs(START_KEYS);
  });
  draw();
  view.shell.changed(true);
}

// ---------------------------------------------------------------------------------------------
// Pointer and keyboard on the plane

/** The canvas (backing-store) pixel under a pointer event. */
function pixelOf(event) {
  const c = view.els.canvas;
  const rect = c.getBoundingClientRect();
  return [((event.clientX - rect.left) * c.width) / rect.width, ((event.clientY - rect.top) * c.height) / rect.height];
}

function moveToPointer(event) {
  const [x, y] = pixelOf(event);
  guarded(() => {
    const outcome = view.handle.pointAt(x, y);
    if (!outcome.handled) return; // outside the plot
    pause();
    shownOutcome(outcome);
    scheduleRedraw();
    view.shell.changed(false);
  });
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
    guarded(() => showInputs(START_KEYS));
    view.shell.changed(false);
  };
  c.addEventListener("pointerup", end);
  c.addEventListener("pointercancel", end);
  c.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === " ") {
      event.preventDefault();
      togglePlay();
      return;
    }
    guarded(() => {
      const outcome = view.handle.key(event.key, event.shiftKey);
      if (!outcome.handled) return;
      event.preventDefault();
      pause();
      shownOutcome(outcome);
      showInputs(START_KEYS);
      draw();
      view.shell.changed(true);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Export (www/export.js): the plane as PNG and SVG, the run as CSV and JSON (names and texts from Rust).

function addExports() {
  const names = view.handle.fileNames();
  const items = [
    ...chartItems("(w, v) plane", "Plane", names.plane, () => view.els.canvas, (w, h) => view.handle.svg(w, h)),
    dataItem("Run CSV", "Save the run's data as CSV", names.csv, () => view.handle.csv()),
    dataItem("Run JSON", "Save the run with its settings as JSON", names.json, () => view.handle.json()),
  ];
  const onError = (err) => {
    if (!view.shell.isWasmCrash(err)) return false;
    pause();
    view.shell.showFatal(err.message);
    return true;
  };
  view.els.buttons.after(exportBar("Export the Fig. 1b plane and run", items, { onError, idPrefix: "fig1b-export" }));
}

// ---------------------------------------------------------------------------------------------
// Registration

function onApplied(result) {
  if (!result.ok || !result.change.changed) return;
  if (result.change.restarted) pause();
  scheduleRedraw();
  view.shell.changed(true);
}

function init(wasm, shell) {
  view.shell = shell;
  const root = document.getElementById("fig1b-root");
  try {
    view.handle = new wasm.Fig1bView();
    build(root);
  } catch (err) {
    if (shell.isWasmCrash(err)) shell.showFatal(err.message);
    else root.textContent = String(err.message || err);
    view.handle = null;
    return;
  }
  const e = view.els;
  e.play.addEventListener("click", togglePlay);
  e.step.addEventListener("click", stepOnce);
  e.reset.addEventListener("click", reset);
  e.setStart.addEventListener("click", startFromInputs);
  e.good.addEventListener("click", () => startWith((h) => h.goodStart()));
  e.bad.addEventListener("click", () => startWith((h) => h.pathologicalStart()));
  e.rescale.addEventListener("click", applyRescale);
  bindInputs(view.inputs, view.handle, say, (result) => guarded(() => onApplied(result)));
  for (const key of START_KEYS) {
    view.inputs[key].addEventListener("keydown", (event) => event.key === "Enter" && startFromInputs());
  }
  view.inputs.alpha.addEventListener("keydown", (event) => event.key === "Enter" && applyRescale());
  wirePointer();
  addExports();
  view.shell.watchCanvasSize([e.canvas], scheduleRedraw);
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
  const [x, y] = Array.from(view.handle.pointToPixel(w, v));
  return [rect.left + (x * rect.width) / c.width, rect.top + (y * rect.height) / c.height];
}

/** The link of what the view shows: `{link, note}` (null before the view started). */
function linkState() {
  return view.handle ? view.handle.linkState() : null;
}

/** Applies a link to the model (settings, start, the run replayed to its step); returns the refused pieces. */
function applyLink(fragment) {
  if (!view.handle) return [];
  pause();
  const rejections = view.handle.applyLink(fragment);
  showValues(view.inputs, view.handle.schema());
  draw();
  return rejections;
}

window.reluViews = window.reluViews || {};
window.reluViews.fig1b = { init, show, hide, clientPointOf, linkState, applyLink, play, handle: () => view.handle };
