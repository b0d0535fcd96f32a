// The heatmaps view (the paper's appendix heatmaps): P(obstruction) over input dimension d and
// hidden width l for Xavier normal and Kaiming normal, a seeded Monte Carlo check of a cell, and a
// live run of a random network of the clicked architecture. Thin shell over the Rust view model
// (wasm.HeatmapsView, src/app/heatmaps.rs): its controls come from handle.schema(), typed text goes
// to handle.set(key, text), and every text shown was written in Rust. This module owns the DOM, the
// animation loop and the coalescing of pointer moves before a Monte Carlo check.

import { el } from "./dom.js";
import { exportBar, exportMenu, chartItems, dataItem } from "./export.js";
import { buildControl, bindInputs, showFields, showSentence, showValues } from "./controls.js";

const MAPS = ["xavier", "kaiming"];
// The controls of the bar, by schema key, with the element ids the tests use.
const CONTROLS = { mc: "hm-mc-on", n: "hm-mc-samples", mcseed: "hm-mc-seed", rseed: "hm-run-seed" };
// Quick pointer moves are coalesced: only the cell the pointer rests on is estimated.
const MC_DELAY_MS = 30;

const view = {
  wasm: null,
  shell: null,
  handle: null,
  els: {},
  inputs: {},
  canvases: {},
  rejection: "",
  note: "",
  mcTimer: 0,
  redrawRaf: 0,
  dirty: new Set(),
  raf: 0,
  visible: false,
  broken: false,
};

// ---------------------------------------------------------------------------------------------
// Errors and messages

function report(err) {
  if (view.shell.isWasmCrash(err)) {
    view.broken = true;
    stopLoop();
    view.shell.showFatal(err.message || String(err));
  } else {
    view.rejection = String((err && err.message) || err);
    showMessage();
  }
}

function guarded(fn) {
  if (view.broken) return undefined;
  try {
    return fn();
  } catch (err) {
    report(err);
    return undefined;
  }
}

/** The message box shows a refused value first, else the view model's note. */
function showMessage() {
  const text = view.rejection || view.note;
  view.els.message.textContent = text;
  view.els.message.hidden = !text;
}

function say(text) {
  view.rejection = text;
  showMessage();
}

/** Tells the shell that the state changed: a new history entry (`push`) or the current one. */
function changed(push) {
  view.shell.changed(push);
}

// ---------------------------------------------------------------------------------------------
// DOM

