// The topology view: Fig. 2a (one neuron's quadric as c varies), Fig. 2b (the components of H(c)
// for a chosen network) and the topology calculator. DOM wiring only: every number shown and every
// pixel drawn comes from the Rust core (wasm.topologySummary, wasm.drawComponentDiagram, …).

import { el } from "./dom.js";
import { exportBar, chartItems, dataItem, tableJson } from "./export.js";

const PITCH_MIN = 0.05;
const PITCH_MAX = 1.3;
// The Fig. 2a slider moves in steps of 0.05 from −2 to 2: its integer position n means c = n / 20,
// so c = 0 is reached exactly.
const C_STEPS = 20;
const SCHEMES = [
  ["xavier_normal", "Xavier normal"],
  ["xavier_uniform", "Xavier uniform"],
  ["kaiming_normal", "Kaiming normal (fan_in)"],
  ["kaiming_uniform", "Kaiming uniform (fan_in)"],
  ["kaiming_normal_fan_out", "Kaiming normal (fan_out)"],
  ["kaiming_uniform_fan_out", "Kaiming uniform (fan_out)"],
];

let wasm = null;
let shell = null;
let limits = { dMax: 1000, eMax: 1000, cMax: 300, lMax: 64 };
const view = { yaw: 0.6, pitch: 0.35 };
const state = {
  visible: false,
  raf: 0,
  pending: new Set(),
  random: { d: 2, l: 6, scheme: "xavier_normal", seed: 0 }, // the last valid random settings
  network: null, // the Fig. 2b network: { name, d, e, c, label }
  calc: null, // the last valid calculator input: { d, e, c }
};
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

function field(labelText, input, hint) {
  const children = [el("label", { for: input.id, text: labelText }), input];
  if (hint) children.push(el("span", { className: "topo-hint", text: hint }));
  return el("div", { className: "group" }, children);
}

function readoutList(id, items) {
  const dl = el("dl", { className: "topo-readout", id });
  for (const [key, label] of items) {
    dl.append(el("div", {}, [el("dt", { text: label }), el("dd", { id: `${id}-${key}` })]));
  }
  return dl;
}

function setValue(id, text, raw = text) {
  const dd = $(id);
  dd.textContent = text;
  dd.dataset.value = typeof raw === "string" ? raw : JSON.stringify(raw);
}

function say(id, text) {
  const box = $(id);
  box.textContent = text;
  box.hidden = !text;
}

