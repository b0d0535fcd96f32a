// Links: the page's whole state in the URL fragment. The format, its version and every check live
// in the Rust core (src/link.rs, through wasm.parseLink / wasm.formatLink / wasm.linkSchema /
// wasm.linkPresets); this module only reads location.hash, asks the active view for getState() and
// setState(values), writes history entries, shows the link message, the presets menu and the
// "Copy link" button. Everything taken from a link is shown with textContent only.

import { el } from "./dom.js";

// How often continuous changes (dragging, rotation, stepping during play) refresh the URL.
const SYNC_MS = 400;
// Keys holding a step count: a link replays at most the schema's maximum.
const REPLAY_KEYS = ["step", "rstep"];
// Play/pause buttons change no setting: the steps they make refresh the URL without a new entry.
const CONTINUOUS_IDS = new Set(["play", "fig1b-play", "hm-play"]);

const links = {
  wasm: null,
  hooks: null,
  schema: null,
  applied: null, // the location.hash last applied or written by this module
  applying: false,
  lastByView: {}, // view → its last link, for the navigation
  capped: null, // a note when the replay length was capped
  pending: 0,
};

const $ = (id) => document.getElementById(id);

function fail(err) {
  if (links.hooks.isWasmCrash(err)) links.hooks.showFatal(err.message);
  else console.warn(`link: ${err && err.message ? err.message : err}`);
}

// ---------------------------------------------------------------------------------------------
// The message naming what a link had wrong

function showRejections(parsed) {
  const box = $("link-message");
  const list = parsed.rejections;
  box.replaceChildren();
  box.hidden = list.length === 0;
  if (!list.length) return;
  box.append(
    el("p", {
      text:
        list.length === 1
          ? "This link had a problem; everything else in it was applied:"
          : `This link had ${list.length} problems; everything else in it was applied:`,
    }),
  );
  const ul = el("ul", { id: "link-rejections" });
  for (const r of list) {
    // textContent only: the quoted value is whatever the link carried, shown inert.
    ul.append(el("li", { text: r.message, data: { key: r.key, code: r.code } }));
  }
  box.append(ul);
}

// ---------------------------------------------------------------------------------------------
// Reading and writing the URL

function activeModule() {
  return links.hooks.module(links.hooks.activeView());
}

/** The version-1 link of the active view's current state, or null when the view is not ready. */
function currentLink() {
  const view = links.hooks.activeView();
  const mod = activeModule();
  // TEMPORARY (vm-topology): a view on the link protocol writes its own link.
  if (mod && mod.linkState) {
    const s = mod.linkState();
    if (!s) return null;
    links.capped = s.note;
    return s.link;
  }
  if (!mod || !mod.getState) return null;
  const state = mod.getState();
  if (!state) return null;
  links.capped = null;
  for (const key of REPLAY_KEYS) {
    const param = (links.schema[view] || []).find((p) => p.key === key);
    if (!param || typeof state[key] !== "number") continue;
    const max = view === "fig3" && state.int === "flow" ? Math.min(param.max, links.replay.fig3FlowReplay) : param.max;
    if (state[key] > max) {
      links.capped = `this link replays ${max} steps, the most a link holds here (the page is at step ${state[key]})`;
      state[key] = max;
    }
  }
  return links.wasm.formatLink(view, state);
}

/** Writes the current state into the URL: a new history entry (`push`) or the current one. */
function sync(push) {
  if (links.applying || !links.wasm) return;
  // The address bar changed under us (a navigation not handled yet): leave it to applyHash.
  if (location.hash !== links.applied) return;
  let link;
  try {
    link = currentLink();
  } catch (err) {
    fail(err);
    return;
  }
  if (!link) return;
  links.lastByView[links.hooks.activeView()] = link;
  updateNav();
  if (link === location.hash) return;
  if (push) {
    history.pushState(null, "", link);
    $("link-message").hidden = true;
  } else history.replaceState(history.state, "", link);
  links.applied = location.hash;
  $("link-field").value = location.href;
}

function schedulePush() {
  clearTimeout(links.pending);
  links.pending = setTimeout(() => sync(true), 0);
}

