// Export controls shared by every view: a labelled group of buttons that save a chart as PNG (the
// canvas pixels) or SVG (drawn again by the same Rust chart code into plotters' SVG backend), or
// the view's data as CSV / JSON (written by the Rust core with the settings that reproduce it).
// Downloads go through a Blob, an object URL and a temporary <a download>; no data: URLs.
//
// Usage from a view:
//   bar = exportBar("Save the loss chart", [
//     ...chartItems("loss chart", "", "fig3-loss", () => canvas, (w, h) => wasm.lossChartSvg(..., w, h)),
//     dataItem("CSV", "run data as CSV", "fig3-top-run.csv", () => run.exportCsv("top")),
//   ], { onError });
//   someContainer.append(bar);

import { el } from "./dom.js";

const TYPES = {
  svg: "image/svg+xml",
  csv: "text/csv;charset=utf-8",
  json: "application/json",
  png: "image/png",
};

/** Saves `blob` as `filename` through an object URL and a temporary link. */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: filename, class: "export-link" });
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoke once the browser has started the download.
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** The pixels of `canvas` as a PNG blob. */
export function canvasPng(canvas) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("the canvas could not be encoded as PNG"))), "image/png");
  });
}

const extension = (name) => name.slice(name.lastIndexOf(".") + 1);

/**
 * One export button. `file` is the file name (or a function returning it); `make` returns the
 * content: a Blob, a string (typed from the file's extension) or a Promise of either.
 */
export function exportItem(text, description, file, make) {
  return { text, description, file, make };
}

/** How many times the chart's on-screen size a PNG is drawn at: sharp on a slide or a retina screen. */
export const PNG_SCALE = 2;

/**
 * A PNG of `svgText` (a `width` × `height` SVG drawn by the Rust chart code), rasterized by the
 * browser: the PNG is drawn by the same chart code as the SVG, at any size.
 */
export function svgPng(svgText, width, height) {
  const url = URL.createObjectURL(new Blob([svgText], { type: TYPES.svg }));
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      const c = document.createElement("canvas");
      c.width = width;
      c.height = height;
      const ctx = c.getContext("2d");
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, width, height);
      ctx.drawImage(img, 0, 0, width, height);
      URL.revokeObjectURL(url);
      canvasPng(c).then(resolve, reject);
    };
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error("the chart could not be drawn as PNG"));
    };
    img.src = url;
  });
}

/** The CSS size of `canvas` in whole pixels (at least 1). */
function cssSize(canvas) {
  const r = canvas.getBoundingClientRect();
  return [Math.max(1, Math.round(r.width)), Math.max(1, Math.round(r.height))];
}

/**
 * The PNG and SVG items of one chart: `short` prefixes the visible text ("Neuron 1 PNG"),
 * `base` is the file name without extension (or a function returning it), `canvas()` the chart's
 * canvas and `svg(width, height)` the chart drawn by Rust into an SVG of that pixel size. The
 * PNG is the same drawing at PNG_SCALE × the canvas's on-screen size; the SVG is at the on-screen
 * size, so its text has the size the reader sees.
 */
export function chartItems(what, short, base, canvas, svg) {
  const fileBase = () => (typeof base === "function" ? base() : base);
  const text = (kind) => (short ? `${short} ${kind}` : kind);
  return [
    exportItem(text("PNG"), `Save the ${what} as PNG (${PNG_SCALE}× its size on screen)`, () => `${fileBase()}.png`, () => {
      const [w, h] = cssSize(canvas());
      return svgPng(svg(w * PNG_SCALE, h * PNG_SCALE), w * PNG_SCALE, h * PNG_SCALE);
    }),
    exportItem(text("SVG"), `Save the ${what} as SVG`, () => `${fileBase()}.svg`, () => {
      const [w, h] = cssSize(canvas());
      return svg(w, h);
    }),
  ];
}

/** A data item (CSV or JSON). */
export function dataItem(text, description, file, make) {
  return exportItem(text, description, file, make);
}

/**
 * One Export menu for a figure: `groups` = [{ label, items, id }] (a group's label heads its items
 * in the menu; its optional id goes into the buttons' ids). Errors and "Saved …" go to the menu's own status line, or to `options.onError(err)`
 * (which returns true when it handled the error, e.g. a crash). `options.idPrefix` names the
 * buttons (the tests use the ids); `options.label` is the summary's accessible name.
 */
export function exportMenu(groups, options = {}) {
  const status = el("span", { class: "export-status", role: "status", "aria-live": "polite" });
  const panel = el("div", { class: "menu-panel export-panel" });
  const summary = el("summary", { class: "export-summary", text: "Export", title: options.label || "Export this figure" });
  const menu = el("details", { class: "menu export-menu" }, [summary, panel]);
  if (options.idPrefix) menu.id = `${options.idPrefix}-menu`;
  for (const group of groups) {
    const list = el("ul", { role: "group", "aria-label": group.label });
    if (group.label) panel.append(el("p", { class: "menu-note", text: group.label }));
    for (const item of group.items) {
      const button = el("button", { type: "button", class: "export-button", text: item.text, title: item.description });
      const prefix = group.id ? `${options.idPrefix}-${group.id}` : options.idPrefix;
      if (options.idPrefix) button.id = `${prefix}-${item.text.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
      button.dataset.export = "true";
      button.addEventListener("click", async () => {
        status.textContent = "";
        try {
          const file = typeof item.file === "function" ? item.file() : item.file;
          let content = await item.make();
          if (!(content instanceof Blob)) content = new Blob([content], { type: TYPES[extension(file)] || "application/octet-stream" });
          download(content, file);
          status.textContent = `Saved ${file}.`;
          button.dataset.saved = file;
          menu.open = false;
        } catch (err) {
          if (options.onError && options.onError(err)) return;
          status.textContent = `Could not export: ${err && err.message ? err.message : err}`;
        }
      });
      list.append(el("li", {}, [button]));
    }
    panel.append(list);
  }
  closeOnOutside(menu);
  return el("div", { class: "export-bar" }, [menu, status]);
}

/** A single-group Export menu (the group's label is `label`). */
export function exportBar(label, items, options = {}) {
  return exportMenu([{ label, items }], { label, ...options });
}

/** Closes a <details> menu on Escape or a click outside it. */
export function closeOnOutside(menu) {
  document.addEventListener("pointerdown", (e) => {
    if (menu.open && !menu.contains(e.target)) menu.open = false;
  });
  menu.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && menu.open) {
      e.stopPropagation();
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
}