function markInvalid(id, invalid) {
  if (invalid) $(id).setAttribute("aria-invalid", "true");
  else $(id).removeAttribute("aria-invalid");
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

const signs = (label) => `(${label.map((s) => (s > 0 ? "+" : "−")).join(",")})`;
const fmtC = (c) => (c < 0 ? "−" : "") + Math.abs(c).toFixed(2);

// ---------------------------------------------------------------------------------------------
// Building the view

function build(root) {
  root.append(
    el("h2", { className: "view-title", text: "Fig. 2: the quadrics of one neuron and the components of H(c)" }),
    el("p", {
      className: "view-intro",
      text:
        "Training keeps every hidden neuron on a quadric fixed at initialization, and the whole network on the " +
        "product H(c) of these quadrics. Below: how one quadric changes shape with its conserved quantity c (Fig. 2a), " +
        "how H(c) falls apart into components for a network of your choice (Fig. 2b), and a calculator for the " +
        "topology of H(c) of any network.",
    }),
  );

  // Fig. 2a ------------------------------------------------------------------------------------
  const slider = el("input", {
    id: "topo-c",
    type: "range",
    min: String(-2 * C_STEPS),
    max: String(2 * C_STEPS),
    step: "1",
    value: String(C_STEPS),
  });
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
          field("Conserved quantity c (−2 to 2, steps of 0.05)", slider),
          el("output", { id: "topo-c-value", for: "topo-c", className: "topo-cvalue" }),
        ]),
        readoutList("topo-a", [
          ["shape", "shape"],
          ["components", "connected components b₀"],
          ["betti", "Betti numbers (b₀, b₁, …)"],
          ["poly", "Poincaré polynomial"],
        ]),
        el("p", { className: "topo-hint", text: "Drag the plot, or focus it and use the arrow keys, to turn it." }),
        el("div", { id: "topo-a-msg", className: "banner", role: "status", "aria-live": "polite", hidden: "" }),
      ]),
      el("div", { className: "topo-figure" }, [quadric]),
    ]),
  );

  // Fig. 2b ------------------------------------------------------------------------------------
  const source = el("select", { id: "topo-source" }, [
    el("option", { value: "top", text: "Fig. 3 top run (as it is now)" }),
    el("option", { value: "bottom", text: "Fig. 3 bottom run (as it is now)" }),
    el("option", { value: "random", text: "a random initialization (set below)" }),
  ]);
  const schemeSelect = el(
    "select",
    { id: "topo-rand-scheme" },
    SCHEMES.map(([v, t]) => el("option", { value: v, text: t })),
  );
  const text = (id, value, mode = "numeric") =>
    el("input", { id, type: "text", inputmode: mode, value: String(value), spellcheck: "false" });
  const randomBox = el("div", { id: "topo-random", className: "topo-controls" }, [
    field("Inputs d", text("topo-rand-d", state.random.d)),
    field("Hidden width l", text("topo-rand-l", state.random.l)),
    field("Initialization", schemeSelect),
    field("Seed", text("topo-rand-seed", state.random.seed)),
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
          " < 0 (a pathological neuron) lives on one of two sheets, so H(c) falls apart into 2",
          ["sup", "l−"],
          " components, one per choice of signs of the pathological output weights (l− is the number of such " +
            "neurons). Training never leaves the component it starts in; the outlined cell is the network's own.",
        ]),
        el("p", {
          className: "reading",
          text:
            "Effective classes are our reading: swapping two pathological neurons does not change the function, so " +
            "components with the same number k of + signs are equivalent; a class holds binomial(l−, k) components.",
        }),
        el("div", { className: "topo-controls" }, [field("Network", source)]),
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
          field("Input dimension d", text("topo-calc-d", 2)),
          field("Output dimension e", text("topo-calc-e", 1)),
          field("c₁, c₂, … (comma-separated)", text("topo-calc-c", "-1, -1.5", "text"), ""),
          el("button", { id: "topo-calc-go", type: "button", text: "Compute" }),
          el("button", { id: "topo-calc-take", type: "button", text: "Take them from the Fig. 2b network" }),
        ]),
        el("div", { id: "topo-calc-msg", className: "banner", role: "status", "aria-live": "polite", hidden: "" }),
        readoutList("topo-calc", [
          ["poly", "Poincaré polynomial P(t)"],
          ["betti", "Betti numbers (b₀, b₁, …)"],
          ["components", "connected components"],
          ["effective", "effective components (our reading)"],
          ["counts", "l+ / l0 / l−"],
          ["pathological", "pathological neurons (e = 1, cₖ < 0)"],
        ]),
      ]),
      el("div", { className: "topo-figure" }, [betti]),
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// Fig. 2a

function cValue() {
  return Number($("topo-c").value) / C_STEPS;
}

function updateQuadric() {
  const c = cValue();
  const info = guard("topo-a-msg", () => wasm.quadricInfo(c));
  if (!info) return;
  $("topo-c-value").textContent = `c = ${fmtC(c)}: ${info.shape}`;
  $("topo-c").setAttribute("aria-valuetext", `c = ${fmtC(c)}, ${info.shape}`);
  setValue("topo-a-shape", info.shape);
  setValue("topo-a-components", info.components);
  setValue("topo-a-betti", info.betti.join(", "), info.betti);
  setValue("topo-a-poly", info.polynomial);
  schedule("quadric");
}

function drawQuadric() {
  const canvas = $("topo-quadric");
  shell.sizeCanvas(canvas);
  guard("topo-a-msg", () => wasm.drawQuadricAlone(canvas, cValue(), view.yaw, view.pitch));
}

function rotate(dyaw, dpitch) {
  view.yaw = shell.wrapYaw(view.yaw + dyaw);
  view.pitch = Math.min(PITCH_MAX, Math.max(PITCH_MIN, view.pitch + dpitch));
  schedule("quadric");
}


// ---------------------------------------------------------------------------------------------
// Fig. 2b: the source network

/** Reads and checks the random-network settings; returns them or null after showing why. */
function readRandom() {
  const errors = [];
  const whole = (id, name, min, max) => {
    const t = $(id).value.trim();
    const n = Number(t);
    const bad = !/^\d+$/.test(t) || !Number.isSafeInteger(n) || n < min || n > max;
    markInvalid(id, bad);
    if (bad) errors.push(`${name} "${t}" must be a whole number from ${min} to ${max}.`);
    return n;
  };
  const d = whole("topo-rand-d", "Inputs d", 1, limits.dMax);
  const l = whole("topo-rand-l", "Hidden width l", 1, limits.lMax);
  const seed = whole("topo-rand-seed", "Seed", 0, Number.MAX_SAFE_INTEGER);
  if (errors.length) {
    say("topo-b-msg", `${errors.join(" ")} The previous network is still shown.`);
    return null;
  }
  return { d, l, seed, scheme: $("topo-rand-scheme").value };
}

