// The Fig. 3 view: two training runs side by side. Thin shell over the Rust handle
// wasm.Fig3View: it builds the controls from the handle's schema, forwards raw text, runs the
// animation loop, sizes the canvases and prints what the handle's readout says. The runs, the
// settings and their checks, the replay of a link, t*, rotation and every text live in Rust
// (src/app/fig3.rs).

import { buildControl, bindInputs, showValues, showFields, showSentence } from "./controls.js";
import { exportMenu, chartItems, dataItem } from "./export.js";

// Which schema keys are controls here, in page order, and the element id of each (the tests use
// these ids).
const CONTROL_IDS = {
  speed: "speed",
  lr: "lr",
  int: "integrator",
  top: "preset-top",
  bottom: "preset-bottom",
  seed: "seed",
  log: "log-scale",
  pause: "stop-at",
};
const ROWS = ["top", "bottom"];
const CANVASES = { "top-0": "q-top-0", "top-1": "q-top-1", "bottom-0": "q-bottom-0", "bottom-1": "q-bottom-1", loss: "loss-chart" };
// How long one animation frame may spend replaying a link (the rest of the frame draws).
const REPLAY_BUDGET_MS = 24;

const $ = (id) => document.getElementById(id);

const view = {
  shell: null,
  handle: null,
  inputs: {},
  playing: false,
  raf: 0,
  redrawRaf: 0,
  shown: false,
  drawnOnce: false, // for the start-up mark "fig3-drawn"
  drawQueued: false, // a drawing waits for the end of the current task (showState)
  refusal: "", // the message of the last refused value, shown until a value is accepted
};

function say(text) {
  $("message").textContent = text;
  $("message").hidden = !text;
}

/** A control's refusal (or "" when a value was accepted): it stays in view over the status line. */
function sayRefusal(text) {
  view.refusal = text;
  say(text);
}

