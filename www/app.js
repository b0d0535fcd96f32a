// The thin shell of relu-obstruction: the router between the views, the fatal-error banner, canvas
// sizing and pointer rotation shared by the views, classroom support and links. Every view is a
// module (fig3.js, fig1b.js, topology.js, heatmaps.js, fig4.js) over its Rust handle; all maths,
// all checks and every text shown come from the Rust core (window.wasmBindings, set by Trunk).

import { installClassroom, prefersReducedMotion } from "./classroom.js";
import { initLinks, notifyChange } from "./links.js";

const VIEWS = ["fig3", "fig1b", "topology", "heatmaps", "fig4", "lab"];
// Routed views that show another view's section: the tour (tour.js) walks through the five.
const ROUTES = [...VIEWS, "tour"];
// Pixels a rotation key moves, as if dragged.
const KEY_DRAG = 10;

const state = {
  wasm: null,
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

/** Sizes a canvas's backing store to its CSS box times devicePixelRatio. */
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

/** Starts `name` if it is not yet started. */
function ensureStarted(name) {
  const mod = viewModule(name);
  if (!mod || started.has(name)) return mod;
  started.add(name);
  mod.init(state.wasm, shell);
  return mod;
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
  document.body.dataset.ready = "true";
  performance.mark("app-ready");
  // For the console and the end-to-end tests.
  window.reluApp = { state, wasm, shell, route, views: () => window.reluViews };
}

addEventListener("TrunkApplicationStarted", () => init(window.wasmBindings));
if (window.wasmBindings) init(window.wasmBindings);