/** The network the diagram shows, from the chosen source; null (with a message) on failure. */
function sourceNetwork() {
  const src = $("topo-source").value;
  if (src === "random") {
    const r = readRandom();
    if (!r) return null;
    const net = guard("topo-b-msg", () => wasm.randomNetworkC(r.d, r.l, r.scheme, r.seed));
    if (!net) return null;
    state.random = r;
    const scheme = SCHEMES.find(([v]) => v === r.scheme)[1];
    return {
      name: `random ${scheme} network, d = ${r.d}, l = ${r.l}, seed ${r.seed}`,
      d: r.d,
      e: 1,
      c: net.c,
      label: net.label,
      lMinus: net.l_minus,
    };
  }
  const run = shell.fig3Runs()[src];
  if (!run) {
    say("topo-b-msg", "The Fig. 3 runs are not ready yet.");
    return null;
  }
  const r = guard("topo-b-msg", () => run.readout());
  if (!r) return null;
  return {
    name: `Fig. 3 ${src} run (${r.preset}, step ${r.step})`,
    d: 2,
    e: 1,
    c: r.c_initial,
    label: r.component_label,
    lMinus: r.c_initial.filter((x) => x < 0).length,
  };
}

function updateSource() {
  $("topo-random").hidden = $("topo-source").value !== "random";
  const net = sourceNetwork();
  if (!net) return;
  say("topo-b-msg", "");
  state.network = net;
  const p = $("topo-b-source");
  p.textContent =
    `${net.name}: d = ${net.d}, e = ${net.e}, l = ${net.c.length}, l− = ${net.lMinus} pathological; ` +
    `c = (${net.c.map(fmtC).join(", ")}); its component ${signs(net.label)}.`;
  p.dataset.d = String(net.d);
  p.dataset.e = String(net.e);
  p.dataset.c = JSON.stringify(net.c);
  p.dataset.label = JSON.stringify(net.label);
  p.dataset.lMinus = String(net.lMinus);
  schedule("diagram");
}

function drawDiagram() {
  const net = state.network;
  if (!net) return;
  const canvas = $("topo-diagram");
  // Many cells need a taller canvas to stay legible.
  canvas.classList.toggle("tall", net.label.length >= 5 && net.label.length <= 6);
  shell.sizeCanvas(canvas);
  const title = `Components of H(c): l− = ${net.lMinus}`;
  const drawn = guard("topo-b-msg", () =>
    wasm.drawComponentDiagram(canvas, net.d, net.e, Float64Array.from(net.c), Int8Array.from(net.label), title),
  );
  if (!drawn) return;
  const cap = $("topo-b-caption");
  let text = `${drawn.components} components in ${drawn.classes} effective classes`;
  text += drawn.detailed ? ", one cell each." : ": too many to draw one by one, so one bar per class with its count.";
  text += ` The network is in ${drawn.highlighted_label}`;
  text += drawn.detailed ? " (outlined)." : " (its class is outlined).";
  cap.textContent = text;
  Object.assign(cap.dataset, {
    components: drawn.components,
    classes: String(drawn.classes),
    cells: String(drawn.cells),
    detailed: String(drawn.detailed),
    highlight: drawn.highlighted_label || "",
  });
}

// ---------------------------------------------------------------------------------------------
// Calculator

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Reads and checks the calculator input; returns { d, e, c } or null after showing why. */
function readCalc() {
  const errors = [];
  const whole = (id, name, max) => {
    const t = $(id).value.trim();
    const n = Number(t);
    const bad = !/^\d+$/.test(t) || !Number.isSafeInteger(n) || n < 1 || n > max;
    markInvalid(id, bad);
    if (bad) errors.push(`${name} "${t}" must be a whole number from 1 to ${max}.`);
    return n;
  };
  const d = whole("topo-calc-d", "d", limits.dMax);
  const e = whole("topo-calc-e", "e", limits.eMax);
  const raw = $("topo-calc-c").value.replace(/\u2212/g, "-").trim();
  const entries = raw === "" ? [] : raw.split(",").map((s) => s.trim());
  let cBad = false;
  if (entries.length === 0) {
    errors.push("Type at least one value of c, separated by commas.");
    cBad = true;
  } else if (entries.length > limits.cMax) {
    errors.push(`${entries.length} values of c is too many: at most ${limits.cMax}.`);
    cBad = true;
  }
  const c = [];
  if (!cBad) {
    entries.forEach((s, k) => {
      const x = Number(s);
      if (!NUMBER.test(s) || !Number.isFinite(x)) {
        if (!cBad) errors.push(`Entry ${k + 1} of the c list, "${s}", is not a finite number.`);
        cBad = true;
      }
      c.push(x);
    });
  }
  markInvalid("topo-calc-c", cBad);
  if (errors.length) {
    say("topo-calc-msg", `${errors.join(" ")} The previous result is still shown.`);
    return null;
  }
  return { d, e, c };
}