/** Runs a call on the handle; a crash of the core is fatal (and the loop stops). */
function guarded(fn) {
  try {
    return fn();
  } catch (err) {
    pause();
    if (view.shell.isWasmCrash(err)) view.shell.showFatal(err.message);
    else say(String(err.message || err));
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Drawing and readouts

function showReadout() {
  const r = guarded(() => view.handle.readout());
  if (!r) return;
  for (const row of r.rows) {
    showFields($(`readout-${row.row}`), row.fields, row.row);
    const v = $(`verdict-${row.row}`);
    showSentence(v, row.verdict);
    v.dataset.obstructed = row.obstructed === null ? "" : String(row.obstructed);
    $(`row-${row.row}-title`).textContent = row.title;
  }
  say(view.refusal || r.message || "");
  document.getElementById("view-fig3").dataset.step = String(r.step);
  document.getElementById("view-fig3").dataset.replaying = String(r.replaying);
}

function draw(parts = Object.keys(CANVASES)) {
  if (!view.shown) return;
  const canvases = parts.map((part) => $(CANVASES[part]));
  view.shell.sizeCanvas(...canvases);
  parts.forEach((part, i) => guarded(() => view.handle.draw(canvases[i], part)));
  if (!view.drawnOnce) {
    view.drawnOnce = true;
    performance.mark("fig3-drawn");
  }
}

/**
 * Shows the state reached: the readouts now; the canvases once the current task is done (one
 * drawing for the view shown and its link applied at arrival), or by the animation's next frame
 * while it runs. Either way before anything is painted; drawing at each call drew the same figure
 * two or three times before the first paint.
 */
function showState() {
  showReadout();
  if (view.playing || view.drawQueued) return;
  view.drawQueued = true;
  queueMicrotask(() => {
    view.drawQueued = false;
    if (!view.playing) draw();
  });
}

function drawAll() {
  showReadout();
  draw();
}

/** Coalesces redraw requests (resize, rotation, control changes) into one animation frame. */
function scheduleRedraw() {
  if (view.redrawRaf || view.playing) return;
  view.redrawRaf = requestAnimationFrame(() => {
    view.redrawRaf = 0;
    drawAll();
  });
}

// ---------------------------------------------------------------------------------------------
// The animation loop (JavaScript owns requestAnimationFrame; Rust steps, replays and stops)

function frame() {
  view.raf = 0;
  if (!view.playing) return;
  const r = guarded(() => view.handle.frame());
  drawAll();
  view.shell.changed(false);
  if (!r || r.stop) {
    pause();
    return;
  }
  view.raf = requestAnimationFrame(frame);
}

function play() {
  if (view.playing || !view.handle) return;
  if (!guarded(() => view.handle.canPlay())) {
    showReadout();
    return;
  }
  view.playing = true;
  $("play").textContent = "Pause";
  $("play").setAttribute("aria-pressed", "true");
  view.raf = requestAnimationFrame(frame);
}

function pause() {
  view.playing = false;
  if (view.raf) cancelAnimationFrame(view.raf);
  view.raf = 0;
  $("play").textContent = "Play";
  $("play").setAttribute("aria-pressed", "false");
}

function togglePlay() {
  if (view.playing) pause();
  else play();
}

function stepOnce() {
  pause();
  guarded(() => view.handle.stepOnce());
  drawAll();
  view.shell.changed(true);
}

function reset() {
  pause();
  guarded(() => view.handle.reset());
  drawAll();
  view.shell.changed(true);
}

/** Replays a link in slices across frames, with the progress in the status line. */
function replayFrame() {
  const t0 = performance.now();
  let more = true;
  while (more && performance.now() - t0 < REPLAY_BUDGET_MS) more = Boolean(guarded(() => view.handle.replay()));
  drawAll();
  if (more) requestAnimationFrame(replayFrame);
  else view.shell.changed(false);
}

// ---------------------------------------------------------------------------------------------
// Controls, keys, rotation

function buildControls() {
  const schema = view.handle.schema();
  const box = $("fig3-settings");
  for (const [key, id] of Object.entries(CONTROL_IDS)) {
    const c = schema.find((entry) => entry.key === key);
    if (!c) continue;
    const { group, input } = buildControl(c, id);
    if (c.key === "seed") {
      const random = document.createElement("button");
      random.id = "random-seed";
      random.type = "button";
      random.textContent = "Random";
      random.addEventListener("click", () => {
        const result = guarded(() => view.handle.randomSeed());
        if (result && result.ok) {
          showValues(view.inputs, view.handle.schema());
          sayRefusal("");
          afterChange(result);
        }
      });
      group.append(random);
    }
    view.inputs[c.key] = input;
    box.append(group);
  }
  bindInputs(view.inputs, view.handle, sayRefusal, (result) => afterChange(result));
}

function afterChange(result) {
  if (!result.ok) return;
  if (result.change.restarted) pause();
  drawAll();
  if (result.change.changed) view.shell.changed(true);
}

function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey || !view.shown || view.shell.isFatal()) return;
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

function wireRotations() {
  for (const row of ROWS) {
    for (const k of [0, 1]) {
      view.shell.wireRotation($(`q-${row}-${k}`), (dx, dy) => {
        view.handle.rotate(row, dx, dy);
        if (view.playing) draw([`${row}-0`, `${row}-1`]);
        else scheduleRedraw();
        view.shell.changed(false);
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Export (www/export.js): one menu with every chart as PNG and SVG, the runs as CSV and JSON.

function addExports() {
  const onError = (err) => {
    if (!view.shell.isWasmCrash(err)) return false;
    view.shell.showFatal(err.message);
    return true;
  };
  const groups = ROWS.map((row) => {
    const items = [];
    for (const k of [0, 1]) {
      items.push(
        ...chartItems(`${row} run's neuron ${k + 1} chart`, `Neuron ${k + 1}`, `fig3-${row}-quadric-neuron${k + 1}`, () => $(`q-${row}-${k}`), (w, h) =>
          view.handle.svg(`${row}-${k}`, w, h),
        ),
      );
    }
    items.push(dataItem("Run CSV", `Save the ${row} run's data as CSV`, `fig3-${row}-run.csv`, () => view.handle.csv(row)));
    return { label: row === "top" ? "Top run" : "Bottom run", items, id: row };
  });
  const loss = chartItems("loss chart", "Loss chart", "fig3-loss", () => $("loss-chart"), (w, h) => view.handle.svg("loss", w, h));
  loss.push(dataItem("Both runs JSON", "Save both runs with their settings as JSON", "fig3-run.json", () => view.handle.json()));
  groups.push({ label: "Loss and both runs", items: loss, id: "loss" });
  $("controls").append(exportMenu(groups, { onError, idPrefix: "fig3-export", label: "Export the Fig. 3 charts and runs" }));
}

// ---------------------------------------------------------------------------------------------
// The view protocol (app.js) and links (links.js)

function init(wasm, shell) {
  view.shell = shell;
  view.handle = new wasm.Fig3View();
  performance.mark("fig3-model-built");
  buildControls();
  $("play").addEventListener("click", togglePlay);
  $("step").addEventListener("click", stepOnce);
  $("reset").addEventListener("click", reset);
  document.addEventListener("keydown", onKey);
  wireRotations();
  view.shell.watchCanvasSize(Object.values(CANVASES).map($), scheduleRedraw);
  for (const id of ["play", "step", "reset"]) $(id).disabled = false;
  addExports();
}

/** Starts playing by itself on arrival (a fresh run, not under reduced motion, not `play=0`). */
function autoplay() {
  if (!view.shown || view.playing || view.shell.reducedMotion() || view.shell.isFatal()) return;
  if (guarded(() => view.handle.playsOnArrival())) play();
}

function show() {
  view.shown = true;
  autoplay();
  showState();
}

function hide() {
  view.shown = false;
  pause();
}

function linkState() {
  return view.handle.linkState();
}

/** Applies a link to the handle; a long replay continues across frames. */
function applyLink(fragment) {
  pause();
  const rejections = view.handle.applyLink(fragment);
  view.refusal = "";
  showValues(view.inputs, view.handle.schema());
  if (view.handle.replaying()) requestAnimationFrame(replayFrame);
  else autoplay();
  showState();
  return rejections;
}

window.reluViews = window.reluViews || {};
window.reluViews.fig3 = {
  init,
  show,
  hide,
  linkState,
  applyLink,
  togglePlay,
  play,
  stepOnce,
  reset,
  /** The handle, for the topology view (its Fig. 2b network) and the tests. */
  handle: () => view.handle,
  isPlaying: () => view.playing,
  /** Reads out and draws everything again (the soak test steps the handle directly). */
  redraw: drawAll,
};
