// The content lint (scripts/content-policy.mjs) over the site's sources (www/), the built site
// (dist/) and the single-file build, and the lint itself on bad samples: every rule must fire on
// a sample that breaks it and stay quiet on code that only looks similar. No browser needed.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { ROOT, DIST } from "./harness.mjs";
import { cspHash, cspProblems, lintHtml, lintJs, lintShell, metaCsp, report, scriptElements, stripComments } from "../../scripts/content-policy.mjs";
import { classicGlue } from "../../scripts/build-single.mjs";

const SINGLE = path.join(ROOT, "dist-single/relu-obstruction.html");

function filesIn(dir, ext) {
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(ext))
    .map((f) => path.join(dir, f));
}

function lintFiles(files, js = lintJs) {
  const out = [];
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    const findings = file.endsWith(".html") ? lintHtml(text) : js(text);
    out.push(...report(path.relative(ROOT, file), findings));
  }
  return out;
}

test("the sources in www/ and scripts/ pass the lint", () => {
  const files = [...filesIn(path.join(ROOT, "www"), ".js"), ...filesIn(path.join(ROOT, "www"), ".html"), path.join(ROOT, "scripts/single-file-loader.js")];
  assert.ok(files.length >= 8, `found the sources: ${files.length}`);
  assert.deepEqual(lintFiles(files), []);
});

test("the shell in www/ reads and formats no number (the view models do)", () => {
  const files = filesIn(path.join(ROOT, "www"), ".js");
  assert.deepEqual(lintFiles(files, lintShell), []);
  for (const sample of ['const x = parseFloat(t);', 'const n = parseInt(t, 10);', 'const v = Number(input.value);', 'el.textContent = x.toFixed(3);']) {
    const findings = lintShell(`const before = 1;\n${sample}\n`);
    assert.ok(findings.length === 1 && findings[0].line === 2, `${sample} is caught: ${JSON.stringify(findings)}`);
  }
  assert.deepEqual(lintShell("const s = String(n); const ok = Number.isFinite;\n// Number(x) in a comment\n"), []);
});

test("the built site in dist/ passes the lint (glue and the moved bootstrap included)", () => {
  assert.ok(fs.existsSync(path.join(DIST, "index.html")), `${DIST} is built (trunk build)`);
  const files = [...filesIn(DIST, ".js"), path.join(DIST, "index.html")];
  assert.ok(files.some((f) => /relu-first-screen-[0-9a-f]+\.js$/.test(f)), "the first screen's wasm-bindgen glue is among them");
  assert.ok(files.some((f) => /relu-obstruction\.js$/.test(f)), "the whole module's glue is among them");
  assert.ok(files.some((f) => /inline-[0-9a-f]+\.js$/.test(f)), "the bootstrap moved out of index.html is among them");
  assert.deepEqual(lintFiles(files), []);
});

test("the single file passes the lint: its inline blocks are exactly the ones its policy hashes", () => {
  assert.ok(fs.existsSync(SINGLE), `${SINGLE} is built (node scripts/build-single.mjs)`);
  const html = fs.readFileSync(SINGLE, "utf8");
  const csp = metaCsp(html);
  assert.ok(csp, "the single file has its own policy");
  assert.deepEqual(cspProblems(csp.policy), []);
  const hashes = csp.policy.match(/'sha256-[^']+'/g);
  assert.equal(hashes.length, 2, "one hash for the loader, one for the stylesheet");
  assert.deepEqual(lintHtml(html, { allowedHashes: hashes }), []);
  // Without the hashes, both inline blocks are findings: the lint really checks them.
  assert.equal(lintHtml(html).length, 2);
  const bundle = JSON.parse(scriptElements(html).find((s) => s.attrs.get("id") === "relu-bundle").body);
  for (const [name, source] of Object.entries(bundle.modules)) assert.deepEqual(report(name, lintJs(source)), []);
});

// Each sample breaks exactly one rule.
const BAD_JS = {
  "innerHTML": 'node.innerHTML = "<b>x</b>";',
  "outerHTML": "const s = node.outerHTML;",
  "insertAdjacentHTML": 'node.insertAdjacentHTML("beforeend", html);',
  "document.write": "document.write(text);",
  "document.writeln": "document . writeln(text);",
  "eval": 'eval("1 + 1");',
  "window.eval": "window.eval(code);",
  "new Function": 'const f = new Function("a", "return a");',
  "Function()": 'const g = Function("return this")();',
  "setTimeout string": 'setTimeout("tick()", 10);',
  "setInterval string": "setInterval(`tick()`, 10);",
  "style attribute": 'node.setAttribute("style", "color: red");',
  "event-handler attribute": "node.setAttribute('onclick', 'go()');",
  "style prop for el": 'el("div", { style: "color: red" });',
  "javascript: URL": 'a.href = "javascript:go()";',
  "createContextualFragment": "range.createContextualFragment(html);",
  "srcdoc": "frame.srcdoc = page;",
  "sink hidden after a regex": "const re = /a\\/b/g; node.innerHTML = s;",
  "sink inside a template expression": "const t = `${node.innerHTML}`;",
};

