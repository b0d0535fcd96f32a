// Trunk post-build hook (Trunk.toml [[hooks]]): makes the built index.html satisfy the strict
// Content-Security-Policy that www/index.html declares in its <meta http-equiv>, then checks it.
//
// - Trunk writes its wasm bootstrap as an inline <script type="module">; a policy without
//   'unsafe-inline' would block it. Each inline script moves into a file of its own,
//   `inline-<hash>.js`, loaded by <script src> with an integrity hash like Trunk's other files.
// - `trunk serve` also appends an inline autoreload script whose address the server fills in when
//   it sends the page, so it cannot move to a file; it is dropped with a note (reload by hand).
// - Then the build fails unless: the policy is present, strict (scripts/content-policy.mjs), and
//   comes before every script and stylesheet; the HTML has no inline script, inline style, style=
//   or on…= attribute; and no JavaScript file of the site trips the lint.
// - Trunk appends its preloads of the wasm and its glue at the end of <head>, behind every
//   stylesheet and view script; over HTTP/1.1's few connections per host the largest file of the
//   page then waits for them. They move up to right after the policy, so the wasm is the first
//   file asked for (BENCHMARKS.md, the first frame's split).
// - Every module the page's module scripts import, directly or through others, gets a
//   `modulepreload` after the last module script. Without it the browser finds an import only once
//   the importing module has arrived and been parsed, which waits behind the page's first layout:
//   the second level of modules (controls.js, dom.js, links.js, …) started ~40 ms after the first
//   had arrived, and no module runs until the whole graph is in (BENCHMARKS.md, the first frame).
// - The stylesheets (one per view in www/) become one file, in their order, so the cascade is the
//   same: the page's scripts run only once every stylesheet has arrived, and one file arrives
//   sooner than nine (about 50 ms sooner to the first frame, BENCHMARKS.md).
//
// Runs in Trunk's staging directory (TRUNK_STAGING_DIR), before Trunk moves it to dist/.

import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { attributes, cspProblems, isExecutable, lintHtml, lintJs, metaCsp, report, scriptElements, sriHash, stripComments } from "./content-policy.mjs";

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error("trunk-post-build: TRUNK_STAGING_DIR is not set (this script is a Trunk post_build hook)");
  process.exit(2);
}
const indexPath = path.join(staging, "index.html");
let html = fs.readFileSync(indexPath, "utf8");

// Replace inline scripts from the last to the first, so earlier offsets stay valid.
for (const s of scriptElements(html).reverse()) {
  if (s.attrs.has("src") || !isExecutable(s.attrs)) continue;
  if (s.body.includes(".well-known/trunk/ws")) {
    console.log("trunk-post-build: dropped trunk serve's inline autoreload script (the strict CSP forbids inline scripts; reload by hand)");
    html = html.slice(0, s.start) + html.slice(s.end);
    continue;
  }
  const name = `inline-${crypto.createHash("sha256").update(s.body).digest("hex").slice(0, 16)}.js`;
  const body = s.body.replace(/^\s*\n/, "");
  fs.writeFileSync(path.join(staging, name), body);
  const type = s.attrs.get("type") ? ` type="${s.attrs.get("type")}"` : "";
  const tag = `<script${type} src="./${name}" integrity="${sriHash(Buffer.from(body))}"></script>`;
  html = html.slice(0, s.start) + tag + html.slice(s.end);
  console.log(`trunk-post-build: moved an inline script to ${name}`);
}
html = oneStylesheet(html);
html = preloadsFirst(html);
html = preloadImports(html);
fs.writeFileSync(indexPath, html);

/** Merges the page's stylesheets into one file where the first one was, in their order. */
function oneStylesheet(page) {
  const tags = /[ \t]*<link rel="stylesheet" href="\.\/([^"\/]+\.css)"[^>]*>\n?/g;
  const names = [...page.matchAll(tags)].map((m) => m[1]);
  if (names.length < 2) return page;
  const css = names
    .map((name) => `/* ${name.replace(/-[0-9a-f]{16}\.css$/, ".css")} */\n${fs.readFileSync(path.join(staging, name), "utf8")}\n`)
    .join("");
  const bundle = `styles-${crypto.createHash("sha256").update(css).digest("hex").slice(0, 16)}.css`;
  fs.writeFileSync(path.join(staging, bundle), css);
  for (const name of names) fs.rmSync(path.join(staging, name));
  let first = true;
  page = page.replace(tags, () => {
    if (!first) return "";
    first = false;
    return `  <link rel="stylesheet" href="./${bundle}" integrity="${sriHash(Buffer.from(css))}"/>\n`;
  });
  console.log(`trunk-post-build: merged ${names.length} stylesheets into ${bundle}`);
  return page;
}

