// The heatmaps view (the paper's appendix heatmaps): P(obstruction) over input dimension d and
// hidden width l for Xavier normal and Kaiming normal, a seeded Monte Carlo check of a cell, and a
// live run of a random network of the clicked architecture. Thin shell: the grids, the drawing, the
// pointer-to-cell mapping, the estimates and the training all come from the Rust core.

import { el } from "./dom.js";
import { exportBar, chartItems, dataItem } from "./export.js";

const D_MAX = 50;
const L_MAX = 50;
const SCHEMES = ["xavier", "kaiming"];
const MC_MAX = 200000;
const STEPS_PER_FRAME = 5;
const RUN_STEP_LIMIT = 5000;
const REDUCED_MOTION_NOTE = "Reduced motion: press Play to train this network.";

const view = {
  wasm: null,
  shell: null,
  els: {},
  maps: [], // { handle, canvas, layout }
  current: null, // { map: 0|1, col, row }
  mc: { on: false, samples: 20000, seed: 1 },
  mcTimer: 0,
  redrawRaf: 0,
  dirty: new Set(),
  run: null,
  playing: false,
  raf: 0,
  visible: false,
  broken: false,
};


// ---------------------------------------------------------------------------------------------
// Errors and messages

function report(err) {
  if (view.shell.isWasmCrash(err)) {
    view.broken = true;
    pause();
    view.shell.showFatal(err.message || String(err));
  } else {
    say(String((err && err.message) || err));
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

function say(text) {
  view.els.message.textContent = text;
  view.els.message.hidden = !text;
}

// ---------------------------------------------------------------------------------------------
// DOM

/** A definition-list entry whose value is readable as text and, exactly, as data-value. */
function readoutItem(dl, id, label) {
  const dd = el("dd", { id });
  dl.append(el("div", {}, [el("dt", { text: label }), dd]));
  return dd;
}

function setValue(dd, text, raw) {
  dd.textContent = text;
  if (raw === undefined) delete dd.dataset.value;
  else dd.dataset.value = JSON.stringify(raw);
}

function build(root) {
  const e = view.els;
  root.append(
    el("h2", { class: "view-title", text: "Appendix: how often a standard initialization is obstructed" }),
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
  );

  const bar = el("div", { class: "controls-bar", role: "group", "aria-label": "Monte Carlo check" });
  e.mcOn = el("input", { id: "hm-mc-on", type: "checkbox" });
  e.samples = el("input", { id: "hm-mc-samples", type: "text", inputmode: "numeric", value: String(view.mc.samples), spellcheck: "false" });
  e.seed = el("input", { id: "hm-mc-seed", type: "text", inputmode: "numeric", value: String(view.mc.seed), spellcheck: "false" });
  e.runSeed = el("input", { id: "hm-run-seed", type: "text", inputmode: "numeric", value: "", placeholder: "random", spellcheck: "false" });
  bar.append(
    el("div", { class: "hm-group hm-check" }, [e.mcOn, el("label", { for: "hm-mc-on", text: "Monte Carlo check" })]),
    el("div", { class: "hm-group" }, [el("label", { for: "hm-mc-samples", text: `Samples (1 to ${MC_MAX})` }), e.samples]),
    el("div", { class: "hm-group" }, [el("label", { for: "hm-mc-seed", text: "Monte Carlo seed" }), e.seed]),
    el("div", { class: "hm-group" }, [el("label", { for: "hm-run-seed", text: "Run seed (empty: fresh)" }), e.runSeed]),
  );
  e.message = el("div", { id: "hm-message", class: "banner", role: "status", "aria-live": "polite", hidden: true });
  root.append(bar, e.message);

  const mapsBox = el("div", { class: "hm-maps" });
  SCHEMES.forEach((scheme, i) => {
    const canvas = el("canvas", {
      id: `hm-canvas-${scheme}`,
      class: "hm-canvas",
      tabindex: "0",
      role: "img",
      "aria-label": `Heatmap of P(obstruction) for ${scheme === "xavier" ? "Xavier" : "Kaiming"} normal initialization over width l and input dimension d. Arrow keys move the selected cell, Enter starts a run.`,
      "aria-describedby": "hm-readout",
    });
    view.maps.push({ scheme, canvas, handle: null, layout: null });
    mapsBox.append(el("div", { class: "card hm-card" }, [canvas]));
    wireMap(i);
  });
  root.append(mapsBox);

  const cellCard = el("section", { class: "card hm-cell", "aria-labelledby": "hm-cell-title" });
  const dl = el("dl", { id: "hm-readout", class: "readout", "aria-live": "polite" });
  e.cell = {
    scheme: readoutItem(dl, "hm-scheme", "initialization"),
    d: readoutItem(dl, "hm-d", "input dimension d"),
    l: readoutItem(dl, "hm-l", "hidden width l"),
    p: readoutItem(dl, "hm-p", "p = P(c_k < 0)"),
    pObs: readoutItem(dl, "hm-p-obstruction", "P(obstruction)"),
    comps: readoutItem(dl, "hm-components", "E[components]"),
    eff: readoutItem(dl, "hm-effective", "E[effective components] (our reading)"),
    mc: readoutItem(dl, "hm-mc", "Monte Carlo P(obstruction) ± s.e."),
    pmc: readoutItem(dl, "hm-p-mc", "Monte Carlo p̂ ± s.e."),
  };
  cellCard.append(
    el("h3", { id: "hm-cell-title", text: "The cell under the pointer" }),
    dl,
    el("p", {
      class: "fineprint",
      text:
        "The Monte Carlo check draws the given number of single neurons (w, v) with the scheme's sampler from the seed, " +
        "counts those with ‖w‖² < ‖v‖² to estimate p (the same estimator as `obstruction probability --mc N --seed S`), " +
        "then P(obstruction) = 1 − (1 − p̂)^l with the delta-method standard error l(1 − p̂)^(l−1)·se(p̂).",
    }),
  );
  root.append(cellCard);

  const runCard = el("section", { id: "hm-run", class: "card hm-run", "aria-labelledby": "hm-run-title" });
  e.runMsg = el("p", { id: "hm-run-message", class: "hm-run-message", text: "Click a cell to draw a random network of that shape." });
  e.play = el("button", { id: "hm-play", type: "button", text: "Play", disabled: true });
  e.steps = el("span", { id: "hm-steps", class: "hm-steps", text: "step 0" });
  e.loss = el("canvas", { id: "hm-loss", role: "img", "aria-label": "Training loss of the drawn network against the step" });
  const rdl = el("dl", { class: "readout" });
  e.run = {
    lMinus: readoutItem(rdl, "hm-run-lminus", "pathological neurons l−"),
    patho: readoutItem(rdl, "hm-run-pathological", "which (from 1)"),
    c: readoutItem(rdl, "hm-run-c", "c_k at initialization"),
    label: readoutItem(rdl, "hm-run-label", "component label"),
    comps: readoutItem(rdl, "hm-run-components", "components"),
    eff: readoutItem(rdl, "hm-run-effective", "effective components (our reading)"),
    loss: readoutItem(rdl, "hm-run-loss", "loss"),
  };
  e.verdict = el("p", { id: "hm-run-verdict", class: "verdict" });
  runCard.append(
    el("h3", { id: "hm-run-title", text: "A random network of the chosen shape, training live" }),
    e.runMsg,
    el("div", { class: "hm-run-controls" }, [e.play, e.steps]),
    (e.runBody = el("div", { class: "hm-run-body", hidden: true }, [e.loss, el("div", {}, [rdl, e.verdict])])),
    el("p", {
      class: "fineprint",
      text:
        "Our setup: a teacher of the same input dimension, y = σ(u₁·x) − σ(u₂·x) with two random unit vectors u₁, u₂ " +
        "(for d = 1, u₂ = −u₁), 200 Gaussian inputs, gradient descent with η = 0.05 on the squared loss, all from the run seed. " +
        "It needs one positive and one negative ReLU term; the verdict checks whether the drawn component allows them.",
    }),
  );
  root.append(runCard);

  e.mcOn.addEventListener("change", onMcSettings);
  e.samples.addEventListener("change", onMcSettings);
  e.seed.addEventListener("change", onMcSettings);
  e.runSeed.addEventListener("change", () => readRunSeed());
  e.play.addEventListener("click", togglePlay);
}

// ---------------------------------------------------------------------------------------------
// The heatmaps

function drawMap(i) {
  const m = view.maps[i];
  view.shell.sizeCanvas(m.canvas);
  const cur = view.current && view.current.map === i ? view.current : null;
  m.layout = m.handle.draw(m.canvas, cur ? cur.col : undefined, cur ? cur.row : undefined);
  // Where the cells are, in backing-store pixels (for tests and the curious).
  m.canvas.dataset.layout = JSON.stringify(m.layout);
}

function scheduleDraw(indices) {
  for (const i of indices) view.dirty.add(i);
  if (view.redrawRaf) return;
  view.redrawRaf = requestAnimationFrame(() => {
    view.redrawRaf = 0;
    const todo = [...view.dirty];
    view.dirty.clear();
    if (!view.visible) return;
    guarded(() => todo.forEach(drawMap));
  });
}

/** Canvas backing-store pixel of a pointer event. */
function backingPixel(canvas, ev) {
  const r = canvas.getBoundingClientRect();
  return [((ev.clientX - r.left) * canvas.width) / r.width, ((ev.clientY - r.top) * canvas.height) / r.height];
}

function cellUnder(i, ev) {
  const m = view.maps[i];
  const [x, y] = backingPixel(m.canvas, ev);
  return guarded(() => m.handle.cellAt(x, y));
}

function select(i, col, row) {
  const prev = view.current;
  if (prev && prev.map === i && prev.col === col && prev.row === row) return;
  view.current = { map: i, col, row };
  const redraw = new Set([i]);
  if (prev && prev.map !== i) redraw.add(prev.map);
  scheduleDraw(redraw);
  showCell();
}

function wireMap(i) {
  const canvas = view.maps[i].canvas;
  canvas.addEventListener("pointermove", (ev) => {
    if (!view.maps[i].handle) return;
    const cell = cellUnder(i, ev);
    if (cell) select(i, cell.col, cell.row);
  });
  canvas.addEventListener("click", (ev) => {
    if (!view.maps[i].handle) return;
    const cell = cellUnder(i, ev);
    if (!cell) return;
    select(i, cell.col, cell.row);
    startRun();
  });
  canvas.addEventListener("focus", () => {
    if (!view.current || view.current.map !== i) {
      const c = view.current || { col: 1, row: 1 };
      select(i, c.col, c.row);
    }
  });
  canvas.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const cur = view.current && view.current.map === i ? view.current : { col: 0, row: 0 };
    let { col, row } = cur;
    if (ev.key === "ArrowLeft") col = Math.max(0, col - 1);
    else if (ev.key === "ArrowRight") col = Math.min(L_MAX - 1, col + 1);
    else if (ev.key === "ArrowUp") row = Math.min(D_MAX - 1, row + 1);
    else if (ev.key === "ArrowDown") row = Math.max(0, row - 1);
    else if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      ev.stopPropagation();
      select(i, col, row);
      startRun();
      return;
    } else return;
    ev.preventDefault();
    ev.stopPropagation();
    select(i, col, row);
  });
}

