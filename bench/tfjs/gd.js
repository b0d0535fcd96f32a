// The TensorFlow.js peer of the benchmark: full-batch gradient descent on the two-layer ReLU
// network of relu-obstruction, f(x) = Σ_k v_k relu(w_k · x) (e = 1, no biases), on the exact data
// and θ₀ that `obstruction export` prints, in float32 (TF.js's wasm and cpu backends only do
// float32). Loaded by bench/tfjs/page.html after tf-core and one backend; driven by bench/tfjs.mjs.
//
// Two variants, each what a careful TF.js user writes:
// - "analytic": the gradient written out, as bench/peers/gd_numpy.py does: Z = X·Wᵀ, H = relu(Z),
//   f = H·v, the loss, g = ∂L/∂f, ∂v = Hᵀg, ∂W = ((g vᵀ) ⊙ [Z > 0])ᵀ X;
// - "autodiff": tf.variableGrads of the same loss.
// Both update the tf.Variables in place (assign) inside tf.tidy, so a step leaves no tensor behind.
"use strict";

(() => {
  /** The data, the parameters (as tf.Variables) and the constants of one run. */
  function makeModel(ex, lr) {
    const a = ex.arch;
    if (a.e !== 1 || a.hidden_bias || a.output_bias) {
      throw new Error("the TF.js peer implements e = 1 without biases (the fig3 and fig4 presets)");
    }
    const { d, l } = a;
    const n = ex.train.n;
    const theta = ex.theta_initial;
    // tf.variable keeps its own copy; tidy disposes the tensors the copies were made from.
    return tf.tidy(() => ({
      bce: a.loss === "bce",
      X: tf.keep(tf.tensor2d(Float32Array.from(ex.train.x), [n, d])),
      y: tf.keep(tf.tensor2d(Float32Array.from(ex.train.y), [n, 1])),
      W: tf.variable(tf.tensor2d(Float32Array.from(theta.slice(0, l * d)), [l, d])),
      v: tf.variable(tf.tensor2d(Float32Array.from(theta.slice(l * d, l * d + l)), [l, 1])),
      lr: tf.keep(tf.scalar(lr)),
      n: tf.keep(tf.scalar(n)),
      half: tf.keep(tf.scalar(0.5)),
    }));
  }

  function disposeModel(m) {
    for (const t of [m.X, m.y, m.W, m.v, m.lr, m.n, m.half]) t.dispose();
  }

  /** L(θ): ½·mean((f − y)²) (MSE) or mean(softplus(f) − y f) (BCE), from the output f (n × 1). */
  function lossOf(m, f) {
    if (m.bce) return tf.mean(tf.sub(tf.softplus(f), tf.mul(m.y, f)));
    return tf.mul(m.half, tf.mean(tf.square(tf.sub(f, m.y))));
  }

  function output(m) {
    const Z = tf.matMul(m.X, m.W, false, true); // n × l pre-activations
    const H = tf.relu(Z);
    return { Z, H, f: tf.matMul(H, m.v) }; // f: n × 1
  }

  function update(m, gW, gv) {
    m.W.assign(tf.sub(m.W, tf.mul(m.lr, gW)));
    m.v.assign(tf.sub(m.v, tf.mul(m.lr, gv)));
  }

  const STEPS = {
    analytic(m) {
      tf.tidy(() => {
        const { Z, H, f } = output(m);
        let g;
        // The loss is computed every step, as gd_numpy.py computes it, though only g is used.
        if (m.bce) {
          lossOf(m, f);
          g = tf.div(tf.sub(tf.sigmoid(f), m.y), m.n);
        } else {
          const r = tf.sub(f, m.y);
          tf.mul(m.half, tf.mean(tf.square(r)));
          g = tf.div(r, m.n);
        }
        const gv = tf.matMul(H, g, true, false); // l × 1
        // relu'(0) = 0, as in the Rust core: the mask is Z > 0.
        const S = tf.mul(tf.matMul(g, m.v, false, true), tf.cast(tf.greater(Z, 0), "float32")); // n × l
        update(m, tf.matMul(S, m.X, true, false), gv); // ∂W: l × d
      });
    },
    autodiff(m) {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => lossOf(m, output(m).f), [m.W, m.v]);
        update(m, grads[m.W.name], grads[m.v.name]);
      });
    },
  };

  function stepFunction(variant) {
    const step = STEPS[variant];
    if (!step) throw new Error(`unknown TF.js variant ${variant} (analytic or autodiff)`);
    return step;
  }

  const timed = {};

  window.tfjsPeer = {
    /** Selects and initialises the backend; resolves to what ran (version, backend, wasm build). */
    async init(backend, wasmDir, everyCore) {
      if (backend === "wasm") {
        tf.wasm.setWasmPaths(wasmDir);
        // Every core is asked for, as PyTorch is given torch.set_num_threads(cores). TF.js caps its
        // pool at half of navigator.hardwareConcurrency (it assumes two hyperthreads per core), so
        // on 2 logical cores the threaded build still runs one thread: init reports the count.
        if (everyCore) tf.wasm.setThreadsCount(navigator.hardwareConcurrency || 1);
      }
      if (!(await tf.setBackend(backend))) throw new Error(`TF.js could not initialise its ${backend} backend`);
      await tf.ready();
      const info = { version: tf.version_core, backend: tf.getBackend(), cross_origin_isolated: self.crossOriginIsolated === true };
      if (backend === "wasm") {
        info.wasm_simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
        info.wasm_multithread = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
        info.wasm_threads_count = tf.wasm.getThreadsCount();
        // Which of the three builds was fetched (the backend picks it from the two flags above).
        info.wasm_binary = performance
          .getEntriesByType("resource")
          .map((e) => e.name.split("/").pop())
          .filter((name) => name.endsWith(".wasm"));
      }
      return info;
    },

    /** `steps` steps at the preset's learning rate from θ₀; L(θ_steps) as a number. */
    check(ex, variant, steps) {
      const step = stepFunction(variant);
      const before = tf.memory().numTensors;
      const m = makeModel(ex, ex.lr);
      for (let i = 0; i < steps; i++) step(m);
      const loss = tf.tidy(() => lossOf(m, output(m).f).dataSync()[0]);
      disposeModel(m);
      return { final_loss: loss, leaked_tensors: tf.memory().numTensors - before };
    },

    /** Registers the timed run `key` (η = 1e-6 from θ₀) with bench/timing.mjs's window. */
    prepare(key, ex, variant) {
      const step = stepFunction(variant);
      const m = makeModel(ex, 1e-6);
      timed[key] = m;
      globalThis.benchSteppers[key] = (k) => {
        for (let i = 0; i < k; i++) step(m);
        // An async backend would only have queued the work: reading a small tensor waits for
        // all of it, so every batch is timed to its end.
        m.v.dataSync();
      };
    },

    numTensors() {
      return tf.memory().numTensors;
    },
  };
})();
