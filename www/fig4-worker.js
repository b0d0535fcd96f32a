// Web Worker of the Fig. 4 sweep: loads the same wasm-bindgen glue and wasm as the page, then runs
// the jobs it is sent, one at a time, and posts each result back. It only computes: drawing
// measures text through the DOM, which a worker does not have.
//
// Messages in:  {type: "init", jsUrl, wasmUrl, csv, steps, lr} (wasmUrl: the wasm's URL or its
//               compiled WebAssembly.Module; csv: the breast cancer file's text, which the wasm does
//               not carry: www/data.js), then {type: "job", index, job}.
// Messages out: {type: "ready"}, {type: "result", index, result}, {type: "error", message, crash}.

let glue = null;
let settings = null;

function fail(err) {
  const crash = err instanceof WebAssembly.RuntimeError || (err && err.name === "RuntimeError");
  self.postMessage({ type: "error", message: String((err && err.message) || err), crash });
}

self.onmessage = async (event) => {
  const msg = event.data;
  try {
    if (msg.type === "init") {
      // In the single-file build this worker is a classic one with the glue preloaded as self.reluGlue.
      const mod = self.reluGlue || (await import(msg.jsUrl));
      await mod.default({ module_or_path: msg.wasmUrl });
      mod.provideBreastCancerCsv(msg.csv);
      glue = mod;
      settings = { steps: msg.steps, lr: msg.lr };
      self.postMessage({ type: "ready" });
    } else if (msg.type === "job") {
      if (!glue) throw new Error("the sweep worker got a job before it was ready");
      const result = glue.runSweepJob(msg.job, settings.steps, settings.lr);
      self.postMessage({ type: "result", index: msg.index, result });
    }
  } catch (err) {
    fail(err);
  }
};