const GOOD_JS = `
// Comments may name innerHTML, eval("x"), document.write and new Function freely.
/* setTimeout("x") in a block comment; node.setAttribute("style", "") too */
const url = "http://example.invalid/a//b"; // a // inside a string is not a comment
const re = /\\/\\/ not a comment/;
const ratio = a / b / c; // divisions are not regexes
el("p", { text: "evaluation", className: "style" });
node.style.color = "red";
node.textContent = "innerText";
setTimeout(() => tick(), 10);
setInterval(tick, 10);
const t = \`template with \${a / 2} and // no comment\`;
const message = \`Function(\${name})\`; // the wasm-bindgen glue's debug text
node.addEventListener("click", go);
`;

test("every JavaScript rule fires on a sample that breaks it", () => {
  for (const [rule, sample] of Object.entries(BAD_JS)) {
    const findings = lintJs(`const before = 1;\n${sample}\nconst after = 2;\n`);
    assert.ok(findings.length >= 1, `${rule}: ${sample} is caught`);
    assert.ok(findings.every((f) => f.line === 2), `${rule}: reported on its line: ${JSON.stringify(findings)}`);
  }
});

test("the lint stays quiet on comments, look-alikes and safe calls", () => {
  assert.deepEqual(lintJs(GOOD_JS), []);
  const stripped = stripComments('a(); // innerHTML\nb("// kept"); /* x\ny */ c();');
  assert.equal(stripped.split("\n").length, 3, "line numbers are kept");
  assert.ok(stripped.includes('"// kept"') && !stripped.includes("innerHTML") && stripped.includes("c();"));
});

test("every HTML rule fires on a sample that breaks it", () => {
  const page = (body, head = "") => `<!doctype html><html><head>${head}</head><body>\n${body}\n</body></html>`;
  const bad = {
    "inline script": page("<script>go()</script>"),
    "inline module script": page('<script type="module">import "./a.js";</script>'),
    "style block": page("<style>p { color: red }</style>"),
    "style attribute": page('<p style="color: red">x</p>'),
    "onclick": page('<button onclick="go()">x</button>'),
    "onload, unquoted": page("<img src=a.png onload=go()>"),
    "javascript: link": page('<a href="javascript:go()">x</a>'),
  };
  for (const [rule, html] of Object.entries(bad)) assert.ok(lintHtml(html).length >= 1, `${rule} is caught`);
  const good = page(
    '<script type="module" src="./app.js"></script><script type="application/json" id="d">{"a":"<p style=x onclick=y>"}</script>\n<p class="style" data-onclick="x">on click=</p><!-- <p style="x"> -->',
  );
  assert.deepEqual(lintHtml(good), []);
  // A hashed inline block passes only with its hash.
  const inline = page("<script>go()</script>");
  assert.deepEqual(lintHtml(inline, { allowedHashes: [cspHash("go()")] }), []);
  assert.equal(lintHtml(inline, { allowedHashes: [cspHash("go();")] }).length, 1);
});

test("the policy check refuses every loosening", () => {
  const strict =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";
  assert.deepEqual(cspProblems(strict), []);
  const loosen = {
    "unsafe-inline scripts": strict.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"),
    "unsafe-eval": strict.replace("script-src 'self'", "script-src 'self' 'unsafe-eval'"),
    "unsafe-inline styles": strict.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
    "unsafe-hashes": strict.replace("style-src 'self'", "style-src 'self' 'unsafe-hashes'"),
    "no wasm": strict.replace(" 'wasm-unsafe-eval'", ""),
    "another host": strict.replace("connect-src 'self'", "connect-src 'self' https://cdn.example.invalid"),
    "any https host": strict.replace("img-src 'self'", "img-src https:"),
    "data: scripts": strict.replace("script-src 'self'", "script-src 'self' data:"),
    "wildcard": strict.replace("default-src 'self'", "default-src *"),
    "plugins": strict.replace("object-src 'none'", "object-src 'self'"),
    "no base-uri": strict.replace("; base-uri 'none'", ""),
    "no form-action": strict.replace("; form-action 'none'", ""),
    "no default-src": strict.replace("default-src 'self'; ", ""),
    "style-src missing and no default": strict.replace("default-src 'self'; ", "").replace("style-src 'self'; ", ""),
    "frame-ancestors in a meta": `${strict}; frame-ancestors 'none'`,
    "a repeated directive": `${strict}; script-src 'self'`,
  };
  for (const [what, policy] of Object.entries(loosen)) assert.ok(cspProblems(policy).length >= 1, `${what} is refused`);
});

test("the classic rewrite of the glue keeps its exports", () => {
  const module = [
    "let wasm;",
    "export class Run { constructor(x) { this.x = x; } }",
    "export function add(a, b) { return a + b; }",
    "export async function later() { return 7; }",
    "export const K = 3;",
    "function initSync(m) { wasm = m; return 'sync'; }",
    "async function __wbg_init(p) { if (p === undefined) p = new URL('x_bg.wasm', import.meta.url); return p; }",
    "export { initSync, __wbg_init as default };",
  ].join("\n");
  const context = { self: { location: { href: "blob:null/abc" } }, URL };
  vm.runInNewContext(classicGlue(module), context);
  const glue = context.self.reluGlue;
  assert.deepEqual(Object.keys(glue).sort(), ["K", "Run", "add", "default", "initSync", "later"]);
  assert.equal(glue.add(2, 3), 5);
  assert.equal(new glue.Run(4).x, 4);
  assert.equal(glue.initSync(1), "sync");
  assert.throws(() => classicGlue('import x from "./y.js";\nexport const a = 1;'), /does not know/);
});
