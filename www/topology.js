// The topology view: Fig. 2a (one neuron's quadric as c varies), Fig. 2b (the components of H(c)
// for a chosen network) and the topology calculator. DOM wiring only: the state, every check,
// every number shown, every file saved and every pixel drawn come from the Rust view model behind
// wasm.TopologyView (src/app/topology.rs, src/web/topology.rs).

import { el } from "./dom.js";
import { exportBar, chartItems, dataItem } from "./export.js";
import { buildControl, bindInputs, markRejected, showFields, showSentence, showValues } from "./controls.js";

// The element id of each control (the end-to-end tests use them).
const IDS = {
  c: "topo-c",
  src: "topo-source",
  d: "topo-rand-d",
  l: "topo-rand-l",
  scheme: "topo-rand-scheme",
  seed: "topo-rand-seed",
  cd: "topo-calc-d",
  ce: "topo-calc-e",
  cc: "topo-calc-c",
};
// Controls applied as one group (one refusal refuses the group, the previous values stay).
const RANDOM = ["d", "l", "scheme", "seed"];
const CALC = ["cd", "ce", "cc"];
const PARTS = ["quadric", "diagram", "betti"];
const CANVAS = { quadric: "topo-quadric", diagram: "topo-diagram", betti: "topo-betti" };

let wasm = null;
let shell = null;
let handle = null;
const inputs = {}; // key → input element
const state = { visible: false, raf: 0, pending: new Set() };
const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------------
// DOM helpers (createElement and textContent only)

/** A paragraph from plain strings and [tag, text] pieces such as ["sup", "l−"]. */
function rich(pieces, props = {}) {
  const p = el("p", props);
  for (const piece of pieces) {
    if (typeof piece === "string") p.append(piece);
    else p.append(el(piece[0], { text: piece[1] }));
  }
  return p;
}

function say(id, text) {
  const box = $(id);
  box.textContent = text || "";
  box.hidden = !text;
}

/** Sets the `data-*` attributes of `node` to `data` exactly (others of `keys` are removed). */
function setData(node, keys, data) {
  for (const k of keys) {
    if (k in data) node.dataset[k] = data[k];
    else delete node.dataset[k];
  }
}

