// The TF.js that bench/tfjs/page.html runs, as a careful user ships it for training with tfjs-core:
// the core, its gradients, and the cpu and wasm backends, bundled by esbuild into one script
// (bench/tfjs.mjs does it at start). The gradients are why this is a bundle and not the packages'
// own dist/*.min.js: tf-core.min.js registers no gradient (tf.variableGrads fails there with
// "gradient function not found"), and TF.js's way to get them with tfjs-core alone is to import
// register_all_gradients, which only exists as an ES module.
import * as core from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import "@tensorflow/tfjs-backend-cpu";
import * as wasm from "@tensorflow/tfjs-backend-wasm";

// The same global a <script> of tf-core.min.js and tf-backend-wasm.min.js would give.
globalThis.tf = { ...core, wasm };