function build(root) {
  const e = view.els;
  e.head = el("div", { class: "view-head" }, [el("h2", { class: "view-title", text: "Appendix: how often a standard initialization is obstructed" })]);
  root.append(e.head);
  const explain = el("div", { class: "explain" }, [
    el("p", {
      class: "view-intro",
      text:
        "Each cell is one network shape: input dimension d (rows, 1 to 50) and hidden width l (columns, 1 to 50), " +
        "with one output. Its colour is the probability that a Gaussian initialization leaves the network's " +
        "invariant set H(c) in several disconnected pieces, P(obstruction) = 1 − (1 − p)^l, where p is the " +
        "chance that one neuron is pathological (its output weight outweighs its input weights, c_k < 0). " +
        "Hover a cell (or focus a map and use the arrow keys) to read it; click it (or press Enter) to draw " +
        "a random network of that shape and watch it train.",
    }),
    el("p", {
      class: "reading",
      text:
        "Our reading: the paper's appendix heatmaps are read here as P(H(c) disconnected); the closed form " +
        "p = I_x(d/2, 1/2) with x = σ_v²/(σ_w² + σ_v²) is our derivation. For d = 1 every neuron's quadric has " +
        "two pieces whatever the sign of c_k, so that row is 1. Kaiming normal uses fan_in (our reading of the mode).",
    }),
  ]);

  const bar = el("div", { class: "controls-bar", role: "group", "aria-label": "Monte Carlo check" });
  for (const c of view.handle.schema()) {
    const id = CONTROLS[c.key];
    if (!id) continue;
    const { group, input } = buildControl(c, id);
    group.classList.add("hm-group");
    if (c.kind === "toggle") group.classList.add("hm-check");
    if (c.key === "rseed") input.placeholder = "random";
    view.inputs[c.key] = input;
    bar.append(group);
  }
  e.message = el("div", { id: "hm-message", class: "banner toast", role: "status", "aria-live": "polite", hidden: true });

  const mapsBox = (view.els.mapsBox = el("div", { class: "hm-maps" }));
  for (const part of MAPS) {
    const canvas = el("canvas", {
      id: `hm-canvas-${part}`,
      class: "hm-canvas",
      tabindex: "0",
      role: "img",
      "aria-label": `Heatmap of P(obstruction) for ${part === "xavier" ? "Xavier" : "Kaiming"} normal initialization over width l and input dimension d. Arrow keys move the selected cell, Enter starts a run.`,
      "aria-describedby": "hm-readout",
    });
    view.canvases[part] = canvas;
    mapsBox.append(el("div", { class: "card hm-card" }, [canvas]));
    wireMap(part);
  }
  // The maps with the hovered cell's readout and the drawn network's run beside them.
  const side = el("div", { class: "hm-side" });
  root.append(el("div", { class: "hm-layout" }, [mapsBox, side]));

  const cellCard = el("section", { class: "card hm-cell", "aria-labelledby": "hm-cell-title" });
  e.cell = el("dl", { id: "hm-readout", class: "readout", "aria-live": "polite" });
  cellCard.append(
    el("h3", { id: "hm-cell-title", text: "The cell under the pointer" }),
    e.cell,
    el("p", {
      class: "fineprint",
      text:
        "The Monte Carlo check draws the given number of single neurons (w, v) with the scheme's sampler from the seed, " +
        "counts those with ‖w‖² < ‖v‖² to estimate p (the same estimator as `obstruction probability --mc N --seed S`), " +
        "then P(obstruction) = 1 − (1 − p̂)^l with the delta-method standard error l(1 − p̂)^(l−1)·se(p̂).",
    }),
  );
  side.append(cellCard);

  const runCard = el("section", { id: "hm-run", class: "card hm-run", "aria-labelledby": "hm-run-title" });
  e.runMsg = el("p", { id: "hm-run-message", class: "hm-run-message" });
  e.play = el("button", { id: "hm-play", type: "button", text: "Play", disabled: true });
  e.steps = el("span", { id: "hm-steps", class: "hm-steps" });
  e.loss = el("canvas", { id: "hm-loss", role: "img", "aria-label": "Training loss of the drawn network against the step" });
  e.runDl = el("dl", { class: "readout" });
  e.verdict = el("p", { id: "hm-run-verdict", class: "verdict" });
  runCard.append(
    el("h3", { id: "hm-run-title", text: "A random network of the chosen shape, training live" }),
    e.runMsg,
    el("div", { class: "hm-run-controls" }, [e.play, e.steps]),
    (e.runBody = el("div", { class: "hm-run-body", hidden: true }, [e.loss, el("div", {}, [e.runDl, e.verdict])])),
    el("p", {
      class: "fineprint",
      text:
        "Our setup: a teacher of the same input dimension, y = σ(u₁·x) − σ(u₂·x) with two random unit vectors u₁, u₂ " +
        "(for d = 1, u₂ = −u₁), 200 Gaussian inputs, gradient descent with η = 0.05 on the squared loss, all from the run seed. " +
        "It needs one positive and one negative ReLU term; the verdict checks whether the drawn component allows them.",
    }),
  );
  // The status line last: coming and going, it moves nothing above it.
  side.append(runCard, e.message);
  root.append(bar, explain);

  bindInputs(view.inputs, view.handle, say, (result) => {
    if (!result.ok) return;
    if (result.change.changed) changed(true);
    refresh();
  });
  e.play.addEventListener("click", togglePlay);
}

// ---------------------------------------------------------------------------------------------
// Readouts

