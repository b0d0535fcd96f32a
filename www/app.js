// The thin shell of relu-obstruction: the router between the views, the fatal-error banner, canvas
// sizing and pointer rotation shared by the views, classroom support and links. Every view is a
// module (fig3.js, fig1b.js, topology.js, heatmaps.js, fig4.js) over its Rust handle; all maths,
// all checks and every text shown come from the Rust core: Fig. 3 and the links from the first
// screen's wasm (window.wasmBindings, set by Trunk), every other view from the whole library's,
// loaded when one of them is about to open (cores.js).

import { installClassroom, prefersReducedMotion } from "./classroom.js";
import { wholeCore } from "./cores.js";
import { initLinks, notifyChange, reapplyLink } from "./links.js";

const VIEWS = ["fig3", "fig1b", "topology", "heatmaps", "fig4", "lab"];
// Routed views that show another view's section: the tour (tour.js) walks through the five.
const ROUTES = [...VIEWS, "tour"];
// Pixels a rotation key moves, as if dragged.
const KEY_DRAG = 10;

const state = {
  wasm: null, // the first screen's module: Fig. 3 and the links
  whole: null, // the whole library's module, once loaded: every other view (cores.js)
  wholeLoading: false,
  fatal: false,
  presentation: false, // classroom presentation mode (classroom.js)
  activeView: "fig3", // set from the link (links.js)
  shownView: "fig3", // the section on screen (the tour's current step's view while touring)
  embedded: false, // embed=1 in the link: only the figure and its essential controls
};
const started = new Set();

// ---------------------------------------------------------------------------------------------
// Fatal errors: a crash of the core stops the page visibly.

function isWasmCrash(err) {
  return err instanceof WebAssembly.RuntimeError || (err && err.name === "RuntimeError");
}

function showFatal(text) {
  if (state.fatal) return;
  state.fatal = true;
  for (const name of VIEWS) {
    const mod = viewModule(name);
    if (mod && started.has(name) && mod.hide) {
      try {
        mod.hide();
      } catch {
        // the page is stopping anyway
      }
    }
  }
  const el = document.getElementById("fatal");
  el.textContent = `Internal error: ${text}. The page stopped to stay safe; reload it to start again.`;
  el.hidden = false;
  for (const button of document.querySelectorAll("main button")) button.disabled = true;
}

addEventListener("error", (e) => showFatal(e.message || "unexpected error"));
addEventListener("unhandledrejection", (e) => showFatal(String(e.reason && e.reason.message ? e.reason.message : e.reason)));

// ---------------------------------------------------------------------------------------------
// What the views share

/** The backing-store size, [width, height], that each canvas's CSS box times devicePixelRatio asks for. */
function canvasTargets(canvases) {
  const dpr = window.devicePixelRatio || 1;
  // Every box is read before any canvas is resized: a resize between two reads would force a
  // second layout.
  return canvases
    .map((canvas) => canvas.getBoundingClientRect())
    .map((r) => [Math.max(1, Math.round(r.width * dpr)), Math.max(1, Math.round(r.height * dpr))]);
}

/** The canvases that sizeCanvas has sized at least once. */
const sized = new WeakSet();

/** Sizes each canvas's backing store to its CSS box times devicePixelRatio (laid out once for all). */
function sizeCanvas(...canvases) {
  canvasTargets(canvases).forEach(([w, h], i) => {
    const canvas = canvases[i];
    sized.add(canvas);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
  });
}

/**
 * Calls `onResize()` when one of `canvases` needs another backing store (or was never sized):
 * a ResizeObserver whose reports of an unchanged size are dropped, among them its first one, when
 * observation starts, and those of sub-pixel changes, which would redraw a figure that did not
 * change.
 */
