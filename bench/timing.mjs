// What every timed contestant of the benchmark shares: the timing window, in the page and in node,
// and the statistics of the rounds.
//
// The window is the protocol of `obstruction bench` (and of bench/peers/common.py): η = 1e-6 so
// that every step does the same work and the run stays finite however long it lasts; a batch of
// steps calibrated once, by doubling from 16 until one batch takes a tenth of a window; then the
// batch is repeated until the window has passed, and the rate is the steps done over the time
// taken. The calibration is not timed and happens once per contestant, so every round's window is
// timed with the same batch.

import os from "node:os";

/**
 * Installs `globalThis.benchTiming` in a page (pass this function to page.evaluate). It is one
 * function for the demo's page and the TF.js pages, so that both run the same loop. A contestant is
 * a function `step(k)` that does k steps (and, for TF.js, waits for them to finish).
 */
export function installPageTiming() {
  if (globalThis.benchTiming) return;
  const batches = new Map();
  globalThis.benchSteppers = globalThis.benchSteppers || {};
  globalThis.benchTiming = {
    /** One timed window of `seconds` of the stepper registered under `key`. */
    window(key, seconds) {
      const step = globalThis.benchSteppers[key];
      if (typeof step !== "function") throw new Error(`no stepper named ${key} in this page`);
      if (!batches.has(key)) {
        let batch = 16;
        for (;;) {
          const t = performance.now();
          step(batch);
          if ((performance.now() - t) / 1000 >= seconds / 10) break;
          batch *= 2;
        }
        batches.set(key, batch);
      }
      const batch = batches.get(key);
      const start = performance.now();
      let steps = 0;
      while ((performance.now() - start) / 1000 < seconds) {
        step(batch);
        steps += batch;
      }
      const elapsed = (performance.now() - start) / 1000;
      return { steps_per_s: steps / elapsed, steps, seconds: elapsed, batch };
    },
  };
}

/** The median of a list of numbers (the mean of the middle two for an even count). */
export function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return undefined;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The 1-minute load average, rounded as it is reported. */
export function loadAverage() {
  return Number(os.loadavg()[0].toFixed(2));
}
