// The page's two wasm modules, both built from the Rust core by Trunk (www/index.html):
// - the first screen's (src/first: the Fig. 3 view, the links, the chart text), which Trunk's
//   loader instantiates at start and hands to app.js as window.wasmBindings;
// - the whole library's (every view and the Fig. 4 sweep's workers), the files relu-obstruction.js
//   and relu-obstruction_bg.wasm beside the page, loaded here the first time a view other than
//   Fig. 3 is about to open. A reader who stays on Fig. 3 never downloads it (BENCHMARKS.md, "The
//   page: size and first frame").
// The single-file build (scripts/build-single.mjs) carries the whole module only, which then plays
// both parts.

const GLUE = "./relu-obstruction.js";

let pending = null;

/** The compiled whole module from `url`; the reason in words when the server does not give it. */
async function compile(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the server answered ${response.status} ${response.statusText}`.trim());
  // Streaming compilation needs the wasm MIME type; a host that sends another one still works.
  if ((response.headers.get("content-type") || "").startsWith("application/wasm")) return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}

async function load() {
  if (window.reluBundle) {
    // Single file: the page's module is already the whole one.
    return { wasm: window.wasmBindings, jsUrl: window.reluBundle.glue.jsUrl, module: window.reluBundle.glue.wasmUrl };
  }
  const jsUrl = new URL(GLUE, import.meta.url).href;
  const module = await compile(jsUrl.replace(/\.js$/, "_bg.wasm"));
  const glue = await import(jsUrl);
  await glue.default({ module_or_path: module });
  return { wasm: glue, jsUrl, module };
}

/**
 * Resolves to the whole module, `{wasm, jsUrl, module}`: its bindings, its glue's URL and the
 * compiled `WebAssembly.Module` (which the Fig. 4 sweep hands its workers). Loaded once; a failure
 * rejects with the reason, and the next call loads again.
 */
export function wholeCore() {
  if (!pending) {
    pending = load();
    pending.catch(() => {
      pending = null;
    });
  }
  return pending;
}