/** Applies the link in the address bar: its view, its values, its message. */
function applyHash() {
  if (location.hash === links.applied) return;
  let parsed;
  try {
    parsed = links.wasm.parseLink(location.hash);
  } catch (err) {
    fail(err);
    return;
  }
  links.applying = true;
  try {
    links.hooks.setActiveView(parsed.view);
    links.hooks.route();
    const mod = links.hooks.module(parsed.view);
    if (mod && mod.applyLink) parsed.rejections = mod.applyLink(location.hash);
    else if (mod && mod.setState) mod.setState(parsed.values, parsed);
  } catch (err) {
    fail(err);
  } finally {
    links.applying = false;
  }
  showRejections(parsed);
  // The address bar now shows the canonical link of what is on screen (defaults written out,
  // rejected values dropped), so that a copy or a reload gives exactly this state.
  links.applied = location.hash;
  sync(false);
  links.applied = location.hash;
  $("link-field").value = location.href;
  document.body.dataset.linkApplied = String(Number(document.body.dataset.linkApplied || 0) + 1);
}

// ---------------------------------------------------------------------------------------------
// Navigation, presets, copy

function updateNav() {
  for (const a of document.querySelectorAll("[data-view-link]")) {
    const link = links.lastByView[a.dataset.viewLink];
    if (link) a.setAttribute("href", link);
  }
}

function buildPresets() {
  const list = $("presets-list");
  let presets = [];
  try {
    presets = links.wasm.linkPresets();
  } catch (err) {
    fail(err);
  }
  list.replaceChildren(
    ...presets.map((p) => el("li", {}, [el("a", { href: p.link, text: p.label, data: { preset: p.id, view: p.view } })])),
  );
}

async function copyLink() {
  sync(false);
  const status = $("copy-status");
  const field = $("link-field");
  const url = location.href;
  field.value = url;
  const note = links.capped ? ` Note: ${links.capped}.` : "";
  try {
    if (!navigator.clipboard || !window.isSecureContext) throw new Error("no clipboard");
    await navigator.clipboard.writeText(url);
    field.hidden = true;
    $("link-field-label").hidden = true;
    status.textContent = `Link copied to the clipboard.${note}`;
  } catch {
    // No clipboard access (an insecure context, a denied permission): show the link selected.
    field.hidden = false;
    $("link-field-label").hidden = false;
    field.focus();
    field.select();
    status.textContent = `The clipboard is not available here: the link is selected in the field, copy it with Ctrl+C (⌘C on a Mac).${note}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Start

/**
 * Starts the links. `hooks`: { module(name), activeView(), setActiveView(name), route(),
 * isWasmCrash(err), showFatal(text) }.
 */
export function initLinks(wasm, hooks) {
  links.wasm = wasm;
  links.hooks = hooks;
  links.schema = wasm.linkSchema();
  links.replay = wasm.linkReplayLimits();
  buildPresets();
  $("copy-link").addEventListener("click", copyLink);
  addEventListener("popstate", applyHash);
  addEventListener("hashchange", applyHash);
  // Discrete changes of a setting make a history entry; continuous ones only refresh it.
  for (const type of ["change", "click", "submit"]) {
    document.addEventListener(type, (e) => {
      const t = e.target;
      if (!t || !t.closest || t.closest("header, #link-tools")) return;
      const button = t.closest("button");
      if (button && CONTINUOUS_IDS.has(button.id)) return;
      // Saving a chart or a run changes no setting (and a history write could cut a download).
      if (t.closest(".export-bar, .classroom-bar")) return;
      schedulePush();
    });
  }
  document.addEventListener("keyup", (e) => {
    if (e.target && e.target.closest && e.target.closest(".export-bar, .classroom-bar")) return;
    if (e.key === "Enter" || e.key === " " || e.key === "r" || e.key === "R") schedulePush();
  });
  setInterval(() => sync(false), SYNC_MS);
  applyHash();
  // For the console and the end-to-end tests.
  window.reluLinks = { links, sync, applyHash, currentLink, changed: (push) => (push ? schedulePush() : sync(false)) };
}