/** Prints the view model's readout; returns it. */
function refresh() {
  const r = guarded(() => view.handle.readout());
  if (!r) return undefined;
  const e = view.els;
  showFields(e.cell, r.cell, "hm");
  e.runMsg.textContent = r.message.text;
  e.runMsg.dataset.value = r.message.value;
  e.steps.textContent = r.steps.text;
  e.steps.dataset.value = r.steps.value;
  e.play.textContent = r.play_label;
  e.play.setAttribute("aria-pressed", String(r.playing));
  e.play.disabled = !r.run;
  e.runBody.hidden = !r.run;
  if (r.run) {
    showFields(e.runDl, r.run.fields, "hm-run");
    showSentence(e.verdict, r.run.verdict);
  }
  view.note = r.note || "";
  showMessage();
  if (r.mc_pending) scheduleEstimate();
  return r;
}

function scheduleEstimate() {
  clearTimeout(view.mcTimer);
  view.mcTimer = setTimeout(() => {
    if (guarded(() => view.handle.estimate())) refresh();
  }, MC_DELAY_MS);
}

// ---------------------------------------------------------------------------------------------
// The heatmaps

function drawMap(part) {
  const canvas = view.canvases[part];
  view.shell.sizeCanvas(canvas);
  // Where the cells are, in backing-store pixels (for tests and the curious).
  canvas.dataset.layout = view.handle.draw(canvas, part);
}

function drawLoss() {
  if (view.els.runBody.hidden) return;
  view.shell.sizeCanvas(view.els.loss);
  view.handle.draw(view.els.loss, "loss");
}

function scheduleDraw(parts) {
  for (const p of parts) view.dirty.add(p);
  if (view.redrawRaf) return;
  view.redrawRaf = requestAnimationFrame(() => {
    view.redrawRaf = 0;
    const todo = [...view.dirty];
    view.dirty.clear();
    if (!view.visible) return;
    guarded(() => todo.forEach(drawMap));
  });
}

/** Shows what a pointer move, click, focus or key did (`out` from the handle). */
function applied(out, push) {
  if (!out) return;
  scheduleDraw(out.redraw);
  if (out.cell || out.run) {
    refresh();
    changed(push || out.run);
  }
  if (out.run) {
    guarded(drawLoss);
    startLoop();
  }
}

/** Canvas backing-store pixel of a pointer event. */
function backingPixel(canvas, ev) {
  const r = canvas.getBoundingClientRect();
  return [((ev.clientX - r.left) * canvas.width) / r.width, ((ev.clientY - r.top) * canvas.height) / r.height];
}

function wireMap(part) {
  const canvas = view.canvases[part];
  const point = (ev, press) => {
    const [x, y] = backingPixel(canvas, ev);
    if (press) view.handle.setReducedMotion(view.shell.reducedMotion());
    applied(guarded(() => view.handle.pointAt(part, x, y, press)), press);
  };
  canvas.addEventListener("pointermove", (ev) => point(ev, false));
  canvas.addEventListener("click", (ev) => point(ev, true));
  canvas.addEventListener("focus", () => applied(guarded(() => view.handle.focus(part)), false));
  canvas.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    view.handle.setReducedMotion(view.shell.reducedMotion());
    const out = guarded(() => view.handle.key(part, ev.key));
    if (!out || !out.handled) return;
    ev.preventDefault();
    ev.stopPropagation();
    applied(out, false);
  });
}

// ---------------------------------------------------------------------------------------------
// The live run: the animation loop

function frame() {
  view.raf = 0;
  if (view.broken || !view.visible) return;
  const going = guarded(() => view.handle.step());
  refresh();
  guarded(drawLoss);
  changed(false);
  if (going) view.raf = requestAnimationFrame(frame);
}

function startLoop() {
  const r = guarded(() => view.handle.readout());
  if (r && r.playing && !view.raf) view.raf = requestAnimationFrame(frame);
}

function stopLoop() {
  if (view.raf) cancelAnimationFrame(view.raf);
  view.raf = 0;
}

function togglePlay() {
  const playing = guarded(() => view.handle.togglePlay());
  if (!playing) stopLoop();
  refresh();
  startLoop();
}

