// The one DOM builder of the views: elements from tag, properties and children, never from HTML
// strings. `text` sets textContent, `class`/`className` the class, `dataset`/`data` data-*
// attributes; other non-string values (booleans, numbers) set the property of the same name,
// strings set the attribute.

export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "text") node.textContent = v;
    else if (k === "class" || k === "className") node.className = v;
    else if (k === "dataset" || k === "data") Object.assign(node.dataset, v);
    else if (k in node && typeof v !== "string") node[k] = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}
