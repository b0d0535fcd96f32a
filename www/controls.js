// Controls and readouts of every view, from what the view's Rust handle says: its schema() (each
// control's key, label, kind, options and value in force), set(key, text) (the raw text is parsed
// and checked in Rust; a refusal comes back as {key, code, message}) and its readouts (labels,
// texts and exact values formatted in Rust). Nothing here parses, checks or formats a number.

import { el } from "./dom.js";

/** The raw text of a control as `set` takes it. */
function rawText(input) {
  if (input.type === "checkbox") return input.checked ? "1" : "0";
  if (input.dataset.kind === "set") {
    return [...input.querySelectorAll("input[type=checkbox]")].filter((b) => b.checked).map((b) => b.value).join(",");
  }
  return input.value;
}

/** Marks `input` as refused (or not), with the refusal's code for tests and assistive tech. */
export function markRejected(input, rejection) {
  if (rejection) {
    input.setAttribute("aria-invalid", "true");
    input.dataset.rejected = rejection.code;
  } else {
    input.removeAttribute("aria-invalid");
    delete input.dataset.rejected;
  }
}

/**
 * Builds the control for schema entry `c` with element id `id`: `{group, input}`. A `choice` is
 * a select, a `toggle` a checkbox, a `set` a fieldset of checkboxes, a number on a grid a slider
 * (`range` in the schema), anything else a text field (never type=number: the browser would
 * reinterpret what was typed).
 */
export function buildControl(c, id) {
  let input;
  if (c.kind === "choice") {
    input = el("select", { id }, c.options.map((o) => el("option", { value: o.value, text: o.label, selected: o.selected })));
  } else if (c.kind === "toggle") {
    input = el("input", { id, type: "checkbox", checked: c.checked });
  } else if (c.kind === "set") {
    input = el("fieldset", { id, class: "control-set" }, [el("legend", { text: c.label })]);
    for (const o of c.options) {
      const boxId = `${id}-${o.value}`;
      input.append(
        el("span", { class: "control-set-item" }, [
          el("input", { id: boxId, type: "checkbox", value: o.value, checked: o.selected }),
          el("label", { for: boxId, text: o.label }),
        ]),
      );
    }
  } else if (c.range) {
    input = el("input", { id, type: "range", min: c.range[0], max: c.range[1], step: c.range[2], value: c.value });
  } else {
    const mode = c.kind === "list" ? "text" : "decimal";
    input = el("input", { id, type: "text", inputmode: mode, value: c.value, spellcheck: "false", autocomplete: "off" });
  }
  input.dataset.key = c.key;
  input.dataset.kind = c.kind;
  if (c.hint && c.kind !== "set") input.title = c.hint;
  const group =
    c.kind === "set"
      ? el("div", { class: "group" }, [input])
      : c.kind === "toggle"
        ? el("div", { class: "group" }, [input, el("label", { for: id, text: c.label })])
        : el("div", { class: "group" }, [el("label", { for: id, text: c.label }), input]);
  return { group, input };
}

/** Writes the values in force (schema entries `controls`) into the bound inputs `inputs` (key → input). */
export function showValues(inputs, controls) {
  for (const c of controls) {
    const input = inputs[c.key];
    if (!input) continue;
    if (c.kind === "toggle") input.checked = c.checked;
    else if (c.kind === "set") {
      for (const box of input.querySelectorAll("input[type=checkbox]")) {
        box.checked = c.options.some((o) => o.value === box.value && o.selected);
      }
    } else input.value = c.value;
    markRejected(input, null);
  }
}

/**
 * Sends the raw text of `input` to `handle.set`; returns the result `{ok, change, rejection}`.
 * A refusal marks the input; `say(message)` shows (or, with "", clears) the message.
 */
export function submit(handle, input, say) {
  const result = handle.set(input.dataset.key, rawText(input));
  markRejected(input, result.ok ? null : result.rejection);
  say(result.ok ? "" : result.rejection.message);
  return result;
}

/**
 * Wires `inputs` (key → input) to `handle`: each change is sent to `set`, then
 * `onApplied(result, input)` is called (whether it was accepted or refused).
 */
export function bindInputs(inputs, handle, say, onApplied) {
  for (const input of Object.values(inputs)) {
    const type = input.type === "range" ? "input" : "change";
    input.addEventListener(type, () => onApplied(submit(handle, input, say), input));
  }
}

/**
 * Fills the definition list `dl` with readout fields `[{key, label, text, value}]`: one
 * `<dd id="{prefix}-{key}" data-key data-value>` per field, created once and updated in place.
 */
export function showFields(dl, fields, prefix) {
  for (const f of fields) {
    let dd = dl.querySelector(`dd[data-key="${f.key}"]`);
    if (!dd) {
      const dt = el("dt", { text: f.label });
      dd = el("dd", { id: `${prefix}-${f.key}`, data: { key: f.key } });
      dl.append(el("div", {}, [dt, dd]));
    } else if (dd.previousElementSibling.textContent !== f.label) {
      dd.previousElementSibling.textContent = f.label;
    }
    dd.textContent = f.text;
    dd.dataset.value = f.value;
  }
}

/** Shows a sentence `{text, tone}` (or null) in `node`, with its tone as a class. */
export function showSentence(node, sentence, base = "verdict") {
  node.textContent = sentence ? sentence.text : "";
  node.className = sentence && sentence.tone ? `${base} ${sentence.tone}` : base;
  node.dataset.tone = sentence ? sentence.tone : "";
}
