// Building DOM safely: text is always inserted as text nodes, never parsed as HTML.

/** el("p", {class: "x"}, "text", child) — attributes set one by one, children appended as nodes or text. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** "Reuters · 2025-09-04" from the parts that are known. */
export function byline(...parts) {
  return parts.filter(Boolean).join(" · ");
}
