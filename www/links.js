// Links: the page's whole state in the URL fragment. The format, its version and every check live
// in the Rust core (src/app/link.rs): each view's handle applies a link to its model
// (view.applyLink(fragment), returning the refused pieces) and writes the link of what it shows
// (view.linkState() → {link, note}). This module only reads location.hash, routes it to its view,
// writes history entries when a view says it changed (notifyChange), shows the link message, the
// presets menu and the "Copy link" button. Everything taken from a link is shown with textContent
// only.

import { el } from "./dom.js";
import { closeOnOutside } from "./export.js";

// Continuous changes (dragging, rotation, stepping during play) refresh the URL at most this often.
const CONTINUOUS_MS = 400;

const links = {
  wasm: null,
  hooks: null,
  applied: null, // the location.hash last applied or written by this module
  applying: false,
  lastByView: {}, // view → its last link, for the navigation
  capped: null, // a note when the link cannot hold the whole state
  lastWrite: 0, // when a continuous change last refreshed the URL
  trailing: 0, // the timer of a continuous change still to be written
  appliedCount: 0, // links applied so far (for the tests)
  embedded: false, // the link said embed=1: every link written keeps it
};

const $ = (id) => document.getElementById(id);

function fail(err) {
  if (links.hooks.isWasmCrash(err)) links.hooks.showFatal(err.message);
  else console.warn(`link: ${err && err.message ? err.message : err}`);
}

// ---------------------------------------------------------------------------------------------
// The message naming what a link had wrong

function showRejections(list) {
  const box = $("link-message");
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
  const mod = activeModule();
  if (!mod || !mod.linkState) return null;
  const state = mod.linkState();
  if (!state) return null;
  links.capped = state.note;
  showFullPageLink(state.link);
  return links.embedded ? `${state.link}&embed=1` : state.link;
}

/** Embed mode's "open the full page" link: the same state without embed=1. */
function showFullPageLink(link) {
  const a = $("full-page-link");
  if (!a) return;
  a.hidden = !links.embedded;
  const url = new URL(location.href);
  url.hash = link;
  a.href = url.href;
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

/**
 * A view's state changed. `push`: a discrete change (a new history entry, written now).
 * Otherwise a continuous one: the current entry is refreshed at most every CONTINUOUS_MS, with a
 * last write when the changes stop.
 */
export function notifyChange(push) {
  if (!links.wasm || links.applying) return;
  clearTimeout(links.trailing);
  links.trailing = 0;
  const now = performance.now();
  if (push || now - links.lastWrite >= CONTINUOUS_MS) {
    links.lastWrite = now;
    sync(Boolean(push));
  } else {
    links.trailing = setTimeout(() => notifyChange(false), CONTINUOUS_MS - (now - links.lastWrite));
  }
}

/** Applies the link in the address bar: its view, its values, its message. */
function applyHash() {
  if (location.hash === links.applied) return;
  let view;
  try {
    view = links.wasm.linkView(location.hash);
  } catch (err) {
    fail(err);
    return;
  }
  let rejections = [];
  // The view's module is null while the wasm it runs on loads (app.js): the link is applied when
  // it arrives (reapplyLink), and nothing is written to the address bar until then.
  let loading = false;
  links.applying = true;
  try {
    links.embedded = Boolean(links.wasm.parseLink(location.hash).embed);
    links.hooks.setEmbedded(links.embedded);
    links.hooks.setActiveView(view);
    if (view === "tour") {
      // The tour opens its step's view itself: apply the step first, then show it once.
      const mod = links.hooks.module(view);
      loading = mod === null;
      if (mod && mod.applyLink) rejections = mod.applyLink(location.hash);
      links.hooks.route();
    } else {
      links.hooks.route();
      const mod = links.hooks.module(view);
      loading = mod === null;
      if (mod && mod.applyLink) rejections = mod.applyLink(location.hash);
    }
  } catch (err) {
    fail(err);
  } finally {
    links.applying = false;
  }
  if (loading) {
    // Taken as applied, so that a link back to the view before (equal to links.applied until
    // now) is applied too; reapplyLink applies this one when its module arrives.
    links.applied = location.hash;
    return;
  }
  showRejections(rejections);
  // The address bar now shows the canonical link of what is on screen (defaults written out,
  // rejected values dropped), so that a copy or a reload gives exactly this state.
  links.applied = location.hash;
  sync(false);
  links.applied = location.hash;
  $("link-field").value = location.href;
  links.appliedCount += 1;
  document.body.dataset.linkApplied = String(links.appliedCount);
}

/** Applies the link in the address bar again: the view it names could not start before (app.js). */
export function reapplyLink() {
  links.applied = null;
  applyHash();
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
  // The menu closes once a preset is chosen (and on Escape or a click elsewhere).
  const menu = $("presets-menu");
  list.addEventListener("click", (e) => {
    if (e.target.closest("a")) menu.open = false;
  });
  closeOnOutside(menu);
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
 * setEmbedded(on), isWasmCrash(err), showFatal(text) }.
 */
export function initLinks(wasm, hooks) {
  links.wasm = wasm;
  links.hooks = hooks;
  buildPresets();
  $("copy-link").addEventListener("click", copyLink);
  addEventListener("popstate", applyHash);
  addEventListener("hashchange", applyHash);
  applyHash();
  // For the console and the end-to-end tests.
  window.reluLinks = { links, sync, applyHash, currentLink, notifyChange };
}
