// The site's content-security rules, in one place: the checks that a Content-Security-Policy is
// strict, and the lint that keeps HTML-string sinks, eval-like calls, inline scripts, inline styles
// and inline event handlers out of the site. Used by the Trunk post-build hook
// (scripts/trunk-post-build.mjs), the single-file build (scripts/build-single.mjs) and the tests
// (tests/lint/content-policy.test.mjs).

import crypto from "node:crypto";

// ---------------------------------------------------------------------------------------------
// Hashes

/** The CSP source for an inline block: 'sha256-<base64>' of its exact text. */
export function cspHash(text) {
  return `'sha256-${crypto.createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

/** A Subresource Integrity value (sha384), as Trunk writes for its own files. */
export function sriHash(bytes) {
  return `sha384-${crypto.createHash("sha384").update(bytes).digest("base64")}`;
}

// ---------------------------------------------------------------------------------------------
// Content-Security-Policy

/** Parses a policy into a Map from directive name to its list of sources. */
export function parseCsp(policy) {
  const directives = new Map();
  for (const part of policy.split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    const key = name.toLowerCase();
    if (directives.has(key)) throw new Error(`the policy repeats the directive ${key}`);
    directives.set(key, sources);
  }
  return directives;
}

/** The sources that apply to `directive`, following CSP's fallbacks. */
function effective(directives, directive) {
  const chain = {
    "script-src-elem": ["script-src-elem", "script-src", "default-src"],
    "script-src": ["script-src", "default-src"],
    "style-src-elem": ["style-src-elem", "style-src", "default-src"],
    "style-src-attr": ["style-src-attr", "style-src", "default-src"],
    "style-src": ["style-src", "default-src"],
    "worker-src": ["worker-src", "child-src", "script-src", "default-src"],
    "object-src": ["object-src", "default-src"],
    "connect-src": ["connect-src", "default-src"],
    "img-src": ["img-src", "default-src"],
  }[directive] || [directive, "default-src"];
  for (const name of chain) if (directives.has(name)) return directives.get(name);
  return null;
}

// Directives a <meta> policy cannot carry: browsers ignore them there, so writing them would only
// pretend to a protection the page does not have (frame-ancestors needs a response header).
const HEADER_ONLY = ["frame-ancestors", "report-uri", "report-to", "sandbox"];

const isHash = (s) => /^'sha(256|384|512)-[A-Za-z0-9+/]+={0,2}'$/.test(s);

/**
 * The ways `policy` falls short of the site's rules (empty when it is strict): no
 * 'unsafe-inline', 'unsafe-eval' or 'unsafe-hashes' anywhere; scripts only from the site itself,
 * hashes and (single file only) blob: URLs, WebAssembly through 'wasm-unsafe-eval'; styles only
 * from the site itself or hashes; no plugin content; no <base>; no form targets; no other host.
 */
export function cspProblems(policy) {
  const problems = [];
  let d;
  try {
    d = parseCsp(policy);
  } catch (err) {
    return [err.message];
  }
  for (const name of HEADER_ONLY) if (d.has(name)) problems.push(`${name} has no effect in a <meta> policy`);
  if (!d.has("default-src")) problems.push("no default-src");
  for (const [name, sources] of d) {
    for (const s of sources) {
      const low = s.toLowerCase();
      if (["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'unsafe-allow-redirects'"].includes(low)) {
        problems.push(`${name} allows ${s}`);
      } else if (low === "*" || low === "http:" || low === "https:" || low === "ws:" || low === "wss:" || low === "file:" || low === "filesystem:") {
        problems.push(`${name} allows ${s} (any host)`);
      } else if (!low.startsWith("'") && !["data:", "blob:"].includes(low)) {
        problems.push(`${name} names the host ${s}: the site loads nothing from elsewhere`);
      }
    }
  }
  for (const directive of ["script-src", "script-src-elem", "worker-src"]) {
    const sources = effective(d, directive);
    if (!sources) {
      problems.push(`${directive} is not restricted`);
      continue;
    }
    if (sources.some((s) => s.toLowerCase() === "data:")) problems.push(`${directive} allows data: URLs`);
  }
  const script = effective(d, "script-src") || [];
  if (!script.includes("'wasm-unsafe-eval'")) problems.push("script-src lacks 'wasm-unsafe-eval' (the WebAssembly core needs it)");
  for (const directive of ["style-src", "style-src-elem", "style-src-attr"]) {
    if (!effective(d, directive)) problems.push(`${directive} is not restricted`);
  }
  const object = effective(d, "object-src");
  if (!object || object.join(" ") !== "'none'") problems.push("object-src is not 'none'");
  const base = d.get("base-uri");
  if (!base || !["'none'", "'self'"].includes(base.join(" "))) problems.push("base-uri is not 'none' or 'self'");
  const form = d.get("form-action");
  if (!form || form.join(" ") !== "'none'") problems.push("form-action is not 'none'");
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Minimal HTML reading (the site's own, well-formed HTML)

/** Attributes of a start tag's text, e.g. `script type="module" src="./a.js"`, as a Map. */
export function attributes(tagText) {
  const attrs = new Map();
  const body = tagText.replace(/^<\s*[\w-]+/, "").replace(/\/?>$/, "");
  const re = /([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  let m;
  while ((m = re.exec(body))) attrs.set(m[1].toLowerCase(), m[2] ?? m[3] ?? m[4] ?? "");
  return attrs;
}

/** Every <script>…</script> element: { start, end, tag, attrs, body }. */
export function scriptElements(html) {
  const out = [];
  const re = /<script\b[^>]*>([\s\S]*?)<\/script\s*>/gi;
  let m;
  while ((m = re.exec(html))) {
    const tag = m[0].slice(0, m[0].indexOf(">") + 1);
    out.push({ start: m.index, end: m.index + m[0].length, tag, attrs: attributes(tag), body: m[1] });
  }
  return out;
}

/** Every <style>…</style> element: { start, end, body }. */
export function styleElements(html) {
  const out = [];
  const re = /<style\b[^>]*>([\s\S]*?)<\/style\s*>/gi;
  let m;
  while ((m = re.exec(html))) out.push({ start: m.index, end: m.index + m[0].length, body: m[1] });
  return out;
}

const JS_TYPES = ["", "module", "text/javascript", "application/javascript", "text/ecmascript", "application/ecmascript"];

/** Whether a <script> element with these attributes runs as JavaScript (rather than holding data). */
export function isExecutable(attrs) {
  return JS_TYPES.includes((attrs.get("type") || "").trim().toLowerCase());
}

/** The policy of the page's <meta http-equiv="Content-Security-Policy">, or null. */
export function metaCsp(html) {
  for (const m of html.matchAll(/<meta\b[^>]*>/gi)) {
    const a = attributes(m[0]);
    if ((a.get("http-equiv") || "").toLowerCase() === "content-security-policy") return { policy: a.get("content") || "", index: m.index };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Lint

/**
 * `src` with its comments blanked out (newlines kept, so line numbers stay right); strings,
 * template literals and regular expressions are kept, since a sink can hide in them
 * (el["inner" + "HTML"] aside). A regular expression is told from a division by the token before it.
 */
export function stripComments(src) {
  const out = src.split("");
  const blank = (from, to) => {
    for (let k = from; k < to; k++) if (out[k] !== "\n") out[k] = " ";
  };
  const stack = []; // open template literals: brace depth of their ${ … } when we left them
  let depth = 0;
  let prev = ""; // the last significant character of code, for regex detection
  let prevWord = "";
  const regexAfterWord = new Set(["return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw", "yield", "await", "instanceof"]);
  let i = 0;
  const n = src.length;
  const skipString = (q) => {
    i++;
    while (i < n && src[i] !== q) {
      if (src[i] === "\\") i++;
      else if (src[i] === "\n") break; // unterminated: stop at the line end
      i++;
    }
    i++;
  };
  // Scans a template literal from just after a backtick; returns true when it stopped at `${`.
  const skipTemplate = () => {
    while (i < n) {
      if (src[i] === "\\") i += 2;
      else if (src[i] === "`") {
        i++;
        return false;
      } else if (src[i] === "$" && src[i + 1] === "{") {
        i += 2;
        return true;
      } else i++;
    }
    return false;
  };
  while (i < n) {
    const c = src[i];
    if (c === "/" && src[i + 1] === "/") {
      const start = i;
      while (i < n && src[i] !== "\n") i++;
      blank(start, i);
    } else if (c === "/" && src[i + 1] === "*") {
      const start = i;
      const close = src.indexOf("*/", i + 2);
      i = close < 0 ? n : close + 2;
      blank(start, i);
    } else if (c === "'" || c === '"') {
      skipString(c);
      prev = "a";
      prevWord = "";
    } else if (c === "`") {
      i++;
      if (skipTemplate()) {
        stack.push(depth);
        depth = 0;
        prev = "(";
      } else prev = "a";
      prevWord = "";
    } else if (c === "}" && stack.length && depth === 0) {
      i++;
      depth = stack.pop();
      if (skipTemplate()) {
        stack.push(depth);
        depth = 0;
        prev = "(";
      } else prev = "a";
    } else if (c === "/") {
      const regex = prev === "" || "(,=:[!&|?{};+-*%<>~^".includes(prev) || regexAfterWord.has(prevWord);
      if (regex) {
        i++;
        let inClass = false;
        while (i < n && src[i] !== "\n") {
          if (src[i] === "\\") i++;
          else if (src[i] === "[") inClass = true;
          else if (src[i] === "]") inClass = false;
          else if (src[i] === "/" && !inClass) break;
          i++;
        }
        i++;
        while (i < n && /[a-z]/i.test(src[i])) i++;
        prev = "a";
      } else {
        i++;
        prev = "/";
      }
      prevWord = "";
    } else if (/\s/.test(c)) {
      i++;
    } else if (/[\w$]/.test(c)) {
      const start = i;
      while (i < n && /[\w$]/.test(src[i])) i++;
      prevWord = src.slice(start, i);
      prev = "a";
    } else {
      if (c === "{") depth++;
      else if (c === "}") depth--;
      prev = c;
      prevWord = "";
      i++;
    }
  }
  return out.join("");
}

