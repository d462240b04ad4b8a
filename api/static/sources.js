// The source panel: a cited passage shown inside its article, the cited span highlighted.
// Citation offsets point into the article's clean text, which GET /documents/{id} returns.

import { getJSON } from "./api.js";
import { append, byline, el } from "./dom.js";

const CONTEXT_CHARS = 700;
const articles = new Map(); // article_id -> Promise of the article; forgotten when the library changes
let opener = null; // the element focus returns to when the panel closes

export function forgetArticles() {
  articles.clear();
}

function article(id) {
  if (!articles.has(id)) {
    const loading = getJSON(`/documents/${encodeURIComponent(id)}`);
    loading.catch(() => articles.delete(id));
    articles.set(id, loading);
  }
  return articles.get(id);
}

/** Open the panel on `ref` (a citation or passage: article_id, title, source, published, url, text, start, end). */
export async function openSource(ref, label, from) {
  const panel = document.getElementById("source-panel");
  opener = from || null;
  document.getElementById("source-label").textContent = label;
  document.getElementById("source-title").textContent = ref.title || ref.article_id;
  const meta = document.getElementById("source-meta");
  meta.replaceChildren(byline(ref.source, ref.published || "undated"));
  if (ref.url) append(meta, [" · ", el("a", { href: ref.url, target: "_blank", rel: "noopener" }, "original")]);
  const body = document.getElementById("source-body");
  body.replaceChildren(el("p", { class: "muted" }, "Loading the article…"));
  panel.hidden = false;
  document.body.classList.add("panel-open");
  panel.focus();
  let text = null;
  try {
    text = (await article(ref.article_id)).text;
  } catch (error) {
    body.replaceChildren(el("p", { class: "muted" }, `${error.message} Showing the passage alone.`),
      el("blockquote", {}, el("mark", {}, ref.text)));
    return;
  }
  body.replaceChildren(excerpt(text, ref));
  const mark = body.querySelector("mark");
  if (mark) mark.scrollIntoView({ block: "center" });
}

/** The cited span with CONTEXT_CHARS either side, cut at word boundaries. */
function excerpt(text, ref) {
  const found = text.slice(ref.start, ref.end) === ref.text;
  const start = found ? ref.start : Math.max(0, text.indexOf(ref.text)); // offsets are exact; be safe anyway
  const end = found ? ref.end : start + ref.text.length;
  let from = Math.max(0, start - CONTEXT_CHARS);
  let to = Math.min(text.length, end + CONTEXT_CHARS);
  if (from > 0) from = text.indexOf(" ", from) + 1 || from;
  if (to < text.length) to = text.lastIndexOf(" ", to) > end ? text.lastIndexOf(" ", to) : to;
  return el("div", { class: "passage" },
    paragraphs(text.slice(from, start), from > 0 ? "…" : ""),
    el("mark", { id: "cited-span" }, text.slice(start, end)),
    paragraphs(text.slice(end, to), "", to < text.length ? "…" : ""));
}

// Line breaks of the article are kept as <br>, so paragraphs read as paragraphs.
function paragraphs(text, before = "", after = "") {
  const span = el("span", { class: "context" }, before);
  text.split("\n").forEach((line, i) => append(span, [i ? el("br") : null, line]));
  return append(span, [after]);
}

export function closeSource() {
  const panel = document.getElementById("source-panel");
  if (panel.hidden) return;
  panel.hidden = true;
  document.body.classList.remove("panel-open");
  if (opener && document.contains(opener)) opener.focus();
}

export function installSourcePanel() {
  document.getElementById("source-close").addEventListener("click", closeSource);
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") closeSource(); });
}
