// Builds ONE self-contained HTML file from the Trunk build in dist/: every stylesheet, JavaScript
// module, the wasm-bindgen glue and the wasm (base64) inlined, so the page works opened straight
// from disk (file://, no server), e.g. from a supplementary-material archive.
//
//   node scripts/build-single.mjs [--dist DIR] [--out FILE]     (defaults: dist/, dist-single/relu-obstruction.html)
//
// Nothing is listed by hand: the stylesheets, module scripts, glue (the modulepreload beside the
// wasm) and wasm (preload) come from dist/index.html, and further modules from the string
// literals "./name.js" in those modules (imports, and worker scripts such as
// new URL("./fig4-worker.js", …)); the data files they name ("./name.csv", www/data.js) travel
// as text. The page's two wasm modules (www/cores.js) become one: the whole library's, in place
// of the first screen's. A reference it cannot inline (an image, a file outside dist/, a classic
// script) stops the build with a message rather than producing a page that half works.
//
// The file's Content-Security-Policy has no 'unsafe-inline' either: its one inline script (the
// loader, scripts/single-file-loader.js) and its one <style> block are allowed by their sha256
// hashes; the site's modules run from blob: URLs the loader creates (script-src blob:, which only
// code already running in the page can mint); WebAssembly needs 'wasm-unsafe-eval'; nothing may be
// fetched (connect-src 'none').

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { attributes, cspHash, cspProblems, isExecutable, lintHtml, lintJs, metaCsp, report, scriptElements } from "./content-policy.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TOKEN = (name) => `@@relu-bundle:${name}@@`;
// The whole library's wasm module beside the page (www/index.html, www/cores.js).
const WHOLE_GLUE = "relu-obstruction.js";
const WHOLE_WASM = "relu-obstruction_bg.wasm";