function watchCanvasSize(canvases, onResize) {
  const observer = new ResizeObserver((entries) => {
    const reported = entries.map((entry) => entry.target);
    const targets = canvasTargets(reported);
    const stale = reported.some((c, i) => !sized.has(c) || c.width !== targets[i][0] || c.height !== targets[i][1]);
    if (stale) onResize();
  });
  for (const canvas of canvases) observer.observe(canvas);
}

/** Turns a 3-D plot: pointer drags (mouse, pen, touch) and arrow keys on the focused canvas call
 * `rotate(dxPixels, dyPixels)`; the view's Rust handle turns the drag into angles. */
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
    const d = { ArrowLeft: [-KEY_DRAG, 0], ArrowRight: [KEY_DRAG, 0], ArrowUp: [0, -KEY_DRAG], ArrowDown: [0, KEY_DRAG] }[e.key];
    if (!d) return;
    e.preventDefault();
    e.stopPropagation();
    rotate(d[0], d[1]);
  });
}

function viewModule(name) {
  return (window.reluViews || {})[name];
}

/** What the shell offers to the views. */
const shell = {
  showFatal,
  isWasmCrash,
  isFatal: () => state.fatal,
  sizeCanvas,
  watchCanvasSize,
  wireRotation,
  /** True under prefers-reduced-motion: views then start no animation by themselves. */
  reducedMotion: prefersReducedMotion,
  /** A view's state changed: a new history entry (`push`) or, for continuous changes, the current one. */
  changed: (push) => notifyChange(push),
  /** The Fig. 3 handle (the topology view shows its networks). */
  fig3View: () => viewModule("fig3").handle(),
  /** The tour's step: show `view` at `link`, pressing Play when `autoplay`. */
  openStep,
  /** Whether the page is embedded (embed=1): views then show only their figure. */
  isEmbedded: () => state.embedded,
  // setPresentation(on) and isPresentation() are added by installClassroom in init.
};

// ---------------------------------------------------------------------------------------------
// Views: one section per figure, chosen by the link.

function currentView() {
  return ROUTES.includes(state.activeView) ? state.activeView : "fig3";
}

/**
 * Starts `name` if it is not yet started, and returns its module; null while the whole module that
 * it runs on is still loading (it starts when the module arrives, and the link is applied again).
 */
function ensureStarted(name) {
  const mod = viewModule(name);
  if (!mod || started.has(name)) return mod;
  const wasm = name === "fig3" ? state.wasm : state.whole;
  if (!wasm) {
    loadWhole();
    return null;
  }
  started.add(name);
  mod.init(wasm, shell);
  // For the end-to-end tests: the view's controls exist from here on.
  const section = document.querySelector(`section.view[data-view="${name}"]`);
  if (section) section.dataset.started = "true";
  return mod;
}

/** Says what the page is loading or why it could not (empty: nothing to say), with a Retry button
 * that calls `retry` when given. */
function coreStatus(text, retry) {
  const box = document.getElementById("core-status");
  box.querySelector("span").textContent = text;
  const button = box.querySelector("button");
  button.hidden = !retry;
  button.onclick = retry || null;
  box.hidden = !text;
}

/**
 * Loads the whole module (cores.js) for the views other than Fig. 3, once: asked when such a view
 * opens, and earlier when the reader points at the navigation. When it arrives, the link in the
 * address bar is applied again, which starts the view it names. A failure is said, and opening a
 * view again retries.
 */
function loadWhole() {
  if (state.whole || state.fatal) return;
  const waiting = () => currentView() !== "fig3";
  if (waiting()) coreStatus("Loading this view…");
  if (state.wholeLoading) return;
  state.wholeLoading = true;
  wholeCore().then(
    (core) => {
      state.wholeLoading = false;
      state.whole = core.wasm;
      window.reluApp.whole = core.wasm;
      // Charts drawn from now on follow presentation mode in this module too.
      if (state.presentation) state.whole.setChartText(true, window.devicePixelRatio || 1);
      coreStatus("");
      if (waiting()) guard(() => reapplyLink());
    },
    (err) => {
      state.wholeLoading = false;
      if (waiting()) coreStatus(`This view could not be loaded (${(err && err.message) || err}).`, loadWhole);
    },
  );
}