/** Runs `fn`; a crash of the core is fatal, any other error is shown in the message box `msgId`. */
function guard(msgId, fn) {
  try {
    return fn();
  } catch (err) {
    if (shell.isWasmCrash(err)) shell.showFatal(err.message);
    else say(msgId, String(err.message || err));
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Building the view

function control(controls, key) {
  const { group, input } = buildControl(controls[key], IDS[key]);
  inputs[key] = input;
  return group;
}

function readoutList(id) {
  return el("dl", { className: "topo-readout", id });
}

function build(root) {
  const controls = Object.fromEntries(handle.schema().map((c) => [c.key, c]));
  root.append(el("h2", { className: "view-title", text: "Fig. 2: the quadrics of one neuron and the components of H(c)" }));
  // Fig. 2a ------------------------------------------------------------------------------------
  const quadric = el("canvas", {
    id: "topo-quadric",
    className: "topo-quadric",
    tabindex: "0",
    role: "img",
    "aria-label": "The quadric Q(c) in (w₁, w₂, v) space; drag or use the arrow keys to turn it",
  });
  root.append(
    el("section", { className: "card topo-card", "aria-labelledby": "topo-a-title" }, [
      el("div", { className: "topo-text" }, [
        el("h3", { id: "topo-a-title", text: "Fig. 2a: one neuron's quadric Q(c)" }),
        el("p", {
          text:
            "A hidden neuron with two inputs and one output has three parameters (w₁, w₂, v), and gradient flow keeps " +
            "them on the surface w₁² + w₂² − v² = c, with c fixed at initialization. For c > 0 this is a one-sheeted " +
            "hyperboloid (connected); at c = 0 it pinches into a double cone; for c < 0 it splits into two sheets, " +
            "and the output weight v can never change sign.",
        }),
        el("div", { className: "topo-controls" }, [
          control(controls, "c"),
          el("output", { id: "topo-c-value", for: "topo-c", className: "topo-cvalue" }),
        ]),
        readoutList("topo-a"),
        el("p", { className: "topo-hint", text: "Drag the plot, or focus it and use the arrow keys, to turn it." }),
        el("div", { id: "topo-a-msg", className: "banner", role: "status", "aria-live": "polite", hidden: "" }),
      ]),
      el("div", { className: "topo-figure" }, [quadric]),
    ]),
  );

  // Fig. 2b ------------------------------------------------------------------------------------
  const randomBox = el("div", { id: "topo-random", className: "topo-controls" }, [
    ...RANDOM.map((k) => control(controls, k)),
    el("button", { id: "topo-rand-draw", type: "button", text: "Draw this network" }),
  ]);
  const diagram = el("canvas", {
    id: "topo-diagram",
    className: "topo-diagram",
    role: "img",
    "aria-label": "The components of H(c), one cell per sign vector, grouped by effective class",
  });
  root.append(
    el("section", { className: "card topo-card", "aria-labelledby": "topo-b-title" }, [
      el("div", { className: "topo-text" }, [
        el("h3", { id: "topo-b-title", text: "Fig. 2b: the components of H(c)" }),
        rich([
          "With one output, each neuron with c",
          ["sub", "k"],
          " < 0 (a pathological neuron) lives on one of two sheets, so H(c) falls apart into components, " +
            "one per choice of signs of the pathological output weights. Training never leaves the component it " +
            "starts in; the outlined cell is the network's own.",
        ]),
        // How this network's components are counted (Rust: for d = 1 the sign of w is frozen too).
        el("p", { id: "topo-b-rule", className: "topo-rule" }),
        el("p", {
          className: "reading",
          text:
            "Effective classes are our reading: swapping two pathological neurons does not change the function, so " +
            "components with the same number k of + signs are equivalent; a class holds binomial(l−, k) components.",
        }),
        el("div", { className: "topo-controls" }, [control(controls, "src")]),
        randomBox,
        el("p", { id: "topo-b-source", className: "topo-source" }),
        el("div", { id: "topo-b-msg", className: "banner", role: "status", "aria-live": "polite", hidden: "" }),
      ]),
      el("div", { className: "topo-figure" }, [
        diagram,
        el("p", { id: "topo-b-caption", className: "topo-caption", "aria-live": "polite" }),
      ]),
    ]),
  );

  // Calculator ---------------------------------------------------------------------------------
  const betti = el("canvas", {
    id: "topo-betti",
    className: "topo-betti",
    role: "img",
    "aria-label": "Bar chart of the Betti numbers of H(c)",
  });
  root.append(
    el("section", { className: "card topo-card", "aria-labelledby": "topo-c-title" }, [
      el("div", { className: "topo-text" }, [
        el("h3", { id: "topo-c-title", text: "Topology calculator" }),
        rich([
          "Give the input dimension d, the output dimension e and the conserved quantities c",
          ["sub", "k"],
          " of any network. Künneth's formula gives the Poincaré polynomial P(t) = (1 + t",
          ["sup", "d−1"],
          ")",
          ["sup", "l+"],
          " (1 + t",
          ["sup", "e−1"],
          ")",
          ["sup", "l−"],
          ", where l+ and l− count the positive and negative c",
          ["sub", "k"],
          " and a 0-sphere counts 2 (1 + t",
          ["sup", "0"],
          " = 2). Its coefficients are the Betti numbers: b₀ counts the connected components, b₁ the independent " +
            "loops, and so on.",
        ]),
        el("div", { className: "topo-controls" }, [
          ...CALC.map((k) => control(controls, k)),
          el("button", { id: "topo-calc-go", type: "button", text: "Compute" }),
          el("button", { id: "topo-calc-take", type: "button", text: "Take them from the Fig. 2b network" }),
        ]),
        el("div", { id: "topo-calc-msg", className: "banner", role: "status", "aria-live": "polite", hidden: "" }),
        readoutList("topo-calc"),
      ]),
      el("div", { className: "topo-figure" }, [betti]),
    ]),
  );
  root.append(el("div", { className: "explain" }, [
    el("p", {
      className: "view-intro",
      text:
        "Training keeps every hidden neuron on a quadric fixed at initialization, and the whole network on the " +
        "product H(c) of these quadrics. On this page: how one quadric changes shape with its conserved quantity c (Fig. 2a), " +
        "how H(c) falls apart into components for a network of your choice (Fig. 2b), and a calculator for the " +
        "topology of H(c) of any network.",
    }),
  ]));
}

// ---------------------------------------------------------------------------------------------
// Readouts: every text and exact value as the view model wrote it

const SOURCE_DATA = ["d", "e", "c", "label", "lMinus"];
const CAPTION_DATA = ["components", "classes", "cells", "detailed", "highlight"];

const SECTIONS = ["quadric", "diagram", "calculator"];
// The readout section each drawn part belongs to.
const SECTION_OF = { quadric: "quadric", diagram: "diagram", betti: "calculator" };

/** Prints the readout `sections` (all by default) as the view model wrote them. */
function render(sections = SECTIONS) {
  for (const name of sections) {
    const r = guard("topo-b-msg", () => handle.readoutOf(name));
    if (r) RENDER[name](r);
  }
}

function renderQuadric(q) {
  $("topo-c-value").textContent = q.value_text;
  inputs.c.setAttribute("aria-valuetext", q.value_spoken);
  showFields($("topo-a"), q.fields, "topo-a");
  say("topo-a-msg", q.message);
}

function renderDiagram(d) {
  $("topo-random").hidden = !d.random;
  const source = $("topo-b-source");
  showSentence(source, d.source, "topo-source");
  setData(source, SOURCE_DATA, d.source_data);
  showSentence($("topo-b-rule"), d.rule, "topo-rule");
  const caption = $("topo-b-caption");
  showSentence(caption, d.caption, "topo-caption");
  setData(caption, CAPTION_DATA, d.caption_data);
  $("topo-diagram").classList.toggle("tall", d.tall);
  say("topo-b-msg", d.message);
}

function renderCalculator(c) {
  showFields($("topo-calc"), c.fields, "topo-calc");
  say("topo-calc-msg", c.message);
}

const RENDER = { quadric: renderQuadric, diagram: renderDiagram, calculator: renderCalculator };

// ---------------------------------------------------------------------------------------------
// Changes

/** After an accepted change: its readouts, the parts that depend on it, a history entry (or not). */
function changed(parts, push) {
  render(parts.map((p) => SECTION_OF[p]));
  for (const p of parts) schedule(p);
  shell.changed(push);
}

/** Applies the group `keys` from their inputs; a refusal marks the inputs and says why. */
function submitGroup(keys, msgId, parts) {
  const result = guard(msgId, () => handle.setGroup(keys, keys.map((k) => inputs[k].value)));
  if (!result) return;
  for (const k of keys) markRejected(inputs[k], result.rejections.find((r) => r.key === k) || null);
  if (!result.ok) {
    say(msgId, result.rejections.map((r) => r.message).join(" "));
    return;
  }
  changed(parts, true);
}

function takeFromNetwork() {
  const result = guard("topo-calc-msg", () => handle.takeNetwork());
  if (!result) return;
  if (!result.ok) {
    say("topo-calc-msg", result.message || result.rejections.map((r) => r.message).join(" "));
    return;
  }
  const calc = handle.schema().filter((c) => CALC.includes(c.key));
  showValues(inputs, calc);
  changed(["betti"], true);
}

function rotate(dx, dy) {
  if (handle.rotate(dx, dy)) {
    schedule("quadric");
    shell.changed(false);
  }
}

function onEnter(input, fn) {
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      fn();
    }
  });
}

