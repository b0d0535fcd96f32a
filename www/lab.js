// The lab: the reader's own network, checked, rebalanced and trained. Thin shell over the Rust view
// model (wasm.LabView): the controls come from its schema(), typed text goes to set(key, text),
// files go to loadWeights / loadCsv / loadSession as they are (size first, then text or bytes),
// and every readout and sentence is written by it. This module wires the DOM, reads files, sizes
// the canvases and runs the animation loop: each frame calls work() until its time budget is spent.

import { el } from "./dom.js";
import { chartItems, dataItem, download, exportMenu } from "./export.js";
import { bindInputs, buildControl, markRejected, showFields, showSentence, showValues } from "./controls.js";
import { breastCancer } from "./data.js";

// How long one frame may spend on the lab's work (the rest of the frame draws).
const FRAME_BUDGET_MS = 8;

const GROUPS = {
  network: ["d", "l", "e", "bias", "scheme", "gain", "seed"],
  data: ["data", "tpos", "tneg", "n", "dseed", "loss"],
  dynamics: ["opt", "int", "lr", "batch", "beta", "beta1", "beta2", "eps", "wd", "act", "slope", "steps", "speed"],
  rebalance: ["target"],
};
// Which controls matter for which choice (the others are hidden, their values kept).
const SHOWN_WHEN = {
  tpos: (v) => v.data === "teacher",
  tneg: (v) => v.data === "teacher",
  n: (v) => v.data === "teacher",
  int: (v) => v.opt === "gd",
  batch: (v) => v.opt === "sgd",
  beta: (v) => v.opt === "momentum",
  beta1: (v) => v.opt === "adam",
  beta2: (v) => v.opt === "adam",
  eps: (v) => v.opt === "adam",
  slope: (v) => v.act === "leaky_relu",
};

const SNIPPETS = [
  [
    "PyTorch (model = nn.Sequential(nn.Linear(d, l), nn.ReLU(), nn.Linear(l, 1))):",
    'import json\njson.dump({"W": model[0].weight.tolist(), "b": model[0].bias.tolist(), "v": model[2].weight.tolist(), "b_out": model[2].bias.tolist()}, open("weights.json", "w"))',
  ],
  ["numpy (W: l × d, v: length l):", 'import json\njson.dump({"W": W.tolist(), "v": [v.tolist()]}, open("weights.json", "w"))'],
];

const view = {
  shell: null,
  wasm: null,
  dataRequest: null, // the breast cancer request the model was last told about (wantData)
  handle: null,
  inputs: {},
  groups: {},
  els: {},
  drawn: "", // the model's revision last drawn
  raf: 0,
  shown: false,
};

// ---------------------------------------------------------------------------------------------
// Errors and messages

function say(text, tone = "") {
  const m = view.els.message;
  m.textContent = text;
  m.dataset.tone = tone;
  m.classList.toggle("visible", Boolean(text));
}