function clearCalcOutputs() {
  for (const key of ["poly", "betti", "components", "effective", "counts", "pathological"]) {
    setValue(`topo-calc-${key}`, "—", "");
  }
}

function compute() {
  const input = readCalc();
  if (!input) return;
  state.calc = input;
  state.calcTried = input;
  let failed = false;
  const s = guard("topo-calc-msg", () => {
    try {
      return wasm.topologySummary(input.d, input.e, Float64Array.from(input.c));
    } catch (err) {
      failed = true;
      throw err;
    }
  });
  if (!s) {
    if (failed) {
      clearCalcOutputs();
      $("topo-calc-msg").textContent += " Nothing to show for this input.";
      state.calc = null;
      schedule("betti");
    }
    return;
  }
  say("topo-calc-msg", "");
  setValue("topo-calc-poly", s.polynomial);
  setValue("topo-calc-betti", s.betti.join(", "), s.betti);
  setValue("topo-calc-components", s.components);
  setValue("topo-calc-effective", s.effective_components);
  setValue("topo-calc-counts", `${s.l_plus} / ${s.l_zero} / ${s.l_minus}`, [s.l_plus, s.l_zero, s.l_minus]);
  const path = s.pathological.map((k) => k + 1);
  setValue("topo-calc-pathological", path.length ? path.join(", ") : "none", path);
  schedule("betti");
}

function drawBetti() {
  const canvas = $("topo-betti");
  shell.sizeCanvas(canvas);
  const input = state.calc;
  if (!input) {
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    return;
  }
  const title = `Betti numbers of H(c), d = ${input.d}, e = ${input.e}, l = ${input.c.length}`;
  guard("topo-calc-msg", () => wasm.drawBettiBars(canvas, input.d, input.e, Float64Array.from(input.c), title));
}

function takeFromNetwork() {
  const net = state.network;
  if (!net) {
    say("topo-calc-msg", "No Fig. 2b network is shown yet.");
    return;
  }
  $("topo-calc-d").value = String(net.d);
  $("topo-calc-e").value = String(net.e);
  $("topo-calc-c").value = net.c.map(String).join(", ");
  compute();
}

// ---------------------------------------------------------------------------------------------
// Drawing schedule: requests are coalesced into one animation frame.

function schedule(part) {
  state.pending.add(part);
  if (state.raf || !state.visible) return;
  state.raf = requestAnimationFrame(() => {
    state.raf = 0;
    const parts = new Set(state.pending);
    state.pending.clear();
    if (parts.has("quadric")) drawQuadric();
    if (parts.has("diagram")) drawDiagram();
    if (parts.has("betti")) drawBetti();
  });
}

// ---------------------------------------------------------------------------------------------
// Export (www/export.js): each chart as PNG and SVG, the Fig. 2b network and the calculator's
// result as JSON (numbers from the core, with the inputs that give them).

function addExports() {
  const onError = (err) => {
    if (!shell.isWasmCrash(err)) return false;
    shell.showFatal(err.message);
    return true;
  };
  const cName = () => fmtC(cValue()).replace("−", "minus");
  $("topo-quadric").after(
    exportBar(
      "Save:",
      chartItems("quadric Q(c)", "Quadric", () => `fig2a-quadric-c${cName()}`, () => $("topo-quadric"), (w, h) =>
        wasm.quadricAloneSvg(cValue(), view.yaw, view.pitch, w, h),
      ),
      { onError, idPrefix: "topo-export-quadric" },
    ),
  );
  const networkItems = chartItems("component diagram", "Diagram", "fig2b-components", () => $("topo-diagram"), (w, h) => {
    const net = state.network;
    if (!net) throw new Error("no network is shown yet");
    const title = `Components of H(c): l− = ${net.lMinus}`;
    return wasm.componentDiagramSvg(net.d, net.e, Float64Array.from(net.c), Int8Array.from(net.label), title, w, h);
  });
  networkItems.push(
    dataItem("Network JSON", "Save the Fig. 2b network and its components as JSON", "fig2b-network.json", () => {
      const net = state.network;
      if (!net) throw new Error("no network is shown yet");
      const s = wasm.topologySummary(net.d, net.e, Float64Array.from(net.c));
      return tableJson("topology", { figure: "fig2b", settings: { name: net.name, d: net.d, e: net.e, c: net.c }, component_label: net.label, summary: s });
    }),
  );
  $("topo-b-caption").after(exportBar("Save:", networkItems, { onError, idPrefix: "topo-export-diagram" }));
  const calcItems = chartItems("Betti numbers chart", "Betti chart", "topology-betti", () => $("topo-betti"), (w, h) => {
    const input = state.calc;
    if (!input) throw new Error("the calculator has no valid input");
    const title = `Betti numbers of H(c), d = ${input.d}, e = ${input.e}, l = ${input.c.length}`;
    return wasm.bettiBarsSvg(input.d, input.e, Float64Array.from(input.c), title, w, h);
  });
  calcItems.push(
    dataItem("Result JSON", "Save the calculator's input and result as JSON", "topology-calculator.json", () => {
      const input = state.calc;
      if (!input) throw new Error("the calculator has no valid input");
      return tableJson("topology", { figure: "calculator", settings: input, summary: wasm.topologySummary(input.d, input.e, Float64Array.from(input.c)) });
    }),
  );
  $("topo-betti").after(exportBar("Save:", calcItems, { onError, idPrefix: "topo-export-betti" }));
}

