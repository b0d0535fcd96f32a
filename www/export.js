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

/**
 * The PNG and SVG buttons of one chart: `short` prefixes the visible text ("Neuron 1 PNG"),
 * `base` is the file name without extension (or a function returning it), `canvas()` the chart's
 * canvas and `svg(width, height)` the SVG text at the canvas's pixel size.
 */
export function chartItems(what, short, base, canvas, svg) {
  const fileBase = () => (typeof base === "function" ? base() : base);
  const text = (kind) => (short ? `${short} ${kind}` : kind);
  return [
    exportItem(text("PNG"), `Save the ${what} as PNG`, () => `${fileBase()}.png`, () => canvasPng(canvas())),
    exportItem(text("SVG"), `Save the ${what} as SVG`, () => `${fileBase()}.svg`, () => {
      const c = canvas();
      return svg(Math.max(1, c.width), Math.max(1, c.height));
    }),
  ];
}

/** A data button (CSV or JSON). */
export function dataItem(text, description, file, make) {
  return exportItem(text, description, file, make);
}

/**
 * A labelled group of export buttons. Errors go to the group's own status line, or to
 * `options.onError(err)` (which returns true when it handled the error, e.g. a crash).
 */
export function exportBar(label, items, options = {}) {
  const status = el("span", { class: "export-status", role: "status", "aria-live": "polite" });
  const heading = el("span", { class: "export-label", text: label });
  const bar = el("div", { class: "export-bar", role: "group", "aria-label": label }, [heading]);
  for (const item of items) {
    const button = el("button", { type: "button", class: "export-button", text: item.text, title: item.description });
    if (options.idPrefix) button.id = `${options.idPrefix}-${item.text.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
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
      } catch (err) {
        if (options.onError && options.onError(err)) return;
        status.textContent = `Could not export: ${err && err.message ? err.message : err}`;
      }
    });
    bar.append(button);
  }
  bar.append(status);
  return bar;
}
