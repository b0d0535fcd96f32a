// The guided tour (#tour?v=1&step=N): an ordered walk through the paper's story for a classroom.
// DOM wiring only: the step, its title, its sentences, its position ("3 of 10") and the link of
// the view it opens come from the Rust model behind wasm.TourView (src/app/tour.rs,
// src/web/tour.rs). On every step the tour asks the shell to show that view at that link
// (shell.openStep) and renders the tour bar into #tour-bar.
//
// Keys: the presentation mode's own keys move through the tour while it is shown: "]" or PageDown
// for the next step, "[" or PageUp for the previous one (they are taken before the shell's
// view-switching handler sees them).

import { el } from "./dom.js";

let wasm = null;
let shell = null;
let handle = null;
const state = { visible: false };

function bar() {
  return document.getElementById("tour-bar");
}

function isTyping(target) {
  if (!target || !target.tagName) return false;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || target.isContentEditable;
}

/** Asks the shell to show the current step's view at its link, then draws the bar. */
function openCurrent() {
  const step = handle.step();
  const still = shell && shell.reducedMotion ? shell.reducedMotion() : false;
  if (shell && shell.openStep) {
    shell.openStep({ view: step.view, link: step.link, autoplay: step.autoplay && !still });
  }
  render(step);
}

/** After next()/prev(): a changed step is a new history entry and a new view state. */
function moved(changed) {
  if (!changed) return;
  if (shell && shell.changed) shell.changed(true);
  if (state.visible) openCurrent();
}

function render(step) {
  const root = bar();
  if (!root) return;
  const prev = el("button", { id: "tour-prev", type: "button", text: "Previous", disabled: !step.has_prev });
  const next = el("button", { id: "tour-next", type: "button", text: "Next", disabled: !step.has_next });
  prev.addEventListener("click", () => moved(handle.prev()));
  next.addEventListener("click", () => moved(handle.next()));
  const heading = [el("span", { id: "tour-title", class: "tour-title", text: step.title })];
  if (step.reading) {
    heading.push(el("span", { class: "tour-reading", text: "our reading", title: "This step states our reading or derivation, not the paper's text." }));
  }
  root.replaceChildren(
    el("p", { id: "tour-position", class: "tour-position", text: `Step ${step.position}` }),
    el("h2", { class: "tour-heading" }, heading),
    el("p", { id: "tour-text", class: "tour-text", text: step.text }),
    el("nav", { class: "tour-nav", "aria-label": "Tour steps" }, [
      prev,
      next,
      el("a", { id: "tour-close", class: "tour-close", href: step.link, text: "Leave the tour (full page)" }),
    ]),
  );
  root.hidden = false;
  root.dataset.step = step.link;
  // The views fit what the bar leaves of the window (tour.css: --vh).
  document.documentElement.style.setProperty("--tour-h", `${root.offsetHeight + 8}px`);
}

function onKey(e) {
  if (!state.visible || !handle || e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
  let changed;
  if (e.key === "]" || e.key === "PageDown") changed = handle.next();
  else if (e.key === "[" || e.key === "PageUp") changed = handle.prev();
  else return;
  e.preventDefault();
  e.stopPropagation();
  moved(changed);
}

window.reluViews = window.reluViews || {};
window.reluViews.tour = {
  /** The handle (for the tests). */
  handle: () => handle,
  init(wasmModule, shellApi) {
    if (handle) return;
    wasm = wasmModule;
    shell = shellApi;
    handle = new wasm.TourView();
    // Capture on window: runs before the document's presentation keys.
    window.addEventListener("keydown", onKey, true);
    // For the console and the end-to-end tests.
    window.reluTour = { handle, steps: () => handle.steps() };
  },
  show() {
    if (state.visible) return;
    state.visible = true;
    openCurrent();
  },
  hide() {
    state.visible = false;
    const root = bar();
    if (root) {
      root.replaceChildren();
      root.hidden = true;
    }
    document.documentElement.style.removeProperty("--tour-h");
  },
  linkState() {
    return handle ? handle.linkState() : null;
  },
  applyLink(fragment) {
    if (!handle) return [];
    const rejections = handle.applyLink(fragment);
    if (state.visible) openCurrent();
    return rejections;
  },
  next() {
    if (handle) moved(handle.next());
  },
  prev() {
    if (handle) moved(handle.prev());
  },
};