function guarded(fn) {
  try {
    return fn();
  } catch (err) {
    if (view.shell.isWasmCrash(err)) {
      stop();
      view.shell.showFatal(err.message);
      return undefined;
    }
    say(String((err && err.message) || err), "obstructed");
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// DOM

function button(id, text, extra = {}) {
  return el("button", { type: "button", id, text, ...extra });
}

function card(title, children, cls = "") {
  return el("section", { class: `card lab-card ${cls}`, "aria-label": title }, [el("h3", { text: title }), ...children]);
}

function fileInput(id, label, accept) {
  const input = el("input", { type: "file", id, accept, class: "lab-file" });
  return { input, group: el("div", { class: "group" }, [el("label", { for: id, text: label }), input]) };
}

function build(root) {
  const e = view.els;
  const schema = {};
  for (const c of view.handle.schema()) schema[c.key] = c;
  const controls = (keys) =>
    keys.map((key) => {
      const { group, input } = buildControl(schema[key], `lab-${key}`);
      view.inputs[key] = input;
      view.groups[key] = group;
      return group;
    });

  const title = el("h2", { class: "view-title", id: "lab-heading", text: "Your network: check it, rebalance it, train it" });
  e.play = button("lab-play", "Play", { "aria-pressed": "false" });
  e.step = button("lab-step", "Step");
  e.reset = button("lab-reset", "Reset");
  e.buttons = el("div", { class: "group buttons", role: "group", "aria-label": "Training" }, [e.play, e.step, e.reset]);
  const head = el("div", { class: "view-head" }, [title, e.buttons]);

  e.conserved = el("canvas", { id: "lab-conserved", role: "img", "aria-label": "c_k of every hidden neuron at the start (rings) and now (dots)" });
  e.loss = el("canvas", { id: "lab-loss", role: "img", "aria-label": "The loss of the run against the step" });
  e.message = el("p", { id: "lab-message", class: "banner toast", role: "status", "aria-live": "polite" });
  e.progress = el("p", { id: "lab-progress", class: "fineprint", "aria-live": "polite" });
  e.checkSentence = el("p", { id: "lab-check-sentence", class: "verdict" });
  e.check = el("dl", { class: "readout", id: "lab-check" });
  e.run = el("dl", { class: "readout", id: "lab-run" });
  e.verdict = el("p", { id: "lab-verdict", class: "verdict", "aria-live": "polite" });
  e.source = el("dl", { class: "readout", id: "lab-source" });
  e.neurons = el("tbody", { id: "lab-neurons" });
  const table = el("div", { class: "lab-table-wrap", tabindex: "0", role: "region", "aria-label": "c_k of every neuron" }, [
    el("table", { class: "lab-neurons" }, [
      el("thead", {}, [
        el("tr", {}, ["k", "c_k(0)", "c_k now", "drift", "kind", "stuck sign", "escape step"].map((t) => el("th", { scope: "col", text: t }))),
      ]),
      e.neurons,
    ]),
  ]);
  e.theory = el("ul", { id: "lab-theory", class: "lab-theory" });

  const figure = el("div", { class: "lab-figure" }, [
    el("div", { class: "lab-charts" }, [el("div", { class: "card lab-plot" }, [e.conserved]), el("div", { class: "card lab-plot" }, [e.loss])]),
    el("div", { class: "lab-side", tabindex: "0", role: "region", "aria-label": "Check and run" }, [
      e.message,
      e.progress,
      card("Check", [e.checkSentence, e.check], "lab-check-card"),
      card("Run", [e.verdict, e.run], "lab-run-card"),
    ]),
  ]);

  // Network: build or bring.
  const weights = fileInput("lab-weights-file", "Bring a weights file (JSON, nn.Linear shapes)", ".json,application/json");
  e.weightsFile = weights.input;
  e.useBuilt = button("lab-use-built", "Use the built network");
  e.drop = el("div", { id: "lab-drop", class: "lab-drop", tabindex: "0", text: "…or drop a weights file, a CSV file or a saved session here." });
  const snippets = el("details", { class: "lab-snippets" }, [
    el("summary", { text: "Write the weights file from PyTorch or numpy" }),
    ...SNIPPETS.flatMap(([what, code]) => [el("p", { text: what }), el("pre", {}, [el("code", { text: code })])]),
    el("p", {
      class: "fineprint",
      text: 'Format: {"W": l rows of d numbers, "v": e rows of l numbers, "b": l numbers (optional), "b_out": e numbers (optional)}. Hidden biases enter c_k = ‖w_k‖² + b_k² − ‖v_k‖²; the output bias enters nothing.',
    }),
  ]);
  const network = card("Network", [
    el("div", { class: "controls-bar" }, controls(GROUPS.network)),
    el("div", { class: "controls-bar" }, [weights.group, el("div", { class: "group buttons" }, [e.useBuilt])]),
    e.drop,
    snippets,
  ]);

  const csv = fileInput("lab-csv-file", "Your CSV (numbers; last column y)", ".csv,text/csv,text/plain");
  e.csvFile = csv.input;
  const data = card("Data", [el("div", { class: "controls-bar" }, [...controls(GROUPS.data), csv.group]), e.source]);
  const dynamics = card("Dynamics", [el("div", { class: "controls-bar" }, controls(GROUPS.dynamics)), el("h4", { text: "What theory says" }), e.theory]);

  e.rebalance = button("lab-rebalance", "Rebalance");
  e.rebalanced = el("p", { id: "lab-rebalanced", class: "verdict" });
  e.downloadWeights = button("lab-download-weights", "Download these weights");
  const rebalance = card("Rebalance", [
    el("p", {
      class: "fineprint",
      text: "Rescales every neuron (w_k, b_k) ↦ α_k(w_k, b_k), v_k ↦ v_k/α_k onto c_k = target: the network computes the same function, and on the cone (c = 0) H(c) is connected.",
    }),
    el("div", { class: "controls-bar" }, [...controls(GROUPS.rebalance), el("div", { class: "group buttons" }, [e.rebalance, e.downloadWeights])]),
    e.rebalanced,
  ]);

  const session = fileInput("lab-session-file", "Load a saved session", ".json,application/json");
  e.sessionFile = session.input;
  e.saveSession = button("lab-save-session", "Save the session");
  const sessionCard = card("Session", [
    el("p", { class: "fineprint", text: "The link holds every setting; a network or data you brought are kept only in a saved session." }),
    el("div", { class: "controls-bar" }, [el("div", { class: "group buttons" }, [e.saveSession]), session.group]),
  ]);

  const neurons = card("Neurons", [table], "lab-neurons-card");
  const settings = el("div", { class: "lab-settings" }, [network, data, dynamics, rebalance, neurons, sessionCard]);
  const explain = el("div", { class: "explain" }, [
    el("p", {
      class: "view-intro",
      text:
        "Check a network of your own: its conserved quantities c_k, which neurons are pathological (c_k < 0 with one output, so the output weight can never change sign under the flow), how many components H(c) has and which one it starts in. " +
        "Then train it with the optimizers people use and watch what happens to c_k: an escape is a pathological neuron whose output weight changed sign, impossible under the ReLU flow.",
    }),
  ]);
  root.replaceChildren(head, figure, settings, explain);
}

// ---------------------------------------------------------------------------------------------
// Readouts and drawing

function showNeurons(rows) {
  const body = view.els.neurons;
  while (body.rows.length > rows.length) body.deleteRow(-1);
  rows.forEach((r, i) => {
    let tr = body.rows[i];
    if (!tr) {
      tr = body.insertRow();
      for (let j = 0; j < 7; j++) tr.insertCell();
    }
    const cells = [String(r.index), r.c, r.c_now, r.drift, r.kind, r.stuck, r.escape];
    cells.forEach((t, j) => {
      if (tr.cells[j].textContent !== t) tr.cells[j].textContent = t;
    });
    tr.dataset.kind = r.kind;
  });
}

function showTheory(lines) {
  const ul = view.els.theory;
  ul.replaceChildren(
    ...lines.map((t) =>
      el("li", { class: t.current ? "current" : "", data: { key: t.key } }, [t.text, " ", el("span", { class: "reading", text: `(${t.tag})` })]),
    ),
  );
}

function showVisibility() {
  const values = {};
  for (const c of view.handle.schema()) values[c.key] = c.value;
  for (const [key, rule] of Object.entries(SHOWN_WHEN)) view.groups[key].hidden = !rule(values);
}

function updateReadouts() {
  const r = view.handle.readout();
  const e = view.els;
  showFields(e.source, r.source, "lab-source");
  showSentence(e.checkSentence, r.check_sentence);
  e.check.replaceChildren();
  showFields(e.check, r.check, "lab-check");
  e.run.replaceChildren();
  showFields(e.run, r.run, "lab-run");
  showSentence(e.verdict, r.verdict);
  showSentence(e.rebalanced, r.rebalance ? r.rebalance.sentence : null);
  e.progress.textContent = r.progress;
  showNeurons(r.neurons);
  showTheory(r.theory);
  if (r.status) say(r.status.text, r.status.tone);
  e.play.disabled = !r.can_run;
  e.step.disabled = !r.can_run;
  e.useBuilt.hidden = !r.custom_network;
  document.getElementById("view-lab").dataset.step = String(r.step);
  if (!view.handle.playing()) setPlayButton(false);
}

function draw() {
  if (!view.handle || !view.shown) return;
  const e = view.els;
  view.shell.sizeCanvas(e.conserved, e.loss);
  guarded(() => {
    view.handle.draw("conserved", e.conserved);
    view.handle.draw("loss", e.loss);
    updateReadouts();
    view.drawn = view.handle.revision();
  });
}

// ---------------------------------------------------------------------------------------------
// The animation loop: JavaScript owns requestAnimationFrame and the frame's time budget; Rust does
// the work in slices and says when there is more.

function frame() {
  view.raf = 0;
  if (!view.shown || view.shell.isFatal()) return;
  let more = false;
  guarded(() => {
    view.handle.beginFrame();
    const t0 = performance.now();
    do more = view.handle.work();
    while (more && performance.now() - t0 < FRAME_BUDGET_MS);
  });
  // Charts and readouts are drawn again only when they changed (a step of a large network spans
  // many frames); the progress line every frame.
  if (guarded(() => view.handle.revision()) !== view.drawn) draw();
  else guarded(() => (view.els.progress.textContent = view.handle.progress()));
  const playing = Boolean(view.handle.playing());
  if (more || playing) kick();
  else view.shell.changed(false);
}

function kick() {
  if (!view.raf) view.raf = requestAnimationFrame(frame);
}

function setPlayButton(on) {
  view.els.play.textContent = on ? "Pause" : "Play";
  view.els.play.setAttribute("aria-pressed", String(on));
}

function play() {
  guarded(() => view.handle.setPlaying(true));
  setPlayButton(Boolean(view.handle.playing()));
  if (view.handle.playing()) say("");
  kick();
}

function stop() {
  if (view.handle) guarded(() => view.handle.setPlaying(false));
  if (view.els.play) setPlayButton(false);
}

function togglePlay() {
  if (view.handle.playing()) stop();
  else play();
}

function changed(push = true) {
  showValues(view.inputs, view.handle.schema());
  showVisibility();
  draw();
  kick();
  view.shell.changed(push);
  wantData();
}

/** Fetches the breast cancer data (data.js) and tells the model when they arrive or fail: a
 * lab on those data waits for them. Called on start and after every change; the model hears of
 * each request once (after a failure, the next call is a new request: choosing the data retries). */
function wantData() {
  const request = breastCancer(view.wasm);
  if (request === view.dataRequest) return;
  view.dataRequest = request;
  request.then(
    () => guarded(() => view.handle.dataArrived()) && refresh(),
    (err) => {
      if (view.shell.isWasmCrash(err)) view.shell.showFatal(err.message);
      else if (guarded(() => view.handle.dataFailed(String(err.message || err)))) refresh();
    },
  );
}

/** The data changed under the lab: the old status line ("still loading") goes, the readout says what holds now. */
function refresh() {
  say("");
  draw();
  kick();
}

// ---------------------------------------------------------------------------------------------
// Files: the size is checked before a file is read; the model parses and checks what it holds.

async function readFile(file, kind) {
  if (!file) return;
  stop();
  const sizeCheck = kind === "csv" ? view.handle.csvSize(file.size) : view.handle.weightsSize(file.size);
  if (!sizeCheck.ok) {
    say(sizeCheck.message, "obstructed");
    view.els.message.dataset.code = sizeCheck.code;
    return;
  }
  say(`Reading ${file.name}…`);
  let outcome;
  try {
    if (kind === "csv") {
      const bytes = new Uint8Array(await file.arrayBuffer());
      outcome = guarded(() => view.handle.loadCsv(file.name, bytes));
    } else {
      const text = await file.text();
      if (kind === "session") {
        const r = guarded(() => view.handle.loadSession(text));
        outcome = r && r.outcome;
      } else outcome = guarded(() => view.handle.loadWeights(file.name, text));
    }
  } catch (err) {
    outcome = { ok: false, code: "unreadable", message: `The file could not be read: ${(err && err.message) || err}.` };
  }
  if (!outcome) return;
  view.els.message.dataset.code = outcome.code;
  changed(true);
  say(outcome.message, outcome.ok ? "" : "obstructed");
}

/** A dropped file: a CSV by its name, else JSON (a session when it says so, else weights). */
async function dropped(file) {
  if (!file) return;
  if (/\.(csv|txt)$/i.test(file.name)) return readFile(file, "csv");
  const head = file.size < 4096 ? await file.text() : "";
  return readFile(file, head.includes("relu-obstruction-lab-session") ? "session" : "weights");
}

function wireFiles() {
  const e = view.els;
  e.weightsFile.addEventListener("change", () => readFile(e.weightsFile.files[0], "weights").finally(() => (e.weightsFile.value = "")));
  e.csvFile.addEventListener("change", () => readFile(e.csvFile.files[0], "csv").finally(() => (e.csvFile.value = "")));
  e.sessionFile.addEventListener("change", () => readFile(e.sessionFile.files[0], "session").finally(() => (e.sessionFile.value = "")));
  for (const type of ["dragenter", "dragover"]) {
    e.drop.addEventListener(type, (ev) => {
      ev.preventDefault();
      e.drop.classList.add("over");
    });
  }
  e.drop.addEventListener("dragleave", () => e.drop.classList.remove("over"));
  e.drop.addEventListener("drop", (ev) => {
    ev.preventDefault();
    e.drop.classList.remove("over");
    dropped(ev.dataTransfer && ev.dataTransfer.files[0]);
  });
}

// ---------------------------------------------------------------------------------------------
// Registration

function addExports() {
  const names = view.handle.fileNames();
  const menu = exportMenu(
    [
      {
        label: "Charts",
        items: [
          ...chartItems("c_k chart", "c_k", names.conserved.replace(/\.svg$/, ""), () => view.els.conserved, (w, h) => view.handle.svg("conserved", w, h)),
          ...chartItems("loss chart", "Loss", names.loss.replace(/\.svg$/, ""), () => view.els.loss, (w, h) => view.handle.svg("loss", w, h)),
        ],
      },
      {
        label: "Data",
        items: [
          dataItem("Run CSV", "Save the loss curve and c_k as CSV", names.csv, () => view.handle.csv()),
          dataItem("Run JSON", "Save the run with its check, c_k, escapes and weights as JSON", names.json, () => view.handle.json()),
          dataItem("Start weights", "Save the network the run starts from (weights file)", names.weights, () => view.handle.weights()),
          dataItem("Final weights", "Save the network as it is now (weights file)", names.final, () => view.handle.finalWeights()),
          dataItem("Session", "Save the settings, network and data in one file", names.session, () => view.handle.session()),
        ],
      },
    ],
    {
      idPrefix: "lab-export",
      onError: (err) => {
        if (!view.shell.isWasmCrash(err)) return false;
        view.shell.showFatal(err.message);
        return true;
      },
    },
  );
  view.els.buttons.after(menu);
}

function init(wasm, shell) {
  view.shell = shell;
  view.wasm = wasm;
  const root = document.getElementById("lab-root");
  try {
    view.handle = new wasm.LabView();
    build(root);
  } catch (err) {
    if (shell.isWasmCrash(err)) shell.showFatal(err.message);
    else root.textContent = String(err.message || err);
    view.handle = null;
    return;
  }
  const e = view.els;
  e.play.addEventListener("click", togglePlay);
  e.step.addEventListener("click", () => {
    stop();
    guarded(() => view.handle.stepOnce());
    changed(true);
  });
  e.reset.addEventListener("click", () => {
    stop();
    guarded(() => view.handle.reset());
    say("");
    changed(true);
  });
  e.useBuilt.addEventListener("click", () => {
    stop();
    guarded(() => view.handle.useBuiltNetwork());
    say("");
    changed(true);
  });
  e.rebalance.addEventListener("click", () => {
    stop();
    const outcome = guarded(() => view.handle.rebalance());
    changed(true);
    if (outcome) say(outcome.message, outcome.ok ? "" : "obstructed");
  });
  e.downloadWeights.addEventListener("click", () => download(new Blob([view.handle.weights()], { type: "application/json" }), view.handle.fileNames().weights));
  e.saveSession.addEventListener("click", () => download(new Blob([view.handle.session()], { type: "application/json" }), view.handle.fileNames().session));
  bindInputs(view.inputs, view.handle, (text) => say(text, text ? "obstructed" : ""), (result, input) => {
    markRejected(input, result.ok ? null : result.rejection);
    if (!result.ok || !result.change.changed) return;
    stop();
    changed(true);
  });
  wireFiles();
  addExports();
  showVisibility();
  view.shell.watchCanvasSize([e.conserved, e.loss], () => {
    if (view.shown && !view.raf) draw();
  });
  wantData();
}

function show() {
  view.shown = true;
  draw();
  kick();
}

function hide() {
  view.shown = false;
  stop();
  if (view.raf) cancelAnimationFrame(view.raf);
  view.raf = 0;
}

function linkState() {
  return view.handle ? view.handle.linkState() : null;
}

function applyLink(fragment) {
  if (!view.handle) return [];
  stop();
  const rejections = view.handle.applyLink(fragment);
  showValues(view.inputs, view.handle.schema());
  showVisibility();
  draw();
  kick();
  wantData();
  return rejections;
}

window.reluViews = window.reluViews || {};
window.reluViews.lab = { init, show, hide, linkState, applyLink, play, isPlaying: () => Boolean(view.handle && view.handle.playing()), handle: () => view.handle };
