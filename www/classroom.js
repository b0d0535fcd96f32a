// Classroom support for every view: presentation mode (large type, controls hidden, keyboard
// driven), the keys shared by the views, fullscreen, the skip link and the reduced-motion
// preference. DOM wiring only; the shell (app.js) installs it once and passes its page state, in
// which the mode lives as `state.presentation` (so a link can carry it).

const REDUCED_MOTION = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;

/** True when the reader asked for reduced motion: views then never start an animation by themselves. */
export function prefersReducedMotion() {
  return Boolean(REDUCED_MOTION && REDUCED_MOTION.matches);
}

// The play / step / reset buttons of the views whose keys are not handled by the view itself
// (Fig. 3's keys live in app.js). A key clicks the button, so it does exactly what the button does.
const VIEW_KEYS = {
  fig1b: { " ": "fig1b-play", ArrowRight: "fig1b-step", r: "fig1b-reset" },
  heatmaps: { " ": "hm-play" },
  fig4: { " ": "fig4-run" },
  lab: { " ": "lab-play", ArrowRight: "lab-step", r: "lab-reset" },
};
// Keys that act only in presentation mode (elsewhere Space scrolls and a sweep is costly to start by mistake).
const PRESENTATION_ONLY = new Set(["fig4"]);

function isTyping(target) {
  if (!target || !target.tagName) return false;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || target.isContentEditable;
}

/** A focused control that Space or Enter already operates (the browser's own activation). */
function isActivatable(target) {
  if (!target || !target.tagName) return false;
  return ["BUTTON", "A", "SUMMARY"].includes(target.tagName);
}

/**
 * Wires presentation mode and the shared keys. `state` is the shell's page state (its
 * `presentation` field is read and written here), `views` the view names in navigation order,
 * `currentView()` the shown one. Returns `{ setPresentation, isPresentation }` for the shell.
 */
export function installClassroom({ state, views, currentView }) {
  const root = document.documentElement;
  const toggle = document.getElementById("presentation-toggle");
  const status = document.getElementById("classroom-status");

  function say(text) {
    status.textContent = text;
    status.hidden = !text;
  }

  function isPresentation() {
    return Boolean(state.presentation);
  }

  /** Switches presentation mode on or off (canvases follow through their ResizeObservers). */
  function setPresentation(on) {
    const flag = Boolean(on);
    state.presentation = flag;
    root.classList.toggle("presenting", flag);
    // Chart text of at least 18 CSS pixels on the projector (the canvases redraw as they resize).
    // Both wasm modules draw charts (app.js, cores.js); the whole one may not be loaded yet.
    for (const core of new Set([state.wasm, state.whole])) if (core) core.setChartText(flag, window.devicePixelRatio || 1);
    document.body.dataset.presentation = String(flag);
    toggle.setAttribute("aria-pressed", String(flag));
    toggle.textContent = flag ? "Leave (Esc)" : "Present";
    say("");
    if (!flag && document.fullscreenElement && document.exitFullscreen) {
      document.exitFullscreen().catch(() => {});
    }
    // A control that was just hidden cannot keep the focus: hand it to the main content.
    const active = document.activeElement;
    if (flag && active && active !== document.body && active.getClientRects().length === 0) {
      document.getElementById("main").focus({ preventScroll: true });
    }
    document.dispatchEvent(new CustomEvent("relu-presentation", { detail: { on: flag } }));
  }

  function goToView(offset) {
    const i = views.indexOf(currentView());
    const next = views[(i + offset + views.length) % views.length];
    const link = document.querySelector(`[data-view-link="${next}"]`);
    if (link) link.click();
  }

  async function toggleFullscreen() {
    if (document.fullscreenElement) {
      await document.exitFullscreen().catch(() => {});
      return;
    }
    if (!document.fullscreenEnabled || !root.requestFullscreen) {
      say("Fullscreen is not available here; the browser's own fullscreen key (often F11) still works.");
      return;
    }
    try {
      await root.requestFullscreen();
      say("");
    } catch (err) {
      say(`Fullscreen was refused (${(err && err.message) || err}); the browser's own fullscreen key (often F11) still works.`);
    }
  }

  function onKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if (e.key === "Escape" && isPresentation()) {
      e.preventDefault();
      setPresentation(false);
      return;
    }
    if (isTyping(e.target)) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (key === "p") {
      e.preventDefault();
      setPresentation(!isPresentation());
    } else if (key === "]" || (key === "PageDown" && isPresentation())) {
      e.preventDefault();
      goToView(1);
    } else if (key === "[" || (key === "PageUp" && isPresentation())) {
      e.preventDefault();
      goToView(-1);
    } else if (key === "f") {
      e.preventDefault();
      toggleFullscreen();
    } else {
      const view = currentView();
      const id = (VIEW_KEYS[view] || {})[key];
      if (!id || (key === " " && isActivatable(e.target))) return;
      if (PRESENTATION_ONLY.has(view) && !isPresentation()) return;
      const button = document.getElementById(id);
      if (!button || button.disabled) return;
      e.preventDefault();
      button.click();
    }
  }

  toggle.addEventListener("click", () => setPresentation(!isPresentation()));
  toggle.disabled = false;
  document.addEventListener("keydown", onKey);
  // The skip link moves the focus without touching the URL (the hash names the view).
  for (const link of document.querySelectorAll("[data-skip-link]")) {
    link.addEventListener("click", (e) => {
      e.preventDefault();
      const main = document.getElementById("main");
      main.focus({ preventScroll: true });
      main.scrollIntoView({ block: "start" });
    });
  }
  setPresentation(isPresentation());
  return { setPresentation, isPresentation };
}