/** Moves the wasm's `preload` and the glue's `modulepreload` right after the CSP <meta>. */
function preloadsFirst(page) {
  const preloads = [...page.matchAll(/[ \t]*<link rel="(?:preload|modulepreload)"[^>]*>\n?/g)].map((m) => m[0]);
  const policy = metaCsp(page);
  if (!preloads.length || !policy) return page;
  for (const p of preloads) page = page.replace(p, "");
  // The wasm first: the glue is small, and it is also found through the loader script.
  preloads.sort((a, b) => Number(a.includes("modulepreload")) - Number(b.includes("modulepreload")));
  const meta = /<meta\b[^>]*>/iy;
  meta.lastIndex = metaCsp(page).index;
  meta.exec(page);
  const at = meta.lastIndex;
  console.log(`trunk-post-build: moved ${preloads.length} preload(s) up to right after the CSP <meta>`);
  return `${page.slice(0, at)}\n${preloads.map((p) => `  ${p.trim()}\n`).join("")}${page.slice(at).replace(/^\n/, "")}`;
}

/**
 * Adds a `modulepreload` for each module that the page's module scripts reach through static
 * imports of sibling files (`import … from "./name.js"`, `export … from`, `import "./name.js"`),
 * in breadth-first order, after the last module script. Dynamic `import()` is left to run time.
 */
function preloadImports(page) {
  const local = (ref) => (/^\.\/[^/]+\.js$/.test(ref) ? ref.slice(2) : null);
  const preloaded = new Set(
    [...page.matchAll(/<link\b[^>]*>/gi)]
      .map((m) => attributes(m[0]))
      .filter((a) => (a.get("rel") || "").toLowerCase() === "modulepreload")
      .map((a) => local(a.get("href") || "")),
  );
  const isModule = (s) => (s.attrs.get("type") || "").toLowerCase() === "module";
  const scripts = scriptElements(page).filter((s) => isModule(s) && local(s.attrs.get("src") || ""));
  if (!scripts.length) return page;
  const seen = new Set(scripts.map((s) => local(s.attrs.get("src"))));
  const queue = [...seen];
  const found = [];
  const imports = /\b(?:import|export)\b[^;"'`()]*?\bfrom\s*(["'])(\.\/[^"'\s]+)\1|\bimport\s*(["'])(\.\/[^"'\s]+)\3/g;
  while (queue.length) {
    const name = queue.shift();
    const file = path.join(staging, name);
    if (!fs.existsSync(file)) continue;
    for (const m of stripComments(fs.readFileSync(file, "utf8")).matchAll(imports)) {
      const dep = local(m[2] ?? m[4]);
      if (!dep || seen.has(dep)) continue;
      seen.add(dep);
      if (!fs.existsSync(path.join(staging, dep))) continue;
      queue.push(dep);
      if (!preloaded.has(dep)) found.push(dep);
    }
  }
  if (!found.length) return page;
  const last = scripts[scripts.length - 1];
  const links = found.map((dep) => `\n  <link rel="modulepreload" href="./${dep}">`).join("");
  console.log(`trunk-post-build: added modulepreloads of ${found.length} imported module(s): ${found.join(", ")}`);
  return page.slice(0, last.end) + links + page.slice(last.end);
}

const problems = [];
const csp = metaCsp(html);
if (!csp) problems.push("index.html has no <meta http-equiv=\"Content-Security-Policy\">");
else {
  problems.push(...cspProblems(csp.policy).map((p) => `Content-Security-Policy: ${p}`));
  const firstLoad = html.search(/<(script|link|style)\b/i);
  if (firstLoad >= 0 && firstLoad < csp.index) problems.push("the CSP <meta> must come before every script, link and style");
}
problems.push(...report("index.html", lintHtml(html)));
for (const file of fs.readdirSync(staging, { recursive: true })) {
  if (String(file).endsWith(".js")) problems.push(...report(file, lintJs(fs.readFileSync(path.join(staging, String(file)), "utf8"))));
}
if (problems.length) {
  console.error(`trunk-post-build: the built site breaks its content-security rules:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log("trunk-post-build: strict CSP present, no inline script or style, JavaScript lint clean");