// What the site's JavaScript must never contain (comments aside).
const JS_RULES = [
  [/\binnerHTML\b/, "innerHTML parses HTML strings: build DOM with el (www/dom.js)"],
  [/\bouterHTML\b/, "outerHTML parses HTML strings: build DOM with el (www/dom.js)"],
  [/\binsertAdjacentHTML\b/, "insertAdjacentHTML parses HTML strings: build DOM with el (www/dom.js)"],
  [/\bcreateContextualFragment\b/, "createContextualFragment parses HTML strings"],
  [/\bsrcdoc\b/, "srcdoc loads an HTML string"],
  [/\bdocument\s*\.\s*write(ln)?\b/, "document.write parses HTML strings"],
  [/\beval\s*\(/, "eval runs a string as code"],
  [/\bnew\s+Function\b/, "new Function runs a string as code"],
  [/(?<![\w$.'"`])Function\s*\(/, "Function(...) runs a string as code"],
  [/\bset(Timeout|Interval)\s*\(\s*['"`]/, "a string passed to setTimeout/setInterval runs as code: pass a function"],
  [/\bsetAttribute\s*\(\s*['"`]style['"`]/i, "a style attribute is an inline style: set element.style.prop or a class"],
  [/\bsetAttribute\s*\(\s*['"`]on[a-z]+['"`]/i, "an on… attribute is an inline event handler: use addEventListener"],
  [/[{,]\s*style\s*:\s*['"`]/, "a style string given to el becomes a style attribute: set element.style.prop or a class"],
  [/['"`]\s*javascript:/i, "a javascript: URL is inline code"],
];

// What the page's own shell (www/*.js) must not contain either: it parses and formats no
// number (the Rust view models read what was typed and write every text shown).
const SHELL_RULES = [
  [/\bparseFloat\s*\(/, "parseFloat reads a number in JavaScript: send the raw text to the view's set(key, text)"],
  [/\bparseInt\s*\(/, "parseInt reads a number in JavaScript: send the raw text to the view's set(key, text)"],
  [/(?<![\w$.])Number\s*\(/, "Number(...) reads a number in JavaScript: send the raw text to the view's set(key, text)"],
  [/\.to(Fixed|Precision|Exponential)\s*\(/, "a number formatted in JavaScript: the view's readout carries the text (src/app/format.rs)"],
];

function lintWith(rules, src) {
  const code = stripComments(src);
  const lines = code.split("\n");
  const findings = [];
  lines.forEach((text, k) => {
    for (const [re, rule] of rules) if (re.test(text)) findings.push({ line: k + 1, rule });
  });
  return findings;
}

/** The lint findings of one JavaScript file: [{ line, rule }]. */
export function lintJs(src) {
  return lintWith(JS_RULES, src);
}

/** The lint findings of one file of the page's own shell (www/*.js): the JavaScript rules and the
 * shell's (no number read or formatted in JavaScript). */
export function lintShell(src) {
  return lintWith([...JS_RULES, ...SHELL_RULES], src);
}

/**
 * The lint findings of one HTML file: inline event-handler and style attributes, javascript:
 * URLs, and inline <script>/<style> blocks. `allowedHashes` lists the CSP hashes an inline block
 * may have (the single-file build's); the served site has none, so any inline block is a finding.
 */
export function lintHtml(html, { allowedHashes = [] } = {}) {
  const findings = [];
  const lineOf = (index) => html.slice(0, index).split("\n").length;
  for (const s of scriptElements(html)) {
    if (!s.attrs.has("src") && isExecutable(s.attrs) && !allowedHashes.includes(cspHash(s.body))) {
      findings.push({ line: lineOf(s.start), rule: "inline <script> block: move it into a file (or, in the single file, hash it into the CSP)" });
    }
    if (s.attrs.has("src") && s.body.trim()) findings.push({ line: lineOf(s.start), rule: "<script src> with a body" });
  }
  for (const s of styleElements(html)) {
    if (!allowedHashes.includes(cspHash(s.body))) findings.push({ line: lineOf(s.start), rule: "inline <style> block: use a stylesheet file" });
  }
  // Attributes of every tag outside script/style bodies.
  let masked = html;
  for (const el of [...scriptElements(html), ...styleElements(html)]) {
    const open = html.indexOf(">", el.start) + 1;
    const close = html.lastIndexOf("</", el.end);
    masked = masked.slice(0, open) + masked.slice(open, close).replace(/[^\n]/g, " ") + masked.slice(close);
  }
  masked = masked.replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, " "));
  for (const m of masked.matchAll(/<[a-zA-Z][^>]*>/g)) {
    for (const [name, value] of attributes(m[0])) {
      if (/^on[a-z]+$/.test(name)) findings.push({ line: lineOf(m.index), rule: `inline event handler ${name}=: use addEventListener` });
      if (name === "style") findings.push({ line: lineOf(m.index), rule: "style= attribute: use a class in a stylesheet" });
      if (["href", "src", "action", "formaction"].includes(name) && /^\s*javascript:/i.test(value)) {
        findings.push({ line: lineOf(m.index), rule: "javascript: URL" });
      }
    }
  }
  return findings;
}

/** "file:line: rule" lines for a list of findings. */
export function report(file, findings) {
  return findings.map((f) => `${file}:${f.line}: ${f.rule}`);
}