function wire() {
  // The slider: each position is applied at once; letting go makes the history entry.
  bindInputs({ c: inputs.c }, handle, (m) => say("topo-a-msg", m), (result) => {
    if (result.ok) changed(["quadric"], false);
  });
  inputs.c.addEventListener("change", () => shell.changed(true));
  bindInputs({ src: inputs.src }, handle, (m) => say("topo-b-msg", m), (result) => {
    if (!result.ok) return;
    handle.useFig3Rows(shell.fig3View().rowNetworks());
    changed(["diagram"], true);
  });
  const drawRandom = () => submitGroup(RANDOM, "topo-b-msg", ["diagram"]);
  $("topo-rand-draw").addEventListener("click", drawRandom);
  inputs.scheme.addEventListener("change", drawRandom);
  for (const k of ["d", "l", "seed"]) onEnter(inputs[k], drawRandom);
  const compute = () => submitGroup(CALC, "topo-calc-msg", ["betti"]);
  $("topo-calc-go").addEventListener("click", compute);
  for (const k of CALC) onEnter(inputs[k], compute);
  $("topo-calc-take").addEventListener("click", takeFromNetwork);
  shell.wireRotation($("topo-quadric"), rotate);
}

// ---------------------------------------------------------------------------------------------
// Drawing schedule: requests are coalesced into one animation frame.

