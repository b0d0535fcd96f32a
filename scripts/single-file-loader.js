// Loader of the single-file build (scripts/build-single.mjs), inlined into its HTML with its hash
// in that page's Content-Security-Policy. The page has no files beside it: the site's modules, the
// wasm-bindgen glue and the wasm travel in the JSON block #relu-bundle. This script compiles the
// wasm, turns every module into a blob: URL (a module's references to its sibling files became
// tokens at build time and become those blob URLs here), lends fig4.js what it needs to start its
// Web Workers (window.reluBundle), then runs the site's module scripts in dist/index.html's order.
//
// Workers: Chromium refuses module workers (and module imports inside workers) from blob: URLs
// in a page opened from disk, so a worker here is a classic one whose script is the glue, rewritten
// at build time into a classic script that sets self.reluGlue, followed by the worker's own code.

const TOKEN = /@@relu-bundle:([^@"']+)@@/g;

function fail(err) {
  const banner = document.createElement("p");
  banner.className = "banner fatal";
  banner.setAttribute("role", "alert");
  banner.textContent = `This single-file copy could not start: ${err && err.message ? err.message : err}.`;
  document.body.prepend(banner);
}

try {
  const bundle = JSON.parse(document.getElementById("relu-bundle").textContent);
  const binary = atob(bundle.wasm);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const wasm = await WebAssembly.compile(bytes);

  const urls = new Map();
  const blobUrl = (text) => URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
  const resolve = (source) =>
    source.replace(TOKEN, (_, name) => {
      if (!urls.has(name)) throw new Error(`the module ${name} is not ready`);
      return urls.get(name);
    });
  // bundle.order lists every module after the modules it refers to.
  for (const name of bundle.order) urls.set(name, blobUrl(resolve(bundle.modules[name])));

  window.reluBundle = {
    /** The compiled wasm (the bootstrap's reference to the .wasm file became this). */
    wasm,
    /** What fig4.js hands its workers: the glue's URL and, instead of the wasm's URL, the module. */
    glue: { jsUrl: urls.get(bundle.glue), wasmUrl: wasm },
    /** The text of the data files the modules name (www/data.js reads breast_cancer.csv here). */
    files: bundle.files,
    /** A classic Web Worker running the bundled worker script `name` with the glue preloaded. */
    worker(name) {
      const source = bundle.modules[name];
      if (source === undefined) throw new Error(`this file holds no worker script ${name}`);
      return new Worker(blobUrl(`${bundle.classicGlue}\n${resolve(source)}`));
    },
  };

  for (const name of bundle.entries) await import(urls.get(name));
} catch (err) {
  fail(err);
}