/** Shows the section of `name` (one of VIEWS) and starts it; hides and pauses the others. */
function showSection(name) {
  state.shownView = name;
  for (const section of document.querySelectorAll("section.view")) section.hidden = section.dataset.view !== name;
  for (const other of VIEWS) {
    const mod = viewModule(other);
    if (mod && other !== name && started.has(other) && mod.hide) guard(() => mod.hide());
  }
  const mod = guard(() => ensureStarted(name));
  return mod;
}

function route() {
  if (!state.wasm || state.fatal) return;
  const active = currentView();
  document.documentElement.classList.toggle("touring", active === "tour");
  for (const a of document.querySelectorAll("[data-view-link]")) {
    if (a.dataset.viewLink === active) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const tour = viewModule("tour");
  if (active !== "tour" && tour && started.has("tour")) guard(() => tour.hide());
  if (active === "tour") {
    // The tour shows its step's view through shell.openStep.
    guard(() => {
      const mod = ensureStarted("tour");
      if (mod && mod.show) mod.show();
    });
    return;
  }
  if (active === "fig3") coreStatus("");
  const mod = showSection(active);
  guard(() => {
    if (mod && mod.show) mod.show();
  });
}

/**
 * The tour's step: shows `view` at `link` (the address bar keeps the tour's link) and, when
 * `autoplay`, presses that view's Play.
 */
function openStep({ view, link, autoplay }) {
  if (!VIEWS.includes(view)) return;
  const mod = showSection(view);
  if (!mod) return;
  guard(() => {
    if (mod.applyLink) mod.applyLink(link);
    if (mod.show) mod.show();
    if (autoplay && mod.play && !(mod.isPlaying && mod.isPlaying())) mod.play();
  });
}

/** Embed mode (embed=1 in the link): only the figure and its essential controls. */
function setEmbedded(on) {
  state.embedded = Boolean(on);
  document.documentElement.classList.toggle("embedded", state.embedded);
}

function guard(fn) {
  try {
    return fn();
  } catch (err) {
    showFatal(String((err && err.message) || err));
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Start

function init(wasm) {
  if (state.wasm) return;
  // Marks of the start-up (read by bench/browser.mjs): the wasm fetched, compiled and
  // instantiated; then fig3.js marks its model built and its first drawing.
  performance.mark("wasm-ready");
  state.wasm = wasm;
  // Fig. 3 is started first: the topology view reads its runs.
  if (!guard(() => ensureStarted("fig3"))) return;
  Object.assign(shell, installClassroom({ state, views: VIEWS, currentView: () => state.shownView }));
  initLinks(wasm, {
    module: (name) => ensureStarted(name),
    activeView: currentView,
    setActiveView: (name) => {
      state.activeView = name;
    },
    route,
    setEmbedded,
    isWasmCrash,
    showFatal,
  });
  // A reader pointing at another view: its module starts loading before the click.
  for (const id of ["views-nav", "presets-menu"]) {
    const el = document.getElementById(id);
    el.addEventListener("pointerover", loadWhole, { once: true });
    el.addEventListener("focusin", loadWhole, { once: true });
  }
  document.body.dataset.ready = "true";
  performance.mark("app-ready");
  // For the console, the benchmarks and the end-to-end tests: `wasm` is the first screen's module,
  // `whole` the whole library's once loaded; `loadWhole()` loads it as the page does (state.whole
  // set on arrival) and resolves to its bindings.
  window.reluApp = {
    state,
    wasm,
    whole: null,
    loadWhole: () => {
      loadWhole();
      return wholeCore().then((core) => core.wasm);
    },
    shell,
    route,
    views: () => window.reluViews,
  };
}

addEventListener("TrunkApplicationStarted", () => init(window.wasmBindings));
if (window.wasmBindings) init(window.wasmBindings);