function draw(part) {
  const canvas = $(CANVAS[part]);
  shell.sizeCanvas(canvas);
  const box = { quadric: "topo-a-msg", diagram: "topo-b-msg", betti: "topo-calc-msg" }[part];
  guard(box, () => handle.draw(canvas, part));
}

function schedule(part) {
  state.pending.add(part);
  if (state.raf || !state.visible) return;
  state.raf = requestAnimationFrame(() => {
    state.raf = 0;
    const parts = new Set(state.pending);
    state.pending.clear();
    if (parts.has("diagram")) {
      // The Fig. 3 runs may have moved on.
      guard("topo-b-msg", () => handle.useFig3Rows(shell.fig3View().rowNetworks()));
      render(["diagram"]);
    }
    for (const p of PARTS) if (parts.has(p)) draw(p);
  });
}

function scheduleAll() {
  for (const p of PARTS) schedule(p);
}

// ---------------------------------------------------------------------------------------------
// Export (www/export.js): each chart as PNG and SVG, the Fig. 2b network and the calculator's
// result as JSON (files and names written by the view model).

function addExports() {
  const onError = (err) => {
    if (!shell.isWasmCrash(err)) return false;
    shell.showFatal(err.message);
    return true;
  };
  const chart = (what, short, part) =>
    chartItems(what, short, () => handle.fileName(part), () => $(CANVAS[part]), (w, h) => handle.svg(part, w, h));
  const data = (text, description, part) => dataItem(text, description, () => handle.fileName(part), () => handle.json(part));
  $("topo-quadric").after(exportBar("Save:", chart("quadric Q(c)", "Quadric", "quadric"), { onError, idPrefix: "topo-export-quadric" }));
  const network = [
    ...chart("component diagram", "Diagram", "diagram"),
    data("Network JSON", "Save the Fig. 2b network and its components as JSON", "network"),
  ];
  $("topo-b-caption").after(exportBar("Save:", network, { onError, idPrefix: "topo-export-diagram" }));
  const calc = [
    ...chart("Betti numbers chart", "Betti chart", "betti"),
    data("Result JSON", "Save the calculator's input and result as JSON", "calculator"),
  ];
  $("topo-betti").after(exportBar("Save:", calc, { onError, idPrefix: "topo-export-betti" }));
}

// ---------------------------------------------------------------------------------------------
// The view protocol

window.reluViews = window.reluViews || {};
window.reluViews.topology = {
  /** The handle (for the tests). */
  handle: () => handle,
  init(wasmModule, shellApi) {
    if (handle) return;
    wasm = wasmModule;
    shell = shellApi;
    handle = new wasm.TopologyView();
    build($("topology-root"));
    wire();
    addExports();
    render();
    const ro = new ResizeObserver(scheduleAll);
    for (const p of PARTS) ro.observe($(CANVAS[p]));
    // For the console and the end-to-end tests.
    window.reluTopology = { handle };
  },
  show() {
    state.visible = true;
    guard("topo-b-msg", () => handle.useFig3Rows(shell.fig3View().rowNetworks()));
    render();
    scheduleAll();
  },
  hide() {
    state.visible = false;
    if (state.raf) cancelAnimationFrame(state.raf);
    state.raf = 0;
  },
  linkState() {
    return handle ? handle.linkState() : null;
  },
  applyLink(fragment) {
    if (!handle) return [];
    const rejections = handle.applyLink(fragment);
    showValues(inputs, handle.schema());
    render();
    scheduleAll();
    return rejections;
  },
};