// ---------------------------------------------------------------------------------------------
// Export (www/export.js): each heatmap as PNG, SVG and its grid as CSV; the live run's loss chart
// as PNG and SVG and the run as CSV and JSON. File names and contents come from the handle.

function addExports() {
  const onError = (err) => {
    if (!view.shell.isWasmCrash(err)) return false;
    report(err);
    return true;
  };
  const h = view.handle;
  const groups = MAPS.map((part) => {
    const items = chartItems(`${part} heatmap`, "Heatmap", () => h.fileName(part, false, false), () => view.canvases[part], (w, hh) => h.svg(part, w, hh));
    items.push(dataItem("Grid CSV", `Save the ${part} grid of P(obstruction) as CSV`, () => h.fileName(part, true, false), () => h.csv(part)));
    return { label: { xavier: "Xavier map", kaiming: "Kaiming map" }[part], items, id: part };
  });
  view.els.head.append(exportMenu(groups, { onError, idPrefix: "hm-export", label: "Export the heatmaps" }));
  const items = [
    ...chartItems("loss chart of the drawn network", "Loss chart", () => h.fileName("loss", false, false), () => view.els.loss, (w, hh) => h.svg("loss", w, hh)),
    dataItem("Run CSV", "Save the run's data as CSV", () => h.fileName("run", true, false), () => h.csv("run")),
    dataItem("Run JSON", "Save the run with its settings as JSON", () => h.fileName("run", true, true), () => h.json()),
  ];
  // Inside the run's body (hidden until a cell is clicked), under the loss chart.
  const chart = el("div", { class: "hm-run-chart" });
  view.els.loss.replaceWith(chart);
  chart.append(view.els.loss, exportBar("Save:", items, { onError, idPrefix: "hm-export-run" }));
}

// ---------------------------------------------------------------------------------------------
// Registration, with the link protocol (the link's keys and limits: src/app/link.rs)

/** Draws everything again and prints the readout (after a link or a resize). */
function redrawAll() {
  scheduleDraw(MAPS);
  refresh();
  guarded(drawLoss);
}

window.reluViews = window.reluViews || {};
window.reluViews.heatmaps = {
  init(wasm, shell) {
    view.wasm = wasm;
    view.shell = shell;
    const root = document.getElementById("heatmaps-root");
    // Compute both grids and draw both maps, timed (after the browser has laid out the new DOM,
    // which is the page's cost, not the heatmaps').
    const t0 = performance.now();
    view.handle = new wasm.HeatmapsView();
    const t1 = performance.now();
    build(root);
    view.visible = true;
    root.getBoundingClientRect();
    const t2 = performance.now();
    guarded(() => MAPS.forEach(drawMap));
    const t3 = performance.now();
    root.dataset.computeMs = String(t1 - t0);
    root.dataset.drawMs = String(t3 - t2);
    root.dataset.renderMs = String(t1 - t0 + (t3 - t2));
    refresh();
    addExports();
    view.shell.watchCanvasSize([...MAPS.map((p) => view.canvases[p]), view.els.loss], () => {
      if (!view.visible) return;
      scheduleDraw(MAPS);
      // A paused run's loss chart is redrawn at its new size (a playing one is, every frame).
      if (!view.raf) guarded(drawLoss);
    });
    // For the console, the end-to-end tests and the benchmark: a timed recompute + redraw.
    window.reluHeatmaps = {
      view,
      timeRender() {
        const s = performance.now();
        guarded(() => {
          view.handle.recompute();
          MAPS.forEach(drawMap);
        });
        return performance.now() - s;
      },
    };
  },
  show() {
    view.visible = true;
    redrawAll();
    startLoop();
  },
  hide() {
    view.visible = false;
    guarded(() => view.handle.pause());
    stopLoop();
  },
  linkState() {
    return view.handle.linkState();
  },
  /** The handle, for the tests. */
  handle: () => view.handle,
  applyLink(fragment) {
    stopLoop();
    const rejections = guarded(() => view.handle.applyLink(fragment)) || [];
    showValues(view.inputs, guarded(() => view.handle.schema()) || []);
    view.rejection = "";
    redrawAll();
    return rejections;
  },
};