function fmt(x, digits = 6) {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

function showCell() {
  const cur = view.current;
  if (!cur) return;
  const m = view.maps[cur.map];
  const c = guarded(() => m.handle.cell(cur.col, cur.row));
  if (!c) return;
  const e = view.els.cell;
  setValue(e.scheme, c.scheme_label, c.scheme);
  setValue(e.d, String(c.d), c.d);
  setValue(e.l, String(c.l), c.l);
  setValue(e.p, fmt(c.p), c.p);
  setValue(e.pObs, fmt(c.p_disconnected), c.p_disconnected);
  setValue(e.comps, fmt(c.expected_components, 3), c.expected_components);
  setValue(e.eff, fmt(c.expected_effective_components, 3), c.expected_effective_components);
  scheduleMc();
}

// ---------------------------------------------------------------------------------------------
// Monte Carlo

function markInvalid(input, bad) {
  if (bad) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

function wholeNumber(text, max) {
  if (!/^\d+$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) && n <= max ? n : null;
}

function onMcSettings() {
  const e = view.els;
  const errors = [];
  const samplesText = e.samples.value.trim();
  const samples = wholeNumber(samplesText, MC_MAX);
  const samplesBad = samples === null || samples < 1;
  if (samplesBad) errors.push(`Samples "${samplesText}" must be a whole number from 1 to ${MC_MAX}.`);
  markInvalid(e.samples, samplesBad);
  const seedText = e.seed.value.trim();
  const seed = wholeNumber(seedText, Number.MAX_SAFE_INTEGER);
  if (seed === null) errors.push(`Monte Carlo seed "${seedText}" must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}.`);
  markInvalid(e.seed, seed === null);
  if (errors.length) {
    say(`${errors.join(" ")} The previous value is still in use (${view.mc.samples} samples, seed ${view.mc.seed}).`);
  } else {
    say("");
    view.mc.samples = samples;
    view.mc.seed = seed;
  }
  view.mc.on = e.mcOn.checked;
  scheduleMc();
}

function scheduleMc() {
  const e = view.els.cell;
  if (!view.mc.on) {
    setValue(e.mc, "off");
    setValue(e.pmc, "off");
    return;
  }
  setValue(e.mc, "computing…");
  setValue(e.pmc, "computing…");
  // Coalesce quick pointer moves: only the last cell is estimated.
  clearTimeout(view.mcTimer);
  view.mcTimer = setTimeout(runMc, 30);
}

function runMc() {
  const cur = view.current;
  const e = view.els.cell;
  if (!cur || !view.mc.on) return;
  const m = view.maps[cur.map];
  const est = guarded(() => m.handle.monteCarlo(cur.col, cur.row, view.mc.samples, view.mc.seed));
  if (!est) return;
  setValue(e.mc, `${fmt(est.p_disconnected_mc)} ± ${fmt(est.p_disconnected_stderr)} (N = ${est.samples}, seed ${est.seed})`, est);
  setValue(e.pmc, `${fmt(est.p_mc)} ± ${fmt(est.p_mc_stderr)}`, { p_mc: est.p_mc, p_mc_stderr: est.p_mc_stderr });
}

// ---------------------------------------------------------------------------------------------
// The live run

function readRunSeed() {
  const text = view.els.runSeed.value.trim();
  if (text === "") {
    markInvalid(view.els.runSeed, false);
    return { seed: null };
  }
  const seed = wholeNumber(text, Number.MAX_SAFE_INTEGER);
  markInvalid(view.els.runSeed, seed === null);
  if (seed === null) {
    const msg = `Run seed "${text}" must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, or empty for a fresh seed.`;
    say(msg);
    return { error: msg };
  }
  say("");
  return { seed };
}

function startRun() {
  const cur = view.current;
  if (!cur) return;
  const rs = readRunSeed();
  if (rs.error) return;
  const m = view.maps[cur.map];
  guarded(() => {
    const seed = rs.seed === null ? view.wasm.randomSeed() : rs.seed;
    const run = new view.wasm.RandomNetworkRun(m.scheme, cur.row + 1, cur.col + 1, seed);
    if (view.run) view.run.free();
    view.run = run;
    view.runOf = { seed, map: cur.map, col: cur.col, row: cur.row };
    view.els.play.disabled = false;
    view.els.runBody.hidden = false;
    showRun();
    // Under prefers-reduced-motion nothing moves until the reader presses Play.
    if (view.shell.reducedMotion && view.shell.reducedMotion()) say(REDUCED_MOTION_NOTE);
    else play();
  });
}

function showRun() {
  const r = guarded(() => view.run.readout());
  if (!r) return;
  const e = view.els;
  e.runMsg.textContent = r.message;
  e.runMsg.dataset.value = JSON.stringify({ scheme: r.scheme, d: r.d, l: r.l, seed: r.seed, l_minus: r.l_minus });
  e.steps.textContent = `step ${r.step}`;
  e.steps.dataset.value = String(r.step);
  setValue(e.run.lMinus, String(r.l_minus), r.l_minus);
  setValue(e.run.patho, r.pathological.length ? r.pathological.map((k) => k + 1).join(", ") : "none", r.pathological);
  const shown = r.c_initial.slice(0, 12).map((c) => fmt(c, 3).replace("-", "−"));
  setValue(e.run.c, `(${shown.join(", ")}${r.c_initial.length > 12 ? ", …" : ""})`, r.c_initial);
  setValue(e.run.label, r.component_label.length ? `(${r.component_label.map((s) => (s > 0 ? "+" : "−")).join(", ")})` : "()", r.component_label);
  setValue(e.run.comps, String(r.components), r.components);
  setValue(e.run.eff, String(r.effective_components), r.effective_components);
  setValue(e.run.loss, Number.isFinite(r.loss) ? r.loss.toExponential(4) : String(r.loss), r.loss);
  if (r.verdict) {
    e.verdict.textContent = r.verdict.reason;
    e.verdict.className = `verdict ${r.verdict.obstructed ? "obstructed" : "ok"}`;
    e.verdict.dataset.value = String(r.verdict.obstructed);
  }
  if (r.failure) {
    say(`The run stopped: ${r.failure}`);
    pause();
  }
  view.shell.sizeCanvas(e.loss);
  guarded(() => view.run.drawLoss(e.loss, true));
}

function frame() {
  view.raf = 0;
  if (!view.playing || !view.run || view.broken) return;
  let ok = true;
  try {
    view.run.step(STEPS_PER_FRAME);
  } catch (err) {
    ok = false;
    report(err);
  }
  showRun();
  const r = view.els.steps.dataset.value;
  if (!ok || Number(r) >= RUN_STEP_LIMIT) {
    pause();
    return;
  }
  view.raf = requestAnimationFrame(frame);
}

function play() {
  if (!view.run || view.broken) return;
  view.playing = true;
  view.els.play.textContent = "Pause";
  view.els.play.setAttribute("aria-pressed", "true");
  if (!view.raf) view.raf = requestAnimationFrame(frame);
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
  else {
    if (view.els.message.textContent === REDUCED_MOTION_NOTE) say("");
    play();
  }
}

// ---------------------------------------------------------------------------------------------
// Export (www/export.js): each heatmap as PNG, SVG and its grid as CSV; the live run's loss chart
// as PNG and SVG and the run as CSV and JSON.

function addExports() {
  const onError = (err) => {
    if (!view.shell.isWasmCrash(err)) return false;
    report(err);
    return true;
  };
  view.maps.forEach((m, i) => {
    const items = chartItems(`${m.scheme} heatmap`, "Heatmap", `heatmap-${m.scheme}`, () => m.canvas, (w, h) => {
      const cur = view.current && view.current.map === i ? view.current : null;
      return m.handle.svg(w, h, cur ? cur.col : undefined, cur ? cur.row : undefined);
    });
    items.push(dataItem("Grid CSV", `Save the ${m.scheme} grid of P(obstruction) as CSV`, `heatmap-${m.scheme}-grid.csv`, () => m.handle.exportCsv()));
    m.canvas.after(exportBar("Save:", items, { onError, idPrefix: `hm-export-${m.scheme}` }));
  });
  const run = () => {
    if (!view.run) throw new Error("no run yet: click a cell first");
    return view.run;
  };
  const base = () => {
    const r = JSON.parse(view.els.runMsg.dataset.value || "{}");
    return `heatmap-run-${r.scheme}-d${r.d}-l${r.l}-seed${r.seed}`;
  };
  const items = [
    ...chartItems("loss chart of the drawn network", "Loss chart", () => `${base()}-loss`, () => view.els.loss, (w, h) => run().lossSvg(true, w, h)),
    dataItem("Run CSV", "Save the run's data as CSV", () => `${base()}.csv`, () => run().exportCsv()),
    dataItem("Run JSON", "Save the run with its settings as JSON", () => `${base()}.json`, () => run().exportJson()),
  ];
  // Inside the run's body (hidden until a cell is clicked), under the loss chart.
  const chart = el("div", { class: "hm-run-chart" });
  view.els.loss.replaceWith(chart);
  chart.append(view.els.loss, exportBar("Save:", items, { onError, idPrefix: "hm-export-run" }));
}

// ---------------------------------------------------------------------------------------------
// Registration

// ---------------------------------------------------------------------------------------------
// Links (keys and limits: src/link.rs)

function getState() {
  const cur = view.current;
  const seedText = view.els.runSeed.value.trim();
  const rseed = wholeNumber(seedText, Number.MAX_SAFE_INTEGER);
  const run = view.run && view.runOf;
  return {
    sel: cur ? SCHEMES[cur.map] : "none",
    d: cur ? cur.row + 1 : 1,
    l: cur ? cur.col + 1 : 1,
    mc: view.mc.on,
    n: view.mc.samples,
    mcseed: view.mc.seed,
    rseed: seedText === "" ? null : rseed,
    run: run ? run.seed : null,
    rstep: run ? Number(view.els.steps.dataset.value || 0) : 0,
  };
}

/** Restores a state from a link: the selected cell, the Monte Carlo settings and the live run
 * (replayed to `rstep`, paused). */
function setState(v) {
  pause();
  const e = view.els;
  e.mcOn.checked = v.mc;
  e.samples.value = String(v.n);
  e.seed.value = String(v.mcseed);
  e.runSeed.value = v.rseed === null ? "" : String(v.rseed);
  for (const input of [e.samples, e.seed, e.runSeed]) markInvalid(input, false);
  view.mc = { on: v.mc, samples: v.n, seed: v.mcseed };
  const map = SCHEMES.indexOf(v.sel);
  if (map >= 0) {
    select(map, v.l - 1, v.d - 1);
    showCell();
  } else if (view.current) {
    const prev = view.current.map;
    view.current = null;
    scheduleDraw([prev]);
  }
  const cur = view.current;
  const same = view.run && view.runOf && cur && view.runOf.seed === v.run && view.runOf.map === cur.map &&
    view.runOf.col === cur.col && view.runOf.row === cur.row && Number(e.steps.dataset.value) <= v.rstep;
  if (v.run === null || !cur) {
    if (view.run) view.run.free();
    view.run = null;
    view.runOf = null;
    e.play.disabled = true;
    e.runBody.hidden = true;
    e.steps.textContent = "step 0";
    e.steps.dataset.value = "0";
    return;
  }
  guarded(() => {
    if (!same) {
      const run = new view.wasm.RandomNetworkRun(SCHEMES[cur.map], cur.row + 1, cur.col + 1, v.run);
      if (view.run) view.run.free();
      view.run = run;
      view.runOf = { seed: v.run, map: cur.map, col: cur.col, row: cur.row };
    }
    const todo = v.rstep - Number(view.run.readout().step);
    if (todo > 0) view.run.step(todo);
    e.play.disabled = false;
    e.runBody.hidden = false;
    showRun();
  });
}

window.reluViews = window.reluViews || {};
window.reluViews.heatmaps = {
  getState,
  setState,
  init(wasm, shell) {
    view.wasm = wasm;
    view.shell = shell;
    const root = document.getElementById("heatmaps-root");
    build(root);
    view.visible = true;
    // Compute both grids and draw both maps, timed (after the browser has laid out the new DOM,
    // which is the page's cost, not the heatmaps').
    root.getBoundingClientRect();
    const t0 = performance.now();
    let t1 = t0;
    guarded(() => {
      view.maps.forEach((m) => {
        m.handle = new wasm.ObstructionMap(m.scheme, D_MAX, L_MAX);
      });
      t1 = performance.now();
      view.maps.forEach((_, i) => drawMap(i));
    });
    const t2 = performance.now();
    root.dataset.renderMs = (t2 - t0).toFixed(2);
    root.dataset.computeMs = (t1 - t0).toFixed(2);
    root.dataset.drawMs = (t2 - t1).toFixed(2);
    console.log(
      `heatmaps: computed both ${D_MAX} × ${L_MAX} grids in ${(t1 - t0).toFixed(1)} ms and drew them in ${(t2 - t1).toFixed(1)} ms`,
    );
    scheduleMc();
    addExports();
    const ro = new ResizeObserver(() => {
      if (view.visible) scheduleDraw([0, 1]);
      // A paused run's loss chart is redrawn at its new size (a playing one is, every frame).
      if (view.visible && view.run && !view.playing) showRun();
    });
    view.maps.forEach((m) => ro.observe(m.canvas));
    ro.observe(view.els.loss);
    // For the console and the end-to-end test: the view's state, and a timed recompute + redraw.
    window.reluHeatmaps = {
      view,
      timeRender() {
        const s = performance.now();
        view.maps.forEach((m) => {
          const fresh = new wasm.ObstructionMap(m.scheme, D_MAX, L_MAX);
          m.handle.free();
          m.handle = fresh;
        });
        view.maps.forEach((_, i) => drawMap(i));
        return performance.now() - s;
      },
    };
  },
  show() {
    view.visible = true;
    scheduleDraw([0, 1]);
  },
  hide() {
    view.visible = false;
    pause();
  },
};