function parseArgs(argv) {
  const opts = { dist: path.join(ROOT, "dist"), out: path.join(ROOT, "dist-single/relu-obstruction.html") };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--dist") opts.dist = path.resolve(argv[++i]);
    else if (argv[i] === "--out") opts.out = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (use --dist DIR, --out FILE)`);
  }
  return opts;
}

/** The dist-relative name of a relative reference such as "./app.js", or null for any other URL. */
function localName(ref) {
  if (!ref || /^(#|data:|blob:|[a-z][a-z0-9+.-]*:)/i.test(ref)) return null;
  const clean = ref.split(/[?#]/)[0].replace(/^\.\//, "");
  return path.posix.normalize(clean);
}

/**
 * The glue (an ES module without imports) as a classic script that sets self.reluGlue to its
 * namespace, for classic workers. Refuses a shape it does not know rather than guess.
 */
export function classicGlue(source) {
  const exported = [];
  let body = source.replace(/^export\s+((?:async\s+)?function\s*\*?\s*|class\s+|(?:const|let|var)\s+)([A-Za-z_$][\w$]*)/gm, (_, kw, name) => {
    exported.push([name, name]);
    return kw + name;
  });
  body = body.replace(/^export\s*\{([^}]*)\};?[ \t]*$/gm, (_, list) => {
    for (const item of list.split(",").map((s) => s.trim()).filter(Boolean)) {
      const [local, as] = item.split(/\s+as\s+/);
      exported.push([as || local, local]);
    }
    return "";
  });
  body = body.replace(/\bimport\.meta\.url\b/g, "self.location.href");
  const left = body.match(/^\s*(import|export)\b.*$/m) || body.match(/import\.meta/);
  if (left) throw new Error(`the glue has a form the classic rewrite does not know: ${left[0].trim().slice(0, 80)}`);
  const names = exported.map(([as, local]) => `${JSON.stringify(as)}: ${local}`).join(", ");
  return `self.reluGlue = (() => {\n"use strict";\n${body}\nreturn { ${names} };\n})();\n`;
}

export function buildSingle({ dist, out }) {
  const indexPath = path.join(dist, "index.html");
  if (!fs.existsSync(indexPath)) throw new Error(`${indexPath} does not exist: run trunk build first`);
  let html = fs.readFileSync(indexPath, "utf8");
  const distFile = (name) => {
    const file = path.join(dist, name);
    if (!file.startsWith(dist + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return null;
    return file;
  };

  // 1. What dist/index.html loads, in order; those tags go.
  const styles = [];
  const entries = [];
  let glue = null;
  let wasmName = null;
  const modulePreloads = [];
  const cuts = [];
  for (const m of html.matchAll(/<link\b[^>]*>/gi)) {
    const a = attributes(m[0]);
    const rel = (a.get("rel") || "").toLowerCase().split(/\s+/);
    const name = localName(a.get("href"));
    if (!name) continue; // e.g. the data: icon
    if (!distFile(name)) throw new Error(`index.html links ${a.get("href")}, which is not in ${dist}`);
    if (rel.includes("stylesheet")) styles.push(name);
    else if (rel.includes("modulepreload")) modulePreloads.push(name);
    else if (rel.includes("preload") && name.endsWith(".wasm")) wasmName = wasmName ? fail(`two wasm preloads (${wasmName}, ${name})`) : name;
    else throw new Error(`index.html links ${name} (rel="${a.get("rel")}"), which the single-file build cannot inline`);
    cuts.push([m.index, m.index + m[0].length]);
  }
  for (const s of scriptElements(html)) {
    if (!s.attrs.has("src")) {
      if (isExecutable(s.attrs)) throw new Error("index.html has an inline script (the post-build hook should have moved it)");
      continue;
    }
    if ((s.attrs.get("type") || "").toLowerCase() !== "module") throw new Error(`classic script ${s.attrs.get("src")}: only module scripts are supported`);
    const name = localName(s.attrs.get("src"));
    if (!name || !distFile(name)) throw new Error(`script ${s.attrs.get("src")} is not in ${dist}`);
    entries.push(name);
    cuts.push([s.start, s.end]);
  }
  // The glue is the module beside the wasm (name.js, name_bg.wasm); the other modulepreloads are
  // of the page's own modules (scripts/trunk-post-build.mjs), inlined below like every module.
  if (wasmName) {
    const glues = modulePreloads.filter((name) => name === wasmName.replace(/_bg\.wasm$/, ".js"));
    if (glues.length > 1) fail(`two modulepreload links of the glue ${glues[0]}`);
    glue = glues[0] ?? null;
  }
  if (!glue || !wasmName) throw new Error("index.html has no modulepreload of the glue or no preload of the wasm (Trunk writes both)");
  // The page preloads the first screen's module and loads the whole library's when another view
  // opens (www/cores.js). The single file carries the whole one only, which plays both parts: every
  // reference to the first screen's glue or wasm becomes one to the whole module's.
  const firstGlue = glue;
  const firstWasm = wasmName;
  glue = WHOLE_GLUE;
  wasmName = WHOLE_WASM;
  if (!distFile(glue) || !distFile(wasmName)) throw new Error(`${dist} lacks the whole module (${glue}, ${wasmName}) that www/cores.js loads`);
  const csp = metaCsp(html);
  if (csp) {
    const end = html.indexOf(">", csp.index) + 1;
    cuts.push([csp.index, end]);
  }
  cuts.sort((x, y) => y[0] - x[0]);
  for (const [from, to] of cuts) html = html.slice(0, from) + html.slice(to);
  for (const m of html.matchAll(/<[a-zA-Z][^>]*>/g)) {
    for (const [attr, value] of attributes(m[0])) {
      if (!["src", "href", "srcset", "poster", "data"].includes(attr)) continue;
      const name = localName(value);
      if (name && !/^[a-z]+:/i.test(value)) throw new Error(`index.html refers to ${value} (${attr}=), which the single-file build cannot inline`);
    }
  }

  // 2. The modules: from the entries, following "./name" literals.
  const modules = new Map();
  const files = new Map();
  const deps = new Map();
  const pending = [...entries, glue];
  while (pending.length) {
    const name = pending.pop();
    if (modules.has(name)) continue;
    const file = distFile(name);
    if (!file) throw new Error(`a module refers to ./${name}, which is not in ${dist}`);
    const found = new Set();
    let source = fs.readFileSync(file, "utf8");
    if (source.includes("@@relu-bundle:")) throw new Error(`${name} contains the bundle's token text`);
    source = source.replace(/(["'])\.\/([^"'\s\\]+)\1/g, (literal, quote, ref) => {
      let target = path.posix.normalize(ref);
      if (target === wasmName || target === firstWasm) return "window.reluBundle.wasm";
      if (target === firstGlue) target = glue;
      if (!distFile(target)) return literal; // a string that only looks like a path
      if (target.endsWith(".csv")) {
        // A data file (www/data.js): its text travels in the bundle, lent as reluBundle.files.
        files.set(target, fs.readFileSync(distFile(target), "utf8"));
        return literal;
      }
      if (!target.endsWith(".js")) throw new Error(`${name} refers to ./${target}, which the single-file build cannot inline`);
      found.add(target);
      pending.push(target);
      return `${quote}${TOKEN(target)}${quote}`;
    });
    const bare = source.match(/(?:\bfrom\s*|\bimport\s*\(?\s*)(["'])(?!@@relu-bundle:)([^"']+)\1/);
    if (bare) throw new Error(`${name} imports "${bare[2]}", which is not a sibling file (./name.js) of dist/`);
    modules.set(name, source);
    deps.set(name, found);
  }
  const stray = modulePreloads.filter((name) => name !== firstGlue && !modules.has(name));
  if (stray.length) throw new Error(`index.html preloads ${stray.join(", ")}, which no module of the page imports`);
  const order = [];
  const state = new Map();
  const visit = (name, chain) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "open") throw new Error(`modules refer to each other in a cycle: ${[...chain, name].join(" → ")}`);
    state.set(name, "open");
    for (const d of deps.get(name)) visit(d, [...chain, name]);
    state.set(name, "done");
    order.push(name);
  };
  for (const name of modules.keys()) visit(name, []);

  // 3. Lint what goes in, the same rules as the served site.
  const findings = [];
  for (const [name, source] of modules) findings.push(...report(name, lintJs(source)));
  const loader = fs.readFileSync(path.join(ROOT, "scripts/single-file-loader.js"), "utf8");
  findings.push(...report("scripts/single-file-loader.js", lintJs(loader)));
  if (findings.length) throw new Error(`the content lint fails:\n  ${findings.join("\n  ")}`);

  // 4. The page.
  const css = styles.map((name) => `/* ${name} */\n${fs.readFileSync(distFile(name), "utf8")}`).join("\n");
  if (/@import|url\(\s*['"]?(?!data:)/i.test(css)) throw new Error("a stylesheet imports or refers to another file; inline it as data: first");
  const wasm = fs.readFileSync(distFile(wasmName));
  const bundle = {
    entries,
    order,
    glue,
    modules: Object.fromEntries(modules),
    classicGlue: classicGlue(fs.readFileSync(distFile(glue), "utf8")),
    wasm: wasm.toString("base64"),
    files: Object.fromEntries(files),
  };
  // Inside a <script> data block only "</script" and "<!--" could end it early; no "<" survives.
  const json = JSON.stringify(bundle).replace(/</g, "\\u003c");
  const policy = [
    "default-src 'none'",
    `script-src ${cspHash(loader)} blob: 'wasm-unsafe-eval'`,
    `style-src ${cspHash(css)}`,
    "img-src data: blob:",
    "worker-src blob:",
    "connect-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  const problems = cspProblems(policy);
  if (problems.length) throw new Error(`the single file's policy is not strict: ${problems.join("; ")}`);
  const head = [
    `<meta http-equiv="Content-Security-Policy" content="${policy}">`,
    `<!-- Single-file build of relu-obstruction (scripts/build-single.mjs): open it straight from disk. -->`,
  ].join("\n  ");
  const tail = [
    `<style>${css}</style>`,
    `<script type="application/json" id="relu-bundle">${json}</script>`,
    `<script type="module">${loader}</script>`,
  ].join("\n");
  if (!/<meta charset="utf-8">/i.test(html) || !html.includes("</head>")) throw new Error("index.html lacks <meta charset=\"utf-8\"> or </head>");
  // Functions as replacements: the inlined code may contain "$&" and the like.
  html = html.replace(/<!--[\s\S]*?-->/g, "");
  html = html.replace(/\n[ \t]*\n(?:[ \t]*\n)+/g, () => "\n\n");
  html = html.replace(/<meta charset="utf-8">/i, (charset) => `${charset}\n  ${head}`);
  html = html.replace("</head>", () => `${tail}\n</head>`);

  const htmlFindings = lintHtml(html, { allowedHashes: [cspHash(loader), cspHash(css)] });
  if (htmlFindings.length) throw new Error(`the single file breaks the content rules:\n  ${report(path.basename(out), htmlFindings).join("\n  ")}`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, html);
  return { out, bytes: Buffer.byteLength(html), wasmBytes: wasm.length, modules: order.length, styles: styles.length };
}

function fail(message) {
  throw new Error(message);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const r = buildSingle(parseArgs(process.argv.slice(2)));
    const mb = (n) => (n / 1e6).toFixed(2);
    console.log(
      `build-single: ${path.relative(process.cwd(), r.out)}: ${r.bytes} bytes (${mb(r.bytes)} MB; wasm ${mb(r.wasmBytes)} MB before base64), ${r.modules} modules, ${r.styles} stylesheet${r.styles === 1 ? "" : "s"}`,
    );
  } catch (err) {
    console.error(`build-single: ${err.message}`);
    process.exit(1);
  }
}