// ---------------------------------------------------------------------------------------------
// The view protocol

function onEnter(id, fn) {
  $(id).addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      fn();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Links (keys and limits: src/link.rs)

function getState() {
  const calc = state.calc || state.calcTried || { d: 2, e: 1, c: [-1, -1.5] };
  const r = state.random;
  return {
    c: cValue(),
    yaw: view.yaw,
    pitch: view.pitch,
    src: $("topo-source").value,
    d: r.d,
    l: r.l,
    scheme: r.scheme,
    seed: r.seed,
    cd: calc.d,
    ce: calc.e,
    cc: calc.c,
  };
}

/** Restores a state from a link: Fig. 2a's c and angles, Fig. 2b's network, the calculator. */
function setState(v) {
  $("topo-c").value = String(Math.round(v.c * C_STEPS));
  view.yaw = v.yaw;
  view.pitch = v.pitch;
  $("topo-source").value = v.src;
  $("topo-rand-d").value = String(v.d);
  $("topo-rand-l").value = String(v.l);
  $("topo-rand-scheme").value = v.scheme;
  $("topo-rand-seed").value = String(v.seed);
  state.random = { d: v.d, l: v.l, scheme: v.scheme, seed: v.seed };
  $("topo-calc-d").value = String(v.cd);
  $("topo-calc-e").value = String(v.ce);
  $("topo-calc-c").value = v.cc.map(String).join(", ");
  state.calcTried = { d: v.cd, e: v.ce, c: v.cc };
  updateQuadric();
  updateSource();
  compute();
}

window.reluViews = window.reluViews || {};
window.reluViews.topology = {
  getState,
  setState,
  init(wasmModule, shellApi) {
    wasm = wasmModule;
    shell = shellApi;
    const root = $("topology-root");
    build(root);
    const l = guard("topo-b-msg", () => wasm.topologyLimits());
    if (l) limits = l;
    $("topo-c").addEventListener("input", updateQuadric);
    shell.wireRotation($("topo-quadric"), rotate);
    $("topo-source").addEventListener("change", updateSource);
    $("topo-rand-draw").addEventListener("click", updateSource);
    $("topo-rand-scheme").addEventListener("change", updateSource);
    for (const id of ["topo-rand-d", "topo-rand-l", "topo-rand-seed"]) onEnter(id, updateSource);
    $("topo-calc-go").addEventListener("click", compute);
    for (const id of ["topo-calc-d", "topo-calc-e", "topo-calc-c"]) onEnter(id, compute);
    $("topo-calc-take").addEventListener("click", takeFromNetwork);
    addExports();
    const ro = new ResizeObserver(() => {
      schedule("quadric");
      schedule("diagram");
      schedule("betti");
    });
    for (const id of ["topo-quadric", "topo-diagram", "topo-betti"]) ro.observe($(id));
    // For the console and the end-to-end test.
    window.reluTopology = { state, view };
  },
  show() {
    state.visible = true;
    updateQuadric();
    updateSource(); // the Fig. 3 runs may have moved on since the view was last shown
    if (!state.calc && !$("topo-calc-msg").textContent) compute();
    schedule("quadric");
    schedule("diagram");
    schedule("betti");
  },
  hide() {
    state.visible = false;
    if (state.raf) cancelAnimationFrame(state.raf);
    state.raf = 0;
  },
};
