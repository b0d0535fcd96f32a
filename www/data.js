// The breast cancer data (data/breast_cancer.csv) for the views that train on them: the Fig. 4
// sweep's workers and the lab. The page's wasm does not carry the file (46 KB of its gzip, never
// needed on the first screen): it is fetched once, when such a view starts, and handed to the core
// as text; the core parses and checks it (provideBreastCancerCsv). The single-file build has no
// files beside it: its loader lends the text (window.reluBundle.files, scripts/build-single.mjs).

const FILE = "./breast_cancer.csv";

let pending = null;

async function fetchText() {
  const bundled = window.reluBundle && window.reluBundle.files ? window.reluBundle.files[FILE.slice(2)] : undefined;
  if (typeof bundled === "string") return bundled;
  const response = await fetch(new URL(FILE, import.meta.url));
  if (!response.ok) throw new Error(`the server answered ${response.status} ${response.statusText}`.trim());
  return response.text();
}

/**
 * Resolves to the CSV text once the page's core holds the data (the workers get the text). A
 * failure rejects with the reason, and the next call fetches again.
 */
export function breastCancer(wasm) {
  if (!pending) {
    pending = fetchText().then((text) => {
      wasm.provideBreastCancerCsv(text);
      return text;
    });
    pending.catch(() => {
      pending = null;
    });
  }
  return pending;
}
